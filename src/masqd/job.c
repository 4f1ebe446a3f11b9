// SPDX-License-Identifier: MIT
/*
 * job.c - work built on a worker thread while packets flow: ruleset
 *	   changes and the check of a reloaded -c file
 *
 * Theory of operation: a big ruleset change (a 10,000-rule
 * iptables-restore; one iptables -A on a 10,000-rule ruleset) spends
 * 50-100 ms copying, changing and compiling. The engine splits such a
 * command into a job (engine.h): masq_engine_ctl_job() and
 * masq_engine_ctl_job_finish() on the loop's thread, masq_ctl_job_run() -
 * the long part - on any thread. masqd runs that part on a thread started
 * for the job; the loop goes on receiving, forwarding and transmitting.
 *
 *	loop thread			worker thread
 *	masq_engine_ctl_job()
 *	pthread_create()  ------------>	masq_ctl_job_run()
 *	... packets, bounded control	write(eventfd, 1)
 *	poll(): the eventfd is readable
 *	pthread_join()			(returned)
 *	masq_engine_ctl_job_finish()	the pointer swap
 *	ctlsrv_complete()		the client's reply
 *	pthread_create(detached) ----->	masq_ctl_job_free(): the old
 *					ruleset (milliseconds for 10,000
 *					rules) freed off the loop
 *
 * With --workers N the thread runs every engine's long part in turn and
 * the finish swaps each engine's in under one pause of the workers
 * (wjob.c): they forward meanwhile, as the loop does.
 *
 * A SIGHUP reload (or `masqctl reload`'s, whose client waits for
 * config_reloaded()'s answer) is the same shape (control/reload.h):
 * reload_prepare() on the worker (read, split and check the file; build
 * and compile its ruleset: all that grows with the file), reload_commit() in the loop
 * (settings, routes, neighbours, the swap), the replaced ruleset freed on
 * a detached thread. While it is prepared the control server starts no
 * command (ctlsrv_hold()): they wait in arrival order, as behind a job.
 *
 * One job at a time, and nothing else changes the engine's configuration
 * while it runs (engine.h's rule): the control server runs no other
 * command until the reply is given (ctlsrv.h: the others wait in arrival
 * order), a SIGHUP is remembered and the -c file reloaded once the job is
 * finished (loop.c), and at a stop the job is waited for and finished
 * before the engine is destroyed (job_fini()). Listings of the connection
 * table go on meanwhile: they read and release connections, which no job
 * touches. The worker only runs its part and writes the eventfd: no log
 * line, no other state; it inherits the loop's blocked signals, so they
 * all go to the signalfd. pthread_join() orders everything the job wrote
 * before the finish.
 *
 * A thread per job, not a thread kept waiting: a change comes seconds or
 * hours apart, and thread creation (tens of microseconds) is nothing next
 * to the work. If the thread cannot be created the job runs in the loop,
 * as before jobs existed (logged). A client that hangs up before its
 * reply does not stop the job: the change is applied and the reply's
 * send fails quietly.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "masqd/log.h"
#include "masqd/masqd.h"

/**
 * job_init() - Create the eventfd the worker thread signals completion on
 * @d:		daemon
 *
 * Return: 0, or -1 (logged)
 */
int job_init(struct masqd *d)
{
	d->job.job = NULL;
	d->job.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (d->job.efd < 0) {
		logmsg(LOG_ERR, "eventfd: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A reload's long part: the check and the ruleset */
static void reload_prepare_job(struct masqd *d)
{
	struct masqd_job *j = &d->job;

	j->reload_ret = reload_prepare(&d->rl, d->e, &j->reload,
				       &j->reload_msg);
	wjob_prepare_reloads(d);	/* --workers N: the other engines' */
}

/* The worker: the long part, then tell the loop */
static void *job_thread(void *arg)
{
	struct masqd *d = arg;
	struct masqd_job *j = &d->job;
	uint64_t one = 1;

	if (j->reloading)
		reload_prepare_job(d);
	else
		masq_ctl_job_run(j->job);
	if (!j->reloading)
		wjob_run(d);		/* --workers N: the other engines' */
	while (write(j->efd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
	return NULL;
}

/**
 * job_start() - Start a command as a job on the worker thread, if it is one
 * @d:		daemon, no job running
 * @argc:	number of words
 * @argv:	the words; valid until job_done() or job_fini()
 * @out:	the command's text, when it ran here (see below)
 * @status:	CTLSRV_PENDING, or the command's exit status if it ran here
 *
 * Return: false when the command is no job (run it with masq_engine_ctl());
 * true when it is: running on the worker thread (@status CTLSRV_PENDING,
 * job_busy(); the reply comes from job_done()), or, if no thread could be
 * started, run here already, with @status and @out set.
 */
bool job_start(struct masqd *d, int argc, char *const *argv,
	       struct masq_text *out, int *status)
{
	struct masq_ctl_job *job;

	if (d->wk.n > 1 && masq_ctl_reads_rules(argc, argv))
		return false;	/* --workers N: counters, wcount.c */
	job = masq_engine_ctl_job(d->e, argc, argv);
	if (!job)
		return false;	/* no job: the workers not paused */
	if (d->wk.n > 1 && !wjob_make_others(d, argc, argv)) {
		masq_ctl_job_free(job);
		return false;
	}
	return job_start_with(d, job, out, status);
}

static void free_finished(struct masqd *d, bool free_here);

/**
 * job_start_with() - Start an engine job made elsewhere (a rules run's
 *		      commit, rulesrun.c) on the worker thread
 * @d:		daemon, no job running
 * @job:	the job, now job.c's
 * @out:	its text, when it ran here
 * @status:	as job_start()'s
 *
 * Return: true
 */
bool job_start_with(struct masqd *d, struct masq_ctl_job *job,
		    struct masq_text *out, int *status)
{
	struct masqd_job *j = &d->job;
	int ret;

	j->job = job;
	ret = pthread_create(&j->thread, NULL, job_thread, d);
	if (!ret) {
		j->started++;
		*status = CTLSRV_PENDING;
		return true;
	}
	logmsg(LOG_WARNING, "cannot start a thread for a ruleset change (%s): "
	       "it runs in the loop", strerror(ret));
	masq_ctl_job_run(j->job);
	wjob_run(d);
	*status = wjob_finish(d, out);
	free_finished(d, true);
	return true;
}

static void *job_free_thread(void *arg)
{
	masq_ctl_job_free(arg);
	return NULL;
}

static void *job_reload_free_thread(void *arg)
{
	reload_job_free(arg);
	return NULL;
}

/*
 * Free a finished job (and the ruleset it replaced) with @fn on a
 * detached thread, so the loop does not pay for it; in the loop if no
 * thread can start
 */
static void free_elsewhere(void *(*fn)(void *), void *job)
{
	pthread_attr_t a;
	pthread_t t;
	int ret;

	if (!job)
		return;
	ret = pthread_attr_init(&a);
	if (!ret) {
		pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
		ret = pthread_create(&t, &a, fn, job);
		pthread_attr_destroy(&a);
	}
	if (ret)
		fn(job);
}

/*
 * The finished job or reload, and --workers N's others (wjob.c): freed
 * here, or elsewhere so the loop does not pay for the replaced rulesets
 */
static void free_finished(struct masqd *d, bool free_here)
{
	struct masqd_job *j = &d->job;

	for (uint32_t k = 0; k < MASQD_MAX_WORKERS; k++) {
		struct masq_ctl_job *job = k ? j->wjob[k] : j->job;
		struct reload_job *r = k ? j->wreload[k] : j->reload;

		if (free_here) {
			masq_ctl_job_free(job);
			reload_job_free(r);
		} else {
			free_elsewhere(job_free_thread, job);
			free_elsewhere(job_reload_free_thread, r);
		}
		j->wjob[k] = NULL;
		j->wreload[k] = NULL;
	}
	j->job = NULL;
	j->reload = NULL;
}

/**
 * job_busy() - Whether a job is running
 * @d:		daemon
 *
 * Return: true from job_start() or job_reload_start() until job_done()
 * or job_fini()
 */
bool job_busy(const struct masqd *d)
{
	return d->job.job != NULL || d->job.reloading;
}

/*
 * The reload is prepared: put it in effect (or not); the outcome waits
 * for job_reload_outcome()
 */
static void reload_end(struct masqd *d, bool free_here)
{
	struct masqd_job *j = &d->job;
	uint64_t t0 = mono_ns();

	j->check_s = (double)(t0 - j->reload_t0) / 1e9;
	if (!j->reload_ret)
		j->reload_ret = wjob_commit_reloads(d);	/* every engine's */
	j->apply_ms = (double)(mono_ns() - t0) / 1e6;
	free_finished(d, free_here);
	j->reloading = false;
	j->reload_ended = true;
	ctlsrv_hold(&d->ctl, false);
}

/**
 * job_reload_outcome() - How the reload that ended went, once
 * @d:		daemon
 * @ret:	reload_prepare()'s or reload_commit()'s value
 * @msg:	their messages (the caller frees them)
 * @check_s:	seconds the check took (off the loop)
 * @apply_ms:	milliseconds putting it in effect took (in the loop)
 *
 * Return: true when a reload ended since the last call (the outcome is
 * filled in), false otherwise
 */
bool job_reload_outcome(struct masqd *d, int *ret, struct masq_text *msg,
			double *check_s, double *apply_ms)
{
	struct masqd_job *j = &d->job;

	if (!j->reload_ended)
		return false;
	j->reload_ended = false;
	*ret = j->reload_ret;
	*msg = j->reload_msg;
	j->reload_msg = (struct masq_text){ 0 };
	*check_s = j->check_s;
	*apply_ms = j->apply_ms;
	return true;
}

/**
 * job_reload_start() - Check a reloaded -c file on the worker thread
 * @d:		daemon, no job running
 *
 * Commands wait (ctlsrv_hold()) until the reload is in effect or
 * refused: job_done() finishes it. If no thread can be started, all of
 * it runs here.
 */
void job_reload_start(struct masqd *d)
{
	struct masqd_job *j = &d->job;
	int ret;

	j->reloading = true;
	j->reload_t0 = mono_ns();
	j->reload_msg = (struct masq_text){ 0 };
	ctlsrv_hold(&d->ctl, true);
	wjob_note_start(d);
	ret = pthread_create(&j->thread, NULL, job_thread, d);
	if (!ret) {
		j->started++;
		return;
	}
	logmsg(LOG_WARNING, "cannot start a thread for the reload (%s): it "
	       "runs in the loop", strerror(ret));
	reload_prepare_job(d);
	reload_end(d, true);
}

/*
 * Wait for the worker, publish, reply: the job ends here. @free_here: at
 * a stop, free in this thread (nothing may outlive the engine's owner)
 */
static void job_end(struct masqd *d, bool free_here)
{
	struct masqd_job *j = &d->job;
	struct masq_text out = { 0 };
	int status, ret;

	ret = pthread_join(j->thread, NULL);
	if (ret)	/* only for a bug: the thread is joinable and ours */
		logmsg(LOG_ERR, "pthread_join: %s", strerror(ret));
	if (j->reloading) {
		reload_end(d, free_here);
		return;
	}
	status = wjob_finish(d, &out);	/* --workers N: every engine's */
	free_finished(d, free_here);
	ifwarn_reply(&d->ifw, status, &out);
	ctlsrv_complete(&d->ctl, status, &out);
}

/**
 * job_done() - Finish the job if the worker is through with it
 * @d:		daemon
 *
 * Call when poll() says the eventfd is readable. The worker has returned
 * or is returning: the join waits at most for its last instructions.
 * O(rules) for the counter carry-over in the engine's finish.
 */
void job_done(struct masqd *d)
{
	uint64_t n;

	if (read(d->job.efd, &n, sizeof(n)) != sizeof(n) || !job_busy(d))
		return;
	job_end(d, false);
}

/**
 * job_fini() - At a stop: wait for a running job, finish it, close the fd
 * @d:		daemon (any stage of setup)
 *
 * The worker is bounded (one ruleset change), so the wait is too. The
 * change is published and the client gets its reply, as far as its socket
 * takes it without blocking, before the control socket is closed.
 */
void job_fini(struct masqd *d)
{
	if (job_busy(d))
		job_end(d, true);
	masq_text_free(&d->job.reload_msg);	/* a reload's, never logged */
	if (d->job.efd >= 0)
		close(d->job.efd);
	d->job.efd = -1;
}
