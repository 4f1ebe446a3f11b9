/* SPDX-License-Identifier: MIT */
/*
 * json.h - masqctl's JSON output: stats --json, conntrack -L -o json
 *
 * The schema is docs/control.md's ("JSON output"); json.c says why the
 * JSON is made from masqd's text and how a streamed listing stays one
 * valid array.
 */
#ifndef MASQCTL_JSON_H
#define MASQCTL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define JSON_LINE_MAX	4096	/* a conntrack -L line is about 300 bytes */

/**
 * struct json_feed - conntrack -L as a JSON array, one part at a time
 * @to:		output
 * @err:	the write error that stopped it (errno), or 0
 * @begun:	the opening bracket is written
 * @overlong:	the line being passed is longer than @carry: skipped
 * @objects:	objects written
 * @bad:	lines left out (not conntrack's shape, or too long)
 * @n:		bytes carried
 * @carry:	the start of a line whose end has not come yet
 */
struct json_feed {
	FILE *to;
	int err;
	bool begun;
	bool overlong;
	unsigned long objects;
	unsigned long bad;
	size_t n;
	char carry[JSON_LINE_MAX];
};

void json_put_str(FILE *f, const char *s, size_t n);
void json_stats(const char *text, size_t len, FILE *f);
bool json_conntrack_line(const char *line, size_t n, FILE *f, bool first);
int json_feed_part(void *ctx, const char *text, size_t len);
int json_feed_end(struct json_feed *j);

#endif
