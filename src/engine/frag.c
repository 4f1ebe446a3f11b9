// SPDX-License-Identifier: MIT
/*
 * frag.c - IPv4 fragments on the way in: reassembly (the way out,
 * refragmentation, is fragout.c)
 *
 * Theory of operation: masq always defragments, as the seeds' kernels did
 * for masquerading. A fragment (parse.c sets p->frag) is copied at once
 * into the reassembly buffer of its datagram, keyed by (source,
 * destination, IP id, protocol), and its frame goes straight back to the
 * caller's pool: a fragment flood can fill this file's pool, never the
 * caller's. When every byte is there, the datagram is made whole in that
 * buffer (the first fragment's Ethernet and IP headers in front, MF and
 * offset cleared, total length and header checksum fixed, metadata zero,
 * ->iface the first fragment's interface) and walked like any frame.
 *
 * Every reassembled datagram leaves through fragout.c, which copies it
 * into buffers of the caller's pool: none reaches the tx vector in a
 * buffer of this file.
 *
 * Limits (frag.h): FRAG_MAX_DGRAMS datagrams in reassembly at once, each
 * with its own preallocated buffer big enough for the largest IPv4
 * datagram; the byte budget is that storage, 64 x 64 KiB = 4 MiB, made in
 * frag_init() (nothing on the packet path allocates). A datagram has
 * FRAG_TIMEOUT_S from its first fragment (RFC 791's upper bound is 15 s
 * to 4.25 min; Linux uses 30 s); frag_advance() expires the oldest first.
 * When every buffer is taken, new datagrams are dropped
 * (drop_frag_pool_full) and the ones in progress are not disturbed: an
 * attacker who fills the pool stops fragmented traffic for 30 s, not the
 * rest (Linux behaves the same at ipfrag_high_thresh).
 *
 * What is dropped, each with its counter:
 *  - a fragment that overlaps another of its datagram (even an exact
 *    duplicate): the whole datagram (drop_frag_overlap; RFC 5722's rule
 *    for IPv6, applied to IPv4 as Linux does since 4.19);
 *  - tiny fragments (RFC 1858): a first fragment too short for the
 *    transport header (TCP 20 bytes, UDP and ICMP 8) and a TCP fragment
 *    at offset 8 (offset field 1); the datagram goes with it
 *    (drop_frag_tiny);
 *  - a fragment of no data, a non-last one whose length is not a
 *    multiple of 8, two last fragments that disagree, data past the end
 *    (drop_frag_malformed); data past 65,535 bytes of datagram, the "ping
 *    of death" (drop_frag_too_big);
 *  - a datagram not complete after FRAG_TIMEOUT_S (drop_frag_timeout,
 *    one per datagram: its fragments were counted in frag_received);
 *  - a reassembled echo request to the router itself (drop_frag_local):
 *    its reply would leave by eng_send_ip(), which does not fragment.
 * No ICMP time exceeded (reassembly) is sent: the router is not the
 * destination (Linux's conntrack defragmentation is silent too).
 *
 * Complexity: finding a datagram is a scan of those in reassembly (at
 * most 64, only for fragments); overlap checks use a bitmap of 8-byte
 * blocks per datagram. A hash would be the road if the limit grew into
 * the thousands.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "eng.h"
#include "frag.h"

#define FRAG_HDR_ROOM	(ETH_HLEN + 60)		/* Ethernet + longest IPv4 header */
#define FRAG_DATA_MAX	(FRAG_IP_MAX - 20)	/* data of the largest datagram */
#define FRAG_BUF_SIZE	((MASQ_HEADROOM + FRAG_HDR_ROOM + FRAG_DATA_MAX + 63) / 64 * 64)
#define FRAG_BLOCKS	((FRAG_DATA_MAX + 7) / 8)
#define FRAG_WORDS	((FRAG_BLOCKS + 63) / 64)
#define FRAG_NIL	0xff
#define FRAG_EXPIRE_PER_CALL	16

_Static_assert(FRAG_MAX_DGRAMS < FRAG_NIL, "slot indexes fit a byte");

enum frag_slot { FRAG_FREE, FRAG_COLLECTING, FRAG_OUT };

/**
 * struct frag_dgram - one datagram in reassembly, and its buffer
 * @buf:	the reassembly buffer (first member: frag_owns() compares
 *		addresses of these)
 * @saddr, @daddr, @id, @proto: the key, network order
 * @state:	enum frag_slot
 * @hlen:	the first fragment's IP header length; 0 until it came
 * @prev, @next: FIFO of datagrams in reassembly, oldest first
 * @iface:	the first fragment's arrival interface
 * @expires:	tick (e->now_s) when it is given up
 * @total:	data bytes of the datagram, known once the last fragment
 *		came (0 until then)
 * @have:	data bytes received
 * @end:	highest data byte received, plus one
 * @max_frag:	largest fragment received (IPv4 total length)
 * @block:	8-byte blocks of data received
 */
struct frag_dgram {
	struct masq_buf buf;
	uint32_t saddr, daddr;
	uint16_t id;
	uint8_t proto;
	uint8_t state;
	uint8_t hlen;
	uint8_t prev, next;
	uint32_t iface;
	uint32_t expires;
	uint32_t total;
	uint32_t have;
	uint32_t end;
	uint16_t max_frag;
	uint64_t block[FRAG_WORDS];
};

struct frag_state {
	struct frag_dgram d[FRAG_MAX_DGRAMS];
	uint8_t *storage;			/* FRAG_BUF_SIZE per datagram */
	uint8_t free[FRAG_MAX_DGRAMS];		/* stack of free slots */
	uint32_t nfree;
	uint8_t head, tail;			/* FIFO, oldest first */
};

/* First byte of a slot's data: fixed, whatever its header length */
static uint8_t *dgram_data(const struct frag_state *f, const struct frag_dgram *d)
{
	return f->storage + (size_t)(d - f->d) * FRAG_BUF_SIZE +
	       MASQ_HEADROOM + FRAG_HDR_ROOM;
}

/**
 * frag_init() - Preallocate the reassembly pool
 * @e:	engine
 *
 * Return: 0, or -ENOMEM
 */
int frag_init(struct masq_engine *e)
{
	struct frag_state *f = calloc(1, sizeof(*f));

	e->frag = NULL;
	if (!f)
		return -ENOMEM;
	f->storage = malloc((size_t)FRAG_MAX_DGRAMS * FRAG_BUF_SIZE);
	if (!f->storage) {
		free(f);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < FRAG_MAX_DGRAMS; i++) {
		f->d[i].buf.base = f->storage + (size_t)i * FRAG_BUF_SIZE;
		f->d[i].buf.cap = FRAG_BUF_SIZE;
		f->free[f->nfree++] = (uint8_t)(FRAG_MAX_DGRAMS - 1 - i);
	}
	f->head = f->tail = FRAG_NIL;
	e->frag = f;
	return 0;
}

void frag_fini(struct masq_engine *e)
{
	if (!e->frag)
		return;
	free(e->frag->storage);
	free(e->frag);
	e->frag = NULL;
}

/**
 * frag_owns() - Is @b a reassembly buffer (not one of the caller's pool)?
 * @e:	engine
 * @b:	buffer
 *
 * Return: true for a buffer of this file
 */
bool frag_owns(const struct masq_engine *e, const struct masq_buf *b)
{
	const struct frag_state *f = e->frag;
	uintptr_t a = (uintptr_t)b;

	return f && a >= (uintptr_t)f->d && a < (uintptr_t)(f->d + FRAG_MAX_DGRAMS);
}

static struct frag_dgram *dgram_of(const struct masq_engine *e,
				   const struct masq_buf *b)
{
	return &e->frag->d[((uintptr_t)b - (uintptr_t)e->frag->d) /
			   sizeof(struct frag_dgram)];
}

static void fifo_unlink(struct frag_state *f, struct frag_dgram *d)
{
	if (d->prev != FRAG_NIL)
		f->d[d->prev].next = d->next;
	else
		f->head = d->next;
	if (d->next != FRAG_NIL)
		f->d[d->next].prev = d->prev;
	else
		f->tail = d->prev;
}

static void dgram_free(struct frag_state *f, struct frag_dgram *d)
{
	assert(d->state != FRAG_FREE);
	if (d->state == FRAG_COLLECTING)
		fifo_unlink(f, d);
	d->state = FRAG_FREE;
	f->free[f->nfree++] = (uint8_t)(d - f->d);
}

/**
 * frag_buf_free() - Take a reassembly buffer back (its datagram is done)
 * @e:	engine
 * @b:	a buffer frag_owns()
 */
void frag_buf_free(struct masq_engine *e, struct masq_buf *b)
{
	struct frag_dgram *d = dgram_of(e, b);

	assert(d->state == FRAG_OUT && &d->buf == b);
	dgram_free(e->frag, d);
}

static struct frag_dgram *dgram_find(struct frag_state *f,
				     const struct ip4_hdr *ip)
{
	for (uint8_t i = f->head; i != FRAG_NIL; i = f->d[i].next) {
		const struct frag_dgram *d = &f->d[i];

		if (d->id == ip->id && d->saddr == ip->saddr &&
		    d->daddr == ip->daddr && d->proto == ip->proto)
			return &f->d[i];
	}
	return NULL;
}

/* A slot for a new datagram, or NULL when the pool is full */
static struct frag_dgram *dgram_new(struct masq_engine *e,
				    const struct ip4_hdr *ip)
{
	struct frag_state *f = e->frag;
	struct frag_dgram *d;
	uint8_t i;

	if (!f->nfree)
		return NULL;
	i = f->free[--f->nfree];
	d = &f->d[i];
	d->saddr = ip->saddr;
	d->daddr = ip->daddr;
	d->id = ip->id;
	d->proto = ip->proto;
	d->state = FRAG_COLLECTING;
	d->hlen = 0;
	d->iface = 0;
	d->expires = e->now_s + FRAG_TIMEOUT_S;
	d->total = d->have = d->end = 0;
	d->max_frag = 0;
	memset(d->block, 0, sizeof(d->block));
	d->prev = f->tail;
	d->next = FRAG_NIL;
	if (f->tail != FRAG_NIL)
		f->d[f->tail].next = i;
	else
		f->head = i;
	f->tail = i;
	return d;
}

/* Bits [lo, hi) of one word, 0 <= lo < hi <= 64 */
static uint64_t bits(uint32_t lo, uint32_t hi)
{
	return (hi - lo == 64 ? ~0ull : (1ull << (hi - lo)) - 1) << lo;
}

/*
 * Test, and with @set mark, blocks [from, to) of @w.
 * Return: true if any was already marked (nothing is marked then)
 */
static bool blocks_mark(uint64_t *w, uint32_t from, uint32_t to, bool set)
{
	for (uint32_t at = from; at < to;) {
		uint32_t i = at / 64, hi = to - i * 64 > 64 ? 64 : to - i * 64;

		if (!set && (w[i] & bits(at % 64, hi)))
			return true;
		if (set)
			w[i] |= bits(at % 64, hi);
		at = i * 64 + hi;
	}
	return false;
}

/*
 * The checks a fragment must pass on its own.
 * Return: C_NUM, or the counter to drop it (and its datagram) with
 */
static enum masq_counter frag_check(const struct pkt *p, uint32_t off,
				    uint32_t len, bool mf)
{
	unsigned hl = ip_hlen(p->ip);

	if (p->proto == IPPROTO_TCP_ && off == 8)
		return C_drop_frag_tiny;	/* RFC 1858 3.4: overwrites flags */
	if (!off && len < (p->proto == IPPROTO_TCP_ ? sizeof(struct tcp_hdr) :
			   p->proto == IPPROTO_UDP_ ? sizeof(struct udp_hdr) :
			   p->proto == IPPROTO_ICMP_ ? sizeof(struct icmp_hdr) : 1))
		return C_drop_frag_tiny;
	if (!len || (mf && (len & 7)))
		return C_drop_frag_malformed;
	if (off + len > FRAG_IP_MAX - hl)
		return C_drop_frag_too_big;
	return C_NUM;
}

/*
 * Copy a fragment into its datagram.
 * Return: C_NUM, or the counter to drop it and its datagram with
 */
static enum masq_counter dgram_add(struct frag_state *f, struct frag_dgram *d,
				   const struct pkt *p, uint32_t off,
				   uint32_t len, bool mf)
{
	uint32_t end = off + len;
	unsigned hl = ip_hlen(p->ip);
	uint8_t *data = dgram_data(f, d);

	if (!mf) {
		if ((d->total && d->total != end) || d->end > end)
			return C_drop_frag_malformed;
		d->total = end;
	} else if (d->total && end > d->total) {
		return C_drop_frag_malformed;
	}
	if (blocks_mark(d->block, off / 8, (end + 7) / 8, false))
		return C_drop_frag_overlap;
	blocks_mark(d->block, off / 8, (end + 7) / 8, true);
	memcpy(data + off, p->l4, len);
	d->have += len;
	if (end > d->end)
		d->end = end;
	if (!off) {
		d->hlen = (uint8_t)hl;
		d->iface = p->buf->iface;
		memcpy(data - hl - ETH_HLEN, p->buf->data, ETH_HLEN + hl);
	}
	if (p->ip_len > d->max_frag)
		d->max_frag = p->ip_len;
	return C_NUM;
}

/*
 * A reassembled echo request to the router itself: its reply would be
 * made in place, in this file's buffer, and leave by eng_send_ip(),
 * which neither fragments nor copies.
 */
static bool dgram_is_local_echo(const struct masq_engine *e,
				const struct frag_dgram *d,
				const struct ip4_hdr *ip)
{
	const uint8_t *l4 = (const uint8_t *)ip + d->hlen;

	return ip->proto == IPPROTO_ICMP_ && l4[0] == ICMP_ECHO &&
	       net_addr_is_local(&e->net, ip->daddr, NULL);
}

/* Make a complete datagram whole in its buffer and walk it */
static void dgram_deliver(struct masq_engine *e, struct frag_dgram *d)
{
	struct frag_state *f = e->frag;
	struct masq_buf *b = &d->buf;
	struct ip4_hdr *ip;

	fifo_unlink(f, d);
	d->state = FRAG_OUT;
	if (d->hlen + d->total > FRAG_IP_MAX) {
		count(e, C_drop_frag_too_big);
		dgram_free(f, d);
		return;
	}
	b->data = dgram_data(f, d) - d->hlen - ETH_HLEN;
	b->len = ETH_HLEN + d->hlen + d->total;
	b->iface = d->iface;
	b->next = NULL;
	memset(&b->meta, 0, sizeof(b->meta));
	ip = (struct ip4_hdr *)(b->data + ETH_HLEN);
	ip->tot_len = htons((uint16_t)(d->hlen + d->total));
	ip->frag_off &= htons(IP_DF);
	ip->check = 0;
	ip->check = csum_buf(ip, d->hlen);
	count(e, C_frag_reassembled);
	if (dgram_is_local_echo(e, d, ip)) {
		eng_drop(e, b, C_drop_frag_local);
		return;
	}
	eng_walk_datagram(e, b);
}

/**
 * frag_input() - Take a fragment into reassembly
 * @e:	engine
 * @p:	parsed fragment (p->frag); its frame is consumed
 */
void frag_input(struct masq_engine *e, struct pkt *p)
{
	struct frag_state *f = e->frag;
	uint16_t fo = ntohs(p->ip->frag_off);
	uint32_t off = (fo & IP_OFFMASK) * 8u;
	uint32_t len = p->ip_len - ip_hlen(p->ip);
	bool mf = fo & IP_MF;
	struct frag_dgram *d = dgram_find(f, p->ip);
	enum masq_counter why = frag_check(p, off, len, mf);

	if (why != C_NUM) {
		if (d && why == C_drop_frag_tiny)
			dgram_free(f, d);
		eng_drop(e, p->buf, why);
		return;
	}
	if (!d) {
		d = dgram_new(e, p->ip);
		if (!d) {
			eng_drop(e, p->buf, C_drop_frag_pool_full);
			return;
		}
	}
	why = dgram_add(f, d, p, off, len, mf);
	if (why != C_NUM) {
		dgram_free(f, d);
		eng_drop(e, p->buf, why);
		return;
	}
	count(e, C_frag_received);
	eng_buf_free(e, p->buf);		/* its bytes live in @d now */
	if (d->hlen && d->total && d->have == d->total)
		dgram_deliver(e, d);
}

/* Give up datagrams whose time is up, oldest first; bounded work */
void frag_advance(struct masq_engine *e)
{
	struct frag_state *f = e->frag;

	for (int i = 0; i < FRAG_EXPIRE_PER_CALL && f->head != FRAG_NIL; i++) {
		struct frag_dgram *d = &f->d[f->head];

		if ((int32_t)(e->now_s - d->expires) < 0)
			break;
		count(e, C_drop_frag_timeout);
		dgram_free(f, d);
	}
}

/**
 * frag_largest() - The largest fragment a reassembled datagram arrived in
 * @e:	engine
 * @b:	a buffer frag_owns()
 *
 * Return: its IPv4 total length (what fragout.c keeps fragments within)
 */
uint32_t frag_largest(const struct masq_engine *e, const struct masq_buf *b)
{
	return dgram_of(e, b)->max_frag;
}
