// SPDX-License-Identifier: MIT
/*
 * sockdir.c - make and check the control socket's directory (sockdir.h)
 *
 * The walk holds one directory descriptor at a time and opens the next
 * component from it with O_NOFOLLOW | O_DIRECTORY, so what is checked is
 * what is used: no name is looked up twice. ".." is refused (it would
 * leave a directory already checked). Ancestors may be anyone's (a
 * socket under /tmp or a home directory is fine: the walk holds them
 * open); only the last directory, where the socket lives, must be
 * root's or masqd's and writable by its owner alone.
 *
 * sockdir_reachable() answers the other question, asked when masqd lets
 * one unprivileged user use the socket (ctlperm.c): can that user get to
 * it? It walks up from the directory held open, by "..", to the root,
 * and judges each directory's search bit as the kernel would for a
 * process of that uid and that one group. Walking up from the descriptor
 * rather than down the path judges the directories the socket is really
 * in, whatever has been renamed since it was made.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "masqd/log.h"
#include "masqd/sockdir.h"

#define SOCKDIR_MAX_DEPTH	256	/* directories walked up at most */

#define DIR_FLAGS	(O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

/* The path up to the component that ends at @end, for messages */
static const char *upto(const char *path, const char *end)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%.*s", (int)(end - path), path);
	return buf[0] ? buf : "/";
}

/* Open directory @comp in @at, making it when missing; -errno, logged */
static int open_component(int at, const char *comp, const char *path,
			  const char *end)
{
	struct stat st;
	int fd = openat(at, comp, DIR_FLAGS);

	if (fd < 0 && errno == ENOENT && mkdirat(at, comp, 0755) &&
	    errno != EEXIST) {
		logmsg(LOG_ERR, "cannot create directory %s for the control "
		       "socket: %s", upto(path, end), strerror(errno));
		return -errno;
	}
	if (fd < 0)
		fd = openat(at, comp, DIR_FLAGS);
	if (fd >= 0)
		return fd;
	if (!fstatat(at, comp, &st, AT_SYMLINK_NOFOLLOW) && S_ISLNK(st.st_mode)) {
		logmsg(LOG_ERR, "%s is a symbolic link: masqd follows none on "
		       "the control socket's path (give the real path with -s)",
		       upto(path, end));
		return -ELOOP;
	}
	logmsg(LOG_ERR, "%s: %s (on the control socket's path)",
	       upto(path, end), strerror(errno));
	return -errno;
}

/* The socket's own directory: root's or ours, written by its owner only */
static int check_last(int fd, const char *dir)
{
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		logmsg(LOG_ERR, "control socket directory %s belongs to uid %u, "
		       "not to root or to masqd's user (%u)", dir,
		       (unsigned)st.st_uid, (unsigned)geteuid());
		return -EPERM;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		logmsg(LOG_ERR, "control socket directory %s is writable by "
		       "group or others (mode %04o): make it 0755 or stricter, "
		       "or choose another path with -s", dir,
		       (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

/* The next component of @p: its start in *@start, length returned */
static size_t next_component(const char **p, const char **start)
{
	while (**p == '/')
		(*p)++;
	*start = *p;
	while (**p && **p != '/')
		(*p)++;
	return (size_t)(*p - *start);
}

/**
 * sockdir_open() - Walk to the socket's directory, making and checking it
 * @path:	the socket's path (absolute, or from the current directory)
 * @name:	set to the socket's own name (the last component, in @path)
 *
 * Return: an open descriptor of the directory (O_CLOEXEC), or -errno
 * after a log line naming the component at fault
 */
int sockdir_open(const char *path, const char **name)
{
	const char *p = path, *comp, *last = NULL;
	char buf[256];
	size_t n;
	int fd = open(path[0] == '/' ? "/" : ".", DIR_FLAGS), ret;

	if (fd < 0)
		return -errno;
	for (n = next_component(&p, &comp); n; n = next_component(&p, &comp)) {
		int next;

		if (n >= sizeof(buf) || (n <= 2 && !strncmp(comp, "..", n))) {
			logmsg(LOG_ERR, "control socket path %s: '%.*s' is not "
			       "allowed there", path, (int)n, comp);
			close(fd);
			return -EINVAL;
		}
		if (!*p) {		/* the socket itself */
			last = comp;
			break;
		}
		memcpy(buf, comp, n);
		buf[n] = '\0';
		next = open_component(fd, buf, path, p);
		close(fd);
		if (next < 0)
			return next;
		fd = next;
	}
	if (!last) {
		logmsg(LOG_ERR, "control socket path %s names no socket", path);
		close(fd);
		return -EINVAL;
	}
	ret = check_last(fd, upto(path, last > path ? last - 1 : last));
	if (ret) {
		close(fd);
		return ret;
	}
	*name = last;
	return fd;
}

/**
 * sockdir_path() - A path to @name in the directory @dirfd holds open
 * @buf:	room for the path (a sockaddr_un's sun_path)
 * @size:	its size
 * @dirfd:	from sockdir_open()
 * @name:	the socket's name in it
 *
 * The path goes through /proc/self/fd, so bind() and connect() reach the
 * directory that was checked, whatever has been renamed since.
 *
 * Return: 0, or -ENAMETOOLONG
 */
int sockdir_path(char *buf, size_t size, int dirfd, const char *name)
{
	int n = snprintf(buf, size, "/proc/self/fd/%d/%s", dirfd, name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/*
 * May a process of @uid, with @gid its only group, search a directory of
 * @st? The owner's bits for the owner, the group's for the group, else
 * the others' (ACLs are not read: a directory that grants more by one is
 * judged by its mode bits alone).
 */
static bool may_search(const struct stat *st, uint32_t uid, uint32_t gid)
{
	if (st->st_uid == uid)
		return st->st_mode & S_IXUSR;
	if (st->st_gid == gid)
		return st->st_mode & S_IXGRP;
	return st->st_mode & S_IXOTH;
}

/* Why @fd (a directory of @st) keeps @uid:@gid out, and the cure */
static void say_unreachable(int fd, const struct stat *st, uint32_t uid,
			    uint32_t gid, char *why, size_t len)
{
	char link[64], dir[1024];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, dir, sizeof(dir) - 1);
	if (n < 0)
		n = snprintf(dir, sizeof(dir), "(a directory above the socket)");
	dir[n] = '\0';
	snprintf(why, len, "the control socket's directory %s (owner %u, "
		 "group %u, mode %04o) does not let uid %u group %u through: "
		 "make it searchable (chmod o+x %s, or chgrp %u and chmod g+x)",
		 dir, (unsigned)st->st_uid, (unsigned)st->st_gid,
		 (unsigned)(st->st_mode & 07777), (unsigned)uid, (unsigned)gid,
		 dir, (unsigned)gid);
}

/**
 * sockdir_reachable() - Can a user reach the socket in @dirfd?
 * @dirfd:	the socket's directory (from sockdir_open())
 * @uid:	the user
 * @gid:	his group (the only one judged: a user may have others the
 *		caller cannot know, so this can refuse one who could pass,
 *		never pass one who cannot)
 * @why:	on -EACCES, the directory at fault and what to do
 * @len:	size of @why
 *
 * Every directory from @dirfd up to the root must let the user search
 * it. O(depth), at most SOCKDIR_MAX_DEPTH directories.
 *
 * Return: 0, -EACCES with @why, or another -errno
 */
int sockdir_reachable(int dirfd, uint32_t uid, uint32_t gid, char *why,
		      size_t len)
{
	/* a copy, not openat("."): masqd's own user may not search the
	 * folder it was given as root (sandbox.c), yet must say so */
	int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0), ret = -ELOOP;

	if (fd < 0)
		return -errno;
	for (int depth = 0; depth < SOCKDIR_MAX_DEPTH; depth++) {
		struct stat st, up;
		int parent;

		if (fstat(fd, &st)) {
			ret = -errno;
			break;
		}
		if (!may_search(&st, uid, gid)) {
			say_unreachable(fd, &st, uid, gid, why, len);
			ret = -EACCES;
			break;
		}
		parent = openat(fd, "..", DIR_FLAGS);
		if (parent < 0 || fstat(parent, &up)) {
			ret = -errno;
			if (parent >= 0)
				close(parent);
			break;
		}
		close(fd);
		fd = parent;
		if (up.st_dev == st.st_dev && up.st_ino == st.st_ino) {
			ret = 0;	/* the root is its own parent */
			break;
		}
	}
	close(fd);
	return ret;
}
