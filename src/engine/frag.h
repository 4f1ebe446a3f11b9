/* SPDX-License-Identifier: MIT */
/*
 * frag.h - IPv4 fragment reassembly (frag.c) and refragmentation
 * (fragout.c): limits, and what the two files and the MTU check of
 * conn.c ask of each other
 *
 * The hooks the walk calls (frag_input, frag_needed, frag_output, ...)
 * are declared with the rest of the engine in eng.h.
 */
#ifndef MASQ_FRAG_H
#define MASQ_FRAG_H

#include <stdint.h>

#include "pkt.h"

#define FRAG_MEM_DEFAULT	(4u << 20)	/* fragment data held at once */
#define FRAG_MEM_MIN		(16u << 10)	/* limits.frag_mem's range */
#define FRAG_MEM_MAX		(32u << 20)
#define FRAG_CHUNK		1024	/* the unit of the budget: bytes of data */
#define FRAG_SHARE_DIV		8	/* one source: at most 1/8 of the chunks
					 * and of the datagrams */
#define FRAG_TIMEOUT_S		30	/* from a datagram's first fragment */
#define FRAG_IP_MAX		65535	/* an IPv4 datagram's largest size */

struct masq_engine;

/**
 * frag_wire_len() - The largest IPv4 datagram @p puts on the wire
 * @e:	engine
 * @p:	parsed packet
 *
 * Its total length, except for a GSO frame (one segment: headers plus
 * gso_size) and a reassembled datagram (the largest fragment it arrived
 * in, as Linux's frag_max_size): what the MTU of the way out must hold.
 *
 * Return: bytes of IPv4 datagram
 */
uint32_t frag_wire_len(const struct masq_engine *e, const struct pkt *p);

uint32_t frag_largest(const struct masq_engine *e, const struct masq_buf *b);

#endif
