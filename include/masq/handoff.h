/* SPDX-License-Identifier: MIT */
/*
 * masq/handoff.h - a frame that landed on the wrong worker, passed on
 *
 * One ring per ordered pair of workers (from i to j): a single producer
 * (worker i's thread) and a single consumer (worker j's), lock-free with
 * C11 atomics, fixed size, nothing allocated after creation. A full ring
 * takes what fits; the rest is the producer's to drop, and is counted
 * (masq_handoff_drops()). The frames' buffers travel by pointer: whoever
 * wires the workers must let the consumer give them back to the pool
 * they came from (src/engine/handoff.c says how).
 *
 *	h = masq_handoff_create(1024)
 *	producer: k = masq_handoff_push(h, bufs, n)    bufs[k..n-1]: drop them
 *	consumer: n = masq_handoff_pop(h, bufs, max)   then masq_engine_input()
 */
#ifndef MASQ_HANDOFF_H
#define MASQ_HANDOFF_H

#include <stdbool.h>
#include <stdint.h>

struct masq_buf;
struct masq_handoff;

struct masq_handoff *masq_handoff_create(uint32_t slots);
void masq_handoff_destroy(struct masq_handoff *h);
uint32_t masq_handoff_push(struct masq_handoff *h, struct masq_buf *const *bufs,
			   uint32_t n);
uint32_t masq_handoff_pop(struct masq_handoff *h, struct masq_buf **bufs,
			  uint32_t max);
uint32_t masq_handoff_size(const struct masq_handoff *h);
uint64_t masq_handoff_drops(const struct masq_handoff *h);
bool masq_handoff_empty(const struct masq_handoff *h);

#endif
