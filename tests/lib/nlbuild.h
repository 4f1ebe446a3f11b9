/* SPDX-License-Identifier: MIT */
/*
 * nlbuild.h - write netlink messages by hand, as the kernel would send
 * them: rtnetlink (links, addresses, routes) and inet_diag replies
 *
 * For the parsers' unit tests and the seeds of their fuzz targets. A
 * buffer holds messages one after another: nlb_msg() starts one (closing
 * the one before), nlb_put() and nlb_attr() add its body and attributes,
 * each padded to 4 bytes, nlb_end() closes the last and gives the length.
 * Writes past the buffer's end are not made; @overflow says so (a test
 * checks it). Values are host order, addresses network order, as netlink
 * carries them.
 */
#ifndef MASQ_TESTS_NLBUILD_H
#define MASQ_TESTS_NLBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * struct nlb - a buffer of messages being written
 * @buf:	the bytes
 * @cap:	room at @buf
 * @len:	bytes written
 * @msg:	offset of the open message's header, or SIZE_MAX for none
 * @overflow:	something did not fit (and was not written)
 */
struct nlb {
	uint8_t *buf;
	size_t cap;
	size_t len;
	size_t msg;
	bool overflow;
};

void nlb_init(struct nlb *b, void *buf, size_t cap);
void nlb_msg(struct nlb *b, uint16_t type, uint16_t flags, uint32_t seq);
void nlb_put(struct nlb *b, const void *p, size_t n);
void nlb_attr(struct nlb *b, uint16_t type, const void *p, size_t n);
void nlb_attr_u32(struct nlb *b, uint16_t type, uint32_t v);
void nlb_attr_str(struct nlb *b, uint16_t type, const char *s);
size_t nlb_end(struct nlb *b);

/* RTM_NEWLINK/RTM_DELLINK, family AF_UNSPEC: name, flags, a MAC, an MTU */
void nlb_link(struct nlb *b, uint16_t type, int ifindex, const char *name,
	      unsigned int flags, const uint8_t *mac, uint32_t mtu);
/* RTM_NEWADDR/RTM_DELADDR, AF_INET, IFA_ADDRESS and IFA_LOCAL = @addr */
void nlb_addr(struct nlb *b, uint16_t type, int ifindex, uint32_t addr,
	      uint8_t plen);
/* RTM_NEWROUTE/RTM_DELROUTE, AF_INET, unicast; @gw, @oif omitted when 0 */
void nlb_route(struct nlb *b, uint16_t type, uint32_t dst, uint8_t plen,
	       uint32_t gw, int oif, uint8_t table, uint8_t protocol);
/* NLMSG_DONE with its 4-byte error payload */
void nlb_done(struct nlb *b, uint32_t seq, uint16_t flags, int32_t error);
/* NLMSG_ERROR quoting a 16-byte request header */
void nlb_error(struct nlb *b, uint32_t seq, int32_t error);

/**
 * nlb_diag() - One inet_diag reply (SOCK_DIAG_BY_FAMILY)
 * @b:		buffer
 * @family:	AF_INET or AF_INET6
 * @state:	TCP state (TCP_LISTEN = 10, TCP_CLOSE = 7 for unconnected UDP)
 * @sport:	local port, host order
 * @src:	local address: 4 bytes (AF_INET) or 16 (AF_INET6)
 * @v6only:	INET_DIAG_SKV6ONLY for AF_INET6: 0 or 1, -1 to leave it out
 */
void nlb_diag(struct nlb *b, uint8_t family, uint8_t state, uint16_t sport,
	      const uint8_t *src, int v6only);

#endif
