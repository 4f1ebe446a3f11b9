/* SPDX-License-Identifier: MIT */
/*
 * masqtab.h - the masquerade table as the 2.0 and 2.2 kernels kept it
 *	       (masqtab.c): which connections are in it, how each reads,
 *	       and the words of the `masq` command
 *
 * The table is a view of the connection table, not a table of its own:
 * every connection with a translation is an entry (ctlist.c walks them).
 */
#ifndef MASQ_MASQTAB_H
#define MASQ_MASQTAB_H

#include <stdbool.h>
#include <stdint.h>

#include "masq/engine.h"

/* What a `masq` command that walks the table does */
enum masqtab_cmd {
	MASQTAB_LIST,		/* -L [-n] [-v]: ipchains -M -L */
	MASQTAB_RAW,		/* -L --raw: /proc/net/ip_masquerade */
	MASQTAB_DELETE,		/* -D PROTO ADDR PORT */
	MASQTAB_FLUSH,		/* -F */
	MASQTAB_NUM
};

/* The free= counts of the raw header, in the 2.2 kernel's order */
enum masqtab_free { MASQTAB_FREE_UDP, MASQTAB_FREE_TCP, MASQTAB_FREE_ICMP,
		    MASQTAB_FREE_NUM };

/**
 * struct masqtab_args - a walking `masq` command's words, parsed
 * @cmd:	enum masqtab_cmd
 * @verbose:	-L -v: ipchains' initseq, delta and prevd columns
 * @proto:	-D: IP protocol
 * @addr:	-D: the entry's source address, network order
 * @port:	-D: its source port (ICMP: echo identifier), host order
 */
struct masqtab_args {
	enum masqtab_cmd cmd;
	bool verbose;
	uint8_t proto;
	uint32_t addr;
	uint16_t port;
};

/**
 * struct masqtab_row - one entry as the 2.2 kernel's struct ip_masq read
 * @proto:	IP protocol
 * @src:	the hidden end (network order): the internal host a
 *		masquerade hides, or the host a forward or DNAT leads to
 * @dst:	the other end, the remote (network order)
 * @sport:	@src's port (ICMP: the echo identifier), host order
 * @mport:	the router's port that stands for it (ICMP: identifier)
 * @dport:	@dst's port (ICMP: the type, 8, as a PC's 2.2 kernel showed)
 * @init_seq:	the helper's sequence adjustment (struct alg_seq) of the
 * @delta:	direction a rewrite changed, @src's own preferred; zeros
 * @pdelta:	when no rewrite changed a length
 * @expires_cs:	hundredths of a second until it lapses
 */
struct masqtab_row {
	uint8_t proto;
	uint32_t src, dst;
	uint16_t sport, mport, dport;
	uint32_t init_seq;
	int32_t delta, pdelta;
	uint32_t expires_cs;
};

struct masq_engine;

int masqtab_words(int argc, char *const *argv, struct masqtab_args *a,
		  struct masq_text *why);
bool masqtab_row_of(const struct masq_engine *e, uint32_t i,
		    struct masqtab_row *r);
bool masqtab_matches(const struct masqtab_args *a,
		     const struct masqtab_row *r);
const char *masqtab_proto_name(uint8_t proto, char buf[4]);
void masqtab_free_ports(const struct masq_engine *e,
			uint32_t free[MASQTAB_FREE_NUM]);
int masqtab_ctl(struct masq_engine *e, int argc, char *const *argv,
		struct masq_text *out);

#endif
