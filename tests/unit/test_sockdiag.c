// SPDX-License-Identifier: MIT
/*
 * test_sockdiag.c - the host's ports from sock_diag (src/io/sockdiag.c
 * and src/io/nlmsg.c, compiled in here): the parser on replies written
 * by hand (tests/lib/nlbuild.h), the formatter against a naive reference,
 * and, as root, a live dump in a network namespace of its own
 *
 * 1. which_sockets_count: the router's address is 203.0.113.1. TCP
 *    LISTEN on 0.0.0.0:22 and 203.0.113.1:8080 count; on 127.0.0.1:631
 *    and 198.51.100.9:81 not; an ESTABLISHED one and port 0 not.
 *    AF_INET6: [::]:2222 with V6ONLY off counts, so does [::]:2224 with
 *    no V6ONLY attribute (an older kernel: counted, to be safe); [::]:2223
 *    V6ONLY does not; ::ffff:203.0.113.1:5353 counts, ::ffff:127.0.0.1:53
 *    and 2001:db8::1:443 do not. UDP: TCP_CLOSE (unconnected) counts,
 *    ESTABLISHED (connected) does not. The same replies parsed as TCP
 *    and as UDP land in the right bitmap only.
 * 2. done_and_error: NLMSG_DONE ends a dump; NLMSG_ERROR -ENOENT (no
 *    udp_diag) ends it with the error; an acknowledgement (error 0) and
 *    an unknown message type do not.
 * 3. truncated_anywhere: a reply cut at every length, each copy in a
 *    buffer of exactly that size: whole messages parse (and count),
 *    anything else is -EBADMSG; INET_DIAG_SKV6ONLY of 2 bytes and a body
 *    shorter than struct inet_diag_msg are -EBADMSG.
 * 4. format_lists: none is "-"; 22, 2222 and 6000-6010 are
 *    "22,2222,6000-6010"; every port is "1-65535"; the command is
 *    host-ports tcp LIST udp LIST.
 * 5. format_bounded_random: random port sets (from sparse to every other
 *    port; the seed is printed) written and read back: the list is under
 *    SDIAG_WORD_MAX, sorted, never misses a held port, and names exactly
 *    the held ports whenever the exact list would fit.
 * 6. live_namespace (root): in a new network namespace with 10.7.7.1 on
 *    a TAP: a TCP listener on 0.0.0.0:P1, a UDP socket bound to
 *    10.7.7.1:P2, a TCP connection over 127.0.0.1 (its listener is on
 *    127.0.0.1:P3), a dual-stack TCP listener on [::]:P4 and a V6ONLY
 *    one on [::]:P5: a round reports exactly tcp {P1, P4}, udp {P2}.
 *
 * Prints "ok sockdiag/NAME", "FAIL sockdiag/NAME: why" or "SKIP ...".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "io/nlmsg.c"
#include "io/sockdiag.c"

#include "../lib/nlbuild.h"
#include "../lib/report.h"
#include "../lib/rng.h"

static uint8_t buf[16384] __attribute__((aligned(4)));
static struct sdiag_ports ports;

static const uint8_t *v4(const char *s)
{
	static uint8_t a[4][4];
	static int i;

	i = (i + 1) % 4;
	inet_pton(AF_INET, s, a[i]);
	return a[i];
}

static const uint8_t *v6(const char *s)
{
	static uint8_t a[4][16];
	static int i;

	i = (i + 1) % 4;
	inet_pton(AF_INET6, s, a[i]);
	return a[i];
}

/* The router's one address */
static uint32_t router;
static const struct sdiag_filter filter = { &router, 1 };

/* @want: ports that must be held, 0-terminated; all others must not */
static int check_ports(enum sdiag_proto proto, const uint16_t *want)
{
	uint32_t n = 0;

	for (const uint16_t *w = want; *w; w++, n++)
		if (!sdiag_port_held(&ports, proto, *w))
			return report_failf("%s port %u not held",
					    sdiag_proto_names[proto], *w);
	for (uint32_t p = 0; p < 65536; p++)
		if (sdiag_port_held(&ports, proto, (uint16_t)p) && !n--)
			return report_failf("%s port %u held, should not be",
					    sdiag_proto_names[proto], p);
	return 0;
}

/* ---- 1 ------------------------------------------------------------------ */

static size_t tcp_reply(void)
{
	struct nlb b;

	nlb_init(&b, buf, sizeof(buf));
	nlb_diag(&b, AF_INET, TCP_LISTEN, 22, v4("0.0.0.0"), -1);
	nlb_diag(&b, AF_INET, TCP_LISTEN, 8080, v4("203.0.113.1"), -1);
	nlb_diag(&b, AF_INET, TCP_LISTEN, 631, v4("127.0.0.1"), -1);
	nlb_diag(&b, AF_INET, TCP_LISTEN, 81, v4("198.51.100.9"), -1);
	nlb_diag(&b, AF_INET, TCP_ESTABLISHED, 40000, v4("203.0.113.1"), -1);
	nlb_diag(&b, AF_INET, TCP_LISTEN, 0, v4("0.0.0.0"), -1);
	nlb_diag(&b, AF_INET6, TCP_LISTEN, 2222, v6("::"), 0);
	nlb_diag(&b, AF_INET6, TCP_LISTEN, 2223, v6("::"), 1);
	nlb_diag(&b, AF_INET6, TCP_LISTEN, 2224, v6("::"), -1);
	nlb_diag(&b, AF_INET6, TCP_LISTEN, 5353, v6("::ffff:203.0.113.1"), 0);
	nlb_diag(&b, AF_INET6, TCP_LISTEN, 53, v6("::ffff:127.0.0.1"), 0);
	nlb_diag(&b, AF_INET6, TCP_LISTEN, 443, v6("2001:db8::1"), 0);
	nlb_done(&b, 1, 0, 0);
	return nlb_end(&b);
}

static size_t udp_reply(void)
{
	struct nlb b;

	nlb_init(&b, buf, sizeof(buf));
	nlb_diag(&b, AF_INET, TCP_CLOSE, 53, v4("203.0.113.1"), -1);
	nlb_diag(&b, AF_INET, TCP_ESTABLISHED, 5000, v4("0.0.0.0"), -1);
	nlb_diag(&b, AF_INET6, TCP_CLOSE, 67, v6("::"), 0);
	nlb_diag(&b, AF_INET, TCP_LISTEN, 99, v4("0.0.0.0"), -1);
	return nlb_end(&b);
}

static int which_sockets_count(void)
{
	static const uint16_t tcp[] = { 22, 2222, 2224, 5353, 8080, 0 };
	static const uint16_t udp[] = { 53, 67, 0 };
	struct sdiag_result res = { 0 };
	size_t len;

	router = *(const uint32_t *)v4("203.0.113.1");
	memset(&ports, 0, sizeof(ports));
	len = tcp_reply();
	if (sdiag_parse(buf, len, SDIAG_TCP, &filter, &ports, &res))
		return report_failf("the TCP reply was refused");
	if (res.sockets != 12 || res.kept != 5 || !res.done || res.error)
		return report_failf("TCP: %u sockets, %u kept, done %d",
				    res.sockets, res.kept, res.done);
	len = udp_reply();
	memset(&res, 0, sizeof(res));
	if (sdiag_parse(buf, len, SDIAG_UDP, &filter, &ports, &res))
		return report_failf("the UDP reply was refused");
	if (res.sockets != 4 || res.kept != 2 || res.done)
		return report_failf("UDP: %u sockets, %u kept, done %d",
				    res.sockets, res.kept, res.done);
	return check_ports(SDIAG_TCP, tcp) || check_ports(SDIAG_UDP, udp);
}

/* ---- 2 ------------------------------------------------------------------ */

static int done_and_error(void)
{
	struct sdiag_result res = { 0 };
	struct nlb b;

	nlb_init(&b, buf, sizeof(buf));
	nlb_error(&b, 1, 0);
	nlb_msg(&b, 0x4242, 0, 1);
	if (sdiag_parse(buf, nlb_end(&b), SDIAG_UDP, &filter, &ports, &res) ||
	    res.done)
		return report_failf("an ack or an unknown type ended the dump");
	nlb_init(&b, buf, sizeof(buf));
	nlb_error(&b, 1, -ENOENT);
	if (sdiag_parse(buf, nlb_end(&b), SDIAG_UDP, &filter, &ports, &res) ||
	    !res.done || res.error != -ENOENT)
		return report_failf("NLMSG_ERROR -ENOENT: done %d error %d",
				    res.done, res.error);
	return 0;
}

/* ---- 3 ------------------------------------------------------------------ */

static int cut_at(size_t len, size_t total, const size_t *ends, int n)
{
	struct sdiag_result res = { 0 };
	uint8_t *copy = malloc(len ? len : 1);
	int want = -EBADMSG, got;
	uint32_t socks = 0;

	memcpy(copy, buf, len);
	for (int i = 0; i < n; i++)
		if (len == ends[i]) {
			want = 0;
			socks = (uint32_t)i + 1;
		}
	if (!len)
		want = 0;
	got = sdiag_parse(copy, len, SDIAG_TCP, &filter, &ports, &res);
	free(copy);
	if (got != want || (!got && res.sockets != (socks > 12 ? 12 : socks)))
		return report_failf("cut at %zu of %zu: %d (%u sockets), "
				    "expected %d (%u)", len, total, got,
				    res.sockets, want, socks);
	return 0;
}

static int truncated_anywhere(void)
{
	size_t ends[16], total = tcp_reply(), off = 0;
	struct inet_diag_msg m = { .idiag_family = AF_INET6 };
	struct sdiag_result res = { 0 };
	int n = 0;
	struct nlb b;

	while (off < total) {	/* where each message ends */
		uint32_t l;

		memcpy(&l, buf + off, 4);
		off += (l + 3) & ~3u;
		ends[n++] = off;
	}
	for (size_t len = 0; len <= total; len++)
		if (cut_at(len, total, ends, n))
			return -1;
	nlb_init(&b, buf, sizeof(buf));
	nlb_msg(&b, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 1);
	nlb_put(&b, &m, sizeof(m));
	nlb_attr(&b, INET_DIAG_SKV6ONLY, "\0\0", 2);
	if (sdiag_parse(buf, nlb_end(&b), SDIAG_TCP, &filter, &ports, &res) !=
	    -EBADMSG)
		return report_failf("INET_DIAG_SKV6ONLY of 2 bytes taken");
	nlb_init(&b, buf, sizeof(buf));
	nlb_msg(&b, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 1);
	nlb_put(&b, &m, sizeof(m) - 8);
	if (sdiag_parse(buf, nlb_end(&b), SDIAG_TCP, &filter, &ports, &res) !=
	    -EBADMSG)
		return report_failf("a short inet_diag_msg taken");
	return 0;
}

/* ---- 4, 5 ---------------------------------------------------------------- */

static void set(struct sdiag_ports *p, enum sdiag_proto pr, uint32_t lo,
		uint32_t hi)
{
	for (uint32_t i = lo; i <= hi; i++)
		port_set(p->bits[pr], (uint16_t)i);
}

static int format_lists(void)
{
	char tcp[SDIAG_WORD_MAX], udp[SDIAG_WORD_MAX], *argv[6];
	struct sdiag_ports p;

	memset(&p, 0, sizeof(p));
	sdiag_format(&p, tcp, udp, argv);
	if (strcmp(tcp, "-") || strcmp(udp, "-"))
		return report_failf("no ports: '%s' '%s'", tcp, udp);
	set(&p, SDIAG_TCP, 22, 22);
	set(&p, SDIAG_TCP, 2222, 2222);
	set(&p, SDIAG_TCP, 6000, 6010);
	set(&p, SDIAG_UDP, 1, 65535);
	if (sdiag_format(&p, tcp, udp, argv) != 5 || argv[5] ||
	    strcmp(argv[0], "host-ports") || strcmp(argv[1], "tcp") ||
	    strcmp(argv[2], "22,2222,6000-6010") || strcmp(argv[3], "udp") ||
	    strcmp(argv[4], "1-65535"))
		return report_failf("got %s %s %s %s %s", argv[0], argv[1],
				    argv[2], argv[3], argv[4]);
	if (sdiag_format_list(p.bits[SDIAG_TCP], tcp, 7) != -ENOSPC ||
	    sdiag_format_list(p.bits[SDIAG_TCP], tcp, 8) != 7 ||
	    strcmp(tcp, "22-6010"))
		return report_failf("in 8 bytes: '%s' (want 22-6010)", tcp);
	return 0;
}

/* Read a LIST back; Return: 0, or -1 when it is not sorted or well formed */
static int parse_list(const char *s, uint64_t *bits)
{
	long prev = 0;

	memset(bits, 0, SDIAG_WORDS * 8);
	if (!strcmp(s, "-"))
		return 0;
	while (*s) {
		char *end;
		long lo = strtol(s, &end, 10), hi = lo;

		if (*end == '-')
			hi = strtol(end + 1, &end, 10);
		if (lo <= prev || hi < lo || hi > 65535 || (*end && *end != ','))
			return -1;
		for (long p = lo; p <= hi; p++)
			port_set(bits, (uint16_t)p);
		prev = hi;
		s = *end ? end + 1 : end;
	}
	return 0;
}

/* The exact list's length, the naive way */
static size_t exact_len(const uint64_t *bits)
{
	char tmp[16];
	size_t n = 0;

	for (uint32_t p = 1; p < 65536; p++) {
		uint32_t hi = p;

		if (!port_get(bits, p))
			continue;
		while (hi + 1 < 65536 && port_get(bits, hi + 1))
			hi++;
		n += (size_t)snprintf(tmp, sizeof(tmp), hi > p ? ",%u-%u" :
				      ",%u", p, hi);
		p = hi;
	}
	return n ? n - 1 : 1;
}

static int one_random_set(uint64_t *r, uint32_t density)
{
	static uint64_t back[SDIAG_WORDS];
	static struct sdiag_ports p;
	static char s[SDIAG_WORD_MAX];
	int n;

	memset(&p, 0, sizeof(p));
	for (uint32_t i = 1; i < 65536; i++)
		if (rng_next(r) % 1000 < density)
			port_set(p.bits[0], (uint16_t)i);
	n = sdiag_format_list(p.bits[0], s, sizeof(s));
	if (n < 0 || (size_t)n >= sizeof(s) || strlen(s) != (size_t)n)
		return report_failf("density %u: length %d", density, n);
	if (parse_list(s, back))
		return report_failf("density %u: not a sorted list", density);
	for (int w = 0; w < SDIAG_WORDS; w++)
		if (p.bits[0][w] & ~back[w])
			return report_failf("density %u: a held port is missing "
					    "near %d", density, w * 64);
	if (exact_len(p.bits[0]) < sizeof(s) &&
	    memcmp(back, p.bits[0], sizeof(back)))
		return report_failf("density %u: not exact though it fits",
				    density);
	return 0;
}

static int format_bounded_random(void)
{
	static const uint32_t density[] = { 0, 1, 5, 20, 100, 500, 999 };
	uint64_t seed = (uint64_t)time(NULL) | 1, r = seed;

	printf("# sockdiag/format_bounded_random: seed %llu\n",
	       (unsigned long long)seed);
	for (int round = 0; round < 4; round++)
		for (size_t d = 0; d < sizeof(density) / sizeof(density[0]); d++)
			if (one_random_set(&r, density[d]))
				return -1;
	memset(&ports, 0, sizeof(ports));	/* every other port */
	for (uint32_t i = 1; i < 65536; i += 2)
		port_set(ports.bits[0], (uint16_t)i);
	{
		char s[SDIAG_WORD_MAX];
		uint64_t back[SDIAG_WORDS];

		if (sdiag_format_list(ports.bits[0], s, sizeof(s)) < 0 ||
		    parse_list(s, back))
			return report_failf("every other port: no list");
		for (int w = 0; w < SDIAG_WORDS; w++)
			if (ports.bits[0][w] & ~back[w])
				return report_failf("every other port: a port "
						    "missing");
	}
	return 0;
}

/* ---- 6 ------------------------------------------------------------------ */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A socket of @type bound to @addr:@port (IPv4 or IPv6 text) */
static int bound(int type, const char *addr, uint16_t port, int v6only)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *s4 = (void *)&ss;
	struct sockaddr_in6 *s6 = (void *)&ss;
	int one = 1, fd;
	socklen_t len;

	if (strchr(addr, ':')) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		inet_pton(AF_INET6, addr, &s6->sin6_addr);
		len = sizeof(*s6);
	} else {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		inet_pton(AF_INET, addr, &s4->sin_addr);
		len = sizeof(*s4);
	}
	fd = socket(ss.ss_family, type, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only));
	if (bind(fd, (struct sockaddr *)&ss, len) ||
	    (type == SOCK_STREAM && listen(fd, 4))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A TCP connection to 127.0.0.1:@port (its listener must exist) */
static int connected(uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	return fd;
}

static int live_round(struct sdiag *s, const struct sdiag_filter *f)
{
	uint64_t end = now_ms() + 3000;
	int rc = sdiag_start(s);

	if (rc)
		return report_failf("sdiag_start: %s", strerror(-rc));
	while (now_ms() < end) {
		struct pollfd p = { .fd = s->fd, .events = POLLIN };

		rc = sdiag_step(s, f, 4);
		if (rc == 1)
			return 0;
		if (rc < 0)
			return report_failf("sdiag_step: %s", strerror(-rc));
		poll(&p, 1, 100);
	}
	return report_failf("no round in 3 s");
}

static int live_child(void)
{
	static const uint16_t tcp[] = { 4101, 4104, 0 };
	static const uint16_t udp[] = { 4102, 0 };
	uint32_t addr = *(const uint32_t *)v4("10.7.7.1");
	struct sdiag_filter f = { &addr, 1 };
	struct sdiag *s;
	int err;

	if (system("ip link set lo up && ip tuntap add dev mtap0 mode tap && "
		   "ip addr add 10.7.7.1/24 dev mtap0 && ip link set mtap0 up"))
		return 2;
	if (bound(SOCK_STREAM, "0.0.0.0", 4101, 0) < 0 ||
	    bound(SOCK_DGRAM, "10.7.7.1", 4102, 0) < 0 ||
	    bound(SOCK_STREAM, "127.0.0.1", 4103, 0) < 0 ||
	    connected(4103) < 0)
		return report_failf("sockets: %s", strerror(errno));
	if (bound(SOCK_STREAM, "::", 4104, 0) < 0 ||
	    bound(SOCK_STREAM, "::", 4105, 1) < 0)
		return report_failf("IPv6 sockets: %s", strerror(errno));
	s = sdiag_open(&err);
	if (!s)
		return report_failf("sdiag_open: %s", strerror(-err));
	if (live_round(s, &f))
		return -1;
	ports = s->ports;
	if (check_ports(SDIAG_TCP, tcp) || check_ports(SDIAG_UDP, udp))
		return -1;
	if (s->st.refused)
		return report_failf("a dump was refused: %s",
				    strerror(s->st.last_errno));
	sdiag_close(s);
	return 0;
}

/* The child prints its own result line; the parent only sees a crash */
static void live_namespace(void)
{
	int status, rc;
	pid_t pid;

	if (geteuid()) {
		printf("SKIP sockdiag/live_namespace: needs root (a network "
		       "namespace)\n");
		return;
	}
	fflush(stdout);
	pid = fork();
	if (!pid) {
		if (unshare(CLONE_NEWNET)) {
			printf("SKIP sockdiag/live_namespace: unshare(CLONE_NEWNET)"
			       ": %s\n", strerror(errno));
			_exit(0);
		}
		rc = live_child();
		if (rc == 2)
			printf("SKIP sockdiag/live_namespace: could not make a "
			       "TAP with 10.7.7.1 (ip tuntap add)\n");
		else
			report_case("sockdiag", "live_namespace", rc);
		fflush(stdout);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		report_case("sockdiag", "live_namespace",
			    report_failf("the child ended with status %d",
					 status));
}

int main(void)
{
	report_case("sockdiag", "which_sockets_count", which_sockets_count());
	report_case("sockdiag", "done_and_error", done_and_error());
	report_case("sockdiag", "truncated_anywhere", truncated_anywhere());
	report_case("sockdiag", "format_lists", format_lists());
	report_case("sockdiag", "format_bounded_random",
		    format_bounded_random());
	live_namespace();
	return 0;
}
