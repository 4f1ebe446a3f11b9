// SPDX-License-Identifier: MIT
/*
 * test_engine_api.c - the engine's API itself: buffers and control errors
 *
 * Buffer ownership (engine.h): every buffer is in the pool, in the tx
 * vector, or held by the engine waiting for ARP, and the held ones are
 * bounded by limits.neigh_queue and come back on destroy. A long random
 * run (seed printed; MASQ_SEED=N repeats one) checks that after every
 * call. The control tests check that errors carry the documented status,
 * name the word that was wrong, and change nothing a listing shows.
 *
 * Prints "ok api/NAME" or "FAIL api/NAME: why" per test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/ctlline.h"
#include "../lib/frame.h"
#include "../lib/rng.h"
#include "../lib/report.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define NS		1000000000ull

/* "ok api/NAME" or "FAIL api/NAME: why" (tests/lib/report.h) */
static void report(const char *name, bool ok)
{
	report_result("api", name, ok);
}

static struct masq_engine *engine_up(struct masq_pool *pool,
				     const struct masq_limits *lim)
{
	struct masq_engine *e = masq_engine_create(lim, pool);

	if (!e) {
		report_failf("masq_engine_create() failed");
		return NULL;
	}
	for (int i = 0; ctlline_topology[i]; i++) {
		if (ctlline_run(e, ctlline_topology[i], NULL) != 0) {
			report_failf("setup command failed: %s", ctlline_topology[i]);
			masq_engine_destroy(e);
			return NULL;
		}
	}
	return e;
}

/* A pool of @count buffers and an engine up on it; NULL (nothing left) on failure */
static struct masq_engine *engine_with_pool(uint32_t count,
					    const struct masq_limits *lim,
					    struct masq_pool **pool)
{
	struct masq_engine *e;

	*pool = masq_pool_create(count, 2048);
	e = *pool ? engine_up(*pool, lim) : NULL;
	if (!e) {
		masq_pool_destroy(*pool);
		*pool = NULL;
	}
	return e;
}

/* ---- control errors ---- */

/* Everything a user could list, to see that a failed command changed nothing */
static void snapshot(struct masq_engine *e, struct masq_text *t)
{
	static const char *const lists[] = {
		"iface", "route", "neigh", "show settings", "masq -L -n",
	};

	for (unsigned i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		masq_text_printf(t, "== %s\n", lists[i]);
		ctlline_run(e, lists[i], t);
	}
	masq_text_printf(t, "ifaces %d\n", masq_engine_iface_count(e));
}

struct bad_cmd {
	const char *cmd;
	const char *word;	/* the error must name it */
	int status;		/* 0: 1 or 2 will do */
};

static const struct bad_cmd bad_cmds[] = {
	{ "frobnicate lan0", "frobnicate", 2 },
	{ "addr add 192.168.0.300/24 dev lan0", "192.168.0.300/24", 0 },
	{ "addr add 192.168.5.1/33 dev lan0", "192.168.5.1/33", 0 },
	{ "addr add 10.0.0.1/8 dev nosuch", "nosuch", 0 },
	{ "addr add 192.168.0.1/24 dev lan0", "192.168.0.1", 1 },
	{ "iface add lan1 mac zz:00:00:00:00:01 role internal", "zz:00:00:00:00:01", 0 },
	{ "iface add lan1 mac 02:00:00:00:09:01 role sideways", "sideways", 0 },
	{ "iface add lan1 mac 02:00:00:00:09:01 role internal mtu 12", "12", 0 },
	{ "iface add lan0 mac 02:00:00:00:09:01 role internal", "lan0", 1 },
	{ "route add 10.0.0.0/8 via 1.2.3", "1.2.3", 0 },
	{ "route add 10.0.0.0/8 via 172.16.0.1", "172.16.0.1", 1 },
	{ "route add 10.0.0.0/33 via 203.0.113.254", "10.0.0.0/33", 0 },
	{ "route del 10.9.0.0/16", "10.9.0.0/16", 1 },
	{ "neigh add 203.0.113.300 lladdr 02:00:00:00:02:09 dev wan0", "203.0.113.300", 0 },
	{ "neigh add 203.0.113.9 lladdr 02:00:00:00:02 dev wan0", "02:00:00:00:02", 0 },
	{ "set ports 70000-80000", "70000-80000", 0 },
	{ "set ports 2000-1000", "2000-1000", 0 },
	{ "set timeout bogus 5", "bogus", 0 },
	{ "set timeout udp -5", "-5", 0 },
	{ "set timeout udp 12x", "12x", 0 },
	{ "masq -S x 0 0", "x", 0 },
	{ NULL, NULL, 0 },
};

static int ctl_errors(struct masq_engine *e)
{
	struct masq_text before = { 0 }, after = { 0 }, out = { 0 };
	int rc = 0;

	snapshot(e, &before);
	for (const struct bad_cmd *b = bad_cmds; b->cmd && !rc; b++) {
		int st = ctlline_run(e, b->cmd, &out);

		if (b->status ? st != b->status : st != 1 && st != 2)
			rc = report_failf("'%s' returned %d, expected %s", b->cmd, st,
					  b->status == 2 ? "2" : b->status ? "1" : "1 or 2");
		else if (!out.s || !strstr(out.s, b->word))
			rc = report_failf("'%s': the error does not name '%s': %s",
					  b->cmd, b->word, out.s ? out.s : "(none)");
		masq_text_free(&after);
		snapshot(e, &after);
		if (!rc && strcmp(before.s, after.s))
			rc = report_failf("'%s' failed but changed a listing", b->cmd);
		if (!rc && masq_engine_iface_find(e, "lan1") >= 0)
			rc = report_failf("'%s' failed but created lan1", b->cmd);
		masq_text_free(&out);
	}
	masq_text_free(&before);
	masq_text_free(&after);
	return rc;
}

static void test_ctl(struct masq_pool *pool)
{
	struct masq_limits lim;
	struct masq_engine *e;
	struct masq_text out = { 0 };
	int rc;

	masq_limits_default(&lim);
	e = engine_up(pool, &lim);
	report("ctl_errors_change_nothing", e && ctl_errors(e) == 0);
	if (!e)
		return;
	rc = masq_engine_ctl(e, 0, (char *const[]){ NULL }, &out);
	if (rc != 2)
		report_failf("an empty command returned %d, expected 2", rc);
	report("ctl_empty_is_usage", rc == 2);
	masq_text_free(&out);

	rc = masq_engine_counter(e, "no_such_counter") == -1 &&
	     masq_engine_counter(e, "drop_bad_ip_csum") == 0 &&
	     masq_engine_iface_find(e, "nope") == -1 &&
	     masq_engine_iface_find(e, "wan0") == 1 &&
	     masq_engine_iface_count(e) == 2 &&
	     !strcmp(masq_engine_iface_name(e, 0), "lan0");
	if (!rc)
		report_failf("counter/interface lookups by name answer wrongly");
	report("lookups_by_name", rc);
	masq_engine_destroy(e);
}

/* ---- buffers ---- */

static uint64_t rng_state;

static uint32_t rnd(void)
{
	return rng_next(&rng_state);
}

static struct frame_spec rs;

/* Address the frame in @rs to interface @ifidx of the topology */
static void to_router(int ifidx)
{
	static const uint8_t macs[2][6] = {
		{ 2, 0, 0, 0, 1, 1 }, { 2, 0, 0, 0, 2, 1 },
	};

	memcpy(rs.eth_dst, macs[ifidx], 6);
}

/* One random frame, mostly plausible, sometimes hostile */
static void random_frame(struct masq_buf *b, int nifs)
{
	static const uint32_t wan_dsts[] = {
		IP4(198, 51, 100, 10), IP4(203, 0, 113, 1), IP4(203, 0, 113, 100),
		IP4(203, 0, 113, 101), IP4(203, 0, 113, 102),
	};
	uint32_t k = rnd() % 16, lan = IP4(192, 168, 0, 2 + rnd() % 4);
	uint32_t dst = wan_dsts[rnd() % 5];
	bool in = k >= 10 && k < 13;
	int n;

	if (k == 13) {		/* ARP: requests, and replies resolving */
		uint8_t mac[6] = { 2, 0, 0, 0, 2, (uint8_t)(100 + rnd() % 3) };
		uint8_t us[6] = { 2, 0, 0, 0, 2, 1 };

		frame_spec_arp(&rs, (uint16_t)(1 + rnd() % 2), mac,
			       IP4(203, 0, 113, mac[5]), us, IP4(203, 0, 113, 1));
		b->iface = 1;
	} else {
		uint16_t sp = (uint16_t)(40000 + rnd() % 8);
		uint16_t dp = (uint16_t)(rnd() % 2 ? 80 : 53);

		if (in)
			frame_spec_udp(&rs, IP4(198, 51, 100, 10), dp,
				       IP4(203, 0, 113, 1), sp);
		else if (k % 3 == 0)
			frame_spec_tcp(&rs, lan, sp, dst, dp,
				       (uint8_t)(rnd() % 2 ? FRAME_TCP_SYN :
						 rnd() & 0x3f));
		else if (k % 3 == 1)
			frame_spec_udp(&rs, lan, sp, dst, dp);
		else
			frame_spec_icmp_echo(&rs, lan, dst, true, sp, 1);
		if (in && rnd() % 2)
			rs.proto = FRAME_PROTO_TCP;
		rs.ttl = (uint8_t)(rnd() % 8 ? 64 : 1);
		rs.payload_len = (uint16_t)(rnd() % 600);
		if (rnd() % 8 == 0)
			rs.brk = FRAME_CSUM_NEEDED;
		b->iface = in ? 1 : 0;
	}
	if (rs.kind == FRAME_IP)
		to_router(in ? 1 : 0);
	if (rnd() % 16 == 0)
		memset(rs.eth_dst, 0xff, 6);
	n = frame_build(&rs, b);
	if (n < 0)
		b->len = 14;
	if (k >= 14 && b->len > 14)	/* corrupt a byte or cut the frame */
		b->data[rnd() % b->len] ^= (uint8_t)(1 + rnd() % 255);
	if (k == 15)
		b->len = rnd() % b->len;
	if (rnd() % 32 == 0) {		/* hostile metadata */
		b->meta.flags = (uint8_t)rnd();
		b->meta.gso_type = (uint8_t)rnd();
		b->meta.gso_size = (uint16_t)rnd();
		b->meta.csum_start = (uint16_t)rnd();
		b->meta.csum_offset = (uint16_t)rnd();
	}
	if (rnd() % 64 == 0)
		b->iface = (uint32_t)(nifs + (int)(rnd() % 3));	/* no such */
}

static int check_tx(struct masq_engine *e, struct masq_pool *pool,
		    struct masq_txq *tx, uint32_t held_max, uint32_t step,
		    uint32_t hogged)
{
	uint32_t count = masq_pool_count(pool) - hogged;
	uint32_t avail = masq_pool_avail(pool);
	int nifs = masq_engine_iface_count(e);

	if (avail + tx->n > count || count - avail - tx->n > held_max)
		return report_failf("step %u: %u buffers unaccounted for (pool %u of %u, tx %u, at most %u may be held)",
				    step, count - avail - tx->n, avail, count, tx->n,
				    held_max);
	for (uint32_t i = 0; i < tx->n; i++) {
		struct masq_buf *b = tx->bufs[i];

		if (b->data < b->base ||
		    b->len > b->cap - (uint32_t)(b->data - b->base))
			return report_failf("step %u: a tx frame lies outside its buffer", step);
		if ((int)b->iface >= nifs)
			return report_failf("step %u: a tx frame leaves by interface %u of %d",
					    step, b->iface, nifs);
	}
	for (uint32_t i = 0; i < tx->n; i++)
		masq_pool_put(pool, tx->bufs[i]);
	tx->n = 0;
	return 0;
}

static int random_run(uint64_t seed, uint32_t steps)
{
	static const char *const reached[] = {
		"forwarded", "conn_new", "neigh_queued", "arp_replies_sent",
		"icmp_errors_sent", "drop_bad_l4_csum", "drop_neigh_queue_full",
		"drop_pool_empty", NULL,
	};
	struct masq_limits lim;
	struct masq_pool *pool = masq_pool_create(96, 2048);
	struct masq_buf *batch[8], *txv[64], *hog[96];
	struct masq_txq tx = { txv, 0, 64 };
	struct masq_engine *e;
	uint64_t now = 5 * NS;
	uint32_t nhog = 0;
	int rc = 0;

	rng_state = seed ? seed : 1;
	masq_limits_default(&lim);
	lim.max_conns = 64;
	lim.neigh_queue = 8;
	lim.max_neigh = 16;
	if (!pool)
		return report_failf("masq_pool_create failed");
	e = engine_up(pool, &lim);
	if (!e) {
		masq_pool_destroy(pool);
		return -1;
	}
	for (uint32_t step = 0; step < steps && !rc; step++) {
		uint32_t n = 1 + rnd() % 8, got = 0;

		/* now and then starve the engine: keep all but a batch */
		if (step % 200 == 100)
			while (masq_pool_avail(pool) > 8)
				hog[nhog++] = masq_pool_get(pool);
		if (step % 200 == 150)
			while (nhog)
				masq_pool_put(pool, hog[--nhog]);

		while (got < n) {
			struct masq_buf *b = masq_pool_get(pool);

			if (!b)
				break;
			random_frame(b, 2);
			batch[got++] = b;
		}
		masq_engine_input(e, batch, got, now, &tx);
		rc = check_tx(e, pool, &tx, lim.neigh_queue, step, nhog);
		if (rnd() % 4 == 0)
			now += (rnd() % 400) * NS / 10;
		masq_engine_advance(e, now, &tx);
		if (!rc)
			rc = check_tx(e, pool, &tx, lim.neigh_queue, step, nhog);
		if (rnd() % 500 == 0)
			ctlline_run(e, "conntrack -F", NULL);
	}
	/* the run must have reached the paths that hold and make buffers */
	for (const char *const *c = reached; *c && !rc; c++)
		if (masq_engine_counter(e, *c) <= 0)
			rc = report_failf("the random run never reached %s", *c);
	while (nhog)
		masq_pool_put(pool, hog[--nhog]);
	masq_engine_destroy(e);
	if (!rc && masq_pool_avail(pool) != masq_pool_count(pool))
		rc = report_failf("after masq_engine_destroy() %u of %u buffers are not back",
				  masq_pool_count(pool) - masq_pool_avail(pool),
				  masq_pool_count(pool));
	masq_pool_destroy(pool);
	return rc;
}

/* The pool runs dry while the engine must answer: counted, not crashed */
static int pool_dry(void)
{
	struct masq_limits lim;
	struct masq_pool *pool;
	struct masq_buf *batch[16], *txv[64];
	struct masq_txq tx = { txv, 0, 64 };
	struct masq_engine *e;
	uint32_t n = 0;
	int rc = 0;

	masq_limits_default(&lim);
	e = engine_with_pool(16, &lim, &pool);
	if (!e)
		return -1;
	while (n < 16 && (batch[n] = masq_pool_get(pool)) != NULL) {
		frame_spec_udp(&rs, IP4(192, 168, 0, 2), (uint16_t)(5000 + n),
			       IP4(198, 51, 100, 10), 33434);
		rs.ttl = 1;
		to_router(0);
		frame_build(&rs, batch[n]);
		batch[n]->iface = 0;
		n++;
	}
	masq_engine_input(e, batch, n, NS, &tx);
	if (masq_pool_avail(pool) + tx.n != masq_pool_count(pool))
		rc = report_failf("%u buffers unaccounted for",
				  masq_pool_count(pool) - masq_pool_avail(pool) - tx.n);
	else if (masq_engine_counter(e, "drop_ttl_expired") != (int64_t)n)
		rc = report_failf("drop_ttl_expired %lld, expected %u",
				  (long long)masq_engine_counter(e, "drop_ttl_expired"), n);
	else if (masq_engine_counter(e, "icmp_errors_sent") != (int64_t)tx.n)
		rc = report_failf("icmp_errors_sent %lld but %u frames out",
				  (long long)masq_engine_counter(e, "icmp_errors_sent"),
				  tx.n);
	for (uint32_t i = 0; i < tx.n; i++)
		masq_pool_put(pool, tx.bufs[i]);
	masq_engine_destroy(e);
	masq_pool_destroy(pool);
	return rc;
}

/* A full tx vector drops what does not fit, counted, buffers returned */
static int tx_full(void)
{
	struct masq_limits lim;
	struct masq_pool *pool;
	struct masq_buf *batch[5], *txv[2];
	struct masq_txq tx = { txv, 0, 2 };
	struct masq_engine *e;
	int rc = 0;

	masq_limits_default(&lim);
	e = engine_with_pool(32, &lim, &pool);
	if (!e)
		return -1;
	for (int i = 0; i < 5; i++) {
		batch[i] = masq_pool_get(pool);
		frame_spec_udp(&rs, IP4(192, 168, 0, 2), (uint16_t)(6000 + i),
			       IP4(198, 51, 100, 10), 53);
		to_router(0);
		frame_build(&rs, batch[i]);
		batch[i]->iface = 0;
	}
	masq_engine_input(e, batch, 5, NS, &tx);
	if (tx.n != 2)
		rc = report_failf("tx holds %u frames, capacity 2", tx.n);
	else if (masq_engine_counter(e, "drop_tx_full") != 3)
		rc = report_failf("drop_tx_full %lld, expected 3",
				  (long long)masq_engine_counter(e, "drop_tx_full"));
	else if (masq_pool_avail(pool) + tx.n != masq_pool_count(pool))
		rc = report_failf("%u buffers unaccounted for",
				  masq_pool_count(pool) - masq_pool_avail(pool) - tx.n);
	for (uint32_t i = 0; i < tx.n && i < 2; i++)
		masq_pool_put(pool, tx.bufs[i]);
	masq_engine_destroy(e);
	masq_pool_destroy(pool);
	return rc;
}

/* Packets for one unresolved neighbour: held up to the limit, the rest counted */
static int neigh_queue_bound(void)
{
	struct masq_limits lim;
	struct masq_pool *pool;
	struct masq_buf *batch[10], *txv[16];
	struct masq_txq tx = { txv, 0, 16 };
	struct masq_engine *e;
	uint32_t held;
	int rc = 0;

	masq_limits_default(&lim);
	lim.neigh_queue = 4;
	e = engine_with_pool(64, &lim, &pool);
	if (!e)
		return -1;
	for (int i = 0; i < 10; i++) {
		batch[i] = masq_pool_get(pool);
		frame_spec_udp(&rs, IP4(192, 168, 0, 2), (uint16_t)(7000 + i),
			       IP4(203, 0, 113, 77), 53);
		to_router(0);
		frame_build(&rs, batch[i]);
		batch[i]->iface = 0;
	}
	masq_engine_input(e, batch, 10, NS, &tx);
	held = masq_pool_count(pool) - masq_pool_avail(pool) - tx.n;
	if (held != 4)
		rc = report_failf("%u frames held for one neighbour, limit 4", held);
	else if (masq_engine_counter(e, "drop_neigh_queue_full") != 6)
		rc = report_failf("drop_neigh_queue_full %lld, expected 6",
				  (long long)masq_engine_counter(e, "drop_neigh_queue_full"));
	for (uint32_t i = 0; i < tx.n; i++)
		masq_pool_put(pool, tx.bufs[i]);
	masq_engine_destroy(e);
	if (!rc && masq_pool_avail(pool) != masq_pool_count(pool))
		rc = report_failf("masq_engine_destroy() kept %u held buffers",
				  masq_pool_count(pool) - masq_pool_avail(pool));
	masq_pool_destroy(pool);
	return rc;
}

/* Send @n UDP datagrams from inside; return how many left the engine */
static uint32_t send_udp(struct masq_engine *e, struct masq_pool *pool,
			 uint32_t n, uint16_t dport)
{
	struct masq_buf *b, *txv[4];
	uint32_t out = 0;

	for (uint32_t i = 0; i < n; i++) {
		struct masq_txq tx = { txv, 0, 4 };

		b = masq_pool_get(pool);
		if (!b)
			break;
		frame_spec_udp(&rs, IP4(192, 168, 0, 2), 7000,
			       IP4(198, 51, 100, 10), dport);
		to_router(0);
		frame_build(&rs, b);
		b->iface = 0;
		masq_engine_input(e, &b, 1, NS, &tx);
		out += tx.n;
		for (uint32_t k = 0; k < tx.n; k++)
			masq_pool_put(pool, tx.bufs[k]);
	}
	return out;
}

/*
 * A ruleset change as a job: packets go on through the old rules while it
 * is built, what they count is carried into the new ruleset at the swap,
 * and the new rules decide from then on.
 */
static int ctl_job(void)
{
	struct masq_limits lim;
	struct masq_pool *pool;
	struct masq_engine *e;
	struct masq_ctl_job *j;
	struct masq_text t = { 0 };
	char *add[] = { "iptables", "-I", "FORWARD", "-p", "udp", "--dport",
			"9", "-j", "DROP" };
	char *list[] = { "iptables", "-L", "--zz" };
	int rc = 0, st;

	masq_limits_default(&lim);
	e = engine_with_pool(64, &lim, &pool);
	if (!e)
		return -1;
	if (ctlline_run(e, "iptables -I FORWARD -p udp --dport 53 -j ACCEPT", NULL))
		rc = report_failf("setup rule refused");
	j = masq_engine_ctl_job(e, 9, add);
	if (!rc && !j)
		rc = report_failf("iptables -I is not a job");
	if (!rc && masq_engine_ctl_job(e, 3, list))
		rc = report_failf("a command that does not parse became a job");
	if (!rc && send_udp(e, pool, 5, 53) != 5)
		rc = report_failf("packets did not pass before the job ran");
	if (!rc)
		masq_ctl_job_run(j);
	/* built, not yet published: the old rules decide, and count */
	if (!rc && send_udp(e, pool, 3, 9) != 3)
		rc = report_failf("the new rule acted before it was published");
	if (!rc && send_udp(e, pool, 2, 53) != 2)
		rc = report_failf("established packets stopped during the job");
	if (!rc) {
		st = masq_engine_ctl_job_finish(e, j, &t);
		masq_ctl_job_free(j);
		j = NULL;
		if (st)
			rc = report_failf("finish: status %d: %s", st, t.s ? t.s : "");
	}
	if (!rc && send_udp(e, pool, 2, 9) != 0)
		rc = report_failf("the new rule does not drop after the swap");
	masq_text_free(&t);
	if (!rc && ctlline_run(e, "iptables-save -c -t filter", &t))
		rc = report_failf("iptables-save failed");
	if (!rc && (!t.s || !strstr(t.s, "[7:196] -A FORWARD -p udp -m udp --dport 53 -j ACCEPT") ||
		    !strstr(t.s, "[2:56] -A FORWARD -p udp -m udp --dport 9 -j DROP") ||
		    !strstr(t.s, "[3:84] -A FORWARD -i lan0 -j ACCEPT")))
		rc = report_failf("counters not carried over the swap: %s", t.s ? t.s : "");
	masq_text_free(&t);
	if (j) {
		masq_ctl_job_run(j);
		masq_engine_ctl_job_finish(e, j, &t);
		masq_ctl_job_free(j);
		masq_text_free(&t);
	}
	masq_engine_destroy(e);
	masq_pool_destroy(pool);
	return rc;
}

int main(void)
{
	struct masq_pool *pool = masq_pool_create(64, 2048);
	const char *env = getenv("MASQ_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!pool) {
		printf("FAIL api/pool_create: masq_pool_create(64, 2048) failed\n");
		return 1;
	}
	test_ctl(pool);
	masq_pool_destroy(pool);
	printf("# random run seed %llu (repeat with MASQ_SEED=%llu)\n",
	       (unsigned long long)seed, (unsigned long long)seed);
	report("buffers_accounted_random_run", random_run(seed, 20000) == 0);
	report("pool_dry_counted", pool_dry() == 0);
	report("tx_full_counted", tx_full() == 0);
	report("neigh_queue_bounded", neigh_queue_bound() == 0);
	report("ctl_job_counts_carried_and_swap", ctl_job() == 0);
	return 0;
}
