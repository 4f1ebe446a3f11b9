// SPDX-License-Identifier: MIT
/*
 * fwd.c - a trivial IPv4 forwarder on masqd's own AF_PACKET I/O
 *
 * The ceiling of bench/e2e.sh: what any userspace router gets out of the
 * I/O layer alone. It opens src/io/afpacket.c's ports with masqd's
 * defaults (virtio-net header on, TPACKET_V2 receive ring of
 * AFP_RING_FRAMES_DEFAULT MTU-sized slots, the copy path for longer frames,
 * a transmit ring and sendmmsg, 4 MiB socket buffers, 2048 pool buffers,
 * userspace GRO on each burst: src/io/gro.c) on two interfaces and, per
 * frame, does only what a router must:
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
 * on-link /24s. One thread; poll() unless a burst was full, as masqd.
 *
 *	fwd [--io afpacket|afxdp] LANIF LANADDR WANIF WANADDR SECONDS [--no-gro]
 *
 * --io afxdp opens src/io/afxdp.c's ports instead, with masqd --io
 * afxdp's defaults (4096 + 1024 UMEM frames, copy mode on veth, no
 * virtio-net header, so no GRO): the ceiling for masqd on that backend.
 *
 * (--no-gro: without GRO, as masqd --no-gro.)
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

#include "frame.h"
#include "io/gro.h"

#define FWD_POOL	2048
#define FWD_SOCKBUF	(4u << 20)

static volatile sig_atomic_t stop_now;
static bool xdp;	/* --io afxdp */
static bool no_gro;
static struct gro_stats gro_st[2];

static void on_signal(int sig)
{
	(void)sig;
	stop_now = 1;
}

static void flush_out(struct fwd_if *f, struct masq_pool *pool,
		      struct fwd_stats *st)
{
	if (!f->nout)
		return;
	st->tx += xdp ? afxdp_tx_burst(&f->xport, f->out, f->nout) :
		  afp_tx_burst(&f->port, f->out, f->nout);
	for (uint32_t i = 0; i < f->nout; i++)
		masq_pool_put(pool, f->out[i]);
	f->nout = 0;
}

/*
 * One burst from each side, each sent on before the next is read, as
 * masqd's loop.c does. Return: true when a burst was full (more may be
 * waiting: read again before poll(), as masqd does)
 */
static bool forward_once(struct fwd_if f[2], struct masq_pool *pool,
			 struct fwd_stats *st)
{
	struct masq_buf *bufs[FWD_BURST];
	bool busy = false;

	for (int s = 0; s < 2; s++) {
		uint32_t n = xdp ? afxdp_rx_burst(&f[s].xport, pool, bufs,
						  FWD_BURST, (uint32_t)s) :
			     afp_rx_burst(&f[s].port, pool, bufs, FWD_BURST,
					  (uint32_t)s);

		st->rx += n;
		busy |= n == FWD_BURST;
		if (!no_gro && !xdp)	/* GSO frames need the vnet header */
			n = gro_burst(bufs, n, pool, &gro_st[s]);
		for (uint32_t i = 0; i < n; i++)
			fwd_frame(&f[s], &f[!s], pool, bufs[i], st);
		flush_out(&f[0], pool, st);	/* after each burst, as masqd */
		flush_out(&f[1], pool, st);
	}
	return busy;
}

static int open_side(struct fwd_if *f, const char *name, const char *addr)
{
	struct afp_config cfg = { .vnet_hdr = true,
				  .ring_frames = AFP_RING_FRAMES_DEFAULT,
				  .tx_ring_frames = AFP_TX_RING_FRAMES_DEFAULT,
				  .mtu = 1500, .sockbuf = FWD_SOCKBUF };
	struct afxdp_config xcfg = { .rx_frames = AFXDP_DEFAULT_RX_FRAMES,
				     .tx_frames = AFXDP_DEFAULT_TX_FRAMES,
				     .mtu = 1500 };
	struct ifreq ifr = { 0 };
	const char *step = "";
	struct in_addr a;
	int ifindex, ret, fd;

	if (inet_pton(AF_INET, addr, &a) != 1 || strlen(name) >= IF_NAMESIZE) {
		fprintf(stderr, "fwd: bad interface or address '%s' '%s'\n",
			name, addr);
		return -1;
	}
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
	fwd_if_init(f, a.s_addr, (const uint8_t *)ifr.ifr_hwaddr.sa_data);
	f->xport.fd = f->port.fd = -1;
	ret = xdp ? afxdp_open(&f->xport, name, ifindex, &xcfg, &step) :
		    afp_open(&f->port, name, ifindex, &cfg, &step);
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

	if (argc >= 8 && !strcmp(argv[1], "--io") &&
	    (!strcmp(argv[2], "afxdp") || !strcmp(argv[2], "afpacket"))) {
		xdp = !strcmp(argv[2], "afxdp");
		argv += 2;
		argc -= 2;
	}
	if (argc == 7 && !strcmp(argv[6], "--no-gro"))
		no_gro = true;
	else if (argc != 6) {
		fprintf(stderr, "usage: fwd [--io afpacket|afxdp] LANIF LANADDR "
			"WANIF WANADDR SECONDS [--no-gro]\n");
		return 2;
	}
	secs = atof(argv[5]);
	if (!(secs > 0 && secs <= 3600)) {
		fprintf(stderr, "fwd: SECONDS must be in (0, 3600]\n");
		return 2;
	}
	pool = masq_pool_create(FWD_POOL, AFP_VNET_BUF_SIZE);
	if (!pool || open_side(&f[0], argv[1], argv[2]) ||
	    open_side(&f[1], argv[3], argv[4])) {
		afxdp_close(&f[0].xport, true);	/* no program left behind */
		afxdp_close(&f[1].xport, true);
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	end = now_s() + secs;
	while (!stop_now && now_s() < end) {
		struct pollfd pfd[2] = {
			{ .fd = xdp ? f[0].xport.fd : f[0].port.fd,
			  .events = POLLIN },
			{ .fd = xdp ? f[1].xport.fd : f[1].port.fd,
			  .events = POLLIN },
		};

		if (forward_once(f, pool, &st))
			continue;
		poll(pfd, 2, 100);
	}
	if (xdp) {	/* AF_PACKET's names for the same counts */
		afxdp_stats_poll(&f[0].xport);
		afxdp_stats_poll(&f[1].xport);
		f[0].port.st = f[0].xport.st;
		f[1].port.st = f[1].xport.st;
	} else {
		afp_stats_poll(&f[0].port);
		afp_stats_poll(&f[1].port);
	}
	fprintf(stderr, "fwd: rx %llu tx %llu drop_no_neigh %llu drop_other %llu ring_drops %llu tx_failed %llu gro_segments %llu gro_super_frames %llu\n",
		(unsigned long long)st.rx, (unsigned long long)st.tx,
		(unsigned long long)st.no_neigh, (unsigned long long)st.other,
		(unsigned long long)(f[0].port.st.ring_drops + f[1].port.st.ring_drops),
		(unsigned long long)(f[0].port.st.tx_failed + f[1].port.st.tx_failed),
		(unsigned long long)(gro_st[0].segments + gro_st[1].segments),
		(unsigned long long)(gro_st[0].super_frames + gro_st[1].super_frames));
	if (xdp) {	/* still root: libxdp removes the programs */
		afxdp_close(&f[0].xport, true);
		afxdp_close(&f[1].xport, true);
	} else {
		afp_close(&f[0].port);
		afp_close(&f[1].port);
	}
	masq_pool_destroy(pool);
	return 0;
}
