// SPDX-License-Identifier: MIT
/*
 * test_ipt_parse.c - the iptables language parser: ipt_parse(),
 *		      ipt_cmd_format(), ipt_split(), ipt_text, the resolver
 *
 * Table-driven: each accepted command is given with the canonical words
 * ipt_cmd_format() must print for it, and then goes round the loop
 * (format -> split -> parse with no resolver) and must come back equal,
 * byte for byte. Each refused command is given with a piece of the error
 * message, which must name what is wrong. The expectations about what
 * iptables accepts, refuses and in which order it saves matches were
 * observed on iptables-legacy 1.8.9 (see the header of src/ipt/parse.c).
 * A randomized part builds commands from valid pieces in random order
 * (seed printed; MASQ_SEED=N repeats a run) and checks the same loop for
 * every one that parses. The system resolver is tried only on names
 * /etc/hosts, /etc/services and /etc/protocols hold (no DNS wait).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ipt/ipt.h"
#include "../lib/report.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

/* ---- a resolver with a few fixed names ----------------------------------- */

static int fake_host(const char *name, uint32_t *addrs, int max)
{
	static const uint32_t two[] = { IP4(192, 0, 2, 1), IP4(192, 0, 2, 2) };
	int n = 0;

	if (!strcmp(name, "one.example")) {
		if (max >= 1)
			addrs[n++] = IP4(198, 51, 100, 7);
		return n;
	}
	if (!strcmp(name, "two.example")) {
		for (; n < 2 && n < max; n++)
			addrs[n] = two[n];
		return n;
	}
	if (!strcmp(name, "eight.example")) {
		for (; n < 8 && n < max; n++)
			addrs[n] = IP4(203, 0, 113, n + 1);
		return n;
	}
	return -1;
}

static int fake_service(const char *name, const char *proto, uint16_t *port)
{
	if (!strcmp(name, "ssh") && (!proto || !strcmp(proto, "tcp")))
		*port = 22;
	else if (!strcmp(name, "http") && (!proto || !strcmp(proto, "tcp")))
		*port = 80;
	else if (!strcmp(name, "domain") && (!proto || !strcmp(proto, "udp")))
		*port = 53;
	else
		return -1;
	return 0;
}

static int fake_proto(const char *name, uint8_t *proto)
{
	if (strcmp(name, "gre"))
		return -1;
	*proto = 47;
	return 0;
}

static const struct ipt_resolver fake = {
	.host = fake_host, .service = fake_service, .proto = fake_proto,
};

/* ---- helpers --------------------------------------------------------------- */

#define MAX_WORDS	160

/* A test name from a command line: control characters become '?' */
static void name_of(char *name, size_t len, const char *what, const char *line)
{
	snprintf(name, len, "%s %s", what, line);
	for (char *c = name; *c; c++)
		if ((unsigned char)*c < 0x20)
			*c = '?';
}

/* Split @line and parse it; -2 when the split itself fails */
static int parse_line(const char *line, const struct ipt_resolver *res,
		      struct ipt_cmd *c, struct ipt_err *e)
{
	static char store[8192];
	char *w[MAX_WORDS];
	int n = ipt_split(line, w, MAX_WORDS, store, sizeof(store), e);

	if (n < 0)
		return -2;
	return ipt_parse(n, w, res, c, e);
}

/* The first byte where two commands differ, or -1 */
static long cmd_diff(const struct ipt_cmd *a, const struct ipt_cmd *b)
{
	const unsigned char *x = (const void *)a, *y = (const void *)b;

	for (size_t i = 0; i < sizeof(*a); i++)
		if (x[i] != y[i])
			return (long)i;
	return -1;
}

/*
 * format -> split -> parse (no resolver) for each line; line k of a
 * command with several addresses must equal @c with address pair k only.
 */
static int roundtrip(const struct ipt_cmd *c, char *why, size_t len)
{
	uint32_t ns = c->nsrc ? c->nsrc : 1, nd = c->ndst ? c->ndst : 1;
	struct ipt_text t = { 0 };
	uint32_t k = 0;
	char *line;
	int ret = 0;

	ipt_cmd_format(c, &t);
	if (t.oom || !t.s) {
		snprintf(why, len, "format gave no text");
		ipt_text_free(&t);
		return -1;
	}
	for (line = strtok(t.s, "\n"); line; line = strtok(NULL, "\n"), k++) {
		struct ipt_cmd back, want = *c;
		struct ipt_err e;
		long d;

		if (k >= ns * nd) {
			snprintf(why, len, "more lines than %u", ns * nd);
			ret = -1;
			break;
		}
		if (c->nsrc) {
			memset(want.srcs, 0, sizeof(want.srcs));
			want.nsrc = 1;
			memset(want.smsks, 0, sizeof(want.smsks));
			want.srcs[0] = want.rule.src = c->srcs[k / nd];
			want.smsks[0] = want.rule.smsk = c->smsks[k / nd];
		}
		if (c->ndst) {
			memset(want.dsts, 0, sizeof(want.dsts));
			want.ndst = 1;
			memset(want.dmsks, 0, sizeof(want.dmsks));
			want.dsts[0] = want.rule.dst = c->dsts[k % nd];
			want.dmsks[0] = want.rule.dmsk = c->dmsks[k % nd];
		}
		if (parse_line(line, NULL, &back, &e)) {
			snprintf(why, len, "'%s' does not parse back: %s", line,
				 e.msg);
			ret = -1;
			break;
		}
		d = cmd_diff(&want, &back);
		if (d >= 0) {
			snprintf(why, len, "'%s' parses back different at "
				 "byte %ld", line, d);
			ret = -1;
			break;
		}
	}
	if (!ret && k != ns * nd) {
		snprintf(why, len, "%u lines, want %u", k, ns * nd);
		ret = -1;
	}
	ipt_text_free(&t);
	return ret;
}

/* Parse @line, compare the canonical words with @want, go round the loop */
static void expect_ok(const char *line, const struct ipt_resolver *res,
		      const char *want, struct ipt_cmd *out)
{
	char name[300], why[512];
	struct ipt_text t = { 0 };
	struct ipt_cmd c;
	struct ipt_err e;

	name_of(name, sizeof(name), "parse", line);
	if (parse_line(line, res, &c, &e)) {
		report_checkf(name, 0, "refused: %s", e.msg);
		return;
	}
	ipt_cmd_format(&c, &t);
	if (!t.s || strcmp(t.s, want)) {
		report_checkf(name, 0, "format gave '%s', want '%s'",
			      t.s ? t.s : "", want);
		ipt_text_free(&t);
		return;
	}
	ipt_text_free(&t);
	if (roundtrip(&c, why, sizeof(why))) {
		report_checkf(name, 0, "round trip: %s", why);
		return;
	}
	report_checkf(name, 1, NULL);
	if (out)
		*out = c;
}

/* Parse @line and expect a refusal whose message holds @want */
static void expect_err(const char *line, const struct ipt_resolver *res,
		       const char *want)
{
	char name[300];
	struct ipt_cmd c;
	struct ipt_err e;
	int ret;

	name_of(name, sizeof(name), "refuse", line);
	ret = parse_line(line, res, &c, &e);
	if (!ret) {
		struct ipt_text t = { 0 };

		ipt_cmd_format(&c, &t);
		report_checkf(name, 0, "accepted as '%s'", t.s ? t.s : "");
		ipt_text_free(&t);
		return;
	}
	report_checkf(name, strstr(e.msg, want) && !strchr(e.msg, '\n'),
		      "message '%s' does not say '%s'", e.msg, want);
}

/* ---- accepted commands ------------------------------------------------------ */

struct ok_case {
	const char *line, *want;
};

static const struct ok_case commands[] = {
	{ "-A INPUT", "-A INPUT" },
	{ "--append INPUT -j ACCEPT", "-A INPUT -j ACCEPT" },
	{ "--app INPUT -j ACCEPT", "-A INPUT -j ACCEPT" },
	{ "-AINPUT -j ACCEPT", "-A INPUT -j ACCEPT" },
	{ "-AINPUT -vp tcp", "-A INPUT -v -p tcp" },
	{ "-t mangle -A FORWARD -p tcp --syn -j TCPMSS --set-mss 1000 --clamp-mss-to-pmtu",
	  "-t mangle -A FORWARD -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j TCPMSS --clamp-mss-to-pmtu" },
	{ "-I INPUT -j DROP", "-I INPUT -j DROP" },
	{ "-I INPUT 3 -j DROP", "-I INPUT 3 -j DROP" },
	{ "--insert INPUT 0x2", "-I INPUT 2" },
	{ "-I INPUT 010", "-I INPUT 8" },
	{ "-j ACCEPT -I INPUT 1", "-I INPUT 1 -j ACCEPT" },
	{ "-D INPUT -p tcp -j ACCEPT", "-D INPUT -p tcp -j ACCEPT" },
	{ "-D INPUT 4", "-D INPUT 4" },
	{ "-R FORWARD 2 -s 10.0.0.1 -j DROP",
	  "-R FORWARD 2 -s 10.0.0.1/32 -j DROP" },
	{ "-C OUTPUT -d 10.0.0.0/8 -j ACCEPT", "-C OUTPUT -d 10.0.0.0/8 -j ACCEPT" },
	{ "-C INPUT", "-C INPUT" },
	{ "-L", "-L" },
	{ "-L INPUT -n -v -x --line-numbers", "-L INPUT -n -v -x --line-numbers" },
	{ "-nvL", "-L -n -v" },
	{ "-L -nv", "-L -n -v" },
	{ "-Lnv", "-L nv" },		/* iptables too: chain "nv" */
	{ "-L INPUT 2", "-L INPUT 2" },
	{ "-L -Z", "-L -Z" },
	{ "-Z -L FORWARD", "-L FORWARD -Z" },
	{ "-L INPUT 1 -Z", "-L INPUT 1 -Z" },
	{ "-Z INPUT 1 -L", "-L INPUT 1 -Z" },
	{ "-L -Z -n -x", "-L -Z -n -x" },
	{ "-S", "-S" },
	{ "-S INPUT 1", "-S INPUT 1" },
	{ "-S -Z", "-S -Z" },
	{ "-S INPUT -v", "-S INPUT -v" },
	{ "-F", "-F" },
	{ "--flush INPUT", "-F INPUT" },
	{ "-F -v", "-F -v" },
	{ "-Z", "-Z" },
	{ "-Z INPUT 3", "-Z INPUT 3" },
	{ "-N mychain", "-N mychain" },
	{ "--new x-y.z", "-N x-y.z" },
	{ "-N accept", "-N accept" },
	{ "-N 0123456789012345678901234567", "-N 0123456789012345678901234567" },
	{ "-X", "-X" },
	{ "-X mychain", "-X mychain" },
	{ "-E old new", "-E old new" },
	{ "-P INPUT DROP", "-P INPUT DROP" },
	{ "-P FORWARD ACCEPT -c 10 20", "-P FORWARD ACCEPT -c 10 20" },
	{ "-t nat -L", "-t nat -L" },
	{ "-tmangle -F", "-t mangle -F" },
	{ "--table=nat -F", "-t nat -F" },
	{ "-t nat -t filter -L", "-L" },	/* the last -t wins */
	{ "-t filter -L", "-L" },
	{ "-w -A INPUT", "-A INPUT" },
	{ "-w 5 -L", "-L" },
	{ "-w5 -L", "-L" },
	{ "--wait=5 -L", "-L" },
	{ "-L -w -W 100", "-L" },
	{ "-W 100 -L", "-L" },
	{ "-4 -L", "-L" },
	{ "-v -A INPUT -j ACCEPT", "-A INPUT -v -j ACCEPT" },
	{ "-A INPUT -c 1 2 -j ACCEPT", "-A INPUT -j ACCEPT -c 1 2" },
	{ "-A INPUT --set-counters 0x10 010", "-A INPUT -c 16 8" },
	{ "-A INPUT -c 18446744073709551615 0",
	  "-A INPUT -c 18446744073709551615 0" },
	{ "-I INPUT 2 -c 0 7", "-I INPUT 2 -c 0 7" },
};

static const struct ok_case rules[] = {
	{ "-A INPUT -j ACCEPT -i eth0 -d 1.2.3.4/32",
	  "-A INPUT -d 1.2.3.4/32 -i eth0 -j ACCEPT" },
	{ "-A INPUT -s 1.2.3.4/24", "-A INPUT -s 1.2.3.0/24" },
	{ "-A INPUT -s 1.2.3.4/255.255.0.0", "-A INPUT -s 1.2.0.0/16" },
	{ "-A INPUT --src 1.2.3.4/0x18", "-A INPUT -s 1.2.3.0/24" },
	{ "-A INPUT -s 1.2.3.4/024", "-A INPUT -s 1.2.0.0/20" },
	{ "-A INPUT -s 0/0", "-A INPUT -s 0.0.0.0/0" },
	{ "-A INPUT -s 1.2.3.4/0", "-A INPUT -s 0.0.0.0/0" },
	{ "-A INPUT -s 10", "-A INPUT -s 10.0.0.0/32" },
	{ "-A INPUT -s 127.1", "-A INPUT -s 127.1.0.0/32" },
	{ "-A INPUT -s 010.1.1.1", "-A INPUT -s 8.1.1.1/32" },
	{ "-A INPUT -s 0x10.1.1.1", "-A INPUT -s 16.1.1.1/32" },
	{ "-A INPUT -s 10.0.0.1/255.255.255.255", "-A INPUT -s 10.0.0.1/32" },
	{ "-A INPUT ! -s 1.2.3.4 ! -d 5.6.7.0/24",
	  "-A INPUT ! -s 1.2.3.4/32 ! -d 5.6.7.0/24" },
	{ "-A INPUT ! --dst 0/0", "-A INPUT ! -d 0.0.0.0/0" },
	{ "-A INPUT -d 1.2.3.4/255.0.255.0", "-A INPUT -d 1.0.3.0/255.0.255.0" },
	{ "-A INPUT --destination 1.2.3.4/1.2.3.4",
	  "-A INPUT -d 1.2.3.4/1.2.3.4" },
	{ "-A INPUT -s 1.2.3.4,5.6.7.8 -d 9.9.9.9,8.8.8.8 -j DROP",
	  "-A INPUT -s 1.2.3.4/32 -d 9.9.9.9/32 -j DROP\n"
	  "-A INPUT -s 1.2.3.4/32 -d 8.8.8.8/32 -j DROP\n"
	  "-A INPUT -s 5.6.7.8/32 -d 9.9.9.9/32 -j DROP\n"
	  "-A INPUT -s 5.6.7.8/32 -d 8.8.8.8/32 -j DROP" },
	{ "-A INPUT -s 1.2.3.4/24,1.2.3.5/24",
	  "-A INPUT -s 1.2.3.0/24\n-A INPUT -s 1.2.3.0/24" },
	{ "-A INPUT -s 1.1.1.1,2.2.2.2,3.3.3.3,4.4.4.4,5.5.5.5,6.6.6.6,"
	  "7.7.7.7,8.8.8.8",
	  "-A INPUT -s 1.1.1.1/32\n-A INPUT -s 2.2.2.2/32\n"
	  "-A INPUT -s 3.3.3.3/32\n-A INPUT -s 4.4.4.4/32\n"
	  "-A INPUT -s 5.5.5.5/32\n-A INPUT -s 6.6.6.6/32\n"
	  "-A INPUT -s 7.7.7.7/32\n-A INPUT -s 8.8.8.8/32" },
	{ "-A FORWARD -i eth+ ! -o ppp0", "-A FORWARD -i eth+ ! -o ppp0" },
	{ "-A FORWARD --in-interface eth0 --out-interface eth1",
	  "-A FORWARD -i eth0 -o eth1" },
	{ "-A FORWARD -i 0123456789abcde", "-A FORWARD -i 0123456789abcde" },
	{ "-A FORWARD -i +", "-A FORWARD -i +" },
	{ "-A INPUT -s 1.2.3.4/24,5.6.7.8 -j ACCEPT",
	  "-A INPUT -s 1.2.3.0/24 -j ACCEPT\n-A INPUT -s 5.6.7.8/32 -j ACCEPT" },
	{ "-A FORWARD ! -i +", "-A FORWARD ! -i +" },
	{ "-A FORWARD -i e+th -o eth:0", "-A FORWARD -i e+th -o eth:0" },
	{ "-A INPUT -p TCP", "-A INPUT -p tcp" },
	{ "-A INPUT -p 6", "-A INPUT -p tcp" },
	{ "-A INPUT -p 0x11", "-A INPUT -p udp" },
	{ "-A INPUT --protocol icmp", "-A INPUT -p icmp" },
	{ "-A INPUT -p all", "-A INPUT" },
	{ "-A INPUT -p 0", "-A INPUT" },
	{ "-A INPUT -p 47", "-A INPUT -p 47" },
	{ "-A INPUT -p 255", "-A INPUT -p 255" },
	{ "-A INPUT ! -p icmp", "-A INPUT ! -p icmp" },
	{ "-A INPUT -f", "-A INPUT -f" },
	{ "-A INPUT ! --fragment", "-A INPUT ! -f" },
	{ "-A INPUT -f -p tcp --dport 1", "-A INPUT -p tcp -f -m tcp --dport 1" },
	{ "-A INPUT -j mychain", "-A INPUT -j mychain" },
	{ "-A INPUT -j MYCHAIN", "-A INPUT -j MYCHAIN" },
	{ "-A INPUT -j accept", "-A INPUT -j accept" },
	{ "-A INPUT --jump PREROUTING", "-A INPUT -j PREROUTING" },
	{ "-A INPUT -g mychain", "-A INPUT -g mychain" },
	{ "-A INPUT --goto x", "-A INPUT -g x" },
	{ "-A INPUT -j RETURN", "-A INPUT -j RETURN" },
	{ "-A INPUT -j DROP", "-A INPUT -j DROP" },
	{ "-A INPUT -j 0123456789012345678901234567",
	  "-A INPUT -j 0123456789012345678901234567" },
};

static const struct ok_case protocol_matches[] = {
	{ "-A INPUT -p tcp --dport 22", "-A INPUT -p tcp -m tcp --dport 22" },
	{ "-A INPUT -p tcp ! --tcp-option 8 --dport 4",
	  "-A INPUT -p tcp -m tcp --dport 4 ! --tcp-option 8" },
	{ "-A INPUT -p tcp --destination-port 22:",
	  "-A INPUT -p tcp -m tcp --dport 22:65535" },
	{ "-A INPUT -p tcp --dport :22", "-A INPUT -p tcp -m tcp --dport 0:22" },
	{ "-A INPUT -p tcp --dport :", "-A INPUT -p tcp -m tcp --dport 0:65535" },
	{ "-A INPUT -p tcp --dport 22:22", "-A INPUT -p tcp -m tcp --dport 22" },
	{ "-A INPUT -p tcp --dport 0x16:0x17",
	  "-A INPUT -p tcp -m tcp --dport 22:23" },
	{ "-A INPUT -p tcp --dport 022", "-A INPUT -p tcp -m tcp --dport 18" },
	{ "-A INPUT -p tcp --dport 0", "-A INPUT -p tcp -m tcp --dport 0" },
	{ "-A INPUT -p tcp --dport 65535",
	  "-A INPUT -p tcp -m tcp --dport 65535" },
	{ "-A INPUT -p tcp ! --dport 22 ! --sport 1:2 ! --syn",
	  "-A INPUT -p tcp -m tcp ! --sport 1:2 ! --dport 22 "
	  "! --tcp-flags FIN,SYN,RST,ACK SYN" },
	{ "-A INPUT -p tcp --source-port 1024",
	  "-A INPUT -p tcp -m tcp --sport 1024" },
	{ "-A INPUT -p tcp --syn", "-A INPUT -p tcp -m tcp --tcp-flags "
	  "FIN,SYN,RST,ACK SYN" },
	{ "-A INPUT -p tcp --tcp-flags syn,ack ack",
	  "-A INPUT -p tcp -m tcp --tcp-flags SYN,ACK ACK" },
	{ "-A INPUT -p tcp --tcp-flags ALL NONE",
	  "-A INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,PSH,ACK,URG NONE" },
	{ "-A INPUT -p tcp --tcp-flags NONE NONE",
	  "-A INPUT -p tcp -m tcp --tcp-flags NONE NONE" },
	{ "-A INPUT -p tcp --tcp-flags SYN,,ACK SYN",
	  "-A INPUT -p tcp -m tcp --tcp-flags SYN,ACK SYN" },
	{ "-A INPUT -p tcp --tcp-flags SYN,ALL PSH,URG",
	  "-A INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,PSH,ACK,URG PSH,URG" },
	{ "-A INPUT -p tcp --tcp-f SYN SYN",
	  "-A INPUT -p tcp -m tcp --tcp-flags SYN SYN" },
	{ "-A INPUT -p udp --sport 53", "-A INPUT -p udp -m udp --sport 53" },
	{ "-A INPUT -p udp -m udp --dport 1:2 --sport 3",
	  "-A INPUT -p udp -m udp --sport 3 --dport 1:2" },
	{ "-A INPUT -m tcp -p tcp --dport 1", "-A INPUT -p tcp -m tcp --dport 1" },
	{ "-A INPUT -m tcp --dport 1 -p tcp", "-A INPUT -p tcp -m tcp --dport 1" },
	{ "-A INPUT -p tcp -m tcp", "-A INPUT -p tcp -m tcp" },
	{ "-A INPUT -p tcp -m tcp -m tcp --dport 1",
	  "-A INPUT -p tcp -m tcp -m tcp --dport 1" },
	{ "-A INPUT -p tcp --dport 22 -m tcp --sport 1",
	  "-A INPUT -p tcp -m tcp --dport 22 -m tcp --sport 1" },
	{ "-A INPUT -p tcp -m tcp --dport 22 -m tcp --sport 1 --dport 3",
	  "-A INPUT -p tcp -m tcp --dport 22 -m tcp --sport 1 --dport 3" },
	{ "-A INPUT -p tcp -m tcp --dport 22 -m comment --comment x --sport 1",
	  "-A INPUT -p tcp -m tcp --sport 1 --dport 22 -m comment --comment x" },
	/* iptables-save: the implicit match sits where its first option is */
	{ "-A INPUT -m state --state NEW -p tcp --dport 22 -j ACCEPT",
	  "-A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT" },
	{ "-A INPUT -p tcp --dport 22 -m state --state NEW -j ACCEPT",
	  "-A INPUT -p tcp -m tcp --dport 22 -m state --state NEW -j ACCEPT" },
	{ "-A INPUT -m comment --comment x -p tcp --dport 22 -j ACCEPT",
	  "-A INPUT -p tcp -m comment --comment x -m tcp --dport 22 -j ACCEPT" },
	{ "-A INPUT -j ACCEPT -p udp -m limit --limit 1/s --sport 53 "
	  "-s 10.0.0.0/8 -m mark --mark 1",
	  "-A INPUT -s 10.0.0.0/8 -p udp -m limit --limit 1/sec -m udp "
	  "--sport 53 -m mark --mark 0x1 -j ACCEPT" },
	{ "-A INPUT -p icmp -m state --state NEW --icmp-type 8 -m limit",
	  "-A INPUT -p icmp -m state --state NEW -m icmp --icmp-type 8 "
	  "-m limit" },
	{ "-A INPUT -m tcp -m state --state NEW -p tcp --dport 1",
	  "-A INPUT -p tcp -m tcp --dport 1 -m state --state NEW" },
	{ "-A INPUT -p tcp -m multiport --dports 1,2 --syn -m mac "
	  "--mac-source 00:00:00:00:00:01",
	  "-A INPUT -p tcp -m multiport --dports 1,2 -m tcp --tcp-flags "
	  "FIN,SYN,RST,ACK SYN -m mac --mac-source 00:00:00:00:00:01" },
	{ "-t mangle -A FORWARD -o eth0 -p tcp -j TCPMSS --clamp-mss-to-pmtu "
	  "--tcp-flags SYN,RST SYN",
	  "-t mangle -A FORWARD -o eth0 -p tcp -m tcp --tcp-flags SYN,RST SYN "
	  "-j TCPMSS --clamp-mss-to-pmtu" },
	{ "-A INPUT -p tcp --dport=22", "-A INPUT -p tcp -m tcp --dport 22" },
	{ "-A INPUT -p tcp --dpo 1", "-A INPUT -p tcp -m tcp --dport 1" },
	{ "-A INPUT -p tcp --destination-p 2", "-A INPUT -p tcp -m tcp --dport 2" },
	{ "-A INPUT -p tcp --sp 2", "-A INPUT -p tcp -m tcp --sport 2" },
	{ "-A INPUT -p icmp --icmp-type 8", "-A INPUT -p icmp -m icmp --icmp-type 8" },
	{ "-A INPUT -p icmp --icmp 8", "-A INPUT -p icmp -m icmp --icmp-type 8" },
	{ "-A INPUT -p icmp --icmp-type echo-request",
	  "-A INPUT -p icmp -m icmp --icmp-type 8" },
	{ "-A INPUT -p icmp --icmp-type ping",
	  "-A INPUT -p icmp -m icmp --icmp-type 8" },
	{ "-A INPUT -p icmp --icmp-type ECHO-REQUEST",
	  "-A INPUT -p icmp -m icmp --icmp-type 8" },
	{ "-A INPUT -p icmp --icmp-type pong",
	  "-A INPUT -p icmp -m icmp --icmp-type 0" },
	{ "-A INPUT -p icmp --icmp-type echo-reply",
	  "-A INPUT -p icmp -m icmp --icmp-type 0" },
	{ "-A INPUT -p icmp --icmp-type any",
	  "-A INPUT -p icmp -m icmp --icmp-type 255" },
	{ "-A INPUT -p icmp --icmp-type 255",
	  "-A INPUT -p icmp -m icmp --icmp-type 255" },
	{ "-A INPUT -p icmp --icmp-type 3/3",
	  "-A INPUT -p icmp -m icmp --icmp-type 3/3" },
	{ "-A INPUT -p icmp --icmp-type 3/0x3",
	  "-A INPUT -p icmp -m icmp --icmp-type 3/3" },
	{ "-A INPUT -p icmp --icmp-type 0x8",
	  "-A INPUT -p icmp -m icmp --icmp-type 8" },
	{ "-A INPUT -p icmp --icmp-type 8/0",
	  "-A INPUT -p icmp -m icmp --icmp-type 8/0" },
	{ "-A INPUT -p icmp --icmp-type destination-unreachable",
	  "-A INPUT -p icmp -m icmp --icmp-type 3" },
	{ "-A INPUT -p icmp --icmp-type network-unreachable",
	  "-A INPUT -p icmp -m icmp --icmp-type 3/0" },
	{ "-A INPUT -p icmp --icmp-type host-unreachable",
	  "-A INPUT -p icmp -m icmp --icmp-type 3/1" },
	{ "-A INPUT -p icmp --icmp-type protocol-unreachable",
	  "-A INPUT -p icmp -m icmp --icmp-type 3/2" },
	{ "-A INPUT -p icmp --icmp-type port-unreachable",
	  "-A INPUT -p icmp -m icmp --icmp-type 3/3" },
	{ "-A INPUT -p icmp --icmp-type port",
	  "-A INPUT -p icmp -m icmp --icmp-type 3/3" },
	{ "-A INPUT -p icmp --icmp-type fragmentation-needed",
	  "-A INPUT -p icmp -m icmp --icmp-type 3/4" },
	{ "-A INPUT -p icmp --icmp-type source-route-failed",
	  "-A INPUT -p icmp -m icmp --icmp-type 3/5" },
	{ "-A INPUT -p icmp --icmp-type network-unknown",
	  "-A INPUT -p icmp -m icmp --icmp-type 3/6" },
	{ "-A INPUT -p icmp --icmp-type host-unknown",
	  "-A INPUT -p icmp -m icmp --icmp-type 3/7" },
	{ "-A INPUT -p icmp --icmp-type network-prohibited",
	  "-A INPUT -p icmp -m icmp --icmp-type 3/9" },
	{ "-A INPUT -p icmp --icmp-type host-prohibited",
	  "-A INPUT -p icmp -m icmp --icmp-type 3/10" },
	{ "-A INPUT -p icmp --icmp-type TOS-network-unreachable",
	  "-A INPUT -p icmp -m icmp --icmp-type 3/11" },
	{ "-A INPUT -p icmp --icmp-type tos-host-unreachable",
	  "-A INPUT -p icmp -m icmp --icmp-type 3/12" },
	{ "-A INPUT -p icmp --icmp-type communication-prohibited",
	  "-A INPUT -p icmp -m icmp --icmp-type 3/13" },
	{ "-A INPUT -p icmp --icmp-type host-precedence-violation",
	  "-A INPUT -p icmp -m icmp --icmp-type 3/14" },
	{ "-A INPUT -p icmp --icmp-type precedence-cutoff",
	  "-A INPUT -p icmp -m icmp --icmp-type 3/15" },
	{ "-A INPUT -p icmp --icmp-type source-quench",
	  "-A INPUT -p icmp -m icmp --icmp-type 4" },
	{ "-A INPUT -p icmp --icmp-type redirect",
	  "-A INPUT -p icmp -m icmp --icmp-type 5" },
	{ "-A INPUT -p icmp --icmp-type network-redirect",
	  "-A INPUT -p icmp -m icmp --icmp-type 5/0" },
	{ "-A INPUT -p icmp --icmp-type host-redirect",
	  "-A INPUT -p icmp -m icmp --icmp-type 5/1" },
	{ "-A INPUT -p icmp --icmp-type TOS-network-redirect",
	  "-A INPUT -p icmp -m icmp --icmp-type 5/2" },
	{ "-A INPUT -p icmp --icmp-type TOS-host-redirect",
	  "-A INPUT -p icmp -m icmp --icmp-type 5/3" },
	{ "-A INPUT -p icmp --icmp-type router-advertisement",
	  "-A INPUT -p icmp -m icmp --icmp-type 9" },
	{ "-A INPUT -p icmp --icmp-type router-solicitation",
	  "-A INPUT -p icmp -m icmp --icmp-type 10" },
	{ "-A INPUT -p icmp --icmp-type time-exceeded",
	  "-A INPUT -p icmp -m icmp --icmp-type 11" },
	{ "-A INPUT -p icmp --icmp-type ttl-exceeded",
	  "-A INPUT -p icmp -m icmp --icmp-type 11" },
	{ "-A INPUT -p icmp --icmp-type ttl-zero-during-transit",
	  "-A INPUT -p icmp -m icmp --icmp-type 11/0" },
	{ "-A INPUT -p icmp --icmp-type ttl-zero-during-reassembly",
	  "-A INPUT -p icmp -m icmp --icmp-type 11/1" },
	{ "-A INPUT -p icmp --icmp-type parameter-problem",
	  "-A INPUT -p icmp -m icmp --icmp-type 12" },
	{ "-A INPUT -p icmp --icmp-type ip-header-bad",
	  "-A INPUT -p icmp -m icmp --icmp-type 12/0" },
	{ "-A INPUT -p icmp --icmp-type required-option-missing",
	  "-A INPUT -p icmp -m icmp --icmp-type 12/1" },
	{ "-A INPUT -p icmp --icmp-type timestamp-request",
	  "-A INPUT -p icmp -m icmp --icmp-type 13" },
	{ "-A INPUT -p icmp --icmp-type timestamp-reply",
	  "-A INPUT -p icmp -m icmp --icmp-type 14" },
	{ "-A INPUT -p icmp --icmp-type address-mask-request",
	  "-A INPUT -p icmp -m icmp --icmp-type 17" },
	{ "-A INPUT -p icmp --icmp-type address-mask-reply",
	  "-A INPUT -p icmp -m icmp --icmp-type 18" },
	{ "-A INPUT -p icmp ! --icmp-type echo-reply",
	  "-A INPUT -p icmp -m icmp ! --icmp-type 0" },
	{ "-A INPUT -p 1 -m icmp --icmp-type 13",
	  "-A INPUT -p icmp -m icmp --icmp-type 13" },
};

static const struct ok_case modules[] = {
	{ "-A INPUT -m state --state new,Established",
	  "-A INPUT -m state --state NEW,ESTABLISHED" },
	{ "-A INPUT -m state --state NEW,NEW", "-A INPUT -m state --state NEW" },
	{ "-A INPUT -m state ! --state NEW,UNTRACKED,RELATED,INVALID",
	  "-A INPUT -m state ! --state INVALID,NEW,RELATED,UNTRACKED" },
	{ "-A INPUT -m state --state NEW -m state --state INVALID",
	  "-A INPUT -m state --state NEW -m state --state INVALID" },
	{ "-A INPUT -m conntrack --ctstate snat,dnat,new,untracked",
	  "-A INPUT -m conntrack --ctstate NEW,UNTRACKED,SNAT,DNAT" },
	{ "-A INPUT -m conntrack ! --ctstate RELATED,ESTABLISHED",
	  "-A INPUT -m conntrack ! --ctstate RELATED,ESTABLISHED" },
	{ "-A INPUT -p tcp -m multiport --dports 1,2:3,4",
	  "-A INPUT -p tcp -m multiport --dports 1,2:3,4" },
	{ "-A INPUT -p udp -m multiport --source-ports 2",
	  "-A INPUT -p udp -m multiport --sports 2" },
	{ "-A INPUT -p udp -m multiport --destination-ports 2",
	  "-A INPUT -p udp -m multiport --dports 2" },
	{ "-A INPUT -p tcp -m multiport ! --ports 0,65535",
	  "-A INPUT -p tcp -m multiport ! --ports 0,65535" },
	{ "-A INPUT -p udp -m multiport --ports 1,2,3,4,5,6,7,8,9,10,11,12,"
	  "13,14,15",
	  "-A INPUT -p udp -m multiport --ports 1,2,3,4,5,6,7,8,9,10,11,12,"
	  "13,14,15" },
	{ "-A INPUT -p udp -m multiport --ports 1,2,3,4,5,6,7,8,9,10,11,12,"
	  "13,14:15",
	  "-A INPUT -p udp -m multiport --ports 1,2,3,4,5,6,7,8,9,10,11,12,"
	  "13,14:15" },
	{ "-A INPUT -p tcp -m multiport --dports 0x16,1",
	  "-A INPUT -p tcp -m multiport --dports 22,1" },
	{ "-A INPUT -p udp -m multiport --ports 1,1",
	  "-A INPUT -p udp -m multiport --ports 1,1" },
	{ "-A INPUT -m mark --mark 1", "-A INPUT -m mark --mark 0x1" },
	{ "-A INPUT -m mark --mark 0x10/0xf0", "-A INPUT -m mark --mark 0x10/0xf0" },
	{ "-A INPUT -m mark ! --mark 017", "-A INPUT -m mark ! --mark 0xf" },
	{ "-A INPUT -m mark --mark 0X1F", "-A INPUT -m mark --mark 0x1f" },
	{ "-A INPUT -m mark --mark 4294967295/0",
	  "-A INPUT -m mark --mark 0xffffffff/0x0" },
	{ "-A INPUT -m limit", "-A INPUT -m limit" },
	{ "-A INPUT -m limit --limit 5/s", "-A INPUT -m limit --limit 5/sec" },
	{ "-A INPUT -m limit --limit 5/second --limit-burst 10",
	  "-A INPUT -m limit --limit 5/sec --limit-burst 10" },
	{ "-A INPUT -m limit --limit 5", "-A INPUT -m limit --limit 5/sec" },
	{ "-A INPUT -m limit --limit 5/m", "-A INPUT -m limit --limit 5/min" },
	{ "-A INPUT -m limit --limit 5/M", "-A INPUT -m limit --limit 5/min" },
	{ "-A INPUT -m limit --limit 3/minu", "-A INPUT -m limit --limit 3/min" },
	{ "-A INPUT -m limit --limit 7/min", "-A INPUT -m limit --limit 7/min" },
	{ "-A INPUT -m limit --limit 5/h", "-A INPUT -m limit --limit 5/hour" },
	{ "-A INPUT -m limit --limit 7/hour", "-A INPUT -m limit --limit 7/hour" },
	{ "-A INPUT -m limit --limit 1/HOUR", "-A INPUT -m limit --limit 1/hour" },
	{ "-A INPUT -m limit --limit 1/d --limit-burst 1",
	  "-A INPUT -m limit --limit 1/day --limit-burst 1" },
	{ "-A INPUT -m limit --limit 5/day", "-A INPUT -m limit --limit 5/day" },
	{ "-A INPUT -m limit --limit 10000/s",
	  "-A INPUT -m limit --limit 10000/sec" },
	{ "-A INPUT -m limit --limit 10000/min",
	  "-A INPUT -m limit --limit 166/sec" },
	{ "-A INPUT -m limit --limit 3/min --limit-burst 0x10",
	  "-A INPUT -m limit --limit 3/min --limit-burst 16" },
	{ "-A INPUT -m limit --limit 100/s --limit-burst 10000",
	  "-A INPUT -m limit --limit 100/sec --limit-burst 10000" },
	{ "-A INPUT -m mac --mac-source 00:11:22:aa:BB:cc",
	  "-A INPUT -m mac --mac-source 00:11:22:aa:bb:cc" },
	{ "-A INPUT -m mac ! --mac-source 0:1:2:3:4:5",
	  "-A INPUT -m mac ! --mac-source 00:01:02:03:04:05" },
	{ "-A INPUT -m comment --comment \"hello world\"",
	  "-A INPUT -m comment --comment \"hello world\"" },
	{ "-A INPUT -m comment --comment \"say \\\"hi\\\" \\\\ ok\"",
	  "-A INPUT -m comment --comment \"say \\\"hi\\\" \\\\ ok\"" },
	{ "-A INPUT -m comment --comment \"\"",
	  "-A INPUT -m comment --comment \"\"" },
	{ "-A INPUT -m comment --comment \"a\\'b\"",
	  "-A INPUT -m comment --comment \"a'b\"" },
	{ "-A INPUT -m comment --comment \"tab\there\"",
	  "-A INPUT -m comment --comment \"tab\there\"" },
	{ "-A INPUT -m comment --comment -x", "-A INPUT -m comment --comment -x" },
	{ "-A INPUT -m comment --comment !", "-A INPUT -m comment --comment !" },
};

static const struct ok_case targets[] = {
	{ "-A INPUT -j REJECT",
	  "-A INPUT -j REJECT --reject-with icmp-port-unreachable" },
	{ "-A INPUT -j REJECT --reject-with icmp-net-unreachable",
	  "-A INPUT -j REJECT --reject-with icmp-net-unreachable" },
	{ "-A INPUT -j REJECT --reject-with net-unreach",
	  "-A INPUT -j REJECT --reject-with icmp-net-unreachable" },
	{ "-A INPUT -j REJECT --reject-with host-unreach",
	  "-A INPUT -j REJECT --reject-with icmp-host-unreachable" },
	{ "-A INPUT -j REJECT --reject-with port-unreach",
	  "-A INPUT -j REJECT --reject-with icmp-port-unreachable" },
	{ "-A INPUT -j REJECT --reject-with proto-unreach",
	  "-A INPUT -j REJECT --reject-with icmp-proto-unreachable" },
	{ "-A INPUT -j REJECT --reject-with icmp-proto-unreachable",
	  "-A INPUT -j REJECT --reject-with icmp-proto-unreachable" },
	{ "-A INPUT -j REJECT --reject-with net-prohib",
	  "-A INPUT -j REJECT --reject-with icmp-net-prohibited" },
	{ "-A INPUT -j REJECT --reject-with host-prohib",
	  "-A INPUT -j REJECT --reject-with icmp-host-prohibited" },
	{ "-A INPUT -j REJECT --reject-with ICMP-HOST-PROHIBITED",
	  "-A INPUT -j REJECT --reject-with icmp-host-prohibited" },
	{ "-A INPUT -j REJECT --reject-with admin-prohib",
	  "-A INPUT -j REJECT --reject-with icmp-admin-prohibited" },
	{ "-A INPUT -j REJECT --reject-with icmp-admin-prohibited",
	  "-A INPUT -j REJECT --reject-with icmp-admin-prohibited" },
	{ "-A INPUT -j REJECT --reject-with icmp-p",
	  "-A INPUT -j REJECT --reject-with icmp-proto-unreachable" },
	{ "-A INPUT -j REJECT --reject-with icmp-port",
	  "-A INPUT -j REJECT --reject-with icmp-port-unreachable" },
	{ "-A INPUT -j REJECT --reject-with icmp-host",
	  "-A INPUT -j REJECT --reject-with icmp-host-unreachable" },
	{ "-A INPUT -p tcp -j REJECT --reject-with tcp-reset",
	  "-A INPUT -p tcp -j REJECT --reject-with tcp-reset" },
	{ "-A INPUT -p tcp -j REJECT --reject-with tcp-rst",
	  "-A INPUT -p tcp -j REJECT --reject-with tcp-reset" },
	{ "-A INPUT -j LOG", "-A INPUT -j LOG" },
	{ "-A INPUT -j LOG --log-prefix \"hello: \" --log-level 7 "
	  "--log-tcp-sequence --log-tcp-options --log-ip-options --log-uid "
	  "--log-macdecode",
	  "-A INPUT -j LOG --log-prefix \"hello: \" --log-level 7 "
	  "--log-tcp-sequence --log-tcp-options --log-ip-options --log-uid "
	  "--log-macdecode" },
	{ "-A INPUT -j LOG --log-level emerg", "-A INPUT -j LOG --log-level 0" },
	{ "-A INPUT -j LOG --log-level panic", "-A INPUT -j LOG --log-level 0" },
	{ "-A INPUT -j LOG --log-level alert", "-A INPUT -j LOG --log-level 1" },
	{ "-A INPUT -j LOG --log-level crit", "-A INPUT -j LOG --log-level 2" },
	{ "-A INPUT -j LOG --log-level error", "-A INPUT -j LOG --log-level 3" },
	{ "-A INPUT -j LOG --log-level warning", "-A INPUT -j LOG" },
	{ "-A INPUT -j LOG --log-level 4", "-A INPUT -j LOG" },
	{ "-A INPUT -j LOG --log-level notice", "-A INPUT -j LOG --log-level 5" },
	{ "-A INPUT -j LOG --log-level info", "-A INPUT -j LOG --log-level 6" },
	{ "-A INPUT -j LOG --log-level debug", "-A INPUT -j LOG --log-level 7" },
	{ "-A INPUT -j LOG --log-level 0x3", "-A INPUT -j LOG --log-level 3" },
	{ "-A INPUT -j LOG --log-level 07", "-A INPUT -j LOG --log-level 7" },
	{ "-A INPUT -j LOG --log-pre x", "-A INPUT -j LOG --log-prefix x" },
	{ "-A INPUT -j LOG --log-prefix xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	  "-A INPUT -j LOG --log-prefix xxxxxxxxxxxxxxxxxxxxxxxxxxxxx" },
	{ "-A INPUT -j LOG --log-prefix \"a\\\"b\"",
	  "-A INPUT -j LOG --log-prefix \"a\\\"b\"" },
	{ "-t mangle -A PREROUTING -j MARK --set-mark 1",
	  "-t mangle -A PREROUTING -j MARK --set-mark 0x1/0xffffffff" },
	{ "-t mangle -A PREROUTING -j MARK --set-mark 0x11/0xf0",
	  "-t mangle -A PREROUTING -j MARK --set-mark 0x11/0xf1" },
	{ "-t mangle -A PREROUTING -j MARK --set-mark 010",
	  "-t mangle -A PREROUTING -j MARK --set-mark 0x8/0xffffffff" },
	{ "-t mangle -A PREROUTING -j MARK --set-xmark 0x10/0xf0",
	  "-t mangle -A PREROUTING -j MARK --set-xmark 0x10/0xf0" },
	{ "-t mangle -A PREROUTING -j MARK --set-xmark 5",
	  "-t mangle -A PREROUTING -j MARK --set-xmark 0x5/0xffffffff" },
	{ "-t mangle -A PREROUTING -j MARK --set-xmark 0/0",
	  "-t mangle -A PREROUTING -j MARK --set-xmark 0x0/0x0" },
	{ "-t mangle -A PREROUTING -j MARK --and-mark 0xf",
	  "-t mangle -A PREROUTING -j MARK --and-mark 0xf" },
	{ "-t mangle -A PREROUTING -j MARK --or-mark 4",
	  "-t mangle -A PREROUTING -j MARK --or-mark 0x4" },
	{ "-t mangle -A PREROUTING -j MARK --xor-mark 5",
	  "-t mangle -A PREROUTING -j MARK --xor-mark 0x5" },
	{ "-t mangle -A FORWARD -p tcp --syn -j TCPMSS --set-mss 1400",
	  "-t mangle -A FORWARD -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN "
	  "-j TCPMSS --set-mss 1400" },
	{ "-t mangle -A FORWARD -p tcp --syn -j TCPMSS --set-mss 0x10",
	  "-t mangle -A FORWARD -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN "
	  "-j TCPMSS --set-mss 16" },
	{ "-t mangle -A FORWARD -p tcp -j TCPMSS --clamp-mss-to-pmtu",
	  "-t mangle -A FORWARD -p tcp -j TCPMSS --clamp-mss-to-pmtu" },
	{ "-t mangle -A FORWARD -p tcp -j TCPMSS --clamp",
	  "-t mangle -A FORWARD -p tcp -j TCPMSS --clamp-mss-to-pmtu" },
	{ "-t nat -A POSTROUTING -o eth0 -j MASQUERADE",
	  "-t nat -A POSTROUTING -o eth0 -j MASQUERADE" },
	{ "-t nat -A POSTROUTING -p tcp -j MASQUERADE --to-ports 1000-2000 "
	  "--random",
	  "-t nat -A POSTROUTING -p tcp -j MASQUERADE --to-ports 1000-2000 "
	  "--random" },
	{ "-t nat -A POSTROUTING -p udp -j MASQUERADE --to-ports 1000",
	  "-t nat -A POSTROUTING -p udp -j MASQUERADE --to-ports 1000" },
	{ "-t nat -A POSTROUTING -p tcp -j MASQUERADE --to-ports 0x10",
	  "-t nat -A POSTROUTING -p tcp -j MASQUERADE --to-ports 16" },
	{ "-t nat -A POSTROUTING -p icmp -j MASQUERADE --to-ports 5",
	  "-t nat -A POSTROUTING -p icmp -j MASQUERADE --to-ports 5" },
	{ "-t nat -A POSTROUTING -p tcp -j MASQUERADE --to 5",
	  "-t nat -A POSTROUTING -p tcp -j MASQUERADE --to-ports 5" },
	{ "-t nat -A POSTROUTING -j SNAT --to-source 1.2.3.4",
	  "-t nat -A POSTROUTING -j SNAT --to-source 1.2.3.4" },
	{ "-t nat -A POSTROUTING -p tcp -j SNAT --to-source "
	  "1.2.3.4-1.2.3.9:1000-2000",
	  "-t nat -A POSTROUTING -p tcp -j SNAT --to-source "
	  "1.2.3.4-1.2.3.9:1000-2000" },
	{ "-t nat -A POSTROUTING -p tcp -j SNAT --to-source :1000",
	  "-t nat -A POSTROUTING -p tcp -j SNAT --to-source :1000" },
	{ "-t nat -A POSTROUTING -p tcp -j SNAT --to-source 1.2.3.4:1000-1000",
	  "-t nat -A POSTROUTING -p tcp -j SNAT --to-source 1.2.3.4:1000" },
	{ "-t nat -A POSTROUTING -j SNAT --to-source 1.2.3.4-1.2.3.4",
	  "-t nat -A POSTROUTING -j SNAT --to-source 1.2.3.4" },
	{ "-t nat -A POSTROUTING -j SNAT --to 1.2.3.4 --random --persistent",
	  "-t nat -A POSTROUTING -j SNAT --to-source 1.2.3.4 --random "
	  "--persistent" },
	{ "-t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination "
	  "10.0.0.2:8080",
	  "-t nat -A PREROUTING -p tcp -m tcp --dport 80 -j DNAT "
	  "--to-destination 10.0.0.2:8080" },
	{ "-t nat -A PREROUTING -p tcp -j DNAT --to 1.2.3.4-1.2.3.9:80-90 "
	  "--persistent --random",
	  "-t nat -A PREROUTING -p tcp -j DNAT --to-destination "
	  "1.2.3.4-1.2.3.9:80-90 --random --persistent" },
	{ "-t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 3128",
	  "-t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 3128" },
	{ "-t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 8080-8090 --random",
	  "-t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 8080-8090 "
	  "--random" },
	{ "-t nat -A PREROUTING -j REDIRECT", "-t nat -A PREROUTING -j REDIRECT" },
	{ "-t nat -A POSTROUTING -j MASQUERADE --random-fully --random",
	  "-t nat -A POSTROUTING -j MASQUERADE --random --random-fully" },
	{ "-t nat -A POSTROUTING -j SNAT --to-source 1.2.3.4 --persistent "
	  "--random-fully --random",
	  "-t nat -A POSTROUTING -j SNAT --to-source 1.2.3.4 --random "
	  "--random-fully --persistent" },
	{ "-t nat -A PREROUTING -p tcp -j DNAT --to-destination "
	  "1.2.3.4:1000-2000/0x50",
	  "-t nat -A PREROUTING -p tcp -j DNAT --to-destination "
	  "1.2.3.4:1000-2000/80" },
	/* one port wide: -S prints 20/40 as the reference, sent as 20-20/40 */
	{ "-t nat -A PREROUTING -p tcp -j DNAT --to-destination :20-20/40",
	  "-t nat -A PREROUTING -p tcp -j DNAT --to-destination :20-20/40" },
	{ "-t nat -A PREROUTING -p sctp -j DNAT --to-destination :10-20/40",
	  "-t nat -A PREROUTING -p 132 -j DNAT --to-destination :10-20/40" },
	/* SNAT and MASQUERADE keep no base: -S shows /0, read back */
	{ "-t nat -A POSTROUTING -p udp -j SNAT --to-source 1.2.3.4:10-20/80",
	  "-t nat -A POSTROUTING -p udp -j SNAT --to-source 1.2.3.4:10-20/0" },
	{ "-t nat -A POSTROUTING -p tcp -j MASQUERADE --to-ports 10-20/0",
	  "-t nat -A POSTROUTING -p tcp -j MASQUERADE --to-ports 10-20/0" },
	{ "-t nat -A POSTROUTING -p icmp -j MASQUERADE --to-ports 7",
	  "-t nat -A POSTROUTING -p icmp -j MASQUERADE --to-ports 7" },
	{ "-A INPUT -p sctp --dport 5060 ! --sport 1:2",
	  "-A INPUT -p 132 -m sctp ! --sport 1:2 --dport 5060" },
	{ "-A INPUT -p 33 -m dccp --destination-port 5004",
	  "-A INPUT -p 33 -m dccp --dport 5004" },
	{ "-A INPUT -p udplite -m multiport --sports 5000:5010",
	  "-A INPUT -p 136 -m multiport --sports 5000:5010" },
	{ "-P INPUT RETURN", "-P INPUT none" },
	{ "-P INPUT accept", "-P INPUT none" },
	/* the protocol of these is ipt_exec()'s (exit status 1) */
	{ "-A INPUT -m tcp --dport 22", "-A INPUT -m tcp --dport 22" },
	{ "-A INPUT -m sctp --dport 22", "-A INPUT -m sctp --dport 22" },
	{ "-A INPUT -p udp -j REJECT --reject-with tcp-reset",
	  "-A INPUT -p udp -j REJECT --reject-with tcp-reset" },
};

static void run_ok(const struct ok_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++)
		expect_ok(cases[i].line, NULL, cases[i].want, NULL);
}

/* ---- refused commands ------------------------------------------------------ */

struct err_case {
	const char *line, *want;
};

static const struct err_case command_errors[] = {
	{ "", "no command" },
	{ "-n", "no command" },
	{ "-A INPUT -A INPUT", "cannot use -A with -A" },
	{ "-A INPUT -F", "cannot use -F with -A" },
	{ "-L -F", "cannot use -F with -L" },
	{ "-L -Z -S", "cannot use -S with -L" },
	{ "-Z -Z", "cannot use -Z with -Z" },
	{ "-L INPUT -Z FORWARD", "second chain 'FORWARD'" },
	{ "-A", "-A needs a chain" },
	{ "-A -j ACCEPT", "-A needs a chain" },
	{ "-A \"\" -j ACCEPT", "-A needs a chain" },
	{ "-A 01234567890123456789012345678", "longer than 28" },
	{ "-vvL!x -Z", "bad chain name '!x'" },
	{ "-A-x", "bad chain name '-x'" },
	{ "--flush=-x", "bad chain name '-x'" },
	{ "-L 01234567890123456789012345678", "longer than 28" },
	{ "-I INPUT 0", "bad rule number '0'" },
	{ "-I INPUT x", "bad rule number 'x'" },
	{ "-I INPUT -1", "unknown option '-1'" },
	{ "-I INPUT -j ACCEPT 1", "bad argument '1'" },
	{ "-R INPUT -j ACCEPT", "-R needs a rule number" },
	{ "-D INPUT 1 -j ACCEPT", "option -j is not allowed with -D" },
	{ "-S INPUT 1 2", "bad argument '2'" },
	{ "-F INPUT X", "bad argument 'X'" },
	{ "-X X Y", "bad argument 'Y'" },
	{ "-N", "-N needs a chain name" },
	{ "-N BAR BAZ", "bad argument 'BAZ'" },
	{ "-N -foo", "may not start with '-'" },
	{ "-N !x", "may not start with '!'" },
	{ "-N ACCEPT", "is the name of a target" },
	{ "-N RETURN", "is the name of a target" },
	{ "-N MASQUERADE", "is the name of a target" },
	{ "-N CLASSIFY", "is the name of a target" },
	{ "-N QUEUE", "is the name of a target" },
	{ "-N \"a b\"", "bad chain name 'a b'" },
	{ "-A \"my chain\" -j ACCEPT", "bad chain name 'my chain'" },
	{ "-X \"a\tb\"", "bad chain name 'a?b'" },
	{ "-N \"\"", "-N needs a chain name" },
	{ "-N 01234567890123456789012345678", "longer than 28" },
	{ "-E FOO", "-E needs the old and the new" },
	{ "-E FOO -a", "-E needs the old and the new" },
	{ "-E FOO DROP", "is the name of a target" },
	{ "-E X Y Z", "bad argument 'Z'" },
	{ "-P INPUT", "-P needs a chain and a policy" },
	/* another policy word is ipt_exec()'s "Bad policy name" (status 1) */
	{ "-t nat -P POSTROUTING DROP", "nat table is not intended for filtering" },
	{ "-P POSTROUTING DROP -t nat", "nat table is not intended for filtering" },
	{ "-t nat -A POSTROUTING -j DROP", "nat table is not intended for" },
	{ "-P INPUT ACCEPT -j DROP", "option -j is not allowed with -P" },
	{ "-L -s 1.2.3.4", "option -s is not allowed with -L" },
	{ "-L -f", "option -f is not allowed with -L" },
	{ "-L -i eth0", "option -i is not allowed with -L" },
	{ "-L -g X", "option -j is not allowed with -L" },
	{ "-L -m tcp", "option -m is not allowed with -L" },
	{ "-S -n", "option -n is not allowed with -S" },
	{ "-S --line-numbers", "option --line-numbers is not allowed with -S" },
	{ "-F -p tcp", "option -p is not allowed with -F" },
	{ "-Z -x", "option -x is not allowed with -Z" },
	{ "-N X -j DROP", "option -j is not allowed with -N" },
	{ "-X X -d 1.2.3.4", "option -d is not allowed with -X" },
	{ "-E A B -o eth0", "option -o is not allowed with -E" },
	{ "-A INPUT -n", "option -n is not allowed with -A" },
	{ "-A INPUT -x", "option -x is not allowed with -A" },
	{ "-A INPUT --line-numbers", "option --line-numbers is not allowed" },
	{ "-C INPUT -c 1 2", "option -c is not allowed with -C" },
	{ "-D INPUT -c 1 2 -j ACCEPT", "option -c is not allowed with -D" },
	{ "-L -c 1 2", "option -c is not allowed with -L" },
	{ "-A INPUT -c 1", "-c needs packet and byte counters" },
	{ "-A INPUT -c x 1", "bad packet counter 'x'" },
	{ "-A INPUT -c 1 x", "bad byte counter 'x'" },
	{ "-A INPUT -c -1 1", "bad packet counter '-1'" },
	{ "-A INPUT -c 18446744073709551616 1",
	  "bad packet counter '18446744073709551616'" },
	{ "-A INPUT -c 1 2 -c 3 4", "-c given twice" },
	{ "-A INPUT ! -c 1 2", "cannot have ! before -c" },
	{ "! -A INPUT", "cannot have ! before -A" },
	{ "-A INPUT ! ! -f", "two ! in a row" },
	{ "-A INPUT !", "nothing follows !" },
	{ "-A INPUT -j ACCEPT !", "nothing follows !" },
	{ "-A INPUT ! -j ACCEPT", "cannot have ! before -j" },
	{ "-A INPUT ! -m state --state NEW", "cannot have ! before -m" },
	{ "-A INPUT ! -t nat", "cannot have ! before -t" },
	{ "-L ! -n", "cannot have ! before -n" },
	{ "-t RAW -L", "unknown table 'RAW'" },
	{ "-t security -L", "unsupported table 'security'" },
	{ "-t NAT -L", "unknown table 'NAT'" },
	{ "-t", "-t needs a value" },
	{ "-L --wait x", "bad value 'x' for -w" },
	{ "-L -W", "-W needs a value" },
	{ "-L -w -1", "unknown option '-1'" },
	{ "-6 -L", "unsupported option -6" },
	{ "-h", "unsupported option -h" },
	{ "--version", "unsupported option -V" },
	{ "-L -y", "unknown option '-y'" },
	{ "-A INPUT --foo", "unknown option '--foo'" },
	{ "-A INPUT --foo=bar", "unknown option '--foo'" },
	{ "-A INPUT --in eth0", "ambiguous option '--in'" },
	{ "-A INPUT --i eth0", "ambiguous option '--i'" },
	{ "--li", "ambiguous option '--li'" },
	{ "-A INPUT --", "bad argument '--'" },
	{ "-A INPUT -", "bad argument '-'" },
	{ "-A INPUT --=x", "bad option '--=x'" },
	{ "-A INPUT -j ACCEPT x", "bad argument 'x'" },
	{ "-L --numeric=1", "-n takes no value" },
};

static const struct err_case rule_errors[] = {
	{ "-A INPUT -p tcp -p udp", "-p given twice" },
	{ "-A INPUT -s 1.1.1.1 --src 2.2.2.2", "-s given twice" },
	{ "-A INPUT -d 1.1.1.1 --destination 2.2.2.2", "-d given twice" },
	{ "-A INPUT -j ACCEPT -j DROP", "only one -j or -g" },
	{ "-A INPUT -j ACCEPT -g X", "only one -j or -g" },
	{ "-A INPUT -g X -j ACCEPT", "only one -j or -g" },
	{ "-A INPUT -f -f", "-f given twice" },
	{ "-A INPUT -p", "-p needs a value" },
	{ "-A INPUT -p 256", "unknown protocol '256'" },
	{ "-A INPUT -p -1", "unknown protocol '-1'" },
	{ "-A INPUT -p nosuchproto", "unknown protocol 'nosuchproto'" },
	{ "-A INPUT -p \"\"", "unknown protocol ''" },
	{ "-A INPUT ! -p all", "would never match" },
	{ "-A INPUT ! -p 0", "would never match" },
	{ "-A INPUT -s 1.2.3.256", "bad address '1.2.3.256'" },
	{ "-A INPUT -s 256", "bad address '256'" },
	{ "-A INPUT -s 1.2.3.4/33", "bad mask '33'" },
	{ "-A INPUT -s 1.2.3.4/", "bad mask ''" },
	{ "-A INPUT -s 1.2.3.4/08", "bad mask '08'" },
	{ "-A INPUT -s 1.2.3.4/-1", "bad mask '-1'" },
	{ "-A INPUT -s 1.2.3.4/1.2.3.4.5", "bad mask '1.2.3.4.5'" },
	{ "-A INPUT -s 1.2.3.4/24/8", "bad address '1.2.3.4/24'" },
	{ "-A INPUT -s localhost", "bad address 'localhost'" },
	{ "-A INPUT -d \"\"", "bad address ''" },
	{ "-A INPUT -s 1.2.3.4,", "bad address ''" },
	{ "-A INPUT -s ,1.2.3.4", "bad address ''" },
	{ "-A INPUT -s \" 1.2.3.4\"", "bad address ' 1.2.3.4'" },
	{ "-A INPUT -s 1..2.3", "bad address '1..2.3'" },
	{ "-A INPUT -s 1.2.3.4.", "bad address '1.2.3.4.'" },
	{ "-A INPUT -s 08.1.1.1", "bad address '08.1.1.1'" },
	{ "-A INPUT -s 1.1.1.1,2.2.2.2,3.3.3.3,4.4.4.4,5.5.5.5,6.6.6.6,"
	  "7.7.7.7,8.8.8.8,9.9.9.9", "too many addresses for -s" },
	{ "-A INPUT -o eth0", "-o cannot be used with INPUT" },
	{ "-A INPUT -o +", "-o cannot be used with INPUT" },
	{ "-t nat -A PREROUTING -o eth0", "-o cannot be used with PREROUTING" },
	{ "-A OUTPUT -i eth0", "-i cannot be used with OUTPUT" },
	{ "-t nat -A POSTROUTING -i eth0", "-i cannot be used with POSTROUTING" },
	{ "-I INPUT -o eth0", "-o cannot be used with INPUT" },
	{ "-D INPUT -o eth0", "-o cannot be used with INPUT" },
	{ "-C INPUT -o eth0", "-o cannot be used with INPUT" },
	{ "-R INPUT 1 -o eth0", "-o cannot be used with INPUT" },
	{ "-A FORWARD -i 0123456789abcdef", "longer than 15" },
	{ "-A FORWARD -i \"\"", "-i needs an interface name" },
	{ "-A FORWARD -i \"eth 0\"", "has a blank, a quote" },
	{ "-A FORWARD -o eth/0", "has a blank, a quote" },
	{ "-A FORWARD -o \"eth0\\\"\"", "has a blank, a quote" },
	{ "-A FORWARD -i eth0 -i eth1", "-i given twice" },
	{ "-R INPUT 1 -s 1.1.1.1,2.2.2.2", "-R needs one source" },
	{ "-R INPUT 1 -d 1.1.1.1,2.2.2.2", "-R needs one source" },
	{ "-A INPUT -j \"\"", "bad target name ''" },
	{ "-A INPUT -j \"a b\"", "bad target name 'a b'" },
	{ "-A INPUT -j 01234567890123456789012345678", "bad target name" },
	{ "-A INPUT -g ACCEPT", "-g needs a chain, 'ACCEPT' is a target" },
	{ "-A INPUT -g CLASSIFY", "-g needs a chain" },
	{ "-A INPUT -m mark --mark 1 -m mark --mark 2 -m mark "
	  "--mark 3 -m mark --mark 4 -m mark --mark 5 -m mark "
	  "--mark 6 -m mark --mark 7 -m mark --mark 8 -m mark "
	  "--mark 9", "too many matches" },
	{ "-A INPUT -m comment --comment 1 -m comment --comment 2 -m comment "
	  "--comment 3", "at most 2 -m comment per rule" },
	{ "-A INPUT -m STATE --state NEW", "unsupported match 'STATE'" },
	{ "-A INPUT -m string --string x", "unsupported match 'string'" },
	{ "-A INPUT -m \"\"", "-m needs a match name" },
	{ "-A INPUT -m", "-m needs a value" },
};

static const struct err_case match_errors[] = {
	{ "-A INPUT --dport 22 -p tcp", "unknown option '--dport'" },
	{ "-A INPUT -p all --dport 1", "unknown option '--dport'" },
	{ "-A INPUT -p udp --syn", "unknown option '--syn'" },
	{ "-A INPUT -p udp --tcp-flags SYN SYN", "unknown option '--tcp-flags'" },
	{ "-A INPUT -p tcp --dport 22 --dport 23", "--dport of tcp given twice" },
	{ "-A INPUT -p tcp --sport 1 --source-port 2", "of tcp given twice" },
	{ "-A INPUT -p tcp --dport 65536", "bad port '65536' for --dport" },
	{ "-A INPUT -p tcp --dport 30:22", "'30:22' for --dport goes backwards" },
	{ "-A INPUT -p tcp --dport ssh", "bad port 'ssh' for --dport" },
	{ "-A INPUT -p tcp --dport 1:x", "bad port range '1:x'" },
	{ "-A INPUT -p tcp --dport \"\"", "bad port '' for --dport" },
	{ "-A INPUT -p tcp --dport", "--dport needs a value" },
	{ "-A INPUT -p tcp --tcp-flags SYN", "needs two values" },
	{ "-A INPUT -p tcp --tcp-flags SYN FOO", "unknown TCP flag 'FOO'" },
	{ "-A INPUT -p tcp --tcp-flags ECE,CWR SYN", "unknown TCP flag 'ECE'" },
	{ "-A INPUT -p tcp --syn --tcp-flags SYN SYN",
	  "only one of --syn and --tcp-flags" },
	{ "-A INPUT -p tcp --tcp-option 0", "Bad TCP option \"0\"" },
	{ "-A INPUT -p tcp --tcp-option 256", "Bad TCP option \"256\"" },
	{ "-A INPUT -p udp --tcp-option 2", "unknown option '--tcp-option'" },
	{ "-A INPUT -jACCEPT", "Couldn't load target `-jACCEPT'" },
	{ "-A INPUT -ptcp", "-ptcp" },
	{ "-A INPUT -s10.0.0.1", "-s10.0.0.1" },
	{ "-A INPUT -p tcp --syn=1", "--syn takes no value" },
	{ "-A INPUT -p icmp --icmp-type echo-r", "ambiguous ICMP type 'echo-r'" },
	{ "-A INPUT -p icmp --icmp-type time", "ambiguous ICMP type 'time'" },
	{ "-A INPUT -p icmp --icmp-type 256", "unknown ICMP type '256'" },
	{ "-A INPUT -p icmp --icmp-type 3/256", "unknown ICMP type '3/256'" },
	{ "-A INPUT -p icmp --icmp-type 3/", "unknown ICMP type '3/'" },
	{ "-A INPUT -p icmp --icmp-type /3", "unknown ICMP type '/3'" },
	{ "-A INPUT -p icmp --icmp-type 3/1:2", "unknown ICMP type '3/1:2'" },
	{ "-A INPUT -p icmp --icmp-type \"\"", "unknown ICMP type ''" },
	{ "-A INPUT -p icmp -m icmp", "-m icmp needs --icmp-type" },
	{ "-A INPUT -p icmp --icmp-type 8 --icmp-type 0", "given twice" },
	{ "-A INPUT -m state", "-m state needs --state" },
	{ "-A INPUT -m state --state SNAT", "bad state 'SNAT'" },
	{ "-A INPUT -m state --state NEW,", "bad state ''" },
	{ "-A INPUT -m state --state \"\"", "bad state ''" },
	{ "-A INPUT -m state --state NEWS", "bad state 'NEWS'" },
	{ "-A INPUT -m state --state NEW --state INVALID",
	  "--state of state given twice" },
	{ "-A INPUT --state NEW", "unknown option '--state'" },
	{ "-A INPUT -m conntrack", "-m conntrack needs at least one option" },
	{ "-A INPUT -m conntrack --ctstate FOO", "bad state 'FOO'" },
	{ "-A INPUT -m conntrack --ctstatus SEEN_REPLY,",
	  "bad status '' in --ctstatus" },
	{ "-A INPUT -m conntrack ! --ctdir REPLY",
	  "--ctdir of conntrack cannot be negated" },
	{ "-A INPUT -m conntrack --ctorigsrc 10.0.0.1/",
	  "bad mask '' for --ctorigsrc" },
	{ "-A INPUT -m conntrack --ctexpire 1:2:3", "bad value '1:2:3'" },
	{ "-A INPUT -m connmark", "-m connmark needs --mark" },
	{ "-A INPUT -j CONNMARK --set-mark 1 --save-mark",
	  "CONNMARK takes only one of" },
	{ "-A INPUT -j CONNMARK --save-mark --nfmask 1 --mask 2",
	  "--mask cannot be given with --nfmask or --ctmask" },
	{ "-A INPUT -j CONNMARK --save-mark --left-shift-mark 1",
	  "unsupported option --left-shift-mark of CONNMARK" },
	{ "-A INPUT -m multiport --dports 1,2",
	  "-m multiport needs -p tcp, udp, udplite, sctp or dccp before it" },
	{ "-A INPUT -m multiport --dports 1,2 -p tcp",
	  "-m multiport needs -p tcp, udp" },
	{ "-A INPUT -p icmp -m multiport --dports 1,2",
	  "-m multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP" },
	{ "-A INPUT ! -p udp -m multiport --ports 1",
	  "-m multiport only works with" },
	{ "-A INPUT -p udplite --dport 1", "unknown option '--dport'" },
	{ "-A INPUT -p sctp --dport 1 --dport 2", "--dport of sctp given twice" },
	{ "-A INPUT -p sctp --dport 2:1", "'2:1' for --dport goes backwards" },
	{ "-A INPUT -p sctp --chunk-types some INIT",
	  "Match type has to be one of" },
	{ "-A INPUT -p sctp --chunk-types any ALL,INIT",
	  "Unknown sctp chunk `ALL'" },
	{ "-A INPUT -p sctp --chunk-types any INIT:B",
	  "Invalid flags for chunk type 1" },
	{ "-A INPUT -p sctp --chunk-types any DATA:x",
	  "Invalid flags for chunk type 0" },
	{ "-A INPUT -p sctp --chunk-types any",
	  "--chunk-types needs two values" },
	{ "-A INPUT -p dccp --dccp-types bogus", "Unknown DCCP type `bogus'" },
	{ "-A INPUT -p dccp --dccp-option 1",
	  "unsupported option --dccp-option of dccp" },
	{ "-A INPUT -p dccp --dport x", "bad port 'x' for --dport" },
	{ "-A INPUT -p udp -m multiport", "needs --sports, --dports or --ports" },
	{ "-A INPUT -p udp -m multiport --ports 1:", "bad port range '1:'" },
	{ "-A INPUT -p udp -m multiport --ports :5", "bad port range ':5'" },
	{ "-A INPUT -p udp -m multiport --ports 5:1", "bad port range '5:1'" },
	{ "-A INPUT -p udp -m multiport --ports 3:3", "bad port range '3:3'" },
	{ "-A INPUT -p udp -m multiport --ports 1,,2", "bad port ''" },
	{ "-A INPUT -p udp -m multiport --ports \"\"", "bad port ''" },
	{ "-A INPUT -p udp -m multiport --ports ssh", "bad port 'ssh'" },
	{ "-A INPUT -p udp -m multiport --ports 1,2,3,4,5,6,7,8,9,10,11,12,13,"
	  "14,15,16", "too many ports" },
	{ "-A INPUT -p udp -m multiport --ports 1,2,3,4,5,6,7,8,9,10,11,12,13,"
	  "14:15,16", "too many ports" },
	{ "-A INPUT -p udp -m multiport --ports 1,2 --dports 3",
	  "only one of --sports, --dports and --ports" },
	{ "-A INPUT -p tcp -m multiport --dports 80 --dport 22",
	  "--dports of multiport given twice" },
	{ "-A INPUT -m mark", "-m mark needs --mark" },
	{ "-A INPUT -m mark --mark 4294967296", "bad value '4294967296'" },
	{ "-A INPUT -m mark --mark -1", "bad value '-1'" },
	{ "-A INPUT -m mark --mark 1/", "bad value '1/'" },
	{ "-A INPUT -m mark --mark /1", "bad value '/1'" },
	{ "-A INPUT -m mark --mark 1x", "bad value '1x'" },
	{ "-A INPUT -m mark --mark 0x", "bad value '0x'" },
	{ "-A INPUT -m mark --mark 1/0x", "bad value '1/0x'" },
	{ "-A INPUT -m mark --mark 08", "bad value '08'" },
	{ "-A INPUT -m mark --mark 5 --mark 6", "given twice" },
	{ "-A INPUT -m mark --ma 1", "ambiguous option '--ma'" },
	{ "-A INPUT -m limit --limit 5/secx", "bad rate '5/secx'" },
	{ "-A INPUT -m limit --limit 0/s", "bad rate '0/s'" },
	{ "-A INPUT -m limit --limit 10001/s", "'10001/s' for --limit is too fast" },
	{ "-A INPUT -m limit --limit 4294967295/d", "too fast" },
	{ "-A INPUT -m limit --limit 4294967296/d", "bad rate" },
	{ "-A INPUT -m limit --limit 5/", "bad rate '5/'" },
	{ "-A INPUT -m limit --limit 5/x", "bad rate '5/x'" },
	{ "-A INPUT -m limit --limit /s", "bad rate '/s'" },
	{ "-A INPUT -m limit --limit 0x5/s", "bad rate '0x5/s'" },
	{ "-A INPUT -m limit --limit 5/hours", "bad rate '5/hours'" },
	{ "-A INPUT -m limit --limit-burst 10001", "bad value '10001'" },
	{ "-A INPUT -m limit ! --limit 5/s", "cannot be negated" },
	{ "-A INPUT -m limit --limit 5/s --limit 6/s", "given twice" },
	{ "-A INPUT -m mac", "-m mac needs --mac-source" },
	{ "-A INPUT -m mac --mac-source 00:11:22:aa:BB", "bad MAC address" },
	{ "-A INPUT -m mac --mac-source 00:11:22:aa:BB:cc:dd", "bad MAC address" },
	{ "-A INPUT -m mac --mac-source 00-11-22-aa-BB-cc", "bad MAC address" },
	{ "-A INPUT -m mac --mac-source 000:11:22:aa:BB:cc", "bad MAC address" },
	{ "-A INPUT -m mac --mac-source 00:11:22:aa:BB:", "bad MAC address" },
	{ "-A INPUT -m mac --mac-source g0:11:22:aa:BB:cc", "bad MAC address" },
	{ "-A INPUT -m comment", "-m comment needs --comment" },
	{ "-A INPUT -m comment ! --comment x", "cannot be negated" },
	{ "-A INPUT -m comment --comment \"a\nb\"", "may not hold a newline" },
	{ "-A INPUT -m comment --comment a --comment b", "given twice" },
};

static const struct err_case target_errors[] = {
	{ "-A INPUT -j REJECT --reject-with net-unreachable",
	  "unknown reject type 'net-unreachable'" },
	{ "-A INPUT -j REJECT --reject-with port-unreachable",
	  "unknown reject type" },
	{ "-A INPUT -j REJECT --reject-with echo-reply", "unknown reject type" },
	{ "-A INPUT -j REJECT --reject-with \"\"", "unknown reject type ''" },
	{ "-A INPUT -j REJECT ! --reject-with port-unreach", "cannot be negated" },
	{ "-A INPUT --reject-with port-unreach -j REJECT",
	  "unknown option '--reject-with'" },
	{ "-A INPUT -j REJECT --reject-with port-unreach --reject-with "
	  "host-unreach", "given twice" },
	{ "-A INPUT -j ACCEPT --reject-with port-unreach",
	  "unknown option '--reject-with'" },
	{ "-A INPUT -j LOG --log-level err", "unknown log level 'err'" },
	{ "-A INPUT -j LOG --log-level warn", "unknown log level 'warn'" },
	{ "-A INPUT -j LOG --log-level EMERG", "unknown log level 'EMERG'" },
	{ "-A INPUT -j LOG --log-level 8", "unknown log level '8'" },
	{ "-A INPUT -j LOG --log-level -1", "unknown log level '-1'" },
	{ "-A INPUT -j LOG --log-level \"\"", "unknown log level ''" },
	{ "-A INPUT -j LOG --log-prefix \"\"", "--log-prefix may not be empty" },
	{ "-A INPUT -j LOG --log-prefix \"a\nb\"", "may not hold a newline" },
	{ "-A INPUT -j LOG --log-uid --log-uid", "--log-uid of LOG given twice" },
	{ "-A INPUT -j LOG --log-level 1 --log-level 2", "given twice" },
	{ "-A INPUT -j LOG ! --log-uid", "cannot be negated" },
	{ "-A INPUT -j LOG --log x", "ambiguous option '--log'" },
	{ "-A INPUT -j LOG --log-t", "ambiguous option '--log-t'" },
	{ "-t mangle -A PREROUTING -j MARK", "MARK needs one of" },
	{ "-t mangle -A PREROUTING -j MARK --set-mark 1 --or-mark 2",
	  "MARK takes only one of" },
	{ "-t mangle -A PREROUTING -j MARK --and-mark 1/2", "bad value '1/2'" },
	{ "-t mangle -A PREROUTING -j MARK --or-mark 1/2", "bad value '1/2'" },
	{ "-t mangle -A PREROUTING -j MARK ! --set-mark 1", "cannot be negated" },
	{ "-t mangle -A PREROUTING -j MARK --set-mark x", "bad value 'x'" },
	{ "-t mangle -A FORWARD -p tcp -j TCPMSS",
	  "TCPMSS needs --set-mss or --clamp-mss-to-pmtu" },
	{ "-t mangle -A FORWARD -p tcp -j TCPMSS --set-mss 0",
	  "bad value '0' for --set-mss" },
	{ "-t mangle -A FORWARD -p tcp -j TCPMSS --set-mss 65516",
	  "bad value '65516'" },
	{ "-t mangle -A FORWARD -p tcp -j TCPMSS ! --set-mss 100",
	  "cannot be negated" },
	{ "-t nat -A POSTROUTING -j MASQUERADE --to-ports 1000",
	  "need -p tcp, udp, sctp, dccp or icmp before them" },
	{ "-t nat -A POSTROUTING -j MASQUERADE --to-ports 1000 -p tcp",
	  "need -p tcp, udp, sctp, dccp or icmp before them" },
	{ "-t nat -A POSTROUTING -p gre -j MASQUERADE --to-ports 1000",
	  "need -p tcp, udp, sctp, dccp or icmp before them" },
	{ "-t nat -A POSTROUTING -p tcp -j MASQUERADE --to-ports 1000:2000",
	  "use a dash" },
	{ "-t nat -A POSTROUTING -p tcp -j MASQUERADE --to-ports 2000-1000",
	  "goes backwards" },
	{ "-t nat -A POSTROUTING -p tcp -j MASQUERADE --to-ports 1000-",
	  "bad port range '1000-'" },
	{ "-t nat -A POSTROUTING -p tcp -j MASQUERADE --to-ports 10-20x",
	  "bad port range '10-20x'" },
	{ "-t nat -A PREROUTING -p tcp -j DNAT --to-destination :10-20/0",
	  "bad port range '10-20/0'" },
	{ "-t nat -A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4:10/30",
	  "bad port '10/30'" },
	{ "-t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 10-20/5",
	  "REDIRECT takes no shifted port range" },
	{ "-t nat -A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4 "
	  "--random-fully", "unknown option '--random-fully'" },
	{ "-t nat -A PREROUTING -p tcp -j REDIRECT --random-fully",
	  "unknown option '--random-fully'" },
	{ "-t nat -A POSTROUTING -j MASQUERADE --persistent",
	  "unknown option '--persistent'" },
	{ "-t nat -A POSTROUTING -p tcp -j MASQUERADE --to-ports 65536",
	  "bad port '65536'" },
	{ "-t nat -A POSTROUTING -p tcp -j MASQUERADE --to-ports ssh",
	  "bad port 'ssh'" },
	{ "-t nat -A POSTROUTING -p tcp -j MASQUERADE ! --random",
	  "cannot be negated" },
	{ "-t nat -A POSTROUTING -p tcp -j MASQUERADE --to-ports 1 --to-ports 2",
	  "given twice" },
	{ "-t nat -A POSTROUTING -j SNAT", "SNAT needs --to-source" },
	{ "-t nat -A POSTROUTING -j SNAT --random", "SNAT needs --to-source" },
	{ "-t nat -A POSTROUTING -j SNAT --to-source 1.2.3.4/24",
	  "bad address '1.2.3.4/24'" },
	{ "-t nat -A POSTROUTING -p tcp -j SNAT --to-source 1.2.3.4:1000:2000",
	  "use a dash" },
	{ "-t nat -A POSTROUTING -j SNAT --to-source 1.2.3.4-",
	  "bad address '1.2.3.4-'" },
	{ "-t nat -A POSTROUTING -j SNAT --to-source localhost",
	  "bad address 'localhost'" },
	{ "-t nat -A POSTROUTING -j SNAT --to-source 1.2.3",
	  "bad address '1.2.3'" },
	{ "-t nat -A POSTROUTING -j SNAT --to-source 1.2.3.9-1.2.3.4",
	  "goes backwards" },
	{ "-t nat -A POSTROUTING -p tcp -j SNAT --to-source :", "bad port ''" },
	{ "-t nat -A POSTROUTING -p tcp -j SNAT --to-source 1.2.3.4:",
	  "bad port ''" },
	{ "-t nat -A POSTROUTING -j SNAT --to-source \"\"",
	  "--to-source needs an address" },
	{ "-t nat -A POSTROUTING -j SNAT --to-source 1.2.3.4:1000",
	  "need -p tcp, udp, sctp, dccp or icmp before them" },
	{ "-t nat -A POSTROUTING -j SNAT --to-source 1.2.3.4 --to-source "
	  "1.2.3.5", "given twice" },
	{ "-t nat -A PREROUTING -j DNAT", "DNAT needs --to-destination" },
	{ "-t nat -A PREROUTING -j DNAT --to-destination x",
	  "bad address 'x' for --to-destination" },
	{ "-t nat -A PREROUTING -p tcp -j REDIRECT --persistent",
	  "unknown option '--persistent'" },
	{ "-t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 8080:8090",
	  "use a dash" },
	{ "-A INPUT -j CLASSIFY --set-class 1:1", "unsupported target 'CLASSIFY'" },
	{ "-A INPUT -j TPROXY", "unsupported target 'TPROXY'" },
	{ "-A INPUT -j NFQUEUE", "unsupported target 'NFQUEUE'" },
	{ "-A INPUT -j CONNMARK", "CONNMARK needs one of" },
	{ "-A INPUT -j ULOG", "unsupported target 'ULOG'" },
	{ "-A INPUT -j NFLOG", "unsupported target 'NFLOG'" },
	{ "-A INPUT -j TOS", "TOS needs one of --set-tos" },
	{ "-A INPUT -j TTL", "TTL needs one of --ttl-set" },
	{ "-A INPUT -j DSCP", "unsupported target 'DSCP'" },
	{ "-t raw -A PREROUTING -j NOTRACK --notrack",
	  "unknown option '--notrack'" },
	{ "-t raw -A PREROUTING -p tcp -j CT --helper \"f tp\"",
	  "bad helper name 'f tp' for CT --helper" },
	{ "-t raw -A PREROUTING -j CT --helper", "option --helper needs a value" },
	{ "-t raw -A PREROUTING -j CT --zone 1",
	  "unsupported option --zone of CT: masq keeps one connection table, with no zones" },
	{ "-t raw -A OUTPUT -j CT --zone-orig 1",
	  "unsupported option --zone-orig of CT" },
	{ "-t raw -A OUTPUT -j CT --ctevents new",
	  "unsupported option --ctevents of CT: masq reports every event" },
	{ "-t raw -A OUTPUT -j CT --expevents new",
	  "unsupported option --expevents of CT" },
	{ "-A INPUT -j SET", "unsupported target 'SET'" },
	{ "-A INPUT -j AUDIT", "unsupported target 'AUDIT'" },
	{ "-A INPUT -j CHECKSUM", "unsupported target 'CHECKSUM'" },
	{ "-A INPUT -j CLUSTERIP", "unsupported target 'CLUSTERIP'" },
	{ "-A INPUT -j ECN", "unsupported target 'ECN'" },
	{ "-A INPUT -j HMARK", "unsupported target 'HMARK'" },
	{ "-A INPUT -j IDLETIMER", "unsupported target 'IDLETIMER'" },
	{ "-A INPUT -j LED", "unsupported target 'LED'" },
	{ "-A INPUT -j NETMAP", "unsupported target 'NETMAP'" },
	{ "-A INPUT -j SECMARK", "unsupported target 'SECMARK'" },
	{ "-A INPUT -j CONNSECMARK", "unsupported target 'CONNSECMARK'" },
	{ "-A INPUT -j SYNPROXY", "unsupported target 'SYNPROXY'" },
	{ "-A INPUT -j TEE", "unsupported target 'TEE'" },
	{ "-A INPUT -j TRACE", "unsupported target 'TRACE'" },
	{ "-A INPUT -j QUEUE", "unsupported target 'QUEUE'" },
};

static void run_err(const struct err_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++)
		expect_err(cases[i].line, NULL, cases[i].want);
}

/* ---- fields, checked one by one -------------------------------------------- */

/* Parse @line (no resolver); the test @name fails when it does not parse */
static bool parsed(const char *name, const char *line, struct ipt_cmd *c)
{
	struct ipt_err e;

	if (parse_line(line, NULL, c, &e)) {
		report_checkf(name, 0, "'%s' refused: %s", line, e.msg);
		return false;
	}
	return true;
}

static void test_fields_rule(void)
{
	struct ipt_cmd c;

	if (parsed("fields_addresses", "-A FORWARD ! -s 1.2.3.4/24 -d "
		   "5.6.7.8/255.0.255.0 -i eth+ ! -o ppp0 -f", &c))
		report_checkf("fields_addresses",
			      c.op == IPT_OP_APPEND && !strcmp(c.chain, "FORWARD") &&
			      c.rule.src == IP4(1, 2, 3, 0) &&
			      c.rule.smsk == 0xffffff00 && c.nsrc == 1 &&
			      c.srcs[0] == c.rule.src &&
			      c.rule.dst == IP4(5, 0, 7, 0) &&
			      c.rule.dmsk == 0xff00ff00 && c.ndst == 1 &&
			      !strcmp(c.rule.in, "eth+") && !strcmp(c.rule.out, "ppp0") &&
			      c.rule.frag &&
			      c.rule.inv == (IPT_INV_SRC | IPT_INV_OUT) &&
			      c.table == IPT_FILTER && c.rule.t.kind == IPT_T_NONE,
			      "src %08x/%08x dst %08x/%08x inv %x", c.rule.src,
			      c.rule.smsk, c.rule.dst, c.rule.dmsk, c.rule.inv);
	if (parsed("fields_no_address", "-A INPUT -p all -i +", &c))
		report_checkf("fields_no_address",
			      !c.nsrc && !c.ndst && !c.rule.smsk && !c.rule.proto &&
			      !strcmp(c.rule.in, "+") && !c.rule.inv, "nsrc %u in '%s'",
			      c.nsrc, c.rule.in);
	if (parsed("fields_counters", "-I INPUT 2 -c 1 2 -j mychain", &c))
		report_checkf("fields_counters",
			      c.op == IPT_OP_INSERT && c.rulenum == 2 &&
			      c.rule.pkts == 1 && c.rule.bytes == 2 &&
			      c.rule.t.kind == IPT_T_JUMP &&
			      !strcmp(c.rule.t.chain, "mychain"),
			      "rulenum %u pkts %llu", c.rulenum,
			      (unsigned long long)c.rule.pkts);
	if (parsed("fields_goto", "-A INPUT -g sub", &c))
		report_checkf("fields_goto", c.rule.t.kind == IPT_T_GOTO &&
			      !strcmp(c.rule.t.chain, "sub"), "kind %u",
			      c.rule.t.kind);
	if (parsed("fields_delete_num", "-D INPUT 4", &c))
		report_checkf("fields_delete_num", c.op == IPT_OP_DELETE_NUM &&
			      c.rulenum == 4, "op %u", c.op);
	if (parsed("fields_delete_rule", "-D INPUT -j ACCEPT", &c))
		report_checkf("fields_delete_rule", c.op == IPT_OP_DELETE &&
			      c.rule.t.kind == IPT_T_ACCEPT, "op %u", c.op);
	if (parsed("fields_list_zero", "-Z -L INPUT -n", &c))
		report_checkf("fields_list_zero", c.op == IPT_OP_LIST &&
			      c.opts == (IPT_OPT_ZERO | IPT_OPT_NUMERIC) &&
			      !strcmp(c.chain, "INPUT"), "op %u opts %x", c.op, c.opts);
	if (parsed("fields_list_rules_zero", "-S -Z", &c))
		report_checkf("fields_list_rules_zero", c.op == IPT_OP_LIST_RULES &&
			      c.opts == IPT_OPT_ZERO, "op %u", c.op);
	if (parsed("fields_policy", "-t mangle -P PREROUTING DROP -c 3 4", &c))
		report_checkf("fields_policy", c.op == IPT_OP_POLICY &&
			      c.policy == IPT_POL_DROP && c.table == IPT_MANGLE &&
			      c.rule.pkts == 3 && c.rule.bytes == 4, "policy %u",
			      c.policy);
	if (parsed("fields_rename", "-E a b", &c))
		report_checkf("fields_rename", c.op == IPT_OP_RENAME_CHAIN &&
			      !strcmp(c.chain, "a") && !strcmp(c.chain2, "b"), "op %u",
			      c.op);
	if (parsed("fields_list_opts", "-L --line-numbers -x -v", &c))
		report_checkf("fields_list_opts", c.opts == (IPT_OPT_LINENUMBERS |
			      IPT_OPT_EXACT | IPT_OPT_VERBOSE) && !c.chain[0],
			      "opts %x", c.opts);
}

static void test_fields_matches(void)
{
	struct ipt_cmd c;
	const struct ipt_match *m;

	if (parsed("fields_tcp", "-A INPUT -p tcp --dport 22 ! --syn", &c)) {
		m = &c.rule.m[0];
		report_checkf("fields_tcp", c.rule.nmatch == 1 && m->kind == IPT_M_TCP &&
			      m->set == (IPT_F_DPORT | IPT_F_TCPFLAGS) &&
			      m->inv == IPT_F_TCPFLAGS && m->u.l4.dport.lo == 22 &&
			      m->u.l4.dport.hi == 22 && m->u.l4.sport.lo == 0 &&
			      m->u.l4.sport.hi == 65535 && m->u.l4.flg_mask == 0x17 &&
			      m->u.l4.flg_cmp == 0x02 && c.rule.proto == 6,
			      "set %x inv %x", m->set, m->inv);
	}
	if (parsed("fields_icmp_any", "-A INPUT -p icmp --icmp-type any", &c)) {
		m = &c.rule.m[0];
		report_checkf("fields_icmp_any", m->kind == IPT_M_ICMP &&
			      m->u.icmp.type == 255 && m->u.icmp.code_lo == 0 &&
			      m->u.icmp.code_hi == 255, "type %u", m->u.icmp.type);
	}
	if (parsed("fields_icmp_code", "-A INPUT -p icmp --icmp-type "
		   "port-unreachable", &c)) {
		m = &c.rule.m[0];
		report_checkf("fields_icmp_code", m->u.icmp.type == 3 &&
			      m->u.icmp.code_lo == 3 && m->u.icmp.code_hi == 3,
			      "type %u code %u-%u", m->u.icmp.type, m->u.icmp.code_lo,
			      m->u.icmp.code_hi);
	}
	if (parsed("fields_state", "-A INPUT -m conntrack ! --ctstate "
		   "ESTABLISHED,dnat", &c)) {
		m = &c.rule.m[0];
		report_checkf("fields_state", m->kind == IPT_M_CONNTRACK &&
			      m->u.state.mask == (IPT_ST_ESTABLISHED | IPT_ST_DNAT) &&
			      m->inv == IPT_F_VALUE, "mask %x", m->u.state.mask);
	}
	if (parsed("fields_multiport", "-A INPUT -p udp -m multiport --sports "
		   "1,2:3", &c)) {
		m = &c.rule.m[0];
		report_checkf("fields_multiport", m->kind == IPT_M_MULTIPORT &&
			      m->u.mp.which == IPT_MP_SPORTS && m->u.mp.count == 2 &&
			      m->u.mp.p[0].lo == 1 && m->u.mp.p[0].hi == 1 &&
			      m->u.mp.p[1].lo == 2 && m->u.mp.p[1].hi == 3,
			      "count %u", m->u.mp.count);
	}
	if (parsed("fields_mark", "-A INPUT -m mark --mark 0x10/0xf0 -m mark "
		   "--mark 7", &c))
		report_checkf("fields_mark", c.rule.m[0].u.mark.value == 0x10 &&
			      c.rule.m[0].u.mark.mask == 0xf0 &&
			      c.rule.m[1].u.mark.value == 7 &&
			      c.rule.m[1].u.mark.mask == 0xffffffff, "mask %x",
			      c.rule.m[1].u.mark.mask);
	if (parsed("fields_limit_default", "-A INPUT -m limit", &c)) {
		m = &c.rule.m[0];
		report_checkf("fields_limit_default", m->u.limit.avg == 12000000 &&
			      m->u.limit.burst == 5 && !m->set, "avg %u burst %u",
			      m->u.limit.avg, m->u.limit.burst);
	}
	if (parsed("fields_limit", "-A INPUT -m limit --limit 7/hour "
		   "--limit-burst 9 -m limit --limit 5/s", &c))
		report_checkf("fields_limit",
			      c.rule.m[0].u.limit.avg == 36000000 / 7 &&
			      c.rule.m[0].u.limit.burst == 9 &&
			      c.rule.m[0].set == (IPT_F_LIMIT | IPT_F_BURST) &&
			      c.rule.m[1].u.limit.avg == 2000, "avg %u / %u",
			      c.rule.m[0].u.limit.avg, c.rule.m[1].u.limit.avg);
	if (parsed("fields_mac", "-A INPUT -m mac --mac-source 0:a:BC:d:e:F",
		   &c))
		report_checkf("fields_mac", !memcmp(c.rule.m[0].u.mac.addr,
			      "\x00\x0a\xbc\x0d\x0e\x0f", 6), "mac wrong");
	if (parsed("fields_comment_cut", "-A INPUT -m comment --comment "
		   "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		   "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		   "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		   "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		   "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", &c))
		report_checkf("fields_comment_cut",
			      strlen(ipt_comment(&c.rule, &c.rule.m[0])) == 255,
			      "comment of %zu", strlen(ipt_comment(&c.rule, &c.rule.m[0])));
}

static void test_fields_targets(void)
{
	static const struct {
		const char *line;
		uint8_t how;
		uint32_t value, mask;
	} marks[] = {
		{ "--set-mark 0x11/0xf0", IPT_MARK_SET, 0x11, 0xf1 },
		{ "--set-mark 5", IPT_MARK_SET, 5, 0xffffffff },
		{ "--set-xmark 0x10/0xf0", IPT_MARK_XSET, 0x10, 0xf0 },
		{ "--set-xmark 3", IPT_MARK_XSET, 3, 0xffffffff },
		{ "--and-mark 0xf", IPT_MARK_AND, 0, 0xfffffff0 },
		{ "--or-mark 4", IPT_MARK_OR, 4, 4 },
		{ "--xor-mark 5", IPT_MARK_XOR, 5, 0 },
	};
	struct ipt_cmd c;
	char line[128];

	for (size_t i = 0; i < ARRAY_SIZE(marks); i++) {
		snprintf(line, sizeof(line), "-t mangle -A OUTPUT -j MARK %s",
			 marks[i].line);
		if (parsed(line, line, &c))
			report_checkf(line, c.rule.t.kind == IPT_T_MARK &&
				      c.rule.t.u.mark.how == marks[i].how &&
				      c.rule.t.u.mark.value == marks[i].value &&
				      c.rule.t.u.mark.mask == marks[i].mask,
				      "how %u %x/%x", c.rule.t.u.mark.how,
				      c.rule.t.u.mark.value, c.rule.t.u.mark.mask);
	}
	if (parsed("fields_reject_default", "-A INPUT -j REJECT", &c))
		report_checkf("fields_reject_default", c.rule.t.kind == IPT_T_REJECT &&
			      c.rule.t.u.reject_with == IPT_REJ_PORT_UNREACH,
			      "with %u", c.rule.t.u.reject_with);
	if (parsed("fields_log", "-A INPUT -j LOG --log-prefix \"p: \" "
		   "--log-uid --log-macdecode", &c))
		report_checkf("fields_log", c.rule.t.u.log.level == 4 &&
			      c.rule.t.u.log.flags == (IPT_LOG_UID | IPT_LOG_MACDECODE) &&
			      !strcmp(c.rule.t.u.log.prefix, "p: "), "flags %x",
			      c.rule.t.u.log.flags);
	if (parsed("fields_tcpmss_clamp", "-A FORWARD -p tcp -j TCPMSS "
		   "--clamp-mss-to-pmtu", &c))
		report_checkf("fields_tcpmss_clamp", c.rule.t.kind == IPT_T_TCPMSS &&
			      c.rule.t.u.tcpmss.mss == 0, "mss %u",
			      c.rule.t.u.tcpmss.mss);
	if (parsed("fields_snat", "-t nat -A POSTROUTING -p udp -j SNAT "
		   "--to-source 1.2.3.4-1.2.3.9:1000-2000 --persistent", &c))
		report_checkf("fields_snat", c.rule.t.kind == IPT_T_SNAT &&
			      c.rule.t.u.nat.flags == (IPT_NAT_ADDR | IPT_NAT_PORTS |
						       IPT_NAT_PERSISTENT) &&
			      c.rule.t.u.nat.addr_lo == IP4(1, 2, 3, 4) &&
			      c.rule.t.u.nat.addr_hi == IP4(1, 2, 3, 9) &&
			      c.rule.t.u.nat.port_lo == 1000 &&
			      c.rule.t.u.nat.port_hi == 2000, "flags %x",
			      c.rule.t.u.nat.flags);
	if (parsed("fields_masquerade", "-t nat -A POSTROUTING -o eth0 -j "
		   "MASQUERADE --random", &c))
		report_checkf("fields_masquerade",
			      c.rule.t.kind == IPT_T_MASQUERADE &&
			      c.rule.t.u.nat.flags == IPT_NAT_RANDOM && c.table == IPT_NAT,
			      "flags %x", c.rule.t.u.nat.flags);
}

/* ---- the resolver ------------------------------------------------------------ */

static void test_resolver(void)
{
	struct ipt_cmd c;
	struct ipt_err e;

	expect_ok("-A INPUT -s two.example -d one.example -j DROP", &fake,
		  "-A INPUT -s 192.0.2.1/32 -d 198.51.100.7/32 -j DROP\n"
		  "-A INPUT -s 192.0.2.2/32 -d 198.51.100.7/32 -j DROP", &c);
	report_checkf("resolver_two_addresses", c.nsrc == 2 && c.ndst == 1 &&
		      c.rule.src == IP4(192, 0, 2, 1) && c.srcs[1] == IP4(192, 0, 2, 2),
		      "nsrc %u", c.nsrc);
	expect_ok("-A INPUT -s two.example/24", &fake,
		  "-A INPUT -s 192.0.2.0/24\n-A INPUT -s 192.0.2.0/24", NULL);
	expect_ok("-A INPUT -s two.example,10.0.0.1", &fake,
		  "-A INPUT -s 192.0.2.1/32\n-A INPUT -s 192.0.2.2/32\n"
		  "-A INPUT -s 10.0.0.1/32", NULL);
	expect_ok("-A INPUT -d eight.example", &fake,
		  "-A INPUT -d 203.0.113.1/32\n-A INPUT -d 203.0.113.2/32\n"
		  "-A INPUT -d 203.0.113.3/32\n-A INPUT -d 203.0.113.4/32\n"
		  "-A INPUT -d 203.0.113.5/32\n-A INPUT -d 203.0.113.6/32\n"
		  "-A INPUT -d 203.0.113.7/32\n-A INPUT -d 203.0.113.8/32", NULL);
	expect_err("-A INPUT -d eight.example,1.2.3.4", &fake,
		   "too many addresses for -d");
	expect_err("-A INPUT -d 1.2.3.4,eight.example", &fake,
		   "too many addresses for -d");
	expect_err("-A INPUT -s nothere.example", &fake,
		   "host 'nothere.example' for -s not found");
	expect_err("-R INPUT 1 -s two.example", &fake, "-R needs one source");
	expect_ok("-A INPUT -p tcp --dport ssh:http", &fake,
		  "-A INPUT -p tcp -m tcp --dport 22:80", NULL);
	expect_ok("-A INPUT -p udp --sport domain", &fake,
		  "-A INPUT -p udp -m udp --sport 53", NULL);
	/* udp looks service names up under any protocol, tcp under tcp */
	expect_ok("-A INPUT -p udp --sport ssh", &fake,
		  "-A INPUT -p udp -m udp --sport 22", NULL);
	expect_err("-A INPUT -p tcp --sport domain", &fake, "bad port 'domain'");
	expect_ok("-A INPUT -p gre", &fake, "-A INPUT -p 47", NULL);
	expect_err("-A INPUT -p nope", &fake, "unknown protocol 'nope'");
	expect_ok("-A INPUT -p tcp -m multiport --dports ssh,http:81", &fake,
		  "-A INPUT -p tcp -m multiport --dports 22,80:81", NULL);
	expect_ok("-t nat -A POSTROUTING -p tcp -j MASQUERADE --to-ports ssh",
		  &fake, "-t nat -A POSTROUTING -p tcp -j MASQUERADE "
		  "--to-ports 22", NULL);
	/* a name for the first port and the base, numbers for the last */
	expect_err("-t nat -A PREROUTING -p tcp -j DNAT --to-destination "
		   "1.2.3.4:ssh-http", &fake, "bad port 'ssh-http'");
	expect_err("-t nat -A PREROUTING -p tcp -j DNAT --to-destination "
		   "1.2.3.4:10-http", &fake, "a range takes numbers");
	expect_err("-t nat -A PREROUTING -p tcp -j DNAT --to-destination "
		   "1.2.3.4:ssh-80/http", &fake, "bad port 'ssh-80/http'");
	expect_ok("-t nat -A PREROUTING -p tcp -j DNAT --to-destination "
		  "1.2.3.4:22-80/http", &fake, "-t nat -A PREROUTING -p tcp "
		  "-j DNAT --to-destination 1.2.3.4:22-80/80", NULL);
	expect_ok("-t nat -A PREROUTING -p udp -j DNAT --to-destination "
		  "1.2.3.4:http", &fake, "-t nat -A PREROUTING -p udp -j "
		  "DNAT --to-destination 1.2.3.4:80", NULL);
	expect_err("-t nat -A POSTROUTING -j SNAT --to-source one.example",
		   &fake, "bad address 'one.example'");
	/* a resolver with no members is no resolver */
	report_checkf("resolver_empty",
		      parse_line("-A INPUT -s one.example", &(struct ipt_resolver){ 0 },
				 &c, &e) == -1 && strstr(e.msg, "needs a resolver"),
		      "%s", e.msg);
}

static void test_system_resolver(void)
{
	const struct ipt_resolver *r = &ipt_system_resolver;
	uint32_t a[8];
	uint16_t port;
	uint8_t proto;
	char buf[64];
	int n;

	n = r->host("localhost", a, 8);
	if (n < 1)
		printf("SKIP system_resolver_host: localhost does not resolve\n");
	else
		report_checkf("system_resolver_host", a[0] >> 24 == 127, "%08x", a[0]);
	report_checkf("system_resolver_host_numeric", r->host("10.1.2.3", a, 8) == 1 &&
		      a[0] == IP4(10, 1, 2, 3), "%08x", a[0]);
	report_checkf("system_resolver_host_empty", r->host("", a, 8) < 0 &&
		      r->host("localhost", a, 0) < 0, "found one");
	if (r->proto("tcp", &proto))
		printf("SKIP system_resolver_proto: no /etc/protocols\n");
	else
		report_checkf("system_resolver_proto", proto == 6 &&
			      r->proto("no-such-proto", &proto) < 0, "tcp is %u",
			      proto);
	if (r->service("ssh", "tcp", &port)) {
		printf("SKIP system_resolver_service: no ssh in "
		       "/etc/services\n");
	} else {
		report_checkf("system_resolver_service", port == 22 &&
			      r->service("no-such-service", "tcp", &port) < 0,
			      "ssh is %u", port);
		report_checkf("system_resolver_service_name",
			      !r->service_name(22, "tcp", buf, sizeof(buf)) &&
			      !strcmp(buf, "ssh") &&
			      r->service_name(22, "tcp", buf, 2) < 0, "22 is %s", buf);
	}
	/* 127.0.0.1 is in /etc/hosts: no DNS query, so no wait here */
	if (r->host_name(IP4(127, 0, 0, 1), buf, sizeof(buf)))
		printf("SKIP system_resolver_host_name: 127.0.0.1 has no name\n");
	else
		report_checkf("system_resolver_host_name", buf[0] != 0, "empty name");
}

/* ---- ipt_split ---------------------------------------------------------------- */

static void split_case(const char *name, const char *line, int max,
		       size_t store_len, int want_n, const char *const *want,
		       const char *want_err)
{
	char store[256], *w[16];
	struct ipt_err e = { "" };
	int n = ipt_split(line, w, max, store, store_len, &e);
	bool ok = n == want_n;

	for (int i = 0; ok && i < n; i++)
		ok = !strcmp(w[i], want[i]);
	if (ok && n >= 0 && n < max)
		ok = w[n] == NULL;
	if (ok && want_err)
		ok = strstr(e.msg, want_err) != NULL;
	report_checkf(name, ok, "%d words (want %d), first '%s', error '%s'", n,
		      want_n, n > 0 ? w[0] : "", e.msg);
}

static void test_split(void)
{
	split_case("split_blanks", " a  b\tc\r\n", 16, 256, 3,
		   (const char *[]){ "a", "b", "c" }, NULL);
	split_case("split_empty_line", "  \t ", 16, 256, 0, NULL, NULL);
	split_case("split_quotes", "--comment \"hello world\" x", 16, 256, 3,
		   (const char *[]){ "--comment", "hello world", "x" }, NULL);
	split_case("split_escapes", "\"a\\\"b\\\\c\"", 16, 256, 1,
		   (const char *[]){ "a\"b\\c" }, NULL);
	split_case("split_escaped_quote_of_save", "\"a\\'b\"", 16, 256, 1,
		   (const char *[]){ "a'b" }, NULL);
	split_case("split_joined", "x\"a b\"y z", 16, 256, 2,
		   (const char *[]){ "xa by", "z" }, NULL);
	split_case("split_empty_word", "a \"\" b", 16, 256, 3,
		   (const char *[]){ "a", "", "b" }, NULL);
	split_case("split_backslash_outside", "a\\b c\\", 16, 256, 2,
		   (const char *[]){ "a\\b", "c\\" }, NULL);
	split_case("split_unbalanced", "a \"bc", 16, 256, -1, NULL,
		   "unbalanced double quote");
	split_case("split_unbalanced_escaped", "\"bc\\\"", 16, 256, -1, NULL,
		   "unbalanced");
	split_case("split_unbalanced_backslash_end", "\"bc\\", 16, 256, -1, NULL,
		   "unbalanced");
	split_case("split_too_many", "a b c d", 3, 256, -1, NULL,
		   "more than 3 words");
	split_case("split_exact_count", "a b c", 3, 256, 3,
		   (const char *[]){ "a", "b", "c" }, NULL);
	split_case("split_store_small", "abcd", 16, 4, -1, NULL, "too long");
	split_case("split_store_exact", "abc", 16, 4, 1,
		   (const char *[]){ "abc" }, NULL);
	split_case("split_store_two_words", "ab c", 16, 4, -1, NULL, "too long");
	split_case("split_store_zero", "a", 16, 0, -1, NULL, "too long");
	split_case("split_store_zero_empty", "", 16, 0, 0, NULL, NULL);
}

/* ---- ipt_text ------------------------------------------------------------------ */

static void test_text(void)
{
	struct ipt_text t = { 0 };
	bool ok = true;

	for (int i = 0; i < 5000; i++)
		ipt_text_printf(&t, "%04d,", i % 10000);
	for (int i = 0; i < 5000 && ok; i++) {
		char want[16];

		snprintf(want, sizeof(want), "%04d,", i);
		ok = !memcmp(t.s + 5 * i, want, 5);
	}
	report_checkf("text_grows", ok && t.len == 25000 && t.s[t.len] == 0 &&
		      t.cap > t.len && !t.oom, "len %zu", t.len);
	ipt_text_free(&t);
	report_checkf("text_free_zeroes", !t.s && !t.len && !t.cap && !t.oom, "not zero");
	ipt_text_printf(&t, "%s", "");
	report_checkf("text_empty_print", t.s && !t.len && !t.s[0], "len %zu", t.len);
	t.oom = true;
	ipt_text_printf(&t, "dropped");
	report_checkf("text_after_oom_drops", t.len == 0, "len %zu", t.len);
	ipt_text_free(&t);
}

/* ---- odd calls ------------------------------------------------------------------- */

static void test_odd_calls(void)
{
	char *argv[] = { "-A", NULL, "INPUT" };
	char *list[] = { "-L", NULL };
	struct ipt_cmd c;
	struct ipt_err e;

	report_checkf("parse_null_word", ipt_parse(3, argv, NULL, &c, &e) == -1 &&
		      strstr(e.msg, "word 2 is missing"), "%s", e.msg);
	report_checkf("parse_negative_argc", ipt_parse(-1, argv, NULL, &c, &e) == -1,
		      "accepted");
	report_checkf("parse_null_err", ipt_parse(1, list, NULL, &c, NULL) == 0 &&
		      ipt_parse(0, list, NULL, &c, NULL) == -1, "wrong");
	expect_err("-A INPUT -m comment --comment \"\x01\"x -j", NULL,
		   "-j needs a value");
	expect_err("-A \"IN\nPUT\" -x", NULL, "bad chain name 'IN?PUT'");
}

/* ---- randomized round trips -------------------------------------------------------- */

static const char *const cmd_pieces[] = {
	"-A INPUT", "-I FORWARD 2", "-D OUTPUT", "-R FORWARD 1", "-C INPUT",
	"-t nat -A POSTROUTING", "-t mangle -A PREROUTING", "-I x",
};

static const char *const rule_pieces[] = {
	"-s 10.0.0.0/8", "! -s 1.2.3.4", "-d 192.168.1.0/255.255.0.255",
	"-s 1.1.1.1,2.2.2.2", "-d 9.9.9.9,8.8.8.8,7.7.7.7",
	"-i eth+", "! -o ppp0", "-p tcp", "-p udp", "-p icmp", "! -p 47",
	"-f", "! -f", "--dport 22", "! --sport 1024:", "--syn",
	"--tcp-flags ALL ACK", "--icmp-type 3/4", "--icmp-type ping",
	"-m state --state NEW,RELATED", "-m conntrack ! --ctstate INVALID",
	"-m multiport --dports 80,443:445", "-m multiport ! --sports 1",
	"-m mark --mark 0x1/0xff", "-m limit --limit 5/min --limit-burst 3",
	"-m limit --limit 7/hour", "-m mac --mac-source 02:00:00:00:00:01",
	"-m comment --comment \"x \\\"y\\\"\"", "-m tcp", "-m udp --sport 53",
	"-m icmp --icmp-type 0", "-j ACCEPT", "-j DROP", "-j RETURN",
	"-j LOG --log-prefix \"fw: \" --log-level 6 --log-uid",
	"-j REJECT --reject-with tcp-reset", "-j REJECT",
	"-j MARK --set-mark 5", "-j MARK --and-mark 7", "-j MARK --xor-mark 1",
	"-j TCPMSS --set-mss 1400", "-j TCPMSS --clamp-mss-to-pmtu",
	"-j MASQUERADE --to-ports 1024-2048", "-j MASQUERADE --random",
	"-j SNAT --to-source 1.1.1.1-1.1.1.9:1000",
	"-j DNAT --to-destination 10.0.0.1", "-j REDIRECT --random",
	"-g sub", "-j sub", "-c 5 6",
};

static unsigned long rng_state;

static unsigned rng(unsigned n)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (unsigned)((rng_state >> 33) % n);
}

static void test_random_roundtrips(void)
{
	const char *env = getenv("MASQ_SEED");
	unsigned long seed = env ? strtoul(env, NULL, 0) :
				   (unsigned long)time(NULL);
	unsigned accepted = 0, bad = 0;
	char first_bad[1200] = "", why[512];

	rng_state = seed;
	for (int iter = 0; iter < 20000; iter++) {
		char line[600];
		bool used[ARRAY_SIZE(rule_pieces)] = { false };
		unsigned k = rng(7);
		struct ipt_cmd c;
		struct ipt_err e;

		snprintf(line, sizeof(line), "%s",
			 cmd_pieces[rng(ARRAY_SIZE(cmd_pieces))]);
		for (unsigned i = 0; i < k; i++) {
			unsigned p = rng(ARRAY_SIZE(rule_pieces));

			if (used[p])
				continue;
			used[p] = true;
			strncat(line, " ", sizeof(line) - strlen(line) - 1);
			strncat(line, rule_pieces[p],
				sizeof(line) - strlen(line) - 1);
		}
		if (parse_line(line, NULL, &c, &e))
			continue;
		accepted++;
		if (roundtrip(&c, why, sizeof(why)) && !bad++)
			snprintf(first_bad, sizeof(first_bad), "'%s': %s", line,
				 why);
	}
	report_checkf("random_roundtrips", !bad && accepted > 2000,
		      "seed %lu: %u of %u accepted commands fail (first %s)", seed,
		      bad, accepted, first_bad);
	printf("# random_roundtrips: seed %lu, %u commands accepted of 20000\n",
	       seed, accepted);
}

int main(void)
{
	run_ok(commands, ARRAY_SIZE(commands));
	run_ok(rules, ARRAY_SIZE(rules));
	run_ok(protocol_matches, ARRAY_SIZE(protocol_matches));
	run_ok(modules, ARRAY_SIZE(modules));
	run_ok(targets, ARRAY_SIZE(targets));
	run_err(command_errors, ARRAY_SIZE(command_errors));
	run_err(rule_errors, ARRAY_SIZE(rule_errors));
	run_err(match_errors, ARRAY_SIZE(match_errors));
	run_err(target_errors, ARRAY_SIZE(target_errors));
	test_fields_rule();
	test_fields_matches();
	test_fields_targets();
	test_resolver();
	test_system_resolver();
	test_split();
	test_text();
	test_odd_calls();
	test_random_roundtrips();
	return report_failures() ? 1 : 0;
}
