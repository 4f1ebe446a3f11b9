// SPDX-License-Identifier: MIT
/*
 * fuzz_socksify_conf.c - libFuzzer target for masq-socksify's two files,
 * the ports file and the local-networks file (src/socksify/conf.c)
 *
 * The first byte picks the file; the rest is its text. Checked: the
 * error text is NUL-terminated within its buffer and says "FILE:" when
 * the parse fails, a good parse's count matches its bitmap (ports) and
 * every network has no host bits (local).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "socksify/socksify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sx_ports ports;
static struct sx_local local;

static void check_ports(void)
{
	unsigned n = 0;

	for (size_t i = 0; i < sizeof(ports.bits); i++)
		n += (unsigned)__builtin_popcount(ports.bits[i]);
	if (sx_port_listed(&ports, 0))
		abort();
	if (n != ports.n)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[128];
	int rc;

	if (size < 1)
		return 0;
	memset(err, 'x', sizeof(err));
	if (data[0] & 1) {
		rc = sx_ports_parse((const char *)data + 1, size - 1, "F", &ports,
				    err, sizeof(err));
		if (!rc)
			check_ports();
	} else {
		rc = sx_local_parse((const char *)data + 1, size - 1, "F", &local,
				    err, sizeof(err));
		for (unsigned i = 0; !rc && i < local.n; i++)
			if (local.net[i].addr & ~local.net[i].mask)
				abort();
	}
	if (!memchr(err, '\0', sizeof(err)))
		abort();
	if (rc && strncmp(err, "F:", 2))
		abort();
	return 0;
}
