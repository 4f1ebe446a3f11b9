/* SPDX-License-Identifier: MIT */
/*
 * quota.h - how many connections one address holds, against a limit
 *
 * Two per-address counts bound what one address can make the router
 * hold (conn.c keeps them):
 *
 *	host-cap	the live connections an internal host opened (every
 *			protocol; not TIME_WAIT or CLOSE, not connections
 *			that came in to it), so one busy or hostile host
 *			cannot fill the table for the others
 *	inbound-halfopen  the connections a remote source opened through
 *			a destination translation (DNAT, a forward) that
 *			are not yet established both ways, so one source
 *			cannot fill the table with half-open entries
 *
 * A record exists only while its address holds at least one connection,
 * so the records are bounded by the connections that hold them; the
 * table of records has a fixed size made at creation and a full one
 * refuses (the caller evicts or drops, and counts).
 */
#ifndef MASQ_QUOTA_H
#define MASQ_QUOTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cuckoo.h"

#define QUOTA_NONE	0xffffffffu

/* Why quota_take() refused */
enum quota_fail {
	QUOTA_OK,
	QUOTA_AT_LIMIT,		/* the address holds its limit already */
	QUOTA_FULL,		/* no record left for a new address */
};

/* One address and what it holds; free list link in @addr when unused */
struct quota_rec {
	uint32_t addr;		/* network order */
	uint32_t count;
};

struct quota {
	struct quota_rec *r;
	uint32_t max;		/* records */
	uint32_t free;		/* free list head, QUOTA_NONE: none */
	uint32_t fresh;		/* first record never used yet: entries at and above are free and untouched (zero pages, not resident) */
	uint32_t used;		/* records in use */
	uint32_t limit;		/* connections per address */
	struct cuckoo by_addr;
};

int quota_init(struct quota *q, uint32_t max, uint32_t limit, uint64_t seed);
void quota_fini(struct quota *q);
void quota_flush(struct quota *q);
size_t quota_bytes(const struct quota *q);
enum quota_fail quota_take(struct quota *q, uint32_t addr);
void quota_give(struct quota *q, uint32_t addr);
uint32_t quota_held(const struct quota *q, uint32_t addr);

#endif
