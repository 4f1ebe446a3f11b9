/* SPDX-License-Identifier: MIT */
/*
 * rtwatch.h - follow the host's links, IPv4 addresses and IPv4 routes
 *
 * masqd gives the host a twin of each interface it owns (a TAP device); a
 * DHCP client or an administrator puts addresses and routes on the twins,
 * and masqd must follow them (the 2.2 kernels' ip_dynaddr case). This is
 * the kernel's side of that: one NETLINK_ROUTE socket, non-blocking and
 * close-on-exec, subscribed to RTMGRP_LINK, RTMGRP_IPV4_IFADDR and
 * RTMGRP_IPV4_ROUTE, and a PURE parser, rtw_parse(), that turns what it
 * receives into events. What masqd does with them is hostwatch.c's.
 *
 * Dumps. The current state is read with three dumps in a row (links,
 * then IPv4 addresses, then IPv4 routes: a netlink socket runs one dump
 * at a time). The events of a full dump are framed by RTW_SYNC_BEGIN and
 * RTW_SYNC_END, so a caller can forget, at END, whatever the dump did not
 * show again (mark at BEGIN, sweep at END): that is how a lost
 * notification is made good.
 *
 * Lost notifications. The socket's receive buffer is RTW_RCVBUF (forced
 * past net.core.rmem_max when masqd may); when it still overflows the
 * kernel drops notifications and recv() fails with ENOBUFS. rtw_recv()
 * then starts a fresh full dump (or, if one runs, another one after it),
 * so the next SYNC_BEGIN .. SYNC_END brings the caller back in step. A
 * dump the kernel marks inconsistent (NLM_F_DUMP_INTR: the tables changed
 * under it) or truncated (MSG_TRUNC), or a buffer the parser refuses, is
 * handled the same way. A dump the kernel refuses (an NLMSG_ERROR to our
 * request) is tried again a second later; one that has not ended after
 * RTW_DUMP_TIMEOUT_MS reopens the socket and starts over.
 *
 * Trust: only messages from the kernel (sender port id 0) are read; a
 * process that writes to our port id is ignored and counted. The parser
 * checks every length (nlmsg.h) and stops a buffer at the first message
 * that is cut short (-EBADMSG); messages it does not know, other address
 * families, tables other than main and route types other than unicast
 * are skipped, not errors.
 *
 * Limits: IPv4 only (masq has no IPv6 yet). A multipath route is seen as
 * its first next hop. A route through an IPv6 gateway (RTA_VIA) is skipped.
 */
#ifndef MASQ_IO_RTWATCH_H
#define MASQ_IO_RTWATCH_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

#define RTW_BUF_SIZE		(32u * 1024)	/* the kernel's largest dump skb */
#define RTW_RCVBUF		(4u << 20)
#define RTW_DUMP_TIMEOUT_MS	5000
#define RTW_RETRY_MS		1000
/* Events per buffer: no message is shorter than its header */
#define RTW_MAX_EVENTS		(RTW_BUF_SIZE / NLMSG_HDRLEN)

enum rtw_kind {
	RTW_LINK,		/* a link appeared, changed or went */
	RTW_ADDR,		/* an IPv4 address was added or deleted */
	RTW_ROUTE,		/* an IPv4 route of the main table */
	RTW_DONE,		/* NLMSG_DONE: the end of one dump */
	RTW_ERROR,		/* NLMSG_ERROR (error 0: an acknowledgement) */
	RTW_SYNC_BEGIN,		/* rtw_recv(): a full dump starts */
	RTW_SYNC_END,		/* rtw_recv(): ... and has ended */
	RTW_KIND_NUM
};

extern const char *const rtw_kind_names[RTW_KIND_NUM];

/**
 * struct rtw_link - RTM_NEWLINK / RTM_DELLINK (family AF_UNSPEC only)
 * @ifindex:	interface index (> 0)
 * @name:	IFLA_IFNAME, "" when absent
 * @up:		IFF_UP
 * @running:	IFF_RUNNING (operationally up: for a TAP, someone has it open)
 * @has_mac:	@mac is IFLA_ADDRESS (a 6-byte one)
 * @mac:	hardware address
 * @mtu:	IFLA_MTU, 0 when absent
 */
struct rtw_link {
	int32_t ifindex;
	char name[IF_NAMESIZE];
	bool up;
	bool running;
	bool has_mac;
	uint8_t mac[6];
	uint32_t mtu;
};

/**
 * struct rtw_addr - RTM_NEWADDR / RTM_DELADDR, AF_INET
 * @ifindex:	interface index
 * @addr:	the local address (IFA_LOCAL, else IFA_ADDRESS), network order
 * @plen:	prefix length, 0-32
 */
struct rtw_addr {
	int32_t ifindex;
	uint32_t addr;
	uint8_t plen;
};

/**
 * struct rtw_route - RTM_NEWROUTE / RTM_DELROUTE, AF_INET, table main,
 * type unicast
 * @dst:	destination prefix, network order (0 for a default route)
 * @plen:	its length, 0-32 (0: default)
 * @gw:		RTA_GATEWAY, network order; 0 for a directly connected route
 * @oif:	RTA_OIF (or the first next hop's), 0 when absent
 * @metric:	RTA_PRIORITY, 0 when absent
 * @protocol:	rtm_protocol (RTPROT_KERNEL for an address's own route,
 *		RTPROT_DHCP, RTPROT_BOOT for ip route add ...)
 */
struct rtw_route {
	uint32_t dst;
	uint8_t plen;
	uint32_t gw;
	int32_t oif;
	uint32_t metric;
	uint8_t protocol;
};

/**
 * struct rtw_event - one thing the kernel said
 * @kind:	what it is
 * @deleted:	RTM_DEL*: it went (links, addresses, routes)
 * @intr:	RTW_DONE: NLM_F_DUMP_INTR, the dump may be inconsistent
 * @seq:	nlmsg_seq (a dump's replies carry its request's)
 * @error:	RTW_ERROR: the errno as the kernel sent it (negative, or 0 for
 *		an acknowledgement); RTW_DONE: the dump's own error, 0 if none
 * @link:	RTW_LINK
 * @addr:	RTW_ADDR
 * @route:	RTW_ROUTE
 */
struct rtw_event {
	enum rtw_kind kind;
	bool deleted;
	bool intr;
	uint32_t seq;
	int32_t error;
	union {
		struct rtw_link link;
		struct rtw_addr addr;
		struct rtw_route route;
	};
};

/**
 * struct rtw_stats - what rtw_recv() met (never reset)
 * @overruns:	notifications lost (ENOBUFS, MSG_TRUNC): a dump followed
 * @bad:	buffers the parser refused: a dump followed
 * @foreign:	datagrams not from the kernel, ignored
 * @dumps:	full dumps started
 * @refused:	dump requests the kernel answered with an error
 * @timeouts:	dumps that never ended: the socket was reopened
 */
struct rtw_stats {
	uint64_t overruns;
	uint64_t bad;
	uint64_t foreign;
	uint64_t dumps;
	uint64_t refused;
	uint64_t timeouts;
};

enum rtw_phase {
	RTW_IDLE,
	RTW_DUMP_LINKS,
	RTW_DUMP_ADDRS,
	RTW_DUMP_ROUTES,
	RTW_PHASE_NUM
};

/**
 * struct rtwatch - the socket and where its dump stands
 * @fd:		NETLINK_ROUTE socket, -1 when closed
 * @seq:	sequence number of the latest dump request
 * @phase:	which dump runs (RTW_IDLE: none)
 * @redump:	start a full dump once the running one ends (or at @retry_ms)
 * @begin:	a full dump was started: the next rtw_recv() says SYNC_BEGIN
 * @retry_ms:	when a refused dump may be asked again
 * @dump_ms:	when the running dump was asked for
 * @buf:	receive buffer, RTW_BUF_SIZE bytes (allocated at open)
 * @ev:		events of the latest rtw_recv() (RTW_MAX_EVENTS + 1)
 * @st:		counters
 */
struct rtwatch {
	int fd;
	uint32_t seq;
	enum rtw_phase phase;
	bool redump;
	bool begin;
	uint64_t retry_ms;
	uint64_t dump_ms;
	uint8_t *buf;
	struct rtw_event *ev;
	struct rtw_stats st;
};

int rtw_parse(const void *buf, size_t len, struct rtw_event *ev, size_t max);
int rtw_open(struct rtwatch *w);
void rtw_close(struct rtwatch *w);
int rtw_dump(struct rtwatch *w, uint64_t now_ms);
int rtw_recv(struct rtwatch *w, uint64_t now_ms, const struct rtw_event **ev);
bool rtw_busy(const struct rtwatch *w);

#endif
