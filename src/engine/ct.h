/* SPDX-License-Identifier: MIT */
/*
 * ct.h - the connection table
 *
 * One entry per connection holds both tuples: t[CT_ORIG] as the first
 * packet arrived, t[CT_REPLY] as the answer will arrive. Any translation
 * is the difference between the two (a masquerade changes the reply's
 * destination, a DNAT its source, a hairpin both), so every NAT the
 * router does is expressible without a special case. Each tuple is a key
 * of the hash table; the value is (index << 1 | direction), so one
 * lookup from either direction finds the entry and says which way the
 * packet goes.
 *
 * Layout: 128 bytes, two cache lines. The first holds what every packet
 * reads (tuples, protocol, state, time, expiry links, checksum deltas);
 * the second what only some read (TCP window, counters, the links to
 * side pools for rare state such as helpers' sequence adjustment and
 * expectations, and the EIM mapping).
 *
 * Expiry: every entry is on the FIFO of its class (a class has one
 * timeout, so the head is always the oldest). A packet moves its entry
 * to the tail at most once per second; expiry pops heads while they are
 * due, a bounded number per call. Full table: the oldest entry that never
 * saw a reply is evicted; established connections never are.
 */
#ifndef MASQ_CT_H
#define MASQ_CT_H

#include <stdbool.h>
#include <stdint.h>

#include "cuckoo.h"

#define CT_NONE		0xffffffffu

enum ct_dir { CT_ORIG, CT_REPLY };

struct ct_tuple {
	uint32_t src;		/* network order */
	uint32_t dst;
	uint16_t sport;		/* network order; ICMP echo: see pkt.h */
	uint16_t dport;
};

enum ct_class {
	CT_CLASS_TCP_SYN,	/* opening, no reply yet */
	CT_CLASS_TCP_EST,
	CT_CLASS_TCP_CLOSING,	/* FIN seen, TIME_WAIT, opening with reply */
	CT_CLASS_TCP_CLOSE,	/* after RST */
	CT_CLASS_UDP_UNREPLIED,
	CT_CLASS_UDP,
	CT_CLASS_ICMP,
	CT_CLASS_GENERIC,
	CT_CLASS_NUM
};

enum ct_tcp_state {
	TCPS_NONE,
	TCPS_SYN_SENT,
	TCPS_SYN_RECV,
	TCPS_ESTABLISHED,
	TCPS_FIN_WAIT,
	TCPS_CLOSE_WAIT,
	TCPS_LAST_ACK,
	TCPS_TIME_WAIT,
	TCPS_CLOSE,
	TCPS_NUM
};

extern const char *const ct_tcp_state_names[TCPS_NUM];
extern const char *const ct_class_names[CT_CLASS_NUM];

#define CT_F_REPLIED	0x01	/* a packet went the reply way */
#define CT_F_SNAT	0x02	/* reply destination differs from orig source */
#define CT_F_DNAT	0x04	/* reply source differs from orig destination */
#define CT_F_FIN_ORIG	0x08
#define CT_F_FIN_REPLY	0x10
#define CT_F_USED	0x80	/* entry is live */

struct ct_tcp_dir {		/* per-direction window state (RFC 793) */
	uint32_t end;
	uint32_t maxend;
	uint32_t maxwin;
	uint8_t wscale;
	uint8_t flags;
	uint16_t pad;
};

struct ct_entry {
	/* line 1: every packet */
	struct ct_tuple t[2];		/* 24 */
	uint8_t proto;
	uint8_t state;			/* enum ct_tcp_state for TCP */
	uint8_t cls;			/* enum ct_class */
	uint8_t flags;			/* CT_F_* */
	uint32_t last_seen;		/* seconds tick */
	uint32_t prev, next;		/* class FIFO; next is the free list */
	uint32_t l3_delta;		/* csum delta of orig->reply addresses */
	uint32_t l4_delta;		/* csum delta of ports (plus addresses) */
	uint8_t in_iface[2];		/* arrival interface per direction */
	uint8_t pad0[6];
	/* line 2: some packets */
	struct ct_tcp_dir tcp[2];	/* 32 */
	uint32_t pkts[2];
	uint64_t bytes[2];
	uint32_t map;			/* EIM mapping (nat.c), or CT_NONE */
	uint32_t side;			/* side pool (helpers), or CT_NONE */
} __attribute__((aligned(64)));

struct ct_fifo {
	uint32_t head, tail;
	uint32_t count;
};

struct ct_table {
	struct ct_entry *e;
	uint32_t max;
	uint32_t count;
	uint32_t free;			/* free list head */
	struct cuckoo hash;
	struct ct_fifo fifo[CT_CLASS_NUM];
	uint32_t timeout[CT_CLASS_NUM];	/* seconds */
};

int ct_init(struct ct_table *ct, uint32_t max, uint64_t seed);
void ct_fini(struct ct_table *ct);

/**
 * ct_lookup() - Find the connection a packet belongs to
 * @ct:		table
 * @proto:	IP protocol
 * @t:		the packet's tuple
 * @dir:	set to the packet's direction when found
 *
 * Return: entry index, or CT_NONE
 */
uint32_t ct_lookup(const struct ct_table *ct, uint8_t proto,
		   const struct ct_tuple *t, enum ct_dir *dir);
uint64_t ct_hash(const struct ct_table *ct, uint8_t proto,
		 const struct ct_tuple *t);
uint32_t ct_lookup_hashed(const struct ct_table *ct, uint64_t hash,
			  uint8_t proto, const struct ct_tuple *t,
			  enum ct_dir *dir);

/* Prefetch the buckets a lookup of @hash reads */
static inline void ct_prefetch_buckets(const struct ct_table *ct, uint64_t hash)
{
	uint32_t b = cuckoo_primary(&ct->hash, hash);

	__builtin_prefetch(&ct->hash.b[b]);
	__builtin_prefetch(&ct->hash.b[cuckoo_alt(&ct->hash, b, cuckoo_sig(hash))]);
}

/* Prefetch the entries whose signature matches (buckets should be in cache) */
static inline void ct_prefetch_entry(const struct ct_table *ct, uint64_t hash)
{
	uint16_t sig = cuckoo_sig(hash);
	uint32_t bi = cuckoo_primary(&ct->hash, hash);

	for (int round = 0; round < 2; round++) {
		const struct cuckoo_bucket *b = &ct->hash.b[bi];

		for (int s = 0; s < CUCKOO_SLOTS; s++)
			if (b->sig[s] == sig && b->val[s] != CUCKOO_EMPTY) {
				const struct ct_entry *e = &ct->e[b->val[s] >> 1];

				__builtin_prefetch(e);
				__builtin_prefetch((const char *)e + 64);
				return;
			}
		bi = cuckoo_alt(&ct->hash, bi, sig);
	}
}

uint32_t ct_alloc(struct ct_table *ct, uint32_t now);
int ct_insert(struct ct_table *ct, uint32_t idx, enum ct_class cls,
	      uint32_t now);
void ct_free(struct ct_table *ct, uint32_t idx);
void ct_abandon(struct ct_table *ct, uint32_t idx);
void ct_touch(struct ct_table *ct, uint32_t idx, uint32_t now);
void ct_set_class(struct ct_table *ct, uint32_t idx, enum ct_class cls,
		  uint32_t now);
uint32_t ct_expire_one(struct ct_table *ct, uint32_t now);
uint32_t ct_oldest_unreplied(const struct ct_table *ct);
uint32_t ct_time_left(const struct ct_table *ct, uint32_t idx, uint32_t now);

static inline bool ct_tuple_eq(const struct ct_tuple *a,
			       const struct ct_tuple *b)
{
	return a->src == b->src && a->dst == b->dst &&
	       a->sport == b->sport && a->dport == b->dport;
}

static inline struct ct_tuple ct_tuple_invert(const struct ct_tuple *t)
{
	return (struct ct_tuple){ t->dst, t->src, t->dport, t->sport };
}

#endif
