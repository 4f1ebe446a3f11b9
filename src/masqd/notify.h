/* SPDX-License-Identifier: MIT */
/*
 * notify.h - tell a service manager (systemd's Type=notify) how masqd is
 * doing, with no libsystemd: see notify.c
 */
#ifndef MASQD_NOTIFY_H
#define MASQD_NOTIFY_H

int notify_init(void);
int notify_ready(int nifaces);
int notify_stopping(void);

#endif
