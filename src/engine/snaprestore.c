// SPDX-License-Identifier: MIT
/*
 * snaprestore.c - loading a restart's state file (the format: snapshot.c)
 *
 * The file is hostile. Every length, count and record size is checked
 * against what is there, every enum against its range, the checksum
 * over all of it, before anything is changed: a file that fails is
 * refused whole, with the reason, and the engine is as it was. Records
 * that are well-formed but do not fit the new configuration (their
 * addresses no longer the router's or routed, a port taken, a helper
 * off, the table full, expired) are skipped and counted, the others
 * kept. Mappings are made first with a reference of the load's own; each
 * connection takes its references as conn.c's planning would have; the
 * load's reference is dropped at the end, so a mapping no connection
 * came back for is freed with its port.
 *
 * As worker k of n (masq_engine_restore_worker()), an engine takes only
 * the records it owns under n, whatever n the writer ran with: a
 * connection whose packets from outside are steered to it
 * (steer_conn_owner(): its reply's, or its original direction's when
 * that comes from outside), a mapping of
 * its slice, an expectation whose master it took, an autofw holder whose
 * control connection is steered to it. The rest is another worker's:
 * neither loaded nor counted. n loads read the file n times.
 *
 * Cost: O(records), at start only, never on the packet path; the
 * expectations find their master in O(connections) each (at most
 * ALG_EXPECT_MAX of them).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng.h"
#include "alg.h"
#include "conn.h"
#include "fwd.h"
#include "perm.h"
#include "snap.h"

/* ---- loading: the checks ------------------------------------------------- */

static int snap_refuse(struct masq_snap_info *info, const char *fmt,
		       const char *arg)
{
	snprintf(info->why, sizeof(info->why), fmt, arg);
	return -EINVAL;
}

/* One section, found in order */
struct snap_sec_view {
	const uint8_t *rec;
	uint32_t count;
	uint32_t size;		/* of a record */
};

/*
 * The section of @type at @*off: its header fits, its record size is
 * the one this format has, its records fit what is left.
 */
static int snap_section_at(const uint8_t *p, size_t len, size_t *off,
			   enum snap_sec type, uint32_t size,
			   struct snap_sec_view *v, struct masq_snap_info *info)
{
	static const char *const names[] = { "", "mappings", "connections",
					     "expectations", "autofw entries" };
	const char *name = names[type];

	if (len - *off < SNAP_SEC_HDR)
		return snap_refuse(info, "truncated before its %s", name);
	v->size = get32(p + *off + 8);
	if (type == SNAP_SEC_CONNS && v->size == SNAP_CONN_REC_OLD)
		size = v->size;		/* a writer's before the mark */
	if (get32(p + *off) != (uint32_t)type || v->size != size)
		return snap_refuse(info, "corrupt: bad %s section", name);
	v->count = get32(p + *off + 4);
	*off += SNAP_SEC_HDR;
	if ((uint64_t)v->count * size > len - *off)
		return snap_refuse(info, "truncated in its %s", name);
	v->rec = p + *off;
	*off += (size_t)v->count * size;
	return 0;
}

/*
 * Magic, format and header length, before the header's size is relied
 * on: a file of an older format (1: a header of 120 bytes, no
 * namespace's cookie) is named as such, not as truncated.
 */
static int snap_check_format(const uint8_t *p, size_t len,
			     struct masq_snap_info *info)
{
	if (len < 16 || memcmp(p, SNAP_MAGIC, 8))
		return snap_refuse(info, "%s", len < 16 ?
				   "truncated: no whole header" :
				   "not a masq state file (bad magic)");
	if (get32(p + 8) != SNAP_FORMAT || get32(p + 12) != SNAP_HDR) {
		snprintf(info->why, sizeof(info->why), "another format version "
			 "(%u; this masq reads %u)", get32(p + 8), SNAP_FORMAT);
		return -EINVAL;
	}
	if (len < SNAP_HDR)
		return snap_refuse(info, "%s", "truncated: no whole header");
	return 0;
}

/*
 * Written in this network namespace? A namespace's inode number (the
 * file's folder) is used again once it is gone; its cookie never is in
 * one boot. Both 0: the kernel has no SO_NETNS_COOKIE (the caller says
 * so), the folder alone decides.
 */
static int snap_check_netns(const uint8_t *p, struct masq_snap_info *info)
{
	uint64_t cookie = get64(p + SNAP_COOKIE_AT);

	if (cookie == info->netns_cookie)
		return 0;
	snprintf(info->why, sizeof(info->why), "written in another network "
		 "namespace (its cookie %llu, this one's %llu)",
		 (unsigned long long)cookie,
		 (unsigned long long)info->netns_cookie);
	return -EINVAL;
}

/* The header: format, boot, namespace, lengths, checksum (not the version) */
static int snap_check_frame(const uint8_t *p, size_t len,
			    struct masq_snap_info *info)
{
	char boot[MASQ_SNAP_BOOT_ID] = { 0 };
	uint64_t sum;
	int rc = snap_check_format(p, len, info);

	if (rc)
		return rc;
	memcpy(boot, p + 48, 39);
	if (strncmp(boot, info->boot_id, sizeof(boot) - 1))
		return snap_refuse(info, "%s", "written in another boot");
	if (snap_check_netns(p, info))
		return -EINVAL;
	if (get64(p + 96) != len - SNAP_HDR)
		return snap_refuse(info, "%s", get64(p + 96) > len - SNAP_HDR ?
				   "truncated" : "corrupt: trailing bytes");
	if (get32(p + 104) != SNAP_NSEC)
		return snap_refuse(info, "%s", "corrupt: bad section count");
	sum = snap_sum(snap_sum(SNAP_SUM_SEED, p, SNAP_SUM_AT), p + SNAP_HDR,
		       len - SNAP_HDR);
	if (sum != get64(p + SNAP_SUM_AT))
		return snap_refuse(info, "%s", "corrupt: checksum mismatch");
	info->written_ns = get64(p + 88);
	info->flags = get32(p + 108);
	if ((int64_t)(info->now_ns - info->written_ns) < 0)
		return snap_refuse(info, "%s", "written in the future");
	return 0;
}

/**
 * masq_snap_check() - Is this a whole state file of this boot and
 *		       network namespace?
 * @data:	the file's bytes (hostile)
 * @len:	their length
 * @info:	in: boot id, namespace cookie and the clock now; out: @flags
 *		and @written_ns, or @why
 *
 * The version is not compared: a caller may act on its own flags in a
 * file whose state another version wrote (masqd: adopt a restart's
 * takeover across an upgrade, while masq_engine_restore() refuses the
 * connections).
 * Return: 0, or -EINVAL with @info->why
 */
int masq_snap_check(const void *data, size_t len, struct masq_snap_info *info)
{
	info->why[0] = '\0';
	return snap_check_frame(data, len, info);
}

/* The header, and written by this version */
static int snap_check_header(const uint8_t *p, size_t len,
			     struct masq_snap_info *info)
{
	char version[MASQ_SNAP_VERSION] = { 0 };
	int rc = snap_check_frame(p, len, info);

	if (rc)
		return rc;
	memcpy(version, p + 16, 31);
	if (strncmp(version, info->version, sizeof(version) - 1))
		return snap_refuse(info, "written by masq %s, another version",
				   version);
	return 0;
}

static bool snap_class_fits(uint8_t proto, uint8_t cls)
{
	switch (proto) {
	case IPPROTO_TCP_:
		return cls <= CT_CLASS_TCP_CLOSE;
	case IPPROTO_UDP_:
		return cls >= CT_CLASS_UDP_UNREPLIED && cls <= CT_CLASS_UDP_DNS;
	case IPPROTO_ICMP_:
		return cls == CT_CLASS_ICMP;
	default:
		return cls == CT_CLASS_GENERIC_NEW || cls == CT_CLASS_GENERIC;
	}
}

/* Bytes @from..@from+@n of a record are the zeros the writer put there */
static bool snap_zero(const uint8_t *r, size_t from, size_t n)
{
	for (size_t i = from; i < from + n; i++)
		if (r[i])
			return false;
	return true;
}

/* A connection record's values are ones the engine makes */
static bool snap_conn_valid(const uint8_t *r, uint32_t size)
{
	uint8_t proto = r[0], state = r[1];

	if (!proto || !(r[3] & CT_F_USED) || !snap_class_fits(proto, r[2]))
		return false;
	if (proto == IPPROTO_TCP_ ? state == TCPS_NONE || state >= TCPS_NUM :
				    state != TCPS_NONE)
		return false;
	if ((r[36 + 12] & CT_TCP_SCALE) > 14 || (r[52 + 12] & CT_TCP_SCALE) > 14)
		return false;
	if (size > SNAP_CONN_REC_OLD &&
	    ((r[108] & ~CT_A_EXPECTED) || !snap_zero(r, 109, 3)))
		return false;
	if (r[5] >= ALG_NUM || (r[6] & ~0x0f) || r[7] > 1 || (r[7] && !r[5]) ||
	    !snap_zero(r, 49, 3) || !snap_zero(r, 65, 3))
		return false;
	return get32(r + 32) <= SNAP_MAX_LEFT;
}

static bool snap_map_valid(const uint8_t *r, uint32_t size)
{
	(void)size;
	return r[0] < NAT_PCLS_NUM && r[1] <= 1 && snap_zero(r, 2, 2) &&
	       get32(r + 12) != 0;
}

static bool snap_auto_valid(const uint8_t *r, uint32_t size)
{
	(void)size;
	bool l4 = (r[4] == IPPROTO_TCP_ || r[4] == IPPROTO_UDP_) &&
		  (r[5] == IPPROTO_TCP_ || r[5] == IPPROTO_UDP_);

	return l4 && get16(r) <= get16(r + 2) && !(r[8] & ~0x03) &&
	       snap_zero(r, 9, 3) && get32(r + 12) && snap_zero(r, 36, 4) &&
	       (int32_t)get32(r + 20) <= FWD_AUTO_LAPSE;
}

static bool snap_exp_valid(const uint8_t *r, uint32_t size)
{
	(void)size;
	return (r[14] == IPPROTO_TCP_ || r[14] == IPPROTO_UDP_) && !r[15] &&
	       snap_zero(r, 22, 2) && snap_zero(r, 28, 4) &&
	       get32(r + 24) <= ALG_EXPECT_LAPSE;
}

/* Every record of section @v passes @valid */
static int snap_check_records(const struct snap_sec_view *v,
			      bool (*valid)(const uint8_t *, uint32_t),
			      const char *name,
			      struct masq_snap_info *info)
{
	for (uint32_t i = 0; i < v->count; i++)
		if (!valid(v->rec + (size_t)i * v->size, v->size))
			return snap_refuse(info, "corrupt: a bad %s record", name);
	return 0;
}

/* ---- loading: the state -------------------------------------------------- */

/* A record another worker owns under the load's worker count: not ours,
 * not counted (its owner's load counts it) */
#define SNAP_OTHER	(CT_NONE - 1)

struct snap_loader {
	struct masq_engine *e;
	struct masq_snap_info *info;
	const struct masq_steer *steer;	/* NULL: every record is ours */
	uint32_t away_s;	/* seconds between the write and now */
	uint32_t *maps;		/* restored mappings, NAT_NONE: skipped */
	uint32_t *conns;	/* file's entry index ... */
	uint32_t *idx;		/* ... restored as this one (CT_NONE: not) */
};

static void snap_get_tuple(struct ct_tuple *t, const uint8_t *p)
{
	t->src = get32(p);
	t->dst = get32(p + 4);
	t->sport = get16(p + 8);
	t->dport = get16(p + 10);
}

/* An address a restored record may use: still the router's / routed */
static bool snap_routed(const struct masq_engine *e, uint32_t addr)
{
	return net_route_lookup(&e->net, addr) != NULL;
}

/*
 * Is mapping record @r this worker's: its port (ICMP id) in this
 * engine's slice under the load's count (nat.c), where the replies to
 * it are steered?
 */
static bool snap_map_ours(const struct snap_loader *l, const uint8_t *r)
{
	return !l->steer || nat_port_in_slice(&l->e->nat, ntohs(get16(r + 10)));
}

/* Is connection @ce this worker's under the load's count? */
static bool snap_conn_ours(const struct snap_loader *l,
			   const struct ct_entry *ce)
{
	return !l->steer || steer_conn_owner(l->steer, &l->e->net, ce->proto,
					     ce->t) == l->e->worker_k;
}

/* Is a packet of tuple @t steered to this worker under the load's count? */
static bool snap_tuple_ours(const struct snap_loader *l, uint8_t proto,
			    const struct ct_tuple *t)
{
	return !l->steer || steer_tuple_owner(l->steer, &l->e->net, proto, t) ==
			    l->e->worker_k;
}

static void snap_load_maps(struct snap_loader *l, const struct snap_sec_view *v)
{
	struct masq_engine *e = l->e;

	for (uint32_t i = 0; i < v->count; i++) {
		const uint8_t *r = v->rec + (size_t)i * SNAP_MAP_REC;
		uint32_t ext = get32(r + 12), in = get32(r + 4);

		l->maps[i] = NAT_NONE;
		if (!snap_map_ours(l, r))
			continue;
		if (net_addr_is_router(&e->net, ext) && snap_routed(e, in))
			l->maps[i] = nat_map_restore(&e->nat,
						     (enum nat_pcls)r[0], in,
						     get16(r + 8), ext,
						     get16(r + 10), r[1]);
		if (l->maps[i] == NAT_NONE)
			l->info->skipped++;
		else
			l->info->maps++;
	}
}

/*
 * Take the references a connection of @ce's flags holds, as conn.c's
 * planning took them: its mapping and the hairpin target's (which must
 * have come back: else false, nothing taken), a permission, its host's
 * and remote's counts (a count over its limit now is left off: the
 * connection existed before the limit was lowered).
 */
static bool snap_take_refs(struct masq_engine *e, struct ct_entry *ce)
{
	const struct ct_tuple *o = &ce->t[CT_ORIG], *r = &ce->t[CT_REPLY];
	uint32_t m = NAT_NONE, d = NAT_NONE;

	if (ce->flags & CT_F_MAP) {
		m = nat_map_by_ext(&e->nat, ce->proto, r->dst, r->dport);
		if (m == NAT_NONE)
			return false;
	}
	if (ce->xflags & CT_X_DMAP) {
		d = nat_map_find(&e->nat, ce->proto, r->src, r->sport);
		if (d == NAT_NONE)
			return false;
	}
	if (m != NAT_NONE)
		e->nat.m[m].refs++;
	if (d != NAT_NONE)
		e->nat.m[d].refs++;
	if ((ce->xflags & CT_X_PERM) &&
	    (m == NAT_NONE || !e->perm || !perm_take(e->perm, m, o->dst)))
		ce->xflags &= (uint8_t)~CT_X_PERM;
	if ((ce->xflags & CT_X_HOSTCNT) && quota_take(&e->hosts, o->src))
		ce->xflags &= (uint8_t)~CT_X_HOSTCNT;
	if ((ce->xflags & CT_X_HALFOPEN) &&
	    quota_take(&e->halfopen, conn_remote(ce->t, ce->xflags)))
		ce->xflags &= (uint8_t)~CT_X_HALFOPEN;
	return true;
}

/* A record's entry, made whole from @r (not yet in the table) */
static void snap_fill_entry(struct ct_entry *ce, const uint8_t *r)
{
	ce->proto = r[0];
	ce->state = r[1] & 0xf;
	ce->flags = r[3] & (uint8_t)~(CT_F_USED | CT_F_SIDE);
	ce->xflags = r[4];
	snap_get_tuple(&ce->t[CT_ORIG], r + 8);
	snap_get_tuple(&ce->t[CT_REPLY], r + 20);
	for (int d = 0; d < 2; d++) {
		const uint8_t *p = r + 36 + 16 * d;

		ce->tcp[d].end = get32(p);
		ce->tcp[d].maxend = get32(p + 4);
		ce->tcp[d].maxwin = get32(p + 8);
		ce->tcp[d].wsf = p[12];
	}
	xlate_prepare(ce);
}

/*
 * The record's helper and sequence adjustment: a rule's helper (CT
 * --helper) again, one chosen by port when its helper is still on there
 */
static void snap_load_alg(struct masq_engine *e, uint32_t idx,
			  const uint8_t *r)
{
	struct alg_conn *ac;

	if (!r[5])
		return;
	alg_attach_as(e, idx, r[7] ? r[5] : ALG_NONE);
	ac = alg_conn_find(e, idx);
	if (!ac || ac->alg != r[5])
		return;		/* the helper is off now: plain connection */
	ac->adjusted = r[6];
	for (int d = 0; d < 2; d++) {
		ac->seq[d].init_seq = get32(r + 68 + 12 * d);
		ac->seq[d].delta = (int32_t)get32(r + 72 + 12 * d);
		ac->seq[d].pdelta = (int32_t)get32(r + 76 + 12 * d);
		ac->rw_seq[d] = get32(r + 92 + 4 * d);
	}
}

/*
 * Does a record fit this configuration: its way back routed (the
 * packet path looks up both tuples' sources), its external address
 * still the router's, neither tuple in the table already?
 */
static bool snap_conn_fits(const struct masq_engine *e,
			   const struct ct_entry *ce)
{
	enum ct_dir dir;

	if (!snap_routed(e, ce->t[CT_ORIG].src) ||
	    !snap_routed(e, ce->t[CT_REPLY].src))
		return false;
	if ((ce->flags & CT_F_SNAT) &&
	    !net_addr_is_router(&e->net, ce->t[CT_REPLY].dst))
		return false;
	return ct_lookup(&e->ct, ce->proto, &ce->t[CT_ORIG], &dir) == CT_NONE &&
	       ct_lookup(&e->ct, ce->proto, &ce->t[CT_REPLY], &dir) == CT_NONE;
}

/* One connection record: restored, skipped (CT_NONE), or another
 * worker's (SNAP_OTHER) */
static uint32_t snap_load_conn(struct snap_loader *l, const uint8_t *r,
			       uint32_t size)
{
	struct masq_engine *e = l->e;
	uint32_t left = get32(r + 32), idx, timeout;
	struct ct_entry *ce, tmp = { 0 };
	static const uint64_t none[2] = { 0, 0 };

	snap_fill_entry(&tmp, r);
	if (!snap_conn_ours(l, &tmp))
		return SNAP_OTHER;	/* its packets from outside reach
					 * another worker */
	if (left <= l->away_s || !snap_conn_fits(e, &tmp) ||
	    e->ct.count >= e->ct.limit)
		return CT_NONE;
	idx = ct_alloc(&e->ct, e->now_s);
	if (idx == CT_NONE)
		return CT_NONE;
	ce = &e->ct.e[idx];
	*ce = tmp;
	if (size > SNAP_CONN_REC_OLD) {
		e->ct.aux[idx].mark = get32(r + 104);
		e->ct.aux[idx].status = r[108];
	}
	if (!snap_take_refs(e, ce)) {
		ct_abandon(&e->ct, idx);
		return CT_NONE;
	}
	if (ct_insert(&e->ct, idx, none, (enum ct_class)r[2], e->now_s)) {
		conn_put_refs(e, ce->proto, ce->t, ce->flags, ce->xflags);
		return CT_NONE;
	}
	left -= l->away_s;
	timeout = e->ct.timeout[ce->cls];
	if (left < timeout)
		ce->last_seen = e->now_s - (timeout - left);
	snap_load_alg(e, idx, r);
	ctev_note(e, idx, CTEV_NEW);
	return idx;
}

/* The restored entry of the file's entry @old, or CT_NONE */
static uint32_t snap_conn_of(const struct snap_loader *l, uint32_t n,
			     uint32_t old)
{
	for (uint32_t i = 0; i < n; i++)
		if (l->conns[i] == old)
			return l->idx[i];
	return CT_NONE;
}

static void snap_load_expects(struct snap_loader *l,
			      const struct snap_sec_view *v, uint32_t nconns)
{
	struct masq_engine *e = l->e;

	for (uint32_t i = 0; i < v->count; i++) {
		const uint8_t *r = v->rec + (size_t)i * SNAP_EXP_REC;
		uint32_t left = get32(r + 24);
		uint32_t master = snap_conn_of(l, nconns, get32(r));
		struct alg_expect x = {
			.master = master, .peer = get32(r + 4),
			.addr = get32(r + 8), .port = get16(r + 12),
			.proto = r[14], .to_addr = get32(r + 16),
			.to_port = get16(r + 20),
			.until = e->now_s + left - l->away_s,
		};

		if (master == SNAP_OTHER)
			continue;	/* its master's worker takes it */
		if (left > l->away_s && master != CT_NONE &&
		    net_addr_is_router(&e->net, x.addr) &&
		    !alg_expect_restore(e, &x))
			l->info->expects++;
		else
			l->info->skipped++;
	}
}

/* The configured autofw entry a record is of, or NULL */
static struct fwd_auto *snap_auto_entry(struct masq_engine *e, const uint8_t *r)
{
	struct fwd *f = e->fwd;

	for (uint32_t i = 0; i < f->nauto && i < FWD_AUTO_MAX; i++) {
		struct fwd_auto *a = &f->a[i];

		if (a->low == get16(r) && a->high == get16(r + 2) &&
		    a->proto == r[4] && a->ctlproto == r[5] &&
		    a->ctlport == get16(r + 6) && a->flags == r[8])
			return a;
	}
	return NULL;
}

/* autofw holders: to the same entry configured again, a host still routed */
static void snap_load_autofw(struct snap_loader *l,
			     const struct snap_sec_view *v)
{
	struct masq_engine *e = l->e;

	for (uint32_t i = 0; i < v->count; i++) {
		const uint8_t *r = v->rec + (size_t)i * SNAP_AUTO_REC;
		struct fwd_auto *a = snap_auto_entry(e, r);
		struct ct_tuple ctl;

		snap_get_tuple(&ctl, r + 24);
		if (!snap_tuple_ours(l, r[5], &ctl))
			continue;	/* its control connection's worker's */
		if (!a || a->host || !snap_routed(e, get32(r + 12))) {
			l->info->skipped++;
			continue;
		}
		a->host = get32(r + 12);
		a->remote = get32(r + 16);
		a->until = e->now_s + get32(r + 20) - l->away_s;
		snap_get_tuple(&a->ctl, r + 24);
		l->info->autofw++;
	}
}

/* Drop the load's own reference on each mapping it made */
static void snap_put_maps(struct snap_loader *l, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (l->maps[i] != NAT_NONE)
			nat_map_put(&l->e->nat, l->maps[i]);
}

static int snap_load(struct snap_loader *l, const struct snap_sec_view *sec)
{
	uint32_t nc = sec[1].count;

	l->maps = calloc(sec[0].count + 1, sizeof(*l->maps));
	l->conns = calloc(nc + 1, sizeof(*l->conns));
	l->idx = calloc(nc + 1, sizeof(*l->idx));
	if (!l->maps || !l->conns || !l->idx)
		return -ENOMEM;
	snap_load_maps(l, &sec[0]);
	for (uint32_t i = 0; i < nc; i++) {
		const uint8_t *r = sec[1].rec + (size_t)i * sec[1].size;

		l->conns[i] = get32(r + 100);
		l->idx[i] = snap_load_conn(l, r, sec[1].size);
		if (l->idx[i] == SNAP_OTHER)
			continue;
		if (l->idx[i] == CT_NONE)
			l->info->skipped++;
		else
			l->info->conns++;
	}
	snap_load_expects(l, &sec[2], nc);
	snap_load_autofw(l, &sec[3]);
	snap_put_maps(l, sec[0].count);
	return 0;
}

/**
 * masq_engine_restore() - Load what masq_engine_snapshot() wrote
 * @e:		engine, configured (interfaces, addresses, routes, rules,
 *		timeouts), before any traffic
 * @data:	the file's bytes (hostile)
 * @len:	their length
 * @info:	in: boot id, namespace cookie, version, the clock now; out:
 *		counts, or @why
 *
 * Return: 0 (counts in @info), -EINVAL (refused: @info->why; nothing
 * changed) or -ENOMEM
 */
int masq_engine_restore(struct masq_engine *e, const void *data, size_t len,
			struct masq_snap_info *info)
{
	return masq_engine_restore_worker(e, data, len, info, NULL);
}

/**
 * masq_engine_restore_worker() - Load the records worker @e owns
 * @e:		engine, configured, worker k of n (masq_engine_set_worker())
 * @data:	the file's bytes (hostile), of any worker count
 * @len:	their length
 * @info:	as masq_engine_restore()'s; the counts are this worker's
 * @s:		the steering picture for n workers
 *		(masq_engine_steer_conf()); NULL: every record is this
 *		engine's (masq_engine_restore())
 *
 * Each worker's load reads the whole file and takes what is its own
 * under the new count: a connection when its packets from outside are
 * steered to it (steer_conn_owner(): for a masqueraded one its reply's,
 * the slice of its external port, which is where it keeps that port;
 * for one DNATed or forwarded from outside its original direction's), a
 * mapping when its
 * port is in its slice, an expectation with its master, an autofw
 * holder with its control connection. Others' records are neither
 * loaded nor counted, so the counts of n loads add up to the file's.
 * A connection whose mapping falls in another slice than its owner's
 * (a port changed under another count, FTP control connections steered
 * by the client) is skipped: its mapping is not there.
 * Return: as masq_engine_restore()'s
 */
int masq_engine_restore_worker(struct masq_engine *e, const void *data,
			       size_t len, struct masq_snap_info *info,
			       const struct masq_steer *s)
{
	struct snap_loader l = { e, info, s, 0, NULL, NULL, NULL };
	static const enum snap_sec types[SNAP_NSEC] = {
		SNAP_SEC_MAPS, SNAP_SEC_CONNS, SNAP_SEC_EXPECT, SNAP_SEC_AUTOFW };
	static const uint32_t sizes[SNAP_NSEC] = {
		SNAP_MAP_REC, SNAP_CONN_REC, SNAP_EXP_REC, SNAP_AUTO_REC };
	static bool (*const valid[SNAP_NSEC])(const uint8_t *, uint32_t) = {
		snap_map_valid, snap_conn_valid, snap_exp_valid,
		snap_auto_valid };
	static const char *const names[SNAP_NSEC] = {
		"mapping", "connection", "expectation", "autofw" };
	struct snap_sec_view sec[SNAP_NSEC];
	const uint8_t *p = data;
	size_t off = SNAP_HDR;
	int rc;

	info->why[0] = '\0';
	info->conns = info->maps = info->expects = info->skipped = 0;
	info->autofw = 0;
	rc = snap_check_header(p, len, info);
	for (int i = 0; i < SNAP_NSEC && !rc; i++)
		rc = snap_section_at(p, len, &off, types[i], sizes[i], &sec[i],
				     info);
	for (int i = 0; i < SNAP_NSEC && !rc; i++)
		rc = snap_check_records(&sec[i], valid[i], names[i], info);
	if (rc)
		return rc;
	if (off != len)
		return snap_refuse(info, "%s", "corrupt: trailing bytes");
	if (e->now_s < info->now_ns / 1000000000ull)
		e->now_s = (uint32_t)(info->now_ns / 1000000000ull);
	l.away_s = (uint32_t)((info->now_ns - info->written_ns) / 1000000000ull);
	rc = snap_load(&l, sec);
	free(l.maps);
	free(l.conns);
	free(l.idx);
	return rc;
}
