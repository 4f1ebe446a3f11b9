// SPDX-License-Identifier: MIT
/*
 * test_ctfilter.c - conntrack's command line (ct_cmdline_parse(),
 * src/engine/ctfilter.c) against what conntrack-tools 1.4.7 does
 *
 * Each case is a command line, split at blanks, and what it must give:
 * the command and filter, or conntrack's message and status 2. The
 * messages were taken from the real conntrack run in a scratch network
 * namespace (the lines masq deliberately words otherwise say so in
 * ctfilter.c's header).
 *
 * Prints "ok ctfilter/NAME" or "FAIL ctfilter/NAME: why" per case.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "masq/ctfilter.h"
#include "../lib/report.h"

#define MAX_WORDS	24

/**
 * struct want - a command line and what the parser must make of it
 * @line:	the words after "conntrack", blank-separated
 * @err:	conntrack's message, or NULL when the line is good
 * @cmd:	... the command letter
 * @has:	... the CTF_* bits set
 */
struct want {
	const char *line;
	const char *err;
	char cmd;
	uint32_t has;
};

static const struct want cases[] = {
	{ "-L", NULL, 'L', 0 },
	{ "--dump", NULL, 'L', 0 },
	{ "-L -p tcp --dport 8080", NULL, 'L', CTF_PROTO | CTF_DPORT },
	{ "-L -p tcp --orig-port-dst 8080", NULL, 'L', CTF_PROTO | CTF_DPORT },
	{ "-L -p udp --sport 53 --reply-port-src 1 --reply-port-dst 2", NULL,
	  'L', CTF_PROTO | CTF_SPORT | CTF_RSPORT | CTF_RDPORT },
	{ "-L -s 127.1 --dst 10.0.0.1 -r 1.2.3.4 -q 5.6.7.8", NULL, 'L',
	  CTF_SRC | CTF_DST | CTF_RSRC | CTF_RDST },
	{ "-L -p tcp --state TIME_WAIT", NULL, 'L', CTF_PROTO | CTF_STATE },
	{ "-L -p tcp --state LISTEN", NULL, 'L', CTF_PROTO | CTF_STATE },
	{ "-L --mark 0x10/0xf0", NULL, 'L', CTF_MARK },
	{ "-L -p icmp --icmp-id 7", NULL, 'L', CTF_PROTO | CTF_ICMP_ID },
	{ "-L -p 17", NULL, 'L', CTF_PROTO },
	{ "-L -p sctp", NULL, 'L', CTF_PROTO },
	{ "-L -o json -p tcp", NULL, 'L', CTF_PROTO },
	{ "-L expect", NULL, 'L', 0 },
	{ "-L conntrack -s 1.2.3.4", NULL, 'L', CTF_SRC },
	{ "-D", NULL, 'D', 0 },
	{ "-D -s 192.168.0.2", NULL, 'D', CTF_SRC },
	{ "-G -p tcp -s 1.1.1.1 -d 2.2.2.2 --sport 1 --dport 2", NULL, 'G',
	  CTF_PROTO | CTF_SRC | CTF_DST | CTF_SPORT | CTF_DPORT | CTF_GET },
	{ "-G -p icmp -s 1.1.1.1 -d 2.2.2.2 --icmp-type 8 --icmp-code 0 "
	  "--icmp-id 9", NULL, 'G', CTF_PROTO | CTF_SRC | CTF_DST |
	  CTF_ICMP_TYPE | CTF_ICMP_CODE | CTF_ICMP_ID | CTF_GET },
	{ "-F", NULL, 'F', 0 },
	{ "-C", NULL, 'C', 0 },
	{ "-C expect", NULL, 'C', 0 },
	{ "-E", NULL, 'E', 0 },
	/* refused as conntrack refuses them */
	{ "-L --dport 8080", "unknown option `--dport'", 0, 0 },
	{ "--sport 1 -p tcp -L", "unknown option `--sport'", 0, 0 },
	{ "-L -p icmp --sport 5", "unknown option `--sport'", 0, 0 },
	{ "-L -p udp --state ESTABLISHED", "unknown option `--state'", 0, 0 },
	{ "-L --bogus", "unknown option `--bogus'", 0, 0 },
	{ "-X", "unknown option `-X'", 0, 0 },
	{ "-L -p tcp --state FOO", "unknown TCP state `FOO'", 0, 0 },
	{ "-L -p tcp --state time_wait", "unknown TCP state `time_wait'", 0, 0 },
	{ "-L -s localhost", "Invalid IP address `localhost'", 0, 0 },
	{ "-L -s 1.2.3.4.5", "Invalid IP address `1.2.3.4.5'", 0, 0 },
	{ "-L -p foo", "`foo' unsupported protocol", 0, 0 },
	{ "-L -p 256", "`256' unsupported protocol", 0, 0 },
	{ "-L -p -1", "`-1' unsupported protocol", 0, 0 },
	{ "-L -s", "option `-s' requires an argument", 0, 0 },
	{ "-L -p tcp --sport", "option `--sport' requires an argument", 0, 0 },
	{ "-L -L", "Invalid commands combination", 0, 0 },
	{ "-L -D", "Invalid commands combination", 0, 0 },
	{ "-L extra", "unknown type `extra'", 0, 0 },
	{ "-C -p tcp", "Illegal option `--protonum' with this command", 0, 0 },
	{ "-C -s 1.2.3.4", "Illegal option `--src' with this command", 0, 0 },
	{ "-C -q 1.2.3.4", "Illegal option `--reply-dst' with this command",
	  0, 0 },
	{ "-F -p tcp --sport 1", "Illegal option `--protonum' with this command",
	  0, 0 },
	{ "-L -o foo", "Bad parameter `foo'", 0, 0 },
	{ "-G", "You need to supply the `--protonum' option for this command",
	  0, 0 },
	{ "-G -p tcp", "you have to specify `--src' and `--dst'", 0, 0 },
	{ "-G -s 1.1.1.1 -d 1.1.1.1 -p tcp",
	  "you have to specify `--sport' and `--dport'", 0, 0 },
	{ "-G -p udp -s 1.1.1.1 -d 1.1.1.1 --sport 1",
	  "you have to specify `--sport' and `--dport'", 0, 0 },
	{ "-G -p icmp -s 1.1.1.1 -d 1.1.1.1 --icmp-type 8",
	  "You need to supply the `--icmp-code' option for this command", 0, 0 },
	/* masq's own words: stricter than conntrack, or not in masq */
	{ "-L -p tcp --sport x", "invalid port `x'", 0, 0 },
	{ "-L -p tcp --sport 70000", "invalid port `70000'", 0, 0 },
	{ "-L --mark x", "Bad parameter `x'", 0, 0 },
	{ "-E -s 1.2.3.4", "option `--src': -E takes no filter in masq", 0, 0 },
	{ "-D expect", "the expect table: only -L and -C in masq", 0, 0 },
	{ "", "no command specified", 0, 0 },
};

/* One case: its line parsed, and compared; Return: 0 or -1 with why */
static int check_case(const struct want *w, struct ct_cmdline *c)
{
	char store[256], err[CTF_ERR_MAX] = "";
	char *words[MAX_WORDS] = { "conntrack" };
	int n = 1, rc;

	snprintf(store, sizeof(store), "%s", w->line);
	for (char *t = strtok(store, " "); t && n < MAX_WORDS; t = strtok(NULL, " "))
		words[n++] = t;
	rc = ct_cmdline_parse(n, words, c, err, sizeof(err));
	if (w->err) {
		if (rc != 2 || strcmp(err, w->err))
			return report_failf("'%s': status %d, '%s'; want 2, '%s'",
					    w->line, rc, err, w->err);
		return 0;
	}
	if (rc)
		return report_failf("'%s' refused: %s", w->line, err);
	if (c->cmd != w->cmd || c->f.has != w->has)
		return report_failf("'%s': command %c, filter 0x%x; want %c, 0x%x",
				    w->line, c->cmd ? c->cmd : '-', c->f.has,
				    w->cmd, w->has);
	return 0;
}

/* The values themselves, for a few lines */
static int check_values(void)
{
	char *a[] = { "conntrack", "-L", "-p", "tcp", "-s", "127.1", "--sport",
		      "65535", "--state", "ESTABLISHED", "-m", "0x10/0xf0" };
	char *b[] = { "conntrack", "-L", "-p", "tcp", "--state", "SYN_SENT2",
		      "-o", "json" };
	char *x[] = { "conntrack", "-C", "expect" };
	char err[CTF_ERR_MAX];
	struct ct_cmdline c;

	if (ct_cmdline_parse(12, a, &c, err, sizeof(err)))
		return report_failf("refused: %s", err);
	if (c.f.proto != 6 || c.f.src != htonl(0x7f000001) ||
	    c.f.sport != 65535 || c.f.state != 3 || c.f.mark != 0x10 ||
	    c.f.mark_mask != 0xf0)
		return report_failf("proto %u src %08x sport %u state %u mark "
				    "%x/%x", c.f.proto, ntohl(c.f.src), c.f.sport,
				    c.f.state, c.f.mark, c.f.mark_mask);
	if (ct_cmdline_parse(8, b, &c, err, sizeof(err)) ||
	    c.f.state != CTF_STATE_NEVER || !c.json)
		return report_failf("SYN_SENT2: state %u json %d", c.f.state,
				    c.json);
	if (ct_cmdline_parse(3, x, &c, err, sizeof(err)) || !c.expect)
		return report_failf("-C expect: not the expect table");
	return 0;
}

int main(void)
{
	struct ct_cmdline c;
	int bad = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		report_why_clear();
		if (check_case(&cases[i], &c)) {	/* each wrong line said */
			report_case("ctfilter", "lines", -1);
			bad++;
		}
	}
	if (!bad)
		report_case("ctfilter", "lines", 0);
	report_why_clear();
	report_case("ctfilter", "values", check_values());
	return report_failures() ? 1 : 0;
}
