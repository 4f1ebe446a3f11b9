// SPDX-License-Identifier: MIT
/*
 * test_socksify_relay.c - masq-socksify's loop on loopback, no root
 * (src/socksify/relay.c with ask.c and socks5.c)
 *
 * Three processes besides the test: a fake masqd on a Unix socket (it
 * answers `origdst` by the client's port: BASE+1 and BASE+4 are
 * redirected to 198.51.100.7:80 and :443, BASE+3 to :81, anything else
 * "no such connection"), a fake SOCKS5 server on 127.0.0.1 (CONNECT to
 * :80 succeeds and sends "HELLO" at once, then echoes until the client
 * ends and ends itself; to :443 it answers "connection refused"), and the
 * relay on 127.0.0.1 with the ports file "80 443". The test's clients
 * bind to BASE+N, so the fake masqd knows which case it is asked about:
 *
 *	relayed_half_close	BASE+1: "ping", SHUT_WR; reads "HELLOping"
 *				then the end (the proxy's bytes after its
 *				reply, half-close both ways)
 *	not_redirected_reset	BASE+2: closed at once, a reset, logged
 *	unlisted_port_reset	BASE+3: port 81 is not in the ports file
 *	proxy_refusal_reset	BASE+4: the reply code, in words, logged
 *	masqd_gone_reset	the fake masqd killed: BASE+1 is closed at once
 *
 * Prints "ok socksify_relay/NAME" or "FAIL socksify_relay/NAME: why".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "control/proto.h"
#include "socksify/relay.h"
#include "../lib/report.h"

static char dir[] = "/tmp/masq-sxtest-XXXXXX";
static char sock_path[64], log_path[64];
static uint16_t base, socks_port, listen_port;
static pid_t masqd_pid, socks_pid, relay_pid;
static int failures;

/* ---- the fake masqd ---------------------------------------------------- */

static void masqd_answer(int fd, const struct ctl_request *req)
{
	const char *text = "origdst: no such connection\n";
	const char *colon = req->argc >= 3 ? strrchr(req->argv[1], ':') : NULL;
	int status = 1, off = colon ? atoi(colon + 1) - base : -1;
	struct ctl_msg m;

	if (!strcmp(req->argv[0], "origdst") && (off == 1 || off == 3 || off == 4)) {
		text = off == 1 ? "198.51.100.7:80\n" :
		       off == 3 ? "198.51.100.7:81\n" : "198.51.100.7:443\n";
		status = 0;
	}
	if (!ctl_reply_encode(status, text, strlen(text), &m)) {
		ctl_write_all(fd, m.buf, m.len);
		ctl_msg_free(&m);
	}
}

static void masqd_serve_one(int fd)
{
	uint8_t hdr[CTL_HDR_LEN], *body;
	struct ctl_request req;
	uint32_t len;

	while (!ctl_read_full(fd, hdr, sizeof(hdr)) &&
	       !ctl_hdr_parse(hdr, sizeof(hdr), CTL_KIND_REQUEST, &len) &&
	       len < 65536 && (body = malloc(len + 1))) {
		if (ctl_read_full(fd, body, len) ||
		    ctl_request_parse(body, len, &req)) {
			free(body);
			break;
		}
		masqd_answer(fd, &req);
		ctl_request_free(&req);
		free(body);
	}
	close(fd);
}

static void masqd_main(int lfd)
{
	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		if (fd >= 0)
			masqd_serve_one(fd);
	}
}

/* ---- the fake SOCKS server ---------------------------------------------- */

static int read_n(int fd, uint8_t *b, size_t n)
{
	return ctl_read_full(fd, b, n);
}

static void socks_session(int fd)
{
	uint8_t b[512];
	ssize_t n;

	if (read_n(fd, b, 2) || read_n(fd, b + 2, b[1]))
		goto out;
	if (write(fd, "\x05\x00", 2) != 2 || read_n(fd, b, 10))
		goto out;
	if (b[8] == 1 && b[9] == 0xbb) {	/* :443 */
		if (write(fd, "\x05\x05\x00\x01\0\0\0\0\0\0", 10) != 10)
			goto out;
		goto out;
	}
	if (write(fd, "\x05\x00\x00\x01\x7f\x00\x00\x01\x04\x38" "HELLO", 15) != 15)
		goto out;
	while ((n = read(fd, b, sizeof(b))) > 0)
		if (write(fd, b, (size_t)n) != n)
			goto out;
	shutdown(fd, SHUT_WR);
out:
	close(fd);
}

static void socks_main(int lfd)
{
	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		if (fd >= 0)
			socks_session(fd);
	}
}

/* ---- the relay ------------------------------------------------------------- */

static volatile sig_atomic_t stop_flag, zero;

static void on_term(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void no_reload(struct sx_cfg *cfg)
{
	(void)cfg;
}

static void relay_main(void)
{
	static struct sx_cfg cfg;
	struct in_addr lo = { htonl(INADDR_LOOPBACK) };
	char err[256];
	struct sx_relay *r;
	int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);

	if (fd >= 0)
		dup2(fd, 2);
	signal(SIGTERM, on_term);
	signal(SIGPIPE, SIG_IGN);
	cfg.socks.sin_family = AF_INET;
	cfg.socks.sin_addr = lo;
	cfg.socks.sin_port = htons(socks_port);
	cfg.socks_name = "127.0.0.1:socks";
	cfg.listen_port = listen_port;
	cfg.ports_file = "ports";
	cfg.local_file = "local";
	cfg.sock = sock_path;
	if (sx_ports_parse("80 443", 6, "ports", &cfg.ports, err, sizeof(err)))
		_exit(3);
	r = sx_relay_open(&cfg, &lo, 1, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "relay: %s\n", err);
		_exit(2);
	}
	sx_relay_run(r, &stop_flag, &zero, &zero, no_reload);
	sx_relay_close(r);
	_exit(0);
}

/* ---- set-up ------------------------------------------------------------------ */

static int tcp_listener(uint16_t *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t l = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(fd, 16) || getsockname(fd, (struct sockaddr *)&sin, &l))
		return -1;
	*port = ntohs(sin.sin_port);
	return fd;
}

static int unix_listener(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock_path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) ||
	    listen(fd, 16))
		return -1;
	return fd;
}

static pid_t child(void (*fn)(int), int fd)
{
	pid_t p = fork();

	if (p == 0) {
		fn(fd);
		_exit(0);
	}
	close(fd);
	return p;
}

/* A free port for the relay: bound, read and let go */
static uint16_t free_port(void)
{
	uint16_t p = 0;
	int fd = tcp_listener(&p);

	if (fd >= 0)
		close(fd);
	return p;
}

static int setup(void)
{
	int lfd;

	if (!mkdtemp(dir))
		return report_failf("mkdtemp: %s", strerror(errno));
	snprintf(sock_path, sizeof(sock_path), "%s/m.sock", dir);
	snprintf(log_path, sizeof(log_path), "%s/relay.log", dir);
	base = (uint16_t)(20000 + (getpid() % 2000) * 10);
	lfd = unix_listener();
	if (lfd < 0)
		return report_failf("the fake masqd: %s", strerror(errno));
	masqd_pid = child(masqd_main, lfd);
	lfd = tcp_listener(&socks_port);
	if (lfd < 0)
		return report_failf("the fake SOCKS server: %s", strerror(errno));
	socks_pid = child(socks_main, lfd);
	listen_port = free_port();
	relay_pid = fork();
	if (relay_pid == 0)
		relay_main();
	for (int i = 0; i < 50; i++) {	/* listening within 5 s */
		struct sockaddr_in sin = { .sin_family = AF_INET,
			.sin_port = htons(listen_port),
			.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		int ok = connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;

		close(fd);
		if (ok)
			return 0;
		usleep(100000);
	}
	return report_failf("the relay does not listen on 127.0.0.1:%u", listen_port);
}

/* ---- the clients ---------------------------------------------------------------- */

/* Connected from 127.0.0.1:BASE+@n to the relay; -1 */
static int client(int n)
{
	struct sockaddr_in me = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)(base + n)),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in to = me;
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	to.sin_port = htons(listen_port);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&me, sizeof(me)) ||
	    connect(fd, (struct sockaddr *)&to, sizeof(to))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* All the bytes until the end (or 3 s); *@reset when it ended in a reset */
static ssize_t read_all(int fd, char *buf, size_t size, bool *reset)
{
	size_t n = 0;

	*reset = false;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (poll(&p, 1, 3000) != 1)
			return -1;		/* a hang */
		r = read(fd, buf + n, size - 1 - n);
		if (r < 0) {
			*reset = errno == ECONNRESET;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	return (ssize_t)n;
}

static bool log_has(const char *words)
{
	char buf[8192];
	int fd = open(log_path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return strstr(buf, words) != NULL;
}

static int relayed_half_close(void)
{
	char buf[64];
	bool reset;
	int fd = client(1);
	ssize_t n;

	if (fd < 0)
		return report_failf("connect: %s", strerror(errno));
	if (write(fd, "ping", 4) != 4 || shutdown(fd, SHUT_WR))
		return report_failf("write: %s", strerror(errno));
	n = read_all(fd, buf, sizeof(buf), &reset);
	close(fd);
	if (n < 0)
		return report_failf("no end within 3 s (got nothing or hung)");
	if (reset || strcmp(buf, "HELLOping"))
		return report_failf("read '%s'%s, want 'HELLOping' then the end",
				    buf, reset ? " and a reset" : "");
	return 0;
}

/* Client @n is closed at once, with a reset, and @words are logged */
static int closed_at_once(int n, const char *words)
{
	char buf[64];
	bool reset;
	int fd = client(n);
	ssize_t got;

	if (fd < 0)
		return report_failf("connect: %s", strerror(errno));
	got = read_all(fd, buf, sizeof(buf), &reset);
	close(fd);
	if (got != 0 || !reset)
		return report_failf("got %zd bytes ('%s'), reset %d: want a reset "
				    "and nothing", got, got > 0 ? buf : "", reset);
	usleep(50000);
	if (!log_has(words))
		return report_failf("the log does not say '%s'", words);
	return 0;
}

static int not_redirected_reset(void)
{
	return closed_at_once(2, "masqd has no original destination");
}

static int unlisted_port_reset(void)
{
	return closed_at_once(3, "port 81 is not in ports");
}

static int proxy_refusal_reset(void)
{
	return closed_at_once(4, "SOCKS server 127.0.0.1:socks: connection "
			      "refused (reply 5)");
}

static int masqd_gone_reset(void)
{
	kill(masqd_pid, SIGKILL);
	waitpid(masqd_pid, NULL, 0);
	masqd_pid = 0;
	unlink(sock_path);
	return closed_at_once(5, "masqd");
}

static void run(const char *name, int (*fn)(void))
{
	int rc = fn();

	failures += rc != 0;
	report_case("socksify_relay", name, rc);
}

static void teardown(void)
{
	pid_t pids[] = { relay_pid, masqd_pid, socks_pid };

	for (size_t i = 0; i < 3; i++) {
		if (pids[i] <= 0)
			continue;
		kill(pids[i], i == 0 ? SIGTERM : SIGKILL);
		waitpid(pids[i], NULL, 0);
	}
	unlink(sock_path);
	unlink(log_path);
	rmdir(dir);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (setup()) {
		report_case("socksify_relay", "setup", -1);
		teardown();
		return 1;
	}
	run("relayed_half_close", relayed_half_close);
	run("not_redirected_reset", not_redirected_reset);
	run("unlisted_port_reset", unlisted_port_reset);
	run("proxy_refusal_reset", proxy_refusal_reset);
	run("masqd_gone_reset", masqd_gone_reset);
	teardown();
	return failures ? 1 : 0;
}
