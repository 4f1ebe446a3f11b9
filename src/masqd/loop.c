// SPDX-License-Identifier: MIT
/*
 * loop.c - masqd's event loop: receive, engine, transmit, control
 *
 * Theory of operation: one thread, one poll() per iteration over the
 * signalfd, the job's eventfd, every port, every twin (twin.h), the
 * netlink watch of the host (hostwatch.h) and the control socket and its
 * clients. (A second thread exists only while a
 * big ruleset change is built, job.c; it touches nothing of the loop's.
 * The log thread, log.c, writes out the lines the loop queues; the loop
 * never waits for it.)
 * Each iteration:
 *
 *	1. take up to MASQD_RX_BATCH frames from each port's ring, then
 *	   from each twin, and hand them to masq_engine_input(); send what
 *	   it returns at once. A port's burst first goes through gro_burst()
 *	   (with the virtio-net header, unless --no-gro): its consecutive TCP
 *	   segments of one connection become one GSO frame, which the kernel
 *	   cuts up again on the way out; nothing is held past the burst
 *	2. masq_engine_advance() (expiry, ARP retries), then send
 *	3. control: finish a job whose worker is done (publish the new
 *	   ruleset, reply), a SIGHUP reload that waited for it, then
 *	   bounded control work (ctlsrv_service)
 *	4. once a second, read the kernel's ring drop counters (and with
 *	   --metrics, publish the counters' snapshot: metrics.c)
 *	5. the takeover check: a few system calls for one interface, a round
 *	   every few seconds (takeover.h); the twins' check: a twin someone
 *	   deleted is made again, a state round once a second (twin.c);
 *	   then what the host did on the twins (hostwatch.c): at most 16
 *	   netlink datagrams when poll() says so, 4 sock_diag chunks of the
 *	   round that starts each second
 *	6. wake the log thread if lines were queued in the iteration
 *	   (log.h: capped rings a thread writes out; nothing in steps 1-5
 *	   writes to a file or waits for the log's output)
 *
 * SIGHUP reloads the -c file (config.c) in step 0, after poll() and
 * before any frame of the iteration is received; while a job runs, the
 * reload changes the engine too, so it waits for step 3 of the iteration
 * that finishes the job. A stop leaves the loop at the end of the
 * iteration; a job still running is waited for by job_fini() at teardown.
 *
 * poll() sleeps at most MASQD_IDLE_MS, so time advances in the engine at
 * least every 100 ms when idle; it does not sleep at all when a ring gave
 * a full batch (more may be waiting). now_ns is CLOCK_MONOTONIC.
 *
 * Transmit: after each engine call the loop sends the engine's vector
 * with workers_flush_tx() (workers.c, which calls it too for the frames
 * handed to worker 0: the ports, the twins and the hand-on meet there,
 * above port.c and twin.c, which call neither back).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/signalfd.h>

#include "masqd/log.h"
#include "masqd/masqd.h"
#include "masqd/port.h"

#define NS_PER_SEC	1000000000ull
#define NS_PER_MS	1000000ull

/* pollfd slots: the signalfd, the job's eventfd, the ports, then control */
#define PFD_SIG		0
#define PFD_JOB		1
#define PFD_PORT0	2

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

/**
 * loop_init() - Route SIGTERM, SIGINT, SIGHUP and SIGUSR2 to a signalfd; the job fd
 * @d:		daemon
 *
 * Return: 0, or -1 (logged)
 */
int loop_init(struct masqd *d)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR2);	/* stop for a restart (handover.c) */
	if (sigprocmask(SIG_BLOCK, &set, NULL)) {
		logmsg(LOG_ERR, "sigprocmask: %s", strerror(errno));
		return -1;
	}
	d->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->sigfd < 0) {
		logmsg(LOG_ERR, "signalfd: %s", strerror(errno));
		return -1;
	}
	return job_init(d);
}

static void handle_signals(struct masqd *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {	/* between batches: atomic */
			if (job_busy(d))
				d->hup = true;	/* after the job: step 3 */
			else
				config_reload(d);
			continue;
		}
		d->handover |= si.ssi_signo == SIGUSR2;
		logmsg(LOG_INFO, "signal %u: stopping%s", si.ssi_signo,
		       si.ssi_signo == SIGUSR2 ? " for a restart: the takeover "
		       "and the twins are left for the successor" : "");
		d->stop = true;
	}
}

/*
 * Step 1; returns true when some ring or twin gave a full batch. A twin
 * is read only when poll() said it has frames (@tpfd: the twins' slots):
 * a read is a system call, a ring's empty slot is not.
 */
static bool receive(struct masqd *d, uint64_t now, const struct pollfd *tpfd)
{
	struct masq_buf *bufs[MASQD_RX_BATCH];
	bool busy = false;

	workers_take(d, now);	/* --workers: frames handed to worker 0 */
	for (int p = 0; p < d->o.nifaces; p++) {
		int idx = d->eidx[p];
		uint32_t n;

		if (idx < 0)
			continue;
		n = port_rx_burst(d, p, bufs, MASQD_RX_BATCH, (uint32_t)idx);
		if (!n)
			continue;
		busy |= n == MASQD_RX_BATCH;
		n = workers_sort(d, bufs, n);	/* --workers: hand on others' */
		if (n && d->o.vnet_hdr && !d->o.no_gro)	/* worker 0's only */
			n = gro_burst(bufs, n, d->pool, &d->gro[p]);
		if (n)
			masq_engine_input(d->e, bufs, n, now, &d->tx);
		workers_flush_tx(d);
	}
	for (int t = 0; t < d->tw.n; t++) {
		uint32_t n;

		if (!(tpfd[t].revents & POLLIN))
			continue;
		n = twin_receive(d, t, bufs, MASQD_RX_BATCH);
		if (!n)
			continue;
		busy |= n == MASQD_RX_BATCH;
		n = workers_sort(d, bufs, n);
		if (n)
			masq_engine_input(d->e, bufs, n, now, &d->tx);
		workers_flush_tx(d);
	}
	return busy;
}

/* Step 3: the job's end, a reload that waited for it, the clients */
static void control(struct masqd *d, const struct pollfd *pfd)
{
	if (pfd[PFD_JOB].revents & POLLIN) {
		job_done(d);
		config_reloaded(d);
	}
	if (d->hup && !job_busy(d)) {
		d->hup = false;
		config_reload(d);
	}
	ctlsrv_service(&d->ctl, pfd, now_ns() / NS_PER_MS);
}

static int build_pollfds(struct masqd *d, struct pollfd *pfd)
{
	int n = 0;

	pfd[n++] = (struct pollfd){ .fd = d->sigfd, .events = POLLIN };
	pfd[n++] = (struct pollfd){ .fd = job_busy(d) ? d->job.efd : -1,
				    .events = POLLIN };
	for (int p = 0; p < d->o.nifaces; p++)
		pfd[n++] = (struct pollfd){ .fd = port_fd(d, p), .events = POLLIN };
	n = twin_pollfds(d, pfd, n);
	n = hostwatch_pollfds(d, pfd, n);
	n = workers_pollfds(d, pfd, n);
	return n + ctlsrv_pollfds(&d->ctl, pfd, n, now_ns() / NS_PER_MS);
}

/**
 * loop_run() - Run until SIGTERM or SIGINT
 * @d:		daemon, fully set up
 *
 * Return: exit status for main (0 after a clean stop)
 */
int loop_run(struct masqd *d)
{
	struct pollfd pfd[PFD_PORT0 + 2 * MASQD_MAX_IFACES + 3 +
			  CTLSRV_MAX_CLIENTS];
	uint64_t last_stats = now_ns();
	bool busy = false;

	while (!d->stop) {
		int n = build_pollfds(d, pfd);
		uint64_t now;

		busy |= ctlsrv_busy(&d->ctl);
		busy |= workers_idle(d, 0, true);	/* --workers: handed? */
		if (poll(pfd, (nfds_t)n, busy ? 0 : MASQD_IDLE_MS) < 0 &&
		    errno != EINTR) {
			logmsg(LOG_ERR, "poll: %s", strerror(errno));
			return 1;
		}
		workers_idle(d, 0, false);
		d->iterations++;
		if (pfd[PFD_SIG].revents)
			handle_signals(d);
		for (int p = 0; p < d->o.nifaces; p++)
			if (pfd[PFD_PORT0 + p].revents & POLLERR)
				port_clear_error(d, p);
		twin_poll_errors(d, pfd + PFD_PORT0 + d->o.nifaces);
		now = now_ns();
		busy = receive(d, now, pfd + PFD_PORT0 + d->o.nifaces);
		masq_engine_advance(d->e, now, &d->tx);
		workers_flush_tx(d);
		control(d, pfd);
		if (now - last_stats >= NS_PER_SEC) {
			for (int p = 0; p < d->o.nifaces; p++)
				port_stats_poll(d, p);
			last_stats = now;
			rulesrun_check(d);
			metrics_snapshot(d);	/* --metrics: command.c */
		}
		if (!d->o.no_takeover)
			to_check(&d->to, now);
		twin_check(d, now);
		hostwatch_step(d, pfd, now);
		log_kick();
	}
	return 0;
}
