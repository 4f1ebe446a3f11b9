/* SPDX-License-Identifier: MIT */
/*
 * fwd.h - ipmasqadm's forwards: portfw, mfw, autofw (fwd.c, fwdctl.c)
 *
 * The three forwarding modules of the 2.2 kernels, as tables the first
 * packet of a connection to the router asks after the nat table's
 * PREROUTING rules (plan.c). portfw and mfw are lists of rules asked
 * from the head, with the preference scheduling of ip_masq_portfw.c and
 * ip_masq_mfw.c: the head rule is used; its counter (pcnt, loaded from
 * its preference) goes down by one; at zero it is loaded again and the
 * rule moves to the tail, so the next rule of the same key serves next.
 * autofw forwards a port range to a fixed host, or to the internal host
 * that last spoke to a control port.
 *
 * Bounds: FWD_RULES_MAX rules in each list and FWD_AUTO_MAX autofw
 * entries, allocated with the engine; only commands add to them, never
 * a packet. A packet changes a rule's pcnt and place, and an autofw
 * entry's holder, nothing else.
 */
#ifndef MASQ_FWD_H
#define MASQ_FWD_H

#include <stdbool.h>
#include <stdint.h>

#include "ct.h"

#define FWD_RULES_MAX	1024	/* portfw rules; mfw hosts */
#define FWD_AUTO_MAX	64	/* autofw entries */
#define FWD_PREF_DEFAULT 10	/* ipmasqadm's default -p */
#define FWD_PREF_MAX	1000000
#define FWD_AUTO_LAPSE	15	/* s after the last control packet */

/**
 * struct fwd_rule - one forward target of portfw or mfw
 * @kaddr:	portfw: LADDR (network order); mfw: 0
 * @mark:	mfw: the firewall mark; portfw: 0
 * @raddr:	where to, network order
 * @kport:	portfw: LPORT (network order); mfw: 0
 * @rport:	where to, network order; mfw 0: the port the packet asked
 * @proto:	portfw: IPPROTO_TCP or IPPROTO_UDP; mfw: 0 (both)
 * @pref:	preference: uses before the next rule of the same key gets
 *		its turn (mfw: 0 never gives way but by -S)
 * @pcnt:	uses left of @pref
 */
struct fwd_rule {
	uint32_t kaddr;
	uint32_t mark;
	uint32_t raddr;
	uint16_t kport;
	uint16_t rport;
	uint8_t proto;
	int32_t pref;
	int32_t pcnt;
};

/* Rules in order: the head is asked first */
struct fwd_list {
	uint32_t n;
	struct fwd_rule r[FWD_RULES_MAX];
};

#define FWD_AUTO_USETIME 0x01	/* lapses FWD_AUTO_LAPSE s after control */
#define FWD_AUTO_SECURE	 0x02	/* only from the remote the control went to */

/**
 * struct fwd_auto - one autofw entry
 * @low, @high:	the forwarded port range, host order
 * @proto:	its protocol (TCP or UDP)
 * @ctlproto:	the control port's protocol; 0 for a fixed host (-h)
 * @ctlport:	the control port, host order
 * @flags:	FWD_AUTO_*
 * @host:	where to: -h HOST, or the internal host that spoke to the
 *		control port (0: none yet)
 * @remote:	the remote that control packet went to
 * @until:	engine tick at which it lapses (FWD_AUTO_USETIME), unless
 *		its control connection has been seen since
 * @ctl:	that control connection's original tuple (its entry's
 *		last-seen tick keeps the entry: nothing on the short path
 *		needs to look)
 */
struct fwd_auto {
	uint16_t low, high;
	uint8_t proto, ctlproto;
	uint16_t ctlport;
	uint8_t flags;
	uint32_t host;
	uint32_t remote;
	uint32_t until;
	struct ct_tuple ctl;
};

struct fwd {
	struct fwd_list portfw;
	struct fwd_list mfw;
	uint32_t nauto;
	struct fwd_auto a[FWD_AUTO_MAX];
};

enum fwd_kind { FWD_NONE, FWD_PORTFW, FWD_MFW, FWD_AUTOFW };

/*
 * The forward a new connection's plan takes: counted, and its rule's
 * turn taken (the scheduling step), only once the connection is made
 * (fwd_taken()), so a SYN that opens nothing moves no rule
 */
struct fwd_turn {
	uint8_t kind;		/* enum fwd_kind */
	uint16_t rule;		/* portfw, mfw: the rule's index */
};

struct masq_engine;
struct masq_text;
struct pkt;

/* fwd.c: the packet's side */
int fwd_init(struct masq_engine *e);
void fwd_fini(struct masq_engine *e);
bool fwd_pick(const struct masq_engine *e, const struct pkt *p, uint32_t mark,
	      uint32_t *addr, uint16_t *port, struct fwd_turn *turn);
void fwd_taken(struct masq_engine *e, const struct fwd_turn *turn);
void fwd_control(struct masq_engine *e, uint8_t proto,
		 const struct ct_tuple *o);
uint32_t fwd_auto_until(const struct masq_engine *e, const struct fwd_auto *a);
bool fwd_auto_active(const struct masq_engine *e, const struct fwd_auto *a);

/* the scheduler portfw and mfw share */
int fwd_list_find(const struct fwd_list *l, const struct fwd_rule *key,
		  uint32_t from);
void fwd_list_step(struct fwd_list *l, uint32_t i, bool force);

/* fwdctl.c: ipmasqadm portfw|mfw|autofw ... */
int fwd_ctl(struct masq_engine *e, int argc, char *const *argv,
	    struct masq_text *out);

#endif
