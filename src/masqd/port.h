/* SPDX-License-Identifier: MIT */
/*
 * port.h - masqd's ports, whichever packet I/O they use (--io)
 *
 * The loop, the workers, the stats and the teardown call these; each is
 * a switch on d->o.io once per burst (never per frame, never an indirect call), over
 * afpacket.h's ports (d->ports) or afxdp.h's (d->xports). The counters
 * of both are struct afp_stats, under the same names. The wport_* ones
 * are the same for one worker's sockets (--workers N; port.c).
 */
#ifndef MASQD_PORT_H
#define MASQD_PORT_H

#include "masqd/masqd.h"

int port_open_afxdp(struct masqd *d);
void port_close_afxdp(struct masqd *d, bool detach);
int port_fd(const struct masqd *d, int i);
uint32_t port_rx_burst(struct masqd *d, int i, struct masq_buf **bufs,
		       uint32_t max, uint32_t iface);
uint32_t port_tx_burst(struct masqd *d, int i, struct masq_buf **bufs,
		       uint32_t n);
void port_flush_tx(struct masqd *d);
void port_stats_poll(struct masqd *d, int i);
void port_clear_error(struct masqd *d, int i);
const struct afp_stats *port_stats(const struct masqd *d, int i);
const char *port_name(const struct masqd *d, int i);
void port_stats_extra(struct masqd *d, int i, struct masq_text *out);

int wport_fd(const struct masqd *d, const struct mworker *w, int i);
bool wport_sends(const struct masqd *d, const struct mworker *w, int i);
uint32_t wport_rx_burst(struct masqd *d, struct mworker *w, int i,
			struct masq_buf **bufs, uint32_t max, uint32_t iface);
uint32_t wport_tx_burst(struct masqd *d, struct mworker *w, int i,
			struct masq_buf **bufs, uint32_t n);
void wport_clear_error(struct masqd *d, struct mworker *w, int i);
const struct afp_stats *wport_stats(struct masqd *d, struct mworker *w, int i);

#endif
