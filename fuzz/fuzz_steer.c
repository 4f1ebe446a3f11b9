// SPDX-License-Identifier: MIT
/*
 * fuzz_steer.c - masq_steer() over hostile frames
 *
 * An input is
 *
 *	0	configuration: bit 6 twins on, bit 7 ipmasqadm forwards of
 *		every kind (tests/lib/fuzzeng.h's mode bits; the engine is
 *		made once per configuration and only read here)
 *	1	workers: 1 + byte % 64
 *	2	interface: 0 lan0, 1 wan0, 2 none such, 3 and 4 their twins,
 *		other values as they are (any index)
 *	3...	the frame, as many bytes as are left
 *
 * The frame sits in a buffer of exactly its length (ASan sees a read
 * past it). Checks: a worker below n, or MASQ_STEER_ALL for an ARP frame
 * off the wire and nothing else; the same answer twice (steering is
 * pure). MASQ_FUZZ_WRITE_SEEDS=DIR writes a few valid inputs and exits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/lib/frame.h"
#include "../tests/lib/fuzzeng.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define HDR	3

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static struct masq_engine *eng[4];
static struct masq_steer *conf[4];

/* The picture of configuration @c (0-3), made on first use */
static struct masq_steer *conf_of(unsigned c)
{
	if (!conf[c]) {
		eng[c] = fuzzeng_create((uint8_t)((c & 1) << 6 | (c & 2) << 6));
		conf[c] = calloc(1, sizeof(*conf[c]));
		if (!conf[c] || masq_engine_steer_conf(eng[c], MASQ_WORKERS_MAX,
						       conf[c]))
			abort();
	}
	return conf[c];
}

static uint32_t iface_of(uint8_t v)
{
	if (v < 3)
		return v;
	if (v < 5)
		return (uint32_t)(v - 3) | MASQ_IFACE_TWIN;
	return (uint32_t)v << 1;	/* an index out of range, or a twin's */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct masq_steer *s;
	struct masq_buf b = { 0 };
	uint32_t w, again;
	uint8_t *frame;

	if (size < HDR)
		return 0;
	s = conf_of((data[0] >> 6) & 3);
	s->n = 1 + data[1] % MASQ_WORKERS_MAX;
	frame = malloc(size - HDR + 1);
	if (!frame)
		return 0;
	memcpy(frame, data + HDR, size - HDR);
	b.data = b.base = frame;
	b.len = b.cap = (uint32_t)(size - HDR);
	b.iface = iface_of(data[2]);
	w = masq_steer(s, &b);
	again = masq_steer(s, &b);
	if (w != again)
		abort();
	if (w == MASQ_STEER_ALL) {
		if (s->n == 1 || b.len < 14 || frame[12] != 0x08 ||
		    frame[13] != 0x06 || (b.iface & MASQ_IFACE_TWIN))
			abort();	/* only wire ARP goes to every worker */
	} else if (w >= s->n) {
		abort();
	}
	free(frame);
	return 0;
}

/* One seed: header bytes, then a frame built from @fs */
static void seed(const char *dir, const char *name, uint8_t cfg, uint8_t n,
		 uint8_t iface, const struct frame_spec *fs)
{
	uint8_t buf[HDR + 2048];
	int len = frame_build_bytes(fs, buf + HDR, sizeof(buf) - HDR, NULL);

	if (len < 0)
		return;
	buf[0] = cfg;
	buf[1] = n;
	buf[2] = iface;
	fuzzeng_seed(dir, name, buf, (size_t)len + HDR);
}

static void write_seeds(const char *dir)
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 2, 0xfe };
	struct frame_spec fs;
	uint8_t quote[64];
	int ql;

	frame_spec_tcp(&fs, IP4(192, 168, 0, 2), 40000, IP4(198, 51, 100, 1),
		       80, 0x02);
	seed(dir, "tcp_out", 0, 3, 0, &fs);
	frame_spec_udp(&fs, IP4(198, 51, 100, 1), 53, IP4(203, 0, 113, 1), 4242);
	seed(dir, "udp_in", 0x80, 1, 1, &fs);
	frame_spec_icmp_echo(&fs, IP4(198, 51, 100, 1), IP4(203, 0, 113, 1),
			     false, 77, 1);
	seed(dir, "echo_reply_in", 0, 7, 1, &fs);
	frame_spec_tcp(&fs, IP4(203, 0, 113, 1), 22, IP4(198, 51, 100, 1),
		       50000, 0x12);
	seed(dir, "twin_out", 0x40, 2, 4, &fs);
	frame_spec_arp(&fs, 1, mac, IP4(203, 0, 113, 254), mac,
		       IP4(203, 0, 113, 1));
	seed(dir, "arp", 0, 4, 1, &fs);
	frame_spec_udp(&fs, IP4(203, 0, 113, 1), 4242, IP4(198, 51, 100, 1), 53);
	ql = frame_build_ip(&fs, quote, sizeof(quote));
	frame_spec_init(&fs, FRAME_IP);
	fs.proto = FRAME_PROTO_ICMP;
	fs.saddr = IP4(198, 51, 100, 1);
	fs.daddr = IP4(203, 0, 113, 1);
	fs.icmp_type = FRAME_ICMP_UNREACH;
	fs.icmp_code = 3;
	if (ql >= 28) {
		memcpy(fs.payload, quote, 28);
		fs.payload_len = 28;
		seed(dir, "icmp_error_in", 0xc0, 5, 1, &fs);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzzeng_start(64, 2048, write_seeds);
	return 0;
}
