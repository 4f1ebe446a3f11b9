// SPDX-License-Identifier: MIT
/*
 * fuzz_frames.c - arbitrary frames with arbitrary metadata through the engine
 *
 * Each input is a sequence of records; each record is a 14-byte header
 *
 *	0	interface: low 7 bits mod 3 (0 lan0, 1 wan0, 2 none such);
 *		top bit: this record ends the batch
 *	1	meta.flags
 *	2	meta.gso_type
 *	3-4	meta.gso_size
 *	5-6	meta.csum_start
 *	7-8	meta.csum_offset
 *	9-10	meta.hdr_len
 *	11	time step: seconds to advance (masq_engine_advance() runs)
 *	12-13	frame length (cut to what is left of the input)
 *
 * followed by that many bytes of frame; up to 8 records per batch.
 *
 * Before the input the engine is configured (two interfaces, addresses,
 * a default route, static neighbours, rules with every target that acts
 * on a packet and a chain long enough for the classifier) and carries
 * established TCP, UDP and ICMP connections, so that frames reach the
 * filter and the translation paths, not only the parser. After every call: every buffer is in the pool, in the
 * tx vector or held (at most limits.neigh_queue), every frame out lies
 * inside its buffer, leaves by an existing interface and, if IPv4, has a
 * valid header checksum; reassembly holds no more than its (smallest)
 * budget and its lists add up (masq_engine_frag_held()). After the
 * input: destroy returns every buffer.
 *
 * MASQ_FUZZ_WRITE_SEEDS=DIR writes a few valid inputs (made with
 * tests/lib/frame.c) into DIR at start-up and exits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/lib/ctlline.h"
#include "../tests/lib/frame.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define NS		1000000000ull
#define POOL_COUNT	64
#define BUF_SIZE	4096
#define HDR		14

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);


static const uint8_t lan_mac[6] = { 2, 0, 0, 0, 1, 1 };
static const uint8_t wan_mac[6] = { 2, 0, 0, 0, 2, 1 };

static struct masq_pool *pool;
static struct masq_limits lim;
static struct frame_spec fs;


static void check_and_release(struct masq_engine *e, struct masq_txq *tx)
{
	uint32_t count = masq_pool_count(pool), avail = masq_pool_avail(pool);
	int nifs = masq_engine_iface_count(e);

	if (avail + tx->n > count || count - avail - tx->n > lim.neigh_queue) {
		fprintf(stderr, "buffers unaccounted for: pool %u of %u, tx %u\n",
			avail, count, tx->n);
		abort();
	}
	for (uint32_t i = 0; i < tx->n; i++) {
		struct masq_buf *b = tx->bufs[i];
		struct frame_view v;

		if (b->data < b->base ||
		    b->len > b->cap - (uint32_t)(b->data - b->base) ||
		    (int)b->iface >= nifs) {
			fprintf(stderr, "tx frame outside its buffer or interface\n");
			abort();
		}
		v.inner = NULL;
		frame_decode(b->data, b->len, &b->meta, &v);
		if (v.has_ip && v.ok && v.ip_csum != FRAME_CSUM_OK) {
			fprintf(stderr, "tx frame with a bad IPv4 header checksum\n");
			abort();
		}
		masq_pool_put(pool, b);
	}
	tx->n = 0;
}

/* Reassembly within its budget (masq_engine_frag_held() checks its lists) */
static void check_frag(const struct masq_engine *e)
{
	uint32_t dgrams, held = masq_engine_frag_held(e, &dgrams);

	if (held > lim.frag_mem || dgrams > held / 1024) {
		fprintf(stderr, "reassembly holds %u bytes in %u datagrams, budget %u\n",
			held, dgrams, lim.frag_mem);
		abort();
	}
}

/* Hand in the frame in @fs on @ifidx; Return: the frames out, decoded first */
static bool feed(struct masq_engine *e, int ifidx, struct masq_txq *tx,
		 struct frame_view *first)
{
	struct masq_buf *b = masq_pool_get(pool);
	bool got;

	if (!b)
		return false;
	memcpy(fs.eth_dst, ifidx ? wan_mac : lan_mac, 6);
	frame_build(&fs, b);
	b->iface = (uint32_t)ifidx;
	masq_engine_input(e, &b, 1, NS, tx);
	first->inner = NULL;
	got = tx->n && frame_decode(tx->bufs[0]->data, tx->bufs[0]->len,
				    &tx->bufs[0]->meta, first);
	check_and_release(e, tx);
	return got;
}

/* TCP, UDP and ICMP connections, both directions seen */
static void establish(struct masq_engine *e, struct masq_txq *tx)
{
	struct frame_view v;
	uint16_t port;

	frame_spec_tcp(&fs, IP4(192, 168, 0, 2), 40000, IP4(198, 51, 100, 10),
		       80, FRAME_TCP_SYN);
	if (feed(e, 0, tx, &v)) {
		port = v.sport;
		frame_spec_tcp(&fs, IP4(198, 51, 100, 10), 80,
			       IP4(203, 0, 113, 1), port,
			       FRAME_TCP_SYN | FRAME_TCP_ACK);
		fs.ack = 1;
		feed(e, 1, tx, &v);
		frame_spec_tcp(&fs, IP4(192, 168, 0, 2), 40000,
			       IP4(198, 51, 100, 10), 80, FRAME_TCP_ACK);
		feed(e, 0, tx, &v);
	}
	frame_spec_udp(&fs, IP4(192, 168, 0, 3), 5353, IP4(198, 51, 100, 10),
		       53);
	if (feed(e, 0, tx, &v)) {
		frame_spec_udp(&fs, IP4(198, 51, 100, 10), 53,
			       IP4(203, 0, 113, 1), v.sport);
		feed(e, 1, tx, &v);
	}
	frame_spec_icmp_echo(&fs, IP4(192, 168, 0, 2), IP4(198, 51, 100, 10),
			     true, 77, 1);
	if (feed(e, 0, tx, &v)) {
		frame_spec_icmp_echo(&fs, IP4(198, 51, 100, 10),
				     IP4(203, 0, 113, 1), false, v.icmp_id, 1);
		feed(e, 1, tx, &v);
	}
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Rules added to the default ruleset: every target that acts on a packet */
static const char rules[] =
	"*mangle\n"
	"-A PREROUTING -p udp -j MARK --set-mark 0x5\n"
	"-A FORWARD -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu\n"
	"COMMIT\n"
	"*nat\n"
	"-A PREROUTING -i wan0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 192.168.0.2:80\n"
	"-A PREROUTING -i lan0 -p tcp -m tcp --dport 3128 -j REDIRECT --to-ports 8080\n"
	"COMMIT\n"
	"*filter\n"
	":many - [0:0]\n"
	"-I INPUT 1 -m limit --limit 50/sec -j LOG --log-prefix \"in: \"\n"
	"-I FORWARD 1 -j many\n"
	"-I FORWARD 2 -p tcp -m tcp --dport 113 -j REJECT --reject-with tcp-reset\n"
	"-I FORWARD 2 -p udp -m multiport --dports 137,138 -j REJECT\n"
	"-I FORWARD 2 -m mark --mark 0x7 -j DROP\n"
	"-I FORWARD 2 -m mac --mac-source 02:00:00:00:01:09 -j DROP\n"
	"-A OUTPUT -j LOG\n"
	"%s"
	"COMMIT\n";

static void log_nowhere(void *ctx, int level, const char *line)
{
	(void)ctx;
	(void)level;
	(void)line;
}

static void add_rules(struct masq_engine *e)
{
	static char text[4096];
	char many[2048];
	size_t at = 0;
	char *argv[] = { "iptables-restore", "--noflush", text };
	struct masq_text out = { 0 };

	for (int i = 0; i < 20; i++)
		at += (size_t)snprintf(many + at, sizeof(many) - at,
				       "-A many -s 10.0.%d.0/24 -p tcp -m tcp --dport %d -j DROP\n",
				       i, 1000 + i);
	snprintf(text, sizeof(text), rules, many);
	masq_engine_set_log(e, log_nowhere, NULL);
	if (masq_engine_ctl(e, 3, argv, &out)) {
		fprintf(stderr, "fuzz_frames: rules refused: %s\n", out.s);
		abort();
	}
	masq_text_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct masq_buf *batch[8], *txv[64];
	struct masq_txq tx = { txv, 0, 64 };
	struct masq_engine *e = masq_engine_create(&lim, pool);
	uint64_t now = NS;

	if (!e)
		abort();
	ctlline_run_all(e, ctlline_topology);
	add_rules(e);
	establish(e, &tx);
	while (size >= HDR) {
		uint32_t n = 0;

		while (n < 8 && size >= HDR) {
			const uint8_t *h = data;
			uint32_t len = rd16(h + 12);
			struct masq_buf *b;

			data += HDR;
			size -= HDR;
			if (len > size)
				len = (uint32_t)size;
			if (len > BUF_SIZE - MASQ_HEADROOM)
				len = BUF_SIZE - MASQ_HEADROOM;
			b = masq_pool_get(pool);
			if (!b)
				break;
			b->iface = (h[0] & 0x7f) % 3;	/* 2: no such */
			b->meta.flags = h[1];
			b->meta.gso_type = h[2];
			b->meta.gso_size = rd16(h + 3);
			b->meta.csum_start = rd16(h + 5);
			b->meta.csum_offset = rd16(h + 7);
			b->meta.hdr_len = rd16(h + 9);
			memcpy(b->data, data, len);
			b->len = len;
			data += len;
			size -= len;
			now += h[11] * NS;
			batch[n++] = b;
			if (h[0] & 0x80)
				break;
		}
		if (!n)
			break;
		masq_engine_input(e, batch, n, now, &tx);
		check_and_release(e, &tx);
		masq_engine_advance(e, now, &tx);
		check_and_release(e, &tx);
		check_frag(e);
	}
	masq_engine_destroy(e);
	if (masq_pool_avail(pool) != masq_pool_count(pool)) {
		fprintf(stderr, "destroy left %u buffers out of the pool\n",
			masq_pool_count(pool) - masq_pool_avail(pool));
		abort();
	}
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

	memcpy(fs.eth_dst, ifidx ? wan_mac : lan_mac, 6);
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

	snprintf(path, sizeof(path), "%s/seed-%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return;
	fwrite(d, 1, n, f);
	fclose(f);
}

static void write_seeds(const char *dir)
{
	static uint8_t buf[4 * (HDR + FRAME_MAX)];
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

	/* first fragments from many sources past the small budget, then a
	 * fragmented answer to the UDP connection */
	n = 0;
	for (uint32_t i = 0; i < 40; i++) {
		frame_spec_udp(&fs, IP4(198, 18, 0, 1 + i % 10), 4444,
			       IP4(203, 0, 113, 1), 7000);
		fs.ip_id = (uint16_t)(100 + i);
		fs.payload_len = 200;
		n = seed_fragment(buf, n, 0, 64);
	}
	frame_spec_udp(&fs, IP4(198, 51, 100, 10), 53, IP4(203, 0, 113, 1),
		       5353);
	fs.ip_id = 7;
	fs.payload_len = 1200;
	n = seed_fragment(buf, n, 800, 408);
	n = seed_fragment(buf, n, 0, 800);
	seed_write(dir, "frag-flood-answer", buf, n);

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
	const char *dir = getenv("MASQ_FUZZ_WRITE_SEEDS");

	(void)argc;
	(void)argv;
	ctlline_small_limits(&lim);
	pool = masq_pool_create(POOL_COUNT, BUF_SIZE);
	if (!pool)
		abort();
	if (dir) {
		write_seeds(dir);
		exit(0);
	}
	return 0;
}
