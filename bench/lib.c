// SPDX-License-Identifier: MIT
/*
 * lib.c - what the in-memory benchmarks share (see lib.h)
 *
 * One copy of each helper engine_bench.c and workers_bench.c (and
 * cls_bench.c's clock) used to carry: a number that differs between two
 * benchmarks should come from what they measure, never from two copies
 * of a frame builder or a median drifting apart. Nothing here is timed:
 * the callers read the clock around the engine alone.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib.h"
#include "../tests/lib/ctlline.h"
#include "engine/csum.h"
#include "engine/pkt.h"

/* The frames' addresses: to the router's lan0 and wan0 (bench_topology()),
 * from a host */
static const uint8_t lan_mac[ETH_ALEN] = { 2, 0x6d, 0x71, 0, 1, 1 };
static const uint8_t wan_mac[ETH_ALEN] = { 2, 0x6d, 0x71, 0, 2, 1 };
static const uint8_t host_mac[ETH_ALEN] = { 2, 0x6d, 0x71, 0, 1, 2 };

/**
 * bench_clock_s() - A clock's reading in seconds
 * @id:		CLOCK_MONOTONIC, CLOCK_THREAD_CPUTIME_ID, ...
 *
 * Return: seconds
 */
double bench_clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/**
 * bench_now_s() - CLOCK_MONOTONIC in seconds
 *
 * Return: seconds
 */
double bench_now_s(void)
{
	return bench_clock_s(CLOCK_MONOTONIC);
}

/**
 * bench_calloc() - calloc(), or exit(1) with a line: a benchmark has no
 *		    way on without its tables
 * @n:		elements
 * @size:	each one's size
 *
 * Return: zeroed memory
 */
void *bench_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		fprintf(stderr, "bench: out of memory (%zu x %zu bytes)\n", n,
			size);
		exit(1);
	}
	return p;
}

/**
 * bench_frame_tcp() - Write a 64-byte TCP frame (no payload) into @b
 * @b:		buffer (its room is the pool's, at least 64 bytes)
 * @iface:	0: arrives on lan0, 1: on wan0
 * @src:	source address, network order
 * @dst:	destination address, network order
 * @sport:	source port, network order
 * @dport:	destination port, network order
 * @flags:	TCP flags
 */
void bench_frame_tcp(struct masq_buf *b, int iface, uint32_t src,
		     uint32_t dst, uint16_t sport, uint16_t dport,
		     uint8_t flags)
{
	struct eth_hdr *eth = (struct eth_hdr *)b->data;
	struct ip4_hdr *ip = (struct ip4_hdr *)(eth + 1);
	struct tcp_hdr *th = (struct tcp_hdr *)(ip + 1);

	memcpy(eth->dst, iface ? wan_mac : lan_mac, ETH_ALEN);
	memcpy(eth->src, host_mac, ETH_ALEN);
	eth->type = htons(ETHERTYPE_IPV4);
	*ip = (struct ip4_hdr){ .ver_ihl = 0x45, .tot_len = htons(40),
				.ttl = 64, .proto = IPPROTO_TCP_,
				.saddr = src, .daddr = dst };
	ip->check = csum_buf(ip, sizeof(*ip));
	*th = (struct tcp_hdr){ .sport = sport, .dport = dport, .seq = 1,
				.ack = 1, .doff = 0x50, .flags = flags,
				.win = htons(65535) };
	b->len = ETH_HLEN + 40;
	b->iface = (uint32_t)iface;
	b->meta = (struct masq_meta){ .flags = MASQ_META_DATA_VALID };
}

/**
 * bench_topology() - The router the benchmarks' frames go through: lan0
 *		      10.1.0.1/16 (internal), wan0 203.0.113.1/24
 *		      (external), default via 203.0.113.254 with its
 *		      neighbour; exit(1) when a command fails
 * @e:		engine, new
 *
 * The caller adds its LAN hosts' neighbours (all at host_mac).
 */
void bench_topology(struct masq_engine *e)
{
	ctlline_must(e, "iface add lan0 mac 02:6d:71:00:01:01 role internal");
	ctlline_must(e, "iface add wan0 mac 02:6d:71:00:02:01 role external");
	ctlline_must(e, "addr add 10.1.0.1/16 dev lan0");
	ctlline_must(e, "addr add 203.0.113.1/24 dev wan0");
	ctlline_must(e, "route add default via 203.0.113.254");
	ctlline_must(e, "neigh add 203.0.113.254 lladdr 02:6d:71:00:02:02 dev wan0");
}

/**
 * bench_shuffled() - 0..@n-1 in an order fixed by @seed (Fisher-Yates
 *		      over a 64-bit LCG: the same on every machine)
 * @n:		how many
 * @seed:	the order's seed
 *
 * Return: the order (the caller frees it)
 */
uint32_t *bench_shuffled(uint32_t n, uint64_t seed)
{
	uint32_t *o = bench_calloc(n, sizeof(*o));

	for (uint32_t i = 0; i < n; i++)
		o[i] = i;
	for (uint32_t i = n ? n - 1 : 0; i > 0; i--) {
		uint32_t j, t;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		j = (uint32_t)((seed >> 33) % (i + 1));
		t = o[i];
		o[i] = o[j];
		o[j] = t;
	}
	return o;
}

/**
 * bench_median() - The median of @n rounds' figures (sorts @v in place:
 *		    an insertion sort, n is a handful of rounds)
 * @v:		figures
 * @n:		how many (at least 1)
 *
 * Return: v[n / 2] once sorted
 */
double bench_median(double *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
			double x = v[j];

			v[j] = v[j - 1];
			v[j - 1] = x;
		}
	return v[n / 2];
}
