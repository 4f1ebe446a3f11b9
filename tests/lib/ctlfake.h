/* SPDX-License-Identifier: MIT */
/*
 * ctlfake.h - masqd's control server without masqd: a fake engine behind
 * it and plain sockets in front (tests/unit/test_ctlsrv.c, fuzz/fuzz_ctlsrv.c)
 *
 * The fake engine's commands: "echo WORDS" (status 0, the words), "big N"
 * (N bytes of text), "fail" (status 1), "oomtext" (a text cut by memory),
 * "list N" (a listing of N chunks of LIST_LINES lines, CTLSRV_STREAM),
 * "job" (CTLSRV_PENDING: the caller completes it), "origdst ..." (status
 * 0, CTLFAKE_ORIGDST whatever the words); anything else is a usage error
 * (2). ctlfake counts what the server asked of it.
 */
#ifndef MASQ_TESTS_CTLFAKE_H
#define MASQ_TESTS_CTLFAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "masqd/ctlsrv.h"

#define CTLFAKE_LINE	"0123456789abcdef0123456789abcdef0123456789abcdef\n"
#define CTLFAKE_LINES	1000	/* per chunk: 49,000 bytes */
#define CTLFAKE_ORIGDST	"203.0.113.9:80\n"

struct ctlfake_counts {
	int chunks_this_step;	/* more() calls since the caller zeroed it */
	int most_chunks;	/* the caller's record of it */
	int dropped;		/* listings dropped */
	int runs_this_step;	/* run() calls since the caller zeroed it */
	int events;		/* "listen": lines its next more() gives */
	int listen_calls;	/* ... its more() calls */
};

extern struct ctlfake_counts ctlfake;
extern const struct ctlsrv_ops ctlfake_ops;

/* A connected, non-blocking client of the socket at @path, or -1 */
int ctlfake_connect(const char *path);

/* Send a request of @argc words (it fits the socket's buffer) */
bool ctlfake_send(int fd, int argc, char *const *argv);

/*
 * What a client has received, and the answer read out of it: its parts'
 * and reply's text, NUL-terminated, and its status (-1 until the reply)
 */
struct ctlfake_answer {
	uint8_t *buf;
	size_t len, cap;
	size_t off;		/* bytes of @buf parsed */
	char *text;
	size_t text_len;
	int parts;
	int status;
	bool eof;
	bool bad;		/* a message that did not parse */
};

void ctlfake_answer_free(struct ctlfake_answer *a);

/* Read what is there without blocking and parse whole messages */
void ctlfake_read(int fd, struct ctlfake_answer *a);

#endif
