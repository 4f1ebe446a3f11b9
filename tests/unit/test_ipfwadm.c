// SPDX-License-Identifier: MIT
/*
 * test_ipfwadm.c - the ipfwadm language (src/ipt/ipfwadm*.c) against
 *		    transcripts written from ipfwadm 2.3.0's formats
 *
 * Each tests/golden/ipfwadm/NAME.t is a transcript. Its input lines are
 *
 *   ## text                 a comment
 *   $ ipfwadm WORDS         run through ipt_ipfwadm_ops.exec() on the
 *                           file's ruleset (fresh from init()), no names
 *   $ names ipfwadm WORDS   the same with the test's resolver (below)
 *   % counters CHAIN N P B  set rule N's counters (N 0: the policy's)
 *   % save [-c]             print save()'s text (-c with counters)
 *   % roundtrip             save -c, restore() into a fresh ruleset,
 *                           save -c again: the same text and the same
 *                           rules, byte for byte
 *   % restore-bad TEXT      restore() of TEXT ("\n" for a newline)
 *                           must fail, leaving the ruleset as it was
 *
 * and every other line is output: what the command before printed, and
 * when its status was not 0 a line "= STATUS: MESSAGE" (or "= STATUS"
 * when the answer was all in the output, as -c's). The test makes the
 * whole transcript again from the input lines and compares it with the
 * file: NAME/transcript. The expected output was written by hand from
 * ipfwadm 2.3.0's print_firewall() and messages (see the files);
 * IPFWADM_TRANSCRIPT_WRITE=1 writes what the library prints into the
 * files instead, as a draft for a new case, to be checked line by line.
 *
 * Besides, for every command (NAME/props): a command that fails
 * changes nothing (its save -c text is the same before and after); every
 * command that parses gives canonical words (fwadm_format()) that parse
 * back, with no resolver, into the same struct fwadm_cmd, pair by pair;
 * changes() says true exactly for -a -i -d -f -p. And a few cases of
 * their own: init()'s ruleset, -l -z zeroing what it showed.
 *
 * The test's resolver: hosts gw.example 10.0.0.1, lan.example
 * 192.168.1.1, www.example 203.0.113.10 and .11; services www 80, ssh
 * 22, domain 53, auth 113 (tcp and udp); the reverse of each.
 *
 * Prints "ok ipfwadm/NAME" or "FAIL ipfwadm/NAME: why".
 */
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipt/ipfwadm.h"
#include "../lib/golden.h"

#define MAX_WORDS	128

static int failures;

static void report(const char *name, const char *what, bool ok,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void report(const char *name, const char *what, bool ok,
		   const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("ok ipfwadm/%s/%s\n", name, what);
		return;
	}
	failures++;
	printf("FAIL ipfwadm/%s/%s: ", name, what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* ---- the test's resolver ---------------------------------------------------- */

static const struct {
	const char *name;
	uint32_t addr;
} hosts[] = {
	{ "gw.example", 0x0a000001 }, { "lan.example", 0xc0a80101 },
	{ "www.example", 0xcb00710a }, { "www.example", 0xcb00710b },
};

static const struct {
	const char *name;
	uint16_t port;
} services[] = {
	{ "www", 80 }, { "ssh", 22 }, { "domain", 53 }, { "auth", 113 },
};

static int t_host(const char *name, uint32_t *addrs, int max)
{
	int n = 0;

	for (size_t k = 0; k < sizeof(hosts) / sizeof(hosts[0]); k++)
		if (!strcmp(hosts[k].name, name) && n < max)
			addrs[n++] = hosts[k].addr;
	return n ? n : -1;
}

static int t_service(const char *name, const char *proto, uint16_t *port)
{
	(void)proto;
	for (size_t k = 0; k < sizeof(services) / sizeof(services[0]); k++)
		if (!strcmp(services[k].name, name)) {
			*port = services[k].port;
			return 0;
		}
	return -1;
}

static int t_host_name(uint32_t addr, char *buf, size_t len)
{
	for (size_t k = 0; k < sizeof(hosts) / sizeof(hosts[0]); k++)
		if (hosts[k].addr == addr) {
			snprintf(buf, len, "%s", hosts[k].name);
			return 0;
		}
	return -1;
}

static int t_service_name(uint16_t port, const char *proto, char *buf,
			  size_t len)
{
	(void)proto;
	for (size_t k = 0; k < sizeof(services) / sizeof(services[0]); k++)
		if (services[k].port == port) {
			snprintf(buf, len, "%s", services[k].name);
			return 0;
		}
	return -1;
}

static const struct ipt_resolver test_res = {
	.host = t_host, .service = t_service,
	.host_name = t_host_name, .service_name = t_service_name,
};

/* ---- helpers ---------------------------------------------------------------- */

static struct ipt_ruleset *fresh(void)
{
	struct ipt_ruleset *rs = ipt_ruleset_new();

	if (rs && ipt_ipfwadm_ops.init(rs)) {
		ipt_ruleset_free(rs);
		return NULL;
	}
	return rs;
}

/* save -c of @rs, malloc'd */
static char *saved(const struct ipt_ruleset *rs)
{
	struct ipt_text t = { 0 };
	char *s;

	ipt_ipfwadm_ops.save(rs, IPT_LSAVE_COUNTERS, &t);
	s = strdup(t.s ? t.s : "");
	ipt_text_free(&t);
	return s;
}

/* ---- properties of one command ---------------------------------------------- */

struct state {
	const char *name;
	struct ipt_ruleset *rs;
	struct ipt_text out;
	int props_failed;
};

static void prop_fail(struct state *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void prop_fail(struct state *s, const char *fmt, ...)
{
	va_list ap;

	if (s->props_failed++)
		return;
	failures++;
	printf("FAIL ipfwadm/%s/props: ", s->name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* The canonical words parse back into the command, line by line */
static void prop_canonical(struct state *s, const struct fwadm_cmd *c,
			   const char *line)
{
	struct ipt_text t = { 0 };
	uint32_t k = 0;
	char *l, *next;

	fwadm_format(c, &t);
	for (l = t.s; l && *l; l = next, k++) {
		char store[4096], *w[MAX_WORDS];
		struct fwadm_cmd want = *c, back;
		struct ipt_err err;
		int n;

		next = strchr(l, '\n');
		if (next)
			*next++ = '\0';
		fwadm_cmd_pair(&want, k);
		n = ipt_split(l, w, MAX_WORDS, store, sizeof(store), &err);
		if (n < 0 || fwadm_parse(n, w, NULL, &back, &err)) {
			prop_fail(s, "'%s': canonical '%s' does not parse: %s",
				  line, l, err.msg);
			break;
		}
		if (memcmp(&want, &back, sizeof(back)))
			prop_fail(s, "'%s': canonical '%s' parses back different",
				  line, l);
	}
	ipt_text_free(&t);
}

static void prop_changes(struct state *s, int argc, char **argv,
			 const struct fwadm_cmd *c, const char *line)
{
	bool want = !c->help && c->cat != FWADM_MASQ &&
		    (c->cmd & (FWADM_CMD_RULE | FWADM_CMD_FLUSH |
			       FWADM_CMD_POLICY));

	if (ipt_ipfwadm_ops.changes(argc, argv) != want)
		prop_fail(s, "'%s': changes() says %d", line, !want);
}

/* ---- running a transcript --------------------------------------------------- */

static void run_command(struct state *s, const char *line)
{
	const struct ipt_resolver *res = NULL;
	char store[4096], *w[MAX_WORDS], *before;
	struct ipt_err err = { { 0 } };
	const char *cmdline = line + 2;
	struct fwadm_cmd c;
	int n, rc;

	if (!strncmp(cmdline, "names ", 6)) {
		res = &test_res;
		cmdline += 6;
	}
	n = ipt_split(cmdline, w, MAX_WORDS, store, sizeof(store), &err);
	if (n < 1 || strcmp(w[0], "ipfwadm")) {
		prop_fail(s, "'%s' is not an ipfwadm command", line);
		return;
	}
	before = saved(s->rs);
	rc = ipt_ipfwadm_ops.exec(s->rs, n - 1, w + 1, res, &s->out, &err);
	if (rc)
		ipt_text_printf(&s->out, "= %d%s%s\n", rc, err.msg[0] ? ": " : "",
				err.msg);
	if (rc) {
		char *after = saved(s->rs);

		if (strcmp(before, after))
			prop_fail(s, "'%s' failed (%d) and changed the ruleset",
				  line, rc);
		free(after);
	}
	free(before);
	if (!fwadm_parse(n - 1, w + 1, res, &c, &err)) {
		prop_canonical(s, &c, line);
		if (!res)
			prop_changes(s, n - 1, w + 1, &c, line);
	}
}

static struct ipt_chain *chain_named(struct ipt_ruleset *rs, const char *name)
{
	return ipt_chain_find(&rs->t[IPT_FILTER], name);
}

static void run_counters(struct state *s, const char *line)
{
	char chain[32];
	unsigned n;
	unsigned long long p, b;
	struct ipt_chain *c;

	if (sscanf(line, "%% counters %31s %u %llu %llu", chain, &n, &p, &b) != 4 ||
	    !(c = chain_named(s->rs, chain)) || n > c->nrules) {
		prop_fail(s, "bad directive '%s'", line);
		return;
	}
	if (!n) {
		c->pol_pkts = p;
		c->pol_bytes = b;
	} else {
		c->rules[n - 1].pkts = p;
		c->rules[n - 1].bytes = b;
	}
}

static bool rules_same(const struct ipt_ruleset *a, const struct ipt_ruleset *b)
{
	const struct ipt_table *ta = &a->t[IPT_FILTER], *tb = &b->t[IPT_FILTER];

	if (ta->nchains != tb->nchains || a->lang != b->lang)
		return false;
	for (uint32_t i = 0; i < ta->nchains; i++) {
		const struct ipt_chain *x = &ta->chains[i], *y = &tb->chains[i];

		if (strcmp(x->name, y->name) || x->policy != y->policy ||
		    x->nrules != y->nrules || x->pol_pkts != y->pol_pkts ||
		    x->pol_bytes != y->pol_bytes)
			return false;
		for (uint32_t k = 0; k < x->nrules; k++)
			if (memcmp(&x->rules[k], &y->rules[k], sizeof(x->rules[k])))
				return false;
	}
	return true;
}

static void run_roundtrip(struct state *s)
{
	struct ipt_ruleset *back = ipt_ruleset_new();
	char *one = saved(s->rs), *two = NULL;
	struct ipt_err err = { { 0 } };

	if (!back || ipt_ipfwadm_ops.restore(back, one, &err)) {
		ipt_text_printf(&s->out, "roundtrip: restore failed: %s\n", err.msg);
	} else {
		two = saved(back);
		ipt_text_printf(&s->out, "roundtrip: %s\n",
				strcmp(one, two) ? "the text differs" :
				rules_same(s->rs, back) ? "same" :
				"the rules differ");
	}
	free(one);
	free(two);
	ipt_ruleset_free(back);
}

static void run_restore_bad(struct state *s, const char *arg)
{
	char text[1024], *before = saved(s->rs), *after;
	struct ipt_err err = { { 0 } };
	size_t n = 0;

	for (const char *p = arg; *p && n < sizeof(text) - 1; p++) {
		if (p[0] == '\\' && p[1] == 'n') {
			text[n++] = '\n';
			p++;
		} else {
			text[n++] = *p;
		}
	}
	text[n] = '\0';
	if (!ipt_ipfwadm_ops.restore(s->rs, text, &err))
		ipt_text_printf(&s->out, "restore-bad: accepted\n");
	else
		ipt_text_printf(&s->out, "restore-bad: %s\n", err.msg);
	after = saved(s->rs);
	if (strcmp(before, after))
		prop_fail(s, "a refused restore changed the ruleset");
	free(before);
	free(after);
}

static void run_directive(struct state *s, const char *line)
{
	if (!strncmp(line, "% counters ", 11)) {
		run_counters(s, line);
	} else if (!strcmp(line, "% save") || !strcmp(line, "% save -c")) {
		ipt_ipfwadm_ops.save(s->rs, line[6] ? IPT_LSAVE_COUNTERS : 0,
				     &s->out);
	} else if (!strcmp(line, "% roundtrip")) {
		run_roundtrip(s);
	} else if (!strncmp(line, "% restore-bad ", 14)) {
		run_restore_bad(s, line + 14);
	} else {
		prop_fail(s, "unknown directive '%s'", line);
	}
}

/* The first line that differs, for the report */
static void first_difference(const char *got, const char *want, char *buf,
			     size_t len)
{
	int line = 1;

	while (*got && *got == *want) {
		if (*got == '\n')
			line++;
		got++;
		want++;
	}
	snprintf(buf, len, "line %d: got <%.*s> want <%.*s>", line,
		 (int)strcspn(got, "\n"), got, (int)strcspn(want, "\n"), want);
}

static void run_file(const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct state s = { .name = base };
	char *text = golden_read(path), *line, *next, why[512];

	s.rs = fresh();
	if (!text || !s.rs) {
		report(base, "transcript", false, "cannot read %s", path);
		free(text);
		ipt_ruleset_free(s.rs);
		return;
	}
	for (line = text; *line; line = next) {
		size_t len = strcspn(line, "\n");
		char *l = strndup(line, len);

		next = line + len + (line[len] == '\n');
		if (!strncmp(l, "## ", 3) || !strcmp(l, "##")) {
			ipt_text_printf(&s.out, "%s\n", l);
		} else if (!strncmp(l, "$ ", 2)) {
			ipt_text_printf(&s.out, "%s\n", l);
			run_command(&s, l);
		} else if (!strncmp(l, "% ", 2)) {
			ipt_text_printf(&s.out, "%s\n", l);
			run_directive(&s, l);
		}
		free(l);
	}
	if (getenv("IPFWADM_TRANSCRIPT_WRITE") && s.out.s) {
		FILE *f = fopen(path, "w");	/* a draft, to be read by a person */

		if (f) {
			fputs(s.out.s, f);
			fclose(f);
		}
	}
	if (!s.out.s || strcmp(s.out.s, text)) {
		first_difference(s.out.s ? s.out.s : "", text, why, sizeof(why));
		report(base, "transcript", false, "%s", why);
	} else {
		report(base, "transcript", true, " ");
	}
	if (!s.props_failed)
		report(base, "props", true, " ");
	ipt_text_free(&s.out);
	ipt_ruleset_free(s.rs);
	free(text);
}

/* ---- cases of their own ------------------------------------------------------ */

static void t_init(void)
{
	struct ipt_ruleset *rs = fresh();
	const struct ipt_chain *in, *fwd, *out, *acct;

	in = rs ? chain_named(rs, "input") : NULL;
	fwd = rs ? chain_named(rs, "forward") : NULL;
	out = rs ? chain_named(rs, "output") : NULL;
	acct = rs ? chain_named(rs, "acct") : NULL;
	report("init", "chains", rs && in && fwd && out && acct &&
	       rs->lang == IPT_LANG_IPFWADM && in->policy == IPT_POL_DROP &&
	       fwd->policy == IPT_POL_DROP && out->policy == IPT_POL_ACCEPT &&
	       acct->hook == -1 && acct->policy == IPT_POL_NONE &&
	       in->hook == IPT_INPUT && fwd->hook == IPT_FORWARD &&
	       out->hook == IPT_OUTPUT && !rs->t[IPT_NAT].chains[0].nrules,
	       "init() did not make input/forward deny, output accept, acct");
	ipt_ruleset_free(rs);
}

/* -A -l -z: the listing shows the counters, then they are 0 */
static void t_list_zero(void)
{
	char *argv_add[] = { "-A", "-a", "-S", "10.0.0.0/8" };
	char *argv_lz[] = { "-A", "-l", "-z", "-n", "-x" };
	struct ipt_ruleset *rs = fresh();
	struct ipt_text out = { 0 };
	struct ipt_err err;
	struct ipt_chain *acct;
	bool ok;

	ok = rs && !ipt_ipfwadm_ops.exec(rs, 4, argv_add, NULL, &out, &err);
	acct = ok ? chain_named(rs, "acct") : NULL;
	if (acct && acct->nrules == 1) {
		acct->rules[0].pkts = 12;
		acct->rules[0].bytes = 3456;
	}
	ok = acct && !ipt_ipfwadm_ops.exec(rs, 5, argv_lz, NULL, &out, &err) &&
	     out.s && strstr(out.s, "      12       3456 i/o all ") &&
	     !acct->rules[0].pkts && !acct->rules[0].bytes;
	report("list_zero", "acct", ok, "-A -l -z did not show then zero: %s",
	       out.s ? out.s : "(nothing)");
	ipt_text_free(&out);
	ipt_ruleset_free(rs);
}

/* exec on a ruleset in another language is refused, unchanged */
static void t_not_ipfwadm(void)
{
	char *argv[] = { "-F", "-a", "accept" };
	struct ipt_ruleset *rs = ipt_ruleset_new();
	struct ipt_text out = { 0 };
	struct ipt_err err = { { 0 } };
	int rc = rs ? ipt_ipfwadm_ops.exec(rs, 3, argv, NULL, &out, &err) : -1;

	report("not_ipfwadm", "refused", rc == 1 && strstr(err.msg, "ipfwadm") &&
	       rs->t[IPT_FILTER].chains[0].nrules == 0 &&
	       rs->t[IPT_FILTER].chains[1].nrules == 0,
	       "exec on an iptables ruleset: %d %s", rc, err.msg);
	ipt_text_free(&out);
	ipt_ruleset_free(rs);
}

int main(int argc, char **argv)
{
	char dir[4200], pat[4300];
	glob_t g;

	if (!golden_dir("tests/golden/ipfwadm", dir, sizeof(dir))) {
		printf("FAIL ipfwadm/golden: no tests/golden/ipfwadm folder\n");
		return 1;
	}
	snprintf(pat, sizeof(pat), "%s/*.t", dir);
	if (glob(pat, 0, NULL, &g) || !g.gl_pathc) {
		printf("FAIL ipfwadm/golden: no transcripts in %s\n", dir);
		return 1;
	}
	for (size_t i = 0; i < g.gl_pathc; i++)
		if (argc < 2 || strstr(g.gl_pathv[i], argv[1]))
			run_file(g.gl_pathv[i]);
	globfree(&g);
	t_init();
	t_list_zero();
	t_not_ipfwadm();
	printf("%d failed\n", failures);
	return failures ? 1 : 0;
}
