// SPDX-License-Identifier: MIT
/*
 * nlbuild.c - netlink messages written by hand (see nlbuild.h)
 */
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>

#include "nlbuild.h"

#define NLB_ALIGN(n)	(((n) + 3) & ~(size_t)3)

void nlb_init(struct nlb *b, void *buf, size_t cap)
{
	memset(buf, 0, cap);
	*b = (struct nlb){ .buf = buf, .cap = cap, .msg = SIZE_MAX };
}

/* Append @n bytes (zeros when @p is NULL), then pad to 4 */
void nlb_put(struct nlb *b, const void *p, size_t n)
{
	size_t pad = NLB_ALIGN(n) - n;

	if (b->len + n + pad > b->cap) {
		b->overflow = true;
		return;
	}
	if (p)
		memcpy(b->buf + b->len, p, n);
	else
		memset(b->buf + b->len, 0, n);
	memset(b->buf + b->len + n, 0, pad);
	b->len += n + pad;
}

static void close_msg(struct nlb *b)
{
	uint32_t len;

	if (b->msg == SIZE_MAX)
		return;
	len = (uint32_t)(b->len - b->msg);
	memcpy(b->buf + b->msg, &len, sizeof(len));
	b->msg = SIZE_MAX;
}

void nlb_msg(struct nlb *b, uint16_t type, uint16_t flags, uint32_t seq)
{
	struct nlmsghdr h = {
		.nlmsg_type = type, .nlmsg_flags = flags, .nlmsg_seq = seq,
	};

	close_msg(b);
	if (b->len + sizeof(h) > b->cap) {
		b->overflow = true;
		return;
	}
	b->msg = b->len;
	nlb_put(b, &h, sizeof(h));
}

void nlb_attr(struct nlb *b, uint16_t type, const void *p, size_t n)
{
	struct rtattr a = { .rta_len = (unsigned short)(sizeof(a) + n),
			    .rta_type = type };

	if (b->len + sizeof(a) + NLB_ALIGN(n) > b->cap) {
		b->overflow = true;
		return;
	}
	nlb_put(b, &a, sizeof(a));
	nlb_put(b, p, n);
}

void nlb_attr_u32(struct nlb *b, uint16_t type, uint32_t v)
{
	nlb_attr(b, type, &v, sizeof(v));
}

void nlb_attr_str(struct nlb *b, uint16_t type, const char *s)
{
	nlb_attr(b, type, s, strlen(s) + 1);
}

size_t nlb_end(struct nlb *b)
{
	close_msg(b);
	return b->len;
}

void nlb_link(struct nlb *b, uint16_t type, int ifindex, const char *name,
	      unsigned int flags, const uint8_t *mac, uint32_t mtu)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_type = 1,
				 .ifi_index = ifindex, .ifi_flags = flags,
				 .ifi_change = ~0u };

	nlb_msg(b, type, 0, 0);
	nlb_put(b, &ifi, sizeof(ifi));
	if (name)
		nlb_attr_str(b, IFLA_IFNAME, name);
	if (mac)
		nlb_attr(b, IFLA_ADDRESS, mac, 6);
	if (mtu)
		nlb_attr_u32(b, IFLA_MTU, mtu);
}

void nlb_addr(struct nlb *b, uint16_t type, int ifindex, uint32_t addr,
	      uint8_t plen)
{
	struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = plen,
				 .ifa_index = (uint32_t)ifindex };

	nlb_msg(b, type, 0, 0);
	nlb_put(b, &ifa, sizeof(ifa));
	nlb_attr_u32(b, IFA_ADDRESS, addr);
	nlb_attr_u32(b, IFA_LOCAL, addr);
	nlb_attr_str(b, IFA_LABEL, "nlb0");
}

void nlb_route(struct nlb *b, uint16_t type, uint32_t dst, uint8_t plen,
	       uint32_t gw, int oif, uint8_t table, uint8_t protocol)
{
	struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_dst_len = plen,
			     .rtm_table = table, .rtm_protocol = protocol,
			     .rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK,
			     .rtm_type = RTN_UNICAST };

	nlb_msg(b, type, 0, 0);
	nlb_put(b, &rtm, sizeof(rtm));
	nlb_attr_u32(b, RTA_TABLE, table);
	if (plen)
		nlb_attr_u32(b, RTA_DST, dst);
	if (gw)
		nlb_attr_u32(b, RTA_GATEWAY, gw);
	if (oif)
		nlb_attr_u32(b, RTA_OIF, (uint32_t)oif);
}

void nlb_done(struct nlb *b, uint32_t seq, uint16_t flags, int32_t error)
{
	nlb_msg(b, NLMSG_DONE, NLM_F_MULTI | flags, seq);
	nlb_put(b, &error, sizeof(error));
}

void nlb_error(struct nlb *b, uint32_t seq, int32_t error)
{
	struct nlmsghdr req = { .nlmsg_len = sizeof(req), .nlmsg_seq = seq };

	nlb_msg(b, NLMSG_ERROR, 0, seq);
	nlb_put(b, &error, sizeof(error));
	nlb_put(b, &req, sizeof(req));
}

void nlb_diag(struct nlb *b, uint8_t family, uint8_t state, uint16_t sport,
	      const uint8_t *src, int v6only)
{
	struct inet_diag_msg m = { .idiag_family = family,
				   .idiag_state = state };
	uint8_t v = (uint8_t)v6only;

	m.id.idiag_sport = (uint16_t)(sport >> 8 | (sport & 0xff) << 8);
	memcpy(m.id.idiag_src, src, family == AF_INET6 ? 16 : 4);
	m.id.idiag_cookie[0] = m.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	nlb_msg(b, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 0);
	nlb_put(b, &m, sizeof(m));
	nlb_attr(b, INET_DIAG_SHUTDOWN, "", 1);
	if (family == AF_INET6 && v6only >= 0)
		nlb_attr(b, INET_DIAG_SKV6ONLY, &v, 1);
}
