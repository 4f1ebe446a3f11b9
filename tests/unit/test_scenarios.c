// SPDX-License-Identifier: MIT
/*
 * test_scenarios.c - run every tests/scenarios/NAME.scn, and check the checker
 *
 * Prints "ok scenario/NAME" or "FAIL scenario/NAME: file:line: what
 * differed" for each scenario file (paths from the repository root, where
 * tests run). Before them, a few self-tests of tests/lib: frames built by
 * frame.c decode to what was asked with valid checksums, broken ones are
 * judged broken, and the runner reports a scenario that must fail. A
 * checker that cannot say "no" would make every scenario pass.
 *
 * Exit status: 0 when the run completed (failures are counted from the
 * FAIL lines by tests/check.sh), 1 when no scenario could be found.
 */
#include <glob.h>
#include <stdio.h>
#include <string.h>

#include "../lib/frame.h"
#include "../lib/scenario.h"

static int failures;
static int no_scenarios;

static void report(const char *name, bool ok, const char *why)
{
	char one[4096];
	size_t i;

	if (ok) {
		printf("ok %s\n", name);
		return;
	}
	failures++;
	snprintf(one, sizeof(one), "%s", why);
	for (i = 0; one[i]; i++)	/* one line per test */
		if (one[i] == '\n')
			one[i] = ' ';
	printf("FAIL %s: %s\n", name, one);
}

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

static uint8_t fbuf[FRAME_MAX];
static struct frame_spec spec;

/* A TCP frame round-trips through build and decode with valid sums */
static void frame_tcp_roundtrip(void)
{
	struct frame_view v = { 0 };
	struct masq_meta m;
	int n;

	frame_spec_tcp(&spec, IP4(192, 168, 0, 2), 40000, IP4(203, 0, 113, 2),
		       80, FRAME_TCP_SYN);
	spec.seq = 1000;
	spec.payload_len = 3;
	memcpy(spec.payload, "abc", 3);
	n = frame_build_bytes(&spec, fbuf, sizeof(fbuf), &m);
	frame_decode(fbuf, (uint32_t)n, &m, &v);
	report("frame/tcp_roundtrip",
	       n == 14 + 20 + 20 + 3 && v.ok && v.saddr == spec.saddr &&
	       v.sport == 40000 && v.dport == 80 && v.seq == 1000 &&
	       v.tcp_flags == FRAME_TCP_SYN && v.payload_len == 3 &&
	       v.ip_csum == FRAME_CSUM_OK && v.l4_csum == FRAME_CSUM_OK,
	       "built TCP frame does not decode to its spec");
}

/* Broken checksums are judged broken, per layer */
static void frame_broken_csums(void)
{
	struct frame_view v = { 0 };
	struct masq_meta m;
	int n;
	bool ok;

	frame_spec_udp(&spec, IP4(192, 168, 0, 2), 5000, IP4(203, 0, 113, 2),
		       53);
	spec.brk = FRAME_BREAK_IP_CSUM;
	n = frame_build_bytes(&spec, fbuf, sizeof(fbuf), &m);
	frame_decode(fbuf, (uint32_t)n, &m, &v);
	ok = v.ip_csum == FRAME_CSUM_BAD && v.l4_csum == FRAME_CSUM_OK &&
	     !frame_csums_ok(&v);
	spec.brk = FRAME_BREAK_L4_CSUM;
	n = frame_build_bytes(&spec, fbuf, sizeof(fbuf), &m);
	frame_decode(fbuf, (uint32_t)n, &m, &v);
	ok = ok && v.ip_csum == FRAME_CSUM_OK && v.l4_csum == FRAME_CSUM_BAD;
	spec.brk = FRAME_UDP_NO_CSUM;
	n = frame_build_bytes(&spec, fbuf, sizeof(fbuf), &m);
	frame_decode(fbuf, (uint32_t)n, &m, &v);
	ok = ok && v.l4_csum == FRAME_CSUM_ZERO && frame_csums_ok(&v);
	report("frame/broken_csums", ok, "a broken checksum was not seen");
}

/*
 * A NEEDS_CSUM frame holds the folded pseudo-header sum; completing it is
 * valid, and a frame whose addresses change without the field following
 * is judged bad.
 */
static void frame_partial_csum(void)
{
	struct frame_view v = { 0 };
	struct masq_meta m;
	uint32_t ph;
	int n;
	bool ok;

	frame_spec_tcp(&spec, IP4(192, 168, 0, 2), 40000, IP4(203, 0, 113, 2),
		       80, FRAME_TCP_ACK | FRAME_TCP_PSH);
	spec.payload_len = 100;
	spec.brk = FRAME_CSUM_NEEDED;
	n = frame_build_bytes(&spec, fbuf, sizeof(fbuf), &m);
	/* field = fold(saddr + daddr + proto + len), by hand */
	ph = 0xc0a8 + 0x0002 + 0xcb00 + 0x7102 + 6 + 120;
	ok = (m.flags & MASQ_META_NEEDS_CSUM) && m.csum_start == 34 &&
	     m.csum_offset == 16 &&
	     (fbuf[50] << 8 | fbuf[51]) == frame_fold(ph);
	frame_decode(fbuf, (uint32_t)n, &m, &v);
	ok = ok && v.l4_csum == FRAME_CSUM_PARTIAL_OK;
	fbuf[14 + 12 + 3] ^= 1;		/* source address, not the sum */
	frame_decode(fbuf, (uint32_t)n, &m, &v);
	ok = ok && v.l4_csum == FRAME_CSUM_PARTIAL_BAD;
	report("frame/partial_csum", ok, "NEEDS_CSUM sum built or judged wrong");
}

/* An ICMP error's quote decodes, truncated or whole */
static void frame_icmp_quote(void)
{
	static struct frame_spec in;
	struct frame_view v = { 0 }, inner;
	struct masq_meta m;
	int n, q;
	bool ok;

	frame_spec_udp(&in, IP4(203, 0, 113, 1), 33434, IP4(198, 51, 100, 10),
		       33434);
	in.ttl = 1;
	in.payload_len = 32;
	frame_spec_init(&spec, FRAME_IP);
	spec.proto = FRAME_PROTO_ICMP;
	spec.saddr = IP4(198, 51, 100, 10);
	spec.daddr = IP4(203, 0, 113, 1);
	spec.icmp_type = FRAME_ICMP_UNREACH;
	spec.icmp_code = 3;
	q = frame_build_ip(&in, spec.payload, sizeof(spec.payload));
	spec.payload_len = (uint16_t)q;
	n = frame_build_bytes(&spec, fbuf, sizeof(fbuf), &m);
	v.inner = &inner;
	frame_decode(fbuf, (uint32_t)n, &m, &v);
	ok = v.ok && v.is_icmp_error && inner.has_ip && inner.sport == 33434 &&
	     inner.ttl == 1 && inner.l4_csum == FRAME_CSUM_OK &&
	     frame_csums_ok(&v);
	spec.payload_len = 28;
	n = frame_build_bytes(&spec, fbuf, sizeof(fbuf), &m);
	frame_decode(fbuf, (uint32_t)n, &m, &v);
	ok = ok && v.ok && inner.dport == 33434 &&
	     inner.l4_csum == FRAME_CSUM_NONE && frame_csums_ok(&v);
	fbuf[14 + 20 + 8 + 12] ^= 1;	/* quoted source address */
	frame_decode(fbuf, (uint32_t)n, &m, &v);
	ok = ok && inner.ip_csum == FRAME_CSUM_BAD && !frame_csums_ok(&v);
	report("frame/icmp_quote", ok, "ICMP error quote decoded or judged wrong");
}

static const char topo[] =
	"ctl iface add lan0 mac 02:00:00:00:01:01 role internal\n"
	"ctl iface add wan0 mac 02:00:00:00:02:01 role external\n"
	"ctl addr add 192.168.0.1/24 dev lan0\n"
	"ctl addr add 203.0.113.1/24 dev wan0\n"
	"ctl neigh add 203.0.113.2 lladdr 02:00:00:00:02:02 dev wan0\n"
	"ctl neigh add 192.168.0.2 lladdr 02:00:00:00:01:02 dev lan0\n";

/* The runner must say no when a line does not hold */
static void runner_must_fail(const char *name, const char *body,
			     const char *want)
{
	char text[4096], msg[4096], label[128];
	int rc;

	snprintf(text, sizeof(text), "%s%s", topo, body);
	rc = scn_run_text("selftest", text, msg, sizeof(msg));
	snprintf(label, sizeof(label), "runner/%s", name);
	if (rc == 0)
		report(label, false, "the runner passed a scenario that must fail");
	else if (!strstr(msg, want))
		report(label, false, msg);
	else
		report(label, true, NULL);
}

static void runner_selftests(void)
{
	runner_must_fail("unknown_step", "frobnicate\n", "selftest:7: unknown step");
	/* payload "TEXT" escapes: lines 7 and 8 hold, the failure is line 9's */
	runner_must_fail("payload_escapes",
			 "in lan0 udp 192.168.0.2:4000 > 203.0.113.2:53 payload \"\\x41\\\\\\r\\n\\t\"\n"
			 "out wan0 udp 203.0.113.1:4000 > 203.0.113.2:53 payload-hex 415c0d0a09\n"
			 "counter drop_runt 5\n",
			 "selftest:9: counter drop_runt");
	runner_must_fail("payload_bad_escape",
			 "in lan0 udp 192.168.0.2:4000 > 203.0.113.2:53 payload \"a\\q\"\n",
			 "bad payload");
	runner_must_fail("wrong_counter", "counter drop_runt 5\n",
			 "counter drop_runt: expected 5, got 0");
	runner_must_fail("missing_frame",
			 "out wan0 tcp 1.2.3.4:1 > 5.6.7.8:2\n",
			 "expected a frame out on wan0, got nothing");
	runner_must_fail("wrong_field",
			 "in lan0 icmp 192.168.0.2 > 192.168.0.1 echo-request id 9 seq 1\n"
			 "out lan0 icmp 192.168.0.1 > 192.168.0.2 echo-reply id 9 seq 2\n",
			 "icmp seq/mtu: expected 2, got 1");
	runner_must_fail("unmatched_frame",
			 "in lan0 icmp 192.168.0.2 > 192.168.0.1 echo-request id 9 seq 1\n"
			 "none\n",
			 "unexpected frame(s) out");
}

static void run_scenarios(void)
{
	glob_t g;
	char msg[4096], name[256];

	if (glob("tests/scenarios/*.scn", 0, NULL, &g) != 0) {
		printf("FAIL scenario/*: no tests/scenarios/*.scn (run from the repository root)\n");
		failures++;
		no_scenarios = 1;
		return;
	}
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *p = g.gl_pathv[i];
		const char *base = strrchr(p, '/') + 1;
		int rc;

		snprintf(name, sizeof(name), "scenario/%.*s",
			 (int)(strlen(base) - 4), base);
		rc = scn_run_file(p, msg, sizeof(msg));
		report(name, rc == 0, msg);
	}
	globfree(&g);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	frame_tcp_roundtrip();
	frame_broken_csums();
	frame_partial_csum();
	frame_icmp_quote();
	runner_selftests();
	run_scenarios();
	return no_scenarios;
}
