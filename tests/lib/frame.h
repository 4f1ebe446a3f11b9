/* SPDX-License-Identifier: MIT */
/*
 * frame.h - build and inspect test frames (Ethernet, ARP, IPv4, TCP/UDP/ICMP)
 *
 * A test describes a frame in a struct frame_spec (host byte order, every
 * field settable), frame_build() writes it with correct checksums, and
 * the FRAME_BREAK_* flags and override fields break it on purpose: bad
 * checksums, lying lengths, bad IHL or data offset, truncation. With
 * FRAME_CSUM_NEEDED the frame is what Linux hands over for CHECKSUM_PARTIAL
 * (virtio-net NEEDS_CSUM): meta.csum_start/csum_offset set and the L4 field
 * holding the folded, uncomplemented pseudo-header sum.
 *
 * frame_decode() is the other way: it reads an output frame into a
 * struct frame_view and judges its checksums (completing a NEEDS_CSUM
 * frame's sum first, as the transmitter would).
 *
 * The checksum code here is deliberately separate from the engine's: a
 * test must not share the arithmetic it is checking.
 *
 * Limits: IPv4 only, no VLAN tags, no IP options beyond raw bytes given in
 * @ip_opts; an ICMP error quotes the bytes the caller gives it.
 */
#ifndef MASQ_TEST_FRAME_H
#define MASQ_TEST_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "masq/engine.h"

#define FRAME_ETH_HLEN		14
#define FRAME_ETHERTYPE_IPV4	0x0800
#define FRAME_ETHERTYPE_ARP	0x0806

#define FRAME_PROTO_ICMP	1
#define FRAME_PROTO_TCP		6
#define FRAME_PROTO_UDP		17

#define FRAME_TCP_FIN	0x01
#define FRAME_TCP_SYN	0x02
#define FRAME_TCP_RST	0x04
#define FRAME_TCP_PSH	0x08
#define FRAME_TCP_ACK	0x10
#define FRAME_TCP_URG	0x20

#define FRAME_ICMP_ECHOREPLY	0
#define FRAME_ICMP_UNREACH	3
#define FRAME_ICMP_ECHO		8
#define FRAME_ICMP_TIMXCEED	11

/* What frame_build() writes after the Ethernet header */
enum frame_kind {
	FRAME_ARP,
	FRAME_IP,		/* IPv4 with @proto's header */
	FRAME_RAW,		/* Ethernet header then @payload as is */
};

/* Ways to break a frame on purpose (frame_spec.brk) */
#define FRAME_BREAK_IP_CSUM	0x01	/* IP header checksum off by one */
#define FRAME_BREAK_L4_CSUM	0x02	/* TCP/UDP/ICMP checksum off by one */
#define FRAME_CSUM_NEEDED	0x04	/* NEEDS_CSUM metadata, partial sum */
#define FRAME_UDP_NO_CSUM	0x08	/* UDP checksum field 0 (none sent) */
#define FRAME_DATA_VALID	0x10	/* DATA_VALID metadata */

#define FRAME_MAX_PAYLOAD	4000
#define FRAME_MAX		(FRAME_ETH_HLEN + 60 + 60 + FRAME_MAX_PAYLOAD)

/**
 * struct frame_spec - one frame, every field in host byte order
 * @kind:	ARP, IPv4 or raw
 * @eth_dst, @eth_src: MAC addresses
 * @ethertype:	0: from @kind
 * @arp_*:	ARP fields; @arp_htype etc. 0 take the Ethernet/IPv4 values
 * @arp_len:	0: 28 bytes of ARP; else this many (short/long ARP)
 * @saddr, @daddr: IPv4 addresses, host order
 * @proto:	IP protocol
 * @ttl, @tos, @ip_id: IPv4 header fields
 * @df:		set the Don't Fragment bit
 * @frag:	raw fragment field bits OR-ed in (MF 0x2000, offset)
 * @ihl:	with @ihl_set written as is (4 bits), else computed
 * @ip_opts, @ip_opts_len: IPv4 options (multiple of 4)
 * @tot_len:	0: computed; else written as is (a lying length)
 * @sport, @dport: TCP/UDP ports
 * @seq, @ack, @tcp_flags, @win, @urg: TCP fields
 * @tcp_opts, @tcp_opts_len: TCP options (padded to a multiple of 4)
 * @doff:	with @doff_set written as is (in 32-bit words), else computed
 * @udp_len:	0: computed; else written as is
 * @icmp_type, @icmp_code, @icmp_id, @icmp_seq: ICMP header; for errors
 *		@icmp_id/@icmp_seq are the "unused" word (MTU in @icmp_seq)
 * @payload, @payload_len: L4 payload (for an ICMP error: the quoted
 *		datagram, see frame_build_ip())
 * @l4_csum:	with @l4_csum_set: written instead of the computed sum
 * @brk:	FRAME_BREAK_* and mode flags
 * @truncate:	0: whole frame; else cut the frame to this many bytes
 * @pad:	Ethernet padding bytes appended after the IP datagram
 * @gso_type, @gso_size: copied into the metadata
 */
struct frame_spec {
	enum frame_kind kind;
	uint8_t eth_dst[6];
	uint8_t eth_src[6];
	uint16_t ethertype;

	uint16_t arp_op;
	uint16_t arp_htype, arp_ptype;
	uint8_t arp_hlen, arp_plen;
	uint8_t arp_sha[6], arp_tha[6];
	uint32_t arp_spa, arp_tpa;
	uint16_t arp_len;

	uint32_t saddr, daddr;
	uint8_t proto;
	uint8_t ttl;
	uint8_t tos;
	uint16_t ip_id;
	bool df;
	uint16_t frag;
	uint8_t ihl;
	bool ihl_set;
	uint8_t ip_opts[40];
	uint8_t ip_opts_len;
	uint16_t tot_len;

	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t tcp_flags;
	uint16_t win;
	uint16_t urg;
	uint8_t tcp_opts[40];
	uint8_t tcp_opts_len;
	uint8_t doff;
	bool doff_set;
	uint16_t udp_len;

	uint8_t icmp_type, icmp_code;
	uint16_t icmp_id, icmp_seq;

	uint8_t payload[FRAME_MAX_PAYLOAD];
	uint16_t payload_len;

	uint16_t l4_csum;
	bool l4_csum_set;
	uint32_t brk;
	uint32_t truncate;
	uint16_t pad;
	uint8_t gso_type;
	uint16_t gso_size;
};

/* A spec with sane defaults: IPv4, TTL 64, window 65535, DF clear */
void frame_spec_init(struct frame_spec *s, enum frame_kind kind);

/* Convenience starters (addresses/ports host order) */
void frame_spec_tcp(struct frame_spec *s, uint32_t saddr, uint16_t sport,
		    uint32_t daddr, uint16_t dport, uint8_t flags);
void frame_spec_udp(struct frame_spec *s, uint32_t saddr, uint16_t sport,
		    uint32_t daddr, uint16_t dport);
void frame_spec_icmp_echo(struct frame_spec *s, uint32_t saddr,
			  uint32_t daddr, bool request, uint16_t id,
			  uint16_t seq);
void frame_spec_arp(struct frame_spec *s, uint16_t op,
		    const uint8_t sha[6], uint32_t spa,
		    const uint8_t tha[6], uint32_t tpa);

/**
 * frame_build_bytes() - Write a frame into plain memory
 * @s:		what to write
 * @out:	destination
 * @cap:	bytes available
 * @meta:	offload metadata for the frame (may be NULL)
 *
 * Return: frame length, or -1 when it does not fit
 */
int frame_build_bytes(const struct frame_spec *s, uint8_t *out, size_t cap,
		      struct masq_meta *meta);

/* Like frame_build_bytes(), into a pool buffer (->data, ->len, ->meta) */
int frame_build(const struct frame_spec *s, struct masq_buf *b);

/*
 * frame_build_ip() - The IPv4 datagram alone (no Ethernet header), e.g.
 * to quote it in an ICMP error. Return: length or -1.
 */
int frame_build_ip(const struct frame_spec *s, uint8_t *out, size_t cap);

/**
 * frame_fragment() - Cut a built IPv4 frame down to one fragment of it
 * @frame:	the frame (Ethernet header first), rewritten in place
 * @len:	its length
 * @off:	first byte of the IP payload the fragment holds (a multiple
 *		of 8)
 * @flen:	bytes it holds
 *
 * The header stays (options and all); total length, offset and MF (set
 * unless the fragment reaches the end of the payload; bits already in
 * the field, DF or a forced MF, stay) are rewritten and the header
 * checksum recomputed. The L4 checksum is the whole datagram's.
 *
 * Return: the fragment's frame length, or -1 when the range does not fit
 */
int frame_fragment(uint8_t *frame, uint32_t len, uint32_t off, uint32_t flen);

/* Checksum results of frame_decode() */
enum frame_csum {
	FRAME_CSUM_NONE,	/* not applicable / not present */
	FRAME_CSUM_OK,
	FRAME_CSUM_BAD,
	FRAME_CSUM_PARTIAL_OK,	/* NEEDS_CSUM: completing it gives a valid sum */
	FRAME_CSUM_PARTIAL_BAD,
	FRAME_CSUM_ZERO,	/* UDP: 0, no checksum sent */
};

/**
 * struct frame_view - a decoded frame, host byte order
 * @ok:		decoded far enough for every field below that is set
 * @err:	why decoding stopped, when !@ok
 * @has_ip/@has_l4: which layers were found
 * @ip_csum, @l4_csum: checksum verdicts
 * @inner:	for an ICMP error, the quoted datagram (decoded as far as it
 *		goes; its @l4_csum is judged only when it is quoted whole)
 * @quoted, @quoted_len: the bytes an ICMP error quotes
 */
struct frame_view {
	bool ok;
	char err[96];
	uint32_t len;
	uint8_t eth_dst[6], eth_src[6];
	uint16_t ethertype;

	bool has_arp;
	uint16_t arp_htype, arp_ptype, arp_op;
	uint8_t arp_hlen, arp_plen;
	uint8_t arp_sha[6], arp_tha[6];
	uint32_t arp_spa, arp_tpa;

	bool has_ip;
	uint8_t ihl, tos, ttl, proto;
	uint16_t tot_len, ip_id, frag;
	bool df;
	uint32_t saddr, daddr;
	enum frame_csum ip_csum;

	bool has_l4;
	uint32_t l4_len;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t tcp_flags, doff;
	uint16_t win, udp_len;
	uint8_t icmp_type, icmp_code;
	uint16_t icmp_id, icmp_seq;
	uint16_t l4_csum_field;
	enum frame_csum l4_csum;
	const uint8_t *payload;
	uint32_t payload_len;

	bool is_icmp_error;
	const uint8_t *quoted;
	uint32_t quoted_len;
	struct frame_view *inner;
};

/**
 * frame_decode() - Decode a frame and judge its checksums
 * @data, @len:	the frame (Ethernet header first)
 * @meta:	its offload metadata (NULL: none)
 * @v:		filled; @v->inner must point to storage for an ICMP error's
 *		quoted datagram, or be NULL to skip it
 *
 * Return: true when the frame decoded (Ethernet, ARP or IPv4 + L4)
 */
bool frame_decode(const uint8_t *data, uint32_t len,
		  const struct masq_meta *meta, struct frame_view *v);

/* Decode an IPv4 datagram without Ethernet header (a quoted one) */
bool frame_decode_ip(const uint8_t *ip, uint32_t len, struct frame_view *v);

/* Every checksum of a decoded frame is valid (or absent/partial-valid) */
bool frame_csums_ok(const struct frame_view *v);

/* One line in the scenario syntax ("tcp 1.2.3.4:5 > 6.7.8.9:10 flags S ...") */
void frame_describe(const struct frame_view *v, char *out, size_t cap);

/* The Internet checksum helpers the builder uses (RFC 1071), exposed for tests */
uint32_t frame_sum(const void *data, size_t len, uint32_t sum);
uint16_t frame_fold(uint32_t sum);

/* Parsing helpers shared with the scenario runner; 0 on success */
int frame_parse_mac(const char *s, uint8_t mac[6]);
int frame_parse_ip4(const char *s, uint32_t *addr);	/* host order */
void frame_fmt_mac(const uint8_t mac[6], char *out);	/* 18 bytes */
void frame_fmt_ip4(uint32_t addr, char *out);		/* 16 bytes */

#endif
