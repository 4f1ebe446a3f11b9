/* SPDX-License-Identifier: MIT */
/*
 * sockdir.h - the control socket's directory: made and checked without
 * following a symbolic link
 *
 * masqd runs as root and creates, replaces and removes the socket: a
 * path an unprivileged user could bend (a symbolic link on the way, a
 * directory he can write in) would let him aim those at files of his
 * choosing or put his own socket where masqctl looks. So the path is
 * walked one component at a time from an open directory (openat with
 * O_NOFOLLOW: a symbolic link anywhere is refused, naming it), missing
 * directories are made (mode 0755), and the socket's own directory must
 * belong to root or to masqd's user and be writable by no one else. The
 * socket is then bound, tested, removed and chmod'ed through the
 * directory's descriptor (sockdir_path()), so nothing renamed after the
 * check can redirect it.
 *
 * When one unprivileged user may use the socket (ctlperm.h), every
 * directory above it must let that user search it:
 * sockdir_reachable() says whether it does, and which one does not.
 */
#ifndef MASQD_SOCKDIR_H
#define MASQD_SOCKDIR_H

#include <stddef.h>
#include <stdint.h>

int sockdir_open(const char *path, const char **name);
int sockdir_path(char *buf, size_t size, int dirfd, const char *name);
int sockdir_reachable(int dirfd, uint32_t uid, uint32_t gid, char *why,
		      size_t len);

#endif
