/* SPDX-License-Identifier: MIT */
/*
 * golden.h - the golden files of the language tests (test_ipt_golden,
 *	      test_ipchains): where their folder is, and reading one whole
 */
#ifndef MASQ_TESTS_GOLDEN_H
#define MASQ_TESTS_GOLDEN_H

#include <stdbool.h>
#include <stddef.h>

/**
 * golden_dir() - The folder @sub of the source tree
 * @sub:	"tests/ipt/golden", "tests/golden/ipchains", ...
 * @dir:	the path found
 * @len:	its room
 *
 * From the program's own path (build/tests[-san]/NAME -> <repo>/@sub),
 * else from the working directory (the repository root).
 * Return: true when the folder exists
 */
bool golden_dir(const char *sub, char *dir, size_t len);

/* A whole file, NUL-terminated (malloc'd); NULL when it cannot be read */
char *golden_read(const char *path);

#endif
