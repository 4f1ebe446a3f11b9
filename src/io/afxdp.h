/* SPDX-License-Identifier: MIT */
/*
 * afxdp.h - AF_XDP sockets on an owned interface's queues: frames in and out
 *
 * The other backend of masqd's ports (masqd --io afxdp; AF_PACKET,
 * afpacket.h, is the default and works everywhere). An XDP program
 * (libxdp's default, xsk_def_xdp_prog) redirects every frame of receive
 * queue q to the socket bound to q before the kernel builds an sk_buff
 * for it, so the kernel's stack never sees the owned interface's frames.
 *
 * Queues: one socket per receive queue, as VPP and the NIC drivers'
 * own AF_XDP samples do: the program redirects a frame by the index of
 * the queue it arrived on (its XSKMAP has a slot per queue), so a queue
 * without a socket would hand its frames to the kernel's stack. A port
 * is the sockets one thread owns on one interface: the queues first,
 * first + step, first + 2 step, ... below the interface's count
 * (masqd --workers N: worker k takes first k, step N; one thread: all
 * of them). Each socket has its own UMEM and rings (the road not taken,
 * a shared UMEM, would need one fill and completion ring per socket all
 * the same and frames split between them; separate ones keep umem.h's
 * bookkeeping per socket and nothing shared between threads). A port
 * of several sockets polls them through one epoll descriptor (made
 * while privileged; poll() on it needs no new system call), receives
 * from each in turn, starting one further each burst, and transmits on
 * its first socket only (veth: a frame sent on tx queue q is received
 * on the peer's rx queue q). A port may have no socket at all (more
 * threads than queues): it receives nothing and cannot send
 * (afxdp_port.nq is 0; the caller hands its frames to a port that has).
 * More than AFXDP_MAX_QUEUES queues for one port are refused, naming
 * the fix (ethtool -L IFACE combined N).
 *
 * Mode: zero-copy where the driver supports it, else copy mode (veth,
 * and every driver without AF_XDP zero-copy); afxdp_port.zerocopy says
 * which. Either way masqd copies each frame between the UMEM and a pool
 * buffer (the engine's buffers stay independent of the rings, so a frame
 * can wait for ARP without holding a UMEM frame): one memcpy a frame,
 * hot in cache.
 *
 * Memory: a UMEM of 2 KiB frames, @rx_frames for the fill and RX rings
 * plus @tx_frames for transmit; with the defaults (masqd: 4096 + 1024)
 * 10 MiB a receive queue, pinned by the kernel (it counts against
 * RLIMIT_MEMLOCK, raised at setup while still root). The largest frame
 * is 1792 bytes (2 KiB less the kernel's 256 bytes of XDP headroom):
 * an MTU above 1774 is refused. No virtio-net header: XDP sees no GSO
 * super-frames (veth segments before XDP; a NIC with XDP has LRO off).
 *
 * Privilege: afxdp_open() needs CAP_NET_ADMIN, CAP_BPF (or
 * CAP_SYS_ADMIN) and CAP_NET_RAW; it loads and attaches the program
 * with bpf() and netlink, and makes a port's epoll descriptor
 * (epoll_create1, epoll_ctl: at open only). After it, the packet path
 * uses only recvfrom and sendto (the kicks), poll (on the socket or the
 * epoll descriptor), and getsockopt (XDP_STATISTICS, SO_ERROR). afxdp_close() with @detach false never calls bpf(): it
 * closes and unmaps only, and the program is left for the privileged
 * helper to detach (rtnl_link_xdp_detach()).
 */
#ifndef MASQ_IO_AFXDP_H
#define MASQ_IO_AFXDP_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "io/afpacket.h"
#include "masq/engine.h"

/*
 * Receive frames: 16 ms of 250,000 frames/s, what a busy 2-core box
 * needed: with 2048 the fill ring ran empty while masqd waited for a CPU
 * (bench-e2e udp1, two alternating pairs at load 6: loss 26 % and 10 %
 * with 2048, 0.45 % and 0 % with 4096). Transmit frames: copy mode sends within sendto(),
 * so a burst's frames are back before the next; 1024 is MASQD_TX_CAP.
 */
#define AFXDP_DEFAULT_RX_FRAMES	4096
#define AFXDP_DEFAULT_TX_FRAMES	1024
/* Sockets of one port (queues one thread owns on one interface) */
#define AFXDP_MAX_QUEUES	16

/**
 * struct afxdp_config - how to open a port
 * @rx_frames:	fill and RX ring size (a power of two, 64..65536)
 * @tx_frames:	TX and completion ring size (the same)
 * @mtu:	the interface's MTU (must fit a UMEM frame)
 * @force_copy:	copy mode even where zero-copy would work
 * @queue_first: the first receive queue of the port
 * @queue_step:	the next is this many further (0 or 1: every queue from
 *		@queue_first on)
 */
struct afxdp_config {
	uint32_t rx_frames;
	uint32_t tx_frames;
	uint32_t mtu;
	bool force_copy;
	uint32_t queue_first;
	uint32_t queue_step;
};

/**
 * struct afxdp_xstats - the socket's own counters (XDP_STATISTICS, and
 * this side's), cumulative
 * @rx_dropped:	frames the kernel dropped for other reasons than a full
 *		RX ring: no free frame in the fill ring (all of them wait
 *		in the RX ring: masqd is behind), too long for a frame
 * @rx_ring_full: frames dropped with the RX ring full
 *		(afp_stats.ring_drops is this plus @rx_dropped: every frame
 *		the kernel had no room for, AF_PACKET's meaning)
 * @fill_ring_empty: times the kernel found no frame in the fill ring
 * @tx_invalid:	transmit descriptors the kernel refused
 * @tx_no_frame: frames not sent: every transmit frame was in flight
 * @bad_addr:	completion addresses that were not a transmit frame's
 */
struct afxdp_xstats {
	uint64_t rx_dropped;
	uint64_t rx_ring_full;
	uint64_t fill_ring_empty;
	uint64_t tx_invalid;
	uint64_t tx_no_frame;
	uint64_t bad_addr;
};

struct afxdp_ring;

/**
 * struct afxdp_port - the sockets one thread owns on one interface:
 *		       one per receive queue, each with its UMEM; counters
 * @fd:		what to poll() for POLLIN: the socket (one queue), an epoll
 *		descriptor over them (several), -1 (none, or closed)
 * @ifindex:	kernel interface index
 * @name:	interface name
 * @zerocopy:	every socket bound in zero-copy mode (false: copy mode)
 * @st:		counters under AF_PACKET's names (afpacket.h), all sockets
 * @xs:		AF_XDP's own counters, all sockets
 * @nq:		sockets (0: this port owns no queue of the interface)
 * @rxq:	receive queues the interface has
 * @queue:	the queue each socket is bound to
 * @next:	the socket a burst starts with (turns)
 * @epfd:	the epoll descriptor (-1 with fewer than two sockets)
 * @r:		each socket's rings and UMEM (afxdp.c's); @r[0] transmits
 */
struct afxdp_port {
	int fd;
	int ifindex;
	char name[IF_NAMESIZE];
	bool zerocopy;
	struct afp_stats st;
	struct afxdp_xstats xs;
	uint32_t nq;
	uint32_t rxq;
	uint32_t queue[AFXDP_MAX_QUEUES];
	uint32_t next;
	int epfd;
	struct afxdp_ring *r[AFXDP_MAX_QUEUES];
};

bool afxdp_built(void);
int afxdp_rx_queues(const char *name);
int afxdp_open(struct afxdp_port *p, const char *name, int ifindex,
	       const struct afxdp_config *cfg, const char **step);
void afxdp_close(struct afxdp_port *p, bool detach);
uint32_t afxdp_rx_burst(struct afxdp_port *p, struct masq_pool *pool,
			struct masq_buf **bufs, uint32_t max, uint32_t iface);
uint32_t afxdp_tx_burst(struct afxdp_port *p, struct masq_buf **bufs,
			uint32_t n);
void afxdp_stats_poll(struct afxdp_port *p);
int afxdp_clear_error(struct afxdp_port *p);

#endif
