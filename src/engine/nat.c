// SPDX-License-Identifier: MIT
/*
 * nat.c - masquerade mappings and the port allocator
 *
 * Owns which external port an internal endpoint is known by. A mapping
 * is found by (protocol, internal address, internal port) in a cuckoo
 * table, so every connection from one internal endpoint shares one
 * external port whatever its destination (endpoint-independent mapping,
 * RFC 4787 REQ-1): the property games, VoIP and WebRTC rely on. A second
 * table finds a mapping by its external port, for inbound packets that
 * endpoint-independent or address-dependent filtering admits and for
 * hairpinning. With address-and-port-dependent mapping (a "symmetric"
 * NAT, for testing P2P software against one) each connection takes a
 * private mapping of its own (nat_map_private): found by its external
 * port like the others, so filtering treats both kinds alike, but never
 * by its internal endpoint, so it is never shared.
 *
 * Ports: one 64 Ki-bit bitmap per external address and protocol class
 * (TCP, UDP, ICMP identifiers). The internal port is kept when it is in
 * range and free (port preservation, RFC 4787 REQ-3 allows it); else
 * the search starts at a random word (RFC 6056) and scans 64 ports per
 * word read, at most the whole range: 1,024 reads of one 8 KiB bitmap,
 * never a hash probe per candidate as Linux and OVS do. A rule asks
 * otherwise (struct nat_want): --random-fully never keeps the port and
 * starts each mapping's search at a fresh random place, --random starts
 * it at a place a keyed hash of the internal endpoint gives, a shifted
 * range (A-B/BASE) tries its own port first and goes on from there.
 * Either way the mapping stays endpoint-independent: the endpoint's next
 * connections find it and take its port. An exhausted
 * range is known at once from the per-class count (conn.c then evicts a
 * mapping that never saw a reply, or drops).
 *
 * Fairness is the connections' business, not the ports': one internal
 * host holds at most host-cap live connections (quota.c, counted by
 * conn.c), and when an address's ports run out conn.c reuses the port of
 * a closed connection, the host's own first (TIME_WAIT, CLOSE).
 *
 * Workers (docs/design.md, "Workers"): an engine that is worker k of n
 * gives out only the ports and ICMP identifiers p with (p >> 1) % n == k,
 * its slice, so the reply to any mapping it made is known by its
 * destination port to be worker k's (masq_steer(), steer.c). By pairs
 * because Linux's connect() picks even ports (p % n would give every
 * outbound connection of a Linux host to the even workers). Interleaved
 * rather than in n blocks: every range, a rule's --to-ports 1000-1003
 * too, is shared evenly, and the scan stays one read per 64 ports (a
 * mask per word, n->smask). An inside endpoint's packets are steered by
 * the same function of its source port, so its port is in the slice of
 * the worker that maps it and is kept (port preservation) as with one
 * worker. A range with no port in a worker's slice (narrower than 2n)
 * gives that worker none: its mappings fail as an exhausted range does.
 *
 * Limits: NAT_MAX_ADDRS external addresses; at most max mappings. A
 * mapping's reference count is 24 bits, which is why the connection
 * table holds fewer than 2^24 entries.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "nat.h"
#include "pkt.h"

_Static_assert(sizeof(struct nat_map) == 12, "a mapping is 12 bytes");

#define NAT_FREE_END	0xffffff	/* end of the mapping free list */

/* No mapping left: the free list is empty and every mapping was used */
static bool nat_full(const struct nat *n)
{
	return n->free == NAT_FREE_END && n->fresh >= n->max;
}

int nat_init(struct nat *n, uint32_t max, uint64_t seed)
{
	memset(n, 0, sizeof(*n));
	n->max = max;
	n->m = mem_table_alloc((size_t)max * sizeof(*n->m));
	n->addrs = calloc(NAT_MAX_ADDRS, sizeof(*n->addrs));
	if (!n->m || !n->addrs ||
	    cuckoo_init(&n->by_int, max, seed ^ 0x6d617371) ||
	    cuckoo_init(&n->by_ext, max, seed ^ 0x65787470)) {
		nat_fini(n);
		return -ENOMEM;
	}
	n->port_lo = 1024;
	n->port_hi = 65535;
	n->rng = seed | 1;
	nat_set_worker(n, 0, 1);
	nat_flush(n);
	return 0;
}

void nat_fini(struct nat *n)
{
	cuckoo_fini(&n->by_int);
	cuckoo_fini(&n->by_ext);
	mem_table_free(n->m, (size_t)n->max * sizeof(*n->m));
	free(n->addrs);
	n->m = NULL;
	n->addrs = NULL;
}

/* Forget every mapping and port (addresses keep their slots) */
void nat_flush(struct nat *n)
{
	n->free = NAT_FREE_END;	/* every mapping fresh again (nat.h) */
	n->fresh = 0;
	n->count = 0;
	cuckoo_clear(&n->by_int);
	cuckoo_clear(&n->by_ext);
	for (int i = 0; i < NAT_MAX_ADDRS; i++) {
		memset(n->addrs[i].used, 0, sizeof(n->addrs[i].used));
		memset(n->addrs[i].bits, 0, sizeof(n->addrs[i].bits));
	}
}

size_t nat_bytes(const struct nat *n)
{
	return (size_t)n->max * sizeof(*n->m) +
	       cuckoo_bytes(&n->by_int) + cuckoo_bytes(&n->by_ext) +
	       NAT_MAX_ADDRS * sizeof(*n->addrs);
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

/* ---- external addresses and their ports --------------------------------- */

int nat_addr_slot_of(const struct nat *n, uint32_t addr)
{
	for (int i = 0; i < NAT_MAX_ADDRS; i++)
		if (n->addrs[i].addr == addr)
			return i;
	return -1;
}

/* The slot of an external address, made on first use; -1 when full */
static int nat_addr_slot(struct nat *n, uint32_t addr)
{
	int i = nat_addr_slot_of(n, addr);

	if (i >= 0 || !addr)
		return i;
	i = nat_addr_slot_of(n, 0);
	if (i >= 0)
		n->addrs[i].addr = addr;
	return i;
}

/**
 * nat_port_in_slice() - Is @port (or ICMP id; host order) this worker's?
 * @n:		NAT state
 * @port:	port, host order
 *
 * Return: true when a mapping made here may take it (always, for 0 of 1)
 */
bool nat_port_in_slice(const struct nat *n, uint32_t port)
{
	return (port >> 1) % n->wn == n->wk;
}

/* Ports the slice holds in [0, @x]: whole pairs below x's, then x's pair */
static uint32_t slice_upto(const struct nat *n, uint32_t x)
{
	uint32_t q = x >> 1;
	uint32_t pairs = q <= n->wk ? 0 : (q - 1 - n->wk) / n->wn + 1;

	return 2 * pairs + (q % n->wn == n->wk ? (x & 1) + 1 : 0);
}

/**
 * nat_slice_ports() - Ports of this worker's slice in [@lo, @hi], host order
 * @n:		NAT state
 * @lo:		first port
 * @hi:		last port (>= @lo)
 *
 * Return: the count: hi - lo + 1 for one worker; 0 for a range the slice
 * misses
 */
uint32_t nat_slice_ports(const struct nat *n, uint32_t lo, uint32_t hi)
{
	return slice_upto(n, hi) - (lo ? slice_upto(n, lo - 1) : 0);
}

/**
 * nat_set_worker() - Make this engine worker @k of @nw: its slice of ports
 * @n:		NAT state
 * @k:		this worker, 0 to @nw - 1
 * @nw:		workers, 1 to 64
 *
 * Only while no mapping exists: a mapping outside the slice would be
 * steered to another worker.
 * Return: 0, -EINVAL for a bad @k or @nw, -EBUSY when mappings exist
 */
int nat_set_worker(struct nat *n, uint32_t k, uint32_t nw)
{
	if (!nw || nw > 64 || k >= nw)
		return -EINVAL;
	if (n->count)
		return -EBUSY;
	n->wk = (uint8_t)k;
	n->wn = (uint8_t)nw;
	for (uint32_t r = 0; r < 2 * nw; r++) {	/* a word starting at r */
		uint64_t m = 0;

		for (uint32_t i = 0; i < 64; i++)
			if (((r + i) >> 1) % nw == k)
				m |= 1ull << i;
		n->smask[r] = m;
	}
	n->slice_ports = nat_slice_ports(n, n->port_lo, n->port_hi);
	return 0;
}

/* A port counted in an address's @used: in the range and in the slice */
static bool port_in_range(const struct nat *n, enum nat_pcls pc, uint32_t p)
{
	return nat_port_in_slice(n, p) &&
	       (pc == NAT_PCLS_ICMP || (p >= n->port_lo && p <= n->port_hi));
}

static bool port_is_free(const uint64_t *bits, uint32_t p)
{
	return !(bits[p >> 6] & (1ull << (p & 63)));
}

/*
 * First port in [from, to] (inclusive) of the slice, free in @bits and
 * not in @rsv (may be NULL), or -1: 64 ports a read
 */
static int port_scan_range(const struct nat *n, const uint64_t *bits,
			   const uint64_t *rsv, uint32_t from, uint32_t to)
{
	uint32_t period = 2u * n->wn;			/* of the slices' pattern */
	uint32_t r = ((from >> 6) << 6) % period;	/* the word's first port's */
	uint32_t step = 64 % period;			/* ... and the next's: no
							 * division per word */

	for (uint32_t w = from >> 6; w <= to >> 6; w++) {
		uint64_t free = ~(bits[w] | (rsv ? rsv[w] : 0)) & n->smask[r];

		r = r + step >= period ? r + step - period : r + step;
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
static int port_scan(const struct nat *n, const uint64_t *bits,
		     const uint64_t *rsv, uint32_t lo, uint32_t hi,
		     uint32_t start)
{
	int p = port_scan_range(n, bits, rsv, start, hi);

	if (p < 0 && start > lo)
		p = port_scan_range(n, bits, rsv, lo, start - 1);
	return p;
}

/*
 * Ports of @bits of the slice in use in [lo, hi] (control plane: a
 * linear count)
 */
static uint32_t port_count(const struct nat *n, const uint64_t *bits,
			   uint32_t lo, uint32_t hi)
{
	uint32_t c = 0;

	for (uint32_t p = lo; p <= hi; p++)
		c += !port_is_free(bits, p) && nat_port_in_slice(n, p);
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
	n->slice_ports = nat_slice_ports(n, lo, hi);
	for (int i = 0; i < NAT_MAX_ADDRS; i++) {
		struct nat_addr *a = &n->addrs[i];

		if (!a->addr)
			continue;
		a->used[NAT_PCLS_TCP] = port_count(n, a->bits[NAT_PCLS_TCP], lo, hi);
		a->used[NAT_PCLS_UDP] = port_count(n, a->bits[NAT_PCLS_UDP], lo, hi);
	}
	return 0;
}

/**
 * nat_port_in_play() - Would a new mapping for @proto take @port, were it
 * free? (the range of a rule being applied, else the set range; any
 * ICMP identifier)
 * @n:		NAT state
 * @proto:	IP protocol
 * @port:	port, network order
 *
 * conn.c frees a port for a new mapping only when it is one of these.
 */
bool nat_port_in_play(const struct nat *n, uint8_t proto, uint16_t port,
		      const struct nat_want *w)
{
	uint32_t p = ntohs(port);

	if (!nat_port_in_slice(n, p))
		return false;		/* another worker's */
	if (nat_pcls_of(proto) == NAT_PCLS_ICMP)
		return true;
	if (w->lo)
		return p >= w->lo && p <= w->hi;
	return p >= n->port_lo && p <= n->port_hi;
}

/*
 * Where the scan for a port of [@lo, @hi] starts, as @w->pick asks:
 * a fresh random place (NAT_PICK_KEEP's fallback, --random-fully), or
 * for --random a place fixed by a keyed hash of the internal endpoint
 * (@key), so its mappings start from the same place and no outsider can
 * tell where. Linux hashes the connection's addresses and destination
 * port instead; masq's mapping is the endpoint's (RFC 4787 REQ-1), so
 * the endpoint is what it hashes.
 */
static uint32_t port_start(struct nat *n, const struct nat_want *w,
			   uint64_t key, uint32_t lo, uint32_t hi)
{
	uint64_t r = w->pick == NAT_PICK_HASH ?
		     cuckoo_hash2(key, 0x72616e64, n->by_ext.seed) :
		     nat_random(n);

	return lo + (uint32_t)(r % (hi - lo + 1));
}

/* Is @p, free in @bits, a port a new mapping of @w may keep? */
static bool port_keepable(const struct nat *n, const uint64_t *bits,
			  const uint64_t *rsv, enum nat_pcls pc, uint32_t p,
			  uint32_t lo, uint32_t hi, const struct nat_want *w)
{
	return port_is_free(bits, p) && nat_port_in_slice(n, p) &&
	       ((p >= lo && p <= hi && (!rsv || port_is_free(rsv, p))) ||
		(w->host && pc != NAT_PCLS_ICMP));
}

/*
 * A port of address @a for a new mapping: with NAT_PICK_KEEP the
 * internal one (@want; @w->pref instead when set) when free, else the
 * first free one from a random place in the range; with the --random
 * picks never a kept one, the first free from port_start()'s place (a
 * random one is never the internal port but by chance). The ports host
 * sockets hold (n->host_ports) are never given to another; the host's
 * own mapping (@w->host) may keep its port among them; a rule's range
 * (@w->lo, @w->hi) is scanned instead of the configured one. Only ports
 * of this worker's slice are given, the kept ones too, so a random port
 * is always the worker's own. @key: the internal endpoint, for
 * NAT_PICK_HASH.
 */
static int port_alloc(struct nat *n, struct nat_addr *a, enum nat_pcls pc,
		      uint16_t want, uint64_t key, const struct nat_want *w)
{
	uint32_t lo = n->port_lo, hi = n->port_hi;
	uint64_t *bits = a->bits[pc];
	const uint64_t *rsv = pc == NAT_PCLS_ICMP ? NULL : n->host_ports[pc];
	int p;

	if (pc == NAT_PCLS_ICMP) {
		lo = 0;
		hi = 65535;
	} else if (w->lo) {
		lo = w->lo;		/* a rule's range: scanned, not counted */
		hi = w->hi;
	}
	if (lo == n->port_lo && hi == n->port_hi &&
	    a->used[pc] >= n->slice_ports)
		return -1;			/* exhausted, known in O(1) */
	if (w->pref && pc != NAT_PCLS_ICMP)
		want = w->pref;
	if (w->pick == NAT_PICK_KEEP &&
	    port_keepable(n, bits, rsv, pc, want, lo, hi, w))
		p = want;
	else if (w->pref && w->pick == NAT_PICK_KEEP)
		p = port_scan(n, bits, rsv, lo, hi, w->pref);	/* onward */
	else
		p = port_scan(n, bits, rsv, lo, hi,
			      port_start(n, w, key, lo, hi));
	if (p < 0)
		return -1;
	bits[p >> 6] |= 1ull << (p & 63);
	if (port_in_range(n, pc, (uint32_t)p))
		a->used[pc]++;
	return p;
}

/**
 * nat_set_host_ports() - Replace the ports host sockets hold
 * @n:		NAT state
 * @pc:		NAT_PCLS_TCP or NAT_PCLS_UDP
 * @set:	65,536 bits, port p at bit p
 *
 * Mappings that hold one of them already keep it until they go (a
 * socket opened after the mapping was made); no new mapping of anyone
 * but the host takes one.
 * Return: 0, or -EINVAL for another class
 */
int nat_set_host_ports(struct nat *n, enum nat_pcls pc, const uint64_t *set)
{
	uint32_t c = 0;

	if (pc != NAT_PCLS_TCP && pc != NAT_PCLS_UDP)
		return -EINVAL;
	memcpy(n->host_ports[pc], set, sizeof(n->host_ports[pc]));
	for (int w = 0; w < 65536 / 64; w++)
		c += (uint32_t)__builtin_popcountll(set[w]);
	n->nhost[pc] = c;
	return 0;
}

/*
 * nat_addr_forget() - The router no longer has @addr: give up its slot.
 * The caller released every connection on it first, so no mapping is
 * left there.
 */
void nat_addr_forget(struct nat *n, uint32_t addr)
{
	int i = nat_addr_slot_of(n, addr);

	if (i >= 0 && addr)
		memset(&n->addrs[i], 0, sizeof(n->addrs[i]));
}

static void port_free(struct nat *n, struct nat_addr *a, enum nat_pcls pc,
		      uint16_t port)
{
	a->bits[pc][port >> 6] &= ~(1ull << (port & 63));
	if (port_in_range(n, pc, port))
		a->used[pc]--;
}

/* ---- mappings ----------------------------------------------------------- */

struct nat_key {
	const struct nat *n;
	uint32_t addr;
	uint16_t port;
	enum nat_pcls pc;
};

static bool nat_int_eq(const void *p, uint32_t val)
{
	const struct nat_key *k = p;
	const struct nat_map *m = &k->n->m[val];

	return m->int_addr == k->addr && m->int_port == k->port &&
	       m->pcls == k->pc;
}

static bool nat_ext_eq(const void *p, uint32_t val)
{
	const struct nat_key *k = p;
	const struct nat_map *m = &k->n->m[val];

	return k->n->addrs[m->slot].addr == k->addr &&
	       m->ext_port == k->port && m->pcls == k->pc;
}

static uint64_t nat_hash(const struct cuckoo *c, enum nat_pcls pc,
			 uint32_t addr, uint16_t port)
{
	return cuckoo_hash2(addr, (uint64_t)port << 8 | pc, c->seed);
}

/*
 * Prefetch the bucket where the mapping of an internal endpoint is looked
 * up: a packet with no connection will likely need it next (engine.c).
 */
void nat_prefetch(const struct nat *n, uint8_t proto, uint32_t int_addr,
		  uint16_t int_port)
{
	cuckoo_prefetch_primary(&n->by_int, nat_hash(&n->by_int,
		nat_pcls_of(proto), int_addr, int_port));
}

/*
 * The second look for a packet with no connection, some packets later:
 * the bucket nat_prefetch() asked for is in cache by then; prefetch the
 * mapping it names, so an endpoint that has one (RFC 4787 REQ-1: its
 * next connection takes the same mapping) finds it without a miss.
 * Return: the candidate (a hint for nat_map_hint()), or NAT_NONE
 */
uint32_t nat_prefetch_map(const struct nat *n, uint8_t proto,
			  uint32_t int_addr, uint16_t int_port)
{
	const struct cuckoo *c = &n->by_int;
	uint64_t h = nat_hash(c, nat_pcls_of(proto), int_addr, int_port);
	uint32_t v = cuckoo_first_in_bucket(&c->b[cuckoo_primary(c, h)],
					    cuckoo_sig(h));

	if (v == CUCKOO_EMPTY || v >= n->max)
		return NAT_NONE;
	mem_prefetch(&n->m[v]);
	return v;
}

/*
 * The external endpoint of candidate mapping @idx if it is the internal
 * endpoint's (only a hint: the walk does the real lookup).
 * Return: true with @ext_addr and @ext_port set
 */
bool nat_map_hint(const struct nat *n, uint32_t idx, uint8_t proto,
		  uint32_t int_addr, uint16_t int_port, uint32_t *ext_addr,
		  uint16_t *ext_port)
{
	const struct nat_map *m;

	if (idx >= n->max)
		return false;
	m = &n->m[idx];
	if (m->int_addr != int_addr || m->int_port != int_port ||
	    m->pcls != nat_pcls_of(proto))
		return false;
	*ext_addr = n->addrs[m->slot].addr;
	*ext_port = m->ext_port;
	return *ext_addr != 0;
}

/* The mapping of an internal endpoint, or NAT_NONE (no reference taken) */
uint32_t nat_map_find(const struct nat *n, uint8_t proto, uint32_t int_addr,
		      uint16_t int_port)
{
	struct nat_key k = { n, int_addr, int_port, nat_pcls_of(proto) };
	uint32_t i = cuckoo_lookup(&n->by_int,
				   nat_hash(&n->by_int, k.pc, int_addr, int_port),
				   nat_int_eq, &k);

	return i == CUCKOO_EMPTY ? NAT_NONE : i;
}

/* The mapping known outside as @ext_addr:@ext_port, or NAT_NONE */
uint32_t nat_map_by_ext(const struct nat *n, uint8_t proto, uint32_t ext_addr,
			uint16_t ext_port)
{
	struct nat_key k = { n, ext_addr, ext_port, nat_pcls_of(proto) };
	uint32_t i = cuckoo_lookup(&n->by_ext,
				   nat_hash(&n->by_ext, k.pc, ext_addr, ext_port),
				   nat_ext_eq, &k);

	return i == CUCKOO_EMPTY ? NAT_NONE : i;
}

/*
 * Enter a mapping of @int_addr:@int_port known outside as port @port of
 * address slot @slot (the port already marked used): the tables, one
 * reference. @h_int is its by_int hash; a @private mapping is not
 * entered there. On failure the port is given back.
 * Return: mapping index, or NAT_NONE (the tables are full)
 */
static uint32_t nat_map_enter(struct nat *n, enum nat_pcls pc,
			      uint32_t int_addr, uint16_t int_port, int slot,
			      uint16_t port, uint64_t h_int, bool private)
{
	uint32_t idx = n->free != NAT_FREE_END ? n->free : n->fresh++;
	uint32_t ext_addr = n->addrs[slot].addr;
	struct nat_map *m = &n->m[idx];

	if (idx == n->free)
		n->free = m->refs;
	*m = (struct nat_map){
		.int_addr = int_addr, .int_port = int_port,
		.ext_port = htons(port), .refs = 1,
		.slot = (uint32_t)slot & 31, .priv = private, .pcls = pc,
	};
	if ((!private && cuckoo_insert(&n->by_int, h_int, idx)) ||
	    cuckoo_insert(&n->by_ext, nat_hash(&n->by_ext, pc, ext_addr,
					       m->ext_port), idx)) {
		if (!private)
			cuckoo_delete(&n->by_int, h_int, idx);
		port_free(n, &n->addrs[slot], pc, port);
		m->refs = n->free;
		n->free = idx;
		return NAT_NONE;
	}
	n->count++;
	return idx;
}

/*
 * Make a mapping for an internal endpoint on @ext_addr: a port (the
 * internal one when free), the tables. @h_int is its by_int hash;
 * a @private mapping is not entered there.
 * Return: mapping index, or NAT_NONE with @why set
 */
static uint32_t nat_map_new(struct nat *n, enum nat_pcls pc, uint32_t int_addr,
			    uint16_t int_port, uint32_t ext_addr, uint64_t h_int,
			    bool private, const struct nat_want *w,
			    enum nat_fail *why)
{
	int slot = nat_addr_slot(n, ext_addr), port;
	uint32_t idx;

	if (nat_full(n) || slot < 0) {
		*why = NAT_FAIL_POOL;
		return NAT_NONE;
	}
	port = port_alloc(n, &n->addrs[slot], pc, ntohs(int_port),
			  (uint64_t)int_addr << 32 | (uint64_t)int_port << 8 | pc,
			  w);
	if (port < 0) {
		*why = NAT_FAIL_PORTS;
		return NAT_NONE;
	}
	idx = nat_map_enter(n, pc, int_addr, int_port, slot, (uint16_t)port,
			    h_int, private);
	if (idx == NAT_NONE)
		*why = NAT_FAIL_POOL;
	return idx;
}

/**
 * nat_map_restore() - Make again a mapping a predecessor held (snapshot.c)
 * @n:		NAT state
 * @pc:		protocol class
 * @int_addr:	internal address, network order
 * @int_port:	internal port, network order
 * @ext_addr:	external address, network order
 * @ext_port:	the external port it had, network order
 * @private:	one connection's own (APDM)
 *
 * Exactly that port or nothing: a restored connection must keep the
 * port its peer knows.
 * Return: mapping index (one reference held), or NAT_NONE when the port
 * or the endpoint is taken already, the port is not this worker's slice
 * (a snapshot of another worker count), or the tables are full
 */
uint32_t nat_map_restore(struct nat *n, enum nat_pcls pc, uint32_t int_addr,
			 uint16_t int_port, uint32_t ext_addr,
			 uint16_t ext_port, bool private)
{
	uint64_t h = nat_hash(&n->by_int, pc, int_addr, int_port);
	struct nat_key k = { n, int_addr, int_port, pc };
	int slot = nat_addr_slot(n, ext_addr);
	uint16_t port = ntohs(ext_port);
	struct nat_addr *a;

	if (nat_full(n) || slot < 0 || pc >= NAT_PCLS_NUM ||
	    !nat_port_in_slice(n, port))
		return NAT_NONE;	/* another worker's now: skipped */
	a = &n->addrs[slot];
	if (!port_is_free(a->bits[pc], port) ||
	    (!private && cuckoo_lookup(&n->by_int, h, nat_int_eq, &k) !=
			 CUCKOO_EMPTY))
		return NAT_NONE;
	a->bits[pc][port >> 6] |= 1ull << (port & 63);
	if (port_in_range(n, pc, port))
		a->used[pc]++;
	return nat_map_enter(n, pc, int_addr, int_port, slot, port, h,
			     private);
}

/**
 * nat_map_get() - The mapping of an internal endpoint, made if new
 * @n:		NAT state
 * @proto:	IP protocol (TCP, UDP or ICMP)
 * @int_addr:	internal address, network order
 * @int_port:	internal port or ICMP identifier, network order
 * @ext_addr:	external address to use for a new mapping
 * @w:		what a new mapping may take (a rule's range; the host's)
 * @why:	set to the reason when none can be had
 *
 * The caller holds one reference on success and drops it with
 * nat_map_put(). An existing mapping keeps its address even if @ext_addr
 * differs (the mapping outlives a route change until it is idle).
 *
 * Return: mapping index, or NAT_NONE
 */
uint32_t nat_map_get(struct nat *n, uint8_t proto, uint32_t int_addr,
		     uint16_t int_port, uint32_t ext_addr,
		     const struct nat_want *w, enum nat_fail *why)
{
	enum nat_pcls pc = nat_pcls_of(proto);
	uint64_t h = nat_hash(&n->by_int, pc, int_addr, int_port);
	struct nat_key k = { n, int_addr, int_port, pc };
	uint32_t idx = cuckoo_lookup(&n->by_int, h, nat_int_eq, &k);

	if (idx != CUCKOO_EMPTY) {
		n->m[idx].refs++;
		return idx;
	}
	return nat_map_new(n, pc, int_addr, int_port, ext_addr, h, false, w,
			   why);
}

/**
 * nat_map_private() - A new mapping for one connection alone (APDM)
 * Return: mapping index (one reference held), or NAT_NONE with @why set
 */
uint32_t nat_map_private(struct nat *n, uint8_t proto, uint32_t int_addr,
			 uint16_t int_port, uint32_t ext_addr,
			 const struct nat_want *w, enum nat_fail *why)
{
	return nat_map_new(n, nat_pcls_of(proto), int_addr, int_port,
			   ext_addr, 0, true, w, why);
}

/* Drop one reference; the last frees the mapping and its port */
void nat_map_put(struct nat *n, uint32_t idx)
{
	struct nat_map *m = &n->m[idx];
	struct nat_addr *a = &n->addrs[m->slot];
	enum nat_pcls pc = (enum nat_pcls)m->pcls;

	if (--m->refs)
		return;
	if (!m->priv)
		cuckoo_delete(&n->by_int, nat_hash(&n->by_int, pc, m->int_addr,
						   m->int_port), idx);
	cuckoo_delete(&n->by_ext, nat_hash(&n->by_ext, pc, a->addr,
					   m->ext_port), idx);
	port_free(n, a, pc, ntohs(m->ext_port));
	m->refs = n->free;
	n->free = idx;
	n->count--;
}
