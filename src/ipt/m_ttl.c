// SPDX-License-Identifier: MIT
/*
 * m_ttl.c - the -m ttl match: --ttl-eq, --ttl-gt, --ttl-lt
 *
 * Owns the words of ttl (iptables-legacy 1.8.9): one of the three (and
 * --ttl, the old name of --ttl-eq, which the reference still takes), a
 * number 0-255 (0x hex, 0 octal); only --ttl-eq may be negated (the
 * kernel's "not equal"). -L prints "TTL match TTL == 64" (!=, <, >).
 */
#include <stdio.h>

#include "ipt/ipt.h"
#include "ipt/parsing.h"

static const struct ext_opt ttl_opts[] = {
	{ "ttl-eq", IPT_TTL_EQ, 1, true }, { "ttl-lt", IPT_TTL_LT, 1, false },
	{ "ttl-gt", IPT_TTL_GT, 1, false },
	{ "ttl", IPT_TTL_EQ, 1, true },	/* the old name of --ttl-eq */
	{ NULL, 0, 0, false },
};

static const char *const ttl_words[] = {
	[IPT_TTL_EQ] = "eq", [IPT_TTL_LT] = "lt", [IPT_TTL_GT] = "gt",
};

static int ttl_opt(struct parse *p, struct ipt_match *m,
		   const struct ext_opt *o, const char *const *a)
{
	uint32_t v;

	if (m->set & IPT_F_VALUE)
		return fail(p, "-m ttl takes only one of --ttl-eq, --ttl-lt "
			    "and --ttl-gt");
	if (!u32_parse(a[0], 255, &v))
		return fail(p, "bad value '%s' for --%s (0-255)", a[0],
			    o->name);
	m->u.ttl.mode = o->id;
	m->u.ttl.value = (uint8_t)v;
	m->set |= IPT_F_VALUE;
	if (p->inv)
		m->inv |= IPT_F_VALUE;
	return 0;
}

static int ttl_check(struct parse *p, const struct ipt_match *m)
{
	if (!(m->set & IPT_F_VALUE))
		return fail(p, "-m ttl needs --ttl-eq, --ttl-lt or --ttl-gt");
	return 0;
}

static const char *ttl_word(uint8_t mode)
{
	return mode <= IPT_TTL_GT ? ttl_words[mode] : "eq";
}

static void ttl_save(const struct ipt_rule *r, const struct ipt_match *m,
		     struct ipt_text *out)
{
	(void)r;
	ipt_text_printf(out, " -m ttl%s --ttl-%s %u",
			m->inv & IPT_F_VALUE ? " !" : "",
			ttl_word(m->u.ttl.mode), m->u.ttl.value);
}

static void ttl_list(const struct ipt_rule *r, const struct ipt_match *m,
		     unsigned opts, const struct ipt_resolver *res,
		     struct ipt_text *out)
{
	static const char *const op[] = {
		[IPT_TTL_EQ] = "==", [IPT_TTL_LT] = "<", [IPT_TTL_GT] = ">",
	};
	uint8_t mode = m->u.ttl.mode <= IPT_TTL_GT ? m->u.ttl.mode : 0;

	(void)r;
	(void)opts;
	(void)res;
	ipt_text_printf(out, " TTL match TTL %s %u",
			m->inv & IPT_F_VALUE ? "!=" : op[mode], m->u.ttl.value);
}

/* What "iptables -m ttl -h" prints after its first line */
static const char ttl_help[] =
"[!] --ttl-eq value\tMatch time to live value\n"
"  --ttl-lt value\tMatch TTL < value\n"
"  --ttl-gt value\tMatch TTL > value\n"
"[!] --ttl value\t\told name of --ttl-eq\n";

const struct match_ext ipt_ttl_match = {
	.name = "ttl",
	.opts = ttl_opts,
	.help = ttl_help,
	.opt = ttl_opt,
	.check = ttl_check,
	.save = ttl_save,
	.list = ttl_list,
};
