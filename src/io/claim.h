/* SPDX-License-Identifier: MIT */
/*
 * claim.h - one owner per interface, and the files that say what it changed
 *
 * Under CLAIM_DIR (/run/masq), one folder per network namespace, named
 * after the inode of /proc/self/ns/net (two masqd in two namespaces
 * never share a file, even for interfaces of the same name), and in it
 * per owned interface:
 *
 *	IFACE.claim	"pid N\nstart T\nsocket PATH\n", held with an
 *			exclusive flock(2) for as long as the owner lives;
 *			the kernel drops the lock when the owner dies, so a
 *			lock that can be taken means the claim is stale
 *	IFACE.rec	what the owner changed (runrec.h), written before
 *			the change: a temporary file, fsync, rename, fsync
 *			of the folder, so it is there whole or not at all
 *
 * A clean stop removes both. A masqd killed leaves both; the lock is
 * gone with it, so the next masqd takes the claim (logged) and reads the
 * record. Another masqd trying a held claim is refused with the owner's
 * pid and control socket ("lan0 is owned by masqd pid N, socket S").
 * A start's interfaces are claimed all or none, in name order, so of two
 * masqd started at once on the same interfaces exactly one runs
 * (claim_take_all()). The lock is taken on an open descriptor and
 * the path checked to still be that file afterwards, so an owner removing
 * its claim at the same moment cannot leave two owners.
 *
 * Everything here is the control plane: 0 or -errno, no log lines (the
 * caller logs, with the interface's name).
 */
#ifndef MASQ_IO_CLAIM_H
#define MASQ_IO_CLAIM_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define CLAIM_DIR	"/run/masq"
#define CLAIM_PATH_MAX	192
#define CLAIM_SET_MAX	32	/* interfaces one masqd claims at most */

/**
 * struct claim - one interface claimed
 * @fd:		the locked claim file, -1 when none is held
 * @path:	DIR/NETNS/IFACE.claim
 * @rec:	DIR/NETNS/IFACE.rec
 * @iface:	the interface
 * @stale:	a claim file was there, left by an owner that is gone
 * @old_pid:	... its pid (0: unreadable)
 */
struct claim {
	int fd;
	char path[CLAIM_PATH_MAX];
	char rec[CLAIM_PATH_MAX];
	char iface[IF_NAMESIZE];
	bool stale;
	long old_pid;
};

int claim_netns(unsigned long *ino);
int claim_take(struct claim *c, const char *dir, unsigned long netns,
	       const char *iface, const char *sock, char *owner, size_t olen);
int claim_take_all(struct claim *c, int n, const char *dir,
		   unsigned long netns, char *const *names, const char *sock,
		   char *owner, size_t olen, int *failed);
int claim_describe(struct claim *c, pid_t pid, const char *sock);
void claim_drop(struct claim *c, bool keep_record);
int claim_rec_write(const struct claim *c, const char *text, size_t len);
int claim_rec_read(const struct claim *c, char *buf, size_t len, size_t *got);

#endif
