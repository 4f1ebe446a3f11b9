// SPDX-License-Identifier: MIT
/*
 * fuzz_ipt_restore.c - arbitrary text into ipt_restore(), then ipt_save()
 *
 * The input is an iptables-restore text for a fresh ruleset (no resolver,
 * as masqd reads it). The first byte picks the flags (-c, --noflush,
 * --test) and is not part of the text. Whatever happens:
 *  - a failed restore leaves the ruleset exactly as it was, and says why
 *    with "line N:";
 *  - every table keeps its invariants (built-in chains first, user chains
 *    in name order, refs counted right) and passes the kernel's check;
 *  - what ipt_save() prints restores into a fresh ruleset and saves as the
 *    same text (a round trip), and a second restore of the same input
 *    with --noflush on top does not break anything either.
 *
 * MASQ_FUZZ_WRITE_SEEDS=DIR writes a few iptables-save texts as seeds into
 * DIR at start-up and exits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/ipt/ipt.h"
#include "../src/ipt/ruleset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The flags (the input's first byte) and an iptables-save text */
static const struct seed {
	uint8_t flags;
	const char *text;
} seeds[] = {
	{ IPT_RESTORE_COUNTERS,
	  "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n"
	  ":OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [3:180]\n:fw - [0:0]\n"
	  "[0:0] -A PREROUTING -i wan0 -j fw\n"
	  "[1:60] -A POSTROUTING -o wan0 -j MASQUERADE\n"
	  "[0:0] -A fw -p tcp -m tcp --dport 8080 -j DNAT "
	  "--to-destination 192.168.0.10:80\n"
	  "COMMIT\n" },
	{ 0,
	  "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n"
	  ":OUTPUT ACCEPT [0:0]\n:lan - [0:0]\n"
	  "-A INPUT -i lo -j ACCEPT\n"
	  "-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\n"
	  "-A INPUT -i lan0 -g lan\n"
	  "-A FORWARD -p tcp -m tcp --tcp-flags SYN,RST SYN "
	  "-j TCPMSS --clamp-mss-to-pmtu\n"
	  "-A lan -p udp -m multiport --dports 53,67:68 -j ACCEPT\n"
	  "-A lan -m comment --comment \"a \\\"b\\\"\" -j LOG --log-prefix \"x: \"\n"
	  "COMMIT\n" },
	{ IPT_RESTORE_NOFLUSH,
	  "*mangle\n-A PREROUTING -j MARK --set-xmark 0x1/0xff\n"
	  "-N a\n-A a -j RETURN\n-I PREROUTING 1 -j a\n-E a b\n"
	  "-R PREROUTING 2 -j ACCEPT\n-D PREROUTING 1\n-F b\n-X b\n-Z\n"
	  "COMMIT\n" },
	{ 0,
	  "*filter\n:a - [0:0]\n:b - [0:0]\n-A a -j b\n-A b -j a\n"
	  "-A INPUT -j a\nCOMMIT\n" },
};

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_ipt_restore: %s%s%s\n", what, detail ? ": " : "",
		detail ? detail : "");
	abort();
}

static bool chain_equal(const struct ipt_chain *a, const struct ipt_chain *b)
{
	if (strcmp(a->name, b->name) || a->hook != b->hook ||
	    a->policy != b->policy || a->pol_pkts != b->pol_pkts ||
	    a->pol_bytes != b->pol_bytes || a->nrules != b->nrules ||
	    a->refs != b->refs)
		return false;
	for (uint32_t i = 0; i < a->nrules; i++)
		if (!ipt_rule_equal(&a->rules[i], &b->rules[i]) ||
		    a->rules[i].pkts != b->rules[i].pkts ||
		    a->rules[i].bytes != b->rules[i].bytes)
			return false;
	return true;
}

static bool rulesets_equal(const struct ipt_ruleset *a,
			   const struct ipt_ruleset *b)
{
	for (int t = 0; t < IPT_TABLES; t++) {
		if (a->t[t].nchains != b->t[t].nchains)
			return false;
		for (uint32_t c = 0; c < a->t[t].nchains; c++)
			if (!chain_equal(&a->t[t].chains[c], &b->t[t].chains[c]))
				return false;
	}
	return true;
}

static uint32_t count_refs(const struct ipt_table *t, const char *name)
{
	uint32_t n = 0;

	for (uint32_t c = 0; c < t->nchains; c++)
		for (uint32_t r = 0; r < t->chains[c].nrules; r++) {
			const struct ipt_target *tg = &t->chains[c].rules[r].t;

			n += (tg->kind == IPT_T_JUMP || tg->kind == IPT_T_GOTO) &&
			     !strcmp(tg->chain, name);
		}
	return n;
}

static void check_sound(const struct ipt_ruleset *rs)
{
	struct ipt_err err;

	for (int tid = 0; tid < IPT_TABLES; tid++) {
		const struct ipt_table *t = &rs->t[tid];
		uint32_t nb = 0;

		while (nb < t->nchains && t->chains[nb].hook >= 0)
			nb++;
		for (uint32_t c = 0; c < t->nchains; c++) {
			if (c > nb && strcmp(t->chains[c - 1].name,
					     t->chains[c].name) >= 0)
				die("user chains out of order", t->chains[c].name);
			if (c >= nb && count_refs(t, t->chains[c].name) !=
				       t->chains[c].refs)
				die("refs wrong", t->chains[c].name);
		}
		if (ipt_table_check(t, tid, &err))
			die("a restored table fails the check", err.msg);
	}
}

/* save -> restore -> save must give the same text and the same ruleset */
static void check_roundtrip(const struct ipt_ruleset *rs)
{
	struct ipt_text a = { 0 }, b = { 0 };
	struct ipt_ruleset *rs2 = ipt_ruleset_new();
	struct ipt_err err;

	if (!rs2)
		die("out of memory", NULL);
	ipt_save(rs, 7, true, NULL, &a);
	if (a.oom)
		die("out of memory", NULL);
	if (ipt_restore(rs2, a.s ? a.s : "", IPT_RESTORE_COUNTERS, NULL, &err)) {
		fprintf(stderr, "%s\n", a.s);
		die("the save does not restore", err.msg);
	}
	ipt_save(rs2, 7, true, NULL, &b);
	if (strcmp(a.s ? a.s : "", b.s ? b.s : "") || !rulesets_equal(rs, rs2)) {
		fprintf(stderr, "first:\n%s\nagain:\n%s\n", a.s, b.s);
		die("save -> restore -> save changed the ruleset", NULL);
	}
	ipt_text_free(&a);
	ipt_text_free(&b);
	ipt_ruleset_free(rs2);
}

static void restore_once(struct ipt_ruleset *rs, const char *text,
			 unsigned flags)
{
	struct ipt_ruleset *before = ipt_ruleset_copy(rs);
	struct ipt_err err = { "" };

	if (!before)
		die("out of memory", NULL);
	if (ipt_restore(rs, text, flags, NULL, &err)) {
		if (strncmp(err.msg, "line ", 5))
			die("an error without its line", err.msg);
		if (!rulesets_equal(before, rs))
			die("a failed restore changed the ruleset", err.msg);
	} else if ((flags & IPT_RESTORE_TEST) && !rulesets_equal(before, rs)) {
		die("--test changed the ruleset", NULL);
	}
	ipt_ruleset_free(before);
	check_sound(rs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipt_ruleset *rs;
	unsigned flags;
	char *text;

	if (!size)
		return 0;
	flags = data[0] & (IPT_RESTORE_NOFLUSH | IPT_RESTORE_COUNTERS |
			   IPT_RESTORE_TEST);
	text = malloc(size);
	rs = ipt_ruleset_new();
	if (!text || !rs)
		die("out of memory", NULL);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = 0;
	restore_once(rs, text, flags);
	check_roundtrip(rs);
	restore_once(rs, text, flags | IPT_RESTORE_NOFLUSH);
	check_roundtrip(rs);
	ipt_ruleset_free(rs);
	free(text);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("MASQ_FUZZ_WRITE_SEEDS");

	(void)argc;
	(void)argv;
	if (!dir)
		return 0;
	for (size_t k = 0; k < sizeof(seeds) / sizeof(*seeds); k++) {
		char path[1024];
		FILE *f;

		snprintf(path, sizeof(path), "%s/seed-%zu", dir, k);
		f = fopen(path, "wb");
		if (f) {
			fputc(seeds[k].flags, f);	/* may be 0 */
			fputs(seeds[k].text, f);
			fclose(f);
		}
	}
	exit(0);
}
