// SPDX-License-Identifier: MIT
/*
 * fragout.c - IPv4 fragments on the way out: refragmentation
 *
 * Theory of operation: frag_needed() sends three kinds of datagram here:
 * bigger than the way out's MTU (no GSO metadata), and every reassembled
 * one (frag.c), which must not reach the tx vector in a buffer of
 * frag.c. They are cut into fragments of at most the MTU and, for a
 * reassembled datagram, of at most the largest fragment it arrived in
 * (frag_largest(), as Linux's frag_max_size: the sender's path MTU is
 * respected); each fragment is a fresh buffer of the caller's pool. A
 * reassembled datagram that fits in one goes out whole, copied into a
 * pool buffer. IP options: only those with the copied flag go into
 * non-first fragments, the others are overwritten with NOPs so every
 * fragment has the same header length (as Linux's ip_options_fragment();
 * RFC 791 allows either).
 *
 * With --workers N a datagram reassembled by a worker that does not own
 * it is cut again the same way and given back for its owner
 * (frag_hand_on(), at the end of this file).
 *
 * Limits: the fragments come from the caller's pool; when it cannot hold
 * them all, the datagram is dropped whole (drop_pool_empty), never sent
 * in part. With DF set it is not fragmented (conn.c has answered with
 * ICMP fragmentation needed; drop_mtu).
 */
#include <arpa/inet.h>
#include <string.h>

#include "csum.h"
#include "eng.h"
#include "frag.h"

#define IPOPT_EOL	0
#define IPOPT_NOP	1
#define IPOPT_COPIED	0x80

uint32_t frag_wire_len(const struct masq_engine *e, const struct pkt *p)
{
	const struct masq_meta *m = &p->buf->meta;
	uint32_t hl = ip_hlen(p->ip), seg;

	switch (m->gso_type & ~MASQ_GSO_ECN) {
	case MASQ_GSO_NONE:
		if (frag_owns(e, p->buf))
			return frag_largest(e, p->buf);
		return p->ip_len;
	case MASQ_GSO_TCPV4:
		seg = hl + m->gso_size;
		if (p->proto == IPPROTO_TCP_ && !p->frag)
			seg += tcp_hlen((const struct tcp_hdr *)p->l4);
		break;
	case MASQ_GSO_UDP_L4:
		seg = hl + sizeof(struct udp_hdr) + m->gso_size;
		break;
	default:			/* UFO: gso_size is a fragment's data */
		seg = hl + m->gso_size;
		break;
	}
	return seg < p->ip_len ? seg : p->ip_len;
}

/**
 * frag_needed() - Must this datagram go through frag_output()?
 * @e:		engine
 * @p:		translated packet
 * @out_iface:	the way out
 *
 * Return: true when it is bigger than the MTU (and no GSO frame), or a
 * reassembled datagram (in a buffer of this file)
 */
bool frag_needed(const struct masq_engine *e, const struct pkt *p,
		 int out_iface)
{
	return p->buf->meta.gso_type == MASQ_GSO_NONE &&
	       (p->ip_len > e->net.ifs[out_iface & (int)MASQ_IFACE_MASK].mtu ||
		frag_owns(e, p->buf));
}

/*
 * Finish a NEEDS_CSUM checksum as the transmitter would have: its
 * fragments will carry no metadata.
 */
static void csum_finish(struct masq_buf *b, uint8_t proto)
{
	const struct masq_meta *m = &b->meta;
	uint32_t at = (uint32_t)m->csum_start + m->csum_offset;
	uint16_t c;

	if (!(m->flags & MASQ_META_NEEDS_CSUM) || m->csum_start >= b->len ||
	    at + 2 > b->len)
		return;
	c = csum_buf(b->data + m->csum_start, b->len - m->csum_start);
	if (proto == IPPROTO_UDP_ && !c)
		c = 0xffff;
	memcpy(b->data + at, &c, 2);
}

/* Options without the copied flag become NOPs (after the first fragment) */
static void ip_opts_fragment(struct ip4_hdr *ip)
{
	uint8_t *o = (uint8_t *)(ip + 1);
	unsigned n = ip_hlen(ip) - sizeof(*ip), i = 0;

	while (i < n && o[i] != IPOPT_EOL) {
		unsigned len;

		if (o[i] == IPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= n || o[i + 1] < 2 || i + o[i + 1] > n) {
			memset(o + i, IPOPT_NOP, n - i);	/* malformed */
			return;
		}
		len = o[i + 1];
		if (!(o[i] & IPOPT_COPIED))
			memset(o + i, IPOPT_NOP, len);
		i += len;
	}
}

/*
 * Send one datagram out: to the neighbour, or into the twin when
 * @out_iface carries MASQ_IFACE_TWIN (delivered to the router host)
 */
static void frag_emit(struct masq_engine *e, struct masq_buf *n,
		      int out_iface, uint32_t nexthop)
{
	if (out_iface & (int)MASQ_IFACE_TWIN)
		host_transmit(e, n, out_iface & (int)MASQ_IFACE_MASK);
	else
		arp_output(e, n, out_iface, nexthop);
}

/* Send @b (a copy of it: the original is freed) as one datagram */
static void frag_send_copy(struct masq_engine *e, struct masq_buf *b,
			   struct masq_buf *n, int out_iface, uint32_t nexthop)
{
	memcpy(n->data, b->data, b->len);
	n->len = b->len;
	n->meta = b->meta;
	eng_buf_free(e, b);
	frag_emit(e, n, out_iface, nexthop);
}

/*
 * Cut @p into fragments of at most @mtu bytes; @n is the first one's
 * buffer, the others come from the pool (checked to be there).
 */
static void frag_split(struct masq_engine *e, struct pkt *p,
		       struct masq_buf *n, uint32_t mtu, int out_iface,
		       uint32_t nexthop)
{
	struct masq_buf *b = p->buf;
	struct ip4_hdr *ip = p->ip;
	unsigned hl = ip_hlen(ip);
	uint32_t data = p->ip_len - hl, chunk = (mtu - hl) & ~7u;
	uint16_t fo = ntohs(ip->frag_off);
	uint32_t base = (fo & IP_OFFMASK) * 8u;

	csum_finish(b, p->proto);
	for (uint32_t pos = 0; pos < data; pos += chunk) {
		uint32_t len = data - pos < chunk ? data - pos : chunk;
		struct ip4_hdr *nip;
		bool more = pos + len < data || (fo & IP_MF);

		if (!n)
			n = masq_pool_get(e->pool);	/* counted before */
		memcpy(n->data, b->data, ETH_HLEN + hl);
		memcpy(n->data + ETH_HLEN + hl, (uint8_t *)ip + hl + pos, len);
		nip = (struct ip4_hdr *)(n->data + ETH_HLEN);
		nip->tot_len = htons((uint16_t)(hl + len));
		nip->frag_off = htons((uint16_t)((fo & IP_DF) | (more ? IP_MF : 0) |
						 ((base + pos) / 8)));
		nip->check = 0;
		nip->check = csum_buf(nip, hl);
		n->len = ETH_HLEN + hl + len;
		memset(&n->meta, 0, sizeof(n->meta));
		if (!pos)
			ip_opts_fragment(ip);	/* for the fragments after */
		count(e, C_frag_created);
		frag_emit(e, n, out_iface, nexthop);
		n = NULL;
	}
	eng_buf_free(e, b);
}

/**
 * frag_output() - Send a datagram frag_needed() chose: cut into fragments,
 * or (a reassembled one that fits) copied whole into a pool buffer
 * @e:		engine
 * @p:		translated packet, TTL decremented; consumed
 * @out_iface:	the way out
 * @nexthop:	next hop for arp_output()
 *
 * Fragments come from the caller's pool; when it cannot hold them all,
 * the datagram is dropped whole (drop_pool_empty).
 */
void frag_output(struct masq_engine *e, struct pkt *p, int out_iface,
		 uint32_t nexthop)
{
	struct masq_buf *b = p->buf, *n;
	uint32_t mtu = e->net.ifs[out_iface & (int)MASQ_IFACE_MASK].mtu;
	uint32_t room, need, chunk;
	unsigned hl = ip_hlen(p->ip);

	if (frag_owns(e, b) && frag_largest(e, b) < mtu)
		mtu = frag_largest(e, b);
	else if (!frag_owns(e, b) && (ntohs(p->ip->frag_off) & IP_DF)) {
		eng_drop(e, b, C_drop_mtu);	/* conn.c answered already */
		return;
	}
	n = eng_buf_new(e);
	if (!n) {
		eng_buf_free(e, b);		/* counted: drop_pool_empty */
		return;
	}
	room = n->cap - (uint32_t)(n->data - n->base) - ETH_HLEN;
	if (room < mtu)
		mtu = room;
	if (p->ip_len <= mtu) {
		frag_send_copy(e, b, n, out_iface, nexthop);
		return;
	}
	chunk = mtu >= hl + 8 ? (mtu - hl) & ~7u : 0;
	need = chunk ? (p->ip_len - hl + chunk - 1) / chunk : 0;
	if (!chunk || masq_pool_avail(e->pool) < need - 1) {
		masq_pool_put(e->pool, n);
		eng_drop(e, b, chunk ? C_drop_pool_empty : C_drop_mtu);
		return;
	}
	frag_split(e, p, n, mtu, out_iface, nexthop);
}

/* ---- --workers N: a reassembled datagram for its owner ------------------ */

/* The worker that owns reassembled datagram @b, or this one */
static uint32_t frag_owner(const struct masq_engine *e,
			   const struct masq_buf *b)
{
	uint32_t o;

	if (!e->steer || e->worker_n <= 1)
		return e->worker_k;
	o = masq_steer(e->steer, b);
	return o < e->worker_n ? o : e->worker_k;
}

/* Fragment @pos..@pos+@len of @b's datagram, in a fresh pool buffer */
static struct masq_buf *frag_piece(struct masq_engine *e,
				   const struct masq_buf *b, uint32_t pos,
				   uint32_t len, bool more)
{
	const struct ip4_hdr *ip = (const struct ip4_hdr *)(b->data + ETH_HLEN);
	unsigned hl = ip_hlen(ip);
	struct masq_buf *n = masq_pool_get(e->pool);
	struct ip4_hdr *nip;

	if (!n)
		return NULL;
	memcpy(n->data, b->data, ETH_HLEN + hl);
	memcpy(n->data + ETH_HLEN + hl, (const uint8_t *)ip + hl + pos, len);
	nip = (struct ip4_hdr *)(n->data + ETH_HLEN);
	nip->tot_len = htons((uint16_t)(hl + len));
	nip->frag_off = htons((uint16_t)((ntohs(ip->frag_off) & IP_DF) |
					 (more ? IP_MF : 0) | pos / 8));
	nip->check = 0;
	nip->check = csum_buf(nip, hl);
	n->len = ETH_HLEN + hl + len;
	memset(&n->meta, 0, sizeof(n->meta));
	return n;
}

/* Put @n on the tx vector for worker @owner; false when it is full */
static bool frag_give(struct masq_engine *e, struct masq_buf *n,
		      uint32_t arrival, uint32_t owner)
{
	struct masq_txq *tx = e->tx;

	n->iface = (arrival & MASQ_IFACE_ARRIVAL) | MASQ_IFACE_HANDOFF |
		   owner << 16;
	if (!tx || tx->n >= tx->cap) {
		eng_drop(e, n, C_drop_tx_full);
		return false;
	}
	tx->bufs[tx->n++] = n;
	return true;
}

/**
 * frag_hand_on() - Give a reassembled datagram to the worker that owns it
 * @e:		engine, worker k of n with the steering picture
 *		(masq_engine_set_steer())
 * @b:		the datagram, whole (frag.c's delivery buffer)
 * @max_frag:	the largest fragment it arrived in (IP bytes)
 *
 * Its fragments were steered by hash(src, dst, id) (steer.c: only the
 * first carries the ports), so this worker may not own its connection;
 * masq_steer() on the whole datagram names the owner. Another's is cut
 * again into fragments no larger than those it came in (the buffers
 * hold them; 64 KiB would not fit) and given back on the tx vector
 * marked MASQ_IFACE_HANDOFF for the caller to put into the owner's
 * engine, which reassembles it once more and finds itself the owner.
 * When the pool cannot hold every fragment the datagram is dropped
 * (drop_pool_empty); a full tx vector drops the fragments that do not
 * fit (drop_tx_full) and the owner's reassembly times out.
 * Cost: one steering and one copy of the datagram, for fragmented
 * datagrams only; the road not taken, a buffer big enough for any
 * datagram on every hand-off ring, would make every ring slot 64 KiB.
 * Return: true when @b was taken (handed on or dropped), false when it
 * is this worker's
 */
bool frag_hand_on(struct masq_engine *e, struct masq_buf *b,
		  uint32_t max_frag)
{
	const struct ip4_hdr *ip = (const struct ip4_hdr *)(b->data + ETH_HLEN);
	uint32_t owner = frag_owner(e, b), hl = ip_hlen(ip);
	uint32_t data = ntohs(ip->tot_len) - hl, chunk, need;

	if (owner == e->worker_k)
		return false;
	chunk = max_frag > hl + 8 ? (max_frag - hl) & ~7u : 8;
	need = (data + chunk - 1) / chunk;
	if (masq_pool_avail(e->pool) < need) {
		eng_drop(e, b, C_drop_pool_empty);
		return true;
	}
	for (uint32_t pos = 0; pos < data; pos += chunk) {
		uint32_t len = data - pos < chunk ? data - pos : chunk;
		struct masq_buf *n = frag_piece(e, b, pos, len,
						pos + len < data);

		if (!n || !frag_give(e, n, b->iface, owner))
			break;
	}
	count(e, C_frag_handed_on);
	eng_buf_free(e, b);
	return true;
}
