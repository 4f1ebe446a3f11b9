// SPDX-License-Identifier: MIT
/*
 * textsum.c - add two workers' counter listings into one
 *
 * With --workers N each engine answers `stats` (or `conntrack -C`) for
 * its own connections; the user wants one answer. The listings have the
 * same shape (the same lines, the same names, one engine's numbers where
 * the other has its own), so they are walked side by side: a number
 * standing alone (after a space, a '/', or a line's start; before a
 * space, a '/', or a line's end) is added to the other's; everything
 * else must match exactly (runs of spaces may differ in length, and be
 * missing on one side before a number: columns are padded to the
 * numbers' widths). Any other difference (a line only
 * one has, a word that differs) refuses the sum: better no answer than a
 * wrong one. Words with digits inside ("10.0.0.1", "dpt:80", "eth0") are
 * not numbers and must match.
 *
 * Complexity: one pass over both texts. Numbers above 2^64 - 1 refuse.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "masqd/workers.h"

static bool num_before(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '/';
}

static bool num_after(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '/' || c == '\0';
}

/* A number standing alone at @s (after @prev); its length, or 0 */
static size_t num_len(const char *s, char prev)
{
	size_t n = 0;

	if (!num_before(prev))
		return 0;
	while (isdigit((unsigned char)s[n]))
		n++;
	if (!n || n > 19 || !num_after(s[n]))
		return 0;
	return n;
}

static size_t space_len(const char *s)
{
	size_t n = 0;

	while (s[n] == ' ' || s[n] == '\t')
		n++;
	return n;
}

/**
 * text_sum() - Add @add's numbers into @acc's, from offset @off
 * @acc:	one worker's listing (from @off on); rewritten with the sums
 * @off:	where the listing starts in @acc
 * @add:	another worker's listing of the same shape, NUL-terminated
 *
 * Return: 0; -EINVAL when the shapes differ (@acc unchanged); -ENOMEM
 */
int text_sum(struct masq_text *acc, size_t off, const char *add)
{
	struct masq_text out = { 0 };
	const char *a, *b = add;
	char pa = '\n', pb = '\n';
	int ret = 0;

	if (!acc->s || acc->len < off)
		return add[0] ? -EINVAL : 0;
	a = acc->s + off;
	while (*a || *b) {
		size_t na = num_len(a, pa), nb = num_len(b, pb);
		size_t sa = space_len(a), sb = space_len(b);

		if (na && nb) {
			unsigned long long x = strtoull(a, NULL, 10);
			unsigned long long y = strtoull(b, NULL, 10);

			if (x + y < x) {
				ret = -EINVAL;
				break;
			}
			masq_text_printf(&out, "%llu", x + y);
			a += na;
			b += nb;
			pa = pb = '0';
		} else if ((sa && sb) || ((sa || sb) &&
			   isdigit((unsigned char)a[sa]) &&
			   isdigit((unsigned char)b[sb]))) {
			/* padding, or a column right-aligned to its width */
			masq_text_printf(&out, "%.*s", (int)sa, a);
			a += sa;
			b += sb;
			pa = pb = ' ';
		} else if (*a && *a == *b) {
			masq_text_printf(&out, "%c", *a);
			pa = *a++;
			pb = *b++;
		} else {
			ret = -EINVAL;
			break;
		}
	}
	if (!ret && out.oom)
		ret = -ENOMEM;
	if (!ret) {
		acc->len = off;
		masq_text_printf(acc, "%s", out.s ? out.s : "");
		if (acc->oom)
			ret = -ENOMEM;
	}
	masq_text_free(&out);
	return ret;
}
