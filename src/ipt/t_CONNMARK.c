// SPDX-License-Identifier: MIT
/*
 * t_CONNMARK.c - the -j CONNMARK target: set, save and restore a
 * connection's mark
 *
 * Owns ipt_CONNMARK_target (ext.h), as iptables-legacy 1.8.9 reads it
 * into xt_connmark_tginfo1 (revision 1: the shift options of revision 2,
 * --left-shift-mark and --right-shift-mark, are refused by name):
 *
 *	--set-xmark v[/m]	SET, ctmark v, ctmask m (default ~0)
 *	--set-mark v[/m]	SET, ctmark v, ctmask m | v
 *	--and-mark v		SET, ctmark 0, ctmask ~v
 *	--or-mark v		SET, ctmark v, ctmask v
 *	--xor-mark v		SET, ctmark v, ctmask 0
 *	--save-mark		SAVE
 *	--restore-mark		RESTORE
 *	--nfmask m, --ctmask m	that mask; --mask m both (not with them)
 *
 * The options act in the order given, as the reference's parser does:
 * "--set-mark 1 --mask 0xff" is ctmark 1/ctmask 0xff, "--mask 0xff
 * --set-mark 1" ctmask 0xffffffff. Both masks start all ones. Exactly
 * one operation, none negated, each option once.
 *
 * -S prints the canonical forms (--set-xmark v/m; --save-mark or
 * --restore-mark with --nfmask and --ctmask); -L the reference's short
 * words (set, and, or, xor, xset; save/restore with mask, or nfmask and
 * ctmask ~). The engine's action is src/engine/fwt_CONNMARK.c's.
 */
#include <stdio.h>

#include "ipt/ipt.h"
#include "ipt/parsing.h"

enum { CM_SET_XMARK, CM_SET_MARK, CM_AND, CM_OR, CM_XOR, CM_SAVE,
       CM_RESTORE, CM_NFMASK, CM_CTMASK, CM_MASK };
#define CM_OPS		0x7f	/* the operations' option bits */
#define CM_SET_OPS	0x1f	/* ... of those that set (SET mode) */
#define CM_MASKS	((1u << CM_NFMASK) | (1u << CM_CTMASK))

static const struct ext_opt connmark_target_opts[] = {
	{ "set-xmark", CM_SET_XMARK, 1, false },
	{ "set-mark", CM_SET_MARK, 1, false },
	{ "and-mark", CM_AND, 1, false },
	{ "or-mark", CM_OR, 1, false },
	{ "xor-mark", CM_XOR, 1, false },
	{ "save-mark", CM_SAVE, 0, false },
	{ "restore-mark", CM_RESTORE, 0, false },
	{ "nfmask", CM_NFMASK, 1, false },
	{ "ctmask", CM_CTMASK, 1, false },
	{ "mask", CM_MASK, 1, false },
	{ "left-shift-mark", OPT_UNSUPPORTED, 1, false },
	{ "right-shift-mark", OPT_UNSUPPORTED, 1, false },
	{ NULL, 0, 0, false },
};

static void connmark_target_init(struct ipt_target *t)
{
	t->u.connmark.ctmask = ~0u;
	t->u.connmark.nfmask = ~0u;
}

/* The operation's values (@id: CM_SET_XMARK .. CM_XOR) */
static int connmark_set(struct parse *p, struct ipt_target *t, unsigned id,
			const char *show, const char *arg)
{
	uint32_t v, m;

	if (mark_parse(p, show, arg, id <= CM_SET_MARK, &v, &m))
		return -1;
	t->u.connmark.mode = IPT_CONNMARK_SET;
	t->u.connmark.ctmark = id == CM_AND ? 0 : v;
	t->u.connmark.ctmask = id == CM_SET_XMARK ? m :
			       id == CM_SET_MARK ? m | v :
			       id == CM_AND ? ~v : id == CM_OR ? v : 0;
	return 0;
}

static int connmark_target_opt1(struct parse *p, struct ipt_target *t,
				const struct ext_opt *o, const char *const *a)
{
	char show[24];
	uint32_t v;

	snprintf(show, sizeof(show), "--%s", o->name);
	if (o->id < CM_NFMASK && (p->tseen & CM_OPS))
		return fail(p, "CONNMARK takes only one of --set-xmark, "
			    "--set-mark, --and-mark, --or-mark, --xor-mark, "
			    "--save-mark and --restore-mark");
	if ((o->id == CM_MASK && (p->tseen & CM_MASKS)) ||
	    (o->id >= CM_NFMASK && o->id != CM_MASK &&
	     (p->tseen & (1u << CM_MASK))))
		return fail(p, "CONNMARK: --mask cannot be given with "
			    "--nfmask or --ctmask");
	if (o->id < CM_SAVE)
		return connmark_set(p, t, o->id, show, a[0]);
	if (o->id == CM_SAVE || o->id == CM_RESTORE) {
		t->u.connmark.mode = o->id == CM_SAVE ? IPT_CONNMARK_SAVE :
							IPT_CONNMARK_RESTORE;
		return 0;
	}
	if (!u32_parse(a[0], ~0u, &v))
		return fail(p, "bad value '%s' for %s", a[0], show);
	if (o->id != CM_CTMASK)
		t->u.connmark.nfmask = v;
	if (o->id != CM_NFMASK)
		t->u.connmark.ctmask = v;
	return 0;
}

/*
 * One option; then, in SET mode, --nfmask is all ones whatever was given:
 * SET ignores it and -S leaves it out, so the rule reads back the same
 */
static int connmark_target_opt(struct parse *p, struct ipt_target *t,
			       const struct ext_opt *o, const char *const *a)
{
	if (connmark_target_opt1(p, t, o, a))
		return -1;
	if ((p->tseen | 1u << o->id) & CM_SET_OPS)
		t->u.connmark.nfmask = ~0u;
	return 0;
}

static int connmark_target_check(struct parse *p, const struct ipt_target *t)
{
	(void)t;
	if (!(p->tseen & CM_OPS))
		return fail(p, "CONNMARK needs one of --set-xmark, --set-mark, "
			    "--and-mark, --or-mark, --xor-mark, --save-mark "
			    "and --restore-mark");
	return 0;
}

static void connmark_target_save(const struct ipt_target *t,
				 struct ipt_text *out)
{
	const char *op = t->u.connmark.mode == IPT_CONNMARK_SAVE ?
			 "--save-mark" : "--restore-mark";

	if (t->u.connmark.mode == IPT_CONNMARK_SET) {
		ipt_text_printf(out, " --set-xmark 0x%x/0x%x",
				t->u.connmark.ctmark, t->u.connmark.ctmask);
		return;
	}
	ipt_text_printf(out, " %s --nfmask 0x%x --ctmask 0x%x", op,
			t->u.connmark.nfmask, t->u.connmark.ctmask);
}

/* -L's words for SET, as the reference picks them (in this order) */
static void connmark_list_set(uint32_t v, uint32_t m, struct ipt_text *out)
{
	if (!v)
		ipt_text_printf(out, " CONNMARK and 0x%x", ~m);
	else if (v == m)
		ipt_text_printf(out, " CONNMARK or 0x%x", v);
	else if (!m)
		ipt_text_printf(out, " CONNMARK xor 0x%x", v);
	else if (m == ~0u)
		ipt_text_printf(out, " CONNMARK set 0x%x", v);
	else
		ipt_text_printf(out, " CONNMARK xset 0x%x/0x%x", v, m);
}

static void connmark_target_list(const struct ipt_target *t, unsigned opts,
				 struct ipt_text *out)
{
	uint32_t nf = t->u.connmark.nfmask, ct = t->u.connmark.ctmask;
	bool save = t->u.connmark.mode == IPT_CONNMARK_SAVE;

	(void)opts;
	if (t->u.connmark.mode == IPT_CONNMARK_SET) {
		connmark_list_set(t->u.connmark.ctmark, ct, out);
		return;
	}
	ipt_text_printf(out, " CONNMARK %s", save ? "save" : "restore");
	if (nf == ~0u && ct == ~0u)
		return;
	if (nf == ct)
		ipt_text_printf(out, " mask 0x%x", nf);
	else if (save)
		ipt_text_printf(out, " nfmask 0x%x ctmask ~0x%x", nf, ct);
	else
		ipt_text_printf(out, " ctmask 0x%x nfmask ~0x%x", ct, nf);
}

/* Masks SET ignores (--nfmask) do not tell two rules apart: -S drops them */
static bool connmark_target_equal(const struct ipt_target *a,
				  const struct ipt_target *b)
{
	if (a->u.connmark.mode != b->u.connmark.mode ||
	    a->u.connmark.ctmark != b->u.connmark.ctmark ||
	    a->u.connmark.ctmask != b->u.connmark.ctmask)
		return false;
	return a->u.connmark.mode == IPT_CONNMARK_SET ||
	       a->u.connmark.nfmask == b->u.connmark.nfmask;
}

/* What "iptables -j CONNMARK -h" prints after its first line */
static const char connmark_target_help[] =
"  --set-xmark value[/ctmask]    Zero mask bits and XOR ctmark with value\n"
"  --save-mark [--ctmask mask] [--nfmask mask]\n"
"                                Copy ctmark to nfmark using masks\n"
"  --restore-mark [--ctmask mask] [--nfmask mask]\n"
"                                Copy nfmark to ctmark using masks\n"
"  --set-mark value[/mask]       Set conntrack mark value\n"
"  --save-mark [--mask mask]     Save the packet nfmark in the connection\n"
"  --restore-mark [--mask mask]  Restore saved nfmark value\n"
"  --and-mark value              Binary AND the ctmark with bits\n"
"  --or-mark value               Binary OR  the ctmark with bits\n"
"  --xor-mark value              Binary XOR the ctmark with bits\n"
"  --left-shift-mark value       refused by masq (revision 2)\n"
"  --right-shift-mark value      refused by masq (revision 2)\n";

const struct target_ext ipt_CONNMARK_target = {
	.name = "CONNMARK",
	.opts = connmark_target_opts,
	.help = connmark_target_help,
	.opt = connmark_target_opt,
	.check = connmark_target_check,
	.init = connmark_target_init,
	.save = connmark_target_save,
	.list = connmark_target_list,
	.equal = connmark_target_equal,
};
