// SPDX-License-Identifier: MIT
/*
 * crash.c - a fatal signal gives the owned interfaces back where it can
 *
 * SIGSEGV, SIGBUS, SIGABRT, SIGFPE and SIGILL mean masqd's own state can
 * no longer be trusted, so the handler uses none of it: crash_arm(),
 * after the takeover, prepares everything in static memory -- the /proc
 * path and the original text of each sysctl masqd wrote, one nfnetlink
 * batch that deletes masqd's nft table, the record and claim files to
 * remove, and the state file of restarts -- and the handler only does open/write/close, socket/sendto/
 * recv and unlink (async-signal-safe), then lets the signal kill the
 * process as it would have (SA_RESETHAND, raised again: the core dump
 * and the exit status are unchanged).
 *
 * What is restored then: the sysctls (written without checking for a
 * change someone made meanwhile: reading and comparing is more code in
 * a handler for little), the nft table (deleted; the kernel's answer
 * is awaited 200 ms) and, with --io afxdp, the XDP programs (an
 * rtnetlink request per interface and mode, rtnl.c: socket, sendto,
 * poll, recv). When both are done the records and claims are
 * removed; otherwise they stay, and the next start or masqd --release
 * finishes the job (recover.c). The twins are persistent (a restart
 * leaves them, twin.h): the handler makes them not so (one ioctl each on
 * the descriptors crash_twins() noted), and the kernel removes them, and
 * the host's routes through them, with the process. SIGKILL cannot be
 * caught: there the records do all of it (and, once privileges are
 * dropped, the privileged helper at once: privsep.c).
 *
 * Once the packet process has dropped its privileges (sandbox.c) it can
 * write no sysctl: crash_delegate() has the handler tell the privileged
 * helper instead (privsep.c), wait for its answer (it gave everything
 * back), and die.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "io/rtnl.h"
#include "masqd/masqd.h"

#define CRASH_WRITES	(MASQD_MAX_IFACES * TO_SYSCTL_NUM)

static struct {
	struct {
		char path[128];
		char val[16];
		size_t len;
	} w[CRASH_WRITES];
	int nw;
	char nl[512] __attribute__((aligned(4)));
	size_t nllen;
	char unlink[MASQD_MAX_IFACES * 2 + 1][CLAIM_PATH_MAX];
	int nunlink;
	void (*tell)(int sig);
	int xdp_ifindex[MASQD_MAX_IFACES];
	int nxdp;
	int twin_fd[MASQD_MAX_IFACES];
	volatile sig_atomic_t ntwins;
} crash;

static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };

/* Append one netfilter message of @type (with an nfgenmsg) to crash.nl */
static struct nlmsghdr *nl_put(uint16_t type, uint16_t flags, uint8_t family,
			       uint16_t res_id, uint32_t seq)
{
	struct nlmsghdr *nh = (struct nlmsghdr *)(crash.nl + crash.nllen);
	struct nfgenmsg *nf = NLMSG_DATA(nh);

	nh->nlmsg_len = NLMSG_LENGTH(sizeof(*nf));
	nh->nlmsg_type = type;
	nh->nlmsg_flags = NLM_F_REQUEST | flags;
	nh->nlmsg_seq = seq;
	nf->nfgen_family = family;
	nf->version = NFNETLINK_V0;
	nf->res_id = htons(res_id);
	return nh;
}

/* BATCH_BEGIN, DELTABLE netdev @table (acked, seq 2), BATCH_END */
static void prepare_deltable(const char *table)
{
	struct nlmsghdr *nh;
	struct nlattr *a;
	size_t n = strlen(table) + 1;

	memset(crash.nl, 0, sizeof(crash.nl));
	nh = nl_put(NFNL_MSG_BATCH_BEGIN, 0, AF_UNSPEC, NFNL_SUBSYS_NFTABLES, 1);
	crash.nllen = NLMSG_ALIGN(nh->nlmsg_len);
	nh = nl_put((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_DELTABLE, NLM_F_ACK,
		    NFPROTO_NETDEV, 0, 2);
	a = (struct nlattr *)((char *)nh + NLMSG_ALIGN(nh->nlmsg_len));
	a->nla_type = NFTA_TABLE_NAME;
	a->nla_len = (uint16_t)(NLA_HDRLEN + n);
	memcpy((char *)a + NLA_HDRLEN, table, n);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + NLA_ALIGN(a->nla_len);
	crash.nllen += NLMSG_ALIGN(nh->nlmsg_len);
	nh = nl_put(NFNL_MSG_BATCH_END, 0, AF_UNSPEC, NFNL_SUBSYS_NFTABLES, 3);
	crash.nllen += NLMSG_ALIGN(nh->nlmsg_len);
}

/* In the handler: send the batch, wait for DELTABLE's ack; true if deleted */
static bool delete_table(void)
{
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_usec = 200000 };
	char buf[1024] __attribute__((aligned(4)));
	bool ok = false;
	ssize_t n;
	int fd;

	if (!crash.nllen)
		return true;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	if (fd < 0)
		return false;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (sendto(fd, crash.nl, crash.nllen, 0, (struct sockaddr *)&k,
		   sizeof(k)) == (ssize_t)crash.nllen) {
		n = recv(fd, buf, sizeof(buf), 0);
		for (struct nlmsghdr *nh = (void *)buf;
		     n > 0 && NLMSG_OK(nh, (size_t)n); nh = NLMSG_NEXT(nh, n))
			if (nh->nlmsg_type == NLMSG_ERROR && nh->nlmsg_seq == 2) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);

				ok = e->error == 0 || e->error == -ENOENT;
			}
	}
	close(fd);
	return ok;
}

static void say(const char *s)
{
	ssize_t r = write(STDERR_FILENO, s, strlen(s));

	(void)r;
}

static void on_fatal(int sig)
{
	static volatile sig_atomic_t once;
	bool all = true;

	if (once++) {	/* a second one, during the first: just die of it */
		raise(sig);	/* (each handler runs once: SA_RESETHAND) */
		return;
	}
	for (int i = 0; i < crash.ntwins; i++)	/* gone with the process */
		ioctl(crash.twin_fd[i], TUNSETPERSIST, 0);
	if (crash.tell) {	/* unprivileged now: the helper does it */
		say("masqd: fatal signal; the privileged helper gives the "
		    "owned interfaces back\n");
		crash.tell(sig);
		raise(sig);
		return;
	}
	say("masqd: fatal signal; giving the owned interfaces back\n");
	for (int i = 0; i < crash.nw; i++) {
		int fd = open(crash.w[i].path, O_WRONLY | O_CLOEXEC);

		if (fd < 0 || write(fd, crash.w[i].val, crash.w[i].len) !=
		    (ssize_t)crash.w[i].len)
			all = false;
		if (fd >= 0)
			close(fd);
	}
	if (!delete_table())
		all = false;
	for (int i = 0; i < crash.nxdp; i++) {
		struct rtnl nl = { .fd = -1 };

		if (rtnl_open(&nl) || rtnl_link_xdp_detach(&nl,
							 crash.xdp_ifindex[i]))
			all = false;	/* the record says xdp: next start */
		rtnl_close(&nl);
	}
	if (all)
		for (int i = 0; i < crash.nunlink; i++)
			unlink(crash.unlink[i]);
	if (all && crash.nxdp)
		say("masqd: XDP programs removed\n");
	say(all ? "masqd: sysctls restored, nft table deleted\n" :
	    "masqd: not all given back: run masqd --release IFACE...\n");
	raise(sig);	/* SA_RESETHAND: now the default action */
}

static void prepare_writes(const struct takeover *t)
{
	crash.nw = 0;
	for (int i = 0; i < t->n; i++)
		for (int s = 0; s < TO_SYSCTL_NUM; s++) {
			int n;

			if (!t->links[i].written[s])
				continue;
			to_sysctl_path(crash.w[crash.nw].path,
				       sizeof(crash.w[0].path), t->links[i].name, s);
			n = snprintf(crash.w[crash.nw].val,
				     sizeof(crash.w[0].val), "%d\n",
				     t->links[i].saved[s]);
			crash.w[crash.nw++].len = (size_t)n;
		}
}

/**
 * crash_arm() - Prepare the fatal-signal restore and install the handler
 * @d:		daemon, after setup_takeover() and recover_claim()
 *
 * Called again it prepares again (the handler reads only crash's data).
 */
void crash_arm(const struct masqd *d)
{
	struct sigaction sa = { .sa_handler = on_fatal,
				.sa_flags = SA_RESETHAND };

	prepare_writes(&d->to);
	crash.nllen = 0;
	if (d->to.table_made)
		prepare_deltable(d->to.table);
	crash.nxdp = 0;
	for (int i = 0; d->o.io == IO_AFXDP && i < d->o.nifaces; i++)
		crash.xdp_ifindex[crash.nxdp++] = d->links[i].ifindex;
	crash.nunlink = 0;
	for (int i = 0; i < d->o.nifaces; i++) {
		if (d->claims[i].fd < 0)
			continue;
		memcpy(crash.unlink[crash.nunlink++], d->claims[i].rec,
		       CLAIM_PATH_MAX);
		memcpy(crash.unlink[crash.nunlink++], d->claims[i].path,
		       CLAIM_PATH_MAX);
	}
	if (d->ho.fd >= 0)	/* no state for a successor after a crash */
		memcpy(crash.unlink[crash.nunlink++], d->ho.path,
		       CLAIM_PATH_MAX);
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]);
	     i++)
		sigaction(fatal_signals[i], &sa, NULL);
}

/**
 * crash_delegate() - The handler tells someone else to give back
 * @tell:	called with the signal; returns once all is given back
 *		(async-signal-safe: privsep_tell_crash())
 */
void crash_delegate(void (*tell)(int sig))
{
	crash.tell = tell;
}

/**
 * crash_twins() - Note the twins' descriptors for the handler
 * @d:		daemon, its twins made (or one made again)
 */
void crash_twins(const struct masqd *d)
{
	int n = 0;

	crash.ntwins = 0;
	for (int i = 0; i < d->tw.n && n < MASQD_MAX_IFACES; i++)
		if (d->tw.t[i].tap.fd >= 0)
			crash.twin_fd[n++] = d->tw.t[i].tap.fd;
	crash.ntwins = n;
}
