// SPDX-License-Identifier: MIT
/*
 * ipfwadm.c - the ipfwadm 2.3.0 command line, read and checked (its
 *	       canonical words are ipfwadm_format.c's)
 *
 * Theory of operation. ipfwadm read its options with getopt(3) and a few
 * words after some of them by hand, then made its checks one after the
 * other, each with its own message. fwadm_parse() does the same in the
 * same order, so a script gets the message and the status (2) ipfwadm
 * gave it:
 *
 *  - options are single letters and may be bundled ("-Fa m", "-Ptcp");
 *    one that takes a value takes the rest of its word or the next word;
 *  - -A -a -i -d -r take one more word when it does not start with '-'
 *    (and their letter ends its word): a direction, a policy, a port;
 *    -S and -D take every following word that does not start with '-'
 *    as a port; -s takes two more words and -t one;
 *  - policies, protocols and directions may be abbreviated to any
 *    prefix ("m" is masquerade, and so, as in ipfwadm, is "" accept);
 *  - a word that is no option and not taken by one is an error at the
 *    end ("unknown arguments found on commandline"), as getopt's
 *    permutation made it.
 *
 * Names: with a resolver, -S/-D/-V hosts and TCP/UDP service names are
 * looked up (a host with several addresses gives a rule for each pair,
 * as ipfwadm did; at most FWADM_MAX_ADDRS each way); network names
 * (/etc/networks) are not. Without one (masqd) only dotted quads and
 * port numbers are read. A zero mask makes the address 0.0.0.0 whatever
 * it was ("any/0"), as ipfwadm 2.3.0 did.
 *
 * Where masq is stricter than ipfwadm: numbers are plain decimal digits
 * (no sign or blanks strtol would take); -W names are 1 to 15 printable
 * characters without blanks, quotes or backslashes (ipfwadm cut them to
 * 16 silently); -r with a policy other than accept is refused (the
 * manual page says it is only valid there; 2.0 listed such a rule as
 * acc/r and denied). A port range written lo:lo is kept as one port.
 *
 * Cost: linear in the words; no allocation.
 */
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ipt/ipfwadm.h"

#define MAX_PORTS	IPT_LG_PORTS_MAX	/* IP_FW_MAX_PORTS */
#define HOST_TEXT	256			/* ipfwadm's buffer for -S */
#define NO_RANGE	(-1)

/* One side's port words as ipfwadm counted them: a range counts 2 */
struct side {
	const char *host;		/* -S/-D's address[/mask], or NULL */
	const char *range;		/* the one lo:hi word, or NULL */
	const char *single[MAX_PORTS];
	int nsingle;
	int count;			/* fw_nsp / fw_ndp */
};

struct parse {
	int argc;
	char *const *argv;
	int next;			/* getopt's optind: the next word */
	int strays;			/* words no option took */
	const struct ipt_resolver *res;
	struct fwadm_cmd *c;
	struct ipt_err *err;
	uint8_t proto;			/* -P: IPPROTO_*, 0 all */
	struct side s, d;
	const char *rport;		/* -r's word ("0" without one) */
	const char *tos[2];		/* -t's two words */
};

static int fail(struct parse *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- words ----------------------------------------------------------------- */

/* @s all decimal digits (at least one), at most @max */
static bool decimal(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

/* A hex byte as ipfwadm's parse_hexbyte read it: "1f", "0x1F" */
static bool hexbyte(const char *s, uint8_t *out)
{
	unsigned v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (!*s)
		return false;
	for (; *s; s++) {
		char ch = *s;
		unsigned d = ch >= '0' && ch <= '9' ? (unsigned)(ch - '0') :
			     ch >= 'a' && ch <= 'f' ? (unsigned)(ch - 'a' + 10) :
			     ch >= 'A' && ch <= 'F' ? (unsigned)(ch - 'A' + 10) : 16;

		if (d > 15 || (v = v * 16 + d) > 255)
			return false;
	}
	*out = (uint8_t)v;
	return true;
}

/* Exactly four decimal parts 0..255, as ipfwadm's dotted_to_addr() */
static bool dotted_parse(const char *s, uint32_t *out)
{
	uint32_t a = 0;

	for (int i = 0; i < 4; i++) {
		const char *dot = strchr(s, '.');
		size_t len = dot ? (size_t)(dot - s) : strlen(s);
		char part[4];
		uint32_t v;

		if ((i < 3) != (dot != NULL) || !len || len >= sizeof(part))
			return false;
		memcpy(part, s, len);
		part[len] = '\0';
		if (!decimal(part, 255, &v))
			return false;
		a = a << 8 | v;
		s += len + 1;
	}
	*out = a;
	return true;
}

/* Is @word a prefix (maybe empty) of @full, as strncmp(full, s, strlen(s)) */
static bool abbrev(const char *word, const char *full)
{
	return !strncmp(full, word, strlen(word));
}

/* ---- options ------------------------------------------------------------------ */

/* getopt's test for an optional word: only when @last ended its word */
static const char *optional_word(struct parse *p, bool last)
{
	if (!last || p->next >= p->argc || p->argv[p->next][0] == '-')
		return NULL;
	return p->argv[p->next++];
}

static int check_option(struct parse *p, uint32_t opt, char name)
{
	if (p->c->opts & opt)
		return fail(p, "multiple -%c flags not allowed", name);
	p->c->opts |= opt;
	return 0;
}

static int set_category(struct parse *p, enum fwadm_cat cat)
{
	if (p->c->cat != FWADM_CAT_NONE)
		return fail(p, "multiple categories specified");
	p->c->cat = (uint8_t)cat;
	return 0;
}

static int direction_parse(struct parse *p, const char *s)
{
	uint16_t *f = &p->c->rule.lg.flags;

	*f &= (uint16_t)~(IPT_LG_ACCT_IN | IPT_LG_ACCT_OUT);
	if (abbrev(s, "in"))
		*f |= IPT_LG_ACCT_IN;
	else if (abbrev(s, "out"))
		*f |= IPT_LG_ACCT_OUT;
	else if (abbrev(s, "both"))
		*f |= IPT_LG_ACCT_IN | IPT_LG_ACCT_OUT;
	else
		return fail(p, "invalid direction \"%s\" specified", s);
	return 0;
}

static int policy_parse(struct parse *p, const char *s)
{
	if (abbrev(s, "accept")) {
		p->c->policy |= FWADM_POL_ACCEPT;
	} else if (abbrev(s, "deny")) {
		/* no bit: deny is the absence of accept */
	} else if (abbrev(s, "reject")) {
		p->c->policy |= FWADM_POL_REJECT;
	} else if (abbrev(s, "masquerade")) {
		/* the old policy word; ipfwadm 2.1 and later prefer -m */
		if (check_option(p, FWADM_OPT_MASQUERADE, 'm'))
			return -1;
		p->c->policy |= FWADM_POL_ACCEPT | FWADM_POL_MASQ;
	} else {
		return fail(p, "invalid policy \"%s\" specified", s);
	}
	return 0;
}

static int protocol_parse(struct parse *p, const char *s)
{
	if (abbrev(s, "all"))
		p->proto = 0;
	else if (abbrev(s, "tcp"))
		p->proto = IPPROTO_TCP;
	else if (abbrev(s, "udp"))
		p->proto = IPPROTO_UDP;
	else if (abbrev(s, "icmp"))
		p->proto = IPPROTO_ICMP;
	else
		return fail(p, "invalid protocol \"%s\" specified", s);
	return 0;
}

/* One port word after -S/-D, counted as ipfwadm's store_port() did */
static int store_port(struct parse *p, struct side *sd, const char *w)
{
	if (!strchr(w, ':')) {
		sd->count += 1;
		if (sd->nsingle < MAX_PORTS)
			sd->single[sd->nsingle++] = w;
	} else if (sd->range) {
		return fail(p, "multiple ranges not allowed");
	} else {
		sd->count += 2;
		sd->range = w;
	}
	if (p->s.count + p->d.count > MAX_PORTS)
		return fail(p, "too many ports specified (maximum %d)",
			    MAX_PORTS);
	return 0;
}

static int side_option(struct parse *p, struct side *sd, uint32_t opt,
		       char name, const char *arg)
{
	if (check_option(p, opt, name))
		return -1;
	sd->host = arg;
	while (p->next < p->argc && p->argv[p->next][0] != '-')
		if (store_port(p, sd, p->argv[p->next++]))
			return -1;
	return 0;
}

/* -V: a dotted quad, or a host name with exactly one address */
static int via_parse(struct parse *p, const char *s)
{
	uint32_t a[2];
	int n;

	if (dotted_parse(s, &p->c->rule.lg.via))
		return 0;
	n = p->res && p->res->host ? p->res->host(s, a, 2) : -1;
	if (n < 1)
		return fail(p, "host \"%s\" not found", s);
	if (n != 1)
		return fail(p, "hostname \"%s\" does not specify a unique address",
			    s);
	p->c->rule.lg.via = a[0];
	return 0;
}

/* -W: kept as the rule's interface; see the top of the file */
static int vianame_parse(struct parse *p, const char *s)
{
	size_t n = strlen(s);

	for (const char *q = s; *q; q++)
		if (*q <= ' ' || *q > '~' || *q == '"' || *q == '\\' ||
		    *q == '\'')
			n = 0;
	if (!n || n >= IPT_IFNAMSIZ)
		return fail(p, "invalid interface name \"%s\" specified (1 to %d printable characters)",
			    s, IPT_IFNAMSIZ - 1);
	memcpy(p->c->rule.in, s, n + 1);
	return 0;
}

static int timeouts_parse(struct parse *p, const char *first)
{
	const char *w[3] = { first, NULL, NULL };

	if (p->next + 1 >= p->argc || p->argv[p->next][0] == '-' ||
	    p->argv[p->next + 1][0] == '-')
		return fail(p, "-s requires 3 timeout values");
	w[1] = p->argv[p->next++];
	w[2] = p->argv[p->next++];
	for (int i = 0; i < 3; i++)
		if (!decimal(w[i], INT32_MAX, &p->c->timeout[i]))
			return fail(p, "invalid timeout value \"%s\" specified",
				    w[i]);
	return 0;
}

static int tos_option(struct parse *p, const char *arg)
{
	if (check_option(p, FWADM_OPT_TOS, 't'))
		return -1;
	if (p->next >= p->argc || p->argv[p->next][0] == '-')
		return fail(p, "-t requires 2 hexbyte arguments");
	p->tos[0] = arg;
	p->tos[1] = p->argv[p->next++];
	for (int i = 0; i < 2; i++) {
		uint8_t *b = i ? &p->c->rule.lg.tos_xor : &p->c->rule.lg.tos_and;

		if (!hexbyte(p->tos[i], b))
			return fail(p, "invalid hexbyte \"%s\" specified",
				    p->tos[i]);
	}
	return 0;
}

static int command_set(struct parse *p, uint16_t cmd)
{
	if (p->c->cmd)
		return fail(p, "multiple commands specified");
	p->c->cmd = cmd;
	return 0;
}

/* -a -i -d [policy] */
static int rule_command(struct parse *p, uint16_t cmd, bool last)
{
	const char *w;

	if (command_set(p, cmd))
		return -1;
	w = optional_word(p, last);
	if (!w)
		return 0;
	p->c->opts |= FWADM_OPT_POLICY;
	return policy_parse(p, w);
}

/* -l and -z, which may come together */
static int list_zero(struct parse *p, uint16_t cmd)
{
	uint16_t other = cmd == FWADM_CMD_LIST ? FWADM_CMD_ZERO : FWADM_CMD_LIST;

	if (p->c->cmd && p->c->cmd != other)
		return fail(p, "multiple commands specified");
	p->c->cmd |= cmd;
	return 0;
}

/* Flags that are only "given once" */
static const struct {
	char name;
	uint32_t opt;
} plain_flags[] = {
	{ 'b', FWADM_OPT_BIDIR }, { 'e', FWADM_OPT_EXTENDED },
	{ 'k', FWADM_OPT_TCPACK }, { 'm', FWADM_OPT_MASQUERADE },
	{ 'n', FWADM_OPT_NUMERIC }, { 'o', FWADM_OPT_PRINTK },
	{ 'v', FWADM_OPT_VERBOSE }, { 'x', FWADM_OPT_EXPANDED },
	{ 'y', FWADM_OPT_TCPSYN },
};

/* An option without a value; 1 for -h (stop), -1 on error */
static int flag_option(struct parse *p, char ch, bool last)
{
	static const char cats[] = "FIOAM";
	const char *w;

	if (strchr(cats, ch)) {
		if (set_category(p, (enum fwadm_cat)(strchr(cats, ch) - cats)))
			return -1;
		w = ch == 'A' ? optional_word(p, last) : NULL;
		return w ? direction_parse(p, w) : 0;
	}
	switch (ch) {
	case 'a': return rule_command(p, FWADM_CMD_APPEND, last);
	case 'i': return rule_command(p, FWADM_CMD_INSERT, last);
	case 'd': return rule_command(p, FWADM_CMD_DELETE, last);
	case 'l': return list_zero(p, FWADM_CMD_LIST);
	case 'z': return list_zero(p, FWADM_CMD_ZERO);
	case 'f': return command_set(p, FWADM_CMD_FLUSH);
	case 'c': return command_set(p, FWADM_CMD_CHECK);
	case 'h': return 1;
	case 'r':
		if (check_option(p, FWADM_OPT_REDIRECT, 'r'))
			return -1;
		w = optional_word(p, last);
		p->rport = w ? w : "0";
		return 0;
	}
	for (size_t k = 0; k < sizeof(plain_flags) / sizeof(plain_flags[0]); k++)
		if (plain_flags[k].name == ch)
			return check_option(p, plain_flags[k].opt, ch);
	return fail(p, "invalid option -- '%c'", ch);
}

/* An option with a value (@arg: the rest of its word, or the next) */
static int value_option(struct parse *p, char ch, const char *arg)
{
	switch (ch) {
	case 'p':
		if (command_set(p, FWADM_CMD_POLICY))
			return -1;
		return policy_parse(p, arg);
	case 's':
		if (command_set(p, FWADM_CMD_TIMEOUT))
			return -1;
		return timeouts_parse(p, arg);
	case 'P':
		if (check_option(p, FWADM_OPT_PROTOCOL, 'P'))
			return -1;
		return protocol_parse(p, arg);
	case 'S':
		return side_option(p, &p->s, FWADM_OPT_SOURCE, 'S', arg);
	case 'D':
		return side_option(p, &p->d, FWADM_OPT_DEST, 'D', arg);
	case 'V':
		if (check_option(p, FWADM_OPT_VIAADDR, 'V'))
			return -1;
		return via_parse(p, arg);
	case 'W':
		if (check_option(p, FWADM_OPT_VIANAME, 'W'))
			return -1;
		return vianame_parse(p, arg);
	default:	/* 't' */
		return tos_option(p, arg);
	}
}

/*
 * One option word, letter by letter; 1 for -h, -1 on error. A letter
 * that takes a value ends the word.
 */
static int option_word(struct parse *p, const char *w)
{
	static const char with_value[] = "psPSDVWt";

	for (size_t j = 1; w[j]; j++) {
		const char *arg = &w[j + 1];
		int ret;

		if (!strchr(with_value, w[j])) {
			ret = flag_option(p, w[j], !w[j + 1]);
			if (ret)
				return ret;
			continue;
		}
		if (!*arg && p->next >= p->argc)
			return fail(p, "option requires an argument -- '%c'",
				    w[j]);
		if (!*arg)
			arg = p->argv[p->next++];
		return value_option(p, w[j], arg);
	}
	return 0;
}

/* The getopt loop; 1 for -h, -1 on error */
static int options(struct parse *p)
{
	for (int i = 0; i < p->argc; i = p->next) {
		const char *w = p->argv[i];
		int ret;

		p->next = i + 1;
		if (w[0] != '-' || !w[1]) {
			p->strays++;
			continue;
		}
		if (!strcmp(w, "--")) {
			p->strays += p->argc - p->next;
			break;
		}
		ret = option_word(p, w);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- the checks after the loop, in ipfwadm's order ---------------------------- */

static bool is_fw(const struct fwadm_cmd *c)
{
	return c->cat == FWADM_IN || c->cat == FWADM_OUT || c->cat == FWADM_FWD;
}

static int check_command(struct parse *p)
{
	struct fwadm_cmd *c = p->c;

	if (p->strays)
		return fail(p, "unknown arguments found on commandline");
	if (!c->cmd)
		return fail(p, "no command specified");
	if (c->cat == FWADM_CAT_NONE)
		return fail(p, "missing -A, -F, -I, -O, or -M flag");
	if (!is_fw(c) && c->cmd == FWADM_CMD_CHECK)
		return fail(p, "specify either -F, -I, or -O for checking a packet");
	if (!is_fw(c) && c->cmd == FWADM_CMD_POLICY)
		return fail(p, "specify either -F, -I, or -O for changing the policy");
	if (is_fw(c) && !(c->opts & FWADM_OPT_POLICY) &&
	    (c->cmd & FWADM_CMD_RULE))
		return fail(p, "policy required for firewall entries");
	if (!is_fw(c) && (c->opts & FWADM_OPT_POLICY))
		return fail(p, "no policy allowed with non-firewall entries");
	if (c->cat == FWADM_MASQ &&
	    !(c->cmd & (FWADM_CMD_TIMEOUT | FWADM_CMD_LIST)))
		return fail(p, "-M only allowed in combination with -s or -l command");
	if (c->cat != FWADM_MASQ && (c->cmd & FWADM_CMD_TIMEOUT))
		return fail(p, "setting masquerading timeouts requires -M flag");
	return 0;
}

/* -b -o -r -t: only with -a -i -d */
static int check_rule_only(struct parse *p)
{
	static const struct {
		uint32_t opt;
		const char *what;
	} only[] = {
		{ FWADM_OPT_BIDIR, "bidirectional flag (-b)" },
		{ FWADM_OPT_PRINTK, "kernel print flag (-o)" },
		{ FWADM_OPT_REDIRECT, "port redirection (-r)" },
		{ FWADM_OPT_TOS, "tos values (-t)" },
	};

	if (p->c->cmd & FWADM_CMD_RULE)
		return 0;
	for (size_t k = 0; k < sizeof(only) / sizeof(only[0]); k++)
		if (p->c->opts & only[k].opt)
			return fail(p, "%s only allowed with insert/append/delete",
				    only[k].what);
	return 0;
}

/* An option that no listing, flush, zero or policy command takes */
static int check_not_with(struct parse *p, uint32_t opt, const char *what)
{
	if ((p->c->opts & opt) &&
	    (p->c->cmd & (FWADM_CMD_LIST | FWADM_CMD_FLUSH | FWADM_CMD_ZERO |
			  FWADM_CMD_POLICY)))
		return fail(p, "no %s allowed with this command", what);
	return 0;
}

/* An option -c cannot do without */
static int check_needed(struct parse *p, uint32_t opt, const char *what)
{
	if (!(p->c->opts & opt) && (p->c->cmd & FWADM_CMD_CHECK))
		return fail(p, "%s required for this command", what);
	return 0;
}

static int check_protocol_via(struct parse *p)
{
	if (check_not_with(p, FWADM_OPT_PROTOCOL, "protocol (-P)"))
		return -1;
	if (!(p->c->opts & FWADM_OPT_PROTOCOL) && p->c->cmd == FWADM_CMD_CHECK)
		return fail(p, "protocol (-P) required for this command");
	if (p->c->cmd == FWADM_CMD_CHECK && !p->proto)
		return fail(p, "specific protocol required for check command");
	if (check_not_with(p, FWADM_OPT_VIAADDR, "interface address (-V)") ||
	    check_needed(p, FWADM_OPT_VIAADDR, "interface address (-V)") ||
	    check_not_with(p, FWADM_OPT_VIANAME, "interface name (-W)") ||
	    check_needed(p, FWADM_OPT_VIANAME, "interface name (-W)"))
		return -1;
	return 0;
}

static int check_ports(struct parse *p)
{
	const struct fwadm_cmd *c = p->c;
	bool icmp = p->proto == IPPROTO_ICMP, check = c->cmd == FWADM_CMD_CHECK;

	if (icmp && p->d.count)
		return fail(p, "ICMP types only allowed with -S, not with -D");
	if (!p->proto && (p->s.count || p->d.count))
		return fail(p, "no ports allowed without specific protocol");
	if (check && !icmp && (p->s.count != 1 || p->d.count != 1))
		return fail(p, "one port required with source/destination address");
	if (check && icmp && (p->s.count != 1 || p->d.count))
		return fail(p, "ICMP type required after source address");
	return 0;
}

static int check_redirect_masq(struct parse *p)
{
	const struct fwadm_cmd *c = p->c;
	bool icmp = p->proto == IPPROTO_ICMP;

	if ((c->opts & FWADM_OPT_REDIRECT) && c->cat != FWADM_IN)
		return fail(p, "redirecting only allowed in combination with -I");
	if (icmp && (c->opts & FWADM_OPT_REDIRECT))
		return fail(p, "redirecting not allowed with protocol ICMP");
	if ((c->opts & FWADM_OPT_MASQUERADE) && c->cat != FWADM_FWD)
		return fail(p, "masquerading only allowed in combination with -F");
	if (icmp && (c->opts & FWADM_OPT_MASQUERADE))
		return fail(p, "masquerading not allowed with protocol ICMP");
	if ((c->opts & FWADM_OPT_MASQUERADE) && !(c->policy & FWADM_POL_ACCEPT))
		return fail(p, "masquerading only allowed with policy accept");
	if ((c->opts & FWADM_OPT_REDIRECT) && c->policy != FWADM_POL_ACCEPT)
		return fail(p, "redirecting only allowed with policy accept");
	return 0;
}

/* ---- addresses and ports --------------------------------------------------------- */

/* "/24" or "/255.255.255.0"; no mask is 32 bits */
static int mask_parse(struct parse *p, const char *s, uint32_t *mask)
{
	uint32_t bits;

	if (!s) {
		*mask = ~0u;
		return 0;
	}
	if (dotted_parse(s, mask))
		return 0;
	if (!decimal(s, 32, &bits))
		return fail(p, "invalid mask \"%s\" specified", s);
	*mask = bits ? ~0u << (32 - bits) : 0;
	return 0;
}

/* Add @a (masked) unless it is there: ipfwadm dropped the repeats */
static void addr_add(uint32_t *addrs, uint32_t *n, uint32_t a)
{
	for (uint32_t i = 0; i < *n; i++)
		if (addrs[i] == a)
			return;
	addrs[(*n)++] = a;
}

/* parse_hostnetworkmask(): ADDRESS[/MASK] into @addrs (masked) */
static int host_parse(struct parse *p, const char *word, uint32_t *addrs,
		      uint32_t *n, uint32_t *mask)
{
	char buf[HOST_TEXT], *slash;
	uint32_t found[FWADM_MAX_ADDRS];
	int k = 1;

	snprintf(buf, sizeof(buf), "%s", word);
	slash = strrchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (mask_parse(p, slash ? slash + 1 : NULL, mask))
		return -1;
	if (!*mask)
		snprintf(buf, sizeof(buf), "0.0.0.0");
	if (!dotted_parse(buf, &found[0])) {
		k = p->res && p->res->host ?
		    p->res->host(buf, found, FWADM_MAX_ADDRS) : -1;
		if (k < 1)
			return fail(p, "host/network \"%s\" not found", buf);
	}
	*n = 0;
	for (int i = 0; i < k && i < FWADM_MAX_ADDRS; i++)
		addr_add(addrs, n, found[i] & *mask);
	return 0;
}

/* parse_port(): a number, or a TCP/UDP service name; ICMP types numeric */
static int port_parse(struct parse *p, const char *w, uint16_t *port)
{
	uint32_t v;

	if (decimal(w, 65535, &v)) {
		*port = (uint16_t)v;
		return 0;
	}
	if (p->proto == IPPROTO_ICMP)
		return fail(p, "invalid ICMP type \"%s\" specified", w);
	if ((p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP) &&
	    p->res && p->res->service &&
	    !p->res->service(w, p->proto == IPPROTO_TCP ? "tcp" : "udp",
			     port))
		return 0;
	return fail(p, "invalid port/service \"%s\" specified", w);
}

static int range_parse(struct parse *p, const char *w,
		       struct ipt_portrange *r)
{
	char buf[HOST_TEXT], *colon;

	if (strlen(w) >= sizeof(buf))
		return fail(p, "invalid port/service \"%s\" specified", w);
	memcpy(buf, w, strlen(w) + 1);
	colon = strchr(buf, ':');
	*colon = '\0';
	if (port_parse(p, buf, &r->lo) || port_parse(p, colon + 1, &r->hi))
		return -1;
	if (r->lo > r->hi)
		return fail(p, "invalid range of ports (%u > %u)", r->lo, r->hi);
	return 0;
}

/* A side's ports into @r, the range first (where ipfwadm put it) */
static int ports_parse(struct parse *p, const struct side *sd,
		       struct ipt_portrange *r, uint8_t *n)
{
	*n = 0;
	if (sd->range && range_parse(p, sd->range, &r[(*n)++]))
		return -1;
	for (int i = 0; i < sd->nsingle; i++) {
		if (port_parse(p, sd->single[i], &r[*n].lo))
			return -1;
		r[*n].hi = r[*n].lo;
		(*n)++;
	}
	return 0;
}

/* -S or -D: the address words, then the ports */
static int side_parse(struct parse *p, const struct side *sd, uint32_t opt,
		      char name, bool src)
{
	struct fwadm_cmd *c = p->c;
	struct ipt_rule *r = &c->rule;
	const char *host = sd->host;

	if ((c->opts & opt) && (c->cmd & (FWADM_CMD_LIST | FWADM_CMD_FLUSH |
					  FWADM_CMD_ZERO | FWADM_CMD_POLICY)))
		return fail(p, "no %s address (-%c) allowed with this command",
			    src ? "source" : "destination", name);
	if (!(c->opts & opt) && (c->cmd & FWADM_CMD_CHECK))
		return fail(p, "%s address (-%c) required for this command",
			    src ? "source" : "destination", name);
	if (!(c->opts & opt) && (c->cmd & FWADM_CMD_RULE))
		host = "0.0.0.0/0";
	if (!host)
		return 0;
	if (src)
		return host_parse(p, host, c->srcs, &c->nsrc, &r->smsk) ||
		       ports_parse(p, sd, r->lg.sp, &r->lg.nsp);
	return host_parse(p, host, c->dsts, &c->ndst, &r->dmsk) ||
	       ports_parse(p, sd, r->lg.dp, &r->lg.ndp);
}

/* -r's port after the others, as ipfwadm stored it */
static int redirect_parse(struct parse *p)
{
	struct ipt_target *t = &p->c->rule.t;
	uint16_t port;

	if (!(p->c->opts & FWADM_OPT_REDIRECT))
		return 0;
	if (p->s.count + p->d.count >= MAX_PORTS)
		return fail(p, "too many ports specified (maximum %d when using -r option)",
			    MAX_PORTS - 1);
	if (port_parse(p, p->rport, &port))
		return -1;
	t->kind = IPT_T_REDIRECT;
	if (port) {
		t->u.nat.flags = IPT_NAT_PORTS;
		t->u.nat.port_lo = t->u.nat.port_hi = port;
	}
	return 0;
}

/* ---- the rule ----------------------------------------------------------------- */

/* The rule's target: the policy of a firewall rule, none in accounting */
static void rule_target(struct fwadm_cmd *c)
{
	struct ipt_target *t = &c->rule.t;

	if (!is_fw(c) || !(c->cmd & FWADM_CMD_RULE))
		return;
	if (c->opts & FWADM_OPT_REDIRECT)
		return;			/* IPT_T_REDIRECT already */
	if (c->policy & FWADM_POL_MASQ)
		t->kind = IPT_T_MASQUERADE;
	else if (c->policy & FWADM_POL_ACCEPT)
		t->kind = IPT_T_ACCEPT;
	else if (c->policy & FWADM_POL_REJECT) {
		t->kind = IPT_T_REJECT;
		t->u.reject_with = IPT_REJ_PORT_UNREACH;
	} else {
		t->kind = IPT_T_DROP;
	}
}

static void rule_finish(struct parse *p)
{
	struct fwadm_cmd *c = p->c;
	struct ipt_rule *r = &c->rule;

	r->proto = p->proto;
	r->lg.flags |= fwadm_flags_of_opts(c->opts);
	if (r->lg.via)
		r->lg.flags |= IPT_LG_VIA;
	if (c->cat != FWADM_ACCT)
		r->lg.flags &= (uint16_t)~(IPT_LG_ACCT_IN | IPT_LG_ACCT_OUT);
	else if (!(r->lg.flags & (IPT_LG_ACCT_IN | IPT_LG_ACCT_OUT)))
		r->lg.flags |= IPT_LG_ACCT_IN | IPT_LG_ACCT_OUT;
	if (!(c->opts & FWADM_OPT_TOS))
		r->lg.tos_and = r->lg.tos_xor = 0;
	rule_target(c);
	r->src = c->nsrc ? c->srcs[0] : 0;
	r->dst = c->ndst ? c->dsts[0] : 0;
}

static int finish(struct parse *p)
{
	if (p->c->opts & FWADM_OPT_MASQUERADE)	/* -m is a flag of the policy */
		p->c->policy |= FWADM_POL_MASQ;
	if (check_command(p) || check_rule_only(p) || check_protocol_via(p) ||
	    check_ports(p) || check_redirect_masq(p) ||
	    side_parse(p, &p->s, FWADM_OPT_SOURCE, 'S', true) ||
	    side_parse(p, &p->d, FWADM_OPT_DEST, 'D', false) ||
	    redirect_parse(p))
		return -1;
	rule_finish(p);
	return 0;
}

/**
 * fwadm_parse() - Read one ipfwadm command line as ipfwadm 2.3.0 did
 * @argc, @argv:	the words after "ipfwadm"
 * @res:		lookups, or NULL for numbers only
 * @cmd:		filled on success
 * @err:		ipfwadm's message on failure
 *
 * Return: 0 (@cmd->help for -h), or 2 with @err set
 */
int fwadm_parse(int argc, char *const *argv, const struct ipt_resolver *res,
		struct fwadm_cmd *cmd, struct ipt_err *err)
{
	struct parse p = { .argc = argc, .argv = argv, .res = res, .c = cmd,
			   .err = err };
	int ret;

	memset(cmd, 0, sizeof(*cmd));
	cmd->cat = FWADM_CAT_NONE;
	err->msg[0] = '\0';
	ret = options(&p);
	if (ret > 0) {
		memset(cmd, 0, sizeof(*cmd));
		cmd->cat = FWADM_CAT_NONE;
		cmd->help = true;
		return 0;
	}
	if (ret < 0 || finish(&p))
		return 2;
	return 0;
}
