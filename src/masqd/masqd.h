/* SPDX-License-Identifier: MIT */
/*
 * masqd.h - the daemon's state, shared by its files
 *
 *	main.c		start, daemonize, stop
 *	options.c	the command line
 *	setup.c		kernel checks, engine configuration, -c file, sockets,
 *			taking the interfaces from the kernel
 *	loop.c		the event loop: receive, engine, transmit, control
 *	port.c		the ports (--io): open, receive, send, counters
 *	workers.c	--workers N, and where worker 0's sent frames go
 *			(workers_flush_tx(): ports, twins, other workers)
 *	command.c	control commands: the engine's, plus masqd's own counters
 *	ctlsrv.c	the control socket (its directory: sockdir.c)
 *	job.c		ruleset changes and reloads built on a worker thread
 *	wjob.c		... with --workers N: one per engine, finished under
 *			the workers' pause
 *	rulesrun.c	the one rules run of masqctl rules (txn verbs)
 *	config.c	the -c file at start and on SIGHUP (control/reload.h)
 *	check.c		masqd -t: the -c file checked, nothing started
 *	log.c		stderr or syslog, written by a log thread
 *	twin.c		the twins: the host's TAP door to each owned interface
 *	hostwatch.c	follow the host's addresses, routes and ports
 *	metrics.c	--metrics: the Prometheus endpoint, a thread of its own
 *	recover.c	one owner per interface, the record of its originals,
 *			their restore after a crash; masqd --release
 *	crash.c		a fatal signal gives the interfaces back
 *	privsep.c	the privileged helper: the give-back, nft (privmsg.c:
 *			its messages)
 *	sandbox.c	the packet process's user, capabilities, seccomp
 *	handover.c	restarts that keep connections: the state file
 */
#ifndef MASQD_MASQD_H
#define MASQD_MASQD_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "control/reload.h"
#include "io/afpacket.h"
#include "io/afxdp.h"
#include "io/claim.h"
#include "io/gro.h"
#include "io/kernelcheck.h"
#include "io/takeover.h"
#include "masq/engine.h"
#include "masqd/ctlsrv.h"
#include "masqd/handover.h"
#include "masqd/ifwarn.h"
#include "masqd/options.h"
#include "masqd/hostwatch.h"
#include "masqd/metrics.h"
#include "masqd/twin.h"
#include "masqd/workers.h"

#define MASQD_RX_BATCH		64
#define MASQD_TX_CAP		1024
#define MASQD_IDLE_MS		100

/**
 * struct masqd_job - the work being done off the loop (job.c): a ruleset
 * change, or the check of a reloaded -c file
 * @job:	the engine's job, NULL when none runs
 * @reloading:	the worker prepares a reload (reload_prepare())
 * @reload:	... what it prepared, for reload_commit()
 * @reload_ret:	... what reload_prepare() returned
 * @reload_msg:	... its messages
 * @reload_t0:	... when it started (ns, CLOCK_MONOTONIC)
 * @reload_ended: a reload is through (in effect or refused) and not yet
 *		reported: job_reload_outcome() hands it to config.c
 * @reload_asked: ... `masqctl reload` started it and waits for the
 *		answer (the control server's pending command)
 * @check_s:	... seconds its check took (off the loop)
 * @apply_ms:	... milliseconds putting it in effect took (in the loop)
 * @thread:	the worker (valid while job_busy())
 * @efd:	eventfd the worker writes when done; polled by the loop
 * @started:	jobs run on a worker thread
 * @wjob:	--workers N: engines 1..N-1's jobs, built beside @job (wjob.c)
 * @wreload:	... their reloads, prepared beside @reload
 * @what:	... the command's name, for the port-range check at the
 *		finish ("iptables", "txn commit"; valid until the reply)
 * @rx0:	... frames each worker had received when the job started
 * @rx_in_jobs:	... frames each worker received while jobs ran beside it
 */
struct masqd_job {
	struct masq_ctl_job *job;
	bool reloading;
	struct reload_job *reload;
	int reload_ret;
	struct masq_text reload_msg;
	uint64_t reload_t0;
	bool reload_ended;
	bool reload_asked;
	double check_s, apply_ms;
	pthread_t thread;
	int efd;
	uint64_t started;
	struct masq_ctl_job *wjob[MASQD_MAX_WORKERS];
	struct reload_job *wreload[MASQD_MAX_WORKERS];
	const char *what;
	uint64_t rx0[MASQD_MAX_WORKERS];
	uint64_t rx_in_jobs[MASQD_MAX_WORKERS];
};

/**
 * struct config_last - the last reload's outcome (config.c), for `show
 * settings`
 * @when:	when it ended (wall clock, s), 0 before the first
 * @ok:		it is in effect
 * @first:	the first error line when it failed
 */
struct config_last {
	int64_t when;
	bool ok;
	char first[256];
};

/**
 * struct masqd - everything the daemon holds
 * @o:		command line
 * @links:	what the kernel says about each owned interface
 * @ports:	one AF_PACKET port per owned interface, same order as @o->ifaces
 * @xports:	... or one AF_XDP port (--io afxdp; port.h chooses)
 * @port_of:	engine interface index -> index into @ports, -1 if none
 * @eidx:	index into @ports -> engine interface index, -1 if none
 * @pool:	the packet buffers
 * @e:		the engine
 * @tx:		frames the engine wants sent
 * @txscratch:	one port's share of @tx while sending
 * @ctl:	control socket
 * @ctl_open:	@ctl is open
 * @sigfd:	signalfd for SIGTERM, SIGINT, SIGHUP
 * @stop:	leave the loop
 * @hup:	a SIGHUP came while a job ran: reload once it is finished
 * @job:	the work running on the worker thread, if any
 * @tx_no_port:	frames the engine sent to an interface with no port
 * @gro:	userspace GRO's counters, one per port (loop.c, gro.h)
 * @iterations:	loop iterations
 * @to:		the kernel kept off the owned interfaces (takeover.h)
 * @rl:		the -c file in effect and the command line, for reloads
 * @last:	... how the last reload went (show settings)
 * @tw:		the twins (twin.h)
 * @hw:		what the host does on them, followed (hostwatch.h)
 * @netns:	inode of masqd's network namespace (keys the claims)
 * @claims:	one per owned interface, same order as @o->ifaces
 * @ho:		the state file of restarts (handover.c)
 * @handover:	the stop is a restart's (SIGUSR2): the takeover, the
 *		records and the twins are left for the successor
 * @wk:		--workers: the other engines, their threads (workers.h)
 */
#define RULESRUN_TOKEN_LEN	16
#define RULESRUN_LIVE		(-100)	/* txn do: not the run's: run live */

/**
 * struct rulesrun - the one open rules run (rulesrun.c)
 * @job:	the engine's shadow (a batch kept open), NULL when none
 * @wjob:	--workers N: engines 1..N-1's shadows
 * @token:	its token, hex
 * @last_s:	when a command last named it (s, CLOCK_MONOTONIC)
 * @begun, @committed, @aborted, @expired: runs so far, by their end
 */
struct rulesrun {
	struct masq_ctl_job *job;
	struct masq_ctl_job *wjob[MASQD_MAX_WORKERS];	/* [k]: worker k's
					 * shadow (k >= 1; wtxn.c) */
	char token[RULESRUN_TOKEN_LEN + 1];
	uint64_t last_s;
	uint64_t begun, committed, aborted, expired;
};

struct masqd {
	struct masqd_opts o;
	struct kc_link links[MASQD_MAX_IFACES];
	struct afp_port ports[MASQD_MAX_IFACES];
	struct afxdp_port xports[MASQD_MAX_IFACES];
	int port_of[MASQD_MAX_IFACES];
	int eidx[MASQD_MAX_IFACES];
	struct masq_pool *pool;
	struct masq_engine *e;
	struct masq_txq tx;
	struct masq_buf **txscratch;
	struct ctlsrv ctl;
	bool ctl_open;
	int sigfd;
	bool stop;
	bool hup;
	struct masqd_job job;
	struct rulesrun run;
	struct ifwarn ifw;	/* "no interface NAME (yet)", once */
	uint64_t tx_no_port;
	struct gro_stats gro[MASQD_MAX_IFACES];
	uint64_t iterations;
	struct takeover to;
	struct reload rl;
	struct config_last last;
	struct twins tw;
	struct hostwatch hw;
	struct metrics met;
	unsigned long netns;
	struct claim claims[MASQD_MAX_IFACES];
	struct handover ho;
	bool handover;
	struct workers wk;
};

int setup_links(struct masqd *d);
int setup_engine(struct masqd *d);
int setup_cmdline(struct masqd *d);
int check_config_file(struct masqd *d);
int setup_ports(struct masqd *d);
int setup_takeover(struct masqd *d);
void setup_teardown(struct masqd *d);

int recover_claim(struct masqd *d);
void recover_arm(struct masqd *d);
void recover_after_fork(struct masqd *d);
void recover_drop(struct masqd *d, bool restored);
void recover_note_twins(struct masqd *d);
int recover_release(const struct masqd_opts *o);
void crash_arm(const struct masqd *d);
void crash_delegate(void (*tell)(int sig));
void crash_twins(const struct masqd *d);

int config_base(struct masqd *d, int argc, char *const *argv);
void config_names(void);
int config_load(struct masqd *d);
void config_reload(struct masqd *d);
void config_reloaded(struct masqd *d);
int config_reload_command(struct masqd *d, int argc, char *const *argv,
			  struct masq_text *out);
void config_show(const struct masqd *d, struct masq_text *out);

int loop_init(struct masqd *d);
int loop_run(struct masqd *d);
int job_init(struct masqd *d);
bool job_start(struct masqd *d, int argc, char *const *argv,
	       struct masq_text *out, int *status);
bool job_start_with(struct masqd *d, struct masq_ctl_job *job,
		    struct masq_text *out, int *status);
bool job_busy(const struct masqd *d);
int rulesrun_command(struct masqd *d, int argc, char *const *argv,
		     struct masq_text *out);
void rulesrun_check(struct masqd *d);
void rulesrun_fini(struct masqd *d);
void job_reload_start(struct masqd *d);
bool job_reload_outcome(struct masqd *d, int *ret, struct masq_text *msg,
			double *check_s, double *apply_ms);
void job_done(struct masqd *d);
void job_fini(struct masqd *d);
bool wjob_make_others(struct masqd *d, int argc, char *const *argv);
void wjob_take_txn(struct masqd *d);
void wjob_run(struct masqd *d);
int wjob_finish(struct masqd *d, struct masq_text *out);
void wjob_prepare_reloads(struct masqd *d);
int wjob_commit_reloads(struct masqd *d);
void wjob_note_start(struct masqd *d);
void wjob_stats(struct masqd *d, struct masq_text *out);

extern const struct ctlsrv_ops masqd_ctl_ops;
int metrics_open(struct masqd *d);
void metrics_snapshot(struct masqd *d);

#endif
