// SPDX-License-Identifier: MIT
/*
 * ipchains_check.c - ipchains -C: a packet's walk through the chains, as
 *		      the 2.2 kernel's ip_fw_check() made it in its testing
 *		      mode
 *
 * Owns what a 2.2 rule meant to a packet (ipchains_rule_match(), the
 * kernel's ip_rule_match()) and the walk -C asks for: from the chain
 * named, rule by rule, into user chains and back (RETURN, or a chain's
 * end), to a verdict in the tool's words. Nothing is counted, marked or
 * logged: a check is a question, not a packet. The engine has its own
 * walk for real packets (src/engine/fw2.c); this one is the library's,
 * so a check answers from the same ruleset a listing shows.
 *
 * What 2.2 matched, kept here: addresses under their masks, each with
 * its "!"; the interface ("ppp+" a prefix, "" or "+" any); -f only
 * second and later fragments ("! -f" the others); -y a SYN without ACK
 * or RST (a fragment never passes a -y rule, even "! -y"); the protocol
 * with its "!", and only then ports, where a fragment passes only a rule
 * that asks none. A chain entered twice on one walk is a loop ("caught in
 * loop"); masq refuses such rulesets, so it is only a safeguard.
 *
 * Complexity: O(rules on the way); memory: one frame per chain.
 */
#include <stdlib.h>
#include <string.h>

#include "ipt/ipchains.h"

static int chain_idx(const struct ipt_table *t, const char *name)
{
	struct ipt_chain *c = ipt_chain_find((struct ipt_table *)t, name);

	return c ? (int)(c - t->chains) : -1;
}

/* A port test; a fragment passes only a rule that asks no port */
static bool port_match(uint8_t n, struct ipt_portrange r, bool inv,
		       uint16_t port, bool frag)
{
	if (!n)
		return true;
	if (frag)
		return r.lo == 0 && r.hi == 0xFFFF;
	return (port >= r.lo && port <= r.hi) != inv;
}

/**
 * ipchains_rule_match() - Does a rule match a packet (2.2's ip_rule_match())
 * @r:		the rule
 * @p:		the packet
 *
 * Return: true on a match
 */
bool ipchains_rule_match(const struct ipt_rule *r,
			 const struct ipchains_packet *p)
{
	const struct ipt_legacy *lg = &r->lg;
	bool syn_rule = lg->flags & IPT_LG_SYN;

	if ((((p->src & r->smsk) != r->src) != !!(r->inv & IPT_INV_SRC)) ||
	    (((p->dst & r->dmsk) != r->dst) != !!(r->inv & IPT_INV_DST)))
		return false;
	if (ipt_ifname_matches(r->in, p->iface) == !!(r->inv & IPT_INV_IN))
		return false;
	if ((r->frag && !p->frag) != !!(r->inv & IPT_INV_FRAG))
		return false;
	if ((syn_rule && !p->syn) != !!(lg->flags & IPT_LG_SYN_INV) ||
	    (p->frag && syn_rule))
		return false;	/* a fragment never passes a SYN test */
	if (!r->proto)
		return true;
	if ((p->proto != r->proto) != !!(r->inv & IPT_INV_PROTO))
		return false;
	return port_match(lg->nsp, lg->sp[0], lg->flags & IPT_LG_SP_INV,
			  p->sport, p->frag) &&
	       port_match(lg->ndp, lg->dp[0], lg->flags & IPT_LG_DP_INV,
			  p->dport, p->frag);
}

static const char *verdict_word(uint8_t kind)
{
	switch (kind) {
	case IPT_T_ACCEPT:
		return "accepted";
	case IPT_T_REJECT:
		return "rejected";
	case IPT_T_MASQUERADE:
		return "masqueraded";
	case IPT_T_REDIRECT:
		return "redirected";
	}
	return "denied";
}

static const char *policy_word(const struct ipt_chain *c)
{
	switch (c->policy) {
	case IPT_POL_ACCEPT:
		return "accepted";
	case IPT_POL_REJECT:
		return "rejected";
	case IPT_POL_MASQ:
		return "masqueraded";
	case IPT_POL_NONE:
		return "passed through chain";
	}
	return "denied";
}

/* A return point: the chain and the rule after the jump */
struct frame {
	int chain;
	uint32_t next;
};

/*
 * The walk: the rules in order, a jump enters its chain, RETURN or the
 * end goes back to the rule after the jump, or ends at the policy of the
 * chain the walk started in. A chain entered twice is a loop.
 */
static const char *walk(const struct ipt_table *t, int start,
			const struct ipchains_packet *p, struct frame *stack,
			uint8_t *on_path)
{
	int c = start, sp = 0;
	uint32_t k = 0;

	on_path[c] = 1;
	for (;;) {
		const struct ipt_chain *ch = &t->chains[c];
		const struct ipt_rule *r = NULL;

		while (k < ch->nrules && !r)
			if (ipchains_rule_match(&ch->rules[k++], p))
				r = &ch->rules[k - 1];
		if (r && r->t.kind == IPT_T_NONE)
			continue;
		if (r && r->t.kind == IPT_T_JUMP) {
			int j = chain_idx(t, r->t.chain);

			if (j < 0 || on_path[j])
				return "caught in loop";
			stack[sp++] = (struct frame){ c, k };
			on_path[j] = 1;
			c = j;
			k = 0;
			continue;
		}
		if (r && r->t.kind != IPT_T_RETURN)
			return verdict_word(r->t.kind);
		if (!sp)	/* the end (or RETURN) of the first chain */
			return policy_word(&t->chains[start]);
		on_path[c] = 0;
		sp--;
		c = stack[sp].chain;
		k = stack[sp].next;
	}
}

/**
 * ipchains_check() - ipchains -C: the verdict for a packet from a chain
 * @t:		the filter table
 * @chain:	the chain the walk starts in
 * @p:		the packet
 *
 * Return: the tool's word for the verdict, or NULL (no such chain, or
 * out of memory)
 */
const char *ipchains_check(const struct ipt_table *t, const char *chain,
			   const struct ipchains_packet *p)
{
	int start = chain_idx(t, chain);
	struct frame *stack;
	uint8_t *on_path;
	const char *v = NULL;

	if (start < 0)
		return NULL;
	stack = calloc(t->nchains + 1, sizeof(*stack));
	on_path = calloc(t->nchains + 1, 1);
	if (stack && on_path)
		v = walk(t, start, p, stack, on_path);
	free(stack);
	free(on_path);
	return v;
}
