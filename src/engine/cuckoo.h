/* SPDX-License-Identifier: MIT */
/*
 * cuckoo.h - bucketed cuckoo hash of 32-bit values with 16-bit signatures
 *
 * Theory of operation: each key hashes to 64 bits. The low 32 bits pick
 * the primary bucket (by multiply-shift, so any bucket count works), the
 * top 15 bits are the signature, and the alternate bucket lies a
 * signature-derived offset further on (partial-key cuckoo hashing, as
 * DPDK's rte_hash does): either bucket and the signature give the other,
 * so an entry can be moved without its key. The signature's low bit says
 * which of its two buckets an entry sits in. A bucket is one cache line:
 * 8 signatures and 8 values. A lookup reads at most two lines and
 * compares full keys (through the caller's @eq) only where a signature
 * matches, about once in 4,000 probes for a miss.
 *
 * The table stores values only; keys live in the caller's objects. It is
 * sized for a load of at most CUCKOO_LOAD_PCT percent when full, where
 * 8-way buckets practically never fail an insert (DPDK reports over 90 %).
 * If one does (a walk of CUCKOO_MAX_KICKS displacements), it fails
 * cleanly and the caller drops and counts. Not a power of two: the table
 * costs 2 keys x 8 bytes / 0.8 = 20 bytes per connection, not up to 64.
 *
 * Hash flooding: the hash is keyed with a random seed per table.
 *
 * Memory: a slot holds its value complemented, so an empty slot is 0 and
 * a fresh table is all zero pages: it needs no clearing at creation and
 * becomes resident only as buckets are first written (mem.c). The NOT
 * on a read costs nothing measurable.
 */
#ifndef MASQ_CUCKOO_H
#define MASQ_CUCKOO_H

#include <stdbool.h>
#include <stdint.h>

#include "mem.h"
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define CUCKOO_SLOTS		8
#define CUCKOO_EMPTY		0xffffffffu
#define CUCKOO_SLOT_EMPTY	0u	/* ~CUCKOO_EMPTY, as stored */
#define CUCKOO_MAX_KICKS	256
#define CUCKOO_LOAD_PCT		80
#define CUCKOO_ALT		1	/* signature bit: in the alternate bucket */

struct cuckoo_bucket {
	uint16_t sig[CUCKOO_SLOTS];
	uint32_t val[CUCKOO_SLOTS];
	uint8_t pad[16];
} __attribute__((aligned(64)));

struct cuckoo {
	struct cuckoo_bucket *b;
	uint32_t nb;		/* buckets */
	uint32_t count;
	uint64_t seed;
	uint32_t kick;		/* rotates the slot a displacement evicts */
};

int cuckoo_init(struct cuckoo *c, uint32_t max_values, uint64_t seed);
void cuckoo_fini(struct cuckoo *c);
int cuckoo_insert(struct cuckoo *c, uint64_t hash, uint32_t val);
int cuckoo_delete(struct cuckoo *c, uint64_t hash, uint32_t val);
void cuckoo_clear(struct cuckoo *c);
size_t cuckoo_bytes(const struct cuckoo *c);

/* Mixer for two 64-bit words of key (a keyed, non-cryptographic hash) */
static inline uint64_t cuckoo_hash2(uint64_t a, uint64_t b, uint64_t seed)
{
	uint64_t h = (a ^ seed) * 0x9e3779b97f4a7c15ull;

	h ^= h >> 29;
	h += b ^ (seed >> 7);
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 32;
	h *= 0x94d049bb133111ebull;
	h ^= h >> 29;
	return h;
}

static inline uint16_t cuckoo_sig(uint64_t hash)
{
	return (uint16_t)(hash >> 48) & (uint16_t)~CUCKOO_ALT;
}

static inline uint32_t cuckoo_primary(const struct cuckoo *c, uint64_t hash)
{
	return (uint32_t)(((uint64_t)(uint32_t)hash * c->nb) >> 32);
}

/* Distance from the primary to the alternate bucket: 1 .. nb-1 */
static inline uint32_t cuckoo_offset(const struct cuckoo *c, uint16_t sig)
{
	if (c->nb < 2)
		return 0;
	return 1 + (uint32_t)(((uint64_t)(sig * 0x5bd1e995u) * (c->nb - 1)) >> 32);
}

static inline uint32_t cuckoo_alt(const struct cuckoo *c, uint32_t primary,
				  uint16_t sig)
{
	uint32_t b = primary + cuckoo_offset(c, sig);

	return b >= c->nb ? b - c->nb : b;
}

static inline void cuckoo_prefetch_primary(const struct cuckoo *c,
					   uint64_t hash)
{
	mem_prefetch(&c->b[cuckoo_primary(c, hash)]);
}

static inline void cuckoo_prefetch(const struct cuckoo *c, uint64_t hash)
{
	uint32_t p = cuckoo_primary(c, hash);

	mem_prefetch(&c->b[p]);
	mem_prefetch(&c->b[cuckoo_alt(c, p, cuckoo_sig(hash))]);
}

/*
 * Slots of @b whose signature is @want: slot s is bit 2s (cuckoo_mask_slot()
 * turns a bit back into a slot). Two bits per slot because that is what
 * SSE2 (every x86-64) gives: the eight compares are one instruction, and
 * its byte mask has two bits per 16-bit lane, of which the even one is
 * kept. Packing them to one bit a slot cost more than the compare.
 */
static inline unsigned cuckoo_sig_mask(const struct cuckoo_bucket *b,
				       uint16_t want)
{
#ifdef __SSE2__
	__m128i sigs = _mm_load_si128((const __m128i *)b->sig);
	__m128i eq = _mm_cmpeq_epi16(sigs, _mm_set1_epi16((short)want));

	return (unsigned)_mm_movemask_epi8(eq) & 0x5555;
#else
	unsigned m = 0;

	for (int s = 0; s < CUCKOO_SLOTS; s++)
		m |= (unsigned)(b->sig[s] == want) << (2 * s);
	return m;
#endif
}

/* The slot of the lowest bit set in a cuckoo_sig_mask() */
static inline int cuckoo_mask_slot(unsigned m)
{
	return __builtin_ctz(m) / 2;
}

/**
 * cuckoo_lookup() - Find the value whose key equals the caller's
 * @c:		table
 * @hash:	the key's hash
 * @eq:		compares the caller's key with the object behind a value
 * @ctx:	passed to @eq
 *
 * Return: the value, or CUCKOO_EMPTY
 */
static inline uint32_t cuckoo_lookup(const struct cuckoo *c, uint64_t hash,
				     bool (*eq)(const void *ctx, uint32_t val),
				     const void *ctx)
{
	uint16_t sig = cuckoo_sig(hash);
	uint32_t bi = cuckoo_primary(c, hash);

	for (int round = 0; round < 2; round++) {
		const struct cuckoo_bucket *b = &c->b[bi];
		unsigned m = cuckoo_sig_mask(b, sig | (uint16_t)round);

		for (; m; m &= m - 1) {
			int s = cuckoo_mask_slot(m);

			uint32_t v = ~b->val[s];

			if (v != CUCKOO_EMPTY && eq(ctx, v))
				return v;
		}
		bi = cuckoo_alt(c, bi, sig);
	}
	return CUCKOO_EMPTY;
}

/* The first live value in bucket @b with signature @sig (primary slot) */
static inline uint32_t cuckoo_first_in_bucket(const struct cuckoo_bucket *b,
					      uint16_t sig)
{
	for (unsigned m = cuckoo_sig_mask(b, sig); m; m &= m - 1) {
		uint32_t v = ~b->val[cuckoo_mask_slot(m)];

		if (v != CUCKOO_EMPTY)
			return v;
	}
	return CUCKOO_EMPTY;
}

static inline bool cuckoo_any(const void *ctx, uint32_t val)
{
	(void)ctx;
	(void)val;
	return true;
}

/* The first value whose signature matches (a hint for prefetching) */
static inline uint32_t cuckoo_first_match(const struct cuckoo *c,
					  uint64_t hash)
{
	return cuckoo_lookup(c, hash, cuckoo_any, NULL);
}

#endif
