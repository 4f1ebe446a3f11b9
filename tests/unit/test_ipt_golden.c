// SPDX-License-Identifier: MIT
/*
 * test_ipt_golden.c - libipt against what iptables-legacy 1.8.9 printed
 *
 * For each tests/ipt/golden/NN-name.cmds (or .rst) this builds a ruleset
 * the way masqd would -- a fresh ipt_ruleset_new(), each line through
 * ipt_split(), ipt_parse() with no resolver and ipt_exec() (or the whole
 * .rst through ipt_restore() with counters) -- and compares:
 *
 *   NAME/apply      every command was accepted
 *   NAME/save       ipt_save() of all three tables, no stamp, with .save
 *                   (NAME/savec: with counters, against .savec of a .rst)
 *   NAME/print_rule ipt_print_rule() of each rule is its -S line's tail
 *   NAME/S, NAME/L  each "## iptables ARGS" section of .S and .L: ARGS
 *                   parsed, then ipt_print_S() or ipt_print_L() called
 *   NAME/exec       the same sections through ipt_exec(), same text
 *   NAME/roundtrip  save -> ipt_restore() into a fresh ruleset -> save
 *                   gives the same text (for .rst: with counters, both ways)
 *
 * and for each bad-NAME.cmds (NAME/bad): every line fails with a message
 * and leaves the ruleset as it was (its iptables-save -c text); lines
 * starting with "+ " set up and must succeed.
 *
 * The -L sections without -n want service names: the resolver here asks
 * the C library (/etc/services, as the reference did) and never resolves
 * hosts; without /etc/services those sections SKIP. The expected files
 * are made by tests/ipt/mkgolden.sh from the reference; see it for their
 * format. The golden folder is found from the program's path
 * (build/tests[-san]/ -> ../../tests/ipt/golden), else from the working
 * directory (the repository root).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipt/ipt.h"
#include "../lib/golden.h"
#include "../lib/report.h"

#define MAX_WORDS	256
#define ALL_TABLES	((1u << IPT_TABLES) - 1)	/* raw: when loaded */
#define SECTION_MARK	"## iptables "

static bool have_services;

/* ---- files ------------------------------------------------------------------- */

/* ---- the resolver for -L without -n ---------------------------------------------- */

static int no_host_name(uint32_t addr, char *buf, size_t len)
{
	(void)addr;
	(void)buf;
	(void)len;
	return -1;
}

static int libc_service_name(uint16_t port, const char *proto, char *buf,
			     size_t len)
{
	struct servent *s = getservbyport(htons(port), proto);

	if (!s || strlen(s->s_name) >= len)
		return -1;
	snprintf(buf, len, "%s", s->s_name);
	return 0;
}

static const struct ipt_resolver names = {
	.host_name = no_host_name,
	.service_name = libc_service_name,
};

/* ---- running commands -------------------------------------------------------------- */

static int parse_line(const char *line, struct ipt_cmd *cmd,
		      struct ipt_err *err)
{
	char *words[MAX_WORDS];
	char store[8192];
	int n;

	n = ipt_split(line, words, MAX_WORDS, store, sizeof(store), err);
	if (n < 0)
		return -1;
	return ipt_parse(n, words, NULL, cmd, err);
}

/* One command line through split, parse and exec: 0, 1 (-C: absent), -1 */
static int run_line(struct ipt_ruleset *rs, const char *line,
		    struct ipt_err *err)
{
	struct ipt_text out = { 0 };
	struct ipt_cmd *cmd = calloc(1, sizeof(*cmd));
	int ret = -1;

	if (!cmd) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return -1;
	}
	err->msg[0] = '\0';
	if (parse_line(line, cmd, err) == 0)
		ret = ipt_exec(rs, cmd, NULL, &out, err);
	ipt_text_free(&out);
	free(cmd);
	return ret;
}

static char *save_text(const struct ipt_ruleset *rs, bool counters)
{
	struct ipt_text t = { 0 };
	char *s;

	ipt_save(rs, ALL_TABLES, counters, NULL, &t);
	s = strdup(t.s ? t.s : "");
	ipt_text_free(&t);
	return s;
}

/* ---- comparing ---------------------------------------------------------------------- */

static size_t line_len(const char *s)
{
	const char *nl = strchr(s, '\n');

	return nl ? (size_t)(nl - s) : strlen(s);
}

/* NULL when equal; else "line N: expected '...', got '...'" in @why */
static const char *first_diff(const char *want, const char *got, char *why,
			      size_t len)
{
	int line = 1;

	while (*want || *got) {
		size_t lw = line_len(want), lg = line_len(got);

		if (lw != lg || memcmp(want, got, lw) ||
		    !want[lw] != !got[lg]) {
			snprintf(why, len, "line %d: expected '%.*s'%s, got '%.*s'%s",
				 line, (int)lw, want, *want ? "" : " (end)",
				 (int)lg, got, *got ? "" : " (end)");
			return why;
		}
		want += lw + (want[lw] ? 1 : 0);
		got += lg + (got[lg] ? 1 : 0);
		line++;
	}
	return NULL;
}

static void compare(const char *name, const char *want, const char *got)
{
	char why[1024];

	report_checkf(name, !first_diff(want, got, why, sizeof(why)), "%s", why);
}

/* ---- sections of .S and .L ------------------------------------------------------------ */

static bool wants_names(const struct ipt_cmd *cmd)
{
	return cmd->op == IPT_OP_LIST && !(cmd->opts & IPT_OPT_NUMERIC);
}

/* One listing straight from print.c */
static int list_direct(struct ipt_ruleset *rs, const struct ipt_cmd *cmd,
		       struct ipt_text *out, struct ipt_err *err)
{
	const struct ipt_table *t = &rs->t[cmd->table];
	const char *chain = cmd->chain[0] ? cmd->chain : NULL;

	if (cmd->op == IPT_OP_LIST_RULES)
		return ipt_print_S(t, chain, cmd->rulenum,
				   cmd->opts & IPT_OPT_VERBOSE, out, err);
	if (cmd->op == IPT_OP_LIST)
		return ipt_print_L(t, chain, cmd->opts, &names, out, err);
	snprintf(err->msg, sizeof(err->msg), "not a listing");
	return -1;
}

struct sections {
	struct ipt_text direct, exec;	/* what we printed */
	struct ipt_text want;		/* the reference, less skipped ones */
	char problem[512];		/* a section that did not parse */
};

/* Append one section's listing, both ways, and its expected text */
static void one_section(struct ipt_ruleset *rs, const char *args,
			const char *want, size_t want_len, struct sections *s)
{
	struct ipt_cmd *cmd = calloc(1, sizeof(*cmd));
	struct ipt_err err = { { 0 } };

	if (!cmd)
		return;
	if (parse_line(args, cmd, &err)) {
		if (!s->problem[0])
			snprintf(s->problem, sizeof(s->problem),
				 "'%.200s' does not parse: %.250s", args, err.msg);
		goto out;
	}
	if (wants_names(cmd) && !have_services)
		goto out;
	ipt_text_printf(&s->want, "%s%s\n%.*s", SECTION_MARK, args,
			(int)want_len, want);
	ipt_text_printf(&s->direct, "%s%s\n", SECTION_MARK, args);
	ipt_text_printf(&s->exec, "%s%s\n", SECTION_MARK, args);
	if (list_direct(rs, cmd, &s->direct, &err))
		ipt_text_printf(&s->direct, "[error: %s]\n", err.msg);
	if (ipt_exec(rs, cmd, wants_names(cmd) ? &names : NULL, &s->exec,
		     &err))
		ipt_text_printf(&s->exec, "[error: %s]\n", err.msg);
out:
	free(cmd);
}

/* Walk "## iptables ARGS" sections of @text */
static void run_sections(struct ipt_ruleset *rs, const char *text,
			 struct sections *s)
{
	const char *p = text;

	while ((p = strstr(p, SECTION_MARK))) {
		const char *args = p + strlen(SECTION_MARK);
		const char *body = strchr(args, '\n');
		const char *end;
		char line[1024];

		if (!body)
			break;
		snprintf(line, sizeof(line), "%.*s", (int)(body - args), args);
		body++;
		if (!strncmp(body, SECTION_MARK, strlen(SECTION_MARK))) {
			end = body;	/* an empty listing */
		} else {
			end = strstr(body, "\n" SECTION_MARK);
			end = end ? end + 1 : body + strlen(body);
		}
		one_section(rs, line, body, (size_t)(end - body), s);
		p = end;
	}
}

static void check_listings(struct ipt_ruleset *rs, const char *name,
			   const char *path, const char *kind, bool *exec_ok,
			   char *exec_why, size_t why_len)
{
	struct sections s = { 0 };
	char *text = golden_read(path);
	char test[300], why[1024];

	snprintf(test, sizeof(test), "%.280s/%s", name, kind);
	if (!text) {
		report_checkf(test, false, "cannot read %s: %s", path, strerror(errno));
		return;
	}
	run_sections(rs, text, &s);
	if (s.problem[0]) {
		report_checkf(test, false, "%s", s.problem);
	} else {
		compare(test, s.want.s ? s.want.s : "",
			s.direct.s ? s.direct.s : "");
		if (*exec_ok && first_diff(s.want.s ? s.want.s : "",
					   s.exec.s ? s.exec.s : "", why,
					   sizeof(why))) {
			*exec_ok = false;
			snprintf(exec_why, why_len, "%s: %s", kind, why);
		}
	}
	ipt_text_free(&s.direct);
	ipt_text_free(&s.exec);
	ipt_text_free(&s.want);
	free(text);
}

/* ---- one golden input ------------------------------------------------------------------ */

static void apply_cmds(struct ipt_ruleset *rs, const char *name,
		       const char *text)
{
	char test[300], why[600] = "", line[4096];
	const char *p = text;
	int n = 0, bad = 0;

	snprintf(test, sizeof(test), "%.280s/apply", name);
	while (*p) {
		size_t l = line_len(p);
		struct ipt_err err = { { 0 } };

		n++;
		snprintf(line, sizeof(line), "%.*s", (int)l, p);
		p += l + (p[l] ? 1 : 0);
		if (!line[0] || line[0] == '#')
			continue;
		if (run_line(rs, line, &err) != 0 && !bad++)
			snprintf(why, sizeof(why), "line %d '%.300s': %.250s", n, line,
				 err.msg);
	}
	report_checkf(test, !bad, "%d command(s) refused; first: %s", bad, why);
}

static void apply_rst(struct ipt_ruleset *rs, const char *name,
		      const char *text)
{
	struct ipt_err err = { { 0 } };
	char test[300];
	int ret;

	snprintf(test, sizeof(test), "%.280s/apply", name);
	ret = ipt_restore(rs, text, IPT_RESTORE_COUNTERS, NULL, &err);
	report_checkf(test, ret == 0, "ipt_restore: %s", err.msg);
}

static void roundtrip(const struct ipt_ruleset *rs, const char *name,
		      bool counters)
{
	struct ipt_ruleset *again = ipt_ruleset_new();
	struct ipt_err err = { { 0 } };
	char *first = save_text(rs, counters), *second = NULL;
	char test[300];

	snprintf(test, sizeof(test), "%.250s/roundtrip%s", name,
		 counters ? "-counters" : "");
	if (!again || !first) {
		report_checkf(test, false, "out of memory");
	} else if (ipt_restore(again, first, counters ?
			       IPT_RESTORE_COUNTERS : 0, NULL, &err)) {
		report_checkf(test, false, "ipt_restore of our own save: %s", err.msg);
	} else {
		second = save_text(again, counters);
		compare(test, first, second ? second : "");
	}
	free(first);
	free(second);
	if (again)
		ipt_ruleset_free(again);
}

/* ipt_print_rule() gives each -S line after its "-A CHAIN " */
static void print_rule_is_S(struct ipt_ruleset *rs, const char *name)
{
	struct ipt_text want = { 0 }, got = { 0 };
	struct ipt_err err = { { 0 } };
	char test[300];

	snprintf(test, sizeof(test), "%.280s/print_rule", name);
	for (int t = 0; t < IPT_TABLES; t++) {
		const struct ipt_table *tab = &rs->t[t];

		for (uint32_t i = 0; i < tab->nchains; i++) {
			const struct ipt_chain *c = &tab->chains[i];

			for (uint32_t j = 0; j < c->nrules; j++) {
				struct ipt_text one = { 0 };

				ipt_print_S(tab, c->name, j + 1, false, &want,
					    &err);
				ipt_print_rule(&c->rules[j], &one);
				ipt_text_printf(&got, "-A %s%s%s\n", c->name,
						one.len ? " " : "",
						one.s ? one.s : "");
				ipt_text_free(&one);
			}
		}
	}
	compare(test, want.s ? want.s : "", got.s ? got.s : "");
	ipt_text_free(&want);
	ipt_text_free(&got);
}

/* The "#" lines iptables-save writes around a table when given a time */
static void save_stamp(void)
{
	static const char want[] =
		"# Generated by iptables-save v1.8.9 on Wed Nov 25 22:13:26 2026\n"
		"*filter\n"
		":INPUT ACCEPT [0:0]\n"
		":FORWARD ACCEPT [0:0]\n"
		":OUTPUT ACCEPT [0:0]\n"
		"COMMIT\n"
		"# Completed on Wed Nov 25 22:13:26 2026\n";
	struct ipt_ruleset *rs = ipt_ruleset_new();
	struct ipt_text got = { 0 };

	if (!rs) {
		report_checkf("golden/save_stamp", false, "out of memory");
		return;
	}
	ipt_save(rs, 1u << IPT_FILTER, false, "Wed Nov 25 22:13:26 2026",
		 &got);
	compare("golden/save_stamp", want, got.s ? got.s : "");
	ipt_text_free(&got);
	ipt_ruleset_free(rs);
}

/* "dir/NN-name.cmds" -> "dir/NN-name.EXT" */
static void sibling(char *out, size_t len, const char *path, const char *ext)
{
	const char *dot = strrchr(path, '.');

	snprintf(out, len, "%.*s.%s", (int)(dot - path), path, ext);
}

/* ipt_save() against .save, or with counters against .savec */
static void check_save(const struct ipt_ruleset *rs, const char *name,
		       const char *path, bool counters)
{
	const char *ext = counters ? "savec" : "save";
	char other[PATH_MAX], test[300], *want, *got;

	sibling(other, sizeof(other), path, ext);
	snprintf(test, sizeof(test), "%.280s/%s", name, ext);
	want = golden_read(other);
	got = save_text(rs, counters);
	if (want && got)
		compare(test, want, got);
	else
		report_checkf(test, false, "cannot read %s", other);
	free(want);
	free(got);
}

static void golden_file(const char *path)
{
	const char *base = strrchr(path, '/') + 1;
	bool rst = strstr(base, ".rst") != NULL;
	char name[300], other[PATH_MAX], test[300], exec_why[1200] = "";
	struct ipt_ruleset *rs = ipt_ruleset_new();
	char *text = golden_read(path);
	bool exec_ok = true;

	snprintf(name, sizeof(name), "golden/%.*s",
		 (int)(strrchr(base, '.') - base), base);
	if (!rs || !text) {
		report_checkf(name, false, "cannot start: %s", rs ? path : "no memory");
		goto out;
	}
	if (rst)
		apply_rst(rs, name, text);
	else
		apply_cmds(rs, name, text);

	check_save(rs, name, path, false);
	if (rst)
		check_save(rs, name, path, true);
	print_rule_is_S(rs, name);

	sibling(other, sizeof(other), path, "S");
	check_listings(rs, name, other, "S", &exec_ok, exec_why,
		       sizeof(exec_why));
	sibling(other, sizeof(other), path, "L");
	check_listings(rs, name, other, "L", &exec_ok, exec_why,
		       sizeof(exec_why));
	snprintf(test, sizeof(test), "%.280s/exec", name);
	report_checkf(test, exec_ok, "%s", exec_why);

	/* without -c, restore zeroes the policy counters a .rst sets */
	roundtrip(rs, name, rst);
out:
	free(text);
	if (rs)
		ipt_ruleset_free(rs);
}

/* ---- must-fail inputs -------------------------------------------------------------------- */

static void bad_line(struct ipt_ruleset *rs, const char *line, int n,
		     struct ipt_text *why, int *wrong)
{
	struct ipt_err err = { { 0 } };
	char *before, *after;
	int ret;

	if (!strncmp(line, "+ ", 2)) {
		if (run_line(rs, line + 2, &err) != 0) {
			ipt_text_printf(why, "%sline %d set-up '%s' failed: %s",
					(*wrong)++ ? "; " : "", n, line + 2,
					err.msg);
		}
		return;
	}
	before = save_text(rs, true);
	ret = run_line(rs, line, &err);
	after = save_text(rs, true);
	if (ret == 0)
		ipt_text_printf(why, "%sline %d '%s' succeeded",
				(*wrong)++ ? "; " : "", n, line);
	else if (!err.msg[0])
		ipt_text_printf(why, "%sline %d '%s' failed with no message",
				(*wrong)++ ? "; " : "", n, line);
	else if (!before || !after || strcmp(before, after))
		ipt_text_printf(why, "%sline %d '%s' failed but changed the "
				"ruleset", (*wrong)++ ? "; " : "", n, line);
	free(before);
	free(after);
}

static void bad_file(const char *path)
{
	const char *base = strrchr(path, '/') + 1;
	struct ipt_ruleset *rs = ipt_ruleset_new();
	char *text = golden_read(path), name[300], line[4096];
	struct ipt_text why = { 0 };
	const char *p = text;
	int n = 0, wrong = 0;

	snprintf(name, sizeof(name), "golden/%.*s",
		 (int)(strrchr(base, '.') - base), base);
	if (!rs || !text) {
		report_checkf(name, false, "cannot start: %s", rs ? path : "no memory");
		goto out;
	}
	while (*p) {
		size_t l = line_len(p);

		n++;
		snprintf(line, sizeof(line), "%.*s", (int)l, p);
		p += l + (p[l] ? 1 : 0);
		if (line[0] && line[0] != '#')
			bad_line(rs, line, n, &why, &wrong);
	}
	report_checkf(name, !wrong, "%d line(s) wrong: %s", wrong,
		      why.s ? why.s : "");
out:
	ipt_text_free(&why);
	free(text);
	if (rs)
		ipt_ruleset_free(rs);
}

/* ---- main ------------------------------------------------------------------------------------ */

static int run_glob(const char *dir, const char *pattern,
		    void (*fn)(const char *path))
{
	char pat[PATH_MAX];
	glob_t g;
	int n;

	snprintf(pat, sizeof(pat), "%s/%s", dir, pattern);
	if (glob(pat, 0, NULL, &g) != 0)
		return 0;
	for (size_t i = 0; i < g.gl_pathc; i++)
		fn(g.gl_pathv[i]);
	n = (int)g.gl_pathc;
	globfree(&g);
	return n;
}

static void golden_unless_bad(const char *path)
{
	if (strncmp(strrchr(path, '/') + 1, "bad-", 4))
		golden_file(path);
}

int main(void)
{
	struct servent *ssh;
	char dir[PATH_MAX];
	int n;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!golden_dir("tests/ipt/golden", dir, sizeof(dir))) {
		printf("FAIL golden/*: no tests/ipt/golden next to the program "
		       "or in the working directory\n");
		return 1;
	}
	ssh = getservbyport(htons(22), "tcp");
	have_services = ssh && !strcmp(ssh->s_name, "ssh");
	if (!have_services)
		printf("SKIP golden/names: no /etc/services here; the -L "
		       "sections without -n are left out\n");
	save_stamp();
	n = run_glob(dir, "[0-9]*.cmds", golden_unless_bad);
	n += run_glob(dir, "[0-9]*.rst", golden_file);
	n += run_glob(dir, "bad-*.cmds", bad_file);
	if (!n) {
		printf("FAIL golden/*: no inputs in %s\n", dir);
		return 1;
	}
	return 0;
}
