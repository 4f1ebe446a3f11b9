// SPDX-License-Identifier: MIT
/*
 * rulesrun.c - the one rules run of `masqctl rules`: the txn verbs
 *
 *	txn begin		open the run: prints its TOKEN (16 hex digits)
 *	txn do TOKEN WORD...	WORD... on the run's shadow (rule commands,
 *				their dumps, ipmasqadm), or live (the rest)
 *	txn commit TOKEN	compile the shadow (a job on the worker
 *				thread) and swap it in
 *	txn abort TOKEN		drop it
 *	txn keep TOKEN		nothing but that it is still in use (masqctl
 *				rules says so every 20 s while a script runs)
 *
 * masqctl rules runs a directory of scripts in one shell; every masqctl
 * the scripts start finds the token in its environment (MASQ_TXN) and
 * sends its words as `txn do TOKEN ...`. The shadow is the engine's
 * (src/engine/txn.c); what masqd adds is the token, one run at a time,
 * and an end for a run whose masqctl died: a run nobody used for
 * RULESRUN_IDLE_S seconds is dropped (logged), so a killed `masqctl
 * rules` never blocks the next one for long.
 *
 * Only the administrator reaches these verbs: the control socket lets the
 * origdst user ask origdst and nothing else (ctlperm.c). The token is not
 * a secret against the administrator; it keeps a stray masqctl (another
 * shell, an old MASQ_TXN) from editing a run it is not part of.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>

#include "masqd/log.h"
#include "masqd/masqd.h"

#define RULESRUN_IDLE_S	60

static uint64_t mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

/* A new token: 16 hex digits from the kernel's random pool */
static int token_make(char tok[RULESRUN_TOKEN_LEN + 1])
{
	unsigned char b[RULESRUN_TOKEN_LEN / 2];

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return -1;
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(tok + 2 * i, 3, "%02x", b[i]);
	return 0;
}

static void run_drop(struct rulesrun *r)
{
	masq_ctl_job_free(r->job);
	r->job = NULL;
	wtxn_drop(r);		/* --workers: the other engines' shadows */
	r->token[0] = '\0';
}

static int txn_begin(struct masqd *d, struct masq_text *out)
{
	struct rulesrun *r = &d->run;

	if (r->job) {
		masq_text_printf(out, "txn: a rules run is in progress\n");
		return 1;
	}
	if (token_make(r->token)) {
		masq_text_printf(out, "txn: no random token: %s\n",
				 strerror(errno));
		return 1;
	}
	r->job = masq_engine_rules_txn(d->e);
	if (r->job && d->wk.n > 1 && wtxn_begin(d)) {
		masq_ctl_job_free(r->job);
		r->job = NULL;
	}
	if (!r->job) {
		masq_text_printf(out, "txn: out of memory\n");
		return 1;
	}
	r->last_s = mono_s();
	r->begun++;
	masq_text_printf(out, "%s\n", r->token);
	return 0;
}

/* The run @tok names; NULL after the message */
static struct rulesrun *run_of(struct masqd *d, const char *tok,
			       struct masq_text *out)
{
	struct rulesrun *r = &d->run;

	if (r->job && !strcmp(tok, r->token)) {
		r->last_s = mono_s();
		return r;
	}
	masq_text_printf(out, "txn: no rules run %s (discarded?)\n", tok);
	return NULL;
}

/* commit: the compile on the worker thread, the swap when it is done */
static int txn_commit(struct masqd *d, struct rulesrun *r,
		      struct masq_text *out)
{
	struct masq_ctl_job *job = r->job;
	int st;

	r->job = NULL;
	r->token[0] = '\0';
	r->committed++;
	if (d->wk.n > 1)	/* every engine's shadow beside the loop */
		wjob_take_txn(d);
	job_start_with(d, job, out, &st);
	return st;
}

/**
 * rulesrun_command() - Run a `txn` verb
 * @d:		daemon, no job running
 * @argc:	number of words, @argv[0] "txn"
 * @argv:	the words
 * @out:	reply text
 *
 * Return: the exit status, CTLSRV_PENDING for a commit (the reply comes
 * when its compile is done), or RULESRUN_LIVE: `txn do` of a command
 * that is not the run's, to be run live on @argv + 3
 */
int rulesrun_command(struct masqd *d, int argc, char *const *argv,
		     struct masq_text *out)
{
	struct rulesrun *r;
	int st;

	if (argc == 2 && !strcmp(argv[1], "begin"))
		return txn_begin(d, out);
	if (argc < 3 || (strcmp(argv[1], "do") && argc != 3)) {
		masq_text_printf(out, "txn: usage: txn begin | txn do TOKEN "
				 "WORD... | txn commit|abort|keep TOKEN\n");
		return 2;
	}
	r = run_of(d, argv[2], out);
	if (!r)
		return 1;
	if (!strcmp(argv[1], "commit"))
		return txn_commit(d, r, out);
	if (!strcmp(argv[1], "abort")) {
		run_drop(r);
		r->aborted++;
		return 0;
	}
	if (!strcmp(argv[1], "keep"))
		return 0;		/* run_of() noted the use */
	if (strcmp(argv[1], "do")) {
		masq_text_printf(out, "txn: unknown word '%s'\n", argv[1]);
		return 2;
	}
	if (argc < 4) {
		masq_text_printf(out, "txn: do: no command given\n");
		return 2;
	}
	st = d->wk.n > 1 ? wtxn_do(d, argc - 3, argv + 3, out) :
	     masq_ctl_txn_do(r->job, argc - 3, argv + 3, out);
	return st < 0 ? RULESRUN_LIVE : st;
}

/**
 * rulesrun_check() - Drop a run idle for RULESRUN_IDLE_S seconds
 * @d:		daemon
 */
void rulesrun_check(struct masqd *d)
{
	struct rulesrun *r = &d->run;

	if (!r->job || mono_s() - r->last_s < RULESRUN_IDLE_S)
		return;
	logmsg(LOG_WARNING, "rules run %s dropped: no command for %d s "
	       "(its masqctl rules ended?); the ruleset is unchanged",
	       r->token, RULESRUN_IDLE_S);
	run_drop(r);
	r->expired++;
}

/**
 * rulesrun_fini() - Drop a run still open at the stop
 * @d:		daemon
 */
void rulesrun_fini(struct masqd *d)
{
	run_drop(&d->run);
}
