// SPDX-License-Identifier: MIT
/*
 * mem.c - memory for the big tables (connections, hashes, mappings)
 *
 * A million connections spread over a few hundred megabytes: with 4 KiB
 * pages nearly every lookup also misses the TLB, and under a hypervisor
 * a TLB miss is a two-dimensional page walk that costs more than the
 * cache miss itself. So the tables ask for transparent huge pages
 * (MADV_HUGEPAGE, which works where THP is in "madvise" mode, Debian's
 * default). Zero-filled, 2 MiB-aligned. A table smaller than a huge page
 * gets whole small pages instead, faulted in at once: the scratch engines
 * a reload checks with, the tests' and the fuzzers' engines.
 *
 * Footprint: a big table is not touched here. Its pages become resident
 * as entries are first used (the tables take never-used entries from the
 * bottom, so a table grows from its start; a cuckoo hash is all zero when
 * empty), one 2 MiB huge page per fault: about 17,000 connections per
 * fault in the connection table, a cost of ~0.1 ms once per page. Pre-
 * faulting all of them made an idle masqd hold 58 MiB for 262,144
 * connections it did not have (masqd(8), MEMORY). The road not taken:
 * pre-faulting ahead of use in the loop's idle work: more code for a
 * fault the first few thousand connections pay only once.
 */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "mem.h"

#define HUGE_2M	(2u << 20)
#define PAGE_4K	4096u

static size_t mem_round(size_t size)
{
	if (size < HUGE_2M)
		return (size + PAGE_4K - 1) & ~(size_t)(PAGE_4K - 1);
	return (size + HUGE_2M - 1) & ~(size_t)(HUGE_2M - 1);
}

/* Return: zeroed memory of at least @size bytes, or NULL */
void *mem_table_alloc(size_t size)
{
	size_t len = mem_round(size);
	void *p;

	if (!size)
		return NULL;
	if (size < HUGE_2M) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		return p == MAP_FAILED ? NULL : p;	/* zero, faulted in */
	}
	p = mmap(NULL, len + HUGE_2M, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	{
		/* trim to a 2 MiB-aligned start so huge pages can back it */
		uintptr_t a = (uintptr_t)p;
		uintptr_t start = (a + HUGE_2M - 1) & ~(uintptr_t)(HUGE_2M - 1);

		if (start > a)
			munmap(p, start - a);
		munmap((void *)(start + len), a + HUGE_2M - start);
		p = (void *)start;
	}
	madvise(p, len, MADV_HUGEPAGE);
	return p;			/* zero pages, resident when touched */
}

void mem_table_free(void *p, size_t size)
{
	if (p)
		munmap(p, mem_round(size));
}
