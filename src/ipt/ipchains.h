/* SPDX-License-Identifier: MIT */
/*
 * ipchains.h - the ipchains 1.3.10 language (Linux 2.2) over the one
 *		ruleset model
 *
 * What masqctl and the tests need beyond the operations table
 * (lang.h's ipt_ipchains_ops): the parsed command, its canonical words,
 * the listings, the check of a packet, and the ipchains-save text.
 *
 * The language lives in seven files, one concern each:
 *   ipchains.c		the command line -> struct ipchains_cmd
 *   ipchains_words.c	its vocabulary: ICMP and policy names, canonical
 *			numeric words (what masqctl sends), -h's text
 *   ipchains_exec.c	the commands on a ruleset (-A ... -P, -C), the
 *			language's empty ruleset
 *   ipchains_ops.c	the operations table (lang.h), over exec and save
 *   ipchains_check.c	-C's walk: what a rule meant to a packet in 2.2
 *   ipchains_print.c	-L in all its forms, and -v's one-line rule
 *   ipchains_save.c	ipchains-save text and ipchains-restore
 *
 * A rule is written into struct ipt_rule as lang.h and ipt.h set out:
 * addresses, masks and their "!" in the rule's own fields; the interface
 * in @in ("eth+" a prefix, "+" any, IPT_INV_IN for "!"); the protocol
 * and its "!"; -f in @frag (IPT_INV_FRAG for "! -f"); the rest in @lg:
 * one port range a side (nsp, ndp: 0 when any; for ICMP the types and
 * the codes), -y, -l, -m, -t, -o and the port inversions. The target:
 * ACCEPT, DENY (IPT_T_DROP), REJECT (port unreachable), MASQ
 * (IPT_T_MASQUERADE), REDIRECT [port], RETURN, a user chain (IPT_T_JUMP),
 * none (IPT_T_NONE, counts only). Every field the language does not set
 * is zero, so ipt_rule_equal() compares like with like.
 */
#ifndef MASQ_IPT_IPCHAINS_H
#define MASQ_IPT_IPCHAINS_H

#include "ipt/ipt.h"
#include "ipt/lang.h"

#define IPCHAINS_LABEL_MAX	8	/* IP_FW_MAX_LABEL_LENGTH: a chain name */
#define IPCHAINS_ADDRS_MAX	8	/* addresses a host name may give a side */

enum ipchains_op {
	IPCHAINS_OP_APPEND,		/* -A chain rule */
	IPCHAINS_OP_DELETE,		/* -D chain rule */
	IPCHAINS_OP_DELETE_NUM,		/* -D chain n */
	IPCHAINS_OP_REPLACE,		/* -R chain n rule */
	IPCHAINS_OP_INSERT,		/* -I chain [n] rule */
	IPCHAINS_OP_CHECK,		/* -C chain packet */
	IPCHAINS_OP_LIST,		/* -L [chain]; -L -Z: all, then zero */
	IPCHAINS_OP_FLUSH,		/* -F [chain] */
	IPCHAINS_OP_ZERO,		/* -Z [chain] */
	IPCHAINS_OP_NEW_CHAIN,		/* -N chain */
	IPCHAINS_OP_DELETE_CHAIN,	/* -X [chain] */
	IPCHAINS_OP_POLICY,		/* -P chain policy */
	IPCHAINS_OP_MASQ_LIST,		/* -M -L: masqctl's masq -L */
	IPCHAINS_OP_MASQ_SET,		/* -M -S tcp tcpfin udp: masq -S */
	IPCHAINS_OP_HELP,		/* -h [icmp] */
	IPCHAINS_OP_VERSION,		/* -V */
	IPCHAINS_OPS
};

/* struct ipchains_cmd.opts */
#define IPCHAINS_OPT_NUMERIC	0x0001	/* -n */
#define IPCHAINS_OPT_VERBOSE	0x0002	/* -v */
#define IPCHAINS_OPT_EXACT	0x0004	/* -x */
#define IPCHAINS_OPT_LINENUM	0x0008	/* --line-numbers */
#define IPCHAINS_OPT_ZERO	0x0010	/* -L -Z */
#define IPCHAINS_OPT_BIDIR	0x0020	/* -b: the rule and its mirror */
#define IPCHAINS_OPT_NOWARN	0x0040	/* --no-warnings */
#define IPCHAINS_OPT_HELP_ICMP	0x0080	/* -h icmp */

/**
 * struct ipchains_cmd - one ipchains command, parsed
 * @op:		enum ipchains_op
 * @opts:	IPCHAINS_OPT_*
 * @policy:	-P's: IPT_POL_ACCEPT, _DROP (DENY), _REJECT, _MASQ
 * @chain:	the chain named, "" when none
 * @rulenum:	-D n, -R n, -I n (1 when -I has none)
 * @rule:	the rule (or -C's packet: addresses, ports, interface,
 *		protocol, -y, -f); its @src and @dst are the first
 *		addresses of @srcs and @dsts
 * @nsrc, @ndst:	addresses each side (a host name may give several;
 *		every pair is a rule, as ipchains made them)
 * @srcs, @dsts:	those addresses, masked
 * @timeouts:	-M -S's three, in seconds
 */
struct ipchains_cmd {
	uint8_t op;
	uint16_t opts;
	uint8_t policy;
	char chain[IPCHAINS_LABEL_MAX + 1];
	uint32_t rulenum;
	struct ipt_rule rule;
	uint32_t nsrc, ndst;
	uint32_t srcs[IPCHAINS_ADDRS_MAX], dsts[IPCHAINS_ADDRS_MAX];
	uint32_t timeouts[3];
};

/* ---- ipchains.c, ipchains_words.c -------------------------------------------- */

/**
 * struct ipchains_icmp - an ICMP name of the tool (its icmp_codes[])
 * @name:	"echo-request", ...
 * @type:	the type
 * @code_lo, @code_hi:	the codes it stands for (0-0xFFFF: all)
 * @test:	-C may test it, with @code_lo
 */
struct ipchains_icmp {
	const char *name;
	uint8_t type;
	uint16_t code_lo, code_hi;
	bool test;
};

/* The tool's ICMP names in its order (i = 0, 1, ...); NULL past the end */
const struct ipchains_icmp *ipchains_icmp(size_t i);

/* ACCEPT, DENY, REJECT, MASQ -> enum ipt_policy; -1 for any other word */
int ipchains_policy_by_name(const char *w);

/**
 * ipchains_parse() - Parse the words of one ipchains command
 * @argc, @argv:	the words after "ipchains"
 * @res:		name lookups, or NULL for numeric words only (masqd)
 * @cmd:		filled on success
 * @err:		ipchains' own words for what is wrong, on failure
 *
 * Every option of ipchains 1.3.10, long (with unambiguous prefixes) and
 * short (clustered), "!" where the tool took it; the checks ipchains made
 * before it asked the kernel anything, in its order and words.
 * Return: 0, or -1 with @err set (ipchains' exit status 2)
 */
int ipchains_parse(int argc, char *const *argv, const struct ipt_resolver *res,
		   struct ipchains_cmd *cmd, struct ipt_err *err);

/**
 * ipchains_format() - The canonical words of a parsed command
 * @cmd:	as ipchains_parse() made it
 * @out:	one line per pair of addresses (a host name with several
 *		gives several lines, as ipchains made several rules); each
 *		line parses back, with no resolver, to @cmd for that pair
 *
 * Numbers only: what masqctl sends to masqd.
 */
void ipchains_format(const struct ipchains_cmd *cmd, struct ipt_text *out);

/* The rule's words as ipchains-save writes them, after "-A CHAIN" */
void ipchains_rule_words(const struct ipt_rule *r, struct ipt_text *out);

/* The names -P takes and -L prints for a policy: "ACCEPT", "DENY", ... */
const char *ipchains_policy_name(uint8_t policy);

/* -h's text (with -h icmp: the ICMP names), as ipchains printed it */
void ipchains_help(bool icmp, struct ipt_text *out);

/*
 * The ICMP name -L prints for these types and codes (the first of the
 * tool's table that has exactly them), or NULL
 */
const char *ipchains_icmp_name(struct ipt_portrange type,
			       struct ipt_portrange code);

/* ---- ipchains_exec.c, ipchains_check.c ------------------------------------- */

/**
 * ipchains_apply() - Run a parsed command on a ruleset
 * @rs:		an ipchains ruleset (ipt_ipchains_ops.init()); changed only
 *		when the whole command applies
 * @cmd:	the command
 * @res:	names for listings, or NULL (numbers)
 * @out:	listings, -C's verdicts, -v's lines, warnings
 * @err:	ipchains' words for a failure
 *
 * Return: ipchains' exit status: 0; 1 (the kernel refused: no such
 * chain, no such rule, ...); 2 (a usage error, as -M here)
 */
int ipchains_apply(struct ipt_ruleset *rs, const struct ipchains_cmd *cmd,
		   const struct ipt_resolver *res, struct ipt_text *out,
		   struct ipt_err *err);

/**
 * ipchains_init() - Make a ruleset the language's empty one
 *		     (ipt_ipchains_ops.init): input and forward DENY,
 *		     output ACCEPT, no rules
 * @rs:		the ruleset
 *
 * Return: 0, or -1 when out of memory
 */
int ipchains_init(struct ipt_ruleset *rs);

/**
 * ipchains_exec() - Parse one command's words and run it on a ruleset
 *		     (ipt_ipchains_ops.exec)
 * @rs:		an ipchains ruleset
 * @argc:	words
 * @argv:	the command's words, without "ipchains"
 * @res:	names for listings, or NULL (numbers)
 * @out:	listings and warnings
 * @err:	ipchains' words for a failure
 *
 * Return: the tool's exit status (2: a usage error)
 */
int ipchains_exec(struct ipt_ruleset *rs, int argc, char *const *argv,
		  const struct ipt_resolver *res, struct ipt_text *out,
		  struct ipt_err *err);

/**
 * struct ipchains_packet - what -C asks about (the 2.2 kernel's
 *			    struct ip_fwtest, as ipchains filled it)
 * @src, @dst:	addresses (host order)
 * @proto:	IP protocol
 * @sport, @dport:	ports; ICMP type and code
 * @syn:	a TCP connection request (SYN without ACK or RST)
 * @frag:	a second or later fragment
 * @iface:	the interface it is said to come in or go out by
 */
struct ipchains_packet {
	uint32_t src, dst;
	uint8_t proto;
	uint16_t sport, dport;
	bool syn, frag;
	char iface[IPT_IFNAMSIZ];
};

/**
 * ipchains_rule_match() - Does a rule match a packet, as 2.2's
 *			   ip_rule_match() decided?
 * @r:		the rule
 * @p:		the packet
 *
 * Return: true on a match (counters and side effects are the caller's)
 */
bool ipchains_rule_match(const struct ipt_rule *r,
			 const struct ipchains_packet *p);

/**
 * ipchains_check() - Walk a chain with a packet, counting nothing
 * @t:		the filter table of an ipchains ruleset
 * @chain:	where the walk starts
 * @p:		the packet
 *
 * Jumps are followed and RETURN or the end of a chain comes back, as the
 * 2.2 kernel's ip_fw_check() walked in its testing mode.
 * Return: ipchains -C's word: "accepted", "denied", "rejected",
 * "masqueraded", "redirected", "passed through chain" (the end of a user
 * chain the walk started in), "caught in loop"; NULL when @chain does
 * not exist
 */
const char *ipchains_check(const struct ipt_table *t, const char *chain,
			   const struct ipchains_packet *p);

/* ---- ipchains_print.c ------------------------------------------------------ */

/**
 * ipchains_list() - ipchains -L [chain] with -n -v -x --line-numbers
 * @t:		the filter table of an ipchains ruleset
 * @chain:	one chain, or NULL for all
 * @opts:	IPCHAINS_OPT_*
 * @res:	reverse lookups unless -n (NULL: numbers)
 * @out:	the listing
 *
 * Return: 0, or -1 when @chain does not exist
 */
int ipchains_list(const struct ipt_table *t, const char *chain, unsigned opts,
		  const struct ipt_resolver *res, struct ipt_text *out);

/*
 * One rule on one line, as ipchains -v printed each rule it added,
 * deleted, inserted or checked (numeric, no table alignment)
 */
void ipchains_print_rule(const struct ipt_rule *r, struct ipt_text *out);

/* ---- ipchains_save.c ------------------------------------------------------- */

/**
 * ipchains_save_chain() - ipchains-save's text of one chain or all
 * @rs:		the ruleset
 * @chain:	one chain (its ":" line and its rules), or NULL for all
 * @flags:	IPT_LSAVE_COUNTERS: "[packets:bytes]" on every line
 * @out:	the text
 *
 * Return: 0, or -1 when @chain does not exist
 */
int ipchains_save_chain(const struct ipt_ruleset *rs, const char *chain,
			unsigned flags, struct ipt_text *out);

/**
 * ipchains_restore() - Replace a ruleset with the one ipchains-save text
 *			describes (ipt_ipchains_ops.restore)
 * @rs:		the ruleset, changed only when the whole text applies
 * @text:	":CHAIN POLICY [[p:b]]" lines, then "[[p:b]] -A CHAIN ..."
 *		lines, numbers only; blank and "#" lines skipped
 * @err:	"line N: why"
 *
 * Chains the text does not name keep the language's empty ruleset's
 * state (input and forward DENY, output ACCEPT, no rules).
 * Return: 0, or -1 with @err set
 */
int ipchains_restore(struct ipt_ruleset *rs, const char *text,
		     struct ipt_err *err);

#define IPCHAINS_CANON_CREATE	0x01	/* ipchains-restore -p: a ":CHAIN -"
					 * line for each chain a rule jumps
					 * to and the text does not make */

/**
 * ipchains_canon() - ipchains-save text made numeric, for masqd
 * @text:	the text (host and service names allowed)
 * @res:	the lookups
 * @flags:	IPCHAINS_CANON_*
 * @out:	the same ruleset in canonical words (a name with several
 *		addresses gives one line per address)
 * @err:	"line N: why" when a line does not parse
 *
 * Return: 0, or -1 with @err set
 */
int ipchains_canon(const char *text, const struct ipt_resolver *res,
		   unsigned flags, struct ipt_text *out, struct ipt_err *err);

#endif
