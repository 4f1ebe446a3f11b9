// SPDX-License-Identifier: MIT
/*
 * snapshot.c - the connection table as bytes, for a restart that keeps
 * connections
 *
 * Owns the format masqd writes at stop and its successor loads at start
 * (masq_engine_snapshot(), masq_engine_restore()): the connections (both
 * tuples, so the translation; TCP state and the windows tcp.c checks;
 * a helper's sequence adjustment), the masquerade mappings they hold
 * (with their external ports, so a restored connection keeps the port
 * its peer knows and no new flow is given it) and the helpers' pending
 * expectations. No I/O: the caller reads and writes the file, and gives
 * the boot id, the network namespace's cookie and its version.
 *
 * Format (little-endian, one boot of one machine, one network namespace):
 *
 *	header	SNAP_HDR bytes: magic "MASQSNAP", format version (2),
 *		header length, masq version (32), boot id (40), the engine
 *		clock when written (ns), payload length, section count, the
 *		caller's flags, the network namespace's cookie (8; format
 *		2 on, 1 had none and is refused) and an FNV-1a 64 checksum
 *		over the header before it and the payload
 *	payload	sections, each: type, record count, record size, records
 *		(maps, connections, expectations, then the autofw entries
 *		an internal host holds: who, for which remote, until when)
 *
 * Several engines (masqd --workers N: masq_engines_snapshot()) write one
 * file: each section holds every engine's records, an engine's entry
 * indices offset by the table sizes of those before it (the index only
 * ties an expectation to its master); the load decides the owner of
 * each record anew (snaprestore.c).
 *
 * Times are kept as what was left at the write; the load takes off the
 * time away (the difference of the two CLOCK_MONOTONIC readings, which
 * is why a file of another boot is refused) and skips what expired.
 *
 * The records' layouts are in snap.h; the load, which treats the file
 * as hostile, is snaprestore.c. Connections are written class by class
 * in FIFO order, and the load appends them in that order, so each
 * expiry FIFO stays oldest first.
 *
 * Not kept (limits): packet and byte counters; portfw's and mfw's
 * scheduling (which rule serves next: the rules come from the
 * configuration, their turns start again); a helper's record of its last
 * child (alg_keeps()); ports the host's sockets hold are the host's
 * (sockdiag gives them again). An autofw entry's holder comes back only
 * to the same entry (range, protocols, control port, flags) configured
 * again.
 *
 * Cost: O(connections), with one bitmap of the mappings written (one
 * bit per mapping the table may hold); 112 bytes a connection.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eng.h"
#include "alg.h"
#include "fwd.h"
#include "snap.h"

/* ---- writing ------------------------------------------------------------- */

struct snap_writer {
	const struct masq_engine *e;	/* the engine being written */
	struct masq_text *out;
	uint64_t *seen;		/* its mappings written: one bit each */
	size_t words;		/* ... of @seen */
	uint32_t now_s;
	uint32_t base;		/* its entries' first index in the file */
};

static void snap_put(struct snap_writer *w, const uint8_t *p, size_t n)
{
	masq_text_append(w->out, (const char *)p, n);
}

static void snap_section(struct snap_writer *w, enum snap_sec type,
			 uint32_t count, uint32_t size)
{
	uint8_t h[SNAP_SEC_HDR];

	put32(h, type);
	put32(h + 4, count);
	put32(h + 8, size);
	snap_put(w, h, sizeof(h));
}

static void snap_tuple(uint8_t *p, const struct ct_tuple *t)
{
	put32(p, t->src);
	put32(p + 4, t->dst);
	put16(p + 8, t->sport);
	put16(p + 10, t->dport);
}

/* Mark mapping @m written; true when it was not yet */
static bool snap_map_first(struct snap_writer *w, uint32_t m)
{
	uint64_t bit = 1ull << (m & 63);

	if (m == NAT_NONE || m >= w->e->nat.max || (w->seen[m >> 6] & bit))
		return false;
	w->seen[m >> 6] |= bit;
	return true;
}

static void snap_map(struct snap_writer *w, uint32_t m)
{
	const struct nat_map *nm = &w->e->nat.m[m];
	uint8_t r[SNAP_MAP_REC] = { 0 };

	r[0] = (uint8_t)nm->pcls;
	r[1] = (uint8_t)nm->priv;
	put32(r + 4, nm->int_addr);
	put16(r + 8, nm->int_port);
	put16(r + 10, nm->ext_port);
	put32(r + 12, nat_map_ext_addr(&w->e->nat, m));
	snap_put(w, r, sizeof(r));
}

/* The mappings connection @ce holds (its own, a hairpin's target) */
static void snap_conn_maps(struct snap_writer *w, const struct ct_entry *ce,
			   uint32_t *n, bool write)
{
	const struct nat *nat = &w->e->nat;
	const struct ct_tuple *r = &ce->t[CT_REPLY];
	uint32_t m[2] = { NAT_NONE, NAT_NONE };

	if (ce->flags & CT_F_MAP)
		m[0] = nat_map_by_ext(nat, ce->proto, r->dst, r->dport);
	if (ce->xflags & CT_X_DMAP)
		m[1] = nat_map_find(nat, ce->proto, r->src, r->sport);
	for (int i = 0; i < 2; i++) {
		if (!snap_map_first(w, m[i]))
			continue;
		(*n)++;
		if (write)
			snap_map(w, m[i]);
	}
}

/* Call @fn for every live connection, class by class in FIFO order (the
 * load appends them in the same order, so each FIFO stays oldest first) */
static void snap_each_conn(struct snap_writer *w,
			   void (*fn)(struct snap_writer *, uint32_t, void *),
			   void *arg)
{
	const struct ct_table *ct = &w->e->ct;

	for (int c = 0; c < CT_CLASS_NUM; c++)
		for (uint32_t i = ct->fifo[c].head, n = 0;
		     i != CT_LINK_NONE && n < ct->count;
		     i = ct_link_get(&ct->e[i], CT_NEXT), n++)
			fn(w, i, arg);
}

/* The mappings the pending expectations hold (their targets') */
static void snap_expect_maps(struct snap_writer *w, uint32_t *n, bool write)
{
	const struct alg_state *a = w->e->alg;

	for (uint32_t i = 0; i < ALG_EXPECT_MAX; i++) {
		const struct alg_expect *x = &a->exp[i];

		if (x->master == ALG_NO_IDX || x->watch ||
		    !snap_map_first(w, x->map))
			continue;
		(*n)++;
		if (write)
			snap_map(w, x->map);
	}
}

static void snap_count_conn(struct snap_writer *w, uint32_t idx, void *arg)
{
	(void)w;
	(void)idx;
	(*(uint32_t *)arg)++;
}

static void snap_count_conn_maps(struct snap_writer *w, uint32_t idx,
				 void *arg)
{
	snap_conn_maps(w, &w->e->ct.e[idx], arg, false);
}

static void snap_write_map(struct snap_writer *w, uint32_t idx, void *arg)
{
	snap_conn_maps(w, &w->e->ct.e[idx], arg, true);
}

static void snap_tcp(uint8_t *p, const struct ct_tcp_dir *d)
{
	put32(p, d->end);
	put32(p + 4, d->maxend);
	put32(p + 8, d->maxwin);
	p[12] = d->wsf;
}

static void snap_alg(uint8_t *r, const struct alg_conn *ac)
{
	r[5] = ac->alg;
	r[6] = ac->adjusted;
	r[7] = ac->by_rule;
	for (int d = 0; d < 2; d++) {
		put32(r + 68 + 12 * d, ac->seq[d].init_seq);
		put32(r + 72 + 12 * d, (uint32_t)ac->seq[d].delta);
		put32(r + 76 + 12 * d, (uint32_t)ac->seq[d].pdelta);
		put32(r + 92 + 4 * d, ac->rw_seq[d]);
	}
}

static void snap_write_conn(struct snap_writer *w, uint32_t idx, void *arg)
{
	const struct ct_entry *ce = &w->e->ct.e[idx];
	uint8_t r[SNAP_CONN_REC] = { 0 };

	(void)arg;
	r[0] = ce->proto;
	r[1] = ce->state;
	r[2] = ce->cls;
	r[3] = ce->flags;
	r[4] = ce->xflags;
	snap_tuple(r + 8, &ce->t[CT_ORIG]);
	snap_tuple(r + 20, &ce->t[CT_REPLY]);
	put32(r + 32, ct_time_left(&w->e->ct, idx, w->now_s));
	snap_tcp(r + 36, &ce->tcp[0]);
	snap_tcp(r + 52, &ce->tcp[1]);
	if (ce->flags & CT_F_SIDE) {
		const struct alg_conn *ac = alg_conn_of(w->e, idx);

		if (ac)
			snap_alg(r, ac);
	}
	put32(r + 100, w->base + idx);	/* names it to its expectation */
	put32(r + 104, w->e->ct.aux[idx].mark);
	r[108] = w->e->ct.aux[idx].status;
	snap_put(w, r, sizeof(r));
}

/* Expectations: not the watches (a note, not an admission) */
static uint32_t snap_expects(struct snap_writer *w, bool write)
{
	const struct alg_state *a = w->e->alg;
	uint32_t n = 0;

	for (uint32_t i = 0; i < ALG_EXPECT_MAX; i++) {
		const struct alg_expect *x = &a->exp[i];
		uint8_t r[SNAP_EXP_REC] = { 0 };

		if (x->master == ALG_NO_IDX || x->watch ||
		    (int32_t)(x->until - w->now_s) <= 0)
			continue;
		n++;
		if (!write)
			continue;
		put32(r, w->base + x->master);
		put32(r + 4, x->peer);
		put32(r + 8, x->addr);
		put16(r + 12, x->port);
		r[14] = x->proto;
		put32(r + 16, x->to_addr);
		put16(r + 20, x->to_port);
		put32(r + 24, x->until - w->now_s);
		snap_put(w, r, sizeof(r));
	}
	return n;
}

/* The autofw entries a host holds (a control port's; not a fixed host's) */
static uint32_t snap_autofw(struct snap_writer *w, bool write)
{
	const struct fwd *f = w->e->fwd;
	uint32_t n = 0;

	for (uint32_t i = 0; i < f->nauto && i < FWD_AUTO_MAX; i++) {
		const struct fwd_auto *a = &f->a[i];
		uint8_t r[SNAP_AUTO_REC] = { 0 };

		if (!a->ctlproto || !a->host)
			continue;
		n++;
		if (!write)
			continue;
		put16(r, a->low);
		put16(r + 2, a->high);
		r[4] = a->proto;
		r[5] = a->ctlproto;
		put16(r + 6, a->ctlport);
		r[8] = a->flags;
		put32(r + 12, a->host);
		put32(r + 16, a->remote);
		put32(r + 20, a->until - w->now_s);	/* signed: may be past */
		snap_tuple(r + 24, &a->ctl);
		snap_put(w, r, sizeof(r));
	}
	return n;
}

static void snap_header(uint8_t *h, const struct masq_snap_info *info,
			uint64_t payload, uint32_t nsec)
{
	memset(h, 0, SNAP_HDR);
	memcpy(h, SNAP_MAGIC, 8);
	put32(h + 8, SNAP_FORMAT);
	put32(h + 12, SNAP_HDR);
	memcpy(h + 16, info->version, strnlen(info->version, 31));
	memcpy(h + 48, info->boot_id, strnlen(info->boot_id, 39));
	put64(h + 88, info->now_ns);
	put64(h + 96, payload);
	put32(h + 104, nsec);
	put32(h + 108, info->flags);
	put64(h + SNAP_COOKIE_AT, info->netns_cookie);
}

/* The mappings of the engine being written: counted, or written */
static void snap_maps(struct snap_writer *w, uint32_t *n, bool write)
{
	memset(w->seen, 0, w->words * sizeof(uint64_t));
	snap_each_conn(w, write ? snap_write_map : snap_count_conn_maps, n);
	snap_expect_maps(w, n, write);
}

/*
 * One section's records, of every engine in turn: @put counts (@write
 * false) or writes them. The entry indices of engine k are offset by
 * the sizes of the tables before it (@base), so they name one entry in
 * the file and an expectation its own engine's master.
 */
static uint32_t snap_engines(struct snap_writer *w,
			     const struct masq_engine *const *e, uint32_t n,
			     uint32_t (*put)(struct snap_writer *, bool),
			     bool write)
{
	uint32_t count = 0;

	w->base = 0;
	for (uint32_t k = 0; k < n; k++) {
		w->e = e[k];
		count += put(w, write);
		w->base += e[k]->ct.max;
	}
	return count;
}

static uint32_t snap_put_maps(struct snap_writer *w, bool write)
{
	uint32_t n = 0;

	snap_maps(w, &n, write);
	return n;
}

static uint32_t snap_put_conns(struct snap_writer *w, bool write)
{
	uint32_t n = 0;

	snap_each_conn(w, write ? snap_write_conn : snap_count_conn, &n);
	return n;
}

/* One section: its header with the count over every engine, its records */
static void snap_write_section(struct snap_writer *w,
			       const struct masq_engine *const *e, uint32_t n,
			       enum snap_sec type, uint32_t size,
			       uint32_t (*put)(struct snap_writer *, bool))
{
	snap_section(w, type, snap_engines(w, e, n, put, false), size);
	snap_engines(w, e, n, put, true);
}

/* The mapping bitmap's words for the largest of @n engines' tables */
static size_t snap_seen_words(const struct masq_engine *const *e, uint32_t n)
{
	size_t words = 1;

	for (uint32_t k = 0; k < n; k++)
		if (((size_t)e[k]->nat.max + 63) / 64 > words)
			words = ((size_t)e[k]->nat.max + 63) / 64;
	return words;
}

/**
 * masq_engines_snapshot() - Write the connections, mappings and
 * expectations of @n engines (masqd --workers N) as one state file
 * @e:		the engines, worker 0 first; none may run meanwhile
 * @n:		how many, 1 to MASQ_WORKERS_MAX
 * @info:	boot id, namespace cookie, version and the clock now (@now_ns)
 * @out:	the bytes are appended here (the header first: a caller
 *		that writes the header last writes out->s[0..SNAP_HDR)
 *		last, see masqd's handover.c)
 *
 * The file is the one masq_engine_snapshot() writes for one engine with
 * every engine's records in it: no record says which worker wrote it,
 * the load asks steering which worker owns each under its own count
 * (masq_engine_restore_worker()), so a restart may change --workers.
 * Return: 0, -EINVAL for @n out of range, or -ENOMEM
 */
int masq_engines_snapshot(const struct masq_engine *const *e, uint32_t n,
			  const struct masq_snap_info *info,
			  struct masq_text *out)
{
	struct snap_writer w = { NULL, out, NULL, snap_seen_words(e, n),
				 (uint32_t)(info->now_ns / 1000000000ull), 0 };
	size_t start = out->len;
	uint8_t h[SNAP_HDR];
	uint64_t sum;

	if (!n || n > MASQ_WORKERS_MAX)
		return -EINVAL;
	w.seen = calloc(w.words, sizeof(uint64_t));
	if (!w.seen)
		return -ENOMEM;
	snap_header(h, info, 0, 0);
	snap_put(&w, h, sizeof(h));
	snap_write_section(&w, e, n, SNAP_SEC_MAPS, SNAP_MAP_REC, snap_put_maps);
	snap_write_section(&w, e, n, SNAP_SEC_CONNS, SNAP_CONN_REC,
			   snap_put_conns);
	snap_write_section(&w, e, n, SNAP_SEC_EXPECT, SNAP_EXP_REC,
			   snap_expects);
	snap_write_section(&w, e, n, SNAP_SEC_AUTOFW, SNAP_AUTO_REC,
			   snap_autofw);
	free(w.seen);
	if (out->oom)
		return -ENOMEM;
	snap_header((uint8_t *)out->s + start, info, out->len - start - SNAP_HDR,
		    SNAP_NSEC);
	sum = snap_sum(SNAP_SUM_SEED, (uint8_t *)out->s + start, SNAP_SUM_AT);
	sum = snap_sum(sum, (uint8_t *)out->s + start + SNAP_HDR,
		       out->len - start - SNAP_HDR);
	put64((uint8_t *)out->s + start + SNAP_SUM_AT, sum);
	return 0;
}

/**
 * masq_engine_snapshot() - Write the connections, mappings and
 * expectations as the bytes masq_engine_restore() loads
 * @e:		engine
 * @info:	boot id, namespace cookie, version and the clock now (@now_ns)
 * @out:	the bytes are appended here (masq_engines_snapshot())
 *
 * Return: 0, or -ENOMEM
 */
int masq_engine_snapshot(const struct masq_engine *e,
			 const struct masq_snap_info *info,
			 struct masq_text *out)
{
	return masq_engines_snapshot(&e, 1, info, out);
}
