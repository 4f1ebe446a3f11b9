// SPDX-License-Identifier: MIT
/*
 * print.c - how libipt prints a ruleset: iptables -S, iptables-save and
 *	     iptables -L, character for character as iptables-legacy 1.8.9
 *
 * This file owns every printed form of a rule. The reference is what
 * iptables-legacy 1.8.9 (Debian 12) prints for the same ruleset; the golden
 * files in tests/ipt/golden hold its output and test_ipt_golden compares.
 * Nothing here was taken from iptables' sources: each form below is what
 * the reference was seen to print, and the quirks are kept on purpose,
 * because scripts diff and grep this text:
 *
 *  - -S and iptables-save: the base fields in the order -s -d -i -o -p -f,
 *    then the matches in rule order, each with its "-m NAME" (so "-p tcp
 *    --dport 22" prints as "-p tcp -m tcp --dport 22"), then "-c P B" with
 *    -S -v, then the target. Addresses with their mask applied and always
 *    a mask ("/32"; a mask that is not a prefix as a dotted quad); "-i +"
 *    and "! -i +" are left out (they match every interface); a port range
 *    0:65535 is left out even when negated; protocol numbers print as the
 *    names of Debian's /etc/protocols (a fixed table here, no lookups).
 *    Words that are not all letters, digits, '-' and '_' are quoted with
 *    \" \' and \\ escaped. MARK prints as --set-xmark VALUE/MASK however it
 *    was written; LOG leaves out level 4; limit leaves out burst 5.
 *  - iptables-save: the chain lines always carry the policy counters (user
 *    chains [0:0]); "[P:B] " before each rule only with -c.
 *  - -L: fixed columns; "%-9s " for the target (so MASQUERADE pushes the
 *    line one column right), a column for the "!" of a negated protocol,
 *    source and destination, but -v's in and out put it inside their
 *    padding; the protocol as a number with -n (1.8.9 does so) and a name
 *    without; "-i +" shows as "+"; "[goto] " after the destination; the
 *    matches' and the target's text last, each after one space, with the
 *    reference's odd spots kept ("icmptype 8" but "icmp !type 8",
 *    "multiport dports  !80", MARK as the simplest of and/or/xor/set).
 *    The -x header is two columns wider than its rows, as in the
 *    reference. Counters without -x are rounded to K, M, G, T past 99999
 *    -- with the reference's wrap-around near 2^64 ("0K").
 *
 * Names: -L without -n asks @res->host_name for /32 addresses and
 * @res->service_name for ports of tcp, udp and multiport; network names
 * (/etc/networks: the reference shows 0.0.0.0/1 as "default/1") are not
 * looked up. Without a resolver everything is numeric but "anywhere",
 * "any" and protocol, ICMP type, LOG level and TCP flag names, which are
 * the language's own words.
 *
 * Complexity: linear in the rules printed; nothing allocated but the text
 * (and one scratch text in ipt_print_rule()).
 */
#include <stdio.h>
#include <string.h>

#include "ipt/ext.h"
#include "ipt/ipt.h"

#define DEFAULT_LIMIT_BURST	5
#define DEFAULT_LOG_LEVEL	4
#define ADDR_TEXT		64	/* "a.b.c.d/a.b.c.d", or a host name */
#define PORT_TEXT		64	/* a service name */

/* ---- the language's words -------------------------------------------------- */

/* Debian 12's /etc/protocols (netbase 6.4), which the reference prints */
static const char *const proto_names[256] = {
	[1] = "icmp", [2] = "igmp", [3] = "ggp", [4] = "ipencap", [5] = "st",
	[6] = "tcp", [8] = "egp", [9] = "igp", [12] = "pup", [17] = "udp",
	[20] = "hmp", [22] = "xns-idp", [27] = "rdp", [29] = "iso-tp4",
	[33] = "dccp", [36] = "xtp", [37] = "ddp", [38] = "idpr-cmtp",
	[41] = "ipv6", [43] = "ipv6-route", [44] = "ipv6-frag",
	[45] = "idrp", [46] = "rsvp", [47] = "gre", [50] = "esp", [51] = "ah",
	[57] = "skip", [58] = "ipv6-icmp", [59] = "ipv6-nonxt",
	[60] = "ipv6-opts", [73] = "rspf", [81] = "vmtp", [88] = "eigrp",
	[89] = "ospf", [93] = "ax.25", [94] = "ipip", [97] = "etherip",
	[98] = "encap", [103] = "pim", [108] = "ipcomp", [112] = "vrrp",
	[115] = "l2tp", [124] = "isis", [132] = "sctp", [133] = "fc",
	[135] = "mobility-header", [136] = "udplite", [137] = "mpls-in-ip",
	[138] = "manet", [139] = "hip", [140] = "shim6", [141] = "wesp",
	[142] = "rohc", [143] = "ethernet",
};

/**
 * ipt_proto_name() - The name iptables-save prints for a protocol number
 * @proto:	IP protocol number; 0 is "all"
 *
 * Return: the name, or NULL when the reference prints the number
 */
const char *ipt_proto_name(uint8_t proto)
{
	return proto ? proto_names[proto] : "all";
}

static const char *const policy_names[] = {
	[IPT_POL_ACCEPT] = "ACCEPT", [IPT_POL_DROP] = "DROP",
	[IPT_POL_NONE] = "-",
};

static const char *const reject_words[] = {
	[IPT_REJ_NET_UNREACH] = "icmp-net-unreachable",
	[IPT_REJ_HOST_UNREACH] = "icmp-host-unreachable",
	[IPT_REJ_PORT_UNREACH] = "icmp-port-unreachable",
	[IPT_REJ_PROTO_UNREACH] = "icmp-proto-unreachable",
	[IPT_REJ_NET_PROHIBITED] = "icmp-net-prohibited",
	[IPT_REJ_HOST_PROHIBITED] = "icmp-host-prohibited",
	[IPT_REJ_ADMIN_PROHIBITED] = "icmp-admin-prohibited",
	[IPT_REJ_TCP_RESET] = "tcp-reset",
};

/* -L's LOG level words (syslog's, with "warn" and "err") */
static const char *const log_level_names[8] = {
	"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug",
};

/* LOG flags in the order -S and -L print them */
static const struct {
	uint8_t bit;
	const char *word;		/* -L's; -S prints --log-WORD */
} log_flags[] = {
	{ IPT_LOG_TCPSEQ, "tcp-sequence" }, { IPT_LOG_TCPOPT, "tcp-options" },
	{ IPT_LOG_IPOPT, "ip-options" }, { IPT_LOG_UID, "uid" },
	{ IPT_LOG_MACDECODE, "macdecode" },
};

/* TCP flags in the order both forms print them */
static const char *const tcp_flag_names[6] = {
	"FIN", "SYN", "RST", "PSH", "ACK", "URG",
};

/* State words in the order the reference prints them, whatever the bit order */
static const struct {
	uint8_t bit;
	const char *word;
} state_words[] = {
	{ IPT_ST_INVALID, "INVALID" }, { IPT_ST_NEW, "NEW" },
	{ IPT_ST_RELATED, "RELATED" }, { IPT_ST_ESTABLISHED, "ESTABLISHED" },
	{ IPT_ST_UNTRACKED, "UNTRACKED" }, { IPT_ST_SNAT, "SNAT" },
	{ IPT_ST_DNAT, "DNAT" },
};

/* ICMP names -L prints: a type with all codes, or one type/code */
static const struct {
	uint8_t type, code_lo, code_hi;
	const char *name;
} icmp_words[] = {
	{ 255, 0, 255, "any" },
	{ 0, 0, 255, "echo-reply" },
	{ 3, 0, 255, "destination-unreachable" },
	{ 3, 0, 0, "network-unreachable" },
	{ 3, 1, 1, "host-unreachable" },
	{ 3, 2, 2, "protocol-unreachable" },
	{ 3, 3, 3, "port-unreachable" },
	{ 3, 4, 4, "fragmentation-needed" },
	{ 3, 5, 5, "source-route-failed" },
	{ 3, 6, 6, "network-unknown" },
	{ 3, 7, 7, "host-unknown" },
	{ 3, 9, 9, "network-prohibited" },
	{ 3, 10, 10, "host-prohibited" },
	{ 3, 11, 11, "TOS-network-unreachable" },
	{ 3, 12, 12, "TOS-host-unreachable" },
	{ 3, 13, 13, "communication-prohibited" },
	{ 3, 14, 14, "host-precedence-violation" },
	{ 3, 15, 15, "precedence-cutoff" },
	{ 4, 0, 255, "source-quench" },
	{ 5, 0, 255, "redirect" },
	{ 5, 0, 0, "network-redirect" },
	{ 5, 1, 1, "host-redirect" },
	{ 5, 2, 2, "TOS-network-redirect" },
	{ 5, 3, 3, "TOS-host-redirect" },
	{ 8, 0, 255, "echo-request" },
	{ 9, 0, 255, "router-advertisement" },
	{ 10, 0, 255, "router-solicitation" },
	{ 11, 0, 255, "time-exceeded" },
	{ 11, 0, 0, "ttl-zero-during-transit" },
	{ 11, 1, 1, "ttl-zero-during-reassembly" },
	{ 12, 0, 255, "parameter-problem" },
	{ 12, 0, 0, "ip-header-bad" },
	{ 12, 1, 1, "required-option-missing" },
	{ 13, 0, 255, "timestamp-request" },
	{ 14, 0, 255, "timestamp-reply" },
	{ 17, 0, 255, "address-mask-request" },
	{ 18, 0, 255, "address-mask-reply" },
};

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

static const char *table_word(const char *const *names, size_t n, unsigned i)
{
	return i < n && names[i] ? names[i] : "?";
}

/* -j's word for a target kind ("" for none) */
static const char *target_name(uint8_t kind)
{
	if (kind >= IPT_T_KINDS)
		return "?";
	return target_exts[kind]->name ? target_exts[kind]->name : "";
}

/* The extension's own printers (ext.h), or NULL: this file's switches */
static const struct match_ext *match_printer(const struct ipt_match *m)
{
	return m->kind < IPT_M_KINDS && match_exts[m->kind]->save ?
	       match_exts[m->kind] : NULL;
}

static const struct target_ext *target_printer(const struct ipt_target *t)
{
	return t->kind < IPT_T_KINDS && target_exts[t->kind]->save ?
	       target_exts[t->kind] : NULL;
}

/* ---- small pieces ------------------------------------------------------------ */

static bool mask_is_cidr(uint32_t mask)
{
	uint32_t host = ~mask;

	return (host & (host + 1)) == 0;
}

static int prefix_len(uint32_t mask)
{
	return __builtin_popcount(mask);
}

static void dotted(char *buf, size_t len, uint32_t a)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff,
		 (a >> 8) & 0xff, a & 0xff);
}

/* "a.b.c.d/len", or "a.b.c.d/m.m.m.m" when the mask is not a prefix */
static void addr_mask_text(char *buf, size_t len, uint32_t addr, uint32_t mask)
{
	char a[16], m[16];

	dotted(a, sizeof(a), addr & mask);
	if (mask_is_cidr(mask)) {
		snprintf(buf, len, "%s/%d", a, prefix_len(mask));
		return;
	}
	dotted(m, sizeof(m), mask);
	snprintf(buf, len, "%s/%s", a, m);
}

static bool port_range_full(const struct ipt_portrange *p)
{
	return p->lo == 0 && p->hi == 65535;
}

/* Can this word go out without quotes? The reference quotes all others */
static bool word_is_plain(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		char c = *s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

/* A word as iptables-save quotes it: " \" \' \\ " */
static void put_quoted(struct ipt_text *out, const char *s)
{
	if (word_is_plain(s)) {
		ipt_text_printf(out, "%s", s);
		return;
	}
	ipt_text_printf(out, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\'' || *s == '\\')
			ipt_text_printf(out, "\\%c", *s);
		else
			ipt_text_printf(out, "%c", *s);
	}
	ipt_text_printf(out, "\"");
}

void put_states(struct ipt_text *out, uint8_t mask)
{
	const char *sep = "";

	for (size_t i = 0; i < ARRAY_LEN(state_words); i++) {
		if (mask & state_words[i].bit) {
			ipt_text_printf(out, "%s%s", sep, state_words[i].word);
			sep = ",";
		}
	}
}

/* "FIN,SYN,RST,ACK", "NONE" for none */
static void put_tcp_flag_names(struct ipt_text *out, uint8_t flags)
{
	const char *sep = "";

	if (!(flags & 0x3f)) {
		ipt_text_printf(out, "NONE");
		return;
	}
	for (int i = 0; i < 6; i++) {
		if (flags & (1u << i)) {
			ipt_text_printf(out, "%s%s", sep, tcp_flag_names[i]);
			sep = ",";
		}
	}
}

/* A port as -L prints it: its service name unless -n */
static void put_port(struct ipt_text *out, uint16_t port, const char *proto,
		     const struct ipt_resolver *res)
{
	char name[PORT_TEXT];

	if (res && res->service_name && proto &&
	    res->service_name(port, proto, name, sizeof(name)) == 0) {
		ipt_text_printf(out, "%s", name);
		return;
	}
	ipt_text_printf(out, "%u", port);
}

static void put_port_range(struct ipt_text *out, const struct ipt_portrange *p,
			   const char *sep, const char *proto,
			   const struct ipt_resolver *res)
{
	put_port(out, p->lo, proto, res);
	if (p->hi != p->lo) {
		ipt_text_printf(out, "%s", sep);
		put_port(out, p->hi, proto, res);
	}
}

/* ---- -S and iptables-save: one rule --------------------------------------------- */

static void save_neg(struct ipt_text *out, bool inv)
{
	if (inv)
		ipt_text_printf(out, " !");
}

static void save_addr(struct ipt_text *out, const char *opt, uint32_t addr,
		      uint32_t mask, bool inv)
{
	char buf[ADDR_TEXT];

	if (!mask && !inv)
		return;
	addr_mask_text(buf, sizeof(buf), addr, mask);
	save_neg(out, inv);
	ipt_text_printf(out, " %s %s", opt, buf);
}

/* "+" matches every interface: the reference leaves it out, negated or not */
static void save_iface(struct ipt_text *out, const char *opt, const char *name,
		       bool inv)
{
	if (!name[0] || !strcmp(name, "+"))
		return;
	save_neg(out, inv);
	ipt_text_printf(out, " %s %s", opt, name);
}

static void save_base(const struct ipt_rule *r, struct ipt_text *out)
{
	save_addr(out, "-s", r->src, r->smsk, r->inv & IPT_INV_SRC);
	save_addr(out, "-d", r->dst, r->dmsk, r->inv & IPT_INV_DST);
	save_iface(out, "-i", r->in, r->inv & IPT_INV_IN);
	save_iface(out, "-o", r->out, r->inv & IPT_INV_OUT);
	if (r->proto) {
		const char *name = ipt_proto_name(r->proto);

		save_neg(out, r->inv & IPT_INV_PROTO);
		if (name)
			ipt_text_printf(out, " -p %s", name);
		else
			ipt_text_printf(out, " -p %u", r->proto);
	}
	if (r->frag) {
		save_neg(out, r->inv & IPT_INV_FRAG);
		ipt_text_printf(out, " -f");
	}
}

static void save_ports(struct ipt_text *out, const char *opt,
		       const struct ipt_portrange *p, bool given, bool inv)
{
	if (!given || port_range_full(p))
		return;
	save_neg(out, inv);
	ipt_text_printf(out, " %s %u", opt, p->lo);
	if (p->hi != p->lo)
		ipt_text_printf(out, ":%u", p->hi);
}

static void save_l4(const struct ipt_match *m, struct ipt_text *out)
{
	save_ports(out, "--sport", &m->u.l4.sport, m->set & IPT_F_SPORT,
		   m->inv & IPT_F_SPORT);
	save_ports(out, "--dport", &m->u.l4.dport, m->set & IPT_F_DPORT,
		   m->inv & IPT_F_DPORT);
	if (m->set & IPT_F_TCPOPT) {
		save_neg(out, m->inv & IPT_F_TCPOPT);
		ipt_text_printf(out, " --tcp-option %u", m->u.l4.option);
	}
	if (m->kind != IPT_M_TCP || !(m->set & IPT_F_TCPFLAGS))
		return;
	if (!m->u.l4.flg_mask && !(m->inv & IPT_F_TCPFLAGS))
		return;
	save_neg(out, m->inv & IPT_F_TCPFLAGS);
	ipt_text_printf(out, " --tcp-flags ");
	put_tcp_flag_names(out, m->u.l4.flg_mask);
	ipt_text_printf(out, " ");
	put_tcp_flag_names(out, m->u.l4.flg_cmp);
}

static void save_icmp(const struct ipt_match *m, struct ipt_text *out)
{
	if (!(m->set & IPT_F_VALUE))
		return;
	save_neg(out, m->inv & IPT_F_VALUE);
	if (m->u.icmp.type == 255)
		ipt_text_printf(out, " --icmp-type any");
	else if (m->u.icmp.code_lo == 0 && m->u.icmp.code_hi == 255)
		ipt_text_printf(out, " --icmp-type %u", m->u.icmp.type);
	else
		ipt_text_printf(out, " --icmp-type %u/%u", m->u.icmp.type,
				m->u.icmp.code_lo);
}

static void save_multiport(const struct ipt_match *m, struct ipt_text *out)
{
	static const char *const opts[] = {
		[IPT_MP_SPORTS] = "--sports", [IPT_MP_DPORTS] = "--dports",
		[IPT_MP_PORTS] = "--ports",
	};

	save_neg(out, m->inv & IPT_F_VALUE);
	ipt_text_printf(out, " %s ",
			table_word(opts, ARRAY_LEN(opts), m->u.mp.which));
	for (unsigned i = 0; i < m->u.mp.count && i < IPT_MULTIPORT_MAX; i++) {
		const struct ipt_portrange *p = &m->u.mp.p[i];

		ipt_text_printf(out, "%s%u", i ? "," : "", p->lo);
		if (p->hi != p->lo)
			ipt_text_printf(out, ":%u", p->hi);
	}
}

/* The largest unit the rate is a whole number of, as the reference picks */
static void put_limit_rate(struct ipt_text *out, uint32_t avg)
{
	static const struct {
		const char *name;
		uint64_t mult;
	} units[] = {
		{ "day", 24ull * 60 * 60 * IPT_LIMIT_SCALE },
		{ "hour", 60ull * 60 * IPT_LIMIT_SCALE },
		{ "min", 60ull * IPT_LIMIT_SCALE },
		{ "sec", IPT_LIMIT_SCALE },
	};
	uint64_t period = avg ? avg : 1;
	size_t i;

	for (i = 1; i < ARRAY_LEN(units); i++)
		if (period > units[i].mult ||
		    units[i].mult / period < units[i].mult % period)
			break;
	ipt_text_printf(out, "%llu/%s",
			(unsigned long long)(units[i - 1].mult / period),
			units[i - 1].name);
}

static void put_mac(struct ipt_text *out, const uint8_t *a)
{
	ipt_text_printf(out, "%02x:%02x:%02x:%02x:%02x:%02x",
			a[0], a[1], a[2], a[3], a[4], a[5]);
}

static void save_state(const struct ipt_match *m, struct ipt_text *out)
{
	ipt_text_printf(out, " -m state");
	save_neg(out, m->inv & IPT_F_VALUE);
	ipt_text_printf(out, " --state ");
	put_states(out, m->u.state.mask);
}

/* The mask is left out when it is all ones */
static void save_mark(const struct ipt_match *m, struct ipt_text *out)
{
	ipt_text_printf(out, " -m mark");
	save_neg(out, m->inv & IPT_F_VALUE);
	ipt_text_printf(out, " --mark 0x%x", m->u.mark.value);
	if (m->u.mark.mask != 0xffffffffu)
		ipt_text_printf(out, "/0x%x", m->u.mark.mask);
}

/* Always the rate, the burst only when it is not the default */
static void save_limit(const struct ipt_match *m, struct ipt_text *out)
{
	ipt_text_printf(out, " -m limit --limit ");
	put_limit_rate(out, m->u.limit.avg);
	if (m->u.limit.burst != DEFAULT_LIMIT_BURST)
		ipt_text_printf(out, " --limit-burst %u", m->u.limit.burst);
}

static void save_mac(const struct ipt_match *m, struct ipt_text *out)
{
	ipt_text_printf(out, " -m mac");
	save_neg(out, m->inv & IPT_F_VALUE);
	ipt_text_printf(out, " --mac-source ");
	put_mac(out, m->u.mac.addr);
}

static void save_match(const struct ipt_rule *r, const struct ipt_match *m,
		       struct ipt_text *out)
{
	const struct match_ext *x = match_printer(m);

	if (x) {
		x->save(r, m, out);
		return;
	}
	switch (m->kind) {
	case IPT_M_TCP:
	case IPT_M_UDP:
		ipt_text_printf(out, " -m %s",
				m->kind == IPT_M_TCP ? "tcp" : "udp");
		save_l4(m, out);
		break;
	case IPT_M_ICMP:
		ipt_text_printf(out, " -m icmp");
		save_icmp(m, out);
		break;
	case IPT_M_STATE:
		save_state(m, out);
		break;
	case IPT_M_MULTIPORT:
		ipt_text_printf(out, " -m multiport");
		save_multiport(m, out);
		break;
	case IPT_M_MARK:
		save_mark(m, out);
		break;
	case IPT_M_LIMIT:
		save_limit(m, out);
		break;
	case IPT_M_MAC:
		save_mac(m, out);
		break;
	case IPT_M_COMMENT:
		ipt_text_printf(out, " -m comment --comment ");
		put_quoted(out, ipt_comment(r, m));
		break;
	default:
		ipt_text_printf(out, " -m ?");
		break;
	}
}

/* "a[-b][:p[-q]]" of SNAT/DNAT, "p[-q]" of --to-ports */
static void put_nat_ports(struct ipt_text *out, const struct ipt_target *t)
{
	ipt_text_printf(out, "%u", t->u.nat.port_lo);
	if (t->u.nat.port_hi != t->u.nat.port_lo)
		ipt_text_printf(out, "-%u", t->u.nat.port_hi);
	if (t->u.nat.flags & IPT_NAT_OFFSET)
		ipt_text_printf(out, "/%u", t->u.nat.port_base);
}

static void put_nat_range(struct ipt_text *out, const struct ipt_target *t)
{
	char a[16];

	if (t->u.nat.flags & IPT_NAT_ADDR) {
		dotted(a, sizeof(a), t->u.nat.addr_lo);
		ipt_text_printf(out, "%s", a);
		if (t->u.nat.addr_hi != t->u.nat.addr_lo) {
			dotted(a, sizeof(a), t->u.nat.addr_hi);
			ipt_text_printf(out, "-%s", a);
		}
	}
	if (t->u.nat.flags & IPT_NAT_PORTS) {
		ipt_text_printf(out, ":");
		put_nat_ports(out, t);
	}
}

static void save_nat_flags(struct ipt_text *out, const struct ipt_target *t)
{
	if (t->u.nat.flags & IPT_NAT_RANDOM)
		ipt_text_printf(out, " --random");
	if (t->u.nat.flags & IPT_NAT_RANDOM_FULLY)
		ipt_text_printf(out, " --random-fully");
	if (t->u.nat.flags & IPT_NAT_PERSISTENT)
		ipt_text_printf(out, " --persistent");
}

static void save_log(const struct ipt_target *t, struct ipt_text *out)
{
	if (t->u.log.prefix[0]) {
		ipt_text_printf(out, " --log-prefix ");
		put_quoted(out, t->u.log.prefix);
	}
	if (t->u.log.level != DEFAULT_LOG_LEVEL)
		ipt_text_printf(out, " --log-level %u", t->u.log.level);
	for (size_t i = 0; i < ARRAY_LEN(log_flags); i++)
		if (t->u.log.flags & log_flags[i].bit)
			ipt_text_printf(out, " --log-%s", log_flags[i].word);
}

/* The options after "-j NAME" */
static void save_target_options(const struct ipt_target *t,
				struct ipt_text *out)
{
	const struct target_ext *x = target_printer(t);

	if (x) {
		x->save(t, out);
		return;
	}
	switch (t->kind) {
	case IPT_T_REJECT:
		ipt_text_printf(out, " --reject-with %s",
				table_word(reject_words, ARRAY_LEN(reject_words),
					   t->u.reject_with));
		break;
	case IPT_T_LOG:
		save_log(t, out);
		break;
	case IPT_T_MARK:
		ipt_text_printf(out, " --set-xmark 0x%x/0x%x", t->u.mark.value,
				t->u.mark.mask);
		break;
	case IPT_T_TCPMSS:
		if (t->u.tcpmss.mss)
			ipt_text_printf(out, " --set-mss %u", t->u.tcpmss.mss);
		else
			ipt_text_printf(out, " --clamp-mss-to-pmtu");
		break;
	case IPT_T_MASQUERADE:
	case IPT_T_REDIRECT:
		if (t->u.nat.flags & IPT_NAT_PORTS) {
			ipt_text_printf(out, " --to-ports ");
			put_nat_ports(out, t);
		}
		save_nat_flags(out, t);
		break;
	case IPT_T_SNAT:
	case IPT_T_DNAT:
		ipt_text_printf(out, t->kind == IPT_T_SNAT ? " --to-source " :
				" --to-destination ");
		put_nat_range(out, t);
		save_nat_flags(out, t);
		break;
	default:
		break;
	}
}

static void save_target(const struct ipt_target *t, struct ipt_text *out)
{
	if (t->kind == IPT_T_NONE)
		return;
	if (t->kind == IPT_T_JUMP || t->kind == IPT_T_GOTO) {
		ipt_text_printf(out, " -%c %s", t->kind == IPT_T_JUMP ? 'j' : 'g',
				t->chain);
		return;
	}
	ipt_text_printf(out, " -j %s", target_name(t->kind));
	save_target_options(t, out);
}

/* The rule's words, each after one space; "-c P B" before the target */
static void save_rule_words(const struct ipt_rule *r, bool counters,
			    struct ipt_text *out)
{
	save_base(r, out);
	for (unsigned i = 0; i < r->nmatch && i < IPT_MAX_MATCHES; i++)
		save_match(r, &r->m[i], out);
	if (counters)
		ipt_text_printf(out, " -c %llu %llu",
				(unsigned long long)r->pkts,
				(unsigned long long)r->bytes);
	save_target(&r->t, out);
}

/**
 * ipt_print_rule() - One rule as -S and iptables-save print it
 * @r:		the rule
 * @out:	its words, without the "-A CHAIN " in front or a newline
 *		after (nothing at all for a rule with no fields, no matches
 *		and no target)
 */
void ipt_print_rule(const struct ipt_rule *r, struct ipt_text *out)
{
	struct ipt_text words = { 0 };

	save_rule_words(r, false, &words);
	if (words.oom)
		out->oom = true;
	else if (words.len)
		ipt_text_printf(out, "%s", words.s + 1);
	ipt_text_free(&words);
}

/* ---- -S -------------------------------------------------------------------------- */

static void s_chain_head(const struct ipt_chain *c, bool counters,
			 struct ipt_text *out)
{
	if (c->hook < 0) {
		ipt_text_printf(out, "-N %s\n", c->name);
		return;
	}
	ipt_text_printf(out, "-P %s %s", c->name,
			table_word(policy_names, ARRAY_LEN(policy_names),
				   c->policy));
	if (counters)
		ipt_text_printf(out, " -c %llu %llu",
				(unsigned long long)c->pol_pkts,
				(unsigned long long)c->pol_bytes);
	ipt_text_printf(out, "\n");
}

static void s_rule(const struct ipt_chain *c, const struct ipt_rule *r,
		   bool counters, struct ipt_text *out)
{
	ipt_text_printf(out, "-A %s", c->name);
	save_rule_words(r, counters, out);
	ipt_text_printf(out, "\n");
}

static void s_chain_rules(const struct ipt_chain *c, bool counters,
			  struct ipt_text *out)
{
	for (uint32_t i = 0; i < c->nrules; i++)
		s_rule(c, &c->rules[i], counters, out);
}

static const struct ipt_chain *chain_named(const struct ipt_table *t,
					   const char *name)
{
	for (uint32_t i = 0; i < t->nchains; i++)
		if (!strcmp(t->chains[i].name, name))
			return &t->chains[i];
	return NULL;
}

static int no_such_chain(const char *name, struct ipt_err *err)
{
	if (err)
		snprintf(err->msg, sizeof(err->msg),
			 "No chain/target/match by that name: `%s'", name);
	return -1;
}

/**
 * ipt_print_S() - iptables -S [chain [rulenum]]
 * @t:		the table
 * @chain:	one chain, or NULL for all of them
 * @rulenum:	with @chain: only that rule (1-based; past the end prints
 *		nothing, as the reference), 0 for the whole chain
 * @counters:	-v: "-c PKTS BYTES" on the policies and rules
 * @out:	the text: policies and user chains first (-P, -N), then every
 *		chain's rules; one chain: its -P or -N line, then its rules
 * @err:	set when @chain does not exist
 *
 * Return: 0, or -1 when @chain does not exist
 */
int ipt_print_S(const struct ipt_table *t, const char *chain,
		uint32_t rulenum, bool counters, struct ipt_text *out,
		struct ipt_err *err)
{
	const struct ipt_chain *c;

	if (!chain) {
		for (uint32_t i = 0; i < t->nchains; i++)
			s_chain_head(&t->chains[i], counters, out);
		for (uint32_t i = 0; i < t->nchains; i++)
			s_chain_rules(&t->chains[i], counters, out);
		return 0;
	}
	c = chain_named(t, chain);
	if (!c)
		return no_such_chain(chain, err);
	if (rulenum) {
		if (rulenum <= c->nrules)
			s_rule(c, &c->rules[rulenum - 1], counters, out);
		return 0;
	}
	s_chain_head(c, counters, out);
	s_chain_rules(c, counters, out);
	return 0;
}

/* ---- iptables-save ------------------------------------------------------------ */

static void save_table(const struct ipt_table *t, const char *name,
		       bool counters, struct ipt_text *out)
{
	ipt_text_printf(out, "*%s\n", name);
	for (uint32_t i = 0; i < t->nchains; i++) {
		const struct ipt_chain *c = &t->chains[i];
		bool user = c->hook < 0;

		ipt_text_printf(out, ":%s %s [%llu:%llu]\n", c->name,
				user ? "-" : table_word(policy_names,
					ARRAY_LEN(policy_names), c->policy),
				user ? 0ull : (unsigned long long)c->pol_pkts,
				user ? 0ull : (unsigned long long)c->pol_bytes);
	}
	for (uint32_t i = 0; i < t->nchains; i++) {
		const struct ipt_chain *c = &t->chains[i];

		for (uint32_t j = 0; j < c->nrules; j++) {
			const struct ipt_rule *r = &c->rules[j];

			if (counters)
				ipt_text_printf(out, "[%llu:%llu] ",
						(unsigned long long)r->pkts,
						(unsigned long long)r->bytes);
			ipt_text_printf(out, "-A %s", c->name);
			save_rule_words(r, false, out);
			ipt_text_printf(out, "\n");
		}
	}
	ipt_text_printf(out, "COMMIT\n");
}

/**
 * ipt_save() - iptables-save
 * @rs:		the ruleset
 * @mask:	1 << enum ipt_table_id for each table to print: of those
 *		the loaded ones (struct ipt_ruleset), or the one asked for
 *		alone, as iptables-save -t loads it
 * @counters:	-c: "[PKTS:BYTES] " before each rule (the chain lines carry
 *		the policy counters either way, as the reference's do)
 * @stamp:	the time text of the "# Generated by" and "# Completed on"
 *		lines, or NULL to leave those lines out
 * @out:	the tables in the order raw, nat, mangle, filter: newest
 *		first, as the kernel lists them (the three masq starts with
 *		loaded in the order filter, mangle, nat; raw on first use)
 */
void ipt_save(const struct ipt_ruleset *rs, unsigned mask, bool counters,
	      const char *stamp, struct ipt_text *out)
{
	static const enum ipt_table_id order[] = { IPT_RAW, IPT_NAT,
						   IPT_MANGLE, IPT_FILTER };

	for (size_t i = 0; i < ARRAY_LEN(order); i++) {
		enum ipt_table_id id = order[i];

		if (!(mask & (1u << id)) ||
		    (!(rs->loaded & (1u << id)) && mask != 1u << id))
			continue;
		if (stamp)
			ipt_text_printf(out, "# Generated by iptables-save "
					"v1.8.9 on %s\n", stamp);
		save_table(&rs->t[id], ipt_table_name(id), counters, out);
		if (stamp)
			ipt_text_printf(out, "# Completed on %s\n", stamp);
	}
}

/* ---- -L: the columns ------------------------------------------------------------ */

/*
 * A counter as -L -v prints it without -x: as is up to 99999, then
 * rounded to thousands with K, M, G and at last T. The + 500 wraps near
 * 2^64 as the reference's does ("0K").
 */
static void human_number(char *buf, size_t len, uint64_t v)
{
	static const char units[] = "KMGT";

	if (v <= 99999) {
		snprintf(buf, len, "%llu", (unsigned long long)v);
		return;
	}
	for (int i = 0; ; i++) {
		v = (v + 500) / 1000;
		if (v <= 9999 || units[i + 1] == '\0') {
			snprintf(buf, len, "%llu%c", (unsigned long long)v,
				 units[i]);
			return;
		}
	}
}

static void count_text(char *buf, size_t len, uint64_t v, unsigned opts)
{
	if (opts & IPT_OPT_EXACT)
		snprintf(buf, len, "%llu", (unsigned long long)v);
	else
		human_number(buf, len, v);
}

static void l_chain_line(const struct ipt_chain *c, unsigned opts,
			 struct ipt_text *out)
{
	char p[32], b[32];

	if (c->hook < 0) {
		ipt_text_printf(out, "Chain %s (%u references)\n", c->name,
				c->refs);
		return;
	}
	ipt_text_printf(out, "Chain %s (policy %s", c->name,
			table_word(policy_names, ARRAY_LEN(policy_names),
				   c->policy));
	if (opts & IPT_OPT_VERBOSE) {
		count_text(p, sizeof(p), c->pol_pkts, opts);
		count_text(b, sizeof(b), c->pol_bytes, opts);
		ipt_text_printf(out, " %s packets, %s bytes", p, b);
	}
	ipt_text_printf(out, ")\n");
}

static void l_header(unsigned opts, struct ipt_text *out)
{
	if (opts & IPT_OPT_LINENUMBERS)
		ipt_text_printf(out, "%-4s ", "num");
	if (opts & IPT_OPT_VERBOSE) {
		if (opts & IPT_OPT_EXACT)
			ipt_text_printf(out, "%8s %10s ", "pkts", "bytes");
		else
			ipt_text_printf(out, "%5s %5s ", "pkts", "bytes");
	}
	ipt_text_printf(out, "%-9s  %-4s %-3s ", "target", "prot", "opt");
	if (opts & IPT_OPT_VERBOSE)
		ipt_text_printf(out, "%-6s %-6s  ", "in", "out");
	ipt_text_printf(out, "%-20s %-20s\n", "source", "destination");
}

static void l_counters(const struct ipt_rule *r, unsigned opts,
		       struct ipt_text *out)
{
	char p[32], b[32];

	if (opts & IPT_OPT_EXACT) {
		ipt_text_printf(out, "%8llu %8llu ",
				(unsigned long long)r->pkts,
				(unsigned long long)r->bytes);
		return;
	}
	human_number(p, sizeof(p), r->pkts);
	human_number(b, sizeof(b), r->bytes);
	ipt_text_printf(out, "%5s %5s ", p, b);
}

static const char *l_target_name(const struct ipt_target *t)
{
	if (t->kind == IPT_T_JUMP || t->kind == IPT_T_GOTO)
		return t->chain;
	if (t->kind < IPT_T_KINDS && target_exts[t->kind]->list_name)
		return target_exts[t->kind]->list_name;
	return target_name(t->kind);
}

static void l_proto(const struct ipt_rule *r, unsigned opts,
		    struct ipt_text *out)
{
	const char *name = ipt_proto_name(r->proto);
	char num[4];

	if ((opts & IPT_OPT_NUMERIC) || !name) {
		snprintf(num, sizeof(num), "%u", r->proto);
		name = num;
	}
	ipt_text_printf(out, "%c%-4s ", r->inv & IPT_INV_PROTO ? '!' : ' ',
			name);
}

/*
 * -L -v's "in" and "out": unlike the other fields, the "!" goes in front
 * of the name inside the padding ("!eth0 ", not "!eth0  ").
 */
static void l_iface(const char *name, bool inv, unsigned opts,
		    struct ipt_text *out)
{
	char buf[IPT_IFNAMSIZ + 1];

	if (!name[0])
		name = opts & IPT_OPT_NUMERIC ? "*" : "any";
	snprintf(buf, sizeof(buf), "%s%s", inv ? "!" : "", name);
	ipt_text_printf(out, "%-6s ", buf);
}

static void l_addr(uint32_t addr, uint32_t mask, bool inv, unsigned opts,
		   const struct ipt_resolver *res, struct ipt_text *out)
{
	char buf[ADDR_TEXT], host[ADDR_TEXT];
	bool names = !(opts & IPT_OPT_NUMERIC);

	addr &= mask;
	if (!mask) {
		snprintf(buf, sizeof(buf), "%s", names ? "anywhere" :
			 "0.0.0.0/0");
	} else if (mask == 0xffffffffu) {
		if (!names || !res || !res->host_name ||
		    res->host_name(addr, host, sizeof(host)) != 0)
			dotted(host, sizeof(host), addr);
		snprintf(buf, sizeof(buf), "%s", host);
	} else {
		addr_mask_text(buf, sizeof(buf), addr, mask);
	}
	ipt_text_printf(out, "%c%-19s ", inv ? '!' : ' ', buf);
}

/* ---- -L: the matches' and targets' text ------------------------------------------ */

static void l_ports(struct ipt_text *out, const char *one, const char *many,
		    const struct ipt_portrange *p, bool given, bool inv,
		    const char *proto, const struct ipt_resolver *res)
{
	if (!given || (port_range_full(p) && !inv))
		return;
	ipt_text_printf(out, " %s:%s", p->lo == p->hi ? one : many,
			inv ? "!" : "");
	put_port_range(out, p, ":", proto, res);
}

static void l_l4(const struct ipt_match *m, unsigned opts,
		 const struct ipt_resolver *res, struct ipt_text *out)
{
	const char *proto = m->kind == IPT_M_TCP ? "tcp" : "udp";

	ipt_text_printf(out, " %s", proto);
	l_ports(out, "spt", "spts", &m->u.l4.sport, m->set & IPT_F_SPORT,
		m->inv & IPT_F_SPORT, proto, res);
	l_ports(out, "dpt", "dpts", &m->u.l4.dport, m->set & IPT_F_DPORT,
		m->inv & IPT_F_DPORT, proto, res);
	if (m->set & IPT_F_TCPOPT)
		ipt_text_printf(out, " option=%s%u",
				m->inv & IPT_F_TCPOPT ? "!" : "", m->u.l4.option);
	if (m->kind != IPT_M_TCP || !(m->set & IPT_F_TCPFLAGS))
		return;
	if (!m->u.l4.flg_mask && !(m->inv & IPT_F_TCPFLAGS))
		return;
	ipt_text_printf(out, " flags:%s", m->inv & IPT_F_TCPFLAGS ? "!" : "");
	if (opts & IPT_OPT_NUMERIC) {
		ipt_text_printf(out, "0x%02X/0x%02X", m->u.l4.flg_mask,
				m->u.l4.flg_cmp);
		return;
	}
	put_tcp_flag_names(out, m->u.l4.flg_mask);
	ipt_text_printf(out, "/");
	put_tcp_flag_names(out, m->u.l4.flg_cmp);
}

static const char *icmp_type_name(uint8_t type, uint8_t code_lo, uint8_t code_hi)
{
	for (size_t i = 0; i < ARRAY_LEN(icmp_words); i++)
		if (icmp_words[i].type == type &&
		    icmp_words[i].code_lo == code_lo &&
		    icmp_words[i].code_hi == code_hi)
			return icmp_words[i].name;
	return NULL;
}

static void l_icmp(const struct ipt_match *m, unsigned opts,
		   struct ipt_text *out)
{
	uint8_t type = m->u.icmp.type, lo = m->u.icmp.code_lo;
	uint8_t hi = m->u.icmp.code_hi;
	bool inv = m->inv & IPT_F_VALUE;
	const char *name = NULL;

	if (!(m->set & IPT_F_VALUE)) {
		ipt_text_printf(out, " icmp");
		return;
	}
	if (!(opts & IPT_OPT_NUMERIC))
		name = icmp_type_name(type, lo, hi);
	if (name) {
		ipt_text_printf(out, " icmp %s%s", inv ? "!" : "", name);
		return;
	}
	ipt_text_printf(out, " icmp%stype %u", inv ? " !" : "", type);
	if (lo != 0 || hi != 255)
		ipt_text_printf(out, " code %u", lo);
}

static void l_multiport(const struct ipt_match *m, const struct ipt_rule *r,
			const struct ipt_resolver *res, struct ipt_text *out)
{
	static const char *const words[] = {
		[IPT_MP_SPORTS] = "sports", [IPT_MP_DPORTS] = "dports",
		[IPT_MP_PORTS] = "ports",
	};
	const char *proto = ipt_proto_name(r->proto);

	ipt_text_printf(out, " multiport %s ",
			table_word(words, ARRAY_LEN(words), m->u.mp.which));
	if (m->inv & IPT_F_VALUE)
		ipt_text_printf(out, " !");
	for (unsigned i = 0; i < m->u.mp.count && i < IPT_MULTIPORT_MAX; i++) {
		if (i)
			ipt_text_printf(out, ",");
		put_port_range(out, &m->u.mp.p[i], ":", proto, res);
	}
}

static void l_mark_match(const struct ipt_match *m, struct ipt_text *out)
{
	ipt_text_printf(out, " mark match %s0x%x",
			m->inv & IPT_F_VALUE ? "! " : "", m->u.mark.value);
	if (m->u.mark.mask != 0xffffffffu)
		ipt_text_printf(out, "/0x%x", m->u.mark.mask);
}

static void l_match(const struct ipt_match *m, const struct ipt_rule *r,
		    unsigned opts, const struct ipt_resolver *res,
		    struct ipt_text *out)
{
	const struct match_ext *x = match_printer(m);
	bool inv = m->inv & IPT_F_VALUE;

	if (x) {
		if (x->list)
			x->list(r, m, opts, res, out);
		return;
	}
	switch (m->kind) {
	case IPT_M_TCP:
	case IPT_M_UDP:
		l_l4(m, opts, res, out);
		break;
	case IPT_M_ICMP:
		l_icmp(m, opts, out);
		break;
	case IPT_M_STATE:
		ipt_text_printf(out, " %sstate ", inv ? "! " : "");
		put_states(out, m->u.state.mask);
		break;
	case IPT_M_MULTIPORT:
		l_multiport(m, r, res, out);
		break;
	case IPT_M_MARK:
		l_mark_match(m, out);
		break;
	case IPT_M_LIMIT:
		ipt_text_printf(out, " limit: avg ");
		put_limit_rate(out, m->u.limit.avg);
		ipt_text_printf(out, " burst %u", m->u.limit.burst);
		break;
	case IPT_M_MAC:
		ipt_text_printf(out, " MAC %s", inv ? "! " : "");
		put_mac(out, m->u.mac.addr);
		break;
	case IPT_M_COMMENT:
		ipt_text_printf(out, " /* %s */", ipt_comment(r, m));
		break;
	default:
		ipt_text_printf(out, " ?");
		break;
	}
}

static void l_log(const struct ipt_target *t, unsigned opts,
		  struct ipt_text *out)
{
	uint8_t level = t->u.log.level;

	if (opts & IPT_OPT_NUMERIC) {
		ipt_text_printf(out, " LOG flags %u level %u", t->u.log.flags,
				level);
	} else {
		if (level < ARRAY_LEN(log_level_names))
			ipt_text_printf(out, " LOG level %s",
					log_level_names[level]);
		else
			ipt_text_printf(out, " LOG level %u", level);
		for (size_t i = 0; i < ARRAY_LEN(log_flags); i++)
			if (t->u.log.flags & log_flags[i].bit)
				ipt_text_printf(out, " %s", log_flags[i].word);
	}
	if (t->u.log.prefix[0])
		ipt_text_printf(out, " prefix \"%s\"", t->u.log.prefix);
}

/* MARK: kept as (value, mask); -L names the simplest operation it is */
static void l_mark(const struct ipt_target *t, struct ipt_text *out)
{
	uint32_t v = t->u.mark.value, m = t->u.mark.mask;

	if (v == 0)
		ipt_text_printf(out, " MARK and 0x%x", ~m);
	else if (v == m)
		ipt_text_printf(out, " MARK or 0x%x", v);
	else if (m == 0)
		ipt_text_printf(out, " MARK xor 0x%x", v);
	else if (m == 0xffffffffu)
		ipt_text_printf(out, " MARK set 0x%x", v);
	else
		ipt_text_printf(out, " MARK xset 0x%x/0x%x", v, m);
}

static void l_nat_flags(const struct ipt_target *t, struct ipt_text *out)
{
	if (t->u.nat.flags & IPT_NAT_RANDOM)
		ipt_text_printf(out, " random");
	if (t->u.nat.flags & IPT_NAT_RANDOM_FULLY)
		ipt_text_printf(out, " random-fully");
	if (t->u.nat.flags & IPT_NAT_PERSISTENT)
		ipt_text_printf(out, " persistent");
}

static void l_target(const struct ipt_target *t, unsigned opts,
		     struct ipt_text *out)
{
	const struct target_ext *x = target_printer(t);

	if (x) {
		if (x->list)
			x->list(t, opts, out);
		return;
	}
	switch (t->kind) {
	case IPT_T_REJECT:
		ipt_text_printf(out, " reject-with %s",
				table_word(reject_words, ARRAY_LEN(reject_words),
					   t->u.reject_with));
		break;
	case IPT_T_LOG:
		l_log(t, opts, out);
		break;
	case IPT_T_MARK:
		l_mark(t, out);
		break;
	case IPT_T_TCPMSS:
		if (t->u.tcpmss.mss)
			ipt_text_printf(out, " TCPMSS set %u", t->u.tcpmss.mss);
		else
			ipt_text_printf(out, " TCPMSS clamp to PMTU");
		break;
	case IPT_T_MASQUERADE:
	case IPT_T_REDIRECT:
		if (t->u.nat.flags & IPT_NAT_PORTS) {
			ipt_text_printf(out, t->kind == IPT_T_MASQUERADE ?
					" masq ports: " : " redir ports ");
			put_nat_ports(out, t);
		}
		l_nat_flags(t, out);
		break;
	case IPT_T_SNAT:
	case IPT_T_DNAT:
		ipt_text_printf(out, " to:");
		put_nat_range(out, t);
		l_nat_flags(t, out);
		break;
	default:
		break;
	}
}

static void l_rule(const struct ipt_rule *r, uint32_t num, unsigned opts,
		   const struct ipt_resolver *res, struct ipt_text *out)
{
	bool frag_inv = r->frag && (r->inv & IPT_INV_FRAG);

	if (opts & IPT_OPT_NUMERIC)
		res = NULL;
	if (opts & IPT_OPT_LINENUMBERS)
		ipt_text_printf(out, "%-4u ", num);
	if (opts & IPT_OPT_VERBOSE)
		l_counters(r, opts, out);
	ipt_text_printf(out, "%-9s ", l_target_name(&r->t));
	l_proto(r, opts, out);
	ipt_text_printf(out, "%c%c ", frag_inv ? '!' : '-', r->frag ? 'f' : '-');
	if (opts & IPT_OPT_VERBOSE) {
		ipt_text_printf(out, " ");
		l_iface(r->in, r->inv & IPT_INV_IN, opts, out);
		l_iface(r->out, r->inv & IPT_INV_OUT, opts, out);
	}
	l_addr(r->src, r->smsk, r->inv & IPT_INV_SRC, opts, res, out);
	l_addr(r->dst, r->dmsk, r->inv & IPT_INV_DST, opts, res, out);
	if (r->t.kind == IPT_T_GOTO)
		ipt_text_printf(out, "[goto] ");
	for (unsigned i = 0; i < r->nmatch && i < IPT_MAX_MATCHES; i++)
		l_match(&r->m[i], r, opts, res, out);
	l_target(&r->t, opts, out);
	ipt_text_printf(out, "\n");
}

static void l_chain(const struct ipt_chain *c, unsigned opts,
		    const struct ipt_resolver *res, struct ipt_text *out)
{
	l_chain_line(c, opts, out);
	l_header(opts, out);
	for (uint32_t i = 0; i < c->nrules; i++)
		l_rule(&c->rules[i], i + 1, opts, res, out);
}

/**
 * ipt_print_L() - iptables -L [chain]
 * @t:		the table
 * @chain:	one chain, or NULL for all of them (a blank line between)
 * @opts:	IPT_OPT_*: -n, -v, -x, --line-numbers (-Z is the caller's:
 *		ipt_exec() zeroes after the listing and prints the
 *		"Zeroing chain" lines)
 * @res:	host and service names unless -n; NULL for numbers
 * @out:	the listing
 * @err:	set when @chain does not exist
 *
 * Return: 0, or -1 when @chain does not exist
 */
int ipt_print_L(const struct ipt_table *t, const char *chain, unsigned opts,
		const struct ipt_resolver *res, struct ipt_text *out,
		struct ipt_err *err)
{
	const struct ipt_chain *c;

	if (chain) {
		c = chain_named(t, chain);
		if (!c)
			return no_such_chain(chain, err);
		l_chain(c, opts, res, out);
		return 0;
	}
	for (uint32_t i = 0; i < t->nchains; i++) {
		if (i)
			ipt_text_printf(out, "\n");
		l_chain(&t->chains[i], opts, res, out);
	}
	return 0;
}
