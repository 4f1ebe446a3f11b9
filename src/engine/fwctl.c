// SPDX-License-Identifier: MIT
/*
 * fwctl.c - the filter's control verbs: iptables, iptables-save,
 *	     iptables-restore; the default ruleset; publishing
 *
 * Theory of operation: the engine owns one ruleset (e->rs) and its
 * compiled form (e->fw). A command that changes rules runs on a copy of
 * the ruleset; the copy is compiled, and only when both succeeded are the
 * two swapped in, in one step between packet batches (fw_publish()). A
 * command that fails changes nothing. Listings and saves read the
 * published ruleset; "iptables-save --zero CHAIN" zeroes counters after
 * making the text, in the same call, so a read-and-zero loses nothing.
 *
 * The words arrive numeric (masqctl resolved every name): the parser runs
 * with no resolver, so nothing here can block on a lookup.
 *
 * The default ruleset is ipmasq's "no configuration required" policy
 * written as iptables rules (fw_default_text()), regenerated when the
 * interfaces change for as long as no command has changed it; after that
 * it is the user's, as iptables-save shows it.
 *
 * Cost: a change copies and compiles the whole ruleset, O(rules): a
 * script of N single commands is O(N^2) as with iptables-legacy;
 * iptables-restore applies any number of rules in one step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng.h"
#include "fw.h"

#define EXIT_FAIL	1
#define EXIT_USAGE	2

void masq_engine_set_log(struct masq_engine *e, masq_log_fn fn, void *ctx)
{
	e->log_fn = fn;
	e->log_ctx = ctx;
}

/*
 * Make @rs the published ruleset: compile it, then swap it in.
 * Return: 0, or -1 (@err says why; @rs freed, nothing changed)
 */
static int fw_publish(struct masq_engine *e, struct ipt_ruleset *rs,
		      struct ipt_err *err)
{
	struct fw *fw = fw_compile(e, rs, err);

	if (!fw) {
		ipt_ruleset_free(rs);
		return -1;
	}
	fw_free(e->fw);
	if (e->rs != rs)
		ipt_ruleset_free(e->rs);
	e->fw = fw;
	e->rs = rs;
	return 0;
}

/* The default policy for the engine's interfaces, as iptables-save text */
static void fw_default_text(const struct masq_engine *e, struct ipt_text *t)
{
	ipt_text_printf(t, "*nat\n");
	for (int i = 0; i < e->net.nifs; i++)
		if (e->net.ifs[i].role == ROLE_EXTERNAL)
			ipt_text_printf(t, "-A POSTROUTING -o %s -j MASQUERADE\n",
					e->net.ifs[i].name);
	ipt_text_printf(t, "COMMIT\n*filter\n:INPUT DROP [0:0]\n"
			":FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
			"-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\n");
	for (int i = 0; i < e->net.nifs; i++)
		if (e->net.ifs[i].role == ROLE_INTERNAL)
			ipt_text_printf(t, "-A INPUT -i %s -j ACCEPT\n",
					e->net.ifs[i].name);
	ipt_text_printf(t, "-A INPUT -p icmp -j ACCEPT\n"
			"-A FORWARD -m state --state RELATED,ESTABLISHED -j ACCEPT\n"
			"-A FORWARD -m conntrack --ctstate DNAT -j ACCEPT\n");
	for (int i = 0; i < e->net.nifs; i++)
		if (e->net.ifs[i].role == ROLE_INTERNAL)
			ipt_text_printf(t, "-A FORWARD -i %s -j ACCEPT\n",
					e->net.ifs[i].name);
	ipt_text_printf(t, "COMMIT\n");
}

/*
 * fw_default_rules() - Publish the default ruleset for the interfaces
 * there are now (masqd's zero-configuration policy). A failure leaves the
 * ruleset as it was.
 */
void fw_default_rules(struct masq_engine *e)
{
	struct ipt_ruleset *rs = ipt_ruleset_new();
	struct ipt_text t = { 0 };
	struct ipt_err err;

	fw_default_text(e, &t);
	if (rs && !t.oom && !ipt_restore(rs, t.s, 0, NULL, &err)) {
		fw_publish(e, rs, &err);
		rs = NULL;
	}
	ipt_ruleset_free(rs);
	ipt_text_free(&t);
}

/**
 * fw_init() - Start with the default ruleset
 * Return: 0, or -1 (out of memory)
 */
int fw_init(struct masq_engine *e)
{
	e->fw_default = true;
	fw_default_rules(e);
	return e->fw ? 0 : -1;
}

void fw_fini(struct masq_engine *e)
{
	fw_free(e->fw);
	ipt_ruleset_free(e->rs);
	e->fw = NULL;
	e->rs = NULL;
}

/**
 * fw_recompile() - The interfaces changed: recompile (or, while the rules
 * are still the default ones, regenerate them)
 * Return: 0, or -1 (out of memory; the old compiled filter stays)
 */
int fw_recompile(struct masq_engine *e)
{
	struct ipt_err err;
	struct fw *fw;

	if (e->fw_default) {
		fw_default_rules(e);
		return 0;
	}
	fw = fw_compile(e, e->rs, &err);
	if (!fw)
		return -1;
	fw_free(e->fw);
	e->fw = fw;
	return 0;
}

static void text_put(struct masq_text *out, const struct ipt_text *t)
{
	if (t->len)
		masq_text_printf(out, "%.*s", (int)t->len, t->s);
}

static bool cmd_changes_rules(const struct ipt_cmd *c)
{
	return c->op != IPT_OP_LIST && c->op != IPT_OP_LIST_RULES &&
	       c->op != IPT_OP_CHECK && c->op != IPT_OP_ZERO;
}

/*
 * iptables WORD...: one command, numeric words. Listings and counter
 * zeroing act on the published ruleset (they change no rule); every other
 * command on a copy that is published only when it applied whole.
 */
static int cmd_iptables(struct masq_engine *e, int argc, char *const *argv,
			struct masq_text *out)
{
	struct ipt_text t = { 0 };
	struct ipt_ruleset *rs;
	struct ipt_cmd cmd;
	struct ipt_err err = { "" };
	int rc;

	if (ipt_parse(argc - 1, argv + 1, NULL, &cmd, &err)) {
		masq_text_printf(out, "iptables: %s\n", err.msg);
		return EXIT_USAGE;
	}
	if (!cmd_changes_rules(&cmd)) {
		rc = ipt_exec(e->rs, &cmd, NULL, &t, &err);
		text_put(out, &t);
		ipt_text_free(&t);
		if (rc)
			masq_text_printf(out, "iptables: %s\n", err.msg);
		return rc ? EXIT_FAIL : 0;
	}
	rs = ipt_ruleset_copy(e->rs);
	if (!rs) {
		masq_text_printf(out, "iptables: out of memory\n");
		return EXIT_FAIL;
	}
	rc = ipt_exec(rs, &cmd, NULL, &t, &err);
	text_put(out, &t);
	ipt_text_free(&t);
	if (rc) {
		ipt_ruleset_free(rs);
		masq_text_printf(out, "iptables: %s\n", err.msg);
		return EXIT_FAIL;
	}
	if (fw_publish(e, rs, &err)) {
		masq_text_printf(out, "iptables: %s\n", err.msg);
		return EXIT_FAIL;
	}
	e->fw_default = false;
	return 0;
}

/* Zero a chain's rule and policy counters */
static void chain_zero(struct ipt_chain *c)
{
	for (uint32_t i = 0; i < c->nrules; i++)
		c->rules[i].pkts = c->rules[i].bytes = 0;
	c->pol_pkts = c->pol_bytes = 0;
}

/*
 * iptables-save [-c] [-t TABLE] [--zero CHAIN]... [--zero-all]: the text
 * (no "# Generated" lines: the caller has the clock), then the zeroing,
 * in the same call so no packet is counted twice or lost between them.
 */
static int cmd_iptables_save(struct masq_engine *e, int argc,
			     char *const *argv, struct masq_text *out)
{
	struct ipt_chain *zero[32];
	unsigned mask = (1u << IPT_TABLES) - 1, nzero = 0;
	bool counters = false, zero_all = false;
	int table = -1;
	struct ipt_text t = { 0 };

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-c") || !strcmp(a, "--counters")) {
			counters = true;
		} else if ((!strcmp(a, "-t") || !strcmp(a, "--table")) &&
			   i + 1 < argc) {
			table = ipt_table_by_name(argv[++i]);
			if (table < 0) {
				masq_text_printf(out, "iptables-save: no table '%s'\n",
						 argv[i]);
				return EXIT_USAGE;
			}
			mask = 1u << table;
		} else if (!strcmp(a, "--zero-all")) {
			zero_all = true;
		} else if (!strcmp(a, "--zero") && i + 1 < argc) {
			struct ipt_chain *c = ipt_chain_find(
				&e->rs->t[table < 0 ? IPT_FILTER : table],
				argv[++i]);

			if (!c) {
				masq_text_printf(out, "iptables-save: no chain '%s' "
						 "to zero\n", argv[i]);
				return EXIT_FAIL;
			}
			if (nzero == sizeof(zero) / sizeof(*zero)) {
				masq_text_printf(out, "iptables-save: too many "
						 "--zero chains\n");
				return EXIT_USAGE;
			}
			zero[nzero++] = c;
		} else {
			masq_text_printf(out, "iptables-save: unknown option '%s'\n",
					 a);
			return EXIT_USAGE;
		}
	}
	ipt_save(e->rs, mask, counters, NULL, &t);
	if (t.oom) {
		ipt_text_free(&t);
		masq_text_printf(out, "iptables-save: out of memory\n");
		return EXIT_FAIL;
	}
	text_put(out, &t);
	ipt_text_free(&t);
	for (unsigned i = 0; i < nzero; i++)
		chain_zero(zero[i]);
	for (int tb = 0; zero_all && tb < IPT_TABLES; tb++)
		for (uint32_t c = 0; (mask & (1u << tb)) && c < e->rs->t[tb].nchains; c++)
			chain_zero(&e->rs->t[tb].chains[c]);
	return 0;
}

/* iptables-restore [--noflush] [--counters] [--test] TEXT */
static int cmd_iptables_restore(struct masq_engine *e, int argc,
				char *const *argv, struct masq_text *out)
{
	unsigned flags = 0;
	const char *text = NULL;
	struct ipt_ruleset *rs;
	struct ipt_err err = { "" };

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--noflush") || !strcmp(a, "-n"))
			flags |= IPT_RESTORE_NOFLUSH;
		else if (!strcmp(a, "--counters") || !strcmp(a, "-c"))
			flags |= IPT_RESTORE_COUNTERS;
		else if (!strcmp(a, "--test") || !strcmp(a, "-t"))
			flags |= IPT_RESTORE_TEST;
		else if (a[0] == '-' && a[1] && !text)
			return masq_text_printf(out, "iptables-restore: unknown "
						"option '%s'\n", a), EXIT_USAGE;
		else if (!text)
			text = a;
		else
			return masq_text_printf(out, "iptables-restore: one text "
						"only\n"), EXIT_USAGE;
	}
	if (!text)
		return masq_text_printf(out, "iptables-restore: no text\n"),
		       EXIT_USAGE;
	rs = ipt_ruleset_copy(e->rs);
	if (!rs)
		return masq_text_printf(out, "iptables-restore: out of memory\n"),
		       EXIT_FAIL;
	if (ipt_restore(rs, text, flags, NULL, &err)) {
		ipt_ruleset_free(rs);
		masq_text_printf(out, "iptables-restore: %s\n", err.msg);
		return EXIT_FAIL;
	}
	if (flags & IPT_RESTORE_TEST) {
		ipt_ruleset_free(rs);
		return 0;
	}
	if (fw_publish(e, rs, &err))
		return masq_text_printf(out, "iptables-restore: %s\n", err.msg),
		       EXIT_FAIL;
	e->fw_default = false;
	return 0;
}

/**
 * fw_ctl() - Run a filter verb, if @argv[0] is one
 * Return: the exit status, or -1 when the verb is not the filter's
 */
int fw_ctl(struct masq_engine *e, int argc, char *const *argv,
	   struct masq_text *out)
{
	if (!strcmp(argv[0], "iptables"))
		return cmd_iptables(e, argc, argv, out);
	if (!strcmp(argv[0], "iptables-save"))
		return cmd_iptables_save(e, argc, argv, out);
	if (!strcmp(argv[0], "iptables-restore"))
		return cmd_iptables_restore(e, argc, argv, out);
	return -1;
}
