// SPDX-License-Identifier: MIT
/*
 * parse_match.c - the -m matches: their options, their checks, the registry
 *
 * Owns match_exts[] (ext.h), the table every other file asks about a
 * match kind, and the options of the matches older than the registry's
 * own-file extensions: tcp, udp, icmp, state, multiport, mark,
 * limit, mac and comment, with iptables-legacy 1.8.9's defaults and
 * refusals (see parse.c's header for the facts checked).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ipt/ipt.h"
#include "ipt/parsing.h"
#include "ipt/words.h"

enum { L4_SPORT, L4_DPORT, L4_FLAGS, L4_SYN, L4_OPTION };
static const struct ext_opt tcp_opts[] = {
	{ "source-port", L4_SPORT, 1, true }, { "sport", L4_SPORT, 1, true },
	{ "destination-port", L4_DPORT, 1, true },
	{ "dport", L4_DPORT, 1, true },
	{ "tcp-flags", L4_FLAGS, 2, true }, { "syn", L4_SYN, 0, true },
	{ "tcp-option", L4_OPTION, 1, true },
	{ NULL, 0, 0, false },
};
static const struct ext_opt udp_opts[] = {
	{ "source-port", L4_SPORT, 1, true }, { "sport", L4_SPORT, 1, true },
	{ "destination-port", L4_DPORT, 1, true },
	{ "dport", L4_DPORT, 1, true },
	{ NULL, 0, 0, false },
};
static const struct ext_opt icmp_opts[] = {
	{ "icmp-type", 0, 1, true },
	{ NULL, 0, 0, false },
};
static const struct ext_opt state_opts[] = {
	{ "state", 0, 1, true },
	{ NULL, 0, 0, false },
};
static const struct ext_opt multiport_opts[] = {
	{ "source-ports", IPT_MP_SPORTS, 1, true },
	{ "sports", IPT_MP_SPORTS, 1, true },
	{ "destination-ports", IPT_MP_DPORTS, 1, true },
	{ "dports", IPT_MP_DPORTS, 1, true },
	{ "ports", IPT_MP_PORTS, 1, true },
	{ NULL, 0, 0, false },
};
static const struct ext_opt mark_opts[] = {
	{ "mark", 0, 1, true },
	{ NULL, 0, 0, false },
};
enum { LIM_LIMIT, LIM_BURST };
static const struct ext_opt limit_opts[] = {
	{ "limit", LIM_LIMIT, 1, false }, { "limit-burst", LIM_BURST, 1, false },
	{ NULL, 0, 0, false },
};
static const struct ext_opt mac_opts[] = {
	{ "mac-source", 0, 1, true },
	{ NULL, 0, 0, false },
};
static const struct ext_opt comment_opts[] = {
	{ "comment", 0, 1, false },
	{ NULL, 0, 0, false },
};

/* ---- matches --------------------------------------------------------------- */

/* --sport/--dport/--tcp-flags/--syn of -m tcp and -m udp */
static int l4_opt(struct parse *p, struct ipt_match *m,
		  const struct ext_opt *o, const char *const *a)
{
	/* udp's ports are looked up under any protocol (libxt_udp reads
	 * them with the option parser's getservbyname(NAME, NULL): "-p udp
	 * --dport ssh" is 22), tcp's under tcp only */
	const char *proto = m->kind == IPT_M_TCP ? "tcp" : NULL;
	uint8_t bit = o->id == L4_SPORT ? IPT_F_SPORT :
		      o->id == L4_DPORT ? IPT_F_DPORT :
		      o->id == L4_OPTION ? IPT_F_TCPOPT : IPT_F_TCPFLAGS;
	char show[24];
	uint32_t kind;

	snprintf(show, sizeof(show), "--%s", o->name);
	if (o->id == L4_OPTION) {
		if (!u32_parse(a[0], 255, &kind) || !kind)
			return fail(p, "Bad TCP option \"%s\"", a[0]);
		m->u.l4.option = (uint8_t)kind;
	} else if (o->id == L4_SPORT || o->id == L4_DPORT) {
		if (port_range_parse(p, show, a[0], proto,
				     o->id == L4_SPORT ? &m->u.l4.sport :
							 &m->u.l4.dport))
			return -1;
	} else if (m->set & IPT_F_TCPFLAGS) {
		return fail(p, "only one of --syn and --tcp-flags is allowed");
	} else if (o->id == L4_SYN) {
		m->u.l4.flg_mask = TCP_SYN_MASK;
		m->u.l4.flg_cmp = TCP_SYN;
	} else if (tcp_flags_parse(p, a[0], &m->u.l4.flg_mask) ||
		   tcp_flags_parse(p, a[1], &m->u.l4.flg_cmp)) {
		return -1;
	}
	m->set |= bit;
	if (p->inv)
		m->inv |= bit;
	return 0;
}

static int icmp_opt(struct parse *p, struct ipt_match *m,
		    const struct ext_opt *o, const char *const *a)
{
	(void)o;
	if (icmp_type_parse(p, a[0], m))
		return -1;
	m->set |= IPT_F_VALUE;
	if (p->inv)
		m->inv |= IPT_F_VALUE;
	return 0;
}

static int icmp_check(struct parse *p, const struct ipt_match *m)
{
	if (!(m->set & IPT_F_VALUE))
		return fail(p, "-m icmp needs --icmp-type");
	return 0;	/* -p icmp is ipt_exec()'s check (the kernel's) */
}

static int state_opt(struct parse *p, struct ipt_match *m,
		     const struct ext_opt *o, const char *const *a)
{
	uint8_t allowed = IPT_ST_INVALID | IPT_ST_ESTABLISHED | IPT_ST_NEW |
			  IPT_ST_RELATED | IPT_ST_UNTRACKED;

	(void)o;
	if (state_list_parse(p, "--state", a[0], allowed, &m->u.state.mask))
		return -1;
	m->set |= IPT_F_VALUE;
	if (p->inv)
		m->inv |= IPT_F_VALUE;
	return 0;
}

static int state_check(struct parse *p, const struct ipt_match *m)
{
	if (m->set & IPT_F_VALUE)
		return 0;
	return fail(p, "-m state needs --state");
}

/* One multiport entry: "a" or "a:b" with a < b (as iptables) */
static int multiport_item(struct parse *p, const char *item, const char *proto,
			  struct ipt_portrange *r)
{
	const char *colon = strchr(item, ':');
	char lo[64];

	if (!colon) {
		if (!port_parse(p, item, proto, &r->lo))
			return fail(p, "bad port '%s' for -m multiport", item);
		r->hi = r->lo;
		return 0;
	}
	if (!piece(item, (size_t)(colon - item), lo, sizeof(lo)) ||
	    !port_parse(p, lo, proto, &r->lo) ||
	    !port_parse(p, colon + 1, proto, &r->hi) || r->lo >= r->hi)
		return fail(p, "bad port range '%s' for -m multiport", item);
	return 0;
}

static int multiport_opt(struct parse *p, struct ipt_match *m,
			 const struct ext_opt *o, const char *const *a)
{
	const char *proto = proto_name_for(p->cmd->rule.proto);
	const char *s = a[0];
	unsigned slots = 0;
	char item[128];

	if (!(p->given & G_PROTO) || !p->cmd->rule.proto)
		return fail(p, "-m multiport needs -p tcp, udp, udplite, sctp "
			    "or dccp before it");
	if (!proto_is(p, 6) && !proto_is(p, 17) && !proto_is(p, 136) &&
	    !proto_is(p, 132) && !proto_is(p, 33))
		return fail(p, "-m multiport only works with TCP, UDP, "
			    "UDPLITE, SCTP and DCCP");
	if (m->set)
		return fail(p, "-m multiport takes only one of --sports, "
			    "--dports and --ports");
	m->u.mp.which = o->id;
	for (;;) {
		const char *comma = strchr(s, ',');
		size_t l = comma ? (size_t)(comma - s) : strlen(s);
		struct ipt_portrange *r = &m->u.mp.p[m->u.mp.count];

		if (!piece(s, l, item, sizeof(item)))
			return fail(p, "bad port '%.40s' for -m multiport", s);
		if (multiport_item(p, item, proto, r))
			return -1;
		slots += r->lo == r->hi ? 1 : 2;
		if (slots > IPT_MULTIPORT_MAX)
			return fail(p, "too many ports for -m multiport (at "
				    "most %d, a range counts 2)",
				    IPT_MULTIPORT_MAX);
		m->u.mp.count++;
		if (!comma)
			break;
		s = comma + 1;
	}
	m->set |= IPT_F_VALUE;
	if (p->inv)
		m->inv |= IPT_F_VALUE;
	return 0;
}

static int multiport_check(struct parse *p, const struct ipt_match *m)
{
	if (!m->set)
		return fail(p, "-m multiport needs --sports, --dports or "
			    "--ports");
	return 0;
}

/* --mark value[/mask] of -m mark and -m connmark */
int mark_opt(struct parse *p, struct ipt_match *m, const struct ext_opt *o,
	     const char *const *a)
{
	(void)o;
	if (mark_parse(p, "--mark", a[0], true, &m->u.mark.value,
		       &m->u.mark.mask))
		return -1;
	m->set |= IPT_F_VALUE;
	if (p->inv)
		m->inv |= IPT_F_VALUE;
	return 0;
}

static int value_check(struct parse *p, const struct ipt_match *m)
{
	static const char *const need[IPT_M_KINDS] = {
		[IPT_M_MARK] = "-m mark needs --mark",
		[IPT_M_MAC] = "-m mac needs --mac-source",
		[IPT_M_COMMENT] = "-m comment needs --comment",
	};

	if (m->set & IPT_F_VALUE)
		return 0;
	return fail(p, "%s", need[m->kind]);
}

/*
 * The kernel keeps avg x burst in 32 bits and refuses more (observed:
 * 1/hour takes a burst of 119, not 120; 1/day with the default 5, not)
 */
static int limit_opt(struct parse *p, struct ipt_match *m,
		     const struct ext_opt *o, const char *const *a)
{
	uint32_t burst;

	if (o->id == LIM_LIMIT) {
		if (limit_rate_parse(p, a[0], &m->u.limit.avg))
			return -1;
		m->set |= IPT_F_LIMIT;
		return 0;
	}
	/* 0 is the kernel's to refuse (ipt_exec()), as with iptables */
	if (!u32_parse(a[0], 10000, &burst))
		return fail(p, "bad value '%s' for --limit-burst (0-10000)",
			    a[0]);
	m->u.limit.burst = burst;
	m->set |= IPT_F_BURST;
	return 0;
}

static int mac_opt(struct parse *p, struct ipt_match *m,
		   const struct ext_opt *o, const char *const *a)
{
	(void)o;
	if (mac_parse(p, a[0], m->u.mac.addr))
		return -1;
	m->set |= IPT_F_VALUE;
	if (p->inv)
		m->inv |= IPT_F_VALUE;
	return 0;
}

static int comment_opt(struct parse *p, struct ipt_match *m,
		       const struct ext_opt *o, const char *const *a)
{
	struct ipt_rule *r = &p->cmd->rule;
	uint8_t slot = r->ncomments;

	(void)o;
	if (m->set & IPT_F_VALUE)
		slot = m->u.comment;	/* --comment again: the last wins */
	else if (slot >= IPT_MAX_COMMENTS)
		return fail(p, "at most %d -m comment per rule",
			    IPT_MAX_COMMENTS);
	if (text_copy(p, "--comment", a[0], r->comments[slot],
		      sizeof(r->comments[slot])))
		return -1;
	if (!(m->set & IPT_F_VALUE))
		r->ncomments++;
	m->u.comment = slot;
	m->set |= IPT_F_VALUE;
	return 0;
}


/* What "iptables -m NAME -h" prints for them, after "NAME match options:" */
static const char tcp_help[] =
"[!] --tcp-flags mask comp\tmatch when TCP flags & mask == comp\n"
"\t\t\t\t(flags: SYN ACK FIN RST URG PSH ALL NONE)\n"
"[!] --syn\t\t\tmatch when only SYN of SYN,RST,ACK,FIN is set\n"
"[!] --source-port port[:port]\n"
" --sport ...\n"
"\t\t\t\tmatch source port(s)\n"
"[!] --destination-port port[:port]\n"
" --dport ...\n"
"\t\t\t\tmatch destination port(s)\n"
"[!] --tcp-option number\tmatch if TCP option set\n";
static const char udp_help[] =
"[!] --source-port port[:port]\n"
" --sport ...\n"
"\t\t\t\tmatch source port(s)\n"
"[!] --destination-port port[:port]\n"
" --dport ...\n"
"\t\t\t\tmatch destination port(s)\n";
static const char icmp_help[] =
"[!] --icmp-type typename\tmatch icmp type\n"
"[!] --icmp-type type[/code]\t(or numeric type or type/code)\n";
static const char state_help[] =
" [!] --state [INVALID|ESTABLISHED|NEW|RELATED|UNTRACKED][,...]\n"
"\t\t\t\tState(s) to match\n";
static const char multiport_help[] =
"[!] --source-ports port[,port:port,port...]\n"
" --sports ...\n"
"\t\t\t\tmatch source port(s)\n"
"[!] --destination-ports port[,port:port,port...]\n"
" --dports ...\n"
"\t\t\t\tmatch destination port(s)\n"
"[!] --ports port[,port:port,port]\n"
"\t\t\t\tmatch both source and destination port(s)\n";
static const char mark_help[] =
"[!] --mark value[/mask]    Match nfmark value with optional mask\n";
static const char limit_help[] =
"--limit avg\t\t\tmax average match rate: default 3/hour\n"
"                                [per second unless followed by\n"
"                                /sec /minute /hour /day]\n"
"--limit-burst number\t\tnumber to match in a burst, default 5\n";
static const char mac_help[] =
"[!] --mac-source XX:XX:XX:XX:XX:XX\n"
"\t\t\t\tMatch source MAC address\n";
static const char comment_help[] =
"--comment COMMENT             Attach a comment to a rule\n";

/* Every kind has an entry; ext.h says what each member is for */
#define MATCH(n, o, fo, fc, h) \
	(&(const struct match_ext){ .name = n, .opts = o, .opt = fo, \
				    .check = fc, .help = h })
const struct match_ext *const match_exts[IPT_M_KINDS] = {
	/* their protocol is ipt_exec()'s check (the kernel's): status 1 */
	[IPT_M_TCP] = MATCH("tcp", tcp_opts, l4_opt, NULL, tcp_help),
	[IPT_M_UDP] = MATCH("udp", udp_opts, l4_opt, NULL, udp_help),
	[IPT_M_ICMP] = MATCH("icmp", icmp_opts, icmp_opt, icmp_check,
			     icmp_help),
	[IPT_M_STATE] = MATCH("state", state_opts, state_opt, state_check,
			      state_help),
	[IPT_M_CONNTRACK] = &ipt_conntrack_match,
	[IPT_M_MULTIPORT] = MATCH("multiport", multiport_opts, multiport_opt,
				  multiport_check, multiport_help),
	[IPT_M_MARK] = MATCH("mark", mark_opts, mark_opt, value_check,
			     mark_help),
	/* its overflow and burst 0 are ipt_exec()'s (the kernel's) */
	[IPT_M_LIMIT] = MATCH("limit", limit_opts, limit_opt, NULL,
			      limit_help),
	[IPT_M_MAC] = MATCH("mac", mac_opts, mac_opt, value_check,
			    mac_help),
	[IPT_M_COMMENT] = MATCH("comment", comment_opts, comment_opt,
				value_check, comment_help),
	[IPT_M_SCTP] = &ipt_sctp_match,
	[IPT_M_DCCP] = &ipt_dccp_match,
	[IPT_M_ADDRTYPE] = &ipt_addrtype_match,
	[IPT_M_IPRANGE] = &ipt_iprange_match,
	[IPT_M_PKTTYPE] = &ipt_pkttype_match,
	[IPT_M_LENGTH] = &ipt_length_match,
	[IPT_M_TOS] = &ipt_tos_match,
	[IPT_M_TTL] = &ipt_ttl_match,
	[IPT_M_HASHLIMIT] = &ipt_hashlimit_match,
	[IPT_M_CONNLIMIT] = &ipt_connlimit_match,
	[IPT_M_RECENT] = &ipt_recent_match,
	[IPT_M_CONNMARK] = &ipt_connmark_match,
};

/*
 * The match -p implies (tcp, udp, icmp, sctp, dccp), if none of that kind
 * is loaded
 */
int implicit_kind(const struct parse *p)
{
	const struct ipt_rule *r = &p->cmd->rule;
	int kind = r->proto == 6 ? IPT_M_TCP : r->proto == 17 ? IPT_M_UDP :
		   r->proto == 1 ? IPT_M_ICMP : r->proto == 132 ? IPT_M_SCTP :
		   r->proto == 33 ? IPT_M_DCCP : -1;

	if (!(p->given & G_PROTO) || kind < 0)
		return -1;
	for (int i = 0; i < r->nmatch; i++)
		if (r->m[i].kind == kind)
			return -1;
	return kind;
}

/* A new match of @kind at the end of the rule, with iptables' defaults */
struct ipt_match *match_add(struct parse *p, uint8_t kind)
{
	struct ipt_rule *r = &p->cmd->rule;
	struct ipt_match *m;

	if (r->nmatch >= IPT_MAX_MATCHES) {
		fail(p, "too many matches (at most %d)", IPT_MAX_MATCHES);
		return NULL;
	}
	m = &r->m[r->nmatch];
	m->kind = kind;
	if (kind == IPT_M_TCP || kind == IPT_M_UDP) {
		m->u.l4.sport.hi = 65535;
		m->u.l4.dport.hi = 65535;
	} else if (kind == IPT_M_LIMIT) {
		m->u.limit.avg = IPT_LIMIT_SCALE * 3600 / 3;	/* 3/hour */
		m->u.limit.burst = 5;
	} else if (match_exts[kind]->init) {
		match_exts[kind]->init(m);
	}
	p->load[p->nload++] = (int8_t)r->nmatch;
	r->nmatch++;
	return m;
}
