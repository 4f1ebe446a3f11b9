/* SPDX-License-Identifier: MIT */
/*
 * ipfwadm.h - the 2.0 kernels' firewall language, ipfwadm 2.3.0, over the
 *	       one ruleset model (ipt.h, lang.h)
 *
 * Four files: ipfwadm.c reads a command line as ipfwadm 2.3.0's getopt
 * loop and checks did (same order, same words); ipfwadm_format.c writes
 * it back as canonical numeric words (and a rule as its command);
 * ipfwadm_print.c prints the listings and -v lines as its
 * print_firewall() did; ipfwadm_exec.c runs a command on a ruleset
 * (rules, policies, -c's walk) and is the language's table of
 * operations (ipt_ipfwadm_ops: init, changes, exec, save, restore).
 *
 * How an ipfwadm rule sits in the model (lang.h): the chains "input",
 * "output", "forward" of the filter table, and "acct" for the accounting
 * rules (each with IPT_LG_ACCT_IN and/or _OUT, target IPT_T_NONE). A
 * rule's policy is its target: accept ACCEPT, deny DROP, reject REJECT
 * (port unreachable, as 2.0's ip_input.c sent), accept with -m (or the
 * old policy "masquerade") MASQUERADE, accept with -r REDIRECT (the port
 * in t.u.nat, IPT_NAT_PORTS when not 0). Ports are lg.sp/lg.dp, the one
 * range a side may have first (where ipfwadm put it); ICMP types are the
 * source "ports". -W is the rule's @in, -V lg.via (IPT_LG_VIA when not
 * 0.0.0.0), -b -k -y -o the IPT_LG_BIDIR, _ACK, _SYN, _LOG flags, -t
 * IPT_LG_TOS with the masks as the 2.0 kernel kept them (AND | 0x01, XOR
 * & 0xFE; not set when that is 0xFF 0x00, which changes nothing).
 *
 * masqctl (src/masqctl/ipfwadm.c) parses with names (fwadm_parse() with
 * a resolver) and sends fwadm_format()'s numeric words; masqd parses
 * those again with none.
 */
#ifndef MASQ_IPT_IPFWADM_H
#define MASQ_IPT_IPFWADM_H

#include "ipt/ipt.h"
#include "ipt/lang.h"

/* The categories (-F -I -O -A -M), in ipfwadm's own order */
enum fwadm_cat { FWADM_FWD, FWADM_IN, FWADM_OUT, FWADM_ACCT, FWADM_MASQ,
		 FWADM_CATS, FWADM_CAT_NONE = FWADM_CATS };

/* Commands (as ipfwadm's CMD_*: -l and -z may come together) */
#define FWADM_CMD_LIST		0x0001	/* -l */
#define FWADM_CMD_APPEND	0x0002	/* -a */
#define FWADM_CMD_DELETE	0x0004	/* -d */
#define FWADM_CMD_FLUSH		0x0008	/* -f */
#define FWADM_CMD_ZERO		0x0010	/* -z */
#define FWADM_CMD_POLICY	0x0020	/* -p */
#define FWADM_CMD_CHECK		0x0040	/* -c */
#define FWADM_CMD_INSERT	0x0100	/* -i */
#define FWADM_CMD_TIMEOUT	0x0200	/* -M -s */
#define FWADM_CMD_RULE		(FWADM_CMD_APPEND | FWADM_CMD_DELETE | \
				 FWADM_CMD_INSERT)

/* Options given (as ipfwadm's OPT_*) */
#define FWADM_OPT_EXTENDED	0x000001	/* -e */
#define FWADM_OPT_NUMERIC	0x000002	/* -n */
#define FWADM_OPT_SOURCE	0x000004	/* -S */
#define FWADM_OPT_DEST		0x000008	/* -D */
#define FWADM_OPT_PROTOCOL	0x000010	/* -P */
#define FWADM_OPT_VIAADDR	0x000020	/* -V */
#define FWADM_OPT_POLICY	0x000040	/* a policy after -a -i -d */
#define FWADM_OPT_TCPSYN	0x000080	/* -y */
#define FWADM_OPT_BIDIR		0x000100	/* -b */
#define FWADM_OPT_VERBOSE	0x000200	/* -v */
#define FWADM_OPT_PRINTK	0x000400	/* -o */
#define FWADM_OPT_EXPANDED	0x000800	/* -x */
#define FWADM_OPT_TCPACK	0x001000	/* -k */
#define FWADM_OPT_TOS		0x002000	/* -t */
#define FWADM_OPT_VIANAME	0x004000	/* -W */
#define FWADM_OPT_REDIRECT	0x008000	/* -r */
#define FWADM_OPT_MASQUERADE	0x010000	/* -m, or policy masquerade */

/* A policy as ipfwadm's flag bits: deny is none of them */
#define FWADM_POL_ACCEPT	0x01
#define FWADM_POL_REJECT	0x02
#define FWADM_POL_MASQ		0x04

#define FWADM_MAX_ADDRS		8	/* addresses a host name may give */

/**
 * struct fwadm_cmd - one ipfwadm command line, parsed and checked
 * @cat:	enum fwadm_cat
 * @policy:	FWADM_POL_* of -a/-i/-d (with -m) or of -p
 * @cmd:	FWADM_CMD_* (0 for -h)
 * @help:	-h was met (everything else is then unset)
 * @opts:	FWADM_OPT_*
 * @nsrc:	source addresses (masked, distinct; 0 when -S was not given
 *		and the command takes none)
 * @ndst:	destination addresses, the same
 * @srcs:	the sources: the rules are every source with every
 *		destination, source-major (the rule's own @src is the first)
 * @dsts:	the destinations
 * @timeout:	-M -s TCP TCPFIN UDP, seconds
 * @rule:	the rule as it goes into the chain (TOS masks as given; the
 *		chain keeps them as the kernel did), or for -c the packet:
 *		@proto, one address each way, its ports as lg.sp[0].lo and
 *		lg.dp[0].lo (for ICMP the type as sp[0].lo), @in and lg.via
 *		its interface, IPT_LG_SYN/_ACK its TCP flags (-y, -k)
 */
struct fwadm_cmd {
	uint8_t cat;
	uint8_t policy;
	uint16_t cmd;
	bool help;
	uint32_t opts;
	uint32_t nsrc, ndst;
	uint32_t srcs[FWADM_MAX_ADDRS], dsts[FWADM_MAX_ADDRS];
	uint32_t timeout[3];
	struct ipt_rule rule;
};

/* ---- ipfwadm.c: the command line ---------------------------------------- */

/**
 * fwadm_parse() - Read one ipfwadm command line as ipfwadm 2.3.0 did
 * @argc, @argv:	the words after "ipfwadm"
 * @res:		host and service lookups (masqctl), or NULL: then
 *			only dotted quads and port numbers (masqd)
 * @cmd:		filled on success
 * @err:		ipfwadm's message on failure (no "ipfwadm: ")
 *
 * Options may be bundled (-Fa) and take their values as getopt gave
 * them (-Ptcp, -P tcp); -A -a -i -d -r take an optional word that does
 * not start with '-'; -S and -D take the port words after the address.
 * Every check ipfwadm made after its getopt loop is made, in its order.
 * Return: 0 (with @cmd->help for -h), or 2 (a usage error: @err)
 */
int fwadm_parse(int argc, char *const *argv, const struct ipt_resolver *res,
		struct fwadm_cmd *cmd, struct ipt_err *err);

/* ---- ipfwadm_format.c: canonical words -------------------------------- */

/* The IPT_LG_* flags of the options -y -k -b -o -t */
uint16_t fwadm_flags_of_opts(uint32_t opts);

/* The -a command that makes rule @r of category @cat again (for save) */
void fwadm_cmd_of_rule(const struct ipt_rule *r, enum fwadm_cat cat,
		       struct fwadm_cmd *c);

/* The text of -h */
const char *fwadm_help(void);

/* The chain a category keeps its rules in ("input", ..., "acct"), or NULL */
const char *fwadm_chain_name(enum fwadm_cat cat);

/**
 * fwadm_format() - The canonical words of a parsed command
 * @cmd:	as fwadm_parse() made it
 * @out:	one line per source and destination pair (source-major), of
 *		words separated by single spaces: numeric addresses, masks
 *		and ports, full policy and protocol words. Each line parses
 *		back (with no resolver) into @cmd narrowed to that pair.
 */
void fwadm_format(const struct fwadm_cmd *cmd, struct ipt_text *out);

/**
 * fwadm_cmd_pair() - Narrow a command to one source and destination pair
 * @c:		the command, changed: only pair @k left (source-major)
 * @k:		the pair, as line @k of fwadm_format()
 */
void fwadm_cmd_pair(struct fwadm_cmd *c, uint32_t k);

/* ---- ipfwadm_print.c: listings ------------------------------------------ */

/**
 * fwadm_list() - ipfwadm -l: a category's rules as ipfwadm 2.3.0 listed them
 * @c:		the category's chain
 * @cat:	FWADM_IN, _OUT, _FWD or _ACCT
 * @opts:	FWADM_OPT_EXTENDED, _NUMERIC, _EXPANDED
 * @res:	names for addresses and ports without -n (NULL: numbers)
 * @out:	the listing
 */
void fwadm_list(const struct ipt_chain *c, enum fwadm_cat cat, uint32_t opts,
		const struct ipt_resolver *res, struct ipt_text *out);

/* What -v prints for a rule about to be added or deleted (numbers only) */
void fwadm_print_verbose(const struct ipt_rule *r, enum fwadm_cat cat,
			 struct ipt_text *out);

/* What -v prints for a packet -c is about to check */
void fwadm_print_packet(const struct ipt_rule *pkt, struct ipt_text *out);

/* The words of a chain policy: "accept", "accept/masquerade", ... */
const char *fwadm_policy_name(uint8_t ipt_policy);

#endif
