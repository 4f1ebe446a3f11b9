// SPDX-License-Identifier: MIT
/*
 * m_ports.c - the -m sctp and -m dccp matches: the ports of protocols
 *	       conntrack tracks by address only
 *
 * Owns the two matches' options (--sport/--source-port and
 * --dport/--destination-port, each a port or "a:b" range, negatable),
 * their -S/iptables-save words, their -L text and their comparison, as
 * iptables-legacy 1.8.9's libxt_sctp and libxt_dccp print them. "-p sctp
 * --dport 80" loads -m sctp implicitly, "-p dccp" -m dccp
 * (parse_match.c's implicit_kind()); "-p udplite --dport" is an unknown
 * option there, as in the reference, and udplite's ports are
 * -m multiport's. Their protocol (-p sctp, -p dccp, not negated) is
 * ipt_exec()'s check, as the kernel's: exit status 1.
 *
 * Service names: sctp ports are looked up for "sctp" (Debian's
 * /etc/services has few), dccp's for any protocol, as the reference
 * does. Refused by name (the packet's chunks and options are not read):
 * --chunk-types, --dccp-types, --dccp-option.
 *
 * The fields are the tcp/udp matches' (ipt.h's u.l4, without flags).
 * The engine reads the ports from the packet (src/engine/fwm_ports.c).
 */
#include <stdio.h>

#include "ipt/ext.h"
#include "ipt/parse.h"

enum { P_SPORT, P_DPORT };

static const struct ext_opt sctp_opts[] = {
	{ "source-port", P_SPORT, 1, true }, { "sport", P_SPORT, 1, true },
	{ "destination-port", P_DPORT, 1, true },
	{ "dport", P_DPORT, 1, true },
	{ "chunk-types", OPT_UNSUPPORTED, 2, true },
	{ NULL, 0, 0, false },
};

static const struct ext_opt dccp_opts[] = {
	{ "source-port", P_SPORT, 1, true }, { "sport", P_SPORT, 1, true },
	{ "destination-port", P_DPORT, 1, true },
	{ "dport", P_DPORT, 1, true },
	{ "dccp-types", OPT_UNSUPPORTED, 1, true },
	{ "dccp-option", OPT_UNSUPPORTED, 1, true },
	{ NULL, 0, 0, false },
};

/* The protocol a kind's service names are looked up for (NULL: any) */
static const char *ports_service_proto(const struct ipt_match *m)
{
	return m->kind == IPT_M_SCTP ? "sctp" : NULL;
}

static const char *ports_name(const struct ipt_match *m)
{
	return m->kind == IPT_M_SCTP ? "sctp" : "dccp";
}

static void ports_init(struct ipt_match *m)
{
	m->u.l4.sport.hi = 65535;
	m->u.l4.dport.hi = 65535;
}

static int ports_opt(struct parse *p, struct ipt_match *m,
		     const struct ext_opt *o, const char *const *a)
{
	uint16_t bit = o->id == P_SPORT ? IPT_F_SPORT : IPT_F_DPORT;
	char show[24];

	snprintf(show, sizeof(show), "--%s", o->name);
	if (port_range_parse(p, show, a[0], ports_service_proto(m),
			     o->id == P_SPORT ? &m->u.l4.sport :
						&m->u.l4.dport))
		return -1;
	m->set |= bit;
	if (p->inv)
		m->inv |= bit;
	return 0;
}

static void save_one(struct ipt_text *out, const char *opt,
		     const struct ipt_portrange *r, bool inv)
{
	ipt_text_printf(out, "%s %s %u", inv ? " !" : "", opt, r->lo);
	if (r->hi != r->lo)
		ipt_text_printf(out, ":%u", r->hi);
}

static void ports_save(const struct ipt_rule *r, const struct ipt_match *m,
		       struct ipt_text *out)
{
	(void)r;
	ipt_text_printf(out, " -m %s", ports_name(m));
	if (m->set & IPT_F_SPORT)
		save_one(out, "--sport", &m->u.l4.sport, m->inv & IPT_F_SPORT);
	if (m->set & IPT_F_DPORT)
		save_one(out, "--dport", &m->u.l4.dport, m->inv & IPT_F_DPORT);
}

/* A port in -L: its service name unless -n (IPT_OPT_NUMERIC) */
static void list_port(struct ipt_text *out, uint16_t port, const char *proto,
		      unsigned opts, const struct ipt_resolver *res)
{
	char name[64];

	if (!(opts & IPT_OPT_NUMERIC) && proto && res && res->service_name &&
	    !res->service_name(port, proto, name, sizeof(name)))
		ipt_text_printf(out, "%s", name);
	else
		ipt_text_printf(out, "%u", port);
}

/* " spt:[!]a" or " spts:[!]a:b", unless any port would do */
static void list_one(struct ipt_text *out, const char *what,
		     const struct ipt_portrange *r, bool inv,
		     const struct ipt_match *m, unsigned opts,
		     const struct ipt_resolver *res)
{
	if (r->lo == 0 && r->hi == 65535 && !inv)
		return;
	ipt_text_printf(out, " %s%s:%s", what, r->lo == r->hi ? "" : "s",
			inv ? "!" : "");
	list_port(out, r->lo, ports_service_proto(m), opts, res);
	if (r->hi == r->lo)
		return;
	ipt_text_printf(out, ":");
	list_port(out, r->hi, ports_service_proto(m), opts, res);
}

static void ports_list(const struct ipt_rule *r, const struct ipt_match *m,
		       unsigned opts, const struct ipt_resolver *res,
		       struct ipt_text *out)
{
	(void)r;
	ipt_text_printf(out, " %s", ports_name(m));
	if (m->set & IPT_F_SPORT)
		list_one(out, "spt", &m->u.l4.sport, m->inv & IPT_F_SPORT, m,
			 opts, res);
	if (m->set & IPT_F_DPORT)
		list_one(out, "dpt", &m->u.l4.dport, m->inv & IPT_F_DPORT, m,
			 opts, res);
}

static bool range_equal(const struct ipt_portrange *a,
			const struct ipt_portrange *b)
{
	return a->lo == b->lo && a->hi == b->hi;
}

static bool ports_equal(const struct ipt_rule *ra, const struct ipt_match *a,
			const struct ipt_rule *rb, const struct ipt_match *b)
{
	(void)ra;
	(void)rb;
	return a->set == b->set &&
	       (!(a->set & IPT_F_SPORT) ||
		range_equal(&a->u.l4.sport, &b->u.l4.sport)) &&
	       (!(a->set & IPT_F_DPORT) ||
		range_equal(&a->u.l4.dport, &b->u.l4.dport));
}

const struct match_ext ipt_sctp_match = {
	.name = "sctp", .opts = sctp_opts, .opt = ports_opt,
	.init = ports_init, .save = ports_save, .list = ports_list,
	.equal = ports_equal,
};

const struct match_ext ipt_dccp_match = {
	.name = "dccp", .opts = dccp_opts, .opt = ports_opt,
	.init = ports_init, .save = ports_save, .list = ports_list,
	.equal = ports_equal,
};
