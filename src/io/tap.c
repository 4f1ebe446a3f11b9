// SPDX-License-Identifier: MIT
/*
 * tap.c - TAP devices for the twins: open, configure, frames in and out
 *
 * Theory of operation
 *
 * Open (tap_open(), in this order, any failure closes what was made):
 *
 *	open /dev/net/tun		O_RDWR | O_NONBLOCK | O_CLOEXEC
 *	TUNSETIFF			IFF_TAP | IFF_NO_PI | IFF_VNET_HDR |
 *					IFF_TUN_EXCL: a device of that name
 *					that exists is refused (EBUSY), so
 *					an administrator's TAP is never
 *					attached to by mistake
 *	TUNSETVNETHDRSZ			10, struct virtio_net_hdr (the
 *					default, said once more)
 *	TUNSETOFFLOAD			TUN_F_CSUM | TUN_F_TSO4, or 0
 *	sysctls, before the link is up	ipv6 disable_ipv6 = 1 (no router
 *					solicitation, DAD, MLD into masqd),
 *					ipv4 forwarding = 0 (the host routes
 *					nothing between twins: masqd does),
 *					rp_filter = 0 (a reply may come back
 *					by another twin than its request left)
 *	SIOCSIFHWADDR, SIOCSIFMTU	the owned interface's MAC and MTU
 *	SIOCSIFFLAGS			up
 *
 * The TAP is not made persistent (no TUNSETPERSIST): it lives as long as
 * the descriptor, so a masqd killed with SIGKILL leaves nothing behind,
 * and its addresses and routes go with it.
 *
 * Receive: one read (readv: the header into a struct, the frame into a
 * pool buffer at ->data) per frame, up to a burst; a TAP has no
 * recvmmsg. EAGAIN ends the burst. A frame that fills the buffer to its
 * end or beyond (the kernel copies what fits and reports the whole
 * length) may have been cut, and no whole frame does that (buffers hold
 * the largest frame with room to spare: setup.c), so it is dropped and
 * counted, as is one shorter than an Ethernet header.
 * Transmit: one writev per frame, {header, frame}; the kernel takes it
 * into the host's stack at once (no queue to fill), so a write only fails
 * when the device is down (EIO), gone (EBADFD) or out of memory: the
 * frame is dropped and counted, never retried.
 *
 * What the device does meanwhile is read from the errors (EBADFD: deleted
 * by someone; EIO: set down), kept in ->err for the caller, and from
 * tap_link_state(): TUNGETIFF on the descriptor (its name now, or EBADFD)
 * and SIOCGIFFLAGS (up or not): two system calls, for a check once a
 * second.
 *
 * Nothing here allocates after tap_open().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "io/tap.h"
#include "io/vnet.h"

#define TUN_PATH	"/dev/net/tun"

const char *const tap_link_names[TAP_LINK_NUM] = {
	[TAP_LINK_UP]		= "up",
	[TAP_LINK_DOWN]		= "down",
	[TAP_LINK_GONE]		= "gone",
	[TAP_LINK_UNKNOWN]	= "unknown",
};
_Static_assert(sizeof(tap_link_names) / sizeof(tap_link_names[0]) ==
	       TAP_LINK_NUM, "a name for each state");

/**
 * tap_init() - A closed TAP (tap_close() on it does nothing)
 * @t:		the TAP
 */
void tap_init(struct tap *t)
{
	memset(t, 0, sizeof(*t));
	t->fd = -1;
	t->sock = -1;
}

/* Write "VAL\n" to /proc/sys/net/FAMILY/conf/NAME/KEY */
static int conf_write(const char *family, const char *name, const char *key,
		      int val)
{
	char path[128], text[16];
	int fd, n, ret = 0;

	snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/%s", family,
		 name, key);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = snprintf(text, sizeof(text), "%d\n", val);
	if (write(fd, text, (size_t)n) != n)
		ret = errno ? -errno : -EIO;
	close(fd);
	return ret;
}

/* The host must not forward, speak IPv6 or filter by reverse path here */
static int tap_sysctls(const char *name, const char **step)
{
	int ret = conf_write("ipv6", name, "disable_ipv6", 1);

	if (ret && ret != -ENOENT) {	/* ENOENT: a kernel without IPv6 */
		*step = "sysctl net.ipv6.conf.TWIN.disable_ipv6=1";
		return ret;
	}
	ret = conf_write("ipv4", name, "forwarding", 0);
	if (ret) {
		*step = "sysctl net.ipv4.conf.TWIN.forwarding=0";
		return ret;
	}
	ret = conf_write("ipv4", name, "rp_filter", 0);
	if (ret)
		*step = "sysctl net.ipv4.conf.TWIN.rp_filter=0";
	return ret;
}

static int if_ioctl(const struct tap *t, unsigned long req, struct ifreq *ifr,
		    const char **step, const char *what)
{
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", t->name);
	if (ioctl(t->sock, req, ifr) == 0)
		return 0;
	*step = what;
	return -errno;
}

/* MAC, MTU, index, then up: the link as the owned interface is */
static int tap_link_setup(struct tap *t, const struct tap_config *cfg,
			  const char **step)
{
	struct ifreq ifr;
	int ret;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memcpy(ifr.ifr_hwaddr.sa_data, cfg->mac, ETH_ALEN);
	ret = if_ioctl(t, SIOCSIFHWADDR, &ifr, step, "SIOCSIFHWADDR (the MAC)");
	if (ret)
		return ret;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_mtu = (int)cfg->mtu;
	ret = if_ioctl(t, SIOCSIFMTU, &ifr, step, "SIOCSIFMTU");
	if (ret)
		return ret;
	memset(&ifr, 0, sizeof(ifr));
	ret = if_ioctl(t, SIOCGIFINDEX, &ifr, step, "SIOCGIFINDEX");
	if (ret)
		return ret;
	t->ifindex = ifr.ifr_ifindex;
	memset(&ifr, 0, sizeof(ifr));
	ret = if_ioctl(t, SIOCGIFFLAGS, &ifr, step, "SIOCGIFFLAGS");
	if (ret)
		return ret;
	ifr.ifr_flags |= IFF_UP;
	return if_ioctl(t, SIOCSIFFLAGS, &ifr, step, "SIOCSIFFLAGS (up)");
}

/* The device itself: TUNSETIFF and the header and offload settings */
static int tap_create(struct tap *t, const struct tap_config *cfg,
		      const char **step)
{
	unsigned int off = cfg->offload ? TUN_F_CSUM | TUN_F_TSO4 : 0;
	int hdr = sizeof(struct virtio_net_hdr);
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", cfg->name);
	/* IFF_TUN_EXCL is 0x8000: the short's sign bit, as the kernel reads it;
	 * without it TUNSETIFF attaches to an existing TAP of that name */
	ifr.ifr_flags = (short)(IFF_TAP | IFF_NO_PI | IFF_VNET_HDR |
				(cfg->adopt ? 0 : IFF_TUN_EXCL));
	if (ioctl(t->fd, TUNSETIFF, &ifr)) {
		*step = "TUNSETIFF";
		return -errno;
	}
	snprintf(t->name, sizeof(t->name), "%s", ifr.ifr_name);
	if (cfg->persist && ioctl(t->fd, TUNSETPERSIST, 1)) {
		*step = "TUNSETPERSIST";
		return -errno;
	}
	if (ioctl(t->fd, TUNSETVNETHDRSZ, &hdr)) {
		*step = "TUNSETVNETHDRSZ";
		return -errno;
	}
	if (ioctl(t->fd, TUNSETOFFLOAD, off)) {
		*step = "TUNSETOFFLOAD";
		return -errno;
	}
	return 0;
}

/**
 * tap_open() - Make a TAP device, configured and up
 * @t:		filled (tap_init() state on failure)
 * @cfg:	name, MAC, MTU, offloads
 * @step:	on failure, names the step that failed
 *
 * Return: 0, or -errno (-EBUSY: a device of that name exists; nothing
 * is left behind)
 */
static int (*tun_opener)(void);	/* NULL: open(TUN_PATH) here */

/**
 * tap_set_opener() - Have /dev/net/tun opened by someone else
 * @open_tun:	returns a descriptor of TUN_PATH (O_RDWR | O_NONBLOCK |
 *		O_CLOEXEC) or -errno; NULL to open it here again
 *
 * masqd's packet process, which runs as a user that may not open
 * /dev/net/tun (0600 on some systems), asks its privileged helper.
 */
void tap_set_opener(int (*open_tun)(void))
{
	tun_opener = open_tun;
}

int tap_open(struct tap *t, const struct tap_config *cfg, const char **step)
{
	int ret;

	tap_init(t);
	t->fd = tun_opener ? tun_opener() :
		open(TUN_PATH, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0) {
		ret = tun_opener ? t->fd : -errno;
		t->fd = -1;
		*step = "open " TUN_PATH;
		return ret;
	}
	t->sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (t->sock < 0) {
		*step = "socket for interface ioctls";
		ret = -errno;
		goto fail;
	}
	ret = tap_create(t, cfg, step);
	if (!ret)
		ret = tap_sysctls(t->name, step);
	if (!ret)
		ret = tap_link_setup(t, cfg, step);
	if (!ret)
		return 0;
	if (cfg->persist && strcmp(*step, "TUNSETIFF") && !cfg->adopt)
		tap_unpersist(t);	/* made here: nothing left behind */
fail:
	tap_close(t);
	return ret;
}

/**
 * tap_open_fd() - A TAP over a descriptor the caller made
 * @t:		filled
 * @name:	a name, for messages
 * @fd:		a datagram socket standing in for the device (the fuzzer's
 *		socketpair); it becomes the TAP's: tap_close() closes it
 *
 * Return: 0
 */
int tap_open_fd(struct tap *t, const char *name, int fd)
{
	tap_init(t);
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->fd = fd;
	return 0;
}

/**
 * tap_unpersist() - The device goes with its last descriptor again
 * @t:		an open TAP
 *
 * One ioctl: async-signal-safe, so the fatal-signal handler (crash.c)
 * uses it and the kernel removes the twin when the process is gone.
 * Return: 0, or -errno
 */
int tap_unpersist(const struct tap *t)
{
	if (t->fd < 0 || ioctl(t->fd, TUNSETPERSIST, 0))
		return t->fd < 0 ? -EBADF : -errno;
	return 0;
}

/**
 * tap_close() - Close the device (a non-persistent TAP is then removed)
 * @t:		the TAP (closed already: nothing happens)
 */
void tap_close(struct tap *t)
{
	if (t->fd >= 0)
		close(t->fd);
	if (t->sock >= 0)
		close(t->sock);
	t->fd = -1;
	t->sock = -1;
}

/* One frame into one buffer; NULL at the end of the burst or a drop */
static struct masq_buf *rx_one(struct tap *t, struct masq_pool *pool,
			       struct tap_stats *st, bool *more)
{
	struct virtio_net_hdr v;
	struct masq_buf *b = masq_pool_get(pool);
	struct iovec iov[2];
	size_t room;
	ssize_t n;

	*more = false;
	if (!b) {		/* leave the frames in the device's queue */
		st->rx_no_buf++;
		return NULL;
	}
	room = b->cap - (size_t)(b->data - b->base);
	iov[0] = (struct iovec){ &v, sizeof(v) };
	iov[1] = (struct iovec){ b->data, room };
	n = readv(t->fd, iov, 2);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			t->err = errno;
		masq_pool_put(pool, b);
		return NULL;
	}
	*more = true;
	if ((size_t)n < sizeof(v) + ETH_HLEN || (size_t)n - sizeof(v) >= room) {
		st->rx_dropped++;
		masq_pool_put(pool, b);
		return NULL;
	}
	b->len = (uint32_t)((size_t)n - sizeof(v));
	vnet_to_meta(&v, &b->meta);
	return b;
}

/**
 * tap_rx_burst() - Read up to @max frames the host sent into the TAP
 * @t:		the TAP
 * @pool:	buffers come from here
 * @bufs:	filled with the frames, ->iface and ->meta set
 * @max:	room in @bufs
 * @iface:	the ->iface to stamp on each (masqd: the engine index with
 *		MASQ_IFACE_TWIN)
 * @st:		counters
 *
 * A read error other than EAGAIN is left in @t->err.
 * Return: number of frames in @bufs
 */
uint32_t tap_rx_burst(struct tap *t, struct masq_pool *pool,
		      struct masq_buf **bufs, uint32_t max, uint32_t iface,
		      struct tap_stats *st)
{
	uint32_t n = 0, reads = 0;
	bool more = true;

	if (t->fd < 0)
		return 0;
	while (n < max && reads < max && more) {
		struct masq_buf *b = rx_one(t, pool, st, &more);

		reads++;
		if (!b)
			continue;
		b->iface = iface;
		st->rx_frames++;
		st->rx_bytes += b->len;
		bufs[n++] = b;
	}
	return n;
}

/**
 * tap_tx() - Write one frame into the host through the TAP
 * @t:		the TAP
 * @b:		the frame (stays the caller's)
 * @st:		counters
 *
 * Never blocks. A failure is counted (tx_dropped, tx_last_errno); one
 * that says the device is down or gone is also left in @t->err.
 * Return: 0, or -errno
 */
int tap_tx(struct tap *t, const struct masq_buf *b, struct tap_stats *st)
{
	struct virtio_net_hdr v;
	struct iovec iov[2];
	ssize_t n;

	if (t->fd < 0) {
		st->tx_dropped++;
		st->tx_last_errno = ENODEV;
		return -ENODEV;
	}
	vnet_from_meta(&b->meta, &v);
	iov[0] = (struct iovec){ &v, sizeof(v) };
	iov[1] = (struct iovec){ b->data, b->len };
	do
		n = writev(t->fd, iov, 2);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		int e = errno;

		st->tx_dropped++;
		st->tx_last_errno = e;
		if (e == EBADFD || e == EIO || e == ENODEV)
			t->err = e;
		return -e;
	}
	st->tx_frames++;
	st->tx_bytes += b->len;
	return 0;
}

/**
 * tap_link_state() - Is the device still there, and up?
 * @t:		the TAP; @t->name follows a rename
 *
 * Two system calls; for a periodic check, not per frame.
 * Return: what was found
 */
enum tap_link tap_link_state(struct tap *t)
{
	struct ifreq ifr;

	if (t->fd < 0)
		return TAP_LINK_GONE;
	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(t->fd, TUNGETIFF, &ifr))
		return errno == EBADFD ? TAP_LINK_GONE : TAP_LINK_UNKNOWN;
	snprintf(t->name, sizeof(t->name), "%s", ifr.ifr_name);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", t->name);
	if (t->sock < 0 || ioctl(t->sock, SIOCGIFFLAGS, &ifr))
		return TAP_LINK_UNKNOWN;	/* renamed between the two */
	return ifr.ifr_flags & IFF_UP ? TAP_LINK_UP : TAP_LINK_DOWN;
}
