// SPDX-License-Identifier: MIT
/*
 * t_TTL.c - the -j TTL target: --ttl-set, --ttl-dec, --ttl-inc
 *
 * Owns the words of TTL (iptables-legacy 1.8.9): exactly one of the
 * three, --ttl-set 0-255, --ttl-dec and --ttl-inc 1-255 (numbers as
 * strtoul reads them). -S prints the option as given, -L "TTL set to N",
 * "TTL decrement by N", "TTL increment by N". The mangle table only
 * (ruleset.c). The engine rewrites the byte, a decrement stopping at 0
 * and an increment at 255 as the kernel's do (src/engine/fwt_header.c).
 */
#include <stdio.h>

#include "ipt/ipt.h"
#include "ipt/parsing.h"

static const struct ext_opt ttl_target_opts[] = {
	{ "ttl-set", IPT_TTL_SET, 1, false },
	{ "ttl-dec", IPT_TTL_DEC, 1, false },
	{ "ttl-inc", IPT_TTL_INC, 1, false },
	{ NULL, 0, 0, false },
};

static const char *const ttl_target_words[] = {
	[IPT_TTL_SET] = "set", [IPT_TTL_DEC] = "dec", [IPT_TTL_INC] = "inc",
};

static int ttl_target_opt(struct parse *p, struct ipt_target *t,
			  const struct ext_opt *o, const char *const *a)
{
	uint32_t v;

	if (p->tseen)
		return fail(p, "TTL takes only one of --ttl-set, --ttl-dec and "
			    "--ttl-inc");
	if (!u32_parse(a[0], 255, &v) || (o->id != IPT_TTL_SET && !v))
		return fail(p, "bad value '%s' for --%s (%s-255)", a[0],
			    o->name, o->id == IPT_TTL_SET ? "0" : "1");
	t->u.ttl.mode = o->id;
	t->u.ttl.value = (uint8_t)v;
	return 0;
}

static int ttl_target_check(struct parse *p, const struct ipt_target *t)
{
	(void)t;
	if (!p->tseen)
		return fail(p, "TTL needs one of --ttl-set, --ttl-dec and "
			    "--ttl-inc");
	return 0;
}

static uint8_t ttl_target_mode(const struct ipt_target *t)
{
	return t->u.ttl.mode >= IPT_TTL_SET && t->u.ttl.mode <= IPT_TTL_INC ?
	       t->u.ttl.mode : IPT_TTL_SET;
}

static void ttl_target_save(const struct ipt_target *t, struct ipt_text *out)
{
	ipt_text_printf(out, " --ttl-%s %u",
			ttl_target_words[ttl_target_mode(t)], t->u.ttl.value);
}

static void ttl_target_list(const struct ipt_target *t, unsigned opts,
			    struct ipt_text *out)
{
	static const char *const what[] = {
		[IPT_TTL_SET] = "set to", [IPT_TTL_DEC] = "decrement by",
		[IPT_TTL_INC] = "increment by",
	};

	(void)opts;
	ipt_text_printf(out, " TTL %s %u", what[ttl_target_mode(t)],
			t->u.ttl.value);
}

/* What "iptables -j TTL -h" prints after its first line */
static const char ttl_target_help[] =
"  --ttl-set value\t\tSet TTL to <value 0-255>\n"
"  --ttl-dec value\t\tDecrement TTL by <value 1-255>\n"
"  --ttl-inc value\t\tIncrement TTL by <value 1-255>\n";

const struct target_ext ipt_TTL_target = {
	.name = "TTL",
	.opts = ttl_target_opts,
	.help = ttl_target_help,
	.opt = ttl_target_opt,
	.check = ttl_target_check,
	.save = ttl_target_save,
	.list = ttl_target_list,
};
