// SPDX-License-Identifier: MIT
/*
 * arp.c - ARP (RFC 826) and the last step of every frame: Ethernet out
 *
 * Owns answering ARP for the router's addresses, learning neighbours,
 * resolving next hops and holding frames while that happens. The router
 * answers only for addresses of the interface the request came in on
 * (as Linux's arp_ignore=1 would): a LAN host cannot learn the WAN
 * address's MAC through the LAN.
 *
 * Resolution: a first frame to an unknown next hop creates an INCOMPLETE
 * entry, is held, and a broadcast request goes out; up to NEIGH_PROBES
 * requests a second apart, then the entry FAILS and what it held is
 * dropped (counted). REACHABLE entries turn STALE after
 * NEIGH_REACHABLE_MS; a STALE entry is still used and its next use sends
 * a request to confirm it (RFC 1122 2.3.2.1 flavour, without unicast
 * probes).
 *
 * Limits: frames held per neighbour (NEIGH_QUEUE_PER) and in all
 * (limits.neigh_queue); beyond them the frame is dropped and counted.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "eng.h"

static const uint8_t eth_bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* An ARP packet of @op in @b, Ethernet type set (addresses: the caller's) */
void arp_fill(struct masq_buf *b, uint16_t op, const uint8_t *sha,
	      uint32_t spa, const uint8_t *tha, uint32_t tpa)
{
	struct eth_hdr *eth = (struct eth_hdr *)b->data;
	struct arp_hdr *a = (struct arp_hdr *)(b->data + ETH_HLEN);

	eth->type = htons(ETHERTYPE_ARP);
	a->htype = htons(1);
	a->ptype = htons(ETHERTYPE_IPV4);
	a->hlen = ETH_ALEN;
	a->plen = 4;
	a->op = htons(op);
	memcpy(a->sha, sha, ETH_ALEN);
	a->spa = spa;
	memcpy(a->tha, tha, ETH_ALEN);
	a->tpa = tpa;
	b->len = ETH_HLEN + sizeof(*a);
	memset(&b->meta, 0, sizeof(b->meta));
}

/* The interface's own address on the network of @ip, or its first */
static uint32_t iface_src_for(const struct iface *ifc, uint32_t ip)
{
	for (int i = 0; i < ifc->naddr; i++)
		if ((ip & ifc->addr[i].mask) ==
		    (ifc->addr[i].addr & ifc->addr[i].mask))
			return ifc->addr[i].addr;
	return ifc->naddr ? ifc->addr[0].addr : 0;
}

static void arp_send_request(struct masq_engine *e, struct neigh *n)
{
	const struct iface *ifc = &e->net.ifs[n->iface];
	static const uint8_t zero[ETH_ALEN];
	struct masq_buf *b = eng_buf_new(e);

	n->probe_ms = e->now_ms;
	n->probes++;
	if (!b)
		return;
	arp_fill(b, ARP_REQUEST, ifc->mac, iface_src_for(ifc, n->ip), zero,
		 n->ip);
	count(e, C_arp_requests_sent);
	eth_transmit(e, b, n->iface, eth_bcast);
}

static void neigh_flush_queue(struct masq_engine *e, struct neigh *n)
{
	while (n->qhead) {
		struct masq_buf *b = n->qhead;

		n->qhead = b->next;
		b->next = NULL;
		n->qlen--;
		e->neigh.queued--;
		eth_transmit(e, b, n->iface, n->mac);
	}
	n->qtail = NULL;
}

/* Drop what waited for @n; with @unreach, tell each sender (RFC 1812) */
static void neigh_drop_queue(struct masq_engine *e, struct neigh *n,
			     bool unreach)
{
	while (n->qhead) {
		struct masq_buf *b = n->qhead;

		n->qhead = b->next;
		b->next = NULL;
		n->qlen--;
		e->neigh.queued--;
		if (unreach)
			icmp_unreach_held(e, b);
		eng_drop(e, b, C_drop_neigh_failed);
	}
	n->qtail = NULL;
}

static void neigh_confirm(struct masq_engine *e, struct neigh *n,
			  const uint8_t *mac)
{
	if (n->state == NEIGH_PERMANENT)
		return;
	memcpy(n->mac, mac, ETH_ALEN);
	n->state = NEIGH_REACHABLE;
	n->probes = 0;
	n->updated_ms = e->now_ms;
	neigh_flush_queue(e, n);
	if (n->host_waits) {
		n->host_waits = false;
		host_arp_answer(e, n);
	}
}

/* Is @ip on a network connected to interface @iface? */
static bool iface_on_link(const struct iface *ifc, uint32_t ip)
{
	for (int i = 0; i < ifc->naddr; i++)
		if ((ip & ifc->addr[i].mask) ==
		    (ifc->addr[i].addr & ifc->addr[i].mask))
			return true;
	return false;
}

static bool iface_owns(const struct iface *ifc, uint32_t ip)
{
	for (int i = 0; i < ifc->naddr; i++)
		if (ifc->addr[i].addr == ip)
			return true;
	return false;
}

static bool arp_valid(const struct arp_hdr *a)
{
	uint16_t op = ntohs(a->op);

	return a->htype == htons(1) && a->ptype == htons(ETHERTYPE_IPV4) &&
	       a->hlen == ETH_ALEN && a->plen == 4 &&
	       (op == ARP_REQUEST || op == ARP_REPLY) &&
	       !(a->sha[0] & 1);
}

/**
 * arp_input() - A received ARP packet: learn, and answer if it asks us
 * @e:	engine
 * @p:	parsed frame (ARP)
 */
void arp_input(struct masq_engine *e, struct pkt *p)
{
	struct masq_buf *b = p->buf;
	struct arp_hdr *a = (struct arp_hdr *)(b->data + ETH_HLEN);
	const struct iface *ifc = &e->net.ifs[b->iface];
	bool for_us = iface_owns(ifc, a->tpa);
	struct neigh *n;
	uint8_t sha[ETH_ALEN];
	uint32_t spa = a->spa;

	if (!arp_valid(a) || !memcmp(a->sha, ifc->mac, ETH_ALEN)) {
		eng_drop(e, b, C_drop_arp_malformed);
		return;
	}
	memcpy(sha, a->sha, ETH_ALEN);
	/* RFC 826 merge: update a known sender; learn one that asks us */
	if (spa && iface_on_link(ifc, spa) && !iface_owns(ifc, spa)) {
		n = neigh_lookup(&e->neigh, spa);
		if (!n && for_us && ntohs(a->op) == ARP_REQUEST) {
			n = neigh_create(&e->neigh, spa, (int)b->iface);
			if (n)
				n->state = NEIGH_STALE;
		}
		if (n && n->iface == b->iface)
			neigh_confirm(e, n, sha);
	}
	if (!for_us || ntohs(a->op) != ARP_REQUEST) {
		eng_drop(e, b, for_us ? C_local_in : C_drop_arp_not_for_us);
		return;
	}
	if (e->worker_k) {		/* every worker learns, worker 0 answers */
		eng_drop(e, b, C_local_in);
		return;
	}
	/* answer in place: the request becomes the reply */
	arp_fill(b, ARP_REPLY, ifc->mac, a->tpa, sha, spa);
	count(e, C_arp_replies_sent);
	eth_transmit(e, b, (int)b->iface, sha);
}

/**
 * arp_solicit() - The host asked for @ip on @iface's link (its twin) and
 * no usable answer is known: ask the wire, and answer the host when the
 * reply comes (host_arp_answer())
 * @e:		engine
 * @iface:	interface whose link @ip is on
 * @ip:		the address asked for
 */
void arp_solicit(struct masq_engine *e, int iface, uint32_t ip)
{
	struct neigh *n = neigh_lookup(&e->neigh, ip);

	if (n && n->iface != iface) {
		neigh_drop_queue(e, n, false);
		neigh_delete(&e->neigh, n);
		n = NULL;
	}
	if (!n) {
		n = neigh_create(&e->neigh, ip, iface);
		if (!n)
			return;
		n->state = NEIGH_INCOMPLETE;
		n->updated_ms = e->now_ms;
	}
	n->host_waits = true;
	if (n->state == NEIGH_FAILED)
		return;			/* asked again when it is retried */
	if (n->state != NEIGH_INCOMPLETE ||
	    e->now_ms - n->probe_ms >= NEIGH_RETRANS_MS)
		arp_send_request(e, n);
}

static void neigh_enqueue(struct masq_engine *e, struct neigh *n,
			  struct masq_buf *b)
{
	if (n->qlen >= NEIGH_QUEUE_PER ||
	    e->neigh.queued >= e->neigh.max_queued) {
		eng_drop(e, b, C_drop_neigh_queue_full);
		return;
	}
	b->next = NULL;
	if (n->qtail)
		n->qtail->next = b;
	else
		n->qhead = b;
	n->qtail = b;
	n->qlen++;
	e->neigh.queued++;
	count(e, C_neigh_queued);
}

/**
 * arp_resolve() - arp_output() the long way: find or make the neighbour
 * @e:		engine
 * @b:		IPv4 frame, Ethernet header in place
 * @iface:	interface to leave by
 * @nexthop:	next hop address on that interface's link
 *
 * Transmits, holds the frame until ARP answers, or drops it (counted).
 */
void arp_resolve(struct masq_engine *e, struct masq_buf *b, int iface,
		 uint32_t nexthop)
{
	struct iface *ifc = &e->net.ifs[iface];
	struct neigh *n = &e->neigh.slots[ifc->nh_slot & e->neigh.mask];

	/* most frames leave by the same gateway: try the last slot first */
	if (n->ip != nexthop || !nexthop) {
		n = neigh_lookup(&e->neigh, nexthop);
		if (n)
			ifc->nh_slot = (uint32_t)(n - e->neigh.slots);
	}

	if (n && n->iface != iface) {
		/* the address moved to another link: start again */
		neigh_drop_queue(e, n, false);
		neigh_delete(&e->neigh, n);
		n = NULL;
	}
	if (!n) {
		n = neigh_create(&e->neigh, nexthop, iface);
		if (!n) {
			eng_drop(e, b, C_drop_neigh_queue_full);
			return;
		}
		n->state = NEIGH_INCOMPLETE;
		n->updated_ms = e->now_ms;
		neigh_enqueue(e, n, b);
		arp_send_request(e, n);
		return;
	}
	switch (n->state) {
	case NEIGH_STALE:
		if (e->now_ms - n->probe_ms >= NEIGH_RETRANS_MS)
			arp_send_request(e, n);
		/* fall through */
	case NEIGH_REACHABLE:
	case NEIGH_PERMANENT:
		eth_transmit(e, b, iface, n->mac);
		return;
	case NEIGH_INCOMPLETE:
		neigh_enqueue(e, n, b);
		return;
	default:	/* FAILED: until it is retried */
		eng_drop(e, b, C_drop_neigh_failed);
		return;
	}
}

static bool neigh_age(struct masq_engine *e, struct neigh *n)
{
	uint64_t age = e->now_ms - n->updated_ms;

	switch (n->state) {
	case NEIGH_INCOMPLETE:
		if (e->now_ms - n->probe_ms < NEIGH_RETRANS_MS)
			return false;
		if (n->probes < NEIGH_PROBES) {
			arp_send_request(e, n);
			return false;
		}
		neigh_drop_queue(e, n, true);
		n->state = NEIGH_FAILED;
		n->updated_ms = e->now_ms;
		return false;
	case NEIGH_REACHABLE:
		if (age >= NEIGH_REACHABLE_MS)
			n->state = NEIGH_STALE;
		return false;
	case NEIGH_STALE:
		return age >= NEIGH_STALE_MS;
	case NEIGH_FAILED:
		return age >= NEIGH_FAILED_MS;
	default:
		return false;
	}
}

#define NEIGH_SCAN_MS	100

/*
 * arp_advance() - Retry, age and forget neighbours
 * A scan of the whole table at most every NEIGH_SCAN_MS: the table is
 * small (twice limits.max_neigh slots) and the scan a linear read.
 */
void arp_advance(struct masq_engine *e)
{
	struct neigh_table *t = &e->neigh;

	if (e->now_ms >= t->scan_ms && e->now_ms - t->scan_ms < NEIGH_SCAN_MS)
		return;
	t->scan_ms = e->now_ms;
	for (uint32_t i = 0; i <= t->mask; i++) {
		struct neigh *n = &t->slots[i];

		while (n->ip && neigh_age(e, n))
			neigh_delete(t, n);	/* slot i may refill: look again */
	}
}

/**
 * arp_set_static() - Pin a neighbour's MAC (it never expires)
 * Frames waiting for it are sent with the next call that has a tx vector;
 * here, with none, they are dropped and counted.
 *
 * Return: 0, -EEXIST when the address is known on another interface,
 * -ENOSPC when the table is full
 */
int arp_set_static(struct masq_engine *e, uint32_t ip, int iface,
		   const uint8_t *mac)
{
	struct neigh *n = neigh_lookup(&e->neigh, ip);

	if (n && n->iface != iface)
		return -EEXIST;
	if (!n)
		n = neigh_create(&e->neigh, ip, iface);
	if (!n)
		return -ENOSPC;
	if (e->tx)
		neigh_confirm(e, n, mac);
	else
		neigh_drop_queue(e, n, false);
	memcpy(n->mac, mac, ETH_ALEN);
	n->state = NEIGH_PERMANENT;
	n->updated_ms = e->now_ms;
	return 0;
}
