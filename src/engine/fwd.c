// SPDX-License-Identifier: MIT
/*
 * fwd.c - ipmasqadm's forwards on the packet's side: which forward a
 *	   first packet to the router takes, and the scheduling step
 *
 * Asked by plan_forward() (plan.c) for a TCP or UDP packet addressed to
 * one of the router's addresses that no DNAT or REDIRECT rule took, in
 * this order, first match wins:
 *
 *	portfw	(protocol, LADDR, LPORT) is the packet's destination
 *	mfw	the packet's mark, as the mangle table's PREROUTING left
 *		it, names a list (any destination address of the router's)
 *	autofw	from an external interface, to a port in an entry's range:
 *		a fixed host (-h); or the internal host that last spoke to
 *		the entry's control port (-c), from the remote it spoke to
 *		(unless -i), within FWD_AUTO_LAPSE s of the last packet of
 *		its control connection (unless -u)
 *
 * portfw and mfw share the scheduler of the 2.2 kernel's modules: the
 * first rule of the key is used; when another rule has the same key its
 * counter goes down, and at zero it is loaded again from the preference
 * and the rule moves to the tail of the list (preference 0, mfw only,
 * never moves but by `mfw -S`). So two rules at 15 and 5 serve 15 then 5
 * connections, in turn.
 *
 * An autofw entry is held by one internal host at a time: a control
 * packet from another host while it is held (not lapsed) changes
 * nothing and is counted (autofw_busy), so a second host cannot take
 * over a range a first host's application is using. With -u the first
 * host holds it until the entry is deleted. This is the single-client
 * limit of the seeds' autofw, kept on purpose: one range can reach one
 * host. Forward a second range for a second client.
 *
 * Cost: a linear walk of a list per first packet to the router, only
 * when the list is not empty; the lists hold at most FWD_RULES_MAX
 * rules. A step moves at most FWD_RULES_MAX - 1 rules (24 KiB).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "eng.h"
#include "fwd.h"
#include "pkt.h"

int fwd_init(struct masq_engine *e)
{
	e->fwd = calloc(1, sizeof(*e->fwd));
	return e->fwd ? 0 : -1;
}

void fwd_fini(struct masq_engine *e)
{
	free(e->fwd);
	e->fwd = NULL;
}

/* Do @a and @b forward the same packets (protocol, LADDR:LPORT, mark)? */
static bool same_key(const struct fwd_rule *a, const struct fwd_rule *b)
{
	return a->proto == b->proto && a->kaddr == b->kaddr &&
	       a->kport == b->kport && a->mark == b->mark;
}

/**
 * fwd_list_find() - The first rule at or after @from with @key's key
 * Return: its index, or -1
 */
int fwd_list_find(const struct fwd_list *l, const struct fwd_rule *key,
		  uint32_t from)
{
	for (uint32_t i = from; i < l->n; i++)
		if (same_key(&l->r[i], key))
			return (int)i;
	return -1;
}

/**
 * fwd_list_step() - Rule @i was used (or @force: mfw -S): schedule
 * @l:		list
 * @i:		the rule, the first of its key
 * @force:	move it whatever its counter
 *
 * Alone with its key, a rule keeps its counter and place, as the
 * kernel's modules did.
 */
void fwd_list_step(struct fwd_list *l, uint32_t i, bool force)
{
	struct fwd_rule r = l->r[i];

	if (fwd_list_find(l, &r, i + 1) < 0)
		return;
	if (!force && (!r.pref || --l->r[i].pcnt > 0))
		return;
	r.pcnt = r.pref;
	memmove(&l->r[i], &l->r[i + 1], (l->n - i - 1) * sizeof(r));
	l->r[l->n - 1] = r;
}

/* Rule @i of @l for a packet to @dport: its target, and the turn */
static bool pick_rule(const struct fwd_list *l, int i, uint16_t dport,
		      uint32_t *addr, uint16_t *port, enum fwd_kind kind,
		      struct fwd_turn *turn)
{
	if (i < 0)
		return false;
	*addr = l->r[i].raddr;
	*port = l->r[i].rport ? l->r[i].rport : dport;
	*turn = (struct fwd_turn){ kind, (uint16_t)i };
	return true;
}

/**
 * fwd_auto_until() - The tick at which held entry @a lapses: FWD_AUTO_LAPSE
 * s after its last control packet, or after the last packet its control
 * connection has seen since (the kernel's module counted the outbound
 * ones; the connection's last-seen tick is kept by every packet on the
 * short path already, so nothing there has to look)
 */
uint32_t fwd_auto_until(const struct masq_engine *e, const struct fwd_auto *a)
{
	enum ct_dir dir;
	uint32_t i = ct_lookup(&e->ct, a->ctlproto, &a->ctl, &dir);
	uint32_t seen;

	if (i == CT_NONE || dir != CT_ORIG)
		return a->until;
	seen = e->ct.e[i].last_seen + FWD_AUTO_LAPSE;
	return (int32_t)(seen - a->until) > 0 ? seen : a->until;
}

/* Is entry @a holding its range now (a fixed host always does)? */
bool fwd_auto_active(const struct masq_engine *e, const struct fwd_auto *a)
{
	if (!a->ctlproto)
		return true;
	return a->host && (!(a->flags & FWD_AUTO_USETIME) ||
			   (int32_t)(fwd_auto_until(e, a) - e->now_s) > 0);
}

/* The autofw entry that takes @p from outside, or NULL */
static const struct fwd_auto *auto_find(const struct masq_engine *e,
					const struct pkt *p)
{
	uint16_t port = ntohs(p->dport);

	if (e->net.ifs[p->buf->iface & MASQ_IFACE_MASK].role != ROLE_EXTERNAL)
		return NULL;
	for (uint32_t i = 0; i < e->fwd->nauto; i++) {
		const struct fwd_auto *a = &e->fwd->a[i];

		if (a->proto == p->proto && port >= a->low && port <= a->high &&
		    fwd_auto_active(e, a) &&
		    (!a->ctlproto || !(a->flags & FWD_AUTO_SECURE) ||
		     a->remote == p->ip->saddr))
			return a;
	}
	return NULL;
}

/**
 * fwd_pick() - The forward a first packet to the router takes, if any
 * @e:		engine
 * @p:		TCP or UDP packet to one of the router's addresses
 * @mark:	its mark after the mangle table's PREROUTING
 * @addr:	set to where it goes (network order)
 * @port:	... and the port
 * @turn:	set to what fwd_taken() counts and schedules once the
 *		connection is made
 *
 * Return: true when a forward takes it
 */
bool fwd_pick(const struct masq_engine *e, const struct pkt *p, uint32_t mark,
	      uint32_t *addr, uint16_t *port, struct fwd_turn *turn)
{
	const struct fwd *f = e->fwd;
	const struct fwd_auto *a;

	if (f->portfw.n) {
		struct fwd_rule k = { .proto = p->proto, .kaddr = p->ip->daddr,
				      .kport = p->dport };

		if (pick_rule(&f->portfw, fwd_list_find(&f->portfw, &k, 0),
			      p->dport, addr, port, FWD_PORTFW, turn))
			return true;
	}
	if (f->mfw.n && mark) {
		struct fwd_rule k = { .mark = mark };

		if (pick_rule(&f->mfw, fwd_list_find(&f->mfw, &k, 0), p->dport,
			      addr, port, FWD_MFW, turn))
			return true;
	}
	if (f->nauto && (a = auto_find(e, p))) {
		*addr = a->host;
		*port = p->dport;
		*turn = (struct fwd_turn){ FWD_AUTOFW, 0 };
		return true;
	}
	return false;
}

/**
 * fwd_taken() - A connection a forward planned was made: count it, and
 * take its rule's turn (fwd_list_step())
 * @e:		engine
 * @turn:	what fwd_pick() said; the lists have not changed since
 *		(the same call of the engine)
 */
void fwd_taken(struct masq_engine *e, const struct fwd_turn *turn)
{
	switch (turn->kind) {
	case FWD_PORTFW:
		count(e, C_conn_portfw);
		fwd_list_step(&e->fwd->portfw, turn->rule, false);
		break;
	case FWD_MFW:
		count(e, C_conn_mfw);
		fwd_list_step(&e->fwd->mfw, turn->rule, false);
		break;
	case FWD_AUTOFW:
		count(e, C_conn_autofw);
		break;
	}
}

/**
 * fwd_control() - A new connection from inside: to an autofw control port?
 * @e:		engine
 * @proto:	its protocol
 * @o:		its original tuple: the internal host, the remote, the port
 *
 * Each entry with that control port is taken by the host, or kept by it
 * for FWD_AUTO_LAPSE s more (and for as long as this connection lives);
 * one another host holds is left alone (counted: autofw_busy).
 */
void fwd_control(struct masq_engine *e, uint8_t proto,
		 const struct ct_tuple *o)
{
	for (uint32_t i = 0; i < e->fwd->nauto; i++) {
		struct fwd_auto *a = &e->fwd->a[i];

		if (!a->ctlproto || a->ctlproto != proto ||
		    a->ctlport != ntohs(o->dport))
			continue;
		if (a->host != o->src && fwd_auto_active(e, a)) {
			count(e, C_autofw_busy);
			continue;
		}
		a->host = o->src;
		a->remote = o->dst;
		a->ctl = *o;
		a->until = e->now_s + FWD_AUTO_LAPSE;
	}
}
