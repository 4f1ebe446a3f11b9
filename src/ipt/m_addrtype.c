// SPDX-License-Identifier: MIT
/*
 * m_addrtype.c - the -m addrtype match: --src-type, --dst-type,
 *		  --limit-iface-in, --limit-iface-out
 *
 * Owns the words of addrtype (revision 1, iptables-legacy 1.8.9): a type
 * list is names of the kernel's route types (enum ipt_rtn), any case,
 * comma separated, kept as a bit each and printed upper case in the
 * kernel's order ("UNICAST,BROADCAST"); either list may be negated, the
 * --limit-iface-* flags may not, and only one of them may be given. At
 * least one list is needed. Which hooks may use a --limit-iface-* flag is
 * the kernel's check, made with the others in ruleset.c. What the types
 * mean on a packet is the engine's (src/engine/fwm_addrtype.c).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ipt/ipt.h"
#include "ipt/parsing.h"

enum { AT_SRC, AT_DST, AT_LIMIT_IN, AT_LIMIT_OUT };
static const struct ext_opt addrtype_opts[] = {
	{ "src-type", AT_SRC, 1, true }, { "dst-type", AT_DST, 1, true },
	{ "limit-iface-in", AT_LIMIT_IN, 0, false },
	{ "limit-iface-out", AT_LIMIT_OUT, 0, false },
	{ NULL, 0, 0, false },
};

static const char *const rtn_names[IPT_RTNS] = {
	"UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST",
	"BLACKHOLE", "UNREACHABLE", "PROHIBIT", "THROW", "NAT", "XRESOLVE",
};

/* One type name, any case: its bit, or 0 */
static uint16_t rtn_bit(const char *name, size_t len)
{
	for (int i = 0; i < IPT_RTNS; i++)
		if (strlen(rtn_names[i]) == len &&
		    !strncasecmp(name, rtn_names[i], len))
			return (uint16_t)(1u << i);
	return 0;
}

/* "LOCAL,unicast": the bits, or fail naming the bad type */
static int rtn_list_parse(struct parse *p, const char *show, const char *arg,
			  uint16_t *bits)
{
	const char *s = arg;

	*bits = 0;
	for (;;) {
		size_t len = strcspn(s, ",");
		uint16_t bit = rtn_bit(s, len);

		if (!bit)
			return fail(p, "bad type '%.*s' for %s", (int)len, s,
				    show);
		*bits |= bit;
		if (!s[len])
			return 0;
		s += len + 1;
	}
}

static int addrtype_opt(struct parse *p, struct ipt_match *m,
			const struct ext_opt *o, const char *const *a)
{
	static const uint16_t bit[] = {
		[AT_SRC] = IPT_F_SRC, [AT_DST] = IPT_F_DST,
		[AT_LIMIT_IN] = IPT_F_LIMIT_IN, [AT_LIMIT_OUT] = IPT_F_LIMIT_OUT,
	};

	if (o->id == AT_SRC &&
	    rtn_list_parse(p, "--src-type", a[0], &m->u.addrtype.src))
		return -1;
	if (o->id == AT_DST &&
	    rtn_list_parse(p, "--dst-type", a[0], &m->u.addrtype.dst))
		return -1;
	m->set |= bit[o->id];
	if (p->inv)
		m->inv |= bit[o->id];
	return 0;
}

static int addrtype_check(struct parse *p, const struct ipt_match *m)
{
	if (!(m->set & (IPT_F_SRC | IPT_F_DST)))
		return fail(p, "-m addrtype needs --src-type or --dst-type");
	if ((m->set & IPT_F_LIMIT_IN) && (m->set & IPT_F_LIMIT_OUT))
		return fail(p, "-m addrtype takes only one of --limit-iface-in "
			    "and --limit-iface-out");
	return 0;
}

static void put_rtn_list(struct ipt_text *out, uint16_t bits)
{
	const char *sep = "";

	for (int i = 0; i < IPT_RTNS; i++)
		if (bits & (1u << i)) {
			ipt_text_printf(out, "%s%s", sep, rtn_names[i]);
			sep = ",";
		}
}

/*
 * The match's options, the way -S words them (@save: "! --dst-type
 * LOCAL --limit-iface-in") or -L does ("dst-type !LOCAL limit-in")
 */
static void put_addrtype(struct ipt_text *out, const struct ipt_match *m,
			 bool save)
{
	static const char *const words[2][4] = {
		{ "src-type", "dst-type", "limit-in", "limit-out" },
		{ "--src-type", "--dst-type", "--limit-iface-in",
		  "--limit-iface-out" },
	};
	const uint16_t lists[2] = { m->u.addrtype.src, m->u.addrtype.dst };

	for (int i = 0; i < 4; i++) {
		uint16_t bit = (uint16_t)(1u << i);	/* IPT_F_SRC.. */
		bool inv = m->inv & bit;

		if (!(m->set & bit))
			continue;
		if (save)
			ipt_text_printf(out, "%s %s", inv ? " !" : "",
					words[1][i]);
		else
			ipt_text_printf(out, " %s", words[0][i]);
		if (i >= 2)
			continue;
		ipt_text_printf(out, " %s", !save && inv ? "!" : "");
		put_rtn_list(out, lists[i]);
	}
}

static void addrtype_save(const struct ipt_rule *r, const struct ipt_match *m,
			  struct ipt_text *out)
{
	(void)r;
	ipt_text_printf(out, " -m addrtype");
	put_addrtype(out, m, true);
}

/* "ADDRTYPE match src-type UNICAST dst-type !LOCAL limit-in" */
static void addrtype_list(const struct ipt_rule *r, const struct ipt_match *m,
			  unsigned opts, const struct ipt_resolver *res,
			  struct ipt_text *out)
{
	(void)r;
	(void)opts;
	(void)res;
	ipt_text_printf(out, " ADDRTYPE match");
	put_addrtype(out, m, false);
}

/* What "iptables -m addrtype -h" prints after its first line */
static const char addrtype_help[] =
" [!] --src-type type[,...]      Match source address type\n"
" [!] --dst-type type[,...]      Match destination address type\n"
"     --limit-iface-in           Match only on the packet\'s incoming device\n"
"     --limit-iface-out          Match only on the packet\'s outgoing device\n"
"\n"
"Valid types: UNSPEC UNICAST LOCAL BROADCAST ANYCAST MULTICAST BLACKHOLE\n"
"             UNREACHABLE PROHIBIT THROW NAT XRESOLVE\n";

const struct match_ext ipt_addrtype_match = {
	.name = "addrtype",
	.opts = addrtype_opts,
	.help = addrtype_help,
	.opt = addrtype_opt,
	.check = addrtype_check,
	.save = addrtype_save,
	.list = addrtype_list,
};
