// SPDX-License-Identifier: MIT
/*
 * test_json.c - masqctl's JSON output (src/masqctl/json.c), in-process
 *
 * Strings escaped (quotes, backslashes, control bytes, bytes above
 * 0x7e); stats text into one object (numbers, USED/MAX, a text value);
 * conntrack(8) lines into objects (TCP with a state, UDP unreplied,
 * ICMP's type/code/id), lines that are not one left out and counted;
 * a listing fed in parts cut at every byte gives the same array as fed
 * whole; a line longer than the carry is left out and the next one is
 * still read; an empty table is "[]". And a real engine's conntrack -L
 * (3,000 UDP and TCP connections, listed in the walk's chunks) through
 * the feed: one object per line, none left out.
 *
 * Prints "ok json/NAME" or "FAIL json/NAME: why".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/ctlline.h"
#include "../lib/frame.h"
#include "masqctl/json.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

static int failed;

/* What @fn wrote into a memory stream, compared with @want */
static void expect(const char *name, const char *got, const char *want)
{
	if (!strcmp(got, want)) {
		printf("ok json/%s\n", name);
		return;
	}
	failed++;
	printf("FAIL json/%s: got\n%s\nwant\n%s\n", name, got, want);
}

static void escaping(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	json_put_str(f, "a\"b\\c\nd\te\x01\x7f\xc3\xa9", 13);
	fclose(f);
	expect("escaping", buf,
	       "\"a\\\"b\\\\c\\nd\\te\\u0001\\u007f\\u00c3\\u00a9\"");
	free(buf);
}

static void stats(void)
{
	static const char text[] =
		"rx_frames                    12\n"
		"conntrack_entries            3/262144\n"
		"io_wan0_tx_last_error        No buffer space available\n"
		"big                          18446744073709551615\n"
		"too_big                      18446744073709551616\n"
		"weird\"name                  1/x\n";
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	json_stats(text, sizeof(text) - 1, f);
	fclose(f);
	expect("stats", buf,
	       "{\n"
	       "  \"rx_frames\": 12,\n"
	       "  \"conntrack_entries\": {\"used\": 3, \"max\": 262144},\n"
	       "  \"io_wan0_tx_last_error\": \"No buffer space available\",\n"
	       "  \"big\": 18446744073709551615,\n"
	       "  \"too_big\": \"18446744073709551616\",\n"
	       "  \"weird\\\"name\": \"1/x\"\n"
	       "}\n");
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	json_stats("", 0, f);
	fclose(f);
	expect("stats_empty", buf, "{}\n");
	free(buf);
}

/* conntrack -L lines as ctlist.c writes them, and their objects */
static const char listing[] =
	"tcp      6 431999 ESTABLISHED src=192.168.0.2 dst=198.51.100.7 "
	"sport=40000 dport=80 packets=5 bytes=400 src=198.51.100.7 "
	"dst=203.0.113.1 sport=80 dport=61000 packets=4 bytes=900 "
	"[ASSURED] mark=0 use=1\n"
	"udp      17 29 src=192.168.0.2 dst=198.51.100.9 sport=5000 "
	"dport=53 packets=1 bytes=60 [UNREPLIED] src=198.51.100.9 "
	"dst=203.0.113.1 sport=53 dport=5000 packets=0 bytes=0 mark=0 use=1\n"
	"not a conntrack line\n"
	"icmp     1 29 src=192.168.0.2 dst=198.51.100.7 type=8 code=0 id=77 "
	"src=198.51.100.7 dst=203.0.113.1 type=0 code=0 id=1024 mark=0 use=1\n";

static const char want_array[] =
	"[\n"
	"  {\"proto\": \"tcp\", \"protonum\": 6, \"timeout\": 431999, "
	"\"state\": \"ESTABLISHED\", \"orig\": {\"src\": \"192.168.0.2\", "
	"\"dst\": \"198.51.100.7\", \"sport\": 40000, \"dport\": 80, "
	"\"packets\": 5, \"bytes\": 400}, \"reply\": {\"src\": "
	"\"198.51.100.7\", \"dst\": \"203.0.113.1\", \"sport\": 80, "
	"\"dport\": 61000, \"packets\": 4, \"bytes\": 900}, \"unreplied\": "
	"false, \"assured\": true, \"mark\": 0, \"use\": 1},\n"
	"  {\"proto\": \"udp\", \"protonum\": 17, \"timeout\": 29, \"orig\": "
	"{\"src\": \"192.168.0.2\", \"dst\": \"198.51.100.9\", \"sport\": "
	"5000, \"dport\": 53, \"packets\": 1, \"bytes\": 60}, \"reply\": "
	"{\"src\": \"198.51.100.9\", \"dst\": \"203.0.113.1\", \"sport\": 53, "
	"\"dport\": 5000, \"packets\": 0, \"bytes\": 0}, \"unreplied\": true, "
	"\"assured\": false, \"mark\": 0, \"use\": 1},\n"
	"  {\"proto\": \"icmp\", \"protonum\": 1, \"timeout\": 29, \"orig\": "
	"{\"src\": \"192.168.0.2\", \"dst\": \"198.51.100.7\", \"type\": 8, "
	"\"code\": 0, \"id\": 77}, \"reply\": {\"src\": \"198.51.100.7\", "
	"\"dst\": \"203.0.113.1\", \"type\": 0, \"code\": 0, \"id\": 1024}, "
	"\"unreplied\": false, \"assured\": false, \"mark\": 0, \"use\": 1}\n"
	"]\n";

/* @text fed in parts of @step bytes (0: whole); the array and bad count */
static char *feed(const char *text, size_t len, size_t step,
		  unsigned long *bad)
{
	struct json_feed *j = calloc(1, sizeof(*j));
	char *buf = NULL;
	size_t blen = 0;

	j->to = open_memstream(&buf, &blen);
	for (size_t at = 0; at < len;) {
		size_t n = step && len - at > step ? step : len - at;

		json_feed_part(j, text + at, n);
		at += n;
	}
	json_feed_end(j);
	fclose(j->to);
	*bad = j->bad;
	free(j);
	return buf;
}

static void conntrack(void)
{
	unsigned long bad;
	char *got = feed(listing, sizeof(listing) - 1, 0, &bad);
	char name[64];
	int split_fail = 0;

	expect("conntrack_whole", got, want_array);
	if (bad != 1) {
		failed++;
		printf("FAIL json/conntrack_bad: %lu lines left out, want 1\n", bad);
	} else {
		printf("ok json/conntrack_bad\n");
	}
	free(got);
	for (size_t step = 1; step < sizeof(listing); step++) {
		got = feed(listing, sizeof(listing) - 1, step, &bad);
		if (strcmp(got, want_array) || bad != 1) {
			snprintf(name, sizeof(name), "conntrack_parts_%zu", step);
			expect(name, got, want_array);
			split_fail++;
		}
		free(got);
	}
	if (!split_fail)
		printf("ok json/conntrack_parts\n");
	got = feed("", 0, 0, &bad);
	expect("conntrack_empty", got, "[]\n");
	free(got);
}

/* A line longer than the carry is left out; the next one is still read */
static void overlong(void)
{
	size_t n = JSON_LINE_MAX * 2;
	char *text = malloc(n + sizeof(listing));
	unsigned long bad;
	char *got, *first_obj;

	memset(text, 'x', n);
	text[n - 1] = '\n';
	memcpy(text + n, listing, sizeof(listing));
	got = feed(text, n + sizeof(listing) - 1, 1000, &bad);
	first_obj = strstr(got, "{\"proto\": \"tcp\"");
	if (bad == 2 && first_obj && !strncmp(got, "[\n  {", 5)) {
		printf("ok json/overlong\n");
	} else {
		failed++;
		printf("FAIL json/overlong: bad %lu, output %.80s\n", bad, got);
	}
	free(got);
	free(text);
}

/* A connection from the LAN: UDP (odd @i) or a TCP SYN (even) */
static void conn_out(struct masq_engine *e, struct masq_pool *pool, int i)
{
	static const uint8_t lan_mac[6] = { 2, 0, 0, 0, 1, 1 };
	struct masq_buf *out[16], *b = masq_pool_get(pool);
	struct masq_txq tx = { out, 0, 16 };
	struct frame_spec s;

	if (!b)
		return;
	if (i & 1)
		frame_spec_udp(&s, IP4(192, 168, 0, 2), (uint16_t)(10000 + i),
			       IP4(198, 51, 100, 7), 53);
	else
		frame_spec_tcp(&s, IP4(192, 168, 0, 2), (uint16_t)(10000 + i),
			       IP4(198, 51, 100, 7), 80, FRAME_TCP_SYN);
	s.payload_len = i & 1 ? 8 : 0;
	memcpy(s.eth_dst, lan_mac, 6);
	frame_build(&s, b);
	b->iface = 0;
	masq_engine_input(e, &b, 1, 1000000000ull, &tx);
	for (uint32_t k = 0; k < tx.n; k++)
		masq_pool_put(pool, tx.bufs[k]);
}

static void engine_listing(void)
{
	struct masq_pool *pool = masq_pool_create(256, 2048);
	char *words[] = { "conntrack", "-L", NULL };
	struct masq_limits lim;
	struct masq_engine *e;
	struct masq_ctl_list *l = NULL;
	struct json_feed *j = calloc(1, sizeof(*j));
	char *buf = NULL;
	size_t blen = 0;
	int st, chunks = 0;

	masq_limits_default(&lim);
	lim.max_conns = 65536;
	e = pool ? masq_engine_create(&lim, pool) : NULL;
	if (!e || ctlline_run_all(e, ctlline_topology) >= 0 ||
	    ctlline_run(e, "set host-cap 100000", NULL)) {
		failed++;
		printf("FAIL json/engine_listing: no engine\n");
		return;
	}
	for (int i = 0; i < 3000; i++)
		conn_out(e, pool, i);
	j->to = open_memstream(&buf, &blen);
	masq_engine_ctl_list(e, 2, words, &l);
	do {
		struct masq_text t = { 0 };

		st = masq_ctl_list_next(e, l, &t);
		json_feed_part(j, t.s ? t.s : "", t.len);
		masq_text_free(&t);
		chunks++;
	} while (st == MASQ_CTL_MORE);
	json_feed_end(j);
	fclose(j->to);
	if (st == 0 && j->objects == 3000 && !j->bad && chunks > 1 &&
	    strstr(buf, "\"state\": \"SYN_SENT\", \"orig\": {\"src\": \"192.168.0.2\", "
		   "\"dst\": \"198.51.100.7\", \"sport\": 10000, \"dport\": 80, ")) {
		printf("ok json/engine_listing\n");
	} else {
		failed++;
		printf("FAIL json/engine_listing: status %d, %lu objects, %lu "
		       "left out, %d chunks: %.300s\n", st, j->objects, j->bad,
		       chunks, buf);
	}
	free(buf);
	free(j);
	masq_ctl_list_free(l);
	masq_engine_destroy(e);
	masq_pool_destroy(pool);
}

int main(void)
{
	escaping();
	stats();
	conntrack();
	overlong();
	engine_listing();
	return failed ? 1 : 0;
}
