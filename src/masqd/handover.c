// SPDX-License-Identifier: MIT
/*
 * handover.c - restarts that keep connections: the state file
 *
 * A stopping masqd writes its connection table, mappings and
 * expectations (the engine's snapshot, engine/snapshot.c) to a state
 * file; the next masqd started with the same control socket loads it
 * before it forwards its first packet, so established connections, UDP
 * flows and forwards go on with the same external ports, their timers
 * less the time away.
 *
 *	start	handover_open(), first (before the claims, recover.c,
 *		which ask whether to adopt), before anything is dropped
 *		or taken: the file
 *		/run/masq/NETNS/masqd_XXXXXXXX.state (the folder of the
 *		claims, keyed by network namespace; the name of the nft
 *		table, keyed by the control socket: two masqd in two
 *		namespaces or with two sockets never share one) is opened
 *		and kept open to the end; what a predecessor left is read
 *		into memory. handover_create(), once the claims are
 *		taken, makes it when there was none.
 *		handover_restore(), last before the loop: the engine is
 *		configured (command line, -c file, the host's addresses of
 *		a twin), so what no longer fits is skipped; one log line
 *		says what came back and how long forwarding stopped. The
 *		file is emptied (fsync) then, so a state is never loaded
 *		twice; a start that fails before leaves it for the next.
 *	stop	handover_save(), after the loop and before the teardown
 *		(SIGTERM, SIGINT; SIGUSR2 for a restart): only write,
 *		pwrite, ftruncate and fsync on the descriptor opened at
 *		start, so it works after the privileges are dropped. The
 *		body is written first, then the header: a file cut short
 *		by a crash has no valid header (or a checksum that fails)
 *		and is refused.
 *
 * A file another version of masq wrote, of another boot, truncated or
 * corrupt is refused with the reason and masqd starts empty.
 *
 * The folder is keyed by the namespace's inode number, which the kernel
 * gives again once a namespace is gone: a masqd killed together with its
 * helper (nobody empties its file) in a namespace since deleted leaves a
 * file a later namespace with the same number and socket path would find.
 * So the header holds the namespace's cookie too (SO_NETNS_COOKIE, read
 * at start from a socket of this namespace: never given twice in a
 * boot), and handover_open() refuses a file whose cookie differs, says
 * so and removes it (as it removes any file that is not a whole one of
 * this boot: another format, cut short, corrupt). A kernel before Linux
 * 5.14 has no cookie: 0 is written and compared, one log line at start
 * says the folder alone then tells the namespace.
 *
 * A restart (SIGUSR2, d->handover) says so in the header's flags
 * (MASQD_SNAP_HANDOVER): the stopping masqd left its takeover (sysctls,
 * nft table), its records and its twins in place, and the successor
 * adopts them (recover.c keeps the recorded originals, twin.c attaches
 * to the twins) instead of putting back and taking again, which would
 * hand the interfaces to the kernel for a moment. masqd --release
 * removes the file (handover_forget()): nobody is to load it.
 * --no-restore starts empty on purpose (the file is emptied too).
 *
 * With --workers N the bytes are every engine's and the load gives each
 * engine what it owns under this masqd's N (wsnap.c).
 *
 * The gap reported is from the predecessor's snapshot (its last moment
 * of forwarding: the loop had stopped) to this masqd's loop start.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "masqd/handover.h"
#include "masqd/log.h"
#include "masqd/masqd.h"

#ifndef MASQ_VERSION
#define MASQ_VERSION	"0.1"
#endif

#define HANDOVER_BOOT_ID	"/proc/sys/kernel/random/boot_id"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE		71	/* Linux 5.14, asm-generic/socket.h */
#endif

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The kernel's boot id, "" when unreadable (then no file is loaded) */
static void read_boot_id(char *id, size_t len)
{
	int fd = open(HANDOVER_BOOT_ID, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, id, len - 1) : -1;

	if (fd >= 0)
		close(fd);
	id[n > 0 ? n : 0] = '\0';
	id[strcspn(id, "\n")] = '\0';
}

/*
 * This network namespace's cookie, from a socket made in it; 0 where the
 * kernel has none (before Linux 5.14: logged, the folder alone tells the
 * namespace) or the socket cannot be made
 */
static uint64_t read_netns_cookie(void)
{
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int ret = fd < 0 ? -errno : 0;

	if (!ret && getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len))
		ret = -errno;
	if (fd >= 0)
		close(fd);
	if (ret)
		logmsg(LOG_INFO, "restart: no network namespace cookie (%s%s): "
		       "a state file is known as this namespace's by its "
		       "folder (the inode number) alone", strerror(-ret),
		       ret == -ENOPROTOOPT ? ", Linux before 5.14" : "");
	return ret ? 0 : cookie;
}

/* The snapshot's boot id, namespace, version and now */
static void snap_info(const struct handover *h, struct masq_snap_info *in)
{
	memset(in, 0, sizeof(*in));
	snprintf(in->boot_id, sizeof(in->boot_id), "%s", h->boot_id);
	in->netns_cookie = h->netns_cookie;
	snprintf(in->version, sizeof(in->version), "%s", MASQ_VERSION);
	in->now_ns = mono_ns();
}

/*
 * The largest file a table of @max connections makes: a bigger one is
 * not read (a file is hostile; memory is not given to it unbounded)
 */
static size_t biggest(uint32_t max)
{
	return 4096 + (size_t)max * (104 + 2 * 16) + 1024 * 32;
}

/* Read what the predecessor left; Return: 0, or -errno */
static int read_state(struct handover *h, size_t size)
{
	size_t got = 0;

	h->data = malloc(size ? size : 1);
	if (!h->data)
		return -ENOMEM;
	while (got < size) {
		ssize_t n = pread(h->fd, h->data + got, size - got, (off_t)got);

		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		got += (size_t)n;
	}
	h->len = got;
	return 0;
}

/* Empty the file: a state is loaded once. Return: 0, or -1 (logged) */
static int empty_state(struct handover *h)
{
	if (!ftruncate(h->fd, 0) && !fsync(h->fd))
		return 0;
	logmsg(LOG_ERR, "state file %s: cannot empty it: %s", h->path,
	       strerror(errno));
	return -1;
}

/* The state file's path; Return: 0 or -ENAMETOOLONG */
static int state_path(const char *sock, unsigned long netns, char *path,
		      size_t len)
{
	static struct takeover t;	/* only for its table's name */

	to_init(&t, sock, NULL);
	if ((size_t)snprintf(path, len, "%s/%lu/%s.state", CLAIM_DIR, netns,
			     t.table) >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* /run/masq/NETNS, made if need be (as claim.c makes it); Return: 0/-errno */
static int state_dir(unsigned long netns)
{
	char sub[CLAIM_PATH_MAX];

	if (mkdir(CLAIM_DIR, 0755) && errno != EEXIST)
		return -errno;
	snprintf(sub, sizeof(sub), "%s/%lu", CLAIM_DIR, netns);
	if (mkdir(sub, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

/*
 * Is what the predecessor left a whole file of this boot and this
 * network namespace? Then: was its stop a restart's (SIGUSR2)? The
 * takeover, the records and the twins it left are adopted (recover.c,
 * twin.c): asked of the header alone, so an upgrade (another version,
 * whose connections are refused) still adopts them.
 * Otherwise nothing in it is this masqd's (another namespace's, which
 * had this one's inode number; another boot's; another format; cut
 * short): refused with the reason and removed, handover_create() makes
 * the file anew. Return: true when it was removed
 */
static bool peek_handover(struct handover *h)
{
	struct masq_snap_info in;

	snap_info(h, &in);
	if (!masq_snap_check(h->data, h->len, &in)) {
		h->adopt = in.flags & MASQD_SNAP_HANDOVER;
		return false;
	}
	free(h->data);
	h->data = NULL;
	if (unlink(h->path)) {
		logmsg(LOG_ERR, "restart: state file %s refused: %s; starting "
		       "empty (cannot remove it: %s)", h->path, in.why,
		       strerror(errno));
		empty_state(h);
		return false;
	}
	logmsg(LOG_ERR, "restart: state file %s refused: %s; starting empty "
	       "(the file removed)", h->path, in.why);
	close(h->fd);
	h->fd = -1;
	return true;
}

/**
 * handover_open() - Open the state file; take what a predecessor left
 * @d:		daemon, options parsed; first of all (recover_claim() asks
 *		whether the predecessor's stop was a restart's)
 *
 * Return: 0, or -1 after logging (the file cannot be opened: masqd
 * could not keep its connections at the next restart, so it says so
 * now rather than at the stop)
 */
int handover_open(struct masqd *d)
{
	struct handover *h = &d->ho;
	uint32_t max = d->o.conntrack_max ? d->o.conntrack_max : 262144;
	struct stat st;
	int ret;

	read_boot_id(h->boot_id, sizeof(h->boot_id));
	h->netns_cookie = read_netns_cookie();
	ret = claim_netns(&d->netns);
	if (!ret)
		ret = state_path(d->o.sock, d->netns, h->path, sizeof(h->path));
	if (ret) {
		logmsg(LOG_ERR, "state file under %s: %s", CLAIM_DIR,
		       strerror(-ret));
		return -1;
	}
	/* made after the claims (handover_create()): a masqd refused there
	 * leaves nothing behind */
	h->fd = open(h->path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (h->fd < 0 && errno == ENOENT)
		return 0;
	if (h->fd < 0 || fstat(h->fd, &st)) {
		logmsg(LOG_ERR, "state file %s: %s", h->path, strerror(errno));
		return -1;
	}
	if ((size_t)st.st_size > biggest(max))
		logmsg(LOG_ERR, "restart: state file %s refused: %lld bytes, "
		       "more than a table of %u connections makes; starting "
		       "empty", h->path, (long long)st.st_size, max);
	else if (st.st_size > 0 && (ret = read_state(h, (size_t)st.st_size)))
		logmsg(LOG_ERR, "restart: state file %s unreadable: %s; "
		       "starting empty", h->path, strerror(-ret));
	else {
		if (h->data && peek_handover(h))
			return 0;	/* a stranger's: handover_create() */
		if (!h->data || !d->o.no_restore)
			return 0;	/* emptied once loaded: a failed start
					 * keeps it */
		logmsg(LOG_INFO, "restart: state file %s not loaded "
		       "(--no-restore): starting empty%s", h->path, h->adopt ?
		       " (the restart's takeover and twins are adopted)" : "");
	}
	free(h->data);
	h->data = NULL;
	return empty_state(h);
}

/**
 * handover_create() - The state file, made if there was none
 * @d:		daemon, its interfaces claimed
 *
 * Return: 0, or -1 after logging
 */
int handover_create(struct masqd *d)
{
	struct handover *h = &d->ho;
	int ret;

	if (h->fd >= 0)
		return 0;
	ret = state_dir(d->netns);
	if (!ret) {
		h->fd = open(h->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
			     0600);
		ret = h->fd < 0 ? -errno : 0;
	}
	if (ret)
		logmsg(LOG_ERR, "state file %s: %s", h->path, strerror(-ret));
	return ret ? -1 : 0;
}

/**
 * handover_restore() - Load what the predecessor left into the engine
 * @d:		daemon, the engine configured, the loop about to start, the
 *		host's addresses in the engine (hostwatch_settle())
 *
 * Logs one line: what came back and the gap in forwarding, or why the
 * file was refused (masqd then starts empty).
 */
void handover_restore(struct masqd *d)
{
	struct handover *h = &d->ho;
	struct masq_snap_info in;
	int ret;

	if (!h->data)
		return;
	snap_info(h, &in);
	ret = workers_restore(d, h->data, h->len, &in);	/* each engine its own */
	free(h->data);
	h->data = NULL;
	empty_state(h);
	if (ret == -EINVAL) {
		logmsg(LOG_ERR, "restart: state file %s refused: %s; starting "
		       "empty", h->path, in.why);
		return;
	}
	if (ret) {
		logmsg(LOG_ERR, "restart: state file %s not loaded: %s; "
		       "starting empty", h->path, strerror(-ret));
		return;
	}
	h->gap_ms = (mono_ns() - in.written_ns) / 1000000;
	logmsg(LOG_NOTICE, "restart: %u connections, %u mappings, %u "
	       "expectations restored (%u skipped), forwarding stopped for "
	       "%llu ms", in.conns, in.maps, in.expects, in.skipped,
	       (unsigned long long)h->gap_ms);
}

/* Write @n bytes at @off whole; Return: 0 or -errno */
static int write_at(int fd, const char *p, size_t n, off_t off)
{
	while (n) {
		ssize_t w = pwrite(fd, p, n, off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		n -= (size_t)w;
		off += w;
	}
	return 0;
}

/*
 * The snapshot onto the file: emptied, the body, fsync, the header,
 * fsync. Return: 0 or -errno
 */
static int write_state(int fd, const struct masq_text *t)
{
	int ret;

	if (t->len < MASQ_SNAP_HEADER)
		return -EINVAL;
	if (ftruncate(fd, 0))
		return -errno;
	ret = write_at(fd, t->s + MASQ_SNAP_HEADER, t->len - MASQ_SNAP_HEADER,
		       MASQ_SNAP_HEADER);
	if (!ret && fsync(fd))
		ret = -errno;
	if (!ret)
		ret = write_at(fd, t->s, MASQ_SNAP_HEADER, 0);
	if (!ret && fsync(fd))
		ret = -errno;
	return ret;
}

/**
 * handover_save() - Write the engine's state for a successor
 * @d:		daemon, the loop left (nothing forwards any more)
 */
void handover_save(struct masqd *d)
{
	struct handover *h = &d->ho;
	struct masq_text t = { 0 };
	struct masq_snap_info in;
	uint64_t t0 = mono_ns();
	int ret;

	if (h->fd < 0 || !d->e)
		return;
	snap_info(h, &in);
	in.flags = d->handover ? MASQD_SNAP_HANDOVER : 0;
	ret = workers_snapshot(d, &in, &t);	/* every engine's */
	if (!ret)
		ret = write_state(h->fd, &t);
	if (ret)
		logmsg(LOG_ERR, "restart: state not written to %s: %s; a "
		       "successor starts empty", h->path, strerror(-ret));
	else
		logmsg(LOG_INFO, "restart: %u connections written to %s (%zu "
		       "bytes, %llu ms)", workers_conn_count(d), h->path,
		       t.len, (unsigned long long)(mono_ns() - t0) / 1000000);
	masq_text_free(&t);
}

/**
 * handover_forget() - masqd --release: no successor will load the state
 * @sock:	-s SOCKET, whose state file it is
 * @netns:	claim_netns()
 */
void handover_forget(const char *sock, unsigned long netns)
{
	char path[CLAIM_PATH_MAX];

	if (!state_path(sock, netns, path, sizeof(path)) && !unlink(path))
		logmsg(LOG_INFO, "state file %s removed", path);
}

/**
 * handover_close() - Close the state file (it stays for a successor)
 * @d:		daemon
 */
void handover_close(struct masqd *d)
{
	free(d->ho.data);
	d->ho.data = NULL;
	if (d->ho.fd >= 0)
		close(d->ho.fd);
	d->ho.fd = -1;
}
