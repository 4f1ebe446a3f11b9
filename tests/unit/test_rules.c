// SPDX-License-Identifier: MIT
/*
 * test_rules.c - masqctl rules' reading and deciding (src/masqctl/rulesdir.c)
 *
 * Which files of a rules directory run and in what order (ipmasq's: name
 * order, a .rul replacing its .def, anything else left out); masqd's
 * interface listing read, a bad one refused; the shell text the
 * interfaces become, run in dash to see what a rules file sees
 * (ipnm_cache, aliases as ${i%%:*} strips them); a failure record read
 * back; the line a failed command came from, found in files written like
 * the ipmasq talk's (continuations, variables, loops, comments); dash's
 * syntax error read.
 *
 * Prints "ok rules/NAME" or "FAIL rules/NAME: why".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/report.h"
#include "masqctl/rules.h"

/* Pick @names (NULL-terminated); the result joined by spaces must be @want */
static int picks(const char *const *names, const char *want)
{
	char *in[64], got[1024] = "";
	const char *out[64];
	int n = 0, k;

	while (names[n])
		in[n] = (char *)names[n], n++;
	k = rules_pick(in, n, out);
	for (int i = 0; i < k; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s",
			 i ? " " : "", out[i]);
	if (strcmp(got, want))
		return report_failf("picked '%s', want '%s'", got, want);
	return 0;
}

static int pick_order_and_override(void)
{
	static const char *const names[] = {
		"ZZZdenyandlog.def", "M70masq.rul", "A00path.def", "M70masq.def",
		"I90external.def", "I90extbcast.rul", "I90extbcast.def",
		"README", "a10lower.def", "A10netfilteronly.rul", "C00ipacct.def~",
		"C00ipacct.def.dpkg-old", ".rul", "X.txt", "M7.def", "M70masqx.def",
		NULL
	};

	return picks(names, "A00path.def A10netfilteronly.rul I90extbcast.rul "
		     "I90external.def M7.def M70masq.rul M70masqx.def "
		     "ZZZdenyandlog.def");
}

static int pick_names(void)
{
	static const struct { const char *name; int ok; } t[] = {
		{ "A00path.def", 1 }, { "Z.rul", 1 }, { "ZZZ.rul", 1 },
		{ "a00path.def", 0 }, { "0A.def", 0 }, { ".def", 0 },
		{ "A.def.bak", 0 }, { "A.defx", 0 }, { "A00path.DEF", 0 },
		{ "A", 0 }, { "", 0 }, { "Adef", 0 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (rules_name_ok(t[i].name) != t[i].ok)
			return report_failf("'%s': %s, want %s", t[i].name,
					    t[i].ok ? "refused" : "taken",
					    t[i].ok ? "taken" : "refused");
	return 0;
}

static const char listing[] =
	"lan0         internal mac 02:6d:71:00:01:01 mtu 1500 192.168.0.1/24 10.1.0.1/16 twin\n"
	"wan0         external mac 02:6d:71:00:02:01 mtu 1500 203.0.113.1/24 twin\n"
	"wan1         external mac 02:6d:71:00:03:01 mtu 1500 waiting for an address (dhcp): outbound packets are dropped (drop_no_address)\n"
	"p2p0         external mac 02:6d:71:00:04:01 mtu 1400 198.51.100.7/32\n";

static int iface_listing(void)
{
	struct rules_iface ifs[8];
	int n = rules_iface_parse(listing, ifs, 8);

	if (n != 4)
		return report_failf("%d interfaces, want 4", n);
	if (strcmp(ifs[0].name, "lan0") || ifs[0].role != RULES_INTERNAL ||
	    ifs[0].naddr != 2 || ifs[0].addr[1] != 0x0a010001 || ifs[0].len[1] != 16)
		return report_failf("lan0 read wrong");
	if (ifs[2].naddr || ifs[2].role != RULES_EXTERNAL)
		return report_failf("wan1 (dhcp, no address) read wrong");
	return 0;
}

static int iface_listing_hostile(void)
{
	static const char *const bad[] = {
		"lan0;rm internal mac 02:00:00:00:00:01 mtu 1500 10.0.0.1/8\n",
		"$(reboot) internal\n",
		"a234567890123456 internal\n",
		"lan0\n",
		"lan0 internal 10.0.0.1/8 lan'1 external\nx'y external\n",
	};
	struct rules_iface ifs[2];
	char many[512] = "";

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (rules_iface_parse(bad[i], ifs, 2) >= 0)
			return report_failf("listing %zu taken", i);
	for (int i = 0; i < 3; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many),
			 "l%d internal 10.0.%d.1/24\n", i, i);
	if (rules_iface_parse(many, ifs, 2) != -E2BIG)
		return report_failf("three interfaces taken in room for two");
	/* an address word that is not one is not an address */
	if (rules_iface_parse("l0 internal 10.0.0.1/33 300.1.1.1/8 1.2.3/8 /8 x/\n",
			      ifs, 2) != 1 || ifs[0].naddr)
		return report_failf("a bad address word was taken");
	return 0;
}

/* Run @script in dash; its stdout must be @want */
static int dash_says(const char *script, const char *want)
{
	char path[] = "/tmp/test_rules.XXXXXX", cmd[128], got[2048] = "";
	FILE *f;
	int fd = mkstemp(path);
	size_t n;

	if (fd < 0)
		return report_failf("mkstemp: %m");
	f = fdopen(fd, "w");
	fputs(script, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "/bin/sh %s 2>&1", path);
	f = popen(cmd, "r");
	n = f ? fread(got, 1, sizeof(got) - 1, f) : 0;
	got[n] = '\0';
	if (f)
		pclose(f);
	unlink(path);
	if (strcmp(got, want))
		return report_failf("the shell said '%s', want '%s'", got, want);
	return 0;
}

static int iface_env_in_shell(void)
{
	struct rules_iface ifs[8];
	struct ipt_text t = { 0 };
	int n = rules_iface_parse(listing, ifs, 8), rc;

	rules_iface_env(ifs, n, &t);
	ipt_text_printf(&t,
		"echo \"I=$INTERNAL E=$EXTERNAL EI=$EXTERNAL_IN EO=$EXTERNAL_OUT\"\n"
		"for i in $INTERNAL $EXTERNAL; do ipnm_cache $i\n"
		"  echo \"${i%%%%:*} $IPOFIF $NMOFIF [$BCOFIF] [$PEEROFIF]\"; done\n"
		"ipnm_cache wan9 || echo \"no wan9 [$IPOFIF]\"\n");
	rc = t.oom ? report_failf("out of memory") :
		dash_says(t.s,
			  "I=lan0 lan0:1 E=wan0 wan1 p2p0 EI=wan0 wan1 p2p0 "
			  "EO=wan0 wan1 p2p0\n"
			  "lan0 192.168.0.1 255.255.255.0 [192.168.0.255] []\n"
			  "lan0 10.1.0.1 255.255.0.0 [10.1.255.255] []\n"
			  "wan0 203.0.113.1 255.255.255.0 [203.0.113.255] []\n"
			  "wan1   [] []\n"	/* DHCP: no address yet */
			  "p2p0 198.51.100.7 255.255.255.255 [] []\n"
			  "ipnm_cache: masqd has no interface 'wan9'\n"
			  "no wan9 []\n");
	ipt_text_free(&t);
	return rc;
}

static int record_read(void)
{
	char line[] = "/etc/masq/rules/I90x.rul\tiptables: Bad rule\tiptables -A INPUT\t-j X";
	char bad[] = "no tabs here";
	struct rules_rec r;

	if (rules_rec_parse(line, &r) || strcmp(r.file, "/etc/masq/rules/I90x.rul") ||
	    strcmp(r.msg, "iptables: Bad rule") || strcmp(r.words, "iptables -A INPUT\t-j X"))
		return report_failf("record read wrong");
	if (!rules_rec_parse(bad, &r))
		return report_failf("a line without fields taken");
	return 0;
}

/* The talk's I90external.rul, netfilter part, with its shape kept */
static const char i90[] =
	"#: Only allow desired incoming external packets\n"		/* 1 */
	"if [ -n \"$EXTERNAL_IN\" ]; then\n"
	"for i in $EXTERNAL_IN; do\n"
	"ipnm_cache $i\n"
	"case $MASQMETHOD in\n"						/* 5 */
	"netfilter)\n"
	"\t# Allow continuations of existing connections in.\n"
	"\t$IPTABLES -A INPUT -j ACCEPT \\\n"
	"\t\t-i ${i%%:*} -m state --state ESTABLISHED,RELATED\n"
	"\n"								/* 10 */
	"\tfor p in ssh smtp http rsync ; do\n"
	"\t\t$IPTABLES -A INPUT -j ACCEPT \\\n"
	"\t\t\t-i ${i%%:*} -p tcp -d ${IPOFIF} --dport ${p} \\\n"
	"\t\t\t-m state --state NEW\n"
	"\tdone\n"							/* 15 */
	"\t# Make the ident lookup on some mail/web servers fail quickly.\n"
	"\t$IPTABLES -A INPUT -j REJECT \\\n"
	"\t\t-i ${i%%:*} -p tcp -d ${IPOFIF} --dport ident \\\n"
	"\t\t-m state --state NEW\n"
	"\t$IPTABLES -A INPUT -j ACCEPT -i ${i%%:*} -d $IPOFIF \\\n"	/* 20 */
	"\t\t-p icmp --icmp-type ping \\\n"
	"\t\t-m state --state NEW\n"
	"\t$IPTABLES -A INPUT -j ACCEPT -i ${i%%:*} -d $IPOFIF/32\n"
	"\t$IPTABLES -A INPUT -j ACCEPT -i ${i%%:*} -d $BCOFIF/32\n"
	"\t$IPTABLES -t nat -A PREROUTING -j DNAT -i ${i%%:*} --to-destination \"${dst}:${dport}\"\n" /* 25 */
	"\tif true; then\n"
	"\t\texit 1\n"
	"\tfi\n"
	"\t;;\n"
	"esac # exit 2 here is a comment\n"				/* 30 */
	"done\n"
	"fi\n";

static int find_line_cases(void)
{
	static const struct { const char *words; bool whole; int line; } t[] = {
		{ "iptables -A INPUT -j ACCEPT -i wan0 -m state --state ESTABLISHED,RELATED", false, 8 },
		{ "iptables -A INPUT -j ACCEPT -i wan0 -p tcp -d 203.0.113.1 --dport rsync -m state --state NEW", false, 12 },
		{ "iptables -A INPUT -j REJECT -i wan0 -p tcp -d 203.0.113.1 --dport ident -m state --state NEW", false, 17 },
		{ "iptables -A INPUT -j ACCEPT -i wan0 -d 203.0.113.1 -p icmp --icmp-type ping -m state --state NEW", false, 20 },
		/* both lines fit a /32 destination: the first wins */
		{ "iptables -A INPUT -j ACCEPT -i wan0 -d 203.0.113.255/32", false, 23 },
		{ "iptables -t nat -A PREROUTING -j DNAT -i wan0 --to-destination 192.168.0.2:22", false, 25 },
		{ "exit 1", true, 27 },
		{ "exit 2", true, 0 },		/* only in a comment */
		{ "ipfwadm -F -f", false, 0 },	/* no word of it there */
		{ "", false, 0 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int got = rules_find_line(i90, sizeof(i90) - 1, t[i].words, t[i].whole);

		if (got != t[i].line)
			return report_failf("'%s': line %d, want %d", t[i].words,
					    got, t[i].line);
	}
	return 0;
}

static int find_line_odd_input(void)
{
	static const char nasty[] = "$$$$$${{{{ ``` $(( \\\n\\\n\\";
	char big[20000];

	/* no newline at the end, unbalanced braces, a NUL in the text */
	if (rules_find_line("a b\n$X c", 8, "z c", false) != 2)
		return report_failf("a last line without newline missed");
	if (rules_find_line(nasty, sizeof(nasty) - 1, "x y", false) != 0)
		return report_failf("junk matched");
	if (rules_find_line("a\0b c\nb c\n", 10, "b c", false) != 2)
		return report_failf("a NUL byte misread");
	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 2] = '\n';
	big[sizeof(big) - 1] = 'q';
	if (rules_find_line(big, sizeof(big), "q", false) != 2)
		return report_failf("a line past the matcher's length misread");
	return 0;
}

static int syntax_message(void)
{
	const char *rest;
	int line;

	if (rules_syntax_where("/r/I50.rul: 4: Syntax error: end of file unexpected",
			       "/r/I50.rul", &line, &rest) || line != 4 ||
	    strcmp(rest, "Syntax error: end of file unexpected"))
		return report_failf("dash's message misread");
	if (!rules_syntax_where("/r/I50.rul: x: y", "/r/I50.rul", &line, &rest) ||
	    !rules_syntax_where("/r/other: 4: y", "/r/I50.rul", &line, &rest) ||
	    !rules_syntax_where("", "/r/I50.rul", &line, &rest))
		return report_failf("a message of another form read as dash's");
	return 0;
}

static int token_form(void)
{
	if (!rules_token_ok("0123456789abcdef") || rules_token_ok("0123456789abcde") ||
	    rules_token_ok("0123456789abcdeg") || rules_token_ok("0123456789abcdef0"))
		return report_failf("a token judged wrong");
	return 0;
}

int main(void)
{
	static const struct {
		const char *name;
		int (*fn)(void);
	} cases[] = {
		{ "pick_order_and_override", pick_order_and_override },
		{ "pick_names", pick_names },
		{ "iface_listing", iface_listing },
		{ "iface_listing_hostile", iface_listing_hostile },
		{ "iface_env_in_shell", iface_env_in_shell },
		{ "record_read", record_read },
		{ "find_line", find_line_cases },
		{ "find_line_odd_input", find_line_odd_input },
		{ "syntax_message", syntax_message },
		{ "token_form", token_form },
	};
	int failed = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = cases[i].fn();

		report_case("rules", cases[i].name, rc);
		failed |= rc != 0;
	}
	return failed;
}
