// SPDX-License-Identifier: MIT
/*
 * fuzz_snapshot.c - a restart's state file (src/engine/snapshot.c writes
 * it, snaprestore.c loads it)
 *
 * An input is a mode byte (tests/lib/fuzzeng.h: the configuration the
 * file is loaded into) and then the file's bytes. Before the load the
 * header's checksum is made right for the bytes as they are, so the
 * fuzzer reaches the sections and records rather than stopping at the
 * checksum (whose own refusals test_snapshot covers). Loaded into a
 * fuzzeng engine with its connections flushed, masq_engine_restore()
 * must never read outside the input nor crash; what it restored must
 * write and load again to as many connections in a second such engine
 * (a restored table is one the engine could have made), and frames of
 * the restored flows must pass fuzzeng_check().
 *
 * The same bytes loaded by two engines as workers 0 and 1 of 2
 * (masq_engine_restore_worker(), with the steering picture) are refused
 * when one engine refused them, and otherwise restore no more
 * connections between them than records the file holds.
 *
 * MASQ_FUZZ_WRITE_SEEDS=DIR writes the snapshots of fuzzeng engines in
 * a few modes into DIR and exits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/lib/ctlline.h"
#include "../tests/lib/frame.h"
#include "../tests/lib/fuzzeng.h"

#define POOL_COUNT	256
#define BUF_SIZE	2048
#define HDR		MASQ_SNAP_HEADER
#define SUM_AT		120	/* snap.h: SNAP_SUM_AT */
#define WRITTEN_NS	(100 * FUZZENG_NS)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static struct masq_snap_info info_at(uint64_t now)
{
	struct masq_snap_info in = { .now_ns = now };

	snprintf(in.boot_id, sizeof(in.boot_id), "fuzz-boot");
	snprintf(in.version, sizeof(in.version), "fuzz");
	return in;
}

/* snapshot.c's FNV-1a 64 over the header before the sum and the payload */
static void fix_sum(uint8_t *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;

	if (len < HDR)
		return;
	for (size_t i = 0; i < len; i++) {
		if (i >= SUM_AT && i < HDR)
			continue;
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	for (int i = 0; i < 8; i++)
		p[SUM_AT + i] = (uint8_t)(h >> (8 * i));
}

/* A fuzzeng engine of @mode without its connections */
static struct masq_engine *empty_engine(uint8_t mode)
{
	struct masq_engine *e = fuzzeng_create(mode);

	if (ctlline_run(e, "conntrack -F", NULL) < 0)
		abort();
	return e;
}

static void write_seeds(const char *dir)
{
	static const uint8_t modes[] = { 0, 1, 2, 4, 0x40, 0x80 };
	struct masq_snap_info in = info_at(WRITTEN_NS);

	for (size_t i = 0; i < sizeof(modes); i++) {
		struct masq_engine *e = fuzzeng_create(modes[i]);
		struct masq_text t = { 0 };
		char name[32];

		masq_text_append(&t, (const char *)&modes[i], 1);
		if (masq_engine_snapshot(e, &in, &t))
			abort();
		snprintf(name, sizeof(name), "snapshot-%02x", modes[i]);
		fuzzeng_seed(dir, name, t.s, t.len);
		masq_text_free(&t);
		fuzzeng_destroy(e);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzzeng_start(POOL_COUNT, BUF_SIZE, write_seeds);
	return 0;
}

/* Let the restored engine run a second: expiry, and its checks */
static void run_a_while(struct masq_engine *e)
{
	struct masq_buf *out[64];
	struct masq_txq tx = { out, 0, 64 };

	masq_engine_advance(e, WRITTEN_NS + 3 * FUZZENG_NS, &tx);
	fuzzeng_check(e, &tx);
}

/*
 * @file loaded by workers 0 and 1 of 2 of @mode; @refused: what one
 * engine's load said. Return: connections the two restored
 */
static uint32_t load_as_workers(uint8_t mode, const uint8_t *file,
				size_t len, bool refused)
{
	struct masq_steer *s = calloc(1, sizeof(*s));
	uint32_t sum = 0;

	for (uint32_t k = 0; s && k < 2; k++) {
		struct masq_snap_info in = info_at(WRITTEN_NS + 2 * FUZZENG_NS);
		struct masq_engine *w = empty_engine(mode);

		if (!masq_engine_set_worker(w, k, 2) &&
		    !masq_engine_steer_conf(w, 2, s)) {
			if (!masq_engine_restore_worker(w, file, len, &in, s) ==
			    refused)
				abort();	/* the same file, the same verdict */
			sum += masq_engine_conn_count(w);
			run_a_while(w);
		}
		fuzzeng_destroy(w);
	}
	free(s);
	return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct masq_snap_info in = info_at(WRITTEN_NS + 2 * FUZZENG_NS);
	struct masq_engine *e, *again;
	struct masq_text t = { 0 };
	uint8_t *file;
	uint32_t conns;

	if (size < 1)
		return 0;
	file = malloc(size);
	memcpy(file, data + 1, size - 1);
	fix_sum(file, size - 1);
	e = empty_engine(data[0]);
	if (masq_engine_restore(e, file, size - 1, &in)) {
		if (masq_engine_conn_count(e) != 0 || !in.why[0])
			abort();	/* refused must mean untouched, and say why */
		load_as_workers(data[0], file, size - 1, true);
		goto out;
	}
	conns = masq_engine_conn_count(e);
	if (load_as_workers(data[0], file, size - 1, false) >
	    (size - 1) / 104)
		abort();	/* more than the file's records (104 bytes) */
	if (conns != in.conns)
		abort();
	if (masq_engine_snapshot(e, &in, &t))
		abort();
	again = empty_engine(data[0]);
	if (masq_engine_restore(again, t.s, t.len, &in) ||
	    masq_engine_conn_count(again) != conns)
		abort();
	fuzzeng_destroy(again);
	run_a_while(e);
out:
	masq_text_free(&t);
	fuzzeng_destroy(e);
	free(file);
	return 0;
}
