/* SPDX-License-Identifier: MIT */
/*
 * pkt.h - wire formats and the parsed view of one frame
 *
 * Header structs mirror the wire; multi-byte fields are network order and
 * are read through the accessors. struct pkt is filled by pkt_parse(),
 * which validates everything the walk will touch, so code after it may
 * trust the offsets it finds there.
 */
#ifndef MASQ_PKT_H
#define MASQ_PKT_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>

#include "masq/engine.h"
#include "counters.h"

#define ETH_ALEN	6
#define ETH_HLEN	14
#define ETHERTYPE_IPV4	0x0800
#define ETHERTYPE_ARP	0x0806
#define ETHERTYPE_VLAN	0x8100
#define ETHERTYPE_QINQ	0x88a8
#define ETHERTYPE_IPV6	0x86dd
#define ETHERTYPE_LLDP	0x88cc
#define ETH_MIN_TYPE	0x0600	/* below: an 802.3 length (LLC: STP, ...) */

#define IPPROTO_ICMP_	1
#define IPPROTO_TCP_	6
#define IPPROTO_UDP_	17

#define IP_DF		0x4000
#define IP_MF		0x2000
#define IP_OFFMASK	0x1fff

#define TCP_FIN		0x01
#define TCP_SYN		0x02
#define TCP_RST		0x04
#define TCP_PSH		0x08
#define TCP_ACK		0x10
#define TCP_URG		0x20

#define ICMP_ECHOREPLY		0
#define ICMP_UNREACH		3
#define ICMP_SOURCEQUENCH	4
#define ICMP_REDIRECT		5
#define ICMP_ECHO		8
#define ICMP_TIMXCEED		11
#define ICMP_PARAMPROB		12

#define ICMP_UNREACH_NET	0
#define ICMP_UNREACH_HOST	1
#define ICMP_UNREACH_PORT	3
#define ICMP_UNREACH_NEEDFRAG	4
#define ICMP_UNREACH_FILTER_PROHIB 13	/* administratively prohibited */

struct eth_hdr {
	uint8_t dst[ETH_ALEN];
	uint8_t src[ETH_ALEN];
	uint16_t type;
} __attribute__((packed));

struct arp_hdr {			/* Ethernet + IPv4 only (RFC 826) */
	uint16_t htype;
	uint16_t ptype;
	uint8_t hlen;
	uint8_t plen;
	uint16_t op;
	uint8_t sha[ETH_ALEN];
	uint32_t spa;
	uint8_t tha[ETH_ALEN];
	uint32_t tpa;
} __attribute__((packed));

#define ARP_REQUEST	1
#define ARP_REPLY	2

struct ip4_hdr {
	uint8_t ver_ihl;
	uint8_t tos;
	uint16_t tot_len;
	uint16_t id;
	uint16_t frag_off;
	uint8_t ttl;
	uint8_t proto;
	uint16_t check;
	uint32_t saddr;
	uint32_t daddr;
} __attribute__((packed));

struct tcp_hdr {
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint8_t doff;			/* data offset in the high nibble */
	uint8_t flags;
	uint16_t win;
	uint16_t check;
	uint16_t urg;
} __attribute__((packed));

struct udp_hdr {
	uint16_t sport;
	uint16_t dport;
	uint16_t len;
	uint16_t check;
} __attribute__((packed));

struct icmp_hdr {
	uint8_t type;
	uint8_t code;
	uint16_t check;
	uint16_t id;			/* echo; unused or MTU for errors */
	uint16_t seq;
} __attribute__((packed));

/**
 * struct pkt - the parsed view of a frame
 * @buf:	the frame
 * @eth:	Ethernet header
 * @ip:		IPv4 header (NULL for ARP)
 * @l4:		first byte after the IPv4 header
 * @l4_len:	bytes from @l4 to the end of the IP datagram
 * @ip_len:	IPv4 total length (the frame is trimmed to it)
 * @gso_more:	a TCP GSO frame: the segments it stands for, less one
 * @gso_hdr_bytes: ... and the headers those would carry on the wire, so
 *		counters count what the wire carries (pkt_wire_pkts())
 * @proto:	IP protocol
 * @sport:	TCP/UDP source port, an echo request's identifier, else 0
 * @dport:	TCP/UDP destination port, an echo reply's identifier, else 0
 *		(so a request and its reply have inverse tuples)
 * @tcp_flags:	TCP flags byte, 0 for other protocols
 * @has_ports:	TCP, UDP or ICMP echo/reply: tracked by ports
 * @icmp_error:	an ICMP error message (quotes another datagram)
 * @csum_partial: the L4 checksum field holds a pseudo-header sum (NEEDS_CSUM)
 * @frag:	a fragment (MF set or offset non-zero): L4 not parsed
 * @by_addr:	a protocol without ports (GRE, ESP, ...): tracked by
 *		addresses only, both ports 0
 */
struct pkt {
	struct masq_buf *buf;
	struct eth_hdr *eth;
	struct ip4_hdr *ip;
	uint8_t *l4;
	uint32_t l4_len;
	uint16_t ip_len;
	uint16_t gso_more;
	uint32_t gso_hdr_bytes;
	uint8_t proto;
	uint8_t tcp_flags;
	uint16_t sport;
	uint16_t dport;
	bool has_ports;
	bool icmp_error;
	bool csum_partial;
	bool frag;
	bool by_addr;
	bool host;		/* came from a twin: the router host sent it */
	uint8_t ct_helper;	/* raw's CT --helper: enum alg_id the
				 * connection it opens gets; 0: by port */
};

/*
 * Packets and bytes the frame is on the wire: a TCP GSO frame (from the
 * kernel's offloads or masqd's userspace GRO) counts as the segments it
 * will be cut into, so packet counters read the same with GRO as without
 */
static inline uint64_t pkt_wire_pkts(const struct pkt *p)
{
	return 1u + p->gso_more;
}

static inline uint64_t pkt_wire_bytes(const struct pkt *p)
{
	return (uint64_t)p->ip_len + p->gso_hdr_bytes;
}

/*
 * A DHCP client's message before it holds an address (RFC 2131 4.1: from
 * 0.0.0.0 port 68 to the limited broadcast, port 67): the one datagram
 * whose source may be 0.0.0.0 (RFC 1122 3.2.1.3)
 */
static inline bool pkt_is_dhcp_boot(const struct pkt *p)
{
	return p->proto == 17 && p->ip->saddr == 0 &&
	       p->ip->daddr == 0xffffffff && p->sport == htons(68) &&
	       p->dport == htons(67);
}

/* A DHCP server's answer to a client (port 67 to port 68) */
static inline bool pkt_is_dhcp_reply(const struct pkt *p)
{
	return p->proto == 17 && p->sport == htons(67) &&
	       p->dport == htons(68);
}

/* Is the packet tracked (looked up by its tuple) at all? */
static inline bool pkt_tracked(const struct pkt *p)
{
	return p->has_ports || p->by_addr;
}

static inline unsigned ip_hlen(const struct ip4_hdr *ip)
{
	return (ip->ver_ihl & 0x0f) * 4u;
}

static inline unsigned tcp_hlen(const struct tcp_hdr *th)
{
	return (th->doff >> 4) * 4u;
}

/* Parse result: a counter to drop with, or C_NUM when the frame is good */
enum masq_counter pkt_parse(struct pkt *p, struct masq_buf *b);
enum masq_counter pkt_parse_ip(struct pkt *p);

/* Offset of the L4 checksum field, or 0 when the protocol has none we keep */
unsigned pkt_l4_csum_offset(uint8_t proto);

#endif
