// SPDX-License-Identifier: MIT
/*
 * test_masqtab.c - the masquerade table's walks that forget (masq -D,
 * masq -F: src/engine/masqtab.c, ctlist.c) on a table of thousands
 *
 * An engine holds three sets made by real frames: M, 1,500 TCP
 * connections of one internal source endpoint (192.168.0.2:40000, one
 * mapping) to as many servers; O, 1,500 of another host; L, 200 LAN to
 * LAN connections (tracked, not translated: no entries). Checked:
 *
 *	- masq -D of M's endpoint, a chunk at a time while new connections
 *	  of O's host come: no chunk forgets more than its bound, M is gone,
 *	  the rest is there, the count it says is M's;
 *	- a masq -L walk in progress while masq -D forgets entries around
 *	  its cursor still lists each entry present throughout exactly once;
 *	- masq -F in chunks forgets every entry and no LAN to LAN
 *	  connection, and says how many;
 *	- masq -D of an endpoint with no entry is status 1 at the end of
 *	  its walk, having changed nothing.
 *
 * Prints "ok masqtab/NAME" or "FAIL masqtab/NAME: why".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/ctlline.h"
#include "../lib/frame.h"
#include "../lib/report.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define NS		1000000000ull
#define CHUNK_ENTRIES	512	/* ctlist.c's CTLIST_ENTRIES */
#define N_M		1500
#define N_O		1500
#define N_L		200

static struct masq_pool *pool;

/* "ok masqtab/NAME" or "FAIL masqtab/NAME: why" (tests/lib/report.h) */
static void report(const char *name, bool ok)
{
	report_result("masqtab", name, ok);
}

/* One frame from the LAN into the engine (what comes out is dropped) */
static void send_frame(struct masq_engine *e, struct frame_spec *s)
{
	static const uint8_t lan_mac[6] = { 2, 0, 0, 0, 1, 1 };
	struct masq_buf *out[16], *b = masq_pool_get(pool);
	struct masq_txq tx = { out, 0, 16 };

	if (!b)
		return;
	memcpy(s->eth_dst, lan_mac, 6);
	frame_build(s, b);
	b->iface = 0;
	masq_engine_input(e, &b, 1, NS, &tx);
	for (uint32_t i = 0; i < tx.n; i++)
		masq_pool_put(pool, tx.bufs[i]);
}

/* M: 192.168.0.2:40000 to server @i; O: 192.168.0.3:(1024 + @i) */
static void open_tcp(struct masq_engine *e, bool m, uint32_t i)
{
	struct frame_spec s;
	uint32_t dst = IP4(198, 51, 100 + i / 250, 1 + i % 250);

	if (m)
		frame_spec_tcp(&s, IP4(192, 168, 0, 2), 40000, dst, 80,
			       FRAME_TCP_SYN);
	else
		frame_spec_tcp(&s, IP4(192, 168, 0, 3), (uint16_t)(1024 + i),
			       dst, 80, FRAME_TCP_SYN);
	send_frame(e, &s);
}

/* L: 192.168.0.3 to 192.168.0.2, untranslated */
static void open_lan(struct masq_engine *e, uint32_t i)
{
	struct frame_spec s;

	frame_spec_udp(&s, IP4(192, 168, 0, 3), (uint16_t)(20000 + i),
		       IP4(192, 168, 0, 2), 7000);
	s.payload_len = 4;
	send_frame(e, &s);
}

static struct masq_engine *filled(void)
{
	struct masq_limits lim;
	struct masq_engine *e;

	masq_limits_default(&lim);
	lim.max_conns = 16384;
	lim.seed = 5;
	e = masq_engine_create(&lim, pool);
	if (!e || ctlline_run_all(e, ctlline_topology) >= 0 ||
	    ctlline_run(e, "set host-cap 100000", NULL)) {
		masq_engine_destroy(e);
		report_whyf("no engine");
		return NULL;
	}
	for (uint32_t i = 0; i < N_M; i++) {	/* interleaved in the slots */
		open_tcp(e, true, i);
		open_tcp(e, false, i);
		if (i < N_L)
			open_lan(e, i);
	}
	if (masq_engine_conn_count(e) != N_M + N_O + N_L) {
		report_whyf("%u connections made, want %u", masq_engine_conn_count(e),
			    N_M + N_O + N_L);
		masq_engine_destroy(e);
		return NULL;
	}
	return e;
}

static struct masq_ctl_list *walk_start(struct masq_engine *e,
					const char *line)
{
	static char buf[256];
	char *argv[8], *save = NULL;
	struct masq_ctl_list *l = NULL;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *w = strtok_r(buf, " ", &save); w && argc < 8;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	if (masq_engine_ctl_list(e, argc, argv, &l) || !l)
		report_whyf("'%s' is no walk", line);
	return l;
}

/* Lines of @text that contain @needle */
static uint32_t lines_with(const char *text, const char *needle)
{
	uint32_t n = 0;

	for (const char *p = text; p && (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* masq -D a chunk at a time, O's host opening more between chunks */
static bool delete_in_chunks(void)
{
	struct masq_engine *e = filled();
	struct masq_ctl_list *l = e ? walk_start(e, "masq -D tcp 192.168.0.2 40000") : NULL;
	struct masq_text t = { 0 }, list = { 0 };
	uint32_t chunks = 0, made = 0, before;
	int rc = MASQ_CTL_MORE;
	bool ok = l != NULL;

	while (ok && rc == MASQ_CTL_MORE) {
		before = masq_engine_conn_count(e);
		rc = masq_ctl_list_next(e, l, &t);
		chunks++;
		if (before - masq_engine_conn_count(e) > CHUNK_ENTRIES)
			ok = report_whyf("one chunk forgot %u connections",
					 before - masq_engine_conn_count(e));
		for (int k = 0; k < 10; k++)
			open_tcp(e, false, N_O + made++);
		if (rc == MASQ_CTL_MORE && t.len)
			ok = report_whyf("text before the end: '%.80s'", t.s);
	}
	if (ok && (rc || !t.s || strcmp(t.s, "1500 entries deleted\n")))
		ok = report_whyf("status %d, text '%.80s'", rc, t.s ? t.s : "");
	if (ok && chunks < 3)
		ok = report_whyf("%u chunks: not chunked", chunks);
	if (ok && masq_engine_conn_count(e) != N_O + N_L + made)
		ok = report_whyf("%u connections left, want %u",
				 masq_engine_conn_count(e), N_O + N_L + made);
	if (ok)
		ctlline_run(e, "masq -L -n", &list);
	if (ok && (lines_with(list.s, "192.168.0.2 ") ||
		   lines_with(list.s, "192.168.0.3 ") != N_O + made))
		ok = report_whyf("after: %u lines of .2, %u of .3",
				 lines_with(list.s, "192.168.0.2 "),
				 lines_with(list.s, "192.168.0.3 "));
	masq_text_free(&t);
	masq_text_free(&list);
	masq_ctl_list_free(l);
	masq_engine_destroy(e);
	return ok;
}

/* masq -L walks on while masq -D forgets entries around its cursor */
static bool list_while_deleting(void)
{
	struct masq_engine *e = filled();
	struct masq_ctl_list *l = e ? walk_start(e, "masq -L -n") : NULL;
	struct masq_text t = { 0 }, d = { 0 };
	int rc = l ? masq_ctl_list_next(e, l, &t) : 0;
	bool ok = l != NULL;
	char key[64];

	if (ok && rc != MASQ_CTL_MORE)
		ok = report_whyf("one chunk listed everything: no test");
	if (ok && (ctlline_run(e, "masq -D tcp 192.168.0.2 40000", &d) ||
		   masq_engine_conn_count(e) != N_O + N_L))
		ok = report_whyf("masq -D: '%s'", d.s ? d.s : "");
	while (ok && rc == MASQ_CTL_MORE)
		rc = masq_ctl_list_next(e, l, &t);
	if (ok && rc)
		ok = report_whyf("the listing ended with %d", rc);
	/* O's entries, each present throughout: listed exactly once */
	for (uint32_t i = 0; ok && i < N_O; i++) {
		snprintf(key, sizeof(key), " %u (%u) -> 80\n", 1024 + i, 1024 + i);
		if (lines_with(t.s, key) != 1)
			ok = report_whyf("'%s' listed %u times", key,
					 lines_with(t.s, key));
	}
	masq_text_free(&t);
	masq_text_free(&d);
	masq_ctl_list_free(l);
	masq_engine_destroy(e);
	return ok;
}

/* masq -F in chunks: every entry, no LAN to LAN connection */
static bool flush_entries_only(void)
{
	struct masq_engine *e = filled();
	struct masq_ctl_list *l = e ? walk_start(e, "masq -F") : NULL;
	struct masq_text t = { 0 }, ct = { 0 };
	uint32_t chunks = 0;
	int rc = MASQ_CTL_MORE;
	bool ok = l != NULL;

	while (ok && rc == MASQ_CTL_MORE) {
		rc = masq_ctl_list_next(e, l, &t);
		chunks++;
	}
	if (ok && (rc || !t.s || strcmp(t.s, "3000 entries flushed\n") ||
		   chunks < 6))
		ok = report_whyf("status %d, %u chunks, text '%.80s'", rc, chunks,
				 t.s ? t.s : "");
	if (ok && masq_engine_conn_count(e) != N_L)
		ok = report_whyf("%u connections left, want the %u LAN ones",
				 masq_engine_conn_count(e), N_L);
	if (ok)
		ctlline_run(e, "conntrack -L", &ct);
	if (ok && lines_with(ct.s, "dst=192.168.0.2 sport=") != N_L)
		ok = report_whyf("LAN connections listed: %u",
				 lines_with(ct.s, "dst=192.168.0.2 sport="));
	masq_text_free(&t);
	masq_text_free(&ct);
	masq_ctl_list_free(l);
	masq_engine_destroy(e);
	return ok;
}

/* No entry of that endpoint: status 1 at the end, nothing changed */
static bool delete_none(void)
{
	struct masq_engine *e = filled();
	struct masq_text t = { 0 };
	int rc = e ? ctlline_run(e, "masq -D tcp 192.168.0.2 40001", &t) : -1;
	bool ok = e != NULL;

	if (ok && (rc != 1 || !t.s ||
		   strcmp(t.s, "masq: no such entry: TCP 192.168.0.2 40001\n")))
		ok = report_whyf("status %d, text '%s'", rc, t.s ? t.s : "");
	if (ok && masq_engine_conn_count(e) != N_M + N_O + N_L)
		ok = report_whyf("%u connections left", masq_engine_conn_count(e));
	masq_text_free(&t);
	masq_engine_destroy(e);
	return ok;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	pool = masq_pool_create(64, 2048);
	if (!pool) {
		printf("FAIL masqtab/pool: no pool\n");
		return 1;
	}
	report("delete_in_chunks", delete_in_chunks());
	report("list_while_deleting", list_while_deleting());
	report("flush_entries_only", flush_entries_only());
	report("delete_none_changes_nothing", delete_none());
	masq_pool_destroy(pool);
	return 0;
}
