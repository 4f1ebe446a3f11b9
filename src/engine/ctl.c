// SPDX-License-Identifier: MIT
/*
 * ctl.c - the control language: configuration and listings
 *
 * Every command arrives as an argument vector of numeric, canonical
 * words (masqctl resolves names before sending). Each handler parses all
 * of its words before it changes anything, so a command applies whole or
 * not at all, and an error names the word that was wrong. Exit status:
 * 0 done, 1 failed, 2 usage error. docs/control.md is the reference.
 *
 * This is the control plane: it may allocate (text output) and walk whole
 * tables (listings), never on behalf of a packet.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng.h"
#include "addrcheck.h"
#include "alg.h"
#include "fwd.h"
#include "ipt/lang.h"
#include "masq/ctfilter.h"
#include "masqtab.h"
#include "origdst.h"
#include "perm.h"
#include "recent.h"

#define EXIT_FAIL	1
#define EXIT_USAGE	2

static int usage(struct masq_text *out, const char *fmt, const char *word)
{
	masq_text_printf(out, fmt, word);
	masq_text_printf(out, "\n");
	return EXIT_USAGE;
}

static int fail(struct masq_text *out, const char *fmt, const char *word)
{
	masq_text_printf(out, fmt, word);
	masq_text_printf(out, "\n");
	return EXIT_FAIL;
}

static bool parse_u32(const char *s, uint32_t max, uint32_t *v)
{
	char *end;
	unsigned long x;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || *end || x > max)
		return false;
	*v = (uint32_t)x;
	return true;
}

static bool parse_ip(const char *s, uint32_t *addr)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return false;
	*addr = a.s_addr;
	return true;
}

/* A.B.C.D/LEN; "default" when @dflt allows it */
static bool parse_prefix(const char *s, bool dflt, uint32_t *addr,
			 uint8_t *len)
{
	char buf[32];
	const char *slash = strchr(s, '/');
	uint32_t l;

	if (dflt && !strcmp(s, "default")) {
		*addr = 0;
		*len = 0;
		return true;
	}
	if (!slash || (size_t)(slash - s) >= sizeof(buf))
		return false;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = 0;
	if (!parse_ip(buf, addr) || !parse_u32(slash + 1, 32, &l))
		return false;
	*len = (uint8_t)l;
	return true;
}

static bool parse_mac(const char *s, uint8_t mac[ETH_ALEN])
{
	unsigned int b[ETH_ALEN];
	char tail;

	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &tail) != 6)
		return false;
	for (int i = 0; i < ETH_ALEN; i++)
		mac[i] = (uint8_t)b[i];
	return true;
}

static const char *ip_str(uint32_t addr, char *buf)
{
	struct in_addr a = { addr };

	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

static void mac_str(const uint8_t *m, char *buf)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
}

/* ---- iface ------------------------------------------------------------ */

static const char *const role_names[ROLE_NUM] = { "internal", "external" };

static int iface_list(struct masq_engine *e, struct masq_text *out)
{
	for (int i = 0; i < e->net.nifs; i++) {
		const struct iface *f = &e->net.ifs[i];
		char mac[18], ip[INET_ADDRSTRLEN];

		mac_str(f->mac, mac);
		masq_text_printf(out, "%-12s %-8s mac %s mtu %u", f->name,
				 role_names[f->role], mac, f->mtu);
		for (int a = 0; a < f->naddr; a++)
			masq_text_printf(out, " %s/%u", ip_str(f->addr[a].addr, ip),
					 f->addr[a].len);
		if (f->dhcp)
			masq_text_printf(out, f->naddr ? " (dhcp)" :
					 " waiting for an address (dhcp): "
					 "outbound packets are dropped "
					 "(drop_no_address)");
		if (f->twin)
			masq_text_printf(out, " twin");
		masq_text_printf(out, "\n");
	}
	return 0;
}

/* iface add NAME mac MAC [mtu N] role internal|external */
static int iface_add(struct masq_engine *e, int argc, char *const *argv,
		     struct masq_text *out)
{
	struct iface f = { .mtu = 1500, .role = ROLE_NUM };
	bool have_mac = false;
	uint32_t v;

	if (argc < 3)
		return usage(out, "usage: iface add NAME mac MAC [mtu N] role internal|external%s", "");
	if (strlen(argv[2]) >= MASQ_IFNAMSIZ || !argv[2][0])
		return usage(out, "iface: bad interface name '%s'", argv[2]);
	strcpy(f.name, argv[2]);
	for (int i = 3; i < argc; i += 2) {
		const char *k = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!val)
			return usage(out, "iface: '%s' needs a value", k);
		if (!strcmp(k, "mac")) {
			if (!parse_mac(val, f.mac) || (f.mac[0] & 1))
				return usage(out, "iface: bad unicast MAC address '%s'", val);
			have_mac = true;
		} else if (!strcmp(k, "mtu")) {
			if (!parse_u32(val, 65535, &v) || v < 576)
				return usage(out, "iface: bad mtu '%s' (576-65535)", val);
			f.mtu = (uint16_t)v;
		} else if (!strcmp(k, "role")) {
			if (!strcmp(val, "internal"))
				f.role = ROLE_INTERNAL;
			else if (!strcmp(val, "external"))
				f.role = ROLE_EXTERNAL;
			else
				return usage(out, "iface: role must be internal or external, not '%s'", val);
		} else {
			return usage(out, "iface: unknown option '%s'", k);
		}
	}
	if (!have_mac)
		return usage(out, "iface: '%s' needs a mac", f.name);
	if (f.role == ROLE_NUM)
		return usage(out, "iface: '%s' needs a role", f.name);
	if (net_iface_find(&e->net, f.name) >= 0)
		return fail(out, "iface: '%s' exists already", f.name);
	if (e->net.nifs == MASQ_MAX_IFACES)
		return fail(out, "iface: no room for '%s' (16 interfaces at most)", f.name);
	e->net.ifs[e->net.nifs++] = f;
	return 0;
}

static int iface_arg(struct masq_engine *e, const char *name,
		     struct masq_text *out, int *idx);

/* iface set NAME twin|dhcp on|off */
static int iface_set(struct masq_engine *e, int argc, char *const *argv,
		     struct masq_text *out)
{
	bool on;
	int i, rc;

	if (argc != 5 || (strcmp(argv[3], "twin") && strcmp(argv[3], "dhcp")) ||
	    (strcmp(argv[4], "on") && strcmp(argv[4], "off")))
		return usage(out, "usage: iface set NAME twin|dhcp on|off%s", "");
	rc = iface_arg(e, argv[2], out, &i);
	if (rc)
		return rc;
	on = !strcmp(argv[4], "on");
	if (!strcmp(argv[3], "twin"))
		e->net.ifs[i].twin = on;
	else if (on && e->net.ifs[i].role != ROLE_EXTERNAL)
		return fail(out, "iface: '%s' is internal: dhcp is for the "
			    "external side", argv[2]);
	else
		e->net.ifs[i].dhcp = on;
	return 0;
}

static int cmd_iface(struct masq_engine *e, int argc, char *const *argv,
		     struct masq_text *out)
{
	if (argc == 1 || !strcmp(argv[1], "list") || !strcmp(argv[1], "-L"))
		return iface_list(e, out);
	if (!strcmp(argv[1], "add")) {
		int rc = iface_add(e, argc, argv, out);

		if (!rc && fw_recompile(e))
			return fail(out, "iface: out of memory compiling the "
				    "filter%s", "");
		return rc;
	}
	if (!strcmp(argv[1], "set"))
		return iface_set(e, argc, argv, out);
	return usage(out, "iface: unknown subcommand '%s' (add, set, list)", argv[1]);
}

static int iface_arg(struct masq_engine *e, const char *name,
		     struct masq_text *out, int *idx)
{
	*idx = net_iface_find(&e->net, name);
	if (*idx < 0)
		return fail(out, "no interface '%s' (see: iface)", name);
	return 0;
}

/* ---- addr ------------------------------------------------------------- */

/* addr add A.B.C.D/LEN dev NAME */
static int addr_add(struct masq_engine *e, uint32_t addr, uint8_t len, int i,
		    const char *arg, struct masq_text *out)
{
	struct route r = { .flags = ROUTE_F_CONNECTED };
	struct iface *f = &e->net.ifs[i];
	enum addrcheck_verdict v;
	char why[320];

	if (net_addr_is_local(&e->net, addr, NULL))
		return fail(out, "addr: '%s' is already the router's", arg);
	if (f->naddr == MASQ_MAX_ADDRS)
		return fail(out, "addr: no room on '%s' (8 addresses at most)", f->name);
	v = addrcheck_addr(&e->net, i, addr, len, why, sizeof(why));
	if (v == ADDRCHECK_REFUSE)
		return fail(out, "addr: %s", why);
	r.mask = prefix_mask(len);
	r.prefix = addr & r.mask;
	r.len = len;
	r.iface = (uint8_t)i;
	if (net_route_add(&e->net, &r))
		return fail(out, "addr: routing table full for '%s'", arg);
	f->addr[f->naddr++] = (struct iface_addr){ addr, r.mask, len };
	if (v == ADDRCHECK_WARN)	/* taken; the sender shows it */
		masq_text_printf(out, "warning: addr: %s\n", why);
	return 0;
}

/*
 * addr del A.B.C.D/LEN dev NAME: the router no longer has the address
 * (a DHCP lease that changed, an `ip addr del` on the twin): nothing may
 * leave with it again, so every connection and mapping on it is
 * forgotten at once (the seeds' ip_dynaddr), its connected route goes
 * unless another address covers the network, and so do the routes whose
 * gateway is no longer on a connected network.
 */
static int addr_del(struct masq_engine *e, uint32_t addr, uint8_t len, int i,
		    const char *arg, struct masq_text *out)
{
	struct iface *f = &e->net.ifs[i];
	uint32_t mask = prefix_mask(len);
	int a;

	for (a = 0; a < f->naddr; a++)
		if (f->addr[a].addr == addr && f->addr[a].len == len)
			break;
	if (a == f->naddr)
		return fail(out, "addr: '%s' is not on that interface", arg);
	memmove(&f->addr[a], &f->addr[a + 1],
		(size_t)(f->naddr - a - 1) * sizeof(f->addr[0]));
	f->naddr--;
	host_forget_address(e, addr);
	for (a = 0; a < f->naddr; a++)
		if ((f->addr[a].addr & mask) == (addr & mask) &&
		    f->addr[a].len == len)
			break;
	if (a == f->naddr)
		net_route_del(&e->net, addr & mask, len);
	net_route_drop_unreachable(&e->net);
	return 0;
}

static int cmd_addr(struct masq_engine *e, int argc, char *const *argv,
		    struct masq_text *out)
{
	uint32_t addr;
	uint8_t len;
	int i, rc;

	if (argc != 5 || (strcmp(argv[1], "add") && strcmp(argv[1], "del")) ||
	    strcmp(argv[3], "dev"))
		return usage(out, "usage: addr add|del A.B.C.D/LEN dev NAME%s", "");
	if (!parse_prefix(argv[2], false, &addr, &len) || len == 0)
		return usage(out, "addr: bad address '%s' (A.B.C.D/LEN)", argv[2]);
	rc = iface_arg(e, argv[4], out, &i);
	if (rc)
		return rc;
	if (!strcmp(argv[1], "add"))
		return addr_add(e, addr, len, i, argv[2], out);
	return addr_del(e, addr, len, i, argv[2], out);
}

/* ---- route ------------------------------------------------------------ */

/*
 * Whose a route is, as ip-route's "proto" says it: an address's own
 * (kernel), masqd's command line (boot), the router host's (host); no
 * word for the user's own, the only ones `masqctl save` writes.
 */
static const char *route_proto_words(uint8_t flags)
{
	if (flags & ROUTE_F_CONNECTED)
		return " proto kernel scope link";
	if (flags & ROUTE_F_BOOT)
		return " proto boot";
	if (flags & ROUTE_F_HOST)
		return " proto host";
	return "";
}

static int route_list(struct masq_engine *e, struct masq_text *out)
{
	for (uint32_t i = 0; i < e->net.nroutes; i++) {
		const struct route *r = &e->net.routes[i];
		char a[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];

		if (r->len)
			masq_text_printf(out, "%s/%u", ip_str(r->prefix, a), r->len);
		else
			masq_text_printf(out, "default");
		if (r->gw)
			masq_text_printf(out, " via %s", ip_str(r->gw, g));
		masq_text_printf(out, " dev %s%s\n", e->net.ifs[r->iface].name,
				 route_proto_words(r->flags));
	}
	return 0;
}

/* proto boot|host: the flag, or 0 for another word */
static uint8_t route_proto_flag(const char *word)
{
	if (!strcmp(word, "boot"))
		return ROUTE_F_BOOT;
	if (!strcmp(word, "host"))
		return ROUTE_F_HOST;
	return 0;
}

/* route add PREFIX/LEN|default [via GW] [dev NAME] [proto boot|host] */
static int route_add(struct masq_engine *e, int argc, char *const *argv,
		     struct masq_text *out)
{
	struct route r = { 0 };
	const char *gw = NULL;
	int dev = -1, rc;

	if (argc < 4)
		return usage(out, "usage: route add PREFIX/LEN|default [via GW] [dev NAME] [proto boot|host]%s", "");
	if (!parse_prefix(argv[2], true, &r.prefix, &r.len))
		return usage(out, "route: bad prefix '%s'", argv[2]);
	for (int i = 3; i < argc; i += 2) {
		if (i + 1 >= argc)
			return usage(out, "route: '%s' needs a value", argv[i]);
		if (!strcmp(argv[i], "via")) {
			if (!parse_ip(argv[i + 1], &r.gw))
				return usage(out, "route: bad gateway '%s'", argv[i + 1]);
			gw = argv[i + 1];
		} else if (!strcmp(argv[i], "dev")) {
			rc = iface_arg(e, argv[i + 1], out, &dev);
			if (rc)
				return rc;
		} else if (!strcmp(argv[i], "proto")) {
			r.flags = route_proto_flag(argv[i + 1]);
			if (!r.flags)
				return usage(out, "route: bad proto '%s' (boot or host)", argv[i + 1]);
		} else {
			return usage(out, "route: unknown option '%s'", argv[i]);
		}
	}
	r.mask = prefix_mask(r.len);
	if (r.prefix & ~r.mask)
		return usage(out, "route: '%s' has host bits set", argv[2]);
	if (r.gw) {
		const struct route *c = net_route_lookup(&e->net, r.gw);
		char why[200];

		if (addrcheck_gateway(&e->net, r.gw, why, sizeof(why)) ==
		    ADDRCHECK_REFUSE)
			return fail(out, "route: %s", why);

		if (!c || c->gw || (dev >= 0 && c->iface != dev))
			return fail(out, "route: gateway '%s' is not on a connected network", gw);
		dev = c->iface;
	}
	if (dev < 0)
		return usage(out, "route: '%s' needs via or dev", argv[2]);
	r.iface = (uint8_t)dev;
	if (net_route_add(&e->net, &r))
		return fail(out, "route: routing table full for '%s'", argv[2]);
	return 0;
}

/*
 * route flush static: every route but the connected ones (which belong to
 * the addresses). Packets look routes up afresh each time, and nothing
 * keeps a pointer into the table, so removing them is safe at any time.
 */
static void route_flush_static(struct masq_engine *e)
{
	uint32_t i = 0;

	while (i < e->net.nroutes) {
		const struct route *r = &e->net.routes[i];

		if (r->flags & ROUTE_F_CONNECTED)
			i++;
		else
			net_route_del(&e->net, r->prefix, r->len);
	}
}

static int cmd_route(struct masq_engine *e, int argc, char *const *argv,
		     struct masq_text *out)
{
	uint32_t prefix;
	uint8_t len;

	if (argc == 1 || !strcmp(argv[1], "list") || !strcmp(argv[1], "show"))
		return route_list(e, out);
	if (!strcmp(argv[1], "add"))
		return route_add(e, argc, argv, out);
	if (!strcmp(argv[1], "del")) {
		if (argc != 3)
			return usage(out, "usage: route del PREFIX/LEN|default%s", "");
		if (!parse_prefix(argv[2], true, &prefix, &len))
			return usage(out, "route: bad prefix '%s'", argv[2]);
		if (net_route_del(&e->net, prefix & prefix_mask(len), len))
			return fail(out, "route: no route '%s'", argv[2]);
		return 0;
	}
	if (!strcmp(argv[1], "flush")) {
		if (argc != 3 || strcmp(argv[2], "static"))
			return usage(out, "usage: route flush static%s", "");
		route_flush_static(e);
		return 0;
	}
	return usage(out, "route: unknown subcommand '%s' (add, del, flush, list)", argv[1]);
}

/* ---- neigh ------------------------------------------------------------ */

static int neigh_list(struct masq_engine *e, struct masq_text *out)
{
	for (uint32_t i = 0; i <= e->neigh.mask; i++) {
		const struct neigh *n = &e->neigh.slots[i];
		char a[INET_ADDRSTRLEN], m[18];

		if (!n->ip)
			continue;
		masq_text_printf(out, "%s dev %s", ip_str(n->ip, a),
				 e->net.ifs[n->iface].name);
		if (n->state != NEIGH_INCOMPLETE && n->state != NEIGH_FAILED) {
			mac_str(n->mac, m);
			masq_text_printf(out, " lladdr %s", m);
		}
		masq_text_printf(out, " %s\n", neigh_state_names[n->state]);
	}
	return 0;
}

/*
 * neigh flush static: forget every entry `neigh add` made. A static entry
 * holds no waiting frames, so none is dropped. Backward-shift deletion may
 * move a later entry into slot i, so the slot is looked at again (as
 * arp_advance() does). O(table size).
 */
static void neigh_flush_static(struct masq_engine *e)
{
	for (uint32_t i = 0; i <= e->neigh.mask; i++) {
		struct neigh *n = &e->neigh.slots[i];

		while (n->ip && n->state == NEIGH_PERMANENT)
			neigh_delete(&e->neigh, n);
	}
}

/*
 * neigh del A.B.C.D: forget the static entry `neigh add` made for it
 * (a learnt entry is ARP's: it is left alone, and said so). A static
 * entry holds no waiting frames.
 */
static int neigh_del(struct masq_engine *e, int argc, char *const *argv,
		     struct masq_text *out)
{
	struct neigh *n;
	uint32_t ip;

	if (argc != 3)
		return usage(out, "usage: neigh del A.B.C.D%s", "");
	if (!parse_ip(argv[2], &ip) || !ip)
		return usage(out, "neigh: bad address '%s'", argv[2]);
	n = neigh_lookup(&e->neigh, ip);
	if (!n || n->state != NEIGH_PERMANENT)
		return fail(out, "neigh: no static entry for '%s'", argv[2]);
	neigh_delete(&e->neigh, n);
	return 0;
}

/* neigh add A.B.C.D lladdr MAC dev NAME; neigh del A.B.C.D */
static int cmd_neigh(struct masq_engine *e, int argc, char *const *argv,
		     struct masq_text *out)
{
	uint8_t mac[ETH_ALEN];
	uint32_t ip;
	int dev, rc;

	if (argc == 1 || !strcmp(argv[1], "list") || !strcmp(argv[1], "show"))
		return neigh_list(e, out);
	if (!strcmp(argv[1], "flush")) {
		if (argc != 3 || strcmp(argv[2], "static"))
			return usage(out, "usage: neigh flush static%s", "");
		neigh_flush_static(e);
		return 0;
	}
	if (!strcmp(argv[1], "del"))
		return neigh_del(e, argc, argv, out);
	if (strcmp(argv[1], "add") || argc != 7 || strcmp(argv[3], "lladdr") ||
	    strcmp(argv[5], "dev"))
		return usage(out, "usage: neigh add A.B.C.D lladdr MAC dev NAME | neigh del A.B.C.D%s", "");
	if (!parse_ip(argv[2], &ip) || !ip)
		return usage(out, "neigh: bad address '%s'", argv[2]);
	if (!parse_mac(argv[4], mac) || (mac[0] & 1))
		return usage(out, "neigh: bad unicast MAC address '%s'", argv[4]);
	rc = iface_arg(e, argv[6], out, &dev);
	if (rc)
		return rc;
	rc = arp_set_static(e, ip, dev, mac);
	if (rc == -EEXIST)
		return fail(out, "neigh: '%s' is known on another interface", argv[2]);
	if (rc)
		return fail(out, "neigh: table full for '%s'", argv[2]);
	return 0;
}

/* ---- masq (masqtab.c), conntrack (their table walks are ctlist.c's) ---- */

/*
 * conntrack -C [expect] and -L expect; the walks (-L, -D, -G, -F, -E)
 * are ctlist.c's, and a command line neither takes is refused here with
 * conntrack's message (ctfilter.c)
 */
static int cmd_conntrack(struct masq_engine *e, int argc, char *const *argv,
			 struct masq_text *out)
{
	struct ct_cmdline c;
	char err[CTF_ERR_MAX];

	if (ct_cmdline_parse(argc, argv, &c, err, sizeof(err)))
		return usage(out, "conntrack: %s", err);
	if (c.cmd == 'C') {
		masq_text_printf(out, "%u\n", c.expect ? e->alg->nexp :
				 e->ct.count);
		return 0;
	}
	if (c.cmd == 'L' && c.expect) {
		alg_expect_list(e, out);	/* conntrack(8)'s table name */
		return 0;
	}
	return usage(out, "usage: conntrack -L [expect] | -D | -G | -F | "
		     "-C [expect] | -E%s", "");
}

/* ---- stats, set, show --------------------------------------------------- */

static int cmd_stats(struct masq_engine *e, int argc, char *const *argv,
		     struct masq_text *out)
{
	(void)argv;
	if (argc != 1)
		return usage(out, "usage: stats%s", "");
	for (int i = 0; i < C_NUM; i++)
		masq_text_printf(out, "%-28s %llu\n", masq_counter_names[i],
				 (unsigned long long)e->cnt[i]);
	masq_text_printf(out, "%-28s %u/%u\n", "conntrack_entries", e->ct.count,
			 e->ct.limit);
	masq_text_printf(out, "%-28s %u\n", "masq_mappings", e->nat.count);
	masq_text_printf(out, "%-28s %u/%u\n", "neigh_entries", e->neigh.count,
			 e->neigh.max);
	masq_text_printf(out, "%-28s %u/%u\n", "neigh_queue", e->neigh.queued,
			 e->neigh.max_queued);	/* neigh_queued counts them all */
	masq_text_printf(out, "%-28s %u/%u\n", "buffers_free",
			 masq_pool_avail(e->pool), masq_pool_count(e->pool));
	return 0;
}

/* The timeouts `set timeout` names, and the classes each one sets */
static const struct {
	const char *name;
	enum ct_class cls[3];
} timeout_names[] = {
	{ "tcp-established", { CT_CLASS_TCP_EST, CT_CLASS_TCP_EST, CT_CLASS_TCP_EST } },
	{ "tcp-transitory", { CT_CLASS_TCP_SYN, CT_CLASS_TCP_CLOSING,
			      CT_CLASS_TCP_TIME_WAIT } },
	{ "tcp-close", { CT_CLASS_TCP_CLOSE, CT_CLASS_TCP_CLOSE, CT_CLASS_TCP_CLOSE } },
	{ "udp", { CT_CLASS_UDP, CT_CLASS_UDP_REPLIED, CT_CLASS_UDP } },
	{ "udp-unreplied", { CT_CLASS_UDP_UNREPLIED, CT_CLASS_UDP_UNREPLIED,
			     CT_CLASS_UDP_UNREPLIED } },
	{ "udp-dns", { CT_CLASS_UDP_DNS, CT_CLASS_UDP_DNS, CT_CLASS_UDP_DNS } },
	{ "icmp", { CT_CLASS_ICMP, CT_CLASS_ICMP, CT_CLASS_ICMP } },
	{ "generic", { CT_CLASS_GENERIC, CT_CLASS_GENERIC_NEW,
		       CT_CLASS_GENERIC } },
};

static int set_timeout(struct masq_engine *e, int argc, char *const *argv,
		       struct masq_text *out)
{
	uint32_t v;

	if (argc != 4)
		return usage(out, "usage: set timeout NAME SECONDS%s", "");
	if (!parse_u32(argv[3], 30 * 24 * 3600, &v) || !v)
		return usage(out, "set: bad timeout '%s' (1 to 2592000 seconds)", argv[3]);
	for (size_t i = 0; i < sizeof(timeout_names) / sizeof(*timeout_names); i++) {
		if (strcmp(argv[2], timeout_names[i].name))
			continue;
		for (int c = 0; c < 3; c++)
			e->ct.timeout[timeout_names[i].cls[c]] = v;
		return 0;
	}
	return usage(out, "set: unknown timeout '%s' (tcp-established, tcp-transitory, tcp-close, udp, udp-unreplied, udp-dns, icmp, generic)", argv[2]);
}

static int set_ports(struct masq_engine *e, int argc, char *const *argv,
		     struct masq_text *out)
{
	uint32_t lo, hi;
	char buf[16];
	char *dash;

	if (argc != 3 || strlen(argv[2]) >= sizeof(buf))
		return usage(out, "usage: set ports LOW-HIGH%s", "");
	strcpy(buf, argv[2]);
	dash = strchr(buf, '-');
	if (!dash)
		return usage(out, "set: bad port range '%s' (LOW-HIGH)", argv[2]);
	*dash = 0;
	if (!parse_u32(buf, 65535, &lo) || !parse_u32(dash + 1, 65535, &hi) ||
	    !lo || lo > hi)
		return usage(out, "set: bad port range '%s' (1-65535, LOW <= HIGH)", argv[2]);
	nat_set_ports(&e->nat, (uint16_t)lo, (uint16_t)hi);
	return 0;
}

static int set_bool(bool *v, int argc, char *const *argv,
		    struct masq_text *out)
{
	if (argc != 3 || (strcmp(argv[2], "on") && strcmp(argv[2], "off")))
		return usage(out, "usage: set %s on|off", argc > 1 ? argv[1] : "");
	*v = !strcmp(argv[2], "on");
	return 0;
}

static const char *const filter_names[FILTER_NUM] = {
	"address-and-port-dependent", "address-dependent",
	"endpoint-independent",
};

/*
 * set filtering MODE: address-dependent needs its permission table, made
 * here; connections already open hold no permission (they still work,
 * only inbound admission by address starts with new ones).
 */
static int set_filtering(struct masq_engine *e, int argc, char *const *argv,
			 struct masq_text *out)
{
	int mode = -1;

	if (argc == 3)
		for (int i = 0; i < FILTER_NUM; i++)
			if (!strcmp(argv[2], filter_names[i]))
				mode = i;
	if (mode < 0)
		return usage(out, "usage: set filtering address-and-port-dependent|address-dependent|endpoint-independent%s", "");
	if (mode == FILTER_ADF && !e->perm) {
		e->perm = perm_create(e->ct.max, e->lim.seed ^ 0x7065726d);
		if (!e->perm)
			return fail(out, "set: no memory for address-dependent filtering%s", "");
	} else if (mode != FILTER_ADF && e->perm) {
		perm_destroy(e->perm);
		e->perm = NULL;
	}
	e->filtering = (uint8_t)mode;
	return 0;
}

static int set_mapping(struct masq_engine *e, int argc, char *const *argv,
		       struct masq_text *out)
{
	if (argc == 3 && !strcmp(argv[2], "endpoint-independent"))
		e->apdm = false;
	else if (argc == 3 && !strcmp(argv[2], "address-and-port-dependent"))
		e->apdm = true;
	else
		return usage(out, "usage: set mapping endpoint-independent|address-and-port-dependent%s", "");
	return 0;
}

/* A connection count of this engine's as the router's: its worker's
 * share times the workers (every engine has the same share) */
static uint32_t conntrack_whole(const struct masq_engine *e, uint32_t share)
{
	uint64_t v = (uint64_t)share * (e->worker_n > 1 ? e->worker_n : 1);

	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* set host-cap N, set inbound-halfopen N: a per-address count (quota.h) */
static int set_quota(struct quota *q, int argc, char *const *argv,
		     struct masq_text *out, const char *what)
{
	uint32_t v;

	if (argc != 3 || !parse_u32(argv[2], 1u << 24, &v) || !v)
		return usage(out, "usage: set %s N (1-16777216)", what);
	q->limit = v;
	return 0;
}

/*
 * set conntrack-max N: how many connections the table may hold, up to
 * the size made at start (masqd --conntrack-max). Lowering it under the
 * count evicts nothing at once: new connections make room (closed, then
 * half-open entries) until the table is under it. N is the router's,
 * as --conntrack-max is: worker k of n takes N / n (at least 1), as
 * masqd shares the table out at start, and `show settings` says the sum
 * (conntrack_whole()), so a saved file means the same to any --workers.
 */
static int set_conntrack_max(struct masq_engine *e, int argc,
			     char *const *argv, struct masq_text *out)
{
	uint32_t v, n = e->worker_n > 1 ? e->worker_n : 1;

	if (argc != 3 || !parse_u32(argv[2], CT_MAX_CONNS, &v) || !v)
		return usage(out, "usage: set conntrack-max N (1-16777215)%s", "");
	if (ct_set_limit(&e->ct, v / n ? v / n : 1)) {
		masq_text_printf(out, "set: conntrack-max %u is more than the "
				 "table masqd made at start (%u); start masqd "
				 "with --conntrack-max %u\n", v,
				 conntrack_whole(e, e->ct.max), v);
		return EXIT_FAIL;
	}
	return 0;
}

static int cmd_set(struct masq_engine *e, int argc, char *const *argv,
		   struct masq_text *out)
{
	if (argc >= 2 && !strcmp(argv[1], "filtering"))
		return set_filtering(e, argc, argv, out);
	if (argc >= 2 && !strcmp(argv[1], "mapping"))
		return set_mapping(e, argc, argv, out);
	if (argc >= 2 && !strcmp(argv[1], "host-cap"))
		return set_quota(&e->hosts, argc, argv, out, "host-cap");
	if (argc >= 2 && !strcmp(argv[1], "inbound-halfopen"))
		return set_quota(&e->halfopen, argc, argv, out,
				 "inbound-halfopen");
	if (argc >= 2 && !strcmp(argv[1], "conntrack-max"))
		return set_conntrack_max(e, argc, argv, out);
	if (argc >= 2 && !strcmp(argv[1], "tcp-pickup"))
		return set_bool(&e->tcp_pickup, argc, argv, out);
	if (argc >= 2 && !strcmp(argv[1], "timeout"))
		return set_timeout(e, argc, argv, out);
	if (argc >= 2 && !strcmp(argv[1], "ports"))
		return set_ports(e, argc, argv, out);
	return usage(out, "usage: set timeout NAME SECONDS | ports LOW-HIGH | tcp-pickup on|off | filtering MODE | mapping MODE | host-cap N | inbound-halfopen N | conntrack-max N%s", "");
}

static int cmd_show(struct masq_engine *e, int argc, char *const *argv,
		    struct masq_text *out)
{
	if (argc != 2 || strcmp(argv[1], "settings"))
		return usage(out, "usage: show settings%s", "");
	for (size_t i = 0; i < sizeof(timeout_names) / sizeof(*timeout_names); i++)
		masq_text_printf(out, "timeout %-16s %u\n", timeout_names[i].name,
				 e->ct.timeout[timeout_names[i].cls[0]]);
	masq_text_printf(out, "ports %u-%u\n", e->nat.port_lo, e->nat.port_hi);
	masq_text_printf(out, "mapping %s\n", e->apdm ?
			 "address-and-port-dependent" : "endpoint-independent");
	masq_text_printf(out, "filtering %s\n", filter_names[e->filtering]);
	masq_text_printf(out, "host-cap %u\n", e->hosts.limit);
	masq_text_printf(out, "inbound-halfopen %u\n", e->halfopen.limit);
	masq_text_printf(out, "tcp-pickup %s\n", e->tcp_pickup ? "on" : "off");
	masq_text_printf(out, "accounting %s\n", e->ct.acct ? "on" : "off");
	masq_text_printf(out, "conntrack-max %u\n", conntrack_whole(e, e->ct.limit));
	masq_text_printf(out, "conntrack-size %u\n", conntrack_whole(e, e->ct.max));
	masq_text_printf(out, "rules %s\n", ipt_lang_name(e->rs->lang));
	return 0;
}

/* ---- reset -------------------------------------------------------------- */

/*
 * The default timeouts are ct.c's: a throw-away table of 64 entries is the
 * one place they are written down, so they are read from one rather than
 * copied here (the road not taken: a second table that could drift).
 */
static int default_timeouts(uint32_t t[CT_CLASS_NUM])
{
	struct ct_table tmp;

	if (ct_init(&tmp, 64, false, 1))
		return -ENOMEM;
	memcpy(t, tmp.timeout, sizeof(tmp.timeout));
	ct_fini(&tmp);
	return 0;
}

/*
 * reset rules: the default ruleset again, following the interfaces (as
 * at start); counters start from zero.
 *
 * reset settings [except filtering]: every value `set` and `masq -S`
 * change goes back to its default (docs/control.md): timeouts, the port
 * range (1024-65535, as nat_init() sets it), mapping, filtering, host-cap,
 * inbound-halfopen, conntrack-max (the size made at start), tcp-pickup. Connections, mappings, interfaces, addresses, routes and
 * neighbours are left alone. "except filtering" keeps the filtering mode
 * and, under address-dependent filtering, the permissions open
 * connections hold; masqd's reload uses it and then sets the mode the
 * file wants (see masqd(8), RELOAD).
 */
static int cmd_reset(struct masq_engine *e, int argc, char *const *argv,
		     struct masq_text *out)
{
	static char *const dflt[] = { "set", "filtering",
				      "address-and-port-dependent", NULL };
	uint32_t t[CT_CLASS_NUM];
	bool keep_filter;

	if (argc == 2 && !strcmp(argv[1], "rules")) {
		fw_reset_rules(e);
		return 0;
	}
	keep_filter = argc == 4 && !strcmp(argv[2], "except") &&
		      !strcmp(argv[3], "filtering");
	if (argc < 2 || strcmp(argv[1], "settings") || (argc != 2 && !keep_filter))
		return usage(out, "usage: reset settings [except filtering] | reset rules%s", "");
	if (default_timeouts(t))
		return fail(out, "reset: out of memory%s", "");
	if (!keep_filter && set_filtering(e, 3, dflt, out))
		return EXIT_FAIL;
	memcpy(e->ct.timeout, t, sizeof(t));
	nat_set_ports(&e->nat, 1024, 65535);
	e->hosts.limit = CONN_HOST_CAP;
	e->halfopen.limit = CONN_INBOUND_HALFOPEN;
	ct_set_limit(&e->ct, e->ct.max);
	e->apdm = false;
	e->tcp_pickup = false;
	return 0;
}

/* recent [NAME [+ADDR|-ADDR|/]]: -m recent's lists (recent.c) */
static int cmd_recent(struct masq_engine *e, int argc, char *const *argv,
		      struct masq_text *out)
{
	return recent_ctl(e->recent, argc, argv, e->now_ms, out);
}

/**
 * masq_engine_set_recent_size() - Addresses each -m recent list keeps
 * @e:		engine (its registry: with workers, set it on worker 0's
 *		before masq_engine_share_recent())
 * @entries:	1 to 65536 (the kernel's ip_list_tot; default 100)
 *
 * Return: 0; -EINVAL out of range; -EBUSY once a rule names a list
 */
int masq_engine_set_recent_size(struct masq_engine *e, uint32_t entries)
{
	return recent_reg_set_size(e->recent, entries);
}

/* ---- dispatch ----------------------------------------------------------- */

static const struct {
	const char *verb;
	int (*run)(struct masq_engine *e, int argc, char *const *argv,
		   struct masq_text *out);
} commands[] = {
	{ "iface", cmd_iface },		{ "addr", cmd_addr },
	{ "route", cmd_route },		{ "neigh", cmd_neigh },
	{ "masq", masqtab_ctl },		{ "conntrack", cmd_conntrack },
	{ "stats", cmd_stats },		{ "set", cmd_set },
	{ "show", cmd_show },		{ "reset", cmd_reset },
	{ "host-ports", host_ports_ctl },	{ "origdst", origdst_ctl },
	{ "recent", cmd_recent },
};

/* The verbs masq_engine_ctl() hands on before its own table: fw_ctl()'s
 * iptables ones (the 2.x languages' come from their ops), fwd_ctl()'s,
 * alg_ctl()'s */
static const char *const handed_verbs[] = {
	"iptables", "iptables-save", "iptables-restore", "ipmasqadm", "helper",
};

/* The @i-th word of the 2.x languages (a command, save, restore each) */
static const char *lang_verb(size_t i)
{
	for (int l = IPT_LANG_IPCHAINS; l < IPT_LANGS; l++) {
		const struct ipt_lang_ops *o = ipt_lang_ops((enum ipt_lang)l);

		if (!o)
			continue;
		if (i < 3)
			return i == 0 ? o->name : i == 1 ? o->save_word :
			       o->restore_word;
		i -= 3;
	}
	return NULL;
}

const char *masq_engine_verb(size_t i)
{
	const size_t ncmd = sizeof(commands) / sizeof(*commands);
	const size_t nhand = sizeof(handed_verbs) / sizeof(*handed_verbs);

	if (i < ncmd)
		return commands[i].verb;
	if (i - ncmd < nhand)
		return handed_verbs[i - ncmd];
	return lang_verb(i - ncmd - nhand);
}

/* "unknown command 'WORD' (every verb)": status 2 */
static int unknown_command(struct masq_text *out, const char *word)
{
	const char *v;

	masq_text_printf(out, "unknown command '%s' (", word);
	for (size_t i = 0; (v = masq_engine_verb(i)); i++)
		masq_text_printf(out, "%s%s", i ? ", " : "", v);
	masq_text_printf(out, ")\n");
	return EXIT_USAGE;
}

/*
 * masq -L, -D, -F, conntrack -L, -F: ctlist.c's walk, all of it at
 * once. Return: the status, or -1 when @argv is not such a command
 */
static int list_whole(struct masq_engine *e, int argc, char *const *argv,
		      struct masq_text *out)
{
	struct masq_ctl_list *l;
	int rc = masq_engine_ctl_list(e, argc, argv, &l);

	if (rc)
		return fail(out, "%s: out of memory", argv[0]);
	if (!l)
		return -1;
	do
		rc = masq_ctl_list_next(e, l, out);
	while (rc == MASQ_CTL_MORE);
	masq_ctl_list_free(l);
	return rc;
}

int masq_engine_ctl(struct masq_engine *e, int argc, char *const *argv,
		    struct masq_text *out)
{
	int rc;

	if (argc < 1 || !argv[0])
		return usage(out, "no command given%s", "");
	rc = fw_ctl(e, argc, argv, out);
	if (rc < 0)
		rc = fwd_ctl(e, argc, argv, out);
	if (rc < 0)
		rc = alg_ctl(e, argc, argv, out);
	if (rc < 0)
		rc = list_whole(e, argc, argv, out);
	if (rc >= 0)
		return rc;
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		if (!strcmp(argv[0], commands[i].verb))
			return commands[i].run(e, argc, argv, out);
	return unknown_command(out, argv[0]);
}
