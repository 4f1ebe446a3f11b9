/* SPDX-License-Identifier: MIT */
/*
 * log.h - masqd's log: stderr in the foreground, syslog as a daemon
 *
 * Two classes of lines, each with its own rate cap and its own queue, so a
 * flood of one cannot silence the other:
 *
 *	daemon	masqd's own lines (logmsg()): start, stop, configuration
 *		errors, reloads, changes to the owned interfaces
 *	rules	the filter's LOG target (log_rule(), the engine's log
 *		function, set in setup.c): up to one line per packet
 *
 * Until log_start() every line is written at once, by the caller, and is
 * never capped, so a start-up error reaches the person who started
 * masqd; until log_detach() lines also go to stderr.
 *
 * From log_start() (just before the loop) a log thread writes the lines
 * out. logmsg() and log_rule() only read the monotonic clock (vDSO),
 * apply their class's cap (LOG_RATE_DAEMON / LOG_RATE_RULES lines a
 * second) and copy the line into the next slot of their class's ring
 * (LOG_RING_DAEMON / LOG_RING_RULES slots of LOG_LINE_MAX bytes, made at
 * start): no allocation, no system call, no lock, so a terminal that is
 * paused or a stalled /dev/log stops only the log thread, never the
 * packets. Lines over the cap, and lines that find their ring full (the
 * writer is behind or blocked), are counted per class (log_get_stats(),
 * the masqd_log_* lines of masqctl stats) and reported by the log thread
 * at most once a second per class in one line "N log lines suppressed
 * (...)". The loop wakes the thread once per iteration in which lines
 * were queued (log_kick()); it also wakes once a second by itself.
 *
 * log_stop(), at exit, writes what is still queued, waiting at most
 * LOG_STOP_MS for a blocked output before giving up on it.
 *
 * Lines are logged from one thread, the loop's (which is main's), but
 * for --workers N's LOG lines: workers 1..N-1 each have a rules ring of
 * their own (log_workers(), log_rule_worker(), log_kick_worker()).
 */
#ifndef MASQD_LOG_H
#define MASQD_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>

#define LOG_RING_DAEMON	128	/* slots: masqd's own lines */
#define LOG_RING_RULES	256	/* slots: LOG target lines */
#define LOG_LINE_MAX	512	/* bytes with the NUL; longer lines are cut
				 * (a LOG target's line is up to ~300) */
#define LOG_RATE_DAEMON	100	/* lines a second, each class */
#define LOG_RATE_RULES	100
#define LOG_WORKERS_MAX	16	/* rings of workers' LOG lines, at most */
#define LOG_STOP_MS	1000	/* log_stop()'s wait for a blocked output */

enum log_class {
	LOG_CLASS_DAEMON,
	LOG_CLASS_RULES,
	LOG_CLASS_NUM
};

/**
 * struct log_stats - lines not written, since start
 * @over_rate:	over their class's cap
 * @queue_full:	their class's ring was full (the output was too slow)
 */
struct log_stats {
	uint64_t over_rate[LOG_CLASS_NUM];
	uint64_t queue_full[LOG_CLASS_NUM];
};

void log_init(bool foreground);
void log_detach(void);
int log_start(void);
void log_kick(void);
void log_stop(void);
void logmsg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_rule(int prio, const char *line);
int log_workers(uint32_t n);
void log_rule_worker(uint32_t k, int prio, const char *line);
void log_kick_worker(uint32_t k);
void log_get_stats(struct log_stats *st);
uint64_t log_suppressed(void);

#endif
