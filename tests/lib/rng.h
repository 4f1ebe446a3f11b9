/* SPDX-License-Identifier: MIT */
/*
 * rng.h - the random numbers of the randomized tests: xorshift64, so a
 * printed seed repeats a run exactly (not for anything but tests)
 */
#ifndef MASQ_TESTS_RNG_H
#define MASQ_TESTS_RNG_H

#include <stdint.h>

/* The next number from state @s (never 0: seed it with a non-zero value) */
static inline uint32_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint32_t)*s;
}

#endif
