// SPDX-License-Identifier: MIT
/*
 * config.c - the -c file: loaded at start, again on SIGHUP
 *
 * The work is control/reload.c's (check every command on a scratch
 * engine, then apply, or change nothing); this file keeps masqd's command
 * line as the reload's base and turns the outcome into log lines. A
 * reload runs from the loop between packet batches (masqd is one thread),
 * so every packet sees the old configuration or the new one.
 */
#include <errno.h>
#include <string.h>

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

/**
 * config_load() - Load the -c file into the engine (see control/reload.h)
 * @d:		daemon, engine configured from the command line
 * @start:	true at start (errors stop masqd), false for SIGHUP
 *
 * Return: 0 when the file is in effect, -1 when it is not (logged; on a
 * reload the previous configuration stays)
 */
int config_load(struct masqd *d, bool start)
{
	struct masq_text msg = { 0 };
	int ret;

	if (!d->o.conf) {
		logmsg(LOG_WARNING, "SIGHUP: no -c file was given; nothing to "
		       "reload");
		return -1;
	}
	ret = reload_run(&d->rl, d->e, &msg);
	log_lines(LOG_ERR, &msg);
	masq_text_free(&msg);
	if (start)
		return ret ? -1 : 0;
	if (!ret)
		logmsg(LOG_INFO, "SIGHUP: %s reloaded (%zu command%s)", d->rl.path,
		       d->rl.cur.n, d->rl.cur.n == 1 ? "" : "s");
	else if (ret == -EIO)
		logmsg(LOG_ERR, "SIGHUP: %s not reloaded; the previous file "
		       "was applied again", d->rl.path);
	else
		logmsg(LOG_ERR, "SIGHUP: %s not reloaded; nothing changed",
		       d->rl.path);
	return ret ? -1 : 0;
}
