// SPDX-License-Identifier: MIT
/*
 * wtxn.c - a rules run (txn, rulesrun.c) with --workers N: one shadow
 *	    per engine
 *
 * Each engine holds its own copy of the ruleset and the forwards, so a
 * `masqctl rules` run keeps a shadow on each (masq_engine_rules_txn()):
 * every `txn do` runs on all of them with every worker paused (a
 * forwards command swaps the shadow into its engine for the call), and
 * the answers must be the same, as for any command (wctl.c): a
 * difference is refused with "not yet with --workers N". The commit is
 * a job on every engine (wjob_take_txn(), wjob.c): each shadow compiled
 * on the job thread while the workers forward, then swapped in under
 * their pause, the steering picture taken again (the forwards may have
 * changed) and the port ranges checked (workers_warn_gaps()). The
 * shadows are built from the same configuration by the same commands,
 * so they compile alike; a commit whose statuses differ says so (it may
 * have taken on some).
 *
 * Cost: n shadows (memory n times one run's), n compiles at the commit.
 */
#include <errno.h>
#include <string.h>

#include "masqd/masqd.h"
#include "masqd/workers.h"

/**
 * wtxn_begin() - Open the shadows of engines 1..n-1 (worker 0's is open)
 * @d:		daemon, d->run.job made
 *
 * Return: 0, or -ENOMEM (none kept)
 */
int wtxn_begin(struct masqd *d)
{
	struct rulesrun *r = &d->run;
	int ret = 0;

	workers_pause_all(d);
	for (uint32_t k = 1; k < d->wk.n && !ret; k++) {
		r->wjob[k] = masq_engine_rules_txn(d->wk.w[k]->e);
		if (!r->wjob[k])
			ret = -ENOMEM;
	}
	workers_resume_all(d);
	if (ret)
		wtxn_drop(r);
	return ret;
}

/**
 * wtxn_drop() - Free the shadows of engines 1..n-1
 * @r:		the run
 */
void wtxn_drop(struct rulesrun *r)
{
	for (uint32_t k = 1; k < MASQD_MAX_WORKERS; k++) {
		masq_ctl_job_free(r->wjob[k]);
		r->wjob[k] = NULL;
	}
}

/* @out's text from @off is @t's */
static bool same_answer(const struct masq_text *out, size_t off,
			const struct masq_text *t)
{
	size_t n = out->len - off;

	return n == t->len && (!n || !memcmp(out->s + off, t->s, n));
}

/* @out from @off replaced by the refusal; Return: 1 */
static int refuse(struct masqd *d, struct masq_text *out, size_t off,
		  const char *why)
{
	out->len = off;
	if (out->s)
		out->s[off] = '\0';
	masq_text_printf(out, "txn: not yet with --workers %u: %s\n",
			 d->wk.n, why);
	return 1;
}

/*
 * @one on engine 0 into @out, then on engines 1..n-1 (unless it said -1:
 * not the run's); @same cleared when a status or an answer differs.
 * Return: engine 0's status
 */
static int each_engine(struct masqd *d,
		       int (*one)(struct masqd *d, uint32_t k, void *arg,
				  struct masq_text *out),
		       void *arg, struct masq_text *out, bool *same)
{
	size_t off = out->len;
	int st = one(d, 0, arg, out);

	for (uint32_t k = 1; k < d->wk.n && st != -1; k++) {
		struct masq_text t = { 0 };

		*same &= one(d, k, arg, &t) == st && same_answer(out, off, &t);
		masq_text_free(&t);
	}
	return st;
}

/* struct words - a command's words, for each_engine() */
struct words {
	int argc;
	char *const *argv;
};

/* `txn do` on engine @k's shadow */
static int do_one(struct masqd *d, uint32_t k, void *arg,
		  struct masq_text *out)
{
	const struct words *w = arg;

	return masq_ctl_txn_do(k ? d->run.wjob[k] : d->run.job, w->argc,
			       w->argv, out);
}

/**
 * wtxn_do() - `txn do WORD...` on every engine's shadow
 * @d:		daemon, a run open
 * @argc:	the command's words
 * @argv:	the words
 * @out:	worker 0's answer (the same as every engine's)
 *
 * Return: as masq_ctl_txn_do(): the status, or -1 (not the run's: run
 * it live); 1 with "not yet with --workers N" when the answers differ
 */
int wtxn_do(struct masqd *d, int argc, char *const *argv,
	    struct masq_text *out)
{
	struct words w = { argc, argv };
	size_t off = out->len;
	bool same = true;
	int st;

	workers_pause_all(d);
	st = each_engine(d, do_one, &w, out, &same);
	workers_resume_all(d);
	if (!same)
		return refuse(d, out, off, "the engines' shadows answered "
			      "differently (the run now differs between them: "
			      "abort it)");
	return st;
}
