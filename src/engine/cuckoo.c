// SPDX-License-Identifier: MIT
/*
 * cuckoo.c - insertion and deletion for cuckoo.h's table
 *
 * Insertion tries both buckets for a free slot, then walks a chain of
 * displacements: the new value takes a slot in its primary bucket, the
 * value it displaced moves to its own alternate bucket, and so on, at
 * most CUCKOO_MAX_KICKS times. If the walk fails, it is undone, so a
 * failed insert leaves the table exactly as it was.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cuckoo.h"
#include "mem.h"

int cuckoo_init(struct cuckoo *c, uint32_t max_values, uint64_t seed)
{
	uint64_t nb = 1;

	memset(c, 0, sizeof(*c));
	/* at most half full: buckets * 8 >= 2 * max_values */
	while (nb * CUCKOO_SLOTS < 2ull * max_values)
		nb <<= 1;
	if (nb > (1ull << 31))
		return -EINVAL;
	c->b = mem_table_alloc(nb * sizeof(*c->b));
	if (!c->b)
		return -ENOMEM;
	c->mask = (uint32_t)nb - 1;
	c->seed = seed;
	cuckoo_clear(c);
	return 0;
}

void cuckoo_fini(struct cuckoo *c)
{
	if (c->b)
		mem_table_free(c->b, ((size_t)c->mask + 1) * sizeof(*c->b));
	c->b = NULL;
}

void cuckoo_clear(struct cuckoo *c)
{
	for (uint32_t i = 0; i <= c->mask; i++) {
		memset(c->b[i].sig, 0, sizeof(c->b[i].sig));
		memset(c->b[i].val, 0xff, sizeof(c->b[i].val));
	}
	c->count = 0;
}

static bool bucket_put(struct cuckoo_bucket *b, uint16_t sig, uint32_t val)
{
	for (int s = 0; s < CUCKOO_SLOTS; s++)
		if (b->val[s] == CUCKOO_EMPTY) {
			b->sig[s] = sig;
			b->val[s] = val;
			return true;
		}
	return false;
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

	if (bucket_put(&c->b[b1], sig, val) || bucket_put(&c->b[b2], sig, val))
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
		sig = vsig;
		val = vval;
		bi = cuckoo_alt(c, bi, sig);
		if (bucket_put(&c->b[bi], sig, val))
			goto done;
	}
	/* undo, newest first: each slot gets back what it held */
	while (n-- > 0) {
		struct cuckoo_bucket *b = &c->b[path[n].bucket];
		uint16_t tsig = b->sig[path[n].slot];
		uint32_t tval = b->val[path[n].slot];

		b->sig[path[n].slot] = sig;
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
			if (b->val[s] == val && b->sig[s] == sig) {
				b->val[s] = CUCKOO_EMPTY;
				c->count--;
				return 0;
			}
		bi = cuckoo_alt(c, bi, sig);
	}
	return -ENOENT;
}
