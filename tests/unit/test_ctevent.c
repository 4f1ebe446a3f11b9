// SPDX-License-Identifier: MIT
/*
 * test_ctevent.c - conntrack -E: the events of the connection table
 * (src/engine/ctevent.c), through the engine's listener cursor
 * (masq_engine_ctl_list(e, "conntrack -E"))
 *
 * Connections are made by real frames from the LAN. Cases:
 *	lines		a UDP connection's [NEW] and, after conntrack -F, its
 *			[DESTROY], in conntrack -E's exact format
 *	from_listen	a listener sees only what happened after it came
 *	wrap_loss	5,000 connections with nobody reading: the ring holds
 *			4,096, the reader is told once "conntrack: 904 events
 *			lost", then gets the newest 4,096, at most 256 a read
 *	two_readers	a reader that keeps up loses nothing while another
 *			falls behind and is told its loss
 *	live		the cursor is a listener (never ends), a walk is not
 *
 * Prints "ok ctevent/NAME" or "FAIL ctevent/NAME: why".
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
#define RING		4096	/* ctevent.c's CTEV_RING */
#define PER_READ	256	/* ... CTEV_PER_READ */

static struct masq_pool *pool;

/* "ok ctevent/NAME" or "FAIL ctevent/NAME: why" (tests/lib/report.h) */
static void report(const char *name, bool ok)
{
	report_result("ctevent", name, ok);
}

/* UDP from 192.168.0.2:@sport to 198.51.100.7:53 (what comes out dropped) */
static void udp_out(struct masq_engine *e, uint16_t sport)
{
	static const uint8_t lan_mac[6] = { 2, 0, 0, 0, 1, 1 };
	struct masq_buf *out[16], *b = masq_pool_get(pool);
	struct masq_txq tx = { out, 0, 16 };
	struct frame_spec s;

	if (!b)
		return;
	frame_spec_udp(&s, IP4(192, 168, 0, 2), sport, IP4(198, 51, 100, 7), 53);
	s.payload_len = 8;
	memcpy(s.eth_dst, lan_mac, 6);
	frame_build(&s, b);
	b->iface = 0;
	masq_engine_input(e, &b, 1, NS, &tx);
	for (uint32_t i = 0; i < tx.n; i++)
		masq_pool_put(pool, tx.bufs[i]);
}

static struct masq_engine *engine(void)
{
	struct masq_limits lim;
	struct masq_engine *e;

	masq_limits_default(&lim);
	lim.max_conns = 16384;
	lim.seed = 3;
	e = masq_engine_create(&lim, pool);
	if (e && (ctlline_run_all(e, ctlline_topology) >= 0 ||
		  ctlline_run(e, "set host-cap 100000", NULL))) {
		masq_engine_destroy(e);
		e = NULL;
	}
	return e;
}

static struct masq_ctl_list *listen_(struct masq_engine *e)
{
	char *words[] = { "conntrack", "-E", NULL };
	struct masq_ctl_list *l = NULL;

	masq_engine_ctl_list(e, 2, words, &l);
	return l;
}

/* One read's text (freed by the caller) and its line count */
static char *read_(struct masq_engine *e, struct masq_ctl_list *l, int *lines)
{
	struct masq_text t = { 0 };
	int st = masq_ctl_list_next(e, l, &t);

	*lines = 0;
	for (size_t i = 0; i < t.len; i++)
		*lines += t.s[i] == '\n';
	if (st != MASQ_CTL_MORE)
		*lines = -1;
	return t.s ? t.s : strdup("");
}

static bool lines_case(struct masq_engine *e)
{
	struct masq_ctl_list *l = listen_(e);
	struct masq_text fl = { 0 };
	char *got, *nl;
	int n;
	bool ok = true;

	if (!l)
		return report_whyf("no listener");
	udp_out(e, 40000);
	got = read_(e, l, &n);
	nl = strstr(got, " src=198.51.100.7 dst=203.0.113.1 sport=53 dport=");
	if (n != 1 || strncmp(got, "    [NEW] udp      17 ", 22) ||
	    !strstr(got, " src=192.168.0.2 dst=198.51.100.7 sport=40000 dport=53 [UNREPLIED] ") || !nl)
		ok = report_whyf("the NEW line: %s", got);
	free(got);
	ctlline_run(e, "conntrack -F", &fl);
	masq_text_free(&fl);
	got = read_(e, l, &n);
	if (ok && (n != 1 || strncmp(got, "[DESTROY] udp      17 src=192.168.0.2 dst=198.51.100.7 sport=40000 dport=53 [UNREPLIED] src=198.51.100.7 ", 97)))
		ok = report_whyf("the DESTROY line: %s", got);
	free(got);
	masq_ctl_list_free(l);
	return ok;
}

static bool from_listen_case(struct masq_engine *e)
{
	struct masq_ctl_list *l;
	char *got;
	int n;
	bool ok;

	udp_out(e, 41000);		/* before anyone listens */
	l = listen_(e);
	udp_out(e, 41001);
	got = read_(e, l, &n);
	ok = n == 1 && strstr(got, "sport=41001") ? true :
	     report_whyf("%d lines: %s", n, got);
	free(got);
	masq_ctl_list_free(l);
	return ok;
}

static bool wrap_case(struct masq_engine *e, bool two)
{
	struct masq_ctl_list *l = listen_(e), *k = two ? listen_(e) : NULL;
	int total = 0, n, reads = 0, klines = 0;
	bool ok = true, lost_seen = false;
	char *got;

	for (int i = 0; i < 5000; i++) {
		udp_out(e, (uint16_t)(20000 + i));
		if (k && i % 100 == 99) {	/* the one that keeps up */
			got = read_(e, k, &n);
			klines += n;
			if (strstr(got, "lost"))
				ok = report_whyf("a reader that kept up was told: %.60s", got);
			free(got);
		}
	}
	do {
		got = read_(e, l, &n);
		if (n > PER_READ + 1)
			ok = report_whyf("one read gave %d lines", n);
		if (!reads && strncmp(got, "conntrack: 904 events lost\n", 27))
			ok = report_whyf("first read: %.60s", got);
		if (!reads && !strstr(got, "sport=20904 "))
			ok = report_whyf("the oldest kept is not 20904: %.200s", got);
		if (reads && strstr(got, "lost"))
			lost_seen = true;
		total += n;
		free(got);
		reads++;
	} while (n > 0 && reads < 100);
	if (lost_seen)
		ok = report_whyf("told of a loss twice");
	if (total != RING + 1)
		ok = report_whyf("%d lines, want %d events and the loss line", total, RING + 1);
	if (k && klines != 5000)
		ok = report_whyf("the reader that kept up got %d lines", klines);
	masq_ctl_list_free(l);
	masq_ctl_list_free(k);
	return ok;
}

static bool live_case(struct masq_engine *e)
{
	char *words[] = { "conntrack", "-L", NULL };
	struct masq_ctl_list *l = listen_(e), *w = NULL;
	bool ok;

	masq_engine_ctl_list(e, 2, words, &w);
	ok = l && w && masq_ctl_list_live(l) && !masq_ctl_list_live(w);
	masq_ctl_list_free(l);
	masq_ctl_list_free(w);
	return ok ? true : report_whyf("-E not live, or -L live");
}

int main(void)
{
	struct masq_engine *e;

	pool = masq_pool_create(4096, 2048);
	e = pool ? engine() : NULL;
	if (!e) {
		printf("FAIL ctevent/setup: no engine\n");
		return 1;
	}
	report("lines", lines_case(e));
	report("from_listen", from_listen_case(e));
	masq_engine_destroy(e);
	e = engine();
	report("wrap_loss", e && wrap_case(e, false));
	masq_engine_destroy(e);
	e = engine();
	report("two_readers", e && wrap_case(e, true));
	report("live", e && live_case(e));
	masq_engine_destroy(e);
	masq_pool_destroy(pool);
	return report_failures() ? 1 : 0;
}
