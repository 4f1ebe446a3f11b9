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
 * Layout: 64 bytes, one cache line, all of it read by a TCP packet:
 * tuples, protocol, state, time, expiry links and the TCP windows. What
 * not every connection needs lives elsewhere: packet and byte counters
 * in a parallel array (optional, like Linux's nf_conntrack_acct), the
 * masquerade mapping in nat.c (found again by its key when released),
 * rare state (helpers' sequence adjustment, expectations) in side pools
 * flagged by CT_F_SIDE. Checksum deltas are computed per packet from the
 * tuples: a dozen adds, cheaper than the cache line they would cost.
 *
 * Expiry: every entry is on the FIFO of its class (a class has one
 * timeout, so the head is always the oldest). A packet moves its entry
 * to the tail at most once per second; expiry pops heads while they are
 * due, a bounded number per call.
 *
 * Eviction: a class holds either connections established both ways
 * ("assured", as Linux calls them: TCP after its handshake, other
 * protocols once the opener spoke again after a reply), which are never
 * evicted, or entries that may be: closed ones (TIME_WAIT, CLOSE), which
 * go first, then half-open ones (a TCP handshake not finished, UDP and
 * other protocols not assured, and the short-lived DNS and ICMP echo
 * entries), oldest first whatever the protocol. So the heads of a few
 * FIFOs name every candidate, in O(classes).
 */
#ifndef MASQ_CT_H
#define MASQ_CT_H

#include <stdbool.h>
#include <stdint.h>

#include "cuckoo.h"

#define CT_NONE		0xffffffffu
#define CT_LINK_NONE	0xffffffu	/* 24-bit FIFO link: none */
#define CT_MAX_CONNS	0xffffffu	/* links and mapping refcounts are 24 bits */

enum ct_dir { CT_ORIG, CT_REPLY };

struct ct_tuple {
	uint32_t src;		/* network order */
	uint32_t dst;
	uint16_t sport;		/* network order; ICMP echo: see pkt.h */
	uint16_t dport;
};

enum ct_class {
	CT_CLASS_TCP_SYN,	/* half-open: SYN_SENT, SYN_RECV */
	CT_CLASS_TCP_EST,
	CT_CLASS_TCP_CLOSING,	/* FIN seen after the handshake */
	CT_CLASS_TCP_TIME_WAIT,	/* closed */
	CT_CLASS_TCP_CLOSE,	/* after RST */
	CT_CLASS_UDP_UNREPLIED,
	CT_CLASS_UDP_REPLIED,	/* answered, not yet assured: evictable */
	CT_CLASS_UDP,		/* assured */
	CT_CLASS_UDP_DNS,	/* RFC 4787 REQ-5a: DNS needs no more than 30 s */
	CT_CLASS_ICMP,
	CT_CLASS_GENERIC_NEW,	/* address-only protocols, not assured */
	CT_CLASS_GENERIC,	/* ... assured */
	CT_CLASS_NUM
};
_Static_assert(CT_CLASS_NUM <= 16, "a class is 4 bits of the entry");

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

#define CT_HALFOPEN_CLASSES	6
extern const enum ct_class ct_halfopen_classes[CT_HALFOPEN_CLASSES];
extern const char *const ct_class_names[CT_CLASS_NUM];

#define CT_F_REPLIED	0x01	/* a packet went the reply way */
#define CT_F_SNAT	0x02	/* reply destination differs from orig source */
#define CT_F_DNAT	0x04	/* reply source differs from orig destination */
#define CT_F_FIN_ORIG	0x08
#define CT_F_FIN_REPLY	0x10
#define CT_F_MAP	0x20	/* holds a reference on a masquerade mapping */
#define CT_F_SIDE	0x40	/* has rare state in a side pool (helpers) */
#define CT_F_USED	0x80	/* entry is live */

#define CT_X_INBOUND	0x01	/* opened by a packet going the reply way */
#define CT_X_PERM	0x02	/* holds an address-dependent permission */
#define CT_X_TO_HOST	0x04	/* delivered to the router host (its twin):
				 * the original way ends at a host socket */
#define CT_X_DMAP	0x08	/* holds a reference on the destination's
				 * mapping (hairpin) */
#define CT_X_ASSURED	0x10	/* the opener spoke again after a reply */
#define CT_X_HOSTCNT	0x20	/* counted against its internal host's
				 * host-cap (quota.h) */
#define CT_X_HALFOPEN	0x40	/* counted against its remote source's
				 * inbound-halfopen (quota.h) */
#define CT_X_FROM_HOST	0x80	/* opened by the router host (from a twin):
				 * the reply way ends at a host socket */

#define CT_TCP_WS	0x10	/* this side offered window scaling */
#define CT_TCP_SEEN	0x20	/* a packet of this side was tracked */
#define CT_TCP_SCALE	0x0f	/* window scale in effect (0 until agreed) */

/* One side's sequence space, as pf and Linux track it (van Rooij) */
struct ct_tcp_dir {
	uint32_t end;		/* highest sequence sent, plus its length */
	uint32_t maxend;	/* highest sequence the other side allowed */
	uint32_t maxwin;	/* largest window offered, in bytes */
	uint8_t wsf;		/* CT_TCP_SCALE | CT_TCP_WS | CT_TCP_SEEN */
} __attribute__((packed));

struct ct_entry {
	struct ct_tuple t[2];		/* 24 */
	uint8_t proto;
	uint8_t state : 4;		/* enum ct_tcp_state for TCP */
	uint8_t cls : 4;		/* enum ct_class */
	uint8_t flags;			/* CT_F_* */
	uint8_t xflags;			/* CT_X_* */
	uint32_t last_seen;		/* seconds tick */
	uint8_t link[6];		/* class FIFO prev, next: 24 bits each */
	struct ct_tcp_dir tcp[2];	/* 26; TCP only */
} __attribute__((aligned(64)));

static inline uint32_t ct_link_get(const struct ct_entry *e, int which)
{
	const uint8_t *l = &e->link[3 * which];

	return (uint32_t)l[0] | (uint32_t)l[1] << 8 | (uint32_t)l[2] << 16;
}

static inline void ct_link_set(struct ct_entry *e, int which, uint32_t v)
{
	uint8_t *l = &e->link[3 * which];

	l[0] = (uint8_t)v;
	l[1] = (uint8_t)(v >> 8);
	l[2] = (uint8_t)(v >> 16);
}

#define CT_PREV	0
#define CT_NEXT	1

/*
 * What a connection keeps beside its entry (the entry's 64 bytes are
 * full): its mark (CONNMARK, -m connmark) and how it began. Always
 * there, 8 bytes a connection, zeroed by ct_alloc().
 */
struct ct_aux {
	uint32_t mark;
	uint8_t status;		/* CT_A_* */
	uint8_t pad[3];
};

#define CT_A_EXPECTED	0x01	/* made from a helper's expectation */

/* Packets and bytes each way: optional, kept beside the entries */
struct ct_acct {
	uint64_t bytes[2];
	uint32_t pkts[2];
};

struct ct_fifo {
	uint32_t head, tail;
	uint32_t count;
};

struct ct_table {
	struct ct_entry *e;
	struct ct_acct *acct;		/* NULL when accounting is off */
	struct ct_aux *aux;		/* mark and status, per entry */
	uint32_t max;			/* entries made at creation */
	uint32_t limit;			/* entries allowed now (conntrack-max),
					 * at most @max */
	uint32_t count;
	uint32_t free;			/* free list head (CT_LINK_NONE: none) */
	uint32_t fresh;			/* first entry never used yet: entries at and above are free and untouched (zero pages, not resident) */
	struct cuckoo hash;
	struct ct_fifo fifo[CT_CLASS_NUM];
	uint32_t timeout[CT_CLASS_NUM];	/* seconds */
};

int ct_init(struct ct_table *ct, uint32_t max, bool acct, uint64_t seed);
size_t ct_bytes(const struct ct_table *ct);
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

/* The hash of a tuple, the key of the connection table (inline: every packet) */
static inline uint64_t ct_hash(const struct ct_table *ct, uint8_t proto,
			       const struct ct_tuple *t)
{
	uint64_t a = (uint64_t)t->src << 32 | t->dst;
	uint64_t b = (uint64_t)t->sport << 32 | (uint64_t)t->dport << 16 |
		     proto;

	return cuckoo_hash2(a, b, ct->hash.seed);
}

uint32_t ct_lookup_hashed(const struct ct_table *ct, uint64_t hash,
			  uint8_t proto, const struct ct_tuple *t,
			  enum ct_dir *dir);

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


/*
 * Prefetch the primary bucket a lookup of @hash reads; most keys live
 * there, so the alternate bucket is left to the lookup rather than costing
 * every packet a second miss.
 */
/* The primary bucket of @hash in the connection hash (for the steps below) */
static inline uint32_t ct_bucket_of(const struct ct_table *ct, uint64_t hash)
{
	return cuckoo_primary(&ct->hash, hash);
}

static inline void ct_prefetch_buckets(const struct ct_table *ct, uint64_t hash)
{
	mem_prefetch(&ct->hash.b[ct_bucket_of(ct, hash)]);
}

static inline void ct_prefetch_bucket_at(const struct ct_table *ct,
					 uint32_t bucket)
{
	mem_prefetch(&ct->hash.b[bucket]);
}

/* Prefetch the entry of bucket value @v and its counters */
static inline void ct_prefetch_conn(const struct ct_table *ct, uint32_t v)
{
	mem_prefetch(&ct->e[v >> 1]);
	if (ct->acct) {
		/* 24 bytes: one in four starts in one line and ends in the next */
		mem_prefetch(&ct->acct[v >> 1]);
		mem_prefetch((const char *)&ct->acct[(v >> 1) + 1] - 1);
	}
}

/*
 * ct_prefetch_entry() - Prefetch the entry a lookup will compare, and its
 * counters; return the candidate value (CUCKOO_EMPTY: none) for
 * ct_lookup_hinted(). @bucket is the primary bucket of @hash
 * (ct_bucket_of()), in cache already (see eng_input_batch() for the
 * distance between the steps).
 */
static inline uint32_t ct_prefetch_entry(const struct ct_table *ct,
					 uint64_t hash, uint32_t bucket)
{
	const struct cuckoo *c = &ct->hash;
	uint32_t v = cuckoo_first_in_bucket(&c->b[bucket], cuckoo_sig(hash));

	if (v == CUCKOO_EMPTY) {
		/* most keys live in the primary bucket; for the others ask
		 * for the alternate one now, ct_prefetch_entry_alt() reads it */
		mem_prefetch(&c->b[cuckoo_alt(c, bucket, cuckoo_sig(hash))]);
		return v;
	}
	ct_prefetch_conn(ct, v);
	return v;
}

/*
 * ct_prefetch_entry_alt() - The second look, for a key with no candidate
 * in its primary bucket @bucket: the alternate bucket (asked for by
 * ct_prefetch_entry()) names it; prefetch its entry. About one key in
 * twenty lives there at the table's usual load.
 */
static inline uint32_t ct_prefetch_entry_alt(const struct ct_table *ct,
					     uint64_t hash, uint32_t bucket)
{
	const struct cuckoo *c = &ct->hash;
	uint16_t sig = cuckoo_sig(hash);
	uint32_t a = cuckoo_alt(c, bucket, sig);
	uint32_t v = cuckoo_first_in_bucket(&c->b[a], sig | CUCKOO_ALT);

	if (v != CUCKOO_EMPTY)
		ct_prefetch_conn(ct, v);
	return v;
}

/*
 * ct_lookup_hinted() - ct_lookup_hashed() that first tries the candidate
 * the prefetch stage found. The candidate is only a hint (the table may
 * have changed since): it is taken when its entry is live and its key is
 * the packet's, which, keys being unique, makes it the answer.
 */
static inline uint32_t ct_lookup_hinted(const struct ct_table *ct,
					uint64_t hash, uint32_t hint,
					uint8_t proto, const struct ct_tuple *t,
					enum ct_dir *dir)
{
	if (hint != CUCKOO_EMPTY) {
		const struct ct_entry *e = &ct->e[hint >> 1];

		if ((e->flags & CT_F_USED) && e->proto == proto &&
		    ct_tuple_eq(&e->t[hint & 1], t)) {
			*dir = (enum ct_dir)(hint & 1);
			return hint >> 1;
		}
	}
	return ct_lookup_hashed(ct, hash, proto, t, dir);
}

uint32_t ct_alloc(struct ct_table *ct, uint32_t now);
int ct_insert(struct ct_table *ct, uint32_t idx, const uint64_t known[2],
	      enum ct_class cls, uint32_t now);
void ct_free(struct ct_table *ct, uint32_t idx);
void ct_abandon(struct ct_table *ct, uint32_t idx);
void ct_touch(struct ct_table *ct, uint32_t idx, uint32_t now);
void ct_set_class_move(struct ct_table *ct, uint32_t idx, enum ct_class cls,
		       uint32_t now);

/*
 * ct_set_class() - A packet was seen: put the entry in class @cls,
 * refreshed. Most packets find it there already, refreshed this second:
 * that test is inline, the FIFO moves are not.
 */
static inline void ct_set_class(struct ct_table *ct, uint32_t idx,
				enum ct_class cls, uint32_t now)
{
	const struct ct_entry *e = &ct->e[idx];

	if (e->cls == cls && e->last_seen == now)
		return;
	ct_set_class_move(ct, idx, cls, now);
}
uint32_t ct_expire_one(struct ct_table *ct, uint32_t now);
uint32_t ct_oldest_closed(const struct ct_table *ct);
uint32_t ct_oldest_halfopen(const struct ct_table *ct);
bool ct_is_assured(const struct ct_entry *ce);
bool ct_is_closed(const struct ct_entry *ce);
int ct_set_limit(struct ct_table *ct, uint32_t limit);
uint32_t ct_time_left(const struct ct_table *ct, uint32_t idx, uint32_t now);

#endif
