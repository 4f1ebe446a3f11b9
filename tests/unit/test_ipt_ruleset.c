// SPDX-License-Identifier: MIT
/*
 * test_ipt_ruleset.c - the ruleset model, ipt_exec() and ipt_restore()
 *
 * Golden cases taken from iptables-legacy 1.8.9 (Debian 12), run in a
 * scratch network namespace: each case is a list of commands with the exit
 * status the reference gave (0, 1, or 2 for a usage error) and the
 * "iptables -S -v" the reference printed after them; restore cases are a
 * text, flags and the "iptables-save -c" that followed, table by table.
 * Then the properties no golden file shows: a failing command or restore
 * changes nothing; refs, chain order and the kernel's table check hold
 * after any sequence of commands (randomized against a naive reference
 * walk; the seed is printed and MASQ_TEST_SEED=N repeats it); 100,000
 * rules restore quickly; save -> restore -> save is the same text.
 *
 * Where masq differs from the reference on purpose, the case says so:
 * a restore applies all its tables or none (iptables-restore commits
 * table by table).
 *
 * Prints "ok ipt/NAME" or "FAIL ipt/NAME: why" per case.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ipt/ipt.h"
#include "ipt/ruleset.h"
#include "../lib/report.h"

/* "ok ipt/NAME" or "FAIL ipt/NAME: why" (tests/lib/report.h) */
static void report(const char *name, bool ok)
{
	report_result("ipt", name, ok);
}

/* ---- helpers --------------------------------------------------------------- */

/* "multi" is 1.1.1.1 and 2.2.2.2, as a name with two A records */
static int fake_host(const char *name, uint32_t *addrs, int max)
{
	if (strcmp(name, "multi") || max < 2)
		return -1;
	addrs[0] = 0x01010101;
	addrs[1] = 0x02020202;
	return 2;
}

static const struct ipt_resolver fake_res = { .host = fake_host };

#define RUN_PARSE_ERROR	-2

/*
 * One command line ("-A INPUT -j ACCEPT") on table @table: split, parsed
 * and executed. Returns ipt_exec()'s value, or RUN_PARSE_ERROR.
 */
static int run_out(struct ipt_ruleset *rs, int table, const char *line,
		   struct ipt_text *out, struct ipt_err *err)
{
	char store[4096], text[4200], *argv[256];
	struct ipt_cmd cmd;
	int n;

	snprintf(text, sizeof(text), "-t %s %s", ipt_table_name(table), line);
	n = ipt_split(text, argv, 255, store, sizeof(store), err);
	if (n < 0 || ipt_parse(n, argv, &fake_res, &cmd, err))
		return RUN_PARSE_ERROR;
	return ipt_exec(rs, &cmd, &fake_res, out, err);
}

static int run(struct ipt_ruleset *rs, int table, const char *line,
	       struct ipt_err *err)
{
	struct ipt_text out = { 0 };
	int ret = run_out(rs, table, line, &out, err);

	ipt_text_free(&out);
	return ret;
}

/* Commands that must all work; false (with why) at the first that fails */
static bool run_all(struct ipt_ruleset *rs, int table,
		    const char *const *lines)
{
	struct ipt_err err;

	for (; *lines; lines++)
		if (run(rs, table, *lines, &err))
			return report_whyf("setup `%s' failed: %s", *lines, err.msg);
	return true;
}

/* "iptables -S -v" of one table; the caller frees */
static char *list_S(const struct ipt_ruleset *rs, int table)
{
	struct ipt_text out = { 0 };
	struct ipt_err err;

	if (ipt_print_S(&rs->t[table], NULL, 0, true, &out, &err)) {
		ipt_text_free(&out);
		return strdup(err.msg);
	}
	return out.s ? out.s : strdup("");
}

/* iptables-save -c of one table, without the "# Generated" lines */
static char *save_table(const struct ipt_ruleset *rs, int table)
{
	struct ipt_text out = { 0 };

	ipt_save(rs, 1u << table, true, NULL, &out);
	return out.s ? out.s : strdup("");
}

static bool text_is(const char *what, char *got, const char *want)
{
	bool ok = !strcmp(got, want);

	if (!ok)
		report_whyf("%s: got [%s] want [%s]", what, got, want);
	free(got);
	return ok;
}

static bool chains_equal(const struct ipt_chain *a, const struct ipt_chain *b)
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

/* Deep equality: every chain, rule, counter and ref */
static bool tables_equal(const struct ipt_table *a, const struct ipt_table *b)
{
	if (a->nchains != b->nchains)
		return false;
	for (uint32_t c = 0; c < a->nchains; c++)
		if (!chains_equal(&a->chains[c], &b->chains[c]))
			return false;
	return true;
}

static bool rulesets_equal(const struct ipt_ruleset *a,
			   const struct ipt_ruleset *b)
{
	for (int t = 0; t < IPT_TABLES; t++)
		if (!tables_equal(&a->t[t], &b->t[t]))
			return false;
	return true;
}

/*
 * The invariants ruleset.c promises: built-in chains first in hook order,
 * user chains sorted, refs counted right, jumps to user chains that
 * exist, and the kernel's table check passes.
 */
static bool table_sound(const struct ipt_table *t, int tid)
{
	uint32_t nb = 0;
	struct ipt_err err;
	int h = -1;

	while (nb < t->nchains && t->chains[nb].hook >= 0) {
		if (t->chains[nb].hook <= h ||
		    !ipt_table_has_hook(tid, t->chains[nb].hook) ||
		    strcmp(t->chains[nb].name, ipt_hook_name(t->chains[nb].hook)))
			return report_whyf("built-in chain %u out of order", nb);
		h = t->chains[nb++].hook;
	}
	for (int k = 0; k < IPT_HOOKS; k++)
		if (ipt_table_has_hook(tid, k) && !ipt_chain_find(
				(struct ipt_table *)t, ipt_hook_name(k)))
			return report_whyf("built-in chain %s missing",
					   ipt_hook_name(k));
	for (uint32_t c = nb; c < t->nchains; c++) {
		uint32_t refs = 0;

		if (c > nb && strcmp(t->chains[c - 1].name, t->chains[c].name) >= 0)
			return report_whyf("user chains %s, %s out of order",
					   t->chains[c - 1].name, t->chains[c].name);
		for (uint32_t x = 0; x < t->nchains; x++)
			for (uint32_t r = 0; r < t->chains[x].nrules; r++) {
				const struct ipt_target *tg = &t->chains[x].rules[r].t;

				if ((tg->kind == IPT_T_JUMP || tg->kind == IPT_T_GOTO) &&
				    !strcmp(tg->chain, t->chains[c].name))
					refs++;
			}
		if (refs != t->chains[c].refs)
			return report_whyf("chain %s: refs %u, counted %u",
					   t->chains[c].name, t->chains[c].refs, refs);
	}
	for (uint32_t x = 0; x < t->nchains; x++)
		for (uint32_t r = 0; r < t->chains[x].nrules; r++) {
			const struct ipt_target *tg = &t->chains[x].rules[r].t;
			struct ipt_chain *j;

			if (tg->kind != IPT_T_JUMP && tg->kind != IPT_T_GOTO)
				continue;
			j = ipt_chain_find((struct ipt_table *)t, tg->chain);
			if (!j || j->hook >= 0)
				return report_whyf("chain %s rule %u jumps to `%s'",
						   t->chains[x].name, r + 1, tg->chain);
		}
	if (ipt_table_check(t, tid, &err))
		return report_whyf("table check: %s", err.msg);
	return true;
}

/* ---- names and the model ------------------------------------------------ */

static void test_names(void)
{
	static const char *const filter[] = { "INPUT", "FORWARD", "OUTPUT" };
	bool ok = true;

	ok &= !strcmp(ipt_table_name(IPT_FILTER), "filter") &&
	      !strcmp(ipt_table_name(IPT_NAT), "nat") &&
	      !strcmp(ipt_table_name(IPT_MANGLE), "mangle");
	ok &= ipt_table_by_name("nat") == IPT_NAT &&
	      ipt_table_by_name("mangle") == IPT_MANGLE &&
	      ipt_table_by_name("filter") == IPT_FILTER &&
	      ipt_table_by_name("raw") == IPT_RAW &&
	      ipt_table_by_name("security") == -1 && ipt_table_by_name("") == -1;
	ok &= !strcmp(ipt_hook_name(IPT_PREROUTING), "PREROUTING") &&
	      !strcmp(ipt_hook_name(IPT_POSTROUTING), "POSTROUTING");
	ok &= !ipt_table_has_hook(IPT_FILTER, IPT_PREROUTING) &&
	      !ipt_table_has_hook(IPT_FILTER, IPT_POSTROUTING) &&
	      !ipt_table_has_hook(IPT_NAT, IPT_FORWARD);
	for (int h = 0; h < IPT_HOOKS; h++)
		ok &= ipt_table_has_hook(IPT_MANGLE, h);
	ok &= ipt_table_has_hook(IPT_NAT, IPT_PREROUTING) &&
	      ipt_table_has_hook(IPT_NAT, IPT_INPUT) &&
	      ipt_table_has_hook(IPT_NAT, IPT_OUTPUT) &&
	      ipt_table_has_hook(IPT_NAT, IPT_POSTROUTING);
	for (int i = 0; i < 3; i++)
		ok &= ipt_table_has_hook(IPT_FILTER, i + 1) &&
		      !strcmp(ipt_hook_name(i + 1), filter[i]);
	if (!ok)
		report_whyf("a table or hook name or hook set is wrong");
	report("names", ok);
}

static void test_new_copy_free(void)
{
	struct ipt_ruleset *rs = ipt_ruleset_new(), *cp;
	struct ipt_err err;
	bool ok = rs != NULL;

	for (int t = 0; ok && t < IPT_TABLES; t++) {
		ok &= table_sound(&rs->t[t], t);
		for (uint32_t c = 0; ok && c < rs->t[t].nchains; c++)
			ok &= rs->t[t].chains[c].policy == IPT_POL_ACCEPT &&
			      !rs->t[t].chains[c].nrules;
	}
	ok &= rs->t[IPT_FILTER].nchains == 3 && rs->t[IPT_NAT].nchains == 4 &&
	      rs->t[IPT_MANGLE].nchains == 5;
	ok &= run(rs, IPT_FILTER, "-N u", &err) == 0 &&
	      run(rs, IPT_FILTER, "-A INPUT -j u -c 1 2", &err) == 0;
	cp = ipt_ruleset_copy(rs);
	ok &= cp && rulesets_equal(rs, cp);
	/* the copy is deep: changing one leaves the other */
	ok &= run(cp, IPT_FILTER, "-A u -j ACCEPT", &err) == 0 &&
	      rs->t[IPT_FILTER].chains[3].nrules == 0 &&
	      cp->t[IPT_FILTER].chains[3].nrules == 1;
	ok &= ipt_table_copy(&rs->t[IPT_NAT], &cp->t[IPT_FILTER]) == 0 &&
	      tables_equal(&rs->t[IPT_NAT], &cp->t[IPT_FILTER]);
	ok &= ipt_chain_find(&rs->t[IPT_FILTER], "u") != NULL &&
	      ipt_chain_find(&rs->t[IPT_FILTER], "v") == NULL &&
	      ipt_chain_find(&rs->t[IPT_FILTER], "INPUT") ==
		      &rs->t[IPT_FILTER].chains[0] &&
	      ipt_chain_find(&rs->t[IPT_FILTER], "PREROUTING") == NULL;
	if (!ok && !report_why()[0])
		report_whyf("new/copy/find gave a wrong ruleset");
	ipt_ruleset_free(rs);
	ipt_ruleset_free(cp);
	ipt_ruleset_free(NULL);
	report("new_copy_free", ok);
}

/* ---- golden command cases --------------------------------------------------- */

struct step {
	int rc;			/* the reference's exit status */
	const char *cmd;
};

struct golden {
	const char *name;
	int table;
	const struct step *steps;
	const char *S;		/* iptables -S -v afterwards */
};

static const struct step g_rule_commands[] = {
	{ 0, "-A INPUT -j ACCEPT" },
	{ 0, "-A INPUT -j DROP" },
	{ 0, "-I INPUT -s 10.0.0.1 -j RETURN" },
	{ 0, "-I INPUT 4 -p tcp --dport 22 -j ACCEPT" },
	{ 1, "-I INPUT 6 -j DROP" },
	{ 0, "-I INPUT 5 -j LOG" },
	{ 0, "-D INPUT 2" },
	{ 0, "-D INPUT -j DROP" },
	{ 1, "-D INPUT -j DROP" },
	{ 1, "-D INPUT 9" },
	{ 0, "-R INPUT 1 -s 10.0.0.2 -j DROP" },
	{ 1, "-R INPUT 5 -j DROP" },
	{ 0, "-C INPUT -p tcp --dport 22 -j ACCEPT" },
	{ 1, "-C INPUT -p tcp --dport 23 -j ACCEPT" },
	{ 1, "-A NOPE -j ACCEPT" },
	{ 1, "-I NOPE -j ACCEPT" },
	{ 1, "-R NOPE 1 -j ACCEPT" },
	{ 1, "-D NOPE 1" },
	{ 0, NULL },
};
static const struct step g_multi_address[] = {
	{ 0, "-A INPUT -j ACCEPT" },
	{ 0, "-I INPUT 1 -s 1.1.1.1,2.2.2.2 -d 3.3.3.3,4.4.4.4 -j DROP" },
	{ 0, "-A INPUT -s 1.1.1.1,2.2.2.2 -d 3.3.3.3,4.4.4.4 -j DROP" },
	{ 0, "-C INPUT -s 1.1.1.1,2.2.2.2 -d 3.3.3.3 -j DROP" },
	{ 1, "-C INPUT -s 1.1.1.1,9.9.9.9 -d 3.3.3.3 -j DROP" },
	{ 1, "-D INPUT -s 1.1.1.1,9.9.9.9 -d 3.3.3.3 -j DROP" },
	{ 0, "-D INPUT -s 2.2.2.2,1.1.1.1 -d 3.3.3.3 -j DROP" },
	{ 2, "-R INPUT 1 -s 2.2.2.2,1.1.1.1 -j DROP" },
	{ 0, NULL },
};
static const struct step g_delete_equal[] = {
	{ 0, "-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT" },
	{ 0, "-A INPUT -p tcp -m tcp --dport 80 -m comment --comment web -j ACCEPT" },
	{ 0, "-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT -c 5 6" },
	{ 0, "-A INPUT -m limit --limit 3/hour -j LOG" },
	{ 0, "-D INPUT -p tcp -m tcp --dport 80 -j ACCEPT" },
	{ 1, "-D INPUT -p tcp -m tcp --dport 80 -j DROP" },
	{ 0, "-D INPUT -m limit -j LOG" },
	{ 0, "-D INPUT -p tcp -m tcp --dport 80 -j ACCEPT" },
	{ 1, "-D INPUT -p tcp -m tcp --dport 80 -j ACCEPT" },
	{ 0, NULL },
};
static const struct step g_chains[] = {
	{ 0, "-N b" },
	{ 0, "-N a" },
	{ 0, "-N B" },
	{ 0, "-N Z" },
	{ 0, "-N _x" },
	{ 0, "-N 1" },
	{ 0, "-N A-1" },
	{ 1, "-N a" },
	{ 1, "-N INPUT" },
	{ 0, "-N PREROUTING" },
	{ 2, "-N LOG" },
	{ 2, "-N ACCEPT" },
	{ 2, "-N -foo" },
	{ 0, "-N 1234567890123456789012345678" },
	{ 2, "-N 12345678901234567890123456789" },
	{ 0, "-A a -j b" },
	{ 0, "-A INPUT -j a" },
	{ 0, "-A b -j ACCEPT" },
	{ 1, "-X a" },
	{ 1, "-X b" },
	{ 1, "-X INPUT" },
	{ 1, "-X NOPE" },
	{ 1, "-X" },
	{ 0, "-F a" },
	{ 1, "-X" },
	{ 0, "-D INPUT 1" },
	{ 0, "-X a" },
	{ 1, "-X" },
	{ 0, NULL },
};
static const struct step g_rename[] = {
	{ 0, "-N A" },
	{ 0, "-N B" },
	{ 0, "-A INPUT -j A" },
	{ 0, "-A B -j A" },
	{ 0, "-A B -g A" },
	{ 0, "-E A C" },
	{ 1, "-E C B" },
	{ 1, "-E C INPUT" },
	{ 1, "-E INPUT X" },
	{ 1, "-E NOPE X" },
	{ 1, "-E C ACCEPT" },
	{ 0, "-E C 0first" },
	{ 0, "-A INPUT -j 0first" },
	{ 2, "-A INPUT -j C" },
	{ 0, NULL },
};
static const struct step g_flush[] = {
	{ 0, "-N U" },
	{ 0, "-N V" },
	{ 0, "-A U -j V" },
	{ 0, "-A INPUT -j U" },
	{ 0, "-A FORWARD -j ACCEPT" },
	{ 0, "-F U" },
	{ 0, "-X V" },
	{ 1, "-F NOPE" },
	{ 0, "-F" },
	{ 0, "-X" },
	{ 0, NULL },
};
static const struct step g_policy[] = {
	{ 0, "-P INPUT DROP" },
	{ 0, "-P FORWARD DROP" },
	{ 0, "-P OUTPUT ACCEPT" },
	{ 0, "-N U" },
	{ 1, "-P U DROP" },
	{ 1, "-P NOPE DROP" },
	{ 1, "-P INPUT REJECT" },
	{ 1, "-P INPUT RETURN" },
	{ 0, NULL },
};
static const struct step g_nat_policy[] = {
	{ 2, "-P PREROUTING DROP" },
	{ 0, "-P POSTROUTING ACCEPT" },
	{ 2, "-A PREROUTING -j DROP" },
	{ 0, "-N U" },
	{ 2, "-A U -j DROP" },
	{ 0, NULL },
};
static const struct step g_jumps[] = {
	{ 0, "-N U" },
	{ 2, "-A INPUT -j NOPE" },
	{ 1, "-A U -j INPUT" },
	{ 1, "-A U -g INPUT" },
	{ 0, "-A INPUT -j U" },
	{ 0, "-A INPUT -g U" },
	{ 0, "-A FORWARD -j U" },
	{ 0, NULL },
};
static const struct step g_loops[] = {
	{ 0, "-N A" },
	{ 0, "-N B" },
	{ 0, "-N C" },
	{ 0, "-A A -j B" },
	{ 0, "-A B -j C" },
	{ 0, "-A C -j A" },
	{ 1, "-A INPUT -j A" },
	{ 0, "-D C 1" },
	{ 0, "-A INPUT -j A" },
	{ 1, "-A C -j A" },
	{ 1, "-A C -g B" },
	{ 1, "-A A -j A" },
	{ 0, "-A C -p tcp -j RETURN" },
	{ 1, "-A C -j B" },
	{ 0, "-I C 1 -j RETURN" },
	{ 0, "-A C -j B" },
	{ 0, "-A C -j A" },
	{ 1, "-D C 1" },
	{ 0, "-N D" },
	{ 0, "-A D -j D" },
	{ 0, "-A D -g D" },
	{ 0, NULL },
};
static const struct step g_loops_unreachable[] = {
	{ 0, "-N A" },
	{ 0, "-N B" },
	{ 0, "-A A -j A" },
	{ 0, "-A A -j B" },
	{ 0, "-A B -j A" },
	{ 0, "-A B -g B" },
	{ 0, NULL },
};
static const struct step g_nat_targets[] = {
	{ 0, "-A POSTROUTING -j MASQUERADE" },
	{ 1, "-A PREROUTING -j MASQUERADE" },
	{ 1, "-A INPUT -j MASQUERADE" },
	{ 1, "-A OUTPUT -j MASQUERADE" },
	{ 0, "-A POSTROUTING -j SNAT --to-source 1.2.3.4" },
	{ 0, "-A INPUT -j SNAT --to-source 1.2.3.4" },
	{ 1, "-A PREROUTING -j SNAT --to-source 1.2.3.4" },
	{ 1, "-A OUTPUT -j SNAT --to-source 1.2.3.4" },
	{ 0, "-A PREROUTING -j DNAT --to-destination 1.2.3.4" },
	{ 0, "-A OUTPUT -j DNAT --to-destination 1.2.3.4" },
	{ 1, "-A INPUT -j DNAT --to-destination 1.2.3.4" },
	{ 1, "-A POSTROUTING -j DNAT --to-destination 1.2.3.4" },
	{ 0, "-A PREROUTING -p tcp -j REDIRECT --to-ports 8080" },
	{ 0, "-A OUTPUT -p tcp -j REDIRECT --to-ports 8080" },
	{ 1, "-A INPUT -p tcp -j REDIRECT --to-ports 8080" },
	{ 1, "-A POSTROUTING -p tcp -j REDIRECT --to-ports 8080" },
	{ 1, "-A PREROUTING -j REJECT" },
	{ 0, "-A PREROUTING -j LOG" },
	{ 0, "-A PREROUTING -j MARK --set-mark 1" },
	{ 0, "-A PREROUTING -j ACCEPT" },
	{ 0, "-A PREROUTING -j RETURN" },
	{ 0, NULL },
};
static const struct step g_filter_targets[] = {
	{ 1, "-A INPUT -j MASQUERADE" },
	{ 1, "-A INPUT -j SNAT --to-source 1.2.3.4" },
	{ 1, "-A INPUT -j DNAT --to-destination 1.2.3.4" },
	{ 1, "-A INPUT -p tcp -j REDIRECT --to-ports 1" },
	{ 0, "-A INPUT -j REJECT" },
	{ 0, "-A FORWARD -j REJECT --reject-with icmp-host-prohibited" },
	{ 1, "-A OUTPUT -j REJECT --reject-with tcp-reset" },
	{ 1, "-A OUTPUT -p udp -j REJECT --reject-with tcp-reset" },
	{ 1, "-A OUTPUT ! -p tcp -j REJECT --reject-with tcp-reset" },
	{ 0, "-A OUTPUT -p tcp -j REJECT --reject-with tcp-reset" },
	{ 0, "-A INPUT -j MARK --set-mark 0x10" },
	{ 0, "-A INPUT -j LOG --log-prefix \"x: \"" },
	{ 0, NULL },
};
static const struct step g_mangle_targets[] = {
	{ 1, "-A PREROUTING -j REJECT" },
	{ 1, "-A POSTROUTING -j MASQUERADE" },
	{ 0, "-A PREROUTING -j MARK --set-xmark 0x1/0xff" },
	{ 0, "-A POSTROUTING -j LOG" },
	{ 0, "-A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu" },
	{ 1, "-A PREROUTING -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu" },
	{ 1, "-A INPUT -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu" },
	{ 0, "-A PREROUTING -p tcp --syn -j TCPMSS --set-mss 1400" },
	{ 0, NULL },
};
static const struct step g_tcpmss[] = {
	{ 1, "-A FORWARD -j TCPMSS --set-mss 1400" },
	{ 1, "-A FORWARD -p tcp -j TCPMSS --set-mss 1400" },
	{ 1, "-A FORWARD -p udp -j TCPMSS --set-mss 1400" },
	{ 1, "-A FORWARD ! -p tcp --tcp-flags SYN SYN -j TCPMSS --set-mss 1400" },
	{ 1, "-A FORWARD -p tcp ! --syn -j TCPMSS --set-mss 1400" },
	{ 1, "-A FORWARD -p tcp --tcp-flags SYN,ACK ACK -j TCPMSS --set-mss 1400" },
	{ 0, "-A FORWARD -p tcp --tcp-flags ACK SYN -j TCPMSS --set-mss 1400" },
	{ 0, "-A FORWARD -p tcp --syn -j TCPMSS --set-mss 1400" },
	{ 0, "-A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu" },
	{ 1, "-A INPUT -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu" },
	{ 0, "-A OUTPUT -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu" },
	{ 0, "-A INPUT -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 1300" },
	{ 0, "-A FORWARD -p tcp -m tcp --dport 1 -m tcp --syn -j TCPMSS --set-mss 1000" },
	{ 0, NULL },
};
static const struct step g_user_chain_hooks[] = {
	{ 0, "-N U" },
	{ 0, "-N V" },
	{ 0, "-A U -j MASQUERADE" },
	{ 0, "-A V -j U" },
	{ 0, "-A POSTROUTING -j V" },
	{ 1, "-A INPUT -j V" },
	{ 1, "-A PREROUTING -j U" },
	{ 0, "-A POSTROUTING -j U" },
	{ 1, "-A V -j DNAT --to-destination 1.2.3.4" },
	{ 0, "-A U -j SNAT --to-source 1.2.3.4" },
	{ 0, "-N W" },
	{ 0, "-A W -j DNAT --to-destination 1.2.3.4" },
	{ 0, "-A OUTPUT -j W" },
	{ 1, "-A W -j U" },
	{ 0, "-A W -p tcp -j REDIRECT --to-ports 1" },
	{ 0, NULL },
};
static const struct step g_unreachable_after_verdict[] = {
	{ 0, "-N U" },
	{ 0, "-A U -j MASQUERADE" },
	{ 0, "-A INPUT -j ACCEPT" },
	{ 0, "-A INPUT -j U" },
	{ 1, "-D INPUT 1" },
	{ 0, "-I INPUT -p tcp -j ACCEPT" },
	{ 0, "-R INPUT 1 -j RETURN" },
	{ 0, "-R INPUT 2 -j ACCEPT" },
	{ 0, "-D INPUT 1" },
	{ 1, "-D INPUT 1" },
	{ 0, "-N V" },
	{ 0, "-A V -j RETURN" },
	{ 0, "-A V -j U" },
	{ 0, "-A PREROUTING -j V" },
	{ 1, "-D V 1" },
	{ 0, "-A V -j V" },
	{ 0, "-F V" },
	{ 1, "-A V -j V" },
	{ 0, NULL },
};
static const struct step g_matches[] = {
	{ 1, "-A INPUT -m icmp --icmp-type 8" },
	{ 1, "-A INPUT -p udp -m icmp --icmp-type 8" },
	{ 0, "-A INPUT -p icmp -m icmp --icmp-type 8" },
	{ 1, "-A INPUT -p udp -m tcp --dport 1" },
	{ 1, "-A INPUT ! -p tcp -m tcp --dport 1" },
	{ 1, "-A OUTPUT -m mac --mac-source 00:11:22:33:44:55" },
	{ 0, "-A FORWARD -m mac --mac-source 00:11:22:33:44:55" },
	{ 0, "-N U" },
	{ 0, "-A U -m mac --mac-source 00:11:22:33:44:55" },
	{ 1, "-A OUTPUT -j U" },
	{ 0, "-A INPUT -j U" },
	{ 0, "-A INPUT -m state --state NEW" },
	{ 0, "-A INPUT -m mark --mark 0x1 -m limit --limit 5/sec -m comment --comment hello" },
	{ 0, NULL },
};
static const struct step g_zero[] = {
	{ 0, "-A INPUT -j ACCEPT -c 7 8" },
	{ 0, "-A INPUT -j DROP -c 2 2" },
	{ 0, "-N U" },
	{ 0, "-A U -c 3 3" },
	{ 0, "-Z INPUT 2" },
	{ 1, "-Z INPUT 5" },
	{ 1, "-Z NOPE" },
	{ 0, "-Z U" },
	{ 0, "-A U -c 4 4" },
	{ 0, "-Z" },
	{ 0, NULL },
};

static const struct golden goldens[] = {
	{ "rule_commands", IPT_FILTER, g_rule_commands,
	  "-P INPUT ACCEPT -c 0 0\n"
	  "-P FORWARD ACCEPT -c 0 0\n"
	  "-P OUTPUT ACCEPT -c 0 0\n"
	  "-A INPUT -s 10.0.0.2/32 -c 0 0 -j DROP\n"
	  "-A INPUT -p tcp -m tcp --dport 22 -c 0 0 -j ACCEPT\n"
	  "-A INPUT -c 0 0 -j LOG\n" },
	{ "multi_address", IPT_FILTER, g_multi_address,
	  "-P INPUT ACCEPT -c 0 0\n"
	  "-P FORWARD ACCEPT -c 0 0\n"
	  "-P OUTPUT ACCEPT -c 0 0\n"
	  "-A INPUT -s 2.2.2.2/32 -d 4.4.4.4/32 -c 0 0 -j DROP\n"
	  "-A INPUT -s 1.1.1.1/32 -d 4.4.4.4/32 -c 0 0 -j DROP\n"
	  "-A INPUT -c 0 0 -j ACCEPT\n"
	  "-A INPUT -s 1.1.1.1/32 -d 3.3.3.3/32 -c 0 0 -j DROP\n"
	  "-A INPUT -s 1.1.1.1/32 -d 4.4.4.4/32 -c 0 0 -j DROP\n"
	  "-A INPUT -s 2.2.2.2/32 -d 3.3.3.3/32 -c 0 0 -j DROP\n"
	  "-A INPUT -s 2.2.2.2/32 -d 4.4.4.4/32 -c 0 0 -j DROP\n" },
	{ "delete_equal", IPT_FILTER, g_delete_equal,
	  "-P INPUT ACCEPT -c 0 0\n"
	  "-P FORWARD ACCEPT -c 0 0\n"
	  "-P OUTPUT ACCEPT -c 0 0\n"
	  "-A INPUT -p tcp -m tcp --dport 80 -m comment --comment web -c 0 0 -j ACCEPT\n" },
	{ "chains", IPT_FILTER, g_chains,
	  "-P INPUT ACCEPT -c 0 0\n"
	  "-P FORWARD ACCEPT -c 0 0\n"
	  "-P OUTPUT ACCEPT -c 0 0\n"
	  "-N 1\n"
	  "-N 1234567890123456789012345678\n"
	  "-N A-1\n"
	  "-N B\n"
	  "-N PREROUTING\n"
	  "-N Z\n"
	  "-N _x\n"
	  "-N b\n"
	  "-A b -c 0 0 -j ACCEPT\n" },
	{ "rename", IPT_FILTER, g_rename,
	  "-P INPUT ACCEPT -c 0 0\n"
	  "-P FORWARD ACCEPT -c 0 0\n"
	  "-P OUTPUT ACCEPT -c 0 0\n"
	  "-N 0first\n"
	  "-N B\n"
	  "-A INPUT -c 0 0 -j 0first\n"
	  "-A INPUT -c 0 0 -j 0first\n"
	  "-A B -c 0 0 -j 0first\n"
	  "-A B -c 0 0 -g 0first\n" },
	{ "flush", IPT_FILTER, g_flush,
	  "-P INPUT ACCEPT -c 0 0\n"
	  "-P FORWARD ACCEPT -c 0 0\n"
	  "-P OUTPUT ACCEPT -c 0 0\n" },
	{ "policy", IPT_FILTER, g_policy,
	  "-P INPUT DROP -c 0 0\n"
	  "-P FORWARD DROP -c 0 0\n"
	  "-P OUTPUT ACCEPT -c 0 0\n"
	  "-N U\n" },
	{ "nat_policy", IPT_NAT, g_nat_policy,
	  "-P PREROUTING ACCEPT -c 0 0\n"
	  "-P INPUT ACCEPT -c 0 0\n"
	  "-P OUTPUT ACCEPT -c 0 0\n"
	  "-P POSTROUTING ACCEPT -c 0 0\n"
	  "-N U\n" },
	{ "jumps", IPT_FILTER, g_jumps,
	  "-P INPUT ACCEPT -c 0 0\n"
	  "-P FORWARD ACCEPT -c 0 0\n"
	  "-P OUTPUT ACCEPT -c 0 0\n"
	  "-N U\n"
	  "-A INPUT -c 0 0 -j U\n"
	  "-A INPUT -c 0 0 -g U\n"
	  "-A FORWARD -c 0 0 -j U\n" },
	{ "loops", IPT_FILTER, g_loops,
	  "-P INPUT ACCEPT -c 0 0\n"
	  "-P FORWARD ACCEPT -c 0 0\n"
	  "-P OUTPUT ACCEPT -c 0 0\n"
	  "-N A\n"
	  "-N B\n"
	  "-N C\n"
	  "-N D\n"
	  "-A INPUT -c 0 0 -j A\n"
	  "-A A -c 0 0 -j B\n"
	  "-A B -c 0 0 -j C\n"
	  "-A C -c 0 0 -j RETURN\n"
	  "-A C -p tcp -c 0 0 -j RETURN\n"
	  "-A C -c 0 0 -j B\n"
	  "-A C -c 0 0 -j A\n"
	  "-A D -c 0 0 -j D\n"
	  "-A D -c 0 0 -g D\n" },
	{ "loops_unreachable", IPT_FILTER, g_loops_unreachable,
	  "-P INPUT ACCEPT -c 0 0\n"
	  "-P FORWARD ACCEPT -c 0 0\n"
	  "-P OUTPUT ACCEPT -c 0 0\n"
	  "-N A\n"
	  "-N B\n"
	  "-A A -c 0 0 -j A\n"
	  "-A A -c 0 0 -j B\n"
	  "-A B -c 0 0 -j A\n"
	  "-A B -c 0 0 -g B\n" },
	{ "nat_targets", IPT_NAT, g_nat_targets,
	  "-P PREROUTING ACCEPT -c 0 0\n"
	  "-P INPUT ACCEPT -c 0 0\n"
	  "-P OUTPUT ACCEPT -c 0 0\n"
	  "-P POSTROUTING ACCEPT -c 0 0\n"
	  "-A PREROUTING -c 0 0 -j DNAT --to-destination 1.2.3.4\n"
	  "-A PREROUTING -p tcp -c 0 0 -j REDIRECT --to-ports 8080\n"
	  "-A PREROUTING -c 0 0 -j LOG\n"
	  "-A PREROUTING -c 0 0 -j MARK --set-xmark 0x1/0xffffffff\n"
	  "-A PREROUTING -c 0 0 -j ACCEPT\n"
	  "-A PREROUTING -c 0 0 -j RETURN\n"
	  "-A INPUT -c 0 0 -j SNAT --to-source 1.2.3.4\n"
	  "-A OUTPUT -c 0 0 -j DNAT --to-destination 1.2.3.4\n"
	  "-A OUTPUT -p tcp -c 0 0 -j REDIRECT --to-ports 8080\n"
	  "-A POSTROUTING -c 0 0 -j MASQUERADE\n"
	  "-A POSTROUTING -c 0 0 -j SNAT --to-source 1.2.3.4\n" },
	{ "filter_targets", IPT_FILTER, g_filter_targets,
	  "-P INPUT ACCEPT -c 0 0\n"
	  "-P FORWARD ACCEPT -c 0 0\n"
	  "-P OUTPUT ACCEPT -c 0 0\n"
	  "-A INPUT -c 0 0 -j REJECT --reject-with icmp-port-unreachable\n"
	  "-A INPUT -c 0 0 -j MARK --set-xmark 0x10/0xffffffff\n"
	  "-A INPUT -c 0 0 -j LOG --log-prefix \"x: \"\n"
	  "-A FORWARD -c 0 0 -j REJECT --reject-with icmp-host-prohibited\n"
	  "-A OUTPUT -p tcp -c 0 0 -j REJECT --reject-with tcp-reset\n" },
	{ "mangle_targets", IPT_MANGLE, g_mangle_targets,
	  "-P PREROUTING ACCEPT -c 0 0\n"
	  "-P INPUT ACCEPT -c 0 0\n"
	  "-P FORWARD ACCEPT -c 0 0\n"
	  "-P OUTPUT ACCEPT -c 0 0\n"
	  "-P POSTROUTING ACCEPT -c 0 0\n"
	  "-A PREROUTING -c 0 0 -j MARK --set-xmark 0x1/0xff\n"
	  "-A PREROUTING -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -c 0 0 -j TCPMSS --set-mss 1400\n"
	  "-A FORWARD -p tcp -m tcp --tcp-flags SYN,RST SYN -c 0 0 -j TCPMSS --clamp-mss-to-pmtu\n"
	  "-A POSTROUTING -c 0 0 -j LOG\n" },
	{ "tcpmss", IPT_FILTER, g_tcpmss,
	  "-P INPUT ACCEPT -c 0 0\n"
	  "-P FORWARD ACCEPT -c 0 0\n"
	  "-P OUTPUT ACCEPT -c 0 0\n"
	  "-A INPUT -p tcp -m tcp --tcp-flags SYN,RST SYN -c 0 0 -j TCPMSS --set-mss 1300\n"
	  "-A FORWARD -p tcp -m tcp --tcp-flags ACK SYN -c 0 0 -j TCPMSS --set-mss 1400\n"
	  "-A FORWARD -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -c 0 0 -j TCPMSS --set-mss 1400\n"
	  "-A FORWARD -p tcp -m tcp --tcp-flags SYN,RST SYN -c 0 0 -j TCPMSS --clamp-mss-to-pmtu\n"
	  "-A FORWARD -p tcp -m tcp --dport 1 -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -c 0 0 -j TCPMSS --set-mss 1000\n"
	  "-A OUTPUT -p tcp -m tcp --tcp-flags SYN,RST SYN -c 0 0 -j TCPMSS --clamp-mss-to-pmtu\n" },
	{ "user_chain_hooks", IPT_NAT, g_user_chain_hooks,
	  "-P PREROUTING ACCEPT -c 0 0\n"
	  "-P INPUT ACCEPT -c 0 0\n"
	  "-P OUTPUT ACCEPT -c 0 0\n"
	  "-P POSTROUTING ACCEPT -c 0 0\n"
	  "-N U\n"
	  "-N V\n"
	  "-N W\n"
	  "-A OUTPUT -c 0 0 -j W\n"
	  "-A POSTROUTING -c 0 0 -j V\n"
	  "-A POSTROUTING -c 0 0 -j U\n"
	  "-A U -c 0 0 -j MASQUERADE\n"
	  "-A U -c 0 0 -j SNAT --to-source 1.2.3.4\n"
	  "-A V -c 0 0 -j U\n"
	  "-A W -c 0 0 -j DNAT --to-destination 1.2.3.4\n"
	  "-A W -p tcp -c 0 0 -j REDIRECT --to-ports 1\n" },
	{ "unreachable_after_verdict", IPT_NAT, g_unreachable_after_verdict,
	  "-P PREROUTING ACCEPT -c 0 0\n"
	  "-P INPUT ACCEPT -c 0 0\n"
	  "-P OUTPUT ACCEPT -c 0 0\n"
	  "-P POSTROUTING ACCEPT -c 0 0\n"
	  "-N U\n"
	  "-N V\n"
	  "-A PREROUTING -c 0 0 -j V\n"
	  "-A INPUT -c 0 0 -j ACCEPT\n"
	  "-A INPUT -c 0 0 -j U\n"
	  "-A U -c 0 0 -j MASQUERADE\n" },
	{ "matches", IPT_FILTER, g_matches,
	  "-P INPUT ACCEPT -c 0 0\n"
	  "-P FORWARD ACCEPT -c 0 0\n"
	  "-P OUTPUT ACCEPT -c 0 0\n"
	  "-N U\n"
	  "-A INPUT -p icmp -m icmp --icmp-type 8 -c 0 0\n"
	  "-A INPUT -c 0 0 -j U\n"
	  "-A INPUT -m state --state NEW -c 0 0\n"
	  "-A INPUT -m mark --mark 0x1 -m limit --limit 5/sec -m comment --comment hello -c 0 0\n"
	  "-A FORWARD -m mac --mac-source 00:11:22:33:44:55 -c 0 0\n"
	  "-A U -m mac --mac-source 00:11:22:33:44:55 -c 0 0\n" },
	{ "zero", IPT_FILTER, g_zero,
	  "-P INPUT ACCEPT -c 0 0\n"
	  "-P FORWARD ACCEPT -c 0 0\n"
	  "-P OUTPUT ACCEPT -c 0 0\n"
	  "-N U\n"
	  "-A INPUT -c 0 0 -j ACCEPT\n"
	  "-A INPUT -c 0 0 -j DROP\n"
	  "-A U -c 0 0\n"
	  "-A U -c 0 0\n" },
};

/* The reference's exit status against ours: 0 is 0, -C's 1 is 1 */
static bool status_matches(int ref, int got, const char *cmd)
{
	if (!ref)
		return got == 0;
	if (!strncmp(cmd, "-C ", 3) && ref == 1)
		return got == 1;
	return got != 0;
}

static void test_golden(const struct golden *g)
{
	struct ipt_ruleset *rs = ipt_ruleset_new();
	char name[80];
	bool ok = true;

	report_why_clear();
	for (const struct step *s = g->steps; ok && s->cmd; s++) {
		struct ipt_ruleset *before = ipt_ruleset_copy(rs);
		struct ipt_err err = { "" };
		int got = run(rs, g->table, s->cmd, &err);

		if (!status_matches(s->rc, got, s->cmd))
			ok = report_whyf("`%s': reference exit %d, got %d (%s)",
					 s->cmd, s->rc, got, err.msg);
		else if (got && !err.msg[0])
			ok = report_whyf("`%s' failed without a reason", s->cmd);
		else if (got && !rulesets_equal(before, rs))
			ok = report_whyf("`%s' failed (%s) but changed the ruleset",
					 s->cmd, err.msg);
		else if (!table_sound(&rs->t[g->table], g->table))
			ok = report_whyf("after `%s': %s", s->cmd, report_why());
		ipt_ruleset_free(before);
	}
	if (ok)
		ok = text_is("iptables -S -v", list_S(rs, g->table), g->S);
	snprintf(name, sizeof(name), "exec/%s", g->name);
	report(name, ok);
	ipt_ruleset_free(rs);
}

/* ---- messages ------------------------------------------------------------------ */

struct msg_case {
	const char *name;
	int table;
	const char *const setup[8];
	const char *cmd;
	const char *want;	/* a piece of the message */
};

static const struct msg_case msg_cases[] = {
	{ "insert_too_big", IPT_FILTER, { "-A INPUT", NULL },
	  "-I INPUT 3 -j DROP", "Index of insertion too big" },
	{ "delete_too_big", IPT_FILTER, { NULL }, "-D INPUT 1",
	  "Index of deletion too big" },
	{ "replace_too_big", IPT_FILTER, { NULL }, "-R INPUT 1 -j DROP",
	  "Index of replacement too big" },
	{ "zero_too_big", IPT_FILTER, { NULL }, "-Z INPUT 1",
	  "Index of counter too big" },
	{ "delete_missing", IPT_FILTER, { NULL }, "-D INPUT -j DROP",
	  "Bad rule (does a matching rule exist in chain INPUT?)" },
	{ "check_missing", IPT_FILTER, { NULL }, "-C INPUT -j DROP",
	  "Bad rule" },
	{ "no_chain", IPT_FILTER, { NULL }, "-A nope -j DROP", "`nope'" },
	{ "jump_missing", IPT_FILTER, { NULL }, "-A INPUT -j nope",
	  "Couldn't load target `nope'" },
	{ "jump_builtin", IPT_FILTER, { "-N u", NULL }, "-A u -j INPUT",
	  "built-in chain `INPUT'" },
	{ "chain_exists", IPT_FILTER, { "-N u", NULL }, "-N u",
	  "`u' already exists" },
	{ "chain_builtin_exists", IPT_FILTER, { NULL }, "-N INPUT",
	  "already exists" },
	{ "chain_target_name", IPT_FILTER, { NULL }, "-N MASQUERADE",
	  "MASQUERADE" },
	{ "delete_builtin", IPT_FILTER, { NULL }, "-X INPUT",
	  "built-in chain `INPUT'" },
	{ "delete_referenced", IPT_FILTER, { "-N u", "-A INPUT -j u", NULL },
	  "-X u", "Too many links: chain `u'" },
	{ "delete_nonempty", IPT_FILTER, { "-N u", "-A u", NULL }, "-X u",
	  "Directory not empty: chain `u'" },
	{ "delete_all_stops", IPT_FILTER, { "-N a", "-N b", "-A b", NULL },
	  "-X", "chain `b' has 1 rules" },
	{ "rename_exists", IPT_FILTER, { "-N a", "-N b", NULL }, "-E a b",
	  "File exists" },
	{ "rename_builtin", IPT_FILTER, { NULL }, "-E INPUT x",
	  "No chain/target/match" },
	{ "rename_target_name", IPT_FILTER, { "-N a", NULL }, "-E a LOG",
	  "LOG" },
	{ "policy_user", IPT_FILTER, { "-N a", NULL }, "-P a DROP",
	  "Bad built-in chain name" },
	{ "policy_nat_drop", IPT_NAT, { NULL }, "-P POSTROUTING DROP",
	  "not intended for filtering" },
	{ "policy_reject", IPT_FILTER, { NULL }, "-P INPUT REJECT",
	  "Bad policy name" },
	{ "ct_timeout", IPT_RAW, { NULL }, "-A OUTPUT -j CT --timeout t1",
	  "CT --timeout: Invalid argument" },
	{ "limit_burst_zero", IPT_FILTER, { NULL },
	  "-A INPUT -m limit --limit 1/s --limit-burst 0",
	  "burst 0 is out of range" },
	{ "limit_overflow", IPT_FILTER, { NULL }, "-A INPUT -m limit --limit 1/day",
	  "burst 5 is out of range" },
	{ "reject_reset_udp", IPT_FILTER, { NULL },
	  "-A INPUT -p udp -j REJECT --reject-with tcp-reset",
	  "TCP_RESET invalid for non-tcp" },
	{ "reject_reset_not_tcp", IPT_FILTER, { NULL },
	  "-A INPUT ! -p tcp -j REJECT --reject-with tcp-reset",
	  "TCP_RESET invalid for non-tcp" },
	{ "tcpmss_udp", IPT_MANGLE, { NULL },
	  "-A FORWARD -p udp -j TCPMSS --set-mss 1000", "TCPMSS" },
	{ "policy_lower_case", IPT_FILTER, { NULL }, "-P INPUT accept",
	  "Bad policy name" },
	{ "loop", IPT_FILTER,
	  { "-N a", "-N b", "-A INPUT -j a", "-A a -j b", NULL },
	  "-A b -g a",
	  "Too many levels of symbolic links: the jumps make a loop (INPUT -> a -> b -> a)" },
	{ "masquerade_hook", IPT_NAT, { NULL }, "-A INPUT -j MASQUERADE",
	  "chain INPUT rule 1: MASQUERADE target: used from hooks INPUT, but only usable from POSTROUTING" },
	{ "user_chain_hooks", IPT_NAT,
	  { "-N u", "-A u -p tcp -j ACCEPT",
	    "-A u -j DNAT --to-destination 1.2.3.4",
	    "-A OUTPUT -j u", NULL },
	  "-A POSTROUTING -j u",
	  "chain u rule 2: DNAT target: used from hooks OUTPUT/POSTROUTING, but only usable from PREROUTING/OUTPUT" },
	{ "nat_in_filter", IPT_FILTER, { NULL }, "-A FORWARD -j SNAT --to-source 1.2.3.4",
	  "SNAT target: only valid in nat table, not filter" },
	{ "reject_in_mangle", IPT_MANGLE, { NULL }, "-A INPUT -j REJECT",
	  "REJECT target: only valid in filter table, not mangle" },
	{ "tcpmss_syn", IPT_MANGLE, { NULL },
	  "-A FORWARD -p tcp -j TCPMSS --set-mss 1400",
	  "TCPMSS: Only works on TCP SYN packets" },
	{ "tcpmss_pmtu_hook", IPT_MANGLE, { NULL },
	  "-A PREROUTING -p tcp --syn -j TCPMSS --clamp-mss-to-pmtu",
	  "path-MTU clamping only supported in FORWARD, OUTPUT and POSTROUTING hooks" },
	{ "mac_hook", IPT_FILTER, { NULL },
	  "-A OUTPUT -m mac --mac-source 02:00:00:00:00:01",
	  "mac match: used from hooks OUTPUT, but only valid from PREROUTING/INPUT/FORWARD" },
	/* kernel checks the reference makes after parsing: exit status 1 */
	{ "policy_name", IPT_FILTER, { NULL }, "-P INPUT REJECT",
	  "Bad policy name" },
	{ "policy_name_user", IPT_FILTER, { "-N a", NULL }, "-P a bogus",
	  "Bad built-in chain name" },
	{ "tcp_no_proto", IPT_FILTER, { NULL }, "-A INPUT -m tcp --dport 22",
	  "tcp match: only valid for protocol 6" },
	{ "tcp_not_tcp", IPT_FILTER, { NULL }, "-A INPUT ! -p tcp --dport 1",
	  "tcp match: only valid for protocol 6" },
	{ "udp_on_tcp", IPT_FILTER, { NULL }, "-A INPUT -p tcp -m udp",
	  "udp match: only valid for protocol 17" },
	{ "icmp_on_tcp", IPT_FILTER, { NULL },
	  "-A INPUT -p tcp -m icmp --icmp-type 8",
	  "icmp match: only valid for protocol 1" },
	{ "sctp_no_proto", IPT_FILTER, { NULL }, "-A INPUT -m sctp --dport 1",
	  "sctp match: only valid for protocol 132" },
	{ "dccp_on_udplite", IPT_FILTER, { NULL },
	  "-A INPUT -p udplite -m dccp --dport 1",
	  "dccp match: only valid for protocol 33" },
	{ "reset_no_tcp", IPT_FILTER, { NULL },
	  "-A INPUT -j REJECT --reject-with tcp-reset",
	  "REJECT: TCP_RESET invalid for non-tcp" },
	{ "tcpmss_udp", IPT_MANGLE, { NULL },
	  "-A FORWARD -p udp -j TCPMSS --set-mss 1000",
	  "TCPMSS target: only valid for protocol 6" },
	{ "limit_burst_0", IPT_FILTER, { NULL },
	  "-A INPUT -m limit --limit-burst 0", "limit match: burst 0" },
	{ "limit_overflow", IPT_FILTER, { NULL },
	  "-A INPUT -m limit --limit 1/hour --limit-burst 120",
	  "limit match: burst 120" },
	{ "uncovered_by_delete", IPT_NAT,
	  { "-N u", "-A u -j MASQUERADE", "-A INPUT -j ACCEPT", "-A INPUT -j u",
	    NULL },
	  "-D INPUT 1", "chain u rule 1: MASQUERADE target: used from hooks INPUT," },
};

static void test_message(const struct msg_case *m)
{
	struct ipt_ruleset *rs = ipt_ruleset_new();
	struct ipt_err err = { "" };
	char name[80];
	bool ok = run_all(rs, m->table, m->setup);
	int got;

	if (ok) {
		got = run(rs, m->table, m->cmd, &err);
		if (!got)
			ok = report_whyf("`%s' worked", m->cmd);
		else if (!strstr(err.msg, m->want))
			ok = report_whyf("`%s': message [%s] lacks [%s]", m->cmd,
					 err.msg, m->want);
	}
	snprintf(name, sizeof(name), "message/%s", m->name);
	report(name, ok);
	ipt_ruleset_free(rs);
}

/*
 * The checks the parser makes as well, made by ipt_exec() on commands the
 * parser would not give it (the engine may build them itself).
 */
static bool parse_line(int table, const char *line, struct ipt_cmd *cmd)
{
	char store[1024], text[1100], *argv[64];
	struct ipt_err err;
	int n;

	snprintf(text, sizeof(text), "-t %s %s", ipt_table_name(table), line);
	n = ipt_split(text, argv, 63, store, sizeof(store), &err);
	if (n < 0 || ipt_parse(n, argv, NULL, cmd, &err))
		return report_whyf("`%s': %s", line, err.msg);
	return true;
}

struct direct_case {
	int table;
	const char *line;	/* a good command, then changed: */
	void (*change)(struct ipt_cmd *cmd);
	const char *want;
};

static void ch_udp(struct ipt_cmd *c) { c->rule.proto = 17; }
static void ch_not_tcp(struct ipt_cmd *c) { c->rule.inv |= IPT_INV_PROTO; }
static void ch_no_tcp(struct ipt_cmd *c) { c->rule.proto = 0; c->rule.nmatch = 0; }
static void ch_icmp(struct ipt_cmd *c) { c->rule.proto = 1; }
static void ch_drop(struct ipt_cmd *c) { c->rule.t.kind = IPT_T_DROP; }
static void ch_replace(struct ipt_cmd *c) { c->op = IPT_OP_REPLACE; c->rulenum = 1; }
static void ch_new_log(struct ipt_cmd *c) { c->op = IPT_OP_NEW_CHAIN; strcpy(c->chain, "LOG"); }
static void ch_new_dash(struct ipt_cmd *c) { c->op = IPT_OP_NEW_CHAIN; strcpy(c->chain, "-x"); }
static void ch_new_space(struct ipt_cmd *c) { c->op = IPT_OP_NEW_CHAIN; strcpy(c->chain, "a b"); }
static void ch_new_empty(struct ipt_cmd *c) { c->op = IPT_OP_NEW_CHAIN; c->chain[0] = 0; }
static void ch_rename_mark(struct ipt_cmd *c) { strcpy(c->chain2, "MARK"); }
static void ch_policy_none(struct ipt_cmd *c) { c->policy = IPT_POL_NONE; }
static void ch_bad_table(struct ipt_cmd *c) { c->table = IPT_TABLES; }
static void ch_bad_op(struct ipt_cmd *c) { c->op = 200; }
static void ch_nsrc(struct ipt_cmd *c) { c->nsrc = 9; }
static void ch_goto_builtin(struct ipt_cmd *c) { strcpy(c->rule.t.chain, "OUTPUT"); }

static const struct direct_case direct_cases[] = {
	{ IPT_FILTER, "-A INPUT -p tcp -j REJECT --reject-with tcp-reset", ch_udp,
	  "chain INPUT rule 2: REJECT: TCP_RESET invalid for non-tcp" },
	{ IPT_FILTER, "-A INPUT -p tcp -j REJECT --reject-with tcp-reset",
	  ch_not_tcp, "REJECT: TCP_RESET invalid for non-tcp" },
	{ IPT_MANGLE, "-A FORWARD -p tcp --syn -j TCPMSS --set-mss 1400",
	  ch_no_tcp, "TCPMSS target: only valid for protocol 6" },
	{ IPT_FILTER, "-A INPUT -p tcp --dport 1", ch_udp,
	  "tcp match: only valid for protocol 6" },
	{ IPT_FILTER, "-A INPUT -p udp --dport 1", ch_not_tcp,
	  "udp match: only valid for protocol 17" },
	{ IPT_FILTER, "-A INPUT -p udp -m multiport --dports 1,2", ch_icmp,
	  "multiport only works with TCP, UDP" },
	{ IPT_NAT, "-A POSTROUTING -j ACCEPT", ch_drop,
	  "not intended for filtering" },
	{ IPT_FILTER, "-A INPUT -s 1.1.1.1,2.2.2.2 -j ACCEPT", ch_replace,
	  "Replacement rule does not specify a unique address" },
	{ IPT_FILTER, "-N x", ch_new_log, "clash with target name" },
	{ IPT_FILTER, "-N x", ch_new_dash, "not allowed to start with `-'" },
	{ IPT_FILTER, "-N x", ch_new_space, "Invalid chain name `a b'" },
	{ IPT_FILTER, "-N x", ch_new_empty, "may not be empty" },
	{ IPT_FILTER, "-E u v", ch_rename_mark, "clash with target name" },
	{ IPT_FILTER, "-P INPUT DROP", ch_policy_none, "Bad policy name" },
	{ IPT_FILTER, "-A INPUT", ch_bad_table, "unknown table" },
	{ IPT_FILTER, "-A INPUT", ch_bad_op, "unknown command" },
	{ IPT_FILTER, "-A INPUT -s 1.1.1.1,2.2.2.2", ch_nsrc, "too many addresses" },
	{ IPT_FILTER, "-A INPUT -g u", ch_goto_builtin,
	  "can't go to built-in chain `OUTPUT'" },
};

static void test_direct_checks(void)
{
	bool ok = true;

	for (size_t i = 0; ok && i < sizeof(direct_cases) / sizeof(*direct_cases); i++) {
		const struct direct_case *d = &direct_cases[i];
		struct ipt_ruleset *rs = ipt_ruleset_new(), *before;
		struct ipt_err err = { "" };
		struct ipt_cmd cmd;

		run(rs, IPT_FILTER, "-N u", &err);
		run(rs, IPT_FILTER, "-A INPUT", &err);
		before = ipt_ruleset_copy(rs);
		ok = parse_line(d->table, d->line, &cmd);
		if (ok) {
			d->change(&cmd);
			if (ipt_exec(rs, &cmd, NULL, NULL, &err) >= 0 ||
			    !strstr(err.msg, d->want))
				ok = report_whyf("`%s' changed: [%s], want [%s]", d->line,
						 err.msg, d->want);
			else if (!rulesets_equal(before, rs))
				ok = report_whyf("`%s' changed: failed but changed the ruleset",
						 d->line);
		}
		ipt_ruleset_free(before);
		ipt_ruleset_free(rs);
	}
	report("direct_checks", ok);
}

/* ---- other commands ------------------------------------------------------- */

static void test_list_zero(void)
{
	static const char *const setup[] = {
		"-A INPUT -j ACCEPT -c 7 8", "-N u", "-A u -c 3 3",
		"-A FORWARD -c 1 1", NULL,
	};
	struct ipt_ruleset *rs = ipt_ruleset_new();
	struct ipt_text out = { 0 };
	struct ipt_err err;
	bool ok = run_all(rs, IPT_FILTER, setup);
	struct ipt_table *t = &rs->t[IPT_FILTER];

	if (ok && run_out(rs, IPT_FILTER, "-L INPUT -Z -v -n -x", &out, &err))
		ok = report_whyf("-L -Z: %s", err.msg);
	/* listed first, with the counters it had, then zeroed */
	if (ok && (!out.s || !strstr(out.s, "Chain INPUT") ||
		   !strstr(out.s, "       7        8 ACCEPT") ||
		   strstr(out.s, "Chain FORWARD") ||
		   !strstr(out.s, "Zeroing chain `INPUT'\n")))
		ok = report_whyf("-L INPUT -Z -v printed [%s]", out.s ? out.s : "");
	if (ok && (t->chains[0].rules[0].pkts || !t->chains[1].rules[0].pkts ||
		   !t->chains[3].rules[0].pkts))
		ok = report_whyf("-L INPUT -Z zeroed the wrong counters");
	ipt_text_free(&out);
	if (ok && run_out(rs, IPT_FILTER, "-L -Z -n", &out, &err))
		ok = report_whyf("-L -Z: %s", err.msg);
	if (ok && (t->chains[1].rules[0].pkts || t->chains[3].rules[0].pkts ||
		   strstr(out.s, "Zeroing")))
		ok = report_whyf("-L -Z left counters or printed Zeroing without -v");
	ipt_text_free(&out);
	if (ok && run(rs, IPT_FILTER, "-L nope -Z", &err) == 0)
		ok = report_whyf("-L nope -Z worked");
	if (ok && run_out(rs, IPT_FILTER, "-Z -v", &out, &err))
		ok = report_whyf("-Z -v: %s", err.msg);
	if (ok && strcmp(out.s, "Zeroing chain `INPUT'\nZeroing chain `FORWARD'\n"
			 "Zeroing chain `OUTPUT'\nZeroing chain `u'\n"))
		ok = report_whyf("-Z -v printed [%s]", out.s);
	ipt_text_free(&out);
	report("list_zero", ok);
	ipt_ruleset_free(rs);
}

static void test_list_rules(void)
{
	static const char *const setup[] = {
		"-A INPUT -j ACCEPT", "-A INPUT -s 10.0.0.0/8 -j DROP", NULL,
	};
	struct ipt_ruleset *rs = ipt_ruleset_new();
	struct ipt_text out = { 0 };
	struct ipt_err err;
	bool ok = run_all(rs, IPT_FILTER, setup);

	if (ok && run_out(rs, IPT_FILTER, "-S INPUT 2", &out, &err))
		ok = report_whyf("-S INPUT 2: %s", err.msg);
	if (ok && strcmp(out.s, "-A INPUT -s 10.0.0.0/8 -j DROP\n"))
		ok = report_whyf("-S INPUT 2 printed [%s]", out.s);
	ipt_text_free(&out);
	if (ok && run_out(rs, IPT_FILTER, "-S", &out, &err))
		ok = report_whyf("-S: %s", err.msg);
	if (ok && strcmp(out.s, "-P INPUT ACCEPT\n-P FORWARD ACCEPT\n"
			 "-P OUTPUT ACCEPT\n-A INPUT -j ACCEPT\n"
			 "-A INPUT -s 10.0.0.0/8 -j DROP\n"))
		ok = report_whyf("-S printed [%s]", out.s);
	ipt_text_free(&out);
	if (ok && run(rs, IPT_FILTER, "-S nope", &err) != -1)
		ok = report_whyf("-S nope did not fail");
	report("list_rules", ok);
	ipt_ruleset_free(rs);
}

/* -P takes -c's counters, and zeroes them without -c (as iptables) */
static void test_policy_counters(void)
{
	struct ipt_ruleset *rs = ipt_ruleset_new();
	struct ipt_chain *in = &rs->t[IPT_FILTER].chains[0];
	struct ipt_err err;
	bool ok = true;

	ok &= run(rs, IPT_FILTER, "-P INPUT DROP -c 5 6", &err) == 0 &&
	      in->policy == IPT_POL_DROP && in->pol_pkts == 5 &&
	      in->pol_bytes == 6;
	ok &= run(rs, IPT_FILTER, "-Z INPUT", &err) == 0 && !in->pol_pkts;
	ok &= run(rs, IPT_FILTER, "-P INPUT ACCEPT -c 1 1", &err) == 0 &&
	      run(rs, IPT_FILTER, "-P INPUT ACCEPT", &err) == 0 &&
	      in->policy == IPT_POL_ACCEPT && !in->pol_pkts;
	if (!ok)
		report_whyf("policy or policy counters wrong");
	report("policy_counters", ok);
	ipt_ruleset_free(rs);
}

/* A name with two addresses makes two rules, as iptables does */
static void test_resolved_names(void)
{
	struct ipt_ruleset *rs = ipt_ruleset_new();
	struct ipt_chain *in = &rs->t[IPT_FILTER].chains[0];
	struct ipt_err err;
	bool ok = true;

	ok &= run(rs, IPT_FILTER, "-A INPUT -s multi -d 9.9.9.9,8.8.8.8 -j DROP",
		  &err) == 0 && in->nrules == 4 &&
	      in->rules[0].src == 0x01010101 && in->rules[0].dst == 0x09090909 &&
	      in->rules[1].src == 0x01010101 && in->rules[1].dst == 0x08080808 &&
	      in->rules[2].src == 0x02020202 && in->rules[3].src == 0x02020202;
	ok &= run(rs, IPT_FILTER, "-C INPUT -s multi -d 8.8.8.8 -j DROP", &err) == 0;
	ok &= run(rs, IPT_FILTER, "-D INPUT -s multi -d 9.9.9.9 -j DROP", &err) == 0 &&
	      in->nrules == 2 && in->rules[0].dst == 0x08080808 &&
	      in->rules[1].dst == 0x08080808;
	if (!ok)
		report_whyf("rules per address wrong (%s)", err.msg);
	report("resolved_names", ok);
	ipt_ruleset_free(rs);
}

static void test_rule_equal(void)
{
	struct ipt_rule a = { 0 }, b;
	bool ok = true;

	a.proto = 6;
	a.nmatch = 1;
	a.m[0].kind = IPT_M_TCP;
	a.m[0].set = IPT_F_DPORT;
	a.m[0].u.l4.dport = (struct ipt_portrange){ 22, 22 };
	a.t.kind = IPT_T_MARK;
	a.t.u.mark.value = 1;
	a.t.u.mark.mask = 0xffffffff;
	b = a;
	b.pkts = 99;
	b.t.u.mark.how = IPT_MARK_XSET;
	ok &= ipt_rule_equal(&a, &b);	/* counters, spelling ignored */
	b.m[0].set |= IPT_F_SPORT;
	b.m[0].u.l4.sport = (struct ipt_portrange){ 0, 65535 };
	ok &= ipt_rule_equal(&a, &b);	/* --sport 0:65535 is no --sport */
	b.m[0].u.l4.sport.hi = 1024;
	ok &= !ipt_rule_equal(&a, &b);
	b = a;
	b.m[0].inv = IPT_F_DPORT;
	ok &= !ipt_rule_equal(&a, &b);
	b = a;
	b.src = 0x0a000001;	/* no mask: the address does not count */
	ok &= ipt_rule_equal(&a, &b);
	b.smsk = 0xffffffff;
	ok &= !ipt_rule_equal(&a, &b);
	b = a;
	b.t.u.mark.value = 2;
	ok &= !ipt_rule_equal(&a, &b);
	b = a;
	b.nmatch = 2;
	b.m[1].kind = IPT_M_LIMIT;
	a.nmatch = 2;
	a.m[1] = b.m[1];
	a.m[1].set = IPT_F_LIMIT | IPT_F_BURST;
	a.m[1].u.limit.avg = 3600 * IPT_LIMIT_SCALE / 3;
	a.m[1].u.limit.burst = 5;
	ok &= ipt_rule_equal(&a, &b);	/* the limit defaults */
	if (!ok)
		report_whyf("ipt_rule_equal() disagrees with iptables' comparison");
	report("rule_equal", ok);
}

/* ---- randomized: the invariants, atomicity, and a naive table check ------- */

static uint64_t rng;
static unsigned random_loops, random_hooks, random_worked;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

/*
 * The kernel's walk, written the obvious way: recursion with the path so
 * far, no colours, exponential in the worst case (fine for 4 chains).
 */
struct naive {
	const struct ipt_table *t;
	uint8_t mask[64];
	int path[64], depth;
	bool loop;
};

static bool naive_ends_walk(const struct ipt_rule *r)
{
	return (r->t.kind == IPT_T_ACCEPT || r->t.kind == IPT_T_DROP ||
		r->t.kind == IPT_T_RETURN) && !r->smsk && !r->dmsk &&
	       !r->in[0] && !r->out[0] && !r->proto && !r->inv &&
	       !r->nmatch && !r->frag;
}

static void naive_walk(struct naive *n, int c, unsigned hook)
{
	const struct ipt_chain *ch = &n->t->chains[c];

	for (int i = 0; i < n->depth; i++)
		if (n->path[i] == c) {
			n->loop = true;
			return;
		}
	if (n->depth >= 64)
		return;
	n->mask[c] |= 1u << hook;
	n->path[n->depth++] = c;
	for (uint32_t i = 0; i < ch->nrules && !n->loop; i++) {
		const struct ipt_rule *r = &ch->rules[i];

		if (r->t.kind == IPT_T_JUMP || r->t.kind == IPT_T_GOTO)
			naive_walk(n, (int)(ipt_chain_find((struct ipt_table *)n->t,
						r->t.chain) - n->t->chains), hook);
		if (naive_ends_walk(r))
			break;
	}
	n->depth--;
}

/* Only what the random commands use: loops, MASQUERADE and DNAT hooks */
static bool naive_check(const struct ipt_table *t, int tid)
{
	struct naive n = { .t = t };

	for (uint32_t c = 0; c < t->nchains && t->chains[c].hook >= 0; c++)
		naive_walk(&n, (int)c, (unsigned)t->chains[c].hook);
	if (n.loop)
		return false;
	if (tid != IPT_NAT)
		return true;
	for (uint32_t c = 0; c < t->nchains; c++) {
		for (uint32_t i = 0; i < t->chains[c].nrules; i++) {
			const struct ipt_rule *r = &t->chains[c].rules[i];
			unsigned m = n.mask[c];

			if (r->t.kind == IPT_T_MASQUERADE &&
			    (m & ~(1u << IPT_POSTROUTING)))
				return false;
			if (r->t.kind == IPT_T_DNAT &&
			    (m & ~(1u << IPT_PREROUTING | 1u << IPT_OUTPUT)))
				return false;
			if (naive_ends_walk(r))
				break;
		}
	}
	return true;
}

static void random_command(int tid, char *cmd, size_t len)
{
	static const char *const users[] = { "a", "b", "c", "d" };
	static const char *const filter_chains[] = { "INPUT", "FORWARD", "OUTPUT" };
	static const char *const nat_chains[] = { "PREROUTING", "INPUT", "OUTPUT",
						  "POSTROUTING" };
	const char *ch, *u = users[rnd(4)], *u2 = users[rnd(4)];
	char rule[128];

	if (rnd(2))
		ch = users[rnd(4)];
	else
		ch = tid == IPT_NAT ? nat_chains[rnd(4)] : filter_chains[rnd(3)];
	switch (rnd(tid == IPT_NAT ? 10 : 8)) {
	case 0: snprintf(rule, sizeof(rule), "-j ACCEPT"); break;
	case 1: snprintf(rule, sizeof(rule), "-j RETURN"); break;
	case 2: snprintf(rule, sizeof(rule), "-p tcp -j ACCEPT"); break;
	case 3: snprintf(rule, sizeof(rule), "-j %s", u); break;
	case 4: snprintf(rule, sizeof(rule), "-g %s", u); break;
	case 5: snprintf(rule, sizeof(rule), "-s 10.0.0.%u -j %s", rnd(3), u); break;
	case 6: snprintf(rule, sizeof(rule), "-j LOG"); break;
	case 7: snprintf(rule, sizeof(rule), "-s 10.0.0.1,10.0.0.2 -j RETURN"); break; /* not for -R */
	case 8: snprintf(rule, sizeof(rule), "-j MASQUERADE"); break;
	default: snprintf(rule, sizeof(rule), "-j DNAT --to-destination 1.2.3.4"); break;
	}
	switch (rnd(14)) {
	case 0: snprintf(cmd, len, "-N %s", u); break;
	case 1: snprintf(cmd, len, "-X %s", u); break;
	case 2: snprintf(cmd, len, rnd(4) ? "-F %s" : "-X", u); break;
	case 3: snprintf(cmd, len, "-E %s %s", u, u2); break;
	case 4: snprintf(cmd, len, "-I %s %u %s", ch, rnd(4) + 1, rule); break;
	case 5: snprintf(cmd, len, "-D %s %u", ch, rnd(4) + 1); break;
	case 6: snprintf(cmd, len, "-D %s %s", ch, rule); break;
	case 7: snprintf(cmd, len, "-R %s %u %s", ch, rnd(4) + 1,
			 strchr(rule, ',') ? "-j RETURN" : rule); break;
	case 8: snprintf(cmd, len, "-Z %s", rnd(2) ? ch : ""); break;
	case 9: snprintf(cmd, len, "-F %s", ch); break;
	default: snprintf(cmd, len, "-A %s %s", ch, rule); break;
	}
}

/*
 * One random command: if it fails the table must be as before; either
 * way the invariants hold; and ipt_table_check() must agree with the
 * naive walk on what the command would have made of the table.
 */
static bool random_step(struct ipt_ruleset *rs, int tid, unsigned step)
{
	struct ipt_ruleset *before = ipt_ruleset_copy(rs);
	struct ipt_table raw = { 0 };
	struct ipt_err err, e2;
	char line[200], store[512], *argv[64];
	struct ipt_cmd cmd;
	bool ok = true;
	int n, ret;

	random_command(tid, line, sizeof(line));
	snprintf(store, sizeof(store), "-t %s %s", ipt_table_name(tid), line);
	n = ipt_split(store, argv, 63, (char[512]){ 0 }, 512, &err);
	if (n < 0 || ipt_parse(n, argv, NULL, &cmd, &err))
		ok = report_whyf("step %u: `%s' did not parse: %s", step, line, err.msg);
	if (ok && ipt_table_copy(&raw, &rs->t[tid]))
		ok = report_whyf("out of memory");
	/* the same command without the check, for the naive reference */
	if (ok && ipt_table_apply(&raw, &cmd, NULL, NULL, &e2) == 0 &&
	    (ipt_table_check(&raw, tid, &e2) == 0) != naive_check(&raw, tid))
		ok = report_whyf("step %u: `%s': the table check says [%s], the naive walk disagrees",
				 step, line, e2.msg);
	if (ok) {
		ret = ipt_exec(rs, &cmd, NULL, NULL, &err);
		random_loops += ret && strstr(err.msg, "make a loop");
		random_hooks += ret && strstr(err.msg, "used from hooks");
		random_worked += !ret;
		if (ret && !rulesets_equal(before, rs))
			ok = report_whyf("step %u: `%s' failed (%s) and changed the table",
					 step, line, err.msg);
		else if (!table_sound(&rs->t[tid], tid))
			ok = report_whyf("step %u: after `%s': %s", step, line, report_why());
	}
	ipt_table_free(&raw);
	ipt_ruleset_free(before);
	return ok;
}

static void test_random(void)
{
	const char *env = getenv("MASQ_TEST_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);
	unsigned steps = 3000;
	bool ok = true;

	printf("# random commands: seed %llu (MASQ_TEST_SEED=%llu repeats it)\n",
	       (unsigned long long)seed, (unsigned long long)seed);
	for (int tid = 0; ok && tid < 2; tid++) {
		struct ipt_ruleset *rs = ipt_ruleset_new();
		int table = tid ? IPT_NAT : IPT_FILTER;

		rng = seed * 2654435761u + (uint64_t)tid + 1;
		for (unsigned i = 0; ok && i < steps; i++) {
			ok = random_step(rs, table, i);
		}
		ipt_ruleset_free(rs);
	}
	printf("# random commands: %u worked, %u refused for a loop, %u for a hook\n",
	       random_worked, random_loops, random_hooks);
	report("random_commands", ok && random_loops && random_hooks);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * A long run of commands stays linear: plain rules and nat targets in
 * built-in chains need no whole-table check (undo_needs_check()).
 */
static void test_exec_many(void)
{
	struct ipt_ruleset *rs = ipt_ruleset_new();
	struct ipt_err err;
	char line[160];
	bool ok = true;
	double t0 = now_s(), dt;

	for (unsigned i = 0; ok && i < 20000; i++) {
		snprintf(line, sizeof(line),
			 "-A INPUT -s 10.%u.%u.%u -p tcp --dport %u -j ACCEPT",
			 i >> 16, (i >> 8) & 255, i & 255, 1 + i % 60000);
		if (run(rs, IPT_FILTER, line, &err))
			ok = report_whyf("`%s': %s", line, err.msg);
	}
	for (unsigned i = 0; ok && i < 5000; i++) {
		snprintf(line, sizeof(line), "-A POSTROUTING -o wan%u -j MASQUERADE",
			 i);
		if (run(rs, IPT_NAT, line, &err))
			ok = report_whyf("`%s': %s", line, err.msg);
	}
	dt = now_s() - t0;
	if (ok && (rs->t[IPT_FILTER].chains[0].nrules != 20000 ||
		   !table_sound(&rs->t[IPT_FILTER], IPT_FILTER)))
		ok = report_whyf("the table is not what the commands made");
	if (ok && dt > 20)
		ok = report_whyf("25,000 -A commands took %.1f s", dt);
	printf("# 25,000 -A commands: %.2f s\n", dt);
	report("exec/25k_appends", ok);
	ipt_ruleset_free(rs);
}

/* ---- restore ---------------------------------------------------------------- */

struct rgolden {
	const char *name;
	unsigned flags;
	const char *const *setup;
	const char *text;
	unsigned err_line;	/* 0: must work; else the line it fails at */
	const char *save[IPT_TABLES];	/* iptables-save -c per table */
};

static const char *const rs_flush_basic[] = {
	"-N OLD",
	"-A OLD -j ACCEPT",
	"-A INPUT -j OLD",
	"-P FORWARD DROP",
	"-t nat -A POSTROUTING -j MASQUERADE",
	NULL,
};
static const char *const rs_counters_c[] = {
	NULL,
};
static const char *const rs_counters_ignored[] = {
	NULL,
};
static const char *const rs_noflush[] = {
	"-N U",
	"-A U -j ACCEPT",
	"-A INPUT -j U",
	"-A INPUT -j DROP -c 4 4",
	NULL,
};
static const char *const rs_commands[] = {
	"-N U",
	"-N W",
	"-A U -j ACCEPT",
	"-A INPUT -j U",
	"-A INPUT -j DROP -c 4 4",
	NULL,
};
static const char *const rs_commands_flush[] = {
	"-N U",
	"-A INPUT -j U",
	NULL,
};
static const char *const rs_two_sections[] = {
	NULL,
};
static const char *const rs_two_tables[] = {
	NULL,
};
static const char *const rs_nat_policy_drop[] = {
	NULL,
};
static const char *const rs_builtin_dash[] = {
	"-P INPUT DROP",
	NULL,
};
static const char *const rs_policy_kept[] = {
	"-P FORWARD DROP",
	"-A FORWARD -j ACCEPT",
	NULL,
};
static const char *const rs_user_chain_jumps[] = {
	NULL,
};
static const char *const rs_loop_unreachable[] = {
	NULL,
};
static const char *const rs_comment_t[] = {
	NULL,
};
static const char *const rs_err_no_commit[] = {
	NULL,
};
static const char *const rs_err_table[] = {
	NULL,
};
static const char *const rs_err_outside[] = {
	NULL,
};
static const char *const rs_err_commit_outside[] = {
	NULL,
};
static const char *const rs_err_dash_t[] = {
	NULL,
};
static const char *const rs_err_blank[] = {
	NULL,
};
static const char *const rs_err_user_policy[] = {
	NULL,
};
static const char *const rs_err_bad_policy[] = {
	NULL,
};
static const char *const rs_err_no_policy[] = {
	NULL,
};
static const char *const rs_err_twice[] = {
	NULL,
};
static const char *const rs_err_jump_undeclared[] = {
	NULL,
};
static const char *const rs_err_kernel_at_commit[] = {
	"-A INPUT -j ACCEPT",
	NULL,
};
static const char *const rs_err_loop_at_commit[] = {
	NULL,
};
static const char *const rs_counters_unread[] = {
	NULL,
};
static const char *const rs_err_new_table_open[] = {
	NULL,
};
static const char *const rs_err_indented_comment[] = {
	NULL,
};
static const char *const rs_err_x_flushed[] = {
	"-N U",
	NULL,
};
static const char *const rs_err_policy_counters[] = {
	NULL,
};
static const char *const rs_err_check[] = {
	NULL,
};
static const char *const rs_err_delete[] = {
	NULL,
};
static const char *const rs_noflush_noreset[] = {
	"-P INPUT DROP",
	"-A INPUT -j ACCEPT",
	NULL,
};
static const char *const rs_err_double_c[] = {
	NULL,
};

static const struct rgolden rgoldens[] = {
	{ "flush_basic", 0, rs_flush_basic,
	  "# a comment\n"
	  "*filter\n"
	  ":INPUT ACCEPT [0:0]\n"
	  ":NEW - [0:0]\n"
	  "\n"
	  "-A INPUT -j NEW\n"
	  "COMMIT\n",
	  0,
	  {
		[IPT_FILTER] = "*filter\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":FORWARD DROP [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":NEW - [0:0]\n"
		  "[0:0] -A INPUT -j NEW\n"
		  "COMMIT\n",
		[IPT_NAT] = "*nat\n"
		  ":PREROUTING ACCEPT [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "[0:0] -A POSTROUTING -j MASQUERADE\n"
		  "COMMIT\n",
		[IPT_MANGLE] = "*mangle\n"
		  ":PREROUTING ACCEPT [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":FORWARD ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "COMMIT\n",
	  } },
	{ "counters_c", IPT_RESTORE_COUNTERS, rs_counters_c,
	  "*filter\n"
	  ":INPUT ACCEPT [5:10]\n"
	  ":FORWARD DROP [1:1]\n"
	  "[3:4] -A INPUT -j ACCEPT\n"
	  "-A INPUT -c 6 7 -j ACCEPT\n"
	  "-A INPUT -j ACCEPT\n"
	  "COMMIT\n",
	  0,
	  {
		[IPT_FILTER] = "*filter\n"
		  ":INPUT ACCEPT [5:10]\n"
		  ":FORWARD DROP [1:1]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  "[3:4] -A INPUT -j ACCEPT\n"
		  "[6:7] -A INPUT -j ACCEPT\n"
		  "[0:0] -A INPUT -j ACCEPT\n"
		  "COMMIT\n",
		[IPT_NAT] = "*nat\n"
		  ":PREROUTING ACCEPT [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "COMMIT\n",
		[IPT_MANGLE] = "*mangle\n"
		  ":PREROUTING ACCEPT [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":FORWARD ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "COMMIT\n",
	  } },
	{ "counters_ignored", 0, rs_counters_ignored,
	  "*filter\n"
	  ":INPUT ACCEPT [5:10]\n"
	  ":FORWARD DROP [1:1]\n"
	  "[3:4] -A INPUT -j ACCEPT\n"
	  "-A INPUT -c 6 7 -j ACCEPT\n"
	  "COMMIT\n",
	  0,
	  {
		[IPT_FILTER] = "*filter\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":FORWARD DROP [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  "[0:0] -A INPUT -j ACCEPT\n"
		  "[6:7] -A INPUT -j ACCEPT\n"
		  "COMMIT\n",
		[IPT_NAT] = "*nat\n"
		  ":PREROUTING ACCEPT [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "COMMIT\n",
		[IPT_MANGLE] = "*mangle\n"
		  ":PREROUTING ACCEPT [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":FORWARD ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "COMMIT\n",
	  } },
	{ "noflush", IPT_RESTORE_NOFLUSH, rs_noflush,
	  "*filter\n"
	  ":U - [0:0]\n"
	  ":FORWARD DROP [0:0]\n"
	  ":W - [0:0]\n"
	  ":INPUT ACCEPT [0:0]\n"
	  "-A INPUT -j ACCEPT\n"
	  "COMMIT\n",
	  0,
	  {
		[IPT_FILTER] = "*filter\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":FORWARD DROP [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":U - [0:0]\n"
		  ":W - [0:0]\n"
		  "[0:0] -A INPUT -j U\n"
		  "[4:4] -A INPUT -j DROP\n"
		  "[0:0] -A INPUT -j ACCEPT\n"
		  "COMMIT\n",
		[IPT_NAT] = "*nat\n"
		  ":PREROUTING ACCEPT [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "COMMIT\n",
		[IPT_MANGLE] = "*mangle\n"
		  ":PREROUTING ACCEPT [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":FORWARD ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "COMMIT\n",
	  } },
	{ "commands", IPT_RESTORE_NOFLUSH, rs_commands,
	  "*filter\n"
	  "-N X\n"
	  "-A X -j ACCEPT\n"
	  "-I INPUT 2 -j X\n"
	  "-D INPUT 1\n"
	  "-R INPUT 1 -j RETURN\n"
	  "-P OUTPUT DROP\n"
	  "-Z\n"
	  "-E W WW\n"
	  "-F U\n"
	  "-X U\n"
	  "-A INPUT -j WW\n"
	  "COMMIT\n",
	  0,
	  {
		[IPT_FILTER] = "*filter\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":FORWARD ACCEPT [0:0]\n"
		  ":OUTPUT DROP [0:0]\n"
		  ":WW - [0:0]\n"
		  ":X - [0:0]\n"
		  "[0:0] -A INPUT -j RETURN\n"
		  "[0:0] -A INPUT -j DROP\n"
		  "[0:0] -A INPUT -j WW\n"
		  "[0:0] -A X -j ACCEPT\n"
		  "COMMIT\n",
		[IPT_NAT] = "*nat\n"
		  ":PREROUTING ACCEPT [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "COMMIT\n",
		[IPT_MANGLE] = "*mangle\n"
		  ":PREROUTING ACCEPT [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":FORWARD ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "COMMIT\n",
	  } },
	{ "commands_flush", 0, rs_commands_flush,
	  "*filter\n"
	  ":INPUT ACCEPT [0:0]\n"
	  "-N U\n"
	  "-A U -j ACCEPT\n"
	  "-A INPUT -j U\n"
	  "-A INPUT -j DROP\n"
	  "-F INPUT\n"
	  "-A INPUT -j U\n"
	  "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n"
	  "-D INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n"
	  "COMMIT\n",
	  0,
	  {
		[IPT_FILTER] = "*filter\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":FORWARD ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":U - [0:0]\n"
		  "[0:0] -A INPUT -j U\n"
		  "[0:0] -A U -j ACCEPT\n"
		  "COMMIT\n",
		[IPT_NAT] = "*nat\n"
		  ":PREROUTING ACCEPT [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "COMMIT\n",
		[IPT_MANGLE] = "*mangle\n"
		  ":PREROUTING ACCEPT [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":FORWARD ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "COMMIT\n",
	  } },
	{ "two_sections", 0, rs_two_sections,
	  "*filter\n"
	  ":INPUT DROP [0:0]\n"
	  "-A INPUT -j DROP\n"
	  "COMMIT\n"
	  "*filter\n"
	  ":OUTPUT DROP [0:0]\n"
	  "-A INPUT -j ACCEPT\n"
	  "COMMIT\n",
	  0,
	  {
		[IPT_FILTER] = "*filter\n"
		  ":INPUT DROP [0:0]\n"
		  ":FORWARD ACCEPT [0:0]\n"
		  ":OUTPUT DROP [0:0]\n"
		  "[0:0] -A INPUT -j ACCEPT\n"
		  "COMMIT\n",
		[IPT_NAT] = "*nat\n"
		  ":PREROUTING ACCEPT [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "COMMIT\n",
		[IPT_MANGLE] = "*mangle\n"
		  ":PREROUTING ACCEPT [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":FORWARD ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "COMMIT\n",
	  } },
	{ "two_tables", 0, rs_two_tables,
	  "*nat\n"
	  ":POSTROUTING ACCEPT [0:0]\n"
	  "-A POSTROUTING -o wan0 -j MASQUERADE\n"
	  "COMMIT\n"
	  "*mangle\n"
	  "-A PREROUTING -j MARK --set-mark 1\n"
	  "COMMIT\n",
	  0,
	  {
		[IPT_FILTER] = "*filter\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":FORWARD ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  "COMMIT\n",
		[IPT_NAT] = "*nat\n"
		  ":PREROUTING ACCEPT [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "[0:0] -A POSTROUTING -o wan0 -j MASQUERADE\n"
		  "COMMIT\n",
		[IPT_MANGLE] = "*mangle\n"
		  ":PREROUTING ACCEPT [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":FORWARD ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "[0:0] -A PREROUTING -j MARK --set-xmark 0x1/0xffffffff\n"
		  "COMMIT\n",
	  } },
	{ "nat_policy_drop", 0, rs_nat_policy_drop,
	  "*nat\n"
	  ":PREROUTING DROP [0:0]\n"
	  "COMMIT\n",
	  0,
	  {
		[IPT_FILTER] = "*filter\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":FORWARD ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  "COMMIT\n",
		[IPT_NAT] = "*nat\n"
		  ":PREROUTING DROP [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "COMMIT\n",
		[IPT_MANGLE] = "*mangle\n"
		  ":PREROUTING ACCEPT [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":FORWARD ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "COMMIT\n",
	  } },
	{ "builtin_dash", 0, rs_builtin_dash,
	  "*filter\n"
	  ":INPUT - [0:0]\n"
	  "COMMIT\n",
	  0,
	  {
		[IPT_FILTER] = "*filter\n"
		  ":INPUT DROP [0:0]\n"
		  ":FORWARD ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  "COMMIT\n",
		[IPT_NAT] = "*nat\n"
		  ":PREROUTING ACCEPT [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "COMMIT\n",
		[IPT_MANGLE] = "*mangle\n"
		  ":PREROUTING ACCEPT [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":FORWARD ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "COMMIT\n",
	  } },
	{ "policy_kept", 0, rs_policy_kept,
	  "*filter\n"
	  "COMMIT\n",
	  0,
	  {
		[IPT_FILTER] = "*filter\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":FORWARD DROP [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  "COMMIT\n",
		[IPT_NAT] = "*nat\n"
		  ":PREROUTING ACCEPT [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "COMMIT\n",
		[IPT_MANGLE] = "*mangle\n"
		  ":PREROUTING ACCEPT [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":FORWARD ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "COMMIT\n",
	  } },
	{ "user_chain_jumps", 0, rs_user_chain_jumps,
	  "*filter\n"
	  ":INPUT ACCEPT [0:0]\n"
	  ":a - [0:0]\n"
	  ":b - [0:0]\n"
	  "-A INPUT -j a\n"
	  "-A a -j b\n"
	  "-A a -g b\n"
	  "-A b -j RETURN\n"
	  "COMMIT\n",
	  0,
	  {
		[IPT_FILTER] = "*filter\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":FORWARD ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":a - [0:0]\n"
		  ":b - [0:0]\n"
		  "[0:0] -A INPUT -j a\n"
		  "[0:0] -A a -j b\n"
		  "[0:0] -A a -g b\n"
		  "[0:0] -A b -j RETURN\n"
		  "COMMIT\n",
		[IPT_NAT] = "*nat\n"
		  ":PREROUTING ACCEPT [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "COMMIT\n",
		[IPT_MANGLE] = "*mangle\n"
		  ":PREROUTING ACCEPT [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":FORWARD ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "COMMIT\n",
	  } },
	{ "loop_unreachable", 0, rs_loop_unreachable,
	  "*filter\n"
	  ":a - [0:0]\n"
	  "-A a -j a\n"
	  "COMMIT\n",
	  0,
	  {
		[IPT_FILTER] = "*filter\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":FORWARD ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":a - [0:0]\n"
		  "[0:0] -A a -j a\n"
		  "COMMIT\n",
		[IPT_NAT] = "*nat\n"
		  ":PREROUTING ACCEPT [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "COMMIT\n",
		[IPT_MANGLE] = "*mangle\n"
		  ":PREROUTING ACCEPT [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":FORWARD ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "COMMIT\n",
	  } },
	{ "comment_t", 0, rs_comment_t,
	  "*filter\n"
	  "-A INPUT -m comment --comment -t -j ACCEPT\n"
	  "-A INPUT -m comment --comment \"a \\\"b\\\" c\" -j ACCEPT\n"
	  "COMMIT\n",
	  0,
	  {
		[IPT_FILTER] = "*filter\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":FORWARD ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  "[0:0] -A INPUT -m comment --comment -t -j ACCEPT\n"
		  "[0:0] -A INPUT -m comment --comment \"a \\\"b\\\" c\" -j ACCEPT\n"
		  "COMMIT\n",
		[IPT_NAT] = "*nat\n"
		  ":PREROUTING ACCEPT [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "COMMIT\n",
		[IPT_MANGLE] = "*mangle\n"
		  ":PREROUTING ACCEPT [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":FORWARD ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "COMMIT\n",
	  } },
	{ "err_no_commit", 0, rs_err_no_commit,
	  "*filter\n"
	  "-A INPUT -j ACCEPT\n",
	  3,
	  { NULL, NULL, NULL } },
	{ "err_table", 0, rs_err_table,
	  "*foo\n"
	  "COMMIT\n",
	  1,
	  { NULL, NULL, NULL } },
	{ "err_outside", 0, rs_err_outside,
	  "-A INPUT -j ACCEPT\n",
	  1,
	  { NULL, NULL, NULL } },
	{ "err_commit_outside", 0, rs_err_commit_outside,
	  "COMMIT\n",
	  1,
	  { NULL, NULL, NULL } },
	{ "err_dash_t", 0, rs_err_dash_t,
	  "*filter\n"
	  "-A INPUT -t filter -j ACCEPT\n"
	  "COMMIT\n",
	  2,
	  { NULL, NULL, NULL } },
	{ "err_blank", 0, rs_err_blank,
	  "*filter\n"
	  "   \n"
	  "COMMIT\n",
	  2,
	  { NULL, NULL, NULL } },
	{ "err_user_policy", 0, rs_err_user_policy,
	  "*filter\n"
	  ":U ACCEPT\n"
	  "COMMIT\n",
	  2,
	  { NULL, NULL, NULL } },
	{ "err_bad_policy", 0, rs_err_bad_policy,
	  "*filter\n"
	  ":INPUT REJECT [0:0]\n"
	  "COMMIT\n",
	  2,
	  { NULL, NULL, NULL } },
	{ "err_no_policy", 0, rs_err_no_policy,
	  "*filter\n"
	  ":U\n"
	  "COMMIT\n",
	  2,
	  { NULL, NULL, NULL } },
	{ "err_twice", 0, rs_err_twice,
	  "*filter\n"
	  ":U - [0:0]\n"
	  ":U - [0:0]\n"
	  "COMMIT\n",
	  3,
	  { NULL, NULL, NULL } },
	{ "err_jump_undeclared", 0, rs_err_jump_undeclared,
	  "*filter\n"
	  "-A INPUT -j U\n"
	  ":U - [0:0]\n"
	  "COMMIT\n",
	  2,
	  { NULL, NULL, NULL } },
	{ "err_kernel_at_commit", 0, rs_err_kernel_at_commit,
	  "*filter\n"
	  "-A INPUT -j DROP\n"
	  "COMMIT\n"
	  "*nat\n"
	  "-A INPUT -j MASQUERADE\n"
	  "COMMIT\n",
	  6,
	  { NULL, NULL, NULL } },
	{ "err_loop_at_commit", 0, rs_err_loop_at_commit,
	  "*filter\n"
	  ":a - [0:0]\n"
	  "-A a -j a\n"
	  "-A INPUT -j a\n"
	  "COMMIT\n",
	  5,
	  { NULL, NULL, NULL } },
	{ "counters_unread", 0, rs_counters_unread,
	  "*filter\n"
	  "[x:2] -A INPUT\n"
	  "COMMIT\n",
	  0,
	  {
		[IPT_FILTER] = "*filter\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":FORWARD ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  "[0:0] -A INPUT\n"
		  "COMMIT\n",
		[IPT_NAT] = "*nat\n"
		  ":PREROUTING ACCEPT [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "COMMIT\n",
		[IPT_MANGLE] = "*mangle\n"
		  ":PREROUTING ACCEPT [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":FORWARD ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "COMMIT\n",
	  } },
	{ "err_new_table_open", 0, rs_err_new_table_open,
	  "*filter\n"
	  "-A INPUT -j ACCEPT\n"
	  "*nat\n"
	  "COMMIT\n",
	  3,
	  { NULL, NULL, NULL } },
	{ "err_indented_comment", 0, rs_err_indented_comment,
	  "*filter\n"
	  " # x\n"
	  "COMMIT\n",
	  2,
	  { NULL, NULL, NULL } },
	{ "err_x_flushed", 0, rs_err_x_flushed,
	  "*filter\n"
	  "-X U\n"
	  "COMMIT\n",
	  2,
	  { NULL, NULL, NULL } },
	{ "err_policy_counters", IPT_RESTORE_COUNTERS, rs_err_policy_counters,
	  "*filter\n"
	  ":INPUT ACCEPT [x:y]\n"
	  "COMMIT\n",
	  2,
	  { NULL, NULL, NULL } },
	{ "err_check", 0, rs_err_check,
	  "*filter\n"
	  "-C INPUT -j ACCEPT\n"
	  "COMMIT\n",
	  2,
	  { NULL, NULL, NULL } },
	{ "err_delete", 0, rs_err_delete,
	  "*filter\n"
	  "-D INPUT -j ACCEPT\n"
	  "COMMIT\n",
	  2,
	  { NULL, NULL, NULL } },
	{ "noflush_noreset", IPT_RESTORE_NOFLUSH, rs_noflush_noreset,
	  "*filter\n"
	  "-A INPUT -j DROP\n"
	  "COMMIT\n",
	  0,
	  {
		[IPT_FILTER] = "*filter\n"
		  ":INPUT DROP [0:0]\n"
		  ":FORWARD ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  "[0:0] -A INPUT -j ACCEPT\n"
		  "[0:0] -A INPUT -j DROP\n"
		  "COMMIT\n",
		[IPT_NAT] = "*nat\n"
		  ":PREROUTING ACCEPT [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "COMMIT\n",
		[IPT_MANGLE] = "*mangle\n"
		  ":PREROUTING ACCEPT [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":FORWARD ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "COMMIT\n",
	  } },
	{ "err_double_c", IPT_RESTORE_COUNTERS, rs_err_double_c,
	  "*filter\n"
	  "[0:0] -A INPUT -c 6 7 -j ACCEPT\n"
	  "COMMIT\n",
	  2,
	  { NULL, NULL, NULL } },
	/* "-c" as -i's value names an interface: no second -c (fuzz_ipt_restore) */
	{ "counters_iface_named_c", IPT_RESTORE_COUNTERS, rs_err_double_c,
	  "*filter\n"
	  "[2:3] -A INPUT -i -c -j ACCEPT\n"
	  "COMMIT\n",
	  0,
	  {
		[IPT_FILTER] = "*filter\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":FORWARD ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  "[2:3] -A INPUT -i -c -j ACCEPT\n"
		  "COMMIT\n",
		[IPT_NAT] = "*nat\n"
		  ":PREROUTING ACCEPT [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "COMMIT\n",
		[IPT_MANGLE] = "*mangle\n"
		  ":PREROUTING ACCEPT [0:0]\n"
		  ":INPUT ACCEPT [0:0]\n"
		  ":FORWARD ACCEPT [0:0]\n"
		  ":OUTPUT ACCEPT [0:0]\n"
		  ":POSTROUTING ACCEPT [0:0]\n"
		  "COMMIT\n",
	  } },
};

static bool setup_lines(struct ipt_ruleset *rs, const char *const *lines)
{
	struct ipt_err err;

	for (; *lines; lines++)
		if (run(rs, IPT_FILTER, *lines, &err))
			return report_whyf("setup `%s': %s", *lines, err.msg);
	return true;
}

static void test_rgolden(const struct rgolden *g)
{
	struct ipt_ruleset *rs = ipt_ruleset_new(), *before;
	struct ipt_err err = { "" };
	char name[80], want[32];
	bool ok = setup_lines(rs, g->setup);
	int ret;

	before = ipt_ruleset_copy(rs);
	if (ok) {
		ret = ipt_restore(rs, g->text, g->flags, NULL, &err);
		snprintf(want, sizeof(want), "line %u:", g->err_line);
		if (!g->err_line && ret)
			ok = report_whyf("failed: %s", err.msg);
		else if (g->err_line && !ret)
			ok = report_whyf("worked; the reference fails at line %u",
					 g->err_line);
		else if (g->err_line && strncmp(err.msg, want, strlen(want)))
			ok = report_whyf("message [%s], want it at line %u", err.msg,
					 g->err_line);
		else if (g->err_line && !rulesets_equal(before, rs))
			ok = report_whyf("failed (%s) and changed the ruleset", err.msg);
	}
	/* a table the golden names no text for (raw) is only checked sound */
	for (int t = 0; ok && !g->err_line && t < IPT_TABLES; t++)
		ok = table_sound(&rs->t[t], t) &&
		     (!g->save[t] ||
		      text_is(ipt_table_name(t), save_table(rs, t), g->save[t]));
	/* --test: the same verdict, and nothing changes */
	if (ok) {
		struct ipt_ruleset *rs2 = ipt_ruleset_copy(before);

		ret = ipt_restore(rs2, g->text, g->flags | IPT_RESTORE_TEST,
				  NULL, &err);
		if (!ret != !g->err_line || !rulesets_equal(before, rs2))
			ok = report_whyf("--test: returned %d (%s) or changed the ruleset",
					 ret, err.msg);
		ipt_ruleset_free(rs2);
	}
	snprintf(name, sizeof(name), "restore/%s", g->name);
	report(name, ok);
	ipt_ruleset_free(before);
	ipt_ruleset_free(rs);
}

/* masq applies all tables or none; iptables-restore commits each table */
static void test_restore_atomic(void)
{
	static const char text[] =
		"*filter\n:INPUT DROP [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n"
		"*nat\n-A POSTROUTING -j MASQUERADE\nCOMMIT\n"
		"*mangle\n-A PREROUTING -j REJECT\nCOMMIT\n";
	struct ipt_ruleset *rs = ipt_ruleset_new(), *before;
	struct ipt_err err;
	bool ok;

	run(rs, IPT_FILTER, "-A FORWARD -j DROP", &err);
	before = ipt_ruleset_copy(rs);
	ok = ipt_restore(rs, text, 0, NULL, &err) == -1;
	ok = ok ? (strstr(err.msg, "line 10:") && strstr(err.msg, "REJECT") ?
		   true : report_whyf("message [%s]", err.msg)) :
		  report_whyf("a restore with a bad mangle table worked");
	if (ok && !rulesets_equal(before, rs))
		ok = report_whyf("the failed restore changed the ruleset");
	report("restore/all_or_nothing", ok);
	ipt_ruleset_free(before);
	ipt_ruleset_free(rs);
}

static void test_restore_texts(void)
{
	struct ipt_ruleset *rs = ipt_ruleset_new();
	struct ipt_err err;
	bool ok = true;

	/* no newline at the end, CRLF lines, an empty text */
	ok &= ipt_restore(rs, "*filter\r\n-A INPUT -j ACCEPT\r\nCOMMIT", 0, NULL,
			  &err) == 0 && rs->t[IPT_FILTER].chains[0].nrules == 1;
	ok &= ipt_restore(rs, "", 0, NULL, &err) == 0 &&
	      rs->t[IPT_FILTER].chains[0].nrules == 1;
	ok &= ipt_restore(rs, "# only a comment\n\n", 0, NULL, &err) == 0;
	ok &= ipt_restore(rs, "*filter\n-A INPUT -m comment --comment \"x\n"
			  "COMMIT\n", 0, NULL, &err) == -1 &&
	      !strncmp(err.msg, "line 2:", 7);
	ok &= ipt_restore(rs, "*filter\n:INPUT ACCEPT [1:2:3]\nCOMMIT\n",
			  IPT_RESTORE_COUNTERS, NULL, &err) == -1 &&
	      !strncmp(err.msg, "line 2:", 7);
	ok &= ipt_restore(rs, "*filter\n:waytoolongachainnamefortheheader -\nCOMMIT\n",
			  0, NULL, &err) == -1 && strstr(err.msg, "28 chars max");
	ok &= ipt_restore(rs, "*filter\n[1:2 -A INPUT\nCOMMIT\n", 0, NULL, &err) == -1 &&
	      strstr(err.msg, "need ]");
	if (!ok)
		report_whyf("a text was taken wrongly (last message: %s)", err.msg);
	report("restore/texts", ok);
	ipt_ruleset_free(rs);
}

/* Lines far longer than any buffer a simple reader would use */
static char *long_text(size_t pad, const char *chain)
{
	char *text = malloc(2 * pad + 200), *p = text;

	if (!text)
		return NULL;
	p += sprintf(p, "#");
	memset(p, 'x', pad);
	p += pad;
	p += sprintf(p, "\n*filter\n-A INPUT");
	memset(p, ' ', pad);
	p += pad;
	sprintf(p, "-j ACCEPT\n-A %s -m comment --comment \"%0100d\"\nCOMMIT\n",
		chain, 7);
	return text;
}

static void test_restore_long_lines(void)
{
	char *bad = long_text(1 << 20, "nope"), *good = long_text(1 << 20, "INPUT");
	struct ipt_ruleset *rs = ipt_ruleset_new();
	struct ipt_err err = { "" };
	bool ok = bad && good;

	if (ok && (ipt_restore(rs, bad, 0, NULL, &err) != -1 ||
		   strncmp(err.msg, "line 4:", 7) ||
		   rs->t[IPT_FILTER].chains[0].nrules))
		ok = report_whyf("a 1 MiB line, then an error: [%s]", err.msg);
	if (ok && (ipt_restore(rs, good, 0, NULL, &err) ||
		   rs->t[IPT_FILTER].chains[0].nrules != 2))
		ok = report_whyf("a 1 MiB line: [%s]", err.msg);
	report("restore/long_lines", ok);
	free(bad);
	free(good);
	ipt_ruleset_free(rs);
}

/* 100,000 rules in 100 user chains, each jumped to from INPUT */
static char *big_text(unsigned chains, unsigned per_chain)
{
	struct ipt_text t = { 0 };

	ipt_text_printf(&t, "*filter\n:INPUT DROP [0:0]\n");
	for (unsigned c = 0; c < chains; c++)
		ipt_text_printf(&t, ":c%03u - [0:0]\n", c);
	for (unsigned c = 0; c < chains; c++)
		ipt_text_printf(&t, "[0:0] -A INPUT -s 10.%u.0.0/16 -j c%03u\n",
				c, c);
	for (unsigned c = 0; c < chains; c++)
		for (unsigned i = 0; i < per_chain; i++)
			ipt_text_printf(&t, "[%u:%u] -A c%03u -s 10.%u.%u.%u/32 -p tcp -m tcp --dport %u -j ACCEPT\n",
					i, i * 60, c, c, i / 250, i % 250,
					1 + i % 60000);
	ipt_text_printf(&t, "COMMIT\n");
	return t.oom ? NULL : t.s;
}

static void test_restore_100k(void)
{
	struct ipt_ruleset *rs = ipt_ruleset_new(), *rs2 = ipt_ruleset_new();
	struct ipt_err err;
	char *text = big_text(100, 1000), *saved = NULL;
	double t0, t1 = 0, t2 = 0;
	bool ok = text != NULL;

	t0 = now_s();
	if (ok && ipt_restore(rs, text, IPT_RESTORE_COUNTERS, NULL, &err))
		ok = report_whyf("restore: %s", err.msg);
	t1 = now_s() - t0;
	if (ok && (rs->t[IPT_FILTER].nchains != 103 ||
		   rs->t[IPT_FILTER].chains[3].nrules != 1000 ||
		   rs->t[IPT_FILTER].chains[3].refs != 1 ||
		   rs->t[IPT_FILTER].chains[102].rules[999].pkts != 999))
		ok = report_whyf("the restored table is not the text's");
	/* and back: save, restore into another ruleset, save again */
	if (ok) {
		saved = save_table(rs, IPT_FILTER);
		t0 = now_s();
		if (ipt_restore(rs2, saved, IPT_RESTORE_COUNTERS, NULL, &err))
			ok = report_whyf("restore of the save: %s", err.msg);
		t2 = now_s() - t0;
	}
	if (ok && !tables_equal(&rs->t[IPT_FILTER], &rs2->t[IPT_FILTER]))
		ok = report_whyf("save -> restore of 100k rules is not the same table");
	if (ok && t1 > 20)
		ok = report_whyf("100k rules took %.1f s to restore", t1);
	printf("# restore of 100,000 rules: %.2f s, again from its save %.2f s\n",
	       t1, t2);
	report("restore/100k_rules", ok);
	free(text);
	free(saved);
	ipt_ruleset_free(rs);
	ipt_ruleset_free(rs2);
}

/* ---- round trips ---------------------------------------------------------- */

static const char rich_save[] =
	"*mangle\n"
	":PREROUTING ACCEPT [0:0]\n"
	":INPUT ACCEPT [0:0]\n"
	":FORWARD ACCEPT [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n"
	":POSTROUTING ACCEPT [0:0]\n"
	"[0:0] -A PREROUTING -i lan0 -j MARK --set-xmark 0x2/0xffffffff\n"
	"[0:0] -A INPUT -j MARK --set-xmark 0x4/0x0\n"
	"[0:0] -A FORWARD -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 1400\n"
	"[0:0] -A OUTPUT -j MARK --set-xmark 0x100/0x100\n"
	"[0:0] -A POSTROUTING -j MARK --set-xmark 0x0/0xffffff00\n"
	"COMMIT\n"
	"*nat\n"
	":PREROUTING ACCEPT [0:0]\n"
	":INPUT ACCEPT [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n"
	":POSTROUTING ACCEPT [0:0]\n"
	":port-fw - [0:0]\n"
	"[0:0] -A PREROUTING -i wan0 -j port-fw\n"
	"[0:0] -A OUTPUT -d 127.0.0.2/32 -p tcp -j REDIRECT --to-ports 3128\n"
	"[0:0] -A POSTROUTING -o wan0 -j MASQUERADE\n"
	"[0:0] -A POSTROUTING -o wan1 -p tcp -j MASQUERADE --to-ports 1024-65535 --random\n"
	"[0:0] -A POSTROUTING -o wan2 -j SNAT --to-source 203.0.113.1-203.0.113.5 --persistent\n"
	"[0:0] -A port-fw -p tcp -m tcp --dport 8080 -j DNAT --to-destination 192.168.0.10:80\n"
	"[0:0] -A port-fw -p udp -j DNAT --to-destination 192.168.0.10-192.168.0.12\n"
	"COMMIT\n"
	"*filter\n"
	":INPUT ACCEPT [0:0]\n"
	":FORWARD DROP [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n"
	":lan-in - [0:0]\n"
	":log-drop - [0:0]\n"
	"[0:0] -A INPUT -i lo -j ACCEPT\n"
	"[0:0] -A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\n"
	"[10:600] -A INPUT -s 192.168.0.0/24 -p tcp -m tcp --dport 22 -j ACCEPT\n"
	"[0:0] -A INPUT -p icmp -m icmp --icmp-type 8 -m limit --limit 5/sec --limit-burst 10 -j ACCEPT\n"
	"[0:0] -A INPUT -i lan0 -g lan-in\n"
	"[0:0] -A INPUT -j log-drop\n"
	"[0:0] -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
	"[0:0] -A FORWARD -i lan0 -o wan0 -j ACCEPT\n"
	"[0:0] -A FORWARD -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu\n"
	"[0:0] -A FORWARD -p udp -m multiport --dports 53,123,5000:5010 -j ACCEPT\n"
	"[0:0] -A FORWARD ! -s 10.0.0.0/8 -d 10.1.2.3/32 -p tcp -m tcp ! --dport 80 -j REJECT --reject-with tcp-reset\n"
	"[0:0] -A OUTPUT -m mark --mark 0x1/0xff -j ACCEPT\n"
	"[0:0] -A OUTPUT -f -j DROP\n"
	"[0:0] -A OUTPUT -o eth+ ! -f -j ACCEPT\n"
	"[0:0] -A lan-in -p udp -m udp --sport 68 --dport 67 -j ACCEPT\n"
	"[0:0] -A lan-in -m mac --mac-source 02:00:00:00:00:01 -j RETURN\n"
	"[0:0] -A lan-in -m comment --comment \"a \\\"quoted\\\" comment\" -j ACCEPT\n"
	"[0:0] -A log-drop -m limit --limit 1/min -j LOG --log-prefix \"drop: \" --log-level 6\n"
	"[0:0] -A log-drop -j DROP\n"
	"COMMIT\n";

/* The reference's own iptables-save -c text, restored and saved again */
static void test_roundtrip_reference(void)
{
	struct ipt_ruleset *rs = ipt_ruleset_new();
	struct ipt_err err;
	bool ok = ipt_restore(rs, rich_save, IPT_RESTORE_COUNTERS, NULL,
			      &err) == 0;

	if (!ok)
		report_whyf("restore: %s", err.msg);
	for (int t = 0; ok && t < IPT_TABLES; t++) {
		char head[16];
		const char *a, *b;
		char *want;

		snprintf(head, sizeof(head), "*%s\n", ipt_table_name(t));
		a = strstr(rich_save, head);
		b = a ? strstr(a, "COMMIT\n") : NULL;
		if (!a && t == IPT_RAW)
			continue;	/* the reference had not loaded it */
		if (!b) {
			ok = report_whyf("no table %s in the text", head);
			break;
		}
		want = strndup(a, (size_t)(b + 7 - a));
		ok = text_is(ipt_table_name(t), save_table(rs, t), want);
		free(want);
	}
	report("roundtrip/reference_save", ok);
	ipt_ruleset_free(rs);
}

/* save -> restore -> save after every golden command case */
static void test_roundtrip_goldens(void)
{
	bool ok = true;

	for (size_t g = 0; ok && g < sizeof(goldens) / sizeof(*goldens); g++) {
		struct ipt_ruleset *rs = ipt_ruleset_new(), *rs2 = ipt_ruleset_new();
		struct ipt_text all = { 0 }, again = { 0 };
		struct ipt_err err;

		for (const struct step *s = goldens[g].steps; s->cmd; s++)
			run(rs, goldens[g].table, s->cmd, &err);
		ipt_save(rs, 7, true, NULL, &all);
		if (ipt_restore(rs2, all.s, IPT_RESTORE_COUNTERS, NULL, &err))
			ok = report_whyf("%s: restore of the save: %s", goldens[g].name,
					 err.msg);
		ipt_save(rs2, 7, true, NULL, &again);
		if (ok && (strcmp(all.s, again.s) || !rulesets_equal(rs, rs2)))
			ok = report_whyf("%s: [%s] came back as [%s]", goldens[g].name,
					 all.s, again.s);
		ipt_text_free(&all);
		ipt_text_free(&again);
		ipt_ruleset_free(rs);
		ipt_ruleset_free(rs2);
	}
	report("roundtrip/goldens", ok);
}

int main(void)
{
	test_names();
	test_new_copy_free();
	for (size_t i = 0; i < sizeof(goldens) / sizeof(*goldens); i++)
		test_golden(&goldens[i]);
	for (size_t i = 0; i < sizeof(msg_cases) / sizeof(*msg_cases); i++)
		test_message(&msg_cases[i]);
	test_direct_checks();
	test_list_zero();
	test_list_rules();
	test_policy_counters();
	test_resolved_names();
	test_rule_equal();
	test_random();
	test_exec_many();
	for (size_t i = 0; i < sizeof(rgoldens) / sizeof(*rgoldens); i++)
		test_rgolden(&rgoldens[i]);
	test_restore_atomic();
	test_restore_texts();
	test_restore_long_lines();
	test_restore_100k();
	test_roundtrip_reference();
	test_roundtrip_goldens();
	return report_failures() ? 1 : 0;
}
