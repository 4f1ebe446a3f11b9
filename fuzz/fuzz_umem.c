// SPDX-License-Identifier: MIT
/*
 * fuzz_umem.c - AF_XDP's shared rings as a hostile kernel could fill
 * them (src/io/umem.c)
 *
 * The input is a list of 12-byte records, each an operation on one
 * UMEM's bookkeeping (64 receive and 64 transmit frames): an RX
 * descriptor (address, length) to check, a completion address to give
 * back, or a transmit frame to take. What must hold whatever comes:
 * a descriptor umem_rx_desc_ok() accepts lies inside one receive frame
 * (a copy of it never leaves the frame); the free stack never holds more
 * than the transmit frames, never a duplicate, never anything but a
 * transmit frame's start; a frame taken is free no longer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/io/umem.h"

#define RX	64
#define TX	64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_stack(const struct umem_frames *f)
{
	uint8_t seen[TX] = { 0 };

	if (f->nfree > TX)
		abort();
	for (uint32_t i = 0; i < f->nfree; i++) {
		uint64_t a = f->free[i], k;

		if (a % UMEM_FRAME_SIZE || a < (uint64_t)RX * UMEM_FRAME_SIZE)
			abort();
		k = a / UMEM_FRAME_SIZE - RX;
		if (k >= TX || seen[k]++)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t stack[TX], taken[TX];
	uint8_t busy[TX];
	uint32_t ntaken = 0;
	struct umem_frames f;

	umem_frames_init(&f, stack, busy, RX, TX);
	for (size_t at = 0; at + 12 <= size; at += 12) {
		uint64_t addr;
		uint32_t len;

		memcpy(&addr, data + at, 8);
		memcpy(&len, data + at + 8, 4);
		switch (data[at] & 3) {
		case 0:		/* an RX descriptor */
			if (umem_rx_desc_ok(RX, addr, len) &&
			    (addr - umem_frame_base(addr) + len > UMEM_FRAME_SIZE ||
			     addr + len > (uint64_t)RX * UMEM_FRAME_SIZE ||
			     !len))
				abort();
			break;
		case 1:		/* a completion, maybe one of ours */
			if (ntaken && (len & 1))
				addr = taken[--ntaken];
			umem_tx_put(&f, umem_frame_base(addr));
			break;
		default:	/* take a transmit frame */
			if (umem_tx_get(&f, &addr)) {
				for (uint32_t i = 0; i < f.nfree; i++)
					if (f.free[i] == addr)
						abort();	/* still free */
				if (ntaken < TX)
					taken[ntaken++] = addr;
			}
			break;
		}
		check_stack(&f);
	}
	return 0;
}
