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
 * A listener (conntrack -E's CTLSRV_LISTEN): fed once an iteration
 * outside the chunk budget, its events sent as they come, polled for
 * reading (not writing) while it has nothing to send, not idle after
 * three idle timeouts, and dropped when it hangs up.
 * Who may use the socket (ctlperm.c), as root, with children that take
 * another uid: `set origdst-user` refused while a directory keeps the
 * user out, then the socket 0660 in his group; he may ask origdst and is
 * refused anything else (nothing runs); another member of the group is
 * refused and hung up on; a uid outside the group cannot connect; `none`
 * puts 0600 back and stops a client already connected; malformed words.
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
#include <grp.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "control/proto.h"
#include "masqd/ctlsrv.h"
#include "../lib/ctlfake.h"
#include "../lib/report.h"

static char dir[] = "/tmp/masq-srvtest-XXXXXX";
static char sock_path[108];

/* "ok ctlsrv/NAME" or "FAIL ctlsrv/NAME: why" (tests/lib/report.h) */
static void report(const char *name, bool ok)
{
	report_result("ctlsrv", name, ok);
}

/* ---- driving the server ------------------------------------------------------ */

static struct ctlsrv srv;
static uint64_t now_ms = 1000;
static int runs_total;		/* commands the fake engine ran */

/* One loop iteration, at the test's time */
static void step(void)
{
	struct pollfd pfd[1 + CTLSRV_MAX_CLIENTS];
	int n = ctlsrv_pollfds(&srv, pfd, 0, now_ms);

	poll(pfd, (nfds_t)n, 0);
	ctlfake.chunks_this_step = ctlfake.runs_this_step = 0;
	ctlsrv_service(&srv, pfd, now_ms);
	runs_total += ctlfake.runs_this_step;
	if (ctlfake.chunks_this_step > ctlfake.most_chunks)
		ctlfake.most_chunks = ctlfake.chunks_this_step;
}

static bool srv_open(void)
{
	memset(&ctlfake, 0, sizeof(ctlfake));
	return !ctlsrv_open(&srv, sock_path, &ctlfake_ops, NULL) ||
	       report_whyf("ctlsrv_open(%s) failed", sock_path);
}

#define SEND(fd, ...) ctlfake_send(fd, sizeof((char *[]){ __VA_ARGS__ }) / \
				   sizeof(char *), (char *[]){ __VA_ARGS__ })

/* Step until @fd's answer is whole (or @steps pass); true when it is */
static bool until_answer(int fd, struct ctlfake_answer *a, int steps)
{
	for (int i = 0; i < steps && a->status < 0 && !a->eof; i++) {
		step();
		ctlfake_read(fd, a);
	}
	return a->status >= 0;
}

/* Is the server's end of @fd closed? (reads what is left first) */
static bool cl_closed(int fd)
{
	struct ctlfake_answer a = { .status = -1 };
	bool eof;

	ctlfake_read(fd, &a);
	eof = a.eof;
	ctlfake_answer_free(&a);
	return eof;
}

/* A case with one client ends: its answer, its socket, the server */
static bool finish(bool ok, int fd, struct ctlfake_answer *a)
{
	ctlfake_answer_free(a);
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
	     report_whyf("stat: %s", strerror(errno));
	ok = ok && (((d.st_mode & 07777) == 0755 && (s.st_mode & 0777) == 0600) ||
		    report_whyf("directory %04o, socket %04o", d.st_mode & 07777,
				s.st_mode & 0777));
	ctlsrv_close(&srv);
	ok = ok && (access(sock_path, F_OK) || report_whyf("socket left behind"));
	return ok;
}

/* ctlsrv_open() of @path fails with @err */
static bool refused(const char *path, int err)
{
	int ret = ctlsrv_open(&srv, path, &ctlfake_ops, NULL);

	if (!ret)
		ctlsrv_close(&srv);
	return ret == err || report_whyf("open %s: %d, want %d", path, ret, err);
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
		return report_whyf("setup: %s", strerror(errno));
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
		return report_whyf("setup: %s", strerror(errno));
	return refused(path, -EPERM);
}

static bool answer_in_parts(void)
{
	struct ctlfake_answer a = { .status = -1 };
	int fd = srv_open() ? ctlfake_connect(sock_path) : -1;
	bool ok = fd >= 0 && SEND(fd, "big", "300000") && until_answer(fd, &a, 200);

	ok = ok && ((a.status == 0 && a.text_len == 300000 && a.parts >= 4 &&
		     !strncmp(a.text, "abcdefghi\nabc", 13)) ||
		    report_whyf("status %d, %zu bytes in %d parts", a.status,
				a.text_len, a.parts));
	ctlfake_answer_free(&a);
	ok = ok && SEND(fd, "fail") && until_answer(fd, &a, 10) &&
	     ((a.status == 1 && a.parts == 0 &&
	       !strcmp(a.text, "failed: no such thing\n")) ||
	      report_whyf("a failure: status %d, %d parts, '%s'", a.status, a.parts,
			  a.text));
	ctlfake_answer_free(&a);
	ok = ok && SEND(fd, "oomtext") && until_answer(fd, &a, 10) &&
	     ((a.status == 1 && strstr(a.text, "first lines\n") &&
	       strstr(a.text, "output is incomplete")) ||
	      report_whyf("cut text: status %d, '%s'", a.status, a.text));
	return finish(ok, fd, &a);
}

static bool listing_a_chunk_per_step(void)
{
	struct ctlfake_answer a = { .status = -1 }, b = { .status = -1 };
	int fa = srv_open() ? ctlfake_connect(sock_path) : -1, fb = ctlfake_connect(sock_path);
	bool ok = fa >= 0 && fb >= 0 && SEND(fa, "list", "40") &&
		  SEND(fb, "list", "30");

	for (int i = 0; ok && i < 2000 && (a.status < 0 || b.status < 0); i++) {
		step();
		ctlfake_read(fa, &a);
		ctlfake_read(fb, &b);
	}
	ok = ok && ((a.status == 0 && b.status == 0) ||
		    report_whyf("listings not done: %d %d", a.status, b.status));
	ok = ok && ((a.text_len == 40u * CTLFAKE_LINES * (sizeof(CTLFAKE_LINE) - 1) &&
		     b.text_len == 30u * CTLFAKE_LINES * (sizeof(CTLFAKE_LINE) - 1)) ||
		    report_whyf("%zu and %zu bytes", a.text_len, b.text_len));
	ok = ok && (ctlfake.most_chunks <= CTLSRV_CHUNKS ||
		    report_whyf("%d chunks in one iteration", ctlfake.most_chunks));
	ok = ok && (ctlfake.dropped == 2 || report_whyf("%d listings dropped", ctlfake.dropped));
	ok = ok && (srv.streams == 2 || report_whyf("%llu streams counted",
						     (unsigned long long)srv.streams));
	ctlfake_answer_free(&b);
	if (fb >= 0)
		close(fb);
	return finish(ok, fa, &a);
}

/* A reader that reads nothing: chunks stop, memory stays bounded */
static bool listing_waits_for_reader(void)
{
	int fd = srv_open() ? ctlfake_connect(sock_path) : -1;
	int made = 0;
	size_t mem = 0;
	bool ok = fd >= 0 && SEND(fd, "list", "1000");

	for (int i = 0; ok && i < 500; i++) {
		step();
		made += ctlfake.chunks_this_step;
		if (ctlsrv_memory(&srv) > mem)
			mem = ctlsrv_memory(&srv);
	}
	ok = ok && ((made > 0 && made < 40) ||
		    report_whyf("%d chunks made for a client that reads nothing", made));
	ok = ok && (mem < (1u << 20) ||
		    report_whyf("%zu bytes held for one client", mem));
	now_ms += CTLSRV_IDLE_MS + 1;
	step();
	ok = ok && ((cl_closed(fd) && srv.idle_closed == 1 && ctlfake.dropped == 1) ||
		    report_whyf("an unread answer not closed after %d ms (idle %llu)",
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
	int quiet = srv_open() ? ctlfake_connect(sock_path) : -1, stalled = ctlfake_connect(sock_path);
	bool ok = quiet >= 0 && stalled >= 0 &&
		  write(stalled, half, sizeof(half)) == sizeof(half);

	step();			/* accepted */
	step();			/* the stalled one's bytes read */
	now_ms += CTLSRV_IDLE_MS - 1;
	step();
	ok = ok && ((!cl_closed(quiet) && !cl_closed(stalled)) ||
		    report_whyf("closed before %d ms", CTLSRV_IDLE_MS));
	now_ms += 2;
	step();
	ok = ok && ((cl_closed(quiet) && cl_closed(stalled) &&
		     srv.idle_closed == 2) ||
		    report_whyf("idle clients open after %d ms (%llu closed)",
				CTLSRV_IDLE_MS, (unsigned long long)srv.idle_closed));
	close(quiet);
	close(stalled);
	ctlsrv_close(&srv);
	return ok;
}

/* conntrack -E's kind of answer: a stream that never ends */
static bool listener_waits(void)
{
	struct ctlfake_answer a = { .status = -1 };
	struct pollfd pfd[1 + CTLSRV_MAX_CLIENTS];
	int fd = srv_open() ? ctlfake_connect(sock_path) : -1, n;
	bool ok = fd >= 0 && SEND(fd, "listen"), polled_in = false;

	step();
	step();
	ctlfake.events = 2;
	step();
	ctlfake_read(fd, &a);
	ok = ok && ((a.text_len == 12 && !strcmp((char *)a.text, "event\nevent\n")) ||
		    report_whyf("events sent: '%s'", a.text ? a.text : ""));
	n = ctlsrv_pollfds(&srv, pfd, 0, now_ms);
	for (int i = 1; i < n; i++)
		polled_in |= pfd[i].fd >= 0 && pfd[i].events == POLLIN;
	ok = ok && (polled_in || report_whyf("an idle listener polled for writing"));
	now_ms += 3 * CTLSRV_IDLE_MS;
	step();
	ctlfake.events = 1;
	step();
	ctlfake_read(fd, &a);
	ok = ok && ((!a.eof && a.text_len == 18 && srv.idle_closed == 0) ||
		    report_whyf("after %d ms: eof %d, %zu bytes, %llu idle closed",
				3 * CTLSRV_IDLE_MS, a.eof, a.text_len,
				(unsigned long long)srv.idle_closed));
	ok = ok && (ctlfake.listen_calls <= 2 * 6 ||
		    report_whyf("%d feeds in 6 iterations", ctlfake.listen_calls));
	close(fd);
	step();
	ok = ok && (ctlfake.dropped == 1 ||
		    report_whyf("a listener that hung up not dropped (%d)", ctlfake.dropped));
	return finish(ok, -1, &a);
}

/* A client whose job runs, or whose request waits behind it, is not idle */
static bool waiting_is_not_idle(void)
{
	struct ctlfake_answer a = { .status = -1 }, b = { .status = -1 };
	struct masq_text t = { 0 };
	int fa = srv_open() ? ctlfake_connect(sock_path) : -1, fb = ctlfake_connect(sock_path);
	bool ok = fa >= 0 && fb >= 0 && SEND(fa, "job");

	step();
	step();
	ok = ok && SEND(fb, "echo", "after");
	step();
	now_ms += 3 * CTLSRV_IDLE_MS;
	step();
	ok = ok && ((!cl_closed(fa) && !cl_closed(fb)) ||
		    report_whyf("closed while waiting for masqd"));
	masq_text_printf(&t, "job done\n");
	ctlsrv_complete(&srv, 0, &t);
	ok = ok && until_answer(fa, &a, 10) && until_answer(fb, &b, 10) &&
	     ((!strcmp(a.text, "job done\n") && !strcmp(b.text, "after\n")) ||
	      report_whyf("answers '%s' '%s'", a.text, b.text));
	ctlfake_answer_free(&b);
	if (fb >= 0)
		close(fb);
	return finish(ok, fa, &a);
}

static bool seventeenth_client_served(void)
{
	struct ctlfake_answer a = { .status = -1 };
	int fd[CTLSRV_MAX_CLIENTS], late;
	bool ok = srv_open();

	for (int i = 0; i < CTLSRV_MAX_CLIENTS; i++) {
		fd[i] = ok ? ctlfake_connect(sock_path) : -1;
		step();
	}
	late = ok ? ctlfake_connect(sock_path) : -1;
	ok = ok && late >= 0 && SEND(late, "echo", "in");
	now_ms += CTLSRV_EVICT_MS;
	ok = ok && until_answer(late, &a, 10) &&
	     (!strcmp(a.text, "in\n") || report_whyf("answer '%s'", a.text));
	ok = ok && (srv.evicted == 1 ||
		    report_whyf("%llu evicted", (unsigned long long)srv.evicted));
	for (int i = 0; i < CTLSRV_MAX_CLIENTS; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	if (late >= 0)
		close(late);
	ctlfake_answer_free(&a);
	ctlsrv_close(&srv);
	return ok;
}

/* A header announcing more than CTL_MAX_REQUEST: refused, saying why */
static bool too_large_refused(void)
{
	struct ctlfake_answer a = { .status = -1 };
	uint8_t h[CTL_HDR_LEN] = { 'M', 'Q', 'C', '1', 0, CTL_VERSION, 0, 1 };
	uint32_t len = CTL_MAX_REQUEST + 1;
	int fd = srv_open() ? ctlfake_connect(sock_path) : -1;
	bool ok;

	h[8] = (uint8_t)(len >> 24);
	h[9] = (uint8_t)(len >> 16);
	h[10] = (uint8_t)(len >> 8);
	h[11] = (uint8_t)len;
	ok = fd >= 0 && write(fd, h, sizeof(h)) == sizeof(h) &&
	     until_answer(fd, &a, 10);
	ok = ok && ((a.status == 2 && strstr(a.text, "too long (limit 16 MiB)") &&
		     srv.too_large == 1) ||
		    report_whyf("status %d '%s'", a.status, a.text ? a.text : ""));
	step();
	ok = ok && (cl_closed(fd) || report_whyf("still open after a bad header"));
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
		fd[i] = ok ? ctlfake_connect(sock_path) : -1;
		ok = ok && fd[i] >= 0 && write(fd[i], h, sizeof(h)) == sizeof(h);
		step();
	}
	step();			/* the last header read */
	ok = ok && ((srv.starved_reads == 1 && srv.in_total <= CTLSRV_IN_TOTAL) ||
		    report_whyf("%llu waits, %zu bytes reserved",
				(unsigned long long)srv.starved_reads, srv.in_total));
	now_ms += CTLSRV_IDLE_MS;	/* the two stalled ones go, not the third */
	step();
	ok = ok && ((srv.idle_closed == 2 && !cl_closed(fd[2]) && !srv.cl[2].starved) ||
		    report_whyf("%llu closed; the waiting one starved %d",
				(unsigned long long)srv.idle_closed, srv.cl[2].starved));
	now_ms += CTLSRV_IDLE_MS;	/* it sends nothing either: closed */
	step();
	ok = ok && ((srv.idle_closed == 3 && cl_closed(fd[2]) && !srv.in_total) ||
		    report_whyf("%llu closed, %zu bytes still reserved",
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
	struct ctlfake_answer a[8];
	int fd[8], most = 0, done = 0;
	bool ok = srv_open(), busy_seen = false;

	for (int i = 0; i < 8; i++) {
		a[i] = (struct ctlfake_answer){ .status = -1 };
		fd[i] = ok ? ctlfake_connect(sock_path) : -1;
	}
	step();			/* all accepted, CTLSRV_ACCEPT_BUDGET a step */
	step();
	for (int i = 0; i < 8; i++)
		ok = ok && SEND(fd[i], "echo", "x");
	for (int k = 0; ok && k < 10 && done < 8; k++) {
		step();
		busy_seen |= ctlsrv_busy(&srv);
		if (ctlfake.runs_this_step > most)
			most = ctlfake.runs_this_step;
		done = 0;
		for (int i = 0; i < 8; i++) {
			ctlfake_read(fd[i], &a[i]);
			done += a[i].status == 0;
		}
	}
	ok = ok && ((done == 8 && most <= CTLSRV_RUN_BUDGET && busy_seen) ||
		    report_whyf("%d answered, %d in one iteration, busy %d", done,
				most, busy_seen));
	for (int i = 0; i < 8; i++) {
		ctlfake_answer_free(&a[i]);
		if (fd[i] >= 0)
			close(fd[i]);
	}
	ctlsrv_close(&srv);
	return ok;
}

static bool hold_queues(void)
{
	struct ctlfake_answer a = { .status = -1 };
	int fd = srv_open() ? ctlfake_connect(sock_path) : -1;
	bool ok = fd >= 0 && SEND(fd, "echo", "held");

	ctlsrv_hold(&srv, true);
	for (int i = 0; i < 5; i++)
		step();
	ctlfake_read(fd, &a);
	ok = ok && (a.status < 0 || report_whyf("answered while held"));
	ctlsrv_hold(&srv, false);
	ok = ok && until_answer(fd, &a, 5) &&
	     (!strcmp(a.text, "held\n") || report_whyf("answer '%s'", a.text));
	return finish(ok, fd, &a);
}

/* ---- who may use the socket (ctlperm.c) -------------------------------- */

#define GUEST_UID	65534
#define GUEST_GID	65534
#define CHILD_STEPS	5000	/* 1 ms apart: 5 s for a child's calls */

/* `set origdst-user WORD` as masqd runs it; its status, text in @t */
static int set_user(const char *word, struct masq_text *t)
{
	char *argv[] = { "set", "origdst-user", (char *)word, NULL };

	t->len = 0;
	if (t->s)
		t->s[0] = '\0';
	return ctlperm_command(&srv, 3, argv, t);
}

/* The socket's mode and group are @mode and @gid */
static bool sock_is(mode_t mode, gid_t gid)
{
	struct stat st;

	if (stat(sock_path, &st))
		return report_whyf("stat %s: %s", sock_path, strerror(errno));
	return ((st.st_mode & 0777) == mode && st.st_gid == gid) ||
	       report_whyf("socket mode %04o group %u, want %04o group %u",
			   st.st_mode & 0777, (unsigned)st.st_gid, mode, (unsigned)gid);
}

/*
 * A child's side: one blocking call of @argv on @fd; 0 when its status
 * is @status and its text contains @want, else a line on @err
 */
static int child_call(int fd, int err, int status, const char *want,
		      char *const *argv)
{
	int argc = 0, st = -1, ret;
	size_t len = 0;
	char *text = NULL;

	while (argv[argc])
		argc++;
	ret = ctl_call(fd, argc, argv, &st, &text, &len);
	if (ret || st != status || !strstr(text ? text : "", want)) {
		dprintf(err, "'%s': call %d status %d text '%s', want %d '%s'",
			argv[0], ret, st, text ? text : "", status, want);
		free(text);
		return 1;
	}
	free(text);
	return 0;
}

/* Become @uid with @gid as the only group; 0 or 1 after a line on @err */
static int become(uint32_t uid, uint32_t gid, int err)
{
	if (setgroups(0, NULL) || setgid(gid) || setuid(uid)) {
		dprintf(err, "cannot become %u:%u: %s", uid, gid, strerror(errno));
		return 1;
	}
	return 0;
}

/* Connect as a child; the socket, or -1 with errno */
static int child_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock_path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

enum child_kind {
	CHILD_GUEST,		/* asks origdst, then other commands */
	CHILD_STRANGER,		/* in the group, not the user */
	CHILD_OUTSIDE,		/* not in the group: cannot connect */
	CHILD_GUEST_TWICE,	/* origdst, waits for the parent, again */
};

static char *const ask[] = { "origdst", "192.168.0.2:40000",
			     "192.168.0.1:3128", NULL };

static int child_guest(int fd, int err)
{
	static char *const echo[] = { "echo", "hi", NULL };
	static char *const set[] = { "set", "origdst-user", "none", NULL };
	/* the iface listing passes the judgement (the fake knows it not) */
	static char *const list[] = { "iface", NULL };
	static char *const add[] = { "iface", "add", "x0", "mac",
				     "02:00:00:00:00:01", NULL };

	return child_call(fd, err, 0, CTLFAKE_ORIGDST, ask) ||
	       child_call(fd, err, 1, "may only ask origdst", echo) ||
	       child_call(fd, err, 1, "may only ask origdst", set) ||
	       child_call(fd, err, 2, "unknown command 'iface'", list) ||
	       child_call(fd, err, 1, "may only ask origdst", add) ||
	       child_call(fd, err, 0, CTLFAKE_ORIGDST, ask);
}

static int child_stranger(int fd, int err)
{
	if (child_call(fd, err, 1, "may not use masqd's control socket", ask))
		return 1;
	if (child_call(fd, err, 1, "", ask) == 0) {
		dprintf(err, "still connected after the refusal");
		return 1;
	}
	return 0;
}

/* origdst; tell the parent (@sync) and wait for its word; origdst again */
static int child_guest_twice(int fd, int err, int sync)
{
	char c = 'a';

	if (child_call(fd, err, 0, CTLFAKE_ORIGDST, ask) ||
	    write(sync, &c, 1) != 1 || read(sync, &c, 1) != 1)
		return 1;
	return child_call(fd, err, 1, "may not use masqd's control socket", ask);
}

static void child(enum child_kind kind, uint32_t uid, uint32_t gid, int err,
		  int sync)
{
	int fd;

	if (become(uid, gid, err))
		_exit(1);
	fd = child_connect();
	if (kind == CHILD_OUTSIDE) {
		if (fd >= 0 || errno != EACCES) {
			dprintf(err, "connect as %u:%u: %s, want EACCES", uid,
				gid, fd >= 0 ? "connected" : strerror(errno));
			_exit(1);
		}
		_exit(0);
	}
	if (fd < 0) {
		dprintf(err, "connect as %u:%u: %s", uid, gid, strerror(errno));
		_exit(1);
	}
	if (kind == CHILD_GUEST)
		_exit(child_guest(fd, err));
	if (kind == CHILD_STRANGER)
		_exit(child_stranger(fd, err));
	_exit(child_guest_twice(fd, err, sync));
}

/*
 * Run a child of @kind as @uid:@gid while the server steps; when it says
 * so on the sync socket, turn the origdst user off and answer it.
 * Return: true when it exited 0 (else why holds its line)
 */
static bool run_child(enum child_kind kind, uint32_t uid, uint32_t gid)
{
	int err[2], sync[2], st = -1, i;
	struct masq_text t = { 0 };
	char line[512];
	ssize_t n;
	pid_t pid;

	if (pipe2(err, O_CLOEXEC) ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sync))
		return report_whyf("pipe: %s", strerror(errno));
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(err[0]);
		close(sync[0]);
		child(kind, uid, gid, err[1], sync[1]);
	}
	close(err[1]);
	close(sync[1]);
	fcntl(sync[0], F_SETFL, O_NONBLOCK);
	for (i = 0; pid > 0 && i < CHILD_STEPS; i++) {
		char c;

		if (waitpid(pid, &st, WNOHANG) == pid)
			break;
		step();
		if (read(sync[0], &c, 1) == 1) {
			set_user("none", &t);
			if (write(sync[0], &c, 1) != 1)
				break;
		}
		usleep(1000);
	}
	if (pid > 0 && i == CHILD_STEPS) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	n = read(err[0], line, sizeof(line) - 1);
	line[n > 0 ? n : 0] = '\0';
	close(err[0]);
	close(sync[0]);
	masq_text_free(&t);
	if (pid < 0)
		return report_whyf("fork: %s", strerror(errno));
	if (i == CHILD_STEPS)
		return report_whyf("child %d did not finish", kind);
	return (WIFEXITED(st) && WEXITSTATUS(st) == 0) ||
	       report_whyf("child %d: %s", kind, line[0] ? line : "failed");
}

static bool guest_access(void)
{
	struct masq_text t = { 0 };
	int runs;
	bool ok = srv_open();

	/* the mkdtemp directory (0700) keeps the user out: refused, named */
	ok = ok && ((set_user("65534:65534", &t) == 1 &&
		     strstr(t.s, "could not reach") && strstr(t.s, dir)) ||
		    report_whyf("through a 0700 directory: '%s'", t.s ? t.s : ""));
	ok = ok && sock_is(0600, getegid());
	ok = ok && (!chmod(dir, 0711) || report_whyf("chmod: %s", strerror(errno)));
	ok = ok && (set_user("65534:65534", &t) == 0 ||
		    report_whyf("set 65534:65534: '%s'", t.s));
	ok = ok && sock_is(0660, GUEST_GID);
	t.len = 0;
	ctlperm_show(&srv.perm, &t);
	ok = ok && ((t.s && !strcmp(t.s, "origdst-user 65534:65534\n")) ||
		    report_whyf("shown as '%s'", t.s ? t.s : ""));
	runs = runs_total;
	ok = ok && run_child(CHILD_GUEST, GUEST_UID, GUEST_GID);
	ok = ok && (runs_total - runs == 3 ||
		    report_whyf("%d commands ran for the user, want his 2 origdst "
				"and 1 iface listing",
				runs_total - runs));
	runs = runs_total;
	ok = ok && run_child(CHILD_STRANGER, GUEST_UID - 1, GUEST_GID);
	ok = ok && run_child(CHILD_OUTSIDE, GUEST_UID, GUEST_GID - 1);
	ok = ok && (runs_total == runs ||
		    report_whyf("a stranger's command ran"));
	ok = ok && run_child(CHILD_GUEST_TWICE, GUEST_UID, GUEST_GID);
	ok = ok && sock_is(0600, getegid());
	ok = ok && run_child(CHILD_OUTSIDE, GUEST_UID, GUEST_GID);
	ok = ok && (srv.perm.denied == 5 ||
		    report_whyf("%llu refusals counted, want 5",
				(unsigned long long)srv.perm.denied));
	chmod(dir, 0700);
	masq_text_free(&t);
	ctlsrv_close(&srv);
	return ok;
}

/* Words `set origdst-user` refuses, changing nothing (no root needed) */
static bool guest_words(void)
{
	static const struct {
		const char *word;
		int status;
	} bad[] = {
		{ "65534", 2 }, { "65534:", 2 }, { ":65534", 2 },
		{ "a:b", 2 }, { "65534:65534:1", 2 }, { "-1:65534", 2 },
		{ "4294967295:1", 2 }, { "99999999999:1", 2 }, { " 1:1", 2 },
		{ "0:0", 1 },
	};
	struct masq_text t = { 0 };
	char *few[] = { "set", "origdst-user", NULL };
	bool ok = srv_open();

	for (size_t i = 0; ok && i < sizeof(bad) / sizeof(bad[0]); i++) {
		int st = set_user(bad[i].word, &t);

		ok = (st == bad[i].status && t.s && strstr(t.s, bad[i].word)) ||
		     report_whyf("'%s': status %d '%s', want %d naming it",
				 bad[i].word, st, t.s ? t.s : "", bad[i].status);
	}
	t.len = 0;
	ok = ok && (ctlperm_command(&srv, 2, few, &t) == 2 ||
		    report_whyf("two words accepted"));
	ok = ok && (!srv.perm.guest || report_whyf("a bad word set a user"));
	ok = ok && sock_is(0600, getegid());
	masq_text_free(&t);
	ctlsrv_close(&srv);
	return ok;
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
	report("listener_fed_each_iteration_not_idle_dropped_on_hangup",
	       listener_waits());
	report("seventeenth_client_served", seventeenth_client_served());
	report("too_large_request_refused", too_large_refused());
	report("request_memory_bounded", request_memory_bounded());
	report("command_budget_per_iteration", command_budget());
	report("hold_queues_commands", hold_queues());
	report("origdst_user_bad_words_refused", guest_words());
	if (geteuid() == 0)
		report("origdst_user_asks_origdst_only", guest_access());
	else
		printf("SKIP ctlsrv/origdst_user_asks_origdst_only: needs root "
		       "(children that take another uid)\n");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		printf("SKIP ctlsrv/cleanup: could not remove %s\n", dir);
	return 0;
}
