// SPDX-License-Identifier: MIT
/*
 * restore.c - iptables-restore: load iptables-save text into a ruleset
 *
 * Owns ipt_restore(). The text is what iptables-save writes:
 *
 *	# comment			(a '#' first on the line; empty lines too)
 *	*nat				a table starts (the first word counts)
 *	:POSTROUTING ACCEPT [0:0]	a built-in chain's policy [counters]
 *	:mychain - [0:0]		a user chain
 *	[12:3456] -A POSTROUTING -o wan0 -j MASQUERADE
 *	COMMIT				the table is done
 *
 * A rule line is any iptables command (-A -I -D -R -N -X -F -Z -P -E, and
 * -C, -L, -S, which change nothing) without -t: split with ipt_split(),
 * given "-t TABLE" in front and parsed with ipt_parse(), then applied with
 * ipt_table_apply() - as iptables-restore hands each line to iptables.
 *
 * Theory of operation. Each table named in the text is built in a private
 * copy. Without --noflush the copy starts empty but for the built-in
 * chains, which keep their policies (and policy counters) unless a ":"
 * line sets them; user chains not declared are gone. With --noflush it
 * starts as a copy of the table, a ":" line for an existing user chain
 * empties that chain, and for a built-in chain sets its policy. The
 * checks the kernel makes when a table is loaded (ipt_table_check():
 * target tables and hooks, loops) run at COMMIT, as in the kernel, and an
 * error there names the COMMIT line. Only when every table of the text
 * committed are the copies moved into @rs; so, unlike iptables-restore,
 * which commits table by table, a failure in the second table leaves the
 * first unchanged too. --test does all of this and throws the copies away
 * (the kernel's checks included, which iptables-restore --test skips).
 *
 * Counters: "[p:b]" before a rule and after a policy are taken with
 * IPT_RESTORE_COUNTERS (-c); without it a rule's "[...]" is skipped
 * unread, as the reference does. A rule's own "-c p b" is always taken,
 * but not together with "[p:b]" under -c ("multiple -c flags"). Other
 * rules start at 0, and so do the policy counters of built-in chains a
 * ":" line names without -c.
 *
 * Strictness, as iptables-restore 1.8.9: a line of blanks is an error ("no
 * command specified"), a comment must start in the first column, "-t" in a
 * rule line is refused, a table without COMMIT at the end of the text is
 * an error. Less strict: a missing newline after the last COMMIT and a
 * "\r" before a newline are accepted.
 *
 * Complexity: linear in the text; a rule line costs its parse plus an
 * append (amortised O(1), chains found by binary search), and each table
 * is checked once, O(rules), at COMMIT - so 100,000 rules load in well
 * under a second. A line may be as long as memory allows.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ruleset.h"

struct restore {
	struct ipt_ruleset *rs;
	unsigned flags;
	const struct ipt_resolver *res;
	struct ipt_table work[IPT_TABLES];	/* the copies being built */
	bool loaded[IPT_TABLES];		/* work[t] holds table t */
	int cur;				/* the open table, or -1 */
	unsigned line;				/* 1-based, of the current line */
	char *buf;				/* the current line, 0-ended */
	char *store;				/* ipt_split()'s words */
	char **argv;				/* "-t" TABLE words... */
	size_t cap;				/* of buf and store, in bytes */
	struct ipt_cmd cmd;
};

static int line_fail(struct restore *st, struct ipt_err *err,
		     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "line N: reason", and -1 */
static int line_fail(struct restore *st, struct ipt_err *err,
		     const char *fmt, ...)
{
	va_list ap;
	int o;

	if (!err)
		return -1;
	o = snprintf(err->msg, sizeof(err->msg), "line %u: ", st->line);
	va_start(ap, fmt);
	vsnprintf(err->msg + o, sizeof(err->msg) - (size_t)o, fmt, ap);
	va_end(ap);
	return -1;
}

/* Room for a line of @len bytes in the line, word and argv buffers */
static int buffers_reserve(struct restore *st, size_t len)
{
	size_t cap = st->cap ? st->cap : 256;
	char *b, *s, **a;

	if (len + 2 <= st->cap)
		return 0;
	if (len > SIZE_MAX / 4)
		return -1;
	while (cap < len + 2)
		cap *= 2;
	b = realloc(st->buf, cap);
	if (b)
		st->buf = b;
	s = realloc(st->store, cap);
	if (s)
		st->store = s;
	/* a word takes at least one byte and a separator: cap/2 + 1 words */
	a = realloc(st->argv, (cap / 2 + 4) * sizeof(*a));
	if (a)
		st->argv = a;
	if (!b || !s || !a)
		return -1;
	st->cap = cap;
	return 0;
}

/* The first blank-separated word of @s, copied into @w (0-ended) */
static const char *next_word(const char *s, char *w, size_t wlen,
			     size_t *full)
{
	size_t n = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	while (*s && *s != ' ' && *s != '\t') {
		if (n + 1 < wlen)
			w[n] = *s;
		n++;
		s++;
	}
	w[n < wlen ? n : wlen - 1] = 0;
	if (full)
		*full = n;
	return s;
}

/* A decimal number that fits in 64 bits, all of @s up to @end */
static bool parse_u64(const char *s, const char *end, uint64_t *v)
{
	uint64_t x = 0;

	if (s == end)
		return false;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9' || x > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return false;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*v = x;
	return true;
}

/* "[pkts:bytes]" at @s; @rest after the ']'. -1 when malformed */
static int counters_parse(const char *s, uint64_t *pkts, uint64_t *bytes,
			  const char **rest)
{
	const char *colon, *close = strchr(s, ']');

	if (s[0] != '[' || !close)
		return -1;
	colon = memchr(s, ':', (size_t)(close - s));
	if (!colon || !parse_u64(s + 1, colon, pkts) ||
	    !parse_u64(colon + 1, close, bytes))
		return -1;
	*rest = close + 1;
	return 0;
}

/* The table as a text starts it: a copy, or only its built-in chains */
static int table_load(struct restore *st, int tid)
{
	struct ipt_table *w = &st->work[tid];
	const struct ipt_table *old = &st->rs->t[tid];

	if (st->loaded[tid]) {
		if (!(st->flags & IPT_RESTORE_NOFLUSH))
			ipt_table_flush_all(w);
		return 0;
	}
	if (st->flags & IPT_RESTORE_NOFLUSH) {
		if (ipt_table_copy(w, old))
			return -1;
	} else {
		if (ipt_table_init(w, tid))
			return -1;
		for (uint32_t i = 0; i < old->nchains && i < w->nchains; i++) {
			if (old->chains[i].hook != w->chains[i].hook)
				break;
			w->chains[i].policy = old->chains[i].policy;
			w->chains[i].pol_pkts = old->chains[i].pol_pkts;
			w->chains[i].pol_bytes = old->chains[i].pol_bytes;
		}
	}
	st->loaded[tid] = true;
	return 0;
}

static int table_start(struct restore *st, struct ipt_err *err)
{
	char name[32];
	size_t len;
	int tid;

	next_word(st->buf + 1, name, sizeof(name), &len);
	tid = len < sizeof(name) ? ipt_table_by_name(name) : -1;
	if (tid < 0)
		return line_fail(st, err, "unable to initialize table '%s' (filter, nat, mangle or raw)",
				 name);
	if (table_load(st, tid))
		return line_fail(st, err, "out of memory loading table %s", name);
	st->cur = tid;
	return 0;
}

static int table_commit(struct restore *st, struct ipt_err *err)
{
	struct ipt_err e;

	if (ipt_table_check(&st->work[st->cur], st->cur, &e))
		return line_fail(st, err, "COMMIT of table %s: %s",
				 ipt_table_name(st->cur), e.msg);
	st->cur = -1;
	return 0;
}

/* ":NAME POLICY [p:b]" for a built-in chain */
static int builtin_declare(struct restore *st, struct ipt_chain *c,
			   const char *policy, bool counted, uint64_t pkts,
			   uint64_t bytes, struct ipt_err *err)
{
	if (!strcmp(policy, "-"))
		return 0;	/* the reference accepts it and changes nothing */
	if (!strcmp(policy, "ACCEPT"))
		c->policy = IPT_POL_ACCEPT;
	else if (!strcmp(policy, "DROP"))
		c->policy = IPT_POL_DROP;
	else
		return line_fail(st, err, "Can't set policy `%s' on `%s': Bad policy name",
				 policy, c->name);
	c->pol_pkts = counted ? pkts : 0;
	c->pol_bytes = counted ? bytes : 0;
	return 0;
}

/* ":NAME - [p:b]": create it, or with --noflush empty it if it is there */
static int user_declare(struct restore *st, const char *name,
			const char *policy, struct ipt_err *err)
{
	struct ipt_table *t = &st->work[st->cur];
	struct ipt_chain *c = ipt_chain_find(t, name);
	struct ipt_err e;

	if (strcmp(policy, "-"))
		return line_fail(st, err, "Can't set policy `%s' on `%s': Bad built-in chain name",
				 policy, name);
	if (c && (st->flags & IPT_RESTORE_NOFLUSH)) {
		ipt_chain_flush(t, c);
		return 0;
	}
	if (c)
		return line_fail(st, err, "error creating chain '%s': it exists already",
				 name);
	if (ipt_chain_create(t, name, &e))
		return line_fail(st, err, "%s", e.msg);
	return 0;
}

static int chain_declare(struct restore *st, struct ipt_err *err)
{
	char name[IPT_CHAIN_MAXLEN + 2], policy[16], cnt[64];
	uint64_t pkts = 0, bytes = 0;
	size_t nlen, plen, clen;
	const char *s = st->buf + 1, *rest;
	struct ipt_chain *c;

	s = next_word(s, name, sizeof(name), &nlen);
	s = next_word(s, policy, sizeof(policy), &plen);
	next_word(s, cnt, sizeof(cnt), &clen);
	if (!nlen)
		return line_fail(st, err, "chain name invalid: a name must follow ':'");
	if (nlen > IPT_CHAIN_MAXLEN)
		return line_fail(st, err, "Invalid chain name `%s...' (%d chars max)",
				 name, IPT_CHAIN_MAXLEN);
	if (!plen || plen >= sizeof(policy))
		return line_fail(st, err, "policy invalid for chain '%s' (ACCEPT, DROP, or - for a user chain)",
				 name);
	if (clen && (clen >= sizeof(cnt) ||
		     counters_parse(cnt, &pkts, &bytes, &rest) || *rest))
		return line_fail(st, err, "invalid policy counters for chain '%s'",
				 name);
	c = ipt_chain_find(&st->work[st->cur], name);
	if (c && c->hook >= 0)
		return builtin_declare(st, c, policy,
				       clen && (st->flags & IPT_RESTORE_COUNTERS),
				       pkts, bytes, err);
	return user_declare(st, name, policy, err);
}

/*
 * Is option @a or @b among the words? The word after --comment or
 * --log-prefix is text, not an option (iptables-save writes a comment
 * "-t" without quotes).
 */
static bool words_have(char **w, int n, const char *a, const char *b)
{
	for (int i = 0; i < n; i++) {
		if (!strcmp(w[i], "--comment") || !strcmp(w[i], "--log-prefix")) {
			i++;
			continue;
		}
		if (!strcmp(w[i], a) || !strcmp(w[i], b))
			return true;
	}
	return false;
}

static int rule_line(struct restore *st, struct ipt_err *err)
{
	static char dash_t[] = "-t";
	char table[16];
	const char *text = st->buf;
	bool counted = false;
	uint64_t pkts = 0, bytes = 0;
	struct ipt_err e;
	int n, ret;

	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (!close)
			return line_fail(st, err, "Bad line: need ]");
		counted = st->flags & IPT_RESTORE_COUNTERS;
		if (counted && counters_parse(text, &pkts, &bytes, &text))
			return line_fail(st, err, "bad counters: need [packets:bytes] before the command");
		text = close + 1;
	}
	n = ipt_split(text, st->argv + 2, (int)(st->cap / 2 + 1), st->store,
		      st->cap, &e);
	if (n < 0)
		return line_fail(st, err, "%s", e.msg);
	if (!n)
		return line_fail(st, err, "no command specified");
	if (words_have(st->argv + 2, n, "-t", "--table"))
		return line_fail(st, err, "The -t option cannot be used in iptables-restore");
	snprintf(table, sizeof(table), "%s", ipt_table_name(st->cur));
	st->argv[0] = dash_t;
	st->argv[1] = table;
	st->argv[n + 2] = NULL;
	memset(&st->cmd, 0, sizeof(st->cmd));
	if (ipt_parse(n + 2, st->argv, st->res, &st->cmd, &e))
		return line_fail(st, err, "%s", e.msg);
	if (st->cmd.table != st->cur)
		return line_fail(st, err, "The -t option cannot be used in iptables-restore");
	/* the parse, not a look at the words: "-i -c" names an interface */
	if (counted && (st->cmd.opts & IPT_OPT_COUNTERS))
		return line_fail(st, err, "multiple -c flags not allowed ([packets:bytes] and -c)");
	if (counted) {
		st->cmd.rule.pkts = pkts;
		st->cmd.rule.bytes = bytes;
	}
	ret = ipt_table_apply(&st->work[st->cur], &st->cmd, st->res, NULL, &e);
	if (ret)
		return line_fail(st, err, "%s", e.msg);
	return 0;
}

/* One line, without its newline, of @len bytes at @s */
static int line_do(struct restore *st, const char *s, size_t len,
		   struct ipt_err *err)
{
	if (buffers_reserve(st, len))
		return line_fail(st, err, "out of memory (a line of %zu bytes)",
				 len);
	memcpy(st->buf, s, len);
	if (len && st->buf[len - 1] == '\r')
		len--;
	st->buf[len] = 0;
	if (!len || st->buf[0] == '#')
		return 0;
	if (st->cur < 0) {
		if (st->buf[0] == '*')
			return table_start(st, err);
		return line_fail(st, err, "not in a table: the text must open one first (*filter, *nat or *mangle)");
	}
	if (st->buf[0] == '*')
		return line_fail(st, err, "COMMIT expected before a new table (table %s is open)",
				 ipt_table_name(st->cur));
	if (!strcmp(st->buf, "COMMIT"))
		return table_commit(st, err);
	if (st->buf[0] == ':')
		return chain_declare(st, err);
	return rule_line(st, err);
}

static int text_do(struct restore *st, const char *text, struct ipt_err *err)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		st->line++;
		if (line_do(st, p, len, err))
			return -1;
		if (!nl)
			break;
		p = nl + 1;
	}
	if (st->cur >= 0) {
		st->line++;
		return line_fail(st, err, "COMMIT expected: the text ends inside table %s",
				 ipt_table_name(st->cur));
	}
	return 0;
}

/**
 * ipt_restore() - Apply iptables-save text to a ruleset
 * @rs:		changed only if every table of the text commits
 * @text:	the text (NUL-terminated)
 * @flags:	IPT_RESTORE_NOFLUSH, IPT_RESTORE_COUNTERS, IPT_RESTORE_TEST
 * @res:	name lookups (masqctl --test), or NULL (masqd)
 * @err:	"line N: reason" on failure
 *
 * Linear in the text; see the top of this file.
 * Return: 0, or -1 with nothing changed
 */
int ipt_restore(struct ipt_ruleset *rs, const char *text, unsigned flags,
		const struct ipt_resolver *res, struct ipt_err *err)
{
	struct restore *st = calloc(1, sizeof(*st));
	int ret;

	if (!st) {
		if (err)
			snprintf(err->msg, sizeof(err->msg), "out of memory");
		return -1;
	}
	st->rs = rs;
	st->flags = flags;
	st->res = res;
	st->cur = -1;
	ret = text_do(st, text, err);
	for (int t = 0; t < IPT_TABLES; t++) {
		if (!ret && st->loaded[t] && !(flags & IPT_RESTORE_TEST)) {
			ipt_table_free(&rs->t[t]);
			rs->t[t] = st->work[t];	/* moved, not copied */
			rs->loaded |= (uint8_t)(1u << t);
			continue;
		}
		ipt_table_free(&st->work[t]);
	}
	free(st->buf);
	free(st->store);
	free(st->argv);
	free(st);
	return ret ? -1 : 0;
}
