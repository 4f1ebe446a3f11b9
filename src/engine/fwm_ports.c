// SPDX-License-Identifier: MIT
/*
 * fwm_ports.c - the ports of sctp, dccp and udplite, for the filter's
 *		 matches (-m sctp, -m dccp, -m multiport)
 *
 * conntrack tracks these protocols by address only (pkt.h's by_addr:
 * their ports are 0 in the tuple and in struct fw_pkt), so a port match
 * reads them from the packet itself: the first four bytes of each
 * protocol's header are the source and destination ports (RFC 9260 3.1,
 * RFC 4340 5.1, RFC 3828 3.1). Bounds-checked against the datagram; a
 * fragment (L4 not parsed) or a header shorter than four bytes never
 * matches a port, as the kernel's matches hot-drop or miss them. The
 * packet is not changed: no NAT rewrites these ports.
 */
#include <arpa/inet.h>
#include <string.h>

#include "fw.h"

/**
 * fwm_header_ports() - The ports of a packet of a by-address protocol
 * @p:		the packet
 * @sp:		set to its source port, host order
 * @dp:		set to its destination port, host order
 *
 * Return: false when the packet has none to read (a fragment, a short
 * header)
 */
bool fwm_header_ports(const struct pkt *p, uint16_t *sp, uint16_t *dp)
{
	uint16_t be[2];

	if (p->frag || !p->l4 || p->l4_len < 4)
		return false;
	memcpy(be, p->l4, sizeof(be));
	*sp = ntohs(be[0]);
	*dp = ntohs(be[1]);
	return true;
}

/**
 * fwm_ports() - A packet's ports for a port match, whatever its protocol
 * @fp:		the filter's view (TCP/UDP ports: its own, translated ones)
 * @sp:		set to the source port, host order
 * @dp:		set to the destination port, host order
 *
 * Return: false for a protocol without ports or a packet whose ports
 * cannot be read
 */
bool fwm_ports(const struct fw_pkt *fp, uint16_t *sp, uint16_t *dp)
{
	switch (fp->p->proto) {
	case IPPROTO_TCP_:
	case IPPROTO_UDP_:
		*sp = ntohs(fp->sport);
		*dp = ntohs(fp->dport);
		return true;
	case FWM_IPPROTO_SCTP:
	case FWM_IPPROTO_DCCP:
	case FWM_IPPROTO_UDPLITE:
		return fwm_header_ports(fp->p, sp, dp);
	default:
		return false;
	}
}

static bool port_in(uint16_t v, const struct ipt_portrange *r)
{
	return v >= r->lo && v <= r->hi;
}

/* --dccp-types: the packet's type (RFC 4340 5.1: byte 8, bits 1-4) */
static bool dccp_type_matches(const struct ipt_match *m, const struct pkt *p)
{
	if (p->l4_len < 12)
		return false;
	return !!(m->u.l4.dccp_types & (1u << ((p->l4[8] >> 1) & 0x0f))) !=
	       !!(m->inv & IPT_F_TYPES);
}

/* A chunk's flags against the match's entry for its type, if it has one */
static bool chunk_flags_ok(const struct ipt_match *m, uint8_t type,
			   uint8_t flags)
{
	for (unsigned k = 0; k < m->u.l4.nchunk_flags && k < IPT_SCTP_FLAGS; k++)
		if (m->u.l4.chunk_flags[k].type == type)
			return (flags & m->u.l4.chunk_flags[k].mask) ==
			       m->u.l4.chunk_flags[k].flags;
	return true;
}

/*
 * --chunk-types HOW: the chunks after the 12-byte common header (RFC
 * 9260 3.2: type, flags, length, padded to 4), walked as xt_sctp does:
 * any: one listed chunk (its flags right) is enough; all: every listed
 * type met (with its flags); only: no chunk of another type, and none of
 * a listed type with its flags wrong. A chunk
 * whose length is short or runs past the datagram ends the walk with no
 * match.
 */
static bool sctp_chunks_match(const struct ipt_match *m, const struct pkt *p)
{
	uint32_t left[8];
	uint32_t off = 12;
	uint8_t how = m->u.l4.chunk_how;

	memcpy(left, m->u.l4.chunks, sizeof(left));
	if (p->l4_len < 12)
		return false;
	while (off + 4 <= p->l4_len) {
		const uint8_t *c = p->l4 + off;
		uint16_t len = (uint16_t)(c[2] << 8 | c[3]);
		bool listed = m->u.l4.chunks[c[0] / 32] & (1u << (c[0] % 32));

		if (len < 4 || off + len > p->l4_len)
			return false;
		if (!listed) {
			if (how == IPT_SCTP_ONLY)
				return false;
		} else if (chunk_flags_ok(m, c[0], c[1])) {
			if (how == IPT_SCTP_ANY)
				return true;
			left[c[0] / 32] &= ~(1u << (c[0] % 32));
		} else if (how == IPT_SCTP_ONLY) {
			return false;	/* a listed type, its flags wrong */
		}
		off += (len + 3u) & ~3u;
	}
	if (how == IPT_SCTP_ALL)
		for (unsigned i = 0; i < 8; i++)
			if (left[i])
				return false;
	return how != IPT_SCTP_ANY;
}

/**
 * fwm_sctp_dccp_match() - Does -m sctp or -m dccp match the packet?
 * @m:		the match (IPT_M_SCTP or IPT_M_DCCP: u.l4's ports)
 * @fp:		the filter's view
 *
 * Only a packet of the match's own protocol, whose ports can be read.
 * Return: true when every port given matches (or, negated, does not)
 */
bool fwm_sctp_dccp_match(const struct ipt_match *m, const struct fw_pkt *fp)
{
	uint8_t proto = m->kind == IPT_M_SCTP ? FWM_IPPROTO_SCTP :
						FWM_IPPROTO_DCCP;
	uint16_t sp, dp;

	if (fp->p->proto != proto || !fwm_header_ports(fp->p, &sp, &dp))
		return false;
	if ((m->set & IPT_F_SPORT) &&
	    port_in(sp, &m->u.l4.sport) == !!(m->inv & IPT_F_SPORT))
		return false;
	if ((m->set & IPT_F_DPORT) &&
	    port_in(dp, &m->u.l4.dport) == !!(m->inv & IPT_F_DPORT))
		return false;
	if (!(m->set & IPT_F_TYPES))
		return true;
	if (m->kind == IPT_M_DCCP)
		return dccp_type_matches(m, fp->p);
	return sctp_chunks_match(m, fp->p) != !!(m->inv & IPT_F_TYPES);
}
