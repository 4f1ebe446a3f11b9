// SPDX-License-Identifier: MIT
/*
 * ipchains_exec.c - ipchains commands on a ruleset, as the 2.2 kernel's
 *		     ip_fw.c carried them out
 *
 * Owns what a parsed ipchains command does to the filter table of an
 * ipchains ruleset (lang.h): the built-in chains "input", "forward",
 * "output" and the user chains, their rules and policies; -C (its walk
 * is ipchains_check.c's); the empty ruleset of the language
 * (ipchains_init()); one command's words parsed and run
 * (ipchains_exec()). The operations table that offers these to the
 * engine is ipchains_ops.c's, above this file and ipchains_save.c.
 *
 * Theory of operation. A command is checked whole before anything
 * changes, then applied by steps that cannot fail (room is reserved
 * first), so a failing command changes nothing: the 2.2 tool sent a rule
 * per pair of addresses and per direction (-b), each its own system
 * call, and could stop half-way; masq applies all or none. The rules of a
 * command are the pairs of its addresses in order, then with -b the same
 * mirrored (addresses, masks, their "!"; ports but for ICMP), as the
 * tool's append_entry() made them; -I puts each at the same place, so
 * they end up reversed, as they did. -D takes out, for each of those
 * rules, the first rule equal to it that is still there; equality is the
 * kernel's del_rule_from_chain(): everything but the mark and the TOS
 * masks (which the ipfwadm wrapper's hack needed).
 *
 * What the kernel refused, and how masq says it (ipchains printed the
 * ipfwc_strerror() of the errno): a rule in or to a chain that does not
 * exist, a jump to a built-in chain ("No target by that name", "No chain
 * by that name"); a rule number past the end ("bad rule (does a matching
 * rule exist in that chain?)"); -X of a built-in or referenced chain
 * ("Device or resource busy"), of a chain with rules ("Chain is not
 * empty"); -N of an existing chain ("Chain already exists").
 *
 * Where masq differs from 2.2, on purpose: a jump that would close a loop
 * of chains is refused ("Too many levels of symbolic links"): 2.2 took it
 * and dropped, with a log line, every packet that went round; -N refuses
 * the names of the targets (ACCEPT DENY REJECT MASQ REDIRECT RETURN: a
 * rule could never jump to such a chain) and names that start with '-'
 * or '!'; -X without a chain deletes every user chain or, when one may
 * not go, none; user chains are listed in name order (the model keeps
 * them so), where 2.2 listed them in the order they were made.
 *
 * Complexity: -A and -I are O(rules after the place) (memmove), a jump's
 * loop check O(rules reachable from its target); -D O(rules); -X and -F
 * of everything O(rules). Memory: a command's rules (at most 64 pairs,
 * twice with -b) are held once while they are checked.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "ipt/ipchains.h"
#include "ipt/ruleset.h"


static const char *const builtin_names[] = { "input", "forward", "output" };

__attribute__((format(printf, 2, 3)))
static int fail(struct ipt_err *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return 1;
}

/* ---- chains -------------------------------------------------------------------- */

static struct ipt_table *filter(struct ipt_ruleset *rs)
{
	return &rs->t[IPT_FILTER];
}

static int chain_idx(const struct ipt_table *t, const char *name)
{
	struct ipt_chain *c = ipt_chain_find((struct ipt_table *)t, name);

	return c ? (int)(c - t->chains) : -1;
}

static int builtin_count(const struct ipt_table *t)
{
	int n = 0;

	while ((uint32_t)n < t->nchains && t->chains[n].hook >= 0)
		n++;
	return n;
}

/*
 * Can chain @from reach chain @to by jumps (or be it)? A depth-first
 * walk with a mark per chain: O(rules of the chains it reaches)
 */
static int chain_reaches(const struct ipt_table *t, int from, int to,
			 bool *reach)
{
	int *stack = malloc(t->nchains * sizeof(*stack) + 1);
	uint8_t *seen = calloc(t->nchains + 1, 1);
	int sp = 0;

	*reach = false;
	if (!stack || !seen) {
		free(stack);
		free(seen);
		return -1;
	}
	stack[sp++] = from;
	seen[from] = 1;
	while (sp && !*reach) {
		const struct ipt_chain *c = &t->chains[stack[--sp]];

		if (c == &t->chains[to])
			*reach = true;
		for (uint32_t k = 0; k < c->nrules; k++) {
			int j;

			if (c->rules[k].t.kind != IPT_T_JUMP)
				continue;
			j = chain_idx(t, c->rules[k].t.chain);
			if (j >= 0 && !seen[j]) {
				seen[j] = 1;
				stack[sp++] = j;
			}
		}
	}
	free(stack);
	free(seen);
	return 0;
}

/* May rule @r go into chain @ci? Its jump must lead to a user chain */
static int jump_check(const struct ipt_table *t, int ci,
		      const struct ipt_rule *r, struct ipt_err *err)
{
	bool loop;
	int j;

	if (r->t.kind != IPT_T_JUMP)
		return 0;
	j = chain_idx(t, r->t.chain);
	if (j < 0 || t->chains[j].hook >= 0)
		return fail(err, "No target by that name");
	if (chain_reaches(t, j, ci, &loop))
		return fail(err, "out of memory");
	if (loop)
		return fail(err, "Too many levels of symbolic links (a jump from `%s' to `%s' makes a loop)",
			    t->chains[ci].name, r->t.chain);
	return 0;
}

/* Put @r at @pos (room reserved): a new rule, counters and id 0 */
static void rule_put(struct ipt_table *t, struct ipt_chain *c, uint32_t pos,
		     const struct ipt_rule *r)
{
	struct ipt_rule n = *r;

	n.pkts = n.bytes = n.id = 0;
	ipt_chain_put(t, c, pos, &n);
}

/* ---- the rules a command stands for -------------------------------------------- */

/* The tool's swap_info(): the rule the other way round (-b) */
static void rule_mirror(struct ipt_rule *r)
{
	struct ipt_legacy *lg = &r->lg;
	uint32_t a = r->src, m = r->smsk;
	uint8_t inv = r->inv;

	r->src = r->dst;
	r->smsk = r->dmsk;
	r->dst = a;
	r->dmsk = m;
	r->inv &= (uint8_t)~(IPT_INV_SRC | IPT_INV_DST);
	r->inv |= (inv & IPT_INV_SRC ? IPT_INV_DST : 0) |
		  (inv & IPT_INV_DST ? IPT_INV_SRC : 0);
	if (r->proto == IPPROTO_ICMP && !(r->inv & IPT_INV_PROTO))
		return;		/* types and codes stay */
	{
		uint16_t f = lg->flags;
		uint8_t ns = lg->nsp;
		struct ipt_portrange sp = lg->sp[0];

		lg->nsp = lg->ndp;
		lg->sp[0] = lg->dp[0];
		lg->ndp = ns;
		lg->dp[0] = sp;
		lg->flags &= (uint16_t)~(IPT_LG_SP_INV | IPT_LG_DP_INV);
		lg->flags |= (f & IPT_LG_SP_INV ? IPT_LG_DP_INV : 0) |
			     (f & IPT_LG_DP_INV ? IPT_LG_SP_INV : 0);
	}
}

/*
 * The command's rules: each pair (sources outer), then with -b each
 * mirrored. Return: how many, in *@out (malloc'd), or 0 out of memory
 */
static uint32_t cmd_rules(const struct ipchains_cmd *cmd, struct ipt_rule **out)
{
	uint32_t ns = cmd->nsrc ? cmd->nsrc : 1, nd = cmd->ndst ? cmd->ndst : 1;
	uint32_t n = 0, pairs;
	struct ipt_rule *r;

	if (ns > IPCHAINS_ADDRS_MAX)
		ns = IPCHAINS_ADDRS_MAX;
	if (nd > IPCHAINS_ADDRS_MAX)
		nd = IPCHAINS_ADDRS_MAX;
	pairs = ns * nd;
	r = calloc(pairs * 2, sizeof(*r));
	if (!r)
		return 0;
	for (uint32_t i = 0; i < ns; i++) {
		for (uint32_t j = 0; j < nd; j++, n++) {
			r[n] = cmd->rule;
			r[n].src = cmd->nsrc ? cmd->srcs[i] : cmd->rule.src;
			r[n].dst = cmd->ndst ? cmd->dsts[j] : cmd->rule.dst;
		}
	}
	if (cmd->opts & IPCHAINS_OPT_BIDIR) {
		for (uint32_t k = 0; k < pairs; k++, n++) {
			r[n] = r[k];
			rule_mirror(&r[n]);
		}
	}
	*out = r;
	return n;
}

/* Equal as the kernel's -D saw it: all but the mark and the TOS masks */
static bool rule_same(const struct ipt_rule *a, const struct ipt_rule *b)
{
	struct ipt_rule x = *a, y = *b;
	const uint16_t loose = IPT_LG_MARK | IPT_LG_TOS;

	x.lg.flags &= (uint16_t)~loose;
	y.lg.flags &= (uint16_t)~loose;
	x.lg.mark = y.lg.mark = 0;
	x.lg.tos_and = y.lg.tos_and = 0;
	x.lg.tos_xor = y.lg.tos_xor = 0;
	return ipt_rule_equal(&x, &y);
}

/* ---- the warnings the tool printed ------------------------------------------------ */

static int tos_bits(unsigned v)
{
	return __builtin_popcount(v & 0x0e);
}

/* check_tos()'s warnings: a TOS this rule may give more than one bit */
static void tos_warnings(const struct ipchains_cmd *cmd, struct ipt_text *out)
{
	static const struct {
		uint8_t tos;
		const char *name;
	} tos[] = {
		{ 0x10, "Minimize Delay" }, { 0x08, "Minimize Throughput" },
		{ 0x04, "Maximize Reliability" }, { 0x02, "Minimize Cost" },
		{ 0x00, "Normal Service" },
	};
	const struct ipt_legacy *lg = &cmd->rule.lg;

	if (!(lg->flags & IPT_LG_TOS) || (cmd->opts & IPCHAINS_OPT_NOWARN) ||
	    !out)
		return;
	for (size_t i = 0; i < sizeof(tos) / sizeof(tos[0]); i++)
		if (tos_bits((tos[i].tos & lg->tos_and) ^ lg->tos_xor) > 1)
			ipt_text_printf(out, "Warning: TOS manipulation may set multiple TOS bits for %s TOS (0x%02x)\n",
					tos[i].name, tos[i].tos);
}

/* With -v, each rule as the tool printed it before sending it */
static void verbose_rules(const struct ipchains_cmd *cmd,
			  const struct ipt_rule *r, uint32_t n,
			  struct ipt_text *out)
{
	if (!(cmd->opts & IPCHAINS_OPT_VERBOSE) || !out)
		return;
	for (uint32_t i = 0; i < n; i++)
		ipchains_print_rule(&r[i], out);
}

/* ---- the rule commands ---------------------------------------------------------- */

static int chain_needed(const struct ipt_table *t, const char *name,
			const char *missing, struct ipt_err *err)
{
	int ci = chain_idx(t, name);

	if (ci < 0)
		fail(err, "%s", missing);
	return ci;
}

/* -A, -I: the checks for every rule, then the puts (which cannot fail) */
static int do_add(struct ipt_table *t, const struct ipchains_cmd *cmd,
		  const struct ipt_rule *r, uint32_t n, struct ipt_err *err)
{
	int ci = chain_needed(t, cmd->chain, "No chain by that name", err);
	struct ipt_chain *c;
	uint32_t pos;

	if (ci < 0)
		return 1;
	for (uint32_t i = 0; i < n; i++)
		if (jump_check(t, ci, &r[i], err))
			return 1;
	c = &t->chains[ci];
	pos = cmd->op == IPCHAINS_OP_INSERT ? cmd->rulenum - 1 : c->nrules;
	if (cmd->op == IPCHAINS_OP_INSERT && (!cmd->rulenum || pos > c->nrules))
		return fail(err, "bad rule (does a matching rule exist in that chain?)");
	if (ipt_chain_reserve(c, n))
		return fail(err, "out of memory in chain `%s'", c->name);
	for (uint32_t i = 0; i < n; i++)
		rule_put(t, c, cmd->op == IPCHAINS_OP_INSERT ? pos : c->nrules,
			 &r[i]);
	return 0;
}

/* -D rule: for each, the first equal rule not taken yet; all or none */
static int do_delete(struct ipt_table *t, const struct ipchains_cmd *cmd,
		     const struct ipt_rule *r, uint32_t n, struct ipt_err *err)
{
	int ci = chain_needed(t, cmd->chain, "No chain by that name", err);
	uint8_t *taken;
	struct ipt_chain *c;
	int ret = 0;

	if (ci < 0)
		return 1;
	c = &t->chains[ci];
	taken = calloc(c->nrules + 1, 1);
	if (!taken)
		return fail(err, "out of memory");
	for (uint32_t i = 0; i < n && !ret; i++) {
		uint32_t k;

		for (k = 0; k < c->nrules; k++)
			if (!taken[k] && rule_same(&c->rules[k], &r[i]))
				break;
		if (k == c->nrules)
			ret = fail(err, "bad rule (does a matching rule exist in that chain?)");
		else
			taken[k] = 1;
	}
	for (uint32_t k = c->nrules; !ret && k-- > 0;)
		if (taken[k])
			ipt_chain_take(t, c, k, NULL);
	free(taken);
	return ret;
}

static int do_delete_num(struct ipt_table *t, const struct ipchains_cmd *cmd,
			 struct ipt_err *err)
{
	int ci = chain_needed(t, cmd->chain, "No chain by that name", err);

	if (ci < 0)
		return 1;
	if (!cmd->rulenum || cmd->rulenum > t->chains[ci].nrules)
		return fail(err, "bad rule (does a matching rule exist in that chain?)");
	ipt_chain_take(t, &t->chains[ci], cmd->rulenum - 1, NULL);
	return 0;
}

/* -R: the new rule starts with counters of 0, as 2.2's did */
static int do_replace(struct ipt_table *t, const struct ipchains_cmd *cmd,
		      const struct ipt_rule *r, struct ipt_err *err)
{
	int ci = chain_needed(t, cmd->chain, "No chain by that name", err);
	struct ipt_chain *c;

	if (ci < 0 || jump_check(t, ci, r, err))
		return 1;
	c = &t->chains[ci];
	if (!cmd->rulenum || cmd->rulenum > c->nrules)
		return fail(err, "bad rule (does a matching rule exist in that chain?)");
	ipt_chain_take(t, c, cmd->rulenum - 1, NULL);
	rule_put(t, c, cmd->rulenum - 1, r);	/* room: one was taken */
	return 0;
}

/* -C: each packet's verdict on a line, counting nothing */
static int do_check(const struct ipt_table *t, const struct ipchains_cmd *cmd,
		    const struct ipt_rule *r, uint32_t n, struct ipt_text *out,
		    struct ipt_err *err)
{
	if (chain_idx(t, cmd->chain) < 0)
		return fail(err, "No chain by that name");
	for (uint32_t i = 0; i < n; i++) {
		struct ipchains_packet p = {
			.src = r[i].src, .dst = r[i].dst, .proto = r[i].proto,
			.sport = r[i].lg.nsp ? r[i].lg.sp[0].lo : 0,
			.dport = r[i].lg.ndp ? r[i].lg.dp[0].lo : 0,
			.syn = r[i].proto == IPPROTO_TCP &&
			       (r[i].lg.flags & IPT_LG_SYN),
			.frag = r[i].frag,
		};
		size_t l = strnlen(r[i].in, IPT_IFNAMSIZ - 1);

		if (l && r[i].in[l - 1] == '+')
			l--;	/* the tool sent "ppp+" as "ppp" */
		memcpy(p.iface, r[i].in, l);
		if (out)
			ipt_text_printf(out, "%s\n",
					ipchains_check(t, cmd->chain, &p));
	}
	return 0;
}

static int rule_command(struct ipt_table *t, const struct ipchains_cmd *cmd,
			struct ipt_text *out, struct ipt_err *err)
{
	struct ipt_rule *r = NULL;
	uint32_t n = cmd_rules(cmd, &r);
	int ret;

	if (!n)
		return fail(err, "out of memory");
	tos_warnings(cmd, out);
	verbose_rules(cmd, r, n, out);
	switch (cmd->op) {
	case IPCHAINS_OP_DELETE:
		ret = do_delete(t, cmd, r, n, err);
		break;
	case IPCHAINS_OP_REPLACE:
		ret = do_replace(t, cmd, r, err);
		break;
	case IPCHAINS_OP_CHECK:
		ret = do_check(t, cmd, r, n, out, err);
		break;
	default:
		ret = do_add(t, cmd, r, n, err);
	}
	free(r);
	return ret;
}

/* ---- the chain commands ----------------------------------------------------------- */

static void zero_chain(struct ipt_chain *c, bool verbose, struct ipt_text *out)
{
	for (uint32_t k = 0; k < c->nrules; k++)
		c->rules[k].pkts = c->rules[k].bytes = 0;
	if (verbose && out)
		ipt_text_printf(out, "Zeroing chain `%s'\n", c->name);
}

/* -Z [chain]: the rules' counters (2.2 left the policies' as they were) */
static int do_zero(struct ipt_table *t, const struct ipchains_cmd *cmd,
		   struct ipt_text *out, struct ipt_err *err)
{
	bool verbose = cmd->opts & IPCHAINS_OPT_VERBOSE;
	int ci;

	if (!cmd->chain[0]) {
		for (uint32_t i = 0; i < t->nchains; i++)
			zero_chain(&t->chains[i], verbose, out);
		return 0;
	}
	ci = chain_needed(t, cmd->chain, "No chain by that name", err);
	if (ci < 0)
		return 1;
	zero_chain(&t->chains[ci], verbose, out);
	return 0;
}

static int do_list(struct ipt_table *t, const struct ipchains_cmd *cmd,
		   const struct ipt_resolver *res, struct ipt_text *out,
		   struct ipt_err *err)
{
	struct ipt_text scratch = { 0 };
	int r = ipchains_list(t, cmd->chain[0] ? cmd->chain : NULL, cmd->opts,
			      (cmd->opts & IPCHAINS_OPT_NUMERIC) ? NULL : res,
			      out ? out : &scratch);

	ipt_text_free(&scratch);
	if (r)
		return fail(err, "No chain by that name");
	if (cmd->opts & IPCHAINS_OPT_ZERO)
		for (uint32_t i = 0; i < t->nchains; i++)
			zero_chain(&t->chains[i], false, NULL);
	return 0;
}

static void flush_chain(struct ipt_table *t, struct ipt_chain *c, bool verbose,
			struct ipt_text *out)
{
	if (verbose && out)
		ipt_text_printf(out, "Flushing chain `%s'\n", c->name);
	ipt_chain_flush(t, c);
}

static int do_flush(struct ipt_table *t, const struct ipchains_cmd *cmd,
		    struct ipt_text *out, struct ipt_err *err)
{
	bool verbose = cmd->opts & IPCHAINS_OPT_VERBOSE;
	int ci;

	if (!cmd->chain[0]) {
		for (uint32_t i = 0; i < t->nchains; i++)
			flush_chain(t, &t->chains[i], verbose, out);
		return 0;
	}
	ci = chain_needed(t, cmd->chain, "No chain by that name", err);
	if (ci < 0)
		return 1;
	flush_chain(t, &t->chains[ci], verbose, out);
	return 0;
}

static bool target_word(const char *name)
{
	static const char *const words[] = {
		"ACCEPT", "DENY", "REJECT", "MASQ", "REDIRECT", "RETURN",
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(name, words[i]))
			return true;
	return false;
}

/* -N: a user chain, in its place in name order as the model keeps them */
static int chain_make(struct ipt_table *t, const char *name,
		      struct ipt_err *err)
{
	if (name[0] == '-' || name[0] == '!')
		return fail(err, "chain name `%s' may not start with `%c'", name,
			    name[0]);
	if (target_word(name))
		return fail(err, "chain name `%s' is the name of a target", name);
	switch (ipt_chain_add(t, name)) {
	case -1:
		return fail(err, "Chain already exists");
	case -2:
		return fail(err, "out of memory");
	}
	return 0;
}

static int chain_deletable(const struct ipt_chain *c, struct ipt_err *err)
{
	if (c->hook >= 0)
		return fail(err, "Device or resource busy (`%s' is a built-in chain)",
			    c->name);
	if (c->refs)
		return fail(err, "Device or resource busy (chain `%s' is the target of %u rules)",
			    c->name, c->refs);
	if (c->nrules)
		return fail(err, "Chain is not empty");
	return 0;
}

static void chain_remove(struct ipt_table *t, uint32_t i, bool verbose,
			 struct ipt_text *out)
{
	if (verbose && out)
		ipt_text_printf(out, "Deleting chain `%s'\n", t->chains[i].name);
	free(t->chains[i].rules);
	memmove(&t->chains[i], &t->chains[i + 1],
		(t->nchains - i - 1) * sizeof(*t->chains));
	t->nchains--;
}

static int do_delete_chain(struct ipt_table *t, const struct ipchains_cmd *cmd,
			   struct ipt_text *out, struct ipt_err *err)
{
	bool verbose = cmd->opts & IPCHAINS_OPT_VERBOSE;
	uint32_t nb = (uint32_t)builtin_count(t);
	int ci;

	if (!cmd->chain[0]) {
		for (uint32_t i = nb; i < t->nchains; i++)
			if (chain_deletable(&t->chains[i], err))
				return 1;
		while (t->nchains > nb)
			chain_remove(t, nb, verbose, out);
		return 0;
	}
	ci = chain_needed(t, cmd->chain, "No chain by that name", err);
	if (ci < 0 || chain_deletable(&t->chains[ci], err))
		return 1;
	chain_remove(t, (uint32_t)ci, verbose, out);
	return 0;
}

static int do_policy(struct ipt_table *t, const struct ipchains_cmd *cmd,
		     struct ipt_err *err)
{
	int ci = chain_needed(t, cmd->chain, "No chain by that name", err);

	if (ci < 0)
		return 1;
	if (t->chains[ci].hook < 0)
		return fail(err, "Can only set policy in built-in chains.");
	if (cmd->policy == IPT_POL_MASQ && t->chains[ci].hook != IPT_FORWARD)
		return fail(err, "`-P MASQ' only valid for `forward' chain.");
	t->chains[ci].policy = cmd->policy;
	return 0;
}

/**
 * ipchains_apply() - Run a parsed command on an ipchains ruleset
 * @rs:		the ruleset (its filter table); changed only on success
 * @cmd:	the command
 * @res:	names for -L without -n, or NULL
 * @out:	what the command prints (may be NULL)
 * @err:	why it failed
 *
 * Return: 0, 1 (refused: @err), 2 (-M, which is masqctl's)
 */
int ipchains_apply(struct ipt_ruleset *rs, const struct ipchains_cmd *cmd,
		   const struct ipt_resolver *res, struct ipt_text *out,
		   struct ipt_err *err)
{
	struct ipt_table *t = filter(rs);

	err->msg[0] = '\0';
	switch (cmd->op) {
	case IPCHAINS_OP_APPEND:
	case IPCHAINS_OP_INSERT:
	case IPCHAINS_OP_DELETE:
	case IPCHAINS_OP_REPLACE:
	case IPCHAINS_OP_CHECK:
		return rule_command(t, cmd, out, err);
	case IPCHAINS_OP_DELETE_NUM:
		return do_delete_num(t, cmd, err);
	case IPCHAINS_OP_LIST:
		return do_list(t, cmd, res, out, err);
	case IPCHAINS_OP_FLUSH:
		return do_flush(t, cmd, out, err);
	case IPCHAINS_OP_ZERO:
		return do_zero(t, cmd, out, err);
	case IPCHAINS_OP_NEW_CHAIN:
		return chain_make(t, cmd->chain, err);
	case IPCHAINS_OP_DELETE_CHAIN:
		return do_delete_chain(t, cmd, out, err);
	case IPCHAINS_OP_POLICY:
		return do_policy(t, cmd, err);
	case IPCHAINS_OP_HELP:
		if (out)
			ipchains_help(cmd->opts & IPCHAINS_OPT_HELP_ICMP, out);
		return 0;
	case IPCHAINS_OP_VERSION:
		if (out)
			ipt_text_printf(out, "ipchains 1.3.10, 1-Sep-2000\n");
		return 0;
	case IPCHAINS_OP_MASQ_LIST:
	case IPCHAINS_OP_MASQ_SET:
		fail(err, "-M is masqctl's: masqctl ipchains -M -L and -M -S run masq -L and masq -S");
		return 2;
	}
	return fail(err, "unknown command (%u)", cmd->op);
}

/* ---- the empty ruleset, and one command's words --------------------------------- */

/**
 * ipchains_init() - Make @rs the language's empty ruleset
 *		     (ipt_ipchains_ops.init)
 * @rs:		the ruleset
 *
 * Input and forward DENY, output ACCEPT, no rules, no user chains.
 * Return: 0, or -1 when out of memory
 */
int ipchains_init(struct ipt_ruleset *rs)
{
	struct ipt_table *t = filter(rs);
	int n;

	for (int i = 0; i < IPT_TABLES; i++)
		if (ipt_table_init(&rs->t[i], i))
			return -1;
	n = builtin_count(t);
	for (int i = 0; i < n; i++) {
		struct ipt_chain *c = &t->chains[i];

		switch (c->hook) {
		case IPT_INPUT:
			snprintf(c->name, sizeof(c->name), "%s", builtin_names[0]);
			c->policy = IPT_POL_DROP;
			break;
		case IPT_FORWARD:
			snprintf(c->name, sizeof(c->name), "%s", builtin_names[1]);
			c->policy = IPT_POL_DROP;
			break;
		default:
			snprintf(c->name, sizeof(c->name), "%s", builtin_names[2]);
			c->policy = IPT_POL_ACCEPT;
		}
	}
	rs->lang = IPT_LANG_IPCHAINS;
	return 0;
}

/**
 * ipchains_exec() - Parse one command's words and run it on @rs
 *		     (ipt_ipchains_ops.exec)
 * @rs:		an ipchains ruleset
 * @argc:	words
 * @argv:	the command's words, without "ipchains"
 * @res:	names for listings, or NULL (numbers)
 * @out:	listings and warnings
 * @err:	ipchains' words for a failure
 *
 * Return: the tool's exit status (2: a usage error)
 */
int ipchains_exec(struct ipt_ruleset *rs, int argc, char *const *argv,
		  const struct ipt_resolver *res, struct ipt_text *out,
		  struct ipt_err *err)
{
	struct ipchains_cmd *cmd = malloc(sizeof(*cmd));
	int ret;

	if (!cmd) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return 1;
	}
	if (ipchains_parse(argc, argv, res, cmd, err))
		ret = 2;
	else
		ret = ipchains_apply(rs, cmd, res, out, err);
	free(cmd);
	return ret;
}
