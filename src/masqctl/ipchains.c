// SPDX-License-Identifier: MIT
/*
 * ipchains.c - masqctl ipchains, ipchains-save, ipchains-restore (also run
 *		as ipchains, ipchains-save, ipchains-restore from
 *		/usr/lib/masq/bin, and masq-ipchains... in sbin)
 *
 * The 2.2 kernels' tool and the ipchains-scripts pair, over masqd's one
 * ruleset (src/ipt/ipchains*.c has the language). As iptables.c does for
 * iptables:
 *
 *  - a command is parsed here with names resolved (hosts, services,
 *    protocols), so a bad one is refused before masqd is asked anything,
 *    in ipchains' words and with its exit status 2;
 *  - listings (-L, and -L -Z: listing and zeroing in one step in masqd)
 *    are made here from masqd's ruleset: one `ipchains-save -c
 *    [--zero]` request, restored into a local ruleset, listed with names
 *    unless -n;
 *  - -M -L and -M -S are masqctl's masq -L and masq -S (the masquerade
 *    table as ipchains -M -L printed it; the timeouts, 0 keeps one);
 *  - -h and -V are answered here;
 *  - every other command (the changes, -C, -Z alone) goes to masqd as
 *    `ipchains` + canonical numeric words, one request per pair of a host
 *    name's addresses, in order (send.c); the first failure stops the rest.
 *
 * ipchains-save [CHAIN] [-v] [-c] prints masqd's ruleset as ipchains-save
 * text (-c: with [packets:bytes] counters, masq's addition; -v: every rule
 * also on stderr). ipchains-restore [-f] [-v] [-p] reads that text on
 * standard input, resolves its names (ipchains_canon()), checks it on a
 * scratch ruleset, so an error is reported with its line before masqd
 * changes anything, and sends it as `ipchains-restore TEXT`: masqd
 * replaces its whole ruleset or nothing. -p makes each chain a rule jumps
 * to and the text does not make, as the tool's -p did; -f is what masq
 * always does (nothing is asked); -v prints each rule as it is read.
 *
 * Exit status: ipchains' (2 a command that does not parse, 1 refused,
 * 0 done), masqd's for what it refuses; 1 when masqd cannot be reached.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/proto.h"
#include "ipt/ipchains.h"
#include "masqctl/masqctl.h"

static int usage_error(const char *prog, const struct ipt_err *err)
{
	fprintf(stderr, "%s: %s\n"
		"Try `%s -h' or '%s --help' for more information.\n", prog,
		err->msg, prog, prog);
	return 2;
}

/**
 * ipchains_fetch() - masqd's ipchains ruleset, restored here
 * @c:		connection
 * @prog:	name for messages
 * @counters:	with counters (-c)
 * @zero:	zero masqd's counters after making the text (--zero)
 * @rs:		the ruleset (ipt_ruleset_free()); @text its text if not NULL
 * @text:	masqd's text (malloc'd), or NULL
 *
 * Return: 0, or the exit status after a message
 */
static int ipchains_fetch(struct conn *c, const char *prog, bool counters,
			  bool zero, struct ipt_ruleset **rs, char **text)
{
	char *w[4] = { "ipchains-save" };
	struct ipt_err err = { { 0 } };
	struct reply r = { 0 };
	int n = 1, ret;

	*rs = NULL;
	if (counters)
		w[n++] = "-c";
	if (zero)
		w[n++] = "--zero";
	w[n] = NULL;
	ret = conn_call(c, n, w, &r);
	if (ret)
		return ret;
	if (r.status) {
		ret = reply_print(&r);
		goto out;
	}
	*rs = ipt_ruleset_new();
	if (!*rs || ipt_ipchains_ops.init(*rs) ||
	    ipt_ipchains_ops.restore(*rs, r.text, &err)) {
		fprintf(stderr, "%s: masqd's ruleset cannot be read back: %s\n",
			prog, *rs ? err.msg : "out of memory");
		ipt_ruleset_free(*rs);
		*rs = NULL;
		ret = 1;
		goto out;
	}
	if (text) {
		*text = r.text;
		r.text = NULL;
	}
out:
	reply_free(&r);
	return ret;
}

/* -L [-Z]: from masqd's ruleset, names looked up here unless -n */
static int list(struct conn *c, const struct ipchains_cmd *cmd)
{
	struct ipt_text out = { 0 };
	struct ipt_err err = { { 0 } };
	struct ipt_ruleset *rs;
	int ret = ipchains_fetch(c, "ipchains", true,
				 cmd->opts & IPCHAINS_OPT_ZERO, &rs, NULL);

	if (ret)
		return ret;
	ret = ipchains_apply(rs, cmd, &names_resolver, &out, &err);
	if (ret)
		fprintf(stderr, "ipchains: %s\n", err.msg);
	else
		ret = out_text("ipchains", &out);
	ipt_text_free(&out);
	ipt_ruleset_free(rs);
	return ret;
}

/* -h, -V: answered here */
static int answer_here(const struct ipchains_cmd *cmd)
{
	struct ipt_text out = { 0 };
	int ret;

	if (cmd->op == IPCHAINS_OP_VERSION)
		ipt_text_printf(&out, "ipchains 1.3.10, 1-Sep-2000 (masq-ipchains v%s)\n",
				MASQ_VERSION);
	else
		ipchains_help(cmd->opts & IPCHAINS_OPT_HELP_ICMP, &out);
	ret = out_text("ipchains", &out);
	ipt_text_free(&out);
	return ret;
}

/**
 * ipchains_main() - masqctl ipchains ARG...
 * @c:		connection to masqd
 * @argc:	words, from the verb
 * @argv:	argv[0] is "ipchains"
 *
 * Return: the exit status (see the top of this file)
 */
int ipchains_main(struct conn *c, int argc, char **argv)
{
	struct ipchains_cmd *cmd = malloc(sizeof(*cmd));
	struct ipt_err err = { { 0 } };
	struct ipt_text t = { 0 };
	int ret;

	if (!cmd) {
		fprintf(stderr, "ipchains: out of memory\n");
		return 1;
	}
	if (ipchains_parse(argc - 1, argv + 1, &names_resolver, cmd, &err)) {
		ret = usage_error("ipchains", &err);
		goto out;
	}
	switch (cmd->op) {
	case IPCHAINS_OP_HELP:
	case IPCHAINS_OP_VERSION:
		ret = answer_here(cmd);
		break;
	case IPCHAINS_OP_MASQ_LIST:
	case IPCHAINS_OP_MASQ_SET:
		ret = masq_for_2x(c, cmd->op == IPCHAINS_OP_MASQ_SET ?
				  cmd->timeouts : NULL,
				  cmd->opts & IPCHAINS_OPT_NUMERIC,
				  cmd->opts & IPCHAINS_OPT_VERBOSE);
		break;
	case IPCHAINS_OP_LIST:
		ret = list(c, cmd);
		break;
	default:
		ipchains_format(cmd, &t);
		ret = lines_send(c, "ipchains", &t);
		ipt_text_free(&t);
	}
out:
	free(cmd);
	return ret;
}

/* ---- ipchains-save ------------------------------------------------------------- */

/* Each "-A" line of @s on @f (-v) */
static void rules_print(FILE *f, const char *s)
{
	while (s && *s) {
		size_t l = strcspn(s, "\n");
		const char *a = s[0] == '[' ? strstr(s, "] -A ") : NULL;

		if (!strncmp(s, "-A ", 3) || (a && a < s + l))
			fprintf(f, "%.*s\n", (int)l, s);
		s += l + (s[l] == '\n');
	}
}

/**
 * ipchains_save_main() - masqctl ipchains-save [CHAIN] [-v] [-c]
 * @c:		connection to masqd
 * @argc:	words, from the verb
 * @argv:	argv[0] is "ipchains-save"
 *
 * Return: 0; 1 (a bad word, no such chain, masqd not reached); masqd's
 * status when it refuses
 */
int ipchains_save_main(struct conn *c, int argc, char **argv)
{
	const char *chain = NULL;
	bool verbose = false, counters = false;
	struct ipt_text out = { 0 };
	struct ipt_ruleset *rs;
	char *text = NULL;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v")) {
			verbose = true;
		} else if (!strcmp(argv[i], "-c")) {
			counters = true;
		} else if (argv[i][0] != '-' && !chain) {
			chain = argv[i];
		} else {
			fprintf(stderr, "ipchains-save: unknown argument `%s' "
				"(ipchains-save [chain] [-v] [-c])\n", argv[i]);
			return 1;
		}
	}
	ret = ipchains_fetch(c, "ipchains-save", counters, false, &rs, &text);
	if (ret)
		return ret;
	if (ipchains_save_chain(rs, chain, counters ? IPT_LSAVE_COUNTERS : 0,
				&out)) {
		fprintf(stderr, "ipchains-save: No chain by that name\n");
		ret = 1;
	} else {
		if (verbose)
			rules_print(stderr, out.s);
		ret = out_text("ipchains-save", &out);
	}
	ipt_text_free(&out);
	free(text);
	ipt_ruleset_free(rs);
	return ret;
}

/* ---- ipchains-restore ---------------------------------------------------------- */

/* The options; 0, or 1 after a message */
static int restore_opts(int argc, char **argv, unsigned *flags, bool *verbose)
{
	*flags = 0;
	*verbose = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *o = a + 1;

		for (; a[0] == '-' && *o; o++) {
			if (*o == 'p')
				*flags |= IPCHAINS_CANON_CREATE;
			else if (*o == 'v')
				*verbose = true;
			else if (*o != 'f')
				break;
		}
		if (a[0] != '-' || !a[1] || *o) {
			fprintf(stderr, "ipchains-restore: unknown argument `%s' "
				"(ipchains-restore [-f] [-v] [-p] < FILE)\n", a);
			return 1;
		}
	}
	return 0;
}

/* The text masqd gets, checked here on a scratch ruleset */
static int restore_text(const char *text, unsigned flags, struct ipt_text *out)
{
	struct ipt_ruleset *scratch = ipt_ruleset_new();
	struct ipt_err err = { { 0 } };
	int ret = 1;

	if (ipchains_canon(text, &names_resolver, flags, out, &err) ||
	    !scratch || ipt_ipchains_ops.init(scratch) ||
	    ipt_ipchains_ops.restore(scratch, out->s ? out->s : "", &err))
		fprintf(stderr, "ipchains-restore: %s\n",
			err.msg[0] ? err.msg : "out of memory");
	else
		ret = 0;
	ipt_ruleset_free(scratch);
	return ret;
}

/**
 * ipchains_restore_main() - masqctl ipchains-restore [-f] [-v] [-p]
 * @c:		connection to masqd
 * @argc:	words, from the verb
 * @argv:	argv[0] is "ipchains-restore"
 *
 * Return: 0; 1 (a bad option, unreadable input, a line refused here);
 * 2 (a NUL byte in the text); masqd's status
 */
int ipchains_restore_main(struct conn *c, int argc, char **argv)
{
	struct ipt_text canon = { 0 };
	char *text = NULL, *w[3] = { "ipchains-restore" };
	unsigned flags;
	bool verbose;
	struct reply r;
	size_t len;
	int ret;

	if (restore_opts(argc, argv, &flags, &verbose))
		return 1;
	ret = text_read("ipchains-restore", NULL, &text, &len);
	if (ret)
		return ret;
	ret = restore_text(text, flags, &canon);
	if (!ret && verbose)
		rules_print(stdout, canon.s);
	if (!ret) {
		w[1] = canon.s ? canon.s : "";
		w[2] = NULL;
		ret = conn_call(c, 2, w, &r);
		if (!ret) {
			ret = reply_print(&r);
			reply_free(&r);
		}
	}
	ipt_text_free(&canon);
	free(text);
	return ret;
}
