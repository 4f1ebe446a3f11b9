// SPDX-License-Identifier: MIT
/*
 * fuzzwords.c - a fuzz input made into a command's words (fuzzwords.h)
 */
#include <stdlib.h>
#include <string.h>

#include "ipt/ipt.h"
#include "fuzzwords.h"

int fuzzwords(const uint8_t *data, size_t size, char *text, size_t text_len,
	      char *store, size_t store_len, char **words, int max)
{
	struct ipt_err e = { { 0 } };
	size_t n;
	int nw = 0;

	if (!size || !text_len)
		return -1;
	n = size - 1 < text_len - 1 ? size - 1 : text_len - 1;
	memcpy(text, data + 1, n);
	text[n] = 0;
	if (data[0] & 1) {
		nw = ipt_split(text, words, max, store, store_len, &e);
		if (nw < 0 && !e.msg[0])
			abort();
		return nw;
	}
	for (size_t i = 0, start = 0; i <= n && nw < max; i++) {
		if (i == n || !text[i]) {
			if (i > start || i < n)
				words[nw++] = &text[start];
			start = i + 1;
		}
	}
	return nw;
}
