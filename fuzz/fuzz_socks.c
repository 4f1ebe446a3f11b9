// SPDX-License-Identifier: MIT
/*
 * fuzz_socks.c - libFuzzer target for what masq-socksify reads from
 * others: the SOCKS5 proxy's replies (src/socksify/socks5.c) and masqd's
 * answers (src/socksify/ask.c: origdst answers, the iface listing)
 *
 * The first byte picks the parser and how the rest is cut into reads
 * (the low bits: a read of 1..8 bytes, or all at once): the proxy's
 * bytes fed to a handshake (with a user when bit 4 is set) until it ends,
 * masqd's bytes fed to a question, or an origdst text, or a listing.
 * Checked: the feed never takes more than it was given, a failure has
 * its words, a success holds an address and a port.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "socksify/ask.h"
#include "socksify/socks5.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t chunk(uint8_t mode, size_t left)
{
	size_t c = (mode & 7) ? (size_t)(mode & 7) : left;

	return c < left ? c : left;
}

static void proxy(uint8_t mode, const uint8_t *p, size_t n)
{
	static struct socks5 s;
	enum socks5_result r = SOCKS5_MORE;
	size_t off = 0, used;

	if (socks5_start(&s, (mode & 16) ? "user" : NULL, "pass",
			 inet_addr("198.51.100.7"), htons(80)))
		abort();
	while (off < n && (r == SOCKS5_MORE || r == SOCKS5_SEND)) {
		size_t c = chunk(mode, n - off);

		r = socks5_feed(&s, p + off, c, &used);
		if (used > c || s.out_len > sizeof(s.out) || s.in_len > sizeof(s.in))
			abort();
		if (r == SOCKS5_FAIL && !s.why)
			abort();
		if (r == SOCKS5_OK && s.state != SOCKS5_S_DONE)
			abort();
		off += used;
	}
}

static void masqd(uint8_t mode, const uint8_t *p, size_t n)
{
	static struct sx_ask a;
	enum sx_ask_result r = SX_ASK_WAIT;
	size_t off = 0;

	sx_ask_init(&a, "/nonexistent");
	a.busy = true;
	while (off < n && r == SX_ASK_WAIT) {
		size_t c = chunk(mode, n - off);

		r = sx_ask_take(&a, p + off, c);
		off += c;
		if (a.text_len >= sizeof(a.text) || a.in_len > sizeof(a.in))
			abort();
	}
	if (r == SX_ASK_FOUND && (!a.dport || a.status != 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in_addr addrs[4];
	uint32_t addr;
	uint16_t port;
	int n;

	if (size < 1)
		return 0;
	switch (data[0] >> 6) {
	case 0:
		proxy(data[0], data + 1, size - 1);
		break;
	case 1:
		masqd(data[0], data + 1, size - 1);
		break;
	case 2:
		if (!sx_origdst_parse((const char *)data + 1, size - 1, &addr,
				      &port) && !port)
			abort();
		break;
	default:
		sx_ask_iface_parse((const char *)data + 1, size - 1, addrs, 4, &n);
		if (n < 0 || n > 4)
			abort();
	}
	return 0;
}
