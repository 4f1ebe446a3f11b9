/* SPDX-License-Identifier: MIT */
/*
 * lang.h - the 2.0 and 2.2 firewall languages, ipfwadm and ipchains, over
 *	    the one ruleset model (ipt.h)
 *
 * masq keeps one ruleset, written in one language at a time, as the 2.4
 * kernels did (loading ipchains.o excluded ipfwadm.o and ip_tables.o).
 * Each language is a table of operations the engine calls without
 * knowing the language: make its empty ruleset, run one of its commands
 * (numeric words, as masqctl sends them), dump the ruleset as text the
 * language reads back (with counters), and read such a dump. The
 * iptables language keeps its own interface (ipt.h); these two are
 * written as ipchains.c and ipfwadm.c, each with its listings, its
 * check command and its masqctl front end.
 *
 * What a 2.x rule means to a packet is the engine's (src/engine/fw2.c:
 * the 2.2 traversal); the library only writes and reads the rules.
 */
#ifndef MASQ_IPT_LANG_H
#define MASQ_IPT_LANG_H

#include "ipt.h"

/* ipt_lang_ops.save() flags */
#define IPT_LSAVE_COUNTERS	0x01	/* each rule's and policy's counters */

struct ipt_lang_ops {
	const char *name;		/* the command's word: "ipchains" */
	const char *save_word;		/* its dump's word: "ipchains-save" */
	const char *restore_word;	/* reading a dump: "ipchains-restore" */

	/*
	 * Make @rs (fresh from ipt_ruleset_new()) the language's empty
	 * ruleset: its chains, input and forward policies DENY, output
	 * ACCEPT, @rs->lang set. Return: 0, or -1 (out of memory)
	 */
	int (*init)(struct ipt_ruleset *rs);

	/*
	 * Does this command (words after the language's name, numeric)
	 * parse, and would it change rules, policies or chains? Such a
	 * command runs as a job on a copy; the others (listings, checks,
	 * zeroing) may run on the published ruleset. Return: true for a
	 * change
	 */
	bool (*changes)(int argc, char *const *argv);

	/*
	 * Run one command (words after the language's name) on @rs:
	 * changed only when the whole command applies. Listings and check
	 * verdicts go to @out; names through @res (masqctl's local
	 * listing), numbers only when @res is NULL (masqd: no lookups).
	 * Return: the tool's exit status: 0; 1 (failed: @err says why, in
	 * the language's own words; or a check's negative answer, as the
	 * tool gave it); 2 (a usage error: @err)
	 */
	int (*exec)(struct ipt_ruleset *rs, int argc, char *const *argv,
		    const struct ipt_resolver *res, struct ipt_text *out,
		    struct ipt_err *err);

	/*
	 * The whole ruleset as text restore() reads back into the same
	 * ruleset (IPT_LSAVE_COUNTERS: with the counters). For ipchains
	 * this is ipchains-save's format.
	 */
	void (*save)(const struct ipt_ruleset *rs, unsigned flags,
		     struct ipt_text *out);

	/*
	 * Replace @rs with the ruleset @text describes (a save(), or a
	 * file in that format), counters included when the text has them.
	 * Return: 0, or -1 with @err ("line N: reason") and @rs unchanged
	 */
	int (*restore)(struct ipt_ruleset *rs, const char *text,
		       struct ipt_err *err);
};

extern const struct ipt_lang_ops ipt_ipchains_ops;
extern const struct ipt_lang_ops ipt_ipfwadm_ops;

/* The operations of @lang, or NULL for iptables (which has ipt.h) */
const struct ipt_lang_ops *ipt_lang_ops(enum ipt_lang lang);

/* The language's name: "iptables", "ipchains", "ipfwadm" */
const char *ipt_lang_name(enum ipt_lang lang);

/* What a word of a 2.x language is: its command, its dump, its restore */
enum { IPT_LWORD_CMD, IPT_LWORD_SAVE, IPT_LWORD_RESTORE };
enum ipt_lang ipt_lang_of_word(const char *w, int *what);

#endif
