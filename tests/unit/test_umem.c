// SPDX-License-Identifier: MIT
/*
 * test_umem.c - the AF_XDP UMEM's bookkeeping (src/io/umem.c)
 *
 * What masqd --io afxdp relies on without a kernel: every transmit frame
 * is handed out once until it comes back, never a receive frame; a
 * completion address that is not a transmit frame's start, or one that
 * comes back twice, is refused and counted instead of corrupting the
 * free stack; an RX descriptor's address (past the kernel's headroom)
 * maps back to its frame; the MTU and ring-size limits are the ones
 * masqd(8) states (1774 bytes; powers of two from 64 to 65536).
 */
#include <stdlib.h>
#include <string.h>

#include "../lib/report.h"
#include "../../src/io/umem.h"

#define RX	64
#define TX	64

static int tx_frames_once_each(void)
{
	uint64_t stack[TX], seen[TX], a;
	uint8_t busy[TX];
	struct umem_frames f;

	umem_frames_init(&f, stack, busy, RX, TX);
	for (int i = 0; i < TX; i++) {
		if (!umem_tx_get(&f, &seen[i]))
			return report_failf("frame %d of %d not given", i, TX);
		if (seen[i] < (uint64_t)RX * UMEM_FRAME_SIZE ||
		    seen[i] >= (uint64_t)(RX + TX) * UMEM_FRAME_SIZE ||
		    seen[i] % UMEM_FRAME_SIZE)
			return report_failf("frame %d at %llu: not a transmit "
					    "frame", i, (unsigned long long)seen[i]);
		for (int j = 0; j < i; j++)
			if (seen[j] == seen[i])
				return report_failf("frame %llu given twice",
						    (unsigned long long)seen[i]);
	}
	if (umem_tx_get(&f, &a))
		return report_failf("a frame given with all %d in flight", TX);
	for (int i = 0; i < TX; i++)
		if (!umem_tx_put(&f, seen[i]))
			return report_failf("completion %d refused", i);
	return f.nfree == TX && f.bad_addr == 0 ? 0 :
	       report_failf("nfree %u bad %llu after all came back", f.nfree,
			    (unsigned long long)f.bad_addr);
}

static int bad_completions_refused(void)
{
	uint64_t stack[TX], a = 0, b = 1;
	uint8_t busy[TX];
	struct umem_frames f;

	umem_frames_init(&f, stack, busy, RX, TX);
	umem_tx_get(&f, &a);
	umem_tx_get(&f, &b);
	if (umem_tx_put(&f, 0) ||			/* a receive frame */
	    umem_tx_put(&f, a + 1) ||			/* not a frame start */
	    umem_tx_put(&f, (uint64_t)(RX + TX) * UMEM_FRAME_SIZE) ||
	    umem_tx_put(&f, UINT64_MAX - UMEM_FRAME_SIZE + 1))
		return report_failf("a bad completion address was taken");
	if (f.bad_addr != 4 || f.nfree != TX - 2)
		return report_failf("bad %llu nfree %u, want 4 and %u",
				    (unsigned long long)f.bad_addr, f.nfree, TX - 2);
	if (!umem_tx_put(&f, a) || !umem_tx_put(&f, b))
		return report_failf("good completions refused");
	if (umem_tx_put(&f, a))		/* the stack is full: a duplicate */
		return report_failf("a frame came back twice and was taken");
	umem_tx_get(&f, &a);
	umem_tx_get(&f, &b);
	umem_tx_put(&f, a);
	if (umem_tx_put(&f, a))		/* not full: still a duplicate */
		return report_failf("a frame not in flight was taken back");
	umem_tx_put(&f, b);
	return f.nfree == TX && f.bad_addr == 6 ? 0 :
	       report_failf("nfree %u bad %llu", f.nfree,
			    (unsigned long long)f.bad_addr);
}

static int lifo_reuses_hot_frame(void)
{
	uint64_t stack[TX], a = 0, b = 1;
	uint8_t busy[TX];
	struct umem_frames f;

	umem_frames_init(&f, stack, busy, RX, TX);
	umem_tx_get(&f, &a);
	if (a != (uint64_t)RX * UMEM_FRAME_SIZE)
		return report_failf("first frame %llu, want the lowest",
				    (unsigned long long)a);
	umem_tx_put(&f, a);
	umem_tx_get(&f, &b);
	return a == b ? 0 : report_failf("the frame just freed was not reused");
}

static int rx_addresses(void)
{
	for (uint32_t i = 0; i < RX; i++) {
		uint64_t base = umem_rx_addr(i);

		if (base != (uint64_t)i * UMEM_FRAME_SIZE ||
		    umem_frame_base(base + UMEM_XDP_HEADROOM) != base ||
		    umem_frame_base(base + UMEM_FRAME_SIZE - 1) != base)
			return report_failf("frame %u: base %llu", i,
					    (unsigned long long)base);
	}
	return 0;
}

static int rx_descriptors_checked(void)
{
	uint64_t last = umem_rx_addr(RX - 1);

	if (!umem_rx_desc_ok(RX, UMEM_XDP_HEADROOM, 60) ||
	    !umem_rx_desc_ok(RX, last + UMEM_XDP_HEADROOM, UMEM_FRAME_MAX))
		return report_failf("a descriptor the kernel makes refused");
	if (umem_rx_desc_ok(RX, UMEM_XDP_HEADROOM, 0) ||	/* empty */
	    umem_rx_desc_ok(RX, UMEM_XDP_HEADROOM, UMEM_FRAME_MAX + 1) ||
	    umem_rx_desc_ok(RX, last + UMEM_FRAME_SIZE - 10, 60) ||
	    umem_rx_desc_ok(RX, umem_rx_addr(RX), 60) ||	/* a tx frame */
	    umem_rx_desc_ok(RX, UINT64_MAX - 100, 60))
		return report_failf("a descriptor out of its frame taken");
	return 0;
}

static int limits(void)
{
	if (!umem_mtu_fits(1500) || !umem_mtu_fits(1774) || umem_mtu_fits(1775) ||
	    umem_mtu_fits(9000))
		return report_failf("MTU limit is not 1774");
	if (!umem_ring_size_ok(64) || !umem_ring_size_ok(2048) ||
	    !umem_ring_size_ok(65536) || umem_ring_size_ok(32) ||
	    umem_ring_size_ok(1000) || umem_ring_size_ok(131072) ||
	    umem_ring_size_ok(0))
		return report_failf("ring sizes: not powers of two 64..65536");
	return 0;
}

int main(void)
{
	static const struct {
		const char *name;
		int (*fn)(void);
	} cases[] = {
		{ "tx_frames_once_each", tx_frames_once_each },
		{ "bad_completions_refused", bad_completions_refused },
		{ "lifo_reuses_hot_frame", lifo_reuses_hot_frame },
		{ "rx_addresses", rx_addresses },
		{ "rx_descriptors_checked", rx_descriptors_checked },
		{ "limits", limits },
	};
	int failed = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = cases[i].fn();

		report_case("umem", cases[i].name, rc);
		failed |= rc != 0;
	}
	return failed;
}
