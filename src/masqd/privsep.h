/* SPDX-License-Identifier: MIT */
/*
 * privsep.h - the privileged helper and its message protocol (privsep.c)
 *
 * Every message, both ways, is one struct privsep_msg, 16 bytes, on a
 * SOCK_SEQPACKET socketpair (one message per datagram). Anything else
 * -- another length, another magic, an unknown type or flag, an argument
 * out of its range, a reserved field not zero -- is refused by
 * privsep_parse(), and the helper treats a refused message as the end of
 * the packet process (it gives the interfaces back and exits).
 *
 *	packet process -> helper
 *	PRIVSEP_STOP	 flags PRIVSEP_KEEP or 0: give everything back (0),
 *			 or leave it for a successor (KEEP); answered, then
 *			 the helper exits
 *	PRIVSEP_REAPPLY	 put the nft table back (someone removed a chain);
 *			 answered with 0 or -errno
 *	PRIVSEP_SECCOMP	 arg: the number of a forbidden system call the
 *			 packet process made (its SIGSYS handler sends it
 *			 before it dies): the helper logs it, gives back
 *	PRIVSEP_TUN	 open /dev/net/tun (a twin is made again): answered
 *			 with 0 and the descriptor (SCM_RIGHTS), or -errno
 *	PRIVSEP_CRASH	 arg: a fatal signal the packet process got (its
 *			 crash handler): the helper gives back, answers,
 *			 and the packet process dies after the answer
 *	helper -> packet process
 *	PRIVSEP_ANSWER	 arg: 0 or -errno (-4095..0)
 */
#ifndef MASQD_PRIVSEP_H
#define MASQD_PRIVSEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PRIVSEP_MAGIC		0x4d515053u	/* "MQPS" */
#define PRIVSEP_MSG_LEN		16
#define PRIVSEP_KEEP		0x1u		/* STOP: leave it for a successor */
#define PRIVSEP_SYSCALL_MAX	4095		/* SECCOMP's argument, at most */
#define PRIVSEP_ANSWER_TIMEOUT_MS 10000	/* nft's 5 s, twice */

enum privsep_type {
	PRIVSEP_NONE,		/* 0: never valid */
	PRIVSEP_STOP,
	PRIVSEP_REAPPLY,
	PRIVSEP_SECCOMP,
	PRIVSEP_CRASH,
	PRIVSEP_ANSWER,
	PRIVSEP_TUN,
	PRIVSEP_TYPE_NUM
};

extern const char *const privsep_type_names[PRIVSEP_TYPE_NUM];

/**
 * struct privsep_msg - one message, as it is on the socket (host order:
 * both ends are the same binary on the same machine)
 * @magic:	PRIVSEP_MAGIC
 * @type:	enum privsep_type
 * @flags:	PRIVSEP_KEEP (STOP only), else 0
 * @arg:	SECCOMP: syscall number; CRASH: signal; ANSWER: 0 or -errno
 * @reserved:	0
 */
struct privsep_msg {
	uint32_t magic;
	uint16_t type;
	uint16_t flags;
	int32_t arg;
	uint32_t reserved;
};

int privsep_parse(const void *buf, size_t len, struct privsep_msg *m);
void privsep_make(struct privsep_msg *m, enum privsep_type type,
		  uint16_t flags, int32_t arg);

struct masqd;
int privsep_start(struct masqd *d);
bool privsep_active(void);
int privsep_stop(bool keep);
int privsep_reapply(void);
int privsep_open_tun(void);
void privsep_tell_seccomp(int nr);
void privsep_tell_crash(int sig);

#endif
