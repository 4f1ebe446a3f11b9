// SPDX-License-Identifier: MIT
/*
 * sandbox.c - the packet process gives up what it no longer needs
 *
 * Theory of operation: masqd sets up as root; then privsep.c forks the
 * privileged helper, and sandbox_enter(), still before any thread
 * exists, makes the process that parses the internet's packets:
 *
 *	1. the bounding set: every capability dropped but the kept ones
 *	2. the control socket given to the user (so `set origdst-user`
 *	   can still change its mode: ctlperm.c)
 *	3. setgroups(0), setresgid, setresuid to --user (default "masq";
 *	   "nobody", with a warning, when there is no "masq"), keeping
 *	   capabilities across the change (PR_SET_KEEPCAPS)
 *	4. permitted = effective = the kept ones, inheritable and ambient
 *	   empty
 *	5. PR_SET_NO_NEW_PRIVS
 *	6. the seccomp filter (libseccomp), on every thread (TSYNC; the
 *	   log, metrics and job threads are created later and inherit it)
 *
 * The kept capabilities, and why:
 *	CAP_NET_ADMIN	the twins: a TAP re-made (TUNSETIFF) when someone
 *			deleted it, its addresses and the host route put
 *			back, and deleted at the stop (rtnetlink); the
 *			takeover check reads the nft chains (nfnetlink
 *			answers only CAP_NET_ADMIN, even a GET)
 *	CAP_CHOWN	`masqctl set origdst-user USER` gives the control
 *			socket to USER's group (ctlperm.c), a group masqd's
 *			user is not in
 * Not kept: CAP_NET_RAW (the AF_PACKET or AF_XDP sockets are open; a
 * new one is never made), CAP_BPF and CAP_SYS_ADMIN (--io afxdp's
 * programs are attached at setup; bpf() is not on the list),
 * CAP_SETUID/SETGID, CAP_DAC_OVERRIDE (the sysctls and the records are
 * the helper's), all the rest.
 *
 * A system call outside the list raises SIGSYS (SCMP_ACT_TRAP): the
 * handler writes "seccomp: forbidden system call NR (NAME)" to stderr
 * (write(2) only, the name from a table made at the start), tells the
 * helper (which logs the same, gives the interfaces back and answers),
 * and the process dies of SIGSYS. clone3 is answered ENOSYS, so glibc
 * falls back to clone, whose flags the filter can see: only threads.
 *
 * --user root keeps root and applies no filter: for debugging only
 * (logged as a warning at every start). A masqd started as another user
 * (file capabilities) stays that user, keeps at most the two
 * capabilities of those it has (the bounding set only when it may
 * change it) and gets no_new_privs and the filter all the same.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <seccomp.h>

#include "masqd/log.h"
#include "masqd/masqd.h"
#include "masqd/privsep.h"
#include "masqd/sandbox.h"

#define SANDBOX_NAMES	512	/* system call numbers named in the log */

static struct {
	uid_t uid;
	gid_t gid;
	char name[64];
	bool resolved;
	bool unprivileged;	/* started as another user than root */
} user;

static char sc_names[SANDBOX_NAMES][28];	/* for the SIGSYS handler */
static int sc_allowed;

/*
 * The allow-list, by who needs it. Names libseccomp does not know on
 * this architecture (open, stat, ... on arm64) are skipped.
 */
static const char *const allowed[] = {
	/* memory: malloc, the engine's tables, thread stacks */
	"brk", "mmap", "munmap", "mprotect", "madvise", "mremap",
	/* threads (log.c, metrics.c, job.c) and glibc's locks */
	"futex", "set_robust_list", "get_robust_list", "rseq",
	"sched_yield", "sched_getaffinity", "sched_setaffinity", "gettid", "getpid", "getppid",
	"tgkill", "tkill", "exit", "exit_group", "restart_syscall",
	/* signals: the loop's signalfd, the crash and SIGSYS handlers */
	"rt_sigprocmask", "rt_sigaction", "rt_sigreturn", "sigaltstack",
	"signalfd4",
	/* time: the loop, timeouts, the log's stamps */
	"clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep",
	"gettimeofday", "time",
	/* waiting: the loop's poll, the threads' eventfds */
	"poll", "ppoll", "select", "pselect6", "epoll_create1", "epoll_ctl",
	"epoll_wait", "epoll_pwait", "eventfd2", "pipe2",
	/* descriptors: rings, twins, sockets, the state file (pwrite,
	 * ftruncate, fsync on a descriptor opened before the drop) */
	"read", "write", "readv", "writev", "pread64", "pwrite64", "lseek",
	"close", "dup", "dup2", "dup3", "fcntl", "ioctl", "fsync",
	"fdatasync", "ftruncate", "flock",
	/* files: -c on SIGHUP, /etc/services, /proc/sys reads of the
	 * takeover check, /proc/self, the control socket's mode and group */
	"openat", "open", "newfstatat", "fstat", "stat", "lstat", "statx",
	"getdents64", "readlink", "readlinkat", "access", "faccessat",
	"faccessat2", "unlinkat", "unlink", "fchmodat", "fchownat",
	"fchmod", "fchown", "umask", "getcwd",
	/* sockets: the control socket, rtnetlink, sock_diag, nfnetlink,
	 * AF_PACKET's sendto/recvfrom/getsockopt(PACKET_STATISTICS),
	 * AF_XDP's kicks (sendto: transmit, recvfrom: a fill-ring wakeup)
	 * and getsockopt(XDP_STATISTICS) -- never bpf(): the XDP programs
	 * are attached before the drop and removed by the helper,
	 * --metrics, syslog, $NOTIFY_SOCKET (socket(): see below) */
	"connect", "bind", "listen", "accept", "accept4", "sendto",
	"recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg",
	"getsockopt", "setsockopt", "getsockname", "getpeername",
	"shutdown", "socketpair",
	/* identity and limits: ctlperm.c, glibc */
	"getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid",
	"getgroups", "getrandom", "uname", "sysinfo", "getrlimit",
	"prlimit64",
	/* the stop: reaping the helper */
	"wait4",
};

/* Only these socket families: AF_PACKET and AF_XDP are never opened again */
static const int families[] = { AF_UNIX, AF_INET, AF_INET6, AF_NETLINK };

/* Kept capabilities (see the top of this file) */
static const int kept_caps[] = { CAP_NET_ADMIN, CAP_CHOWN };

/**
 * sandbox_user() - Resolve --user before anything is taken
 * @name:	--user, or NULL for the default ("masq", else "nobody")
 *
 * Return: 0, or -1 after logging (a named user that does not exist)
 */
int sandbox_user(const char *name)
{
	const struct passwd *pw;

	if (geteuid() != 0) {	/* no one to become: sandbox_enter() */
		if (name)
			logmsg(LOG_WARNING, "--user %s: masqd was not started as "
			       "root; it stays uid %u", name, (unsigned)geteuid());
		user.resolved = true;
		return 0;
	}
	pw = getpwnam(name ? name : SANDBOX_DEFAULT_USER);

	if (!pw && name) {
		logmsg(LOG_ERR, "--user %s: no such user", name);
		return -1;
	}
	if (!pw) {
		pw = getpwnam(SANDBOX_FALLBACK_USER);
		if (!pw) {
			logmsg(LOG_ERR, "no user %s and no user %s to run as: "
			       "make one, or name one with --user",
			       SANDBOX_DEFAULT_USER, SANDBOX_FALLBACK_USER);
			return -1;
		}
		logmsg(LOG_WARNING, "no user %s (make install and the package "
		       "make it): running as %s", SANDBOX_DEFAULT_USER,
		       SANDBOX_FALLBACK_USER);
	}
	user.uid = pw->pw_uid;
	user.gid = pw->pw_gid;
	snprintf(user.name, sizeof(user.name), "%s", pw->pw_name);
	user.resolved = true;
	return 0;
}

/* ---- the SIGSYS handler ------------------------------------------------ */

static void put(const char *s)
{
	ssize_t r = write(STDERR_FILENO, s, strlen(s));

	(void)r;
}

/* @n in decimal into @buf (async-signal-safe) */
static const char *decimal(char *buf, size_t len, unsigned int n)
{
	char *p = buf + len - 1;

	*p = '\0';
	do {
		*--p = (char)('0' + n % 10);
		n /= 10;
	} while (n && p > buf);
	return p;
}

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	unsigned int nr = (unsigned int)si->si_syscall;
	char num[16];

	(void)uc;
	put("masqd: seccomp: forbidden system call ");
	put(decimal(num, sizeof(num), nr));
	put(" (");
	put(nr < SANDBOX_NAMES && sc_names[nr][0] ? sc_names[nr] : "?");
	put("); the privileged helper gives the owned interfaces back\n");
	privsep_tell_seccomp((int)nr);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Each system call's name, now, for the handler (which may not malloc) */
static void name_syscalls(void)
{
	for (int nr = 0; nr < SANDBOX_NAMES; nr++) {
		char *s = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);

		if (s)
			snprintf(sc_names[nr], sizeof(sc_names[nr]), "%s", s);
		free(s);
	}
}

/* ---- the filter -------------------------------------------------------- */

static int add_rules(scmp_filter_ctx ctx)
{
	int ret;

	sc_allowed = 0;
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		int nr = seccomp_syscall_resolve_name(allowed[i]);

		if (nr == __NR_SCMP_ERROR)
			continue;	/* not on this architecture */
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (ret)
			return ret;
		sc_allowed++;
	}
	/* threads only: a new process could escape nothing, but needs nothing */
	ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
			       SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD,
				       CLONE_THREAD));
	if (!ret)	/* glibc tries clone3 first; its flags are in memory */
		ret = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS),
				       SCMP_SYS(clone3), 0);
	for (size_t i = 0; !ret && i < sizeof(families) / sizeof(families[0]);
	     i++)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				       SCMP_A0(SCMP_CMP_EQ,
					       (scmp_datum_t)families[i]));
	/* thread names only (pthread_setname_np, the log's) */
	if (!ret)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
				       SCMP_A0(SCMP_CMP_EQ, PR_SET_NAME));
	if (!ret)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
				       SCMP_A0(SCMP_CMP_EQ, PR_GET_NAME));
	sc_allowed += 3;	/* clone, socket, prctl (conditional) */
	return ret;
}

static int load_filter(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigsys,
				.sa_flags = SA_SIGINFO };
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
	int ret;

	if (!ctx)
		return -ENOMEM;
	name_syscalls();
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSYS, &sa, NULL);
	ret = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (!ret)
		ret = add_rules(ctx);
	if (!ret)
		ret = seccomp_load(ctx);
	seccomp_release(ctx);
	return ret;
}

/**
 * sandbox_syscalls() - How many system calls the filter allows
 *
 * Return: the count after sandbox_enter() (a conditional one counts once)
 */
int sandbox_syscalls(void)
{
	return sc_allowed;
}

/* ---- the drop ---------------------------------------------------------- */

static bool kept(int cap)
{
	for (size_t i = 0; i < sizeof(kept_caps) / sizeof(kept_caps[0]); i++)
		if (kept_caps[i] == cap)
			return true;
	return false;
}

/* Every capability but the kept ones out of the bounding set (those
 * already out, as systemd's CapabilityBoundingSet= leaves them, skipped) */
static int drop_bounding(void)
{
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (!kept(cap) && prctl(PR_CAPBSET_READ, cap, 0, 0, 0) > 0 &&
		    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0))
			return errno == EPERM && user.unprivileged ? 0 : -errno;
	return 0;
}

static int set_caps(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct c[2] = { { 0 } };

	struct __user_cap_data_struct now[2] = { { 0 } };

	if (syscall(SYS_capget, &h, now))
		return -errno;
	for (size_t i = 0; i < sizeof(kept_caps) / sizeof(kept_caps[0]); i++) {
		c[kept_caps[i] / 32].permitted |= 1u << (kept_caps[i] % 32);
		c[kept_caps[i] / 32].effective |= 1u << (kept_caps[i] % 32);
	}
	for (int w = 0; w < 2; w++) {	/* never more than it has */
		c[w].permitted &= now[w].permitted;
		c[w].effective &= now[w].permitted;
	}
	if (syscall(SYS_capset, &h, c))
		return -errno;
	return prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) ?
	       -errno : 0;
}

/* The user's identity, capabilities kept across it; Return: 0 or -errno */
static int become_user(struct masqd *d)
{
	if (user.unprivileged)	/* already someone: stays who it is */
		return 0;
	if (d->ctl_open && fchownat(d->ctl.dirfd, d->ctl.name, user.uid,
				    user.gid, AT_SYMLINK_NOFOLLOW))
		return -errno;
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) || setgroups(0, NULL) ||
	    setresgid(user.gid, user.gid, user.gid) ||
	    setresuid(user.uid, user.uid, user.uid))
		return -errno;
	return prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) ? -errno : 0;
}

static int no_new_privs(struct masqd *d)
{
	(void)d;
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ? -errno : 0;
}

static int bounding(struct masqd *d)
{
	(void)d;
	return drop_bounding();
}

static int caps(struct masqd *d)
{
	(void)d;
	return set_caps();
}

static int filter(struct masqd *d)
{
	(void)d;
	return load_filter();
}

/* The drop, in its order (see the top of this file) */
static const struct {
	const char *name;
	int (*run)(struct masqd *d);
} steps[] = {
	{ "the bounding set", bounding },
	{ "the user", become_user },
	{ "the capabilities", caps },
	{ "no_new_privs", no_new_privs },
	{ "the seccomp filter", filter },
};

/**
 * sandbox_enter() - Drop to the user, the kept capabilities, the filter
 * @d:		daemon, set up, the helper forked, no thread started yet
 *
 * Return: 0, or -1 after logging the step that failed (masqd then stops:
 * a router that cannot drop does not run as root by accident)
 */
int sandbox_enter(struct masqd *d)
{
	if (!user.resolved && sandbox_user(NULL))
		return -1;
	user.unprivileged = geteuid() != 0;
	if (user.unprivileged) {	/* file capabilities, a test: no setuid */
		user.uid = geteuid();
		snprintf(user.name, sizeof(user.name), "uid %u",
			 (unsigned)user.uid);
	} else if (user.uid == 0) {
		logmsg(LOG_WARNING, "--user %s: the packet process keeps root "
		       "and no seccomp filter (for debugging only)", user.name);
		return 0;
	}
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		int ret = steps[i].run(d);

		if (ret) {
			logmsg(LOG_ERR, "cannot drop privileges (%s): %s",
			       steps[i].name, strerror(-ret));
			return -1;
		}
	}
	logmsg(LOG_INFO, "packet process: user %s (uid %u), capabilities "
	       "net_admin chown, no_new_privs, seccomp: %d system calls",
	       user.name, (unsigned)user.uid, sc_allowed);
	return 0;
}
