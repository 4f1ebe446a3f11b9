// SPDX-License-Identifier: MIT
/*
 * ipfwadm_print.c - ipfwadm 2.3.0's listings (-l, with -e -n -x) and its
 *		     -v lines, from the ruleset model
 *
 * The reference is ipfwadm 2.3.0's list_entries() and print_firewall():
 * a first line ("IP firewall forward rules, default policy: accept",
 * "IP accounting rules"), then, when the category has rules, a heading
 * and a line per rule. Counters are shown for accounting always and for
 * the firewalls with -e; without -x a counter past 99999 is shown in
 * thousands ("K", rounded) and one past 9999K in millions ("M", rounded
 * from the exact count: ipfwadm's (n + 500000) / 1000000), never more.
 * -e adds the options (b k y o), the TOS masks (firewalls only) and the
 * interface name and address. The columns are printf widths, so a long
 * name or count pushes the rest of its line right, as there.
 *
 * The -v lines (a rule about to be added or deleted, a packet about to
 * be checked) are the same fields on one line without the table's
 * padding, numbers only, as ipfwadm printed them with FMT_NOTABLE.
 *
 * Names without -n: an address (any mask) through @res->host_name, as
 * ipfwadm asked gethostbyaddr() (networks, /etc/networks, are not looked
 * up); TCP and UDP ports through @res->service_name; ICMP types never.
 *
 * Cost: linear in the rules; nothing allocated but the text.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "ipt/ipfwadm.h"

#define FMT_NUMERIC	0x0001
#define FMT_NOCOUNTS	0x0002
#define FMT_KILOMEGA	0x0004
#define FMT_OPTIONS	0x0008
#define FMT_NOTABLE	0x0010
#define FMT_HEADER	0x0020
#define FMT_NOKIND	0x0040
#define FMT_VIA		0x0080
#define FMT_TOS		0x0400

#define NAME_TEXT	1100	/* a host name (NI_MAXHOST) and a mask */
#define DEFAULT_TOS_AND	0xFF	/* the masks of a rule without -t */
#define DEFAULT_TOS_XOR	0x00

struct row {
	unsigned fmt;
	enum fwadm_cat cat;
	const struct ipt_resolver *res;
	struct ipt_text *out;
};

/* Table or one-line form of a field: FMT(tab, notab) */
static const char *form(const struct row *w, const char *tab,
			const char *notab)
{
	return (w->fmt & FMT_NOTABLE) ? notab : tab;
}

#define put(w, tab, notab, ...) \
	ipt_text_printf((w)->out, form((w), (tab), (notab)), __VA_ARGS__)

static void dotted(char *buf, size_t len, uint32_t a)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff,
		 (a >> 8) & 0xff, a & 0xff);
}

/* ---- the heading ------------------------------------------------------------ */

static void heading(const struct row *w)
{
	if (!(w->fmt & FMT_NOCOUNTS)) {
		bool km = w->fmt & FMT_KILOMEGA;

		put(w, km ? "%5s " : "%8s ", "%s ", "pkts");
		put(w, km ? "%5s " : "%10s ", "%s ", "bytes");
	}
	if (!(w->fmt & FMT_NOKIND)) {
		if (w->cat == FWADM_ACCT)
			put(w, "%-3s ", "%s ", "dir");
		else
			put(w, "%-5s ", "%s ", "type");
	}
	ipt_text_printf(w->out, "prot ");
	if (w->fmt & FMT_OPTIONS)
		ipt_text_printf(w->out, "opt  ");
	if (w->fmt & FMT_TOS)
		ipt_text_printf(w->out, "tosa tosx ");
	if (w->fmt & FMT_VIA) {
		put(w, "%-7s ", "(%s ", "ifname");
		put(w, "%-15s ", "%s) ", "ifaddress");
	}
	put(w, "%-20s ", "%s ", "source");
	put(w, "%-20s ", "%s ", "destination");
	ipt_text_printf(w->out, "ports\n");
}

/* ---- a rule's fields ----------------------------------------------------------- */

/* A counter: exact, or in K and M as ipfwadm rounded them */
static void counter(const struct row *w, uint64_t v, bool bytes)
{
	unsigned long long n = v;

	if (!(w->fmt & FMT_KILOMEGA)) {
		put(w, bytes ? "%10llu " : "%8llu ", "%llu ", n);
	} else if (n <= 99999) {
		put(w, "%5llu ", "%llu ", n);
	} else if ((n + 500) / 1000 <= 9999) {
		put(w, "%4lluK ", "%lluK ", (n + 500) / 1000);
	} else {
		put(w, "%4lluM ", "%lluM ", (n + 500000) / 1000000);
	}
}

static const char *kind_word(const struct ipt_rule *r, enum fwadm_cat cat)
{
	uint16_t dir = r->lg.flags & (IPT_LG_ACCT_IN | IPT_LG_ACCT_OUT);

	if (cat == FWADM_ACCT)
		return dir == IPT_LG_ACCT_IN ? "in" :
		       dir == IPT_LG_ACCT_OUT ? "out" : "i/o";
	switch (r->t.kind) {
	case IPT_T_REDIRECT:	return "acc/r";
	case IPT_T_MASQUERADE:	return "acc/m";
	case IPT_T_ACCEPT:	return "acc";
	case IPT_T_REJECT:	return "rej";
	default:		return "deny";
	}
}

static const char *proto_word(uint8_t proto)
{
	return proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_UDP ? "udp" :
	       proto == IPPROTO_ICMP ? "icmp" : "all";
}

static void options(const struct row *w, const struct ipt_rule *r)
{
	uint16_t f = r->lg.flags;

	if (w->fmt & FMT_NOTABLE)
		ipt_text_printf(w->out, "opt ");
	ipt_text_printf(w->out, "%c%c%c%c ", (f & IPT_LG_BIDIR) ? 'b' : '-',
			(f & IPT_LG_ACK) ? 'k' : '-', (f & IPT_LG_SYN) ? 'y' : '-',
			(f & IPT_LG_LOG) ? 'o' : '-');
}

static void tos(const struct row *w, const struct ipt_rule *r)
{
	bool given = r->lg.flags & IPT_LG_TOS;

	if (w->fmt & FMT_NOTABLE)
		ipt_text_printf(w->out, "tos ");
	ipt_text_printf(w->out, "0x%02X 0x%02X ",
			given ? r->lg.tos_and : DEFAULT_TOS_AND,
			given ? r->lg.tos_xor : DEFAULT_TOS_XOR);
}

static void via(const struct row *w, const struct ipt_rule *r)
{
	bool numeric = w->fmt & FMT_NUMERIC;
	char a[16];

	put(w, "%-7.16s ", "via %.16s ",
	    r->in[0] ? r->in : numeric ? "*" : "any");
	dotted(a, sizeof(a), r->lg.via);
	put(w, "%-15s ", "%s ", !r->lg.via && !numeric ? "any" : a);
}

/* An address as ipfwadm showed it: "anywhere", name or number, "/mask" */
static void address(const struct row *w, uint32_t a, uint32_t m,
		    const char *tab, const char *notab)
{
	char buf[NAME_TEXT];
	size_t n;
	uint32_t host = ~m;

	if (!m && !(w->fmt & FMT_NUMERIC)) {
		put(w, tab, notab, "anywhere");
		return;
	}
	if ((w->fmt & FMT_NUMERIC) || !w->res || !w->res->host_name ||
	    w->res->host_name(a, buf, 1025))
		dotted(buf, sizeof(buf), a);
	n = strlen(buf);
	if (m == ~0u)
		;			/* no "/32" */
	else if (!(host & (host + 1)))
		snprintf(buf + n, sizeof(buf) - n, "/%d", __builtin_popcount(m));
	else {
		snprintf(buf + n, sizeof(buf) - n, "/");
		dotted(buf + n + 1, sizeof(buf) - n - 1, m);
	}
	put(w, tab, notab, buf);
}

/* A port: a number, or a TCP/UDP service name without -n */
static void port(const struct row *w, const struct ipt_rule *r, uint16_t v)
{
	char name[64];
	const char *proto = r->proto == IPPROTO_TCP ? "tcp" :
			    r->proto == IPPROTO_UDP ? "udp" : NULL;

	if (!(w->fmt & FMT_NUMERIC) && proto && w->res &&
	    w->res->service_name &&
	    !w->res->service_name(v, proto, name, sizeof(name))) {
		ipt_text_printf(w->out, "%s", name);
		return;
	}
	ipt_text_printf(w->out, "%u", v);
}

/* One side's ports: " any"/" *", else " lo:hi,p,p" */
static void ports(const struct row *w, const struct ipt_rule *r,
		  const struct ipt_portrange *pr, uint8_t n)
{
	if (!n) {
		ipt_text_printf(w->out, "%s",
				(w->fmt & FMT_NUMERIC) ? " *" : " any");
		return;
	}
	for (uint8_t i = 0; i < n; i++) {
		ipt_text_printf(w->out, "%c", i ? ',' : ' ');
		port(w, r, pr[i].lo);
		if (pr[i].hi != pr[i].lo) {
			ipt_text_printf(w->out, ":");
			port(w, r, pr[i].hi);
		}
	}
}

/* " => port" of a redirecting rule */
static void redirect(const struct row *w, const struct ipt_rule *r)
{
	uint16_t to = (r->t.u.nat.flags & IPT_NAT_PORTS) ? r->t.u.nat.port_lo : 0;

	if (!to) {
		ipt_text_printf(w->out, "%s",
				(w->fmt & FMT_NUMERIC) ? " => *" : " => any");
		return;
	}
	ipt_text_printf(w->out, " => ");
	port(w, r, to);
}

static void addresses_ports(const struct row *w, const struct ipt_rule *r)
{
	if (w->fmt & FMT_NOTABLE)
		ipt_text_printf(w->out, "  ");
	address(w, r->src, r->smsk, "%-20s ", "%s ");
	address(w, r->dst, r->dmsk, "%-20s", "-> %s");
	if (w->fmt & FMT_NOTABLE)
		ipt_text_printf(w->out, "  ");
	if (r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP &&
	    r->proto != IPPROTO_ICMP) {
		ipt_text_printf(w->out, " n/a\n");
		return;
	}
	ports(w, r, r->lg.sp, r->lg.nsp);
	if (r->proto == IPPROTO_ICMP) {	/* types only, as source "ports" */
		ipt_text_printf(w->out, "\n");
		return;
	}
	ipt_text_printf(w->out, " ->");
	ports(w, r, r->lg.dp, r->lg.ndp);
	if (r->t.kind == IPT_T_REDIRECT)
		redirect(w, r);
	ipt_text_printf(w->out, "\n");
}

/* print_firewall(): one rule (with the heading first for FMT_HEADER) */
static void rule_line(const struct row *w, const struct ipt_rule *r)
{
	if (w->fmt & FMT_HEADER)
		heading(w);
	if (!(w->fmt & FMT_NOCOUNTS)) {
		counter(w, ipt_ctr_get(&r->pkts), false);
		counter(w, ipt_ctr_get(&r->bytes), true);
	}
	if (!(w->fmt & FMT_NOKIND))
		put(w, w->cat == FWADM_ACCT ? "%-3s " : "%-5s ", "%s ",
		    kind_word(r, w->cat));
	put(w, "%-5s", "%s ", proto_word(r->proto));
	if (w->fmt & FMT_OPTIONS)
		options(w, r);
	if (w->fmt & FMT_TOS)
		tos(w, r);
	if (w->fmt & FMT_VIA)
		via(w, r);
	addresses_ports(w, r);
}

/* ---- listings ------------------------------------------------------------------- */

/**
 * fwadm_policy_name() - A chain policy in ipfwadm's words
 * @ipt_policy:	enum ipt_policy
 *
 * Return: "accept", "accept/masquerade", "reject" or "deny"
 */
const char *fwadm_policy_name(uint8_t ipt_policy)
{
	switch (ipt_policy) {
	case IPT_POL_ACCEPT:	return "accept";
	case IPT_POL_MASQ:	return "accept/masquerade";
	case IPT_POL_REJECT:	return "reject";
	default:		return "deny";
	}
}

/* The first line: what /proc/net/ip_* began with, the policy in words */
static void first_line(const struct ipt_chain *c, enum fwadm_cat cat,
		       struct ipt_text *out)
{
	static const char *const what[] = { "forward", "input", "output" };

	if (cat == FWADM_ACCT) {
		ipt_text_printf(out, "IP accounting rules\n");
		return;
	}
	ipt_text_printf(out, "IP firewall %s rules, default policy: %s\n",
			what[cat < FWADM_ACCT ? cat : 0],
			fwadm_policy_name(c->policy));
}

/* list_entries()'s format for the options given */
static unsigned list_format(enum fwadm_cat cat, uint32_t opts)
{
	unsigned fmt = 0;

	if (cat != FWADM_ACCT && !(opts & FWADM_OPT_EXTENDED))
		fmt |= FMT_NOCOUNTS;
	if (opts & FWADM_OPT_NUMERIC)
		fmt |= FMT_NUMERIC;
	if (opts & FWADM_OPT_EXTENDED)
		fmt |= FMT_OPTIONS | FMT_VIA | (cat != FWADM_ACCT ? FMT_TOS : 0);
	if (!(opts & FWADM_OPT_EXPANDED))
		fmt |= FMT_KILOMEGA;
	return fmt;
}

/**
 * fwadm_list() - ipfwadm -l for one category
 * @c:		its chain
 * @cat:	the category
 * @opts:	FWADM_OPT_EXTENDED, _NUMERIC, _EXPANDED
 * @res:	names without -n, or NULL
 * @out:	the listing
 */
void fwadm_list(const struct ipt_chain *c, enum fwadm_cat cat, uint32_t opts,
		const struct ipt_resolver *res, struct ipt_text *out)
{
	struct row w = { list_format(cat, opts), cat, res, out };

	first_line(c, cat, out);
	for (uint32_t i = 0; i < c->nrules; i++) {
		struct row rw = w;

		if (!i)
			rw.fmt |= FMT_HEADER;
		rule_line(&rw, &c->rules[i]);
	}
}

/**
 * fwadm_print_verbose() - The -v line of a rule being added or deleted
 * @r:		the rule
 * @cat:	its category (accounting rules show their direction)
 * @out:	the line
 */
void fwadm_print_verbose(const struct ipt_rule *r, enum fwadm_cat cat,
			 struct ipt_text *out)
{
	struct row w = { FMT_NOCOUNTS | FMT_OPTIONS | FMT_TOS | FMT_VIA |
			 FMT_NUMERIC | FMT_NOTABLE, cat, NULL, out };

	rule_line(&w, r);
}

/**
 * fwadm_print_packet() - The -v line of a packet -c checks
 * @pkt:	the packet, as fwadm_parse() described it
 * @out:	the line
 */
void fwadm_print_packet(const struct ipt_rule *pkt, struct ipt_text *out)
{
	struct row w = { FMT_NOCOUNTS | FMT_NOKIND | FMT_VIA | FMT_NUMERIC |
			 FMT_NOTABLE, FWADM_FWD, NULL, out };

	rule_line(&w, pkt);
}
