/* SPDX-License-Identifier: MIT */
/*
 * fuzzwords.h - a fuzz input made into the words of one command, as the
 *		 command-language fuzzers take them (fuzz_ipt, fuzz_ipchains)
 *
 * The input's first byte picks how: bit 0 set, the rest is one line for
 * ipt_split() (blanks, "double quotes" with \" and \\); clear, the words
 * are split at NUL bytes as they are, so a word may hold blanks, quotes
 * and newlines, as argv words from a shell may. The other bits are the
 * fuzzer's.
 */
#ifndef MASQ_TESTS_FUZZWORDS_H
#define MASQ_TESTS_FUZZWORDS_H

#include <stddef.h>
#include <stdint.h>

/**
 * fuzzwords() - The words of a fuzz input
 * @data, @size:	the input (its first byte the mode)
 * @text, @text_len:	room for the rest, NUL-terminated (cut to fit)
 * @store, @store_len:	room for ipt_split()'s words
 * @words, @max:	the words
 *
 * A line ipt_split() refuses must come with a reason (else abort()).
 * Return: the word count, or -1 when there is nothing to try
 */
int fuzzwords(const uint8_t *data, size_t size, char *text, size_t text_len,
	      char *store, size_t store_len, char **words, int max);

#endif
