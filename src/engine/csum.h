/* SPDX-License-Identifier: MIT */
/*
 * csum.h - Internet checksums: full (RFC 1071) and incremental (RFC 1624)
 *
 * Sums are kept as 32-bit accumulators of 16-bit words in network order
 * read as host integers; csum_fold() reduces to 16 bits. The incremental
 * form is HC' = ~(~HC + ~m + m') (RFC 1624 eqn. 3), which never yields
 * the -0 that RFC 1141's form could.
 */
#ifndef MASQ_CSUM_H
#define MASQ_CSUM_H

#include <stddef.h>
#include <stdint.h>

uint32_t csum_partial(const void *data, size_t len, uint32_t sum);

/*
 * Fold to 16 bits: the high half of sum + sum rotated by 16 is the high
 * and low words added, with the low words' carry coming in at the bottom
 * (the end-around carry). 0 only for a sum of 0, as word by word.
 */
static inline uint16_t csum_fold(uint32_t sum)
{
	return (uint16_t)((sum + (sum << 16 | sum >> 16)) >> 16);
}

/* Fold a sum of 32-bit words kept in 64 bits (end-around carries) */
static inline uint16_t csum_fold64(uint64_t sum)
{
	uint32_t hi = (uint32_t)(sum >> 32);
	uint32_t s = (uint32_t)sum + hi;

	s += s < hi;			/* the carry out of the add, back in */
	return csum_fold(s);
}

/* Checksum (complemented) of a buffer, as stored in a header */
static inline uint16_t csum_buf(const void *data, size_t len)
{
	return (uint16_t)~csum_fold(csum_partial(data, len, 0));
}

/*
 * csum_replace16() - Update a stored checksum when a 16-bit word changes
 * All three values are the raw 16-bit words as they sit in the packet.
 */
static inline uint16_t csum_replace16(uint16_t check, uint16_t old, uint16_t new)
{
	uint32_t s = (uint16_t)~check + (uint16_t)~old + (uint32_t)new;

	return (uint16_t)~csum_fold(s);
}

static inline uint16_t csum_replace32(uint16_t check, uint32_t old, uint32_t new)
{
	uint32_t s = (uint16_t)~check;

	s += (uint16_t)~(old >> 16) + (uint16_t)~(old & 0xffff);
	s += (new >> 16) + (new & 0xffff);
	return (uint16_t)~csum_fold(s);
}

/*
 * Partial (un-complemented) sums, as in the L4 field of a frame marked
 * NEEDS_CSUM: the field holds the folded pseudo-header sum itself.
 */
static inline uint16_t csum_partial_replace32(uint16_t psum, uint32_t old,
					      uint32_t new)
{
	return (uint16_t)~csum_replace32((uint16_t)~psum, old, new);
}

/*
 * A delta is what a set of field changes adds to a sum: the complement
 * of each old field plus each new one (RFC 1624), summed as 32-bit words
 * in 64 bits and left unfolded (see xlate_deltas()). Applying it to a
 * stored checksum is one add and one fold for both together.
 */
static inline uint16_t csum_apply_delta(uint16_t check, uint64_t delta)
{
	return (uint16_t)~csum_fold64((uint16_t)~check + delta);
}

/* A 32-bit word of a packet, at any alignment */
static inline uint32_t csum_load32(const uint8_t *p)
{
	uint32_t w;

	__builtin_memcpy(&w, p, sizeof(w));
	return w;
}

/*
 * The checksum of an IPv4 header, folded: 0xffff when it is right. The
 * common 20-byte header is summed as five 32-bit words; longer ones (with
 * options) take the general loop.
 */
static inline uint16_t csum_ip_header(const void *hdr, unsigned len)
{
	const uint8_t *p = hdr;

	if (len != 20)
		return csum_fold(csum_partial(hdr, len, 0));
	return csum_fold64((uint64_t)csum_load32(p) + csum_load32(p + 4) +
			   csum_load32(p + 8) + csum_load32(p + 12) +
			   csum_load32(p + 16));
}

uint32_t csum_pseudo_ipv4(uint32_t saddr, uint32_t daddr, uint8_t proto,
			  uint16_t len);

#endif
