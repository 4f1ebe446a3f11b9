/* SPDX-License-Identifier: MIT */
/*
 * log.h - masqd's log: stderr in the foreground, syslog as a daemon
 *
 * Control-plane and life-cycle events, and the filter's LOG target (the
 * engine's log function, set in setup.c): otherwise the packet path
 * counts, it never logs. Until log_detach() lines also go to stderr, so a start-up
 * error reaches the person who started masqd.
 *
 * While the loop runs (log_defer(true)), logmsg() only formats the line
 * into a bounded ring (LOG_RING_LINES lines of LOG_LINE_MAX bytes, made
 * at start: nothing is allocated per line) and the loop writes the ring
 * out once per iteration with log_drain(), after the packet work. At most
 * LOG_RATE_PER_S lines a second enter the ring; the others are counted
 * (log_suppressed(), "masqd_log_suppressed" in masqctl stats) and, once
 * a second with room has begun, reported in one line "N log lines
 * suppressed". Outside the loop (start, stop) lines are written at once
 * and are not capped.
 */
#ifndef MASQD_LOG_H
#define MASQD_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>

#define LOG_RING_LINES	256
#define LOG_LINE_MAX	512	/* bytes with the NUL; longer lines are cut
				 * (a LOG target's line is up to ~300) */
#define LOG_RATE_PER_S	100

void log_init(bool foreground);
void log_detach(void);
void logmsg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_defer(bool on);
void log_drain(void);
uint64_t log_suppressed(void);

#endif
