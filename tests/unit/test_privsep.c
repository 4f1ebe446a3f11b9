// SPDX-License-Identifier: MIT
/*
 * test_privsep.c - the privileged helper's message (masqd/privmsg.c)
 *
 * The helper runs as root and reads one kind of input: 16 bytes from the
 * packet process, which may be the one compromised. Every message made
 * is accepted back as it was; every other length, a wrong magic, an
 * unknown type, a flag a type does not take, an argument out of its
 * type's range and a reserved field not zero is refused; and a random
 * walk over every byte value of every field never has a refused message
 * accepted or an accepted one out of range. The walk's seed is printed.
 *
 * Prints "ok privsep/NAME" or "FAIL privsep/NAME: why".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../lib/report.h"
#include "../lib/rng.h"
#include "masqd/privsep.h"

static int accepts(const struct privsep_msg *m, const char *what)
{
	struct privsep_msg back;
	int ret = privsep_parse(m, sizeof(*m), &back);

	if (ret)
		return report_failf("%s refused: %d", what, ret);
	if (memcmp(&back, m, sizeof(back)))
		return report_failf("%s read back differs", what);
	return 0;
}

static int refuses(const void *buf, size_t len, int want, const char *what)
{
	struct privsep_msg back;
	int ret = privsep_parse(buf, len, &back);

	if (ret != want)
		return report_failf("%s: %d, expected %d", what, ret, want);
	return 0;
}

static int round_trip(void)
{
	struct privsep_msg m;

	privsep_make(&m, PRIVSEP_STOP, 0, 0);
	if (accepts(&m, "stop"))
		return -1;
	privsep_make(&m, PRIVSEP_STOP, PRIVSEP_KEEP, 0);
	if (accepts(&m, "stop keep"))
		return -1;
	privsep_make(&m, PRIVSEP_REAPPLY, 0, 0);
	if (accepts(&m, "reapply"))
		return -1;
	privsep_make(&m, PRIVSEP_SECCOMP, 0, 101);
	if (accepts(&m, "seccomp 101"))
		return -1;
	privsep_make(&m, PRIVSEP_CRASH, 0, 11);
	if (accepts(&m, "crash 11"))
		return -1;
	privsep_make(&m, PRIVSEP_ANSWER, 0, -EPROTO);
	return accepts(&m, "answer -EPROTO");
}

static int wrong_length(void)
{
	char buf[64] = { 0 };
	struct privsep_msg m;

	privsep_make(&m, PRIVSEP_STOP, 0, 0);
	memcpy(buf, &m, sizeof(m));
	for (size_t len = 0; len < sizeof(buf); len++)
		if (len != sizeof(m) &&
		    refuses(buf, len, -EMSGSIZE, "a message of another length"))
			return -1;
	return 0;
}

static int hostile_fields(void)
{
	struct privsep_msg m;

	privsep_make(&m, PRIVSEP_STOP, 0, 0);
	m.magic ^= 1;
	if (refuses(&m, sizeof(m), -EBADMSG, "wrong magic"))
		return -1;
	privsep_make(&m, PRIVSEP_NONE, 0, 0);
	if (refuses(&m, sizeof(m), -EPROTO, "type 0"))
		return -1;
	privsep_make(&m, PRIVSEP_TYPE_NUM, 0, 0);
	if (refuses(&m, sizeof(m), -EPROTO, "type past the last"))
		return -1;
	privsep_make(&m, PRIVSEP_REAPPLY, PRIVSEP_KEEP, 0);
	if (refuses(&m, sizeof(m), -EPROTO, "keep on reapply"))
		return -1;
	privsep_make(&m, PRIVSEP_STOP, 0x2, 0);
	if (refuses(&m, sizeof(m), -EPROTO, "an unknown flag"))
		return -1;
	privsep_make(&m, PRIVSEP_STOP, 0, 1);
	if (refuses(&m, sizeof(m), -EPROTO, "an argument to stop"))
		return -1;
	privsep_make(&m, PRIVSEP_SECCOMP, 0, PRIVSEP_SYSCALL_MAX + 1);
	if (refuses(&m, sizeof(m), -EPROTO, "a syscall number too big"))
		return -1;
	privsep_make(&m, PRIVSEP_SECCOMP, 0, -1);
	if (refuses(&m, sizeof(m), -EPROTO, "a negative syscall number"))
		return -1;
	privsep_make(&m, PRIVSEP_CRASH, 0, 0);
	if (refuses(&m, sizeof(m), -EPROTO, "signal 0"))
		return -1;
	privsep_make(&m, PRIVSEP_ANSWER, 0, 1);
	if (refuses(&m, sizeof(m), -EPROTO, "a positive answer"))
		return -1;
	privsep_make(&m, PRIVSEP_ANSWER, 0, -4096);
	if (refuses(&m, sizeof(m), -EPROTO, "an answer below -4095"))
		return -1;
	privsep_make(&m, PRIVSEP_STOP, 0, 0);
	m.reserved = 1;
	return refuses(&m, sizeof(m), -EPROTO, "reserved not zero");
}

/* What an accepted message may be, checked apart from the parser */
static bool in_range(const struct privsep_msg *m)
{
	if (m->magic != PRIVSEP_MAGIC || m->reserved || !m->type ||
	    m->type >= PRIVSEP_TYPE_NUM)
		return false;
	if (m->flags && !(m->type == PRIVSEP_STOP && m->flags == PRIVSEP_KEEP))
		return false;
	switch (m->type) {
	case PRIVSEP_SECCOMP:
		return m->arg >= 0 && m->arg <= PRIVSEP_SYSCALL_MAX;
	case PRIVSEP_CRASH:
		return m->arg > 0 && m->arg < 65;
	case PRIVSEP_ANSWER:
		return m->arg <= 0 && m->arg >= -4095;
	default:
		return m->arg == 0;
	}
}

static int random_walk(void)
{
	uint64_t seed = (uint64_t)time(NULL) | 1, s = seed;

	printf("# privsep random_walk seed %llu\n", (unsigned long long)seed);
	for (int i = 0; i < 200000; i++) {
		struct privsep_msg m, back;
		unsigned char *b = (unsigned char *)&m;

		privsep_make(&m, (enum privsep_type)(rng_next(&s) %
			     PRIVSEP_TYPE_NUM), 0, 0);
		for (int k = rng_next(&s) % 3; k > 0; k--)	/* a few bytes off */
			b[rng_next(&s) % sizeof(m)] = (unsigned char)rng_next(&s);
		if (!privsep_parse(&m, sizeof(m), &back) != in_range(&m))
			return report_failf("seed %llu, step %d: type %u flags "
					    "%u arg %d: parser and range disagree",
					    (unsigned long long)seed, i, m.type,
					    m.flags, m.arg);
	}
	return 0;
}

static int names(void)
{
	for (int t = 0; t < PRIVSEP_TYPE_NUM; t++)
		if (!privsep_type_names[t] || !privsep_type_names[t][0])
			return report_failf("type %d has no name", t);
	return 0;
}

int main(void)
{
	static const struct {
		const char *name;
		int (*fn)(void);
	} cases[] = {
		{ "round_trip", round_trip },
		{ "wrong_length", wrong_length },
		{ "hostile_fields", hostile_fields },
		{ "random_walk", random_walk },
		{ "names", names },
	};
	int failed = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = cases[i].fn();

		report_case("privsep", cases[i].name, rc);
		failed |= rc != 0;
	}
	return failed;
}
