// SPDX-License-Identifier: MIT
/*
 * neigh.c - the ARP neighbour table (RFC 826, timing as in RFC 1122 2.3.2)
 *
 * Owns the storage of neighbour entries: lookup, creation, deletion.
 * What to do on a packet (answer, learn, queue, ask) is arp.c's.
 *
 * Limits: at most max entries; creating one more reuses a stale or
 * failed entry found near the new one's slot, else fails (the caller
 * drops and counts). Frames waiting for resolution are bounded per
 * entry (NEIGH_QUEUE_PER) and in all (max_queued).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "neigh.h"

const char *const neigh_state_names[NEIGH_NUM] = {
	"FREE", "INCOMPLETE", "REACHABLE", "STALE", "FAILED", "PERMANENT",
};

int neigh_init(struct neigh_table *t, uint32_t max, uint32_t max_queued)
{
	uint32_t size = 16;

	memset(t, 0, sizeof(*t));
	while (size < 2 * max)
		size <<= 1;
	t->slots = calloc(size, sizeof(*t->slots));
	if (!t->slots)
		return -ENOMEM;
	t->mask = size - 1;
	t->max = max;
	t->max_queued = max_queued;
	return 0;
}

void neigh_fini(struct neigh_table *t)
{
	free(t->slots);
	t->slots = NULL;
}

/* Find an entry to reuse when the table is full: stale or failed ones */
static struct neigh *neigh_victim(struct neigh_table *t, uint32_t ip)
{
	uint32_t i = neigh_hash(ip) & t->mask;

	for (uint32_t k = 0; k <= t->mask; k++, i = (i + 1) & t->mask) {
		struct neigh *n = &t->slots[i];

		if (n->ip && (n->state == NEIGH_STALE ||
			      n->state == NEIGH_FAILED) && !n->qlen)
			return n;
	}
	return NULL;
}

/**
 * neigh_create() - Add an entry for @ip behind @iface (state FREE: set it)
 * Return: the entry, or NULL when the table is full of live entries
 */
struct neigh *neigh_create(struct neigh_table *t, uint32_t ip, int iface)
{
	uint32_t i;

	if (t->count >= t->max) {
		struct neigh *v = neigh_victim(t, ip);

		if (!v)
			return NULL;
		neigh_delete(t, v);
	}
	for (i = neigh_hash(ip) & t->mask; t->slots[i].ip;
	     i = (i + 1) & t->mask)
		;
	memset(&t->slots[i], 0, sizeof(t->slots[i]));
	t->slots[i].ip = ip;
	t->slots[i].iface = (uint8_t)iface;
	t->count++;
	return &t->slots[i];
}

/*
 * neigh_delete() - Remove an entry (its queue must be empty)
 * Backward-shift deletion keeps every probe chain unbroken without
 * tombstones.
 */
void neigh_delete(struct neigh_table *t, struct neigh *n)
{
	uint32_t hole = (uint32_t)(n - t->slots);
	uint32_t i = hole;

	for (;;) {
		uint32_t home;

		i = (i + 1) & t->mask;
		if (!t->slots[i].ip)
			break;
		home = neigh_hash(t->slots[i].ip) & t->mask;
		/* may the entry at i move into the hole? */
		if (((i - home) & t->mask) >= ((i - hole) & t->mask)) {
			t->slots[hole] = t->slots[i];
			hole = i;
		}
	}
	memset(&t->slots[hole], 0, sizeof(t->slots[hole]));
	t->count--;
}
