// SPDX-License-Identifier: MIT
/*
 * test_ctlsrv.c - masqd's control server (src/masqd/ctlsrv.c) against
 * real sockets and a clock the test moves
 *
 * The server is driven as masqd's loop drives it (ctlsrv_pollfds(),
 * poll() without waiting, ctlsrv_service()) but with a millisecond clock
 * of the test's own, so 30 s of idleness take no time. Clients are plain
 * sockets of this process, read without blocking between steps. The
 * commands are a fake engine's: echo, a big text, a failure, a text that
 * ran out of memory, a listing of N chunks, a job that stays pending.
 *
 * Checked: the socket's directory (made 0755, socket 0600; a symbolic
 * link, a directory others may write in or another user's refused); an
 * answer in parts; a listing made a chunk per iteration for all clients
 * and only as fast as its reader reads; the idle timeout (nothing sent, a
 * stalled request, an unread answer) and that waiting for masqd is not
 * idleness; 16 idle clients do not keep a 17th out; a too-large request
 * refused with a clear message; the total of request memory; a text cut
 * by memory said as an error; the per-iteration command budget; a hold.
 *
 * Prints "ok ctlsrv/NAME", "FAIL ctlsrv/NAME: why" or "SKIP ...".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "control/proto.h"
#include "masqd/ctlsrv.h"

#define LIST_LINE	"0123456789abcdef0123456789abcdef0123456789abcdef\n"
#define LIST_LINES	1000	/* per chunk: 49,000 bytes */

static char why[1024];
static char dir[] = "/tmp/masq-srvtest-XXXXXX";
static char sock_path[108];

static void report(const char *name, bool ok)
{
	if (ok)
		printf("ok ctlsrv/%s\n", name);
	else
		printf("FAIL ctlsrv/%s: %s\n", name, why);
}

static bool failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static bool failf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return false;
}

/* ---- the fake engine ------------------------------------------------------ */

struct listing {
	int left;		/* chunks still to make */
	int made;
};

static struct {
	int chunks_this_step;	/* more() calls since the last step */
	int most_chunks;	/* in one step */
	int dropped;
	int runs_this_step;
} fake;

static int fake_run(void *ctx, int argc, char *const *argv,
		    struct masq_text *out, void **stream)
{
	(void)ctx;
	fake.runs_this_step++;
	if (!strcmp(argv[0], "echo")) {
		for (int i = 1; i < argc; i++)
			masq_text_printf(out, "%s%s", i > 1 ? " " : "", argv[i]);
		masq_text_printf(out, "\n");
		return 0;
	}
	if (!strcmp(argv[0], "big") && argc == 2) {
		for (long n = atol(argv[1]); n > 0; n -= 10)
			masq_text_printf(out, "%.*s", n < 10 ? (int)n : 10,
					 "abcdefghi\n");
		return 0;
	}
	if (!strcmp(argv[0], "fail")) {
		masq_text_printf(out, "failed: no such thing\n");
		return 1;
	}
	if (!strcmp(argv[0], "oomtext")) {
		masq_text_printf(out, "first lines\n");
		out->oom = 1;
		return 0;
	}
	if (!strcmp(argv[0], "list") && argc == 2) {
		struct listing *l = calloc(1, sizeof(*l));

		if (!l)
			return 1;
		l->left = atoi(argv[1]);
		*stream = l;
		return CTLSRV_STREAM;
	}
	if (!strcmp(argv[0], "job"))
		return CTLSRV_PENDING;
	masq_text_printf(out, "unknown command '%s'\n", argv[0]);
	return 2;
}

static int fake_more(void *ctx, void *stream, struct masq_text *out)
{
	struct listing *l = stream;

	(void)ctx;
	fake.chunks_this_step++;
	for (int i = 0; i < LIST_LINES; i++)
		masq_text_append(out, LIST_LINE, sizeof(LIST_LINE) - 1);
	l->made++;
	return --l->left > 0 ? CTLSRV_MORE : 0;
}

static void fake_drop(void *ctx, void *stream)
{
	(void)ctx;
	fake.dropped++;
	free(stream);
}

static const struct ctlsrv_ops fake_ops = {
	.run = fake_run, .more = fake_more, .drop = fake_drop,
};

/* ---- driving the server ------------------------------------------------------ */

static struct ctlsrv srv;
static uint64_t now_ms = 1000;

/* One loop iteration, at the test's time */
static void step(void)
{
	struct pollfd pfd[1 + CTLSRV_MAX_CLIENTS];
	int n = ctlsrv_pollfds(&srv, pfd, 0, now_ms);

	poll(pfd, (nfds_t)n, 0);
	fake.chunks_this_step = fake.runs_this_step = 0;
	ctlsrv_service(&srv, pfd, now_ms);
	if (fake.chunks_this_step > fake.most_chunks)
		fake.most_chunks = fake.chunks_this_step;
}

static bool srv_open(void)
{
	memset(&fake, 0, sizeof(fake));
	return !ctlsrv_open(&srv, sock_path, &fake_ops, NULL) ||
	       failf("ctlsrv_open(%s) failed", sock_path);
}

static int cl_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock_path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

/* Send a request of the given words (they fit the socket's buffer) */
static bool cl_send(int fd, int argc, char *const *argv)
{
	struct ctl_msg m;
	bool ok = !ctl_request_encode(argc, argv, &m) &&
		  write(fd, m.buf, m.len) == (ssize_t)m.len;

	ctl_msg_free(&m);
	return ok;
}

#define SEND(fd, ...) cl_send(fd, sizeof((char *[]){ __VA_ARGS__ }) / \
			      sizeof(char *), (char *[]){ __VA_ARGS__ })

/* What a client has received, and the answer read out of it */
struct answer {
	uint8_t *buf;
	size_t len, cap;
	size_t off;		/* bytes of @buf parsed */
	char *text;		/* parts and reply, NUL-terminated */
	size_t text_len;
	int parts;
	int status;		/* -1 until the reply */
	bool eof;
};

static void answer_free(struct answer *a)
{
	free(a->buf);
	free(a->text);
	*a = (struct answer){ .status = -1 };
}

static void text_add(struct answer *a, const void *p, size_t n)
{
	a->text = realloc(a->text, a->text_len + n + 1);
	memcpy(a->text + a->text_len, p, n);
	a->text_len += n;
	a->text[a->text_len] = '\0';
}

/* Read what is there (without blocking) and parse whole messages */
static void cl_read(int fd, struct answer *a)
{
	for (;;) {
		ssize_t n;

		if (a->cap - a->len < 65536) {
			a->cap = a->cap ? 2 * a->cap : 1 << 20;
			a->buf = realloc(a->buf, a->cap);
		}
		n = read(fd, a->buf + a->len, a->cap - a->len);
		if (n == 0)
			a->eof = true;
		if (n <= 0)
			break;
		a->len += (size_t)n;
	}
	while (a->status < 0) {
		enum ctl_kind kind;
		uint32_t blen;
		const char *t;
		size_t tl;

		if (ctl_hdr_parse_answer(a->buf + a->off, a->len - a->off, &kind,
					 &blen) || a->len - a->off - CTL_HDR_LEN < blen)
			return;
		a->off += CTL_HDR_LEN;
		if (kind == CTL_KIND_PART) {
			text_add(a, a->buf + a->off, blen);
			a->parts++;
		} else if (!ctl_reply_parse(a->buf + a->off, blen, &a->status,
					    &t, &tl)) {
			text_add(a, t, tl);
		}
		a->off += blen;
	}
}

/* Step until @fd's answer is whole (or @steps pass); true when it is */
static bool until_answer(int fd, struct answer *a, int steps)
{
	for (int i = 0; i < steps && a->status < 0 && !a->eof; i++) {
		step();
		cl_read(fd, a);
	}
	return a->status >= 0;
}

/* Is the server's end of @fd closed? (reads what is left first) */
static bool cl_closed(int fd)
{
	struct answer a = { .status = -1 };
	bool eof;

	cl_read(fd, &a);
	eof = a.eof;
	answer_free(&a);
	return eof;
}

/* A case with one client ends: its answer, its socket, the server */
static bool finish(bool ok, int fd, struct answer *a)
{
	answer_free(a);
	if (fd >= 0)
		close(fd);
	ctlsrv_close(&srv);
	return ok;
}

/* ---- cases ---------------------------------------------------------------- */

static bool socket_dir_made(void)
{
	struct stat d, s;
	char sub[128];
	bool ok;

	snprintf(sub, sizeof(sub), "%s/run/masq", dir);
	if (!srv_open())
		return false;
	ok = (!stat(sub, &d) && !stat(sock_path, &s)) ||
	     failf("stat: %s", strerror(errno));
	ok = ok && (((d.st_mode & 07777) == 0755 && (s.st_mode & 0777) == 0600) ||
		    failf("directory %04o, socket %04o", d.st_mode & 07777,
			  s.st_mode & 0777));
	ctlsrv_close(&srv);
	ok = ok && (access(sock_path, F_OK) || failf("socket left behind"));
	return ok;
}

/* ctlsrv_open() of @path fails with @err */
static bool refused(const char *path, int err)
{
	int ret = ctlsrv_open(&srv, path, &fake_ops, NULL);

	if (!ret)
		ctlsrv_close(&srv);
	return ret == err || failf("open %s: %d, want %d", path, ret, err);
}

static bool socket_dir_refused(void)
{
	char link[128], deep[160], open_dir[128], path[160];
	bool ok;

	snprintf(link, sizeof(link), "%s/link", dir);
	snprintf(deep, sizeof(deep), "%s/link/masq/x.sock", dir);
	snprintf(open_dir, sizeof(open_dir), "%s/open", dir);
	if (symlink("run", link) || mkdir(open_dir, 0755) ||
	    chmod(open_dir, 0775))
		return failf("setup: %s", strerror(errno));
	ok = refused(deep, -ELOOP);
	snprintf(path, sizeof(path), "%s/link/x.sock", dir);
	ok = ok && refused(path, -ELOOP);
	snprintf(path, sizeof(path), "%s/open/x.sock", dir);
	ok = ok && refused(path, -EPERM);
	snprintf(path, sizeof(path), "%s/run/../run/x.sock", dir);
	ok = ok && refused(path, -EINVAL);
	return ok;
}

static bool socket_dir_other_owner(void)
{
	char other[128], path[160];

	snprintf(other, sizeof(other), "%s/other", dir);
	snprintf(path, sizeof(path), "%s/x.sock", other);
	if (mkdir(other, 0755) || chown(other, 4321, 4321))
		return failf("setup: %s", strerror(errno));
	return refused(path, -EPERM);
}

static bool answer_in_parts(void)
{
	struct answer a = { .status = -1 };
	int fd = srv_open() ? cl_connect() : -1;
	bool ok = fd >= 0 && SEND(fd, "big", "300000") && until_answer(fd, &a, 200);

	ok = ok && ((a.status == 0 && a.text_len == 300000 && a.parts >= 4 &&
		     !strncmp(a.text, "abcdefghi\nabc", 13)) ||
		    failf("status %d, %zu bytes in %d parts", a.status,
			  a.text_len, a.parts));
	answer_free(&a);
	ok = ok && SEND(fd, "fail") && until_answer(fd, &a, 10) &&
	     ((a.status == 1 && a.parts == 0 &&
	       !strcmp(a.text, "failed: no such thing\n")) ||
	      failf("a failure: status %d, %d parts, '%s'", a.status, a.parts,
		    a.text));
	answer_free(&a);
	ok = ok && SEND(fd, "oomtext") && until_answer(fd, &a, 10) &&
	     ((a.status == 1 && strstr(a.text, "first lines\n") &&
	       strstr(a.text, "output is incomplete")) ||
	      failf("cut text: status %d, '%s'", a.status, a.text));
	return finish(ok, fd, &a);
}

static bool listing_a_chunk_per_step(void)
{
	struct answer a = { .status = -1 }, b = { .status = -1 };
	int fa = srv_open() ? cl_connect() : -1, fb = cl_connect();
	bool ok = fa >= 0 && fb >= 0 && SEND(fa, "list", "40") &&
		  SEND(fb, "list", "30");

	for (int i = 0; ok && i < 2000 && (a.status < 0 || b.status < 0); i++) {
		step();
		cl_read(fa, &a);
		cl_read(fb, &b);
	}
	ok = ok && ((a.status == 0 && b.status == 0) ||
		    failf("listings not done: %d %d", a.status, b.status));
	ok = ok && ((a.text_len == 40u * LIST_LINES * (sizeof(LIST_LINE) - 1) &&
		     b.text_len == 30u * LIST_LINES * (sizeof(LIST_LINE) - 1)) ||
		    failf("%zu and %zu bytes", a.text_len, b.text_len));
	ok = ok && (fake.most_chunks <= CTLSRV_CHUNKS ||
		    failf("%d chunks in one iteration", fake.most_chunks));
	ok = ok && (fake.dropped == 2 || failf("%d listings dropped", fake.dropped));
	ok = ok && (srv.streams == 2 || failf("%llu streams counted",
					       (unsigned long long)srv.streams));
	answer_free(&b);
	if (fb >= 0)
		close(fb);
	return finish(ok, fa, &a);
}

/* A reader that reads nothing: chunks stop, memory stays bounded */
static bool listing_waits_for_reader(void)
{
	int fd = srv_open() ? cl_connect() : -1;
	int made = 0;
	size_t mem = 0;
	bool ok = fd >= 0 && SEND(fd, "list", "1000");

	for (int i = 0; ok && i < 500; i++) {
		step();
		made += fake.chunks_this_step;
		if (ctlsrv_memory(&srv) > mem)
			mem = ctlsrv_memory(&srv);
	}
	ok = ok && ((made > 0 && made < 40) ||
		    failf("%d chunks made for a client that reads nothing", made));
	ok = ok && (mem < (1u << 20) ||
		    failf("%zu bytes held for one client", mem));
	now_ms += CTLSRV_IDLE_MS + 1;
	step();
	ok = ok && ((cl_closed(fd) && srv.idle_closed == 1 && fake.dropped == 1) ||
		    failf("an unread answer not closed after %d ms (idle %llu)",
			  CTLSRV_IDLE_MS, (unsigned long long)srv.idle_closed));
	printf("# a listing nobody reads: %d chunks, %zu bytes held at most\n",
	       made, mem);
	if (fd >= 0)
		close(fd);
	ctlsrv_close(&srv);
	return ok;
}

static bool idle_clients_closed(void)
{
	uint8_t half[5] = { 'M', 'Q', 'C', '1', 0 };
	int quiet = srv_open() ? cl_connect() : -1, stalled = cl_connect();
	bool ok = quiet >= 0 && stalled >= 0 &&
		  write(stalled, half, sizeof(half)) == sizeof(half);

	step();			/* accepted */
	step();			/* the stalled one's bytes read */
	now_ms += CTLSRV_IDLE_MS - 1;
	step();
	ok = ok && ((!cl_closed(quiet) && !cl_closed(stalled)) ||
		    failf("closed before %d ms", CTLSRV_IDLE_MS));
	now_ms += 2;
	step();
	ok = ok && ((cl_closed(quiet) && cl_closed(stalled) &&
		     srv.idle_closed == 2) ||
		    failf("idle clients open after %d ms (%llu closed)",
			  CTLSRV_IDLE_MS, (unsigned long long)srv.idle_closed));
	close(quiet);
	close(stalled);
	ctlsrv_close(&srv);
	return ok;
}

/* A client whose job runs, or whose request waits behind it, is not idle */
static bool waiting_is_not_idle(void)
{
	struct answer a = { .status = -1 }, b = { .status = -1 };
	struct masq_text t = { 0 };
	int fa = srv_open() ? cl_connect() : -1, fb = cl_connect();
	bool ok = fa >= 0 && fb >= 0 && SEND(fa, "job");

	step();
	step();
	ok = ok && SEND(fb, "echo", "after");
	step();
	now_ms += 3 * CTLSRV_IDLE_MS;
	step();
	ok = ok && ((!cl_closed(fa) && !cl_closed(fb)) ||
		    failf("closed while waiting for masqd"));
	masq_text_printf(&t, "job done\n");
	ctlsrv_complete(&srv, 0, &t);
	ok = ok && until_answer(fa, &a, 10) && until_answer(fb, &b, 10) &&
	     ((!strcmp(a.text, "job done\n") && !strcmp(b.text, "after\n")) ||
	      failf("answers '%s' '%s'", a.text, b.text));
	answer_free(&b);
	if (fb >= 0)
		close(fb);
	return finish(ok, fa, &a);
}

static bool seventeenth_client_served(void)
{
	struct answer a = { .status = -1 };
	int fd[CTLSRV_MAX_CLIENTS], late;
	bool ok = srv_open();

	for (int i = 0; i < CTLSRV_MAX_CLIENTS; i++) {
		fd[i] = ok ? cl_connect() : -1;
		step();
	}
	late = ok ? cl_connect() : -1;
	ok = ok && late >= 0 && SEND(late, "echo", "in");
	now_ms += CTLSRV_EVICT_MS;
	ok = ok && until_answer(late, &a, 10) &&
	     (!strcmp(a.text, "in\n") || failf("answer '%s'", a.text));
	ok = ok && (srv.evicted == 1 ||
		    failf("%llu evicted", (unsigned long long)srv.evicted));
	for (int i = 0; i < CTLSRV_MAX_CLIENTS; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	if (late >= 0)
		close(late);
	answer_free(&a);
	ctlsrv_close(&srv);
	return ok;
}

/* A header announcing more than CTL_MAX_REQUEST: refused, saying why */
static bool too_large_refused(void)
{
	struct answer a = { .status = -1 };
	uint8_t h[CTL_HDR_LEN] = { 'M', 'Q', 'C', '1', 0, CTL_VERSION, 0, 1 };
	uint32_t len = CTL_MAX_REQUEST + 1;
	int fd = srv_open() ? cl_connect() : -1;
	bool ok;

	h[8] = (uint8_t)(len >> 24);
	h[9] = (uint8_t)(len >> 16);
	h[10] = (uint8_t)(len >> 8);
	h[11] = (uint8_t)len;
	ok = fd >= 0 && write(fd, h, sizeof(h)) == sizeof(h) &&
	     until_answer(fd, &a, 10);
	ok = ok && ((a.status == 2 && strstr(a.text, "too long (limit 16 MiB)") &&
		     srv.too_large == 1) ||
		    failf("status %d '%s'", a.status, a.text ? a.text : ""));
	step();
	ok = ok && (cl_closed(fd) || failf("still open after a bad header"));
	return finish(ok, fd, &a);
}

/*
 * Request memory for all clients: the third 15 MiB request waits, and
 * gets its turn when the two stalled ones are closed as idle
 */
static bool request_memory_bounded(void)
{
	uint8_t h[CTL_HDR_LEN] = { 'M', 'Q', 'C', '1', 0, CTL_VERSION, 0, 1,
				   0, 0xf0, 0, 0 };	/* 15 MiB */
	int fd[3];
	bool ok = srv_open();

	for (int i = 0; i < 3; i++) {
		fd[i] = ok ? cl_connect() : -1;
		ok = ok && fd[i] >= 0 && write(fd[i], h, sizeof(h)) == sizeof(h);
		step();
	}
	step();			/* the last header read */
	ok = ok && ((srv.starved_reads == 1 && srv.in_total <= CTLSRV_IN_TOTAL) ||
		    failf("%llu waits, %zu bytes reserved",
			  (unsigned long long)srv.starved_reads, srv.in_total));
	now_ms += CTLSRV_IDLE_MS;	/* the two stalled ones go, not the third */
	step();
	ok = ok && ((srv.idle_closed == 2 && !cl_closed(fd[2]) && !srv.cl[2].starved) ||
		    failf("%llu closed; the waiting one starved %d",
			  (unsigned long long)srv.idle_closed, srv.cl[2].starved));
	now_ms += CTLSRV_IDLE_MS;	/* it sends nothing either: closed */
	step();
	ok = ok && ((srv.idle_closed == 3 && cl_closed(fd[2]) && !srv.in_total) ||
		    failf("%llu closed, %zu bytes still reserved",
			  (unsigned long long)srv.idle_closed, srv.in_total));
	for (int i = 0; i < 3; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	ctlsrv_close(&srv);
	return ok;
}

/* At most CTLSRV_RUN_BUDGET commands start in one iteration */
static bool command_budget(void)
{
	struct answer a[8];
	int fd[8], most = 0, done = 0;
	bool ok = srv_open(), busy_seen = false;

	for (int i = 0; i < 8; i++) {
		a[i] = (struct answer){ .status = -1 };
		fd[i] = ok ? cl_connect() : -1;
	}
	step();			/* all accepted, CTLSRV_ACCEPT_BUDGET a step */
	step();
	for (int i = 0; i < 8; i++)
		ok = ok && SEND(fd[i], "echo", "x");
	for (int k = 0; ok && k < 10 && done < 8; k++) {
		step();
		busy_seen |= ctlsrv_busy(&srv);
		if (fake.runs_this_step > most)
			most = fake.runs_this_step;
		done = 0;
		for (int i = 0; i < 8; i++) {
			cl_read(fd[i], &a[i]);
			done += a[i].status == 0;
		}
	}
	ok = ok && ((done == 8 && most <= CTLSRV_RUN_BUDGET && busy_seen) ||
		    failf("%d answered, %d in one iteration, busy %d", done,
			  most, busy_seen));
	for (int i = 0; i < 8; i++) {
		answer_free(&a[i]);
		if (fd[i] >= 0)
			close(fd[i]);
	}
	ctlsrv_close(&srv);
	return ok;
}

static bool hold_queues(void)
{
	struct answer a = { .status = -1 };
	int fd = srv_open() ? cl_connect() : -1;
	bool ok = fd >= 0 && SEND(fd, "echo", "held");

	ctlsrv_hold(&srv, true);
	for (int i = 0; i < 5; i++)
		step();
	cl_read(fd, &a);
	ok = ok && (a.status < 0 || failf("answered while held"));
	ctlsrv_hold(&srv, false);
	ok = ok && until_answer(fd, &a, 5) &&
	     (!strcmp(a.text, "held\n") || failf("answer '%s'", a.text));
	return finish(ok, fd, &a);
}

int main(void)
{
	char cmd[64];

	setvbuf(stdout, NULL, _IOLBF, 0);
	umask(022);
	if (!mkdtemp(dir)) {
		printf("FAIL ctlsrv/setup: mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	snprintf(sock_path, sizeof(sock_path), "%s/run/masq/masqd.sock", dir);
	report("socket_dir_made_0755_socket_0600", socket_dir_made());
	report("socket_dir_symlink_open_dotdot_refused", socket_dir_refused());
	if (geteuid() == 0)
		report("socket_dir_other_owner_refused", socket_dir_other_owner());
	else
		printf("SKIP ctlsrv/socket_dir_other_owner_refused: needs root "
		       "(chown)\n");
	report("answer_in_parts_failure_whole_oom_said", answer_in_parts());
	report("listing_one_chunk_per_iteration", listing_a_chunk_per_step());
	report("listing_waits_for_reader_then_idle", listing_waits_for_reader());
	report("idle_and_stalled_clients_closed", idle_clients_closed());
	report("waiting_for_masqd_is_not_idle", waiting_is_not_idle());
	report("seventeenth_client_served", seventeenth_client_served());
	report("too_large_request_refused", too_large_refused());
	report("request_memory_bounded", request_memory_bounded());
	report("command_budget_per_iteration", command_budget());
	report("hold_queues_commands", hold_queues());
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		printf("SKIP ctlsrv/cleanup: could not remove %s\n", dir);
	return 0;
}
