// SPDX-License-Identifier: MIT
/*
 * cls.c - building and searching the bit-vector classifier of cls.h
 *
 * Theory of operation (Lakshman & Stiliadis, SIGCOMM 1998). Take one
 * dimension. Every rule's matching set there is a union of intervals;
 * their end points cut the 32-bit key space into elementary intervals,
 * inside each of which every rule either matches every key or none. Each
 * elementary interval carries the bitmap of the rules that match it (bit
 * r for rule r). A lookup finds the key's elementary interval in every
 * dimension, ANDs the D bitmaps, and the lowest set bit at or after @from
 * is the first matching rule: rule order is bit order, so "first match"
 * costs nothing extra.
 *
 * Aggregation (Baboescu & Varghese's ABV, INFOCOM 2001). Ahead of its
 * N/64 words each bitmap has a summary: bit w says word w is not zero.
 * A lookup ANDs the summaries first and visits only the words whose bit
 * survives, so where the dimensions' bitmaps are sparse a key whose first
 * match is rule 1,000 of 1,001 reads one summary word and one bitmap word
 * per dimension instead of 16. A surviving summary bit can still lead to
 * an all-zero AND (each dimension has some rule in that word, no rule has
 * all); the scan then goes on. Firewall rules are not sparse (a third or
 * more of them ignore any given field), and a key that nearly matches
 * many rules visits most words: that, not the searches, is the worst case.
 *
 * Sharing. Distinct elementary intervals often carry the same bitmap (in
 * a port dimension every key that no rule names carries just the rules
 * that ignore ports), and so do different dimensions (the bitmap of the
 * rules that ignore a dimension). The builder keeps each distinct bitmap
 * once, found through a hash of the bitmap that is kept up to date as
 * the sweep toggles rules in and out (Zobrist hashing: one XOR per
 * toggle), and intervals point at it by word offset.
 *
 * Building, per dimension: fetch every rule's intervals, merge them, and
 * turn each into two events, "rule r toggles at key lo" and "at hi + 1";
 * sort the events and sweep them in key order, keeping the current bitmap
 * and its hash, emitting an elementary interval at each event key.
 * A dimension where every rule matches every key is left out of the
 * lookup altogether. Small-domain dimensions (all interval starts below
 * CLS_TABLE_KEYS: protocol, interface index, state bits) get a direct
 * table from key to bitmap; the others a branch-free binary search
 * (a dependent load and a cmov a step; the searches of different
 * dimensions overlap in the CPU). A linear SSE scan for dimensions of
 * few intervals was considered and left: below 64 intervals the search
 * is at most 6 steps, and those dimensions are mostly the table's.
 *
 * Measured (bench/cls_bench.c, 1,000 firewall-shaped rules in 7
 * dimensions plus a catch-all, one core of a 2-core EPYC VM): about
 * 50 ns for a key whose first match is rule 0, 90 ns for one whose first
 * match is rule 1,000 (a linear scan: about 2 us), 240 KiB; 10,000 rules:
 * 60 ns and 550 ns (linear: 26 us), 15 MiB, 40 ms to build.
 *
 * Complexity. N rules, D dimensions, I_d elementary intervals in
 * dimension d (at most twice the rules' intervals there, plus one), B
 * distinct bitmaps (B <= sum I_d; 1,584 of 2,572 in the 1,000-rule bench):
 *   memory  B * (N/64 + N/4096) words + 8 bytes per elementary interval
 *           (+ 4 per key of a table), so O(D * I * N/64) at worst:
 *           quadratic in the rules. Capped by
 *           @max_bytes; over it cls_build() says -E2BIG and the caller
 *           keeps its linear scan.
 *   build   O(E log E + I * N/64) per dimension for E interval ends.
 *   lookup  O(D log I) for the searches plus, at worst (a summary bit
 *           surviving in every word with an empty AND), O(D * N/64);
 *           with sparse bitmaps D searches, then D summary words and D
 *           bitmap words; the bench's rule-1,000 keys visit 15 words of
 *           16 and load 54. No allocation, no locks, no writes.
 *
 * Roads not taken. Decision-tree cutting (HiCuts, HyperCuts) gives
 * faster lookups for many rule sets but its memory depends on the rules'
 * geometry in ways that are hard to bound or explain, and it needs
 * tuning heuristics; tuple space search (hash per prefix-length tuple, as
 * Open vSwitch does) suits prefixes but not port ranges or negations, and
 * first-match needs every tuple probed. The bit vector's cost is easy to
 * state (the formula above) and it handles ranges, complements and rule
 * order natively; its weakness is memory at tens of thousands of rules,
 * for which the cap and the linear fallback are the answer. Not done
 * yet: sharing at the granularity of cache-line chunks of a bitmap
 * (an interval then points at N/512 chunks) would cut the 10,000-rule
 * figure several times, for one more dependent load per chunk visited.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cls.h"

#define CLS_TABLE_KEYS	1024	/* direct table when every start is below */
#define CLS_IV_FIRST	64	/* intervals the builder first makes room for */

/* "At key @at, rule @rule goes in or out of the set" */
struct cls_event {
	uint32_t at;
	uint32_t rule;
};

/* One dimension's elementary intervals, as the sweep emits them */
struct cls_bdim {
	uint32_t *lo;
	uint32_t *off;
	uint32_t nint;
	uint8_t key;
};

/* The builder's working state; everything here is freed at the end */
struct cls_build {
	struct cls *c;
	cls_get_fn *get;
	void *ctx;
	size_t max_bytes;
	size_t iv_bytes;		/* elementary intervals so far */
	struct cls_interval *iv;	/* one rule's intervals */
	unsigned ivmax;
	struct cls_event *ev;
	size_t nev, evmax;
	uint64_t *cur;			/* the sweep's current bitmap */
	uint64_t curh;			/* its Zobrist hash */
	uint64_t *pool;			/* distinct bitmaps, stride words each */
	uint64_t *poolh;		/* their hashes */
	uint32_t npool, poolmax;	/* in bitmaps */
	uint32_t *slot;			/* hash table: bitmap number + 1 */
	uint32_t nslot;			/* power of two */
	uint32_t stride;		/* nsum + nwords */
	struct cls_bdim d[CLS_MAX_DIMS];
};

static int cmp_iv(const void *a, const void *b)
{
	const struct cls_interval *x = a, *y = b;

	return (x->lo > y->lo) - (x->lo < y->lo);
}

/**
 * cls_intervals_normalize() - Sort intervals and merge overlapping ones
 * @iv:		intervals, rewritten in place
 * @n:		how many
 *
 * Intervals that overlap or touch ([1, 4] and [5, 9]) become one.
 * O(n log n).
 *
 * Return: the number left, sorted by lo and at least one key apart
 */
unsigned cls_intervals_normalize(struct cls_interval *iv, unsigned n)
{
	unsigned k = 0;

	if (n < 2)
		return n;
	qsort(iv, n, sizeof(*iv), cmp_iv);
	for (unsigned i = 1; i < n; i++) {
		if (iv[k].hi == CLS_KEY_MAX || iv[i].lo <= iv[k].hi + 1) {
			if (iv[i].hi > iv[k].hi)
				iv[k].hi = iv[i].hi;
			continue;
		}
		iv[++k] = iv[i];
	}
	return k + 1;
}

/**
 * cls_intervals_invert() - The complement of a set of keys
 * @in:		the set, normalized (see cls_intervals_normalize())
 * @n:		its intervals
 * @out:	room for @max intervals of the complement
 * @max:	size of @out; n + 1 is always enough
 *
 * Made to be returned from a &cls_get_fn for a negated condition: it
 * counts as that callback must.
 *
 * Return: the number of intervals of the complement, even when more than
 * @max (then only @max were written)
 */
int cls_intervals_invert(const struct cls_interval *in, unsigned n,
			 struct cls_interval *out, unsigned max)
{
	uint32_t next = 0;		/* first key not yet accounted for */
	unsigned k = 0;

	for (unsigned i = 0; i < n; i++) {
		if (in[i].lo > next) {
			if (k < max)
				out[k] = (struct cls_interval){ next, in[i].lo - 1 };
			k++;
		}
		if (in[i].hi == CLS_KEY_MAX)
			return (int)k;
		next = in[i].hi + 1;
	}
	if (k < max)
		out[k] = (struct cls_interval){ next, CLS_KEY_MAX };
	return (int)k + 1;
}

/* splitmix64: a rule's Zobrist value */
static uint64_t zobrist(uint32_t rule)
{
	uint64_t z = (uint64_t)rule * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Rule @r's merged intervals in dimension @dim, into b->iv */
static int fetch(struct cls_build *b, uint32_t r, unsigned dim, unsigned *n)
{
	int got = b->get(b->ctx, r, dim, b->iv, b->ivmax);

	if (got >= 0 && (unsigned)got > b->ivmax) {
		void *p = realloc(b->iv, (size_t)got * sizeof(*b->iv));

		if (!p)
			return -ENOMEM;
		b->iv = p;
		b->ivmax = (unsigned)got;
		if (b->get(b->ctx, r, dim, b->iv, b->ivmax) != got)
			return -EINVAL;
	}
	if (got < 0)
		return got;
	for (int i = 0; i < got; i++)
		if (b->iv[i].lo > b->iv[i].hi)
			return -EINVAL;
	*n = cls_intervals_normalize(b->iv, (unsigned)got);
	return 0;
}

static int event_add(struct cls_build *b, uint32_t at, uint32_t rule)
{
	if (b->nev == b->evmax) {
		size_t m = b->evmax ? b->evmax * 2 : 1024;
		void *p = reallocarray(b->ev, m, sizeof(*b->ev));

		if (!p)
			return -ENOMEM;
		b->ev = p;
		b->evmax = m;
	}
	b->ev[b->nev++] = (struct cls_event){ at, rule };
	return 0;
}

/*
 * Every rule's interval ends in dimension @dim as toggle events.
 * Return: 1 when some rule does not match every key (the dimension is
 * looked up), 0 when all do, or -errno
 */
static int collect(struct cls_build *b, unsigned dim)
{
	bool live = false;
	unsigned n;
	int err;

	b->nev = 0;
	for (uint32_t r = 0; r < b->c->nrules; r++) {
		err = fetch(b, r, dim, &n);
		if (err)
			return err;
		live |= n != 1 || b->iv[0].lo != 0 || b->iv[0].hi != CLS_KEY_MAX;
		for (unsigned i = 0; i < n; i++) {
			err = event_add(b, b->iv[i].lo, r);
			if (!err && b->iv[i].hi != CLS_KEY_MAX)
				err = event_add(b, b->iv[i].hi + 1, r);
			if (err)
				return err;
		}
	}
	return live;
}

static int cmp_event(const void *a, const void *b)
{
	const struct cls_event *x = a, *y = b;

	return (x->at > y->at) - (x->at < y->at);
}

static size_t pool_bytes(const struct cls_build *b, uint32_t nbitmaps)
{
	return (size_t)nbitmaps * b->stride * sizeof(uint64_t);
}

/* Make room for one more distinct bitmap, within the cap */
static int pool_grow(struct cls_build *b)
{
	uint32_t m = b->poolmax ? b->poolmax * 2 : 64;
	void *p, *h;

	if (pool_bytes(b, b->npool + 1) + b->iv_bytes > b->max_bytes ||
	    (uint64_t)(b->npool + 1) * b->stride > UINT32_MAX)
		return -E2BIG;
	if (b->npool < b->poolmax)
		return 0;
	p = reallocarray(b->pool, m, b->stride * sizeof(uint64_t));
	if (!p)
		return -ENOMEM;
	b->pool = p;
	h = reallocarray(b->poolh, m, sizeof(*b->poolh));
	if (!h)
		return -ENOMEM;
	b->poolh = h;
	b->poolmax = m;
	return 0;
}

/* Double the hash table of distinct bitmaps and place them all again */
static int slots_grow(struct cls_build *b)
{
	uint32_t n = b->nslot ? b->nslot * 2 : 256;
	uint32_t *s = calloc(n, sizeof(*s));

	if (!s)
		return -ENOMEM;
	for (uint32_t i = 0; i < b->npool; i++) {
		uint32_t h = (uint32_t)b->poolh[i] & (n - 1);

		while (s[h])
			h = (h + 1) & (n - 1);
		s[h] = i + 1;
	}
	free(b->slot);
	b->slot = s;
	b->nslot = n;
	return 0;
}

/* Store b->cur as a new distinct bitmap with its summary words */
static int pool_add(struct cls_build *b)
{
	uint32_t nsum = b->c->nsum, nwords = b->c->nwords;
	uint64_t *p;
	uint32_t h;
	int err = pool_grow(b);

	if (!err && (b->npool + 1) * 2 > b->nslot)
		err = slots_grow(b);
	if (err)
		return err;
	h = (uint32_t)b->curh & (b->nslot - 1);
	p = b->pool + (size_t)b->npool * b->stride;
	memset(p, 0, nsum * sizeof(*p));
	for (uint32_t w = 0; w < nwords; w++)
		if (b->cur[w])
			p[w >> 6] |= 1ull << (w & 63);
	memcpy(p + nsum, b->cur, nwords * sizeof(*p));
	b->poolh[b->npool] = b->curh;
	while (b->slot[h])
		h = (h + 1) & (b->nslot - 1);
	b->slot[h] = ++b->npool;
	return 0;
}

/*
 * The word offset of the distinct bitmap equal to b->cur, stored now if
 * it is new. Return: 0 or -errno
 */
static int intern(struct cls_build *b, uint32_t *off)
{
	uint32_t nwords = b->c->nwords;
	uint32_t h = b->nslot ? (uint32_t)b->curh & (b->nslot - 1) : 0;
	int err;

	for (; b->nslot && b->slot[h]; h = (h + 1) & (b->nslot - 1)) {
		uint32_t i = b->slot[h] - 1;
		const uint64_t *p = b->pool + (size_t)i * b->stride;

		if (b->poolh[i] == b->curh &&
		    !memcmp(p + b->c->nsum, b->cur, nwords * sizeof(*p))) {
			*off = i * b->stride;
			return 0;
		}
	}
	err = pool_add(b);
	if (err)
		return err;
	*off = (b->npool - 1) * b->stride;
	return 0;
}

/* Close an elementary interval that starts at @at with b->cur's rules */
static int emit(struct cls_build *b, struct cls_bdim *d, uint32_t at)
{
	uint32_t off;
	int err = intern(b, &off);

	if (err)
		return err;
	if (d->nint && d->off[d->nint - 1] == off)
		return 0;		/* same rules as the left neighbour */
	b->iv_bytes += 2 * sizeof(uint32_t);
	if (pool_bytes(b, b->npool) + b->iv_bytes > b->max_bytes)
		return -E2BIG;
	d->lo[d->nint] = at;
	d->off[d->nint++] = off;
	return 0;
}

static void toggle(struct cls_build *b, uint32_t rule)
{
	b->cur[rule >> 6] ^= 1ull << (rule & 63);
	b->curh ^= zobrist(rule);
}

/* Sweep the sorted events: dimension @d's elementary intervals */
static int sweep(struct cls_build *b, struct cls_bdim *d)
{
	size_t i = 0;
	uint32_t at = 0;
	int err;

	d->lo = malloc((b->nev + 1) * sizeof(*d->lo));
	d->off = malloc((b->nev + 1) * sizeof(*d->off));
	if (!d->lo || !d->off)
		return -ENOMEM;
	memset(b->cur, 0, b->c->nwords * sizeof(*b->cur));
	b->curh = 0;
	for (;;) {
		for (; i < b->nev && b->ev[i].at == at; i++)
			toggle(b, b->ev[i].rule);
		err = emit(b, d, at);
		if (err || i == b->nev)
			return err;
		at = b->ev[i].at;
	}
}

/* One dimension: collected, swept, and added to the lookup if live */
static int build_dim(struct cls_build *b, unsigned dim)
{
	struct cls *c = b->c;
	int live = collect(b, dim);

	if (live <= 0)
		return live;
	qsort(b->ev, b->nev, sizeof(*b->ev), cmp_event);
	b->d[c->nlive].key = (uint8_t)dim;
	return sweep(b, &b->d[c->nlive++]);
}

static size_t table_keys(const struct cls_bdim *d)
{
	uint32_t last = d->lo[d->nint - 1];

	return d->nint > 1 && last <= CLS_TABLE_KEYS ? last : 0;
}

/* Bytes of the final block: bitmaps, then each dimension's arrays */
static size_t final_bytes(const struct cls_build *b)
{
	size_t n = pool_bytes(b, b->npool);

	for (unsigned i = 0; i < b->c->nlive; i++)
		n += (2 * b->d[i].nint + table_keys(&b->d[i])) * sizeof(uint32_t);
	return n;
}

/* Copy dimension @i's arrays to @p, fill in c->dim[i]; Return: past them */
static uint32_t *place_dim(struct cls *c, const struct cls_bdim *d,
			   unsigned i, uint32_t *p)
{
	struct cls_dim *cd = &c->dim[i];
	size_t nt = table_keys(d);

	cd->key = d->key;
	cd->nint = d->nint;
	cd->lo = memcpy(p, d->lo, d->nint * sizeof(*p));
	p += d->nint;
	cd->off = memcpy(p, d->off, d->nint * sizeof(*p));
	p += d->nint;
	cd->table = nt ? p : NULL;
	cd->ntable = (uint32_t)nt;
	for (uint32_t j = 0, k = 0; k < nt; k++) {
		while (j + 1 < d->nint && d->lo[j + 1] <= k)
			j++;
		p[k] = d->off[j];
	}
	return p + nt;
}

/* Move what the builder made into one cache-aligned block */
static int finish(struct cls_build *b)
{
	struct cls *c = b->c;
	size_t bytes = final_bytes(b);
	uint32_t *p;

	if (bytes > b->max_bytes)
		return -E2BIG;
	if (!bytes)
		return 0;		/* no dimension to look up */
	c->mem = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
	if (!c->mem)
		return -ENOMEM;
	c->bytes = bytes;
	c->nbitmaps = b->npool;
	c->words = memcpy(c->mem, b->pool, pool_bytes(b, b->npool));
	p = (uint32_t *)((uint64_t *)c->mem + (size_t)b->npool * b->stride);
	for (unsigned i = 0; i < c->nlive; i++)
		p = place_dim(c, &b->d[i], i, p);
	return 0;
}

static void build_free(struct cls_build *b)
{
	for (unsigned i = 0; i < CLS_MAX_DIMS; i++) {
		free(b->d[i].lo);
		free(b->d[i].off);
	}
	free(b->iv);
	free(b->ev);
	free(b->cur);
	free(b->pool);
	free(b->poolh);
	free(b->slot);
}

/**
 * cls_build() - Compile rules into a classifier
 * @c:		the classifier to fill in (its old contents are not freed)
 * @nrules:	rules, 0 .. CLS_MAX_RULES
 * @ndims:	dimensions of the key, 0 .. CLS_MAX_DIMS (0: every rule
 *		matches every key)
 * @get:	gives each rule's set of keys in each dimension
 * @ctx:	passed to @get
 * @max_bytes:	cap on the classifier's memory, 0 for CLS_MAX_BYTES
 *
 * Off the packet path: allocates, O(D * (E log E + I * N/64)) time (see
 * the file header). On failure @c is left empty (cls_first() finds
 * nothing, cls_free() is harmless).
 *
 * Return: 0, -EINVAL (bad arguments, an interval with lo > hi, or @get
 * answering differently when asked again), -E2BIG (over @max_bytes: scan
 * linearly instead), -ENOMEM, or @get's own negative errno
 */
int cls_build(struct cls *c, uint32_t nrules, unsigned ndims,
	      cls_get_fn *get, void *ctx, size_t max_bytes)
{
	struct cls_build b = { .c = c, .get = get, .ctx = ctx,
			       .max_bytes = max_bytes ? max_bytes : CLS_MAX_BYTES };
	int err = 0;

	memset(c, 0, sizeof(*c));
	if (ndims > CLS_MAX_DIMS || nrules > CLS_MAX_RULES || (nrules && !get))
		return -EINVAL;
	if (!nrules)
		return 0;
	c->nrules = nrules;
	c->ndims = (uint8_t)ndims;
	c->nwords = (nrules + 63) / 64;
	c->nsum = (c->nwords + 63) / 64;
	b.stride = c->nsum + c->nwords;
	b.ivmax = CLS_IV_FIRST;
	b.iv = malloc(b.ivmax * sizeof(*b.iv));
	b.cur = malloc(c->nwords * sizeof(*b.cur));
	if (!b.iv || !b.cur)
		err = -ENOMEM;
	for (unsigned dim = 0; !err && dim < ndims; dim++)
		err = build_dim(&b, dim);
	if (!err)
		err = finish(&b);
	build_free(&b);
	if (err) {
		cls_free(c);
		return err;
	}
	return 0;
}

/**
 * cls_free() - Release a classifier's memory; it then matches nothing
 * @c:		built by cls_build(), or zeroed
 */
void cls_free(struct cls *c)
{
	free(c->mem);
	memset(c, 0, sizeof(*c));
}

/**
 * cls_bytes() - Memory a classifier holds
 * @c:		the classifier
 *
 * Return: bytes of bitmaps, interval bounds and tables
 */
size_t cls_bytes(const struct cls *c)
{
	return c->bytes;
}

/* The offset of the bitmap of the elementary interval holding @k */
static inline uint32_t dim_find(const struct cls_dim *d, uint32_t k)
{
	const uint32_t *base = d->lo;
	uint32_t n = d->nint;

	if (d->table)
		return k < d->ntable ? d->table[k] : d->off[d->nint - 1];
	while (n > 1) {
		uint32_t half = n / 2;

		base = base[half] <= k ? base + half : base;
		n -= half;
	}
	return d->off[base - d->lo];
}

/*
 * The lowest bit >= @from set in the AND of @n bitmaps: summaries first,
 * then only the words whose summary bit survives. A word's AND stops at
 * the first dimension that clears it: for keys that nearly match many
 * rules (every summary bit survives) that halves the loads, and it
 * measured faster than the branch-free AND of all D despite the
 * unpredictable exit.
 */
static uint32_t scan(const struct cls *c, const uint64_t *const *bm,
		     unsigned n, uint32_t from)
{
	uint32_t w0 = from >> 6;
	uint64_t smask = ~0ull << (w0 & 63);

	for (uint32_t sw = w0 >> 6; sw < c->nsum; sw++, smask = ~0ull) {
		uint64_t s = smask;

		for (unsigned d = 0; d < n; d++)
			s &= bm[d][sw];
		while (s) {
			uint32_t w = (sw << 6) + (uint32_t)__builtin_ctzll(s);
			uint64_t x = w == w0 ? ~0ull << (from & 63) : ~0ull;

			for (unsigned d = 0; d < n && x; d++)
				x &= bm[d][c->nsum + w];
			if (x)
				return (w << 6) + (uint32_t)__builtin_ctzll(x);
			s &= s - 1;
		}
	}
	return CLS_NONE;
}

/**
 * cls_first() - The first rule at or after @from that matches @key
 * @c:		the classifier
 * @key:	one key per dimension (c->ndims of them)
 * @from:	the lowest rule index wanted (0 for a chain's start)
 *
 * Packet path: no allocation, no locks, reads only. O(D log I) for the
 * searches, then usually one summary and one bitmap word per dimension;
 * O(D * N/64) at worst.
 *
 * Return: the rule index, or CLS_NONE when no rule >= @from matches
 */
uint32_t cls_first(const struct cls *c, const uint32_t *key, uint32_t from)
{
	const uint64_t *bm[CLS_MAX_DIMS];
	unsigned n = c->nlive;

	if (from >= c->nrules)
		return CLS_NONE;
	if (!n)
		return from;
	for (unsigned d = 0; d < n; d++)
		bm[d] = c->words + dim_find(&c->dim[d], key[c->dim[d].key]);
	return scan(c, bm, n, from);
}
