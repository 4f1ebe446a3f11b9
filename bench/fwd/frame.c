// SPDX-License-Identifier: MIT
/*
 * frame.c - the trivial forwarder's per-frame work: ARP, TTL, MACs
 *
 * What bench/fwd/fwd.c does to each frame (see its header): answer ARP
 * for the side's own address and learn neighbours from ARP; send IPv4
 * for a host on the other side's /24 out of that side to its MAC, TTL
 * decremented (RFC 1624 incremental header checksum); drop the rest.
 * Every read is bounded by the frame's ->len.
 */
#include <arpa/inet.h>
#include <string.h>

#include "frame.h"

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* Network-order 24-bit prefix of @a */
static uint32_t net24(uint32_t a)
{
	return a & htonl(0xffffff00u);
}

static void learn_neighbour(struct fwd_if *f, uint32_t ip, const uint8_t *mac)
{
	for (int i = 0; i < FWD_NEIGH; i++)
		if (f->neigh[i].ip == ip) {
			memcpy(f->neigh[i].mac, mac, 6);
			return;
		}
	f->neigh[f->next_slot].ip = ip;
	memcpy(f->neigh[f->next_slot].mac, mac, 6);
	f->next_slot = (f->next_slot + 1) % FWD_NEIGH;
}

static const uint8_t *neighbour_mac(const struct fwd_if *f, uint32_t ip)
{
	for (int i = 0; i < FWD_NEIGH; i++)
		if (f->neigh[i].ip == ip)
			return f->neigh[i].mac;
	return NULL;
}

/* Queue @b to go out of @f (dropped if the queue is full) */
static void queue_out(struct fwd_if *f, struct masq_pool *pool,
		      struct masq_buf *b, struct fwd_stats *st)
{
	if (f->nout == sizeof(f->out) / sizeof(f->out[0])) {
		st->other++;
		masq_pool_put(pool, b);
		return;
	}
	f->out[f->nout++] = b;
}

/* Fill @b with an ARP request or reply from @f (28-byte ARP body) */
static void build_arp(struct masq_buf *b, const struct fwd_if *f, uint16_t op,
		      const uint8_t *tmac, uint32_t tip)
{
	uint8_t *p = b->data;

	memcpy(p, op == 1 ? bcast : tmac, 6);
	memcpy(p + 6, f->mac, 6);
	p[12] = 0x08, p[13] = 0x06;
	p[14] = 0, p[15] = 1, p[16] = 0x08, p[17] = 0, p[18] = 6, p[19] = 4;
	p[20] = 0, p[21] = (uint8_t)op;
	memcpy(p + 22, f->mac, 6);
	memcpy(p + 28, &f->addr, 4);
	memset(p + 32, 0, 6);
	if (op == 2)
		memcpy(p + 32, tmac, 6);
	memcpy(p + 38, &tip, 4);
	memset(p + 42, 0, 18);
	b->len = 60;
	memset(&b->meta, 0, sizeof(b->meta));
}

static void handle_arp(struct fwd_if *in, struct masq_pool *pool,
		       struct masq_buf *b, struct fwd_stats *st)
{
	const uint8_t *p = b->data;
	uint32_t sip, tip;
	uint8_t smac[6];

	if (b->len < 42 || p[14] != 0 || p[15] != 1 || p[16] != 8 ||
	    p[17] != 0 || p[18] != 6 || p[19] != 4) {
		st->other++;
		masq_pool_put(pool, b);
		return;
	}
	memcpy(smac, p + 22, 6);
	memcpy(&sip, p + 28, 4);
	memcpy(&tip, p + 38, 4);
	if (sip && net24(sip) == in->net)
		learn_neighbour(in, sip, smac);
	if (p[20] == 0 && p[21] == 1 && tip == in->addr) {
		build_arp(b, in, 2, smac, sip);
		queue_out(in, pool, b, st);
		return;
	}
	masq_pool_put(pool, b);
}

/* Ask for @ip's MAC on @f, with a buffer of its own */
static void ask_for(struct fwd_if *f, struct masq_pool *pool, uint32_t ip,
		    struct fwd_stats *st)
{
	struct masq_buf *b = masq_pool_get(pool);

	if (!b)
		return;
	build_arp(b, f, 1, bcast, ip);
	queue_out(f, pool, b, st);
}

/* TTL - 1 and the header checksum after it (RFC 1624: HC' = ~(~HC + ~m + m')) */
static void ttl_decrement(uint8_t *ip)
{
	uint16_t old = (uint16_t)(ip[8] << 8 | ip[9]);
	uint16_t new = (uint16_t)(old - 0x0100);
	uint32_t sum = (uint16_t)~(ip[10] << 8 | ip[11]);

	sum += (uint16_t)~old;
	sum += new;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ip[8] = (uint8_t)(new >> 8);
	ip[10] = (uint8_t)(~sum >> 8);
	ip[11] = (uint8_t)~sum;
}

static void handle_ipv4(struct fwd_if *in, struct fwd_if *out,
			struct masq_pool *pool, struct masq_buf *b,
			struct fwd_stats *st)
{
	uint8_t *ip = b->data + 14;
	const uint8_t *mac;
	uint32_t dst;

	if (b->len < 34 || (ip[0] >> 4) != 4 || ip[8] <= 1 ||
	    memcmp(b->data, in->mac, 6)) {
		st->other++;
		masq_pool_put(pool, b);
		return;
	}
	memcpy(&dst, ip + 16, 4);
	if (net24(dst) != out->net || dst == out->addr) {
		st->other++;
		masq_pool_put(pool, b);
		return;
	}
	mac = neighbour_mac(out, dst);
	if (!mac) {
		st->no_neigh++;
		masq_pool_put(pool, b);
		ask_for(out, pool, dst, st);
		return;
	}
	ttl_decrement(ip);
	memcpy(b->data, mac, 6);
	memcpy(b->data + 6, out->mac, 6);
	queue_out(out, pool, b, st);
}

/**
 * fwd_if_init() - Set a side's address and MAC, with no neighbours
 * @f:		side
 * @addr:	its address, network order
 * @mac:	its MAC
 */
void fwd_if_init(struct fwd_if *f, uint32_t addr, const uint8_t mac[6])
{
	memset(f->neigh, 0, sizeof(f->neigh));
	f->next_slot = 0;
	f->nout = 0;
	f->addr = addr;
	f->net = net24(addr);
	memcpy(f->mac, mac, 6);
}

/**
 * fwd_frame() - Answer, forward or drop one received frame
 * @in:		the side it came in on
 * @out:	the other side
 * @pool:	@b's pool (a dropped frame goes back; an ARP request may
 *		take one buffer more)
 * @b:		the frame; afterwards queued on @in->out or @out->out, or back
 *		in @pool
 * @st:		counters
 *
 * O(FWD_NEIGH). A queue that is full drops the frame (counted in ->other).
 */
void fwd_frame(struct fwd_if *in, struct fwd_if *out, struct masq_pool *pool,
	       struct masq_buf *b, struct fwd_stats *st)
{
	uint16_t type;

	if (b->len < 14) {
		st->other++;
		masq_pool_put(pool, b);
		return;
	}
	type = (uint16_t)(b->data[12] << 8 | b->data[13]);
	if (type == 0x0806)
		handle_arp(in, pool, b, st);
	else if (type == 0x0800)
		handle_ipv4(in, out, pool, b, st);
	else {
		st->other++;
		masq_pool_put(pool, b);
	}
}

