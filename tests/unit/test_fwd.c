// SPDX-License-Identifier: MIT
/*
 * test_fwd.c - the bench forwarder's per-frame work (bench/fwd/frame.c)
 *
 * The forwarder is the ceiling bench/e2e.sh measures masqd against, so it
 * must do a router's work and no less: answer ARP for its own address,
 * learn neighbours, forward to the right MAC with the TTL decremented and
 * a valid header checksum, ask for an unknown next hop, and drop what is
 * not a router's to forward. Frames are built with tests/lib/frame.h and
 * read back with its decoder.
 */
#include <arpa/inet.h>
#include <string.h>

#include "../lib/frame.h"
#include "../lib/report.h"
#include "../../bench/fwd/frame.h"

#define LAN_GW	0xc0a80001u	/* 192.168.0.1 */
#define LAN_H	0xc0a80002u	/* 192.168.0.2 */
#define WAN_GW	0xcb007101u	/* 203.0.113.1 */
#define WAN_H	0xcb007102u	/* 203.0.113.2 */

static const uint8_t mac_gwlan[6] = { 2, 0x6d, 0x71, 0, 1, 1 };
static const uint8_t mac_gwwan[6] = { 2, 0x6d, 0x71, 0, 2, 1 };
static const uint8_t mac_lan[6] = { 2, 0x6d, 0x71, 0, 1, 2 };
static const uint8_t mac_wan[6] = { 2, 0x6d, 0x71, 0, 2, 2 };
static const uint8_t zero_mac[6];

static struct masq_pool *pool;
static struct fwd_if side[2];
static struct fwd_stats st;

static void reset(void)
{
	fwd_if_init(&side[0], htonl(LAN_GW), mac_gwlan);
	fwd_if_init(&side[1], htonl(WAN_GW), mac_gwwan);
	memset(&st, 0, sizeof(st));
}

/* Feed @s in on side @in; Return: 0, or -1 if the frame did not build */
static int feed(const struct frame_spec *s, int in)
{
	struct masq_buf *b = masq_pool_get(pool);

	if (!b)
		return report_failf("pool empty");
	if (frame_build(s, b) < 0) {
		masq_pool_put(pool, b);
		return report_failf("frame did not build");
	}
	fwd_frame(&side[in], &side[!in], pool, b, &st);
	return 0;
}

/* Decode the only frame queued on side @s into @v and free it */
static int take_one(int s, struct frame_view *v)
{
	struct masq_buf *b;
	bool ok;

	if (side[s].nout != 1)
		return report_failf("%u frames queued on side %d, want 1",
				    side[s].nout, s);
	b = side[s].out[0];
	v->inner = NULL;
	ok = frame_decode(b->data, b->len, NULL, v);
	masq_pool_put(pool, b);
	side[s].nout = 0;
	return ok ? 0 : report_failf("queued frame does not decode: %s", v->err);
}

static int nothing_queued(void)
{
	if (side[0].nout || side[1].nout)
		return report_failf("frames queued: %u, %u", side[0].nout,
				    side[1].nout);
	return 0;
}

static void wan_arp_reply(void)
{
	struct frame_spec s;

	frame_spec_arp(&s, 2, mac_wan, WAN_H, mac_gwwan, WAN_GW);
	feed(&s, 1);
}

static int arp_request_answered(void)
{
	struct frame_spec s;
	struct frame_view v;

	reset();
	frame_spec_arp(&s, 1, mac_lan, LAN_H, zero_mac, LAN_GW);
	if (feed(&s, 0) || take_one(0, &v))
		return -1;
	if (!v.has_arp || v.arp_op != 2 || v.arp_spa != LAN_GW ||
	    v.arp_tpa != LAN_H || memcmp(v.arp_sha, mac_gwlan, 6) ||
	    memcmp(v.arp_tha, mac_lan, 6) || memcmp(v.eth_dst, mac_lan, 6))
		return report_failf("not a reply from 192.168.0.1 to 192.168.0.2");
	return nothing_queued();
}

static int arp_for_others_ignored(void)
{
	struct frame_spec s;

	reset();
	frame_spec_arp(&s, 1, mac_lan, LAN_H, zero_mac, 0xc0a80063u);
	if (feed(&s, 0))
		return -1;
	return nothing_queued();
}

static int ipv4_forwarded_to_neighbour(void)
{
	struct frame_spec s;
	struct frame_view v;

	reset();
	wan_arp_reply();
	frame_spec_udp(&s, LAN_H, 10000, WAN_H, 9);
	memcpy(s.eth_dst, mac_gwlan, 6);
	memcpy(s.eth_src, mac_lan, 6);
	s.ttl = 64;
	if (feed(&s, 0) || take_one(1, &v))
		return -1;
	if (memcmp(v.eth_dst, mac_wan, 6) || memcmp(v.eth_src, mac_gwwan, 6))
		return report_failf("MACs not rewritten to the next hop");
	if (v.ttl != 63)
		return report_failf("TTL %u, want 63", v.ttl);
	if (!frame_csums_ok(&v) || v.ip_csum != FRAME_CSUM_OK)
		return report_failf("checksums not valid after the TTL change");
	if (v.saddr != LAN_H || v.daddr != WAN_H || v.sport != 10000)
		return report_failf("addresses or ports changed (no NAT here)");
	return nothing_queued();
}

static int unknown_next_hop_asked(void)
{
	struct frame_spec s;
	struct frame_view v;

	reset();
	frame_spec_udp(&s, LAN_H, 10000, WAN_H, 9);
	memcpy(s.eth_dst, mac_gwlan, 6);
	if (feed(&s, 0) || take_one(1, &v))
		return -1;
	if (!v.has_arp || v.arp_op != 1 || v.arp_tpa != WAN_H ||
	    v.arp_spa != WAN_GW)
		return report_failf("no ARP request for 203.0.113.2 from 203.0.113.1");
	if (st.no_neigh != 1)
		return report_failf("drop_no_neigh %llu, want 1",
				    (unsigned long long)st.no_neigh);
	return nothing_queued();
}

static int not_a_routers_to_forward(void)
{
	struct frame_spec s;

	reset();
	wan_arp_reply();
	frame_spec_udp(&s, LAN_H, 10000, WAN_H, 9);	/* TTL 1 */
	memcpy(s.eth_dst, mac_gwlan, 6);
	s.ttl = 1;
	if (feed(&s, 0) || nothing_queued())
		return report_failf("TTL 1 forwarded");
	frame_spec_udp(&s, LAN_H, 10000, WAN_H, 9);	/* another MAC */
	memcpy(s.eth_dst, mac_wan, 6);
	if (feed(&s, 0) || nothing_queued())
		return report_failf("a frame for another MAC forwarded");
	frame_spec_udp(&s, LAN_H, 10000, 0x08080808u, 9);	/* off-link */
	memcpy(s.eth_dst, mac_gwlan, 6);
	if (feed(&s, 0) || nothing_queued())
		return report_failf("a frame beyond the /24 forwarded");
	return st.other == 3 ? 0 : report_failf("drop_other %llu, want 3",
						 (unsigned long long)st.other);
}

static int truncated_frames_dropped(void)
{
	struct frame_spec s;
	uint32_t before = masq_pool_avail(pool);

	reset();
	wan_arp_reply();
	for (uint32_t cut = 1; cut < 34; cut++)	/* 0: whole */ {
		frame_spec_udp(&s, LAN_H, 10000, WAN_H, 9);
		memcpy(s.eth_dst, mac_gwlan, 6);
		s.truncate = cut;
		if (feed(&s, 0))
			return -1;
		if (side[1].nout)
			return report_failf("a %u-byte frame forwarded", cut);
	}
	for (uint32_t cut = 1; cut < 42; cut++) {
		frame_spec_arp(&s, 1, mac_lan, LAN_H, zero_mac, LAN_GW);
		s.truncate = cut;
		if (feed(&s, 0))
			return -1;
		if (side[0].nout)
			return report_failf("a %u-byte ARP request answered", cut);
	}
	if (masq_pool_avail(pool) != before)
		return report_failf("pool lost buffers: %u of %u",
				    masq_pool_avail(pool), before);
	return 0;
}

int main(void)
{
	static const struct {
		const char *name;
		int (*fn)(void);
	} cases[] = {
		{ "arp_request_answered", arp_request_answered },
		{ "arp_for_others_ignored", arp_for_others_ignored },
		{ "ipv4_forwarded_to_neighbour", ipv4_forwarded_to_neighbour },
		{ "unknown_next_hop_asked", unknown_next_hop_asked },
		{ "not_a_routers_to_forward", not_a_routers_to_forward },
		{ "truncated_frames_dropped", truncated_frames_dropped },
	};
	int failed = 0;

	pool = masq_pool_create(16, 2048);
	if (!pool)
		return 1;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = cases[i].fn();

		report_case("fwd", cases[i].name, rc);
		failed |= rc != 0;
	}
	masq_pool_destroy(pool);
	return failed;
}
