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
 *
 * `masqctl reload` starts the same reload and waits for it: the command
 * is pending (ctlsrv.h) from the start of the check until the commit has
 * happened or the file was refused, and its answer is what the log says
 * (every error line, then "FILE not reloaded; nothing changed", status
 * 1; or "reloaded FILE: N commands, ...", status 0). The control server
 * starts nothing while a reload is built, so a second `masqctl reload`
 * (or any command) waits its turn and then reloads again; a SIGHUP that
 * comes meanwhile is done after it (loop.c). The last outcome, whoever
 * asked, is kept for `show settings` (config_show()).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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

/* Each line of @t as one log line (a file's warning as a warning) */
static void log_lines(int prio, struct masq_text *t)
{
	char *line, *save = NULL;

	if (!t->s)
		return;
	for (line = strtok_r(t->s, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		logmsg(strstr(line, ": warning: ") ? LOG_WARNING : prio,
		       "%s", line);
}

/*
 * What the file's rules replaced, and a nat that masquerades nothing:
 * logged, and also written to @out when a masqctl reload asked (or NULL)
 */
static void say_rules(const struct reload *r, struct masq_text *out)
{
	if (r->replaced[0]) {
		logmsg(LOG_INFO, "%s: tables replaced by the file: %s",
		       r->path, r->replaced);
		if (out)
			masq_text_printf(out, "%s: tables replaced by the "
					 "file: %s\n", r->path, r->replaced);
	}
	if (r->unmasked) {
		logmsg(LOG_WARNING, "%s: nat has no MASQUERADE or SNAT: "
		       "nothing will be masqueraded", r->path);
		if (out)
			masq_text_printf(out, "%s: warning: nat has no "
					 "MASQUERADE or SNAT: nothing will be "
					 "masqueraded\n", r->path);
	}
}

/**
 * config_names() - Read /etc/services and /etc/protocols for the file's
 * names, once (before the sandbox; a test may load twice)
 */
void config_names(void)
{
	if (!services_count())
		services_load("/etc/services", "/etc/protocols");
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

	config_names();
	ret = reload_run(&d->rl, d->e, &msg);

	for (uint32_t k = 1; !ret && k < d->wk.n; k++)	/* --workers */
		ret = reload_run(workers_rl(d, k), d->wk.w[k]->e, &msg);

	log_lines(LOG_ERR, &msg);
	masq_text_free(&msg);
	if (!ret)
		say_rules(&d->rl, NULL);
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

/* Keep @ret and @msg's first error line for `show settings` */
static void remember(struct masqd *d, int ret, const struct masq_text *msg)
{
	struct config_last *l = &d->last;
	const char *p = msg->s;
	size_t n = 0;

	l->when = (int64_t)time(NULL);
	l->ok = !ret;
	l->first[0] = '\0';
	for (; ret && p && *p; p += n + !!p[n]) {	/* the first error: */
		n = strcspn(p, "\n");			/* not a warning */
		if (!memmem(p, n, ": warning: ", 11))
			break;
	}
	if (ret && p && *p)
		snprintf(l->first, sizeof(l->first), "%.*s", (int)n, p);
}

/*
 * The answer of a reload that ended: @msg's lines, then what happened.
 * Return: its exit status (0 in effect, 1 not)
 */
static int answer(const struct masqd *d, int ret, const struct masq_text *msg,
		  double check_s, double apply_ms, struct masq_text *out)
{
	size_t n = reload_commands(&d->rl);

	if (msg->s)
		masq_text_printf(out, "%s", msg->s);
	if (!ret) {
		masq_text_printf(out, "reloaded %s: %zu command%s, rules %s, "
				 "checked in %.3f s, applied in %.1f ms\n",
				 d->rl.path, n, n == 1 ? "" : "s",
				 d->rl.swapped ? "replaced" : "kept", check_s,
				 apply_ms);
		return 0;
	}
	masq_text_printf(out, "%s not reloaded; %s\n", d->rl.path,
			 ret == -EIO ? "the previous file was applied again" :
			 "nothing changed");
	return 1;
}

/* The log's lines of a reload that ended, as they always were */
static void log_outcome(const struct masqd *d, int ret, struct masq_text *msg,
			double check_s, double apply_ms)
{
	const char *who = d->job.reload_asked ? "masqctl reload" : "SIGHUP";
	size_t n = reload_commands(&d->rl);

	log_lines(LOG_ERR, msg);	/* cuts @msg up */
	if (!ret)
		logmsg(LOG_INFO, "%s: %s reloaded (%zu command%s; checked "
		       "in %.3f s beside the loop, applied in %.1f ms)", who,
		       d->rl.path, n, n == 1 ? "" : "s", check_s, apply_ms);
	else if (ret == -EIO)
		logmsg(LOG_ERR, "%s: %s not reloaded; the previous file "
		       "was applied again", who, d->rl.path);
	else
		logmsg(LOG_ERR, "%s: %s not reloaded; nothing changed", who,
		       d->rl.path);
}

/*
 * The reload that ended (if one did): remembered, its answer in @out
 * (NULL: none wanted), logged. Return: its status, or -1 when none ended
 */
static int outcome(struct masqd *d, struct masq_text *out)
{
	struct masq_text msg;
	double check_s, apply_ms;
	int ret, st;

	if (!job_reload_outcome(d, &ret, &msg, &check_s, &apply_ms))
		return -1;
	remember(d, ret, &msg);
	st = out ? answer(d, ret, &msg, check_s, apply_ms, out) : !!ret;
	log_outcome(d, ret, &msg, check_s, apply_ms);
	masq_text_free(&msg);
	if (!ret)
		say_rules(&d->rl, out);
	twin_reloaded(d);	/* a reset may have forgotten the twins */
	hostwatch_reloaded(d);	/* ... and taken a host route the old
				 * file named too */
	return st;
}

/**
 * config_reloaded() - After a reload ended: log how it went, answer the
 * `masqctl reload` that asked, and give the twins and the host's routes
 * back what a reset may have taken
 * @d:		daemon
 *
 * The loop calls it after every job's end; it does nothing unless a
 * reload ended (job_reload_outcome()).
 */
void config_reloaded(struct masqd *d)
{
	struct masq_text out = { 0 };
	bool asked = d->job.reload_asked;
	int st;

	st = outcome(d, asked ? &out : NULL);
	if (st < 0)
		return;
	d->job.reload_asked = false;
	if (asked)
		ctlsrv_complete(&d->ctl, st, &out);	/* takes @out */
}

/**
 * config_reload_command() - masqctl reload: reload the -c file, answer
 * when it is in effect or refused
 * @d:		daemon, no job running (the control server's rule)
 * @argc:	words
 * @argv:	"reload"
 * @out:	the answer, when it is given now
 *
 * Return: CTLSRV_PENDING (the answer comes from config_reloaded()), or
 * the status: 2 for usage, 1 with no -c file, the reload's when no
 * thread could be started and it ran here
 */
int config_reload_command(struct masqd *d, int argc, char *const *argv,
			  struct masq_text *out)
{
	int st;

	(void)argv;
	if (argc != 1) {
		masq_text_printf(out, "usage: reload\n");
		return 2;
	}
	if (!d->o.conf) {
		masq_text_printf(out, "reload: masqd was started without -c: "
				 "there is no file to reload\n");
		return 1;
	}
	d->job.reload_asked = true;
	job_reload_start(d);	/* --workers N: every engine's (wjob.c) */
	if (job_busy(d))
		return CTLSRV_PENDING;
	st = outcome(d, out);	/* no thread: it ran here */
	d->job.reload_asked = false;
	return st;
}

/**
 * config_show() - The last reload's outcome, a `show settings` line
 * @d:		daemon
 * @out:	"reload-last none", "reload-last TIME ok" or "reload-last
 *		TIME failed FIRST-ERROR" (TIME in UTC, ISO 8601)
 */
void config_show(const struct masqd *d, struct masq_text *out)
{
	const struct config_last *l = &d->last;
	time_t t = (time_t)l->when;
	char when[32];
	struct tm tm;

	if (!l->when) {
		masq_text_printf(out, "reload-last none\n");
		return;
	}
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	masq_text_printf(out, "reload-last %s %s%s%s\n", when,
			 l->ok ? "ok" : "failed", l->first[0] ? " " : "",
			 l->first);
}
