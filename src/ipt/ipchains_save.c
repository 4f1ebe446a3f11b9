// SPDX-License-Identifier: MIT
/*
 * ipchains_save.c - ipchains-save text, and ipchains-restore
 *
 * Owns the text form of an ipchains ruleset: what `ipchains-save` prints,
 * what `ipchains-restore` reads, what masqd hands masqctl for a listing
 * and what `masqctl save` writes. As the ipchains-scripts tools had it:
 *
 *	:input DENY
 *	:forward DENY
 *	:output ACCEPT
 *	:mine -
 *	-A input -s 0.0.0.0/0.0.0.0 -d 0.0.0.0/0.0.0.0 -i lo -j ACCEPT
 *	-A forward -s 192.168.0.0/255.255.255.0 -d 0.0.0.0/0.0.0.0 -j MASQ
 *
 * every chain's line first (a user chain's policy is "-"), then every
 * rule in chain order, each as ipchains options (ipchains_rule_words():
 * numbers only, dotted masks, ports after their address, the protocol
 * as a number). With counters (IPT_LSAVE_COUNTERS, masq's own addition)
 * a chain line ends in "[packets:bytes]" (a built-in chain's policy
 * counters) and a rule line starts with it, as iptables-save -c writes
 * them; restore reads both forms.
 *
 * Restore replaces the whole ruleset, all or nothing: the text is applied
 * to the language's empty ruleset, line by line with the same parser and
 * commands as ipchains (a ":" line makes the chain or sets the policy, a
 * rule line must be -A), and the result replaces @rs only when every line
 * applied. So a jump to a chain the text makes later is refused, as it
 * was by ipchains-restore without -p; masqctl's ipchains-restore -p adds
 * the missing ":CHAIN -" lines first (ipchains_canon()).
 *
 * Limits: a line of at most 8 KiB and 256 words; every word checked.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipt/ipchains.h"

#define LINE_MAX_	8192
#define WORDS_MAX	256
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

__attribute__((format(printf, 3, 4)))
static int fail(struct ipt_err *err, unsigned line, const char *fmt, ...)
{
	char msg[sizeof(err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(err->msg, sizeof(err->msg), "line %u: %.200s", line, msg);
	return -1;
}

/* ---- save -------------------------------------------------------------------------- */

static void chain_head(const struct ipt_chain *c, bool counters,
		       struct ipt_text *out)
{
	ipt_text_printf(out, ":%s %s", c->name,
			c->hook < 0 ? "-" : ipchains_policy_name(c->policy));
	if (counters && c->hook >= 0)
		ipt_text_printf(out, " [%llu:%llu]",
				(unsigned long long)ipt_ctr_get(&c->pol_pkts),
				(unsigned long long)ipt_ctr_get(&c->pol_bytes));
	ipt_text_printf(out, "\n");
}

static void chain_rules(const struct ipt_chain *c, bool counters,
			struct ipt_text *out)
{
	for (uint32_t k = 0; k < c->nrules; k++) {
		const struct ipt_rule *r = &c->rules[k];

		if (counters)
			ipt_text_printf(out, "[%llu:%llu] ",
					(unsigned long long)ipt_ctr_get(&r->pkts),
					(unsigned long long)ipt_ctr_get(&r->bytes));
		ipt_text_printf(out, "-A %s", c->name);
		ipchains_rule_words(r, out);
		ipt_text_printf(out, "\n");
	}
}

/**
 * ipchains_save_chain() - ipchains-save [chain]
 * @rs:		the ruleset
 * @chain:	one chain, or NULL for all
 * @flags:	IPT_LSAVE_COUNTERS
 * @out:	the text
 *
 * Return: 0, or -1 when @chain does not exist
 */
int ipchains_save_chain(const struct ipt_ruleset *rs, const char *chain,
			unsigned flags, struct ipt_text *out)
{
	const struct ipt_table *t = &rs->t[IPT_FILTER];
	bool counters = flags & IPT_LSAVE_COUNTERS, found = false;

	for (uint32_t i = 0; i < t->nchains; i++) {
		if (!chain || !strcmp(chain, t->chains[i].name)) {
			chain_head(&t->chains[i], counters, out);
			found = true;
		}
	}
	for (uint32_t i = 0; i < t->nchains; i++)
		if (!chain || !strcmp(chain, t->chains[i].name))
			chain_rules(&t->chains[i], counters, out);
	return found ? 0 : -1;
}

/* ---- restore ----------------------------------------------------------------------- */

/* "[123:4567]": two counters; false when the word is not that */
static bool counters_parse(const char *w, uint64_t *p, uint64_t *b)
{
	const char *colon;
	uint64_t v[2] = { 0, 0 };
	int i = 0;

	if (w[0] != '[' || w[strlen(w) - 1] != ']' || !(colon = strchr(w, ':')))
		return false;	/* (w[0] == '[': strlen(w) >= 1) */
	if (colon > strchr(w, ']'))
		return false;
	for (const char *s = w + 1; *s != ']'; s++) {
		if (s == colon) {
			if (i++)
				return false;
			continue;
		}
		if (*s < '0' || *s > '9' || v[i] > (UINT64_MAX - 9) / 10)
			return false;
		v[i] = v[i] * 10 + (uint64_t)(*s - '0');
	}
	if (colon == w + 1 || colon[1] == ']')
		return false;
	*p = v[0];
	*b = v[1];
	return true;
}

/* ":NAME POLICY [[p:b]]": a built-in chain's policy, or a user chain */
static int chain_line(struct ipt_ruleset *rs, char **w, int n, unsigned line,
		      struct ipt_err *err)
{
	struct ipt_table *t = &rs->t[IPT_FILTER];
	const char *name = w[0] + 1;
	struct ipt_chain *c = ipt_chain_find(t, name);
	uint64_t p = 0, b = 0;
	int pol;

	if (n < 2 || n > 3 || (n == 3 && !counters_parse(w[2], &p, &b)))
		return fail(err, line, "a chain line is \":CHAIN POLICY [packets:bytes]\"");
	if (c && c->hook >= 0) {
		pol = ipchains_policy_by_name(w[1]);
		if (pol < 0)
			return fail(err, line, "Invalid policy `%s' for chain `%s'",
				    w[1], name);
		if (pol == IPT_POL_MASQ && c->hook != IPT_FORWARD)
			return fail(err, line, "`-P MASQ' only valid for `forward' chain.");
		c->policy = (uint8_t)pol;
		c->pol_pkts = p;
		c->pol_bytes = b;
		return 0;
	}
	if (strcmp(w[1], "-"))
		return fail(err, line, "Can only set policy in built-in chains.");
	if (c)
		return fail(err, line, "chain `%s' is made twice", name);
	{
		char *nw[2] = { "-N", (char *)name };
		struct ipt_err e;
		int r = ipchains_exec(rs, 2, nw, NULL, NULL, &e);

		if (r)
			return fail(err, line, "%s", e.msg);
	}
	return 0;
}

/* "[[p:b]] -A CHAIN RULE": appended, its counters set */
static int rule_line(struct ipt_ruleset *rs, char **w, int n, unsigned line,
		     struct ipt_err *err)
{
	struct ipchains_cmd *cmd = malloc(sizeof(*cmd));
	struct ipt_chain *c;
	uint64_t p = 0, b = 0;
	uint32_t before = 0;
	int ret = -1;

	if (!cmd)
		return fail(err, line, "out of memory");
	if (n && counters_parse(w[0], &p, &b)) {
		w++;
		n--;
	}
	if (ipchains_parse(n, w, NULL, cmd, err)) {
		fail(err, line, "%s", err->msg);
		goto out;
	}
	if (cmd->op != IPCHAINS_OP_APPEND) {
		fail(err, line, "a rule line is \"-A CHAIN ...\"");
		goto out;
	}
	c = ipt_chain_find(&rs->t[IPT_FILTER], cmd->chain);
	before = c ? c->nrules : 0;
	if (ipchains_apply(rs, cmd, NULL, NULL, err)) {
		fail(err, line, "%s", err->msg);
		goto out;
	}
	c = ipt_chain_find(&rs->t[IPT_FILTER], cmd->chain);
	for (uint32_t k = before; c && k < c->nrules; k++) {
		c->rules[k].pkts = p;
		c->rules[k].bytes = b;
	}
	ret = 0;
out:
	free(cmd);
	return ret;
}

/* One line of the text (NUL-terminated, no newline) */
static int one_line(struct ipt_ruleset *rs, const char *s, unsigned line,
		    struct ipt_err *err)
{
	char store[LINE_MAX_];
	char *w[WORDS_MAX];
	int n;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s || *s == '#')
		return 0;
	n = ipt_split(s, w, WORDS_MAX, store, sizeof(store), err);
	if (n < 0)
		return fail(err, line, "%s", err->msg);
	if (!n)
		return 0;
	if (w[0][0] == ':')
		return chain_line(rs, w, n, line, err);
	return rule_line(rs, w, n, line, err);
}

/* Every line of @text applied to @rs, in order; -1 at the first failure */
static int lines_apply(struct ipt_ruleset *rs, const char *text,
		       struct ipt_err *err)
{
	char buf[LINE_MAX_];
	unsigned line = 0;

	while (*text) {
		size_t l = strcspn(text, "\n");

		line++;
		if (l >= sizeof(buf))
			return fail(err, line, "longer than %d bytes", LINE_MAX_ - 1);
		memcpy(buf, text, l);
		buf[l] = '\0';
		if (l && buf[l - 1] == '\r')
			buf[l - 1] = '\0';
		if (memchr(text, '\0', l))
			return fail(err, line, "a NUL byte");
		if (one_line(rs, buf, line, err))
			return -1;
		text += l + (text[l] == '\n');
	}
	return 0;
}

/**
 * ipchains_restore() - Replace @rs with the ruleset @text describes
 * @rs:		changed only when the whole text applies
 * @text:	ipchains-save text
 * @err:	"line N: why"
 *
 * Return: 0, or -1 with @err set and @rs unchanged
 */
int ipchains_restore(struct ipt_ruleset *rs, const char *text,
		     struct ipt_err *err)
{
	struct ipt_ruleset *n = ipt_ruleset_new();

	err->msg[0] = '\0';
	if (!n || ipchains_init(n)) {
		ipt_ruleset_free(n);
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return -1;
	}
	if (lines_apply(n, text, err)) {
		ipt_ruleset_free(n);
		return -1;
	}
	for (int i = 0; i < IPT_TABLES; i++) {
		ipt_table_free(&rs->t[i]);
		rs->t[i] = n->t[i];
		memset(&n->t[i], 0, sizeof(n->t[i]));
	}
	rs->lang = n->lang;
	rs->loaded = n->loaded;
	ipt_ruleset_free(n);
	return 0;
}

/* ---- masqctl's ipchains-restore: names to numbers --------------------------------- */

/* The chains the text makes and the chains its rules jump to */
struct chain_names {
	uint32_t nmade, njump;
	char made[1024][IPCHAINS_LABEL_MAX + 1];
	char jump[1024][IPCHAINS_LABEL_MAX + 1];
};

static bool name_in(char (*list)[IPCHAINS_LABEL_MAX + 1], uint32_t n,
		    const char *name)
{
	for (uint32_t i = 0; i < n; i++)
		if (!strcmp(list[i], name))
			return true;
	return false;
}

static void name_add(char (*list)[IPCHAINS_LABEL_MAX + 1], uint32_t *n,
		     const char *name)
{
	if (*n < 1024 && !name_in(list, *n, name))
		snprintf(list[(*n)++], IPCHAINS_LABEL_MAX + 1, "%s", name);
}

/* One rule line made canonical (several lines for several addresses) */
static int canon_rule(char **w, int n, const struct ipt_resolver *res,
		      struct chain_names *cn, struct ipt_text *out,
		      unsigned line, struct ipt_err *err)
{
	struct ipchains_cmd *cmd = malloc(sizeof(*cmd));
	struct ipt_text t = { 0 };
	const char *ctr = NULL;
	int ret = -1;

	if (!cmd)
		return fail(err, line, "out of memory");
	if (n && w[0][0] == '[') {
		ctr = w[0];
		w++;
		n--;
	}
	if (ipchains_parse(n, w, res, cmd, err)) {
		fail(err, line, "%s", err->msg);
		goto out;
	}
	if (cmd->op != IPCHAINS_OP_APPEND) {
		fail(err, line, "a rule line is \"-A CHAIN ...\"");
		goto out;
	}
	if (cmd->rule.t.kind == IPT_T_JUMP)
		name_add(cn->jump, &cn->njump, cmd->rule.t.chain);
	ipchains_format(cmd, &t);
	for (char *l = t.s, *nl; l && *l; l = nl) {
		nl = strchr(l, '\n');
		if (nl)
			*nl++ = '\0';
		ipt_text_printf(out, "%s%s%s\n", ctr ? ctr : "", ctr ? " " : "", l);
	}
	ret = t.oom ? fail(err, line, "out of memory") : 0;
out:
	ipt_text_free(&t);
	free(cmd);
	return ret;
}

/* One line of masqctl's text: chain lines kept, rule lines made numeric */
static int canon_line(const char *s, const struct ipt_resolver *res,
		      struct chain_names *cn, struct ipt_text *out,
		      unsigned line, struct ipt_err *err)
{
	char store[LINE_MAX_];
	char *w[WORDS_MAX];
	int n;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s || *s == '#') {
		ipt_text_printf(out, "%s\n", s);
		return 0;
	}
	n = ipt_split(s, w, WORDS_MAX, store, sizeof(store), err);
	if (n < 0)
		return fail(err, line, "%s", err->msg);
	if (n && w[0][0] == ':') {
		name_add(cn->made, &cn->nmade, w[0] + 1);
		ipt_text_printf(out, "%s\n", s);
		return 0;
	}
	return canon_rule(w, n, res, cn, out, line, err);
}

static bool known_chain(struct chain_names *cn, const char *name)
{
	return !strcmp(name, "input") || !strcmp(name, "forward") ||
	       !strcmp(name, "output") || name_in(cn->made, cn->nmade, name);
}

/**
 * ipchains_canon() - Text for masqd: names resolved, chains added (-p)
 * @text:	ipchains-save text, names allowed
 * @res:	lookups
 * @flags:	IPCHAINS_CANON_CREATE: ":CHAIN -" first for each chain a rule
 *		jumps to and no line makes
 * @out:	the text masqd restores
 * @err:	"line N: why"
 *
 * Return: 0, or -1 with @err set
 */
int ipchains_canon(const char *text, const struct ipt_resolver *res,
		   unsigned flags, struct ipt_text *out, struct ipt_err *err)
{
	struct chain_names *cn = calloc(1, sizeof(*cn));
	struct ipt_text body = { 0 };
	char buf[LINE_MAX_];
	unsigned line = 0;
	int ret = -1;

	if (!cn)
		return fail(err, 0, "out of memory");
	while (*text) {
		size_t l = strcspn(text, "\n");

		line++;
		if (l >= sizeof(buf)) {
			fail(err, line, "longer than %d bytes", LINE_MAX_ - 1);
			goto out;
		}
		memcpy(buf, text, l);
		buf[l] = '\0';
		if (l && buf[l - 1] == '\r')
			buf[l - 1] = '\0';
		if (canon_line(buf, res, cn, &body, line, err))
			goto out;
		text += l + (text[l] == '\n');
	}
	for (uint32_t i = 0; (flags & IPCHAINS_CANON_CREATE) && i < cn->njump; i++)
		if (!known_chain(cn, cn->jump[i]))
			ipt_text_printf(out, ":%s -\n", cn->jump[i]);
	ipt_text_printf(out, "%s", body.s ? body.s : "");
	ret = out->oom || body.oom ? fail(err, line, "out of memory") : 0;
out:
	ipt_text_free(&body);
	free(cn);
	return ret;
}
