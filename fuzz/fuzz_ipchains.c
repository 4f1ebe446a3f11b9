// SPDX-License-Identifier: MIT
/*
 * fuzz_ipchains.c - libFuzzer target for the ipchains language
 *
 * The first byte picks what the rest is. Bit 1 clear: the words of one
 * command (bit 0 set: one line for ipt_split(), quotes and all; clear:
 * words split at NUL bytes as they are). They go to ipchains_parse() with
 * no resolver, as masqd parses them; a refusal must say why, on one line.
 * An accepted command is printed by ipchains_format(), and every line of
 * that must parse back to the same command for its pair of addresses and
 * print again the same (the property masqctl -> masqd relies on). Then
 * the words run through ipt_ipchains_ops.exec() on a ruleset with a few
 * chains and rules: a failure must say why and change nothing, a command
 * changes() calls no change must change no rule, and the result must
 * survive save -> restore -> save unchanged.
 *
 * Bit 1 set: the rest is ipchains-save text for ipt_ipchains_ops.restore()
 * and ipchains_canon(): a refusal says "line N: why" and changes nothing,
 * an accepted text saves and restores to itself.
 *
 * MASQ_FUZZ_WRITE_SEEDS=DIR writes a few inputs as seeds into DIR at
 * start-up and exits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipt/ipchains.h"
#include "../tests/lib/fuzzeng.h"
#include "../tests/lib/fuzzwords.h"

#define MAX_WORDS	256
#define MAX_TEXT	8192

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define SEED(s)	{ s, sizeof(s) - 1 }

static const struct {
	const char *s;
	size_t len;
} seeds[] = {
	SEED("\x01-A input -p tcp -s 0/0 1024:65535 -d 10.0.0.0/8 ! 80 -j ACCEPT -l"),
	SEED("\x01-I input 2 -b -p udp -s 1.2.3.4 53 -d ! 10.1.0.0/255.255.0.0 -j REJECT"),
	SEED("\x01-A forward -s 192.168.0.0/24 -j MASQ -i ppp+ -m 0x3 -t 0x01 0x10 -o 64"),
	SEED("\x01-C input -p icmp -s 1.2.3.4 echo-request -d 5.6.7.8 -i eth0"),
	SEED("\x01-A input -p tcp ! -y -d 0/0 113 -j REDIRECT 8113"),
	SEED("\x01-L -n -v -x --line-numbers"),
	SEED("\x01-nvL u"),
	SEED("\x01-M -S 7200 10 160"),
	SEED("\x01--no-warnings -A u ! -f -p ! tcp -j RETURN"),
	SEED("\x00-R\0input\0001\0-s\0!\0001.2.3.4\0-j\0DENY"),
	SEED("\x02:input DENY [1:2]\n:forward MASQ\n:u -\n[3:4] -A input -s 0.0.0.0/0.0.0.0 -d 0.0.0.0/0.0.0.0 -j u\n"
	     "-A u -s 10.0.0.0/255.0.0.0 1:1023 -d 0.0.0.0/0.0.0.0 -p 6 -j DENY -y\n"),
};

static struct ipt_ruleset *base;

/* The ruleset every command runs on: a user chain, a jump, some rules */
static struct ipt_ruleset *base_ruleset(void)
{
	static const char text[] =
		":input DENY\n:forward DENY\n:output ACCEPT\n:u -\n:v -\n"
		"[5:500] -A input -s 0.0.0.0/0.0.0.0 -d 0.0.0.0/0.0.0.0 -i lo -j ACCEPT\n"
		"-A input -s 0.0.0.0/0.0.0.0 -d 0.0.0.0/0.0.0.0 -j u\n"
		"-A u -s 10.0.0.0/255.0.0.0 -d 0.0.0.0/0.0.0.0 80 -p 6 -j REDIRECT 3128\n"
		"-A u -s 0.0.0.0/0.0.0.0 -d 0.0.0.0/0.0.0.0 -j v\n"
		"-A forward -s 192.168.0.0/255.255.255.0 -d 0.0.0.0/0.0.0.0 -j MASQ\n";
	struct ipt_ruleset *rs = ipt_ruleset_new();
	struct ipt_err e;

	if (!rs || ipt_ipchains_ops.init(rs) ||
	    ipt_ipchains_ops.restore(rs, text, &e))
		abort();
	return rs;
}

static char *saved(const struct ipt_ruleset *rs, unsigned flags)
{
	struct ipt_text t = { 0 };

	ipt_ipchains_ops.save(rs, flags, &t);
	if (t.oom)
		abort();
	return t.s ? t.s : strdup("");
}

static void one_line_message(const struct ipt_err *e)
{
	if (!e->msg[0] || strchr(e->msg, '\n'))
		abort();
}

/* save -c -> restore -> save -c is the same text */
static void check_saves(const struct ipt_ruleset *rs)
{
	struct ipt_ruleset *back = ipt_ruleset_new();
	char *a = saved(rs, IPT_LSAVE_COUNTERS), *b;
	struct ipt_err e;

	if (!back || ipt_ipchains_ops.init(back))
		abort();
	if (ipt_ipchains_ops.restore(back, a, &e)) {
		fprintf(stderr, "save does not restore: %s\n%s", e.msg, a);
		abort();
	}
	b = saved(back, IPT_LSAVE_COUNTERS);
	if (strcmp(a, b)) {
		fprintf(stderr, "save -> restore -> save differs:\n%s--\n%s", a, b);
		abort();
	}
	free(a);
	free(b);
	ipt_ruleset_free(back);
}

/* Each canonical line parses back to pair @k of @c and prints the same */
static void check_canonical(const struct ipchains_cmd *c)
{
	static char store[MAX_TEXT * 2];
	uint32_t nd = c->ndst ? c->ndst : 1, k = 0;
	struct ipt_text t = { 0 };
	char *words[MAX_WORDS], *line, *next;

	ipchains_format(c, &t);
	if (t.oom || !t.s || !t.len)
		abort();
	for (line = t.s; line && *line; line = next, k++) {
		struct ipchains_cmd back;
		struct ipt_rule want = c->rule;
		struct ipt_text again = { 0 };
		struct ipt_err e;
		int n;

		next = strchr(line, '\n');
		if (!next)
			abort();
		*next++ = '\0';
		if (c->nsrc)
			want.src = c->srcs[(k / nd) % IPCHAINS_ADDRS_MAX];
		if (c->ndst)
			want.dst = c->dsts[(k % nd) % IPCHAINS_ADDRS_MAX];
		if (c->op == IPCHAINS_OP_CHECK && !strcmp(want.in, "+"))
			want.in[0] = '\0';
		n = ipt_split(line, words, MAX_WORDS, store, sizeof(store), &e);
		if (n < 0 || ipchains_parse(n, words, NULL, &back, &e)) {
			fprintf(stderr, "'%s' does not parse back: %s\n", line,
				n < 0 ? "split" : e.msg);
			abort();
		}
		ipchains_format(&back, &again);
		if (!again.s || strncmp(again.s, line, strlen(line)) ||
		    strcmp(again.s + strlen(line), "\n") || back.op != c->op ||
		    back.opts != c->opts || back.rulenum != c->rulenum ||
		    strcmp(back.chain, c->chain) ||
		    !ipt_rule_equal(&back.rule, &want)) {
			fprintf(stderr, "'%s' parses back different: '%s'\n", line,
				again.s ? again.s : "");
			abort();
		}
		ipt_text_free(&again);
	}
	ipt_text_free(&t);
}

/* The words on a copy of the base ruleset */
static void check_exec(int n, char **words)
{
	struct ipt_ruleset *rs = ipt_ruleset_copy(base);
	bool change = ipt_ipchains_ops.changes(n, words);
	struct ipt_text out = { 0 };
	struct ipt_err e = { { 0 } };
	char *before, *after;
	int r;

	if (!rs)
		abort();
	before = saved(rs, 0);
	r = ipt_ipchains_ops.exec(rs, n, words, NULL, &out, &e);
	after = saved(rs, 0);
	if (r < 0 || r > 2)
		abort();
	if (r)
		one_line_message(&e);
	if ((r || !change) && strcmp(before, after)) {
		fprintf(stderr, "status %d, changes() %d, yet the rules changed\n",
			r, change);
		abort();
	}
	check_saves(rs);
	free(before);
	free(after);
	ipt_text_free(&out);
	ipt_ruleset_free(rs);
}

static void check_words(int n, char **words)
{
	struct ipchains_cmd *cmd = malloc(sizeof(*cmd));
	struct ipt_err e;

	if (!cmd)
		abort();
	if (ipchains_parse(n, words, NULL, cmd, &e))
		one_line_message(&e);
	else
		check_canonical(cmd);
	free(cmd);
	check_exec(n, words);
}

/* Text for restore: all or nothing, and what is taken saves to itself */
static void check_text(const char *text)
{
	struct ipt_ruleset *rs = ipt_ruleset_copy(base);
	struct ipt_text canon = { 0 };
	char *before;
	struct ipt_err e;

	if (!rs)
		abort();
	before = saved(rs, IPT_LSAVE_COUNTERS);
	if (ipt_ipchains_ops.restore(rs, text, &e)) {
		char *after = saved(rs, IPT_LSAVE_COUNTERS);

		if (strncmp(e.msg, "line ", 5) || strcmp(before, after))
			abort();
		free(after);
	} else {
		check_saves(rs);
	}
	if (ipchains_canon(text, NULL, IPCHAINS_CANON_CREATE, &canon, &e))
		one_line_message(&e);
	free(before);
	ipt_text_free(&canon);
	ipt_ruleset_free(rs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[MAX_TEXT + 1], store[MAX_TEXT + 1];
	char *words[MAX_WORDS];
	int nw;

	if (!size)
		return 0;
	if (!base)
		base = base_ruleset();
	nw = fuzzwords(data, size, text, sizeof(text), store, sizeof(store),
		       words, MAX_WORDS);
	if (data[0] & 2)
		check_text(text);	/* the rest as restore text */
	else if (nw >= 0)
		check_words(nw, words);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("MASQ_FUZZ_WRITE_SEEDS");

	(void)argc;
	(void)argv;
	if (!dir)
		return 0;
	for (size_t k = 0; k < sizeof(seeds) / sizeof(seeds[0]); k++) {
		char name[32];

		snprintf(name, sizeof(name), "ipchains-%zu", k);
		fuzzeng_seed(dir, name, seeds[k].s, seeds[k].len);
	}
	exit(0);
}
