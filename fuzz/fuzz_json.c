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
 *
 * MASQ_FUZZ_WRITE_SEEDS=DIR writes a seed per reader into DIR and exits.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "masqctl/json.h"
#include "../tests/lib/fuzzeng.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char stats[] = "\0rx_frames 12\nconntrack_entries 3/262144\n"
		"io_wan0_tx_last_error No buffer space available\n";
	static const char ct[] = "\1\100tcp      6 431999 ESTABLISHED src=192.168.0.2 "
		"dst=198.51.100.7 sport=40000 dport=80 packets=5 bytes=400 "
		"src=198.51.100.7 dst=203.0.113.1 sport=80 dport=61000 "
		"packets=4 bytes=900 [ASSURED] mark=0 use=1\nicmp     1 29 "
		"src=192.168.0.2 dst=198.51.100.7 type=8 code=0 id=77 [UNREPLIED] "
		"src=198.51.100.7 dst=203.0.113.1 type=0 code=0 id=1024 mark=0 use=1\n";
	const char *dir = getenv("MASQ_FUZZ_WRITE_SEEDS");

	(void)argc;
	(void)argv;
	if (!dir)
		return 0;
	fuzzeng_seed(dir, "json-0", stats, sizeof(stats) - 1);
	fuzzeng_seed(dir, "json-1", ct, sizeof(ct) - 1);
	exit(0);
}

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
