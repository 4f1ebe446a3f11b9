// SPDX-License-Identifier: MIT
/*
 * fwm_hashlimit.c - -m hashlimit on packets: its tables, shared by name
 *
 * Theory of operation. A hashlimit match names a table (--hashlimit-name).
 * As the kernel keeps one table per name and network namespace, masq
 * keeps one per name and process: every engine of masqd (--workers N, one
 * per thread) that compiles a rule naming "ssh" gets the same table, so a
 * source whose packets land on different workers still has one bucket.
 * A table lives while a compiled ruleset of some engine names it
 * (reference counted: fw_compile() takes, fw_free() gives back); a
 * ruleset change compiles the new rules before it frees the old, so a
 * table named by both keeps its buckets across the reload, as the kernel
 * keeps it across iptables-restore. Its size and bound are those of the
 * rule that made it (as the kernel's: a later rule naming it shares it).
 *
 * An entry is a key (the packet's source and destination address, masked
 * by --hashlimit-srcmask/-dstmask, and its ports, as --hashlimit-mode
 * selects; for protocols without ports, 0) and its bucket:
 *  - packets: a token bucket of --hashlimit-burst packets, one more every
 *    1/rate s; a new entry starts full;
 *  - bytes: a token bucket of max(burst, 1) x the rate in bytes, refilled
 *    at the rate; a packet costs its IP length;
 *  - --hashlimit-rate-match: the packets (or bytes) of the current window
 *    of --hashlimit-rate-interval s are counted; a packet is within the
 *    rate while the last window was and this one has not passed the
 *    burst (packets) or the rate (bytes).
 * A packet within the rate matches --hashlimit-upto; one over it,
 * --hashlimit-above.
 *
 * Memory: --hashlimit-htable-max entries (default 8 x the size) and
 * --hashlimit-htable-size buckets (default 8192, at least 16), allocated
 * when the table is made, at compile time, never on the packet path; the
 * kernel caps both at 1048576 (m_hashlimit.c), an entry is 48 bytes.
 * Expiry: an entry unused for --hashlimit-htable-expire ms is gone; the
 * entries are on a list by last use, and each lookup drops up to two
 * expired ones from its old end (bounded work; --hashlimit-htable-
 * gcinterval is kept and listed, not needed).
 * Full: when every entry is in use, a new key takes the entry used least
 * recently (which would expire first), and the table counts an eviction
 * (in @evicted; not yet shown anywhere).
 * So a flood from many sources churns the old end of the list while a
 * host that keeps sending stays at the new end with its bucket: it keeps
 * its rate. (The kernel instead drops the packet of a key it has no room
 * for, which would shut out every new host for the flood's duration.)
 * The price: a flood from more sources than the table holds keys each
 * source afresh, with a full burst, so --hashlimit-htable-max should be
 * above the sources a rule is meant to hold apart.
 *
 * Concurrency: one mutex per table, held for a lookup and its update
 * (tens of ns); the registry of names has its own, taken at compile time
 * only. Time is each engine's clock (e->now_ns, monotonic); an engine a
 * little behind another sees no time pass, never negative time.
 * The hash is keyed by a per-table random seed, so a flood cannot aim at
 * one chain.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "eng.h"
#include "fw.h"

#define HL_DEFAULT_SIZE	8192u
#define HL_MIN_SIZE	16u
#define HL_NONE		0xffffffffu
#define HL_EXPIRE_PER_LOOKUP 2
#define HL_SCALE	1000000ull	/* avg: 1/10^6 s per packet */

struct hl_key {
	uint32_t src, dst;		/* network order, masked */
	uint16_t sport, dport;
};

struct hl_ent {
	struct hl_key key;
	uint32_t next;			/* hash chain */
	uint32_t newer, older;		/* the list by last use */
	uint64_t seen_ns;		/* last packet: its expiry counts from */
	uint64_t fill_ns;		/* bucket: refilled up to; window start */
	uint64_t credit;		/* bucket; rate-match: this window's count */
	bool over;			/* rate-match: the last window was over */
};

struct hl_table {
	struct hl_table *next;		/* the registry's list */
	char name[IPT_COMMENT_MAX];
	uint32_t refs;			/* compiled rules naming it */
	pthread_mutex_t lock;
	uint64_t seed;
	uint32_t nbuckets;		/* a power of two */
	uint32_t max;
	uint64_t expire_ns;
	uint32_t *bucket;
	struct hl_ent *ent;
	uint32_t used;			/* entries handed out so far */
	uint32_t free;			/* expired entries, by @next */
	uint32_t newest, oldest;	/* the list by last use */
	uint64_t evicted;
};

static pthread_mutex_t hl_registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hl_table *hl_registry;

/* ---- the registry --------------------------------------------------------- */

static uint32_t pow2_at_least(uint32_t n)
{
	uint32_t p = HL_MIN_SIZE;

	while (p < n && p < (1u << 30))
		p <<= 1;
	return p;
}

static void hl_table_free(struct hl_table *t)
{
	if (!t)
		return;
	pthread_mutex_destroy(&t->lock);
	free(t->bucket);
	free(t->ent);
	free(t);
}

/* A new table for @m's options, as the kernel sizes one */
static struct hl_table *hl_table_new(const char *name,
				     const struct ipt_match *m)
{
	uint32_t size = m->u.hl.size ? m->u.hl.size : HL_DEFAULT_SIZE;
	struct hl_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	snprintf(t->name, sizeof(t->name), "%s", name);
	size = size < HL_MIN_SIZE ? HL_MIN_SIZE : size;
	t->max = m->u.hl.max ? m->u.hl.max : 8 * size;
	t->nbuckets = pow2_at_least(size);
	t->expire_ns = (uint64_t)m->u.hl.expire * 1000000ull;
	t->bucket = malloc(sizeof(*t->bucket) * t->nbuckets);
	t->ent = calloc(t->max, sizeof(*t->ent));
	if (getrandom(&t->seed, sizeof(t->seed), GRND_NONBLOCK) !=
	    sizeof(t->seed))
		t->seed = (uint64_t)(uintptr_t)t * 0x9e3779b97f4a7c15ull;
	if (!t->bucket || !t->ent || pthread_mutex_init(&t->lock, NULL)) {
		free(t->bucket);
		free(t->ent);
		free(t);
		return NULL;
	}
	memset(t->bucket, 0xff, sizeof(*t->bucket) * t->nbuckets);
	t->newest = t->oldest = t->free = HL_NONE;
	return t;
}

/**
 * fwm_hashlimit_get() - The table a hashlimit match names, made if new
 * @name:	--hashlimit-name
 * @m:		the match (its htable options size a new table)
 *
 * Compile time only. Return: the table, with a reference, or NULL (out
 * of memory)
 */
struct hl_table *fwm_hashlimit_get(const char *name, const struct ipt_match *m)
{
	struct hl_table *t;

	pthread_mutex_lock(&hl_registry_lock);
	for (t = hl_registry; t; t = t->next)
		if (!strcmp(t->name, name))
			break;
	if (!t) {
		t = hl_table_new(name, m);
		if (t) {
			t->next = hl_registry;
			hl_registry = t;
		}
	}
	if (t)
		t->refs++;
	pthread_mutex_unlock(&hl_registry_lock);
	return t;
}

/**
 * fwm_hashlimit_put() - Give back a reference; the last one frees it
 * @t:		from fwm_hashlimit_get(), or NULL
 */
void fwm_hashlimit_put(struct hl_table *t)
{
	struct hl_table **pp;

	if (!t)
		return;
	pthread_mutex_lock(&hl_registry_lock);
	if (--t->refs) {
		pthread_mutex_unlock(&hl_registry_lock);
		return;
	}
	for (pp = &hl_registry; *pp != t; pp = &(*pp)->next)
		;
	*pp = t->next;
	pthread_mutex_unlock(&hl_registry_lock);
	hl_table_free(t);
}

/* ---- the table ------------------------------------------------------------- */

static uint32_t hl_hash(const struct hl_table *t, const struct hl_key *k)
{
	uint64_t h = ((uint64_t)k->src << 32 | k->dst) ^ t->seed;

	h ^= (uint64_t)k->sport << 16 | k->dport;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	return (uint32_t)h & (t->nbuckets - 1);
}

static void lru_unlink(struct hl_table *t, uint32_t i)
{
	struct hl_ent *e = &t->ent[i];

	if (e->newer != HL_NONE)
		t->ent[e->newer].older = e->older;
	else
		t->newest = e->older;
	if (e->older != HL_NONE)
		t->ent[e->older].newer = e->newer;
	else
		t->oldest = e->newer;
}

static void lru_push_newest(struct hl_table *t, uint32_t i)
{
	struct hl_ent *e = &t->ent[i];

	e->newer = HL_NONE;
	e->older = t->newest;
	if (t->newest != HL_NONE)
		t->ent[t->newest].newer = i;
	t->newest = i;
	if (t->oldest == HL_NONE)
		t->oldest = i;
}

/* Take entry @i out of its hash chain and the list: it is free again */
static void hl_unhash(struct hl_table *t, uint32_t i)
{
	uint32_t *pp = &t->bucket[hl_hash(t, &t->ent[i].key)];

	while (*pp != i)
		pp = &t->ent[*pp].next;
	*pp = t->ent[i].next;
	lru_unlink(t, i);
}

static bool hl_expired(const struct hl_table *t, uint32_t i, uint64_t now)
{
	return now > t->ent[i].seen_ns &&
	       now - t->ent[i].seen_ns > t->expire_ns;
}

/* Expired entry @i leaves its chain and the list for the free list */
static void hl_release(struct hl_table *t, uint32_t i)
{
	hl_unhash(t, i);
	t->ent[i].next = t->free;
	t->free = i;
}

/*
 * An entry for a new key: a freed one, a never used one, else the one
 * used least recently (expired or not: evicted). Its fields are the
 * caller's to set.
 */
static uint32_t hl_take(struct hl_table *t)
{
	uint32_t i = t->free;

	if (i != HL_NONE) {
		t->free = t->ent[i].next;
		return i;
	}
	if (t->used < t->max)
		return t->used++;
	i = t->oldest;
	hl_unhash(t, i);
	t->evicted++;
	return i;
}

static uint32_t hl_find(struct hl_table *t, const struct hl_key *k,
			uint32_t b)
{
	for (uint32_t i = t->bucket[b]; i != HL_NONE; i = t->ent[i].next)
		if (!memcmp(&t->ent[i].key, k, sizeof(*k)))
			return i;
	return HL_NONE;
}

/*
 * The entry of @k, found or made (new: @fresh), moved to the new end of
 * the list; first up to HL_EXPIRE_PER_LOOKUP expired ones are freed
 */
static uint32_t hl_lookup(struct hl_table *t, const struct hl_key *k,
			  uint64_t now, bool *fresh)
{
	uint32_t b = hl_hash(t, k), i;

	for (int n = 0; n < HL_EXPIRE_PER_LOOKUP && t->oldest != HL_NONE &&
			hl_expired(t, t->oldest, now); n++)
		hl_release(t, t->oldest);
	i = hl_find(t, k, b);
	*fresh = i == HL_NONE;
	if (*fresh) {
		i = hl_take(t);
		memset(&t->ent[i], 0, sizeof(t->ent[i]));
		t->ent[i].key = *k;
		t->ent[i].next = t->bucket[b];
		t->bucket[b] = i;
	} else {
		lru_unlink(t, i);
	}
	lru_push_newest(t, i);
	t->ent[i].seen_ns = now;
	return i;
}

/* ---- the match ------------------------------------------------------------- */

static uint64_t since(uint64_t now, uint64_t then)
{
	return now > then ? now - then : 0;
}

/* The byte rate of a cost, as iptables lists it (m_hashlimit.c) */
static uint64_t hl_byte_rate(uint64_t cost)
{
	uint64_t r = cost ? 0xffffffffull / cost : 0xffffffffull;

	return r > 1 ? (r - 1) << 4 : 16;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	unsigned __int128 p = (unsigned __int128)a * b;

	return p > UINT64_MAX ? UINT64_MAX : (uint64_t)p;
}

/*
 * A token bucket of time: credit in ns of the rate (a packet costs its
 * share of a second), at most the burst's worth, refilled by the clock
 */
static bool hl_bucket(struct hl_ent *h, const struct ipt_match *m,
		      uint64_t len, uint64_t now, bool fresh)
{
	bool bytes = m->u.hl.mode & IPT_HL_BYTES;
	uint64_t rate = bytes ? hl_byte_rate(m->u.hl.avg) : 0;
	uint64_t cost = bytes ? sat_mul(len, 1000000000ull) / rate :
				sat_mul(m->u.hl.avg, 1000);
	uint64_t cap = bytes ? sat_mul(m->u.hl.burst ? m->u.hl.burst : 1,
				       1000000000ull) :
			       sat_mul(cost, m->u.hl.burst);

	if (fresh)
		h->credit = cap;
	else
		h->credit = h->credit + since(now, h->fill_ns) > cap ? cap :
			    h->credit + since(now, h->fill_ns);
	h->fill_ns = now > h->fill_ns ? now : h->fill_ns;
	if (h->credit < cost)
		return false;
	h->credit -= cost;
	return true;
}

/*
 * --hashlimit-rate-match: count this window; when it ends, remember
 * whether it went over the rate (count x interval > elapsed x rate)
 */
static bool hl_window(struct hl_ent *h, const struct ipt_match *m,
		      uint64_t len, uint64_t now, bool fresh)
{
	bool bytes = m->u.hl.mode & IPT_HL_BYTES;
	uint64_t window = sat_mul(m->u.hl.interval ? m->u.hl.interval : 1,
				  1000000000ull);
	uint64_t rate = bytes ? hl_byte_rate(m->u.hl.avg) :
				HL_SCALE / (m->u.hl.avg ? m->u.hl.avg : 1);
	uint64_t limit = bytes ? sat_mul(rate, window / 1000000000ull) :
				 m->u.hl.burst;
	uint64_t d = since(now, h->fill_ns);

	if (fresh) {
		h->fill_ns = now;
	} else if (d >= window) {
		h->over = sat_mul(h->credit, window) > sat_mul(d, rate);
		h->credit = 0;
		h->fill_ns = now;
	}
	h->credit += bytes ? len : 1;
	return !h->over && h->credit <= limit;
}

static uint32_t plen_mask(uint8_t plen)
{
	return plen >= 32 ? 0xffffffffu : plen ? htonl(~0u << (32 - plen)) : 0;
}

/* The key --hashlimit-mode and the masks make of a packet */
static void hl_key_of(struct hl_key *k, const struct ipt_match *m,
		      const struct fw_pkt *fp)
{
	uint8_t mode = m->u.hl.mode;
	bool ports = fp->p->has_ports && fp->p->proto != IPPROTO_ICMP_;

	memset(k, 0, sizeof(*k));
	if (mode & IPT_HL_SRCIP)
		k->src = fp->saddr & plen_mask(m->u.hl.srcmask);
	if (mode & IPT_HL_DSTIP)
		k->dst = fp->daddr & plen_mask(m->u.hl.dstmask);
	if ((mode & IPT_HL_SRCPORT) && ports)
		k->sport = fp->sport;
	if ((mode & IPT_HL_DSTPORT) && ports)
		k->dport = fp->dport;
}

/**
 * fwm_hashlimit() - Does a packet match a hashlimit match?
 * @e:		engine (its clock)
 * @t:		the table the match names (fwm_hashlimit_get())
 * @m:		the match
 * @fp:		the packet
 *
 * Return: within the rate for --hashlimit-upto, over it for -above
 */
bool fwm_hashlimit(struct masq_engine *e, struct hl_table *t,
		   const struct ipt_match *m, const struct fw_pkt *fp)
{
	uint64_t len = ntohs(fp->p->ip->tot_len);
	struct hl_key k;
	bool fresh, within;
	uint32_t i;

	if (!t)
		return false;
	hl_key_of(&k, m, fp);
	pthread_mutex_lock(&t->lock);
	i = hl_lookup(t, &k, e->now_ns, &fresh);
	if (m->u.hl.mode & IPT_HL_RATEMATCH)
		within = hl_window(&t->ent[i], m, len, e->now_ns, fresh);
	else
		within = hl_bucket(&t->ent[i], m, len, e->now_ns, fresh);
	pthread_mutex_unlock(&t->lock);
	return within != !!(m->u.hl.mode & IPT_HL_ABOVE);
}
