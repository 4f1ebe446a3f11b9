// SPDX-License-Identifier: MIT
/*
 * fuzz_privsep.c - the privileged helper's message (masqd/privmsg.c)
 *
 * The input is one datagram as the helper receives it. privsep_parse()
 * must never read past it nor crash; a message it accepts must be one
 * the helper can act on: the magic, a known type, only STOP's flag, an
 * argument in its type's range, the reserved field zero; and made again
 * with privsep_make() it must be byte for byte the same.
 *
 * MASQ_FUZZ_WRITE_SEEDS=DIR writes one message of each type into DIR and
 * exits.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/masqd/privsep.h"
#include "../tests/lib/fuzzeng.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("MASQ_FUZZ_WRITE_SEEDS");
	static const struct {
		const char *name;
		enum privsep_type type;
		uint16_t flags;
		int32_t arg;
	} seeds[] = {
		{ "stop", PRIVSEP_STOP, 0, 0 },
		{ "stop-keep", PRIVSEP_STOP, PRIVSEP_KEEP, 0 },
		{ "reapply", PRIVSEP_REAPPLY, 0, 0 },
		{ "seccomp", PRIVSEP_SECCOMP, 0, 101 },
		{ "crash", PRIVSEP_CRASH, 0, 11 },
		{ "answer", PRIVSEP_ANSWER, 0, -EPROTO },
	};

	(void)argc;
	(void)argv;
	if (!dir)
		return 0;
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		struct privsep_msg m;

		privsep_make(&m, seeds[i].type, seeds[i].flags, seeds[i].arg);
		fuzzeng_seed(dir, seeds[i].name, &m, sizeof(m));
	}
	exit(0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct privsep_msg m, again;

	if (privsep_parse(data, size, &m))
		return 0;
	if (size != PRIVSEP_MSG_LEN || m.magic != PRIVSEP_MAGIC || m.reserved ||
	    !m.type || m.type >= PRIVSEP_TYPE_NUM)
		abort();
	if (m.flags && (m.type != PRIVSEP_STOP || m.flags != PRIVSEP_KEEP))
		abort();
	if (m.type == PRIVSEP_SECCOMP && (m.arg < 0 || m.arg > PRIVSEP_SYSCALL_MAX))
		abort();
	if (m.type == PRIVSEP_ANSWER && (m.arg > 0 || m.arg < -4095))
		abort();
	privsep_make(&again, (enum privsep_type)m.type, m.flags, m.arg);
	if (memcmp(&again, data, sizeof(again)))
		abort();
	return 0;
}
