// SPDX-License-Identifier: MIT
/*
 * conn.c - what happens to an IPv4 packet: tracking and NAT decisions
 *
 * Theory of operation: a tracked packet (TCP, UDP, ICMP echo, and other
 * protocols by their addresses) is looked up in the connection table by
 * its tuple. Found: it belongs to a connection; the filter (fw.c) sees it
 * at FORWARD and it goes the way its entry says, translated (xlate.c).
 * Not found: the filter's hooks decide in netfilter's order, with the
 * nat table asked this once (conn_first()):
 *
 *	PREROUTING	mangle; nat: DNAT, REDIRECT
 *	to the router	a mapping the filtering mode admits (RFC 4787
 *			REQ-8: address-and-port-dependent, the default,
 *			admits none; address-dependent, the addresses the
 *			mapping sent to; endpoint-independent, any), or a
 *			mapping hairpinned to from inside (REQ-9: the source
 *			masqueraded too, so the target sees the external
 *			address and port); else INPUT, and what it accepts
 *			is answered as a closed port (local.c)
 *	else		FORWARD, then POSTROUTING: nat MASQUERADE or SNAT
 *
 * The zero-configuration policy of the Debian ipmasq package is the
 * default ruleset (fwctl.c): internal hosts out, masqueraded; nothing in
 * unasked. A packet that cannot open a connection (a TCP segment without
 * SYN, an echo reply) is INVALID: the filter sees it, it is never
 * forwarded.
 *
 * A connection is planned (struct conn_plan: both tuples and the
 * references it takes: a mapping, a port, a permission) and then
 * committed; a plan that fails gives back what it took, so nothing leaks
 * and the packet is dropped with the reason counted.
 *
 * Before any state is made, the checks that could answer with an ICMP
 * error run on the packet as it arrived (TTL, MTU), so errors quote what
 * the sender sent. Packets on an internal interface whose source does
 * not route back through it are dropped (BCP 38) before they can open a
 * connection.
 *
 * Mapping (nat.c): endpoint-independent by default; address-and-port-
 * dependent on request ("set mapping address-and-port-dependent"), where
 * each connection takes a private mapping of its own. Protocols without
 * ports are masqueraded by address: one internal host per (protocol,
 * remote address).
 *
 * Room (what a stranger can make the table hold): a connection
 * established both ways (assured, ct.h) is never evicted; when ports,
 * mappings or entries run out, a closed connection gives way first (for
 * a port, the host's own first), then the oldest half-open one. Three
 * counts bound one address: conntrack-max (the table), host-cap (the
 * live connections an internal host opened: conn_count_plan()) and
 * inbound-halfopen (the half-open ones a remote source opened through a
 * destination translation). When nothing may go, a sender of ours hears
 * ICMP administratively prohibited (RFC 5508 REQ-8): conn_no_room().
 *
 * TCP (tcp.c): a connection opens with a SYN (or, with pickup on, an ACK
 * from inside); every later packet must fall in the sequence windows. A
 * SYN meeting a connection in TIME_WAIT or CLOSE replaces it, so clients
 * may reuse ports quickly.
 */
#include <arpa/inet.h>
#include <string.h>

#include "conn.h"
#include "eng.h"
#include "frag.h"
#include "perm.h"
#include "tcp.h"
#include "xlate.h"

#define CONN_EXPIRE_PER_CALL	1024
#define CONN_EVICT_SCAN		64	/* FIFO entries looked at per class */
#define CONN_EVICT_PER_NEW	4	/* entries a new connection may evict */

/* ---- per-packet state ---------------------------------------------------- */

static enum ct_class udp_class(const struct ct_entry *ce)
{
	if (ce->t[CT_ORIG].dport == htons(53))
		return CT_CLASS_UDP_DNS;
	if (ce->xflags & CT_X_ASSURED)
		return CT_CLASS_UDP;
	return ce->flags & CT_F_REPLIED ? CT_CLASS_UDP_REPLIED :
					  CT_CLASS_UDP_UNREPLIED;
}

/*
 * The class of a connection with no state machine of its own: TCP's and
 * ICMP's come from the caller (@cls), UDP's and the address-only
 * protocols' from what the connection has seen.
 */
static inline enum ct_class conn_class(const struct ct_entry *ce,
				       enum ct_class cls)
{
	if (ce->proto == IPPROTO_TCP_ || ce->proto == IPPROTO_ICMP_)
		return cls;
	if (ce->proto == IPPROTO_UDP_)
		return udp_class(ce);
	return ce->xflags & CT_X_ASSURED ? CT_CLASS_GENERIC :
					   CT_CLASS_GENERIC_NEW;
}

/* The remote source an inbound connection's half-open count is kept for */
static uint32_t conn_remote(const struct ct_tuple *t, uint8_t xflags)
{
	return xflags & CT_X_INBOUND ? t[CT_ORIG].dst : t[CT_ORIG].src;
}

/*
 * The opener spoke again after a reply: the connection is established
 * both ways (ct_is_assured()), no longer evictable, no longer half-open
 * for its source's inbound-halfopen count. For TCP only once the
 * handshake is done: a retransmitted SYN after the SYN-ACK is no proof
 * (a spoofer sends it blind). Once per connection, off the short path's
 * way (noinline).
 */
static __attribute__((noinline)) void conn_assure(struct masq_engine *e,
						  struct ct_entry *ce)
{
	if (ce->proto == IPPROTO_TCP_ &&
	    (ce->state == TCPS_SYN_SENT || ce->state == TCPS_SYN_RECV ||
	     !(ce->tcp[0].wsf & ce->tcp[1].wsf & CT_TCP_SEEN)))
		return;
	ce->xflags |= CT_X_ASSURED;
	if (ce->xflags & CT_X_HALFOPEN) {
		quota_give(&e->halfopen, conn_remote(ce->t, ce->xflags));
		ce->xflags &= (uint8_t)~CT_X_HALFOPEN;
	}
}

/*
 * A packet the tracking let through: mark a reply, or the opener's word
 * after one (assured), count it, and put the connection in timeout class
 * @cls (UDP's and the address-only protocols' follow from the entry).
 */
static inline __attribute__((always_inline)) void
conn_account(struct masq_engine *e, uint32_t idx, enum ct_dir dir,
	     const struct pkt *p, enum ct_class cls)
{
	struct ct_entry *ce = &e->ct.e[idx];
	enum ct_dir opened = ce->xflags & CT_X_INBOUND ? CT_REPLY : CT_ORIG;

	if (dir != opened)
		ce->flags |= CT_F_REPLIED;
	else if (!(ce->xflags & CT_X_ASSURED) && (ce->flags & CT_F_REPLIED))
		conn_assure(e, ce);
	cls = conn_class(ce, cls);
	if (e->ct.acct) {
		e->ct.acct[idx].pkts[dir]++;
		e->ct.acct[idx].bytes[dir] += p->ip_len;
	}
	ct_set_class(&e->ct, idx, cls, e->now_s);
}

/*
 * A TCP connection is over (TIME_WAIT, CLOSE): it no longer counts
 * against its host's host-cap, though it keeps its entry and mapping
 * until it expires or its port is needed (conn_evict_for_port()).
 */
static void conn_uncount_closed(struct masq_engine *e, struct ct_entry *ce)
{
	if (!(ce->xflags & CT_X_HOSTCNT) || !ct_is_closed(ce))
		return;
	quota_give(&e->hosts, ce->t[CT_ORIG].src);
	ce->xflags &= (uint8_t)~CT_X_HOSTCNT;
}

/*
 * Move a connection's state for a packet, then account it.
 * Return: C_NUM when the packet goes on, else the counter to drop it with
 */
enum masq_counter conn_update(struct masq_engine *e, uint32_t idx,
				     enum ct_dir dir, const struct pkt *p)
{
	struct ct_entry *ce = &e->ct.e[idx];
	enum ct_class cls = (enum ct_class)ce->cls;
	enum masq_counter why;

	if (ce->proto == IPPROTO_TCP_) {
		why = tcp_track(e, idx, dir, p, &cls);
		if (why != C_NUM)
			return why;
		conn_uncount_closed(e, ce);
	}
	conn_account(e, idx, dir, p, cls);
	return C_NUM;
}

/* ---- plans: what a new connection takes --------------------------------- */

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

/*
 * Give back the references of a connection's tuples and flags. Its own
 * mapping is the one known outside as the reply's destination (whether
 * shared, private, or taken from outside by an admitted packet); a
 * hairpin's target mapping is found by the reply's source; the counts
 * of its host (host-cap) and of its remote source (inbound-halfopen) by
 * the original tuple.
 */
void conn_put_refs(struct masq_engine *e, uint8_t proto,
			  const struct ct_tuple *t, uint8_t flags,
			  uint8_t xflags)
{
	const struct ct_tuple *o = &t[CT_ORIG], *r = &t[CT_REPLY];

	if (xflags & CT_X_HOSTCNT)
		quota_give(&e->hosts, o->src);
	if (xflags & CT_X_HALFOPEN)
		quota_give(&e->halfopen, conn_remote(t, xflags));

	if (flags & CT_F_MAP) {
		uint32_t m = nat_map_by_ext(&e->nat, proto, r->dst, r->dport);

		if (m != NAT_NONE) {
			if ((xflags & CT_X_PERM) && e->perm)
				perm_give(e->perm, m, o->dst);
			nat_map_put(&e->nat, m);
		}
	}
	if (xflags & CT_X_DMAP) {
		uint32_t m = nat_map_find(&e->nat, proto, r->src, r->sport);

		if (m != NAT_NONE)
			nat_map_put(&e->nat, m);
	}
}

/**
 * conn_release() - Forget a connection and what it holds
 * @e:		engine
 * @idx:	live entry
 */
void conn_release(struct masq_engine *e, uint32_t idx)
{
	struct ct_entry *ce = &e->ct.e[idx];

	conn_put_refs(e, ce->proto, ce->t, ce->flags, ce->xflags);
	ct_free(&e->ct, idx);
}

/* Expire connections whose time is up: bounded work per call */
void conn_advance(struct masq_engine *e)
{
	for (int i = 0; i < CONN_EXPIRE_PER_CALL; i++) {
		uint32_t idx = ct_expire_one(&e->ct, e->now_s);

		if (idx == CT_NONE)
			break;
		conn_release(e, idx);
		count(e, C_conn_expired);
	}
}

/*
 * Does connection @i alone hold a port of @ext_addr for @proto that a new
 * mapping could take (so that releasing it frees one)?
 */
static bool conn_holds_port(const struct masq_engine *e, uint32_t i,
			    uint8_t proto, uint32_t ext_addr)
{
	const struct ct_entry *ce = &e->ct.e[i];
	uint32_t m;

	if (ce->proto != proto || !(ce->flags & CT_F_MAP) ||
	    ce->t[CT_REPLY].dst != ext_addr ||
	    !nat_port_in_play(&e->nat, proto, ce->t[CT_REPLY].dport))
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
static void conn_scan_for_port(const struct masq_engine *e, enum ct_class c,
			       uint8_t proto, uint32_t ext_addr, uint32_t host,
			       bool closed, uint32_t *own, uint32_t *any)
{
	uint32_t i = e->ct.fifo[c].head;

	for (int n = 0; n < CONN_EVICT_SCAN && i != CT_LINK_NONE &&
			*own == CT_NONE; n++) {
		const struct ct_entry *ce = &e->ct.e[i];

		if ((!closed || ct_is_closed(ce)) &&
		    conn_holds_port(e, i, proto, ext_addr)) {
			if (ce->t[CT_ORIG].src == host)
				*own = i;
			else if (*any == CT_NONE)
				*any = i;
		}
		i = ct_link_get(ce, CT_NEXT);
	}
}

/* Release connection @i for a port or an entry, counted by @c */
static void conn_evict(struct masq_engine *e, uint32_t i, enum masq_counter c)
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
static bool conn_evict_for_port(struct masq_engine *e, uint8_t proto,
				uint32_t ext_addr, uint32_t host)
{
	static const enum ct_class closed[] = {
		CT_CLASS_TCP_TIME_WAIT, CT_CLASS_TCP_CLOSE,
	};
	uint32_t own = CT_NONE, any = CT_NONE;

	for (size_t c = 0; c < sizeof(closed) / sizeof(*closed); c++)
		conn_scan_for_port(e, closed[c], proto, ext_addr, host, true,
				   &own, &any);
	for (int c = 0; c < CT_HALFOPEN_CLASSES && own == CT_NONE &&
			any == CT_NONE; c++)
		conn_scan_for_port(e, ct_halfopen_classes[c], proto, ext_addr,
				   host, false, &own, &any);
	if (own == CT_NONE)
		own = any;
	if (own == CT_NONE)
		return false;
	conn_evict(e, own, C_conn_evicted_ports);
	return true;
}

/*
 * Room for one more connection (a full table, the mappings run out, too
 * many remote sources half-open): the oldest closed connection goes,
 * else the oldest half-open one. An assured connection never does.
 * Return: true when one went
 */
static bool conn_evict_oldest(struct masq_engine *e)
{
	uint32_t victim = ct_oldest_closed(&e->ct);

	if (victim == CT_NONE)
		victim = ct_oldest_halfopen(&e->ct);
	if (victim == CT_NONE)
		return false;
	conn_evict(e, victim, C_conn_evicted);
	return true;
}

static enum masq_counter nat_fail_counter(enum nat_fail why)
{
	return why == NAT_FAIL_PORTS ? C_drop_ports_exhausted : C_drop_table_full;
}

/*
 * plan_masq_source() - Masquerade the plan's source to @ext
 * Takes the endpoint's mapping (EIM) or a private one (APDM), evicting
 * once if the address's ports or the mappings ran out. Protocols without
 * ports keep none.
 * Return: C_NUM, or the counter to drop the packet with
 */
enum masq_counter plan_masq_source(struct masq_engine *e,
					  const struct pkt *p,
					  struct conn_plan *pl, uint32_t ext)
{
	const struct ct_tuple *o = &pl->t[CT_ORIG];
	enum nat_fail why = NAT_OK;

	pl->t[CT_REPLY].dst = ext;
	if (!p->has_ports)
		return C_NUM;
	for (int attempt = 0; attempt < 2; attempt++) {
		pl->map = e->apdm ?
			  nat_map_private(&e->nat, p->proto, o->src, o->sport,
					  ext, &why) :
			  nat_map_get(&e->nat, p->proto, o->src, o->sport, ext,
				      &why);
		if (pl->map != NAT_NONE) {
			pl->t[CT_REPLY].dst = nat_map_ext_addr(&e->nat, pl->map);
			pl->t[CT_REPLY].dport = e->nat.m[pl->map].ext_port;
			pl->flags |= CT_F_MAP;
			if (e->perm && perm_take(e->perm, pl->map, o->dst))
				pl->xflags |= CT_X_PERM;
			return C_NUM;
		}
		if (why == NAT_FAIL_PORTS ?
		    !conn_evict_for_port(e, p->proto, ext, o->src) :
		    !conn_evict_oldest(e))
			break;
	}
	return nat_fail_counter(why);
}

/*
 * A free entry: when the table holds its limit (conntrack-max), the
 * oldest closed or half-open entries make room, up to CONN_EVICT_PER_NEW
 * for one new connection, so a limit lowered under the count drains a
 * few entries at each new connection without refusing any while there
 * is something to evict.
 * Return: the entry, or CT_NONE when the table is over its limit with
 * nothing left that may go
 */
static uint32_t conn_alloc(struct masq_engine *e)
{
	for (int n = 0; e->ct.count >= e->ct.limit; n++) {
		if (!conn_evict_oldest(e))
			return CT_NONE;		/* nothing may go */
		if (n + 1 == CONN_EVICT_PER_NEW)
			break;			/* more next time */
	}
	return ct_alloc(&e->ct, e->now_s);
}

static enum ct_class conn_first_class(uint8_t proto, uint16_t dport)
{
	switch (proto) {
	case IPPROTO_TCP_:
		return CT_CLASS_TCP_SYN;
	case IPPROTO_UDP_:
		return dport == htons(53) ? CT_CLASS_UDP_DNS :
					    CT_CLASS_UDP_UNREPLIED;
	case IPPROTO_ICMP_:
		return CT_CLASS_ICMP;
	default:
		return CT_CLASS_GENERIC_NEW;
	}
}

/*
 * No room for a new connection (host-cap, the ports, the table, the way
 * back taken): a sender of ours hears it at once, an ICMP destination
 * unreachable, administratively prohibited (RFC 5508 REQ-8), so its
 * connect() fails instead of retransmitting into silence; a packet from
 * outside is dropped quietly (its source may be spoofed: no backscatter).
 * Both are counted with @why.
 */
void conn_no_room(struct masq_engine *e, struct pkt *p,
			 enum masq_counter why)
{
	if (e->net.ifs[p->buf->iface].role == ROLE_INTERNAL)
		icmp_send_error(e, p, ICMP_UNREACH, ICMP_UNREACH_FILTER_PROHIB, 0);
	eng_drop(e, p->buf, why);
}

/**
 * conn_commit() - Make the planned connection
 * Return: entry index, or CT_NONE (the packet was dropped and counted,
 * the plan's references given back)
 */
uint32_t conn_commit(struct masq_engine *e, struct pkt *p,
			    struct conn_plan *pl)
{
	uint32_t idx = conn_alloc(e);
	enum ct_dir dir;
	struct ct_entry *ce;

	if (idx != CT_NONE && p->by_addr &&
	    ct_lookup(&e->ct, p->proto, &pl->t[CT_REPLY], &dir) != CT_NONE) {
		/* the way back is someone else's: address-only protocols */
		ct_abandon(&e->ct, idx);
		conn_put_refs(e, p->proto, pl->t, pl->flags, pl->xflags);
		conn_no_room(e, p, C_drop_proto_busy);
		return CT_NONE;
	}
	if (idx == CT_NONE)
		goto full;
	ce = &e->ct.e[idx];
	ce->proto = p->proto;
	ce->t[CT_ORIG] = pl->t[CT_ORIG];
	ce->t[CT_REPLY] = pl->t[CT_REPLY];
	ce->flags = pl->flags;
	ce->xflags = pl->xflags;
	if (p->proto == IPPROTO_TCP_)
		tcp_open(ce, p);
	xlate_prepare(ce);
	if (!ct_insert(&e->ct, idx, pl->hash,
		       conn_first_class(p->proto, pl->t[CT_ORIG].dport),
		       e->now_s)) {
		count(e, C_conn_new);
		return idx;
	}
full:
	conn_put_refs(e, p->proto, pl->t, pl->flags, pl->xflags);
	conn_no_room(e, p, C_drop_table_full);
	return CT_NONE;
}

/* ---- forwarding ------------------------------------------------------------ */

/*
 * The checks whose failure the sender hears about, made on the packet
 * as it arrived: its TTL, and its size against the way out.
 * Return: true if the packet may be forwarded by route @r
 */
static bool conn_may_forward(struct masq_engine *e, struct pkt *p,
			     const struct route *r)
{
	const struct iface *out = &e->net.ifs[r->iface];

	if (p->ip->ttl <= 1) {
		icmp_send_error(e, p, ICMP_TIMXCEED, 0, 0);
		eng_drop(e, p->buf, C_drop_ttl_expired);
		return false;
	}
	/* a GSO frame by its segments, a reassembled one by its fragments */
	if (p->ip_len > out->mtu && (ntohs(p->ip->frag_off) & IP_DF) &&
	    frag_wire_len(e, p) > out->mtu) {
		icmp_send_error(e, p, ICMP_UNREACH, ICMP_UNREACH_NEEDFRAG,
				out->mtu);
		eng_drop(e, p->buf, C_drop_mtu);
		return false;
	}
	return true;		/* too big without DF: frag.c splits it */
}

/* ---- the filter's say (fw.c) --------------------------------------------- */

/*
 * The state a packet going way @dir has for the filter, when its
 * connection has @flags (CT_F_*) and @xflags (CT_X_*): NEW until the
 * connection saw a reply, then ESTABLISHED; DNAT and SNAT
 * when its addresses are translated that way (an inbound connection
 * admitted to a mapping came in by a destination translation).
 */
static uint8_t conn_fw_state_of(uint8_t flags, uint8_t xflags, enum ct_dir dir)
{
	enum ct_dir opened = xflags & CT_X_INBOUND ? CT_REPLY : CT_ORIG;
	uint8_t st = dir == opened && !(flags & CT_F_REPLIED) ?
		     IPT_ST_NEW : IPT_ST_ESTABLISHED;

	if (xflags & CT_X_INBOUND)
		return st | IPT_ST_DNAT;
	if (flags & CT_F_SNAT)
		st |= IPT_ST_SNAT;
	if (flags & CT_F_DNAT)
		st |= IPT_ST_DNAT;
	return st;
}

/* The bits conn_fw_state_of() reads, as an index of e->fw_states[] */
#define CONN_FW_FLAGS	(CT_F_REPLIED | CT_F_SNAT | CT_F_DNAT)
_Static_assert(CONN_FW_FLAGS == 7 && CT_X_INBOUND == 1 && CT_REPLY == 1,
	       "conn_fw_state()'s index packs these bits");

static unsigned conn_fw_index(uint8_t flags, uint8_t xflags, enum ct_dir dir)
{
	return (flags & CONN_FW_FLAGS) | (xflags & CT_X_INBOUND) << 3 |
	       (unsigned)dir << 4;
}

/* Fill e->fw_states[]: conn_fw_state_of() for every index */
void conn_fw_states_init(struct masq_engine *e)
{
	for (unsigned i = 0; i < CONN_FW_STATES; i++)
		e->fw_states[i] = conn_fw_state_of(i & CONN_FW_FLAGS, i >> 3 & 1,
						   (enum ct_dir)(i >> 4 & 1));
}

/* conn_fw_state_of() for a packet of @ce, from the engine's table */
static inline uint8_t conn_fw_state(const struct masq_engine *e,
				    const struct ct_entry *ce, enum ct_dir dir)
{
	return e->fw_states[conn_fw_index(ce->flags, ce->xflags, dir)];
}

/* conn_fw_state(), for host.c */
uint8_t conn_fw_state_for(const struct masq_engine *e,
			  const struct ct_entry *ce, enum ct_dir dir)
{
	return conn_fw_state(e, ce, dir);
}

/* The filter refused packet @fp: answer if it said REJECT, and drop */
void conn_fw_refuse(struct masq_engine *e, struct fw_pkt *fp)
{
	struct pkt *p = fp->p;

	if (fp->action != FW_REJECT) {
		eng_drop(e, p->buf, C_drop_filter);
		return;
	}
	local_reject(e, p, fp->reject_with);
	eng_drop(e, p->buf, C_drop_rejected);
}

/*
 * Walk the hooks a forwarded packet of a known connection passes:
 * PREROUTING (mangle), FORWARD, POSTROUTING (mangle); the nat table not,
 * as in netfilter. The filter sees the destination already translated
 * and the source not yet.
 * Return: true when the packet goes on; else it was dropped (and
 * answered, for REJECT)
 */
static bool conn_filter_walk(struct masq_engine *e, struct pkt *p,
			     const struct ct_entry *ce, enum ct_dir dir,
			     int out, uint8_t st)
{
	struct fw_pkt fp;

	fw_pkt_init(&fp, p, (uint8_t)p->buf->iface, (uint8_t)out, st);
	fw_run_hook(e, e->fw, IPT_PREROUTING, false, &fp);
	if (fp.action == FW_ACCEPT) {
		fp.daddr = ce->t[!dir].src;
		if (p->proto != IPPROTO_ICMP_)
			fp.dport = ce->t[!dir].sport;
		fw_run_hook(e, e->fw, IPT_FORWARD, false, &fp);
	}
	if (fp.action == FW_ACCEPT)
		fw_run_hook(e, e->fw, IPT_POSTROUTING, false, &fp);
	if (fp.action == FW_ACCEPT || fp.action == FW_NAT)
		return true;
	conn_fw_refuse(e, &fp);
	return false;
}

/*
 * The filter's say on a forwarded packet of a known connection: when its
 * state alone decides the walk (fw.h, struct fw_fast), only counters
 * move, and those once per batch; else conn_filter_walk().
 */
static inline bool conn_filter(struct masq_engine *e, struct pkt *p,
			       const struct ct_entry *ce, enum ct_dir dir,
			       int out)
{
	uint8_t st = conn_fw_state(e, ce, dir);

	if (e->fw->fwd_fast[st].ok) {
		fw_fast_count(&e->fw_pend, st, p->ip_len);
		return true;
	}
	return conn_filter_walk(e, p, ce, dir, out, st);
}

/*
 * An INVALID packet (no connection for a TCP segment that cannot open
 * one, outside the window...): the filter sees it, so a rule can log or
 * count it, but it is never forwarded, whatever the rules say: masq does
 * not let untranslated packets out. Dropped with the reason @why.
 */
void conn_invalid(struct masq_engine *e, struct pkt *p,
			 enum masq_counter why)
{
	struct fw_pkt fp;

	if (e->fw->busy[IPT_FORWARD] || e->fw->busy[IPT_INPUT]) {
		const struct route *r = net_route_lookup(&e->net, p->ip->daddr);
		bool local = net_addr_is_router(&e->net, p->ip->daddr);

		fw_pkt_init(&fp, p, (uint8_t)p->buf->iface,
			    local || !r ? FW_NO_IF : r->iface, IPT_ST_INVALID);
		fw_run_hook(e, e->fw, IPT_PREROUTING, false, &fp);
		if (fp.action == FW_ACCEPT)
			fw_run_hook(e, e->fw, local ? IPT_INPUT : IPT_FORWARD, false,
				    &fp);
		if (fp.action == FW_REJECT) {
			conn_fw_refuse(e, &fp);
			return;
		}
	}
	eng_drop(e, p->buf, why);
}

/*
 * Translate, account and send a packet of connection @idx going way @dir;
 * @filtered: the filter had its say already (the connection's first
 * packet, in conn_open())
 */
static void conn_forward(struct masq_engine *e, struct pkt *p, uint32_t idx,
			 enum ct_dir dir, const struct route *r, bool filtered)
{
	struct ct_entry *ce = &e->ct.e[idx];
	uint32_t dst = ce->t[!dir].src;
	enum masq_counter why = conn_update(e, idx, dir, p);

	if (why != C_NUM) {
		conn_invalid(e, p, why);
		return;
	}
	if (!filtered && !conn_filter(e, p, ce, dir, r->iface))
		return;
	xlate_packet(p, ce, dir);
	eng_forward(e, p, r->iface, r->gw ? r->gw : dst);
}

/*
 * May a packet of connection @ce take the short path, conn_forward_est()?
 * When the general path would make no decision on its way: a TCP segment
 * without SYN, FIN or RST of a connection established both ways, or any
 * UDP datagram; with TTL to spare and no more than the way out's MTU, so
 * there is no ICMP error to send and nothing to fragment. Only frames of
 * the caller's batch ask (reassembled datagrams, in frag.c's buffers,
 * always leave through frag_output()). Nothing is changed here.
 */
static inline bool conn_est_plain(const struct masq_engine *e,
				  const struct pkt *p, const struct ct_entry *ce,
				  const struct route *r)
{
	if (p->ip->ttl <= 1 || p->ip_len > e->net.ifs[r->iface].mtu)
		return false;
	if (ce->proto == IPPROTO_TCP_)
		return tcp_is_plain_est(ce, p->tcp_flags);
	return ce->proto == IPPROTO_UDP_;
}

/*
 * conn_forward_est() - conn_forward() for a packet conn_est_plain()
 * admitted: the window check, accounting, rewrite, TTL and next hop in
 * one straight line of inline helpers, the same ones conn_forward()
 * reaches through tcp_track(), conn_update() and eng_forward(). This is
 * what nearly every packet of a busy router takes.
 */
static void conn_forward_est(struct masq_engine *e, struct pkt *p,
			     uint32_t idx, enum ct_dir dir,
			     const struct route *r)
{
	struct ct_entry *ce = &e->ct.e[idx];
	uint32_t nexthop = r->gw ? r->gw : ce->t[!dir].src;

	if (ce->proto == IPPROTO_TCP_ && !tcp_est_in_window(ce, dir, p)) {
		conn_invalid(e, p, C_drop_tcp_out_of_window);
		return;
	}
	if (!conn_filter(e, p, ce, dir, r->iface))
		return;
	conn_account(e, idx, dir, p, CT_CLASS_TCP_EST);	/* UDP: its own */
	xlate_packet_dec_ttl(p, ce, dir);
	count(e, C_forwarded);
	arp_output_inline(e, p->buf, r->iface, nexthop);
}

/*
 * The nat table's source translation for a new connection: MASQUERADE to
 * the first address of the way out, SNAT to the rule's address (one of a
 * range, chosen by the internal address so a host keeps its address).
 * A rule's port range (--to-ports, SNAT's :LO-HI) binds the port of a
 * mapping made here; an internal endpoint that has its mapping already
 * keeps it (endpoint-independent mapping, RFC 4787 REQ-1).
 * Return: C_NUM, or the counter to drop the packet with
 */
enum masq_counter conn_snat(struct masq_engine *e, const struct pkt *p,
				   struct conn_plan *pl,
				   const struct ipt_target *t, int out)
{
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
		enum masq_counter why;

		e->nat.req_lo = t->u.nat.port_lo;	/* nat.c's port_alloc() */
		e->nat.req_hi = t->u.nat.port_hi;
		why = plan_masq_source(e, p, pl, ext);
		e->nat.req_lo = e->nat.req_hi = 0;
		return why;
	}
	return plan_masq_source(e, p, pl, ext);
}

/*
 * conn_count_plan() - The counts a new connection takes: its internal
 * host's host-cap when it is opened from inside, its remote source's
 * inbound-halfopen when it comes in from outside through a destination
 * translation (DNAT, or a mapping the filtering admits) or to the router
 * host itself. Too many
 * remote sources half-open at once makes room as a full table does.
 * Return: C_NUM, or the counter to drop the packet with
 */
enum masq_counter conn_count_plan(struct masq_engine *e,
					 const struct pkt *p,
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
		if (why == QUOTA_FULL && conn_evict_oldest(e))
			why = quota_take(&e->halfopen, remote);
		if (why != QUOTA_OK)
			return C_drop_inbound_halfopen;
		pl->xflags |= CT_X_HALFOPEN;
	}
	return C_NUM;
}

/*
 * Route to where a planned connection's packet goes; let the filter
 * (FORWARD) and the nat table (POSTROUTING) have their say; commit; send.
 * @fp is the packet as the filter sees it (its destination already
 * translated); a plan that translates the source already (hairpin,
 * inbound) takes no second source translation.
 */
static void conn_open(struct masq_engine *e, struct pkt *p,
		      struct conn_plan *pl, enum ct_dir dir,
		      const struct route *r, struct fw_pkt *fp)
{
	bool snat_done = pl->t[CT_REPLY].dst != pl->t[CT_ORIG].src ||
			 dir == CT_REPLY;
	enum masq_counter why;
	uint32_t idx;

	if (!conn_may_forward(e, p, r))
		goto refused;
	fp->out = (uint8_t)r->iface;
	fw_run_hook(e, e->fw, IPT_FORWARD, true, fp);
	if (fp->action == FW_ACCEPT)
		fw_run_hook(e, e->fw, IPT_POSTROUTING, true, fp);
	if (fp->action == FW_DROP || fp->action == FW_REJECT) {
		conn_put_refs(e, p->proto, pl->t, pl->flags, pl->xflags);
		conn_fw_refuse(e, fp);
		return;
	}
	why = conn_count_plan(e, p, pl, dir);
	if (why == C_NUM && fp->action == FW_NAT && !snat_done)
		why = conn_snat(e, p, pl, fp->nat, r->iface);
	if (why == C_drop_no_route || why == C_drop_no_address) {
		/* nothing to masquerade to */
		eng_drop(e, p->buf, why);
		goto refused;
	}
	if (why != C_NUM) {
		conn_no_room(e, p, why);
		goto refused;
	}
	idx = conn_commit(e, p, pl);
	if (idx != CT_NONE)
		conn_forward(e, p, idx, dir, r, true);
	return;
refused:
	conn_put_refs(e, p->proto, pl->t, pl->flags, pl->xflags);
}

/* ---- the first packet ------------------------------------------------------ */

/*
 * May this packet open a connection? TCP: a plain SYN, or with pickup on
 * an ACK without RST or FIN; ICMP: an echo request.
 */
bool conn_may_open(const struct masq_engine *e, const struct pkt *p,
			  bool from_inside, enum masq_counter *why)
{
	uint8_t f = p->tcp_flags & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN);

	if (p->proto == IPPROTO_TCP_ && f != TCP_SYN &&
	    !(e->tcp_pickup && from_inside && f == TCP_ACK)) {
		*why = C_drop_tcp_no_conn;
		return false;
	}
	if (p->proto == IPPROTO_ICMP_ &&
	    ((const struct icmp_hdr *)p->l4)->type != ICMP_ECHO) {
		*why = C_drop_unsolicited;
		return false;
	}
	return true;
}

static bool is_multicast(uint32_t addr)
{
	return (ntohl(addr) >> 28) == 0xe;
}

/* Is @addr an address of an external interface (a masquerade address)? */
static bool is_masq_addr(const struct masq_engine *e, uint32_t addr)
{
	int i;

	return net_addr_is_local(&e->net, addr, &i) &&
	       e->net.ifs[i].role == ROLE_EXTERNAL;
}

/*
 * Delivered to the router itself: the filter's INPUT decides; what it
 * accepts goes into the arrival interface's twin, to the host's sockets
 * (host.c), with the destination translation @pl holds (REDIRECT).
 * Ping is answered by the engine itself, twin or not: the router answers
 * while the host's stack is busy, misconfigured or gone, and the answer
 * costs no trip through the host. Without a twin, a TCP segment gets a
 * RST and a UDP datagram a port unreachable (closed ports), the rest is
 * taken.
 */
static void conn_local(struct masq_engine *e, struct pkt *p,
		       struct conn_plan *pl, struct fw_pkt *fp)
{
	fp->out = FW_NO_IF;
	fw_run_hook(e, e->fw, IPT_INPUT, true, fp);
	if (fp->action == FW_DROP || fp->action == FW_REJECT) {
		conn_fw_refuse(e, fp);
		return;
	}
	if (p->proto == IPPROTO_ICMP_ &&
	    ((const struct icmp_hdr *)p->l4)->type == ICMP_ECHO &&
	    net_addr_is_local(&e->net, p->ip->daddr, NULL)) {
		icmp_local_input(e, p);
		return;
	}
	if (e->net.ifs[p->buf->iface].twin) {
		host_accept(e, p, pl);
		return;
	}
	local_closed_port(e, p);
}

/* The mapping a TCP/UDP packet to a masquerade address is addressed to */
static uint32_t conn_target_mapping(const struct masq_engine *e,
				    const struct pkt *p)
{
	if (p->proto != IPPROTO_TCP_ && p->proto != IPPROTO_UDP_)
		return NAT_NONE;
	if (!is_masq_addr(e, p->ip->daddr))
		return NAT_NONE;
	return nat_map_by_ext(&e->nat, p->proto, p->ip->daddr, p->dport);
}

/* The filter's view after a translation of the destination to @addr:@port */
static void fw_pkt_dnat(struct fw_pkt *fp, uint32_t addr, uint16_t port)
{
	fp->daddr = addr;
	if (fp->p->has_ports && fp->p->proto != IPPROTO_ICMP_)
		fp->dport = port;
	fp->state |= IPT_ST_DNAT;
}

/*
 * From outside to a masquerade address: does the filtering admit it to
 * the mapping it is addressed to? Then it opens a connection the reply
 * way, as if the internal host had sent first.
 * Return: true when the packet was taken (forwarded or dropped)
 */
static bool conn_inbound(struct masq_engine *e, struct pkt *p,
			 const struct ct_tuple *t, uint64_t hash,
			 struct fw_pkt *fp)
{
	struct conn_plan pl;
	enum masq_counter why;
	const struct nat_map *m;
	const struct route *r;
	uint32_t mi;

	if (e->filtering == FILTER_APDF)
		return false;
	mi = conn_target_mapping(e, p);
	if (mi == NAT_NONE)
		return false;
	if (e->filtering == FILTER_ADF &&
	    !(e->perm && perm_has(e->perm, mi, t->src)))
		return false;
	if (net_addr_is_local(&e->net, e->nat.m[mi].int_addr, NULL))
		return false;		/* the host's own socket: INPUT decides */
	if (!conn_may_open(e, p, false, &why)) {
		conn_invalid(e, p, why);
		return true;
	}
	m = &e->nat.m[mi];
	plan_init(&pl, &(struct ct_tuple){ m->int_addr, t->src, m->int_port,
					   t->sport });
	pl.t[CT_REPLY] = *t;
	pl.hash[CT_REPLY] = hash;
	pl.xflags = CT_X_INBOUND;
	r = net_route_lookup(&e->net, m->int_addr);
	if (!r) {
		eng_drop(e, p->buf, C_drop_no_route);
		return true;
	}
	/* the connection holds the mapping it came in by, whatever its kind */
	e->nat.m[mi].refs++;
	pl.map = mi;
	pl.flags |= CT_F_MAP;
	if (e->perm && perm_take(e->perm, mi, t->src))
		pl.xflags |= CT_X_PERM;
	count(e, C_conn_inbound);
	fw_pkt_dnat(fp, m->int_addr, m->int_port);
	conn_open(e, p, &pl, CT_REPLY, r, fp);
	return true;
}

/*
 * From inside to a masquerade address: hairpinning (RFC 4787 REQ-9).
 * The packet goes to the internal host behind the mapping, with its
 * source masqueraded too (REQ-9b), so the target sees the external
 * address and port, as it would from outside.
 * Return: true when the packet was taken (forwarded or dropped)
 */
static bool conn_hairpin(struct masq_engine *e, struct pkt *p,
			 const struct ct_tuple *t, uint64_t hash,
			 struct fw_pkt *fp)
{
	uint32_t mi = conn_target_mapping(e, p);
	struct conn_plan pl;
	enum masq_counter why;
	const struct route *r;
	uint32_t dst_addr;
	uint16_t dst_port;

	if (mi == NAT_NONE ||
	    net_addr_is_local(&e->net, e->nat.m[mi].int_addr, NULL))
		return false;		/* none, or the host's own socket */
	if (!conn_may_open(e, p, true, &why)) {
		conn_invalid(e, p, why);
		return true;
	}
	dst_addr = e->nat.m[mi].int_addr;
	dst_port = e->nat.m[mi].int_port;
	r = net_route_lookup(&e->net, dst_addr);
	if (!r) {
		eng_drop(e, p->buf, C_drop_no_route);
		return true;
	}
	plan_init(&pl, t);
	pl.hash[CT_ORIG] = hash;
	why = plan_masq_source(e, p, &pl, t->dst);
	if (why != C_NUM) {
		conn_no_room(e, p, why);
		return true;
	}
	/* mi is still valid: the source's mapping was found or made apart */
	if (nat_map_get(&e->nat, p->proto, dst_addr, dst_port, t->dst,
			&(enum nat_fail){ NAT_OK }) != NAT_NONE)
		pl.xflags |= CT_X_DMAP;
	pl.t[CT_REPLY].src = dst_addr;
	pl.t[CT_REPLY].sport = dst_port;
	count(e, C_conn_hairpin);
	fw_pkt_dnat(fp, dst_addr, dst_port);
	conn_open(e, p, &pl, CT_ORIG, r, fp);
	return true;
}

/*
 * The nat table's destination translation of a first packet: DNAT to the
 * rule's address (one of a range, by the source address) and port (one
 * of a range, by the source port; else the packet's own), REDIRECT to the
 * arrival interface's first address.
 * Return: false when there is no address to translate to
 */
bool conn_dnat_target(const struct masq_engine *e,
			     const struct pkt *p, const struct ipt_target *t,
			     uint32_t *addr, uint16_t *port)
{
	uint32_t span;

	*port = p->dport;
	if (t->kind == IPT_T_REDIRECT) {
		*addr = net_iface_primary(&e->net, (int)p->buf->iface);
	} else {
		span = t->u.nat.addr_hi - t->u.nat.addr_lo + 1;
		*addr = htonl(t->u.nat.addr_lo +
			      (span ? ntohl(p->ip->saddr) % span : 0));
	}
	if ((t->u.nat.flags & IPT_NAT_PORTS) && p->has_ports &&
	    p->proto != IPPROTO_ICMP_) {
		span = (uint32_t)t->u.nat.port_hi - t->u.nat.port_lo + 1;
		*port = htons((uint16_t)(t->u.nat.port_lo +
					 ntohs(p->sport) % span));
	}
	return *addr != 0;
}

/*
 * A packet of no known connection: the filter and the nat table decide,
 * as netfilter's hooks do: PREROUTING (a DNAT or REDIRECT rule), then
 * the router's own addresses (a mapping a packet is admitted or
 * hairpinned to; else INPUT), else FORWARD and POSTROUTING (conn_open()).
 * @hash is @t's when the batch walk computed it (0 when not), so a new
 * connection's first key need not be hashed again.
 */
static void conn_first(struct masq_engine *e, struct pkt *p,
		       const struct ct_tuple *t, uint64_t hash)
{
	const struct iface *in = &e->net.ifs[p->buf->iface];
	bool dnat = false;
	uint32_t dst = t->dst;
	uint16_t dport = t->dport;
	const struct route *r;
	struct conn_plan pl;
	enum masq_counter why;
	struct fw_pkt fp;

	if (is_multicast(t->dst)) {
		eng_drop(e, p->buf, C_drop_martian_dst);
		return;
	}
	if (pkt_is_dhcp_reply(p) && in->twin &&
	    !net_addr_is_local(&e->net, t->dst, NULL)) {
		host_deliver(e, p);	/* an offer to an address not held yet */
		return;
	}
	if (pkt_tracked(p) &&
	    !conn_may_open(e, p, in->role == ROLE_INTERNAL, &why)) {
		conn_invalid(e, p, why);
		return;
	}
	fw_pkt_init(&fp, p, (uint8_t)p->buf->iface, FW_NO_IF, IPT_ST_NEW);
	fw_run_hook(e, e->fw, IPT_PREROUTING, true, &fp);
	if (fp.action == FW_DROP || fp.action == FW_REJECT) {
		conn_fw_refuse(e, &fp);
		return;
	}
	if (fp.action == FW_NAT && (fp.nat->kind == IPT_T_DNAT ||
				    fp.nat->kind == IPT_T_REDIRECT)) {
		if (!conn_dnat_target(e, p, fp.nat, &dst, &dport)) {
			eng_drop(e, p->buf, C_drop_no_route);
			return;
		}
		dnat = true;
		fw_pkt_dnat(&fp, dst, dport);
		count(e, C_conn_dnat);
	}
	if (net_addr_is_router(&e->net, dst)) {
		if (!dnat &&
		    (in->role == ROLE_INTERNAL ? conn_hairpin(e, p, t, hash, &fp) :
						 conn_inbound(e, p, t, hash, &fp)))
			return;
		plan_init(&pl, t);
		pl.hash[CT_ORIG] = hash;
		if (dnat)
			plan_dnat(&pl, p, dst, dport);
		conn_local(e, p, &pl, &fp);
		return;
	}
	r = net_route_lookup(&e->net, dst);
	if (!r) {
		why = net_waiting_for_address(&e->net) ? C_drop_no_address :
							 C_drop_no_route;
		if (why == C_drop_no_route)
			icmp_send_error(e, p, ICMP_UNREACH, ICMP_UNREACH_NET, 0);
		eng_drop(e, p->buf, why);
		return;
	}
	if (!pkt_tracked(p)) {
		/* ICMP that is neither echo nor error: inside only, filtered */
		if (e->net.ifs[r->iface].role != ROLE_INTERNAL) {
			eng_drop(e, p->buf, C_drop_proto_unsupported);
			return;
		}
		if (!conn_may_forward(e, p, r))
			return;
		fp.out = (uint8_t)r->iface;
		fw_run_hook(e, e->fw, IPT_FORWARD, true, &fp);
		if (fp.action == FW_DROP || fp.action == FW_REJECT)
			conn_fw_refuse(e, &fp);
		else
			eng_forward(e, p, r->iface, r->gw ? r->gw : t->dst);
		return;
	}
	plan_init(&pl, t);
	pl.hash[CT_ORIG] = hash;
	if (dnat)
		plan_dnat(&pl, p, dst, dport);
	if (p->proto == IPPROTO_TCP_ && !(p->tcp_flags & TCP_SYN))
		count(e, C_tcp_pickups);
	conn_open(e, p, &pl, CT_ORIG, r, &fp);
}

/*
 * Anti-spoofing (BCP 38, strict reverse path): on an internal interface,
 * a source that does not route back through it is dropped. Checked for
 * packets that would open a connection or carry an error: a packet of a
 * known connection has that connection's source, checked when it opened.
 * Return: true when the packet was dropped
 */
static bool conn_spoofed(struct masq_engine *e, struct pkt *p)
{
	int in = (int)p->buf->iface;

	if (e->net.ifs[in].role != ROLE_INTERNAL || pkt_is_dhcp_boot(p) ||
	    net_src_is_valid(&e->net, in, p->ip->saddr))
		return false;
	eng_drop(e, p->buf, C_drop_spoofed);
	return true;
}

/*
 * A SYN from the client of a finished connection starts a new one. The
 * packet's flags are asked first: nearly every packet is no bare SYN
 * (0 for anything but TCP), and the entry's fields need not be read.
 */
static bool conn_reopens(const struct ct_entry *ce, enum ct_dir dir,
			 const struct pkt *p)
{
	enum ct_dir opened = ce->xflags & CT_X_INBOUND ? CT_REPLY : CT_ORIG;

	return (p->tcp_flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN &&
	       ce->proto == IPPROTO_TCP_ && dir == opened &&
	       (ce->state == TCPS_TIME_WAIT || ce->state == TCPS_CLOSE);
}

/**
 * conn_input() - Walk a validated IPv4 packet
 * @e:	engine
 * @p:	parsed packet, Ethernet addressed to the router
 * @lk:	its tuple and hash when prepared, or NULL to look it up here
 */
void conn_input(struct masq_engine *e, struct pkt *p,
		const struct eng_lookup *lk)
{
	struct ct_tuple t;
	enum ct_dir dir;
	const struct route *r;
	uint32_t idx = CT_NONE;

	if (p->icmp_error) {
		if (conn_spoofed(e, p))
			return;
		icmp_error_input(e, p);
		return;
	}
	if (lk) {
		t = lk->t;
		idx = ct_lookup_hinted(&e->ct, lk->hash, lk->hint, p->proto, &t,
				       &dir);
	} else {
		t = (struct ct_tuple){ p->ip->saddr, p->ip->daddr, p->sport,
				       p->dport };
		if (pkt_tracked(p))
			idx = ct_lookup(&e->ct, p->proto, &t, &dir);
	}
	if (idx != CT_NONE && conn_reopens(&e->ct.e[idx], dir, p)) {
		conn_release(e, idx);
		idx = CT_NONE;
	}
	if (idx == CT_NONE) {
		if (!conn_spoofed(e, p))
			conn_first(e, p, &t, lk ? lk->hash : 0);
		return;
	}
	if (__builtin_expect(e->ct.e[idx].xflags &
			     (CT_X_TO_HOST | CT_X_FROM_HOST), 0)) {
		host_conn_packet(e, p, idx, dir, false);
		return;
	}
	r = net_route_lookup(&e->net, e->ct.e[idx].t[!dir].src);
	if (!r) {
		eng_drop(e, p->buf, C_drop_no_route);
		return;
	}
	if (lk && conn_est_plain(e, p, &e->ct.e[idx], r))
		conn_forward_est(e, p, idx, dir, r);
	else if (conn_may_forward(e, p, r))
		conn_forward(e, p, idx, dir, r, false);
}
