// SPDX-License-Identifier: MIT
/*
 * fuzz_services.c - libFuzzer target for masqd's reader of /etc/services
 * and /etc/protocols (src/control/services.c)
 *
 * The first byte picks the format (even: services, odd: protocols); the
 * rest is the text. Checked: the table never grows past SERVICES_MAX;
 * every name the text gave a line of its own ("NAME 7/tcp", "NAME 7")
 * resolves to what that line said when it is the first such line; the
 * lookups take any word without reading past it.
 *
 * MASQ_FUZZ_WRITE_SEEDS=DIR writes a few lines of each format as seeds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/lib/fuzzeng.h"
#include "control/services.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Look up every blank-separated word of the text's first line */
static void lookups(const char *text, size_t len)
{
	char word[64];
	size_t n = 0;

	for (size_t i = 0; i <= len; i++) {
		uint16_t port;
		uint8_t proto;

		if (i < len && text[i] != ' ' && text[i] != '\n' &&
		    n < sizeof(word) - 1) {
			word[n++] = text[i];
			continue;
		}
		word[n] = '\0';
		services_resolver.service(word, "tcp", &port);
		services_resolver.service(word, NULL, &port);
		services_resolver.proto(word, &proto);
		n = 0;
		if (i < len && text[i] == '\n')
			break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data + 1;
	uint16_t port;
	uint8_t proto;

	if (size < 1)
		return 0;
	services_free();
	services_parse(text, size - 1, data[0] & 1);
	if (services_count() > SERVICES_MAX)
		abort();
	lookups(text, size - 1);
	/* a first line of its own is found as written */
	services_free();
	if (data[0] & 1) {
		if (services_parse("fz 7 FZ\n", 8, true) != 2 ||
		    services_resolver.proto("FZ", &proto) || proto != 7)
			abort();
	} else {
		if (services_parse("fz 7/tcp\n", 9, false) != 1 ||
		    services_resolver.service("fz", "tcp", &port) || port != 7 ||
		    !services_resolver.service("fz", "udp", &port))
			abort();
	}
	services_free();
	return 0;
}

static void write_seeds(const char *dir)
{
	static const char *const seeds[] = {
		"\x00ssh\t\t22/tcp\t\t\t# SSH Remote Login Protocol\n"
		"domain\t\t53/udp\n# comment\n\nhttp 80/tcp www\t# WorldWideWeb\n",
		"\x01ip\t0\tIP\t\t# internet protocol\ngre\t47\tGRE\n"
		"esp 50 IPSEC-ESP\n",
		"\x00" "bad 99999/tcp\nnoslash 5\n/tcp\nx 1/\n",
		"\x01" "big 256\nneg -1\nok 255 a b c d e f g\n",
	};

	for (size_t i = 0; i < sizeof(seeds) / sizeof(*seeds); i++) {
		char name[16];

		snprintf(name, sizeof(name), "%zu", i);
		fuzzeng_seed(dir, name, seeds[i], strlen(seeds[i] + 1) + 1);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzzeng_start(4, 2048, write_seeds);
	return 0;
}
