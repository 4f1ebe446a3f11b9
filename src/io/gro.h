/* SPDX-License-Identifier: MIT */
/*
 * gro.h - userspace GRO: a receive burst's in-order TCP segments of one
 * connection coalesced into one super-frame with GSO metadata
 *
 * With the links' offloads off the kernel hands masqd every 1,500-byte
 * segment as its own frame, and masqd would translate and send each one
 * (one sendmmsg() message, one trip through the kernel's transmit path
 * per segment). gro_burst() merges runs of consecutive segments of one
 * connection, by the rules of the kernel's tcp_gro_receive(), into the
 * first segment's pool buffer and marks it a TCPv4 GSO frame with a
 * partial checksum (struct masq_meta: the fields of a virtio-net header);
 * the engine then walks one frame, and the kernel segments it again in
 * software on an egress without TSO. Only useful, and only correct, on a
 * port that carries the virtio-net header both ways.
 */
#ifndef MASQ_IO_GRO_H
#define MASQ_IO_GRO_H

#include <stdint.h>

#include "masq/engine.h"

/* Connections with a super-frame open at once within one burst */
#define GRO_OPEN_MAX	8

/**
 * struct gro_stats - what the coalescer did on one port (never reset)
 * @segments:	TCP segments that went into a super-frame (first included)
 * @super_frames: super-frames made (two segments or more)
 * @csum_bad:	segments whose TCP checksum was wrong (passed on untouched:
 *		the engine drops and counts them)
 */
struct gro_stats {
	uint64_t segments;
	uint64_t super_frames;
	uint64_t csum_bad;
};

uint32_t gro_burst(struct masq_buf **bufs, uint32_t n, struct masq_pool *pool,
		   struct gro_stats *st);

#endif
