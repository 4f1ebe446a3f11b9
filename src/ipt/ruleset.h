/* SPDX-License-Identifier: MIT */
/*
 * ruleset.h - what ruleset.c shares with restore.c and nothing else
 *
 * ipt_exec() is one command, atomic and checked as the kernel checks a
 * table on every change. iptables-restore works differently: it applies
 * many commands to a private copy of a table and lets the kernel check
 * the table once, at COMMIT. These are the two halves of ipt_exec() that
 * make that possible, plus the chain operations the ":CHAIN" lines need.
 * They are not part of the library's contract (ipt.h).
 */
#ifndef MASQ_IPT_RULESET_H
#define MASQ_IPT_RULESET_H

#include "ipt.h"

/**
 * ipt_table_apply() - Apply a command to one table, without the table check
 * @t:		the table @cmd->table names
 * @cmd:	the command
 * @res:	name lookups for -L, or NULL
 * @out:	listings, or NULL to drop them
 * @err:	the reason on failure
 *
 * The preconditions of the command (chain exists, index in range, jump
 * target exists, ...) are checked; the kernel's table rules (target
 * tables and hooks, loops) are not: call ipt_table_check() after.
 * On failure @t may have been changed partly (restore throws it away).
 * Return: as ipt_exec()
 */
int ipt_table_apply(struct ipt_table *t, const struct ipt_cmd *cmd,
		    const struct ipt_resolver *res, struct ipt_text *out,
		    struct ipt_err *err);

/**
 * ipt_table_check() - Check a table as the kernel does when it loads one
 * @t:		the table
 * @tid:	which table it is
 * @err:	the reason on failure: the chain and rule, and the kernel's
 *		words for what is wrong
 *
 * Loops of jumps reachable from a built-in chain; then each rule's
 * matches and target against the table and the built-in chains that
 * reach it. Linear in the rules (times log of the user chains).
 * Return: 0, or -1 with @err set
 */
int ipt_table_check(const struct ipt_table *t, enum ipt_table_id tid,
		    struct ipt_err *err);

/* Make @t the table @tid with only its built-in chains; 0 or -1 (memory) */
int ipt_table_init(struct ipt_table *t, enum ipt_table_id tid);

/* A new empty user chain, in name order; -1 with @err (bad name, exists) */
int ipt_chain_create(struct ipt_table *t, const char *name,
		     struct ipt_err *err);

/* Room for @extra more rules; 0 or -1 (memory; @c unchanged) */
int ipt_chain_reserve(struct ipt_chain *c, uint32_t extra);

/* Empty a chain, keeping the refs of the chains its rules jump to right */
void ipt_chain_flush(struct ipt_table *t, struct ipt_chain *c);

/* Delete every rule and every user chain; built-in policies are kept */
void ipt_table_flush_all(struct ipt_table *t);

#endif
