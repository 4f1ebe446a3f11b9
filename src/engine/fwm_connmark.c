// SPDX-License-Identifier: MIT
/*
 * fwm_connmark.c - -m connmark's answer: the connection's mark
 *
 * Owns the test of a packet's connection's mark (struct fw_pkt @ctmark:
 * its entry's, or the plan's on a first packet; fwm_conntrack.c) against
 * --mark value/mask, as xt_connmark: (ctmark & mask) == value, negated
 * by "!"; a packet without a connection (INVALID, UNTRACKED) never
 * matches, negated or not. O(1), nothing written.
 */
#include "eng.h"
#include "fw.h"

/**
 * fwm_connmark_matches() - Does -m connmark match @m admit packet @fp?
 * @e:		engine
 * @m:		the match (u.mark: value, mask)
 * @fp:		the packet
 */
bool fwm_connmark_matches(const struct masq_engine *e,
			  const struct ipt_match *m, const struct fw_pkt *fp)
{
	(void)e;
	if (!fw_pkt_has_conn(fp))
		return false;
	return ((fp->ctmark & m->u.mark.mask) == m->u.mark.value) !=
	       !!(m->inv & IPT_F_VALUE);
}
