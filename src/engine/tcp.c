// SPDX-License-Identifier: MIT
/*
 * tcp.c - TCP connection tracking: the state machine and sequence windows
 *
 * Theory of operation: each side's sequence space is tracked as Guido van
 * Rooij described ("Real Stateful TCP Packet Filtering in IP Filter")
 * and as pf and Linux do it: for each side, the highest sequence it sent
 * (end), the highest the other side allowed it (maxend: ack + window) and
 * the largest window it offered (maxwin). A segment is in the window when
 *
 *	seq <= sender.maxend			(not beyond what was allowed)
 *	end >= sender.end - receiver.maxwin	(not older than a window)
 *	ack <= receiver.end			(acks nothing unsent)
 *	ack >= receiver.end - max(sender.maxwin, 66000)
 *
 * (all modulo 2^32). Windows are scaled once both SYNs offered scaling
 * (RFC 7323). What fails is INVALID: counted and dropped, never able to
 * change the connection. RSTs (RFC 5961's reasoning, as a middlebox):
 * one with exactly the expected sequence ends the connection; one that
 * is merely in the window only shortens its timeout to the close timeout
 * (the endpoint decides, and its next packet restores the timeout); one
 * outside the window is dropped, as are FINs outside it, so a blind
 * attacker cannot end other people's connections.
 *
 * States follow RFC 793 closely enough to choose a timeout class. A SYN
 * crossing a SYN is a simultaneous open (RFC 5382 REQ-2). Bad flag
 * combinations are refused at parse time (pkt_tcp_flags_valid()).
 *
 * Mid-stream pickup (a connection already open when masqd started): off
 * by default, so a non-SYN packet with no connection is INVALID, as the
 * filter will see it. With "set tcp-pickup on" (Linux's tcp_loose), an
 * ACK from inside opens a connection whose windows are learned from the
 * first packets each way; with the internal port kept, the connection
 * survives a restart of the router.
 */
#include <arpa/inet.h>
#include <string.h>

#include "eng.h"
#include "tcp.h"

/* The direction the connection's first packet went */
static enum ct_dir tcp_opener(const struct ct_entry *ce)
{
	return ce->xflags & CT_X_INBOUND ? CT_REPLY : CT_ORIG;
}

/* The window scale option of a SYN, or -1 (RFC 7323 2.2; at most 14) */
static int tcp_opt_wscale(const struct tcp_hdr *th)
{
	const uint8_t *o = (const uint8_t *)(th + 1);
	const uint8_t *end = (const uint8_t *)th + tcp_hlen(th);

	while (o < end) {
		if (*o == 0)
			break;
		if (*o == 1) {
			o++;
			continue;
		}
		if (end - o < 2 || o[1] < 2 || o[1] > end - o)
			break;
		if (*o == 3 && o[1] == 3)
			return o[2] > 14 ? 14 : o[2];
		o += o[1];
	}
	return -1;
}

/* First packet of a side: what it says about itself */
static void tcp_side_init(struct ct_tcp_dir *s, struct ct_tcp_dir *r,
			  const struct tcp_hdr *th, uint32_t end, uint32_t win,
			  uint32_t ack)
{
	s->end = end;
	s->wsf = CT_TCP_SEEN;
	if (th->flags & TCP_SYN) {
		int ws = tcp_opt_wscale(th);

		s->maxend = end;
		s->maxwin = win ? win : 1;
		if (ws >= 0)
			s->wsf |= CT_TCP_WS | (uint8_t)ws;
		if (!(s->wsf & r->wsf & CT_TCP_WS) && (r->wsf & CT_TCP_SEEN)) {
			/* both SYNs seen, not both scaling: neither scales */
			s->wsf &= (uint8_t)~CT_TCP_SCALE;
			r->wsf &= (uint8_t)~CT_TCP_SCALE;
		}
		return;
	}
	/* picked up mid-stream: take the packet's word for it */
	s->maxwin = win ? win : 1;
	s->maxend = end + s->maxwin;
	if (!(r->wsf & CT_TCP_SEEN))
		r->end = r->maxend = ack;
}

/**
 * tcp_in_window() - Check a segment against both sides' windows, learn
 * @ce:		connection
 * @dir:	the way the segment goes
 * @p:		the segment
 *
 * Return: true when the segment is in the window (state updated)
 */
static bool tcp_in_window(struct ct_entry *ce, enum ct_dir dir,
			  const struct pkt *p)
{
	const struct tcp_hdr *th = (const struct tcp_hdr *)p->l4;
	struct ct_tcp_dir *s = &ce->tcp[dir], *r = &ce->tcp[!dir];
	uint32_t seq = ntohl(th->seq), ack = ntohl(th->ack);
	uint32_t win = ntohs(th->win);
	uint32_t end = seq + tcp_payload_len(p) + !!(th->flags & TCP_SYN) +
		       !!(th->flags & TCP_FIN);
	uint32_t maxack;

	if (!(s->wsf & CT_TCP_SEEN)) {
		tcp_side_init(s, r, th, end, win, ack);
		if ((th->flags & TCP_SYN) && !(th->flags & TCP_ACK))
			return true;	/* a SYN: nothing to check against */
	} else if ((th->flags & (TCP_SYN | TCP_ACK)) == TCP_SYN &&
		   ce->state == TCPS_SYN_SENT && dir == CT_ORIG) {
		/* a retransmitted (or re-numbered) SYN */
		s->wsf = 0;
		tcp_side_init(s, r, th, end, win, ack);
		return true;
	}
	if (!(th->flags & TCP_ACK))
		ack = r->end;			/* acknowledges nothing new */
	maxack = s->maxwin > TCP_MAX_ACK_WINDOW ? s->maxwin : TCP_MAX_ACK_WINDOW;
	if (!(!seq_after(seq, s->maxend) &&
	      seq_after(end, s->end - r->maxwin - 1) &&
	      !seq_after(ack, r->end) &&
	      seq_after(ack, r->end - maxack - 1)))
		return false;
	if (th->flags & TCP_RST)
		return true;		/* an RST teaches nothing (see top) */
	if (!(th->flags & TCP_SYN))
		win <<= s->wsf & CT_TCP_SCALE;
	if (s->maxwin < win)
		s->maxwin = win;
	if (seq_after(end, s->end))
		s->end = end;
	if (r->maxwin && seq_after(end, s->maxend))
		r->maxwin += end - s->maxend;
	if (th->flags & TCP_ACK) {
		if (seq_after(ack + win, r->maxend - 1))
			r->maxend = ack + (win ? win : 1);
	}
	return true;
}

/*
 * The timeout class of a state. SYN_RECV is still half-open: a SYN
 * answered by a server behind a forward is not a connection until the
 * opener acknowledges the answer (a spoofed SYN never does), so it stays
 * evictable (ct.h).
 */
static enum ct_class tcp_class(uint8_t state)
{
	switch (state) {
	case TCPS_SYN_SENT:
	case TCPS_SYN_RECV:
		return CT_CLASS_TCP_SYN;
	case TCPS_ESTABLISHED:
		return CT_CLASS_TCP_EST;
	case TCPS_TIME_WAIT:
		return CT_CLASS_TCP_TIME_WAIT;
	case TCPS_CLOSE:
		return CT_CLASS_TCP_CLOSE;
	default:
		return CT_CLASS_TCP_CLOSING;
	}
}

/* The next state after a valid packet with @flags going way @dir */
static uint8_t tcp_next_state(struct ct_entry *ce, enum ct_dir dir,
			      uint8_t flags)
{
	uint8_t fin = dir == CT_ORIG ? CT_F_FIN_ORIG : CT_F_FIN_REPLY;
	bool syn = flags & TCP_SYN, ack = flags & TCP_ACK;

	switch (ce->state) {
	case TCPS_SYN_SENT:
		/* SYN+ACK, or a SYN crossing ours (simultaneous open) */
		return dir != tcp_opener(ce) && syn ? TCPS_SYN_RECV :
						      TCPS_SYN_SENT;
	case TCPS_SYN_RECV:
		if (!ack || syn)
			return TCPS_SYN_RECV;
		break;	/* the handshake's last ACK, which may carry a FIN */
	case TCPS_CLOSE:
	case TCPS_TIME_WAIT:
		return ce->state;
	default:
		break;
	}
	if (flags & TCP_FIN)
		ce->flags |= fin;
	if ((ce->flags & (CT_F_FIN_ORIG | CT_F_FIN_REPLY)) ==
	    (CT_F_FIN_ORIG | CT_F_FIN_REPLY))
		return (flags & TCP_FIN) ? TCPS_LAST_ACK : TCPS_TIME_WAIT;
	if (ce->flags & CT_F_FIN_ORIG)
		return TCPS_FIN_WAIT;
	if (ce->flags & CT_F_FIN_REPLY)
		return TCPS_CLOSE_WAIT;
	return TCPS_ESTABLISHED;
}

/* Does this RST carry exactly the sequence its receiver expects? */
static bool tcp_rst_exact(const struct ct_entry *ce, enum ct_dir dir,
			  const struct pkt *p)
{
	const struct tcp_hdr *th = (const struct tcp_hdr *)p->l4;
	const struct ct_tcp_dir *s = &ce->tcp[dir], *r = &ce->tcp[!dir];
	uint32_t seq = ntohl(th->seq);

	if (ce->state == TCPS_SYN_SENT && dir != tcp_opener(ce))
		/* refusing the SYN: it must acknowledge it (RFC 793) */
		return (th->flags & TCP_ACK) && ntohl(th->ack) == r->end;
	/* the sender's next sequence: what its peer has acked or will */
	return seq == s->end;
}

/*
 * A packet from the responder before it answered the SYN, that is no
 * answer (no SYN; an RST is judged apart): dropped, and nothing learnt
 * from it, or a stray segment would set the responder's window and its
 * real SYN-ACK would fall outside it. One with an ACK has a meaning: it
 * is how a responder still holding an older connection of the same ends
 * (its TIME_WAIT, or a half-open one) answers a new SYN (RFC 793 figure
 * 10, RFC 5961 4.2). The opener, in SYN-SENT, resets any segment whose
 * ACK is not its SYN's, and its next SYN opens; it never sees this one,
 * so the router answers it so (conn_invalid(), counted
 * drop_tcp_stale_ack), as a Linux router's own stack answers a packet its
 * conntrack found invalid.
 */
static bool tcp_is_unanswered(const struct ct_entry *ce, enum ct_dir dir,
			      uint8_t flags)
{
	return ce->state == TCPS_SYN_SENT && dir != tcp_opener(ce) &&
	       !(flags & TCP_SYN);
}

/*
 * An RST: exact (the sequence its receiver expects) ends the connection;
 * in the window only shortens the timeout, the state kept; outside it,
 * dropped. Exactness is judged before anything is learnt from the
 * segment, and an RST moves no window, so repeating a blind guess does
 * not make it exact.
 */
static enum masq_counter tcp_track_rst(struct masq_engine *e,
				       struct ct_entry *ce, enum ct_dir dir,
				       const struct pkt *p, enum ct_class *cls)
{
	bool seen = ce->tcp[dir].wsf & CT_TCP_SEEN;
	bool exact = tcp_rst_exact(ce, dir, p);

	if (exact && (seen || (ce->state == TCPS_SYN_SENT &&
			       dir != tcp_opener(ce)))) {
		ce->state = TCPS_CLOSE;
		*cls = CT_CLASS_TCP_CLOSE;
		return C_NUM;
	}
	if (!seen || !tcp_in_window(ce, dir, p))
		return C_drop_tcp_rst_out_of_window;
	count(e, C_tcp_rst_in_window);
	*cls = CT_CLASS_TCP_CLOSE;
	return C_NUM;
}

/**
 * tcp_track() - Follow a packet of a TCP connection
 * @e:		engine
 * @idx:	connection
 * @dir:	the way the packet goes
 * @p:		the packet
 * @cls:	set to the timeout class the connection moves to
 *
 * Return: C_NUM when the packet goes on, else the counter to drop it with
 */
enum masq_counter tcp_track(struct masq_engine *e, uint32_t idx,
			    enum ct_dir dir, const struct pkt *p,
			    enum ct_class *cls)
{
	struct ct_entry *ce = &e->ct.e[idx];
	uint8_t flags = p->tcp_flags;

	if (tcp_is_plain_est(ce, flags)) {
		/* the common case: data and acks of an open connection */
		if (!tcp_est_in_window(ce, dir, p))
			return C_drop_tcp_out_of_window;
		*cls = CT_CLASS_TCP_EST;
		return C_NUM;
	}
	if (flags & TCP_RST)
		return tcp_track_rst(e, ce, dir, p, cls);
	if (tcp_is_unanswered(ce, dir, flags))	/* nothing learnt from it */
		return flags & TCP_ACK ? C_drop_tcp_stale_ack :
		       flags & TCP_FIN ? C_drop_tcp_fin_out_of_window :
					 C_drop_tcp_out_of_window;
	if (!tcp_in_window(ce, dir, p))
		return flags & TCP_FIN ? C_drop_tcp_fin_out_of_window :
					 C_drop_tcp_out_of_window;
	ce->state = tcp_next_state(ce, dir, flags);
	*cls = tcp_class(ce->state);
	return C_NUM;
}

/* The state a new connection starts in, from its first packet */
void tcp_open(struct ct_entry *ce, const struct pkt *p)
{
	ce->state = p->tcp_flags & TCP_SYN ? TCPS_SYN_SENT : TCPS_ESTABLISHED;
}
