// SPDX-License-Identifier: MIT
/*
 * acct.c - masqctl ipacct-dump [-t TABLE] [CHAIN...]
 *
 * IP accounting the iptables way: rules without a target in chains that
 * count (by default acctin and acctout in filter), read and zeroed at
 * each interval by a cron job. ipacct-dump does both in one request,
 *
 *	iptables-save -c -t TABLE --zero CHAIN ...
 *
 * so masqd makes the text and zeroes those chains in one step: a packet
 * is counted in exactly one dump. A chain that does not exist makes masqd
 * refuse the whole request, zeroing nothing; ipacct-dump passes its
 * message on and exits 1 (and checks the text again, in case a masqd
 * answered without it).
 *
 * Output: a first line
 *
 *	# ipacct-dump 2026-11-25T22:09:02Z 1795644542
 *
 * (the time the answer arrived: ISO 8601 UTC, then seconds since the
 * epoch), then each chain as `iptables -t TABLE -L CHAIN -n -v -x` prints
 * it, a blank line between chains.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "masqctl/masqctl.h"

#define PROG	"ipacct-dump"

static char *default_chains[] = { "acctin", "acctout" };

static const struct option long_opts[] = {
	{ "table", required_argument, NULL, 't' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void help(void)
{
	printf("usage: ipacct-dump [-t TABLE] [CHAIN...]\n"
	       "List accounting chains (default acctin acctout in filter) as "
	       "iptables -L -n -v -x\nand zero them in the same step; the first "
	       "line is the time. See masqctl(8).\n");
}

/* Options; returns the index of the first chain, or -1 (exit with *rc) */
static int parse_opts(int argc, char **argv, int *table, int *rc)
{
	int c;

	*table = IPT_FILTER;
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+:t:h", long_opts, NULL)) != -1) {
		if (c == 'h') {
			help();
			*rc = 0;
			return -1;
		}
		if (c == 't' && (*table = ipt_table_by_name(optarg)) >= 0)
			continue;
		if (c == 't')
			fprintf(stderr, PROG ": table '%s' does not exist (masq has "
				"filter, nat, mangle, raw)\n", optarg);
		else if (c == ':')
			fprintf(stderr, PROG ": option '%s' needs an argument\n",
				argv[optind - 1]);
		else
			fprintf(stderr, PROG ": unknown option '%s'\n",
				argv[optind - 1]);
		*rc = 2;
		return -1;
	}
	for (int i = optind; i < argc; i++) {
		if (strlen(argv[i]) > IPT_CHAIN_MAXLEN || !argv[i][0]) {
			fprintf(stderr, PROG ": '%s' is not a chain name (1 to %d "
				"characters)\n", argv[i], IPT_CHAIN_MAXLEN);
			*rc = 2;
			return -1;
		}
	}
	return optind;
}

/* The first line: now in ISO 8601 UTC and in seconds since the epoch */
static void time_line(struct ipt_text *out)
{
	time_t now = time(NULL);
	char iso[32] = "?";
	struct tm tm;

	if (gmtime_r(&now, &tm))
		strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
	ipt_text_printf(out, "# " PROG " %s %lld\n", iso, (long long)now);
}

/* Each chain as -L CHAIN -n -v -x; 0, or 1 after naming a missing chain */
static int list_chains(struct ipt_ruleset *rs, int table, char *const *chains,
		       int n, struct ipt_text *out)
{
	unsigned opts = IPT_OPT_NUMERIC | IPT_OPT_VERBOSE | IPT_OPT_EXACT;
	struct ipt_err err = { { 0 } };

	for (int i = 0; i < n; i++) {
		if (!ipt_chain_find(&rs->t[table], chains[i])) {
			fprintf(stderr, PROG ": no chain '%s' in table %s\n",
				chains[i], ipt_table_name(table));
			return 1;
		}
		if (i)
			ipt_text_printf(out, "\n");
		if (ipt_print_L(&rs->t[table], chains[i], opts, NULL, out, &err)) {
			fprintf(stderr, PROG ": %s\n", err.msg);
			return 1;
		}
	}
	return 0;
}

/**
 * acct_main() - masqctl ipacct-dump
 * @c:		connection to masqd
 * @argc:	words, from the verb
 * @argv:	argv[0] is "ipacct-dump", then options and chains
 *
 * Return: 0; 1 when a chain does not exist (nothing is zeroed then) or
 * masqd is not reached; 2 for a bad option or chain name
 */
int acct_main(struct conn *c, int argc, char **argv)
{
	struct ipt_text out = { 0 };
	struct ipt_ruleset *rs;
	struct fetch f = { .counters = true };
	int first, ret = 2;

	first = parse_opts(argc, argv, &f.table, &ret);
	if (first < 0)
		return ret;
	f.zero = first < argc ? argv + first : default_chains;
	f.nzero = first < argc ? argc - first : 2;
	ret = remote_fetch(c, PROG, &f, &rs, NULL, NULL);
	if (ret)
		return ret;
	time_line(&out);
	ret = list_chains(rs, f.table, f.zero, f.nzero, &out);
	if (!ret)
		ret = out_text(PROG, &out);
	ipt_text_free(&out);
	ipt_ruleset_free(rs);
	return ret;
}
