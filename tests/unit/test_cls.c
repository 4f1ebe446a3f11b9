// SPDX-License-Identifier: MIT
/*
 * test_cls.c - the bit-vector classifier against a naive linear scan
 *
 * Random rule sets (prefixes, ranges, single keys, lists, complements,
 * "any", empty sets; 1..3000 rules, 1..8 dimensions, keys drawn from
 * small, port-sized or full 32-bit domains) are built into a classifier
 * and asked about random keys and edge keys (every interval bound and its
 * neighbours, 0, 0xffffffff) from random @from values and by walking the
 * chain (from = hit + 1); every answer must equal the reference's, which
 * checks each rule's raw intervals one by one. Then the edges: no rules,
 * no dimensions, bad intervals, the callback's errors and its "ask again
 * with more room", the memory cap and its exact bound, 65,536+ rules.
 *
 * Deterministic: fixed seeds, printed with any failure. A few seconds
 * under ASan and UBSan.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cls.h"
#include "../lib/report.h"

#define MAX_IV		160	/* per rule and dimension in these tests */
#define PALETTE		24

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t rnd_below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

/* 0..max, max included */
static uint32_t rnd_upto(uint32_t max)
{
	return max == CLS_KEY_MAX ? (uint32_t)rnd() : rnd_below(max + 1);
}

/* One rule's condition in one dimension, as the reference sees it */
struct cond {
	uint32_t first;		/* index into the set's interval array */
	uint16_t n;
	bool neg;		/* the rule matches keys outside them */
};

struct set {
	uint32_t nrules;
	unsigned ndims;
	struct cond *cond;		/* nrules x ndims */
	struct cls_interval *iv;
	uint32_t niv, ivmax;
	uint32_t domain[CLS_MAX_DIMS];	/* largest key the palette uses */
	bool idle[CLS_MAX_DIMS];	/* every rule is "any" there */
	uint32_t pal[CLS_MAX_DIMS][PALETTE];
	int fail_rule;			/* get() fails here with -EIO, or -1 */
};

static bool cond_match(const struct set *s, const struct cond *c, uint32_t k)
{
	bool in = false;

	for (unsigned i = 0; i < c->n && !in; i++)
		in = s->iv[c->first + i].lo <= k && k <= s->iv[c->first + i].hi;
	return in != c->neg;
}

/* The reference: does rule @r match @key? */
static bool ref_match(const struct set *s, uint32_t r, const uint32_t *key)
{
	for (unsigned d = 0; d < s->ndims; d++)
		if (!cond_match(s, &s->cond[r * s->ndims + d], key[d]))
			return false;
	return true;
}

/* The builder's callback over a struct set */
static int set_get(void *ctx, uint32_t rule, unsigned dim,
		   struct cls_interval *out, unsigned max)
{
	struct set *s = ctx;
	const struct cond *c = &s->cond[rule * s->ndims + dim];
	struct cls_interval tmp[MAX_IV];
	unsigned n;

	if ((int)rule == s->fail_rule)
		return -EIO;
	if (!c->neg) {
		for (unsigned i = 0; i < c->n && i < max; i++)
			out[i] = s->iv[c->first + i];
		return c->n;
	}
	memcpy(tmp, s->iv + c->first, c->n * sizeof(*tmp));
	n = cls_intervals_normalize(tmp, c->n);
	return cls_intervals_invert(tmp, n, out, max);
}

static void iv_add(struct set *s, uint32_t lo, uint32_t hi)
{
	if (s->niv == s->ivmax) {
		s->ivmax = s->ivmax ? s->ivmax * 2 : 1024;
		s->iv = realloc(s->iv, s->ivmax * sizeof(*s->iv));
		if (!s->iv)
			abort();
	}
	s->iv[s->niv++] = (struct cls_interval){ lo, hi };
}

/* A key near the palette: mostly palette values, some neighbours */
static uint32_t pick(const struct set *s, unsigned d)
{
	uint32_t v = s->pal[d][rnd_below(PALETTE)];

	switch (rnd_below(8)) {
	case 0: return v + 1;
	case 1: return v - 1;
	case 2: return rnd_below(4) ? rnd_upto(s->domain[d]) : (uint32_t)rnd();
	default: return v;
	}
}

static void sort2(uint32_t *a, uint32_t *b)
{
	if (*a > *b) {
		uint32_t t = *a;

		*a = *b;
		*b = t;
	}
}

/* One interval of one of the shapes firewall rules have */
static void gen_interval(struct set *s, unsigned d)
{
	uint32_t a = pick(s, d), b = pick(s, d);
	struct cls_interval p;

	switch (rnd_below(4)) {
	case 0:		/* a prefix */
		p = cls_prefix(a, s->domain[d] == CLS_KEY_MAX ?
			       rnd_below(33) : 16 + rnd_below(17));
		iv_add(s, p.lo, p.hi);
		return;
	case 1:		/* a single key */
		iv_add(s, a, a);
		return;
	default:	/* a range */
		sort2(&a, &b);
		iv_add(s, a, b);
	}
}

static void gen_cond(struct set *s, struct cond *c, unsigned d)
{
	unsigned kind = rnd_below(16), n = 1;

	c->first = s->niv;
	c->neg = false;
	if (kind < 6) {			/* any */
		iv_add(s, 0, CLS_KEY_MAX);
	} else if (kind == 6) {		/* empty: never matches */
		n = 0;
	} else {
		if (kind >= 13)		/* a list, maybe long, maybe overlapping */
			n = 2 + rnd_below(rnd_below(8) ? 4 : MAX_IV - 2);
		for (unsigned i = 0; i < n; i++)
			gen_interval(s, d);
		c->neg = kind == 12 || kind == 15;
	}
	c->n = (uint16_t)n;
}

static const uint32_t domains[] = { 255, 1100, 65535, CLS_KEY_MAX };

static void set_gen(struct set *s, uint32_t nrules, unsigned ndims)
{
	memset(s, 0, sizeof(*s));
	s->nrules = nrules;
	s->ndims = ndims;
	s->fail_rule = -1;
	s->cond = calloc((size_t)nrules * (ndims ? ndims : 1), sizeof(*s->cond));
	if (!s->cond)
		abort();
	for (unsigned d = 0; d < ndims; d++) {
		s->domain[d] = domains[rnd_below(4)];
		for (unsigned i = 0; i < PALETTE; i++)
			s->pal[d][i] = i < 2 ? (i ? s->domain[d] : 0) :
				rnd_below(s->domain[d]) + 1;
		s->idle[d] = rnd_below(5) == 0;
	}
	for (uint32_t r = 0; r < nrules; r++)
		for (unsigned d = 0; d < ndims; d++) {
			struct cond *c = &s->cond[r * ndims + d];

			if (s->idle[d]) {
				c->first = s->niv;
				c->n = 1;
				iv_add(s, 0, CLS_KEY_MAX);
			} else {
				gen_cond(s, c, d);
			}
		}
}

static void set_free(struct set *s)
{
	free(s->cond);
	free(s->iv);
}

/* Some dimension's elementary interval bound (or the key before it) */
static bool edge_of(const struct cls *c, unsigned d, uint32_t *k)
{
	for (unsigned i = 0; i < c->nlive; i++) {
		const struct cls_dim *cd = &c->dim[i];

		if (cd->key == d) {
			*k = cd->lo[rnd_below(cd->nint)] - rnd_below(2);
			return true;
		}
	}
	return false;
}

/*
 * A key for the set: random, an interval's edge, an edge of the built
 * classifier's elementary intervals, or the extremes
 */
static void gen_key(const struct set *s, const struct cls *c, uint32_t *key)
{
	for (unsigned d = 0; d < s->ndims; d++) {
		unsigned how = rnd_below(12);

		if (how >= 10 && edge_of(c, d, &key[d]))
			continue;

		if (how < 4 && s->niv) {
			const struct cls_interval *iv = &s->iv[rnd_below(s->niv)];

			/* lo - 1, lo, hi, hi + 1 */
			key[d] = how < 2 ? iv->lo - 1 + how : iv->hi + how - 2;
		} else if (how == 4) {
			key[d] = rnd_below(2) ? 0 : CLS_KEY_MAX;
		} else {
			key[d] = pick(s, d);
		}
	}
}

/* The reference's answer: the lowest rule >= @from set in @match */
static uint32_t ref_first(const uint64_t *match, uint32_t n, uint32_t from)
{
	for (uint32_t r = from; r < n; r++)
		if (match[r >> 6] >> (r & 63) & 1)
			return r;
	return CLS_NONE;
}

/* One question to both. Return: 1 on a mismatch, with @why */
static int ask(const struct cls *c, const uint32_t *key, const uint64_t *match,
	       uint32_t n, uint32_t from, uint32_t *want, char *why, size_t len)
{
	uint32_t got = cls_first(c, key, from);

	*want = ref_first(match, n, from);
	if (got == *want)
		return 0;
	snprintf(why, len, "from %" PRIu32 ": got %" PRIu32 " want %" PRIu32
		 " (key[0] %#" PRIx32 ")", from, got, *want,
		 c->ndims ? key[0] : 0);
	return 1;
}

/*
 * Compare cls_first() to the reference for one key: walk the whole chain
 * (from = hit + 1, so every matching rule is seen), then random @from
 * values and some past the end. Return: 1 on a mismatch, with @why
 */
static int check_key(const struct set *s, const struct cls *c,
		     const uint32_t *key, uint64_t *match, char *why, size_t len)
{
	uint32_t n = s->nrules, from = 0, want;

	memset(match, 0, ((n + 63) / 64) * sizeof(*match));
	for (uint32_t r = 0; r < n; r++)
		if (ref_match(s, r, key))
			match[r >> 6] |= 1ull << (r & 63);
	do {
		if (ask(c, key, match, n, from, &want, why, len))
			return 1;
		from = want + 1;
	} while (want != CLS_NONE);
	for (unsigned t = 0; t < 12; t++) {
		from = t < 3 ? n + t : t == 3 ? CLS_NONE : rnd_below(n);
		if (ask(c, key, match, n, from, &want, why, len))
			return 1;
	}
	return 0;
}

/* Build @s and compare @nkeys keys. Return: 0, or the build's error */
static int check_set(const struct set *s, unsigned nkeys, char *why, size_t len)
{
	struct cls c;
	uint64_t *match = calloc((s->nrules + 63) / 64 + 1, sizeof(*match));
	uint32_t key[CLS_MAX_DIMS];
	int err = cls_build(&c, s->nrules, s->ndims, set_get, (void *)s, 0);

	if (!match)
		abort();
	if (err)
		snprintf(why, len, "build: %s", strerror(-err));
	for (unsigned i = 0; !err && i < nkeys; i++) {
		gen_key(s, &c, key);
		if (check_key(s, &c, key, match, why, len))
			err = -EDOM;
	}
	cls_free(&c);
	free(match);
	return err;
}

static void test_random(const char *name, uint64_t seed, unsigned sets,
			uint32_t min_rules, uint32_t max_rules, unsigned nkeys)
{
	char why[200] = "";
	unsigned i;
	int err = 0;

	rng_state = seed;
	for (i = 0; i < sets && !err; i++) {
		struct set s;
		uint32_t n = min_rules + rnd_below(max_rules - min_rules + 1);

		set_gen(&s, n, 1 + rnd_below(CLS_MAX_DIMS));
		err = check_set(&s, nkeys, why, sizeof(why));
		if (err)
			snprintf(why + strlen(why), sizeof(why) - strlen(why),
				 "; set %u of seed %#" PRIx64 ", %" PRIu32
				 " rules, %u dims", i, seed, n, s.ndims);
		set_free(&s);
	}
	report_checkf(name, !err, "%s", why);
}

static bool iv_eq(const struct cls_interval *a, unsigned na,
		  const struct cls_interval *b, unsigned nb)
{
	return na == nb && !memcmp(a, b, na * sizeof(*a));
}

static void test_intervals(void)
{
	struct cls_interval a[] = { { 9, 12 }, { 1, 4 }, { 5, 5 }, { 20, 30 },
				    { 25, 40 }, { 0xfffffff0u, CLS_KEY_MAX },
				    { 0xfffffff5u, 0xfffffff6u } };
	struct cls_interval m[] = { { 1, 5 }, { 9, 12 }, { 20, 40 },
				    { 0xfffffff0u, CLS_KEY_MAX } };
	struct cls_interval inv[] = { { 0, 0 }, { 6, 8 }, { 13, 19 },
				      { 41, 0xffffffefu } };
	struct cls_interval all = { 0, CLS_KEY_MAX }, out[8], p;
	unsigned n = cls_intervals_normalize(a, 7);
	int k = cls_intervals_invert(a, n, out, 8);

	report_checkf("intervals_normalize", iv_eq(a, n, m, 4), "%u intervals", n);
	report_checkf("intervals_invert", k == 4 && iv_eq(out, 4, inv, 4), "%d", k);
	k = cls_intervals_invert(a, n, out, 2);
	report_checkf("intervals_invert_counts_past_max", k == 4 && iv_eq(out, 2, inv, 2),
		      "%d", k);
	k = cls_intervals_invert(NULL, 0, out, 8);
	report_checkf("intervals_invert_empty", k == 1 && iv_eq(out, 1, &all, 1), "%d", k);
	k = cls_intervals_invert(&all, 1, out, 8);
	report_checkf("intervals_invert_all", k == 0, "%d", k);
	p = cls_prefix(0xc0a80117u, 24);
	report_checkf("prefix", p.lo == 0xc0a80100u && p.hi == 0xc0a801ffu &&
		      cls_prefix(7, 0).lo == 0 && cls_prefix(7, 0).hi == CLS_KEY_MAX &&
		      cls_prefix(7, 32).lo == 7 && cls_prefix(7, 32).hi == 7,
		      "%#x-%#x", p.lo, p.hi);
}

static void test_empty(void)
{
	struct cls c;
	uint32_t key[CLS_MAX_DIMS] = { 0 };
	int err = cls_build(&c, 0, 3, set_get, NULL, 0);

	report_checkf("no_rules", !err && cls_first(&c, key, 0) == CLS_NONE &&
		      cls_bytes(&c) == 0, "err %d", err);
	cls_free(&c);
}

static void test_zero_dims(void)
{
	struct set s;
	struct cls c;
	int err;

	set_gen(&s, 100, 0);
	err = cls_build(&c, 100, 0, set_get, &s, 0);
	report_checkf("zero_dims", !err && cls_first(&c, NULL, 0) == 0 &&
		      cls_first(&c, NULL, 57) == 57 && cls_first(&c, NULL, 100) ==
		      CLS_NONE && cls_first(&c, NULL, CLS_NONE) == CLS_NONE,
		      "err %d", err);
	cls_free(&c);
	set_free(&s);
}

/* Every rule "any" in some dimensions: those are not looked up */
static void test_wildcard_dims(void)
{
	struct set s;
	struct cls c;
	bool ok;
	int err;

	rng_state = 11;
	set_gen(&s, 300, 4);
	for (uint32_t r = 0; r < s.nrules; r++)
		for (unsigned d = 0; d < 4; d += 2) {	/* 0 and 2: any */
			s.cond[r * 4 + d].first = 0;
			s.cond[r * 4 + d].n = 0;
			s.cond[r * 4 + d].neg = true;
		}
	err = cls_build(&c, s.nrules, 4, set_get, &s, 0);
	ok = !err && c.nlive == !s.idle[1] + !s.idle[3];
	for (unsigned i = 0; ok && i < c.nlive; i++)
		ok = c.dim[i].key == 1 || c.dim[i].key == 3;
	report_checkf("wildcard_dims_skipped", ok, "err %d nlive %u", err, c.nlive);
	cls_free(&c);
	set_free(&s);
}

/* A protocol-like dimension uses a direct table; the answers still agree */
static void test_table_dim(void)
{
	struct set s;
	struct cls c;
	char why[200] = "";
	int err;

	rng_state = 12;
	set_gen(&s, 500, 1);
	s.domain[0] = 255;
	for (uint32_t r = 0; r < s.nrules; r++) {
		uint32_t p = rnd_below(256);

		s.cond[r].first = s.niv;
		s.cond[r].n = 1;
		s.cond[r].neg = rnd_below(5) == 0;
		iv_add(&s, p, p + rnd_below(3));
	}
	err = cls_build(&c, s.nrules, 1, set_get, &s, 0);
	report_checkf("small_domain_table", !err && c.nlive == 1 && c.dim[0].table,
		      "err %d", err);
	cls_free(&c);
	err = check_set(&s, 2000, why, sizeof(why));
	if (!err && cls_build(&c, s.nrules, 1, set_get, &s, 0))
		abort();
	for (uint32_t k = 0; !err && k < 2000; k++) {
		uint64_t match[8];

		err = check_key(&s, &c, &k, match, why, sizeof(why));
	}
	cls_free(&c);
	report_checkf("small_domain_table_agrees", !err, "%s", why);
	set_free(&s);
}

static void test_errors(void)
{
	struct set s;
	struct cls c;
	uint32_t key[2] = { 0, 0 };
	int err;

	rng_state = 13;
	set_gen(&s, 50, 2);
	report_checkf("too_many_dims", cls_build(&c, 50, CLS_MAX_DIMS + 1, set_get,
						 &s, 0) == -EINVAL, "want -EINVAL");
	s.fail_rule = 30;
	err = cls_build(&c, 50, 2, set_get, &s, 0);
	report_checkf("get_error_passed_on", err == -EIO && cls_first(&c, key, 0) ==
		      CLS_NONE, "err %d", err);
	s.fail_rule = -1;
	s.cond[7].first = s.niv;
	s.cond[7].n = 1;
	s.cond[7].neg = false;
	iv_add(&s, 9, 8);
	err = cls_build(&c, 50, 2, set_get, &s, 0);
	report_checkf("bad_interval", err == -EINVAL, "err %d", err);
	cls_free(&c);
	set_free(&s);
}

/* Over the cap: -E2BIG and an empty classifier; at the exact size: built */
static void test_cap(void)
{
	struct set s;
	struct cls c;
	uint32_t key[CLS_MAX_DIMS] = { 0 };
	size_t need;
	int err;

	rng_state = 14;
	set_gen(&s, 2000, 6);
	err = cls_build(&c, s.nrules, s.ndims, set_get, &s, 0);
	need = cls_bytes(&c);
	cls_free(&c);
	report_checkf("cap_default_builds", !err && need > 4096, "err %d, %zu bytes",
		      err, need);
	err = cls_build(&c, s.nrules, s.ndims, set_get, &s, 4096);
	report_checkf("cap_e2big_fallback", err == -E2BIG && cls_first(&c, key, 0) ==
		      CLS_NONE && cls_bytes(&c) == 0, "err %d", err);
	cls_free(&c);
	err = cls_build(&c, s.nrules, s.ndims, set_get, &s, need - 1);
	report_checkf("cap_one_byte_short", err == -E2BIG, "err %d", err);
	cls_free(&c);
	err = cls_build(&c, s.nrules, s.ndims, set_get, &s, need);
	report_checkf("cap_exact", !err && cls_bytes(&c) == need, "err %d", err);
	cls_free(&c);
	set_free(&s);
}

/* 70,000 rules (past 65,536), two dimensions: dport r % 1000, then any */
static int many_get(void *ctx, uint32_t rule, unsigned dim,
		    struct cls_interval *out, unsigned max)
{
	(void)ctx;
	if (max < 1)
		return 1;
	out[0] = dim ? (struct cls_interval){ 0, CLS_KEY_MAX } :
		(struct cls_interval){ rule % 1000, rule % 1000 };
	return 1;
}

static void test_many_rules(void)
{
	struct cls c;
	uint32_t key[2] = { 0, 77 };
	int err = cls_build(&c, 70000, 2, many_get, NULL, 0);
	bool ok = !err && c.nlive == 1;

	for (uint32_t p = 0; ok && p < 1100; p += 7) {
		uint32_t from = rnd_below(70000), want = CLS_NONE;

		key[0] = p;
		if (p < 1000) {
			want = from - from % 1000 + p;
			if (want < from)
				want += 1000;
			if (want >= 70000)
				want = CLS_NONE;
		}
		ok = cls_first(&c, key, from) == want &&
		     cls_first(&c, key, 0) == (p < 1000 ? p : CLS_NONE);
	}
	report_checkf("rules_70000", ok, "err %d, %zu bytes", err, cls_bytes(&c));
	cls_free(&c);
}

int main(void)
{
	test_intervals();
	test_empty();
	test_zero_dims();
	test_wildcard_dims();
	test_table_dim();
	test_errors();
	test_cap();
	test_many_rules();
	test_random("random_small_sets", 0x5eed0001, 400, 1, 70, 200);
	test_random("random_medium_sets", 0x5eed0002, 60, 70, 800, 300);
	test_random("random_large_sets", 0x5eed0003, 6, 1500, 3000, 400);
	return report_failures() ? 1 : 0;
}
