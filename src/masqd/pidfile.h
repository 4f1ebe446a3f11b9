/* SPDX-License-Identifier: MIT */
/*
 * pidfile.h - /run/masq/NAME.pid beside the control socket NAME.sock:
 * which process to signal when several masqd run (kill -HUP $(cat ...))
 *
 * The pid file is named after the socket, in the socket's directory
 * (held open: sockdir.h): NAME.sock gives NAME.pid, any other socket name
 * S gives S.pid. So the default socket /run/masq/masqd.sock has
 * /run/masq/masqd.pid, and each masqd's file is as unique as its socket.
 *
 * Written once the packet process's pid is final (after the fork from the
 * terminal), as root, whole: a temporary file renamed over it, so a
 * reader sees the old pid or the new one, never part of one. Removed by
 * the privileged helper at every stop (a restart's too: its successor
 * starts after it and writes its own) and after a crash of the packet
 * process it outlives (privsep.c). A file left behind (both processes
 * killed) is recognised as stale at the next start, logged, and replaced.
 */
#ifndef MASQD_PIDFILE_H
#define MASQD_PIDFILE_H

#include <stddef.h>

struct masqd;

/**
 * pidfile_name() - The pid file's name for a control socket's name
 * @sockname:	the socket's file name (no directory)
 * @buf:	filled
 * @len:	its size
 *
 * Return: 0, or -ENAMETOOLONG
 */
int pidfile_name(const char *sockname, char *buf, size_t len);

/**
 * pidfile_write() - Write this process's pid, replacing a stale file
 * @d:		daemon, its control socket open
 *
 * Return: 0, or -errno (logged)
 */
int pidfile_write(const struct masqd *d);

/**
 * pidfile_remove() - Remove the pid file (the privileged helper's)
 * @d:		daemon
 */
void pidfile_remove(const struct masqd *d);

#endif
