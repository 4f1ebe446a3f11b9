/* SPDX-License-Identifier: MIT */
/*
 * cmdfile.h - split a configuration file into commands
 *
 * The file format (masq.conf(5)): one command per line, words separated by
 * blanks, '#' at the start of a word begins a comment, blank lines are
 * skipped, double quotes group words ("a b" is one word; inside quotes \"
 * and \\ stand for " and \). The words of each command are what masqctl
 * would send, so the same commands work in a file and on the command line.
 *
 * Limits: the control protocol's (CTL_MAX_ARGC words per line, a word at
 * most CTL_MAX_WORD bytes) and CMDFILE_MAX_SIZE bytes per file. Every
 * syntax error is collected with its line number; a file with any error
 * yields no commands.
 */
#ifndef MASQ_CONTROL_CMDFILE_H
#define MASQ_CONTROL_CMDFILE_H

#include <stddef.h>

#define CMDFILE_MAX_SIZE	(16u << 20)
#define CMDFILE_MAX_ERRORS	20

/**
 * struct cmdfile_cmd - one command of a file
 * @line:	line number, from 1
 * @argc:	number of words (at least 1)
 * @argv:	the words, NULL-terminated, pointing into the file's storage
 */
struct cmdfile_cmd {
	unsigned int line;
	int argc;
	char **argv;
};

/**
 * struct cmdfile - a parsed file
 * @cmds:	the commands in file order
 * @n:		how many
 * @errors:	error lines, "NAME:LINE: what", one per line (NUL-terminated)
 * @nerrors:	how many errors (0 when the file is good)
 * @words:	storage for all argv arrays
 * @store:	storage for all words
 */
struct cmdfile {
	struct cmdfile_cmd *cmds;
	size_t n;
	char *errors;
	unsigned int nerrors;
	char **words;
	char *store;
};

int cmdfile_parse(const char *name, const char *text, size_t len,
		  struct cmdfile *cf);
int cmdfile_read(const char *path, char **text, size_t *len, char *why,
		 size_t whylen);
int cmdfile_load(const char *path, struct cmdfile *cf);
void cmdfile_free(struct cmdfile *cf);

#endif
