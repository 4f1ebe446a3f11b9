// SPDX-License-Identifier: MIT
/*
 * test_rtwatch.c - the rtnetlink parser and watch (src/io/rtwatch.c and
 * src/io/nlmsg.c, compiled in here), on messages written by hand
 * (tests/lib/nlbuild.h) and, as root, on a live kernel in a network
 * namespace of its own
 *
 * 1. link_events: RTM_NEWLINK gives index, name, up, running, MAC, MTU;
 *    RTM_DELLINK says deleted; an AF_BRIDGE port message is skipped.
 * 2. addr_events: RTM_NEWADDR/DELADDR of AF_INET; IFA_LOCAL wins over
 *    IFA_ADDRESS (a point-to-point peer); AF_INET6, a /33 and an address
 *    without either attribute are skipped.
 * 3. route_events: a default route via a gateway, a connected route, a
 *    route whose RTA_TABLE says main while rtm_table says otherwise; the
 *    local table, a local-type route, a cached clone, an IPv6 gateway
 *    (RTA_VIA) skipped; a multipath route gives its first hop.
 * 4. multipart_done_error: a dump (NLM_F_MULTI) of three addresses ends
 *    with NLMSG_DONE (with its error payload, without it, and with
 *    NLM_F_DUMP_INTR); NLMSG_ERROR gives its errno and sequence number;
 *    NLMSG_NOOP and an unknown type are skipped.
 * 5. truncated_anywhere: a buffer of every kind of message cut at every
 *    length, each copy in a buffer of exactly that size (so ASan sees a
 *    read past it): whole messages parse, anything else is -EBADMSG.
 * 6. bad_lengths: nlmsg_len below the header or past the buffer, a body
 *    shorter than the fixed header, an attribute shorter than its header
 *    or longer than its message, IFA_LOCAL of 3 bytes, IFLA_MTU of 2,
 *    IFLA_IFNAME without a NUL or too long, NLMSG_ERROR without its errno,
 *    a bad multipath next hop: -EBADMSG each; more events than room is
 *    -ENOSPC.
 * 7. live_namespace (root): in a new network namespace, the dump shows
 *    lo between SYNC_BEGIN and SYNC_END; a TAP device made, brought up,
 *    given an address and a default route shows as link, address,
 *    connected route and default route events; the address deleted shows
 *    as an address deletion. SKIP without root, unshare or a TAP.
 *
 * Prints "ok rtwatch/NAME", "FAIL rtwatch/NAME: why" or "SKIP ...".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "io/nlmsg.c"
#include "io/rtwatch.c"

#include "../lib/nlbuild.h"
#include "../lib/report.h"

#define EVMAX	64

static const uint8_t mac1[6] = { 0x02, 0x6d, 0x71, 0x00, 0x01, 0x02 };
static uint8_t buf[8192] __attribute__((aligned(4)));
static struct rtw_event ev[EVMAX];

static uint32_t ip(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

static int parse(size_t len, int want)
{
	int n = rtw_parse(buf, len, ev, EVMAX);

	if (n != want)
		return report_failf("rtw_parse gave %d, expected %d", n, want);
	return 0;
}

/* ---- 1 ------------------------------------------------------------------ */

static int link_events(void)
{
	struct nlb b;

	nlb_init(&b, buf, sizeof(buf));
	nlb_link(&b, RTM_NEWLINK, 7, "wan0-h", IFF_UP | IFF_RUNNING, mac1, 1500);
	nlb_link(&b, RTM_DELLINK, 7, "wan0-h", 0, NULL, 0);
	nlb_link(&b, RTM_NEWLINK, 8, "lan0-h", IFF_UP, NULL, 0);
	nlb_link(&b, RTM_NEWLINK, 9, "br0", IFF_UP, NULL, 1500);
	b.buf[b.msg + NLMSG_HDRLEN] = AF_BRIDGE;	/* a bridge port's */
	if (parse(nlb_end(&b), 3))
		return -1;
	if (ev[0].kind != RTW_LINK || ev[0].deleted || ev[0].link.ifindex != 7 ||
	    strcmp(ev[0].link.name, "wan0-h") || !ev[0].link.up ||
	    !ev[0].link.running || !ev[0].link.has_mac ||
	    memcmp(ev[0].link.mac, mac1, 6) || ev[0].link.mtu != 1500)
		return report_failf("RTM_NEWLINK read wrong (%s %d '%s')",
				    rtw_kind_names[ev[0].kind],
				    ev[0].link.ifindex, ev[0].link.name);
	if (ev[1].kind != RTW_LINK || !ev[1].deleted || ev[1].link.ifindex != 7)
		return report_failf("RTM_DELLINK is not a deletion of 7");
	if (ev[2].link.running || !ev[2].link.up || ev[2].link.has_mac ||
	    ev[2].link.mtu)
		return report_failf("a link up, not running, no MAC read wrong");
	return 0;
}

/* ---- 2 ------------------------------------------------------------------ */

static int addr_events(void)
{
	struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = 32,
				 .ifa_index = 4 };
	struct nlb b;

	nlb_init(&b, buf, sizeof(buf));
	nlb_addr(&b, RTM_NEWADDR, 3, ip("203.0.113.7"), 24);
	nlb_addr(&b, RTM_DELADDR, 3, ip("203.0.113.7"), 24);
	nlb_msg(&b, RTM_NEWADDR, 0, 0);		/* point-to-point */
	nlb_put(&b, &ifa, sizeof(ifa));
	nlb_attr_u32(&b, IFA_ADDRESS, ip("10.0.0.2"));
	nlb_attr_u32(&b, IFA_LOCAL, ip("10.0.0.1"));
	nlb_addr(&b, RTM_NEWADDR, 3, ip("1.2.3.4"), 33);	/* nonsense */
	nlb_msg(&b, RTM_NEWADDR, 0, 0);		/* no address at all */
	nlb_put(&b, &ifa, sizeof(ifa));
	ifa.ifa_family = AF_INET6;
	nlb_msg(&b, RTM_NEWADDR, 0, 0);
	nlb_put(&b, &ifa, sizeof(ifa));
	nlb_attr(&b, IFA_ADDRESS, "0123456789abcdef", 16);
	if (parse(nlb_end(&b), 3))
		return -1;
	if (ev[0].kind != RTW_ADDR || ev[0].deleted || ev[0].addr.ifindex != 3 ||
	    ev[0].addr.addr != ip("203.0.113.7") || ev[0].addr.plen != 24)
		return report_failf("RTM_NEWADDR read wrong");
	if (ev[1].kind != RTW_ADDR || !ev[1].deleted)
		return report_failf("RTM_DELADDR is not a deletion");
	if (ev[2].addr.addr != ip("10.0.0.1") || ev[2].addr.plen != 32)
		return report_failf("IFA_LOCAL must win over IFA_ADDRESS");
	return 0;
}

/* ---- 3 ------------------------------------------------------------------ */

/* A route of table main, gateway 10.1.1.1, as two next hops */
static void multipath(struct nlb *b)
{
	struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_table = RT_TABLE_MAIN,
			     .rtm_type = RTN_UNICAST, .rtm_protocol = RTPROT_BOOT };
	uint8_t mp[2 * (8 + 8)] = { 0 };
	struct rtnexthop nh = { .rtnh_len = 16, .rtnh_ifindex = 5 };
	struct rtattr gw = { .rta_len = 8, .rta_type = RTA_GATEWAY };
	uint32_t g1 = ip("10.1.1.1"), g2 = ip("10.2.2.2");

	memcpy(mp, &nh, 8);
	memcpy(mp + 8, &gw, 4);
	memcpy(mp + 12, &g1, 4);
	nh.rtnh_ifindex = 6;
	memcpy(mp + 16, &nh, 8);
	memcpy(mp + 24, &gw, 4);
	memcpy(mp + 28, &g2, 4);
	nlb_msg(b, RTM_NEWROUTE, 0, 0);
	nlb_put(b, &rtm, sizeof(rtm));
	nlb_attr(b, RTA_MULTIPATH, mp, sizeof(mp));
}

static void odd_routes(struct nlb *b)
{
	uint8_t via[6] = { AF_INET6 & 0xff, 0 };
	uint32_t cloned = RTM_F_CLONED;

	nlb_route(b, RTM_NEWROUTE, ip("203.0.113.7"), 32, 0, 3, RT_TABLE_LOCAL,
		  RTPROT_KERNEL);
	nlb_route(b, RTM_NEWROUTE, ip("192.0.2.0"), 24, 0, 3, RT_TABLE_MAIN,
		  RTPROT_BOOT);
	b->buf[b->msg + NLMSG_HDRLEN + 7] = RTN_LOCAL;		/* rtm_type */
	nlb_route(b, RTM_NEWROUTE, ip("192.0.2.9"), 32, ip("10.0.0.1"), 3,
		  RT_TABLE_MAIN, RTPROT_BOOT);
	memcpy(b->buf + b->msg + NLMSG_HDRLEN + 8, &cloned, 4);	/* rtm_flags */
	nlb_route(b, RTM_NEWROUTE, 0, 0, 0, 3, RT_TABLE_MAIN, RTPROT_BOOT);
	nlb_attr(b, RTA_VIA, via, sizeof(via));
}

static int route_events(void)
{
	struct nlb b;

	nlb_init(&b, buf, sizeof(buf));
	nlb_route(&b, RTM_NEWROUTE, 0, 0, ip("203.0.113.1"), 3, RT_TABLE_MAIN,
		  RTPROT_DHCP);
	nlb_route(&b, RTM_DELROUTE, ip("203.0.113.0"), 24, 0, 3, RT_TABLE_MAIN,
		  RTPROT_KERNEL);
	nlb_route(&b, RTM_NEWROUTE, ip("198.51.100.0"), 24, ip("203.0.113.9"),
		  3, RT_TABLE_COMPAT, RTPROT_BOOT);
	memcpy(b.buf + b.msg + NLMSG_HDRLEN + sizeof(struct rtmsg) + 4,
	       &(uint32_t){ RT_TABLE_MAIN }, 4);	/* RTA_TABLE says main */
	odd_routes(&b);
	multipath(&b);
	if (parse(nlb_end(&b), 4))
		return -1;
	if (ev[0].kind != RTW_ROUTE || ev[0].deleted || ev[0].route.plen ||
	    ev[0].route.gw != ip("203.0.113.1") || ev[0].route.oif != 3 ||
	    ev[0].route.protocol != RTPROT_DHCP)
		return report_failf("default route read wrong");
	if (!ev[1].deleted || ev[1].route.dst != ip("203.0.113.0") ||
	    ev[1].route.plen != 24 || ev[1].route.gw)
		return report_failf("connected route deletion read wrong");
	if (ev[2].route.dst != ip("198.51.100.0") ||
	    ev[2].route.gw != ip("203.0.113.9"))
		return report_failf("RTA_TABLE main must win over rtm_table");
	if (ev[3].route.gw != ip("10.1.1.1") || ev[3].route.oif != 5)
		return report_failf("multipath: not the first hop (oif %d)",
				    ev[3].route.oif);
	return 0;
}

/* ---- 4 ------------------------------------------------------------------ */

static int multipart_done_error(void)
{
	struct nlb b;

	nlb_init(&b, buf, sizeof(buf));
	for (int i = 0; i < 3; i++) {
		nlb_addr(&b, RTM_NEWADDR, 2 + i, ip("10.0.0.1") + (uint32_t)i, 8);
		b.buf[b.msg + 6] = NLM_F_MULTI;
		b.buf[b.msg + 8] = 42;			/* nlmsg_seq */
	}
	nlb_done(&b, 42, 0, 0);
	nlb_msg(&b, NLMSG_DONE, NLM_F_MULTI, 43);	/* no payload */
	nlb_done(&b, 44, NLM_F_DUMP_INTR, -EINTR);
	nlb_error(&b, 45, -EBUSY);
	nlb_msg(&b, NLMSG_NOOP, 0, 0);
	nlb_msg(&b, 0x7777, 0, 0);
	nlb_put(&b, "junk", 4);
	if (parse(nlb_end(&b), 7))
		return -1;
	for (int i = 0; i < 3; i++)
		if (ev[i].kind != RTW_ADDR || ev[i].seq != 42 ||
		    ev[i].addr.ifindex != 2 + i)
			return report_failf("dump message %d read wrong", i);
	if (ev[3].kind != RTW_DONE || ev[3].seq != 42 || ev[3].error ||
	    ev[3].intr)
		return report_failf("NLMSG_DONE read wrong");
	if (ev[4].kind != RTW_DONE || ev[4].seq != 43 || ev[4].error)
		return report_failf("NLMSG_DONE without payload read wrong");
	if (!ev[5].intr || ev[5].error != -EINTR)
		return report_failf("NLMSG_DONE: NLM_F_DUMP_INTR or error lost");
	if (ev[6].kind != RTW_ERROR || ev[6].seq != 45 || ev[6].error != -EBUSY)
		return report_failf("NLMSG_ERROR read wrong");
	return 0;
}

/* ---- 5 ------------------------------------------------------------------ */

/* Every kind of message; @ends: the offsets where a message ends */
static size_t all_kinds(size_t *ends, int *n)
{
	struct nlb b;

	nlb_init(&b, buf, sizeof(buf));
	*n = 0;
	nlb_link(&b, RTM_NEWLINK, 7, "wan0-h", IFF_UP, mac1, 1500);
	ends[(*n)++] = b.len;
	nlb_addr(&b, RTM_NEWADDR, 7, ip("203.0.113.7"), 24);
	ends[(*n)++] = b.len;
	nlb_route(&b, RTM_NEWROUTE, 0, 0, ip("203.0.113.1"), 7, RT_TABLE_MAIN,
		  RTPROT_DHCP);
	ends[(*n)++] = b.len;
	multipath(&b);
	ends[(*n)++] = b.len;
	nlb_error(&b, 9, -ENOENT);
	ends[(*n)++] = b.len;
	nlb_done(&b, 9, 0, 0);
	return nlb_end(&b);
}

static int truncated_anywhere(void)
{
	size_t ends[8], total;
	int n;

	total = all_kinds(ends, &n);
	ends[n++] = total;
	for (size_t len = 0; len <= total; len++) {
		uint8_t *copy = malloc(len ? len : 1);
		int want = -EBADMSG, got;

		memcpy(copy, buf, len);
		for (int i = 0; i < n; i++)
			if (len == ends[i])
				want = i + 1;
		if (!len)
			want = 0;
		got = rtw_parse(copy, len, ev, EVMAX);
		free(copy);
		if (got != want)
			return report_failf("cut at %zu of %zu: %d, expected %d",
					    len, total, got, want);
	}
	return 0;
}

/* ---- 6 ------------------------------------------------------------------ */

static int expect_bad(const char *what, size_t len, int want)
{
	int n = rtw_parse(buf, len, ev, EVMAX);

	if (n != want)
		return report_failf("%s: %d, expected %d", what, n, want);
	return 0;
}

/* nlmsg_len of the message at @off */
static void set_len(size_t off, uint32_t len)
{
	memcpy(buf + off, &len, 4);
}

static int bad_headers(void)
{
	struct ifaddrmsg ifa = { .ifa_family = AF_INET };
	struct nlb b;
	size_t len;

	nlb_init(&b, buf, sizeof(buf));
	nlb_addr(&b, RTM_NEWADDR, 3, ip("10.0.0.1"), 8);
	len = nlb_end(&b);
	set_len(0, 15);
	if (expect_bad("nlmsg_len 15", len, -EBADMSG))
		return -1;
	set_len(0, (uint32_t)len + 4);
	if (expect_bad("nlmsg_len past the buffer", len, -EBADMSG))
		return -1;
	nlb_init(&b, buf, sizeof(buf));
	nlb_msg(&b, RTM_NEWADDR, 0, 0);
	nlb_put(&b, &ifa, 6);		/* 8 bytes with padding: ... */
	len = nlb_end(&b);
	set_len(0, NLMSG_HDRLEN + 6);	/* ... but it says 6 */
	if (expect_bad("ifaddrmsg cut short", len, -EBADMSG))
		return -1;
	nlb_init(&b, buf, sizeof(buf));
	nlb_msg(&b, NLMSG_ERROR, 0, 1);
	nlb_put(&b, "ab", 2);
	len = nlb_end(&b);
	set_len(0, NLMSG_HDRLEN + 2);
	return expect_bad("NLMSG_ERROR without its errno", len, -EBADMSG);
}

/* An address message whose attribute @type is rewritten; a link after it */
static size_t addr_with(uint16_t type, uint16_t alen, size_t dlen)
{
	struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = 8,
				 .ifa_index = 3 };
	struct rtattr a = { .rta_len = alen, .rta_type = type };
	struct nlb b;

	nlb_init(&b, buf, sizeof(buf));
	nlb_msg(&b, RTM_NEWADDR, 0, 0);
	nlb_put(&b, &ifa, sizeof(ifa));
	nlb_attr_u32(&b, IFA_LOCAL, ip("10.0.0.1"));
	nlb_put(&b, &a, sizeof(a));
	nlb_put(&b, "\x0a\x00\x00\x01\x02\x03\x04\x05", dlen);
	nlb_link(&b, RTM_NEWLINK, 3, "lan0-h", IFF_UP, mac1, 1500);
	return nlb_end(&b);
}

static int bad_attrs(void)
{
	struct nlb b;
	size_t len;

	if (expect_bad("attribute length 2", addr_with(99, 2, 4), -EBADMSG) ||
	    expect_bad("attribute past its message", addr_with(99, 12, 4),
		       -EBADMSG) ||
	    expect_bad("IFA_LOCAL of 3 bytes", addr_with(IFA_LOCAL, 7, 4),
		       -EBADMSG) ||
	    expect_bad("an unknown attribute", addr_with(99, 8, 4), 2))
		return -1;
	nlb_init(&b, buf, sizeof(buf));
	nlb_link(&b, RTM_NEWLINK, 3, "x", 0, NULL, 0);
	nlb_attr(&b, IFLA_MTU, "\x05\xdc", 2);
	if (expect_bad("IFLA_MTU of 2 bytes", nlb_end(&b), -EBADMSG))
		return -1;
	nlb_init(&b, buf, sizeof(buf));
	nlb_link(&b, RTM_NEWLINK, 3, NULL, 0, NULL, 0);
	nlb_attr(&b, IFLA_IFNAME, "eth0", 4);		/* no NUL */
	if (expect_bad("IFLA_IFNAME without NUL", nlb_end(&b), -EBADMSG))
		return -1;
	nlb_init(&b, buf, sizeof(buf));
	nlb_link(&b, RTM_NEWLINK, 3, "a-name-of-16-chr", 0, NULL, 0);
	if (expect_bad("IFLA_IFNAME of 16 characters", nlb_end(&b), -EBADMSG))
		return -1;
	nlb_init(&b, buf, sizeof(buf));
	multipath(&b);
	len = nlb_end(&b);
	buf[NLMSG_HDRLEN + sizeof(struct rtmsg) + 4] = 40;	/* rtnh_len */
	return expect_bad("multipath hop past its attribute", len, -EBADMSG);
}

static int bad_lengths(void)
{
	struct nlb b;

	if (bad_headers() || bad_attrs())
		return -1;
	nlb_init(&b, buf, sizeof(buf));
	for (int i = 0; i < 3; i++)
		nlb_addr(&b, RTM_NEWADDR, 3, ip("10.0.0.1"), 8);
	if (rtw_parse(buf, nlb_end(&b), ev, 2) != -ENOSPC)
		return report_failf("3 events in room for 2: not -ENOSPC");
	return 0;
}

/* ---- 7 ------------------------------------------------------------------ */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/**
 * struct seen - what the live case waits for
 * @lo:		the dump showed lo
 * @synced:	SYNC_BEGIN, then SYNC_END
 * @tap:	link event for the TAP, up
 * @tapidx:	its index
 * @addr:	10.9.8.7/24 added on it
 * @conn:	10.9.8.0/24, no gateway, on it
 * @dflt:	default via 10.9.8.1 on it
 * @gone:	10.9.8.7/24 deleted
 */
struct seen {
	bool lo, begun, synced, tap;
	int tapidx;
	bool addr, conn, dflt, gone;
};

static void note(struct seen *s, const struct rtw_event *e)
{
	if (e->kind == RTW_SYNC_BEGIN)
		s->begun = true;
	if (e->kind == RTW_SYNC_END && s->begun)
		s->synced = true;
	if (e->kind == RTW_LINK && !strcmp(e->link.name, "lo") && s->begun)
		s->lo = true;
	if (e->kind == RTW_LINK && !strcmp(e->link.name, "mtap0") && e->link.up) {
		s->tap = true;
		s->tapidx = e->link.ifindex;
	}
	if (e->kind == RTW_ADDR && e->addr.ifindex == s->tapidx &&
	    e->addr.addr == ip("10.9.8.7") && e->addr.plen == 24)
		*(e->deleted ? &s->gone : &s->addr) = true;
	if (e->kind == RTW_ROUTE && !e->deleted && e->route.oif == s->tapidx) {
		if (e->route.plen == 24 && e->route.dst == ip("10.9.8.0") &&
		    !e->route.gw)
			s->conn = true;
		if (!e->route.plen && e->route.gw == ip("10.9.8.1"))
			s->dflt = true;
	}
}

/* Read events until @done(s) or 3 s */
static bool wait_for(struct rtwatch *w, struct seen *s,
		     bool (*done)(const struct seen *))
{
	uint64_t end = now_ms() + 3000;

	while (!done(s) && now_ms() < end) {
		struct pollfd p = { .fd = w->fd, .events = POLLIN };
		const struct rtw_event *e;
		int n = rtw_recv(w, now_ms(), &e);

		if (n == -EAGAIN) {
			poll(&p, 1, 100);
			continue;
		}
		for (int i = 0; i < n; i++)
			note(s, &e[i]);
	}
	return done(s);
}

static bool dump_seen(const struct seen *s) { return s->synced && s->lo; }
static bool tap_seen(const struct seen *s)
{
	return s->tap && s->addr && s->conn && s->dflt;
}
static bool gone_seen(const struct seen *s) { return s->gone; }

static int sh(const char *cmd)
{
	int rc = system(cmd);

	return rc == 0 ? 0 : report_failf("'%s' failed (%d)", cmd, rc);
}

/* In the child, in its own namespace; Return: 0, -1 failed, 2 skip */
static int live_child(void)
{
	struct seen s = { .tapidx = -1 };
	struct rtwatch w;

	if (rtw_open(&w))
		return report_failf("rtw_open: %s", strerror(errno));
	rtw_dump(&w, now_ms());
	if (!wait_for(&w, &s, dump_seen))
		return report_failf("the dump did not show lo in BEGIN..END");
	if (system("ip tuntap add dev mtap0 mode tap 2>/dev/null"))
		return 2;
	if (sh("ip link set mtap0 up") ||
	    sh("ip addr add 10.9.8.7/24 dev mtap0") ||
	    sh("ip route add default via 10.9.8.1 dev mtap0 onlink"))
		return -1;
	if (!wait_for(&w, &s, tap_seen))
		return report_failf("events: tap %d addr %d connected %d "
				    "default %d", s.tap, s.addr, s.conn, s.dflt);
	if (sh("ip addr del 10.9.8.7/24 dev mtap0"))
		return -1;
	if (!wait_for(&w, &s, gone_seen))
		return report_failf("no deletion event for 10.9.8.7/24");
	if (w.st.bad || w.st.foreign)
		return report_failf("counters: bad %llu foreign %llu",
				    (unsigned long long)w.st.bad,
				    (unsigned long long)w.st.foreign);
	rtw_close(&w);
	return 0;
}

/* The child prints its own result line; the parent only sees a crash */
static void live_namespace(void)
{
	int status, rc;
	pid_t pid;

	if (geteuid()) {
		printf("SKIP rtwatch/live_namespace: needs root (a network "
		       "namespace and a TAP device)\n");
		return;
	}
	fflush(stdout);
	pid = fork();
	if (!pid) {
		if (unshare(CLONE_NEWNET)) {
			printf("SKIP rtwatch/live_namespace: unshare(CLONE_NEWNET)"
			       ": %s\n", strerror(errno));
			_exit(0);
		}
		rc = live_child();
		if (rc == 2)
			printf("SKIP rtwatch/live_namespace: no TAP devices "
			       "(ip tuntap add failed)\n");
		else
			report_case("rtwatch", "live_namespace", rc);
		fflush(stdout);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		report_case("rtwatch", "live_namespace",
			    report_failf("the child ended with status %d",
					 status));
}

int main(void)
{
	report_case("rtwatch", "link_events", link_events());
	report_case("rtwatch", "addr_events", addr_events());
	report_case("rtwatch", "route_events", route_events());
	report_case("rtwatch", "multipart_done_error", multipart_done_error());
	report_case("rtwatch", "truncated_anywhere", truncated_anywhere());
	report_case("rtwatch", "bad_lengths", bad_lengths());
	live_namespace();
	return 0;
}
