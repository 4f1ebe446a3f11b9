// SPDX-License-Identifier: MIT
/*
 * ct.c - the connection table: storage, lookup, expiry (see ct.h)
 *
 * Owns entries, the two-key hash and the class FIFOs. It knows nothing
 * of NAT: translation lives in the tuples the caller writes, and the
 * caller releases what an entry refers to (mappings) before ct_free().
 *
 * Complexity: lookup O(1) (two cache lines of buckets, one entry line);
 * insert O(1) expected; expiry O(1) per expired entry; finding the oldest
 * closed or half-open entry for eviction O(classes).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ct.h"
#include "mem.h"
#include "pkt.h"

const char *const ct_tcp_state_names[TCPS_NUM] = {
	"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
	"CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE",
};

const char *const ct_class_names[CT_CLASS_NUM] = {
	"tcp-syn", "tcp-established", "tcp-closing", "tcp-time-wait",
	"tcp-close", "udp-unreplied", "udp-replied", "udp", "udp-dns", "icmp",
	"generic-new", "generic",
};

_Static_assert(sizeof(struct ct_entry) == 64, "ct_entry is one cache line");

static const uint32_t ct_default_timeout[CT_CLASS_NUM] = {
	[CT_CLASS_TCP_SYN] = 240,	[CT_CLASS_TCP_EST] = 7440,
	[CT_CLASS_TCP_CLOSING] = 240,	[CT_CLASS_TCP_TIME_WAIT] = 240,
	[CT_CLASS_TCP_CLOSE] = 10,
	[CT_CLASS_UDP_UNREPLIED] = 120,	[CT_CLASS_UDP_REPLIED] = 300,
	[CT_CLASS_UDP] = 300,		[CT_CLASS_UDP_DNS] = 30,
	[CT_CLASS_ICMP] = 60,		[CT_CLASS_GENERIC_NEW] = 600,
	[CT_CLASS_GENERIC] = 600,
};

int ct_init(struct ct_table *ct, uint32_t max, bool acct, uint64_t seed)
{
	int rc;

	memset(ct, 0, sizeof(*ct));
	if (!max || max > CT_MAX_CONNS)
		return -EINVAL;
	ct->max = max;
	ct->limit = max;
	ct->e = mem_table_alloc((size_t)max * sizeof(*ct->e));
	if (acct)
		ct->acct = mem_table_alloc((size_t)max * sizeof(*ct->acct));
	ct->aux = mem_table_alloc((size_t)max * sizeof(*ct->aux));
	if (!ct->e || !ct->aux || (acct && !ct->acct)) {
		ct_fini(ct);
		return -ENOMEM;
	}
	rc = cuckoo_init(&ct->hash, 2 * max, seed);
	if (rc) {
		ct_fini(ct);
		return rc;
	}
	/* no free list through the table: it would touch every page */
	ct->free = CT_LINK_NONE;
	ct->fresh = 0;
	for (int c = 0; c < CT_CLASS_NUM; c++) {
		ct->fifo[c] = (struct ct_fifo){ CT_LINK_NONE, CT_LINK_NONE, 0 };
		ct->timeout[c] = ct_default_timeout[c];
	}
	return 0;
}

void ct_fini(struct ct_table *ct)
{
	cuckoo_fini(&ct->hash);
	mem_table_free(ct->e, (size_t)ct->max * sizeof(*ct->e));
	mem_table_free(ct->acct, (size_t)ct->max * sizeof(*ct->acct));
	mem_table_free(ct->aux, (size_t)ct->max * sizeof(*ct->aux));
	ct->e = NULL;
	ct->acct = NULL;
	ct->aux = NULL;
}

/* Memory the table holds: entries, marks, counters, hash */
size_t ct_bytes(const struct ct_table *ct)
{
	return (size_t)ct->max * (sizeof(*ct->e) + sizeof(*ct->aux)) +
	       (ct->acct ? (size_t)ct->max * sizeof(*ct->acct) : 0) +
	       cuckoo_bytes(&ct->hash);
}

struct ct_key_ctx {
	const struct ct_table *ct;
	const struct ct_tuple *t;
	uint8_t proto;
};

static bool ct_key_eq(const void *p, uint32_t val)
{
	const struct ct_key_ctx *k = p;
	const struct ct_entry *e = &k->ct->e[val >> 1];

	return e->proto == k->proto && ct_tuple_eq(&e->t[val & 1], k->t);
}

uint32_t ct_lookup_hashed(const struct ct_table *ct, uint64_t hash,
			  uint8_t proto, const struct ct_tuple *t,
			  enum ct_dir *dir)
{
	struct ct_key_ctx k = { ct, t, proto };
	uint32_t v = cuckoo_lookup(&ct->hash, hash, ct_key_eq, &k);

	if (v == CUCKOO_EMPTY)
		return CT_NONE;
	*dir = (enum ct_dir)(v & 1);
	return v >> 1;
}

uint32_t ct_lookup(const struct ct_table *ct, uint8_t proto,
		   const struct ct_tuple *t, enum ct_dir *dir)
{
	return ct_lookup_hashed(ct, ct_hash(ct, proto, t), proto, t, dir);
}

static void fifo_unlink(struct ct_table *ct, uint32_t idx)
{
	struct ct_entry *e = &ct->e[idx];
	struct ct_fifo *f = &ct->fifo[e->cls];
	uint32_t prev = ct_link_get(e, CT_PREV), next = ct_link_get(e, CT_NEXT);

	if (prev != CT_LINK_NONE)
		ct_link_set(&ct->e[prev], CT_NEXT, next);
	else
		f->head = next;
	if (next != CT_LINK_NONE)
		ct_link_set(&ct->e[next], CT_PREV, prev);
	else
		f->tail = prev;
	f->count--;
}

static void fifo_append(struct ct_table *ct, uint32_t idx)
{
	struct ct_entry *e = &ct->e[idx];
	struct ct_fifo *f = &ct->fifo[e->cls];

	ct_link_set(e, CT_NEXT, CT_LINK_NONE);
	ct_link_set(e, CT_PREV, f->tail);
	if (f->tail != CT_LINK_NONE)
		ct_link_set(&ct->e[f->tail], CT_NEXT, idx);
	else
		f->head = idx;
	f->tail = idx;
	f->count++;
}

/**
 * ct_alloc() - Take a free entry (zeroed, not yet in the table)
 * Return: index, or CT_NONE when every entry made is taken. The limit
 * (@ct->limit) is the caller's to keep (conn.c evicts to stay under it:
 * ct_oldest_closed(), ct_oldest_halfopen())
 */
uint32_t ct_alloc(struct ct_table *ct, uint32_t now)
{
	uint32_t idx = ct->free;
	struct ct_entry *e;

	if (idx != CT_LINK_NONE)
		ct->free = ct_link_get(&ct->e[idx], CT_NEXT);
	else if (ct->fresh < ct->max)
		idx = ct->fresh++;	/* first use: its page faults in now */
	else
		return CT_NONE;
	e = &ct->e[idx];
	memset(e, 0, sizeof(*e));
	e->last_seen = now;
	if (ct->acct)
		memset(&ct->acct[idx], 0, sizeof(ct->acct[idx]));
	memset(&ct->aux[idx], 0, sizeof(ct->aux[idx]));
	return idx;
}

/**
 * ct_insert() - Publish an allocated entry under both of its tuples
 * @ct:		table
 * @idx:	entry from ct_alloc(), tuples and protocol set
 * @known:	ct_hash() of each tuple where the caller has it, else 0
 *		(the first packet's was computed by the batch walk)
 * @cls:	timeout class
 * @now:	seconds tick
 *
 * Return: 0, or -ENOSPC (the entry goes back to the free list)
 */
int ct_insert(struct ct_table *ct, uint32_t idx, const uint64_t known[2],
	      enum ct_class cls, uint32_t now)
{
	struct ct_entry *e = &ct->e[idx];
	uint64_t h0 = known[CT_ORIG] ? known[CT_ORIG] :
				       ct_hash(ct, e->proto, &e->t[CT_ORIG]);
	uint64_t h1 = known[CT_REPLY] ? known[CT_REPLY] :
					ct_hash(ct, e->proto, &e->t[CT_REPLY]);

	if (cuckoo_insert(&ct->hash, h0, idx << 1 | CT_ORIG))
		goto fail;
	if (cuckoo_insert(&ct->hash, h1, idx << 1 | CT_REPLY)) {
		cuckoo_delete(&ct->hash, h0, idx << 1 | CT_ORIG);
		goto fail;
	}
	e->flags |= CT_F_USED;
	e->cls = (uint8_t)cls;
	e->last_seen = now;
	fifo_append(ct, idx);
	ct->count++;
	return 0;
fail:
	ct_link_set(e, CT_NEXT, ct->free);
	ct->free = idx;
	return -ENOSPC;
}

/* Remove a live entry from the hash and its FIFO and free it */
void ct_free(struct ct_table *ct, uint32_t idx)
{
	struct ct_entry *e = &ct->e[idx];

	cuckoo_delete(&ct->hash, ct_hash(ct, e->proto, &e->t[CT_ORIG]),
		      idx << 1 | CT_ORIG);
	cuckoo_delete(&ct->hash, ct_hash(ct, e->proto, &e->t[CT_REPLY]),
		      idx << 1 | CT_REPLY);
	fifo_unlink(ct, idx);
	e->flags = 0;
	ct_link_set(e, CT_NEXT, ct->free);
	ct->free = idx;
	ct->count--;
}

/* A packet was seen: refresh, moving to the FIFO tail once per second */
void ct_touch(struct ct_table *ct, uint32_t idx, uint32_t now)
{
	struct ct_entry *e = &ct->e[idx];

	if (e->last_seen == now)
		return;
	e->last_seen = now;
	if (ct->fifo[e->cls].tail == idx)
		return;
	fifo_unlink(ct, idx);
	fifo_append(ct, idx);
}

/* ct_set_class() when something moves (see ct.h) */
void ct_set_class_move(struct ct_table *ct, uint32_t idx, enum ct_class cls,
		       uint32_t now)
{
	struct ct_entry *e = &ct->e[idx];

	if (e->cls == cls) {
		ct_touch(ct, idx, now);
		return;
	}
	fifo_unlink(ct, idx);
	e->cls = (uint8_t)cls;
	e->last_seen = now;
	fifo_append(ct, idx);
}

static bool ct_due(const struct ct_table *ct, uint32_t idx, uint32_t now)
{
	const struct ct_entry *e = &ct->e[idx];

	return (int32_t)(now - e->last_seen) >= (int32_t)ct->timeout[e->cls];
}

/**
 * ct_expire_one() - Find one entry whose time is up
 * Return: its index (still live: release it, then ct_free()), or CT_NONE
 */
uint32_t ct_expire_one(struct ct_table *ct, uint32_t now)
{
	for (int c = 0; c < CT_CLASS_NUM; c++) {
		uint32_t h = ct->fifo[c].head;

		if (h != CT_LINK_NONE && ct_due(ct, h, now))
			return h;
	}
	return CT_NONE;
}

/**
 * ct_is_assured() - Is the connection established both ways?
 * @ce:		a live entry
 *
 * TCP: its handshake finished (both sides seen, past SYN_RECV; a
 * connection picked up mid-stream once its reply came). Other protocols:
 * the opener sent again after a reply (CT_X_ASSURED). An assured
 * connection is never evicted.
 */
bool ct_is_assured(const struct ct_entry *ce)
{
	if (ce->proto != IPPROTO_TCP_)
		return ce->xflags & CT_X_ASSURED;
	return ce->state != TCPS_SYN_SENT && ce->state != TCPS_SYN_RECV &&
	       ce->state != TCPS_NONE &&
	       (ce->tcp[0].wsf & ce->tcp[1].wsf & CT_TCP_SEEN);
}

/* Is the connection over (TIME_WAIT, or CLOSE after an exact RST)? */
bool ct_is_closed(const struct ct_entry *ce)
{
	return ce->proto == IPPROTO_TCP_ &&
	       (ce->state == TCPS_TIME_WAIT || ce->state == TCPS_CLOSE);
}

/* The older of two candidates (either may be CT_NONE) */
static uint32_t ct_older(const struct ct_table *ct, uint32_t a, uint32_t b)
{
	if (a == CT_NONE)
		return b;
	if (b == CT_NONE)
		return a;
	return (int32_t)(ct->e[b].last_seen - ct->e[a].last_seen) < 0 ? b : a;
}

/* The first entry of class @c's FIFO (at most @scan looked at) that is
 * closed: the CLOSE class also holds connections an RST in the window
 * only shortened the timeout of, which are still alive */
static uint32_t ct_first_closed(const struct ct_table *ct, enum ct_class c,
				int scan)
{
	uint32_t i = ct->fifo[c].head;

	for (int n = 0; n < scan && i != CT_LINK_NONE; n++) {
		if (ct_is_closed(&ct->e[i]))
			return i;
		i = ct_link_get(&ct->e[i], CT_NEXT);
	}
	return CT_NONE;
}

/**
 * ct_oldest_closed() - The closed connection to evict first
 * @ct:		table
 *
 * Return: the oldest TIME_WAIT or CLOSE entry, or CT_NONE
 */
uint32_t ct_oldest_closed(const struct ct_table *ct)
{
	return ct_older(ct, ct_first_closed(ct, CT_CLASS_TCP_TIME_WAIT, 1),
			ct_first_closed(ct, CT_CLASS_TCP_CLOSE, 8));
}

/* The classes whose entries may be evicted while open, oldest first */
const enum ct_class ct_halfopen_classes[CT_HALFOPEN_CLASSES] = {
	CT_CLASS_TCP_SYN, CT_CLASS_UDP_UNREPLIED, CT_CLASS_UDP_REPLIED,
	CT_CLASS_UDP_DNS, CT_CLASS_ICMP, CT_CLASS_GENERIC_NEW,
};

/**
 * ct_oldest_halfopen() - The open connection to evict first
 * @ct:		table
 *
 * Return: the least recently seen entry of the half-open classes
 * (ct_halfopen_classes), whatever its protocol, or CT_NONE
 */
uint32_t ct_oldest_halfopen(const struct ct_table *ct)
{
	uint32_t best = CT_NONE;

	for (int i = 0; i < CT_HALFOPEN_CLASSES; i++) {
		uint32_t h = ct->fifo[ct_halfopen_classes[i]].head;

		best = ct_older(ct, best, h == CT_LINK_NONE ? CT_NONE : h);
	}
	return best;
}

/**
 * ct_set_limit() - Change how many entries the table may hold
 * @ct:		table
 * @limit:	1 to the size made at creation
 *
 * A limit under today's count takes nothing away at once: each new
 * connection evicts a few until the table is under it (conn.c).
 * Return: 0, or -ERANGE
 */
int ct_set_limit(struct ct_table *ct, uint32_t limit)
{
	if (!limit || limit > ct->max)
		return -ERANGE;
	ct->limit = limit;
	return 0;
}

uint32_t ct_time_left(const struct ct_table *ct, uint32_t idx, uint32_t now)
{
	const struct ct_entry *e = &ct->e[idx];
	int32_t left = (int32_t)(e->last_seen + ct->timeout[e->cls] - now);

	return left > 0 ? (uint32_t)left : 0;
}

/* Give back an entry from ct_alloc() that was never inserted */
void ct_abandon(struct ct_table *ct, uint32_t idx)
{
	ct->e[idx].flags = 0;
	ct_link_set(&ct->e[idx], CT_NEXT, ct->free);
	ct->free = idx;
}
