// SPDX-License-Identifier: MIT
/*
 * afpacket.c - AF_PACKET I/O: a TPACKET_V2 receive ring and sendmmsg()
 *
 * Theory of operation
 *
 * Open: socket(AF_PACKET, SOCK_RAW, 0) receives nothing until bind(), so
 * the options go on first in the order the kernel needs (netlab README):
 * PACKET_VNET_HDR, then PACKET_VERSION = TPACKET_V2, then the RX ring,
 * PACKET_IGNORE_OUTGOING (or we would read back every frame we send),
 * socket buffers, and last bind() to the interface with ETH_P_ALL.
 *
 * Receive: the ring is an array of fixed slots; the kernel fills a slot and
 * sets TP_STATUS_USER, we copy the frame into a pool buffer and hand the
 * slot back with TP_STATUS_KERNEL (acquire/release ordering on the status
 * word). A copy costs less than it seems (the frame is hot in cache) and
 * keeps the engine's buffers independent of the ring, so a frame can wait
 * for ARP without pinning a slot. The kernel strips an 802.1Q tag into the
 * slot header (TP_STATUS_VLAN_VALID); it is put back into the frame so the
 * engine sees the frame as it was on the wire (and drops a tag it was not
 * configured for). With PACKET_VNET_HDR the kernel writes a virtio_net_hdr
 * just before the frame in the slot; its fields (host order: legacy virtio
 * is native-endian) become struct masq_meta.
 *
 * Transmit: sendmmsg() with MSG_DONTWAIT on the bound socket, with an
 * iovec of {virtio_net_hdr, frame} when the header is on. No
 * PACKET_QDISC_BYPASS: with GSO frames it fails with ENOBUFS on a device
 * without TSO, while the normal path segments in software. A refused frame
 * is counted (tx_failed, the last errno kept) and skipped; nothing blocks.
 * A V2 TX ring measured a little better for small frames (netlab README);
 * sendmmsg keeps a per-frame error and needs no 64 KiB slots for GSO.
 *
 * Memory: the ring is mapped once at open; the transmit vectors are
 * allocated once at open (AFP_TX_BATCH entries). Nothing is allocated
 * per frame. Ring slots: 2 KiB (or MTU-sized) without the header, ~68 KiB
 * with it, so the default ring is 4096 or 512 slots (8 or 35 MiB: masqd(8),
 * MEMORY, says why not fewer).
 *
 * Limits: a frame longer than a slot (tp_snaplen < tp_len) or a pool
 * buffer is dropped and counted; so is one that arrives with the pool
 * empty. PACKET_STATISTICS drops (ring full) are read by afp_stats_poll().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
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

/* Slot and block geometry: every slot holds the largest frame we accept */
static void ring_geometry(const struct afp_config *cfg, struct tpacket_req *r)
{
	uint32_t page = (uint32_t)sysconf(_SC_PAGESIZE);
	uint32_t frame_max = cfg->vnet_hdr ? AFP_VNET_FRAME_MAX :
			     cfg->mtu + ETH_HLEN + 4;
	uint32_t fsz = round_up(AFP_SLOT_SLACK + frame_max, TPACKET_ALIGNMENT);
	uint32_t per, blocks;

	if (fsz < 2048)
		fsz = 2048;
	per = AFP_BLOCK_TARGET / fsz ? AFP_BLOCK_TARGET / fsz : 1;
	r->tp_frame_size = fsz;
	r->tp_block_size = round_up(per * fsz, page);
	per = r->tp_block_size / fsz;
	blocks = (cfg->ring_frames + per - 1) / per;
	r->tp_block_nr = blocks ? blocks : 1;
	r->tp_frame_nr = r->tp_block_nr * per;
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
	ret = sockopt(p->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
		      sizeof(one), step, "setsockopt PACKET_IGNORE_OUTGOING");
	if (!ret && cfg->mark)	/* lets our frames past the egress drop */
		ret = sockopt(p->fd, SOL_SOCKET, SO_MARK, &cfg->mark,
			      sizeof(cfg->mark), step, "setsockopt SO_MARK");
	if (ret || !buf)
		return ret;
	ret = sockopt(p->fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf),
		      step, "setsockopt SO_RCVBUFFORCE");
	if (!ret)
		ret = sockopt(p->fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf,
			      sizeof(buf), step, "setsockopt SO_SNDBUFFORCE");
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
 * afp_close() - Unmap the ring and close the socket
 * @p:		port (may be half-open or closed)
 */
void afp_close(struct afp_port *p)
{
	if (p->borrowed) {		/* afp_open_memory(): the caller's */
		p->ring = NULL;
		p->fd = -1;
	}
	if (p->ring)
		munmap(p->ring, p->ring_len);
	if (p->fd >= 0)
		close(p->fd);
	free(p->tx);
	p->ring = NULL;
	p->tx = NULL;
	p->fd = -1;
}

static struct tpacket2_hdr *slot(const struct afp_port *p, uint32_t i)
{
	/* slots never straddle blocks: a block holds per_block whole slots */
	size_t off = (size_t)(i / p->per_block) * p->block_size +
		     (size_t)(i % p->per_block) * p->frame_size;

	return (struct tpacket2_hdr *)(p->ring + off);
}

/* Copy a frame, putting back the 802.1Q tag the kernel took out */
static void copy_frame(struct masq_buf *b, const uint8_t *f, uint32_t len,
		       const struct tpacket2_hdr *h, bool tagged)
{
	uint16_t tpid, tci;

	if (!tagged) {
		memcpy(b->data, f, len);
		b->len = len;
		return;
	}
	tpid = htons(h->tp_status & TP_STATUS_VLAN_TPID_VALID ?
		     h->tp_vlan_tpid : ETH_P_8021Q);
	tci = htons(h->tp_vlan_tci);
	memcpy(b->data, f, 12);
	memcpy(b->data + 12, &tpid, 2);
	memcpy(b->data + 14, &tci, 2);
	memcpy(b->data + 16, f + 12, len - 12);
	b->len = len + 4;
	if (b->meta.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
		b->meta.csum_start += 4;
	if (b->meta.hdr_len)
		b->meta.hdr_len += 4;
}

/* One slot to one buffer, or NULL (dropped, counted) */
static struct masq_buf *rx_one(struct afp_port *p, struct masq_pool *pool,
			       const struct tpacket2_hdr *h, uint32_t status)
{
	uint32_t len = h->tp_len, vh = p->vnet_hdr ? sizeof(struct virtio_net_hdr) : 0;
	bool tagged = (status & TP_STATUS_VLAN_VALID) && len >= 12;
	const uint8_t *f = (const uint8_t *)h + h->tp_mac;
	struct masq_buf *b;

	if (h->tp_snaplen < len || h->tp_mac < vh ||
	    (size_t)h->tp_mac + len > p->frame_size) {
		p->st.rx_truncated++;
		return NULL;
	}
	b = masq_pool_get(pool);
	if (!b) {
		p->st.rx_no_buf++;
		return NULL;
	}
	if ((size_t)(b->data - b->base) + len + (tagged ? 4 : 0) > b->cap) {
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

/**
 * afp_tx_burst() - Send frames out of this port
 * @p:		port
 * @bufs:	frames (their buffers stay the caller's: put them back after)
 * @n:		how many
 *
 * Never blocks; frames the kernel refuses are counted in tx_failed.
 * Return: number of frames the kernel accepted
 */
uint32_t afp_tx_burst(struct afp_port *p, struct masq_buf **bufs, uint32_t n)
{
	uint32_t done = 0, sent = 0;

	while (done < n) {
		uint32_t k = n - done < AFP_TX_BATCH ? n - done : AFP_TX_BATCH;

		for (uint32_t i = 0; i < k; i++)
			tx_fill(p, i, bufs[done + i]);
		sent += tx_send(p, k);
		done += k;
	}
	return sent;
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
 * ICMP echo reply by its id, which for replies to masqueraded
 * connections is the owner itself (a worker maps only the ports and ids
 * p % n == k); the rest by a mix of the addresses.
 * Internal side: by a mix of the source address, so a host's frames stay
 * together (its owner is hash(source) % n in masq_steer(), a keyed hash
 * BPF cannot compute; the hand-off makes up the difference).
 */
static struct sock_filter fanout_internal[] = {
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, SKF_AD_OFF + SKF_AD_PROTOCOL),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 8),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 12),		/* saddr */
	BPF_STMT(BPF_MISC | BPF_TAX, 0),
	BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 16),
	BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0),
	BPF_STMT(BPF_MISC | BPF_TAX, 0),
	BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 8),
	BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0),
	BPF_STMT(BPF_RET | BPF_A, 0),
	BPF_STMT(BPF_RET | BPF_K, 0),			/* not IPv4: 0 */
};

static struct sock_filter fanout_external[] = {
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, SKF_AD_OFF + SKF_AD_PROTOCOL),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 25),
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),		/* MF, offset */
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x3fff, 12, 0),
	BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),		/* X = IHL * 4 */
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),		/* protocol */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 6, 3, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 17, 2, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 3, 0),
	BPF_JUMP(BPF_JMP | BPF_JA, 6, 0, 0),		/* the rest */
	BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),		/* TCP, UDP: dport */
	BPF_STMT(BPF_RET | BPF_A, 0),
	BPF_STMT(BPF_LD | BPF_B | BPF_IND, 0),		/* ICMP type */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2),	/* echo reply */
	BPF_STMT(BPF_LD | BPF_H | BPF_IND, 4),		/* ... its id */
	BPF_STMT(BPF_RET | BPF_A, 0),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 12),		/* saddr ^ daddr */
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
	BPF_STMT(BPF_RET | BPF_K, 0),			/* not IPv4: 0 */
};

/**
 * afp_join_fanout() - Put @p in a PACKET_FANOUT_CBPF group (masqd --workers)
 * @p:		port, open and bound
 * @group:	in: the group's id, 0 to make a new group; out: its id
 * @external:	the external side's program (by destination port), else
 *		the internal side's (by source address); see above
 *
 * A new group takes a unique id from the kernel
 * (PACKET_FANOUT_FLAG_UNIQUEID), so two masqd in one namespace never
 * collide; its maker sets the program (PACKET_FANOUT_DATA).
 * Return: 0, or -errno
 */
int afp_join_fanout(struct afp_port *p, uint16_t *group, bool external)
{
	struct sock_fprog prog = {
		.len = external ? sizeof(fanout_external) /
				  sizeof(fanout_external[0]) :
				  sizeof(fanout_internal) /
				  sizeof(fanout_internal[0]),
		.filter = external ? fanout_external : fanout_internal,
	};
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
