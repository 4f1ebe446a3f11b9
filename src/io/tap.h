/* SPDX-License-Identifier: MIT */
/*
 * tap.h - a TAP device: the host's side of an owned interface (a twin)
 *
 * masqd gives the host kernel a TAP device per owned interface, with the
 * interface's MAC address and MTU, so the host's own services and
 * connections go through the engine (masqd/twin.c decides what goes on
 * it; this file only opens it and moves frames). Frames carry the
 * virtio-net header (IFF_VNET_HDR) both ways, so the host may hand masqd
 * 64 KiB TCP frames with a partial checksum (TUNSETOFFLOAD csum + TSO4,
 * when masqd carries the header on the wire too) and masqd may write the
 * GSO frames it received from the wire into the host unchanged.
 *
 * The device is not persistent: closing its descriptor removes it, so a
 * masqd that dies leaves no twin behind. The descriptor is non-blocking
 * and close-on-exec; nothing here waits.
 */
#ifndef MASQ_IO_TAP_H
#define MASQ_IO_TAP_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "masq/engine.h"

/**
 * struct tap_config - how to make a TAP device
 * @name:	its name (1 to 15 characters; an existing device of that
 *		name is refused with -EBUSY, never taken over, unless
 *		@adopt)
 * @mac:	its MAC address
 * @mtu:	its MTU
 * @offload:	let the host hand over partial checksums and TCP GSO
 *		frames (TUN_F_CSUM | TUN_F_TSO4); without it the kernel
 *		finishes both before masqd reads a frame
 * @persist:	TUNSETPERSIST: the device outlives the descriptor (a
 *		restart leaves it for the successor; tap_unpersist() and
 *		a link delete remove it)
 * @adopt:	attach to an existing persistent TAP of that name (a
 *		predecessor's twin: its addresses, routes and the host's
 *		sockets on it stay); none there: made as usual
 */
struct tap_config {
	const char *name;
	uint8_t mac[6];
	uint32_t mtu;
	bool offload;
	bool persist;
	bool adopt;
};

/**
 * struct tap_stats - frames through TAP devices; the caller keeps them
 * (they outlive a device that is made again)
 * @rx_frames:	frames read and handed on
 * @rx_bytes:	their bytes
 * @rx_dropped:	frames read and dropped: shorter than an Ethernet
 *		header, longer than a buffer
 * @rx_no_buf:	bursts cut short by an empty pool (the frames wait in the
 *		device's queue; the kernel drops what does not fit there)
 * @tx_frames:	frames written
 * @tx_bytes:	their bytes
 * @tx_dropped:	frames not written (device down, gone, queue full)
 * @tx_last_errno: errno of the latest @tx_dropped
 */
struct tap_stats {
	uint64_t rx_frames;
	uint64_t rx_bytes;
	uint64_t rx_dropped;
	uint64_t rx_no_buf;
	uint64_t tx_frames;
	uint64_t tx_bytes;
	uint64_t tx_dropped;
	int tx_last_errno;
};

/**
 * struct tap - an open TAP device
 * @fd:		the /dev/net/tun descriptor, -1 when closed
 * @sock:	a datagram socket for the interface ioctls (flags, MTU)
 * @ifindex:	kernel interface index
 * @name:	its name now (tap_link_state() follows a rename)
 * @err:	errno of a read or write that says the device is gone or
 *		down (EBADFD, EIO, ...), 0 while none: the caller looks
 */
struct tap {
	int fd;
	int sock;
	int ifindex;
	char name[IF_NAMESIZE];
	int err;
};

/* What tap_link_state() found */
enum tap_link {
	TAP_LINK_UP,
	TAP_LINK_DOWN,
	TAP_LINK_GONE,		/* deleted: the descriptor is dead */
	TAP_LINK_UNKNOWN,	/* a transient failure (a rename under way) */
	TAP_LINK_NUM
};

extern const char *const tap_link_names[TAP_LINK_NUM];

void tap_init(struct tap *t);
void tap_set_opener(int (*open_tun)(void));
int tap_open(struct tap *t, const struct tap_config *cfg, const char **step);
int tap_open_fd(struct tap *t, const char *name, int fd);
void tap_close(struct tap *t);
int tap_unpersist(const struct tap *t);
uint32_t tap_rx_burst(struct tap *t, struct masq_pool *pool,
		      struct masq_buf **bufs, uint32_t max, uint32_t iface,
		      struct tap_stats *st);
int tap_tx(struct tap *t, const struct masq_buf *b, struct tap_stats *st);
enum tap_link tap_link_state(struct tap *t);

#endif
