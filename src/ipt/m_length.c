// SPDX-License-Identifier: MIT
/*
 * m_length.c - the -m length match: --length a[:b]
 *
 * Owns the words of length (iptables-legacy 1.8.9): the IP total length,
 * "a" (a:a), "a:b", ":b" (0:b), "a:" (a:65535), numbers as strtoul reads
 * them (0x hex, 0 octal). The reference also takes ":" (0:65535), "" (0)
 * and a reversed range (which never matches), so masq does too. -S prints
 * "a" or "a:b", -L "length a:b", a "!" right before the numbers.
 */
#include <stdio.h>
#include <string.h>

#include "ipt/ipt.h"
#include "ipt/parsing.h"

static const struct ext_opt length_opts[] = {
	{ "length", 0, 1, true },
	{ NULL, 0, 0, false },
};

/* One end of the range: "" is @dflt */
static bool length_end(const char *s, size_t len, uint16_t dflt, uint16_t *v)
{
	char buf[32];
	uint32_t n;

	if (!len) {
		*v = dflt;
		return true;
	}
	if (!piece(s, len, buf, sizeof(buf)) || !u32_parse(buf, 65535, &n))
		return false;
	*v = (uint16_t)n;
	return true;
}

static int length_opt(struct parse *p, struct ipt_match *m,
		      const struct ext_opt *o, const char *const *a)
{
	const char *colon = strchr(a[0], ':');
	size_t l = colon ? (size_t)(colon - a[0]) : strlen(a[0]);

	(void)o;
	if (!length_end(a[0], l, 0, &m->u.length.lo) ||
	    (colon && !length_end(colon + 1, strlen(colon + 1), 65535,
				  &m->u.length.hi)))
		return fail(p, "bad value '%s' for --length (0-65535, a:b)",
			    a[0]);
	if (!colon)
		m->u.length.hi = m->u.length.lo;
	m->set |= IPT_F_VALUE;
	if (p->inv)
		m->inv |= IPT_F_VALUE;
	return 0;
}

static int length_check(struct parse *p, const struct ipt_match *m)
{
	if (!(m->set & IPT_F_VALUE))
		return fail(p, "-m length needs --length");
	return 0;
}

static void put_length(struct ipt_text *out, const struct ipt_match *m)
{
	if (m->u.length.lo == m->u.length.hi)
		ipt_text_printf(out, "%u", m->u.length.lo);
	else
		ipt_text_printf(out, "%u:%u", m->u.length.lo, m->u.length.hi);
}

static void length_save(const struct ipt_rule *r, const struct ipt_match *m,
			struct ipt_text *out)
{
	(void)r;
	ipt_text_printf(out, " -m length%s --length ",
			m->inv & IPT_F_VALUE ? " !" : "");
	put_length(out, m);
}

/* "length 100", "length !100:200" */
static void length_list(const struct ipt_rule *r, const struct ipt_match *m,
			unsigned opts, const struct ipt_resolver *res,
			struct ipt_text *out)
{
	(void)r;
	(void)opts;
	(void)res;
	ipt_text_printf(out, " length %s", m->inv & IPT_F_VALUE ? "!" : "");
	put_length(out, m);
}

/* What "iptables -m length -h" prints after its first line */
static const char length_help[] =
"[!] --length length[:length]    Match packet length against value or range\n"
"                                of values (inclusive)\n";

const struct match_ext ipt_length_match = {
	.name = "length",
	.opts = length_opts,
	.help = length_help,
	.opt = length_opt,
	.check = length_check,
	.save = length_save,
	.list = length_list,
};
