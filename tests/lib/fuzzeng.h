/* SPDX-License-Identifier: MIT */
/*
 * fuzzeng.h - the engine the packet fuzzers feed (fuzz_frames,
 * fuzz_afpacket): configured, with rules and live connections, in the
 * mode the input's first byte picks, and the checks after every call
 */
#ifndef MASQ_TESTS_FUZZENG_H
#define MASQ_TESTS_FUZZENG_H

#include <stddef.h>
#include <stdint.h>

#include "masq/engine.h"

#define FUZZENG_NS	1000000000ull

/*
 * The mode byte: bits 0-1 filtering (0 and 3: address-and-port-dependent,
 * 1 address-dependent, 2 endpoint-independent), bit 2 address-and-port-
 * dependent mapping, bit 3 tcp-pickup on, bit 4 small host-cap,
 * inbound-halfopen and conntrack-max (so eviction runs often), bit 6
 * twins on for both interfaces (the router host's path, host.c) with a
 * few host-ports, bit 5 no rules beyond the default ruleset, bit 7
 * ipmasqadm forwards of every kind (portfw, mfw, autofw). Filtering 3
 * also puts a 2.x ruleset in place of the rules: ipchains, or with bit
 * 5 ipfwadm (each with marks, logs, TOS, REDIRECT, -b, accounting: all
 * of fw2.c).
 */

/**
 * fuzzeng_pool() - The fuzzers' one pool (made on first use)
 * @count:	buffers
 * @size:	bytes each
 */
struct masq_pool *fuzzeng_pool(uint32_t count, uint32_t size);

/**
 * fuzzeng_start() - A fuzzer's start: the pool; and when the environment
 * says MASQ_FUZZ_WRITE_SEEDS=DIR, @write_seeds(DIR) and exit
 * @count:	buffers
 * @size:	bytes each
 * @write_seeds: writes the target's seed inputs into a folder
 */
void fuzzeng_start(uint32_t count, uint32_t size,
		   void (*write_seeds)(const char *dir));

/* Write one seed input, @dir/seed-@name (a fuzzer's write_seeds()) */
void fuzzeng_seed(const char *dir, const char *name, const void *d, size_t n);

/**
 * fuzzeng_create() - An engine as the mode byte says, with the topology,
 * rules using every target that acts on a packet (DNAT, REDIRECT, MARK,
 * TCPMSS, REJECT, LOG, a chain long enough for the classifier) and
 * established TCP, UDP and ICMP connections
 * @mode:	the mode byte
 *
 * Aborts on failure (a fuzzer's setup must not fail).
 */
struct masq_engine *fuzzeng_create(uint8_t mode);

/**
 * fuzzeng_check() - After a call: every buffer is in the pool, in @tx or
 * held (at most the limits' neighbour queue), every frame out lies inside
 * its buffer, leaves by an existing interface and, if IPv4, has a valid
 * header checksum; the frames are given back to the pool. Reassembly
 * holds no more than its (smallest) budget, and its lists add up
 * (masq_engine_frag_held())
 */
void fuzzeng_check(struct masq_engine *e, struct masq_txq *tx);

/* Destroy @e and check that every buffer came back */
void fuzzeng_destroy(struct masq_engine *e);

#endif
