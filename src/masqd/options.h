/* SPDX-License-Identifier: MIT */
/*
 * options.h - masqd's command line
 *
 * masqd --internal IFACE=ADDR/LEN ... --external IFACE=ADDR/LEN ...
 *       [--gateway ADDR] [-c FILE] [-s SOCKET] [-f]
 *       [--no-vnet-hdr] [--ring-frames N] [--pool-buffers N] [--no-takeover]
 *       [--conntrack-max N]
 *
 * --internal and --external repeat; one interface may carry several
 * addresses but only one role. Every check that needs no kernel is done
 * here, and every bad option is reported, not just the first.
 */
#ifndef MASQD_OPTIONS_H
#define MASQD_OPTIONS_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define MASQD_MAX_IFACES	32
#define MASQD_MAX_ADDRS		64

enum masqd_role {
	ROLE_INTERNAL,
	ROLE_EXTERNAL,
	ROLE_NUM
};

extern const char *const masqd_role_names[ROLE_NUM];

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
 */
struct masqd_iface {
	char name[IF_NAMESIZE];
	enum masqd_role role;
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
 * @ring_frames: receive ring slots per interface (0: default)
 * @pool_buffers: packet buffers (0: default)
 * @no_takeover: refuse interfaces the kernel acts on instead of taking them
 * @conntrack_max: connections the table is made for (0: the default)
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
	uint32_t ring_frames;
	uint32_t pool_buffers;
	bool no_takeover;
	uint32_t conntrack_max;
};

int opts_parse(int argc, char **argv, struct masqd_opts *o);
void opts_usage(FILE *f);

#endif
