/* SPDX-License-Identifier: MIT */
/*
 * report.h - a unit test's result lines: "ok GROUP/NAME" or
 * "FAIL GROUP/NAME: why" (tests/check.sh counts them)
 *
 * A case's helpers return report_failf("...") on the first thing wrong,
 * which keeps the reason (one line: newlines become spaces) and returns
 * -1; the case's caller then prints it with report_case(). One reason at
 * a time: the last report_failf() before report_case() is the one shown.
 */
#ifndef MASQ_TESTS_REPORT_H
#define MASQ_TESTS_REPORT_H

/* Keep why a case failed; Return: -1 */
int report_failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * report_case() - Print a case's result line
 * @group:	the test's prefix ("jobs")
 * @name:	the case
 * @rc:		0 passed; else failed, for the last report_failf() reason
 */
void report_case(const char *group, const char *name, int rc);

#endif
