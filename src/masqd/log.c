// SPDX-License-Identifier: MIT
/*
 * log.c - write lines to stderr, syslog or both, through a ring (see log.h)
 *
 * Theory of operation: logmsg() may be called from anywhere in the loop
 * (a control command, a reload, the takeover check), so it must be cheap
 * and bounded: it reads the monotonic clock (vDSO, no system call),
 * applies the rate cap, and vsnprintf()s into the next slot of a static
 * ring. log_drain() writes the slots out in order (fputs to stderr,
 * syslog()), which may block or allocate inside libc; it runs once per
 * loop iteration after the packets of that iteration are sent.
 *
 * The cap is a fixed one-second window: the first LOG_RATE_PER_S lines of
 * each second of CLOCK_MONOTONIC enter the ring, the rest are counted as
 * suppressed. A full ring (the drain did not run for a while) counts the
 * same way. The count since the last report is written as one line by
 * the first drain in a later second, so a flood costs at most
 * LOG_RATE_PER_S + 1 lines a second. The road not taken: a token bucket
 * (smoother, but a burst after a quiet minute would be cut as hard), and
 * per-message-type limits (a later refinement if one noisy source hides
 * the others).
 *
 * Single-threaded, like the rest of masqd: no locks.
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "masqd/log.h"

/**
 * struct log_line - one queued line
 * @prio:	syslog priority
 * @text:	the line, NUL-terminated, without a newline
 */
struct log_line {
	int prio;
	char text[LOG_LINE_MAX];
};

static bool log_stderr = true;
static bool log_syslog;
static bool deferred;

static struct log_line ring[LOG_RING_LINES];
static uint32_t ring_head;		/* next slot to fill (free-running) */
static uint32_t ring_tail;		/* next slot to write out */

static uint64_t win_s;			/* second of the current window */
static uint32_t win_lines;		/* lines taken in it */
static uint64_t supp_total;		/* suppressed since start */
static uint64_t supp_pending;		/* suppressed since the last report */
static uint64_t supp_win_s;		/* window of the last suppression */

static uint64_t mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
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
 */
void log_detach(void)
{
	if (log_syslog)
		log_stderr = false;
}

static void write_line(int prio, const char *text)
{
	if (log_stderr) {
		fprintf(stderr, "masqd: %s\n", text);
		fflush(stderr);
	}
	if (log_syslog)
		syslog(prio, "%s", text);
}

/**
 * logmsg() - Log one line (queued while the loop runs, see log.h)
 * @prio:	syslog priority (LOG_ERR, LOG_WARNING, LOG_INFO...)
 * @fmt:	printf format, without a trailing newline
 */
void logmsg(int prio, const char *fmt, ...)
{
	struct log_line *l;
	va_list ap;

	if (deferred) {
		uint64_t now = mono_s();

		if (now != win_s) {
			win_s = now;
			win_lines = 0;
		}
		if (win_lines >= LOG_RATE_PER_S ||
		    ring_head - ring_tail >= LOG_RING_LINES) {
			supp_total++;
			supp_pending++;
			supp_win_s = now;
			return;
		}
		win_lines++;
	}
	l = &ring[ring_head % LOG_RING_LINES];
	l->prio = prio;
	va_start(ap, fmt);
	vsnprintf(l->text, sizeof(l->text), fmt, ap);
	va_end(ap);
	ring_head++;
	if (!deferred)
		log_drain();
}

/**
 * log_drain() - Write out the queued lines, and the suppressed count once
 * the second it grew in is over
 *
 * Work: at most LOG_RING_LINES lines plus one.
 */
void log_drain(void)
{
	while (ring_tail != ring_head) {
		const struct log_line *l = &ring[ring_tail % LOG_RING_LINES];

		write_line(l->prio, l->text);
		ring_tail++;
	}
	if (supp_pending && (!deferred || mono_s() != supp_win_s)) {
		char text[80];

		snprintf(text, sizeof(text), "%llu log line%s suppressed (more "
			 "than %u a second)", (unsigned long long)supp_pending,
			 supp_pending == 1 ? "" : "s", LOG_RATE_PER_S);
		write_line(LOG_WARNING, text);
		supp_pending = 0;
	}
}

/**
 * log_defer() - Queue lines for log_drain() (on) or write them at once (off)
 * @on:		true while the loop runs
 *
 * Turning it off drains what is queued, the suppressed count included.
 */
void log_defer(bool on)
{
	deferred = on;
	if (!on)
		log_drain();
}

/**
 * log_suppressed() - Lines not logged because of the rate cap or a full ring
 *
 * Return: count since start
 */
uint64_t log_suppressed(void)
{
	return supp_total;
}
