/* SPDX-License-Identifier: MIT */
/*
 * alg.h - application helpers (ALGs): FTP, IRC DCC, TFTP (alg.c, seqadj.c,
 *	   expect.c, alg_ftp.c, alg_irc.c, alg_tftp.c)
 *
 * A connection to a helper's port (ftp 21, irc off by default, tftp 69;
 * `helper NAME on|off [ports P,...]`), or one a raw rule names a helper
 * for (-j CT --helper NAME, at any port), gets a helper: a record in a side
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
 * @by_rule:	a rule gave it (raw's CT --helper), not its port: a
 *		restart gives it the same (snapshot.c)
 * @adjusted:	bit 1 << dir: @seq[dir] holds a change; bit 4 << dir:
 *		@rw_seq[dir] holds the last rewritten message's start
 * @expect:	its pending expectation (index), or ALG_NO_IDX
 * @seq:	sequence adjustment, by the direction of the sender
 * @rw_seq:	by direction: where the last rewritten message began, so
 *		a retransmission of it is rewritten the same way (and its
 *		change not counted twice)
 * @child:	the last related connection its expectation opened (its
 *		original tuple; proto in @child_proto, 0: none): while it
 *		lives, this connection does not time out (alg_keeps())
 * @next:	free list
 */
struct alg_conn {
	uint32_t ct;
	uint8_t alg;
	uint8_t adjusted;
	bool by_rule;
	uint32_t expect;
	struct alg_seq seq[2];
	uint32_t rw_seq[2];
	struct ct_tuple child;
	uint8_t child_proto;
	uint32_t next;
};

/**
 * struct alg_expect - a related connection a helper waits for
 * @master:	the helper connection (entry index); ALG_NO_IDX: free slot
 * @peer:	the one source admitted (network order); 0: any (IRC DCC,
 *		whose peer the router cannot know)
 * @addr:	the router's address it comes to (network order)
 * @port:	... and port (network order): the target's mapping there
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @to_addr:	the target, where it goes (network order)
 * @to_port:	... and its port
 * @map:	the target's masquerade mapping, one reference held, given
 *		to the connection when it comes
 * @until:	engine tick at which it lapses
 * @watch:	not admitted but noted (alg_watch()): a connection from
 *		@peer to @addr:@port the client opens itself
 */
struct alg_expect {
	uint32_t master;
	uint32_t peer;
	uint32_t addr;
	uint16_t port;
	uint8_t proto;
	uint32_t to_addr;
	uint16_t to_port;
	uint32_t map;
	uint32_t until;
	bool watch;
};

/* The helpers' state, made with the engine */
struct alg_state {
	struct alg_conf conf[ALG_NUM];
	uint32_t nconns;
	uint32_t free;			/* free list of @conns */
	struct alg_conn conns[ALG_CONNS_MAX];
	uint64_t slots[2 * ALG_CONNS_MAX];	/* ct + 1 << 32 | conn index;
						 * 0: empty (open addressing) */
	uint32_t nexp;
	struct alg_expect exp[ALG_EXPECT_MAX];
};

struct masq_engine;
struct masq_text;
struct pkt;

/**
 * struct alg_msg - a segment of a helper connection, as its helper sees it
 * @e:		engine
 * @p:		the packet (its payload may be rewritten: alg_mangle())
 * @ct:		its connection (entry index)
 * @dir:	the way it goes
 * @ac:		the connection's side record
 * @data:	the payload, from the segment's start
 * @len:	its length
 * @retrans:	TCP: the last rewritten message again (rewrite it the
 *		same way; the adjustment is not counted again)
 */
struct alg_msg {
	struct masq_engine *e;
	struct pkt *p;
	uint32_t ct;
	enum ct_dir dir;
	struct alg_conn *ac;
	uint8_t *data;
	uint32_t len;
	bool retrans;
};

/* alg.c */
int alg_init(struct masq_engine *e);
void alg_fini(struct masq_engine *e);
void alg_attach(struct masq_engine *e, uint32_t ct);
void alg_attach_as(struct masq_engine *e, uint32_t ct, uint8_t want);
void alg_release(struct masq_engine *e, uint32_t ct);
bool alg_keeps(const struct masq_engine *e, uint32_t ct);
struct alg_conn *alg_conn_find(const struct masq_engine *e, uint32_t ct);
const struct alg_conn *alg_conn_of(const struct masq_engine *e, uint32_t ct);
const char *alg_name(enum alg_id id);
uint32_t alg_before_track(struct masq_engine *e, struct pkt *p, uint32_t ct,
			  enum ct_dir dir);
void alg_after_track(struct masq_engine *e, struct pkt *p, uint32_t ct,
		     enum ct_dir dir, uint32_t expected);
void alg_refuse(struct alg_msg *m, int counter, const char *why);
int alg_ctl(struct masq_engine *e, int argc, char *const *argv,
	    struct masq_text *out);

/* seqadj.c */
void seqadj_ack_in(struct pkt *p, const struct alg_conn *ac, enum ct_dir dir);
void seqadj_seq_out(struct pkt *p, const struct alg_conn *ac,
		    enum ct_dir dir);
int alg_mangle(struct alg_msg *m, uint32_t off, uint32_t len,
	       const char *repl, uint32_t rlen);

/* expect.c */
int alg_expect(struct alg_msg *m, uint32_t peer, uint32_t ext,
	       uint32_t to_addr, uint16_t to_port, uint16_t *port);
struct alg_expect *alg_expect_find(struct masq_engine *e, uint8_t proto,
				   uint32_t src, uint32_t dst, uint16_t dport);
void alg_expect_drop(struct masq_engine *e, uint32_t i, bool keep_map);
void alg_expect_advance(struct masq_engine *e);
int alg_expect_restore(struct masq_engine *e, const struct alg_expect *x);
uint32_t alg_expect_list(const struct masq_engine *e, struct masq_text *out);
void alg_child(struct masq_engine *e, const struct alg_expect *x,
	       const struct ct_tuple *orig);
int alg_watch(struct alg_msg *m, uint32_t client, uint32_t server,
	      uint16_t port);
void alg_watch_seen(struct masq_engine *e, uint8_t proto,
		    const struct ct_tuple *orig);

/* the helpers */
void ftp_help(struct alg_msg *m);
void irc_help(struct alg_msg *m);
void tftp_help(struct alg_msg *m);

#endif
