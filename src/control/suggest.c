// SPDX-License-Identifier: MIT
/*
 * suggest.c - the known word nearest a mistyped one (see suggest.h)
 *
 * The distance is the classic dynamic programme over three rows (the
 * swap of two neighbours looks two rows back), O(|a| * |b|) time and
 * stack only. The road not taken: a prefix match (getopt_long's own)
 * finds "--intern" but not "--internl", the typo people actually make.
 */
#include <stdint.h>
#include <string.h>

#include "control/suggest.h"

static size_t min3(size_t x, size_t y, size_t z)
{
	size_t m = x < y ? x : y;

	return m < z ? m : z;
}

size_t suggest_distance(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);
	size_t rows[3][SUGGEST_MAX_LEN + 1];
	size_t *two = rows[0], *prev = rows[1], *cur = rows[2];

	if (alen > SUGGEST_MAX_LEN || blen > SUGGEST_MAX_LEN)
		return SIZE_MAX;
	for (size_t j = 0; j <= blen; j++)
		prev[j] = j;
	for (size_t i = 1; i <= alen; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= blen; j++) {
			size_t sub = a[i - 1] != b[j - 1];

			cur[j] = min3(prev[j] + 1, cur[j - 1] + 1,
				      prev[j - 1] + sub);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && two[j - 2] + 1 < cur[j])
				cur[j] = two[j - 2] + 1;
		}
		size_t *t = two;

		two = prev;
		prev = cur;
		cur = t;
	}
	return prev[blen];
}

/* Edits allowed between @typed and a word for it to be the intent */
static size_t edits_allowed(size_t len)
{
	return len <= 5 ? 1 : 2;
}

const char *suggest_word(const char *typed, size_t len, const void *table,
			 size_t n, size_t stride)
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX;

	if (!len)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const char *name;
		size_t d;

		memcpy(&name, (const char *)table + i * stride, sizeof(name));
		if (!name)
			break;
		d = suggest_distance(typed, len, name);
		if (d < best_d && d <= edits_allowed(len)) {
			best = name;
			best_d = d;
		}
	}
	return best;
}
