/* SPDX-License-Identifier: MIT */
/*
 * neigh.h - ARP neighbour state and the frames waiting for it
 */
#ifndef MASQ_NEIGH_H
#define MASQ_NEIGH_H

#include <stdbool.h>
#include <stdint.h>

#include "pkt.h"

enum neigh_state {
	NEIGH_FREE,
	NEIGH_INCOMPLETE,	/* requests sent, frames waiting */
	NEIGH_REACHABLE,	/* confirmed within NEIGH_REACHABLE_MS */
	NEIGH_STALE,		/* usable; the next use asks again */
	NEIGH_FAILED,		/* no answer; dropped until NEIGH_FAILED_MS */
	NEIGH_PERMANENT,	/* static: never expires */
	NEIGH_NUM
};

#define NEIGH_REACHABLE_MS	30000
#define NEIGH_STALE_MS		600000	/* unused stale entries go after this */
#define NEIGH_RETRANS_MS	1000
#define NEIGH_PROBES		3
#define NEIGH_FAILED_MS		3000
#define NEIGH_QUEUE_PER		8	/* frames waiting per neighbour */

struct neigh {
	uint32_t ip;			/* network order; 0 = free slot */
	uint8_t mac[ETH_ALEN];
	uint8_t state;
	uint8_t iface;
	uint8_t probes;
	uint8_t qlen;
	bool host_waits;		/* the host asked (its twin): answer it */
	uint64_t updated_ms;		/* last confirmation or state change */
	uint64_t probe_ms;		/* when the last request went out */
	struct masq_buf *qhead, *qtail;
};

/*
 * Open addressing with linear probing and backward-shift deletion: the
 * table is twice the configured size so probes stay short.
 */
struct neigh_table {
	struct neigh *slots;
	uint32_t mask;
	uint32_t count;
	uint32_t max;
	uint32_t queued;		/* frames held in all entries */
	uint32_t max_queued;
	uint64_t scan_ms;		/* when arp_advance() last scanned */
};

extern const char *const neigh_state_names[NEIGH_NUM];

int neigh_init(struct neigh_table *t, uint32_t max, uint32_t max_queued);
void neigh_fini(struct neigh_table *t);

static inline uint32_t neigh_hash(uint32_t ip)
{
	return (uint32_t)(((uint64_t)ip * 0x9e3779b97f4a7c15ull) >> 32);
}

/* The entry of @ip, or NULL (inline: arp_output() asks for every frame) */
static inline struct neigh *neigh_lookup(struct neigh_table *t, uint32_t ip)
{
	for (uint32_t i = neigh_hash(ip) & t->mask;; i = (i + 1) & t->mask) {
		struct neigh *n = &t->slots[i];

		if (n->ip == ip)
			return n;
		if (!n->ip)
			return NULL;
	}
}

struct neigh *neigh_create(struct neigh_table *t, uint32_t ip, int iface);
void neigh_delete(struct neigh_table *t, struct neigh *n);

#endif
