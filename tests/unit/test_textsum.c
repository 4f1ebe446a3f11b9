// SPDX-License-Identifier: MIT
/*
 * test_textsum.c - adding two workers' listings (src/masqd/textsum.c)
 *
 * masqd --workers N answers `stats` and `conntrack -C` once, with each
 * engine's numbers added: "name N" lines, "USED/MAX" pairs, columns
 * padded to different widths; words with digits inside (addresses,
 * "dpt:80", "eth0") left alone and required to match; and every shape
 * that differs (a line one lacks, a different word, a number against a
 * word, an overflow) refused with the first listing unchanged.
 *
 * Prints "ok textsum/NAME" or "FAIL textsum/NAME: why".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "masqd/workers.h"

static int failed;

/* @a + @b from offset @off of a text starting with @pre; want @want */
static void check(const char *name, const char *pre, const char *a,
		  const char *b, int want_ret, const char *want)
{
	struct masq_text t = { 0 };
	int ret;

	masq_text_printf(&t, "%s%s", pre, a);
	ret = text_sum(&t, strlen(pre), b);
	if (ret != want_ret || strcmp(t.s, want)) {
		failed++;
		printf("FAIL textsum/%s: returned %d (want %d), text '%s' "
		       "(want '%s')\n", name, ret, want_ret, t.s, want);
	} else {
		printf("ok textsum/%s\n", name);
	}
	masq_text_free(&t);
}

int main(void)
{
	check("stats_lines", "",
	      "rx_frames                    120\ndrop_runt                    0\n",
	      "rx_frames                    7\ndrop_runt                    3\n", 0,
	      "rx_frames                    127\ndrop_runt                    3\n");
	check("used_max", "", "conntrack_entries            5/131072\n",
	      "conntrack_entries            12/131072\n", 0,
	      "conntrack_entries            17/262144\n");
	check("count_alone", "", "42\n", "8\n", 0, "50\n");
	check("padded_columns", "", "    5   100 ACCEPT\n", "12345 99 ACCEPT\n", 0,
	      "    12350   199 ACCEPT\n");
	check("after_offset", "header\n", "a 1\n", "a 2\n", 0, "header\na 3\n");
	check("address_must_match", "", "src=10.0.0.1 n 1\n",
	      "src=10.0.0.2 n 1\n", -EINVAL, "src=10.0.0.1 n 1\n");
	check("port_word_not_added", "", "tcp dpt:80\n", "tcp dpt:80\n", 0,
	      "tcp dpt:80\n");
	check("port_word_differs", "", "tcp dpt:80\n", "tcp dpt:81\n", -EINVAL,
	      "tcp dpt:80\n");
	check("line_missing", "", "a 1\nb 2\n", "a 1\n", -EINVAL, "a 1\nb 2\n");
	check("word_differs", "", "a 1\n", "b 1\n", -EINVAL, "a 1\n");
	check("number_against_word", "", "a 1\n", "a x\n", -EINVAL, "a 1\n");
	check("overflow_refused", "", "a 18446744073709551615\n", "a 1\n",
	      -EINVAL, "a 18446744073709551615\n");
	check("both_empty", "", "", "", 0, "");
	return failed ? 1 : 0;
}
