// SPDX-License-Identifier: MIT
/*
 * perm.c - permissions for address-dependent filtering (RFC 4787 REQ-8)
 *
 * With address-dependent filtering an inbound packet to a mapping passes
 * when the mapping has sent to the packet's source address, whatever the
 * port. The connection table cannot answer that (its keys hold ports), so
 * each connection of a mapping holds a reference on a (mapping, remote
 * address) permission, as a TURN server holds permissions (RFC 8656).
 *
 * The table exists only while the filtering is address-dependent: it is
 * made when that mode is chosen (control plane), sized like the
 * connection table, and connections made before hold no permission.
 */
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "perm.h"

#define PERM_FREE_END	0xffffffffu

struct perm_key {
	const struct perm_table *t;
	uint32_t map, raddr;
};

static bool perm_eq(const void *p, uint32_t val)
{
	const struct perm_key *k = p;

	return k->t->p[val].map == k->map && k->t->p[val].raddr == k->raddr;
}

static uint64_t perm_hash(const struct perm_table *t, uint32_t map,
			  uint32_t raddr)
{
	return cuckoo_hash2(map, raddr, t->h.seed);
}

struct perm_table *perm_create(uint32_t max, uint64_t seed)
{
	struct perm_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->max = max;
	t->p = mem_table_alloc((size_t)max * sizeof(*t->p));
	if (!t->p || cuckoo_init(&t->h, max, seed)) {
		perm_destroy(t);
		return NULL;
	}
	t->free = PERM_FREE_END;	/* records are taken fresh (perm.h) */
	t->fresh = 0;
	return t;
}

void perm_destroy(struct perm_table *t)
{
	if (!t)
		return;
	cuckoo_fini(&t->h);
	mem_table_free(t->p, (size_t)t->max * sizeof(*t->p));
	free(t);
}

static uint32_t perm_find(const struct perm_table *t, uint32_t map,
			  uint32_t raddr, uint64_t h)
{
	struct perm_key k = { t, map, raddr };

	return cuckoo_lookup(&t->h, h, perm_eq, &k);
}

/* Add a reference; false when the table is full (the caller goes on) */
bool perm_take(struct perm_table *t, uint32_t map, uint32_t raddr)
{
	uint64_t h = perm_hash(t, map, raddr);
	uint32_t i = perm_find(t, map, raddr, h);

	if (i != CUCKOO_EMPTY) {
		t->p[i].refs++;
		return true;
	}
	i = t->free != PERM_FREE_END ? t->free : t->fresh;
	if (i >= t->max || cuckoo_insert(&t->h, h, i))
		return false;
	if (i == t->free)
		t->free = t->p[i].refs;
	else
		t->fresh++;
	t->p[i] = (struct perm){ map, raddr, 1 };
	return true;
}

void perm_give(struct perm_table *t, uint32_t map, uint32_t raddr)
{
	uint64_t h = perm_hash(t, map, raddr);
	uint32_t i = perm_find(t, map, raddr, h);

	if (i == CUCKOO_EMPTY || --t->p[i].refs)
		return;
	cuckoo_delete(&t->h, h, i);
	t->p[i].refs = t->free;
	t->free = i;
}

bool perm_has(const struct perm_table *t, uint32_t map, uint32_t raddr)
{
	return perm_find(t, map, raddr, perm_hash(t, map, raddr)) !=
	       CUCKOO_EMPTY;
}
