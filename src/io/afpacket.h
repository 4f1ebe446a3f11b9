/* SPDX-License-Identifier: MIT */
/*
 * afpacket.h - the AF_PACKET sockets of an owned interface: frames in, out
 *
 * Moves frames and their offload metadata between the wire and pool
 * buffers, nothing more. Receive is a TPACKET_V2 ring (per-frame status,
 * so no block timeout delays a frame the way TPACKET_V3 does) of MTU-sized
 * slots, a longer frame read whole from the socket (PACKET_COPY_THRESH,
 * one recvmsg() per GSO super-frame); transmit is a TPACKET_V2 ring for
 * frames of 512 bytes to a slot (one kick per burst) and sendmmsg() for
 * the rest, both without the qdisc bypass (the kernel segments GSO frames
 * in software when the egress device cannot). With the virtio-net header
 * (PACKET_VNET_HDR), GSO super-frames and partial checksums come in with
 * their metadata in struct masq_meta and go out with it; a frame then
 * needs up to 64 KiB of pool buffer.
 */
#ifndef MASQ_IO_AFPACKET_H
#define MASQ_IO_AFPACKET_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "masq/engine.h"

/* Largest frame with the virtio-net header: 64 KiB of IP, Ethernet, a tag */
#define AFP_VNET_FRAME_MAX	(65535 + 14 + 4)
/* Pool buffer size that holds it, with MASQ_HEADROOM in front */
#define AFP_VNET_BUF_SIZE	(65536 + 256)
#define AFP_TX_BATCH		256
/*
 * Receive slots per port by default: 4096 x 2 KiB = 8 MiB. That holds
 * 4.1 ms of 1,514-byte frames at 10 Gbit/s (6.2 MB) or 2.75 ms of
 * 64-byte frames at 1 Gbit/s line rate (1.49 Mpps): about a scheduler
 * slice of 2 CPUs shared by three busy tasks (12 ms / 3), the longest
 * masqd is likely to be off its CPU under load (masqd(8), MEMORY).
 */
#define AFP_RING_FRAMES_DEFAULT	4096
/*
 * Transmit ring slots per port by default (2 KiB each: 2 MiB). A slot is
 * busy from the kick until the kernel frees the frame, which on veth is
 * when the receiving host consumed it; with all busy, frames go out with
 * sendmmsg() instead (masqd(8), MEMORY).
 */
#define AFP_TX_RING_FRAMES_DEFAULT 1024

/**
 * struct afp_config - how to open a port
 * @vnet_hdr:	carry the virtio-net header (offloads on the wire)
 * @ring_frames: receive ring slots (rounded up to whole blocks)
 * @tx_ring_frames: transmit ring slots (0: no ring, sendmmsg() only)
 * @mtu:	interface MTU (sizes the ring slots; 0: 1500)
 * @sockbuf:	SO_RCVBUFFORCE/SO_SNDBUFFORCE bytes (0: leave the default)
 * @mark:	SO_MARK for every frame sent (0: none); takeover.h's egress
 *		drop lets only frames with TO_TX_MARK out
 */
struct afp_config {
	bool vnet_hdr;
	uint32_t ring_frames;
	uint32_t tx_ring_frames;
	uint32_t mtu;
	uint32_t sockbuf;
	uint32_t mark;
};

/**
 * struct afp_stats - what happened on one port (never reset)
 * @rx_frames:	frames handed on
 * @rx_bytes:	their bytes
 * @rx_copied:	frames longer than a ring slot, read whole from the socket
 *		(included in @rx_frames)
 * @rx_truncated: frames longer than a ring slot whose copy the kernel did
 *		not queue (socket receive buffer full; dropped)
 * @rx_too_big:	frames longer than a pool buffer (dropped)
 * @rx_no_buf:	frames dropped because the pool was empty
 * @ring_drops:	frames the kernel dropped with the ring full (PACKET_STATISTICS)
 * @tx_frames:	frames sent (through the transmit ring or sendmmsg())
 * @tx_kicks:	system calls that sent the transmit ring's frames
 * @tx_bytes:	their bytes
 * @tx_failed:	frames the kernel refused (see @tx_last_errno)
 * @tx_last_errno: errno of the latest refusal
 * @sock_errors: socket errors reported through POLLERR (e.g. link down)
 */
struct afp_stats {
	uint64_t rx_frames;
	uint64_t rx_bytes;
	uint64_t rx_copied;
	uint64_t rx_truncated;
	uint64_t rx_too_big;
	uint64_t rx_no_buf;
	uint64_t ring_drops;
	uint64_t tx_frames;
	uint64_t tx_kicks;
	uint64_t tx_bytes;
	uint64_t tx_failed;
	int tx_last_errno;
	uint64_t sock_errors;
};

/**
 * struct afp_port - one interface's socket, ring and counters
 * @fd:		AF_PACKET socket, bound to @ifindex, non-blocking
 * @ifindex:	kernel interface index
 * @name:	interface name
 * @vnet_hdr:	frames carry the virtio-net header
 * @ring:	mapped receive ring
 * @ring_len:	its length
 * @frame_size:	bytes per slot
 * @frame_nr:	slots
 * @block_size:	bytes per block
 * @per_block:	slots per block
 * @head:	next slot to look at
 * @st:		counters
 * @tx:		preallocated transmit vectors
 * @txfd:	the transmit ring's socket, or -1 (sendmmsg() only)
 * @txring:	its mapped ring
 * @txring_len:	its length
 * @tx_frame_size: bytes per transmit slot
 * @tx_frame_nr: transmit slots
 * @tx_per_block: transmit slots per block
 * @tx_block_size: bytes per transmit block
 * @tx_head:	next transmit slot to fill
 * @tx_queued:	slots filled since the last kick
 * @borrowed:	@ring and @fd (and @txring, @txfd) are the caller's
 *		(afp_open_memory())
 */
struct afp_port {
	int fd;
	int ifindex;
	char name[IF_NAMESIZE];
	bool vnet_hdr;
	uint8_t *ring;
	size_t ring_len;
	uint32_t frame_size;
	uint32_t frame_nr;
	uint32_t block_size;
	uint32_t per_block;
	uint32_t head;
	struct afp_stats st;
	struct afp_tx *tx;
	int txfd;
	uint8_t *txring;
	size_t txring_len;
	uint32_t tx_frame_size;
	uint32_t tx_frame_nr;
	uint32_t tx_per_block;
	uint32_t tx_block_size;
	uint32_t tx_head;
	uint32_t tx_queued;
	bool borrowed;
};

int afp_open(struct afp_port *p, const char *name, int ifindex,
	     const struct afp_config *cfg, const char **step);
int afp_open_memory(struct afp_port *p, const char *name, int fd,
		    bool vnet_hdr, uint8_t *ring, uint32_t frame_size,
		    uint32_t frame_nr);
void afp_attach_tx_memory(struct afp_port *p, int txfd, uint8_t *txring,
			  uint32_t frame_size, uint32_t frame_nr);
void afp_close(struct afp_port *p);
uint32_t afp_rx_burst(struct afp_port *p, struct masq_pool *pool,
		      struct masq_buf **bufs, uint32_t max, uint32_t iface);
uint32_t afp_tx_burst(struct afp_port *p, struct masq_buf **bufs, uint32_t n);
void afp_stats_poll(struct afp_port *p);
int afp_clear_error(struct afp_port *p);
int afp_join_fanout(struct afp_port *p, uint16_t *group, bool external);

#endif
