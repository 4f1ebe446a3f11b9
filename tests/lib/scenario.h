/* SPDX-License-Identifier: MIT */
/*
 * scenario.h - run a readable packet scenario against the engine
 *
 * A scenario is a text file, one step per line ('#' starts a comment,
 * double quotes group words). The full reference is at the top of
 * scenario.c; in short:
 *
 *	ctl iface add lan0 mac 02:00:00:00:01:01 role internal
 *	in lan0 tcp 192.168.0.2:40000 > 203.0.113.2:80 flags S seq 1000
 *	out wan0 tcp 203.0.113.1:$P1 > 203.0.113.2:80 flags S ttl 63
 *	none
 *	counter drop_unsolicited 1
 *	time 7441
 *	conns 0
 *	expect-ctl "masq -L -n" contains "192.168.0.2:40000"
 *
 * Each scenario gets a fresh engine and pool; at its end every frame must
 * have been matched and, once the engine is destroyed, every buffer must
 * be back in the pool.
 */
#ifndef MASQ_TEST_SCENARIO_H
#define MASQ_TEST_SCENARIO_H

#include <stddef.h>

/**
 * scn_run_file() - Run one scenario file
 * @path:	the .scn file (its includes are relative to its folder)
 * @msg:	on failure, "file:line: what differed"
 * @cap:	size of @msg
 *
 * Return: 0 when every step held, -1 otherwise
 */
int scn_run_file(const char *path, char *msg, size_t cap);

/* The same for scenario text held in memory; @name labels messages */
int scn_run_text(const char *name, const char *text, char *msg, size_t cap);

#endif
