// SPDX-License-Identifier: MIT
/*
 * hostwatch.c - follow the host's addresses, routes and ports (hostwatch.h)
 *
 * Theory of operation
 *
 * Netlink (io/rtwatch.h). At start a full dump, then notifications; each
 * loop iteration reads at most HW_NETLINK_BUDGET datagrams, and none while
 * a job runs (engine commands wait for it, as the control socket's do;
 * the socket's 4 MiB buffer holds what comes meanwhile, and if it
 * overflows a dump makes up for it). An event on a twin becomes an engine
 * command at once (hostwatch.h lists them) and a log line at info level.
 * Events on other links are not masqd's business.
 *
 * Dumps and forgetting. Between a dump's SYNC_BEGIN and SYNC_END every
 * address and route shown is marked seen; at the end, what the host
 * learned and the dump no longer shows is removed from the engine (a
 * notification was lost: rtwatch dumps after an overrun). The kernel
 * removes the routes whose gateway an address made reachable, when the
 * address goes, without a word (rtwatch.h); the engine does the same on
 * `addr del`, and so does hostwatch's table, so the three agree.
 *
 * What keeps masqd's own configuration safe:
 *	- the command line's addresses are never removed by a dump, only by
 *	  an RTM_DELADDR for a twin that still exists: when a twin is
 *	  deleted the kernel sends RTM_DELADDR for its addresses after it
 *	  has unlisted the device, so if_indextoname() fails for it, and
 *	  that deletion is the twin's, not the host's (twin.c makes the twin
 *	  again and puts the addresses back); forwarding goes on
 *	- an address or route learned on a twin that has since been made
 *	  again (another ifindex), and a route the kernel removed because
 *	  its twin went down, is an orphan: kept in the engine until the
 *	  host puts one in its place on the twin (a DHCP client's next
 *	  lease), never forgotten by a dump; so a twin deleted or set down
 *	  never stops forwarding
 *	- routes marked proto kernel (an address's own) and proto static
 *	  (RTNL_PROTO: the ones twin.c puts for the host) are not followed;
 *	  when the host's last route for a prefix goes, the --gateway
 *	  default route is put back
 *
 * sock_diag (io/sockdiag.h). A round of dumps starts once a second and
 * is read HW_DIAG_BUDGET chunks per iteration (about 800 sockets), so a
 * round costs an iteration well under a millisecond. When the ports
 * found differ from what the engine was last told, `host-ports` says so.
 * Between a socket opening and the next round (a second at most) a new
 * mapping may still take its port; a mapping that holds a port when a
 * host socket binds it keeps it until it expires. Connected sockets are
 * not needed: the host's connections go through masqd and hold their
 * ports as connections.
 *
 * Engine commands that the engine does not know (a usage error, status 2)
 * are logged at debug level and masqd goes on.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <linux/rtnetlink.h>

#include "masqd/log.h"
#include "masqd/masqd.h"

#define NS_PER_MS	1000000ull
#define MSG_MAX		256

/* ---- small helpers ------------------------------------------------------ */

static const char *ip_str(uint32_t a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/* "A.B.C.D/LEN", or "default" for 0/0 when @dflt */
static void prefix_str(uint32_t a, uint8_t plen, bool dflt, char *buf,
		       size_t size)
{
	char s[INET_ADDRSTRLEN];

	if (dflt && !plen)
		snprintf(buf, size, "default");
	else
		snprintf(buf, size, "%s/%u", ip_str(a, s), plen);
}

static const char *iface_name(const struct masqd *d, int port)
{
	return d->o.ifaces[port].name;
}

static const char *twin_name(const struct masqd *d, int port)
{
	return d->o.ifaces[port].twin;
}

/* The owned interface whose twin has index @ifindex now, or -1 */
static int twin_port(const struct masqd *d, int ifindex)
{
	for (int i = 0; i < d->tw.n; i++)
		if (ifindex > 0 && d->tw.t[i].state != TWIN_GONE &&
		    d->tw.t[i].tap.ifindex == ifindex)
			return d->tw.t[i].port;
	return -1;
}

/* The index of @port's twin now, 0 when it has none */
static int twin_ifindex(const struct masqd *d, int port)
{
	for (int i = 0; i < d->tw.n; i++)
		if (d->tw.t[i].port == port && d->tw.t[i].state != TWIN_GONE)
			return d->tw.t[i].tap.ifindex;
	return 0;
}

static uint64_t now_ms_of(uint64_t now)
{
	return now / NS_PER_MS;
}

/* CLOCK_MONOTONIC in ms, as the loop's clock (for the start, before it) */
static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / NS_PER_MS;
}

/*
 * Run one engine command; Return: its status (0, 1 refused, 2 usage);
 * @msg: the first line of what it said
 */
static int engine(struct masqd *d, char *msg, int argc, char **argv)
{
	struct masq_text out = { 0 };
	int st = workers_ctl(d, argc, argv, &out);
	size_t n = 0;

	while (out.s && n < out.len && out.s[n] != '\n')
		n++;
	snprintf(msg, MSG_MAX, "%.*s", (int)n, out.s ? out.s : "");
	masq_text_free(&out);
	return st;
}

/* A refusal: debug for a command the engine does not know, else warning */
static void refused(struct masqd *d, int st, const char *what,
		    const char *msg)
{
	d->hw.st.refused++;
	logmsg(st == 2 ? LOG_DEBUG : LOG_WARNING, "%s: the engine %s: %s",
	       what, st == 2 ? "does not take it (yet)" : "refused it",
	       msg[0] ? msg : "(no message)");
}

/* ---- addresses ----------------------------------------------------------- */

static struct hw_addr *addr_find(struct hostwatch *h, int port, uint32_t a,
				 uint8_t plen)
{
	for (int i = 0; i < h->naddrs; i++)
		if (h->addrs[i].port == port && h->addrs[i].addr == a &&
		    h->addrs[i].plen == plen)
			return &h->addrs[i];
	return NULL;
}

static void addr_forget(struct hostwatch *h, struct hw_addr *e)
{
	*e = h->addrs[--h->naddrs];
}

/* addr add|del A/LEN dev IFACE; Return: the engine's status */
static int addr_cmd(struct masqd *d, const char *verb, int port, uint32_t a,
		    uint8_t plen, char *msg)
{
	char cidr[24];
	char *argv[] = { "addr", (char *)verb, cidr, "dev",
			 (char *)iface_name(d, port), NULL };

	prefix_str(a, plen, false, cidr, sizeof(cidr));
	return engine(d, msg, 5, argv);
}

static void routes_unreachable(struct masqd *d);

/* The engine forgets an address the host no longer has */
static void addr_remove(struct masqd *d, struct hw_addr *e, const char *why)
{
	char msg[MSG_MAX], cidr[24];
	int st = 0;

	prefix_str(e->addr, e->plen, false, cidr, sizeof(cidr));
	if (!e->refused)
		st = addr_cmd(d, "del", e->port, e->addr, e->plen, msg);
	if (st)
		refused(d, st, "addr del", msg);
	else if (!e->refused) {
		d->hw.st.addrs_deleted++;
		logmsg(LOG_INFO, "%s: address %s %s (%s); its connections and "
		       "mappings are dropped", iface_name(d, e->port), cidr, why,
		       twin_name(d, e->port));
	}
	addr_forget(&d->hw, e);
	routes_unreachable(d);
}

/* Addresses learned on a twin that has been made again since */
static void addr_drop_stale(struct masqd *d, int port, int ifindex)
{
	struct hostwatch *h = &d->hw;

	for (int i = h->naddrs - 1; i >= 0; i--)
		if (h->addrs[i].port == port && h->addrs[i].host &&
		    h->addrs[i].ifindex != ifindex)
			addr_remove(d, &h->addrs[i],
				    "replaced on the new twin");
}

static void routes_retry(struct masqd *d);

static void addr_added(struct masqd *d, int port, const struct rtw_addr *a)
{
	struct hostwatch *h = &d->hw;
	struct hw_addr *e = addr_find(h, port, a->addr, a->plen);
	char msg[MSG_MAX], cidr[24];
	int st;

	if (e) {		/* ours from the command line, or known */
		e->seen = true;
		if (e->host)
			e->ifindex = a->ifindex;
		return;
	}
	addr_drop_stale(d, port, a->ifindex);
	if (h->naddrs == HW_MAX_ADDRS) {
		h->st.full++;
		logmsg(LOG_WARNING, "%s: not following another address of the "
		       "host: %d at most", iface_name(d, port), HW_MAX_ADDRS);
		return;
	}
	st = addr_cmd(d, "add", port, a->addr, a->plen, msg);
	h->addrs[h->naddrs++] = (struct hw_addr){
		.port = port, .addr = a->addr, .plen = a->plen, .host = true,
		.ifindex = a->ifindex, .refused = st != 0, .seen = true,
	};
	prefix_str(a->addr, a->plen, false, cidr, sizeof(cidr));
	if (st) {
		refused(d, st, "addr add", msg);
		return;
	}
	h->st.addrs_added++;
	logmsg(LOG_INFO, "%s: address %s from the host (%s)%s",
	       iface_name(d, port), cidr, twin_name(d, port),
	       d->o.ifaces[port].role == ROLE_EXTERNAL ?
	       "; masquerading with it" : "");
	routes_retry(d);
}

static void addr_deleted(struct masqd *d, int port, const struct rtw_addr *a)
{
	struct hw_addr *e = addr_find(&d->hw, port, a->addr, a->plen);
	char name[IF_NAMESIZE];

	if (!if_indextoname((unsigned int)a->ifindex, name)) {
		logmsg(LOG_DEBUG, "%s: twin %s deleted; its addresses stay "
		       "the router's", iface_name(d, port), twin_name(d, port));
		return;
	}
	if (e)
		addr_remove(d, e, "gone from the host");
}

/* ---- routes ---------------------------------------------------------------- */

static bool same_prefix(const struct hw_route *r, uint32_t dst, uint8_t plen)
{
	return r->dst == dst && r->plen == plen;
}

/* Gone from the host with its twin (made again since, or set down) */
static bool route_orphan(const struct masqd *d, const struct hw_route *r)
{
	return r->flushed || r->ifindex != twin_ifindex(d, r->port);
}

/* route add P/LEN|default dev IFACE proto host [via GW] */
static int route_install(struct masqd *d, const struct hw_route *r, char *msg)
{
	char pfx[24], gw[INET_ADDRSTRLEN];
	char *argv[] = { "route", "add", pfx, "dev",
			 (char *)iface_name(d, r->port), "proto", "host",
			 "via", gw, NULL };

	prefix_str(r->dst, r->plen, true, pfx, sizeof(pfx));
	ip_str(r->gw, gw);
	return engine(d, msg, r->gw ? 9 : 7, argv);
}

/*
 * The host has no route left for a prefix the engine had from it; @gone:
 * the engine dropped it already (with the address its gateway was on)
 */
static void route_uninstall(struct masqd *d, uint32_t dst, uint8_t plen,
			    bool gone)
{
	char pfx[24], msg[MSG_MAX];
	char *del[] = { "route", "del", pfx, NULL };
	char *base[] = { "route", "add", "default", "via", d->o.gateway,
			 "proto", "boot", NULL };
	int st;

	prefix_str(dst, plen, true, pfx, sizeof(pfx));
	st = gone ? 0 : engine(d, msg, 3, del);
	if (st)
		refused(d, st, "route del", msg);
	if (plen || !d->o.gateway[0])
		return;
	st = engine(d, msg, 7, base);
	if (st)
		refused(d, st, "route add default (--gateway)", msg);
	else
		logmsg(LOG_INFO, "default route via %s (--gateway) again",
		       d->o.gateway);
}

/* The lowest metric of @dst/@plen; one of the current twin on a tie */
static struct hw_route *route_best(struct masqd *d, uint32_t dst, uint8_t plen,
				   struct hw_route **installed)
{
	struct hostwatch *h = &d->hw;
	struct hw_route *best = NULL;

	*installed = NULL;
	for (int i = 0; i < h->nroutes; i++) {
		struct hw_route *r = &h->routes[i];

		if (!same_prefix(r, dst, plen))
			continue;
		if (r->installed)
			*installed = r;
		if (!best || r->metric < best->metric ||
		    (r->metric == best->metric && !route_orphan(d, r)))
			best = r;
	}
	return best;
}

/* "wan0: default route via 203.0.113.1 from the host (wan0-h)" */
static void route_log(struct masqd *d, const struct hw_route *r,
		      const char *what)
{
	char pfx[24], gw[INET_ADDRSTRLEN];

	prefix_str(r->dst, r->plen, true, pfx, sizeof(pfx));
	logmsg(LOG_INFO, "%s: %s route%s%s %s the host (%s)",
	       iface_name(d, r->port), pfx, r->gw ? " via " : "",
	       r->gw ? ip_str(r->gw, gw) : "", what, twin_name(d, r->port));
}

/*
 * Give the engine the host's best route for a prefix; @had: the engine
 * had one of the host's for it (so none left means removing it); @gone:
 * ... and has dropped it already
 */
static void route_settle(struct masqd *d, uint32_t dst, uint8_t plen, bool had,
			 bool gone)
{
	struct hw_route *inst, *best = route_best(d, dst, plen, &inst);
	char msg[MSG_MAX];
	int st;

	if (!best) {
		if (had)
			route_uninstall(d, dst, plen, gone);
		return;
	}
	if (best == inst)
		return;
	st = route_install(d, best, msg);
	if (st) {
		refused(d, st, "route add", msg);
		return;
	}
	if (inst)
		inst->installed = false;
	best->installed = true;
	d->hw.st.routes_added++;
	route_log(d, best, "from");
}

/* After an address came: routes the engine refused may fit now */
static void routes_retry(struct masqd *d)
{
	for (int i = 0; i < d->hw.nroutes; i++)
		route_settle(d, d->hw.routes[i].dst, d->hw.routes[i].plen,
			     false, false);
}

static struct hw_route *route_find(struct hostwatch *h, int port,
				   const struct rtw_route *rt)
{
	for (int i = 0; i < h->nroutes; i++) {
		struct hw_route *r = &h->routes[i];

		if (r->port == port && same_prefix(r, rt->dst, rt->plen) &&
		    r->gw == rt->gw && r->metric == rt->metric)
			return r;
	}
	return NULL;
}

/*
 * Take @r out of the table and settle its prefix; @gone: the engine
 * dropped it already
 */
static void route_forget(struct masqd *d, struct hw_route *r, bool gone)
{
	uint32_t dst = r->dst;
	uint8_t plen = r->plen;
	bool had = r->installed;

	if (had) {
		d->hw.st.routes_deleted++;
		route_log(d, r, "gone from");
	}
	*r = d->hw.routes[--d->hw.nroutes];
	route_settle(d, dst, plen, had, gone);
}

/* Orphans of @port for @dst/@plen: the host's new route replaces them */
static void route_drop_orphans(struct masqd *d, int port, uint32_t dst,
			       uint8_t plen)
{
	for (int i = d->hw.nroutes - 1; i >= 0; i--) {
		struct hw_route *r = &d->hw.routes[i];

		if (r->port == port && same_prefix(r, dst, plen) &&
		    route_orphan(d, r))
			*r = d->hw.routes[--d->hw.nroutes];
	}
}

/* Is @gw on a network of one of the router's addresses? (0: no gateway) */
static bool gw_reachable(const struct hostwatch *h, uint32_t gw)
{
	if (!gw)
		return true;
	for (int i = 0; i < h->naddrs; i++) {
		const struct hw_addr *a = &h->addrs[i];
		uint32_t mask = a->plen ? htonl(~0u << (32 - a->plen)) : 0;

		if (!a->refused && (gw & mask) == (a->addr & mask))
			return true;
	}
	return false;
}

/* An address went: the routes through it went too (kernel and engine) */
static void routes_unreachable(struct masqd *d)
{
	for (int i = d->hw.nroutes - 1; i >= 0; i--)
		if (!gw_reachable(&d->hw, d->hw.routes[i].gw))
			route_forget(d, &d->hw.routes[i], true);
}

static void route_added(struct masqd *d, int port, const struct rtw_route *rt)
{
	struct hostwatch *h = &d->hw;
	struct hw_route *r = route_find(h, port, rt);

	if (r) {
		r->seen = true;
		r->flushed = false;
		r->ifindex = rt->oif;
		if (!r->installed)
			route_settle(d, r->dst, r->plen, false, false);
		return;
	}
	route_drop_orphans(d, port, rt->dst, rt->plen);
	if (h->nroutes == HW_MAX_ROUTES) {
		h->st.full++;
		logmsg(LOG_WARNING, "not following another route of the host: "
		       "%d at most", HW_MAX_ROUTES);
		return;
	}
	h->routes[h->nroutes++] = (struct hw_route){
		.dst = rt->dst & (rt->plen ? htonl(~0u << (32 - rt->plen)) : 0),
		.plen = rt->plen, .gw = rt->gw, .port = port,
		.ifindex = rt->oif, .metric = rt->metric, .seen = true,
	};
	route_settle(d, h->routes[h->nroutes - 1].dst, rt->plen, false, false);
}

/* Routes the host made, through a twin; not an address's, not masqd's */
static bool route_followed(const struct rtw_route *rt)
{
	return rt->protocol != RTPROT_KERNEL && rt->protocol != RTNL_PROTO;
}

static void on_route(struct masqd *d, const struct rtw_event *ev)
{
	int port = twin_port(d, ev->route.oif);
	struct hw_route *r;
	struct rtw_route rt = ev->route;

	if (port < 0 || !route_followed(&rt))
		return;
	rt.dst &= rt.plen ? htonl(~0u << (32 - rt.plen)) : 0;
	if (!ev->deleted) {
		route_added(d, port, &rt);
		return;
	}
	r = route_find(&d->hw, port, &rt);
	if (r)
		route_forget(d, r, false);
}

/* ---- links, dumps ---------------------------------------------------------- */

/*
 * A twin's link: twin.c looks at once. Down or deleted, the kernel has
 * removed its routes without a word; the engine keeps them (orphans)
 */
static void on_link(struct masqd *d, const struct rtw_event *ev)
{
	int port = twin_port(d, ev->link.ifindex);

	if (port < 0)
		return;
	twin_check_soon(d);
	if (!ev->deleted && ev->link.up)
		return;
	logmsg(LOG_DEBUG, "%s: twin %s %s; the host's routes through it "
	       "stay the engine's", iface_name(d, port), twin_name(d, port),
	       ev->deleted ? "deleted" : "down");
	for (int i = 0; i < d->hw.nroutes; i++)
		if (d->hw.routes[i].port == port)
			d->hw.routes[i].flushed = true;
}

static void sync_begin(struct hostwatch *h)
{
	for (int i = 0; i < h->naddrs; i++)
		h->addrs[i].seen = false;
	for (int i = 0; i < h->nroutes; i++)
		h->routes[i].seen = false;
}

/* What the host learned and the dump did not show again is gone */
static void sync_end(struct masqd *d)
{
	struct hostwatch *h = &d->hw;

	for (int i = h->naddrs - 1; i >= 0; i--) {
		struct hw_addr *e = &h->addrs[i];

		if (e->host && !e->seen &&
		    e->ifindex == twin_ifindex(d, e->port))
			addr_remove(d, e, "gone from the host");
	}
	for (int i = h->nroutes - 1; i >= 0; i--) {
		struct hw_route *r = &h->routes[i];

		if (!r->seen && !route_orphan(d, r))
			route_forget(d, r, false);
	}
}

static void on_event(struct masqd *d, const struct rtw_event *ev)
{
	int port;

	switch (ev->kind) {
	case RTW_ADDR:
		port = twin_port(d, ev->addr.ifindex);
		if (port >= 0 && ev->deleted)
			addr_deleted(d, port, &ev->addr);
		else if (port >= 0)
			addr_added(d, port, &ev->addr);
		break;
	case RTW_ROUTE:
		on_route(d, ev);
		break;
	case RTW_LINK:
		on_link(d, ev);
		break;
	case RTW_SYNC_BEGIN:
		sync_begin(&d->hw);
		break;
	case RTW_SYNC_END:
		sync_end(d);
		break;
	default:
		break;
	}
}

/* ---- sock_diag ------------------------------------------------------------- */

/* The router's addresses, for the round's filter */
static struct sdiag_filter diag_filter(struct hostwatch *h)
{
	size_t n = 0;

	for (int i = 0; i < h->naddrs; i++)
		if (!h->addrs[i].refused)
			h->filter[n++] = h->addrs[i].addr;
	return (struct sdiag_filter){ h->filter, n };
}

static uint32_t count_ports(const uint64_t *bits)
{
	uint32_t n = 0;

	for (int w = 0; w < SDIAG_WORDS; w++)
		n += (uint32_t)__builtin_popcountll(bits[w]);
	return n;
}

/* A round ended: tell the engine if the ports changed */
static void ports_update(struct masqd *d, uint64_t now)
{
	static char tcp[SDIAG_WORD_MAX], udp[SDIAG_WORD_MAX];
	struct hostwatch *h = &d->hw;
	char *argv[6], msg[MSG_MAX];
	int st;

	if (h->ports_sent && !memcmp(&h->sent, &h->sd->ports, sizeof(h->sent)))
		return;
	st = engine(d, msg, sdiag_format(&h->sd->ports, tcp, udp, argv), argv);
	h->sent = h->sd->ports;		/* also when refused: not every second */
	h->ports_sent = true;
	if (st) {
		refused(d, st, "host-ports", msg);
		return;
	}
	h->st.ports_updates++;
	if (!strcmp(tcp, "-") && !strcmp(udp, "-"))
		logmsg(now >= h->ports_log_ns ? LOG_INFO : LOG_DEBUG, "no host "
		       "socket holds a port on the router's addresses "
		       "(sock_diag)");
	else
		logmsg(now >= h->ports_log_ns ? LOG_INFO : LOG_DEBUG, "host "
		       "sockets hold tcp %s udp %s on the router's addresses "
		       "(sock_diag): no mapping takes them", tcp, udp);
	if (now >= h->ports_log_ns)
		h->ports_log_ns = now + HW_PORTS_LOG_NS;
}

/* Say once that a round was cut, or refused (no udp_diag) */
static void diag_warnings(struct hostwatch *h)
{
	if (h->sd->st.capped && !h->logged_cap) {
		h->logged_cap = true;
		logmsg(LOG_WARNING, "the host has more than %u sockets: "
		       "host-ports keeps what it read and what it had",
		       SDIAG_MAX_SOCKETS);
	}
	if (h->sd->st.refused && !h->logged_refused) {
		h->logged_refused = true;
		logmsg(LOG_WARNING, "sock_diag refused a dump (%s; is udp_diag "
		       "loaded?): those ports are not kept from masquerading",
		       strerror(h->sd->st.last_errno));
	}
}

static void diag_step(struct masqd *d, uint64_t now)
{
	struct hostwatch *h = &d->hw;
	struct sdiag_filter f = diag_filter(h);
	int rc;

	if (!h->sd)
		return;
	if (now >= h->next_diag_ns) {
		h->next_diag_ns = now + HW_DIAG_NS;
		rc = sdiag_start(h->sd);
		if (rc && rc != -EBUSY)
			logmsg(LOG_DEBUG, "sock_diag: %s", strerror(-rc));
	}
	rc = sdiag_step(h->sd, &f, HW_DIAG_BUDGET);
	if (rc < 0)
		logmsg(LOG_DEBUG, "sock_diag round given up: %s", strerror(-rc));
	if (rc == 1)
		ports_update(d, now);
	diag_warnings(h);
}

/* ---- the public part ------------------------------------------------------- */

/* The command line's addresses: the engine has them already */
static void addrs_from_cmdline(struct masqd *d)
{
	for (int i = 0; i < d->o.naddrs && d->hw.naddrs < HW_MAX_ADDRS; i++) {
		const struct masqd_addr *a = &d->o.addrs[i];
		char ip[INET_ADDRSTRLEN];
		unsigned int plen;
		struct in_addr in;

		if (sscanf(a->cidr, "%15[0-9.]/%u", ip, &plen) != 2 ||
		    inet_pton(AF_INET, ip, &in) != 1 || plen > 32)
			continue;
		d->hw.addrs[d->hw.naddrs++] = (struct hw_addr){
			.port = a->iface, .addr = in.s_addr,
			.plen = (uint8_t)plen,
		};
	}
}

/**
 * hostwatch_setup() - Start following the host: open the netlink watch
 * and ask for a dump, open sock_diag
 * @d:		daemon, with its twins made (twin_setup())
 *
 * Without twins there is nothing to follow. A sock_diag that cannot be
 * opened is logged and done without (the host's ports are then not kept
 * from masquerading).
 *
 * Return: 0, or -1 when the netlink watch cannot be opened (logged)
 */
int hostwatch_setup(struct masqd *d)
{
	struct hostwatch *h = &d->hw;
	int err = 0;

	if (!d->tw.n)
		return 0;
	addrs_from_cmdline(d);
	err = rtw_open(&h->rtw);
	if (err) {
		logmsg(LOG_ERR, "cannot watch the host's addresses and routes "
		       "(netlink): %s", strerror(-err));
		return -1;
	}
	h->on = true;
	rtw_dump(&h->rtw, mono_ms());
	logmsg(LOG_INFO, "following the host's addresses and routes on the "
	       "twins (netlink) and its ports (sock_diag, each second)");
	h->sd = sdiag_open(&err);
	if (!h->sd)
		logmsg(LOG_WARNING, "cannot read the host's sockets (sock_diag: "
		       "%s): their ports are not kept from masquerading",
		       strerror(-err));
	return 0;
}

/**
 * hostwatch_teardown() - Close the watch and sock_diag
 * @d:		daemon (any stage)
 */
void hostwatch_teardown(struct masqd *d)
{
	if (d->hw.on)
		rtw_close(&d->hw.rtw);
	sdiag_close(d->hw.sd);
	d->hw.sd = NULL;
	d->hw.on = false;
}

/**
 * hostwatch_pollfds() - Add the netlink watch to the poll set
 * @d:		daemon
 * @pfd:	the loop's pollfd array
 * @n:		slots used so far
 *
 * The sock_diag socket is not polled: a round's next chunk is made when
 * it is read, so there is always one to read while a round runs.
 *
 * Return: slots used now
 */
int hostwatch_pollfds(struct masqd *d, struct pollfd *pfd, int n)
{
	d->hw.slot = -1;
	if (!d->hw.on)
		return n;
	d->hw.slot = n;
	pfd[n++] = (struct pollfd){ .fd = d->hw.rtw.fd, .events = POLLIN };
	return n;
}

/*
 * Netlink: at most HW_NETLINK_BUDGET datagrams; no system call at all
 * unless poll() said there is one or a dump is under way
 */
static void netlink_step(struct masqd *d, const struct pollfd *pfd,
			 uint64_t now)
{
	struct hostwatch *h = &d->hw;

	if (!rtw_busy(&h->rtw) &&
	    (h->slot < 0 || !(pfd[h->slot].revents & (POLLIN | POLLERR))))
		return;
	for (int i = 0; i < HW_NETLINK_BUDGET; i++) {
		const struct rtw_event *ev;
		int n = rtw_recv(&h->rtw, now_ms_of(now), &ev);

		if (n == -EAGAIN)
			break;
		if (n == -ENOBUFS)
			continue;	/* a dump is on its way */
		if (n < 0) {
			logmsg(LOG_DEBUG, "netlink: %s", strerror(-n));
			break;
		}
		for (int k = 0; k < n; k++)
			on_event(d, &ev[k]);
	}
	if (h->rtw.st.overruns != h->overruns) {
		h->overruns = h->rtw.st.overruns;
		logmsg(LOG_INFO, "missed some of the host's changes (netlink "
		       "buffer full); reading them all again");
	}
}

/**
 * hostwatch_step() - The loop's step: netlink events, then sock_diag
 * @d:		daemon
 * @pfd:	the loop's pollfds after poll() (hostwatch_pollfds()' slot)
 * @now:	CLOCK_MONOTONIC, ns
 *
 * Bounded: HW_NETLINK_BUDGET datagrams and HW_DIAG_BUDGET sock_diag
 * chunks. Nothing while a job runs (the engine must not change under it).
 */
void hostwatch_step(struct masqd *d, const struct pollfd *pfd, uint64_t now)
{
	if (!d->hw.on || job_busy(d))
		return;
	netlink_step(d, pfd, now);
	diag_step(d, now);
}

/**
 * hostwatch_settle() - Let the first dump hostwatch_setup() asked for
 * reach the engine, before the loop runs
 * @d:		daemon
 * @ms:		at most this long
 *
 * A DHCP external address is known only from there: a restart's state
 * (handover.c) is loaded after it, or a connection on that address would
 * be skipped.
 */
void hostwatch_settle(struct masqd *d, unsigned int ms)
{
	uint64_t end = mono_ms() + ms;
	struct pollfd pfd[1];

	while (d->hw.on && rtw_busy(&d->hw.rtw) && mono_ms() < end) {
		if (hostwatch_pollfds(d, pfd, 0) != 1 || poll(pfd, 1, 20) < 0)
			break;
		hostwatch_step(d, pfd, mono_ms() * NS_PER_MS);
	}
}

/**
 * hostwatch_reloaded() - A reload flushed the engine's static routes and
 * reset its settings: give it the host's routes and ports again
 * @d:		daemon
 */
void hostwatch_reloaded(struct masqd *d)
{
	struct hostwatch *h = &d->hw;

	if (!h->on)
		return;
	for (int i = 0; i < h->nroutes; i++)
		h->routes[i].installed = false;
	for (int i = 0; i < h->nroutes; i++)
		route_settle(d, h->routes[i].dst, h->routes[i].plen, false,
			     false);
	h->ports_sent = false;
}

/**
 * hostwatch_stats() - masqd_host_* lines for `stats`
 * @d:		daemon
 * @out:	the listing
 */
void hostwatch_stats(struct masqd *d, struct masq_text *out)
{
	const struct hostwatch *h = &d->hw;
	const struct rtw_stats *r = &h->rtw.st;
#define L(name, v) masq_text_printf(out, "%-28s %llu\n", "masqd_host_" name, \
				    (unsigned long long)(v))

	if (!h->on)
		return;
	L("addrs_added", h->st.addrs_added);
	L("addrs_deleted", h->st.addrs_deleted);
	L("routes_added", h->st.routes_added);
	L("routes_deleted", h->st.routes_deleted);
	L("refused", h->st.refused);
	L("not_followed_full", h->st.full);
	L("netlink_dumps", r->dumps);
	L("netlink_overruns", r->overruns);
	L("netlink_bad", r->bad + r->foreign);
	L("netlink_retries", r->refused + r->timeouts);
	L("ports_updates", h->st.ports_updates);
	L("ports_tcp", h->ports_sent ? count_ports(h->sent.bits[SDIAG_TCP]) : 0);
	L("ports_udp", h->ports_sent ? count_ports(h->sent.bits[SDIAG_UDP]) : 0);
	L("sockdiag_rounds", h->sd ? h->sd->st.cycles : 0);
	L("sockdiag_capped", h->sd ? h->sd->st.capped : 0);
	L("sockdiag_refused", h->sd ? h->sd->st.refused : 0);
#undef L
}
