/* SPDX-License-Identifier: MIT */
/*
 * nat.h - masquerade mappings and external ports
 */
#ifndef MASQ_NAT_H
#define MASQ_NAT_H

#include <stdbool.h>
#include <stdint.h>

#include "cuckoo.h"

#define NAT_MAX_ADDRS	32
#define NAT_NONE	0xffffffffu

enum nat_pcls { NAT_PCLS_TCP, NAT_PCLS_UDP, NAT_PCLS_ICMP, NAT_PCLS_NUM };

/* Why a mapping or port could not be had */
enum nat_fail {
	NAT_OK,
	NAT_FAIL_PORTS,		/* the address's range for the protocol is full */
	NAT_FAIL_POOL,		/* no mapping left */
};

/*
 * One mapping per internal endpoint (protocol, address, port): RFC 4787
 * REQ-1 endpoint-independent mapping. Connections refer to it; the last
 * one to go frees it and its port. 12 bytes: the external address is
 * the slot's.
 */
struct nat_map {
	uint32_t int_addr;	/* network order */
	uint16_t int_port;	/* network order */
	uint16_t ext_port;	/* network order */
	uint32_t refs : 24;	/* connections using it; free list link at 0 */
	uint32_t slot : 5;	/* external address slot */
	uint32_t priv : 1;	/* one connection's own (APDM): not by_int */
	uint32_t pcls : 2;	/* enum nat_pcls */
};

/* Ports in use on one external address, one bitmap per protocol class */
struct nat_addr {
	uint32_t addr;		/* network order; 0 = unused slot */
	uint32_t used[NAT_PCLS_NUM];	/* ports in use inside the range */
	uint64_t bits[NAT_PCLS_NUM][65536 / 64];
};

struct nat {
	struct nat_map *m;
	uint32_t max;
	uint32_t count;
	uint32_t free;
	uint32_t fresh;	/* first mapping never used yet: entries at and above are free and untouched (zero pages, not resident) */
	struct cuckoo by_int;		/* (pcls, int addr, int port) */
	struct cuckoo by_ext;		/* (pcls, slot, ext port) */
	struct nat_addr *addrs;
	uint16_t port_lo, port_hi;	/* host order, TCP and UDP */
	uint32_t nhost[2];		/* ports in host_ports[] (TCP, UDP) */
	uint64_t host_ports[2][65536 / 64]; /* ports host sockets hold on
					 * the router's addresses (TCP, UDP):
					 * no mapping of another takes one */
	uint64_t rng;
	uint8_t wk, wn;			/* worker k of n: the slice of ports
					 * and ICMP ids this engine gives
					 * out ((p >> 1) % wn == wk; 0 of 1:
					 * all) */
	uint64_t smask[128];		/* by word start % (2 * wn) */
	uint32_t slice_ports;		/* ports of the slice in the range */		/* bits of a 64-port word in the
					 * slice, by (first port % wn) */
};

/* How a new mapping's port is picked (a rule's flags, nat.c) */
enum nat_pick {
	NAT_PICK_KEEP,		/* the internal (or @pref) port when free,
				 * else a random place onward */
	NAT_PICK_HASH,		/* --random: never kept; from a place the
				 * internal endpoint's keyed hash gives */
	NAT_PICK_RANDOM,	/* --random-fully: never kept; from a fresh
				 * random place each mapping */
	NAT_PICK_NUM
};

/**
 * struct nat_want - what a new mapping may take, as its maker asks
 * @lo:		a rule's port range (MASQUERADE/SNAT --to-ports), host
 *		order; 0: the configured range (set ports)
 * @hi:		its end
 * @host:	the router host's own socket's mapping: it may keep a port
 *		its sockets hold (n->host_ports)
 * @pick:	enum nat_pick
 * @pref:	with NAT_PICK_KEEP, the port tried first instead of the
 *		internal one (a shifted range's), host order; 0: none
 */
struct nat_want {
	uint16_t lo, hi;
	bool host;
	uint8_t pick;
	uint16_t pref;
};

int nat_init(struct nat *n, uint32_t max, uint64_t seed);
void nat_fini(struct nat *n);
void nat_flush(struct nat *n);
int nat_set_ports(struct nat *n, uint16_t lo, uint16_t hi);
int nat_set_worker(struct nat *n, uint32_t k, uint32_t nw);
bool nat_port_in_slice(const struct nat *n, uint32_t port);
uint32_t nat_slice_ports(const struct nat *n, uint32_t lo, uint32_t hi);
size_t nat_bytes(const struct nat *n);

int nat_set_host_ports(struct nat *n, enum nat_pcls pc, const uint64_t *set);
void nat_addr_forget(struct nat *n, uint32_t addr);

uint32_t nat_map_get(struct nat *n, uint8_t proto, uint32_t int_addr,
		     uint16_t int_port, uint32_t ext_addr,
		     const struct nat_want *w, enum nat_fail *why);
void nat_map_put(struct nat *n, uint32_t idx);
uint32_t nat_map_restore(struct nat *n, enum nat_pcls pc, uint32_t int_addr,
			 uint16_t int_port, uint32_t ext_addr,
			 uint16_t ext_port, bool private);
void nat_prefetch(const struct nat *n, uint8_t proto, uint32_t int_addr,
		  uint16_t int_port);
uint32_t nat_prefetch_map(const struct nat *n, uint8_t proto,
			  uint32_t int_addr, uint16_t int_port);
bool nat_map_hint(const struct nat *n, uint32_t idx, uint8_t proto,
		  uint32_t int_addr, uint16_t int_port, uint32_t *ext_addr,
		  uint16_t *ext_port);
uint32_t nat_map_find(const struct nat *n, uint8_t proto, uint32_t int_addr,
		      uint16_t int_port);
uint32_t nat_map_by_ext(const struct nat *n, uint8_t proto, uint32_t ext_addr,
			uint16_t ext_port);
uint32_t nat_map_private(struct nat *n, uint8_t proto, uint32_t int_addr,
			 uint16_t int_port, uint32_t ext_addr,
			 const struct nat_want *w, enum nat_fail *why);
int nat_addr_slot_of(const struct nat *n, uint32_t addr);
bool nat_port_in_play(const struct nat *n, uint8_t proto, uint16_t port,
		      const struct nat_want *w);

static inline uint32_t nat_map_ext_addr(const struct nat *n, uint32_t idx)
{
	return n->addrs[n->m[idx].slot].addr;
}

#endif
