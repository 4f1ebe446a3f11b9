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
 * never-replied entry for eviction O(classes).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ct.h"
#include "mem.h"

const char *const ct_tcp_state_names[TCPS_NUM] = {
	"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
	"CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE",
};

const char *const ct_class_names[CT_CLASS_NUM] = {
	"tcp-syn", "tcp-established", "tcp-closing", "tcp-close",
	"udp-unreplied", "udp", "udp-dns", "icmp", "generic",
};

_Static_assert(sizeof(struct ct_entry) == 64, "ct_entry is one cache line");

static const uint32_t ct_default_timeout[CT_CLASS_NUM] = {
	[CT_CLASS_TCP_SYN] = 240,	[CT_CLASS_TCP_EST] = 7440,
	[CT_CLASS_TCP_CLOSING] = 240,	[CT_CLASS_TCP_CLOSE] = 10,
	[CT_CLASS_UDP_UNREPLIED] = 120,	[CT_CLASS_UDP] = 300,
	[CT_CLASS_UDP_DNS] = 30,
	[CT_CLASS_ICMP] = 60,		[CT_CLASS_GENERIC] = 600,
};

int ct_init(struct ct_table *ct, uint32_t max, bool acct, uint64_t seed)
{
	int rc;

	memset(ct, 0, sizeof(*ct));
	if (!max || max > CT_MAX_CONNS)
		return -EINVAL;
	ct->max = max;
	ct->e = mem_table_alloc((size_t)max * sizeof(*ct->e));
	if (acct)
		ct->acct = mem_table_alloc((size_t)max * sizeof(*ct->acct));
	if (!ct->e || (acct && !ct->acct)) {
		ct_fini(ct);
		return -ENOMEM;
	}
	rc = cuckoo_init(&ct->hash, 2 * max, seed);
	if (rc) {
		ct_fini(ct);
		return rc;
	}
	for (uint32_t i = 0; i < max; i++) {
		ct->e[i].flags = 0;
		ct_link_set(&ct->e[i], CT_NEXT, i + 1 < max ? i + 1 : CT_LINK_NONE);
	}
	ct->free = 0;
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
	ct->e = NULL;
	ct->acct = NULL;
}

/* Memory the table holds: entries, counters, hash */
size_t ct_bytes(const struct ct_table *ct)
{
	return (size_t)ct->max * sizeof(*ct->e) +
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
 * Return: index, or CT_NONE when the table is full (see ct_oldest_unreplied)
 */
uint32_t ct_alloc(struct ct_table *ct, uint32_t now)
{
	uint32_t idx = ct->free;
	struct ct_entry *e;

	if (idx == CT_LINK_NONE)
		return CT_NONE;
	e = &ct->e[idx];
	ct->free = ct_link_get(e, CT_NEXT);
	memset(e, 0, sizeof(*e));
	e->last_seen = now;
	if (ct->acct)
		memset(&ct->acct[idx], 0, sizeof(ct->acct[idx]));
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

/* The oldest connection that never saw a reply (eviction candidate) */
uint32_t ct_oldest_unreplied(const struct ct_table *ct)
{
	static const enum ct_class unreplied[] = {
		CT_CLASS_TCP_SYN, CT_CLASS_UDP_UNREPLIED, CT_CLASS_UDP_DNS,
	};
	uint32_t best = CT_NONE;

	for (size_t i = 0; i < sizeof(unreplied) / sizeof(*unreplied); i++) {
		uint32_t h = ct->fifo[unreplied[i]].head;

		if (h == CT_LINK_NONE || (ct->e[h].flags & CT_F_REPLIED))
			continue;
		if (best == CT_NONE ||
		    (int32_t)(ct->e[h].last_seen - ct->e[best].last_seen) < 0)
			best = h;
	}
	return best;
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
