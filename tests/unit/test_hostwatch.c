// SPDX-License-Identifier: MIT
/*
 * test_hostwatch.c - masqd follows the host (src/masqd/hostwatch.c,
 * compiled in here with rtwatch.c, sockdiag.c and nlmsg.c) on a real
 * engine, with two twins that exist only as indexes: the host's events
 * are handed in as rtwatch would make them, and what a user would see is
 * checked: the engine's `iface`, `route` and `host-ports` listings and
 * masqd's log lines.
 *
 * The engine: lan0 (internal, 192.168.0.1/24 from the command line) and
 * wan0 (external, =dhcp). lan0's twin has index 99999 (no such device:
 * a twin someone deleted), wan0's is lo's index (a device that exists,
 * so a deleted address on it is the host's doing).
 *
 * 1. dhcp_lease_followed: 203.0.113.7/24 and a default route via
 *    203.0.113.1 (proto boot) on wan0-h: the engine has both, and the log
 *    says "wan0: address 203.0.113.7/24 from the host (wan0-h);
 *    masquerading with it" and "wan0: default route via 203.0.113.1 from
 *    the host (wan0-h)".
 * 2. lease_changed: the old address deleted on wan0-h (the kernel drops
 *    its routes silently), a new one and a new default route added: the
 *    engine has only the new ones; the log says the old address is gone
 *    and its connections and mappings dropped.
 * 3. twin_deletion_keeps_addresses: an RTM_DELADDR for lan0's
 *    command-line address from its deleted twin leaves the engine's
 *    address; the same address on the new twin changes nothing.
 * 4. not_followed: routes proto kernel and proto static (masqd's own),
 *    routes via a device that is not a twin, and addresses on other
 *    devices change nothing in the engine.
 * 5. metric_and_gateway: with --gateway 192.168.0.254, two host default
 *    routes (metrics 100 and 50): the lower wins; deleting it puts the
 *    other; deleting that puts --gateway's back.
 * 6. dump_forgets: a twin set down (twin_check_soon() is called): a
 *    dump without its routes (the kernel removed them) leaves them in
 *    the engine. Up again, a dump without a learned route removes it,
 *    and one without the learned address removes the address and the
 *    default route through it.
 * 7. reload_puts_routes_back: `route flush static` (a reload) then
 *    hostwatch_reloaded(): the host's default route is back.
 * 8. host_ports: a sock_diag round's ports become `host-ports tcp 22,2222
 *    udp 53`; the same round again sends nothing; a change sends again.
 *
 * Prints "ok hostwatch/NAME" or "FAIL hostwatch/NAME: why".
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/nlmsg.c"
#include "io/rtwatch.c"
#include "io/sockdiag.c"
#include "masqd/hostwatch.c"

#include "../lib/report.h"

#define LAN_TWIN	99999

static struct masqd d;
static char logbuf[16384];
static int soon;

/* ---- what hostwatch.c calls in masqd ------------------------------------ */

void logmsg(int prio, const char *fmt, ...)
{
	size_t n = strlen(logbuf);
	va_list ap;

	if (prio == LOG_DEBUG || n + 512 > sizeof(logbuf))
		return;
	va_start(ap, fmt);
	vsnprintf(logbuf + n, sizeof(logbuf) - n - 1, fmt, ap);
	va_end(ap);
	strcat(logbuf, "\n");
}

bool job_busy(const struct masqd *dd)
{
	(void)dd;
	return false;
}

void twin_check_soon(struct masqd *dd)
{
	(void)dd;
	soon++;
}

/* one worker: its engine (wctl.c runs the command on every worker's) */
int workers_ctl(struct masqd *dd, int argc, char *const *argv,
		struct masq_text *out)
{
	return masq_engine_ctl(dd->e, argc, argv, out);
}

/* ---- helpers -------------------------------------------------------------- */

static uint32_t ip(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

static int wan_twin(void)
{
	return (int)if_nametoindex("lo");
}

/* Run an engine command given as one line; Return: its status */
static int cmd(const char *line, struct masq_text *out)
{
	char buf[256], *argv[16], *save = NULL;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *w = strtok_r(buf, " ", &save); w && argc < 15;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	return masq_engine_ctl(d.e, argc, argv, out);
}

/* Does the listing of @what hold (or, @want false, not hold) @s? */
static int listing_has(const char *what, const char *s, bool want)
{
	struct masq_text out = { 0 };
	bool has;

	cmd(what, &out);
	has = out.s && strstr(out.s, s);
	if (has != want)
		report_failf("'%s' %s '%s': %s", what, want ? "lacks" : "has",
			     s, out.s ? out.s : "(nothing)");
	masq_text_free(&out);
	return has == want ? 0 : -1;
}

static int logged(const char *s)
{
	if (strstr(logbuf, s))
		return 0;
	return report_failf("no log line '%s' in: %s", s, logbuf);
}

static void ev_addr(int ifindex, const char *a, uint8_t plen, bool del)
{
	struct rtw_event e = { .kind = RTW_ADDR, .deleted = del };

	e.addr = (struct rtw_addr){ ifindex, ip(a), plen };
	on_event(&d, &e);
}

static void ev_route(int oif, const char *dst, uint8_t plen, const char *gw,
		     uint32_t metric, uint8_t proto, bool del)
{
	struct rtw_event e = { .kind = RTW_ROUTE, .deleted = del };

	e.route = (struct rtw_route){ .dst = ip(dst), .plen = plen,
				      .gw = gw ? ip(gw) : 0, .oif = oif,
				      .metric = metric, .protocol = proto };
	on_event(&d, &e);
}

static void ev_kind(enum rtw_kind k)
{
	struct rtw_event e = { .kind = k };

	on_event(&d, &e);
}

/* A fresh engine and masqd: lan0 192.168.0.1/24, wan0 =dhcp */
static int setup(const char *gateway)
{
	static struct masq_pool *pool;
	struct masq_limits lim;
	struct masq_text out = { 0 };
	static const char *const lines[] = {
		"iface add lan0 mac 02:00:00:00:00:01 mtu 1500 role internal",
		"iface add wan0 mac 02:00:00:00:00:02 mtu 1500 role external",
		"addr add 192.168.0.1/24 dev lan0",
		"iface set wan0 dhcp on",
	};

	if (d.e)
		masq_engine_destroy(d.e);
	memset(&d, 0, sizeof(d));
	logbuf[0] = '\0';
	soon = 0;
	masq_limits_default(&lim);
	lim.max_conns = 1024;
	if (!pool)
		pool = masq_pool_create(256, 2048);
	d.e = masq_engine_create(&lim, pool);
	if (!d.e)
		return report_failf("no engine");
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (cmd(lines[i], &out))
			return report_failf("'%s': %s", lines[i], out.s);
	masq_text_free(&out);
	d.o.nifaces = 2;
	d.o.ifaces[0] = (struct masqd_iface){ "lan0", ROLE_INTERNAL, false,
					      "lan0-h" };
	d.o.ifaces[1] = (struct masqd_iface){ "wan0", ROLE_EXTERNAL, true,
					      "wan0-h" };
	d.o.naddrs = 1;
	d.o.addrs[0] = (struct masqd_addr){ 0, "192.168.0.1/24" };
	d.tw.n = 2;
	d.tw.t[0] = (struct twin){ .port = 0, .state = TWIN_UP };
	d.tw.t[0].tap.ifindex = LAN_TWIN;
	d.tw.t[1] = (struct twin){ .port = 1, .state = TWIN_UP };
	d.tw.t[1].tap.ifindex = wan_twin();
	if (gateway) {
		snprintf(d.o.gateway, sizeof(d.o.gateway), "%s", gateway);
		snprintf(logbuf, sizeof(logbuf), "route add default via %s",
			 gateway);
		if (cmd(logbuf, &out))
			return report_failf("--gateway: %s", out.s);
		logbuf[0] = '\0';
	}
	addrs_from_cmdline(&d);
	d.hw.on = true;
	return 0;
}

/* A DHCP lease on wan0-h: 203.0.113.7/24, default via 203.0.113.1 */
static void lease(const char *a, const char *gw)
{
	ev_addr(wan_twin(), a, 24, false);
	ev_route(wan_twin(), "0.0.0.0", 0, gw, 0, RTPROT_BOOT, false);
}

/* ---- the cases -------------------------------------------------------------- */

static int dhcp_lease_followed(void)
{
	if (setup(NULL) || listing_has("iface", "waiting for an address", true))
		return -1;
	lease("203.0.113.7", "203.0.113.1");
	return listing_has("iface", "203.0.113.7/24 (dhcp)", true) ||
	       listing_has("route", "default via 203.0.113.1 dev wan0", true) ||
	       logged("wan0: address 203.0.113.7/24 from the host (wan0-h); "
		      "masquerading with it") ||
	       logged("wan0: default route via 203.0.113.1 from the host "
		      "(wan0-h)");
}

static int lease_changed(void)
{
	if (setup(NULL))
		return -1;
	lease("203.0.113.7", "203.0.113.1");
	ev_addr(wan_twin(), "203.0.113.7", 24, true);
	if (listing_has("iface", "203.0.113.7", false) ||
	    listing_has("route", "default", false) ||
	    logged("wan0: address 203.0.113.7/24 gone from the host (wan0-h); "
		   "its connections and mappings are dropped"))
		return -1;
	lease("198.51.100.9", "198.51.100.1");
	return listing_has("iface", "198.51.100.9/24", true) ||
	       listing_has("route", "default via 198.51.100.1 dev wan0", true) ||
	       listing_has("route", "203.0.113", false);
}

static int twin_deletion_keeps_addresses(void)
{
	if (setup(NULL))
		return -1;
	ev_addr(LAN_TWIN, "192.168.0.1", 24, true);
	if (listing_has("iface", "192.168.0.1/24", true))
		return -1;
	d.tw.t[0].tap.ifindex = wan_twin() + 1000;	/* made again */
	ev_addr(wan_twin() + 1000, "192.168.0.1", 24, false);
	if (listing_has("iface", "192.168.0.1/24", true))
		return -1;
	if (strstr(logbuf, "lan0"))
		return report_failf("something logged: %s", logbuf);
	return 0;
}

static int not_followed(void)
{
	if (setup(NULL))
		return -1;
	lease("203.0.113.7", "203.0.113.1");
	ev_route(wan_twin(), "10.0.0.0", 8, "203.0.113.2", 0, RTPROT_KERNEL,
		 false);
	ev_route(wan_twin(), "10.1.0.0", 16, "203.0.113.2", 0, RTNL_PROTO,
		 false);
	ev_route(4242, "10.2.0.0", 16, "203.0.113.2", 0, RTPROT_BOOT, false);
	ev_addr(4242, "10.3.0.1", 16, false);
	ev_route(wan_twin(), "0.0.0.0", 0, "203.0.113.1", 0, RTNL_PROTO, true);
	return listing_has("route", "10.", false) ||
	       listing_has("iface", "10.3.0.1", false) ||
	       listing_has("route", "default via 203.0.113.1", true);
}

static int metric_and_gateway(void)
{
	if (setup("192.168.0.254"))
		return -1;
	ev_addr(wan_twin(), "203.0.113.7", 24, false);
	ev_route(wan_twin(), "0.0.0.0", 0, "203.0.113.1", 100, RTPROT_BOOT,
		 false);
	ev_route(wan_twin(), "0.0.0.0", 0, "203.0.113.2", 50, RTPROT_DHCP,
		 false);
	if (listing_has("route", "default via 203.0.113.2 dev wan0", true))
		return -1;
	ev_route(wan_twin(), "0.0.0.0", 0, "203.0.113.2", 50, RTPROT_DHCP, true);
	if (listing_has("route", "default via 203.0.113.1 dev wan0", true))
		return -1;
	ev_route(wan_twin(), "0.0.0.0", 0, "203.0.113.1", 100, RTPROT_BOOT,
		 true);
	return listing_has("route", "default via 192.168.0.254 dev lan0", true) ||
	       logged("wan0: default route via 203.0.113.1 gone from the host "
		      "(wan0-h)") ||
	       logged("default route via 192.168.0.254 (--gateway) again");
}

static int dump_forgets(void)
{
	struct rtw_event down = { .kind = RTW_LINK };

	if (setup(NULL))
		return -1;
	lease("203.0.113.7", "203.0.113.1");
	ev_route(wan_twin(), "10.9.0.0", 16, "203.0.113.3", 0, RTPROT_BOOT,
		 false);
	down.link = (struct rtw_link){ .ifindex = wan_twin(), .up = false };
	on_event(&d, &down);
	if (soon != 1)
		return report_failf("twin_check_soon() called %d times", soon);
	ev_kind(RTW_SYNC_BEGIN);
	ev_addr(wan_twin(), "203.0.113.7", 24, false);
	ev_kind(RTW_SYNC_END);
	if (listing_has("route", "10.9.0.0/16 via 203.0.113.3", true) ||
	    listing_has("route", "default via 203.0.113.1", true))
		return -1;
	d.hw.routes[0].flushed = d.hw.routes[1].flushed = false;  /* up again */
	ev_kind(RTW_SYNC_BEGIN);
	ev_addr(wan_twin(), "203.0.113.7", 24, false);
	ev_route(wan_twin(), "0.0.0.0", 0, "203.0.113.1", 0, RTPROT_BOOT,
		 false);
	ev_kind(RTW_SYNC_END);
	if (listing_has("route", "10.9.0.0", false) ||
	    listing_has("route", "default via 203.0.113.1", true))
		return -1;
	ev_kind(RTW_SYNC_BEGIN);
	ev_kind(RTW_SYNC_END);
	return listing_has("iface", "203.0.113.7", false) ||
	       listing_has("route", "default", false);
}

static int reload_puts_routes_back(void)
{
	struct masq_text out = { 0 };

	if (setup(NULL))
		return -1;
	lease("203.0.113.7", "203.0.113.1");
	cmd("route flush static", &out);
	masq_text_free(&out);
	if (listing_has("route", "default", false))
		return -1;
	hostwatch_reloaded(&d);
	return listing_has("route", "default via 203.0.113.1 dev wan0", true);
}

static int host_ports(void)
{
	static struct sdiag sd;
	uint64_t updates;

	if (setup(NULL))
		return -1;
	d.hw.sd = &sd;
	memset(&sd.ports, 0, sizeof(sd.ports));
	port_set(sd.ports.bits[SDIAG_TCP], 22);
	port_set(sd.ports.bits[SDIAG_TCP], 2222);
	port_set(sd.ports.bits[SDIAG_UDP], 53);
	ports_update(&d, 1);
	if (listing_has("host-ports", "tcp 22,2222\nudp 53", true))
		return -1;
	updates = d.hw.st.ports_updates;
	ports_update(&d, 2);
	if (d.hw.st.ports_updates != updates)
		return report_failf("the same ports were sent again");
	port_set(sd.ports.bits[SDIAG_UDP], 67);
	ports_update(&d, 3);
	d.hw.sd = NULL;
	return listing_has("host-ports", "udp 53,67", true) ||
	       logged("host sockets hold tcp 22,2222 udp 53 on the router's "
		      "addresses");
}

int main(void)
{
	report_case("hostwatch", "dhcp_lease_followed", dhcp_lease_followed());
	report_case("hostwatch", "lease_changed", lease_changed());
	report_case("hostwatch", "twin_deletion_keeps_addresses",
		    twin_deletion_keeps_addresses());
	report_case("hostwatch", "not_followed", not_followed());
	report_case("hostwatch", "metric_and_gateway", metric_and_gateway());
	report_case("hostwatch", "dump_forgets", dump_forgets());
	report_case("hostwatch", "reload_puts_routes_back",
		    reload_puts_routes_back());
	report_case("hostwatch", "host_ports", host_ports());
	if (d.e)
		masq_engine_destroy(d.e);
	return 0;
}
