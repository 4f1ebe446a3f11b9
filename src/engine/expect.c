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
 * alg_expect_restore() - An expectation a predecessor held (snapshot.c)
 * @e:		engine
 * @x:		it, with @x->master the restored helper connection and
 *		@x->until in this engine's ticks; @x->map is found here
 *
 * Its target's mapping must have come back with the same external
 * address and port (the peer was told them); it takes a reference.
 * Return: 0, or -1 (not restored: no helper on its master, no mapping)
 */
int alg_expect_restore(struct masq_engine *e, const struct alg_expect *x)
{
	struct alg_conn *ac = alg_conn_find(e, x->master);
	uint32_t map = nat_map_find(&e->nat, x->proto, x->to_addr, x->to_port);
	uint32_t i;

	if (!ac || map == NAT_NONE || nat_map_ext_addr(&e->nat, map) != x->addr ||
	    e->nat.m[map].ext_port != x->port)
		return -1;
	if (ac->expect != ALG_NO_IDX)
		alg_expect_drop(e, ac->expect, false);
	e->nat.m[map].refs++;
	i = expect_slot(e);
	e->alg->exp[i] = *x;
	e->alg->exp[i].map = map;
	e->alg->exp[i].watch = false;
	ac->expect = i;
	e->alg->nexp++;
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
		if (!x->watch && x->proto == proto && x->addr == dst &&
		    x->port == dport &&
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

/**
 * alg_watch() - Note the data connection a client behind the router will
 * open itself (a passive reply from an outside server): nothing to
 * admit or translate, but while it lives the control connection is kept
 * (alg_keeps()). Replaces the pending expectation, as alg_expect() does.
 * @m:		the message that announced it
 * @client:	the client's address
 * @server:	where it will go
 * @port:	... and its port (network order)
 * Return: 0
 */
int alg_watch(struct alg_msg *m, uint32_t client, uint32_t server,
	      uint16_t port)
{
	struct masq_engine *e = m->e;
	uint32_t i;

	if (m->ac->expect != ALG_NO_IDX)
		alg_expect_drop(e, m->ac->expect, false);
	i = expect_slot(e);
	e->alg->exp[i] = (struct alg_expect){
		.master = m->ct, .peer = client, .addr = server, .port = port,
		.proto = IPPROTO_TCP_, .map = NAT_NONE, .watch = true,
		.until = e->now_s + ALG_EXPECT_LAPSE,
	};
	m->ac->expect = i;
	e->alg->nexp++;
	return 0;
}

/* A new connection, original tuple @orig: one a helper noted? */
void alg_watch_seen(struct masq_engine *e, uint8_t proto,
		    const struct ct_tuple *orig)
{
	struct alg_state *a = e->alg;

	for (uint32_t i = 0, seen = 0; seen < a->nexp && i < ALG_EXPECT_MAX; i++) {
		struct alg_expect *x = &a->exp[i];

		if (x->master == ALG_NO_IDX)
			continue;
		seen++;
		if (x->watch && x->proto == proto && x->peer == orig->src &&
		    x->addr == orig->dst && x->port == orig->dport) {
			alg_child(e, x, orig);
			alg_expect_drop(e, i, false);
			return;
		}
	}
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

static const char *dotted(uint32_t a, char buf[INET_ADDRSTRLEN])
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/**
 * alg_expect_list() - conntrack -L expect: the pending expectations, one
 *		       line each as conntrack(8) prints them
 * @e:		engine
 * @out:	the lines
 *
 * TIMEOUT proto=P src=PEER dst=ADDR sport=0 dport=PORT mask-src=M
 * mask-dst=255.255.255.255 sport=0 dport=65535 master-src=.. master-dst=..
 * sport=.. dport=.. class=0 helper=NAME: the connection the helper waits
 * for (from its peer, 0.0.0.0 with mask 0.0.0.0 for anyone), and the
 * helper connection that announced it (its original tuple). A noted
 * passive-mode connection (alg_watch()) is admitted by the filter, not
 * by the helper: it is listed with "watch" at the end. At most
 * ALG_EXPECT_MAX lines.
 *
 * Return: the number listed
 */
uint32_t alg_expect_list(const struct masq_engine *e, struct masq_text *out)
{
	const struct alg_state *a = e->alg;
	char s[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN];
	char ms[INET_ADDRSTRLEN], md[INET_ADDRSTRLEN];
	uint32_t n = 0;

	for (uint32_t i = 0; n < a->nexp && i < ALG_EXPECT_MAX; i++) {
		const struct alg_expect *x = &a->exp[i];
		const struct alg_conn *ac;
		const struct ct_tuple *m;

		if (x->master == ALG_NO_IDX)
			continue;
		n++;
		ac = alg_conn_of(e, x->master);
		m = &e->ct.e[x->master].t[CT_ORIG];
		masq_text_printf(out, "%d proto=%u src=%s dst=%s sport=0 "
				 "dport=%u mask-src=%s mask-dst=255.255.255.255 "
				 "sport=0 dport=65535 ", (int32_t)(x->until -
				 e->now_s), x->proto, dotted(x->peer, s),
				 dotted(x->addr, d), ntohs(x->port),
				 x->peer ? "255.255.255.255" : "0.0.0.0");
		masq_text_printf(out, "master-src=%s master-dst=%s sport=%u "
				 "dport=%u class=0 helper=%s%s\n",
				 dotted(m->src, ms), dotted(m->dst, md),
				 ntohs(m->sport), ntohs(m->dport),
				 alg_name(ac ? (enum alg_id)ac->alg : ALG_NONE),
				 x->watch ? " watch" : "");
	}
	return n;
}
