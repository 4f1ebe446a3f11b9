// SPDX-License-Identifier: MIT
/*
 * csum.c - the full Internet checksum (RFC 1071)
 *
 * Addresses and words are summed as they lie in memory (network order),
 * so no byte swapping is needed: one's complement addition is
 * byte-order independent (RFC 1071 section 2(B)).
 */
#include <arpa/inet.h>
#include <string.h>

#include "csum.h"

uint32_t csum_partial(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;
	uint64_t acc = sum;

	while (len >= 8) {
		uint32_t a, b;

		memcpy(&a, p, 4);
		memcpy(&b, p + 4, 4);
		acc += (uint64_t)a + b;
		p += 8;
		len -= 8;
	}
	while (len >= 2) {
		uint16_t w;

		memcpy(&w, p, 2);
		acc += w;
		p += 2;
		len -= 2;
	}
	if (len) {
		uint16_t w = 0;

		memcpy(&w, p, 1);
		acc += w;
	}
	while (acc >> 32)
		acc = (acc & 0xffffffff) + (acc >> 32);
	return (uint32_t)((acc & 0xffff) + (acc >> 16));
}

/**
 * csum_pseudo_ipv4() - Sum of the IPv4 pseudo-header
 * @saddr:	source, network order
 * @daddr:	destination, network order
 * @proto:	IP protocol
 * @len:	L4 length, host order
 *
 * Return: unfolded sum, to be continued with csum_partial()
 */
uint32_t csum_pseudo_ipv4(uint32_t saddr, uint32_t daddr, uint8_t proto,
			  uint16_t len)
{
	uint8_t ph[12];
	uint16_t l = htons(len);

	memcpy(ph, &saddr, 4);
	memcpy(ph + 4, &daddr, 4);
	ph[8] = 0;
	ph[9] = proto;
	memcpy(ph + 10, &l, 2);
	return csum_partial(ph, sizeof(ph), 0);
}
