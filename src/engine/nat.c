// SPDX-License-Identifier: MIT
/*
 * nat.c - masquerade mappings and the port allocator (RFC 4787, 6056)
 *
 * Owns which external port an internal endpoint is known by. A mapping
 * is found by (protocol, internal address, internal port) in a cuckoo
 * table, so every connection from one internal endpoint shares one
 * external port whatever its destination (endpoint-independent mapping,
 * RFC 4787 REQ-1): the property games, VoIP and WebRTC rely on.
 *
 * Ports: one 64 Ki-bit bitmap per external address and protocol class
 * (TCP, UDP, ICMP identifiers). The internal port is kept when it is in
 * range and free (port preservation, RFC 4787 REQ-3 allows it); else
 * the search starts at a random word (RFC 6056) and scans 64 ports per
 * word read, at most the whole range: 1,024 reads of one 8 KiB bitmap,
 * never a hash probe per candidate as Linux and OVS do. An exhausted
 * range is known at once from the per-class count.
 *
 * Limits: NAT_MAX_ADDRS external addresses; at most max mappings (the
 * connection table's size at most; by default no more than 262,144, four
 * addresses' worth of TCP and UDP ports). A mapping's reference count is
 * 24 bits, which is why the connection table holds at most 2^24.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "nat.h"
#include "pkt.h"

_Static_assert(sizeof(struct nat_map) == 12, "a mapping is 12 bytes");

#define NAT_FREE_END	0xffffff	/* end of the free list (24-bit link) */

int nat_init(struct nat *n, uint32_t max, uint64_t seed)
{
	int rc;

	memset(n, 0, sizeof(*n));
	n->m = mem_table_alloc((size_t)max * sizeof(*n->m));
	n->addrs = calloc(NAT_MAX_ADDRS, sizeof(*n->addrs));
	n->max = max;
	if (!n->m || !n->addrs) {
		nat_fini(n);
		return -ENOMEM;
	}
	rc = cuckoo_init(&n->by_int, max, seed ^ 0x6d617371);
	if (rc) {
		nat_fini(n);
		return rc;
	}
	n->max = max;
	n->port_lo = 1024;
	n->port_hi = 65535;
	n->rng = seed | 1;
	nat_flush(n);
	return 0;
}

void nat_fini(struct nat *n)
{
	cuckoo_fini(&n->by_int);
	mem_table_free(n->m, (size_t)n->max * sizeof(*n->m));
	free(n->addrs);
	n->m = NULL;
	n->addrs = NULL;
}

/* Forget every mapping and free every port */
void nat_flush(struct nat *n)
{
	for (uint32_t i = 0; i < n->max; i++)
		n->m[i].refs = i + 1 < n->max ? i + 1 : NAT_FREE_END;
	n->free = 0;
	n->count = 0;
	cuckoo_clear(&n->by_int);
	memset(n->addrs, 0, NAT_MAX_ADDRS * sizeof(*n->addrs));
}

static bool port_in_range(const struct nat *n, enum nat_pcls pc, uint32_t p)
{
	return pc == NAT_PCLS_ICMP || (p >= n->port_lo && p <= n->port_hi);
}

/* Ports of @bits in use in [lo, hi] (control plane: a linear count) */
static uint32_t port_count(const uint64_t *bits, uint32_t lo, uint32_t hi)
{
	uint32_t c = 0;

	for (uint32_t p = lo; p <= hi; p++)
		c += !!(bits[p >> 6] & (1ull << (p & 63)));
	return c;
}

/*
 * nat_set_ports() - Change the TCP/UDP port range
 * Mappings outside the new range live on until they expire; only new
 * ones come from the range, so the in-range counts are taken again.
 */
int nat_set_ports(struct nat *n, uint16_t lo, uint16_t hi)
{
	if (!lo || lo > hi)
		return -EINVAL;
	n->port_lo = lo;
	n->port_hi = hi;
	for (int i = 0; i < NAT_MAX_ADDRS; i++) {
		struct nat_addr *a = &n->addrs[i];

		if (!a->addr)
			continue;
		a->used[NAT_PCLS_TCP] = port_count(a->bits[NAT_PCLS_TCP], lo, hi);
		a->used[NAT_PCLS_UDP] = port_count(a->bits[NAT_PCLS_UDP], lo, hi);
	}
	return 0;
}

static uint64_t nat_random(struct nat *n)
{
	/* xorshift64*: fast, and unpredictable enough once seeded */
	n->rng ^= n->rng >> 12;
	n->rng ^= n->rng << 25;
	n->rng ^= n->rng >> 27;
	return n->rng * 0x2545f4914f6cdd1dull;
}

static enum nat_pcls nat_pcls_of(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP_:
		return NAT_PCLS_TCP;
	case IPPROTO_UDP_:
		return NAT_PCLS_UDP;
	default:
		return NAT_PCLS_ICMP;
	}
}

/* The slot of an external address, made on first use; -1 when full */
static int nat_addr_slot(struct nat *n, uint32_t addr)
{
	int empty = -1;

	for (int i = 0; i < NAT_MAX_ADDRS; i++) {
		if (n->addrs[i].addr == addr)
			return i;
		if (!n->addrs[i].addr && empty < 0)
			empty = i;
	}
	if (empty >= 0)
		n->addrs[empty].addr = addr;
	return empty;
}

static bool port_is_free(const uint64_t *bits, uint32_t p)
{
	return !(bits[p >> 6] & (1ull << (p & 63)));
}

/* First free port in [from, to] (inclusive), or -1: 64 ports a read */
static int port_scan_range(const uint64_t *bits, uint32_t from, uint32_t to)
{
	for (uint32_t w = from >> 6; w <= to >> 6; w++) {
		uint64_t free = ~bits[w];

		if (w == from >> 6)
			free &= ~0ull << (from & 63);
		if (w == to >> 6)
			free &= ~0ull >> (63 - (to & 63));
		if (free)
			return (int)((w << 6) + (uint32_t)__builtin_ctzll(free));
	}
	return -1;
}

/* First free port in [lo, hi] at or after @start, wrapping to @lo */
static int port_scan(const uint64_t *bits, uint32_t lo, uint32_t hi,
		     uint32_t start)
{
	int p = port_scan_range(bits, start, hi);

	if (p < 0 && start > lo)
		p = port_scan_range(bits, lo, start - 1);
	return p;
}

static int nat_port_alloc(struct nat *n, struct nat_addr *a,
			  enum nat_pcls pc, uint16_t want)
{
	uint32_t lo = n->port_lo, hi = n->port_hi;
	uint64_t *bits = a->bits[pc];
	int p;

	if (pc == NAT_PCLS_ICMP) {
		lo = 0;
		hi = 65535;
	}
	if (a->used[pc] > hi - lo)
		return -1;			/* exhausted, known in O(1) */
	if (want >= lo && want <= hi && port_is_free(bits, want))
		p = want;
	else
		p = port_scan(bits, lo, hi,
			      lo + (uint32_t)(nat_random(n) % (hi - lo + 1)));
	if (p < 0)
		return -1;
	bits[p >> 6] |= 1ull << (p & 63);
	if (port_in_range(n, pc, (uint32_t)p))
		a->used[pc]++;
	return p;
}

struct nat_key {
	const struct nat *n;
	uint32_t addr;
	uint16_t port;
	uint8_t proto;
};

static bool nat_key_eq(const void *p, uint32_t val)
{
	const struct nat_key *k = p;
	const struct nat_map *m = &k->n->m[val];

	return m->int_addr == k->addr && m->int_port == k->port &&
	       m->pcls == nat_pcls_of(k->proto);
}

static uint64_t nat_hash(const struct nat *n, enum nat_pcls pc, uint32_t addr,
			 uint16_t port)
{
	return cuckoo_hash2(addr, (uint64_t)port << 8 | pc, n->by_int.seed);
}

/**
 * nat_map_get() - The mapping of an internal endpoint, made if new
 * @n:		NAT state
 * @proto:	IP protocol (TCP, UDP or ICMP)
 * @int_addr:	internal address, network order
 * @int_port:	internal port or ICMP identifier, network order
 * @ext_addr:	external address to use for a new mapping
 *
 * The caller holds one reference on success and drops it with
 * nat_map_put(). An existing mapping keeps its address even if @ext_addr
 * differs (the mapping outlives a route change until it is idle).
 *
 * Return: mapping index, or NAT_NONE when the pool or the ports ran out
 */
uint32_t nat_map_get(struct nat *n, uint8_t proto, uint32_t int_addr,
		     uint16_t int_port, uint32_t ext_addr)
{
	struct nat_key k = { n, int_addr, int_port, proto };
	enum nat_pcls pc = nat_pcls_of(proto);
	uint64_t h = nat_hash(n, pc, int_addr, int_port);
	uint32_t idx = cuckoo_lookup(&n->by_int, h, nat_key_eq, &k);
	struct nat_map *m;
	int slot, port;

	if (idx != CUCKOO_EMPTY) {
		n->m[idx].refs++;
		return idx;
	}
	idx = n->free;
	slot = nat_addr_slot(n, ext_addr);
	if (idx == NAT_FREE_END || slot < 0)
		return NAT_NONE;
	port = nat_port_alloc(n, &n->addrs[slot], pc, ntohs(int_port));
	if (port < 0)
		return NAT_NONE;
	m = &n->m[idx];
	if (cuckoo_insert(&n->by_int, h, idx)) {
		n->addrs[slot].bits[pc][port >> 6] &= ~(1ull << (port & 63));
		if (port_in_range(n, pc, (uint32_t)port))
			n->addrs[slot].used[pc]--;
		return NAT_NONE;
	}
	n->free = m->refs;
	*m = (struct nat_map){
		.int_addr = int_addr, .int_port = int_port,
		.ext_port = htons((uint16_t)port), .refs = 1,
		.slot = (uint32_t)slot & 63, .pcls = pc,
	};
	n->count++;
	return idx;
}

/* Drop one reference; the last frees the mapping and its port */
void nat_map_put(struct nat *n, uint32_t idx)
{
	struct nat_map *m = &n->m[idx];
	struct nat_addr *a = &n->addrs[m->slot];
	enum nat_pcls pc = (enum nat_pcls)m->pcls;
	uint16_t port = ntohs(m->ext_port);

	if (--m->refs)
		return;
	cuckoo_delete(&n->by_int, nat_hash(n, pc, m->int_addr, m->int_port),
		      idx);
	a->bits[pc][port >> 6] &= ~(1ull << (port & 63));
	if (port_in_range(n, pc, port))
		a->used[pc]--;
	m->refs = n->free;
	n->free = idx;
	n->count--;
}

/* The mapping of an internal endpoint, or NAT_NONE (no reference taken) */
uint32_t nat_map_find(const struct nat *n, uint8_t proto, uint32_t int_addr,
		      uint16_t int_port)
{
	struct nat_key k = { n, int_addr, int_port, proto };
	uint32_t idx = cuckoo_lookup(&n->by_int,
				     nat_hash(n, nat_pcls_of(proto), int_addr,
					      int_port), nat_key_eq, &k);

	return idx == CUCKOO_EMPTY ? NAT_NONE : idx;
}

size_t nat_bytes(const struct nat *n)
{
	return (size_t)n->max * sizeof(*n->m) + cuckoo_bytes(&n->by_int) +
	       NAT_MAX_ADDRS * sizeof(*n->addrs);
}
