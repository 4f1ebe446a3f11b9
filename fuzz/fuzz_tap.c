// SPDX-License-Identifier: MIT
/*
 * fuzz_tap.c - frames the host writes into a twin, through masqd's TAP
 * code, the engine and back into the twin
 *
 * The host behind a twin is as hostile as the wire: it writes any frame
 * with any virtio-net header. Here a datagram socketpair stands in for
 * the TAP (tap_open_fd()): the input is a mode byte (tests/lib/fuzzeng.h),
 * a byte picking the twin (bit 0: wan0's, else lan0's), then records of
 * a flag byte (bit 7: the last of a burst), a 10-byte struct
 * virtio_net_hdr, a 2-byte length and that many bytes of frame. Each
 * burst is written into the socket, read by tap_rx_burst() into pool
 * buffers stamped with MASQ_IFACE_TWIN, walked by the engine (told
 * "iface set IF twin on" when it knows the command); frames the engine
 * sends into a twin are written by tap_tx() and read back (the header
 * must be the frame's metadata, NEEDS_CSUM only; the bytes the
 * buffer's), the rest checked by fuzzeng.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <linux/virtio_net.h>
#include <sys/socket.h>

#include "../src/io/afpacket.h"
#include "../src/io/tap.h"
#include "../src/io/vnet.h"
#include "../tests/lib/ctlline.h"
#include "../tests/lib/fuzzeng.h"

#define BURST		64
#define POOL_COUNT	256
#define BUF_SIZE	AFP_VNET_BUF_SIZE
#define REC		13

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static int sv[2] = { -1, -1 };
static uint8_t wbuf[70000], rbuf[70000];

/* Write one record into the socket; Return: bytes of input it took */
static size_t put_record(const uint8_t *r, const uint8_t *data, size_t size)
{
	size_t take = (size_t)(r[11] << 8 | r[12]);

	if (take > size)
		take = size;
	memcpy(wbuf, r + 1, sizeof(struct virtio_net_hdr));
	memcpy(wbuf + sizeof(struct virtio_net_hdr), data, take);
	send(sv[1], wbuf, sizeof(struct virtio_net_hdr) + take, MSG_DONTWAIT);
	return take;
}

/* Frames for a twin: through tap_tx(), read back, compared, given back */
static void twin_frames(struct tap *t, struct masq_txq *tx,
			struct masq_pool *pool)
{
	struct tap_stats st = { 0 };
	uint32_t keep = 0;

	for (uint32_t i = 0; i < tx->n; i++) {
		struct masq_buf *b = tx->bufs[i];
		struct virtio_net_hdr v, want;
		ssize_t n;

		if (!(b->iface & MASQ_IFACE_TWIN)) {
			tx->bufs[keep++] = b;
			continue;
		}
		if (b->data < b->base ||
		    b->len > b->cap - (uint32_t)(b->data - b->base) ||
		    tap_tx(t, b, &st)) {
			fprintf(stderr, "a twin frame outside its buffer or not written\n");
			abort();
		}
		n = recv(sv[1], rbuf, sizeof(rbuf), MSG_DONTWAIT);
		vnet_from_meta(&b->meta, &want);
		memcpy(&v, rbuf, sizeof(v));
		if (n != (ssize_t)(sizeof(v) + b->len) ||
		    memcmp(&v, &want, sizeof(v)) ||
		    memcmp(rbuf + sizeof(v), b->data, b->len)) {
			fprintf(stderr, "a twin frame written wrong\n");
			abort();
		}
		masq_pool_put(pool, b);
	}
	tx->n = keep;
}

static void twins_on(struct masq_engine *e)
{
	ctlline_run(e, "iface set lan0 twin on", NULL);	/* known or not */
	ctlline_run(e, "iface set wan0 twin on", NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct masq_buf *bufs[BURST], *txv[256];
	struct masq_txq tx = { txv, 0, 256 };
	struct masq_pool *pool = fuzzeng_pool(POOL_COUNT, BUF_SIZE);
	struct tap_stats st = { 0 };
	uint64_t now = FUZZENG_NS;
	struct masq_engine *e;
	uint32_t iface;
	struct tap t;

	if (size < 2)
		return 0;
	e = fuzzeng_create(data[0]);
	twins_on(e);
	iface = (uint32_t)(data[1] & 1) | MASQ_IFACE_TWIN;
	tap_open_fd(&t, "fuzz0-h", sv[0]);
	data += 2;
	size -= 2;
	while (size >= REC) {
		for (uint32_t k = 0; k < BURST && size >= REC; k++) {
			const uint8_t *r = data;
			size_t took = put_record(r, data + REC, size - REC);

			data += REC + took;
			size -= REC + took;
			if (r[0] & 0x80)
				break;
		}
		uint32_t got = tap_rx_burst(&t, pool, bufs, BURST, iface, &st);

		masq_engine_input(e, bufs, got, now, &tx);
		twin_frames(&t, &tx, pool);
		fuzzeng_check(e, &tx);
		now += FUZZENG_NS;
		masq_engine_advance(e, now, &tx);
		twin_frames(&t, &tx, pool);
		fuzzeng_check(e, &tx);
	}
	while (recv(sv[0], rbuf, sizeof(rbuf), MSG_DONTWAIT) > 0)
		;	/* what a burst left */
	t.fd = -1;	/* the socket stays for the next input */
	tap_close(&t);
	fuzzeng_destroy(e);
	return 0;
}

/* An ARP request from the host for a LAN neighbour, and a ping out */
static void write_seeds(const char *dir)
{
	static const uint8_t arp[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 1, 1, 0x08, 0x06,
		0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 1, 1, 192, 168, 0, 1,
		0, 0, 0, 0, 0, 0, 192, 168, 0, 2,
	};
	static const uint8_t ping[] = {
		2, 0, 0, 0, 2, 0xfe, 2, 0, 0, 0, 2, 1, 0x08, 0x00,
		0x45, 0, 0, 28, 0, 1, 0x40, 0, 64, 1, 0, 0, 203, 0, 113, 1,
		198, 51, 100, 10, 8, 0, 0xf7, 0xfe, 0, 1, 0, 0,
	};
	uint8_t rec[2 + REC + sizeof(ping)] = { 0, 0, 0x80 };

	rec[2 + 12] = sizeof(arp);
	memcpy(rec + 2 + REC, arp, sizeof(arp));
	fuzzeng_seed(dir, "arp", rec, 2 + REC + sizeof(arp));
	rec[1] = 1;
	rec[2 + 12] = sizeof(ping);
	memcpy(rec + 2 + REC, ping, sizeof(ping));
	fuzzeng_seed(dir, "ping", rec, sizeof(rec));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int big = 4 << 20;

	(void)argc;
	(void)argv;
	fuzzeng_start(POOL_COUNT, BUF_SIZE, write_seeds);
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv))
		abort();
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	return 0;
}
