// SPDX-License-Identifier: MIT
/*
 * test_ipt_agree.c - how often masq's iptables says what iptables-legacy
 *		      1.8.9 says (issue 20's agreement suite)
 *
 * Each case of tests/ipt/agree/NAME.cases (one iptables command a line;
 * "+ " lines set up the case after them) has the reference's verdict in
 * NAME.ref, made by tests/ipt/mkagree.sh (see it for both formats): "ok"
 * and the case's table as `iptables -S` lists it afterwards, or "err N"
 * with iptables' exit status. This test gives each case to masq the way
 * masqctl and masqd would, on a fresh ipt_ruleset_new():
 *
 *   masqctl  ipt_split(), then ipt_parse() with the C library's service
 *            and protocol lookups (ipt_system_resolver, as masqctl's
 *            names_resolver asks; host names are refused, so no case
 *            waits on DNS: the cases name none). A refusal here is exit
 *            status 3 when the -t word names a table masq lacks, else 2
 *            (src/masqctl/iptables.c). A listing (-L, -S) is then run on
 *            the ruleset with ipt_exec() (status 1 when it fails).
 *   masqd    every other command as masqctl sends it: the lines of
 *            ipt_cmd_format(), each parsed again with no resolver (a
 *            refusal: 2, masqd's usage status) and run with ipt_exec()
 *            (a refusal, or -C finding no rule: 1). The engine's compile
 *            step (fw_compile) is not run: it needs an engine.
 *
 * then takes masq's verdict: "ok" and ipt_print_S() of the case's table,
 * less the "-P CHAIN ACCEPT" lines of a fresh table (as mkagree.sh), and
 * for -A and -I ipt_print_L() -n of the chain added to; or "err N". A
 * case agrees when the verdicts are the same: both accepted with the
 * same -S text and -L lines, or both refused with the same exit status
 * (the messages are not compared).
 *
 * Prints "# NAME: agree A of N" per file, every disagreement ("# differs
 * NAME: CASE", the reference's and masq's verdicts, and where it is
 * listed), and the total percentage; then the results:
 *
 *   agree/NAME       FAIL when a disagreement is listed in neither
 *                    tests/ipt/agree/known.txt nor pending.txt
 *   agree/total      FAIL when fewer than AGREE_MIN_PERCENT of all cases
 *                    agree
 *   agree/settled    FAIL when fewer than SETTLED_MIN_PERCENT (99) of the
 *                    cases whose disagreement pending.txt does not list
 *                    agree: known.txt may excuse at most 1 %
 *   agree/listed     FAIL when a line of known.txt or pending.txt names a
 *                    case that agrees now (or no case): remove the line
 *
 * known.txt: the differences masq keeps on purpose; pending.txt: the ones
 * issue 20's other pieces (conntrack's options, addrtype, recent,
 * hashlimit, connlimit, connmark, iprange, pkttype, length, tos, ttl, the
 * raw table, the NAT options, ports for sctp/dccp/udplite) were written
 * to remove, made from main before they landed. Both are "CASE<TAB>reason"
 * lines, CASE the case's line as written in its .cases (one line covers
 * every case so written); "#" lines are comments. As those pieces land,
 * pending.txt shrinks (agree/listed says which lines to remove) and
 * AGREE_MIN_PERCENT rises; the goal, 99 with pending.txt empty, was
 * reached when the last of them landed (1083 of 1093).
 * `test_ipt_agree --pending` prints, instead of the results, every
 * disagreement known.txt does not list, as pending.txt lines;
 * `test_ipt_agree --prune` prints pending.txt less the lines whose cases
 * agree now (into a new file: the shell empties the one it writes before
 * the test reads it).
 *
 * Without /etc/services (or with one naming the cases' services otherwise
 * than the reference's Debian 12 one) the test SKIPs: the cases name
 * services. The folder is found from the program's path (build/tests[-san]/ ->
 * ../../tests/ipt/agree), else from the working directory.
 */
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipt/ipt.h"
#include "../lib/golden.h"
#include "../lib/report.h"

/*
 * Of all cases: today's agreement (main before issue 20's pieces land),
 * rounded down; it rises as they land. Of the cases pending.txt does not
 * name: issue 20's goal, so known.txt may hold at most 1 % of them.
 */
#define AGREE_MIN_PERCENT	99
#define SETTLED_MIN_PERCENT	99
#define MAX_WORDS		256
#define MAX_LISTED		4096

/* The lookups masqctl makes, less host names (no case may wait on DNS):
 * ipt_system_resolver's service and protocol ones, set in main() */
static struct ipt_resolver masqctl_lookups;

/* A verdict: status 0 with the -S text, or the exit status and why */
struct verdict {
	int status;
	struct ipt_text text;	/* 0: the listing; else the message */
	struct ipt_text l;	/* 0 after -A/-I: the chain's -L -n rules */
};

/* A line of known.txt or pending.txt */
struct listed {
	char *cases;		/* the case as written */
	char *reason;
	const char *file;	/* "known.txt" or "pending.txt" */
	bool used;		/* a case disagreed and this line covered it */
};

static struct listed listed[MAX_LISTED];
static int nlisted;
/* What main() was asked: check, or write pending.txt text (see the top) */
static enum { CHECK, PENDING, PRUNE } mode;
static char *pending_text;	/* pending.txt as read, for PRUNE */
static bool any_stale;		/* a .ref did not answer its .cases */

/* ---- lines of text --------------------------------------------------------- */

static size_t line_len(const char *s)
{
	const char *nl = strchr(s, '\n');

	return nl ? (size_t)(nl - s) : strlen(s);
}

/* The next line of *@p into @buf; false at the end */
static bool next_line(const char **p, char *buf, size_t len)
{
	size_t l;

	if (!**p)
		return false;
	l = line_len(*p);
	snprintf(buf, len, "%.*s", (int)l, *p);
	*p += l + ((*p)[l] ? 1 : 0);
	return true;
}

/* ---- known.txt and pending.txt ------------------------------------------------ */

static void listed_load(const char *dir, const char *file)
{
	char path[PATH_MAX], line[4096];
	char *text, *tab;
	const char *p;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	text = golden_read(path);
	if (!text)
		return;		/* no file: nothing listed */
	if (!strcmp(file, "pending.txt"))
		pending_text = strdup(text);
	for (p = text; next_line(&p, line, sizeof(line));) {
		tab = strchr(line, '\t');
		if (!line[0] || line[0] == '#' || !tab || nlisted == MAX_LISTED)
			continue;
		*tab = '\0';
		listed[nlisted].cases = strdup(line);
		listed[nlisted].reason = strdup(tab + 1);
		listed[nlisted].file = file;
		nlisted++;
	}
	free(text);
}

/* The line of @file naming the case @line, or NULL */
static struct listed *listed_find(const char *line, const char *file)
{
	for (int i = 0; i < nlisted; i++)
		if (listed[i].cases && !strcmp(listed[i].cases, line) &&
		    !strcmp(listed[i].file, file))
			return &listed[i];
	return NULL;
}

/* The first line naming the case @line, all such marked used; or NULL */
static struct listed *listed_use(const char *line)
{
	struct listed *first = NULL;

	for (int i = nlisted - 1; i >= 0; i--) {
		if (listed[i].cases && !strcmp(listed[i].cases, line)) {
			listed[i].used = true;
			first = &listed[i];
		}
	}
	return first;
}

/* ---- masq's verdict ------------------------------------------------------------ */

static void say(struct verdict *v, int status, const char *what,
		const char *msg)
{
	v->status = status;
	ipt_text_printf(&v->text, "%s%s", what, msg);
}

/* 3 when a -t/--table word names a table masq lacks, else 2 */
static int parse_status(int n, char **w)
{
	for (int i = 0; i < n; i++) {
		const char *t = NULL;

		if ((!strcmp(w[i], "-t") || !strcmp(w[i], "--table")) && i + 1 < n)
			t = w[i + 1];
		else if (!strncmp(w[i], "--table=", 8))
			t = w[i] + 8;
		else if (!strncmp(w[i], "-t", 2) && w[i][2] != '-' && w[i][2])
			t = w[i] + 2;
		if (t && ipt_table_by_name(t) < 0)
			return 3;
	}
	return 2;
}

/* masqd: one canonical line, parsed with no resolver and run */
static int masqd_line(struct ipt_ruleset *rs, const char *line,
		      struct ipt_cmd *cmd, struct verdict *v)
{
	struct ipt_text out = { 0 };
	struct ipt_err err = { { 0 } };
	char *words[MAX_WORDS], store[8192];
	int n, rc;

	n = ipt_split(line, words, MAX_WORDS, store, sizeof(store), &err);
	if (n < 0 || ipt_parse(n, words, NULL, cmd, &err)) {
		say(v, 2, "masqd cannot read masqctl's line: ", err.msg);
		return -1;
	}
	rc = ipt_exec(rs, cmd, NULL, &out, &err);
	ipt_text_free(&out);
	if (rc) {
		say(v, rc == IPT_EXEC_USAGE ? 2 : 1, "", err.msg);
		return -1;
	}
	return 0;
}

/* masqctl then masqd, as src/masqctl/iptables.c; 0 or -1 with @v set */
static int masq_run(struct ipt_ruleset *rs, const char *line,
		    struct ipt_cmd *cmd, struct verdict *v)
{
	struct ipt_text out = { 0 }, canon = { 0 };
	struct ipt_err err = { { 0 } };
	char *words[MAX_WORDS], store[8192];
	const char *p;
	char one[8192];
	int n, rc = 0;

	n = ipt_split(line, words, MAX_WORDS, store, sizeof(store), &err);
	if (n < 0) {
		say(v, 2, "", err.msg);
		return -1;
	}
	if (ipt_parse(n, words, &masqctl_lookups, cmd, &err)) {
		say(v, parse_status(n, words), "", err.msg);
		return -1;
	}
	if (cmd->op == IPT_OP_LIST || cmd->op == IPT_OP_LIST_RULES) {
		rc = ipt_exec(rs, cmd, &masqctl_lookups, &out, &err);
		ipt_text_free(&out);
		if (rc)
			say(v, 1, "", err.msg);
		return rc ? -1 : 0;
	}
	ipt_cmd_format(cmd, &canon);
	for (p = canon.s ? canon.s : ""; !rc && next_line(&p, one, sizeof(one));)
		rc = masqd_line(rs, one, cmd, v);
	ipt_text_free(&canon);
	return rc;
}

/* "-P CHAIN ACCEPT": a line every fresh table lists */
static bool is_fresh_policy(const char *line)
{
	size_t n = strlen(line);

	return n > 10 && !strncmp(line, "-P ", 3) &&
	       !strcmp(line + n - 7, " ACCEPT") &&
	       strchr(line + 3, ' ') == line + n - 7;
}

/* The table as the reference's listing shows it: no "-P X ACCEPT" lines */
static void list_table(const struct ipt_table *t, struct verdict *v)
{
	struct ipt_text all = { 0 };
	struct ipt_err err = { { 0 } };
	char line[4096];
	const char *p;

	if (ipt_print_S(t, NULL, 0, false, &all, &err)) {
		say(v, 1, "-S failed: ", err.msg);
		return;
	}
	for (p = all.s ? all.s : ""; next_line(&p, line, sizeof(line));)
		if (!is_fresh_policy(line))
			ipt_text_printf(&v->text, "%s\n", line);
	ipt_text_free(&all);
}

/* -L CHAIN -n's rule lines (not its two headings), each after "L " */
static void list_chain(const struct ipt_table *t, const char *chain,
		       struct verdict *v)
{
	struct ipt_text all = { 0 };
	struct ipt_err err = { { 0 } };
	char line[4096];
	const char *p = NULL;
	int n = 0;

	if (ipt_print_L(t, chain, IPT_OPT_NUMERIC, NULL, &all, &err))
		ipt_text_printf(&v->l, "L [-L failed: %s]\n", err.msg);
	for (p = all.s ? all.s : ""; next_line(&p, line, sizeof(line));)
		if (++n > 2)
			ipt_text_printf(&v->l, "L %s\n", line);
	ipt_text_free(&all);
}

/* The set-up lines, then the case, on a fresh ruleset */
static void masq_verdict(const char *setup, const char *line,
			 struct verdict *v)
{
	struct ipt_ruleset *rs = ipt_ruleset_new();
	struct ipt_cmd *cmd = calloc(1, sizeof(*cmd));
	char one[4096];
	const char *p;

	if (!rs || !cmd) {
		say(v, -1, "out of memory", "");
		goto out;
	}
	for (p = setup; next_line(&p, one, sizeof(one));) {
		if (masq_run(rs, one, cmd, v)) {
			v->status = -1;
			ipt_text_printf(&v->text, " (set-up line '%s')", one);
			goto out;
		}
	}
	if (!masq_run(rs, line, cmd, v)) {
		v->status = 0;
		list_table(&rs->t[cmd->table], v);
		if (cmd->op == IPT_OP_APPEND || cmd->op == IPT_OP_INSERT)
			list_chain(&rs->t[cmd->table], cmd->chain, v);
	}
out:
	free(cmd);
	if (rs)
		ipt_ruleset_free(rs);
}

/* ---- the reference's verdict ---------------------------------------------------- */

/*
 * The block "## CASE" at *@p: false when it is not there (the .ref is
 * older than the .cases: run mkagree.sh)
 */
static bool ref_verdict(const char **p, const char *line, struct verdict *v)
{
	char buf[4096];

	while (**p == '#' && strncmp(*p, "## ", 3))
		next_line(p, buf, sizeof(buf));	/* a comment */
	if (!next_line(p, buf, sizeof(buf)) || strncmp(buf, "## ", 3) ||
	    strcmp(buf + 3, line))
		return false;
	if (!next_line(p, buf, sizeof(buf)))
		return false;
	if (sscanf(buf, "err %d", &v->status) == 1) {
		v->status = v->status ? v->status : -1;
	} else if (!strcmp(buf, "ok")) {
		v->status = 0;
	} else {
		return false;
	}
	while (**p && strncmp(*p, "## ", 3)) {
		next_line(p, buf, sizeof(buf));
		if (buf[0] == '#' && buf[1] == ' ' && v->status)
			ipt_text_printf(&v->text, "%s", buf + 2);
		else if (!strncmp(buf, "L ", 2) && !v->status)
			ipt_text_printf(&v->l, "%s\n", buf);
		else if (buf[0] != '#' && !v->status)
			ipt_text_printf(&v->text, "%s\n", buf);
	}
	return true;
}

/* ---- comparing ------------------------------------------------------------------ */

static bool same_text(const struct ipt_text *a, const struct ipt_text *b)
{
	return !strcmp(a->s ? a->s : "", b->s ? b->s : "");
}

static bool same(const struct verdict *a, const struct verdict *b)
{
	if (a->status != b->status)
		return false;
	return a->status || (same_text(&a->text, &b->text) &&
			     same_text(&a->l, &b->l));
}

/* @s's lines at @buf + @o, joined by "; "; Return: the new end */
static size_t flatten(char *buf, size_t o, size_t len, const char *s)
{
	for (; *s && o + 3 < len; s++) {
		if (*s != '\n')
			buf[o++] = *s;
		else if (s[1])
			o += (size_t)snprintf(buf + o, len - o, "; ");
	}
	return o;
}

/* "ok: -A INPUT ...; -N x; L ACCEPT ..." or "err 2: message" */
static void show(const struct verdict *v, char *buf, size_t len)
{
	size_t o;

	if (v->status < 0)
		o = (size_t)snprintf(buf, len, "no verdict: ");
	else if (v->status)
		o = (size_t)snprintf(buf, len, "err %d: ", v->status);
	else
		o = (size_t)snprintf(buf, len, "ok: ");
	o = flatten(buf, o, len, v->text.s ? v->text.s : "");
	if (!v->status && v->l.s && o + 3 < len) {
		if (v->text.s)
			o += (size_t)snprintf(buf + o, len - o, "; ");
		o = flatten(buf, o, len, v->l.s);
	}
	buf[o < len ? o : len - 1] = '\0';
}

struct tally {
	int cases, agree, unlisted;
	int pending;		/* disagreements pending.txt names */
	char first[1024];	/* the first unlisted disagreement */
};

static void disagreement(const char *name, const char *line,
			 const struct verdict *ref, const struct verdict *masq,
			 struct tally *t)
{
	struct listed *l = listed_use(line);
	char r[1024], m[1024];

	show(ref, r, sizeof(r));
	show(masq, m, sizeof(m));
	if (l) {
		t->pending += !strcmp(l->file, "pending.txt");
	} else if (!t->unlisted++) {
		snprintf(t->first, sizeof(t->first), "'%.300s': reference %.300s, "
			 "masq %.300s", line, r, m);
	}
	if (mode == PRUNE)
		return;
	if (mode == PENDING) {
		if (!l || strcmp(l->file, "known.txt"))
			printf("%s\treference %s; masq %s\n", line, r, m);
		return;
	}
	printf("# differs %s: %s\n#   reference %s\n#   masq      %s\n"
	       "#   %s%s\n", name, line, r, m,
	       l ? l->file : "NOT LISTED in known.txt or pending.txt",
	       l ? ": " : "");
	if (l)
		printf("#     %s\n", l->reason);
}

/* One case: 1 when masq agrees, 0 when not, -1 when the .ref is stale */
static int one_case(const char *name, const char *setup, const char *line,
		    const char **refp, struct tally *t)
{
	struct verdict ref = { 0 }, masq = { 0 };
	int ret = -1;

	if (ref_verdict(refp, line, &ref)) {
		masq_verdict(setup, line, &masq);
		ret = same(&ref, &masq);
		if (!ret)
			disagreement(name, line, &ref, &masq, t);
	}
	ipt_text_free(&ref.text);
	ipt_text_free(&ref.l);
	ipt_text_free(&masq.text);
	ipt_text_free(&masq.l);
	return ret;
}

/* ---- one file ----------------------------------------------------------------- */

static void one_file(const char *path, struct tally *all)
{
	const char *base = strrchr(path, '/') + 1;
	char name[256], refpath[PATH_MAX], line[4096], test[300];
	char *cases = golden_read(path), *ref;
	struct ipt_text setup = { 0 };
	struct tally t = { 0 };
	const char *p, *rp;
	int stale = 0;

	snprintf(name, sizeof(name), "%.*s", (int)(strrchr(base, '.') - base),
		 base);
	snprintf(refpath, sizeof(refpath), "%.*s.ref",
		 (int)(strrchr(path, '.') - path), path);
	snprintf(test, sizeof(test), "agree/%s", name);
	ref = golden_read(refpath);
	if (!cases || !ref) {
		report_checkf(test, false, "cannot read %s or %s", path, refpath);
		goto out;
	}
	if (mode == PENDING)
		printf("# %s.cases\n", name);
	for (p = cases, rp = ref; !stale && next_line(&p, line, sizeof(line));) {
		if (!line[0] || line[0] == '#')
			continue;
		if (!strncmp(line, "+ ", 2)) {
			ipt_text_printf(&setup, "%s\n", line + 2);
			continue;
		}
		switch (one_case(name, setup.s ? setup.s : "", line, &rp, &t)) {
		case 1:
			t.agree++;
			break;
		case -1:
			stale = 1;
			break;
		}
		t.cases++;
		ipt_text_free(&setup);
	}
	if (mode != CHECK)
		goto out;
	printf("# %s: agree %d of %d\n", name, t.agree, t.cases);
	any_stale |= stale;
	if (stale)
		report_checkf(test, false, "%s does not answer case '%s': run "
			      "tests/ipt/mkagree.sh %s", refpath, line, name);
	else
		report_checkf(test, !t.unlisted, "%d disagreement(s) not in "
			      "known.txt or pending.txt; first %s", t.unlisted,
			      t.first);
	all->cases += t.cases;
	all->agree += t.agree;
	all->pending += t.pending;
out:
	ipt_text_free(&setup);
	free(cases);
	free(ref);
}

/* ---- main ----------------------------------------------------------------------- */

/* Does /etc/services name the ports the cases name as the reference's did? */
static bool services_as_reference(void)
{
	static const struct { const char *name, *proto; uint16_t port; } s[] = {
		{ "ftp-data", "tcp", 20 }, { "ssh", "tcp", 22 },
		{ "http", "tcp", 80 }, { "domain", "udp", 53 },
		{ "ntp", "udp", 123 },
	};
	uint16_t port;

	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (ipt_system_resolver.service(s[i].name, s[i].proto, &port) ||
		    port != s[i].port)
			return false;
	return true;
}

/* pending.txt as read, less the lines whose cases agree now (--prune) */
static void print_pruned(void)
{
	const char *p = pending_text ? pending_text : "";
	char line[4096], *tab;
	struct listed *l;

	while (next_line(&p, line, sizeof(line))) {
		tab = line[0] == '#' ? NULL : strchr(line, '\t');
		if (tab) {
			*tab = '\0';
			l = listed_find(line, "pending.txt");
			*tab = '\t';
			if (l && !l->used)
				continue;
		}
		printf("%s\n", line);
	}
}

static void check_settled(const struct tally *all)
{
	int settled = all->cases - all->pending;
	double pct = settled ? 100.0 * all->agree / settled : 100;

	printf("# agree: %d of the %d cases pending.txt does not name, "
	       "%.1f %%\n", all->agree, settled, pct);
	report_checkf("agree/settled", pct >= SETTLED_MIN_PERCENT,
		      "%.1f %% of %d cases agree, below %d %% (the cases "
		      "known.txt lists count as disagreeing)", pct, settled,
		      SETTLED_MIN_PERCENT);
}

static void check_listed(void)
{
	struct ipt_text why = { 0 };
	int stale = 0;

	if (any_stale) {
		printf("SKIP agree/listed: a .ref is older than its .cases\n");
		return;
	}
	for (int i = 0; i < nlisted; i++) {
		if (listed[i].used)
			continue;
		ipt_text_printf(&why, "%s'%s' (%s)", stale++ ? ", " : "",
				listed[i].cases, listed[i].file);
	}
	report_checkf("agree/listed", !stale, "%d line(s) name a case that "
		      "agrees now, or no case; remove them: %s", stale,
		      why.s ? why.s : "");
	ipt_text_free(&why);
}

int main(int argc, char **argv)
{
	struct tally all = { 0 };
	char dir[PATH_MAX], pat[PATH_MAX];
	double pct;
	glob_t g;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "--pending"))
		mode = PENDING;
	else if (argc > 1 && !strcmp(argv[1], "--prune"))
		mode = PRUNE;
	masqctl_lookups.service = ipt_system_resolver.service;
	masqctl_lookups.proto = ipt_system_resolver.proto;
	if (!services_as_reference()) {
		printf("SKIP agree/*: /etc/services is missing or names the "
		       "cases' services (ftp-data, ssh, http, domain, ntp) "
		       "otherwise than the reference's\n");
		return 0;
	}
	if (!golden_dir("tests/ipt/agree", dir, sizeof(dir))) {
		printf("FAIL agree/*: no tests/ipt/agree next to the program "
		       "or in the working directory\n");
		return 1;
	}
	listed_load(dir, "known.txt");
	listed_load(dir, "pending.txt");
	snprintf(pat, sizeof(pat), "%.4000s/*.cases", dir);
	if (glob(pat, 0, NULL, &g) != 0) {
		printf("FAIL agree/*: no cases in %s\n", dir);
		return 1;
	}
	for (size_t i = 0; i < g.gl_pathc; i++)
		one_file(g.gl_pathv[i], &all);
	globfree(&g);
	if (mode == PRUNE)
		print_pruned();
	if (mode == CHECK) {
		pct = all.cases ? 100.0 * all.agree / all.cases : 0;
		printf("# agree: %d of %d cases, %.1f %%\n", all.agree, all.cases,
		       pct);
		report_checkf("agree/total", pct >= AGREE_MIN_PERCENT,
			      "%.1f %% of %d cases agree, below %d %%", pct,
			      all.cases, AGREE_MIN_PERCENT);
		check_settled(&all);
		check_listed();
	}
	for (int i = 0; i < nlisted; i++) {
		free(listed[i].cases);
		free(listed[i].reason);
	}
	free(pending_text);
	return report_failures() ? 1 : 0;
}
