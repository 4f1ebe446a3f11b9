/* SPDX-License-Identifier: MIT */
/*
 * ask.h - masq-socksify's questions to masqd (ask.c)
 *
 * At start, blocking and bounded: the internal interfaces' addresses
 * (`iface`). Then, from the loop and never blocking it: `origdst CLIENT
 * LOCAL tcp` for each accepted connection, one question at a time on one
 * connection to masqd kept open (the relay queues the others).
 */
#ifndef MASQ_SOCKSIFY_ASK_H
#define MASQ_SOCKSIFY_ASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#define SX_ASK_OUT_MAX	256	/* an origdst request: 4 short words */
#define SX_ASK_IN_MAX	4096	/* a message of an answer, header too */
#define SX_ASK_TEXT_MAX	512	/* an answer's text, kept for the log */

enum sx_ask_result {
	SX_ASK_WAIT,		/* not yet */
	SX_ASK_FOUND,		/* masqd gave the original destination */
	SX_ASK_NONE,		/* masqd has none: "no such connection" */
	SX_ASK_ERROR,		/* masqd not reached, refused, or nonsense */
	SX_ASK_RESULT_NUM
};

/**
 * struct sx_ask - the one connection to masqd and the question on it
 * @path:	masqd's control socket
 * @fd:		the connection, -1 when there is none
 * @busy:	a question is out
 * @who:	the relay's tag for it
 * @out:	the request, encoded
 * @out_len:	its length
 * @out_off:	bytes of it written
 * @in:		the answer's current message so far
 * @in_len:	its bytes
 * @text:	the answer's text so far (parts, then the reply's)
 * @text_len:	its bytes (cut at SX_ASK_TEXT_MAX - 1)
 * @status:	the reply's status
 * @dst:	the original destination (network order) when found
 * @dport:	its port (network order)
 */
struct sx_ask {
	const char *path;
	int fd;
	bool busy;
	uint32_t who;
	uint8_t out[SX_ASK_OUT_MAX];
	size_t out_len;
	size_t out_off;
	uint8_t in[SX_ASK_IN_MAX];
	size_t in_len;
	char text[SX_ASK_TEXT_MAX];
	size_t text_len;
	int status;
	uint32_t dst;
	uint16_t dport;
};

int sx_ask_internal(const char *path, struct in_addr *addrs, int max,
		    int *n, char *err, size_t errlen);
int sx_ask_iface_parse(const char *text, size_t len, struct in_addr *addrs,
		       int max, int *n);
void sx_ask_init(struct sx_ask *a, const char *path);
int sx_ask_send(struct sx_ask *a, uint32_t who, const struct sockaddr_in *peer,
		const struct sockaddr_in *local);
enum sx_ask_result sx_ask_io(struct sx_ask *a);
enum sx_ask_result sx_ask_take(struct sx_ask *a, const uint8_t *p, size_t n);
void sx_ask_drop(struct sx_ask *a);
bool sx_ask_wants_write(const struct sx_ask *a);
int sx_origdst_parse(const char *text, size_t len, uint32_t *addr,
		     uint16_t *port);

#endif
