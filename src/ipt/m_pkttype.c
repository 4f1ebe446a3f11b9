// SPDX-License-Identifier: MIT
/*
 * m_pkttype.c - the -m pkttype match: --pkt-type
 *
 * Owns the words of pkttype (iptables-legacy 1.8.9): unicast (or host),
 * broadcast (or bcast), multicast (or mcast) and otherhost, any case,
 * printed lower case under their first name; negatable; needed. The
 * engine tells them apart by the frame's Ethernet destination
 * (src/engine/fwm_header.c); it takes in no frame addressed to another
 * station, so otherhost never matches there.
 */
#include <stdio.h>
#include <strings.h>

#include "ipt/ipt.h"
#include "ipt/parsing.h"

static const struct ext_opt pkttype_opts[] = {
	{ "pkt-type", 0, 1, true },
	{ NULL, 0, 0, false },
};

static const struct {
	const char *name;
	uint8_t type;
} pkttype_names[] = {
	{ "unicast", IPT_PKT_HOST }, { "broadcast", IPT_PKT_BROADCAST },
	{ "multicast", IPT_PKT_MULTICAST }, { "otherhost", IPT_PKT_OTHERHOST },
	{ "host", IPT_PKT_HOST }, { "bcast", IPT_PKT_BROADCAST },
	{ "mcast", IPT_PKT_MULTICAST },
};

static int pkttype_opt(struct parse *p, struct ipt_match *m,
		       const struct ext_opt *o, const char *const *a)
{
	(void)o;
	for (size_t i = 0; i < ARRAY_SIZE(pkttype_names); i++)
		if (!strcasecmp(a[0], pkttype_names[i].name)) {
			m->u.pkttype = pkttype_names[i].type;
			m->set |= IPT_F_VALUE;
			if (p->inv)
				m->inv |= IPT_F_VALUE;
			return 0;
		}
	return fail(p, "bad packet type '%s' for --pkt-type (unicast, "
		    "broadcast, multicast or otherhost)", a[0]);
}

static int pkttype_check(struct parse *p, const struct ipt_match *m)
{
	if (!(m->set & IPT_F_VALUE))
		return fail(p, "-m pkttype needs --pkt-type");
	return 0;
}

/* The first name of a type (the table starts with one of each) */
static const char *pkttype_name(uint8_t type)
{
	for (size_t i = 0; i < ARRAY_SIZE(pkttype_names); i++)
		if (pkttype_names[i].type == type)
			return pkttype_names[i].name;
	return "?";
}

static void pkttype_save(const struct ipt_rule *r, const struct ipt_match *m,
			 struct ipt_text *out)
{
	(void)r;
	ipt_text_printf(out, " -m pkttype%s --pkt-type %s",
			m->inv & IPT_F_VALUE ? " !" : "",
			pkttype_name(m->u.pkttype));
}

/* "PKTTYPE = unicast", "PKTTYPE != multicast" */
static void pkttype_list(const struct ipt_rule *r, const struct ipt_match *m,
			 unsigned opts, const struct ipt_resolver *res,
			 struct ipt_text *out)
{
	(void)r;
	(void)opts;
	(void)res;
	ipt_text_printf(out, " PKTTYPE %s= %s", m->inv & IPT_F_VALUE ? "!" : "",
			pkttype_name(m->u.pkttype));
}

/* What "iptables -m pkttype -h" prints after its first line */
static const char pkttype_help[] =
"[!] --pkt-type packettype    match packet type\n"
"Valid packet types:\n"
"\tunicast       \t\tto us\n"
"\tbroadcast     \t\tto all\n"
"\tmulticast     \t\tto group\n"
"\totherhost     \t\tto someone else (never, in masq)\n";

const struct match_ext ipt_pkttype_match = {
	.name = "pkttype",
	.opts = pkttype_opts,
	.help = pkttype_help,
	.opt = pkttype_opt,
	.check = pkttype_check,
	.save = pkttype_save,
	.list = pkttype_list,
};
