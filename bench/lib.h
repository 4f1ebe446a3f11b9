/* SPDX-License-Identifier: MIT */
/*
 * lib.h - what the in-memory benchmarks share (bench/lib.c): the clock,
 * the router's topology and the frames they feed its engine, a shuffled
 * visiting order, the median of rounds
 *
 * engine_bench, workers_bench and cls_bench link it; the shell side of
 * the benchmarks has its own bench/lib.sh.
 */
#ifndef MASQ_BENCH_LIB_H
#define MASQ_BENCH_LIB_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "masq/engine.h"

double bench_clock_s(clockid_t id);
double bench_now_s(void);
void *bench_calloc(size_t n, size_t size);
void bench_frame_tcp(struct masq_buf *b, int iface, uint32_t src,
		     uint32_t dst, uint16_t sport, uint16_t dport,
		     uint8_t flags);
void bench_topology(struct masq_engine *e);
uint32_t *bench_shuffled(uint32_t n, uint64_t seed);
double bench_median(double *v, int n);

#endif
