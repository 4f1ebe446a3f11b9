// SPDX-License-Identifier: MIT
/*
 * main.c - masqctl: send a command to masqd and print its answer
 *
 *	masqctl [-s SOCKET] VERB [ARG...]
 *
 * Most verbs go to masqd unchanged (control/proto.h); the answer is
 * printed as it comes (a listing's parts on stdout, the closing reply's
 * text on stdout on success, stderr otherwise) and masqctl exits with the
 * command's status: 0 success, 1 failure, 2 usage error. Reaching masqd at
 * all is a failure of its own: a clear message and status 1. The socket
 * is -s, else $MASQ_SOCKET, else the default.
 *
 * Thirteen verbs do work here before and after masqd (masqctl.h): iptables,
 * iptables-save, iptables-restore, ipacct-dump, set (origdst-user's user
 * name), save, ipmasqadm, masq (-L's names, -D's), ipfwadm, ipchains,
 * ipchains-save, ipchains-restore, and rules (rules.h: the ipmasq rules
 * directory, as one rules run of masqd's; inside such a run every verb's
 * visible failure is recorded for it). They parse and resolve names locally, so
 * masqd only ever sees numeric words. None needs root of masqctl: masqd judges who
 * asks (an unprivileged user it lets in may run `masqctl origdst`).
 *
 * Called by another name (a link), that name picks the verb and every
 * argument belongs to it, so old scripts run unchanged: iptables and
 * masq-iptables, iptables-save and masq-iptables-save, iptables-restore
 * and masq-iptables-restore, ipmasqadm, ipfwadm (ipfwadm.c: the 2.0
 * language, also a verb that works here), ipchains and masq-ipchains,
 * ipchains-save and masq-ipchains-save, ipchains-restore and
 * masq-ipchains-restore (ipchains.c: the 2.2 language). The masq- names are the ones
 * installed in sbin; the plain ones only in $(PREFIX)/lib/masq/bin, for
 * scripts run with that directory first in PATH.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/proto.h"
#include "control/suggest.h"
#include "control/verbs.h"
#include "masqctl/masqctl.h"
#include "masqctl/rules.h"

/* Names masqctl answers to, and the verb each stands for */
static const struct {
	const char *name;
	const char *verb;
} aliases[] = {
	{ "iptables", "iptables" },
	{ "masq-iptables", "iptables" },
	{ "iptables-save", "iptables-save" },
	{ "masq-iptables-save", "iptables-save" },
	{ "iptables-restore", "iptables-restore" },
	{ "masq-iptables-restore", "iptables-restore" },
	{ "ipmasqadm", "ipmasqadm" },
	{ "ipfwadm", "ipfwadm" },
	{ "ipchains", "ipchains" },
	{ "masq-ipchains", "ipchains" },
	{ "ipchains-save", "ipchains-save" },
	{ "masq-ipchains-save", "ipchains-save" },
	{ "ipchains-restore", "ipchains-restore" },
	{ "masq-ipchains-restore", "ipchains-restore" },
};

/* Verbs that do work in masqctl; every other verb goes to masqd as is */
static const struct {
	const char *verb;
	int (*run)(struct conn *c, int argc, char **argv);
} local_verbs[] = {
	{ "iptables", iptables_main },
	{ "iptables-save", save_main },
	{ "iptables-restore", restore_main },
	{ "ipacct-dump", acct_main },
	{ "set", set_main },
	{ "save", save_all_main },
	{ "ipmasqadm", ipmasqadm_main },
	{ "masq", masq_main },
	{ "ipfwadm", ipfwadm_main },
	{ "ipchains", ipchains_main },
	{ "ipchains-save", ipchains_save_main },
	{ "ipchains-restore", ipchains_restore_main },
	{ "rules", rules_main },
	{ "stats", stats_main },		/* --json (json.c) */
	{ "conntrack", conntrack_main },	/* -L -o json (json.c) */
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: masqctl [-s SOCKET] VERB [ARG...]\n"
"\n"
"Runs one command of the masq control language in masqd and prints the\n"
"answer; the exit status is the command's (0 ok, 1 failed, 2 usage).\n"
"\n"
"  -s, --socket PATH   masqd's control socket (default $MASQ_SOCKET,\n"
"                      else %s)\n"
"  -h, --help          this text\n"
"  -V, --version       masqctl's version\n"
"\n"
"Verbs (host names, service names resolved here; masqctl(8) has them all):\n",
		CTL_DEFAULT_SOCKET);
	ctl_verbs_help(f);
	fprintf(f,
"The rules directory is %s by default.\n"
"Also runs as masq-iptables, masq-iptables-save, masq-iptables-restore,\n"
"masq-ipchains, masq-ipchains-save, masq-ipchains-restore, and as\n"
"iptables, iptables-save, iptables-restore, ipmasqadm, ipfwadm, ipchains,\n"
"ipchains-save, ipchains-restore from\n"
"/usr/lib/masq/bin (put it first in PATH). See masqctl(8).\n",
		RULES_DEFAULT_DIR);
}

/* masqctl's own options, for "did you mean" */
static const char *const long_opts[] = { "--socket", "--help", "--version" };

/* An option not ours: say so, with the nearest one; Return: 2 */
static int unknown_option(const char *a)
{
	const char *near = suggest_word(a, strcspn(a, "="), long_opts,
					sizeof(long_opts) / sizeof(*long_opts),
					sizeof(*long_opts));

	if (near)
		fprintf(stderr, "masqctl: unknown option %s; did you mean %s?\n",
			a, near);
	else
		fprintf(stderr, "masqctl: unknown option '%s' before the verb "
			"(try 'masqctl --help')\n", a);
	return 2;
}

/* Leading options; returns the index of the verb, or -1 (exit with *rc) */
static int parse_opts(int argc, char **argv, const char **sock, int *rc)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			*rc = 0;
			return -1;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("masqctl %s\n", MASQ_VERSION);
			*rc = 0;
			return -1;
		} else if (!strcmp(a, "-s") || !strcmp(a, "--socket")) {
			if (++i == argc) {
				fprintf(stderr, "masqctl: %s needs a socket path\n", a);
				*rc = 2;
				return -1;
			}
			*sock = argv[i];
		} else if (!strncmp(a, "--socket=", 9)) {
			*sock = a + 9;
		} else if (!strncmp(a, "-s", 2)) {
			*sock = a + 2;
		} else {
			*rc = unknown_option(a);
			return -1;
		}
	}
	return i;
}

/*
 * A verb masqctl does not handle itself: words to masqd, the answer
 * printed as it comes (a listing's parts on stdout, then the reply's text
 * on stdout or stderr by its status)
 */
static int passthrough(struct conn *c, int argc, char **argv)
{
	struct reply r;
	int ret = conn_stream(c, argc, argv, &r);

	if (ret)
		return ret;
	ret = reply_print(&r);
	reply_free(&r);
	return ret;
}

/* Run @argv[0] as a verb; argv[0] is the verb's own name */
static int run_verb_here(struct conn *c, int argc, char **argv)
{
	for (size_t k = 0; k < sizeof(local_verbs) / sizeof(local_verbs[0]); k++)
		if (!strcmp(argv[0], local_verbs[k].verb))
			return local_verbs[k].run(c, argc, argv);
	return passthrough(c, argc, argv);
}

/*
 * A verb that is none of the table's but near one is a typo: say which
 * was meant, status 2, and send nothing. A verb near none goes to masqd
 * as it is (it may know verbs this masqctl does not; it answers an
 * unknown one itself). Return: 2 for a typo, else 0
 */
static int refuse_typo(const char *verb)
{
	const char *near;

	if (ctl_verb_known(verb) || !(near = ctl_verb_suggest(verb)))
		return 0;
	fprintf(stderr, "masqctl: unknown command '%s'; did you mean '%s'?\n",
		verb, near);
	return 2;
}

/* ... and inside a rules run, a visible failure recorded (rulesrec.c) */
static int run_verb(struct conn *c, int argc, char **argv)
{
	struct rules_watch w;
	int rc;

	rules_watch_start(&w);
	rc = run_verb_here(c, argc, argv);
	rules_watch_end(&w, rc, argc, argv);
	return rc;
}

/* The verb the program name stands for, or NULL when it is masqctl */
static const char *alias_verb(const char *argv0)
{
	const char *base = strrchr(argv0, '/') ? strrchr(argv0, '/') + 1 : argv0;

	for (size_t k = 0; k < sizeof(aliases) / sizeof(aliases[0]); k++)
		if (!strcmp(base, aliases[k].name))
			return aliases[k].verb;
	return NULL;
}

int main(int argc, char **argv)
{
	struct conn c = { .path = getenv("MASQ_SOCKET"), .fd = -1 };
	const char *verb = argc ? alias_verb(argv[0]) : NULL;
	int rc = 2, first;

	if (!c.path || !*c.path)
		c.path = CTL_DEFAULT_SOCKET;
	if (verb) {
		argv[0] = (char *)verb;
		rc = run_verb(&c, argc, argv);
		conn_close(&c);
		return rc;
	}
	first = parse_opts(argc, argv, &c.path, &rc);
	if (first < 0)
		return rc;
	if (first == argc) {
		usage(stderr);
		return 2;
	}
	rc = refuse_typo(argv[first]);
	if (rc)
		return rc;
	rc = run_verb(&c, argc - first, argv + first);
	conn_close(&c);
	return rc;
}
