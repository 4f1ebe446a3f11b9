/* SPDX-License-Identifier: MIT */
/*
 * kernelcheck.h - is the kernel keeping its hands off an interface?
 *
 * masqd owns its interfaces at layer 2, but AF_PACKET only copies frames:
 * the kernel's own stack still sees them. If the kernel holds an IPv4
 * address there, forwards, runs IPv6 or answers ARP, it answers and
 * forwards alongside masqd (RSTs for masqueraded replies, duplicate ARP
 * replies, forwarded copies). So at start masqd checks each interface it
 * is given and refuses to run, naming the command that fixes each problem.
 * It also reads the interface's MAC address and MTU, which the engine
 * needs, and refuses links that are not Ethernet (tun, PPP: no MAC, no ARP).
 */
#ifndef MASQ_IO_KERNELCHECK_H
#define MASQ_IO_KERNELCHECK_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * struct kc_link - what the kernel says about an interface
 * @name:	interface name
 * @ifindex:	kernel interface index
 * @mac:	hardware address
 * @mtu:	MTU in bytes
 */
struct kc_link {
	char name[IF_NAMESIZE];
	int ifindex;
	uint8_t mac[6];
	uint32_t mtu;
};

/* Problems are appended as lines of text, each ending in a newline */
struct kc_report {
	char *s;
	size_t len;
	size_t cap;
	unsigned int problems;
};

int kc_link_read(const char *name, struct kc_link *link,
		 struct kc_report *rep);
int kc_check_owned(const char *name, bool sysctls, struct kc_report *rep);
void kc_report_free(struct kc_report *rep);

#endif
