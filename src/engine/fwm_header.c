// SPDX-License-Identifier: MIT
/*
 * fwm_header.c - the matches that read one field of the packet's own
 *		  headers: -m iprange, -m pkttype, -m length, -m tos, -m ttl
 *
 * Each is a comparison, as the kernel's xt_iprange, xt_pkttype,
 * xt_length, xt_tos (dscp.c) and xt_ttl make it, on the packet as the
 * hook sees it: iprange reads the addresses of struct fw_pkt (after the
 * destination's translation, before the source's), length the IP total
 * length (a GRO batch's whole length, as the kernel's is for its GRO
 * packets), tos and ttl the IP header's bytes as they are now (a TOS or
 * TTL target earlier in the walk has changed them; in FORWARD and
 * POSTROUTING ttl reads the TTL less the decrement the forward path
 * still owes, as the kernel's hooks see it: fw_pkt_ttl_owed()). pkttype reads the
 * frame's Ethernet destination: all ones is broadcast, the group bit
 * multicast, the arrival interface's own address unicast ("host"), any
 * other otherhost (which never reaches a hook: the engine takes in no
 * frame for another station); a packet of the router's own (no arrival interface)
 * is unicast, as the kernel's locally made packets are PACKET_HOST.
 *
 * No state, no allocation; every worker answers the same.
 */
#include <arpa/inet.h>
#include <string.h>

#include "eng.h"
#include "fw.h"

static bool in_range32(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v >= lo && v <= hi;
}

/* -m iprange: each range given holds (or, negated, does not) */
bool fwm_iprange(const struct ipt_match *m, const struct fw_pkt *fp)
{
	uint32_t a[2] = { ntohl(fp->saddr), ntohl(fp->daddr) };

	for (int i = 0; i < 2; i++) {
		uint16_t bit = i ? IPT_F_DST : IPT_F_SRC;

		if ((m->set & bit) &&
		    in_range32(a[i], m->u.iprange.lo[i], m->u.iprange.hi[i]) ==
		    !!(m->inv & bit))
			return false;
	}
	return true;
}

/* The kernel's pkt_type of the frame @fp came in */
static uint8_t frame_pkttype(const struct masq_engine *e,
			     const struct fw_pkt *fp)
{
	static const uint8_t all_ones[ETH_ALEN] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	};
	const uint8_t *dst = fp->p->eth->dst;

	if (fp->in == FW_NO_IF || fp->in >= e->net.nifs)
		return IPT_PKT_HOST;
	if (!memcmp(dst, all_ones, ETH_ALEN))
		return IPT_PKT_BROADCAST;
	if (dst[0] & 1)
		return IPT_PKT_MULTICAST;
	if (!memcmp(dst, e->net.ifs[fp->in].mac, ETH_ALEN))
		return IPT_PKT_HOST;
	return IPT_PKT_OTHERHOST;
}

/* -m pkttype */
bool fwm_pkttype(const struct masq_engine *e, const struct ipt_match *m,
		 const struct fw_pkt *fp)
{
	return (frame_pkttype(e, fp) == m->u.pkttype) !=
	       !!(m->inv & IPT_F_VALUE);
}

/* -m length: the IP total length in lo..hi */
bool fwm_length(const struct ipt_match *m, const struct fw_pkt *fp)
{
	uint16_t len = fp->p->ip_len;

	return (len >= m->u.length.lo && len <= m->u.length.hi) !=
	       !!(m->inv & IPT_F_VALUE);
}

/* -m tos: (tos & mask) == value */
bool fwm_tos(const struct ipt_match *m, const struct fw_pkt *fp)
{
	return ((fp->p->ip->tos & m->u.tos.mask) == m->u.tos.value) !=
	       !!(m->inv & IPT_F_VALUE);
}

/*
 * -m ttl: ==, != ("! --ttl-eq"), < or >, on the TTL as the kernel's hook
 * would see it (fw_pkt_ttl_owed())
 */
bool fwm_ttl(const struct ipt_match *m, const struct fw_pkt *fp)
{
	uint8_t ttl = (uint8_t)(fp->p->ip->ttl - fw_pkt_ttl_owed(fp));
	uint8_t v = m->u.ttl.value;

	switch (m->u.ttl.mode) {
	case IPT_TTL_EQ:
		return (ttl == v) != !!(m->inv & IPT_F_VALUE);
	case IPT_TTL_LT:
		return ttl < v;
	case IPT_TTL_GT:
		return ttl > v;
	default:
		return false;
	}
}
