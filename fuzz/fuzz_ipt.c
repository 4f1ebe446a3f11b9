// SPDX-License-Identifier: MIT
/*
 * fuzz_ipt.c - libFuzzer target for the iptables command parser
 *
 * The first byte picks how the rest becomes words (tests/lib/fuzzwords.h):
 * odd, it is one line for ipt_split() (quotes, escapes, blanks); even,
 * the words are split at NUL bytes as they are (so a word may hold
 * blanks, quotes and newlines, as argv words from a shell may). The words go to ipt_parse() with no
 * resolver, as masqd parses them. A refusal must say why, on one line. An
 * accepted command is printed by ipt_cmd_format(), and every line of that
 * must split and parse back to the same command (the property masqctl ->
 * masqd relies on), byte for byte. The same words go to ipt_help() too.
 *
 * MASQ_FUZZ_WRITE_SEEDS=DIR writes a few commands as seeds into DIR at
 * start-up and exits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipt/ipt.h"
#include "../tests/lib/fuzzwords.h"

#define MAX_WORDS	256
#define MAX_TEXT	8192

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define SEED(s)	{ s, sizeof(s) - 1 }

static const struct {
	const char *s;
	size_t len;
} seeds[] = {
	SEED("\x01-A INPUT -m state --state NEW -p tcp --dport 22 -j ACCEPT"),
	SEED("\x01-t nat -A POSTROUTING -o eth0 -s 10.0.0.0/8 -j MASQUERADE"),
	SEED("\x01-A FORWARD -p tcp -m multiport --dports 80,443:445 -m limit "
	     "--limit 5/min --limit-burst 3 -j LOG --log-prefix \"fw: \""),
	SEED("\x01-t mangle -A FORWARD -p tcp --syn -j TCPMSS --clamp-mss-to-pmtu"),
	SEED("\x01-t nat -A PREROUTING -p udp --dport 53 -j DNAT --to "
	     "10.0.0.1-10.0.0.9:53"),
	SEED("\x01-I INPUT 2 -s 1.2.3.4,5.6.7.8 ! -d 9.9.9.0/255.0.255.0 -p icmp "
	     "--icmp-type echo-request -m comment --comment \"a \\\"b\\\"\" -j REJECT"),
	SEED("\x01-nvL INPUT --line-numbers -Z"),
	SEED("\x01-A FORWARD -m conntrack ! --ctstate NEW --ctproto tcp "
	     "--ctorigsrc 10.1/255.0.255.0 --ctrepldst 10.0.0.0/33 "
	     "--ctorigdstport 70000 --ctreplsrcport :80 --ctstatus "
	     "assured,NONE ! --ctexpire 5: --ctdir reply -j ACCEPT"),
	SEED("\x01-t mangle -A PREROUTING -m connmark ! --mark 0x10/0xf0 -j "
	     "CONNMARK --set-mark 1 --mask 0xff"),
	SEED("\x01-t mangle -A POSTROUTING -j CONNMARK --nfmask 1 --save-mark "
	     "--ctmask 2"),
	SEED("\x01-A INPUT -m mac --mac-source 02:00:00:00:00:01 -m mark ! --mark "
	     "0x1/0xff -m conntrack --ctstate DNAT -j MARK --and-mark 7 -c 1 2"),
	SEED("\x01-E old new"),
	SEED("\x01-t nat -A POSTROUTING -p tcp -j SNAT --to-source "
	     "1.2.3.4-1.2.3.9:1000-2000/0 --random --random-fully --persistent"),
	SEED("\x01-t nat -A PREROUTING -p sctp -j DNAT --to-destination "
	     ":10-20/40 --random"),
	SEED("\x01-t nat -A POSTROUTING -p udp -j MASQUERADE --to-ports "
	     "0x400-65535 --random-fully"),
	SEED("\x01-A INPUT -p sctp ! --sport 1:2 --dport 5060 -p 33 -m dccp "
	     "--dport 7 -m multiport --ports 1,2:3"),
	SEED("\x01-A FORWARD -p udplite -m multiport --sports 5000:5010"),
	SEED("\x01-t nat -A PREROUTING -m addrtype --dst-type LOCAL ! --src-type "
	     "unicast,BROADCAST --limit-iface-in -p tcp --dport 8080 -j DNAT "
	     "--to-destination 10.0.0.2:80"),
	SEED("\x01-A INPUT -m iprange ! --src-range 10.0.0.1-10.0.0.9 --dst-range "
	     "1.2.3.4 -m pkttype ! --pkt-type bcast -m length --length :200"),
	SEED("\x01-A FORWARD -m tos ! --tos Minimize-Delay -m ttl ! --ttl-eq 0x10 "
	     "-m tos --tos 0x08/0xfc -m ttl --ttl-lt 5"),
	SEED("\x01-t mangle -A POSTROUTING -j TOS --set-tos 0x10/0x3f"),
	SEED("\x01-t mangle -A FORWARD -j TTL --ttl-inc 3"),
	SEED("\x01-t mangle -I PREROUTING -j TOS --xor-tos 0xff"),
	SEED("\x01-A INPUT -p tcp --dport 22 -m conntrack --ctstate NEW -m recent "
	     "--update --seconds 60 --hitcount 4 --rttl --name SSH -j DROP"),
	SEED("\x01-A FORWARD -m recent ! --rcheck --seconds -1 --reap --name "
	     "\"a b\" --mask 255.255.0.0 --rdest -m recent --set -m comment "
	     "--comment x"),
	SEED("\x01-t raw -A PREROUTING -p tcp --dport 2121 -j CT --helper ftp"),
	SEED("\x01-t raw -I OUTPUT 1 -p udp -j CT --notrack --helper tftp"),
	SEED("\x01-t raw -A PREROUTING ! -i lan0 -j NOTRACK"),
	SEED("\x01-A FORWARD -m state --state UNTRACKED -j ACCEPT"),
	SEED("\x00-A\0INPUT\0-m\0comment\0--comment\0a \"b\"\nc\0-j\0ACCEPT"),
	SEED("\x01-A INPUT -m hashlimit --hashlimit-above 7/min --hashlimit-burst "
	     "3 --hashlimit-mode srcip,dstport --hashlimit-srcmask 24 "
	     "--hashlimit-name b --hashlimit-htable-expire 500 -j DROP"),
	SEED("\x01-A INPUT -m hashlimit --hashlimit-upto 512kb/s "
	     "--hashlimit-burst 1mb --hashlimit-name c --hashlimit-rate-match "
	     "--hashlimit-rate-interval 3 --hashlimit-dstmask 255.255.0"),
	SEED("\x01-A FORWARD -p tcp --syn -m connlimit ! --connlimit-upto 2 "
	     "--connlimit-mask 255.255.255.0 --connlimit-daddr -j REJECT"),
};

static struct ipt_cmd cmd, back;

/* Each line of the formatted command parses back to @c (pair k of it) */
static void check_roundtrip(const struct ipt_cmd *c)
{
	static char store[MAX_TEXT * 2];
	uint32_t ns = c->nsrc ? c->nsrc : 1, nd = c->ndst ? c->ndst : 1;
	struct ipt_text t = { 0 };
	char *words[MAX_WORDS];
	uint32_t k = 0;
	char *line, *next;

	ipt_cmd_format(c, &t);
	if (t.oom || !t.s || !t.len)
		abort();
	for (line = t.s; line; line = next, k++) {
		struct ipt_cmd want = *c;
		struct ipt_err e;
		int n;

		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		if (c->nsrc) {
			memset(want.srcs, 0, sizeof(want.srcs));
			want.nsrc = 1;
			memset(want.smsks, 0, sizeof(want.smsks));
			want.srcs[0] = want.rule.src = c->srcs[(k / nd) % 8];
			want.smsks[0] = want.rule.smsk = c->smsks[(k / nd) % 8];
		}
		if (c->ndst) {
			memset(want.dsts, 0, sizeof(want.dsts));
			want.ndst = 1;
			memset(want.dmsks, 0, sizeof(want.dmsks));
			want.dsts[0] = want.rule.dst = c->dsts[(k % nd) % 8];
			want.dmsks[0] = want.rule.dmsk = c->dmsks[(k % nd) % 8];
		}
		n = ipt_split(line, words, MAX_WORDS, store, sizeof(store), &e);
		if (n < 0 || ipt_parse(n, words, NULL, &back, &e)) {
			fprintf(stderr, "'%s' does not parse back: %s\n", line,
				e.msg);
			abort();
		}
		if (memcmp(&want, &back, sizeof(back))) {
			fprintf(stderr, "'%s' parses back different\n", line);
			abort();
		}
	}
	if (k != ns * nd)
		abort();
	ipt_text_free(&t);
}

/* The same words as a help request (masqctl iptables -h): a refusal
 * says why on one line, help is text, no -h is no help */
static void check_help(int n, char **words)
{
	struct ipt_text t = { 0 };
	struct ipt_err e = { { 0 } };
	int rc = ipt_help(n, words, &t, &e);

	if ((rc < 0 && (!e.msg[0] || strchr(e.msg, '\n'))) ||
	    (rc == 0 && !t.s) || (rc == 1 && t.s))
		abort();
	ipt_text_free(&t);
}

static void check(int n, char **words)
{
	struct ipt_err e;

	check_help(n, words);
	if (ipt_parse(n, words, NULL, &cmd, &e)) {
		if (!e.msg[0] || strchr(e.msg, '\n'))
			abort();
		return;
	}
	check_roundtrip(&cmd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[MAX_TEXT + 1], store[MAX_TEXT + 1];
	char *words[MAX_WORDS];
	int nw = fuzzwords(data, size, text, sizeof(text), store, sizeof(store),
			   words, MAX_WORDS);

	if (nw >= 0)
		check(nw, words);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("MASQ_FUZZ_WRITE_SEEDS");

	(void)argc;
	(void)argv;
	if (!dir)
		return 0;
	for (size_t k = 0; k < sizeof(seeds) / sizeof(seeds[0]); k++) {
		char path[1024];
		FILE *f;

		snprintf(path, sizeof(path), "%s/seed-ipt-%zu", dir, k);
		f = fopen(path, "wb");
		if (f) {
			fwrite(seeds[k].s, 1, seeds[k].len, f);
			fclose(f);
		}
	}
	exit(0);
}
