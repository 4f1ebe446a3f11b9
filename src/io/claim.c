// SPDX-License-Identifier: MIT
/*
 * claim.c - claim files and record files under /run/masq (see claim.h)
 *
 * Theory of operation: claim_take() opens (creating) the claim file and
 * tries flock(LOCK_EX | LOCK_NB). Held by someone: the file's text names
 * the owner, returned for the message, -EBUSY. Taken: fstat(fd) and
 * stat(path) must be the same inode -- an owner that removed its claim
 * between our open and our lock left us a lock on a deleted file, so we
 * open again (a few times at most). A lock held for an owner that is
 * gone is the owner's privileged helper (masqd/privsep.c) giving the
 * interfaces back: waited for, up to CLAIM_WAIT_MS, so the next masqd
 * or masqd --release never races it. A non-empty file we could lock was
 * left by a dead owner: stale, remembered for the log. Then our own
 * pid, start time and socket are written in it.
 *
 * The start time (field 22 of /proc/PID/stat, clock ticks since boot)
 * makes "pid N" a name that a recycled pid cannot take: a reader who
 * finds the lock held but pid N gone, or started at another time, says
 * so instead of blaming an unrelated process.
 *
 * Rejected alternatives: a pid file alone (a recycled pid looks alive;
 * kill(pid, 0) cannot tell), fcntl(F_SETLK) locks (dropped when any
 * descriptor of the file is closed by the process, e.g. a reader of the
 * file in the same masqd), an abstract unix socket as the lock (keyed by
 * namespace already, but it says nothing about who holds it once the
 * owner is wedged, and cannot carry the record).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "io/claim.h"

#define CLAIM_TRIES	5
/* a gone masqd's helper giving back: nft's time at most (takeover.c) */
#define CLAIM_WAIT_MS	6000
#define CLAIM_WAIT_STEP_MS 20

/**
 * claim_netns() - The inode of this process's network namespace
 * @ino:	filled
 *
 * Return: 0, or -errno (no /proc)
 */
int claim_netns(unsigned long *ino)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st))
		return -errno;
	*ino = (unsigned long)st.st_ino;
	return 0;
}

/* Field 22 of /proc/PID/stat; 0 when the process is gone or unreadable */
static unsigned long long start_time(long pid)
{
	char path[64], buf[1024], *p;
	unsigned long long t = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');	/* the name may hold spaces and ')' */
	if (!p)
		return 0;
	/* after ')': state is field 3, so 19 more fields to field 22 */
	for (int f = 0; f < 20 && p; f++)
		p = strchr(p + 1, ' ');
	if (p)
		t = strtoull(p + 1, NULL, 10);
	return t;
}

static int mkdirs(const char *dir, unsigned long netns, char *sub, size_t len)
{
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	if ((size_t)snprintf(sub, len, "%s/%lu", dir, netns) >= len)
		return -ENAMETOOLONG;
	if (mkdir(sub, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

/* What the text of a claim someone holds says of its owner */
enum owner_state {
	OWNER_LIVE,		/* pid N runs: refuse */
	OWNER_GONE,		/* pid N is gone: its helper is giving back */
	OWNER_UNWRITTEN,	/* locked, no text yet: a claimant between its
				 * flock() and its pwrite(), or rewriting */
};

/* "masqd pid N, socket S", from the claim file's text */
static enum owner_state describe_owner(int fd, char *owner, size_t olen)
{
	char buf[512] = "", sock[256] = "?";
	unsigned long long st = 0;
	long pid = 0;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	const char *s;

	buf[n > 0 ? n : 0] = '\0';
	if ((s = strstr(buf, "pid ")))
		pid = strtol(s + 4, NULL, 10);
	if ((s = strstr(buf, "start ")))
		st = strtoull(s + 6, NULL, 10);
	if ((s = strstr(buf, "socket ")))
		sscanf(s + 7, "%255[^\n]", sock);
	if (pid <= 0 || !strchr(buf, '\n') || !strstr(buf, "socket ")) {
		snprintf(owner, olen, "a masqd that is starting (its claim "
			 "names no owner yet)");
		return OWNER_UNWRITTEN;
	}
	if (st && start_time(pid) != st) {
		snprintf(owner, olen, "a process that holds the claim of masqd "
			 "pid %ld, socket %s, which is gone", pid, sock);
		return OWNER_GONE;
	}
	snprintf(owner, olen, "masqd pid %ld, socket %s", pid, sock);
	return OWNER_LIVE;
}

/*
 * Open and lock the claim file; Return: fd, -EBUSY, -EAGAIN, -errno;
 * -EINPROGRESS when the lock is held for a masqd that is gone (its
 * helper is giving back) or by one that has not written its name yet:
 * worth waiting for
 */
static int lock_once(struct claim *c, char *owner, size_t olen)
{
	struct stat a, b;
	int fd = open(c->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int e = errno;

		bool wait = e == EWOULDBLOCK &&
			    describe_owner(fd, owner, olen) != OWNER_LIVE;

		close(fd);
		return wait ? -EINPROGRESS : e == EWOULDBLOCK ? -EBUSY : -e;
	}
	if (fstat(fd, &a) || stat(c->path, &b) || a.st_ino != b.st_ino ||
	    a.st_dev != b.st_dev) {
		close(fd);	/* removed under us: try the new one */
		return -EAGAIN;
	}
	return fd;
}

/**
 * claim_take() - Claim @iface for this process
 * @c:		filled; @c->fd >= 0 once taken
 * @dir:	CLAIM_DIR, or a test's folder
 * @netns:	claim_netns()
 * @iface:	interface name
 * @sock:	this masqd's control socket (named to anyone refused)
 * @owner:	on -EBUSY: who owns it, for the message
 * @olen:	its size
 *
 * Return: 0 (@c->stale: a dead owner's claim was taken over), -EBUSY
 * when a live process holds it, or -errno
 */
int claim_take(struct claim *c, const char *dir, unsigned long netns,
	       const char *iface, const char *sock, char *owner, size_t olen)
{
	char sub[CLAIM_PATH_MAX], old[256];
	int ret, fd = -EAGAIN;
	ssize_t n;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	snprintf(c->iface, sizeof(c->iface), "%s", iface);
	ret = mkdirs(dir, netns, sub, sizeof(sub));
	if (ret)
		return ret;
	if ((size_t)snprintf(c->path, sizeof(c->path), "%s/%s.claim", sub,
			     iface) >= sizeof(c->path) ||
	    (size_t)snprintf(c->rec, sizeof(c->rec), "%s/%s.rec", sub,
			     iface) >= sizeof(c->rec))
		return -ENAMETOOLONG;
	for (int i = 0, waited = 0; i < CLAIM_TRIES && fd == -EAGAIN; i++) {
		fd = lock_once(c, owner, olen);
		if (fd == -EINPROGRESS && waited < CLAIM_WAIT_MS) {
			usleep(CLAIM_WAIT_STEP_MS * 1000);
			waited += CLAIM_WAIT_STEP_MS;
			fd = -EAGAIN;
			i--;	/* waiting is not a try */
			continue;
		}
		if (fd == -EINPROGRESS)
			fd = -EBUSY;
		if (fd == -ENOENT) {	/* the folder was removed: again */
			ret = mkdirs(dir, netns, sub, sizeof(sub));
			fd = ret ? ret : -EAGAIN;
		}
	}
	if (fd < 0)
		return fd == -EAGAIN ? -EBUSY : fd;
	c->fd = fd;
	n = pread(fd, old, sizeof(old) - 1, 0);
	if (n > 0) {
		old[n] = '\0';
		c->stale = true;
		if (!strncmp(old, "pid ", 4))
			c->old_pid = strtol(old + 4, NULL, 10);
	}
	return claim_describe(c, getpid(), sock);
}

/* @order: 0..n-1 sorted by interface name (insertion sort: n <= 32) */
static void name_order(char *const *names, int n, int *order)
{
	for (int i = 0; i < n; i++) {
		int j = i;

		while (j > 0 && strcmp(names[order[j - 1]], names[i]) > 0) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
}

/**
 * claim_take_all() - Claim every interface of a start, or none
 * @c:		@n claims, filled in the order of @names
 * @n:		how many (CLAIM_SET_MAX at most)
 * @dir:	CLAIM_DIR, or a test's folder
 * @netns:	claim_netns()
 * @names:	the interfaces
 * @sock:	this masqd's control socket
 * @owner:	on -EBUSY: who owns @names[*@failed], for the message
 * @olen:	its size
 * @failed:	on error: the index in @names of the interface refused
 *
 * Two masqd started at once on the same interfaces must not each take
 * some and both give up. So the claims are taken in the order of the
 * names, the same for every claimant, and the first one refused ends the
 * attempt (the ones taken are given up at once). Of two claimants, the
 * one refused holds nothing it took after the name it was refused on,
 * and holds every name before it: had each been refused on a name the
 * other held, each name would come before the other. So exactly one of
 * two wins. Rejected: a lock over the whole set (a file under @dir that
 * outlives every masqd, or the folder itself, which claim_drop() removes
 * under a waiter); trying every name after a refusal to name every
 * owner (a loser holding a later name for a moment can make the winner
 * lose too).
 *
 * Return: 0, -EBUSY when a live process holds one, or -errno
 */
int claim_take_all(struct claim *c, int n, const char *dir,
		   unsigned long netns, char *const *names, const char *sock,
		   char *owner, size_t olen, int *failed)
{
	int order[CLAIM_SET_MAX];

	for (int i = 0; i < n; i++)
		c[i].fd = -1;
	if (n > CLAIM_SET_MAX)
		return -E2BIG;
	name_order(names, n, order);
	for (int k = 0; k < n; k++) {
		int i = order[k];
		int ret = claim_take(&c[i], dir, netns, names[i], sock, owner,
				     olen);

		if (ret) {
			*failed = i;
			for (int j = 0; j < k; j++)
				claim_drop(&c[order[j]], true);
			return ret;
		}
	}
	return 0;
}

/**
 * claim_describe() - Write the owner into a held claim (again after a fork)
 * @c:		a taken claim
 * @pid:	the owner
 * @sock:	its control socket
 *
 * Return: 0, or -errno
 */
int claim_describe(struct claim *c, pid_t pid, const char *sock)
{
	char txt[CLAIM_PATH_MAX + 96];
	int n = snprintf(txt, sizeof(txt), "pid %ld\nstart %llu\nsocket %s\n",
			 (long)pid, start_time(pid), sock);

	if (n < 0 || (size_t)n >= sizeof(txt))
		return -ENAMETOOLONG;
	/* written over the old text, then cut: never empty for a reader */
	if (pwrite(c->fd, txt, (size_t)n, 0) != n || ftruncate(c->fd, n))
		return errno ? -errno : -EIO;
	return 0;
}

/**
 * claim_drop() - Give a claim up: remove its files, then unlock
 * @c:		a claim (taken or not: then nothing happens)
 * @keep_record: leave IFACE.rec (something was not restored)
 *
 * The claim file is removed while still locked, so a waiting claimant
 * that opened it finds it removed (claim_take() opens again). The
 * namespace's folder goes too when nothing else is in it (a claimant
 * that finds it gone makes it again).
 */
void claim_drop(struct claim *c, bool keep_record)
{
	char *slash;

	if (c->fd < 0)
		return;
	if (!keep_record)
		unlink(c->rec);
	unlink(c->path);
	close(c->fd);
	c->fd = -1;
	slash = strrchr(c->path, '/');
	if (slash) {
		*slash = '\0';
		rmdir(c->path);		/* fails, as it should, unless empty */
		*slash = '/';
	}
}

/* fsync the folder holding @path, so a rename in it is on disk */
static int sync_dir(const char *path)
{
	char dir[CLAIM_PATH_MAX];
	char *slash;
	int fd, ret = 0;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		return 0;
	*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd))
		ret = -errno;
	close(fd);
	return ret;
}

/**
 * claim_rec_write() - Write the record whole: temporary file, fsync, rename
 * @c:		a taken claim
 * @text:	runrec_format()'s output
 * @len:	its length
 *
 * Return: 0 once the record is on disk, or -errno (nothing replaced)
 */
int claim_rec_write(const struct claim *c, const char *text, size_t len)
{
	char tmp[CLAIM_PATH_MAX + 8];
	int fd, ret = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.new", c->rec) >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  0644);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		ret = errno ? -errno : -EIO;
	if (!ret && fsync(fd))
		ret = -errno;
	close(fd);
	if (!ret && rename(tmp, c->rec))
		ret = -errno;
	if (ret) {
		unlink(tmp);
		return ret;
	}
	return sync_dir(c->rec);
}

/**
 * claim_rec_read() - Read the record file, if there is one
 * @c:		a taken claim
 * @buf:	where
 * @len:	its size
 * @got:	bytes read
 *
 * Return: 0, -ENOENT when there is none, -EFBIG when it is bigger than
 * @len, or -errno
 */
int claim_rec_read(const struct claim *c, char *buf, size_t len, size_t *got)
{
	int fd = open(c->rec, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;
	char extra;

	*got = 0;
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len);
	if (n >= 0 && (size_t)n == len && read(fd, &extra, 1) == 1)
		n = -2;
	close(fd);
	if (n == -2)
		return -EFBIG;
	if (n < 0)
		return -errno;
	*got = (size_t)n;
	return 0;
}
