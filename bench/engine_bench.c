// SPDX-License-Identifier: MIT
/*
 * engine_bench.c - the engine's speed in memory, one core
 *
 * Prints one line per figure: "bench NAME VALUE UNIT".
 *
 *   new_conn         SYNs of fresh internal endpoints, each a new
 *                    masqueraded connection (port allocation included)
 *   est_out_N        TCP ACKs of established connections, inside to out
 *   est_in_N         their replies, outside to in (de-masqueraded)
 *   ratio_1m_vs_1k_D the time per packet at 1m over that at 1k, one
 *                    direction: the sizes are measured in interleaved
 *                    rounds, and this is the median of the rounds' ratios
 *   attack_inbound_miss  packets from outside to random ports of the
 *                    masquerade address (no connection: lookup misses,
 *                    counted drops), with 100k connections established
 *   attack_syn_flood  SYNs from random internal sources and ports into a
 *                    full table: each evicts the oldest never-replied
 *                    entry; afterwards every established connection is
 *                    checked to be still there
 *   rss_engine_empty_1048576, rss_engine_full_1000000
 *                    resident memory (RssAnon, KiB) of an engine made
 *                    for 2^20 connections, empty and then with 1,000,000
 *                    established (masqd(8), MEMORY)
 *   bytes_per_conn   what the engine allocates for connection state,
 *                    divided by max_conns, at 2^20 connections with the
 *                    default limits: entries (64), counters (24), the
 *                    connection hash (2 keys at <= 80 % load), mappings
 *                    (12 each, 262,144 by default) with their hash and
 *                    port bitmaps; _noacct without the counters
 *   est_out_fw_*     established packets (10k connections) through the
 *                    filter's FORWARD chain: only an ESTABLISHED accept
 *                    (none), 1,000 rules that match nothing after it
 *                    (after_1000) and before it (before_1000); with
 *                    ratio_* the same-run ratio to "none"
 *   est_out_helper_* established ACKs (10k connections) of connections
 *                    without a helper (plain: the helpers at their
 *                    defaults, ftp on 21, tftp on 69) and with one
 *                    (ftp: the helper given the connections' port 443,
 *                    so each packet takes the general path and its
 *                    sequence adjustment); ratio_helper_ftp_vs_plain
 *                    is the same-run ratio: what a helper connection
 *                    costs, never paid by a connection without one
 *   est_out_legacy_* established ACKs (10k connections) under the
 *                    default ruleset (iptables) and under the Linux
 *                    Journal article's masquerading written in ipchains
 *                    and in ipfwadm (with accounting in and out): the
 *                    2.x rulesets walk input, forward and output rule
 *                    by rule on every packet; ratio_legacy_* the
 *                    same-run ratios to iptables
 *   est_out_header_*  established ACKs (10k connections) with two MARK
 *                    rules in mangle POSTROUTING (mark: the walk any
 *                    mangle rule costs), with TTL and TOS set there
 *                    instead (ttl_tos) and with an addrtype test in
 *                    PREROUTING (addrtype); ratio_header_* the same-run
 *                    ratios to mark
 *   est_out_raw_*    established ACKs (10k connections) with the raw
 *                    table not loaded (none), loaded and empty (empty),
 *                    and with one NOTRACK rule they do not match (rule):
 *                    raw is walked for every packet before tracking;
 *                    ratio_raw_* the same-run ratios to none
 *
 * N is 1k, 100k or 1m concurrent connections. With endpoint-independent
 * mapping one external address holds at most 64,512 mappings (ports
 * 1024-65535), so the 1m table is 62,500 internal endpoints (250 hosts
 * x 250 ports) x 16 destinations = 1,000,000 connections on one address.
 *
 * Only the engine is timed: frames are written (a copy of a template
 * and four fields) between timed batches, 64 frames a batch, visiting the
 * connections in a random order so the table does not sit in cache. The
 * established rounds and new_conn write their frames from tuples laid
 * out in that order beforehand, read in sequence as a NIC's ring is:
 * written from the bench's per-connection arrays, read at random, the
 * untimed writing itself pushed the engine's tables out of the caches
 * (est: 1m vs 1k 1.54 then, 1.37 now, same engine, same runs; new_conn:
 * no change). The frames carry DATA_VALID metadata, as from a NIC that
 * checked the L4 checksum; the IPv4 header checksum is still verified by
 * the engine.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "masq/engine.h"
#include "../tests/lib/ctlline.h"
#include "lib.h"
#include "engine/eng.h"

#define BATCH	64
#define DESTS	16
#define ROUNDS_MAX	9

static bool no_acct;		/* --no-acct: engines without counters */

struct bench {
	struct masq_pool *pool;
	struct masq_engine *e;
	uint32_t n;			/* connections */
	uint32_t *host;			/* internal address per connection */
	uint16_t *port;			/* internal port */
	uint32_t *dst;			/* remote address */
	uint16_t *ext;			/* external port, learned from output */
	uint32_t ext_addr;
	uint64_t now;
};

/* Run one batch, timing only the engine; returns frames sent */
static uint32_t run_batch(struct bench *B, struct masq_buf **in, uint32_t n,
			  double *spent, void (*seen)(struct bench *, struct masq_buf *, uint32_t),
			  const uint32_t *ids)
{
	struct masq_buf *out[4 * BATCH];
	struct masq_txq tx = { out, 0, 4 * BATCH };
	double t0 = bench_now_s();

	masq_engine_input(B->e, in, n, B->now, &tx);
	*spent += bench_now_s() - t0;
	for (uint32_t i = 0; i < tx.n; i++) {
		if (seen && i < n)
			seen(B, out[i], ids[i]);
		masq_pool_put(B->pool, out[i]);
	}
	return tx.n;
}

static void learn_ext_port(struct bench *B, struct masq_buf *b, uint32_t id)
{
	const struct tcp_hdr *th = (const struct tcp_hdr *)(b->data + ETH_HLEN + 20);

	B->ext[id] = th->sport;
}

static struct bench *bench_new(uint32_t n, uint32_t max_conns)
{
	struct bench *B = calloc(1, sizeof(*B));
	struct masq_limits lim = { .max_conns = max_conns, .max_neigh = 4096,
				   .seed = 42, .no_accounting = no_acct };
	uint32_t hosts = 250;

	B->pool = masq_pool_create(8 * BATCH, 2048);
	B->e = masq_engine_create(&lim, B->pool);
	if (!B->pool || !B->e) {
		fprintf(stderr, "bench: out of memory for %u connections\n", n);
		exit(1);
	}
	bench_topology(B->e);
	for (uint32_t h = 0; h < hosts; h++)
		ctlline_must(B->e, "neigh add 10.1.%u.%u lladdr 02:6d:71:00:01:02 dev lan0",
		    (h + 2) / 256, (h + 2) % 256);
	B->n = n;
	B->host = calloc(n, sizeof(*B->host));
	B->port = calloc(n, sizeof(*B->port));
	B->dst = calloc(n, sizeof(*B->dst));
	B->ext = calloc(n, sizeof(*B->ext));
	/* connection i: endpoint i / DESTS, destination i % DESTS */
	for (uint32_t i = 0; i < n; i++) {
		uint32_t ep = i / DESTS, h = ep % hosts + 2;

		B->host[i] = htonl(0x0a010000u | h);
		B->port[i] = htons((uint16_t)(20000 + ep / hosts));
		B->dst[i] = htonl(0xc6336400u | (i % DESTS + 1));
	}
	inet_pton(AF_INET, "203.0.113.1", &B->ext_addr);
	B->now = 1000000000ull;
	return B;
}

static void bench_free(struct bench *B)
{
	masq_engine_destroy(B->e);
	masq_pool_destroy(B->pool);
	free(B->host);
	free(B->port);
	free(B->dst);
	free(B->ext);
	free(B);
}

/* A packet's addresses and ports as they are on the wire */
struct wire_tuple {
	uint32_t src, dst;
	uint16_t sport, dport;
};

/*
 * The tuples of the packets one way of an established round, in the
 * order it visits the connections: the frames of a round are then
 * written from memory read in sequence, as a NIC's ring is, and the
 * bench's own per-connection arrays (read at random, untimed) do not
 * push the engine's tables out of the caches between timed batches.
 */
static struct wire_tuple *wire_tuples(const struct bench *B,
				      const uint32_t *order, int dir)
{
	struct wire_tuple *w = malloc(B->n * sizeof(*w));

	if (!w) {
		fprintf(stderr, "bench: out of memory for %u tuples\n", B->n);
		exit(1);
	}
	for (uint32_t i = 0; i < B->n; i++) {
		uint32_t c = order[i];

		w[i] = dir == 0 ?
			(struct wire_tuple){ B->host[c], B->dst[c], B->port[c],
					     htons(443) } :
			(struct wire_tuple){ B->dst[c], B->ext_addr, htons(443),
					     B->ext[c] };
	}
	return w;
}

/*
 * Send one packet per connection in @order (or per tuple of @wire, when
 * given: the same packets, written from @wire); return seconds in the
 * engine
 */
static double pass(struct bench *B, const uint32_t *order,
		   const struct wire_tuple *wire, uint32_t count,
		   int dir, uint8_t flags, bool learn, uint64_t *sent)
{
	struct masq_buf *in[BATCH];
	double spent = 0;

	for (uint32_t i = 0; i < count; i += BATCH) {
		uint32_t n = count - i < BATCH ? count - i : BATCH;

		for (uint32_t k = 0; k < n; k++) {
			uint32_t c = order[i + k];

			in[k] = masq_pool_get(B->pool);
			if (wire)
				bench_frame_tcp(in[k], dir, wire[i + k].src,
						wire[i + k].dst, wire[i + k].sport,
						wire[i + k].dport, flags);
			else if (dir == 0)
				bench_frame_tcp(in[k], 0, B->host[c], B->dst[c],
						B->port[c], htons(443), flags);
			else
				bench_frame_tcp(in[k], 1, B->dst[c], B->ext_addr,
						htons(443), B->ext[c], flags);
		}
		*sent += run_batch(B, in, n, &spent, learn ? learn_ext_port : NULL,
				   &order[i]);
	}
	return spent;
}

/* Open n connections: SYN out (learning the external ports), SYN+ACK in, ACK out */
static void establish(struct bench *B, const uint32_t *seq, uint32_t n)
{
	uint64_t sent = 0;

	pass(B, seq, NULL, n, 0, TCP_SYN, true, &sent);
	pass(B, seq, NULL, n, 1, TCP_SYN | TCP_ACK, false, &sent);
	pass(B, seq, NULL, n, 0, TCP_ACK, false, &sent);
}

static uint32_t *identity(uint32_t n)
{
	uint32_t *seq = malloc(n * sizeof(*seq));

	for (uint32_t i = 0; i < n; i++)
		seq[i] = i;
	return seq;
}

/* A table of established connections and the order to visit them in */
struct est_set {
	const char *label;
	struct bench *B;
	uint32_t *seq, *order;
	struct wire_tuple *wire[2];	/* per direction, in @order */
	double rate[2][ROUNDS_MAX];	/* per direction, per round */
};

static void est_open(struct est_set *s, const char *label, uint32_t n)
{
	s->label = label;
	s->B = bench_new(n, n + n / 8);
	s->seq = identity(n);
	establish(s->B, s->seq, n);
	if (masq_engine_conn_count(s->B->e) != n) {
		fprintf(stderr, "bench: %u of %u connections established\n",
			masq_engine_conn_count(s->B->e), n);
		exit(1);
	}
	s->order = getenv("BENCH_SEQ") ? s->seq : bench_shuffled(n, 7);
	s->wire[0] = wire_tuples(s->B, s->order, 0);
	s->wire[1] = wire_tuples(s->B, s->order, 1);
}

static void est_close(struct est_set *s)
{
	free(s->wire[0]);
	free(s->wire[1]);
	if (s->order != s->seq)
		free(s->order);
	free(s->seq);
	bench_free(s->B);
}

/* @packets established packets one way, visiting the table in order; pps */
static double est_rate(struct est_set *s, int dir, uint64_t packets)
{
	uint32_t n = s->B->n;
	uint64_t sent = 0, done = 0;
	double t = 0;

	while (done < packets) {
		uint32_t k = n < packets - done ? n : (uint32_t)(packets - done);

		t += pass(s->B, s->order, s->wire[dir], k, dir, TCP_ACK, false,
			  &sent);
		done += k;
	}
	if (sent != done) {
		fprintf(stderr, "bench: est_%s: %llu of %llu forwarded\n",
			s->label, (unsigned long long)sent,
			(unsigned long long)done);
		exit(1);
	}
	return done / t;
}

/*
 * Established packets at each table size asked for, in rounds that
 * interleave the sizes (and directions), so a machine that changes speed
 * slows them all alike; medians printed, and with more than one size each
 * larger one's per-packet cost over the smallest's, the median of the
 * rounds' ratios ("ratio_1m_vs_1k_out 1.4 x": 1.4 times the time per
 * packet).
 */
static void bench_established(struct est_set *sets, int nsets,
			      uint64_t packets, int rounds)
{
	static const char *const dirs[] = { "out", "in" };
	double ratio[ROUNDS_MAX];

	for (int r = 0; r < rounds; r++)
		for (int dir = 0; dir < 2; dir++)
			for (int k = 0; k < nsets; k++)
				sets[k].rate[dir][r] = est_rate(&sets[k], dir, packets);
	for (int k = 1; k < nsets; k++)
		for (int dir = 0; dir < 2; dir++) {
			for (int r = 0; r < rounds; r++)
				ratio[r] = sets[0].rate[dir][r] / sets[k].rate[dir][r];
			printf("bench ratio_%s_vs_%s_%s %.2f x\n", sets[k].label,
			       sets[0].label, dirs[dir], bench_median(ratio, rounds));
		}
	for (int k = 0; k < nsets; k++)
		for (int dir = 0; dir < 2; dir++)
			printf("bench est_%s_%s %.0f pps\n", dirs[dir],
			       sets[k].label, bench_median(sets[k].rate[dir], rounds));
}

static void bench_new_conn(uint32_t n)
{
	struct bench *B = bench_new(n, n + n / 8);
	uint32_t *order = bench_shuffled(n, 3);
	struct wire_tuple *wire = wire_tuples(B, order, 0);
	uint64_t sent = 0;
	double t = pass(B, order, wire, n, 0, TCP_SYN, false, &sent);

	if (sent != n || masq_engine_conn_count(B->e) != n) {
		fprintf(stderr, "bench: new_conn made %u of %u\n",
			masq_engine_conn_count(B->e), n);
		exit(1);
	}
	printf("bench new_conn %.0f conn/s\n", n / t);
	free(wire);
	free(order);
	bench_free(B);
}

/* Frames from outside to random ports of the masquerade address */
static void bench_attack_inbound(uint32_t n, uint32_t packets)
{
	struct bench *B = bench_new(n, n + n / 8);
	uint32_t *seq = identity(n);
	struct masq_buf *in[BATCH];
	uint64_t rng = 99;
	double t = 0;

	establish(B, seq, n);
	for (uint32_t done = 0; done < packets; done += BATCH) {
		for (uint32_t k = 0; k < BATCH; k++) {
			rng = rng * 6364136223846793005ull + 1442695040888963407ull;
			in[k] = masq_pool_get(B->pool);
			bench_frame_tcp(in[k], 1, htonl(0xc0000200u | (uint32_t)(rng >> 56)),
					B->ext_addr, (uint16_t)(rng >> 16),
					(uint16_t)(rng >> 32), TCP_ACK);
		}
		run_batch(B, in, BATCH, &t, NULL, NULL);
	}
	printf("bench attack_inbound_miss %.0f pps\n", packets / t);
	free(seq);
	bench_free(B);
}

/* SYNs of random internal endpoints into a table full of them */
static void bench_attack_syn_flood(uint32_t est, uint32_t packets)
{
	uint32_t max = est * 2;
	struct bench *B = bench_new(est, max);
	uint32_t *seq = identity(est);
	struct masq_buf *in[BATCH];
	uint64_t sent = 0, rng = 7;
	double t = 0;

	establish(B, seq, est);
	for (uint32_t done = 0; done < packets; done += BATCH) {
		for (uint32_t k = 0; k < BATCH; k++) {
			uint32_t h;

			rng = rng * 6364136223846793005ull + 1442695040888963407ull;
			h = (uint32_t)(rng >> 40) % 250 + 2;
			in[k] = masq_pool_get(B->pool);
			bench_frame_tcp(in[k], 0, htonl(0x0a010000u | h),
					htonl(0xc6336464u), htons((uint16_t)(rng >> 20) | 0x8000),
					htons(80), TCP_SYN);
		}
		run_batch(B, in, BATCH, &t, NULL, NULL);
	}
	printf("bench attack_syn_flood %.0f pps\n", packets / t);
	/* every established connection must have survived */
	sent = 0;
	pass(B, seq, NULL, est, 1, TCP_ACK, false, &sent);
	if (sent != est) {
		fprintf(stderr, "bench: the SYN flood cost %llu of %u established connections\n",
			(unsigned long long)(est - sent), est);
		exit(1);
	}
	free(seq);
	bench_free(B);
}

/* Engine memory for the connection state of a table of @max, per entry */
static double bytes_per_conn(uint32_t max, bool acct)
{
	struct masq_pool *pool = masq_pool_create(16, 2048);
	struct masq_limits lim = { .max_conns = max, .seed = 1,
				   .no_accounting = !acct };
	struct masq_engine *e = masq_engine_create(&lim, pool);
	double bytes = (double)(ct_bytes(&e->ct) + nat_bytes(&e->nat) +
				quota_bytes(&e->hosts) +
				quota_bytes(&e->halfopen)) / max;

	masq_engine_destroy(e);
	masq_pool_destroy(pool);
	return bytes;
}

static void bench_bytes_per_conn(uint32_t max)
{
	printf("bench bytes_per_conn %.0f bytes\n", bytes_per_conn(max, true));
	printf("bench bytes_per_conn_noacct %.0f bytes\n", bytes_per_conn(max, false));
}

/*
 * A ruleset as iptables-restore text: FORWARD with @nrules rules that
 * match none of the bench's packets (other sources, other ports), with
 * the ESTABLISHED accept before them (@est_first) or after them.
 */
static char *fw_ruleset(uint32_t nrules, bool est_first)
{
	size_t cap = 256 + (size_t)nrules * 96, at = 0;
	char *t = malloc(cap);
	const char *est = "-A FORWARD -m state --state RELATED,ESTABLISHED -j ACCEPT\n";

#define PUT(...) (at += (size_t)snprintf(t + at, cap - at, __VA_ARGS__))
	PUT("*nat\n-A POSTROUTING -o wan0 -j MASQUERADE\nCOMMIT\n*filter\n"
	    ":FORWARD DROP [0:0]\n");
	if (est_first && nrules)
		PUT("%s", est);
	for (uint32_t i = 0; i < nrules; i++)
		PUT("-A FORWARD -s 172.%u.%u.%u/32 -p tcp -m tcp --dport %u -j DROP\n",
		    16 + i % 16, (i / 16) % 256, i % 251 + 1, 1000 + i % 5000);
	if (!est_first || !nrules)
		PUT("%s", est);
	PUT("-A FORWARD -i lan0 -j ACCEPT\nCOMMIT\n");
#undef PUT
	return t;
}

static void fw_load(struct masq_engine *e, uint32_t nrules, bool est_first)
{
	char *text = fw_ruleset(nrules, est_first);
	char *argv[] = { "iptables-restore", text };
	struct masq_text out = { 0 };

	if (masq_engine_ctl(e, 2, argv, &out)) {
		fprintf(stderr, "bench: iptables-restore: %s\n", out.s ? out.s : "");
		exit(1);
	}
	masq_text_free(&out);
	free(text);
}

/*
 * Established packets through the filter: FORWARD with only the
 * ESTABLISHED accept (fw_none), with 1,000 rules that match nothing after
 * it (fw_after) and before it (fw_before); rounds interleaved on one
 * engine, medians printed, and each rate over fw_none's.
 */
static void bench_filter(uint32_t n, uint32_t packets, int rounds)
{
	struct bench *B = bench_new(n, n + n / 8);
	uint32_t *seq = identity(n), *order = bench_shuffled(n, 11);
	static const char *const names[] = { "fw_none", "fw_after_1000",
					     "fw_before_1000" };
	double rate[3][ROUNDS_MAX];

	establish(B, seq, n);
	for (int r = 0; r < rounds; r++)
		for (int k = 0; k < 3; k++) {
			uint64_t sent = 0, done = 0;
			double t = 0;

			fw_load(B->e, k ? 1000 : 0, k == 1);
			while (done < packets) {
				uint32_t m = n < packets - done ? n :
					     (uint32_t)(packets - done);

				t += pass(B, order, NULL, m, 0, TCP_ACK, false, &sent);
				done += m;
			}
			if (sent != done) {
				fprintf(stderr, "bench: %s: %llu of %llu forwarded\n",
					names[k], (unsigned long long)sent,
					(unsigned long long)done);
				exit(1);
			}
			rate[k][r] = done / t;
		}
	for (int k = 0; k < 3; k++)
		printf("bench est_out_%s %.0f pps\n", names[k],
		       bench_median(rate[k], rounds));
	for (int k = 1; k < 3; k++)
		printf("bench ratio_%s_vs_none %.2f x\n", names[k] + 3,
		       rate[k][rounds / 2] / rate[0][rounds / 2]);
	free(order);
	free(seq);
	bench_free(B);
}

/*
 * Established ACKs through engines made alike but for the control lines
 * of @setup[k] (run before the connections open); rounds interleaved,
 * medians printed as est_out_CASE_NAME, and each rate over the first's
 */
static void bench_engines(const char *name, int k_n,
			  const char *const *names,
			  const char *const *const *setup, uint32_t n,
			  uint32_t packets, int rounds)
{
	struct bench *B[4];
	uint32_t *seq = identity(n), *order = bench_shuffled(n, 13);
	double rate[4][ROUNDS_MAX];

	for (int k = 0; k < k_n; k++) {
		B[k] = bench_new(n, n + n / 8);
		for (int l = 0; setup[k][l]; l++)
			ctlline_must(B[k]->e, "%s", setup[k][l]);
		establish(B[k], seq, n);
	}
	for (int r = 0; r < rounds; r++)
		for (int k = 0; k < k_n; k++) {
			uint64_t sent = 0, done = 0;
			double t = 0;

			while (done < packets) {
				uint32_t m = n < packets - done ? n :
					     (uint32_t)(packets - done);

				t += pass(B[k], order, NULL, m, 0, TCP_ACK, false,
					  &sent);
				done += m;
			}
			if (sent != done) {
				fprintf(stderr, "bench: %s %s: %llu of %llu forwarded\n",
					name, names[k], (unsigned long long)sent,
					(unsigned long long)done);
				exit(1);
			}
			rate[k][r] = done / t;
		}
	for (int k = 0; k < k_n; k++)
		printf("bench est_out_%s_%s %.0f pps\n", name, names[k],
		       bench_median(rate[k], rounds));
	for (int k = 1; k < k_n; k++)
		printf("bench ratio_%s_%s_vs_%s %.2f x\n", name, names[k],
		       names[0], bench_median(rate[k], rounds) / bench_median(rate[0], rounds));
	free(order);
	free(seq);
	for (int k = 0; k < k_n; k++)
		bench_free(B[k]);
}

/* Connections without a helper and with one (`helper ftp on ports 443`) */
static void bench_helpers(uint32_t n, uint32_t packets, int rounds)
{
	static const char *const names[] = { "plain", "ftp" };
	static const char *const plain[] = { NULL };
	static const char *const ftp[] = { "helper ftp on ports 443", NULL };
	static const char *const *const setup[] = { plain, ftp };

	bench_engines("helper", 2, names, setup, n, packets, rounds);
}

/*
 * The default ruleset (iptables, its ESTABLISHED accept a state-decided
 * walk) against the Linux Journal article's masquerading in ipchains and
 * in ipfwadm (with accounting in and out on the external interface):
 * the 2.x rulesets walk their chains rule by rule on every packet
 */
static void bench_legacy(uint32_t n, uint32_t packets, int rounds)
{
	static const char *const names[] = { "iptables", "ipchains",
					     "ipfwadm" };
	static const char *const dflt[] = { NULL };
	static const char *const chains[] = {
		"ipchains -P input ACCEPT", "ipchains -P forward DENY",
		"ipchains -A forward -s 10.1.0.0/16 -j MASQ", NULL };
	static const char *const fwadm[] = {
		"ipfwadm -I -p accept", "ipfwadm -F -p deny",
		"ipfwadm -F -a m -S 10.1.0.0/16 -D 0.0.0.0/0",
		"ipfwadm -A in -a -W wan0", "ipfwadm -A out -a -W wan0", NULL };
	static const char *const *const setup[] = { dflt, chains, fwadm };

	bench_engines("legacy", 3, names, setup, n, packets, rounds);
}

/*
 * Established ACKs with mangle rules of issue 20 on their way, against
 * a MARK rule in the same place (any such rule costs the packet its
 * state-decided walk: the baseline is a walk, not none): TTL and TOS set
 * in POSTROUTING (two header rewrites with their checksum updates), and
 * an addrtype test in PREROUTING (the router's addresses scanned)
 */
static void bench_header(uint32_t n, uint32_t packets, int rounds)
{
	static const char *const names[] = { "mark", "ttl_tos", "addrtype" };
	static const char *const plain[] = {
		"iptables -t mangle -A POSTROUTING -o wan0 -j MARK --set-mark 1",
		"iptables -t mangle -A POSTROUTING -o wan0 -j MARK --set-mark 2",
		NULL };
	static const char *const ttl_tos[] = {
		"iptables -t mangle -A POSTROUTING -o wan0 -j TTL --ttl-set 64",
		"iptables -t mangle -A POSTROUTING -o wan0 -j TOS --set-tos 0x10",
		NULL };
	static const char *const addrtype[] = {
		"iptables -t mangle -A PREROUTING -m addrtype --dst-type LOCAL "
		"-j MARK --set-mark 1", NULL };
	static const char *const *const setup[] = { plain, ttl_tos, addrtype };

	bench_engines("header", 3, names, setup, n, packets, rounds);
 * What the raw table costs an established packet, walked before tracking
 * for every packet once loaded (fwt_ct.c): not loaded (none), loaded
 * with empty chains (empty: the policy counted), and one rule that
 * matches none of these packets (rule)
 */
static void bench_raw(uint32_t n, uint32_t packets, int rounds)
{
	static const char *const names[] = { "none", "empty", "rule" };
	static const char *const none[] = { NULL };
	static const char *const empty[] = {
		"iptables -t raw -P PREROUTING ACCEPT", NULL };
	static const char *const rule[] = {
		"iptables -t raw -A PREROUTING -p udp --dport 9 -j NOTRACK", NULL };
	static const char *const *const setup[] = { none, empty, rule };

	bench_engines("raw", 3, names, setup, n, packets, rounds);
}

static bool wanted(int argc, char **argv, const char *name)
{
	bool any = false;

	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		any = true;
		if (!strcmp(argv[i], name))
			return true;
	}
	return !any;
}

/* A "@key %ld kB" line of /proc/self/@file, KiB; 0 if unknown */
static long proc_self_kib(const char *file, const char *key)
{
	char path[64], line[128], fmt[48];
	long kib = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/%s", file);
	snprintf(fmt, sizeof(fmt), "%s: %%ld kB", key);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, fmt, &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* This process's resident anonymous memory (RssAnon), KiB */
static long rss_anon_kib(void)
{
	return proc_self_kib("status", "RssAnon");
}

/*
 * What the engine's tables hold resident for a table made for @max
 * connections, @n of them used:
 * made (and empty: the tables are touched only as entries are first used,
 * mem.c), then full. The harness's own per-connection arrays are taken
 * off; both figures include its pool (64 small buffers).
 */
static void bench_rss(uint32_t n, uint32_t max)
{
	size_t harness = (size_t)n * (2 * sizeof(uint32_t) + 2 * sizeof(uint16_t));
	long r0 = rss_anon_kib(), r1, r2;
	struct bench *B = bench_new(n, max);
	uint32_t *seq = identity(n);

	r1 = rss_anon_kib() - (long)(harness / 1024);
	establish(B, seq, n);
	r2 = rss_anon_kib() - (long)(harness / 1024) - (long)(n * sizeof(*seq) / 1024);
	if (masq_engine_conn_count(B->e) != n)
		fprintf(stderr, "bench: rss: %u of %u connections\n",
			masq_engine_conn_count(B->e), n);
	printf("bench rss_engine_empty_%u %ld KiB\n", max, r1 - r0);
	printf("bench rss_engine_full_%u %ld KiB\n", n, r2 - r0);
	/* faulted in as used, the tables still get huge pages (mem.c) */
	printf("bench rss_engine_full_%u_hugepages %ld KiB\n", n,
	       proc_self_kib("smaps_rollup", "AnonHugePages"));
	free(seq);
	bench_free(B);
}

/* engine_bench [--quick] [--no-acct] [new_conn|est_1k|est_100k|est_1m|attack|bytes|rss|filter|helpers|legacy]... */
int main(int argc, char **argv)
{
	bool quick = false;

	for (int i = 1; i < argc; i++) {
		quick |= !strcmp(argv[i], "--quick");
		no_acct |= !strcmp(argv[i], "--no-acct");
	}

	if (wanted(argc, argv, "new_conn"))
		bench_new_conn(quick ? 100000 : 500000);
	{
		static const struct { const char *label; uint32_t n; bool big; }
			size[] = { { "1k", 1000, false }, { "100k", 100000, false },
				   { "1m", 62500 * DESTS, true } };
		struct est_set sets[3];
		int nsets = 0;

		for (int i = 0; i < 3; i++) {
			char name[16];

			snprintf(name, sizeof(name), "est_%s", size[i].label);
			if ((!quick || !size[i].big) && wanted(argc, argv, name))
				est_open(&sets[nsets++], size[i].label, size[i].n);
		}
		bench_established(sets, nsets, quick ? 1000000 : 2000000,
				  quick ? 3 : 7);
		for (int i = 0; i < nsets; i++)
			est_close(&sets[i]);
	}
	if (wanted(argc, argv, "attack"))
		bench_attack_inbound(100000, quick ? 1000000 : 5000000);
	if (wanted(argc, argv, "attack"))
		bench_attack_syn_flood(50000, quick ? 500000 : 2000000);
	if (wanted(argc, argv, "bytes"))
		bench_bytes_per_conn(1u << 20);
	if (wanted(argc, argv, "rss"))
		bench_rss(1000000, 1u << 20);
	if (wanted(argc, argv, "filter"))
		bench_filter(10000, quick ? 500000 : 2000000, quick ? 3 : 5);
	if (wanted(argc, argv, "helpers"))
		bench_helpers(10000, quick ? 500000 : 2000000, quick ? 3 : 5);
	if (wanted(argc, argv, "legacy"))
		bench_legacy(10000, quick ? 500000 : 2000000, quick ? 3 : 5);
	if (wanted(argc, argv, "header"))
		bench_header(10000, quick ? 500000 : 2000000, quick ? 3 : 5);
	if (wanted(argc, argv, "raw"))
		bench_raw(10000, quick ? 500000 : 2000000, quick ? 3 : 5);
	return 0;
}
