/* SPDX-License-Identifier: MIT */
/*
 * masq/ctfilter.h - the words of `conntrack` (conntrack-tools 1.4.7's
 *		     command line), parsed once for masqctl and masqd
 *
 * masqctl parses a command to give conntrack's own message and exit
 * status 2 before it reaches masqd; masqd parses the same words again
 * (every input is hostile) to know which connections a walk lists,
 * deletes or gets (src/engine/ctlist.c). One parser, no names that need
 * a resolver: conntrack takes no host names, and the protocol and TCP
 * state names are tables here.
 */
#ifndef MASQ_CTFILTER_H
#define MASQ_CTFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a filter holds (struct ct_filter's @has) */
#define CTF_PROTO	(1u << 0)
#define CTF_SRC		(1u << 1)	/* original direction's source */
#define CTF_DST		(1u << 2)
#define CTF_RSRC	(1u << 3)	/* reply direction's source */
#define CTF_RDST	(1u << 4)
#define CTF_SPORT	(1u << 5)
#define CTF_DPORT	(1u << 6)
#define CTF_RSPORT	(1u << 7)
#define CTF_RDPORT	(1u << 8)
#define CTF_STATE	(1u << 9)
#define CTF_MARK	(1u << 10)
#define CTF_ICMP_TYPE	(1u << 11)
#define CTF_ICMP_CODE	(1u << 12)
#define CTF_ICMP_ID	(1u << 13)
#define CTF_GET		(1u << 14)	/* -G: the whole tuple, either
					   direction */

/* A TCP state conntrack names that masq's tracker never has */
#define CTF_STATE_NEVER	0xff

/**
 * struct ct_filter - which connections a command is about (all set ones
 *		      must match)
 * @has:	CTF_* bits
 * @proto:	IP protocol number
 * @src:	addresses, network order (@src, @dst: original direction;
 *		@rsrc, @rdst: reply direction)
 * @dst:	...
 * @rsrc:	...
 * @rdst:	...
 * @sport:	ports, host order (original then reply direction)
 * @dport:	...
 * @rsport:	...
 * @rdport:	...
 * @state:	TCP state, as ct_tcp_state_names[] counts (CTF_STATE_NEVER:
 *		a state of Linux's tracker masq does not have)
 * @mark:	connection mark, compared under @mark_mask
 * @mark_mask:	...
 * @icmp_type:	ICMP of the original direction: type, code, echo id
 * @icmp_code:	...
 * @icmp_id:	...
 */
struct ct_filter {
	uint32_t has;
	uint8_t proto;
	uint32_t src, dst, rsrc, rdst;
	uint16_t sport, dport, rsport, rdport;
	uint8_t state;
	uint32_t mark, mark_mask;
	uint8_t icmp_type, icmp_code;
	uint16_t icmp_id;
};

/**
 * struct ct_cmdline - one conntrack command
 * @cmd:	'L' list, 'D' delete, 'G' get, 'F' flush, 'C' count,
 *		'E' events
 * @expect:	the expectation table (-L expect, -C expect)
 * @json:	-o json (masqctl's own output format, for -L)
 * @f:		the filter (-L, -D, -G)
 */
struct ct_cmdline {
	char cmd;
	bool expect;
	bool json;
	struct ct_filter f;
};

#define CTF_ERR_MAX	160

int ct_cmdline_parse(int argc, char *const *argv, struct ct_cmdline *c,
		     char *err, size_t errlen);

#endif /* MASQ_CTFILTER_H */
