/* SPDX-License-Identifier: MIT */
/*
 * options.h - masqd's command line
 *
 * masqd --internal IFACE=ADDR/LEN ... --external IFACE=ADDR/LEN|dhcp ...
 *       [--gateway ADDR] [-c FILE] [-s SOCKET] [-f]
 *       [--io afpacket|afxdp] [--workers N] [--no-vnet-hdr] [--ring-frames N]
 *       [--pool-buffers N] [--no-takeover]
 *       [--conntrack-max N] [--twin IFACE=NAME ...] [--no-twins]
 * masqd --release [-s SOCKET] IFACE...
 *
 * --internal and --external repeat; one interface may carry several
 * addresses but only one role. Every check that needs no kernel is done
 * here, and every bad option is reported, not just the first.
 *
 * Twins (masqd/twin.c): each owned interface gets a TAP device for the
 * host, named by opts_twin_name() unless --twin names it; the names are
 * checked here (length, characters, no two alike, none an owned
 * interface's). Whether a device of that name exists is the kernel's to
 * say, at start.
 */
#ifndef MASQD_OPTIONS_H
#define MASQD_OPTIONS_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define MASQD_MAX_IFACES	32
#define MASQD_MAX_WORKERS	16	/* --workers */
#define MASQD_MAX_ADDRS		64
#define MASQD_TWIN_SUFFIX	"-h"	/* lan0 -> lan0-h */

enum masqd_role {
	ROLE_INTERNAL,
	ROLE_EXTERNAL,
	ROLE_NUM
};

extern const char *const masqd_role_names[ROLE_NUM];

/* --io: which packet I/O the ports use (port.c) */
enum masqd_io {
	IO_AFPACKET,
	IO_AFXDP,
	IO_NUM
};

extern const char *const masqd_io_names[IO_NUM];

/**
 * struct masqd_addr - one --internal/--external option
 * @iface:	index into masqd_opts.ifaces
 * @cidr:	"A.B.C.D/LEN", canonical (as given, validated)
 */
struct masqd_addr {
	int iface;
	char cidr[24];
};

/**
 * struct masqd_iface - an interface masqd owns
 * @name:	kernel name
 * @role:	internal or external
 * @dhcp:	--external IFACE=dhcp: no address at start; the host's DHCP
 *		client on the twin gets one
 * @twin:	its twin's name ("" with --no-twins)
 */
struct masqd_iface {
	char name[IF_NAMESIZE];
	enum masqd_role role;
	bool dhcp;
	char twin[IF_NAMESIZE];
};

/**
 * struct masqd_twin_opt - one --twin IFACE=NAME, until the interfaces
 * are all known
 * @iface:	the owned interface it names a twin for
 * @name:	the twin's name
 */
struct masqd_twin_opt {
	char iface[IF_NAMESIZE];
	char name[IF_NAMESIZE];
};

/**
 * struct masqd_opts - the parsed command line
 * @ifaces:	owned interfaces, in the order first named
 * @nifaces:	how many
 * @addrs:	addresses, in command-line order
 * @naddrs:	how many
 * @gateway:	default gateway, "" for none
 * @conf:	-c FILE, NULL for none
 * @sock:	-s SOCKET
 * @foreground:	-f
 * @vnet_hdr:	carry the virtio-net header (default on)
 * @no_gro:	--no-gro: hand the engine every TCP segment as it came
 * @ring_frames: receive ring slots per interface (0: default)
 * @pool_buffers: packet buffers (0: default)
 * @no_takeover: refuse interfaces the kernel acts on instead of taking them
 * @conntrack_max: connections the table is made for (0: the default)
 * @no_twins:	--no-twins: no TAP devices; the host gets nothing through
 *		masqd
 * @twin_opts:	--twin options, in order
 * @ntwin_opts:	how many
 * @metrics:	--metrics [ADDR:]PORT, NULL for none (metrics.h)
 * @user:	--user NAME, NULL for the default (sandbox.h)
 * @release:	--release: the interfaces to give back (argv's words)
 * @nrelease:	how many (0 without --release)
 * @no_restore:	--no-restore: do not load the state file (handover.c)
 * @io:		--io: AF_PACKET (default) or AF_XDP (port.c)
 * @workers:	--workers: packet threads (1: the default; workers.c)
 * @recent_list_tot: --recent-list-tot: addresses a -m recent list keeps
 *		(0: the default, 100)
 * @check:	-t, --check-config: check the -c file and exit (check.c)
 */
struct masqd_opts {
	struct masqd_iface ifaces[MASQD_MAX_IFACES];
	int nifaces;
	struct masqd_addr addrs[MASQD_MAX_ADDRS];
	int naddrs;
	char gateway[16];
	const char *conf;
	const char *sock;
	bool foreground;
	bool vnet_hdr;
	bool no_gro;
	uint32_t ring_frames;
	uint32_t pool_buffers;
	bool no_takeover;
	uint32_t conntrack_max;
	bool no_twins;
	struct masqd_twin_opt twin_opts[MASQD_MAX_IFACES];
	int ntwin_opts;
	const char *metrics;
	const char *user;
	const char *release[MASQD_MAX_IFACES];
	int nrelease;
	bool no_restore;
	enum masqd_io io;
	uint32_t workers;
	uint32_t recent_list_tot;
	bool check;
};

int opts_parse(int argc, char **argv, struct masqd_opts *o);
void opts_twin_name(const char *iface, char name[IF_NAMESIZE]);
bool opts_ifname_ok(const char *name);
void opts_usage(FILE *f);

#endif
