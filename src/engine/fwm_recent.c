// SPDX-License-Identifier: MIT
/*
 * fwm_recent.c - -m recent on a packet: which list, which address, which TTL
 *
 * The lists themselves are recent.c's, shared by every engine of the
 * process. fw_compile() gives each rule with recent matches its lists,
 * in the order of the matches (struct fw_rule's @recent); this file
 * picks the match's one and what the kernel would hand xt_recent.
 *
 * The address is the hook's view (struct fw_pkt: the destination after
 * DNAT, the source before SNAT), as iph->saddr/daddr are at that hook.
 * The TTL is the one the packet arrived with: xt_recent adds back the
 * forwarding decrement at FORWARD and POSTROUTING ("use TTL as seen
 * before forwarding"), and masq's filter runs before it decrements.
 */
#include "eng.h"
#include "fw.h"
#include "recent.h"

/**
 * fwm_recent() - Does recent match @m of rule @fr match packet @fp?
 * @e:		engine (its clock)
 * @fr:		the compiled rule (its lists)
 * @m:		one of its matches, of kind IPT_M_RECENT
 * @fp:		the packet
 *
 * Return: the verdict; the list changes as xt_recent's would
 */
bool fwm_recent(struct masq_engine *e, const struct fw_rule *fr,
		const struct ipt_match *m, const struct fw_pkt *fp)
{
	const struct ipt_match *o;
	unsigned k = 0;

	for (o = fr->r->m; o < m; o++)
		k += o->kind == IPT_M_RECENT;
	return recent_list_match(fr->recent[k], m, m->u.recent.dest ?
				 fp->daddr : fp->saddr, fp->p->ip->ttl,
				 e->now_ms);
}
