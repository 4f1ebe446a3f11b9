// SPDX-License-Identifier: MIT
/*
 * report.c - a unit test's result lines and its count of failures (see
 * report.h)
 */
#include <stdarg.h>
#include <stdio.h>

#include "report.h"

static char why[2048];
static int failures;

/* Keep a reason on one line */
static void keep(const char *fmt, va_list ap)
{
	vsnprintf(why, sizeof(why), fmt, ap);
	for (char *p = why; *p; p++)
		if (*p == '\n')
			*p = ' ';
}

int report_failf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	keep(fmt, ap);
	va_end(ap);
	return -1;
}

bool report_whyf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	keep(fmt, ap);
	va_end(ap);
	return false;
}

const char *report_why(void)
{
	return why;
}

void report_why_clear(void)
{
	why[0] = '\0';
}

void report_case(const char *group, const char *name, int rc)
{
	if (!rc) {
		printf("ok %s/%s\n", group, name);
		return;
	}
	failures++;
	printf("FAIL %s/%s: %s\n", group, name, why[0] ? why : "failed");
}

void report_result(const char *group, const char *name, bool ok)
{
	if (ok) {
		printf("ok %s/%s\n", group, name);
		return;
	}
	failures++;
	printf("FAIL %s/%s: %s\n", group, name, why);
}

void report_checkf(const char *name, bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("ok %s\n", name);
		return;
	}
	failures++;
	printf("FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

int report_failures(void)
{
	return failures;
}
