// SPDX-License-Identifier: MIT
/*
 * privsep.c - the privileged helper: what needs root after the start
 *
 * Theory of operation
 *
 * masqd sets up as root (interfaces checked, claimed and recorded,
 * ports, control socket, takeover, twins), then forks this helper and
 * only then drops its own privileges (sandbox.c). From there on:
 *
 *	packet process (masqd's pid, the	helper (its child, "masqd-priv")
 *	one systemd knows, unprivileged,	uid 0, capabilities: only
 *	seccomp)				CAP_NET_ADMIN, no_new_privs
 *	---------------------------------	--------------------------------
 *	forwards, answers masqctl		blocks in recv() on its end of
 *						a SOCK_SEQPACKET socketpair;
 *						holds the claims' locks too
 *	to_check() finds a chain gone:		runs `nft -f -` (to_remake())
 *	  PRIVSEP_REAPPLY, waits		  answers 0 or -errno
 *	a twin to make again: PRIVSEP_TUN	opens /dev/net/tun (0600 on
 *	  (tap.c's opener), then TUNSETIFF	  some systems), passes the
 *	  itself (CAP_NET_ADMIN)		  descriptor (SCM_RIGHTS)
 *	SIGTERM: teardown, PRIVSEP_STOP ->	--io afxdp: XDP programs off
 *						  (rtnetlink, also for a
 *						  restart's PRIVSEP_KEEP);
 *						sysctls back, nft table deleted,
 *	  waits, reaps the helper		  records, claims and the
 *						  control socket removed; answers,
 *						  exits
 *	a fatal signal or a forbidden system	the same give-back; answers;
 *	  call: PRIVSEP_CRASH / _SECCOMP,	  logs the forbidden call by name
 *	  waits, dies of the signal
 *	SIGKILL, or any death without a word:	recv() returns 0 (EOF): the same
 *	  its end of the socketpair closes	  give-back, at once
 *
 * So a SIGKILL of the packet process is recovered from at once, by the
 * helper, not at the next start. The claim files' locks are held by both
 * processes (the descriptors are inherited), so a new masqd, or masqd
 * --release, waits (claim.c) until the helper has given everything back
 * and is gone, and never races it.
 *
 * The helper holds what it needs and nothing else: after the fork it
 * closes every descriptor but its socket, the claims and the control
 * socket's folder, unmaps the packet rings and drops every capability
 * but CAP_NET_ADMIN from its bounding, permitted and effective sets
 * (uid 0 still owns /proc/sys and /run/masq, so the sysctl writes and
 * the unlinks need no capability beyond that; nft, run from it by
 * absolute path with a fixed environment, gets CAP_NET_ADMIN and no
 * more). It never parses a packet, a netlink message or a control
 * request: its only input is a 16-byte message from its own parent,
 * checked by privsep_parse() (fuzz/fuzz_privsep.c), and anything
 * malformed ends it as an EOF would. It ignores SIGTERM, SIGINT, SIGHUP
 * and SIGUSR2: it stops when the packet process tells it or is gone.
 *
 * The rejected alternatives: keeping root (or CAP_DAC_OVERRIDE and
 * CAP_NET_ADMIN) in the packet process for the stop (the process that
 * parses the internet's packets would hold them all its life); a helper
 * started first, before setup, that does all the setup too (passt's
 * model is the other way round, and setup's code would have to become
 * messages); a helper that is masqd's parent (systemd's main pid must
 * be the process that sends READY=1 and takes SIGTERM).
 *
 * A stop with PRIVSEP_KEEP (a restart: the successor adopts what masqd
 * holds) gives nothing back: the helper exits and leaves the takeover,
 * the records, the claim files and the control socket's path as they
 * are. What a compromised packet process can get from the helper is
 * thus: the table made again, a /dev/net/tun descriptor (it holds
 * CAP_NET_ADMIN already), the interfaces given back, or left taken --
 * nothing it could not do, or deny, by itself.
 *
 * Limits: the twins are made and re-made by the packet process (it
 * keeps CAP_NET_ADMIN for them, see sandbox.c); they are persistent (a
 * restart leaves them), so a give-back deletes those still there by
 * name. A twin made again after the drop is not recorded anew (the
 * packet process may not write under /run/masq): the helper, not the
 * record, removes it. A helper killed alone is noticed at
 * the stop (the answer does not come): the records stay and masqd
 * --release, or the next start, puts them back.
 */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <seccomp.h>

#include "io/rtnl.h"
#include "io/tap.h"
#include "masqd/log.h"
#include "masqd/masqd.h"
#include "masqd/pidfile.h"
#include "masqd/port.h"
#include "masqd/privsep.h"

/* The packet process's end; the helper's pid (0: no helper) */
static struct {
	int fd;
	pid_t pid;
} ps = { .fd = -1 };

/* Send one message; Return: 0 or -errno (async-signal-safe) */
static int send_msg(int fd, enum privsep_type type, uint16_t flags,
		    int32_t arg)
{
	struct privsep_msg m;

	privsep_make(&m, type, flags, arg);
	if (send(fd, &m, sizeof(m), MSG_NOSIGNAL) != (ssize_t)sizeof(m))
		return -EPIPE;
	return 0;
}

/* One datagram and the descriptor it carries, if any (@fd: -1 if none) */
static ssize_t recv_with_fd(int sock, char *buf, size_t len, int *fd)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} c;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = c.b, .msg_controllen = sizeof(c.b) };
	struct cmsghdr *h;
	ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);

	*fd = -1;
	if (n < 0)
		return n;
	h = CMSG_FIRSTHDR(&mh);
	if (h && h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS &&
	    h->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(fd, CMSG_DATA(h), sizeof(int));
	return n;
}

/*
 * Ask and wait for the answer (async-signal-safe: the crash and SIGSYS
 * handlers use it); @fd, when not NULL, gets the descriptor the answer
 * carries (-1 if none; one that comes unasked is closed).
 * Return: the answer, -ETIMEDOUT, or -EPIPE when there is no helper
 * (any more)
 */
static int ask_fd(enum privsep_type type, uint16_t flags, int32_t arg,
		  int *fd)
{
	struct pollfd p = { .fd = ps.fd, .events = POLLIN };
	struct privsep_msg m;
	char buf[64];
	ssize_t n;
	int got;

	if (ps.fd < 0 || send_msg(ps.fd, type, flags, arg))
		return -EPIPE;
	for (;;) {
		int r = poll(&p, 1, PRIVSEP_ANSWER_TIMEOUT_MS);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -ETIMEDOUT;
		n = recv_with_fd(ps.fd, buf, sizeof(buf), &got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || privsep_parse(buf, (size_t)n, &m) ||
		    m.type != PRIVSEP_ANSWER || (got >= 0 && (!fd || m.arg))) {
			if (got >= 0)
				close(got);
			return -EPIPE;
		}
		if (fd)
			*fd = got;
		return m.arg;
	}
}

static int ask(enum privsep_type type, uint16_t flags, int32_t arg)
{
	return ask_fd(type, flags, arg, NULL);
}

/* ---- the packet process's side ----------------------------------------- */

/**
 * privsep_active() - Is there a helper to do the privileged work?
 *
 * Return: true between privsep_start() and privsep_stop()
 */
bool privsep_active(void)
{
	return ps.fd >= 0;
}

/* Reap the helper, at most @ms milliseconds */
static void reap(int ms)
{
	for (int i = 0; ps.pid > 0 && i <= ms / 10; i++) {
		pid_t r = waitpid(ps.pid, NULL, WNOHANG);

		if (r == ps.pid || (r < 0 && errno != EINTR))
			break;
		usleep(10000);
	}
	ps.pid = 0;
}

/**
 * privsep_stop() - Have the helper give everything back, or keep it
 * @keep:	leave the takeover, the records and the claims for a successor
 *
 * Return: 0, or -errno: the helper could not (it logged what) or did
 * not answer (logged here: the records stay for masqd --release)
 */
int privsep_stop(bool keep)
{
	int ret;

	if (ps.fd < 0)
		return 0;
	ret = ask(PRIVSEP_STOP, keep ? PRIVSEP_KEEP : 0, 0);
	if (ret == -EPIPE || ret == -ETIMEDOUT)
		logmsg(LOG_ERR, "the privileged helper (pid %ld) did not answer "
		       "the stop (%s): the interfaces may not be given back; "
		       "run masqd --release IFACE...", (long)ps.pid,
		       strerror(-ret));
	close(ps.fd);
	ps.fd = -1;
	reap(1000);
	return ret;
}

/* takeover.h's remake hook: the nft table back, by the helper */
static int remake_by_helper(struct takeover *t)
{
	(void)t;
	return privsep_reapply();
}

/**
 * privsep_reapply() - Have the helper put the nft table back
 *
 * Stalls the loop for the few milliseconds nft takes, as the spawn did
 * when masqd ran it itself.
 * Return: 0, or -errno
 */
int privsep_reapply(void)
{
	return ask(PRIVSEP_REAPPLY, 0, 0);
}

/**
 * privsep_open_tun() - /dev/net/tun, opened by the helper (tap.c's
 * opener: a twin made again by a packet process that may not open it)
 *
 * Return: the descriptor, or -errno
 */
int privsep_open_tun(void)
{
	int fd = -1, ret = ask_fd(PRIVSEP_TUN, 0, 0, &fd);

	if (ret)
		return ret;
	return fd >= 0 ? fd : -EPROTO;
}

/**
 * privsep_tell_seccomp() - From the SIGSYS handler: the helper gives
 * back and logs the call; returns once it has (async-signal-safe)
 * @nr:		the forbidden system call's number
 */
void privsep_tell_seccomp(int nr)
{
	ask(PRIVSEP_SECCOMP, 0, nr < 0 || nr > PRIVSEP_SYSCALL_MAX ? 0 : nr);
}

/**
 * privsep_tell_crash() - From the fatal-signal handler: the helper gives
 * back; returns once it has (async-signal-safe)
 * @sig:	the signal
 */
void privsep_tell_crash(int sig)
{
	ask(PRIVSEP_CRASH, 0, sig);
}

/* ---- the helper's side ------------------------------------------------- */

/* Keep only CAP_NET_ADMIN: bounding set, then permitted and effective */
static int keep_net_admin(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct c[2] = { { 0 } };

	for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (cap != CAP_NET_ADMIN &&
		    prctl(PR_CAPBSET_READ, cap, 0, 0, 0) > 0 &&
		    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0))
			return -errno;
	c[0].effective = c[0].permitted = 1u << CAP_NET_ADMIN;
	if (syscall(SYS_capset, &h, c))
		return -errno;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	return 0;
}

static bool kept_fd(const struct masqd *d, int fd, int sock)
{
	if (fd <= 2 || fd == sock || fd == d->ctl.dirfd)
		return true;
	for (int i = 0; i < d->o.nifaces; i++)
		if (fd == d->claims[i].fd)
			return true;
	return false;
}

/* Close every inherited descriptor the helper has no use for */
static void shed_fds(struct masqd *d, int sock)
{
	int fds[1024], n = 0;
	struct dirent *e;
	DIR *dir;

	for (int i = 0; i < d->o.nifaces; i++)	/* the rings: unmapped */
		if (d->ports[i].tx)
			afp_close(&d->ports[i]);
	if (d->o.io == IO_AFXDP && d->wk.n > 1)
		workers_stop(d);	/* their threads use their AF_XDP ports */
	port_close_afxdp(d, false);	/* the programs stay: give_back() */
	closelog();
	dir = opendir("/proc/self/fd");
	if (!dir)
		return;
	while ((e = readdir(dir)) && n < (int)(sizeof(fds) / sizeof(fds[0]))) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] != '.' && fd != dirfd(dir) &&
		    !kept_fd(d, fd, sock))
			fds[n++] = fd;
	}
	closedir(dir);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	d->to.nlfd = -1;	/* closed above */
	log_init(d->o.foreground);
	if (!d->o.foreground)
		log_detach();
}

/*
 * The twins are persistent (a restart leaves them, twin.h): after a stop
 * the packet process has deleted them, after its death they are still
 * there. By name: one made again since the fork has a new index.
 */
static void delete_twins(const struct masqd *d)
{
	struct rtnl nl = { .fd = -1 };

	if (!d->tw.n || rtnl_open(&nl))
		return;
	for (int i = 0; i < d->tw.n; i++) {
		int idx = (int)if_nametoindex(d->tw.t[i].name);

		if (idx > 0 && !rtnl_link_del(&nl, idx))
			logmsg(LOG_INFO, "privileged helper: twin %s removed",
			       d->tw.t[i].name);
	}
	rtnl_close(&nl);
}

/*
 * --io afxdp: the XDP programs off the owned interfaces (the packet
 * process may not call bpf(); rtnetlink needs CAP_NET_ADMIN only). By
 * the index recorded at the start: a new device under the same name is
 * not ours.
 */
static void detach_xdp(const struct masqd *d)
{
	struct rtnl nl = { .fd = -1 };

	if (d->o.io != IO_AFXDP || rtnl_open(&nl))
		return;
	for (int i = 0; i < d->o.nifaces; i++) {
		int ret = rtnl_link_xdp_detach(&nl, d->links[i].ifindex);

		if (ret && ret != -ENODEV)
			logmsg(LOG_ERR, "privileged helper: %s: cannot remove "
			       "the XDP program: %s", d->links[i].name,
			       strerror(-ret));
	}
	rtnl_close(&nl);
}

/* Everything back: XDP, twins, sysctls, table, records, claims, socket,
 * pid file */
static int give_back(struct masqd *d)
{
	bool restored;

	detach_xdp(d);
	delete_twins(d);
	restored = !d->to.log || !to_release(&d->to);

	recover_drop(d, restored);
	if (d->ctl.dirfd >= 0)
		unlinkat(d->ctl.dirfd, d->ctl.name, 0);
	pidfile_remove(d);
	if (restored)
		logmsg(LOG_INFO, "privileged helper: the interfaces are given "
		       "back");
	return restored ? 0 : -EPROTO;
}

/*
 * After a death, the same, and the state file goes too (as crash.c's
 * handler removes it): nothing was written there for a successor
 */
static int give_back_dead(struct masqd *d)
{
	if (d->ho.path[0])
		unlink(d->ho.path);
	return give_back(d);
}

static void answer(int sock, int ret)
{
	send_msg(sock, PRIVSEP_ANSWER, 0, ret < -4095 || ret > 0 ? -EIO : ret);
}

/* /dev/net/tun, opened here, passed over; the packet process attaches it */
static void answer_tun(int sock)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} c;
	struct privsep_msg m;
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = c.b, .msg_controllen = sizeof(c.b) };
	struct cmsghdr *h = CMSG_FIRSTHDR(&mh);
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		answer(sock, -errno);
		return;
	}
	privsep_make(&m, PRIVSEP_ANSWER, 0, 0);
	memset(&c, 0, sizeof(c));
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &fd, sizeof(int));
	sendmsg(sock, &mh, MSG_NOSIGNAL);
	close(fd);
}

/* The system call's name for the log, "?" when libseccomp has none */
static void log_seccomp(pid_t pid, int nr)
{
	char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);

	logmsg(LOG_ERR, "seccomp: the packet process (pid %ld) made a "
	       "forbidden system call %d (%s): killed; the privileged helper "
	       "gives the interfaces back", (long)pid, nr, name ? name : "?");
	free(name);
}

/* One message; Return: true when the helper is done */
static bool helper_handle(struct masqd *d, int sock, pid_t parent,
			  const struct privsep_msg *m)
{
	switch (m->type) {
	case PRIVSEP_REAPPLY: {
		char msg[512] = "";
		int ret = to_remake(&d->to, msg, sizeof(msg));

		if (ret)
			logmsg(LOG_ERR, "privileged helper: cannot put the nft "
			       "table back: %s", msg[0] ? msg : strerror(-ret));
		answer(sock, ret);
		return false;
	}
	case PRIVSEP_TUN:
		answer_tun(sock);
		return false;
	case PRIVSEP_STOP:
		if (m->flags & PRIVSEP_KEEP) {	/* the successor attaches anew */
			detach_xdp(d);
			pidfile_remove(d);	/* and writes its own */
		}
		answer(sock, m->flags & PRIVSEP_KEEP ? 0 : give_back(d));
		return true;
	case PRIVSEP_SECCOMP:
		log_seccomp(parent, m->arg);
		answer(sock, give_back_dead(d));
		return true;
	case PRIVSEP_CRASH:
		logmsg(LOG_ERR, "the packet process (pid %ld) got fatal signal "
		       "%d (%s); the privileged helper gives the interfaces back",
		       (long)parent, m->arg, strsignal(m->arg));
		answer(sock, give_back_dead(d));
		return true;
	default:
		return true;
	}
}

/* The helper's life: wait for a message or the end; never returns */
static void __attribute__((noreturn)) helper_run(struct masqd *d, int sock,
						 pid_t parent)
{
	struct privsep_msg m;
	char buf[64];
	int ret;

	for (;;) {
		ssize_t n = recv(sock, buf, sizeof(buf), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0 && !(ret = privsep_parse(buf, (size_t)n, &m)) &&
		    m.type != PRIVSEP_ANSWER) {
			if (helper_handle(d, sock, parent, &m))
				_exit(0);
			continue;
		}
		if (n > 0)
			logmsg(LOG_ERR, "privileged helper: a malformed message "
			       "(%zd bytes: %s): taken as the end",
			       n, ret ? strerror(-ret) : "an answer");
		else
			logmsg(LOG_ERR, "the packet process (pid %ld) ended "
			       "without a stop; the privileged helper gives the "
			       "interfaces back", (long)parent);
		_exit(give_back_dead(d) ? 1 : 0);
	}
}

/* In the child: become the helper */
static void __attribute__((noreturn)) helper_main(struct masqd *d, int sock,
						  pid_t parent)
{
	static const int ignored[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR2,
				       SIGPIPE };
	int ret;

	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		signal(ignored[i], SIG_IGN);
	prctl(PR_SET_NAME, "masqd-priv", 0, 0, 0);
	shed_fds(d, sock);
	ret = keep_net_admin();
	if (ret)	/* still root: go on, but say so */
		logmsg(LOG_WARNING, "privileged helper: cannot narrow its "
		       "capabilities to CAP_NET_ADMIN: %s", strerror(-ret));
	helper_run(d, sock, parent);
}

/**
 * privsep_start() - Fork the privileged helper
 * @d:		daemon, set up, after daemonize() (the helper is the child
 *		of the process that runs the loop)
 *
 * Before threads exist: the helper is a copy of a single-threaded masqd.
 * Return: 0, or -1 after logging
 */
int privsep_start(struct masqd *d)
{
	pid_t parent = getpid(), pid;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		logmsg(LOG_ERR, "privileged helper: socketpair: %s",
		       strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		logmsg(LOG_ERR, "privileged helper: fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		helper_main(d, sv[1], parent);
	}
	close(sv[1]);
	ps.fd = sv[0];
	ps.pid = pid;
	d->to.remake = remake_by_helper;
	tap_set_opener(privsep_open_tun);
	return 0;
}
