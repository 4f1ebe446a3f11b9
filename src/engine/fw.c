// SPDX-License-Identifier: MIT
/*
 * fw.c - the packet filter's walk: chains, matches, targets, counters
 *
 * Theory of operation: fw_compile() turns a ruleset (src/ipt) into a
 * struct fw once, off the packet path: one array of rules for all chains,
 * chains as ranges of it, jumps as chain indices, interface names as a
 * bit per engine interface, addresses in network order. fw_run_hook()
 * walks the tables of one hook in netfilter's order for a packet the
 * caller describes (struct fw_pkt: interfaces, connection state, mark)
 * and leaves the decision in it. Matching and terminal rules count their
 * packets and bytes (the IP total length, as netfilter counts), policies
 * theirs, with ipt_ctr_add(): relaxed atomics, since a ruleset job's
 * worker may be copying the same counters (ipt.h).
 *
 * Targets that do not end the walk act as they go: LOG writes a line
 * through the caller's log function (the kernel's format: IN= OUT= MAC=
 * SRC= DST= LEN= TOS= PREC= TTL= ID= PROTO= SPT= DPT=), MARK changes the
 * packet's mark, TCPMSS lowers a SYN's MSS option, TOS and TTL rewrite
 * their IP header byte (fwt_header.c). A jump pushes the
 * chain it left on a fixed stack (FW_MAX_DEPTH; the ruleset has no loops,
 * ipt_exec() refuses them, so the depth is bounded by the user chains).
 *
 * Complexity: a walk is linear in the rules it looks at; rules test
 * their cheapest fields (interfaces, protocol, addresses) first.
 * Known limits: -m limit keeps its credit per compiled rule, so a ruleset
 * change refills it; packets reach the filter whole (reassembled), so
 * -f never matches and ! -f always does.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "eng.h"
#include "fw.h"
#include "recent.h"

/* ---- compile ------------------------------------------------------------- */

/* The interfaces a rule's -i/-o admits, as a bit per engine interface */
static uint32_t fw_iface_bits(const struct masq_engine *e, const char *pat,
			      bool inv)
{
	uint32_t bits = 0;

	for (int i = 0; i < e->net.nifs; i++)
		if (ipt_ifname_matches(pat, e->net.ifs[i].name))
			bits |= 1u << i;
	if (!*pat || !strcmp(pat, "+"))
		bits = ~0u;		/* any interface, or none */
	return inv ? ~bits : bits;
}

/*
 * The matches the walk tests from struct fw_rule itself: one plain state
 * match, one tcp/udp match of ports only. Anything else (or more of
 * them) makes the rule FR_SLOW: every match is tested from the rule.
 */
static void fw_compile_matches(struct fw_rule *fr, const struct ipt_rule *r)
{
	bool state = false, ports = false;

	fr->flags = 0;
	fr->sp_lo = fr->dp_lo = 0;
	fr->sp_hi = fr->dp_hi = 0xffff;
	if ((r->proto == 0 && (r->inv & IPT_INV_PROTO)) ||
	    (r->frag && !(r->inv & IPT_INV_FRAG)))
		fr->flags |= FR_NEVER;	/* ! -p all; -f: reassembled, never */
	for (unsigned i = 0; i < r->nmatch; i++) {
		const struct ipt_match *m = &r->m[i];

		if (m->kind == IPT_M_STATE && !m->inv && !state) {
			state = true;
			fr->flags |= FR_STATE;
			fr->st_mask = m->u.state.mask;
		} else if (m->kind == IPT_M_CONNTRACK && !m->inv && !state &&
			   m->set == IPT_CT_STATE) {
			state = true;	/* --ctstate alone: a state match */
			fr->flags |= FR_STATE;
			fr->st_mask = m->u.ct.state;
		} else if ((m->kind == IPT_M_TCP || m->kind == IPT_M_UDP) &&
			   !m->inv && !ports &&
			   !(m->set & (IPT_F_TCPFLAGS | IPT_F_TCPOPT)) &&
			   !(r->inv & IPT_INV_PROTO) &&
			   r->proto == (m->kind == IPT_M_TCP ? 6 : 17)) {
			ports = true;
			fr->flags |= FR_PORTS;
			if (m->set & IPT_F_SPORT) {
				fr->sp_lo = m->u.l4.sport.lo;
				fr->sp_hi = m->u.l4.sport.hi;
			}
			if (m->set & IPT_F_DPORT) {
				fr->dp_lo = m->u.l4.dport.lo;
				fr->dp_hi = m->u.l4.dport.hi;
			}
		} else if (m->kind != IPT_M_COMMENT) {
			fr->flags |= FR_SLOW;
		}
	}
}

/*
 * The state a rule's matches keep outside it: the tables its hashlimit
 * matches name (shared by the process, fwm_hashlimit.c) and the masks
 * its connlimit matches count (fwm_connlimit.c). Taken here, at compile
 * time; given back by fw_rule_state_free().
 */
static int fw_rule_state(struct masq_engine *e, struct fw_rule *fr)
{
	const struct ipt_rule *r = fr->r;

	for (unsigned i = 0; i < r->nmatch; i++) {
		const struct ipt_match *m = &r->m[i];

		if (m->kind == IPT_M_CONNLIMIT) {
			if (fwm_connlimit_want(e, m))
				return -1;
			fr->flags |= FR_CLWANT;
		}
		if (m->kind != IPT_M_HASHLIMIT)
			continue;
		if (!fr->hl)
			fr->hl = calloc(IPT_MAX_MATCHES, sizeof(*fr->hl));
		if (!fr->hl)
			return -1;
		fr->hl[i] = fwm_hashlimit_get(
			r->comments[m->u.hl.name < IPT_MAX_COMMENTS ?
				    m->u.hl.name : 0], m);
		if (!fr->hl[i])
			return -1;
	}
	return 0;
}

static void fw_rule_state_free(struct fw_rule *fr)
{
	const struct ipt_rule *r = fr->r;

	for (unsigned i = 0; r && i < r->nmatch; i++) {
		if (fr->hl)
			fwm_hashlimit_put(fr->hl[i]);
		if (r->m[i].kind == IPT_M_CONNLIMIT && (fr->flags & FR_CLWANT))
			fwm_connlimit_unwant(&r->m[i]);
	}
	free(fr->hl);
	fr->hl = NULL;
}

static uint32_t fw_count_rules(const struct ipt_ruleset *rs, uint32_t *nch)
{
	uint32_t n = 0;

	*nch = 0;
	for (int t = 0; t < IPT_TABLES; t++) {
		*nch += rs->t[t].nchains;
		for (uint32_t c = 0; c < rs->t[t].nchains; c++)
			n += rs->t[t].chains[c].nrules;
	}
	return n;
}

static void fw_compile_rule(const struct masq_engine *e, struct fw_rule *fr,
			    struct ipt_rule *r, uint32_t table_base,
			    struct ipt_table *t, uint8_t lang)
{
	fr->r = r;
	fr->src = htonl(r->src & r->smsk);
	fr->smsk = htonl(r->smsk);
	fr->dst = htonl(r->dst & r->dmsk);
	fr->dmsk = htonl(r->dmsk);
	fr->in_ifs = fw_iface_bits(e, r->in, r->inv & IPT_INV_IN);
	fr->out_ifs = fw_iface_bits(e, r->out, r->inv & IPT_INV_OUT);
	fr->proto = r->proto;
	fr->inv = r->inv & (IPT_INV_SRC | IPT_INV_DST | IPT_INV_PROTO);
	fr->kind = r->t.kind;
	fr->chain = 0;
	fw_compile_matches(fr, r);
	if (lang != IPT_LANG_IPTABLES)
		fw2_compile_rule(e, fr, lang);
	if (r->t.kind == IPT_T_JUMP || r->t.kind == IPT_T_GOTO) {
		for (uint32_t c = 0; c < t->nchains; c++)
			if (!strcmp(t->chains[c].name, r->t.chain))
				fr->chain = table_base + c;
	}
}

/* ---- the classifier's view of a rule (cls.c) ---------------------------- */

struct fw_cls_ctx {
	const struct fw_rule *rules;	/* the chain's */
};

/*
 * Interval list of the values v < @nv for which @in(v, @arg) holds. The
 * count is the same whatever @max is (cls.c asks again with more room).
 */
static int values_intervals(uint32_t nv, bool (*in)(uint32_t, uint32_t),
			    uint32_t arg, struct cls_interval *out,
			    unsigned max)
{
	unsigned n = 0;
	bool prev = false;	/* v - 1 was in: v extends the last interval */

	for (uint32_t v = 0; v < nv; prev = in(v, arg), v++) {
		if (!in(v, arg))
			continue;
		if (prev) {
			if (n <= max)
				out[n - 1].hi = v;
			continue;
		}
		if (n < max)
			out[n] = (struct cls_interval){ v, v };
		n++;
	}
	return (int)n;
}

static bool bit_is_set(uint32_t v, uint32_t bits)
{
	return bits & (1u << v);
}

static bool state_shares_bit(uint32_t v, uint32_t mask)
{
	return v & mask;
}

/* Interval list of the bits set in @bits (values 0..31) */
static int bits_intervals(uint32_t bits, struct cls_interval *out,
			  unsigned max)
{
	return values_intervals(32, bit_is_set, bits, out, max);
}

/*
 * The packet states (0..FW_STATES - 1: a connection state with SNAT and
 * DNAT or'ed in) that share a bit with @mask, as intervals. Every value
 * counts: an ESTABLISHED packet of a masqueraded connection is 0x22.
 */
static int states_intervals(uint8_t mask, struct cls_interval *out,
			    unsigned max)
{
	return values_intervals(FW_STATES, state_shares_bit, mask, out, max);
}

static int one_interval(uint32_t lo, uint32_t hi, bool inv,
			struct cls_interval *out, unsigned max)
{
	struct cls_interval iv = { lo, hi };

	if (!inv) {
		if (max)
			out[0] = iv;
		return 1;
	}
	return cls_intervals_invert(&iv, 1, out, max);
}

/* Is @m (host order) a prefix mask? Then *len is its length */
static bool mask_is_prefix(uint32_t m, unsigned *len)
{
	unsigned l = (unsigned)__builtin_popcount(m);

	*len = l;
	return l == 0 || m == ~0u << (32 - l);
}

/*
 * The set of keys rule @rule admits in dimension @dim, for cls_build():
 * exact for the fields struct fw_rule holds, "any" for what only the slow
 * test knows (the walk tests every candidate whole, so the classifier
 * may admit more than the rule, never less).
 */
static int fw_cls_get(void *vctx, uint32_t rule, unsigned dim,
		      struct cls_interval *out, unsigned max)
{
	const struct fw_cls_ctx *ctx = vctx;
	const struct fw_rule *fr = &ctx->rules[rule];
	uint32_t a, m;
	unsigned len;

	switch (dim) {
	case FW_DIM_PROTO:
		if (fr->flags & FR_NEVER)
			return 0;
		if (!fr->proto)
			return one_interval(0, 255, false, out, max);
		return one_interval(fr->proto, fr->proto,
				    fr->inv & IPT_INV_PROTO, out, max);
	case FW_DIM_SRC:
	case FW_DIM_DST:
		a = ntohl(dim == FW_DIM_SRC ? fr->src : fr->dst);
		m = ntohl(dim == FW_DIM_SRC ? fr->smsk : fr->dmsk);
		if (!mask_is_prefix(m, &len))
			return one_interval(0, CLS_KEY_MAX, false, out, max);
		return one_interval(cls_prefix(a, len).lo, cls_prefix(a, len).hi,
				    fr->inv & (dim == FW_DIM_SRC ? IPT_INV_SRC :
								   IPT_INV_DST),
				    out, max);
	case FW_DIM_IN:
		return bits_intervals(fr->in_ifs, out, max);
	case FW_DIM_OUT:
		return bits_intervals(fr->out_ifs, out, max);
	case FW_DIM_STATE:
		if (!(fr->flags & FR_STATE))
			return one_interval(0, CLS_KEY_MAX, false, out, max);
		return states_intervals(fr->st_mask, out, max);
	case FW_DIM_SPORT:
	case FW_DIM_DPORT:
		if (!(fr->flags & FR_PORTS))
			return one_interval(0, CLS_KEY_MAX, false, out, max);
		return dim == FW_DIM_SPORT ?
		       one_interval(fr->sp_lo, fr->sp_hi, false, out, max) :
		       one_interval(fr->dp_lo, fr->dp_hi, false, out, max);
	default:
		return one_interval(0, CLS_KEY_MAX, false, out, max);
	}
}

/*
 * Give a long chain a classifier for its rules from FW_CLS_LINEAR on
 * (the first ones are cheaper to test one by one: most packets stop
 * there). Over the classifier's memory cap the chain is scanned.
 */
static void fw_chain_classify(struct fw *fw, struct fw_chain *fc)
{
	struct fw_cls_ctx ctx = { &fw->rules[fc->first] };

	fc->has_cls = false;
	if (fc->n < FW_CLS_MIN)
		return;
	if (!cls_build(&fc->cls, fc->n, FW_CLS_DIMS, fw_cls_get, &ctx, 0))
		fc->has_cls = true;
}

/*
 * Each hook's plan, in netfilter's table order (mangle, nat, filter); the
 * nat table only for first packets.
 */
static void fw_plan_hooks(struct fw *fw)
{
	static const uint8_t order[] = { IPT_MANGLE, IPT_NAT, IPT_FILTER };

	for (int h = 0; h < IPT_HOOKS; h++)
		for (int first = 0; first < 2; first++) {
			struct fw_plan *pl = &fw->plan[h][first];

			pl->n = 0;
			for (size_t i = 0; i < sizeof(order); i++) {
				int32_t ci = fw->hook[order[i]][h];
				const struct fw_chain *ch;

				if (ci < 0 || (order[i] == IPT_NAT && !first))
					continue;
				ch = &fw->chains[ci];
				pl->chain[pl->n] = (uint32_t)ci;
				pl->is_nat[pl->n] = order[i] == IPT_NAT;
				pl->walk[pl->n++] = ch->n ||
					ch->ic->policy != IPT_POL_ACCEPT;
			}
		}
}

/*
 * Does rule @fr test nothing a hook memo's key does not hold (the
 * interfaces, the state, the protocol), and does its target act on
 * nothing but the walk's outcome? (struct fw_memo)
 */
static bool fw_rule_is_pure(const struct fw_rule *fr)
{
	if (fr->smsk || fr->dmsk || (fr->inv & (IPT_INV_SRC | IPT_INV_DST)) ||
	    (fr->flags & (FR_PORTS | FR_SLOW)))
		return false;
	switch (fr->kind) {
	case IPT_T_NONE:
	case IPT_T_ACCEPT:
	case IPT_T_DROP:
	case IPT_T_RETURN:
	case IPT_T_JUMP:
	case IPT_T_GOTO:
	case IPT_T_REJECT:
	case IPT_T_MASQUERADE:
	case IPT_T_SNAT:
	case IPT_T_DNAT:
	case IPT_T_REDIRECT:
		return true;
	default:			/* LOG, MARK, TCPMSS, TOS, TTL */
		return false;
	}
}

/*
 * Mark the pure chains: every rule pure, and every chain jumped to pure
 * (a chain loses it when one it jumps to did, until nothing changes);
 * then a hook's plan takes memos when all its chains are pure.
 */
static void fw_plan_memo(struct fw *fw)
{
	bool changed = true;

	for (uint32_t c = 0; c < fw->nchains; c++) {
		struct fw_chain *ch = &fw->chains[c];

		ch->pure = true;
		for (uint32_t r = 0; r < ch->n && ch->pure; r++)
			ch->pure = fw_rule_is_pure(&fw->rules[ch->first + r]);
	}
	while (changed) {
		changed = false;
		for (uint32_t c = 0; c < fw->nchains; c++) {
			struct fw_chain *ch = &fw->chains[c];

			for (uint32_t r = 0; r < ch->n && ch->pure; r++) {
				const struct fw_rule *fr = &fw->rules[ch->first + r];

				if ((fr->kind == IPT_T_JUMP || fr->kind == IPT_T_GOTO) &&
				    !fw->chains[fr->chain].pure) {
					ch->pure = false;
					changed = true;
				}
			}
		}
	}
	for (int h = 0; h < IPT_HOOKS; h++)
		for (int first = 0; first < 2; first++) {
			struct fw_plan *pl = &fw->plan[h][first];

			pl->memo = true;
			for (unsigned i = 0; i < pl->n; i++)
				pl->memo &= fw->chains[pl->chain[i]].pure;
		}
}

/* A hook memo's key: all a pure walk's outcome depends on */
static uint32_t fw_memo_key(enum ipt_hook hook, bool first,
			    const struct fw_pkt *fp)
{
	return (uint32_t)hook | (uint32_t)first << 3 |
	       (uint32_t)(fp->in & 31) << 4 | (uint32_t)(fp->out & 31) << 9 |
	       (uint32_t)(fp->state & 127) << 16 |
	       (uint32_t)fp->p->proto << 23;
}
_Static_assert(IPT_HOOKS <= 8 && FW_NO_IF < 32 && MASQ_MAX_IFACES <= 32,
	       "fw_memo_key() packs hook, interfaces and state in these bits");

/* Replay memo @m for @fp: its counters move, its outcome is the walk's */
static void fw_memo_replay(const struct fw_memo *m, struct fw_pkt *fp)
{
	for (unsigned i = 0; i < m->n; i++) {
		ipt_ctr_add(m->c[i].pkts, pkt_wire_pkts(fp->p));
		ipt_ctr_add(m->c[i].bytes, pkt_wire_bytes(fp->p));
	}
	fp->action = m->action;
	if (m->action == FW_NAT)
		fp->nat = m->nat;
	else if (m->action == FW_REJECT)
		fp->reject_with = m->reject_with;
}

/* Does rule @fr test nothing but the state, and ACCEPT packets in @st? */
static bool fw_rule_accepts_state(const struct fw_rule *fr, uint8_t st)
{
	return fr->kind == IPT_T_ACCEPT && fr->flags == FR_STATE &&
	       (fr->st_mask & st) && !fr->smsk && !fr->dmsk && !fr->proto &&
	       fr->in_ifs == ~0u && fr->out_ifs == ~0u && !fr->inv;
}

/* struct fw_fast for a forwarded packet in state @st (no nat: not first) */
static void fw_fast_one(struct fw *fw, uint8_t st, struct fw_fast *f)
{
	static const uint8_t hooks[] = { IPT_PREROUTING, IPT_FORWARD,
					 IPT_POSTROUTING };

	f->ok = false;
	f->n = 0;
	for (size_t h = 0; h < sizeof(hooks); h++) {
		const struct fw_plan *pl = &fw->plan[hooks[h]][0];

		for (unsigned i = 0; i < pl->n; i++) {
			struct fw_chain *ch = &fw->chains[pl->chain[i]];
			uint64_t *pk = &ch->ic->pol_pkts, *by = &ch->ic->pol_bytes;

			if (pl->walk[i]) {
				struct fw_rule *fr = &fw->rules[ch->first];

				if (!ch->n || !fw_rule_accepts_state(fr, st))
					return;
				pk = &fr->r->pkts;
				by = &fr->r->bytes;
			}
			if (f->n == FW_FAST_MAX)
				return;
			f->c[f->n].pkts = pk;
			f->c[f->n++].bytes = by;
		}
	}
	f->ok = true;
}

/* Pay what state-decided walks owe to the counters of @fw's plans */
void fw_fast_flush(const struct fw *fw, struct fw_fast_pend *pd)
{
	for (unsigned w = 0; w < FW_STATES / 64; w++)
		while (pd->mask[w]) {
			unsigned st = w * 64 + (unsigned)__builtin_ctzll(pd->mask[w]);
			const struct fw_fast *f = &fw->fwd_fast[st];

			pd->mask[w] &= pd->mask[w] - 1;
			for (unsigned i = 0; i < f->n; i++) {
				ipt_ctr_add(f->c[i].pkts, pd->st[st].pkts);
				ipt_ctr_add(f->c[i].bytes, pd->st[st].bytes);
			}
			pd->st[st].pkts = 0;
			pd->st[st].bytes = 0;
		}
}

/* Recent matches in the ruleset (the lists fw_compile_recent() takes) */
static uint32_t fw_count_recent(const struct fw *fw)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < fw->nrules; i++)
		for (unsigned k = 0; k < fw->rules[i].r->nmatch; k++)
			n += fw->rules[i].r->m[k].kind == IPT_M_RECENT;
	return n;
}

/*
 * Each recent match's list from the engine's registry (made when no rule
 * named it yet: recent.c), a reference each, held until fw_free(); each
 * rule points at its first. Return: 0, or -1 (out of memory)
 */
static int fw_compile_recent(struct masq_engine *e, struct fw *fw)
{
	uint32_t n = fw_count_recent(fw), at = 0;

	if (!n)
		return 0;
	fw->recent = calloc(n, sizeof(*fw->recent));
	if (!fw->recent)
		return -1;
	fw->recent_reg = e->recent;
	recent_reg_hold(e->recent);
	for (uint32_t i = 0; i < fw->nrules; i++) {
		struct fw_rule *fr = &fw->rules[i];
		const struct ipt_rule *r = fr->r;

		for (unsigned k = 0; k < r->nmatch; k++) {
			const struct ipt_match *m = &r->m[k];

			if (m->kind != IPT_M_RECENT)
				continue;
			if (!fr->recent)
				fr->recent = &fw->recent[at];
			fw->recent[at] = recent_list_get(e->recent,
							 ipt_recent_name(r, m),
							 m->u.recent.mask,
							 m->u.recent.hitcount);
			if (!fw->recent[at++])
				return -1;
			fw->nrecent = at;
		}
	}
	return 0;
}

static void fw_plan_fast(struct fw *fw)
{
	for (uint32_t st = 0; st < FW_STATES; st++)
		fw_fast_one(fw, (uint8_t)st, &fw->fwd_fast[st]);
}

/**
 * fw_compile() - Compile a ruleset for this engine's interfaces
 * @e:		engine (its interfaces name the bits of -i/-o)
 * @rs:		the ruleset; the result points into it (rules, counters)
 * @err:	why not, on failure
 *
 * Return: the compiled filter, or NULL (out of memory)
 */
struct fw *fw_compile(struct masq_engine *e, struct ipt_ruleset *rs,
		      struct ipt_err *err)
{
	struct fw *fw;
	uint32_t nch, ri = 0, ci = 0;

	snprintf(err->msg, sizeof(err->msg), "out of memory");
	fw = calloc(1, sizeof(*fw));
	if (!fw)
		return NULL;
	fw->rs = rs;
	fw->nrules = fw_count_rules(rs, &nch);
	fw->nchains = nch;
	fw->rules = calloc(fw->nrules ? fw->nrules : 1, sizeof(*fw->rules));
	fw->chains = calloc(nch ? nch : 1, sizeof(*fw->chains));
	if (!fw->rules || !fw->chains) {
		fw_free(fw);
		return NULL;
	}
	for (int h = 0; h < IPT_HOOKS; h++)
		fw->raw[h] = -1;
	for (int t = 0; t < IPT_TABLES; t++) {
		struct ipt_table *tb = &rs->t[t];
		uint32_t base = ci;

		for (int h = 0; h < IPT_HOOKS; h++)
			fw->hook[t][h] = -1;
		for (uint32_t c = 0; c < tb->nchains; c++, ci++) {
			struct ipt_chain *ic = &tb->chains[c];
			struct fw_chain *fc = &fw->chains[ci];

			fc->ic = ic;
			fc->first = ri;
			fc->n = ic->nrules;
			for (uint32_t k = 0; k < ic->nrules; k++) {
				fw_compile_rule(e, &fw->rules[ri],
						&ic->rules[k], base, tb,
						rs->lang);
				if ((fw->rules[ri++].flags & FR_SLOW) &&
				    fw_rule_state(e, &fw->rules[ri - 1])) {
					fw_free(fw);
					return NULL;
				}
				if (t == IPT_RAW)
					fw->raw_tcp_helper |=
						fwt_ct_tcp_helper(&ic->rules[k].t);
			}
			if (ic->hook < 0)
				continue;
			fw->hook[t][ic->hook] = (int32_t)ci;
			if (t == IPT_RAW && (rs->loaded & (1u << IPT_RAW)) &&
			    rs->lang == IPT_LANG_IPTABLES)
				fw->raw[ic->hook] = (int32_t)ci;
			else if (t != IPT_RAW &&
				 (ic->nrules || ic->policy != IPT_POL_ACCEPT))
				fw->busy[ic->hook] = true;
		}
	}
	if (fw_compile_recent(e, fw)) {
		fw_free(fw);
		return NULL;
	}
	fw->gen = ++e->fw_gen;
	fw->lang = rs->lang;
	if (fw->lang != IPT_LANG_IPTABLES) {
		fw2_compile(fw);	/* walked the 2.x way: fw2.c */
		return fw;
	}
	fw_plan_hooks(fw);
	fw_plan_fast(fw);
	fw_plan_memo(fw);
	for (uint32_t c = 0; c < fw->nchains; c++)
		fw_chain_classify(fw, &fw->chains[c]);
	return fw;
}

void fw_free(struct fw *fw)
{
	if (!fw)
		return;
	for (uint32_t r = 0; r < fw->nrules; r++)
		if (fw->rules[r].flags & FR_SLOW)
			fw_rule_state_free(&fw->rules[r]);
	for (uint32_t c = 0; c < fw->nchains; c++)
		if (fw->chains[c].has_cls)
			cls_free(&fw->chains[c].cls);
	for (uint32_t i = 0; i < fw->nrecent; i++)
		recent_list_put(fw->recent_reg, fw->recent[i]);
	free(fw->recent);
	recent_reg_put(fw->recent_reg);
	free(fw->rules);
	free(fw->chains);
	free(fw);
}

/* ---- matches --------------------------------------------------------------- */

static bool in_range(uint16_t v, struct ipt_portrange r)
{
	return v >= r.lo && v <= r.hi;
}

/*
 * Does TCP segment @p carry an option of @kind? The kernel's walk
 * (xt_tcpudp): EOL and NOP are one byte, others their length byte's
 * worth (a zero length as one), all within the header.
 */
static bool tcp_has_option(const struct pkt *p, uint8_t kind)
{
	const struct tcp_hdr *th = (const struct tcp_hdr *)p->l4;
	const uint8_t *o = (const uint8_t *)(th + 1);
	const uint8_t *end = p->l4 + tcp_hlen(th);

	while (o < end) {
		if (*o == kind)
			return true;
		if (*o < 2 || o + 1 >= end)
			o++;
		else
			o += o[1] ? o[1] : 1;
	}
	return false;
}

static bool match_l4(const struct ipt_match *m, const struct fw_pkt *fp)
{
	const struct pkt *p = fp->p;
	uint16_t sp = ntohs(fp->sport), dp = ntohs(fp->dport);

	if (p->proto != IPPROTO_TCP_ && p->proto != IPPROTO_UDP_)
		return false;
	if ((m->set & IPT_F_SPORT) &&
	    in_range(sp, m->u.l4.sport) == !!(m->inv & IPT_F_SPORT))
		return false;
	if ((m->set & IPT_F_DPORT) &&
	    in_range(dp, m->u.l4.dport) == !!(m->inv & IPT_F_DPORT))
		return false;
	if ((m->set & IPT_F_TCPFLAGS) &&
	    ((p->tcp_flags & m->u.l4.flg_mask) == m->u.l4.flg_cmp) ==
	    !!(m->inv & IPT_F_TCPFLAGS))
		return false;
	if ((m->set & IPT_F_TCPOPT) &&
	    (p->proto != IPPROTO_TCP_ || p->frag ||
	     tcp_has_option(p, m->u.l4.option) == !!(m->inv & IPT_F_TCPOPT)))
		return false;
	return true;
}

static bool match_icmp(const struct ipt_match *m, const struct pkt *p)
{
	const struct icmp_hdr *ih = (const struct icmp_hdr *)p->l4;
	bool hit;

	if (p->proto != IPPROTO_ICMP_ || p->frag)
		return false;
	hit = m->u.icmp.type == 0xff ||
	      (ih->type == m->u.icmp.type && ih->code >= m->u.icmp.code_lo &&
	       ih->code <= m->u.icmp.code_hi);
	return hit != !!(m->inv & IPT_F_VALUE);
}

static bool match_multiport(const struct ipt_match *m,
			    const struct fw_pkt *fp)
{
	uint16_t sp, dp;
	bool hit = false;

	if (!fwm_ports(fp, &sp, &dp))	/* tcp, udp, sctp, dccp, udplite */
		return false;
	for (unsigned i = 0; i < m->u.mp.count && !hit; i++) {
		struct ipt_portrange r = m->u.mp.p[i];

		if (m->u.mp.which != IPT_MP_DPORTS && in_range(sp, r))
			hit = true;
		if (m->u.mp.which != IPT_MP_SPORTS && in_range(dp, r))
			hit = true;
	}
	return hit != !!(m->inv & IPT_F_VALUE);
}

/* -m limit: a token bucket of @burst packets refilled one per @avg */
static bool match_limit(struct masq_engine *e, struct fw_rule *fr,
			const struct ipt_match *m)
{
	uint64_t cap = (uint64_t)m->u.limit.avg * m->u.limit.burst;
	uint64_t units = (e->now_ns - fr->lim_last_ns) / 100000;

	if (!fr->lim_last_ns) {
		fr->lim_credit = cap;
		units = 0;
	}
	fr->lim_last_ns += units * 100000;
	if (!fr->lim_last_ns)
		fr->lim_last_ns = e->now_ns ? e->now_ns : 1;
	fr->lim_credit = fr->lim_credit + units > cap ? cap :
						      fr->lim_credit + units;
	if (fr->lim_credit >= m->u.limit.avg) {
		fr->lim_credit -= m->u.limit.avg;
		return true;
	}
	return false;
}

static bool match_one(struct masq_engine *e, struct fw_rule *fr,
		      const struct ipt_match *m, const struct fw_pkt *fp)
{
	const struct pkt *p = fp->p;

	switch (m->kind) {
	case IPT_M_TCP:
		return p->proto == IPPROTO_TCP_ && match_l4(m, fp);
	case IPT_M_UDP:
		return p->proto == IPPROTO_UDP_ && match_l4(m, fp);
	case IPT_M_ICMP:
		return match_icmp(m, p);
	case IPT_M_STATE:
		return !!(fp->state & m->u.state.mask) !=
		       !!(m->inv & IPT_F_VALUE);
	case IPT_M_CONNTRACK:
		return fwm_conntrack_matches(e, m, fp);
	case IPT_M_CONNMARK:
		return fwm_connmark_matches(e, m, fp);
	case IPT_M_MULTIPORT:
		return match_multiport(m, fp);
	case IPT_M_MARK:
		return ((fp->mark & m->u.mark.mask) == m->u.mark.value) !=
		       !!(m->inv & IPT_F_VALUE);
	case IPT_M_LIMIT:
		return match_limit(e, fr, m);
	case IPT_M_MAC:
		return fp->in != FW_NO_IF &&
		       !memcmp(p->eth->src, m->u.mac.addr, 6) !=
		       !!(m->inv & IPT_F_VALUE);
	case IPT_M_COMMENT:
		return true;
	case IPT_M_SCTP:
	case IPT_M_DCCP:
		return fwm_sctp_dccp_match(m, fp);
	case IPT_M_ADDRTYPE:
		return fwm_addrtype(e, m, fp);
	case IPT_M_IPRANGE:
		return fwm_iprange(m, fp);
	case IPT_M_PKTTYPE:
		return fwm_pkttype(e, m, fp);
	case IPT_M_LENGTH:
		return fwm_length(m, fp);
	case IPT_M_TOS:
		return fwm_tos(m, fp);
	case IPT_M_TTL:
		return fwm_ttl(m, fp);
	case IPT_M_HASHLIMIT:
		return fr->hl && fwm_hashlimit(e, fr->hl[m - fr->r->m], m, fp);
	case IPT_M_CONNLIMIT:
		return fwm_connlimit(e, m, fp);
	case IPT_M_RECENT:
		return fwm_recent(e, fr, m, fp);
	default:
		return false;
	}
}

/* Does rule @fr match packet @fp? Cheapest fields first. */
bool fw_rule_matches(struct masq_engine *e, struct fw_rule *fr,
		     const struct fw_pkt *fp)
{
	const struct ipt_rule *r;
	uint16_t sp, dp;

	if (!(fr->in_ifs & (1u << fp->in)) || !(fr->out_ifs & (1u << fp->out)))
		return false;
	if (((fp->saddr & fr->smsk) == fr->src) == !!(fr->inv & IPT_INV_SRC))
		return false;
	if (((fp->daddr & fr->dmsk) == fr->dst) == !!(fr->inv & IPT_INV_DST))
		return false;
	if (fr->proto &&
	    (fp->p->proto == fr->proto) == !!(fr->inv & IPT_INV_PROTO))
		return false;
	if (!fr->flags)
		return true;
	if (fr->flags & FR_NEVER)
		return false;
	if (fr->flags & FR_LEGACY)
		return fw2_rule_matches(fr, fp);
	if ((fr->flags & FR_STATE) && !(fp->state & fr->st_mask))
		return false;
	if (fr->flags & FR_PORTS) {
		sp = ntohs(fp->sport);
		dp = ntohs(fp->dport);
		if (sp < fr->sp_lo || sp > fr->sp_hi || dp < fr->dp_lo ||
		    dp > fr->dp_hi)
			return false;
	}
	if (!(fr->flags & FR_SLOW))
		return true;
	r = fr->r;
	for (unsigned i = 0; i < r->nmatch; i++)
		if (!match_one(e, fr, &r->m[i], fp))
			return false;
	return true;
}

/* ---- targets that do not end the walk ------------------------------------- */

static const char *proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP_:
		return "TCP";
	case IPPROTO_UDP_:
		return "UDP";
	case IPPROTO_ICMP_:
		return "ICMP";
	default:
		return NULL;
	}
}

/* A log line being written; what does not fit is cut */
struct log_line {
	char s[512];
	size_t at;
};

static void __attribute__((format(printf, 2, 3)))
log_put(struct log_line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->at >= sizeof(l->s) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->s + l->at, sizeof(l->s) - l->at, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->at += (size_t)n;
	if (l->at > sizeof(l->s) - 1)
		l->at = sizeof(l->s) - 1;
}

static void log_tcp(struct log_line *l, const struct fw_pkt *fp)
{
	static const char *const names[] = { "FIN", "SYN", "RST", "PSH",
					     "ACK", "URG" };
	const struct tcp_hdr *th = (const struct tcp_hdr *)fp->p->l4;

	log_put(l, "SPT=%u DPT=%u WINDOW=%u RES=0x00 ", ntohs(fp->sport),
		ntohs(fp->dport), ntohs(th->win));
	for (int k = 5; k >= 0; k--)		/* the kernel's order: URG first */
		if (th->flags & (1u << k))
			log_put(l, "%s ", names[k]);
	log_put(l, "URGP=%u ", ntohs(th->urg));
}

static void log_l4(struct log_line *l, const struct fw_pkt *fp)
{
	const struct pkt *p = fp->p;
	const char *pn = proto_name(p->proto);

	if (!pn) {
		log_put(l, "PROTO=%u ", p->proto);
		return;
	}
	log_put(l, "PROTO=%s ", pn);
	if (p->frag)
		return;
	if (p->proto == IPPROTO_TCP_) {
		log_tcp(l, fp);
	} else if (p->proto == IPPROTO_UDP_) {
		const struct udp_hdr *uh = (const struct udp_hdr *)p->l4;

		log_put(l, "SPT=%u DPT=%u LEN=%u ", ntohs(fp->sport),
			ntohs(fp->dport), ntohs(uh->len));
	} else {
		const struct icmp_hdr *ih = (const struct icmp_hdr *)p->l4;

		log_put(l, "TYPE=%u CODE=%u ", ih->type, ih->code);
		if (ih->type == ICMP_ECHO || ih->type == ICMP_ECHOREPLY)
			log_put(l, "ID=%u SEQ=%u ", ntohs(ih->id),
				ntohs(ih->seq));
	}
}

/* -j LOG: one line in the kernel's format, to the caller's log */
static void fw_log(struct masq_engine *e, const struct ipt_target *t,
		   const struct fw_pkt *fp)
{
	const struct ip4_hdr *ip = fp->p->ip;
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	uint16_t fo = ntohs(ip->frag_off);
	struct log_line l = { .at = 0 };

	count(e, C_fw_log);
	if (!e->log_fn)
		return;
	inet_ntop(AF_INET, &fp->saddr, a, sizeof(a));
	inet_ntop(AF_INET, &fp->daddr, b, sizeof(b));
	log_put(&l, "%sIN=%s OUT=%s ", t->u.log.prefix,
		fp->in == FW_NO_IF ? "" : e->net.ifs[fp->in].name,
		fp->out == FW_NO_IF ? "" : e->net.ifs[fp->out].name);
	if (fp->in != FW_NO_IF) {
		const uint8_t *m = (const uint8_t *)fp->p->eth;

		log_put(&l, "MAC=");
		for (int k = 0; k < ETH_HLEN; k++)
			log_put(&l, "%02x%s", m[k], k + 1 < ETH_HLEN ? ":" : " ");
	}
	log_put(&l, "SRC=%s DST=%s LEN=%u TOS=0x%02X PREC=0x%02X TTL=%u ID=%u ",
		a, b, fp->p->ip_len, ip->tos & 0x1e, ip->tos & 0xe0, ip->ttl,
		ntohs(ip->id));
	if (fo & IP_DF)
		log_put(&l, "DF ");
	if (fo & IP_MF)
		log_put(&l, "MF ");
	if (fo & IP_OFFMASK)
		log_put(&l, "FRAG:%u ", fo & IP_OFFMASK);
	log_l4(&l, fp);
	while (l.at && l.s[l.at - 1] == ' ')
		l.s[--l.at] = '\0';
	e->log_fn(e->log_ctx, t->u.log.level, l.s);
}

/**
 * fw_mss_clamp() - Lower a TCP SYN's MSS option to @mss
 * @e:		engine
 * @fp:		the packet
 * @mss:	the largest MSS allowed; 0: the way out's MTU - 40
 *
 * Only an MSS option that is there is changed (a SYN without one is left
 * as it is); its checksum is adjusted as RFC 1624 does it.
 */
void fw_mss_clamp(struct masq_engine *e, struct fw_pkt *fp, uint16_t mss)
{
	struct pkt *p = fp->p;
	struct tcp_hdr *th = (struct tcp_hdr *)p->l4;
	uint8_t *o, *end;

	if (p->proto != IPPROTO_TCP_ || p->frag || !(th->flags & TCP_SYN))
		return;
	if (!mss) {
		if (fp->out == FW_NO_IF)
			return;
		mss = (uint16_t)(e->net.ifs[fp->out].mtu - 40);
	}
	o = (uint8_t *)(th + 1);
	end = p->l4 + tcp_hlen(th);
	while (o < end && *o != 0) {
		if (*o == 1) {
			o++;
			continue;
		}
		if (o + 1 >= end || o[1] < 2 || o + o[1] > end)
			return;
		if (o[0] == 2 && o[1] == 4) {
			uint16_t old, now = htons(mss);

			memcpy(&old, o + 2, 2);
			if (ntohs(old) <= mss)
				return;
			memcpy(o + 2, &now, 2);
			if (!p->csum_partial)
				th->check = csum_replace16(th->check, old, now);
			count(e, C_fw_mss_clamped);
			return;
		}
		o += o[1];
	}
}

/* ---- the walk ---------------------------------------------------------------- */

/*
 * A non-terminal target acts and the walk goes on; a terminal one sets
 * @fp->action.
 * Return: true when the walk of this table ends here
 */
static bool fw_target(struct masq_engine *e, const struct ipt_target *t,
		      struct fw_pkt *fp)
{
	switch (t->kind) {
	case IPT_T_ACCEPT:
		fp->action = FW_ACCEPT;
		return true;
	case IPT_T_DROP:
		fp->action = FW_DROP;
		return true;
	case IPT_T_REJECT:
		fp->action = FW_REJECT;
		fp->reject_with = t->u.reject_with;
		return true;
	case IPT_T_MASQUERADE:
	case IPT_T_SNAT:
	case IPT_T_DNAT:
	case IPT_T_REDIRECT:
		fp->action = FW_NAT;
		fp->nat = t;
		return true;
	case IPT_T_LOG:
		fw_log(e, t, fp);
		return false;
	case IPT_T_MARK:
		fp->mark = (fp->mark & ~t->u.mark.mask) ^ t->u.mark.value;
		return false;
	case IPT_T_TCPMSS:
		fw_mss_clamp(e, fp, t->u.tcpmss.mss);
		return false;
	case IPT_T_TOS:
		fwt_tos(t, fp);
		return false;
	case IPT_T_TTL:
		fwt_ttl(t, fp);
		return false;
	case IPT_T_NOTRACK:
	case IPT_T_CT:
		fwt_ct(t, fp);
		return false;
	case IPT_T_CONNMARK:
		fwt_connmark(e, t, fp);
		return false;
	default:			/* IPT_T_NONE: counted only */
		return false;
	}
}

/* The classifier's key of a packet: one value per dimension (enum fw_dim) */
static bool fw_cls_key(const struct fw_pkt *fp, uint32_t *key)
{
	key[FW_DIM_PROTO] = fp->p->proto;
	key[FW_DIM_SRC] = ntohl(fp->saddr);
	key[FW_DIM_DST] = ntohl(fp->daddr);
	key[FW_DIM_IN] = fp->in;
	key[FW_DIM_OUT] = fp->out;
	key[FW_DIM_STATE] = fp->state;
	key[FW_DIM_SPORT] = ntohs(fp->sport);
	key[FW_DIM_DPORT] = ntohs(fp->dport);
	return true;
}

/* A built-in chain's policy as the walk's outcome (REJECT and MASQ: 2.x) */
static void fw_policy(uint8_t policy, struct fw_pkt *fp)
{
	static const struct ipt_target masq = { .kind = IPT_T_MASQUERADE };

	switch (policy) {
	case IPT_POL_DROP:
		fp->action = FW_DROP;
		break;
	case IPT_POL_REJECT:
		fp->action = FW_REJECT;
		fp->reject_with = IPT_REJ_PORT_UNREACH;
		break;
	case IPT_POL_MASQ:
		fp->action = FW_NAT;
		fp->nat = &masq;
		break;
	default:
		fp->action = FW_ACCEPT;
	}
}

/**
 * fw_walk_chain() - Walk one table from its built-in chain @ci
 * @e:		engine
 * @fw:		the published filter
 * @ci:		built-in chain
 * @fp:		the packet; @fp->action is set (the policy's when nothing
 *		decided)
 */
void fw_walk_chain(struct masq_engine *e, struct fw *fw, uint32_t ci,
		   struct fw_pkt *fp)
{
	uint32_t stack_c[FW_MAX_DEPTH], stack_r[FW_MAX_DEPTH];
	uint32_t depth = 0, c = ci, r = 0;
	struct fw_chain *base = &fw->chains[ci];
	uint32_t key[FW_CLS_DIMS];
	bool keyed = false;

	for (;;) {
		struct fw_chain *ch = &fw->chains[c];

		for (; r < ch->n; r++) {
			struct fw_rule *fr;
			uint8_t k;

			if (ch->has_cls && r >= FW_CLS_LINEAR) {
				if (!keyed)
					keyed = fw_cls_key(fp, key);
				r = cls_first(&ch->cls, key, r);
				if (r == CLS_NONE) {
					r = ch->n;
					break;
				}
			}
			fr = &fw->rules[ch->first + r];
			k = fr->kind;
			if (!fw_rule_matches(e, fr, fp))
				continue;
			fw_count(&fr->r->pkts, &fr->r->bytes, fp);
			if (fr->flags & FR_LGACT)
				fw2_rule_acts(e, fw, c, r, fp);
			if (k == IPT_T_ACCEPT) {
				fp->action = FW_ACCEPT;
				return;
			}
			if (k == IPT_T_RETURN)
				break;
			if (k == IPT_T_JUMP || k == IPT_T_GOTO) {
				if (k == IPT_T_JUMP) {
					if (depth == FW_MAX_DEPTH) {
						fp->action = FW_DROP;
						count(e, C_drop_fw_depth);
						if (fp->rec)	/* not replayed */
							fp->rec->bad = true;
						return;
					}
					stack_c[depth] = c;
					stack_r[depth++] = r + 1;
				}
				c = fr->chain;
				r = (uint32_t)-1;	/* r++ makes it 0 */
				ch = &fw->chains[c];
				continue;
			}
			if (fw_target(e, &fr->r->t, fp))
				return;
		}
		if (!depth)
			break;
		c = stack_c[--depth];
		r = stack_r[depth];
	}
	fw_policy(base->ic->policy, fp);
	fw_count(&base->ic->pol_pkts, &base->ic->pol_bytes, fp);
}

/*
 * fw_run_hook() the long way, chain by chain: tables in netfilter's
 * priority order (mangle, nat, filter; struct fw_plan). A table that
 * DROPs or REJECTs ends the hook; the nat table's decision (FW_NAT) is
 * kept while filter still has its say. On most hooks most chains are
 * empty and only count their policy.
 */
static void fw_run_hook_walk(struct masq_engine *e, struct fw *fw,
			     enum ipt_hook hook, bool first, struct fw_pkt *fp)
{
	const struct fw_plan *pl = &fw->plan[hook][first];
	const struct ipt_target *nat = NULL;

	fp->action = FW_ACCEPT;
	for (unsigned i = 0; i < pl->n; i++) {
		struct fw_chain *ch = &fw->chains[pl->chain[i]];

		if (!pl->walk[i]) {
			fw_count(&ch->ic->pol_pkts, &ch->ic->pol_bytes, fp);
			continue;
		}
		fw_walk_chain(e, fw, pl->chain[i], fp);
		if (fp->action == FW_NAT) {
			nat = fp->nat;
			fp->action = FW_ACCEPT;
		}
		if (fp->action != FW_ACCEPT)
			return;
	}
	if (nat) {
		fp->action = FW_NAT;
		fp->nat = nat;
	}
}

/*
 * fw_run_hook() for a hook whose chains are all pure: replay the memo of
 * the packet's key if this filter made it; else walk, recording into
 * the key's slot (struct fw_memo).
 */
static void fw_run_hook_memo(struct masq_engine *e, struct fw *fw,
			     enum ipt_hook hook, bool first, struct fw_pkt *fp)
{
	uint32_t key = fw_memo_key(hook, first, fp);
	struct fw_memo *m = &e->fw_memo[(key * 0x9e3779b1u) >>
					(32 - FW_MEMO_SLOTS_LOG2)];

	if (m->gen == fw->gen && m->key == key) {
		fw_memo_replay(m, fp);
		return;
	}
	m->gen = 0;
	m->n = 0;
	m->bad = false;
	fp->rec = m;
	fw_run_hook_walk(e, fw, hook, first, fp);
	fp->rec = NULL;
	if (m->bad)
		return;
	m->key = key;
	m->action = fp->action;
	m->reject_with = fp->reject_with;
	m->nat = fp->nat;
	m->gen = fw->gen;
}

/**
 * fw_run_hook() - Walk the tables of hook @hook for a packet
 * @e:		engine (its hook memos)
 * @fw:		the published filter
 * @hook:	netfilter hook
 * @first:	the first packet of a connection: the nat table is walked too
 * @fp:		the packet; @fp->action etc. are set
 *
 * By the hook memo when the hook's chains are all pure (struct
 * fw_memo), else chain by chain. Out of line: the packets that ask are
 * first packets and those whose state alone does not decide (struct
 * fw_fast); inlined, its two ways made the established packet's path of
 * conn.c spill registers.
 */
void fw_run_hook(struct masq_engine *e, struct fw *fw, enum ipt_hook hook,
		 bool first, struct fw_pkt *fp)
{
	fp->hook = (uint8_t)hook;
	fp->first = first;
	if (fw->lang != IPT_LANG_IPTABLES)
		fw2_run_hook(e, fw, hook, first, fp);
	else if (fw->plan[hook][first].memo)
		fw_run_hook_memo(e, fw, hook, first, fp);
	else
		fw_run_hook_walk(e, fw, hook, first, fp);
}
