/* SPDX-License-Identifier: MIT */
/*
 * alg.h - application helpers (ALGs): FTP, IRC DCC, TFTP (alg.c, seqadj.c,
 *	   expect.c, alg_ftp.c, alg_irc.c, alg_tftp.c)
 *
 * A connection to a helper's port (ftp 21, irc off by default, tftp 69;
 * `helper NAME on|off [ports P,...]`) gets a helper: a record in a side
 * pool made at start (struct alg_conn), flagged CT_F_SIDE on its entry,
 * so the entry stays 64 bytes and a connection without a helper pays one
 * flag test on its short path. Each segment of a helper connection that
 * carries data is handed to its helper at the start of the segment
 * (struct alg_msg); the helper may:
 *
 *	- rewrite bytes of the payload (alg_mangle()): the IP and TCP
 *	  lengths and checksums follow, and when the length changed, the
 *	  connection's sequence adjustment (struct alg_seq, the 2.0
 *	  kernel's Init-seq, Delta and PDelta) makes every later sequence
 *	  number of that direction, and the acknowledgement and SACK blocks
 *	  coming back, agree with what each end sent (seqadj.c);
 *	- expect one related connection (alg_expect()): from one peer, to an
 *	  address and port of the router's, lapsing after ALG_EXPECT_LAPSE s;
 *	  its first packet opens a connection translated to the target, in
 *	  state RELATED, which the default ruleset accepts (expect.c).
 *
 * Everything here is made by packets, so bounded: ALG_CONNS_MAX helper
 * connections (a new one past that is tracked without a helper, counted:
 * alg_no_room); one pending expectation per helper connection (a new one
 * replaces it); ALG_EXPECT_MAX in all, the oldest lapsing first.
 */
#ifndef MASQ_ALG_H
#define MASQ_ALG_H

#include <stdbool.h>
#include <stdint.h>

#include "ct.h"

enum alg_id { ALG_NONE, ALG_FTP, ALG_IRC, ALG_TFTP, ALG_NUM };

#define ALG_PORTS_MAX	 8	/* ports a helper may be given */
#define ALG_CONNS_MAX	 4096	/* helper connections at once */
#define ALG_EXPECT_MAX	 1024	/* pending expectations at once */
#define ALG_EXPECT_LAPSE 30	/* s an expectation waits */
#define ALG_NO_IDX	 0xffffffffu

/* One helper's configuration (`helper NAME on|off ports P,...`) */
struct alg_conf {
	bool on;
	uint8_t nports;
	uint16_t ports[ALG_PORTS_MAX];	/* host order */
};

/**
 * struct alg_seq - the sequence adjustment of one direction
 * @init_seq:	the sender's sequence number (its own numbering) at which
 *		the last length-changing rewrite began
 * @delta:	added to the sender's sequence numbers after @init_seq
 * @pdelta:	... at or before it (the delta before that rewrite)
 *
 * The 2.0 kernel's struct ip_masq_seq, shown by `masq -L --raw`. Any
 * number of rewrites accumulate in @delta; a segment older than the last
 * rewrite gets @pdelta.
 */
struct alg_seq {
	uint32_t init_seq;
	int32_t delta;
	int32_t pdelta;
};

/**
 * struct alg_conn - a helper connection's side record
 * @ct:		its connection (entry index)
 * @alg:	enum alg_id
 * @adjusted:	bit per direction: @seq[dir] holds a change
 * @expect:	its pending expectation (index), or ALG_NO_IDX
 * @seq:	sequence adjustment, by the direction of the sender
 * @rw_seq:	by direction: where the last rewritten message began, and
 * @rw_len:	... its length as sent, so a retransmission of it is
 *		rewritten the same way (not counted twice)
 * @next:	free list
 */
struct alg_conn {
	uint32_t ct;
	uint8_t alg;
	uint8_t adjusted;
	uint32_t expect;
	struct alg_seq seq[2];
	uint32_t rw_seq[2];
	uint16_t rw_len[2];
	uint32_t next;
};

struct masq_engine;

/* The side record of connection @ct (flagged CT_F_SIDE), or NULL */
const struct alg_conn *alg_conn_of(const struct masq_engine *e, uint32_t ct);
const char *alg_name(enum alg_id id);

#endif
