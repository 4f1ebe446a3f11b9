// SPDX-License-Identifier: MIT
/*
 * ipchains_words.c - the words of the ipchains language: its ICMP and
 *		      policy names, the canonical words of a command (what
 *		      masqctl sends, what ipchains-save writes), -h's text
 *
 * Owns the vocabulary ipchains.c reads and ipchains_print.c and
 * ipchains_save.c write, so a word has one spelling in the code: the ICMP
 * names of the tool's icmp_codes[] (in its order, the aliases pong, ping
 * and ttl-exceeded after their names), the policies (ACCEPT, DENY, REJECT,
 * MASQ), and the canonical form of a command: numbers only, dotted masks,
 * the ports after their address (an any-port range with "!" as ":", which
 * the tool read for any protocol), the protocol as a number, then -j and
 * the side effects. Every canonical line parses back, with no resolver,
 * to the command it was made from (fuzz_ipchains checks it).
 */
#include <stdio.h>
#include <string.h>

#include "ipt/ipchains.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define PORT_ANY_HI	65535

/* ---- ICMP names (the tool's icmp_codes[]) ------------------------------------ */

static const struct ipchains_icmp icmp_names[] = {
	{ "echo-reply", 0, 0, 0xFFFF, true },
	{ "pong", 0, 0, 0xFFFF, true },
	{ "destination-unreachable", 3, 0, 0xFFFF, false },
	{ "network-unreachable", 3, 0, 0, true },
	{ "host-unreachable", 3, 1, 1, true },
	{ "protocol-unreachable", 3, 2, 2, true },
	{ "port-unreachable", 3, 3, 3, true },
	{ "fragmentation-needed", 3, 4, 4, true },
	{ "source-route-failed", 3, 5, 5, true },
	{ "network-unknown", 3, 6, 6, true },
	{ "host-unknown", 3, 7, 7, true },
	{ "network-prohibited", 3, 9, 9, true },
	{ "host-prohibited", 3, 10, 10, true },
	{ "TOS-network-unreachable", 3, 11, 11, true },
	{ "TOS-host-unreachable", 3, 12, 12, true },
	{ "communication-prohibited", 3, 13, 13, true },
	{ "host-precedence-violation", 3, 14, 14, true },
	{ "precedence-cutoff", 3, 15, 15, true },
	{ "source-quench", 4, 0, 0xFFFF, true },
	{ "redirect", 5, 0, 0xFFFF, false },
	{ "network-redirect", 5, 0, 0, true },
	{ "host-redirect", 5, 1, 1, true },
	{ "TOS-network-redirect", 5, 2, 2, true },
	{ "TOS-host-redirect", 5, 3, 3, true },
	{ "echo-request", 8, 0, 0xFFFF, true },
	{ "ping", 8, 0, 0xFFFF, true },
	{ "router-advertisement", 9, 0, 0xFFFF, true },
	{ "router-solicitation", 10, 0, 0xFFFF, true },
	{ "time-exceeded", 11, 0, 0xFFFF, false },
	{ "ttl-exceeded", 11, 0, 0xFFFF, false },
	{ "ttl-zero-during-transit", 11, 0, 0, true },
	{ "ttl-zero-during-reassembly", 11, 1, 1, true },
	{ "parameter-problem", 12, 0, 0xFFFF, false },
	{ "ip-header-bad", 12, 0, 0, true },
	{ "required-option-missing", 12, 1, 1, true },
	{ "timestamp-request", 13, 0, 0xFFFF, true },
	{ "timestamp-reply", 14, 0, 0xFFFF, true },
	{ "address-mask-request", 17, 0, 0xFFFF, true },
	{ "address-mask-reply", 18, 0, 0xFFFF, true },
};

/**
 * ipchains_icmp_name() - The name -L prints for an ICMP rule's ports
 * @type:	the source "ports": types
 * @code:	the destination "ports": codes
 *
 * Return: the first name of the tool's table with exactly these, or NULL
 */
const char *ipchains_icmp_name(struct ipt_portrange type,
			       struct ipt_portrange code)
{
	for (size_t i = 0; i < ARRAY_SIZE(icmp_names); i++) {
		const struct ipchains_icmp *n = &icmp_names[i];

		if (type.lo == n->type && type.hi == n->type &&
		    code.lo == n->code_lo && code.hi == n->code_hi)
			return n->name;
	}
	return NULL;
}

/**
 * ipchains_icmp() - The tool's ICMP names, one by one
 * @i:		0, 1, ... in the tool's order (an alias after its name)
 *
 * Return: the name's entry, or NULL past the last
 */
const struct ipchains_icmp *ipchains_icmp(size_t i)
{
	return i < ARRAY_SIZE(icmp_names) ? &icmp_names[i] : NULL;
}

/* ---- policies ---------------------------------------------------------------- */

static const struct {
	const char *name;
	uint8_t policy;
} policies[] = {
	{ "ACCEPT", IPT_POL_ACCEPT }, { "DENY", IPT_POL_DROP },
	{ "REJECT", IPT_POL_REJECT }, { "MASQ", IPT_POL_MASQ },
};

/**
 * ipchains_policy_name() - A policy as -P takes it and -L prints it
 * @policy:	enum ipt_policy
 *
 * Return: "ACCEPT", "DENY", "REJECT", "MASQ", or "-" (a user chain)
 */
const char *ipchains_policy_name(uint8_t policy)
{
	for (size_t i = 0; i < ARRAY_SIZE(policies); i++)
		if (policies[i].policy == policy)
			return policies[i].name;
	return "-";
}

/**
 * ipchains_policy_by_name() - The policy -P and a ":chain" line name
 * @w:		"ACCEPT", "DENY", "REJECT", "MASQ" (case matters, as in 2.2)
 *
 * Return: enum ipt_policy, or -1 for any other word
 */
int ipchains_policy_by_name(const char *w)
{
	for (size_t i = 0; i < ARRAY_SIZE(policies); i++)
		if (!strcmp(w, policies[i].name))
			return policies[i].policy;
	return -1;
}

/* ---- canonical words ------------------------------------------------------------ */

static void range_words(struct ipt_text *out, bool inv,
			const struct ipt_portrange *r)
{
	ipt_text_printf(out, "%s", inv ? " !" : "");
	if (r->lo == 0 && r->hi == PORT_ANY_HI)
		ipt_text_printf(out, " :");	/* no port is read: any protocol */
	else if (r->lo == r->hi)
		ipt_text_printf(out, " %u", r->lo);
	else
		ipt_text_printf(out, " %u:%u", r->lo, r->hi);
}

static void addr_words(struct ipt_text *out, const char *opt, bool inv,
		       uint32_t a, uint32_t m)
{
	ipt_text_printf(out, " %s %s%u.%u.%u.%u/%u.%u.%u.%u", opt,
			inv ? "! " : "", a >> 24, a >> 16 & 255, a >> 8 & 255,
			a & 255, m >> 24, m >> 16 & 255, m >> 8 & 255, m & 255);
}

static void target_words(const struct ipt_target *t, struct ipt_text *out)
{
	static const char *const names[IPT_T_KINDS] = {
		[IPT_T_ACCEPT] = "ACCEPT", [IPT_T_DROP] = "DENY",
		[IPT_T_REJECT] = "REJECT", [IPT_T_MASQUERADE] = "MASQ",
		[IPT_T_REDIRECT] = "REDIRECT", [IPT_T_RETURN] = "RETURN",
	};

	if (t->kind == IPT_T_JUMP)
		ipt_text_printf(out, " -j %.*s", IPCHAINS_LABEL_MAX, t->chain);
	else if (t->kind < IPT_T_KINDS && names[t->kind])
		ipt_text_printf(out, " -j %s", names[t->kind]);
	if (t->kind == IPT_T_REDIRECT && (t->u.nat.flags & IPT_NAT_PORTS))
		ipt_text_printf(out, " %u", t->u.nat.port_lo);
}

/**
 * ipchains_rule_words() - A rule as ipchains-save writes it
 * @r:		the rule
 * @out:	" -s ADDR/MASK [[!] PORTS] -d ... [-i IF] [-p N] [-j T [P]]
 *		[-y] [-f] [-l] [-m M] [-t A X] [-o [N]]", numbers only
 */
void ipchains_rule_words(const struct ipt_rule *r, struct ipt_text *out)
{
	const struct ipt_legacy *lg = &r->lg;

	addr_words(out, "-s", r->inv & IPT_INV_SRC, r->src, r->smsk);
	if (lg->nsp)
		range_words(out, lg->flags & IPT_LG_SP_INV, &lg->sp[0]);
	addr_words(out, "-d", r->inv & IPT_INV_DST, r->dst, r->dmsk);
	if (lg->ndp)
		range_words(out, lg->flags & IPT_LG_DP_INV, &lg->dp[0]);
	if (r->in[0])
		ipt_text_printf(out, " -i %s%.*s", r->inv & IPT_INV_IN ? "! " : "",
				IPT_IFNAMSIZ - 1, r->in);
	if (r->proto)
		ipt_text_printf(out, " -p %s%u",
				r->inv & IPT_INV_PROTO ? "! " : "", r->proto);
	target_words(&r->t, out);
	if (lg->flags & IPT_LG_SYN)
		ipt_text_printf(out, "%s -y",
				lg->flags & IPT_LG_SYN_INV ? " !" : "");
	if (r->frag)
		ipt_text_printf(out, "%s -f", r->inv & IPT_INV_FRAG ? " !" : "");
	if (lg->flags & IPT_LG_LOG)
		ipt_text_printf(out, " -l");
	if (lg->flags & IPT_LG_MARK)
		ipt_text_printf(out, " -m 0x%x", lg->mark);
	if (lg->flags & IPT_LG_TOS)
		ipt_text_printf(out, " -t 0x%02x 0x%02x", lg->tos_and,
				lg->tos_xor);
	if ((lg->flags & IPT_LG_NETLINK) && lg->outsize)
		ipt_text_printf(out, " -o %u", lg->outsize);
	else if (lg->flags & IPT_LG_NETLINK)
		ipt_text_printf(out, " -o");
}

static const char op_letter[IPCHAINS_OPS] = {
	[IPCHAINS_OP_APPEND] = 'A', [IPCHAINS_OP_DELETE] = 'D',
	[IPCHAINS_OP_DELETE_NUM] = 'D', [IPCHAINS_OP_REPLACE] = 'R',
	[IPCHAINS_OP_INSERT] = 'I', [IPCHAINS_OP_CHECK] = 'C',
	[IPCHAINS_OP_LIST] = 'L', [IPCHAINS_OP_FLUSH] = 'F',
	[IPCHAINS_OP_ZERO] = 'Z', [IPCHAINS_OP_NEW_CHAIN] = 'N',
	[IPCHAINS_OP_DELETE_CHAIN] = 'X', [IPCHAINS_OP_POLICY] = 'P',
};

/* -C's words: a packet, not a rule (no target and no side effects) */
static bool op_takes_rule(uint8_t op)
{
	return op == IPCHAINS_OP_APPEND || op == IPCHAINS_OP_DELETE ||
	       op == IPCHAINS_OP_REPLACE || op == IPCHAINS_OP_INSERT ||
	       op == IPCHAINS_OP_CHECK;
}

static void options_words(const struct ipchains_cmd *c, struct ipt_text *out)
{
	if (c->opts & IPCHAINS_OPT_ZERO)
		ipt_text_printf(out, " -Z");
	if (c->opts & IPCHAINS_OPT_BIDIR)
		ipt_text_printf(out, " -b");
	if (c->opts & IPCHAINS_OPT_NUMERIC)
		ipt_text_printf(out, " -n");
	if (c->opts & IPCHAINS_OPT_VERBOSE)
		ipt_text_printf(out, " -v");
	if (c->opts & IPCHAINS_OPT_EXACT)
		ipt_text_printf(out, " -x");
	if (c->opts & IPCHAINS_OPT_LINENUM)
		ipt_text_printf(out, " --line-numbers");
	if (c->opts & IPCHAINS_OPT_NOWARN)
		ipt_text_printf(out, " --no-warnings");
}

/* The command up to its rule: "-A input", "-I input 2", "-L", "-P x DENY" */
static void command_words(const struct ipchains_cmd *c, struct ipt_text *out)
{
	switch (c->op) {
	case IPCHAINS_OP_MASQ_LIST:
		ipt_text_printf(out, "-M -L");
		return;
	case IPCHAINS_OP_MASQ_SET:
		ipt_text_printf(out, "-M -S %u %u %u", c->timeouts[0],
				c->timeouts[1], c->timeouts[2]);
		return;
	case IPCHAINS_OP_HELP:
		ipt_text_printf(out, "-h%s",
				c->opts & IPCHAINS_OPT_HELP_ICMP ? " icmp" : "");
		return;
	case IPCHAINS_OP_VERSION:
		ipt_text_printf(out, "-V");
		return;
	}
	ipt_text_printf(out, "-%c", c->op < IPCHAINS_OPS ? op_letter[c->op] : 'L');
	if (c->chain[0])
		ipt_text_printf(out, " %.*s", IPCHAINS_LABEL_MAX, c->chain);
	if (c->op == IPCHAINS_OP_DELETE_NUM || c->op == IPCHAINS_OP_REPLACE ||
	    c->op == IPCHAINS_OP_INSERT)
		ipt_text_printf(out, " %u", c->rulenum);
	if (c->op == IPCHAINS_OP_POLICY)
		ipt_text_printf(out, " %s", ipchains_policy_name(c->policy));
}

/**
 * ipchains_format() - The canonical words of a parsed command
 * @cmd:	as ipchains_parse() made it
 * @out:	one line per pair of addresses, numbers only
 */
void ipchains_format(const struct ipchains_cmd *cmd, struct ipt_text *out)
{
	uint32_t ns = cmd->nsrc ? cmd->nsrc : 1, nd = cmd->ndst ? cmd->ndst : 1;

	if (!op_takes_rule(cmd->op)) {
		command_words(cmd, out);
		options_words(cmd, out);
		ipt_text_printf(out, "\n");
		return;
	}
	for (uint32_t i = 0; i < ns && i < IPCHAINS_ADDRS_MAX; i++) {
		for (uint32_t j = 0; j < nd && j < IPCHAINS_ADDRS_MAX; j++) {
			struct ipt_rule r = cmd->rule;

			r.src = cmd->nsrc ? cmd->srcs[i] : r.src;
			r.dst = cmd->ndst ? cmd->dsts[j] : r.dst;
			if (cmd->op == IPCHAINS_OP_CHECK && !r.in[0])
				snprintf(r.in, sizeof(r.in), "+");	/* -C needs -i */
			command_words(cmd, out);
			ipchains_rule_words(&r, out);
			options_words(cmd, out);
			ipt_text_printf(out, "\n");
		}
	}
}

/* ---- -h ---------------------------------------------------------------------------- */

#define PACKAGE_VERSION	"ipchains 1.3.10, 1-Sep-2000"

/**
 * ipchains_help() - What ipchains -h printed
 * @icmp:	-h icmp: the ICMP type names (aliases in brackets)
 * @out:	the text
 */
void ipchains_help(bool icmp, struct ipt_text *out)
{
	if (icmp) {
		ipt_text_printf(out, "%s\n\nValid ICMP Types:", PACKAGE_VERSION);
		for (size_t i = 0; i < ARRAY_SIZE(icmp_names); i++) {
			const struct ipchains_icmp *n = &icmp_names[i], *b = n - 1;

			if (i && n->type == b->type && n->code_lo == b->code_lo &&
			    n->code_hi == b->code_hi)
				ipt_text_printf(out, " (%s)", n->name);
			else if (i && n->type == b->type)
				ipt_text_printf(out, "\n   %s", n->name);
			else
				ipt_text_printf(out, "\n%s", n->name);
		}
		ipt_text_printf(out, "\n");
		return;
	}
	ipt_text_printf(out, "%s (masq: rules in masqd; see masqctl(8))\n\n"
"Usage: ipchains -[ADC] chain rule-specification [options]\n"
"       ipchains -[RI] chain rulenum rule-specification [options]\n"
"       ipchains -D chain rulenum [options]\n"
"       ipchains -[LFZNX] [chain] [options]\n"
"       ipchains -P chain target [options]\n"
"       ipchains -M [ -L | -S ] [options]\n"
"       ipchains -h [icmp] (print this help information, or ICMP list)\n\n"
"Commands:\n"
"  --append  -A chain            Append to chain\n"
"  --delete  -D chain            Delete matching rule from chain\n"
"  --delete  -D chain rulenum    Delete rule rulenum (1 = first) from chain\n"
"  --insert  -I chain [rulenum]  Insert in chain as rulenum (default 1=first)\n"
"  --replace -R chain rulenum    Replace rule rulenum (1 = first) in chain\n"
"  --list    -L [chain]          List the rules in a chain or all chains\n"
"  --flush   -F [chain]          Delete all rules in chain or all chains\n"
"  --zero    -Z [chain]          Zero counters in chain or all chains\n"
"  --check   -C chain            Test this packet on chain\n"
"  --new-chain -N chain          Create a new user-defined chain\n"
"  --delete-chain -X chain       Delete a user-defined chain\n"
"  --policy  -P chain target     Change policy on chain to target\n"
"  --masquerading -M -L          List current masquerading connections\n"
"  --set     -M -S tcp tcpfin udp  Set masquerading timeout values\n\n"
"Options:\n"
"  --bidirectional -b            insert two rules: one with -s & -d reversed\n"
"  --proto   -p [!] proto        protocol: by number or name, eg. `tcp'\n"
"  --source  -s [!] address[/mask] [!] [port[:port]]\n"
"  --source-port [!] [port[:port]]\n"
"  --destination -d [!] address[/mask] [!] [port[:port]]\n"
"  --destination-port [!] [port[:port]]\n"
"  --icmp-type [!] typename      specify ICMP type\n"
"  --interface -i [!] name[+]    network interface name ([+] for wildcard)\n"
"  --jump    -j target [port]    target for rule ([port] for REDIRECT)\n"
"  --mark    -m mark             number to mark on matching packet\n"
"  --numeric -n                  numeric output of addresses and ports\n"
"  --log     -l                  turn on kernel logging for matching packets\n"
"  --output  -o [maxsize]        output matching packet to netlink device\n"
"  --TOS     -t and xor          and/xor masks for TOS field\n"
"  --verbose -v                  verbose mode\n"
"  --exact   -x                  expand numbers (display exact values)\n"
"  --line-numbers                number the rules in listings\n"
"  --no-warnings                 no TOS warnings\n"
"[!] --fragment -f               match second or further fragments only\n"
"[!] --syn  -y                   match TCP packets only when SYN set\n"
"    --version -V                print package version.\n",
		PACKAGE_VERSION);
}
