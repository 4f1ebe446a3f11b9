/* SPDX-License-Identifier: MIT */
/*
 * verbs.h - the control language's verbs: every first word masqd (or
 * masqctl on its behalf) accepts, with its synopsis, for `masqctl --help`
 * and for "did you mean" on a mistyped verb
 *
 * One table (verbs.c), a row per form worth a line of help; a verb may
 * have several rows. Kept true by tests/unit/test_verbs.c: every verb the
 * engine dispatches (masq_engine_verb()) has a row, every row said to be
 * the engine's is a verb the engine runs. masqd's own verbs
 * (CTL_VERB_MASQD: its rules runs' txn, reload) and those only masqctl
 * runs (CTL_VERB_MASQCTL: save, rules, ipacct-dump; main.c's
 * local_verbs) are listed here by hand, beside their dispatch.
 */
#ifndef MASQ_CONTROL_VERBS_H
#define MASQ_CONTROL_VERBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Who runs a verb */
enum ctl_verb_where {
	CTL_VERB_ENGINE,	/* masq_engine_ctl(), in masqd */
	CTL_VERB_MASQD,		/* masqd itself (command.c) */
	CTL_VERB_MASQCTL,	/* masqctl, sending other verbs to masqd */
	CTL_VERB_WHERE_NUM
};

/**
 * struct ctl_verb - one line of help
 * @name:	the verb (first member: suggest_word() reads it)
 * @args:	its words after it, "" when none
 * @what:	what it does, one short phrase
 * @where:	who runs it
 */
struct ctl_verb {
	const char *name;
	const char *args;
	const char *what;
	enum ctl_verb_where where;
};

extern const struct ctl_verb ctl_verbs[];
extern const size_t ctl_verbs_num;

/**
 * ctl_verb_known() - Is @name a verb of the table?
 * @name:	a word
 *
 * Return: true when a row has it
 */
bool ctl_verb_known(const char *name);

/**
 * ctl_verb_suggest() - The verb @name was likely meant to be
 * @name:	an unknown word
 *
 * Return: the verb (suggest_word()), or NULL when none is near
 */
const char *ctl_verb_suggest(const char *name);

/**
 * ctl_verbs_help() - Print the table, one row a line (two when long)
 * @f:		stream
 */
void ctl_verbs_help(FILE *f);

#endif
