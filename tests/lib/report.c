// SPDX-License-Identifier: MIT
/*
 * report.c - a unit test's result lines (see report.h)
 */
#include <stdarg.h>
#include <stdio.h>

#include "report.h"

static char why[1024];

int report_failf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	for (char *p = why; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return -1;
}

void report_case(const char *group, const char *name, int rc)
{
	if (!rc)
		printf("ok %s/%s\n", group, name);
	else
		printf("FAIL %s/%s: %s\n", group, name, why[0] ? why : "failed");
}
