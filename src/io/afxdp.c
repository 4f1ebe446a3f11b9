// SPDX-License-Identifier: MIT
/*
 * afxdp.c - AF_XDP I/O: a UMEM, fill/RX and TX/completion rings, one kick
 * per burst
 *
 * Theory of operation (see afxdp.h for the limits)
 *
 * Open (as root, before the privileges are dropped): RLIMIT_MEMLOCK
 * raised (the UMEM is pinned), the UMEM mapped (anonymous, page-aligned)
 * and registered with libxdp's xsk_umem__create(), the socket made with
 * xsk_socket__create() on its queue; so for each queue of the port. The
 * first socket on an interface loads libxdp's default program and
 * attaches it (native XDP where the driver has it, else generic); every
 * socket goes into the program's XSKMAP at its queue's index (libxdp
 * finds the program already there for the others, in this port or
 * another thread's). Zero-copy is tried first, copy mode after;
 * XDP_USE_NEED_WAKEUP either way. Then every receive frame goes into
 * the fill ring. A port of several sockets gets an epoll descriptor
 * over them, which is what the caller polls.
 *
 * Receive: socket by socket, starting one further each burst (so no
 * queue starves another), peek up to @max RX descriptors; copy each frame into a pool
 * buffer; give every frame's address straight back to the fill ring (the
 * fill ring is as large as the receive frames, so there is always room);
 * release the RX descriptors. No system call unless the kernel asks for
 * a fill-ring wakeup (zero-copy drivers do; copy mode does not).
 *
 * Transmit: reclaim the completion ring; for each frame take a free
 * transmit frame (umem.h), copy, write a descriptor; submit the batch;
 * then kick with sendto() until the kernel has consumed the TX ring (in
 * copy mode one kick sends at most 32 descriptors: netlab README),
 * reclaiming completions after every kick. A frame with no transmit
 * frame left, or too long for one, is counted and skipped; nothing
 * blocks and nothing is allocated.
 *
 * Statistics: XDP_STATISTICS is cumulative (unlike PACKET_STATISTICS), so
 * afxdp_stats_poll() copies it rather than adding.
 *
 * Without libxdp at build time (MASQ_HAVE_XDP undefined) everything here
 * compiles to refusals: afxdp_open() says how to get AF_XDP support.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "io/afxdp.h"
#include "io/umem.h"

/**
 * afxdp_rx_queues() - How many receive queues an interface has
 * @name:	interface name
 *
 * From /sys/class/net/NAME/queues (rx-0, rx-1, ...).
 * Return: the count, or -errno when sysfs cannot tell
 */
int afxdp_rx_queues(const char *name)
{
	char path[64 + IF_NAMESIZE];
	struct dirent *e;
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", name);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((e = readdir(dir)))
		n += !strncmp(e->d_name, "rx-", 3);
	closedir(dir);
	return n;
}

#ifndef MASQ_HAVE_XDP

/*
 * Built without libxdp: each function below keeps its contract (see the
 * kernel-doc of the real ones after #else) by refusing or doing nothing;
 * afxdp_open() says how to get AF_XDP support.
 */
bool afxdp_built(void)
{
	return false;
}

int afxdp_open(struct afxdp_port *p, const char *name, int ifindex,
	       const struct afxdp_config *cfg, const char **step)
{
	(void)cfg;
	memset(p, 0, sizeof(*p));
	p->fd = -1;
	p->ifindex = ifindex;
	snprintf(p->name, sizeof(p->name), "%s", name);
	*step = "masqd was built without AF_XDP support (install libxdp-dev "
		"and rebuild)";
	return -EOPNOTSUPP;
}

void afxdp_close(struct afxdp_port *p, bool detach)
{
	(void)detach;
	p->fd = -1;
}

uint32_t afxdp_rx_burst(struct afxdp_port *p, struct masq_pool *pool,
			struct masq_buf **bufs, uint32_t max, uint32_t iface)
{
	(void)p, (void)pool, (void)bufs, (void)max, (void)iface;
	return 0;
}

uint32_t afxdp_tx_burst(struct afxdp_port *p, struct masq_buf **bufs,
			uint32_t n)
{
	(void)p, (void)bufs;
	return n ? 0 : 0;
}

void afxdp_stats_poll(struct afxdp_port *p)
{
	(void)p;
}

int afxdp_clear_error(struct afxdp_port *p)
{
	(void)p;
	return 0;
}

#else /* MASQ_HAVE_XDP */

#include <stdarg.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include <xdp/xsk.h>

/* Kicks per burst at most: 32 descriptors each in copy mode, and spare */
#define AFXDP_KICK_SLACK	8

/* The rings, the UMEM and what libxdp made (one per socket) */
struct afxdp_ring {
	int fd;
	uint32_t queue;
	struct xsk_ring_prod fill;
	struct xsk_ring_cons comp;
	struct xsk_ring_cons rx;
	struct xsk_ring_prod tx;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	uint8_t *area;
	size_t area_len;
	uint32_t rx_frames;
	struct umem_frames fr;
	uint64_t stack[];	/* fr's free transmit frames */
};

/**
 * afxdp_built() - Was masqd built with libxdp?
 *
 * Return: true
 */
bool afxdp_built(void)
{
	return true;
}

/*
 * libbpf's and libxdp's own messages: warnings only, to stderr (masqd
 * says what failed itself; their info lines, such as libxdp's expected
 * "No bpffs found" under ip netns exec, are noise in its log)
 */
static int lib_warn(const char *fmt, va_list ap)
{
	fputs("masqd: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	return level == LIBBPF_WARN ? lib_warn(fmt, ap) : 0;
}

static int libxdp_print(enum libxdp_print_level level, const char *fmt,
			va_list ap)
{
	return level == LIBXDP_WARN ? lib_warn(fmt, ap) : 0;
}

/* The UMEM must stay pinned: lift the lock limit while still root */
static int raise_memlock(void)
{
	struct rlimit r = { RLIM_INFINITY, RLIM_INFINITY };

	return setrlimit(RLIMIT_MEMLOCK, &r) ? -errno : 0;
}

static struct afxdp_ring *ring_alloc(const struct afxdp_config *cfg)
{
	/* the free stack, then a byte per transmit frame (umem.h) */
	struct afxdp_ring *r = calloc(1, sizeof(*r) +
				      cfg->tx_frames * (sizeof(uint64_t) + 1));

	if (!r)
		return NULL;
	r->fd = -1;
	r->rx_frames = cfg->rx_frames;
	r->area_len = (size_t)(cfg->rx_frames + cfg->tx_frames) *
		      UMEM_FRAME_SIZE;
	r->area = mmap(NULL, r->area_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->area == MAP_FAILED) {
		free(r);
		return NULL;
	}
	/* the privileged helper (a fork) gets no copy of the pinned pages */
	madvise(r->area, r->area_len, MADV_DONTFORK);
	umem_frames_init(&r->fr, r->stack, (uint8_t *)(r->stack + cfg->tx_frames),
			 cfg->rx_frames, cfg->tx_frames);
	return r;
}

static int umem_create(struct afxdp_ring *r, const struct afxdp_config *cfg)
{
	struct xsk_umem_config uc = {
		.fill_size = cfg->rx_frames,
		.comp_size = cfg->tx_frames,
		.frame_size = UMEM_FRAME_SIZE,
		.frame_headroom = 0,
	};

	return xsk_umem__create(&r->umem, r->area, r->area_len, &r->fill,
				&r->comp, &uc);
}

/* Zero-copy first (unless told not to), then copy mode; Return: 1 for
 * zero-copy, 0 for copy mode, or -errno */
static int socket_create(struct afxdp_port *p, struct afxdp_ring *r,
			 const struct afxdp_config *cfg)
{
	struct xsk_socket_config sc = {
		.rx_size = cfg->rx_frames,
		.tx_size = cfg->tx_frames,
		.bind_flags = XDP_ZEROCOPY | XDP_USE_NEED_WAKEUP,
	};
	int ret = -EOPNOTSUPP;

	if (!cfg->force_copy)
		ret = xsk_socket__create(&r->xsk, p->name, r->queue, r->umem,
					 &r->rx, &r->tx, &sc);
	if (!ret)
		return 1;
	sc.bind_flags = XDP_COPY | XDP_USE_NEED_WAKEUP;
	return xsk_socket__create(&r->xsk, p->name, r->queue, r->umem, &r->rx,
				  &r->tx, &sc);
}

/* Every receive frame into the fill ring */
static int fill_all(struct afxdp_ring *r)
{
	uint32_t idx = 0;

	if (xsk_ring_prod__reserve(&r->fill, r->rx_frames, &idx) !=
	    r->rx_frames)
		return -ENOSPC;
	for (uint32_t i = 0; i < r->rx_frames; i++)
		*xsk_ring_prod__fill_addr(&r->fill, idx + i) = umem_rx_addr(i);
	xsk_ring_prod__submit(&r->fill, r->rx_frames);
	return 0;
}

/* The queues of the port: @first, @first + @step, ... below the count */
static int pick_queues(struct afxdp_port *p, const struct afxdp_config *cfg,
		       const char **step)
{
	int q = afxdp_rx_queues(p->name);
	uint32_t inc = cfg->queue_step > 1 ? cfg->queue_step : 1;

	p->rxq = q > 0 ? (uint32_t)q : 1;	/* no sysfs: queue 0 alone */
	for (uint32_t i = cfg->queue_first; i < p->rxq; i += inc) {
		if (p->nq == AFXDP_MAX_QUEUES) {	/* setup, one thread */
			static char msg[200];

			snprintf(msg, sizeof(msg), "%u receive queues: at most "
				 "%d sockets a thread (ethtool -L %s combined "
				 "N, or more --workers)", p->rxq,
				 AFXDP_MAX_QUEUES, p->name);
			*step = msg;
			return -EOPNOTSUPP;
		}
		p->queue[p->nq++] = i;
	}
	return 0;
}

static int check_config(struct afxdp_port *p, const struct afxdp_config *cfg,
			const char **step)
{

	if (!umem_ring_size_ok(cfg->rx_frames) ||
	    !umem_ring_size_ok(cfg->tx_frames)) {
		*step = "ring sizes must be powers of two from 64 to 65536";
		return -EINVAL;
	}
	if (!umem_mtu_fits(cfg->mtu)) {
		*step = "the MTU does not fit a 2 KiB UMEM frame (at most "
			"1774 with --io afxdp; lower it or use --io afpacket)";
		return -EMSGSIZE;
	}
	return pick_queues(p, cfg, step);
}

/* One socket of the port: its UMEM, the socket on its queue, the fill */
static int open_queue(struct afxdp_port *p, uint32_t i,
		      const struct afxdp_config *cfg, const char **step)
{
	struct afxdp_ring *r = ring_alloc(cfg);
	int ret;

	if (!r) {
		*step = "allocating the UMEM";
		return -ENOMEM;
	}
	p->r[i] = r;
	r->queue = p->queue[i];
	ret = umem_create(r, cfg);
	if (ret) {
		*step = "registering the UMEM (xsk_umem__create)";
		return ret;
	}
	ret = socket_create(p, r, cfg);
	if (ret < 0) {
		*step = "creating the AF_XDP socket and attaching the XDP "
			"program (xsk_socket__create)";
		return ret;
	}
	p->zerocopy &= ret == 1;
	r->fd = xsk_socket__fd(r->xsk);
	ret = fill_all(r);
	if (ret)
		*step = "filling the fill ring";
	return ret;
}

/* Several sockets: one epoll descriptor the caller polls for them all */
static int poll_set(struct afxdp_port *p, const char **step)
{
	if (p->nq < 2) {
		p->fd = p->nq ? p->r[0]->fd : -1;
		return 0;
	}
	p->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (p->epfd < 0) {
		*step = "making the epoll descriptor over the queues' sockets";
		return -errno;
	}
	for (uint32_t i = 0; i < p->nq; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = i };

		if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, p->r[i]->fd, &ev)) {
			*step = "adding a queue's socket to the epoll descriptor";
			return -errno;
		}
	}
	p->fd = p->epfd;
	return 0;
}

/**
 * afxdp_open() - Open an AF_XDP port on one interface: a socket on each
 *		  of its queues @cfg picks
 * @p:		port to fill
 * @name:	interface name
 * @ifindex:	kernel interface index
 * @cfg:	ring sizes, MTU, mode, queues
 * @step:	on failure, names the step that failed
 *
 * Needs root (see afxdp.h). Attaches the XDP program: from here on the
 * frames of those queues reach these sockets only. @cfg may pick no
 * queue (@queue_first past the count): then @p->nq is 0, nothing opened.
 * Return: 0, or -errno (the port is then closed, the program detached)
 */
int afxdp_open(struct afxdp_port *p, const char *name, int ifindex,
	       const struct afxdp_config *cfg, const char **step)
{
	int ret;

	memset(p, 0, sizeof(*p));
	p->fd = -1;
	p->epfd = -1;
	p->ifindex = ifindex;
	p->zerocopy = true;
	snprintf(p->name, sizeof(p->name), "%s", name);
	ret = check_config(p, cfg, step);
	if (ret)
		return ret;
	libbpf_set_print(libbpf_print);
	libxdp_set_print(libxdp_print);
	raise_memlock();	/* best effort: CAP_IPC_LOCK may do instead */
	for (uint32_t i = 0; i < p->nq && !ret; i++)
		ret = open_queue(p, i, cfg, step);
	if (!ret)
		ret = poll_set(p, step);
	if (!ret)
		return 0;
	afxdp_close(p, true);
	return ret < 0 ? ret : -ret;
}

/**
 * afxdp_close() - Close the socket and free the UMEM
 * @p:		port (may be half-open or closed)
 * @detach:	also remove the XDP program through libxdp (bpf(): only
 *		while privileged); false: close and unmap only, the
 *		program stays for the privileged helper to detach
 */
void afxdp_close(struct afxdp_port *p, bool detach)
{
	for (uint32_t i = 0; i < AFXDP_MAX_QUEUES; i++) {
		struct afxdp_ring *r = p->r[i];

		if (!r)
			continue;
		if (detach) {
			if (r->xsk)
				xsk_socket__delete(r->xsk);
			if (r->umem)
				xsk_umem__delete(r->umem);
		} else if (r->fd >= 0) {
			close(r->fd);	/* libxdp's mappings go with the process */
		}
		munmap(r->area, r->area_len);
		free(r);
		p->r[i] = NULL;
	}
	if (p->nq > 1 && p->epfd >= 0)	/* (a zeroed port has none) */
		close(p->epfd);
	p->epfd = -1;
	p->fd = -1;
}

/* Kick a fill-ring wakeup when the kernel asks for one (zero-copy) */
static void rx_wakeup(struct afxdp_ring *r)
{
	if (xsk_ring_prod__needs_wakeup(&r->fill))
		recvfrom(r->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
}

/* One RX descriptor into a pool buffer, or NULL (dropped, counted) */
static struct masq_buf *rx_one(struct afxdp_port *p, struct afxdp_ring *r,
			       struct masq_pool *pool, const struct xdp_desc *d)
{
	struct masq_buf *b;

	if (!umem_rx_desc_ok(r->rx_frames, d->addr, d->len)) {
		p->st.rx_truncated++;	/* a descriptor the kernel cannot make */
		return NULL;
	}
	b = masq_pool_get(pool);
	if (!b) {
		p->st.rx_no_buf++;
		return NULL;
	}
	if ((size_t)(b->data - b->base) + d->len > b->cap) {
		p->st.rx_too_big++;
		masq_pool_put(pool, b);
		return NULL;
	}
	memcpy(b->data, xsk_umem__get_data(r->area, d->addr), d->len);
	b->len = d->len;
	p->st.rx_frames++;
	p->st.rx_bytes += d->len;
	return b;
}

/* Up to @max frames from one socket's RX ring; Return: how many */
static uint32_t rx_ring(struct afxdp_port *p, struct afxdp_ring *r,
			struct masq_pool *pool, struct masq_buf **bufs,
			uint32_t max, uint32_t iface)
{
	uint32_t idx = 0, fidx = 0, got, n = 0;

	got = xsk_ring_cons__peek(&r->rx, max, &idx);
	if (!got) {
		rx_wakeup(r);
		return 0;
	}
	/* cannot fail: the fill ring holds every receive frame */
	if (xsk_ring_prod__reserve(&r->fill, got, &fidx) != got) {
		xsk_ring_cons__cancel(&r->rx, got);
		return 0;
	}
	for (uint32_t i = 0; i < got; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&r->rx, idx + i);
		struct masq_buf *b = rx_one(p, r, pool, d);

		*xsk_ring_prod__fill_addr(&r->fill, fidx + i) =
			umem_frame_base(d->addr);
		if (!b)
			continue;
		b->iface = iface;
		bufs[n++] = b;
	}
	xsk_ring_prod__submit(&r->fill, got);
	xsk_ring_cons__release(&r->rx, got);
	return n;
}

/**
 * afxdp_rx_burst() - Take up to @max frames from the port's RX rings
 * @p:		port
 * @pool:	buffers come from here
 * @bufs:	filled with the frames, ->iface set
 * @max:	room in @bufs
 * @iface:	engine interface index to stamp on each frame
 *
 * The sockets in turn, from @p->next, which moves on one each burst: a
 * busy queue cannot keep another's frames waiting past one burst.
 * Return: number of frames in @bufs (less than @max: the rings are
 * empty, or frames were dropped)
 */
uint32_t afxdp_rx_burst(struct afxdp_port *p, struct masq_pool *pool,
			struct masq_buf **bufs, uint32_t max, uint32_t iface)
{
	uint32_t n = 0;

	if (p->nq == 1)
		return rx_ring(p, p->r[0], pool, bufs, max, iface);
	for (uint32_t i = 0; i < p->nq && n < max; i++)
		n += rx_ring(p, p->r[(p->next + i) % p->nq], pool, bufs + n,
			     max - n, iface);
	if (p->nq)
		p->next = (p->next + 1) % p->nq;
	return n;
}

/* Completed transmit frames back on the free stack */
static void tx_reclaim(struct afxdp_port *p)
{
	struct afxdp_ring *r = p->r[0];
	uint32_t idx = 0, n = xsk_ring_cons__peek(&r->comp, r->fr.tx_frames, &idx);

	for (uint32_t i = 0; i < n; i++)
		umem_tx_put(&r->fr, umem_frame_base(
			*xsk_ring_cons__comp_addr(&r->comp, idx + i)));
	if (n)
		xsk_ring_cons__release(&r->comp, n);
	p->xs.bad_addr = r->fr.bad_addr;
}

/* Descriptors the kernel has not consumed yet */
static uint32_t tx_pending(struct afxdp_ring *r)
{
	return r->tx.size - xsk_prod_nb_free(&r->tx, r->tx.size);
}

/* Kick until the TX ring is consumed (bounded), reclaiming as we go */
static void tx_kick(struct afxdp_port *p)
{
	struct afxdp_ring *r = p->r[0];
	uint32_t left = tx_pending(r), kicks = left / 32 + AFXDP_KICK_SLACK;

	while (left && kicks--) {
		if (sendto(r->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 &&
		    errno != EAGAIN && errno != EBUSY && errno != ENOBUFS &&
		    errno != EINTR) {
			p->st.tx_failed++;
			p->st.tx_last_errno = errno;
			break;
		}
		tx_reclaim(p);
		left = tx_pending(r);
	}
}

/* Up to @n frames onto the TX ring; Return: how many went on */
static uint32_t tx_queue(struct afxdp_port *p, struct masq_buf **bufs,
			 uint32_t n)
{
	struct afxdp_ring *r = p->r[0];
	uint32_t idx = 0, k = 0, room = xsk_prod_nb_free(&r->tx, n);

	if (room < n)
		n = room;
	if (r->fr.nfree < n)	/* the rest waits for completions */
		n = r->fr.nfree;
	if (!n || xsk_ring_prod__reserve(&r->tx, n, &idx) != n)
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		struct masq_buf *b = bufs[i];
		struct xdp_desc *d;
		uint64_t addr = 0;

		if (b->len > UMEM_FRAME_SIZE) {
			p->st.tx_failed++;
			p->st.tx_last_errno = EMSGSIZE;
			continue;
		}
		umem_tx_get(&r->fr, &addr);	/* n <= nfree: cannot fail */
		memcpy(xsk_umem__get_data(r->area, addr), b->data, b->len);
		d = xsk_ring_prod__tx_desc(&r->tx, idx + k++);
		d->addr = addr;
		d->len = b->len;
		d->options = 0;
		p->st.tx_bytes += b->len;
	}
	/*
	 * a frame too long was skipped: give its reserved slot back (the
	 * producer's cached index is ours until submit)
	 */
	r->tx.cached_prod -= n - k;
	xsk_ring_prod__submit(&r->tx, k);
	p->st.tx_frames += k;
	return n;
}

/**
 * afxdp_tx_burst() - Send frames out of this port
 * @p:		port
 * @bufs:	frames (their buffers stay the caller's: put them back after)
 * @n:		how many
 *
 * On the port's first socket. One batch of descriptors per ring's
 * worth, then kicks until the kernel has taken them. Never blocks. A
 * port with no socket sends nothing (counted in tx_no_frame).
 * Return: number of frames handed to the kernel
 */
uint32_t afxdp_tx_burst(struct afxdp_port *p, struct masq_buf **bufs,
			uint32_t n)
{
	uint64_t before = p->st.tx_frames;
	uint32_t done = 0;

	if (!p->nq) {
		p->xs.tx_no_frame += n;
		return 0;
	}
	tx_reclaim(p);
	while (done < n) {
		uint32_t k = tx_queue(p, bufs + done, n - done);

		tx_kick(p);
		if (!k) {	/* the ring stays full: the rest is dropped */
			p->xs.tx_no_frame += n - done;
			break;
		}
		done += k;
	}
	return (uint32_t)(p->st.tx_frames - before);
}

/**
 * afxdp_stats_poll() - Read the sockets' XDP_STATISTICS
 * @p:		port
 *
 * Cumulative in the kernel: the sockets' summed and copied, not added.
 * AF_PACKET's ring_drops (the kernel had no room for a frame) is
 * rx_dropped + rx_ring_full.
 */
void afxdp_stats_poll(struct afxdp_port *p)
{
	struct xdp_statistics sum = { 0 };

	for (uint32_t i = 0; i < p->nq; i++) {
		struct xdp_statistics s;
		socklen_t len = sizeof(s);

		if (!p->r[i] || p->r[i]->fd < 0 ||
		    getsockopt(p->r[i]->fd, SOL_XDP, XDP_STATISTICS, &s, &len))
			return;	/* closed: keep the last */
		sum.rx_dropped += s.rx_dropped;
		sum.rx_ring_full += s.rx_ring_full;
		sum.rx_fill_ring_empty_descs += s.rx_fill_ring_empty_descs;
		sum.tx_invalid_descs += s.tx_invalid_descs;
	}
	p->xs.rx_dropped = sum.rx_dropped;
	p->xs.rx_ring_full = sum.rx_ring_full;
	p->xs.fill_ring_empty = sum.rx_fill_ring_empty_descs;
	p->xs.tx_invalid = sum.tx_invalid_descs;
	/* no frame free is the RX ring full by another name: all of the
	 * receive frames wait in it */
	p->st.ring_drops = sum.rx_dropped + sum.rx_ring_full;
}

/**
 * afxdp_clear_error() - Read and clear pending socket errors (POLLERR)
 * @p:		port
 *
 * Return: the last errno that was pending on one of its sockets, or 0
 */
int afxdp_clear_error(struct afxdp_port *p)
{
	int last = 0;

	for (uint32_t i = 0; i < p->nq; i++) {
		socklen_t len = sizeof(int);
		int err = 0;

		if (!p->r[i] || getsockopt(p->r[i]->fd, SOL_SOCKET, SO_ERROR,
					   &err, &len))
			continue;
		if (err) {
			p->st.sock_errors++;
			last = err;
		}
	}
	return last;
}

#endif /* MASQ_HAVE_XDP */
