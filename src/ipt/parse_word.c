// SPDX-License-Identifier: MIT
/*
 * parse_word.c - the values iptables' options take
 *
 * Owns how a word becomes a value: numbers (strtoul's C notation, without
 * its sign and blanks), dotted addresses and masks, -s/-d lists, chain and
 * interface names, ports and port ranges (service names through the
 * resolver), and the words of the language (ICMP types, states, TCP
 * flags, reject types, log levels, rate units) with iptables' rules for
 * case and prefixes. Every reader takes the whole word or fails; none
 * overflows (this is fuzzed through ipt_parse()).
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ipt/ipt.h"
#include "ipt/parsing.h"
#include "ipt/words.h"

/* ---- errors ---------------------------------------------------------------- */

/* Fill @p->err and fail; control characters in words become '?' */
int fail(struct parse *p, const char *fmt, ...)
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
bool num_parse(const char *s, uint64_t max, uint64_t *out)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return digits_parse(s + 2, 16, max, out);
	if (s[0] == '0' && s[1])
		return digits_parse(s + 1, 8, max, out);
	return digits_parse(s, 10, max, out);
}

bool u32_parse(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (!num_parse(s, max, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

/* Copy at most @len bytes of @s into @buf (size @size); false if longer */
bool piece(const char *s, size_t len, char *buf, size_t size)
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
bool ip_parse(const char *s, int need, uint32_t *out)
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
bool mask_parse(const char *s, uint32_t *mask)
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
bool mask_is_prefix(uint32_t mask, int *len)
{
	uint32_t inv = ~mask;

	if (inv & (inv + 1))
		return false;
	*len = __builtin_popcount(mask);
	return true;
}

/*
 * A prefix length as xtables reads one (--hashlimit-srcmask,
 * --connlimit-mask): a number 0-255 (0x hex, 0 octal), else an address
 * as inet_aton(3) reads one ("255.255.0", "4294967040") whose bits are a
 * prefix; one that is not gives 255, which the kernel refuses where it
 * checks (hashlimit) and reads as /32 where it does not (connlimit).
 * Anything else is a bad value.
 */
int plen_parse(struct parse *p, const char *show, const char *arg,
	       uint8_t *plen)
{
	struct in_addr a;
	uint32_t v;
	int len;

	if (u32_parse(arg, 255, &v)) {
		*plen = (uint8_t)v;
		return 0;
	}
	if (!*arg || !inet_aton(arg, &a))
		return fail(p, "bad value '%s' for %s: neither a network mask "
			    "nor a prefix length (0-32)", arg, show);
	*plen = mask_is_prefix(ntohl(a.s_addr), &len) ? (uint8_t)len : 255;
	return 0;
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
				    "needs a resolver: masqctl looks host "
				    "names up, masqd and its -c file take "
				    "addresses)", host, show);
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
int addr_list_parse(struct parse *p, const char *show, const char *arg,
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

bool name_in(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(name, list[i]))
			return true;
	return false;
}

bool has_blank(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return true;
	return false;
}

/* Copy a chain name given to @show into @out */
int chain_copy(struct parse *p, const char *show, const char *name,
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

/*
 * An interface name; "eth+" is a prefix; a lone "+" is any interface,
 * kept as written since -L shows it (-S and iptables-save leave it out).
 */
int iface_parse(struct parse *p, const char *show, const char *arg,
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

/* Protocol name for service lookups: "tcp", "udp", ..., or NULL (any) */
const char *proto_name_for(uint8_t proto)
{
	switch (proto) {
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 132:
		return "sctp";
	case 33:
		return "dccp";
	case 136:
		return "udplite";
	default:
		return NULL;
	}
}

/* A port: a number, or a service name through the resolver */
bool port_parse(struct parse *p, const char *s, const char *proto,
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
int port_range_parse(struct parse *p, const char *show, const char *arg,
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

/* As iptables -p icmp -h lists them; codes 0-255 mean "any code" */
const struct icmp_name icmp_names[] = {
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
const struct reject_name reject_names[] = {
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
const struct log_level_name log_levels[] = {
	{ "emerg", 0 }, { "panic", 0 }, { "alert", 1 }, { "crit", 2 },
	{ "error", 3 }, { "warning", 4 }, { "notice", 5 }, { "info", 6 },
	{ "debug", 7 },
};

/* Connection states in the order iptables prints them */
const struct state_name state_names[] = {
	{ "INVALID", IPT_ST_INVALID }, { "NEW", IPT_ST_NEW },
	{ "RELATED", IPT_ST_RELATED }, { "ESTABLISHED", IPT_ST_ESTABLISHED },
	{ "UNTRACKED", IPT_ST_UNTRACKED }, { "SNAT", IPT_ST_SNAT },
	{ "DNAT", IPT_ST_DNAT },
};

/* TCP flags in the order iptables prints them */
const struct tcp_flag_name tcp_flag_names[] = {
	{ "FIN", 0x01 }, { "SYN", 0x02 }, { "RST", 0x04 }, { "PSH", 0x08 },
	{ "ACK", 0x10 }, { "URG", 0x20 },
};
#define TCP_FLAGS_ALL	0x3f
#define TCP_SYN_MASK	0x17	/* --syn: FIN,SYN,RST,ACK */
#define TCP_SYN		0x02

/* --limit units; any prefix of the name is accepted, as iptables does */
const struct limit_unit limit_units[] = {
	{ "second", "sec", 1 }, { "minute", "min", 60 },
	{ "hour", "hour", 3600 }, { "day", "day", 86400 },
};

int icmp_type_parse(struct parse *p, const char *arg,
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
int state_list_parse(struct parse *p, const char *show, const char *arg,
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
int tcp_flags_parse(struct parse *p, const char *arg, uint8_t *bits)
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
int mark_parse(struct parse *p, const char *show, const char *arg,
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
int limit_rate_parse(struct parse *p, const char *arg, uint32_t *avg)
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

int mac_parse(struct parse *p, const char *arg, uint8_t mac[6])
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
int text_copy(struct parse *p, const char *show, const char *arg,
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

bool proto_is(const struct parse *p, uint8_t proto)
{
	const struct ipt_rule *r = &p->cmd->rule;

	return (p->given & G_PROTO) && r->proto == proto &&
	       !(r->inv & IPT_INV_PROTO);
}
