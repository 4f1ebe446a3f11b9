// SPDX-License-Identifier: MIT
/*
 * host.c - the router host's own traffic, through its twins
 *
 * masqd owns its interfaces, so the kernel of the machine it runs on
 * sees none of their frames. It gives the host a twin of each (a TAP
 * device with the same MAC address and the router's addresses, made by
 * masqd): the host's sshd, DNS cache, DHCP client and relays bind there.
 * This file is where the engine meets that host:
 *
 *	wire -> host	what INPUT accepts goes, unchanged but for a
 *			REDIRECT or DNAT, into the twin of the interface it
 *			arrived on, tracked as a connection CT_X_TO_HOST
 *			(host_accept()); broadcasts and untracked protocols
 *			untracked; a DHCP server's answers before the host
 *			holds the address they offer (conn.c)
 *	host -> wire	a frame the host writes into a twin is checked (the
 *			twin's MAC, an address of the router's; DHCP's
 *			0.0.0.0 the one exception) and walks the OUTPUT
 *			path: nat OUTPUT (REDIRECT), filter OUTPUT, route,
 *			nat POSTROUTING, tracked as CT_X_FROM_HOST; it is
 *			routed by the engine's table, never the host's
 *	host ARP	answered from the neighbour table, resolved first
 *			when needed (host_arp_answer() when the answer comes)
 *
 * Ports: host sockets and masquerade mappings share the router's
 * external address. The host's connections take a mapping of their own
 * (the host endpoint, its port kept when free: the "null binding"
 * netfilter gives local connections), so a port a LAN host's mapping
 * holds is never handed to a host connection on the wire, and the other
 * way round; the ports host sockets listen on (TCP) or are bound to
 * (UDP), which send nothing to learn them by, masqd tells the engine
 * ("host-ports", learnt with sock_diag) and no mapping takes them.
 *
 * A REDIRECT of the host's own connection (nat OUTPUT) comes back into
 * the twin with its source made the original destination, so the reply
 * leaves the host by a twin again, where it is translated back; the
 * proxy that accepted it asks "origdst" as any other.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "eng.h"
#include "frag.h"
#include "xlate.h"

/**
 * host_transmit() - Hand a frame to the caller for the twin of @iface
 * @e:		engine
 * @b:		the frame, its Ethernet header as the host should see it
 * @iface:	engine interface whose twin takes it
 */
void host_transmit(struct masq_engine *e, struct masq_buf *b, int iface)
{
	struct masq_txq *tx = e->tx;

	b->iface = (uint32_t)iface | MASQ_IFACE_TWIN;
	if (!tx || tx->n >= tx->cap) {
		eng_drop(e, b, C_drop_tx_full);
		return;
	}
	tx->bufs[tx->n++] = b;
	count(e, C_host_in);
	count(e, C_tx_frames);
	e->cnt[C_tx_bytes] += b->len;
}

/**
 * host_deliver() - Put packet @p into the twin of the interface it came in
 * by, addressed to the twin's MAC (a broadcast as it came); a reassembled datagram (frag.c's
 * buffer) goes in its fragments, which the host reassembles
 * @e:	engine
 * @p:	the packet, translated already; consumed
 */
void host_deliver(struct masq_engine *e, struct pkt *p)
{
	int in = (int)p->buf->iface;

	if (frag_owns(e, p->buf)) {
		frag_output(e, p, in | (int)MASQ_IFACE_TWIN, 0);
		return;
	}
	if (!(p->eth->dst[0] & 1))	/* a broadcast stays one */
		memcpy(p->eth->dst, e->net.ifs[in].mac, ETH_ALEN);
	host_transmit(e, p->buf, in);
}

/**
 * host_send_ip() - A datagram the engine made (an ICMP error, a REJECT's
 * answer) for one of the router's own addresses: into that twin
 * @e:	engine
 * @b:	the frame, IPv4 header in place
 *
 * Return: true when it was taken (sent or dropped), false when it is not
 * for a twin
 */
bool host_send_ip(struct masq_engine *e, struct masq_buf *b)
{
	const struct ip4_hdr *ip = (const struct ip4_hdr *)(b->data + ETH_HLEN);
	struct eth_hdr *eth = (struct eth_hdr *)b->data;
	int i;

	if (!net_addr_is_local(&e->net, ip->daddr, &i))
		return false;
	if (!e->net.ifs[i].twin) {
		eng_drop(e, b, C_drop_twin_off);
		return true;
	}
	memcpy(eth->dst, e->net.ifs[i].mac, ETH_ALEN);
	memcpy(eth->src, e->net.ifs[i].mac, ETH_ALEN);
	eth->type = htons(ETHERTYPE_IPV4);
	host_transmit(e, b, i);
	return true;
}

/* ---- frames from a twin ---------------------------------------------------- */

/**
 * host_frame_check() - May this frame from a twin be walked?
 * @e:	engine
 * @p:	parsed frame, ->buf->iface the twin's interface
 *
 * The host may not speak for anyone else through masqd: the source MAC
 * is the twin's, an ARP sender and an IPv4 source are the router's own
 * addresses (a DHCP client's 0.0.0.0 excepted, which pkt_parse() lets
 * through only as DHCP). A new connection must also come from an
 * address of the twin's own interface (host_first()); a reply may carry
 * another of the router's (the host answering on the address it was
 * reached at).
 * Return: C_NUM, or the counter to drop the frame with
 */
enum masq_counter host_frame_check(const struct masq_engine *e,
				   const struct pkt *p)
{
	int in = (int)p->buf->iface;
	const struct iface *f = &e->net.ifs[in];

	if (!f->twin)
		return C_drop_twin_off;
	if (memcmp(p->eth->src, f->mac, ETH_ALEN))
		return C_drop_twin_spoofed;
	if (!p->ip) {
		const struct arp_hdr *a =
			(const struct arp_hdr *)(p->buf->data + ETH_HLEN);

		/* Linux asks from the address of the packet it is for */
		if (memcmp(a->sha, f->mac, ETH_ALEN) ||
		    (a->spa && !net_addr_is_local(&e->net, a->spa, NULL)))
			return C_drop_twin_spoofed;
		return C_NUM;
	}
	if (p->ip->saddr ? !net_addr_is_local(&e->net, p->ip->saddr, NULL) :
			   !pkt_is_dhcp_boot(p))
		return C_drop_twin_spoofed;
	return C_NUM;
}

/* Answer the host's ARP request for @tpa from neighbour @n, into the twin */
static void host_arp_reply(struct masq_engine *e, struct masq_buf *b,
			   const struct neigh *n, uint32_t tpa)
{
	const struct iface *f = &e->net.ifs[n->iface];
	struct eth_hdr *eth = (struct eth_hdr *)b->data;

	arp_fill(b, ARP_REPLY, n->mac, n->ip, f->mac, tpa);
	memcpy(eth->dst, f->mac, ETH_ALEN);
	memcpy(eth->src, n->mac, ETH_ALEN);
	count(e, C_host_arp_answered);
	host_transmit(e, b, n->iface);
}

/**
 * host_arp_answer() - Neighbour @n the host asked for is known now
 * @e:	engine
 * @n:	the neighbour, confirmed (arp.c)
 */
void host_arp_answer(struct masq_engine *e, const struct neigh *n)
{
	struct masq_buf *b = eng_buf_new(e);

	if (b)
		host_arp_reply(e, b, n, net_iface_primary(&e->net, n->iface));
}

/*
 * The host asks who has an address on a twin's link: answered from the
 * neighbour table with the neighbour's own MAC (the host's neighbour
 * table shows the real ones); when it is not known yet, masqd asks the
 * wire, and answers the host when the reply comes (the host asks again
 * meanwhile, as it does). Gratuitous ARP and probes for the router's
 * own addresses are the host's business alone.
 */
static void host_arp_input(struct masq_engine *e, struct pkt *p)
{
	struct masq_buf *b = p->buf;
	const struct arp_hdr *a = (const struct arp_hdr *)(b->data + ETH_HLEN);
	int in = (int)b->iface;
	const struct route *r;
	struct neigh *n;
	uint32_t tpa = a->tpa;

	if (ntohs(a->op) != ARP_REQUEST || a->htype != htons(1) ||
	    a->ptype != htons(ETHERTYPE_IPV4) || a->hlen != ETH_ALEN ||
	    a->plen != 4) {
		eng_drop(e, b, C_drop_arp_not_for_us);
		return;
	}
	r = net_route_lookup(&e->net, tpa);
	if (!r || r->gw || r->iface != in ||
	    net_addr_is_router(&e->net, tpa)) {
		eng_drop(e, b, C_drop_arp_not_for_us);
		return;
	}
	n = neigh_lookup(&e->neigh, tpa);
	if (n && n->iface == in && (n->state == NEIGH_REACHABLE ||
				    n->state == NEIGH_STALE ||
				    n->state == NEIGH_PERMANENT)) {
		host_arp_reply(e, b, n, a->spa);
		return;
	}
	count(e, C_local_in);
	arp_solicit(e, in, tpa);
	eng_buf_free(e, b);
}

/*
 * A frame from the host that is not for a connection: a DHCP client's
 * or server's message, a broadcast, a multicast. It leaves by the twin's
 * interface as the host addressed it (a DHCP server answers a client
 * that has no address yet at its MAC), through the filter's OUTPUT
 * (DHCP not: a client and a server speak at the link layer, as the
 * host's own raw sockets do, before any filter).
 */
static void host_send_link(struct masq_engine *e, struct pkt *p)
{
	int out = (int)p->buf->iface;
	struct fw_pkt fp;

	if (!pkt_is_dhcp_boot(p) && !pkt_is_dhcp_reply(p)) {
		fw_pkt_init(&fp, p, FW_NO_IF, (uint8_t)out, IPT_ST_NEW);
		fw_run_hook(e, e->fw, IPT_OUTPUT, false, &fp);
		if (fp.action != FW_ACCEPT && fp.action != FW_NAT) {
			conn_fw_refuse(e, &fp);
			return;
		}
	}
	count(e, C_host_out);
	eth_transmit(e, p->buf, out, p->eth->dst);
}

/*
 * The filter's say on a packet of a connection with an end at the host:
 * from the wire PREROUTING (mangle) and INPUT; from the host OUTPUT and,
 * leaving, POSTROUTING; back into the host (a REDIRECT of its own) INPUT
 * after OUTPUT.
 * Return: true when it goes on; else it was dropped (and answered)
 */
static bool host_filter(struct masq_engine *e, struct pkt *p,
			const struct ct_entry *ce, enum ct_dir dir, bool to_host,
			int out)
{
	struct fw_pkt fp;

	fw_pkt_init(&fp, p, p->host ? FW_NO_IF : (uint8_t)p->buf->iface,
		    to_host ? FW_NO_IF : (uint8_t)out,
		    conn_fw_state_for(e, ce, dir));
	conn_fw_leaving(&fp, ce, dir);
	fw_run_hook(e, e->fw, p->host ? IPT_OUTPUT : IPT_PREROUTING, false, &fp);
	if (fp.action == FW_ACCEPT || fp.action == FW_NAT) {
		fp.daddr = ce->t[!dir].src;
		if (p->proto != IPPROTO_ICMP_)
			fp.dport = ce->t[!dir].sport;
		fw_run_hook(e, e->fw, to_host ? IPT_INPUT : IPT_POSTROUTING,
			    false, &fp);
	}
	if (fp.action == FW_ACCEPT || fp.action == FW_NAT)
		return true;
	conn_fw_refuse(e, &fp);
	return false;
}

/*
 * Send a packet from the host out by route @r: the host's own TTL (it
 * is not forwarded), fragmented when it may be, and when it may not, the
 * host hears "fragmentation needed" as from a router on its path.
 */
static void host_route_out(struct masq_engine *e, struct pkt *p,
			   const struct route *r, uint32_t dst)
{
	const struct iface *out = &e->net.ifs[r->iface];
	uint32_t nexthop = r->gw ? r->gw : dst;

	if (p->ip_len > out->mtu && (ntohs(p->ip->frag_off) & IP_DF) &&
	    frag_wire_len(e, p) > out->mtu) {
		xlate_undo(e, p);
		icmp_send_error(e, p, ICMP_UNREACH, ICMP_UNREACH_NEEDFRAG,
				out->mtu);
		eng_drop(e, p->buf, C_drop_mtu);
		return;
	}
	count(e, C_host_out);
	if (frag_needed(e, p, r->iface))
		frag_output(e, p, r->iface, nexthop);
	else
		arp_output(e, p->buf, r->iface, nexthop);
}

/**
 * host_conn_packet() - A packet of a connection with an end at the host
 * @e:		engine
 * @p:		the packet, from the wire or from a twin
 * @idx:	its connection
 * @dir:	the way it goes
 * @filtered:	the filter had its say already (the first packet)
 *
 * A packet must come from the side the connection says: from the host
 * only the ways that start there, from the wire only the others.
 */
void host_conn_packet(struct masq_engine *e, struct pkt *p, uint32_t idx,
		      enum ct_dir dir, bool filtered)
{
	struct ct_entry *ce = &e->ct.e[idx];
	bool to_host = conn_ends_at_host(ce, dir);
	const struct route *r = NULL;
	enum masq_counter why;
	uint32_t dst = ce->t[!dir].src;

	if (p->host != conn_starts_at_host(ce, dir)) {
		eng_drop(e, p->buf, p->host ? C_drop_twin_spoofed :
					      C_drop_spoofed);
		return;
	}
	if (!to_host) {
		r = net_route_lookup(&e->net, dst);
		if (!r) {
			eng_drop(e, p->buf, C_drop_no_route);
			return;
		}
	}
	if (!filtered) {
		why = conn_update(e, idx, dir, p);
		if (why != C_NUM) {
			conn_invalid(e, p, why);
			return;
		}
		if (!host_filter(e, p, ce, dir, to_host, r ? r->iface : 0))
			return;
	}
	xlate_packet(p, ce, dir);
	if (to_host)
		host_deliver(e, p);
	else
		host_route_out(e, p, r, dst);
}

/*
 * host_commit() - Make a planned connection with an end at the host and
 * send its first packet (through the filter already)
 */
static void host_commit(struct masq_engine *e, struct pkt *p,
			struct conn_plan *pl)
{
	uint32_t idx = conn_commit(e, p, pl);
	enum masq_counter why;

	if (idx == CT_NONE)
		return;			/* dropped and counted */
	why = conn_update(e, idx, CT_ORIG, p);
	if (why != C_NUM) {
		conn_invalid(e, p, why);
		return;
	}
	host_conn_packet(e, p, idx, CT_ORIG, true);
}

/**
 * host_accept() - INPUT accepted a packet to the router, and its
 * interface has a twin: into the twin, tracked when it can open a
 * connection (a broadcast or an untracked protocol goes in untracked)
 * @e:	engine
 * @p:	the packet
 * @pl:	its plan: the tuples, a REDIRECT's or DNAT's reply source in
 */
void host_accept(struct masq_engine *e, struct pkt *p, struct conn_plan *pl)
{
	enum masq_counter why;

	if (!pkt_tracked(p) ||
	    !net_addr_is_local(&e->net, pl->t[CT_REPLY].src, NULL)) {
		host_deliver(e, p);	/* broadcast, or nothing to track */
		return;
	}
	pl->xflags |= CT_X_TO_HOST;
	why = plan_take_counts(e, p, pl, CT_ORIG);
	if (why != C_NUM) {
		conn_no_room(e, p, why);
		return;
	}
	host_commit(e, p, pl);
}

/*
 * The source of a host connection on the wire: a rule's SNAT or
 * MASQUERADE, else (the router's external address) its own endpoint as
 * a mapping of the host's, port kept when free (nat.c: the host may
 * keep a port among those its sockets hold).
 */
static enum masq_counter host_plan_source(struct masq_engine *e,
					  struct pkt *p, struct conn_plan *pl,
					  struct fw_pkt *fp,
					  const struct route *r)
{
	enum masq_counter why = C_NUM;
	int i;

	if (fp->action == FW_NAT && (fp->nat->kind == IPT_T_SNAT ||
				     fp->nat->kind == IPT_T_MASQUERADE))
		why = plan_snat(e, p, pl, fp->nat, r->iface, true);
	else if (p->has_ports &&
		 net_addr_is_local(&e->net, pl->t[CT_ORIG].src, &i) &&
		 e->net.ifs[i].role == ROLE_EXTERNAL)
		why = plan_masq_source(e, p, pl, pl->t[CT_ORIG].src,
				       &(struct nat_want){ .host = true });
	return why;
}

/*
 * A packet from the host that opens a connection: nat OUTPUT (REDIRECT,
 * DNAT), filter OUTPUT, the route, nat POSTROUTING, as netfilter walks a
 * local connection's first packet.
 */
static void host_first(struct masq_engine *e, struct pkt *p,
		       const struct ct_tuple *t, uint64_t hash)
{
	int in = (int)p->buf->iface;
	uint32_t dst = t->dst;
	uint16_t dport = t->dport;
	const struct route *r;
	struct conn_plan pl;
	enum masq_counter why;
	struct fw_pkt fp;

	if (!net_iface_owns(&e->net, in, t->src)) {
		eng_drop(e, p->buf, C_drop_twin_spoofed);
		return;
	}
	if (!conn_may_open(e, p, true, &why)) {
		eng_drop(e, p->buf, why);
		return;
	}
	/* routed before OUTPUT, as a local socket's packet: -o matches */
	r = net_route_lookup(&e->net, dst);
	fw_pkt_init(&fp, p, FW_NO_IF, r ? (uint8_t)r->iface : FW_NO_IF,
		    IPT_ST_NEW);
	fw_run_hook(e, e->fw, IPT_OUTPUT, true, &fp);
	if (fp.action == FW_DROP || fp.action == FW_REJECT) {
		conn_fw_refuse(e, &fp);
		return;
	}
	plan_init(&pl, t);
	pl.hash[CT_ORIG] = hash;
	pl.xflags = CT_X_FROM_HOST;
	if (fp.action == FW_NAT && (fp.nat->kind == IPT_T_DNAT ||
				    fp.nat->kind == IPT_T_REDIRECT)) {
		if (!plan_dnat_target(e, p, fp.nat, &dst, &dport)) {
			eng_drop(e, p->buf, C_drop_no_route);
			return;
		}
		plan_dnat(&pl, p, dst, dport);
		count(e, C_conn_dnat);
	}
	if (net_addr_is_router(&e->net, dst)) {
		if (dst == t->dst) {		/* the host's business */
			eng_drop(e, p->buf, C_drop_local_unhandled);
			return;
		}
		/* back into the host, from the original destination */
		pl.t[CT_REPLY].dst = t->dst;
		pl.t[CT_REPLY].dport = t->sport;
		pl.xflags |= CT_X_TO_HOST;
		host_commit(e, p, &pl);
		return;
	}
	r = net_route_lookup(&e->net, dst);
	if (!r) {
		why = net_waiting_for_address(&e->net) ? C_drop_no_address :
							 C_drop_no_route;
		icmp_send_error(e, p, ICMP_UNREACH, ICMP_UNREACH_NET, 0);
		eng_drop(e, p->buf, why);
		return;
	}
	fp.out = (uint8_t)r->iface;
	fw_run_hook(e, e->fw, IPT_POSTROUTING, true, &fp);
	if (fp.action == FW_DROP || fp.action == FW_REJECT) {
		conn_fw_refuse(e, &fp);
		return;
	}
	why = host_plan_source(e, p, &pl, &fp, r);
	if (why != C_NUM) {
		icmp_send_error(e, p, ICMP_UNREACH, ICMP_UNREACH_FILTER_PROHIB, 0);
		eng_drop(e, p->buf, why);
		return;
	}
	host_commit(e, p, &pl);
}

/*
 * A unicast packet from the host that nothing tracks (ICMP other than
 * echo and errors, in state NEW; what raw OUTPUT made untracked, in state
 * @st UNTRACKED): routed, through the filter's OUTPUT, untranslated.
 */
static void host_send_untracked(struct masq_engine *e, struct pkt *p,
				uint8_t st)
{
	const struct route *r = net_route_lookup(&e->net, p->ip->daddr);
	struct fw_pkt fp;

	if (!net_iface_owns(&e->net, (int)p->buf->iface, p->ip->saddr)) {
		eng_drop(e, p->buf, C_drop_twin_spoofed);
		return;
	}
	if (!r) {
		eng_drop(e, p->buf, C_drop_no_route);
		return;
	}
	fw_pkt_init(&fp, p, FW_NO_IF, (uint8_t)r->iface, st);
	fw_run_hook(e, e->fw, IPT_OUTPUT, false, &fp);
	if (fp.action != FW_ACCEPT && fp.action != FW_NAT) {
		conn_fw_refuse(e, &fp);
		return;
	}
	host_route_out(e, p, r, p->ip->daddr);
}

/* Group-addressed, or a DHCP message: for the link, not a connection */
static bool host_is_link_frame(const struct masq_engine *e, const struct pkt *p)
{
	uint32_t d = p->ip->daddr;

	return (p->eth->dst[0] & 1) || pkt_is_dhcp_reply(p) ||
	       pkt_is_dhcp_boot(p) || (ntohl(d) >> 28) == 0xe ||
	       net_addr_is_broadcast_on(&e->net, (int)p->buf->iface, d);
}

/*
 * raw OUTPUT, before tracking (fwt_ct.c): a DROP drops, a NOTRACK sends
 * the packet untracked (filter OUTPUT only, untranslated); a CT --helper
 * is the host kernel's business (alg_attach() leaves host connections).
 * Return: true when the packet was taken
 */
static bool host_raw_output(struct masq_engine *e, struct pkt *p)
{
	struct fw_pkt raw;

	if (fwt_raw_walk(e, p, IPT_OUTPUT, FW_NO_IF, &raw))
		return true;
	if (!raw.notrack || host_is_link_frame(e, p))
		return false;
	count(e, C_untracked);
	host_send_untracked(e, p, IPT_ST_UNTRACKED);
	return true;
}

/**
 * host_input() - The walk of a frame from a twin (host_frame_check()
 * passed it)
 * @e:	engine
 * @p:	the frame; ->host set, ->buf->iface the twin's interface
 * @lk:	its tuple and hash when the batch prepared them, or NULL
 */
void host_input(struct masq_engine *e, struct pkt *p,
		const struct eng_lookup *lk)
{
	struct ct_tuple t;
	enum ct_dir dir;
	uint32_t idx = CT_NONE;

	if (!p->ip) {
		host_arp_input(e, p);
		return;
	}
	if (p->frag) {
		frag_input(e, p);
		return;
	}
	if (fw_raw_at(e->fw, IPT_OUTPUT) && host_raw_output(e, p))
		return;
	if (p->icmp_error) {
		icmp_error_input(e, p);
		return;
	}
	if (host_is_link_frame(e, p)) {
		host_send_link(e, p);
		return;
	}
	t = (struct ct_tuple){ p->ip->saddr, p->ip->daddr, p->sport, p->dport };
	if (lk)
		idx = ct_lookup_hinted(&e->ct, lk->hash, lk->hint, p->proto, &t,
				       &dir);
	else if (pkt_tracked(p))
		idx = ct_lookup(&e->ct, p->proto, &t, &dir);
	if (idx != CT_NONE && p->proto == IPPROTO_TCP_ &&
	    (p->tcp_flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN &&
	    (e->ct.e[idx].state == TCPS_TIME_WAIT ||
	     e->ct.e[idx].state == TCPS_CLOSE)) {
		conn_release(e, idx);		/* a port used again */
		idx = CT_NONE;
	}
	if (idx != CT_NONE)
		host_conn_packet(e, p, idx, dir, false);
	else if (pkt_tracked(p))
		host_first(e, p, &t, lk ? lk->hash : 0);
	else
		host_send_untracked(e, p, IPT_ST_NEW);
}

/* ---- the router's addresses ---------------------------------------------- */

/*
 * host_forget_address() - @addr is no longer the router's: every
 * connection that uses it goes, with its mapping (nothing may leave with
 * an address the router does not hold: the seeds' ip_dynaddr), and its
 * slot of external ports. O(table): once per address change.
 */
void host_forget_address(struct masq_engine *e, uint32_t addr)
{
	for (uint32_t i = 0; i < e->ct.max; i++) {
		const struct ct_entry *ce = &e->ct.e[i];

		if (!(ce->flags & CT_F_USED))
			continue;
		if (ce->t[CT_ORIG].src == addr || ce->t[CT_ORIG].dst == addr ||
		    ce->t[CT_REPLY].src == addr || ce->t[CT_REPLY].dst == addr) {
			conn_release(e, i);
			count(e, C_conn_forgotten_addr);
		}
	}
	nat_addr_forget(&e->nat, addr);
}

/* ---- host-ports ------------------------------------------------------------ */

/* Parse a port list "22,2222,6000-6010" (or "-": none) into @set */
static bool host_ports_parse(const char *s, uint64_t *set)
{
	memset(set, 0, 65536 / 8);
	if (!strcmp(s, "-"))
		return true;
	while (*s) {
		unsigned long lo, hi;
		char *end;

		if (*s < '0' || *s > '9')
			return false;
		lo = strtoul(s, &end, 10);
		hi = lo;
		if (*end == '-') {
			if (end[1] < '0' || end[1] > '9')
				return false;
			hi = strtoul(end + 1, &end, 10);
		}
		if (!lo || lo > hi || hi > 65535 || (*end && *end != ','))
			return false;
		for (unsigned long p = lo; p <= hi; p++)
			set[p >> 6] |= 1ull << (p & 63);
		s = *end ? end + 1 : end;
		if (*end && !*s)
			return false;		/* a trailing comma */
	}
	return true;
}

/* Print set @set as ranges, "-" when empty */
static void host_ports_print(struct masq_text *out, const uint64_t *set)
{
	bool any = false;

	for (uint32_t p = 1; p < 65536; p++) {
		uint32_t q = p;

		if (!(set[p >> 6] & (1ull << (p & 63))))
			continue;
		while (q + 1 < 65536 && (set[(q + 1) >> 6] & (1ull << ((q + 1) & 63))))
			q++;
		masq_text_printf(out, q > p ? "%s%u-%u" : "%s%u", any ? "," : "",
				 p, q);
		any = true;
		p = q;
	}
	if (!any)
		masq_text_printf(out, "-");
}

/**
 * host_ports_ctl() - host-ports [tcp LIST] [udp LIST]: the ports host
 * sockets hold on the router's addresses (masqd learns them); with no
 * arguments, the list
 * @e:		engine
 * @argc:	words
 * @argv:	"host-ports", then pairs
 * @out:	listing or error
 *
 * Return: 0, or 2 for a usage error (nothing changed)
 */
int host_ports_ctl(struct masq_engine *e, int argc, char *const *argv,
		   struct masq_text *out)
{
	static const char *const names[2] = { "tcp", "udp" };
	uint64_t set[2][65536 / 64];
	bool given[2] = { false, false };

	if (argc == 1) {
		for (int c = 0; c < 2; c++) {
			masq_text_printf(out, "%s ", names[c]);
			host_ports_print(out, e->nat.host_ports[c]);
			masq_text_printf(out, "\n");
		}
		return 0;
	}
	if (argc % 2 == 0 || argc > 5) {
		masq_text_printf(out, "usage: host-ports [tcp LIST] [udp LIST] "
				 "(LIST: 22,2222,6000-6010 or -)\n");
		return 2;
	}
	for (int i = 1; i < argc; i += 2) {
		int c = !strcmp(argv[i], "tcp") ? 0 : !strcmp(argv[i], "udp") ? 1 : -1;

		if (c < 0 || given[c] || !host_ports_parse(argv[i + 1], set[c])) {
			masq_text_printf(out, "host-ports: bad '%s %s' (tcp|udp "
					 "22,2222,6000-6010 or -)\n", argv[i],
					 argv[i + 1]);
			return 2;
		}
		given[c] = true;
	}
	for (int c = 0; c < 2; c++)
		if (given[c])
			nat_set_host_ports(&e->nat, c ? NAT_PCLS_UDP : NAT_PCLS_TCP,
					   set[c]);
	return 0;
}
