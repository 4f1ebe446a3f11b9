// SPDX-License-Identifier: MIT
/*
 * afpacket.c - AF_PACKET I/O: TPACKET_V2 receive and transmit rings
 *
 * Theory of operation
 *
 * Open: socket(AF_PACKET, SOCK_RAW, 0) receives nothing until bind(), so
 * the options go on first in the order the kernel needs (netlab README):
 * PACKET_VNET_HDR, then PACKET_VERSION = TPACKET_V2, then the RX ring,
 * PACKET_COPY_THRESH, PACKET_IGNORE_OUTGOING (or we would read back every
 * frame we send), socket buffers, and last bind() to the interface with
 * ETH_P_ALL. The transmit ring's socket (tx_ring_open()) is never bound.
 *
 * Receive: the ring is an array of fixed slots; the kernel fills a slot and
 * sets TP_STATUS_USER, we copy the frame into a pool buffer and hand the
 * slot back with TP_STATUS_KERNEL (acquire/release ordering on the status
 * word). Slots are sized for the MTU (2 KiB at 1500), not for the 64 KiB
 * GSO super-frames the virtio-net header lets in: with PACKET_COPY_THRESH
 * the kernel puts as much of a longer frame as fits into its slot, marks
 * the slot TP_STATUS_COPY and queues the whole frame on the socket's
 * receive queue as well, in slot order (both under the queue's lock, the
 * copy queued before the slot is handed to us). Meeting such a slot we
 * read one datagram with recvmsg() -- the virtio-net header, then the
 * frame -- into the pool buffer: one system call per super-frame, none
 * for a frame that fits. The slot's header still describes the frame
 * (length, VLAN tag), so no PACKET_AUXDATA is needed; a datagram whose
 * length is not the slot's tp_len is a stale copy and is skipped (at
 * most AFP_COPY_SKIP). When the receive buffer is full the kernel queues
 * no copy and leaves the slot without TP_STATUS_COPY: the frame is lost
 * (rx_truncated). A 64 KiB slot per frame made the default rings 2 x 35
 * MiB resident for frames that are mostly 1,514 bytes or less.
 * Copying out of the slot costs less than it seems (the frame is hot in
 * cache) and keeps the engine's buffers independent of the ring, so a
 * frame can wait for ARP without pinning a slot. The kernel strips an 802.1Q tag into the
 * slot header (TP_STATUS_VLAN_VALID); it is put back into the frame so the
 * engine sees the frame as it was on the wire (and drops a tag it was not
 * configured for). With PACKET_VNET_HDR the kernel writes a virtio_net_hdr
 * just before the frame in the slot; its fields (host order: legacy virtio
 * is native-endian) become struct masq_meta.
 *
 * Transmit: a TPACKET_V2 transmit ring on a socket of its own (on a
 * socket with a TX ring every sendmsg() only kicks the ring), and
 * sendmmsg() with MSG_DONTWAIT on the receive socket. A frame of 512
 * bytes up to a slot (2 KiB) is copied into the next free slot with its
 * virtio-net header and marked TP_STATUS_SEND_REQUEST; one
 * sendto(NULL, 0) at the end of the burst sends them all. Shorter frames,
 * GSO super-frames and frames finding their slot still in flight go with
 * sendmmsg(), with an iovec of {virtio_net_hdr, frame}; the ring is
 * kicked before a sendmmsg() and a gathered batch sent before the next
 * slot is filled, so frames leave in the order given. Against sendmmsg()
 * alone, in 8 alternating pairs on the busy 2-core lab: iperf3 with
 * offloads off faster in all 8, by 9 to 110 % (median 18 %; the ring's
 * frame is sent as a page reference, not copied again), 64-byte UDP
 * worse with every frame in the ring (more CPU a frame and more loss in
 * 3 of 3 pairs), hence the 512-byte floor. No
 * PACKET_QDISC_BYPASS: with GSO frames it fails with ENOBUFS on a device
 * without TSO, while the normal path segments in software. A refused
 * frame is counted (tx_failed, the last errno kept) and skipped; nothing
 * blocks.
 *
 * Memory: the rings are mapped once at open; the transmit vectors are
 * allocated once at open (AFP_TX_BATCH entries). Nothing is allocated
 * per frame. Receive slots: 2 KiB (or MTU-sized), AFP_RING_FRAMES_DEFAULT
 * of them: 8 MiB a port (masqd(8), MEMORY, says why that many); transmit
 * slots the same size, AFP_TX_RING_FRAMES_DEFAULT: 2 MiB. Frames waiting
 * as copies are kernel memory, bounded by the receive buffer.
 *
 * Limits: a frame longer than a slot whose copy the kernel did not queue,
 * or longer than a pool buffer, is dropped and counted; so is one that
 * arrives with the pool empty (its copy is read and thrown away).
 * PACKET_STATISTICS drops (ring full) are read by afp_stats_poll().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/ip_icmp.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "io/afpacket.h"
#include "io/vnet.h"

#define AFP_SLOT_SLACK		128	/* tpacket2_hdr, sockaddr_ll, vnet hdr */
#define AFP_BLOCK_TARGET	(128u * 1024)
#define AFP_COPY_SKIP		4	/* stale copies skipped to find a frame's */
/*
 * Frames shorter than this go with sendmmsg(), not the transmit ring: the
 * ring's frame leaves as a page reference into the ring (the kernel copies
 * only the link header), which saves the copy of a 1,514-byte frame but
 * costs more than copying 64 bytes (page reference, a receiver pulling
 * its headers out of the page, a freed slot written from another CPU).
 * Measured at 64 and 1,514 bytes only (masqd(8), MEMORY); 512 is between.
 */
#define AFP_TX_RING_MIN		512
/* where a TPACKET_V2 transmit slot's frame starts (no PACKET_TX_HAS_OFF) */
#define AFP_TX_DATA_OFF		(TPACKET2_HDRLEN - sizeof(struct sockaddr_ll))
/*
 * The receive buffer the copies of long frames wait in, at least: the
 * kernel grants twice this, 32 MiB, about 450 GSO super-frames of 64 KiB
 * (truesize ~70 KiB) -- what the 512 slots of 68 KiB held before, and
 * only while they wait. 8 MiB granted lost 0.3 % of them to
 * rx_truncated under iperf3 -P 4 with offloads on; 32 MiB lost none.
 */
#define AFP_COPY_RCVBUF		(16 << 20)

/* Preallocated transmit vectors (one sendmmsg batch) */
struct afp_tx {
	struct mmsghdr msg[AFP_TX_BATCH];
	struct iovec iov[AFP_TX_BATCH][2];
	struct virtio_net_hdr vh[AFP_TX_BATCH];
	struct masq_buf *buf[AFP_TX_BATCH];
};

static uint32_t round_up(uint32_t v, uint32_t to)
{
	return (v + to - 1) / to * to;
}

/*
 * A ring of at least @frames slots of at least @slot_bytes (2 KiB at
 * least), in page-rounded blocks of about AFP_BLOCK_TARGET bytes
 */
static void slots_in_blocks(uint32_t slot_bytes, uint32_t frames,
			    struct tpacket_req *r)
{
	uint32_t page = (uint32_t)sysconf(_SC_PAGESIZE);
	uint32_t fsz = round_up(slot_bytes, TPACKET_ALIGNMENT);
	uint32_t per, blocks;

	if (fsz < 2048)
		fsz = 2048;
	per = AFP_BLOCK_TARGET / fsz ? AFP_BLOCK_TARGET / fsz : 1;
	r->tp_frame_size = fsz;
	r->tp_block_size = round_up(per * fsz, page);
	per = r->tp_block_size / fsz;
	blocks = (frames + per - 1) / per;
	r->tp_block_nr = blocks ? blocks : 1;
	r->tp_frame_nr = r->tp_block_nr * per;
}

/*
 * Slot and block geometry: a slot holds a frame of the MTU with a tag;
 * longer ones (GSO super-frames) come whole through the copy path
 */
static void ring_geometry(const struct afp_config *cfg, struct tpacket_req *r)
{
	uint32_t frame_max = (cfg->mtu ? cfg->mtu : 1500) + ETH_HLEN + 4;

	slots_in_blocks(AFP_SLOT_SLACK + frame_max, cfg->ring_frames, r);
}

static int sockopt(int fd, int level, int name, const void *v, socklen_t len,
		   const char **step, const char *what)
{
	if (setsockopt(fd, level, name, v, len) == 0)
		return 0;
	*step = what;
	return -errno;
}

/* Everything that must precede bind(), in the kernel's order */
static int afp_setup(struct afp_port *p, const struct afp_config *cfg,
		     const char **step)
{
	int ver = TPACKET_V2, one = 1, buf = (int)cfg->sockbuf, ret;
	struct tpacket_req req;

	if (cfg->vnet_hdr) {
		ret = sockopt(p->fd, SOL_PACKET, PACKET_VNET_HDR, &one,
			      sizeof(one), step, "setsockopt PACKET_VNET_HDR");
		if (ret)
			return ret;
	}
	ret = sockopt(p->fd, SOL_PACKET, PACKET_VERSION, &ver, sizeof(ver),
		      step, "setsockopt PACKET_VERSION TPACKET_V2");
	if (ret)
		return ret;
	ring_geometry(cfg, &req);
	ret = sockopt(p->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req),
		      step, "setsockopt PACKET_RX_RING");
	if (ret)
		return ret;
	p->frame_size = req.tp_frame_size;
	p->frame_nr = req.tp_frame_nr;
	p->block_size = req.tp_block_size;
	p->per_block = req.tp_block_size / req.tp_frame_size;
	p->ring_len = (size_t)req.tp_block_size * req.tp_block_nr;
	ret = sockopt(p->fd, SOL_PACKET, PACKET_COPY_THRESH, &one,
		      sizeof(one), step, "setsockopt PACKET_COPY_THRESH");
	if (ret)	/* frames longer than a slot: the copy path */
		return ret;
	ret = sockopt(p->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
		      sizeof(one), step, "setsockopt PACKET_IGNORE_OUTGOING");
	if (!ret && cfg->mark)	/* lets our frames past the egress drop */
		ret = sockopt(p->fd, SOL_SOCKET, SO_MARK, &cfg->mark,
			      sizeof(cfg->mark), step, "setsockopt SO_MARK");
	if (ret || !buf)
		return ret;
	ret = sockopt(p->fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf),
		      step, "setsockopt SO_SNDBUFFORCE");
	if (buf < AFP_COPY_RCVBUF)	/* where the copies wait */
		buf = AFP_COPY_RCVBUF;
	if (!ret)
		ret = sockopt(p->fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf,
			      sizeof(buf), step, "setsockopt SO_RCVBUFFORCE");
	return ret;
}

static int afp_map_bind(struct afp_port *p, const char **step)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = p->ifindex,
	};
	void *ring;

	ring = mmap(NULL, p->ring_len, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_LOCKED | MAP_POPULATE, p->fd, 0);
	if (ring == MAP_FAILED)	/* MAP_LOCKED may exceed RLIMIT_MEMLOCK */
		ring = mmap(NULL, p->ring_len, PROT_READ | PROT_WRITE,
			    MAP_SHARED, p->fd, 0);
	if (ring == MAP_FAILED) {
		*step = "mmap of the receive ring";
		return -errno;
	}
	p->ring = ring;
	if (bind(p->fd, (struct sockaddr *)&sll, sizeof(sll))) {
		*step = "bind to the interface";
		return -errno;
	}
	return 0;
}

/* Transmit slots: a frame of the MTU with a tag and the virtio-net header */
static void tx_geometry(const struct afp_config *cfg, struct tpacket_req *r)
{
	uint32_t frame_max = (cfg->mtu ? cfg->mtu : 1500) + ETH_HLEN + 4 +
			     (uint32_t)sizeof(struct virtio_net_hdr);

	slots_in_blocks(AFP_TX_DATA_OFF + frame_max, cfg->tx_ring_frames, r);
}

/*
 * The transmit ring gets a socket of its own: on a socket with a TX ring
 * every sendmsg() only kicks the ring, so the frames too long for a slot
 * (GSO super-frames) keep going out with sendmmsg() on the receive
 * socket. Protocol 0 and no bind(): this socket receives nothing; a kick
 * names the interface (tx_kick()). PACKET_LOSS: a frame the kernel
 * refuses frees its slot instead of stopping the ring.
 */
static int tx_ring_open(struct afp_port *p, const struct afp_config *cfg,
			const char **step)
{
	int ver = TPACKET_V2, one = 1, buf = (int)cfg->sockbuf, ret = 0;
	struct tpacket_req req;
	void *ring;

	p->txfd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (p->txfd < 0) {
		*step = "socket(AF_PACKET) for the transmit ring";
		return -errno;
	}
	if (cfg->vnet_hdr)
		ret = sockopt(p->txfd, SOL_PACKET, PACKET_VNET_HDR, &one,
			      sizeof(one), step, "setsockopt PACKET_VNET_HDR (tx)");
	if (!ret)
		ret = sockopt(p->txfd, SOL_PACKET, PACKET_VERSION, &ver,
			      sizeof(ver), step, "setsockopt PACKET_VERSION (tx)");
	if (!ret)
		ret = sockopt(p->txfd, SOL_PACKET, PACKET_LOSS, &one,
			      sizeof(one), step, "setsockopt PACKET_LOSS");
	if (!ret && cfg->mark)
		ret = sockopt(p->txfd, SOL_SOCKET, SO_MARK, &cfg->mark,
			      sizeof(cfg->mark), step, "setsockopt SO_MARK (tx)");
	if (!ret && buf)
		ret = sockopt(p->txfd, SOL_SOCKET, SO_SNDBUFFORCE, &buf,
			      sizeof(buf), step, "setsockopt SO_SNDBUFFORCE (tx)");
	tx_geometry(cfg, &req);
	if (!ret)
		ret = sockopt(p->txfd, SOL_PACKET, PACKET_TX_RING, &req,
			      sizeof(req), step, "setsockopt PACKET_TX_RING");
	if (ret)
		return ret;
	p->tx_frame_size = req.tp_frame_size;
	p->tx_frame_nr = req.tp_frame_nr;
	p->tx_block_size = req.tp_block_size;
	p->tx_per_block = req.tp_block_size / req.tp_frame_size;
	p->txring_len = (size_t)req.tp_block_size * req.tp_block_nr;
	ring = mmap(NULL, p->txring_len, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_POPULATE, p->txfd, 0);
	if (ring == MAP_FAILED) {
		*step = "mmap of the transmit ring";
		return -errno;
	}
	p->txring = ring;
	return 0;
}

/**
 * afp_open() - Open an AF_PACKET port on one interface
 * @p:		port to fill
 * @name:	interface name (for messages)
 * @ifindex:	kernel interface index
 * @cfg:	ring size, header, buffers
 * @step:	on failure, names the step that failed
 *
 * Return: 0, or -errno (the port is then closed)
 */
int afp_open(struct afp_port *p, const char *name, int ifindex,
	     const struct afp_config *cfg, const char **step)
{
	int ret;

	memset(p, 0, sizeof(*p));
	p->fd = -1;
	p->txfd = -1;
	p->ifindex = ifindex;
	p->vnet_hdr = cfg->vnet_hdr;
	strncpy(p->name, name, sizeof(p->name) - 1);
	p->tx = calloc(1, sizeof(*p->tx));
	if (!p->tx) {
		*step = "allocating transmit vectors";
		return -ENOMEM;
	}
	p->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (p->fd < 0) {
		*step = "socket(AF_PACKET)";
		ret = -errno;
		goto fail;
	}
	ret = afp_setup(p, cfg, step);
	if (!ret)
		ret = afp_map_bind(p, step);
	if (!ret && cfg->tx_ring_frames)
		ret = tx_ring_open(p, cfg, step);
	if (!ret)
		return 0;
fail:
	afp_close(p);
	return ret;
}

/**
 * afp_open_memory() - A port over a ring and a socket the caller made
 * @p:		port to fill
 * @name:	a name (for messages)
 * @fd:		a socket frames are sent on (a socketpair, to read them back)
 * @vnet_hdr:	frames carry the virtio-net header
 * @ring:	@frame_nr slots of @frame_size bytes, tpacket2_hdr first, as
 *		the kernel fills them (one slot per block)
 * @frame_size:	bytes per slot
 * @frame_nr:	slots
 *
 * The receive and transmit code as masqd runs it, without a kernel ring:
 * the fuzzer (fuzz/fuzz_afpacket.c) writes the slots itself. The ring and
 * @fd stay the caller's; afp_close() frees only what this made.
 * Return: 0, or -ENOMEM
 */
int afp_open_memory(struct afp_port *p, const char *name, int fd,
		    bool vnet_hdr, uint8_t *ring, uint32_t frame_size,
		    uint32_t frame_nr)
{
	memset(p, 0, sizeof(*p));
	p->fd = -1;
	p->txfd = -1;
	p->tx = calloc(1, sizeof(*p->tx));
	if (!p->tx)
		return -ENOMEM;
	strncpy(p->name, name, sizeof(p->name) - 1);
	p->vnet_hdr = vnet_hdr;
	p->ring = ring;
	p->frame_size = p->block_size = frame_size;
	p->frame_nr = frame_nr;
	p->per_block = 1;
	p->fd = fd;
	p->borrowed = true;
	return 0;
}

/**
 * afp_attach_tx_memory() - Give a memory port a transmit ring
 * @p:		port from afp_open_memory()
 * @txfd:	socket a kick is sent on (an empty datagram on a socketpair)
 * @txring:	@frame_nr slots of @frame_size bytes (one slot per block),
 *		all TP_STATUS_AVAILABLE
 * @frame_size:	bytes per slot
 * @frame_nr:	slots
 *
 * The ring and @txfd stay the caller's, who plays the kernel: it reads
 * the slots marked TP_STATUS_SEND_REQUEST and hands them back.
 */
void afp_attach_tx_memory(struct afp_port *p, int txfd, uint8_t *txring,
			  uint32_t frame_size, uint32_t frame_nr)
{
	p->txfd = txfd;
	p->txring = txring;
	p->tx_frame_size = p->tx_block_size = frame_size;
	p->tx_frame_nr = frame_nr;
	p->tx_per_block = 1;
	p->tx_head = 0;
	p->tx_queued = 0;
}

/**
 * afp_close() - Unmap the ring and close the socket
 * @p:		port (may be half-open or closed)
 */
void afp_close(struct afp_port *p)
{
	if (p->borrowed) {		/* afp_open_memory(): the caller's */
		p->ring = p->txring = NULL;
		p->fd = p->txfd = -1;
	}
	if (p->ring)
		munmap(p->ring, p->ring_len);
	if (p->txring)
		munmap(p->txring, p->txring_len);
	if (p->fd >= 0)
		close(p->fd);
	if (p->txfd >= 0)
		close(p->txfd);
	free(p->tx);
	p->ring = p->txring = NULL;
	p->tx = NULL;
	p->fd = p->txfd = -1;
}

static struct tpacket2_hdr *slot(const struct afp_port *p, uint32_t i)
{
	/* slots never straddle blocks: a block holds per_block whole slots */
	size_t off = (size_t)(i / p->per_block) * p->block_size +
		     (size_t)(i % p->per_block) * p->frame_size;

	return (struct tpacket2_hdr *)(p->ring + off);
}

/* The 802.1Q tag the kernel took out of a frame, as it was on the wire */
static void write_tag(uint8_t *at, const struct tpacket2_hdr *h)
{
	uint16_t tpid, tci;

	tpid = htons(h->tp_status & TP_STATUS_VLAN_TPID_VALID ?
		     h->tp_vlan_tpid : ETH_P_8021Q);
	tci = htons(h->tp_vlan_tci);
	memcpy(at, &tpid, 2);
	memcpy(at + 2, &tci, 2);
}

/* Offsets into the frame move by the tag put back in front of them */
static void meta_after_tag(struct masq_meta *m)
{
	if (m->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
		m->csum_start += 4;
	if (m->hdr_len)
		m->hdr_len += 4;
}

/* Copy a frame, putting back the 802.1Q tag the kernel took out */
static void copy_frame(struct masq_buf *b, const uint8_t *f, uint32_t len,
		       const struct tpacket2_hdr *h, bool tagged)
{
	if (!tagged) {
		memcpy(b->data, f, len);
		b->len = len;
		return;
	}
	memcpy(b->data, f, 12);
	write_tag(b->data + 12, h);
	memcpy(b->data + 16, f + 12, len - 12);
	b->len = len + 4;
	meta_after_tag(&b->meta);
}

static bool buf_holds(const struct masq_buf *b, uint32_t len)
{
	return (size_t)(b->data - b->base) + len <= b->cap;
}

/* Throw away the datagram at the head of the receive queue */
static void copy_discard(struct afp_port *p)
{
	uint8_t scratch[64];	/* longer than the virtio-net header */

	(void)recv(p->fd, scratch, sizeof(scratch), MSG_DONTWAIT | MSG_TRUNC);
}

/*
 * Read the queued copy of a @len-byte frame to @dst, its virtio-net header
 * to @meta. A datagram of another length is a copy whose slot we never
 * saw (the kernel failed the slot after queueing it): skipped, at most
 * AFP_COPY_SKIP of them. Return: 0, or -1 (no copy: the frame is lost)
 */
static int copy_read(struct afp_port *p, uint8_t *dst, uint32_t len,
		     struct masq_meta *meta)
{
	struct virtio_net_hdr v;
	struct iovec iov[2] = { { &v, sizeof(v) }, { dst, len } };
	struct msghdr m = { .msg_iov = p->vnet_hdr ? iov : iov + 1,
			    .msg_iovlen = p->vnet_hdr ? 2 : 1 };
	ssize_t want = (ssize_t)len + (p->vnet_hdr ? (ssize_t)sizeof(v) : 0);

	for (int i = 0; i <= AFP_COPY_SKIP; i++) {
		ssize_t r = recvmsg(p->fd, &m, MSG_DONTWAIT | MSG_TRUNC);

		if (r < 0)
			return -1;
		if (r != want)
			continue;
		if (p->vnet_hdr)
			vnet_to_meta(&v, meta);
		return 0;
	}
	return -1;
}

/*
 * A frame longer than its slot (TP_STATUS_COPY): the whole of it from the
 * receive queue, one recvmsg(); NULL when dropped (counted)
 */
static struct masq_buf *rx_copy(struct afp_port *p, struct masq_pool *pool,
				const struct tpacket2_hdr *h, bool tagged)
{
	uint32_t len = h->tp_len, off = tagged ? 4 : 0;
	struct masq_buf *b = masq_pool_get(pool);

	if (!b || !buf_holds(b, len + off)) {
		copy_discard(p);	/* the next copy is the next slot's */
		if (!b) {
			p->st.rx_no_buf++;
			return NULL;
		}
		p->st.rx_too_big++;
		masq_pool_put(pool, b);
		return NULL;
	}
	if (copy_read(p, b->data + off, len, &b->meta)) {
		p->st.rx_truncated++;
		masq_pool_put(pool, b);
		return NULL;
	}
	if (tagged) {	/* read 4 bytes in: the addresses move down */
		memmove(b->data, b->data + 4, 12);
		write_tag(b->data + 12, h);
		meta_after_tag(&b->meta);
	}
	b->len = len + off;
	p->st.rx_copied++;
	p->st.rx_frames++;
	p->st.rx_bytes += b->len;
	return b;
}

/* One slot to one buffer, or NULL (dropped, counted) */
static struct masq_buf *rx_one(struct afp_port *p, struct masq_pool *pool,
			       const struct tpacket2_hdr *h, uint32_t status)
{
	uint32_t len = h->tp_len, vh = p->vnet_hdr ? sizeof(struct virtio_net_hdr) : 0;
	bool tagged = (status & TP_STATUS_VLAN_VALID) && len >= 12;
	const uint8_t *f = (const uint8_t *)h + h->tp_mac;
	struct masq_buf *b;

	if (h->tp_snaplen < len && (status & TP_STATUS_COPY))
		return rx_copy(p, pool, h, tagged);
	if (h->tp_snaplen < len || h->tp_mac < vh ||
	    (size_t)h->tp_mac + len > p->frame_size) {
		p->st.rx_truncated++;	/* no copy: receive buffer full */
		return NULL;
	}
	b = masq_pool_get(pool);
	if (!b) {
		p->st.rx_no_buf++;
		return NULL;
	}
	if (!buf_holds(b, len + (tagged ? 4 : 0))) {
		p->st.rx_too_big++;
		masq_pool_put(pool, b);
		return NULL;
	}
	if (vh) {
		struct virtio_net_hdr v;

		memcpy(&v, f - vh, sizeof(v));
		vnet_to_meta(&v, &b->meta);
	}
	copy_frame(b, f, len, h, tagged);
	p->st.rx_frames++;
	p->st.rx_bytes += b->len;
	return b;
}

/**
 * afp_rx_burst() - Take up to @max frames from the receive ring
 * @p:		port
 * @pool:	buffers come from here
 * @bufs:	filled with the frames, ->iface and ->meta set
 * @max:	room in @bufs
 * @iface:	engine interface index to stamp on each frame
 *
 * Return: number of frames in @bufs (less than @max: the ring is empty)
 */
uint32_t afp_rx_burst(struct afp_port *p, struct masq_pool *pool,
		      struct masq_buf **bufs, uint32_t max, uint32_t iface)
{
	uint32_t n = 0;

	while (n < max) {
		struct tpacket2_hdr *h = slot(p, p->head);
		uint32_t st = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);
		struct masq_buf *b;

		if (!(st & TP_STATUS_USER))
			break;
		b = rx_one(p, pool, h, st);
		__atomic_store_n(&h->tp_status, TP_STATUS_KERNEL,
				 __ATOMIC_RELEASE);
		p->head = p->head + 1 == p->frame_nr ? 0 : p->head + 1;
		if (!b)
			continue;
		b->iface = iface;
		bufs[n++] = b;
	}
	return n;
}

static void tx_fill(struct afp_port *p, uint32_t i, struct masq_buf *b)
{
	struct afp_tx *t = p->tx;
	struct virtio_net_hdr *v = &t->vh[i];
	struct iovec *iov = t->iov[i];

	t->buf[i] = b;
	memset(&t->msg[i], 0, sizeof(t->msg[i]));
	t->msg[i].msg_hdr.msg_iov = iov;
	if (p->vnet_hdr) {
		vnet_from_meta(&b->meta, v);	/* NEEDS_CSUM only: vnet.h */
		iov[0] = (struct iovec){ v, sizeof(*v) };
		iov[1] = (struct iovec){ b->data, b->len };
		t->msg[i].msg_hdr.msg_iovlen = 2;
	} else {
		iov[0] = (struct iovec){ b->data, b->len };
		t->msg[i].msg_hdr.msg_iovlen = 1;
	}
}

/* Send t->msg[0..n); a refused frame is counted and skipped */
static uint32_t tx_send(struct afp_port *p, uint32_t n)
{
	uint32_t i = 0, sent = 0;

	while (i < n) {
		int r = sendmmsg(p->fd, &p->tx->msg[i], n - i, MSG_DONTWAIT);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			p->st.tx_failed++;
			p->st.tx_last_errno = errno;
			i++;
			continue;
		}
		for (int k = 0; k < r; k++)
			p->st.tx_bytes += p->tx->buf[i + (uint32_t)k]->len;
		sent += (uint32_t)r;
		i += (uint32_t)r;
	}
	p->st.tx_frames += sent;
	return sent;
}

static struct tpacket2_hdr *tx_slot(const struct afp_port *p, uint32_t i)
{
	size_t off = (size_t)(i / p->tx_per_block) * p->tx_block_size +
		     (size_t)(i % p->tx_per_block) * p->tx_frame_size;

	return (struct tpacket2_hdr *)(p->txring + off);
}

/*
 * Whether @b goes into the next transmit slot: not when it is too long
 * for one or the slot is still the kernel's (sent, not yet freed); it
 * then goes with sendmmsg(). A freed slot may carry a timestamp flag
 * besides TP_STATUS_AVAILABLE (0), so only the busy states are looked at.
 */
static bool tx_ring_takes(const struct afp_port *p, const struct masq_buf *b)
{
	uint32_t vh = p->vnet_hdr ? sizeof(struct virtio_net_hdr) : 0;
	const struct tpacket2_hdr *h;

	if (!p->txring || b->len < AFP_TX_RING_MIN ||
	    AFP_TX_DATA_OFF + vh + b->len > p->tx_frame_size)
		return false;
	h = tx_slot(p, p->tx_head);
	return !(__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) &
		 (TP_STATUS_SEND_REQUEST | TP_STATUS_SENDING |
		  TP_STATUS_WRONG_FORMAT));
}

/* Copy @b into the next transmit slot (tx_ring_takes() said it fits) */
static void tx_ring_put(struct afp_port *p, const struct masq_buf *b)
{
	struct tpacket2_hdr *h = tx_slot(p, p->tx_head);
	uint32_t vh = p->vnet_hdr ? sizeof(struct virtio_net_hdr) : 0;
	uint8_t *d = (uint8_t *)h + AFP_TX_DATA_OFF;

	if (vh) {
		struct virtio_net_hdr v;

		vnet_from_meta(&b->meta, &v);	/* NEEDS_CSUM only: vnet.h */
		memcpy(d, &v, sizeof(v));
	}
	memcpy(d + vh, b->data, b->len);
	h->tp_len = vh + b->len;
	__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST,
			 __ATOMIC_RELEASE);
	p->tx_head = p->tx_head + 1 == p->tx_frame_nr ? 0 : p->tx_head + 1;
	p->tx_queued++;
	p->st.tx_bytes += b->len;
}

/*
 * One system call sends every slot filled since the last kick, in order.
 * On an error the kernel stops at the frame that failed: counted once;
 * slots it did not reach stay requested and go with the next kick.
 * Return: frames handed to the kernel
 */
static uint32_t tx_kick(struct afp_port *p)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = p->ifindex,
	};
	uint32_t n = p->tx_queued;
	ssize_t r;

	if (!n)
		return 0;
	p->tx_queued = 0;
	p->st.tx_kicks++;
	if (p->ifindex)
		r = sendto(p->txfd, NULL, 0, MSG_DONTWAIT,
			   (struct sockaddr *)&sll, sizeof(sll));
	else	/* afp_attach_tx_memory(): a socketpair */
		r = send(p->txfd, NULL, 0, MSG_DONTWAIT);
	if (r < 0) {
		p->st.tx_failed++;
		p->st.tx_last_errno = errno;
	}
	p->st.tx_frames += n;
	return n;
}

/**
 * afp_tx_burst() - Send frames out of this port
 * @p:		port
 * @bufs:	frames (their buffers stay the caller's: put them back after)
 * @n:		how many
 *
 * Frames of AFP_TX_RING_MIN bytes up to a transmit slot are copied into
 * the ring and sent with one kick at the end; the others (shorter ones,
 * GSO super-frames, all of them with the ring busy or absent) with
 * sendmmsg(). The order on the wire is the
 * order of @bufs: the ring is kicked before a sendmmsg() and a gathered
 * sendmmsg() batch goes before the next slot is filled. Never blocks;
 * frames the kernel refuses are counted in tx_failed.
 * Return: number of frames the kernel accepted
 */
uint32_t afp_tx_burst(struct afp_port *p, struct masq_buf **bufs, uint32_t n)
{
	uint32_t sent = 0, k = 0;

	for (uint32_t i = 0; i < n; i++) {
		if (tx_ring_takes(p, bufs[i])) {
			if (k)	/* the frames gathered before it go first */
				sent += tx_send(p, k);
			k = 0;
			tx_ring_put(p, bufs[i]);
			continue;
		}
		sent += tx_kick(p);	/* the ring's frames go first */
		tx_fill(p, k++, bufs[i]);
		if (k == AFP_TX_BATCH) {
			sent += tx_send(p, k);
			k = 0;
		}
	}
	if (k)
		sent += tx_send(p, k);
	return sent + tx_kick(p);
}

/*
 * The fanout programs (classic BPF, run by the kernel on each frame before
 * any socket gets it; offsets from the IPv4 header, where the frame's data
 * starts at that point). The kernel gives the frame to socket (return %
 * members), and a socket's index is the order it joined in (afp_join_fanout()
 * is called for worker 0's first, then 1, 2, ...).
 *
 * Why not PACKET_FANOUT_HASH: its flow hash is the sender's choice when
 * the sender is local (on veth, a TCP socket's random sk_txhash, which a
 * retransmission may change), so the frames of one flow could reach two
 * workers, and those one hands on fall behind those the other takes
 * straight in; and it knows nothing of the port slices, so half the
 * replies would be handed off. These programs are pure functions of the
 * headers, so a flow keeps one socket.
 *
 * External side: TCP and UDP (not fragments) by destination port, an
 * ICMP echo reply by its id, each halved: for replies to masqueraded
 * connections that is the owner itself (a worker maps only the ports and
 * ids p with (p >> 1) % n == k). Internal side: TCP and UDP by source
 * port, an echo request by its id, halved the same way: the owner of a
 * masqueraded connection (masq_steer()). The rest, on either side, by a
 * mix of the addresses (the hand-off makes up any difference).
 */
enum {
	FO_PORTS = 10,		/* the programs' labels (fanout_program()) */
	FO_ICMP = 13,
	FO_MIX = 18,
	FO_RET0 = 29,
	FO_LEN = 30
};

/*
 * One side's program: @port_off 0 (source port) or 2 (destination), the
 * echo type 8 (request) or 0 (reply), the mix of saddr, or of saddr and
 * daddr (@both)
 */
static void fanout_program(struct sock_filter *f, uint32_t port_off,
			   uint32_t echo_type, bool both)
{
	struct sock_filter prog[FO_LEN] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, SKF_AD_OFF + SKF_AD_PROTOCOL),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, FO_RET0 - 2),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),		/* MF, offset */
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x3fff, FO_MIX - 4, 0),
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),		/* X = IHL * 4 */
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),		/* protocol */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 6, FO_PORTS - 7, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 17, FO_PORTS - 8, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, FO_ICMP - 9, 0),
		BPF_JUMP(BPF_JMP | BPF_JA, FO_MIX - 10, 0, 0),
		/* FO_PORTS: TCP, UDP */
		BPF_STMT(BPF_LD | BPF_H | BPF_IND, port_off),
		BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 1),
		BPF_STMT(BPF_RET | BPF_A, 0),
		/* FO_ICMP */
		BPF_STMT(BPF_LD | BPF_B | BPF_IND, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, echo_type, 0, FO_MIX - 15),
		BPF_STMT(BPF_LD | BPF_H | BPF_IND, 4),		/* its id */
		BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 1),
		BPF_STMT(BPF_RET | BPF_A, 0),
		/* FO_MIX: saddr (^ daddr), folded */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 12),
		BPF_STMT(BPF_MISC | BPF_TAX, 0),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 16),
		BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0),
		BPF_STMT(BPF_MISC | BPF_TAX, 0),
		BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 16),
		BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0),
		BPF_STMT(BPF_MISC | BPF_TAX, 0),
		BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 8),
		BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0),
		BPF_STMT(BPF_RET | BPF_A, 0),
		/* FO_RET0: not IPv4 */
		BPF_STMT(BPF_RET | BPF_K, 0),
	};

	if (!both)	/* saddr ^ 0 */
		prog[FO_MIX + 2] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_IMM, 0);
	memcpy(f, prog, sizeof(prog));
}

/**
 * afp_join_fanout() - Put @p in a PACKET_FANOUT_CBPF group (masqd --workers)
 * @p:		port, open and bound
 * @group:	in: the group's id, 0 to make a new group; out: its id
 * @external:	the external side's program (by destination port), else
 *		the internal side's (by source port); see above
 *
 * A new group takes a unique id from the kernel
 * (PACKET_FANOUT_FLAG_UNIQUEID), so two masqd in one namespace never
 * collide; its maker sets the program (PACKET_FANOUT_DATA).
 * Return: 0, or -errno
 */
int afp_join_fanout(struct afp_port *p, uint16_t *group, bool external)
{
	struct sock_filter f[FO_LEN];
	struct sock_fprog prog = { .len = FO_LEN, .filter = f };
	uint32_t type = PACKET_FANOUT_CBPF;
	socklen_t len = sizeof(uint32_t);
	bool make = !*group;
	uint32_t arg;

	if (make)
		type |= PACKET_FANOUT_FLAG_UNIQUEID;
	arg = type << 16 | *group;	/* type and flags high, the id low */
	if (setsockopt(p->fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)))
		return -errno;
	if (!make)
		return 0;
	if (getsockopt(p->fd, SOL_PACKET, PACKET_FANOUT, &arg, &len))
		return -errno;
	*group = (uint16_t)(arg & 0xffff);
	if (external)
		fanout_program(f, 2, ICMP_ECHOREPLY, true);
	else
		fanout_program(f, 0, ICMP_ECHO, false);
	if (setsockopt(p->fd, SOL_PACKET, PACKET_FANOUT_DATA, &prog,
		       sizeof(prog)))
		return -errno;
	return 0;
}

/**
 * afp_clear_error() - Read and clear a pending socket error (POLLERR)
 * @p:		port
 *
 * Without this a pending error (e.g. ENETDOWN) keeps poll() returning at
 * once. The error is counted in @p->st.sock_errors.
 * Return: the errno that was pending, or 0
 */
int afp_clear_error(struct afp_port *p)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return 0;
	if (err)
		p->st.sock_errors++;
	return err;
}

/**
 * afp_stats_poll() - Add the kernel's ring drop count to the port's stats
 * @p:		port
 *
 * PACKET_STATISTICS resets on read, so it is read here only and summed.
 */
void afp_stats_poll(struct afp_port *p)
{
	struct tpacket_stats ks;
	socklen_t len = sizeof(ks);

	if (getsockopt(p->fd, SOL_PACKET, PACKET_STATISTICS, &ks, &len) == 0)
		p->st.ring_drops += ks.tp_drops;
}
