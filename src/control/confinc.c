// SPDX-License-Identifier: MIT
/*
 * confinc.c - saved rules a configuration file names (see confinc.h)
 *
 * Theory of operation: one pass over the file's commands; each
 * `iptables-restore ... FILE` gets the file's text read (cmdfile_read():
 * a regular file, at most 16 MiB) and a copy of its words with the path
 * word pointing at the text, which is what the rules' batch is given.
 * The command's own words stay as written, so messages quote the line
 * as the administrator wrote it. Every file that cannot be used is said
 * with the line that names it; any makes the load fail.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "control/confinc.h"

/* The index of an iptables-restore command's text word, or 0 for none */
static int text_word(const struct cmdfile_cmd *c)
{
	if (c->argc < 2 || strcmp(c->argv[0], "iptables-restore"))
		return 0;
	for (int i = 1; i < c->argc; i++)
		if (c->argv[i][0] != '-' || !c->argv[i][1])
			return i;
	return 0;
}

/* @name made absolute against @conf's folder; NULL: out of memory */
static char *beside(const char *conf, const char *name)
{
	const char *slash = conf ? strrchr(conf, '/') : NULL;
	int dir = slash ? (int)(slash - conf) : 0;
	size_t n = (size_t)dir + strlen(name) + 2;
	char *p;

	if (name[0] == '/' || !slash)
		return strdup(name);
	p = malloc(n);
	if (p)
		snprintf(p, n, "%.*s/%s", dir, conf, name);
	return p;
}

/* Is @path the file @conf itself (a loop)? */
static bool same_file(const char *conf, const char *path)
{
	struct stat a, b;

	return conf && !stat(conf, &a) && !stat(path, &b) &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * Read the file command @i of @cf names and make its words.
 * Return: 0, or -1 (said in @msg)
 */
static int include_one(struct confinc *ci, const char *conf,
		       const struct cmdfile_cmd *c, size_t i, int w,
		       struct masq_text *msg)
{
	const char *where = conf ? conf : "config";
	char why[160];
	size_t len;

	ci->path[i] = beside(conf, c->argv[w]);
	if (!ci->path[i])
		return masq_text_printf(msg, "%s:%u: out of memory\n", where,
					c->line), -1;
	if (same_file(conf, ci->path[i]))
		return masq_text_printf(msg, "%s:%u: iptables-restore %s: that "
					"is this configuration file (a loop)\n",
					where, c->line, ci->path[i]), -1;
	if (cmdfile_read(ci->path[i], &ci->text[i], &len, why, sizeof(why)))
		return masq_text_printf(msg, "%s:%u: iptables-restore %s: %s\n",
					where, c->line, ci->path[i], why), -1;
	if (memchr(ci->text[i], '\0', len))
		return masq_text_printf(msg, "%s:%u: iptables-restore %s: a NUL "
					"byte: not iptables-save text\n", where,
					c->line, ci->path[i]), -1;
	ci->argv[i] = calloc((size_t)c->argc + 1, sizeof(char *));
	if (!ci->argv[i])
		return masq_text_printf(msg, "%s:%u: out of memory\n", where,
					c->line), -1;
	for (int k = 0; k < c->argc; k++)
		ci->argv[i][k] = k == w ? ci->text[i] : c->argv[k];
	return 0;
}

/**
 * confinc_load() - Read every file a configuration file includes
 * @ci:		filled; free with confinc_free() whatever the result
 * @conf:	the configuration file's path (relative paths are taken
 *		from its folder; NULL: the current directory)
 * @cf:		its commands
 * @msg:	each file that cannot be used, "CONF:LINE: iptables-restore
 *		FILE: why", is appended here
 *
 * Return: 0, -EINVAL when a file could not be used, -ENOMEM
 */
int confinc_load(struct confinc *ci, const char *conf,
		 const struct cmdfile *cf, struct masq_text *msg)
{
	int bad = 0;

	*ci = (struct confinc){ .n = cf->n };
	ci->argv = calloc(cf->n + 1, sizeof(*ci->argv));
	ci->text = calloc(cf->n + 1, sizeof(*ci->text));
	ci->path = calloc(cf->n + 1, sizeof(*ci->path));
	if (!ci->argv || !ci->text || !ci->path) {
		masq_text_printf(msg, "%s: out of memory\n", conf ? conf : "config");
		return -ENOMEM;
	}
	for (size_t i = 0; i < cf->n; i++) {
		int w = text_word(&cf->cmds[i]);

		if (w && include_one(ci, conf, &cf->cmds[i], i, w, msg))
			bad++;
	}
	return bad ? -EINVAL : 0;
}

/**
 * confinc_argv() - The words the rules' batch gets for command @i
 * @ci:		the includes
 * @i:		the command's index in the file
 * @c:		the command
 *
 * Return: its words with the included text, or its own words
 */
char *const *confinc_argv(const struct confinc *ci, size_t i,
			  const struct cmdfile_cmd *c)
{
	return i < ci->n && ci->argv && ci->argv[i] ? ci->argv[i] : c->argv;
}

/**
 * confinc_why() - Name the included file in command @i's failure
 * @ci:		the includes
 * @i:		the command's index in the file
 * @why:	"iptables-restore: line N: reason" becomes "FILE:N: reason"
 *		(anything else is left as it is)
 */
void confinc_why(const struct confinc *ci, size_t i, struct masq_text *why)
{
	static const char lead[] = "iptables-restore: line ";
	struct masq_text t = { 0 };
	unsigned int line;
	int used = 0;

	if (i >= ci->n || !ci->path || !ci->path[i] || !why->s ||
	    strncmp(why->s, lead, sizeof(lead) - 1) ||
	    sscanf(why->s + sizeof(lead) - 1, "%u: %n", &line, &used) != 1 ||
	    !used)
		return;
	masq_text_printf(&t, "%s:%u: %s", ci->path[i], line,
			 why->s + sizeof(lead) - 1 + used);
	if (!t.s)
		return;
	masq_text_free(why);
	*why = t;
}

/**
 * confinc_free() - Release what confinc_load() read
 * @ci:		the includes (may be zeroed)
 */
void confinc_free(struct confinc *ci)
{
	for (size_t i = 0; i < ci->n; i++) {
		if (ci->argv)
			free(ci->argv[i]);
		if (ci->text)
			free(ci->text[i]);
		if (ci->path)
			free(ci->path[i]);
	}
	free(ci->argv);
	free(ci->text);
	free(ci->path);
	*ci = (struct confinc){ 0 };
}
