/* SPDX-License-Identifier: MIT */
/*
 * rtnl.h - a few rtnetlink requests: addresses and routes on the twins
 *
 * masqd puts the router's addresses on each twin, a default route for
 * the host through the external twin (only when the host has none), and
 * removes them at exit. Each call is one request and its acknowledgement
 * on a NETLINK_ROUTE socket: the kernel handles a route or address
 * request inside the sendmsg() call, so the answer is there when the
 * call returns (a bound of RTNL_TIMEOUT_MS covers a kernel that is
 * slower). Errors come back as the kernel's errno, negated.
 *
 * The kernel's replies are parsed with every length checked
 * (rtnl_parse_ack(), rtnl_parse_dump(): pure functions, unit-tested and
 * fuzzed in fuzz/fuzz_rtnl.c); a reply to another request (a late one)
 * is skipped by its sequence number.
 *
 * Routes masqd adds are marked "proto static" (RTPROT_STATIC), and a
 * delete names that protocol, so it never removes the same route an
 * administrator or a DHCP client added ("proto boot", "proto dhcp").
 */
#ifndef MASQ_IO_RTNL_H
#define MASQ_IO_RTNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#define RTNL_TIMEOUT_MS		500
#define RTNL_PROTO		4	/* RTPROT_STATIC: masqd's routes */

/**
 * struct rtnl - one NETLINK_ROUTE socket for requests
 * @fd:		the socket, -1 when closed
 * @seq:	sequence number of the last request
 */
struct rtnl {
	int fd;
	uint32_t seq;
};

int rtnl_open(struct rtnl *r);
void rtnl_close(struct rtnl *r);
int rtnl_addr(struct rtnl *r, bool add, int ifindex, struct in_addr addr,
	      unsigned int len);
int rtnl_route(struct rtnl *r, bool add, struct in_addr dst,
	       unsigned int len, struct in_addr gw, int ifindex);
int rtnl_link_del(struct rtnl *r, int ifindex);
int rtnl_link_xdp_detach(struct rtnl *r, int ifindex);
int rtnl_has_default(struct rtnl *r);

int rtnl_parse_ack(const void *buf, size_t len, uint32_t seq);
int rtnl_parse_dump(const void *buf, size_t len, uint32_t seq, bool *found);

#endif
