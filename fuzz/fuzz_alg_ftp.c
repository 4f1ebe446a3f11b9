// SPDX-License-Identifier: MIT
/*
 * fuzz_alg_ftp.c - the FTP helper (src/engine/alg_ftp.c) fed arbitrary
 * control-connection text both ways, through the whole engine
 *
 * An engine is made as fuzz_frames makes it (tests/lib/fuzzeng.c, the
 * first byte is its mode), then an FTP control connection is set up the
 * way the second byte says, and the rest of the input is a sequence of
 * records, each a 4-byte header and a payload:
 *
 *	0	bit 0: who sends (0 the client, 1 the server);
 *		bits 1-3: what
 *		  0, 5-7  a segment at the sender's next sequence number
 *		  1	  the sender's last segment again (its payload; the
 *			  record's is skipped)
 *		  2	  a segment at a sequence number off by the first
 *			  payload byte (signed), as loss and reordering make
 *		  3	  a pure acknowledgement with the payload as SACK
 *			  blocks (at most 4); an odd length makes it late:
 *			  of what came before the other end's last segment
 *		  4	  a data connection's SYN from the sender's address
 *			  to the port in the first two payload bytes, where
 *			  the sender sends (the router's address, mostly)
 *	1	seconds that pass first (low 6 bits)
 *	2-3	payload length (cut to what is left, at most 1460)
 *
 * The second byte's low two bits (mod 3) choose the control connection:
 * 0 a client inside, masqueraded, to a server outside; 1 a client
 * outside to a server inside through `ipmasqadm portfw` of port 21; 2 a
 * client inside to that forward by the external address (hairpin). Bit
 * 2 puts the inside host at 192.168.0.20, so rewrites change lengths.
 *
 * Each end acknowledges what it has received, so the connection stays
 * in the window. Checks beyond fuzzeng_check()'s, which would catch a
 * wrong sequence adjustment or checksum, while a direction has only
 * sent segments in order (and each came out):
 *	- a segment comes out at the receiver's next sequence number (its
 *	  bytes follow what came before, whatever the rewrites);
 *	- an acknowledgement comes out as the sender of the data counts:
 *	  exactly the end of what it sent (a late one: the start of its
 *	  last segment);
 *	- a segment sent again at once comes out as it did the first time
 *	  (the same sequence number and the same bytes; for a segment of
 *	  one line, whose rewrite names one expectation);
 *	- every TCP checksum out is valid.
 *
 * MASQ_FUZZ_WRITE_SEEDS=DIR writes a few sessions (active, passive,
 * hairpin, refusals) into DIR at start-up and exits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/lib/ctlline.h"
#include "../tests/lib/frame.h"
#include "../tests/lib/fuzzeng.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define POOL_COUNT	256
#define BUF_SIZE	4096
#define HDR		4
#define SEG_MAX		1460
#define TXV		64
#define CLEAN_SECONDS	600	/* within the established timeout */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

enum { CLIENT, SERVER };
enum { REC_DATA, REC_AGAIN, REC_OFF, REC_SACK, REC_SYN };

static const uint8_t lan_mac[6] = { 2, 0, 0, 0, 1, 1 };
static const uint8_t wan_mac[6] = { 2, 0, 0, 0, 2, 1 };

/* One end of the control connection, and what it has seen */
struct end {
	int ifidx;			/* where its frames come in */
	uint32_t addr;
	uint16_t port;
	uint32_t to_addr;		/* where it sends, as it sees it */
	uint16_t to_port;
	uint32_t next;			/* its next sequence number */
	uint32_t rcvd;			/* the next it expects */
	bool clean;			/* all it sent came out, in order */
	uint32_t last_seq;		/* its last segment ... */
	uint16_t last_len;
	uint8_t last[SEG_MAX];
	uint32_t out_seq;		/* ... and how it came out */
	uint16_t out_len;
	uint8_t out[SEG_MAX + 64];
	bool last_fresh;		/* it was the previous record */
};

static struct frame_spec fs;
static struct end ends[2];
static uint16_t syn_port;

/* A TCP frame from @from's end, as fs has it, into the engine */
static void send_frame(struct masq_engine *e, const struct end *from,
		       struct masq_txq *tx, uint64_t now)
{
	struct masq_buf *b = masq_pool_get(fuzzeng_pool(POOL_COUNT, BUF_SIZE));

	if (!b)
		return;
	memcpy(fs.eth_dst, from->ifidx ? wan_mac : lan_mac, 6);
	if (frame_build(&fs, b) < 0) {
		masq_pool_put(fuzzeng_pool(POOL_COUNT, BUF_SIZE), b);
		return;
	}
	b->iface = (uint32_t)from->ifidx;
	masq_engine_input(e, &b, 1, now, tx);
}

/*
 * The frames out: every TCP checksum valid; the first one to @to's end
 * (its address and port) decoded into @v. Return: found
 */
static bool frames_out(const struct masq_txq *tx, const struct end *to,
		       struct frame_view *v)
{
	bool found = false;

	for (uint32_t i = 0; i < tx->n; i++) {
		struct frame_view w = { 0 };

		if (!frame_decode(tx->bufs[i]->data, tx->bufs[i]->len,
				  &tx->bufs[i]->meta, &w) ||
		    !w.has_l4 || w.proto != FRAME_PROTO_TCP)
			continue;
		if (!frame_csums_ok(&w)) {
			fprintf(stderr, "TCP frame out with a bad checksum\n");
			abort();
		}
		if (!found && to && w.daddr == to->addr &&
		    w.dport == to->port) {
			*v = w;
			found = true;
		}
	}
	return found;
}

static void spec_from(const struct end *s, uint8_t flags)
{
	frame_spec_tcp(&fs, s->addr, s->port, s->to_addr, s->to_port, flags);
	fs.ack = s->rcvd;
}

/* The checks on a segment @s sent in order, come out as @v */
static void check_in_order(struct end *s, struct end *r,
			   const struct frame_view *v)
{
	if (s->clean && v->seq != r->rcvd) {
		fprintf(stderr, "segment out at %u, its receiver expects %u\n",
			v->seq, r->rcvd);
		abort();
	}
	if (r->clean && v->ack != r->next) {
		fprintf(stderr, "acknowledgement out %u, its sender is at %u\n",
			v->ack, r->next);
		abort();
	}
}

/* A data segment from @s (REC_DATA, REC_AGAIN, REC_OFF) */
static void seg(struct masq_engine *e, struct end *s, struct end *r, int what,
		const uint8_t *d, uint16_t len, struct masq_txq *tx,
		uint64_t now)
{
	bool again = what == REC_AGAIN, fresh = s->last_fresh;
	struct frame_view v;
	bool out;

	spec_from(s, FRAME_TCP_ACK | FRAME_TCP_PSH);
	if (again) {
		fs.seq = s->last_seq;
		d = s->last;
		len = s->last_len;
	} else {
		fs.seq = s->next;
		if (what == REC_OFF && len)
			fs.seq += (uint32_t)(int8_t)d[0];
	}
	memcpy(fs.payload, d, len);
	fs.payload_len = len;
	send_frame(e, s, tx, now);
	out = frames_out(tx, r, &v);
	if (again) {
		if (out && fresh && s->clean && memchr(d, '\n', len) ==
		    memrchr(d, '\n', len) &&
		    (v.seq != s->out_seq || v.payload_len != s->out_len ||
		     memcmp(v.payload, s->out, s->out_len))) {
			fprintf(stderr, "a segment sent again came out "
				"otherwise\n");
			abort();
		}
		return;
	}
	if (what == REC_OFF || !out) {
		s->clean = false;	/* where the router is: unknown */
		return;
	}
	check_in_order(s, r, &v);
	s->last_seq = s->next;
	s->last_len = len;
	memcpy(s->last, d, len);
	s->out_seq = v.seq;
	s->out_len = (uint16_t)(v.payload_len < sizeof(s->out) ?
			       v.payload_len : sizeof(s->out));
	memcpy(s->out, v.payload, s->out_len);
	s->next += len;
	r->rcvd = v.seq + v.payload_len;
}

/* A pure acknowledgement from @s with SACK blocks from @d */
static void sack(struct masq_engine *e, struct end *s, struct end *r,
		 const uint8_t *d, uint16_t len, struct masq_txq *tx,
		 uint64_t now)
{
	uint8_t blocks = (uint8_t)(len / 8 > 4 ? 4 : len / 8);
	bool late = (len & 1) && r->last_len;
	uint32_t want = late ? r->last_seq : r->next;
	struct frame_view v;

	spec_from(s, FRAME_TCP_ACK);
	if (late)		/* as it came to @s: r's last segment's start */
		fs.ack = r->out_seq;
	fs.tcp_opts[0] = 1;
	fs.tcp_opts[1] = 1;
	fs.tcp_opts[2] = 5;
	fs.tcp_opts[3] = (uint8_t)(2 + 8 * blocks);
	memcpy(fs.tcp_opts + 4, d, 8u * blocks);
	fs.tcp_opts_len = blocks ? (uint8_t)(4 + 8 * blocks) : 0;
	send_frame(e, s, tx, now);
	if (frames_out(tx, r, &v) && r->clean && v.ack != want) {
		fprintf(stderr, "acknowledgement out %u, its sender counts %u\n",
			v.ack, want);
		abort();
	}
}

/* A data connection's SYN from @s's address, where @s sends */
static void data_syn(struct masq_engine *e, struct end *s, const uint8_t *d,
		     uint16_t len, struct masq_txq *tx, uint64_t now)
{
	frame_spec_tcp(&fs, s->addr, (uint16_t)(s == &ends[SERVER] ? 20 :
						 2000 + syn_port++ % 1000),
		       s->to_addr, len >= 2 ? (uint16_t)(d[0] << 8 | d[1]) : 0,
		       FRAME_TCP_SYN);
	fs.seq = 77;
	send_frame(e, s, tx, now);
	frames_out(tx, NULL, NULL);
}

/* The handshake; Return: false when the connection could not be made */
static bool handshake(struct masq_engine *e, struct masq_txq *tx, uint64_t now)
{
	struct end *c = &ends[CLIENT], *s = &ends[SERVER];
	struct frame_view v;

	spec_from(c, FRAME_TCP_SYN);
	fs.seq = 1000;
	fs.ack = 0;
	send_frame(e, c, tx, now);
	if (!frames_out(tx, s, &v))
		return false;
	/* the client as the server sees it */
	s->to_addr = v.saddr;
	s->to_port = v.sport;
	fuzzeng_check(e, tx);
	spec_from(s, FRAME_TCP_SYN | FRAME_TCP_ACK);
	fs.seq = 5000;
	fs.ack = 1001;
	send_frame(e, s, tx, now);
	if (!frames_out(tx, c, &v))
		return false;
	fuzzeng_check(e, tx);
	c->rcvd = 5001;
	s->rcvd = 1001;
	spec_from(c, FRAME_TCP_ACK);
	fs.seq = 1001;
	send_frame(e, c, tx, now);
	return frames_out(tx, s, &v);
}

static const char *const portfw[2] = {
	"ipmasqadm portfw -a -P tcp -L 203.0.113.1 21 -R 192.168.0.2 21",
	"ipmasqadm portfw -a -P tcp -L 203.0.113.1 21 -R 192.168.0.20 21",
};

/* The ends of the control connection as @how says; Return: ok */
static bool setup(struct masq_engine *e, uint8_t how, struct masq_txq *tx,
		  uint64_t now)
{
	uint32_t inside = how & 4 ? IP4(192, 168, 0, 20) : IP4(192, 168, 0, 2);
	uint32_t ext = IP4(203, 0, 113, 1), far = IP4(198, 51, 100, 10);
	struct end *c = &ends[CLIENT], *s = &ends[SERVER];

	memset(ends, 0, sizeof(ends));
	syn_port = 0;
	if (ctlline_run(e, "neigh add 192.168.0.20 lladdr 02:00:c0:a8:00:14 "
			"dev lan0", NULL))
		abort();
	if (how % 4 % 3 == 0) {	/* inside, masqueraded, out */
		*c = (struct end){ .ifidx = 0, .addr = inside, .port = 40000,
				   .to_addr = far, .to_port = 21 };
		*s = (struct end){ .ifidx = 1, .addr = far, .port = 21 };
	} else {			/* to a forward of port 21 */
		if (ctlline_run(e, portfw[!!(how & 4)], NULL))
			abort();
		*s = (struct end){ .ifidx = 0, .addr = inside, .port = 21 };
		*c = (struct end){ .ifidx = 1, .addr = far, .port = 5000,
				   .to_addr = ext, .to_port = 21 };
		if (how % 4 % 3 == 2)	/* hairpin: a client inside */
			*c = (struct end){ .ifidx = 0,
					   .addr = IP4(192, 168, 0, 3),
					   .port = 41000, .to_addr = ext,
					   .to_port = 21 };
	}
	c->next = 1001;
	s->next = 5001;
	c->clean = s->clean = handshake(e, tx, now);
	return c->clean;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct masq_buf *txv[TXV];
	struct masq_txq tx = { txv, 0, TXV };
	struct masq_engine *e;
	uint64_t now = FUZZENG_NS, start = FUZZENG_NS;

	if (size < 2)
		return 0;
	fuzzeng_pool(POOL_COUNT, BUF_SIZE);
	e = fuzzeng_create(data[0]);
	setup(e, data[1], &tx, now);
	fuzzeng_check(e, &tx);
	data += 2;
	size -= 2;
	while (size >= HDR) {
		const uint8_t *h = data;
		int who = h[0] & 1, what = h[0] >> 1 & 7;
		uint16_t len = (uint16_t)(h[2] << 8 | h[3]);
		struct end *s = &ends[who], *r = &ends[!who];

		data += HDR;
		size -= HDR;
		if (len > size)
			len = (uint16_t)size;
		if (len > SEG_MAX)
			len = SEG_MAX;
		if (h[1] & 63) {
			/* an expectation may lapse: a segment sent again may
			 * be given another port */
			s->last_fresh = r->last_fresh = false;
			now += (uint64_t)(h[1] & 63) * FUZZENG_NS;
			masq_engine_advance(e, now, &tx);
			fuzzeng_check(e, &tx);
			if (now - start > CLEAN_SECONDS * FUZZENG_NS)
				s->clean = r->clean = false;
		}
		if (what == REC_SACK)
			sack(e, s, r, data, len, &tx, now);
		else if (what == REC_SYN)
			data_syn(e, s, data, len, &tx, now);
		else
			seg(e, s, r, what == REC_AGAIN || what == REC_OFF ?
				     what : REC_DATA, data, len, &tx, now);
		s->last_fresh = what != REC_SYN && what != REC_SACK;
		r->last_fresh = false;
		fuzzeng_check(e, &tx);
		data += len;
		size -= len;
	}
	fuzzeng_destroy(e);
	return 0;
}

/* ---- seeds ---- */

static size_t put(uint8_t *out, size_t at, int who, int what, const char *text,
		  size_t n)
{
	out[at] = (uint8_t)(who | what << 1);
	out[at + 1] = 0;
	out[at + 2] = (uint8_t)(n >> 8);
	out[at + 3] = (uint8_t)n;
	memcpy(out + at + HDR, text, n);
	return at + HDR + n;
}

static size_t put_text(uint8_t *out, size_t at, int who, const char *text)
{
	return put(out, at, who, REC_DATA, text, strlen(text));
}

static void seed(const char *dir, const char *name, uint8_t mode, uint8_t how,
		 const char *const *lines)
{
	uint8_t buf[4096];
	size_t n = 2;
	char fname[64];

	buf[0] = mode;
	buf[1] = how;
	for (; *lines; lines++) {
		const char *l = *lines;

		int who = (l[0] == '!' ? l[2] : l[0]) - '0';

		/* "WHO TEXT", or a record: "!A WHO" (again), "!Y WHO" and 2
		 * bytes (a SYN to that port), "!S WHO" and 8 bytes (SACK),
		 * "!L WHO" (a late acknowledgement) */
		if (l[0] != '!')
			n = put_text(buf, n, who, l + 1);
		else if (l[1] == 'A')
			n = put(buf, n, who, REC_AGAIN, "", 0);
		else if (l[1] == 'Y')
			n = put(buf, n, who, REC_SYN, l + 3, 2);
		else if (l[1] == 'L')
			n = put(buf, n, who, REC_SACK, "L", 1);
		else
			n = put(buf, n, who, REC_SACK, l + 3, 8);
	}
	snprintf(fname, sizeof(fname), "%s-mode%u", name, mode);
	fuzzeng_seed(dir, fname, buf, n);
}

static void write_seeds(const char *dir)
{
	static const char *const active[] = {
		"1220 ready\r\n", "0USER ftp\r\n",
		"0PORT 192,168,0,20,156,65\r\n", "!A0", "!L1",
		"1200 PORT command successful.\r\n", "!Y1\x9c\x41",
		"0EPRT |1|192.168.0.20|40002|\r\n",
		"0TYPE I\r\nPORT 192,168,0,20,156,67\r\nRETR f\r\n",
		"!S1\0\0\x04\x10\0\0\x04\x20", "0PORT 192,168,0,3,0,25\r\n",
		"0PORT 192,168,0", "0,20,156,68\r\n", "1PORT 1,2,3,4,5,6\r\n",
		NULL,
	};
	static const char *const passive[] = {
		"1220 ready\r\n", "0PASV\r\n",
		"1227 Entering Passive Mode (192,168,0,20,117,49).\r\n", "!A1",
		"!L0",
		"!Y0\x75\x31", "0EPSV\r\n",
		"1229 Entering Extended Passive Mode (|||30002|)\r\n",
		"0227 Entering Passive Mode (192,168,0,20,117,49).\r\n",
		"1227 =192,168,0,20,4,1\r\n", "!S0\0\0\x13\x90\0\0\x13\xa0",
		NULL,
	};

	for (uint8_t mode = 0; mode < 64; mode += 32) {
		seed(dir, "active", mode, 4, active);
		seed(dir, "passive", mode, 5, passive);
		seed(dir, "hairpin", mode, 6, passive);
		seed(dir, "hairpin-active", mode, 6, active);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzzeng_start(POOL_COUNT, BUF_SIZE, write_seeds);
	return 0;
}
