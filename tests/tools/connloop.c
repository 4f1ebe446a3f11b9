// SPDX-License-Identifier: MIT
/*
 * connloop.c - a connect-request-close loop, and the server it talks to
 *
 * What a busy host does to a NAT all day (issue 12, item 0): open a TCP
 * connection, send one byte, read the one-byte answer, see the server
 * close, close. Each connection leaves a TIME_WAIT entry in the router's
 * table for minutes; a NAT that counts those against the host, or cannot
 * reuse them, cuts the host off.
 *
 *	connloop serve ADDR PORT SECONDS [WORKERS]
 *	connloop run ADDR PORT SECONDS [PROCS [PAUSE_MS]]
 *
 * serve: WORKERS processes (default 4) accept on one listening socket;
 * each connection gets one byte read, one byte written, and is closed by
 * the server (so the server keeps TIME_WAIT, the client's ports come back
 * at once). Ends after SECONDS.
 *
 * run: PROCS processes (default 4) loop for SECONDS, each pausing
 * PAUSE_MS (default 0) between connections. A connection that
 * fails is counted "failed" (its error kept); one not done within 5 s is
 * "hung" (the client gave up: a SYN the router dropped without a word is
 * retransmitted at 1, 3, 7 s...); one done in more than 900 ms is "slow"
 * (it needed a retransmission). Prints one line:
 *
 *	connloop: ok N failed F hung H slow S rate R/s max_ms M [first error]
 *
 * Bounded: every socket call has a timeout and the run ends after SECONDS
 * (at most 600), whatever the peer does.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HANG_MS		5000
#define SLOW_MS		900
#define MAX_PROCS	64

struct tally {
	unsigned long long ok, failed, hung, slow;
	unsigned long long max_ms;
	char first_error[96];
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int usage(void)
{
	fprintf(stderr, "usage: connloop serve ADDR PORT SECONDS [WORKERS]\n"
			"       connloop run ADDR PORT SECONDS [PROCS [PAUSE_MS]]\n");
	return 2;
}

static int parse_endpoint(const char *a, const char *p, struct sockaddr_in *sin)
{
	char *end;
	unsigned long port = strtoul(p, &end, 10);

	*sin = (struct sockaddr_in){ .sin_family = AF_INET };
	if (*end || !port || port > 65535 || inet_pton(AF_INET, a, &sin->sin_addr) != 1)
		return -1;
	sin->sin_port = htons((uint16_t)port);
	return 0;
}

/* Wait for @events on @fd until @deadline (ms); 1 ready, 0 timeout, -1 error */
static int wait_fd(int fd, short events, double deadline)
{
	for (;;) {
		struct pollfd pfd = { fd, events, 0 };
		double left = deadline - now_ms();
		int n;

		if (left <= 0)
			return 0;
		n = poll(&pfd, 1, (int)left + 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		return 1;
	}
}

static void serve_one(int c)
{
	char b;
	double deadline = now_ms() + HANG_MS;

	if (wait_fd(c, POLLIN, deadline) == 1 && read(c, &b, 1) == 1)
		(void)!write(c, "y", 1);
	close(c);
}

static int serve(const struct sockaddr_in *sin, double secs, int workers)
{
	int one = 1, l = socket(AF_INET, SOCK_STREAM, 0);
	double end = now_ms() + secs * 1000;

	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (const struct sockaddr *)sin, sizeof(*sin)) || listen(l, 4096)) {
		perror("connloop serve");
		return 1;
	}
	fcntl(l, F_SETFL, O_NONBLOCK);
	for (int w = 0; w < workers; w++) {
		if (fork() != 0)
			continue;
		while (now_ms() < end) {
			int c;

			if (wait_fd(l, POLLIN, now_ms() + 200) != 1)
				continue;
			c = accept(l, NULL, NULL);
			if (c >= 0)
				serve_one(c);
		}
		_exit(0);
	}
	printf("connloop: serving\n");
	fflush(stdout);
	while (wait(NULL) > 0)
		;
	return 0;
}

static void note_error(struct tally *t, const char *what, int err)
{
	if (!t->first_error[0])
		snprintf(t->first_error, sizeof(t->first_error), "%s: %s", what,
			 strerror(err));
}

/* One connection; returns its duration in ms, or -1 failed, -2 hung */
static double one_connection(const struct sockaddr_in *sin, struct tally *t)
{
	double start = now_ms(), deadline = start + HANG_MS;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), err = 0, r;
	socklen_t len = sizeof(err);
	char b;

	if (fd < 0) {
		note_error(t, "socket", errno);
		return -1;
	}
	if (connect(fd, (const struct sockaddr *)sin, sizeof(*sin)) && errno != EINPROGRESS) {
		note_error(t, "connect", errno);
		goto failed;
	}
	r = wait_fd(fd, POLLOUT, deadline);
	if (r == 0)
		goto hung;
	if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) || err) {
		note_error(t, "connect", err ? err : errno);
		goto failed;
	}
	if (write(fd, "x", 1) != 1) {
		note_error(t, "write", errno);
		goto failed;
	}
	for (int reads = 0; reads < 2; reads++) {	/* the answer, then EOF */
		r = wait_fd(fd, POLLIN, deadline);
		if (r == 0)
			goto hung;
		r = (int)read(fd, &b, 1);
		if (r < 0) {
			note_error(t, "read", errno);
			goto failed;
		}
		if (r == 0)
			break;
	}
	close(fd);
	return now_ms() - start;
hung:
	close(fd);
	return -2;
failed:
	close(fd);
	return -1;
}

static void run_proc(const struct sockaddr_in *sin, double end, int pause_ms,
		     struct tally *t)
{
	while (now_ms() < end) {
		double ms = one_connection(sin, t);

		if (pause_ms)
			usleep((useconds_t)pause_ms * 1000);

		if (ms == -1) {
			t->failed++;
			usleep(10000);	/* a refused port must not spin */
		} else if (ms == -2) {
			t->hung++;
		} else {
			t->ok++;
			if (ms > SLOW_MS)
				t->slow++;
			if ((unsigned long long)ms > t->max_ms)
				t->max_ms = (unsigned long long)ms;
		}
	}
}

static int run(const struct sockaddr_in *sin, double secs, int procs, int pause_ms)
{
	struct tally *ts = mmap(NULL, sizeof(*ts) * MAX_PROCS, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	double start = now_ms(), end = start + secs * 1000, took;
	struct tally sum = { 0 };

	if (ts == MAP_FAILED)
		return 1;
	memset(ts, 0, sizeof(*ts) * MAX_PROCS);
	for (int p = 0; p < procs; p++) {
		if (fork() == 0) {
			run_proc(sin, end, pause_ms, &ts[p]);
			_exit(0);
		}
	}
	while (wait(NULL) > 0)
		;
	took = (now_ms() - start) / 1000;
	for (int p = 0; p < procs; p++) {
		sum.ok += ts[p].ok;
		sum.failed += ts[p].failed;
		sum.hung += ts[p].hung;
		sum.slow += ts[p].slow;
		if (ts[p].max_ms > sum.max_ms)
			sum.max_ms = ts[p].max_ms;
		if (!sum.first_error[0] && ts[p].first_error[0])
			memcpy(sum.first_error, ts[p].first_error, sizeof(sum.first_error));
	}
	printf("connloop: ok %llu failed %llu hung %llu slow %llu rate %.0f/s max_ms %llu%s%s\n",
	       sum.ok, sum.failed, sum.hung, sum.slow, took > 0 ? (double)sum.ok / took : 0,
	       sum.max_ms, sum.first_error[0] ? " first_error " : "", sum.first_error);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin;
	double secs;
	int n = 4, pause_ms = 0;

	if (argc < 5 || argc > 7 || parse_endpoint(argv[2], argv[3], &sin))
		return usage();
	secs = strtod(argv[4], NULL);
	if (secs <= 0 || secs > 600)
		return usage();
	if (argc >= 6)
		n = atoi(argv[5]);
	if (argc == 7)
		pause_ms = atoi(argv[6]);
	if (n < 1 || n > MAX_PROCS || pause_ms < 0 || pause_ms > 10000)
		return usage();
	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(argv[1], "serve"))
		return serve(&sin, secs, n);
	if (!strcmp(argv[1], "run"))
		return run(&sin, secs, n, pause_ms);
	return usage();
}
