/* SPDX-License-Identifier: MIT */
/*
 * log.h - masqd's log: stderr in the foreground, syslog as a daemon
 *
 * Control-plane and life-cycle events only: the packet path counts, it
 * never logs. Until log_detach() lines also go to stderr, so a start-up
 * error reaches the person who started masqd.
 */
#ifndef MASQD_LOG_H
#define MASQD_LOG_H

#include <stdbool.h>
#include <syslog.h>

void log_init(bool foreground);
void log_detach(void);
void logmsg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
