// SPDX-License-Identifier: MIT
/*
 * m_connmark.c - the -m connmark match: a connection's mark
 *
 * Owns ipt_connmark_match (ext.h): --mark value[/mask] (negatable,
 * required, once), which matches when the packet's connection's mark,
 * masked, equals the value (xt_connmark: the value is not masked). A
 * packet without a connection (INVALID, UNTRACKED) never matches, even
 * negated. -S prints the mask only when it is not all ones; -L prints
 * "connmark match  0x1" (two blanks, or " ! " when negated), as
 * iptables-legacy 1.8.9 does. The engine's answer is
 * src/engine/fwm_connmark.c's.
 */
#include <stdio.h>

#include "ipt/ipt.h"
#include "ipt/parsing.h"

static const struct ext_opt connmark_opts[] = {
	{ "mark", 0, 1, true },
	{ NULL, 0, 0, false },
};

static int connmark_check(struct parse *p, const struct ipt_match *m)
{
	if (!(m->set & IPT_F_VALUE))
		return fail(p, "-m connmark needs --mark");
	return 0;
}

/* "0xV" or "0xV/0xM" */
static void connmark_value(const struct ipt_match *m, struct ipt_text *out)
{
	ipt_text_printf(out, "0x%x", m->u.mark.value);
	if (m->u.mark.mask != ~0u)
		ipt_text_printf(out, "/0x%x", m->u.mark.mask);
}

static void connmark_save(const struct ipt_rule *r, const struct ipt_match *m,
			  struct ipt_text *out)
{
	(void)r;
	ipt_text_printf(out, " -m connmark%s --mark ",
			m->inv & IPT_F_VALUE ? " !" : "");
	connmark_value(m, out);
}

static void connmark_list(const struct ipt_rule *r, const struct ipt_match *m,
			  unsigned opts, const struct ipt_resolver *res,
			  struct ipt_text *out)
{
	(void)r;
	(void)opts;
	(void)res;
	ipt_text_printf(out, " connmark match %s ",
			m->inv & IPT_F_VALUE ? "!" : "");
	connmark_value(m, out);
}

/* What "iptables -m connmark -h" prints after its first line */
static const char connmark_help[] =
"[!] --mark value[/mask]    Match ctmark value with optional mask\n";

const struct match_ext ipt_connmark_match = {
	.name = "connmark",
	.opts = connmark_opts,
	.help = connmark_help,
	.opt = mark_opt,		/* -m mark's (parse_match.c) */
	.check = connmark_check,
	.save = connmark_save,
	.list = connmark_list,
};
