/* SPDX-License-Identifier: MIT */
/*
 * handover.h - restarts that keep connections: the state file a
 * stopping masqd writes and the next one loads (handover.c)
 */
#ifndef MASQD_HANDOVER_H
#define MASQD_HANDOVER_H

#include <stddef.h>
#include <stdint.h>

#include "io/claim.h"
#include "masq/engine.h"

/**
 * struct handover - the state file
 * @fd:		open from start to exit (written at the stop with only
 *		write calls on it: no open after the privileges go); -1
 * @path:	/run/masq/NETNS/masqd_XXXXXXXX.state
 * @data:	what a predecessor left, until handover_restore()
 * @len:	its length
 * @boot_id:	the kernel's boot id
 * @gap_ms:	the gap in forwarding the restore measured
 */
struct handover {
	int fd;
	char path[CLAIM_PATH_MAX];
	char *data;
	size_t len;
	char boot_id[MASQ_SNAP_BOOT_ID];
	uint64_t gap_ms;
};

struct masqd;

int handover_open(struct masqd *d);
void handover_restore(struct masqd *d);
void handover_save(struct masqd *d);
void handover_close(struct masqd *d);

#endif
