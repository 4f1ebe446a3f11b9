// SPDX-License-Identifier: MIT
/*
 * ipfwadm_exec.c - ipfwadm commands on the ruleset model, and the
 *		    language's table of operations (ipt_ipfwadm_ops)
 *
 * What each command does is what the 2.0 kernel's ip_fw.c did with the
 * setsockopt() ipfwadm 2.3.0 made of it:
 *
 *  - -a appends and -i inserts at the head one rule per source and
 *    destination pair; -d deletes the first rule equal to each, where
 *    equal is what the kernel compared (addresses, masks, interface name
 *    and address, the flags, policy and protocol, the ports and the
 *    redirection port; not the TOS masks). A rule keeps its TOS masks as
 *    the kernel did (AND | 0x01, XOR & 0xFE). All or nothing: a -d that
 *    misses one pair deletes none ("setsockopt failed: Invalid argument",
 *    the kernel's EINVAL, status 1).
 *  - -l lists (ipfwadm_print.c), -l -z lists and then zeroes, -z zeroes,
 *    -f flushes, -p sets a firewall's policy.
 *  - -c walks the category's chain with the packet, never counting, as
 *    ip_fw_chk() in check mode: addresses (either way for -b rules),
 *    interface address and name, -y (SYN without ACK) and -k (ACK), the
 *    protocol and its ports (ICMP: the type), the first rule that
 *    matches decides, else the policy. The answer is ipfwadm's: "packet
 *    accepted", "packet denied", "packet rejected" (status 0) and
 *    "packet masqueraded", and for a packet a -r rule redirects, which
 *    had no word in ipfwadm 2.3.0 (the kernel said ECONNABORTED), what
 *    ipfwadm printed: "ipfwadm: setsockopt failed: Software caused
 *    connection abort". The status is 0 for every answer: ipfwadm's own
 *    exit (-1, 255, after the last two, taken for failures) is masqctl's
 *    to give, from the words. The packet carries SYN when -y is given and ACK when -k is
 *    (ipfwadm 2.3.0 never set ACK in a checked packet, so a -k rule never
 *    matched one there). Unlike the kernel, the interface -V and -W name
 *    is not looked up: masq's rules know interfaces only by these words.
 *  - -M is masqctl's (masq -L, masq -S), not the ruleset's: refused here.
 *
 * save() writes the commands that rebuild the ruleset, each firewall's
 * policy and then its rules in order, the accounting rules last, with
 * "[packets:bytes] " before a command when counters are asked for;
 * restore() reads such text (and any file of changing ipfwadm commands)
 * into a fresh ruleset and replaces the old one only when every line
 * applied.
 *
 * Cost: -a/-i/-d O(rules in the chain); -c O(rules); save and restore
 * linear. Control plane only: a changing command runs on a copy.
 */
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipt/ipfwadm.h"
#include "ipt/ruleset.h"

#define EXIT_OK		0
#define EXIT_FAIL	1
#define EXIT_USAGE	2
#define MAX_WORDS	64	/* in a restore line: ipfwadm takes ~40 */
#define TOS_KEEP_LOW	0x01	/* the 2.0 kernel forced the AND's bit 0 */

static const char einval[] = "setsockopt failed: Invalid argument";

static int fail(struct ipt_err *err, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct ipt_err *err, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return status;
}

/* The category's chain in @rs, or NULL when @rs is not ipfwadm's */
static struct ipt_chain *cat_chain(struct ipt_ruleset *rs, enum fwadm_cat cat)
{
	const char *name = fwadm_chain_name(cat);

	if (!name || rs->lang != IPT_LANG_IPFWADM)
		return NULL;
	return ipt_chain_find(&rs->t[IPT_FILTER], name);
}

/* ---- rules in a chain -------------------------------------------------------- */

/* Rule @k of a command: its source and destination pair, source-major */
static void cmd_rule(const struct fwadm_cmd *c, uint32_t k, struct ipt_rule *r)
{
	uint32_t nd = c->ndst ? c->ndst : 1;

	*r = c->rule;
	if (c->nsrc)
		r->src = c->srcs[k / nd];
	if (c->ndst)
		r->dst = c->dsts[k % nd];
}

static uint32_t cmd_nrules(const struct fwadm_cmd *c)
{
	return (c->nsrc ? c->nsrc : 1) * (c->ndst ? c->ndst : 1);
}

/* The rule as the chain keeps it: TOS masks as the 2.0 kernel kept them */
static void rule_as_kept(struct ipt_rule *r)
{
	if (!(r->lg.flags & IPT_LG_TOS))
		return;
	r->lg.tos_and |= TOS_KEEP_LOW;
	r->lg.tos_xor &= (uint8_t)~TOS_KEEP_LOW;
	if (r->lg.tos_and == 0xFF && !r->lg.tos_xor) {
		r->lg.flags &= (uint16_t)~IPT_LG_TOS;
		r->lg.tos_and = 0;
	}
}

/* Put @r at @pos (room reserved) */
static void rule_put(struct ipt_chain *c, uint32_t pos, const struct ipt_rule *r)
{
	memmove(&c->rules[pos + 1], &c->rules[pos],
		(size_t)(c->nrules - pos) * sizeof(*r));
	c->rules[pos] = *r;
	c->nrules++;
}

/* Is @a the rule @b would delete? What del_from_chain() compared */
static bool rule_same(const struct ipt_rule *a, const struct ipt_rule *b)
{
	uint16_t fa = a->lg.flags & (uint16_t)~IPT_LG_TOS;
	uint16_t fb = b->lg.flags & (uint16_t)~IPT_LG_TOS;

	return a->src == b->src && a->smsk == b->smsk && a->dst == b->dst &&
	       a->dmsk == b->dmsk && a->proto == b->proto &&
	       !strncmp(a->in, b->in, sizeof(a->in)) && fa == fb &&
	       a->lg.via == b->lg.via && a->t.kind == b->t.kind &&
	       !memcmp(&a->t.u.nat, &b->t.u.nat, sizeof(a->t.u.nat)) &&
	       a->lg.nsp == b->lg.nsp && a->lg.ndp == b->lg.ndp &&
	       !memcmp(a->lg.sp, b->lg.sp, a->lg.nsp * sizeof(a->lg.sp[0])) &&
	       !memcmp(a->lg.dp, b->lg.dp, a->lg.ndp * sizeof(a->lg.dp[0]));
}

/* -v: the line ipfwadm printed before each rule it sent */
static void verbose_rule(const struct fwadm_cmd *c, const struct ipt_rule *r,
			 struct ipt_text *out)
{
	if ((c->opts & FWADM_OPT_VERBOSE) && out)
		fwadm_print_verbose(r, (enum fwadm_cat)c->cat, out);
}

/* -a and -i: every pair, appended in order or each at the head */
static int add_rules(struct ipt_chain *ch, const struct fwadm_cmd *c,
		     struct ipt_text *out, struct ipt_err *err)
{
	uint32_t n = cmd_nrules(c);

	if (ipt_chain_reserve(ch, n))
		return fail(err, EXIT_FAIL, "setsockopt failed: Cannot allocate memory");
	for (uint32_t k = 0; k < n; k++) {
		struct ipt_rule r;

		cmd_rule(c, k, &r);
		verbose_rule(c, &r, out);
		rule_as_kept(&r);
		rule_put(ch, c->cmd == FWADM_CMD_INSERT ? 0 : ch->nrules, &r);
	}
	return EXIT_OK;
}

/* -d: the first equal rule of each pair; none deleted if one is missing */
static int delete_rules(struct ipt_chain *ch, const struct fwadm_cmd *c,
			struct ipt_text *out, struct ipt_err *err)
{
	uint32_t n = cmd_nrules(c), left = ch->nrules;
	struct ipt_rule *keep;

	keep = malloc(((size_t)left + 1) * sizeof(*keep));
	if (!keep)
		return fail(err, EXIT_FAIL, "setsockopt failed: Cannot allocate memory");
	memcpy(keep, ch->rules, (size_t)left * sizeof(*keep));
	for (uint32_t k = 0; k < n; k++) {
		struct ipt_rule r;
		uint32_t i = 0;

		cmd_rule(c, k, &r);
		verbose_rule(c, &r, out);
		while (i < left && !rule_same(&keep[i], &r))
			i++;
		if (i == left) {
			free(keep);
			return fail(err, EXIT_FAIL, "%s (no such rule in the %s chain)",
				    einval, fwadm_chain_name((enum fwadm_cat)c->cat));
		}
		memmove(&keep[i], &keep[i + 1], (size_t)(left - i - 1) * sizeof(*keep));
		left--;
	}
	free(ch->rules);
	ch->rules = keep;
	ch->nrules = left;
	ch->cap = left + 1;
	return EXIT_OK;
}

static void zero_chain(struct ipt_chain *ch)
{
	for (uint32_t i = 0; i < ch->nrules; i++)
		ch->rules[i].pkts = ch->rules[i].bytes = 0;
	ch->pol_pkts = ch->pol_bytes = 0;
}

static uint8_t policy_of(uint8_t pol)
{
	if (pol & FWADM_POL_MASQ)
		return IPT_POL_MASQ;
	if (pol & FWADM_POL_ACCEPT)
		return IPT_POL_ACCEPT;
	return (pol & FWADM_POL_REJECT) ? IPT_POL_REJECT : IPT_POL_DROP;
}

/* ---- -c: the check mode's walk ---------------------------------------------- */

enum verdict { V_ACCEPT, V_DENY, V_REJECT, V_MASQ, V_REDIRECT };

static bool port_in(const struct ipt_portrange *pr, uint8_t n, uint16_t v)
{
	if (!n)
		return true;
	for (uint8_t i = 0; i < n; i++)
		if (pr[i].lo <= v && v <= pr[i].hi)
			return true;
	return false;
}

/* Which ways the addresses match: 1 as written, 2 reversed (-b) */
static unsigned addr_ways(const struct ipt_rule *f, const struct ipt_rule *p)
{
	unsigned ways = 0;

	if ((p->src & f->smsk) == f->src && (p->dst & f->dmsk) == f->dst)
		ways |= 1;
	if ((f->lg.flags & IPT_LG_BIDIR) && (p->dst & f->smsk) == f->src &&
	    (p->src & f->dmsk) == f->dst)
		ways |= 2;
	return ways;
}

static bool ports_match(const struct ipt_rule *f, const struct ipt_rule *p,
			unsigned ways)
{
	uint16_t sp = p->lg.sp[0].lo, dp = p->lg.dp[0].lo;
	const struct ipt_legacy *l = &f->lg;

	if (p->proto == IPPROTO_ICMP)
		return port_in(l->sp, l->nsp, sp);
	return ((ways & 1) && port_in(l->sp, l->nsp, sp) &&
		port_in(l->dp, l->ndp, dp)) ||
	       ((ways & 2) && port_in(l->sp, l->nsp, dp) &&
		port_in(l->dp, l->ndp, sp));
}

/* ip_fw_chk() in check mode: does rule @f match packet @p? */
static bool rule_matches(const struct ipt_rule *f, const struct ipt_rule *p)
{
	bool tcp = p->proto == IPPROTO_TCP;
	bool ack = tcp && (p->lg.flags & IPT_LG_ACK);
	bool syn = tcp && (p->lg.flags & IPT_LG_SYN) && !ack;
	unsigned ways = addr_ways(f, p);

	if (!ways || (f->lg.via && f->lg.via != p->lg.via) ||
	    !ipt_ifname_matches(f->in, p->in))
		return false;
	if ((f->lg.flags & IPT_LG_SYN) && tcp && !syn)
		return false;
	if ((f->lg.flags & IPT_LG_ACK) && tcp && !ack)
		return false;
	if (!f->proto)
		return true;
	return f->proto == p->proto && ports_match(f, p, ways);
}

static enum verdict rule_verdict(const struct ipt_rule *f)
{
	switch (f->t.kind) {
	case IPT_T_ACCEPT:	return V_ACCEPT;
	case IPT_T_MASQUERADE:	return V_MASQ;
	case IPT_T_REDIRECT:	return V_REDIRECT;
	case IPT_T_REJECT:	return V_REJECT;
	default:		return V_DENY;
	}
}

static enum verdict policy_verdict(uint8_t policy)
{
	switch (policy) {
	case IPT_POL_ACCEPT:	return V_ACCEPT;
	case IPT_POL_MASQ:	return V_MASQ;
	case IPT_POL_REJECT:	return V_REJECT;
	default:		return V_DENY;
	}
}

static enum verdict check_walk(const struct ipt_chain *ch,
			       const struct ipt_rule *pkt)
{
	for (uint32_t i = 0; i < ch->nrules; i++)
		if (rule_matches(&ch->rules[i], pkt))
			return rule_verdict(&ch->rules[i]);
	return policy_verdict(ch->policy);
}

/*
 * -c for each pair: ipfwadm's line per packet. Every answer is status 0
 * here (the check worked); masqctl exits as ipfwadm did (255 after
 * "packet masqueraded" or a redirect) from the words.
 */
static int check_packets(const struct ipt_chain *ch, const struct fwadm_cmd *c,
			 struct ipt_text *out)
{
	static const char *const said[] = {
		[V_ACCEPT] = "packet accepted", [V_DENY] = "packet denied",
		[V_REJECT] = "packet rejected", [V_MASQ] = "packet masqueraded",
		[V_REDIRECT] = "ipfwadm: setsockopt failed: Software caused connection abort",
	};

	for (uint32_t k = 0; k < cmd_nrules(c); k++) {
		struct ipt_rule pkt;

		cmd_rule(c, k, &pkt);
		if (c->opts & FWADM_OPT_VERBOSE)
			fwadm_print_packet(&pkt, out);
		ipt_text_printf(out, "%s\n", said[check_walk(ch, &pkt)]);
	}
	return EXIT_OK;
}

/* ---- one command -------------------------------------------------------------- */

static int run(struct ipt_ruleset *rs, const struct fwadm_cmd *c,
	       const struct ipt_resolver *res, struct ipt_text *out,
	       struct ipt_err *err)
{
	struct ipt_chain *ch;

	if (c->help) {
		ipt_text_printf(out, "%s", fwadm_help());
		return EXIT_OK;
	}
	if (c->cat == FWADM_MASQ)
		return fail(err, EXIT_FAIL, "-M is masqctl's: masq -L lists the masquerading entries, masq -S sets the timeouts");
	ch = cat_chain(rs, (enum fwadm_cat)c->cat);
	if (!ch)
		return fail(err, EXIT_FAIL, "the ruleset is not written in ipfwadm");
	if (c->cmd & FWADM_CMD_LIST)
		fwadm_list(ch, (enum fwadm_cat)c->cat, c->opts, res, out);
	if (c->cmd & FWADM_CMD_ZERO)
		zero_chain(ch);
	switch (c->cmd) {
	case FWADM_CMD_APPEND:
	case FWADM_CMD_INSERT:
		return add_rules(ch, c, out, err);
	case FWADM_CMD_DELETE:
		return delete_rules(ch, c, out, err);
	case FWADM_CMD_FLUSH:
		ipt_chain_flush(&rs->t[IPT_FILTER], ch);
		return EXIT_OK;
	case FWADM_CMD_POLICY:
		ch->policy = policy_of(c->policy);
		return EXIT_OK;
	case FWADM_CMD_CHECK:
		return check_packets(ch, c, out);
	}
	return EXIT_OK;
}

/**
 * fwadm_exec() - Run one ipfwadm command on a ruleset (ipt_ipfwadm_ops.exec)
 * @rs:		the ruleset (ipfwadm's); changed only when the command applies
 * @argc, @argv: the words after "ipfwadm"
 * @res:	lookups (masqctl's local listing) or NULL (masqd)
 * @out:	listings, -c's answers, -v lines
 * @err:	why, in ipfwadm's words
 *
 * Return: 0 (-c: every answer); 1 (refused: @err); 2 (a usage error)
 */
static int fwadm_exec(struct ipt_ruleset *rs, int argc, char *const *argv,
		      const struct ipt_resolver *res, struct ipt_text *out,
		      struct ipt_err *err)
{
	struct fwadm_cmd c;

	if (fwadm_parse(argc, argv, res, &c, err))
		return EXIT_USAGE;
	return run(rs, &c, res, out, err);
}

/* ---- the table of operations ------------------------------------------------- */

/* ipt_ipfwadm_ops.init: input and forward deny, output accept, acct */
static int fwadm_init(struct ipt_ruleset *rs)
{
	static const struct {
		enum ipt_hook hook;
		const char *name;
		uint8_t policy;
	} fw[] = {
		{ IPT_INPUT, "input", IPT_POL_DROP },
		{ IPT_FORWARD, "forward", IPT_POL_DROP },
		{ IPT_OUTPUT, "output", IPT_POL_ACCEPT },
	};
	struct ipt_table *t = &rs->t[IPT_FILTER];
	struct ipt_err err;

	if (ipt_table_init(t, IPT_FILTER))
		return -1;
	for (size_t k = 0; k < sizeof(fw) / sizeof(fw[0]); k++) {
		for (uint32_t i = 0; i < t->nchains; i++) {
			struct ipt_chain *c = &t->chains[i];

			if (c->hook != (int8_t)fw[k].hook)
				continue;
			snprintf(c->name, sizeof(c->name), "%s", fw[k].name);
			c->policy = fw[k].policy;
		}
	}
	if (ipt_chain_create(t, fwadm_chain_name(FWADM_ACCT), &err))
		return -1;
	rs->lang = IPT_LANG_IPFWADM;
	return 0;
}

/* ipt_ipfwadm_ops.changes: rules, policies, flushes */
static bool fwadm_changes(int argc, char *const *argv)
{
	struct fwadm_cmd c;
	struct ipt_err err;

	if (fwadm_parse(argc, argv, NULL, &c, &err) || c.help)
		return false;
	return c.cat != FWADM_MASQ &&
	       (c.cmd & (FWADM_CMD_RULE | FWADM_CMD_FLUSH | FWADM_CMD_POLICY));
}

/* The words that give rule @r again in category @cat */
static void save_rule(const struct ipt_rule *r, enum fwadm_cat cat,
		      struct ipt_text *out)
{
	struct fwadm_cmd c;

	fwadm_cmd_of_rule(r, cat, &c);
	fwadm_format(&c, out);
}

static void save_counters(const uint64_t *pkts, const uint64_t *bytes,
			  unsigned flags, struct ipt_text *out)
{
	if (flags & IPT_LSAVE_COUNTERS)
		ipt_text_printf(out, "[%llu:%llu] ",
				(unsigned long long)ipt_ctr_get(pkts),
				(unsigned long long)ipt_ctr_get(bytes));
}

static void save_chain(struct ipt_ruleset *rs, enum fwadm_cat cat,
		       unsigned flags, struct ipt_text *out)
{
	static const char *const words[] = { "-F", "-I", "-O" };
	const struct ipt_chain *ch = cat_chain(rs, cat);

	if (!ch)
		return;
	if (cat != FWADM_ACCT) {
		save_counters(&ch->pol_pkts, &ch->pol_bytes, flags, out);
		ipt_text_printf(out, "ipfwadm %s -p %s\n", words[cat],
				ch->policy == IPT_POL_MASQ ? "masquerade" :
				fwadm_policy_name(ch->policy));
	}
	for (uint32_t i = 0; i < ch->nrules; i++) {
		save_counters(&ch->rules[i].pkts, &ch->rules[i].bytes, flags, out);
		ipt_text_printf(out, "ipfwadm ");
		save_rule(&ch->rules[i], cat, out);
	}
}

/* ipt_ipfwadm_ops.save */
static void fwadm_save(const struct ipt_ruleset *rs, unsigned flags,
		       struct ipt_text *out)
{
	static const enum fwadm_cat order[] = { FWADM_IN, FWADM_OUT, FWADM_FWD,
						FWADM_ACCT };

	ipt_text_printf(out, "# ipfwadm-save (masq): the commands that rebuild the ruleset\n");
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		save_chain((struct ipt_ruleset *)rs, order[k], flags, out);
}

/* "[P:B] " at the start of a restore line: counters to put; 0, 1 none, -1 bad */
static int counters_parse(const char **line, uint64_t *pkts, uint64_t *bytes)
{
	unsigned long long p, b;
	int n = 0;

	if (**line != '[')
		return 1;
	if (sscanf(*line, "[%llu:%llu]%n", &p, &b, &n) != 2 || !n ||
	    (*line)[1] < '0' || (*line)[1] > '9')
		return -1;
	*pkts = p;
	*bytes = b;
	*line += n;
	while (**line == ' ' || **line == '\t')
		(*line)++;
	return 0;
}

/* The counters of a line go to the rule or policy it made */
static int counters_put(struct ipt_ruleset *rs, const struct fwadm_cmd *c,
			uint64_t pkts, uint64_t bytes)
{
	struct ipt_chain *ch = cat_chain(rs, (enum fwadm_cat)c->cat);

	if (c->cmd == FWADM_CMD_POLICY) {
		ch->pol_pkts = pkts;
		ch->pol_bytes = bytes;
		return 0;
	}
	if (c->cmd != FWADM_CMD_APPEND || cmd_nrules(c) != 1 || !ch->nrules)
		return -1;
	ch->rules[ch->nrules - 1].pkts = pkts;
	ch->rules[ch->nrules - 1].bytes = bytes;
	return 0;
}

/* "line N: " before the reason @err already holds */
static int line_fail(struct ipt_err *err, int lineno)
{
	struct ipt_err why = *err;

	return fail(err, -1, "line %d: %.200s", lineno, why.msg);
}

/* One line of restore text on @rs */
static int restore_line(struct ipt_ruleset *rs, const char *line, int lineno,
			struct ipt_err *err)
{
	char store[4096], *w[MAX_WORDS];
	struct ipt_text junk = { 0 };
	uint64_t pkts = 0, bytes = 0;
	struct fwadm_cmd c;
	int n, none = counters_parse(&line, &pkts, &bytes);

	if (none < 0)
		return fail(err, -1, "line %d: bad counters (want [PACKETS:BYTES])", lineno);
	n = ipt_split(line, w, MAX_WORDS, store, sizeof(store), err);
	if (n < 0)
		return line_fail(err, lineno);
	if (!n || strcmp(w[0], "ipfwadm"))
		return fail(err, -1, "line %d: not an ipfwadm command", lineno);
	if (fwadm_parse(n - 1, w + 1, NULL, &c, err))
		return line_fail(err, lineno);
	if (c.help || c.cat == FWADM_MASQ ||
	    !(c.cmd & (FWADM_CMD_RULE | FWADM_CMD_FLUSH | FWADM_CMD_POLICY)))
		return fail(err, -1, "line %d: only -a -i -d -f -p commands may be restored", lineno);
	if (run(rs, &c, NULL, &junk, err)) {
		ipt_text_free(&junk);
		return line_fail(err, lineno);
	}
	ipt_text_free(&junk);
	if (!none && counters_put(rs, &c, pkts, bytes))
		return fail(err, -1, "line %d: counters only go with -a (one rule) or -p", lineno);
	return 0;
}

/* Every line of @text on @rs; 0 or -1 with @err */
static int restore_lines(struct ipt_ruleset *rs, const char *text,
			 struct ipt_err *err)
{
	char line[4096];
	int lineno = 0;

	while (*text) {
		size_t len = strcspn(text, "\n");
		const char *p = line;

		lineno++;
		if (len >= sizeof(line))
			return fail(err, -1, "line %d: too long", lineno);
		memcpy(line, text, len);
		line[len] = '\0';
		text += len + (text[len] == '\n');
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			continue;
		if (restore_line(rs, p, lineno, err))
			return -1;
	}
	return 0;
}

/* ipt_ipfwadm_ops.restore: all or nothing */
static int fwadm_restore(struct ipt_ruleset *rs, const char *text,
			 struct ipt_err *err)
{
	struct ipt_ruleset *n = ipt_ruleset_new();

	if (!n || fwadm_init(n)) {
		ipt_ruleset_free(n);
		return fail(err, -1, "out of memory");
	}
	if (restore_lines(n, text, err)) {
		ipt_ruleset_free(n);
		return -1;
	}
	for (int t = 0; t < IPT_TABLES; t++) {
		ipt_table_free(&rs->t[t]);
		rs->t[t] = n->t[t];
	}
	rs->lang = n->lang;
	rs->loaded = n->loaded;
	free(n);
	return 0;
}

const struct ipt_lang_ops ipt_ipfwadm_ops = {
	.name = "ipfwadm",
	.save_word = "ipfwadm-save",
	.restore_word = "ipfwadm-restore",
	.init = fwadm_init,
	.changes = fwadm_changes,
	.exec = fwadm_exec,
	.save = fwadm_save,
	.restore = fwadm_restore,
};
