// SPDX-License-Identifier: MIT
/*
 * wctl.c - control commands with --workers N: every engine, one answer
 *
 * The control thread (worker 0, the loop) runs a command on each engine
 * in turn while every worker is paused between two iterations (its lock,
 * workers.c); then it takes the steering picture again, since a command
 * may have changed an address, a forward or a host port. Answers:
 *   - the same on every engine (a change, a ruleset listing): given once;
 *   - different, for a command whose answer is counters (stats,
 *     conntrack -C): added up (text_sum()); the expectations (conntrack
 *     -L expect): each engine's in turn;
 *   - on state every engine shares (masqctl recent): worker 0's, once;
 *   - the ARP table (neigh): each engine learns its own neighbours, so
 *     their lists differ (an entry learnt by one worker's traffic, a
 *     state); one line per address: worker 0's (the one that answers
 *     ARP), then the addresses only others know, in engine order
 *     (text_union_by_address()); static entries are every engine's;
 *   - a rule listing or dump (iptables -L -v, iptables-save -c, the 2.x
 *     languages' listings; -Z and --zero too): worker 0's text with
 *     every engine's rule counters added in, rule by rule (wcount.c);
 *   - different otherwise, or a status that differs: refused with the
 *     words "not yet with --workers N" and status 1. A configuration
 *     change whose status differs between engines has still run on
 *     those that took it (their configurations are the same, so this
 *     means a bug); the reply says so.
 * Table walks visit the engines one after another (struct wlist);
 * conntrack -E reads every engine's events at each call (events_next()).
 *
 * Interface counters (masqctl stats) over every worker's sockets are
 * read here too, each worker paused in turn: workers_port_stats(), and
 * AF_XDP's own, workers_port_xdp_stats().
 *
 * With n = 1 every function here is the engine's own call.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "masq/ctfilter.h"
#include "masqd/log.h"
#include "masqd/masqd.h"
#include "masqd/port.h"
#include "masqd/workers.h"

/**
 * workers_pause() - Stop worker @k between two iterations (k >= 1)
 * @d:		daemon
 * @k:		worker
 */
void workers_pause(struct masqd *d, uint32_t k)
{
	struct mworker *w = d->wk.w[k];

	if (!k || !w)
		return;
	atomic_store(&w->pause, true);
	pthread_mutex_lock(&w->lock);
}

/**
 * workers_resume() - Let worker @k run again
 * @d:		daemon
 * @k:		worker
 */
void workers_resume(struct masqd *d, uint32_t k)
{
	struct mworker *w = d->wk.w[k];

	if (!k || !w)
		return;
	pthread_mutex_unlock(&w->lock);
	atomic_store(&w->pause, false);
}

/**
 * workers_steer_refresh() - Take the steering picture again
 * @d:		daemon, every worker paused (or none started)
 */
void workers_steer_refresh(struct masqd *d)
{
	if (d->wk.n > 1 && d->wk.steer)
		masq_engine_steer_conf(d->e, d->wk.n, d->wk.steer);
}

/* conntrack's command letter (ctfilter.c), @expect: of the expect table */
static char conntrack_cmd(int argc, char *const *argv, bool *expect)
{
	struct ct_cmdline c;
	char err[CTF_ERR_MAX];

	*expect = false;
	if (argc < 2 || strcmp(argv[0], "conntrack") ||
	    ct_cmdline_parse(argc, argv, &c, err, sizeof(err)))
		return 0;
	*expect = c.expect;
	return c.cmd;
}

/* A command whose answer is counters, added over the workers */
static bool summable(int argc, char *const *argv)
{
	bool expect;

	if (argc == 1 && !strcmp(argv[0], "stats"))
		return true;
	return conntrack_cmd(argc, argv, &expect) == 'C';
}

/*
 * A command on state the engines share (-m recent's lists, one per name
 * for the process): run once, on worker 0's engine; run on each, a
 * `recent NAME +ADDR` would stamp the address n times
 */
static bool shared(int argc, char *const *argv)
{
	return argc >= 1 && !strcmp(argv[0], "recent");
}

/* The ARP table's listing: `neigh`, `neigh list`, `neigh show` */
static bool neigh_listing(int argc, char *const *argv)
{
	return argc >= 1 && !strcmp(argv[0], "neigh") &&
	       (argc == 1 || (argc == 2 && (!strcmp(argv[1], "list") ||
					    !strcmp(argv[1], "show"))));
}

/* Does @text hold a line whose first word is @w (@n bytes)? */
static bool has_first_word(const char *text, const char *w, size_t n)
{
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, w, n) && (p[n] == ' ' || p[n] == '\n'))
			return true;
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return false;
}

/*
 * Append to @out each line of @add whose first word (a neighbour's
 * address) no line of @out from @off has. O(lines of @out x lines of
 * @add): an ARP table's size, once per listing.
 */
static void text_union_by_address(struct masq_text *out, size_t off,
				   const char *add)
{
	const char *l, *nl;

	for (l = add; l && *l; l = nl ? nl + 1 : NULL) {
		size_t w = strcspn(l, " \n");

		nl = strchr(l, '\n');
		if (w && !has_first_word(out->s ? out->s + off : NULL, l, w))
			masq_text_printf(out, "%.*s\n",
					 (int)(nl ? (size_t)(nl - l) : strlen(l)),
					 l);
	}
}

/* A listing of per-engine state that is not a walk: each engine's, in turn */
static bool concatenated(int argc, char *const *argv)
{
	bool expect;

	return conntrack_cmd(argc, argv, &expect) == 'L' && expect;
}

static bool same_text(const struct masq_text *a, size_t off,
		      const struct masq_text *b)
{
	size_t la = a->len - off;

	return la == b->len && (!la || !memcmp(a->s + off, b->s, la));
}

/**
 * workers_pause_all() - Stop workers 1..n-1 between two iterations
 * @d:		daemon
 */
void workers_pause_all(struct masqd *d)
{
	for (uint32_t k = 1; k < d->wk.n; k++)
		workers_pause(d, k);
}

/**
 * workers_resume_all() - Let workers 1..n-1 run again
 * @d:		daemon
 */
void workers_resume_all(struct masqd *d)
{
	for (uint32_t k = 1; k < d->wk.n; k++)
		workers_resume(d, k);
}

/* Engine k's answer merged into @out; Return: 0, or why it cannot be */
static int merge_one(struct masqd *d, uint32_t k, int argc, char *const *argv,
		     struct masq_text *out, size_t off, int st0)
{
	struct masq_text t = { 0 };
	int st = masq_engine_ctl(d->wk.w[k]->e, argc, argv, &t);
	int ret = 0;

	if (st != st0)
		ret = -EIO;
	else if (concatenated(argc, argv))
		masq_text_printf(out, "%s", t.s ? t.s : "");
	else if (summable(argc, argv))	/* equal counters are added too */
		ret = text_sum(out, off, t.s ? t.s : "");
	else if (neigh_listing(argc, argv))
		text_union_by_address(out, off, t.s);
	else if (!same_text(out, off, &t))
		ret = -EINVAL;
	masq_text_free(&t);
	return ret;
}

/* Is line @l (@n bytes and its newline) one of @text's? */
static bool has_line(const char *text, const char *l, size_t n)
{
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, l, n + 1))
			return true;
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return false;
}

/**
 * workers_warn_gaps() - Log each port range some worker has no port of
 * @d:		daemon, every worker paused (or none started)
 * @when:	what made the check ("start", "iptables", "SIGHUP")
 *
 * A MASQUERADE or SNAT --to-ports range (or set ports) narrower than
 * 2n ports leaves a worker's slice of it empty; with one worker it is
 * fine, so the engine takes it and masqd says so here, naming the rule
 * and the worker. At the start, after a reload and after each rule
 * change; a line already logged by the last check is not logged again
 * (a rule that moved is: its number is new).
 */
void workers_warn_gaps(struct masqd *d, const char *when)
{
	struct masq_text t = { 0 };
	const char *l, *nl;

	for (uint32_t k = 0; k < d->wk.n && d->wk.n > 1; k++)
		masq_engine_slice_gaps(d->wk.w[k]->e, &t);
	for (l = t.s; l && *l && (nl = strchr(l, '\n')); l = nl + 1)
		if (!has_line(d->wk.gaps, l, (size_t)(nl - l)))
			logmsg(LOG_WARNING, "--workers %u (%s): %.*s", d->wk.n,
			       when, (int)(nl - l), l);
	free(d->wk.gaps);
	d->wk.gaps = t.s && !t.oom ? strdup(t.s) : NULL;
	masq_text_free(&t);
}

/* After a command that changed rules: its ranges checked (see above) */
static void warn_if_rules_changed(struct masqd *d, int argc, char *const *argv,
				  int st)
{
	if (!st && masq_ctl_is_rules(argc, argv) &&
	    !masq_ctl_reads_rules(argc, argv))
		workers_warn_gaps(d, argv[0]);
}

/**
 * workers_ctl() - Run a control command on every engine
 * @d:		daemon
 * @argc:	words
 * @argv:	the words
 * @out:	the one answer, appended
 *
 * Return: the command's status (as masq_engine_ctl()); 1 with "not yet
 * with --workers N" when the answers cannot be made one
 */
int workers_ctl(struct masqd *d, int argc, char *const *argv,
		struct masq_text *out)
{
	size_t off = out->len;
	int st, ret = 0;

	if (d->wk.n <= 1)
		return masq_engine_ctl(d->e, argc, argv, out);
	workers_pause_all(d);
	if (masq_ctl_reads_rules(argc, argv)) {	/* the rules' counters */
		ret = workers_ctl_counted(d, argc, argv, out, &st);
	} else if (shared(argc, argv)) {	/* once: every engine's */
		st = masq_engine_ctl(d->e, argc, argv, out);
	} else {
		st = masq_engine_ctl(d->e, argc, argv, out);
		for (uint32_t k = 1; k < d->wk.n && !ret; k++)
			ret = merge_one(d, k, argc, argv, out, off, st);
	}
	workers_steer_refresh(d);
	if (!ret)
		warn_if_rules_changed(d, argc, argv, st);
	workers_resume_all(d);
	if (!ret)
		return st;
	out->len = off;
	if (out->s)
		out->s[off] = '\0';
	masq_text_printf(out, "%s: not yet with --workers %u: %s\n",
			 argc ? argv[0] : "", d->wk.n, ret == -EIO ?
			 "the workers' engines answered with different "
			 "statuses (a change may have run on some)" :
			 ret == -ENOMEM ? "out of memory" :
			 "the workers' answers differ and cannot be added");
	return 1;
}

/**
 * struct wlist - a table walk over every engine in turn, or conntrack -E
 *		  over every engine at once
 * @k:		the engine being walked
 * @st:		the worst status so far
 * @live:	conntrack -E: each call reads every engine's new events
 * @read_ns:	... when engine k's were last read
 * @l:		each engine's cursor
 */
struct wlist {
	uint32_t k;
	int st;
	bool live;
	uint64_t read_ns[MASQD_MAX_WORKERS];
	struct masq_ctl_list *l[MASQD_MAX_WORKERS];
};

/*
 * conntrack -E with n > 1: every engine records its own connections'
 * events in its own ring (ctevent.c), written by its worker's thread, so
 * each is read under that worker's lock. The listener is fed once a loop
 * iteration; pausing every worker that often would stall them, so the
 * lock is only tried (a worker between two iterations, or asleep, holds
 * none) and waited for only when a worker's events have not been read
 * for EVENTS_WAIT_MS (a busy worker: its ring holds CTEV_RING events,
 * so one making more than CTEV_RING per 20 ms loses some, said in a line
 * "N events lost"; and a listener costs such a worker one pause, of
 * about a millisecond (its wait's poll), per 20 ms).
 * Each engine's lines are appended whole; a connection's events all come
 * from its owner, in order; lines of different engines are in the order
 * read, not the order made.
 */
#define EVENTS_WAIT_MS	20

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Worker @k stopped for a read: tried, or waited for when @wait */
static bool events_hold(struct masqd *d, uint32_t k, bool wait)
{
	if (wait) {
		workers_pause(d, k);
		return true;
	}
	return !pthread_mutex_trylock(&d->wk.w[k]->lock);
}

/* The live walk's next text: every engine's new events */
static int events_next(struct masqd *d, struct wlist *w,
		       struct masq_text *out)
{
	uint64_t now = now_ns();
	int st = masq_ctl_list_next(d->e, w->l[0], out);	/* the loop's */

	for (uint32_t k = 1; k < d->wk.n && st == MASQ_CTL_MORE; k++) {
		if (!events_hold(d, k, now - w->read_ns[k] >=
				 EVENTS_WAIT_MS * 1000000ull))
			continue;
		st = masq_ctl_list_next(d->wk.w[k]->e, w->l[k], out);
		workers_resume(d, k);
		w->read_ns[k] = now;
	}
	return st;
}

/**
 * workers_list() - Start a table walk on every engine, if it is one
 * @d:		daemon
 * @argc:	words
 * @argv:	the words
 * @out:	an error's text
 * @stream:	set to the walk (NULL: not a walk)
 *
 * Return: 0; 1 (out of memory)
 */
int workers_list(struct masqd *d, int argc, char *const *argv,
		 struct masq_text *out, void **stream)
{
	struct wlist *w;
	int ret = 0;

	*stream = NULL;
	if (d->wk.n <= 1) {
		if (masq_engine_ctl_list(d->e, argc, argv,
					 (struct masq_ctl_list **)stream))
			goto oom;
		return 0;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		goto oom;
	workers_pause_all(d);
	for (uint32_t k = 0; k < d->wk.n && !ret; k++)
		ret = masq_engine_ctl_list(d->wk.w[k]->e, argc, argv, &w->l[k]);
	workers_resume_all(d);
	if (!ret && !w->l[0]) {		/* not a walk */
		free(w);
		return 0;
	}
	for (uint32_t k = 1; k < d->wk.n && !ret; k++)
		if (!w->l[k])	/* the same words: a walk on every engine */
			ret = -EINVAL;
	if (!ret)
		w->live = masq_ctl_list_live(w->l[0]);
	if (ret) {
		workers_list_free(d, w);
		goto oom;
	}
	*stream = w;
	return 0;
oom:
	masq_text_printf(out, "%s: out of memory\n", argv[0]);
	return 1;
}

/**
 * workers_list_next() - The walk's next chunk
 * @d:		daemon
 * @stream:	the walk
 * @out:	its text
 *
 * Return: MASQ_CTL_MORE, or the status once every engine was walked
 */
int workers_list_next(struct masqd *d, void *stream, struct masq_text *out)
{
	struct wlist *w = stream;
	int st;

	if (d->wk.n <= 1)
		return masq_ctl_list_next(d->e, stream, out);
	if (w->live)
		return events_next(d, w, out);
	workers_pause(d, w->k);
	st = masq_ctl_list_next(d->wk.w[w->k]->e, w->l[w->k], out);
	workers_resume(d, w->k);
	if (st == MASQ_CTL_MORE)
		return st;
	if (st > w->st)
		w->st = st;
	if (++w->k < d->wk.n)
		return MASQ_CTL_MORE;
	w->k = d->wk.n - 1;
	return w->st;
}

/**
 * workers_list_live() - Is the walk conntrack -E (it never ends)?
 * @d:		daemon
 * @stream:	a walk from workers_list()
 *
 * Return: true for a listener
 */
bool workers_list_live(struct masqd *d, void *stream)
{
	const struct wlist *w = stream;

	if (d->wk.n <= 1)
		return masq_ctl_list_live(stream);
	return w->live;
}

/**
 * workers_list_free() - End a walk
 * @d:		daemon
 * @stream:	the walk
 */
void workers_list_free(struct masqd *d, void *stream)
{
	struct wlist *w = stream;

	if (d->wk.n <= 1) {
		masq_ctl_list_free(stream);
		return;
	}
	for (uint32_t k = 0; k < d->wk.n; k++) {
		if (!w->l[k])
			continue;
		workers_pause(d, k);
		masq_ctl_list_free(w->l[k]);
		workers_resume(d, k);
	}
	free(w);
}

/**
 * workers_stats() - masqctl stats' lines for the workers
 * @d:		daemon
 * @out:	"masqd_NAME VALUE" lines appended (none with one worker)
 *
 * Each worker's own sockets' counters are added into the daemon's port
 * counters by the caller (workers_port_stats()).
 */
void workers_stats(struct masqd *d, struct masq_text *out)
{
	uint64_t v[7] = { 0 };

	if (d->wk.n <= 1)
		return;
	for (uint32_t k = 0; k < d->wk.n; k++) {
		struct mworker *w = d->wk.w[k];

		v[0] += atomic_load(&w->st.handed_out);
		v[1] += atomic_load(&w->st.handed_in);
		v[2] += atomic_load(&w->st.handoff_full);
		v[3] += atomic_load(&w->st.copy_failed);
		v[4] += atomic_load(&w->st.tx_no_port);
		v[5] += atomic_load(&w->st.twin_out);
		v[6] += atomic_load(&w->st.tx_via0);
	}
	masq_text_printf(out, "%-28s %u\n", "masqd_workers", d->wk.n);
	masq_text_printf(out, "%-28s %llu\n", "masqd_handoff_out",
			 (unsigned long long)v[0]);
	masq_text_printf(out, "%-28s %llu\n", "masqd_handoff_in",
			 (unsigned long long)v[1]);
	masq_text_printf(out, "%-28s %llu\n", "masqd_handoff_full",
			 (unsigned long long)v[2]);
	masq_text_printf(out, "%-28s %llu\n", "masqd_handoff_no_buf",
			 (unsigned long long)v[3]);
	masq_text_printf(out, "%-28s %llu\n", "masqd_workers_tx_no_port",
			 (unsigned long long)v[4]);
	masq_text_printf(out, "%-28s %llu\n", "masqd_workers_twin_frames",
			 (unsigned long long)v[5]);
	masq_text_printf(out, "%-28s %llu\n", "masqd_workers_tx_via0",
			 (unsigned long long)v[6]);	/* AF_XDP, no queue */
	for (uint32_t k = 0; k < d->wk.n; k++) {	/* the fanout's share */
		uint64_t rx = 0;

		workers_pause(d, k);
		for (int i = 0; i < d->o.nifaces; i++)
			rx += wport_stats(d, d->wk.w[k], i)->rx_frames;
		workers_resume(d, k);
		masq_text_printf(out, "masqd_worker%u_rx_frames %llu\n", k,
				 (unsigned long long)rx);
	}
}

/**
 * workers_port_stats() - Interface @i's counters over every worker's socket
 * @d:		daemon
 * @i:		interface (port)
 * @sum:	filled: worker 0's, plus each other worker's, read while
 *		that worker is paused (its kernel drop counters polled)
 */
void workers_port_stats(struct masqd *d, int i, struct afp_stats *sum)
{
	*sum = *port_stats(d, i);
	for (uint32_t k = 1; k < d->wk.n; k++) {
		const struct afp_stats *s;

		workers_pause(d, k);
		s = wport_stats(d, d->wk.w[k], i);
		sum->rx_frames += s->rx_frames;
		sum->rx_bytes += s->rx_bytes;
		sum->rx_copied += s->rx_copied;
		sum->tx_kicks += s->tx_kicks;
		sum->rx_truncated += s->rx_truncated;
		sum->rx_too_big += s->rx_too_big;
		sum->rx_no_buf += s->rx_no_buf;
		sum->ring_drops += s->ring_drops;
		sum->tx_frames += s->tx_frames;
		sum->tx_bytes += s->tx_bytes;
		sum->tx_failed += s->tx_failed;
		if (s->tx_failed && !sum->tx_last_errno)
			sum->tx_last_errno = s->tx_last_errno;
		sum->sock_errors += s->sock_errors;
		workers_resume(d, k);
	}
}

/*
 * Interface @i's AF_XDP counters over every worker's port (workers
 * 1..n-1 paused one at a time, their kernel counters polled), into @xs;
 * @zc: every socket zero-copy
 */
static void xstats_sum(struct masqd *d, int i, struct afxdp_xstats *xs,
		       bool *zc)
{
	*xs = d->xports[i].xs;
	*zc = d->xports[i].zerocopy;
	for (uint32_t k = 1; k < d->wk.n; k++) {
		const struct afxdp_port *p = &d->wk.w[k]->xown[i];

		workers_pause(d, k);
		afxdp_stats_poll(&d->wk.w[k]->xown[i]);
		xs->rx_dropped += p->xs.rx_dropped;
		xs->rx_ring_full += p->xs.rx_ring_full;
		xs->fill_ring_empty += p->xs.fill_ring_empty;
		xs->tx_invalid += p->xs.tx_invalid;
		xs->tx_no_frame += p->xs.tx_no_frame;
		xs->bad_addr += p->xs.bad_addr;
		*zc &= !p->nq || p->zerocopy;
		workers_resume(d, k);
	}
}

/**
 * workers_port_xdp_stats() - The counters only AF_XDP has, for masqctl
 *			      stats
 * @d:		daemon
 * @i:		port
 * @out:	"io_IFACE_xdp_NAME VALUE" lines appended (none for AF_PACKET),
 *		every worker's sockets added
 */
void workers_port_xdp_stats(struct masqd *d, int i, struct masq_text *out)
{
	const struct afxdp_port *p = &d->xports[i];
	struct afxdp_xstats xs;
	bool zc;

	if (d->o.io != IO_AFXDP)
		return;
	char name[64];

	xstats_sum(d, i, &xs, &zc);
#define XS(field) do {							\
		snprintf(name, sizeof(name), "io_%s_xdp_%s", p->name, #field); \
		masq_text_printf(out, "%-28s %llu\n", name,		\
				 (unsigned long long)xs.field);		\
	} while (0)
	XS(rx_dropped);
	XS(rx_ring_full);
	XS(fill_ring_empty);
	XS(tx_invalid);
	XS(tx_no_frame);
	XS(bad_addr);
#undef XS
	snprintf(name, sizeof(name), "io_%s_xdp_zerocopy", p->name);
	masq_text_printf(out, "%-28s %d\n", name, zc);
}

/**
 * workers_rl() - Worker @k's reload state
 * @d:		daemon
 * @k:		worker
 *
 * Return: the daemon's for worker 0, the worker's own otherwise
 */
struct reload *workers_rl(struct masqd *d, uint32_t k)
{
	return k ? &d->wk.w[k]->rl : &d->rl;
}

/**
 * workers_reload_init() - The reload state of workers 1..n-1's engines
 * @d:		daemon, its own reload_init() done
 * @lim:	the engines' limits, the table's size the router's whole
 *		(--conntrack-max), which `set conntrack-max` is held against
 *
 * Return: 0, or -ENOMEM
 */
int workers_reload_init(struct masqd *d, const struct masq_limits *lim)
{
	for (uint32_t k = 1; k < d->wk.n; k++) {
		if (reload_init(&d->wk.w[k]->rl, d->o.conf, lim))
			return -ENOMEM;
		d->wk.w[k]->rl_init = true;
	}
	return 0;
}
