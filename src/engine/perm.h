/* SPDX-License-Identifier: MIT */
/*
 * perm.h - address-dependent filtering: which remote addresses a mapping
 * has sent to
 */
#ifndef MASQ_PERM_H
#define MASQ_PERM_H

#include <stdbool.h>
#include <stdint.h>

#include "cuckoo.h"

struct perm {
	uint32_t map;		/* mapping index */
	uint32_t raddr;		/* remote address, network order */
	uint32_t refs;		/* connections; free list link when unused */
};

struct perm_table {
	struct perm *p;
	uint32_t max;
	uint32_t free;
	uint32_t fresh;	/* first record never used yet: entries at and above are free and untouched (zero pages, not resident) */
	struct cuckoo h;
};

struct perm_table *perm_create(uint32_t max, uint64_t seed);
void perm_destroy(struct perm_table *t);
bool perm_take(struct perm_table *t, uint32_t map, uint32_t raddr);
void perm_give(struct perm_table *t, uint32_t map, uint32_t raddr);
bool perm_has(const struct perm_table *t, uint32_t map, uint32_t raddr);

#endif
