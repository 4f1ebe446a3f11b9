/* SPDX-License-Identifier: MIT */
/*
 * takeover.h - take owned interfaces from the kernel's stack, give them back
 *
 * AF_PACKET copies frames; the kernel's own stack still receives them. So
 * for the time masqd runs, each owned interface gets:
 *
 *	an nftables netdev ingress chain with policy drop, in one table of
 *	masqd's own (table netdev masqd_XXXXXXXX, the hex derived from the
 *	control socket's path): it runs after the packet taps, so AF_PACKET
 *	still sees every frame and the kernel's stack sees none (no RSTs, no
 *	ICMP, no ARP replies, no forwarded copies)
 *	an egress chain with policy drop that lets out only frames marked
 *	TO_TX_MARK (masqd's AF_PACKET sockets set SO_MARK): the kernel's own
 *	sends -- its neighbour probes, a host socket routed out of an owned
 *	interface, with an untranslated source -- never reach the wire
 *	net.ipv4.conf.IF.forwarding = 0
 *	net.ipv6.conf.IF.disable_ipv6 = 1   (no RS, DAD, MLD sent by the kernel)
 *	net.ipv4.conf.IF.arp_ignore = 8
 *
 * The previous sysctl values are remembered and written back by
 * to_release() -- each only if it still holds the value masqd wrote, so a
 * change the administrator made meanwhile is kept -- and the table is
 * deleted. to_check(), called from the loop, re-reads all of this every
 * TO_CHECK_SEC seconds, one interface per call (bounded work), logs once
 * per thing that changed (and once when it is back), and puts the
 * ingress drop back if the chain vanished.
 *
 * The table is written with `nft -f -` in a child process (posix_spawn of
 * /usr/sbin/nft or /sbin/nft, found by absolute path, never through
 * $PATH, with a fixed environment: nothing of masqd's caller reaches it;
 * only at start, at exit and when the chain must be put back). The
 * periodic check asks the kernel directly over nfnetlink
 * (NFT_MSG_GETCHAIN, one small request), so it never forks on the loop.
 *
 * Limits: an interface name with '"' or '\\' is refused (it cannot be
 * quoted for nft). If masqd is killed with SIGKILL nothing is given back
 * by this file; the originals were recorded before the change (struct
 * takeover's @record: masqd/recover.c, io/runrec.h) and the next masqd,
 * or masqd --release, puts them back (to_restore_sysctls(),
 * to_delete_table()).
 */
#ifndef MASQ_IO_TAKEOVER_H
#define MASQ_IO_TAKEOVER_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TO_MAX_LINKS	32
#define TO_CHECK_SEC	3
#define TO_TX_MARK	0x6d617371u	/* "masq" */

enum to_sysctl {
	TO_FORWARDING,
	TO_DISABLE_IPV6,
	TO_ARP_IGNORE,
	TO_SYSCTL_NUM
};

/* A log line: priority as syslog(3), text without a newline */
typedef void to_log_fn(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * struct to_link - one owned interface's state
 * @name:	interface name
 * @saved:	value before masqd wrote it (-1: no such sysctl)
 * @written:	masqd wrote this sysctl (so it restores it)
 * @drift:	the sysctl is not what masqd set (logged once)
 * @addr_seen:	a kernel IPv4 address appeared (logged once)
 */
struct to_link {
	char name[IF_NAMESIZE];
	int saved[TO_SYSCTL_NUM];
	bool written[TO_SYSCTL_NUM];
	bool drift[TO_SYSCTL_NUM];
	bool addr_seen;
};

/**
 * struct takeover - the interfaces taken, the table, the check cursor
 * @table:	nft table name (family netdev)
 * @links:	owned interfaces
 * @n:		how many
 * @table_made:	the table exists (delete it on release)
 * @chain_gone:	a chain was found missing (logged, put back)
 * @nlfd:	nfnetlink socket for the check, -1 until first used
 * @seq:	netlink sequence number
 * @next_ns:	when the next round of checks starts
 * @cursor:	next interface to check in this round, n when idle
 * @log:	where lines go
 * @reapplied:	times the ingress drop was put back
 * @drifts:	changes found (each counted once)
 * @record:	called by to_apply() after every sysctl is read and before
 *		any is written or the table made; non-zero stops it
 * @record_ctx:	its argument
 * @remake:	when set, to_check() calls it to put a vanished chain back
 *		instead of running nft itself (masqd: its privileged helper,
 *		masqd/privsep.c); 0 or -errno
 */
struct takeover {
	char table[32];
	struct to_link links[TO_MAX_LINKS];
	int n;
	bool table_made;
	bool chain_gone;
	int nlfd;
	uint32_t seq;
	uint64_t next_ns;
	int cursor;
	to_log_fn *log;
	uint64_t reapplied;
	uint64_t drifts;
	int (*record)(struct takeover *t, void *ctx);
	void *record_ctx;
	int (*remake)(struct takeover *t);
};

void to_init(struct takeover *t, const char *sock_path, to_log_fn *log);
int to_add(struct takeover *t, const char *ifname);
int to_apply(struct takeover *t);
int to_release(struct takeover *t);
int to_remake(struct takeover *t, char *msg, size_t len);
void to_check(struct takeover *t, uint64_t now_ns);
int to_restore_sysctls(const char *ifname, const int orig[TO_SYSCTL_NUM],
		       const bool has[TO_SYSCTL_NUM], to_log_fn *log);
int to_delete_table(const char *table, to_log_fn *log);
int to_sysctl_path(char *buf, size_t len, const char *ifname, enum to_sysctl s);

#endif
