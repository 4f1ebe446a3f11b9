// SPDX-License-Identifier: MIT
/*
 * quota.c - per-address connection counts against a limit (see quota.h)
 *
 * A record per address that holds something, found by a cuckoo table
 * keyed by the address (seeded, so a flood of chosen addresses cannot
 * aim at one bucket). Records come from a free list made at creation:
 * nothing is allocated on the packet path. Taking and giving are O(1);
 * the last give frees the record.
 *
 * Limits: at most @max addresses hold something at once. Each record is
 * held by at least one connection, so a table as big as the connection
 * table never fills; a smaller one (the default, to keep memory per
 * connection low) refuses a new address with QUOTA_FULL.
 */
#include <errno.h>
#include <string.h>

#include "mem.h"
#include "quota.h"

/**
 * quota_init() - Make the records of a quota
 * @q:		quota to fill
 * @max:	addresses that may hold something at once
 * @limit:	connections one address may hold
 * @seed:	hash key
 *
 * Return: 0, or -ENOMEM
 */
int quota_init(struct quota *q, uint32_t max, uint32_t limit, uint64_t seed)
{
	memset(q, 0, sizeof(*q));
	q->max = max;
	q->limit = limit;
	q->r = mem_table_alloc((size_t)max * sizeof(*q->r));
	if (!q->r || cuckoo_init(&q->by_addr, max, seed)) {
		quota_fini(q);
		return -ENOMEM;
	}
	quota_flush(q);
	return 0;
}

void quota_fini(struct quota *q)
{
	cuckoo_fini(&q->by_addr);
	mem_table_free(q->r, (size_t)q->max * sizeof(*q->r));
	q->r = NULL;
}

/* Forget every record (the connections that held them are gone) */
void quota_flush(struct quota *q)
{
	q->free = QUOTA_NONE;	/* records are taken fresh (quota.h) */
	q->fresh = 0;
	q->used = 0;
	cuckoo_clear(&q->by_addr);
}

size_t quota_bytes(const struct quota *q)
{
	return (size_t)q->max * sizeof(*q->r) + cuckoo_bytes(&q->by_addr);
}

struct quota_key {
	const struct quota *q;
	uint32_t addr;
};

static bool quota_key_eq(const void *p, uint32_t val)
{
	const struct quota_key *k = p;

	return k->q->r[val].addr == k->addr;
}

static uint64_t quota_hash(const struct quota *q, uint32_t addr)
{
	return cuckoo_hash2(addr, 0x71756f74, q->by_addr.seed);
}

static uint32_t quota_find(const struct quota *q, uint32_t addr, uint64_t h)
{
	struct quota_key k = { q, addr };

	return cuckoo_lookup(&q->by_addr, h, quota_key_eq, &k);
}

/* Give record @i back to the free list */
static void quota_drop_rec(struct quota *q, uint32_t i, uint64_t h)
{
	cuckoo_delete(&q->by_addr, h, i);
	q->r[i].addr = q->free;
	q->free = i;
	q->used--;
}

/**
 * quota_take() - Count one more connection for @addr
 * @q:		quota
 * @addr:	the address, network order
 *
 * Return: QUOTA_OK (counted), QUOTA_AT_LIMIT or QUOTA_FULL (nothing
 * counted)
 */
enum quota_fail quota_take(struct quota *q, uint32_t addr)
{
	uint64_t h = quota_hash(q, addr);
	uint32_t i = quota_find(q, addr, h);

	if (i == CUCKOO_EMPTY) {
		if (!q->limit)
			return QUOTA_AT_LIMIT;
		i = q->free != QUOTA_NONE ? q->free : q->fresh;
		if (i >= q->max || cuckoo_insert(&q->by_addr, h, i))
			return QUOTA_FULL;
		if (i == q->free)
			q->free = q->r[i].addr;
		else
			q->fresh++;
		q->r[i] = (struct quota_rec){ addr, 0 };
		q->used++;
	} else if (q->r[i].count >= q->limit) {
		return QUOTA_AT_LIMIT;
	}
	q->r[i].count++;
	return QUOTA_OK;
}

/**
 * quota_give() - Count one connection of @addr less
 * @q:		quota
 * @addr:	an address quota_take() counted
 */
void quota_give(struct quota *q, uint32_t addr)
{
	uint64_t h = quota_hash(q, addr);
	uint32_t i = quota_find(q, addr, h);

	if (i == CUCKOO_EMPTY)
		return;
	if (!--q->r[i].count)
		quota_drop_rec(q, i, h);
}

/* Connections @addr holds now (control plane, tests) */
uint32_t quota_held(const struct quota *q, uint32_t addr)
{
	uint32_t i = quota_find(q, addr, quota_hash(q, addr));

	return i == CUCKOO_EMPTY ? 0 : q->r[i].count;
}
