// SPDX-License-Identifier: MIT
/*
 * m_ports.c - the -m sctp and -m dccp matches: the ports of protocols
 *	       conntrack tracks by address only
 *
 * Owns the two matches' options (--sport/--source-port and
 * --dport/--destination-port, each a port or "a:b" range, negatable),
 * their -S/iptables-save words, their -L text and their comparison, as
 * iptables-legacy 1.8.9's libxt_sctp and libxt_dccp print them. "-p sctp
 * --dport 80" loads -m sctp implicitly, "-p dccp" -m dccp
 * (parse_match.c's implicit_kind()); "-p udplite --dport" is an unknown
 * option there, as in the reference, and udplite's ports are
 * -m multiport's. Their protocol (-p sctp, -p dccp, not negated) is
 * ipt_exec()'s check, as the kernel's: exit status 1.
 *
 * Service names: sctp ports are looked up for "sctp" (Debian's
 * /etc/services has few), dccp's for any protocol, as the reference
 * does. --chunk-types HOW LIST (all, any, only; chunk names, each with
 * its flag letters: DATA:Be) and --dccp-types LIST (packet types) are
 * read and printed as libxt_sctp and libxt_dccp do; --dccp-option is
 * refused by name (the options are not read).
 *
 * The fields are the tcp/udp matches' (ipt.h's u.l4) and their own.
 * The engine reads the ports from the packet (src/engine/fwm_ports.c).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ipt/ext.h"
#include "ipt/parsing.h"

enum { P_SPORT, P_DPORT, P_TYPES };

static const struct ext_opt sctp_opts[] = {
	{ "source-port", P_SPORT, 1, true }, { "sport", P_SPORT, 1, true },
	{ "destination-port", P_DPORT, 1, true },
	{ "dport", P_DPORT, 1, true },
	{ "chunk-types", P_TYPES, 2, true },
	{ NULL, 0, 0, false },
};

static const struct ext_opt dccp_opts[] = {
	{ "source-port", P_SPORT, 1, true }, { "sport", P_SPORT, 1, true },
	{ "destination-port", P_DPORT, 1, true },
	{ "dport", P_DPORT, 1, true },
	{ "dccp-types", P_TYPES, 1, true },
	{ "dccp-option", OPT_UNSUPPORTED, 1, true },
	{ NULL, 0, 0, false },
};

/* The protocol a kind's service names are looked up for (NULL: any) */
static const char *ports_service_proto(const struct ipt_match *m)
{
	return m->kind == IPT_M_SCTP ? "sctp" : NULL;
}

static const char *ports_name(const struct ipt_match *m)
{
	return m->kind == IPT_M_SCTP ? "sctp" : "dccp";
}

static void ports_init(struct ipt_match *m)
{
	m->u.l4.sport.hi = 65535;
	m->u.l4.dport.hi = 65535;
}

/* ---- --dccp-types ----------------------------------------------------------- */

/* DCCP packet types (RFC 4340 5.1); INVALID stands for 10 to 15 */
static const char *const dccp_type_names[] = {
	"REQUEST", "RESPONSE", "DATA", "ACK", "DATAACK", "CLOSEREQ", "CLOSE",
	"RESET", "SYNC", "SYNCACK", "INVALID",
};
#define DCCP_INVALID_BITS	0xfc00u

/* "REQUEST,RESPONSE" (any case; empty entries skipped) -> type bits */
static int dccp_types_parse(struct parse *p, const char *arg, uint16_t *bits)
{
	const char *s = arg;

	*bits = 0;
	for (;;) {
		const char *comma = strchr(s, ',');
		size_t l = comma ? (size_t)(comma - s) : strlen(s);
		size_t i;

		for (i = 0; l && i < ARRAY_SIZE(dccp_type_names); i++)
			if (strlen(dccp_type_names[i]) == l &&
			    !strncasecmp(dccp_type_names[i], s, l))
				break;
		if (l && i == ARRAY_SIZE(dccp_type_names))
			return fail(p, "Unknown DCCP type `%.*s'", (int)l, s);
		if (l)
			*bits |= i == 10 ? DCCP_INVALID_BITS : 1u << i;
		if (!comma)
			break;
		s = comma + 1;
	}
	if (!*bits)
		return fail(p, "--dccp-types needs a type");
	return 0;
}

/* The names, or with -n the numbers, of the type bits */
static void dccp_types_put(struct ipt_text *out, uint16_t bits, bool numeric)
{
	const char *sep = "";

	for (unsigned i = 0; i < 16; i++) {
		if (!(bits & (1u << i)))
			continue;
		if (numeric)
			ipt_text_printf(out, "%s%u", sep, i);
		else if (i < 10 || !(bits & ((1u << i) - 1) & DCCP_INVALID_BITS))
			ipt_text_printf(out, "%s%s", sep,
					dccp_type_names[i < 10 ? i : 10]);
		else
			continue;	/* INVALID is named once */
		sep = ",";
	}
}

/* ---- --chunk-types ----------------------------------------------------------- */

/* SCTP chunk types by name (RFC 9260, 8260, 6525, 4895, 3758), and the
 * flag letters of those that have any, most significant first */
static const struct {
	const char *name;
	uint8_t type;
	const char *flags;
} sctp_chunks[] = {
	{ "DATA", 0, "IUBE" }, { "INIT", 1, NULL }, { "INIT_ACK", 2, NULL },
	{ "SACK", 3, NULL }, { "HEARTBEAT", 4, NULL },
	{ "HEARTBEAT_ACK", 5, NULL }, { "ABORT", 6, "T" },
	{ "SHUTDOWN", 7, NULL }, { "SHUTDOWN_ACK", 8, NULL },
	{ "ERROR", 9, NULL }, { "COOKIE_ECHO", 10, NULL },
	{ "COOKIE_ACK", 11, NULL }, { "ECN_ECNE", 12, NULL },
	{ "ECN_CWR", 13, NULL }, { "SHUTDOWN_COMPLETE", 14, "T" },
	{ "I_DATA", 64, NULL }, { "RE_CONFIG", 130, NULL }, { "PAD", 132, NULL },
	{ "ASCONF", 193, NULL }, { "ASCONF_ACK", 128, NULL },
	{ "FORWARD_TSN", 192, NULL }, { "I_FORWARD_TSN", 194, NULL },
};

static int sctp_chunk_by_name(const char *s, size_t l)
{
	for (size_t i = 0; i < ARRAY_SIZE(sctp_chunks); i++)
		if (strlen(sctp_chunks[i].name) == l &&
		    !strncasecmp(sctp_chunks[i].name, s, l))
			return (int)i;
	return -1;
}

static const char *sctp_chunk_flag_letters(uint8_t type)
{
	for (size_t i = 0; i < ARRAY_SIZE(sctp_chunks); i++)
		if (sctp_chunks[i].type == type)
			return sctp_chunks[i].flags;
	return NULL;
}

static bool chunk_set(const struct ipt_match *m, unsigned type)
{
	return m->u.l4.chunks[type / 32] & (1u << (type % 32));
}

/* "DATA:Be": the flag letters of chunk @c into its (merged) entry */
static int chunk_flags_parse(struct parse *p, struct ipt_match *m, int c,
			     const char *s, size_t l)
{
	const char *letters = sctp_chunks[c].flags;
	uint8_t type = sctp_chunks[c].type, n = m->u.l4.nchunk_flags, k;

	for (k = 0; k < n && m->u.l4.chunk_flags[k].type != type; k++)
		;
	if (k == n) {
		if (n == IPT_SCTP_FLAGS)
			return fail(p, "--chunk-types: at most %d chunk types "
				    "with flags", IPT_SCTP_FLAGS);
		m->u.l4.chunk_flags[k].type = type;
		m->u.l4.nchunk_flags++;
	}
	for (size_t i = 0; i < l; i++) {
		const char *at = letters ? strchr(letters, s[i] & ~0x20) : NULL;
		uint8_t bit;

		if (!s[i] || !at)
			return fail(p, "Invalid flags for chunk type %u", type);
		bit = (uint8_t)(1u << (strlen(letters) - 1 - (size_t)(at - letters)));
		m->u.l4.chunk_flags[k].mask |= bit;
		if (s[i] >= 'A' && s[i] <= 'Z')
			m->u.l4.chunk_flags[k].flags |= bit;
	}
	return 0;
}

/* "any" and "INIT,DATA:Be" (or ALL, NONE alone) */
static int chunk_types_parse(struct parse *p, struct ipt_match *m,
			     const char *how, const char *list)
{
	static const char *const hows[] = { "all", "any", "only" };
	const char *s = list;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(hows) && strcasecmp(how, hows[i]); i++)
		;
	if (i == ARRAY_SIZE(hows))
		return fail(p, "Match type has to be one of \"ALL\", \"ANY\" "
			    "or \"ONLY\"");
	m->u.l4.chunk_how = (uint8_t)i;
	if (!strcasecmp(list, "ALL")) {
		memset(m->u.l4.chunks, 0xff, sizeof(m->u.l4.chunks));
		return 0;
	}
	if (!strcasecmp(list, "NONE"))
		return 0;
	for (;;) {
		const char *comma = strchr(s, ',');
		size_t l = comma ? (size_t)(comma - s) : strlen(s);
		const char *colon = memchr(s, ':', l);
		size_t nl = colon ? (size_t)(colon - s) : l;
		int c = sctp_chunk_by_name(s, nl);

		if (c < 0)
			return fail(p, "Unknown sctp chunk `%.*s'", (int)nl, s);
		m->u.l4.chunks[sctp_chunks[c].type / 32] |=
			1u << (sctp_chunks[c].type % 32);
		if (colon && chunk_flags_parse(p, m, c, colon + 1,
					       l - nl - 1))
			return -1;
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

/* The flag letters of chunk @type's entry, as libxt_sctp prints them */
static void chunk_flags_put(struct ipt_text *out, const struct ipt_match *m,
			    uint8_t type)
{
	const char *letters = sctp_chunk_flag_letters(type);

	for (unsigned k = 0; letters && k < m->u.l4.nchunk_flags &&
			     k < IPT_SCTP_FLAGS; k++) {
		size_t n = strlen(letters);

		if (m->u.l4.chunk_flags[k].type != type)
			continue;
		ipt_text_printf(out, ":");
		for (size_t i = 0; i < n; i++) {
			uint8_t bit = (uint8_t)(1u << (n - 1 - i));

			if (!(m->u.l4.chunk_flags[k].mask & bit))
				continue;
			ipt_text_printf(out, "%c", m->u.l4.chunk_flags[k].flags &
					bit ? letters[i] : letters[i] | 0x20);
		}
	}
}

/* "any INIT,DATA:Be" (names) or "any 0x0001,0x0000:Be" (-L -n) */
static void chunk_types_put(struct ipt_text *out, const struct ipt_match *m,
			    bool numeric)
{
	static const char *const hows[] = { "all", "any", "only" };
	const char *sep = "";
	unsigned n = 0;

	ipt_text_printf(out, "%s ", hows[m->u.l4.chunk_how % 3]);
	for (unsigned t = 0; t < 256; t++)
		n += chunk_set(m, t);
	if (n == 256 || !n) {
		ipt_text_printf(out, "%s", n ? "ALL" : "NONE");
		return;
	}
	for (unsigned t = 0; t < 256; t++) {
		const char *name = NULL;

		if (!chunk_set(m, t))
			continue;
		for (size_t i = 0; !numeric && i < ARRAY_SIZE(sctp_chunks); i++)
			if (sctp_chunks[i].type == t)
				name = sctp_chunks[i].name;
		if (name)
			ipt_text_printf(out, "%s%s", sep, name);
		else
			ipt_text_printf(out, "%s0x%04X", sep, t);
		chunk_flags_put(out, m, (uint8_t)t);
		sep = ",";
	}
}

/* ---- the options ------------------------------------------------------------- */

static int ports_opt(struct parse *p, struct ipt_match *m,
		     const struct ext_opt *o, const char *const *a)
{
	uint16_t bit = o->id == P_SPORT ? IPT_F_SPORT :
		       o->id == P_DPORT ? IPT_F_DPORT : IPT_F_TYPES;
	char show[24];

	snprintf(show, sizeof(show), "--%s", o->name);
	if (o->id == P_TYPES) {
		if (m->kind == IPT_M_DCCP ?
		    dccp_types_parse(p, a[0], &m->u.l4.dccp_types) :
		    chunk_types_parse(p, m, a[0], a[1]))
			return -1;
	} else if (port_range_parse(p, show, a[0], ports_service_proto(m),
				    o->id == P_SPORT ? &m->u.l4.sport :
						       &m->u.l4.dport)) {
		return -1;
	}
	m->set |= bit;
	if (p->inv)
		m->inv |= bit;
	return 0;
}

static void save_one(struct ipt_text *out, const char *opt,
		     const struct ipt_portrange *r, bool inv)
{
	ipt_text_printf(out, "%s %s %u", inv ? " !" : "", opt, r->lo);
	if (r->hi != r->lo)
		ipt_text_printf(out, ":%u", r->hi);
}

static void ports_save(const struct ipt_rule *r, const struct ipt_match *m,
		       struct ipt_text *out)
{
	(void)r;
	ipt_text_printf(out, " -m %s", ports_name(m));
	if (m->set & IPT_F_SPORT)
		save_one(out, "--sport", &m->u.l4.sport, m->inv & IPT_F_SPORT);
	if (m->set & IPT_F_DPORT)
		save_one(out, "--dport", &m->u.l4.dport, m->inv & IPT_F_DPORT);
	if (!(m->set & IPT_F_TYPES))
		return;
	ipt_text_printf(out, "%s --%s ", m->inv & IPT_F_TYPES ? " !" : "",
			m->kind == IPT_M_DCCP ? "dccp-types" : "chunk-types");
	if (m->kind == IPT_M_DCCP)
		dccp_types_put(out, m->u.l4.dccp_types, false);
	else
		chunk_types_put(out, m, false);
}

/* A port in -L: its service name unless -n (IPT_OPT_NUMERIC) */
static void list_port(struct ipt_text *out, uint16_t port, const char *proto,
		      unsigned opts, const struct ipt_resolver *res)
{
	char name[64];

	if (!(opts & IPT_OPT_NUMERIC) && proto && res && res->service_name &&
	    !res->service_name(port, proto, name, sizeof(name)))
		ipt_text_printf(out, "%s", name);
	else
		ipt_text_printf(out, "%u", port);
}

/* " spt:[!]a" or " spts:[!]a:b", unless any port would do */
static void list_one(struct ipt_text *out, const char *what,
		     const struct ipt_portrange *r, bool inv,
		     const struct ipt_match *m, unsigned opts,
		     const struct ipt_resolver *res)
{
	if (r->lo == 0 && r->hi == 65535 && !inv)
		return;
	ipt_text_printf(out, " %s%s:%s", what, r->lo == r->hi ? "" : "s",
			inv ? "!" : "");
	list_port(out, r->lo, ports_service_proto(m), opts, res);
	if (r->hi == r->lo)
		return;
	ipt_text_printf(out, ":");
	list_port(out, r->hi, ports_service_proto(m), opts, res);
}

static void ports_list(const struct ipt_rule *r, const struct ipt_match *m,
		       unsigned opts, const struct ipt_resolver *res,
		       struct ipt_text *out)
{
	(void)r;
	ipt_text_printf(out, " %s", ports_name(m));
	if (m->set & IPT_F_SPORT)
		list_one(out, "spt", &m->u.l4.sport, m->inv & IPT_F_SPORT, m,
			 opts, res);
	if (m->set & IPT_F_DPORT)
		list_one(out, "dpt", &m->u.l4.dport, m->inv & IPT_F_DPORT, m,
			 opts, res);
	if (!(m->set & IPT_F_TYPES))
		return;
	ipt_text_printf(out, " %s", m->inv & IPT_F_TYPES ? "! " : "");
	if (m->kind == IPT_M_DCCP)
		dccp_types_put(out, m->u.l4.dccp_types,
			       opts & IPT_OPT_NUMERIC);
	else
		chunk_types_put(out, m, opts & IPT_OPT_NUMERIC);
}

static bool range_equal(const struct ipt_portrange *a,
			const struct ipt_portrange *b)
{
	return a->lo == b->lo && a->hi == b->hi;
}

static bool ports_equal(const struct ipt_rule *ra, const struct ipt_match *a,
			const struct ipt_rule *rb, const struct ipt_match *b)
{
	(void)ra;
	(void)rb;
	return a->set == b->set &&
	       (!(a->set & IPT_F_SPORT) ||
		range_equal(&a->u.l4.sport, &b->u.l4.sport)) &&
	       (!(a->set & IPT_F_DPORT) ||
		range_equal(&a->u.l4.dport, &b->u.l4.dport)) &&
	       (!(a->set & IPT_F_TYPES) ||
		(a->u.l4.dccp_types == b->u.l4.dccp_types &&
		 a->u.l4.chunk_how == b->u.l4.chunk_how &&
		 a->u.l4.nchunk_flags == b->u.l4.nchunk_flags &&
		 !memcmp(a->u.l4.chunks, b->u.l4.chunks,
			 sizeof(a->u.l4.chunks)) &&
		 !memcmp(a->u.l4.chunk_flags, b->u.l4.chunk_flags,
			 sizeof(a->u.l4.chunk_flags))));
}

/* What "iptables -m sctp -h" and "-m dccp -h" print after their first line */
#define PORTS_HELP \
"[!] --source-port port[:port]                          match source port(s)\n" \
" --sport ...\n" \
"[!] --destination-port port[:port]                     match destination port(s)\n" \
" --dport ...\n"
static const char sctp_help[] = PORTS_HELP
"[!] --chunk-types (all|any|only) (chunktype[:flags])+\tmatch if all, any or only\n"
"\t\t\t\t\t\t        these chunktypes are present\n"
"chunktypes - DATA INIT INIT_ACK SACK HEARTBEAT HEARTBEAT_ACK ABORT SHUTDOWN "
"SHUTDOWN_ACK ERROR COOKIE_ECHO COOKIE_ACK ECN_ECNE ECN_CWR SHUTDOWN_COMPLETE "
"ASCONF ASCONF_ACK FORWARD_TSN ALL NONE\n";
static const char dccp_help[] = PORTS_HELP
"[!] --dccp-types type[,...]                            match when packet is one of the given types\n"
"[!] --dccp-option option                               refused by masq (options are not read)\n";

const struct match_ext ipt_sctp_match = {
	.name = "sctp", .opts = sctp_opts, .help = sctp_help, .opt = ports_opt,
	.init = ports_init, .save = ports_save, .list = ports_list,
	.equal = ports_equal,
};

const struct match_ext ipt_dccp_match = {
	.name = "dccp", .opts = dccp_opts, .help = dccp_help, .opt = ports_opt,
	.init = ports_init, .save = ports_save, .list = ports_list,
	.equal = ports_equal,
};
