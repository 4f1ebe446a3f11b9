// SPDX-License-Identifier: MIT
/*
 * pidfile.c - the control socket's pid file (see pidfile.h)
 *
 * A file there already is judged before it is replaced: its pid not
 * running, or running something that is not masqd (/proc/PID/comm), is
 * a stale file, logged as such; this process's own pid (reused since)
 * is replaced silently. A running masqd on the same socket cannot be:
 * the socket (ctlsrv.c) refused this start before, and a restart's
 * predecessor removed its file at its stop. The road not taken: a lock on
 * the pid file (as the claims have, claim.c): the socket already gives
 * one masqd per name, and a lock would only add a descriptor to hold.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "masqd/log.h"
#include "masqd/masqd.h"
#include "masqd/pidfile.h"

#define PIDFILE_MAX	NAME_MAX

int pidfile_name(const char *sockname, char *buf, size_t len)
{
	size_t n = strlen(sockname);
	int w;

	if (n > 5 && !strcmp(sockname + n - 5, ".sock"))
		n -= 5;
	w = snprintf(buf, len, "%.*s.pid", (int)n, sockname);
	return w < 0 || (size_t)w >= len ? -ENAMETOOLONG : 0;
}

/* The pid in file @name of @dirfd; 0 when none or not a number */
static long pid_in(int dirfd, const char *name)
{
	char buf[32];
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n;
	char *end;
	long pid;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	pid = strtol(buf, &end, 10);
	return end != buf && (*end == '\n' || !*end) && pid > 0 ? pid : 0;
}

/* /proc/@pid/comm into @comm; false when the process is not there */
static bool comm_of(long pid, char *comm, size_t len)
{
	char path[64];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	ok = fgets(comm, (int)len, f) != NULL;
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	return ok;
}

/* Say why a pid file there before is stale, if it is */
static void judge_old(int dirfd, const char *name, const char *dir)
{
	long pid = pid_in(dirfd, name);
	char comm[32];

	if (!pid || pid == (long)getpid())
		return;
	if (!comm_of(pid, comm, sizeof(comm)))
		logmsg(LOG_INFO, "stale pid file %s/%s (pid %ld is not "
		       "running): replaced", dir, name, pid);
	else if (strcmp(comm, "masqd"))
		logmsg(LOG_INFO, "stale pid file %s/%s (pid %ld is %s, not "
		       "masqd): replaced", dir, name, pid, comm);
}

/* The directory part of the socket's path, for messages */
static const char *dir_of(const char *sock, char *buf, size_t len)
{
	const char *slash = strrchr(sock, '/');

	snprintf(buf, len, "%.*s", slash ? (int)(slash - sock) : 1,
		 slash ? sock : ".");
	return buf;
}

int pidfile_write(const struct masqd *d)
{
	char name[PIDFILE_MAX + 1], tmp[PIDFILE_MAX + 8], dir[4096], line[32];
	int fd, n, ret = 0;

	if (pidfile_name(d->ctl.name, name, sizeof(name)) ||
	    snprintf(tmp, sizeof(tmp), ".%s.new", name) >= (int)sizeof(tmp)) {
		logmsg(LOG_ERR, "pid file for socket %s: name too long",
		       d->o.sock);
		return -ENAMETOOLONG;
	}
	dir_of(d->o.sock, dir, sizeof(dir));
	judge_old(d->ctl.dirfd, name, dir);
	unlinkat(d->ctl.dirfd, tmp, 0);		/* a crashed write's */
	fd = openat(d->ctl.dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0644);
	n = snprintf(line, sizeof(line), "%ld\n", (long)getpid());
	if (fd < 0 || write(fd, line, (size_t)n) != n || fsync(fd) ||
	    renameat(d->ctl.dirfd, tmp, d->ctl.dirfd, name))
		ret = -errno;
	if (fd >= 0)
		close(fd);
	if (ret) {
		unlinkat(d->ctl.dirfd, tmp, 0);
		logmsg(LOG_ERR, "cannot write the pid file %s/%s: %s", dir, name,
		       strerror(-ret));
	}
	return ret;
}

void pidfile_remove(const struct masqd *d)
{
	char name[PIDFILE_MAX + 1];

	if (d->ctl.dirfd >= 0 && !pidfile_name(d->ctl.name, name, sizeof(name)))
		unlinkat(d->ctl.dirfd, name, 0);
}
