/* SPDX-License-Identifier: MIT */
/*
 * confinc.h - saved rules a configuration file names: `iptables-restore
 *	       FILE`
 *
 * A line `iptables-restore [--noflush] [--counters] FILE` of masqd's -c
 * file loads FILE, iptables-save text (what `masqctl iptables-save`
 * writes), as if its text had been given to iptables-restore. A word of
 * the file cannot hold a newline, so the word is always a path; a
 * relative one is taken from the configuration file's folder. The file
 * is read at every load (start and SIGHUP), bounded as the configuration
 * file is (CMDFILE_MAX_SIZE); it holds iptables-save text, not commands,
 * so it cannot name another file: the only loop there can be is the
 * configuration file naming itself, which is refused.
 *
 * An error in the included text ("iptables-restore: line N: reason")
 * is told as "FILE:N: reason", the included file's name and line.
 */
#ifndef MASQ_CONTROL_CONFINC_H
#define MASQ_CONTROL_CONFINC_H

#include "control/cmdfile.h"
#include "masq/engine.h"

/**
 * struct confinc - the included files of one configuration file
 * @n:		commands of the file
 * @argv:	per command: its words with the path replaced by the text,
 *		or NULL (not an include)
 * @text:	per command: the included text (owned), or NULL
 * @path:	per command: the included file, as opened (owned), or NULL
 */
struct confinc {
	size_t n;
	char ***argv;
	char **text;
	char **path;
};

int confinc_load(struct confinc *ci, const char *conf,
		 const struct cmdfile *cf, struct masq_text *msg);
char *const *confinc_argv(const struct confinc *ci, size_t i,
			  const struct cmdfile_cmd *c);
void confinc_why(const struct confinc *ci, size_t i, struct masq_text *why);
void confinc_free(struct confinc *ci);

#endif
