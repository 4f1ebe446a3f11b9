/* SPDX-License-Identifier: MIT */
/*
 * handover.h - restarts that keep connections: the state file a
 * stopping masqd writes and the next one loads (handover.c)
 */
#ifndef MASQD_HANDOVER_H
#define MASQD_HANDOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "io/claim.h"
#include "io/takeover.h"
#include "masq/engine.h"
#include "masqd/options.h"

#define MASQD_SNAP_HANDOVER	0x1	/* the state's flags: a restart's stop */

/**
 * struct handover - the state file
 * @fd:		open from start to exit (written at the stop with only
 *		write calls on it: no open after the privileges go); -1
 * @path:	/run/masq/NETNS/masqd_XXXXXXXX.state
 * @data:	what a predecessor left, until handover_restore()
 * @len:	its length
 * @boot_id:	the kernel's boot id
 * @netns_cookie: the network namespace's cookie (SO_NETNS_COOKIE; 0:
 *		the kernel has none), in the header and compared at load
 * @gap_ms:	the gap in forwarding the restore measured
 * @adopt:	the predecessor stopped for a restart (SIGUSR2): adopt its
 *		takeover, records and twins
 * @adopted:	by owned interface: its record was adopted (recover.c), so
 *		@orig and @has are the originals the takeover keeps
 * @orig:	... each sysctl's recorded original
 * @has:	... which are known
 * @taken:	this masqd's takeover began (its records are its own: an
 *		adopted record is dropped with them only from then on)
 */
struct handover {
	int fd;
	char path[CLAIM_PATH_MAX];
	char *data;
	size_t len;
	char boot_id[MASQ_SNAP_BOOT_ID];
	uint64_t netns_cookie;
	uint64_t gap_ms;
	bool adopt;
	bool adopted[MASQD_MAX_IFACES];
	int orig[MASQD_MAX_IFACES][TO_SYSCTL_NUM];
	bool has[MASQD_MAX_IFACES][TO_SYSCTL_NUM];
	bool taken;
};

struct masqd;

int handover_open(struct masqd *d);
int handover_create(struct masqd *d);
void handover_restore(struct masqd *d);
void handover_save(struct masqd *d);
void handover_close(struct masqd *d);
void handover_forget(const char *sock, unsigned long netns);

#endif
