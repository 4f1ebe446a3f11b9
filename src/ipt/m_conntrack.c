// SPDX-License-Identifier: MIT
/*
 * m_conntrack.c - the -m conntrack match: its options and its printers
 *
 * Owns ipt_conntrack_match (ext.h): --ctstate, --ctproto, the four
 * addresses (--ctorigsrc, --ctorigdst, --ctreplsrc, --ctrepldst:
 * ADDR[/MASK]), their ports (--ctorigsrcport ...: port or a:b), --ctstatus,
 * --ctexpire (seconds[:seconds]) and --ctdir, as iptables-legacy 1.8.9
 * reads and prints them (xt_conntrack revision 3). The engine's answers
 * are src/engine/fwm_conntrack.c's.
 *
 * The reference's words, checked against it one by one:
 *  - every option but --ctdir may be negated; each may be given once; at
 *    least one is required;
 *  - an address is read as inet_aton() reads it ("10" is 0.0.0.10, "10.1"
 *    10.0.0.1), a mask as a length 0-32 in C notation or a dotted mask;
 *    a dotted mask that is no prefix, or a number past 32 read as one,
 *    becomes /32; the address is kept unmasked ("10.1.2.3/8" prints so);
 *  - a port is decimal (or a service name, with a resolver), and a
 *    number past 65535 wraps to 16 bits as the reference stores it
 *    ("70000" is 4464); "a:" runs to 65535, ":b" from 0, "" is 0; a
 *    range that goes backwards is kept (and matches nothing);
 *  - --ctexpire takes C notation, "a:" to 4294967295, "" is 0; backwards
 *    ranges are kept too;
 *  - --ctproto a name or a number (0-255), printed as the number;
 *    --ctstatus names (NONE is no bit) case-insensitive; --ctdir
 *    ORIGINAL or REPLY, any case;
 *  - -S, iptables-save and -L print the options in one fixed order
 *    (state, proto, the addresses, the ports, status, expire, dir), not
 *    the order given; a range whose ends are equal prints as one value.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ipt/ipt.h"
#include "ipt/parsing.h"
#include "ipt/words.h"

enum { CT_O_STATE, CT_O_PROTO, CT_O_ADDR0, CT_O_PORT0 = CT_O_ADDR0 + 4,
       CT_O_STATUS = CT_O_PORT0 + 4, CT_O_EXPIRE, CT_O_DIR };

static const struct ext_opt conntrack_opts[] = {
	{ "ctstate", CT_O_STATE, 1, true },
	{ "ctproto", CT_O_PROTO, 1, true },
	{ "ctorigsrc", CT_O_ADDR0 + IPT_CT_ORIGSRC, 1, true },
	{ "ctorigdst", CT_O_ADDR0 + IPT_CT_ORIGDST, 1, true },
	{ "ctreplsrc", CT_O_ADDR0 + IPT_CT_REPLSRC, 1, true },
	{ "ctrepldst", CT_O_ADDR0 + IPT_CT_REPLDST, 1, true },
	{ "ctorigsrcport", CT_O_PORT0 + IPT_CT_ORIGSRC, 1, true },
	{ "ctorigdstport", CT_O_PORT0 + IPT_CT_ORIGDST, 1, true },
	{ "ctreplsrcport", CT_O_PORT0 + IPT_CT_REPLSRC, 1, true },
	{ "ctrepldstport", CT_O_PORT0 + IPT_CT_REPLDST, 1, true },
	{ "ctstatus", CT_O_STATUS, 1, true },
	{ "ctexpire", CT_O_EXPIRE, 1, true },
	{ "ctdir", CT_O_DIR, 1, false },
	{ NULL, 0, 0, false },
};

/* The addresses' and ports' words, by enum ipt_ct_which */
static const char *const addr_words[4] = {
	"ctorigsrc", "ctorigdst", "ctreplsrc", "ctrepldst",
};
static const char *const port_words[4] = {
	"ctorigsrcport", "ctorigdstport", "ctreplsrcport", "ctrepldstport",
};

/* --ctstatus words in the order the reference prints them */
static const struct {
	const char *name;
	uint8_t bit;
} status_names[] = {
	{ "EXPECTED", IPT_CS_EXPECTED }, { "SEEN_REPLY", IPT_CS_SEEN_REPLY },
	{ "ASSURED", IPT_CS_ASSURED }, { "CONFIRMED", IPT_CS_CONFIRMED },
	{ "NONE", 0 },
};

/* ---- reading --------------------------------------------------------------- */

/*
 * An IPv4 address as inet_aton() reads it: 1 to 4 parts in C notation,
 * the last filling the bits left ("10" is 0.0.0.10, "10.1" 10.0.0.1)
 */
static bool aton_parse(const char *s, uint32_t *out)
{
	uint32_t part[4], n = 0, a = 0;
	char w[16];

	for (;;) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);

		if (n == 4 || !piece(s, l, w, sizeof(w)) ||
		    !u32_parse(w, ~0u, &part[n]))
			return false;
		n++;
		if (!dot)
			break;
		s = dot + 1;
	}
	for (uint32_t i = 0; i + 1 < n; i++) {
		if (part[i] > 255)
			return false;
		a |= part[i] << (24 - 8 * i);
	}
	if (n > 1 && part[n - 1] >> (32 - 8 * (n - 1)))
		return false;
	*out = a | part[n - 1];
	return true;
}

/*
 * The mask after '/': a length (C notation, 0-32) or a dotted mask; a
 * dotted mask that is no prefix, or a number past 32 (read as a dotted
 * mask, as the reference falls back to), is /32
 */
static bool ct_mask_parse(const char *s, uint32_t *mask)
{
	uint32_t len, m;
	int plen;

	if (u32_parse(s, 32, &len)) {
		*mask = len ? ~0u << (32 - len) : 0;
		return true;
	}
	if (!aton_parse(s, &m))
		return false;
	*mask = mask_is_prefix(m, &plen) ? m : ~0u;
	return true;
}

static int ct_addr_opt(struct parse *p, struct ipt_match *m, unsigned w,
		       const char *show, const char *arg)
{
	const char *slash = strchr(arg, '/');
	uint32_t *addr = &m->u.ct.addr[w];
	char host[256];

	m->u.ct.mask[w] = ~0u;
	if (!piece(arg, slash ? (size_t)(slash - arg) : strlen(arg), host,
		   sizeof(host)))
		return fail(p, "bad address '%.40s' for %s", arg, show);
	if (slash && !ct_mask_parse(slash + 1, &m->u.ct.mask[w]))
		return fail(p, "bad mask '%s' for %s (a length 0-32 or a "
			    "dotted mask)", slash + 1, show);
	if (aton_parse(host, addr))
		return 0;
	if (*host && p->res && p->res->host && p->res->host(host, addr, 1) > 0)
		return 0;
	return fail(p, "bad address '%s' for %s", host, show);
}

/* A port as the reference stores it: decimal, wrapped to 16 bits */
static bool ct_port_parse(struct parse *p, const char *s, uint16_t *port)
{
	uint64_t v;

	if (ipt_digits_parse(s, 10, ~0u, &v)) {
		*port = (uint16_t)v;
		return true;
	}
	return p->res && p->res->service && !p->res->service(s, "tcp", port);
}

/* One end of a range: a port (@max 65535) or seconds */
static bool ct_end_parse(struct parse *p, const char *s, uint32_t max,
			 uint32_t *v)
{
	uint16_t port;

	if (max != 0xffff)
		return u32_parse(s, max, v);
	if (!ct_port_parse(p, s, &port))
		return false;
	*v = port;
	return true;
}

/*
 * "a", "a:b", "a:" (to @max), ":b" (from 0), "" (0); ports (@max 65535)
 * or seconds (@max 2^32 - 1); a backwards range is kept
 */
static int ct_range_parse(struct parse *p, const char *show, const char *arg,
			  uint32_t max, uint32_t *lo, uint32_t *hi)
{
	const char *colon = strchr(arg, ':');
	char a[64];

	if (!piece(arg, colon ? (size_t)(colon - arg) : strlen(arg), a,
		   sizeof(a)) || (colon && strchr(colon + 1, ':')))
		return fail(p, "bad value '%.40s' for %s", arg, show);
	for (int i = 0; i < (colon ? 2 : 1); i++) {
		const char *s = i ? colon + 1 : a;
		uint32_t *v = i ? hi : lo;

		if (!*s)
			*v = i ? max : 0;
		else if (!ct_end_parse(p, s, max, v))
			return fail(p, "bad value '%s' for %s", arg, show);
	}
	if (!colon)
		*hi = *lo;
	return 0;
}

static int ct_status_parse(struct parse *p, const char *arg, uint8_t *bits)
{
	const char *s = arg;

	*bits = 0;
	for (;;) {
		const char *comma = strchr(s, ',');
		size_t l = comma ? (size_t)(comma - s) : strlen(s);
		size_t i;

		for (i = 0; i < ARRAY_SIZE(status_names); i++)
			if (strlen(status_names[i].name) == l &&
			    !strncasecmp(status_names[i].name, s, l))
				break;
		if (i == ARRAY_SIZE(status_names))
			return fail(p, "bad status '%.*s' in --ctstatus '%s'",
				    (int)l, s, arg);
		*bits |= status_names[i].bit;
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

static int ct_value_opt(struct parse *p, struct ipt_match *m,
			const struct ext_opt *o, const char *a)
{
	uint32_t lo, hi;
	char show[24];

	snprintf(show, sizeof(show), "--%s", o->name);
	switch (o->id) {
	case CT_O_STATE:
		return state_list_parse(p, show, a, 0x7f, &m->u.ct.state);
	case CT_O_PROTO:
		return proto_parse(p, a, &m->u.ct.proto);
	case CT_O_STATUS:
		return ct_status_parse(p, a, &m->u.ct.status);
	case CT_O_EXPIRE:
		return ct_range_parse(p, show, a, ~0u, &m->u.ct.exp_lo,
				      &m->u.ct.exp_hi);
	case CT_O_DIR:
		if (!strcasecmp(a, "ORIGINAL"))
			return 0;
		if (strcasecmp(a, "REPLY"))
			return fail(p, "bad value '%s' for --ctdir (ORIGINAL "
				    "or REPLY)", a);
		m->inv |= IPT_CT_DIR;
		return 0;
	}
	if (o->id < CT_O_PORT0)
		return ct_addr_opt(p, m, o->id - CT_O_ADDR0, show, a);
	if (ct_range_parse(p, show, a, 0xffff, &lo, &hi))
		return -1;
	m->u.ct.port[o->id - CT_O_PORT0] =
		(struct ipt_portrange){ (uint16_t)lo, (uint16_t)hi };
	return 0;
}

/* The bit of @set an option sets */
static uint16_t ct_bit(unsigned id)
{
	if (id == CT_O_STATE)
		return IPT_CT_STATE;
	if (id == CT_O_PROTO)
		return IPT_CT_PROTO;
	if (id < CT_O_PORT0)
		return IPT_CT_ADDR(id - CT_O_ADDR0);
	if (id < CT_O_STATUS)
		return IPT_CT_PORT(id - CT_O_PORT0);
	return id == CT_O_STATUS ? IPT_CT_STATUS :
	       id == CT_O_EXPIRE ? IPT_CT_EXPIRE : IPT_CT_DIR;
}

static int conntrack_opt(struct parse *p, struct ipt_match *m,
			 const struct ext_opt *o, const char *const *a)
{
	if (ct_value_opt(p, m, o, a[0]))
		return -1;
	m->set |= ct_bit(o->id);
	if (p->inv)
		m->inv |= ct_bit(o->id);
	return 0;
}

static int conntrack_check(struct parse *p, const struct ipt_match *m)
{
	if (!m->set)
		return fail(p, "-m conntrack needs at least one option");
	return 0;
}

/* ---- printing ---------------------------------------------------------------- */

/* " [!] --WORD" (@dash) or " [!] WORD" */
static void ct_word(struct ipt_text *out, const struct ipt_match *m,
		    uint16_t bit, const char *word, bool dash)
{
	ipt_text_printf(out, "%s %s%s", m->inv & bit ? " !" : "",
			dash ? "--" : "", word);
}

static void ct_put_range(struct ipt_text *out, uint32_t lo, uint32_t hi)
{
	if (lo == hi)
		ipt_text_printf(out, " %u", lo);
	else
		ipt_text_printf(out, " %u:%u", lo, hi);
}

/* " a.b.c.d[/len]" (-L without -n: "anywhere" for 0, or a host name) */
static void ct_put_addr(struct ipt_text *out, uint32_t a, uint32_t mask,
			bool names, const struct ipt_resolver *res)
{
	char host[256];
	int len;

	if (names && !a) {
		ipt_text_printf(out, " anywhere");
		return;
	}
	if (!names || !res || !res->host_name ||
	    res->host_name(a, host, sizeof(host)))
		snprintf(host, sizeof(host), "%u.%u.%u.%u", a >> 24,
			 (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
	ipt_text_printf(out, " %s", host);
	if (!mask_is_prefix(mask, &len))
		ipt_text_printf(out, "/%u.%u.%u.%u", mask >> 24,
				(mask >> 16) & 0xff, (mask >> 8) & 0xff,
				mask & 0xff);
	else if (len != 32)
		ipt_text_printf(out, "/%d", len);
}

static void ct_put_status(struct ipt_text *out, uint8_t bits)
{
	const char *sep = " ";

	if (!bits) {
		ipt_text_printf(out, " NONE");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(status_names); i++)
		if (bits & status_names[i].bit) {
			ipt_text_printf(out, "%s%s", sep, status_names[i].name);
			sep = ",";
		}
}

/* The options in the reference's order; @dash: -S's words, else -L's */
static void ct_print(const struct ipt_match *m, bool dash, bool names,
		     const struct ipt_resolver *res, struct ipt_text *out)
{
	if (m->set & IPT_CT_STATE) {
		ct_word(out, m, IPT_CT_STATE, "ctstate", dash);
		ipt_text_printf(out, " ");
		put_states(out, m->u.ct.state);
	}
	if (m->set & IPT_CT_PROTO) {
		ct_word(out, m, IPT_CT_PROTO, "ctproto", dash);
		ipt_text_printf(out, " %u", m->u.ct.proto);
	}
	for (unsigned w = 0; w < 4; w++)
		if (m->set & IPT_CT_ADDR(w)) {
			ct_word(out, m, IPT_CT_ADDR(w), addr_words[w], dash);
			ct_put_addr(out, m->u.ct.addr[w], m->u.ct.mask[w],
				    names, res);
		}
	for (unsigned w = 0; w < 4; w++)
		if (m->set & IPT_CT_PORT(w)) {
			ct_word(out, m, IPT_CT_PORT(w), port_words[w], dash);
			ct_put_range(out, m->u.ct.port[w].lo,
				     m->u.ct.port[w].hi);
		}
	if (m->set & IPT_CT_STATUS) {
		ct_word(out, m, IPT_CT_STATUS, "ctstatus", dash);
		ct_put_status(out, m->u.ct.status);
	}
	if (m->set & IPT_CT_EXPIRE) {
		ct_word(out, m, IPT_CT_EXPIRE, "ctexpire", dash);
		ct_put_range(out, m->u.ct.exp_lo, m->u.ct.exp_hi);
	}
	if (m->set & IPT_CT_DIR)
		ipt_text_printf(out, " %sctdir %s", dash ? "--" : "",
				m->inv & IPT_CT_DIR ? "REPLY" : "ORIGINAL");
}

static void conntrack_save(const struct ipt_rule *r, const struct ipt_match *m,
			   struct ipt_text *out)
{
	(void)r;
	ipt_text_printf(out, " -m conntrack");
	ct_print(m, true, false, NULL, out);
}

static void conntrack_list(const struct ipt_rule *r, const struct ipt_match *m,
			   unsigned opts, const struct ipt_resolver *res,
			   struct ipt_text *out)
{
	(void)r;
	ct_print(m, false, !(opts & IPT_OPT_NUMERIC), res, out);
}

/* What "iptables -m conntrack -h" prints after its first line */
static const char conntrack_help[] =
"[!] --ctstate {INVALID|ESTABLISHED|NEW|RELATED|UNTRACKED|SNAT|DNAT}[,...]\n"
"                               State(s) to match\n"
"[!] --ctproto proto            Protocol to match; by number or name, e.g. \"tcp\"\n"
"[!] --ctorigsrc address[/mask]\n"
"[!] --ctorigdst address[/mask]\n"
"[!] --ctreplsrc address[/mask]\n"
"[!] --ctrepldst address[/mask]\n"
"                               Original/Reply source/destination address\n"
"[!] --ctorigsrcport port\n"
"[!] --ctorigdstport port\n"
"[!] --ctreplsrcport port\n"
"[!] --ctrepldstport port\n"
"                               TCP/UDP/SCTP orig./reply source/destination port\n"
"[!] --ctstatus {NONE|EXPECTED|SEEN_REPLY|ASSURED|CONFIRMED}[,...]\n"
"                               Status(es) to match\n"
"[!] --ctexpire time[:time]     Match remaining lifetime in seconds against\n"
"                               value or range of values (inclusive)\n"
"    --ctdir {ORIGINAL|REPLY}   Flow direction of packet\n";

const struct match_ext ipt_conntrack_match = {
	.name = "conntrack",
	.opts = conntrack_opts,
	.help = conntrack_help,
	.opt = conntrack_opt,
	.check = conntrack_check,
	.save = conntrack_save,
	.list = conntrack_list,
};
