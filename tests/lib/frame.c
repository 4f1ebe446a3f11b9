// SPDX-License-Identifier: MIT
/*
 * frame.c - build and inspect test frames
 *
 * The builder writes headers byte by byte at fixed offsets (RFC 826, 791,
 * 793, 768, 792) rather than through the engine's structs, and sums with
 * its own RFC 1071 routine, so a wrong struct layout or a wrong checksum
 * routine in the engine cannot be mirrored by the test that checks it.
 *
 * Checksums of a NEEDS_CSUM frame follow Linux CHECKSUM_PARTIAL: the L4
 * field holds the folded, uncomplemented pseudo-header sum; the
 * transmitter sums csum_start..end (field included), complements and
 * stores at csum_start + csum_offset. frame_decode() does exactly that on
 * a copy before judging the packet.
 */
#include <stdio.h>
#include <string.h>

#include "frame.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/**
 * frame_sum() - One's complement sum of big-endian 16-bit words (RFC 1071)
 * @data, @len:	bytes (an odd last byte is the high half of a word)
 * @sum:	sum to continue
 *
 * Return: unfolded 32-bit accumulator
 */
uint32_t frame_sum(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;
	uint64_t acc = sum;

	for (; len >= 2; p += 2, len -= 2)
		acc += get16(p);
	if (len)
		acc += (uint32_t)p[0] << 8;
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint32_t)acc;
}

uint16_t frame_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static uint32_t pseudo_sum(uint32_t saddr, uint32_t daddr, uint8_t proto,
			   uint32_t len)
{
	uint8_t ph[12];

	put32(ph, saddr);
	put32(ph + 4, daddr);
	ph[8] = 0;
	ph[9] = proto;
	put16(ph + 10, (uint16_t)len);
	return frame_sum(ph, sizeof(ph), 0);
}

void frame_spec_init(struct frame_spec *s, enum frame_kind kind)
{
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->ttl = 64;
	s->win = 65535;
	s->ip_id = 0x1234;
}

void frame_spec_tcp(struct frame_spec *s, uint32_t saddr, uint16_t sport,
		    uint32_t daddr, uint16_t dport, uint8_t flags)
{
	frame_spec_init(s, FRAME_IP);
	s->proto = FRAME_PROTO_TCP;
	s->saddr = saddr;
	s->daddr = daddr;
	s->sport = sport;
	s->dport = dport;
	s->tcp_flags = flags;
}

void frame_spec_udp(struct frame_spec *s, uint32_t saddr, uint16_t sport,
		    uint32_t daddr, uint16_t dport)
{
	frame_spec_init(s, FRAME_IP);
	s->proto = FRAME_PROTO_UDP;
	s->saddr = saddr;
	s->daddr = daddr;
	s->sport = sport;
	s->dport = dport;
}

void frame_spec_icmp_echo(struct frame_spec *s, uint32_t saddr,
			  uint32_t daddr, bool request, uint16_t id,
			  uint16_t seq)
{
	frame_spec_init(s, FRAME_IP);
	s->proto = FRAME_PROTO_ICMP;
	s->saddr = saddr;
	s->daddr = daddr;
	s->icmp_type = request ? FRAME_ICMP_ECHO : FRAME_ICMP_ECHOREPLY;
	s->icmp_id = id;
	s->icmp_seq = seq;
}

void frame_spec_arp(struct frame_spec *s, uint16_t op,
		    const uint8_t sha[6], uint32_t spa,
		    const uint8_t tha[6], uint32_t tpa)
{
	frame_spec_init(s, FRAME_ARP);
	s->arp_op = op;
	memcpy(s->arp_sha, sha, 6);
	memcpy(s->arp_tha, tha, 6);
	s->arp_spa = spa;
	s->arp_tpa = tpa;
	memcpy(s->eth_src, sha, 6);
	if (op == 1)
		memset(s->eth_dst, 0xff, 6);
	else
		memcpy(s->eth_dst, tha, 6);
}

/* L4 header of @s into @p; returns its length */
static uint32_t build_l4_hdr(const struct frame_spec *s, uint8_t *p,
			     uint32_t l4_len)
{
	uint32_t hl;

	switch (s->proto) {
	case FRAME_PROTO_TCP:
		hl = 20 + ((s->tcp_opts_len + 3u) & ~3u);
		memset(p, 0, hl);
		put16(p, s->sport);
		put16(p + 2, s->dport);
		put32(p + 4, s->seq);
		put32(p + 8, s->ack);
		p[12] = (uint8_t)((s->doff_set ? s->doff : hl / 4) << 4);
		p[13] = s->tcp_flags;
		put16(p + 14, s->win);
		put16(p + 18, s->urg);
		memcpy(p + 20, s->tcp_opts, s->tcp_opts_len);
		return hl;
	case FRAME_PROTO_UDP:
		put16(p, s->sport);
		put16(p + 2, s->dport);
		put16(p + 4, s->udp_len ? s->udp_len : (uint16_t)l4_len);
		put16(p + 6, 0);
		return 8;
	case FRAME_PROTO_ICMP:
		p[0] = s->icmp_type;
		p[1] = s->icmp_code;
		put16(p + 2, 0);
		put16(p + 4, s->icmp_id);
		put16(p + 6, s->icmp_seq);
		return 8;
	default:
		return 0;
	}
}

static unsigned l4_csum_off(uint8_t proto)
{
	switch (proto) {
	case FRAME_PROTO_TCP:
		return 16;
	case FRAME_PROTO_UDP:
		return 6;
	case FRAME_PROTO_ICMP:
		return 2;
	default:
		return 0;
	}
}

static bool proto_has_csum(uint8_t proto)
{
	return proto == FRAME_PROTO_TCP || proto == FRAME_PROTO_UDP ||
	       proto == FRAME_PROTO_ICMP;
}

/* Fill the L4 checksum of a datagram whose L4 starts at @l4 */
static void build_l4_csum(const struct frame_spec *s, uint8_t *l4,
			  uint32_t l4_len, struct masq_meta *meta,
			  uint32_t l4_frame_off)
{
	unsigned off = l4_csum_off(s->proto);
	uint32_t sum = 0;
	uint16_t c;

	if (!proto_has_csum(s->proto))
		return;
	if (s->proto != FRAME_PROTO_ICMP)
		sum = pseudo_sum(s->saddr, s->daddr, s->proto, l4_len);
	if (s->brk & FRAME_CSUM_NEEDED) {
		c = s->proto == FRAME_PROTO_ICMP ? 0 : frame_fold(sum);
		if (meta) {
			meta->flags |= MASQ_META_NEEDS_CSUM;
			meta->csum_start = (uint16_t)l4_frame_off;
			meta->csum_offset = (uint16_t)off;
		}
	} else {
		c = (uint16_t)~frame_fold(frame_sum(l4, l4_len, sum));
		if (s->proto == FRAME_PROTO_UDP && c == 0)
			c = 0xffff;
		if (s->proto == FRAME_PROTO_UDP && (s->brk & FRAME_UDP_NO_CSUM))
			c = 0;
	}
	if (s->brk & FRAME_BREAK_L4_CSUM)
		c = (uint16_t)(c + 1 ? c + 1 : 1);
	if (s->l4_csum_set)
		c = s->l4_csum;
	put16(l4 + off, c);
}

/* The IPv4 datagram; @l3_off is where it sits in the frame (for csum_start) */
static int build_ip(const struct frame_spec *s, uint8_t *out, size_t cap,
		    struct masq_meta *meta, uint32_t l3_off)
{
	uint32_t ihl_bytes = 20 + ((s->ip_opts_len + 3u) & ~3u);
	uint32_t l4_hdr_max = s->proto == FRAME_PROTO_TCP ? 60 : 8;
	uint32_t l4_hdr, l4_len, tot;
	uint8_t *l4 = out + ihl_bytes;
	uint16_t frag = s->frag;

	if (cap < ihl_bytes + l4_hdr_max + s->payload_len)
		return -1;
	l4_hdr = build_l4_hdr(s, l4, 0);
	l4_len = l4_hdr + s->payload_len;
	if (s->proto == FRAME_PROTO_UDP && !s->udp_len)
		put16(l4 + 4, (uint16_t)l4_len);
	memcpy(l4 + l4_hdr, s->payload, s->payload_len);
	tot = ihl_bytes + l4_len;

	memset(out, 0, 20);
	out[0] = (uint8_t)(0x40 | (s->ihl_set ? (s->ihl & 0xf) : ihl_bytes / 4));
	out[1] = s->tos;
	put16(out + 2, s->tot_len ? s->tot_len : (uint16_t)tot);
	put16(out + 4, s->ip_id);
	if (s->df)
		frag |= 0x4000;
	put16(out + 6, frag);
	out[8] = s->ttl;
	out[9] = s->proto;
	put32(out + 12, s->saddr);
	put32(out + 16, s->daddr);
	memcpy(out + 20, s->ip_opts, s->ip_opts_len);
	if (ihl_bytes > 20u + s->ip_opts_len)
		memset(out + 20 + s->ip_opts_len, 0,
		       ihl_bytes - 20 - s->ip_opts_len);
	put16(out + 10, (uint16_t)~frame_fold(frame_sum(out, ihl_bytes, 0)));
	if (s->brk & FRAME_BREAK_IP_CSUM)
		put16(out + 10, (uint16_t)(get16(out + 10) + 1));

	build_l4_csum(s, l4, l4_len, meta, l3_off + ihl_bytes);
	return (int)tot;
}

int frame_build_ip(const struct frame_spec *s, uint8_t *out, size_t cap)
{
	return build_ip(s, out, cap, NULL, 0);
}

static int build_arp(const struct frame_spec *s, uint8_t *p, size_t cap)
{
	uint8_t a[64];
	uint32_t n = s->arp_len ? s->arp_len : 28;

	if (n > sizeof(a) || n > cap)
		return -1;
	memset(a, 0, sizeof(a));
	put16(a, s->arp_htype ? s->arp_htype : 1);
	put16(a + 2, s->arp_ptype ? s->arp_ptype : FRAME_ETHERTYPE_IPV4);
	a[4] = s->arp_hlen ? s->arp_hlen : 6;
	a[5] = s->arp_plen ? s->arp_plen : 4;
	put16(a + 6, s->arp_op);
	memcpy(a + 8, s->arp_sha, 6);
	put32(a + 14, s->arp_spa);
	memcpy(a + 18, s->arp_tha, 6);
	put32(a + 24, s->arp_tpa);
	memcpy(p, a, n);
	return (int)n;
}

int frame_build_bytes(const struct frame_spec *s, uint8_t *out, size_t cap,
		      struct masq_meta *meta)
{
	uint16_t type = s->ethertype;
	int n;

	if (meta)
		*meta = (struct masq_meta){ 0 };
	if (cap < FRAME_ETH_HLEN)
		return -1;
	switch (s->kind) {
	case FRAME_ARP:
		n = build_arp(s, out + FRAME_ETH_HLEN, cap - FRAME_ETH_HLEN);
		type = type ? type : FRAME_ETHERTYPE_ARP;
		break;
	case FRAME_IP:
		n = build_ip(s, out + FRAME_ETH_HLEN, cap - FRAME_ETH_HLEN,
			     meta, FRAME_ETH_HLEN);
		type = type ? type : FRAME_ETHERTYPE_IPV4;
		break;
	default:
		n = s->payload_len;
		if ((size_t)n > cap - FRAME_ETH_HLEN)
			return -1;
		memcpy(out + FRAME_ETH_HLEN, s->payload, s->payload_len);
		break;
	}
	if (n < 0)
		return -1;
	memcpy(out, s->eth_dst, 6);
	memcpy(out + 6, s->eth_src, 6);
	put16(out + 12, type);
	n += FRAME_ETH_HLEN;
	if ((size_t)n + s->pad > cap)
		return -1;
	memset(out + n, 0, s->pad);
	n += s->pad;
	if (s->truncate && s->truncate < (uint32_t)n)
		n = (int)s->truncate;
	if (meta) {
		if (s->brk & FRAME_DATA_VALID)
			meta->flags |= MASQ_META_DATA_VALID;
		meta->gso_type = s->gso_type;
		meta->gso_size = s->gso_size;
	}
	return n;
}

int frame_build(const struct frame_spec *s, struct masq_buf *b)
{
	size_t room = b->cap - (size_t)(b->data - b->base);
	int n = frame_build_bytes(s, b->data, room, &b->meta);

	if (n >= 0)
		b->len = (uint32_t)n;
	return n;
}

int frame_fragment(uint8_t *frame, uint32_t len, uint32_t off, uint32_t flen)
{
	uint8_t *ip = frame + FRAME_ETH_HLEN;
	uint32_t hl, tot, pl;
	uint16_t fo;

	if (len < FRAME_ETH_HLEN + 20)
		return -1;
	hl = (ip[0] & 0xfu) * 4u;
	tot = get16(ip + 2);
	if (hl < 20 || tot < hl || FRAME_ETH_HLEN + tot > len || (off & 7) ||
	    off / 8 > 0x1fff)
		return -1;
	pl = tot - hl;
	if (off > pl || flen > pl - off)
		return -1;
	memmove(ip + hl, ip + hl + off, flen);
	fo = (uint16_t)(get16(ip + 6) | off / 8);
	if (off + flen < pl)
		fo |= 0x2000;
	put16(ip + 6, fo);
	put16(ip + 2, (uint16_t)(hl + flen));
	put16(ip + 10, 0);
	put16(ip + 10, (uint16_t)~frame_fold(frame_sum(ip, hl, 0)));
	return (int)(FRAME_ETH_HLEN + hl + flen);
}

/* ---- decoding ---- */

static void view_err(struct frame_view *v, const char *msg)
{
	v->ok = false;
	snprintf(v->err, sizeof(v->err), "%s", msg);
}

static bool is_icmp_error_type(uint8_t t)
{
	return t == 3 || t == 4 || t == 5 || t == 11 || t == 12;
}

/*
 * Judge a NEEDS_CSUM L4 checksum: complete the sum over csum_start..end of
 * the datagram as the transmitter would, then verify the result with the
 * pseudo-header.
 */
static enum frame_csum judge_partial(const struct frame_view *v,
				     const uint8_t *frame, uint32_t l4_off,
				     const struct masq_meta *meta)
{
	uint8_t copy[FRAME_MAX + 128];
	uint32_t end = l4_off + v->l4_len;
	unsigned off = l4_csum_off(v->proto);
	uint16_t c;

	if (meta->csum_start != l4_off || meta->csum_offset != off ||
	    v->l4_len > sizeof(copy) || v->l4_len < off + 2u)
		return FRAME_CSUM_PARTIAL_BAD;
	memcpy(copy, frame + l4_off, end - l4_off);
	c = (uint16_t)~frame_fold(frame_sum(copy, v->l4_len, 0));
	put16(copy + off, c);
	if (frame_fold(frame_sum(copy, v->l4_len,
				 pseudo_sum(v->saddr, v->daddr, v->proto,
					    v->l4_len))) == 0xffff)
		return FRAME_CSUM_PARTIAL_OK;
	return FRAME_CSUM_PARTIAL_BAD;
}

static void decode_l4(struct frame_view *v, const uint8_t *l4, uint32_t avail,
		      bool whole)
{
	v->l4_len = avail;
	switch (v->proto) {
	case FRAME_PROTO_TCP:
		if (avail < 8)
			return;
		v->sport = get16(l4);
		v->dport = get16(l4 + 2);
		v->seq = get32(l4 + 4);
		if (avail < 20)
			return;
		v->has_l4 = true;
		v->ack = get32(l4 + 8);
		v->doff = l4[12] >> 4;
		v->tcp_flags = l4[13];
		v->win = get16(l4 + 14);
		v->l4_csum_field = get16(l4 + 16);
		if (v->doff * 4u >= 20 && v->doff * 4u <= avail) {
			v->payload = l4 + v->doff * 4u;
			v->payload_len = avail - v->doff * 4u;
		}
		break;
	case FRAME_PROTO_UDP:
		if (avail < 8)
			return;
		v->has_l4 = true;
		v->sport = get16(l4);
		v->dport = get16(l4 + 2);
		v->udp_len = get16(l4 + 4);
		v->l4_csum_field = get16(l4 + 6);
		v->payload = l4 + 8;
		v->payload_len = avail - 8;
		break;
	case FRAME_PROTO_ICMP:
		if (avail < 8)
			return;
		v->has_l4 = true;
		v->icmp_type = l4[0];
		v->icmp_code = l4[1];
		v->l4_csum_field = get16(l4 + 2);
		v->icmp_id = get16(l4 + 4);
		v->icmp_seq = get16(l4 + 6);
		v->payload = l4 + 8;
		v->payload_len = avail - 8;
		v->is_icmp_error = is_icmp_error_type(v->icmp_type);
		if (v->is_icmp_error) {
			v->quoted = l4 + 8;
			v->quoted_len = avail - 8;
		}
		break;
	default:
		v->payload = l4;
		v->payload_len = avail;
		return;
	}
	if (!whole || !v->has_l4)
		return;
	if (v->proto == FRAME_PROTO_UDP && v->l4_csum_field == 0) {
		v->l4_csum = FRAME_CSUM_ZERO;
		return;
	}
	{
		uint32_t sum = v->proto == FRAME_PROTO_ICMP ? 0 :
			pseudo_sum(v->saddr, v->daddr, v->proto, avail);

		v->l4_csum = frame_fold(frame_sum(l4, avail, sum)) == 0xffff ?
			     FRAME_CSUM_OK : FRAME_CSUM_BAD;
	}
}

/*
 * Decode an IPv4 datagram at @ip with @avail bytes. A quoted datagram
 * (@quoted) may be cut short: fields are decoded as far as they go and the
 * L4 checksum is judged only if it is all there.
 */
static bool decode_ip(const uint8_t *ip, uint32_t avail, bool quoted,
		      const uint8_t *frame, const struct masq_meta *meta,
		      struct frame_view *v)
{
	uint32_t hl, l4_avail;
	bool whole;

	if (avail < 20) {
		view_err(v, "IPv4 header cut short");
		return false;
	}
	if ((ip[0] >> 4) != 4) {
		view_err(v, "IP version is not 4");
		return false;
	}
	v->has_ip = true;
	v->ihl = ip[0] & 0xf;
	v->tos = ip[1];
	v->tot_len = get16(ip + 2);
	v->ip_id = get16(ip + 4);
	v->frag = get16(ip + 6);
	v->df = v->frag & 0x4000;
	v->ttl = ip[8];
	v->proto = ip[9];
	v->saddr = get32(ip + 12);
	v->daddr = get32(ip + 16);
	hl = v->ihl * 4u;
	if (hl < 20 || hl > avail) {
		view_err(v, "bad IHL");
		return false;
	}
	v->ip_csum = frame_fold(frame_sum(ip, hl, 0)) == 0xffff ?
		     FRAME_CSUM_OK : FRAME_CSUM_BAD;
	if (v->tot_len < hl || (!quoted && v->tot_len > avail)) {
		view_err(v, "bad IP total length");
		return false;
	}
	whole = v->tot_len <= avail;
	l4_avail = (whole ? v->tot_len : avail) - hl;
	if (v->frag & 0x3fff)
		whole = false;		/* a fragment: no L4 to judge */
	decode_l4(v, ip + hl, l4_avail, whole);
	if (!quoted && meta && (meta->flags & MASQ_META_NEEDS_CSUM) &&
	    v->has_l4 && v->proto != FRAME_PROTO_ICMP)
		v->l4_csum = judge_partial(v, frame, (uint32_t)(ip - frame) + hl,
					   meta);
	if (v->is_icmp_error && v->inner && v->quoted_len) {
		struct frame_view *in = v->inner;

		memset(in, 0, sizeof(*in));
		in->ok = decode_ip(v->quoted, v->quoted_len, true, NULL, NULL,
				   in);
	}
	if (!quoted && !v->has_l4 && proto_has_csum(v->proto)) {
		view_err(v, "L4 header cut short");
		return false;
	}
	v->ok = true;
	return true;
}

bool frame_decode_ip(const uint8_t *ip, uint32_t len, struct frame_view *v)
{
	struct frame_view *inner = v->inner;

	memset(v, 0, sizeof(*v));
	v->inner = inner;
	v->len = len;
	return decode_ip(ip, len, true, NULL, NULL, v);
}

bool frame_decode(const uint8_t *data, uint32_t len,
		  const struct masq_meta *meta, struct frame_view *v)
{
	struct frame_view *inner = v->inner;
	const uint8_t *a;

	memset(v, 0, sizeof(*v));
	v->inner = inner;
	v->len = len;
	if (len < FRAME_ETH_HLEN) {
		view_err(v, "runt frame");
		return false;
	}
	memcpy(v->eth_dst, data, 6);
	memcpy(v->eth_src, data + 6, 6);
	v->ethertype = get16(data + 12);
	if (v->ethertype == FRAME_ETHERTYPE_IPV4)
		return decode_ip(data + FRAME_ETH_HLEN, len - FRAME_ETH_HLEN,
				 false, data, meta, v);
	if (v->ethertype != FRAME_ETHERTYPE_ARP) {
		view_err(v, "ethertype is neither IPv4 nor ARP");
		return false;
	}
	if (len < FRAME_ETH_HLEN + 28) {
		view_err(v, "ARP cut short");
		return false;
	}
	a = data + FRAME_ETH_HLEN;
	v->has_arp = true;
	v->arp_htype = get16(a);
	v->arp_ptype = get16(a + 2);
	v->arp_hlen = a[4];
	v->arp_plen = a[5];
	v->arp_op = get16(a + 6);
	memcpy(v->arp_sha, a + 8, 6);
	v->arp_spa = get32(a + 14);
	memcpy(v->arp_tha, a + 18, 6);
	v->arp_tpa = get32(a + 24);
	v->ok = true;
	return true;
}

bool frame_csums_ok(const struct frame_view *v)
{
	if (v->has_ip && v->ip_csum != FRAME_CSUM_OK)
		return false;
	if (v->l4_csum == FRAME_CSUM_BAD || v->l4_csum == FRAME_CSUM_PARTIAL_BAD)
		return false;
	if (v->l4_csum == FRAME_CSUM_ZERO && v->proto != FRAME_PROTO_UDP)
		return false;
	if (v->is_icmp_error && v->inner && v->inner->has_ip &&
	    !frame_csums_ok(v->inner))
		return false;
	return true;
}

/* ---- text ---- */

void frame_fmt_mac(const uint8_t mac[6], char *out)
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
}

void frame_fmt_ip4(uint32_t a, char *out)
{
	snprintf(out, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff,
		 (a >> 8) & 0xff, a & 0xff);
}

int frame_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned m[6];
	char tail;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &m[0], &m[1], &m[2], &m[3],
		   &m[4], &m[5], &tail) != 6)
		return -1;
	for (int i = 0; i < 6; i++) {
		if (m[i] > 0xff)
			return -1;
		mac[i] = (uint8_t)m[i];
	}
	return 0;
}

int frame_parse_ip4(const char *s, uint32_t *addr)
{
	unsigned a, b, c, d;
	char tail;

	if (sscanf(s, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4 ||
	    a > 255 || b > 255 || c > 255 || d > 255)
		return -1;
	*addr = a << 24 | b << 16 | c << 8 | d;
	return 0;
}

static const char *csum_name(enum frame_csum c)
{
	static const char *const names[] = {
		"none", "ok", "BAD", "partial-ok", "partial-BAD", "zero",
	};

	return names[c];
}

static void tcp_flags_str(uint8_t f, char *out)
{
	static const char letters[] = "FSRPAU";
	int n = 0;

	for (int i = 0; i < 6; i++)
		if (f & (1u << i))
			out[n++] = letters[i];
	if (!n)
		out[n++] = '-';
	out[n] = 0;
}

void frame_describe(const struct frame_view *v, char *out, size_t cap)
{
	char s[16], d[16], m1[18], m2[18], fl[8];
	size_t n = 0;

#define DESC(...) do { \
		int k_ = snprintf(out + n, cap > n ? cap - n : 0, __VA_ARGS__); \
		if (k_ > 0) n += (size_t)k_; \
	} while (0)

	if (cap)
		out[0] = 0;
	if (v->has_arp) {
		frame_fmt_ip4(v->arp_spa, s);
		frame_fmt_ip4(v->arp_tpa, d);
		frame_fmt_mac(v->arp_sha, m1);
		frame_fmt_mac(v->arp_tha, m2);
		DESC("arp op %u %s %s -> %s %s", v->arp_op, s, m1, d, m2);
	} else if (v->has_ip) {
		frame_fmt_ip4(v->saddr, s);
		frame_fmt_ip4(v->daddr, d);
		switch (v->proto) {
		case FRAME_PROTO_TCP:
			tcp_flags_str(v->tcp_flags, fl);
			DESC("tcp %s:%u > %s:%u flags %s seq %u ack %u", s,
			     v->sport, d, v->dport, fl, v->seq, v->ack);
			break;
		case FRAME_PROTO_UDP:
			DESC("udp %s:%u > %s:%u", s, v->sport, d, v->dport);
			break;
		case FRAME_PROTO_ICMP:
			DESC("icmp %s > %s type %u code %u id %u seq %u", s, d,
			     v->icmp_type, v->icmp_code, v->icmp_id,
			     v->icmp_seq);
			break;
		default:
			DESC("ip %s > %s proto %u", s, d, v->proto);
		}
		DESC(" ttl %u id %u len %u ip-csum %s l4-csum %s", v->ttl,
		     v->ip_id, v->tot_len, csum_name(v->ip_csum),
		     csum_name(v->l4_csum));
		if (v->is_icmp_error && v->inner && v->inner->has_ip) {
			char sub[256];

			frame_describe(v->inner, sub, sizeof(sub));
			DESC(" quote { %s }", sub);
		}
	} else {
		DESC("ethertype 0x%04x len %u", v->ethertype, v->len);
	}
	if (!v->has_arp && !v->has_ip)
		return;
	frame_fmt_mac(v->eth_src, m1);
	frame_fmt_mac(v->eth_dst, m2);
	if (v->ethertype)
		DESC(" eth %s > %s", m1, m2);
#undef DESC
}
