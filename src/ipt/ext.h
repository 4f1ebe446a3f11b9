/* SPDX-License-Identifier: MIT */
/*
 * ext.h - the iptables extensions masq knows: every -m match and -j target
 *
 * One registry (parse_match.c's match_exts[], parse_target.c's
 * target_exts[]), indexed by enum ipt_match_kind and enum
 * ipt_target_kind, that the parser, the printers (print.c, format.c) and
 * the rule comparison (ruleset.c) all read, so an extension is added in
 * one place: its own file (src/ipt/m_NAME.c for a match, t_NAME.c for a
 * target) with its options, its parser, its -S/iptables-save words, its
 * -L text and its comparison, and one line in the registry.
 *
 * The extensions older than this registry keep their printing in print.c
 * and format.c's switches; their @save, @list and @equal are NULL.
 * Internal to libipt: nothing outside src/ipt includes it.
 */
#ifndef MASQ_IPT_EXT_H
#define MASQ_IPT_EXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipt/ipt.h"

struct parse;

#define OPT_UNSUPPORTED	31	/* an option iptables has and masq refuses */

/**
 * struct ext_opt - one long option of a match or target
 * @name:	without the leading "--"
 * @id:		aliases share it (0..30); OPT_UNSUPPORTED for options masq
 *		refuses by name
 * @nargs:	words it takes: 0, 1 or 2
 * @inv:	may be negated with "!"
 */
struct ext_opt {
	const char *name;
	uint8_t id;
	uint8_t nargs;
	bool inv;
};

/**
 * struct match_ext - a -m module
 * @name:	as after -m
 * @opts:	its options, ended by a NULL name
 * @opt:	reads one option (@a: its words), negated when @p->inv
 * @check:	once the whole command is read: required options, protocol
 *		(NULL: none)
 * @init:	iptables' defaults, right after -m (NULL: all zero)
 * @save:	the match as -S and iptables-save print it, from the space
 *		before "-m" on (" -m recent --set ..."); this is also the
 *		canonical form masqctl sends, so it must parse back with no
 *		resolver
 * @list:	its text in iptables -L's last column, from the space before
 *		it on; @opts is IPT_OPT_* (-n: IPT_OPT_NUMERIC)
 * @equal:	do two such matches match the same packets (-D, -C)? NULL:
 *		their unions compared byte by byte (ipt_parse() zeroes the
 *		command first, so unset bytes are zero)
 * @kcheck:	what the kernel's checkentry refuses, where iptables exits
 *		1 ("Invalid argument"), not 2: asked by ipt_exec() when a
 *		rule goes in (NULL: nothing)
 * @help:	what "iptables -m NAME -h" prints after "NAME match
 *		options:", one line (or two) per option of @opts, in the
 *		reference's shape; every option of @opts is named in it
 *		(test_ipt_manpage holds it to that)
 */
struct match_ext {
	const char *name;
	const struct ext_opt *opts;
	const char *help;
	int (*opt)(struct parse *p, struct ipt_match *m,
		   const struct ext_opt *o, const char *const *a);
	int (*check)(struct parse *p, const struct ipt_match *m);
	void (*init)(struct ipt_match *m);
	void (*save)(const struct ipt_rule *r, const struct ipt_match *m,
		     struct ipt_text *out);
	void (*list)(const struct ipt_rule *r, const struct ipt_match *m,
		     unsigned opts, const struct ipt_resolver *res,
		     struct ipt_text *out);
	bool (*equal)(const struct ipt_rule *ra, const struct ipt_match *a,
		      const struct ipt_rule *rb, const struct ipt_match *b);
	int (*kcheck)(const struct ipt_rule *r, const struct ipt_match *m,
		      struct ipt_err *err);
};

/**
 * struct target_ext - a -j target masq knows
 * @name:	as after -j (NULL: no name, IPT_T_NONE/JUMP/GOTO)
 * @list_name:	-L's target column when it is not @name (NOTRACK: "CT",
 *		as the reference's alias prints), or NULL
 * @opts:	its options, or NULL
 * @opt:	reads one option (@a: its words)
 * @check:	once the whole command is read (NULL: none)
 * @init:	iptables' defaults, right after -j (NULL: all zero)
 * @save:	its options as -S prints them after "-j NAME", from the space
 *		before the first on (parses back with no resolver)
 * @list:	its text in -L's last column after the target's name
 * @equal:	do two such targets do the same? NULL: unions compared
 *		byte by byte
 * @help:	what "iptables -j NAME -h" prints after "NAME target
 *		options:" (NULL with no @opts: "NAME does not take any
 *		options", or the standard verdicts' text)
 */
struct target_ext {
	const char *name;
	const char *list_name;
	const struct ext_opt *opts;
	const char *help;
	int (*opt)(struct parse *p, struct ipt_target *t,
		   const struct ext_opt *o, const char *const *a);
	int (*check)(struct parse *p, const struct ipt_target *t);
	void (*init)(struct ipt_target *t);
	void (*save)(const struct ipt_target *t, struct ipt_text *out);
	void (*list)(const struct ipt_target *t, unsigned opts,
		     struct ipt_text *out);
	bool (*equal)(const struct ipt_target *a, const struct ipt_target *b);
};

/* The registry: every kind has an entry */
extern const struct match_ext *const match_exts[IPT_M_KINDS];
extern const struct target_ext *const target_exts[IPT_T_KINDS];

/* Shared printers (print.c): state words in the reference's order */
void put_states(struct ipt_text *out, uint8_t mask);

/* The extensions in files of their own (one line each) */
extern const struct match_ext ipt_sctp_match, ipt_dccp_match;	/* m_ports.c */
extern const struct match_ext ipt_addrtype_match;
extern const struct match_ext ipt_iprange_match;
extern const struct match_ext ipt_pkttype_match;
extern const struct match_ext ipt_length_match;
extern const struct match_ext ipt_tos_match;
extern const struct match_ext ipt_ttl_match;
extern const struct target_ext ipt_TOS_target;
extern const struct target_ext ipt_TTL_target;
extern const struct match_ext ipt_hashlimit_match;
extern const struct match_ext ipt_connlimit_match;
extern const struct match_ext ipt_recent_match;
extern const struct target_ext ipt_CT_target, ipt_NOTRACK_target;
int ipt_ct_helper_check(const struct ipt_target *t, uint8_t proto, bool inv,
			struct ipt_err *err);
extern const struct match_ext ipt_conntrack_match;
extern const struct match_ext ipt_connmark_match;
extern const struct target_ext ipt_CONNMARK_target;

#endif
