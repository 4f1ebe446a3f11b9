// SPDX-License-Identifier: MIT
/*
 * test_socksify.c - masq-socksify's parts without sockets
 * (src/socksify/socks5.c, conf.c, ask.c)
 *
 *	socks5_*	the SOCKS5 client's state machine against scripted
 *			proxy replies, table-driven: each step feeds bytes
 *			and expects a result and the exact message to send
 *			next (or the failure's words); replies whole, a byte
 *			at a time, and with the destination's first data
 *			after the CONNECT reply
 *	ports_* 		the ports file: names, numbers, ranges, comments;
 *			a bad word named with its file and line
 *	local_* 		the local-networks file: the seeds' own, matches,
 *			bad networks named
 *	ask_*		masqd's answers to origdst (parts, a reply, bytes one
 *			at a time, nonsense) and the iface listing's internal
 *			twins
 *
 * Prints "ok socksify/NAME" or "FAIL socksify/NAME: why".
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netdb.h>

#include "control/proto.h"
#include "socksify/ask.h"
#include "socksify/socks5.h"
#include "socksify/socksify.h"
#include "../lib/report.h"

static int failures;

static void run(const char *name, int (*fn)(void))
{
	int rc = fn();

	failures += rc != 0;
	report_case("socksify", name, rc);
}

/* ---- socks5 ----------------------------------------------------------------- */

#define DST	"\xc6\x33\x64\x07"	/* 198.51.100.7 */
#define DPORT	"\x00\x50"		/* 80 */
#define CONNECT	"\x05\x01\x00\x01" DST DPORT
#define OK_V4	"\x05\x00\x00\x01\x0a\x00\x00\x01\x04\x38"

struct step {
	const char *feed;	/* bytes from the proxy */
	size_t feed_len;
	enum socks5_result want;
	size_t used;		/* bytes of the feed the handshake takes */
	const char *out;	/* with SOCKS5_SEND: the next message */
	size_t out_len;
	const char *why;	/* with SOCKS5_FAIL: words in @why */
};

#define B(s)	s, sizeof(s) - 1

struct script {
	const char *name;
	const char *user, *pass;
	const char *greeting;
	size_t greeting_len;
	struct step steps[4];
};

static const struct script scripts[] = {
	{ "no_auth_connect", NULL, NULL, B("\x05\x01\x00"), {
		{ B("\x05\x00"), SOCKS5_SEND, 2, B(CONNECT), NULL },
		{ B(OK_V4), SOCKS5_OK, 10, NULL, 0, NULL } } },
	{ "data_after_reply_left", NULL, NULL, B("\x05\x01\x00"), {
		{ B("\x05\x00"), SOCKS5_SEND, 2, B(CONNECT), NULL },
		{ B(OK_V4 "SSH-2.0-x\r\n"), SOCKS5_OK, 10, NULL, 0, NULL } } },
	{ "userpass_connect", "alice", "s3cret", B("\x05\x02\x00\x02"), {
		{ B("\x05\x02"), SOCKS5_SEND, 2,
		  B("\x01\x05" "alice" "\x06" "s3cret"), NULL },
		{ B("\x01\x00"), SOCKS5_SEND, 2, B(CONNECT), NULL },
		{ B(OK_V4), SOCKS5_OK, 10, NULL, 0, NULL } } },
	{ "userpass_server_wants_none", "alice", "s3cret",
	  B("\x05\x02\x00\x02"), {
		{ B("\x05\x00"), SOCKS5_SEND, 2, B(CONNECT), NULL },
		{ B(OK_V4), SOCKS5_OK, 10, NULL, 0, NULL } } },
	{ "userpass_refused", "alice", "wrong", B("\x05\x02\x00\x02"), {
		{ B("\x05\x02"), SOCKS5_SEND, 2,
		  B("\x01\x05" "alice" "\x05" "wrong"), NULL },
		{ B("\x01\x01"), SOCKS5_FAIL, 2, NULL, 0,
		  "authentication failed" } } },
	{ "no_acceptable_method", NULL, NULL, B("\x05\x01\x00"), {
		{ B("\x05\xff"), SOCKS5_FAIL, 2, NULL, 0,
		  "no acceptable authentication method" } } },
	{ "method_not_offered", NULL, NULL, B("\x05\x01\x00"), {
		{ B("\x05\x02"), SOCKS5_FAIL, 2, NULL, 0,
		  "a method that was not offered" } } },
	{ "not_version_5", NULL, NULL, B("\x05\x01\x00"), {
		{ B("\x04\x00"), SOCKS5_FAIL, 2, NULL, 0,
		  "not SOCKS version 5" } } },
	{ "connection_refused_words", NULL, NULL, B("\x05\x01\x00"), {
		{ B("\x05\x00"), SOCKS5_SEND, 2, B(CONNECT), NULL },
		{ B("\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00"), SOCKS5_FAIL,
		  4, NULL, 0, "connection refused" } } },
	{ "ruleset_refused_words", NULL, NULL, B("\x05\x01\x00"), {
		{ B("\x05\x00"), SOCKS5_SEND, 2, B(CONNECT), NULL },
		{ B("\x05\x02\x00\x01"), SOCKS5_FAIL, 4, NULL, 0,
		  "connection not allowed by ruleset" } } },
	{ "domain_reply", NULL, NULL, B("\x05\x01\x00"), {
		{ B("\x05\x00"), SOCKS5_SEND, 2, B(CONNECT), NULL },
		{ B("\x05\x00\x00\x03\x05" "a.b.c" "\x00\x50" "HTTP"),
		  SOCKS5_OK, 12, NULL, 0, NULL } } },
	{ "ipv6_reply", NULL, NULL, B("\x05\x01\x00"), {
		{ B("\x05\x00"), SOCKS5_SEND, 2, B(CONNECT), NULL },
		{ B("\x05\x00\x00\x04" "0123456789abcdef" "\x00\x50"),
		  SOCKS5_OK, 22, NULL, 0, NULL } } },
	{ "unknown_address_type", NULL, NULL, B("\x05\x01\x00"), {
		{ B("\x05\x00"), SOCKS5_SEND, 2, B(CONNECT), NULL },
		{ B("\x05\x00\x00\x09"), SOCKS5_FAIL, 4, NULL, 0,
		  "unknown address type" } } },
	{ "reserved_not_zero", NULL, NULL, B("\x05\x01\x00"), {
		{ B("\x05\x00"), SOCKS5_SEND, 2, B(CONNECT), NULL },
		{ B("\x05\x00\x01\x01" "\0\0\0\0\0\0"), SOCKS5_FAIL, 10, NULL,
		  0, "reserved byte" } } },
	{ "short_reply_waits", NULL, NULL, B("\x05\x01\x00"), {
		{ B("\x05"), SOCKS5_MORE, 1, NULL, 0, NULL },
		{ B("\x00"), SOCKS5_SEND, 1, B(CONNECT), NULL },
		{ B("\x05\x00\x00\x01\x0a"), SOCKS5_MORE, 5, NULL, 0, NULL },
		{ B("\x00\x00\x01\x04\x38"), SOCKS5_OK, 5, NULL, 0, NULL } } },
};

static struct socks5 s5;

static int script_start(const struct script *sc)
{
	if (socks5_start(&s5, sc->user, sc->pass, inet_addr("198.51.100.7"),
			 htons(80)))
		return report_failf("socks5_start refused");
	if (s5.out_len != sc->greeting_len ||
	    memcmp(s5.out, sc->greeting, s5.out_len))
		return report_failf("greeting of %zu bytes, want %zu", s5.out_len,
				    sc->greeting_len);
	return 0;
}

static int step_check(const struct script *sc, int i, const struct step *st,
		      enum socks5_result got, size_t used)
{
	if (got != st->want || used != st->used)
		return report_failf("%s step %d: result %d used %zu, want %d "
				    "used %zu", sc->name, i, got, used, st->want,
				    st->used);
	if (got == SOCKS5_SEND && (s5.out_len != st->out_len ||
				   memcmp(s5.out, st->out, st->out_len)))
		return report_failf("%s step %d: message of %zu bytes, not the "
				    "expected %zu", sc->name, i, s5.out_len,
				    st->out_len);
	if (got == SOCKS5_FAIL && (!s5.why || !strstr(s5.why, st->why)))
		return report_failf("%s step %d: why '%s', want '%s'", sc->name,
				    i, s5.why ? s5.why : "", st->why);
	return 0;
}

/* Each script whole-reply by whole-reply */
static int socks5_scripts(void)
{
	for (size_t k = 0; k < sizeof(scripts) / sizeof(scripts[0]); k++) {
		const struct script *sc = &scripts[k];

		if (script_start(sc))
			return -1;
		for (int i = 0; i < 4 && sc->steps[i].feed; i++) {
			const struct step *st = &sc->steps[i];
			size_t used;
			enum socks5_result r = socks5_feed(&s5,
				(const uint8_t *)st->feed, st->feed_len, &used);

			if (step_check(sc, i, st, r, used))
				return -1;
		}
	}
	return 0;
}

/* The successful scripts a byte at a time: the same outcome */
static int socks5_byte_at_a_time(void)
{
	for (size_t k = 0; k < sizeof(scripts) / sizeof(scripts[0]); k++) {
		const struct script *sc = &scripts[k];
		enum socks5_result r = SOCKS5_MORE;

		if (script_start(sc))
			return -1;
		for (int i = 0; i < 4 && sc->steps[i].feed; i++) {
			const struct step *st = &sc->steps[i];
			size_t used = 0, j;

			for (j = 0; j < st->used; j++) {
				r = socks5_feed(&s5, (const uint8_t *)st->feed + j,
						1, &used);
				if (r != SOCKS5_MORE)
					break;
			}
			if (r != st->want && !(st->want == SOCKS5_MORE &&
					       j == st->used))
				return report_failf("%s step %d byte %zu: result "
						    "%d, want %d", sc->name, i,
						    j, r, st->want);
			if (r != SOCKS5_MORE && j + 1 != st->used)
				return report_failf("%s step %d: ended at byte "
						    "%zu of %zu", sc->name, i,
						    j + 1, st->used);
		}
	}
	return 0;
}

static int socks5_reply_code_words(void)
{
	static const char *const want[] = { "succeeded",
		"general SOCKS server failure",
		"connection not allowed by ruleset", "network unreachable",
		"host unreachable", "connection refused", "TTL expired",
		"command not supported", "address type not supported" };

	for (int i = 0; i < 9; i++)
		if (strcmp(socks5_reply_words(i), want[i]))
			return report_failf("code %d: '%s'", i,
					    socks5_reply_words(i));
	if (strcmp(socks5_reply_words(9), "unassigned reply code"))
		return report_failf("code 9: '%s'", socks5_reply_words(9));
	return 0;
}

static int socks5_bad_credentials_refused(void)
{
	char long_name[300];

	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	if (!socks5_start(&s5, long_name, "x", 1, 1) ||
	    !socks5_start(&s5, "u", "", 1, 1) ||
	    !socks5_start(&s5, "", "p", 1, 1) ||
	    !socks5_start(&s5, "u", long_name, 1, 1))
		return report_failf("a user or password of a bad length taken");
	return 0;
}

/* ---- ports and local files --------------------------------------------------- */

static struct sx_ports ports;
static struct sx_local local;
static char err[SX_ERR_MAX];

static int ports_names_numbers_ranges(void)
{
	static const char f[] =
		"# List of destination TCP ports that you want to autoSOCKSify.\n"
		"#\n# Sensible comment syntax is allowed: s/#.*$//\n"
		"ssh\nsmtp\nwhois\nhttp https\r\nnntp\nrsync\ncvspserver\ndict\n"
		"5000 5005 14690 # BitKeeper\n\tircd\n"
		"11371 # PGP/GPG key server, doesn't seem work :-(\n"
		"8000:8002";
	static const unsigned in[] = { 22, 25, 43, 80, 443, 119, 873, 2401,
		2628, 5000, 5005, 14690, 6667, 11371, 8000, 8001, 8002 };
	static const unsigned out[] = { 21, 23, 81, 5001, 7999, 8003, 0 };

	if (sx_ports_parse(f, sizeof(f) - 1, "ports", &ports, err, sizeof(err)))
		return report_failf("refused: %s", err);
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		if (!sx_port_listed(&ports, (uint16_t)in[i]))
			return report_failf("port %u not listed", in[i]);
	for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); i++)
		if (sx_port_listed(&ports, (uint16_t)out[i]))
			return report_failf("port %u listed", out[i]);
	if (ports.n != sizeof(in) / sizeof(in[0]))
		return report_failf("%u ports, want %zu", ports.n,
				    sizeof(in) / sizeof(in[0]));
	return 0;
}

static int expect_bad(int rc, const char *want)
{
	if (!rc)
		return report_failf("taken; want an error '%s'", want);
	if (!strstr(err, want))
		return report_failf("error '%s', want '%s'", err, want);
	return 0;
}

static int ports_bad_word_named(void)
{
	static const struct { const char *text, *want; } cases[] = {
		{ "ssh\nhttp nosuchservice-x # web\n",
		  "/etc/p:2: bad port 'nosuchservice-x'" },
		{ "\n\n\n70000\n", "/etc/p:4: bad port '70000'" },
		{ "0", "/etc/p:1: bad port '0'" },
		{ "80:22", "/etc/p:1: bad port '80:22'" },
		{ "80:", "/etc/p:1: bad port '80:'" },
		{ "-1", "/etc/p:1: bad port '-1'" },
		{ "ht\001tp", "/etc/p:1: bad port 'ht?tp'" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (expect_bad(sx_ports_parse(cases[i].text,
					      strlen(cases[i].text), "/etc/p",
					      &ports, err, sizeof(err)),
			       cases[i].want))
			return -1;
	/* a NUL is a bad word, not an end */
	if (expect_bad(sx_ports_parse("ssh\0x", 5, "/etc/p", &ports, err,
				      sizeof(err)), "/etc/p:1: bad port 'ssh?x'"))
		return -1;
	/* every bad word is reported, each with its line */
	if (expect_bad(sx_ports_parse("x1\nssh\nx2\n", 10, "p", &ports, err,
				      sizeof(err)), "LOW:HIGH)\np:3: bad port 'x2'"))
		return -1;
	return 0;
}

static int local_seeds_file(void)
{
	static const char f[] =
		"# List of destination network addresses that you don't want to\n"
		"# autoSOCKSify, such as 192.168.1.1/24, separated by whitespace.\n"
		"#\n# Sensible comment syntax is allowed: s/#.*$//\n"
		"10.61.2.0/24 # OzLabs\n9.0.0.0/8 # IBM\n"
		"146.84.0.0/16 # Tivoli\n138.95.0.0/16 # Sequent\n"
		"192.168.1.1/24 203.0.113.7\n";
	static const char *const in[] = { "10.61.2.5", "9.255.1.1",
		"146.84.200.1", "138.95.0.0", "192.168.1.200", "203.0.113.7" };
	static const char *const out[] = { "10.61.3.1", "8.8.8.8",
		"146.85.0.1", "203.0.113.8" };

	if (sx_local_parse(f, sizeof(f) - 1, "local", &local, err, sizeof(err)))
		return report_failf("refused: %s", err);
	if (local.n != 6)
		return report_failf("%u networks, want 6", local.n);
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		if (!sx_addr_local(&local, ntohl(inet_addr(in[i]))))
			return report_failf("%s not local", in[i]);
	for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); i++)
		if (sx_addr_local(&local, ntohl(inet_addr(out[i]))))
			return report_failf("%s local", out[i]);
	return 0;
}

static int local_bad_network_named(void)
{
	static const struct { const char *text, *want; } cases[] = {
		{ "10.0.0.0/8\n10.0.0.1/33\n", "l:2: bad network '10.0.0.1/33'" },
		{ "1.2.3", "l:1: bad network '1.2.3'" },
		{ "1.2.3.4/", "l:1: bad network '1.2.3.4/'" },
		{ "1.2.3.4/8x", "l:1: bad network '1.2.3.4/8x'" },
		{ "host.example", "l:1: bad network 'host.example'" },
		{ "1.2.3.4/-1", "l:1: bad network '1.2.3.4/-1'" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (expect_bad(sx_local_parse(cases[i].text,
					      strlen(cases[i].text), "l", &local,
					      err, sizeof(err)), cases[i].want))
			return -1;
	if (sx_local_parse("0.0.0.0/0", 9, "l", &local, err, sizeof(err)) ||
	    !sx_addr_local(&local, 0x01020304))
		return report_failf("0.0.0.0/0 does not cover everything");
	return 0;
}

/* ---- masqd's answers ------------------------------------------------------------- */

static struct sx_ask ask;

/* An answer: @parts parts' texts then a reply of @status and @text */
static size_t answer(uint8_t *buf, const char *part, int status,
		     const char *text)
{
	size_t n = 0;
	struct ctl_msg m;

	if (part) {
		ctl_part_head(buf, strlen(part));
		memcpy(buf + CTL_HDR_LEN, part, strlen(part));
		n = CTL_HDR_LEN + strlen(part);
	}
	ctl_reply_encode(status, text, strlen(text), &m);
	memcpy(buf + n, m.buf, m.len);
	n += m.len;
	ctl_msg_free(&m);
	return n;
}

static enum sx_ask_result feed(const uint8_t *buf, size_t n, bool bytewise)
{
	enum sx_ask_result r = SX_ASK_WAIT;

	ask.busy = true;
	ask.in_len = ask.text_len = 0;
	if (!bytewise)
		return sx_ask_take(&ask, buf, n);
	for (size_t i = 0; i < n && r == SX_ASK_WAIT; i++)
		r = sx_ask_take(&ask, buf + i, 1);
	return r;
}

static int ask_answers(void)
{
	uint8_t buf[2 * SX_ASK_IN_MAX];
	size_t n;

	sx_ask_init(&ask, "/nonexistent");
	for (int bytewise = 0; bytewise < 2; bytewise++) {
		n = answer(buf, NULL, 0, "198.51.100.7:80\n");
		if (feed(buf, n, bytewise) != SX_ASK_FOUND ||
		    ask.dst != inet_addr("198.51.100.7") || ask.dport != htons(80))
			return report_failf("the found answer not read");
		n = answer(buf, "198.51.", 0, "100.7:443\n");
		if (feed(buf, n, bytewise) != SX_ASK_FOUND ||
		    ask.dport != htons(443))
			return report_failf("a part then the reply not read");
		n = answer(buf, NULL, 1, "origdst: no such connection\n");
		if (feed(buf, n, bytewise) != SX_ASK_NONE)
			return report_failf("no such connection not NONE");
		n = answer(buf, NULL, 1, "masqd: permission denied: uid 7 may "
			   "not use masqd's control socket\n");
		if (feed(buf, n, bytewise) != SX_ASK_ERROR)
			return report_failf("permission denied not ERROR");
		n = answer(buf, NULL, 0, "198.51.100.7:0\n");
		if (feed(buf, n, bytewise) != SX_ASK_ERROR)
			return report_failf("port 0 taken");
	}
	n = answer(buf, NULL, 0, "198.51.100.7:80\n");
	buf[n++] = 'x';		/* more than asked */
	if (feed(buf, n, false) != SX_ASK_ERROR)
		return report_failf("trailing bytes taken");
	n = answer(buf, NULL, 0, "198.51.100.7:80\n");
	buf[0] ^= 1;		/* bad magic */
	if (feed(buf, n, false) != SX_ASK_ERROR)
		return report_failf("bad magic taken");
	memset(buf + CTL_HDR_LEN, 'a', SX_ASK_IN_MAX);
	ctl_part_head(buf, SX_ASK_IN_MAX);	/* too big for an answer here */
	if (feed(buf, CTL_HDR_LEN + 10, false) != SX_ASK_ERROR)
		return report_failf("an oversized part announced, not refused");
	return 0;
}

static int origdst_words(void)
{
	static const char *const bad[] = { "", "\n", "x", "1.2.3.4", "1.2.3.4:",
		"1.2.3.4:0", "1.2.3.4:65536", "1.2.3.4:80 x", "1.2.3:80",
		"1.2.3.4:+80", "1.2.3.4:123456" };
	uint32_t a;
	uint16_t p;

	if (sx_origdst_parse("10.0.0.1:65535\n", 15, &a, &p) ||
	    a != inet_addr("10.0.0.1") || p != htons(65535))
		return report_failf("10.0.0.1:65535 not read");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!sx_origdst_parse(bad[i], strlen(bad[i]), &a, &p))
			return report_failf("'%s' taken", bad[i]);
	return 0;
}

static int iface_internal_twins(void)
{
	static const char listing[] =
		"lan0         internal mac 02:00:00:00:00:01 mtu 1500 "
		"192.168.0.1/24 192.168.5.1/24 twin\n"
		"wan0         external mac 02:00:00:00:00:02 mtu 1500 "
		"203.0.113.1/24 twin\n"
		"lan1         internal mac 02:00:00:00:00:03 mtu 1500 "
		"10.1.0.1/16\n"
		"lan2         internal mac 02:00:00:00:00:04 mtu 9000 twin\n"
		"dmz0         internal mac 02:00:00:00:00:05 mtu 1500 "
		"172.16.0.1/24 twin";
	struct in_addr a[4];
	int n;

	sx_ask_iface_parse(listing, sizeof(listing) - 1, a, 4, &n);
	if (n != 3 || a[0].s_addr != inet_addr("192.168.0.1") ||
	    a[1].s_addr != inet_addr("192.168.5.1") ||
	    a[2].s_addr != inet_addr("172.16.0.1"))
		return report_failf("%d addresses (want lan0's two and dmz0's)", n);
	sx_ask_iface_parse(listing, sizeof(listing) - 1, a, 1, &n);
	if (n != 1)
		return report_failf("%d addresses in room for 1", n);
	return 0;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	run("socks5_scripts", socks5_scripts);
	run("socks5_byte_at_a_time", socks5_byte_at_a_time);
	run("socks5_reply_code_words", socks5_reply_code_words);
	run("socks5_bad_credentials_refused", socks5_bad_credentials_refused);
	run("ports_names_numbers_ranges", ports_names_numbers_ranges);
	run("ports_bad_word_named", ports_bad_word_named);
	run("local_seeds_file", local_seeds_file);
	run("local_bad_network_named", local_bad_network_named);
	run("ask_answers", ask_answers);
	run("origdst_words", origdst_words);
	run("iface_internal_twins", iface_internal_twins);
	return failures ? 1 : 0;
}
