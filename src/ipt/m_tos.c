// SPDX-License-Identifier: MIT
/*
 * m_tos.c - the -m tos match: --tos value[/mask] or a name; and the TOS
 *	     words -j TOS shares (tos_parse(), tos_name())
 *
 * Owns the words of tos (revision 1, iptables-legacy 1.8.9): a number
 * 0-255 (0x hex, 0 octal) with an optional /mask (0-255; none: 0xff), or
 * one of RFC 1349's names, any case, which stands for its value under
 * the mask 0x3f (the TOS bits and the old precedence's low bits: what
 * the names were defined over). The packet matches when (tos & mask) ==
 * value. -S and iptables-save print "0xVV/0xMM" always; -L prints the
 * name when the mask is 0x3f and the value has one ("tos match
 * Minimize-Delay"), else the numbers glued to "match" ("tos
 * match0x08/0xff", "tos match!0x10/0x3f"), as the reference does; -L -n
 * only the numbers.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ipt/ipt.h"
#include "ipt/parsing.h"

#define TOS_NAME_MASK	0x3f

static const struct ext_opt tos_opts[] = {
	{ "tos", 0, 1, true },
	{ NULL, 0, 0, false },
};

static const struct {
	const char *name;
	uint8_t value;
} tos_names[] = {
	{ "Minimize-Cost", 0x02 }, { "Maximize-Reliability", 0x04 },
	{ "Maximize-Throughput", 0x08 }, { "Minimize-Delay", 0x10 },
	{ "Normal-Service", 0x00 },
};

/**
 * tos_parse() - Read "value[/mask]" or a TOS name
 * @p:		the command being read
 * @show:	the option, for the message
 * @arg:	its word
 * @value:	the value
 * @mask:	its mask: 0xff when none was written, 0x3f for a name
 *
 * Return: 0, or -1 with the reason in @p
 */
int tos_parse(struct parse *p, const char *show, const char *arg,
	      uint8_t *value, uint8_t *mask)
{
	const char *slash = strchr(arg, '/');
	char v[32];
	uint32_t n, m = 0xff;

	for (size_t i = 0; i < ARRAY_SIZE(tos_names); i++)
		if (!strcasecmp(arg, tos_names[i].name)) {
			*value = tos_names[i].value;
			*mask = TOS_NAME_MASK;
			return 0;
		}
	if (!piece(arg, slash ? (size_t)(slash - arg) : strlen(arg), v,
		   sizeof(v)) || !u32_parse(v, 0xff, &n) ||
	    (slash && !u32_parse(slash + 1, 0xff, &m)))
		return fail(p, "bad value '%s' for %s (0-255[/0-255] or a TOS "
			    "name)", arg, show);
	*value = (uint8_t)n;
	*mask = (uint8_t)m;
	return 0;
}

/**
 * tos_name() - The name -L prints for a TOS @value under @mask
 * Return: the name, or NULL when the mask is not 0x3f or the value has none
 */
const char *tos_name(uint8_t value, uint8_t mask)
{
	if (mask != TOS_NAME_MASK)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(tos_names); i++)
		if (tos_names[i].value == value)
			return tos_names[i].name;
	return NULL;
}

static int tos_opt(struct parse *p, struct ipt_match *m,
		   const struct ext_opt *o, const char *const *a)
{
	(void)o;
	if (tos_parse(p, "--tos", a[0], &m->u.tos.value, &m->u.tos.mask))
		return -1;
	m->set |= IPT_F_VALUE;
	if (p->inv)
		m->inv |= IPT_F_VALUE;
	return 0;
}

static int tos_check(struct parse *p, const struct ipt_match *m)
{
	if (!(m->set & IPT_F_VALUE))
		return fail(p, "-m tos needs --tos");
	return 0;
}

static void tos_save(const struct ipt_rule *r, const struct ipt_match *m,
		     struct ipt_text *out)
{
	(void)r;
	ipt_text_printf(out, " -m tos%s --tos 0x%02x/0x%02x",
			m->inv & IPT_F_VALUE ? " !" : "", m->u.tos.value,
			m->u.tos.mask);
}

static void tos_list(const struct ipt_rule *r, const struct ipt_match *m,
		     unsigned opts, const struct ipt_resolver *res,
		     struct ipt_text *out)
{
	const char *name = tos_name(m->u.tos.value, m->u.tos.mask);

	(void)r;
	(void)res;
	ipt_text_printf(out, " tos match%s", m->inv & IPT_F_VALUE ? "!" : "");
	if (name && !(opts & IPT_OPT_NUMERIC))
		ipt_text_printf(out, " %s", name);
	else
		ipt_text_printf(out, "0x%02x/0x%02x", m->u.tos.value,
				m->u.tos.mask);
}

/* What "iptables -m tos -h" prints after its first line */
static const char tos_help[] =
"[!] --tos value[/mask]    Match Type of Service/Priority field value\n"
"[!] --tos symbol          Match TOS field (IPv4 only) by symbol\n"
"                          Accepted symbolic names for value are:\n"
"                          (0x10) 16 Minimize-Delay\n"
"                          (0x08)  8 Maximize-Throughput\n"
"                          (0x04)  4 Maximize-Reliability\n"
"                          (0x02)  2 Minimize-Cost\n"
"                          (0x00)  0 Normal-Service\n";

const struct match_ext ipt_tos_match = {
	.name = "tos",
	.opts = tos_opts,
	.help = tos_help,
	.opt = tos_opt,
	.check = tos_check,
	.save = tos_save,
	.list = tos_list,
};
