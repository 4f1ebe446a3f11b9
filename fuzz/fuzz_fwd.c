// SPDX-License-Identifier: MIT
/*
 * fuzz_fwd.c - the bench forwarder's per-frame work (bench/fwd/frame.c)
 *
 * The input's first byte picks the side the frame arrives on; the rest
 * is the frame (up to a pool buffer). fwd_frame() must not read past the
 * frame nor crash, and must account for every buffer: after it, the
 * pool's free buffers and those queued on the two sides add up to the
 * pool's size, and a queued frame fits its buffer. The neighbour tables
 * carry over between inputs, as they do in a run.
 */
#include <stdint.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "../bench/fwd/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fwd_if side[2];
static struct masq_pool *pool;

static void drain(struct fwd_if *f)
{
	for (uint32_t i = 0; i < f->nout; i++) {
		struct masq_buf *b = f->out[i];

		if (b->data < b->base || b->data + b->len > b->base + b->cap)
			abort();
		masq_pool_put(pool, b);
	}
	f->nout = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mac0[6] = { 2, 0x6d, 0x71, 0, 1, 1 };
	static const uint8_t mac1[6] = { 2, 0x6d, 0x71, 0, 2, 1 };
	struct fwd_stats st = { 0 };
	struct masq_buf *b;
	int s;

	if (!pool) {
		pool = masq_pool_create(8, 2048);
		if (!pool)
			abort();
		fwd_if_init(&side[0], htonl(0xc0a80001), mac0);
		fwd_if_init(&side[1], htonl(0xcb007101), mac1);
	}
	if (size < 1)
		return 0;
	s = data[0] & 1;
	b = masq_pool_get(pool);
	if (!b)
		abort();
	size--;
	if (size > b->cap - (uint32_t)(b->data - b->base))
		size = b->cap - (uint32_t)(b->data - b->base);
	memcpy(b->data, data + 1, size);
	b->len = (uint32_t)size;
	fwd_frame(&side[s], &side[!s], pool, b, &st);
	if (masq_pool_avail(pool) + side[0].nout + side[1].nout !=
	    masq_pool_count(pool))
		abort();
	drain(&side[0]);
	drain(&side[1]);
	return 0;
}
