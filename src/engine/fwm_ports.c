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
	return true;
}
