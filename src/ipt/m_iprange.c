// SPDX-License-Identifier: MIT
/*
 * m_iprange.c - the -m iprange match: --src-range, --dst-range
 *
 * Owns the words of iprange (revision 1, iptables-legacy 1.8.9): "A-B"
 * or "A" (meaning A-A), numeric addresses only (no mask, no names) of 1
 * to 4 parts, the missing ones 0 ("1.2.3" is 1.2.3.0), blanks before
 * each taken and none after (as the reference reads them), each option
 * once and either negatable. A reversed range is taken, as the
 * reference takes it (the kernel warns that it never matches), and kept
 * as written. Addresses are host order here, as everywhere in libipt.
 */
#include <stdio.h>
#include <string.h>

#include "ipt/ipt.h"
#include "ipt/parsing.h"

static const struct ext_opt iprange_opts[] = {
	{ "src-range", IPT_F_SRC, 1, true }, { "dst-range", IPT_F_DST, 1, true },
	{ NULL, 0, 0, false },
};

/* One address of a range: blanks first are skipped, as strtoul would */
static bool range_end(const char *s, uint32_t *a)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return ip_parse(s, 1, a);
}

/* "A-B" or "A" into @lo, @hi */
static int range_parse(struct parse *p, const char *show, const char *arg,
		       uint32_t *lo, uint32_t *hi)
{
	const char *dash = strchr(arg, '-');
	char first[32];

	if (!piece(arg, dash ? (size_t)(dash - arg) : strlen(arg), first,
		   sizeof(first)) || !range_end(first, lo) ||
	    (dash && !range_end(dash + 1, hi)))
		return fail(p, "bad value '%s' for %s (want A-B)", arg, show);
	if (!dash)
		*hi = *lo;
	return 0;
}

static int iprange_opt(struct parse *p, struct ipt_match *m,
		       const struct ext_opt *o, const char *const *a)
{
	bool src = o->id == IPT_F_SRC;

	if (range_parse(p, src ? "--src-range" : "--dst-range", a[0],
			&m->u.iprange.lo[!src], &m->u.iprange.hi[!src]))
		return -1;
	m->set |= o->id;
	if (p->inv)
		m->inv |= o->id;
	return 0;
}

static int iprange_check(struct parse *p, const struct ipt_match *m)
{
	if (!(m->set & (IPT_F_SRC | IPT_F_DST)))
		return fail(p, "-m iprange needs --src-range or --dst-range");
	return 0;
}

static void put_range(struct ipt_text *out, uint32_t lo, uint32_t hi)
{
	ipt_text_printf(out, "%u.%u.%u.%u-%u.%u.%u.%u", lo >> 24,
			(lo >> 16) & 0xff, (lo >> 8) & 0xff, lo & 0xff,
			hi >> 24, (hi >> 16) & 0xff, (hi >> 8) & 0xff,
			hi & 0xff);
}

/*
 * Both ranges, the way -S words them (@save: "! --src-range A-B") or -L
 * does ("source IP range ! A-B")
 */
static void put_ranges(struct ipt_text *out, const struct ipt_match *m,
		       bool save)
{
	static const char *const words[2][2] = {
		{ "source IP range", "destination IP range" },
		{ "--src-range", "--dst-range" },
	};
	for (int i = 0; i < 2; i++) {
		uint16_t bit = i ? IPT_F_DST : IPT_F_SRC;
		bool inv = m->inv & bit;

		if (!(m->set & bit))
			continue;
		if (save)
			ipt_text_printf(out, "%s %s ", inv ? " !" : "",
					words[1][i]);
		else
			ipt_text_printf(out, " %s %s", words[0][i],
					inv ? "! " : "");
		put_range(out, m->u.iprange.lo[i], m->u.iprange.hi[i]);
	}
}

static void iprange_save(const struct ipt_rule *r, const struct ipt_match *m,
			 struct ipt_text *out)
{
	(void)r;
	ipt_text_printf(out, " -m iprange");
	put_ranges(out, m, true);
}

static void iprange_list(const struct ipt_rule *r, const struct ipt_match *m,
			 unsigned opts, const struct ipt_resolver *res,
			 struct ipt_text *out)
{
	(void)r;
	(void)opts;
	(void)res;
	put_ranges(out, m, false);
}

/* What "iptables -m iprange -h" prints after its first line */
static const char iprange_help[] =
"[!] --src-range ip[-ip]    Match source IP in the specified range\n"
"[!] --dst-range ip[-ip]    Match destination IP in the specified range\n";

const struct match_ext ipt_iprange_match = {
	.name = "iprange",
	.opts = iprange_opts,
	.help = iprange_help,
	.opt = iprange_opt,
	.check = iprange_check,
	.save = iprange_save,
	.list = iprange_list,
};
