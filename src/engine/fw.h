/* SPDX-License-Identifier: MIT */
/*
 * fw.h - the packet filter: a published iptables ruleset, compiled
 *
 * The engine holds one ruleset (src/ipt: tables, chains, rules and their
 * counters) and its compiled form, struct fw: every rule's addresses in
 * network order, its interface names resolved to a bit per engine
 * interface, its jumps to chain indices, and per chain an optional
 * classifier (cls.c) that finds the first rule that can match without
 * looking at the others. A change builds a new ruleset and a new struct
 * fw off the packet path and publishes both at once (fw_publish()):
 * packets see the old ones or the new ones, never half of each.
 *
 * The walk (fw.c) follows netfilter: at each hook the tables in their
 * priority order (mangle, nat, filter), the nat table for the first packet
 * of a connection only. What it returns is a struct fw_verdict; the
 * caller (conn.c, the packet's owner) acts on it.
 */
#ifndef MASQ_FW_H
#define MASQ_FW_H

#include <stdbool.h>
#include <stdint.h>

#include "cls.h"
#include "ct.h"
#include "ipt/ipt.h"
#include "pkt.h"

#define FW_NO_IF	31		/* interface bit: "no interface" */
#define FW_MAX_DEPTH	64		/* nested jumps followed at most */

struct masq_engine;
struct pkt;
struct recent_list;
struct recent_reg;

/*
 * A rule as the walk reads it: one cache line with everything most rules
 * test (addresses, interfaces, protocol, one state match, one port
 * match); what else a rule has is read from its struct ipt_rule.
 */
struct fw_rule {
	uint32_t src, smsk, dst, dmsk;	/* network order */
	uint32_t in_ifs, out_ifs;	/* bit i: interface i matches */
	uint32_t chain;			/* JUMP/GOTO: chain index */
	uint8_t proto;			/* 0: any */
	uint8_t inv;			/* IPT_INV_SRC, _DST, _PROTO */
	uint8_t kind;			/* the target's enum ipt_target_kind */
	uint8_t flags;			/* FR_* */
	uint8_t st_mask;		/* FR_STATE: states that match */
	uint8_t syn_mask;		/* FR_LEGACY -y: of SYN, ACK, FIN the
					 * flags tested (SYN must be the one
					 * set): the language's meaning */
	uint16_t sp_lo, sp_hi, dp_lo, dp_hi;	/* FR_PORTS, host order */
	struct ipt_rule *r;		/* matches, target, counters */
	uint64_t lim_credit;		/* -m limit: credit, 1/10000 s */
	uint64_t lim_last_ns;
	struct hl_table **hl;		/* per match of r->m[]: the table a
					 * hashlimit names, or NULL; NULL when
					 * the rule has none (fw_compile()) */
	struct recent_list **recent;	/* -m recent: its lists, one per
					 * recent match in order (recent.h) */
};

#define FR_NEVER	0x01	/* matches nothing (! -p all, -f) */
#define FR_STATE	0x02	/* a state or conntrack match: st_mask */
#define FR_PORTS	0x04	/* a tcp/udp port match: sp_*, dp_* */
#define FR_SLOW		0x08	/* other matches: walk r->m[] */
#define FR_LEGACY	0x10	/* an ipchains/ipfwadm rule's own tests:
				 * fw2_rule_matches() */
#define FR_CLWANT	0x40	/* its connlimit masks are counted
				 * (fw_rule_state()) */
#define FR_LGACT	0x20	/* it logs, marks or sets the TOS on a
				 * match: fw2_rule_acts() */

/*
 * The classifier's dimensions: what a packet's key holds (fw.c). Chains
 * of FW_CLS_MIN rules or more get one; their first FW_CLS_LINEAR rules
 * are still tested one by one (an ESTABLISHED accept at the top stops
 * most packets sooner than a lookup would).
 */
enum fw_dim { FW_DIM_PROTO, FW_DIM_SRC, FW_DIM_DST, FW_DIM_IN, FW_DIM_OUT,
	      FW_DIM_STATE, FW_DIM_SPORT, FW_DIM_DPORT, FW_CLS_DIMS };
#define FW_CLS_MIN	16
#define FW_CLS_LINEAR	4

struct fw_chain {
	struct ipt_chain *ic;		/* policy, policy counters */
	uint32_t first, n;		/* its rules in fw.rules[] */
	bool pure;			/* it and what it jumps to: a hook
					 * memo may stand for its walk */
	bool has_cls;
	struct cls cls;			/* has_cls: rules FW_CLS_LINEAR.. */
};

/*
 * What a hook walks, in table order: built-in chains, each either walked
 * or, when it has no rule and an ACCEPT policy, only counted.
 */
struct fw_plan {
	uint8_t n;
	bool memo;			/* every chain pure: walks remembered */
	uint8_t walk[IPT_TABLES];	/* 1: walk the chain, 0: count it */
	uint8_t is_nat[IPT_TABLES];
	uint32_t chain[IPT_TABLES];
};

/*
 * A forwarded packet's whole walk (PREROUTING, FORWARD, POSTROUTING, no
 * nat) when its state alone decides it: every chain on the way either
 * empty with an ACCEPT policy or opening with a rule that tests nothing
 * but the state and ACCEPTs (the "-m state --state ESTABLISHED,RELATED
 * -j ACCEPT" every ruleset starts FORWARD with). Then the walk is only
 * its counters: @ok, and the @n counter pairs to move.
 */
#define FW_FAST_MAX	8
#define FW_STATES	128		/* enum ipt_state_bit combinations */

struct fw_fast {
	bool ok;
	uint8_t n;
	struct {
		uint64_t *pkts, *bytes;
	} c[FW_FAST_MAX];
};

/*
 * What state-decided walks owe their counters: packets and bytes per
 * state, added to the @n counter pairs once per batch (fw_fast_flush()),
 * not per packet. The engine flushes before it returns from a call, so
 * no reader (iptables-save, a swap of the ruleset) ever sees a debt.
 */
struct fw_fast_pend {
	uint64_t mask[FW_STATES / 64];	/* states with something owed */
	struct {
		uint64_t pkts, bytes;
	} st[FW_STATES];
};

/* A state-decided walk: count it for the next flush */
static inline void fw_fast_count(struct fw_fast_pend *pd, uint8_t st,
				 uint64_t pkts, uint64_t bytes)
{
	pd->mask[st / 64] |= 1ull << (st % 64);
	pd->st[st].pkts += pkts;
	pd->st[st].bytes += bytes;
}

struct fw;
void fw_fast_flush(const struct fw *fw, struct fw_fast_pend *pd);

/*
 * The hook memo: a hook's walk remembered, per engine. When every chain
 * a hook's walk can reach is pure (its rules test nothing but the
 * interfaces, the state and the protocol, and their targets act on
 * nothing else: no LOG, MARK, TCPMSS, limit, address or port), the
 * walk's outcome and the counters it moves are a function of (hook,
 * first packet, in, out, state, protocol): the key. The first walk with
 * a key is recorded (the counters it moves, at most FW_MEMO_MAX pairs);
 * the next ones replay it. A memo holds for the struct fw it was made
 * under (its @gen) and no other, so a new ruleset starts afresh. This is
 * what every new connection's walk is under the default ruleset.
 */
#define FW_MEMO_MAX	8	/* counter pairs a remembered walk moves */
#define FW_MEMO_SLOTS_LOG2 6
#define FW_MEMO_SLOTS	(1u << FW_MEMO_SLOTS_LOG2)	/* direct-mapped,
							 * by the key's hash */

struct fw_memo {
	uint64_t gen;			/* struct fw's @gen; 0: empty */
	uint32_t key;
	uint8_t action;			/* enum fw_action */
	uint8_t reject_with;
	uint8_t n;
	bool bad;			/* recording: more than FW_MEMO_MAX */
	const struct ipt_target *nat;
	struct {
		uint64_t *pkts, *bytes;
	} c[FW_MEMO_MAX];
};

struct fw {
	uint64_t gen;			/* this compile's number, from 1 */
	struct ipt_ruleset *rs;
	struct fw_rule *rules;
	struct fw_chain *chains;
	uint32_t nrules, nchains;
	int32_t hook[IPT_TABLES][IPT_HOOKS];	/* chain index, or -1 */
	struct fw_plan plan[IPT_HOOKS][2];	/* [hook][first packet] */
	struct fw_fast fwd_fast[FW_STATES];	/* by the packet's state */
	bool busy[IPT_HOOKS];		/* some table but raw has a rule here */
	int32_t raw[IPT_HOOKS];		/* raw's chain, walked before tracking
					 * (fwt_ct.c) when the table is loaded;
					 * -1: not */
	bool raw_tcp_helper;		/* raw has a CT --helper ftp or irc:
					 * walk.c passes segments round */
	uint8_t lang;			/* the ruleset's enum ipt_lang */
	int32_t lg_chain[4];		/* ipchains, ipfwadm: enum fw2_chain's
					 * chain indices, or -1 */
	struct recent_reg *recent_reg;	/* -m recent: the registry held, */
	struct recent_list **recent;	/* ... the lists its rules name */
	uint32_t nrecent;		/* (a reference each) */
};

/* The chains the 2.x traversal walks (fw2.c) */
enum fw2_chain { FW2_INPUT, FW2_FORWARD, FW2_OUTPUT, FW2_ACCT };

/* What a walk decided */
enum fw_action {
	FW_ACCEPT,
	FW_DROP,
	FW_REJECT,		/* answer with @reject_with, then drop */
	FW_NAT,			/* nat table: translate by @nat */
};

/*
 * A packet as the filter sees it, and what the walk decided for it. The
 * addresses and ports are the packet's as netfilter would show them at
 * the hook (network order): after the destination's translation, before
 * the source's, whatever the frame holds yet.
 */
struct fw_pkt {
	struct pkt *p;
	uint32_t saddr, daddr;
	uint16_t sport, dport;
	uint8_t in, out;		/* interface index, or FW_NO_IF */
	uint8_t state;			/* enum ipt_state_bit, DNAT/SNAT or'ed */
	uint32_t mark;
	/*
	 * Its connection, as -m conntrack, -m connmark and CONNMARK see it
	 * (fwm_conntrack.c): a known connection's entry and the way the
	 * packet goes, or CT_NONE on a first packet (the tuples are then
	 * the ones planned so far: the packet's, its destination as
	 * translated); @ctmark is the connection's mark, the entry's or,
	 * on a first packet, the plan's (conn_open() commits it).
	 */
	uint32_t ct_idx;
	uint8_t ct_dir;			/* enum ct_dir of the entry */
	bool expected;			/* first packet of an expected one */
	uint32_t ctmark;
	uint32_t xsaddr;		/* the source the packet leaves with */
	uint16_t xsport;		/* (after its translation), network order */
	bool demasq;			/* its destination is translated back or
					 * forwarded: the 2.x traversal skips
					 * the forward chain */
	bool left;			/* 2.x: the output chain has been
					 * walked for it */
	struct fw_memo *rec;		/* recording a hook memo, or NULL */
	uint8_t hook;			/* enum ipt_hook being walked */
	bool first;			/* no connection yet: the packet would
					 * open one (fw_run_hook()'s @first) */
	/* results */
	bool notrack;			/* raw: NOTRACK, CT --notrack */
	bool ct_done;			/* raw: a CT or NOTRACK has acted */
	uint8_t helper;			/* raw: CT --helper's enum alg_id */
	uint8_t action;			/* enum fw_action */
	uint8_t reject_with;		/* enum ipt_reject_with */
	const struct ipt_target *nat;	/* FW_NAT: the target */
};

/* fw.c */
struct fw *fw_compile(struct masq_engine *e, struct ipt_ruleset *rs,
		      struct ipt_err *err);
void fw_free(struct fw *fw);
void fw_walk_chain(struct masq_engine *e, struct fw *fw, uint32_t ci,
		   struct fw_pkt *fp);
bool fw_rule_matches(struct masq_engine *e, struct fw_rule *fr,
		     const struct fw_pkt *fp);

static inline void fw_count(uint64_t *pkts, uint64_t *bytes,
			    const struct fw_pkt *fp)
{
	struct fw_memo *m = fp->rec;

	ipt_ctr_add(pkts, pkt_wire_pkts(fp->p));
	ipt_ctr_add(bytes, pkt_wire_bytes(fp->p));
	if (!m)
		return;
	if (m->n == FW_MEMO_MAX) {
		m->bad = true;
		return;
	}
	m->c[m->n].pkts = pkts;
	m->c[m->n++].bytes = bytes;
}

void fw_run_hook(struct masq_engine *e, struct fw *fw, enum ipt_hook hook,
		 bool first, struct fw_pkt *fp);
void fw_mss_clamp(struct masq_engine *e, struct fw_pkt *fp, uint16_t mss);

/* fwm_ports.c: the ports of protocols tracked by address */
#define FWM_IPPROTO_SCTP	132
#define FWM_IPPROTO_DCCP	33
#define FWM_IPPROTO_UDPLITE	136
bool fwm_header_ports(const struct pkt *p, uint16_t *sp, uint16_t *dp);
bool fwm_ports(const struct fw_pkt *fp, uint16_t *sp, uint16_t *dp);
bool fwm_sctp_dccp_match(const struct ipt_match *m, const struct fw_pkt *fp);

/* Would a walk at @hook do anything but ACCEPT and count a policy? */
static inline bool fw_busy(const struct fw *fw, enum ipt_hook hook)
{
	return fw && fw->busy[hook];
}

/* Describe packet @p, as it is, for a walk (@in/@out: FW_NO_IF for none) */
static inline void fw_pkt_init(struct fw_pkt *fp, struct pkt *p, uint8_t in,
			       uint8_t out, uint8_t state)
{
	bool ports = p->proto != 1;	/* ICMP's "ports" are an echo id */

	fp->p = p;
	fp->saddr = p->ip->saddr;
	fp->daddr = p->ip->daddr;
	fp->sport = ports ? p->sport : 0;
	fp->dport = ports ? p->dport : 0;
	fp->in = in;
	fp->out = out;
	fp->state = state;
	fp->mark = 0;
	fp->ct_idx = CT_NONE;
	fp->ct_dir = CT_ORIG;
	fp->expected = false;
	fp->ctmark = 0;
	fp->xsaddr = fp->saddr;
	fp->xsport = fp->sport;
	fp->demasq = false;
	fp->left = false;
	fp->rec = NULL;
	fp->hook = IPT_PREROUTING;	/* fw_run_hook() says which */
	fp->first = false;
	fp->notrack = false;
	fp->ct_done = false;
	fp->helper = 0;
	fp->action = 0;
	fp->reject_with = 0;
	fp->nat = NULL;
}

/*
 * The filter's view after a translation of the destination to @addr:@port
 * (DNAT, REDIRECT, a forward): conntrack state DNAT from here on
 */
static inline void fw_pkt_dnat(struct fw_pkt *fp, uint32_t addr, uint16_t port)
{
	fp->daddr = addr;
	if (fp->p->has_ports && fp->p->proto != 1)
		fp->dport = port;
	fp->state |= IPT_ST_DNAT;
	fp->demasq = true;
}

/*
 * The forward path takes a forwarded packet's TTL down by one after its
 * walk (xlate.h), where the kernel's ip_forward() does so before FORWARD:
 * what the kernel's FORWARD and POSTROUTING would see is one less than
 * the header holds. -m ttl and -j TTL read and write through this.
 */
static inline unsigned fw_pkt_ttl_owed(const struct fw_pkt *fp)
{
	return (fp->hook == IPT_FORWARD || fp->hook == IPT_POSTROUTING) &&
	       fp->in != FW_NO_IF && fp->out != FW_NO_IF && fp->p->ip->ttl;
}

/* fwm_*.c, fwt_*.c: the extensions' halves on the packet path */
bool fwm_addrtype(const struct masq_engine *e, const struct ipt_match *m,
		  const struct fw_pkt *fp);
bool fwm_iprange(const struct ipt_match *m, const struct fw_pkt *fp);
bool fwm_pkttype(const struct masq_engine *e, const struct ipt_match *m,
		 const struct fw_pkt *fp);
bool fwm_length(const struct ipt_match *m, const struct fw_pkt *fp);
bool fwm_tos(const struct ipt_match *m, const struct fw_pkt *fp);
bool fwm_ttl(const struct ipt_match *m, const struct fw_pkt *fp);
void fwt_tos(const struct ipt_target *t, struct fw_pkt *fp);
void fwt_ttl(const struct ipt_target *t, struct fw_pkt *fp);
/* fwm_recent.c */
bool fwm_recent(struct masq_engine *e, const struct fw_rule *fr,
		const struct ipt_match *m, const struct fw_pkt *fp);

/* fwt_ct.c: the raw table, before tracking; CT and NOTRACK */
void fwt_ct(const struct ipt_target *t, struct fw_pkt *fp);
bool fwt_ct_tcp_helper(const struct ipt_target *t);
bool fwt_raw_walk(struct masq_engine *e, struct pkt *p, enum ipt_hook hook,
		  uint8_t in, struct fw_pkt *fp);
void fwt_untracked_input(struct masq_engine *e, struct pkt *p);

/* Is the raw table walked at @hook (loaded, iptables language)? */
static inline bool fw_raw_at(const struct fw *fw, enum ipt_hook hook)
{
	return fw && fw->raw[hook] >= 0;
}
/* fwm_conntrack.c, fwm_connmark.c, fwt_CONNMARK.c: the connection's say */
void fw_pkt_conn(const struct masq_engine *e, struct fw_pkt *fp,
		 uint32_t idx, enum ct_dir dir);
bool fwm_conntrack_matches(const struct masq_engine *e,
			   const struct ipt_match *m, const struct fw_pkt *fp);
bool fwm_connmark_matches(const struct masq_engine *e,
			  const struct ipt_match *m, const struct fw_pkt *fp);
bool fw_pkt_has_conn(const struct fw_pkt *fp);
void fwt_connmark(struct masq_engine *e, const struct ipt_target *t,
		  struct fw_pkt *fp);

/* fw2.c: the 2.0 and 2.2 traversal (ipfwadm, ipchains rulesets) */
void fw2_compile_rule(const struct masq_engine *e, struct fw_rule *fr,
		      uint8_t lang);
void fw2_compile(struct fw *fw);
bool fw2_rule_matches(const struct fw_rule *fr, const struct fw_pkt *fp);
void fw2_rule_acts(struct masq_engine *e, const struct fw *fw, uint32_t ci,
		   uint32_t ri, struct fw_pkt *fp);
void fw2_run_hook(struct masq_engine *e, struct fw *fw, enum ipt_hook hook,
		  bool first, struct fw_pkt *fp);

/* fwm_hashlimit.c, fwm_connlimit.c: matches that keep state */
struct hl_table;
struct hl_table *fwm_hashlimit_get(const char *name,
				   const struct ipt_match *m);
void fwm_hashlimit_put(struct hl_table *t);
bool fwm_hashlimit(struct masq_engine *e, struct hl_table *t,
		   const struct ipt_match *m, const struct fw_pkt *fp);
int fwm_connlimit_want(struct masq_engine *e, const struct ipt_match *m);
void fwm_connlimit_unwant(const struct ipt_match *m);
void fwm_connlimit_fini(struct masq_engine *e);
void fwm_connlimit_on_new(struct masq_engine *e, uint32_t idx);
void fwm_connlimit_on_end(struct masq_engine *e, uint32_t idx);
bool fwm_connlimit(struct masq_engine *e, const struct ipt_match *m,
		   const struct fw_pkt *fp);

/* fwctl.c */
int fw_init(struct masq_engine *e);
void fw_fini(struct masq_engine *e);
int fw_recompile(struct masq_engine *e);
void fw_default_rules(struct masq_engine *e);
void fw_reset_rules(struct masq_engine *e);
struct masq_text;
int fw_ctl(struct masq_engine *e, int argc, char *const *argv,
	   struct masq_text *out);

#endif
