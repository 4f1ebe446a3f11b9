// SPDX-License-Identifier: MIT
/*
 * m_connlimit.c - the -m connlimit match: how many connections a host
 *		   (or a network) has open
 *
 * Owns the language of connlimit as iptables-legacy 1.8.9 reads and
 * prints it: --connlimit-above N and --connlimit-upto N (either one, "!"
 * turns one into the other), --connlimit-mask as a prefix length or a
 * network mask (a prefix over 32, or a mask that is not a prefix, lists
 * as 32, as iptables' does), --connlimit-saddr (the default) or
 * --connlimit-daddr. -S always prints all of it: "--connlimit-above 2
 * --connlimit-mask 32 --connlimit-saddr". What a packet meets is
 * src/engine/fwm_connlimit.c.
 */
#include <string.h>

#include "ipt/ipt.h"
#include "ipt/parsing.h"

enum { CL_ABOVE, CL_UPTO, CL_MASK, CL_SADDR, CL_DADDR };

static const struct ext_opt connlimit_opts[] = {
	{ "connlimit-upto", CL_UPTO, 1, true },
	{ "connlimit-above", CL_ABOVE, 1, true },
	{ "connlimit-mask", CL_MASK, 1, false },
	{ "connlimit-saddr", CL_SADDR, 0, false },
	{ "connlimit-daddr", CL_DADDR, 0, false },
	{ NULL, 0, 0, false },
};

/* m->set while parsing */
#define CLF_LIMIT	0x01
#define CLF_ADDR	0x02

static int connlimit_opt(struct parse *p, struct ipt_match *m,
			 const struct ext_opt *o, const char *const *a)
{
	uint8_t plen;

	switch (o->id) {
	case CL_ABOVE:
	case CL_UPTO:
		if (m->set & CLF_LIMIT)
			return fail(p, "--connlimit-upto and --connlimit-above "
				    "cannot be used together");
		if (!u32_parse(a[0], UINT32_MAX, &m->u.cl.limit))
			return fail(p, "bad value '%s' for --%s "
				    "(0-4294967295)", a[0], o->name);
		m->u.cl.above = (o->id == CL_ABOVE) != p->inv;
		m->set |= CLF_LIMIT;
		return 0;
	case CL_MASK:
		if (plen_parse(p, "--connlimit-mask", a[0], &plen))
			return -1;
		m->u.cl.plen = plen > 32 ? 32 : plen;
		return 0;
	case CL_SADDR:
	case CL_DADDR:
		if (m->set & CLF_ADDR)
			return fail(p, "--connlimit-saddr and --connlimit-daddr "
				    "cannot be used together");
		m->u.cl.daddr = o->id == CL_DADDR;
		m->set |= CLF_ADDR;
		return 0;
	}
	return fail(p, "unknown option of -m connlimit");
}

static void connlimit_init(struct ipt_match *m)
{
	m->u.cl.plen = 32;
}

/* @m points into the rule being parsed, which is ours to finish */
static int connlimit_check(struct parse *p, const struct ipt_match *m)
{
	if (!(m->set & CLF_LIMIT))
		return fail(p, "-m connlimit needs --connlimit-above or "
			    "--connlimit-upto");
	/* the saved words always name the side: the same either way */
	p->cmd->rule.m[m - p->cmd->rule.m].set = CLF_LIMIT;
	return 0;
}

static void connlimit_save(const struct ipt_rule *r, const struct ipt_match *m,
			   struct ipt_text *out)
{
	(void)r;
	ipt_text_printf(out, " -m connlimit --connlimit-%s %u "
			"--connlimit-mask %u --connlimit-%s",
			m->u.cl.above ? "above" : "upto", m->u.cl.limit,
			m->u.cl.plen, m->u.cl.daddr ? "daddr" : "saddr");
}

static void connlimit_list(const struct ipt_rule *r, const struct ipt_match *m,
			   unsigned opts, const struct ipt_resolver *res,
			   struct ipt_text *out)
{
	(void)r;
	(void)opts;
	(void)res;
	ipt_text_printf(out, " #conn %s/%u %s %u",
			m->u.cl.daddr ? "dst" : "src", m->u.cl.plen,
			m->u.cl.above ? ">" : "<=", m->u.cl.limit);
}

static bool connlimit_equal(const struct ipt_rule *ra,
			    const struct ipt_match *a,
			    const struct ipt_rule *rb,
			    const struct ipt_match *b)
{
	(void)ra;
	(void)rb;
	return a->u.cl.limit == b->u.cl.limit && a->u.cl.plen == b->u.cl.plen &&
	       a->u.cl.above == b->u.cl.above &&
	       a->u.cl.daddr == b->u.cl.daddr;
}

/* What "iptables -m connlimit -h" prints after its first line */
static const char connlimit_help[] =
"  --connlimit-upto n     match if the number of existing connections is 0..n\n"
"  --connlimit-above n    match if the number of existing connections is >n\n"
"  --connlimit-mask n     group hosts using prefix length (default: max len)\n"
"  --connlimit-saddr      select source address for grouping\n"
"  --connlimit-daddr      select destination addresses for grouping\n";

const struct match_ext ipt_connlimit_match = {
	.name = "connlimit",
	.opts = connlimit_opts,
	.help = connlimit_help,
	.opt = connlimit_opt,
	.check = connlimit_check,
	.init = connlimit_init,
	.save = connlimit_save,
	.list = connlimit_list,
	.equal = connlimit_equal,
};
