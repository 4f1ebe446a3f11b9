// SPDX-License-Identifier: MIT
/*
 * fuzz_json.c - masqctl's JSON output (src/masqctl/json.c) from hostile
 *		 listings
 *
 * The first byte picks the reader; the rest is its input:
 *	0	`stats` text through json_stats()
 *	1	conntrack -L text through the feed, in parts whose sizes the
 *		next byte sets; the output must open with '[' and end with
 *		"]\n", whatever the lines were
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "masqctl/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void feed_case(const char *s, size_t n, size_t step)
{
	static struct json_feed j;
	char *buf = NULL;
	size_t len = 0;

	memset(&j, 0, sizeof(j));
	j.to = open_memstream(&buf, &len);
	for (size_t at = 0; at < n;) {
		size_t k = n - at > step ? step : n - at;

		json_feed_part(&j, s + at, k);
		at += k;
	}
	json_feed_end(&j);
	fclose(j.to);
	if (len < 3 || buf[0] != '[' || strcmp(buf + len - 2, "]\n"))
		abort();
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (size < 2)
		return 0;
	if (data[0] & 1) {
		feed_case((const char *)data + 2, size - 2, data[1] + 1u);
		return 0;
	}
	f = open_memstream(&buf, &len);
	json_stats((const char *)data + 1, size - 1, f);
	fclose(f);
	free(buf);
	return 0;
}
