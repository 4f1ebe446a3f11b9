// SPDX-License-Identifier: MIT
/*
 * takeover.c - keep the kernel's stack off the owned interfaces (takeover.h)
 *
 * Theory of operation:
 *
 *	to_apply()	read and remember three sysctls per interface, have
 *			them recorded (the @record hook: masqd/recover.c
 *			writes them under /run/masq), write the values
 *			masqd needs, then create the nft table
 *			(an ingress and an egress chain per interface) with
 *			`nft -f -` (one transaction: a leftover table of the
 *			same name is replaced). Any failure undoes what
 *			was done and returns -errno.
 *	to_check()	from the loop: every TO_CHECK_SEC seconds a round,
 *			one interface per call -- three /proc reads, one
 *			SIOCGIFADDR and two NFT_MSG_GETCHAIN round trips
 *			(microseconds). A change is logged once, and once
 *			more when it is undone; a vanished chain is put back
 *			(that one spawns nft, so it stalls the loop for a few
 *			milliseconds, only when someone removed the chain).
 *	to_release()	write back every sysctl masqd changed that still has
 *			masqd's value, delete the table.
 *
 * Sysctls that were already right are not written and not restored. A
 * sysctl that someone changed while masqd ran is left as they set it.
 * Rejected alternatives: libnftables (one more library on the link line
 * for three short scripts; nft is the same code); tc clsact + matchall
 * (not built into every kernel, e.g. the lab's); re-writing drifted
 * sysctls (masqd would fight the administrator; the ingress drop keeps
 * the kernel off whatever the sysctls say).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <syslog.h>

#include "io/takeover.h"

#define NFT_TIMEOUT_MS	5000
#define NL_TIMEOUT_MS	200

static const struct {
	const char *family;
	const char *key;
	int want;
} sysctls[TO_SYSCTL_NUM] = {
	[TO_FORWARDING]	  = { "ipv4", "forwarding",   0 },
	[TO_DISABLE_IPV6] = { "ipv6", "disable_ipv6", 1 },
	[TO_ARP_IGNORE]	  = { "ipv4", "arp_ignore",   8 },
};
_Static_assert(sizeof(sysctls) / sizeof(sysctls[0]) == TO_SYSCTL_NUM,
	       "one entry per sysctl");

/* ---- sysctls ------------------------------------------------------ */

static void sc_path(char *buf, size_t len, const char *ifname,
		    enum to_sysctl s)
{
	snprintf(buf, len, "/proc/sys/net/%s/conf/%s/%s", sysctls[s].family,
		 ifname, sysctls[s].key);
}

/* The name one types for sysctl(8); a dotted interface needs slashes */
static void sc_name(char *buf, size_t len, const char *ifname,
		    enum to_sysctl s)
{
	const char *sep = strchr(ifname, '.') ? "/" : ".";

	snprintf(buf, len, "net%s%s%sconf%s%s%s%s", sep, sysctls[s].family,
		 sep, sep, ifname, sep, sysctls[s].key);
}

static int sc_read(const char *ifname, enum to_sysctl s, int *val)
{
	char path[128];
	FILE *f;
	int ret = 0;

	sc_path(path, sizeof(path), ifname, s);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (fscanf(f, "%d", val) != 1)
		ret = -EINVAL;
	fclose(f);
	return ret;
}

static int sc_write(const char *ifname, enum to_sysctl s, int val)
{
	char path[128], txt[16];
	int fd, n, ret = 0;

	sc_path(path, sizeof(path), ifname, s);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = snprintf(txt, sizeof(txt), "%d\n", val);
	if (write(fd, txt, (size_t)n) != n)
		ret = errno ? -errno : -EIO;
	close(fd);
	return ret;
}

/* ---- nft ------------------------------------------------------------- */

/*
 * nft by absolute path, never through $PATH (a caller's PATH must not pick
 * the program masqd runs as root); NULL when there is none
 */
static const char *nft_path(void)
{
	static const char *const where[] = {
		"/usr/sbin/nft", "/sbin/nft", "/usr/local/sbin/nft",
	};

	for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++)
		if (!access(where[i], X_OK))
			return where[i];
	return NULL;
}

static int spawn_nft(int in_fd, int err_fd, pid_t *pid)
{
	/* a fixed environment: nothing of masqd's caller reaches nft */
	static char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
				      "LC_ALL=C", NULL };
	char *argv[] = { "nft", "-f", "-", NULL };
	const char *path = nft_path();
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, def;
	int ret;

	if (!path)
		return -ENOENT;
	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	sigaddset(&def, SIGTERM);
	sigaddset(&def, SIGINT);
	sigaddset(&def, SIGHUP);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
	posix_spawn_file_actions_adddup2(&fa, err_fd, 1);
	posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
	posix_spawnattr_init(&at);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &def);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK |
				 POSIX_SPAWN_SETSIGDEF);
	ret = posix_spawn(pid, path, &fa, &at, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	return -ret;
}

/* Read the child's output until EOF (true) or the deadline; keep the start */
static bool collect(int fd, char *msg, size_t len)
{
	size_t have = 0;
	int waited = 0;

	msg[0] = '\0';
	while (waited < NFT_TIMEOUT_MS) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char buf[512];
		ssize_t n;

		if (poll(&p, 1, 100) == 0) {
			waited += 100;
			continue;
		}
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return true;
		if (have + 1 < len) {
			size_t k = (size_t)n < len - 1 - have ? (size_t)n :
				   len - 1 - have;

			memcpy(msg + have, buf, k);
			have += k;
			msg[have] = '\0';
		}
	}
	return false;
}

/**
 * run_nft() - Run an nft script in a child process, bounded in time
 * @script:	nft -f input
 * @msg:	nft's output (its error message), first bytes
 * @len:	size of @msg
 *
 * Return: 0, -errno when nft could not run, or -EPROTO when nft failed
 */
static int run_nft(const char *script, char *msg, size_t len)
{
	int in[2], err[2], st = 0, ret;
	size_t n = strlen(script);
	pid_t pid = -1;

	msg[0] = '\0';
	if (pipe2(in, O_CLOEXEC))
		return -errno;
	if (pipe2(err, O_CLOEXEC)) {
		ret = -errno;
		close(in[0]);
		close(in[1]);
		return ret;
	}
	ret = spawn_nft(in[0], err[1], &pid);
	close(in[0]);
	close(err[1]);
	if (ret) {
		close(in[1]);
		close(err[0]);
		return ret;
	}
	if (write(in[1], script, n) != (ssize_t)n)
		ret = -EPIPE;
	close(in[1]);
	if (!collect(err[0], msg, len)) {	/* nft hangs: stop it */
		kill(pid, SIGKILL);
		snprintf(msg, len, "nft did not finish in %d ms", NFT_TIMEOUT_MS);
		ret = -ETIMEDOUT;
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!ret && (!WIFEXITED(st) || WEXITSTATUS(st)))
		ret = -EPROTO;
	close(err[0]);
	for (char *p = msg; *p; p++)	/* one log line */
		if (*p == '\n' && p[1])
			*p = ' ';
	if (len && *msg && msg[strlen(msg) - 1] == '\n')
		msg[strlen(msg) - 1] = '\0';
	return ret;
}

/* Link @i's chain: @pfx (in_, out_) and the name, anything odd made '_' */
static void chain_name(const struct takeover *t, int i, const char *pfx,
		       char *buf, size_t len)
{
	const char *name = t->links[i].name;
	bool odd = false;
	size_t k;

	k = (size_t)snprintf(buf, len, "%s", pfx);
	for (const char *p = name; *p && k + 1 < len; p++) {
		bool good = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || *p == '_';

		odd |= !good;
		buf[k++] = good ? *p : '_';
	}
	buf[k] = '\0';
	if (odd)
		snprintf(buf + k, len - k, "_%d", i);
}

/* Create (or replace) the table with one drop chain per interface */
static int table_create(struct takeover *t, char *msg, size_t len)
{
	char script[256 + TO_MAX_LINKS * 320], in[40], out[40];
	size_t k;

	k = (size_t)snprintf(script, sizeof(script),
			     "add table netdev %s\ndelete table netdev %s\n"
			     "table netdev %s {\n", t->table, t->table, t->table);
	for (int i = 0; i < t->n; i++) {
		chain_name(t, i, "in_", in, sizeof(in));
		chain_name(t, i, "out_", out, sizeof(out));
		k += (size_t)snprintf(script + k, sizeof(script) - k,
			"\tchain %s { type filter hook ingress device \"%s\" "
			"priority -500; policy drop; }\n"
			"\tchain %s {\n\t\ttype filter hook egress device "
			"\"%s\" priority -500; policy drop;\n"
			"\t\tmeta mark 0x%08x accept\n\t}\n", in,
			t->links[i].name, out, t->links[i].name, TO_TX_MARK);
	}
	snprintf(script + k, sizeof(script) - k, "}\n");
	return run_nft(script, msg, len);
}

static int table_delete(struct takeover *t, char *msg, size_t len)
{
	char script[128];

	snprintf(script, sizeof(script), "add table netdev %s\n"
		 "delete table netdev %s\n", t->table, t->table);
	return run_nft(script, msg, len);
}

/* ---- nfnetlink: is the chain there, with policy drop? --------------- */

static void nl_attr_str(char *buf, size_t *off, uint16_t type, const char *s)
{
	struct nlattr *a = (struct nlattr *)(buf + *off);
	size_t n = strlen(s) + 1;

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + n);
	memcpy(buf + *off + NLA_HDRLEN, s, n);
	*off += NLA_ALIGN(a->nla_len);
}

static int nl_open(struct takeover *t)
{
	struct timeval tv = { .tv_usec = NL_TIMEOUT_MS * 1000 };

	if (t->nlfd >= 0)
		return 0;
	t->nlfd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	if (t->nlfd < 0)
		return -errno;
	setsockopt(t->nlfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return 0;
}

/* Policy of a NEWCHAIN message: 1 drop, 0 anything else or not a base chain */
static int chain_drops(const struct nlmsghdr *nh)
{
	size_t off = NLMSG_LENGTH(sizeof(struct nfgenmsg));

	while (off + NLA_HDRLEN <= nh->nlmsg_len) {
		const struct nlattr *a = (const void *)((const char *)nh + off);
		uint32_t v;

		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > nh->nlmsg_len)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == NFTA_CHAIN_POLICY &&
		    a->nla_len >= NLA_HDRLEN + 4) {
			memcpy(&v, (const char *)a + NLA_HDRLEN, 4);
			return ntohl(v) == NF_DROP;
		}
		off += NLA_ALIGN(a->nla_len);
	}
	return 0;
}

/* Wait for the answer with our sequence number */
static int chain_reply(struct takeover *t)
{
	char buf[8192] __attribute__((aligned(4)));

	for (int tries = 0; tries < 8; tries++) {
		ssize_t n = recv(t->nlfd, buf, sizeof(buf), 0);
		struct nlmsghdr *nh = (struct nlmsghdr *)buf;
		size_t len = n > 0 ? (size_t)n : 0;

		if (n < 0)
			return errno == EINTR ? -EINTR : -errno;
		for (; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_seq != t->seq)
				continue;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);

				return e->error == -ENOENT ? 0 :
				       e->error ? e->error : -EPROTO;
			}
			if (nh->nlmsg_type == ((NFNL_SUBSYS_NFTABLES << 8) |
					       NFT_MSG_NEWCHAIN))
				return chain_drops(nh);
		}
	}
	return -EPROTO;
}

/**
 * chain_ok() - Ask the kernel whether one of link @i's chains is in place
 * @t:		takeover state
 * @i:		link
 * @pfx:	which chain: "in_" or "out_"
 *
 * Return: 1 present with policy drop, 0 missing or not dropping, -errno
 * when the kernel could not be asked
 */
static int chain_ok(struct takeover *t, int i, const char *pfx)
{
	char buf[256] __attribute__((aligned(4))), chain[40];
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	struct nfgenmsg *nf;
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };
	size_t off = NLMSG_LENGTH(sizeof(*nf));
	int ret = nl_open(t);

	if (ret)
		return ret;
	memset(buf, 0, sizeof(buf));
	chain_name(t, i, pfx, chain, sizeof(chain));
	nl_attr_str(buf, &off, NFTA_CHAIN_TABLE, t->table);
	nl_attr_str(buf, &off, NFTA_CHAIN_NAME, chain);
	nh->nlmsg_len = (uint32_t)off;
	nh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETCHAIN;
	nh->nlmsg_flags = NLM_F_REQUEST;
	nh->nlmsg_seq = ++t->seq;
	nf = NLMSG_DATA(nh);
	nf->nfgen_family = NFPROTO_NETDEV;
	nf->version = NFNETLINK_V0;
	if (sendto(t->nlfd, buf, off, 0, (struct sockaddr *)&k, sizeof(k)) < 0)
		return -errno;
	return chain_reply(t);
}

/* ---- the public part ---------------------------------------------- */

/**
 * to_init() - Start an empty takeover; name the table after the socket
 * @t:		state to fill
 * @sock_path:	masqd's control socket (one masqd per socket, so one table)
 * @log:	where lines go
 *
 * The name is masqd_ and the FNV-1a hash of @sock_path in hex: a masqd
 * restarted after a crash replaces its own leftover table, never another's.
 */
void to_init(struct takeover *t, const char *sock_path, to_log_fn *log)
{
	uint32_t h = 2166136261u;

	memset(t, 0, sizeof(*t));
	for (const unsigned char *p = (const void *)sock_path; *p; p++)
		h = (h ^ *p) * 16777619u;
	snprintf(t->table, sizeof(t->table), "masqd_%08x", h);
	t->nlfd = -1;
	t->log = log;
}

/**
 * to_add() - Add an interface to take over
 * @t:		takeover state
 * @ifname:	interface name
 *
 * Return: 0, -ENOSPC beyond TO_MAX_LINKS, -EINVAL for a name nft cannot
 * quote (logged)
 */
int to_add(struct takeover *t, const char *ifname)
{
	if (t->n == TO_MAX_LINKS)
		return -ENOSPC;
	if (strpbrk(ifname, "\"\\") || strlen(ifname) >= IF_NAMESIZE) {
		t->log(LOG_ERR, "%s: interface name cannot be written in an nft "
		       "ruleset; rename it (ip link set dev IF name NEW)", ifname);
		return -EINVAL;
	}
	snprintf(t->links[t->n].name, IF_NAMESIZE, "%s", ifname);
	for (int s = 0; s < TO_SYSCTL_NUM; s++)
		t->links[t->n].saved[s] = -1;
	t->n++;
	return 0;
}

/* Read and remember link @l's sysctls; Return: 0 or -errno (logged) */
static int read_sysctls(struct takeover *t, struct to_link *l)
{
	char name[96];

	for (int s = 0; s < TO_SYSCTL_NUM; s++) {
		int v, ret = sc_read(l->name, s, &v);

		if (ret == -ENOENT && s == TO_DISABLE_IPV6)
			continue;	/* no IPv6 in this kernel */
		if (ret) {
			sc_name(name, sizeof(name), l->name, s);
			t->log(LOG_ERR, "%s: cannot read %s: %s", l->name, name,
			       strerror(-ret));
			return ret;
		}
		l->saved[s] = v;
	}
	return 0;
}

/* Write the values masqd needs where they differ; Return: 0 or -errno */
static int write_sysctls(struct takeover *t, struct to_link *l)
{
	char name[96];

	for (int s = 0; s < TO_SYSCTL_NUM; s++) {
		int ret;

		if (l->saved[s] < 0 || l->saved[s] == sysctls[s].want)
			continue;
		ret = sc_write(l->name, s, sysctls[s].want);
		if (ret) {
			sc_name(name, sizeof(name), l->name, s);
			t->log(LOG_ERR, "%s: cannot set %s=%d: %s", l->name, name,
			       sysctls[s].want, strerror(-ret));
			return ret;
		}
		l->written[s] = true;
	}
	return 0;
}

/**
 * to_apply() - Take every added interface from the kernel's stack
 * @t:		takeover state with links added
 *
 * Every sysctl is read first; then @t->record, when set, is called and
 * must have stored the originals (struct to_link's @saved) and the table
 * name before anything is written: a failure there changes nothing.
 *
 * Return: 0; or -errno after logging what failed and undoing the rest
 */
int to_apply(struct takeover *t)
{
	char msg[512];
	int ret = 0;

	for (int i = 0; i < t->n && !ret; i++)
		ret = read_sysctls(t, &t->links[i]);
	if (!ret && t->record)	/* the originals on disk before any change */
		ret = t->record(t, t->record_ctx);
	for (int i = 0; i < t->n && !ret; i++)
		ret = write_sysctls(t, &t->links[i]);
	if (!ret) {
		ret = table_create(t, msg, sizeof(msg));
		if (ret)
			t->log(LOG_ERR, "cannot create the drop chains (nft table "
			       "netdev %s): %s%s%s", t->table,
			       ret == -EPROTO ? "nft failed: " : strerror(-ret),
			       ret == -EPROTO ? msg : "", ret == -ENOENT ?
			       " (install nftables, or run masqd with "
			       "--no-takeover)" : "");
		else
			t->table_made = true;
	}
	if (ret)
		to_release(t);
	t->cursor = t->n;	/* no round running */
	return ret;
}

static void give_back(struct takeover *t, struct to_link *l)
{
	char name[96];

	for (int s = 0; s < TO_SYSCTL_NUM; s++) {
		int v, ret;

		if (!l->written[s])
			continue;
		l->written[s] = false;
		sc_name(name, sizeof(name), l->name, s);
		if (sc_read(l->name, s, &v))
			continue;	/* the interface is gone */
		if (v != sysctls[s].want) {
			t->log(LOG_NOTICE, "%s: %s is %d, changed while masqd ran; "
			       "left as it is (it was %d)", l->name, name, v,
			       l->saved[s]);
			continue;
		}
		ret = sc_write(l->name, s, l->saved[s]);
		if (ret)
			t->log(LOG_WARNING, "%s: cannot restore %s=%d: %s", l->name,
			       name, l->saved[s], strerror(-ret));
	}
}

/**
 * to_release() - Give the interfaces back: sysctls restored, table deleted
 * @t:		takeover state (any stage; safe to call twice)
 *
 * Return: 0, or -EPROTO when the table could not be deleted (logged)
 */
int to_release(struct takeover *t)
{
	char msg[512];
	int ret = 0;

	for (int i = 0; i < t->n; i++)
		give_back(t, &t->links[i]);
	if (t->table_made) {
		t->table_made = false;
		if (table_delete(t, msg, sizeof(msg))) {
			t->log(LOG_WARNING, "cannot delete nft table netdev %s "
			       "(%s); run: nft delete table netdev %s", t->table,
			       msg[0] ? msg : "nft failed", t->table);
			ret = -EPROTO;
		}
	}
	if (t->nlfd >= 0)
		close(t->nlfd);
	t->nlfd = -1;
	return ret;
}

/**
 * to_remake() - Put the table back as to_apply() made it
 * @t:		takeover state after to_apply()
 * @msg:	nft's message on failure
 * @len:	its size
 *
 * For masqd's privileged helper, which runs nft for the packet process
 * (masqd/privsep.c): the same script as at the start.
 * Return: 0, or -errno / -EPROTO
 */
int to_remake(struct takeover *t, char *msg, size_t len)
{
	int ret;

	if (len)
		msg[0] = '\0';
	ret = table_create(t, msg, len);
	if (!ret)
		t->table_made = true;
	return ret;
}

/* ---- after a crash: from a record, not from a running takeover ------ */

/**
 * to_restore_sysctls() - Put an interface's recorded originals back
 * @ifname:	the interface
 * @orig:	each sysctl's value before a masqd wrote it
 * @has:	which of @orig are known
 * @log:	where lines go
 *
 * Each sysctl is written back only while it holds the value masqd
 * writes (so it is masqd's leftover, not someone's later change). The
 * global net.ipv4.ip_forward and conf/all values are never written here
 * or anywhere in masqd: writing ip_forward resets every interface's
 * forwarding, which would undo what this restores.
 *
 * Return: how many were written back, or -errno when one could not be
 * (logged); -ENODEV when the interface is gone
 */
int to_restore_sysctls(const char *ifname, const int orig[TO_SYSCTL_NUM],
		       const bool has[TO_SYSCTL_NUM], to_log_fn *log)
{
	char name[96];
	int done = 0, bad = 0;

	for (int s = 0; s < TO_SYSCTL_NUM; s++) {
		int v, ret;

		if (!has[s] || orig[s] == sysctls[s].want)
			continue;
		sc_name(name, sizeof(name), ifname, s);
		ret = sc_read(ifname, s, &v);
		if (ret == -ENOENT && s == TO_FORWARDING)
			return -ENODEV;
		if (ret)
			continue;
		if (v != sysctls[s].want) {
			log(LOG_NOTICE, "%s: %s is %d, not masqd's %d: left as "
			    "it is (the record says it was %d)", ifname, name, v,
			    sysctls[s].want, orig[s]);
			continue;
		}
		ret = sc_write(ifname, s, orig[s]);
		if (ret) {
			log(LOG_ERR, "%s: cannot restore %s=%d: %s", ifname, name,
			    orig[s], strerror(-ret));
			bad = ret;
			continue;
		}
		log(LOG_INFO, "%s: %s=%d restored from the record", ifname, name,
		    orig[s]);
		done++;
	}
	return bad ? bad : done;
}

/**
 * to_delete_table() - Delete an nft netdev table a masqd left behind
 * @table:	its name (the caller checked its shape)
 * @log:	where lines go
 *
 * Return: 0 (also when there was none), or -errno / -EPROTO (logged)
 */
int to_delete_table(const char *table, to_log_fn *log)
{
	struct takeover t = { .nlfd = -1, .log = log };
	char msg[512];
	int ret;

	snprintf(t.table, sizeof(t.table), "%s", table);
	ret = table_delete(&t, msg, sizeof(msg));
	if (ret)
		log(LOG_ERR, "cannot delete nft table netdev %s (%s); run: nft "
		    "delete table netdev %s", table, msg[0] ? msg :
		    strerror(-ret), table);
	return ret;
}

/**
 * to_sysctl_path() - The /proc path and masqd's value of a sysctl
 * @buf:	filled with /proc/sys/net/FAMILY/conf/IF/KEY
 * @len:	its size
 * @ifname:	the interface
 * @s:		which
 *
 * For the fatal-signal handler, which may only write what was prepared.
 * Return: the value masqd writes there
 */
int to_sysctl_path(char *buf, size_t len, const char *ifname, enum to_sysctl s)
{
	sc_path(buf, len, ifname, s);
	return sysctls[s].want;
}

static void check_sysctls(struct takeover *t, struct to_link *l)
{
	char name[96];

	for (int s = 0; s < TO_SYSCTL_NUM; s++) {
		int v;
		bool off;

		if (sc_read(l->name, s, &v))
			continue;
		off = v != sysctls[s].want;
		if (off == l->drift[s])
			continue;
		l->drift[s] = off;
		sc_name(name, sizeof(name), l->name, s);
		if (off) {
			t->drifts++;
			t->log(LOG_WARNING, "%s: %s was changed to %d while masqd "
			       "runs (the ingress drop still keeps the kernel "
			       "off); run: sysctl -w %s=%d", l->name, name, v,
			       name, sysctls[s].want);
		} else {
			t->log(LOG_NOTICE, "%s: %s is %d again", l->name, name, v);
		}
	}
}

static void check_addr(struct takeover *t, struct to_link *l)
{
	struct ifreq ifr = { 0 };
	char a[INET_ADDRSTRLEN] = "";
	bool has;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", l->name);
	has = !ioctl(fd, SIOCGIFADDR, &ifr);
	close(fd);
	if (has == l->addr_seen)
		return;
	l->addr_seen = has;
	if (!has) {
		t->log(LOG_NOTICE, "%s: no kernel IPv4 address any more", l->name);
		return;
	}
	t->drifts++;
	inet_ntop(AF_INET, &((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr, a,
		  sizeof(a));
	t->log(LOG_WARNING, "%s: the kernel IPv4 address %s was added while "
	       "masqd runs (the kernel may send from it); run: ip -4 addr "
	       "flush dev %s", l->name, a, l->name);
}

static void check_chain(struct takeover *t, int i)
{
	char msg[512];
	int ret = chain_ok(t, i, "in_");

	if (ret != 0)	/* in place, or the kernel could not be asked */
		ret = chain_ok(t, i, "out_");
	if (ret != 0)
		return;
	if (!t->chain_gone)
		t->log(LOG_WARNING, "%s: the drop (nft table netdev %s) "
		       "was removed or changed; putting it back",
		       t->links[i].name, t->table);
	msg[0] = '\0';
	ret = t->remake ? t->remake(t) : table_create(t, msg, sizeof(msg));
	if (!ret) {
		t->reapplied++;
		t->table_made = true;
		t->chain_gone = false;
		t->log(LOG_NOTICE, "nft table netdev %s is back", t->table);
		return;
	}
	if (!t->chain_gone)
		t->log(LOG_ERR, "cannot put the drop chains back: %s (will "
		       "retry every %d s)", msg[0] ? msg : strerror(-ret),
		       TO_CHECK_SEC);
	t->chain_gone = true;
}

/**
 * to_check() - Bounded re-check of the takeover, from the event loop
 * @t:		takeover state after to_apply()
 * @now_ns:	monotonic time
 *
 * A round starts every TO_CHECK_SEC seconds and checks one interface per
 * call, so one call costs a few system calls (a spawn of nft only when
 * the drop must be put back).
 */
void to_check(struct takeover *t, uint64_t now_ns)
{
	struct to_link *l;

	if (!t->n)
		return;
	if (t->cursor >= t->n) {
		if (!t->next_ns)
			t->next_ns = now_ns + TO_CHECK_SEC * 1000000000ull;
		if (now_ns < t->next_ns)
			return;
		t->next_ns = now_ns + TO_CHECK_SEC * 1000000000ull;
		t->cursor = 0;
	}
	l = &t->links[t->cursor];
	check_sysctls(t, l);
	check_addr(t, l);
	if (t->table_made)
		check_chain(t, t->cursor);
	t->cursor++;
}
