// SPDX-License-Identifier: MIT
/*
 * kernelcheck.c - refuse interfaces the kernel would also act on
 *
 * Checks, each with the command that fixes it (see kernelcheck.h for why):
 *
 *	no such interface, or not up        ip link set dev IF up
 *	not Ethernet (ARPHRD != ETHER)      none: unsupported for now
 *	a kernel IPv4 address               ip -4 addr flush dev IF
 *	IPv4 forwarding on for IF           sysctl -w net.ipv4.conf.IF.forwarding=0
 *	IPv6 enabled on IF                  sysctl -w net.ipv6.conf.IF.disable_ipv6=1
 *	answers ARP: max(all, IF) arp_ignore < 8
 *	                                    sysctl -w net.ipv4.conf.IF.arp_ignore=8
 *
 * With takeover (the default, takeover.h) masqd sets the three sysctls
 * itself and only the address is checked: masqd cannot take an address
 * away from the administrator safely (routes, sockets and services hang
 * on it). With --no-takeover every line above is a reason to refuse.
 *
 * Every problem of every interface is reported, not just the first, so one
 * run tells the administrator everything to fix. Names with a dot (VLAN
 * devices) are written in sysctl's slash form, where a dot is no separator.
 * A missing IPv6 sysctl means the kernel has no IPv6: nothing to check.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "io/kernelcheck.h"

static void report(struct kc_report *rep, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void report(struct kc_report *rep, const char *fmt, ...)
{
	va_list ap;
	int n;

	rep->problems++;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (rep->len + (size_t)n + 2 > rep->cap) {
		size_t cap = 2 * (rep->len + (size_t)n + 2) + 256;
		char *s = realloc(rep->s, cap);

		if (!s)
			return;
		rep->s = s;
		rep->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(rep->s + rep->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	rep->len += (size_t)n;
	rep->s[rep->len++] = '\n';
	rep->s[rep->len] = '\0';
}

/**
 * kc_report_free() - Release a report's text
 * @rep:	report (may be zeroed)
 */
void kc_report_free(struct kc_report *rep)
{
	free(rep->s);
	*rep = (struct kc_report){ 0 };
}

/* Read a small integer from a /proc file; -errno when it cannot */
static int read_int(const char *path, int *val)
{
	FILE *f = fopen(path, "re");
	int ret = 0;

	if (!f)
		return -errno;
	if (fscanf(f, "%d", val) != 1)
		ret = -EINVAL;
	fclose(f);
	return ret;
}

/* The sysctl name for net.FAMILY.conf.IF.KEY as one can type it */
static void sysctl_name(char *buf, size_t len, const char *family,
			const char *ifname, const char *key)
{
	if (strchr(ifname, '.'))
		snprintf(buf, len, "net/%s/conf/%s/%s", family, ifname, key);
	else
		snprintf(buf, len, "net.%s.conf.%s.%s", family, ifname, key);
}

static int conf_int(const char *family, const char *ifname, const char *key,
		    int *val)
{
	char path[128];

	snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/%s", family,
		 ifname, key);
	return read_int(path, val);
}

static int link_ioctl(int fd, unsigned long req, const char *name,
		      struct ifreq *ifr)
{
	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", name);
	return ioctl(fd, req, ifr) ? -errno : 0;
}

/* Name, index, hardware type and address, MTU, flags */
static int link_query(int fd, const char *name, struct kc_link *link,
		      struct kc_report *rep)
{
	struct ifreq ifr;
	int ret;

	ret = link_ioctl(fd, SIOCGIFHWADDR, name, &ifr);
	if (ret) {
		report(rep, "%s: %s", name, ret == -ENODEV ?
		       "no such network interface" : strerror(-ret));
		return ret;
	}
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
		report(rep, "%s: not an Ethernet interface (link type %u): masqd "
		       "supports only Ethernet, not loopback, tun or PPP",
		       name, ifr.ifr_hwaddr.sa_family);
		return -EPROTONOSUPPORT;
	}
	memcpy(link->mac, ifr.ifr_hwaddr.sa_data, 6);
	ret = link_ioctl(fd, SIOCGIFMTU, name, &ifr);
	if (ret) {
		report(rep, "%s: cannot read the MTU: %s", name, strerror(-ret));
		return ret;
	}
	link->mtu = (uint32_t)ifr.ifr_mtu;
	ret = link_ioctl(fd, SIOCGIFFLAGS, name, &ifr);
	if (!ret && !(ifr.ifr_flags & IFF_UP))
		report(rep, "%s: interface is down; run: ip link set dev %s up",
		       name, name);
	return 0;
}

/**
 * kc_link_read() - Read an interface's index, MAC and MTU; refuse non-Ethernet
 * @name:	interface name
 * @link:	filled on success
 * @rep:	problems are appended here
 *
 * Return: 0, or -errno (-ENODEV no such interface, -EPROTONOSUPPORT not
 * Ethernet); an interface that is down is reported but returns 0
 */
int kc_link_read(const char *name, struct kc_link *link,
		 struct kc_report *rep)
{
	int fd, ret;

	memset(link, 0, sizeof(*link));
	if (strlen(name) >= sizeof(link->name)) {
		report(rep, "%s: interface name longer than %d characters",
		       name, IF_NAMESIZE - 1);
		return -ENAMETOOLONG;
	}
	snprintf(link->name, sizeof(link->name), "%s", name);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		report(rep, "%s: socket: %s", name, strerror(errno));
		return -errno;
	}
	ret = link_query(fd, name, link, rep);
	close(fd);
	if (ret)
		return ret;
	link->ifindex = (int)if_nametoindex(name);
	if (!link->ifindex) {
		report(rep, "%s: no such network interface", name);
		return -ENODEV;
	}
	return 0;
}

static void check_addrs(const char *name, struct kc_report *rep)
{
	struct ifaddrs *ifa, *i;
	char a[INET_ADDRSTRLEN];
	int found = 0;

	if (getifaddrs(&ifa)) {
		report(rep, "%s: cannot list addresses: %s", name,
		       strerror(errno));
		return;
	}
	for (i = ifa; i; i = i->ifa_next) {
		const struct sockaddr_in *sin = (void *)i->ifa_addr;

		if (!sin || sin->sin_family != AF_INET ||
		    strcmp(i->ifa_name, name))
			continue;
		inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
		if (!found++)
			report(rep, "%s: has the kernel IPv4 address %s (the kernel "
			       "would answer for it); run: ip -4 addr flush dev %s",
			       name, a, name);
	}
	freeifaddrs(ifa);
}

static void check_sysctls(const char *name, struct kc_report *rep)
{
	char sc[128];
	int v, all;

	if (!conf_int("ipv4", name, "forwarding", &v) && v) {
		sysctl_name(sc, sizeof(sc), "ipv4", name, "forwarding");
		report(rep, "%s: kernel IPv4 forwarding is on; run: sysctl -w "
		       "%s=0", name, sc);
	}
	if (!conf_int("ipv6", name, "disable_ipv6", &v) && !v) {
		sysctl_name(sc, sizeof(sc), "ipv6", name, "disable_ipv6");
		report(rep, "%s: IPv6 is enabled; run: sysctl -w %s=1", name, sc);
	}
	if (conf_int("ipv4", "all", "arp_ignore", &all))
		all = 0;
	if (conf_int("ipv4", name, "arp_ignore", &v))
		v = 0;
	if ((all > v ? all : v) < 8) {
		sysctl_name(sc, sizeof(sc), "ipv4", name, "arp_ignore");
		report(rep, "%s: the kernel answers ARP here (arp_ignore %d); "
		       "run: sysctl -w %s=8", name, all > v ? all : v, sc);
	}
}

/**
 * kc_check_owned() - Check that the kernel stays off an interface masqd owns
 * @name:	interface name (already known to exist)
 * @sysctls:	check the sysctls too (false when masqd sets them itself,
 *		see takeover.h: then only a kernel address is a problem)
 * @rep:	each problem is appended, with the command that fixes it
 *
 * Return: number of problems found for this interface
 */
int kc_check_owned(const char *name, bool sysctls, struct kc_report *rep)
{
	unsigned int before = rep->problems;

	check_addrs(name, rep);
	if (sysctls)
		check_sysctls(name, rep);
	return (int)(rep->problems - before);
}
