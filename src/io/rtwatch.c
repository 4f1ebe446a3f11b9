// SPDX-License-Identifier: MIT
/*
 * rtwatch.c - the host's links, IPv4 addresses and routes, from netlink
 *
 * Theory of operation (see rtwatch.h for the why)
 *
 * Parse: rtw_parse() walks a received buffer message by message
 * (nlmsg.h) and makes at most one event of each: RTM_{NEW,DEL}LINK of
 * family AF_UNSPEC (AF_BRIDGE ones describe bridge ports, not links),
 * RTM_{NEW,DEL}ADDR of AF_INET, RTM_{NEW,DEL}ROUTE of AF_INET in the main
 * table (RTA_TABLE, when present, wins over rtm_table, which holds only 8
 * bits) with type RTN_UNICAST and not a cached clone, NLMSG_DONE and
 * NLMSG_ERROR. A message shorter than its fixed header, an attribute
 * reaching past its message, or a known attribute of the wrong size
 * (IFLA_MTU, IFA_LOCAL, RTA_DST, ...) is an error for the whole buffer:
 * the kernel never sends one, so whatever did is not to be believed, and
 * the caller reads the state afresh. A value out of range (a prefix
 * longer than 32, an interface index of 0) skips the message alone.
 *
 * Receive: rtw_recv() takes one datagram (one skb: a notification, or a
 * dump's chunk of up to 32 KiB, whose size the kernel takes from our
 * buffer), from the kernel only, parses it, and moves the dump along: a
 * DONE with the running request's sequence number sends the next dump
 * request (links -> addresses -> routes), and the routes' DONE becomes
 * RTW_SYNC_END. Work per call: one recvmsg() and one pass over at most
 * RTW_BUF_SIZE bytes; the caller decides how many calls an iteration may
 * make.
 *
 * Memory: the buffer and the event array are allocated at rtw_open();
 * nothing after.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "io/nlmsg.h"
#include "io/rtwatch.h"

const char *const rtw_kind_names[RTW_KIND_NUM] = {
	[RTW_LINK] = "link",		[RTW_ADDR] = "addr",
	[RTW_ROUTE] = "route",		[RTW_DONE] = "done",
	[RTW_ERROR] = "error",		[RTW_SYNC_BEGIN] = "sync-begin",
	[RTW_SYNC_END] = "sync-end",
};
_Static_assert(sizeof(rtw_kind_names) / sizeof(rtw_kind_names[0]) ==
	       RTW_KIND_NUM, "a name for every event kind");

/* The largest attribute type each message kind reads, plus one */
#define LINK_ATTRS	(IFLA_MTU + 1)
#define ADDR_ATTRS	(IFA_LOCAL + 1)
#define ROUTE_ATTRS	(RTA_VIA + 1)
_Static_assert(IFLA_ADDRESS < LINK_ATTRS && IFLA_IFNAME < LINK_ATTRS &&
	       IFA_ADDRESS < ADDR_ATTRS && RTA_DST < ROUTE_ATTRS &&
	       RTA_GATEWAY < ROUTE_ATTRS && RTA_OIF < ROUTE_ATTRS &&
	       RTA_PRIORITY < ROUTE_ATTRS && RTA_MULTIPATH < ROUTE_ATTRS &&
	       RTA_TABLE < ROUTE_ATTRS, "attribute tables hold what is read");

/*
 * An optional 4-byte attribute; Return: 1 read, 0 absent (@v untouched),
 * -EBADMSG when present with another size
 */
static int opt_u32(const struct nlm_attr *a, uint32_t *v)
{
	if (!a->data)
		return 0;
	return nlm_attr_u32(a, v) ? 1 : -EBADMSG;
}

/* The attributes after a fixed header of @fixed bytes; -EBADMSG if cut */
static int attrs_after(const struct nlm_msg *m, size_t fixed,
		       struct nlm_attr *tb, unsigned int max)
{
	size_t off = NLMSG_ALIGN(fixed);

	if (m->len < fixed)
		return -EBADMSG;
	if (off > m->len)
		off = m->len;
	return nlm_attr_table(m->body + off, m->len - off, tb, max);
}

/* ---- links ------------------------------------------------------------- */

static int link_attrs(const struct nlm_attr *tb, struct rtw_link *l)
{
	if (tb[IFLA_IFNAME].data &&
	    !nlm_attr_str(&tb[IFLA_IFNAME], l->name, sizeof(l->name)))
		return -EBADMSG;
	if (opt_u32(&tb[IFLA_MTU], &l->mtu) < 0)
		return -EBADMSG;
	if (tb[IFLA_ADDRESS].data && tb[IFLA_ADDRESS].len == 6) {
		memcpy(l->mac, tb[IFLA_ADDRESS].data, 6);
		l->has_mac = true;
	}
	return 0;
}

/* Return: 1 an event, 0 skipped, -EBADMSG */
static int parse_link(const struct nlm_msg *m, struct rtw_event *ev)
{
	struct nlm_attr tb[LINK_ATTRS];
	struct ifinfomsg ifi;
	int rc = attrs_after(m, sizeof(ifi), tb, LINK_ATTRS);

	if (rc)
		return rc;
	memcpy(&ifi, m->body, sizeof(ifi));
	ev->kind = RTW_LINK;
	ev->link.ifindex = ifi.ifi_index;
	ev->link.up = ifi.ifi_flags & IFF_UP;
	ev->link.running = ifi.ifi_flags & IFF_RUNNING;
	rc = link_attrs(tb, &ev->link);
	if (rc)
		return rc;
	return ifi.ifi_family == AF_UNSPEC && ifi.ifi_index > 0;
}

/* ---- addresses --------------------------------------------------------- */

static int parse_addr(const struct nlm_msg *m, struct rtw_event *ev)
{
	struct nlm_attr tb[ADDR_ATTRS];
	struct ifaddrmsg ifa;
	uint32_t addr = 0;
	int rc = attrs_after(m, sizeof(ifa), tb, ADDR_ATTRS);
	int have;

	if (rc)
		return rc;
	memcpy(&ifa, m->body, sizeof(ifa));
	if (ifa.ifa_family != AF_INET)
		return 0;
	have = opt_u32(&tb[IFA_ADDRESS], &addr);
	rc = opt_u32(&tb[IFA_LOCAL], &addr);	/* the local end wins */
	if (have < 0 || rc < 0)
		return -EBADMSG;
	if (!have && !rc)
		return 0;
	ev->kind = RTW_ADDR;
	ev->addr.ifindex = (int32_t)ifa.ifa_index;
	ev->addr.addr = addr;
	ev->addr.plen = ifa.ifa_prefixlen;
	return ifa.ifa_prefixlen <= 32 && ev->addr.ifindex > 0;
}

/* ---- routes ------------------------------------------------------------ */

/* The first next hop of RTA_MULTIPATH: its interface and gateway */
static int first_hop(const struct nlm_attr *mp, struct rtw_route *r)
{
	struct nlm_attr tb[ROUTE_ATTRS];
	struct rtnexthop nh;

	if (mp->len < sizeof(nh))
		return -EBADMSG;
	memcpy(&nh, mp->data, sizeof(nh));
	if (nh.rtnh_len < sizeof(nh) || nh.rtnh_len > mp->len)
		return -EBADMSG;
	if (nlm_attr_table(mp->data + sizeof(nh), nh.rtnh_len - sizeof(nh),
			   tb, ROUTE_ATTRS))
		return -EBADMSG;
	if (tb[RTA_VIA].data)
		return 0;
	r->oif = nh.rtnh_ifindex;
	return opt_u32(&tb[RTA_GATEWAY], &r->gw) < 0 ? -EBADMSG : 1;
}

/* Return: 1 usable, 0 skip (not main, not IPv4 next hop), -EBADMSG */
static int route_attrs(const struct nlm_attr *tb, const struct rtmsg *rtm,
		       struct rtw_route *r)
{
	uint32_t table = rtm->rtm_table, oif = 0;

	if (opt_u32(&tb[RTA_TABLE], &table) < 0 ||
	    opt_u32(&tb[RTA_DST], &r->dst) < 0 ||
	    opt_u32(&tb[RTA_GATEWAY], &r->gw) < 0 ||
	    opt_u32(&tb[RTA_OIF], &oif) < 0 ||
	    opt_u32(&tb[RTA_PRIORITY], &r->metric) < 0)
		return -EBADMSG;
	r->oif = (int32_t)oif;
	if (table != RT_TABLE_MAIN || tb[RTA_VIA].data)
		return 0;
	if (rtm->rtm_dst_len && !tb[RTA_DST].data)
		return 0;
	if (tb[RTA_MULTIPATH].data && !oif)
		return first_hop(&tb[RTA_MULTIPATH], r);
	return 1;
}

static int parse_route(const struct nlm_msg *m, struct rtw_event *ev)
{
	struct nlm_attr tb[ROUTE_ATTRS];
	struct rtmsg rtm;
	int rc = attrs_after(m, sizeof(rtm), tb, ROUTE_ATTRS);

	if (rc)
		return rc;
	memcpy(&rtm, m->body, sizeof(rtm));
	if (rtm.rtm_family != AF_INET || rtm.rtm_type != RTN_UNICAST ||
	    (rtm.rtm_flags & RTM_F_CLONED) || rtm.rtm_dst_len > 32)
		return 0;
	ev->kind = RTW_ROUTE;
	ev->route.plen = rtm.rtm_dst_len;
	ev->route.protocol = rtm.rtm_protocol;
	return route_attrs(tb, &rtm, &ev->route);
}

/* ---- the end of a dump, errors ----------------------------------------- */

static int parse_done(const struct nlm_msg *m, struct rtw_event *ev)
{
	ev->kind = RTW_DONE;
	ev->intr = m->hdr.nlmsg_flags & NLM_F_DUMP_INTR;
	if (m->len >= sizeof(ev->error))	/* older kernels: no payload */
		memcpy(&ev->error, m->body, sizeof(ev->error));
	return 1;
}

static int parse_error(const struct nlm_msg *m, struct rtw_event *ev)
{
	if (m->len < sizeof(ev->error))
		return -EBADMSG;
	ev->kind = RTW_ERROR;
	memcpy(&ev->error, m->body, sizeof(ev->error));
	return 1;
}

/* One message; Return: 1 an event in @ev, 0 none, -EBADMSG */
static int parse_one(const struct nlm_msg *m, struct rtw_event *ev)
{
	uint16_t t = m->hdr.nlmsg_type;

	memset(ev, 0, sizeof(*ev));
	ev->seq = m->hdr.nlmsg_seq;
	ev->deleted = t == RTM_DELLINK || t == RTM_DELADDR || t == RTM_DELROUTE;
	switch (t) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		return parse_link(m, ev);
	case RTM_NEWADDR:
	case RTM_DELADDR:
		return parse_addr(m, ev);
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		return parse_route(m, ev);
	case NLMSG_DONE:
		return parse_done(m, ev);
	case NLMSG_ERROR:
		return parse_error(m, ev);
	default:
		return 0;
	}
}

/**
 * rtw_parse() - Turn a buffer of rtnetlink messages into events
 * @buf:	what one recv() gave (any alignment)
 * @len:	its length
 * @ev:		room for @max events
 * @max:	RTW_MAX_EVENTS (len / NLMSG_HDRLEN) is always enough
 *
 * Pure: reads @buf, writes @ev, nothing else. Linear in @len.
 *
 * Return: the number of events, or -EBADMSG (a message cut short, a bad
 * length, a known attribute of the wrong size) or -ENOSPC (more than
 * @max events); on an error the events made so far are not to be used
 */
int rtw_parse(const void *buf, size_t len, struct rtw_event *ev, size_t max)
{
	struct nlm_iter it;
	struct nlm_msg m;
	size_t n = 0;
	int rc;

	nlm_iter_init(&it, buf, len);
	while ((rc = nlm_next(&it, &m)) > 0) {
		struct rtw_event e;

		rc = parse_one(&m, &e);
		if (rc < 0)
			return rc;
		if (!rc)
			continue;
		if (n == max)
			return -ENOSPC;
		ev[n++] = e;
	}
	return rc < 0 ? rc : (int)n;
}

/* ---- the socket ---------------------------------------------------------- */

/* Big enough for a burst of notifications; past rmem_max when we may */
static void set_rcvbuf(int fd)
{
	int v = (int)RTW_RCVBUF;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
}

static int open_socket(struct rtwatch *w)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR |
			     RTMGRP_IPV4_ROUTE,
	};

	w->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       NETLINK_ROUTE);
	if (w->fd < 0)
		return -errno;
	set_rcvbuf(w->fd);
	if (bind(w->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int ret = -errno;

		close(w->fd);
		w->fd = -1;
		return ret;
	}
	return 0;
}

/**
 * rtw_open() - Open the socket, subscribed, and allocate its buffers
 * @w:		watch to set up
 *
 * No dump is started: rtw_dump() does that.
 *
 * Return: 0, or -errno (nothing is left open)
 */
int rtw_open(struct rtwatch *w)
{
	int ret;

	memset(w, 0, sizeof(*w));
	w->fd = -1;
	w->buf = malloc(RTW_BUF_SIZE);
	w->ev = calloc(RTW_MAX_EVENTS + 1, sizeof(*w->ev));
	ret = w->buf && w->ev ? open_socket(w) : -ENOMEM;
	if (ret)
		rtw_close(w);
	return ret;
}

/**
 * rtw_close() - Close the socket and free the buffers
 * @w:		watch (opened or zeroed)
 */
void rtw_close(struct rtwatch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	free(w->buf);
	free(w->ev);
	w->fd = -1;
	w->buf = NULL;
	w->ev = NULL;
}

/* Ask for one dump: links (AF_UNSPEC), addresses or routes (AF_INET) */
static int send_dump(struct rtwatch *w, enum rtw_phase phase)
{
	static const uint16_t type[RTW_PHASE_NUM] = {
		[RTW_DUMP_LINKS] = RTM_GETLINK,
		[RTW_DUMP_ADDRS] = RTM_GETADDR,
		[RTW_DUMP_ROUTES] = RTM_GETROUTE,
	};
	struct {
		struct nlmsghdr nh;
		union {
			struct ifinfomsg ifi;
			struct ifaddrmsg ifa;
			struct rtmsg rtm;
		};
	} req;
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = type[phase];
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = ++w->seq;
	if (phase == RTW_DUMP_ADDRS)
		req.ifa.ifa_family = AF_INET;
	else if (phase == RTW_DUMP_ROUTES)
		req.rtm.rtm_family = AF_INET;
	if (sendto(w->fd, &req, sizeof(req), 0, (struct sockaddr *)&k,
		   sizeof(k)) < 0)
		return -errno;
	w->phase = phase;
	return 0;
}

/**
 * rtw_dump() - Read the whole state again: links, addresses, routes
 * @w:		watch
 * @now_ms:	a monotonic clock, milliseconds
 *
 * If a dump runs, another follows once it ends. The next rtw_recv()
 * starts its events with RTW_SYNC_BEGIN; the routes' end is RTW_SYNC_END.
 *
 * Return: 0, or -errno when the request could not be sent (it is tried
 * again RTW_RETRY_MS later, from rtw_recv())
 */
int rtw_dump(struct rtwatch *w, uint64_t now_ms)
{
	int ret;

	if (w->phase != RTW_IDLE) {
		w->redump = true;
		return 0;
	}
	w->redump = false;
	ret = send_dump(w, RTW_DUMP_LINKS);
	if (ret) {
		w->redump = true;
		w->retry_ms = now_ms + RTW_RETRY_MS;
		return ret;
	}
	w->begin = true;
	w->dump_ms = now_ms;
	w->st.dumps++;
	return 0;
}

/* Read the state again once no dump runs and @at_ms has come (tick()) */
static void want_dump(struct rtwatch *w, uint64_t at_ms)
{
	w->redump = true;
	if (at_ms > w->retry_ms)
		w->retry_ms = at_ms;
}

/* The kernel refused our dump request: ask again a little later */
static void dump_refused(struct rtwatch *w, uint64_t now_ms)
{
	w->st.refused++;
	w->phase = RTW_IDLE;
	want_dump(w, now_ms + RTW_RETRY_MS);
}

/* A DONE of the running dump: the next phase, or the end (SYNC_END) */
static void dump_done(struct rtwatch *w, struct rtw_event *ev, uint64_t now_ms)
{
	if (ev->error)		/* the dump failed part way: later */
		want_dump(w, now_ms + RTW_RETRY_MS);
	else if (ev->intr)	/* the tables changed under it: again */
		want_dump(w, now_ms);
	if (w->phase != RTW_DUMP_ROUTES) {
		if (send_dump(w, w->phase + 1))
			dump_refused(w, now_ms);
		return;
	}
	w->phase = RTW_IDLE;
	ev->kind = RTW_SYNC_END;
}

/*
 * Move the dump along on its own replies (other sequence numbers are
 * notifications, or replies to a dump given up)
 */
static void follow_dump(struct rtwatch *w, struct rtw_event *ev, int n,
			uint64_t now_ms)
{
	for (int i = 0; i < n; i++) {
		if (w->phase == RTW_IDLE || ev[i].seq != w->seq)
			continue;
		if (ev[i].kind == RTW_DONE)
			dump_done(w, &ev[i], now_ms);
		else if (ev[i].kind == RTW_ERROR && ev[i].error)
			dump_refused(w, now_ms);
	}
}

/* A dump that never ended: a new socket (re-subscribed) and a new dump */
static void dump_timeout(struct rtwatch *w, uint64_t now_ms)
{
	w->st.timeouts++;
	close(w->fd);
	w->fd = -1;
	w->phase = RTW_IDLE;
	want_dump(w, now_ms);
}

/* Retries, the dump that never ended, a dump wanted */
static void tick(struct rtwatch *w, uint64_t now_ms)
{
	if (w->phase != RTW_IDLE && now_ms - w->dump_ms >= RTW_DUMP_TIMEOUT_MS)
		dump_timeout(w, now_ms);
	if (w->phase != RTW_IDLE || !w->redump || now_ms < w->retry_ms)
		return;
	if (w->fd < 0 && open_socket(w)) {
		w->retry_ms = now_ms + RTW_RETRY_MS;
		return;
	}
	rtw_dump(w, now_ms);
}

/*
 * One datagram into @w->buf; Return: its length (0 for one not from the
 * kernel, ignored), or -errno (-ENOBUFS for one cut short: MSG_TRUNC)
 */
static ssize_t recv_one(struct rtwatch *w)
{
	struct sockaddr_nl from;
	struct iovec iov = { w->buf, RTW_BUF_SIZE };
	struct msghdr mh = {
		.msg_name = &from, .msg_namelen = sizeof(from),
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	ssize_t n = recvmsg(w->fd, &mh, MSG_DONTWAIT);

	if (n < 0)
		return -errno;
	if (mh.msg_flags & MSG_TRUNC)
		return -ENOBUFS;
	if (mh.msg_namelen < sizeof(from) || from.nl_pid != 0) {
		w->st.foreign++;
		return 0;
	}
	return n;
}

/**
 * rtw_busy() - Must rtw_recv() be called even if the socket is not readable?
 * @w:		watch
 *
 * Return: true while a dump is wanted, starting or running (its retries
 * and timeout are rtw_recv()'s), false when only a readable socket has
 * anything to give
 */
bool rtw_busy(const struct rtwatch *w)
{
	return w->begin || w->redump || w->phase != RTW_IDLE;
}

/**
 * rtw_recv() - Receive one datagram and make its events
 * @w:		watch
 * @now_ms:	a monotonic clock, milliseconds (retries, the dump timeout)
 * @ev:		the events, valid until the next call
 *
 * A full dump that starts shows as RTW_SYNC_BEGIN before its first
 * event; its end as RTW_SYNC_END. Lost notifications and refused buffers
 * start a dump (rtwatch.h) and are counted in @w->st.
 *
 * Return: the number of events (0: a datagram with none, or one ignored;
 * call again), -EAGAIN when nothing waits, or another -errno from
 * recvmsg() (-ENOBUFS: notifications were lost; a dump is on its way)
 */
int rtw_recv(struct rtwatch *w, uint64_t now_ms, const struct rtw_event **ev)
{
	struct rtw_event *out = w->ev;
	ssize_t len;
	int n;

	*ev = w->ev;
	tick(w, now_ms);
	if (w->begin) {
		w->begin = false;
		memset(out, 0, sizeof(*out));
		out->kind = RTW_SYNC_BEGIN;
		return 1;
	}
	if (w->fd < 0)
		return -EAGAIN;
	len = recv_one(w);
	if (len == -ENOBUFS) {
		w->st.overruns++;
		want_dump(w, now_ms);
	}
	if (len < 0)
		return (int)len;
	n = rtw_parse(w->buf, (size_t)len, out, RTW_MAX_EVENTS);
	if (n < 0) {
		w->st.bad++;
		want_dump(w, now_ms);
		return 0;
	}
	follow_dump(w, out, n, now_ms);
	return n;
}
