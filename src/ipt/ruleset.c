// SPDX-License-Identifier: MIT
/*
 * ruleset.c - tables, chains and rules, and the commands that change them
 *
 * Owns struct ipt_ruleset: its memory, its invariants, and ipt_exec(),
 * which applies one parsed iptables command the way iptables-legacy 1.8.9
 * and the kernel behind it do. print.c lists it, restore.c loads it, the
 * engine compiles it (src/engine/fw.c).
 *
 * Invariants, true after every call that returns:
 *  - each table holds its built-in chains first, in hook order, then its
 *    user chains sorted by strcmp() of their names (as libiptc keeps them,
 *    and as -S, -L and iptables-save print them);
 *  - every -j/-g names a user chain of the same table, and chain->refs is
 *    the number of rules that jump or go to that chain;
 *  - the table passes ipt_table_check(): what the kernel checks when a
 *    table is loaded (below).
 *
 * Theory of operation. iptables-legacy changes a table by handing the
 * kernel a whole new one; the kernel then checks the whole table and
 * refuses it if anything is wrong. So a command is refused not only for
 * what it adds but for what it uncovers: deleting "-A INPUT -j ACCEPT"
 * in nat can be refused because a -j MASQUERADE behind it becomes
 * reachable from INPUT. ipt_exec() does the same: it applies the command
 * in place, keeping what it needs to undo it (the rules it inserted,
 * removed or replaced), checks the table, and undoes on failure. Only the
 * four rule commands (-A -I -D -R) can make a table fail the check;
 * -F -X -Z -N -E -P cannot, and are checked only for their own
 * preconditions.
 *
 * The check (ipt_table_check()) follows the kernel's translate_table():
 * from each built-in chain it walks the rules in order, following jumps
 * and gotos, and stops walking a chain at its first unconditional ACCEPT,
 * DROP or RETURN (the rules after it are never reached). A jump back into
 * a chain on the current path is a loop: refused ("Too many levels of
 * symbolic links"). Loops among chains no built-in chain reaches are
 * allowed, as in the kernel. Then each rule is checked against the set of
 * built-in chains that reach it (none for unreachable rules): targets that
 * only exist in one table or at some hooks, matches that need a protocol
 * or a hook, and the TCPMSS and REJECT tcp-reset conditions; the messages
 * are the kernel's (dmesg), prefixed with the chain and rule number.
 *
 * Complexity: the check is O(rules in the table) (the kernel's cost on
 * every change, too), and a rule command pays it only when it can matter:
 * a rule added that jumps, or that a hook which may reach its chain
 * refuses (a nat target in a user chain, say), or a rule removed or
 * replaced that ended its chain's walk (undo_needs_check()). So the
 * common -A of a plain rule is O(1) amortised (the storage doubles) and
 * a long run of them is linear. The road not taken, tracking each chain's
 * hooks incrementally, would be much more code for little gain. Chain
 * lookups are O(log user chains); -E is O(rules) when the chain is
 * referenced (jumps are kept by name); -I and -D move the rules after
 * the place (memmove).
 *
 * Limits: a rule is copied whole (struct ipt_rule, about 2 KiB); chains
 * grow by doubling. Out of memory is an error that changes nothing.
 *
 * Where this differs from iptables-legacy 1.8.9 on purpose, because the
 * result could not be read back or is a quirk: -E (and restore's ":CHAIN"
 * lines) refuse the names -N refuses (target names such as LOG, more than
 * 28 characters), which the reference takes and then cannot save in a
 * form it reads back; the policy counters of built-in chains stay as they
 * are across commands that do not touch them (the reference zeroes them
 * all on any change); -D and -C say "Bad rule" whatever the target (the
 * reference says "No chain/target/match by that name" for some); messages
 * name the chain, rule and target instead of "Invalid argument. Run
 * `dmesg' for more information."
 */
#include <assert.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipt/ext.h"
#include "ruleset.h"

#define HOOK(h)	(1u << (h))
#define H_PRE	HOOK(IPT_PREROUTING)
#define H_IN	HOOK(IPT_INPUT)
#define H_FWD	HOOK(IPT_FORWARD)
#define H_OUT	HOOK(IPT_OUTPUT)
#define H_POST	HOOK(IPT_POSTROUTING)

#define MAX_COMBOS	64	/* 8 sources x 8 destinations (struct ipt_cmd) */

static const char *const hook_names[] = {
	"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING",
};
static_assert(sizeof(hook_names) / sizeof(hook_names[0]) == IPT_HOOKS,
	      "a name for each hook");

static const uint8_t table_hooks[] = {
	[IPT_FILTER] = H_IN | H_FWD | H_OUT,
	[IPT_NAT] = H_PRE | H_IN | H_OUT | H_POST,
	[IPT_MANGLE] = H_PRE | H_IN | H_FWD | H_OUT | H_POST,
	[IPT_RAW] = H_PRE | H_OUT,
};
static_assert(sizeof(table_hooks) / sizeof(table_hooks[0]) == IPT_TABLES,
	      "hooks for each table");

/*
 * Where the kernel lets a target or match be used (xt_check_target() and
 * xt_check_match()): 0 means anywhere / any protocol.
 */
struct xt_limits {
	uint8_t tables;		/* 1 << enum ipt_table_id */
	uint8_t hooks;		/* HOOK() bits */
	uint8_t proto;
};

static const struct xt_limits target_limits[IPT_T_KINDS] = {
	[IPT_T_REJECT] = { 1 << IPT_FILTER, H_IN | H_FWD | H_OUT, 0 },
	[IPT_T_TCPMSS] = { 0, 0, 6 },
	[IPT_T_MASQUERADE] = { 1 << IPT_NAT, H_POST, 0 },
	[IPT_T_SNAT] = { 1 << IPT_NAT, H_IN | H_POST, 0 },
	[IPT_T_DNAT] = { 1 << IPT_NAT, H_PRE | H_OUT, 0 },
	[IPT_T_REDIRECT] = { 1 << IPT_NAT, H_PRE | H_OUT, 0 },
	[IPT_T_TOS] = { 1 << IPT_MANGLE, 0, 0 },
	[IPT_T_TTL] = { 1 << IPT_MANGLE, 0, 0 },
	[IPT_T_NOTRACK] = { 1 << IPT_RAW, 0, 0 },
	[IPT_T_CT] = { 1 << IPT_RAW, 0, 0 },
};

static const struct xt_limits match_limits[IPT_M_KINDS] = {
	[IPT_M_TCP] = { 0, 0, 6 },
	[IPT_M_UDP] = { 0, 0, 17 },
	[IPT_M_ICMP] = { 0, 0, 1 },
	[IPT_M_MAC] = { 0, H_PRE | H_IN | H_FWD, 0 },
	[IPT_M_SCTP] = { 0, 0, 132 },
	[IPT_M_DCCP] = { 0, 0, 33 },
};

/*
 * Names a chain may not take: the targets iptables 1.8.9 (Debian 12) can
 * load, as "-N NAME" refuses them ("chain name may not clash with target
 * name"); checked against the reference one by one.
 */
static const char *const target_words[] = {
	"ACCEPT", "DROP", "QUEUE", "RETURN", "standard", "AUDIT", "CHECKSUM",
	"CLASSIFY", "CLUSTERIP", "CONNMARK", "CONNSECMARK", "CT", "DNAT",
	"DSCP", "ECN", "HMARK", "IDLETIMER", "LED", "LOG", "MARK",
	"MASQUERADE", "NETMAP", "NFLOG", "NFQUEUE", "NOTRACK", "RATEEST",
	"REDIRECT", "REJECT", "SECMARK", "SET", "SNAT", "SYNPROXY", "TCPMSS",
	"TCPOPTSTRIP", "TEE", "TOS", "TPROXY", "TRACE", "TTL", "ULOG",
};

/* iptables' own words, for -j DROP and -P DROP in nat */
static const char nat_drop[] = "The \"nat\" table is not intended for "
	"filtering, the use of DROP is therefore inhibited.";

static int fail(struct ipt_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Set @err and return -1: the one way errors leave this file */
static int fail(struct ipt_err *err, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* ---- names ------------------------------------------------------------- */

/**
 * ipt_hook_name() - The name of a built-in chain
 * @h:		the hook
 *
 * Return: "PREROUTING" ... "POSTROUTING", or "?"
 */
const char *ipt_hook_name(enum ipt_hook h)
{
	return (unsigned)h < IPT_HOOKS ? hook_names[h] : "?";
}

/**
 * ipt_table_has_hook() - Does a table have a built-in chain at a hook?
 * @t:		the table
 * @h:		the hook
 *
 * filter: INPUT FORWARD OUTPUT; nat: PREROUTING INPUT OUTPUT POSTROUTING;
 * mangle: all five; raw: PREROUTING OUTPUT.
 * Return: true if it does
 */
bool ipt_table_has_hook(enum ipt_table_id t, enum ipt_hook h)
{
	return (unsigned)t < IPT_TABLES && (unsigned)h < IPT_HOOKS &&
	       (table_hooks[t] & HOOK(h));
}

/* "PREROUTING/INPUT": the kernel's way of naming a set of hooks */
static const char *hooks_text(unsigned mask, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = 0;
	for (int h = 0; h < IPT_HOOKS && o < len; h++)
		if (mask & HOOK(h))
			o += (size_t)snprintf(buf + o, len - o, "%s%s",
					      o ? "/" : "", hook_names[h]);
	return buf;
}

static bool is_target_word(const char *name)
{
	for (size_t i = 0; i < sizeof(target_words) / sizeof(*target_words); i++)
		if (!strcmp(name, target_words[i]))
			return true;
	return false;
}

/* May @name be the name of a new user chain? (as iptables -N checks) */
static int chain_name_check(const char *name, struct ipt_err *err)
{
	size_t len = strnlen(name, IPT_CHAIN_MAXLEN + 1);

	if (!len)
		return fail(err, "chain name may not be empty");
	if (len > IPT_CHAIN_MAXLEN)
		return fail(err, "chain name `%.*s...' too long (must be under %d chars)",
			    IPT_CHAIN_MAXLEN, name, IPT_CHAIN_MAXLEN + 1);
	if (name[0] == '-' || name[0] == '!')
		return fail(err, "chain name not allowed to start with `%c'",
			    name[0]);
	for (size_t i = 0; i < len; i++)
		if (isspace((unsigned char)name[i]) ||
		    !isprint((unsigned char)name[i]))
			return fail(err, "Invalid chain name `%s'", name);
	if (is_target_word(name))
		return fail(err, "chain name `%s' may not clash with target name",
			    name);
	return 0;
}

/* ---- tables and chains ------------------------------------------------- */

static uint32_t table_nbuiltin(const struct ipt_table *t)
{
	uint32_t n = 0;

	while (n < t->nchains && t->chains[n].hook >= 0)
		n++;
	return n;
}

/* First user chain whose name is not below @name (binary search) */
static uint32_t user_lower_bound(const struct ipt_table *t, const char *name)
{
	uint32_t lo = table_nbuiltin(t), hi = t->nchains;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (strcmp(t->chains[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Index of chain @name in @t, or -1; O(log user chains) */
static int chain_index(const struct ipt_table *t, const char *name)
{
	uint32_t nb = table_nbuiltin(t), i;

	if (strnlen(name, IPT_CHAIN_MAXLEN + 1) > IPT_CHAIN_MAXLEN)
		return -1;
	for (i = 0; i < nb; i++)
		if (!strcmp(t->chains[i].name, name))
			return (int)i;
	i = user_lower_bound(t, name);
	if (i < t->nchains && !strcmp(t->chains[i].name, name))
		return (int)i;
	return -1;
}

/**
 * ipt_chain_find() - A chain of a table by name
 * @t:		the table
 * @name:	the chain's name (built-in or user)
 *
 * O(log user chains). The pointer is good until the table's chains change
 * (-N, -X, -E move them).
 * Return: the chain, or NULL
 */
struct ipt_chain *ipt_chain_find(struct ipt_table *t, const char *name)
{
	int i = chain_index(t, name);

	return i < 0 ? NULL : &t->chains[i];
}

static int table_reserve_chains(struct ipt_table *t, uint32_t extra)
{
	struct ipt_chain *c;
	uint32_t cap = t->cap ? t->cap : 8;

	if (t->nchains + extra <= t->cap)
		return 0;
	while (cap < t->nchains + extra)
		cap *= 2;
	c = realloc(t->chains, (size_t)cap * sizeof(*c));
	if (!c)
		return -1;
	t->chains = c;
	t->cap = cap;
	return 0;
}

/**
 * ipt_table_init() - Make a table hold only its built-in chains
 * @t:		the table (freed first; zeroed or valid)
 * @tid:	which table
 *
 * The chains are empty, their policies ACCEPT, their counters 0.
 * Return: 0, or -1 when out of memory (@t unchanged)
 */
int ipt_table_init(struct ipt_table *t, enum ipt_table_id tid)
{
	struct ipt_table n = { 0 };

	if (table_reserve_chains(&n, IPT_HOOKS))
		return -1;
	for (int h = 0; h < IPT_HOOKS; h++) {
		struct ipt_chain *c;

		if (!(table_hooks[tid] & HOOK(h)))
			continue;
		c = &n.chains[n.nchains++];
		memset(c, 0, sizeof(*c));
		snprintf(c->name, sizeof(c->name), "%s", hook_names[h]);
		c->hook = (int8_t)h;
		c->policy = IPT_POL_ACCEPT;
	}
	ipt_table_free(t);
	*t = n;
	return 0;
}

/**
 * ipt_table_free() - Free a table's chains and rules, and zero it
 * @t:		the table
 */
void ipt_table_free(struct ipt_table *t)
{
	for (uint32_t i = 0; i < t->nchains; i++)
		free(t->chains[i].rules);
	free(t->chains);
	memset(t, 0, sizeof(*t));
}

/*
 * Copy a struct of @size bytes whose two counters (uint64_t, adjacent)
 * start at byte @ctr: the counters with relaxed atomic loads, since the
 * packet thread may be moving them (ipt_ctr_get()), the rest as bytes.
 * A memcpy of the whole would be a data race.
 */
static void copy_around_ctrs(void *dst, const void *src, size_t size,
			     size_t ctr)
{
	const uint64_t *sc = (const uint64_t *)((const char *)src + ctr);
	uint64_t *dc = (uint64_t *)((char *)dst + ctr);
	size_t after = ctr + 2 * sizeof(uint64_t);

	memcpy(dst, src, ctr);
	dc[0] = ipt_ctr_get(&sc[0]);
	dc[1] = ipt_ctr_get(&sc[1]);
	memcpy((char *)dst + after, (const char *)src + after, size - after);
}
static_assert(offsetof(struct ipt_rule, bytes) ==
	      offsetof(struct ipt_rule, pkts) + sizeof(uint64_t),
	      "copy_around_ctrs(): a rule's counters are adjacent");
static_assert(offsetof(struct ipt_chain, pol_bytes) ==
	      offsetof(struct ipt_chain, pol_pkts) + sizeof(uint64_t),
	      "copy_around_ctrs(): a policy's counters are adjacent");

/* Copy chain @s's head (not its rules), counters read atomically */
static void chain_head_copy(struct ipt_chain *d, const struct ipt_chain *s)
{
	copy_around_ctrs(d, s, sizeof(*d), offsetof(struct ipt_chain, pol_pkts));
}

/* Copy @n rules, counters read atomically: O(n), two memcpys a rule */
static void rules_copy(struct ipt_rule *d, const struct ipt_rule *s,
		       uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		copy_around_ctrs(&d[i], &s[i], sizeof(*d),
				 offsetof(struct ipt_rule, pkts));
}

/**
 * ipt_table_copy() - Make @dst a deep copy of @src
 * @dst:	the table replaced (freed only on success)
 * @src:	the table copied
 *
 * Its counters are read with relaxed atomic loads, so a copy may be made
 * while the engine's packet thread counts in @src (ipt.h).
 * Return: 0, or -1 when out of memory (@dst unchanged)
 */
int ipt_table_copy(struct ipt_table *dst, const struct ipt_table *src)
{
	struct ipt_table n = { 0 };

	if (table_reserve_chains(&n, src->nchains ? src->nchains : 1))
		return -1;
	for (uint32_t i = 0; i < src->nchains; i++) {
		const struct ipt_chain *s = &src->chains[i];
		struct ipt_chain *d = &n.chains[n.nchains];

		chain_head_copy(d, s);
		d->rules = NULL;
		d->cap = 0;
		if (s->nrules) {
			d->rules = malloc((size_t)s->nrules * sizeof(*d->rules));
			if (!d->rules) {
				ipt_table_free(&n);
				return -1;
			}
			rules_copy(d->rules, s->rules, s->nrules);
			d->cap = s->nrules;
		}
		n.nchains++;
	}
	ipt_table_free(dst);
	*dst = n;
	return 0;
}

/**
 * ipt_ruleset_new() - A ruleset as a fresh kernel has it
 *
 * Every table with its built-in chains, empty, policies ACCEPT.
 * Return: the ruleset, or NULL when out of memory
 */
struct ipt_ruleset *ipt_ruleset_new(void)
{
	struct ipt_ruleset *rs = calloc(1, sizeof(*rs));

	if (!rs)
		return NULL;
	for (int t = 0; t < IPT_TABLES; t++) {
		if (ipt_table_init(&rs->t[t], t)) {
			ipt_ruleset_free(rs);
			return NULL;
		}
	}
	rs->loaded = IPT_TABLES_AT_START;
	return rs;
}

/**
 * ipt_ruleset_copy() - A deep copy of a ruleset
 * @rs:		the ruleset (its counters may be moving: ipt_table_copy())
 *
 * Return: the copy, or NULL when out of memory
 */
struct ipt_ruleset *ipt_ruleset_copy(const struct ipt_ruleset *rs)
{
	struct ipt_ruleset *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	for (int t = 0; t < IPT_TABLES; t++) {
		if (ipt_table_copy(&n->t[t], &rs->t[t])) {
			ipt_ruleset_free(n);
			return NULL;
		}
	}
	n->lang = rs->lang;
	n->loaded = rs->loaded;
	return n;
}

/**
 * ipt_ruleset_free() - Free a ruleset and everything in it
 * @rs:		the ruleset, or NULL
 */
void ipt_ruleset_free(struct ipt_ruleset *rs)
{
	if (!rs)
		return;
	for (int t = 0; t < IPT_TABLES; t++)
		ipt_table_free(&rs->t[t]);
	free(rs);
}

static int chain_insert(struct ipt_table *t, const char *name);

/**
 * ipt_chain_create() - Add an empty user chain in its place in name order
 * @t:		the table
 * @name:	the name, checked as -N checks it
 * @err:	why not
 *
 * O(user chains) for the move, O(1) when the names come sorted (as
 * iptables-save writes them).
 * Return: 0, or -1 with @err set (bad name, exists, no memory)
 */
int ipt_chain_create(struct ipt_table *t, const char *name,
		     struct ipt_err *err)
{
	if (chain_name_check(name, err))
		return -1;
	switch (chain_insert(t, name)) {
	case -1:
		return fail(err, "Chain `%s' already exists", name);
	case -2:
		return fail(err, "out of memory creating chain `%s'", name);
	}
	return 0;
}

/* A user chain named @name, any name: 0, -1 (it exists), -2 (memory) */
static int chain_insert(struct ipt_table *t, const char *name)
{
	struct ipt_chain *c;
	uint32_t pos;

	if (chain_index(t, name) >= 0)
		return -1;
	if (table_reserve_chains(t, 1))
		return -2;
	pos = user_lower_bound(t, name);
	memmove(&t->chains[pos + 1], &t->chains[pos],
		(t->nchains - pos) * sizeof(*c));
	c = &t->chains[pos];
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->hook = -1;
	c->policy = IPT_POL_NONE;
	t->nchains++;
	return 0;
}

/* ---- rules in chains ---------------------------------------------------- */

static bool rule_jumps(const struct ipt_rule *r)
{
	return r->t.kind == IPT_T_JUMP || r->t.kind == IPT_T_GOTO;
}

/* Count (@d = 1) or uncount (-1) the jump of @r in its target's refs */
static void ref_adjust(struct ipt_table *t, const struct ipt_rule *r, int d)
{
	int j;

	if (!rule_jumps(r))
		return;
	j = chain_index(t, r->t.chain);
	assert(j >= 0);
	if (j >= 0)
		t->chains[j].refs += (uint32_t)d;
}

/* Room for @extra more rules; amortised O(1) (the capacity doubles) */
static int chain_reserve(struct ipt_chain *c, uint32_t extra)
{
	struct ipt_rule *r;
	uint64_t cap = c->cap ? c->cap : 8;

	if ((uint64_t)c->nrules + extra <= c->cap)
		return 0;
	while (cap < (uint64_t)c->nrules + extra)
		cap *= 2;
	if (cap > UINT32_MAX || cap > SIZE_MAX / sizeof(*r))
		return -1;
	r = realloc(c->rules, (size_t)cap * sizeof(*r));
	if (!r)
		return -1;
	c->rules = r;
	c->cap = (uint32_t)cap;
	return 0;
}

/**
 * ipt_chain_reserve() - Room for @extra more rules in chain @c
 * @c:		the chain
 * @extra:	rules about to be added
 *
 * For the 2.x languages (lang.h), which keep their rules in the model.
 * Return: 0, or -1 when out of memory (@c unchanged)
 */
int ipt_chain_reserve(struct ipt_chain *c, uint32_t extra)
{
	return chain_reserve(c, extra);
}

/* Insert @r at @pos (0-based); the room is reserved already */
static void chain_put(struct ipt_table *t, struct ipt_chain *c, uint32_t pos,
		      const struct ipt_rule *r)
{
	assert(c->nrules < c->cap && pos <= c->nrules);
	memmove(&c->rules[pos + 1], &c->rules[pos],
		(size_t)(c->nrules - pos) * sizeof(*r));
	c->rules[pos] = *r;
	c->nrules++;
	ref_adjust(t, r, 1);
}

/* Remove the rule at @pos, into @saved when not NULL */
static void chain_take(struct ipt_table *t, struct ipt_chain *c, uint32_t pos,
		       struct ipt_rule *saved)
{
	assert(pos < c->nrules);
	ref_adjust(t, &c->rules[pos], -1);
	if (saved)
		*saved = c->rules[pos];
	memmove(&c->rules[pos], &c->rules[pos + 1],
		(size_t)(c->nrules - pos - 1) * sizeof(*saved));
	c->nrules--;
}

/**
 * ipt_chain_flush() - Delete every rule of a chain (-F CHAIN)
 * @t:		its table (the refs of the chains its rules jump to drop)
 * @c:		the chain
 */
void ipt_chain_flush(struct ipt_table *t, struct ipt_chain *c)
{
	for (uint32_t i = 0; i < c->nrules; i++)
		ref_adjust(t, &c->rules[i], -1);
	free(c->rules);
	c->rules = NULL;
	c->nrules = c->cap = 0;
}

/**
 * ipt_table_flush_all() - Delete every rule and every user chain
 * @t:		the table
 *
 * What iptables-restore does to a table before reading it; the built-in
 * chains keep their policies and policy counters.
 */
void ipt_table_flush_all(struct ipt_table *t)
{
	uint32_t nb = table_nbuiltin(t);

	for (uint32_t i = 0; i < t->nchains; i++) {
		free(t->chains[i].rules);
		t->chains[i].rules = NULL;
		t->chains[i].nrules = t->chains[i].cap = 0;
		t->chains[i].refs = 0;
	}
	t->nchains = nb;
}

/* ---- rule equality (-D, -C) -------------------------------------------- */

/*
 * Fields that were not given compare as the kernel would see them: the
 * defaults iptables fills in (ports 0:65535, any ICMP type, limit 3/hour
 * burst 5), so "-m limit" and "-m limit --limit 3/hour" are one rule.
 */
static struct ipt_portrange port_or_any(const struct ipt_match *m, uint8_t bit,
					struct ipt_portrange p)
{
	static const struct ipt_portrange any = { 0, 65535 };

	return (m->set & bit) ? p : any;
}

static bool ports_equal(struct ipt_portrange a, struct ipt_portrange b)
{
	return a.lo == b.lo && a.hi == b.hi;
}

static bool l4_equal(const struct ipt_match *a, const struct ipt_match *b)
{
	bool fa = a->set & IPT_F_TCPFLAGS, fb = b->set & IPT_F_TCPFLAGS;

	if (!ports_equal(port_or_any(a, IPT_F_SPORT, a->u.l4.sport),
			 port_or_any(b, IPT_F_SPORT, b->u.l4.sport)) ||
	    !ports_equal(port_or_any(a, IPT_F_DPORT, a->u.l4.dport),
			 port_or_any(b, IPT_F_DPORT, b->u.l4.dport)))
		return false;
	if (a->kind != IPT_M_TCP)
		return true;
	if ((a->set & IPT_F_TCPOPT) != (b->set & IPT_F_TCPOPT) ||
	    ((a->set & IPT_F_TCPOPT) && a->u.l4.option != b->u.l4.option))
		return false;
	return (fa ? a->u.l4.flg_mask : 0) == (fb ? b->u.l4.flg_mask : 0) &&
	       (fa ? a->u.l4.flg_cmp : 0) == (fb ? b->u.l4.flg_cmp : 0);
}

static bool icmp_equal(const struct ipt_match *a, const struct ipt_match *b)
{
	uint8_t ta = 255, la = 0, ha = 255, tb = 255, lb = 0, hb = 255;

	if (a->set & IPT_F_VALUE) {
		ta = a->u.icmp.type;
		la = a->u.icmp.code_lo;
		ha = a->u.icmp.code_hi;
	}
	if (b->set & IPT_F_VALUE) {
		tb = b->u.icmp.type;
		lb = b->u.icmp.code_lo;
		hb = b->u.icmp.code_hi;
	}
	return ta == tb && la == lb && ha == hb;
}

static bool limit_equal(const struct ipt_match *a, const struct ipt_match *b)
{
	const uint32_t avg = 3600u * IPT_LIMIT_SCALE / 3, burst = 5;

	return ((a->set & IPT_F_LIMIT) ? a->u.limit.avg : avg) ==
		       ((b->set & IPT_F_LIMIT) ? b->u.limit.avg : avg) &&
	       ((a->set & IPT_F_BURST) ? a->u.limit.burst : burst) ==
		       ((b->set & IPT_F_BURST) ? b->u.limit.burst : burst);
}

static bool multiport_equal(const struct ipt_match *a,
			    const struct ipt_match *b)
{
	if (a->u.mp.which != b->u.mp.which || a->u.mp.count != b->u.mp.count ||
	    a->u.mp.count > IPT_MULTIPORT_MAX)
		return false;
	for (int i = 0; i < a->u.mp.count; i++)
		if (!ports_equal(a->u.mp.p[i], b->u.mp.p[i]))
			return false;
	return true;
}

static bool match_equal(const struct ipt_rule *ra, const struct ipt_match *a,
			const struct ipt_rule *rb, const struct ipt_match *b)
{
	const struct match_ext *x;

	if (a->kind != b->kind || a->inv != b->inv || a->kind >= IPT_M_KINDS)
		return false;
	x = match_exts[a->kind];
	if (x->equal)
		return x->equal(ra, a, rb, b);
	switch (a->kind) {
	case IPT_M_TCP:
	case IPT_M_UDP:
		return l4_equal(a, b);
	case IPT_M_ICMP:
		return icmp_equal(a, b);
	case IPT_M_STATE:
		return a->u.state.mask == b->u.state.mask;
	case IPT_M_MULTIPORT:
		return multiport_equal(a, b);
	case IPT_M_MARK:
		return a->u.mark.value == b->u.mark.value &&
		       a->u.mark.mask == b->u.mark.mask;
	case IPT_M_LIMIT:
		return limit_equal(a, b);
	case IPT_M_MAC:
		return !memcmp(a->u.mac.addr, b->u.mac.addr, 6);
	case IPT_M_COMMENT:
		return !strncmp(ipt_comment(ra, a), ipt_comment(rb, b),
				IPT_COMMENT_MAX);
	}
	return a->set == b->set && !memcmp(&a->u, &b->u, sizeof(a->u));
}

static bool nat_equal(const struct ipt_target *a, const struct ipt_target *b)
{
	uint8_t f = a->u.nat.flags;

	if (f != b->u.nat.flags)
		return false;
	if ((f & IPT_NAT_ADDR) && (a->u.nat.addr_lo != b->u.nat.addr_lo ||
				   a->u.nat.addr_hi != b->u.nat.addr_hi))
		return false;
	if ((f & IPT_NAT_OFFSET) && a->u.nat.port_base != b->u.nat.port_base)
		return false;
	return !(f & IPT_NAT_PORTS) || (a->u.nat.port_lo == b->u.nat.port_lo &&
					a->u.nat.port_hi == b->u.nat.port_hi);
}

static bool target_equal(const struct ipt_target *a,
			 const struct ipt_target *b)
{
	if (a->kind != b->kind || a->kind >= IPT_T_KINDS)
		return false;
	if (target_exts[a->kind]->equal)
		return target_exts[a->kind]->equal(a, b);
	switch (a->kind) {
	case IPT_T_JUMP:
	case IPT_T_GOTO:
		return !strncmp(a->chain, b->chain, sizeof(a->chain));
	case IPT_T_REJECT:
		return a->u.reject_with == b->u.reject_with;
	case IPT_T_LOG:
		return a->u.log.level == b->u.log.level &&
		       a->u.log.flags == b->u.log.flags &&
		       !strncmp(a->u.log.prefix, b->u.log.prefix,
				IPT_LOG_PREFIX_MAX);
	case IPT_T_MARK:	/* how it was written does not matter */
		return a->u.mark.value == b->u.mark.value &&
		       a->u.mark.mask == b->u.mark.mask;
	case IPT_T_TCPMSS:
		return a->u.tcpmss.mss == b->u.tcpmss.mss;
	case IPT_T_MASQUERADE:
	case IPT_T_SNAT:
	case IPT_T_DNAT:
	case IPT_T_REDIRECT:
		return nat_equal(a, b);
	case IPT_T_NONE:
	case IPT_T_ACCEPT:
	case IPT_T_DROP:
	case IPT_T_RETURN:
		return true;
	}
	return !memcmp(&a->u, &b->u, sizeof(a->u));
}

/**
 * ipt_rule_equal() - Do two rules match the same packets and do the same?
 * @a, @b:	the rules
 *
 * Every field, every match (in order) and the target; counters are not
 * compared, nor the words a value was written with. This is -D's and
 * -C's test.
 * Return: true when equal
 */
bool ipt_rule_equal(const struct ipt_rule *a, const struct ipt_rule *b)
{
	if (a->smsk != b->smsk || (a->src & a->smsk) != (b->src & b->smsk) ||
	    a->dmsk != b->dmsk || (a->dst & a->dmsk) != (b->dst & b->dmsk) ||
	    strncmp(a->in, b->in, IPT_IFNAMSIZ) ||
	    strncmp(a->out, b->out, IPT_IFNAMSIZ) || a->proto != b->proto ||
	    a->frag != b->frag || a->inv != b->inv || a->nmatch != b->nmatch ||
	    a->nmatch > IPT_MAX_MATCHES ||
	    memcmp(&a->lg, &b->lg, sizeof(a->lg)))	/* no padding; parsers
							 * zero what is unset */
		return false;
	for (int i = 0; i < a->nmatch; i++)
		if (!match_equal(a, &a->m[i], b, &b->m[i]))
			return false;
	return target_equal(&a->t, &b->t);
}

/* ---- the kernel's table check ------------------------------------------- */

/* No address, interface, protocol, fragment or match condition at all */
static bool rule_unconditional(const struct ipt_rule *r)
{
	return !r->smsk && !r->dmsk && !r->in[0] && !r->out[0] && !r->proto &&
	       !r->frag && !r->inv && !r->nmatch;
}

/* The kernel's walk ends a chain at an unconditional ACCEPT/DROP/RETURN */
static bool rule_ends_walk(const struct ipt_rule *r)
{
	return (r->t.kind == IPT_T_ACCEPT || r->t.kind == IPT_T_DROP ||
		r->t.kind == IPT_T_RETURN) && rule_unconditional(r);
}

static uint32_t chain_reach_end(const struct ipt_chain *c)
{
	for (uint32_t i = 0; i < c->nrules; i++)
		if (rule_ends_walk(&c->rules[i]))
			return i + 1;
	return c->nrules;
}

enum { WHITE, GREY, BLACK };

struct walk {
	const struct ipt_table *t;
	uint32_t *end;		/* per chain: rules the walk can reach */
	uint8_t *color;		/* per chain, for one hook's walk */
	uint8_t *mask;		/* per chain: hooks that reach it */
	struct frame {
		uint32_t chain, pos;
	} *stack;
};

/*
 * "INPUT -> A -> B -> A": the path of jumps from the built-in chain to the
 * loop the walk found (cut short if long)
 */
static int loop_error(const struct walk *w, uint32_t sp, uint32_t to,
		      struct ipt_err *err)
{
	char path[200];
	size_t o = 0;

	path[0] = 0;
	for (uint32_t i = 0; i < sp && o < sizeof(path); i++)
		o += (size_t)snprintf(path + o, sizeof(path) - o, "%s -> ",
				      w->t->chains[w->stack[i].chain].name);
	if (o < sizeof(path))
		snprintf(path + o, sizeof(path) - o, "%s",
			 w->t->chains[to].name);
	return fail(err, "Too many levels of symbolic links: the jumps make a loop (%s)",
		    path);
}

/*
 * Depth-first walk from built-in chain @b, as the kernel's
 * mark_source_chains(): GREY chains are on the current path (a jump to
 * one is a loop), BLACK ones were walked already from this hook.
 */
static int walk_hook(struct walk *w, uint32_t b, unsigned hook,
		     struct ipt_err *err)
{
	const struct ipt_table *t = w->t;
	uint32_t sp = 0;

	memset(w->color, WHITE, t->nchains);
	w->stack[sp++] = (struct frame){ b, 0 };
	w->color[b] = GREY;
	w->mask[b] |= HOOK(hook);
	while (sp) {
		struct frame *f = &w->stack[sp - 1];
		const struct ipt_rule *r;
		int j;

		if (f->pos >= w->end[f->chain]) {
			w->color[f->chain] = BLACK;
			sp--;
			continue;
		}
		r = &t->chains[f->chain].rules[f->pos++];
		if (!rule_jumps(r))
			continue;
		j = chain_index(t, r->t.chain);
		if (j < 0 || t->chains[j].hook >= 0)
			return fail(err, "chain %s: jump to `%s', not a user chain",
				    t->chains[f->chain].name, r->t.chain);
		if (w->color[j] == GREY)
			return loop_error(w, sp, (uint32_t)j, err);
		if (w->color[j] == BLACK)
			continue;
		w->color[j] = GREY;
		w->mask[j] |= HOOK(hook);
		w->stack[sp++] = (struct frame){ (uint32_t)j, 0 };
	}
	return 0;
}

/* xt_check_match()/xt_check_target(): the table, hooks and protocol */
static int limits_check(const struct xt_limits *l, const char *what,
			const char *name, enum ipt_table_id tid, unsigned mask,
			const struct ipt_rule *r, struct ipt_err *err)
{
	char used[64], allow[64];

	if (l->tables && !(l->tables & (1u << tid))) {
		int want = 0;

		while (!(l->tables & (1u << want)))
			want++;
		return fail(err, "%s %s: only valid in %s table, not %s", name,
			    what, ipt_table_name(want), ipt_table_name(tid));
	}
	if (l->hooks && (mask & ~l->hooks))
		return fail(err, "%s %s: used from hooks %s, but only %s from %s",
			    name, what, hooks_text(mask, used, sizeof(used)),
			    *what == 't' ? "usable" : "valid",
			    hooks_text(l->hooks, allow, sizeof(allow)));
	if (l->proto && (r->proto != l->proto || (r->inv & IPT_INV_PROTO)))
		return fail(err, "%s %s: only valid for protocol %u", name, what,
			    l->proto);
	return 0;
}

static bool proto_has_ports(const struct ipt_rule *r)
{
	/* tcp, udp, udplite, sctp, dccp: what xt_multiport accepts */
	return !(r->inv & IPT_INV_PROTO) &&
	       (r->proto == 6 || r->proto == 17 || r->proto == 136 ||
		r->proto == 132 || r->proto == 33);
}

static int match_check(const struct ipt_match *m, enum ipt_table_id tid,
		       unsigned mask, const struct ipt_rule *r,
		       struct ipt_err *err)
{
	if (m->kind >= IPT_M_KINDS)
		return fail(err, "unknown match (kind %u)", m->kind);
	if (limits_check(&match_limits[m->kind], "match", match_exts[m->kind]->name,
			 tid, mask, r, err))
		return -1;
	/* xt_limit keeps avg x burst in 32 bits and refuses more, or 0
	 * (observed: 1/hour takes a burst of 119, not 120) */
	if (m->kind == IPT_M_LIMIT &&
	    (!m->u.limit.burst ||
	     (uint64_t)m->u.limit.avg * m->u.limit.burst > UINT32_MAX))
		return fail(err, "limit match: burst %u is out of range for "
			    "this rate (1 to 2^32 units of 1/%u s in all)",
			    m->u.limit.burst, IPT_LIMIT_SCALE);
	if (m->kind == IPT_M_MULTIPORT && !proto_has_ports(r))
		return fail(err, "multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP");
	/* xt_addrtype: an interface limit only where that interface is known */
	if (m->kind == IPT_M_ADDRTYPE && (m->set & IPT_F_LIMIT_OUT) &&
	    (mask & (H_PRE | H_IN)))
		return fail(err, "addrtype: output interface limitation not valid in PREROUTING and INPUT");
	if (m->kind == IPT_M_ADDRTYPE && (m->set & IPT_F_LIMIT_IN) &&
	    (mask & (H_POST | H_OUT)))
		return fail(err, "addrtype: input interface limitation not valid in POSTROUTING and OUTPUT");
	return match_exts[m->kind]->kcheck ?
	       match_exts[m->kind]->kcheck(r, m, err) : 0;
}

/* xt_TCPMSS needs a tcp match that looks at SYN (find_syn_match()) */
static bool rule_matches_syn(const struct ipt_rule *r)
{
	for (int i = 0; i < r->nmatch; i++) {
		const struct ipt_match *m = &r->m[i];

		if (m->kind == IPT_M_TCP && (m->set & IPT_F_TCPFLAGS) &&
		    (m->u.l4.flg_cmp & 0x02) && !(m->inv & IPT_F_TCPFLAGS))
			return true;
	}
	return false;
}

static int target_check(const struct ipt_rule *r, enum ipt_table_id tid,
			unsigned mask, struct ipt_err *err)
{
	const struct ipt_target *tg = &r->t;

	if (tg->kind >= IPT_T_KINDS)
		return fail(err, "unknown target (kind %u)", tg->kind);
	if (limits_check(&target_limits[tg->kind], "target",
			 target_exts[tg->kind]->name, tid, mask, r, err))
		return -1;
	if (tg->kind == IPT_T_CT &&
	    ipt_ct_helper_check(tg, r->proto, r->inv & IPT_INV_PROTO, err))
		return -1;
	if (tg->kind == IPT_T_REJECT && tg->u.reject_with == IPT_REJ_TCP_RESET &&
	    (r->proto != 6 || (r->inv & IPT_INV_PROTO)))
		return fail(err, "REJECT: TCP_RESET invalid for non-tcp");
	if (tg->kind != IPT_T_TCPMSS)
		return 0;
	if (!tg->u.tcpmss.mss && (mask & ~(H_FWD | H_OUT | H_POST)))
		return fail(err, "TCPMSS: path-MTU clamping only supported in FORWARD, OUTPUT and POSTROUTING hooks");
	if (!rule_matches_syn(r))
		return fail(err, "TCPMSS: Only works on TCP SYN packets");
	return 0;
}

static int rule_check(const struct ipt_rule *r, enum ipt_table_id tid,
		      unsigned mask, struct ipt_err *err)
{
	if (r->nmatch > IPT_MAX_MATCHES)
		return fail(err, "too many matches (%u)", r->nmatch);
	for (int i = 0; i < r->nmatch; i++)
		if (match_check(&r->m[i], tid, mask, r, err))
			return -1;
	return target_check(r, tid, mask, err);
}

/* Each rule against the hooks that reach it, in table order */
static int rules_check(const struct walk *w, enum ipt_table_id tid,
		       struct ipt_err *err)
{
	const struct ipt_table *t = w->t;

	for (uint32_t c = 0; c < t->nchains; c++) {
		const struct ipt_chain *ch = &t->chains[c];

		for (uint32_t i = 0; i < ch->nrules; i++) {
			unsigned mask = i < w->end[c] ? w->mask[c] : 0;
			struct ipt_err e;

			if (!rule_check(&ch->rules[i], tid, mask, &e))
				continue;
			return fail(err, "chain %s rule %u: %s", ch->name, i + 1,
				    e.msg);
		}
	}
	return 0;
}

/*
 * Would @r pass the check wherever it is in chain @c of a table @tid,
 * jumping nowhere? A built-in chain is reached from its own hook only
 * (nothing jumps to one); a user chain may be reached from any.
 */
static bool rule_fits(const struct ipt_rule *r, const struct ipt_chain *c,
		      enum ipt_table_id tid)
{
	unsigned mask = c->hook >= 0 ? HOOK(c->hook) : table_hooks[tid];
	struct ipt_err e;

	return !rule_jumps(r) && !rule_check(r, tid, mask, &e);
}

/**
 * ipt_table_check() - Check a table as the kernel does when it loads one
 * @t:		the table
 * @tid:	which table it is
 * @err:	the chain, the rule and the kernel's words for what is wrong
 *
 * See the top of this file. O(rules x log user chains) time, O(chains)
 * memory.
 * Return: 0, or -1 with @err set
 */
int ipt_table_check(const struct ipt_table *t, enum ipt_table_id tid,
		    struct ipt_err *err)
{
	struct walk w = { .t = t };
	size_t n = t->nchains ? t->nchains : 1;
	int ret = -1;

	w.end = malloc(n * sizeof(*w.end));
	w.color = malloc(n);
	w.mask = calloc(n, 1);
	w.stack = malloc(n * sizeof(*w.stack));
	if (!w.end || !w.color || !w.mask || !w.stack) {
		fail(err, "out of memory checking table %s", ipt_table_name(tid));
		goto out;
	}
	for (uint32_t c = 0; c < t->nchains; c++)
		w.end[c] = chain_reach_end(&t->chains[c]);
	for (uint32_t c = 0; c < t->nchains && t->chains[c].hook >= 0; c++)
		if (walk_hook(&w, c, (unsigned)t->chains[c].hook, err))
			goto out;
	ret = rules_check(&w, tid, err);
out:
	free(w.end);
	free(w.color);
	free(w.mask);
	free(w.stack);
	return ret;
}

/* ---- commands ---------------------------------------------------------- */

/*
 * What it takes to take back a rule command that the table check refused:
 * the rules it inserted (@n from @pos), or the ones it removed (@saved,
 * each from @spos[i], in the order removed) or replaced (@saved[0]).
 */
struct undo {
	enum { UNDO_NONE, UNDO_INSERTED, UNDO_REMOVED, UNDO_REPLACED } kind;
	uint32_t chain;
	uint32_t pos, n;
	struct ipt_rule *saved;
	uint32_t spos[MAX_COMBOS];
};

static void undo_run(struct ipt_table *t, struct undo *u)
{
	struct ipt_chain *c = &t->chains[u->chain];

	switch (u->kind) {
	case UNDO_NONE:
		break;
	case UNDO_INSERTED:
		for (uint32_t i = 0; i < u->n; i++)
			chain_take(t, c, u->pos, NULL);
		break;
	case UNDO_REMOVED:	/* room: the rules were there a moment ago */
		for (uint32_t i = u->n; i-- > 0;)
			chain_put(t, c, u->spos[i], &u->saved[i]);
		break;
	case UNDO_REPLACED:
		ref_adjust(t, &c->rules[u->pos], -1);
		c->rules[u->pos] = u->saved[0];
		ref_adjust(t, &c->rules[u->pos], 1);
		break;
	}
}

static uint32_t cmd_ncombos(const struct ipt_cmd *cmd)
{
	return (cmd->nsrc ? cmd->nsrc : 1) * (cmd->ndst ? cmd->ndst : 1);
}

/* Combination @k of the sources and destinations, source-major */
static void cmd_combo(const struct ipt_cmd *cmd, uint32_t k,
		      struct ipt_rule *r)
{
	uint32_t nd = cmd->ndst ? cmd->ndst : 1;

	*r = cmd->rule;
	if (cmd->nsrc) {
		r->src = cmd->srcs[k / nd];
		r->smsk = cmd->smsks[k / nd];
	}
	if (cmd->ndst) {
		r->dst = cmd->dsts[k % nd];
		r->dmsk = cmd->dmsks[k % nd];
	}
}

/* What every rule of a command must be before anything changes */
static int cmd_rule_check(const struct ipt_table *t, const struct ipt_cmd *cmd,
			  struct ipt_err *err)
{
	const struct ipt_rule *r = &cmd->rule;
	int j;

	if (cmd->nsrc > 8 || cmd->ndst > 8)
		return fail(err, "too many addresses (at most 8 sources and 8 destinations)");
	if (r->nmatch > IPT_MAX_MATCHES)
		return fail(err, "too many matches (at most %d)", IPT_MAX_MATCHES);
	if (r->t.kind >= IPT_T_KINDS)
		return fail(err, "unknown target (kind %u)", r->t.kind);
	if (cmd->table == IPT_NAT && r->t.kind == IPT_T_DROP)
		return fail(err, "%s", nat_drop), IPT_EXEC_USAGE;
	if (!rule_jumps(r))
		return 0;
	j = chain_index(t, r->t.chain);
	if (j < 0)
		return fail(err, "Couldn't load target `%.*s': no chain of that name in table %s",
			    IPT_CHAIN_MAXLEN, r->t.chain,
			    ipt_table_name(cmd->table)), IPT_EXEC_USAGE;
	if (t->chains[j].hook >= 0)
		return fail(err, "can't %s to built-in chain `%s'",
			    r->t.kind == IPT_T_JUMP ? "jump" : "go", r->t.chain);
	return 0;
}

static int no_chain(const char *name, struct ipt_err *err)
{
	return fail(err, "No chain/target/match by that name: `%.*s'",
		    IPT_CHAIN_MAXLEN + 1, name);
}

/* The chain a command names, or -1 with "No chain/target/match" */
static int cmd_chain(const struct ipt_table *t, const struct ipt_cmd *cmd,
		     struct ipt_err *err)
{
	int i = chain_index(t, cmd->chain);

	if (i < 0)
		no_chain(cmd->chain, err);
	return i;
}

static int do_append(struct ipt_table *t, const struct ipt_cmd *cmd,
		     struct undo *u, struct ipt_err *err)
{
	uint32_t n = cmd_ncombos(cmd);
	struct ipt_chain *c;
	struct ipt_rule r;
	int ci = cmd_chain(t, cmd, err);
	int rc;

	if (ci < 0)
		return -1;
	rc = cmd_rule_check(t, cmd, err);
	if (rc)
		return rc;
	c = &t->chains[ci];
	if (chain_reserve(c, n))
		return fail(err, "out of memory in chain %s", c->name);
	*u = (struct undo){ UNDO_INSERTED, (uint32_t)ci, c->nrules, n, NULL, {0} };
	for (uint32_t k = 0; k < n; k++) {
		cmd_combo(cmd, k, &r);
		chain_put(t, c, c->nrules, &r);
	}
	return 0;
}

/* -I: each combination at the same place, so they end up reversed */
static int do_insert(struct ipt_table *t, const struct ipt_cmd *cmd,
		     struct undo *u, struct ipt_err *err)
{
	uint32_t n = cmd_ncombos(cmd), pos = cmd->rulenum ? cmd->rulenum - 1 : 0;
	struct ipt_chain *c;
	struct ipt_rule r;
	int ci = cmd_chain(t, cmd, err);
	int rc;

	if (ci < 0)
		return -1;
	rc = cmd_rule_check(t, cmd, err);
	if (rc)
		return rc;
	c = &t->chains[ci];
	if (pos > c->nrules)
		return fail(err, "Index of insertion too big: chain %s has %u rules",
			    c->name, c->nrules);
	if (chain_reserve(c, n))
		return fail(err, "out of memory in chain %s", c->name);
	*u = (struct undo){ UNDO_INSERTED, (uint32_t)ci, pos, n, NULL, {0} };
	for (uint32_t k = 0; k < n; k++) {
		cmd_combo(cmd, k, &r);
		chain_put(t, c, pos, &r);
	}
	return 0;
}

static int find_rule(const struct ipt_chain *c, const struct ipt_rule *r)
{
	for (uint32_t i = 0; i < c->nrules; i++)
		if (ipt_rule_equal(&c->rules[i], r))
			return (int)i;
	return -1;
}

static int bad_rule(const char *chain, struct ipt_err *err)
{
	return fail(err, "Bad rule (does a matching rule exist in chain %.*s?)",
		    IPT_CHAIN_MAXLEN + 1, chain);
}

/*
 * -D by rule: the first equal rule of each combination, one after the
 * other; all or nothing (iptables commits once).
 */
static int do_delete(struct ipt_table *t, const struct ipt_cmd *cmd,
		     struct undo *u, struct ipt_err *err)
{
	uint32_t n = cmd_ncombos(cmd);
	struct ipt_chain *c;
	struct ipt_rule r;
	int ci = chain_index(t, cmd->chain);
	int rc;

	if (ci < 0)
		return bad_rule(cmd->chain, err);
	rc = cmd_rule_check(t, cmd, err);
	if (rc)
		return rc;
	c = &t->chains[ci];
	*u = (struct undo){ UNDO_REMOVED, (uint32_t)ci, 0, 0, NULL, {0} };
	u->saved = malloc(n * sizeof(*u->saved));
	if (!u->saved)
		return fail(err, "out of memory");
	for (uint32_t k = 0; k < n; k++) {
		int pos;

		cmd_combo(cmd, k, &r);
		pos = find_rule(c, &r);
		if (pos < 0) {
			undo_run(t, u);
			u->kind = UNDO_NONE;
			return bad_rule(c->name, err);
		}
		u->spos[u->n] = (uint32_t)pos;
		chain_take(t, c, (uint32_t)pos, &u->saved[u->n++]);
	}
	return 0;
}

static int rulenum_check(const struct ipt_chain *c, uint32_t rulenum,
			 const char *what, struct ipt_err *err)
{
	if (!rulenum)
		return fail(err, "Invalid rule number `0'");
	if (rulenum > c->nrules)
		return fail(err, "Index of %s too big: chain %s has %u rules", what,
			    c->name, c->nrules);
	return 0;
}

static int do_delete_num(struct ipt_table *t, const struct ipt_cmd *cmd,
			 struct undo *u, struct ipt_err *err)
{
	struct ipt_chain *c;
	int ci = cmd_chain(t, cmd, err);

	if (ci < 0)
		return -1;
	c = &t->chains[ci];
	if (rulenum_check(c, cmd->rulenum, "deletion", err))
		return -1;
	*u = (struct undo){ UNDO_REMOVED, (uint32_t)ci, 0, 1, NULL, {0} };
	u->saved = malloc(sizeof(*u->saved));
	if (!u->saved)
		return fail(err, "out of memory");
	u->spos[0] = cmd->rulenum - 1;
	chain_take(t, c, cmd->rulenum - 1, u->saved);
	return 0;
}

/* -R: the new rule's counters are its own (0 unless -c was given) */
static int do_replace(struct ipt_table *t, const struct ipt_cmd *cmd,
		      struct undo *u, struct ipt_err *err)
{
	struct ipt_chain *c;
	struct ipt_rule *r;
	int ci = cmd_chain(t, cmd, err);
	int rc;

	if (ci < 0)
		return -1;
	rc = cmd_rule_check(t, cmd, err);
	if (rc)
		return rc;
	c = &t->chains[ci];
	if (cmd_ncombos(cmd) != 1)
		return fail(err, "Replacement rule does not specify a unique address");
	if (rulenum_check(c, cmd->rulenum, "replacement", err))
		return -1;
	*u = (struct undo){ UNDO_REPLACED, (uint32_t)ci, cmd->rulenum - 1, 1,
			    NULL, {0} };
	u->saved = malloc(sizeof(*u->saved));
	if (!u->saved)
		return fail(err, "out of memory");
	r = &c->rules[u->pos];
	u->saved[0] = *r;
	ref_adjust(t, r, -1);
	cmd_combo(cmd, 0, r);
	ref_adjust(t, r, 1);
	return 0;
}

/* -C: 0 when every combination is there, 1 (iptables' exit 1) if not */
static int do_check(struct ipt_table *t, const struct ipt_cmd *cmd,
		    struct ipt_err *err)
{
	struct ipt_rule r;
	int ci = chain_index(t, cmd->chain);
	int rc;

	if (ci < 0) {
		bad_rule(cmd->chain, err);
		return 1;
	}
	rc = cmd_rule_check(t, cmd, err);
	if (rc)
		return rc;
	for (uint32_t k = 0; k < cmd_ncombos(cmd); k++) {
		cmd_combo(cmd, k, &r);
		if (find_rule(&t->chains[ci], &r) < 0) {
			bad_rule(cmd->chain, err);
			return 1;
		}
	}
	return 0;
}

static void zero_chain(struct ipt_chain *c, bool verbose, struct ipt_text *out)
{
	for (uint32_t i = 0; i < c->nrules; i++)
		c->rules[i].pkts = c->rules[i].bytes = 0;
	c->pol_pkts = c->pol_bytes = 0;
	if (verbose && out)
		ipt_text_printf(out, "Zeroing chain `%s'\n", c->name);
}

/* -Z [chain [n]]; with -v, a "Zeroing chain" line per chain as iptables */
static int do_zero(struct ipt_table *t, const struct ipt_cmd *cmd,
		   struct ipt_text *out, struct ipt_err *err)
{
	bool verbose = cmd->opts & IPT_OPT_VERBOSE;
	struct ipt_chain *c;
	int ci;

	if (!cmd->chain[0]) {
		for (uint32_t i = 0; i < t->nchains; i++)
			zero_chain(&t->chains[i], verbose, out);
		return 0;
	}
	ci = cmd_chain(t, cmd, err);
	if (ci < 0)
		return -1;
	c = &t->chains[ci];
	if (!cmd->rulenum) {
		zero_chain(c, verbose, out);
		return 0;
	}
	if (rulenum_check(c, cmd->rulenum, "counter", err))
		return -1;
	c->rules[cmd->rulenum - 1].pkts = c->rules[cmd->rulenum - 1].bytes = 0;
	return 0;
}

/* -L [chain], then with -Z zero what was listed; NULL @out lists nothing */
static int do_list(struct ipt_table *t, const struct ipt_cmd *cmd,
		   const struct ipt_resolver *res, struct ipt_text *out,
		   struct ipt_err *err)
{
	struct ipt_text scratch = { 0 };
	const char *chain = cmd->chain[0] ? cmd->chain : NULL;
	int ret;

	ret = ipt_print_L(t, chain, cmd->opts & ~IPT_OPT_ZERO, res,
			  out ? out : &scratch, err);
	ipt_text_free(&scratch);
	if (ret || !(cmd->opts & IPT_OPT_ZERO))
		return ret ? -1 : 0;
	if (chain && chain_index(t, chain) < 0)
		return no_chain(chain, err);
	return do_zero(t, cmd, out, err);
}

static int do_list_rules(struct ipt_table *t, const struct ipt_cmd *cmd,
			 struct ipt_text *out, struct ipt_err *err)
{
	struct ipt_text scratch = { 0 };
	int ret;

	ret = ipt_print_S(t, cmd->chain[0] ? cmd->chain : NULL, cmd->rulenum,
			  cmd->opts & IPT_OPT_VERBOSE, out ? out : &scratch,
			  err);
	ipt_text_free(&scratch);
	if (ret || !(cmd->opts & IPT_OPT_ZERO))	/* -S -Z: then zero */
		return ret ? -1 : 0;
	return do_zero(t, cmd, out, err);
}

static int do_flush(struct ipt_table *t, const struct ipt_cmd *cmd,
		    struct ipt_err *err)
{
	int ci;

	if (!cmd->chain[0]) {
		for (uint32_t i = 0; i < t->nchains; i++) {
			struct ipt_chain *c = &t->chains[i];

			free(c->rules);
			c->rules = NULL;
			c->nrules = c->cap = c->refs = 0;
		}
		return 0;
	}
	ci = cmd_chain(t, cmd, err);
	if (ci < 0)
		return -1;
	ipt_chain_flush(t, &t->chains[ci]);
	return 0;
}

/* Why user chain @c may not be deleted, or 0 (refs are looked at first) */
static int chain_deletable(const struct ipt_chain *c, struct ipt_err *err)
{
	if (c->refs)
		return fail(err, "Too many links: chain `%s' is the target of %u rules",
			    c->name, c->refs);
	if (c->nrules)
		return fail(err, "Directory not empty: chain `%s' has %u rules",
			    c->name, c->nrules);
	return 0;
}

/* -X [chain]; without one every user chain, or none if one may not go */
static int do_delete_chain(struct ipt_table *t, const struct ipt_cmd *cmd,
			   struct ipt_err *err)
{
	uint32_t nb = table_nbuiltin(t);
	int ci;

	if (!cmd->chain[0]) {
		for (uint32_t i = nb; i < t->nchains; i++)
			if (chain_deletable(&t->chains[i], err))
				return -1;
		for (uint32_t i = nb; i < t->nchains; i++)
			free(t->chains[i].rules);
		t->nchains = nb;
		return 0;
	}
	ci = cmd_chain(t, cmd, err);
	if (ci < 0)
		return -1;
	if (t->chains[ci].hook >= 0)
		return fail(err, "Can't delete built-in chain `%s'", cmd->chain);
	if (chain_deletable(&t->chains[ci], err))
		return -1;
	free(t->chains[ci].rules);
	memmove(&t->chains[ci], &t->chains[ci + 1],
		(t->nchains - (uint32_t)ci - 1) * sizeof(*t->chains));
	t->nchains--;
	return 0;
}

static int do_new_chain(struct ipt_table *t, const struct ipt_cmd *cmd,
			struct ipt_err *err)
{
	return ipt_chain_create(t, cmd->chain, err);
}

/* -E: jumps follow the chain; it moves to its new place in name order */
static int do_rename(struct ipt_table *t, const struct ipt_cmd *cmd,
		     struct ipt_err *err)
{
	static const char *const verdicts[] = { "ACCEPT", "DROP", "QUEUE", "RETURN" };
	struct ipt_chain c;
	uint32_t pos;
	int ci = chain_index(t, cmd->chain);

	if (ci < 0 || t->chains[ci].hook >= 0)
		return fail(err, "No chain/target/match by that name: no user chain `%.*s'",
			    IPT_CHAIN_MAXLEN + 1, cmd->chain);
	for (int i = 0; i < 4; i++)
		if (!strcmp(cmd->chain2, verdicts[i]))
			return fail(err, "File exists: `%s' is a built-in target",
				    cmd->chain2);
	if (chain_index(t, cmd->chain2) >= 0)
		return fail(err, "File exists: chain `%s' already exists",
			    cmd->chain2);
	if (chain_name_check(cmd->chain2, err))
		return -1;
	if (t->chains[ci].refs) {
		for (uint32_t i = 0; i < t->nchains; i++) {
			struct ipt_chain *x = &t->chains[i];

			for (uint32_t k = 0; k < x->nrules; k++)
				if (rule_jumps(&x->rules[k]) &&
				    !strcmp(x->rules[k].t.chain, cmd->chain))
					snprintf(x->rules[k].t.chain,
						 sizeof(x->rules[k].t.chain),
						 "%s", cmd->chain2);
		}
	}
	c = t->chains[ci];
	memmove(&t->chains[ci], &t->chains[ci + 1],
		(t->nchains - (uint32_t)ci - 1) * sizeof(c));
	t->nchains--;
	snprintf(c.name, sizeof(c.name), "%s", cmd->chain2);
	pos = user_lower_bound(t, c.name);
	memmove(&t->chains[pos + 1], &t->chains[pos],
		(t->nchains - pos) * sizeof(c));
	t->chains[pos] = c;
	t->nchains++;
	return 0;
}

/* -P: the policy counters become -c's (0 without it), as iptables */
static int do_policy(struct ipt_table *t, const struct ipt_cmd *cmd,
		     struct ipt_err *err)
{
	struct ipt_chain *c;
	int ci = chain_index(t, cmd->chain);

	if (ci < 0 || t->chains[ci].hook < 0)
		return fail(err, "Bad built-in chain name: `%.*s'",
			    IPT_CHAIN_MAXLEN + 1, cmd->chain);
	if (cmd->policy != IPT_POL_ACCEPT && cmd->policy != IPT_POL_DROP)
		return fail(err, "Bad policy name (only ACCEPT and DROP)");
	if (cmd->table == IPT_NAT && cmd->policy == IPT_POL_DROP)
		return fail(err, "%s", nat_drop), IPT_EXEC_USAGE;
	c = &t->chains[ci];
	c->policy = cmd->policy;
	c->pol_pkts = cmd->rule.pkts;
	c->pol_bytes = cmd->rule.bytes;
	return 0;
}

/*
 * Must the whole table be checked after this change? Not when the table
 * was sound and the change can neither reach further nor add a rule that
 * a hook refuses: rules added that jump nowhere and would pass from every
 * hook that may reach their chain (rule_fits()); rules removed that did
 * not end the walk of their chain (removing one that did uncovers the
 * rules behind it). This keeps a long run of -A commands linear instead
 * of quadratic, unless they jump or put nat targets in user chains.
 * The combinations of one command differ only in their addresses, so
 * the first one stands for all.
 */
static bool undo_needs_check(const struct ipt_table *t, const struct undo *u,
			     const struct ipt_cmd *cmd)
{
	const struct ipt_chain *c = &t->chains[u->chain];
	enum ipt_table_id tid = cmd->table;

	switch (u->kind) {
	case UNDO_NONE:
		return false;
	case UNDO_INSERTED:
		return !rule_fits(&c->rules[u->pos], c, tid);
	case UNDO_REMOVED:
		for (uint32_t i = 0; i < u->n; i++)
			if (rule_ends_walk(&u->saved[i]))
				return true;
		return false;
	case UNDO_REPLACED:
		return rule_ends_walk(&u->saved[0]) ||
		       !rule_fits(&c->rules[u->pos], c, tid);
	}
	return true;
}

static int table_apply_undo(struct ipt_table *t, const struct ipt_cmd *cmd,
			    const struct ipt_resolver *res,
			    struct ipt_text *out, struct undo *u,
			    struct ipt_err *err)
{
	switch (cmd->op) {
	case IPT_OP_APPEND:
		return do_append(t, cmd, u, err);
	case IPT_OP_INSERT:
		return do_insert(t, cmd, u, err);
	case IPT_OP_DELETE:
		return do_delete(t, cmd, u, err);
	case IPT_OP_DELETE_NUM:
		return do_delete_num(t, cmd, u, err);
	case IPT_OP_REPLACE:
		return do_replace(t, cmd, u, err);
	case IPT_OP_CHECK:
		return do_check(t, cmd, err);
	case IPT_OP_LIST:
		return do_list(t, cmd, res, out, err);
	case IPT_OP_LIST_RULES:
		return do_list_rules(t, cmd, out, err);
	case IPT_OP_FLUSH:
		return do_flush(t, cmd, err);
	case IPT_OP_ZERO:
		return do_zero(t, cmd, out, err);
	case IPT_OP_NEW_CHAIN:
		return do_new_chain(t, cmd, err);
	case IPT_OP_DELETE_CHAIN:
		return do_delete_chain(t, cmd, err);
	case IPT_OP_RENAME_CHAIN:
		return do_rename(t, cmd, err);
	case IPT_OP_POLICY:
		return do_policy(t, cmd, err);
	}
	return fail(err, "unknown command (%u)", cmd->op);
}

/**
 * ipt_table_apply() - ipt_exec() on one table, without the table check
 * @t:		the table @cmd->table names
 * @cmd:	the command
 * @res:	name lookups for -L, or NULL
 * @out:	listings, or NULL to drop them
 * @err:	the reason on failure
 *
 * For iptables-restore, which checks each table once, at COMMIT.
 * Return: as ipt_exec()
 */
int ipt_table_apply(struct ipt_table *t, const struct ipt_cmd *cmd,
		    const struct ipt_resolver *res, struct ipt_text *out,
		    struct ipt_err *err)
{
	struct undo u = { .kind = UNDO_NONE };
	int ret = table_apply_undo(t, cmd, res, out, &u, err);

	free(u.saved);
	return ret;
}

/**
 * ipt_exec() - Apply a parsed command to a ruleset
 * @rs:		the ruleset, changed only on success
 * @cmd:	the command
 * @res:	name lookups for -L without -n, or NULL
 * @out:	listings (-L, -S) and -v's "Zeroing chain" lines, or NULL
 * @err:	the reason on failure
 *
 * Applies in place, checks the table when the change can matter
 * (undo_needs_check()), and takes the change back if the check fails.
 * Return: 0; 1 for -C when the rule is not there (@err says so); -1 on
 * error
 */
int ipt_exec(struct ipt_ruleset *rs, const struct ipt_cmd *cmd,
	     const struct ipt_resolver *res, struct ipt_text *out,
	     struct ipt_err *err)
{
	struct undo u = { .kind = UNDO_NONE };
	struct ipt_table *t;
	int ret;

	if (cmd->table >= IPT_TABLES)
		return fail(err, "unknown table (%u)", cmd->table);
	t = &rs->t[cmd->table];
	ret = table_apply_undo(t, cmd, res, out, &u, err);
	if (!ret && undo_needs_check(t, &u, cmd) &&
	    ipt_table_check(t, cmd->table, err)) {
		undo_run(t, &u);
		ret = -1;
	}
	free(u.saved);
	if (ret >= 0)	/* as the kernel loads iptable_raw, but a refused
			 * command changes nothing here */
		rs->loaded |= (uint8_t)(1u << cmd->table);
	return ret;
}

/* ---- for the 2.x languages (ruleset.h) ----------------------------------- */

/**
 * ipt_chain_put() - Insert a rule, its jump counted in its target's refs
 * @t:		the table of @c
 * @c:		the chain (room reserved)
 * @pos:	0-based place, at most @c->nrules
 * @r:		the rule, copied as it is (counters and id too)
 */
void ipt_chain_put(struct ipt_table *t, struct ipt_chain *c, uint32_t pos,
		   const struct ipt_rule *r)
{
	chain_put(t, c, pos, r);
}

/**
 * ipt_chain_take() - Remove the rule at @pos, its jump uncounted
 * @t:		the table of @c
 * @c:		the chain
 * @pos:	0-based, below @c->nrules
 * @saved:	where the rule goes, or NULL
 */
void ipt_chain_take(struct ipt_table *t, struct ipt_chain *c, uint32_t pos,
		    struct ipt_rule *saved)
{
	chain_take(t, c, pos, saved);
}

/**
 * ipt_chain_add() - A new empty user chain in its place in name order
 * @t:		the table
 * @name:	any name (the language has checked it)
 *
 * Return: 0; -1 when a chain of that name exists; -2 out of memory
 */
int ipt_chain_add(struct ipt_table *t, const char *name)
{
	return chain_insert(t, name);
}
