// SPDX-License-Identifier: MIT
/*
 * umem.c - an AF_XDP UMEM's geometry and its free transmit frames
 *
 * See umem.h. The stack is LIFO on purpose: the frame sent last is the
 * one most likely still in cache when it is taken again. Every operation
 * is O(1); nothing allocates (the caller gives the stack's memory).
 */
#include <string.h>

#include "io/umem.h"

/**
 * umem_mtu_fits() - Does a frame of this MTU fit in one UMEM frame?
 * @mtu:	interface MTU (IP bytes)
 *
 * AF_XDP has no multi-buffer frames here: a frame longer than a UMEM
 * frame cannot arrive (the kernel drops it), so such an MTU is refused.
 * Return: true when MTU + Ethernet header + one tag <= UMEM_FRAME_MAX
 */
bool umem_mtu_fits(uint32_t mtu)
{
	return mtu <= UMEM_FRAME_MAX - UMEM_L2_OVERHEAD;
}

/**
 * umem_ring_size_ok() - Is @n a size the kernel takes for an XDP ring?
 * @n:		descriptors
 *
 * Return: true for a power of two from 64 to 65536
 */
bool umem_ring_size_ok(uint32_t n)
{
	return n >= 64 && n <= 65536 && !(n & (n - 1));
}

/**
 * umem_rx_addr() - Address of the @i-th receive frame
 * @i:		frame index, below rx_frames
 *
 * Return: its offset in the UMEM
 */
uint64_t umem_rx_addr(uint32_t i)
{
	return (uint64_t)i * UMEM_FRAME_SIZE;
}

/**
 * umem_frame_base() - The start of the frame an address points into
 * @addr:	a descriptor's address (the kernel's RX descriptors point
 *		past the headroom)
 *
 * Return: @addr rounded down to a frame boundary
 */
uint64_t umem_frame_base(uint64_t addr)
{
	return addr & ~(uint64_t)(UMEM_FRAME_SIZE - 1);
}

/**
 * umem_rx_desc_ok() - Is an RX descriptor one the kernel could have made?
 * @rx_frames:	receive frames of the UMEM
 * @addr:	the descriptor's address
 * @len:	its length
 *
 * The ring is shared memory: a descriptor is read as hostile input. It
 * must lie in a receive frame, start past nothing but that frame's
 * start, and end inside the same frame, so copying @len bytes from @addr
 * stays in the frame.
 * Return: true when it may be copied
 */
bool umem_rx_desc_ok(uint32_t rx_frames, uint64_t addr, uint32_t len)
{
	uint64_t base = umem_frame_base(addr);

	return len && len <= UMEM_FRAME_MAX &&
	       base < (uint64_t)rx_frames * UMEM_FRAME_SIZE &&
	       addr - base + len <= UMEM_FRAME_SIZE;
}

/**
 * umem_frames_init() - Every transmit frame free
 * @f:		bookkeeping to fill
 * @stack:	room for @tx_frames addresses (the caller's)
 * @busy:	room for @tx_frames bytes (the caller's)
 * @rx_frames:	receive frames, first in the UMEM
 * @tx_frames:	transmit frames, after them
 */
void umem_frames_init(struct umem_frames *f, uint64_t *stack, uint8_t *busy,
		      uint32_t rx_frames, uint32_t tx_frames)
{
	f->free = stack;
	f->busy = busy;
	memset(busy, 0, tx_frames);
	f->rx_frames = rx_frames;
	f->tx_frames = tx_frames;
	f->bad_addr = 0;
	f->nfree = 0;
	/* pushed last to first, so the first taken is the lowest address */
	for (uint32_t i = tx_frames; i-- > 0;)
		f->free[f->nfree++] = (uint64_t)(rx_frames + i) * UMEM_FRAME_SIZE;
}

/**
 * umem_tx_get() - Take a free transmit frame
 * @f:		bookkeeping
 * @addr:	its UMEM address
 *
 * Return: false when every transmit frame is in flight
 */
bool umem_tx_get(struct umem_frames *f, uint64_t *addr)
{
	if (!f->nfree)
		return false;
	*addr = f->free[--f->nfree];
	f->busy[*addr / UMEM_FRAME_SIZE - f->rx_frames] = 1;
	return true;
}

/**
 * umem_tx_put() - A transmit frame is free again (the completion ring)
 * @f:		bookkeeping
 * @addr:	the address the kernel returned
 *
 * Return: false (and counted in bad_addr) when @addr is not the start of
 * a transmit frame, or that frame is not in flight (returned twice)
 */
bool umem_tx_put(struct umem_frames *f, uint64_t addr)
{
	uint64_t lo = (uint64_t)f->rx_frames * UMEM_FRAME_SIZE;
	uint64_t hi = lo + (uint64_t)f->tx_frames * UMEM_FRAME_SIZE;

	if (addr < lo || addr >= hi || addr % UMEM_FRAME_SIZE ||
	    !f->busy[(addr - lo) / UMEM_FRAME_SIZE]) {
		f->bad_addr++;
		return false;
	}
	f->busy[(addr - lo) / UMEM_FRAME_SIZE] = 0;
	f->free[f->nfree++] = addr;
	return true;
}
