// SPDX-License-Identifier: MIT
/*
 * log.c - write a line to stderr, syslog or both (see log.h)
 *
 * Known limit: lines are written synchronously; a rate cap and a ring
 * drained off the packet path come with the operations issue (5). Nothing
 * on the packet path calls this.
 */
#include <stdarg.h>
#include <stdio.h>

#include "masqd/log.h"

static bool log_stderr = true;
static bool log_syslog;

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

/**
 * logmsg() - Log one line
 * @prio:	syslog priority (LOG_ERR, LOG_WARNING, LOG_INFO...)
 * @fmt:	printf format, without a trailing newline
 */
void logmsg(int prio, const char *fmt, ...)
{
	va_list ap;

	if (log_stderr) {
		va_start(ap, fmt);
		fputs("masqd: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		va_end(ap);
	}
	if (log_syslog) {
		va_start(ap, fmt);
		vsyslog(prio, fmt, ap);
		va_end(ap);
	}
}
