/* SPDX-License-Identifier: MIT */
/*
 * conn.h - the steps of conn.c that host.c shares
 *
 * A connection with one end at the router host (its twin) is made and
 * moved by the same steps as a forwarded one: a plan (both tuples and
 * the references it takes), the counts, a commit, the state machine.
 * host.c decides where its packets go; conn.c keeps how a connection
 * is made. Nothing here is on the short path of an established packet.
 */
#ifndef MASQ_CONN_H
#define MASQ_CONN_H

#include "eng.h"
#include "fwd.h"

struct conn_plan {
	struct ct_tuple t[2];
	uint64_t hash[2];	/* of t[], where the walk has it already; or 0 */
	uint8_t flags;		/* CT_F_MAP */
	uint8_t xflags;		/* CT_X_* */
	uint32_t map;		/* source mapping referenced, or NAT_NONE */
	struct fwd_turn turn;	/* a forward's: taken at the commit */
	uint32_t mark;		/* the connection's mark (CONNMARK) */
	uint8_t aux;		/* CT_A_* */
};

/* Does a packet of @ce going way @dir end at the router host? */
static inline bool conn_ends_at_host(const struct ct_entry *ce, enum ct_dir dir)
{
	return ce->xflags & (dir == CT_ORIG ? CT_X_TO_HOST : CT_X_FROM_HOST);
}

/* Did a packet of @ce going way @dir start at the router host? */
static inline bool conn_starts_at_host(const struct ct_entry *ce,
				       enum ct_dir dir)
{
	return ce->xflags & (dir == CT_ORIG ? CT_X_FROM_HOST : CT_X_TO_HOST);
}

/* The remote source an inbound connection's half-open count is kept for */
static inline uint32_t conn_remote(const struct ct_tuple *t, uint8_t xflags)
{
	return xflags & CT_X_INBOUND ? t[CT_ORIG].dst : t[CT_ORIG].src;
}

/* plan.c: where a new connection goes */
void plan_init(struct conn_plan *pl, const struct ct_tuple *t);
void plan_dnat(struct conn_plan *pl, const struct pkt *p, uint32_t dst,
	       uint16_t dport);
enum masq_counter plan_masq_source(struct masq_engine *e, const struct pkt *p,
				   struct conn_plan *pl, uint32_t ext,
				   const struct nat_want *w);
enum masq_counter plan_snat(struct masq_engine *e, const struct pkt *p,
			    struct conn_plan *pl, const struct ipt_target *t,
			    int out, bool host);
enum masq_counter plan_take_counts(struct masq_engine *e, const struct pkt *p,
				   struct conn_plan *pl, enum ct_dir dir);
bool plan_dnat_target(const struct masq_engine *e, const struct pkt *p,
		      const struct ipt_target *t, uint32_t *addr,
		      uint16_t *port);
bool plan_forward(struct masq_engine *e, const struct pkt *p,
		  struct fw_pkt *fp, uint32_t *addr, uint16_t *port,
		  struct fwd_turn *turn);
bool plan_evict_oldest(struct masq_engine *e);

/*
 * What plan_inbound() and plan_hairpin() did with a packet: not theirs
 * to decide, a plan for conn.c to open (@way), or taken (dropped and
 * counted)
 */
enum plan_verdict { PLAN_NOT_MINE, PLAN_OPEN, PLAN_TAKEN };

struct plan_way {
	struct conn_plan pl;
	enum ct_dir dir;		/* the way the first packet goes */
	const struct route *r;		/* ... and its route */
};

enum plan_verdict plan_inbound(struct masq_engine *e, struct pkt *p,
			       const struct ct_tuple *t, uint64_t hash,
			       struct fw_pkt *fp, struct plan_way *way);
enum plan_verdict plan_expected(struct masq_engine *e, struct pkt *p,
				const struct ct_tuple *t, uint64_t hash,
				struct fw_pkt *fp, struct plan_way *way);
enum plan_verdict plan_hairpin(struct masq_engine *e, struct pkt *p,
			       const struct ct_tuple *t, uint64_t hash,
			       struct fw_pkt *fp, struct plan_way *way);

/* conn.c */
void conn_put_refs(struct masq_engine *e, uint8_t proto,
		   const struct ct_tuple *t, uint8_t flags, uint8_t xflags);
uint32_t conn_commit(struct masq_engine *e, struct pkt *p, struct conn_plan *pl);
enum masq_counter conn_update(struct masq_engine *e, uint32_t idx,
			      enum ct_dir dir, const struct pkt *p);
bool conn_may_open(const struct masq_engine *e, const struct pkt *p,
		   bool from_inside, enum masq_counter *why);
void conn_invalid(struct masq_engine *e, struct pkt *p, enum masq_counter why);
bool conn_spoofed(struct masq_engine *e, struct pkt *p);
bool conn_may_forward(struct masq_engine *e, struct pkt *p,
		      const struct route *r);
void conn_fw_refuse(struct masq_engine *e, struct fw_pkt *fp);
void conn_no_room(struct masq_engine *e, struct pkt *p, enum masq_counter why);
struct fw_pkt;
void conn_fw_leaving(struct fw_pkt *fp, const struct ct_entry *ce,
		     enum ct_dir dir);
uint8_t conn_fw_state_for(const struct masq_engine *e,
			  const struct ct_entry *ce, enum ct_dir dir);

#endif
