/* SPDX-License-Identifier: MIT */
/*
 * fwjob.h - a ruleset change as the engine builds it (fwctl.c, txn.c)
 *
 * Private to the filter's control side: fwctl.c makes and runs the jobs
 * of single commands and of a reload's batch; txn.c keeps one batch open
 * as the shadow a `masqctl rules` run edits, command by command, until
 * it is committed (compiled and swapped in like any batch) or dropped.
 */
#ifndef MASQ_FWJOB_H
#define MASQ_FWJOB_H

#include <stdbool.h>
#include <stdint.h>

#include "fw.h"
#include "ipt/ipt.h"
#include "ipt/lang.h"

struct fwd;
struct masq_engine;
struct masq_text;

/* What iptables-save was asked: tables, counters, chains to zero */
struct save_args {
	unsigned mask;			/* 1 << table, which to print */
	bool counters;
	bool zero_all;			/* every chain of the tables printed */
	uint32_t nzero;
	uint8_t zero_t[32];		/* --zero: table and chain index */
	uint32_t zero_c[32];
};

enum job_kind { JOB_IPTABLES, JOB_RESTORE, JOB_SAVE, JOB_BATCH,
		JOB_LANG,		/* an ipchains/ipfwadm change */
		JOB_LSAVE,		/* ... their dump */
		JOB_LRESTORE };		/* ... their restore */

/* One command of a batch, and how it went (masq_ctl_job_result()) */
struct batch_cmd {
	int argc;
	char *const *argv;		/* the caller's, valid until the run */
	int status;
	char *msg;			/* why it failed, or NULL */
};

/*
 * A ruleset change: made on a copy of the published ruleset and compiled
 * by masq_ctl_job_run() (which may run on another thread while packets
 * are forwarded), then published by masq_engine_ctl_job_finish(). The
 * counters of the rules it keeps go on counting in the published ruleset
 * meanwhile; @snap holds what they were when the copy was made, so the
 * difference is carried over at the swap and no packet goes uncounted.
 */
struct masq_ctl_job {
	struct masq_engine *e;
	enum job_kind kind;
	struct ipt_cmd cmd;		/* JOB_IPTABLES */
	char *text;			/* JOB_RESTORE */
	unsigned flags;			/* IPT_RESTORE_* */
	struct save_args save;		/* JOB_SAVE */
	struct ipt_ruleset *rs;		/* the copy, changed */
	struct fw *fw;			/* ... compiled */
	struct fw_snap *snap;		/* counters at the copy */
	uint32_t nsnap;
	struct ipt_text out;
	struct ipt_err err;
	int status;
	const char *who;		/* "iptables", "iptables-restore" */
	struct batch_cmd *cmds;		/* JOB_BATCH: the commands */
	size_t ncmds, cap;
	bool dflt;			/* ... left the default ruleset */
	bool replace;			/* ... a file's: a table it changes
					 * starts empty (fwreplace.c) */
	uint8_t replaced;		/* ... 1 << table: emptied since the
					 * start or the last reset rules */
	uint8_t written;		/* ... every table it emptied */
	const struct ipt_resolver *res;	/* ... service and protocol names */
	const struct ipt_lang_ops *ops;	/* JOB_L*: the language */
	uint8_t lang;
	int nwords;			/* JOB_LANG: its words, copied */
	char **words;
	bool txn;			/* a rules run (txn.c): @rs is its */
					/* shadow, changed command by command */
	struct fwd *fwd;		/* ... its forwards, a copy */
	bool fwd_changed;		/* ... changed by the run */
};

/* fwctl.c, for txn.c: a batch's commands on its ruleset, now */
struct ipt_ruleset *fw_default_ruleset(const struct masq_engine *e);
int fw_batch_command(struct masq_ctl_job *j, struct batch_cmd *c,
		     struct ipt_text *out);
bool fw_cmd_changes_rules(const struct ipt_cmd *c);
int fw_save_args_parse(const struct masq_engine *e, int argc,
		       char *const *argv, struct save_args *a,
		       struct masq_text *out);

/* fwreplace.c, for fwctl.c: a file's batch replaces the tables it writes */
void fw_replace_table(struct masq_ctl_job *j, unsigned table);
void fw_replace_restore(struct masq_ctl_job *j, const char *text);

/* txn.c, for fwctl.c: the run's end */
void txn_publish_forwards(struct masq_engine *e, struct masq_ctl_job *j);

#endif
