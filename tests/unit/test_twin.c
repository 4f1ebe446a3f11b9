// SPDX-License-Identifier: MIT
/*
 * test_twin.c - the pure parts of masqd's twins, without root
 *
 *	names		the default twin name (13 characters, then -h) and
 *			--twin/--no-twins/=dhcp on masqd's real option
 *			parser: what is taken, and what is refused with a
 *			message that names the wrong word
 *	vnet		virtio-net header <-> masq_meta, both ways
 *	tap		tap.c's receive and transmit over a datagram
 *			socketpair standing in for the device: frames and
 *			their headers in and out, runts and frames too big
 *			for a buffer dropped and counted, a dead descriptor
 *	rtnl		the parsers of the kernel's rtnetlink replies: an
 *			acknowledgement, an error, a reply to another
 *			request, a dump with and without a default route,
 *			and truncated or lying lengths
 *
 * Prints "ok twin/NAME" or "FAIL twin/NAME: why" (tests/lib/report.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/virtio_net.h>
#include <sys/socket.h>

#include "../lib/report.h"
#include "io/rtnl.h"
#include "io/tap.h"
#include "io/vnet.h"
#include "masqd/options.h"

#define NARGS 16

static struct masqd_opts o;
static char errtext[4096];

/*
 * masqd's option parser on a command line of words separated by spaces;
 * what it printed on stderr lands in errtext. Return: opts_parse()'s value
 */
static int parse(const char *line)
{
	char buf[512], *argv[NARGS + 2] = { "masqd" }, *save = NULL;
	int argc = 1, fd, saved, ret;
	FILE *f = tmpfile();
	size_t n;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *w = strtok_r(buf, " ", &save); w && argc <= NARGS;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	fflush(stderr);
	saved = dup(2);
	fd = f ? fileno(f) : -1;
	if (fd >= 0)
		dup2(fd, 2);
	optind = 0;	/* glibc: start getopt afresh */
	ret = opts_parse(argc, argv, &o);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	errtext[0] = '\0';
	if (f) {
		rewind(f);
		n = fread(errtext, 1, sizeof(errtext) - 1, f);
		errtext[n] = '\0';
		fclose(f);
	}
	return ret;
}

static int expect_twin(int i, const char *iface, const char *twin)
{
	if (i >= o.nifaces)
		return report_failf("no interface %d", i);
	if (strcmp(o.ifaces[i].name, iface) || strcmp(o.ifaces[i].twin, twin))
		return report_failf("interface %d: %s with twin '%s', expected "
				    "%s with '%s'", i, o.ifaces[i].name,
				    o.ifaces[i].twin, iface, twin);
	return 0;
}

/* The default: lan0 -> lan0-h; a long name keeps its first 13 characters */
static int default_names(void)
{
	char name[IF_NAMESIZE];

	opts_twin_name("lan0", name);
	if (strcmp(name, "lan0-h"))
		return report_failf("lan0 -> '%s'", name);
	opts_twin_name("enp0s31f6abcde", name);	/* 14 characters */
	if (strcmp(name, "enp0s31f6abcd-h"))
		return report_failf("enp0s31f6abcde -> '%s'", name);
	opts_twin_name("a23456789012345", name);	/* 15 */
	if (strlen(name) != 15 || strcmp(name, "a234567890123-h"))
		return report_failf("a 15-character name -> '%s'", name);
	if (parse("--internal lan0=192.168.0.1/24 --external wan0=203.0.113.1/24"))
		return report_failf("a plain command line refused: %s", errtext);
	if (expect_twin(0, "lan0", "lan0-h") || expect_twin(1, "wan0", "wan0-h"))
		return -1;
	return o.no_twins ? report_failf("no_twins set") : 0;
}

/* --twin names one (before or after the interface), --no-twins none */
static int given_names(void)
{
	if (parse("--twin wan0=uplink-host --internal lan0=192.168.0.1/24 "
		  "--external wan0=203.0.113.1/24"))
		return report_failf("--twin refused: %s", errtext);
	if (expect_twin(0, "lan0", "lan0-h") ||
	    expect_twin(1, "wan0", "uplink-host"))
		return -1;
	if (parse("--internal lan0=192.168.0.1/24 --no-twins"))
		return report_failf("--no-twins refused: %s", errtext);
	if (!o.no_twins || o.ifaces[0].twin[0])
		return report_failf("--no-twins: no_twins %d, twin '%s'",
				    o.no_twins, o.ifaces[0].twin);
	return 0;
}

/* Each refused command line, and a word its message must hold */
static int refused_names(void)
{
	static const struct {
		const char *line;
		const char *says;
	} bad[] = {
		{ "--internal lan0=10.0.0.1/8 --twin lan0=a/b", "'a/b' is no interface name" },
		{ "--internal lan0=10.0.0.1/8 --twin lan0=a:b", "'a:b'" },
		{ "--internal lan0=10.0.0.1/8 --twin lan0=tap%d", "'tap%d'" },
		{ "--internal lan0=10.0.0.1/8 --twin lan0=..", "'..'" },
		{ "--internal lan0=10.0.0.1/8 --twin lan0=", "'' is no interface name" },
		{ "--internal lan0=10.0.0.1/8 --twin lan0=a234567890123456", "a234567890123456" },
		{ "--internal lan0=10.0.0.1/8 --twin lan0", "expected IFACE=NAME" },
		{ "--internal lan0=10.0.0.1/8 --twin lan9=x", "--twin lan9=x: not an owned interface" },
		{ "--internal lan0=10.0.0.1/8 --twin lan0=a --twin lan0=b", "a second name for the twin of lan0" },
		{ "--internal lan0=10.0.0.1/8 --twin lan0=a --no-twins", "--no-twins: choose one" },
		{ "--internal lan0=10.0.0.1/8 --external wan0=1.2.3.4/24 --twin lan0=wan0", "'wan0' is an owned interface" },
		{ "--internal lan0=10.0.0.1/8 --external wan0=1.2.3.4/24 --twin lan0=wan0-h", "twins of lan0 and wan0 would both be named 'wan0-h'" },
		{ "--internal abcdefghijklm1=10.0.0.1/8 --internal abcdefghijklm2=10.1.0.1/16", "would both be named 'abcdefghijklm-h'" },
		{ "--internal lan0-h=10.0.0.1/8 --internal lan0=10.1.0.1/16", "'lan0-h' is an owned interface" },
		{ "--internal lan0=dhcp", "dhcp is for --external only" },
		{ "--external wan0=dhcp --external wan0=dhcp", "given twice" },
		{ "--external wan0=1.2.3.4/24 --external wan0=dhcp", "an address or dhcp, not both" },
		{ "--external wan0=dhcp --external wan0=1.2.3.4/24", "an address or dhcp, not both" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i].line) != -1)
			return report_failf("taken: %s", bad[i].line);
		if (!strstr(errtext, bad[i].says))
			return report_failf("'%s' said '%s', not '%s'",
					    bad[i].line, errtext, bad[i].says);
	}
	return 0;
}

/* --external IF=dhcp: an interface with no address, its twin named */
static int dhcp_external(void)
{
	if (parse("--internal lan0=192.168.0.1/24 --external wan0=dhcp"))
		return report_failf("refused: %s", errtext);
	if (o.nifaces != 2 || o.naddrs != 1 || !o.ifaces[1].dhcp ||
	    o.ifaces[0].dhcp || o.addrs[0].iface != 0)
		return report_failf("%d interfaces, %d addresses, dhcp %d %d",
				    o.nifaces, o.naddrs, o.ifaces[0].dhcp,
				    o.ifaces[1].dhcp);
	return expect_twin(1, "wan0", "wan0-h");
}

/* Every field across, and only NEEDS_CSUM on the way out */
static int vnet_both_ways(void)
{
	struct virtio_net_hdr v = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID,
		.gso_type = VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN,
		.hdr_len = 66, .gso_size = 1448, .csum_start = 34,
		.csum_offset = 16,
	}, back;
	struct masq_meta m;

	vnet_to_meta(&v, &m);
	if (m.flags != (MASQ_META_NEEDS_CSUM | MASQ_META_DATA_VALID) ||
	    m.gso_type != (MASQ_GSO_TCPV4 | MASQ_GSO_ECN) || m.hdr_len != 66 ||
	    m.gso_size != 1448 || m.csum_start != 34 || m.csum_offset != 16)
		return report_failf("meta %x %x %u %u %u %u", m.flags,
				    m.gso_type, m.hdr_len, m.gso_size,
				    m.csum_start, m.csum_offset);
	vnet_from_meta(&m, &back);
	v.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	if (memcmp(&v, &back, sizeof(v)))
		return report_failf("the header back is not the one in, "
				    "flags %x", back.flags);
	m.flags = MASQ_META_DATA_VALID;
	vnet_from_meta(&m, &back);
	return back.flags ? report_failf("DATA_VALID sent: %x", back.flags) : 0;
}

/* A datagram as the TAP would give it: header, then @len frame bytes */
static void put_frame(int fd, const struct virtio_net_hdr *v, size_t len)
{
	static uint8_t d[70000];

	memcpy(d, v, sizeof(*v));
	for (size_t i = 0; i < len; i++)
		d[sizeof(*v) + i] = (uint8_t)(i * 7 + 1);
	if (send(fd, d, sizeof(*v) + len, 0) < 0)
		perror("send");
}

static int tap_frames_in(struct tap *t, int peer, struct masq_pool *pool)
{
	struct virtio_net_hdr v = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				    .csum_start = 34, .csum_offset = 16 };
	struct tap_stats st = { 0 };
	struct masq_buf *b[8];
	uint32_t n;

	put_frame(peer, &v, 60);
	put_frame(peer, &v, 10);	/* a runt */
	put_frame(peer, &v, 3000);	/* longer than a 2 KiB buffer */
	put_frame(peer, &v, 1514);
	n = tap_rx_burst(t, pool, b, 8, 3 | MASQ_IFACE_TWIN, &st);
	if (n != 2 || st.rx_frames != 2 || st.rx_dropped != 2 ||
	    st.rx_bytes != 60 + 1514)
		return report_failf("%u frames, stats %llu/%llu dropped %llu",
				    n, (unsigned long long)st.rx_frames,
				    (unsigned long long)st.rx_bytes,
				    (unsigned long long)st.rx_dropped);
	if (b[0]->len != 60 || b[1]->len != 1514 ||
	    b[0]->iface != (3 | MASQ_IFACE_TWIN) || b[1]->data[1513] !=
	    (uint8_t)(1513 * 7 + 1) || b[1]->meta.csum_start != 34 ||
	    !(b[1]->meta.flags & MASQ_META_NEEDS_CSUM))
		return report_failf("frames read wrong: len %u %u iface %x",
				    b[0]->len, b[1]->len, b[0]->iface);
	for (uint32_t i = 0; i < n; i++)
		masq_pool_put(pool, b[i]);
	return t->err ? report_failf("err %d on an empty queue", t->err) : 0;
}

static int tap_frames_out(struct tap *t, int peer, struct masq_pool *pool)
{
	struct masq_buf *b = masq_pool_get(pool);
	struct tap_stats st = { 0 };
	struct virtio_net_hdr v;
	uint8_t d[2048];
	ssize_t n;

	b->len = 100;
	memset(b->data, 0xab, b->len);
	b->meta = (struct masq_meta){ .flags = MASQ_META_NEEDS_CSUM |
				      MASQ_META_DATA_VALID, .gso_type =
				      MASQ_GSO_TCPV4, .gso_size = 1000,
				      .csum_start = 34, .csum_offset = 16 };
	if (tap_tx(t, b, &st) || st.tx_frames != 1 || st.tx_bytes != 100)
		return report_failf("tap_tx failed");
	n = recv(peer, d, sizeof(d), MSG_DONTWAIT);
	memcpy(&v, d, sizeof(v));
	masq_pool_put(pool, b);
	if (n != (ssize_t)sizeof(v) + 100 || d[sizeof(v)] != 0xab ||
	    v.flags != VIRTIO_NET_HDR_F_NEEDS_CSUM || v.gso_size != 1000 ||
	    v.gso_type != VIRTIO_NET_HDR_GSO_TCPV4 || v.csum_start != 34)
		return report_failf("written: %zd bytes, flags %x", n, v.flags);
	return 0;
}

/* A dead descriptor: the frame is dropped and counted, nothing waits */
static int tap_dead(struct tap *t, struct masq_pool *pool)
{
	struct masq_buf *b = masq_pool_get(pool);
	struct tap_stats st = { 0 };
	int ret;

	b->len = 60;
	tap_close(t);
	ret = tap_tx(t, b, &st);
	masq_pool_put(pool, b);
	if (ret != -ENODEV || st.tx_dropped != 1 || st.tx_last_errno != ENODEV)
		return report_failf("after close: %d, dropped %llu", ret,
				    (unsigned long long)st.tx_dropped);
	return tap_link_state(t) == TAP_LINK_GONE ? 0 :
	       report_failf("a closed TAP is not gone");
}

static int tap_io(void)
{
	struct masq_pool *pool = masq_pool_create(16, 2048);
	int sv[2], ret;
	struct tap t;

	if (!pool || socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv))
		return report_failf("setup: %s", strerror(errno));
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	tap_open_fd(&t, "test0-h", sv[0]);
	ret = tap_frames_in(&t, sv[1], pool);
	if (!ret)
		ret = tap_frames_out(&t, sv[1], pool);
	if (!ret)
		ret = tap_dead(&t, pool);
	tap_close(&t);
	close(sv[1]);
	if (!ret && masq_pool_avail(pool) != 16)
		ret = report_failf("%u of 16 buffers back", masq_pool_avail(pool));
	masq_pool_destroy(pool);
	return ret;
}

/* ---- rtnetlink replies --------------------------------------------- */

static size_t msg(uint8_t *at, uint16_t type, uint32_t seq, const void *body,
		  size_t len)
{
	struct nlmsghdr h = { .nlmsg_len = (uint32_t)NLMSG_LENGTH(len),
			      .nlmsg_type = type, .nlmsg_seq = seq };

	memcpy(at, &h, sizeof(h));
	memcpy(at + NLMSG_HDRLEN, body, len);
	return NLMSG_ALIGN(h.nlmsg_len);
}

static size_t err_msg(uint8_t *at, uint32_t seq, int error)
{
	struct nlmsgerr e = { .error = error };

	return msg(at, NLMSG_ERROR, seq, &e, sizeof(e));
}

/* A route message: rtmsg, then RTA_TABLE when @table > 255 */
static size_t route_msg(uint8_t *at, uint32_t seq, uint8_t dst_len,
			uint32_t table)
{
	uint8_t body[64] = { 0 };
	struct rtmsg rt = { .rtm_family = AF_INET, .rtm_dst_len = dst_len,
			    .rtm_table = table > 255 ? RT_TABLE_COMPAT :
					 (uint8_t)table };
	struct rtattr a = { .rta_len = RTA_LENGTH(4), .rta_type = RTA_TABLE };
	size_t len = NLMSG_ALIGN(sizeof(rt));

	memcpy(body, &rt, sizeof(rt));
	memcpy(body + len, &a, sizeof(a));
	memcpy(body + len + RTA_LENGTH(0), &table, 4);
	return msg(at, RTM_NEWROUTE, seq, body, len + RTA_LENGTH(4));
}

static int rtnl_acks(void)
{
	uint8_t b[512];
	size_t n;
	int ret;

	n = err_msg(b, 7, 0);
	if ((ret = rtnl_parse_ack(b, n, 7)) != 0)
		return report_failf("an ack read as %d", ret);
	if ((ret = rtnl_parse_ack(b, n, 8)) != 1)
		return report_failf("another request's ack read as %d", ret);
	n = err_msg(b, 6, -EEXIST);	/* a late answer first */
	n += err_msg(b + n, 7, -EEXIST);
	if ((ret = rtnl_parse_ack(b, n, 7)) != -EEXIST)
		return report_failf("EEXIST read as %d", ret);
	n = err_msg(b, 7, 12345);	/* no errno is positive */
	if ((ret = rtnl_parse_ack(b, n, 7)) != -EPROTO)
		return report_failf("a positive error read as %d", ret);
	n = err_msg(b, 7, 0);
	for (size_t cut = 0; cut < n; cut++) {	/* every truncation */
		ret = rtnl_parse_ack(b, cut, 7);
		if (ret == 0)
			return report_failf("an ack cut to %zu bytes taken", cut);
	}
	((struct nlmsghdr *)b)->nlmsg_len = 4000;	/* lies */
	if ((ret = rtnl_parse_ack(b, n, 7)) != -EBADMSG)
		return report_failf("a length past the datagram read as %d", ret);
	return 0;
}

static int rtnl_dumps(void)
{
	uint8_t b[1024];
	bool found = false;
	size_t n;
	int ret;

	n = route_msg(b, 9, 24, RT_TABLE_MAIN);
	n += route_msg(b + n, 9, 0, RT_TABLE_LOCAL);	/* not main */
	n += route_msg(b + n, 9, 0, 1000);		/* policy table */
	n += route_msg(b + n, 8, 0, RT_TABLE_MAIN);	/* another dump */
	if ((ret = rtnl_parse_dump(b, n, 9, &found)) != 0 || found)
		return report_failf("no default: %d, found %d", ret, found);
	n = msg(b, NLMSG_DONE, 9, "\0\0\0\0", 4);
	if ((ret = rtnl_parse_dump(b, n, 9, &found)) != 1 || found)
		return report_failf("DONE read as %d, found %d", ret, found);
	n = route_msg(b, 9, 0, RT_TABLE_MAIN);
	n += msg(b + n, NLMSG_DONE, 9, "\0\0\0\0", 4);
	if ((ret = rtnl_parse_dump(b, n, 9, &found)) != 1 || !found)
		return report_failf("default: %d, found %d", ret, found);
	found = false;
	n = route_msg(b, 9, 0, RT_TABLE_MAIN);
	((struct rtattr *)(b + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct rtmsg))))->rta_len = 200;
	if ((ret = rtnl_parse_dump(b, n, 9, &found)) != -EBADMSG || found)
		return report_failf("an attribute past its message: %d", ret);
	n = err_msg(b, 9, -EPERM);
	if ((ret = rtnl_parse_dump(b, n, 9, &found)) != -EPERM)
		return report_failf("an error in a dump read as %d", ret);
	return 0;
}

int main(void)
{
	report_case("twin", "default_names", default_names());
	report_case("twin", "given_names", given_names());
	report_case("twin", "refused_names", refused_names());
	report_case("twin", "dhcp_external", dhcp_external());
	report_case("twin", "vnet_both_ways", vnet_both_ways());
	report_case("twin", "tap_io", tap_io());
	report_case("twin", "rtnl_acks", rtnl_acks());
	report_case("twin", "rtnl_dumps", rtnl_dumps());
	return 0;
}
