// SPDX-License-Identifier: MIT
/*
 * config.c - the -c file: loaded at start, again on SIGHUP
 *
 * The work is control/reload.c's (check every command, then apply, or
 * change nothing); this file keeps masqd's command line as the reload's
 * base and turns the outcome into log lines. At the start the file is
 * loaded in one call, before any packet. A SIGHUP reload is split
 * (job.c): reading, splitting and checking the file, and building its
 * ruleset, run on the worker thread while packets flow; putting it in
 * effect (settings, routes, neighbours, a ruleset pointer swap) happens
 * in the loop between two packet batches, so every packet sees the old
 * configuration or the new one. With --workers N each engine's file is
 * checked and its ruleset built on the same thread, and all are put in
 * effect under one pause of the workers (wjob.c). The log line says how
 * long each part took, and which tables the file's rules replaced (a
 * table the file writes starts empty: masq.conf(5)), with a warning
 * when nat is left with nothing that masquerades.
 *
 * Service and protocol names in the file (`--dport ssh`) resolve from
 * /etc/services and /etc/protocols, read once here before the first load
 * (so before the sandbox): reloads use the tables in memory.
 */
#include <errno.h>
#include <string.h>

#include "control/services.h"
#include "masqd/log.h"
#include "masqd/masqd.h"

/**
 * config_base() - Keep one command-line command for reloads
 * @d:		daemon
 * @argc:	words
 * @argv:	the command, already run on the engine
 *
 * Return: 0, or -1 (logged)
 */
int config_base(struct masqd *d, int argc, char *const *argv)
{
	int ret = reload_base_add(&d->rl, argc, argv);

	for (uint32_t k = 1; !ret && k < d->wk.n; k++)	/* --workers */
		ret = reload_base_add(workers_rl(d, k), argc, argv);

	if (ret)
		logmsg(LOG_ERR, "command line: cannot keep '%s' for reloads: %s",
		       argv[0], strerror(-ret));
	return ret ? -1 : 0;
}

/* Each line of @t as one log line */
static void log_lines(int prio, struct masq_text *t)
{
	char *line, *save = NULL;

	if (!t->s)
		return;
	for (line = strtok_r(t->s, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		logmsg(prio, "%s", line);
}

/* What the file's rules replaced, and a nat that masquerades nothing */
static void say_rules(const struct reload *r)
{
	if (r->replaced[0])
		logmsg(LOG_INFO, "%s: tables replaced by the file: %s",
		       r->path, r->replaced);
	if (r->unmasked)
		logmsg(LOG_WARNING, "%s: nat has no MASQUERADE or SNAT: "
		       "nothing will be masqueraded", r->path);
}

/**
 * config_load() - Load the -c file into the engine at the start
 * @d:		daemon, engine configured from the command line
 *
 * Return: 0 when the file is in effect, -1 when it is not (logged:
 * masqd must not start)
 */
int config_load(struct masqd *d)
{
	struct masq_text msg = { 0 };
	int ret;

	if (!services_count())		/* once: a test may load twice */
		services_load("/etc/services", "/etc/protocols");
	ret = reload_run(&d->rl, d->e, &msg);

	for (uint32_t k = 1; !ret && k < d->wk.n; k++)	/* --workers */
		ret = reload_run(workers_rl(d, k), d->wk.w[k]->e, &msg);

	log_lines(LOG_ERR, &msg);
	masq_text_free(&msg);
	if (!ret)
		say_rules(&d->rl);
	return ret ? -1 : 0;
}

/**
 * config_reload() - SIGHUP: start reloading the -c file
 * @d:		daemon, no job running (the loop defers a SIGHUP until then)
 *
 * The check runs on the worker thread; config_reloaded() says how it
 * went once it is in effect, or not (here already when no thread could
 * be started and it all ran in the loop).
 */
void config_reload(struct masqd *d)
{
	if (!d->o.conf) {
		logmsg(LOG_WARNING, "SIGHUP: no -c file was given; nothing to "
		       "reload");
		return;
	}
	job_reload_start(d);	/* --workers N: every engine's (wjob.c) */
	config_reloaded(d);
}

/**
 * config_reloaded() - After a SIGHUP reload ended: log how it went, and
 * give the twins and the host's routes back what a reset may have taken
 * @d:		daemon
 *
 * The loop calls it after every job's end; it does nothing unless a
 * reload ended (job_reload_outcome()).
 */
void config_reloaded(struct masqd *d)
{
	size_t n = reload_commands(&d->rl);
	struct masq_text msg;
	double check_s, apply_ms;
	int ret;

	if (!job_reload_outcome(d, &ret, &msg, &check_s, &apply_ms))
		return;
	log_lines(LOG_ERR, &msg);
	masq_text_free(&msg);
	twin_reloaded(d);	/* a reset may have forgotten the twins */
	hostwatch_reloaded(d);	/* ... and flushed the host's routes */
	if (!ret)
		logmsg(LOG_INFO, "SIGHUP: %s reloaded (%zu command%s; checked "
		       "in %.3f s beside the loop, applied in %.1f ms)",
		       d->rl.path, n, n == 1 ? "" : "s", check_s, apply_ms);
	if (!ret)
		say_rules(&d->rl);
	else if (ret == -EIO)
		logmsg(LOG_ERR, "SIGHUP: %s not reloaded; the previous file "
		       "was applied again", d->rl.path);
	else
		logmsg(LOG_ERR, "SIGHUP: %s not reloaded; nothing changed",
		       d->rl.path);
}
