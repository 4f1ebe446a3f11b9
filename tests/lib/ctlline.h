/* SPDX-License-Identifier: MIT */
/*
 * ctlline.h - run control commands written as lines (tests, fuzzers,
 * benchmarks): the one place that splits a line into words for
 * masq_engine_ctl(), and the topology most of them start from
 */
#ifndef MASQ_TESTS_CTLLINE_H
#define MASQ_TESTS_CTLLINE_H

#include "masq/engine.h"

/*
 * The usual topology: lan0 192.168.0.1/24 (internal), wan0 203.0.113.1/24
 * (external), default via 203.0.113.254, static neighbours for the
 * gateway and 192.168.0.2/.3. NULL-terminated.
 */
extern const char *const ctlline_topology[];

/**
 * ctlline_run() - Run one command given as a line of space-separated words
 * @e:		engine
 * @line:	the command (at most 511 bytes and 63 words are taken)
 * @out:	its output is appended here, or NULL to throw it away
 *
 * Return: the command's exit status
 */
int ctlline_run(struct masq_engine *e, const char *line, struct masq_text *out);

/**
 * ctlline_must() - Run one command made with printf(); exit(1) when it fails
 * @e:		engine
 * @fmt:	the command's line, as for printf()
 *
 * For benchmarks, whose setup must not fail: prints the line and what the
 * engine said on stderr before exiting.
 */
void ctlline_must(struct masq_engine *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Run a NULL-terminated list; Return: index of the first failure, or -1 */
int ctlline_run_all(struct masq_engine *e, const char *const *lines);

/* Small limits for fuzzers: tables tiny, so limits are reached often */
void ctlline_small_limits(struct masq_limits *lim);

#endif
