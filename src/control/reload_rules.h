/* SPDX-License-Identifier: MIT */
/*
 * reload_rules.h - the ruleset a configuration file builds (reload.c's
 *		    rules half, private to src/control)
 *
 * reload.c checks and applies a file's other commands; the rule commands
 * (iptables, iptables-restore, ipchains, ipchains-restore, ipfwadm, reset
 * rules: masq_ctl_is_rules()) go to one batch job built here.
 */
#ifndef MASQ_CONTROL_RELOAD_RULES_H
#define MASQ_CONTROL_RELOAD_RULES_H

#include <stdbool.h>

#include "control/cmdfile.h"
#include "control/confinc.h"
#include "masq/engine.h"

struct reload;

bool reload_rules_is(const struct cmdfile_cmd *c);
bool reload_rules_in(const struct cmdfile *cf);
struct masq_ctl_job *reload_rules_build(const struct reload *r,
					struct masq_engine *e,
					const struct cmdfile *cf,
					const struct confinc *ci,
					struct masq_text *msg);
int reload_rules_start(struct reload *r, struct masq_engine *live,
		       const struct cmdfile *nf, const struct confinc *ci,
		       struct masq_text *msg);
void reload_rules_note(struct reload *r, const struct masq_ctl_job *j);

#endif
