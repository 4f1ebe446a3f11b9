// SPDX-License-Identifier: MIT
/*
 * parse.c - iptables command words -> struct ipt_cmd, and back
 *
 * Owns the language's syntax: which options exist, what their values
 * look like, which combinations are refused. It knows nothing of rulesets:
 * whether a chain exists, whether a target is allowed in a table or a
 * hook is ipt_exec()'s question (the kernel's, for iptables).
 *
 * Theory of operation. One pass over the words, as getopt_long() walks
 * them for iptables:
 *  - "-x" words are clusters of short options ("-nvL", "-tnat"); "--name"
 *    words are long options, with "=value" allowed, and with unambiguous
 *    abbreviations ("--dport" for --destination-port, "--to" for
 *    --to-source) as getopt_long() allows them;
 *  - a long option is looked up first among the base options, then among
 *    the options of the loaded extensions, newest first (a second -m tcp
 *    takes the --dport written after it); only when nothing matches, and
 *    -p tcp/udp/icmp was given before, is the protocol's own match loaded
 *    implicitly at this point of the rule (so it lands in rule.m[] where
 *    its first option was written);
 *  - "!" before an option negates it;
 *  - a command's positional words (chain, rule number, new name, policy)
 *    are read right after the command option, as iptables does.
 * Then one check of the whole: the command's allowed options, each
 * match's and the target's required options, the protocol each needs.
 *
 * Facts checked against iptables-legacy 1.8.9 (in a scratch namespace):
 *  - save order is rule.m[] order, and an implicit match is placed where
 *    its first option is: "-m state --state NEW -p tcp --dport 22" saves
 *    as "-p tcp -m state --state NEW -m tcp --dport 22";
 *    "-m comment --comment x -p tcp --dport 22" as "-p tcp -m comment
 *    --comment x -m tcp --dport 22"; "-p tcp --dport 22 -m tcp --sport 1"
 *    keeps two tcp matches; an option after a second "-m tcp" fills it;
 *  - protocol options before -p are unknown ("--dport 22 -p tcp" fails),
 *    but an explicit "-m tcp --dport 1 -p tcp" is fine;
 *  - -m multiport and the NAT targets' ports need -p before them;
 *  - state names are case-insensitive, "NEW," or "" are refused; ICMP
 *    type names are case-insensitive with unambiguous prefixes; reject
 *    types are case-insensitive, a prefix takes the first in table order;
 *    log level names are case-sensitive and "err"/"warn" are refused;
 *    numbers are read as strtoul(base 0) reads them (0x hex, 0 octal),
 *    except the --limit rate, which is decimal only;
 *  - "-s 1.2.3" is 1.2.3.0, "-s 1.2.3.4/024" is /20 (octal), dotted
 *    masks need not be contiguous, "-s a,b" gives one rule per address;
 *  - "-o" with INPUT/PREROUTING and "-i" with OUTPUT/POSTROUTING are
 *    refused by the parser; a -R rule must have one address each side;
 *  - --log-prefix is cut to 29 characters and --comment to 255, silently;
 *  - -L and -S may each be combined with -Z; -v goes with any command;
 *    -n/-x/--line-numbers only with -L; -c with -A/-I/-R and -P.
 * Where masq is stricter than the reference, on purpose:
 *  - a newline in --comment (the language is line-based);
 *  - a blank or '/' in an interface name (the kernel refuses them,
 *    iptables only warns); a blank, or a leading '-' or '!', in any chain
 *    name (-N makes no such chain, and the canonical words could not
 *    carry it);
 *  - text after an ICMP code ("3/1:2", which iptables reads as 3/1);
 *  - --set-mss 0 (0 stands for --clamp-mss-to-pmtu here), and both
 *    --set-mss and --clamp-mss-to-pmtu (iptables keeps the last);
 *  - --limit-burst 0 and reversed NAT address ranges (the kernel refuses
 *    or misbehaves);
 *  - "-s" lists whose entries have different masks (a command keeps one
 *    mask per side);
 *  - -m, -j and rule options with commands that take no rule (iptables
 *    ignores -m there).
 * Checks the kernel makes are left to ipt_exec(): the table and hook of
 * each target, TCPMSS's need for a SYN match, limit overflow.
 *
 * Limits: 8 matches and 8 addresses per side, as ipt.h sizes them; every
 * copy is bounded and every word may be anything (this is fuzzed).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ipt/ipt.h"
#include "ipt/words.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- parse state --------------------------------------------------------- */

#define OWNER_BASE	(-3)	/* a base option */
#define OWNER_IMPLICIT	(-2)	/* the -p protocol's match, not loaded yet */
#define OWNER_TARGET	(-1)	/* the -j target */

/* Base options given (for "given twice" and the per-command check) */
enum given_bit {
	G_SRC = 1 << 0, G_DST = 1 << 1, G_PROTO = 1 << 2, G_IN = 1 << 3,
	G_OUT = 1 << 4, G_FRAG = 1 << 5, G_JUMP = 1 << 6, G_MATCH = 1 << 7,
	G_NUMERIC = 1 << 8, G_EXACT = 1 << 9, G_LINENUM = 1 << 10,
	G_COUNTERS = 1 << 11, G_VERBOSE = 1 << 12,
};
#define G_RULE	(G_SRC | G_DST | G_PROTO | G_IN | G_OUT | G_FRAG | G_JUMP | \
		 G_MATCH)

/**
 * struct parse - one command being read
 * @res:	name lookups, or NULL
 * @cmd:	what is being filled
 * @err:	where the reason goes
 * @argc, @argv:	the words; @next is the next one to read
 * @inv:	a "!" was read and no option took it yet
 * @have_cmd:	a command option was given; @cmd_show its spelling
 * @given:	G_* bits
 * @nload:	extensions loaded, in order: match index or OWNER_TARGET
 * @mseen:	per match, bit (1 << option id) of options already given
 * @tseen:	the same for the target
 * @have_target:	-j or -g was given
 */
struct parse {
	const struct ipt_resolver *res;
	struct ipt_cmd *cmd;
	struct ipt_err *err;
	int argc;
	char *const *argv;
	int next;
	bool inv;
	bool have_cmd;
	const char *cmd_show;
	unsigned given;
	int nload;
	int8_t load[IPT_MAX_MATCHES + 1];
	uint32_t mseen[IPT_MAX_MATCHES];
	uint32_t tseen;
	bool have_target;
};

/* Fill @p->err and fail; control characters in words become '?' */
__attribute__((format(printf, 2, 3)))
static int fail(struct parse *p, const char *fmt, ...)
{
	va_list ap;
	char *c;

	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	for (c = p->err->msg; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return -1;
}

/* The next word, consumed; NULL at the end */
static const char *take_word(struct parse *p)
{
	return p->next < p->argc ? p->argv[p->next++] : NULL;
}

/* The next word if it is not an option or "!" (positional arguments) */
static const char *take_positional(struct parse *p)
{
	const char *w;

	if (p->next >= p->argc)
		return NULL;
	w = p->argv[p->next];
	if (w[0] == '-' || w[0] == '!')
		return NULL;
	p->next++;
	return w;
}

/* ---- numbers ------------------------------------------------------------- */

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The digits of @s (all of it, at least one) in @base, at most @max */
static bool digits_parse(const char *s, unsigned base, uint64_t max,
			 uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		int d = digit_value(*s);

		if (d < 0 || (unsigned)d >= base || (uint64_t)d > max ||
		    v > (max - (uint64_t)d) / base)
			return false;
		v = v * base + (uint64_t)d;
	}
	*out = v;
	return true;
}

/*
 * A whole word as a number in C notation (decimal, 0x hex, 0 octal), as
 * iptables reads them with strtoul(base 0), without the sign and blanks
 * strtoul would also take.
 */
static bool num_parse(const char *s, uint64_t max, uint64_t *out)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return digits_parse(s + 2, 16, max, out);
	if (s[0] == '0' && s[1])
		return digits_parse(s + 1, 8, max, out);
	return digits_parse(s, 10, max, out);
}

static bool u32_parse(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (!num_parse(s, max, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

/* Copy at most @len bytes of @s into @buf (size @size); false if longer */
static bool piece(const char *s, size_t len, char *buf, size_t size)
{
	if (len >= size)
		return false;
	memcpy(buf, s, len);
	buf[len] = 0;
	return true;
}

/* ---- addresses ----------------------------------------------------------- */

/*
 * Dotted IPv4 with 1 to 4 parts (missing ones are 0: "10" is 10.0.0.0, as
 * iptables reads it) or exactly @need parts when @need is 4.
 */
static bool ip_parse(const char *s, int need, uint32_t *out)
{
	uint32_t a = 0;
	int parts = 0;

	for (;;) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);
		char part[16];
		uint32_t v;

		if (parts == 4 || !piece(s, l, part, sizeof(part)) ||
		    !u32_parse(part, 255, &v))
			return false;
		a |= v << (24 - 8 * parts);
		parts++;
		if (!dot)
			break;
		s = dot + 1;
	}
	if (parts < need)
		return false;
	*out = a;
	return true;
}

/* "/24", "/0x18", "/255.255.0.0" (any bits) */
static bool mask_parse(const char *s, uint32_t *mask)
{
	uint32_t len;

	if (strchr(s, '.'))
		return ip_parse(s, 4, mask);
	if (!u32_parse(s, 32, &len))
		return false;
	*mask = len ? ~0u << (32 - len) : 0;
	return true;
}

/* Is @mask a prefix (ones then zeros)? Its length in @len */
static bool mask_is_prefix(uint32_t mask, int *len)
{
	uint32_t inv = ~mask;

	if (inv & (inv + 1))
		return false;
	*len = __builtin_popcount(mask);
	return true;
}

/* One entry of -s/-d: address or host, optional /mask; appends addresses */
static int addr_item(struct parse *p, const char *show, const char *item,
		     uint32_t *addrs, uint32_t *n, uint32_t *masks)
{
	const struct ipt_resolver *res = p->res;
	const char *slash = strrchr(item, '/');
	size_t hl = slash ? (size_t)(slash - item) : strlen(item);
	uint32_t m = ~0u, found[9];
	char host[256];
	int cnt = 1;

	if (!hl || !piece(item, hl, host, sizeof(host)))
		return fail(p, "bad address '%s' for %s", item, show);
	if (slash && !mask_parse(slash + 1, &m))
		return fail(p, "bad mask '%s' for %s", slash + 1, show);
	if (!ip_parse(host, 1, &found[0])) {
		if (!res || !res->host)
			return fail(p, "bad address '%s' for %s (a host name "
				    "needs a resolver)", host, show);
		/* asking for 9 tells "more than 8" from "exactly 8" */
		cnt = res->host(host, found, 9);
		if (cnt <= 0)
			return fail(p, "host '%s' for %s not found", host, show);
		if (cnt > 9)
			cnt = 9;
	}
	for (int i = 0; i < cnt; i++) {
		if (*n >= 8)
			return fail(p, "too many addresses for %s (at most 8)",
				    show);
		masks[*n] = m;
		addrs[(*n)++] = found[i] & m;
	}
	return 0;
}

/* -s/-d value: a comma list of entries, each with its own mask */
static int addr_list_parse(struct parse *p, const char *show, const char *arg,
			   uint32_t *addrs, uint32_t *n, uint32_t *masks)
{
	char item[300];

	*n = 0;
	for (;;) {
		const char *comma = strchr(arg, ',');
		size_t l = comma ? (size_t)(comma - arg) : strlen(arg);

		if (!piece(arg, l, item, sizeof(item)))
			return fail(p, "bad address for %s: '%.40s...'", show,
				    arg);
		if (addr_item(p, show, item, addrs, n, masks))
			return -1;
		if (!comma)
			return 0;
		arg = comma + 1;
	}
}

/* ---- names: chains, interfaces, ports, protocols ------------------------- */

/* Targets iptables knows and masq does not: an error, not a user chain */
static const char *const unsupported_targets[] = {
	"ACCOUNT", "AUDIT", "CHAOS", "CHECKSUM", "CLASSIFY", "CLUSTERIP",
	"CONNMARK", "CONNSECMARK", "CT", "DELUDE", "DHCPMAC", "DNETMAP",
	"DNPT", "DSCP", "ECHO", "ECN", "HL", "HMARK", "IDLETIMER", "IPMARK",
	"IPV4OPTSSTRIP", "LED", "LOGMARK", "MIRROR", "NETMAP", "NFLOG",
	"NFQUEUE", "NOTRACK", "QUEUE", "RATEEST", "RAWDNAT", "RAWSNAT",
	"ROUTE", "SAME", "SECMARK", "SET", "SNPT", "STEAL", "SYNPROXY",
	"SYSRQ", "TARPIT", "TCPOPTSTRIP", "TEE", "TOS", "TPROXY", "TRACE",
	"TTL", "ULOG",
};

static int target_kind_by_name(const char *name);

static bool name_in(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(name, list[i]))
			return true;
	return false;
}

/* A name -j reads as a target, not as a user chain */
static bool is_target_name(const char *name)
{
	return target_kind_by_name(name) >= 0 ||
	       name_in(name, unsupported_targets,
		       ARRAY_SIZE(unsupported_targets));
}

static bool has_blank(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return true;
	return false;
}

/* Copy a chain name given to @show into @out */
static int chain_copy(struct parse *p, const char *show, const char *name,
		      char out[IPT_CHAIN_MAXLEN + 1])
{
	size_t l = strlen(name);

	if (!l)
		return fail(p, "%s needs a chain name", show);
	/* -N makes no such chain, and these could not be written back */
	if (name[0] == '-' || name[0] == '!' || has_blank(name))
		return fail(p, "bad chain name '%s' for %s", name, show);
	if (l > IPT_CHAIN_MAXLEN)
		return fail(p, "chain name '%s' is longer than %d characters",
			    name, IPT_CHAIN_MAXLEN);
	memcpy(out, name, l + 1);
	return 0;
}

/* The name of a chain to be made (-N, -E's new name) */
static int new_chain_copy(struct parse *p, const char *show, const char *name,
			  char out[IPT_CHAIN_MAXLEN + 1])
{
	if (name[0] == '-' || name[0] == '!')
		return fail(p, "chain name '%s' for %s may not start with '%c'",
			    name, show, name[0]);
	if (is_target_name(name))
		return fail(p, "chain name '%s' for %s is the name of a target",
			    name, show);
	return chain_copy(p, show, name, out);
}

/*
 * An interface name; "eth+" is a prefix; a lone "+" is any interface,
 * kept as written since -L shows it (-S and iptables-save leave it out).
 */
static int iface_parse(struct parse *p, const char *show, const char *arg,
		       char out[IPT_IFNAMSIZ])
{
	size_t l = strlen(arg);

	if (!l)
		return fail(p, "%s needs an interface name", show);
	if (l >= IPT_IFNAMSIZ)
		return fail(p, "interface name '%s' for %s is longer than %d "
			    "characters", arg, show, IPT_IFNAMSIZ - 1);
	/* quotes and backslashes: the kernel allows them, but a save could
	 * not be read back (iptables-save prints interface names bare) */
	if (has_blank(arg) || strpbrk(arg, "/\"'\\"))
		return fail(p, "interface name '%s' for %s has a blank, a quote, "
			    "'/' or '\\'", arg, show);
	memcpy(out, arg, l + 1);
	return 0;
}

/* Protocol name for service lookups: "tcp", "udp", or NULL (any) */
static const char *proto_name_for(uint8_t proto)
{
	return proto == 6 ? "tcp" : proto == 17 ? "udp" : NULL;
}

/* A port: a number, or a service name through the resolver */
static bool port_parse(struct parse *p, const char *s, const char *proto,
		       uint16_t *port)
{
	uint32_t v;

	if (u32_parse(s, 65535, &v)) {
		*port = (uint16_t)v;
		return true;
	}
	return *s && p->res && p->res->service &&
	       !p->res->service(s, proto, port);
}

/* "a", "a:b", "a:" (to 65535), ":b" (from 0) */
static int port_range_parse(struct parse *p, const char *show, const char *arg,
			    const char *proto, struct ipt_portrange *r)
{
	const char *colon = strchr(arg, ':');
	char lo[64];

	r->lo = 0;
	r->hi = 65535;
	if (!colon) {
		if (!port_parse(p, arg, proto, &r->lo))
			return fail(p, "bad port '%s' for %s", arg, show);
		r->hi = r->lo;
		return 0;
	}
	if (!piece(arg, (size_t)(colon - arg), lo, sizeof(lo)) ||
	    (*lo && !port_parse(p, lo, proto, &r->lo)) ||
	    (colon[1] && !port_parse(p, colon + 1, proto, &r->hi)))
		return fail(p, "bad port range '%s' for %s", arg, show);
	if (r->lo > r->hi)
		return fail(p, "port range '%s' for %s goes backwards", arg,
			    show);
	return 0;
}

/* ---- words of the language ----------------------------------------------- */

struct icmp_name {
	const char *name;
	uint8_t type, code_lo, code_hi;
};

/* As iptables -p icmp -h lists them; codes 0-255 mean "any code" */
static const struct icmp_name icmp_names[] = {
	{ "any", 255, 0, 255 },
	{ "echo-reply", 0, 0, 255 },
	{ "pong", 0, 0, 255 },
	{ "destination-unreachable", 3, 0, 255 },
	{ "network-unreachable", 3, 0, 0 },
	{ "host-unreachable", 3, 1, 1 },
	{ "protocol-unreachable", 3, 2, 2 },
	{ "port-unreachable", 3, 3, 3 },
	{ "fragmentation-needed", 3, 4, 4 },
	{ "source-route-failed", 3, 5, 5 },
	{ "network-unknown", 3, 6, 6 },
	{ "host-unknown", 3, 7, 7 },
	{ "network-prohibited", 3, 9, 9 },
	{ "host-prohibited", 3, 10, 10 },
	{ "TOS-network-unreachable", 3, 11, 11 },
	{ "TOS-host-unreachable", 3, 12, 12 },
	{ "communication-prohibited", 3, 13, 13 },
	{ "host-precedence-violation", 3, 14, 14 },
	{ "precedence-cutoff", 3, 15, 15 },
	{ "source-quench", 4, 0, 255 },
	{ "redirect", 5, 0, 255 },
	{ "network-redirect", 5, 0, 0 },
	{ "host-redirect", 5, 1, 1 },
	{ "TOS-network-redirect", 5, 2, 2 },
	{ "TOS-host-redirect", 5, 3, 3 },
	{ "echo-request", 8, 0, 255 },
	{ "ping", 8, 0, 255 },
	{ "router-advertisement", 9, 0, 255 },
	{ "router-solicitation", 10, 0, 255 },
	{ "time-exceeded", 11, 0, 255 },
	{ "ttl-exceeded", 11, 0, 255 },
	{ "ttl-zero-during-transit", 11, 0, 0 },
	{ "ttl-zero-during-reassembly", 11, 1, 1 },
	{ "parameter-problem", 12, 0, 255 },
	{ "ip-header-bad", 12, 0, 0 },
	{ "required-option-missing", 12, 1, 1 },
	{ "timestamp-request", 13, 0, 255 },
	{ "timestamp-reply", 14, 0, 255 },
	{ "address-mask-request", 17, 0, 255 },
	{ "address-mask-reply", 18, 0, 255 },
};

/* REJECT types in iptables' order (a prefix takes the first that fits) */
static const struct {
	const char *name, *alias;
	uint8_t with;
} reject_names[] = {
	{ "icmp-net-unreachable", "net-unreach", IPT_REJ_NET_UNREACH },
	{ "icmp-host-unreachable", "host-unreach", IPT_REJ_HOST_UNREACH },
	{ "icmp-proto-unreachable", "proto-unreach", IPT_REJ_PROTO_UNREACH },
	{ "icmp-port-unreachable", "port-unreach", IPT_REJ_PORT_UNREACH },
	{ "icmp-net-prohibited", "net-prohib", IPT_REJ_NET_PROHIBITED },
	{ "icmp-host-prohibited", "host-prohib", IPT_REJ_HOST_PROHIBITED },
	{ "tcp-reset", "tcp-rst", IPT_REJ_TCP_RESET },
	{ "icmp-admin-prohibited", "admin-prohib", IPT_REJ_ADMIN_PROHIBITED },
};

/* syslog levels as LOG --log-level reads them (case-sensitive) */
static const struct {
	const char *name;
	uint8_t level;
} log_levels[] = {
	{ "emerg", 0 }, { "panic", 0 }, { "alert", 1 }, { "crit", 2 },
	{ "error", 3 }, { "warning", 4 }, { "notice", 5 }, { "info", 6 },
	{ "debug", 7 },
};

/* Connection states in the order iptables prints them */
static const struct {
	const char *name;
	uint8_t bit;
} state_names[] = {
	{ "INVALID", IPT_ST_INVALID }, { "NEW", IPT_ST_NEW },
	{ "RELATED", IPT_ST_RELATED }, { "ESTABLISHED", IPT_ST_ESTABLISHED },
	{ "UNTRACKED", IPT_ST_UNTRACKED }, { "SNAT", IPT_ST_SNAT },
	{ "DNAT", IPT_ST_DNAT },
};

/* TCP flags in the order iptables prints them */
static const struct {
	const char *name;
	uint8_t bit;
} tcp_flag_names[] = {
	{ "FIN", 0x01 }, { "SYN", 0x02 }, { "RST", 0x04 }, { "PSH", 0x08 },
	{ "ACK", 0x10 }, { "URG", 0x20 },
};
#define TCP_FLAGS_ALL	0x3f
#define TCP_SYN_MASK	0x17	/* --syn: FIN,SYN,RST,ACK */
#define TCP_SYN		0x02

/* --limit units; any prefix of the name is accepted, as iptables does */
static const struct {
	const char *name, *show;
	uint32_t secs;
} limit_units[] = {
	{ "second", "sec", 1 }, { "minute", "min", 60 },
	{ "hour", "hour", 3600 }, { "day", "day", 86400 },
};

static int icmp_type_parse(struct parse *p, const char *arg,
			   struct ipt_match *m)
{
	const struct icmp_name *hit = NULL;
	size_t l = strlen(arg);
	const char *slash;
	uint32_t type, code;
	char t[16];

	for (size_t i = 0; i < ARRAY_SIZE(icmp_names) && !hit; i++)
		if (!strcasecmp(icmp_names[i].name, arg))
			hit = &icmp_names[i];
	for (size_t i = 0; i < ARRAY_SIZE(icmp_names) && l && !hit; i++) {
		const struct icmp_name *n = &icmp_names[i];

		if (strncasecmp(n->name, arg, l))
			continue;
		for (size_t j = i + 1; j < ARRAY_SIZE(icmp_names); j++)
			if (!strncasecmp(icmp_names[j].name, arg, l))
				return fail(p, "ambiguous ICMP type '%s': '%s' "
					    "or '%s'?", arg, n->name,
					    icmp_names[j].name);
		hit = n;
	}
	if (hit) {
		m->u.icmp.type = hit->type;
		m->u.icmp.code_lo = hit->code_lo;
		m->u.icmp.code_hi = hit->code_hi;
		return 0;
	}
	slash = strchr(arg, '/');
	if (!piece(arg, slash ? (size_t)(slash - arg) : l, t, sizeof(t)) ||
	    !u32_parse(t, 255, &type) ||
	    (slash && !u32_parse(slash + 1, 255, &code)))
		return fail(p, "unknown ICMP type '%s'", arg);
	m->u.icmp.type = (uint8_t)type;
	m->u.icmp.code_lo = slash ? (uint8_t)code : 0;
	m->u.icmp.code_hi = slash ? (uint8_t)code : 255;
	return 0;
}

/* "NEW,ESTABLISHED" (any case) -> bits; @allowed limits the names */
static int state_list_parse(struct parse *p, const char *show, const char *arg,
			    uint8_t allowed, uint8_t *mask)
{
	const char *s = arg;

	*mask = 0;
	for (;;) {
		const char *comma = strchr(s, ',');
		size_t l = comma ? (size_t)(comma - s) : strlen(s);
		bool ok = false;

		for (size_t i = 0; i < ARRAY_SIZE(state_names) && l; i++) {
			if (!(state_names[i].bit & allowed) ||
			    strlen(state_names[i].name) != l ||
			    strncasecmp(state_names[i].name, s, l))
				continue;
			*mask |= state_names[i].bit;
			ok = true;
		}
		if (!ok)
			return fail(p, "bad state '%.*s' in %s '%s'", (int)l, s,
				    show, arg);
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

/* "SYN,ACK" (any case; ALL, NONE; empty entries ignored, as iptables) */
static int tcp_flags_parse(struct parse *p, const char *arg, uint8_t *bits)
{
	const char *s = arg;

	*bits = 0;
	for (;;) {
		const char *comma = strchr(s, ',');
		size_t l = comma ? (size_t)(comma - s) : strlen(s);
		bool ok = !l;

		if (l == 3 && !strncasecmp(s, "ALL", 3)) {
			*bits = TCP_FLAGS_ALL;
			ok = true;
		} else if (l == 4 && !strncasecmp(s, "NONE", 4)) {
			ok = true;
		}
		for (size_t i = 0; i < ARRAY_SIZE(tcp_flag_names); i++)
			if (l == 3 && !strncasecmp(tcp_flag_names[i].name, s, 3)) {
				*bits |= tcp_flag_names[i].bit;
				ok = true;
			}
		if (!ok)
			return fail(p, "unknown TCP flag '%.*s' in '%s'", (int)l,
				    s, arg);
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

/* "value[/mask]" for -m mark and the MARK target; mask default all ones */
static int mark_parse(struct parse *p, const char *show, const char *arg,
		      bool mask_ok, uint32_t *value, uint32_t *mask)
{
	const char *slash = strchr(arg, '/');
	char v[32];

	*mask = ~0u;
	if (!piece(arg, slash ? (size_t)(slash - arg) : strlen(arg), v,
		   sizeof(v)) || !u32_parse(v, ~0u, value) ||
	    (slash && (!mask_ok || !u32_parse(slash + 1, ~0u, mask))))
		return fail(p, "bad value '%s' for %s", arg, show);
	return 0;
}

/* "N[/unit]": xt_limit's average, 1/IPT_LIMIT_SCALE s between packets */
static int limit_rate_parse(struct parse *p, const char *arg, uint32_t *avg)
{
	const char *slash = strchr(arg, '/');
	uint64_t n, secs = 1;
	char num[32];

	if (!piece(arg, slash ? (size_t)(slash - arg) : strlen(arg), num,
		   sizeof(num)) || !digits_parse(num, 10, ~0u, &n) || !n)
		return fail(p, "bad rate '%s' for --limit", arg);
	if (slash) {
		size_t l = strlen(slash + 1);
		size_t i;

		for (i = 0; i < ARRAY_SIZE(limit_units); i++)
			if (l && l <= strlen(limit_units[i].name) &&
			    !strncasecmp(limit_units[i].name, slash + 1, l))
				break;
		if (i == ARRAY_SIZE(limit_units))
			return fail(p, "bad rate '%s' for --limit", arg);
		secs = limit_units[i].secs;
	}
	*avg = (uint32_t)(IPT_LIMIT_SCALE * secs / n);
	if (!*avg)
		return fail(p, "rate '%s' for --limit is too fast", arg);
	return 0;
}

static int mac_parse(struct parse *p, const char *arg, uint8_t mac[6])
{
	const char *s = arg;

	for (int i = 0; i < 6; i++) {
		int hi = digit_value(s[0]), lo = s[0] ? digit_value(s[1]) : -1;
		size_t l = hi < 0 ? 0 : lo < 0 ? 1 : 2;

		if (!l || s[l] != (i == 5 ? '\0' : ':'))
			return fail(p, "bad MAC address '%s'", arg);
		mac[i] = (uint8_t)(l == 2 ? hi * 16 + lo : hi);
		s += l + 1;
	}
	return 0;
}

/* Text for --comment/--log-prefix: no newline; cut at @size - 1 as iptables */
static int text_copy(struct parse *p, const char *show, const char *arg,
		     char *out, size_t size)
{
	size_t l = strlen(arg);

	if (strpbrk(arg, "\n\r"))
		return fail(p, "%s may not hold a newline", show);
	if (l >= size)
		l = size - 1;
	memcpy(out, arg, l);
	out[l] = 0;
	return 0;
}

/* ---- extensions: option tables ------------------------------------------- */

#define OPT_UNSUPPORTED	31

/**
 * struct ext_opt - one long option of a match or target
 * @name:	without the leading "--"
 * @id:		aliases share it; OPT_UNSUPPORTED for options masq refuses
 * @nargs:	words it takes: 0, 1 or 2
 * @inv:	may be negated with "!"
 */
struct ext_opt {
	const char *name;
	uint8_t id;
	uint8_t nargs;
	bool inv;
};

enum { L4_SPORT, L4_DPORT, L4_FLAGS, L4_SYN };
static const struct ext_opt tcp_opts[] = {
	{ "source-port", L4_SPORT, 1, true }, { "sport", L4_SPORT, 1, true },
	{ "destination-port", L4_DPORT, 1, true },
	{ "dport", L4_DPORT, 1, true },
	{ "tcp-flags", L4_FLAGS, 2, true }, { "syn", L4_SYN, 0, true },
	{ "tcp-option", OPT_UNSUPPORTED, 1, true },
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
static const struct ext_opt conntrack_opts[] = {
	{ "ctstate", 0, 1, true },
	{ "ctproto", OPT_UNSUPPORTED, 1, true },
	{ "ctorigsrc", OPT_UNSUPPORTED, 1, true },
	{ "ctorigdst", OPT_UNSUPPORTED, 1, true },
	{ "ctreplsrc", OPT_UNSUPPORTED, 1, true },
	{ "ctrepldst", OPT_UNSUPPORTED, 1, true },
	{ "ctorigsrcport", OPT_UNSUPPORTED, 1, true },
	{ "ctorigdstport", OPT_UNSUPPORTED, 1, true },
	{ "ctreplsrcport", OPT_UNSUPPORTED, 1, true },
	{ "ctrepldstport", OPT_UNSUPPORTED, 1, true },
	{ "ctstatus", OPT_UNSUPPORTED, 1, true },
	{ "ctexpire", OPT_UNSUPPORTED, 1, true },
	{ "ctdir", OPT_UNSUPPORTED, 1, false },
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

static const struct ext_opt reject_opts[] = {
	{ "reject-with", 0, 1, false },
	{ NULL, 0, 0, false },
};
enum { LOG_LEVEL, LOG_PREFIX, LOG_TCPSEQ, LOG_TCPOPT, LOG_IPOPT, LOG_UID,
       LOG_MACDECODE };
static const struct ext_opt log_opts[] = {
	{ "log-level", LOG_LEVEL, 1, false },
	{ "log-prefix", LOG_PREFIX, 1, false },
	{ "log-tcp-sequence", LOG_TCPSEQ, 0, false },
	{ "log-tcp-options", LOG_TCPOPT, 0, false },
	{ "log-ip-options", LOG_IPOPT, 0, false },
	{ "log-uid", LOG_UID, 0, false },
	{ "log-macdecode", LOG_MACDECODE, 0, false },
	{ NULL, 0, 0, false },
};
static const struct ext_opt mark_target_opts[] = {
	{ "set-mark", IPT_MARK_SET, 1, false },
	{ "set-xmark", IPT_MARK_XSET, 1, false },
	{ "and-mark", IPT_MARK_AND, 1, false },
	{ "or-mark", IPT_MARK_OR, 1, false },
	{ "xor-mark", IPT_MARK_XOR, 1, false },
	{ NULL, 0, 0, false },
};
enum { MSS_SET, MSS_CLAMP };
static const struct ext_opt tcpmss_opts[] = {
	{ "set-mss", MSS_SET, 1, false },
	{ "clamp-mss-to-pmtu", MSS_CLAMP, 0, false },
	{ NULL, 0, 0, false },
};
enum { NAT_TO, NAT_RANDOM, NAT_PERSISTENT };
static const struct ext_opt masquerade_opts[] = {
	{ "to-ports", NAT_TO, 1, false }, { "random", NAT_RANDOM, 0, false },
	{ "random-fully", OPT_UNSUPPORTED, 0, false },
	{ NULL, 0, 0, false },
};
static const struct ext_opt redirect_opts[] = {
	{ "to-ports", NAT_TO, 1, false }, { "random", NAT_RANDOM, 0, false },
	{ NULL, 0, 0, false },
};
static const struct ext_opt snat_opts[] = {
	{ "to-source", NAT_TO, 1, false }, { "random", NAT_RANDOM, 0, false },
	{ "persistent", NAT_PERSISTENT, 0, false },
	{ "random-fully", OPT_UNSUPPORTED, 0, false },
	{ NULL, 0, 0, false },
};
static const struct ext_opt dnat_opts[] = {
	{ "to-destination", NAT_TO, 1, false },
	{ "random", NAT_RANDOM, 0, false },
	{ "persistent", NAT_PERSISTENT, 0, false },
	{ NULL, 0, 0, false },
};

/* ---- matches --------------------------------------------------------------- */

static bool proto_is(const struct parse *p, uint8_t proto)
{
	const struct ipt_rule *r = &p->cmd->rule;

	return (p->given & G_PROTO) && r->proto == proto &&
	       !(r->inv & IPT_INV_PROTO);
}

/* --sport/--dport/--tcp-flags/--syn of -m tcp and -m udp */
static int l4_opt(struct parse *p, struct ipt_match *m,
		  const struct ext_opt *o, const char *const *a)
{
	const char *proto = m->kind == IPT_M_TCP ? "tcp" : "udp";
	uint8_t bit = o->id == L4_SPORT ? IPT_F_SPORT :
		      o->id == L4_DPORT ? IPT_F_DPORT : IPT_F_TCPFLAGS;
	char show[24];

	snprintf(show, sizeof(show), "--%s", o->name);
	if (o->id == L4_SPORT || o->id == L4_DPORT) {
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

static int l4_check(struct parse *p, const struct ipt_match *m)
{
	uint8_t proto = m->kind == IPT_M_TCP ? 6 : 17;
	const char *name = m->kind == IPT_M_TCP ? "tcp" : "udp";

	if (!proto_is(p, proto))
		return fail(p, "-m %s needs -p %s (not negated)", name, name);
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
	if (!proto_is(p, 1))
		return fail(p, "-m icmp needs -p icmp (not negated)");
	return 0;
}

static int state_opt(struct parse *p, struct ipt_match *m,
		     const struct ext_opt *o, const char *const *a)
{
	bool ct = m->kind == IPT_M_CONNTRACK;
	uint8_t allowed = IPT_ST_INVALID | IPT_ST_ESTABLISHED | IPT_ST_NEW |
			  IPT_ST_RELATED | IPT_ST_UNTRACKED;

	(void)o;
	if (ct)
		allowed |= IPT_ST_SNAT | IPT_ST_DNAT;
	if (state_list_parse(p, ct ? "--ctstate" : "--state", a[0], allowed,
			     &m->u.state.mask))
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
	return fail(p, m->kind == IPT_M_CONNTRACK ?
		    "-m conntrack needs --ctstate" : "-m state needs --state");
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

	if (!proto_is(p, 6) && !proto_is(p, 17))
		return fail(p, "-m multiport needs -p tcp or -p udp before it");
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

static int mark_opt(struct parse *p, struct ipt_match *m,
		    const struct ext_opt *o, const char *const *a)
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
static int limit_check(struct parse *p, const struct ipt_match *m)
{
	if ((uint64_t)m->u.limit.avg * m->u.limit.burst > UINT32_MAX)
		return fail(p, "-m limit: the rate is too low for a burst of "
			    "%u (average x burst must stay under 2^32 units "
			    "of 1/%u s)", m->u.limit.burst, IPT_LIMIT_SCALE);
	return 0;
}

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
	/* iptables takes 0, the kernel refuses it: refuse it here */
	if (!u32_parse(a[0], 10000, &burst) || !burst)
		return fail(p, "bad value '%s' for --limit-burst (1-10000)",
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

/**
 * struct match_ext - a -m module
 * @name:	as after -m
 * @opts:	its options
 * @opt:	reads one option (@a: its words), negated when @p->inv
 * @check:	once the whole command is read: required options, protocol
 */
struct match_ext {
	const char *name;
	const struct ext_opt *opts;
	int (*opt)(struct parse *p, struct ipt_match *m,
		   const struct ext_opt *o, const char *const *a);
	int (*check)(struct parse *p, const struct ipt_match *m);
};

static const struct match_ext match_exts[IPT_M_KINDS] = {
	[IPT_M_TCP] = { "tcp", tcp_opts, l4_opt, l4_check },
	[IPT_M_UDP] = { "udp", udp_opts, l4_opt, l4_check },
	[IPT_M_ICMP] = { "icmp", icmp_opts, icmp_opt, icmp_check },
	[IPT_M_STATE] = { "state", state_opts, state_opt, state_check },
	[IPT_M_CONNTRACK] = { "conntrack", conntrack_opts, state_opt,
			      state_check },
	[IPT_M_MULTIPORT] = { "multiport", multiport_opts, multiport_opt,
			      multiport_check },
	[IPT_M_MARK] = { "mark", mark_opts, mark_opt, value_check },
	[IPT_M_LIMIT] = { "limit", limit_opts, limit_opt, limit_check },
	[IPT_M_MAC] = { "mac", mac_opts, mac_opt, value_check },
	[IPT_M_COMMENT] = { "comment", comment_opts, comment_opt, value_check },
};

/* The match -p implies (tcp, udp, icmp), if none of that kind is loaded */
static int implicit_kind(const struct parse *p)
{
	const struct ipt_rule *r = &p->cmd->rule;
	int kind = r->proto == 6 ? IPT_M_TCP : r->proto == 17 ? IPT_M_UDP :
		   r->proto == 1 ? IPT_M_ICMP : -1;

	if (!(p->given & G_PROTO) || kind < 0)
		return -1;
	for (int i = 0; i < r->nmatch; i++)
		if (r->m[i].kind == kind)
			return -1;
	return kind;
}

/* A new match of @kind at the end of the rule, with iptables' defaults */
static struct ipt_match *match_add(struct parse *p, uint8_t kind)
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
	}
	p->load[p->nload++] = (int8_t)r->nmatch;
	r->nmatch++;
	return m;
}

/* ---- targets ------------------------------------------------------------- */

static int reject_opt(struct parse *p, struct ipt_target *t,
		      const struct ext_opt *o, const char *const *a)
{
	size_t l = strlen(a[0]);

	(void)o;
	for (size_t i = 0; i < ARRAY_SIZE(reject_names); i++)
		if (!strcasecmp(a[0], reject_names[i].name) ||
		    !strcasecmp(a[0], reject_names[i].alias)) {
			t->u.reject_with = reject_names[i].with;
			return 0;
		}
	for (size_t i = 0; i < ARRAY_SIZE(reject_names) && l; i++)
		if (!strncasecmp(a[0], reject_names[i].name, l)) {
			t->u.reject_with = reject_names[i].with;
			return 0;
		}
	return fail(p, "unknown reject type '%s' for --reject-with", a[0]);
}

static int reject_check(struct parse *p, const struct ipt_target *t)
{
	if (t->u.reject_with == IPT_REJ_TCP_RESET && !proto_is(p, 6))
		return fail(p, "--reject-with tcp-reset needs -p tcp "
			    "(not negated)");
	return 0;
}

static int log_level_parse(struct parse *p, const char *arg, uint8_t *level)
{
	uint32_t v;

	for (size_t i = 0; i < ARRAY_SIZE(log_levels); i++)
		if (!strcmp(arg, log_levels[i].name)) {
			*level = log_levels[i].level;
			return 0;
		}
	if (!u32_parse(arg, 7, &v))
		return fail(p, "unknown log level '%s' (0-7 or a name)", arg);
	*level = (uint8_t)v;
	return 0;
}

static int log_opt(struct parse *p, struct ipt_target *t,
		   const struct ext_opt *o, const char *const *a)
{
	static const uint8_t flag[] = {
		[LOG_TCPSEQ] = IPT_LOG_TCPSEQ, [LOG_TCPOPT] = IPT_LOG_TCPOPT,
		[LOG_IPOPT] = IPT_LOG_IPOPT, [LOG_UID] = IPT_LOG_UID,
		[LOG_MACDECODE] = IPT_LOG_MACDECODE,
	};

	switch (o->id) {
	case LOG_LEVEL:
		return log_level_parse(p, a[0], &t->u.log.level);
	case LOG_PREFIX:
		if (!a[0][0])
			return fail(p, "--log-prefix may not be empty");
		return text_copy(p, "--log-prefix", a[0], t->u.log.prefix,
				 sizeof(t->u.log.prefix));
	default:
		t->u.log.flags |= flag[o->id];
		return 0;
	}
}

/*
 * MARK: every form becomes mark = (mark & ~mask) ^ value, as xt_MARK v2
 * stores it (iptables -S prints all of them as --set-xmark):
 * --set-mark v/m: mask m|v; --and-mark v: 0/~v; --or-mark v: v/v;
 * --xor-mark v: v/0.
 */
static int mark_target_opt(struct parse *p, struct ipt_target *t,
			   const struct ext_opt *o, const char *const *a)
{
	uint32_t v, m;
	char show[24];

	snprintf(show, sizeof(show), "--%s", o->name);
	if (p->tseen)
		return fail(p, "MARK takes only one of --set-xmark, --set-mark,"
			    " --and-mark, --or-mark and --xor-mark");
	if (mark_parse(p, show, a[0], o->id <= IPT_MARK_XSET, &v, &m))
		return -1;
	t->u.mark.how = o->id;
	switch (o->id) {
	case IPT_MARK_SET:
		m |= v;
		break;
	case IPT_MARK_AND:
		m = ~v;
		v = 0;
		break;
	case IPT_MARK_OR:
		m = v;
		break;
	case IPT_MARK_XOR:
		m = 0;
		break;
	}
	t->u.mark.value = v;
	t->u.mark.mask = m;
	return 0;
}

static int mark_target_check(struct parse *p, const struct ipt_target *t)
{
	(void)t;
	if (!p->tseen)
		return fail(p, "MARK needs one of --set-xmark, --set-mark, "
			    "--and-mark, --or-mark and --xor-mark");
	return 0;
}

static int tcpmss_opt(struct parse *p, struct ipt_target *t,
		      const struct ext_opt *o, const char *const *a)
{
	uint32_t mss;

	if (p->tseen)
		return fail(p, "TCPMSS takes only one of --set-mss and "
			    "--clamp-mss-to-pmtu");
	if (o->id == MSS_CLAMP) {
		t->u.tcpmss.mss = 0;
		return 0;
	}
	/* 0 stands for --clamp-mss-to-pmtu here, so it cannot be set */
	if (!u32_parse(a[0], 65515, &mss) || !mss)
		return fail(p, "bad value '%s' for --set-mss (1-65515)", a[0]);
	t->u.tcpmss.mss = (uint16_t)mss;
	return 0;
}

static int tcpmss_check(struct parse *p, const struct ipt_target *t)
{
	(void)t;
	if (!p->tseen)
		return fail(p, "TCPMSS needs --set-mss or --clamp-mss-to-pmtu");
	if (!proto_is(p, 6))
		return fail(p, "TCPMSS needs -p tcp (not negated)");
	return 0;
}

/* "p" or "p-q" (a ':' is refused, as iptables: it separates the address) */
static int nat_ports_parse(struct parse *p, const char *show, const char *arg,
			   struct ipt_target *t)
{
	const char *proto = proto_name_for(p->cmd->rule.proto);
	const char *dash = strchr(arg, '-');
	char lo[64];

	if (!(p->given & G_PROTO) || !p->cmd->rule.proto)
		return fail(p, "ports for %s need -p tcp or -p udp before them",
			    show);
	if (strchr(arg, ':'))
		return fail(p, "bad port range '%s' for %s: use a dash", arg,
			    show);
	if (!piece(arg, dash ? (size_t)(dash - arg) : strlen(arg), lo,
		   sizeof(lo)) ||
	    !port_parse(p, lo, proto, &t->u.nat.port_lo))
		return fail(p, "bad port '%s' for %s", arg, show);
	t->u.nat.port_hi = t->u.nat.port_lo;
	if (dash && !port_parse(p, dash + 1, proto, &t->u.nat.port_hi))
		return fail(p, "bad port '%s' for %s", arg, show);
	if (t->u.nat.port_lo > t->u.nat.port_hi)
		return fail(p, "port range '%s' for %s goes backwards", arg,
			    show);
	t->u.nat.flags |= IPT_NAT_PORTS;
	return 0;
}

/* "[a[-b]][:p[-q]]" for --to-source / --to-destination */
static int nat_to_parse(struct parse *p, const char *show, const char *arg,
			struct ipt_target *t)
{
	const char *colon = strchr(arg, ':');
	size_t al = colon ? (size_t)(colon - arg) : strlen(arg);
	char addr[64], lo[32];
	const char *dash;

	if (!piece(arg, al, addr, sizeof(addr)))
		return fail(p, "bad address '%s' for %s", arg, show);
	if (colon && nat_ports_parse(p, show, colon + 1, t))
		return -1;
	if (!al) {
		if (!colon)
			return fail(p, "%s needs an address or :ports", show);
		return 0;
	}
	dash = strchr(addr, '-');
	if (!piece(addr, dash ? (size_t)(dash - addr) : al, lo, sizeof(lo)) ||
	    !ip_parse(lo, 4, &t->u.nat.addr_lo) ||
	    (dash && !ip_parse(dash + 1, 4, &t->u.nat.addr_hi)))
		return fail(p, "bad address '%s' for %s", addr, show);
	if (!dash)
		t->u.nat.addr_hi = t->u.nat.addr_lo;
	if (t->u.nat.addr_lo > t->u.nat.addr_hi)
		return fail(p, "address range '%s' for %s goes backwards", addr,
			    show);
	t->u.nat.flags |= IPT_NAT_ADDR;
	return 0;
}

static int nat_opt(struct parse *p, struct ipt_target *t,
		   const struct ext_opt *o, const char *const *a)
{
	char show[24];

	snprintf(show, sizeof(show), "--%s", o->name);
	switch (o->id) {
	case NAT_RANDOM:
		t->u.nat.flags |= IPT_NAT_RANDOM;
		return 0;
	case NAT_PERSISTENT:
		t->u.nat.flags |= IPT_NAT_PERSISTENT;
		return 0;
	default:
		if (t->kind == IPT_T_SNAT || t->kind == IPT_T_DNAT)
			return nat_to_parse(p, show, a[0], t);
		return nat_ports_parse(p, show, a[0], t);
	}
}

static int nat_check(struct parse *p, const struct ipt_target *t)
{
	if (p->tseen & (1u << NAT_TO))
		return 0;
	return fail(p, t->kind == IPT_T_SNAT ? "SNAT needs --to-source" :
		    "DNAT needs --to-destination");
}

/**
 * struct target_ext - a -j target masq knows
 * @name:	as after -j (NULL: no name, IPT_T_NONE/JUMP/GOTO)
 * @opts:	its options, or NULL
 * @opt:	reads one option (@a: its words)
 * @check:	once the whole command is read
 */
struct target_ext {
	const char *name;
	const struct ext_opt *opts;
	int (*opt)(struct parse *p, struct ipt_target *t,
		   const struct ext_opt *o, const char *const *a);
	int (*check)(struct parse *p, const struct ipt_target *t);
};

static const struct target_ext target_exts[IPT_T_KINDS] = {
	[IPT_T_ACCEPT] = { "ACCEPT", NULL, NULL, NULL },
	[IPT_T_DROP] = { "DROP", NULL, NULL, NULL },
	[IPT_T_RETURN] = { "RETURN", NULL, NULL, NULL },
	[IPT_T_REJECT] = { "REJECT", reject_opts, reject_opt, reject_check },
	[IPT_T_LOG] = { "LOG", log_opts, log_opt, NULL },
	[IPT_T_MARK] = { "MARK", mark_target_opts, mark_target_opt,
			 mark_target_check },
	[IPT_T_TCPMSS] = { "TCPMSS", tcpmss_opts, tcpmss_opt, tcpmss_check },
	[IPT_T_MASQUERADE] = { "MASQUERADE", masquerade_opts, nat_opt, NULL },
	[IPT_T_SNAT] = { "SNAT", snat_opts, nat_opt, nat_check },
	[IPT_T_DNAT] = { "DNAT", dnat_opts, nat_opt, nat_check },
	[IPT_T_REDIRECT] = { "REDIRECT", redirect_opts, nat_opt, NULL },
};

static int target_kind_by_name(const char *name)
{
	for (int k = 0; k < IPT_T_KINDS; k++)
		if (target_exts[k].name && !strcmp(target_exts[k].name, name))
			return k;
	return -1;
}

/* ---- base options and lookup results ------------------------------------ */

struct base_opt;

/**
 * struct found - what a long option word named
 * @base:	a base option, or NULL
 * @eo:		else the extension option
 * @owner:	match index, OWNER_TARGET or OWNER_IMPLICIT
 */
struct found {
	const struct base_opt *base;
	const struct ext_opt *eo;
	int owner;
};

/**
 * struct base_opt - an option of iptables itself
 * @name:	long name (without "--")
 * @letter:	short name, or 0
 * @show:	how messages name it
 * @inv:	may be negated with "!"
 * @fn:		reads it; @attached is "-tnat"'s "nat" or "--table=nat"'s
 */
struct base_opt {
	const char *name;
	char letter;
	const char *show;
	bool inv;
	int (*fn)(struct parse *p, const struct base_opt *b,
		  const char *attached);
};

/* ---- extension options --------------------------------------------------- */

/* Read an extension option's words and hand them to its extension */
static int ext_option(struct parse *p, const struct found *f,
		      const char *attached)
{
	const struct ext_opt *o = f->eo;
	struct ipt_rule *r = &p->cmd->rule;
	const char *a[2] = { attached, NULL };
	const char *owner_name;
	uint32_t *seen;
	int idx = f->owner;

	for (int i = attached ? 1 : 0; i < o->nargs; i++)
		if (!(a[i] = take_word(p)))
			return fail(p, "option --%s needs %s", o->name,
				    o->nargs == 2 ? "two values" : "a value");
	if (!o->nargs && attached)
		return fail(p, "option --%s takes no value", o->name);
	if (idx == OWNER_IMPLICIT) {
		if (!match_add(p, (uint8_t)implicit_kind(p)))
			return -1;
		idx = r->nmatch - 1;
	}
	owner_name = idx == OWNER_TARGET ? target_exts[r->t.kind].name :
		     match_exts[r->m[idx].kind].name;
	if (o->id == OPT_UNSUPPORTED)
		return fail(p, "unsupported option --%s of %s", o->name,
			    owner_name);
	if (p->inv && !o->inv)
		return fail(p, "option --%s of %s cannot be negated", o->name,
			    owner_name);
	seen = idx == OWNER_TARGET ? &p->tseen : &p->mseen[idx];
	if (*seen & (1u << o->id))
		return fail(p, "option --%s of %s given twice", o->name,
			    owner_name);
	if (idx == OWNER_TARGET) {
		if (target_exts[r->t.kind].opt(p, &r->t, o, a))
			return -1;
	} else if (match_exts[r->m[idx].kind].opt(p, &r->m[idx], o, a)) {
		return -1;
	}
	*seen |= 1u << o->id;
	return 0;
}

/* ---- base options: commands ---------------------------------------------- */

/* Set the command; -L or -S may join -Z (IPT_OPT_ZERO) */
static int command_set(struct parse *p, uint8_t op, const char *show)
{
	struct ipt_cmd *c = p->cmd;
	bool lists = op == IPT_OP_LIST || op == IPT_OP_LIST_RULES;

	if (!p->have_cmd) {
		c->op = op;
		p->have_cmd = true;
		p->cmd_show = show;
		return 0;
	}
	if (!(c->opts & IPT_OPT_ZERO)) {
		if (op == IPT_OP_ZERO && (c->op == IPT_OP_LIST ||
					  c->op == IPT_OP_LIST_RULES)) {
			c->opts |= IPT_OPT_ZERO;
			return 0;
		}
		if (lists && c->op == IPT_OP_ZERO) {
			c->op = op;
			c->opts |= IPT_OPT_ZERO;
			p->cmd_show = show;
			return 0;
		}
	}
	return fail(p, "cannot use %s with %s", show, p->cmd_show);
}

/* The chain a command names (-L and -Z together may name only one) */
static int command_chain(struct parse *p, const char *show, const char *name)
{
	char chain[IPT_CHAIN_MAXLEN + 1] = "";

	if (chain_copy(p, show, name, chain))
		return -1;
	if (p->cmd->chain[0] && strcmp(p->cmd->chain, chain))
		return fail(p, "%s names a second chain '%s'", show, chain);
	memcpy(p->cmd->chain, chain, sizeof(chain));
	return 0;
}

static int rulenum_parse(struct parse *p, const char *show, const char *w)
{
	uint32_t n;

	if (!u32_parse(w, 0x7fffffff, &n) || !n)
		return fail(p, "bad rule number '%s' for %s", w, show);
	p->cmd->rulenum = n;
	return 0;
}

/* A required chain: attached, else the next word whatever it is */
static int chain_required(struct parse *p, const char *show,
			  const char *attached)
{
	const char *w = attached ? attached : take_word(p);

	if (!w || (w[0] == '-' && !attached))
		return fail(p, "%s needs a chain name", show);
	return command_chain(p, show, w);
}

/* An optional chain: attached, else the next word if not an option */
static int chain_optional(struct parse *p, const char *show,
			  const char *attached, bool *named)
{
	const char *w = attached ? attached : take_positional(p);

	*named = w != NULL;
	return w ? command_chain(p, show, w) : 0;
}

static int rulenum_optional(struct parse *p, const char *show)
{
	const char *w = take_positional(p);

	return w ? rulenum_parse(p, show, w) : 0;
}

/* -A, -C: chain; -I, -D: chain [n]; -R: chain n */
static int opt_rule_command(struct parse *p, const struct base_opt *b,
			    const char *attached)
{
	static const uint8_t ops[128] = {
		['A'] = IPT_OP_APPEND, ['C'] = IPT_OP_CHECK,
		['I'] = IPT_OP_INSERT, ['D'] = IPT_OP_DELETE,
		['R'] = IPT_OP_REPLACE,
	};
	const char *w;

	if (command_set(p, ops[(int)b->letter], b->show) ||
	    chain_required(p, b->show, attached))
		return -1;
	switch (b->letter) {
	case 'I':
		return rulenum_optional(p, b->show);
	case 'D':
		w = take_positional(p);
		if (!w)
			return 0;
		p->cmd->op = IPT_OP_DELETE_NUM;
		return rulenum_parse(p, b->show, w);
	case 'R':
		w = take_positional(p);
		if (!w)
			return fail(p, "-R needs a rule number");
		return rulenum_parse(p, b->show, w);
	}
	return 0;
}

/* -L, -S, -Z: [chain [n]]; -F, -X: [chain] */
static int opt_chain_command(struct parse *p, const struct base_opt *b,
			     const char *attached)
{
	static const uint8_t ops[128] = {
		['L'] = IPT_OP_LIST, ['S'] = IPT_OP_LIST_RULES,
		['Z'] = IPT_OP_ZERO, ['F'] = IPT_OP_FLUSH,
		['X'] = IPT_OP_DELETE_CHAIN,
	};
	bool named;

	if (command_set(p, ops[(int)b->letter], b->show) ||
	    chain_optional(p, b->show, attached, &named))
		return -1;
	if (named && (b->letter == 'L' || b->letter == 'S' || b->letter == 'Z'))
		return rulenum_optional(p, b->show);
	return 0;
}

static int opt_new_chain(struct parse *p, const struct base_opt *b,
			 const char *attached)
{
	const char *w = attached ? attached : take_word(p);

	if (command_set(p, IPT_OP_NEW_CHAIN, b->show))
		return -1;
	if (!w)
		return fail(p, "-N needs a chain name");
	return new_chain_copy(p, "-N", w, p->cmd->chain);
}

static int opt_rename_chain(struct parse *p, const struct base_opt *b,
			    const char *attached)
{
	const char *w;

	if (command_set(p, IPT_OP_RENAME_CHAIN, b->show) ||
	    chain_required(p, b->show, attached))
		return -1;
	w = take_positional(p);
	if (!w)
		return fail(p, "-E needs the old and the new chain name");
	return new_chain_copy(p, "-E", w, p->cmd->chain2);
}

static int opt_policy(struct parse *p, const struct base_opt *b,
		      const char *attached)
{
	const char *w;

	if (command_set(p, IPT_OP_POLICY, b->show) ||
	    chain_required(p, b->show, attached))
		return -1;
	w = take_positional(p);
	if (!w)
		return fail(p, "-P needs a chain and a policy");
	if (!strcmp(w, "ACCEPT"))
		p->cmd->policy = IPT_POL_ACCEPT;
	else if (!strcmp(w, "DROP"))
		p->cmd->policy = IPT_POL_DROP;
	else
		return fail(p, "bad policy '%s' (ACCEPT or DROP)", w);
	return 0;
}

/* ---- base options: the rule ---------------------------------------------- */

/* Mark @bit given; "-p given twice" if it was */
static int given_once(struct parse *p, unsigned bit, const char *show)
{
	if (p->given & bit)
		return fail(p, "%s given twice", show);
	p->given |= bit;
	return 0;
}

/* The value of an option that needs one: attached, else the next word */
static const char *value_of(struct parse *p, const struct base_opt *b,
			    const char *attached)
{
	const char *w = attached ? attached : take_word(p);

	if (!w)
		fail(p, "%s needs a value", b->show);
	return w;
}

static int opt_addr(struct parse *p, const struct base_opt *b,
		    const char *attached)
{
	struct ipt_cmd *c = p->cmd;
	bool src = b->letter == 's';
	const char *w = value_of(p, b, attached);

	if (!w || given_once(p, src ? G_SRC : G_DST, b->show))
		return -1;
	if (addr_list_parse(p, b->show, w, src ? c->srcs : c->dsts,
			    src ? &c->nsrc : &c->ndst,
			    src ? c->smsks : c->dmsks))
		return -1;
	if (src) {
		c->rule.src = c->srcs[0];
		c->rule.smsk = c->smsks[0];
	} else {
		c->rule.dst = c->dsts[0];
		c->rule.dmsk = c->dmsks[0];
	}
	if (p->inv)
		c->rule.inv |= src ? IPT_INV_SRC : IPT_INV_DST;
	return 0;
}

static int proto_parse(struct parse *p, const char *w, uint8_t *proto)
{
	static const struct {
		const char *name;
		uint8_t num;
	} names[] = { { "tcp", 6 }, { "udp", 17 }, { "icmp", 1 }, { "all", 0 } };
	uint32_t v;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcasecmp(w, names[i].name)) {
			*proto = names[i].num;
			return 0;
		}
	if (u32_parse(w, 255, &v)) {
		*proto = (uint8_t)v;
		return 0;
	}
	/* the names -S and iptables-save print (print.c), so a save reads
	 * back without a resolver */
	for (v = 1; v < 256; v++)
		if (ipt_proto_name((uint8_t)v) &&
		    !strcasecmp(w, ipt_proto_name((uint8_t)v))) {
			*proto = (uint8_t)v;
			return 0;
		}
	if (*w && p->res && p->res->proto && !p->res->proto(w, proto))
		return 0;
	return fail(p, "unknown protocol '%s'", w);
}

static int opt_proto(struct parse *p, const struct base_opt *b,
		     const char *attached)
{
	struct ipt_rule *r = &p->cmd->rule;
	const char *w = value_of(p, b, attached);

	if (!w || given_once(p, G_PROTO, b->show) ||
	    proto_parse(p, w, &r->proto))
		return -1;
	if (p->inv && !r->proto)
		return fail(p, "! -p %s would never match", w);
	if (p->inv)
		r->inv |= IPT_INV_PROTO;
	return 0;
}

static int opt_iface(struct parse *p, const struct base_opt *b,
		     const char *attached)
{
	struct ipt_rule *r = &p->cmd->rule;
	bool in = b->letter == 'i';
	const char *w = value_of(p, b, attached);

	if (!w || given_once(p, in ? G_IN : G_OUT, b->show) ||
	    iface_parse(p, b->show, w, in ? r->in : r->out))
		return -1;
	if (p->inv)
		r->inv |= in ? IPT_INV_IN : IPT_INV_OUT;
	return 0;
}

static int opt_frag(struct parse *p, const struct base_opt *b,
		    const char *attached)
{
	(void)attached;
	if (given_once(p, G_FRAG, b->show))
		return -1;
	p->cmd->rule.frag = true;
	if (p->inv)
		p->cmd->rule.inv |= IPT_INV_FRAG;
	return 0;
}

/* Defaults of a target, as iptables fills them */
static void target_defaults(struct ipt_target *t)
{
	if (t->kind == IPT_T_REJECT)
		t->u.reject_with = IPT_REJ_PORT_UNREACH;
	else if (t->kind == IPT_T_LOG)
		t->u.log.level = 4;
}

/* -j TARGET or -j CHAIN; -g CHAIN */
static int opt_jump(struct parse *p, const struct base_opt *b,
		    const char *attached)
{
	struct ipt_target *t = &p->cmd->rule.t;
	const char *w = value_of(p, b, attached);
	int kind;

	if (!w)
		return -1;
	if (p->have_target)
		return fail(p, "%s: only one -j or -g per rule", b->show);
	if (!*w || strlen(w) > IPT_CHAIN_MAXLEN || has_blank(w))
		return fail(p, "bad target name '%s' for %s", w, b->show);
	p->have_target = true;
	p->given |= G_JUMP;
	kind = target_kind_by_name(w);
	if (b->letter == 'g') {
		if (is_target_name(w))
			return fail(p, "-g needs a chain, '%s' is a target", w);
		t->kind = IPT_T_GOTO;
	} else if (kind >= 0) {
		t->kind = (uint8_t)kind;
	} else if (is_target_name(w)) {
		return fail(p, "unsupported target '%s'", w);
	} else {
		t->kind = IPT_T_JUMP;
	}
	if (t->kind == IPT_T_JUMP || t->kind == IPT_T_GOTO)
		memcpy(t->chain, w, strlen(w) + 1);
	target_defaults(t);
	if (target_exts[t->kind].opts)
		p->load[p->nload++] = OWNER_TARGET;
	return 0;
}

static int opt_match(struct parse *p, const struct base_opt *b,
		     const char *attached)
{
	const char *w = value_of(p, b, attached);

	if (!w)
		return -1;
	p->given |= G_MATCH;
	for (int k = 0; k < IPT_M_KINDS; k++)
		if (!strcmp(w, match_exts[k].name))
			return match_add(p, (uint8_t)k) ? 0 : -1;
	if (!*w)
		return fail(p, "-m needs a match name");
	return fail(p, "unsupported match '%s'", w);
}

static int opt_table(struct parse *p, const struct base_opt *b,
		     const char *attached)
{
	const char *w = value_of(p, b, attached);
	int t;

	if (!w)
		return -1;
	t = ipt_table_by_name(w);	/* tablename.c */
	if (t >= 0) {
		p->cmd->table = (uint8_t)t;	/* the last -t wins */
		return 0;
	}
	if (!strcmp(w, "raw") || !strcmp(w, "security"))
		return fail(p, "unsupported table '%s'", w);
	return fail(p, "unknown table '%s'", w);
}

static int opt_flag(struct parse *p, const struct base_opt *b,
		    const char *attached)
{
	static const struct {
		char letter;
		unsigned given;
		uint8_t opt;
	} flags[] = {
		{ 'n', G_NUMERIC, IPT_OPT_NUMERIC },
		{ 'v', G_VERBOSE, IPT_OPT_VERBOSE },
		{ 'x', G_EXACT, IPT_OPT_EXACT },
		{ 0, G_LINENUM, IPT_OPT_LINENUMBERS },
	};

	if (attached)
		return fail(p, "%s takes no value", b->show);
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
		if (flags[i].letter == b->letter) {
			p->given |= flags[i].given;
			p->cmd->opts |= flags[i].opt;
		}
	return 0;
}

static int opt_counters(struct parse *p, const struct base_opt *b,
			const char *attached)
{
	const char *pk = value_of(p, b, attached), *by;
	uint64_t v;

	if (!pk || given_once(p, G_COUNTERS, b->show))
		return -1;
	by = take_word(p);
	if (!by)
		return fail(p, "-c needs packet and byte counters");
	if (!num_parse(pk, UINT64_MAX, &v))
		return fail(p, "bad packet counter '%s' for -c", pk);
	p->cmd->rule.pkts = v;
	if (!num_parse(by, UINT64_MAX, &v))
		return fail(p, "bad byte counter '%s' for -c", by);
	p->cmd->rule.bytes = v;
	p->cmd->opts |= IPT_OPT_COUNTERS;
	return 0;
}

/*
 * -w [seconds], -W usecs: xtables lock waits; masq has no lock, so they
 * are read (a value must be a number) and ignored
 */
static int opt_wait(struct parse *p, const struct base_opt *b,
		    const char *attached)
{
	const char *w = attached ? attached : take_positional(p);
	uint64_t v;

	if (!w && b->letter == 'W')
		return fail(p, "-W needs a value");
	if (w && !num_parse(w, UINT32_MAX, &v))
		return fail(p, "bad value '%s' for %s", w, b->show);
	return 0;
}

static int opt_ignored(struct parse *p, const struct base_opt *b,
		       const char *attached)
{
	(void)b;
	if (attached)
		return fail(p, "-4 takes no value");
	return 0;
}

static int opt_unsupported(struct parse *p, const struct base_opt *b,
			   const char *attached)
{
	(void)attached;
	return fail(p, "unsupported option %s", b->show);
}

static const struct base_opt base_opts[] = {
	{ "append", 'A', "-A", false, opt_rule_command },
	{ "check", 'C', "-C", false, opt_rule_command },
	{ "delete", 'D', "-D", false, opt_rule_command },
	{ "insert", 'I', "-I", false, opt_rule_command },
	{ "replace", 'R', "-R", false, opt_rule_command },
	{ "list", 'L', "-L", false, opt_chain_command },
	{ "list-rules", 'S', "-S", false, opt_chain_command },
	{ "flush", 'F', "-F", false, opt_chain_command },
	{ "zero", 'Z', "-Z", false, opt_chain_command },
	{ "delete-chain", 'X', "-X", false, opt_chain_command },
	{ "new-chain", 'N', "-N", false, opt_new_chain },
	{ "rename-chain", 'E', "-E", false, opt_rename_chain },
	{ "policy", 'P', "-P", false, opt_policy },
	{ "source", 's', "-s", true, opt_addr },
	{ "src", 's', "-s", true, opt_addr },
	{ "destination", 'd', "-d", true, opt_addr },
	{ "dst", 'd', "-d", true, opt_addr },
	{ "protocol", 'p', "-p", true, opt_proto },
	{ "in-interface", 'i', "-i", true, opt_iface },
	{ "out-interface", 'o', "-o", true, opt_iface },
	{ "fragment", 'f', "-f", true, opt_frag },
	{ "jump", 'j', "-j", false, opt_jump },
	{ "goto", 'g', "-g", false, opt_jump },
	{ "match", 'm', "-m", false, opt_match },
	{ "table", 't', "-t", false, opt_table },
	{ "numeric", 'n', "-n", false, opt_flag },
	{ "verbose", 'v', "-v", false, opt_flag },
	{ "exact", 'x', "-x", false, opt_flag },
	{ "line-numbers", 0, "--line-numbers", false, opt_flag },
	{ "set-counters", 'c', "-c", false, opt_counters },
	{ "wait", 'w', "-w", false, opt_wait },
	{ "wait-interval", 'W', "-W", false, opt_wait },
	{ "ipv4", '4', "-4", false, opt_ignored },
	{ "ipv6", '6', "-6 (masq is IPv4 only)", false, opt_unsupported },
	{ "help", 'h', "-h", false, opt_unsupported },
	{ "version", 'V', "-V", false, opt_unsupported },
	{ "modprobe", 'M', "-M", false, opt_unsupported },
};
static const size_t base_opts_n = ARRAY_SIZE(base_opts);

/* ---- option lookup ------------------------------------------------------- */

/*
 * Lookup state for one long option word. getopt_long() semantics: the
 * first exact name wins; else a prefix must point at one option (aliases
 * of one option count as one).
 */
struct lookup {
	const char *name;
	size_t len;
	struct found exact, prefix;
	int prefix_id;
	bool have_exact, have_prefix, ambiguous;
};

static void lookup_offer(struct lookup *l, const char *cand,
			 const struct found *f, int id)
{
	if (l->have_exact || strncmp(cand, l->name, l->len))
		return;
	if (!cand[l->len]) {
		l->exact = *f;
		l->have_exact = true;
		return;
	}
	if (!l->have_prefix) {
		l->prefix = *f;
		l->have_prefix = true;
		l->prefix_id = id;
	} else if (l->prefix.owner != f->owner || l->prefix_id != id) {
		l->ambiguous = true;
	}
}

static void lookup_ext(struct lookup *l, const struct ext_opt *opts, int owner)
{
	for (const struct ext_opt *o = opts; o && o->name; o++) {
		struct found f = { NULL, o, owner };

		lookup_offer(l, o->name, &f, o->id);
	}
}

/* Base options, then the loaded extensions, newest first */
static void lookup_loaded(struct parse *p, struct lookup *l)
{
	for (size_t i = 0; i < base_opts_n; i++) {
		struct found f = { &base_opts[i], NULL, OWNER_BASE };

		lookup_offer(l, base_opts[i].name, &f,
			     base_opts[i].letter ? base_opts[i].letter :
						   1000 + (int)i);
	}
	for (int k = p->nload - 1; k >= 0; k--) {
		int owner = p->load[k];

		if (owner == OWNER_TARGET)
			lookup_ext(l, target_exts[p->cmd->rule.t.kind].opts,
				   owner);
		else
			lookup_ext(l, match_exts[p->cmd->rule.m[owner].kind].opts,
				   owner);
	}
}

static int lookup_result(struct parse *p, struct lookup *l, struct found *f,
			 const char *word)
{
	if (l->have_exact) {
		*f = l->exact;
		return 1;
	}
	if (l->ambiguous)
		return fail(p, "ambiguous option '%s'", word);
	if (l->have_prefix) {
		*f = l->prefix;
		return 1;
	}
	return 0;
}

/* Find the option a "--name" word means; 0 with @f set, or -1 */
static int long_lookup(struct parse *p, const char *word, size_t len,
		       struct found *f)
{
	struct lookup l = { .name = word + 2, .len = len };
	int kind, r;

	if (!len)
		return fail(p, "bad option '%s'", word);
	lookup_loaded(p, &l);
	r = lookup_result(p, &l, f, word);
	if (r)
		return r < 0 ? -1 : 0;
	kind = implicit_kind(p);
	if (kind >= 0) {
		l = (struct lookup){ .name = word + 2, .len = len };
		lookup_ext(&l, match_exts[kind].opts, OWNER_IMPLICIT);
		r = lookup_result(p, &l, f, word);
		if (r)
			return r < 0 ? -1 : 0;
	}
	return fail(p, "unknown option '%.*s'", (int)len + 2, word);
}

/* ---- the walk over the words --------------------------------------------- */

static int base_option(struct parse *p, const struct base_opt *b,
		       const char *attached)
{
	if (p->inv && !b->inv)
		return fail(p, "cannot have ! before %s", b->show);
	if (b->fn(p, b, attached))
		return -1;
	p->inv = false;
	return 0;
}

static const struct base_opt *short_lookup(char c)
{
	for (size_t i = 0; i < base_opts_n; i++)
		if (base_opts[i].letter == c)
			return &base_opts[i];
	return NULL;
}

/* Options that take a value take the rest of a cluster ("-tnat") */
static bool short_takes_rest(char c)
{
	return c && !strchr("nvxf4", c);
}

/* "-nvL", "-tnat", "-AINPUT" */
static int short_cluster(struct parse *p, const char *word)
{
	for (const char *c = word + 1; *c; c++) {
		const struct base_opt *b = short_lookup(*c);

		if (!b)
			return fail(p, "unknown option '-%c'", *c);
		if (short_takes_rest(*c))
			return base_option(p, b, c[1] ? c + 1 : NULL);
		if (base_option(p, b, NULL))
			return -1;
	}
	return 0;
}

/* "--name" or "--name=value" */
static int long_option(struct parse *p, const char *word)
{
	const char *eq = strchr(word + 2, '=');
	size_t len = eq ? (size_t)(eq - word - 2) : strlen(word + 2);
	struct found f = { NULL, NULL, OWNER_BASE };
	int ret;

	if (long_lookup(p, word, len, &f))
		return -1;
	if (f.base)
		return base_option(p, f.base, eq ? eq + 1 : NULL);
	ret = ext_option(p, &f, eq ? eq + 1 : NULL);
	p->inv = false;
	return ret;
}

static int one_word(struct parse *p, const char *w)
{
	if (!strcmp(w, "!")) {
		if (p->inv)
			return fail(p, "two ! in a row");
		p->inv = true;
		return 0;
	}
	if (w[0] == '-' && w[1] == '-' && w[2])
		return long_option(p, w);
	if (w[0] == '-' && w[1] && w[1] != '-')
		return short_cluster(p, w);
	return fail(p, "bad argument '%s'", w);
}

/* ---- the whole command --------------------------------------------------- */

static bool op_takes_rule(uint8_t op)
{
	return op == IPT_OP_APPEND || op == IPT_OP_INSERT ||
	       op == IPT_OP_DELETE || op == IPT_OP_REPLACE ||
	       op == IPT_OP_CHECK;
}

/* Which options each command allows (-v goes with all of them) */
static int options_allowed(struct parse *p)
{
	static const struct {
		unsigned bit;
		const char *show;
	} names[] = {
		{ G_NUMERIC, "-n" }, { G_EXACT, "-x" },
		{ G_LINENUM, "--line-numbers" }, { G_COUNTERS, "-c" },
		{ G_SRC, "-s" }, { G_DST, "-d" }, { G_PROTO, "-p" },
		{ G_IN, "-i" }, { G_OUT, "-o" }, { G_FRAG, "-f" },
		{ G_JUMP, "-j" }, { G_MATCH, "-m" },
	};
	uint8_t op = p->cmd->op;
	unsigned ok = G_VERBOSE, bad;

	if (op_takes_rule(op))
		ok |= G_RULE;
	if (op == IPT_OP_APPEND || op == IPT_OP_INSERT ||
	    op == IPT_OP_REPLACE || op == IPT_OP_POLICY)
		ok |= G_COUNTERS;
	if (op == IPT_OP_LIST)
		ok |= G_NUMERIC | G_EXACT | G_LINENUM;
	bad = p->given & ~ok;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (bad & names[i].bit)
			return fail(p, "option %s is not allowed with %s",
				    names[i].show, p->cmd_show);
	return 0;
}

/* -o means nothing on the way in, -i nothing on the way out */
static int interfaces_fit_chain(struct parse *p)
{
	static const char *const in_only[] = { "INPUT", "PREROUTING" };
	static const char *const out_only[] = { "OUTPUT", "POSTROUTING" };
	const char *chain = p->cmd->chain;

	if ((p->given & G_OUT) && name_in(chain, in_only, 2))
		return fail(p, "-o cannot be used with %s", chain);
	if ((p->given & G_IN) && name_in(chain, out_only, 2))
		return fail(p, "-i cannot be used with %s", chain);
	return 0;
}

static int rule_check(struct parse *p)
{
	struct ipt_cmd *c = p->cmd;
	struct ipt_rule *r = &c->rule;

	for (int i = 0; i < r->nmatch; i++) {
		const struct match_ext *e = &match_exts[r->m[i].kind];

		if (e->check && e->check(p, &r->m[i]))
			return -1;
	}
	if (target_exts[r->t.kind].check &&
	    target_exts[r->t.kind].check(p, &r->t))
		return -1;
	if (c->op == IPT_OP_REPLACE && (c->nsrc > 1 || c->ndst > 1))
		return fail(p, "-R needs one source and one destination "
			    "address");
	return interfaces_fit_chain(p);
}

static int command_check(struct parse *p)
{
	if (p->inv)
		return fail(p, "nothing follows !");
	if (!p->have_cmd)
		return fail(p, "no command given (-A, -I, -D, -R, -C, -L, -S, "
			    "-F, -Z, -N, -X, -E or -P)");
	if (options_allowed(p))
		return -1;
	return op_takes_rule(p->cmd->op) ? rule_check(p) : 0;
}

/**
 * ipt_parse() - Parse the words of one iptables command
 * @argc, @argv:	the words after "iptables"
 * @res:		name lookups, or NULL for numeric words only
 * @cmd:		filled on success (zeroed first, so two parses of the
 *			same words compare equal with memcmp)
 * @err:		the reason on failure
 *
 * Cost: linear in the words (option lookup scans a few dozen names).
 * Return: 0, or -1 with @err set
 */
int ipt_parse(int argc, char *const *argv, const struct ipt_resolver *res,
	      struct ipt_cmd *cmd, struct ipt_err *err)
{
	struct ipt_err dummy;
	struct parse p = {
		.res = res, .cmd = cmd, .err = err ? err : &dummy,
		.argc = argc, .argv = argv,
	};

	memset(cmd, 0, sizeof(*cmd));
	p.err->msg[0] = 0;
	if (argc < 0 || (argc && !argv))
		return fail(&p, "no words");
	for (int i = 0; i < argc; i++)
		if (!argv[i])
			return fail(&p, "word %d is missing", i + 1);
	while (p.next < p.argc)
		if (one_word(&p, take_word(&p)))
			return -1;
	return command_check(&p);
}

/* ---- ipt_split ------------------------------------------------------------- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

/**
 * ipt_split() - Split a line into words as a shell would for iptables-save
 * @line:	the text (NUL-terminated)
 * @words:	filled with pointers into @store; words[n] = NULL when room
 * @max:	size of @words
 * @store:	where the words' bytes go; @store_len its size
 * @err:	the reason on failure
 *
 * Blanks (space, tab, CR, LF) separate words. Double quotes group, and
 * may join with unquoted text (a"b c" is one word); inside them a
 * backslash takes the next character as it is (\" \\, and iptables-save's
 * \' too); outside them a backslash is an ordinary character.
 * Return: the word count, or -1 with @err set
 */
int ipt_split(const char *line, char **words, int max, char *store,
	      size_t store_len, struct ipt_err *err)
{
	struct ipt_err dummy;
	size_t used = 0;
	int n = 0;

	if (!err)
		err = &dummy;
	for (const char *s = line;;) {
		bool quoted = false;

		while (is_blank(*s))
			s++;
		if (!*s)
			break;
		if (n >= max) {
			snprintf(err->msg, sizeof(err->msg),
				 "more than %d words", max);
			return -1;
		}
		if (used >= store_len)
			goto too_long;
		words[n++] = store + used;
		for (; *s && (quoted || !is_blank(*s)); s++) {
			char c = *s;

			if (c == '"') {
				quoted = !quoted;
				continue;
			}
			if (quoted && c == '\\') {
				if (!s[1])
					break;
				c = *++s;
			}
			if (used + 1 >= store_len)
				goto too_long;
			store[used++] = c;
		}
		if (quoted) {
			snprintf(err->msg, sizeof(err->msg),
				 "unbalanced double quote in word %d", n);
			return -1;
		}
		store[used++] = 0;
	}
	if (n < max)
		words[n] = NULL;
	return n;
too_long:
	snprintf(err->msg, sizeof(err->msg),
		 "line too long (more than %zu bytes of words)", store_len);
	return -1;
}

/* ---- ipt_cmd_format -------------------------------------------------------- */

/* One output line: words separated by single spaces */
struct line {
	struct ipt_text *out;
	bool started;
};

static bool needs_quotes(const char *w)
{
	if (!*w)
		return true;
	for (; *w; w++)
		if (is_blank(*w) || *w == '"' || *w == '\\' || *w == '\'')
			return true;
	return false;
}

/* A word as it is, quoted when ipt_split() would otherwise break it */
static void word(struct line *l, const char *w)
{
	ipt_text_printf(l->out, "%s", l->started ? " " : "");
	l->started = true;
	if (!needs_quotes(w)) {
		ipt_text_printf(l->out, "%s", w);
		return;
	}
	ipt_text_printf(l->out, "\"");
	for (const char *s = w; *s; s++) {
		const char *run = s;

		while (*s && *s != '"' && *s != '\\')
			s++;
		ipt_text_printf(l->out, "%.*s", (int)(s - run), run);
		if (!*s)
			break;
		ipt_text_printf(l->out, "\\%c", *s);
	}
	ipt_text_printf(l->out, "\"");
}

__attribute__((format(printf, 2, 3)))
static void wordf(struct line *l, const char *fmt, ...)
{
	char buf[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	word(l, buf);
}

/* "!" before a negated option */
static void neg(struct line *l, bool inv)
{
	if (inv)
		word(l, "!");
}

static void addr_word(struct line *l, uint32_t a, uint32_t m)
{
	int len;

	if (mask_is_prefix(m, &len))
		wordf(l, "%u.%u.%u.%u/%d", a >> 24, (a >> 16) & 255,
		      (a >> 8) & 255, a & 255, len);
	else
		wordf(l, "%u.%u.%u.%u/%u.%u.%u.%u", a >> 24, (a >> 16) & 255,
		      (a >> 8) & 255, a & 255, m >> 24, (m >> 16) & 255,
		      (m >> 8) & 255, m & 255);
}

static void range_word(struct line *l, const struct ipt_portrange *r,
		       char sep)
{
	if (r->lo == r->hi)
		wordf(l, "%u", r->lo);
	else
		wordf(l, "%u%c%u", r->lo, sep, r->hi);
}

static void flags_word(struct line *l, uint8_t bits)
{
	char buf[64] = "";

	for (size_t i = 0; i < ARRAY_SIZE(tcp_flag_names); i++)
		if (bits & tcp_flag_names[i].bit) {
			if (*buf)
				strcat(buf, ",");
			strcat(buf, tcp_flag_names[i].name);
		}
	word(l, *buf ? buf : "NONE");
}

static void states_word(struct line *l, uint8_t mask)
{
	char buf[128] = "";

	for (size_t i = 0; i < ARRAY_SIZE(state_names); i++)
		if (mask & state_names[i].bit) {
			if (*buf)
				strcat(buf, ",");
			strcat(buf, state_names[i].name);
		}
	word(l, buf);
}

static void l4_format(struct line *l, const struct ipt_match *m)
{
	if (m->set & IPT_F_SPORT) {
		neg(l, m->inv & IPT_F_SPORT);
		word(l, "--sport");
		range_word(l, &m->u.l4.sport, ':');
	}
	if (m->set & IPT_F_DPORT) {
		neg(l, m->inv & IPT_F_DPORT);
		word(l, "--dport");
		range_word(l, &m->u.l4.dport, ':');
	}
	if (m->set & IPT_F_TCPFLAGS) {
		neg(l, m->inv & IPT_F_TCPFLAGS);
		word(l, "--tcp-flags");
		flags_word(l, m->u.l4.flg_mask);
		flags_word(l, m->u.l4.flg_cmp);
	}
}

static void icmp_format(struct line *l, const struct ipt_match *m)
{
	neg(l, m->inv & IPT_F_VALUE);
	word(l, "--icmp-type");
	if (m->u.icmp.code_lo == 0 && m->u.icmp.code_hi == 255)
		wordf(l, "%u", m->u.icmp.type);
	else
		wordf(l, "%u/%u", m->u.icmp.type, m->u.icmp.code_lo);
}

static void multiport_format(struct line *l, const struct ipt_match *m)
{
	static const char *const opt[] = {
		[IPT_MP_SPORTS] = "--sports", [IPT_MP_DPORTS] = "--dports",
		[IPT_MP_PORTS] = "--ports",
	};
	char buf[IPT_MULTIPORT_MAX * 12 + 1] = "";
	size_t o = 0;

	neg(l, m->inv & IPT_F_VALUE);
	word(l, opt[m->u.mp.which < 3 ? m->u.mp.which : IPT_MP_PORTS]);
	for (int i = 0; i < m->u.mp.count && i < IPT_MULTIPORT_MAX; i++) {
		const struct ipt_portrange *r = &m->u.mp.p[i];

		if (o >= sizeof(buf))
			break;
		o += (size_t)snprintf(buf + o, sizeof(buf) - o,
				      r->lo == r->hi ? "%s%u" : "%s%u:%u",
				      i ? "," : "", r->lo, r->hi);
	}
	word(l, buf);
}

/* "N/unit" that parses back to the same average (see limit_rate_parse) */
static void limit_format(struct line *l, uint32_t avg)
{
	for (size_t i = 0; avg && i < ARRAY_SIZE(limit_units); i++) {
		uint64_t s = (uint64_t)IPT_LIMIT_SCALE * limit_units[i].secs;
		uint64_t n = s / avg;

		if (n && s / n == avg) {
			wordf(l, "%llu/%s", (unsigned long long)n,
			      limit_units[i].show);
			return;
		}
	}
	word(l, "1/day");
}

static void match_format(struct line *l, const struct ipt_rule *r,
			 const struct ipt_match *m)
{
	if (m->kind >= IPT_M_KINDS)
		return;
	word(l, "-m");
	word(l, match_exts[m->kind].name);
	switch (m->kind) {
	case IPT_M_TCP:
	case IPT_M_UDP:
		l4_format(l, m);
		break;
	case IPT_M_ICMP:
		icmp_format(l, m);
		break;
	case IPT_M_STATE:
	case IPT_M_CONNTRACK:
		neg(l, m->inv & IPT_F_VALUE);
		word(l, m->kind == IPT_M_STATE ? "--state" : "--ctstate");
		states_word(l, m->u.state.mask);
		break;
	case IPT_M_MULTIPORT:
		multiport_format(l, m);
		break;
	case IPT_M_MARK:
		neg(l, m->inv & IPT_F_VALUE);
		word(l, "--mark");
		if (m->u.mark.mask == ~0u)
			wordf(l, "0x%x", m->u.mark.value);
		else
			wordf(l, "0x%x/0x%x", m->u.mark.value, m->u.mark.mask);
		break;
	case IPT_M_LIMIT:
		if (m->set & IPT_F_LIMIT) {
			word(l, "--limit");
			limit_format(l, m->u.limit.avg);
		}
		if (m->set & IPT_F_BURST) {
			word(l, "--limit-burst");
			wordf(l, "%u", m->u.limit.burst);
		}
		break;
	case IPT_M_MAC: {
		const uint8_t *a = m->u.mac.addr;

		neg(l, m->inv & IPT_F_VALUE);
		word(l, "--mac-source");
		wordf(l, "%02x:%02x:%02x:%02x:%02x:%02x", a[0], a[1], a[2],
		      a[3], a[4], a[5]);
		break;
	}
	case IPT_M_COMMENT: {
		char c[IPT_COMMENT_MAX];

		memcpy(c, ipt_comment(r, m), sizeof(c) - 1);
		c[sizeof(c) - 1] = 0;
		word(l, "--comment");
		word(l, c);
		break;
	}
	}
}

static void nat_format(struct line *l, const struct ipt_target *t)
{
	const char *opt = t->kind == IPT_T_SNAT ? "--to-source" :
			  t->kind == IPT_T_DNAT ? "--to-destination" :
						  "--to-ports";
	uint8_t f = t->u.nat.flags;
	char buf[80] = "";
	size_t o = 0;

	if (t->kind == IPT_T_SNAT || t->kind == IPT_T_DNAT) {
		uint32_t lo = t->u.nat.addr_lo, hi = t->u.nat.addr_hi;

		if (f & IPT_NAT_ADDR)
			o += (size_t)snprintf(buf, sizeof(buf),
					      "%u.%u.%u.%u", lo >> 24,
					      (lo >> 16) & 255, (lo >> 8) & 255,
					      lo & 255);
		if ((f & IPT_NAT_ADDR) && hi != lo)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o,
					      "-%u.%u.%u.%u", hi >> 24,
					      (hi >> 16) & 255, (hi >> 8) & 255,
					      hi & 255);
		if (f & IPT_NAT_PORTS)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, ":");
	}
	if (f & IPT_NAT_PORTS)
		snprintf(buf + o, sizeof(buf) - o,
			 t->u.nat.port_lo == t->u.nat.port_hi ? "%u" : "%u-%u",
			 t->u.nat.port_lo, t->u.nat.port_hi);
	if (*buf) {
		word(l, opt);
		word(l, buf);
	}
	if (f & IPT_NAT_RANDOM)
		word(l, "--random");
	if (f & IPT_NAT_PERSISTENT)
		word(l, "--persistent");
}

static void log_format(struct line *l, const struct ipt_target *t)
{
	static const struct {
		uint8_t flag;
		const char *opt;
	} flags[] = {
		{ IPT_LOG_TCPSEQ, "--log-tcp-sequence" },
		{ IPT_LOG_TCPOPT, "--log-tcp-options" },
		{ IPT_LOG_IPOPT, "--log-ip-options" },
		{ IPT_LOG_UID, "--log-uid" },
		{ IPT_LOG_MACDECODE, "--log-macdecode" },
	};
	char prefix[IPT_LOG_PREFIX_MAX];

	memcpy(prefix, t->u.log.prefix, sizeof(prefix) - 1);
	prefix[sizeof(prefix) - 1] = 0;
	if (*prefix) {
		word(l, "--log-prefix");
		word(l, prefix);
	}
	if (t->u.log.level != 4) {
		word(l, "--log-level");
		wordf(l, "%u", t->u.log.level);
	}
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
		if (t->u.log.flags & flags[i].flag)
			word(l, flags[i].opt);
}

/* MARK back in the form it was written in (see mark_target_opt) */
static void mark_target_format(struct line *l, const struct ipt_target *t)
{
	uint32_t v = t->u.mark.value, m = t->u.mark.mask;

	switch (t->u.mark.how) {
	case IPT_MARK_SET:
		word(l, "--set-mark");
		wordf(l, "0x%x/0x%x", v, m);
		break;
	case IPT_MARK_AND:
		word(l, "--and-mark");
		wordf(l, "0x%x", ~m);
		break;
	case IPT_MARK_OR:
		word(l, "--or-mark");
		wordf(l, "0x%x", v);
		break;
	case IPT_MARK_XOR:
		word(l, "--xor-mark");
		wordf(l, "0x%x", v);
		break;
	default:
		word(l, "--set-xmark");
		wordf(l, "0x%x/0x%x", v, m);
		break;
	}
}

static void target_format(struct line *l, const struct ipt_target *t)
{
	char chain[IPT_CHAIN_MAXLEN + 1];

	if (t->kind == IPT_T_NONE || t->kind >= IPT_T_KINDS)
		return;
	if (t->kind == IPT_T_JUMP || t->kind == IPT_T_GOTO) {
		memcpy(chain, t->chain, sizeof(chain) - 1);
		chain[sizeof(chain) - 1] = 0;
		word(l, t->kind == IPT_T_JUMP ? "-j" : "-g");
		word(l, chain);
		return;
	}
	word(l, "-j");
	word(l, target_exts[t->kind].name);
	switch (t->kind) {
	case IPT_T_REJECT:
		for (size_t i = 0; i < ARRAY_SIZE(reject_names); i++)
			if (reject_names[i].with == t->u.reject_with) {
				word(l, "--reject-with");
				word(l, reject_names[i].name);
			}
		break;
	case IPT_T_LOG:
		log_format(l, t);
		break;
	case IPT_T_MARK:
		mark_target_format(l, t);
		break;
	case IPT_T_TCPMSS:
		if (t->u.tcpmss.mss) {
			word(l, "--set-mss");
			wordf(l, "%u", t->u.tcpmss.mss);
		} else {
			word(l, "--clamp-mss-to-pmtu");
		}
		break;
	case IPT_T_MASQUERADE:
	case IPT_T_SNAT:
	case IPT_T_DNAT:
	case IPT_T_REDIRECT:
		nat_format(l, t);
		break;
	}
}

static void iface_format(struct line *l, const char *opt, const char *name,
			 bool inv)
{
	char n[IPT_IFNAMSIZ];

	memcpy(n, name, sizeof(n) - 1);
	n[sizeof(n) - 1] = 0;
	if (!*n && !inv)
		return;
	neg(l, inv);
	word(l, opt);
	word(l, *n ? n : "+");
}

static void proto_format(struct line *l, const struct ipt_rule *r)
{
	if (!r->proto)
		return;
	neg(l, r->inv & IPT_INV_PROTO);
	word(l, "-p");
	if (r->proto == 6 || r->proto == 17 || r->proto == 1)
		word(l, r->proto == 6 ? "tcp" : r->proto == 17 ? "udp" : "icmp");
	else
		wordf(l, "%u", r->proto);
}

/*
 * The rule's words, in the order iptables -S prints them, for the @i-th
 * source and @j-th destination address
 */
static void rule_format(struct line *l, const struct ipt_cmd *c,
			uint32_t i, uint32_t j)
{
	const struct ipt_rule *r = &c->rule;

	if (c->nsrc || r->smsk || (r->inv & IPT_INV_SRC)) {
		neg(l, r->inv & IPT_INV_SRC);
		word(l, "-s");
		addr_word(l, c->nsrc ? c->srcs[i] : r->src,
			  c->nsrc ? c->smsks[i] : r->smsk);
	}
	if (c->ndst || r->dmsk || (r->inv & IPT_INV_DST)) {
		neg(l, r->inv & IPT_INV_DST);
		word(l, "-d");
		addr_word(l, c->ndst ? c->dsts[j] : r->dst,
			  c->ndst ? c->dmsks[j] : r->dmsk);
	}
	iface_format(l, "-i", r->in, r->inv & IPT_INV_IN);
	iface_format(l, "-o", r->out, r->inv & IPT_INV_OUT);
	proto_format(l, r);
	if (r->frag) {
		neg(l, r->inv & IPT_INV_FRAG);
		word(l, "-f");
	}
	for (int k = 0; k < r->nmatch && k < IPT_MAX_MATCHES; k++)
		match_format(l, r, &r->m[k]);
	target_format(l, &r->t);
}

/* "-c P B" when it was given (even as 0 0) or the counters are set */
static void counters_format(struct line *l, const struct ipt_cmd *c)
{
	const struct ipt_rule *r = &c->rule;

	if (!(c->opts & IPT_OPT_COUNTERS) && !r->pkts && !r->bytes)
		return;
	word(l, "-c");
	wordf(l, "%llu", (unsigned long long)r->pkts);
	wordf(l, "%llu", (unsigned long long)r->bytes);
}

/* The command option and its positional words */
static void command_format(struct line *l, const struct ipt_cmd *c)
{
	static const char *const opt[] = {
		[IPT_OP_APPEND] = "-A", [IPT_OP_INSERT] = "-I",
		[IPT_OP_DELETE] = "-D", [IPT_OP_DELETE_NUM] = "-D",
		[IPT_OP_REPLACE] = "-R", [IPT_OP_CHECK] = "-C",
		[IPT_OP_LIST] = "-L", [IPT_OP_LIST_RULES] = "-S",
		[IPT_OP_FLUSH] = "-F", [IPT_OP_ZERO] = "-Z",
		[IPT_OP_NEW_CHAIN] = "-N", [IPT_OP_DELETE_CHAIN] = "-X",
		[IPT_OP_RENAME_CHAIN] = "-E", [IPT_OP_POLICY] = "-P",
	};
	char chain[IPT_CHAIN_MAXLEN + 1], chain2[IPT_CHAIN_MAXLEN + 1];

	memcpy(chain, c->chain, sizeof(chain) - 1);
	chain[sizeof(chain) - 1] = 0;
	memcpy(chain2, c->chain2, sizeof(chain2) - 1);
	chain2[sizeof(chain2) - 1] = 0;
	if (c->table == IPT_NAT || c->table == IPT_MANGLE) {
		word(l, "-t");
		word(l, c->table == IPT_NAT ? "nat" : "mangle");
	}
	word(l, c->op < ARRAY_SIZE(opt) ? opt[c->op] : "-L");
	if (*chain)
		word(l, chain);
	if (c->op == IPT_OP_RENAME_CHAIN)
		word(l, chain2);
	if (c->op == IPT_OP_POLICY)
		word(l, c->policy == IPT_POL_DROP ? "DROP" : "ACCEPT");
	if (c->rulenum && *chain)
		wordf(l, "%u", c->rulenum);
	if (c->opts & IPT_OPT_ZERO)
		word(l, "-Z");
	if (c->opts & IPT_OPT_NUMERIC)
		word(l, "-n");
	if (c->opts & IPT_OPT_VERBOSE)
		word(l, "-v");
	if (c->opts & IPT_OPT_EXACT)
		word(l, "-x");
	if (c->opts & IPT_OPT_LINENUMBERS)
		word(l, "--line-numbers");
}

static void one_command(struct ipt_text *out, const struct ipt_cmd *c,
			uint32_t i, uint32_t j)
{
	struct line l = { out, false };

	command_format(&l, c);
	if (op_takes_rule(c->op))
		rule_format(&l, c, i, j);
	if (c->op == IPT_OP_APPEND || c->op == IPT_OP_INSERT ||
	    c->op == IPT_OP_REPLACE || c->op == IPT_OP_POLICY)
		counters_format(&l, c);
}

/**
 * ipt_cmd_format() - The canonical words of a parsed command
 * @cmd:	as ipt_parse() made it
 * @out:	the words; several lines ("\n" between, none at the end) when
 *		-s or -d named several addresses: one per pair, sources
 *		outer, as iptables adds them
 *
 * Addresses as a.b.c.d/len (dotted mask when not a prefix), ports,
 * protocols and ICMP types as numbers: ipt_parse() with no resolver reads
 * each line back into the same command (with one address per side).
 */
void ipt_cmd_format(const struct ipt_cmd *cmd, struct ipt_text *out)
{
	uint32_t ns = cmd->nsrc ? cmd->nsrc : 1, nd = cmd->ndst ? cmd->ndst : 1;

	if (ns > 8)
		ns = 8;
	if (nd > 8)
		nd = 8;
	if (!op_takes_rule(cmd->op))
		ns = nd = 1;
	for (uint32_t i = 0; i < ns; i++)
		for (uint32_t j = 0; j < nd; j++) {
			if (i || j)
				ipt_text_printf(out, "\n");
			one_command(out, cmd, i, j);
		}
}

/* ---- number words, for the other languages (words.h) --------------------- */

/**
 * ipt_num_parse() - A whole word as a number in C notation
 * @s:		the word: decimal, 0x hex or 0 octal, nothing else
 * @max:	the largest value taken
 * @out:	the value
 *
 * Return: true when @s is such a number, at most @max
 */
bool ipt_num_parse(const char *s, uint64_t max, uint64_t *out)
{
	return num_parse(s, max, out);
}

/**
 * ipt_digits_parse() - A whole word as digits of one base
 * @s:		the word (at least one digit, nothing else)
 * @base:	2 to 16
 * @max:	the largest value taken
 * @out:	the value
 *
 * Return: true when @s is such a number, at most @max
 */
bool ipt_digits_parse(const char *s, unsigned base, uint64_t max,
		      uint64_t *out)
{
	return digits_parse(s, base, max, out);
}
