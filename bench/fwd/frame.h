/* SPDX-License-Identifier: MIT */
/*
 * frame.h - the trivial forwarder's per-frame work (bench/fwd/fwd.c)
 *
 * Split from the forwarder's main so a unit test and a fuzz target can
 * drive it with hostile frames: fwd_frame() reads only the frame's bytes
 * within ->len and queues at most one frame per input on an interface.
 */
#ifndef MASQ_BENCH_FWD_FRAME_H
#define MASQ_BENCH_FWD_FRAME_H

#include <stdint.h>

#include "io/afpacket.h"
#include "io/afxdp.h"
#include "masq/engine.h"

#define FWD_NEIGH	16
#define FWD_BURST	64

/**
 * struct fwd_neigh - one learned neighbour
 * @ip:		its address, network order (0: empty slot)
 * @mac:	its MAC
 */
struct fwd_neigh {
	uint32_t ip;
	uint8_t mac[6];
};

/**
 * struct fwd_if - one side of the forwarder
 * @port:	its AF_PACKET port (not used by fwd_frame())
 * @xport:	... or its AF_XDP port (fwd --io afxdp)
 * @addr:	its address, network order
 * @net:	@addr's /24
 * @mac:	its MAC
 * @neigh:	learned neighbours (from ARP), oldest replaced
 * @next_slot:	the slot of @neigh replaced next
 * @out:	frames queued to go out of this side
 * @nout:	how many
 */
struct fwd_if {
	struct afp_port port;
	struct afxdp_port xport;
	uint32_t addr;
	uint32_t net;
	uint8_t mac[6];
	struct fwd_neigh neigh[FWD_NEIGH];
	uint32_t next_slot;
	struct masq_buf *out[FWD_BURST * 2];
	uint32_t nout;
};

/**
 * struct fwd_stats - what the forwarder did
 * @rx:		frames received
 * @tx:		frames the kernel accepted
 * @no_neigh:	frames dropped for an unknown next hop (an ARP request went)
 * @other:	frames dropped otherwise (not ours, TTL, short, a full queue)
 */
struct fwd_stats {
	uint64_t rx, tx, no_neigh, other;
};

void fwd_if_init(struct fwd_if *f, uint32_t addr, const uint8_t mac[6]);
void fwd_frame(struct fwd_if *in, struct fwd_if *out, struct masq_pool *pool,
	       struct masq_buf *b, struct fwd_stats *st);

#endif
