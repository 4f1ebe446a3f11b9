/* SPDX-License-Identifier: MIT */
/*
 * services.h - service and protocol names for masqd, from local files
 *
 * masqctl resolves every name before it sends a command (the C library's
 * lookups, which may block on DNS); masqd's -c file has no masqctl in
 * front of it. So masqd reads /etc/services and /etc/protocols itself, as
 * plain files, once, at its start (before it drops privileges: a SIGHUP
 * reload uses the tables in memory, even when the files are out of its
 * reach), and answers `--dport ssh` or `-p gre` from them. Never NSS,
 * never a lookup that can block. Host names stay masqctl's: the ipt
 * parser's message for one says so.
 *
 * Format (services(5), protocols(5)): one entry a line, "NAME PORT/PROTO
 * ALIAS..." or "NAME NUMBER ALIAS...", '#' to the end of the line a
 * comment. Lines that do not parse are skipped, as the C library does.
 *
 * Limits: SERVICES_MAX_FILE bytes read of each file, SERVICES_MAX names
 * (aliases count), a name at most SERVICES_NAME_MAX bytes; past those the
 * rest is not read. One table per process (the ipt_resolver hooks take
 * no context), filled before any thread and only read after.
 */
#ifndef MASQ_CONTROL_SERVICES_H
#define MASQ_CONTROL_SERVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipt/ipt.h"

#define SERVICES_MAX_FILE	(1u << 20)
#define SERVICES_MAX		16384
#define SERVICES_NAME_MAX	31

size_t services_parse(const char *text, size_t len, bool protocols);
int services_load(const char *services, const char *protocols);
size_t services_count(void);
void services_free(void);

/* The lookups over the table: service and proto; no host names */
extern const struct ipt_resolver services_resolver;

#endif
