// SPDX-License-Identifier: MIT
/*
 * pktgen.c - a bounded sender of hand-made frames, for the attack tests
 *
 * The end-to-end tests mount attacks for real (issue 12): spoofed SYNs at
 * a forwarded port, GRE to many addresses, tiny first fragments, UDP from
 * many ports. This tool writes such frames straight onto one interface of
 * a namespace with an AF_PACKET socket, so any source address can be sent
 * without the kernel's routing or its rp_filter in the way:
 *
 *	pktgen -i eth0 --dst-mac 02:6d:71:00:02:01 --mode syn \
 *	       --src 198.18.0.0/15 --dst 203.0.113.1 --dport 8080 \
 *	       --rate 2000 --count 100000 --seconds 30
 *
 * Every run is bounded twice: --count frames and --seconds of time (both
 * required; at most 100,000,000 frames and 600 s), whichever comes first.
 * It sends only on the interface it is given, in the namespace it runs in.
 *
 * Tuples: the frame number i picks the source address, source port,
 * destination address and destination port as the digits of i in the
 * mixed radix (sources, sports, destinations, dports), so the first
 * sources x sports frames all differ in their source endpoint; --random
 * picks each field at random instead. A /N prefix means every address
 * in it, network and broadcast included for /31 and /32 only.
 *
 * Modes: syn (TCP SYN), ack (TCP ACK), udp (--size bytes of payload),
 * icmp (echo request; the id is the "source port"), gre and esp (IP
 * protocols 47 and 50 with a small header), frag (the first fragment,
 * MF set, of a UDP datagram: --size bytes of data, at least 8).
 *
 * Output: one line, "pktgen: sent N frames in S s (R/s)", on stdout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_COUNT	100000000ull
#define MAX_SECONDS	600.0
#define BURST		32
#define FRAME_MAX	1514

enum mode { M_SYN, M_ACK, M_UDP, M_ICMP, M_GRE, M_ESP, M_FRAG, M_NUM };
static const char *const mode_names[M_NUM] = {
	"syn", "ack", "udp", "icmp", "gre", "esp", "frag",
};

struct range {
	uint32_t lo;		/* host order */
	uint32_t n;		/* values from lo */
};

struct opts {
	const char *ifname;
	uint8_t dst_mac[6], src_mac[6];
	bool have_dst_mac, have_src_mac;
	enum mode mode;
	struct range src, dst, sport, dport;
	uint64_t count;
	double seconds;
	double rate;		/* frames a second; 0: as fast as it goes */
	uint32_t size;
	bool random;
	uint8_t ttl;
};

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "pktgen: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(2);
}

static bool parse_mac(const char *s, uint8_t m[6])
{
	unsigned b[6];
	char tail;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &tail) != 6)
		return false;
	for (int i = 0; i < 6; i++)
		m[i] = (uint8_t)b[i];
	return true;
}

/* A.B.C.D or A.B.C.D/N */
static struct range parse_prefix(const char *s)
{
	char buf[32];
	char *slash;
	struct in_addr a;
	unsigned long len = 32;

	if (strlen(s) >= sizeof(buf))
		die("bad address '%s'", s);
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		char *end;

		*slash = 0;
		len = strtoul(slash + 1, &end, 10);
		if (*end || len < 8 || len > 32)
			die("bad prefix length in '%s' (8-32)", s);
	}
	if (inet_pton(AF_INET, buf, &a) != 1)
		die("bad address '%s'", s);
	if (len == 32)
		return (struct range){ ntohl(a.s_addr), 1 };
	{
		uint32_t mask = ~0u << (32 - len);
		uint32_t base = ntohl(a.s_addr) & mask, n = ~mask + 1;

		if (len == 31)
			return (struct range){ base, 2 };
		return (struct range){ base + 1, n - 2 };
	}
}

/* N or LO-HI */
static struct range parse_ports(const char *s)
{
	char *end;
	unsigned long lo = strtoul(s, &end, 10), hi = lo;

	if (*end == '-')
		hi = strtoul(end + 1, &end, 10);
	if (*end || lo > 65535 || hi > 65535 || lo > hi)
		die("bad port or range '%s'", s);
	return (struct range){ (uint32_t)lo, (uint32_t)(hi - lo + 1) };
}

static double parse_num(const char *s, double max, const char *what)
{
	char *end;
	double v = strtod(s, &end);

	if (*end || v < 0 || v > max)
		die(what, s);
	return v;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: pktgen -i IFACE --dst-mac MAC [--src-mac MAC]\n"
		"              --mode syn|ack|udp|icmp|gre|esp|frag\n"
		"              --src A.B.C.D[/N] --dst A.B.C.D[/N]\n"
		"              [--sport P|LO-HI] [--dport P|LO-HI] [--size BYTES]\n"
		"              [--rate PER_S] [--random] [--ttl N]\n"
		"              --count N --seconds S\n");
	exit(2);
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "dst-mac", 1, 0, 'M' }, { "src-mac", 1, 0, 'm' },
		{ "mode", 1, 0, 'o' },    { "src", 1, 0, 's' },
		{ "dst", 1, 0, 'd' },     { "sport", 1, 0, 'p' },
		{ "dport", 1, 0, 'P' },   { "count", 1, 0, 'c' },
		{ "seconds", 1, 0, 't' }, { "rate", 1, 0, 'r' },
		{ "size", 1, 0, 'z' },    { "random", 0, 0, 'R' },
		{ "ttl", 1, 0, 'T' },     { "help", 0, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	bool have_src = false, have_dst = false, have_count = false,
	     have_secs = false, have_mode = false;
	int c;

	*o = (struct opts){ .sport = { 1024, 64512 }, .dport = { 9, 1 },
			    .size = 16, .ttl = 64 };
	while ((c = getopt_long(argc, argv, "i:h", lo, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->ifname = optarg;
			break;
		case 'M':
			if (!parse_mac(optarg, o->dst_mac))
				die("bad MAC '%s'", optarg);
			o->have_dst_mac = true;
			break;
		case 'm':
			if (!parse_mac(optarg, o->src_mac))
				die("bad MAC '%s'", optarg);
			o->have_src_mac = true;
			break;
		case 'o':
			for (int m = 0; m < M_NUM; m++)
				if (!strcmp(optarg, mode_names[m])) {
					o->mode = (enum mode)m;
					have_mode = true;
				}
			if (!have_mode)
				die("unknown mode '%s'", optarg);
			break;
		case 's':
			o->src = parse_prefix(optarg);
			have_src = true;
			break;
		case 'd':
			o->dst = parse_prefix(optarg);
			have_dst = true;
			break;
		case 'p':
			o->sport = parse_ports(optarg);
			break;
		case 'P':
			o->dport = parse_ports(optarg);
			break;
		case 'c':
			o->count = (uint64_t)parse_num(optarg, (double)MAX_COUNT,
						       "bad count '%s' (at most 100000000)");
			have_count = true;
			break;
		case 't':
			o->seconds = parse_num(optarg, MAX_SECONDS,
					       "bad seconds '%s' (at most 600)");
			have_secs = true;
			break;
		case 'r':
			o->rate = parse_num(optarg, 1e8, "bad rate '%s'");
			break;
		case 'z':
			o->size = (uint32_t)parse_num(optarg, 1400, "bad size '%s' (at most 1400)");
			break;
		case 'R':
			o->random = true;
			break;
		case 'T':
			o->ttl = (uint8_t)parse_num(optarg, 255, "bad ttl '%s'");
			break;
		default:
			usage();
		}
	}
	if (optind != argc || !o->ifname || !o->have_dst_mac || !have_src ||
	    !have_dst || !have_count || !have_secs || !have_mode)
		usage();
	if (o->mode == M_FRAG && o->size < 8)
		die("--size %s: a first fragment carries at least 8 bytes", "");
}

static uint16_t csum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static uint32_t csum_add(uint32_t s, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (; n > 1; n -= 2, b += 2)
		s += (uint32_t)b[0] << 8 | b[1];
	if (n)
		s += (uint32_t)b[0] << 8;
	return s;
}

static uint32_t pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
	uint32_t s = 0;

	s += src >> 16;
	s += src & 0xffff;
	s += dst >> 16;
	s += dst & 0xffff;
	return s + proto + len;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

struct tuple {
	uint32_t src, dst;	/* host order */
	uint16_t sport, dport;
};

/* Frame @i's tuple: mixed-radix digits of i, or random fields */
static struct tuple tuple_of(const struct opts *o, uint64_t i)
{
	struct tuple t;

	if (o->random) {
		t.src = o->src.lo + (uint32_t)(rnd() % o->src.n);
		t.sport = (uint16_t)(o->sport.lo + rnd() % o->sport.n);
		t.dst = o->dst.lo + (uint32_t)(rnd() % o->dst.n);
		t.dport = (uint16_t)(o->dport.lo + rnd() % o->dport.n);
		return t;
	}
	t.src = o->src.lo + (uint32_t)(i % o->src.n);
	i /= o->src.n;
	t.sport = (uint16_t)(o->sport.lo + i % o->sport.n);
	i /= o->sport.n;
	t.dst = o->dst.lo + (uint32_t)(i % o->dst.n);
	i /= o->dst.n;
	t.dport = (uint16_t)(o->dport.lo + i % o->dport.n);
	return t;
}

/* The L4 part of a frame at @l4; returns its length */
static uint32_t build_l4(const struct opts *o, const struct tuple *t,
			 uint8_t *l4, uint8_t *proto)
{
	uint32_t n;

	switch (o->mode) {
	case M_SYN:
	case M_ACK:
		*proto = 6;
		memset(l4, 0, 20);
		put16(l4, t->sport);
		put16(l4 + 2, t->dport);
		put32(l4 + 4, (uint32_t)rnd());
		if (o->mode == M_ACK)
			put32(l4 + 8, (uint32_t)rnd());
		l4[12] = 5 << 4;
		l4[13] = o->mode == M_SYN ? 0x02 : 0x10;
		put16(l4 + 14, 65535);
		n = 20;
		break;
	case M_UDP:
	case M_FRAG:
		*proto = 17;
		n = 8 + o->size;
		put16(l4, t->sport);
		put16(l4 + 2, t->dport);
		/* a fragment's UDP length announces more than it carries */
		put16(l4 + 4, (uint16_t)(o->mode == M_FRAG ? n + 1000 : n));
		put16(l4 + 6, 0);
		memset(l4 + 8, 'x', o->size);
		break;
	case M_ICMP:
		*proto = 1;
		n = 8 + o->size;
		l4[0] = 8;
		l4[1] = 0;
		put16(l4 + 2, 0);
		put16(l4 + 4, t->sport);
		put16(l4 + 6, 1);
		memset(l4 + 8, 'x', o->size);
		put16(l4 + 2, csum_fold(csum_add(0, l4, n)));
		return n;
	case M_GRE:
		*proto = 47;
		memset(l4, 0, 4);
		put16(l4 + 2, 0x0800);
		memset(l4 + 4, 'x', o->size);
		return 4 + o->size;
	default:	/* M_ESP: SPI, sequence, opaque bytes */
		*proto = 50;
		put32(l4, 0x1000 + t->sport);
		put32(l4 + 4, 1);
		memset(l4 + 8, 'x', o->size);
		return 8 + o->size;
	}
	return n;
}

/* L4 checksums that cover the pseudo-header (TCP, UDP; not fragments) */
static void finish_l4(const struct opts *o, const struct tuple *t,
		      uint8_t *l4, uint32_t n, uint8_t proto)
{
	uint16_t c;

	if (proto != 6 && proto != 17)
		return;
	if (o->mode == M_FRAG)
		return;		/* covers the whole datagram: left at 0 */
	c = csum_fold(csum_add(pseudo(t->src, t->dst, proto, (uint16_t)n), l4, n));
	if (proto == 17 && !c)
		c = 0xffff;
	put16(l4 + (proto == 6 ? 16 : 6), c);
}

/* Frame @i into @f; returns its length */
static uint32_t build_frame(const struct opts *o, uint64_t i, uint8_t *f)
{
	struct tuple t = tuple_of(o, i);
	uint8_t *ip = f + 14, *l4 = ip + 20, proto = 0;
	uint32_t n;

	memcpy(f, o->dst_mac, 6);
	memcpy(f + 6, o->src_mac, 6);
	put16(f + 12, 0x0800);
	n = build_l4(o, &t, l4, &proto);
	finish_l4(o, &t, l4, n, proto);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + n));
	put16(ip + 4, (uint16_t)rnd());
	put16(ip + 6, o->mode == M_FRAG ? 0x2000 : 0x4000);	/* MF / DF */
	ip[8] = o->ttl;
	ip[9] = proto;
	put32(ip + 12, t.src);
	put32(ip + 16, t.dst);
	put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
	return 14 + 20 + n;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int open_socket(struct opts *o, struct sockaddr_ll *sll)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		perror("pktgen: socket(AF_PACKET)");
		exit(1);
	}
	if (strlen(o->ifname) >= IFNAMSIZ)
		die("interface name '%s' is too long", o->ifname);
	strcpy(ifr.ifr_name, o->ifname);
	if (ioctl(fd, SIOCGIFINDEX, &ifr))
		die("no interface '%s' here", o->ifname);
	*sll = (struct sockaddr_ll){ .sll_family = AF_PACKET,
				     .sll_ifindex = ifr.ifr_ifindex,
				     .sll_halen = 6 };
	memcpy(sll->sll_addr, o->dst_mac, 6);
	if (!o->have_src_mac) {
		if (ioctl(fd, SIOCGIFHWADDR, &ifr))
			die("cannot read the MAC address of '%s'", o->ifname);
		memcpy(o->src_mac, ifr.ifr_hwaddr.sa_data, 6);
	}
	return fd;
}

int main(int argc, char **argv)
{
	static uint8_t frames[BURST][FRAME_MAX];
	struct mmsghdr msg[BURST];
	struct iovec iov[BURST];
	struct sockaddr_ll sll;
	struct opts o;
	uint64_t sent = 0, i = 0;
	double start, end, elapsed;
	int fd;

	parse_args(argc, argv, &o);
	if (getrandom(&rng_state, sizeof(rng_state), 0) != sizeof(rng_state))
		rng_state = (uint64_t)time(NULL);
	rng_state |= 1;
	fd = open_socket(&o, &sll);
	start = now_s();
	end = start + o.seconds;
	while (sent < o.count) {
		uint32_t k = 0;
		double t = now_s();
		int n;

		if (t >= end)
			break;
		if (o.rate > 0 && (double)sent > (t - start) * o.rate) {
			struct timespec ts = { 0, 200000 };	/* 0.2 ms */

			nanosleep(&ts, NULL);
			continue;
		}
		while (k < BURST && sent + k < o.count &&
		       (o.rate <= 0 || (double)(sent + k) <= (t - start) * o.rate + 1)) {
			iov[k] = (struct iovec){ frames[k], build_frame(&o, i++, frames[k]) };
			msg[k] = (struct mmsghdr){ .msg_hdr = {
				.msg_name = &sll, .msg_namelen = sizeof(sll),
				.msg_iov = &iov[k], .msg_iovlen = 1 } };
			k++;
		}
		n = sendmmsg(fd, msg, k, 0);
		if (n < 0) {
			if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR)
				continue;
			perror("pktgen: sendmmsg");
			return 1;
		}
		sent += (uint64_t)n;
	}
	elapsed = now_s() - start;
	printf("pktgen: sent %llu frames in %.2f s (%.0f/s)\n",
	       (unsigned long long)sent, elapsed,
	       elapsed > 0 ? (double)sent / elapsed : 0.0);
	close(fd);
	return 0;
}
