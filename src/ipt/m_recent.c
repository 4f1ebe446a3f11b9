// SPDX-License-Identifier: MIT
/*
 * m_recent.c - the recent match: its options, checks and printed forms
 *
 * `-m recent` keeps lists of addresses recently seen (the engine's
 * src/engine/recent.c holds them; fwm_recent.c asks them for a packet).
 * This file is the language: iptables-legacy 1.8.9's libxt_recent
 * options, its refusals (exit 2: one of --set, --rcheck, --update and
 * --remove, --rttl only with --rcheck or --update, --reap only with
 * --seconds, each option once), the kernel's checkentry's (exit 1,
 * "Invalid argument": --seconds, --hitcount, --reap and --rttl with --set
 * or --remove; a name that is empty, "." or "..", or has a '/'; a
 * --hitcount over IPT_RECENT_HITCOUNT_MAX), and the -S/iptables-save and
 * -L forms, checked against the reference (tests/ipt/golden/41-recent).
 *
 * The name (up to 199 characters; a longer one is cut, as iptables cuts
 * it) lives in the rule's text slots, as comments do (ipt.h), so a rule
 * holds IPT_MAX_COMMENTS of comments and names together. No --name is
 * the list "DEFAULT", kept as IPT_RECENT_DEFAULT and printed so.
 *
 * One difference from the reference, on purpose: a name with a blank or
 * a quote is written quoted in -S and iptables-save (iptables writes it
 * bare, which iptables-restore then splits into two words).
 */
#include <stdio.h>
#include <string.h>

#include "ipt/ipt.h"
#include "ipt/parsing.h"

enum { R_SET, R_RCHECK, R_UPDATE, R_REMOVE, R_SECONDS, R_REAP, R_HITCOUNT,
       R_RTTL, R_NAME, R_MASK, R_RSOURCE, R_RDEST };

static const struct ext_opt recent_opts[] = {
	{ "set", R_SET, 0, true }, { "rcheck", R_RCHECK, 0, true },
	{ "update", R_UPDATE, 0, true }, { "remove", R_REMOVE, 0, true },
	{ "seconds", R_SECONDS, 1, false }, { "reap", R_REAP, 0, false },
	{ "hitcount", R_HITCOUNT, 1, false }, { "rttl", R_RTTL, 0, false },
	{ "name", R_NAME, 1, false }, { "mask", R_MASK, 1, false },
	{ "rsource", R_RSOURCE, 0, false }, { "rdest", R_RDEST, 0, false },
	{ NULL, 0, 0, false },
};

#define MODES	(IPT_RECENT_CHECK | IPT_RECENT_SET | IPT_RECENT_UPDATE | \
		 IPT_RECENT_REMOVE)

/* The option that set mode bit @bit, as iptables names it */
static const char *mode_option(uint8_t bit)
{
	return bit & IPT_RECENT_SET ? "--set" :
	       bit & IPT_RECENT_CHECK ? "--rcheck" :
	       bit & IPT_RECENT_UPDATE ? "--update" : "--remove";
}

/* --set, --rcheck, --update, --remove: one of them, negated as a whole */
static int recent_mode(struct parse *p, struct ipt_match *m, uint8_t bit,
		       const char *show)
{
	if (m->u.recent.flags & MODES)
		return fail(p, "recent: option \"%s\" cannot be used together "
			    "with \"%s\"", show,
			    mode_option(m->u.recent.flags & MODES));
	if ((m->u.recent.flags & IPT_RECENT_TTL) &&
	    (bit & (IPT_RECENT_SET | IPT_RECENT_REMOVE)))
		return fail(p, "recent: option \"--rttl\" cannot be used "
			    "together with \"%s\"", show);
	m->u.recent.flags |= bit;
	if (p->inv)
		m->inv |= IPT_F_VALUE;
	return 0;
}

/*
 * --name: into a text slot of the rule, cut at 199 characters; "DEFAULT"
 * takes none (it is what no --name means, and what -S prints for it: a
 * saved rule must not need more slots to read back than it had)
 */
static int recent_name(struct parse *p, struct ipt_match *m, const char *arg)
{
	struct ipt_rule *r = &p->cmd->rule;

	if (!strcmp(arg, "DEFAULT")) {
		m->u.recent.name = IPT_RECENT_DEFAULT;
		return 0;
	}
	if (r->ncomments >= IPT_MAX_COMMENTS)
		return fail(p, "recent: at most %d texts per rule (-m comment "
			    "and -m recent --name together)",
			    IPT_MAX_COMMENTS);
	if (text_copy(p, "--name", arg, r->comments[r->ncomments],
		      IPT_RECENT_NAME_LEN))
		return -1;
	m->u.recent.name = r->ncomments++;
	return 0;
}

/*
 * --seconds 1-4294967295, --hitcount 0-4294967295; also -1 to -2147483648,
 * as iptables prints those above 2^31 (signed), so that its saved text
 * reads back (iptables itself refuses what it printed)
 */
static int recent_number(struct parse *p, const char *show, const char *arg,
			 uint32_t min, uint32_t *out)
{
	uint32_t neg;

	if (arg[0] == '-' && u32_parse(arg + 1, 1u << 31, &neg) && neg) {
		*out = (uint32_t)-neg;
		return 0;
	}
	if (!u32_parse(arg, UINT32_MAX, out) || *out < min)
		return fail(p, "recent: bad value for option \"%s\", or out of "
			    "range (%u-4294967295).", show, min);
	return 0;
}

static int recent_opt(struct parse *p, struct ipt_match *m,
		      const struct ext_opt *o, const char *const *a)
{
	static const uint8_t mode_bits[] = {
		[R_SET] = IPT_RECENT_SET, [R_RCHECK] = IPT_RECENT_CHECK,
		[R_UPDATE] = IPT_RECENT_UPDATE, [R_REMOVE] = IPT_RECENT_REMOVE,
	};

	switch (o->id) {
	case R_SET: case R_RCHECK: case R_UPDATE: case R_REMOVE: {
		char show[16];

		snprintf(show, sizeof(show), "--%s", o->name);
		return recent_mode(p, m, mode_bits[o->id], show);
	}
	case R_SECONDS:
		return recent_number(p, "--seconds", a[0], 1,
				     &m->u.recent.seconds);
	case R_HITCOUNT:
		return recent_number(p, "--hitcount", a[0], 0,
				     &m->u.recent.hitcount);
	case R_REAP:
		m->u.recent.flags |= IPT_RECENT_REAP;
		return 0;
	case R_RTTL:
		if (m->u.recent.flags & (IPT_RECENT_SET | IPT_RECENT_REMOVE))
			return fail(p, "recent: option \"--rttl\" cannot be "
				    "used together with \"%s\"",
				    mode_option(m->u.recent.flags & MODES));
		m->u.recent.flags |= IPT_RECENT_TTL;
		return 0;
	case R_NAME:
		return recent_name(p, m, a[0]);
	case R_MASK:
		if (!ip_parse(a[0], 4, &m->u.recent.mask))
			return fail(p, "recent: bad --mask '%.40s' (an address "
				    "such as 255.255.255.0)", a[0]);
		return 0;
	default:			/* the last of --rsource, --rdest wins */
		m->u.recent.dest = o->id == R_RDEST;
		return 0;
	}
}

/* libxt_recent's final check: exit 2 */
static int recent_check(struct parse *p, const struct ipt_match *m)
{
	if (!(m->u.recent.flags & MODES))
		return fail(p, "recent: you must specify one of `--set', "
			    "`--rcheck' `--update' or `--remove'");
	if ((m->u.recent.flags & IPT_RECENT_REAP) && !m->u.recent.seconds)
		return fail(p, "recent: option \"--reap\" also requires "
			    "\"--seconds\".");
	return 0;
}

static void recent_init(struct ipt_match *m)
{
	m->u.recent.mask = UINT32_MAX;
	m->u.recent.name = IPT_RECENT_DEFAULT;
}

/*
 * xt_recent's checkentry (the kernel's, so iptables exits 1): modifiers
 * only with --rcheck and --update, a name that can be a /proc file, a
 * hit count the lists keep stamps for
 */
static int recent_kcheck(const struct ipt_rule *r, const struct ipt_match *m,
			 struct ipt_err *err)
{
	const char *name = ipt_recent_name(r, m);
	const char *why = NULL;

	if ((m->u.recent.flags & (IPT_RECENT_SET | IPT_RECENT_REMOVE)) &&
	    (m->u.recent.seconds || m->u.recent.hitcount ||
	     (m->u.recent.flags & (IPT_RECENT_TTL | IPT_RECENT_REAP))))
		why = "--seconds, --hitcount, --reap and --rttl go only with "
		      "--rcheck and --update";
	else if (!*name || !strcmp(name, ".") || !strcmp(name, "..") ||
		 strchr(name, '/'))
		why = "a list's name may not be empty, \".\" or \"..\", nor "
		      "hold a '/'";
	else if (m->u.recent.hitcount > IPT_RECENT_HITCOUNT_MAX)
		why = "--hitcount is at most 255 (the stamps a list keeps per "
		      "address)";
	if (!why)
		return 0;
	snprintf(err->msg, sizeof(err->msg), "recent: Invalid argument: %s",
		 why);
	return -1;
}

static void put_mask(struct ipt_text *out, uint32_t a)
{
	ipt_text_printf(out, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255,
			(a >> 8) & 255, a & 255);
}

/* The name as one word ipt_split() reads back: quoted when it must be */
static void put_name(struct ipt_text *out, const char *s)
{
	if (*s && !strpbrk(s, " \t\v\f\"'\\")) {
		ipt_text_printf(out, "%s", s);
		return;
	}
	ipt_text_printf(out, "\"");
	for (; *s; s++)
		ipt_text_printf(out, "%s%c", strchr("\"'\\", *s) ? "\\" : "",
				*s);
	ipt_text_printf(out, "\"");
}

/* --seconds, --reap, --hitcount, --rttl: how -S and -L write each */
struct modifier_words {
	const char *seconds, *reap, *hitcount, *ttl;
};
static const struct modifier_words save_words = {
	" --seconds %d", " --reap", " --hitcount %d", " --rttl",
};
static const struct modifier_words list_words = {
	"seconds: %d ", "reap ", "hit_count: %d ", "TTL-Match ",
};

/* The modifiers given, in iptables' order; numbers signed, as it prints */
static void put_modifiers(struct ipt_text *out, const struct ipt_match *m,
			  const struct modifier_words *w)
{
	uint8_t f = m->u.recent.flags;

	if (m->u.recent.seconds)
		ipt_text_printf(out, w->seconds, (int32_t)m->u.recent.seconds);
	if (f & IPT_RECENT_REAP)
		ipt_text_printf(out, "%s", w->reap);
	if (m->u.recent.hitcount)
		ipt_text_printf(out, w->hitcount, (int32_t)m->u.recent.hitcount);
	if (f & IPT_RECENT_TTL)
		ipt_text_printf(out, "%s", w->ttl);
}

static void recent_save(const struct ipt_rule *r, const struct ipt_match *m,
			struct ipt_text *out)
{
	uint8_t f = m->u.recent.flags;

	ipt_text_printf(out, " -m recent%s %s",
			m->inv & IPT_F_VALUE ? " !" : "",
			mode_option(f & MODES));
	put_modifiers(out, m, &save_words);
	ipt_text_printf(out, " --name ");
	put_name(out, ipt_recent_name(r, m));
	ipt_text_printf(out, " --mask ");
	put_mask(out, m->u.recent.mask);
	ipt_text_printf(out, " --%s", m->u.recent.dest ? "rdest" : "rsource");
}

static void recent_list(const struct ipt_rule *r, const struct ipt_match *m,
			unsigned opts, const struct ipt_resolver *res,
			struct ipt_text *out)
{
	static const char *const modes[] = { "CHECK", "SET", "UPDATE",
					     "REMOVE" };
	uint8_t f = m->u.recent.flags;

	(void)opts;
	(void)res;
	ipt_text_printf(out, " %srecent: %s ", m->inv & IPT_F_VALUE ? "! " : "",
			modes[__builtin_ctz((f & MODES) | 0x10) & 3]);
	put_modifiers(out, m, &list_words);
	ipt_text_printf(out, "name: %s side: %s mask: ", ipt_recent_name(r, m),
			m->u.recent.dest ? "dest" : "source");
	put_mask(out, m->u.recent.mask);
}

static bool recent_equal(const struct ipt_rule *ra, const struct ipt_match *a,
			 const struct ipt_rule *rb, const struct ipt_match *b)
{
	return a->u.recent.seconds == b->u.recent.seconds &&
	       a->u.recent.hitcount == b->u.recent.hitcount &&
	       a->u.recent.mask == b->u.recent.mask &&
	       a->u.recent.flags == b->u.recent.flags &&
	       a->u.recent.dest == b->u.recent.dest &&
	       !strcmp(ipt_recent_name(ra, a), ipt_recent_name(rb, b));
}

/* What "iptables -m recent -h" prints after its first line */
static const char recent_help[] =
"[!] --set                       Add source address to list, always matches.\n"
"[!] --rcheck                    Match if source address in list.\n"
"[!] --update                    Match if source address in list, also update\n"
"                                last-seen time.\n"
"[!] --remove                    Match if source address in list, also remove\n"
"                                it from the list.\n"
"    --seconds seconds           With --rcheck or --update: only if last seen\n"
"                                within the last \'seconds\' seconds.\n"
"    --reap                      With --seconds: purge entries older than that.\n"
"    --hitcount hits             With --rcheck or --update: only if seen at\n"
"                                least \'hits\' times.\n"
"    --rttl                      With --rcheck or --update: only if the TTL is\n"
"                                the one the address was set with.\n"
"    --name name                 Name of the list (DEFAULT if none given).\n"
"    --rsource                   Match/save the source address (default).\n"
"    --rdest                     Match/save the destination address.\n"
"    --mask netmask              Netmask applied to the addresses of the list.\n";

const struct match_ext ipt_recent_match = {
	.name = "recent",
	.opts = recent_opts,
	.help = recent_help,
	.opt = recent_opt,
	.check = recent_check,
	.init = recent_init,
	.save = recent_save,
	.list = recent_list,
	.equal = recent_equal,
	.kcheck = recent_kcheck,
};
