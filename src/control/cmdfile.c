// SPDX-License-Identifier: MIT
/*
 * cmdfile.c - split a configuration file into commands (format: cmdfile.h)
 *
 * Theory of operation: two passes over the text with one tokenizer. The
 * first pass only counts lines and words and collects errors; if there is
 * none, the second pass writes the words into one block sized from the
 * first (a word never takes more bytes than its source text plus its NUL),
 * so the whole file costs three allocations and nothing is half-built.
 *
 * Quoting is the shell's double quotes without expansion: quotes may join
 * with unquoted text ("a b"c is the word `a bc`), a backslash escapes only
 * " and \ inside quotes, and is an ordinary character outside them (so
 * iptables-save's --comment "x y" and Windows-free paths both work).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "control/cmdfile.h"
#include "control/proto.h"

/**
 * struct tok - tokenizer state for one line
 * @out:	where word bytes go (NULL in the counting pass)
 * @used:	bytes written to @out so far (counted even without @out)
 * @wordv:	where word pointers go (NULL in the counting pass)
 * @nwords:	words found on this line
 * @err:	static error text when the line is bad
 */
struct tok {
	char *out;
	size_t used;
	char **wordv;
	int nwords;
	const char *err;
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void tok_put(struct tok *t, char c)
{
	if (t->out)
		t->out[t->used] = c;
	t->used++;
}

/* Read one word starting at p[*i]; the caller has skipped blanks */
static int tok_word(struct tok *t, const char *p, size_t n, size_t *i)
{
	size_t start = t->used;
	int quoted = 0;

	for (; *i < n; (*i)++) {
		char c = p[*i];

		if (!quoted && is_blank(c))
			break;
		if (c == '"') {
			quoted = !quoted;
			continue;
		}
		if (quoted && c == '\\' && *i + 1 < n &&
		    (p[*i + 1] == '"' || p[*i + 1] == '\\'))
			c = p[++(*i)];
		tok_put(t, c);
		if (t->used - start > CTL_MAX_WORD) {
			t->err = "word longer than 16 MiB";
			return -1;
		}
	}
	if (quoted) {
		t->err = "unterminated double quote";
		return -1;
	}
	if (t->nwords >= CTL_MAX_ARGC) {
		t->err = "more than 4096 words in one command";
		return -1;
	}
	if (t->wordv)
		t->wordv[t->nwords] = t->out + start;
	t->nwords++;
	tok_put(t, '\0');
	return 0;
}

/* Split one line (without its newline) into words */
static int tok_line(struct tok *t, const char *p, size_t n)
{
	size_t i = 0;

	t->nwords = 0;
	t->err = NULL;
	if (memchr(p, '\0', n)) {
		t->err = "NUL byte in line";
		return -1;
	}
	for (;;) {
		while (i < n && is_blank(p[i]))
			i++;
		if (i == n || p[i] == '#')
			return 0;
		if (tok_word(t, p, n, &i))
			return -1;
	}
}

static void add_error(struct cmdfile *cf, const char *name, unsigned int line,
		      const char *fmt, ...)
{
	size_t have = cf->errors ? strlen(cf->errors) : 0;
	char msg[256];
	char *s;
	int m;
	va_list ap;

	cf->nerrors++;
	if (cf->nerrors > CMDFILE_MAX_ERRORS + 1)
		return;
	if (cf->nerrors == CMDFILE_MAX_ERRORS + 1) {
		m = snprintf(msg, sizeof(msg), "%s: too many errors\n", name);
	} else {
		m = snprintf(msg, sizeof(msg), "%s:%u: ", name, line);
		va_start(ap, fmt);
		vsnprintf(msg + m, sizeof(msg) - (size_t)m - 1, fmt, ap);
		va_end(ap);
		m = (int)strlen(msg);
		msg[m++] = '\n';
		msg[m] = '\0';
	}
	s = realloc(cf->errors, have + (size_t)m + 1);
	if (!s)
		return;
	memcpy(s + have, msg, (size_t)m + 1);
	cf->errors = s;
}

/* Next line: returns its length and sets *next past the newline */
static size_t line_at(const char *text, size_t len, size_t off, size_t *next)
{
	const char *nl = memchr(text + off, '\n', len - off);
	size_t end = nl ? (size_t)(nl - text) : len;

	*next = nl ? end + 1 : len;
	return end - off;
}

/* Counting pass: number of commands and words, and every error */
static void count_pass(const char *name, const char *text, size_t len,
		       struct cmdfile *cf, size_t *ncmds, size_t *nwords)
{
	size_t off = 0, next;
	unsigned int line = 0;

	*ncmds = *nwords = 0;
	while (off < len) {
		size_t ll = line_at(text, len, off, &next);
		struct tok t = { 0 };

		line++;
		if (tok_line(&t, text + off, ll))
			add_error(cf, name, line, "%s", t.err);
		else if (t.nwords) {
			(*ncmds)++;
			*nwords += (size_t)t.nwords;
		}
		off = next;
	}
}

/* Filling pass: the text is known to be good */
static void fill_pass(const char *text, size_t len, struct cmdfile *cf)
{
	struct tok t = { .out = cf->store };
	char **wv = cf->words;
	size_t off = 0, next;
	unsigned int line = 0;

	while (off < len) {
		size_t ll = line_at(text, len, off, &next);

		line++;
		t.wordv = wv;
		if (!tok_line(&t, text + off, ll) && t.nwords) {
			struct cmdfile_cmd *c = &cf->cmds[cf->n++];

			c->line = line;
			c->argc = t.nwords;
			c->argv = wv;
			wv[t.nwords] = NULL;
			wv += t.nwords + 1;
		}
		off = next;
	}
}

/**
 * cmdfile_parse() - Split configuration text into commands
 * @name:	file name for error messages
 * @text:	the text (need not be NUL-terminated)
 * @len:	its length
 * @cf:		filled; free with cmdfile_free() whatever the result
 *
 * Return: 0, -EINVAL when the text has errors (listed in @cf->errors,
 * each naming its line), -EFBIG above CMDFILE_MAX_SIZE, -ENOMEM
 */
int cmdfile_parse(const char *name, const char *text, size_t len,
		  struct cmdfile *cf)
{
	size_t ncmds, nwords;

	*cf = (struct cmdfile){ 0 };
	if (len > CMDFILE_MAX_SIZE) {
		add_error(cf, name, 0, "file larger than %u bytes",
			  CMDFILE_MAX_SIZE);
		return -EFBIG;
	}
	count_pass(name, text, len, cf, &ncmds, &nwords);
	if (cf->nerrors)
		return -EINVAL;
	cf->cmds = calloc(ncmds + 1, sizeof(*cf->cmds));
	cf->words = calloc(nwords + ncmds + 1, sizeof(*cf->words));
	cf->store = malloc(len + 1);
	if (!cf->cmds || !cf->words || !cf->store) {
		add_error(cf, name, 0, "out of memory");
		return -ENOMEM;
	}
	fill_pass(text, len, cf);
	return 0;
}

/**
 * cmdfile_read() - Read a whole regular file of at most CMDFILE_MAX_SIZE
 * bytes
 * @path:	file to read
 * @text:	its bytes, NUL-terminated (the caller frees), NULL on error
 * @len:	how many bytes
 * @why:	the reason on error ("cannot read: ...", "not a regular
 *		file", "file larger than 16 MiB", "out of memory")
 * @whylen:	bytes at @why
 *
 * Return: 0, or -errno
 */
int cmdfile_read(const char *path, char **text, size_t *len, char *why,
		 size_t whylen)
{
	struct stat st;
	size_t got = 0;
	int fd, ret = 0;

	*text = NULL;
	*len = 0;
	/* O_NONBLOCK: a FIFO named by mistake must not hang the load */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st)) {
		ret = -errno;
		snprintf(why, whylen, "cannot read: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > CMDFILE_MAX_SIZE) {
		ret = S_ISREG(st.st_mode) ? -EFBIG : -EINVAL;
		snprintf(why, whylen, "%s", S_ISREG(st.st_mode) ?
			 "file larger than 16 MiB" : "not a regular file");
		goto out;
	}
	*text = malloc((size_t)st.st_size + 1);
	if (!*text) {
		ret = -ENOMEM;
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, *text + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	(*text)[got] = '\0';
	*len = got;
out:
	if (fd >= 0)
		close(fd);
	return ret;
}

/**
 * cmdfile_load() - Read and split a configuration file
 * @path:	file to read
 * @cf:		filled; free with cmdfile_free() whatever the result
 *
 * Return: 0, -errno when the file cannot be read (the reason is in
 * @cf->errors), or what cmdfile_parse() returns
 */
int cmdfile_load(const char *path, struct cmdfile *cf)
{
	char *text, why[160];
	size_t len;
	int ret = cmdfile_read(path, &text, &len, why, sizeof(why));

	*cf = (struct cmdfile){ 0 };
	if (ret)
		add_error(cf, path, 0, "%s", why);
	else
		ret = cmdfile_parse(path, text, len, cf);
	free(text);
	return ret;
}

/**
 * cmdfile_free() - Release a parsed file
 * @cf:		file (may be zeroed)
 */
void cmdfile_free(struct cmdfile *cf)
{
	free(cf->cmds);
	free(cf->words);
	free(cf->store);
	free(cf->errors);
	*cf = (struct cmdfile){ 0 };
}
