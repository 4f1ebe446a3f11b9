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
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "io/afxdp.h"
#include "masqd/log.h"
#include "masqd/port.h"

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
		};
		const char *step = "";
		int ret = afxdp_open(&d->xports[i], d->links[i].name,
				     d->links[i].ifindex, &cfg, &step);

		if (ret) {
			logmsg(LOG_ERR, "%s: --io afxdp: %s: %s%s",
			       d->links[i].name, step, strerror(-ret),
			       ret == -EPERM ? " (masqd needs root: CAP_BPF, "
			       "CAP_NET_ADMIN, CAP_NET_RAW)" : "");
			return -1;
		}
		logmsg(LOG_INFO, "%s: AF_XDP socket on queue 0, %s mode, %u+%u "
		       "frames of 2 KiB", d->links[i].name,
		       d->xports[i].zerocopy ? "zero-copy" : "copy", rx,
		       cfg.tx_frames);
	}
	return 0;
}

/**
 * port_close_afxdp() - Close every AF_XDP port
 * @d:		daemon
 * @detach:	remove the programs too (only while privileged: bpf())
 */
void port_close_afxdp(struct masqd *d, bool detach)
{
	if (d->o.io != IO_AFXDP)
		return;
	for (int i = 0; i < d->o.nifaces; i++)
		afxdp_close(&d->xports[i], detach);
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

/**
 * port_stats_extra() - The counters only AF_XDP has, for masqctl stats
 * @d:		daemon
 * @i:		port
 * @out:	"io_IFACE_xdp_NAME VALUE" lines appended (none for AF_PACKET)
 */
void port_stats_extra(struct masqd *d, int i, struct masq_text *out)
{
	const struct afxdp_port *p = &d->xports[i];

	if (d->o.io != IO_AFXDP)
		return;
	char name[64];

#define XS(field) do {							\
		snprintf(name, sizeof(name), "io_%s_xdp_%s", p->name, #field); \
		masq_text_printf(out, "%-28s %llu\n", name,		\
				 (unsigned long long)p->xs.field);	\
	} while (0)
	XS(rx_dropped);
	XS(rx_ring_full);
	XS(fill_ring_empty);
	XS(tx_invalid);
	XS(tx_no_frame);
	XS(bad_addr);
#undef XS
	snprintf(name, sizeof(name), "io_%s_xdp_zerocopy", p->name);
	masq_text_printf(out, "%-28s %d\n", name, p->zerocopy);
}
