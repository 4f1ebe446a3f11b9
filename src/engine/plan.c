// SPDX-License-Identifier: MIT
/*
 * plan.c - where a new connection goes: the NAT decisions of its first
 *	    packet, and the room it takes
 *
 * conn.c keeps a connection's life (open, track, forward, expire); this
 * file answers, once per connection, the questions its first packet asks
 * and netfilter's nat table would answer:
 *
 *	plan_expected()		a connection a helper expects (RELATED)
 *	plan_dnat_target()	a DNAT or REDIRECT rule's destination
 *	plan_forward()		else an ipmasqadm forward's (fwd.c: portfw,
 *				mfw, autofw), with the source masqueraded
 *				too when it came from inside (hairpin)
 *	plan_inbound()		from outside to a mapping the filtering
 *				mode admits (RFC 4787 REQ-8)
 *	plan_hairpin()		from inside to a mapping (REQ-9)
 *	plan_snat()		MASQUERADE or SNAT at POSTROUTING
 *	plan_masq_source()	the mapping and port that takes
 *	plan_take_counts()	host-cap, inbound-halfopen
 *
 * A plan (struct conn_plan, conn.h) holds both tuples and the references
 * taken; conn.c commits it or gives them back. A rule's port range
 * reaches the port allocator as an argument (struct nat_want), never
 * through shared state, so a plan is a function of its inputs.
 *
 * Room: when ports, mappings or entries run out, a closed connection
 * gives way first (for a port, the same host's first), then the oldest
 * half-open one; an assured connection never does (ct.h).
 */
#include <arpa/inet.h>
#include <string.h>

#include "alg.h"
#include "conn.h"
#include "eng.h"
#include "fwd.h"
#include "perm.h"

#define CONN_EVICT_SCAN		64	/* FIFO entries looked at per class */

void plan_init(struct conn_plan *pl, const struct ct_tuple *t)
{
	memset(pl, 0, sizeof(*pl));
	pl->t[CT_ORIG] = *t;
	pl->t[CT_REPLY] = ct_tuple_invert(t);
	pl->map = NAT_NONE;
}

/* The plan's destination translated to @dst:@dport (DNAT, REDIRECT) */
void plan_dnat(struct conn_plan *pl, const struct pkt *p, uint32_t dst,
	       uint16_t dport)
{
	pl->t[CT_REPLY].src = dst;
	if (p->has_ports && p->proto != IPPROTO_ICMP_)
		pl->t[CT_REPLY].sport = dport;
}


/* ---- room ------------------------------------------------------------------ */

/*
 * Does connection @i alone hold a port of @ext_addr for @proto that a new
 * mapping could take (so that releasing it frees one)?
 */
static bool holds_port(const struct masq_engine *e, uint32_t i,
		       uint8_t proto, uint32_t ext_addr,
		       const struct nat_want *w)
{
	const struct ct_entry *ce = &e->ct.e[i];
	uint32_t m;

	if (ce->proto != proto || !(ce->flags & CT_F_MAP) ||
	    ce->t[CT_REPLY].dst != ext_addr ||
	    !nat_port_in_play(&e->nat, proto, ce->t[CT_REPLY].dport, w))
		return false;
	m = nat_map_by_ext(&e->nat, proto, ext_addr, ce->t[CT_REPLY].dport);
	return m != NAT_NONE && e->nat.m[m].refs == 1;
}

/*
 * The first of at most CONN_EVICT_SCAN entries of class @c, from the
 * oldest, that alone holds a port of @ext_addr (and, when @closed, is
 * over); the first of them opened by @host goes to *@own, the first
 * of any host to *@any.
 */
static void scan_for_port(const struct masq_engine *e, enum ct_class c,
			  uint8_t proto, uint32_t ext_addr, uint32_t host,
			  const struct nat_want *w, bool closed,
			  uint32_t *own, uint32_t *any)
{
	uint32_t i = e->ct.fifo[c].head;

	for (int n = 0; n < CONN_EVICT_SCAN && i != CT_LINK_NONE &&
			*own == CT_NONE; n++) {
		const struct ct_entry *ce = &e->ct.e[i];

		if ((!closed || ct_is_closed(ce)) &&
		    holds_port(e, i, proto, ext_addr, w)) {
			if (ce->t[CT_ORIG].src == host)
				*own = i;
			else if (*any == CT_NONE)
				*any = i;
		}
		i = ct_link_get(ce, CT_NEXT);
	}
}

/* Release connection @i for a port or an entry, counted by @c */
static void evict(struct masq_engine *e, uint32_t i, enum masq_counter c)
{
	if (ct_is_closed(&e->ct.e[i]))
		count(e, C_conn_evicted_closed);
	conn_release(e, i);
	count(e, c);
}

/*
 * Ports of @ext_addr for @proto ran out: reuse the port of a closed
 * connection (TIME_WAIT, CLOSE), @host's own oldest first (as VPP's
 * NAT44-ED reuses a user's transitory sessions), else anyone's; else
 * evict the oldest half-open one. Only a connection that alone holds
 * its mapping frees a port. Bounded: at most CONN_EVICT_SCAN entries of
 * each class are looked at.
 * Return: true when a port was freed
 */
static bool evict_for_port(struct masq_engine *e, uint8_t proto,
			   uint32_t ext_addr, uint32_t host,
			   const struct nat_want *w)
{
	static const enum ct_class closed[] = {
		CT_CLASS_TCP_TIME_WAIT, CT_CLASS_TCP_CLOSE,
	};
	uint32_t own = CT_NONE, any = CT_NONE;

	for (size_t c = 0; c < sizeof(closed) / sizeof(*closed); c++)
		scan_for_port(e, closed[c], proto, ext_addr, host, w, true,
			      &own, &any);
	for (int c = 0; c < CT_HALFOPEN_CLASSES && own == CT_NONE &&
			any == CT_NONE; c++)
		scan_for_port(e, ct_halfopen_classes[c], proto, ext_addr,
			      host, w, false, &own, &any);
	if (own == CT_NONE)
		own = any;
	if (own == CT_NONE)
		return false;
	evict(e, own, C_conn_evicted_ports);
	return true;
}

/*
 * Room for one more connection (a full table, the mappings run out, too
 * many remote sources half-open): the oldest closed connection goes,
 * else the oldest half-open one. An assured connection never does.
 * Return: true when one went
 */
bool plan_evict_oldest(struct masq_engine *e)
{
	uint32_t victim = ct_oldest_closed(&e->ct);

	if (victim == CT_NONE)
		victim = ct_oldest_halfopen(&e->ct);
	if (victim == CT_NONE)
		return false;
	evict(e, victim, C_conn_evicted);
	return true;
}


static enum masq_counter nat_fail_counter(enum nat_fail why)
{
	return why == NAT_FAIL_PORTS ? C_drop_ports_exhausted : C_drop_table_full;
}

/*
 * plan_masq_source() - Masquerade the plan's source to @ext
 * Takes the endpoint's mapping (EIM) or a private one (APDM), within
 * what @w allows, evicting once if the address's ports or the mappings
 * ran out. Protocols without ports keep none.
 * Return: C_NUM, or the counter to drop the packet with
 */
enum masq_counter plan_masq_source(struct masq_engine *e, const struct pkt *p,
				   struct conn_plan *pl, uint32_t ext,
				   const struct nat_want *w)
{
	const struct ct_tuple *o = &pl->t[CT_ORIG];
	enum nat_fail why = NAT_OK;

	pl->t[CT_REPLY].dst = ext;
	if (!p->has_ports)
		return C_NUM;
	for (int attempt = 0; attempt < 2; attempt++) {
		pl->map = e->apdm ?
			  nat_map_private(&e->nat, p->proto, o->src, o->sport,
					  ext, w, &why) :
			  nat_map_get(&e->nat, p->proto, o->src, o->sport, ext,
				      w, &why);
		if (pl->map != NAT_NONE) {
			pl->t[CT_REPLY].dst = nat_map_ext_addr(&e->nat, pl->map);
			pl->t[CT_REPLY].dport = e->nat.m[pl->map].ext_port;
			pl->flags |= CT_F_MAP;
			if (e->perm && perm_take(e->perm, pl->map, o->dst))
				pl->xflags |= CT_X_PERM;
			return C_NUM;
		}
		if (why == NAT_FAIL_PORTS ?
		    !evict_for_port(e, p->proto, ext, o->src, w) :
		    !plan_evict_oldest(e))
			break;
	}
	return nat_fail_counter(why);
}


/**
 * plan_shifted_port() - The port a shifted range A-B/BASE maps @port to
 * @t:		a NAT target with IPT_NAT_PORTS and IPT_NAT_OFFSET
 * @port:	the packet's port, host order (DNAT: the destination's,
 *		SNAT and MASQUERADE: the source's)
 *
 * As Linux's nf_nat_l4proto_unique_tuple() with NF_NAT_RANGE_PROTO_OFFSET:
 * A + ((port - BASE) mod 65536) mod (B - A + 1); SNAT and MASQUERADE
 * keep BASE 0.
 * Return: the port, host order
 */
static uint16_t plan_shifted_port(const struct ipt_target *t, uint16_t port)
{
	uint32_t span = (uint32_t)t->u.nat.port_hi - t->u.nat.port_lo + 1;
	uint16_t off = (uint16_t)(port - t->u.nat.port_base);

	return (uint16_t)(t->u.nat.port_lo + off % span);
}

/*
 * The nat table's source translation for a new connection: MASQUERADE to
 * the first address of the way out, SNAT to the rule's address (one of a
 * range, chosen by the internal address so a host keeps its address).
 * A rule's port range (--to-ports, SNAT's :LO-HI) binds the port of a
 * mapping made here; an internal endpoint that has its mapping already
 * keeps it (endpoint-independent mapping, RFC 4787 REQ-1). The rule's
 * --random-fully, --random and shifted range say how a new mapping's port
 * is picked (nat.c); --persistent asks for what masq always does: a
 * client's address in a range is chosen by the client's address alone.
 * @host: the router host's own connection (nat.c: it may keep a port its
 * sockets hold).
 * Return: C_NUM, or the counter to drop the packet with
 */
enum masq_counter plan_snat(struct masq_engine *e, const struct pkt *p,
			    struct conn_plan *pl, const struct ipt_target *t,
			    int out, bool host)
{
	struct nat_want w = { .host = host };
	uint32_t ext;

	if (t->kind == IPT_T_SNAT && (t->u.nat.flags & IPT_NAT_ADDR)) {
		uint32_t span = t->u.nat.addr_hi - t->u.nat.addr_lo + 1;

		ext = htonl(t->u.nat.addr_lo +
			    (span ? ntohl(pl->t[CT_ORIG].src) % span : 0));
	} else {
		ext = net_iface_primary(&e->net, out);
	}
	if (!ext)
		return e->net.ifs[out].dhcp ? C_drop_no_address : C_drop_no_route;
	if ((t->u.nat.flags & IPT_NAT_PORTS) && p->proto != IPPROTO_ICMP_) {
		w.lo = t->u.nat.port_lo;
		w.hi = t->u.nat.port_hi;
		if (t->u.nat.flags & IPT_NAT_OFFSET)
			w.pref = plan_shifted_port(t, ntohs(pl->t[CT_ORIG].sport));
	}
	w.pick = (t->u.nat.flags & IPT_NAT_RANDOM_FULLY) ? NAT_PICK_RANDOM :
		 (t->u.nat.flags & IPT_NAT_RANDOM) ? NAT_PICK_HASH :
		 NAT_PICK_KEEP;
	return plan_masq_source(e, p, pl, ext, &w);
}

/*
 * plan_take_counts() - The counts a new connection takes: its internal
 * host's host-cap when it is opened from inside, its remote source's
 * inbound-halfopen when it comes in from outside through a destination
 * translation (DNAT, or a mapping the filtering admits) or to the router
 * host itself. Too many
 * remote sources half-open at once makes room as a full table does.
 * Return: C_NUM, or the counter to drop the packet with
 */
enum masq_counter plan_take_counts(struct masq_engine *e, const struct pkt *p,
				   struct conn_plan *pl, enum ct_dir dir)
{
	enum iface_role role = e->net.ifs[p->buf->iface].role;
	bool dnat = dir == CT_REPLY || (pl->xflags & CT_X_TO_HOST) ||
		    pl->t[CT_REPLY].src != pl->t[CT_ORIG].dst;
	enum quota_fail why;
	uint32_t remote;

	if (role == ROLE_INTERNAL && dir == CT_ORIG) {
		why = quota_take(&e->hosts, pl->t[CT_ORIG].src);
		if (why != QUOTA_OK)
			return why == QUOTA_AT_LIMIT ? C_drop_host_cap :
						       C_drop_table_full;
		pl->xflags |= CT_X_HOSTCNT;
	} else if (role == ROLE_EXTERNAL && dnat) {
		remote = conn_remote(pl->t, pl->xflags);
		why = quota_take(&e->halfopen, remote);
		if (why == QUOTA_FULL && plan_evict_oldest(e))
			why = quota_take(&e->halfopen, remote);
		if (why != QUOTA_OK)
			return C_drop_inbound_halfopen;
		pl->xflags |= CT_X_HALFOPEN;
	}
	return C_NUM;
}


/* ---- destination translations -------------------------------------------- */

/* Is @addr an address of an external interface (a masquerade address)? */
static bool is_masq_addr(const struct masq_engine *e, uint32_t addr)
{
	int i;

	return net_addr_is_local(&e->net, addr, &i) &&
	       e->net.ifs[i].role == ROLE_EXTERNAL;
}


/* The mapping a TCP/UDP packet to a masquerade address is addressed to */
static uint32_t target_mapping(const struct masq_engine *e,
			       const struct pkt *p)
{
	if (p->proto != IPPROTO_TCP_ && p->proto != IPPROTO_UDP_)
		return NAT_NONE;
	if (!is_masq_addr(e, p->ip->daddr))
		return NAT_NONE;
	return nat_map_by_ext(&e->nat, p->proto, p->ip->daddr, p->dport);
}


/*
 * From outside to a masquerade address: does the filtering admit it to
 * the mapping it is addressed to? Then it opens a connection the reply
 * way, as if the internal host had sent first.
 */
enum plan_verdict plan_inbound(struct masq_engine *e, struct pkt *p,
			       const struct ct_tuple *t, uint64_t hash,
			       struct fw_pkt *fp, struct plan_way *way)
{
	struct conn_plan *pl = &way->pl;
	enum masq_counter why;
	const struct nat_map *m;
	const struct route *r;
	uint32_t mi;

	if (e->filtering == FILTER_APDF)
		return PLAN_NOT_MINE;
	mi = target_mapping(e, p);
	if (mi == NAT_NONE)
		return PLAN_NOT_MINE;
	if (e->filtering == FILTER_ADF &&
	    !(e->perm && perm_has(e->perm, mi, t->src)))
		return PLAN_NOT_MINE;
	if (net_addr_is_local(&e->net, e->nat.m[mi].int_addr, NULL))
		return PLAN_NOT_MINE;	/* the host's own socket: INPUT decides */
	if (!conn_may_open(e, p, false, &why)) {
		conn_invalid(e, p, why);
		return PLAN_TAKEN;
	}
	m = &e->nat.m[mi];
	r = net_route_lookup(&e->net, m->int_addr);
	if (!r) {
		eng_drop(e, p->buf, C_drop_no_route);
		return PLAN_TAKEN;
	}
	plan_init(pl, &(struct ct_tuple){ m->int_addr, t->src, m->int_port,
					  t->sport });
	pl->t[CT_REPLY] = *t;
	pl->hash[CT_REPLY] = hash;
	pl->xflags = CT_X_INBOUND;
	/* the connection holds the mapping it came in by, whatever its kind */
	e->nat.m[mi].refs++;
	pl->map = mi;
	pl->flags |= CT_F_MAP;
	if (e->perm && perm_take(e->perm, mi, t->src))
		pl->xflags |= CT_X_PERM;
	count(e, C_conn_inbound);
	fw_pkt_dnat(fp, m->int_addr, m->int_port);
	way->dir = CT_REPLY;
	way->r = r;
	return PLAN_OPEN;
}

/*
 * From inside to a masquerade address: hairpinning (RFC 4787 REQ-9).
 * The packet goes to the internal host behind the mapping, with its
 * source masqueraded too (REQ-9b), so the target sees the external
 * address and port, as it would from outside.
 */
enum plan_verdict plan_hairpin(struct masq_engine *e, struct pkt *p,
			       const struct ct_tuple *t, uint64_t hash,
			       struct fw_pkt *fp, struct plan_way *way)
{
	uint32_t mi = target_mapping(e, p);
	struct conn_plan *pl = &way->pl;
	struct nat_want any = { 0 };
	enum masq_counter why;
	const struct route *r;
	uint32_t dst_addr;
	uint16_t dst_port;

	if (mi == NAT_NONE ||
	    net_addr_is_local(&e->net, e->nat.m[mi].int_addr, NULL))
		return PLAN_NOT_MINE;	/* none, or the host's own socket */
	if (!conn_may_open(e, p, true, &why)) {
		conn_invalid(e, p, why);
		return PLAN_TAKEN;
	}
	dst_addr = e->nat.m[mi].int_addr;
	dst_port = e->nat.m[mi].int_port;
	r = net_route_lookup(&e->net, dst_addr);
	if (!r) {
		eng_drop(e, p->buf, C_drop_no_route);
		return PLAN_TAKEN;
	}
	plan_init(pl, t);
	pl->hash[CT_ORIG] = hash;
	why = plan_masq_source(e, p, pl, t->dst, &any);
	if (why != C_NUM) {
		conn_no_room(e, p, why);
		return PLAN_TAKEN;
	}
	/* mi is still valid: the source's mapping was found or made apart */
	if (nat_map_get(&e->nat, p->proto, dst_addr, dst_port, t->dst, &any,
			&(enum nat_fail){ NAT_OK }) != NAT_NONE)
		pl->xflags |= CT_X_DMAP;
	pl->t[CT_REPLY].src = dst_addr;
	pl->t[CT_REPLY].sport = dst_port;
	count(e, C_conn_hairpin);
	fw_pkt_dnat(fp, dst_addr, dst_port);
	way->dir = CT_ORIG;
	way->r = r;
	return PLAN_OPEN;
}

/*
 * The nat table's destination translation of a first packet: DNAT to the
 * rule's address (one of a range, by the source address) and port (one
 * of a range, by the source port; a shifted range's by the destination
 * port, plan_shifted_port(); else the packet's own), REDIRECT to the
 * arrival interface's first address.
 * Return: false when there is no address to translate to
 */
bool plan_dnat_target(const struct masq_engine *e, const struct pkt *p,
		      const struct ipt_target *t, uint32_t *addr,
		      uint16_t *port)
{
	uint32_t span;

	*port = p->dport;
	if (t->kind == IPT_T_REDIRECT) {
		*addr = p->host ?
			net_host_redirect_addr(&e->net, (int)p->buf->iface) :
			net_iface_primary(&e->net, (int)p->buf->iface);
	} else {
		span = t->u.nat.addr_hi - t->u.nat.addr_lo + 1;
		*addr = htonl(t->u.nat.addr_lo +
			      (span ? ntohl(p->ip->saddr) % span : 0));
	}
	if ((t->u.nat.flags & (IPT_NAT_PORTS | IPT_NAT_OFFSET)) ==
	    (IPT_NAT_PORTS | IPT_NAT_OFFSET) && p->has_ports &&
	    p->proto != IPPROTO_ICMP_) {
		*port = htons(plan_shifted_port(t, ntohs(p->dport)));
	} else if ((t->u.nat.flags & IPT_NAT_PORTS) && p->has_ports &&
		   p->proto != IPPROTO_ICMP_) {
		span = (uint32_t)t->u.nat.port_hi - t->u.nat.port_lo + 1;
		*port = htons((uint16_t)(t->u.nat.port_lo +
					 ntohs(p->sport) % span));
	}
	return *addr != 0;
}


/**
 * plan_forward() - An ipmasqadm forward for a first packet no DNAT or
 * REDIRECT rule took (fwd.c: portfw, then mfw, then autofw)
 * @e:		engine
 * @p:		the packet
 * @fp:		the filter's view: its mark (the mangle table's), and
 *		the translation once taken (state DNAT, as a DNAT rule's)
 * @addr:	set to where it goes
 * @port:	... and the port
 * @turn:	set to the forward's turn, for the plan (conn_commit()
 *		takes it once the connection is made)
 *
 * Only TCP and UDP to one of the router's addresses. A forward takes its
 * port from a host socket's (ipmasqadm(8), BUGS: the masq modules take
 * precedence before sockets).
 * Return: true when a forward took it
 */
bool plan_forward(struct masq_engine *e, const struct pkt *p,
		  struct fw_pkt *fp, uint32_t *addr, uint16_t *port,
		  struct fwd_turn *turn)
{
	const struct fwd *f = e->fwd;

	if (!f->portfw.n && !f->mfw.n && !f->nauto)
		return false;
	if ((p->proto != IPPROTO_TCP_ && p->proto != IPPROTO_UDP_) ||
	    !net_addr_is_router(&e->net, p->ip->daddr))
		return false;
	if (!fwd_pick(e, p, fp->mark, addr, port, turn))
		return false;
	fw_pkt_dnat(fp, *addr, *port);
	return true;
}

/**
 * plan_expected() - A first packet a helper expects (expect.c): opened
 * the reply way, to the target, as an admitted inbound packet is, and
 * holding the target's mapping the expectation held
 * @e:		engine
 * @p:		the packet, from outside, no connection yet
 * @t:		its tuple
 * @hash:	its hash, or 0
 * @fp:		the filter's view: state RELATED, its destination becomes
 *		the target's
 * @way:	the plan, when PLAN_OPEN
 *
 * The expectation is used up whatever happens next.
 */
enum plan_verdict plan_expected(struct masq_engine *e, struct pkt *p,
				const struct ct_tuple *t, uint64_t hash,
				struct fw_pkt *fp, struct plan_way *way)
{
	struct alg_expect *x = alg_expect_find(e, p->proto, t->src, t->dst,
					       t->dport);
	struct conn_plan *pl = &way->pl;
	enum masq_counter why;

	if (!x)
		return PLAN_NOT_MINE;
	if (!conn_may_open(e, p, false, &why)) {
		conn_invalid(e, p, why);
		return PLAN_TAKEN;
	}
	way->r = net_route_lookup(&e->net, x->to_addr);
	if (!way->r) {
		eng_drop(e, p->buf, C_drop_no_route);
		return PLAN_TAKEN;
	}
	plan_init(pl, &(struct ct_tuple){ x->to_addr, t->src, x->to_port,
					  t->sport });
	pl->t[CT_REPLY] = *t;
	pl->hash[CT_REPLY] = hash;
	pl->xflags = CT_X_INBOUND;
	pl->map = x->map;
	pl->flags |= CT_F_MAP;
	fw_pkt_dnat(fp, x->to_addr, x->to_port);
	alg_child(e, x, &pl->t[CT_ORIG]);
	alg_expect_drop(e, (uint32_t)(x - e->alg->exp), true);
	count(e, C_conn_related);
	way->dir = CT_REPLY;
	return PLAN_OPEN;
}
