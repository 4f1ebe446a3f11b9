/* SPDX-License-Identifier: MIT */
/*
 * mem.h - large tables: allocated once, backed by huge pages when possible
 */
#ifndef MASQ_MEM_H
#define MASQ_MEM_H

#include <stddef.h>

void *mem_table_alloc(size_t size);
void mem_table_free(void *p, size_t size);

/*
 * mem_prefetch() - Ask for the cache line at @p, for a read soon
 *
 * Not mem_prefetch(): GCC 12 treats it as free of effects, and its
 * dead-code pass was seen deleting the prefetches of an inlined helper
 * with a branch in it (the entry and counter prefetches of ct.h: none
 * was left in the binary, and a million connections ran at a quarter of
 * the speed). An asm statement the compiler must keep.
 */
static inline void mem_prefetch(const void *p)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ volatile("prefetcht0 %0" : : "m"(*(const char *)p));
#else
	mem_prefetch(p);
#endif
}

#endif
