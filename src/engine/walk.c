// SPDX-License-Identifier: MIT
/*
 * walk.c - --workers N: a TCP segment from inside of no connection this
 *	    worker holds is passed round the other workers before it is
 *	    dropped
 *
 * Why. A helper's related connection that comes in from outside (an IRC
 * DCC SEND or CHAT offered by an inside client; an FTP PORT on a port
 * other than 21) is expected, mapped and opened on the helper
 * connection's worker k, in k's slice, so the remote's segments, steered
 * by their destination port, reach k. The inside client answers from
 * the port it listens on, C, and steering sends its segments to
 * slice(C), which names whatever worker j the client's choice of port
 * happens to name: j holds no connection for them. So j, rather than
 * drop a TCP segment from inside that opens nothing (not a plain SYN),
 * gives it to worker j + 1, which walks it as its own (the connection
 * is found there) or passes it on, until it has been on every worker;
 * the last drops it as one worker would (drop_tcp_no_conn). The count
 * of workers it has been on travels in ->meta.walked (masqd keeps ->meta
 * on a hand-off; the wire cannot set it).
 *
 * Cost: nothing for a segment of a known connection, nor for a SYN. A
 * segment of a related connection whose two ports name different
 * workers pays up to n - 1 hand-offs (a copy each, about a microsecond
 * together with the ring) in the client's direction, for its whole life
 * (a DCC SEND's data from the client); counted tcp_walked_on per
 * hand-off. A stray segment from inside (a host that lost its
 * connection, or a hostile one) costs n - 1 hand-offs before its drop:
 * bounded, no state anywhere. Only while a TCP helper (ftp or irc) is on,
 * or a raw rule gives one (CT --helper ftp|irc).
 *
 * The road not taken: making the expectation, and its mapping, on j
 * (a message from k to j through the hand-off rings) would save the
 * hand-offs, but k must write the port into the offer before j could
 * say which port is free in its slice (j's table alone knows; a port
 * chosen blind, the client's own, fails when another host holds it on
 * j, or when j maps (client, C) elsewhere), and the message needs a
 * record no frame is. The walk needs no message, no table and no
 * choice, and is right for every n.
 *
 * A reassembled segment (frag.c's delivery buffer, which must not leave
 * the engine; its fragments were handed on whole already, fragout.c)
 * is not walked: dropped as one worker would.
 *
 * Limit: with "set tcp-pickup on" a plain ACK from inside is picked up by
 * j rather than walked, so only the client's first answer (SYN+ACK)
 * reaches k; related connections are then mapped twice. Keep pickup off
 * with --workers N and helpers (the default).
 */
#include "alg.h"
#include "eng.h"

/*
 * A TCP helper that may make a related connection steered apart: on by
 * port, or given by a raw rule (CT --helper)
 */
static bool walk_helpers_on(const struct masq_engine *e)
{
	return e->alg->conf[ALG_FTP].on || e->alg->conf[ALG_IRC].on ||
	       (e->fw && e->fw->raw_tcp_helper);
}

/**
 * walk_on() - Give a TCP segment from inside, of no connection here, to
 * the next worker
 * @e:		engine, worker k of n
 * @p:		the segment: arrived on an internal interface, not the
 *		host's own, matched no connection, opens none (not a plain
 *		SYN)
 *
 * Return: true when @p's buffer was taken (on the tx vector for worker
 * (k + 1) % n, marked MASQ_IFACE_HANDOFF, or dropped: tx full); false
 * when it has been on every worker (the caller drops it)
 */
bool walk_on(struct masq_engine *e, struct pkt *p)
{
	struct masq_buf *b = p->buf;
	struct masq_txq *tx = e->tx;
	uint8_t f = p->tcp_flags & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN);
	uint32_t next;

	if (e->worker_n <= 1 || p->host || p->proto != IPPROTO_TCP_ ||
	    f == TCP_SYN || (e->tcp_pickup && f == TCP_ACK) ||
	    b->meta.walked + 1u >= e->worker_n || !walk_helpers_on(e) ||
	    frag_owns(e, b))	/* reassembled: frag.c's buffer, not a pool's */
		return false;	/* one worker's verdict (conn_may_open()) */
	next = (e->worker_k + 1u) % e->worker_n;
	b->meta.walked++;
	b->iface = (b->iface & MASQ_IFACE_MASK) | MASQ_IFACE_HANDOFF |
		   next << 16;
	if (!tx || tx->n >= tx->cap) {
		eng_drop(e, b, C_drop_tx_full);
		return true;
	}
	tx->bufs[tx->n++] = b;
	count(e, C_tcp_walked_on);
	return true;
}
