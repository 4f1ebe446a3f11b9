/* SPDX-License-Identifier: MIT */
/*
 * xlate.h - the per-packet header rewrites, inline (see xlate.c)
 *
 * Every forwarded packet of a connection is rewritten here, on the
 * general path (conn_forward()) and the short one (conn_forward_est())
 * alike, so the few dozen instructions of a rewrite are inlined into
 * both rather than paid again as calls. What runs once per connection
 * or per error (xlate_prepare(), xlate_undo()) stays in xlate.c.
 */
#ifndef MASQ_XLATE_H
#define MASQ_XLATE_H

#include <arpa/inet.h>
#include <string.h>

#include "csum.h"
#include "ct.h"
#include "pkt.h"

/*
 * The checksum deltas of rewriting tuple @from into @to: @l3 for the
 * addresses (IPv4 header and pseudo-header), @l4 for the L4 checksum
 * (addresses and ports; for ICMP the echo identifier only).
 *
 * Each 32-bit field enters whole and the sums stay unfolded in 64 bits
 * until applied (csum_apply_delta()): one's complement sums do not
 * care how their 16-bit words are grouped or when they are folded, and a
 * fold gives 0 only when every word was 0 either way, so every checksum
 * comes out exactly as RFC 1624's word by word sum, in fewer adds.
 */
static inline void xlate_deltas(uint8_t proto, const struct ct_tuple *from,
				const struct ct_tuple *to, uint64_t *l3,
				uint64_t *l4)
{
	uint32_t pf, pt;		/* both ports as one 32-bit word */
	uint64_t ports;

	memcpy(&pf, &from->sport, sizeof(pf));
	memcpy(&pt, &to->sport, sizeof(pt));
	*l3 = (uint64_t)(uint32_t)~from->src + (uint32_t)~from->dst +
	      to->src + to->dst;
	ports = (uint64_t)(uint32_t)~pf + pt;
	/* ICMP: the identifier is the request's sport or the reply's dport */
	*l4 = proto == IPPROTO_ICMP_ ? ports : *l3 + ports;
}

static inline uint16_t xlate_l4_check(const struct pkt *p, uint16_t check,
				      uint64_t l3, uint64_t l4)
{
	if (p->csum_partial)
		return csum_fold64(check + l3);
	return csum_apply_delta(check, l4);
}

/*
 * The IPv4 header checksum's delta of decrementing TTL: the 16-bit word
 * (TTL, protocol), read as it sits in the packet, loses htons(0x0100);
 * adding its one's complement takes it away.
 */
static inline uint64_t xlate_ttl_delta(void)
{
	return (uint16_t)~htons(0x0100);
}

/*
 * Rewrite a packet's tuple from @from (what it is) to @to; @ip_extra is
 * a further delta for the IPv4 header checksum alone (the TTL's, or 0).
 * Always inline: left to itself the compiler kept one out-of-line copy,
 * and the call made the caller build @to on the stack, about 10
 * instructions a packet.
 */
static inline __attribute__((always_inline)) void
xlate_rewrite(struct pkt *p, const struct ct_tuple *from,
	      const struct ct_tuple *to, uint64_t ip_extra)
{
	struct ip4_hdr *ip = p->ip;
	uint64_t l3, l4;

	xlate_deltas(p->proto, from, to, &l3, &l4);
	ip->saddr = to->src;
	ip->daddr = to->dst;
	ip->check = csum_apply_delta(ip->check, l3 + ip_extra);
	switch (p->proto) {
	case IPPROTO_TCP_: {
		struct tcp_hdr *th = (struct tcp_hdr *)p->l4;

		th->sport = to->sport;
		th->dport = to->dport;
		th->check = xlate_l4_check(p, th->check, l3, l4);
		break;
	}
	case IPPROTO_UDP_: {
		struct udp_hdr *uh = (struct udp_hdr *)p->l4;

		uh->sport = to->sport;
		uh->dport = to->dport;
		if (!uh->check && !p->csum_partial)
			break;
		uh->check = xlate_l4_check(p, uh->check, l3, l4);
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
 * @p:		the packet (headers validated by parse.c)
 * @ce:		its connection
 * @dir:	the direction it goes
 */
static inline void xlate_packet(struct pkt *p, const struct ct_entry *ce,
				enum ct_dir dir)
{
	struct ct_tuple to;

	if (!(ce->flags & (CT_F_SNAT | CT_F_DNAT)))
		return;
	to = ct_tuple_invert(&ce->t[!dir]);
	xlate_rewrite(p, &ce->t[dir], &to, 0);
}

/* Decrement TTL, updating the header checksum (RFC 1624) */
static inline void ip_dec_ttl(struct ip4_hdr *ip)
{
	uint16_t old, new;

	memcpy(&old, &ip->ttl, 2);
	ip->ttl--;
	memcpy(&new, &ip->ttl, 2);
	ip->check = csum_replace16(ip->check, old, new);
}

/*
 * xlate_packet_dec_ttl() - xlate_packet() and ip_dec_ttl() in one: the
 * IPv4 header checksum is updated once for both (TTL above 1: checked)
 */
static inline void xlate_packet_dec_ttl(struct pkt *p,
					const struct ct_entry *ce,
					enum ct_dir dir)
{
	struct ct_tuple to;

	if (!(ce->flags & (CT_F_SNAT | CT_F_DNAT))) {
		ip_dec_ttl(p->ip);
		return;
	}
	to = ct_tuple_invert(&ce->t[!dir]);
	p->ip->ttl--;
	xlate_rewrite(p, &ce->t[dir], &to, xlate_ttl_delta());
}

#endif
