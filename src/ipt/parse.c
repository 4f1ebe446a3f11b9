// SPDX-License-Identifier: MIT
/*
 * parse.c - iptables command words -> struct ipt_cmd
 *
 * Owns the language's syntax: which options exist and which combinations
 * are refused (the values' syntax is parse_word.c's, the matches' and
 * targets' options are parse_match.c's, parse_target.c's and their own
 * files', through the registry in ext.h; format.c writes a command back). It knows nothing of rulesets:
 * whether a chain exists, whether a target is allowed in a table or a
 * hook is ipt_exec()'s question (the kernel's, for iptables).
 *
 * Theory of operation. One pass over the words, as getopt_long() walks
 * them for iptables:
 *  - "-x" words are clusters of short options ("-nvL", "-tnat"); "--name"
 *    words are long options, with "=value" allowed, and with unambiguous
 *    abbreviations ("--dport" for --destination-port, "--to" for
 *    --to-source) as getopt_long() allows them;
 *  - a long option is looked up first among the base options, then among
 *    the options of the loaded extensions, newest first (a second -m tcp
 *    takes the --dport written after it); only when nothing matches, and
 *    -p tcp/udp/icmp/sctp/dccp was given before, is the protocol's own
 *    match loaded implicitly at this point of the rule (so it lands in
 *    rule.m[] where its first option was written);
 *  - "!" before an option negates it;
 *  - a command's positional words (chain, rule number, new name, policy)
 *    are read right after the command option, as iptables does.
 * Then one check of the whole: the command's allowed options, each
 * match's and the target's required options, the protocol each needs.
 *
 * Facts checked against iptables-legacy 1.8.9 (in a scratch namespace):
 *  - save order is rule.m[] order, and an implicit match is placed where
 *    its first option is: "-m state --state NEW -p tcp --dport 22" saves
 *    as "-p tcp -m state --state NEW -m tcp --dport 22";
 *    "-m comment --comment x -p tcp --dport 22" as "-p tcp -m comment
 *    --comment x -m tcp --dport 22"; "-p tcp --dport 22 -m tcp --sport 1"
 *    keeps two tcp matches; an option after a second "-m tcp" fills it;
 *  - protocol options before -p are unknown ("--dport 22 -p tcp" fails),
 *    but an explicit "-m tcp --dport 1 -p tcp" is fine;
 *  - -m multiport and the NAT targets' ports need -p before them;
 *  - state names are case-insensitive, "NEW," or "" are refused; ICMP
 *    type names are case-insensitive with unambiguous prefixes; reject
 *    types are case-insensitive, a prefix takes the first in table order;
 *    log level names are case-sensitive and "err"/"warn" are refused;
 *    numbers are read as strtoul(base 0) reads them (0x hex, 0 octal),
 *    except the --limit rate, which is decimal only;
 *  - "-s 1.2.3" is 1.2.3.0, "-s 1.2.3.4/024" is /20 (octal), dotted
 *    masks need not be contiguous, "-s a,b" gives one rule per address;
 *  - "-o" with INPUT/PREROUTING and "-i" with OUTPUT/POSTROUTING are
 *    refused by the parser; a -R rule must have one address each side;
 *  - --log-prefix is cut to 29 characters and --comment to 255, silently;
 *  - -L and -S may each be combined with -Z; -v goes with any command;
 *    -n/-x/--line-numbers only with -L; -c with -A/-I/-R and -P.
 * Where masq is stricter than the reference, on purpose:
 *  - a newline in --comment (the language is line-based);
 *  - a blank or '/' in an interface name (the kernel refuses them,
 *    iptables only warns); a blank, or a leading '-' or '!', in any chain
 *    name (-N makes no such chain, and the canonical words could not
 *    carry it);
 *  - text after an ICMP code ("3/1:2", which iptables reads as 3/1);
 *  - --set-mss 0 (0 stands for --clamp-mss-to-pmtu here);
 *  - reversed NAT address ranges (the kernel misbehaves);
 *  - "-s" lists whose entries have different masks (a command keeps one
 *    mask per side);
 *  - -m, -j and rule options with commands that take no rule (iptables
 *    ignores -m there).
 * Where masq is looser: SNAT's and MASQUERADE's shifted range with base 0
 * ("--to-ports 10-20/0"), which the reference's -S prints for any base
 * but does not read back.
 * Checks the kernel makes are left to ipt_exec(), so they exit 1 as the
 * reference's "Invalid argument" does, not 2: the table and hook of each
 * target, the protocol of -m tcp, udp, icmp, sctp and dccp (and of REJECT
 * --reject-with tcp-reset), TCPMSS's need for a SYN match, limit's burst
 * 0 and overflow, a policy other than ACCEPT and DROP.
 *
 * Limits: 8 matches and 8 addresses per side, as ipt.h sizes them; every
 * copy is bounded and every word may be anything (this is fuzzed).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ipt/ipt.h"
#include "ipt/parsing.h"
#include "ipt/words.h"

/* The next word, consumed; NULL at the end */
static const char *take_word(struct parse *p)
{
	return p->next < p->argc ? p->argv[p->next++] : NULL;
}

/* The next word if it is not an option or "!" (positional arguments) */
static const char *take_positional(struct parse *p)
{
	const char *w;

	if (p->next >= p->argc)
		return NULL;
	w = p->argv[p->next];
	if (w[0] == '-' || w[0] == '!')
		return NULL;
	p->next++;
	return w;
}

/* ---- base options and lookup results ------------------------------------ */

struct base_opt;

/**
 * struct found - what a long option word named
 * @base:	a base option, or NULL
 * @eo:		else the extension option
 * @owner:	match index, OWNER_TARGET or OWNER_IMPLICIT
 */
struct found {
	const struct base_opt *base;
	const struct ext_opt *eo;
	int owner;
};

/**
 * struct base_opt - an option of iptables itself
 * @name:	long name (without "--")
 * @letter:	short name, or 0
 * @show:	how messages name it
 * @inv:	may be negated with "!"
 * @fn:		reads it; @attached is "-tnat"'s "nat" or "--table=nat"'s
 */
struct base_opt {
	const char *name;
	char letter;
	const char *show;
	bool inv;
	int (*fn)(struct parse *p, const struct base_opt *b,
		  const char *attached);
};

/* ---- extension options --------------------------------------------------- */

/* Read an extension option's words and hand them to its extension */
static int ext_option(struct parse *p, const struct found *f,
		      const char *attached)
{
	const struct ext_opt *o = f->eo;
	struct ipt_rule *r = &p->cmd->rule;
	const char *a[2] = { attached, NULL };
	const char *owner_name;
	uint32_t *seen;
	int idx = f->owner;

	for (int i = attached ? 1 : 0; i < o->nargs; i++)
		if (!(a[i] = take_word(p)))
			return fail(p, "option --%s needs %s", o->name,
				    o->nargs == 2 ? "two values" : "a value");
	if (!o->nargs && attached)
		return fail(p, "option --%s takes no value", o->name);
	if (idx == OWNER_IMPLICIT) {
		if (!match_add(p, (uint8_t)implicit_kind(p)))
			return -1;
		idx = r->nmatch - 1;
	}
	owner_name = idx == OWNER_TARGET ? target_exts[r->t.kind]->name :
		     match_exts[r->m[idx].kind]->name;
	if (o->id == OPT_UNSUPPORTED)
		return fail(p, "unsupported option --%s of %s", o->name,
			    owner_name);
	if (p->inv && !o->inv)
		return fail(p, "option --%s of %s cannot be negated", o->name,
			    owner_name);
	seen = idx == OWNER_TARGET ? &p->tseen : &p->mseen[idx];
	if (*seen & (1u << o->id))
		return fail(p, "option --%s of %s given twice", o->name,
			    owner_name);
	if (idx == OWNER_TARGET) {
		if (target_exts[r->t.kind]->opt(p, &r->t, o, a))
			return -1;
	} else if (match_exts[r->m[idx].kind]->opt(p, &r->m[idx], o, a)) {
		return -1;
	}
	*seen |= 1u << o->id;
	return 0;
}

/* The name of a chain to be made (-N, -E's new name) */
static int new_chain_copy(struct parse *p, const char *show, const char *name,
			  char out[IPT_CHAIN_MAXLEN + 1])
{
	if (name[0] == '-' || name[0] == '!')
		return fail(p, "chain name '%s' for %s may not start with '%c'",
			    name, show, name[0]);
	if (is_target_name(name))
		return fail(p, "chain name '%s' for %s is the name of a target",
			    name, show);
	return chain_copy(p, show, name, out);
}

/* ---- base options: commands ---------------------------------------------- */

/* Set the command; -L or -S may join -Z (IPT_OPT_ZERO) */
static int command_set(struct parse *p, uint8_t op, const char *show)
{
	struct ipt_cmd *c = p->cmd;
	bool lists = op == IPT_OP_LIST || op == IPT_OP_LIST_RULES;

	if (!p->have_cmd) {
		c->op = op;
		p->have_cmd = true;
		p->cmd_show = show;
		return 0;
	}
	if (!(c->opts & IPT_OPT_ZERO)) {
		if (op == IPT_OP_ZERO && (c->op == IPT_OP_LIST ||
					  c->op == IPT_OP_LIST_RULES)) {
			c->opts |= IPT_OPT_ZERO;
			return 0;
		}
		if (lists && c->op == IPT_OP_ZERO) {
			c->op = op;
			c->opts |= IPT_OPT_ZERO;
			p->cmd_show = show;
			return 0;
		}
	}
	return fail(p, "cannot use %s with %s", show, p->cmd_show);
}

/* The chain a command names (-L and -Z together may name only one) */
static int command_chain(struct parse *p, const char *show, const char *name)
{
	char chain[IPT_CHAIN_MAXLEN + 1] = "";

	if (chain_copy(p, show, name, chain))
		return -1;
	if (p->cmd->chain[0] && strcmp(p->cmd->chain, chain))
		return fail(p, "%s names a second chain '%s'", show, chain);
	memcpy(p->cmd->chain, chain, sizeof(chain));
	return 0;
}

static int rulenum_parse(struct parse *p, const char *show, const char *w)
{
	uint32_t n;

	if (!u32_parse(w, 0x7fffffff, &n) || !n)
		return fail(p, "bad rule number '%s' for %s", w, show);
	p->cmd->rulenum = n;
	return 0;
}

/* A required chain: attached, else the next word whatever it is */
static int chain_required(struct parse *p, const char *show,
			  const char *attached)
{
	const char *w = attached ? attached : take_word(p);

	if (!w || (w[0] == '-' && !attached))
		return fail(p, "%s needs a chain name", show);
	return command_chain(p, show, w);
}

/* An optional chain: attached, else the next word if not an option */
static int chain_optional(struct parse *p, const char *show,
			  const char *attached, bool *named)
{
	const char *w = attached ? attached : take_positional(p);

	*named = w != NULL;
	return w ? command_chain(p, show, w) : 0;
}

static int rulenum_optional(struct parse *p, const char *show)
{
	const char *w = take_positional(p);

	return w ? rulenum_parse(p, show, w) : 0;
}

/* -A, -C: chain; -I, -D: chain [n]; -R: chain n */
static int opt_rule_command(struct parse *p, const struct base_opt *b,
			    const char *attached)
{
	static const uint8_t ops[128] = {
		['A'] = IPT_OP_APPEND, ['C'] = IPT_OP_CHECK,
		['I'] = IPT_OP_INSERT, ['D'] = IPT_OP_DELETE,
		['R'] = IPT_OP_REPLACE,
	};
	const char *w;

	if (command_set(p, ops[(int)b->letter], b->show) ||
	    chain_required(p, b->show, attached))
		return -1;
	switch (b->letter) {
	case 'I':
		return rulenum_optional(p, b->show);
	case 'D':
		w = take_positional(p);
		if (!w)
			return 0;
		p->cmd->op = IPT_OP_DELETE_NUM;
		return rulenum_parse(p, b->show, w);
	case 'R':
		w = take_positional(p);
		if (!w)
			return fail(p, "-R needs a rule number");
		return rulenum_parse(p, b->show, w);
	}
	return 0;
}

/* -L, -S, -Z: [chain [n]]; -F, -X: [chain] */
static int opt_chain_command(struct parse *p, const struct base_opt *b,
			     const char *attached)
{
	static const uint8_t ops[128] = {
		['L'] = IPT_OP_LIST, ['S'] = IPT_OP_LIST_RULES,
		['Z'] = IPT_OP_ZERO, ['F'] = IPT_OP_FLUSH,
		['X'] = IPT_OP_DELETE_CHAIN,
	};
	bool named;

	if (command_set(p, ops[(int)b->letter], b->show) ||
	    chain_optional(p, b->show, attached, &named))
		return -1;
	if (named && (b->letter == 'L' || b->letter == 'S' || b->letter == 'Z'))
		return rulenum_optional(p, b->show);
	return 0;
}

static int opt_new_chain(struct parse *p, const struct base_opt *b,
			 const char *attached)
{
	const char *w = attached ? attached : take_word(p);

	if (command_set(p, IPT_OP_NEW_CHAIN, b->show))
		return -1;
	if (!w)
		return fail(p, "-N needs a chain name");
	return new_chain_copy(p, "-N", w, p->cmd->chain);
}

static int opt_rename_chain(struct parse *p, const struct base_opt *b,
			    const char *attached)
{
	const char *w;

	if (command_set(p, IPT_OP_RENAME_CHAIN, b->show) ||
	    chain_required(p, b->show, attached))
		return -1;
	w = take_positional(p);
	if (!w)
		return fail(p, "-E needs the old and the new chain name");
	return new_chain_copy(p, "-E", w, p->cmd->chain2);
}

static int opt_policy(struct parse *p, const struct base_opt *b,
		      const char *attached)
{
	const char *w;

	if (command_set(p, IPT_OP_POLICY, b->show) ||
	    chain_required(p, b->show, attached))
		return -1;
	w = take_positional(p);
	if (!w)
		return fail(p, "-P needs a chain and a policy");
	/* another word is libiptc's "Bad policy name" (exit status 1):
	 * ipt_exec()'s refusal, sent as the word "none" */
	if (!strcmp(w, "ACCEPT"))
		p->cmd->policy = IPT_POL_ACCEPT;
	else if (!strcmp(w, "DROP"))
		p->cmd->policy = IPT_POL_DROP;
	else
		p->cmd->policy = IPT_POL_NONE;
	return 0;
}

/* ---- base options: the rule ---------------------------------------------- */

/* Mark @bit given; "-p given twice" if it was */
static int given_once(struct parse *p, unsigned bit, const char *show)
{
	if (p->given & bit)
		return fail(p, "%s given twice", show);
	p->given |= bit;
	return 0;
}

/* The value of an option that needs one: attached, else the next word */
static const char *value_of(struct parse *p, const struct base_opt *b,
			    const char *attached)
{
	const char *w = attached ? attached : take_word(p);

	if (!w)
		fail(p, "%s needs a value", b->show);
	return w;
}

static int opt_addr(struct parse *p, const struct base_opt *b,
		    const char *attached)
{
	struct ipt_cmd *c = p->cmd;
	bool src = b->letter == 's';
	const char *w = value_of(p, b, attached);

	if (!w || given_once(p, src ? G_SRC : G_DST, b->show))
		return -1;
	if (addr_list_parse(p, b->show, w, src ? c->srcs : c->dsts,
			    src ? &c->nsrc : &c->ndst,
			    src ? c->smsks : c->dmsks))
		return -1;
	if (src) {
		c->rule.src = c->srcs[0];
		c->rule.smsk = c->smsks[0];
	} else {
		c->rule.dst = c->dsts[0];
		c->rule.dmsk = c->dmsks[0];
	}
	if (p->inv)
		c->rule.inv |= src ? IPT_INV_SRC : IPT_INV_DST;
	return 0;
}

/* A protocol: a name of the language or of -S's, a number, or a lookup */
int proto_parse(struct parse *p, const char *w, uint8_t *proto)
{
	static const struct {
		const char *name;
		uint8_t num;
	} names[] = { { "tcp", 6 }, { "udp", 17 }, { "icmp", 1 }, { "all", 0 } };
	uint32_t v;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcasecmp(w, names[i].name)) {
			*proto = names[i].num;
			return 0;
		}
	if (u32_parse(w, 255, &v)) {
		*proto = (uint8_t)v;
		return 0;
	}
	/* the names -S and iptables-save print (print.c), so a save reads
	 * back without a resolver */
	for (v = 1; v < 256; v++)
		if (ipt_proto_name((uint8_t)v) &&
		    !strcasecmp(w, ipt_proto_name((uint8_t)v))) {
			*proto = (uint8_t)v;
			return 0;
		}
	if (*w && p->res && p->res->proto && !p->res->proto(w, proto))
		return 0;
	return fail(p, "unknown protocol '%s'", w);
}

static int opt_proto(struct parse *p, const struct base_opt *b,
		     const char *attached)
{
	struct ipt_rule *r = &p->cmd->rule;
	const char *w = value_of(p, b, attached);

	if (!w || given_once(p, G_PROTO, b->show) ||
	    proto_parse(p, w, &r->proto))
		return -1;
	if (p->inv && !r->proto)
		return fail(p, "! -p %s would never match", w);
	if (p->inv)
		r->inv |= IPT_INV_PROTO;
	return 0;
}

static int opt_iface(struct parse *p, const struct base_opt *b,
		     const char *attached)
{
	struct ipt_rule *r = &p->cmd->rule;
	bool in = b->letter == 'i';
	const char *w = value_of(p, b, attached);

	if (!w || given_once(p, in ? G_IN : G_OUT, b->show) ||
	    iface_parse(p, b->show, w, in ? r->in : r->out))
		return -1;
	if (p->inv)
		r->inv |= in ? IPT_INV_IN : IPT_INV_OUT;
	return 0;
}

static int opt_frag(struct parse *p, const struct base_opt *b,
		    const char *attached)
{
	(void)attached;
	if (given_once(p, G_FRAG, b->show))
		return -1;
	p->cmd->rule.frag = true;
	if (p->inv)
		p->cmd->rule.inv |= IPT_INV_FRAG;
	return 0;
}

/* Defaults of a target, as iptables fills them */
static void target_defaults(struct ipt_target *t)
{
	if (t->kind == IPT_T_REJECT)
		t->u.reject_with = IPT_REJ_PORT_UNREACH;
	else if (t->kind == IPT_T_LOG)
		t->u.log.level = 4;
	else if (target_exts[t->kind]->init)
		target_exts[t->kind]->init(t);
}

/* -j TARGET or -j CHAIN; -g CHAIN */
static int opt_jump(struct parse *p, const struct base_opt *b,
		    const char *attached)
{
	struct ipt_target *t = &p->cmd->rule.t;
	const char *w = value_of(p, b, attached);
	int kind;

	if (!w)
		return -1;
	if (p->have_target)
		return fail(p, "%s: only one -j or -g per rule", b->show);
	if (!*w || strlen(w) > IPT_CHAIN_MAXLEN || has_blank(w))
		return fail(p, "bad target name '%s' for %s", w, b->show);
	if (*w == '-' || *w == '!')	/* no chain can have such a name */
		return fail(p, "Couldn't load target `%s'", w);
	p->have_target = true;
	p->given |= G_JUMP;
	kind = target_kind_by_name(w);
	if (b->letter == 'g') {
		if (is_target_name(w))
			return fail(p, "-g needs a chain, '%s' is a target", w);
		t->kind = IPT_T_GOTO;
	} else if (kind >= 0) {
		t->kind = (uint8_t)kind;
	} else if (is_target_name(w)) {
		return fail(p, "unsupported target '%s'", w);
	} else {
		t->kind = IPT_T_JUMP;
	}
	if (t->kind == IPT_T_JUMP || t->kind == IPT_T_GOTO)
		memcpy(t->chain, w, strlen(w) + 1);
	target_defaults(t);
	if (target_exts[t->kind]->opts)
		p->load[p->nload++] = OWNER_TARGET;
	return 0;
}

static int opt_match(struct parse *p, const struct base_opt *b,
		     const char *attached)
{
	const char *w = value_of(p, b, attached);

	if (!w)
		return -1;
	p->given |= G_MATCH;
	for (int k = 0; k < IPT_M_KINDS; k++)
		if (!strcmp(w, match_exts[k]->name))
			return match_add(p, (uint8_t)k) ? 0 : -1;
	if (!*w)
		return fail(p, "-m needs a match name");
	return fail(p, "unsupported match '%s'", w);
}

static int opt_table(struct parse *p, const struct base_opt *b,
		     const char *attached)
{
	const char *w = value_of(p, b, attached);
	int t;

	if (!w)
		return -1;
	t = ipt_table_by_name(w);	/* tablename.c */
	if (t >= 0) {
		p->cmd->table = (uint8_t)t;	/* the last -t wins */
		return 0;
	}
	if (!strcmp(w, "security"))
		return fail(p, "unsupported table '%s'", w);
	return fail(p, "unknown table '%s'", w);
}

static int opt_flag(struct parse *p, const struct base_opt *b,
		    const char *attached)
{
	static const struct {
		char letter;
		unsigned given;
		uint8_t opt;
	} flags[] = {
		{ 'n', G_NUMERIC, IPT_OPT_NUMERIC },
		{ 'v', G_VERBOSE, IPT_OPT_VERBOSE },
		{ 'x', G_EXACT, IPT_OPT_EXACT },
		{ 0, G_LINENUM, IPT_OPT_LINENUMBERS },
	};

	if (attached)
		return fail(p, "%s takes no value", b->show);
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
		if (flags[i].letter == b->letter) {
			p->given |= flags[i].given;
			p->cmd->opts |= flags[i].opt;
		}
	return 0;
}

static int opt_counters(struct parse *p, const struct base_opt *b,
			const char *attached)
{
	const char *pk = value_of(p, b, attached), *by;
	uint64_t v;

	if (!pk || given_once(p, G_COUNTERS, b->show))
		return -1;
	by = take_word(p);
	if (!by)
		return fail(p, "-c needs packet and byte counters");
	if (!num_parse(pk, UINT64_MAX, &v))
		return fail(p, "bad packet counter '%s' for -c", pk);
	p->cmd->rule.pkts = v;
	if (!num_parse(by, UINT64_MAX, &v))
		return fail(p, "bad byte counter '%s' for -c", by);
	p->cmd->rule.bytes = v;
	p->cmd->opts |= IPT_OPT_COUNTERS;
	return 0;
}

/*
 * -w [seconds], -W usecs: xtables lock waits; masq has no lock, so they
 * are read (a value must be a number) and ignored
 */
static int opt_wait(struct parse *p, const struct base_opt *b,
		    const char *attached)
{
	const char *w = attached ? attached : take_positional(p);
	uint64_t v;

	if (!w && b->letter == 'W')
		return fail(p, "-W needs a value");
	if (w && !num_parse(w, UINT32_MAX, &v))
		return fail(p, "bad value '%s' for %s", w, b->show);
	return 0;
}

static int opt_ignored(struct parse *p, const struct base_opt *b,
		       const char *attached)
{
	(void)b;
	if (attached)
		return fail(p, "-4 takes no value");
	return 0;
}

static int opt_unsupported(struct parse *p, const struct base_opt *b,
			   const char *attached)
{
	(void)attached;
	return fail(p, "unsupported option %s", b->show);
}

static const struct base_opt base_opts[] = {
	{ "append", 'A', "-A", false, opt_rule_command },
	{ "check", 'C', "-C", false, opt_rule_command },
	{ "delete", 'D', "-D", false, opt_rule_command },
	{ "insert", 'I', "-I", false, opt_rule_command },
	{ "replace", 'R', "-R", false, opt_rule_command },
	{ "list", 'L', "-L", false, opt_chain_command },
	{ "list-rules", 'S', "-S", false, opt_chain_command },
	{ "flush", 'F', "-F", false, opt_chain_command },
	{ "zero", 'Z', "-Z", false, opt_chain_command },
	{ "delete-chain", 'X', "-X", false, opt_chain_command },
	{ "new-chain", 'N', "-N", false, opt_new_chain },
	{ "rename-chain", 'E', "-E", false, opt_rename_chain },
	{ "policy", 'P', "-P", false, opt_policy },
	{ "source", 's', "-s", true, opt_addr },
	{ "src", 's', "-s", true, opt_addr },
	{ "destination", 'd', "-d", true, opt_addr },
	{ "dst", 'd', "-d", true, opt_addr },
	{ "protocol", 'p', "-p", true, opt_proto },
	{ "in-interface", 'i', "-i", true, opt_iface },
	{ "out-interface", 'o', "-o", true, opt_iface },
	{ "fragment", 'f', "-f", true, opt_frag },
	{ "jump", 'j', "-j", false, opt_jump },
	{ "goto", 'g', "-g", false, opt_jump },
	{ "match", 'm', "-m", false, opt_match },
	{ "table", 't', "-t", false, opt_table },
	{ "numeric", 'n', "-n", false, opt_flag },
	{ "verbose", 'v', "-v", false, opt_flag },
	{ "exact", 'x', "-x", false, opt_flag },
	{ "line-numbers", 0, "--line-numbers", false, opt_flag },
	{ "set-counters", 'c', "-c", false, opt_counters },
	{ "wait", 'w', "-w", false, opt_wait },
	{ "wait-interval", 'W', "-W", false, opt_wait },
	{ "ipv4", '4', "-4", false, opt_ignored },
	{ "ipv6", '6', "-6 (masq is IPv4 only)", false, opt_unsupported },
	{ "help", 'h', "-h", false, opt_unsupported },
	{ "version", 'V', "-V", false, opt_unsupported },
	{ "modprobe", 'M', "-M", false, opt_unsupported },
};
static const size_t base_opts_n = ARRAY_SIZE(base_opts);

const char *base_opt_at(size_t i, char *letter)
{
	if (i >= base_opts_n)
		return NULL;
	*letter = base_opts[i].letter;
	return base_opts[i].name;
}

/* ---- option lookup ------------------------------------------------------- */

/*
 * Lookup state for one long option word. getopt_long() semantics: the
 * first exact name wins; else a prefix must point at one option (aliases
 * of one option count as one).
 */
struct lookup {
	const char *name;
	size_t len;
	struct found exact, prefix;
	int prefix_id;
	bool have_exact, have_prefix, ambiguous;
};

static void lookup_offer(struct lookup *l, const char *cand,
			 const struct found *f, int id)
{
	if (l->have_exact || strncmp(cand, l->name, l->len))
		return;
	if (!cand[l->len]) {
		l->exact = *f;
		l->have_exact = true;
		return;
	}
	if (!l->have_prefix) {
		l->prefix = *f;
		l->have_prefix = true;
		l->prefix_id = id;
	} else if (l->prefix.owner != f->owner || l->prefix_id != id) {
		l->ambiguous = true;
	}
}

static void lookup_ext(struct lookup *l, const struct ext_opt *opts, int owner)
{
	for (const struct ext_opt *o = opts; o && o->name; o++) {
		struct found f = { NULL, o, owner };

		lookup_offer(l, o->name, &f, o->id);
	}
}

/* Base options, then the loaded extensions, newest first */
static void lookup_loaded(struct parse *p, struct lookup *l)
{
	for (size_t i = 0; i < base_opts_n; i++) {
		struct found f = { &base_opts[i], NULL, OWNER_BASE };

		lookup_offer(l, base_opts[i].name, &f,
			     base_opts[i].letter ? base_opts[i].letter :
						   1000 + (int)i);
	}
	for (int k = p->nload - 1; k >= 0; k--) {
		int owner = p->load[k];

		if (owner == OWNER_TARGET)
			lookup_ext(l, target_exts[p->cmd->rule.t.kind]->opts,
				   owner);
		else
			lookup_ext(l, match_exts[p->cmd->rule.m[owner].kind]->opts,
				   owner);
	}
}

static int lookup_result(struct parse *p, struct lookup *l, struct found *f,
			 const char *word)
{
	if (l->have_exact) {
		*f = l->exact;
		return 1;
	}
	if (l->ambiguous)
		return fail(p, "ambiguous option '%s'", word);
	if (l->have_prefix) {
		*f = l->prefix;
		return 1;
	}
	return 0;
}

/* Find the option a "--name" word means; 0 with @f set, or -1 */
static int long_lookup(struct parse *p, const char *word, size_t len,
		       struct found *f)
{
	struct lookup l = { .name = word + 2, .len = len };
	int kind, r;

	if (!len)
		return fail(p, "bad option '%s'", word);
	lookup_loaded(p, &l);
	r = lookup_result(p, &l, f, word);
	if (r)
		return r < 0 ? -1 : 0;
	kind = implicit_kind(p);
	if (kind >= 0) {
		l = (struct lookup){ .name = word + 2, .len = len };
		lookup_ext(&l, match_exts[kind]->opts, OWNER_IMPLICIT);
		r = lookup_result(p, &l, f, word);
		if (r)
			return r < 0 ? -1 : 0;
	}
	return fail(p, "unknown option '%.*s'", (int)len + 2, word);
}

/* ---- the walk over the words --------------------------------------------- */

static int base_option(struct parse *p, const struct base_opt *b,
		       const char *attached)
{
	if (p->inv && !b->inv)
		return fail(p, "cannot have ! before %s", b->show);
	if (b->fn(p, b, attached))
		return -1;
	p->inv = false;
	return 0;
}

static const struct base_opt *short_lookup(char c)
{
	for (size_t i = 0; i < base_opts_n; i++)
		if (base_opts[i].letter == c)
			return &base_opts[i];
	return NULL;
}

/* Options that take a value take the rest of a cluster ("-tnat") */
static bool short_takes_rest(char c)
{
	return c && !strchr("nvxf4", c);
}

/*
 * Options whose value iptables 1.8.9 reads as the whole word when it is
 * attached (it takes argv[optind - 1], not optarg, for the options that
 * may follow a "!"): "-ptcp" names the protocol "-ptcp", "-ieth0" the
 * interface "-ieth0"
 */
static bool short_takes_word(char c)
{
	return c && strchr("psdioj", c);
}

/* "-nvL", "-tnat", "-AINPUT" */
static int short_cluster(struct parse *p, const char *word)
{
	for (const char *c = word + 1; *c; c++) {
		const struct base_opt *b = short_lookup(*c);

		if (!b)
			return fail(p, "unknown option '-%c'", *c);
		if (short_takes_word(*c) && c[1])
			return base_option(p, b, word);
		if (short_takes_rest(*c))
			return base_option(p, b, c[1] ? c + 1 : NULL);
		if (base_option(p, b, NULL))
			return -1;
	}
	return 0;
}

/* "--name" or "--name=value" */
static int long_option(struct parse *p, const char *word)
{
	const char *eq = strchr(word + 2, '=');
	size_t len = eq ? (size_t)(eq - word - 2) : strlen(word + 2);
	struct found f = { NULL, NULL, OWNER_BASE };
	int ret;

	if (long_lookup(p, word, len, &f))
		return -1;
	if (f.base)
		return base_option(p, f.base, eq ? eq + 1 : NULL);
	ret = ext_option(p, &f, eq ? eq + 1 : NULL);
	p->inv = false;
	return ret;
}

static int one_word(struct parse *p, const char *w)
{
	if (!strcmp(w, "!")) {
		if (p->inv)
			return fail(p, "two ! in a row");
		p->inv = true;
		return 0;
	}
	if (w[0] == '-' && w[1] == '-' && w[2])
		return long_option(p, w);
	if (w[0] == '-' && w[1] && w[1] != '-')
		return short_cluster(p, w);
	return fail(p, "bad argument '%s'", w);
}

/* ---- the whole command --------------------------------------------------- */

bool op_takes_rule(uint8_t op)
{
	return op == IPT_OP_APPEND || op == IPT_OP_INSERT ||
	       op == IPT_OP_DELETE || op == IPT_OP_REPLACE ||
	       op == IPT_OP_CHECK;
}

/* Which options each command allows (-v goes with all of them) */
static int options_allowed(struct parse *p)
{
	static const struct {
		unsigned bit;
		const char *show;
	} names[] = {
		{ G_NUMERIC, "-n" }, { G_EXACT, "-x" },
		{ G_LINENUM, "--line-numbers" }, { G_COUNTERS, "-c" },
		{ G_SRC, "-s" }, { G_DST, "-d" }, { G_PROTO, "-p" },
		{ G_IN, "-i" }, { G_OUT, "-o" }, { G_FRAG, "-f" },
		{ G_JUMP, "-j" }, { G_MATCH, "-m" },
	};
	uint8_t op = p->cmd->op;
	unsigned ok = G_VERBOSE, bad;

	if (op_takes_rule(op))
		ok |= G_RULE;
	if (op == IPT_OP_APPEND || op == IPT_OP_INSERT ||
	    op == IPT_OP_REPLACE || op == IPT_OP_POLICY)
		ok |= G_COUNTERS;
	if (op == IPT_OP_LIST)
		ok |= G_NUMERIC | G_EXACT | G_LINENUM;
	bad = p->given & ~ok;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (bad & names[i].bit)
			return fail(p, "option %s is not allowed with %s",
				    names[i].show, p->cmd_show);
	return 0;
}

/* -o means nothing on the way in, -i nothing on the way out */
static int interfaces_fit_chain(struct parse *p)
{
	static const char *const in_only[] = { "INPUT", "PREROUTING" };
	static const char *const out_only[] = { "OUTPUT", "POSTROUTING" };
	const char *chain = p->cmd->chain;

	if ((p->given & G_OUT) && name_in(chain, in_only, 2))
		return fail(p, "-o cannot be used with %s", chain);
	if ((p->given & G_IN) && name_in(chain, out_only, 2))
		return fail(p, "-i cannot be used with %s", chain);
	return 0;
}

static int rule_check(struct parse *p)
{
	struct ipt_cmd *c = p->cmd;
	struct ipt_rule *r = &c->rule;

	for (int i = 0; i < r->nmatch; i++) {
		const struct match_ext *e = match_exts[r->m[i].kind];

		if (e->check && e->check(p, &r->m[i]))
			return -1;
	}
	if (target_exts[r->t.kind]->check &&
	    target_exts[r->t.kind]->check(p, &r->t))
		return -1;
	if (c->op == IPT_OP_REPLACE && (c->nsrc > 1 || c->ndst > 1))
		return fail(p, "-R needs one source and one destination "
			    "address");
	return interfaces_fit_chain(p);
}

static int command_check(struct parse *p)
{
	if (p->inv)
		return fail(p, "nothing follows !");
	if (!p->have_cmd)
		return fail(p, "no command given (-A, -I, -D, -R, -C, -L, -S, "
			    "-F, -Z, -N, -X, -E or -P)");
	if (options_allowed(p))
		return -1;
	/* iptables' own check, before the kernel's (exit status 2) */
	if (p->cmd->table == IPT_NAT &&
	    ((p->cmd->op == IPT_OP_POLICY && p->cmd->policy == IPT_POL_DROP) ||
	     (op_takes_rule(p->cmd->op) && p->cmd->rule.t.kind == IPT_T_DROP)))
		return fail(p, "the nat table is not intended for filtering: "
			    "DROP is refused there");
	return op_takes_rule(p->cmd->op) ? rule_check(p) : 0;
}

/**
 * ipt_parse() - Parse the words of one iptables command
 * @argc, @argv:	the words after "iptables"
 * @res:		name lookups, or NULL for numeric words only
 * @cmd:		filled on success (zeroed first, so two parses of the
 *			same words compare equal with memcmp)
 * @err:		the reason on failure
 *
 * Cost: linear in the words (option lookup scans a few dozen names).
 * Return: 0, or -1 with @err set
 */
int ipt_parse(int argc, char *const *argv, const struct ipt_resolver *res,
	      struct ipt_cmd *cmd, struct ipt_err *err)
{
	struct ipt_err dummy;
	struct parse p = {
		.res = res, .cmd = cmd, .err = err ? err : &dummy,
		.argc = argc, .argv = argv,
	};

	memset(cmd, 0, sizeof(*cmd));
	p.err->msg[0] = 0;
	if (argc < 0 || (argc && !argv))
		return fail(&p, "no words");
	for (int i = 0; i < argc; i++)
		if (!argv[i])
			return fail(&p, "word %d is missing", i + 1);
	while (p.next < p.argc)
		if (one_word(&p, take_word(&p)))
			return -1;
	return command_check(&p);
}

/* ---- ipt_split ------------------------------------------------------------- */

bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

/**
 * ipt_split() - Split a line into words as a shell would for iptables-save
 * @line:	the text (NUL-terminated)
 * @words:	filled with pointers into @store; words[n] = NULL when room
 * @max:	size of @words
 * @store:	where the words' bytes go; @store_len its size
 * @err:	the reason on failure
 *
 * Blanks (space, tab, CR, LF) separate words. Double quotes group, and
 * may join with unquoted text (a"b c" is one word); inside them a
 * backslash takes the next character as it is (\" \\, and iptables-save's
 * \' too); outside them a backslash is an ordinary character.
 * Return: the word count, or -1 with @err set
 */
int ipt_split(const char *line, char **words, int max, char *store,
	      size_t store_len, struct ipt_err *err)
{
	struct ipt_err dummy;
	size_t used = 0;
	int n = 0;

	if (!err)
		err = &dummy;
	for (const char *s = line;;) {
		bool quoted = false;

		while (is_blank(*s))
			s++;
		if (!*s)
			break;
		if (n >= max) {
			snprintf(err->msg, sizeof(err->msg),
				 "more than %d words", max);
			return -1;
		}
		if (used >= store_len)
			goto too_long;
		words[n++] = store + used;
		for (; *s && (quoted || !is_blank(*s)); s++) {
			char c = *s;

			if (c == '"') {
				quoted = !quoted;
				continue;
			}
			if (quoted && c == '\\') {
				if (!s[1])
					break;
				c = *++s;
			}
			if (used + 1 >= store_len)
				goto too_long;
			store[used++] = c;
		}
		if (quoted) {
			snprintf(err->msg, sizeof(err->msg),
				 "unbalanced double quote in word %d", n);
			return -1;
		}
		store[used++] = 0;
	}
	if (n < max)
		words[n] = NULL;
	return n;
too_long:
	snprintf(err->msg, sizeof(err->msg),
		 "line too long (more than %zu bytes of words)", store_len);
	return -1;
}
