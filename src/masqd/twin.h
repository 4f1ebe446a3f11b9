/* SPDX-License-Identifier: MIT */
/*
 * twin.h - the twins: the host's door to each owned interface
 *
 * masqd takes its interfaces from the kernel, so the host it runs on
 * would be deaf. Each owned interface gets a twin: a TAP device in the
 * same namespace with the interface's MAC address and MTU and the
 * router's addresses on it (io/tap.c makes it, io/rtnl.c puts the
 * addresses and routes), which the host uses as if it were the
 * interface. What the engine delivers to the host (->iface with
 * MASQ_IFACE_TWIN) is written into the twin; what the host writes into
 * the twin is read by the loop and handed to the engine as locally
 * generated. twin.c keeps them alive: made at start, checked once a
 * second, made again when someone deletes one, removed at exit.
 *
 * Twins are persistent (TUNSETPERSIST) and recorded (recover.c), so a
 * restart (SIGUSR2) leaves them, with the host's addresses, routes,
 * sockets and DHCP lease on them, for the successor, which attaches to
 * them by name; a plain stop deletes them, a crash unpersists them
 * (crash.c: the kernel removes them with the process), a SIGKILL leaves
 * them to the next start or masqd --release (from the record).
 */
#ifndef MASQD_TWIN_H
#define MASQD_TWIN_H

#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "io/rtnl.h"
#include "io/tap.h"
#include "masq/engine.h"
#include "masqd/options.h"

#define TWIN_CHECK_NS	1000000000ull	/* the state check: once a second */
#define TWIN_RETRY_NS	1000000000ull	/* making a twin again: at most
					   once a second after a failure */

struct masqd;

enum twin_state {
	TWIN_UP,	/* there and up: the engine uses it */
	TWIN_DOWN,	/* set down by someone: its frames are dropped */
	TWIN_GONE,	/* deleted by someone (or not made yet): made again */
	TWIN_STATE_NUM
};

/**
 * struct twin - one owned interface's twin
 * @name:	the name masqd gives it (options.h: default or --twin)
 * @port:	the owned interface: index into masqd_opts.ifaces and ports
 * @eidx:	the owned interface's engine index
 * @tap:	the device
 * @state:	see enum twin_state
 * @engine_on:	the engine was last told "iface set IF twin on"
 * @route:	masqd's default route for the host leaves by this twin (put
 *		back when the twin is made again or comes up again)
 * @renamed:	someone renamed it (logged once; masqd goes on with it)
 * @retry_ns:	TWIN_GONE: when to try making it again
 * @fail_errno:	the last failure to make it again (logged once per errno)
 * @adopt_ifindex: a predecessor's twin to attach to (a restart: recover.c
 *		found it recorded and there), 0 for none
 */
struct twin {
	char name[IF_NAMESIZE];
	int port;
	int eidx;
	struct tap tap;
	enum twin_state state;
	bool engine_on;
	bool route;
	bool renamed;
	uint64_t retry_ns;
	int fail_errno;
	int adopt_ifindex;
};

/**
 * struct twins - all of them, their netlink socket and their counters
 * @t:		the twins, in the order of the owned interfaces
 * @n:		how many (0 with --no-twins)
 * @of_eidx:	engine interface index -> index into @t, -1 for none
 * @nl:		rtnetlink socket for addresses and routes
 * @gw:		--gateway, 0.0.0.0 for none
 * @next_check_ns: when the next state check runs
 * @resync:	tell the engine every twin's state again (after a reload)
 * @st:		frames through all twins
 * @lost:	twins found deleted
 * @remade:	twins made again
 * @downs:	twins found set down
 */
struct twins {
	struct twin t[MASQD_MAX_IFACES];
	int n;
	int of_eidx[MASQD_MAX_IFACES];
	struct rtnl nl;
	struct in_addr gw;
	uint64_t next_check_ns;
	bool resync;
	struct tap_stats st;
	uint64_t lost;
	uint64_t remade;
	uint64_t downs;
};

int twin_setup(struct masqd *d);
void twin_teardown(struct masqd *d);
int twin_pollfds(struct masqd *d, struct pollfd *pfd, int n);
void twin_poll_errors(struct masqd *d, const struct pollfd *pfd);
uint32_t twin_receive(struct masqd *d, int i, struct masq_buf **bufs,
		      uint32_t max);
void twin_send(struct masqd *d, const struct masq_buf *b);
void twin_check(struct masqd *d, uint64_t now);
void twin_check_soon(struct masqd *d);
void twin_reloaded(struct masqd *d);
void twin_stats(struct masqd *d, struct masq_text *out);

#endif
