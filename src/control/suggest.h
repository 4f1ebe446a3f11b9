/* SPDX-License-Identifier: MIT */
/*
 * suggest.h - "did you mean ...?": the known word nearest a mistyped one
 *
 * Shared by masqd (its long options) and masqctl (its options and
 * verbs), so both programs answer a typo the same way:
 *
 *	masqd: unknown option --internl; did you mean --internal?
 *	masqctl: unknown command 'relaod'; did you mean 'reload'?
 *
 * Nearness is the optimal string alignment distance (Levenshtein's
 * insert, delete and substitute, plus swapping two neighbouring letters,
 * each costing one), case-sensitive. A word is suggested only when it
 * is close enough to be the likely intent: one edit for words of up to
 * five letters, two for longer ones. Ties go to the table's first.
 * Words longer than SUGGEST_MAX_LEN are never near anything (the
 * distance's rows live on the stack).
 */
#ifndef MASQ_CONTROL_SUGGEST_H
#define MASQ_CONTROL_SUGGEST_H

#include <stddef.h>

#define SUGGEST_MAX_LEN		64

/**
 * suggest_distance() - Edits from @a to @b (optimal string alignment)
 * @a:		a word
 * @alen:	its length
 * @b:		another, NUL-terminated
 *
 * Return: the distance, or SIZE_MAX when either is longer than
 * SUGGEST_MAX_LEN
 */
size_t suggest_distance(const char *a, size_t alen, const char *b);

/**
 * suggest_word() - The word of a table nearest @typed, if near enough
 * @typed:	what was typed
 * @len:	its length (an option's name before any "=VALUE")
 * @table:	array of @n elements of @stride bytes, each starting with
 *		its name as a const char * (a plain array of strings, a
 *		struct option array, a verb table); a NULL name ends it early
 * @n:		elements
 * @stride:	bytes from one element to the next
 *
 * O(n * SUGGEST_MAX_LEN^2) at worst, for tables of tens of words.
 *
 * Return: the name to suggest, or NULL when none is near enough (or
 * @typed is empty)
 */
const char *suggest_word(const char *typed, size_t len, const void *table,
			 size_t n, size_t stride);

#endif
