// SPDX-License-Identifier: MIT
/*
 * xlate.c - rewrite a packet from one tuple of its connection to the other
 *
 * A connection's translation is the difference between its tuples: a
 * packet going the original way leaves with the source and destination
 * the reply will arrive with, swapped (src := reply.dst, dst := reply.src,
 * ports likewise), and a reply the other way round. The checksum change
 * of that rewrite is computed once per connection (xlate_prepare) as a
 * one's complement delta; the reply direction adds its negation. So a
 * rewrite is a few stores and two adds with a fold (RFC 1624).
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
 * xlate_prepare() - Compute an entry's flags and checksum deltas
 * @ce:	entry with both tuples and the protocol set
 */
void xlate_prepare(struct ct_entry *ce)
{
	const struct ct_tuple *o = &ce->t[CT_ORIG], *r = &ce->t[CT_REPLY];
	uint32_t l3 = 0, l4;

	ce->flags &= (uint8_t)~(CT_F_SNAT | CT_F_DNAT);
	if (o->src != r->dst || o->sport != r->dport)
		ce->flags |= CT_F_SNAT;
	if (o->dst != r->src || o->dport != r->sport)
		ce->flags |= CT_F_DNAT;
	l3 = csum_delta32(l3, o->src, r->dst);
	l3 = csum_delta32(l3, o->dst, r->src);
	if (ce->proto == IPPROTO_ICMP_) {
		l4 = csum_delta16(0, o->sport, r->dport);
	} else {
		l4 = csum_delta16(l3, o->sport, r->dport);
		l4 = csum_delta16(l4, o->dport, r->sport);
	}
	ce->l3_delta = csum_fold(l3);
	ce->l4_delta = csum_fold(l4);
}

static inline uint32_t delta_for(uint32_t d, enum ct_dir dir)
{
	return dir == CT_ORIG ? d : (uint16_t)~csum_fold(d);
}

static uint16_t l4_check_update(const struct pkt *p, uint16_t check,
				uint32_t l3, uint32_t l4)
{
	if (p->csum_partial)
		return csum_fold((uint32_t)check + l3);
	return csum_apply_delta(check, l4);
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
	const struct ct_tuple *to = &ce->t[!dir];
	uint32_t l3 = delta_for(ce->l3_delta, dir);
	uint32_t l4 = delta_for(ce->l4_delta, dir);
	struct ip4_hdr *ip = p->ip;

	(void)e;
	if (!(ce->flags & (CT_F_SNAT | CT_F_DNAT)))
		return;
	ip->saddr = to->dst;
	ip->daddr = to->src;
	ip->check = csum_apply_delta(ip->check, l3);
	switch (p->proto) {
	case IPPROTO_TCP_: {
		struct tcp_hdr *th = (struct tcp_hdr *)p->l4;

		th->sport = to->dport;
		th->dport = to->sport;
		th->check = l4_check_update(p, th->check, l3, l4);
		break;
	}
	case IPPROTO_UDP_: {
		struct udp_hdr *uh = (struct udp_hdr *)p->l4;

		uh->sport = to->dport;
		uh->dport = to->sport;
		if (!uh->check && !p->csum_partial)
			break;
		uh->check = l4_check_update(p, uh->check, l3, l4);
		if (!uh->check && !p->csum_partial)
			uh->check = 0xffff;
		break;
	}
	case IPPROTO_ICMP_: {
		struct icmp_hdr *ih = (struct icmp_hdr *)p->l4;

		ih->id = dir == CT_ORIG ? to->dport : to->sport;
		if (!p->csum_partial)
			ih->check = csum_apply_delta(ih->check, l4);
		break;
	}
	default:
		break;
	}
}
