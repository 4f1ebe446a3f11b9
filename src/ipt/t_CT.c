// SPDX-License-Identifier: MIT
/*
 * t_CT.c - the raw table's targets: CT (--notrack, --helper NAME) and
 *	    NOTRACK, its older spelling of CT --notrack
 *
 * Both are one extension in iptables-legacy 1.8.9 (libxt_CT: NOTRACK is
 * an alias whose -L target column says "CT"), so they share this file.
 * The kernel takes them in the raw table only, at any of its hooks; they
 * do not end the walk. What they mean to the engine (src/engine/raw.c):
 * NOTRACK makes the packet untracked (no connection, no NAT, state
 * UNTRACKED); --helper gives the connection the packet opens that
 * helper (src/engine/alg.c), whatever its port.
 *
 * What masq refuses, by name and with its reason: --zone, --zone-orig and
 * --zone-reply (one connection table, no zones), --ctevents and
 * --expevents (conntrack -E reports every event of every connection).
 * --timeout NAME is read and refused when the table is checked (exit
 * status 1, the kernel's when no such policy exists): masq has no timeout
 * policies, its timeouts are per class, set with `timeout`. A helper masq has not (it has ftp, irc and tftp), or one
 * without its protocol (-p tcp; udp for tftp), is kept as written and
 * refused when the table is checked, as the kernel refuses it when the
 * table is loaded (exit status 1), unless --notrack is given too.
 *
 * Printed as the reference prints them: -S "-j CT --notrack --helper
 * ftp", "-j NOTRACK"; -L "CT notrack helper ftp", "NOTRACK" (target
 * column CT), and a bare "-j CT" as " CT".
 */
#include <stdio.h>
#include <string.h>

#include "ipt/ipt.h"
#include "ipt/parsing.h"

enum { CT_NOTRACK, CT_HELPER, CT_ZONE, CT_EVENTS, CT_TIMEOUT };

static const struct ext_opt ct_opts[] = {
	{ "notrack", CT_NOTRACK, 0, false },
	{ "helper", CT_HELPER, 1, false },
	{ "zone", CT_ZONE, 1, false },
	{ "zone-orig", CT_ZONE, 1, false },
	{ "zone-reply", CT_ZONE, 1, false },
	{ "ctevents", CT_EVENTS, 1, false },
	{ "expevents", CT_EVENTS, 1, false },
	{ "timeout", CT_TIMEOUT, 1, false },
	{ NULL, 0, 0, false },
};

static const char *const helper_names[IPT_CT_HELPERS] = {
	[IPT_CT_HELPER_FTP] = "ftp", [IPT_CT_HELPER_IRC] = "irc",
	[IPT_CT_HELPER_TFTP] = "tftp",
};

/*
 * --helper NAME: kept as written ("" is none, as libxt_CT); a helper masq
 * has not is refused when the table is checked (ipt_ct_helper_check()),
 * as the kernel refuses it when the table is loaded: exit status 1
 */
static int ct_helper_parse(struct parse *p, struct ipt_target *t,
			   const char *name)
{
	if (!*name)
		return 0;
	if (has_blank(name))	/* no helper's name; could not be read back */
		return fail(p, "bad helper name '%s' for CT --helper", name);
	if (text_copy(p, "--helper", name, t->u.ct.name,
		      sizeof(t->u.ct.name)))
		return -1;
	t->u.ct.flags |= IPT_CT_HELPER;
	t->u.ct.helper = IPT_CT_HELPERS;
	for (int h = IPT_CT_HELPER_FTP; h < IPT_CT_HELPERS; h++)
		if (!strcmp(name, helper_names[h]))
			t->u.ct.helper = (uint8_t)h;
	return 0;
}

/**
 * ipt_ct_helper_check() - The kernel's check of CT --helper (xt_CT's
 * nf_conntrack_helper_try_module_get(): by name and protocol)
 * @t:		a CT target
 * @proto:	its rule's -p (0: any), @inv: negated
 * @err:	why not
 *
 * --notrack leaves the helper unlooked-for, as the kernel does.
 * Return: 0, or -1 when the kernel would refuse it (ENOENT)
 */
int ipt_ct_helper_check(const struct ipt_target *t, uint8_t proto, bool inv,
			struct ipt_err *err)
{
	uint8_t want = t->u.ct.helper == IPT_CT_HELPER_TFTP ? 17 : 6;

	if (t->u.ct.flags & IPT_CT_TIMEOUT) {
		if (err)
			snprintf(err->msg, sizeof(err->msg), "CT --timeout: "
				 "Invalid argument (masq has no timeout "
				 "policies: its timeouts are set by class, "
				 "masqctl timeout)");
		return -1;
	}
	if (!(t->u.ct.flags & IPT_CT_HELPER) ||
	    (t->u.ct.flags & IPT_CT_NOTRACK) ||
	    (t->u.ct.helper < IPT_CT_HELPERS && proto == want && !inv))
		return 0;
	if (err)
		snprintf(err->msg, sizeof(err->msg), "CT --helper %.16s: No "
			 "chain/target/match by that name (masq's helpers: "
			 "ftp and irc with -p tcp, tftp with -p udp)",
			 t->u.ct.name);
	return -1;
}

static int ct_opt(struct parse *p, struct ipt_target *t,
		  const struct ext_opt *o, const char *const *a)
{
	switch (o->id) {
	case CT_NOTRACK:
		t->u.ct.flags |= IPT_CT_NOTRACK;
		return 0;
	case CT_HELPER:
		return ct_helper_parse(p, t, a[0]);
	case CT_ZONE:
		return fail(p, "unsupported option --%s of CT: masq keeps one "
			    "connection table, with no zones", o->name);
	case CT_EVENTS:
		return fail(p, "unsupported option --%s of CT: masq reports "
			    "every event of every connection (conntrack -E)",
			    o->name);
	default:
		/* any policy name is the kernel's to refuse (exit status 1):
		 * masq has none (its timeouts are set by class) */
		t->u.ct.flags |= IPT_CT_TIMEOUT;
		return 0;
	}
}

static void ct_save(const struct ipt_target *t, struct ipt_text *out)
{
	if (t->u.ct.flags & IPT_CT_NOTRACK)
		ipt_text_printf(out, " --notrack");
	if (t->u.ct.flags & IPT_CT_HELPER)
		ipt_text_printf(out, " --helper %.16s", t->u.ct.name);
	if (t->u.ct.flags & IPT_CT_TIMEOUT)	/* never in a ruleset */
		ipt_text_printf(out, " --timeout none");
}

static void ct_list(const struct ipt_target *t, unsigned opts,
		    struct ipt_text *out)
{
	(void)opts;
	ipt_text_printf(out, " CT");
	if (t->u.ct.flags & IPT_CT_NOTRACK)
		ipt_text_printf(out, " notrack");
	if (t->u.ct.flags & IPT_CT_HELPER)
		ipt_text_printf(out, " helper %.16s", t->u.ct.name);
}

/* What "iptables -j CT -h" prints after its first line */
static const char ct_help[] =
" --notrack\t\t\tDon\'t track connection\n"
" --helper name\t\t\tUse conntrack helper \'name\' for connection\n"
"\t\t\t\t(masq has ftp, irc and tftp)\n"
" --timeout name \t\tUse timeout policy \'name\' (masq has none)\n"
" --ctevents event[,event...]\trefused by masq: every event is reported\n"
" --expevents event[,event...]\trefused by masq: every event is reported\n"
" --zone {ID|mark}\t\trefused by masq: one connection table\n"
" --zone-orig {ID|mark}\t\trefused by masq: one connection table\n"
" --zone-reply {ID|mark} \trefused by masq: one connection table\n";

const struct target_ext ipt_CT_target = {
	.name = "CT",
	.opts = ct_opts,
	.help = ct_help,
	.opt = ct_opt,
	.save = ct_save,
	.list = ct_list,
};

static void notrack_save(const struct ipt_target *t, struct ipt_text *out)
{
	(void)t;
	(void)out;
}

static void notrack_list(const struct ipt_target *t, unsigned opts,
			 struct ipt_text *out)
{
	(void)t;
	(void)opts;
	ipt_text_printf(out, " NOTRACK");
}

const struct target_ext ipt_NOTRACK_target = {
	.name = "NOTRACK",
	.list_name = "CT",
	.save = notrack_save,
	.list = notrack_list,
};
