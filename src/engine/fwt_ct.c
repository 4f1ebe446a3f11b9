// SPDX-License-Identifier: MIT
/*
 * fwt_ct.c - the raw table's walk, before tracking, and what its targets
 *	      CT and NOTRACK make of a packet
 *
 * Theory of operation: netfilter walks the raw table at priority -300,
 * before connection tracking (-200); masq does the same, at the top of
 * conn_input() (PREROUTING) and host_input() (OUTPUT, the router host's
 * own packets), and only when the raw table is loaded (struct fw's
 * @raw). Neither the hook memo nor the state-decided fast path (fw.h)
 * stands for it: it is walked for every packet, as in the kernel. A
 * packet has no connection yet there, so -m state sees INVALID, and
 * UNTRACKED after a NOTRACK.
 *
 * What the walk leaves in struct fw_pkt:
 *	DROP		the packet is dropped (C_drop_filter), as anywhere
 *	NOTRACK,	@notrack: the packet is not tracked. No connection is
 *	CT --notrack	looked up or made, no NAT: it goes by the filter's
 *			decision alone, state UNTRACKED (fwt_untracked_input():
 *			mangle PREROUTING, then INPUT and the router's own
 *			delivery, or FORWARD and mangle POSTROUTING and out
 *			as it came). Counted: untracked.
 *	CT --helper	@helper: the connection this packet opens, if it opens
 *			one, gets that helper whatever its port (alg.c's
 *			alg_attach_as(), through struct pkt's @ct_helper);
 *			a packet of a known connection changes nothing
 *	CT		nothing more
 * As xt_CT, the first CT or NOTRACK a packet meets decides; later ones in
 * the walk do nothing (the kernel's template is attached once).
 *
 * Known limits: the router host's own connections are its kernel's to
 * help, so CT --helper in raw OUTPUT changes nothing (alg_attach()
 * leaves host connections alone); an untracked packet from the host goes
 * through filter OUTPUT only, as host_send_untracked() sends what nothing
 * tracks. Nothing here allocates: the walk is fw_walk_chain()'s.
 */
#include <arpa/inet.h>

#include "alg.h"
#include "conn.h"
#include "eng.h"
#include "fw.h"

_Static_assert((int)IPT_CT_HELPER_FTP == (int)ALG_FTP &&
	       (int)IPT_CT_HELPER_IRC == (int)ALG_IRC &&
	       (int)IPT_CT_HELPER_TFTP == (int)ALG_TFTP,
	       "CT --helper's numbers are enum alg_id's");

/**
 * fwt_ct() - A CT or NOTRACK target's action on a walked packet
 * @t:		the target (IPT_T_CT or IPT_T_NOTRACK)
 * @fp:		the packet: @notrack, @helper and @ct_done set
 */
void fwt_ct(const struct ipt_target *t, struct fw_pkt *fp)
{
	if (fp->ct_done)
		return;
	fp->ct_done = true;
	if (t->kind == IPT_T_NOTRACK || (t->u.ct.flags & IPT_CT_NOTRACK)) {
		fp->notrack = true;
		fp->state = IPT_ST_UNTRACKED;
		return;
	}
	if ((t->u.ct.flags & IPT_CT_HELPER) && t->u.ct.helper < IPT_CT_HELPERS)
		fp->helper = t->u.ct.helper;	/* (the table check let no
						 * other in) */
}

/**
 * fwt_ct_tcp_helper() - Does target @t give connections a TCP helper?
 * @t:		a raw table rule's target
 *
 * With --workers N, a related connection such a helper opens may have
 * its two ports on two workers: walk.c then passes segments round, as it
 * does while `helper ftp` or `helper irc` is on.
 * Return: true for CT --helper ftp and CT --helper irc
 */
bool fwt_ct_tcp_helper(const struct ipt_target *t)
{
	return t->kind == IPT_T_CT && (t->u.ct.flags & IPT_CT_HELPER) &&
	       (t->u.ct.helper == IPT_CT_HELPER_FTP ||
		t->u.ct.helper == IPT_CT_HELPER_IRC);
}

/**
 * fwt_raw_walk() - Walk the raw table's chain at @hook for packet @p
 * @e:		engine
 * @p:		the packet, not looked up yet
 * @hook:	IPT_PREROUTING or IPT_OUTPUT (its chain: e->fw->raw[hook])
 * @in:		arrival interface, or FW_NO_IF
 * @fp:		filled: what the walk decided (@notrack, @helper; the rest
 *		only when the chain has rules)
 *
 * Return: true when the walk dropped the packet (dropped and counted here)
 */
bool fwt_raw_walk(struct masq_engine *e, struct pkt *p, enum ipt_hook hook,
		  uint8_t in, struct fw_pkt *fp)
{
	const struct fw_chain *ch = &e->fw->chains[e->fw->raw[hook]];

	if (!ch->n && ch->ic->policy == IPT_POL_ACCEPT) {
		/* loaded and empty: only the policy's counters move */
		ipt_ctr_add(&ch->ic->pol_pkts, pkt_wire_pkts(p));
		ipt_ctr_add(&ch->ic->pol_bytes, pkt_wire_bytes(p));
		fp->notrack = false;
		fp->helper = 0;
		return false;
	}
	fw_pkt_init(fp, p, in, FW_NO_IF, IPT_ST_INVALID);
	fw_walk_chain(e, e->fw, (uint32_t)e->fw->raw[hook], fp);
	if (fp->action == FW_ACCEPT)
		return false;
	eng_drop(e, p->buf, C_drop_filter);
	return true;
}

/*
 * An untracked packet for the router itself: INPUT decides; ping is
 * answered by the engine, the rest goes to the host's twin as it came,
 * or is answered as a closed port when there is no twin
 */
static void fwt_untracked_local(struct masq_engine *e, struct pkt *p,
				struct fw_pkt *fp)
{
	fw_run_hook(e, e->fw, IPT_INPUT, false, fp);
	if (fp->action != FW_ACCEPT) {
		conn_fw_refuse(e, fp);
		return;
	}
	if (p->proto == IPPROTO_ICMP_ && !p->icmp_error &&
	    ((const struct icmp_hdr *)p->l4)->type == ICMP_ECHO) {
		icmp_local_input(e, p);
		return;
	}
	if (e->net.ifs[p->buf->iface].twin) {
		host_deliver(e, p);
		return;
	}
	local_closed_port(e, p);
}

/**
 * fwt_untracked_input() - The way of a packet raw PREROUTING made
 * untracked: the filter's hooks in state UNTRACKED (no nat table: it is
 * for connections), then delivered or forwarded untranslated
 * @e:		engine
 * @p:		the packet (consumed)
 */
void fwt_untracked_input(struct masq_engine *e, struct pkt *p)
{
	const struct route *r;
	struct fw_pkt fp;

	count(e, C_untracked);
	if (conn_spoofed(e, p))
		return;
	fw_pkt_init(&fp, p, (uint8_t)p->buf->iface, FW_NO_IF,
		    IPT_ST_UNTRACKED);
	fw_run_hook(e, e->fw, IPT_PREROUTING, false, &fp);
	if (fp.action != FW_ACCEPT) {
		conn_fw_refuse(e, &fp);
		return;
	}
	if (net_addr_is_router(&e->net, p->ip->daddr)) {
		fwt_untracked_local(e, p, &fp);
		return;
	}
	r = net_route_lookup(&e->net, p->ip->daddr);
	if (!r) {
		icmp_send_error(e, p, ICMP_UNREACH, ICMP_UNREACH_NET, 0);
		eng_drop(e, p->buf, C_drop_no_route);
		return;
	}
	if (!conn_may_forward(e, p, r))
		return;
	fp.out = (uint8_t)r->iface;
	fw_run_hook(e, e->fw, IPT_FORWARD, false, &fp);
	if (fp.action == FW_ACCEPT)
		fw_run_hook(e, e->fw, IPT_POSTROUTING, false, &fp);
	if (fp.action != FW_ACCEPT) {
		conn_fw_refuse(e, &fp);
		return;
	}
	eng_forward(e, p, r->iface, r->gw ? r->gw : p->ip->daddr);
}
