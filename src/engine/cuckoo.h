/* SPDX-License-Identifier: MIT */
/*
 * cuckoo.h - bucketed cuckoo hash of 32-bit values with 16-bit signatures
 *
 * Theory of operation: each key hashes to 64 bits. The low bits pick the
 * primary bucket, the top 16 bits are the signature, and the alternate
 * bucket is the primary XOR a hash of the signature (partial-key cuckoo
 * hashing, as DPDK's rte_hash): either bucket and the signature give the
 * other, so an entry can be moved without its key. A bucket is one cache
 * line: 8 signatures and 8 values. A lookup reads at most two lines and
 * compares full keys (through the caller's @eq) only where a signature
 * matches, about once in 8,000 probes for a miss.
 *
 * The table stores values only; keys live in the caller's objects. Sized
 * at creation for a load of at most one half, where cuckoo insertion
 * practically never fails; if it does (a bounded walk of CUCKOO_MAX_KICKS
 * displacements), the insert fails and the caller drops and counts.
 *
 * Hash flooding: the hash is keyed with a random seed per table.
 */
#ifndef MASQ_CUCKOO_H
#define MASQ_CUCKOO_H

#include <stdbool.h>
#include <stdint.h>

#define CUCKOO_SLOTS		8
#define CUCKOO_EMPTY		0xffffffffu
#define CUCKOO_MAX_KICKS	256

struct cuckoo_bucket {
	uint16_t sig[CUCKOO_SLOTS];
	uint32_t val[CUCKOO_SLOTS];
	uint8_t pad[16];
} __attribute__((aligned(64)));

struct cuckoo {
	struct cuckoo_bucket *b;
	uint32_t mask;
	uint32_t count;
	uint64_t seed;
	uint32_t kick;		/* rotates the slot a displacement evicts */
};

int cuckoo_init(struct cuckoo *c, uint32_t max_values, uint64_t seed);
void cuckoo_fini(struct cuckoo *c);
int cuckoo_insert(struct cuckoo *c, uint64_t hash, uint32_t val);
int cuckoo_delete(struct cuckoo *c, uint64_t hash, uint32_t val);
void cuckoo_clear(struct cuckoo *c);

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
	return (uint16_t)(hash >> 48);
}

static inline uint32_t cuckoo_primary(const struct cuckoo *c, uint64_t hash)
{
	return (uint32_t)hash & c->mask;
}

static inline uint32_t cuckoo_alt(const struct cuckoo *c, uint32_t bucket,
				  uint16_t sig)
{
	return (bucket ^ ((uint32_t)sig * 0x5bd1e995u)) & c->mask;
}

static inline void cuckoo_prefetch(const struct cuckoo *c, uint64_t hash)
{
	__builtin_prefetch(&c->b[cuckoo_primary(c, hash)]);
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

		for (int s = 0; s < CUCKOO_SLOTS; s++)
			if (b->sig[s] == sig && b->val[s] != CUCKOO_EMPTY &&
			    eq(ctx, b->val[s]))
				return b->val[s];
		bi = cuckoo_alt(c, bi, sig);
	}
	return CUCKOO_EMPTY;
}

#endif
