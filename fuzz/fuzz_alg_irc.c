// SPDX-License-Identifier: MIT
/*
 * fuzz_alg_irc.c - arbitrary IRC traffic through the IRC DCC helper
 *
 * The fuzzer plays both ends of one IRC connection through the engine
 * (tests/lib/fuzzeng.c's, with `helper irc on`): a client at
 * 192.168.0.2:45000 behind the router, a server at 198.51.100.10:6667.
 * Each end sends its segments in order, at the sequence number it is at
 * and acknowledging what it was given, so every segment reaches the
 * helper at a message's start (alg.c). An input is a mode byte, then
 * records of a 3-byte header and payload:
 *
 *	mode	bits 0-5: fuzzeng.h's mode (filtering, mapping, pick-up,
 *		small limits, no rules); bit 6: the port range narrowed to
 *		the one port 61000 once connected, so an offer's mapped port
 *		is known (a seed's RESUME can name it) and differs from the
 *		client's, and rewrites change lengths; bit 7: the helper off
 *	0	bits 0-1: 0 the client sends the payload, 1 the server does,
 *		2 the client sends its last segment again, 3 a SYN from
 *		198.51.100.11 to the router's port in the payload's first two
 *		bytes (an offer's expected connection, or none);
 *		bit 2: 31 s pass first (expectations lapse); bit 3: a new
 *		segment acknowledges only up to the start of the other end's
 *		last one (when it has not acknowledged more)
 *	1-2	payload length (cut to 1,400 and to what is left)
 *
 * Checks, beyond fuzzeng_check()'s (buffers, interfaces, IP checksums):
 *	- every frame of the IRC connection leaves with a valid TCP checksum;
 *	- each end's segments leave contiguous on the wire (each at the end
 *	  of the one before, as the other end counts), and its
 *	  acknowledgement of all it was given (or of all before the other
 *	  end's last segment) arrives as the other end's own number: the
 *	  sequence adjustment agrees with the rewrites, however many, both
 *	  ways;
 *	- a segment without "DCC" in it (any case), and every segment when
 *	  the helper is off, leaves byte for byte as it came;
 *	- the client's last segment sent again leaves at the same place and,
 *	  when no time or SYN passed since, with the same bytes;
 *	- a connection from outside reaches only the client, at a port of
 *	  1024 or above (never another host, never a low port).
 * The stream checks stop once a segment of the connection is dropped
 * (a window or table limit the input found): the ends are then out of
 * step in a way a real one would repair by resending.
 *
 * MASQ_FUZZ_WRITE_SEEDS=DIR writes a few valid inputs into DIR and exits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/lib/ctlline.h"
#include "../tests/lib/frame.h"
#include "../tests/lib/fuzzeng.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define CLIENT		IP4(192, 168, 0, 2)
#define SERVER		IP4(198, 51, 100, 10)
#define STRANGER	IP4(198, 51, 100, 11)
#define CPORT		45000
#define IRC_PORT	6667
#define POOL_COUNT	256
#define BUF_SIZE	4096
#define HDR		3
#define MAX_SEG		1400
#define OUT_MAX		(MAX_SEG + 64)
#define LAPSE_STEP	31

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static const uint8_t lan_mac[6] = { 2, 0, 0, 0, 1, 1 };
static const uint8_t wan_mac[6] = { 2, 0, 0, 0, 2, 1 };

/**
 * struct end - one end of the IRC connection, as the fuzzer plays it
 * @seq:	its next sequence number (its own numbering)
 * @got:	what it was given so far: its acknowledgement
 * @acked:	what it acknowledged last
 * @wire:	where its next segment must leave (the other end's numbering)
 * @last:	its last segment as it sent it, @last_len bytes at @last_seq
 * @out:	... and as it left, @out_len bytes at @out_seq (@went)
 */
struct end {
	uint32_t seq, got, acked, wire;
	uint8_t last[MAX_SEG];
	uint16_t last_len;
	uint32_t last_seq;
	uint8_t out[OUT_MAX];
	uint32_t out_len, out_seq;
	bool went;
};

struct irc {
	struct masq_engine *e;
	struct masq_txq tx;
	struct masq_buf *txv[64];
	uint64_t now;
	uint16_t mport;		/* the client's mapping */
	uint16_t stranger_port;
	bool helper;		/* on */
	bool sure;		/* no segment dropped: the stream checks hold */
	bool still;		/* no time, no SYN since the client's last */
	struct end c, s;
};

static struct irc st;
static struct frame_spec fs;

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_alg_irc: %s\n", what);
	abort();
}

/* "DCC" in any case within @d? */
static bool has_dcc(const uint8_t *d, uint32_t n)
{
	for (uint32_t i = 0; i + 3 <= n; i++)
		if ((d[i] | 0x20) == 'd' && (d[i + 1] | 0x20) == 'c' &&
		    (d[i + 2] | 0x20) == 'c')
			return true;
	return false;
}

/* Hand in the frame in fs on @ifidx (0 lan0, 1 wan0) */
static void input(int ifidx)
{
	struct masq_buf *b = masq_pool_get(fuzzeng_pool(POOL_COUNT, BUF_SIZE));

	if (!b)
		fail("pool empty");
	memcpy(fs.eth_dst, ifidx ? wan_mac : lan_mac, 6);
	if (frame_build(&fs, b) < 0)
		fail("frame does not build");
	b->iface = (uint32_t)ifidx;
	masq_engine_input(st.e, &b, 1, st.now, &st.tx);
}

/* Every frame out to the LAN goes to the client, at a port >= 1024 */
static void check_lan(const struct frame_view *v, uint32_t iface)
{
	if (iface != 0 || !v->has_ip || v->proto != FRAME_PROTO_TCP)
		return;
	if (v->daddr != CLIENT || (v->has_l4 && v->dport < 1024))
		fail("a connection from outside reached another host or a low port");
}

/*
 * The frames out: each checked; the first one of the IRC connection
 * going way @to_lan decoded into @seg (its payload copied). Then the
 * frames go back to the pool. Return: whether there was one
 */
static bool collect(bool to_lan, struct frame_view *seg, uint8_t *payload)
{
	bool found = false;

	for (uint32_t i = 0; i < st.tx.n; i++) {
		struct masq_buf *b = st.tx.bufs[i];
		struct frame_view v = { .inner = NULL };
		bool mine;

		if (!frame_decode(b->data, b->len, &b->meta, &v) || !v.has_l4)
			continue;
		check_lan(&v, b->iface);
		mine = v.proto == FRAME_PROTO_TCP &&
		       (to_lan ? v.sport == IRC_PORT && v.dport == CPORT &&
				 v.daddr == CLIENT
			       : v.dport == IRC_PORT && v.daddr == SERVER &&
				 v.sport == st.mport);
		if (!mine)
			continue;
		if (v.l4_csum != FRAME_CSUM_OK && v.l4_csum != FRAME_CSUM_PARTIAL_OK)
			fail("a segment of the IRC connection left with a bad checksum");
		if (!found && v.payload_len <= OUT_MAX) {
			*seg = v;
			memcpy(payload, v.payload, v.payload_len);
			seg->payload = payload;
			found = true;
		}
	}
	fuzzeng_check(st.e, &st.tx);
	return found;
}

static void spec_segment(bool client, uint32_t seq, uint32_t ack,
			 const uint8_t *d, uint16_t n)
{
	if (client)
		frame_spec_tcp(&fs, CLIENT, CPORT, SERVER, IRC_PORT,
			       FRAME_TCP_ACK | (n ? FRAME_TCP_PSH : 0));
	else
		frame_spec_tcp(&fs, SERVER, IRC_PORT, IP4(203, 0, 113, 1),
			       st.mport, FRAME_TCP_ACK | (n ? FRAME_TCP_PSH : 0));
	fs.seq = seq;
	fs.ack = ack;
	if (n)
		memcpy(fs.payload, d, n);
	fs.payload_len = n;
}

/*
 * A new segment of the client's (@client) or the server's; @part: it
 * acknowledges only up to the start of the other end's last segment,
 * when it has not acknowledged more (the number a rewrite of that
 * segment makes hard to bring back)
 */
static void send_new(bool client, bool part, const uint8_t *d, uint16_t n)
{
	struct end *x = client ? &st.c : &st.s, *y = client ? &st.s : &st.c;
	static uint8_t payload[OUT_MAX];
	struct frame_view v;
	uint32_t ack = x->got;

	part = part && y->went && x->acked == y->out_seq;
	if (part)
		ack = y->out_seq;
	spec_segment(client, x->seq, ack, d, n);
	input(client ? 0 : 1);
	if (!collect(!client, &v, payload)) {
		st.sure = false;		/* dropped: a real end resends */
		x->went = false;
		return;
	}
	if (st.sure && v.seq != x->wire)
		fail("a segment left where the stream does not continue");
	if (st.sure && v.ack != (part ? y->last_seq : y->seq))
		fail("an acknowledgement left in the wrong numbering");
	if ((!st.helper || !has_dcc(d, n)) &&
	    (v.payload_len != n || memcmp(v.payload, d, n)))
		fail("a segment without DCC was changed");
	x->acked = ack;
	x->wire = v.seq + v.payload_len;
	y->got = x->wire;
	memcpy(x->last, d, n);
	x->last_len = n;
	x->last_seq = x->seq;
	memcpy(x->out, v.payload, v.payload_len);
	x->out_len = v.payload_len;
	x->out_seq = v.seq;
	x->went = true;
	x->seq += n;
	if (client)
		st.still = true;
}

/* The client's last segment again */
static void send_again(void)
{
	static uint8_t payload[OUT_MAX];
	struct frame_view v;

	if (!st.c.went)
		return;
	spec_segment(true, st.c.last_seq, st.c.got, st.c.last, st.c.last_len);
	input(0);
	if (!collect(false, &v, payload) || !st.sure)
		return;
	if (v.seq != st.c.out_seq)
		fail("a segment sent again left at another place");
	if (st.still && (v.payload_len != st.c.out_len ||
			 memcmp(v.payload, st.c.out, v.payload_len)))
		fail("a segment sent again was rewritten differently");
}

/* A SYN from outside to the router's port @port */
static void syn_from_outside(uint16_t port)
{
	static uint8_t payload[OUT_MAX];
	struct frame_view v;

	if (port == 8080)
		port = 8081;		/* fuzzeng's DNAT rule to port 80 */
	frame_spec_tcp(&fs, STRANGER, st.stranger_port++, IP4(203, 0, 113, 1),
		       port, FRAME_TCP_SYN);
	input(1);
	collect(true, &v, payload);
	st.still = false;
}

/* The IRC connection's handshake; Return: false when it could not be made */
static bool connect_irc(uint8_t mode)
{
	static uint8_t payload[OUT_MAX];
	struct frame_view v;

	st.c = (struct end){ .seq = 1001 };
	st.s = (struct end){ .seq = 5001 };
	frame_spec_tcp(&fs, CLIENT, CPORT, SERVER, IRC_PORT, FRAME_TCP_SYN);
	fs.seq = 1000;
	input(0);
	st.mport = 0;
	for (uint32_t i = 0; i < st.tx.n; i++) {
		struct masq_buf *b = st.tx.bufs[i];
		struct frame_view w = { .inner = NULL };

		if (frame_decode(b->data, b->len, &b->meta, &w) && w.has_l4 &&
		    w.dport == IRC_PORT && w.daddr == SERVER)
			st.mport = w.sport;
	}
	fuzzeng_check(st.e, &st.tx);
	if (!st.mport)
		return false;
	frame_spec_tcp(&fs, SERVER, IRC_PORT, IP4(203, 0, 113, 1), st.mport,
		       FRAME_TCP_SYN | FRAME_TCP_ACK);
	fs.seq = 5000;
	fs.ack = 1001;
	input(1);
	if (!collect(true, &v, payload))
		return false;
	spec_segment(true, 1001, 5001, NULL, 0);
	input(0);
	if (!collect(false, &v, payload))
		return false;
	st.c.got = st.c.acked = st.s.wire = 5001;
	st.s.got = st.s.acked = st.c.wire = 1001;
	return !(mode & 64) || !ctlline_run(st.e, "set ports 61000-61000", NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t mode;

	if (!size)
		return 0;
	mode = data[0];
	data++;
	size--;
	st.tx = (struct masq_txq){ st.txv, 0, 64 };
	st.now = FUZZENG_NS;
	st.e = fuzzeng_create(mode & 63);
	st.helper = !(mode & 128);
	st.sure = true;
	st.still = false;
	st.stranger_port = 30000;
	if ((st.helper && ctlline_run(st.e, "helper irc on", NULL)) ||
	    !connect_irc(mode))
		size = 0;
	while (size >= HDR) {
		uint8_t kind = data[0];
		size_t n = (size_t)(data[1] << 8 | data[2]);

		data += HDR;
		size -= HDR;
		n = n > size ? size : n;
		n = n > MAX_SEG ? MAX_SEG : n;
		if (kind & 4) {
			st.now += LAPSE_STEP * FUZZENG_NS;
			masq_engine_advance(st.e, st.now, &st.tx);
			fuzzeng_check(st.e, &st.tx);
			st.still = false;
		}
		switch (kind & 3) {
		case 0:
		case 1:
			send_new(!(kind & 3), kind & 8, data, (uint16_t)n);
			break;
		case 2:
			send_again();
			break;
		default:
			syn_from_outside(n >= 2 ? (uint16_t)(data[0] << 8 | data[1]) : 0);
		}
		data += n;
		size -= n;
	}
	fuzzeng_destroy(st.e);
	return 0;
}

/* ---- seeds ---- */

static size_t put(uint8_t *out, size_t at, uint8_t kind, const char *text)
{
	size_t n = strlen(text);

	out[at] = kind;
	out[at + 1] = (uint8_t)(n >> 8);
	out[at + 2] = (uint8_t)n;
	memcpy(out + at + HDR, text, n);
	return at + HDR + n;
}

static size_t put_port(uint8_t *out, size_t at, uint8_t kind, uint16_t port)
{
	out[at] = kind;
	out[at + 1] = 0;
	out[at + 2] = 2;
	out[at + 3] = (uint8_t)(port >> 8);
	out[at + 4] = (uint8_t)port;
	return at + HDR + 2;
}

static void seed(const char *dir, const char *name, uint8_t mode,
		 const uint8_t *d, size_t n)
{
	static uint8_t buf[8192];

	buf[0] = mode;
	memcpy(buf + 1, d, n);
	fuzzeng_seed(dir, name, buf, n + 1);
}

static void write_seeds(const char *dir)
{
	static uint8_t b[4096];
	size_t n = 0;

	n = put(b, n, 0, "NICK alice\r\nUSER a 0 * :a\r\n");
	n = put(b, n, 1, ":srv 001 alice :hi\r\n");
	n = put(b, n, 0, "PRIVMSG bob :\1DCC SEND a.txt 3232235522 1500 100\1\r\n");
	n = put(b, n, 2, "");
	n = put(b, n, 1, ":bob!b@h PRIVMSG alice :\1DCC RESUME a.txt 61000 10\1\r\n");
	n = put(b, n, 8, "NOTICE bob :wait\r\n");
	n = put(b, n, 1 | 8, "PING :srv\r\n");
	n = put(b, n, 0, "PRIVMSG bob :\1DCC ACCEPT a.txt 1500 10\1\r\n");
	n = put_port(b, n, 3, 61000);
	n = put(b, n, 0, "PRIVMSG bob :\1DCC CHAT chat 3232235522 50000\1\r\nPING x\r\n");
	n = put(b, n, 0, "PRIVMSG bob :\1DCC SEND \"a b\" 3232235522 40100 1\1\r\n");
	n = put_port(b, n, 3, 40100);
	n = put(b, n, 4, "PING :later\r\n");
	seed(dir, "narrowed", 64, b, n);
	seed(dir, "kept-ports", 0, b, n);
	seed(dir, "off", 128, b, n);
	n = 0;
	n = put(b, n, 0, "PRIVMSG bob :\1DCC SEND a 3232235523 40100 1\1\r\n");
	n = put(b, n, 0, "PRIVMSG bob :\1DCC SEND a 3232235522 25 1\1\r\n");
	n = put(b, n, 0, "PRIVMSG bob :\1DCC SEND a 3232235522 4");
	n = put(b, n, 0, "0100 1\1\r\n");
	n = put(b, n, 0, "PRIVMSG a :\1DCC SEND x 3232235522 2000 1\1\r\n"
		"PRIVMSG b :\1DCC SEND y 3232235522 2001 1\1\r\n");
	n = put(b, n, 2, "");
	seed(dir, "refusals", 64 | 2, b, n);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzzeng_start(POOL_COUNT, BUF_SIZE, write_seeds);
	return 0;
}
