// SPDX-License-Identifier: MIT
/*
 * fuzz_afpacket.c - the AF_PACKET receive ring as the kernel could fill
 * it, through masqd's receive code, the engine and the transmit code
 *
 * masqd trusts nothing in a ring slot: the kernel writes the lengths, the
 * frame's offset, the VLAN tag it took out and (PACKET_VNET_HDR) the
 * virtio-net header, and a frame from the wire is anyone's. Here the
 * input writes them all. An input is a mode byte (tests/lib/fuzzeng.h),
 * a port byte (bit 0: virtio-net header on; bit 1: the port is wan0;
 * bit 2: the port has a transmit ring),
 * then slots, each a 21-byte header
 *
 *	0	bit 0 TP_STATUS_VLAN_VALID, bit 1 TP_STATUS_VLAN_TPID_VALID,
 *		bit 2 the slot is the kernel's (not ready: the burst stops
 *		there), bit 3 TP_STATUS_COPY (the bytes below, after the
 *		header when it is on, are also queued as a datagram on the
 *		port's socket, as the kernel queues the copy of a frame longer
 *		than its slot), bit 7 the last slot of this burst
 *	1-2	tp_len		3-4	tp_snaplen	5-6	tp_mac
 *	7-8	tp_vlan_tci	9-10	tp_vlan_tpid
 *	11-20	struct virtio_net_hdr, as the kernel writes it before tp_mac
 *
 * then a 2-byte count and that many bytes, written at tp_mac (as far as
 * the slot goes). Up to 64 slots make a burst: afp_rx_burst() takes them
 * into pool buffers (tag put back, header turned into struct masq_meta;
 * a copy read whole when its length is the slot's),
 * the engine walks them, afp_tx_burst() sends what comes out on a
 * socketpair (or into the transmit ring, whose kicks are empty datagrams
 * and whose slots the fuzzer reads and hands back, playing the kernel),
 * and the fuzzer reads each datagram back: with the header
 * on, the header written must be the frame's metadata (NEEDS_CSUM only),
 * and the frame the buffer's bytes. fuzzeng.c checks the rest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "../src/io/afpacket.h"
#include "../tests/lib/frame.h"
#include "../tests/lib/fuzzeng.h"

#define SLOTS		64
#define SLOT_VNET	2048u	/* as afpacket.c sizes them at MTU 1500 */
#define SLOT_PLAIN	2048u
#define POOL_COUNT	256
#define BUF_SIZE	AFP_VNET_BUF_SIZE
#define HDR		21
#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static uint8_t *ring;
static uint8_t *txring;		/* TX_SLOTS of SLOT_PLAIN */
#define TX_SLOTS	64
static int sv[2] = { -1, -1 };
static uint8_t rbuf[AFP_VNET_FRAME_MAX + 64];

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The kernel's copy of a frame longer than its slot, queued on sv[0] */
static void queue_copy(const uint8_t *r, const uint8_t *f, size_t len,
		       bool vnet)
{
	struct iovec iov[2] = {
		{ (void *)(r + 11), sizeof(struct virtio_net_hdr) },
		{ (void *)f, len },
	};
	struct msghdr m = { .msg_iov = vnet ? iov : iov + 1,
			    .msg_iovlen = vnet ? 2 : 1 };

	(void)sendmsg(sv[1], &m, MSG_DONTWAIT);
}

/* Write one slot from a record; Return: bytes of input it took */
static size_t fill_slot(struct tpacket2_hdr *h, uint32_t slot_size,
			const uint8_t *r, const uint8_t *data, size_t size,
			bool vnet)
{
	size_t take, room;
	uint32_t mac;

	memset(h, 0, sizeof(*h));
	h->tp_status = TP_STATUS_USER;
	if (r[0] & 1)
		h->tp_status |= TP_STATUS_VLAN_VALID;
	if (r[0] & 2)
		h->tp_status |= TP_STATUS_VLAN_TPID_VALID;
	if (r[0] & 8)
		h->tp_status |= TP_STATUS_COPY;
	if (r[0] & 4)
		h->tp_status = TP_STATUS_KERNEL;
	h->tp_len = rd16(r + 1);
	h->tp_snaplen = rd16(r + 3);
	h->tp_mac = rd16(r + 5);
	h->tp_vlan_tci = rd16(r + 7);
	h->tp_vlan_tpid = rd16(r + 9);
	mac = h->tp_mac;
	if (mac >= sizeof(*h) + sizeof(struct virtio_net_hdr) && mac <= slot_size)
		memcpy((uint8_t *)h + mac - sizeof(struct virtio_net_hdr), r + 11,
		       sizeof(struct virtio_net_hdr));
	if (size < 2)
		return size;
	take = rd16(data);
	if (take > size - 2)
		take = size - 2;
	if (mac >= sizeof(*h) && mac < slot_size) {
		room = slot_size - mac;
		memcpy((uint8_t *)h + mac, data + 2, take < room ? take : room);
	}
	if (r[0] & 8)
		queue_copy(r, data + 2, take, vnet);
	return 2 + take;
}

/*
 * Frame @b went out through transmit slot *@ts: the slot is requested
 * with it (header, frame); handed back as the kernel would
 */
static bool in_tx_slot(const struct afp_port *p, uint32_t *ts,
		       const struct masq_buf *b)
{
	size_t vh = p->vnet_hdr ? sizeof(struct virtio_net_hdr) : 0;
	struct tpacket2_hdr *h;

	if (!p->txring)
		return false;
	h = (struct tpacket2_hdr *)(txring + (size_t)*ts * SLOT_PLAIN);
	if (h->tp_status != TP_STATUS_SEND_REQUEST || h->tp_len != vh + b->len ||
	    memcmp((uint8_t *)h + 32 + vh, b->data, b->len))
		return false;
	h->tp_status = TP_STATUS_AVAILABLE;
	*ts = (*ts + 1) % TX_SLOTS;
	return true;
}

/* Read back what the port sent (from slot @ts on) and compare it with the
 * frames out */
static void check_sent(const struct afp_port *p, const struct masq_txq *tx,
		       uint32_t sent, uint32_t ts)
{
	for (uint32_t i = 0; i < sent; i++) {
		const struct masq_buf *b = tx->bufs[i];
		size_t vh = p->vnet_hdr ? sizeof(struct virtio_net_hdr) : 0;
		struct virtio_net_hdr v;
		ssize_t n;

		while (recv(sv[1], rbuf, 1, MSG_DONTWAIT | MSG_PEEK) == 0)
			(void)recv(sv[1], rbuf, 1, MSG_DONTWAIT);	/* a kick */
		if (in_tx_slot(p, &ts, b))
			continue;
		n = recv(sv[1], rbuf, sizeof(rbuf), MSG_DONTWAIT);

		if (n != (ssize_t)(vh + b->len) ||
		    memcmp(rbuf + vh, b->data, b->len)) {
			fprintf(stderr, "frame %u sent as %zd bytes, not %zu\n",
				i, n, vh + b->len);
			abort();
		}
		if (!vh)
			continue;
		memcpy(&v, rbuf, sizeof(v));
		if (v.flags != (b->meta.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) ||
		    v.gso_type != b->meta.gso_type ||
		    v.gso_size != b->meta.gso_size ||
		    v.csum_start != b->meta.csum_start ||
		    v.csum_offset != b->meta.csum_offset ||
		    v.hdr_len != b->meta.hdr_len) {
			fprintf(stderr, "frame %u: virtio-net header is not its metadata\n", i);
			abort();
		}
	}
	while (recv(sv[1], rbuf, sizeof(rbuf), MSG_DONTWAIT) > 0)
		;	/* frames the check did not reach (none: sent counted) */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct masq_buf *bufs[SLOTS], *txv[256];
	struct masq_txq tx = { txv, 0, 256 };
	struct masq_pool *pool = fuzzeng_pool(POOL_COUNT, BUF_SIZE);
	struct masq_engine *e;
	struct afp_port port;
	uint32_t slot_size, iface;
	uint64_t now = FUZZENG_NS;
	bool vnet;

	if (size < 2)
		return 0;
	vnet = data[1] & 1;
	iface = data[1] >> 1 & 1;
	slot_size = vnet ? SLOT_VNET : SLOT_PLAIN;
	if (afp_open_memory(&port, "fuzz0", sv[0], vnet, ring, slot_size, SLOTS))
		abort();
	if (data[1] & 4) {
		memset(txring, 0, (size_t)TX_SLOTS * SLOT_PLAIN);
		afp_attach_tx_memory(&port, sv[0], txring, SLOT_PLAIN, TX_SLOTS);
	}
	e = fuzzeng_create(data[0]);
	data += 2;
	size -= 2;
	while (size >= HDR) {
		uint32_t n = 0, got, sent, ts;

		while (n < SLOTS && size >= HDR) {
			const uint8_t *r = data;
			struct tpacket2_hdr *h =
				(struct tpacket2_hdr *)(ring + (size_t)((port.head + n) % SLOTS) * slot_size);
			size_t took;

			data += HDR;
			size -= HDR;
			took = fill_slot(h, slot_size, r, data, size, vnet);
			data += took;
			size -= took;
			n++;
			if (r[0] & 0x80)
				break;
		}
		got = afp_rx_burst(&port, pool, bufs, SLOTS, iface);
		for (uint32_t i = 0; i < SLOTS; i++)	/* what was left */
			((struct tpacket2_hdr *)(ring + (size_t)i * slot_size))->tp_status =
				TP_STATUS_KERNEL;
		while (recv(sv[0], rbuf, sizeof(rbuf), MSG_DONTWAIT) > 0)
			;	/* copies of slots not reached */
		masq_engine_input(e, bufs, got, now, &tx);
		ts = port.tx_head;
		sent = afp_tx_burst(&port, tx.bufs, tx.n);
		check_sent(&port, &tx, sent, ts);
		fuzzeng_check(e, &tx);
		now += FUZZENG_NS;
		masq_engine_advance(e, now, &tx);
		fuzzeng_check(e, &tx);
	}
	fuzzeng_destroy(e);
	afp_close(&port);
	return 0;
}

/* Full-size TCP frames from the LAN host, forwarded: through the
 * transmit ring (port byte bit 2), three bursts so its slots come round */
static void write_tx_ring_seed(const char *dir)
{
	static const uint8_t lan_mac[6] = { 2, 0, 0, 0, 1, 1 };
	static uint8_t rec[2 + 3 * (HDR + 2 + FRAME_MAX)];
	uint8_t frame[FRAME_MAX];
	struct frame_spec fs;
	struct masq_meta m;
	size_t at = 2;
	int n;

	frame_spec_tcp(&fs, IP4(192, 168, 0, 2), 40000, IP4(198, 51, 100, 10),
		       80, FRAME_TCP_ACK | FRAME_TCP_PSH);
	fs.payload_len = 900;
	memcpy(fs.eth_dst, lan_mac, 6);
	n = frame_build_bytes(&fs, frame, sizeof(frame), &m);
	if (n <= 0)
		return;
	rec[0] = 0;
	rec[1] = 1 | 4;				/* header on, TX ring, lan0 */
	for (int k = 0; k < 3; k++) {
		uint8_t *r = rec + at;

		memset(r, 0, HDR);
		r[0] = 0x80;			/* a burst each */
		r[1] = r[3] = (uint8_t)(n >> 8);
		r[2] = r[4] = (uint8_t)n;
		r[6] = 128;			/* tp_mac */
		r[HDR] = (uint8_t)(n >> 8);
		r[HDR + 1] = (uint8_t)n;
		memcpy(r + HDR + 2, frame, (size_t)n);
		at += HDR + 2 + (size_t)n;
	}
	fuzzeng_seed(dir, "tx-ring", rec, at);
}

/* A few valid rings: an untagged and a tagged frame, with and without
 * the header (a tag is dropped by the engine, counted), and the same
 * frame through the copy path (a slot holding 10 of its bytes) */
static void write_seeds(const char *dir)
{
	static const uint8_t frame[] = {	/* ARP who-has 192.168.0.1 */
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 1, 2, 0x08, 0x06,
		0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 1, 2, 192, 168, 0, 2,
		0, 0, 0, 0, 0, 0, 192, 168, 0, 1,
	};
	for (int k = 0; k < 6; k++) {
		uint8_t rec[2 + HDR + 2 + sizeof(frame)] = { 0 };
		uint16_t mac = k & 1 ? 128 : 64, len = sizeof(frame);
		uint16_t snap = k >= 4 ? 10 : len;
		char path[1024];
		FILE *f;

		rec[0] = 0;
		rec[1] = (uint8_t)(k & 1);
		rec[2] = (uint8_t)(0x80 | (k & 2 ? 1 : 0) | (k >= 4 ? 8 : 0));
		rec[3] = (uint8_t)(len >> 8);
		rec[4] = (uint8_t)len;
		rec[5] = (uint8_t)(snap >> 8);
		rec[6] = (uint8_t)snap;
		rec[7] = (uint8_t)(mac >> 8);
		rec[8] = (uint8_t)mac;
		rec[10] = 7;			/* VLAN 7 */
		rec[2 + HDR] = 0;
		rec[2 + HDR + 1] = (uint8_t)len;
		memcpy(rec + 2 + HDR + 2, frame, sizeof(frame));
		snprintf(path, sizeof(path), "%s/seed-arp-%d", dir, k);
		f = fopen(path, "wb");
		if (!f)
			return;
		fwrite(rec, 1, sizeof(rec), f);
		fclose(f);
	}
	write_tx_ring_seed(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int big = 4 << 20;

	(void)argc;
	(void)argv;
	fuzzeng_start(POOL_COUNT, BUF_SIZE, write_seeds);
	ring = calloc(SLOTS, SLOT_VNET);
	txring = calloc(TX_SLOTS, SLOT_PLAIN);
	if (!ring || !txring || socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv))
		abort();
	for (int i = 0; i < 2; i++) {	/* frames one way, copies the other */
		setsockopt(sv[i], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
		setsockopt(sv[i], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	}
	return 0;
}
