// SPDX-License-Identifier: MIT
/*
 * iptables.c - masqctl iptables ARG... (also run as iptables, masq-iptables)
 *
 * The command is parsed here with the system resolver (ipt_parse), so a
 * host, service or protocol name is looked up here and a bad command is
 * refused before masqd is asked anything. Then:
 *
 *  - listings (-L, -S) are made here from masqd's ruleset (remote.c):
 *    one `iptables-save -c -t TABLE` request (with --zero CHAIN or
 *    --zero-all for -L -Z, so listing and zeroing are one step in masqd),
 *    then ipt_exec() on the local copy, which prints names unless -n;
 *  - every other command (-Z alone and every change) is sent as
 *    `iptables` + the canonical numeric words of ipt_cmd_format(). A host
 *    name with several addresses gives one command per address, as
 *    iptables does; they are sent in order on one connection and the
 *    first failure stops the rest (those before it stay applied: iptables
 *    applies them in one commit, masqd one request at a time).
 *
 * -h/--help in a command that does not parse is iptables' help (help.c),
 * made here with no masqd: the usage, the matches and targets masq has,
 * and the help of each -j and -m named before it.
 *
 * Exit status, as iptables-legacy 1.8.9: 2 for a command that does not
 * parse (unknown option, bad address, unknown host or service), 3 for an
 * unknown table, otherwise masqd's (1: no such chain or rule, -C finds no
 * rule, ...; 0: done).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "masqctl/masqctl.h"

/*
 * -h or --help among words that did not parse: iptables' help (help.c),
 * with no masqd; 0, or 2 for a -m naming no match; -1: no help asked
 */
static int help(int argc, char **argv)
{
	struct ipt_text out = { 0 };
	struct ipt_err err = { { 0 } };
	int ret = ipt_help(argc - 1, argv + 1, &out, &err);

	if (ret < 0) {
		fprintf(stderr, "iptables: %s\n\n"
			"Try `iptables -h' or 'iptables --help' for more "
			"information.\n", err.msg);
		ret = 2;
	} else if (ret == 0) {
		printf("masq-iptables v%s (the iptables-legacy 1.8.9 language)"
		       "\n", MASQ_VERSION);
		ret = out_text("iptables", &out);
	} else {
		ret = -1;
	}
	ipt_text_free(&out);
	return ret;
}

/* The value of a -t/--table option in @argv, or NULL */
static const char *table_word(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if ((!strcmp(a, "-t") || !strcmp(a, "--table")) && i + 1 < argc)
			return argv[i + 1];
		if (!strncmp(a, "--table=", 8))
			return a + 8;
		if (!strncmp(a, "-t", 2) && a[2])
			return a + 2;
	}
	return NULL;
}

/* Refuse a command that does not parse: 3 for a table masq lacks, else 2 */
static int parse_error(int argc, char **argv, const struct ipt_err *err)
{
	const char *t = table_word(argc, argv);

	if (t && ipt_table_by_name(t) < 0) {
		fprintf(stderr, "iptables: can't initialize iptables table `%s': "
			"Table does not exist (masq has filter, nat, mangle, raw)\n", t);
		return 3;
	}
	fprintf(stderr, "iptables: %s\n"
		"Try `iptables -h' or 'iptables --help' for more information.\n",
		err->msg);
	return 2;
}

/* -L and -S: list from masqd's ruleset, zeroing in the same request */
static int list(struct conn *c, const struct ipt_cmd *cmd)
{
	struct fetch f = { .table = cmd->table, .counters = true };
	struct ipt_text out = { 0 };
	struct ipt_err err = { { 0 } };
	struct ipt_ruleset *rs;
	char *zero[1] = { (char *)cmd->chain };
	int ret;

	if (cmd->opts & IPT_OPT_ZERO) {
		if (cmd->chain[0]) {
			f.zero = zero;
			f.nzero = 1;
		} else {
			f.zero_all = true;
		}
	}
	ret = remote_fetch(c, "iptables", &f, &rs, NULL, NULL);
	if (ret)
		return ret;
	if (ipt_exec(rs, cmd, &names_resolver, &out, &err)) {
		fprintf(stderr, "iptables: %s\n", err.msg);
		ret = 1;
	} else {
		ret = out_text("iptables", &out);
	}
	ipt_text_free(&out);
	ipt_ruleset_free(rs);
	return ret;
}

/* Every other command: its canonical lines, one request each, in order */
static int apply(struct conn *c, const struct ipt_cmd *cmd)
{
	struct ipt_text t = { 0 };
	int ret;

	ipt_cmd_format(cmd, &t);
	ret = lines_send(c, "iptables", &t);
	ipt_text_free(&t);
	return ret;
}

/**
 * iptables_main() - masqctl iptables ARG...
 * @c:		connection to masqd
 * @argc:	words, from the verb
 * @argv:	argv[0] is "iptables", then the command
 *
 * Return: the exit status (see the top of this file)
 */
int iptables_main(struct conn *c, int argc, char **argv)
{
	struct ipt_err err = { { 0 } };
	struct ipt_cmd cmd;

	if (argc == 2 && (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version"))) {
		printf("masq-iptables v%s (the iptables-legacy 1.8.9 language)\n",
		       MASQ_VERSION);
		return 0;
	}
	if (ipt_parse(argc - 1, argv + 1, &names_resolver, &cmd, &err)) {
		int rc = help(argc, argv);

		return rc >= 0 ? rc : parse_error(argc, argv, &err);
	}
	if (cmd.op == IPT_OP_LIST || cmd.op == IPT_OP_LIST_RULES)
		return list(c, &cmd);
	return apply(c, &cmd);
}
