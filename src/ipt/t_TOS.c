// SPDX-License-Identifier: MIT
/*
 * t_TOS.c - the -j TOS target: --set-tos, --and-tos, --or-tos, --xor-tos
 *
 * Owns the words of TOS (revision 1, iptables-legacy 1.8.9). Every form
 * becomes tos = (tos & ~mask) ^ value, as the kernel keeps it, and -S and
 * iptables-save print them all as "--set-tos 0xVV/0xMM": --set-tos v[/m]
 * or a name (m: 0xff for a number alone, 0x3f for a name, m_tos.c's
 * tos_parse()), --and-tos b: 0/~b, --or-tos b: b/b, --xor-tos b: b/0
 * (b 0-255, numbers only). -L -n prints "TOS set 0xVV/0xMM"; -L the
 * simplest of a name ("TOS setMinimize-Delay", after two spaces, as the
 * reference), "and", "or", "xor" and "set". The mangle table only
 * (ruleset.c). The engine rewrites the byte (src/engine/fwt_header.c).
 */
#include <stdio.h>

#include "ipt/ipt.h"
#include "ipt/parsing.h"

enum { TOS_SET, TOS_AND, TOS_OR, TOS_XOR };
static const struct ext_opt tos_target_opts[] = {
	{ "set-tos", TOS_SET, 1, false }, { "and-tos", TOS_AND, 1, false },
	{ "or-tos", TOS_OR, 1, false }, { "xor-tos", TOS_XOR, 1, false },
	{ NULL, 0, 0, false },
};

static int tos_target_opt(struct parse *p, struct ipt_target *t,
			  const struct ext_opt *o, const char *const *a)
{
	uint32_t b;

	if (p->tseen)
		return fail(p, "TOS takes only one of --set-tos, --and-tos, "
			    "--or-tos and --xor-tos");
	if (o->id == TOS_SET)
		return tos_parse(p, "--set-tos", a[0], &t->u.tos.value,
				 &t->u.tos.mask);
	if (!u32_parse(a[0], 0xff, &b))
		return fail(p, "bad value '%s' for --%s (0-255)", a[0],
			    o->name);
	t->u.tos.value = o->id == TOS_AND ? 0 : (uint8_t)b;
	t->u.tos.mask = o->id == TOS_AND ? (uint8_t)~b :
			o->id == TOS_OR ? (uint8_t)b : 0;
	return 0;
}

static int tos_target_check(struct parse *p, const struct ipt_target *t)
{
	(void)t;
	if (!p->tseen)
		return fail(p, "TOS needs one of --set-tos, --and-tos, "
			    "--or-tos and --xor-tos");
	return 0;
}

static void tos_target_save(const struct ipt_target *t, struct ipt_text *out)
{
	ipt_text_printf(out, " --set-tos 0x%02x/0x%02x", t->u.tos.value,
			t->u.tos.mask);
}

static void tos_target_list(const struct ipt_target *t, unsigned opts,
			    struct ipt_text *out)
{
	uint8_t v = t->u.tos.value, m = t->u.tos.mask;
	const char *name = tos_name(v, m);

	if (opts & IPT_OPT_NUMERIC)
		ipt_text_printf(out, " TOS set 0x%02x/0x%02x", v, m);
	else if (name)
		ipt_text_printf(out, "  TOS set%s", name);
	else if (!v)
		ipt_text_printf(out, " TOS and 0x%02x", (uint8_t)~m);
	else if (v == m)
		ipt_text_printf(out, " TOS or 0x%02x", v);
	else if (!m)
		ipt_text_printf(out, " TOS xor 0x%02x", v);
	else
		ipt_text_printf(out, " TOS set 0x%02x/0x%02x", v, m);
}

/* What "iptables -j TOS -h" prints after its first line */
static const char tos_target_help[] =
"  --set-tos value[/mask]  Set Type of Service/Priority field to value\n"
"                          (Zero out bits in mask and XOR value into TOS)\n"
"  --set-tos symbol        Set TOS field (IPv4 only) by symbol\n"
"                          (this zeroes the 4-bit Precedence part!)\n"
"                          Names as for -m tos: Minimize-Delay,\n"
"                          Maximize-Throughput, Maximize-Reliability,\n"
"                          Minimize-Cost, Normal-Service\n"
"  --and-tos bits          Binary AND the TOS value with bits\n"
"  --or-tos  bits          Binary OR the TOS value with bits\n"
"  --xor-tos bits          Binary XOR the TOS value with bits\n";

const struct target_ext ipt_TOS_target = {
	.name = "TOS",
	.opts = tos_target_opts,
	.help = tos_target_help,
	.opt = tos_target_opt,
	.check = tos_target_check,
	.save = tos_target_save,
	.list = tos_target_list,
};
