// SPDX-License-Identifier: MIT
/*
 * fuzz_frames.c - arbitrary frames with arbitrary metadata through the engine
 *
 * An input is a mode byte (tests/lib/fuzzeng.h: filtering and mapping
 * modes, tcp-pickup, small limits so that eviction runs, no rules), then
 * a sequence of records; each record is a 14-byte header
 *
 *	0	interface: low 6 bits mod 3 (0 lan0, 1 wan0, 2 none such);
 *		bit 6: the frame is 16 times the length below, the input's
 *		bytes then zeros (a GSO super-frame from a short input);
 *		bit 7: this record ends the batch
 *	1	meta.flags
 *	2	meta.gso_type
 *	3-4	meta.gso_size
 *	5-6	meta.csum_start
 *	7-8	meta.csum_offset
 *	9-10	meta.hdr_len
 *	11	time step: seconds to advance (masq_engine_advance() runs)
 *	12-13	frame length (cut to what is left of the input)
 *
 * followed by that many bytes of frame; up to 64 records per batch, the
 * engine's whole batch walk. Buffers are 64 KiB, as masqd's with the
 * virtio-net header. The engine (fuzzeng.c) carries rules with every
 * target that acts on a packet, DNAT and REDIRECT among them, and
 * established TCP, UDP and ICMP connections, so that frames reach the
 * filter and the translation paths, not only the parser. The checks
 * after every call and at the end are fuzzeng.c's.
 *
 * MASQ_FUZZ_WRITE_SEEDS=DIR writes a few valid inputs (made with
 * tests/lib/frame.c) into DIR at start-up and exits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/lib/frame.h"
#include "../tests/lib/fuzzeng.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define POOL_COUNT	256
#define BUF_SIZE	(65536 + 256)
#define HDR		14
#define BATCH		64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static const uint8_t lan_mac[6] = { 2, 0, 0, 0, 1, 1 };
static const uint8_t wan_mac[6] = { 2, 0, 0, 0, 2, 1 };

static struct frame_spec fs;

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* One record's frame into a buffer; Return: bytes of input it took */
static size_t record_frame(struct masq_buf *b, const uint8_t *h,
			   const uint8_t *data, size_t size)
{
	uint32_t room = BUF_SIZE - MASQ_HEADROOM, len = rd16(h + 12);
	uint32_t want = h[0] & 0x40 ? 16 * len : len;
	size_t take = len < size ? len : size;

	if (want > room)
		want = room;
	if (take > want)
		take = want;
	memcpy(b->data, data, take);
	memset(b->data + take, 0, want - take);
	b->len = want;
	/* 0, 1: lan0, wan0; 2: no such; 3, 4: their twins (the host's side) */
	b->iface = (h[0] & 0x3f) % 5;
	if (b->iface > 2)
		b->iface = (b->iface - 3) | MASQ_IFACE_TWIN;
	b->meta.flags = h[1];
	b->meta.gso_type = h[2];
	b->meta.gso_size = rd16(h + 3);
	b->meta.csum_start = rd16(h + 5);
	b->meta.csum_offset = rd16(h + 7);
	b->meta.hdr_len = rd16(h + 9);
	return take;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct masq_buf *batch[BATCH], *txv[256];
	struct masq_txq tx = { txv, 0, 256 };
	struct masq_pool *pool = fuzzeng_pool(POOL_COUNT, BUF_SIZE);
	struct masq_engine *e;
	uint64_t now = FUZZENG_NS;

	if (!size)
		return 0;
	e = fuzzeng_create(data[0]);
	data++;
	size--;
	while (size >= HDR) {
		uint32_t n = 0;

		while (n < BATCH && size >= HDR) {
			const uint8_t *h = data;
			struct masq_buf *b = masq_pool_get(pool);
			size_t took;

			if (!b)
				break;
			data += HDR;
			size -= HDR;
			took = record_frame(b, h, data, size);
			data += took;
			size -= took;
			now += h[11] * FUZZENG_NS;
			batch[n++] = b;
			if (h[0] & 0x80)
				break;
		}
		if (!n)
			break;
		masq_engine_input(e, batch, n, now, &tx);
		fuzzeng_check(e, &tx);
		masq_engine_advance(e, now, &tx);
		fuzzeng_check(e, &tx);
	}
	fuzzeng_destroy(e);
	return 0;
}

/* ---- seeds ---- */

/* Append @frame (@n bytes, metadata @m) to @out at @at as one record */
static size_t seed_put(uint8_t *out, size_t at, int ifidx, uint8_t flags,
		       uint16_t cstart, uint16_t coff, uint8_t tstep,
		       const uint8_t *frame, int n, const struct masq_meta *m)
{
	if (n < 0)
		return at;
	if (m->flags) {
		flags = m->flags;
		cstart = m->csum_start;
		coff = m->csum_offset;
	}
	out[at + 0] = (uint8_t)ifidx;
	out[at + 1] = flags;
	out[at + 2] = 0;
	out[at + 3] = 0;
	out[at + 4] = 0;
	out[at + 5] = (uint8_t)(cstart >> 8);
	out[at + 6] = (uint8_t)cstart;
	out[at + 7] = (uint8_t)(coff >> 8);
	out[at + 8] = (uint8_t)coff;
	out[at + 9] = 0;
	out[at + 10] = 0;
	out[at + 11] = tstep;
	out[at + 12] = (uint8_t)(n >> 8);
	out[at + 13] = (uint8_t)n;
	memcpy(out + at + HDR, frame, (size_t)n);
	return at + HDR + (size_t)n;
}

static size_t seed_record(uint8_t *out, size_t at, int ifidx, uint8_t flags,
			  uint16_t cstart, uint16_t coff, uint8_t tstep)
{
	uint8_t frame[FRAME_MAX];
	struct masq_meta m;
	int n;

	memcpy(fs.eth_dst, ifidx % 3 ? wan_mac : lan_mac, 6);
	if (ifidx >= 3)		/* from a twin: the host writes its own MAC */
		memcpy(fs.eth_src, ifidx == 4 ? wan_mac : lan_mac, 6);
	n = frame_build_bytes(&fs, frame, sizeof(frame), &m);
	return seed_put(out, at, ifidx, flags, cstart, coff, tstep, frame, n, &m);
}

/* Bytes [@off, @off + @len) of the datagram in fs, as a fragment from the WAN */
static size_t seed_fragment(uint8_t *out, size_t at, uint32_t off,
			    uint32_t len)
{
	uint8_t frame[FRAME_MAX];
	struct masq_meta m;
	int n;

	memcpy(fs.eth_dst, wan_mac, 6);
	n = frame_build_bytes(&fs, frame, sizeof(frame), &m);
	if (n >= 0)
		n = frame_fragment(frame, (uint32_t)n, off, len);
	return seed_put(out, at, 1, 0, 0, 0, 0, frame, n, &m);
}

static void seed_write(const char *dir, const char *name, const uint8_t *d,
		       size_t n)
{
	char path[1024];
	FILE *f;

	/* 0, 9, 18, 27 (27: an ipchains ruleset), 36, 45, 54, 63 (ipfwadm) */
	for (int mode = 0; mode < 64; mode += 9) {
		snprintf(path, sizeof(path), "%s/seed-%s-mode%d", dir, name, mode);
		f = fopen(path, "wb");
		if (!f)
			return;
		fputc(mode, f);
		fwrite(d, 1, n, f);
		fclose(f);
	}
}

/* The router host's traffic through the twins, with twins on (mode 64) */
static void write_twin_seed(const char *dir)
{
	static uint8_t buf[6 * (HDR + FRAME_MAX)];
	char path[1024];
	size_t n;
	FILE *f;

	frame_spec_tcp(&fs, IP4(192, 168, 0, 2), 40000, IP4(192, 168, 0, 1),
		       22, FRAME_TCP_SYN);
	n = seed_record(buf, 0, 0, 0, 0, 0, 0);
	frame_spec_tcp(&fs, IP4(192, 168, 0, 1), 22, IP4(192, 168, 0, 2),
		       40000, FRAME_TCP_SYN | FRAME_TCP_ACK);
	n = seed_record(buf, n, 3, 0, 0, 0, 0);
	frame_spec_tcp(&fs, IP4(203, 0, 113, 1), 45000, IP4(198, 51, 100, 10),
		       80, FRAME_TCP_SYN);
	n = seed_record(buf, n, 4, 0, 0, 0, 0);
	frame_spec_tcp(&fs, IP4(198, 51, 100, 10), 80, IP4(203, 0, 113, 1),
		       45000, FRAME_TCP_SYN | FRAME_TCP_ACK);
	n = seed_record(buf, n, 1, 0, 0, 0, 0);
	frame_spec_udp(&fs, 0, 68, 0xffffffffu, 67);
	n = seed_record(buf, n, 4, 0, 0, 0, 0);
	for (int mode = 64; mode < 128; mode += 32) {
		snprintf(path, sizeof(path), "%s/seed-twins-mode%d", dir, mode);
		f = fopen(path, "wb");
		if (!f)
			return;
		fputc(mode, f);
		fwrite(buf, 1, n, f);
		fclose(f);
	}
}

/* Forwards of every kind (mode 128): portfw, a hairpin, autofw's control */
static void write_forward_seed(const char *dir)
{
	static uint8_t buf[8 * (HDR + FRAME_MAX)];
	char path[1024];
	size_t n;
	FILE *f;

	frame_spec_tcp(&fs, IP4(198, 51, 100, 10), 5000, IP4(203, 0, 113, 1),
		       80, FRAME_TCP_SYN);
	n = seed_record(buf, 0, 1, 0, 0, 0, 0);
	frame_spec_tcp(&fs, IP4(192, 168, 0, 3), 41000, IP4(203, 0, 113, 1),
		       80, FRAME_TCP_SYN);
	n = seed_record(buf, n, 0, 0, 0, 0, 0);
	frame_spec_tcp(&fs, IP4(192, 168, 0, 2), 40000, IP4(198, 51, 100, 10),
		       7070, FRAME_TCP_SYN);
	n = seed_record(buf, n, 0, 0, 0, 0, 0);
	frame_spec_udp(&fs, IP4(198, 51, 100, 10), 6970, IP4(203, 0, 113, 1),
		       7005);
	n = seed_record(buf, n, 1, 0, 0, 0, 1);
	frame_spec_tcp(&fs, IP4(198, 51, 100, 10), 5001, IP4(203, 0, 113, 1),
		       443, FRAME_TCP_SYN);
	n = seed_record(buf, n, 1, 0, 0, 0, 20);
	/* a TFTP read request out (the tftp helper, on by default), the
	 * server's answer from a new port back in (its expectation) */
	static const char rrq[] = "\0\1boot.img\0octet";	/* and its NUL */

	frame_spec_udp(&fs, IP4(192, 168, 0, 2), 40000, IP4(198, 51, 100, 10),
		       69);
	memcpy(fs.payload, rrq, sizeof(rrq));
	fs.payload_len = sizeof(rrq);
	n = seed_record(buf, n, 0, 0, 0, 0, 0);
	frame_spec_udp(&fs, IP4(198, 51, 100, 10), 5555, IP4(203, 0, 113, 1),
		       40000);
	memcpy(fs.payload, "\0\3\0\1data", 8);
	fs.payload_len = 8;
	n = seed_record(buf, n, 1, 0, 0, 0, 0);
	fs.payload_len = 0;
	snprintf(path, sizeof(path), "%s/seed-forwards-mode128", dir);
	f = fopen(path, "wb");
	if (!f)
		return;
	fputc(128, f);
	fwrite(buf, 1, n, f);
	fclose(f);
}

static void write_seeds(const char *dir)
{
	write_twin_seed(dir);
	write_forward_seed(dir);
	static uint8_t buf[4 * (HDR + FRAME_MAX)], big[BATCH * (HDR + 128)];
	uint8_t us[6] = { 2, 0, 0, 0, 1, 9 };
	size_t n;

	frame_spec_tcp(&fs, IP4(192, 168, 0, 2), 40000, IP4(198, 51, 100, 10),
		       80, FRAME_TCP_ACK | FRAME_TCP_PSH);
	fs.payload_len = 64;
	n = seed_record(buf, 0, 0, 0, 0, 0, 0);
	frame_spec_tcp(&fs, IP4(198, 51, 100, 10), 80, IP4(203, 0, 113, 1),
		       40000, FRAME_TCP_ACK);
	n = seed_record(buf, n, 1, 0, 0, 0, 1);
	seed_write(dir, "tcp-both-ways", buf, n);

	frame_spec_udp(&fs, IP4(192, 168, 0, 3), 5353, IP4(198, 51, 100, 10), 53);
	fs.brk = FRAME_CSUM_NEEDED;
	fs.payload_len = 20;
	n = seed_record(buf, 0, 0, 0, 0, 0, 0);
	seed_write(dir, "udp-csum-needed", buf, n);

	frame_spec_icmp_echo(&fs, IP4(198, 51, 100, 10), IP4(203, 0, 113, 1),
			     false, 77, 2);
	n = seed_record(buf, 0, 1, 0, 0, 0, 70);
	seed_write(dir, "icmp-reply-then-expire", buf, n);

	{
		static struct frame_spec inner;
		int q;

		frame_spec_udp(&inner, IP4(203, 0, 113, 1), 5353,
			       IP4(198, 51, 100, 10), 53);
		frame_spec_init(&fs, FRAME_IP);
		fs.proto = FRAME_PROTO_ICMP;
		fs.saddr = IP4(198, 51, 100, 10);
		fs.daddr = IP4(203, 0, 113, 1);
		fs.icmp_type = FRAME_ICMP_UNREACH;
		fs.icmp_code = 3;
		q = frame_build_ip(&inner, fs.payload, sizeof(fs.payload));
		fs.payload_len = (uint16_t)(q > 0 ? q : 0);
		n = seed_record(buf, 0, 1, 0, 0, 0, 0);
		seed_write(dir, "icmp-error-quote", buf, n);
	}

	frame_spec_arp(&fs, 1, us, IP4(192, 168, 0, 9), (uint8_t[6]){ 0 },
		       IP4(192, 168, 0, 1));
	n = seed_record(buf, 0, 0, 0, 0, 0, 0);
	frame_spec_udp(&fs, IP4(192, 168, 0, 2), 7000, IP4(203, 0, 113, 50), 9);
	fs.ttl = 1;
	n = seed_record(buf, n, 0, 0, 0, 0, 0);
	frame_spec_udp(&fs, IP4(192, 168, 0, 2), 7000, IP4(203, 0, 113, 50), 9);
	n = seed_record(buf, n, 0, 0, 0, 0, 2);
	seed_write(dir, "arp-ttl-unresolved", buf, n);

	/* a whole batch: the established connection, 32 segments each way */
	n = 0;
	for (int i = 0; i < BATCH; i++) {
		if (i & 1)
			frame_spec_tcp(&fs, IP4(198, 51, 100, 10), 80,
				       IP4(203, 0, 113, 1), 40000, FRAME_TCP_ACK);
		else
			frame_spec_tcp(&fs, IP4(192, 168, 0, 2), 40000,
				       IP4(198, 51, 100, 10), 80,
				       FRAME_TCP_ACK | FRAME_TCP_PSH);
		fs.payload_len = 8;
		n = seed_record(big, n, i & 1, 0, 0, 0, 0);
	}
	seed_write(dir, "batch-64", big, n);

	/* first fragments from many sources past the small budget (a
	 * batch), then a fragmented answer to the UDP connection */
	n = 0;
	for (uint32_t i = 0; i < 40; i++) {
		frame_spec_udp(&fs, IP4(198, 18, 0, 1 + i % 10), 4444,
			       IP4(203, 0, 113, 1), 7000);
		fs.ip_id = (uint16_t)(100 + i);
		fs.payload_len = 200;
		n = seed_fragment(big, n, 0, 64);
	}
	frame_spec_udp(&fs, IP4(198, 51, 100, 10), 53, IP4(203, 0, 113, 1),
		       5353);
	fs.ip_id = 7;
	fs.payload_len = 1200;
	n = seed_fragment(big, n, 800, 408);
	n = seed_fragment(big, n, 0, 800);
	seed_write(dir, "frag-flood-answer", big, n);

	/* a forward: a SYN to the DNAT rule's port from outside */
	frame_spec_tcp(&fs, IP4(198, 51, 100, 20), 5555, IP4(203, 0, 113, 1),
		       8080, FRAME_TCP_SYN);
	n = seed_record(buf, 0, 1, 0, 0, 0, 0);
	seed_write(dir, "dnat-syn", buf, n);

	frame_spec_tcp(&fs, IP4(192, 168, 0, 2), 40001, IP4(198, 51, 100, 10),
		       80, FRAME_TCP_ACK);
	fs.payload_len = 1400;
	n = seed_record(buf, 0, 0, MASQ_META_NEEDS_CSUM, 34, 16, 0);
	buf[2] = MASQ_GSO_TCPV4;
	buf[3] = 0x02;			/* gso_size 512 */
	buf[4] = 0x00;
	seed_write(dir, "tcp-gso", buf, n);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzzeng_start(POOL_COUNT, BUF_SIZE, write_seeds);
	return 0;
}
