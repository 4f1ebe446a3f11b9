/* SPDX-License-Identifier: MIT */
/*
 * mem.h - large tables: allocated once, backed by huge pages when possible
 */
#ifndef MASQ_MEM_H
#define MASQ_MEM_H

#include <stddef.h>

void *mem_table_alloc(size_t size);
void mem_table_free(void *p, size_t size);

#endif
