// SPDX-License-Identifier: MIT
/*
 * parse.c - validate a frame before anything acts on it
 *
 * Every length is checked against what the frame really holds before it
 * is used: the IPv4 header length against the total length, the total
 * length against the frame (Ethernet padding is trimmed), the TCP data
 * offset and the UDP length against the datagram. The IPv4 header
 * checksum is always verified; the L4 checksum is verified unless the
 * offload metadata says it is already valid (DATA_VALID) or not yet
 * computed (NEEDS_CSUM: the field holds the pseudo-header sum).
 *
 * A frame that fails yields the counter to drop it with; nothing here
 * logs or allocates.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <string.h>

#include "csum.h"
#include "pkt.h"

/*
 * Source addresses no host may send from (RFC 1812 section 5.3.7): by
 * the first octet, 0, 127, or 224 and above (multicast, class E). Below
 * 1 or above 223 is one unsigned compare of the octet minus one.
 */
static bool ip_src_is_martian(uint32_t saddr)
{
	uint8_t first = (uint8_t)(ntohl(saddr) >> 24);

	return (uint8_t)(first - 1) >= 223 || first == 127;
}

static bool l4_csum_ok(const struct pkt *p)
{
	uint32_t sum = csum_pseudo_ipv4(p->ip->saddr, p->ip->daddr, p->proto,
					(uint16_t)p->l4_len);

	if (p->proto == IPPROTO_ICMP_)
		sum = 0;
	return csum_fold(csum_partial(p->l4, p->l4_len, sum)) == 0xffff;
}

/*
 * The flag combinations a TCP ever sends (as Linux's tcp_valid_flags);
 * PSH, ECE and CWR do not matter. Anything else (SYN+FIN, no flags,
 * "Christmas tree" scans) is INVALID.
 */
static bool tcp_flags_valid(uint8_t f)
{
	switch (f & (TCP_FIN | TCP_SYN | TCP_RST | TCP_ACK | TCP_URG)) {
	case TCP_SYN:
	case TCP_SYN | TCP_URG:
	case TCP_SYN | TCP_ACK:
	case TCP_RST:
	case TCP_RST | TCP_ACK:
	case TCP_FIN | TCP_ACK:
	case TCP_FIN | TCP_ACK | TCP_URG:
	case TCP_ACK:
	case TCP_ACK | TCP_URG:
		return true;
	default:
		return false;
	}
}

/* A TCP GSO frame's segments beyond the first, for pkt_wire_pkts() */
static void gso_segments(struct pkt *p, unsigned thl)
{
	const struct masq_meta *m = &p->buf->meta;
	uint32_t data = p->l4_len - thl, n;

	if ((m->gso_type & ~MASQ_GSO_ECN) != MASQ_GSO_TCPV4 || !m->gso_size ||
	    data <= m->gso_size)
		return;
	n = (data + m->gso_size - 1) / m->gso_size;
	p->gso_more = (uint16_t)(n - 1);
	p->gso_hdr_bytes = (n - 1) * (uint32_t)(p->l4 - (uint8_t *)p->ip + thl);
}

static enum masq_counter parse_tcp(struct pkt *p)
{
	const struct tcp_hdr *th = (const struct tcp_hdr *)p->l4;

	if (p->l4_len < sizeof(*th))
		return C_drop_l4_truncated;
	if (tcp_hlen(th) < sizeof(*th) || tcp_hlen(th) > p->l4_len)
		return C_drop_bad_tcp_offset;
	p->sport = th->sport;
	p->dport = th->dport;
	p->tcp_flags = th->flags;
	p->has_ports = true;
	if (!tcp_flags_valid(th->flags))
		return C_drop_tcp_bad_flags;
	gso_segments(p, tcp_hlen(th));
	return C_NUM;
}

static enum masq_counter parse_udp(struct pkt *p)
{
	const struct udp_hdr *uh = (const struct udp_hdr *)p->l4;
	unsigned ulen;

	if (p->l4_len < sizeof(*uh))
		return C_drop_l4_truncated;
	ulen = ntohs(uh->len);
	/* a GSO UDP frame's header may carry the segment length only */
	if (ulen < sizeof(*uh) ||
	    (ulen > p->l4_len && p->buf->meta.gso_type == MASQ_GSO_NONE))
		return C_drop_bad_udp_len;
	p->sport = uh->sport;
	p->dport = uh->dport;
	p->has_ports = true;
	return C_NUM;
}

static enum masq_counter parse_icmp(struct pkt *p)
{
	const struct icmp_hdr *ih = (const struct icmp_hdr *)p->l4;

	if (p->l4_len < sizeof(*ih))
		return C_drop_l4_truncated;
	switch (ih->type) {
	case ICMP_ECHO:
		p->sport = ih->id;	/* a request's id is its "source port" */
		p->has_ports = true;
		break;
	case ICMP_ECHOREPLY:
		p->dport = ih->id;	/* and a reply's its "destination port" */
		p->has_ports = true;
		break;
	case ICMP_UNREACH:
	case ICMP_SOURCEQUENCH:
	case ICMP_REDIRECT:
	case ICMP_TIMXCEED:
	case ICMP_PARAMPROB:
		/* must quote at least an IPv4 header (RFC 792) */
		if (p->l4_len < sizeof(*ih) + sizeof(struct ip4_hdr))
			return C_drop_bad_icmp;
		p->icmp_error = true;
		break;
	default:
		break;
	}
	return C_NUM;
}

static bool l4_csum_needs_check(const struct pkt *p)
{
	const struct masq_meta *m = &p->buf->meta;

	return !(m->flags & (MASQ_META_NEEDS_CSUM | MASQ_META_DATA_VALID)) &&
	       m->gso_type == MASQ_GSO_NONE;
}

/**
 * pkt_parse_ip() - Validate the IPv4 datagram behind p->eth
 * @p:	view with ->buf and ->eth set, ethertype IPv4
 *
 * Return: C_NUM if the datagram may be walked, else the drop counter
 */
enum masq_counter pkt_parse_ip(struct pkt *p)
{
	struct masq_buf *b = p->buf;
	uint32_t avail = b->len - ETH_HLEN;
	struct ip4_hdr *ip = (struct ip4_hdr *)(b->data + ETH_HLEN);
	enum masq_counter c = C_NUM;
	unsigned hl;

	if (avail < sizeof(*ip))
		return C_drop_bad_ihl;
	if ((ip->ver_ihl >> 4) != 4)
		return C_drop_ip_version;
	hl = ip_hlen(ip);
	if (hl < sizeof(*ip) || hl > avail)
		return C_drop_bad_ihl;
	p->ip_len = ntohs(ip->tot_len);
	if (p->ip_len < hl || p->ip_len > avail)
		return C_drop_bad_ip_len;
	if (csum_ip_header(ip, hl) != 0xffff)
		return C_drop_bad_ip_csum;
	if (ip_src_is_martian(ip->saddr) && !(ip->saddr == 0 &&
	    ip->daddr == 0xffffffff && ip->proto == IPPROTO_UDP_))
		return C_drop_bad_ip_src;	/* 0.0.0.0: DHCP, checked below */
	b->len = ETH_HLEN + p->ip_len;		/* trim Ethernet padding */
	p->ip = ip;
	p->proto = ip->proto;
	p->l4 = (uint8_t *)ip + hl;
	p->l4_len = p->ip_len - hl;
	p->csum_partial = b->meta.flags & MASQ_META_NEEDS_CSUM;
	if (ntohs(ip->frag_off) & (IP_MF | IP_OFFMASK)) {
		p->frag = true;			/* frag.c reassembles it */
		return C_NUM;
	}

	switch (p->proto) {
	case IPPROTO_TCP_:
		c = parse_tcp(p);
		break;
	case IPPROTO_UDP_:
		c = parse_udp(p);
		break;
	case IPPROTO_ICMP_:
		c = parse_icmp(p);
		break;
	default:
		p->by_addr = true;
		return C_NUM;
	}
	if (c != C_NUM)
		return c;
	if (!ip->saddr && !pkt_is_dhcp_boot(p))
		return C_drop_bad_ip_src;
	if (p->proto == IPPROTO_UDP_ &&
	    ((const struct udp_hdr *)p->l4)->check == 0)
		return C_NUM;			/* no checksum sent */
	if (l4_csum_needs_check(p) && !l4_csum_ok(p))
		return C_drop_bad_l4_csum;
	return C_NUM;
}

/**
 * pkt_parse() - Validate a frame's Ethernet header and what it carries
 * @p:	view to fill
 * @b:	the frame
 *
 * Return: C_NUM if good, else the counter to drop it with
 */
enum masq_counter pkt_parse(struct pkt *p, struct masq_buf *b)
{
	uint16_t type;

	memset(p, 0, sizeof(*p));
	p->buf = b;
	if (b->len < ETH_HLEN)
		return C_drop_runt;
	p->eth = (struct eth_hdr *)b->data;
	type = ntohs(p->eth->type);
	if (type == ETHERTYPE_IPV4)
		return pkt_parse_ip(p);	/* nearly every frame: ask first */
	switch (type) {
	case ETHERTYPE_ARP:
		if (b->len < ETH_HLEN + sizeof(struct arp_hdr))
			return C_drop_arp_malformed;
		return C_NUM;
	case ETHERTYPE_VLAN:
	case ETHERTYPE_QINQ:
		return C_drop_vlan;
	case ETHERTYPE_IPV6:
		return C_drop_ipv6;
	case ETHERTYPE_LLDP:
		return C_drop_lldp;
	default:
		return type < ETH_MIN_TYPE ? C_drop_llc : C_drop_ethertype;
	}
}

unsigned pkt_l4_csum_offset(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP_:
		return offsetof(struct tcp_hdr, check);
	case IPPROTO_UDP_:
		return offsetof(struct udp_hdr, check);
	case IPPROTO_ICMP_:
		return offsetof(struct icmp_hdr, check);
	default:
		return 0;
	}
}
