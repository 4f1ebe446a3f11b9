// SPDX-License-Identifier: MIT
/*
 * test_workers.c - n engines as workers k of n, fed by masq_steer()
 *
 * What a user of a router with several workers would see if ownership
 * were wrong is a reply that never arrives: the worker it reaches has no
 * connection and no mapping for it, and drops it. So the cases here
 * build a "world" of n engines (n = 1, 2, 4) with one configuration,
 * send every frame to the worker masq_steer() names, and assert what
 * comes out: each connection's first packet leaves masqueraded with a
 * port (or ICMP id) of its worker's slice, and its replies, the ICMP
 * errors about it, port forwards' (portfw, DNAT) connections both
 * ways, a hairpin and an FTP data connection (through the helper's
 * expectation) all reach the inside host through the same worker; a
 * restart across worker counts keeps masqueraded flows and connections
 * DNATed from outside (by rules steering does not see: the client's
 * segments reach the worker the load put them on). Then the port slice
 * allocator alone (nat.c), the ranges some worker has no port of
 * (named for masqd's warning), the rule counters as one vector (what
 * masqd adds over the workers), ARP on every worker, frames steering must
 * survive, and the hand-off ring (handoff.c), with two threads (this
 * test also runs under ThreadSanitizer).
 *
 * Prints "ok workers/NAME" or "FAIL workers/NAME: why" per case.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "masq/handoff.h"
#include "engine/nat.h"
#include "engine/pkt.h"
#include "../lib/ctlline.h"
#include "../lib/frame.h"
#include "../lib/report.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define NS		1000000000ull
#define WMAX		4
#define EXT		IP4(203, 0, 113, 1)
#define TX_CAP		64

/* n engines with one configuration, and the steering picture */
struct world {
	uint32_t n;
	struct masq_pool *pool;
	struct masq_engine *e[WMAX];
	struct masq_steer *st;
	uint64_t now;
	/* the last frame out, and who sent it */
	uint8_t out[FRAME_MAX];
	uint32_t out_len, nout;
	uint32_t worker;
	struct frame_view v, inner;
	uint32_t handed;	/* frames given back for another worker */
};

static const char *const inside_neigh_fmt =
	"neigh add 192.168.0.%u lladdr 02:00:00:00:01:%02x dev lan0";

static void world_down(struct world *w)
{
	for (uint32_t k = 0; k < w->n; k++)
		masq_engine_destroy(w->e[k]);
	masq_pool_destroy(w->pool);
	free(w->st);
	memset(w, 0, sizeof(*w));
}

/* Run @line on every worker (the control plane's rule); Return: 0 or -1 */
static int world_ctl(struct world *w, const char *line)
{
	for (uint32_t k = 0; k < w->n; k++)
		if (ctlline_run(w->e[k], line, NULL))
			return report_failf("'%s' failed on worker %u", line, k);
	return 0;
}

/* Take the steering picture again (after a change of forwards) */
static int world_steer(struct world *w)
{
	int rc = masq_engine_steer_conf(w->e[0], w->n, w->st);

	return rc ? report_failf("masq_engine_steer_conf: %d", rc) : 0;
}

static int world_up(struct world *w, uint32_t n, const char *const *extra)
{
	struct masq_limits lim = { .max_conns = 4096, .max_neigh = 256,
				   .seed = 7 };
	char line[128];

	memset(w, 0, sizeof(*w));
	w->n = n;
	w->now = 10 * NS;
	w->pool = masq_pool_create(512, 2048);
	w->st = calloc(1, sizeof(*w->st));
	if (!w->pool || !w->st)
		return report_failf("out of memory");
	for (uint32_t k = 0; k < n; k++) {
		w->e[k] = masq_engine_create(&lim, w->pool);
		if (!w->e[k])
			return report_failf("masq_engine_create %u", k);
		if (masq_engine_set_worker(w->e[k], k, n))
			return report_failf("masq_engine_set_worker(%u, %u)", k, n);
		masq_engine_set_steer(w->e[k], w->st);
	}
	for (int i = 0; ctlline_topology[i]; i++)
		if (world_ctl(w, ctlline_topology[i]))
			return -1;
	for (uint32_t h = 4; h < 100; h++) {
		snprintf(line, sizeof(line), inside_neigh_fmt, h, h);
		if (world_ctl(w, line))
			return -1;
	}
	for (int i = 0; extra && extra[i]; i++)
		if (world_ctl(w, extra[i]))
			return -1;
	return world_steer(w);
}

/*
 * Frames an engine gave back for another worker (MASQ_IFACE_HANDOFF: a
 * reassembled datagram's fragments) into that worker's engine, as
 * masqd's hand-off does; what they make joins @tx. Return: @tx's frames
 * now, the handed ones taken out
 */
static uint32_t world_hand_on(struct world *w, struct masq_txq *tx)
{
	uint32_t keep = 0;

	for (uint32_t i = 0; i < tx->n; i++) {
		struct masq_buf *b = tx->bufs[i];
		uint32_t j = MASQ_IFACE_WORKER(b->iface);

		if (!(b->iface & MASQ_IFACE_HANDOFF)) {
			tx->bufs[keep++] = b;
			continue;
		}
		b->iface &= MASQ_IFACE_ARRIVAL;
		w->handed++;
		if (j < w->n)
			masq_engine_input(w->e[j], &b, 1, w->now, tx);
		else
			masq_pool_put(w->pool, b);
	}
	tx->n = keep;
	return keep;
}

/*
 * Put frame @b (->iface set) into the worker steering names; keep the
 * first frame out in w->out (decoded in w->v).
 * Return: frames out, or -1
 */
static int world_input(struct world *w, struct masq_buf *b)
{
	struct masq_buf *txb[TX_CAP];
	struct masq_txq tx = { txb, 0, TX_CAP };

	w->worker = masq_steer(w->st, b);
	if (w->worker >= w->n) {
		masq_pool_put(w->pool, b);
		return report_failf("masq_steer: %u of %u", w->worker, w->n);
	}
	w->now += NS / 1000;
	masq_engine_input(w->e[w->worker], &b, 1, w->now, &tx);
	world_hand_on(w, &tx);
	w->nout = tx.n;
	w->out_len = 0;
	if (tx.n) {
		w->out_len = txb[0]->len < FRAME_MAX ? txb[0]->len : FRAME_MAX;
		memcpy(w->out, txb[0]->data, w->out_len);
		w->v.inner = &w->inner;
		frame_decode(w->out, w->out_len, &txb[0]->meta, &w->v);
	}
	for (uint32_t i = 0; i < tx.n; i++)
		masq_pool_put(w->pool, txb[i]);
	return (int)tx.n;
}

/* Build @s into @b, addressed to the router's MAC on @iface */
static int world_build(const struct frame_spec *s, int iface,
		       struct masq_buf *b)
{
	struct frame_spec f = *s;

	/* to the router's MAC on that interface (ctlline_topology) */
	memcpy(f.eth_dst, (const uint8_t[6]){ 2, 0, 0, 0, iface + 1, 1 }, 6);
	memcpy(f.eth_src, (const uint8_t[6]){ 2, 0, 0, 0, iface + 1, 0xfe }, 6);
	if (iface < 0 || frame_build(&f, b) < 0)
		return -1;
	b->iface = (uint32_t)iface;
	return 0;
}

/* Send one frame in on @ifname: world_input() */
static int world_send(struct world *w, const struct frame_spec *s,
		      const char *ifname)
{
	struct masq_buf *b = masq_pool_get(w->pool);

	if (!b || world_build(s, masq_engine_iface_find(w->e[0], ifname), b)) {
		if (b)
			masq_pool_put(w->pool, b);
		return report_failf("cannot build a frame for %s", ifname);
	}
	return world_input(w, b);
}

/* Expect one frame out, from @saddr to @daddr */
static int expect_out(struct world *w, const char *what, uint32_t saddr,
		      uint32_t daddr)
{
	if (w->nout != 1 || !w->v.has_ip)
		return report_failf("n=%u %s: %u frames out of worker %u",
				    w->n, what, w->nout, w->worker);
	if (w->v.saddr != saddr || w->v.daddr != daddr)
		return report_failf("n=%u %s: out %08x > %08x, want %08x > %08x",
				    w->n, what, w->v.saddr, w->v.daddr, saddr,
				    daddr);
	return 0;
}

/* ---- each connection's two directions reach one worker -------------------- */

/* The worker whose slice port (or ICMP id) @p is in: by pairs (nat.c) */
#define SLICE(p, n)	(((uint32_t)(p) >> 1) % (n))

/* A connection opened from inside host @h; its reply; an ICMP error */
static int flow_case(struct world *w, uint32_t h, uint8_t proto)
{
	uint32_t in = IP4(192, 168, 0, h), rem = IP4(198, 51, 100, 1 + h % 5);
	uint16_t iport = (uint16_t)(30000 + h * 7), ext;
	struct frame_spec s;
	uint32_t owner;

	if (proto == FRAME_PROTO_TCP)
		frame_spec_tcp(&s, in, iport, rem, 80, FRAME_TCP_SYN);
	else if (proto == FRAME_PROTO_UDP)
		frame_spec_udp(&s, in, iport, rem, 53);
	else
		frame_spec_icmp_echo(&s, in, rem, true, iport, 1);
	if (world_send(w, &s, "lan0") < 0 ||
	    expect_out(w, "first packet", EXT, rem))
		return -1;
	owner = w->worker;
	ext = proto == FRAME_PROTO_ICMP ? w->v.icmp_id : w->v.sport;
	if (SLICE(ext, w->n) != owner)
		return report_failf("n=%u worker %u mapped %u:%u to port %u, "
				    "not in its slice", w->n, owner, h, iport,
				    ext);
	if (ext != iport)	/* steered by its port, so it is kept */
		return report_failf("n=%u worker %u mapped %u:%u to port %u, "
				    "not kept", w->n, owner, h, iport, ext);
	if (proto == FRAME_PROTO_TCP)
		frame_spec_tcp(&s, rem, 80, EXT, ext, FRAME_TCP_SYN | FRAME_TCP_ACK);
	else if (proto == FRAME_PROTO_UDP)
		frame_spec_udp(&s, rem, 53, EXT, ext);
	else
		frame_spec_icmp_echo(&s, rem, EXT, false, ext, 1);
	s.ack = 1;
	if (world_send(w, &s, "wan0") < 0 ||
	    expect_out(w, "reply", rem, in))
		return -1;
	if (w->worker != owner)
		return report_failf("n=%u reply on worker %u, owner %u", w->n,
				    w->worker, owner);
	if (proto != FRAME_PROTO_UDP)
		return 0;
	/* a port unreachable from the remote, quoting what went out */
	{
		struct frame_spec q, err;
		uint8_t quote[128];
		int ql;

		frame_spec_udp(&q, EXT, ext, rem, 53);
		ql = frame_build_ip(&q, quote, sizeof(quote));
		frame_spec_init(&err, FRAME_IP);
		err.proto = FRAME_PROTO_ICMP;
		err.saddr = rem;
		err.daddr = EXT;
		err.icmp_type = FRAME_ICMP_UNREACH;
		err.icmp_code = 3;
		if (ql < 28)
			return report_failf("quote");
		memcpy(err.payload, quote, 28);
		err.payload_len = 28;
		if (world_send(w, &err, "wan0") < 0 ||
		    expect_out(w, "icmp error", rem, in))
			return -1;
		if (w->worker != owner)
			return report_failf("n=%u ICMP error on worker %u, owner %u",
					    w->n, w->worker, owner);
	}
	return 0;
}

static int flows_reach_owner(uint32_t n)
{
	static const uint8_t protos[] = { FRAME_PROTO_TCP, FRAME_PROTO_UDP,
					  FRAME_PROTO_ICMP };
	uint32_t seen[WMAX] = { 0 };
	struct world w;
	int rc = 0;

	if (world_up(&w, n, NULL)) {
		world_down(&w);
		return -1;
	}
	for (uint32_t h = 4; h < 64 && !rc; h++)
		for (unsigned p = 0; p < 3 && !rc; p++) {
			rc = flow_case(&w, h, protos[p]);
			seen[w.worker]++;
		}
	for (uint32_t k = 0; k < n && !rc; k++)
		if (!seen[k])
			rc = report_failf("n=%u: worker %u owned nothing of 60 hosts",
					  n, k);
	world_down(&w);
	return rc;
}

/*
 * Port forwards (@fmt: a portfw or a nat PREROUTING DNAT command with
 * the outside port and the server's last octet to fill in; four of
 * them, so a steering that ignored them would split some): remote in,
 * the server's reply out, on one worker
 */
static int forward_both_ways(uint32_t n, const char *fmt)
{
	struct frame_spec s;
	struct world w;
	char cmd[160];
	int rc = 0;

	if (world_up(&w, n, NULL)) {
		world_down(&w);
		return -1;
	}
	for (unsigned f = 0; f < 4; f++) {
		snprintf(cmd, sizeof(cmd), fmt, 8081 + f, 2 + f);
		if (world_ctl(&w, cmd)) {
			world_down(&w);
			return -1;
		}
	}
	if (world_steer(&w)) {
		world_down(&w);
		return -1;
	}
	for (uint32_t i = 0; i < 40 && !rc; i++) {
		uint32_t rem = IP4(198, 51, 100, 10 + i);
		uint32_t srv = IP4(192, 168, 0, 2 + i % 4);
		uint16_t rport = (uint16_t)(40000 + i);
		uint32_t owner;

		frame_spec_tcp(&s, rem, rport, EXT, (uint16_t)(8081 + i % 4),
			       FRAME_TCP_SYN);
		if (world_send(&w, &s, "wan0") < 0 ||
		    expect_out(&w, "forwarded SYN", rem, srv)) {
			rc = -1;
			break;
		}
		owner = w.worker;
		frame_spec_tcp(&s, srv, 80, rem, rport,
			       FRAME_TCP_SYN | FRAME_TCP_ACK);
		s.ack = 1;
		if (world_send(&w, &s, "lan0") < 0 ||
		    expect_out(&w, "server's SYN+ACK", EXT, rem))
			rc = -1;
		else if (w.v.sport != 8081 + i % 4)
			rc = report_failf("reply from port %u", w.v.sport);
		else if (w.worker != owner)
			rc = report_failf("n=%u forward: SYN on %u, reply on %u",
					  n, owner, w.worker);
	}
	world_down(&w);
	return rc;
}

/* Inside host B to A's mapping (hairpin, RFC 4787 REQ-9), and back */
static int hairpin_both_ways(uint32_t n)
{
	static const char *const eif[] = {
		"set filtering endpoint-independent", NULL };
	struct frame_spec s;
	struct world w;
	int rc = 0;

	if (world_up(&w, n, eif)) {
		world_down(&w);
		return -1;
	}
	for (uint32_t i = 0; i < 20 && !rc; i++) {
		uint32_t a = IP4(192, 168, 0, 10 + i), b = IP4(192, 168, 0, 40 + i);
		uint16_t amap, bmap;
		uint32_t owner;

		frame_spec_udp(&s, a, 5000, IP4(198, 51, 100, 1), 3478);
		if (world_send(&w, &s, "lan0") < 0 ||
		    expect_out(&w, "A out", EXT, IP4(198, 51, 100, 1))) {
			rc = -1;
			break;
		}
		amap = w.v.sport;
		frame_spec_udp(&s, b, 6000, EXT, amap);
		if (world_send(&w, &s, "lan0") < 0 ||
		    expect_out(&w, "B to A's mapping", EXT, a)) {
			rc = -1;
			break;
		}
		owner = w.worker;
		bmap = w.v.sport;
		frame_spec_udp(&s, a, 5000, EXT, bmap);
		if (world_send(&w, &s, "lan0") < 0 ||
		    expect_out(&w, "A back to B's hairpin mapping", EXT, b))
			rc = -1;
		else if (w.worker != owner)
			rc = report_failf("n=%u hairpin on %u, back on %u", n,
					  owner, w.worker);
	}
	world_down(&w);
	return rc;
}

/* "PORT 203,0,113,1,P1,P2": the port the helper wrote */
static int ftp_port_of(const struct frame_view *v, uint16_t *port)
{
	char text[128];
	unsigned a, b, c, d, p1, p2;
	uint32_t len = v->payload_len < sizeof(text) - 1 ? v->payload_len
							 : sizeof(text) - 1;

	memcpy(text, v->payload, len);
	text[len] = 0;
	if (sscanf(text, "PORT %u,%u,%u,%u,%u,%u", &a, &b, &c, &d, &p1, &p2) != 6)
		return report_failf("no PORT in '%s'", text);
	*port = (uint16_t)(p1 << 8 | p2);
	return 0;
}

/*
 * FTP active mode: the helper's expectation is made on the control
 * connection's worker, in its slice, so the server's data connection
 * is steered there and let in. Control on port 21: the client's answer
 * is steered to that worker too (hash(client)); on another port @ctl
 * (helper ftp on ports @ctl, or @conf: a raw rule's CT --helper) it is
 * steered by its own port and reaches the owner through the walk
 * (walk.c)
 */
static int ftp_data_reaches_owner_conf(uint32_t n, uint16_t ctl,
				       const char *const *conf)
{
	const char *const other[] = { "helper ftp on ports 21,2121", NULL };
	struct frame_spec s;
	struct world w;
	int rc = 0;

	if (world_up(&w, n, conf ? conf : ctl == 21 ? NULL : other)) {
		world_down(&w);
		return -1;
	}
	for (uint32_t i = 0; i < 12 && !rc; i++) {
		uint32_t cli = IP4(192, 168, 0, 20 + i), srv = IP4(198, 51, 100, 10);
		uint16_t cport = (uint16_t)(40000 + i * 10), ext, data = 0;
		uint16_t dport = (uint16_t)(50000 + i * 7);	/* any slice */
		static const char port_fmt[] = "PORT 192,168,0,%u,%u,%u\r\n";
		uint32_t owner;
		char cmd[64];

		frame_spec_tcp(&s, cli, cport, srv, ctl, FRAME_TCP_SYN);
		s.seq = 1000;
		if (world_send(&w, &s, "lan0") < 0 ||
		    expect_out(&w, "control SYN", EXT, srv))
			return world_down(&w), -1;
		owner = w.worker;
		ext = w.v.sport;
		frame_spec_tcp(&s, srv, ctl, EXT, ext, FRAME_TCP_SYN | FRAME_TCP_ACK);
		s.seq = 5000;
		s.ack = 1001;
		if (world_send(&w, &s, "wan0") < 0 ||
		    expect_out(&w, "control SYN+ACK", srv, cli))
			return world_down(&w), -1;
		frame_spec_tcp(&s, cli, cport, srv, ctl, FRAME_TCP_ACK);
		s.seq = 1001;
		s.ack = 5001;
		world_send(&w, &s, "lan0");
		snprintf(cmd, sizeof(cmd), port_fmt, 20 + i, dport >> 8,
			 dport & 255);
		frame_spec_tcp(&s, cli, cport, srv, ctl,
			       FRAME_TCP_ACK | FRAME_TCP_PSH);
		s.seq = 1001;
		s.ack = 5001;
		s.payload_len = (uint16_t)strlen(cmd);
		memcpy(s.payload, cmd, s.payload_len);
		if (world_send(&w, &s, "lan0") < 0 ||
		    expect_out(&w, "PORT", EXT, srv) ||
		    ftp_port_of(&w.v, &data))
			return world_down(&w), -1;
		if (SLICE(data, n) != owner)
			rc = report_failf("n=%u expectation port %u not in worker "
					  "%u's slice", n, data, owner);
		frame_spec_tcp(&s, srv, 20, EXT, data, FRAME_TCP_SYN);
		s.seq = 9000;
		if (!rc && (world_send(&w, &s, "wan0") < 0 ||
			    expect_out(&w, "data SYN", srv, cli)))
			rc = -1;
		else if (!rc && (w.worker != owner || w.v.dport != dport))
			rc = report_failf("n=%u data SYN on worker %u to port %u, "
					  "control on %u", n, w.worker,
					  w.v.dport, owner);
		/* the client answers from its own port, which names no worker */
		frame_spec_tcp(&s, cli, dport, srv, 20,
			       FRAME_TCP_SYN | FRAME_TCP_ACK);
		s.seq = 7000;
		s.ack = 9001;
		if (!rc && (world_send(&w, &s, "lan0") < 0 ||
			    expect_out(&w, "data SYN+ACK", EXT, srv)))
			rc = -1;
		else if (!rc && ((ctl == 21 && w.worker != owner) ||
				 w.v.sport != data))
			rc = report_failf("n=%u data SYN+ACK on worker %u from "
					  "port %u, control on %u", n,
					  w.worker, w.v.sport, owner);
	}
	world_down(&w);
	return rc;
}

static int ftp_data_reaches_owner(uint32_t n, uint16_t ctl)
{
	return ftp_data_reaches_owner_conf(n, ctl, NULL);
}

/* The same with the helper given by raw's CT --helper, helper ftp off */
static int ftp_ct_helper_data_reaches_owner(uint32_t n)
{
	static const char *const ct[] = {
		"helper ftp off",
		"iptables -t raw -A PREROUTING -p tcp --dport 2121 -j CT "
		"--helper ftp",
		NULL
	};

	return ftp_data_reaches_owner_conf(n, 2121, ct);
}

/* The address and port of a DCC offer in @v's payload */
static int dcc_offer_of(const struct frame_view *v, uint32_t *addr,
			uint16_t *port)
{
	char text[160];
	unsigned long a;
	unsigned p, size;
	const char *dcc;
	uint32_t len = v->payload_len < sizeof(text) - 1 ? v->payload_len
							 : sizeof(text) - 1;

	memcpy(text, v->payload, len);
	text[len] = 0;
	dcc = strstr(text, "DCC SEND ");
	if (!dcc || sscanf(dcc, "DCC SEND f %lu %u %u", &a, &p, &size) != 3)
		return report_failf("no DCC SEND in '%s'", text);
	*addr = (uint32_t)a;
	*port = (uint16_t)p;
	return 0;
}

/* A TCP segment, no payload, @flags: in on lan0 (from 192.168.0.x) or
 * wan0, expected out from @out_src to @out_dst */
static int tcp_through(struct world *w, const char *what, const uint32_t a[2],
		       const uint16_t port[2], uint8_t flags, uint32_t seq,
		       uint32_t ack, uint32_t out_src, uint32_t out_dst)
{
	bool inside = a[0] >> 8 == IP4(192, 168, 0, 0) >> 8;
	struct frame_spec s;

	frame_spec_tcp(&s, a[0], port[0], a[1], port[1], flags);
	s.seq = seq;
	s.ack = ack;
	if (world_send(w, &s, inside ? "lan0" : "wan0") < 0)
		return -1;
	return expect_out(w, what, out_src, out_dst);
}

/* Client @cli opens an IRC connection from @cport; Return: 0 or -1 */
static int irc_open(struct world *w, uint32_t cli, uint16_t cport,
		    uint32_t srv)
{
	uint32_t out[2] = { cli, srv }, back[2] = { srv, EXT };

	if (tcp_through(w, "IRC SYN", out, (uint16_t[]){ cport, 6667 },
			FRAME_TCP_SYN, 1000, 0, EXT, srv) ||
	    tcp_through(w, "IRC SYN+ACK", back,
			(uint16_t[]){ 6667, w->v.sport },
			FRAME_TCP_SYN | FRAME_TCP_ACK, 5000, 1001, srv, cli))
		return -1;
	return tcp_through(w, "IRC ACK", out, (uint16_t[]){ cport, 6667 },
			   FRAME_TCP_ACK, 1001, 5001, EXT, srv);
}

/*
 * One DCC SEND offered from client port @dport over the IRC connection
 * from @cport: the offer rewritten to the router's address and a port P,
 * the remote's connection to P reaches the client's @dport, and the
 * client's answer and data from @dport leave from EXT:P
 */
static int dcc_case(struct world *w, uint32_t cli, uint16_t cport,
		    uint16_t dport, uint32_t *seq)
{
	uint32_t srv = IP4(198, 51, 100, 10), rem = IP4(198, 51, 100, 77);
	static const char fmt[] = "PRIVMSG bob :\1DCC SEND f %u %u 4096\1\r\n";
	uint16_t rport = (uint16_t)(dport ^ 0x5a5a) | 1024, p = 0;
	struct frame_spec s;
	uint32_t addr = 0;
	char msg[96];

	snprintf(msg, sizeof(msg), fmt, cli, dport);
	frame_spec_tcp(&s, cli, cport, srv, 6667, FRAME_TCP_ACK | FRAME_TCP_PSH);
	s.seq = *seq;
	s.ack = 5001;
	s.payload_len = (uint16_t)strlen(msg);
	memcpy(s.payload, msg, s.payload_len);
	*seq += s.payload_len;
	if (world_send(w, &s, "lan0") < 0 || expect_out(w, "offer", EXT, srv) ||
	    dcc_offer_of(&w->v, &addr, &p))
		return -1;
	if (addr != EXT)
		return report_failf("n=%u offer names %08x, not the router",
				    w->n, addr);
	if (tcp_through(w, "remote's SYN", (uint32_t[]){ rem, EXT },
			(uint16_t[]){ rport, p }, FRAME_TCP_SYN, 9000, 0, rem,
			cli))
		return -1;
	if (w->v.dport != dport)
		return report_failf("n=%u remote's SYN to port %u, offer %u",
				    w->n, w->v.dport, dport);
	if (tcp_through(w, "client's SYN+ACK", (uint32_t[]){ cli, rem },
			(uint16_t[]){ dport, rport },
			FRAME_TCP_SYN | FRAME_TCP_ACK, 7000, 9001, EXT, rem))
		return -1;
	if (w->v.sport != p)
		return report_failf("n=%u client's SYN+ACK from %u, offer said "
				    "%u", w->n, w->v.sport, p);
	if (tcp_through(w, "remote's ACK", (uint32_t[]){ rem, EXT },
			(uint16_t[]){ rport, p }, FRAME_TCP_ACK, 9001, 7001,
			rem, cli))
		return -1;
	frame_spec_tcp(&s, cli, dport, rem, rport,
		       FRAME_TCP_ACK | FRAME_TCP_PSH);
	s.seq = 7001;
	s.ack = 9001;
	s.payload_len = 100;
	memset(s.payload, 'x', 100);
	if (world_send(w, &s, "lan0") < 0 ||
	    expect_out(w, "client's data", EXT, rem))
		return -1;
	if (w->v.sport != p || w->v.payload_len != 100)
		return report_failf("n=%u client's data from %u (%u bytes), "
				    "offer said %u", w->n, w->v.sport,
				    w->v.payload_len, p);
	return 0;
}

/*
 * IRC DCC offered from inside: the helper maps and expects the offer on
 * the IRC connection's worker, but the client answers from its DCC
 * port, whose slice may name any worker; offers from ports of every
 * slice over IRC connections from ports of every slice all work (walk.c
 * passes the client's segments on to the worker that holds them)
 */
static int dcc_reaches_client(uint32_t n)
{
	static const char *const irc_on[] = { "helper irc on", NULL };
	struct world w;
	int rc = 0;

	if (world_up(&w, n, irc_on)) {
		world_down(&w);
		return -1;
	}
	for (uint32_t c = 0; c < 2 * n && !rc; c++) {
		uint32_t cli = IP4(192, 168, 0, 30 + c), seq = 1001;
		uint16_t cport = (uint16_t)(41000 + 2 * c);

		rc = irc_open(&w, cli, cport, IP4(198, 51, 100, 10));
		for (uint32_t d = 0; d < 2 * n && !rc; d++)
			rc = dcc_case(&w, cli, cport, (uint16_t)(5000 + 2 * d +
				      100 * c), &seq);
	}
	if (!rc && n > 1 && !w.handed)
		rc = report_failf("n=%u no segment was passed on", n);
	world_down(&w);
	return rc;
}

/* ARP reaches every worker; each learns the sender, worker 0 alone answers */
static int arp_every_worker(uint32_t n)
{
	static const uint8_t sha[6] = { 2, 0, 0, 0, 2, 0x77 };
	static const uint8_t zero[6];
	struct masq_buf *txb[TX_CAP];
	struct frame_spec s;
	struct world w;
	uint32_t replies = 0;
	int rc = 0;

	if (world_up(&w, n, NULL)) {
		world_down(&w);
		return -1;
	}
	frame_spec_arp(&s, 1, sha, IP4(203, 0, 113, 77), zero, EXT);
	for (uint32_t k = 0; k < n && !rc; k++) {
		struct masq_buf *b = masq_pool_get(w.pool);
		struct masq_txq tx = { txb, 0, TX_CAP };
		struct masq_text t = { 0 };

		frame_build(&s, b);
		b->iface = (uint32_t)masq_engine_iface_find(w.e[k], "wan0");
		if (n > 1 && masq_steer(w.st, b) != MASQ_STEER_ALL)
			rc = report_failf("ARP steered to %u", masq_steer(w.st, b));
		masq_engine_input(w.e[k], &b, 1, w.now, &tx);
		replies += tx.n;
		for (uint32_t i = 0; i < tx.n; i++)
			masq_pool_put(w.pool, txb[i]);
		ctlline_run(w.e[k], "neigh", &t);
		if (!rc && (!t.s || !strstr(t.s, "203.0.113.77")))
			rc = report_failf("worker %u did not learn the sender", k);
		masq_text_free(&t);
	}
	if (!rc && replies != 1)
		rc = report_failf("n=%u: %u ARP replies, want 1", n, replies);
	world_down(&w);
	return rc;
}

/* ---- steering alone ------------------------------------------------------- */

/* The worker of a frame built from @s arriving on @iface */
static uint32_t steer_of(struct world *w, const struct frame_spec *s,
			 uint32_t iface)
{
	struct masq_buf *b = masq_pool_get(w->pool);
	uint32_t k;

	frame_build(s, b);
	b->iface = iface;
	k = masq_steer(w->st, b);
	masq_pool_put(w->pool, b);
	return k;
}

/*
 * The pairs the engine-driven cases do not reach, steering alone: the
 * router host's own connections through its twin (out and back; with an
 * inside host both ways), an inside host's connection to the router's
 * service on its internal address, routing between two internal
 * networks and from outside to a routed (not masqueraded) inside host,
 * and an inside host's ICMP error about a reply it was sent
 */
static int steer_pairs(uint32_t n)
{
	static const char *const lan1[] = {
		"iface add lan1 mac 02:00:00:00:03:01 role internal",
		"addr add 10.9.0.1/24 dev lan1", NULL };
	const uint32_t lan = 0, wan = 1, twin = MASQ_IFACE_TWIN;
	struct frame_spec a, b;
	struct world w;
	int rc = 0;

	if (world_up(&w, n, lan1) ||
	    world_ctl(&w, "iptables -t nat -A PREROUTING -i wan0 -p tcp "
			  "--dport 2223 -j REDIRECT --to-ports 22") ||
	    world_steer(&w)) {
		world_down(&w);
		return -1;
	}
	for (uint32_t i = 0; i < 200 && !rc; i++) {
		uint32_t in = IP4(192, 168, 0, 2 + i % 100), rem = IP4(198, 51, 100, i);
		uint32_t other = IP4(10, 9, 0, 2 + i % 50);
		uint16_t p = (uint16_t)(1024 + i * 311);
		const char *what = NULL;

		frame_spec_tcp(&a, EXT, p, rem, 443, FRAME_TCP_SYN);
		frame_spec_tcp(&b, rem, 443, EXT, p, FRAME_TCP_SYN | FRAME_TCP_ACK);
		if (steer_of(&w, &a, wan | twin) != steer_of(&w, &b, wan))
			what = "host's own connection out";
		frame_spec_tcp(&a, rem, p, EXT, 2223, FRAME_TCP_SYN);
		frame_spec_tcp(&b, EXT, 22, rem, p, FRAME_TCP_SYN | FRAME_TCP_ACK);
		if (steer_of(&w, &a, wan) != steer_of(&w, &b, wan | twin))
			what = "REDIRECT from outside, the host's reply";
		frame_spec_tcp(&a, rem, p, EXT, 22, FRAME_TCP_SYN);
		if (steer_of(&w, &a, wan) != steer_of(&w, &b, wan | twin))
			what = "the REDIRECT's port reached directly";
		frame_spec_icmp_echo(&a, EXT, rem, true, p, 1);
		frame_spec_icmp_echo(&b, rem, EXT, false, p, 1);
		if (steer_of(&w, &a, wan | twin) != steer_of(&w, &b, wan))
			what = "host's own ping";
		frame_spec_tcp(&a, IP4(192, 168, 0, 1), p, in, 22, FRAME_TCP_SYN);
		frame_spec_tcp(&b, in, 22, IP4(192, 168, 0, 1), p, FRAME_TCP_ACK);
		if (steer_of(&w, &a, lan | twin) != steer_of(&w, &b, lan))
			what = "host to an inside host";
		frame_spec_udp(&a, in, p, IP4(192, 168, 0, 1), 53);
		frame_spec_udp(&b, IP4(192, 168, 0, 1), 53, in, p);
		if (steer_of(&w, &a, lan) != steer_of(&w, &b, lan | twin))
			what = "inside host to the host's service";
		frame_spec_tcp(&a, in, p, other, 80, FRAME_TCP_SYN);
		frame_spec_tcp(&b, other, 80, in, p, FRAME_TCP_ACK);
		if (steer_of(&w, &a, lan) != steer_of(&w, &b, 2))
			what = "routed between inside networks";
		frame_spec_tcp(&a, rem, p, in, 80, FRAME_TCP_SYN);
		frame_spec_tcp(&b, in, 80, rem, p, FRAME_TCP_ACK);
		if (steer_of(&w, &a, wan) != steer_of(&w, &b, lan))
			what = "routed from outside, not masqueraded";
		/* an inside host's port unreachable about a reply to it */
		{
			uint8_t quote[64];
			int ql;

			frame_spec_udp(&a, rem, 53, in, p);
			ql = frame_build_ip(&a, quote, sizeof(quote));
			frame_spec_init(&b, FRAME_IP);
			b.proto = FRAME_PROTO_ICMP;
			b.saddr = in;
			b.daddr = rem;
			b.icmp_type = FRAME_ICMP_UNREACH;
			b.icmp_code = 3;
			memcpy(b.payload, quote, 28);
			b.payload_len = 28;
			frame_spec_udp(&a, in, p, rem, 53);
			if (ql < 28 || steer_of(&w, &a, lan) != steer_of(&w, &b, lan))
				what = "an inside host's ICMP error";
		}
		if (what)
			rc = report_failf("n=%u %s (case %u): two workers", n, what,
					  i);
	}
	world_down(&w);
	return rc;
}

/* Fragments of one datagram meet; n = 1 is always worker 0; junk gets one */
static int steer_edges(void)
{
	struct world w;
	struct frame_spec s;
	struct masq_buf *b;
	uint8_t frame[FRAME_MAX];
	uint32_t first, rest;
	int len, rc = 0;

	if (world_up(&w, 4, NULL)) {
		world_down(&w);
		return -1;
	}
	b = masq_pool_get(w.pool);
	frame_spec_udp(&s, IP4(198, 51, 100, 9), 53, EXT, 1234);
	s.payload_len = 1200;
	len = frame_build_bytes(&s, frame, sizeof(frame), NULL);
	memcpy(b->data, frame, (size_t)len);
	b->len = (uint32_t)frame_fragment(b->data, (uint32_t)len, 0, 600);
	b->iface = 1;
	first = masq_steer(w.st, b);
	memcpy(b->data, frame, (size_t)len);
	b->len = (uint32_t)frame_fragment(b->data, (uint32_t)len, 600, 608);
	rest = masq_steer(w.st, b);
	if (first != rest)
		rc = report_failf("fragments on workers %u and %u", first, rest);
	/* every length of a frame, every interface index: a worker, no crash */
	for (uint32_t l = 0; l <= (uint32_t)len && !rc; l++)
		for (uint32_t i = 0; i < 0x300 && !rc; i += 0x7f) {
			b->len = l;
			b->iface = i;
			memcpy(b->data, frame, (size_t)len);
			if (masq_steer(w.st, b) >= w.n)
				rc = report_failf("length %u: worker %u", l,
						  masq_steer(w.st, b));
		}
	w.st->n = 1;
	b->len = (uint32_t)len;
	if (!rc && masq_steer(w.st, b) != 0)
		rc = report_failf("n=1: worker %u", masq_steer(w.st, b));
	masq_pool_put(w.pool, b);
	world_down(&w);
	return rc;
}

/* ---- the slice allocator (nat.c) ------------------------------------------ */

static int slice_allocator(void)
{
	struct nat a[2];
	struct nat_want any = { 0 }, rule = { .lo = 1000, .hi = 1011 };
	enum nat_fail why;
	uint32_t ext = htonl(EXT);
	int rc = 0;

	for (int k = 0; k < 2; k++)
		if (nat_init(&a[k], 70000, 9) || nat_set_worker(&a[k], (uint32_t)k, 2))
			return report_failf("nat_init");
	/*
	 * port preservation inside the slice (first round: each port asked
	 * of its slice's worker); else a port of the slice (second round:
	 * another host asks the other worker for the same ports)
	 */
	for (uint32_t i = 0; i < 8000 && !rc; i++) {
		uint16_t want = (uint16_t)(20000 + i % 4000);
		int k = (int)(SLICE(want, 2) ^ (i >= 4000));
		uint32_t m = nat_map_get(&a[k], IPPROTO_UDP_,
					 htonl(IP4(10, 0, 0, 1 + (i >= 4000))),
					 htons(want), ext, &any, &why);
		uint16_t got = m == NAT_NONE ? 0 : ntohs(a[k].m[m].ext_port);

		if (m == NAT_NONE || SLICE(got, 2) != (uint32_t)k)
			rc = report_failf("worker %d: port %u for %u", k, got, want);
		else if (i < 4000 && got != want)
			rc = report_failf("worker %d: %u not kept (%u)", k, want, got);
	}
	/* a rule's range of twelve: six each; the seventh fails on one alone */
	for (uint32_t i = 0; i < 7 && !rc; i++) {
		uint32_t m = nat_map_get(&a[0], IPPROTO_TCP_, htonl(IP4(10, 0, 1, 1)),
					 htons((uint16_t)(100 + i)), ext, &rule, &why);

		if (i < 6 && (m == NAT_NONE || SLICE(ntohs(a[0].m[m].ext_port), 2)))
			rc = report_failf("range: mapping %u on worker 0", i);
		if (i == 6 && (m != NAT_NONE || why != NAT_FAIL_PORTS))
			rc = report_failf("range: a seventh on worker 0");
	}
	for (uint32_t i = 0; i < 6 && !rc; i++)
		if (nat_map_get(&a[1], IPPROTO_TCP_, htonl(IP4(10, 0, 1, 2)),
				htons((uint16_t)(100 + i)), ext, &rule, &why) == NAT_NONE)
			rc = report_failf("range: worker 1 lost its slice to 0");
	/* a range narrower than the workers: one of them has none of it */
	rule.lo = rule.hi = 3003;	/* worker 1's: 1501 % 2 */
	if (!rc && nat_map_get(&a[0], IPPROTO_TCP_, htonl(IP4(10, 0, 2, 1)),
			       htons(7), ext, &rule, &why) != NAT_NONE)
		rc = report_failf("port 3003 given by worker 0");
	/* ICMP identifiers are sliced too */
	for (uint32_t i = 0; i < 50 && !rc; i++) {
		uint32_t m = nat_map_get(&a[1], IPPROTO_ICMP_, htonl(IP4(10, 0, 3, 1)),
					 htons((uint16_t)(2 * i)), ext, &any, &why);

		if (m == NAT_NONE || SLICE(ntohs(a[1].m[m].ext_port), 2) != 1)
			rc = report_failf("ICMP id on worker 1");
	}
	/* a restart's mapping of another worker's port is not restored here */
	if (!rc && (nat_map_restore(&a[1], NAT_PCLS_TCP, htonl(IP4(10, 0, 4, 1)),
				    htons(9), ext, htons(40000), false) != NAT_NONE ||
		    nat_map_restore(&a[1], NAT_PCLS_TCP, htonl(IP4(10, 0, 4, 1)),
				    htons(9), ext, htons(40002), false) == NAT_NONE))
		rc = report_failf("restore: the slice not kept");
	if (!rc && nat_set_worker(&a[0], 1, 2) != -EBUSY)
		rc = report_failf("worker changed with mappings held");
	if (!rc && (nat_set_worker(&a[0], 2, 2) != -EINVAL ||
		    nat_set_worker(&a[0], 0, 65) != -EINVAL))
		rc = report_failf("bad worker identity taken");
	nat_fini(&a[0]);
	nat_fini(&a[1]);
	return rc;
}

/*
 * slice_random_picks: --random-fully and --random never keep the
 * internal port and give only ports of the worker's own slice; random
 * ones spread over the range (not one run upward from a start), --random
 * ones come back the same for the same endpoint, and the mapping stays
 * the endpoint's (its next connection takes it); a shifted range's own
 * port is tried first
 */
static int slice_random_picks(void)
{
	struct nat_want fully = { .pick = NAT_PICK_RANDOM },
			hash = { .pick = NAT_PICK_HASH },
			shift = { .lo = 2000, .hi = 2999, .pref = 2506 };
	uint32_t ext = htonl(EXT), runs = 0, quarters[4] = { 0 }, m, m2;
	uint16_t got, prev = 0, h1;
	enum nat_fail why;
	struct nat a;
	int rc = 0;

	if (nat_init(&a, 70000, 11) || nat_set_worker(&a, 1, 2))
		return report_failf("nat_init");
	for (uint32_t i = 0; i < 400 && !rc; i++) {
		uint16_t want = (uint16_t)(30002 + 4 * i);	/* worker 1's */

		m = nat_map_get(&a, IPPROTO_UDP_, htonl(IP4(10, 2, 0, 1)),
				htons(want), ext, &fully, &why);
		got = m == NAT_NONE ? 0 : ntohs(a.m[m].ext_port);
		if (m == NAT_NONE || SLICE(got, 2) != 1 || got == want ||
		    got < 1024)
			rc = report_failf("random-fully: %u for %u", got, want);
		runs += got == prev + 1 || got == prev + 3;
		quarters[(got - 1024) / 16128]++;
		prev = got;
		m2 = nat_map_get(&a, IPPROTO_UDP_, htonl(IP4(10, 2, 0, 1)),
				 htons(want), ext, &fully, &why);
		if (!rc && m2 != m)
			rc = report_failf("random-fully: a second mapping for %u",
					  want);
	}
	for (int q = 0; q < 4 && !rc; q++)
		if (quarters[q] < 50)
			rc = report_failf("random-fully: quarter %d has %u of 400",
					  q, quarters[q]);
	if (!rc && runs > 20)
		rc = report_failf("random-fully: %u ports follow the last", runs);
	/* --random: the same endpoint's port again once its mapping is gone */
	m = nat_map_get(&a, IPPROTO_TCP_, htonl(IP4(10, 2, 0, 2)), htons(40002),
			ext, &hash, &why);
	h1 = m == NAT_NONE ? 0 : ntohs(a.m[m].ext_port);
	if (!rc && (m == NAT_NONE || h1 == 40002 || SLICE(h1, 2) != 1))
		rc = report_failf("random: %u", h1);
	if (!rc) {
		nat_map_put(&a, m);
		m = nat_map_get(&a, IPPROTO_TCP_, htonl(IP4(10, 2, 0, 2)),
				htons(40002), ext, &hash, &why);
		if (m == NAT_NONE || ntohs(a.m[m].ext_port) != h1)
			rc = report_failf("random: %u then another", h1);
	}
	/* a shifted range: its port first (2506, worker 1's), then onward */
	for (int i = 0; i < 2 && !rc; i++) {
		m = nat_map_get(&a, IPPROTO_TCP_, htonl(IP4(10, 2, 0, 3 + i)),
				htons(7), ext, &shift, &why);
		got = m == NAT_NONE ? 0 : ntohs(a.m[m].ext_port);
		if (got != (i ? 2507 : 2506))
			rc = report_failf("shifted: mapping %d took %u", i, got);
	}
	nat_fini(&a);
	return rc;
}

/* The exhaustion of a full default range is seen by its slice's count */
static int slice_exhaustion(void)
{
	struct nat a;
	struct nat_want any = { 0 };
	enum nat_fail why = NAT_OK;
	uint32_t made = 0;
	int rc = 0;

	if (nat_init(&a, 70000, 3) || nat_set_worker(&a, 2, 4) ||
	    nat_set_ports(&a, 1024, 65535))
		return report_failf("nat_init");
	for (uint32_t i = 0; i < 20000; i++) {
		uint32_t m = nat_map_get(&a, IPPROTO_UDP_, htonl(IP4(10, 1, i >> 8, i & 255)),
					 htons(5555), htonl(EXT), &any, &why);

		if (m == NAT_NONE)
			break;
		if (SLICE(ntohs(a.m[m].ext_port), 4) != 2)
			rc = report_failf("port %u outside slice 2 of 4",
					  ntohs(a.m[m].ext_port));
		made++;
	}
	if (!rc && (made != 64512 / 4 || why != NAT_FAIL_PORTS))
		rc = report_failf("%u mappings (want %u), then %d", made,
				  64512 / 4, why);
	nat_fini(&a);
	return rc;
}

/*
 * slice_gaps_named: --to-ports 5000 gives worker 1 of 2 no port (5000's
 * pair is worker 0's), 5004-5007 gives each two; masq_engine_slice_gaps()
 * names the first rule on worker 1 alone, and nothing with one worker
 */
static int slice_gaps_named(void)
{
	static const char *const rules[] = {
		"iptables -t nat -I POSTROUTING -p udp --dport 9100 -j MASQUERADE --to-ports 5000",
		"iptables -t nat -I POSTROUTING -p udp --dport 9101 -j MASQUERADE --to-ports 5004-5007",
		NULL,
	};
	struct masq_text t[2] = { { 0 }, { 0 } };
	struct world w;
	int n[2], rc = 0;

	if (world_up(&w, 2, rules))
		return -1;
	for (int k = 0; k < 2; k++)
		n[k] = masq_engine_slice_gaps(w.e[k], &t[k]);
	if (n[0] != 0 || n[1] != 1 || !t[1].s ||
	    !strstr(t[1].s, "nat POSTROUTING rule 2: ports 5000-5000: none "
			    "for worker 1 "))
		rc = report_failf("worker 0: %d ranges, worker 1: %d ('%s')",
				  n[0], n[1], t[1].s ? t[1].s : "");
	masq_text_free(&t[0]);
	masq_text_free(&t[1]);
	world_down(&w);
	if (!rc && (world_up(&w, 1, rules) ||
		    masq_engine_slice_gaps(w.e[0], &t[0]) != 0))
		rc = report_failf("one worker: a range named");
	masq_text_free(&t[0]);
	world_down(&w);
	return rc;
}

/*
 * rule_counters_vector: the rule counters read as one vector, written
 * back changed, show in iptables-save -c at the rule's place; a vector
 * of another length is refused; masq_ctl_reads_rules() takes listings,
 * dumps and -Z, not changes
 */
static int rule_counters_vector(void)
{
	static const char *const rules[] = {
		"iptables -I FORWARD -p udp --dport 9000", NULL,
	};
	static char *save[] = { "iptables-save", "-c", "-t", "filter", NULL };
	static char *list[] = { "iptables", "-L", "FORWARD", "-v", "-n", NULL };
	static char *zero[] = { "iptables", "-Z", NULL };
	static char *add[] = { "iptables", "-A", "FORWARD", "-j", "ACCEPT", NULL };
	struct masq_text t = { 0 };
	uint64_t *v = NULL;
	struct world w;
	size_t n, i;
	int rc = 0;

	if (world_up(&w, 1, rules))
		return -1;
	n = masq_engine_rule_counters(w.e[0], NULL, 0);
	v = calloc(n + 1, sizeof(*v));
	if (!v || masq_engine_rule_counters(w.e[0], v, n) != n)
		rc = report_failf("%zu counters, not read", n);
	for (i = 0; !rc && i < n; i += 2)
		v[i] = 7000 + i, v[i + 1] = 9000 + i;
	if (!rc && (masq_engine_rule_counters_set(w.e[0], v, n) ||
		    masq_engine_rule_counters_set(w.e[0], v, n + 1) != -EINVAL))
		rc = report_failf("set: not taken, or a longer vector taken");
	if (!rc)
		masq_engine_ctl(w.e[0], 4, save, &t);
	if (!rc && (!t.s || !strstr(t.s, "] -A FORWARD -p udp -m udp --dport 9000") ||
		    strstr(t.s, "[0:0] -A FORWARD -p udp")))
		rc = report_failf("iptables-save -c: '%s'", t.s ? t.s : "");
	if (!rc && (!masq_ctl_reads_rules(4, save) ||
		    !masq_ctl_reads_rules(5, list) ||
		    !masq_ctl_reads_rules(2, zero) ||
		    masq_ctl_reads_rules(5, add)))
		rc = report_failf("masq_ctl_reads_rules: a listing refused or "
				  "a change taken");
	masq_text_free(&t);
	free(v);
	world_down(&w);
	return rc;
}

/* ---- the hand-off ring ---------------------------------------------------- */

#define FAKE(i) ((struct masq_buf *)(uintptr_t)(0x1000 + (i)))

static int ring_basics(void)
{
	struct masq_handoff *h = masq_handoff_create(5);
	struct masq_buf *in[16], *out[16];
	int rc = 0;

	if (!h)
		return report_failf("masq_handoff_create");
	for (uint32_t i = 0; i < 16; i++)
		in[i] = FAKE(i);
	if (masq_handoff_size(h) != 8)
		rc = report_failf("size %u, want 8", masq_handoff_size(h));
	if (!rc && masq_handoff_pop(h, out, 4) != 0)
		rc = report_failf("empty ring gave frames");
	if (!rc && !masq_handoff_empty(h))
		rc = report_failf("a new ring is not empty");
	if (!rc && (masq_handoff_push(h, in, 6) != 6 ||
		    masq_handoff_push(h, in + 6, 4) != 2 ||
		    masq_handoff_drops(h) != 2))
		rc = report_failf("full ring: took more than 8 or did not count");
	if (!rc && masq_handoff_empty(h))
		rc = report_failf("a ring holding 8 frames says it is empty");
	if (!rc && (masq_handoff_pop(h, out, 3) != 3 || out[0] != in[0] ||
		    out[2] != in[2]))
		rc = report_failf("order");
	/* across the wrap */
	if (!rc && masq_handoff_push(h, in + 8, 3) != 3)
		rc = report_failf("room after a pop");
	if (!rc && masq_handoff_pop(h, out, 16) != 8)
		rc = report_failf("pop after the wrap");
	if (!rc && !masq_handoff_empty(h))
		rc = report_failf("a ring emptied by pop is not empty");
	for (uint32_t i = 0; i < 8 && !rc; i++) {
		struct masq_buf *want = i < 5 ? in[3 + i] : in[8 + i - 5];

		if (out[i] != want)
			rc = report_failf("order across the wrap at %u", i);
	}
	masq_handoff_destroy(h);
	if (!rc && masq_handoff_create((1u << 20) + 1))
		rc = report_failf("a ring above 2^20 made");
	return rc;
}

#define RING_FRAMES	2000000u

static void *ring_producer(void *arg)
{
	struct masq_handoff *h = arg;
	struct masq_buf *burst[32];
	uint32_t next = 0;

	while (next < RING_FRAMES) {
		uint32_t n = RING_FRAMES - next < 32 ? RING_FRAMES - next : 32, k;

		for (uint32_t i = 0; i < n; i++)
			burst[i] = FAKE(next + i);
		k = masq_handoff_push(h, burst, n);
		next += k;		/* what did not fit is sent again */
	}
	return NULL;
}

/* Two threads: every frame arrives once, in order */
static int ring_two_threads(void)
{
	struct masq_handoff *h = masq_handoff_create(256);
	struct masq_buf *out[64];
	pthread_t th;
	uint32_t want = 0;
	int rc = 0;

	if (!h || pthread_create(&th, NULL, ring_producer, h))
		return report_failf("setup");
	while (want < RING_FRAMES) {
		uint32_t n = masq_handoff_pop(h, out, 64);

		for (uint32_t i = 0; i < n && !rc; i++)
			if (out[i] != FAKE(want + i))
				rc = report_failf("frame %u arrived as %p", want + i,
						  (void *)out[i]);
		want += n;
		if (rc)
			break;
	}
	pthread_join(th, NULL);
	masq_handoff_destroy(h);
	return rc;
}

/* ---- fragments: the datagram reaches its owner after reassembly -------- */

#define FR_PAYLOAD	2400	/* two fragments of 1480 and 928 bytes */

/* @s with FR_PAYLOAD bytes and IP id @id, built in @big, into @whole */
static int fr_whole(struct masq_buf *big, struct frame_spec *s, uint16_t id,
		    int iface, uint8_t *whole, uint32_t *len)
{
	s->payload_len = FR_PAYLOAD;
	s->ip_id = id;
	if (world_build(s, iface, big))
		return report_failf("cannot build a %u-byte datagram", FR_PAYLOAD);
	*len = big->len;
	memcpy(whole, big->data, *len);
	return 0;
}

/*
 * The fragment at @off (at most 1,480 bytes) of @whole, an IP datagram
 * of @pl bytes after its header, in on @iface. Return: world_input()'s
 */
static int fr_piece(struct world *w, const uint8_t *whole, uint32_t len,
		    uint32_t off, uint32_t pl, int iface)
{
	uint8_t piece[FRAME_MAX];
	struct masq_buf *b = masq_pool_get(w->pool);
	int fl;

	if (!b)
		return report_failf("pool empty");
	memcpy(piece, whole, len);
	fl = frame_fragment(piece, len, off, pl - off < 1480 ? pl - off : 1480);
	if (fl < 0) {
		masq_pool_put(w->pool, b);
		return report_failf("cannot cut a fragment at %u", off);
	}
	memcpy(b->data, piece, (size_t)fl);
	b->len = (uint32_t)fl;
	b->iface = (uint32_t)iface;
	return world_input(w, b);
}

/*
 * The remote's reply @id to inside host @h's UDP flow (external port
 * @ext), 2,400 bytes in two fragments, each put into the worker steering
 * names (hash(src, dst, id)); @big builds the whole frame. Return: 0
 * when the datagram reached the inside host whole (the fragments out to
 * lan0 hold 2,408 bytes of UDP), -1
 */
static int fr_reply(struct world *w, struct masq_buf *big, uint32_t h,
		    uint16_t ext, uint16_t id, uint32_t *spread)
{
	uint32_t in = IP4(192, 168, 0, h), rem = IP4(198, 51, 100, 1 + h % 5);
	uint8_t whole[FRAME_MAX];
	struct frame_spec s;
	uint32_t len = 0, got = 0;	/* datagrams out whole to the host */
	int wan = masq_engine_iface_find(w->e[0], "wan0");

	frame_spec_udp(&s, rem, 53, EXT, ext);
	if (fr_whole(big, &s, id, wan, whole, &len))
		return -1;
	for (uint32_t off = 0; off < FR_PAYLOAD + 8; off += 1480) {
		if (fr_piece(w, whole, len, off, FR_PAYLOAD + 8, wan) < 0)
			return -1;
		spread[w->worker]++;
		if (w->nout == 2 && w->v.daddr == in && w->v.has_l4 &&
		    w->v.udp_len == FR_PAYLOAD + 8 &&
		    w->v.dport == 30000 + h * 7)
			got++;	/* its first fragment: whole, to the host */
	}
	if (got != 1)
		return report_failf("n=%u reply id %u to host %u: did not "
				    "reach it whole", w->n, id, h);
	return 0;
}

/* A TCP segment of FR_PAYLOAD bytes from inside, of no connection, in
 * two fragments; Return: frames out, or -1 */
static int fr_stray_tcp(struct world *w, struct masq_buf *big, uint16_t sport,
			uint16_t id)
{
	int lan = masq_engine_iface_find(w->e[0], "lan0"), out = 0, got;
	uint8_t whole[FRAME_MAX];
	struct frame_spec s;
	uint32_t len = 0;

	frame_spec_tcp(&s, IP4(192, 168, 0, 40), sport, IP4(198, 51, 100, 1),
		       80, FRAME_TCP_ACK);
	if (fr_whole(big, &s, id, lan, whole, &len))
		return -1;
	for (uint32_t off = 0; off < FR_PAYLOAD + 20; off += 1480) {
		got = fr_piece(w, whole, len, off, FR_PAYLOAD + 20, lan);
		if (got < 0)
			return -1;
		out += got;
	}
	return out;
}

/*
 * A fragmented TCP segment from inside of no connection, with a TCP
 * helper on (the walk is live): reassembled on its owner and dropped
 * there, not walked (frag.c's delivery buffer must not leave its
 * engine); fragmented datagrams reassemble as before afterwards
 */
static int frag_stray_not_walked(uint32_t n)
{
	static const char *const irc_on[] = { "helper irc on", NULL };
	struct masq_pool *bigpool = masq_pool_create(1, 8192);
	struct masq_buf *big = bigpool ? masq_pool_get(bigpool) : NULL;
	uint32_t spread[WMAX] = { 0 };
	struct world w;
	int rc = big && !world_up(&w, n, irc_on) ? 0 : -1;

	for (uint16_t i = 0; i < 8 && !rc; i++) {
		int out = fr_stray_tcp(&w, big, (uint16_t)(44000 + 2 * i),
				       (uint16_t)(700 + i));

		if (out)
			rc = out < 0 ? -1 : report_failf("n=%u stray segment "
					"%u: %d frames out", n, i, out);
	}
	for (uint32_t h = 4; h < 8 && !rc; h++) {
		struct frame_spec s;
		uint16_t ext;

		frame_spec_udp(&s, IP4(192, 168, 0, h), (uint16_t)(30000 + h * 7),
			       IP4(198, 51, 100, 1 + h % 5), 53);
		rc = world_send(&w, &s, "lan0") < 0 ? -1 : 0;
		ext = w.v.sport;
		for (uint16_t id = 1; id <= 2 && !rc; id++)
			rc = fr_reply(&w, big, h, ext, (uint16_t)(h * 16 + id),
				      spread);
	}
	if (big)
		masq_pool_put(bigpool, big);
	masq_pool_destroy(bigpool);
	world_down(&w);
	return rc;
}

/*
 * Masqueraded UDP flows of 16 hosts; each gets 4 fragmented replies:
 * all reach the inside host whole, though their fragments were steered
 * to both workers (the datagram handed to its owner after reassembly)
 */
static int frag_reaches_owner(uint32_t n)
{
	struct masq_pool *bigpool = masq_pool_create(1, 8192);
	struct masq_buf *big = bigpool ? masq_pool_get(bigpool) : NULL;
	uint32_t spread[WMAX] = { 0 };
	struct world w;
	int rc = big && !world_up(&w, n, NULL) ? 0 : -1;

	for (uint32_t h = 4; h < 20 && !rc; h++) {
		uint32_t in = IP4(192, 168, 0, h), rem = IP4(198, 51, 100, 1 + h % 5);
		struct frame_spec s;
		uint16_t ext;

		frame_spec_udp(&s, in, (uint16_t)(30000 + h * 7), rem, 53);

		rc = world_send(&w, &s, "lan0") < 0 ||
		     expect_out(&w, "first packet", EXT, rem) ? -1 : 0;
		ext = w.v.sport;
		for (uint16_t id = 1; id <= 4 && !rc; id++)
			rc = fr_reply(&w, big, h, ext, (uint16_t)(h * 16 + id),
				      spread);
	}
	for (uint32_t k = 0; k < n && !rc; k++)
		if (!spread[k])
			rc = report_failf("n=%u: no fragment steered to worker %u",
					  n, k);
	if (!rc && n > 1 && !w.handed)
		rc = report_failf("n=%u: no datagram handed on", n);
	if (big)
		masq_pool_put(bigpool, big);
	masq_pool_destroy(bigpool);
	world_down(&w);
	return rc;
}

/* ---- a restart across worker counts (snapshot.c, snaprestore.c) -------- */

#define RS_FIRST	4	/* inside hosts 192.168.0.4 .. */
#define RS_LAST		36
#define RS_PROTOS	3

/* One connection's packet from inside (@out) or from the remote (!@out) */
static int rs_packet(struct world *w, uint32_t h, uint8_t proto, bool out,
		     uint8_t flags, uint16_t ext)
{
	uint32_t in = IP4(192, 168, 0, h), rem = IP4(198, 51, 100, 1 + h % 5);
	uint16_t iport = (uint16_t)(30000 + h * 7);
	struct frame_spec s;

	if (proto == FRAME_PROTO_TCP && out)
		frame_spec_tcp(&s, in, iport, rem, 80, flags);
	else if (proto == FRAME_PROTO_TCP)
		frame_spec_tcp(&s, rem, 80, EXT, ext, flags);
	else if (proto == FRAME_PROTO_UDP)
		frame_spec_udp(&s, out ? in : rem, out ? iport : 53,
			       out ? rem : EXT, out ? 53 : ext);
	else
		frame_spec_icmp_echo(&s, out ? in : rem, out ? rem : EXT, out,
				     out ? iport : ext, 1);
	if (proto == FRAME_PROTO_TCP) {	/* inside from 1000, remote 5000 */
		s.seq = out ? (flags & 0x02 ? 1000 : 1001) :
			      (flags & 0x02 ? 5000 : 5001);
		s.ack = out ? (flags & 0x02 ? 0 : 5001) : 1001;
	}
	if (proto == FRAME_PROTO_TCP && !(flags & 0x02))
		s.payload_len = 0;
	if (world_send(w, &s, out ? "lan0" : "wan0") < 0)
		return -1;
	return out ? expect_out(w, "out", EXT, rem) : expect_out(w, "in", rem, in);
}

/* The external port (ICMP id) of what went out last */
static uint16_t rs_ext(const struct world *w, uint8_t proto)
{
	return proto == FRAME_PROTO_ICMP ? w->v.icmp_id : w->v.sport;
}

/* Open every connection on @w (TCP established); their ports in @ext */
static int rs_open(struct world *w, const uint8_t *protos, uint16_t *ext)
{
	for (uint32_t h = RS_FIRST; h <= RS_LAST; h++)
		for (unsigned p = 0; p < RS_PROTOS; p++) {
			uint16_t *x = &ext[(h - RS_FIRST) * RS_PROTOS + p];

			if (rs_packet(w, h, protos[p], true, 0x02, 0))
				return -1;
			*x = rs_ext(w, protos[p]);
			if (rs_packet(w, h, protos[p], false, 0x12, *x) ||
			    (protos[p] == FRAME_PROTO_TCP &&
			     rs_packet(w, h, protos[p], true, 0x10, 0)))
				return -1;
		}
	return 0;
}

/* Every engine of @to loads the snapshot of @from's; counts checked */
static int rs_load(struct world *from, struct world *to, uint32_t conns)
{
	const struct masq_engine *e[WMAX] = { 0 };
	struct masq_text t = { 0 };
	struct masq_snap_info in = { .now_ns = from->now }, sum = { 0 };
	int rc;

	snprintf(in.boot_id, sizeof(in.boot_id), "boot-1");
	snprintf(in.version, sizeof(in.version), "1.0");
	for (uint32_t k = 0; k < from->n; k++)
		e[k] = from->e[k];
	rc = masq_engines_snapshot(e, from->n, &in, &t);
	to->now = from->now + NS;
	for (uint32_t k = 0; k < to->n && !rc; k++) {
		struct masq_snap_info one = in;

		one.now_ns = to->now;
		rc = masq_engine_restore_worker(to->e[k], t.s, t.len, &one,
						to->st);
		sum.conns += one.conns;
		sum.skipped += one.skipped;
	}
	masq_text_free(&t);
	if (rc)
		return report_failf("n=%u to %u: snapshot or load: %d", from->n,
				    to->n, rc);
	if (sum.conns != conns || sum.skipped)
		return report_failf("n=%u to %u: %u connections restored, %u "
				    "skipped; want %u, 0", from->n, to->n,
				    sum.conns, sum.skipped, conns);
	return 0;
}

/*
 * n = @from workers carry TCP (established), UDP and ICMP echo flows of
 * 33 hosts; a restart with @to workers loads them: each flow's next
 * packet leaves with the external port it had (no new mapping) and the
 * remote's answer to that port reaches the inside host -- through the
 * worker steering gives it, so each connection landed on its owner.
 */
static int restart_across(uint32_t from, uint32_t to)
{
	static const uint8_t protos[RS_PROTOS] = {
		FRAME_PROTO_TCP, FRAME_PROTO_UDP, FRAME_PROTO_ICMP };
	uint16_t ext[(RS_LAST - RS_FIRST + 1) * RS_PROTOS];
	struct world a, b;
	int rc = world_up(&a, from, NULL) || world_up(&b, to, NULL) ? -1 : 0;

	if (!rc)
		rc = rs_open(&a, protos, ext);
	if (!rc)
		rc = rs_load(&a, &b, (uint32_t)(sizeof(ext) / sizeof(ext[0])));
	for (uint32_t h = RS_FIRST; h <= RS_LAST && !rc; h++)
		for (unsigned p = 0; p < RS_PROTOS && !rc; p++) {
			uint16_t x = ext[(h - RS_FIRST) * RS_PROTOS + p];

			rc = rs_packet(&b, h, protos[p], true, 0x10, 0);
			if (!rc && rs_ext(&b, protos[p]) != x)
				rc = report_failf("n=%u to %u: host %u proto %u "
						  "left from port %u, had %u",
						  from, to, h, protos[p],
						  rs_ext(&b, protos[p]), x);
			if (!rc)
				rc = rs_packet(&b, h, protos[p], false, 0x10, x);
		}
	world_down(&a);
	world_down(&b);
	return rc;
}

/* The forwards of dnat_restart_across(): DNAT rules in a user chain,
 * which the steering picture does not hold (steer.c) */
static const char *const dr_rules[] = {
	"iptables -t nat -N fwds",
	"iptables -t nat -A PREROUTING -i wan0 -j fwds",
	"iptables -t nat -A fwds -p tcp --dport 8081 -j DNAT --to-destination 192.168.0.2:80",
	"iptables -t nat -A fwds -p tcp --dport 8082 -j DNAT --to-destination 192.168.0.3:80",
	NULL };

/* Remote @i's segment to its forwarded port (@syn: its SYN; else an ACK) */
static int dr_from_remote(struct world *w, uint32_t i, bool syn)
{
	uint32_t rem = IP4(198, 51, 100, 10 + i), srv = IP4(192, 168, 0, 2 + i % 2);
	struct frame_spec s;

	frame_spec_tcp(&s, rem, (uint16_t)(40000 + i), EXT,
		       (uint16_t)(8081 + i % 2), syn ? FRAME_TCP_SYN : FRAME_TCP_ACK);
	s.seq = syn ? 5000 : 5001;
	s.ack = syn ? 0 : 1001;
	s.payload_len = 0;
	if (world_send(w, &s, "wan0") < 0)
		return -1;
	return expect_out(w, syn ? "forwarded SYN" : "forwarded ACK", rem, srv);
}

/*
 * n = @from workers forward 40 TCP connections from outside by DNAT
 * rules steering does not see (the client's segments go by slice(the
 * forwarded port), the server's by their own rule, walked when apart);
 * a restart with @to workers loads them: each remote's next segment
 * reaches its server, so each connection landed on the worker its
 * client's segments are steered to (on its reply's, as before, those
 * of the remotes whose reply names another worker were dropped).
 */
static int dnat_restart_across(uint32_t from, uint32_t to)
{
	struct frame_spec s;
	struct world a, b;
	int rc = world_up(&a, from, dr_rules) || world_up(&b, to, dr_rules) ?
		 -1 : 0;

	for (uint32_t i = 0; i < 40 && !rc; i++) {
		uint32_t rem = IP4(198, 51, 100, 10 + i);

		rc = dr_from_remote(&a, i, true);
		frame_spec_tcp(&s, IP4(192, 168, 0, 2 + i % 2), 80, rem,
			       (uint16_t)(40000 + i), FRAME_TCP_SYN | FRAME_TCP_ACK);
		s.seq = 1000;
		s.ack = 5001;
		s.payload_len = 0;
		if (!rc && (world_send(&a, &s, "lan0") < 0 ||
			    expect_out(&a, "server's SYN+ACK", EXT, rem)))
			rc = -1;
		if (!rc)
			rc = dr_from_remote(&a, i, false);
	}
	if (!rc)
		rc = rs_load(&a, &b, 40);
	for (uint32_t i = 0; i < 40 && !rc; i++)
		if (dr_from_remote(&b, i, false))
			rc = report_failf("n=%u to %u: remote %u's segment lost "
					  "after the restart", from, to, i);
	world_down(&a);
	world_down(&b);
	return rc;
}

/*
 * `set conntrack-max N` and `show settings` with n workers: N is the
 * router's (each engine of 4096 entries takes N / n), and every engine
 * says the sum, so a file masqctl save wrote means the same to masqd
 * with any --workers; more than the n tables hold is refused.
 */
static int conntrack_max_whole(uint32_t n)
{
	char line[64], want[64];
	struct world w;
	int rc = world_up(&w, n, NULL) ? -1 : 0;

	if (!rc)
		rc = world_ctl(&w, "set conntrack-max 2000");
	for (uint32_t k = 0; k < n && !rc; k++) {
		struct masq_text t = { 0 };

		ctlline_run(w.e[k], "show settings", &t);
		snprintf(want, sizeof(want), "conntrack-size %u\n", 4096 * n);
		if (!t.s || !strstr(t.s, "conntrack-max 2000\n") ||
		    !strstr(t.s, want))
			rc = report_failf("n=%u worker %u: show settings says "
					  "%s", n, k, t.s ? t.s : "nothing");
		masq_text_free(&t);
	}
	snprintf(line, sizeof(line), "set conntrack-max %u", 4096 * n + n);
	if (!rc && ctlline_run(w.e[0], line, NULL) == 0)
		rc = report_failf("n=%u: '%s' taken over %u entries", n, line,
				  4096 * n);
	snprintf(line, sizeof(line), "set conntrack-max %u", 4096 * n);
	if (!rc && ctlline_run(w.e[0], line, NULL))
		rc = report_failf("n=%u: '%s' refused", n, line);
	world_down(&w);
	return rc;
}

int main(void)
{
	static const uint32_t ns[] = { 1, 2, 4 };
	char name[64];

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (unsigned i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "flows_reach_owner_n%u", ns[i]);
		report_case("workers", name, flows_reach_owner(ns[i]));
		snprintf(name, sizeof(name), "forward_both_ways_n%u", ns[i]);
		report_case("workers", name, forward_both_ways(ns[i],
			"ipmasqadm portfw -a -P tcp -L 203.0.113.1 %u -R 192.168.0.%u 80"));
		snprintf(name, sizeof(name), "dnat_both_ways_n%u", ns[i]);
		report_case("workers", name, forward_both_ways(ns[i],
			"iptables -t nat -A PREROUTING -i wan0 -p tcp --dport %u "
			"-j DNAT --to-destination 192.168.0.%u:80"));
		snprintf(name, sizeof(name), "hairpin_both_ways_n%u", ns[i]);
		report_case("workers", name, hairpin_both_ways(ns[i]));
		snprintf(name, sizeof(name), "ftp_data_reaches_owner_n%u", ns[i]);
		report_case("workers", name, ftp_data_reaches_owner(ns[i], 21));
		snprintf(name, sizeof(name), "ftp_2121_data_reaches_owner_n%u",
			 ns[i]);
		report_case("workers", name, ftp_data_reaches_owner(ns[i], 2121));
		snprintf(name, sizeof(name), "ftp_ct_helper_reaches_owner_n%u",
			 ns[i]);
		report_case("workers", name,
			    ftp_ct_helper_data_reaches_owner(ns[i]));
		snprintf(name, sizeof(name), "dcc_reaches_client_n%u", ns[i]);
		report_case("workers", name, dcc_reaches_client(ns[i]));
		snprintf(name, sizeof(name), "arp_every_worker_n%u", ns[i]);
		report_case("workers", name, arp_every_worker(ns[i]));
		snprintf(name, sizeof(name), "steer_pairs_n%u", ns[i]);
		report_case("workers", name, steer_pairs(ns[i]));
		snprintf(name, sizeof(name), "conntrack_max_whole_n%u", ns[i]);
		report_case("workers", name, conntrack_max_whole(ns[i]));
	}
	report_case("workers", "frag_reaches_owner_n1", frag_reaches_owner(1));
	report_case("workers", "frag_reaches_owner_n2", frag_reaches_owner(2));
	report_case("workers", "frag_reaches_owner_n4", frag_reaches_owner(4));
	report_case("workers", "frag_stray_not_walked_n2", frag_stray_not_walked(2));
	report_case("workers", "frag_stray_not_walked_n4", frag_stray_not_walked(4));
	report_case("workers", "restart_n2_to_n2", restart_across(2, 2));
	report_case("workers", "restart_n2_to_n1", restart_across(2, 1));
	report_case("workers", "restart_n1_to_n2", restart_across(1, 2));
	report_case("workers", "restart_n4_to_n2", restart_across(4, 2));
	report_case("workers", "dnat_restart_n2_to_n2", dnat_restart_across(2, 2));
	report_case("workers", "dnat_restart_n1_to_n2", dnat_restart_across(1, 2));
	report_case("workers", "dnat_restart_n2_to_n4", dnat_restart_across(2, 4));
	report_case("workers", "steer_edges", steer_edges());
	report_case("workers", "slice_allocator", slice_allocator());
	report_case("workers", "slice_exhaustion", slice_exhaustion());
	report_case("workers", "slice_random_picks", slice_random_picks());
	report_case("workers", "slice_gaps_named", slice_gaps_named());
	report_case("workers", "rule_counters_vector", rule_counters_vector());
	report_case("workers", "ring_basics", ring_basics());
	report_case("workers", "ring_two_threads", ring_two_threads());
	return 0;
}
