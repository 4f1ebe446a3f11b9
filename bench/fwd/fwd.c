// SPDX-License-Identifier: MIT
/*
 * fwd.c - a trivial IPv4 forwarder on masqd's own AF_PACKET I/O
 *
 * The ceiling of bench/e2e.sh: what any userspace router gets out of the
 * I/O layer alone. It opens src/io/afpacket.c's ports with masqd's
 * defaults (virtio-net header on, 512-slot TPACKET_V2 receive ring,
 * sendmmsg transmit, 4 MiB socket buffers, 2048 pool buffers) on two
 * interfaces and, per frame, does only what a router must:
 *
 *	- ARP: answers requests for its own address on that interface and
 *	  learns the sender of every request and reply (a table of
 *	  FWD_NEIGH entries per interface, oldest replaced);
 *	- IPv4 to another host: out of the other interface, to the
 *	  destination's MAC if it is on that interface's /24 and known (if
 *	  unknown, an ARP request goes out and the frame is dropped), TTL
 *	  decremented with the header checksum updated (RFC 1624).
 *
 * No NAT, no conntrack, no rules, no ICMP errors (a frame with TTL 1 is
 * dropped silently), no fragmentation, no VLANs, no routes beyond the two
 * on-link /24s. One thread; poll() when both rings are empty, as masqd.
 *
 *	fwd LANIF LANADDR WANIF WANADDR SECONDS
 *
 * Runs SECONDS (at most 3600) or until SIGTERM/SIGINT, then prints one
 * line on stderr: "fwd: rx N tx N drop_no_neigh N drop_other N
 * ring_drops N tx_failed N".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "io/afpacket.h"
#include "masq/engine.h"

#define FWD_NEIGH	16
#define FWD_BURST	64
#define FWD_POOL	2048
#define FWD_SOCKBUF	(4u << 20)

struct fwd_neigh {
	uint32_t ip;		/* network order; 0: empty */
	uint8_t mac[6];
};

/*
 * struct fwd_if - one side: its port, address, MAC and neighbours
 */
struct fwd_if {
	struct afp_port port;
	uint32_t addr;		/* network order */
	uint32_t net;		/* addr & /24 mask */
	uint8_t mac[6];
	struct fwd_neigh neigh[FWD_NEIGH];
	uint32_t next_slot;
	struct masq_buf *out[FWD_BURST * 2];
	uint32_t nout;
};

struct fwd_stats {
	uint64_t rx, tx, no_neigh, other;
};

static volatile sig_atomic_t stop_now;

static void on_signal(int sig)
{
	(void)sig;
	stop_now = 1;
}

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

static void handle_frame(struct fwd_if *in, struct fwd_if *out,
			 struct masq_pool *pool, struct masq_buf *b,
			 struct fwd_stats *st)
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

static void flush_out(struct fwd_if *f, struct masq_pool *pool,
		      struct fwd_stats *st)
{
	if (!f->nout)
		return;
	st->tx += afp_tx_burst(&f->port, f->out, f->nout);
	for (uint32_t i = 0; i < f->nout; i++)
		masq_pool_put(pool, f->out[i]);
	f->nout = 0;
}

/*
 * One burst from each side, each sent on before the next is read (masqd's
 * loop.c does the same). Return: frames received
 */
static uint32_t forward_once(struct fwd_if f[2], struct masq_pool *pool,
			     struct fwd_stats *st)
{
	struct masq_buf *bufs[FWD_BURST];
	uint32_t total = 0;

	for (int s = 0; s < 2; s++) {
		uint32_t n = afp_rx_burst(&f[s].port, pool, bufs, FWD_BURST,
					  (uint32_t)s);

		st->rx += n;
		total += n;
		for (uint32_t i = 0; i < n; i++)
			handle_frame(&f[s], &f[!s], pool, bufs[i], st);
		flush_out(&f[0], pool, st);	/* after each burst, as masqd */
		flush_out(&f[1], pool, st);
	}
	return total;
}

static int open_side(struct fwd_if *f, const char *name, const char *addr)
{
	struct afp_config cfg = { .vnet_hdr = true, .ring_frames = 512,
				  .mtu = 1500, .sockbuf = FWD_SOCKBUF };
	struct ifreq ifr = { 0 };
	const char *step = "";
	struct in_addr a;
	int ifindex, ret, fd;

	if (inet_pton(AF_INET, addr, &a) != 1 || strlen(name) >= IF_NAMESIZE) {
		fprintf(stderr, "fwd: bad interface or address '%s' '%s'\n",
			name, addr);
		return -1;
	}
	f->addr = a.s_addr;
	f->net = net24(a.s_addr);
	ifindex = (int)if_nametoindex(name);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	strcpy(ifr.ifr_name, name);
	if (!ifindex || fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr)) {
		fprintf(stderr, "fwd: %s: %s\n", name, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	memcpy(f->mac, ifr.ifr_hwaddr.sa_data, 6);
	ret = afp_open(&f->port, name, ifindex, &cfg, &step);
	if (ret) {
		fprintf(stderr, "fwd: %s: %s: %s\n", name, step, strerror(-ret));
		return -1;
	}
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static struct fwd_if f[2];
	struct fwd_stats st = { 0 };
	struct masq_pool *pool;
	double secs, end;

	if (argc != 6) {
		fprintf(stderr, "usage: fwd LANIF LANADDR WANIF WANADDR SECONDS\n");
		return 2;
	}
	secs = atof(argv[5]);
	if (!(secs > 0 && secs <= 3600)) {
		fprintf(stderr, "fwd: SECONDS must be in (0, 3600]\n");
		return 2;
	}
	pool = masq_pool_create(FWD_POOL, AFP_VNET_BUF_SIZE);
	if (!pool || open_side(&f[0], argv[1], argv[2]) ||
	    open_side(&f[1], argv[3], argv[4]))
		return 1;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	end = now_s() + secs;
	while (!stop_now && now_s() < end) {
		struct pollfd pfd[2] = {
			{ .fd = f[0].port.fd, .events = POLLIN },
			{ .fd = f[1].port.fd, .events = POLLIN },
		};

		if (forward_once(f, pool, &st))
			continue;
		poll(pfd, 2, 100);
	}
	afp_stats_poll(&f[0].port);
	afp_stats_poll(&f[1].port);
	fprintf(stderr, "fwd: rx %llu tx %llu drop_no_neigh %llu drop_other %llu ring_drops %llu tx_failed %llu\n",
		(unsigned long long)st.rx, (unsigned long long)st.tx,
		(unsigned long long)st.no_neigh, (unsigned long long)st.other,
		(unsigned long long)(f[0].port.st.ring_drops + f[1].port.st.ring_drops),
		(unsigned long long)(f[0].port.st.tx_failed + f[1].port.st.tx_failed));
	afp_close(&f[0].port);
	afp_close(&f[1].port);
	masq_pool_destroy(pool);
	return 0;
}
