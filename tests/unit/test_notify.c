// SPDX-License-Identifier: MIT
/*
 * test_notify.c - masqd's readiness datagrams (src/masqd/notify.c and
 * its log, compiled in here), against a datagram socket of the test's
 *
 * 1. path_ready_stopping: NOTIFY_SOCKET a path: notify_init() takes it
 *    and removes the variable; notify_ready(2) sends exactly
 *    "READY=1\nMAINPID=<pid>\nSTATUS=forwarding on 2 interfaces\n",
 *    notify_stopping() "STOPPING=1\nSTATUS=stopping\n".
 * 2. abstract_name: "@name" reaches the abstract socket "\0name".
 * 3. unset_is_silent: no variable: both calls return 0 and send nothing.
 * 4. bad_values_refused: "relative", "@", a path of 108 bytes: -EINVAL,
 *    the variable removed, nothing sent afterwards.
 * 5. gone_listener: the socket file without a listener: notify_ready()
 *    returns -ECONNREFUSED (logged), never crashes or blocks.
 *
 * Prints "ok notify/NAME" or "FAIL notify/NAME: why" per test.
 */
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "masqd/log.c"
#include "masqd/notify.c"

#include "../lib/report.h"

/* A datagram socket bound to @addr/@len; Return: fd, or -1 */
static int listener(const struct sockaddr_un *addr, socklen_t len)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0 || bind(fd, (const struct sockaddr *)addr, len)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* One pending datagram of @fd into @buf (NUL-ended); Return: bytes, or -1 */
static ssize_t take(int fd, char *buf, size_t size)
{
	ssize_t n = recv(fd, buf, size - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	return n;
}

/* Back to "no manager" between cases */
static void notify_forget(void)
{
	notify_len = 0;
	unsetenv("NOTIFY_SOCKET");
}

static int path_ready_stopping(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char want[128], got[256];
	int fd, rc = 0;

	snprintf(a.sun_path, sizeof(a.sun_path), "/tmp/masq-notify-%ld",
		 (long)getpid());
	unlink(a.sun_path);
	fd = listener(&a, sizeof(a));
	if (fd < 0)
		return report_failf("cannot bind %s", a.sun_path);
	setenv("NOTIFY_SOCKET", a.sun_path, 1);
	snprintf(want, sizeof(want), "READY=1\nMAINPID=%ld\n"
		 "STATUS=forwarding on 2 interfaces\n", (long)getpid());
	if (notify_init() || getenv("NOTIFY_SOCKET"))
		rc = report_failf("notify_init: not taken, or still in the environment");
	else if (notify_ready(2) || take(fd, got, sizeof(got)) < 0 ||
		 strcmp(got, want))
		rc = report_failf("ready: got '%s'", got);
	else if (notify_stopping() || take(fd, got, sizeof(got)) < 0 ||
		 strcmp(got, "STOPPING=1\nSTATUS=stopping\n"))
		rc = report_failf("stopping: got '%s'", got);
	close(fd);
	unlink(a.sun_path);
	notify_forget();
	return rc;
}

static int abstract_name(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char name[64], got[256];
	int fd, n, rc = 0;

	n = snprintf(name, sizeof(name), "@masq-notify-test-%ld", (long)getpid());
	memcpy(a.sun_path, name, (size_t)n);
	a.sun_path[0] = '\0';
	fd = listener(&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)n));
	if (fd < 0)
		return report_failf("cannot bind the abstract %s", name);
	setenv("NOTIFY_SOCKET", name, 1);
	if (notify_init() || notify_ready(1) || take(fd, got, sizeof(got)) < 0 ||
	    !strstr(got, "READY=1\n") || !strstr(got, "on 1 interface\n"))
		rc = report_failf("abstract: got '%s'", got);
	close(fd);
	notify_forget();
	return rc;
}

static int unset_is_silent(void)
{
	notify_forget();
	if (notify_init() || notify_ready(1) || notify_stopping())
		return report_failf("a call without NOTIFY_SOCKET failed");
	return 0;
}

static int bad_values_refused(void)
{
	char longpath[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	const char *bad[] = { "relative/sock", "@", "", longpath };

	memset(longpath, 'x', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv("NOTIFY_SOCKET", bad[i], 1);
		if (notify_init() != -EINVAL)
			return report_failf("'%.20s' not refused", bad[i]);
		if (getenv("NOTIFY_SOCKET") || notify_len)
			return report_failf("'%.20s' kept", bad[i]);
		if (notify_ready(1))
			return report_failf("a send after '%.20s'", bad[i]);
	}
	return 0;
}

static int gone_listener(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd, rc;

	snprintf(a.sun_path, sizeof(a.sun_path), "/tmp/masq-notify-gone-%ld",
		 (long)getpid());
	unlink(a.sun_path);
	fd = listener(&a, sizeof(a));
	if (fd < 0)
		return report_failf("cannot bind %s", a.sun_path);
	close(fd);	/* the file stays, nobody listens */
	setenv("NOTIFY_SOCKET", a.sun_path, 1);
	notify_init();
	rc = notify_ready(1);
	unlink(a.sun_path);
	notify_forget();
	if (rc != -ECONNREFUSED)
		return report_failf("want -ECONNREFUSED, got %d", rc);
	return 0;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	log_init(true);
	report_case("notify", "path_ready_stopping", path_ready_stopping());
	report_case("notify", "abstract_name", abstract_name());
	report_case("notify", "unset_is_silent", unset_is_silent());
	report_case("notify", "bad_values_refused", bad_values_refused());
	report_case("notify", "gone_listener", gone_listener());
	return 0;
}
