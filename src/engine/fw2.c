// SPDX-License-Identifier: MIT
/*
 * fw2.c - the 2.0 and 2.2 traversal: an ipchains or ipfwadm ruleset's
 *	   chains walked where those kernels walked them
 *
 * A ruleset written in ipchains or ipfwadm (src/ipt/lang.h) is compiled
 * like any other (fw.c: one array of rules, chains as ranges, jumps as
 * indices), but its chains are not netfilter's. Where conn.c and host.c
 * ask a netfilter hook, fw_run_hook() hands the question here, and the
 * answer follows the 2.4 kernels' compatibility layer (ip_fw_compat.c),
 * which kept the 2.2 order (ip_input.c, ip_forward.c):
 *
 *	PREROUTING	accounting in (ipfwadm), then `input`, for every
 *			packet that arrives, before any translation; a
 *			REDIRECT there sends a first packet to a local port
 *	INPUT		nothing more: input has had its say
 *	FORWARD		`forward`, for routed packets, except those whose
 *			destination was translated back (a reply to a
 *			masqueraded connection, a port forward's packet
 *			in): 2.2 sent those straight on; MASQ there
 *			masquerades a first packet
 *	OUTPUT,		`output`, once for every packet that leaves (the
 *	POSTROUTING	router's own where its way out is known, the
 *			forwarded at POSTROUTING), seeing the addresses it
 *			leaves with; then accounting out (ipfwadm)
 *
 * A connection's translation is decided by its first packet: later
 * packets walk the same chains, but a MASQ or REDIRECT met by them only
 * lets them on. The rules' own tests (ports as lists and ranges, ICMP
 * types and codes as ports, -y, -k, -b, -V) are fw2_rule_matches(); what
 * a matching rule does besides its target (-l logs in the 2.x kernels'
 * format, -m sets the mark mfw reads, -t changes the TOS) is
 * fw2_rule_acts(). Accounting rules all count, none decides.
 *
 * Cost: 2.x rulesets are walked rule by rule on every packet, as those
 * kernels did (no state-decided shortcut, no classifier, no memo).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "csum.h"
#include "eng.h"
#include "fw.h"

/* ---- compile ------------------------------------------------------------- */

/*
 * fw2_compile_rule() - What fw.c's rule needs for a 2.x rule's own tests
 * @e:		engine (its interfaces, for -V)
 * @fr:		the compiled rule, its common fields filled
 * @lang:	the ruleset's language (what -y means)
 */
void fw2_compile_rule(const struct masq_engine *e, struct fw_rule *fr,
		      uint8_t lang)
{
	const struct ipt_legacy *lg = &fr->r->lg;

	if (!lg->flags && !lg->nsp && !lg->ndp)
		return;
	fr->flags |= FR_LEGACY;
	fr->syn_mask = TCP_SYN | TCP_ACK |
		       (lang == IPT_LANG_IPCHAINS ? TCP_FIN : 0);
	if (lg->flags & (IPT_LG_LOG | IPT_LG_MARK | IPT_LG_TOS))
		fr->flags |= FR_LGACT;
	if (lg->flags & IPT_LG_BIDIR) {
		/* both ways are tested in fw2_rule_matches() */
		fr->src = fr->smsk = fr->dst = fr->dmsk = 0;
		fr->inv &= (uint8_t)~(IPT_INV_SRC | IPT_INV_DST);
	}
	if (lg->flags & IPT_LG_VIA) {
		uint32_t bits = 0;

		for (int i = 0; i < e->net.nifs; i++)
			if (net_iface_owns(&e->net, i, htonl(lg->via)))
				bits |= 1u << i;
		fr->in_ifs &= bits;
	}
}

/* The filter table's chain @name as a chain index (filter is compiled first) */
static int32_t chain_named(const struct fw *fw, const char *name)
{
	const struct ipt_table *t = &fw->rs->t[IPT_FILTER];

	_Static_assert(IPT_FILTER == 0, "fw_compile() puts filter's chains first");
	for (uint32_t c = 0; c < t->nchains; c++)
		if (!strcmp(t->chains[c].name, name))
			return (int32_t)c;
	return -1;
}

/*
 * fw2_compile() - Make a compiled 2.x ruleset walk the 2.x way: its four
 * chains found by name, every hook busy, no state-decided shortcut
 * (fwd_fast stays off), no classifier (a -b rule's addresses are not
 * its compiled ones)
 * @fw:		compiled by fw_compile(), rules and chains filled
 */
void fw2_compile(struct fw *fw)
{
	static const char *const names[] = { "input", "forward", "output",
					     "acct" };

	for (int k = 0; k < 4; k++)
		fw->lg_chain[k] = chain_named(fw, names[k]);
	if (fw->lang != IPT_LANG_IPFWADM)
		fw->lg_chain[FW2_ACCT] = -1;
	for (int h = 0; h < IPT_HOOKS; h++)
		fw->busy[h] = true;
}

/* ---- the rules' own tests ------------------------------------------------ */

static bool port_listed(uint16_t v, const struct ipt_portrange *r, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (v >= r[i].lo && v <= r[i].hi)
			return true;
	return false;
}

/* The packet's 2.x "ports": TCP/UDP ports, or an ICMP type and code */
static void pkt_ports(const struct fw_pkt *fp, uint16_t *sp, uint16_t *dp)
{
	const struct pkt *p = fp->p;

	if (p->proto == IPPROTO_ICMP_ && p->l4_len >= 2) {
		*sp = p->l4[0];
		*dp = p->l4[1];
		return;
	}
	*sp = ntohs(fp->sport);
	*dp = ntohs(fp->dport);
}

/* Source and destination ports (ICMP: type and code) against the lists */
static bool ports_match(const struct ipt_legacy *lg, uint16_t sp, uint16_t dp)
{
	if (lg->nsp && port_listed(sp, lg->sp, lg->nsp) ==
		       !!(lg->flags & IPT_LG_SP_INV))
		return false;
	if (lg->ndp && port_listed(dp, lg->dp, lg->ndp) ==
		       !!(lg->flags & IPT_LG_DP_INV))
		return false;
	return true;
}

/* -b: the rule's addresses and ports, the packet's reversed */
static bool swapped_match(const struct ipt_rule *r, const struct fw_pkt *fp,
			  uint16_t sp, uint16_t dp)
{
	uint32_t s = ntohl(fp->daddr), d = ntohl(fp->saddr);

	if (((s & r->smsk) == (r->src & r->smsk)) == !!(r->inv & IPT_INV_SRC))
		return false;
	if (((d & r->dmsk) == (r->dst & r->dmsk)) == !!(r->inv & IPT_INV_DST))
		return false;
	return ports_match(&r->lg, dp, sp);
}

static bool direct_match(const struct ipt_rule *r, const struct fw_pkt *fp,
			 uint16_t sp, uint16_t dp)
{
	uint32_t s = ntohl(fp->saddr), d = ntohl(fp->daddr);

	if (r->lg.flags & IPT_LG_BIDIR) {
		if (((s & r->smsk) == (r->src & r->smsk)) ==
		    !!(r->inv & IPT_INV_SRC))
			return false;
		if (((d & r->dmsk) == (r->dst & r->dmsk)) ==
		    !!(r->inv & IPT_INV_DST))
			return false;
	}
	return ports_match(&r->lg, sp, dp);
}

/* -y (ipchains: SYN, no ACK, no FIN; ipfwadm: SYN, no ACK) and -k */
static bool flags_match(const struct fw_rule *fr, const struct pkt *p)
{
	const struct ipt_legacy *lg = &fr->r->lg;
	uint8_t f = p->tcp_flags;

	if (lg->flags & (IPT_LG_SYN | IPT_LG_SYN_INV)) {
		bool syn = (f & fr->syn_mask) == TCP_SYN;

		if (p->proto != IPPROTO_TCP_)
			return false;
		if (syn == !!(lg->flags & IPT_LG_SYN_INV))
			return false;
	}
	if ((lg->flags & IPT_LG_ACK) &&
	    (p->proto != IPPROTO_TCP_ || !(f & TCP_ACK)))
		return false;
	return true;
}

/**
 * fw2_rule_matches() - A 2.x rule's own tests, once fw.c's common ones
 * (interfaces, addresses unless -b, protocol) have passed
 * @fr:		the rule (FR_LEGACY)
 * @fp:		the packet
 *
 * Return: true when it matches
 */
bool fw2_rule_matches(const struct fw_rule *fr, const struct fw_pkt *fp)
{
	const struct ipt_rule *r = fr->r;
	uint16_t sp, dp;

	if (!flags_match(fr, fp->p))
		return false;
	pkt_ports(fp, &sp, &dp);
	if (direct_match(r, fp, sp, dp))
		return true;
	return (r->lg.flags & IPT_LG_BIDIR) && swapped_match(r, fp, sp, dp);
}

/* ---- what a matching rule does besides its target ------------------------ */

/* The word a 2.x log line gives the rule's target */
static const char *target_word(const struct ipt_rule *r, bool chains)
{
	switch (r->t.kind) {
	case IPT_T_ACCEPT:
		return chains ? "ACCEPT" : "acc";
	case IPT_T_DROP:
		return chains ? "DENY" : "deny";
	case IPT_T_REJECT:
		return chains ? "REJECT" : "rej";
	case IPT_T_MASQUERADE:
		return chains ? "MASQ" : "masq";
	case IPT_T_REDIRECT:
		return chains ? "REDIRECT" : "redir";
	case IPT_T_RETURN:
		return "RETURN";
	case IPT_T_JUMP:
		return r->t.chain;
	default:
		return "-";
	}
}

/* 2.0's names for its chains in a log line */
static const char *fwadm_chain_word(const char *name)
{
	if (!strcmp(name, "input"))
		return "fw-in";
	if (!strcmp(name, "output"))
		return "fw-out";
	if (!strcmp(name, "forward"))
		return "fw-fwd";
	return name;
}

/*
 * -l (ipchains), -o (ipfwadm): one line as the 2.x kernels printed it,
 * "Packet log: input DENY eth0 PROTO=6 10.0.0.2:1025 10.0.1.2:80 L=60
 * S=0x00 I=7 F=0x4000 T=64 SYN (#3)" for ipchains; ipfwadm's 2.0 form
 * starts "IP fw-in deny eth0 TCP ..."
 */
static void fw2_log(struct masq_engine *e, const struct fw *fw,
		    const struct ipt_chain *ic, uint32_t ri,
		    const struct fw_pkt *fp)
{
	const struct ipt_rule *r = &ic->rules[ri];
	const struct ip4_hdr *ip = fp->p->ip;
	bool chains = fw->lang == IPT_LANG_IPCHAINS;
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], line[256];
	const char *ifn = fp->in == FW_NO_IF ? "lo" : e->net.ifs[fp->in].name;
	uint16_t sp, dp;
	int n;

	count(e, C_fw_log);
	if (!e->log_fn)
		return;
	pkt_ports(fp, &sp, &dp);
	inet_ntop(AF_INET, &fp->saddr, a, sizeof(a));
	inet_ntop(AF_INET, &fp->daddr, b, sizeof(b));
	if (chains)
		n = snprintf(line, sizeof(line), "Packet log: %s %s %s PROTO=%u",
			     ic->name, target_word(r, true), ifn, fp->p->proto);
	else
		n = snprintf(line, sizeof(line), "IP %s %s %s PROTO=%u",
			     fwadm_chain_word(ic->name), target_word(r, false),
			     ifn, fp->p->proto);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	snprintf(line + n, sizeof(line) - (size_t)n,
		 " %s:%u %s:%u L=%u S=0x%02X I=%u F=0x%04X T=%u%s (#%u)", a, sp,
		 b, dp, fp->p->ip_len, ip->tos, ntohs(ip->id),
		 ntohs(ip->frag_off), ip->ttl,
		 fp->p->proto == IPPROTO_TCP_ && (fp->p->tcp_flags & TCP_SYN) ?
		 " SYN" : "", ri + 1);
	e->log_fn(e->log_ctx, 4, line);
}

/* -t AND XOR: the packet's TOS becomes (tos & AND) ^ XOR */
static void fw2_set_tos(struct pkt *p, uint8_t and, uint8_t xor)
{
	struct ip4_hdr *ip = p->ip;
	uint8_t tos = (uint8_t)((ip->tos & and) ^ xor);
	uint16_t old = htons((uint16_t)(ip->ver_ihl << 8 | ip->tos));

	if (tos == ip->tos)
		return;
	ip->tos = tos;
	ip->check = csum_replace16(ip->check, old,
				   htons((uint16_t)(ip->ver_ihl << 8 | tos)));
}

/**
 * fw2_rule_acts() - What a matching 2.x rule does besides its target
 * @e:		engine (its log)
 * @fw:		the compiled ruleset
 * @ci:		the rule's chain
 * @ri:		the rule's place in it, from 0
 * @fp:		the packet: its mark, its TOS
 */
void fw2_rule_acts(struct masq_engine *e, const struct fw *fw, uint32_t ci,
		   uint32_t ri, struct fw_pkt *fp)
{
	const struct ipt_chain *ic = fw->chains[ci].ic;
	const struct ipt_legacy *lg = &ic->rules[ri].lg;

	if (lg->flags & IPT_LG_LOG)
		fw2_log(e, fw, ic, ri, fp);
	if (lg->flags & IPT_LG_MARK)
		fp->mark = lg->mark;
	if (lg->flags & IPT_LG_TOS)
		fw2_set_tos(fp->p, lg->tos_and, lg->tos_xor);
}

/* ---- the traversal --------------------------------------------------------- */

/*
 * Walk chain @k with the interface its rules name being @ifc (the
 * arrival interface for input, the way out for the others)
 */
static void fw2_walk(struct masq_engine *e, struct fw *fw, enum fw2_chain k,
		     uint8_t ifc, struct fw_pkt *fp)
{
	uint8_t in = fp->in, out = fp->out;

	fp->action = FW_ACCEPT;
	if (fw->lg_chain[k] < 0)
		return;
	fp->in = ifc;
	fp->out = FW_NO_IF;
	fw_walk_chain(e, fw, (uint32_t)fw->lg_chain[k], fp);
	fp->in = in;
	fp->out = out;
}

/*
 * ipfwadm's accounting: every rule of the direction @dir that matches
 * counts; nothing is decided
 */
static void fw2_account(struct masq_engine *e, const struct fw *fw,
			uint16_t dir, uint8_t ifc, struct fw_pkt *fp)
{
	const struct fw_chain *ch;
	uint8_t in = fp->in, out = fp->out;

	if (fw->lg_chain[FW2_ACCT] < 0)
		return;
	ch = &fw->chains[fw->lg_chain[FW2_ACCT]];
	fp->in = ifc;
	fp->out = FW_NO_IF;
	for (uint32_t i = 0; i < ch->n; i++) {
		struct fw_rule *fr = &fw->rules[ch->first + i];

		if (!(fr->r->lg.flags & dir) || !fw_rule_matches(e, fr, fp))
			continue;
		ipt_ctr_add(&fr->r->pkts, pkt_wire_pkts(fp->p));
		ipt_ctr_add(&fr->r->bytes, pkt_wire_bytes(fp->p));
	}
	fp->in = in;
	fp->out = out;
}

/* A translation a chain asked for where it cannot be made: go on */
static void fw2_only_first(struct fw_pkt *fp, bool first, uint8_t kind)
{
	if (fp->action == FW_NAT && (!first || fp->nat->kind != kind))
		fp->action = FW_ACCEPT;
}

/* Arriving: accounting in, then input (where REDIRECT may send it home) */
static void fw2_arrive(struct masq_engine *e, struct fw *fw, bool first,
		       struct fw_pkt *fp)
{
	fw2_account(e, fw, IPT_LG_ACCT_IN, fp->in, fp);
	fw2_walk(e, fw, FW2_INPUT, fp->in, fp);
	fw2_only_first(fp, first, IPT_T_REDIRECT);
}

/* Routed: forward, unless translated back; MASQ masquerades a first one */
static void fw2_forward(struct masq_engine *e, struct fw *fw, bool first,
			struct fw_pkt *fp)
{
	if (fp->demasq) {
		fp->action = FW_ACCEPT;
		return;
	}
	fw2_walk(e, fw, FW2_FORWARD, fp->out, fp);
	fw2_only_first(fp, first, IPT_T_MASQUERADE);
}

/*
 * Leaving: output, seeing the source the packet leaves with (for a
 * first packet being masqueraded, the way out's address); then
 * accounting out. A masquerade decided in forward stays decided.
 */
static void fw2_leave(struct masq_engine *e, struct fw *fw, struct fw_pkt *fp)
{
	const struct ipt_target *nat = fp->action == FW_NAT ? fp->nat : NULL;
	uint32_t saddr = fp->saddr;
	uint16_t sport = fp->sport;

	fp->left = true;
	fp->saddr = fp->xsaddr;
	fp->sport = fp->xsport;
	if (nat && fp->out != FW_NO_IF)
		fp->saddr = net_iface_primary(&e->net, fp->out);
	fw2_walk(e, fw, FW2_OUTPUT, fp->out, fp);
	if (fp->action == FW_NAT)
		fp->action = FW_ACCEPT;
	if (fp->action == FW_ACCEPT)
		fw2_account(e, fw, IPT_LG_ACCT_OUT, fp->out, fp);
	fp->saddr = saddr;
	fp->sport = sport;
	if (fp->action == FW_ACCEPT && nat) {
		fp->action = FW_NAT;
		fp->nat = nat;
	}
}

/**
 * fw2_run_hook() - fw_run_hook() for a 2.x ruleset: the 2.2 traversal
 * @e:		engine
 * @fw:		the published filter (lang ipchains or ipfwadm)
 * @hook:	the netfilter hook the caller is at
 * @first:	the first packet of a connection
 * @fp:		the packet; @fp->action is set. FW_NAT: a MASQ (FORWARD,
 *		and kept through POSTROUTING) or a REDIRECT (PREROUTING),
 *		for first packets only
 */
void fw2_run_hook(struct masq_engine *e, struct fw *fw, enum ipt_hook hook,
		  bool first, struct fw_pkt *fp)
{
	switch (hook) {
	case IPT_PREROUTING:
		fw2_arrive(e, fw, first, fp);
		return;
	case IPT_FORWARD:
		fw2_forward(e, fw, first, fp);
		return;
	case IPT_OUTPUT:
		fp->action = FW_ACCEPT;
		if (fp->out != FW_NO_IF && !fp->left)
			fw2_leave(e, fw, fp);
		return;
	case IPT_POSTROUTING:
		if (fp->action != FW_NAT)
			fp->action = FW_ACCEPT;
		if (!fp->left)
			fw2_leave(e, fw, fp);
		return;
	default:			/* INPUT: input had its say on arrival */
		fp->action = FW_ACCEPT;
		return;
	}
}
