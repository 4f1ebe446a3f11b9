// SPDX-License-Identifier: MIT
/*
 * recent.c - -m recent's lists: addresses and when each was last seen
 *
 * Theory of operation. A registry holds the lists by name, and every
 * engine of one process holds the same registry (recent.h), so a list
 * sees the packets of every worker, as xt_recent's lists see every CPU's.
 * A list is made when a compiled ruleset first names it (fw_compile(),
 * off the packet path) with all its memory: @cap entries (the kernel's
 * ip_list_tot, RECENT_LIST_TOT unless masqd's --recent-list-tot says
 * otherwise), each with a ring of @nstamps arrival times, a hash of
 * entry indices and a least-recently-used order. A packet never
 * allocates: a new address takes a free entry, or the least recently
 * seen one's when the list is full (the oldest evicted first, as the
 * kernel does), so a flood of spoofed sources costs a list nothing but
 * its own old entries, and the hash is keyed (a random seed) so chains
 * stay short whatever sources an attacker picks.
 *
 * The match follows xt_recent (Linux 6.x) step for step: the address
 * (source or destination, under the list's mask: the mask of the rule
 * that made the list, as the kernel keeps it), --rttl's TTL test, --set
 * adding or refreshing, --remove forgetting, --rcheck and --update
 * counting the stamps within --seconds up to --hitcount, --update
 * stamping the entry again only when the match (negation included) is
 * true, --reap dropping the oldest entry when all its stamps are too
 * old. Stamps are the engine's clock in milliseconds. An address keeps
 * RECENT_STAMPS_DEFAULT stamps, or the largest --hitcount of the rules
 * naming its list rounded up to a power of two; a rule asking more than
 * the list keeps flushes it as it grows, as the kernel does.
 *
 * Locks. Each list has a spin lock (C11 atomic_flag) held for one
 * packet's match or one control command: the workers' threads, the
 * control thread (masqctl recent) and a ruleset job's compile may touch
 * a list at once. The registry has one for its chain of lists and their
 * reference counts, taken only off the packet path. A match costs one
 * uncontended lock, a hash probe and a walk of at most @nstamps stamps.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipt/ipt.h"
#include "masq/engine.h"
#include "recent.h"

#define NONE	UINT32_MAX

struct recent_entry {
	uint32_t addr;			/* network order, masked */
	uint32_t hnext;			/* hash chain, or the free list */
	uint32_t older, newer;		/* the LRU order */
	uint16_t index;			/* the next stamp's slot + 1 (1..) */
	uint16_t nstamps;		/* stamps written, up to the ring */
	uint8_t ttl;
};

struct recent_list {
	struct recent_list *next;	/* the registry's chain */
	char name[IPT_RECENT_NAME_LEN];
	uint32_t refs;			/* compiled rules naming it */
	uint32_t mask;			/* network order */
	uint64_t seed;			/* keys the hash: the registry's */
	atomic_flag lock;
	uint32_t cap, used, nbuckets;
	uint32_t nstamps;		/* a power of two */
	uint32_t oldest, newest, free;	/* entry indices, or NONE */
	uint32_t *bucket;
	struct recent_entry *ent;
	uint64_t *stamps;		/* cap x nstamps, ms */
};

struct recent_reg {
	atomic_uint refs;		/* engines and compiled rulesets */
	atomic_flag lock;
	uint32_t cap;			/* entries per new list */
	uint64_t seed;
	struct recent_list *lists;
};

static void spin_lock(atomic_flag *f)
{
	while (atomic_flag_test_and_set_explicit(f, memory_order_acquire))
		;
}

static void spin_unlock(atomic_flag *f)
{
	atomic_flag_clear_explicit(f, memory_order_release);
}

/* ---- the registry ---------------------------------------------------------- */

/**
 * recent_reg_new() - An empty registry, held once
 * @list_tot:	entries each list will keep (1..RECENT_LIST_TOT_MAX)
 * @seed:	keys the lists' hashes
 *
 * Return: the registry, or NULL (out of memory)
 */
struct recent_reg *recent_reg_new(uint32_t list_tot, uint64_t seed)
{
	struct recent_reg *reg = calloc(1, sizeof(*reg));

	if (!reg)
		return NULL;
	atomic_init(&reg->refs, 1);
	atomic_flag_clear(&reg->lock);
	reg->cap = list_tot;
	reg->seed = seed | 1;
	return reg;
}

/**
 * recent_reg_hold() - One more holder of @reg (an engine, a compiled ruleset)
 * @reg:	the registry
 */
void recent_reg_hold(struct recent_reg *reg)
{
	atomic_fetch_add(&reg->refs, 1);
}

/**
 * recent_reg_put() - Let go of @reg; the last holder frees it
 * @reg:	the registry, or NULL (its lists are gone by then: every
 *		compiled ruleset holding one holds @reg too)
 */
void recent_reg_put(struct recent_reg *reg)
{
	if (reg && atomic_fetch_sub(&reg->refs, 1) == 1)
		free(reg);
}

/**
 * recent_reg_set_size() - Entries each list keeps (the kernel's ip_list_tot)
 * @reg:	the registry
 * @list_tot:	entries, 1 to RECENT_LIST_TOT_MAX
 *
 * Return: 0; -EINVAL out of 1..RECENT_LIST_TOT_MAX; -EBUSY when a list
 * exists already (set it before the rules)
 */
int recent_reg_set_size(struct recent_reg *reg, uint32_t list_tot)
{
	int ret = 0;

	if (!list_tot || list_tot > RECENT_LIST_TOT_MAX)
		return -EINVAL;
	spin_lock(&reg->lock);
	if (reg->lists)
		ret = -EBUSY;
	else
		reg->cap = list_tot;
	spin_unlock(&reg->lock);
	return ret;
}

/* ---- a list's memory ------------------------------------------------------- */

static uint32_t pow2_at_least(uint32_t n)
{
	uint32_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

/* The stamps an address keeps for rules asking @hitcount hits */
static uint32_t stamps_for(uint32_t hitcount)
{
	return hitcount ? pow2_at_least(hitcount) : RECENT_STAMPS_DEFAULT;
}

/* Every entry free, in one free list (the list's lock held or unshared) */
static void list_flush(struct recent_list *l)
{
	for (uint32_t b = 0; b < l->nbuckets; b++)
		l->bucket[b] = NONE;
	for (uint32_t i = 0; i < l->cap; i++)
		l->ent[i].hnext = i + 1 < l->cap ? i + 1 : NONE;
	l->free = 0;
	l->oldest = l->newest = NONE;
	l->used = 0;
}

static void list_free(struct recent_list *l)
{
	if (!l)
		return;
	free(l->bucket);
	free(l->ent);
	free(l->stamps);
	free(l);
}

static struct recent_list *list_new(const struct recent_reg *reg,
				    const char *name, uint32_t mask,
				    uint32_t nstamps)
{
	struct recent_list *l = calloc(1, sizeof(*l));
	uint32_t cap = reg->cap;

	if (!l)
		return NULL;
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->seed = reg->seed;
	atomic_flag_clear(&l->lock);
	l->cap = cap;
	l->mask = mask;
	l->nstamps = nstamps;
	l->nbuckets = pow2_at_least(cap);
	l->bucket = calloc(l->nbuckets, sizeof(*l->bucket));
	l->ent = calloc(cap, sizeof(*l->ent));
	l->stamps = calloc((size_t)cap * nstamps, sizeof(*l->stamps));
	if (!l->bucket || !l->ent || !l->stamps) {
		list_free(l);
		return NULL;
	}
	list_flush(l);
	return l;
}

static struct recent_list *list_find(struct recent_reg *reg, const char *name)
{
	struct recent_list *l;

	for (l = reg->lists; l && strcmp(l->name, name); l = l->next)
		;
	return l;
}

/*
 * A rule wants @nstamps stamps an address where @l keeps fewer: a ring
 * of the new size, the list flushed (the kernel flushes too). The new
 * ring is made before the lock and the old one freed after it.
 */
static int list_grow(struct recent_list *l, uint32_t nstamps)
{
	uint64_t *ring, *old;
	bool grow;

	spin_lock(&l->lock);
	grow = nstamps > l->nstamps;
	spin_unlock(&l->lock);
	if (!grow)
		return 0;
	ring = calloc((size_t)l->cap * nstamps, sizeof(*ring));
	if (!ring)
		return -ENOMEM;
	spin_lock(&l->lock);
	old = ring;
	if (nstamps > l->nstamps) {	/* not grown meanwhile */
		old = l->stamps;
		l->stamps = ring;
		l->nstamps = nstamps;
		list_flush(l);
	}
	spin_unlock(&l->lock);
	free(old);
	return 0;
}

/**
 * recent_list_get() - The list @name, made when no rule named it yet
 * @reg:	the registry
 * @name:	its name
 * @mask:	the rule's --mask (host order): the list's when it is made
 * @hitcount:	the rule's --hitcount: the list keeps at least as many
 *		stamps an address
 *
 * Off the packet path (fw_compile()). Return: the list, its reference
 * taken, or NULL (out of memory)
 */
struct recent_list *recent_list_get(struct recent_reg *reg, const char *name,
				    uint32_t mask, uint32_t hitcount)
{
	uint32_t want = stamps_for(hitcount);
	struct recent_list *made = NULL, *l;

	for (;;) {		/* made outside the lock, at most once */
		spin_lock(&reg->lock);
		l = list_find(reg, name);
		if (!l && made) {
			l = made;
			made = NULL;
			l->next = reg->lists;
			reg->lists = l;
		}
		if (l)
			l->refs++;
		spin_unlock(&reg->lock);
		if (l)
			break;
		made = list_new(reg, name, htonl(mask), want);
		if (!made)
			return NULL;
	}
	list_free(made);	/* another thread made it meanwhile */
	if (list_grow(l, want)) {
		recent_list_put(reg, l);
		return NULL;
	}
	return l;
}

/**
 * recent_list_put() - Give back a reference recent_list_get() took
 * @reg:	the registry the list is in
 * @l:		the list, or NULL; the last reference frees it (with its
 *		entries: no rule names it any more, as the kernel drops it)
 */
void recent_list_put(struct recent_reg *reg, struct recent_list *l)
{
	struct recent_list **pp;
	bool last;

	if (!l)
		return;
	spin_lock(&reg->lock);
	last = !--l->refs;
	for (pp = &reg->lists; last && *pp; pp = &(*pp)->next)
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	spin_unlock(&reg->lock);
	if (last)
		list_free(l);
}

/* ---- entries (the list's lock held) -------------------------------------- */

static uint32_t bucket_of(const struct recent_list *l, uint32_t addr)
{
	uint64_t h = ((uint64_t)addr ^ l->seed) * 0x9e3779b97f4a7c15ull;

	return (uint32_t)(h >> 32) & (l->nbuckets - 1);
}

/* The entry of @addr (@ttl 0: any; else as xt_recent, either's 0 or equal) */
static uint32_t entry_find(const struct recent_list *l, uint32_t addr,
			   uint8_t ttl)
{
	uint32_t i = l->bucket[bucket_of(l, addr)];

	for (; i != NONE; i = l->ent[i].hnext) {
		const struct recent_entry *en = &l->ent[i];

		if (en->addr == addr &&
		    (!ttl || !en->ttl || en->ttl == ttl))
			return i;
	}
	return NONE;
}

static void lru_unlink(struct recent_list *l, uint32_t i)
{
	struct recent_entry *en = &l->ent[i];

	if (en->older != NONE)
		l->ent[en->older].newer = en->newer;
	else
		l->oldest = en->newer;
	if (en->newer != NONE)
		l->ent[en->newer].older = en->older;
	else
		l->newest = en->older;
}

static void lru_append(struct recent_list *l, uint32_t i)
{
	l->ent[i].older = l->newest;
	l->ent[i].newer = NONE;
	if (l->newest != NONE)
		l->ent[l->newest].newer = i;
	else
		l->oldest = i;
	l->newest = i;
}

static void entry_remove(struct recent_list *l, uint32_t i)
{
	uint32_t *pp = &l->bucket[bucket_of(l, l->ent[i].addr)];

	while (*pp != i)
		pp = &l->ent[*pp].hnext;
	*pp = l->ent[i].hnext;
	lru_unlink(l, i);
	l->ent[i].hnext = l->free;
	l->free = i;
	l->used--;
}

/* Stamp entry @i now and make it the newest (recent_entry_update()) */
static void entry_stamp(struct recent_list *l, uint32_t i, uint64_t now_ms)
{
	struct recent_entry *en = &l->ent[i];

	en->index &= (uint16_t)(l->nstamps - 1);
	l->stamps[(size_t)i * l->nstamps + en->index++] = now_ms;
	if (en->index > en->nstamps)
		en->nstamps = en->index;
	lru_unlink(l, i);
	lru_append(l, i);
}

/* A new entry for @addr, the oldest evicted when the list is full */
static uint32_t entry_add(struct recent_list *l, uint32_t addr, uint8_t ttl,
			  uint64_t now_ms)
{
	uint32_t i, b;

	if (l->free == NONE)
		entry_remove(l, l->oldest);
	i = l->free;
	l->free = l->ent[i].hnext;
	b = bucket_of(l, addr);
	l->ent[i] = (struct recent_entry){ .addr = addr, .hnext = l->bucket[b],
					   .ttl = ttl, .index = 1,
					   .nstamps = 1 };
	l->bucket[b] = i;
	l->stamps[(size_t)i * l->nstamps] = now_ms;
	lru_append(l, i);
	l->used++;
	return i;
}

static uint64_t last_stamp(const struct recent_list *l, uint32_t i)
{
	const struct recent_entry *en = &l->ent[i];

	return l->stamps[(size_t)i * l->nstamps +
			 ((en->index - 1u) & (l->nstamps - 1))];
}

/*
 * --rcheck/--update's count: are there @hitcount stamps (any one when 0)
 * no older than @since (0: no --seconds)?
 */
static bool entry_hits(const struct recent_list *l, uint32_t i,
		       uint32_t hitcount, uint64_t since)
{
	const uint64_t *st = &l->stamps[(size_t)i * l->nstamps];
	uint32_t hits = 0;

	for (uint32_t k = 0; k < l->ent[i].nstamps; k++) {
		if (st[k] < since)
			continue;
		if (!hitcount || ++hits >= hitcount)
			return true;
	}
	return false;
}

/* --reap: the oldest entry goes when its newest stamp is before @since */
static void list_reap(struct recent_list *l, uint64_t since, uint32_t working,
		      bool update)
{
	uint32_t i = l->oldest;

	if (i == NONE || (i == working && update))
		return;
	if (last_stamp(l, i) < since)
		entry_remove(l, i);
}

/* ---- the match -------------------------------------------------------------- */

/* The arrival time window --seconds opens (0: none) */
static uint64_t window_start(uint32_t seconds, uint64_t now_ms)
{
	uint64_t w = (uint64_t)seconds * 1000;

	return !seconds || w > now_ms ? 0 : now_ms - w;
}

/* --rcheck, --update: the count, then --reap; Return: hits enough */
static bool check_locked(struct recent_list *l, const struct ipt_match *m,
			 uint32_t i, bool inv, uint64_t now_ms)
{
	uint64_t since = window_start(m->u.recent.seconds, now_ms);
	bool ret = entry_hits(l, i, m->u.recent.hitcount, since) != inv;

	if (m->u.recent.flags & IPT_RECENT_REAP)	/* spares @i if stamped */
		list_reap(l, since, i,
			  (m->u.recent.flags & IPT_RECENT_UPDATE) && ret);
	return ret;
}

static bool match_locked(struct recent_list *l, const struct ipt_match *m,
			 uint32_t addr, uint8_t ttl, uint64_t now_ms)
{
	uint8_t f = m->u.recent.flags;
	bool inv = m->inv & IPT_F_VALUE, ret;
	uint32_t i;

	addr &= l->mask;
	i = entry_find(l, addr, (f & IPT_RECENT_TTL) ? ttl : 0);
	if (i == NONE) {
		if (!(f & IPT_RECENT_SET))
			return inv;
		entry_add(l, addr, ttl, now_ms);
		return !inv;
	}
	if (f & IPT_RECENT_REMOVE) {
		entry_remove(l, i);
		return !inv;
	}
	ret = f & IPT_RECENT_SET ? !inv : check_locked(l, m, i, inv, now_ms);
	if ((f & IPT_RECENT_SET) || ((f & IPT_RECENT_UPDATE) && ret)) {
		entry_stamp(l, i, now_ms);
		l->ent[i].ttl = ttl;
	}
	return ret;
}

/**
 * recent_list_match() - Does -m recent match @m for this packet?
 * @l:		the list the rule names (its reference held by the ruleset)
 * @m:		the match (its flags, --seconds, --hitcount, !)
 * @addr:	the source or destination address (network order), as the
 *		hook sees it
 * @ttl:	the packet's TTL as it arrived
 * @now_ms:	the engine's clock
 *
 * Changes the list as xt_recent does (see the top of this file).
 * Return: the match's verdict, negation applied
 */
bool recent_list_match(struct recent_list *l, const struct ipt_match *m,
		       uint32_t addr, uint8_t ttl, uint64_t now_ms)
{
	bool ret;

	spin_lock(&l->lock);
	ret = match_locked(l, m, addr, ttl, now_ms);
	spin_unlock(&l->lock);
	return ret;
}

/* ---- masqctl recent ------------------------------------------------------- */

/* One entry as /proc/net/xt_recent/NAME prints it (stamps in ms) */
static void entry_print(const struct recent_list *l, uint32_t i,
			struct masq_text *out)
{
	const struct recent_entry *en = &l->ent[i];
	const uint64_t *st = &l->stamps[(size_t)i * l->nstamps];
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &en->addr, a, sizeof(a));
	masq_text_printf(out, "src=%s ttl: %u last_seen: %llu oldest_pkt: %u",
			 a, en->ttl, (unsigned long long)last_stamp(l, i),
			 en->index);
	for (uint32_t k = 0; k < en->nstamps; k++)
		masq_text_printf(out, "%s %llu", k ? "," : "",
				 (unsigned long long)st[k]);
	masq_text_printf(out, "\n");
}

/* The entries, oldest first */
static void list_print(struct recent_list *l, struct masq_text *out)
{
	spin_lock(&l->lock);
	for (uint32_t i = l->oldest; i != NONE; i = l->ent[i].newer)
		entry_print(l, i, out);
	spin_unlock(&l->lock);
}

/*
 * "+ADDR" adds ADDR (or stamps it again), "-ADDR" forgets it, "/" forgets
 * all, as a write to /proc/net/xt_recent/NAME does: the address as
 * written (the list's mask is not applied, as the kernel's is not), TTL 0.
 * Return: 0, or -EINVAL for anything else
 */
static int list_write(struct recent_list *l, const char *w, uint64_t now_ms)
{
	struct in_addr a;
	uint32_t i;

	if (!strcmp(w, "/")) {
		spin_lock(&l->lock);
		list_flush(l);
		spin_unlock(&l->lock);
		return 0;
	}
	if ((w[0] != '+' && w[0] != '-') || inet_pton(AF_INET, w + 1, &a) != 1)
		return -EINVAL;
	spin_lock(&l->lock);
	i = entry_find(l, a.s_addr, 0);
	if (w[0] == '-' && i != NONE)
		entry_remove(l, i);
	else if (w[0] == '+' && i != NONE)
		entry_stamp(l, i, now_ms);
	else if (w[0] == '+')
		entry_add(l, a.s_addr, 0, now_ms);
	spin_unlock(&l->lock);
	return 0;
}

/* recent with no name: the lists, one a line, as ls /proc/net/xt_recent */
static void lists_print(struct recent_reg *reg, struct masq_text *out)
{
	spin_lock(&reg->lock);
	for (struct recent_list *l = reg->lists; l; l = l->next)
		masq_text_printf(out, "%s\n", l->name);
	spin_unlock(&reg->lock);
}

/**
 * recent_ctl() - masqctl recent [NAME [+ADDR|-ADDR|/]]
 * @reg:	the registry
 * @argc, @argv:	the words, "recent" first
 * @out:	the entries, the lists, or why not
 * @now_ms:	the clock a written address is stamped with
 *
 * The list is held (a reference) while it is read or written, so a
 * ruleset swap on another thread cannot free it meanwhile.
 * Return: 0; 1 for an unknown list or a bad write; 2 for bad usage
 */
int recent_ctl(struct recent_reg *reg, int argc, char *const *argv,
	       uint64_t now_ms, struct masq_text *out)
{
	struct recent_list *l;
	int ret = 0;

	if (argc > 3) {
		masq_text_printf(out, "usage: recent [NAME [+ADDR|-ADDR|/]]\n");
		return 2;
	}
	if (argc == 1) {
		lists_print(reg, out);
		return 0;
	}
	spin_lock(&reg->lock);
	l = list_find(reg, argv[1]);
	if (l)
		l->refs++;
	spin_unlock(&reg->lock);
	if (!l) {
		masq_text_printf(out, "recent: no list '%.200s' (a list is "
				 "there while a rule names it; `masqctl "
				 "recent` names them)\n", argv[1]);
		return 1;
	}
	if (argc == 2)
		list_print(l, out);
	else if (list_write(l, argv[2], now_ms))
		ret = 1;
	if (ret)
		masq_text_printf(out, "recent: %s: need +ADDR, -ADDR or / (an "
				 "IPv4 address), not '%.60s'\n", argv[1],
				 argv[2]);
	recent_list_put(reg, l);
	return ret;
}
