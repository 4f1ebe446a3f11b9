// SPDX-License-Identifier: MIT
/*
 * test_ipt_manpage.c - the manual and "iptables -h" say what the parser has
 *
 * masqctl(8)'s section "What the language has" holds three tbl tables
 * and a list, each after a comment line naming it:
 *
 *   .\" ipt-options   iptables' own options: first cell "-s, --source, --src"
 *   .\" ipt-matches   match name | its options ("--a, --b; refused: --c") | text
 *   .\" ipt-targets   target name | its options, likewise | text
 *   .\" ipt-refused   the next line: the targets refused by name, "A, B, C."
 *
 * This test reads man/masqctl.8 from the source tree (golden_dir(), as the
 * golden tests find theirs) and compares each with the parser's own
 * tables through ipt_name_at() and ipt_ext_opt_at(): every name and option
 * of the parser is in the manual, in the right row, and the manual names
 * nothing else; an option the parser refuses by name is listed as refused.
 * So adding an extension, an option or a refused target without writing
 * it down fails here ("manpage/matches: ... not in man/masqctl.8"). Each
 * target's tables and chains (the first sentence of its text: "any",
 * "any but nat", "nat: PREROUTING, OUTPUT", "mangle") are tried: a rule
 * with it goes into each built-in chain of each table exactly where the
 * manual says (ipt_exec(), the kernel's checks, as masqd applies it).
 *
 * Then ipt_help() (masqctl iptables -h): the usage text, every match and
 * target named; for each "-m NAME -h" and "-j NAME -h" iptables' heading
 * and every option of the extension named in its help; -p's match when no
 * -m; an unknown -m refused with iptables' words; no -h, no help.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipt/ipt.h"
#include "../lib/golden.h"
#include "../lib/report.h"

#define MAX_ROWS	64
#define MAX_CELLS	3
#define CELL_LEN	1024
#define MAX_WORDS	48

/**
 * struct row - one row of a man table, its cells with the troff taken out
 * @cell:	"-s, --source, --src", "--mark", ...
 * @n:		cells in the row
 */
struct row {
	char cell[MAX_CELLS][CELL_LEN];
	int n;
};

struct table {
	struct row rows[MAX_ROWS];
	int n;
};

/* ---- reading the manual -------------------------------------------------- */

/* @src's text with \% \& \fB \fI \fP \fR gone, \- as -, \(aq as ' */
static void untroff(const char *src, size_t len, char *out, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 1 < size; i++) {
		if (src[i] != '\\' || i + 1 >= len) {
			out[o++] = src[i];
		} else if (src[i + 1] == '-') {
			out[o++] = '-';
			i++;
		} else if (src[i + 1] == 'f' && i + 2 < len) {
			i += 2;
		} else if (src[i + 1] == '(' && i + 3 < len) {
			out[o++] = '\'';
			i += 3;
		} else {
			i++;	/* \% \& */
		}
	}
	out[o] = 0;
}

/* One cell from *@p: a T{ ... T} block or text up to a tab or newline */
static void cell_read(const char **p, char *out)
{
	const char *s = *p, *end;

	if (!strncmp(s, "T{\n", 3)) {
		s += 3;
		end = strstr(s, "\nT}");
		if (!end)
			end = s + strlen(s);
		untroff(s, (size_t)(end - s), out, CELL_LEN);
		*p = *end ? end + 3 : end;
		return;
	}
	end = s + strcspn(s, "\t\n");
	untroff(s, (size_t)(end - s), out, CELL_LEN);
	*p = end;
}

/*
 * The tbl table after the line ".\" @mark": its rows, after the format
 * line (ending in '.') and up to .TE; lines starting with '.' between rows
 * are requests, not rows
 */
static int table_read(const char *man, const char *mark, struct table *t)
{
	char want[64];
	const char *p;

	snprintf(want, sizeof(want), "\n.\\\" %s", mark);
	p = strstr(man, want);
	if (!p || !(p = strstr(p, "\n.TS\n")))
		return report_failf("no table '%s' in man/masqctl.8", mark);
	p = strchr(p + 5, '\n');	/* the format line */
	t->n = 0;
	while (p && *++p && strncmp(p, ".TE\n", 4)) {
		struct row *r = &t->rows[t->n];

		if (*p == '.') {
			p = strchr(p, '\n');
			continue;
		}
		if (t->n == MAX_ROWS)
			return report_failf("table '%s': more than %d rows",
					    mark, MAX_ROWS);
		for (r->n = 0; r->n < MAX_CELLS;) {
			cell_read(&p, r->cell[r->n++]);
			if (*p != '\t')
				break;
			p++;
		}
		t->n++;
		if (*p != '\n')
			p = strchr(p, '\n');
	}
	return t->n ? 0 : report_failf("table '%s' is empty", mark);
}

/* Split @s at ", " (a trailing '.' dropped) into @w; Return: the count */
static int words_split(char *s, char **w)
{
	int n = 0;
	size_t l = strlen(s);

	if (l && s[l - 1] == '.')
		s[l - 1] = 0;
	for (char *tok = strtok(s, ", "); tok && n < MAX_WORDS;
	     tok = strtok(NULL, ", "))
		w[n++] = tok;
	return n;
}

static bool word_in(const char *w, char *const *list, int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(list[i], w))
			return true;
	return false;
}

/* ---- the options table --------------------------------------------------- */

/*
 * The row whose first cell names "--@name", its words in @w (pointing
 * into @copy); NULL when none
 */
static const struct row *option_row(const struct table *t, const char *name,
				    char *copy, char **w, int *n)
{
	char want[64];

	snprintf(want, sizeof(want), "--%s", name);
	for (int i = 0; i < t->n; i++) {
		memcpy(copy, t->rows[i].cell[0], CELL_LEN);
		*n = words_split(copy, w);
		if (word_in(want, w, *n))
			return &t->rows[i];
	}
	return NULL;
}

/* Is @word ("--name" or "-X") an option of the parser? */
static bool parser_has_option(const char *word)
{
	const char *name;
	char letter;

	for (unsigned i = 0; (name = ipt_name_at(IPT_NAMES_OPTIONS, i, &letter));
	     i++)
		if ((word[1] == '-' && !strcmp(word + 2, name)) ||
		    (word[1] != '-' && !word[2] && word[1] == letter))
			return true;
	return false;
}

static int options_compare(const struct table *t)
{
	char letter, *w[MAX_WORDS], copy[CELL_LEN];
	const char *name;
	int n;

	for (unsigned i = 0; (name = ipt_name_at(IPT_NAMES_OPTIONS, i, &letter));
	     i++) {
		char show[4] = { '-', letter, 0, 0 };

		if (!option_row(t, name, copy, w, &n))
			return report_failf("--%s is not in man/masqctl.8's "
					    "options table", name);
		if (letter && !word_in(show, w, n))
			return report_failf("--%s's row lacks %s", name, show);
	}
	for (int i = 0; i < t->n; i++) {
		memcpy(copy, t->rows[i].cell[0], CELL_LEN);
		n = words_split(copy, w);
		for (int k = 0; k < n; k++)
			if (w[k][0] != '-' || !parser_has_option(w[k]))
				return report_failf("the options table names "
						    "'%s', which the parser has "
						    "not", w[k]);
	}
	return 0;
}

/* ---- the matches and targets tables --------------------------------------- */

/*
 * A row's options cell: "--a, --b; refused: --c" or "-" (none), into
 * @taken and @refused
 */
static void options_cell(const struct row *r, char *buf, char **taken,
			 int *nt, char **refused, int *nr)
{
	char *semi;

	memcpy(buf, r->cell[1], CELL_LEN);
	*nt = *nr = 0;
	semi = strstr(buf, "; refused: ");
	if (!strncmp(buf, "refused: ", 9)) {
		*nr = words_split(buf + 9, refused);
		return;
	}
	if (semi) {
		*semi = 0;
		*nr = words_split(semi + 11, refused);
	}
	if (strcmp(buf, "-"))
		*nt = words_split(buf, taken);
}

/* Row @r against extension @name's options in the registry */
static int ext_row_compare(bool target, const char *name, const struct row *r)
{
	char buf[CELL_LEN], *taken[MAX_WORDS], *refused[MAX_WORDS];
	int nt, nr, count = 0;
	const char *opt;
	bool by_name;

	if (r->n < 3)
		return report_failf("%s's row has %d cells, not 3", name, r->n);
	options_cell(r, buf, taken, &nt, refused, &nr);
	for (unsigned j = 0; (opt = ipt_ext_opt_at(target, name, j, &by_name));
	     j++) {
		char want[64];

		snprintf(want, sizeof(want), "--%s", opt);
		count++;
		if (by_name && !word_in(want, refused, nr))
			return report_failf("%s: %s is refused by the parser, "
					    "not listed as refused", name, want);
		if (!word_in(want, taken, nt) && !word_in(want, refused, nr))
			return report_failf("%s: %s is not in man/masqctl.8",
					    name, want);
	}
	if (nt + nr != count)
		return report_failf("%s: man/masqctl.8 lists %d options, the "
				    "parser has %d", name, nt + nr, count);
	return 0;
}

static const struct row *named_row(const struct table *t, const char *name)
{
	for (int i = 0; i < t->n; i++)
		if (!strcmp(t->rows[i].cell[0], name))
			return &t->rows[i];
	return NULL;
}

static int exts_compare(const struct table *t, enum ipt_names list)
{
	bool target = list == IPT_NAMES_TARGETS;
	const char *name;
	char letter;
	unsigned i;

	for (i = 0; (name = ipt_name_at(list, i, &letter)); i++) {
		const struct row *r = named_row(t, name);

		if (!r)
			return report_failf("%s is not in man/masqctl.8's "
					    "table", name);
		if (ext_row_compare(target, name, r))
			return -1;
	}
	if ((int)i != t->n)
		return report_failf("man/masqctl.8's table has %d rows, the "
				    "parser %u names", t->n, i);
	return 0;
}

/* The table after ".\" @mark" against the parser's list @list */
static int table_check(const char *man, const char *mark, struct table *t,
		       enum ipt_names list)
{
	if (table_read(man, mark, t))
		return -1;
	return list == IPT_NAMES_OPTIONS ? options_compare(t) :
					   exts_compare(t, list);
}

/* ---- where each target may be used -------------------------------------- */

static const struct {
	const char *table;
	const char *chains[6];
} builtin[] = {
	{ "filter", { "INPUT", "FORWARD", "OUTPUT" } },
	{ "nat", { "PREROUTING", "INPUT", "OUTPUT", "POSTROUTING" } },
	{ "mangle", { "PREROUTING", "INPUT", "FORWARD", "OUTPUT",
		      "POSTROUTING" } },
	{ "raw", { "PREROUTING", "OUTPUT" } },
};

/* What a target needs to be taken at all (the rest: nothing) */
static const struct {
	const char *target;
	const char *words[6];
} needs[] = {
	{ "TCPMSS", { "-p", "tcp", "--syn", "--set-mss", "1000" } },
	{ "SNAT", { "--to-source", "192.0.2.1" } },
	{ "DNAT", { "--to-destination", "192.0.2.1" } },
	{ "MARK", { "--set-mark", "1" } },
	{ "CONNMARK", { "--set-mark", "1" } },
	{ "TOS", { "--set-tos", "0x10" } },
	{ "TTL", { "--ttl-set", "64" } },
};

/* Does "-t @table -A @chain -j @target ..." go into a fresh ruleset? */
static bool target_taken(const char *target, const char *table,
			 const char *chain)
{
	char *argv[16] = { "-t", (char *)table, "-A", (char *)chain, "-j",
			   (char *)target };
	struct ipt_ruleset *rs = ipt_ruleset_new();
	struct ipt_text out = { 0 };
	struct ipt_cmd cmd;
	struct ipt_err err;
	int argc = 6;
	bool ok;

	for (size_t i = 0; i < sizeof(needs) / sizeof(needs[0]); i++)
		for (int k = 0; !strcmp(needs[i].target, target) &&
		     needs[i].words[k]; k++)
			argv[argc++] = (char *)needs[i].words[k];
	ok = rs && !ipt_parse(argc, argv, NULL, &cmd, &err) &&
	     !ipt_exec(rs, &cmd, NULL, &out, &err);
	ipt_text_free(&out);
	ipt_ruleset_free(rs);
	return ok;
}

/* Does the manual's "where" (first sentence of the text) allow it? */
static bool where_allows(const char *where, const char *table,
			 const char *chain)
{
	size_t tl = strlen(table);
	const char *c;

	if (!strncmp(where, "any", 3))
		return strncmp(where, "any but ", 8) ||
		       strcmp(where + 8, table);
	if (strncmp(where, table, tl) || (where[tl] && where[tl] != ':'))
		return false;
	if (!where[tl])
		return true;
	for (c = strstr(where, chain); c; c = strstr(c + 1, chain))
		if ((c[-1] == ' ') && (!c[strlen(chain)] ||
				       c[strlen(chain)] == ','))
			return true;
	return false;
}

/* Every built-in chain of every table: taken iff the manual says so */
static int where_compare(const struct table *t)
{
	for (int i = 0; i < t->n; i++) {
		const struct row *r = &t->rows[i];
		char where[CELL_LEN];

		memcpy(where, r->cell[2], CELL_LEN);
		where[strcspn(where, ".;")] = 0;
		for (size_t b = 0; b < sizeof(builtin) / sizeof(builtin[0]); b++)
			for (int c = 0; builtin[b].chains[c]; c++) {
				const char *tb = builtin[b].table,
					   *ch = builtin[b].chains[c];
				bool doc = where_allows(where, tb, ch);

				if (doc != target_taken(r->cell[0], tb, ch))
					return report_failf("%s in %s %s: the "
							    "manual says %s",
							    r->cell[0], tb, ch,
							    doc ? "yes" : "no");
			}
	}
	return 0;
}

/* The line after ".\" ipt-refused" against the refused targets */
static int refused_compare(const char *man)
{
	const char *p = strstr(man, "\n.\\\" ipt-refused"), *end;
	char line[CELL_LEN], *w[MAX_WORDS];
	const char *name;
	char letter;
	unsigned i;
	int n;

	if (!p || !(p = strchr(p + 1, '\n')))
		return report_failf("no refused list in man/masqctl.8");
	end = strchr(++p, '\n');
	untroff(p, end ? (size_t)(end - p) : strlen(p), line, sizeof(line));
	n = words_split(line, w);
	for (i = 0; (name = ipt_name_at(IPT_NAMES_REFUSED, i, &letter)); i++)
		if (!word_in(name, w, n))
			return report_failf("refused target %s is not in "
					    "man/masqctl.8", name);
	if ((int)i != n)
		return report_failf("man/masqctl.8 refuses %d targets, the "
				    "parser %u", n, i);
	return 0;
}

/* ---- ipt_help() ------------------------------------------------------------ */

/* ipt_help() of @argv; Return: its value, with the text in @out */
static int help_of(char *const *argv, int argc, struct ipt_text *out,
		   struct ipt_err *err)
{
	*out = (struct ipt_text){ 0 };
	return ipt_help(argc, argv, out, err);
}

static int help_usage(void)
{
	static const char usage[] = "\nUsage: iptables -[ACD] chain "
				    "rule-specification [options]\n";
	char *argv[] = { "-h" };
	struct ipt_text out;
	struct ipt_err err;
	const char *name;
	char letter;
	int rc = 0;

	if (help_of(argv, 1, &out, &err) || !out.s)
		return report_failf("ipt_help(-h) failed");
	if (strncmp(out.s, usage, strlen(usage)))
		rc = report_failf("-h does not start with the usage: %.60s",
				  out.s);
	for (enum ipt_names l = IPT_NAMES_MATCHES; l <= IPT_NAMES_REFUSED &&
	     !rc; l++)
		for (unsigned i = 0; (name = ipt_name_at(l, i, &letter)); i++) {
			char want[64];

			snprintf(want, sizeof(want), " %s\n", name);
			if (!strstr(out.s, want) &&
			    (snprintf(want, sizeof(want), " %s ", name),
			     !strstr(out.s, want))) {
				rc = report_failf("-h does not list %s", name);
				break;
			}
		}
	if (!rc && strstr(out.s, "match options:"))
		rc = report_failf("-h alone prints a match's help");
	ipt_text_free(&out);
	return rc;
}

/* "-m NAME -h" or "-j NAME -h": the heading, and every option named */
static int help_ext(bool target, const char *name)
{
	char *argv[] = { target ? "-j" : "-m", (char *)name, "-h" };
	char head[64];
	struct ipt_text out;
	struct ipt_err err;
	const char *opt, *at;
	bool by_name;
	int rc = 0;

	if (help_of(argv, 3, &out, &err) || !out.s)
		return report_failf("ipt_help(%s %s -h) failed", argv[0], name);
	snprintf(head, sizeof(head), "\n%s %s options:\n", name,
		 target ? "target" : "match");
	at = strstr(out.s, head);
	if (!ipt_ext_opt_at(target, name, 0, &by_name)) {
		if (!strstr(out.s, "\nstandard match options:\n") &&
		    !strstr(out.s, " does not take any options\n"))
			rc = report_failf("%s -h: no words for no options",
					  name);
	} else if (!at) {
		rc = report_failf("%s -h lacks '%s'", name, head + 1);
	}
	for (unsigned j = 0; at && !rc &&
	     (opt = ipt_ext_opt_at(target, name, j, &by_name)); j++) {
		char want[64];

		snprintf(want, sizeof(want), "--%s ", opt);
		if (!strstr(at, want) &&
		    (snprintf(want, sizeof(want), "--%s\t", opt),
		     !strstr(at, want)) &&
		    (snprintf(want, sizeof(want), "--%s\n", opt),
		     !strstr(at, want)) &&
		    (snprintf(want, sizeof(want), "--%s]", opt),
		     !strstr(at, want)))
			rc = report_failf("%s -h does not name --%s", name,
					  opt);
	}
	ipt_text_free(&out);
	return rc;
}

static int help_exts(void)
{
	const char *name;
	char letter;

	for (unsigned i = 0; (name = ipt_name_at(IPT_NAMES_MATCHES, i, &letter));
	     i++)
		if (help_ext(false, name))
			return -1;
	for (unsigned i = 0; (name = ipt_name_at(IPT_NAMES_TARGETS, i, &letter));
	     i++)
		if (help_ext(true, name))
			return -1;
	return 0;
}

/* -p tcp loads tcp's help with no -m, not after one; -j X before -m Y */
static int help_order(void)
{
	char *ptcp[] = { "-p", "tcp", "-h" };
	char *mudp[] = { "-m", "udp", "-p", "tcp", "-j", "REJECT", "--help" };
	struct ipt_text out;
	struct ipt_err err;
	const char *t, *u;
	int rc = 0;

	if (help_of(ptcp, 3, &out, &err) || !strstr(out.s, "\ntcp match options:"))
		rc = report_failf("-p tcp -h lacks tcp's help");
	ipt_text_free(&out);
	if (rc || help_of(mudp, 7, &out, &err))
		return rc ? rc : report_failf("ipt_help(-m udp ...) failed");
	t = strstr(out.s, "\nREJECT target options:\n");
	u = strstr(out.s, "\nudp match options:\n");
	if (!t || !u || t > u || strstr(out.s, "\ntcp match options:"))
		rc = report_failf("-m udp -p tcp -j REJECT --help: want "
				  "REJECT's help, then udp's, not tcp's");
	else if (!strstr(t, "    tcp-reset "))
		rc = report_failf("REJECT's help lacks the reject types");
	ipt_text_free(&out);
	return rc;
}

/* -m NAME for no match: iptables' words; no -h: not a help request */
static int help_refusals(void)
{
	char *owner[] = { "-A", "INPUT", "-m", "owner", "-h" };
	char *none[] = { "-A", "INPUT", "-j", "ACCEPT" };
	char *after[] = { "-h", "-m", "owner" };
	struct ipt_text out;
	struct ipt_err err = { { 0 } };
	int rc = 0;

	if (help_of(owner, 5, &out, &err) != -1 ||
	    strcmp(err.msg, "Couldn't load match `owner':No such file or "
		   "directory"))
		rc = report_failf("-m owner -h: want iptables' refusal, got "
				  "'%s'", err.msg);
	ipt_text_free(&out);
	if (!rc && help_of(none, 4, &out, &err) != 1)
		rc = report_failf("a command with no -h was taken as help");
	ipt_text_free(&out);
	if (!rc && help_of(after, 3, &out, &err))
		rc = report_failf("-h before -m owner failed: words after -h "
				  "count");
	ipt_text_free(&out);
	return rc;
}

int main(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	static struct table options, matches, targets;
	char *man;

	if (!golden_dir("man", dir, sizeof(dir))) {
		printf("FAIL manpage/read: no man folder in the source tree\n");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/masqctl.8", dir);
	man = golden_read(path);
	if (!man) {
		printf("FAIL manpage/read: cannot read %s\n", path);
		return 1;
	}
	report_case("manpage", "options",
		    table_check(man, "ipt-options", &options,
				IPT_NAMES_OPTIONS));
	report_case("manpage", "matches",
		    table_check(man, "ipt-matches", &matches,
				IPT_NAMES_MATCHES));
	report_case("manpage", "targets",
		    table_check(man, "ipt-targets", &targets,
				IPT_NAMES_TARGETS));
	report_case("manpage", "targets_where", targets.n ?
		    where_compare(&targets) : report_failf("no table"));
	report_case("manpage", "refused_targets", refused_compare(man));
	report_case("manpage", "help_usage", help_usage());
	report_case("manpage", "help_each_extension", help_exts());
	report_case("manpage", "help_order", help_order());
	report_case("manpage", "help_refusals", help_refusals());
	free(man);
	return report_failures() ? 1 : 0;
}
