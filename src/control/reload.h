/* SPDX-License-Identifier: MIT */
/*
 * reload.h - load a configuration file into a running engine, atomically
 *
 * masqd's -c file, at start and on every SIGHUP. The file is read and
 * split, then every command is checked first: those that change the
 * rules (iptables, iptables-restore, reset rules) as one batch applied to
 * a ruleset made from the default one (a table the file writes starting
 * empty, its policies kept: reload_rules.c) and compiled once; an
 * `iptables-restore FILE` line's file is read with the file (confinc.h);
 * the others on a scratch engine (tiny connection tables, the same
 * interfaces, addresses and routes as the live one: the "base", masqd's
 * own command line).
 * Only when all of them pass is the live engine changed, in one call, so
 * a caller that calls between packet batches shows packets the old
 * configuration or the new one, never half of each.
 *
 * Two halves, so the long one can run beside the packet loop:
 *
 *	reload_prepare()	any thread: read, split, check, build the
 *				ruleset; changes nothing the packets see
 *				(the live engine's configuration must not
 *				change until the commit)
 *	reload_commit()		between packet batches: settings, routes,
 *				neighbours, the ruleset's pointer swap
 *	reload_job_free()	any thread: the file's words, the ruleset
 *				replaced
 *
 * reload_run() is both at once (the start, tests).
 *
 * What a reload does to the live engine (masqd(8), RELOAD):
 *
 *	reset settings except filtering	every `set`/`masq -S` value back to
 *					its default
 *	set filtering ...(default)	only when the file sets no filtering
 *	route del, neigh del		each route and static neighbour the
 *					file in effect added (its `route add`
 *					and `neigh add` lines); those added
 *					by hand (masqctl route add, neigh
 *					add) stay, unless the file names the
 *					same prefix or address
 *	the base's route/neigh/set commands again (e.g. the --gateway route)
 *	the file's commands, except `iface add`, `addr add` and the rules'
 *	the ruleset built from the default one and the file's rule commands
 *	(each table they write emptied first)
 *	(only when the file, or the one in effect, has any), swapped in
 *
 * Interfaces and addresses cannot be taken away from a running engine, so
 * a reloaded file must hold the same `iface add` and `addr add` commands
 * (same words, same order) as the file in effect; they are then skipped.
 * A file that changes them is refused, naming the line. Connections,
 * mappings and learnt neighbours are kept.
 *
 * If a command that passed on the scratch engine still fails on the live
 * one (a static neighbour whose address the router has learnt on another
 * interface; a neighbour table full of live entries), the routes and
 * neighbours the new file added so far are taken back, the settings of
 * the file in effect are applied again in the same way, its rules stay,
 * and the reload is reported as failed. (A hand route the new file
 * replaced, same prefix, is not put back: a known limit.)
 */
#ifndef MASQ_CONTROL_RELOAD_H
#define MASQ_CONTROL_RELOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "control/cmdfile.h"
#include "masq/engine.h"

#define RELOAD_MAX_ERRORS	20

/**
 * struct reload - a configuration file and what is in effect
 * @path:	the file, made absolute (owned; NULL for none)
 * @lim:	limits of the live engine (the scratch one shares the route
 *		and neighbour sizes, nothing else)
 * @base:	the base commands as configuration text (one per line, quoted)
 * @base_len:	bytes in @base
 * @cur:	the file now in effect (valid when @loaded)
 * @loaded:	a load has succeeded
 * @loads:	successful loads
 * @swapped:	the last load put a ruleset in (the file, or the one it
 *		replaced, has rule commands)
 * @failures:	refused loads
 * @replaced:	the tables the file in effect replaced ("filter nat"; ""
 *		when it has no rules), for masqd's log
 * @unmasked:	... and its nat has no MASQUERADE or SNAT
 */
struct reload {
	char *path;
	struct masq_limits lim;
	char *base;
	size_t base_len;
	struct cmdfile cur;
	bool loaded;
	uint64_t loads;
	bool swapped;
	uint64_t failures;
	char replaced[40];
	bool unmasked;
};

int reload_init(struct reload *r, const char *path,
		const struct masq_limits *lim);
int reload_base_add(struct reload *r, int argc, char *const *argv);
struct reload_job;
int reload_prepare(struct reload *r, struct masq_engine *live,
		   struct reload_job **job, struct masq_text *msg);
int reload_commit(struct reload *r, struct masq_engine *live,
		  struct reload_job *job, struct masq_text *msg);
void reload_job_free(struct reload_job *job);
size_t reload_commands(const struct reload *r);
int reload_run(struct reload *r, struct masq_engine *live,
	       struct masq_text *msg);
void reload_fini(struct reload *r);

#endif
