/* SPDX-License-Identifier: MIT */
/*
 * cls.h - first-match classifier over D 32-bit key dimensions (bit vectors)
 *
 * Owns the decision structure a firewall chain is compiled into: given N
 * rules, each with a matching set per dimension (a list of closed
 * intervals of 32-bit keys), cls_first() gives the lowest rule index at or
 * after @from whose every dimension contains the key. It knows nothing of
 * packets or iptables: the caller maps its matches (protocol, prefixes,
 * port ranges, interface, state bits) onto dimensions, and checks what
 * cannot be expressed as intervals itself, continuing with @from = hit + 1
 * when such a check fails or the rule does not end the walk.
 *
 * The scheme is Lakshman & Stiliadis' bit-vector search (SIGCOMM 1998)
 * with Baboescu & Varghese's aggregation (ABV, INFOCOM 2001); see cls.c
 * for the theory of operation, the costs and the roads not taken.
 *
 * Limits: D <= CLS_MAX_DIMS; memory is capped by the builder's @max_bytes
 * (CLS_MAX_BYTES by default), over which cls_build() gives -E2BIG and the
 * caller scans linearly. The bitmaps grow as rules x elementary
 * intervals, so the cap, not a rule count, is what binds: about 240 KiB
 * for 1,000 firewall-shaped rules, 15 MiB for 10,000 (bench/cls_bench.c);
 * rule sets with fewer distinct addresses and ports take far less.
 */
#ifndef MASQ_CLS_H
#define MASQ_CLS_H

#include <stddef.h>
#include <stdint.h>

#define CLS_MAX_DIMS	8
#define CLS_NONE	0xffffffffu		/* no rule matches */
#define CLS_MAX_RULES	0x7fffffffu
#define CLS_MAX_BYTES	(16u << 20)		/* default memory cap */
#define CLS_KEY_MAX	0xffffffffu

/* A closed interval of keys [lo, hi], lo <= hi */
struct cls_interval {
	uint32_t lo;
	uint32_t hi;
};

/* One dimension as the lookup sees it (built by cls_build()) */
struct cls_dim {
	uint8_t key;		/* index into the lookup's key array */
	uint32_t nint;		/* elementary intervals, >= 1 */
	const uint32_t *lo;	/* their first keys, ascending, lo[0] == 0 */
	const uint32_t *off;	/* their bitmaps: word offsets into words */
	const uint32_t *table;	/* small domain: key -> offset, or NULL */
	uint32_t ntable;	/* keys the table covers; others: off[nint-1] */
};

/*
 * The classifier. Read-only after cls_build(), so any number of threads
 * may look up at once without locks.
 */
struct cls {
	uint32_t nrules;
	uint32_t nwords;	/* 64-bit words per rule bitmap */
	uint32_t nsum;		/* summary words ahead of each bitmap */
	uint8_t ndims;		/* dimensions of the key */
	uint8_t nlive;		/* dimensions looked up (not all-wildcard) */
	uint32_t nbitmaps;	/* distinct bitmaps stored */
	struct cls_dim dim[CLS_MAX_DIMS];
	const uint64_t *words;	/* the bitmaps: [nsum summary | nwords] each */
	void *mem;		/* the one allocation behind every array */
	size_t bytes;		/* its size */
};

/**
 * typedef cls_get_fn - The builder's question: rule @rule's set in @dim
 * @ctx:	the caller's context, as given to cls_build()
 * @rule:	rule index, 0 .. nrules - 1
 * @dim:	dimension, 0 .. ndims - 1
 * @out:	room for @max intervals
 * @max:	size of @out
 *
 * The intervals may come in any order and may overlap or touch; the
 * builder merges them. Zero intervals means the rule never matches.
 *
 * Return: the number of intervals of the set, even when more than @max
 * (then only @max were written, and the builder asks again with room for
 * all of them, as snprintf() does), or a negative errno that cls_build()
 * passes on
 */
typedef int cls_get_fn(void *ctx, uint32_t rule, unsigned dim,
		       struct cls_interval *out, unsigned max);

int cls_build(struct cls *c, uint32_t nrules, unsigned ndims,
	      cls_get_fn *get, void *ctx, size_t max_bytes);
void cls_free(struct cls *c);
size_t cls_bytes(const struct cls *c);

unsigned cls_intervals_normalize(struct cls_interval *iv, unsigned n);
int cls_intervals_invert(const struct cls_interval *in, unsigned n,
			 struct cls_interval *out, unsigned max);

/**
 * cls_prefix() - The interval of keys that share @v's top @len bits
 * @v:		a key, e.g. an IPv4 address in host order
 * @len:	prefix length, 0..32 (0 is every key)
 *
 * Return: [v with the low bits cleared, v with them set]
 */
static inline struct cls_interval cls_prefix(uint32_t v, unsigned len)
{
	uint32_t host = len >= 32 ? 0 : CLS_KEY_MAX >> len;

	return (struct cls_interval){ v & ~host, v | host };
}

uint32_t cls_first(const struct cls *c, const uint32_t *key, uint32_t from);

#endif
