// SPDX-License-Identifier: MIT
/*
 * privmsg.c - the privileged helper's message: checked and made
 * (privsep.h has the protocol; privsep.c the two processes)
 *
 * Apart from privsep.c so that the unit test and the fuzz target take
 * the parser alone. The helper runs as root and reads only these 16
 * bytes: a length, a magic, a type, a flag and an argument, each
 * checked against the one set of values its type allows.
 */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include "masqd/privsep.h"

const char *const privsep_type_names[PRIVSEP_TYPE_NUM] = {
	[PRIVSEP_NONE] = "none",
	[PRIVSEP_STOP] = "stop",
	[PRIVSEP_REAPPLY] = "reapply",
	[PRIVSEP_SECCOMP] = "seccomp",
	[PRIVSEP_CRASH] = "crash",
	[PRIVSEP_ANSWER] = "answer",
	[PRIVSEP_TUN] = "tun",
};
static_assert(sizeof(privsep_type_names) / sizeof(privsep_type_names[0]) ==
	      PRIVSEP_TYPE_NUM, "a name per message type");
static_assert(sizeof(struct privsep_msg) == PRIVSEP_MSG_LEN,
	      "the message is 16 bytes, no padding");

/* Is @arg in range for @type? */
static bool arg_ok(enum privsep_type type, int32_t arg)
{
	switch (type) {
	case PRIVSEP_SECCOMP:
		return arg >= 0 && arg <= PRIVSEP_SYSCALL_MAX;
	case PRIVSEP_CRASH:
		return arg > 0 && arg < 65;	/* a signal number */
	case PRIVSEP_ANSWER:
		return arg <= 0 && arg >= -4095;
	default:
		return arg == 0;
	}
}

/**
 * privsep_parse() - Check one received message
 * @buf:	what recv() returned
 * @len:	its length
 * @m:		filled when it is well-formed
 *
 * Return: 0, -EMSGSIZE for a wrong length, -EBADMSG for a wrong magic,
 * -EPROTO for an unknown type, flag, a bad argument or a reserved field
 */
int privsep_parse(const void *buf, size_t len, struct privsep_msg *m)
{
	struct privsep_msg t;

	if (len != PRIVSEP_MSG_LEN)
		return -EMSGSIZE;
	memcpy(&t, buf, sizeof(t));
	if (t.magic != PRIVSEP_MAGIC)
		return -EBADMSG;
	if (t.type == PRIVSEP_NONE || t.type >= PRIVSEP_TYPE_NUM ||
	    t.reserved)
		return -EPROTO;
	if (t.flags & ~(t.type == PRIVSEP_STOP ? PRIVSEP_KEEP : 0u))
		return -EPROTO;
	if (!arg_ok(t.type, t.arg))
		return -EPROTO;
	*m = t;
	return 0;
}

/**
 * privsep_make() - Fill a message (async-signal-safe)
 * @m:		the message
 * @type:	what it asks or answers
 * @flags:	PRIVSEP_KEEP or 0
 * @arg:	its argument
 */
void privsep_make(struct privsep_msg *m, enum privsep_type type,
		  uint16_t flags, int32_t arg)
{
	m->magic = PRIVSEP_MAGIC;
	m->type = (uint16_t)type;
	m->flags = flags;
	m->arg = arg;
	m->reserved = 0;
}
