// SPDX-License-Identifier: MIT
/*
 * wjob.c - ruleset changes and SIGHUP reloads with --workers N: built
 *	    beside the loop for every engine, finished under the pause
 *
 * Each worker's engine holds its own ruleset and its own compiled form
 * (fw_compile() takes the engine; the compiled rules carry that engine's
 * counters and are freed with the job that replaced them), so a change
 * is built once per engine. As with one worker (job.c) the long part -
 * the copies and compiles, 50-100 ms an engine for 10,000 rules - runs
 * on the job thread while every worker forwards; only the two short ends
 * stop them (workers_pause_all()):
 *
 *	loop thread (worker 0)			job thread
 *	engine 0's job made (masq_engine_ctl_job():
 *	  the words parsed, nothing copied; a
 *	  command that is none pauses nobody)
 *	workers paused: engines 1..n-1's made
 *	workers resumed  ------------------->	masq_ctl_job_run(): engine 0's
 *	... every worker forwards		job, then engine 1's, ... n-1's
 *	poll(): the eventfd  <---------------	write(eventfd, 1)
 *	workers paused: masq_engine_ctl_job_finish() on each engine (the
 *	  pointer swaps, the counter carry-over), the steering picture
 *	  taken again, the port ranges checked (workers_warn_gaps())
 *	workers resumed; the reply
 *
 * The answers must be one, as for any command (wctl.c): a status or text
 * that differs between engines is refused with "not yet with --workers
 * N" (the change may have taken on some; the rulesets are the same, so
 * that means a bug). Commands that read the rules (iptables -L,
 * iptables-save, with -Z too) are no jobs here: their counters are added
 * over the engines in the loop (wcount.c). A rules run's commit (the
 * shadows of wtxn.c) and a SIGHUP reload (reload_prepare() on the
 * thread for each engine's reload state, reload_commit() for each under
 * the pause, stopping at the first that fails) take the same path.
 *
 * The engine's rule for jobs holds on each engine: while engine k has a
 * job, its worker only forwards, and the control server starts no other
 * command. The frames each worker received while a job ran beside it are
 * counted (masqctl stats: masqd_workerK_rx_in_jobs), read at the two
 * pauses: what a user sees of the workers going on.
 *
 * job.c drives it (job_start() asks wjob_make_others() for the other
 * engines' jobs; rulesrun.c's commit calls wjob_take_txn() before
 * job_start_with()); nothing here calls back into job.c. With one
 * worker each function is engine 0's path alone, or returns at once.
 */
#include <string.h>

#include "masqd/masqd.h"
#include "masqd/port.h"
#include "masqd/workers.h"

/* Frames worker @k has received on every port (it is paused, or the loop) */
static uint64_t worker_rx(struct masqd *d, uint32_t k)
{
	uint64_t rx = 0;

	for (int i = 0; i < d->o.nifaces; i++)
		rx += wport_stats(d, d->wk.w[k], i)->rx_frames;
	return rx;
}

/* Every worker paused: what each has received as a job starts */
static void note_rx_at_start(struct masqd *d)
{
	for (uint32_t k = 0; k < d->wk.n; k++)
		d->job.rx0[k] = worker_rx(d, k);
}

/* Every worker paused: what each received while the job ran */
static void count_rx_at_finish(struct masqd *d)
{
	for (uint32_t k = 0; k < d->wk.n; k++)
		d->job.rx_in_jobs[k] += worker_rx(d, k) - d->job.rx0[k];
}

/**
 * wjob_note_start() - A job starts beside the workers: note their counts
 * @d:		daemon (nothing with one worker)
 */
void wjob_note_start(struct masqd *d)
{
	if (d->wk.n <= 1)
		return;
	workers_pause_all(d);
	note_rx_at_start(d);
	workers_resume_all(d);
}

/**
 * wjob_make_others() - The jobs of engines 1..n-1 for a command that is
 *			one on engine 0 (the loop's, made by job_start())
 * @d:		daemon, no job running, d->wk.n > 1
 * @argc:	number of words
 * @argv:	the words; valid until the reply
 *
 * Made with the workers paused (parsing only: nothing is copied yet).
 *
 * Return: true when every engine made one (kept in d->job.wjob[]);
 * false, none kept, when some engine did not
 */
bool wjob_make_others(struct masqd *d, int argc, char *const *argv)
{
	struct masq_ctl_job *job[MASQD_MAX_WORKERS] = { 0 };
	uint32_t k = 1;

	workers_pause_all(d);
	while (k < d->wk.n &&
	       (job[k] = masq_engine_ctl_job(d->wk.w[k]->e, argc, argv)))
		k++;
	if (k == d->wk.n)
		note_rx_at_start(d);
	workers_resume_all(d);
	if (k < d->wk.n) {
		while (--k)
			masq_ctl_job_free(job[k]);
		return false;
	}
	for (k = 1; k < d->wk.n; k++)
		d->job.wjob[k] = job[k];
	d->job.what = argv[0];
	return true;
}

/**
 * wjob_take_txn() - A rules run's commit: engines 1..n-1's shadows
 *		     become their jobs, compiled beside the loop with
 *		     worker 0's (job_start_with(), by rulesrun.c)
 * @d:		daemon, no job running
 */
void wjob_take_txn(struct masqd *d)
{
	for (uint32_t k = 1; k < d->wk.n; k++) {
		d->job.wjob[k] = d->run.wjob[k];
		d->run.wjob[k] = NULL;
	}
	d->job.what = "txn commit";
	wjob_note_start(d);
}

/**
 * wjob_run() - The long part of engines 1..n-1's jobs
 * @d:		daemon; on the job thread, after engine 0's
 */
void wjob_run(struct masqd *d)
{
	for (uint32_t k = 1; k < d->wk.n; k++)
		if (d->job.wjob[k])
			masq_ctl_job_run(d->job.wjob[k]);
}

static bool same_text(const struct masq_text *a, size_t off,
		      const struct masq_text *b)
{
	size_t la = a->len - off;

	return la == b->len && (!la || !memcmp(a->s + off, b->s, la));
}

/* Engines 1..n-1's finishes; Return: whether each said what engine 0 did */
static bool finish_the_others(struct masqd *d, struct masq_text *out,
			      size_t off, int st)
{
	bool same = true;

	for (uint32_t k = 1; k < d->wk.n; k++) {
		struct masq_text t = { 0 };

		same &= masq_engine_ctl_job_finish(d->wk.w[k]->e,
						   d->job.wjob[k], &t) == st &&
			same_text(out, off, &t);
		masq_text_free(&t);
	}
	return same;
}

/**
 * wjob_finish() - Publish every engine's job, workers paused
 * @d:		daemon; the job thread is joined
 * @out:	engine 0's answer (the same as every engine's)
 *
 * Return: the status; 1 with "not yet with --workers N" when the
 * engines' answers differ
 */
int wjob_finish(struct masqd *d, struct masq_text *out)
{
	size_t off = out->len;
	bool same;
	int st;

	if (d->wk.n <= 1)
		return masq_engine_ctl_job_finish(d->e, d->job.job, out);
	workers_pause_all(d);
	st = masq_engine_ctl_job_finish(d->e, d->job.job, out);
	same = finish_the_others(d, out, off, st);
	workers_steer_refresh(d);
	if (!st)
		workers_warn_gaps(d, d->job.what);
	count_rx_at_finish(d);
	workers_resume_all(d);
	if (same)
		return st;
	out->len = off;
	if (out->s)
		out->s[off] = '\0';
	masq_text_printf(out, "%s: not yet with --workers %u: the workers' "
			 "engines answered differently (the change may have "
			 "taken on some)\n", d->job.what, d->wk.n);
	return 1;
}

/**
 * wjob_prepare_reloads() - The long part of a reload for engines 1..n-1
 * @d:		daemon; on the job thread, after engine 0's prepare
 *
 * Stops at the first that fails (j->reload_ret, its message in
 * j->reload_msg): the file is the same for every engine.
 */
void wjob_prepare_reloads(struct masqd *d)
{
	struct masqd_job *j = &d->job;

	for (uint32_t k = 1; k < d->wk.n && !j->reload_ret; k++)
		j->reload_ret = reload_prepare(workers_rl(d, k), d->wk.w[k]->e,
					       &j->wreload[k], &j->reload_msg);
}

/**
 * wjob_commit_reloads() - Put a prepared reload in effect on every engine
 * @d:		daemon; every prepare succeeded
 *
 * With n > 1 the workers are paused for the commits, the steering
 * picture taken again and the port ranges checked.
 *
 * Return: reload_commit()'s result on the first engine that failed, or 0
 */
int wjob_commit_reloads(struct masqd *d)
{
	struct masqd_job *j = &d->job;
	int ret;

	if (d->wk.n <= 1)
		return reload_commit(&d->rl, d->e, j->reload, &j->reload_msg);
	workers_pause_all(d);
	ret = reload_commit(&d->rl, d->e, j->reload, &j->reload_msg);
	for (uint32_t k = 1; k < d->wk.n && !ret; k++)
		ret = reload_commit(workers_rl(d, k), d->wk.w[k]->e,
				    j->wreload[k], &j->reload_msg);
	workers_steer_refresh(d);
	workers_warn_gaps(d, "SIGHUP");
	count_rx_at_finish(d);
	workers_resume_all(d);
	return ret;
}

/**
 * wjob_stats() - masqctl stats' lines: what each worker received while
 *		  jobs ran beside it
 * @d:		daemon
 * @out:	"masqd_workerK_rx_in_jobs N" lines (none with one worker)
 */
void wjob_stats(struct masqd *d, struct masq_text *out)
{
	for (uint32_t k = 0; k < d->wk.n && d->wk.n > 1; k++)
		masq_text_printf(out, "masqd_worker%u_rx_in_jobs %llu\n", k,
				 (unsigned long long)d->job.rx_in_jobs[k]);
}
