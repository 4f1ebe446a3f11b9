// SPDX-License-Identifier: MIT
/*
 * notify.c - the service manager's readiness protocol (sd_notify(3)'s
 * wire format, written here: one datagram of NAME=VALUE lines)
 *
 * systemd runs masq.service as Type=notify: it counts masqd as started
 * when a datagram "READY=1" reaches the AF_UNIX socket named by
 * $NOTIFY_SOCKET, and masqd sends it when forwarding starts (just before
 * the packet loop), not when the process starts: a unit ordered After=
 * masq.service then finds the interfaces owned, the rules loaded and the
 * control socket answering. "STOPPING=1" goes out when the loop ends.
 *
 * notify_init() reads $NOTIFY_SOCKET once and removes it from the
 * environment, so the programs masqd starts (nft) never see it. A path
 * starting with '@' is an abstract socket (the '@' becomes a NUL byte).
 * No variable: every call is a no-op returning 0. A failed send is
 * returned (and logged by the caller's choice), never fatal: a router
 * that forwards is worth more than a manager that knows it.
 *
 * The datagram carries MAINPID= too: systemd takes it only from a
 * process NotifyAccess= admits, which is how a masqd started without -f
 * (the datagram then comes from the forked child) can still be followed
 * with NotifyAccess=all; the packaged unit runs masqd -f and uses
 * NotifyAccess=main.
 *
 * The socket is made and connected in notify_init(), while masqd is
 * still root: after the drop (sandbox.c) the packet process's user may
 * not be allowed to connect to the manager's path, but a connected
 * socket sends anyway. When the connect fails (no listener yet) each
 * send tries sendto() on a new socket instead, as before.
 *
 * Rejected: linking libsystemd (a dependency, and its sd_notify() does
 * the same ten lines); a readiness pipe (systemd does not offer one).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "masqd/log.h"
#include "masqd/notify.h"

static struct sockaddr_un notify_addr;
static socklen_t notify_len;	/* 0: no manager to tell */
static int notify_fd = -1;	/* connected at notify_init(), as root */

/**
 * notify_init() - Take the manager's socket address from $NOTIFY_SOCKET
 *
 * Return: 0 (also when there is none), -EINVAL for an address that is
 * not a path or '@' name or is too long (logged; masqd then tells nobody)
 */
int notify_init(void)
{
	const char *s = getenv("NOTIFY_SOCKET");
	size_t n;

	if (!s)
		return 0;
	n = strlen(s);
	if ((s[0] != '/' && s[0] != '@') || n < 2 ||
	    n >= sizeof(notify_addr.sun_path)) {
		logmsg(LOG_WARNING, "NOTIFY_SOCKET '%.60s' is not a socket "
		       "path or abstract name: readiness not sent", s);
		unsetenv("NOTIFY_SOCKET");
		return -EINVAL;
	}
	notify_addr.sun_family = AF_UNIX;
	memcpy(notify_addr.sun_path, s, n);
	if (s[0] == '@')
		notify_addr.sun_path[0] = '\0';
	notify_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	unsetenv("NOTIFY_SOCKET");
	notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (notify_fd >= 0 && connect(notify_fd, (const struct sockaddr *)
				      &notify_addr, notify_len)) {
		close(notify_fd);	/* sendto() at each send, then */
		notify_fd = -1;
	}
	return 0;
}

/* Send one datagram of NAME=VALUE lines to the manager, if there is one */
static int notify_send(const char *msg)
{
	int fd, ret = 0;

	if (!notify_len)
		return 0;
	if (notify_fd >= 0 &&
	    send(notify_fd, msg, strlen(msg), MSG_NOSIGNAL) >= 0)
		return 0;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL,
		   (const struct sockaddr *)&notify_addr, notify_len) < 0)
		ret = -errno;
	close(fd);
	if (ret)
		logmsg(LOG_WARNING, "notify socket: %s", strerror(-ret));
	return ret;
}

/**
 * notify_ready() - Tell the manager that forwarding starts
 * @nifaces:	interfaces owned, for the status line systemctl shows
 *
 * Return: 0, or -errno of a failed send (already logged)
 */
int notify_ready(int nifaces)
{
	char msg[128];

	snprintf(msg, sizeof(msg), "READY=1\nMAINPID=%ld\n"
		 "STATUS=forwarding on %d interface%s\n", (long)getpid(),
		 nifaces, nifaces == 1 ? "" : "s");
	return notify_send(msg);
}

/**
 * notify_stopping() - Tell the manager that masqd is stopping
 *
 * Return: 0, or -errno of a failed send (already logged)
 */
int notify_stopping(void)
{
	return notify_send("STOPPING=1\nSTATUS=stopping\n");
}
