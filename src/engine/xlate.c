// SPDX-License-Identifier: MIT
/*
 * xlate.c - rewrite a packet from one tuple of its connection to the other
 *
 * A connection's translation is the difference between its tuples: a
 * packet going one way leaves looking like the other way's tuple
 * inverted (src := reply.dst, dst := reply.src, ports likewise). The
 * checksum change of that rewrite is a one's complement delta of the old
 * and new fields, applied to each checksum with an add and a fold
 * (RFC 1624): computed per packet from the tuples, which sit in the
 * cache line already read, rather than stored.
 *
 * Frames marked NEEDS_CSUM carry in their L4 field the pseudo-header sum
 * that the sender's NIC or kernel will finish: only address changes go
 * into it, un-complemented, since ports lie in the part still to be
 * summed. A UDP checksum of 0 means none and stays 0; a computed 0 is
 * sent as 0xffff (RFC 768).
 */
#include <string.h>

#include "csum.h"
#include "eng.h"

/**
 * xlate_prepare() - Set an entry's translation flags from its tuples
 * @ce:	entry with both tuples and the protocol set
 */
void xlate_prepare(struct ct_entry *ce)
{
	const struct ct_tuple *o = &ce->t[CT_ORIG], *r = &ce->t[CT_REPLY];

	ce->flags &= (uint8_t)~(CT_F_SNAT | CT_F_DNAT);
	if (o->src != r->dst || o->sport != r->dport)
		ce->flags |= CT_F_SNAT;
	if (o->dst != r->src || o->dport != r->sport)
		ce->flags |= CT_F_DNAT;
}

/*
 * The checksum deltas of rewriting tuple @from into @to: @l3 for the
 * addresses (IPv4 header and pseudo-header), @l4 for the L4 checksum
 * (addresses and ports; for ICMP the echo identifier only).
 */
static void xlate_deltas(uint8_t proto, const struct ct_tuple *from,
			 const struct ct_tuple *to, uint32_t *l3, uint32_t *l4)
{
	uint32_t d = csum_delta32(csum_delta32(0, from->src, to->src),
				  from->dst, to->dst);

	*l3 = csum_fold(d);
	if (proto == IPPROTO_ICMP_) {
		/* the identifier is the request's sport or the reply's dport */
		*l4 = csum_fold(csum_delta16(csum_delta16(0, from->sport, to->sport),
					     from->dport, to->dport));
		return;
	}
	d = csum_delta16(d, from->sport, to->sport);
	*l4 = csum_fold(csum_delta16(d, from->dport, to->dport));
}

static uint16_t l4_check_update(const struct pkt *p, uint16_t check,
				uint32_t l3, uint32_t l4)
{
	if (p->csum_partial)
		return csum_fold((uint32_t)check + l3);
	return csum_apply_delta(check, l4);
}

/* Rewrite a packet's tuple from @from (what it is) to @to */
static void xlate_rewrite(struct pkt *p, const struct ct_tuple *from,
			  const struct ct_tuple *to)
{
	struct ip4_hdr *ip = p->ip;
	uint32_t l3, l4;

	xlate_deltas(p->proto, from, to, &l3, &l4);
	ip->saddr = to->src;
	ip->daddr = to->dst;
	ip->check = csum_apply_delta(ip->check, l3);
	switch (p->proto) {
	case IPPROTO_TCP_: {
		struct tcp_hdr *th = (struct tcp_hdr *)p->l4;

		th->sport = to->sport;
		th->dport = to->dport;
		th->check = l4_check_update(p, th->check, l3, l4);
		break;
	}
	case IPPROTO_UDP_: {
		struct udp_hdr *uh = (struct udp_hdr *)p->l4;

		uh->sport = to->sport;
		uh->dport = to->dport;
		if (!uh->check && !p->csum_partial)
			break;
		uh->check = l4_check_update(p, uh->check, l3, l4);
		if (!uh->check && !p->csum_partial)
			uh->check = 0xffff;
		break;
	}
	case IPPROTO_ICMP_: {
		struct icmp_hdr *ih = (struct icmp_hdr *)p->l4;

		ih->id = ih->type == ICMP_ECHO ? to->sport : to->dport;
		if (!p->csum_partial)
			ih->check = csum_apply_delta(ih->check, l4);
		break;
	}
	default:
		break;
	}
}

/**
 * xlate_packet() - Rewrite a packet of connection @ce going way @dir
 * @e:		engine
 * @p:		the packet (headers validated by parse.c)
 * @ce:		its connection
 * @dir:	the direction it goes
 */
void xlate_packet(struct masq_engine *e, struct pkt *p,
		  const struct ct_entry *ce, enum ct_dir dir)
{
	struct ct_tuple to = ct_tuple_invert(&ce->t[!dir]);

	(void)e;
	if (ce->flags & (CT_F_SNAT | CT_F_DNAT))
		xlate_rewrite(p, &ce->t[dir], &to);
}

/**
 * xlate_undo() - Turn a forwarded packet back into what arrived
 * @e:	engine
 * @p:	a packet translated by xlate_packet() and its TTL decremented
 *
 * For errors that must quote the packet as it arrived (host unreachable
 * once ARP gives up on a frame already translated). The connection is
 * found by the translated tuple, inverted; a packet of none is left as
 * it is, its TTL restored.
 */
void xlate_undo(struct masq_engine *e, struct pkt *p)
{
	struct ct_tuple now = { p->ip->saddr, p->ip->daddr, p->sport, p->dport };
	struct ct_tuple key = ct_tuple_invert(&now);
	uint16_t old, new;
	enum ct_dir fdir;
	uint32_t idx;

	if (pkt_tracked(p)) {
		idx = ct_lookup(&e->ct, p->proto, &key, &fdir);
		if (idx != CT_NONE)
			xlate_rewrite(p, &now, &e->ct.e[idx].t[!fdir]);
	}
	memcpy(&old, &p->ip->ttl, 2);
	p->ip->ttl++;
	memcpy(&new, &p->ip->ttl, 2);
	p->ip->check = csum_replace16(p->ip->check, old, new);
}
