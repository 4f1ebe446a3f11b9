// SPDX-License-Identifier: MIT
/*
 * fwm_addrtype.c - -m addrtype on a packet: the type of its source and
 *		    destination addresses, as the router sees them now
 *
 * The kernel asks its local routing table (inet_dev_addr_type()); masq
 * has no such table but the same facts in struct net (net.c): the
 * interfaces' addresses, including one learnt by DHCP and changed later,
 * which every packet reads as they are at that moment (nothing is cached
 * when the ruleset is compiled, so a new address counts at once). An
 * address is, in this order:
 *   BROADCAST  0.0.0.0/8 or 255.255.255.255
 *   MULTICAST  224.0.0.0/4
 *   LOCAL      one of the router's addresses, or 127.0.0.0/8 (the
 *              loopback's local route)
 *   BROADCAST  the directed broadcast of one of its networks (prefixes
 *              shorter than /31)
 *   UNICAST    anything else, routed or not (the kernel says UNICAST
 *              when its local table has no entry)
 * With --limit-iface-in (-out) the LOCAL and directed BROADCAST answers
 * count only for the addresses of the interface the packet came in by
 * (leaves by), and 127/8 is UNICAST there, as the kernel's lookup with a
 * device is. The routing-only types (UNSPEC, ANYCAST, BLACKHOLE,
 * UNREACHABLE, PROHIBIT, THROW, NAT, XRESOLVE) never match: masq's routes
 * are all unicast ones, as the kernel's local table is unless a person
 * adds such routes to it by hand.
 *
 * No state: every worker gives the same answer for the same packet.
 * Complexity: O(interfaces x addresses) per address asked (at most
 * MASQ_MAX_IFACES x MASQ_MAX_ADDRS), no allocation.
 */
#include <arpa/inet.h>

#include "eng.h"
#include "fw.h"

/* Is @a one of interface @f's addresses (LOCAL), or a broadcast of one? */
static int iface_addr_type(const struct iface *f, uint32_t a)
{
	for (int k = 0; k < f->naddr; k++) {
		const struct iface_addr *ia = &f->addr[k];

		if (ia->addr == a)
			return IPT_RTN_LOCAL;
		if (ia->len < 31 && a == (ia->addr | ~ia->mask))
			return IPT_RTN_BROADCAST;
	}
	return IPT_RTN_UNICAST;
}

/*
 * The type of address @a (network order), with the interface limit
 * @iface (or -1: none)
 */
static int addr_type(const struct net *n, uint32_t a, int iface)
{
	uint32_t h = ntohl(a);

	if ((h >> 24) == 0 || h == 0xffffffffu)
		return IPT_RTN_BROADCAST;
	if ((h >> 28) == 0xe)
		return IPT_RTN_MULTICAST;
	if (iface >= 0)
		return iface < n->nifs ? iface_addr_type(&n->ifs[iface], a) :
					 IPT_RTN_UNICAST;
	if ((h >> 24) == 127)
		return IPT_RTN_LOCAL;
	for (int i = 0; i < n->nifs; i++) {
		int t = iface_addr_type(&n->ifs[i], a);

		if (t != IPT_RTN_UNICAST)
			return t;
	}
	return IPT_RTN_UNICAST;
}

/**
 * fwm_addrtype() - Does packet @fp match addrtype match @m?
 * @e:		engine (its interfaces' addresses)
 * @m:		the match
 * @fp:		the packet as the hook sees it
 *
 * Return: true when every list given holds (or, negated, does not hold)
 * the type of its address
 */
bool fwm_addrtype(const struct masq_engine *e, const struct ipt_match *m,
		  const struct fw_pkt *fp)
{
	int iface = -1;

	if (m->set & IPT_F_LIMIT_IN)
		iface = fp->in == FW_NO_IF ? MASQ_MAX_IFACES : fp->in;
	else if (m->set & IPT_F_LIMIT_OUT)
		iface = fp->out == FW_NO_IF ? MASQ_MAX_IFACES : fp->out;
	if ((m->set & IPT_F_SRC) &&
	    !!(m->u.addrtype.src & (1u << addr_type(&e->net, fp->saddr, iface))) ==
	    !!(m->inv & IPT_F_SRC))
		return false;
	if ((m->set & IPT_F_DST) &&
	    !!(m->u.addrtype.dst & (1u << addr_type(&e->net, fp->daddr, iface))) ==
	    !!(m->inv & IPT_F_DST))
		return false;
	return true;
}
