// SPDX-License-Identifier: MIT
/*
 * cls_bench.c - the firewall classifier (cls.h) against a linear scan
 *
 * Prints one line per figure: "bench NAME VALUE UNIT".
 *
 *   cls_bytes_N       the classifier's memory for N + 1 rules
 *   cls_build_N       the time to build it
 *   cls_hit_last_N    lookups of keys whose first match is the catch-all
 *                     rule N (no earlier rule matches them)
 *   cls_hit_first_N   lookups of keys that match rule 0
 *   cls_attack_N      random keys (addresses, ports, protocol, state)
 *   linear_hit_last_N, linear_hit_first_N, linear_attack_N
 *                     the same keys, scanning rule by rule as iptables
 *                     does (protocol, masked addresses, port ranges,
 *                     interface and state compared in a struct per rule)
 *
 * N is 1k or 10k. The rules have the shapes of a firewall's: 7 dimensions
 * (protocol 0-255, source and destination address, source and
 * destination port, input interface index, connection state as one bit
 * of four), mostly TCP and UDP to single hosts and service ports, some
 * prefixes, ranges and negations ("! -s", "! -i"), then one rule that
 * matches everything. The "last" keys are made hard on purpose: each is
 * some rule's key with one field changed, so it nearly matches many
 * rules and the bitmaps' ANDs have to work; 1,024 of them in turn, so
 * the branch predictor cannot learn one path. Both sides see the same
 * keys in the same order; a result sink keeps the loops honest.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/cls.h"
#include "lib.h"

#define NKEYS	1024
#define DIMS	7

enum { D_PROTO, D_SRC, D_DST, D_SPORT, D_DPORT, D_IIF, D_STATE };

/* One rule as a linear iptables-style scan holds it */
struct fwrule {
	uint8_t proto;			/* 0: any */
	uint8_t iif;			/* 0: any */
	bool iif_neg, src_neg;
	uint8_t states;			/* bit per state, 0: any */
	uint32_t src, smask, dst, dmask;
	uint16_t sp_lo, sp_hi, dp_lo, dp_hi;
};

struct ruleset {
	struct fwrule *r;
	uint32_t n;
};

static uint64_t rng_state = 0xbe9c5eed;
static volatile uint32_t sink;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

static uint32_t mask_of(unsigned len)
{
	return len ? ~0u << (32 - len) : 0;
}

static const uint16_t services[] = { 22, 25, 53, 80, 110, 123, 143, 443,
	465, 587, 993, 995, 1194, 1723, 3306, 3389, 5060, 5432, 8080, 8443 };

/* A service port: a well-known one or any below 10000 */
static uint16_t service(void)
{
	return below(2) ? services[below(20)] : (uint16_t)(1 + below(9999));
}

static void gen_addrs(struct fwrule *f)
{
	unsigned k = below(10);

	if (k < 4) {			/* any */
		f->smask = 0;
	} else if (k < 8) {		/* a LAN subnet or host */
		f->smask = mask_of(16 + below(17));
		f->src = (0x0a000000u | below(1u << 24)) & f->smask;
	} else {			/* somewhere on the internet */
		f->smask = mask_of(8 + below(25));
		f->src = (uint32_t)rnd() & f->smask;
	}
	f->src_neg = f->smask && below(20) == 0;
	k = below(10);
	f->dmask = k < 3 ? 0 : k < 8 ? ~0u : mask_of(16 + below(16));
	f->dst = (0xcb007100u | below(256)) & f->dmask;	/* 203.0.113.x */
	if (k == 9)
		f->dst = (uint32_t)rnd() & f->dmask;
}

static void gen_ports(struct fwrule *f)
{
	unsigned k = below(10);

	f->sp_lo = 0;
	f->sp_hi = 65535;
	f->dp_lo = 0;
	f->dp_hi = 65535;
	if (f->proto != 6 && f->proto != 17)
		return;
	if (below(10) == 0)
		f->sp_lo = 1024;
	if (k < 7) {
		f->dp_lo = f->dp_hi = service();
	} else if (k < 9) {
		f->dp_lo = service();
		f->dp_hi = (uint16_t)(f->dp_lo + below(1000));
		if (f->dp_hi < f->dp_lo)
			f->dp_hi = 65535;
	}
}

static void gen_rule(struct fwrule *f)
{
	unsigned k = below(20);

	memset(f, 0, sizeof(*f));
	f->proto = k < 12 ? 6 : k < 18 ? 17 : k < 19 ? 1 : 0;
	gen_addrs(f);
	gen_ports(f);
	if (below(2)) {
		f->iif = (uint8_t)(1 + below(8));
		f->iif_neg = below(10) == 0;
	}
	if (below(5) < 2)
		f->states = (uint8_t)(1 + below(15));
	if (!f->proto) {	/* "all protocols" rules name a host */
		f->dmask = ~0u;
		f->dst = 0xcb007100u | below(256);
	}
}

/* The linear scan, as a chain without a classifier does it */
static bool rule_match(const struct fwrule *f, const uint32_t *key)
{
	return (!f->proto || f->proto == key[D_PROTO]) &&
	       (((key[D_SRC] & f->smask) == f->src) != f->src_neg) &&
	       (key[D_DST] & f->dmask) == f->dst &&
	       key[D_SPORT] >= f->sp_lo && key[D_SPORT] <= f->sp_hi &&
	       key[D_DPORT] >= f->dp_lo && key[D_DPORT] <= f->dp_hi &&
	       (!f->iif || (f->iif == key[D_IIF]) != f->iif_neg) &&
	       (!f->states || (f->states & key[D_STATE]));
}

static uint32_t linear_first(const struct ruleset *rs, const uint32_t *key)
{
	for (uint32_t i = 0; i < rs->n; i++)
		if (rule_match(&rs->r[i], key))
			return i;
	return CLS_NONE;
}

static int put(struct cls_interval *out, unsigned max, unsigned k,
	       uint32_t lo, uint32_t hi)
{
	if (k < max)
		out[k] = (struct cls_interval){ lo, hi };
	return 1;
}

/* "-s ! net/len" and "! -i": the complement of one interval */
static int put_maybe_neg(struct cls_interval *out, unsigned max, bool neg,
			 uint32_t lo, uint32_t hi)
{
	struct cls_interval iv = { lo, hi };

	return neg ? cls_intervals_invert(&iv, 1, out, max) :
		     put(out, max, 0, lo, hi);
}

static int states_get(const struct fwrule *f, struct cls_interval *out,
		      unsigned max)
{
	unsigned k = 0;

	if (!f->states)
		return put(out, max, 0, 0, CLS_KEY_MAX);
	for (unsigned b = 0; b < 4; b++)
		if (f->states & 1u << b)
			k += (unsigned)put(out, max, k, 1u << b, 1u << b);
	return (int)k;
}

/* The classifier's view of rule @rule: its set of keys in @dim */
static int rule_get(void *ctx, uint32_t rule, unsigned dim,
		    struct cls_interval *out, unsigned max)
{
	const struct fwrule *f = &((struct ruleset *)ctx)->r[rule];
	bool any_proto = !f->proto;

	switch (dim) {
	case D_PROTO:
		return any_proto ? put(out, max, 0, 0, CLS_KEY_MAX) :
				   put(out, max, 0, f->proto, f->proto);
	case D_SRC:
		return put_maybe_neg(out, max, f->src_neg, f->src,
				     f->src | ~f->smask);
	case D_DST:
		return put(out, max, 0, f->dst, f->dst | ~f->dmask);
	case D_SPORT:
		return f->sp_lo == 0 && f->sp_hi == 65535 ?
			put(out, max, 0, 0, CLS_KEY_MAX) :
			put(out, max, 0, f->sp_lo, f->sp_hi);
	case D_DPORT:
		return f->dp_lo == 0 && f->dp_hi == 65535 ?
			put(out, max, 0, 0, CLS_KEY_MAX) :
			put(out, max, 0, f->dp_lo, f->dp_hi);
	case D_IIF:
		return f->iif ? put_maybe_neg(out, max, f->iif_neg, f->iif, f->iif) :
				put(out, max, 0, 0, CLS_KEY_MAX);
	default:
		return states_get(f, out, max);
	}
}

/* A key inside rule @f: what a packet that matches it looks like */
static void key_of(const struct fwrule *f, uint32_t *key)
{
	key[D_PROTO] = f->proto ? f->proto : 6;
	key[D_SRC] = f->src | ((uint32_t)rnd() & ~f->smask);
	if (f->src_neg)		/* outside the prefix: a network bit flipped */
		key[D_SRC] ^= 1u << (31 - below((unsigned)__builtin_popcount(f->smask)));
	key[D_DST] = f->dst | ((uint32_t)rnd() & ~f->dmask);
	key[D_SPORT] = f->sp_lo + below(f->sp_hi - f->sp_lo + 1u);
	key[D_DPORT] = f->dp_lo + below(f->dp_hi - f->dp_lo + 1u);
	key[D_IIF] = f->iif ? f->iif + (uint32_t)f->iif_neg : 1 + below(8);
	key[D_STATE] = 1u << below(4);
	while (f->states && !(f->states & key[D_STATE]))
		key[D_STATE] = 1u << below(4);
}

/* A random packet: what an attacker or the internet sends */
static void key_random(uint32_t *key)
{
	key[D_PROTO] = below(4) ? (below(3) ? 6 : 17) : below(256);
	key[D_SRC] = below(2) ? 0x0a000000u | below(1u << 24) : (uint32_t)rnd();
	key[D_DST] = below(2) ? 0xcb007100u | below(256) : (uint32_t)rnd();
	key[D_SPORT] = below(65536);
	key[D_DPORT] = below(2) ? service() : below(65536);
	key[D_IIF] = below(10);
	key[D_STATE] = 1u << below(4);
}

/* Keys whose first match is the catch-all: some rule's key, one field off */
static void keys_last(const struct ruleset *rs, uint32_t (*keys)[DIMS])
{
	for (unsigned i = 0; i < NKEYS; i++) {
		uint32_t other[DIMS];
		unsigned d;

		do {
			key_of(&rs->r[below(rs->n - 1)], keys[i]);
			key_random(other);
			d = below(DIMS);
			keys[i][d] = other[d];
		} while (linear_first(rs, keys[i]) != rs->n - 1);
	}
}

/* @n firewall rules, then rule n that matches everything */
static void ruleset_make(struct ruleset *rs, uint32_t n)
{
	rs->n = n + 1;
	rs->r = calloc(rs->n, sizeof(*rs->r));
	if (!rs->r)
		abort();
	for (uint32_t i = 0; i < n; i++)
		gen_rule(&rs->r[i]);
	rs->r[n] = (struct fwrule){ .sp_hi = 65535, .dp_hi = 65535 };
}

static void report(const char *name, const char *size, double v, const char *unit)
{
	printf("bench %s_%s %.0f %s\n", name, size, v, unit);
}

static double budget_s = 0.4;	/* per figure; --quick: 0.05 */

/* Lookups per second over @keys, through @c or (NULL) the linear scan */
static double rate(const struct cls *c, const struct ruleset *rs,
		   uint32_t (*keys)[DIMS])
{
	uint32_t acc = 0;
	uint64_t n = 0;
	double t0 = bench_now_s(), t;

	do {
		for (unsigned i = 0; i < NKEYS; i++)
			acc += c ? cls_first(c, keys[i], 0) :
				   linear_first(rs, keys[i]);
		n += NKEYS;
		t = bench_now_s() - t0;
	} while (t < budget_s);
	sink = acc;
	return (double)n / t;
}

/* Every key answers the same both ways, or the figures mean nothing */
static bool agree(const struct cls *c, const struct ruleset *rs,
		  uint32_t (*keys)[DIMS])
{
	for (unsigned i = 0; i < NKEYS; i++)
		if (cls_first(c, keys[i], 0) != linear_first(rs, keys[i]))
			return false;
	return true;
}

static void bench_rules(const char *size, uint32_t n)
{
	static uint32_t last[NKEYS][DIMS], first[NKEYS][DIMS], attack[NKEYS][DIMS];
	struct ruleset rs;
	struct cls c;
	double t;
	int err;

	ruleset_make(&rs, n);
	keys_last(&rs, last);
	for (unsigned i = 0; i < NKEYS; i++) {
		key_of(&rs.r[0], first[i]);
		key_random(attack[i]);
	}
	t = bench_now_s();
	err = cls_build(&c, rs.n, DIMS, rule_get, &rs, 0);
	t = bench_now_s() - t;
	if (err) {
		printf("SKIP bench cls_%s: cls_build: %s\n", size, strerror(-err));
	} else if (!agree(&c, &rs, last) || !agree(&c, &rs, first) ||
		   !agree(&c, &rs, attack)) {
		printf("FAIL bench cls_%s: classifier and linear scan disagree\n", size);
	} else {
		report("cls_bytes", size, (double)cls_bytes(&c), "bytes");
		report("cls_build", size, t * 1e3, "ms");
		report("cls_hit_last", size, rate(&c, &rs, last), "lookups/s");
		report("cls_hit_first", size, rate(&c, &rs, first), "lookups/s");
		report("cls_attack", size, rate(&c, &rs, attack), "lookups/s");
	}
	report("linear_hit_last", size, rate(NULL, &rs, last), "lookups/s");
	report("linear_hit_first", size, rate(NULL, &rs, first), "lookups/s");
	report("linear_attack", size, rate(NULL, &rs, attack), "lookups/s");
	cls_free(&c);
	free(rs.r);
}

/* cls_bench [--quick] (other arguments, meant for other benches, ignored) */
int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--quick"))
			budget_s = 0.05;
	bench_rules("1k", 1000);
	bench_rules("10k", 10000);
	return 0;
}
