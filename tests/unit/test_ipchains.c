// SPDX-License-Identifier: MIT
/*
 * test_ipchains.c - the ipchains language (src/ipt/ipchains*.c) against
 *		     golden listings and the 2.2 tool's behaviour
 *
 * Golden files (tests/golden/ipchains/, written by hand from ipchains
 * 1.3.10's print_firewall() and list_entries() formats, see their
 * README): for each NN-name.cmds a fresh ipchains ruleset
 * (ipt_ipchains_ops.init()) takes each line through ipt_split() and
 * ipt_ipchains_ops.exec() with the fake resolver below; "@counters CHAIN
 * N PKTS BYTES" and "@policy CHAIN PKTS BYTES" lines set counters. Then
 * each "## ipchains ARGS" section of NN-name.out is run in order on that
 * ruleset and its output compared; "## ipchains-save" and
 * "## ipchains-save -c" sections compare the save text. Checked:
 *
 *   NAME/apply      every command was accepted
 *   NAME/SECTION    each section's text, byte for byte
 *   NAME/canonical  each command parsed with names, printed in canonical
 *                   words, parsed again with none: the same words, and
 *                   those words applied to a second ruleset make the same
 *                   save text (what masqctl -> masqd relies on)
 *   NAME/roundtrip  save -c -> restore -> save -c gives the same text
 *
 * and for each bad-NAME.cmds: "+ " lines set up and must succeed; every
 * other line must fail with the status and message of the "=> STATUS
 * MESSAGE" line after it, and leave the ruleset as it was.
 *
 * Then the behaviours one by one: -b's mirrored rules, -I's order, -D
 * ignoring the mark and TOS as 2.2 did, the K/M/G rounding, the walk
 * of -C (fragments, SYN, RETURN, user chains), the operations table's
 * init/changes/exec/save/restore, restore's line numbers, and
 * masqctl's ipchains-restore -p text (ipchains_canon()).
 *
 * The golden folder is found from the program's path (build/tests[-san]/
 * -> ../../tests/golden/ipchains), else from the working directory.
 */
#include <arpa/inet.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipt/ipchains.h"
#include "../lib/golden.h"

#define MAX_WORDS	256
#define SECTION		"## "

static int failures;

__attribute__((format(printf, 3, 4)))
static void report(const char *name, bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("ok ipchains/%s\n", name);
		return;
	}
	failures++;
	printf("FAIL ipchains/%s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* ---- a resolver with fixed answers --------------------------------------------- */

static const struct {
	const char *name;
	uint32_t addr;
} hosts[] = {
	{ "gw.lan", 0xc0a80101 },		/* 192.168.1.1 */
	{ "yours.com", 0xcb00710a },		/* 203.0.113.10 */
	{ "multi.test", 0x0a000001 },		/* 10.0.0.1 and .2 */
	{ "multi.test", 0x0a000002 },
};

static const struct {
	const char *name;
	uint16_t port;
} services[] = {
	{ "ftp-data", 20 }, { "ftp", 21 }, { "ssh", 22 }, { "telnet", 23 },
	{ "smtp", 25 }, { "domain", 53 }, { "www", 80 }, { "auth", 113 },
	{ "nntp", 119 }, { "webcache", 8080 },
};

static int fake_host(const char *name, uint32_t *addrs, int max)
{
	int n = 0;

	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++)
		if (!strcmp(name, hosts[i].name) && n < max)
			addrs[n++] = hosts[i].addr;
	return n ? n : -1;
}

static int fake_host_name(uint32_t addr, char *buf, size_t len)
{
	for (size_t i = 0; i < 2; i++) {
		if (hosts[i].addr == addr) {
			snprintf(buf, len, "%s", hosts[i].name);
			return 0;
		}
	}
	return -1;
}

static int fake_service(const char *name, const char *proto, uint16_t *port)
{
	(void)proto;
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++) {
		if (!strcmp(name, services[i].name)) {
			*port = services[i].port;
			return 0;
		}
	}
	return -1;
}

static int fake_service_name(uint16_t port, const char *proto, char *buf,
			     size_t len)
{
	(void)proto;
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++) {
		if (services[i].port == port) {
			snprintf(buf, len, "%s", services[i].name);
			return 0;
		}
	}
	return -1;
}

static int fake_proto(const char *name, uint8_t *proto)
{
	if (!strcmp(name, "gre")) {
		*proto = 47;
		return 0;
	}
	return -1;
}

static const struct ipt_resolver fake = {
	.host = fake_host, .service = fake_service, .proto = fake_proto,
	.host_name = fake_host_name, .service_name = fake_service_name,
};

/* ---- helpers ------------------------------------------------------------------- */

static struct ipt_ruleset *fresh(void)
{
	struct ipt_ruleset *rs = ipt_ruleset_new();

	if (rs && ipt_ipchains_ops.init(rs)) {
		ipt_ruleset_free(rs);
		rs = NULL;
	}
	return rs;
}

/* Run one line of words; the status, @out's text in *@text (malloc'd) */
static int run(struct ipt_ruleset *rs, const char *line,
	       const struct ipt_resolver *res, char **text, struct ipt_err *err)
{
	char *w[MAX_WORDS], store[8192];
	struct ipt_text out = { 0 };
	int n, r;

	err->msg[0] = '\0';
	n = ipt_split(line, w, MAX_WORDS, store, sizeof(store), err);
	if (n < 0)
		return -1;
	r = ipt_ipchains_ops.exec(rs, n, w, res, &out, err);
	if (text)
		*text = strdup(out.s ? out.s : "");
	ipt_text_free(&out);
	return r;
}

static char *saved(const struct ipt_ruleset *rs, unsigned flags)
{
	struct ipt_text t = { 0 };
	char *s;

	ipt_ipchains_ops.save(rs, flags, &t);
	s = strdup(t.s ? t.s : "");
	ipt_text_free(&t);
	return s;
}

/* "@counters CHAIN N P B", "@policy CHAIN P B" */
static bool counters_line(struct ipt_ruleset *rs, const char *line)
{
	char chain[32];
	unsigned long long p, b;
	unsigned n;
	struct ipt_chain *c;

	if (sscanf(line, "@counters %31s %u %llu %llu", chain, &n, &p, &b) == 4) {
		c = ipt_chain_find(&rs->t[IPT_FILTER], chain);
		if (!c || !n || n > c->nrules)
			return false;
		c->rules[n - 1].pkts = p;
		c->rules[n - 1].bytes = b;
		return true;
	}
	if (sscanf(line, "@policy %31s %llu %llu", chain, &p, &b) == 3) {
		c = ipt_chain_find(&rs->t[IPT_FILTER], chain);
		if (!c)
			return false;
		c->pol_pkts = p;
		c->pol_bytes = b;
		return true;
	}
	return false;
}

static bool skip_line(const char *l)
{
	return !*l || *l == '#';
}

/* The next line of @s into @buf; NULL at the end */
static const char *next_line(const char *s, char *buf, size_t len)
{
	size_t l;

	if (!s || !*s)
		return NULL;
	l = strcspn(s, "\n");
	snprintf(buf, len, "%.*s", (int)l, s);
	return s + l + (s[l] == '\n');
}

/* ---- golden cases ----------------------------------------------------------------- */

/* Every command of @cmds on a fresh ruleset (and its canonical twin) */
static struct ipt_ruleset *apply_cmds(const char *name, const char *cmds,
				      struct ipt_ruleset **twin)
{
	struct ipt_ruleset *rs = fresh();
	char line[4096], what[300];
	const char *p = cmds;
	bool ok = true, canon_ok = true;
	struct ipt_err err;

	*twin = fresh();
	while ((p = next_line(p, line, sizeof(line)))) {
		if (skip_line(line))
			continue;
		if (line[0] == '@') {
			ok = ok && counters_line(rs, line) &&
			     counters_line(*twin, line);
			continue;
		}
		if (ok && run(rs, line, &fake, NULL, &err)) {
			report(snprintf(what, sizeof(what), "%s/apply", name) ? what : "",
			       false, "'%s': %s", line, err.msg);
			ok = false;
		}
		if (canon_ok) {
			char *w[MAX_WORDS], store[8192];
			struct ipchains_cmd cmd;
			struct ipt_text t = { 0 };
			int n = ipt_split(line, w, MAX_WORDS, store, sizeof(store), &err);

			canon_ok = n >= 0 && !ipchains_parse(n, w, &fake, &cmd, &err);
			if (canon_ok)
				ipchains_format(&cmd, &t);
			for (char *l = t.s, *nl; canon_ok && l && *l; l = nl) {
				struct ipchains_cmd back;
				struct ipt_text again = { 0 };

				nl = strchr(l, '\n');
				*nl++ = '\0';
				n = ipt_split(l, w, MAX_WORDS, store, sizeof(store), &err);
				canon_ok = n >= 0 && !ipchains_parse(n, w, NULL, &back, &err);
				if (canon_ok) {
					ipchains_format(&back, &again);
					canon_ok = again.s && !strncmp(again.s, l, strlen(l)) &&
						   again.s[strlen(l)] == '\n';
					if (!canon_ok)
						snprintf(err.msg, sizeof(err.msg), "'%s' -> '%s'",
							 l, again.s ? again.s : "");
				}
				if (canon_ok && run(*twin, l, NULL, NULL, &err))
					canon_ok = false;
				ipt_text_free(&again);
			}
			ipt_text_free(&t);
			if (!canon_ok) {
				snprintf(what, sizeof(what), "%s/canonical", name);
				report(what, false, "'%s': %s", line, err.msg);
			}
		}
	}
	if (ok) {
		snprintf(what, sizeof(what), "%s/apply", name);
		report(what, true, "%s", "");
	}
	if (canon_ok) {
		char *a = saved(rs, IPT_LSAVE_COUNTERS), *b = saved(*twin, IPT_LSAVE_COUNTERS);

		snprintf(what, sizeof(what), "%s/canonical", name);
		report(what, !strcmp(a, b), "the canonical words make\n%s\nnot\n%s", b, a);
		free(a);
		free(b);
	}
	return rs;
}

/* The output of one section's command */
static char *section_output(struct ipt_ruleset *rs, const char *cmd,
			    struct ipt_err *err)
{
	char *text = NULL;

	if (!strcmp(cmd, "ipchains-save"))
		return saved(rs, 0);
	if (!strcmp(cmd, "ipchains-save -c"))
		return saved(rs, IPT_LSAVE_COUNTERS);
	if (strncmp(cmd, "ipchains ", 9)) {
		snprintf(err->msg, sizeof(err->msg), "unknown section '%.200s'", cmd);
		return NULL;
	}
	if (run(rs, cmd + 9, &fake, &text, err)) {
		free(text);
		return NULL;
	}
	return text;
}

static void check_sections(const char *name, struct ipt_ruleset *rs,
			   const char *golden)
{
	const char *p = golden;

	while (p && (p = strstr(p, SECTION))) {
		const char *body = strchr(p, '\n'), *end;
		char cmd[512], what[700];
		struct ipt_err err = { { 0 } };
		char *got;
		size_t want_len;

		if (!body)
			break;
		snprintf(cmd, sizeof(cmd), "%.*s", (int)(body - p - 3), p + 3);
		body++;
		if (!strncmp(body, SECTION, strlen(SECTION)))
			end = body - 1;		/* an empty section */
		else
			end = strstr(body, "\n" SECTION);
		want_len = end ? (size_t)(end - body) + 1 : strlen(body);
		snprintf(what, sizeof(what), "%.200s/%.400s", name, cmd);
		got = section_output(rs, cmd, &err);
		if (!got)
			report(what, false, "refused: %s", err.msg);
		else
			report(what, strlen(got) == want_len &&
				     !strncmp(got, body, want_len),
			       "got\n%swant\n%.*s", got, (int)want_len, body);
		free(got);
		p = end ? end + 1 : NULL;
	}
}

static void check_roundtrip(const char *name, const struct ipt_ruleset *rs)
{
	struct ipt_ruleset *back = fresh();
	char *a = saved(rs, IPT_LSAVE_COUNTERS), *b = NULL, what[300];
	struct ipt_err err;

	snprintf(what, sizeof(what), "%s/roundtrip", name);
	if (ipt_ipchains_ops.restore(back, a, &err)) {
		report(what, false, "restore refused: %s", err.msg);
	} else {
		b = saved(back, IPT_LSAVE_COUNTERS);
		report(what, !strcmp(a, b), "got\n%swant\n%s", b, a);
	}
	free(a);
	free(b);
	ipt_ruleset_free(back);
}

static void golden_case(const char *path)
{
	char name[256], out_path[PATH_MAX];
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char *cmds = golden_read(path), *golden;
	struct ipt_ruleset *rs, *twin;

	snprintf(name, sizeof(name), "%.*s", (int)(strlen(base) - 5), base);
	snprintf(out_path, sizeof(out_path), "%.*s.out", (int)(strlen(path) - 5),
		 path);
	golden = golden_read(out_path);
	if (!cmds || !golden) {
		report(name, false, "cannot read %s or its .out", path);
		free(cmds);
		free(golden);
		return;
	}
	rs = apply_cmds(name, cmds, &twin);
	if (rs) {
		check_roundtrip(name, rs);
		check_sections(name, rs, golden);
	}
	ipt_ruleset_free(rs);
	ipt_ruleset_free(twin);
	free(cmds);
	free(golden);
}

/* bad-NAME.cmds: "+ setup", then "command" followed by "=> STATUS MESSAGE" */
static void bad_case(const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char *cmds = golden_read(path), line[4096], want[4096], what[300];
	struct ipt_ruleset *rs = fresh();
	const char *p = cmds;
	bool ok = true;
	struct ipt_err err;

	snprintf(what, sizeof(what), "%.*s", (int)(strlen(base) - 5), base);
	while (ok && (p = next_line(p, line, sizeof(line)))) {
		char *before, *after;
		int status, r;

		if (skip_line(line))
			continue;
		if (!strncmp(line, "+ ", 2)) {
			ok = !run(rs, line + 2, &fake, NULL, &err);
			if (!ok)
				report(what, false, "setup '%s': %s", line + 2, err.msg);
			continue;
		}
		p = next_line(p, want, sizeof(want));
		if (!p || sscanf(want, "=> %d", &status) != 1 || !strchr(want + 3, ' ')) {
			report(what, false, "'%s' has no '=> STATUS MESSAGE' line", line);
			ok = false;
			break;
		}
		before = saved(rs, IPT_LSAVE_COUNTERS);
		r = run(rs, line, &fake, NULL, &err);
		after = saved(rs, IPT_LSAVE_COUNTERS);
		if (r != status || strcmp(err.msg, strchr(want + 3, ' ') + 1) ||
		    strcmp(before, after)) {
			report(what, false, "'%s': status %d '%s', want %d '%s'%s", line,
			       r, err.msg, status, strchr(want + 3, ' ') + 1,
			       strcmp(before, after) ? "; and it changed the ruleset" : "");
			ok = false;
		}
		free(before);
		free(after);
	}
	if (ok)
		report(what, true, "%s", "");
	ipt_ruleset_free(rs);
	free(cmds);
}

static void golden_all(void)
{
	char dir[PATH_MAX], pat[PATH_MAX + 16];
	glob_t g;

	if (!golden_dir("tests/golden/ipchains", dir, sizeof(dir))) {
		report("golden", false, "no tests/golden/ipchains folder");
		return;
	}
	snprintf(pat, sizeof(pat), "%s/[0-9]*.cmds", dir);
	if (glob(pat, 0, NULL, &g) || !g.gl_pathc) {
		report("golden", false, "no golden cases in %s", dir);
	} else {
		for (size_t i = 0; i < g.gl_pathc; i++)
			golden_case(g.gl_pathv[i]);
		globfree(&g);
	}
	snprintf(pat, sizeof(pat), "%s/bad-*.cmds", dir);
	if (!glob(pat, 0, NULL, &g)) {
		for (size_t i = 0; i < g.gl_pathc; i++)
			bad_case(g.gl_pathv[i]);
		globfree(&g);
	}
}

/* ---- behaviours -------------------------------------------------------------------- */

/* A ruleset after @cmds (one per line), or NULL (reported) */
static struct ipt_ruleset *after(const char *what, const char *cmds)
{
	struct ipt_ruleset *rs = fresh();
	const char *p = cmds;
	char line[1024];
	struct ipt_err err;

	while (rs && (p = next_line(p, line, sizeof(line)))) {
		if (run(rs, line, &fake, NULL, &err)) {
			report(what, false, "'%s': %s", line, err.msg);
			ipt_ruleset_free(rs);
			return NULL;
		}
	}
	return rs;
}

/* The save text's rule lines, joined (chain lines left out) */
static char *rules_of(const struct ipt_ruleset *rs)
{
	char *s = saved(rs, 0), *o = calloc(1, strlen(s) + 1);
	const char *p = s;
	char line[1024];

	while ((p = next_line(p, line, sizeof(line))))
		if (line[0] == '-')
			strcat(strcat(o, line), "\n");
	free(s);
	return o;
}

static void expect_rules(const char *what, const char *cmds, const char *want)
{
	struct ipt_ruleset *rs = after(what, cmds);
	char *got;

	if (!rs)
		return;
	got = rules_of(rs);
	report(what, !strcmp(got, want), "got\n%swant\n%s", got, want);
	free(got);
	ipt_ruleset_free(rs);
}

static void t_bidir(void)
{
	expect_rules("bidir_mirrors_rule",
		     "-A input -b -p tcp -s 10.0.0.1 1024:65535 -d ! 10.0.0.2 80 -j DENY",
		     "-A input -s 10.0.0.1/255.255.255.255 1024:65535 -d ! 10.0.0.2/255.255.255.255 80 -p 6 -j DENY\n"
		     "-A input -s ! 10.0.0.2/255.255.255.255 80 -d 10.0.0.1/255.255.255.255 1024:65535 -p 6 -j DENY\n");
	expect_rules("bidir_icmp_keeps_types",
		     "-A input -b -p icmp -s 10.0.0.1 8 -d 10.0.0.2 0 -j DENY",
		     "-A input -s 10.0.0.1/255.255.255.255 8 -d 10.0.0.2/255.255.255.255 0 -p 1 -j DENY\n"
		     "-A input -s 10.0.0.2/255.255.255.255 8 -d 10.0.0.1/255.255.255.255 0 -p 1 -j DENY\n");
}

static void t_insert_order(void)
{
	expect_rules("insert_names_reversed",
		     "-A input -j DENY\n-I input 1 -s multi.test -j ACCEPT",
		     "-A input -s 10.0.0.2/255.255.255.255 -d 0.0.0.0/0.0.0.0 -j ACCEPT\n"
		     "-A input -s 10.0.0.1/255.255.255.255 -d 0.0.0.0/0.0.0.0 -j ACCEPT\n"
		     "-A input -s 0.0.0.0/0.0.0.0 -d 0.0.0.0/0.0.0.0 -j DENY\n");
	expect_rules("insert_past_end_plus_one",
		     "-A input -j DENY\n-I input 2 -j ACCEPT",
		     "-A input -s 0.0.0.0/0.0.0.0 -d 0.0.0.0/0.0.0.0 -j DENY\n"
		     "-A input -s 0.0.0.0/0.0.0.0 -d 0.0.0.0/0.0.0.0 -j ACCEPT\n");
}

static void t_delete(void)
{
	expect_rules("delete_ignores_mark_and_tos",
		     "-A input -s 1.2.3.4 -m 7 -t 0x01 0x10\n"
		     "-A input -s 1.2.3.4 -l\n-D input -s 1.2.3.4",
		     "-A input -s 1.2.3.4/255.255.255.255 -d 0.0.0.0/0.0.0.0 -l\n");
	expect_rules("delete_first_of_equal",
		     "-A input -j DENY\n-A input -s 1.1.1.1 -j ACCEPT\n"
		     "-A input -j DENY\n-D input -j DENY",
		     "-A input -s 1.1.1.1/255.255.255.255 -d 0.0.0.0/0.0.0.0 -j ACCEPT\n"
		     "-A input -s 0.0.0.0/0.0.0.0 -d 0.0.0.0/0.0.0.0 -j DENY\n");
	expect_rules("delete_both_ways",
		     "-A input -b -s 1.1.1.1 -d 2.2.2.2 -j DENY\n"
		     "-D input -b -s 1.1.1.1 -d 2.2.2.2 -j DENY", "");
}

static void t_counts(void)
{
	static const struct {
		uint64_t v;
		const char *want;
	} cases[] = {
		{ 99999, "99999" }, { 100000, " 100K" }, { 9999499, "9999K" },
		{ 9999500, "  10M" }, { 9999499999ull, "9999M" },
		{ 9999500000ull, "  10G" }, { 123456789012345ull, "123457G" },
	};
	char what[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ipt_ruleset *rs = after("counts", "-A input -j DENY");
		struct ipt_text t = { 0 };
		char want[64];

		if (!rs)
			return;
		rs->t[IPT_FILTER].chains[0].rules[0].pkts = cases[i].v;
		ipchains_list(&rs->t[IPT_FILTER], "input", IPCHAINS_OPT_VERBOSE |
			      IPCHAINS_OPT_NUMERIC, NULL, &t);
		snprintf(want, sizeof(want), "\n%s     0 DENY", cases[i].want);
		snprintf(what, sizeof(what), "count_%llu",
			 (unsigned long long)cases[i].v);
		report(what, t.s && strstr(t.s, want), "no '%s' in\n%s", want + 1,
		       t.s ? t.s : "");
		ipt_text_free(&t);
		ipt_ruleset_free(rs);
	}
}

static const char *verdict(struct ipt_ruleset *rs, const char *chain,
			   struct ipchains_packet p)
{
	const char *v = ipchains_check(&rs->t[IPT_FILTER], chain, &p);

	return v ? v : "(null)";
}

static void t_walk(void)
{
	struct ipt_ruleset *rs = after("walk",
		"-N web\n-N acct\n"
		"-A input -j acct\n"
		"-A input -p tcp -f -j DENY\n"
		"-A input -p tcp -y -d 10.0.0.1 80 -j web\n"
		"-A input -p tcp ! -y -d 10.0.0.1 80 -j ACCEPT\n"
		"-A acct -s 0/0\n-A acct -j RETURN\n-A acct -j DENY\n"
		"-A web -s 192.168.0.0/16 -j RETURN\n-A web -i ppp+ -j REJECT\n"
		"-A web -p tcp -s 0/0 :1023 -j DENY\n"
		"-A web -p tcp -j REDIRECT 3128\n"
		"-P forward MASQ");
	struct ipchains_packet syn = { .src = 0x01020304, .dst = 0x0a000001,
				       .proto = 6, .sport = 2000, .dport = 80,
				       .syn = true };
	struct ipchains_packet p;

	if (!rs)
		return;
	report("walk_jump_redirect", !strcmp(verdict(rs, "input", syn), "redirected"),
	       "%s", verdict(rs, "input", syn));
	p = syn;
	snprintf(p.iface, sizeof(p.iface), "ppp0");
	report("walk_wildcard_interface", !strcmp(verdict(rs, "input", p), "rejected"),
	       "%s", verdict(rs, "input", p));
	p = syn;
	p.sport = 1000;
	report("walk_port_range", !strcmp(verdict(rs, "input", p), "denied"), "%s",
	       verdict(rs, "input", p));
	p = syn;
	p.src = 0xc0a80005;
	report("walk_return_to_policy", !strcmp(verdict(rs, "input", p), "denied"),
	       "%s (input's policy is DENY)", verdict(rs, "input", p));
	p = syn;
	p.syn = false;
	report("walk_not_syn", !strcmp(verdict(rs, "input", p), "accepted"), "%s",
	       verdict(rs, "input", p));
	p = syn;
	p.frag = true;
	report("walk_fragment", !strcmp(verdict(rs, "input", p), "denied"), "%s",
	       verdict(rs, "input", p));
	p = syn;
	p.src = 0xc0a80005;
	report("walk_user_chain_end", !strcmp(verdict(rs, "web", p),
					      "passed through chain"),
	       "%s", verdict(rs, "web", p));
	report("walk_masq_policy", !strcmp(verdict(rs, "forward", syn), "masqueraded"),
	       "%s", verdict(rs, "forward", syn));
	report("walk_no_chain", !ipchains_check(&rs->t[IPT_FILTER], "nope", &syn),
	       "a verdict for no chain");
	ipt_ruleset_free(rs);
}

static void t_ops(void)
{
	struct ipt_ruleset *rs = fresh();
	char *w_add[] = { "-A", "input", "-j", "DENY" }, *w_list[] = { "-L", "-n" };
	char *w_bad[] = { "-A", "input", "-q" }, *w_zero[] = { "-Z" };
	const struct ipt_table *t = rs ? &rs->t[IPT_FILTER] : NULL;

	if (!rs)
		return;
	report("init_policies", t->nchains == 3 &&
	       !strcmp(t->chains[0].name, "input") && t->chains[0].policy == IPT_POL_DROP &&
	       !strcmp(t->chains[1].name, "forward") && t->chains[1].policy == IPT_POL_DROP &&
	       !strcmp(t->chains[2].name, "output") && t->chains[2].policy == IPT_POL_ACCEPT &&
	       rs->lang == IPT_LANG_IPCHAINS, "the empty ruleset is not input/forward DENY, output ACCEPT");
	report("changes", ipt_ipchains_ops.changes(4, w_add) &&
	       !ipt_ipchains_ops.changes(2, w_list) &&
	       !ipt_ipchains_ops.changes(1, w_zero) &&
	       !ipt_ipchains_ops.changes(3, w_bad), "changes() is wrong");
	report("names", !strcmp(ipt_ipchains_ops.name, "ipchains") &&
	       !strcmp(ipt_ipchains_ops.save_word, "ipchains-save") &&
	       !strcmp(ipt_ipchains_ops.restore_word, "ipchains-restore"), "names");
	ipt_ruleset_free(rs);
}

static void t_restore_errors(void)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ ":input DENY\n-A input -j mine\n:mine -\n",
		  "line 2: No target by that name" },
		{ ":input FOO\n", "line 1: Invalid policy `FOO' for chain `input'" },
		{ ":input MASQ\n", "line 1: `-P MASQ' only valid for `forward' chain." },
		{ "\n# c\n-I input -j DENY\n", "line 3: a rule line is \"-A CHAIN ...\"" },
		{ ":x -\n:x -\n", "line 2: chain `x' is made twice" },
		{ "[1:2 -A input\n", "line 1: unknown argument `[1:2' (an option was expected)" },
		{ "-A input -p tcp -s 0/0 www\n", "line 1: invalid port/service `www' specified" },
	};
	struct ipt_ruleset *rs = after("restore_errors", "-A input -j ACCEPT");
	char *before = rs ? saved(rs, IPT_LSAVE_COUNTERS) : NULL, what[64];

	for (size_t i = 0; rs && i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ipt_err err = { { 0 } };
		int r = ipt_ipchains_ops.restore(rs, cases[i].text, &err);
		char *now = saved(rs, IPT_LSAVE_COUNTERS);

		snprintf(what, sizeof(what), "restore_error_%zu", i + 1);
		report(what, r && !strcmp(err.msg, cases[i].msg) && !strcmp(now, before),
		       "status %d '%s', want '%s'", r, err.msg, cases[i].msg);
		free(now);
	}
	free(before);
	ipt_ruleset_free(rs);
}

static void t_restore_counters(void)
{
	struct ipt_ruleset *rs = fresh();
	struct ipt_err err;
	const char *text = ":input ACCEPT [5:300]\n:forward MASQ\n:web -\n"
			   "[7:700] -A input -s 0/0 -d 0/0 -j web\n"
			   "-A web -s 1.2.3.4/32 -j DENY\n";
	const struct ipt_chain *c;

	if (!rs || ipt_ipchains_ops.restore(rs, text, &err)) {
		report("restore_counters", false, "%s", rs ? err.msg : "no memory");
		ipt_ruleset_free(rs);
		return;
	}
	c = &rs->t[IPT_FILTER].chains[0];
	report("restore_counters", c->pol_pkts == 5 && c->pol_bytes == 300 &&
	       c->policy == IPT_POL_ACCEPT && c->rules[0].pkts == 7 &&
	       c->rules[0].bytes == 700 &&
	       rs->t[IPT_FILTER].chains[1].policy == IPT_POL_MASQ &&
	       rs->t[IPT_FILTER].chains[3].refs == 1,
	       "counters, policies or references not as the text said");
	ipt_ruleset_free(rs);
}

static void t_canon(void)
{
	struct ipt_text out = { 0 };
	struct ipt_err err;
	const char *text = ":input DENY\n"
			   "-A input -p tcp -s gw.lan -d 0/0 www -j web\n"
			   "[1:2] -A input -s multi.test -j acct\n";
	const char *want = ":web -\n:acct -\n:input DENY\n"
		"-A input -s 192.168.1.1/255.255.255.255 -d 0.0.0.0/0.0.0.0 80 -p 6 -j web\n"
		"[1:2] -A input -s 10.0.0.1/255.255.255.255 -d 0.0.0.0/0.0.0.0 -j acct\n"
		"[1:2] -A input -s 10.0.0.2/255.255.255.255 -d 0.0.0.0/0.0.0.0 -j acct\n";
	struct ipt_ruleset *rs = fresh();

	if (ipchains_canon(text, &fake, IPCHAINS_CANON_CREATE, &out, &err)) {
		report("canon_create", false, "%s", err.msg);
	} else {
		report("canon_create", !strcmp(out.s, want), "got\n%swant\n%s", out.s, want);
		report("canon_restores", rs && !ipt_ipchains_ops.restore(rs, out.s, &err),
		       "%s", err.msg);
	}
	ipt_text_free(&out);
	report("canon_bad_host", ipchains_canon("-A input -s nowhere.invalid\n", &fake,
						0, &out, &err) &&
	       !strcmp(err.msg, "line 1: host/network `nowhere.invalid' not found"),
	       "%s", err.msg);
	ipt_text_free(&out);
	ipt_ruleset_free(rs);
}

/* A parse and exec must say why, on one line, whatever the words */
static void t_words(void)
{
	static const char *const lines[] = {
		"-A", "-A input -s", "-A input -s !", "-L -Z input", "-M",
		"! -A input", "-A input ! ! -y", "-A input -p tcp -y -f",
		"-Ainput -pTCP -s0/0 -jACCEPT", "--no-warn -L", "--de input",
		"--list=input --verbose --numeric", "-A input -- -s 1.2.3.4",
	};
	char what[64];

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct ipt_ruleset *rs = fresh();
		struct ipt_err err = { { 0 } };
		char *text = NULL;
		int r = rs ? run(rs, lines[i], &fake, &text, &err) : -1;

		snprintf(what, sizeof(what), "words_%zu", i + 1);
		report(what, r == 0 || (err.msg[0] && !strchr(err.msg, '\n')),
		       "'%s': status %d with no message", lines[i], r);
		free(text);
		ipt_ruleset_free(rs);
	}
}

int main(void)
{
	golden_all();
	t_bidir();
	t_insert_order();
	t_delete();
	t_counts();
	t_walk();
	t_ops();
	t_restore_errors();
	t_restore_counters();
	t_canon();
	t_words();
	printf("%s: %d failed\n", failures ? "FAIL" : "ok", failures);
	return failures ? 1 : 0;
}
