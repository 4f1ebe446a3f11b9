/* SPDX-License-Identifier: MIT */
/*
 * tcp.h - the established-connection case of TCP tracking, inline
 *
 * Almost every TCP packet is a plain segment (no SYN, FIN or RST) of an
 * established connection. Its check is here so that tcp_track() and the
 * short path of conn.c (conn_forward_est()) share one copy of it, and
 * the short path pays no call for it. The windows themselves are
 * explained at the top of tcp.c.
 */
#ifndef MASQ_TCP_H
#define MASQ_TCP_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>

#include "ct.h"
#include "pkt.h"

#define TCP_MAX_ACK_WINDOW	66000

static inline bool seq_before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline bool seq_after(uint32_t a, uint32_t b)
{
	return seq_before(b, a);
}

static inline uint32_t tcp_payload_len(const struct pkt *p)
{
	return p->l4_len - tcp_hlen((const struct tcp_hdr *)p->l4);
}

/*
 * Is this the common case: a segment with @flags (no SYN, FIN or RST) of
 * a connection established with both sides seen? Then only
 * tcp_est_in_window() stands between it and the wire.
 */
static inline bool tcp_is_plain_est(const struct ct_entry *ce, uint8_t flags)
{
	return ce->state == TCPS_ESTABLISHED &&
	       !(flags & (TCP_SYN | TCP_FIN | TCP_RST)) &&
	       (ce->tcp[0].wsf & ce->tcp[1].wsf & CT_TCP_SEEN);
}

/*
 * tcp_est_in_window() - tcp_in_window() for an established connection's
 * plain segment (ACK set; no SYN, FIN or RST): the same four checks and
 * updates without the cases that cannot arise, for the fast path.
 */
static inline bool tcp_est_in_window(struct ct_entry *ce, enum ct_dir dir,
				     const struct pkt *p)
{
	const struct tcp_hdr *th = (const struct tcp_hdr *)p->l4;
	struct ct_tcp_dir *s = &ce->tcp[dir], *r = &ce->tcp[!dir];
	uint32_t seq = ntohl(th->seq), ack = ntohl(th->ack);
	uint32_t end = seq + tcp_payload_len(p);
	uint32_t win = (uint32_t)ntohs(th->win) << (s->wsf & CT_TCP_SCALE);
	uint32_t maxack = s->maxwin > TCP_MAX_ACK_WINDOW ? s->maxwin :
						       TCP_MAX_ACK_WINDOW;

	if (!(th->flags & TCP_ACK))
		return false;		/* refused at parse; defensive */
	if (seq_after(seq, s->maxend) ||
	    !seq_after(end, s->end - r->maxwin - 1) ||
	    seq_after(ack, r->end) || !seq_after(ack, r->end - maxack - 1))
		return false;
	if (s->maxwin < win)
		s->maxwin = win;
	if (seq_after(end, s->end)) {
		if (r->maxwin && seq_after(end, s->maxend))
			r->maxwin += end - s->maxend;
		s->end = end;
	}
	if (seq_after(ack + win, r->maxend - 1))
		r->maxend = ack + (win ? win : 1);
	return true;
}

#endif
