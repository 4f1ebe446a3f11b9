// SPDX-License-Identifier: MIT
/*
 * test_afpacket.c - the receive ring's copy path (src/io/afpacket.c)
 *
 * The ring's slots are sized for the MTU; a longer frame (a GSO
 * super-frame) arrives as a slot marked TP_STATUS_COPY holding its first
 * bytes, and whole as a datagram on the socket's receive queue, in slot
 * order (PACKET_COPY_THRESH). Here the test plays the kernel: it writes
 * the slots of a ring in memory (afp_open_memory()) and queues the copies
 * on the other end of a socketpair, then checks what afp_rx_burst()
 * hands on: every frame whole, in order, its virtio-net header as its
 * metadata and its VLAN tag put back; a frame whose copy is missing
 * dropped and counted, without the next frame taking its place.
 *
 * Transmit: frames of 512 bytes that fit a slot of the transmit ring
 * are written into it (virtio-net header, then the frame) and sent with
 * one kick per burst; a kick on a memory port is an empty datagram on the
 * socketpair, and shorter or longer frames go as datagrams with
 * sendmmsg() on the same one, so the order the test reads them in is the
 * order they left: the ring is kicked before another frame goes, a busy
 * slot sends its frame the other way.
 */
#include <string.h>
#include <unistd.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "../lib/report.h"
#include "../../src/io/afpacket.h"

#define SLOTS		8
#define SLOT_SIZE	2048u	/* as afpacket.c sizes them at MTU 1500 */
#define MAC_OFF		80	/* where the kernel puts the frame in a slot */
#define BIG		3000u	/* longer than a slot */

static uint8_t ring[SLOTS * SLOT_SIZE];
static uint8_t txring[SLOTS * SLOT_SIZE];
static uint8_t rbuf[AFP_VNET_FRAME_MAX + 64];
static uint8_t frame[AFP_VNET_FRAME_MAX];
static struct masq_pool *pool;
static struct afp_port port;
static int sv[2] = { -1, -1 };

/* A frame of @len bytes whose bytes say which frame it is (@seed) */
static const uint8_t *make_frame(uint32_t len, uint8_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		frame[i] = (uint8_t)(seed + i * 7);
	return frame;
}

static struct tpacket2_hdr *slot_at(uint32_t i)
{
	return (struct tpacket2_hdr *)(ring + (size_t)i * SLOT_SIZE);
}

/*
 * The kernel's side of one frame: its first bytes into slot @i (all of
 * them when it fits) and, when @copy, the whole of it queued as a
 * datagram; @status adds TP_STATUS_VLAN_VALID and the like
 */
static void kernel_put(uint32_t i, uint32_t len, uint8_t seed, bool copy,
		       uint32_t status, const struct virtio_net_hdr *vh)
{
	struct tpacket2_hdr *h = slot_at(i);
	uint32_t room = SLOT_SIZE - MAC_OFF;
	const uint8_t *f = make_frame(len, seed);
	bool copied = copy && len > room;	/* the kernel copies only those */

	memset(h, 0, SLOT_SIZE);
	h->tp_len = len;
	h->tp_snaplen = len < room ? len : room;
	h->tp_mac = MAC_OFF;
	h->tp_vlan_tci = 7;
	memcpy((uint8_t *)h + MAC_OFF - sizeof(*vh), vh, sizeof(*vh));
	memcpy((uint8_t *)h + MAC_OFF, f, h->tp_snaplen);
	if (copied) {
		struct iovec iov[2] = { { (void *)vh, sizeof(*vh) },
					{ (void *)f, len } };
		struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };

		if (sendmsg(sv[1], &m, 0) != (ssize_t)(sizeof(*vh) + len))
			report_failf("could not queue a copy");
	}
	__atomic_store_n(&h->tp_status, TP_STATUS_USER | status |
			 (copied ? TP_STATUS_COPY : 0),
			 __ATOMIC_RELEASE);
}

/* A datagram on the queue with no slot: a copy the kernel left behind */
static void kernel_stale_copy(uint32_t len)
{
	struct virtio_net_hdr vh = { 0 };
	struct iovec iov[2] = { { &vh, sizeof(vh) },
				{ (void *)make_frame(len, 99), len } };
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };

	(void)sendmsg(sv[1], &m, 0);
}

static int reset(void)
{
	uint8_t junk[64];

	afp_close(&port);
	memset(ring, 0, sizeof(ring));
	memset(txring, 0, sizeof(txring));
	for (int i = 0; i < 2; i++)
		while (recv(sv[i], junk, sizeof(junk), MSG_DONTWAIT) >= 0)
			;
	if (afp_open_memory(&port, "test0", sv[0], true, ring, SLOT_SIZE,
			    SLOTS))
		return report_failf("afp_open_memory");
	afp_attach_tx_memory(&port, sv[0], txring, SLOT_SIZE, SLOTS);
	return 0;
}

/* @b holds frame @seed of @len bytes (@tagged: with tag 7 after 12) */
static int check_frame(const struct masq_buf *b, uint32_t len, uint8_t seed,
		       bool tagged)
{
	static const uint8_t tag[4] = { 0x81, 0x00, 0x00, 0x07 };
	const uint8_t *f = make_frame(len, seed);

	if (b->len != len + (tagged ? 4 : 0))
		return report_failf("frame %u: %u bytes, not %u", seed, b->len,
				    len + (tagged ? 4 : 0));
	if (!tagged)
		return memcmp(b->data, f, len) ?
		       report_failf("frame %u: wrong bytes", seed) : 0;
	if (memcmp(b->data, f, 12) || memcmp(b->data + 12, tag, 4) ||
	    memcmp(b->data + 16, f + 12, len - 12))
		return report_failf("frame %u: wrong bytes or tag", seed);
	return 0;
}

static uint32_t burst(struct masq_buf **bufs)
{
	return afp_rx_burst(&port, pool, bufs, SLOTS, 3);
}

static void put_all(struct masq_buf **bufs, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		masq_pool_put(pool, bufs[i]);
}

/* small, super-frame, small: three frames, in order, the middle whole */
static int copy_read_in_order(void)
{
	struct virtio_net_hdr gso = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .hdr_len = 54,
		.gso_size = 1448, .csum_start = 34, .csum_offset = 16,
	}, none = { 0 };
	struct masq_buf *bufs[SLOTS];
	uint32_t n;
	int rc;

	if (reset())
		return -1;
	kernel_put(0, 60, 1, false, 0, &none);
	kernel_put(1, BIG, 2, true, 0, &gso);
	kernel_put(2, 1514, 3, true, 0, &none);	/* fits: no copy made */
	n = burst(bufs);
	if (n != 3)
		return report_failf("%u frames, not 3", n);
	rc = check_frame(bufs[0], 60, 1, false);
	if (!rc)
		rc = check_frame(bufs[1], BIG, 2, false);
	if (!rc && (bufs[1]->meta.gso_size != 1448 ||
		    bufs[1]->meta.gso_type != VIRTIO_NET_HDR_GSO_TCPV4 ||
		    bufs[1]->meta.csum_start != 34 || bufs[1]->meta.hdr_len != 54))
		rc = report_failf("the copy's virtio-net header is not its meta");
	if (!rc)
		rc = check_frame(bufs[2], 1514, 3, false);
	put_all(bufs, n);
	if (!rc && (port.st.rx_copied != 1 || port.st.rx_frames != 3 ||
		    port.st.rx_truncated))
		rc = report_failf("copied %lu frames %lu truncated %lu",
				  (unsigned long)port.st.rx_copied,
				  (unsigned long)port.st.rx_frames,
				  (unsigned long)port.st.rx_truncated);
	if (!rc && slot_at(1)->tp_status != TP_STATUS_KERNEL)
		rc = report_failf("the copy's slot was not handed back");
	return rc;
}

/* The kernel took the tag out of the copy too: it goes back after 12 */
static int copy_gets_its_tag(void)
{
	struct virtio_net_hdr vh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				     .csum_start = 34, .csum_offset = 16 };
	struct masq_buf *b;
	int rc;

	if (reset())
		return -1;
	kernel_put(0, BIG, 4, true, TP_STATUS_VLAN_VALID, &vh);
	if (burst(&b) != 1)
		return report_failf("the tagged copy was not handed on");
	rc = check_frame(b, BIG, 4, true);
	if (!rc && b->meta.csum_start != 38)
		rc = report_failf("csum_start %u, not 38 after the tag",
				  b->meta.csum_start);
	masq_pool_put(pool, b);
	return rc;
}

/* Receive buffer full: no copy, no TP_STATUS_COPY; dropped, counted */
static int uncopied_long_frame_dropped(void)
{
	struct virtio_net_hdr none = { 0 };
	struct masq_buf *bufs[SLOTS];
	uint32_t n;
	int rc;

	if (reset())
		return -1;
	kernel_put(0, BIG, 5, false, 0, &none);
	kernel_put(1, 100, 6, false, 0, &none);
	n = burst(bufs);
	rc = n == 1 ? check_frame(bufs[0], 100, 6, false) :
	     report_failf("%u frames, not 1", n);
	put_all(bufs, n);
	if (!rc && port.st.rx_truncated != 1)
		rc = report_failf("rx_truncated %lu, not 1",
				  (unsigned long)port.st.rx_truncated);
	return rc;
}

/* A copy the slot says is there but is not: dropped, the ring goes on */
static int missing_copy_counted(void)
{
	struct virtio_net_hdr none = { 0 };
	struct masq_buf *bufs[SLOTS];
	uint32_t n;

	if (reset())
		return -1;
	kernel_put(0, BIG, 7, false, 0, &none);
	slot_at(0)->tp_status |= TP_STATUS_COPY;	/* but nothing queued */
	kernel_put(1, 64, 8, false, 0, &none);
	n = burst(bufs);
	put_all(bufs, n);
	if (n != 1 || port.st.rx_truncated != 1)
		return report_failf("%u frames, %lu truncated; not 1 and 1", n,
				    (unsigned long)port.st.rx_truncated);
	return 0;
}

/* With the pool empty the copy is still read off, or the next slot would
 * get it */
static int pool_empty_copy_discarded(void)
{
	struct virtio_net_hdr none = { 0 };
	struct masq_buf *bufs[SLOTS], *held[2048];
	uint32_t n, h = 0;
	int rc;

	if (reset())
		return -1;
	while (h < 2048 && (held[h] = masq_pool_get(pool)))
		h++;
	kernel_put(0, BIG, 9, true, 0, &none);
	n = burst(bufs);
	put_all(held, h);
	if (n || port.st.rx_no_buf != 1)
		return report_failf("%u frames, %lu no_buf with the pool empty",
				    n, (unsigned long)port.st.rx_no_buf);
	kernel_put(1, BIG, 10, true, 0, &none);	/* as long */
	n = burst(bufs);
	rc = n == 1 ? check_frame(bufs[0], BIG, 10, false) :
	     report_failf("%u frames after the pool refilled, not 1", n);
	put_all(bufs, n);
	return rc;
}

/* A copy with no slot before the right one is skipped */
static int stale_copy_skipped(void)
{
	struct virtio_net_hdr none = { 0 };
	struct masq_buf *b;
	int rc;

	if (reset())
		return -1;
	kernel_stale_copy(2500);
	kernel_put(0, BIG, 11, true, 0, &none);
	if (burst(&b) != 1)
		return report_failf("the frame behind a stale copy was lost");
	rc = check_frame(b, BIG, 11, false);
	masq_pool_put(pool, b);
	return rc;
}

static struct tpacket2_hdr *tx_slot_at(uint32_t i)
{
	return (struct tpacket2_hdr *)(txring + (size_t)i * SLOT_SIZE);
}

/* A buffer holding frame @seed of @len bytes, partial checksum at 34 */
static struct masq_buf *tx_frame(uint32_t len, uint8_t seed)
{
	struct masq_buf *b = masq_pool_get(pool);

	if (!b)
		return NULL;
	memcpy(b->data, make_frame(len, seed), len);
	b->len = len;
	b->meta.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	b->meta.csum_start = 34;
	b->meta.csum_offset = 16;
	return b;
}

/* Transmit slot @i is requested with frame @seed of @len bytes */
static int check_tx_slot(uint32_t i, uint32_t len, uint8_t seed)
{
	const struct tpacket2_hdr *h = tx_slot_at(i);
	const uint8_t *d = (const uint8_t *)h + 32;	/* TPACKET2_HDRLEN - ll */
	struct virtio_net_hdr v;

	if (h->tp_status != TP_STATUS_SEND_REQUEST)
		return report_failf("slot %u: status %#x, not SEND_REQUEST", i,
				    h->tp_status);
	if (h->tp_len != sizeof(v) + len)
		return report_failf("slot %u: tp_len %u, not %zu", i, h->tp_len,
				    sizeof(v) + len);
	memcpy(&v, d, sizeof(v));
	if (v.flags != VIRTIO_NET_HDR_F_NEEDS_CSUM || v.csum_start != 34 ||
	    v.csum_offset != 16)
		return report_failf("slot %u: virtio-net header wrong", i);
	if (memcmp(d + sizeof(v), make_frame(len, seed), len))
		return report_failf("slot %u: frame %u's bytes wrong", i, seed);
	return 0;
}

/* The next datagram on the far end: a kick (@len 0) or a sent frame */
static int expect_datagram(uint32_t len, const char *what)
{
	ssize_t n = recv(sv[1], rbuf, sizeof(rbuf), MSG_DONTWAIT);
	ssize_t want = len ? (ssize_t)(sizeof(struct virtio_net_hdr) + len) : 0;

	if (n != want)
		return report_failf("expected %s (%zd bytes), read %zd", what,
				    want, n);
	return 0;
}

static int send_frames(const uint32_t *lens, uint32_t n, uint32_t sent_want)
{
	struct masq_buf *bufs[SLOTS];
	uint32_t sent;

	for (uint32_t i = 0; i < n; i++)
		if (!(bufs[i] = tx_frame(lens[i], (uint8_t)(20 + i))))
			return report_failf("pool empty");
	sent = afp_tx_burst(&port, bufs, n);
	put_all(bufs, n);
	if (sent != sent_want)
		return report_failf("%u frames sent, not %u", sent, sent_want);
	return 0;
}

/* Three full-size frames: three slots requested, one kick */
static int tx_ring_one_kick_per_burst(void)
{
	static const uint32_t lens[] = { 600, 1514, 1000 };
	int rc;

	if (reset() || send_frames(lens, 3, 3))
		return -1;
	for (uint32_t i = 0; i < 3; i++)
		if ((rc = check_tx_slot(i, lens[i], (uint8_t)(20 + i))))
			return rc;
	if (tx_slot_at(3)->tp_status != TP_STATUS_AVAILABLE)
		return report_failf("a fourth slot was requested");
	if ((rc = expect_datagram(0, "one kick")))
		return rc;
	if (recv(sv[1], rbuf, sizeof(rbuf), MSG_DONTWAIT) >= 0)
		return report_failf("more than one system call for a burst");
	if (port.st.tx_kicks != 1 || port.st.tx_frames != 3)
		return report_failf("tx_kicks %lu tx_frames %lu, not 1 and 3",
				    (unsigned long)port.st.tx_kicks,
				    (unsigned long)port.st.tx_frames);
	return 0;
}

/* slot, long, slot: the first kicked before the long one goes */
static int tx_long_frame_keeps_order(void)
{
	static const uint32_t lens[] = { 1000, BIG, 1200 };
	int rc;

	if (reset() || send_frames(lens, 3, 3))
		return -1;
	if ((rc = expect_datagram(0, "the kick of the first frame")) ||
	    (rc = expect_datagram(BIG, "the long frame")) ||
	    (rc = expect_datagram(0, "the kick of the third frame")))
		return rc;
	if ((rc = check_tx_slot(0, 1000, 20)) || (rc = check_tx_slot(1, 1200, 22)))
		return rc;
	return 0;
}

/* A frame under AFP_TX_RING_MIN (512) is copied by sendmmsg(), in order */
static int tx_short_frame_sent_directly(void)
{
	static const uint32_t lens[] = { 64, 1514, 66 };
	int rc;

	if (reset() || send_frames(lens, 3, 3))
		return -1;
	if ((rc = expect_datagram(64, "the short frame")) ||
	    (rc = expect_datagram(0, "the kick of the full-size frame")) ||
	    (rc = expect_datagram(66, "the second short frame")))
		return rc;
	return check_tx_slot(0, 1514, 21);
}

/* A slot the kernel still holds: its frame goes with sendmmsg() */
static int tx_busy_slot_falls_back(void)
{
	static const uint32_t lens[] = { 900 };

	if (reset())
		return -1;
	tx_slot_at(0)->tp_status = TP_STATUS_SENDING;
	if (send_frames(lens, 1, 1) || expect_datagram(900, "the frame"))
		return -1;
	if (port.st.tx_kicks)
		return report_failf("a kick with no slot filled");
	tx_slot_at(0)->tp_status = TP_STATUS_AVAILABLE | TP_STATUS_TS_SOFTWARE;
	if (send_frames(lens, 1, 1))	/* freed, with a timestamp flag */
		return -1;
	return check_tx_slot(0, 900, 20);
}

int main(void)
{
	static const struct {
		const char *name;
		int (*fn)(void);
	} cases[] = {
		{ "copy_read_in_order", copy_read_in_order },
		{ "copy_gets_its_tag", copy_gets_its_tag },
		{ "uncopied_long_frame_dropped", uncopied_long_frame_dropped },
		{ "missing_copy_counted", missing_copy_counted },
		{ "pool_empty_copy_discarded", pool_empty_copy_discarded },
		{ "stale_copy_skipped", stale_copy_skipped },
		{ "tx_ring_one_kick_per_burst", tx_ring_one_kick_per_burst },
		{ "tx_long_frame_keeps_order", tx_long_frame_keeps_order },
		{ "tx_short_frame_sent_directly", tx_short_frame_sent_directly },
		{ "tx_busy_slot_falls_back", tx_busy_slot_falls_back },
	};
	int failed = 0, big = 1 << 20;

	port.fd = -1;	/* nothing open yet: reset() closes nothing */
	pool = masq_pool_create(16, AFP_VNET_BUF_SIZE);
	if (!pool || socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv))
		return 1;
	for (int i = 0; i < 2; i++) {
		setsockopt(sv[i], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
		setsockopt(sv[i], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = cases[i].fn();

		report_case("afpacket", cases[i].name, rc);
		failed |= rc != 0;
	}
	afp_close(&port);
	masq_pool_destroy(pool);
	close(sv[0]);
	close(sv[1]);
	return failed;
}
