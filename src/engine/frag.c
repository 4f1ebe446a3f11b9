// SPDX-License-Identifier: MIT
/*
 * frag.c - IPv4 fragments on the way in: reassembly within a byte budget
 * shared fairly between sources (the way out, refragmentation, is
 * fragout.c)
 *
 * Theory of operation: masq always defragments, as the seeds' kernels did
 * for masquerading. A fragment (parse.c sets p->frag) is copied at once
 * into its datagram, keyed by (source, destination, IP id, protocol), and
 * its frame goes straight back to the caller's pool: a fragment flood can
 * fill this file's budget, never the caller's pool. A datagram's data is
 * placed by offset: data byte OFF lives in the datagram's chunk OFF / 1024
 * (a table of 64 per datagram), taken from one shared pool of chunks when
 * a fragment first reaches it. When every byte is there, the datagram is
 * copied whole into the delivery buffer (the first fragment's Ethernet
 * and IP headers in front, MF and offset cleared, total length and header
 * checksum fixed, metadata zero, ->iface the first fragment's interface),
 * its chunks go back, and it is walked like any frame. Every way a walk
 * can end gives that buffer back before it returns (fragout.c copies
 * what leaves into the caller's pool; the router's answers are made in
 * pool buffers; an echo request to the router, answered in place, is
 * refused here), so one delivery buffer serves and none reaches the tx
 * vector.
 *
 * The budget (frag.h; limits.frag_mem, default FRAG_MEM_DEFAULT = 4 MiB,
 * Linux's ipfrag_high_thresh): fragment data is held in chunks of
 * FRAG_CHUNK (1 KiB) bytes, and a fragment costs the chunks it touches: a
 * tiny first fragment one, a 1,480-byte one two or three, a 64 KiB
 * datagram 64. By default 4,096 chunks and at most 2,048 datagrams at
 * once (one record per two chunks): 4 MiB of data and 4.7 MiB in all with
 * the bookkeeping (2,048 datagram records of 252 bytes, a 16-byte map of
 * 8-byte blocks per chunk, as many source records, two hashes, the free
 * lists and the 64 KiB delivery buffer), allocated and faulted in by
 * frag_init(); nothing on the packet path allocates.
 *
 * Who is given up when a fragment needs room (frag_make_room()):
 *  1. its source's share: one source address holds at most 1/8 of the
 *     chunks and of the datagram records (FRAG_SHARE_DIV; 512 KiB and 256
 *     datagrams by default). Past it, that source's own oldest datagram
 *     goes (frag_evicted_share); a datagram that alone would need more
 *     than the share is dropped with the fragment (drop_frag_share);
 *  2. the budget: when no chunk or no datagram record is free, the
 *     oldest datagram in reassembly, whatever its source, goes
 *     (frag_evicted).
 * Never the datagram the fragment belongs to. So a flood of first
 * fragments, at any rate and from any number of spoofed sources, only
 * shortens how long each junk datagram lives (the budget over the rate:
 * 2,048 records at 100,000 a second, 20 ms) instead of locking out new
 * datagrams, as the 64 slots of old did for 30 s; a real datagram, whose
 * fragments follow each other within milliseconds, completes unless a
 * whole budget of junk arrives between its first fragment and its last.
 * A flood from one source churns only its own share. Known limit: a flood
 * that spoofs a real sender's address churns that sender's share, and its
 * datagrams can be lost; nothing in a first fragment tells them apart.
 *
 * A datagram has FRAG_TIMEOUT_S from its first fragment (RFC 791's upper
 * bound is 15 s to 4.25 min; Linux uses 30 s); frag_advance() expires the
 * oldest first, FRAG_EXPIRE_PER_CALL at most per call.
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
 *  - a fragment whose datagram would hold more than its source's share
 *    (drop_frag_share), the datagram with it;
 *  - a datagram not complete after FRAG_TIMEOUT_S (drop_frag_timeout),
 *    or given up for room (frag_evicted, frag_evicted_share): one count
 *    per datagram, its fragments were counted in frag_received;
 *  - a reassembled echo request to the router itself (drop_frag_local):
 *    its reply would leave by eng_send_ip(), which does not fragment.
 * No ICMP time exceeded (reassembly) is sent: the router is not the
 * destination (Linux's conntrack defragmentation is silent too).
 *
 * Complexity: a fragment finds its datagram, and a new datagram its
 * source, in hashes keyed with the engine's seed (chained, at most half
 * full); the overlap check reads the 128-bit block map of each chunk the
 * fragment touches. An eviction is the head of a list (all datagrams, or
 * a source's, oldest first) and frees at least a chunk, so a fragment
 * evicts at most twice the chunks it needs. Completing a datagram copies
 * it once more, into the delivery buffer; the road not taken was walking
 * it in its chunks, which every later step (parsing, checksums, NAT,
 * refragmentation) would have had to learn.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "cuckoo.h"
#include "eng.h"
#include "frag.h"
#include "mem.h"

#define FRAG_HDR_ROOM	(ETH_HLEN + 60)		/* Ethernet + longest IPv4 header */
#define FRAG_DATA_MAX	(FRAG_IP_MAX - 20)	/* data of the largest datagram */
#define FRAG_BUF_SIZE	((MASQ_HEADROOM + FRAG_HDR_ROOM + FRAG_DATA_MAX + 63) / 64 * 64)
#define FRAG_DGRAM_CHUNKS ((FRAG_DATA_MAX + FRAG_CHUNK - 1) / FRAG_CHUNK)
#define FRAG_CHUNK_BLOCKS (FRAG_CHUNK / 8)	/* 8-byte blocks per chunk */
#define FRAG_CHUNK_WORDS  (FRAG_CHUNK_BLOCKS / 64)
#define FRAG_NIL	0xffff
#define FRAG_EXPIRE_PER_CALL	16
#define FRAG_SEED_MIX	0x66726167	/* "frag": not ct.c's hash seed */
#define FRAG_SRC_KEY	0x73726373	/* "srcs": a source's 2nd key word */

_Static_assert(FRAG_MEM_MAX / FRAG_CHUNK < FRAG_NIL,
	       "chunk indexes fit 16 bits");
_Static_assert(FRAG_CHUNK % 512 == 0, "a chunk's blocks fill whole words");
_Static_assert(FRAG_MEM_MIN / FRAG_CHUNK / 2 >= FRAG_SHARE_DIV,
	       "a source's share is at least one datagram");

/* A datagram record's place in a list: indexes, FRAG_NIL at the ends */
struct frag_link {
	uint16_t prev, next;
};

/* A list of datagram records, oldest first */
struct frag_list {
	uint16_t head, tail;
};

enum frag_lists { FRAG_ALL, FRAG_MINE, FRAG_LISTS };

/**
 * struct frag_dgram - one datagram in reassembly
 * @saddr, @daddr, @id, @proto: the key, network order
 * @hlen:	the first fragment's IP header length; 0 until it came
 * @hnext:	next record in its hash bucket
 * @link:	its places in the list of all datagrams (FRAG_ALL) and in
 *		its source's (FRAG_MINE)
 * @src:	its source record
 * @nchunks:	chunks it holds
 * @max_frag:	largest fragment received (IPv4 total length)
 * @iface:	the first fragment's arrival interface
 * @expires:	tick (e->now_s) when it is given up
 * @total:	data bytes of the datagram, known once the last fragment
 *		came (0 until then)
 * @have:	data bytes received
 * @end:	highest data byte received, plus one
 * @chunk:	data byte OFF is in chunk[OFF / FRAG_CHUNK], or FRAG_NIL
 * @hdr:	the first fragment's Ethernet and IP headers
 */
struct frag_dgram {
	uint32_t saddr, daddr;
	uint16_t id;
	uint8_t proto;
	uint8_t hlen;
	uint16_t hnext;
	struct frag_link link[FRAG_LISTS];
	uint16_t src;
	uint16_t nchunks;
	uint16_t max_frag;
	uint32_t iface;
	uint32_t expires;
	uint32_t total;
	uint32_t have;
	uint32_t end;
	uint16_t chunk[FRAG_DGRAM_CHUNKS];
	uint8_t hdr[FRAG_HDR_ROOM];
};

/**
 * struct frag_src - a source address with datagrams in reassembly
 * @addr:	network order
 * @hnext:	next record in its hash bucket
 * @mine:	its datagrams, oldest first
 * @dgrams:	how many
 * @chunks:	chunks they hold
 */
struct frag_src {
	uint32_t addr;
	uint16_t hnext;
	struct frag_list mine;
	uint16_t dgrams;
	uint16_t chunks;
};

/**
 * struct frag_state - the reassembly budget, one block from frag_init()
 * @d, @src:	datagram and source records (@nd each: a source has at
 *		least one datagram)
 * @data:	@nc chunks of FRAG_CHUNK bytes
 * @blocks:	per chunk, its 8-byte blocks received
 * @dhash, @shash: bucket heads (@hmask + 1 each) of datagrams by key,
 *		sources by address
 * @free_c, @free_d, @free_s: stacks of free chunks, datagram and source
 *		records; @nfree_c, @nfree_d, @nfree_s on them
 * @share_c, @share_d: the most chunks and datagrams one source may hold
 * @all:	every datagram in reassembly, oldest first
 * @out:	the delivery buffer; @out_busy while a datagram walks in it,
 *		@out_max_frag that datagram's largest fragment
 */
struct frag_state {
	struct frag_dgram *d;
	struct frag_src *src;
	uint8_t *data;
	uint64_t (*blocks)[FRAG_CHUNK_WORDS];
	uint16_t *dhash, *shash;
	uint16_t *free_c, *free_d, *free_s;
	uint32_t nfree_c, nfree_d, nfree_s;
	uint32_t nc, nd, hmask;
	uint32_t share_c, share_d;
	uint64_t seed;
	struct frag_list all;
	bool out_busy;
	uint16_t out_max_frag;
	struct masq_buf out;
	void *mem;
	size_t mem_size;
};

/* ---- the budget: records, chunks and their lists ---- */

/*
 * Lay the tables out from @m, each on its own cache lines (NULL: only
 * measure). Return: bytes they take
 */
static size_t frag_layout(struct frag_state *f, uint8_t *m)
{
	size_t at = 0;

#define FRAG_TAKE(field, bytes)						\
	do {								\
		if (m)							\
			f->field = (void *)(m + at);			\
		at += ((bytes) + 63) / 64 * 64;				\
	} while (0)
	FRAG_TAKE(data, (size_t)f->nc * FRAG_CHUNK);
	FRAG_TAKE(blocks, (size_t)f->nc * sizeof(*f->blocks));
	FRAG_TAKE(d, (size_t)f->nd * sizeof(*f->d));
	FRAG_TAKE(src, (size_t)f->nd * sizeof(*f->src));
	FRAG_TAKE(dhash, (size_t)(f->hmask + 1) * sizeof(uint16_t));
	FRAG_TAKE(shash, (size_t)(f->hmask + 1) * sizeof(uint16_t));
	FRAG_TAKE(free_c, (size_t)f->nc * sizeof(uint16_t));
	FRAG_TAKE(free_d, (size_t)f->nd * sizeof(uint16_t));
	FRAG_TAKE(free_s, (size_t)f->nd * sizeof(uint16_t));
	FRAG_TAKE(out.base, FRAG_BUF_SIZE);
#undef FRAG_TAKE
	return at;
}

/* Every record free, every bucket empty */
static void frag_reset(struct frag_state *f)
{
	memset(f->dhash, 0xff, (f->hmask + 1) * sizeof(uint16_t));
	memset(f->shash, 0xff, (f->hmask + 1) * sizeof(uint16_t));
	for (uint32_t i = 0; i < f->nc; i++)
		f->free_c[i] = (uint16_t)(f->nc - 1 - i);
	for (uint32_t i = 0; i < f->nd; i++) {
		f->free_d[i] = (uint16_t)(f->nd - 1 - i);
		f->free_s[i] = (uint16_t)(f->nd - 1 - i);
	}
	f->nfree_c = f->nc;
	f->nfree_d = f->nfree_s = f->nd;
	f->all = (struct frag_list){ FRAG_NIL, FRAG_NIL };
	f->out.cap = FRAG_BUF_SIZE;
}

/**
 * frag_init() - Preallocate the reassembly budget (limits.frag_mem)
 * @e:	engine, limits filled
 *
 * Return: 0, -EINVAL for a budget out of range, or -ENOMEM
 */
int frag_init(struct masq_engine *e)
{
	struct frag_state *f;
	uint32_t mem = e->lim.frag_mem;

	e->frag = NULL;
	if (mem < FRAG_MEM_MIN || mem > FRAG_MEM_MAX)
		return -EINVAL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->nc = mem / FRAG_CHUNK;
	f->nd = f->nc / 2;
	f->share_c = f->nc / FRAG_SHARE_DIV;
	f->share_d = f->nd / FRAG_SHARE_DIV;
	f->hmask = 1;
	while (f->hmask + 1 < 2 * f->nd)	/* at most half full */
		f->hmask = f->hmask * 2 + 1;
	f->seed = e->lim.seed * 0x9e3779b97f4a7c15ull + FRAG_SEED_MIX;
	f->mem_size = frag_layout(f, NULL);
	f->mem = mem_table_alloc(f->mem_size);
	if (!f->mem) {
		free(f);
		return -ENOMEM;
	}
	frag_layout(f, f->mem);
	frag_reset(f);
	e->frag = f;
	return 0;
}

void frag_fini(struct masq_engine *e)
{
	if (!e->frag)
		return;
	mem_table_free(e->frag->mem, e->frag->mem_size);
	free(e->frag);
	e->frag = NULL;
}

static uint8_t *chunk_data(const struct frag_state *f, uint16_t c)
{
	return f->data + (size_t)c * FRAG_CHUNK;
}

static uint32_t dgram_bucket(const struct frag_state *f, uint32_t saddr,
			     uint32_t daddr, uint16_t id, uint8_t proto)
{
	return (uint32_t)cuckoo_hash2((uint64_t)saddr << 32 | daddr,
				      (uint64_t)id << 8 | proto, f->seed) &
	       f->hmask;
}

static uint32_t src_bucket(const struct frag_state *f, uint32_t addr)
{
	return (uint32_t)cuckoo_hash2(addr, FRAG_SRC_KEY, f->seed) & f->hmask;
}

static struct frag_dgram *dgram_find(const struct frag_state *f,
				     const struct ip4_hdr *ip)
{
	uint16_t i = f->dhash[dgram_bucket(f, ip->saddr, ip->daddr, ip->id,
					   ip->proto)];

	for (; i != FRAG_NIL; i = f->d[i].hnext) {
		const struct frag_dgram *d = &f->d[i];

		if (d->id == ip->id && d->saddr == ip->saddr &&
		    d->daddr == ip->daddr && d->proto == ip->proto)
			return &f->d[i];
	}
	return NULL;
}

static struct frag_src *src_find(const struct frag_state *f, uint32_t addr)
{
	for (uint16_t i = f->shash[src_bucket(f, addr)]; i != FRAG_NIL;
	     i = f->src[i].hnext)
		if (f->src[i].addr == addr)
			return &f->src[i];
	return NULL;
}

/* A source's record, made when it has none */
static struct frag_src *src_get(struct frag_state *f, uint32_t addr)
{
	struct frag_src *s = src_find(f, addr);
	uint32_t b;
	uint16_t i;

	if (s)
		return s;
	assert(f->nfree_s);		/* no more sources than datagrams */
	i = f->free_s[--f->nfree_s];
	s = &f->src[i];
	b = src_bucket(f, addr);
	*s = (struct frag_src){ .addr = addr, .hnext = f->shash[b],
				.mine = { FRAG_NIL, FRAG_NIL } };
	f->shash[b] = i;
	return s;
}

/* A source with no datagram left: its record back */
static void src_put(struct frag_state *f, struct frag_src *s)
{
	uint16_t i = (uint16_t)(s - f->src);
	uint16_t *at = &f->shash[src_bucket(f, s->addr)];

	while (*at != i)
		at = &f->src[*at].hnext;
	*at = s->hnext;
	f->free_s[f->nfree_s++] = i;
}

static void list_append(struct frag_state *f, struct frag_list *l,
			enum frag_lists w, uint16_t i)
{
	struct frag_link *k = &f->d[i].link[w];

	k->prev = l->tail;
	k->next = FRAG_NIL;
	*(l->tail != FRAG_NIL ? &f->d[l->tail].link[w].next : &l->head) = i;
	l->tail = i;
}

static void list_unlink(struct frag_state *f, struct frag_list *l,
			enum frag_lists w, uint16_t i)
{
	const struct frag_link *k = &f->d[i].link[w];
	uint16_t *before = k->prev != FRAG_NIL ? &f->d[k->prev].link[w].next
					       : &l->head;
	uint16_t *after = k->next != FRAG_NIL ? &f->d[k->next].link[w].prev
					      : &l->tail;

	*before = k->next;
	*after = k->prev;
}

/* The oldest datagram of list @l other than @self, or NULL */
static struct frag_dgram *list_oldest_but(struct frag_state *f,
					  const struct frag_list *l,
					  enum frag_lists w,
					  const struct frag_dgram *self)
{
	uint16_t i = l->head;

	if (i != FRAG_NIL && &f->d[i] == self)
		i = self->link[w].next;
	return i == FRAG_NIL ? NULL : &f->d[i];
}

/* Give a datagram up: its chunks, its record and maybe its source's back */
static void dgram_free(struct frag_state *f, struct frag_dgram *d)
{
	struct frag_src *s = &f->src[d->src];
	uint16_t i = (uint16_t)(d - f->d);
	uint16_t *at = &f->dhash[dgram_bucket(f, d->saddr, d->daddr, d->id,
					      d->proto)];

	while (*at != i)
		at = &f->d[*at].hnext;
	*at = d->hnext;
	list_unlink(f, &f->all, FRAG_ALL, i);
	list_unlink(f, &s->mine, FRAG_MINE, i);
	for (uint32_t c = 0, n = d->nchunks; n; c++)	/* a tiny one: 1 */
		if (d->chunk[c] != FRAG_NIL) {
			f->free_c[f->nfree_c++] = d->chunk[c];
			n--;
		}
	s->chunks -= d->nchunks;
	f->free_d[f->nfree_d++] = i;
	if (!--s->dgrams)
		src_put(f, s);
}

/* A record for a new datagram (frag_make_room() made sure of one) */
static struct frag_dgram *dgram_new(struct masq_engine *e,
				    const struct ip4_hdr *ip)
{
	struct frag_state *f = e->frag;
	struct frag_src *s = src_get(f, ip->saddr);
	uint32_t b = dgram_bucket(f, ip->saddr, ip->daddr, ip->id, ip->proto);
	uint16_t i = f->free_d[--f->nfree_d];
	struct frag_dgram *d = &f->d[i];

	d->saddr = ip->saddr;
	d->daddr = ip->daddr;
	d->id = ip->id;
	d->proto = ip->proto;
	d->hlen = 0;
	d->iface = 0;
	d->expires = e->now_s + FRAG_TIMEOUT_S;
	d->total = d->have = d->end = 0;
	d->nchunks = d->max_frag = 0;
	memset(d->chunk, 0xff, sizeof(d->chunk));
	d->hnext = f->dhash[b];
	f->dhash[b] = i;
	d->src = (uint16_t)(s - f->src);
	list_append(f, &f->all, FRAG_ALL, i);
	list_append(f, &s->mine, FRAG_MINE, i);
	s->dgrams++;
	return d;
}

/*
 * Is source @s (NULL: none yet) past its share with @need more chunks and,
 * with @slot, one more datagram?
 */
static bool src_over_share(const struct frag_state *f,
			   const struct frag_src *s, uint32_t need, bool slot)
{
	uint32_t c = s ? s->chunks : 0, n = s ? s->dgrams : 0;

	return c + need > f->share_c || (slot && n + 1 > f->share_d);
}

/*
 * frag_make_room() - Free what a fragment of source @saddr needs: @need
 * chunks and, with @slot, a datagram record; never @self (the datagram it
 * belongs to, or NULL). First the source's share (its own oldest goes),
 * then the budget (the oldest of all goes), each eviction counted.
 * Return: C_NUM, or C_drop_frag_share when @self and @need alone pass
 * the share (nothing is given up then)
 */
static enum masq_counter frag_make_room(struct masq_engine *e, uint32_t saddr,
					uint32_t need, bool slot,
					const struct frag_dgram *self)
{
	struct frag_state *f = e->frag;
	struct frag_src *s = src_find(f, saddr);

	if ((self ? self->nchunks : 0) + need > f->share_c)
		return C_drop_frag_share;
	while (src_over_share(f, s, need, slot)) {
		struct frag_dgram *old = list_oldest_but(f, &s->mine, FRAG_MINE,
							 self);

		assert(old);	/* @self alone fits, so it is not alone */
		if (s->dgrams == 1)
			s = NULL;		/* its record goes with @old */
		count(e, C_frag_evicted_share);
		dgram_free(f, old);
	}
	while (f->nfree_c < need || (slot && !f->nfree_d)) {
		struct frag_dgram *old = list_oldest_but(f, &f->all, FRAG_ALL,
							 self);

		assert(old);	/* @self holds no more than a share */
		count(e, C_frag_evicted);
		dgram_free(f, old);
	}
	return C_NUM;
}

/**
 * frag_owns() - Is @b the delivery buffer (not one of the caller's pool)?
 * @e:	engine
 * @b:	buffer
 *
 * Return: true for the buffer a reassembled datagram walks in
 */
bool frag_owns(const struct masq_engine *e, const struct masq_buf *b)
{
	return e->frag && b == &e->frag->out;
}

/**
 * frag_buf_free() - Take the delivery buffer back (its datagram is done)
 * @e:	engine
 * @b:	the buffer frag_owns()
 */
void frag_buf_free(struct masq_engine *e, struct masq_buf *b)
{
	assert(frag_owns(e, b) && e->frag->out_busy);
	e->frag->out_busy = false;
}

/* ---- fragments into datagrams ---- */

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
 * Test, and with @set mark, data blocks [from, to) of @d, chunk by chunk
 * (a chunk not taken yet holds none; with @set every one is taken).
 * Return: true if any was already held (nothing is marked then)
 */
static bool dgram_blocks(struct frag_state *f, const struct frag_dgram *d,
			 uint32_t from, uint32_t to, bool set)
{
	while (from < to) {
		uint32_t c = from / FRAG_CHUNK_BLOCKS;
		uint32_t lo = c * FRAG_CHUNK_BLOCKS, hi = lo + FRAG_CHUNK_BLOCKS;
		uint16_t k = d->chunk[c];

		if (hi > to)
			hi = to;
		if (k != FRAG_NIL &&
		    blocks_mark(f->blocks[k], from - lo, hi - lo, set))
			return true;
		from = hi;
	}
	return false;
}

/* Chunks [first, last] of @d not taken yet */
static uint32_t dgram_missing(const struct frag_dgram *d, uint32_t first,
			      uint32_t last)
{
	uint32_t n = 0;

	for (uint32_t c = first; c <= last; c++)
		n += d->chunk[c] == FRAG_NIL;
	return n;
}

/* Take chunks [first, last] of @d that it lacks (frag_make_room() made room) */
static void dgram_take(struct frag_state *f, struct frag_dgram *d,
		       uint32_t first, uint32_t last)
{
	for (uint32_t c = first; c <= last; c++) {
		uint16_t k;

		if (d->chunk[c] != FRAG_NIL)
			continue;
		assert(f->nfree_c);
		k = f->free_c[--f->nfree_c];
		memset(f->blocks[k], 0, sizeof(f->blocks[k]));
		d->chunk[c] = k;
		d->nchunks++;
		f->src[d->src].chunks++;
	}
}

/* Copy @len bytes between @buf and @d's data at @off: in with @in, else out */
static void dgram_copy(struct frag_state *f, const struct frag_dgram *d,
		       uint32_t off, uint8_t *buf, uint32_t len, bool in)
{
	while (len) {
		uint32_t at = off % FRAG_CHUNK;
		uint32_t n = len < FRAG_CHUNK - at ? len : FRAG_CHUNK - at;
		uint8_t *c = chunk_data(f, d->chunk[off / FRAG_CHUNK]) + at;

		memcpy(in ? c : buf, in ? buf : c, n);
		off += n;
		buf += n;
		len -= n;
	}
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
 * The checks a fragment must pass against what its datagram holds: one
 * end, data within it, no overlap.
 * Return: C_NUM, or the counter to drop it and its datagram with
 */
static enum masq_counter dgram_accepts(struct frag_state *f,
				       const struct frag_dgram *d,
				       uint32_t off, uint32_t len, bool mf)
{
	uint32_t end = off + len;

	if (!mf && ((d->total && d->total != end) || d->end > end))
		return C_drop_frag_malformed;
	if (mf && d->total && end > d->total)
		return C_drop_frag_malformed;
	if (dgram_blocks(f, d, off / 8, (end + 7) / 8, false))
		return C_drop_frag_overlap;
	return C_NUM;
}

/* Copy an accepted fragment into its datagram, whose chunks are taken */
static void dgram_store(struct frag_state *f, struct frag_dgram *d,
			const struct pkt *p, uint32_t off, uint32_t len,
			bool mf)
{
	uint32_t end = off + len;
	unsigned hl = ip_hlen(p->ip);

	if (!mf)
		d->total = end;
	dgram_blocks(f, d, off / 8, (end + 7) / 8, true);
	dgram_copy(f, d, off, p->l4, len, true);
	d->have += len;
	if (end > d->end)
		d->end = end;
	if (!off) {
		d->hlen = (uint8_t)hl;
		d->iface = p->buf->iface | (p->host ? MASQ_IFACE_TWIN : 0);
		memcpy(d->hdr, p->buf->data, ETH_HLEN + hl);
	}
	if (p->ip_len > d->max_frag)
		d->max_frag = p->ip_len;
}

/*
 * A reassembled echo request to the router itself: its reply would be
 * made in place, in the delivery buffer, and leave by eng_send_ip(),
 * which neither fragments nor copies.
 */
static bool dgram_is_local_echo(const struct masq_engine *e,
				const struct ip4_hdr *ip)
{
	const uint8_t *l4 = (const uint8_t *)ip + ip_hlen(ip);

	return ip->proto == IPPROTO_ICMP_ && l4[0] == ICMP_ECHO &&
	       net_addr_is_local(&e->net, ip->daddr, NULL);
}

/*
 * Copy a complete datagram whole into the delivery buffer, give its
 * record and chunks back, and walk it
 */
static void dgram_deliver(struct masq_engine *e, struct frag_dgram *d)
{
	struct frag_state *f = e->frag;
	struct masq_buf *b = &f->out;
	uint32_t hl = d->hlen, total = d->total;
	struct ip4_hdr *ip;

	if (hl + total > FRAG_IP_MAX) {
		count(e, C_drop_frag_too_big);
		dgram_free(f, d);
		return;
	}
	assert(!f->out_busy);		/* every walk gives it back */
	f->out_busy = true;
	f->out_max_frag = d->max_frag;
	b->data = b->base + MASQ_HEADROOM;
	b->len = ETH_HLEN + hl + total;
	b->iface = d->iface;
	b->next = NULL;
	memset(&b->meta, 0, sizeof(b->meta));
	memcpy(b->data, d->hdr, ETH_HLEN + hl);
	dgram_copy(f, d, 0, b->data + ETH_HLEN + hl, total, false);
	dgram_free(f, d);
	ip = (struct ip4_hdr *)(b->data + ETH_HLEN);
	ip->tot_len = htons((uint16_t)(hl + total));
	ip->frag_off &= htons(IP_DF);
	ip->check = 0;
	ip->check = csum_buf(ip, hl);
	count(e, C_frag_reassembled);
	if (dgram_is_local_echo(e, ip)) {
		eng_drop(e, b, C_drop_frag_local);
		return;
	}
	if (frag_hand_on(e, b, f->out_max_frag))	/* --workers: another's */
		return;
	eng_walk_datagram(e, b);
	assert(!f->out_busy);
}

/* Drop a fragment and, if there is one, its datagram */
static void frag_drop(struct masq_engine *e, struct pkt *p,
		      struct frag_dgram *d, enum masq_counter why)
{
	if (d)
		dgram_free(e->frag, d);
	eng_drop(e, p->buf, why);
}

/**
 * frag_input() - Take a fragment into reassembly
 * @e:	engine
 * @p:	parsed fragment (p->frag); its frame is consumed
 *
 * Its datagram is found or made, room made for the chunks it touches
 * (frag_make_room(): the source's oldest, then the oldest of all, may be
 * given up), and its data copied in; the last missing fragment walks the
 * datagram.
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
	uint32_t first, last, need;

	if (why != C_NUM) {
		frag_drop(e, p, why == C_drop_frag_tiny ? d : NULL, why);
		return;
	}
	first = off / FRAG_CHUNK;
	last = (off + len - 1) / FRAG_CHUNK;
	if (d && (why = dgram_accepts(f, d, off, len, mf)) != C_NUM) {
		frag_drop(e, p, d, why);
		return;
	}
	need = d ? dgram_missing(d, first, last) : last - first + 1;
	why = frag_make_room(e, p->ip->saddr, need, !d, d);
	if (why != C_NUM) {
		frag_drop(e, p, d, why);
		return;
	}
	if (!d)
		d = dgram_new(e, p->ip);
	dgram_take(f, d, first, last);
	dgram_store(f, d, p, off, len, mf);
	count(e, C_frag_received);
	eng_buf_free(e, p->buf);		/* its bytes live in @d now */
	if (d->hlen && d->total && d->have == d->total)
		dgram_deliver(e, d);
}

/* Give up datagrams whose time is up, oldest first; bounded work */
void frag_advance(struct masq_engine *e)
{
	struct frag_state *f = e->frag;

	for (int i = 0; i < FRAG_EXPIRE_PER_CALL; i++) {
		struct frag_dgram *d = list_oldest_but(f, &f->all, FRAG_ALL,
						       NULL);

		if (!d || (int32_t)(e->now_s - d->expires) < 0)
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
	(void)b;			/* there is one delivery buffer */
	return e->frag->out_max_frag;
}

/**
 * masq_engine_frag_held() - What reassembly holds now, counted the long way
 * @e:		engine
 * @dgrams:	set to the datagrams in reassembly
 *
 * Walks every datagram (for tests and the control plane, not the packet
 * path) and checks that what they hold and the free lists add up to the
 * budget: a chunk or record lost would show here.
 *
 * Return: bytes of budget held (chunks: a multiple of FRAG_CHUNK)
 */
uint32_t masq_engine_frag_held(const struct masq_engine *e, uint32_t *dgrams)
{
	const struct frag_state *f = e->frag;
	uint32_t chunks = 0, n = 0;

	for (uint16_t i = f->all.head; i != FRAG_NIL;
	     i = f->d[i].link[FRAG_ALL].next, n++) {
		const struct frag_dgram *d = &f->d[i];
		uint32_t c = FRAG_DGRAM_CHUNKS -
			     dgram_missing(d, 0, FRAG_DGRAM_CHUNKS - 1);

		assert(c == d->nchunks);
		chunks += c;
	}
	assert(chunks + f->nfree_c == f->nc && n + f->nfree_d == f->nd);
	*dgrams = n;
	return chunks * FRAG_CHUNK;
}
