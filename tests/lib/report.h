/* SPDX-License-Identifier: MIT */
/*
 * report.h - a unit test's result lines: "ok GROUP/NAME" or
 * "FAIL GROUP/NAME: why" (tests/check.sh counts them), and the count of
 * failures a test's main() returns on
 *
 * A case's helpers return report_failf("...") (-1) or report_whyf("...")
 * (false) on the first thing wrong, which keeps the reason (one line:
 * newlines become spaces); the case's caller then prints it with
 * report_case() or report_result(). One reason at a time: the last one
 * kept before the line is printed is the one shown. report_checkf()
 * takes its reason with the verdict, for tests that know it there.
 * Every FAIL line printed here is counted (report_failures()).
 */
#ifndef MASQ_TESTS_REPORT_H
#define MASQ_TESTS_REPORT_H

#include <stdbool.h>

/* Keep why a case failed; Return: -1 */
int report_failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Keep why a case failed; Return: false */
bool report_whyf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The reason kept ("" when none) */
const char *report_why(void);

/* Forget the reason kept, so that a case starts with none */
void report_why_clear(void);

/**
 * report_case() - Print a case's result line
 * @group:	the test's prefix ("jobs")
 * @name:	the case
 * @rc:		0 passed; else failed, for the last reason kept
 *		("failed" when none)
 */
void report_case(const char *group, const char *name, int rc);

/**
 * report_result() - Print a case's result line
 * @group:	the test's prefix ("ctlist")
 * @name:	the case
 * @ok:		passed; else failed, for the last reason kept (as it is)
 */
void report_result(const char *group, const char *name, bool ok);

/**
 * report_checkf() - Print "ok NAME", or "FAIL NAME: " and the reason
 * @name:	the case, with its group ("control/frame_bad")
 * @ok:		passed
 * @fmt:	the reason, as for printf(), printed only when failed
 */
void report_checkf(const char *name, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* FAIL lines printed so far; a test's main() returns 1 when any */
int report_failures(void);

#endif
