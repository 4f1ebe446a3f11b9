// SPDX-License-Identifier: MIT
/*
 * fuzz_runrec.c - a record file under /run/masq (io/runrec.c)
 *
 * The input is the file's bytes. runrec_parse() must never read outside
 * them nor crash; a record it accepts must have a table name of masqd's
 * shape (it goes to nft) and an interface name that fits, and must
 * format and parse back to the same values.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/io/runrec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
