// SPDX-License-Identifier: MIT
/*
 * cuckoo.c - insertion and deletion for cuckoo.h's table
 *
 * Insertion tries both buckets for a free slot, then walks a chain of
 * displacements: the new value takes a slot in its primary bucket, the
 * value it displaced moves to its own other bucket, and so on, at most
 * CUCKOO_MAX_KICKS times. A failed walk is undone, so a failed insert
 * leaves the table exactly as it was.
 */
#include <errno.h>
#include <string.h>

#include "cuckoo.h"
#include "mem.h"

int cuckoo_init(struct cuckoo *c, uint32_t max_values, uint64_t seed)
{
	uint64_t slots = (uint64_t)max_values * 100 / CUCKOO_LOAD_PCT + 1;
	uint64_t nb = (slots + CUCKOO_SLOTS - 1) / CUCKOO_SLOTS;

	memset(c, 0, sizeof(*c));
	if (nb < 2)
		nb = 2;
	if (nb > (1ull << 30))
		return -EINVAL;
	c->nb = (uint32_t)nb;
	c->b = mem_table_alloc(nb * sizeof(*c->b));
	if (!c->b)
		return -ENOMEM;
	c->seed = seed;
	c->count = 0;	/* fresh zero pages: every slot empty, none touched */
	return 0;
}

void cuckoo_fini(struct cuckoo *c)
{
	if (c->b)
		mem_table_free(c->b, cuckoo_bytes(c));
	c->b = NULL;
}

size_t cuckoo_bytes(const struct cuckoo *c)
{
	return (size_t)c->nb * sizeof(*c->b);
}

void cuckoo_clear(struct cuckoo *c)
{
	for (uint32_t i = 0; i < c->nb; i++) {
		memset(c->b[i].sig, 0, sizeof(c->b[i].sig));
		memset(c->b[i].val, 0, sizeof(c->b[i].val));	/* ~EMPTY */
	}
	c->count = 0;
}

/* @val as stored (complemented: cuckoo.h) */
static bool bucket_put(struct cuckoo_bucket *b, uint16_t sig, uint32_t val)
{
	for (int s = 0; s < CUCKOO_SLOTS; s++)
		if (b->val[s] == CUCKOO_SLOT_EMPTY) {
			b->sig[s] = sig;
			b->val[s] = val;
			return true;
		}
	return false;
}

/* The other bucket of an entry with signature @sig sitting in @bi */
static uint32_t cuckoo_other(const struct cuckoo *c, uint32_t bi, uint16_t sig)
{
	uint32_t off = cuckoo_offset(c, sig & (uint16_t)~CUCKOO_ALT);

	if (sig & CUCKOO_ALT)
		return bi >= off ? bi - off : bi + c->nb - off;
	return bi + off >= c->nb ? bi + off - c->nb : bi + off;
}

struct kick {
	uint32_t bucket;
	int slot;
};

/**
 * cuckoo_insert() - Add a value under a hash (the caller ensures no dup)
 * Return: 0, or -ENOSPC when no place was found (table unchanged)
 */
int cuckoo_insert(struct cuckoo *c, uint64_t hash, uint32_t val)
{
	struct kick path[CUCKOO_MAX_KICKS];
	uint16_t sig = cuckoo_sig(hash);
	uint32_t b1 = cuckoo_primary(c, hash), b2 = cuckoo_alt(c, b1, sig);
	uint32_t bi = b1;
	int n;

	val = ~val;	/* stored complemented from here on */

	if (bucket_put(&c->b[b1], sig, val) ||
	    bucket_put(&c->b[b2], sig | CUCKOO_ALT, val))
		goto done;

	/* displace: carry (sig, val) along, swapping it into full slots */
	for (n = 0; n < CUCKOO_MAX_KICKS; n++) {
		struct cuckoo_bucket *b = &c->b[bi];
		int s = (int)(c->kick++ % CUCKOO_SLOTS);
		uint16_t vsig = b->sig[s];
		uint32_t vval = b->val[s];

		b->sig[s] = sig;
		b->val[s] = val;
		path[n] = (struct kick){ bi, s };
		bi = cuckoo_other(c, bi, vsig);
		sig = vsig ^ CUCKOO_ALT;	/* it moves to its other bucket */
		val = vval;
		if (bucket_put(&c->b[bi], sig, val))
			goto done;
	}
	/* undo, newest first: each slot gets back what it held */
	while (n-- > 0) {
		struct cuckoo_bucket *b = &c->b[path[n].bucket];
		uint16_t tsig = b->sig[path[n].slot];
		uint32_t tval = b->val[path[n].slot];

		b->sig[path[n].slot] = sig ^ CUCKOO_ALT;
		b->val[path[n].slot] = val;
		sig = tsig;
		val = tval;
	}
	return -ENOSPC;
done:
	c->count++;
	return 0;
}

int cuckoo_delete(struct cuckoo *c, uint64_t hash, uint32_t val)
{
	uint16_t sig = cuckoo_sig(hash);
	uint32_t bi = cuckoo_primary(c, hash);

	for (int round = 0; round < 2; round++) {
		struct cuckoo_bucket *b = &c->b[bi];

		for (int s = 0; s < CUCKOO_SLOTS; s++)
			if (b->val[s] == ~val &&
			    b->sig[s] == (sig | (uint16_t)round)) {
				b->val[s] = CUCKOO_SLOT_EMPTY;
				c->count--;
				return 0;
			}
		bi = cuckoo_alt(c, bi, sig);
	}
	return -ENOENT;
}
