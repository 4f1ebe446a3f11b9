// SPDX-License-Identifier: MIT
/*
 * port.c - masqd's ports over AF_PACKET or AF_XDP (--io; see port.h)
 *
 * AF_PACKET's opening stays in setup.c (setup_ports()); AF_XDP's is
 * here. The choice is made once at the start; the loop's calls switch on
 * it per burst, which the branch predictor learns at once. The road not
 * taken: a table of function pointers per port (an indirect call per
 * burst and per stats poll, for no gain with two backends).
 *
 * Teardown of AF_XDP ports: while masqd is still privileged (a failed
 * start) libxdp removes the program; after the drop the packet process
 * may not call bpf(), so it only closes, and the privileged helper
 * detaches the program by rtnetlink (privsep.c), as it does after a
 * crash; the run record (runrec.h, "xdp 1") covers a SIGKILL of both.
 *
 * Transmit (port_flush_tx()): the engine's vector holds frames for any
 * interface; they are gathered per port into a scratch vector
 * (preallocated) and sent with one sendmmsg() batch per port (--io afxdp:
 * one TX-ring batch and its kicks), then every buffer goes back to the
 * pool, sent or not. A frame for an interface with no port is counted
 * (tx_no_port). A frame for a twin (->iface with MASQ_IFACE_TWIN) is
 * written into it (twin_send(): one non-blocking write; a failure drops
 * the frame, counted). Nothing here allocates.
 *
 * Queues and workers: worker k's port on an interface holds a socket on
 * each receive queue q with q % n == k (n workers; one worker: all of
 * them), the way VPP gives each worker its queues. The queue a frame
 * arrives on is the NIC's choice (RSS; veth: the sender's transmit
 * queue), not masqd's, so a frame may land on another worker than the
 * one that holds its connection: workers.c hands it on, as it does the
 * AF_PACKET fanout's few misses. A worker with no queue on an interface
 * (fewer queues than workers) receives nothing there and has its frames
 * for it sent by worker 0 (wport_sends() false; workers.c). The wport_*
 * functions are the per-worker twins of the port_* ones, for the
 * workers' threads.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "io/afxdp.h"
#include "masqd/log.h"
#include "masqd/port.h"

/* Worker @k's AF_XDP port on interface @i (worker 0's: the daemon's) */
static struct afxdp_port *xport_of(struct masqd *d, uint32_t k, int i)
{
	return k ? &d->wk.w[k]->xown[i] : &d->xports[i];
}

/* "queue 0 worker 0, queue 1 worker 1" for interface @i, into @buf */
static void queues_text(struct masqd *d, int i, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = 0;
	for (uint32_t k = 0; k < d->wk.n; k++) {
		const struct afxdp_port *p = xport_of(d, k, i);

		for (uint32_t q = 0; q < p->nq && at < len; q++)
			at += (size_t)snprintf(buf + at, len - at, "%squeue %u "
					       "worker %u", at ? ", " : "",
					       p->queue[q], k);
	}
}

/* Say how interface @i's queues went to the workers (once, at setup) */
static void log_queues(struct masqd *d, int i, uint32_t rx, uint32_t tx)
{
	const struct afxdp_port *p = &d->xports[i];
	char q[256];

	queues_text(d, i, q, sizeof(q));
	logmsg(LOG_INFO, "%s: %u receive queue%s, an AF_XDP socket on each "
	       "(%s), %s mode, %u+%u frames of 2 KiB a socket (%u KiB)",
	       p->name, p->rxq, p->rxq == 1 ? "" : "s", q,
	       p->zerocopy ? "zero-copy" : "copy", rx, tx,
	       (rx + tx) * 2);
	if (p->rxq >= d->wk.n)
		return;
	if (p->rxq + 1 == d->wk.n)
		snprintf(q, sizeof(q), "worker %u receives", p->rxq);
	else
		snprintf(q, sizeof(q), "workers %u..%u receive", p->rxq,
			 d->wk.n - 1);
	logmsg(LOG_INFO, "%s: %u receive queue%s for %u workers: %s nothing "
	       "here, the queues' workers hand on what is theirs, and worker "
	       "0 sends their frames out of %s", p->name, p->rxq,
	       p->rxq == 1 ? "" : "s", d->wk.n, q, p->name);
}

/**
 * port_open_afxdp() - Open an AF_XDP port on every owned interface
 * @d:		daemon, with --io afxdp
 *
 * --ring-frames sets the fill/RX ring (rounded up to a power of two);
 * the transmit frames are 1024, or as many as that when fewer.
 * Return: 0, or -1 after logging which interface and step failed
 */
int port_open_afxdp(struct masqd *d)
{
	uint32_t rx = AFXDP_DEFAULT_RX_FRAMES;

	if (d->o.ring_frames)
		for (rx = 64; rx < d->o.ring_frames; rx <<= 1)
			;
	for (int i = 0; i < d->o.nifaces; i++) {
		struct afxdp_config cfg = {
			.rx_frames = rx,
			.tx_frames = rx < AFXDP_DEFAULT_TX_FRAMES ? rx :
				     AFXDP_DEFAULT_TX_FRAMES,
			.mtu = d->links[i].mtu,
			.queue_step = d->wk.n,
		};

		for (uint32_t k = 0; k < d->wk.n; k++) {
			const char *step = "";
			int ret;

			cfg.queue_first = k;
			ret = afxdp_open(xport_of(d, k, i), d->links[i].name,
					 d->links[i].ifindex, &cfg, &step);
			if (ret) {
				logmsg(LOG_ERR, "%s: --io afxdp: %s: %s%s",
				       d->links[i].name, step, strerror(-ret),
				       ret == -EPERM ? " (masqd needs root: "
				       "CAP_BPF, CAP_NET_ADMIN, CAP_NET_RAW)" :
				       "");
				return -1;
			}
		}
		log_queues(d, i, rx, cfg.tx_frames);
	}
	return 0;
}

/**
 * port_close_afxdp() - Close every worker's AF_XDP ports
 * @d:		daemon
 * @detach:	remove the programs too (only while privileged: bpf())
 *
 * Workers 1..n-1 are stopped first (their threads use their ports).
 */
void port_close_afxdp(struct masqd *d, bool detach)
{
	if (d->o.io != IO_AFXDP)
		return;
	if (d->wk.n > 1)
		workers_stop(d);
	for (uint32_t k = 0; k < (d->wk.n ? d->wk.n : 1); k++) {
		if (k && !d->wk.w[k])
			break;	/* a failed start: made no further */
		for (int i = 0; i < d->o.nifaces; i++)
			afxdp_close(xport_of(d, k, i), detach);
	}
}

/**
 * port_fd() - The descriptor poll() watches for port @i
 * @d:		daemon
 * @i:		port
 *
 * Return: the socket (-1 when closed)
 */
int port_fd(const struct masqd *d, int i)
{
	return d->o.io == IO_AFXDP ? d->xports[i].fd : d->ports[i].fd;
}

/**
 * port_rx_burst() - Frames from port @i (afp_rx_burst(), afxdp_rx_burst())
 * @d:		daemon
 * @i:		port
 * @bufs:	filled
 * @max:	room in @bufs
 * @iface:	engine interface index stamped on each
 *
 * Return: frames in @bufs
 */
uint32_t port_rx_burst(struct masqd *d, int i, struct masq_buf **bufs,
		       uint32_t max, uint32_t iface)
{
	if (d->o.io == IO_AFXDP)
		return afxdp_rx_burst(&d->xports[i], d->pool, bufs, max, iface);
	return afp_rx_burst(&d->ports[i], d->pool, bufs, max, iface);
}

/**
 * port_tx_burst() - Send frames out of port @i
 * @d:		daemon
 * @i:		port
 * @bufs:	frames (still the caller's)
 * @n:		how many
 *
 * Return: frames the kernel took
 */
uint32_t port_tx_burst(struct masqd *d, int i, struct masq_buf **bufs,
		       uint32_t n)
{
	if (d->o.io == IO_AFXDP)
		return afxdp_tx_burst(&d->xports[i], bufs, n);
	return afp_tx_burst(&d->ports[i], bufs, n);
}

/* Send one port's share of the tx vector */
static void flush_port(struct masqd *d, int port)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < d->tx.n; i++) {
		uint32_t ifc = d->tx.bufs[i]->iface;

		if (ifc < MASQD_MAX_IFACES && d->port_of[ifc] == port)
			d->txscratch[n++] = d->tx.bufs[i];
	}
	if (n)
		port_tx_burst(d, port, d->txscratch, n);
}

/**
 * port_flush_tx() - Send the engine's tx vector (worker 0's): out of the
 *		     ports and into the twins, then every buffer to the pool
 * @d:		daemon
 *
 * The loop calls it after each engine call; workers.c after worker 0
 * ran the frames the other workers handed it.
 */
void port_flush_tx(struct masqd *d)
{
	if (!d->tx.n)
		return;
	for (int p = 0; p < d->o.nifaces; p++)
		flush_port(d, p);
	for (uint32_t i = 0; i < d->tx.n; i++) {
		uint32_t ifc = d->tx.bufs[i]->iface;

		if (ifc & MASQ_IFACE_HANDOFF) {	/* --workers: another's */
			workers_give(d, 0, d->tx.bufs[i]);
			continue;
		}
		if (ifc & MASQ_IFACE_TWIN)
			twin_send(d, d->tx.bufs[i]);
		else if (ifc >= MASQD_MAX_IFACES || d->port_of[ifc] < 0)
			d->tx_no_port++;
		masq_pool_put(d->pool, d->tx.bufs[i]);
	}
	d->tx.n = 0;
}

/**
 * port_stats_poll() - Read the kernel's drop counters of port @i
 * @d:		daemon
 * @i:		port
 */
void port_stats_poll(struct masqd *d, int i)
{
	if (d->o.io == IO_AFXDP)
		afxdp_stats_poll(&d->xports[i]);
	else
		afp_stats_poll(&d->ports[i]);
}

/**
 * port_clear_error() - Clear a pending socket error on port @i (POLLERR)
 * @d:		daemon
 * @i:		port
 */
void port_clear_error(struct masqd *d, int i)
{
	if (d->o.io == IO_AFXDP)
		afxdp_clear_error(&d->xports[i]);
	else
		afp_clear_error(&d->ports[i]);
}

/**
 * port_stats() - Port @i's counters
 * @d:		daemon
 * @i:		port
 *
 * Return: the counters (AF_PACKET's names for both backends)
 */
const struct afp_stats *port_stats(const struct masqd *d, int i)
{
	return d->o.io == IO_AFXDP ? &d->xports[i].st : &d->ports[i].st;
}

/**
 * port_name() - Port @i's interface name
 * @d:		daemon
 * @i:		port
 *
 * Return: the name
 */
const char *port_name(const struct masqd *d, int i)
{
	return d->o.io == IO_AFXDP ? d->xports[i].name : d->ports[i].name;
}

/*
 * Interface @i's AF_XDP counters over every worker's port (workers
 * 1..n-1 paused, their kernel counters polled), into @xs; @zc: every
 * socket zero-copy
 */
static void xstats_sum(struct masqd *d, int i, struct afxdp_xstats *xs,
		       bool *zc)
{
	*xs = d->xports[i].xs;
	*zc = d->xports[i].zerocopy;
	for (uint32_t k = 1; k < d->wk.n; k++) {
		const struct afxdp_port *p = xport_of(d, k, i);

		workers_pause(d, k);
		afxdp_stats_poll(xport_of(d, k, i));
		xs->rx_dropped += p->xs.rx_dropped;
		xs->rx_ring_full += p->xs.rx_ring_full;
		xs->fill_ring_empty += p->xs.fill_ring_empty;
		xs->tx_invalid += p->xs.tx_invalid;
		xs->tx_no_frame += p->xs.tx_no_frame;
		xs->bad_addr += p->xs.bad_addr;
		*zc &= !p->nq || p->zerocopy;
		workers_resume(d, k);
	}
}

/**
 * port_stats_extra() - The counters only AF_XDP has, for masqctl stats
 * @d:		daemon
 * @i:		port
 * @out:	"io_IFACE_xdp_NAME VALUE" lines appended (none for AF_PACKET),
 *		every worker's sockets added
 */
void port_stats_extra(struct masqd *d, int i, struct masq_text *out)
{
	const struct afxdp_port *p = &d->xports[i];
	struct afxdp_xstats xs;
	bool zc;

	if (d->o.io != IO_AFXDP)
		return;
	char name[64];

	xstats_sum(d, i, &xs, &zc);
#define XS(field) do {							\
		snprintf(name, sizeof(name), "io_%s_xdp_%s", p->name, #field); \
		masq_text_printf(out, "%-28s %llu\n", name,		\
				 (unsigned long long)xs.field);		\
	} while (0)
	XS(rx_dropped);
	XS(rx_ring_full);
	XS(fill_ring_empty);
	XS(tx_invalid);
	XS(tx_no_frame);
	XS(bad_addr);
#undef XS
	snprintf(name, sizeof(name), "io_%s_xdp_zerocopy", p->name);
	masq_text_printf(out, "%-28s %d\n", name, zc);
}

/**
 * wport_fd() - The descriptor worker @w polls for its port @i
 * @d:		daemon
 * @w:		worker
 * @i:		port
 *
 * Return: its socket, or epoll descriptor over several (-1: none)
 */
int wport_fd(const struct masqd *d, const struct mworker *w, int i)
{
	return d->o.io == IO_AFXDP ? w->xports[i].fd : w->ports[i].fd;
}

/**
 * wport_sends() - Has worker @w a socket of its own to send on port @i?
 * @d:		daemon
 * @w:		worker
 * @i:		port
 *
 * Return: false for an AF_XDP port with no queue of its own (fewer
 * queues than workers): worker 0 sends its frames
 */
bool wport_sends(const struct masqd *d, const struct mworker *w, int i)
{
	return d->o.io != IO_AFXDP || w->xports[i].nq > 0;
}

/**
 * wport_rx_burst() - Frames from worker @w's port @i, into its pool
 * @d:		daemon
 * @w:		worker
 * @i:		port
 * @bufs:	filled
 * @max:	room in @bufs
 * @iface:	engine interface index stamped on each
 *
 * Return: frames in @bufs
 */
uint32_t wport_rx_burst(struct masqd *d, struct mworker *w, int i,
			struct masq_buf **bufs, uint32_t max, uint32_t iface)
{
	if (d->o.io == IO_AFXDP)
		return afxdp_rx_burst(&w->xports[i], w->pool, bufs, max, iface);
	return afp_rx_burst(&w->ports[i], w->pool, bufs, max, iface);
}

/**
 * wport_tx_burst() - Send frames out of worker @w's port @i
 * @d:		daemon
 * @w:		worker
 * @i:		port
 * @bufs:	frames (still the caller's)
 * @n:		how many
 *
 * Return: frames the kernel took
 */
uint32_t wport_tx_burst(struct masqd *d, struct mworker *w, int i,
			struct masq_buf **bufs, uint32_t n)
{
	if (d->o.io == IO_AFXDP)
		return afxdp_tx_burst(&w->xports[i], bufs, n);
	return afp_tx_burst(&w->ports[i], bufs, n);
}

/**
 * wport_clear_error() - Clear a pending socket error on worker @w's port
 * @d:		daemon
 * @w:		worker
 * @i:		port
 */
void wport_clear_error(struct masqd *d, struct mworker *w, int i)
{
	if (d->o.io == IO_AFXDP)
		afxdp_clear_error(&w->xports[i]);
	else
		afp_clear_error(&w->ports[i]);
}

/**
 * wport_stats() - Worker @w's port @i's counters, the kernel's polled
 *		   first (the caller has @w paused, or is @w)
 * @d:		daemon
 * @w:		worker
 * @i:		port
 *
 * Return: the counters
 */
const struct afp_stats *wport_stats(struct masqd *d, struct mworker *w, int i)
{
	if (d->o.io == IO_AFXDP) {
		afxdp_stats_poll(&w->xports[i]);
		return &w->xports[i].st;
	}
	afp_stats_poll(&w->ports[i]);
	return &w->ports[i].st;
}
