// SPDX-License-Identifier: MIT
/*
 * fuzz_ctlsrv.c - masqd's control server as a state machine, driven by
 * clients that do anything in any order
 *
 * The server (src/masqd/ctlsrv.c) runs as masqd's loop runs it
 * (ctlsrv_pollfds(), poll() without waiting, ctlsrv_service()), on a real
 * socket in a private directory, with the fake engine of
 * tests/lib/ctlfake.c behind it and a clock the input moves. The input is
 * a script, one operation a byte (low 3 bits; the next byte picks a
 * client or a size where one is needed), one loop iteration after each:
 *
 *	0	a client connects (at most 24: more than the server's slots)
 *	1	client K writes the next N bytes of input, raw
 *	2	client K sends a well-formed request: echo, big, fail, oomtext,
 *		list (a listing), job (pending until operation 6), unknown
 *	3	client K reads what is there (answers must parse)
 *	4	client K closes
 *	5	the clock moves N x 250 ms (idle timeouts, eviction)
 *	6	the pending job is completed; the hold is toggled
 *	7	client K shuts its writing side down
 *
 * After every iteration: request memory within CTLSRV_IN_TOTAL, every
 * answer a client has read parses (parts, then one reply), no client
 * slot holds a dead socket. At the end everything is closed and freed
 * (LeakSanitizer runs under libFuzzer).
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "../tests/lib/ctlfake.h"
#include "../tests/lib/fuzzeng.h"
#include "masqd/ctlsrv.h"
#include "masqd/log.h"

#define CLIENTS		24

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char dir[] = "/tmp/masq-fuzzsrv-XXXXXX";
static char sock_path[108];
static struct ctlsrv srv;
static uint64_t now_ms;
static int fds[CLIENTS];
static struct ctlfake_answer ans[CLIENTS];

static void step(void)
{
	struct pollfd pfd[1 + CTLSRV_MAX_CLIENTS];
	int n = ctlsrv_pollfds(&srv, pfd, 0, now_ms);

	poll(pfd, (nfds_t)n, 0);
	ctlsrv_service(&srv, pfd, now_ms);
	if (srv.in_total > CTLSRV_IN_TOTAL) {
		fprintf(stderr, "request memory %zu over the total\n", srv.in_total);
		abort();
	}
}

static void send_request(int fd, uint8_t pick)
{
	static char *const reqs[][3] = {
		{ "echo", "a b", NULL }, { "big", "70000", NULL },
		{ "fail", NULL, NULL }, { "oomtext", NULL, NULL },
		{ "list", "3", NULL }, { "job", NULL, NULL },
		{ "nosuch", "x", NULL }, { "list", "1", NULL },
	};
	char *const *w = reqs[pick % 8];
	int argc = w[1] ? 2 : 1;

	ctlfake_send(fd, argc, w);
}

/* Read what client @k has, and check what parsed */
static void drain(int k)
{
	if (fds[k] < 0)
		return;
	ctlfake_read(fds[k], &ans[k]);
	if (ans[k].bad) {
		fprintf(stderr, "client %d: an answer that does not parse\n", k);
		abort();
	}
	if (ans[k].status >= 0) {	/* one answer whole: ready for the next */
		size_t rest = ans[k].len - ans[k].off;

		memmove(ans[k].buf, ans[k].buf + ans[k].off, rest);
		ans[k].len = rest;
		ans[k].off = 0;
		free(ans[k].text);
		ans[k].text = NULL;
		ans[k].text_len = 0;
		ans[k].parts = 0;
		ans[k].status = -1;
	}
}

static void run_op(const uint8_t **p, const uint8_t *end)
{
	uint8_t op = *(*p)++, arg = *p < end ? *(*p)++ : 0;
	int k = arg % CLIENTS, c;
	size_t n;

	switch (op & 7) {
	case 0:
		for (c = 0; c < CLIENTS && fds[c] >= 0; c++)
			;
		if (c < CLIENTS)
			fds[c] = ctlfake_connect(sock_path);
		break;
	case 1:
		n = arg;
		if (n > (size_t)(end - *p))
			n = (size_t)(end - *p);
		if (fds[k] >= 0)
			(void)!write(fds[k], *p, n);
		*p += n;
		break;
	case 2:
		if (fds[k] >= 0)
			send_request(fds[k], op >> 3);
		break;
	case 3:
		drain(k);
		break;
	case 4:
		if (fds[k] >= 0) {
			close(fds[k]);
			fds[k] = -1;
			ctlfake_answer_free(&ans[k]);
		}
		break;
	case 5:
		now_ms += (uint64_t)arg * 250;
		break;
	case 6:
		if (srv.pending >= 0) {
			struct masq_text t = { 0 };

			masq_text_printf(&t, "job done\n");
			ctlsrv_complete(&srv, op & 8 ? 1 : 0, &t);	/* takes @t */
		} else {
			ctlsrv_hold(&srv, !srv.held);
		}
		break;
	default:
		if (fds[k] >= 0)
			shutdown(fds[k], SHUT_WR);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;

	now_ms = 1000;
	memset(&ctlfake, 0, sizeof(ctlfake));
	if (ctlsrv_open(&srv, sock_path, &ctlfake_ops, NULL))
		abort();
	for (int i = 0; i < CLIENTS; i++) {
		fds[i] = -1;
		ans[i] = (struct ctlfake_answer){ .status = -1 };
	}
	while (p < end) {
		run_op(&p, end);
		step();
	}
	for (int i = 0; i < CLIENTS; i++) {
		drain(i);
		if (fds[i] >= 0)
			close(fds[i]);
		ctlfake_answer_free(&ans[i]);
	}
	if (srv.pending >= 0) {		/* as masqd: a job ends before the server */
		struct masq_text t = { 0 };

		ctlsrv_complete(&srv, 0, &t);
	}
	step();
	ctlsrv_close(&srv);
	return 0;
}

/* Scripts: a client asks for each command and reads; a listing left unread
 * while the clock runs; a flood of connections */
static void write_seeds(const char *out)
{
	static const uint8_t seeds[][24] = {
		{ 0, 0, 2, 0, 3, 0, 3, 0, 3, 0, 3, 0 },
		{ 0, 0, 0x22, 0, 3, 0, 3, 0, 0x1a, 0, 3, 0, 5, 200, 3, 0 },
		{ 0, 0, 0x2a, 0, 3, 0, 6, 0, 3, 0, 6, 0, 0x0a, 0, 3, 0 },
		{ 0, 0, 0, 1, 0, 2, 0, 3, 5, 20, 0, 4, 5, 200, 0, 5, 3, 0 },
		{ 0, 0, 1, 12, 0, 0, 0, 12, 0, 0, 0x40, 0, 0, 4, 3, 0 },
	};
	for (size_t i = 0; i < sizeof(seeds) / sizeof(*seeds); i++) {
		char name[16];

		snprintf(name, sizeof(name), "%zu", i);
		fuzzeng_seed(out, name, seeds[i], sizeof(seeds[i]));
	}
}

static void remove_dir(void)
{
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *out = getenv("MASQ_FUZZ_WRITE_SEEDS");

	(void)argc;
	(void)argv;
	if (out) {
		write_seeds(out);
		exit(0);
	}
	if (!mkdtemp(dir))
		abort();
	atexit(remove_dir);
	signal(SIGPIPE, SIG_IGN);	/* as masqd: a closed peer is an error */
	snprintf(sock_path, sizeof(sock_path), "%s/masqd.sock", dir);
	log_init(true);
	return 0;
}
