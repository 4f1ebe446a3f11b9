/* SPDX-License-Identifier: MIT */
/*
 * umem.h - an AF_XDP UMEM's geometry and its free transmit frames
 *
 * Pure bookkeeping, no system call, so it is unit-tested on its own
 * (tests/unit/test_umem.c) and afxdp.c keeps only the kernel's side.
 *
 * Layout: a UMEM of @nframes frames of UMEM_FRAME_SIZE bytes. The first
 * @rx_frames belong to the receive side: they are all in the fill ring or
 * the RX ring at any time (a received frame is copied out and its address
 * goes straight back to the fill ring), so they need no list. The rest
 * are the transmit frames: a stack of free addresses; a frame is taken
 * for each descriptor put on the TX ring and comes back when the
 * completion ring returns its address. An address that is not a transmit
 * frame's start, or a frame that is not in flight (completed twice), is
 * refused and counted, never pushed (a byte per frame says which are in
 * flight), so a corrupt ring cannot overflow the stack or have a frame
 * handed out twice.
 */
#ifndef MASQ_IO_UMEM_H
#define MASQ_IO_UMEM_H

#include <stdbool.h>
#include <stdint.h>

#define UMEM_FRAME_SIZE		2048u
/*
 * Largest frame a UMEM frame takes: the kernel writes a received frame
 * after XDP_PACKET_HEADROOM (256 bytes) of the frame, and asks for no
 * more headroom than that (frame_headroom 0)
 */
#define UMEM_XDP_HEADROOM	256u
#define UMEM_FRAME_MAX		(UMEM_FRAME_SIZE - UMEM_XDP_HEADROOM)
/* Ethernet header and one 802.1Q tag around an IP packet of the MTU */
#define UMEM_L2_OVERHEAD	(14u + 4u)

/**
 * struct umem_frames - the free transmit frames of one UMEM
 * @free:	stack of free transmit frame addresses (@tx_frames slots)
 * @busy:	one byte per transmit frame: 1 while in flight
 * @nfree:	how many are on it
 * @rx_frames:	frames [0, @rx_frames) are the receive side's
 * @tx_frames:	frames [@rx_frames, @rx_frames + @tx_frames) transmit
 * @bad_addr:	addresses refused by umem_tx_put()
 */
struct umem_frames {
	uint64_t *free;
	uint8_t *busy;
	uint32_t nfree;
	uint32_t rx_frames;
	uint32_t tx_frames;
	uint64_t bad_addr;
};

bool umem_mtu_fits(uint32_t mtu);
bool umem_ring_size_ok(uint32_t n);
uint64_t umem_rx_addr(uint32_t i);
uint64_t umem_frame_base(uint64_t addr);
bool umem_rx_desc_ok(uint32_t rx_frames, uint64_t addr, uint32_t len);
void umem_frames_init(struct umem_frames *f, uint64_t *stack, uint8_t *busy,
		      uint32_t rx_frames, uint32_t tx_frames);
bool umem_tx_get(struct umem_frames *f, uint64_t *addr);
bool umem_tx_put(struct umem_frames *f, uint64_t addr);

#endif
