// SPDX-License-Identifier: MIT
/*
 * ipchains_print.c - ipchains -L, and the one-line rule ipchains -v
 *		      printed for each rule it sent
 *
 * Owns the printed form of an ipchains ruleset, column for column as
 * ipchains 1.3.10's print_firewall() and list_entries() made it (the
 * reference: the tool's source; its sample output in the IPCHAINS-HOWTO
 * and on the lists agrees):
 *
 *	Chain input (policy ACCEPT):
 *	target     prot opt     source                destination           ports
 *	DENY       tcp  ----l-  anywhere              10.0.0.0/8            any ->   telnet
 *	Chain forward (policy DENY: 12 packets, 960 bytes):     (-v)
 *	Chain mine (2 references):
 *
 * The heading comes with each chain's first rule, so an empty chain is
 * its "Chain" line alone; chains follow each other with no blank line.
 * -v adds the counters (K, M, G past 99999 unless -x: the tool's own
 * rounding, which is not iptables'), the TOS masks, the interface, the
 * mark and the netlink size; -n prints numbers ("*" for any port or
 * interface, "0.0.0.0/0" for any address) where names are looked up
 * otherwise (reverse lookups of addresses: the resolver's host_name;
 * services of TCP and UDP ports; the protocol's name is always printed,
 * from Debian's /etc/protocols as libipt keeps it). An ICMP rule whose
 * types and codes have a name prints the name instead of its ports.
 * Widths are the tool's printf() widths; a longer value pushes the rest
 * of the line right, it is never cut (but an interface, at 16).
 *
 * Cost: O(rules) and one lookup per address and port without -n.
 */
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>

#include "ipt/ipchains.h"


/* The tool's FMT_* flags */
enum {
	F_NUMERIC = 1 << 0, F_NOCOUNTS = 1 << 1, F_KMG = 1 << 2,
	F_OPTIONS = 1 << 3, F_NOTABLE = 1 << 4, F_HEADER = 1 << 5,
	F_VIA = 1 << 6, F_TOS = 1 << 7, F_MARK = 1 << 8, F_NETLINK = 1 << 9,
	F_LINENUM = 1 << 10,
};
#define F_PRINT_RULE	(F_NOCOUNTS | F_OPTIONS | F_TOS | F_VIA | F_NUMERIC | \
			 F_NOTABLE | F_MARK | F_NETLINK)

/* Table or one-line form of a piece (the tool's FMT(tab, notab)) */
#define FMT(f, tab, notab)	(((f) & F_NOTABLE) ? (notab) : (tab))

/* ---- numbers and names ------------------------------------------------------------ */

/* A counter: as is up to 99999, then K, M, G each rounded from the count */
static void count(struct ipt_text *out, uint64_t v, unsigned f, bool bytes)
{
	unsigned long long n = v, k, m;

	if (!(f & F_KMG)) {
		ipt_text_printf(out, FMT(f, bytes ? "%10llu " : "%8llu ", "%llu "), n);
		return;
	}
	if (n <= 99999) {
		ipt_text_printf(out, FMT(f, "%5llu ", "%llu "), n);
		return;
	}
	k = (n + 500) / 1000;
	if (k <= 9999) {
		ipt_text_printf(out, FMT(f, "%4lluK ", "%lluK "), k);
		return;
	}
	m = (n + 500000) / 1000000;
	if (m <= 9999)
		ipt_text_printf(out, FMT(f, "%4lluM ", "%lluM "), m);
	else
		ipt_text_printf(out, FMT(f, "%4lluG ", "%lluG "), (m + 500) / 1000);
}

static void dotted(char *buf, size_t len, uint32_t a)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, a >> 16 & 255, a >> 8 & 255,
		 a & 255);
}

/* "" for /32, "/24" for a prefix, "/255.0.255.0" for any other mask */
static void mask_text(char *buf, size_t len, uint32_t m)
{
	uint32_t host = ~m;
	char d[16];

	if (m == ~0u) {
		buf[0] = '\0';
	} else if (!(host & (host + 1))) {
		snprintf(buf, len, "/%d", __builtin_popcount(m));
	} else {
		dotted(d, sizeof(d), m);
		snprintf(buf, len, "/%s", d);
	}
}

/* An address and its mask: a name unless -n, "anywhere" for any */
static void addr_text(char *buf, size_t len, uint32_t a, uint32_t m,
		      unsigned f, const struct ipt_resolver *res)
{
	char host[256], mask[20];

	if (!m && !(f & F_NUMERIC)) {
		snprintf(buf, len, "anywhere");
		return;
	}
	if ((f & F_NUMERIC) || !res || !res->host_name ||
	    res->host_name(a, host, sizeof(host)))
		dotted(host, sizeof(host), a);
	mask_text(mask, sizeof(mask), m);
	snprintf(buf, len, "%s%s", host, mask);
}

static void port(struct ipt_text *out, uint16_t p, uint8_t proto, unsigned f,
		 const struct ipt_resolver *res)
{
	char name[64];

	if (!(f & F_NUMERIC) && res && res->service_name &&
	    (proto == IPPROTO_TCP || proto == IPPROTO_UDP) &&
	    !res->service_name(p, proto == IPPROTO_TCP ? "tcp" : "udp", name,
			       sizeof(name)))
		ipt_text_printf(out, "%s", name);
	else
		ipt_text_printf(out, "%u", p);
}

static void range(struct ipt_text *out, uint8_t n, struct ipt_portrange r,
		  bool inv, uint8_t proto, unsigned f,
		  const struct ipt_resolver *res)
{
	if (!n)
		r = (struct ipt_portrange){ 0, 0xFFFF };
	ipt_text_printf(out, "%s", inv ? " !" : "  ");
	if (r.lo == 0 && r.hi == 0xFFFF) {
		ipt_text_printf(out, "%s", (f & F_NUMERIC) ? "*" : "any");
		return;
	}
	port(out, r.lo, proto, f, res);
	if (r.lo != r.hi) {
		ipt_text_printf(out, ":");
		port(out, r.hi, proto, f, res);
	}
}

static const char *target_text(const struct ipt_target *t)
{
	static const char *const names[IPT_T_KINDS] = {
		[IPT_T_NONE] = "-", [IPT_T_ACCEPT] = "ACCEPT",
		[IPT_T_DROP] = "DENY", [IPT_T_REJECT] = "REJECT",
		[IPT_T_MASQUERADE] = "MASQ", [IPT_T_REDIRECT] = "REDIRECT",
		[IPT_T_RETURN] = "RETURN",
	};

	if (t->kind == IPT_T_JUMP)
		return t->chain;
	return t->kind < IPT_T_KINDS && names[t->kind] ? names[t->kind] : "?";
}

/* ---- one rule ---------------------------------------------------------------------- */

static void header(struct ipt_text *out, unsigned f)
{
	if (f & F_LINENUM)
		ipt_text_printf(out, "%-4s ", "num");
	if (!(f & F_NOCOUNTS)) {
		if (f & F_KMG)
			ipt_text_printf(out, "%5s %5s ", "pkts", "bytes");
		else
			ipt_text_printf(out, "%8s %10s ", "pkts", "bytes");
	}
	ipt_text_printf(out, "%-9s  prot ", "target");
	if (f & F_OPTIONS)
		ipt_text_printf(out, "opt    ");
	if (f & F_TOS)
		ipt_text_printf(out, "tosa tosx ");
	if (f & F_VIA)
		ipt_text_printf(out, " %-10s ", "ifname");
	if (f & F_MARK)
		ipt_text_printf(out, "%-10s ", "mark");
	if (f & F_NETLINK)
		ipt_text_printf(out, "%-7s ", "outsize");
	ipt_text_printf(out, " %-20s  %-20s  ports\n", "source", "destination");
}

static void proto_col(const struct ipt_rule *r, unsigned f, struct ipt_text *out)
{
	const char *name = ipt_proto_name(r->proto);

	ipt_text_printf(out, "%c", r->inv & IPT_INV_PROTO ? '!' : ' ');
	if (name)
		ipt_text_printf(out, FMT(f, "%-5s", "%s "), name);
	else
		ipt_text_printf(out, FMT(f, "%-5u", "%u "), r->proto);
}

static void options_col(const struct ipt_rule *r, unsigned f,
			struct ipt_text *out)
{
	uint16_t lg = r->lg.flags;

	if (f & F_NOTABLE)
		ipt_text_printf(out, "opt    ");
	ipt_text_printf(out, "%c%c%c%c%c%c ",
			lg & IPT_LG_SYN_INV ? '!' : '-',
			lg & IPT_LG_SYN ? 'y' : '-',
			r->inv & IPT_INV_FRAG ? '!' : '-',
			r->frag ? 'f' : '-', lg & IPT_LG_LOG ? 'l' : '-',
			lg & IPT_LG_NETLINK ? 'o' : '-');
}

/* -v's columns: TOS masks, interface, mark, netlink size */
static void verbose_cols(const struct ipt_rule *r, unsigned f,
			 struct ipt_text *out)
{
	const struct ipt_legacy *lg = &r->lg;
	bool tos = lg->flags & IPT_LG_TOS;
	bool any_if = !r->in[0] || !strcmp(r->in, "+");

	if (f & F_TOS)
		ipt_text_printf(out, "%s0x%02X 0x%02X ", FMT(f, "", "tos "),
				tos ? lg->tos_and : 0xFF, tos ? lg->tos_xor : 0);
	if (f & F_VIA) {
		ipt_text_printf(out, "%c", r->inv & IPT_INV_IN ? '!' : ' ');
		ipt_text_printf(out, FMT(f, "%-10.16s ", "via %.16s "),
				any_if ? ((f & F_NUMERIC) ? "*" : "any") : r->in);
	}
	if ((f & F_MARK) && (lg->flags & IPT_LG_MARK))
		ipt_text_printf(out, FMT(f, "0x%-10x ", "mark 0x%x "), lg->mark);
	else if (f & F_MARK)
		ipt_text_printf(out, "%s", FMT(f, "           ", ""));
	if ((f & F_NETLINK) && (lg->flags & IPT_LG_NETLINK) && lg->outsize)
		ipt_text_printf(out, FMT(f, "%-7u ", "outsize %u "), lg->outsize);
	else if (f & F_NETLINK)
		ipt_text_printf(out, "%s", FMT(f, "        ", ""));
}

static void addrs_col(const struct ipt_rule *r, unsigned f,
		      const struct ipt_resolver *res, struct ipt_text *out)
{
	char a[300];

	if (f & F_NOTABLE)
		ipt_text_printf(out, "  ");
	addr_text(a, sizeof(a), r->src, r->smsk, f, res);
	ipt_text_printf(out, "%c", r->inv & IPT_INV_SRC ? '!' : ' ');
	ipt_text_printf(out, FMT(f, "%-20s ", "%s "), a);
	addr_text(a, sizeof(a), r->dst, r->dmsk, f, res);
	ipt_text_printf(out, FMT(f, "%s%-20s", "-> %s%s"),
			r->inv & IPT_INV_DST ? "!" : "", a);
	if (f & F_NOTABLE)
		ipt_text_printf(out, "  ");
}

static void ports_col(const struct ipt_rule *r, unsigned f,
		      const struct ipt_resolver *res, struct ipt_text *out)
{
	const struct ipt_legacy *lg = &r->lg;
	bool icmp = r->proto == IPPROTO_ICMP;
	const struct ipt_target *t = &r->t;

	if (r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP && !icmp) {
		ipt_text_printf(out, "  n/a\n");
		return;
	}
	if (icmp && !(lg->flags & (IPT_LG_SP_INV | IPT_LG_DP_INV)) &&
	    !(f & F_NUMERIC)) {
		struct ipt_portrange any = { 0, 0xFFFF };
		const char *name = ipchains_icmp_name(lg->nsp ? lg->sp[0] : any,
						      lg->ndp ? lg->dp[0] : any);

		if (name) {
			ipt_text_printf(out, "  %s\n", name);
			return;
		}
	}
	range(out, lg->nsp, lg->sp[0], lg->flags & IPT_LG_SP_INV, r->proto, f,
	      res);
	ipt_text_printf(out, " -> ");
	range(out, lg->ndp, lg->dp[0], lg->flags & IPT_LG_DP_INV, r->proto, f,
	      res);
	if (t->kind == IPT_T_REDIRECT) {
		ipt_text_printf(out, "%s", FMT(f, " => ", ""));
		if (!(t->u.nat.flags & IPT_NAT_PORTS) || !t->u.nat.port_lo)
			ipt_text_printf(out, "%s", (f & F_NUMERIC) ? " *" : " any");
		else
			port(out, t->u.nat.port_lo, r->proto, f, res);
	}
	ipt_text_printf(out, "\n");
}

/* The tool's print_firewall() */
static void rule_line(const struct ipt_rule *r, uint32_t num, unsigned f,
		      const struct ipt_resolver *res, struct ipt_text *out)
{
	if (f & F_HEADER)
		header(out, f);
	if (f & F_LINENUM)
		ipt_text_printf(out, FMT(f, "%-4u ", "%u "), num);
	if (!(f & F_NOCOUNTS)) {
		count(out, ipt_ctr_get(&r->pkts), f, false);
		count(out, ipt_ctr_get(&r->bytes), f, true);
	}
	ipt_text_printf(out, FMT(f, "%-9s ", "%s "), target_text(&r->t));
	proto_col(r, f, out);
	if (f & F_OPTIONS)
		options_col(r, f, out);
	verbose_cols(r, f, out);
	addrs_col(r, f, res, out);
	ports_col(r, f, res, out);
}

/**
 * ipchains_print_rule() - A rule as ipchains -v printed what it sent
 * @r:		the rule
 * @out:	one line: numbers, no columns
 */
void ipchains_print_rule(const struct ipt_rule *r, struct ipt_text *out)
{
	rule_line(r, 0, F_PRINT_RULE, NULL, out);
}

/* ---- -L ---------------------------------------------------------------------------- */

static void chain_line(const struct ipt_chain *c, unsigned f,
		       struct ipt_text *out)
{
	ipt_text_printf(out, "Chain %s ", c->name);
	if (c->hook < 0) {
		ipt_text_printf(out, "(%u references):\n", c->refs);
		return;
	}
	ipt_text_printf(out, "(policy %s", ipchains_policy_name(c->policy));
	if (!(f & F_NOCOUNTS))
		ipt_text_printf(out, ": %llu packets, %llu bytes",
				(unsigned long long)ipt_ctr_get(&c->pol_pkts),
				(unsigned long long)ipt_ctr_get(&c->pol_bytes));
	ipt_text_printf(out, "):\n");
}

/* The -L options as the tool's format flags */
static unsigned list_format(unsigned opts)
{
	unsigned f = F_OPTIONS;

	if (!(opts & IPCHAINS_OPT_VERBOSE))
		f |= F_NOCOUNTS;
	else
		f |= F_TOS | F_VIA | F_MARK | F_NETLINK;
	if (opts & IPCHAINS_OPT_NUMERIC)
		f |= F_NUMERIC;
	if (!(opts & IPCHAINS_OPT_EXACT))
		f |= F_KMG;
	if (opts & IPCHAINS_OPT_LINENUM)
		f |= F_LINENUM;
	return f;
}

/**
 * ipchains_list() - ipchains -L
 * @t:		the filter table
 * @chain:	one chain or NULL
 * @opts:	IPCHAINS_OPT_NUMERIC, _VERBOSE, _EXACT, _LINENUM
 * @res:	reverse lookups (NULL, or with -n: numbers)
 * @out:	the listing
 *
 * Return: 0, or -1 when @chain names no chain (nothing printed)
 */
int ipchains_list(const struct ipt_table *t, const char *chain, unsigned opts,
		  const struct ipt_resolver *res, struct ipt_text *out)
{
	unsigned f = list_format(opts);
	bool found = false;

	for (uint32_t i = 0; i < t->nchains; i++) {
		const struct ipt_chain *c = &t->chains[i];

		if (chain && strcmp(chain, c->name))
			continue;
		found = true;
		chain_line(c, f, out);
		for (uint32_t k = 0; k < c->nrules; k++)
			rule_line(&c->rules[k], k + 1, k ? f : f | F_HEADER,
				  res, out);
	}
	return found ? 0 : -1;
}
