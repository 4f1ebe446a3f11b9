// SPDX-License-Identifier: MIT
/*
 * fuzz_gro.c - hostile bursts into the userspace GRO (src/io/gro.c)
 *
 * The input is a burst of up to 32 frames, each: two bytes of length
 * (big-endian, cut to the buffer), one control byte, the frame. The
 * control byte's low two bits pick the metadata (none, NEEDS_CSUM at the
 * TCP checksum, DATA_VALID, a GSO type); with bit 7 set the frame is
 * instead the previous one with its TCP sequence number moved past its
 * payload and its IP ID counted up (header checksum redone), so that
 * runs of mergeable segments are easy to reach.
 *
 * Invariants after gro_burst(): no more frames out than in; every buffer
 * accounted for (out + back in the pool = all); each frame within its
 * buffer; each GSO frame is TCPv4 with a gso_size, NEEDS_CSUM at its TCP
 * checksum, an IP total length equal to the frame's and at most 65,535,
 * and a valid IP header checksum; and no byte of payload is lost or
 * made: the frames' lengths plus the headers of the segments each GSO
 * frame stands for add up to the burst's.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/afpacket.h"
#include "io/gro.h"

#define BURST	32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct masq_pool *pool;

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t ip_sum(const uint8_t *ip)
{
	uint32_t s = 0;

	for (int i = 0; i < 20; i += 2)
		s += rd16(ip + i);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

/* The previous frame, one segment on */
static void next_segment(struct masq_buf *b, const struct masq_buf *prev)
{
	uint8_t *ip = b->data + 14, *th = ip + 20;
	uint32_t doff, seq, plen;
	uint16_t id, sum;

	memcpy(b->data, prev->data, prev->len);
	b->len = prev->len;
	b->meta = prev->meta;
	if (b->len < 54 || ip[0] != 0x45)
		return;
	doff = (uint32_t)(th[12] >> 4) * 4;
	plen = b->len > 34 + doff ? b->len - 34 - doff : 0;
	seq = (uint32_t)rd16(th + 4) << 16 | rd16(th + 6);
	seq += plen;
	th[4] = (uint8_t)(seq >> 24);
	th[5] = (uint8_t)(seq >> 16);
	th[6] = (uint8_t)(seq >> 8);
	th[7] = (uint8_t)seq;
	id = (uint16_t)(rd16(ip + 4) + 1);
	ip[4] = (uint8_t)(id >> 8);
	ip[5] = (uint8_t)id;
	ip[10] = ip[11] = 0;
	sum = (uint16_t)~ip_sum(ip);
	ip[10] = (uint8_t)(sum >> 8);
	ip[11] = (uint8_t)sum;
	b->meta.flags |= MASQ_META_DATA_VALID;
}

static void set_meta(struct masq_buf *b, uint8_t ctl)
{
	memset(&b->meta, 0, sizeof(b->meta));
	switch (ctl & 3) {
	case 1:
		b->meta.flags = MASQ_META_NEEDS_CSUM;
		b->meta.csum_start = 34;
		b->meta.csum_offset = 16;
		break;
	case 2:
		b->meta.flags = MASQ_META_DATA_VALID;
		break;
	case 3:
		b->meta.gso_type = MASQ_GSO_TCPV4;
		b->meta.gso_size = 1000;
		break;
	}
}

/* Take one frame from the input; Return: bytes used, 0 at the end */
static size_t take(const uint8_t *d, size_t size, struct masq_buf *b,
		   const struct masq_buf *prev)
{
	uint32_t room = b->cap - (uint32_t)(b->data - b->base), len;

	if (size < 3)
		return 0;
	len = rd16(d) % 9100;
	if (d[2] & 0x80 && prev) {
		next_segment(b, prev);
		return 3;
	}
	if (len > size - 3)
		len = (uint32_t)(size - 3);
	if (len > room)
		len = room;
	memcpy(b->data, d + 3, len);
	b->len = len;
	set_meta(b, d[2]);
	return 3 + len;
}

/* Header bytes a GSO frame's extra segments would each have carried */
static uint64_t hidden_headers(const struct masq_buf *b)
{
	const struct masq_meta *m = &b->meta;
	uint32_t hl, nseg;

	if (m->gso_type == MASQ_GSO_NONE)
		return 0;
	if ((m->gso_type & ~MASQ_GSO_ECN) != MASQ_GSO_TCPV4 || !m->gso_size ||
	    !(m->flags & MASQ_META_NEEDS_CSUM) || m->csum_start != 34 ||
	    m->csum_offset != 16 || b->len < 54)
		abort();
	if (rd16(b->data + 16) != b->len - 14 || b->len - 14 > 65535 ||
	    ip_sum(b->data + 14) != 0xffff)
		abort();
	hl = 34 + (uint32_t)(b->data[34 + 12] >> 4) * 4;
	if (b->len <= hl)
		abort();
	nseg = (b->len - hl + m->gso_size - 1) / m->gso_size;
	return (uint64_t)(nseg - 1) * hl;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct masq_buf *bufs[BURST], *gso_in[BURST], *prev = NULL;
	struct gro_stats st = { 0 };
	uint64_t in_bytes = 0, out_bytes = 0;
	uint32_t n = 0, ngso = 0, got;
	size_t used;

	if (!pool && !(pool = masq_pool_create(BURST, AFP_VNET_BUF_SIZE)))
		abort();
	while (n < BURST) {
		struct masq_buf *b = masq_pool_get(pool);

		used = take(data, size, b, prev);
		if (!used) {
			masq_pool_put(pool, b);
			break;
		}
		data += used;
		size -= used;
		in_bytes += b->len;
		if (b->meta.gso_type != MASQ_GSO_NONE)	/* as it came */
			gso_in[ngso++] = b;
		bufs[n++] = prev = b;
	}
	got = gro_burst(bufs, n, pool, &st);
	if (got > n || masq_pool_avail(pool) != BURST - got)
		abort();
	for (uint32_t i = 0; i < got; i++) {
		struct masq_buf *b = bufs[i];

		if (b->data < b->base || b->data + b->len > b->base + b->cap)
			abort();
		bool as_it_came = false;

		for (uint32_t k = 0; k < ngso; k++)
			as_it_came |= gso_in[k] == b;
		if (!as_it_came)
			out_bytes += hidden_headers(b);
		out_bytes += b->len;
	}
	if (out_bytes != in_bytes)
		abort();
	for (uint32_t i = 0; i < got; i++)
		masq_pool_put(pool, bufs[i]);
	return 0;
}
