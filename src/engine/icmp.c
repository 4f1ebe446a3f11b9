// SPDX-License-Identifier: MIT
/*
 * icmp.c - the router's own ICMP, and ICMP errors of tracked connections
 *
 * Owns three things:
 *  - answering echo requests to any of the router's addresses, in place;
 *  - making errors (time exceeded, unreachable, fragmentation needed,
 *    host unreachable when ARP gives up: the held frame is translated
 *    back first) that quote the offending datagram as it arrived, from
 *    the address of the interface it arrived on, through a token bucket
 *    (ICMP_RATE_PER_S, burst ICMP_BURST; RFC 1812 4.3.2.8). Never about
 *    an ICMP error, a broadcast or multicast, or a non-first fragment
 *    (RFC 1812 4.3.2.7);
 *  - translating errors that concern a tracked connection (RFC 5508):
 *    the quoted datagram is found in the table by its inverted tuple and
 *    rewritten back to how its sender knows it, with the outer header,
 *    so traceroute and path-MTU discovery work through the masquerade.
 *    Inner IP and L4 checksums are updated incrementally where quoted;
 *    the outer ICMP and IP checksums are recomputed (errors are small).
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <string.h>

#include "csum.h"
#include "conn.h"
#include "eng.h"

#define ICMP_QUOTE_MAX	(576 - sizeof(struct ip4_hdr) - sizeof(struct icmp_hdr))
#define ICMP_ERROR_TTL	64

static bool icmp_take_token(struct masq_engine *e)
{
	uint64_t elapsed = e->now_ms - e->icmp_refill_ms;
	uint64_t add = elapsed * ICMP_RATE_PER_S / 1000;

	if (e->now_ms < e->icmp_refill_ms)
		add = ICMP_BURST;		/* clock went back: refill */
	if (add) {
		e->icmp_tokens = add >= ICMP_BURST ? ICMP_BURST :
			(uint32_t)(e->icmp_tokens + add > ICMP_BURST ?
				   ICMP_BURST : e->icmp_tokens + add);
		e->icmp_refill_ms = e->now_ms;
	}
	if (!e->icmp_tokens)
		return false;
	e->icmp_tokens--;
	return true;
}

static void ip_finish(struct ip4_hdr *ip)
{
	ip->check = 0;
	ip->check = csum_buf(ip, ip_hlen(ip));
}

/**
 * icmp_local_input() - ICMP addressed to the router: answer echo requests
 * @e:	engine
 * @p:	ICMP packet to one of the router's addresses
 */
void icmp_local_input(struct masq_engine *e, struct pkt *p)
{
	struct icmp_hdr *ih = (struct icmp_hdr *)p->l4;
	struct ip4_hdr *ip = p->ip;
	uint32_t src = ip->saddr;
	uint16_t old, new;

	if (ih->type != ICMP_ECHO) {
		eng_drop(e, p->buf, C_drop_local_unhandled);
		return;
	}
	count(e, C_local_in);
	memcpy(&old, ih, 2);
	ih->type = ICMP_ECHOREPLY;
	ih->code = 0;
	memcpy(&new, ih, 2);
	if (!p->csum_partial)
		ih->check = csum_replace16(ih->check, old, new);
	ip->saddr = ip->daddr;
	ip->daddr = src;
	ip->ttl = ICMP_ERROR_TTL;
	ip->frag_off = 0;
	ip_finish(ip);
	count(e, C_icmp_echo_replies);
	eng_send_ip(e, p->buf, IPT_ST_ESTABLISHED);
}

/* May the router answer this datagram with an error at all? */
static bool icmp_may_answer(const struct masq_engine *e, const struct pkt *p)
{
	const struct ip4_hdr *ip = p->ip;

	if (p->icmp_error || (ntohs(ip->frag_off) & IP_OFFMASK))
		return false;
	if (p->eth->dst[0] & 1)
		return false;			/* link broadcast or multicast */
	if ((ntohl(ip->daddr) >> 28) == 0xe ||
	    net_addr_is_broadcast(&e->net, ip->daddr))
		return false;
	return true;
}

/**
 * icmp_send_error() - Tell the sender of @p why it was not forwarded
 * @e:		engine
 * @p:		the offending packet, untouched since it arrived
 * @type:	ICMP type
 * @code:	ICMP code
 * @info:	next-hop MTU for fragmentation needed, else 0
 *
 * @p itself is not consumed: the caller still drops it.
 */
void icmp_send_error(struct masq_engine *e, struct pkt *p, uint8_t type,
		     uint8_t code, uint32_t info)
{
	uint32_t quote = p->ip_len < ICMP_QUOTE_MAX ? p->ip_len : ICMP_QUOTE_MAX;
	const struct iface *in = &e->net.ifs[p->buf->iface];
	struct masq_buf *b;
	struct ip4_hdr *ip;
	struct icmp_hdr *ih;
	uint32_t src = 0;

	if (!icmp_may_answer(e, p) ||
	    (net_addr_is_local(&e->net, p->ip->saddr, NULL) && !p->host))
		return;		/* never to the router itself, but to its host */
	for (int i = 0; i < in->naddr; i++)
		if ((p->ip->saddr & in->addr[i].mask) ==
		    (in->addr[i].addr & in->addr[i].mask) || !src)
			src = in->addr[i].addr;
	if (!src)
		return;
	if (!icmp_take_token(e)) {
		count(e, C_drop_icmp_ratelimit);
		return;
	}
	b = eng_buf_new(e);
	if (!b)
		return;
	if (b->cap - MASQ_HEADROOM < ETH_HLEN + 28 + quote) {
		masq_pool_put(e->pool, b);
		return;
	}
	memset(b->data, 0, ETH_HLEN + 28);
	((struct eth_hdr *)b->data)->type = htons(ETHERTYPE_IPV4);
	ip = (struct ip4_hdr *)(b->data + ETH_HLEN);
	ih = (struct icmp_hdr *)(ip + 1);
	memcpy(ih + 1, p->ip, quote);
	ih->type = type;
	ih->code = code;
	if (type == ICMP_UNREACH && code == ICMP_UNREACH_NEEDFRAG)
		ih->seq = htons((uint16_t)info);	/* RFC 1191 */
	ih->check = csum_buf(ih, sizeof(*ih) + quote);
	ip->ver_ihl = 0x45;
	ip->tot_len = htons((uint16_t)(28 + quote));
	ip->ttl = ICMP_ERROR_TTL;
	ip->proto = IPPROTO_ICMP_;
	ip->saddr = src;
	ip->daddr = p->ip->saddr;
	ip_finish(ip);
	b->len = ETH_HLEN + 28 + quote;
	count(e, C_icmp_errors_sent);
	eng_send_ip(e, b, IPT_ST_RELATED);
}

/* The quoted datagram of an ICMP error, checked enough to find its ports */
struct icmp_inner {
	struct ip4_hdr *ip;
	uint8_t *l4;
	uint32_t l4_len;		/* bytes of L4 quoted */
	struct ct_tuple t;
};

static bool icmp_inner_parse(const struct pkt *p, struct icmp_inner *in)
{
	uint32_t avail = p->l4_len - sizeof(struct icmp_hdr);
	struct ip4_hdr *ip = (struct ip4_hdr *)(p->l4 + sizeof(struct icmp_hdr));
	unsigned hl = ip_hlen(ip);

	if ((ip->ver_ihl >> 4) != 4 || hl < sizeof(*ip) || hl + 8 > avail)
		return false;
	if (ntohs(ip->frag_off) & IP_OFFMASK)
		return false;			/* no ports in the quote */
	in->ip = ip;
	in->l4 = (uint8_t *)ip + hl;
	in->l4_len = avail - hl;
	in->t.src = ip->saddr;
	in->t.dst = ip->daddr;
	switch (ip->proto) {
	case IPPROTO_TCP_:
	case IPPROTO_UDP_:
		memcpy(&in->t.sport, in->l4, 2);
		memcpy(&in->t.dport, in->l4 + 2, 2);
		return true;
	case IPPROTO_ICMP_: {
		const struct icmp_hdr *ih = (const struct icmp_hdr *)in->l4;

		in->t.sport = ih->type == ICMP_ECHO ? ih->id : 0;
		in->t.dport = ih->type == ICMP_ECHOREPLY ? ih->id : 0;
		return ih->type == ICMP_ECHO || ih->type == ICMP_ECHOREPLY;
	}
	default:
		return false;
	}
}

/* Store a 32-bit field, updating up to two checksums that cover it */
static void put32(uint8_t *at, uint32_t v, uint16_t *ck1, uint16_t *ck2)
{
	uint32_t old;

	memcpy(&old, at, 4);
	if (ck1)
		*ck1 = csum_replace32(*ck1, old, v);
	if (ck2)
		*ck2 = csum_replace32(*ck2, old, v);
	memcpy(at, &v, 4);
}

static void put16(uint8_t *at, uint16_t v, uint16_t *check)
{
	uint16_t old;

	memcpy(&old, at, 2);
	if (check)
		*check = csum_replace16(*check, old, v);
	memcpy(at, &v, 2);
}

/*
 * Rewrite the quoted datagram back to how its sender sent it: tuple @to
 * (the connection's tuple for the quote's direction). The inner IP
 * checksum is always fixed; the L4 one only when the quote holds it (a
 * TCP checksum lies past the first 8 bytes RFC 792 requires).
 */
static void icmp_inner_rewrite(struct icmp_inner *in, uint8_t proto,
			       const struct ct_tuple *to)
{
	unsigned ck_off = proto == IPPROTO_TCP_ ? 16 :
			  proto == IPPROTO_UDP_ ? 6 : 2;
	uint16_t l4ck = 0, *l4p = NULL, *pseudo;

	if (in->l4_len >= ck_off + 2) {
		memcpy(&l4ck, in->l4 + ck_off, 2);
		if (!(proto == IPPROTO_UDP_ && !l4ck))
			l4p = &l4ck;
	}
	pseudo = proto == IPPROTO_ICMP_ ? NULL : l4p;
	uint16_t ipck = in->ip->check;
	uint8_t *iph = (uint8_t *)in->ip;

	put32(iph + offsetof(struct ip4_hdr, saddr), to->src, &ipck, pseudo);
	put32(iph + offsetof(struct ip4_hdr, daddr), to->dst, &ipck, pseudo);
	in->ip->check = ipck;
	if (proto == IPPROTO_ICMP_) {
		const struct icmp_hdr *ih = (const struct icmp_hdr *)in->l4;

		put16(in->l4 + 4, ih->type == ICMP_ECHO ? to->sport : to->dport,
		      l4p);
	} else {
		put16(in->l4, to->sport, l4p);
		put16(in->l4 + 2, to->dport, l4p);
	}
	if (l4p) {
		if (proto == IPPROTO_UDP_ && !l4ck)
			l4ck = 0xffff;
		memcpy(in->l4 + ck_off, &l4ck, 2);
	}
}

/*
 * The filter's say on an error of a tracked connection (RELATED), seen
 * as netfilter shows it: its destination translated to @dst, at FORWARD,
 * or INPUT when it goes to the router host (@to_host), or OUTPUT when
 * the host sent it.
 */
static bool icmp_error_filtered(struct masq_engine *e, struct pkt *p,
				uint32_t dst, int out, bool to_host)
{
	struct fw_pkt fp;

	fw_pkt_init(&fp, p, p->host ? FW_NO_IF : (uint8_t)p->buf->iface,
		    to_host ? FW_NO_IF : (uint8_t)out, IPT_ST_RELATED);
	if (!p->host)
		fw_run_hook(e, e->fw, IPT_PREROUTING, false, &fp);
	fp.daddr = dst;
	if (fp.action == FW_ACCEPT || p->host)
		fw_run_hook(e, e->fw, to_host ? IPT_INPUT : p->host ? IPT_OUTPUT :
				      IPT_FORWARD, false, &fp);
	if (fp.action == FW_ACCEPT && !to_host)
		fw_run_hook(e, e->fw, IPT_POSTROUTING, false, &fp);
	return fp.action == FW_ACCEPT || fp.action == FW_NAT;
}

/**
 * icmp_error_input() - An ICMP error: translate it if it concerns a
 * tracked connection, else take it (to the router) or drop it
 * @e:	engine
 * @p:	parsed ICMP error
 */
void icmp_error_input(struct masq_engine *e, struct pkt *p)
{
	struct icmp_inner in;
	struct ct_tuple key;
	struct ct_entry *ce;
	const struct route *r;
	enum ct_dir dir;
	uint32_t idx;
	bool to_host;

	if (!icmp_inner_parse(p, &in)) {
		eng_drop(e, p->buf, C_drop_bad_icmp);
		return;
	}
	key = ct_tuple_invert(&in.t);
	idx = ct_lookup(&e->ct, in.ip->proto, &key, &dir);
	if (idx == CT_NONE) {
		bool local = net_addr_is_local(&e->net, p->ip->daddr, NULL);

		eng_drop(e, p->buf, local ? C_local_in :
					   C_drop_icmp_error_untracked);
		return;
	}
	ce = &e->ct.e[idx];
	to_host = conn_ends_at_host(ce, dir);
	if (p->host != conn_starts_at_host(ce, dir)) {
		eng_drop(e, p->buf, p->host ? C_drop_twin_spoofed :
					      C_drop_spoofed);
		return;
	}
	/* the error travels way @dir; its quote went the other way */
	r = net_route_lookup(&e->net, ce->t[!dir].src);
	if (!r) {
		eng_drop(e, p->buf, C_drop_no_route);
		return;
	}
	if (p->ip->ttl <= 1) {
		eng_drop(e, p->buf, C_drop_ttl_expired);
		return;
	}
	if (!icmp_error_filtered(e, p, ce->t[!dir].src, r->iface, to_host)) {
		eng_drop(e, p->buf, C_drop_filter);
		return;
	}
	icmp_inner_rewrite(&in, in.ip->proto, &ce->t[!dir]);
	p->ip->daddr = ce->t[!dir].src;
	/* the endpoint itself, or (leaving by the masquerade) anyone inside */
	if (p->ip->saddr == ce->t[dir].src)
		p->ip->saddr = ce->t[!dir].dst;
	else if (dir == CT_ORIG && (ce->flags & CT_F_SNAT))
		p->ip->saddr = ce->t[CT_REPLY].dst;
	((struct icmp_hdr *)p->l4)->check = 0;
	((struct icmp_hdr *)p->l4)->check = csum_buf(p->l4, p->l4_len);
	ip_finish(p->ip);
	if (e->ct.acct) {
		e->ct.acct[idx].pkts[dir]++;
		e->ct.acct[idx].bytes[dir] += p->ip_len;
	}
	count(e, C_icmp_errors_translated);
	if (to_host)
		host_deliver(e, p);
	else
		eng_forward(e, p, r->iface, r->gw ? r->gw : p->ip->daddr);
}

/**
 * icmp_unreach_held() - Host unreachable for a frame ARP gave up on
 * @e:	engine
 * @b:	the frame, held since it was translated (still the engine's)
 *
 * The error quotes the datagram as it arrived: the translation and the
 * TTL decrement are undone on the quote's copy of the header first.
 */
void icmp_unreach_held(struct masq_engine *e, struct masq_buf *b)
{
	struct pkt p;

	if (pkt_parse(&p, b) != C_NUM || !p.ip || p.frag || p.icmp_error)
		return;
	xlate_undo(e, &p);
	icmp_send_error(e, &p, ICMP_UNREACH, ICMP_UNREACH_HOST, 0);
}
