// SPDX-License-Identifier: MIT
/*
 * twin.c - the twins' lifecycle and I/O in masqd (see twin.h)
 *
 * Theory of operation
 *
 * Start (twin_setup(), after the takeover; any failure stops masqd
 * starting, and --no-twins is the way to run without them): for each
 * owned interface, in order, a TAP named o.ifaces[i].twin with the
 * interface's MAC and MTU, up (io/tap.c), then each --internal/
 * --external address of the interface put on it with its prefix
 * (rtnetlink; an =dhcp interface's twin gets none: the host's DHCP
 * client on it gets one). Then, with --gateway, the host's default route
 * through the twin that has an address on the gateway's network, only
 * when the host has no IPv4 default route in its main table (an
 * administrator's is never replaced: masqd logs that it kept it). Then
 * the engine is told "iface set IF twin on".
 *
 * The loop (loop.c) polls each twin's descriptor, reads up to a batch
 * from each per iteration (twin_receive(): ->iface is the interface's
 * engine index with MASQ_IFACE_TWIN), and writes what the engine sends
 * to MASQ_IFACE_TWIN into the twin (twin_send(): one write, never
 * blocking; a failure is counted and the frame dropped).
 *
 * Someone may delete a twin (ip link del) or set it down while masqd
 * runs. A deleted TAP answers its descriptor with EBADFD and POLLERR:
 * that, seen in the loop, or the state check (twin_check(): TUNGETIFF
 * and SIOCGIFFLAGS per twin, once a second), logs it, tells the engine
 * "twin off" and makes the twin again at once, with its addresses and
 * the route masqd had added (a failure is logged and tried again each
 * second). A twin set down is logged, the engine told "twin off" and its
 * frames dropped (counted) until someone sets it up again; then the
 * route masqd had added (the kernel removes it with the link) is put
 * back and the engine told "twin on". A renamed twin is logged and used
 * under its new name. Forwarding between the owned interfaces never
 * waits for any of this: descriptors are non-blocking and a netlink
 * request is answered within the system call.
 *
 * The engine hears of a twin's state only between packet batches and
 * never while a job runs on the worker thread (engine.h: no other call
 * then); the state to tell is kept and told at the next chance. A
 * refusal is logged and not retried (it would be refused again).
 *
 * Exit (twin_teardown()): the route masqd added is deleted, each twin
 * deleted (RTM_DELLINK) and its descriptor closed; the kernel removes
 * its addresses with it. A masqd killed with SIGKILL leaves nothing
 * either: the TAPs are not persistent.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "masqd/log.h"
#include "masqd/masqd.h"
#include "masqd/twin.h"

/* "A.B.C.D/LEN" (options.c checked it) into an address and a length */
static int cidr_parse(const char *cidr, struct in_addr *a, unsigned int *len)
{
	char addr[INET_ADDRSTRLEN];
	const char *slash = strchr(cidr, '/');

	if (!slash || (size_t)(slash - cidr) >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, cidr, (size_t)(slash - cidr));
	addr[slash - cidr] = '\0';
	if (inet_pton(AF_INET, addr, a) != 1)
		return -EINVAL;
	*len = (unsigned int)strtoul(slash + 1, NULL, 10);
	return *len <= 32 ? 0 : -EINVAL;
}

static const char *iface_of(const struct masqd *d, const struct twin *t)
{
	return d->o.ifaces[t->port].name;
}

/*
 * The router's addresses on @t's interface, onto @t. Return: 0, or
 * -errno with @bad the address that failed (the caller says so)
 */
static int twin_addrs(struct masqd *d, struct twin *t, const char **bad)
{
	for (int i = 0; i < d->o.naddrs; i++) {
		const struct masqd_addr *a = &d->o.addrs[i];
		struct in_addr in;
		unsigned int len;
		int ret;

		if (a->iface != t->port)
			continue;
		ret = cidr_parse(a->cidr, &in, &len);
		if (!ret)
			ret = rtnl_addr(&d->tw.nl, true, t->tap.ifindex, in, len);
		if (ret && ret != -EEXIST) {
			*bad = a->cidr;
			return ret;
		}
	}
	return 0;
}

/* The TAP itself; Return: 0 or -errno, with @step naming what failed */
static int twin_open(struct masqd *d, struct twin *t, const char **step)
{
	const struct kc_link *l = &d->links[t->port];
	struct tap_config cfg = {
		.name = t->name,
		.mtu = l->mtu,
		.offload = d->o.vnet_hdr,
		/* a restart leaves it (twin.h); recorded only with a takeover */
		.persist = !d->o.no_takeover,
		.adopt = t->adopt_ifindex > 0,
	};

	memcpy(cfg.mac, l->mac, sizeof(cfg.mac));
	return tap_open(&t->tap, &cfg, step);
}

/* The host's default route through @t, unless the host has one */
static void route_add(struct masqd *d, struct twin *t)
{
	char gw[INET_ADDRSTRLEN];
	struct in_addr any = { 0 };
	int has, ret;

	inet_ntop(AF_INET, &d->tw.gw, gw, sizeof(gw));
	has = rtnl_has_default(&d->tw.nl);
	if (has < 0) {
		logmsg(LOG_WARNING, "host: cannot read its routes (%s): no "
		       "default route added through %s", strerror(-has),
		       t->name);
		t->route = false;
		return;
	}
	ret = has ? -EEXIST : rtnl_route(&d->tw.nl, true, any, 0, d->tw.gw,
					 t->tap.ifindex);
	t->route = !ret;	/* only a route masqd added is its to remove */
	if (ret == -EEXIST)
		logmsg(LOG_INFO, "host: it has a default route of its own; "
		       "kept it (none added via %s dev %s)", gw, t->name);
	else if (ret)
		logmsg(LOG_WARNING, "host: cannot add the default route via %s "
		       "dev %s: %s", gw, t->name, strerror(-ret));
	if (ret)
		return;
	logmsg(LOG_INFO, "host: default route via %s dev %s (it had none)",
	       gw, t->name);
}

/* Does @t's interface have an address on @gw's network? */
static bool on_link(const struct masqd *d, const struct twin *t,
		    struct in_addr gw)
{
	for (int i = 0; i < d->o.naddrs; i++) {
		struct in_addr a;
		unsigned int len;
		uint32_t mask;

		if (d->o.addrs[i].iface != t->port ||
		    cidr_parse(d->o.addrs[i].cidr, &a, &len))
			continue;
		mask = len ? htonl(0xffffffffu << (32 - len)) : 0;
		if (((a.s_addr ^ gw.s_addr) & mask) == 0)
			return true;
	}
	return false;
}

/* --gateway: the host's default route through the twin on its network */
static void route_setup(struct masqd *d)
{
	if (!d->o.gateway[0] || inet_pton(AF_INET, d->o.gateway, &d->tw.gw) != 1)
		return;
	for (int i = 0; i < d->tw.n; i++)
		if (on_link(d, &d->tw.t[i], d->tw.gw)) {
			route_add(d, &d->tw.t[i]);
			return;
		}
	logmsg(LOG_INFO, "host: no default route through a twin: none has "
	       "an address on %s's network", d->o.gateway);
}

/* Tell the engine whether @t is in use */
static void engine_twin(struct masqd *d, struct twin *t, bool on)
{
	char *argv[] = { "iface", "set", (char *)iface_of(d, t), "twin",
			 on ? "on" : "off", NULL };
	struct masq_text out = { 0 };
	int st = workers_ctl(d, 5, argv, &out);

	while (out.len && out.s[out.len - 1] == '\n')
		out.s[--out.len] = '\0';
	if (st) {
		logmsg(LOG_ERR, "engine: 'iface set %s twin %s' failed "
		       "(status %d): %s", iface_of(d, t), on ? "on" : "off",
		       st, out.len ? out.s : "(no message)");
	}
	masq_text_free(&out);
	t->engine_on = on;	/* a failure is logged once, not retried */
}

/* Tell the engine what changed (not while a job runs: engine.h) */
static void engine_sync(struct masqd *d)
{
	if (job_busy(d))
		return;
	for (int i = 0; i < d->tw.n; i++) {
		struct twin *t = &d->tw.t[i];
		bool on = t->state == TWIN_UP;

		if (on != t->engine_on || (d->tw.resync && on))
			engine_twin(d, t, on);
	}
	d->tw.resync = false;
}

static void log_made(const struct masqd *d, const struct twin *t,
		     const char *how)
{
	char addrs[256] = "";
	size_t n = 0;

	for (int i = 0; i < d->o.naddrs && n < sizeof(addrs); i++)
		if (d->o.addrs[i].iface == t->port)
			n += (size_t)snprintf(addrs + n, sizeof(addrs) - n,
					      " %s", d->o.addrs[i].cidr);
	logmsg(LOG_INFO, "twin %s %s for %s: mtu %u,%s%s", t->name, how,
	       iface_of(d, t), d->links[t->port].mtu,
	       n ? addrs : " no address",
	       d->o.ifaces[t->port].dhcp ? " (dhcp: for the host's DHCP "
	       "client)" : "");
}

static void log_open_error(const struct twin *t, const char *iface,
			   const char *step, int ret)
{
	if (ret == -EBUSY)
		logmsg(LOG_ERR, "twin %s for %s: an interface of that name "
		       "exists (masqd never takes one over): remove it, name "
		       "the twin with --twin %s=NAME, or run with --no-twins",
		       t->name, iface, iface);
	else
		logmsg(LOG_ERR, "twin %s for %s: %s: %s%s", t->name, iface,
		       step, strerror(-ret), ret == -EPERM || ret == -EACCES ?
		       " (masqd needs CAP_NET_ADMIN and /dev/net/tun)" : "");
}

/**
 * twin_setup() - Make every twin, with addresses, route and engine told
 * @d:		daemon, with engine, ports and takeover set up
 *
 * Return: 0, or -1 after logging what failed (twin_teardown() removes
 * what was made)
 */
int twin_setup(struct masqd *d)
{
	struct twins *tw = &d->tw;
	int ret;

	for (int i = 0; i < MASQD_MAX_IFACES; i++)
		tw->of_eidx[i] = -1;
	tw->nl.fd = -1;
	if (d->o.no_twins)
		return 0;
	ret = rtnl_open(&tw->nl);
	if (ret) {
		logmsg(LOG_ERR, "twins: rtnetlink socket: %s", strerror(-ret));
		return -1;
	}
	for (int i = 0; i < d->o.nifaces; i++) {
		struct twin *t = &tw->t[tw->n++];
		const char *step = "", *bad = "";

		snprintf(t->name, sizeof(t->name), "%s", d->o.ifaces[i].twin);
		t->port = i;
		t->eidx = d->eidx[i];
		t->state = TWIN_GONE;
		ret = twin_open(d, t, &step);
		if (ret) {
			log_open_error(t, d->o.ifaces[i].name, step, ret);
			return -1;
		}
		ret = twin_addrs(d, t, &bad);
		if (ret) {
			logmsg(LOG_ERR, "twin %s: cannot put %s on it: %s",
			       t->name, bad, strerror(-ret));
			return -1;
		}
		t->state = TWIN_UP;
		if (t->eidx >= 0 && t->eidx < MASQD_MAX_IFACES)
			tw->of_eidx[t->eidx] = tw->n - 1;
		log_made(d, t, t->adopt_ifindex == t->tap.ifindex ?
			 "adopted (a restart: its addresses and the host's "
			 "sockets kept)" : "made");
		t->adopt_ifindex = 0;
	}
	route_setup(d);
	engine_sync(d);
	recover_note_twins(d);	/* recorded: a SIGKILL leaves them */
	return 0;
}

/**
 * twin_teardown() - Remove the route masqd added and every twin
 * @d:		daemon (any stage of twin_setup())
 */
void twin_teardown(struct masqd *d)
{
	struct twins *tw = &d->tw;
	struct in_addr any = { 0 };
	int removed = 0;

	for (int i = 0; i < tw->n; i++) {
		struct twin *t = &tw->t[i];

		if (t->tap.fd < 0)
			continue;
		if (d->handover) {	/* a restart: left for the successor */
			tap_close(&t->tap);
			removed++;
			continue;
		}
		if (t->route && t->state == TWIN_UP)
			rtnl_route(&tw->nl, false, any, 0, tw->gw,
				   t->tap.ifindex);
		rtnl_link_del(&tw->nl, t->tap.ifindex);
		tap_close(&t->tap);
		removed++;
	}
	if (removed)
		logmsg(LOG_INFO, "%s %d twin%s%s", d->handover ? "left" :
		       "removed", removed, removed == 1 ? "" : "s",
		       d->handover ? " for the successor" : "");
	tw->n = 0;
	rtnl_close(&tw->nl);
}

/**
 * twin_pollfds() - Add each twin's descriptor to the poll set
 * @d:		daemon
 * @pfd:	the poll set
 * @n:		slots used so far
 *
 * One slot per twin, in order, -1 for a twin that is gone (poll skips it).
 * Return: slots used now
 */
int twin_pollfds(struct masqd *d, struct pollfd *pfd, int n)
{
	for (int i = 0; i < d->tw.n; i++)
		pfd[n++] = (struct pollfd){ .fd = d->tw.t[i].tap.fd,
					    .events = POLLIN };
	return n;
}

/* @t was deleted by someone: stop using it, make it again soon */
static void twin_lost(struct masqd *d, struct twin *t, uint64_t now)
{
	if (t->state == TWIN_GONE)
		return;
	logmsg(LOG_WARNING, "twin %s of %s is gone (deleted by someone): "
	       "making it again", t->tap.name[0] ? t->tap.name : t->name,
	       iface_of(d, t));
	tap_close(&t->tap);
	t->state = TWIN_GONE;
	t->retry_ns = now;
	t->fail_errno = 0;
	d->tw.lost++;
}

/**
 * twin_poll_errors() - React to POLLERR on the twins' descriptors
 * @d:		daemon
 * @pfd:	the twins' slots (twin_pollfds()), after poll()
 *
 * A TAP that was deleted polls POLLERR for ever: it is closed here and
 * made again by twin_check().
 */
void twin_poll_errors(struct masqd *d, const struct pollfd *pfd)
{
	for (int i = 0; i < d->tw.n; i++)
		if (pfd[i].fd >= 0 && pfd[i].revents & (POLLERR | POLLNVAL))
			twin_lost(d, &d->tw.t[i], 0);
}

/**
 * twin_receive() - Read a batch of frames the host sent into twin @i
 * @d:		daemon
 * @i:		the twin
 * @bufs:	filled
 * @max:	room in @bufs
 *
 * Return: frames in @bufs, ->iface the interface's engine index with
 * MASQ_IFACE_TWIN
 */
uint32_t twin_receive(struct masqd *d, int i, struct masq_buf **bufs,
		      uint32_t max)
{
	struct twin *t = &d->tw.t[i];
	uint32_t n;

	if (t->tap.fd < 0 || t->eidx < 0)
		return 0;
	n = tap_rx_burst(&t->tap, d->pool, bufs, max,
			 (uint32_t)t->eidx | MASQ_IFACE_TWIN, &d->tw.st);
	if (t->tap.err == EBADFD)
		twin_lost(d, t, 0);
	return n;
}

/**
 * twin_send() - Write a frame the engine sent to a twin into it
 * @d:		daemon
 * @b:		the frame (->iface with MASQ_IFACE_TWIN); stays the caller's
 *
 * Never blocks: a twin that is down or gone, or a write that fails,
 * drops the frame (counted: masqd_twin_tx_dropped).
 */
void twin_send(struct masqd *d, const struct masq_buf *b)
{
	uint32_t e = b->iface & MASQ_IFACE_MASK;
	int i = e < MASQD_MAX_IFACES ? d->tw.of_eidx[e] : -1;
	struct twin *t = i >= 0 ? &d->tw.t[i] : NULL;

	if (!t || t->state != TWIN_UP) {
		d->tw.st.tx_dropped++;
		return;
	}
	tap_tx(&t->tap, b, &d->tw.st);
	if (t->tap.err == EBADFD)
		twin_lost(d, t, 0);
}

/* Make a gone twin again, with its addresses and masqd's route */
static void twin_remake(struct masqd *d, struct twin *t, uint64_t now)
{
	const char *step = "", *bad = "";
	int ret = twin_open(d, t, &step);

	if (!ret) {
		ret = twin_addrs(d, t, &bad);
		if (ret) {
			step = "address";
			tap_unpersist(&t->tap);	/* gone with the descriptor */
			tap_close(&t->tap);
		}
	}
	if (ret) {
		if (ret != t->fail_errno)
			logmsg(LOG_ERR, "twin %s of %s: cannot make it again "
			       "(%s%s%s: %s); trying each second", t->name,
			       iface_of(d, t), step, *bad ? " " : "", bad,
			       strerror(-ret));
		t->fail_errno = ret;
		t->retry_ns = now + TWIN_RETRY_NS;
		return;
	}
	t->state = TWIN_UP;
	t->renamed = false;
	d->tw.remade++;
	log_made(d, t, "made again");
	if (t->route)
		route_add(d, t);
	recover_note_twins(d);	/* its new index */
}

/* A twin that is there: follow what someone did to it */
static void twin_follow(struct masqd *d, struct twin *t, uint64_t now)
{
	enum tap_link l = tap_link_state(&t->tap);

	t->tap.err = 0;
	if (l == TAP_LINK_GONE) {
		twin_lost(d, t, now);
		return;
	}
	if (l == TAP_LINK_UNKNOWN)
		return;
	if (!t->renamed && strcmp(t->tap.name, t->name)) {
		logmsg(LOG_WARNING, "twin %s of %s was renamed %s: masqd goes "
		       "on using it", t->name, iface_of(d, t), t->tap.name);
		t->renamed = true;
	}
	if (l == TAP_LINK_DOWN && t->state == TWIN_UP) {
		logmsg(LOG_WARNING, "twin %s of %s was set down: the host's "
		       "frames through it are dropped until it is up (ip link "
		       "set %s up)", t->tap.name, iface_of(d, t), t->tap.name);
		t->state = TWIN_DOWN;
		d->tw.downs++;
	} else if (l == TAP_LINK_UP && t->state == TWIN_DOWN) {
		logmsg(LOG_INFO, "twin %s of %s is up again", t->tap.name,
		       iface_of(d, t));
		t->state = TWIN_UP;
		if (t->route)	/* the kernel removed it with the link */
			route_add(d, t);
	}
}

/**
 * twin_check() - Keep the twins alive; call once per loop iteration
 * @d:		daemon
 * @now:	CLOCK_MONOTONIC, ns
 *
 * Every call: a twin found gone is made again (at most once a second
 * after a failure), and the engine is told what changed (unless a job
 * runs). Once a second: each twin's state (two system calls per twin).
 */
void twin_check(struct masqd *d, uint64_t now)
{
	struct twins *tw = &d->tw;
	bool round = now >= tw->next_check_ns;

	if (!tw->n)
		return;
	if (round)
		tw->next_check_ns = now + TWIN_CHECK_NS;
	for (int i = 0; i < tw->n; i++) {
		struct twin *t = &tw->t[i];

		if (t->state != TWIN_GONE && (round || t->tap.err))
			twin_follow(d, t, now);
		if (t->state == TWIN_GONE && now >= t->retry_ns)
			twin_remake(d, t, now);
	}
	engine_sync(d);
}

/**
 * twin_check_soon() - Look at every twin's state at the next twin_check()
 * (hostwatch.c saw a twin's link change)
 * @d:		daemon
 */
void twin_check_soon(struct masqd *d)
{
	d->tw.next_check_ns = 0;
}

/**
 * twin_reloaded() - After a reload: tell the engine the twins' state
 * again (a reset of its settings may have forgotten it)
 * @d:		daemon
 */
void twin_reloaded(struct masqd *d)
{
	d->tw.resync = true;
	engine_sync(d);
}

static void stat_line(struct masq_text *out, const char *name, uint64_t v)
{
	masq_text_printf(out, "%-28s %llu\n", name, (unsigned long long)v);
}

/**
 * twin_stats() - The twins' counters, for "stats"
 * @d:		daemon
 * @out:	"masqd_twin_NAME VALUE" lines are appended
 */
void twin_stats(struct masqd *d, struct masq_text *out)
{
	const struct tap_stats *s = &d->tw.st;
	uint64_t up = 0;

	for (int i = 0; i < d->tw.n; i++)
		up += d->tw.t[i].state == TWIN_UP;
	stat_line(out, "masqd_twins", (uint64_t)d->tw.n);
	stat_line(out, "masqd_twins_up", up);
	stat_line(out, "masqd_twin_rx", s->rx_frames);
	stat_line(out, "masqd_twin_rx_bytes", s->rx_bytes);
	stat_line(out, "masqd_twin_rx_dropped", s->rx_dropped);
	stat_line(out, "masqd_twin_rx_no_buf", s->rx_no_buf);
	stat_line(out, "masqd_twin_tx", s->tx_frames);
	stat_line(out, "masqd_twin_tx_bytes", s->tx_bytes);
	stat_line(out, "masqd_twin_tx_dropped", s->tx_dropped);
	stat_line(out, "masqd_twin_lost", d->tw.lost);
	stat_line(out, "masqd_twin_remade", d->tw.remade);
	stat_line(out, "masqd_twin_down", d->tw.downs);
	if (s->tx_dropped && s->tx_last_errno)
		masq_text_printf(out, "masqd_twin_tx_last_error %s\n",
				 strerror(s->tx_last_errno));
}
