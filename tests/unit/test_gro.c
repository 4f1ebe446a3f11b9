// SPDX-License-Identifier: MIT
/*
 * test_gro.c - userspace GRO (src/io/gro.c): what gets merged, what not
 *
 * Each case builds a burst of frames with tests/lib/frame.h, keeps a
 * reference copy of each (full checksums), runs gro_burst() and then
 * does to every output frame what the kernel does on an egress without
 * TSO: a GSO frame is cut back into segments as tcp_gso_segment() cuts
 * it (IDs counted up, PSH on the last only, CWR on the first only, the
 * pseudo-header sum in the checksum field adjusted to each segment's
 * length, then completed), a NEEDS_CSUM frame has its sum completed. The
 * result must be the reference frames byte for byte, in the order the
 * case expects; the case also says how many frames came out, so a
 * coalescer that merged nothing cannot pass a case about merging. The
 * checksum arithmetic is frame.h's, not the engine's.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "../lib/frame.h"
#include "../lib/report.h"
#include "io/afpacket.h"
#include "io/gro.h"

#define MAXF	80
#define FLEN	1600
#define MSS	1448
#define HDRS	(14 + 20 + 32)	/* Ethernet, IP, TCP with timestamps */

static struct masq_pool *pool;
static struct gro_stats st;
static uint8_t ref[MAXF][FLEN];		/* reference frames, by index */
static uint32_t ref_len[MAXF];
static uint8_t seg_out[MAXF * 2][FLEN];	/* output cut back into segments */
static uint32_t seg_len[MAXF * 2];

static const uint8_t mac_a[6] = { 2, 0x6d, 0x71, 0, 1, 2 };
static const uint8_t mac_b[6] = { 2, 0x6d, 0x71, 0, 1, 1 };

/**
 * struct flow - a connection's segments as the case wants them
 * @sport:	source port (the flow's identity in a case)
 * @ts:		timestamp value in every segment's options
 * @df, @fixed_id: Don't Fragment; the same IP ID in every segment
 * @partial:	frames come with NEEDS_CSUM (a local sender's)
 * @flags:	extra TCP flags of every segment (ACK is always set)
 */
struct flow {
	uint16_t sport;
	uint32_t ts;
	bool df, fixed_id, partial;
	uint8_t flags;
};

static void spec_seg(const struct flow *f, struct frame_spec *s, uint32_t k,
		     uint32_t plen, uint8_t flags)
{
	frame_spec_tcp(s, 0xc0a80002u, f->sport, 0xcb007102u, 5201,
		       FRAME_TCP_ACK | f->flags | flags);
	memcpy(s->eth_dst, mac_b, 6);
	memcpy(s->eth_src, mac_a, 6);
	s->seq = 1000 + k * MSS;
	s->ack = 77;
	s->df = f->df;
	s->ip_id = (uint16_t)(f->fixed_id ? 500 : 500 + k);
	s->tcp_opts[0] = 1;
	s->tcp_opts[1] = 1;
	s->tcp_opts[2] = 8;
	s->tcp_opts[3] = 10;
	s->tcp_opts[4] = (uint8_t)(f->ts >> 24);
	s->tcp_opts[7] = (uint8_t)f->ts;
	s->tcp_opts[11] = 9;
	s->tcp_opts_len = 12;
	s->payload_len = (uint16_t)plen;
	for (uint32_t i = 0; i < plen; i++)
		s->payload[i] = (uint8_t)(k * 7 + i * 13 + f->sport);
}

/* Build frame @idx of the burst from @s: the reference and the buffer */
static struct masq_buf *build(struct frame_spec *s, bool partial, int idx)
{
	struct masq_buf *b = masq_pool_get(pool);
	int len;

	if (!b)
		return NULL;
	len = frame_build_bytes(s, ref[idx], FLEN, NULL);
	if (partial)
		s->brk |= FRAME_CSUM_NEEDED;
	if (len < 0 || frame_build(s, b) < 0) {
		masq_pool_put(pool, b);
		return NULL;
	}
	ref_len[idx] = (uint32_t)len;
	return b;
}

/* Segment @k (@plen payload bytes, @flags more) of @f as frame @idx */
static struct masq_buf *seg(const struct flow *f, uint32_t k, uint32_t plen,
			    uint8_t flags, int idx)
{
	struct frame_spec s;

	spec_seg(f, &s, k, plen, flags);
	return build(&s, f->partial, idx);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Complete a NEEDS_CSUM sum at @start/@off over @len bytes of frame */
static void complete(uint8_t *f, uint32_t len, uint32_t start, uint32_t off)
{
	put16(f + start + off,
	      (uint16_t)~frame_fold(frame_sum(f + start, len - start, 0)));
}

/* One segment of GSO frame @b, as tcp_gso_segment() makes it */
static uint32_t cut(const struct masq_buf *b, uint32_t i, uint32_t nseg,
		    uint8_t *o)
{
	const struct masq_meta *m = &b->meta;
	uint32_t hl = m->csum_start + (uint32_t)(b->data[m->csum_start + 12] >> 4) * 4;
	uint32_t plen = b->len - hl - i * m->gso_size, tl = b->len - m->csum_start;
	uint8_t *th = o + m->csum_start;
	uint32_t seq0 = (uint32_t)get16(b->data + m->csum_start + 4) << 16 |
			get16(b->data + m->csum_start + 6);
	uint32_t sum;

	if (plen > m->gso_size)
		plen = m->gso_size;
	memcpy(o, b->data, hl);
	memcpy(o + hl, b->data + hl + i * m->gso_size, plen);
	put16(o + 16, (uint16_t)(hl - 14 + plen));
	put16(o + 18, (uint16_t)(get16(o + 18) + i));
	put16(o + 24, 0);
	put16(o + 24, (uint16_t)~frame_fold(frame_sum(o + 14, 20, 0)));
	put16(th + 4, (uint16_t)((seq0 + i * m->gso_size) >> 16));
	put16(th + 6, (uint16_t)(seq0 + i * m->gso_size));
	if (i + 1 < nseg)
		th[13] &= (uint8_t)~(FRAME_TCP_PSH | FRAME_TCP_FIN);
	if (i)
		th[13] &= 0x7f;				/* CWR */
	/* the pseudo-header sum for the whole length, less it, plus ours */
	sum = get16(th + 16) + (uint16_t)~tl + (hl - m->csum_start + plen);
	put16(th + 16, frame_fold(sum));
	complete(o, hl + plen, m->csum_start, m->csum_offset);
	return hl + plen;
}

/* Cut every output frame back into wire frames; Return: how many */
static int resegment(struct masq_buf **out, uint32_t n)
{
	uint32_t k = 0;

	for (uint32_t j = 0; j < n; j++) {
		const struct masq_buf *b = out[j];
		uint32_t hl, nseg = 1;

		if (b->meta.gso_type != MASQ_GSO_NONE) {
			hl = b->meta.csum_start +
			     (uint32_t)(b->data[b->meta.csum_start + 12] >> 4) * 4;
			if (!b->meta.gso_size || b->len <= hl)
				return report_failf("GSO frame %u: no payload", j);
			nseg = (b->len - hl + b->meta.gso_size - 1) / b->meta.gso_size;
			if ((b->meta.gso_type & ~MASQ_GSO_ECN) != MASQ_GSO_TCPV4 ||
			    !(b->meta.flags & MASQ_META_NEEDS_CSUM) ||
			    b->meta.csum_offset != 16)
				return report_failf("frame %u: GSO metadata %u/%u/%u",
						    j, b->meta.gso_type,
						    b->meta.flags,
						    b->meta.csum_offset);
		}
		for (uint32_t i = 0; i < nseg; i++) {
			if (k == MAXF * 2)
				return report_failf("more than %u segments", k);
			if (b->meta.gso_type != MASQ_GSO_NONE) {
				seg_len[k] = cut(b, i, nseg, seg_out[k]);
				k++;
				continue;
			}
			if (b->len > FLEN)
				return report_failf("frame %u: %u bytes", j, b->len);
			memcpy(seg_out[k], b->data, b->len);
			if (b->meta.flags & MASQ_META_NEEDS_CSUM)
				complete(seg_out[k], b->len, b->meta.csum_start,
					 b->meta.csum_offset);
			seg_len[k++] = b->len;
		}
	}
	return (int)k;
}

static void release(struct masq_buf **b, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		masq_pool_put(pool, b[i]);
}

/*
 * Run the burst @b[0..n), expect @nout frames out and, cut back into
 * segments, the reference frames @order[0..norder) in that order
 */
static int expect(struct masq_buf **b, uint32_t n, uint32_t nout,
		  const int *order, int norder)
{
	uint32_t avail = masq_pool_avail(pool), got = gro_burst(b, n, pool, &st);
	int k, rc = 0;

	if (masq_pool_avail(pool) != avail + (n - got))
		rc = report_failf("%u frames out of %u but %u buffers back",
				  got, n, masq_pool_avail(pool) - avail);
	else if (got != nout)
		rc = report_failf("%u frames out, want %u", got, nout);
	else if ((k = resegment(b, got)) < 0)
		rc = -1;
	else if (k != norder)
		rc = report_failf("%d segments after cutting, want %d", k, norder);
	for (int i = 0; !rc && i < norder; i++) {
		int r = order[i];

		if (seg_len[i] != ref_len[r] || memcmp(seg_out[i], ref[r], ref_len[r]))
			rc = report_failf("segment %d is not frame %d as sent "
					  "(%u bytes, want %u)", i, r,
					  seg_len[i], ref_len[r]);
	}
	release(b, got);
	return rc;
}

static int check_built(struct masq_buf **b, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (!b[i]) {
			release(b, i);
			return report_failf("frame %u did not build", i);
		}
	return 0;
}

/* n in-order full segments of one flow, the last @last bytes */
static int run_flow(const struct flow *f, uint32_t n, uint32_t last,
		    uint32_t nout)
{
	struct masq_buf *b[MAXF];
	int order[MAXF];

	for (uint32_t i = 0; i < n; i++) {
		b[i] = seg(f, i, i + 1 == n ? last : MSS, 0, (int)i);
		order[i] = (int)i;
	}
	if (check_built(b, n))
		return -1;
	return expect(b, n, nout, order, (int)n);
}

static int coalesces_in_order(void)
{
	struct flow f = { .sport = 40000, .ts = 0x1234 };
	uint64_t before = st.super_frames;

	if (run_flow(&f, 10, MSS, 1))
		return -1;
	return st.super_frames == before + 1 ? 0 :
	       report_failf("super_frames counter did not count it");
}

static int short_last_segment_joins(void)
{
	struct flow f = { .sport = 40001, .ts = 5 };

	return run_flow(&f, 6, 100, 1);
}

static int partial_checksums_merge(void)
{
	struct flow f = { .sport = 40002, .ts = 5, .partial = true };

	return run_flow(&f, 5, MSS, 1);
}

static int fixed_id_with_df_merges(void)
{
	struct flow f = { .sport = 40003, .ts = 5, .df = true, .fixed_id = true };
	struct masq_buf *b[4];
	static const int order[] = { 0, 1, 2, 3 };

	/* fixed IDs come out counted up (RFC 6864): compare headers loosely */
	for (int i = 0; i < 4; i++)
		b[i] = seg(&f, (uint32_t)i, MSS, 0, i);
	if (check_built(b, 4))
		return -1;
	for (int i = 1; i < 4; i++) {		/* what the cut will write */
		put16(ref[i] + 18, (uint16_t)(500 + i));
		put16(ref[i] + 24, 0);
		put16(ref[i] + 24, (uint16_t)~frame_fold(frame_sum(ref[i] + 14, 20, 0)));
	}
	return expect(b, 4, 1, order, 4);
}

static int fixed_id_without_df_does_not(void)
{
	struct flow f = { .sport = 40004, .ts = 5, .fixed_id = true };

	return run_flow(&f, 3, MSS, 3);
}

static int long_flow_fills_64k(void)
{
	struct flow f = { .sport = 40005, .ts = 5 };
	struct masq_buf *b[60];
	int order[60];
	uint32_t per = (65535 - 20 - 32) / MSS;	/* 45 segments a frame */

	for (int i = 0; i < 60; i++) {
		b[i] = seg(&f, (uint32_t)i, MSS, 0, i);
		order[i] = i;
	}
	if (check_built(b, 60))
		return -1;
	if (gro_burst(b, 60, pool, &st) != 2) {
		report_failf("60 segments did not make 2 frames");
		return -1;	/* buffers lost: the pool check will tell */
	}
	if (b[0]->len != 14 + 20 + 32 + per * MSS || b[0]->len - 14 > 65535)
		return report_failf("first frame %u bytes, want %u", b[0]->len,
				    14 + 20 + 32 + per * MSS);
	if (resegment(b, 2) != 60) {
		release(b, 2);
		return report_failf("cut back into other than 60 segments");
	}
	release(b, 2);
	for (int i = 0; i < 60; i++)
		if (seg_len[i] != ref_len[order[i]] ||
		    memcmp(seg_out[i], ref[order[i]], seg_len[i]))
			return report_failf("segment %d differs", i);
	return 0;
}

static int stops_at_a_gap(void)
{
	struct flow f = { .sport = 40006, .ts = 5 };
	struct frame_spec s;
	struct masq_buf *b[4];
	static const int order[] = { 0, 1, 2, 3 };

	b[0] = seg(&f, 0, MSS, 0, 0);
	b[1] = seg(&f, 1, MSS, 0, 1);
	for (int i = 2; i < 4; i++) {	/* IDs go on, the data skips one */
		spec_seg(&f, &s, (uint32_t)i + 1, MSS, 0);
		s.ip_id = (uint16_t)(500 + i);
		b[i] = build(&s, false, i);
	}
	return check_built(b, 4) ? -1 : expect(b, 4, 2, order, 4);
}

static int cwr_on_the_first_only(void)
{
	struct flow f = { .sport = 40017, .ts = 5 };
	struct masq_buf *b[4] = {
		seg(&f, 0, MSS, 0x80, 0), seg(&f, 1, MSS, 0, 1),
		seg(&f, 2, MSS, 0x80, 2), seg(&f, 3, MSS, 0, 3),
	};
	static const int order[] = { 0, 1, 2, 3 };

	return check_built(b, 4) ? -1 : expect(b, 4, 2, order, 4);
}

static int psh_first_stands_alone(void)
{
	struct flow f = { .sport = 40016, .ts = 5 };
	struct masq_buf *b[3] = {
		seg(&f, 0, MSS, FRAME_TCP_PSH, 0), seg(&f, 1, MSS, 0, 1),
		seg(&f, 2, MSS, 0, 2),
	};
	static const int order[] = { 0, 1, 2 };

	return check_built(b, 3) ? -1 : expect(b, 3, 2, order, 3);
}

/* A segment with @flag between others: merged up to it, not past it */
static int stops_at_flag(uint8_t flag, uint32_t plen)
{
	struct flow f = { .sport = 40007, .ts = 5 };
	struct masq_buf *b[5] = {
		seg(&f, 0, MSS, 0, 0), seg(&f, 1, MSS, 0, 1),
		seg(&f, 2, plen, flag, 2), seg(&f, 3, MSS, 0, 3),
		seg(&f, 4, MSS, 0, 4),
	};
	static const int order[] = { 0, 1, 2, 3, 4 };

	if (check_built(b, 5))
		return -1;
	/* segments 3 and 4 do not follow 2 when 2 carried no data */
	if (!plen)
		for (int i = 3; i < 5; i++) {
			struct frame_spec s;

			masq_pool_put(pool, b[i]);
			spec_seg(&f, &s, (uint32_t)i - 1, MSS, 0);
			s.seq = 1000 + 2 * MSS + (uint32_t)(i - 3) * MSS;
			s.ip_id = (uint16_t)(500 + i);
			b[i] = build(&s, false, i);
		}
	if (check_built(b, 5))
		return -1;
	return expect(b, 5, 3, order, 5);
}

static int stops_at_other_flags(void)
{
	static const uint8_t flags[] = { FRAME_TCP_FIN, FRAME_TCP_SYN,
					 FRAME_TCP_RST, FRAME_TCP_URG };

	for (size_t i = 0; i < sizeof(flags); i++)
		if (stops_at_flag(flags[i], MSS))
			return report_failf("flag 0x%02x: merged past it", flags[i]);
	return stops_at_flag(0, 0) ? report_failf("a pure ACK: merged past it") : 0;
}

static int psh_ends_the_frame(void)
{
	struct flow f = { .sport = 40008, .ts = 5 };
	struct masq_buf *b[4] = {
		seg(&f, 0, MSS, 0, 0), seg(&f, 1, MSS, 0, 1),
		seg(&f, 2, MSS, FRAME_TCP_PSH, 2), seg(&f, 3, MSS, 0, 3),
	};
	static const int order[] = { 0, 1, 2, 3 };

	return check_built(b, 4) ? -1 : expect(b, 4, 2, order, 4);
}

static int other_options_start_anew(void)
{
	struct flow f = { .sport = 40009, .ts = 5 }, g = f;
	struct masq_buf *b[4];
	static const int order[] = { 0, 1, 2, 3 };

	g.ts = 6;				/* the timestamp ticked */
	b[0] = seg(&f, 0, MSS, 0, 0);
	b[1] = seg(&f, 1, MSS, 0, 1);
	b[2] = seg(&g, 2, MSS, 0, 2);
	b[3] = seg(&g, 3, MSS, 0, 3);
	return check_built(b, 4) ? -1 : expect(b, 4, 2, order, 4);
}

static int flows_kept_apart_and_in_order(void)
{
	struct flow f = { .sport = 40010, .ts = 5 }, g = { .sport = 40011, .ts = 5 };
	struct frame_spec s;
	struct masq_buf *b[8];
	/* A0 B0 udp A1 B1 arp A2 B2 A3 -> A(0-3) B(0-2) udp arp */
	static const int order[] = { 0, 2, 5, 7, 1, 3, 6, 4, 8 };
	struct masq_buf *all[9];

	b[0] = seg(&f, 0, MSS, 0, 0);
	b[1] = seg(&g, 0, MSS, 0, 1);
	frame_spec_udp(&s, 0xc0a80002u, 5000, 0xcb007102u, 53);
	s.payload_len = 20;
	b[2] = build(&s, false, 4);
	b[3] = seg(&f, 1, MSS, 0, 2);
	b[4] = seg(&g, 1, MSS, 0, 3);
	frame_spec_arp(&s, 1, mac_a, 0xc0a80002u, mac_b, 0xc0a80001u);
	b[5] = build(&s, false, 8);
	b[6] = seg(&f, 2, MSS, 0, 5);
	b[7] = seg(&g, 2, MSS, 0, 6);
	if (check_built(b, 8))
		return -1;
	all[0] = b[0];
	all[1] = b[1];
	all[2] = b[2];
	all[3] = b[3];
	all[4] = b[4];
	all[5] = b[5];
	all[6] = b[6];
	all[7] = b[7];
	all[8] = seg(&f, 3, MSS, 0, 7);
	if (check_built(all, 9))
		return -1;
	/* out: A (0,2,5,7), B (1,3,6), udp (4), arp (8) */
	return expect(all, 9, 4, order, 9);
}

static int bad_checksum_passes_alone(void)
{
	struct flow f = { .sport = 40012, .ts = 5 };
	struct frame_spec s;
	struct masq_buf *b[4];
	static const int order[] = { 0, 1, 2, 3 };
	uint64_t bad = st.csum_bad;
	int rc;

	b[0] = seg(&f, 0, MSS, 0, 0);
	spec_seg(&f, &s, 1, MSS, 0);
	s.brk |= FRAME_BREAK_L4_CSUM;
	b[1] = build(&s, false, 1);
	b[2] = seg(&f, 2, MSS, 0, 2);
	b[3] = seg(&f, 3, MSS, 0, 3);
	if (check_built(b, 4))
		return -1;
	rc = expect(b, 4, 3, order, 4);
	if (!rc && st.csum_bad != bad + 1)
		rc = report_failf("csum_bad %llu, want %llu",
				  (unsigned long long)st.csum_bad,
				  (unsigned long long)bad + 1);
	return rc;
}

static int ip_header_differences_stop(void)
{
	struct flow f = { .sport = 40013, .ts = 5 };
	struct frame_spec s;
	struct masq_buf *b[3];
	static const int order[] = { 0, 1, 2 };

	b[0] = seg(&f, 0, MSS, 0, 0);
	spec_seg(&f, &s, 1, MSS, 0);
	s.ttl = 63;
	b[1] = build(&s, false, 1);
	spec_seg(&f, &s, 2, MSS, 0);
	s.tos = 4;
	b[2] = build(&s, false, 2);
	return check_built(b, 3) ? -1 : expect(b, 3, 3, order, 3);
}

static int window_or_ack_change_stops(void)
{
	struct flow f = { .sport = 40014, .ts = 5 };
	struct frame_spec s;
	struct masq_buf *b[3];
	static const int order[] = { 0, 1, 2 };

	b[0] = seg(&f, 0, MSS, 0, 0);
	spec_seg(&f, &s, 1, MSS, 0);
	s.win = 1000;
	b[1] = build(&s, false, 1);
	spec_seg(&f, &s, 2, MSS, 0);
	s.win = 1000;
	s.ack = 78;
	b[2] = build(&s, false, 2);
	return check_built(b, 3) ? -1 : expect(b, 3, 3, order, 3);
}

static int bigger_segment_stops(void)
{
	struct flow f = { .sport = 40015, .ts = 5 };
	struct frame_spec s;
	struct masq_buf *b[3];
	static const int order[] = { 0, 1, 2 };

	spec_seg(&f, &s, 0, 1000, 0);
	b[0] = build(&s, false, 0);
	spec_seg(&f, &s, 1, MSS, 0);
	s.seq = 1000 + 1000;
	b[1] = build(&s, false, 1);
	spec_seg(&f, &s, 2, MSS, 0);
	s.seq = 1000 + 1000 + MSS;
	b[2] = build(&s, false, 2);
	/* 0 alone (1 is bigger than its size), then 1 and 2 */
	return check_built(b, 3) ? -1 : expect(b, 3, 2, order, 3);
}

int main(void)
{
	static const struct {
		const char *name;
		int (*fn)(void);
	} cases[] = {
		{ "coalesces_in_order", coalesces_in_order },
		{ "short_last_segment_joins", short_last_segment_joins },
		{ "partial_checksums_merge", partial_checksums_merge },
		{ "fixed_id_with_df_merges", fixed_id_with_df_merges },
		{ "fixed_id_without_df_does_not", fixed_id_without_df_does_not },
		{ "long_flow_fills_64k", long_flow_fills_64k },
		{ "stops_at_a_gap", stops_at_a_gap },
		{ "stops_at_other_flags", stops_at_other_flags },
		{ "psh_ends_the_frame", psh_ends_the_frame },
		{ "psh_first_stands_alone", psh_first_stands_alone },
		{ "cwr_on_the_first_only", cwr_on_the_first_only },
		{ "other_options_start_anew", other_options_start_anew },
		{ "flows_kept_apart_and_in_order", flows_kept_apart_and_in_order },
		{ "bad_checksum_passes_alone", bad_checksum_passes_alone },
		{ "ip_header_differences_stop", ip_header_differences_stop },
		{ "window_or_ack_change_stops", window_or_ack_change_stops },
		{ "bigger_segment_stops", bigger_segment_stops },
	};
	int failed = 0;

	pool = masq_pool_create(MAXF, AFP_VNET_BUF_SIZE);
	if (!pool)
		return 1;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = cases[i].fn();

		if (!rc && masq_pool_avail(pool) != MAXF)
			rc = report_failf("%u buffers of %u back in the pool",
					  masq_pool_avail(pool), MAXF);
		report_case("gro", cases[i].name, rc);
		failed |= rc != 0;
	}
	masq_pool_destroy(pool);
	return failed;
}
