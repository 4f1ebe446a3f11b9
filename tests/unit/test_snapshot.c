// SPDX-License-Identifier: MIT
/*
 * test_snapshot.c - restarts that keep connections (src/engine/snapshot.c):
 * an engine's connections written with masq_engine_snapshot() and loaded
 * into a fresh engine with masq_engine_restore()
 *
 * The first engine carries, from real frames: a UDP flow from
 * 192.168.0.2:5000 whose external port is not 5000 (192.168.0.3:5000
 * came first and kept it), and an established TCP connection from
 * 192.168.0.2:6000 (same: 192.168.0.3:6000 holds 6000). Cases:
 *	round_trip	the second engine restores both connections and their
 *			mappings; the UDP flow's next datagram leaves with the
 *			same external port, its reply comes in to
 *			192.168.0.2:5000; the TCP connection's next segment
 *			(no SYN: a new one could not open) leaves with the
 *			same external port
 *	port_held	a new flow from 192.168.0.4 whose internal port is a
 *			restored external one does not get that port
 *	time_away	restored 60 s later, all four are kept; 240 s
 *			later the unreplied UDP flow and the half-open SYN
 *			of 192.168.0.3 have expired: skipped, counted
 *	refused		a flipped byte, a short file, another version,
 *			another boot, trailing bytes: refused with the
 *			reason, nothing restored
 *	gone_addr	the external address changed in the new
 *			configuration: the connections are skipped, counted
 *	header_only	masq_snap_check() gives the writer's flags back from
 *			a file of another version, and refuses another boot's
 *	other_netns	a file another network namespace wrote (same boot,
 *			version, path: an inode number used again) is refused
 *			naming the namespace, by the load and the header's
 *			check; a file of format 1 is refused naming its format
 *
 * Prints "ok snapshot/NAME" or "FAIL snapshot/NAME: why".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/ctlline.h"
#include "engine/snap.h"
#include "../lib/frame.h"
#include "../lib/report.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define NS		1000000000ull
#define REMOTE		IP4(198, 51, 100, 7)
#define EXT		IP4(203, 0, 113, 1)

static struct masq_pool *pool;
static const uint8_t lan_mac[6] = { 2, 0, 0, 0, 1, 1 };
static const uint8_t wan_mac[6] = { 2, 0, 0, 0, 2, 1 };

/* "ok snapshot/NAME" or "FAIL snapshot/NAME: why" (tests/lib/report.h) */
static void report(const char *name, bool ok)
{
	report_result("snapshot", name, ok);
}

/* What came out of one frame: the first frame's IPv4 addresses and ports */
struct seen {
	int n;
	uint32_t iface;
	uint32_t saddr, daddr;
	uint16_t sport, dport;	/* host order */
};

static struct seen send_frame(struct masq_engine *e, struct frame_spec *s,
			      uint32_t iface, uint64_t now)
{
	struct masq_buf *out[16], *b = masq_pool_get(pool);
	struct masq_txq tx = { out, 0, 16 };
	struct seen r = { 0 };

	if (!b)
		return r;
	memcpy(s->eth_dst, iface ? wan_mac : lan_mac, 6);
	frame_build(s, b);
	b->iface = iface;
	masq_engine_input(e, &b, 1, now, &tx);
	r.n = (int)tx.n;
	if (tx.n && tx.bufs[0]->len >= 38) {
		const uint8_t *ip = tx.bufs[0]->data + 14;

		r.iface = tx.bufs[0]->iface;
		memcpy(&r.saddr, ip + 12, 4);
		memcpy(&r.daddr, ip + 16, 4);
		r.saddr = ntohl(r.saddr);
		r.daddr = ntohl(r.daddr);
		r.sport = (uint16_t)(ip[20] << 8 | ip[21]);
		r.dport = (uint16_t)(ip[22] << 8 | ip[23]);
	}
	for (uint32_t i = 0; i < tx.n; i++)
		masq_pool_put(pool, tx.bufs[i]);
	return r;
}

static struct seen udp(struct masq_engine *e, uint32_t src, uint16_t sport,
		       uint32_t dst, uint16_t dport, uint32_t iface,
		       uint64_t now)
{
	struct frame_spec s;

	frame_spec_udp(&s, src, sport, dst, dport);
	s.payload_len = 8;
	return send_frame(e, &s, iface, now);
}

static struct seen tcp(struct masq_engine *e, uint32_t src, uint16_t sport,
		       uint32_t dst, uint16_t dport, uint8_t flags,
		       uint32_t seq, uint32_t ack, uint32_t iface, uint64_t now)
{
	struct frame_spec s;

	frame_spec_tcp(&s, src, sport, dst, dport, flags);
	s.seq = seq;
	s.ack = ack;
	if (!(flags & 0x02))
		s.payload_len = 10;
	return send_frame(e, &s, iface, now);
}

static struct masq_engine *engine(const char *ext_addr)
{
	struct masq_limits lim;
	struct masq_engine *e;
	char line[96];

	masq_limits_default(&lim);
	lim.max_conns = 1024;
	lim.seed = 7;
	e = masq_engine_create(&lim, pool);
	if (!e)
		return NULL;
	for (int i = 0; ctlline_topology[i]; i++) {
		const char *l = ctlline_topology[i];

		if (ext_addr && !strcmp(l, "addr add 203.0.113.1/24 dev wan0")) {
			snprintf(line, sizeof(line), "addr add %s/24 dev wan0",
				 ext_addr);
			l = line;
		}
		if (ctlline_run(e, l, NULL)) {
			masq_engine_destroy(e);
			return NULL;
		}
	}
	ctlline_run(e, "neigh add 192.168.0.4 lladdr 02:00:00:00:01:04 dev lan0",
		    NULL);
	return e;
}

/* The first engine's flows; their external ports in @udp_ext, @tcp_ext */
static struct masq_engine *populated(uint16_t *udp_ext, uint16_t *tcp_ext)
{
	struct masq_engine *e = engine(NULL);
	uint32_t lan2 = IP4(192, 168, 0, 2), lan3 = IP4(192, 168, 0, 3);
	struct seen s;

	if (!e)
		return NULL;
	udp(e, lan3, 5000, REMOTE, 9000, 0, 10 * NS);
	s = udp(e, lan2, 5000, REMOTE, 9000, 0, 10 * NS);
	*udp_ext = s.sport;
	udp(e, REMOTE, 9000, EXT, *udp_ext, 1, 10 * NS);	/* replied */
	tcp(e, lan3, 6000, REMOTE, 80, 0x02, 100, 0, 0, 10 * NS);
	s = tcp(e, lan2, 6000, REMOTE, 80, 0x02, 1000, 0, 0, 10 * NS);
	*tcp_ext = s.sport;
	tcp(e, REMOTE, 80, EXT, *tcp_ext, 0x12, 5000, 1001, 1, 10 * NS);
	tcp(e, lan2, 6000, REMOTE, 80, 0x10, 1001, 5001, 0, 10 * NS);
	tcp(e, lan2, 6000, REMOTE, 80, 0x18, 1001, 5001, 0, 10 * NS);
	return e;
}

/* Two network namespaces' cookies: the file is written in the first */
#define NETNS_A		0x1000000000000007ull
#define NETNS_B		0x1000000000000008ull

static struct masq_snap_info info_at(uint64_t now, const char *boot,
				     const char *version)
{
	struct masq_snap_info in = { .now_ns = now };

	snprintf(in.boot_id, sizeof(in.boot_id), "%s", boot);
	snprintf(in.version, sizeof(in.version), "%s", version);
	in.netns_cookie = NETNS_A;
	return in;
}

/* The first engine's snapshot, written at 20 s */
static bool snapshot(struct masq_text *t, uint16_t *udp_ext, uint16_t *tcp_ext)
{
	struct masq_engine *e = populated(udp_ext, tcp_ext);
	struct masq_snap_info in = info_at(20 * NS, "boot-1", "1.0");
	int rc;

	in.flags = 0x5;
	if (!e)
		return report_whyf("no engine");
	if (*udp_ext == 5000 || *tcp_ext == 6000 || !*udp_ext || !*tcp_ext)
		return report_whyf("setup: external ports %u %u, want others than the "
				   "internal ones", *udp_ext, *tcp_ext);
	rc = masq_engine_snapshot(e, &in, t);
	masq_engine_destroy(e);
	return rc ? report_whyf("snapshot: %d", rc) : true;
}

static bool round_trip(const struct masq_text *t, uint16_t udp_ext,
		       uint16_t tcp_ext)
{
	struct masq_engine *e = engine(NULL);
	struct masq_snap_info in = info_at(22 * NS, "boot-1", "1.0");
	uint32_t lan2 = IP4(192, 168, 0, 2);
	struct seen s;
	int rc = masq_engine_restore(e, t->s, t->len, &in);
	bool ok = false;

	if (rc) {
		report_whyf("restore: %d %s", rc, in.why);
		goto out;
	}
	if (in.conns != 4 || in.maps != 4 || in.skipped) {
		report_whyf("restored %u conns %u maps %u skipped, want 4 4 0",
			    in.conns, in.maps, in.skipped);
		goto out;
	}
	s = udp(e, lan2, 5000, REMOTE, 9000, 0, 23 * NS);
	if (s.n != 1 || s.sport != udp_ext || s.saddr != EXT) {
		report_whyf("udp out: %d frames, source port %u, want %u", s.n,
			    s.sport, udp_ext);
		goto out;
	}
	s = udp(e, REMOTE, 9000, EXT, udp_ext, 1, 23 * NS);
	if (s.n != 1 || s.daddr != lan2 || s.dport != 5000) {
		report_whyf("udp in: %d frames, to %x:%u", s.n, s.daddr, s.dport);
		goto out;
	}
	s = tcp(e, lan2, 6000, REMOTE, 80, 0x18, 1011, 5001, 0, 23 * NS);
	if (s.n != 1 || s.sport != tcp_ext) {
		report_whyf("tcp out: %d frames, source port %u, want %u", s.n,
			    s.sport, tcp_ext);
		goto out;
	}
	s = tcp(e, REMOTE, 80, EXT, tcp_ext, 0x18, 5001, 1021, 1, 23 * NS);
	if (s.n != 1 || s.daddr != lan2 || s.dport != 6000) {
		report_whyf("tcp in: %d frames, to %x:%u", s.n, s.daddr, s.dport);
		goto out;
	}
	ok = true;
out:
	masq_engine_destroy(e);
	return ok;
}

static bool port_held(const struct masq_text *t, uint16_t udp_ext)
{
	struct masq_engine *e = engine(NULL);
	struct masq_snap_info in = info_at(22 * NS, "boot-1", "1.0");
	struct seen s;
	bool ok;

	if (masq_engine_restore(e, t->s, t->len, &in)) {
		masq_engine_destroy(e);
		return report_whyf("restore: %s", in.why);
	}
	s = udp(e, IP4(192, 168, 0, 4), udp_ext, REMOTE, 9000, 0, 23 * NS);
	ok = s.n == 1 && s.sport != udp_ext && s.sport;
	if (!ok)
		report_whyf("a new flow from port %u left with port %u", udp_ext,
			    s.sport);
	masq_engine_destroy(e);
	return ok;
}

static bool time_away(const struct masq_text *t)
{
	struct masq_engine *e = engine(NULL);
	struct masq_snap_info in = info_at(80 * NS, "boot-1", "1.0");
	bool ok = true;

	if (masq_engine_restore(e, t->s, t->len, &in) || in.conns != 4)
		ok = report_whyf("60 s away: %u restored (%s), want 4", in.conns,
				 in.why);
	masq_engine_destroy(e);
	if (!ok)
		return false;
	e = engine(NULL);
	in = info_at(260 * NS, "boot-1", "1.0");
	/* left at the write: unreplied UDP 110 s, a SYN 230 s, replied
	 * UDP 290 s, established TCP 7430 s */
	if (masq_engine_restore(e, t->s, t->len, &in) || in.conns != 2 ||
	    in.skipped != 2)
		ok = report_whyf("240 s away: %u restored %u skipped (%s), want 2 2",
				 in.conns, in.skipped, in.why);
	masq_engine_destroy(e);
	return ok;
}

/* @t changed by @edit is refused with a reason containing @want */
static bool refused_one(const struct masq_text *t, const char *boot,
			const char *version, size_t len, long flip,
			const char *want)
{
	struct masq_engine *e = engine(NULL);
	struct masq_snap_info in = info_at(22 * NS, boot, version);
	char *copy = malloc(len + 1);
	bool ok = true;
	int rc;

	memcpy(copy, t->s, len < t->len ? len : t->len);
	if (len > t->len)
		copy[t->len] = 'x';
	if (flip >= 0)
		copy[flip] ^= 0x40;
	rc = masq_engine_restore(e, copy, len, &in);
	if (rc != -22 || !strstr(in.why, want) ||
	    masq_engine_conn_count(e) != 0)
		ok = report_whyf("rc %d, why \"%s\", want \"%s\", %u conns", rc,
				 in.why, want, masq_engine_conn_count(e));
	free(copy);
	masq_engine_destroy(e);
	return ok;
}

static bool refused(const struct masq_text *t)
{
	return refused_one(t, "boot-1", "1.0", t->len, (long)t->len - 30,
			   "checksum") &&
	       refused_one(t, "boot-1", "1.0", t->len - 1, -1, "truncated") &&
	       refused_one(t, "boot-1", "1.0", 100, -1, "truncated") &&
	       refused_one(t, "boot-1", "1.0", t->len + 1, -1, "trailing") &&
	       refused_one(t, "boot-1", "1.1", t->len, -1, "another version") &&
	       refused_one(t, "boot-2", "1.0", t->len, -1, "another boot") &&
	       refused_one(t, "boot-1", "1.0", t->len, 0, "magic") &&
	       refused_one(t, "boot-1", "1.0", t->len, 8, "format");
}

static bool gone_addr(const struct masq_text *t)
{
	struct masq_engine *e = engine("203.0.113.9");
	struct masq_snap_info in = info_at(22 * NS, "boot-1", "1.0");
	bool ok = true;

	if (masq_engine_restore(e, t->s, t->len, &in) || in.conns ||
	    in.skipped != 8)
		ok = report_whyf("%u restored, %u skipped (%s), want 0 and 8",
				 in.conns, in.skipped, in.why);
	masq_engine_destroy(e);
	return ok;
}

/*
 * A file another network namespace wrote (its inode number used again,
 * the same boot, version and socket) is refused by the load and by the
 * header's check, naming the namespace; so is a file of format 1 (a
 * header of 120 bytes, no cookie), naming its format
 */
static bool other_netns(const struct masq_text *t)
{
	struct masq_engine *e = engine(NULL);
	struct masq_snap_info in = info_at(22 * NS, "boot-1", "1.0");
	char *old = malloc(t->len);
	bool ok = true;
	int rc;

	in.netns_cookie = NETNS_B;
	rc = masq_engine_restore(e, t->s, t->len, &in);
	if (rc != -EINVAL || !strstr(in.why, "another network namespace") ||
	    masq_engine_conn_count(e) != 0)
		ok = report_whyf("restore in another namespace: rc %d, \"%s\", %u "
				 "conns", rc, in.why, masq_engine_conn_count(e));
	in = info_at(22 * NS, "boot-1", "1.0");
	in.netns_cookie = NETNS_B;
	if (ok && !masq_snap_check(t->s, t->len, &in))
		ok = report_whyf("another namespace's header passed");
	memcpy(old, t->s, t->len);
	old[8] = 1;		/* format 1, header 120 */
	old[12] = 120;
	in = info_at(22 * NS, "boot-1", "1.0");
	rc = masq_engine_restore(e, old, t->len, &in);
	if (ok && (rc != -EINVAL ||
		   !strstr(in.why, "another format version (1; this masq reads")))
		ok = report_whyf("format 1: rc %d, \"%s\"", rc, in.why);
	free(old);
	masq_engine_destroy(e);
	return ok;
}

/* The header alone: the caller's flags, whatever the version; not
 * another boot's */
static bool header_only(const struct masq_text *t)
{
	struct masq_snap_info in = info_at(22 * NS, "boot-1", "9.9");

	if (masq_snap_check(t->s, t->len, &in) || in.flags != 0x5 ||
	    in.written_ns != 20 * NS)
		return report_whyf("check: \"%s\", flags %x, written %llu", in.why,
				   in.flags, (unsigned long long)in.written_ns);
	in = info_at(22 * NS, "boot-2", "1.0");
	if (!masq_snap_check(t->s, t->len, &in) || !strstr(in.why, "boot"))
		return report_whyf("another boot's header passed");
	return true;
}

/*
 * @t as a writer before connection marks wrote it: 104-byte connection
 * records (the mark and status bytes cut), the header's payload length
 * and checksum made again
 */
static bool older_records(const struct masq_text *t, struct masq_text *old)
{
	const uint8_t *p = (const uint8_t *)t->s;
	size_t off = SNAP_HDR;
	uint8_t *h;
	uint64_t sum;

	masq_text_append(old, t->s, SNAP_HDR);
	for (int i = 0; i < SNAP_NSEC; i++) {
		uint32_t type = get32(p + off), n = get32(p + off + 4);
		uint32_t size = get32(p + off + 8);
		uint32_t keep = type == SNAP_SEC_CONNS ? SNAP_CONN_REC_OLD : size;
		uint8_t sh[SNAP_SEC_HDR];

		memcpy(sh, p + off, SNAP_SEC_HDR);
		put32(sh + 8, keep);
		masq_text_append(old, (const char *)sh, SNAP_SEC_HDR);
		off += SNAP_SEC_HDR;
		for (uint32_t r = 0; r < n; r++, off += size)
			masq_text_append(old, (const char *)p + off, keep);
	}
	if (off != t->len || old->oom)
		return report_whyf("the snapshot's sections do not add up");
	h = (uint8_t *)old->s;
	put64(h + 96, old->len - SNAP_HDR);
	sum = snap_sum(SNAP_SUM_SEED, h, SNAP_SUM_AT);
	sum = snap_sum(sum, h + SNAP_HDR, old->len - SNAP_HDR);
	put64(h + SNAP_SUM_AT, sum);
	return true;
}

/* A state file with 104-byte connection records still loads, whole */
static bool old_format(const struct masq_text *t, uint16_t udp_ext,
		       uint16_t tcp_ext)
{
	struct masq_text old = { 0 };
	bool ok = older_records(t, &old) && old.len < t->len &&
		  round_trip(&old, udp_ext, tcp_ext);

	masq_text_free(&old);
	return ok;
}

int main(void)
{
	struct masq_text t = { 0 };
	uint16_t udp_ext = 0, tcp_ext = 0;

	pool = masq_pool_create(256, 2048);
	if (!pool || !snapshot(&t, &udp_ext, &tcp_ext)) {
		printf("FAIL snapshot/setup: %s\n", report_why());
		return 1;
	}
	report("round_trip", round_trip(&t, udp_ext, tcp_ext));
	report("old_format", old_format(&t, udp_ext, tcp_ext));
	report("port_held", port_held(&t, udp_ext));
	report("time_away", time_away(&t));
	report("refused", refused(&t));
	report("gone_addr", gone_addr(&t));
	report("header_only", header_only(&t));
	report("other_netns", other_netns(&t));
	masq_text_free(&t);
	masq_pool_destroy(pool);
	return report_failures() ? 1 : 0;
}
