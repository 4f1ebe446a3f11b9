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
#include "alg.h"
#include "frag.h"
#include "fwd.h"
#include "perm.h"
#include "tcp.h"
#include "xlate.h"

#define CONN_EXPIRE_PER_CALL	1024
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
		e->ct.acct[idx].pkts[dir] += pkt_wire_pkts(p);
		e->ct.acct[idx].bytes[dir] += pkt_wire_bytes(p);
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

/* conn_update()'s work, watched or not */
static inline __attribute__((always_inline)) enum masq_counter
conn_update_plain(struct masq_engine *e, uint32_t idx, enum ct_dir dir,
		  const struct pkt *p)
{
	struct ct_entry *ce = &e->ct.e[idx];
	enum ct_class cls = (enum ct_class)ce->cls;
	enum masq_counter why;

	if (ce->proto == IPPROTO_TCP_) {
		why = tcp_track(e, idx, dir, p, &cls);
		if (why != C_NUM)
			return why;
		conn_uncount_closed(e, ce);
		if (e->cl && ct_is_closed(ce))
			fwm_connlimit_on_end(e, idx);	/* closed: not live */
	}
	conn_account(e, idx, dir, p, cls);
	return C_NUM;
}

/* ... with a conntrack -E listener: an UPDATE when the state, the reply
 * or the assurance changed (ctevent.c) */
static __attribute__((noinline)) enum masq_counter
conn_update_watched(struct masq_engine *e, uint32_t idx, enum ct_dir dir,
		    const struct pkt *p)
{
	const struct ct_entry *ce = &e->ct.e[idx];
	uint8_t state = ce->state, replied = ce->flags & CT_F_REPLIED;
	bool assured = ct_is_assured(ce);
	enum masq_counter why = conn_update_plain(e, idx, dir, p);

	if (why == C_NUM && (ce->state != state || assured != ct_is_assured(ce) ||
			     replied != (ce->flags & CT_F_REPLIED)))
		ctev_record(e, idx, CTEV_UPDATE);
	return why;
}

/*
 * Move a connection's state for a packet, then account it.
 * Return: C_NUM when the packet goes on, else the counter to drop it with
 */
enum masq_counter conn_update(struct masq_engine *e, uint32_t idx,
			      enum ct_dir dir, const struct pkt *p)
{
	if (__builtin_expect(e->ctev.listeners != 0, 0))
		return conn_update_watched(e, idx, dir, p);
	return conn_update_plain(e, idx, dir, p);
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

	ctev_note(e, idx, CTEV_DESTROY);
	fwm_connlimit_on_end(e, idx);
	if (ce->flags & CT_F_SIDE)
		alg_release(e, idx);
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
		if ((e->ct.e[idx].flags & CT_F_SIDE) && alg_keeps(e, idx)) {
			ct_touch(&e->ct, idx, e->now_s);
			count(e, C_alg_kept_alive);
			continue;
		}
		conn_release(e, idx);
		count(e, C_conn_expired);
	}
	if (e->alg->nexp)
		alg_expect_advance(e);
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
		if (!plan_evict_oldest(e))
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
	e->ct.aux[idx].mark = pl->mark;
	e->ct.aux[idx].status = pl->aux;
	if (p->proto == IPPROTO_TCP_)
		tcp_open(ce, p);
	xlate_prepare(ce);
	if (!ct_insert(&e->ct, idx, pl->hash,
		       conn_first_class(p->proto, pl->t[CT_ORIG].dport),
		       e->now_s)) {
		count(e, C_conn_new);
		ctev_note(e, idx, CTEV_NEW);
		fwm_connlimit_on_new(e, idx);
		if (pl->turn.kind)
			fwd_taken(e, &pl->turn);
		if (p->has_ports)
			alg_attach_as(e, idx, p->ct_helper);
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
bool conn_may_forward(struct masq_engine *e, struct pkt *p,
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
 * What the 2.x traversal (fw2.c) reads of a known connection's packet:
 * the source it leaves with, and whether its destination is translated
 * (a reply being de-masqueraded, a forward's packet in)
 */
void conn_fw_leaving(struct fw_pkt *fp, const struct ct_entry *ce,
		     enum ct_dir dir)
{
	fp->xsaddr = ce->t[!dir].dst;
	if (ce->proto != IPPROTO_ICMP_)
		fp->xsport = ce->t[!dir].dport;
	fp->demasq = ce->t[!dir].src != ce->t[dir].dst;
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
	fw_pkt_conn(e, &fp, (uint32_t)(ce - e->ct.e), dir);
	conn_fw_leaving(&fp, ce, dir);
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
		fw_fast_count(&e->fw_pend, st, pkt_wire_pkts(p),
			      pkt_wire_bytes(p));
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

	if (why == C_drop_tcp_stale_ack)
		local_send_reset(e, p);	/* the opener's answer (tcp.c) */
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
	bool side = ce->flags & CT_F_SIDE;
	uint32_t expected = side ? alg_before_track(e, p, idx, dir) : 0;
	enum masq_counter why = conn_update(e, idx, dir, p);

	if (why != C_NUM) {
		conn_invalid(e, p, why);
		return;
	}
	if (!filtered && !conn_filter(e, p, ce, dir, r->iface))
		return;
	if (side)
		alg_after_track(e, p, idx, dir, expected);
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
	if (ce->flags & CT_F_SIDE)
		return false;		/* a helper reads its payload */
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
	if (fp->action == FW_ACCEPT || fp->action == FW_NAT)	/* 2.x: MASQ */
		fw_run_hook(e, e->fw, IPT_POSTROUTING, true, fp);
	if (fp->action == FW_DROP || fp->action == FW_REJECT) {
		conn_put_refs(e, p->proto, pl->t, pl->flags, pl->xflags);
		conn_fw_refuse(e, fp);
		return;
	}
	pl->mark = fp->ctmark;	/* CONNMARK on the way: the entry keeps it */
	if (fp->expected)
		pl->aux |= CT_A_EXPECTED;
	why = plan_take_counts(e, p, pl, dir);
	if (why == C_NUM && fp->action == FW_NAT && !snat_done)
		why = plan_snat(e, p, pl, fp->nat, r->iface, false);
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
		pl->mark = fp->ctmark;
		host_accept(e, p, pl);
		return;
	}
	local_closed_port(e, p);
}

/*
 * To a router address, not translated: a mapping that admits it from
 * outside or hairpins it from inside (plan.c)?
 * Return: true when the packet was taken
 */
static bool conn_to_mapping(struct masq_engine *e, struct pkt *p,
			    const struct ct_tuple *t, uint64_t hash,
			    struct fw_pkt *fp)
{
	bool inside = e->net.ifs[p->buf->iface].role == ROLE_INTERNAL;
	struct plan_way way;
	enum plan_verdict v = inside ? plan_hairpin(e, p, t, hash, fp, &way) :
				       plan_inbound(e, p, t, hash, fp, &way);

	if (v == PLAN_OPEN)
		conn_open(e, p, &way.pl, way.dir, way.r, fp);
	return v != PLAN_NOT_MINE;
}

/*
 * A connection a helper expects (plan_expected()): state RELATED from its
 * first packet (mangle and nat PREROUTING see it so; the nat table's
 * verdict is the expectation's), then FORWARD and POSTROUTING.
 * Return: true when the packet was taken
 */
static bool conn_expected(struct masq_engine *e, struct pkt *p,
			  const struct ct_tuple *t, uint64_t hash)
{
	struct plan_way way;
	struct fw_pkt fp;

	if (!pkt_tracked(p) || !alg_expect_find(e, p->proto, t->src, t->dst,
						t->dport))
		return false;
	fw_pkt_init(&fp, p, (uint8_t)p->buf->iface, FW_NO_IF, IPT_ST_RELATED);
	fp.expected = true;
	fw_run_hook(e, e->fw, IPT_PREROUTING, true, &fp);
	if (fp.action == FW_DROP || fp.action == FW_REJECT) {
		conn_fw_refuse(e, &fp);
		return true;
	}
	if (plan_expected(e, p, t, hash, &fp, &way) == PLAN_OPEN)
		conn_open(e, p, &way.pl, way.dir, way.r, &fp);
	return true;
}

/*
 * What a connection opened from inside adds to its plan: a forward
 * reached at the router's address (@fwd) has its source masqueraded to
 * that address too, so the server's answer comes back through the
 * router (hairpin); a connection out to an autofw control port takes
 * or keeps that entry for its host (fwd.c), for as long as it lives and
 * 15 s more.
 * Return: false when the packet was dropped (no room)
 */
static bool conn_from_inside(struct masq_engine *e, struct pkt *p,
			     struct conn_plan *pl, bool fwd,
			     const struct route *r)
{
	const struct ct_tuple *o = &pl->t[CT_ORIG];
	struct nat_want any = { 0 };
	enum masq_counter why;

	if (fwd) {
		why = plan_masq_source(e, p, pl, o->dst, &any);
		if (why != C_NUM) {
			conn_no_room(e, p, why);
			return false;
		}
	}
	if (e->fwd->nauto && p->has_ports &&
	    e->net.ifs[r->iface].role == ROLE_EXTERNAL)
		fwd_control(e, p->proto, o);
	return true;
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
	bool dnat = false, fwd = false;
	struct fwd_turn turn = { 0 };
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
	if (in->role == ROLE_INTERNAL && p->proto == IPPROTO_TCP_ &&
	    walk_on(e, p))
		return;		/* --workers: perhaps another's (walk.c) */
	if (pkt_tracked(p) &&
	    !conn_may_open(e, p, in->role == ROLE_INTERNAL, &why)) {
		conn_invalid(e, p, why);
		return;
	}
	if (e->alg->nexp && in->role == ROLE_EXTERNAL &&
	    conn_expected(e, p, t, hash))
		return;
	fw_pkt_init(&fp, p, (uint8_t)p->buf->iface, FW_NO_IF, IPT_ST_NEW);
	fw_run_hook(e, e->fw, IPT_PREROUTING, true, &fp);
	if (fp.action == FW_DROP || fp.action == FW_REJECT) {
		conn_fw_refuse(e, &fp);
		return;
	}
	if (fp.action == FW_NAT && (fp.nat->kind == IPT_T_DNAT ||
				    fp.nat->kind == IPT_T_REDIRECT)) {
		if (!plan_dnat_target(e, p, fp.nat, &dst, &dport)) {
			eng_drop(e, p->buf, C_drop_no_route);
			return;
		}
		dnat = true;
		fw_pkt_dnat(&fp, dst, dport);
		count(e, C_conn_dnat);
	} else if (plan_forward(e, p, &fp, &dst, &dport, &turn)) {
		dnat = fwd = true;
	}
	if (net_addr_is_router(&e->net, dst)) {
		if (!dnat && conn_to_mapping(e, p, t, hash, &fp))
			return;
		plan_init(&pl, t);
		pl.hash[CT_ORIG] = hash;
		if (dnat)
			plan_dnat(&pl, p, dst, dport);
		pl.turn = turn;
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
	pl.turn = turn;
	if (in->role == ROLE_INTERNAL && !conn_from_inside(e, p, &pl, fwd, r))
		return;
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
bool conn_spoofed(struct masq_engine *e, struct pkt *p)
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
	struct fw_pkt raw;

	if (__builtin_expect(fw_raw_at(e->fw, IPT_PREROUTING), 0) &&
	    !p->buf->meta.walked) {	/* walk.c's: walked on its first */
		if (fwt_raw_walk(e, p, IPT_PREROUTING, (uint8_t)p->buf->iface,
				 &raw))
			return;
		if (raw.notrack) {
			fwt_untracked_input(e, p);
			return;
		}
		p->ct_helper = raw.helper;
	}
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
