// SPDX-License-Identifier: MIT
/*
 * expect.c - the related connections helpers wait for
 *
 * A helper that rewrote (or read) an address and port in a message
 * expects one connection: from one peer (FTP's server for PORT, the
 * client for a forwarded server's PASV; anyone for IRC DCC, whose peer
 * the router cannot know), to a port of the router's address, for a
 * target behind it. The port is the target endpoint's masquerade mapping
 * (taken now, so no other mapping takes it; the same one the target's
 * own connections use, RFC 4787 REQ-1), and the expectation holds one
 * reference on it. The connection, when it comes, is opened the reply
 * way as an admitted inbound one is (plan.c: plan_expected()), in state
 * RELATED, and takes that reference over.
 *
 * Bounds: one pending expectation per helper connection (a new one
 * replaces it), ALG_EXPECT_MAX in all (the one nearest its lapse gives
 * way); each lapses ALG_EXPECT_LAPSE s after it was made, or when its
 * helper connection goes. The table is walked only while it holds one.
 */
#include <arpa/inet.h>
#include <string.h>

#include "alg.h"
#include "eng.h"

/* Free slot @i; its mapping reference goes unless the connection took it */
void alg_expect_drop(struct masq_engine *e, uint32_t i, bool keep_map)
{
	struct alg_state *a = e->alg;
	struct alg_expect *x = &a->exp[i];
	struct alg_conn *ac;

	if (x->master == ALG_NO_IDX)
		return;
	ac = alg_conn_find(e, x->master);
	if (ac && ac->expect == i)
		ac->expect = ALG_NO_IDX;
	if (!keep_map && x->map != NAT_NONE)
		nat_map_put(&e->nat, x->map);
	x->master = ALG_NO_IDX;
	a->nexp--;
}

/* A free slot: else the one nearest its lapse gives way */
static uint32_t expect_slot(struct masq_engine *e)
{
	struct alg_state *a = e->alg;
	uint32_t best = 0;

	for (uint32_t i = 0; i < ALG_EXPECT_MAX; i++) {
		if (a->exp[i].master == ALG_NO_IDX)
			return i;
		if ((int32_t)(a->exp[i].until - a->exp[best].until) < 0)
			best = i;
	}
	alg_expect_drop(e, best, false);
	count(e, C_alg_expect_evicted);
	return best;
}

/**
 * alg_expect() - Expect one connection for @m's helper connection
 * @m:		the message that announced it
 * @peer:	the one source admitted; 0 for any
 * @ext:	the router's address it will come to
 * @to_addr:	the target behind the router
 * @to_port:	... and its port (network order)
 * @port:	set to the port on @ext it will come to (network order):
 *		the target endpoint's mapping there
 *
 * Replaces the connection's pending expectation, if any.
 * Return: 0, or -1 (no mapping could be had: counted, nothing expected)
 */
int alg_expect(struct alg_msg *m, uint32_t peer, uint32_t ext,
	       uint32_t to_addr, uint16_t to_port, uint16_t *port)
{
	struct masq_engine *e = m->e;
	struct alg_state *a = e->alg;
	struct nat_want any = { 0 };
	enum nat_fail why;
	struct alg_expect *x;
	uint8_t proto = m->ac->alg == ALG_TFTP ? IPPROTO_UDP_ : IPPROTO_TCP_;
	uint32_t map, i;

	map = nat_map_get(&e->nat, proto, to_addr, to_port, ext, &any, &why);
	if (map == NAT_NONE) {
		count(e, C_alg_expect_no_port);
		return -1;
	}
	if (m->ac->expect != ALG_NO_IDX)
		alg_expect_drop(e, m->ac->expect, false);
	i = expect_slot(e);
	x = &a->exp[i];
	*x = (struct alg_expect){
		.master = m->ct, .peer = peer,
		.addr = nat_map_ext_addr(&e->nat, map),
		.port = e->nat.m[map].ext_port, .proto = proto,
		.to_addr = to_addr, .to_port = to_port, .map = map,
		.until = e->now_s + ALG_EXPECT_LAPSE,
	};
	m->ac->expect = i;
	a->nexp++;
	count(e, C_alg_expected);
	*port = x->port;
	return 0;
}

/**
 * alg_expect_find() - The expectation a first packet fulfils, if any
 * @e:		engine
 * @proto:	its protocol
 * @src:	its source address
 * @dst:	its destination (one of the router's)
 * @dport:	... and port
 *
 * Return: the expectation (not lapsed), or NULL
 */
struct alg_expect *alg_expect_find(struct masq_engine *e, uint8_t proto,
				   uint32_t src, uint32_t dst, uint16_t dport)
{
	struct alg_state *a = e->alg;

	for (uint32_t i = 0, seen = 0; seen < a->nexp && i < ALG_EXPECT_MAX; i++) {
		struct alg_expect *x = &a->exp[i];

		if (x->master == ALG_NO_IDX)
			continue;
		seen++;
		if (x->proto == proto && x->addr == dst && x->port == dport &&
		    (!x->peer || x->peer == src) &&
		    (int32_t)(x->until - e->now_s) > 0)
			return x;
	}
	return NULL;
}

/* The connection @x expected is being opened, with original tuple @orig */
void alg_child(struct masq_engine *e, const struct alg_expect *x,
	       const struct ct_tuple *orig)
{
	struct alg_conn *ac = alg_conn_find(e, x->master);

	if (!ac)
		return;
	ac->child = *orig;
	ac->child_proto = x->proto;
}

/* Forget lapsed expectations (called with the connections' expiry) */
void alg_expect_advance(struct masq_engine *e)
{
	struct alg_state *a = e->alg;

	for (uint32_t i = 0, seen = 0; seen < a->nexp && i < ALG_EXPECT_MAX; i++) {
		if (a->exp[i].master == ALG_NO_IDX)
			continue;
		if ((int32_t)(a->exp[i].until - e->now_s) > 0) {
			seen++;
			continue;
		}
		alg_expect_drop(e, i, false);
		count(e, C_alg_expect_lapsed);
	}
}
