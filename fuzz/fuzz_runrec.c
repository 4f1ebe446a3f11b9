// SPDX-License-Identifier: MIT
/*
 * fuzz_runrec.c - a record file under /run/masq (io/runrec.c)
 *
 * The input is the file's bytes. runrec_parse() must never read outside
 * them nor crash; a record it accepts must have a table name of masqd's
 * shape (it goes to nft) and an interface name that fits, and must
 * format and parse back to the same values.
 *
 * MASQ_FUZZ_WRITE_SEEDS=DIR writes three valid records (all three
 * sysctls; none; with a twin line) into DIR and exits.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/io/runrec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static void write_seed(const char *dir, int k, const struct runrec *r)
{
	char path[1024], buf[RUNREC_MAX];
	int n = runrec_format(r, buf, sizeof(buf));
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%d", dir, k);
	f = fopen(path, "wb");
	if (!f || n < 0)
		abort();
	fwrite(buf, 1, (size_t)n, f);
	fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("MASQ_FUZZ_WRITE_SEEDS");
	struct runrec r = { .iface = "lan0", .ifindex = 2,
			    .mac = { 0x02, 0x6d, 0x71, 0, 1, 1 },
			    .table = "masqd_0cc6ab0f",
			    .sock = "/run/masq/masqd.sock", .pid = 1234 };

	(void)argc;
	(void)argv;
	if (!dir)
		return 0;
	write_seed(dir, 0, &r);
	for (int s = 0; s < TO_SYSCTL_NUM; s++) {
		r.has[s] = true;
		r.orig[s] = s;
	}
	write_seed(dir, 1, &r);
	snprintf(r.twin, sizeof(r.twin), "lan0-h");
	r.twin_ifindex = 7;
	write_seed(dir, 2, &r);
	exit(0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct runrec r, back;
	char why[160], buf[RUNREC_MAX];
	int n;

	if (runrec_parse((const char *)data, size, &r, why, sizeof(why)))
		return 0;
	if (!runrec_table_ok(r.table) || !r.iface[0])
		abort();
	n = runrec_format(&r, buf, sizeof(buf));
	if (n < 0 || runrec_parse(buf, (size_t)n, &back, why, sizeof(why)) ||
	    memcmp(&r, &back, sizeof(r)))
		abort();
	return 0;
}
