// SPDX-License-Identifier: MIT
/*
 * fuzz_ctfilter.c - hostile conntrack command lines into
 *		     ct_cmdline_parse() (src/engine/ctfilter.c)
 *
 * The input is split into words at NUL or ' ' (empty words happen), at
 * most 40, after the word "conntrack". The parse must end in 0 or 2; a
 * refusal must say why (a message, within its buffer); an acceptance
 * must be one command, with a filter only for -L, -D and -G, -G's with
 * its whole tuple, and the same when parsed again (no state kept).
 * The engine's side of the same words (the walks that apply the filter)
 * is fuzz_ctl's.
 *
 * MASQ_FUZZ_WRITE_SEEDS=DIR writes a few command lines into DIR and exits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "masq/ctfilter.h"
#include "../tests/lib/fuzzeng.h"

#define MAX_WORDS	41
#define MAX_INPUT	1024

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static const char *const seeds[] = {
	"-L -p tcp --dport 80 --state ESTABLISHED",
	"-D -s 192.168.0.2 -d 10.0.0.1 -r 1.2.3.4 -q 127.1 -m 0x10/0xf0",
	"-G -p tcp -s 1.1.1.1 -d 2.2.2.2 --sport 1 --dport 2",
	"-G -p icmp -s 1.1.1.1 -d 2.2.2.2 --icmp-type 8 --icmp-code 0 --icmp-id 9",
	"-L -p udp --orig-port-src 53 --reply-port-src 1 --reply-port-dst 2 -o json",
	"-L expect",
	"-C -p tcp",
	"--dump -p 17 --sport 65535",
};

static void write_seeds(const char *dir)
{
	char name[16];

	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		snprintf(name, sizeof(name), "ct-%zu", i);
		fuzzeng_seed(dir, name, seeds[i], strlen(seeds[i]));
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzzeng_start(64, 2048, write_seeds);
	return 0;
}

/* What an accepted command line must be */
static void check_accepted(const struct ct_cmdline *c)
{
	uint32_t tuple = CTF_PROTO | CTF_SRC | CTF_DST;

	if (!c->cmd || !strchr("LDGFCE", c->cmd))
		abort();
	if (c->f.has && (!strchr("LDG", c->cmd) || c->expect))
		abort();
	if (c->cmd == 'G' && ((c->f.has & tuple) != tuple ||
			      !(c->f.has & CTF_GET)))
		abort();
	if (c->json && c->cmd != 'L')
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char store[MAX_INPUT + 1];
	char *words[MAX_WORDS] = { "conntrack" };
	char err[CTF_ERR_MAX], err2[CTF_ERR_MAX];
	struct ct_cmdline c, c2;
	int n = 1, rc;

	if (size > MAX_INPUT)
		size = MAX_INPUT;
	memcpy(store, data, size);
	store[size] = '\0';
	for (size_t i = 0, start = 0; i <= size && n < MAX_WORDS; i++)
		if (i == size || store[i] == ' ' || store[i] == '\0') {
			store[i] = '\0';
			words[n++] = store + start;
			start = i + 1;
		}
	memset(err, 0x55, sizeof(err));
	rc = ct_cmdline_parse(n, words, &c, err, sizeof(err));
	if (rc == 2 && (!err[0] || !memchr(err, '\0', sizeof(err))))
		abort();
	if (rc != 0 && rc != 2)
		abort();
	if (rc)
		return 0;
	check_accepted(&c);
	if (ct_cmdline_parse(n, words, &c2, err2, sizeof(err2)) ||
	    memcmp(&c, &c2, sizeof(c)))
		abort();
	return 0;
}
