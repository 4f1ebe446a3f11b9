// SPDX-License-Identifier: MIT
/*
 * txn.c - the rules run's shadow: a ruleset and forward tables that a
 *	   `masqctl rules` run edits command by command, published whole or
 *	   not at all
 *
 * The ipmasq package rebuilt the firewall by running a directory of
 * small shell scripts, each calling iptables (or ipchains, ipfwadm,
 * ipmasqadm) many times; for the seconds the run took the kernel held a
 * half-built ruleset, and a script that failed half-way left it so. Here
 * the run edits a shadow instead: a reload's batch (fwjob.h) kept open,
 * whose commands are applied as they arrive, so each caller gets its own
 * exit status and `-L` inside the run lists what the run has built so
 * far. At the end the batch is run as any batch (its compile; on masqd's
 * worker thread) and finished (one pointer swap), or freed unpublished.
 *
 *	j = masq_engine_rules_txn(e)		shadow: the default ruleset,
 *						a copy of the forwards
 *	masq_ctl_txn_do(j, argc, argv, &out)	each command of the run
 *	masq_ctl_job_run(j)			the compile
 *	masq_engine_ctl_job_finish(e, j, &out)	the swap
 *	masq_ctl_job_free(j)			what was replaced, or the
 *						shadow of a dropped run
 *
 * The shadow starts from the default ruleset, as a reload's batch does:
 * the run's scripts flush and build anew, and the first ipchains or
 * ipfwadm change gives way to that language's empty ruleset. The
 * forwards start from a copy of the live tables and replace them at the
 * finish only when the run changed them, so a run without ipmasqadm
 * calls leaves the forwards' schedules (pcnt) and autofw holders alone.
 *
 * Cost: one ruleset (the default, small) and one struct fwd copy (about
 * 60 KB) per run, one run at a time (masqd's rule); each command is
 * applied to the shadow in place: no copy or compile per command.
 */
#include <stdlib.h>
#include <string.h>

#include "eng.h"
#include "fwd.h"
#include "fwjob.h"

#define EXIT_FAIL	1

/**
 * masq_engine_rules_txn() - Open a rules run's shadow
 * @e:		engine
 *
 * Return: the run (a batch job; commands with masq_ctl_txn_do()), or
 * NULL: out of memory
 */
struct masq_ctl_job *masq_engine_rules_txn(struct masq_engine *e)
{
	struct masq_ctl_job *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->e = e;
	j->kind = JOB_BATCH;
	j->who = "rules";
	j->txn = true;
	j->dflt = true;
	j->rs = fw_default_ruleset(e);
	j->fwd = malloc(sizeof(*j->fwd));
	if (!j->rs || !j->fwd) {
		masq_ctl_job_free(j);
		return NULL;
	}
	memcpy(j->fwd, e->fwd, sizeof(*j->fwd));
	return j;
}

static void text_put(struct masq_text *out, const struct ipt_text *t)
{
	if (t->len)
		masq_text_printf(out, "%.*s", (int)t->len, t->s);
}

/* ipmasqadm WORD...: on the shadow forwards, with the engine's commands */
static int txn_forwards(struct masq_ctl_job *j, int argc, char *const *argv,
			struct masq_text *out)
{
	struct masq_engine *e = j->e;
	struct fwd *live = e->fwd, *before = malloc(sizeof(*before));
	int rc;

	if (!before) {
		masq_text_printf(out, "ipmasqadm: out of memory\n");
		return EXIT_FAIL;
	}
	memcpy(before, j->fwd, sizeof(*before));
	e->fwd = j->fwd;
	rc = fwd_ctl(e, argc, argv, out);
	e->fwd = live;
	if (memcmp(before, j->fwd, sizeof(*before)))
		j->fwd_changed = true;
	free(before);
	return rc;
}

/* iptables-save, ipchains-save, ipfwadm-save: the shadow's text */
static int txn_save(struct masq_ctl_job *j, enum ipt_lang lang, int argc,
		    char *const *argv, struct masq_text *out)
{
	const struct ipt_lang_ops *ops = ipt_lang_ops(lang);
	struct ipt_text t = { 0 };
	struct save_args a;
	int rc = fw_save_args_parse(j->e, argc, argv, &a, out);

	if (rc)
		return rc;
	if (j->rs->lang != lang) {
		masq_text_printf(out, "%s: the rules run's ruleset is written "
				 "in %s\n", argv[0],
				 ipt_lang_name((enum ipt_lang)j->rs->lang));
		return EXIT_FAIL;
	}
	if (lang == IPT_LANG_IPTABLES)
		ipt_save(j->rs, a.mask, a.counters, NULL, &t);
	else
		ops->save(j->rs, a.counters ? IPT_LSAVE_COUNTERS : 0, &t);
	rc = t.oom ? EXIT_FAIL : 0;
	if (rc)
		masq_text_printf(out, "%s: out of memory\n", argv[0]);
	else
		text_put(out, &t);
	ipt_text_free(&t);
	return rc;
}

/**
 * masq_ctl_txn_do() - Run one command of a rules run on its shadow
 * @j:		the run, from masq_engine_rules_txn(), not run yet
 * @argc:	number of words
 * @argv:	the words (as masq_engine_ctl())
 * @out:	the listing, or the error
 *
 * Rule commands (masq_ctl_is_rules()), the dumps (iptables-save and the
 * 2.x languages') and ipmasqadm's forwards act on the shadow; anything
 * else is not the run's: the caller runs it on the live engine.
 *
 * Return: the command's exit status (0, 1, 2), or -1 when it is not the
 * run's
 */
int masq_ctl_txn_do(struct masq_ctl_job *j, int argc, char *const *argv,
		    struct masq_text *out)
{
	struct batch_cmd c = { .argc = argc, .argv = argv };
	struct ipt_text t = { 0 };
	enum ipt_lang lang;
	int what = -1, rc;

	if (!j->txn || argc < 1 || !argv[0])
		return -1;
	if (!strcmp(argv[0], "ipmasqadm"))
		return txn_forwards(j, argc, argv, out);
	lang = ipt_lang_of_word(argv[0], &what);
	if ((lang != IPT_LANG_IPTABLES && what == IPT_LWORD_SAVE) ||
	    !strcmp(argv[0], "iptables-save"))
		return txn_save(j, lang, argc, argv, out);
	if (!masq_ctl_is_rules(argc, argv))
		return -1;
	rc = fw_batch_command(j, &c, &t);
	text_put(out, &t);
	ipt_text_free(&t);
	if (rc)
		masq_text_printf(out, "%s\n", c.msg ? c.msg : "out of memory");
	free(c.msg);
	return rc;
}

/*
 * txn_publish_forwards() - At a rules run's finish, its forwards in
 * effect if it changed them (the replaced tables go with the job)
 */
void txn_publish_forwards(struct masq_engine *e, struct masq_ctl_job *j)
{
	struct fwd *old = e->fwd;

	if (!j->fwd_changed)
		return;
	e->fwd = j->fwd;
	j->fwd = old;
}
