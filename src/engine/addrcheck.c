// SPDX-License-Identifier: MIT
/*
 * addrcheck.c - questionable addresses, refused (or warned of) where they
 * enter: `addr add` and `route add ... via GW` (ctl.c), whoever sends
 * them -- masqd's --internal/--external/--gateway (setup.c turns them
 * into those commands), a -c file, masqctl, the host's addresses on a
 * twin (hostwatch.c). One place, so every way in says the same.
 *
 * What is refused, and why (masqd(8), ADDRESS CHECKS):
 *  - the network address of its own prefix as the router's address
 *    (lan0=192.168.0.0/24): no host answers there, and a router that
 *    took it would claim every "this network" datagram; likewise the
 *    broadcast address. A /31 (RFC 3021) and a /32 have neither.
 *  - a network that overlaps a network of another interface when either
 *    is internal: masq tells inside from outside by interface, and its
 *    strict reverse-path check (net_src_is_valid()) and its routes would
 *    send the overlap's hosts to one side only, so a host of the wider
 *    network living in the narrower one's addresses could never be
 *    reached nor be heard. Equal networks on two LANs likewise: nothing
 *    says behind which one a host is.
 *  - a gateway that is the router's own address, or the network or
 *    broadcast address of the network it is on: the next hop must be
 *    another machine. (A gateway on no connected network is refused by
 *    route_add() itself.)
 *
 * Warned of, and taken: two external networks that overlap (two uplinks
 * into one provider's network can be meant; the longest prefix, then the
 * first address added, decides where the overlap's hosts are reached).
 *
 * Several addresses on one interface may overlap (a secondary address in
 * the same network is ordinary). Cost: one pass over the interfaces'
 * addresses (32 x 8 at most), at configuration time only.
 */
#include <arpa/inet.h>
#include <stdio.h>

#include "addrcheck.h"

/* "192.168.0.1" into @buf (INET_ADDRSTRLEN) */
static const char *ip_text(uint32_t addr, char *buf)
{
	struct in_addr a = { addr };

	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/* @addr + @delta, in network order */
static uint32_t addr_plus(uint32_t addr, int32_t delta)
{
	return htonl(ntohl(addr) + (uint32_t)delta);
}

/* Refused when @addr is its network's network or broadcast address */
static enum addrcheck_verdict check_host_part(uint32_t addr, uint8_t len,
					      char *why, size_t wlen)
{
	uint32_t mask = prefix_mask(len), net = addr & mask;
	char a[INET_ADDRSTRLEN], p[INET_ADDRSTRLEN], e[INET_ADDRSTRLEN];
	const char *what;
	uint32_t example;

	if (len >= 31)
		return ADDRCHECK_OK;	/* RFC 3021 /31, a /32: no such addresses */
	if (addr == net) {
		what = "network";
		example = addr_plus(net, 1);
	} else if (addr == (net | ~mask)) {
		what = "broadcast";
		example = addr_plus(addr, -1);
	} else {
		return ADDRCHECK_OK;
	}
	snprintf(why, wlen, "%s is the %s address of %s/%u; give the router's "
		 "own address, e.g. %s/%u", ip_text(addr, a), what,
		 ip_text(net, p), len, ip_text(example, e), len);
	return ADDRCHECK_REFUSE;
}

/* Do the networks ADDR1/LEN1 and ADDR2/LEN2 share an address? */
static bool networks_overlap(uint32_t a1, uint8_t l1, uint32_t a2, uint8_t l2)
{
	uint32_t mask = prefix_mask(l1 < l2 ? l1 : l2);

	return (a1 & mask) == (a2 & mask);
}

/* The text naming both networks and what is done about it */
static void say_overlap(char *why, size_t wlen, const struct net *n,
			int iface, uint32_t addr, uint8_t len, int other,
			const struct iface_addr *ia, bool refused)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	static const char *const role[] = { "internal", "external" };
	uint8_t r1 = n->ifs[iface].role, r2 = n->ifs[other].role;

	snprintf(why, wlen, "%s/%u on %s (%s) overlaps %s/%u on %s (%s): %s",
		 ip_text(addr, a), len, n->ifs[iface].name,
		 r1 < ROLE_NUM ? role[r1] : "?", ip_text(ia->addr, b), ia->len,
		 n->ifs[other].name, r2 < ROLE_NUM ? role[r2] : "?",
		 refused ? "a host in both could be reached on one side only; "
			   "give the networks apart (or one interface both "
			   "addresses)" :
			   "hosts in both are reached on the interface of the "
			   "longer prefix");
}

/**
 * addrcheck_addr() - May the router take ADDR/LEN on an interface?
 * @n:		the interfaces and their addresses so far
 * @iface:	the interface it is for
 * @addr:	the address, network order
 * @len:	its prefix length, 1 to 32
 * @why:	filled when not ADDRCHECK_OK: why, naming both sides
 * @wlen:	its size
 *
 * Return: ADDRCHECK_OK, ADDRCHECK_WARN (take it, show @why) or
 * ADDRCHECK_REFUSE (@why says why)
 */
enum addrcheck_verdict addrcheck_addr(const struct net *n, int iface,
				      uint32_t addr, uint8_t len, char *why,
				      size_t wlen)
{
	enum addrcheck_verdict v = check_host_part(addr, len, why, wlen);

	if (v != ADDRCHECK_OK)
		return v;
	for (int i = 0; i < n->nifs; i++) {
		bool both_external = n->ifs[i].role == ROLE_EXTERNAL &&
				     n->ifs[iface].role == ROLE_EXTERNAL;

		if (i == iface)
			continue;
		for (int a = 0; a < n->ifs[i].naddr; a++) {
			const struct iface_addr *ia = &n->ifs[i].addr[a];

			if (!networks_overlap(addr, len, ia->addr, ia->len))
				continue;
			say_overlap(why, wlen, n, iface, addr, len, i, ia,
				    !both_external);
			if (!both_external)
				return ADDRCHECK_REFUSE;
			v = ADDRCHECK_WARN;	/* an internal may still refuse */
		}
	}
	return v;
}

/**
 * addrcheck_gateway() - May @gw be a next hop?
 * @n:		the interfaces and their addresses
 * @gw:		the gateway, network order
 * @why:	filled when refused
 * @wlen:	its size
 *
 * Return: ADDRCHECK_OK or ADDRCHECK_REFUSE (the router's own address, or
 * the network or broadcast address of a network it is on)
 */
enum addrcheck_verdict addrcheck_gateway(const struct net *n, uint32_t gw,
					 char *why, size_t wlen)
{
	char g[INET_ADDRSTRLEN], p[INET_ADDRSTRLEN];

	for (int i = 0; i < n->nifs; i++)
		for (int a = 0; a < n->ifs[i].naddr; a++) {
			const struct iface_addr *ia = &n->ifs[i].addr[a];
			uint32_t net = ia->addr & ia->mask;

			if (ia->addr == gw) {
				snprintf(why, wlen, "gateway %s is the router's "
					 "own address (on %s); give the next "
					 "router's, e.g. the provider's",
					 ip_text(gw, g), n->ifs[i].name);
				return ADDRCHECK_REFUSE;
			}
			if (ia->len < 31 && (gw == net || gw == (net | ~ia->mask))) {
				snprintf(why, wlen, "gateway %s is the %s "
					 "address of %s/%u (on %s), not a "
					 "router", ip_text(gw, g),
					 gw == net ? "network" : "broadcast",
					 ip_text(net, p), ia->len,
					 n->ifs[i].name);
				return ADDRCHECK_REFUSE;
			}
		}
	return ADDRCHECK_OK;
}
