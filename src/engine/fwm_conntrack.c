// SPDX-License-Identifier: MIT
/*
 * fwm_conntrack.c - -m conntrack's answers: a packet's connection as the
 * filter sees it
 *
 * Owns the filter's view of a packet's connection (struct fw_ct_view):
 * its two tuples as netfilter names them, its status bits, the seconds
 * it has left and the way the packet goes; and xt_conntrack revision 3's
 * tests on it (ipt.h IPT_CT_*, src/ipt/m_conntrack.c for the language).
 *
 * Where the view comes from:
 *  - a packet of a known connection (fw_pkt_conn(): conn.c) reads its
 *    entry. An entry made by a packet that went the reply way (an
 *    inbound connection to a mapping, CT_X_INBOUND) holds its tuples the
 *    other way round: netfilter's ORIGINAL is that first packet's, so
 *    the view swaps them back, and the packet's direction with them.
 *    Status: CONFIRMED always, SEEN_REPLY once a reply went, ASSURED as
 *    ct_is_assured() says, EXPECTED when a helper's expectation made it;
 *    --ctexpire reads ct_time_left();
 *  - a first packet (no entry yet, CT_NONE) has the tuples planned so
 *    far, as netfilter's unconfirmed conntrack has them: ORIGINAL is the
 *    packet as it came, REPLY its inverse with the destination as
 *    translated up to here (after a DNAT in PREROUTING, the new one; a
 *    source translation is decided at POSTROUTING, after every filter
 *    chain). Status: EXPECTED or nothing; expire 0;
 *  - an INVALID or UNTRACKED packet has no connection: every option but
 *    --ctstate fails, as xt_conntrack answers for a packet without one.
 *
 * Ports are the tuples' (an echo's identifier for ICMP, as the tuples
 * hold it); a protocol without ports has 0. Nothing here allocates or
 * writes: O(1) a match.
 */
#include <arpa/inet.h>

#include "eng.h"
#include "fw.h"

struct fw_ct_view {
	struct ct_tuple t[2];		/* netfilter's ORIGINAL, REPLY */
	uint8_t proto;
	uint8_t status;			/* IPT_CS_* */
	uint8_t dir;			/* enum ct_dir, netfilter's */
	uint32_t expire;		/* seconds left */
};

/**
 * fw_pkt_conn() - Tell the filter which connection packet @fp belongs to
 * @e:		engine
 * @fp:		the packet, after fw_pkt_init()
 * @idx:	its entry
 * @dir:	the way it goes, as the entry's tuples say
 */
void fw_pkt_conn(const struct masq_engine *e, struct fw_pkt *fp,
		 uint32_t idx, enum ct_dir dir)
{
	fp->ct_idx = idx;
	fp->ct_dir = (uint8_t)dir;
	fp->ctmark = e->ct.aux[idx].mark;
}

/* Has packet @fp a connection (known or being made)? */
bool fw_pkt_has_conn(const struct fw_pkt *fp)
{
	return !(fp->state & (IPT_ST_INVALID | IPT_ST_UNTRACKED));
}

static void fw_ct_view_known(const struct masq_engine *e,
			     const struct fw_pkt *fp, struct fw_ct_view *v)
{
	const struct ct_entry *ce = &e->ct.e[fp->ct_idx];
	unsigned swap = ce->xflags & CT_X_INBOUND ? 1 : 0;

	v->t[CT_ORIG] = ce->t[CT_ORIG ^ swap];
	v->t[CT_REPLY] = ce->t[CT_REPLY ^ swap];
	v->proto = ce->proto;
	v->dir = (uint8_t)(fp->ct_dir ^ swap);
	v->status = IPT_CS_CONFIRMED;
	if (ce->flags & CT_F_REPLIED)
		v->status |= IPT_CS_SEEN_REPLY;
	if (ct_is_assured(ce))
		v->status |= IPT_CS_ASSURED;
	if (e->ct.aux[fp->ct_idx].status & CT_A_EXPECTED)
		v->status |= IPT_CS_EXPECTED;
	v->expire = ct_time_left(&e->ct, fp->ct_idx, e->now_s);
}

static void fw_ct_view_first(const struct fw_pkt *fp, struct fw_ct_view *v)
{
	const struct pkt *p = fp->p;
	uint16_t sp = p->has_ports ? p->sport : 0;
	uint16_t dp = p->has_ports ? p->dport : 0;
	uint16_t xdp = p->has_ports && p->proto != IPPROTO_ICMP_ ? fp->dport : dp;

	v->t[CT_ORIG] = (struct ct_tuple){ p->ip->saddr, p->ip->daddr, sp, dp };
	v->t[CT_REPLY] = (struct ct_tuple){ fp->daddr, p->ip->saddr, xdp, sp };
	v->proto = p->proto;
	v->dir = CT_ORIG;
	v->status = fp->expected ? IPT_CS_EXPECTED : 0;
	v->expire = 0;
}

/* Does address @a (network order) fall in option @w's net? */
static bool ct_addr_in(const struct ipt_match *m, unsigned w, uint32_t a)
{
	return ((ntohl(a) ^ m->u.ct.addr[w]) & m->u.ct.mask[w]) == 0;
}

static bool ct_port_in(const struct ipt_match *m, unsigned w, uint16_t port)
{
	uint16_t v = ntohs(port);

	return v >= m->u.ct.port[w].lo && v <= m->u.ct.port[w].hi;
}

/* Does test @bit, when given, fail? (@hit: what it found, before "!") */
static bool ct_fails(const struct ipt_match *m, uint16_t bit, bool hit)
{
	return (m->set & bit) && hit == !!(m->inv & bit);
}

/* The tests past --ctstate, on a connection's view, in the kernel's order */
static bool ct_view_matches(const struct ipt_match *m,
			    const struct fw_ct_view *v)
{
	static const struct {
		uint8_t dir;
		bool dst;
	} where[4] = { { CT_ORIG, false }, { CT_ORIG, true },
		       { CT_REPLY, false }, { CT_REPLY, true } };

	if ((m->set & IPT_CT_DIR) &&
	    (v->dir == CT_REPLY) != !!(m->inv & IPT_CT_DIR))
		return false;
	for (unsigned w = 0; w < 4; w++) {
		const struct ct_tuple *t = &v->t[where[w].dir];

		if (ct_fails(m, IPT_CT_ADDR(w),
			     ct_addr_in(m, w, where[w].dst ? t->dst : t->src)))
			return false;
	}
	if (ct_fails(m, IPT_CT_PROTO, v->proto == m->u.ct.proto))
		return false;
	for (unsigned w = 0; w < 4; w++) {
		const struct ct_tuple *t = &v->t[where[w].dir];

		if (ct_fails(m, IPT_CT_PORT(w),
			     ct_port_in(m, w, where[w].dst ? t->dport :
							     t->sport)))
			return false;
	}
	if (ct_fails(m, IPT_CT_STATUS, v->status & m->u.ct.status))
		return false;
	return !ct_fails(m, IPT_CT_EXPIRE, v->expire >= m->u.ct.exp_lo &&
					   v->expire <= m->u.ct.exp_hi);
}

/**
 * fwm_conntrack_matches() - Does -m conntrack match @m admit packet @fp?
 * @e:		engine (its connection table)
 * @m:		the match
 * @fp:		the packet
 *
 * As xt_conntrack: --ctstate first (the packet's state, with SNAT and
 * DNAT when its connection is translated so); a packet without a
 * connection then matches only when --ctstate was the test; the rest on
 * the connection's view.
 */
bool fwm_conntrack_matches(const struct masq_engine *e,
			   const struct ipt_match *m, const struct fw_pkt *fp)
{
	struct fw_ct_view v;

	if (ct_fails(m, IPT_CT_STATE, fp->state & m->u.ct.state))
		return false;
	if (!fw_pkt_has_conn(fp))
		return m->set & IPT_CT_STATE;
	if (fp->ct_idx != CT_NONE)
		fw_ct_view_known(e, fp, &v);
	else
		fw_ct_view_first(fp, &v);
	return ct_view_matches(m, &v);
}
