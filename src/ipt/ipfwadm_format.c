// SPDX-License-Identifier: MIT
/*
 * ipfwadm_format.c - ipfwadm commands as canonical words: what masqctl
 *		      sends masqd, and what save writes for a rule
 *
 * fwadm_format() writes a parsed command (ipfwadm.c) back as numeric
 * words that parse again, with no resolver, into the same command: a
 * line per source and destination pair (fwadm_cmd_pair() is that pair),
 * full policy and protocol words, dotted addresses with the mask as bits
 * or dotted, ports as numbers with the one range first. fwadm_cmd_of_rule()
 * is the -a command that makes a rule of the model again, for save. The
 * help text and the categories' chain names live here too.
 *
 * Cost: linear in the words written; nothing allocated but the text.
 */
#include <netinet/in.h>
#include <string.h>

#include "ipt/ipfwadm.h"

/* The options that set a rule's 2.x flags, both ways */
static const struct {
	uint32_t opt;
	uint16_t flag;
} opt_flags[] = {
	{ FWADM_OPT_TCPSYN, IPT_LG_SYN }, { FWADM_OPT_TCPACK, IPT_LG_ACK },
	{ FWADM_OPT_BIDIR, IPT_LG_BIDIR }, { FWADM_OPT_PRINTK, IPT_LG_LOG },
	{ FWADM_OPT_TOS, IPT_LG_TOS },
};

/**
 * fwadm_flags_of_opts() - The IPT_LG_* flags options -y -k -b -o -t give
 * @opts:	FWADM_OPT_*
 *
 * Return: IPT_LG_SYN, _ACK, _BIDIR, _LOG, _TOS as given
 */
uint16_t fwadm_flags_of_opts(uint32_t opts)
{
	uint16_t f = 0;

	for (size_t k = 0; k < sizeof(opt_flags) / sizeof(opt_flags[0]); k++)
		if (opts & opt_flags[k].opt)
			f |= opt_flags[k].flag;
	return f;
}

static const char *const cat_words[FWADM_CATS] = { "-F", "-I", "-O", "-A",
						   "-M" };

static const char *policy_word(uint8_t policy)
{
	if (policy & FWADM_POL_MASQ)
		return "masquerade";
	if (policy & FWADM_POL_ACCEPT)
		return "accept";
	return policy & FWADM_POL_REJECT ? "reject" : "deny";
}

static const char *proto_word(uint8_t proto)
{
	return proto == IPPROTO_TCP ? "tcp" :
	       proto == IPPROTO_UDP ? "udp" :
	       proto == IPPROTO_ICMP ? "icmp" : "all";
}

static void dotted_put(struct ipt_text *out, uint32_t a)
{
	ipt_text_printf(out, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff,
			(a >> 8) & 0xff, a & 0xff);
}

static void mask_put(struct ipt_text *out, uint32_t m)
{
	uint32_t host = ~m;

	if (!(host & (host + 1))) {
		ipt_text_printf(out, "/%d", __builtin_popcount(m));
		return;
	}
	ipt_text_printf(out, "/");
	dotted_put(out, m);
}

static void side_put(struct ipt_text *out, const char *opt, uint32_t a,
		     uint32_t m, const struct ipt_portrange *pr, uint8_t n)
{
	ipt_text_printf(out, " %s ", opt);
	dotted_put(out, a);
	mask_put(out, m);
	for (uint8_t i = 0; i < n; i++) {
		ipt_text_printf(out, " %u", pr[i].lo);
		if (pr[i].hi != pr[i].lo)
			ipt_text_printf(out, ":%u", pr[i].hi);
	}
}

static void command_put(const struct fwadm_cmd *c, struct ipt_text *out)
{
	static const struct {
		uint16_t cmd;
		const char *word;
	} words[] = {
		{ FWADM_CMD_APPEND, "-a" }, { FWADM_CMD_INSERT, "-i" },
		{ FWADM_CMD_DELETE, "-d" }, { FWADM_CMD_LIST, "-l" },
		{ FWADM_CMD_ZERO, "-z" }, { FWADM_CMD_FLUSH, "-f" },
		{ FWADM_CMD_CHECK, "-c" },
	};

	for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++)
		if (c->cmd & words[k].cmd)
			ipt_text_printf(out, " %s", words[k].word);
	if ((c->cmd & FWADM_CMD_RULE) && (c->opts & FWADM_OPT_POLICY))
		ipt_text_printf(out, " %s", policy_word(c->policy));
	if (c->cmd == FWADM_CMD_POLICY)
		ipt_text_printf(out, " -p %s", policy_word(c->policy));
	if (c->cmd == FWADM_CMD_TIMEOUT)
		ipt_text_printf(out, " -s %u %u %u", c->timeout[0],
				c->timeout[1], c->timeout[2]);
}

static void category_put(const struct fwadm_cmd *c, struct ipt_text *out)
{
	uint16_t dir = c->rule.lg.flags & (IPT_LG_ACCT_IN | IPT_LG_ACCT_OUT);

	ipt_text_printf(out, "%s", cat_words[c->cat < FWADM_CATS ? c->cat : 0]);
	if (c->cat == FWADM_ACCT && dir != (IPT_LG_ACCT_IN | IPT_LG_ACCT_OUT))
		ipt_text_printf(out, " %s", dir == IPT_LG_ACCT_IN ? "in" : "out");
}

static void options_put(const struct fwadm_cmd *c, struct ipt_text *out)
{
	static const struct {
		uint32_t opt;
		const char *word;
	} flags[] = {
		{ FWADM_OPT_BIDIR, "-b" }, { FWADM_OPT_EXTENDED, "-e" },
		{ FWADM_OPT_TCPACK, "-k" }, { FWADM_OPT_NUMERIC, "-n" },
		{ FWADM_OPT_PRINTK, "-o" }, { FWADM_OPT_VERBOSE, "-v" },
		{ FWADM_OPT_EXPANDED, "-x" }, { FWADM_OPT_TCPSYN, "-y" },
	};
	const struct ipt_rule *r = &c->rule;

	if (c->opts & FWADM_OPT_PROTOCOL)
		ipt_text_printf(out, " -P %s", proto_word(r->proto));
	if (c->opts & FWADM_OPT_VIAADDR) {
		ipt_text_printf(out, " -V ");
		dotted_put(out, r->lg.via);
	}
	if (c->opts & FWADM_OPT_VIANAME)
		ipt_text_printf(out, " -W %s", r->in);
	for (size_t k = 0; k < sizeof(flags) / sizeof(flags[0]); k++)
		if (c->opts & flags[k].opt)
			ipt_text_printf(out, " %s", flags[k].word);
	if (c->opts & FWADM_OPT_REDIRECT)
		ipt_text_printf(out, " -r %u", r->t.u.nat.port_lo);
	if (c->opts & FWADM_OPT_TOS)
		ipt_text_printf(out, " -t 0x%02x 0x%02x", r->lg.tos_and,
				r->lg.tos_xor);
}

/**
 * fwadm_format() - The canonical words of a parsed command
 * @cmd:	as fwadm_parse() made it
 * @out:	a line per source and destination pair
 */
void fwadm_format(const struct fwadm_cmd *cmd, struct ipt_text *out)
{
	uint32_t ns = cmd->nsrc ? cmd->nsrc : 1, nd = cmd->ndst ? cmd->ndst : 1;
	const struct ipt_rule *r = &cmd->rule;

	if (cmd->help) {
		ipt_text_printf(out, "-h\n");
		return;
	}
	for (uint32_t k = 0; k < ns * nd; k++) {
		category_put(cmd, out);
		command_put(cmd, out);
		options_put(cmd, out);
		if (cmd->opts & FWADM_OPT_SOURCE)
			side_put(out, "-S", cmd->srcs[k / nd], r->smsk,
				 r->lg.sp, r->lg.nsp);
		if (cmd->opts & FWADM_OPT_DEST)
			side_put(out, "-D", cmd->dsts[k % nd], r->dmsk,
				 r->lg.dp, r->lg.ndp);
		ipt_text_printf(out, "\n");
	}
}

/**
 * fwadm_cmd_pair() - Narrow a command to one source and destination pair
 * @c:		the command
 * @k:		the pair (source-major)
 */
void fwadm_cmd_pair(struct fwadm_cmd *c, uint32_t k)
{
	uint32_t nd = c->ndst ? c->ndst : 1;

	if (c->nsrc) {
		c->rule.src = c->srcs[(k / nd) % c->nsrc];
		memset(c->srcs, 0, sizeof(c->srcs));
		c->srcs[0] = c->rule.src;
		c->nsrc = 1;
	}
	if (c->ndst) {
		c->rule.dst = c->dsts[k % nd];
		memset(c->dsts, 0, sizeof(c->dsts));
		c->dsts[0] = c->rule.dst;
		c->ndst = 1;
	}
}

/* A firewall rule's target as ipfwadm's policy bits */
static uint8_t target_policy(uint8_t kind)
{
	switch (kind) {
	case IPT_T_MASQUERADE:	return FWADM_POL_ACCEPT | FWADM_POL_MASQ;
	case IPT_T_ACCEPT:
	case IPT_T_REDIRECT:	return FWADM_POL_ACCEPT;
	case IPT_T_REJECT:	return FWADM_POL_REJECT;
	default:		return 0;
	}
}

/**
 * fwadm_cmd_of_rule() - The -a command that makes a rule again
 * @r:		a rule of category @cat
 * @cat:	its category
 * @c:		the command: -S and -D always, the options the rule has
 */
void fwadm_cmd_of_rule(const struct ipt_rule *r, enum fwadm_cat cat,
		       struct fwadm_cmd *c)
{
	memset(c, 0, sizeof(*c));
	c->cat = (uint8_t)cat;
	c->cmd = FWADM_CMD_APPEND;
	c->rule = *r;
	c->opts = FWADM_OPT_SOURCE | FWADM_OPT_DEST;
	c->nsrc = c->ndst = 1;
	c->srcs[0] = r->src;
	c->dsts[0] = r->dst;
	for (size_t k = 0; k < sizeof(opt_flags) / sizeof(opt_flags[0]); k++)
		if (r->lg.flags & opt_flags[k].flag)
			c->opts |= opt_flags[k].opt;
	if (r->proto)
		c->opts |= FWADM_OPT_PROTOCOL;
	if (r->lg.via)
		c->opts |= FWADM_OPT_VIAADDR;
	if (r->in[0])
		c->opts |= FWADM_OPT_VIANAME;
	if (r->t.kind == IPT_T_REDIRECT)
		c->opts |= FWADM_OPT_REDIRECT;
	if (cat != FWADM_ACCT) {
		c->opts |= FWADM_OPT_POLICY;
		c->policy = target_policy(r->t.kind);
	}
}

/* The chain a category's rules live in */
const char *fwadm_chain_name(enum fwadm_cat cat)
{
	static const char *const names[FWADM_CATS] = { "forward", "input",
						       "output", "acct", NULL };

	return (unsigned)cat < FWADM_CATS ? names[cat] : NULL;
}

/**
 * fwadm_help() - What ipfwadm -h prints (masq's words for ipfwadm's)
 */
const char *fwadm_help(void)
{
	return
"ipfwadm: masq's ipfwadm, the language of ipfwadm 2.3.0 (masqctl(8))\n"
"\n"
"Usage: ipfwadm -A [in|out|both] COMMAND [OPTION...]   accounting rules\n"
"       ipfwadm -I COMMAND [OPTION...]                 input firewall\n"
"       ipfwadm -O COMMAND [OPTION...]                 output firewall\n"
"       ipfwadm -F COMMAND [OPTION...]                 forwarding firewall\n"
"       ipfwadm -M -l | -s TCP TCPFIN UDP [OPTION...]  masquerading\n"
"       ipfwadm -h                                     this text\n"
"\n"
"Commands:\n"
"  -a [policy]     append a rule (accounting rules take no policy)\n"
"  -i [policy]     insert a rule at the head\n"
"  -d [policy]     delete the first rule equal to the one given\n"
"  -l              list the rules (with -z: and zero their counters)\n"
"  -z              zero the packet and byte counters\n"
"  -f              delete every rule\n"
"  -p policy       set the policy: accept, deny, reject, masquerade\n"
"  -s tcp tcpfin udp\n"
"                  set the masquerading timeouts (seconds; 0 keeps one)\n"
"  -c              check what the rules do with a packet\n"
"\n"
"Options:\n"
"  -P protocol     tcp, udp, icmp or all\n"
"  -S address[/mask] [port...]\n"
"                  the source (ICMP types as its ports)\n"
"  -D address[/mask] [port...]\n"
"                  the destination\n"
"  -V address      the interface, by its address\n"
"  -W name         the interface, by its name\n"
"  -b              match both ways\n"
"  -e              extended listing\n"
"  -k              TCP packets with ACK set only\n"
"  -m              masquerade what the rule accepts (forward only)\n"
"  -n              numbers, no names, in listings\n"
"  -o              log the packets the rule matches\n"
"  -r [port]       redirect to a local port (input only; 0: the same)\n"
"  -t and xor      masks for the TOS byte, in hex\n"
"  -v              print each rule or packet as it is sent\n"
"  -x              exact counters, not K and M\n"
"  -y              TCP connection requests only (SYN set, ACK clear)\n";
}
