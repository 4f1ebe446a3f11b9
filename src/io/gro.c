// SPDX-License-Identifier: MIT
/*
 * gro.c - userspace GRO: coalescing a receive burst's TCP segments
 *
 * Theory of operation
 *
 * gro_burst() walks a burst in order and keeps up to GRO_OPEN_MAX open
 * super-frames ("chains"), one per connection (addresses and ports). A
 * segment joins its connection's chain when, as the kernel's
 * tcp_gro_receive() and inet_gro_receive() require (read there, written
 * here anew):
 *
 *	- IPv4 without options or fragmentation, untagged, no GSO metadata,
 *	  a valid IP header checksum and a valid (or vouched-for: NEEDS_CSUM,
 *	  DATA_VALID) TCP checksum;
 *	- the same MAC addresses, TOS, TTL and DF; an IP ID one past the
 *	  previous segment's, or with DF the same ID throughout (RFC 6864:
 *	  an atomic datagram's ID means nothing; the kernel's segmentation
 *	  numbers them up from the first);
 *	- its sequence number where the chain's data ends, the same
 *	  acknowledgment number, data offset, flags and window (PSH aside),
 *	  byte-identical options (timestamps included), no CWR;
 *	- ACK set and none of SYN, FIN, RST, URG; a payload of at least one
 *	  byte and at most the first segment's (the chain's gso_size).
 *
 * A chain ends with a segment shorter than the first or one with PSH
 * (both still join: they are the last), with any other TCP frame of the
 * same connection that does not join (a pure ACK, a FIN, a bad checksum)
 * or a fragment of the same addresses (it may be one; so a connection's
 * frames keep their order), when the next segment would not fit the
 * first's buffer or 65,535 bytes of IP, and at the end of the burst:
 * nothing is held across bursts, so GRO adds no latency.
 *
 * A chain of two segments or more becomes one frame: total length and
 * header checksum rewritten, the TCP checksum field set to the
 * pseudo-header sum, and the metadata a virtio-net header would carry
 * for it (GSO TCPv4 with gso_size the first payload's length, ECN when
 * the first segment has CWR, NEEDS_CSUM at the TCP checksum). The kernel
 * splits it again as tcp_gso_segment() does: PSH on the last segment
 * only, CWR on the first only, IDs counted up, checksums made fresh.
 * Because fresh checksums would hide a corrupted segment, every segment
 * is checked before it joins; one that is wrong is passed on as it came
 * (the engine counts it as a bad checksum) and a checked one is marked
 * DATA_VALID so the engine does not sum it twice.
 *
 * Order: frames that are not merged keep their order; a super-frame
 * takes the place of its first segment. Cost: O(burst x GRO_OPEN_MAX)
 * compares, one pass over each payload to sum it (the engine would have
 * made it) and one copy of it into the first buffer. No allocation: the
 * merged segments' buffers go back to the pool.
 *
 * Limits: IPv4 TCP only (UDP, IPv6 and tagged frames pass untouched); a
 * burst that interleaves more than GRO_OPEN_MAX connections closes open
 * chains early, one at a time in turn.
 */
#include <stdbool.h>
#include <string.h>
#include <arpa/inet.h>

#include "engine/csum.h"
#include "io/gro.h"

#define ETH_LEN		14
#define IP_LEN		20		/* no options: those never merge */
#define L4_OFF		(ETH_LEN + IP_LEN)
#define TCP_CSUM_OFF	16
#define IP_MAX		65535u

#define IP_DF		0x4000
#define IP_MF_OFF	0x3fff

#define TH_FIN		0x01
#define TH_SYN		0x02
#define TH_RST		0x04
#define TH_PSH		0x08
#define TH_ACK		0x10
#define TH_URG		0x20
#define TH_CWR		0x80

enum id_mode { ID_UNKNOWN, ID_COUNTING, ID_FIXED };

/* One frame as the coalescer sees it */
struct seg {
	uint8_t *ip;
	uint8_t *th;
	uint32_t thlen;
	uint32_t plen;
	uint32_t seq;
	uint16_t id;
	uint8_t flags;
};

/* An open super-frame: the first segment's buffer, and what comes next */
struct chain {
	struct masq_buf *head;
	uint32_t next_seq;
	uint16_t mss;
	uint16_t next_id;
	uint16_t segs;
	uint8_t id_mode;
};

struct gro {
	struct chain ch[GRO_OPEN_MAX];
	struct masq_pool *pool;
	struct gro_stats *st;
	uint32_t victim;
};

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static bool is_ipv4(const struct masq_buf *b)
{
	return b->len >= L4_OFF && rd16(b->data + 12) == 0x0800;
}

/* The TCP checksum holds, or the kernel vouched for it */
static bool tcp_csum_ok(const struct masq_buf *b, const struct seg *s)
{
	const struct masq_meta *m = &b->meta;
	uint32_t tcplen = b->len - L4_OFF, saddr, daddr, sum;

	if (m->flags & MASQ_META_NEEDS_CSUM)	/* a local sender's: a sum to do */
		return m->csum_start == L4_OFF &&
		       m->csum_offset == TCP_CSUM_OFF;
	if (m->flags & MASQ_META_DATA_VALID)
		return true;
	memcpy(&saddr, s->ip + 12, 4);
	memcpy(&daddr, s->ip + 16, 4);
	sum = csum_pseudo_ipv4(saddr, daddr, IPPROTO_TCP, (uint16_t)tcplen);
	return csum_fold(csum_partial(s->th, tcplen, sum)) == 0xffff;
}

/*
 * A frame that may join or start a chain, read into @s; false for
 * anything else (passed on untouched). Checks everything that concerns
 * the frame alone, the checksums last (the dear part).
 */
static bool seg_parse(struct masq_buf *b, struct gro_stats *st, struct seg *s)
{
	uint8_t *ip = b->data + ETH_LEN;
	uint32_t doff;

	if (!is_ipv4(b) || b->meta.gso_type != MASQ_GSO_NONE ||
	    ip[0] != 0x45 || ip[9] != IPPROTO_TCP ||
	    rd16(ip + 2) != b->len - ETH_LEN ||	/* Ethernet padding too */
	    (rd16(ip + 6) & IP_MF_OFF) || b->len < L4_OFF + 20)
		return false;
	s->ip = ip;
	s->th = ip + IP_LEN;
	doff = (uint32_t)(s->th[12] >> 4) * 4;
	if (doff < 20 || L4_OFF + doff >= b->len)	/* no payload */
		return false;
	s->thlen = doff;
	s->plen = b->len - L4_OFF - doff;
	s->flags = s->th[13];
	if ((s->flags & (TH_ACK | TH_SYN | TH_FIN | TH_RST | TH_URG)) != TH_ACK)
		return false;
	if (csum_fold(csum_partial(ip, IP_LEN, 0)) != 0xffff)
		return false;
	if (!tcp_csum_ok(b, s)) {
		st->csum_bad++;
		return false;
	}
	if (!(b->meta.flags & MASQ_META_NEEDS_CSUM))
		b->meta.flags |= MASQ_META_DATA_VALID;	/* summed: once */
	s->seq = rd32(s->th + 4);
	s->id = rd16(ip + 4);
	return true;
}

/* Same direction of the same address pair (ports unread: any TCP frame) */
static bool same_addrs(const struct masq_buf *a, const struct masq_buf *b)
{
	return !memcmp(a->data + ETH_LEN + 12, b->data + ETH_LEN + 12, 8);
}

static bool same_flow(const struct masq_buf *a, const struct masq_buf *b)
{
	return same_addrs(a, b) &&
	       !memcmp(a->data + L4_OFF, b->data + L4_OFF, 4);
}

/* The IP ID follows the chain's pattern (settled by its second segment) */
static bool id_fits(const struct chain *c, const struct seg *s,
		    uint16_t head_id, bool df)
{
	switch (c->id_mode) {
	case ID_UNKNOWN:
		return s->id == c->next_id || (df && s->id == head_id);
	case ID_COUNTING:
		return s->id == c->next_id;
	default:
		return s->id == head_id;
	}
}

/* Everything tcp_gro_receive() and inet_gro_receive() compare */
static bool seg_fits(const struct chain *c, const struct masq_buf *b,
		     const struct seg *s)
{
	const struct masq_buf *h = c->head;
	const uint8_t *hip = h->data + ETH_LEN, *hth = hip + IP_LEN;
	uint32_t room = h->cap - (uint32_t)(h->data - h->base);
	uint8_t mask = (uint8_t)~(TH_PSH | TH_CWR);	/* CWR: first only */

	if (memcmp(h->data, b->data, 12) || hip[1] != s->ip[1] ||
	    hip[8] != s->ip[8] || rd16(hip + 6) != rd16(s->ip + 6) ||
	    !id_fits(c, s, rd16(hip + 4), rd16(hip + 6) & IP_DF))
		return false;
	if (s->seq != c->next_seq || memcmp(hth + 8, s->th + 8, 4) ||
	    hth[12] != s->th[12] || (s->flags & TH_CWR) ||
	    (hth[13] & mask) != (s->flags & mask) ||
	    memcmp(hth + 14, s->th + 14, 2) ||
	    memcmp(hth + 20, s->th + 20, s->thlen - 20))
		return false;
	return s->plen <= c->mss && h->len + s->plen <= room &&
	       h->len - ETH_LEN + s->plen <= IP_MAX;
}

/* Rewrite a chain of two segments or more as one GSO frame */
static void chain_finish(struct chain *c, struct gro_stats *st)
{
	struct masq_buf *h = c->head;
	uint8_t *ip = h->data + ETH_LEN, *th = ip + IP_LEN;
	uint32_t saddr, daddr;
	uint16_t sum;

	if (c->segs < 2)
		return;
	wr16(ip + 2, (uint16_t)(h->len - ETH_LEN));
	memset(ip + 10, 0, 2);
	sum = (uint16_t)~csum_fold(csum_partial(ip, IP_LEN, 0));
	memcpy(ip + 10, &sum, 2);		/* summed in wire order */
	memcpy(&saddr, ip + 12, 4);
	memcpy(&daddr, ip + 16, 4);
	sum = csum_fold(csum_pseudo_ipv4(saddr, daddr, IPPROTO_TCP,
					 (uint16_t)(h->len - L4_OFF)));
	memcpy(th + TCP_CSUM_OFF, &sum, 2);	/* the pseudo-header sum only */
	h->meta.flags = MASQ_META_NEEDS_CSUM;
	h->meta.gso_type = MASQ_GSO_TCPV4 | (th[13] & TH_CWR ? MASQ_GSO_ECN : 0);
	h->meta.gso_size = c->mss;
	h->meta.csum_start = L4_OFF;
	h->meta.csum_offset = TCP_CSUM_OFF;
	h->meta.hdr_len = (uint16_t)(L4_OFF + (th[12] >> 4) * 4);
	st->segments += c->segs;
	st->super_frames++;
}

static void chain_close(struct gro *g, struct chain *c)
{
	chain_finish(c, g->st);
	c->head = NULL;
}

/* Append @s's payload to @c; closes @c when it is the last */
static void chain_append(struct gro *g, struct chain *c, struct masq_buf *b,
			 const struct seg *s)
{
	struct masq_buf *h = c->head;
	uint32_t room = h->cap - (uint32_t)(h->data - h->base);

	memcpy(h->data + h->len, s->th + s->thlen, s->plen);
	h->len += s->plen;
	if (c->id_mode == ID_UNKNOWN)
		c->id_mode = s->id == c->next_id ? ID_COUNTING : ID_FIXED;
	c->next_seq += s->plen;
	c->next_id++;
	c->segs++;
	if (s->flags & TH_PSH)
		h->data[L4_OFF + 13] |= TH_PSH;
	masq_pool_put(g->pool, b);
	if (s->plen < c->mss || (s->flags & TH_PSH) ||
	    h->len + c->mss > room || h->len - ETH_LEN + c->mss > IP_MAX)
		chain_close(g, c);
}

static struct chain *chain_open(struct gro *g, struct masq_buf *b,
				const struct seg *s)
{
	struct chain *c = NULL;

	if (s->flags & TH_PSH)		/* the last already */
		return NULL;
	for (int i = 0; i < GRO_OPEN_MAX && !c; i++)
		if (!g->ch[i].head)
			c = &g->ch[i];
	if (!c) {			/* all open: one gives way, in turn */
		c = &g->ch[g->victim];
		g->victim = (g->victim + 1) % GRO_OPEN_MAX;
		chain_close(g, c);
	}
	*c = (struct chain){
		.head = b, .next_seq = s->seq + s->plen, .mss = (uint16_t)s->plen,
		.next_id = (uint16_t)(s->id + 1), .segs = 1,
	};
	return c;
}

/*
 * Whether @b may belong to @c's connection without joining it: a TCP
 * frame of the same ports (or unreadable ones) or a fragment, of the
 * same addresses. Such a frame ends the chain so as not to be overtaken.
 */
static bool may_overtake(const struct chain *c, const struct masq_buf *b)
{
	const uint8_t *ip = b->data + ETH_LEN;
	bool frag = rd16(ip + 6) & IP_MF_OFF;

	if (!same_addrs(c->head, b) || (ip[9] != IPPROTO_TCP && !frag))
		return false;
	if (frag || ip[0] != 0x45 || b->len < L4_OFF + 4)
		return true;
	return same_flow(c->head, b);
}

/*
 * One frame: joins its connection's chain (true: its buffer is gone),
 * or ends the chain it would overtake and perhaps starts one.
 */
static bool gro_frame(struct gro *g, struct masq_buf *b)
{
	struct seg s = { 0 };
	bool cand = seg_parse(b, g->st, &s);

	if (!is_ipv4(b))
		return false;
	for (int i = 0; i < GRO_OPEN_MAX; i++) {
		struct chain *c = &g->ch[i];

		if (!c->head || !may_overtake(c, b))
			continue;
		if (cand && seg_fits(c, b, &s)) {
			chain_append(g, c, b, &s);
			return true;
		}
		chain_close(g, c);
	}
	if (cand)
		chain_open(g, b, &s);
	return false;
}

/**
 * gro_burst() - Coalesce a receive burst's TCP segments into super-frames
 * @bufs:	the burst, in arrival order; rewritten in place
 * @n:		frames in @bufs
 * @pool:	where the buffers of merged segments go back
 * @st:		counters, added to
 *
 * Every buffer needs room for 64 KiB of frame to make full super-frames
 * (a smaller one makes smaller ones). Nothing is held after the call.
 * Return: frames now in @bufs (at most @n): the super-frames where their
 * first segments were, every other frame in its order
 */
uint32_t gro_burst(struct masq_buf **bufs, uint32_t n, struct masq_pool *pool,
		   struct gro_stats *st)
{
	struct gro g = { .pool = pool, .st = st };
	uint32_t w = 0;

	for (uint32_t i = 0; i < n; i++) {
		struct masq_buf *b = bufs[i];

		if (!gro_frame(&g, b))
			bufs[w++] = b;
	}
	for (int i = 0; i < GRO_OPEN_MAX; i++)
		if (g.ch[i].head)
			chain_close(&g, &g.ch[i]);
	return w;
}
