// SPDX-License-Identifier: MIT
/*
 * local.c - the router answering as a host: closed ports and REJECT
 *
 * Until the router has a stack of its own, nothing listens on it: a
 * connection the filter's INPUT accepts is answered as a host answers a
 * closed port (RFC 793: a RST for a TCP segment that is not a RST; RFC
 * 1122 3.2.2.1: port unreachable for UDP; protocol unreachable for other
 * protocols). The REJECT target answers the same way, with the ICMP code
 * or the RST the rule asks for, for packets the router forwards too.
 *
 * Answers leave by eng_send_ip(), so they walk the OUTPUT hook. ICMP
 * answers go through icmp_send_error() (its rate limit, and never about
 * broadcasts or ICMP errors); a RST is never sent in answer to a RST.
 */
#include <arpa/inet.h>
#include <string.h>

#include "csum.h"
#include "eng.h"

/* ICMP destination unreachable codes of the REJECT target's answers */
static const uint8_t reject_code[] = {
	[IPT_REJ_NET_UNREACH] = 0,
	[IPT_REJ_HOST_UNREACH] = 1,
	[IPT_REJ_PROTO_UNREACH] = 2,
	[IPT_REJ_PORT_UNREACH] = 3,
	[IPT_REJ_NET_PROHIBITED] = 9,
	[IPT_REJ_HOST_PROHIBITED] = 10,
	[IPT_REJ_ADMIN_PROHIBITED] = 13,
};

/* The checksum of a 20-byte TCP header at @th, pseudo-header in */
static uint16_t tcp_csum(const struct ip4_hdr *ip, const void *th)
{
	uint8_t buf[12 + 20];

	memcpy(buf, &ip->saddr, 4);
	memcpy(buf + 4, &ip->daddr, 4);
	buf[8] = 0;
	buf[9] = IPPROTO_TCP_;
	buf[10] = 0;
	buf[11] = 20;
	memcpy(buf + 12, th, 20);
	return csum_buf(buf, sizeof(buf));
}

/*
 * local_send_reset() - Answer TCP segment @p with a RST, as RFC 793's
 * reset generation says: from the address and port it was sent to; with
 * the segment's ACK number as sequence if it had one, else sequence 0
 * and an ACK of everything it occupied.
 */
void local_send_reset(struct masq_engine *e, const struct pkt *p)
{
	const struct tcp_hdr *in = (const struct tcp_hdr *)p->l4;
	uint32_t seg_len = p->l4_len - tcp_hlen(in);
	struct masq_buf *b;
	struct ip4_hdr *ip;
	struct tcp_hdr *th;

	if ((in->flags & TCP_RST) || p->frag || (p->eth->dst[0] & 1) ||
	    net_addr_is_broadcast(&e->net, p->ip->daddr))
		return;
	b = eng_buf_new(e);
	if (!b)
		return;
	memset(b->data, 0, ETH_HLEN + 40);
	((struct eth_hdr *)b->data)->type = htons(ETHERTYPE_IPV4);
	ip = (struct ip4_hdr *)(b->data + ETH_HLEN);
	th = (struct tcp_hdr *)(ip + 1);
	th->sport = in->dport;
	th->dport = in->sport;
	th->doff = 5 << 4;
	if (in->flags & TCP_ACK) {
		th->seq = in->ack;
		th->flags = TCP_RST;
	} else {
		seg_len += !!(in->flags & TCP_SYN) + !!(in->flags & TCP_FIN);
		th->ack = htonl(ntohl(in->seq) + seg_len);
		th->flags = TCP_RST | TCP_ACK;
	}
	ip->ver_ihl = 0x45;
	ip->tot_len = htons(40);
	ip->ttl = 64;
	ip->proto = IPPROTO_TCP_;
	ip->saddr = p->ip->daddr;
	ip->daddr = p->ip->saddr;
	ip->check = csum_buf(ip, sizeof(*ip));
	th->check = tcp_csum(ip, th);
	b->len = ETH_HLEN + 40;
	b->meta = (struct masq_meta){ 0 };
	eng_send_ip(e, b, IPT_ST_RELATED);
}

/**
 * local_reject() - The REJECT target's answer to @p (not consumed)
 * @e:		engine
 * @p:		the packet as it arrived
 * @with:	enum ipt_reject_with
 */
void local_reject(struct masq_engine *e, struct pkt *p, uint8_t with)
{
	if (with == IPT_REJ_TCP_RESET) {
		if (p->proto == IPPROTO_TCP_)
			local_send_reset(e, p);
		return;
	}
	if (with < sizeof(reject_code))
		icmp_send_error(e, p, ICMP_UNREACH, reject_code[with], 0);
}

/**
 * local_closed_port() - Answer a packet the router accepted for itself as
 * a host with nothing listening does, and drop it
 * @e:	engine
 * @p:	the packet; consumed
 */
void local_closed_port(struct masq_engine *e, struct pkt *p)
{
	if ((p->eth->dst[0] & 1) || net_addr_is_broadcast(&e->net,
							 p->ip->daddr)) {
		/* to everyone: nobody answers for a closed port */
		eng_drop(e, p->buf, C_drop_local_unhandled);
		return;
	}
	switch (p->proto) {
	case IPPROTO_TCP_:
		local_send_reset(e, p);
		break;
	case IPPROTO_UDP_:
		icmp_send_error(e, p, ICMP_UNREACH, ICMP_UNREACH_PORT, 0);
		break;
	case IPPROTO_ICMP_:
		count(e, C_local_in);	/* taken: nothing to answer */
		eng_buf_free(e, p->buf);
		return;
	default:
		icmp_send_error(e, p, ICMP_UNREACH, 2, 0);
		break;
	}
	eng_drop(e, p->buf, C_drop_closed_port);
}
