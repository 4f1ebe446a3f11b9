// SPDX-License-Identifier: MIT
/*
 * seqadj.c - payload rewrites and the sequence numbers that follow them
 *
 * When a helper rewrites a TCP segment's payload to another length, the
 * two ends no longer agree on sequence numbers: the receiver counts the
 * bytes it got, the sender the bytes it sent. So every later segment of
 * that direction has its sequence number moved by the difference (and
 * every acknowledgement coming back, SACK blocks included, moved back),
 * as the 2.0 kernel's ip_masq_seq did: per direction, the point where
 * the last change began (init_seq, in the sender's numbering), the total
 * change after it (delta) and before it (pdelta). A segment at or before
 * the point (a retransmission of older data) takes pdelta; more than two
 * generations back is not kept, as in the kernels, since TCP does not
 * resend what was acknowledged.
 *
 * Checksums: a frame whose L4 checksum is the NIC's to finish
 * (NEEDS_CSUM) holds only the pseudo-header sum, which a length change
 * moves and a header field does not; any other frame's checksum is
 * updated field by field, or computed again after a payload rewrite.
 */
#include <arpa/inet.h>
#include <string.h>

#include "alg.h"
#include "csum.h"
#include "eng.h"

static bool seq_after(uint32_t a, uint32_t b)
{
	return (int32_t)(b - a) < 0;
}

/* Replace the 32-bit field at @at of the TCP segment with @v (host order) */
static void tcp_set32(struct pkt *p, uint8_t *at, uint32_t v)
{
	struct tcp_hdr *th = (struct tcp_hdr *)p->l4;
	uint32_t old, new = htonl(v);

	memcpy(&old, at, 4);
	memcpy(at, &new, 4);
	if (!p->csum_partial)
		th->check = csum_replace32(th->check, old, new);
}

/*
 * A number @v in the numbering of the end whose adjustment is @s, back.
 * The test takes @v back by pdelta, the shift of everything up to the
 * rewritten segment's start, as nf_conntrack_seqadj does: by delta, an
 * acknowledgement of all before a segment that a rewrite shortened
 * (init_seq + pdelta on the wire) passed init_seq and came back one
 * byte or more into that segment, which the receiver does not have.
 */
static uint32_t unadjust(const struct alg_seq *s, uint32_t v)
{
	return seq_after(v - (uint32_t)s->pdelta, s->init_seq) ?
	       v - (uint32_t)s->delta : v - (uint32_t)s->pdelta;
}

/* The SACK blocks of @p's options, brought back as its acknowledgement */
static void sack_in(struct pkt *p, const struct alg_seq *s)
{
	struct tcp_hdr *th = (struct tcp_hdr *)p->l4;
	uint32_t hl = (uint32_t)(th->doff >> 4) * 4, i = 20;
	uint8_t *o = p->l4;

	while (i < hl) {
		uint8_t kind = o[i], len = i + 1 < hl ? o[i + 1] : 0;

		if (kind == 0)
			break;
		if (kind == 1) {
			i++;
			continue;
		}
		if (len < 2 || i + len > hl)
			break;			/* malformed: left as it is */
		if (kind == 5 && (len - 2) % 8 == 0)
			for (uint32_t b = i + 2; b < i + len; b += 4) {
				uint32_t v;

				memcpy(&v, o + b, 4);
				tcp_set32(p, o + b, unadjust(s, ntohl(v)));
			}
		i += len;
	}
}

/**
 * seqadj_ack_in() - A packet going way @dir: its acknowledgement (and SACK
 * blocks) back in the numbering of the end it acknowledges
 * @p:		TCP packet
 * @ac:		its connection's record
 * @dir:	the way it goes
 */
void seqadj_ack_in(struct pkt *p, const struct alg_conn *ac, enum ct_dir dir)
{
	struct tcp_hdr *th = (struct tcp_hdr *)p->l4;
	const struct alg_seq *s = &ac->seq[!dir];

	if (!(ac->adjusted & (1u << !dir)) || !(th->flags & TCP_ACK))
		return;
	tcp_set32(p, p->l4 + 8, unadjust(s, ntohl(th->ack)));
	if ((th->doff >> 4) > 5)
		sack_in(p, s);
}

/**
 * seqadj_seq_out() - A packet going way @dir: its sequence number moved by
 * what rewrites of that direction added
 * @p:		TCP packet, its payload as it leaves
 * @ac:		its connection's record
 * @dir:	the way it goes
 */
void seqadj_seq_out(struct pkt *p, const struct alg_conn *ac,
		    enum ct_dir dir)
{
	struct tcp_hdr *th = (struct tcp_hdr *)p->l4;
	const struct alg_seq *s = &ac->seq[dir];
	uint32_t seq = ntohl(th->seq);

	if (!(ac->adjusted & (1u << dir)))
		return;
	tcp_set32(p, p->l4 + 4, seq + (uint32_t)(seq_after(seq, s->init_seq) ?
						  s->delta : s->pdelta));
}

/* The L4 checksum of @p computed again (or its pseudo-header sum) */
static void l4_check(struct pkt *p)
{
	uint8_t *at = p->l4 + (p->proto == IPPROTO_TCP_ ? 16 : 6);
	uint32_t sum = csum_pseudo_ipv4(p->ip->saddr, p->ip->daddr, p->proto,
					(uint16_t)p->l4_len);
	uint16_t check;

	memcpy(&check, at, 2);
	if (p->proto == IPPROTO_UDP_ && !check && !p->csum_partial)
		return;				/* no UDP checksum: none */
	if (p->csum_partial) {
		check = csum_fold(sum);
	} else {
		memset(at, 0, 2);
		check = (uint16_t)~csum_fold(csum_partial(p->l4, p->l4_len, sum));
		if (p->proto == IPPROTO_UDP_ && !check)
			check = 0xffff;
	}
	memcpy(at, &check, 2);
}

/* Record a TCP rewrite that changed the length by @d in @m's direction */
static void seq_record(struct alg_msg *m, int32_t d)
{
	struct alg_conn *ac = m->ac;
	struct alg_seq *s = &ac->seq[m->dir];
	uint32_t seq = ntohl(((const struct tcp_hdr *)m->p->l4)->seq);
	bool had = ac->adjusted & (1u << m->dir);

	ac->adjusted |= (uint8_t)(4u << m->dir);
	ac->rw_seq[m->dir] = seq;
	if (m->retrans || !d)
		return;			/* counted when it was first sent */
	if (had && s->init_seq == seq) {
		s->delta += d;		/* another rewrite in the same segment */
		return;
	}
	s->pdelta = had ? s->delta : 0;
	s->delta = s->pdelta + d;
	s->init_seq = seq;
	ac->adjusted |= (uint8_t)(1u << m->dir);
}

/**
 * alg_mangle() - Replace @len bytes at @off of @m's payload with @rlen
 * bytes of @repl
 * @m:		the message (its payload and length follow the change)
 * @off:	where, from the payload's start
 * @len:	bytes replaced
 * @repl:	the new bytes
 * @rlen:	how many
 *
 * The frame grows or shrinks in place; the IP and L4 lengths and
 * checksums follow; a TCP length change is recorded for the direction's
 * later sequence numbers. Refused, changing nothing, when the frame's
 * buffer has no room or the datagram would pass 1,500 bytes (a message
 * of the helpers' protocols is far shorter).
 * Return: 0, or -1
 */
int alg_mangle(struct alg_msg *m, uint32_t off, uint32_t len,
	       const char *repl, uint32_t rlen)
{
	struct pkt *p = m->p;
	struct masq_buf *b = p->buf;
	int32_t d = (int32_t)rlen - (int32_t)len;
	uint8_t *end = b->data + b->len;

	if (off > m->len || len > m->len - off ||
	    (int32_t)p->ip_len + d > 1500 ||
	    (d > 0 && end + d > b->base + b->cap))
		return -1;
	memmove(m->data + off + rlen, m->data + off + len,
		(size_t)(end - (m->data + off + len)));
	memcpy(m->data + off, repl, rlen);
	b->len = (uint32_t)((int32_t)b->len + d);
	m->len = (uint32_t)((int32_t)m->len + d);
	p->ip_len = (uint16_t)(p->ip_len + d);
	p->l4_len = (uint32_t)((int32_t)p->l4_len + d);
	p->ip->tot_len = htons(p->ip_len);
	p->ip->check = 0;
	p->ip->check = (uint16_t)~csum_ip_header(p->ip, (p->ip->ver_ihl & 15) * 4u);
	if (p->proto == IPPROTO_UDP_)
		((struct udp_hdr *)p->l4)->len = htons((uint16_t)p->l4_len);
	l4_check(p);
	if (p->proto == IPPROTO_TCP_)
		seq_record(m, d);
	return 0;
}
