// SPDX-License-Identifier: MIT
/*
 * fuzz_sockdiag.c - libFuzzer target for the sock_diag reply parser
 * (sdiag_parse()) and the host-ports list (sdiag_format_list())
 *
 * Byte 0, bit 0: the dump's protocol (TCP, UDP); bytes 1-4: the router's
 * address; the rest is what one recv() on the NETLINK_SOCK_DIAG socket
 * could have given. Beyond not crashing (the buffer is exactly the
 * input's size, so ASan sees a read past it): the answer is 0 or
 * -EBADMSG; no more sockets kept than read, no more ports set than
 * kept, port 0 never, the other protocol's bitmap untouched; and the
 * ports' list is under SDIAG_WORD_MAX, names every port set, in order.
 *
 * MASQ_FUZZ_WRITE_SEEDS=DIR writes a few replies (made with
 * tests/lib/nlbuild.h) into DIR and exits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "../src/io/sockdiag.h"
#include "../tests/lib/nlbuild.h"

#define HDR	5

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static struct sdiag_ports ports;
static char list[SDIAG_WORD_MAX];

static uint32_t count_ports(const uint64_t *bits)
{
	uint32_t n = 0;

	for (int w = 0; w < SDIAG_WORDS; w++)
		n += (uint32_t)__builtin_popcountll(bits[w]);
	return n;
}

/* Every port set must be in the list, whose numbers only rise */
static void check_list(const uint64_t *bits)
{
	const char *s = list;
	long prev = 0;
	uint32_t covered = 0;

	if (sdiag_format_list(bits, list, sizeof(list)) < 0)
		abort();
	if (!strcmp(list, "-")) {
		if (count_ports(bits))
			abort();
		return;
	}
	while (*s) {
		char *end;
		long lo = strtol(s, &end, 10), hi = lo;

		if (*end == '-')
			hi = strtol(end + 1, &end, 10);
		if (lo <= prev || hi < lo || hi > 65535)
			abort();
		for (long p = lo; p <= hi; p++)
			covered += bits[p / 64] >> (p % 64) & 1;
		prev = hi;
		s = *end ? end + 1 : end;
	}
	if (covered != count_ports(bits))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdiag_result res = { 0 };
	enum sdiag_proto proto;
	struct sdiag_filter f;
	uint32_t addr;
	int rc;

	if (size < HDR)
		return 0;
	proto = data[0] & 1 ? SDIAG_UDP : SDIAG_TCP;
	memcpy(&addr, data + 1, 4);
	f = (struct sdiag_filter){ &addr, 1 };
	memset(&ports, 0, sizeof(ports));
	rc = sdiag_parse(data + HDR, size - HDR, proto, &f, &ports, &res);
	if (rc && rc != -EBADMSG)
		abort();
	if (res.kept > res.sockets ||
	    count_ports(ports.bits[proto]) > res.kept ||
	    count_ports(ports.bits[!proto]) || (ports.bits[proto][0] & 1))
		abort();
	check_list(ports.bits[proto]);
	return 0;
}

static void write_seed(const char *dir, int k, uint8_t proto,
		       const uint8_t *p, size_t len)
{
	static const uint8_t router[4] = { 203, 0, 113, 1 };
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-sockdiag-%d", dir, k);
	f = fopen(path, "wb");
	if (!f)
		return;
	fputc(proto, f);
	fwrite(router, 1, 4, f);
	fwrite(p, 1, len, f);
	fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const uint8_t any4[4], any6[16], mine[4] = { 203, 0, 113, 1 };
	static const uint8_t mapped[16] = { [10] = 0xff, [11] = 0xff,
					    203, 0, 113, 1 };
	static uint8_t buf[4096];
	const char *dir = getenv("MASQ_FUZZ_WRITE_SEEDS");
	struct nlb b;

	(void)argc;
	(void)argv;
	if (!dir)
		return 0;
	nlb_init(&b, buf, sizeof(buf));
	nlb_diag(&b, AF_INET, TCP_LISTEN, 22, any4, -1);
	nlb_diag(&b, AF_INET, TCP_LISTEN, 2222, mine, -1);
	nlb_diag(&b, AF_INET6, TCP_LISTEN, 80, any6, 0);
	nlb_diag(&b, AF_INET6, TCP_LISTEN, 443, mapped, 1);
	nlb_done(&b, 1, 0, 0);
	write_seed(dir, 0, 0, buf, nlb_end(&b));
	nlb_init(&b, buf, sizeof(buf));
	nlb_diag(&b, AF_INET, TCP_CLOSE, 53, mine, -1);
	nlb_diag(&b, AF_INET6, TCP_CLOSE, 5353, any6, 1);
	nlb_error(&b, 2, -ENOENT);
	write_seed(dir, 1, 1, buf, nlb_end(&b));
	exit(0);
}
