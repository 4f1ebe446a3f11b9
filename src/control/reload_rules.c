// SPDX-License-Identifier: MIT
/*
 * reload_rules.c - the ruleset a configuration file builds (see
 *		    reload_rules.h; the rest of a load is reload.c's)
 *
 * A file's rule commands are one batch (engine.h, masq_engine_rules_job()):
 * applied in file order to one ruleset and compiled once. On a reload the
 * batch is built against the live engine in the check (reload_prepare())
 * and swapped in by the commit; at the start the file may add interfaces,
 * so the batch is built again for the live engine once the file's other
 * commands are in (reload_rules_start()).
 */
#include <string.h>

#include "control/reload.h"
#include "control/reload_rules.h"
#include "control/services.h"

/**
 * reload_rules_is() - Is this command one of the rules' batch?
 * @c:		a command of the file
 *
 * Return: true for what masq_ctl_is_rules() takes
 */
bool reload_rules_is(const struct cmdfile_cmd *c)
{
	return masq_ctl_is_rules(c->argc, c->argv);
}

/**
 * reload_rules_in() - Does the file change the filter's rules?
 * @cf:		the file, or NULL
 *
 * Return: true when it has a rule command other than a lone `reset
 * rules` (iptables, iptables-restore, ipchains, ipchains-restore,
 * ipfwadm)
 */
bool reload_rules_in(const struct cmdfile *cf)
{
	for (size_t i = 0; cf && i < cf->n; i++)
		if (cf->cmds[i].argc >= 1 &&
		    strcmp(cf->cmds[i].argv[0], "reset") &&
		    masq_ctl_is_rules(cf->cmds[i].argc, cf->cmds[i].argv))
			return true;
	return false;
}

/**
 * reload_rules_build() - The batch of a file's rule commands, run
 * @r:		the load's state (its path, for messages)
 * @e:		the engine whose interfaces the rules are built for
 * @cf:		the file
 * @ci:		the files its iptables-restore lines name, read
 * @msg:	"out of memory" is said here
 *
 * A table the file writes starts empty, its policies kept (engine.h);
 * service and protocol names resolve from the files services.c read.
 *
 * Return: the job, run (not published), or NULL (out of memory)
 */
struct masq_ctl_job *reload_rules_build(const struct reload *r,
					struct masq_engine *e,
					const struct cmdfile *cf,
					const struct confinc *ci,
					struct masq_text *msg)
{
	struct masq_ctl_job *j = masq_engine_rules_job(e);

	if (j)
		masq_ctl_job_set_names(j, &services_resolver);
	for (size_t i = 0; j && i < cf->n; i++)
		if (reload_rules_is(&cf->cmds[i]) &&
		    masq_ctl_job_add(j, cf->cmds[i].argc,
				     confinc_argv(ci, i, &cf->cmds[i]))) {
			masq_ctl_job_free(j);
			j = NULL;
		}
	if (!j) {
		masq_text_printf(msg, "%s: out of memory for the rules\n",
				 r->path);
		return NULL;
	}
	masq_ctl_job_run(j);
	return j;
}

/**
 * reload_rules_start() - At the start, after the rest of the file: its
 * rules built for the live engine (its interfaces now final), swapped in
 * @r:		the load's state
 * @live:	the engine
 * @nf:		the file
 * @ci:		the files it includes, read
 * @msg:	errors are appended here
 *
 * Return: 0, or -1 (said in @msg)
 */
int reload_rules_start(struct reload *r, struct masq_engine *live,
		       const struct cmdfile *nf, const struct confinc *ci,
		       struct masq_text *msg)
{
	struct masq_ctl_job *j;
	int st;

	reload_rules_note(r, NULL);
	if (!reload_rules_in(nf))
		return 0;
	j = reload_rules_build(r, live, nf, ci, msg);
	if (!j)
		return -1;
	reload_rules_note(r, j);	/* before: the finish swaps rulesets */
	st = masq_engine_ctl_job_finish(live, j, msg);
	if (st)
		reload_rules_note(r, NULL);
	masq_ctl_job_free(j);
	return st ? -1 : 0;
}

/**
 * reload_rules_note() - Keep what the rules put in effect did, for the log
 * @r:		the load's state: @replaced and @unmasked are set
 * @j:		the batch, run and not finished yet (the finish leaves it
 *		the ruleset it replaced), or NULL (the file has no rules)
 */
void reload_rules_note(struct reload *r, const struct masq_ctl_job *j)
{
	r->replaced[0] = '\0';
	r->unmasked = false;
	if (!j)
		return;
	masq_ctl_job_replaced(j, r->replaced, sizeof(r->replaced));
	r->unmasked = !masq_ctl_job_masquerades(j);
}
