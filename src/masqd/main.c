// SPDX-License-Identifier: MIT
/*
 * main.c - masqd: a userspace IP masquerading router (see masqd(8))
 *
 * Thin: parse the command line, set up (setup.c), leave the terminal
 * unless -f, fork the privileged helper (privsep.c) and drop privileges
 * (sandbox.c), start the log thread (log.c), run the loop (loop.c), tear
 * down, let the log thread write what is queued. The pid file
 * (pidfile.h) is written once the pid is final, before privileges go. Every start-up failure is
 * reported on stderr before masqd detaches, with exit status 1 (2 for a
 * bad command line); a clean stop on SIGTERM exits 0, its connections
 * written for the next start (handover.c). masqd --release
 * gives interfaces back and exits (recover.c), starting nothing; so
 * does masqd -t, which checks the -c file (check.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "masqd/log.h"
#include "masqd/masqd.h"
#include "masqd/notify.h"
#include "masqd/pidfile.h"
#include "masqd/privsep.h"
#include "masqd/sandbox.h"

/* Fork away from the terminal; the parent exits 0 once the child runs */
static int daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0) {
		logmsg(LOG_ERR, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0)
		_exit(0);
	setsid();
	if (chdir("/"))
		logmsg(LOG_WARNING, "chdir /: %s", strerror(errno));
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	log_detach();
	return 0;
}

static int start(struct masqd *d)
{
	if (sandbox_user(d->o.user))	/* a wrong --user: before any change */
		return -1;
	for (int i = 0; i < MASQD_MAX_IFACES; i++)
		d->claims[i].fd = -1;	/* none taken yet */
	if (handover_open(d))	/* a predecessor's state: a restart's? */
		return -1;
	if (recover_claim(d) || handover_create(d))	/* one owner, a dead
							 * one's undone */
		return -1;
	if (setup_links(d) || setup_engine(d) || setup_ports(d) || loop_init(d))
		return -1;
	if (ctlsrv_open(&d->ctl, d->o.sock, &masqd_ctl_ops, d))
		return -1;
	d->ctl_open = true;
	/* the socket is ours, so the nft table named after it is too */
	if (setup_takeover(d))
		return -1;
	crash_arm(d);
	if (twin_setup(d))	/* the host's door, once all is set */
		return -1;
	if (d->o.metrics && metrics_open(d))	/* opt-in (command.c) */
		return -1;
	return hostwatch_setup(d);	/* last: what the host does there */
}

int main(int argc, char **argv)
{
	static struct masqd d = { .sigfd = -1, .job.efd = -1, .tw.nl.fd = -1,
				  .met.lfd = -1, .met.stopfd = -1, .ho.fd = -1 };
	int ret;

	ret = opts_parse(argc, argv, &d.o);
	if (ret)
		return ret > 0 ? 0 : 2;
	log_init(d.o.foreground || d.o.nrelease || d.o.check);
	if (d.o.nrelease)
		return recover_release(&d.o);
	if (d.o.check)		/* -t: nothing started (check.c) */
		return check_config_file(&d);
	notify_init();	/* $NOTIFY_SOCKET: systemd's Type=notify */
	if (start(&d)) {
		setup_teardown(&d);
		return 1;
	}
	if (!d.o.foreground && daemonize()) {
		setup_teardown(&d);
		return 1;
	}
	if (!d.o.foreground)
		recover_after_fork(&d);
	/* the helper keeps root; this process drops it, before any thread */
	if (privsep_start(&d)) {
		setup_teardown(&d);
		return 1;
	}
	crash_delegate(privsep_tell_crash);
	if (pidfile_write(&d)) {	/* as root, the pid final; the helper
					 * removes it (privsep.c) */
		setup_teardown(&d);
		return 1;
	}
	if (sandbox_enter(&d)) {
		setup_teardown(&d);
		return 1;
	}
	logmsg(LOG_INFO, "running on %d interface%s, control socket %s%s",
	       d.o.nifaces, d.o.nifaces == 1 ? "" : "s", d.o.sock,
	       d.o.vnet_hdr ? "" : " (virtio-net header off)");
	log_start();
	if (d.o.metrics) {		/* its thread: after the fork */
		metrics_snapshot(&d);
		if (metrics_run(&d.met)) {
			setup_teardown(&d);
			return 1;
		}
	}
	if (d.ho.data)	/* a restart's state: the host's addresses first */
		hostwatch_settle(&d, 500);
	handover_restore(&d);	/* last: the engine as configured */
	if (workers_start(&d)) {	/* --workers N: threads 1..N-1 */
		setup_teardown(&d);
		return 1;
	}
	notify_ready(d.o.nifaces);	/* forwarding starts */
	ret = loop_run(&d);
	workers_stop(&d);	/* nothing forwards from here on */
	notify_stopping();
	handover_save(&d);	/* for a successor: before anything goes */
	metrics_stop(&d.met);
	setup_teardown(&d);
	if (d.sigfd >= 0)
		close(d.sigfd);
	logmsg(LOG_INFO, "stopped");
	log_stop();
	return ret;
}
