// SPDX-License-Identifier: MIT
/*
 * log.c - masq-socksify's log: stderr with -f, else syslog (LOG_DAEMON)
 *
 * A line per refused or failed connection could be a flood (a LAN host
 * opening connections in a loop to a dead proxy), so lines are capped at
 * SX_LOG_RATE a second; those over the cap are counted and reported in
 * one line "N log lines suppressed" when the next second's first line
 * goes out. The cap costs one clock read per line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>

#include "socksify/socksify.h"

#define SX_LOG_RATE	50	/* lines a second at most */

static bool to_stderr = true;
static time_t this_second;
static unsigned lines_this_second;
static unsigned long suppressed;

/**
 * sx_log_open() - Choose where lines go
 * @foreground:	true: stderr; false: syslog, as masq-socksify, LOG_DAEMON
 */
void sx_log_open(bool foreground)
{
	to_stderr = foreground;
	if (!foreground)
		openlog("masq-socksify", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

static void emit(int prio, const char *line)
{
	if (to_stderr)
		fprintf(stderr, "masq-socksify: %s\n", line);
	else
		syslog(prio, "%s", line);
}

/* Return: true when this line is within the second's cap */
static bool under_cap(void)
{
	struct timespec ts;
	char buf[80];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (ts.tv_sec != this_second) {
		this_second = ts.tv_sec;
		lines_this_second = 0;
		if (suppressed) {
			snprintf(buf, sizeof(buf), "%lu log lines suppressed",
				 suppressed);
			suppressed = 0;
			emit(LOG_WARNING, buf);
		}
	}
	if (lines_this_second >= SX_LOG_RATE) {
		suppressed++;
		return false;
	}
	lines_this_second++;
	return true;
}

/**
 * sx_log() - Log one line (capped, see the file's header)
 * @prio:	syslog priority (LOG_ERR, LOG_WARNING, LOG_INFO, ...)
 * @fmt:	printf format, no newline
 */
void sx_log(int prio, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!under_cap())
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	emit(prio, line);
}
