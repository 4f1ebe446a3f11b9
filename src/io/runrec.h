/* SPDX-License-Identifier: MIT */
/*
 * runrec.h - the record of what masqd changed on an interface, as text
 *
 * Before masqd changes anything on an owned interface (takeover.h: three
 * sysctls and its nft table) it writes what it found to
 * /run/masq/NETNS/IFACE.rec (claim.h writes the file, fsync'd). A masqd
 * that dies without cleaning up -- SIGKILL, a power cut of the process,
 * a crash the fatal-signal handler could not finish -- leaves the
 * record; the next masqd, or `masqd --release IFACE`, puts the recorded
 * originals back instead of the values it finds (which are masqd's own).
 *
 * The format, one "key value" per line, in this order:
 *
 *	masq-record 1			format version: any other is refused
 *	iface lan0			the interface (a kernel name)
 *	ifindex 3			... its index and MAC address: the
 *	mac 02:6d:71:00:01:01		device masqd changed, not a new one
 *	table masqd_1a2b3c4d		the nft netdev table (only this shape)
 *	socket /run/masq/masqd.sock	the owner's control socket (for people)
 *	pid 1234			the owner (for people)
 *	twin lan0-h 7			its twin (persistent TAP) and index:
 *					optional, once the twin is made
 *	xdp 1				masqd --io afxdp attached an XDP
 *					program to it (optional: removed
 *					with the rest)
 *	sysctl forwarding 1		a value found before the takeover:
 *	sysctl disable_ipv6 0		0 to 3 of these, each name once
 *	sysctl arp_ignore 0
 *	end 5d0c9b11			FNV-1a 32 of every byte before "end"
 *
 * The file is hostile input like any other (a disk error, a person's
 * editor, another program's bug): runrec_parse() checks every line,
 * the length of every field, the shape of the table name (it is handed
 * to nft) and the checksum, and refuses the whole record with a message
 * naming the line when anything is wrong. A refused record is never
 * half used.
 */
#ifndef MASQ_IO_RUNREC_H
#define MASQ_IO_RUNREC_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "io/takeover.h"

#define RUNREC_VERSION	1
#define RUNREC_MAX	4096	/* a record is a few hundred bytes */
#define RUNREC_SOCK_MAX	108	/* sun_path */

/**
 * struct runrec - one interface's record
 * @iface:	interface name
 * @ifindex:	its index when recorded
 * @mac:	its MAC address when recorded
 * @table:	nft table (family netdev) masqd made for it
 * @sock:	the owner's control socket
 * @pid:	the owner's process id
 * @twin:	the interface's twin ("" none recorded)
 * @twin_ifindex: its index
 * @xdp:	an XDP program was attached (--io afxdp)
 * @orig:	each sysctl's value before masqd wrote it
 * @has:	@orig holds a value (false: no such sysctl, or not recorded)
 */
struct runrec {
	char iface[IF_NAMESIZE];
	int ifindex;
	unsigned char mac[6];
	char table[32];
	char sock[RUNREC_SOCK_MAX];
	long pid;
	char twin[IF_NAMESIZE];
	int twin_ifindex;
	bool xdp;
	int orig[TO_SYSCTL_NUM];
	bool has[TO_SYSCTL_NUM];
};

int runrec_format(const struct runrec *r, char *buf, size_t len);
int runrec_parse(const char *buf, size_t len, struct runrec *r, char *why,
		 size_t whylen);
bool runrec_table_ok(const char *table);
const char *runrec_sysctl_key(enum to_sysctl s);

#endif
