// SPDX-License-Identifier: MIT
/*
 * fwt_CONNMARK.c - -j CONNMARK: set, save and restore a connection's mark
 *
 * Owns what the target does (xt_CONNMARK revision 1, without shifts):
 *
 *	SET	ctmark = (ctmark & ~ctmask) ^ value
 *	SAVE	ctmark = (ctmark & ~ctmask) ^ (packet mark & nfmask)
 *	RESTORE	packet mark = (mark & ~nfmask) ^ (ctmark & ctmask)
 *
 * The connection's mark is its entry's (struct ct_aux: kept beside the
 * entry, in the restart snapshot and on the worker the connection lives
 * on) or, on a first packet, the plan's, which conn_open() commits with
 * the entry. A packet whose mark is restored carries it through the
 * rest of its walk: -m mark sees it, and mfw (plan_forward(), after
 * PREROUTING) forwards the first packet by it. A packet without a
 * connection (INVALID, UNTRACKED) is left as it is, as the kernel does.
 * O(1), no allocation: the walk's only write to a connection.
 */
#include "eng.h"
#include "fw.h"

/* The connection's mark becomes @v: the entry's when there is one */
static void fw_ctmark_set(struct masq_engine *e, struct fw_pkt *fp,
			  uint32_t v)
{
	fp->ctmark = v;
	if (fp->ct_idx != CT_NONE)
		e->ct.aux[fp->ct_idx].mark = v;
}

/**
 * fwt_connmark() - Act as -j CONNMARK @t on packet @fp (the walk goes on)
 * @e:		engine (the connection's entry)
 * @t:		the target
 * @fp:		the packet: its mark and its connection's
 */
void fwt_connmark(struct masq_engine *e, const struct ipt_target *t,
		  struct fw_pkt *fp)
{
	uint32_t ctmask = t->u.connmark.ctmask, nfmask = t->u.connmark.nfmask;

	if (!fw_pkt_has_conn(fp))
		return;
	switch (t->u.connmark.mode) {
	case IPT_CONNMARK_SET:
		fw_ctmark_set(e, fp, (fp->ctmark & ~ctmask) ^
				     t->u.connmark.ctmark);
		break;
	case IPT_CONNMARK_SAVE:
		fw_ctmark_set(e, fp, (fp->ctmark & ~ctmask) ^
				     (fp->mark & nfmask));
		break;
	case IPT_CONNMARK_RESTORE:
		fp->mark = (fp->mark & ~nfmask) ^ (fp->ctmark & ctmask);
		break;
	}
}
