/* SPDX-License-Identifier: MIT */
/*
 * hostwatch.h - masqd follows what the host does on its twins
 *
 * The host's side of each owned interface is its twin (twin.h). A DHCP
 * client or an administrator puts addresses and routes there; the host's
 * services hold ports on the router's addresses. hostwatch.c turns both
 * into engine commands, on the loop's thread:
 *
 *	an IPv4 address added on a twin	addr add A/LEN dev IFACE
 *	... deleted from a twin		addr del A/LEN dev IFACE
 *	a route via a twin (main table)	route add P/LEN|default [via GW]
 *					dev IFACE proto host (the lowest
 *					metric wins when the host has
 *					several)
 *	... deleted			route del P/LEN|default (then the
 *					--gateway default route, if any)
 *	a twin's link gone or down	twin.c is asked to look at once
 *					(twin_check_soon())
 *	the host's listening ports	host-ports tcp LIST udp LIST
 *
 * from a netlink watch (io/rtwatch.h) and a sock_diag dump once a second
 * (io/sockdiag.h). See hostwatch.c for the rules that keep masqd's own
 * configuration safe from a twin that vanishes.
 */
#ifndef MASQD_HOSTWATCH_H
#define MASQD_HOSTWATCH_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "io/rtwatch.h"
#include "io/sockdiag.h"
#include "masq/engine.h"
#include "masqd/options.h"

#define HW_MAX_ADDRS		MASQD_MAX_ADDRS
#define HW_MAX_ROUTES		128
#define HW_NETLINK_BUDGET	16	/* datagrams read per loop iteration */
#define HW_DIAG_BUDGET		4	/* sock_diag chunks per iteration */
#define HW_DIAG_NS		1000000000ull	/* a sock_diag round a second */
#define HW_PORTS_LOG_NS		60000000000ull	/* host-ports at info: a minute */

struct masqd;

/**
 * struct hw_addr - an address the engine has on an owned interface
 * @port:	the owned interface (index into masqd_opts.ifaces)
 * @addr:	the address, network order
 * @plen:	prefix length
 * @host:	learned from the host (else from the command line)
 * @ifindex:	the twin it was learned on (0 for the command line's)
 * @refused:	the engine would not take it (not in the engine)
 * @seen:	shown since the current dump began
 */
struct hw_addr {
	int port;
	uint32_t addr;
	uint8_t plen;
	bool host;
	int ifindex;
	bool refused;
	bool seen;
};

/**
 * struct hw_route - a route the host has through a twin
 * @dst:	prefix, network order (0 for the default route)
 * @plen:	its length
 * @gw:		gateway, network order, 0 for none (dev only)
 * @port:	the owned interface whose twin it leaves by
 * @ifindex:	that twin's index when it was learned
 * @metric:	the host's metric: the lowest of a prefix is the engine's
 * @installed:	the engine has this one for the prefix
 * @flushed:	its twin went down since (the kernel removed it)
 * @seen:	shown since the current dump began
 */
struct hw_route {
	uint32_t dst;
	uint8_t plen;
	uint32_t gw;
	int port;
	int ifindex;
	uint32_t metric;
	bool installed;
	bool flushed;
	bool seen;
};

/**
 * struct hw_stats - what hostwatch did (never reset; `masqctl stats`)
 * @addrs_added:	host addresses the engine took
 * @addrs_deleted:	addresses removed because the host removed them
 * @routes_added:	routes the engine took from the host
 * @routes_deleted:	routes removed because the host removed them
 * @refused:		commands the engine refused
 * @ports_updates:	host-ports commands sent
 * @full:		addresses or routes not followed: table full
 */
struct hw_stats {
	uint64_t addrs_added;
	uint64_t addrs_deleted;
	uint64_t routes_added;
	uint64_t routes_deleted;
	uint64_t refused;
	uint64_t ports_updates;
	uint64_t full;
};

/**
 * struct hostwatch - the watch, and what the engine was told
 * @on:		watching (the host has twins)
 * @rtw:	netlink watch of links, addresses, routes
 * @sd:		sock_diag dumps, NULL when they could not be opened
 * @addrs:	the engine's addresses on owned interfaces
 * @naddrs:	how many
 * @routes:	the host's routes through twins
 * @nroutes:	how many
 * @filter:	the router's addresses for sock_diag (built per round)
 * @sent:	the ports the engine was last told
 * @ports_sent:	@sent is valid
 * @next_diag_ns: when the next sock_diag round starts
 * @ports_log_ns: when host-ports may be logged at info again
 * @logged_cap:	the sock_diag cap was logged
 * @logged_refused: a sock_diag refusal was logged
 * @overruns:	rtw's overruns already logged
 * @slot:	the netlink socket's slot in the loop's pollfds, -1 if none
 * @st:		counters
 */
struct hostwatch {
	bool on;
	struct rtwatch rtw;
	struct sdiag *sd;
	struct hw_addr addrs[HW_MAX_ADDRS];
	int naddrs;
	struct hw_route routes[HW_MAX_ROUTES];
	int nroutes;
	uint32_t filter[HW_MAX_ADDRS];
	struct sdiag_ports sent;
	bool ports_sent;
	uint64_t next_diag_ns;
	uint64_t ports_log_ns;
	bool logged_cap;
	bool logged_refused;
	uint64_t overruns;
	int slot;
	struct hw_stats st;
};

int hostwatch_setup(struct masqd *d);
void hostwatch_teardown(struct masqd *d);
int hostwatch_pollfds(struct masqd *d, struct pollfd *pfd, int n);
void hostwatch_step(struct masqd *d, const struct pollfd *pfd, uint64_t now);
void hostwatch_settle(struct masqd *d, unsigned int ms);
void hostwatch_reloaded(struct masqd *d);
void hostwatch_stats(struct masqd *d, struct masq_text *out);

#endif
