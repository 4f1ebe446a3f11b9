// SPDX-License-Identifier: MIT
/*
 * workers.c - masqd --workers N: n engines, one packet thread each
 *
 * Theory of operation (docs/design.md, "Workers", for the engine's side):
 *
 * Worker 0 is the loop thread and keeps everything it had: the control
 * socket, the signals, the takeover, the twins, the host watch, the
 * daemon's engine, pool and sockets. Workers 1..n-1 are threads made
 * here after the sandbox (seccomp allows threads; the filter is on every
 * thread by TSYNC and inherited), each pinned to CPU k, with its own
 * engine (masq_engine_set_worker(k, n): the slice k of the ports), its
 * own pool and its own AF_PACKET socket on each interface, opened while
 * masqd is still privileged. The sockets of an interface form one
 * PACKET_FANOUT_CBPF group (afp_join_fanout(): a classic BPF program
 * picks the socket from the headers: on the external side by destination
 * port, the owner itself for replies; on the internal side by the source
 * address), so each flow keeps one socket, in order.
 *
 * The program is not masq_steer() (a keyed 64-bit hash BPF cannot
 * compute): each worker steers every
 * frame it receives against the published picture (struct masq_steer)
 * and keeps its own; another's is pushed on @ring[i][j] (handoff.c: one
 * single-producer single-consumer ring per ordered pair). Pools are not
 * shared between threads, so the owner copies the frame into a buffer of
 * its own and gives the original back on @back[j][i], which worker i
 * drains into its pool before it receives. ARP goes to every worker:
 * the receiver copies it, once per other worker, from its own pool. The
 * twins' frames are read by worker 0 and steered the same way; a frame
 * worker k's engine sends to a twin goes to worker 0 on @twin[k] (the
 * twins are worker 0's: it writes it and gives the buffer back).
 * A producer that finds its consumer asleep in poll() writes the
 * consumer's eventfd: one write per burst at most, none when busy.
 *
 * With --io afxdp there is no fanout: worker k has an AF_XDP socket on
 * each receive queue q with q % n == k (port.c), the NIC picks the
 * queue, and the hand-off above carries every frame that landed on the
 * wrong worker (about half of them with two queues and two workers on
 * veth, whose queue is the sender's choice). Each worker sends on its
 * own queue's socket; one with no queue on an interface (fewer queues
 * than workers) pushes its frames for it on @twin[k] as it does a
 * twin's, and worker 0 sends them on its socket (masqd_workers_tx_via0).
 *
 * Transmit: worker 0's vector (the loop's engine's, with one worker or
 * n) is sent by workers_flush_tx(): gathered per port into a scratch
 * vector (preallocated), one sendmmsg() batch per port (--io afxdp: one
 * TX-ring batch and its kicks), a twin's frame written into it
 * (twin_send(): one non-blocking write; a failure drops it, counted),
 * a reassembled datagram's fragment for another worker pushed on its
 * ring (workers_give()); then every buffer goes back to the pool, sent
 * or not; a frame for an interface with no port is counted
 * (tx_no_port). Worker k's vector goes the same way in flush_wk(),
 * with its twin frames and portless sends pushed to worker 0. It lives
 * here, above port.c and twin.c, so that neither calls back up.
 * Nothing here allocates on the packet path.
 *
 * Sizes: @ring 1024 frames, @back 4096 (it holds what the consumer
 * copied since the producer last drained: at most a ring and an
 * iteration's receive), @twin 1024. A full ring drops what does not fit
 * (counted: masqd_handoff_full).
 *
 * Commands: worker k holds its @lock around each iteration; the control
 * thread sets @pause, takes every worker's lock (each is then between
 * two iterations), runs the command on each engine in turn, takes the
 * steering picture again (the command may have changed an address, a
 * forward, a host port) and lets them go. The same words on the same
 * configuration give the same result on every engine; answers that
 * differ are added when they are counters (text_sum(): stats,
 * conntrack -C; the rule counters in the ruleset, wcount.c: iptables
 * -L -v, iptables-save -c, --metrics) and otherwise refused
 * ("not yet with --workers N"),
 * never one engine's answer for all. Table walks (conntrack -L, masq -L,
 * -F, -D) walk the engines one after the other, each chunk under its
 * worker's lock; conntrack -E reads every engine's events (wctl.c).
 *
 * LOG rule lines: worker k's engine logs into a ring of its own (log.c,
 * log_workers(): one producer per ring), which the log thread drains
 * with the loop's, in order.
 *
 * Rules runs (txn) keep a shadow on every engine (wtxn.c).
 *
 * Helpers' related connections (IRC DCC offered from inside, FTP on
 * other ports than 21): the client's side, steered by a port that names
 * no worker, is passed round the workers by the engines (walk.c), through
 * workers_give() like any hand-off; buf_copy() keeps ->meta, so the
 * count of workers it was on travels with it.
 *
 * Known limits: rule jobs and a rules run's commit run whole in the loop
 * (no job thread). The restart's state file holds every engine's
 * connections (wsnap.c). A DCC or FTP data connection whose two ports
 * name different workers costs up to N - 1 hand-offs a segment in the
 * client's direction (walk.c).
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "masqd/log.h"
#include "masqd/masqd.h"
#include "masqd/port.h"
#include "masqd/workers.h"

#define RING_SLOTS	1024
#define BACK_SLOTS	4096
#define WORKER_IDLE_MS	100

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct mworker *worker_new(struct masqd *d, uint32_t k)
{
	struct mworker *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->d = d;
	w->k = k;
	w->cpu = -1;
	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	pthread_mutex_init(&w->lock, NULL);
	for (int i = 0; i < MASQD_MAX_IFACES; i++)
		w->own[i].fd = -1;
	return w;
}

_Static_assert(MASQD_MAX_WORKERS <= LOG_WORKERS_MAX,
	       "every worker has a ring for its LOG lines");

/* Worker k's engine's LOG lines: into its own ring of the log (log.c) */
static void worker_log(void *ctx, int level, const char *line)
{
	const struct mworker *w = ctx;

	log_rule_worker(w->k, level & 7, line);
}

/* Worker k's engine, pool and vectors (k >= 1), configured as worker 0's */
static int worker_engine(struct masqd *d, struct mworker *w,
			 const struct masq_limits *lim, uint32_t bufs,
			 uint32_t buf_size)
{
	w->pool = masq_pool_create(bufs, buf_size);
	w->tx.bufs = calloc(MASQD_TX_CAP, sizeof(*w->tx.bufs));
	w->scratch = calloc(MASQD_TX_CAP, sizeof(*w->scratch));
	w->tx.cap = MASQD_TX_CAP;
	if (!w->pool || !w->tx.bufs || !w->scratch)
		return -ENOMEM;
	w->e = masq_engine_create(lim, w->pool);
	if (!w->e)
		return -ENOMEM;
	w->ports = w->own;
	w->xports = w->xown;
	masq_engine_set_log(w->e, worker_log, w);
	if (masq_engine_share_recent(w->e, d->e))	/* one list a name */
		return -EBUSY;
	return masq_engine_set_worker(w->e, w->k, d->wk.n);
}

static int rings_create(struct workers *wk)
{
	for (uint32_t i = 0; i < wk->n; i++) {
		wk->twin[i] = masq_handoff_create(RING_SLOTS);
		if (!wk->twin[i])
			return -ENOMEM;
		for (uint32_t j = 0; j < wk->n; j++) {
			if (i == j)
				continue;
			wk->ring[i][j] = masq_handoff_create(RING_SLOTS);
			wk->back[i][j] = masq_handoff_create(BACK_SLOTS);
			if (!wk->ring[i][j] || !wk->back[i][j])
				return -ENOMEM;
		}
	}
	return 0;
}

/**
 * workers_create() - Make workers 1..n-1's engines; worker 0 is @d's
 * @d:		daemon, its engine made, not yet configured
 * @lim:	each engine's limits (already divided by n)
 * @bufs:	buffers in each worker's pool
 * @buf_size:	bytes each
 *
 * Configuration commands after this go to every engine (workers_ctl()).
 * Return: 0, or -1 (logged)
 */
int workers_create(struct masqd *d, const struct masq_limits *lim,
		   uint32_t bufs, uint32_t buf_size)
{
	struct workers *wk = &d->wk;
	int ret = -ENOMEM;

	wk->n = d->o.workers ? d->o.workers : 1;
	wk->w[0] = worker_new(d, 0);
	if (!wk->w[0])
		goto fail;
	wk->w[0]->e = d->e;
	wk->w[0]->pool = d->pool;
	wk->w[0]->ports = d->ports;
	wk->w[0]->xports = d->xports;
	if (wk->n == 1)
		return 0;
	ret = masq_engine_set_worker(d->e, 0, wk->n);
	if (ret)
		goto fail;
	wk->steer = calloc(1, sizeof(*wk->steer));
	if (!wk->steer || rings_create(wk) || log_workers(wk->n))
		goto fail;
	for (uint32_t k = 1; k < wk->n; k++) {
		wk->w[k] = worker_new(d, k);
		if (!wk->w[k])
			goto fail;
		ret = worker_engine(d, wk->w[k], lim, bufs, buf_size);
		if (ret)
			goto fail;
	}
	return 0;
fail:
	logmsg(LOG_ERR, "--workers %u: cannot make the workers' engines: %s "
	       "(each has the pool and 1/%u of the table)", wk->n,
	       strerror(ret < 0 ? -ret : ENOMEM), wk->n);
	return -1;
}

/**
 * workers_open_ports() - Open workers 1..n-1's sockets on interface @i
 *			  and join all of them, worker 0's too, in a fanout
 * @d:		daemon, worker 0's port @i open
 * @cfg:	as for worker 0's
 * @i:		interface
 *
 * Return: 0, or -1 (logged)
 */
int workers_open_ports(struct masqd *d, const struct afp_config *cfg, int i)
{
	struct workers *wk = &d->wk;
	bool ext = d->o.ifaces[i].role == ROLE_EXTERNAL;
	const char *step = "make a PACKET_FANOUT_CBPF group";
	int ret;

	if (wk->n == 1)
		return 0;
	wk->group[i] = 0;
	ret = afp_join_fanout(&d->ports[i], &wk->group[i], ext);
	for (uint32_t k = 1; !ret && k < wk->n; k++) {
		struct afp_port *p = &wk->w[k]->own[i];

		step = "";
		ret = afp_open(p, d->links[i].name, d->links[i].ifindex, cfg,
			       &step);
		if (!ret) {
			step = "join the PACKET_FANOUT_CBPF group";
			ret = afp_join_fanout(p, &wk->group[i], ext);
		}
	}
	if (ret)
		logmsg(LOG_ERR, "%s: --workers %u: %s: %s", d->links[i].name,
		       wk->n, step, strerror(-ret));
	return ret ? -1 : 0;
}

/* Wake worker @j if it sleeps in poll(): frames were handed to it */
static void wake(struct mworker *j)
{
	uint64_t one = 1;

	atomic_thread_fence(memory_order_seq_cst);	/* after the push */
	if (atomic_load(&j->sleeping))	/* EAGAIN: it is awake already */
		j->st_wakes += write(j->efd, &one, sizeof(one)) > 0;
}

/* A copy of @b in a buffer of @pool; NULL when the pool is empty */
static struct masq_buf *buf_copy(struct masq_pool *pool,
				 const struct masq_buf *b)
{
	struct masq_buf *c = masq_pool_get(pool);
	size_t off = (size_t)(b->data - b->base);

	if (!c)
		return NULL;
	if (off + b->len > c->cap) {
		masq_pool_put(pool, c);
		return NULL;
	}
	c->data = c->base + off;
	memcpy(c->data, b->data, b->len);
	c->len = b->len;
	c->iface = b->iface;
	c->meta = b->meta;
	return c;
}

/* Push @n frames of worker @i onto @h for worker @j; drop what won't fit */
static void push(struct workers *wk, struct mworker *w,
		 struct masq_handoff *h, uint32_t j, struct masq_buf **bufs,
		 uint32_t n)
{
	uint32_t k = masq_handoff_push(h, bufs, n);

	if (h != wk->twin[w->k])	/* a twin's frame is no hand-off */
		atomic_fetch_add_explicit(&w->st.handed_out, k,
					  memory_order_relaxed);
	if (k < n)
		atomic_fetch_add_explicit(&w->st.handoff_full, n - k,
					  memory_order_relaxed);
	for (uint32_t i = k; i < n; i++)
		masq_pool_put(w->pool, bufs[i]);
	if (k)
		wake(wk->w[j]);
}

/* ARP: a copy for every other worker, from @w's pool */
static void hand_to_all(struct workers *wk, struct mworker *w,
			struct masq_buf *b)
{
	for (uint32_t j = 0; j < wk->n; j++) {
		struct masq_buf *c;

		if (j == w->k)
			continue;
		c = buf_copy(w->pool, b);
		if (!c) {
			atomic_fetch_add_explicit(&w->st.copy_failed, 1,
						  memory_order_relaxed);
			continue;
		}
		push(wk, w, wk->ring[w->k][j], j, &c, 1);
	}
}

/*
 * Keep worker @k's frames of @bufs at its front, hand the rest on.
 * Return: how many are @k's
 */
static uint32_t sort_for(struct masqd *d, uint32_t k, struct masq_buf **bufs,
			 uint32_t n)
{
	struct workers *wk = &d->wk;
	struct mworker *w = wk->w[k];
	struct masq_buf *other[MASQD_MAX_WORKERS][MASQD_RX_BATCH];
	uint32_t cnt[MASQD_MAX_WORKERS] = { 0 };
	uint32_t mine = 0;

	for (uint32_t i = 0; i < n; i++) {
		uint32_t o = masq_steer(wk->steer, bufs[i]);

		if (o == MASQ_STEER_ALL) {
			hand_to_all(wk, w, bufs[i]);
			o = k;
		}
		if (o >= wk->n)
			o = 0;
		if (o == k)
			bufs[mine++] = bufs[i];
		else if (cnt[o] < MASQD_RX_BATCH)
			other[o][cnt[o]++] = bufs[i];
	}
	for (uint32_t j = 0; j < wk->n; j++)
		if (cnt[j])
			push(wk, w, wk->ring[k][j], j, other[j], cnt[j]);
	return mine;
}

/**
 * workers_sort() - Worker 0: keep its frames of a burst, hand on the rest
 * @d:		daemon
 * @bufs:	a burst (at most MASQD_RX_BATCH); its front is rewritten
 * @n:		frames
 *
 * Return: how many of @bufs (now at its front) are worker 0's
 */
uint32_t workers_sort(struct masqd *d, struct masq_buf **bufs, uint32_t n)
{
	if (d->wk.n == 1)
		return n;
	return sort_for(d, 0, bufs, n);
}

/* Put back the buffers others copied, and (worker 0) write twin frames */
static void drain_back(struct workers *wk, struct mworker *w)
{
	struct masq_buf *b[MASQD_RX_BATCH];
	uint32_t n;

	for (uint32_t j = 0; j < wk->n; j++) {
		if (j == w->k)
			continue;
		while ((n = masq_handoff_pop(wk->back[j][w->k], b,
					     MASQD_RX_BATCH)))
			for (uint32_t i = 0; i < n; i++)
				masq_pool_put(w->pool, b[i]);
	}
}

/*
 * Worker 0: frames worker k gave it to send on a port where k has no
 * socket (AF_XDP, fewer queues than workers), port by port
 */
static void send_for(struct masqd *d, struct masq_buf **b, uint32_t n)
{
	for (int p = 0; p < d->o.nifaces; p++) {
		uint32_t m = 0;

		for (uint32_t i = 0; i < n; i++) {
			uint32_t ifc = b[i]->iface;

			if (!(ifc & MASQ_IFACE_TWIN) && ifc < MASQD_MAX_IFACES &&
			    d->port_of[ifc] == p)
				d->txscratch[m++] = b[i];
		}
		if (m)
			port_tx_burst(d, p, d->txscratch, m);
	}
}

/* Worker 0: the frames workers 1..n-1 sent to a twin, or gave it to send */
static void twin_out(struct masqd *d)
{
	struct workers *wk = &d->wk;
	struct masq_buf *b[MASQD_RX_BATCH];
	uint32_t n;

	for (uint32_t k = 1; k < wk->n; k++)
		while ((n = masq_handoff_pop(wk->twin[k], b, MASQD_RX_BATCH))) {
			uint32_t back;

			send_for(d, b, n);
			for (uint32_t i = 0; i < n; i++)
				if (b[i]->iface & MASQ_IFACE_TWIN)
					twin_send(d, b[i]);
			back = masq_handoff_push(wk->back[0][k], b, n);
			if (back)
				wake(wk->w[k]);
			if (back < n)	/* k's buffers: never into 0's pool */
				atomic_fetch_add_explicit(
					&wk->w[0]->st.handoff_full, n - back,
					memory_order_relaxed);
		}
}

/*
 * Frames handed to worker @w: copied into its buffers (the originals go
 * back); up to @max in @out. Return: how many
 */
static uint32_t take_ring(struct workers *wk, struct mworker *w, uint32_t i,
			  struct masq_buf **out, uint32_t max)
{
	struct masq_buf *in[MASQD_RX_BATCH];
	uint32_t n = masq_handoff_pop(wk->ring[i][w->k], in,
				      max < MASQD_RX_BATCH ? max : MASQD_RX_BATCH);
	uint32_t m = 0, back;

	for (uint32_t x = 0; x < n; x++) {
		out[m] = buf_copy(w->pool, in[x]);
		if (out[m])
			m++;
		else
			atomic_fetch_add_explicit(&w->st.copy_failed, 1,
						  memory_order_relaxed);
	}
	back = masq_handoff_push(wk->back[w->k][i], in, n);
	if (back)
		wake(wk->w[i]);
	if (back < n)	/* cannot happen (BACK_SLOTS): never put i's here */
		atomic_fetch_add_explicit(&w->st.handoff_full, n - back,
					  memory_order_relaxed);
	atomic_fetch_add_explicit(&w->st.handed_in, m, memory_order_relaxed);
	return m;
}

/* Worker @w: run what others handed it through its engine; send */
static void take_for(struct masqd *d, struct mworker *w, uint64_t now,
		     void (*flush)(struct masqd *, struct mworker *))
{
	struct workers *wk = &d->wk;
	struct masq_buf *bufs[MASQD_RX_BATCH];

	drain_back(wk, w);
	for (uint32_t i = 0; i < wk->n; i++) {
		uint32_t n;

		if (i == w->k)
			continue;
		while ((n = take_ring(wk, w, i, bufs, MASQD_RX_BATCH))) {
			masq_engine_input(w->e, bufs, n, now,
					  w->k ? &w->tx : &d->tx);
			flush(d, w);
		}
	}
}

/* Send one port's share of the tx vector */
static void flush_port(struct masqd *d, int port)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < d->tx.n; i++) {
		uint32_t ifc = d->tx.bufs[i]->iface;

		if (ifc < MASQD_MAX_IFACES && d->port_of[ifc] == port)
			d->txscratch[n++] = d->tx.bufs[i];
	}
	if (n)
		port_tx_burst(d, port, d->txscratch, n);
}

/**
 * workers_flush_tx() - Send worker 0's tx vector (the loop's engine's):
 *			out of the ports, into the twins, on to other
 *			workers; then every buffer to the pool
 * @d:		daemon
 *
 * The loop calls it after each engine call (one worker or n); flush_w0()
 * after worker 0 ran the frames the other workers handed it.
 */
void workers_flush_tx(struct masqd *d)
{
	if (!d->tx.n)
		return;
	for (int p = 0; p < d->o.nifaces; p++)
		flush_port(d, p);
	for (uint32_t i = 0; i < d->tx.n; i++) {
		uint32_t ifc = d->tx.bufs[i]->iface;

		if (ifc & MASQ_IFACE_HANDOFF) {	/* --workers: another's */
			workers_give(d, 0, d->tx.bufs[i]);
			continue;
		}
		if (ifc & MASQ_IFACE_TWIN)
			twin_send(d, d->tx.bufs[i]);
		else if (ifc >= MASQD_MAX_IFACES || d->port_of[ifc] < 0)
			d->tx_no_port++;
		masq_pool_put(d->pool, d->tx.bufs[i]);
	}
	d->tx.n = 0;
}

static void flush_w0(struct masqd *d, struct mworker *w)
{
	(void)w;
	workers_flush_tx(d);
}

/**
 * workers_take() - Worker 0: the frames others handed it, their given-back
 *		    buffers, the frames their engines sent to a twin
 * @d:		daemon
 * @now:	time, ns
 */
void workers_take(struct masqd *d, uint64_t now)
{
	uint64_t v;

	if (d->wk.n == 1)
		return;
	v = 0;	/* EAGAIN: nothing was written */
	d->wk.w[0]->st_woken += read(d->wk.w[0]->efd, &v, sizeof(v)) > 0;
	twin_out(d);
	take_for(d, d->wk.w[0], now, flush_w0);
}

/**
 * workers_pollfds() - Worker 0's eventfd in the loop's poll set
 * @d:		daemon
 * @pfd:	the set
 * @n:		slots used
 *
 * Return: slots used now
 */
int workers_pollfds(struct masqd *d, struct pollfd *pfd, int n)
{
	if (d->wk.n == 1)
		return n;
	pfd[n++] = (struct pollfd){ .fd = d->wk.w[0]->efd, .events = POLLIN };
	return n;
}

/* Worker k >= 1: send its tx vector on its own sockets */
static void flush_wk(struct masqd *d, struct mworker *w)
{
	struct workers *wk = &d->wk;

	if (!w->tx.n)
		return;
	for (int p = 0; p < d->o.nifaces; p++) {
		uint32_t n = 0;

		for (uint32_t i = 0; i < w->tx.n; i++) {
			uint32_t ifc = w->tx.bufs[i]->iface;

			if (ifc < MASQD_MAX_IFACES && d->port_of[ifc] == p)
				w->scratch[n++] = w->tx.bufs[i];
		}
		if (n && wport_sends(d, w, p))
			wport_tx_burst(d, w, p, w->scratch, n);
	}
	for (uint32_t i = 0; i < w->tx.n; i++) {
		struct masq_buf *b = w->tx.bufs[i];
		uint32_t ifc = b->iface;

		if (ifc & MASQ_IFACE_HANDOFF) {
			workers_give(d, w->k, b);
			continue;
		}
		if (ifc & MASQ_IFACE_TWIN) {
			atomic_fetch_add_explicit(&w->st.twin_out, 1,
						  memory_order_relaxed);
			push(wk, w, wk->twin[w->k], 0, &b, 1);
			continue;	/* worker 0 writes it, gives it back */
		}
		if (ifc < MASQD_MAX_IFACES && d->port_of[ifc] >= 0 &&
		    !wport_sends(d, w, d->port_of[ifc])) {
			atomic_fetch_add_explicit(&w->st.tx_via0, 1,
						  memory_order_relaxed);
			push(wk, w, wk->twin[w->k], 0, &b, 1);
			continue;	/* no queue of its own: worker 0 sends */
		}
		if (ifc >= MASQD_MAX_IFACES || d->port_of[ifc] < 0)
			atomic_fetch_add_explicit(&w->st.tx_no_port, 1,
						  memory_order_relaxed);
		masq_pool_put(w->pool, b);
	}
	w->tx.n = 0;
}

/**
 * workers_give() - A frame worker @k's engine gave back for another's
 * @d:		daemon
 * @k:		the worker whose engine made it (its pool's buffer)
 * @b:		->iface with MASQ_IFACE_HANDOFF (a reassembled datagram's
 *		fragment, fragout.c; a TCP segment from inside passed round
 *		the workers, walk.c, ->meta.walked kept): pushed on
 *		@ring[k][owner] as received
 *		on its arrival interface; the owner copies it and gives it
 *		back, as any handed-off frame
 */
void workers_give(struct masqd *d, uint32_t k, struct masq_buf *b)
{
	struct workers *wk = &d->wk;
	uint32_t j = MASQ_IFACE_WORKER(b->iface);

	b->iface &= MASQ_IFACE_ARRIVAL;
	if (j >= wk->n || j == k) {	/* cannot happen: the engine's own */
		masq_pool_put(wk->w[k]->pool, b);
		return;
	}
	push(wk, wk->w[k], wk->ring[k][j], j, &b, 1);
}

/* One iteration of worker k >= 1; Return: a ring gave a full batch */
static bool worker_step(struct masqd *d, struct mworker *w)
{
	struct masq_buf *bufs[MASQD_RX_BATCH];
	uint64_t now = mono_ns();
	bool busy = false;

	take_for(d, w, now, flush_wk);
	for (int p = 0; p < d->o.nifaces; p++) {
		int idx = d->eidx[p];
		uint32_t n, mine;

		if (idx < 0)
			continue;
		n = wport_rx_burst(d, w, p, bufs, MASQD_RX_BATCH,
				   (uint32_t)idx);
		if (!n)
			continue;
		busy |= n == MASQD_RX_BATCH;
		mine = sort_for(d, w->k, bufs, n);
		if (mine) {
			masq_engine_input(w->e, bufs, mine, now, &w->tx);
			flush_wk(d, w);
		}
	}
	masq_engine_advance(w->e, now, &w->tx);
	flush_wk(d, w);
	return busy;
}

/**
 * workers_idle() - Worker @k is about to sleep, or woke
 * @d:		daemon
 * @k:		worker
 * @on:		true: about to sleep; false: awake
 *
 * Return: (@on) something was handed to it meanwhile: do not sleep
 */
bool workers_idle(struct masqd *d, uint32_t k, bool on)
{
	struct workers *wk = &d->wk;

	if (wk->n == 1)
		return false;
	atomic_store(&wk->w[k]->sleeping, on);
	if (!on)
		return false;
	atomic_thread_fence(memory_order_seq_cst);
	for (uint32_t i = 0; i < wk->n; i++) {
		if (i != k && (!masq_handoff_empty(wk->ring[i][k]) ||
			       !masq_handoff_empty(wk->back[i][k])))
			return true;
		if (!k && i && !masq_handoff_empty(wk->twin[i]))
			return true;
	}
	return false;
}

/* Sleep in poll() on worker @w's sockets and eventfd, unless busy */
static void worker_wait(struct masqd *d, struct mworker *w, bool busy)
{
	struct pollfd pfd[MASQD_MAX_IFACES + 1];
	int n = 0;
	uint64_t v;

	for (int p = 0; p < d->o.nifaces; p++)
		pfd[n++] = (struct pollfd){ .fd = wport_fd(d, w, p),
					    .events = POLLIN };
	pfd[n++] = (struct pollfd){ .fd = w->efd, .events = POLLIN };
	busy |= workers_idle(d, w->k, true);
	if (poll(pfd, (nfds_t)n, busy ? 0 : WORKER_IDLE_MS) > 0) {
		for (int p = 0; p < d->o.nifaces; p++)
			if (pfd[p].revents & POLLERR)
				wport_clear_error(d, w, p);
		w->st_woken += read(w->efd, &v, sizeof(v)) > 0;
	}
	workers_idle(d, w->k, false);
}

static void *worker_thread(void *arg)
{
	struct mworker *w = arg;
	struct masqd *d = w->d;

	while (!atomic_load(&d->wk.stop)) {
		bool busy;

		while (atomic_load(&w->pause) && !atomic_load(&d->wk.stop))
			poll(NULL, 0, 1);	/* the control thread's turn */
		pthread_mutex_lock(&w->lock);
		busy = worker_step(d, w);
		pthread_mutex_unlock(&w->lock);
		log_kick_worker(w->k);	/* its LOG lines, to the log thread */
		worker_wait(d, w, busy);
	}
	return NULL;
}

/* The @k-th CPU masqd may run on (its affinity mask), -1 if none */
static int nth_cpu(const cpu_set_t *allowed, uint32_t k)
{
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, allowed) && !k--)
			return c;
	return -1;
}

/* Pin @t to the @k-th allowed CPU; Return: the CPU, or -1 (logged) */
static int pin(pthread_t t, const cpu_set_t *allowed, uint32_t k)
{
	int cpu = nth_cpu(allowed, k), ret = -1;
	cpu_set_t set;

	if (cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		ret = pthread_setaffinity_np(t, sizeof(set), &set);
	}
	if (ret) {
		logmsg(LOG_WARNING, "worker %u: not pinned to a CPU of its own: "
		       "%s", k, cpu < 0 ? "fewer CPUs allowed than workers" :
		       strerror(ret));
		return -1;
	}
	return cpu;
}

/**
 * workers_start() - Start workers 1..n-1; pin worker k to the k-th CPU
 *		     masqd may use (worker 0, the calling thread, too)
 * @d:		daemon, sandboxed, ready to run the loop
 *
 * Return: 0, or -1 (logged; those started are stopped)
 */
int workers_start(struct masqd *d)
{
	struct workers *wk = &d->wk;
	cpu_set_t allowed;

	if (wk->n == 1)
		return 0;
	workers_steer_refresh(d);
	workers_warn_gaps(d, "start");
	for (uint32_t k = 0; k < wk->n; k++)	/* reassembled: to the owner */
		masq_engine_set_steer(wk->w[k]->e, wk->steer);
	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		CPU_ZERO(&allowed);
	wk->w[0]->cpu = pin(pthread_self(), &allowed, 0);
	for (uint32_t k = 1; k < wk->n; k++) {
		struct mworker *w = wk->w[k];
		int ret = pthread_create(&w->thread, NULL, worker_thread, w);

		if (ret) {
			logmsg(LOG_ERR, "--workers: cannot start worker %u: %s",
			       k, strerror(ret));
			workers_stop(d);
			return -1;
		}
		w->running = true;
		w->cpu = pin(w->thread, &allowed, k);
	}
	logmsg(LOG_INFO, "%u workers, each pinned to a CPU of its own "
	       "(worker 0, the loop, to CPU %d); %s", wk->n, wk->w[0]->cpu,
	       d->o.io == IO_AFXDP ? "worker k has the AF_XDP sockets of "
	       "the receive queues q with q % n == k" :
	       "one PACKET_FANOUT_CBPF group per interface");
	return 0;
}

/**
 * workers_stop() - Stop and join workers 1..n-1
 * @d:		daemon
 */
void workers_stop(struct masqd *d)
{
	struct workers *wk = &d->wk;

	atomic_store(&wk->stop, true);
	for (uint32_t k = 1; k < wk->n; k++) {
		struct mworker *w = wk->w[k];

		if (!w || !w->running)
			continue;
		wake(w);
		pthread_join(w->thread, NULL);
		w->running = false;
	}
}

/**
 * workers_destroy() - Free workers 1..n-1 and the rings (after the stop)
 * @d:		daemon
 */
void workers_destroy(struct masqd *d)
{
	struct workers *wk = &d->wk;

	workers_stop(d);
	for (uint32_t k = 0; k < wk->n; k++) {
		struct mworker *w = wk->w[k];

		if (!w)
			continue;
		if (k) {
			for (int i = 0; i < d->o.nifaces; i++)	/* (AF_XDP's:
					port_close_afxdp()) */
				if (w->own[i].tx)
					afp_close(&w->own[i]);
			if (w->e)
				masq_engine_destroy(w->e);
			if (w->pool)
				masq_pool_destroy(w->pool);
			free(w->tx.bufs);
			free(w->scratch);
			if (w->rl_init)
				reload_fini(&w->rl);
		}
		if (w->efd >= 0)
			close(w->efd);
		pthread_mutex_destroy(&w->lock);
		free(w);
		wk->w[k] = NULL;
		masq_handoff_destroy(wk->twin[k]);
		for (uint32_t j = 0; j < wk->n; j++) {
			masq_handoff_destroy(wk->ring[k][j]);
			masq_handoff_destroy(wk->back[k][j]);
		}
	}
	free(wk->steer);
	wk->steer = NULL;
	free(wk->gaps);
	wk->gaps = NULL;
}
