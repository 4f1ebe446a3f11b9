// SPDX-License-Identifier: MIT
/*
 * rtnl.c - rtnetlink requests for the twins (see rtnl.h)
 *
 * Theory of operation: a request is built in a small buffer on the
 * stack (header, fixed part, attributes; each attribute checked against
 * the room left), sent with NLM_F_ACK, and answered by one NLMSG_ERROR
 * message (error 0 is the acknowledgement). NETLINK_CAP_ACK keeps the
 * kernel from echoing the request in an error. The one dump (is there a
 * default route in the main table?) reads messages until NLMSG_DONE.
 *
 * Parsing trusts no length: every message's and attribute's length is
 * checked against what was received before anything is read from it,
 * and fields are copied out with memcpy (a buffer need not be aligned).
 * A malformed reply is -EBADMSG; a truncated datagram (MSG_TRUNC) is
 * -EMSGSIZE.
 *
 * Cost: one sendto and one or two recv per request, microseconds; they
 * run at start, at exit and when a twin is made again, never per frame.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "io/rtnl.h"

#define REQ_ROOM	256
#define RX_ROOM		32768

/* A request: header, fixed part and attributes, built in place */
struct req {
	struct nlmsghdr h;
	uint8_t body[REQ_ROOM];
};

/**
 * rtnl_open() - Open the request socket
 * @r:		filled
 *
 * Return: 0, or -errno
 */
int rtnl_open(struct rtnl *r)
{
	int one = 1;

	r->seq = (uint32_t)time(NULL);
	r->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
		       NETLINK_ROUTE);
	if (r->fd < 0)
		return -errno;
	/* errors without the request echoed; not fatal where unknown */
	setsockopt(r->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return 0;
}

/**
 * rtnl_close() - Close the socket
 * @r:		the socket (closed already: nothing happens)
 */
void rtnl_close(struct rtnl *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

static void req_init(struct req *q, uint16_t type, uint16_t flags,
		     const void *fixed, size_t len)
{
	memset(q, 0, sizeof(*q));
	q->h.nlmsg_len = (uint32_t)NLMSG_LENGTH(len);
	q->h.nlmsg_type = type;
	q->h.nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
	memcpy(q->body, fixed, len);
}

/* Append one attribute; -EMSGSIZE when it does not fit */
static int req_attr(struct req *q, uint16_t type, const void *data,
		    size_t len)
{
	size_t at = NLMSG_ALIGN(q->h.nlmsg_len), alen = RTA_LENGTH(len);
	struct rtattr a = { .rta_len = (unsigned short)alen,
			    .rta_type = type };

	if (at + RTA_ALIGN(alen) > sizeof(*q))
		return -EMSGSIZE;
	memcpy((uint8_t *)q + at, &a, sizeof(a));
	memcpy((uint8_t *)q + at + RTA_LENGTH(0), data, len);
	q->h.nlmsg_len = (uint32_t)(at + RTA_ALIGN(alen));
	return 0;
}

static int req_send(struct rtnl *r, struct req *q)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	q->h.nlmsg_seq = ++r->seq;
	if (sendto(r->fd, q, q->h.nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0)
		return -errno;
	return 0;
}

/* One datagram into @buf, waiting RTNL_TIMEOUT_MS at most */
static ssize_t recv_one(struct rtnl *r, uint8_t *buf, size_t cap)
{
	struct timespec t0, t1;
	long waited = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = { .fd = r->fd, .events = POLLIN };
		ssize_t n = recv(r->fd, buf, cap, MSG_DONTWAIT | MSG_TRUNC);

		if (n > (ssize_t)cap)
			return -EMSGSIZE;
		if (n >= 0)
			return n;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		if (waited >= RTNL_TIMEOUT_MS)
			return -ETIMEDOUT;
		poll(&p, 1, (int)(RTNL_TIMEOUT_MS - waited));
		clock_gettime(CLOCK_MONOTONIC, &t1);
		waited = (t1.tv_sec - t0.tv_sec) * 1000 +
			 (t1.tv_nsec - t0.tv_nsec) / 1000000;
	}
}

/* Send @q and wait for its acknowledgement: 0 or the kernel's -errno */
static int transact(struct rtnl *r, struct req *q)
{
	uint8_t buf[RX_ROOM];
	int ret;

	if (r->fd < 0)
		return -EBADF;
	q->h.nlmsg_flags |= NLM_F_ACK;
	ret = req_send(r, q);
	if (ret)
		return ret;
	do {
		ssize_t n = recv_one(r, buf, sizeof(buf));

		if (n < 0)
			return (int)n;
		ret = rtnl_parse_ack(buf, (size_t)n, r->seq);
	} while (ret == 1);
	return ret;
}

/*
 * Walk the messages of one datagram; @fn sees each whole message with
 * sequence number @seq. Return: @fn's first non-zero value, 0 at the
 * end, -EBADMSG for a length that does not fit
 */
static int walk(const uint8_t *buf, size_t len, uint32_t seq,
		int (*fn)(const struct nlmsghdr *h, const uint8_t *msg,
			  void *ctx), void *ctx)
{
	size_t at = 0;

	while (len - at >= sizeof(struct nlmsghdr)) {
		struct nlmsghdr h;
		int ret;

		memcpy(&h, buf + at, sizeof(h));
		if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > len - at)
			return -EBADMSG;
		if (h.nlmsg_seq == seq) {
			ret = fn(&h, buf + at, ctx);
			if (ret)
				return ret;
		}
		if (NLMSG_ALIGN(h.nlmsg_len) >= len - at)
			break;
		at += NLMSG_ALIGN(h.nlmsg_len);
	}
	return 0;
}

/* NLMSG_ERROR's error field: 0, or a negative errno in range */
static int error_of(const struct nlmsghdr *h, const uint8_t *msg)
{
	int32_t e;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(e)))
		return -EBADMSG;
	memcpy(&e, msg + NLMSG_HDRLEN, sizeof(e));
	if (e > 0 || e < -4095)
		return -EPROTO;
	return e;
}

static int ack_one(const struct nlmsghdr *h, const uint8_t *msg, void *ctx)
{
	int ret;

	(void)ctx;
	if (h->nlmsg_type != NLMSG_ERROR)
		return 0;
	ret = error_of(h, msg);
	return ret ? ret : 2;	/* 2: the acknowledgement */
}

/**
 * rtnl_parse_ack() - Find the answer to request @seq in a datagram
 * @buf:	what recv() gave
 * @len:	its length
 * @seq:	the request's sequence number
 *
 * Return: 0 acknowledged, the kernel's -errno, -EBADMSG for a malformed
 * datagram, or 1 when the answer is not in it (read on)
 */
int rtnl_parse_ack(const void *buf, size_t len, uint32_t seq)
{
	int ret = walk(buf, len, seq, ack_one, NULL);

	if (ret == 2)
		return 0;
	return ret ? ret : 1;
}

/* A table number from RTA_TABLE, if the route carries one */
static int route_table(const uint8_t *msg, size_t len, uint32_t *table)
{
	size_t at = NLMSG_LENGTH(sizeof(struct rtmsg));

	at = NLMSG_ALIGN(at);
	while (at < len && len - at >= sizeof(struct rtattr)) {
		struct rtattr a;

		memcpy(&a, msg + at, sizeof(a));
		if (a.rta_len < sizeof(a) || a.rta_len > len - at)
			return -EBADMSG;
		if (a.rta_type == RTA_TABLE) {
			if (a.rta_len < RTA_LENGTH(sizeof(*table)))
				return -EBADMSG;
			memcpy(table, msg + at + RTA_LENGTH(0), sizeof(*table));
		}
		at += RTA_ALIGN(a.rta_len);
	}
	return 0;
}

static int dump_one(const struct nlmsghdr *h, const uint8_t *msg, void *ctx)
{
	bool *found = ctx;
	struct rtmsg rt;
	uint32_t table;
	int ret;

	if (h->nlmsg_type == NLMSG_DONE)
		return 1;
	if (h->nlmsg_type == NLMSG_ERROR) {	/* a dump ends in DONE */
		ret = error_of(h, msg);
		return ret ? ret : -EPROTO;
	}
	if (h->nlmsg_type != RTM_NEWROUTE)
		return 0;
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(rt)))
		return -EBADMSG;
	memcpy(&rt, msg + NLMSG_HDRLEN, sizeof(rt));
	table = rt.rtm_table;
	ret = route_table(msg, h->nlmsg_len, &table);
	if (ret)
		return ret;
	if (rt.rtm_family == AF_INET && rt.rtm_dst_len == 0 &&
	    table == RT_TABLE_MAIN)
		*found = true;
	return 0;
}

/**
 * rtnl_parse_dump() - Look for an IPv4 default route in a route dump
 * @buf:	one datagram of the dump
 * @len:	its length
 * @seq:	the dump request's sequence number
 * @found:	set when a main-table route with prefix length 0 (any type:
 *		unicast, blackhole, unreachable) is in it; left otherwise
 *
 * Return: 1 at the dump's end (NLMSG_DONE), 0 when more is to come,
 * the kernel's -errno, or -EBADMSG for a malformed datagram
 */
int rtnl_parse_dump(const void *buf, size_t len, uint32_t seq, bool *found)
{
	return walk(buf, len, seq, dump_one, found);
}

/**
 * rtnl_has_default() - Does the host have an IPv4 default route?
 * @r:		the socket
 *
 * In the main table, of any type: an administrator's "unreachable
 * default" is a default route too, and masqd must not add another.
 * Return: 1 yes, 0 no, or -errno
 */
int rtnl_has_default(struct rtnl *r)
{
	struct rtmsg rt = { .rtm_family = AF_INET };
	uint8_t buf[RX_ROOM];
	bool found = false;
	struct req q;
	int ret, rounds = 0;

	if (r->fd < 0)
		return -EBADF;
	req_init(&q, RTM_GETROUTE, NLM_F_DUMP, &rt, sizeof(rt));
	ret = req_send(r, &q);
	while (!ret) {
		ssize_t n = recv_one(r, buf, sizeof(buf));

		if (n < 0)
			return (int)n;
		if (++rounds > 4096)	/* a table of millions: give up */
			return -E2BIG;
		ret = rtnl_parse_dump(buf, (size_t)n, r->seq, &found);
	}
	return ret < 0 ? ret : found;
}

/**
 * rtnl_addr() - Add or remove an IPv4 address on an interface
 * @r:		the socket
 * @add:	add (the subnet's broadcast address with it, as "ip addr
 *		add ... brd +"), or remove
 * @ifindex:	the interface
 * @addr:	the address
 * @len:	its prefix length, 0 to 32
 *
 * Return: 0, or the kernel's -errno (-EEXIST: it is there already;
 * -EADDRNOTAVAIL: removing one that is not)
 */
int rtnl_addr(struct rtnl *r, bool add, int ifindex, struct in_addr addr,
	      unsigned int len)
{
	struct ifaddrmsg ifa = {
		.ifa_family = AF_INET,
		.ifa_prefixlen = (unsigned char)len,
		.ifa_scope = RT_SCOPE_UNIVERSE,
		.ifa_index = (unsigned int)ifindex,
	};
	struct req q;
	int ret;

	if (len > 32)
		return -EINVAL;
	req_init(&q, add ? RTM_NEWADDR : RTM_DELADDR,
		 add ? NLM_F_CREATE | NLM_F_EXCL : 0, &ifa, sizeof(ifa));
	ret = req_attr(&q, IFA_LOCAL, &addr, sizeof(addr));
	if (!ret)
		ret = req_attr(&q, IFA_ADDRESS, &addr, sizeof(addr));
	if (!ret && add && len < 31) {
		uint32_t host = len ? 0xffffffffu >> len : 0xffffffffu;
		struct in_addr brd = { addr.s_addr | htonl(host) };

		ret = req_attr(&q, IFA_BROADCAST, &brd, sizeof(brd));
	}
	return ret ? ret : transact(r, &q);
}

/**
 * rtnl_route() - Add or remove a route in the main table
 * @r:		the socket
 * @add:	add (never replacing: NLM_F_CREATE | NLM_F_EXCL), or remove
 *		(only a route masqd added: protocol RTNL_PROTO)
 * @dst:	destination prefix
 * @len:	its length (0: the default route)
 * @gw:	gateway, 0.0.0.0 for none
 * @ifindex:	the interface it leaves by
 *
 * Return: 0, or the kernel's -errno (-EEXIST: such a route exists;
 * -ESRCH: removing one that is not there)
 */
int rtnl_route(struct rtnl *r, bool add, struct in_addr dst,
	       unsigned int len, struct in_addr gw, int ifindex)
{
	struct rtmsg rt = {
		.rtm_family = AF_INET,
		.rtm_dst_len = (unsigned char)len,
		.rtm_table = RT_TABLE_MAIN,
		.rtm_protocol = RTNL_PROTO,
		.rtm_scope = add ? RT_SCOPE_UNIVERSE : RT_SCOPE_NOWHERE,
		.rtm_type = RTN_UNICAST,
	};
	uint32_t oif = (uint32_t)ifindex;
	struct req q;
	int ret = 0;

	if (len > 32)
		return -EINVAL;
	req_init(&q, add ? RTM_NEWROUTE : RTM_DELROUTE,
		 add ? NLM_F_CREATE | NLM_F_EXCL : 0, &rt, sizeof(rt));
	if (len)
		ret = req_attr(&q, RTA_DST, &dst, sizeof(dst));
	if (!ret && gw.s_addr)
		ret = req_attr(&q, RTA_GATEWAY, &gw, sizeof(gw));
	if (!ret)
		ret = req_attr(&q, RTA_OIF, &oif, sizeof(oif));
	return ret ? ret : transact(r, &q);
}

/**
 * rtnl_link_del() - Delete an interface
 * @r:		the socket
 * @ifindex:	the interface
 *
 * Return: 0, or the kernel's -errno (-ENODEV: it is gone already)
 */
int rtnl_link_del(struct rtnl *r, int ifindex)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	struct req q;

	req_init(&q, RTM_DELLINK, 0, &ifi, sizeof(ifi));
	return transact(r, &q);
}

/* One RTM_SETLINK: IFLA_XDP { IFLA_XDP_FD -1, IFLA_XDP_FLAGS @mode } */
static int xdp_detach_mode(struct rtnl *r, int ifindex, uint32_t mode)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	uint8_t nest[2 * RTA_SPACE(sizeof(uint32_t))];
	struct rtattr a = { .rta_len = RTA_LENGTH(sizeof(int32_t)),
			    .rta_type = IFLA_XDP_FD };
	int32_t fd = -1;
	struct req q;
	int ret;

	memset(nest, 0, sizeof(nest));
	memcpy(nest, &a, sizeof(a));
	memcpy(nest + RTA_LENGTH(0), &fd, sizeof(fd));
	a = (struct rtattr){ .rta_len = RTA_LENGTH(sizeof(uint32_t)),
			     .rta_type = IFLA_XDP_FLAGS };
	memcpy(nest + RTA_SPACE(sizeof(int32_t)), &a, sizeof(a));
	memcpy(nest + RTA_SPACE(sizeof(int32_t)) + RTA_LENGTH(0), &mode,
	       sizeof(mode));
	req_init(&q, RTM_SETLINK, 0, &ifi, sizeof(ifi));
	ret = req_attr(&q, IFLA_XDP | NLA_F_NESTED, nest, sizeof(nest));
	return ret ? ret : transact(r, &q);
}

/**
 * rtnl_link_xdp_detach() - Remove any XDP program from an interface
 * @r:		the socket
 * @ifindex:	the interface
 *
 * Both attach modes, generic (skb) and native (driver): a program left by
 * an AF_XDP masqd may be in either. No bpf() and no libbpf: CAP_NET_ADMIN
 * is all it needs (the privileged helper, masqd --release).
 * Return: 0 (also when there was none), or the kernel's -errno of the
 * first mode that failed (-ENODEV: the interface is gone)
 */
int rtnl_link_xdp_detach(struct rtnl *r, int ifindex)
{
	int skb = xdp_detach_mode(r, ifindex, XDP_FLAGS_SKB_MODE);
	int drv = xdp_detach_mode(r, ifindex, XDP_FLAGS_DRV_MODE);

	/* a driver without native XDP refuses DRV_MODE: not an error here */
	return skb ? skb : drv == -EOPNOTSUPP || drv == -EINVAL ? 0 : drv;
}
