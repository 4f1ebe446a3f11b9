// SPDX-License-Identifier: MIT
/*
 * fuzz_metrics.c - masqd --metrics' rendering (src/masqd/metrics.c) of
 *		    hostile `stats` and `iptables-save -c` texts
 *
 * The input is split at its first NUL: the stats text, then the rules
 * text. Whatever they hold, the output must keep the format's grouping:
 * every sample line's metric name is that of the last # TYPE line.
 *
 * MASQ_FUZZ_WRITE_SEEDS=DIR writes a seed into DIR and exits.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "masqd/metrics.h"
#include "../tests/lib/fuzzeng.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char both[] = "rx_frames 12\nneigh_queued 1\nneigh_queue 0/16\n"
		"drop_runt 2\nconntrack_entries 3/4\nio_lan0_rx_frames 9\n"
		"masqd_control_memory 4096\n\0*filter\n:INPUT ACCEPT [1:2]\n"
		":x - [0:0]\n[5:300] -A FORWARD -i lan0 -j ACCEPT\n"
		"[1:60] -A x -j DROP\nCOMMIT\n";
	const char *dir = getenv("MASQ_FUZZ_WRITE_SEEDS");

	(void)argc;
	(void)argv;
	if (!dir)
		return 0;
	fuzzeng_seed(dir, "metrics-0", both, sizeof(both) - 1);
	exit(0);
}

/* Each sample under its own family's # TYPE (abort otherwise) */
static void check_grouped(const char *s, size_t len)
{
	const char *p = s, *end = s + len, *fam = NULL;
	size_t famlen = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n > 7 && !memcmp(p, "# TYPE ", 7)) {
			fam = p + 7;
			famlen = strcspn(fam, " ");
		} else if (n && p[0] != '#') {
			size_t k = strcspn(p, "{ ");

			if (!fam || k != famlen || memcmp(p, fam, k))
				abort();
		}
		p += n + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	const char *nul = memchr(s, 0, size);
	size_t slen = nul ? (size_t)(nul - s) : size;
	struct masq_text out = { 0 };

	metrics_render(s, slen, nul ? nul + 1 : "", nul ? size - slen - 1 : 0,
		       &out);
	if (!out.oom && out.s)
		check_grouped(out.s, out.len);
	masq_text_free(&out);
	return 0;
}
