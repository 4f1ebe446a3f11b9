// SPDX-License-Identifier: MIT
/*
 * net.c - the interface table and the routing table
 *
 * Owns which addresses are the router's own, which interface a network
 * lives behind, and where a datagram goes next. Routes are few and kept
 * sorted longest prefix first; lookup is a scan that stops at the first
 * match (O(routes), see net.h for the road not taken).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

int net_init(struct net *n, uint32_t max_routes)
{
	memset(n, 0, sizeof(*n));
	n->routes = calloc(max_routes, sizeof(*n->routes));
	if (!n->routes)
		return -ENOMEM;
	n->max_routes = max_routes;
	return 0;
}

void net_fini(struct net *n)
{
	free(n->routes);
	n->routes = NULL;
}

int net_iface_find(const struct net *n, const char *name)
{
	for (int i = 0; i < n->nifs; i++)
		if (!strcmp(n->ifs[i].name, name))
			return i;
	return -1;
}

/**
 * net_route_lookup() - Longest-prefix match
 * @n:		tables
 * @daddr:	destination, network order
 *
 * Return: the route, or NULL when nothing (not even a default) matches
 */
const struct route *net_route_lookup(const struct net *n, uint32_t daddr)
{
	for (uint32_t i = 0; i < n->nroutes; i++) {
		const struct route *r = &n->routes[i];

		if ((daddr & r->mask) == r->prefix)
			return r;
	}
	return NULL;
}

/* Add or replace the route for r's prefix, keeping the sort order */
int net_route_add(struct net *n, const struct route *r)
{
	uint32_t i;

	net_route_del(n, r->prefix, r->len);
	if (n->nroutes == n->max_routes)
		return -ENOSPC;
	for (i = 0; i < n->nroutes; i++)
		if (n->routes[i].len < r->len)
			break;
	memmove(&n->routes[i + 1], &n->routes[i],
		(n->nroutes - i) * sizeof(*r));
	n->routes[i] = *r;
	n->nroutes++;
	return 0;
}

int net_route_del(struct net *n, uint32_t prefix, uint8_t len)
{
	for (uint32_t i = 0; i < n->nroutes; i++) {
		if (n->routes[i].prefix != prefix || n->routes[i].len != len)
			continue;
		memmove(&n->routes[i], &n->routes[i + 1],
			(n->nroutes - i - 1) * sizeof(struct route));
		n->nroutes--;
		return 0;
	}
	return -ENOENT;
}

/* Is @addr one of the router's own addresses? Which interface holds it */
bool net_addr_is_local(const struct net *n, uint32_t addr, int *iface)
{
	for (int i = 0; i < n->nifs; i++)
		for (int a = 0; a < n->ifs[i].naddr; a++)
			if (n->ifs[i].addr[a].addr == addr) {
				if (iface)
					*iface = i;
				return true;
			}
	return false;
}

/* Limited broadcast or the directed broadcast of a connected network */
bool net_addr_is_broadcast(const struct net *n, uint32_t addr)
{
	if (addr == 0xffffffff)
		return true;
	for (int i = 0; i < n->nifs; i++)
		for (int a = 0; a < n->ifs[i].naddr; a++) {
			const struct iface_addr *ia = &n->ifs[i].addr[a];

			if (ia->len < 31 && addr == (ia->addr | ~ia->mask))
				return true;
		}
	return false;
}

/**
 * net_addr_is_broadcast_on() - Is @addr a broadcast of interface @iface's
 * own networks: the limited broadcast or one of its directed broadcasts?
 * @n:		interfaces
 * @iface:	the interface a frame arrived on
 * @addr:	destination, network order
 */
bool net_addr_is_broadcast_on(const struct net *n, int iface, uint32_t addr)
{
	const struct iface *f = &n->ifs[iface];

	if (addr == 0xffffffff)
		return true;
	for (int a = 0; a < f->naddr; a++)
		if (f->addr[a].len < 31 &&
		    addr == (f->addr[a].addr | ~f->addr[a].mask))
			return true;
	return false;
}

/*
 * Is @addr the router's: one of its own addresses or a broadcast one?
 * The same as net_addr_is_local() || net_addr_is_broadcast(), in one
 * pass over the addresses (every new connection asks).
 */
bool net_addr_is_router(const struct net *n, uint32_t addr)
{
	if (addr == 0xffffffff)
		return true;
	for (int i = 0; i < n->nifs; i++)
		for (int a = 0; a < n->ifs[i].naddr; a++) {
			const struct iface_addr *ia = &n->ifs[i].addr[a];

			if (ia->addr == addr ||
			    (ia->len < 31 && addr == (ia->addr | ~ia->mask)))
				return true;
		}
	return false;
}

/*
 * net_src_is_valid() - Reverse-path check (BCP 38, strict mode)
 * A source is valid on an interface when the route back to it leaves by
 * that same interface: its connected networks and whatever is routed
 * through it.
 */
bool net_src_is_valid(const struct net *n, int iface, uint32_t saddr)
{
	const struct route *r = net_route_lookup(n, saddr);

	return r && r->iface == iface;
}

/* First address of an interface (the masquerade address), or 0 */
uint32_t net_iface_primary(const struct net *n, int iface)
{
	return n->ifs[iface].naddr ? n->ifs[iface].addr[0].addr : 0;
}

/**
 * net_host_redirect_addr() - Where a REDIRECT sends the host's own
 *			      connection (nat OUTPUT)
 * @n:		the engine's interfaces
 * @iface:	the twin the connection came from
 *
 * netfilter sends a local connection's REDIRECT to 127.0.0.1, an address
 * of the host that no outsider reaches. masq's host has no loopback path
 * through the engine; its nearest is the router's inside: the first
 * internal interface's first address, where a proxy for the LAN (such as
 * masq-socksify) listens. With no internal address yet, the twin's own.
 *
 * Return: the address, network order; 0 when there is none
 */
uint32_t net_host_redirect_addr(const struct net *n, int iface)
{
	for (int i = 0; i < n->nifs; i++)
		if (n->ifs[i].role == ROLE_INTERNAL && n->ifs[i].naddr)
			return n->ifs[i].addr[0].addr;
	return net_iface_primary(n, iface);
}

/* Is @addr one of interface @iface's own addresses? */
bool net_iface_owns(const struct net *n, int iface, uint32_t addr)
{
	const struct iface *f = &n->ifs[iface];

	for (int a = 0; a < f->naddr; a++)
		if (f->addr[a].addr == addr)
			return true;
	return false;
}

/* Is an external interface still waiting for its address from DHCP? */
bool net_waiting_for_address(const struct net *n)
{
	for (int i = 0; i < n->nifs; i++)
		if (n->ifs[i].role == ROLE_EXTERNAL && n->ifs[i].dhcp &&
		    !n->ifs[i].naddr)
			return true;
	return false;
}

/*
 * Remove the routes whose gateway is no longer on a connected network
 * (its address went): a DHCP lease's default route goes with the lease.
 */
void net_route_drop_unreachable(struct net *n)
{
	uint32_t i = 0;

	while (i < n->nroutes) {
		const struct route *r = &n->routes[i];
		const struct route *c = r->gw ? net_route_lookup(n, r->gw) : NULL;

		if (r->gw && (!c || c->gw || c->iface != r->iface))
			net_route_del(n, r->prefix, r->len);
		else
			i++;
	}
}
