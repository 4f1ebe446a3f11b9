/* SPDX-License-Identifier: MIT */
/*
 * sandbox.h - the packet process's least privilege: another user, two
 * capabilities, no_new_privs, a seccomp allow-list (sandbox.c)
 */
#ifndef MASQD_SANDBOX_H
#define MASQD_SANDBOX_H

#define SANDBOX_DEFAULT_USER	"masq"
#define SANDBOX_FALLBACK_USER	"nobody"

struct masqd;
int sandbox_user(const char *name);
int sandbox_enter(struct masqd *d);
int sandbox_syscalls(void);

#endif
