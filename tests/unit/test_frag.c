// SPDX-License-Identifier: MIT
/*
 * test_frag.c - reassembly's budget against a naive reference
 *
 * Random fragments of random datagrams from a dozen sources go into an
 * engine with a small budget (frag_mem 16 KiB: 16 chunks of 1 KiB, 8
 * datagrams, a source 2 chunks and 1 datagram; then 64 KiB: 64 chunks,
 * 32 datagrams, a source 8 and 4), with time passing now and then.
 * Beside it, a reference keeps the same datagrams in a plain array and
 * applies the policy of frag.c's header the obvious way
 * (linear scans, bit masks): overlap drops the datagram; a datagram that
 * alone would pass its source's share is dropped; else the source's
 * oldest others go while the source is past its share, then the oldest of
 * all while the budget is short; never the datagram the fragment belongs
 * to; 16 expiries per advance, oldest first. After every step the
 * engine's counters and masq_engine_frag_held() (which also checks the
 * engine's lists against its free lists) must equal the reference's.
 *
 * Each datagram key (source, IP id) has a fixed plan: its size and the
 * size of its pieces, so the fragments of one datagram never disagree
 * and an overlap is exactly a piece sent twice. The seed is printed;
 * MASQ_SEED=N repeats a run.
 *
 * Prints "ok frag/NAME" or "FAIL frag/NAME: why".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/ctlline.h"
#include "../lib/frame.h"
#include "../lib/report.h"
#include "../lib/rng.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define NS		1000000000ull
#define CHUNK		1024
#define MEM_MAX		65536
#define NDGRAMS		(MEM_MAX / CHUNK / 2)
#define SOURCES		12
#define IDS		6
#define TIMEOUT_S	30
#define EXPIRE_PER_CALL	16

static uint64_t rng_state;

static uint32_t rnd(void)
{
	return rng_next(&rng_state);
}

/* ---- the plan of a datagram key ---- */

struct plan {
	uint16_t payload;	/* UDP payload bytes */
	uint16_t piece;		/* bytes per fragment (a multiple of 8) */
	uint32_t data;		/* IP data bytes: UDP header + payload */
	uint32_t pieces;
};

static struct plan plan_of(uint32_t src, uint32_t id)
{
	static const uint16_t pieces[] = { 64, 512, 1480 };
	uint32_t h = (src * 2654435761u) ^ (id * 40503u);
	struct plan p;

	p.payload = (uint16_t)(100 + h % 3800);
	p.piece = pieces[(h >> 12) % 3];
	p.data = 8u + p.payload;
	if (p.piece >= p.data)		/* two pieces at least: fragments */
		p.piece = (uint16_t)((p.data - 1) / 8 * 8);
	p.pieces = (p.data + p.piece - 1) / p.piece;
	return p;
}

/* Chunks (bit c: chunk c) that piece @k of @p touches */
static uint32_t piece_chunks(const struct plan *p, uint32_t k)
{
	uint32_t off = k * p->piece;
	uint32_t end = off + p->piece < p->data ? off + p->piece : p->data;
	uint32_t m = 0;

	for (uint32_t c = off / CHUNK; c <= (end - 1) / CHUNK; c++)
		m |= 1u << c;
	return m;
}

/* ---- the reference ---- */

struct ref_dgram {
	bool used;
	uint32_t src, id;
	uint64_t have;		/* pieces received */
	uint32_t chunks;	/* chunks held */
	uint64_t seq;		/* creation order */
	uint32_t expires;
};

enum ref_counter {
	R_RECEIVED, R_REASSEMBLED, R_OVERLAP, R_SHARE, R_EVICTED,
	R_EVICTED_SHARE, R_TIMEOUT, R_NUM
};

static const char *const ref_names[R_NUM] = {
	"frag_received", "frag_reassembled", "drop_frag_overlap",
	"drop_frag_share", "frag_evicted", "frag_evicted_share",
	"drop_frag_timeout",
};

/* @nc chunks, @nd datagrams; a source at most @share_c and @share_d */
struct ref {
	uint32_t nc, nd, share_c, share_d;
	struct ref_dgram d[NDGRAMS];
	uint64_t seq;
	uint64_t cnt[R_NUM];
};

static uint32_t popcount(uint64_t x)
{
	return (uint32_t)__builtin_popcountll(x);
}

static struct ref_dgram *ref_find(struct ref *r, uint32_t src, uint32_t id)
{
	for (int i = 0; i < NDGRAMS; i++)
		if (r->d[i].used && r->d[i].src == src && r->d[i].id == id)
			return &r->d[i];
	return NULL;
}

/* Chunks and datagrams held, of source @src or (src 0) of all */
static uint32_t ref_held(const struct ref *r, uint32_t src, uint32_t *dgrams)
{
	uint32_t c = 0, n = 0;

	for (int i = 0; i < NDGRAMS; i++)
		if (r->d[i].used && (!src || r->d[i].src == src)) {
			c += popcount(r->d[i].chunks);
			n++;
		}
	*dgrams = n;
	return c;
}

/* The oldest datagram other than @self, of source @src or (0) of all */
static struct ref_dgram *ref_oldest(struct ref *r, uint32_t src,
				    const struct ref_dgram *self)
{
	struct ref_dgram *o = NULL;

	for (int i = 0; i < NDGRAMS; i++) {
		struct ref_dgram *d = &r->d[i];

		if (d->used && d != self && (!src || d->src == src) &&
		    (!o || d->seq < o->seq))
			o = d;
	}
	return o;
}

/* Room for @need chunks and, without @self, a datagram; false: dropped */
static bool ref_room(struct ref *r, uint32_t src, uint32_t need,
		    const struct ref_dgram *self)
{
	uint32_t n, c;

	if ((self ? popcount(self->chunks) : 0) + need > r->share_c) {
		r->cnt[R_SHARE]++;
		return false;
	}
	while ((c = ref_held(r, src, &n)) + need > r->share_c ||
	       (!self && n + 1 > r->share_d)) {
		ref_oldest(r, src, self)->used = false;
		r->cnt[R_EVICTED_SHARE]++;
	}
	while (r->nc - ref_held(r, 0, &n) < need || (!self && n == r->nd)) {
		ref_oldest(r, 0, self)->used = false;
		r->cnt[R_EVICTED]++;
	}
	return true;
}

static void ref_fragment(struct ref *r, uint32_t src, uint32_t id,
			 uint32_t k, uint32_t now)
{
	struct plan p = plan_of(src, id);
	struct ref_dgram *d = ref_find(r, src, id);
	uint32_t chunks = piece_chunks(&p, k);

	if (d && (d->have & (1ull << k))) {
		d->used = false;
		r->cnt[R_OVERLAP]++;
		return;
	}
	if (!ref_room(r, src, popcount(chunks & ~(d ? d->chunks : 0)), d)) {
		if (d)
			d->used = false;
		return;
	}
	for (int i = 0; i < NDGRAMS && !d; i++)	/* a new one: any free place */
		if (!r->d[i].used) {
			d = &r->d[i];
			*d = (struct ref_dgram){ .used = true, .src = src,
						 .id = id, .seq = r->seq++,
						 .expires = now + TIMEOUT_S };
		}
	d->have |= 1ull << k;
	d->chunks |= chunks;
	r->cnt[R_RECEIVED]++;
	if (popcount(d->have) == p.pieces) {
		d->used = false;
		r->cnt[R_REASSEMBLED]++;
	}
}

static void ref_advance(struct ref *r, uint32_t now)
{
	for (int i = 0; i < EXPIRE_PER_CALL; i++) {
		struct ref_dgram *d = ref_oldest(r, 0, NULL);

		if (!d || now < d->expires)
			return;
		d->used = false;
		r->cnt[R_TIMEOUT]++;
	}
}

/* ---- the engine side ---- */

static struct frame_spec fs;

/* Piece @k of datagram (@src, @id) as a frame from the WAN */
static int build_piece(struct masq_buf *b, uint32_t src, uint32_t id,
		       uint32_t k)
{
	static const uint8_t wan_mac[6] = { 2, 0, 0, 0, 2, 1 };
	struct plan p = plan_of(src, id);
	uint32_t off = k * p.piece;
	uint32_t len = off + p.piece < p.data ? p.piece : p.data - off;
	int n;

	frame_spec_udp(&fs, IP4(198, 18, 0, src), 4444, IP4(203, 0, 113, 1),
		       7000);
	memcpy(fs.eth_dst, wan_mac, 6);
	fs.ip_id = (uint16_t)id;
	fs.payload_len = p.payload;
	for (uint32_t i = 0; i < p.payload; i++)
		fs.payload[i] = (uint8_t)(i * 7 + src);
	n = frame_build(&fs, b);
	if (n < 0)
		return -1;
	n = frame_fragment(b->data, (uint32_t)n, off, len);
	if (n < 0)
		return -1;
	b->len = (uint32_t)n;
	b->iface = 1;
	return 0;
}

static int compare(struct masq_engine *e, const struct ref *r, uint32_t step)
{
	uint32_t dg, rdg, bytes = masq_engine_frag_held(e, &dg);
	uint32_t rc = ref_held(r, 0, &rdg);

	for (int i = 0; i < R_NUM; i++) {
		int64_t got = masq_engine_counter(e, ref_names[i]);

		if (got != (int64_t)r->cnt[i])
			return report_failf("step %u: %s is %lld, the reference says %llu",
				     step, ref_names[i], (long long)got,
				     (unsigned long long)r->cnt[i]);
	}
	if (bytes != rc * CHUNK || dg != rdg)
		return report_failf("step %u: the engine holds %u bytes in %u datagrams, the reference %u in %u",
			     step, bytes, dg, rc * CHUNK, rdg);
	return 0;
}

static void drain(struct masq_pool *pool, struct masq_txq *tx)
{
	for (uint32_t i = 0; i < tx->n; i++)
		masq_pool_put(pool, tx->bufs[i]);
	tx->n = 0;
}

static int one_step(struct masq_engine *e, struct masq_pool *pool,
		    struct masq_txq *tx, struct ref *r, uint32_t *now)
{
	uint32_t src = 1 + rnd() % SOURCES, id = 1 + rnd() % IDS;
	struct plan p = plan_of(src, id);
	uint32_t k = rnd() % p.pieces;
	struct masq_buf *b = masq_pool_get(pool);

	if (!b)
		return report_failf("the pool ran dry");
	if (build_piece(b, src, id, k)) {
		masq_pool_put(pool, b);
		return report_failf("cannot build piece %u of (%u, %u)", k, src, id);
	}
	masq_engine_input(e, &b, 1, (uint64_t)*now * NS, tx);
	drain(pool, tx);
	ref_fragment(r, src, id, k, *now);
	if (rnd() % 64 == 0)
		*now += 1 + rnd() % 12;
	masq_engine_advance(e, (uint64_t)*now * NS, tx);
	drain(pool, tx);
	ref_advance(r, *now);
	return 0;
}

/*
 * @steps random fragments into an engine with a budget of @mem bytes and
 * into the reference; their counters are added to @reached
 */
static int random_run(uint64_t seed, uint32_t steps, uint32_t mem,
		      uint64_t *reached)
{
	static struct ref r;
	struct masq_limits lim;
	struct masq_pool *pool = masq_pool_create(16, 8192);
	struct masq_buf *txv[16];
	struct masq_txq tx = { txv, 0, 16 };
	struct masq_engine *e;
	uint32_t now = 100;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	r.nc = mem / CHUNK;
	r.nd = r.nc / 2;
	r.share_c = r.nc / 8;
	r.share_d = r.nd / 8;
	rng_state = seed ? seed : 1;
	masq_limits_default(&lim);
	lim.frag_mem = mem;
	lim.seed = seed;
	e = pool ? masq_engine_create(&lim, pool) : NULL;
	if (!e || ctlline_run_all(e, ctlline_topology) >= 0) {
		masq_engine_destroy(e);
		masq_pool_destroy(pool);
		return report_failf("cannot make the engine");
	}
	for (uint32_t step = 0; step < steps && !rc; step++) {
		rc = one_step(e, pool, &tx, &r, &now);
		if (!rc)
			rc = compare(e, &r, step);
	}
	for (int i = 0; i < R_NUM; i++)
		reached[i] += r.cnt[i];
	masq_engine_destroy(e);
	masq_pool_destroy(pool);
	return rc;
}

/* Two budgets: the smallest (a source: 2 chunks, 1 datagram) and 64 KiB */
static int random_runs(uint64_t seed)
{
	uint64_t reached[R_NUM] = { 0 };
	int rc = random_run(seed, 20000, 16384, reached);

	if (!rc)
		rc = random_run(seed + 1, 20000, MEM_MAX, reached);
	for (int i = 0; i < R_NUM && !rc; i++)	/* every path was taken */
		if (!reached[i])
			rc = report_failf("the runs never reached %s", ref_names[i]);
	return rc;
}

/* limits.frag_mem out of range: no engine */
static int mem_range(void)
{
	static const uint32_t mems[] = { 8192, 16384, 32u << 20, (32u << 20) + 1024 };
	static const bool made[] = { false, true, true, false };
	struct masq_pool *pool = masq_pool_create(4, 2048);
	struct masq_limits lim;
	int rc = 0;

	for (unsigned i = 0; i < 4 && pool && !rc; i++) {
		struct masq_engine *e;

		masq_limits_default(&lim);
		lim.frag_mem = mems[i];
		e = masq_engine_create(&lim, pool);
		if (!!e != made[i])
			rc = report_failf("frag_mem %u: engine %s", mems[i],
				   e ? "made" : "refused");
		masq_engine_destroy(e);
	}
	masq_pool_destroy(pool);
	return pool ? rc : report_failf("masq_pool_create failed");
}

int main(void)
{
	const char *env = getenv("MASQ_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# random run seed %llu (repeat with MASQ_SEED=%llu)\n",
	       (unsigned long long)seed, (unsigned long long)seed);
	report_case("frag", "budget_as_reference", random_runs(seed));
	report_case("frag", "mem_range", mem_range());
	return 0;
}
