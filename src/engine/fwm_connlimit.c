// SPDX-License-Identifier: MIT
/*
 * fwm_connlimit.c - -m connlimit on packets: live connections per address
 *
 * Theory of operation. The match asks how many connections the packet's
 * source (--connlimit-saddr) or destination (--connlimit-daddr) address,
 * masked by --connlimit-mask, has open now, counting the packet's own
 * connection: a first packet (no connection yet) adds one. As the
 * kernel's, what counts is the connections whose first packet met a
 * connlimit match (with that mask and side), over every engine of the
 * process (masqd --workers N: a host's connections land on different
 * workers): the match notes the first packet (cl_note_first()); if the
 * walk lets the connection be made, conn.c's fwm_connlimit_on_new()
 * counts it under the noted (mask, side) pairs; it stops counting when
 * it ends: released, or a TCP connection closed (TIME_WAIT, CLOSE), as
 * the kernel's connlimit skips those (fwm_connlimit_on_end()). A refused
 * first packet opens nothing and counts nothing.
 *
 * The counts are one table shared by the process: a count per (address
 * masked, mask, side). Each connection remembers which pairs counted it,
 * two bit sets in a side array of its engine (16 bytes per connection
 * the engine can hold, made when the engine first compiles a connlimit
 * rule), so what it gives back at its end is exactly what it took.
 * A connection restored from a snapshot (masqd's restart that keeps its
 * table) counts nothing: it met no rule of this process.
 *
 * Differences from the kernel, which keeps a list per rule: rules with
 * the same mask and side share their counts (two rules "--connlimit-mask
 * 32" count the connections either saw); the address a connection
 * counts under is its opener's source, and its destination after DNAT;
 * and only a connection's first packet enrols it (the kernel's rule
 * enrols a connection whose later packet it sees, too).
 *
 * Memory: the shared table holds CL_SLOTS counts (open addressing, 16
 * bytes each: 1 MiB), made at the first compile that wants one. When it
 * is full, a new (address, mask) is not counted (fail open, counted in
 * cl_unrecorded): the hosts counted already stay limited. Counts of zero
 * leave the table, so a flood's keys go when its connections do.
 * Concurrency: one mutex around the table, taken once per new and per
 * ended connection while a mask is wanted, and per lookup; nothing at
 * all while none is (one relaxed load).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "eng.h"
#include "fw.h"

#define CL_SLOTS_LOG2	16
#define CL_SLOTS	(1u << CL_SLOTS_LOG2)
#define CL_FULL		(CL_SLOTS / 8 * 7)	/* load bound of the probing */
#define CL_PLENS	33			/* /0 to /32 */

/* One count: key 0 is an empty slot (a key always has bit 63 set) */
struct cl_slot {
	uint64_t key;
	uint64_t count;
};

/* A connection's share: bit plen of @side[daddr] set: counted under it */
struct cl_conn {
	uint64_t side[2];
};

/*
 * The first packet of a connection that met connlimit matches: who opens
 * it, and the (mask, side) pairs of those matches. The connection it
 * opens, if the walk lets it, is counted under them (on_new).
 */
struct cl_pending {
	uint32_t src;			/* network order */
	uint16_t sport;
	uint8_t proto;
	bool set;
	struct cl_conn share;
};

/* Per engine: its connections' shares, by connection index */
struct cl_engine {
	struct cl_conn *conn;
	uint32_t n;
	struct cl_pending pend;
};

static pthread_mutex_t cl_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cl_slot *cl_table;
static uint32_t cl_used;
static uint32_t cl_want[2][CL_PLENS];	/* compiled matches wanting each */
static uint64_t cl_wanted[2];		/* the same, as bit sets */
static uint64_t cl_unrecorded;		/* counts the full table refused */

static uint64_t cl_key(bool daddr, uint8_t plen, uint32_t addr)
{
	uint32_t mask = plen >= 32 ? 0xffffffffu :
			plen ? htonl(~0u << (32 - plen)) : 0;

	return 1ull << 63 | (uint64_t)daddr << 40 | (uint64_t)plen << 32 |
	       (addr & mask);
}

static uint32_t cl_home(uint64_t key)
{
	key *= 0x9e3779b97f4a7c15ull;
	return (uint32_t)(key >> (64 - CL_SLOTS_LOG2));
}

/* The slot of @key, or of the empty slot where it would go */
static uint32_t cl_probe(uint64_t key)
{
	uint32_t i = cl_home(key);

	while (cl_table[i].key && cl_table[i].key != key)
		i = (i + 1) & (CL_SLOTS - 1);
	return i;
}

/* Empty slot @i, moving back the entries its probe sequences cross */
static void cl_remove_at(uint32_t i)
{
	uint32_t j = i;

	cl_table[i].key = 0;
	cl_used--;
	for (;;) {
		uint32_t h;

		j = (j + 1) & (CL_SLOTS - 1);
		if (!cl_table[j].key)
			return;
		h = cl_home(cl_table[j].key);
		/* stays when its home lies cyclically in (i, j] */
		if (i <= j ? (i < h && h <= j) : (i < h || h <= j))
			continue;
		cl_table[i] = cl_table[j];
		cl_table[j].key = 0;
		i = j;
	}
}

/* Add one to @key's count; false when the table has no room for it */
static bool cl_inc(uint64_t key)
{
	uint32_t i = cl_probe(key);

	if (!cl_table[i].key) {
		if (cl_used >= CL_FULL) {
			cl_unrecorded++;
			return false;
		}
		cl_table[i].key = key;
		cl_table[i].count = 0;
		cl_used++;
	}
	cl_table[i].count++;
	return true;
}

static void cl_dec(uint64_t key)
{
	uint32_t i = cl_probe(key);

	if (!cl_table[i].key)
		return;
	if (!--cl_table[i].count)
		cl_remove_at(i);
}

/* ---- compile time ------------------------------------------------------------ */

/**
 * fwm_connlimit_want() - A compiled connlimit match: count its mask
 * @e:		the engine compiling it (its connections get a share array)
 * @m:		the match
 *
 * Return: 0, or -1 (out of memory)
 */
int fwm_connlimit_want(struct masq_engine *e, const struct ipt_match *m)
{
	struct cl_engine *ce = __atomic_load_n(&e->cl, __ATOMIC_ACQUIRE);
	int ret = 0;

	if (!ce) {
		ce = calloc(1, sizeof(*ce));
		if (ce)
			ce->conn = calloc(e->ct.max ? e->ct.max : 1,
					  sizeof(*ce->conn));
		if (!ce || !ce->conn) {
			free(ce);
			return -1;
		}
		ce->n = e->ct.max;
		/* the packet thread reads it: published whole */
		__atomic_store_n(&e->cl, ce, __ATOMIC_RELEASE);
	}
	pthread_mutex_lock(&cl_lock);
	if (!cl_table)
		cl_table = calloc(CL_SLOTS, sizeof(*cl_table));
	if (!cl_table) {
		ret = -1;
	} else {
		cl_want[m->u.cl.daddr][m->u.cl.plen]++;
		cl_wanted[m->u.cl.daddr] |= 1ull << m->u.cl.plen;
	}
	pthread_mutex_unlock(&cl_lock);
	return ret;
}

/**
 * fwm_connlimit_unwant() - A compiled connlimit match is freed
 * @m:		as given to fwm_connlimit_want() (which succeeded)
 */
void fwm_connlimit_unwant(const struct ipt_match *m)
{
	pthread_mutex_lock(&cl_lock);
	if (cl_want[m->u.cl.daddr][m->u.cl.plen] &&
	    !--cl_want[m->u.cl.daddr][m->u.cl.plen])
		cl_wanted[m->u.cl.daddr] &= ~(1ull << m->u.cl.plen);
	pthread_mutex_unlock(&cl_lock);
}

/**
 * fwm_connlimit_fini() - Free an engine's shares (its connections gone)
 * @e:		engine being destroyed
 */
void fwm_connlimit_fini(struct masq_engine *e)
{
	struct cl_engine *ce = e->cl;

	if (!ce)
		return;
	for (uint32_t i = 0; i < ce->n; i++)
		if (ce->conn[i].side[0] | ce->conn[i].side[1])
			fwm_connlimit_on_end(e, i);
	free(ce->conn);
	free(ce);
	e->cl = NULL;
}

/* ---- connections ------------------------------------------------------------- */

/* The addresses a connection counts under: its opener's source, and its
 * destination after DNAT (network order) */
static void cl_addrs(const struct ct_entry *c, uint32_t addr[2])
{
	bool inbound = c->xflags & CT_X_INBOUND;

	addr[0] = inbound ? c->t[CT_REPLY].src : c->t[CT_ORIG].src;
	addr[1] = inbound ? c->t[CT_ORIG].src : c->t[CT_REPLY].src;
}

/**
 * fwm_connlimit_on_new() - Count a new connection under the masks of the
 *			    connlimit matches its first packet met
 * @e:		engine
 * @idx:	the connection, just made
 */
void fwm_connlimit_on_new(struct masq_engine *e, uint32_t idx)
{
	struct cl_engine *ce = __atomic_load_n(&e->cl, __ATOMIC_ACQUIRE);
	const struct ct_entry *c;
	struct cl_conn *cc;
	uint32_t addr[2];
	uint16_t sport;

	if (!ce || !ce->pend.set || idx >= ce->n)
		return;
	c = &e->ct.e[idx];
	ce->pend.set = false;
	cl_addrs(c, addr);
	sport = c->xflags & CT_X_INBOUND ? c->t[CT_REPLY].sport :
					   c->t[CT_ORIG].sport;
	if (ce->pend.src != addr[0] || ce->pend.sport != sport ||
	    ce->pend.proto != c->proto)
		return;		/* another packet's, which opened nothing */
	cc = &ce->conn[idx];
	pthread_mutex_lock(&cl_lock);
	for (int d = 0; d < 2; d++)
		for (uint64_t w = ce->pend.share.side[d]; w; w &= w - 1) {
			uint8_t plen = (uint8_t)__builtin_ctzll(w);

			if (cl_inc(cl_key(d, plen, addr[d])))
				cc->side[d] |= 1ull << plen;
		}
	pthread_mutex_unlock(&cl_lock);
}

/**
 * fwm_connlimit_on_end() - A connection ends (or a TCP one closed): give
 *			    back what it counted; nothing when it counted
 *			    nothing
 * @e:		engine
 * @idx:	the connection, still in its table
 */
void fwm_connlimit_on_end(struct masq_engine *e, uint32_t idx)
{
	struct cl_engine *ce = e->cl;
	struct cl_conn *cc;
	uint32_t addr[2];

	if (!ce || idx >= ce->n)
		return;
	cc = &ce->conn[idx];
	if (!(cc->side[0] | cc->side[1]))
		return;
	cl_addrs(&e->ct.e[idx], addr);
	pthread_mutex_lock(&cl_lock);
	for (int d = 0; d < 2; d++)
		for (uint64_t w = cc->side[d]; w; w &= w - 1)
			cl_dec(cl_key(d, (uint8_t)__builtin_ctzll(w), addr[d]));
	pthread_mutex_unlock(&cl_lock);
	cc->side[0] = cc->side[1] = 0;
}

/* ---- the match ----------------------------------------------------------------- */

/* A first packet met @m: its connection, once made, counts under it */
static void cl_note_first(struct masq_engine *e, const struct ipt_match *m,
			  const struct fw_pkt *fp)
{
	struct cl_engine *ce = __atomic_load_n(&e->cl, __ATOMIC_ACQUIRE);
	struct cl_pending *pd;

	if (!ce)
		return;
	pd = &ce->pend;
	if (!pd->set || pd->src != fp->saddr || pd->sport != fp->sport ||
	    pd->proto != fp->p->proto) {
		memset(pd, 0, sizeof(*pd));
		pd->src = fp->saddr;
		pd->sport = fp->sport;
		pd->proto = fp->p->proto;
		pd->set = true;
	}
	pd->share.side[m->u.cl.daddr] |= 1ull << m->u.cl.plen;
}

/**
 * fwm_connlimit() - Does a packet match a connlimit match?
 * @e:		engine (a first packet is noted for fwm_connlimit_on_new())
 * @m:		the match
 * @fp:		the packet (@fp->first: its connection is not made yet)
 *
 * Return: its address's connections, its own included, above the limit
 *	   (--connlimit-above) or not (--connlimit-upto)
 */
bool fwm_connlimit(struct masq_engine *e, const struct ipt_match *m,
		   const struct fw_pkt *fp)
{
	uint64_t key = cl_key(m->u.cl.daddr, m->u.cl.plen,
			      m->u.cl.daddr ? fp->daddr : fp->saddr);
	uint64_t n = fp->first ? 1 : 0;
	uint32_t i;

	if (fp->first)
		cl_note_first(e, m, fp);

	pthread_mutex_lock(&cl_lock);
	if (cl_table) {
		i = cl_probe(key);
		n += cl_table[i].key ? cl_table[i].count : 0;
	}
	pthread_mutex_unlock(&cl_lock);
	return (n > m->u.cl.limit) == m->u.cl.above;
}
