/* SPDX-License-Identifier: MIT */
/*
 * net.h - interfaces, addresses and routes
 *
 * A small number of interfaces (MASQ_MAX_IFACES) each with a few IPv4
 * addresses; routes in an array kept sorted by prefix length, longest
 * first, so the first match is the longest-prefix match. Routers with
 * masq's job have a handful of routes: a linear scan over a sorted array
 * beats a trie until there are hundreds (a DIR-24-8 table is the road
 * for when that changes).
 */
#ifndef MASQ_NET_H
#define MASQ_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "pkt.h"

#define MASQ_MAX_IFACES		16
#define MASQ_MAX_ADDRS		8
#define MASQ_IFNAMSIZ		16

enum iface_role { ROLE_INTERNAL, ROLE_EXTERNAL, ROLE_NUM };

struct iface_addr {
	uint32_t addr;		/* network order */
	uint32_t mask;		/* network order */
	uint8_t len;
};

struct iface {
	char name[MASQ_IFNAMSIZ];
	uint8_t mac[ETH_ALEN];
	uint16_t mtu;
	uint8_t role;
	uint8_t naddr;
	bool twin;		/* the host's twin is up: deliver locally there */
	bool dhcp;		/* the address comes from DHCP on the twin */
	struct iface_addr addr[MASQ_MAX_ADDRS];
	uint32_t nh_slot;	/* neighbour slot last used out of here (hint) */
};

#define ROUTE_F_CONNECTED	1	/* an address's own ("proto kernel") */
#define ROUTE_F_BOOT		2	/* masqd's command line: --gateway */
#define ROUTE_F_HOST		4	/* learnt from the router host's twin */

struct route {
	uint32_t prefix;	/* network order, masked */
	uint32_t mask;		/* network order */
	uint32_t gw;		/* network order, 0 when on-link */
	uint8_t len;
	uint8_t iface;
	uint8_t flags;
};

struct net {
	struct iface ifs[MASQ_MAX_IFACES];
	int nifs;
	struct route *routes;
	uint32_t nroutes;
	uint32_t max_routes;
};

int net_init(struct net *n, uint32_t max_routes);
void net_fini(struct net *n);
int net_iface_find(const struct net *n, const char *name);
const struct route *net_route_lookup(const struct net *n, uint32_t daddr);
int net_route_add(struct net *n, const struct route *r);
int net_route_del(struct net *n, uint32_t prefix, uint8_t len);
bool net_addr_is_local(const struct net *n, uint32_t addr, int *iface);
bool net_addr_is_broadcast(const struct net *n, uint32_t addr);
bool net_addr_is_broadcast_on(const struct net *n, int iface, uint32_t addr);
bool net_addr_is_router(const struct net *n, uint32_t addr);
bool net_src_is_valid(const struct net *n, int iface, uint32_t saddr);
uint32_t net_iface_primary(const struct net *n, int iface);
uint32_t net_host_redirect_addr(const struct net *n, int iface);
bool net_iface_owns(const struct net *n, int iface, uint32_t addr);
bool net_waiting_for_address(const struct net *n);
void net_route_drop_unreachable(struct net *n);

static inline uint32_t prefix_mask(unsigned len)
{
	return len ? __builtin_bswap32(~0u << (32 - len)) : 0;
}

#endif
