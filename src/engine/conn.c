// SPDX-License-Identifier: MIT
/*
 * conn.c - what happens to an IPv4 packet: tracking decisions
 *
 * Theory of operation: a packet with ports (TCP, UDP, ICMP echo) is
 * looked up in the connection table by its tuple. Found: it belongs to a
 * connection and goes the way its entry says, translated. Not found:
 * it is for the router itself (icmp.c), or the first packet of a new
 * connection, which is allowed by the zero-configuration policy of the
 * Debian ipmasq package:
 *
 *	internal -> internal	tracked, not translated
 *	internal -> external	masqueraded to the external interface's
 *				first address (nat.c picks the port)
 *	external -> anywhere	dropped (unsolicited; filtering is
 *				address-and-port dependent, RFC 4787 REQ-8)
 *
 * Before any state is made, the checks that could answer with an ICMP
 * error run on the packet as it arrived (TTL, MTU), so errors quote what
 * the sender sent. Packets on an internal interface whose source does
 * not route back through it are dropped (BCP 38).
 *
 * TCP: a connection opens only with a SYN; it follows the states of RFC
 * 793 closely enough to choose a timeout class (ct.h). A SYN meeting a
 * connection in TIME_WAIT or CLOSE replaces it, so clients may reuse
 * ports quickly. Sequence-window checks are not done yet: any RST of a
 * tracked connection closes it.
 */
#include <arpa/inet.h>
#include <string.h>

#include "eng.h"

#define CONN_EXPIRE_PER_CALL	1024

/*
 * Move a connection's state for a packet, then account it.
 * Return: C_NUM when the packet goes on, else the counter to drop it with
 */
static enum masq_counter conn_update(struct masq_engine *e, uint32_t idx,
				     enum ct_dir dir, const struct pkt *p)
{
	struct ct_entry *ce = &e->ct.e[idx];
	enum ct_class cls = (enum ct_class)ce->cls;
	enum masq_counter why;

	if (ce->proto == IPPROTO_TCP_) {
		why = tcp_track(e, idx, dir, p, &cls);
		if (why != C_NUM)
			return why;
	} else if (ce->proto == IPPROTO_UDP_) {
		cls = (ce->flags & CT_F_REPLIED) || dir == CT_REPLY ?
		      CT_CLASS_UDP : CT_CLASS_UDP_UNREPLIED;
	}

	if (e->ct.acct) {
		e->ct.acct[idx].pkts[dir]++;
		e->ct.acct[idx].bytes[dir] += p->ip_len;
	}
	if (dir == CT_REPLY)
		ce->flags |= CT_F_REPLIED;
	ct_set_class(&e->ct, idx, cls, e->now_s);
	return C_NUM;
}

/**
 * conn_release() - Forget a connection and what it holds (its mapping)
 * @e:		engine
 * @idx:	live entry
 */
void conn_release(struct masq_engine *e, uint32_t idx)
{
	struct ct_entry *ce = &e->ct.e[idx];

	if (ce->flags & CT_F_MAP) {
		const struct ct_tuple *o = &ce->t[CT_ORIG];
		uint32_t m = nat_map_find(&e->nat, ce->proto, o->src, o->sport);

		if (m != NAT_NONE)
			nat_map_put(&e->nat, m);
	}
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
	if (p->buf->meta.gso_type == MASQ_GSO_NONE && p->ip_len > out->mtu &&
	    (ntohs(p->ip->frag_off) & IP_DF)) {
		icmp_send_error(e, p, ICMP_UNREACH, ICMP_UNREACH_NEEDFRAG,
				out->mtu);
		eng_drop(e, p->buf, C_drop_mtu);
		return false;
	}
	return true;		/* too big without DF: frag.c splits it */
}

/*
 * May this packet open a connection? TCP: a plain SYN, or with pickup on
 * an ACK without RST or FIN; ICMP: an echo request.
 */
static bool conn_may_open(const struct masq_engine *e, const struct pkt *p,
			  enum masq_counter *why)
{
	uint8_t f = p->tcp_flags & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN);

	if (p->proto == IPPROTO_TCP_ && f != TCP_SYN &&
	    !(e->tcp_pickup && f == TCP_ACK)) {
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

static enum ct_class conn_first_class(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP_:
		return CT_CLASS_TCP_SYN;
	case IPPROTO_UDP_:
		return CT_CLASS_UDP_UNREPLIED;
	case IPPROTO_ICMP_:
		return CT_CLASS_ICMP;
	default:
		return CT_CLASS_GENERIC;
	}
}

/* A free entry, evicting the oldest never-replied one if the table is full */
static uint32_t conn_alloc(struct masq_engine *e)
{
	uint32_t idx = ct_alloc(&e->ct, e->now_s);
	uint32_t victim;

	if (idx != CT_NONE)
		return idx;
	victim = ct_oldest_unreplied(&e->ct);
	if (victim == CT_NONE)
		return CT_NONE;
	conn_release(e, victim);
	count(e, C_conn_evicted);
	return ct_alloc(&e->ct, e->now_s);
}

/**
 * conn_new() - Track a new connection, masqueraded to @masq_addr if not 0
 * Return: entry index, or CT_NONE (the packet was dropped and counted)
 */
static uint32_t conn_new(struct masq_engine *e, struct pkt *p,
			 const struct ct_tuple *t, uint32_t masq_addr)
{
	uint32_t idx = conn_alloc(e), m_idx = NAT_NONE;
	struct ct_entry *ce;

	if (idx == CT_NONE) {
		eng_drop(e, p->buf, C_drop_table_full);
		return CT_NONE;
	}
	ce = &e->ct.e[idx];
	ce->proto = p->proto;
	if (p->proto == IPPROTO_TCP_)
		tcp_open(ce, p);
	ce->t[CT_ORIG] = *t;
	ce->t[CT_REPLY] = ct_tuple_invert(t);
	if (masq_addr) {
		uint32_t m = nat_map_get(&e->nat, p->proto, t->src, t->sport,
					 masq_addr);

		m_idx = m;
		if (m == NAT_NONE) {
			ct_abandon(&e->ct, idx);
			eng_drop(e, p->buf, C_drop_ports_exhausted);
			return CT_NONE;
		}
		ce->flags |= CT_F_MAP;
		ce->t[CT_REPLY].dst = nat_map_ext_addr(&e->nat, m);
		ce->t[CT_REPLY].dport = e->nat.m[m].ext_port;
	}
	xlate_prepare(ce);
	if (ct_insert(&e->ct, idx, conn_first_class(p->proto), e->now_s)) {
		if (masq_addr)
			nat_map_put(&e->nat, m_idx);
		eng_drop(e, p->buf, C_drop_table_full);
		return CT_NONE;
	}
	count(e, C_conn_new);
	return idx;
}

/* Translate, account and send a packet of connection @idx going way @dir */
static void conn_forward(struct masq_engine *e, struct pkt *p, uint32_t idx,
			 enum ct_dir dir, const struct route *r)
{
	struct ct_entry *ce = &e->ct.e[idx];
	uint32_t dst = ce->t[!dir].src;
	enum masq_counter why = conn_update(e, idx, dir, p);

	if (why != C_NUM) {
		eng_drop(e, p->buf, why);
		return;
	}
	xlate_packet(e, p, ce, dir);
	eng_forward(e, p, r->iface, r->gw ? r->gw : dst);
}

static bool is_multicast(uint32_t addr)
{
	return (ntohl(addr) >> 28) == 0xe;
}

/*
 * Delivered to the router itself: it answers ping, nothing else yet. What
 * it does not take from outside is unsolicited inbound traffic (a probe of
 * the masquerade address), counted as such.
 */
static void conn_local(struct masq_engine *e, struct pkt *p)
{
	bool outside = e->net.ifs[p->buf->iface].role == ROLE_EXTERNAL;

	if (p->proto == IPPROTO_ICMP_ &&
	    ((const struct icmp_hdr *)p->l4)->type == ICMP_ECHO &&
	    net_addr_is_local(&e->net, p->ip->daddr, NULL)) {
		icmp_local_input(e, p);
		return;
	}
	eng_drop(e, p->buf, outside ? C_drop_unsolicited :
				      C_drop_local_unhandled);
}

/* A packet of no known connection: the zero-configuration policy */
static void conn_first(struct masq_engine *e, struct pkt *p,
		       const struct ct_tuple *t)
{
	const struct iface *in = &e->net.ifs[p->buf->iface];
	const struct route *r;
	enum masq_counter why;
	uint32_t idx, masq = 0;

	if (net_addr_is_local(&e->net, t->dst, NULL) ||
	    net_addr_is_broadcast(&e->net, t->dst)) {
		conn_local(e, p);
		return;
	}
	if (is_multicast(t->dst)) {
		eng_drop(e, p->buf, C_drop_martian_dst);
		return;
	}
	if (in->role == ROLE_EXTERNAL) {
		eng_drop(e, p->buf, C_drop_unsolicited);
		return;
	}
	r = net_route_lookup(&e->net, t->dst);
	if (!r) {
		icmp_send_error(e, p, ICMP_UNREACH, ICMP_UNREACH_NET, 0);
		eng_drop(e, p->buf, C_drop_no_route);
		return;
	}
	if (!p->has_ports) {
		/* between internal networks anything goes, untracked */
		if (e->net.ifs[r->iface].role != ROLE_INTERNAL) {
			eng_drop(e, p->buf, C_drop_proto_unsupported);
			return;
		}
		if (conn_may_forward(e, p, r))
			eng_forward(e, p, r->iface, r->gw ? r->gw : t->dst);
		return;
	}
	if (!conn_may_open(e, p, &why)) {
		eng_drop(e, p->buf, why);
		return;
	}
	if (!conn_may_forward(e, p, r))
		return;
	if (e->net.ifs[r->iface].role == ROLE_EXTERNAL) {
		masq = net_iface_primary(&e->net, r->iface);
		if (!masq) {
			eng_drop(e, p->buf, C_drop_no_route);
			return;
		}
	}
	idx = conn_new(e, p, t, masq);
	if (idx != CT_NONE)
		conn_forward(e, p, idx, CT_ORIG, r);
}

/* A SYN from the client of a finished connection starts a new one */
static bool conn_reopens(const struct ct_entry *ce, enum ct_dir dir,
			 const struct pkt *p)
{
	return ce->proto == IPPROTO_TCP_ && dir == CT_ORIG &&
	       (p->tcp_flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN &&
	       (ce->state == TCPS_TIME_WAIT || ce->state == TCPS_CLOSE);
}

/**
 * conn_input() - Walk a validated IPv4 packet
 * @e:	engine
 * @p:	parsed packet, Ethernet addressed to the router
 * @lk:	its tuple and hash when prepared (packets with ports), or NULL
 */
void conn_input(struct masq_engine *e, struct pkt *p,
		const struct eng_lookup *lk)
{
	int in = (int)p->buf->iface;
	struct ct_tuple t;
	enum ct_dir dir;
	const struct route *r;
	uint32_t idx;

	if (e->net.ifs[in].role == ROLE_INTERNAL &&
	    !net_src_is_valid(&e->net, in, p->ip->saddr)) {
		eng_drop(e, p->buf, C_drop_spoofed);
		return;
	}
	if (p->icmp_error) {
		icmp_error_input(e, p);
		return;
	}
	t = (struct ct_tuple){ p->ip->saddr, p->ip->daddr, p->sport, p->dport };
	idx = lk ? ct_lookup_hashed(&e->ct, lk->hash, p->proto, &t, &dir) :
		   CT_NONE;
	if (idx != CT_NONE && conn_reopens(&e->ct.e[idx], dir, p)) {
		conn_release(e, idx);
		idx = CT_NONE;
	}
	if (idx == CT_NONE) {
		conn_first(e, p, &t);
		return;
	}
	r = net_route_lookup(&e->net, e->ct.e[idx].t[!dir].src);
	if (!r) {
		eng_drop(e, p->buf, C_drop_no_route);
		return;
	}
	if (conn_may_forward(e, p, r))
		conn_forward(e, p, idx, dir, r);
}
