// SPDX-License-Identifier: MIT
/*
 * log.c - masqd's log: a ring per class of line, written out by a log
 *	   thread (see log.h)
 *
 * Theory of operation:
 *
 *	loop thread (producer of its rings)	log thread (the only consumer)
 *	logmsg(), log_rule(): the class's	poll(eventfd, 1 s)
 *	cap, the line into its ring's next	the oldest line of either ring
 *	slot, head++ (release)			(by sequence number): write it
 *	log_kick(), once an iteration:		out, tail++ (release)
 *	write(eventfd) if lines were queued	once a second: "N log lines
 *						suppressed" per class
 *
 * Each ring has one producer and one consumer, so its head and tail are
 * all the synchronisation there is: the producer fills a slot, then
 * publishes it with a release store of head; the thread writes the slot
 * out, then frees it with a release store of tail. No lock: the thread
 * may sit in write(2) or syslog() for as long as the output is stuck, and
 * all the producer sees is a full ring (lines dropped, counted). The drop
 * counters are written by the producer alone, with relaxed atomic stores,
 * and read by the thread and by `masqctl stats`.
 *
 * Why a thread, not non-blocking descriptors written a slice per
 * iteration: glibc's syslog() blocks on a stalled /dev/log and has no
 * non-blocking mode, and O_NONBLOCK on stderr would change the file
 * description masqd shares with whoever started it (their terminal or
 * pipe). The thread writes stderr with write(2), never stdio, so it holds
 * no stdio lock another thread (or exit()) could wait for.
 *
 * The cap is a fixed one-second window of CLOCK_MONOTONIC per class: the
 * first N lines of each second enter the ring, the rest are counted.
 * The counts since the last report are written by the thread, at most
 * once a second per class, in one line; so a flood of either class costs
 * at most its cap + 1 lines a second, and the other class keeps its own
 * cap and ring. The roads not taken: a token bucket (smoother, but a
 * burst after a quiet minute would be cut as hard); one ring with a quota
 * per class (the same guarantee, more bookkeeping).
 *
 * With --workers N, workers 1..N-1 run engines of their own whose LOG
 * rules log too: each has a rules ring of its own (log_workers(), made
 * before the threads start), of which it is the one producer
 * (log_rule_worker(), log_kick_worker() once an iteration), with the
 * rules class's size and cap, so N workers log at most N times the cap
 * in all; their drops are counted in the rules class. The sequence
 * number that orders the lines across rings is one atomic counter
 * (a fetch-and-add per line, at most the caps' lines a second).
 *
 * If the thread cannot be started, the loop writes the rings out itself
 * in log_kick() (caps and counts as above; a stuck output then stalls
 * the loop, as before the thread existed), and says so.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "masqd/log.h"

/**
 * struct log_line - one queued line
 * @seq:	order across the rings
 * @prio:	syslog priority
 * @text:	the line, NUL-terminated, without a newline
 */
struct log_line {
	uint64_t seq;
	int prio;
	char text[LOG_LINE_MAX];
};

/**
 * struct log_ring - one class's queue and cap
 * @slot:	@size lines, made at start
 * @size:	slots
 * @rate:	lines a second that may enter
 * @what:	the class, as the suppressed line names it
 * @head:	next slot to fill (free-running); producer, atomic
 * @tail:	next slot to write out; the writer, atomic
 * @win_s:	second of the cap's window; producer
 * @win_lines:	lines taken in it; producer
 * @over_rate:	lines over the cap; producer, atomic
 * @queue_full:	lines that found the ring full; producer, atomic
 * @told_rate:	@over_rate already reported; the writer
 * @told_full:	@queue_full already reported; the writer
 * @told_s:	second of the last report; the writer
 * @kick_due:	lines queued since the producer last kicked; producer
 */
struct log_ring {
	struct log_line *slot;
	uint32_t size;
	uint32_t rate;
	const char *what;
	uint32_t head;
	uint32_t tail;
	uint64_t win_s;
	uint32_t win_lines;
	uint64_t over_rate;
	uint64_t queue_full;
	uint64_t told_rate;
	uint64_t told_full;
	uint64_t told_s;
	bool kick_due;
};

static struct log_line daemon_slots[LOG_RING_DAEMON];
static struct log_line rule_slots[LOG_RING_RULES];
static struct log_ring rings[LOG_CLASS_NUM] = {
	[LOG_CLASS_DAEMON] = { .slot = daemon_slots, .size = LOG_RING_DAEMON,
			       .rate = LOG_RATE_DAEMON, .what = "masqd" },
	[LOG_CLASS_RULES] = { .slot = rule_slots, .size = LOG_RING_RULES,
			      .rate = LOG_RATE_RULES, .what = "LOG rules" },
};

static bool log_stderr = true;
static bool log_syslog;
static bool queued;		/* log_start() ran: lines go to the rings */
static bool threaded;		/* ... and the log thread writes them */
static uint64_t next_seq;	/* atomic: every producer's */
static struct log_ring *wrings[LOG_WORKERS_MAX];	/* [k]: worker k's
					 * LOG rules (k >= 1; log_workers()) */
static uint32_t nwrings;		/* workers, 1 + the rings made */
static int kick_fd = -1;	/* eventfd: wakes the log thread */
static int stopping;		/* atomic: log_stop() wants the thread done */
static pthread_t writer;

static uint64_t mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

/* Add one to counter @c, which only the producer writes */
static void count(uint64_t *c)
{
	__atomic_store_n(c, *c + 1, __ATOMIC_RELAXED);
}

/**
 * log_init() - Choose where lines go
 * @foreground:	true: stderr only; false: syslog, and stderr until detached
 */
void log_init(bool foreground)
{
	log_stderr = true;
	log_syslog = !foreground;
	if (log_syslog)
		openlog("masqd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

/**
 * log_detach() - Stop writing to stderr (the daemon has left the terminal)
 *
 * Before log_start(): the log thread reads the choice without a lock.
 */
void log_detach(void)
{
	if (log_syslog)
		log_stderr = false;
}

/* "masqd: TEXT\n" to fd 2 with write(2); a failed write loses the line */
static void stderr_put(const char *text)
{
	char buf[LOG_LINE_MAX + 16];
	int n = snprintf(buf, sizeof(buf), "masqd: %s\n", text);
	size_t len = n < 0 ? 0 : (size_t)n, off = 0;

	if (len >= sizeof(buf)) {	/* cut: keep the newline */
		len = sizeof(buf);
		buf[len - 1] = '\n';
	}
	while (off < len) {
		ssize_t w = write(STDERR_FILENO, buf + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		off += (size_t)w;
	}
}

/* Write one line out (may block: the log thread's, or before the loop) */
static void write_line(int prio, const char *text)
{
	if (log_stderr)
		stderr_put(text);
	if (log_syslog)
		syslog(prio, "%s", text);
}

/* ---- the producer: the loop's thread ----------------------------------- */

/* The next slot of ring @r for a line, or NULL: over the cap or full */
static struct log_line *slot_get(struct log_ring *r)
{
	uint64_t now = mono_s();

	if (now != r->win_s) {
		r->win_s = now;
		r->win_lines = 0;
	}
	if (r->win_lines >= r->rate) {
		count(&r->over_rate);
		return NULL;
	}
	if (r->head - __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) >= r->size) {
		count(&r->queue_full);
		return NULL;
	}
	r->win_lines++;
	return &r->slot[r->head % r->size];
}

/* Publish the slot slot_get() gave, now filled, to the writer */
static void slot_put(struct log_ring *r, struct log_line *l, int prio)
{
	l->prio = prio;
	l->seq = __atomic_fetch_add(&next_seq, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&r->head, r->head + 1, __ATOMIC_RELEASE);
	r->kick_due = true;
}

/* A line into ring @r: queued (capped) from log_start(), else written now */
static void logv(struct log_ring *r, int prio, const char *fmt, va_list ap)
{
	struct log_line now, *l = queued ? slot_get(r) : &now;

	if (!l)
		return;
	vsnprintf(l->text, sizeof(l->text), fmt, ap);
	if (queued)
		slot_put(r, l, prio);
	else
		write_line(prio, l->text);
}

static void logc(struct log_ring *r, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void logc(struct log_ring *r, int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	logv(r, prio, fmt, ap);
	va_end(ap);
}

/**
 * logmsg() - Log one of masqd's own lines (the daemon class, see log.h)
 * @prio:	syslog priority (LOG_ERR, LOG_WARNING, LOG_INFO...)
 * @fmt:	printf format, without a trailing newline
 */
void logmsg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	logv(&rings[LOG_CLASS_DAEMON], prio, fmt, ap);
	va_end(ap);
}

/**
 * log_rule() - Log a line of the filter's LOG target (the rules class)
 * @prio:	syslog priority, the rule's --log-level
 * @line:	the line, without a newline
 *
 * On the packet path: the clock, the cap, one copy of the line.
 */
void log_rule(int prio, const char *line)
{
	logc(&rings[LOG_CLASS_RULES], prio, "%s", line);
}

/**
 * log_rule_worker() - log_rule() for worker @k's engine (--workers)
 * @k:		worker, 1..n-1: the one thread that calls this with @k
 * @prio:	syslog priority, the rule's --log-level
 * @line:	the line, without a newline
 *
 * Into worker @k's own ring (log_workers()); with none, the line is
 * dropped and counted as a full ring's.
 */
void log_rule_worker(uint32_t k, int prio, const char *line)
{
	struct log_ring *r = k < nwrings ? wrings[k] : NULL;

	if (!r) {
		count(&rings[LOG_CLASS_RULES].queue_full);	/* not expected */
		return;
	}
	logc(r, prio, "%s", line);
}

/**
 * log_workers() - Make the LOG rules rings of workers 1..@n-1
 * @n:		workers (1: nothing to make)
 *
 * Before log_start() and before the workers' threads; freed never (they
 * live as long as masqd).
 * Return: 0, or -ENOMEM
 */
int log_workers(uint32_t n)
{
	static const char *what[LOG_WORKERS_MAX];
	static char names[LOG_WORKERS_MAX][32];

	for (uint32_t k = 1; k < n && k < LOG_WORKERS_MAX; k++) {
		struct log_ring *r = calloc(1, sizeof(*r));

		if (r)
			r->slot = calloc(LOG_RING_RULES, sizeof(*r->slot));
		if (!r || !r->slot) {
			free(r);
			return -ENOMEM;
		}
		snprintf(names[k], sizeof(names[k]), "LOG rules, worker %u", k);
		what[k] = names[k];
		r->size = LOG_RING_RULES;
		r->rate = LOG_RATE_RULES;
		r->what = what[k];
		wrings[k] = r;
		nwrings = k + 1;
	}
	return 0;
}

/* Every ring in turn: the classes', then the workers'; NULL after the last */
static struct log_ring *ring_at(uint32_t i)
{
	if (i < LOG_CLASS_NUM)
		return &rings[i];
	i -= LOG_CLASS_NUM - 1;		/* worker 1 is the first after them */
	return i < nwrings ? wrings[i] : NULL;
}

/* ---- the writer: the log thread (or the loop, without one) -------------- */

/* The ring whose next queued line is the oldest, or NULL: all empty */
static struct log_ring *oldest(void)
{
	struct log_ring *best = NULL;
	uint64_t best_seq = 0;

	for (uint32_t i = 0; ring_at(i); i++) {
		struct log_ring *r = ring_at(i);
		const struct log_line *l = &r->slot[r->tail % r->size];

		if (r->tail == __atomic_load_n(&r->head, __ATOMIC_ACQUIRE))
			continue;
		if (!best || l->seq < best_seq) {
			best = r;
			best_seq = l->seq;
		}
	}
	return best;
}

/* Write out every queued line, in the order they were logged */
static void write_queued(void)
{
	struct log_ring *r;

	while ((r = oldest())) {
		const struct log_line *l = &r->slot[r->tail % r->size];

		write_line(l->prio, l->text);
		__atomic_store_n(&r->tail, r->tail + 1, __ATOMIC_RELEASE);
	}
}

/* Ring @r's drops since its last report, in one line, at most once a second */
static void report_drops(struct log_ring *r, bool now_anyway)
{
	uint64_t rate = __atomic_load_n(&r->over_rate, __ATOMIC_RELAXED);
	uint64_t full = __atomic_load_n(&r->queue_full, __ATOMIC_RELAXED);
	uint64_t n = rate - r->told_rate + full - r->told_full, now = mono_s();
	char text[160];

	if (!n || (!now_anyway && now == r->told_s))
		return;
	snprintf(text, sizeof(text), "%llu log line%s suppressed (%s: %llu over "
		 "the cap of %u a second, %llu while the output was behind)",
		 (unsigned long long)n, n == 1 ? "" : "s", r->what,
		 (unsigned long long)(rate - r->told_rate), r->rate,
		 (unsigned long long)(full - r->told_full));
	write_line(LOG_WARNING, text);
	r->told_rate = rate;
	r->told_full = full;
	r->told_s = now;
}

/* Write what is queued, then what was dropped (@last: whatever the second) */
static void write_all(bool last)
{
	write_queued();
	for (uint32_t i = 0; ring_at(i); i++)
		report_drops(ring_at(i), last);
}

/* The log thread: write, then sleep until kicked or a second has passed */
static void *log_thread(void *arg)
{
	struct pollfd p = { .fd = kick_fd, .events = POLLIN };
	uint64_t n;

	(void)arg;
	for (;;) {
		bool last = __atomic_load_n(&stopping, __ATOMIC_ACQUIRE);

		write_all(last);
		if (last)
			return NULL;
		if (poll(&p, 1, 1000) > 0) {
			ssize_t got = read(kick_fd, &n, sizeof(n));

			(void)got;	/* the count does not matter */
		}
	}
}

/**
 * log_start() - From now on queue lines, capped, for the log thread
 *
 * Call after daemonizing (a thread does not survive fork()), just before
 * the loop. The thread runs with every signal blocked. Without a thread
 * (logged) the loop writes the rings out in log_kick().
 *
 * Return: 0, or -1 when the loop writes the lines itself
 */
int log_start(void)
{
	sigset_t all, old;
	int ret;

	queued = true;
	__atomic_store_n(&stopping, 0, __ATOMIC_RELAXED);
	kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (kick_fd < 0) {
		logmsg(LOG_WARNING, "log: eventfd: %s; the loop writes the log "
		       "itself", strerror(errno));
		return -1;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&writer, NULL, log_thread, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		close(kick_fd);
		kick_fd = -1;
		logmsg(LOG_WARNING, "cannot start the log thread (%s): the loop "
		       "writes the log itself", strerror(ret));
		return -1;
	}
	threaded = true;
	return 0;
}

/* Wake the log thread: one non-blocking eventfd write (any thread) */
static void kick_writer(void)
{
	uint64_t one = 1;
	ssize_t n = write(kick_fd, &one, sizeof(one));	/* EAGAIN: pending */

	(void)n;
}

/**
 * log_kick_worker() - log_kick() for worker @k's ring, once an iteration
 * @k:		worker, 1..n-1 (its own thread)
 *
 * Without a log thread the loop writes the worker's lines out at its
 * next log_kick().
 */
void log_kick_worker(uint32_t k)
{
	struct log_ring *r = k < nwrings ? wrings[k] : NULL;

	if (!r || !r->kick_due || !queued)
		return;
	r->kick_due = false;
	if (threaded)
		kick_writer();
}

/* A worker's ring holds lines (for the loop without a log thread) */
static bool workers_queued(void)
{
	for (uint32_t k = 1; k < nwrings; k++)
		if (wrings[k]->tail !=
		    __atomic_load_n(&wrings[k]->head, __ATOMIC_ACQUIRE))
			return true;
	return false;
}

/**
 * log_kick() - Once per loop iteration: hand the lines queued in it over
 *
 * One non-blocking eventfd write when lines were queued since the last
 * kick, none otherwise. Without a log thread: write them here.
 */
void log_kick(void)
{
	bool due = false;

	for (int c = 0; c < LOG_CLASS_NUM; c++) {
		due |= rings[c].kick_due;
		rings[c].kick_due = false;
	}
	if (!queued || !(due || (!threaded && workers_queued())))
		return;
	if (!threaded) {
		write_all(false);
		return;
	}
	kick_writer();
}

/**
 * log_stop() - At exit: write what is queued, waiting LOG_STOP_MS at most
 *
 * If the output stays blocked that long, the thread is left to end with
 * the process and the lines it holds are lost; lines logged later are
 * queued and may never be written.
 */
void log_stop(void)
{
	struct timespec dl;

	if (!queued)
		return;
	if (!threaded) {
		write_all(true);
		queued = false;
		return;
	}
	__atomic_store_n(&stopping, 1, __ATOMIC_RELEASE);
	kick_writer();
	clock_gettime(CLOCK_REALTIME, &dl);	/* pthread_timedjoin_np's clock */
	dl.tv_nsec += (LOG_STOP_MS % 1000) * 1000000L;
	dl.tv_sec += LOG_STOP_MS / 1000 + dl.tv_nsec / 1000000000L;
	dl.tv_nsec %= 1000000000L;
	if (pthread_timedjoin_np(writer, NULL, &dl))
		return;		/* blocked: the thread ends with masqd */
	close(kick_fd);
	kick_fd = -1;
	threaded = false;
	queued = false;
}

/**
 * log_get_stats() - Lines not written, per class and reason
 * @st:		filled
 */
void log_get_stats(struct log_stats *st)
{
	for (int c = 0; c < LOG_CLASS_NUM; c++) {
		st->over_rate[c] = __atomic_load_n(&rings[c].over_rate,
						   __ATOMIC_RELAXED);
		st->queue_full[c] = __atomic_load_n(&rings[c].queue_full,
						    __ATOMIC_RELAXED);
	}
	for (uint32_t k = 1; k < nwrings; k++) {	/* the workers' rules */
		st->over_rate[LOG_CLASS_RULES] +=
			__atomic_load_n(&wrings[k]->over_rate, __ATOMIC_RELAXED);
		st->queue_full[LOG_CLASS_RULES] +=
			__atomic_load_n(&wrings[k]->queue_full, __ATOMIC_RELAXED);
	}
}

/**
 * log_suppressed() - Lines not written, every class and reason
 *
 * Return: count since start
 */
uint64_t log_suppressed(void)
{
	struct log_stats st;
	uint64_t n = 0;

	log_get_stats(&st);
	for (int c = 0; c < LOG_CLASS_NUM; c++)
		n += st.over_rate[c] + st.queue_full[c];
	return n;
}
