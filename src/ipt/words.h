/* SPDX-License-Identifier: MIT */
/*
 * words.h - the number words libipt's languages share (parse.c)
 *
 * iptables, ipchains and ipfwadm read numbers the way their tools did:
 * strtoul(base 0) for marks and the like, plain decimal for ports and
 * rule numbers, hexadecimal for TOS bytes. One reader serves them all;
 * neither takes a sign, blanks or trailing text, and neither overflows.
 */
#ifndef MASQ_IPT_WORDS_H
#define MASQ_IPT_WORDS_H

#include <stdbool.h>
#include <stdint.h>

/* Decimal, 0x hex or 0 octal; true when the whole word is one, <= @max */
bool ipt_num_parse(const char *s, uint64_t max, uint64_t *out);

/* Digits of @base only (at least one); true when <= @max */
bool ipt_digits_parse(const char *s, unsigned base, uint64_t max,
		      uint64_t *out);

#endif
