// SPDX-License-Identifier: MIT
/*
 * restore.c - masqctl iptables-restore [-c] [-n] [-t] [-T TABLE] [FILE]
 *	       (also run as iptables-restore, masq-iptables-restore)
 *
 * Theory of operation. The text (FILE or stdin, at most RESTORE_MAX
 * bytes: it travels as one word of one request) is checked here first
 * with ipt_restore(..., IPT_RESTORE_TEST, &names_resolver), so a
 * syntax error or an unknown host is reported with its line number
 * before masqd changes anything; --test stops there. The check runs on
 * an empty ruleset, which is what every table the text names starts
 * from; with --noflush on a copy of masqd's (one iptables-save request),
 * since the text may add to chains only masqd has - as iptables-restore
 * --test --noflush checks against the kernel's tables. Then it is sent as
 *
 *	iptables-restore [--noflush] [--counters] TEXT
 *
 * and masqd applies it whole or not at all.
 *
 * masqd accepts only numeric words. Text for which the check looked no
 * name up (all iptables-save output) is sent byte for byte. Text with
 * names is rewritten line by line: every command line is parsed
 * with the resolver in its table and printed again by ipt_cmd_format();
 * the other lines (*table, :chain, COMMIT, comments) are kept as they
 * are. Rewriting lines rather than restoring into a scratch ruleset and
 * saving it is what keeps --noflush right: the text may append to chains
 * masqd has and the scratch lacks, may delete rules (-D), and must not
 * gain policy lines it did not have. A name with several addresses turns
 * a line into several (one per address, as iptables); masqd's line
 * numbers in an error then count the rewritten text.
 *
 * -T TABLE keeps only that table's part (other lines become comments,
 * so line numbers stay those of the file). -v, -b, -w, -W, -M are accepted
 * and ignored.
 *
 * Exit status as iptables-restore 1.8.9: 1 for an option it does not
 * know, a file it cannot read, input too large; 2 for a line that does
 * not parse (a bad option, an unknown table or host); 1 for text that
 * parses but cannot apply (no such chain, COMMIT missing); otherwise
 * masqd's.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control/proto.h"
#include "masqctl/masqctl.h"

#define PROG		"iptables-restore"
/* The text is one word; leave room for the verb and two flags */
#define RESTORE_MAX	(CTL_MAX_REQUEST - 256)

struct restore_opts {
	unsigned flags;		/* IPT_RESTORE_NOFLUSH, _COUNTERS, _TEST */
	int table;		/* -T: only this table; -1: all */
	const char *file;	/* NULL: stdin */
};

static const struct option long_opts[] = {
	{ "binary", no_argument, NULL, 'b' },
	{ "counters", no_argument, NULL, 'c' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "test", no_argument, NULL, 't' },
	{ "help", no_argument, NULL, 'h' },
	{ "noflush", no_argument, NULL, 'n' },
	{ "wait", optional_argument, NULL, 'w' },
	{ "wait-interval", optional_argument, NULL, 'W' },
	{ "modprobe", required_argument, NULL, 'M' },
	{ "table", required_argument, NULL, 'T' },
	{ NULL, 0, NULL, 0 },
};

static void help(void)
{
	printf("usage: iptables-restore [-c] [-n] [-t] [-T TABLE] [FILE]\n"
	       "masq's iptables-restore (masqctl(8)): load iptables-save text "
	       "into masqd.\n"
	       "  -c, --counters   take the [packets:bytes] counters\n"
	       "  -n, --noflush    add to the tables instead of replacing them\n"
	       "  -t, --test       check the text here; change nothing\n"
	       "  -T, --table T    restore only table T\n");
}

/* An option getopt refused: name it */
static int bad_option(int c, char **argv)
{
	const char *word = argv[optind - 1];

	if (c == ':')
		fprintf(stderr, PROG ": option '%s' needs an argument\n", word);
	else if (optopt)
		fprintf(stderr, PROG ": unknown option '-%c'\n", optopt);
	else
		fprintf(stderr, PROG ": unknown option '%s'\n", word);
	return 1;
}

/* One option's effect; 0, or -1 to exit with *rc */
static int take_opt(int c, char **argv, struct restore_opts *o, int *rc)
{
	switch (c) {
	case 'c':
		o->flags |= IPT_RESTORE_COUNTERS;
		return 0;
	case 'n':
		o->flags |= IPT_RESTORE_NOFLUSH;
		return 0;
	case 't':
		o->flags |= IPT_RESTORE_TEST;
		return 0;
	case 'T':
		o->table = ipt_table_by_name(optarg);
		if (o->table >= 0)
			return 0;
		fprintf(stderr, PROG ": table '%s' does not exist (masq has "
			"filter, nat, mangle, raw)\n", optarg);
		*rc = 1;
		return -1;
	case 'b': case 'v': case 'w': case 'W': case 'M':
		return 0;
	case 'h':
		help();
		*rc = 0;
		return -1;
	case 'V':
		printf("masq-iptables-restore v%s\n", MASQ_VERSION);
		*rc = 0;
		return -1;
	default:
		*rc = bad_option(c, argv);
		return -1;
	}
}

/* Read the options; 0, or -1 to exit with *rc */
static int parse_opts(int argc, char **argv, struct restore_opts *o, int *rc)
{
	int c;

	*o = (struct restore_opts){ .table = -1 };
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":bcvVthnw::W::M:T:", long_opts,
				NULL)) != -1)
		if (take_opt(c, argv, o, rc))
			return -1;
	if (optind < argc)
		o->file = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, PROG ": unknown argument '%s' (one FILE at most)\n",
			argv[optind]);
		*rc = 1;
		return -1;
	}
	return 0;
}

/* Read all of @fd, at most RESTORE_MAX bytes; 0, or 1 after a message */
static int read_all(const char *prog, int fd, const char *name, char **text,
		    size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap), *p;
	ssize_t k;

	while (buf) {
		if (n == cap && cap > RESTORE_MAX)
			break;
		if (n == cap) {
			cap = cap * 2 > RESTORE_MAX + 1 ? RESTORE_MAX + 1 : cap * 2;
			p = realloc(buf, cap);
			if (!p)
				break;
			buf = p;
		}
		k = read(fd, buf + n, cap - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			fprintf(stderr, "%s: reading %s: %s\n", prog, name,
				strerror(errno));
			free(buf);
			return 1;
		}
		if (k == 0) {
			p = realloc(buf, n + 1);
			*text = p ? p : buf;
			(*text)[n] = '\0';
			*len = n;
			return 0;
		}
		n += (size_t)k;
	}
	if (buf && n > RESTORE_MAX)
		fprintf(stderr, "%s: %s is larger than %u bytes, the most one "
			"request to masqd carries\n", prog, name, RESTORE_MAX);
	else
		fprintf(stderr, "%s: out of memory reading %s\n", prog, name);
	free(buf);
	return 1;
}

/**
 * text_read() - A restore's input text, whole (iptables-, ipchains-restore)
 * @prog:	the program's name for messages
 * @file:	the file, or NULL for standard input
 * @text:	the text, NUL-terminated (malloc'd)
 * @len:	its length
 *
 * At most RESTORE_MAX bytes: the text travels to masqd as one word.
 * Return: 0, or the exit status after a message (1: unreadable or too
 * large; 2: a NUL byte in it)
 */
int text_read(const char *prog, const char *file, char **text, size_t *len)
{
	const char *name = file ? file : "standard input";
	int fd = file ? open(file, O_RDONLY | O_CLOEXEC) : 0;
	int ret;
	char *nul;

	if (fd < 0) {
		fprintf(stderr, "Can't open %s: %s\n", file, strerror(errno));
		return 1;
	}
	ret = read_all(prog, fd, name, text, len);
	if (file)
		close(fd);
	if (ret)
		return ret;
	nul = memchr(*text, '\0', *len);
	if (nul) {
		size_t line = 1;

		for (const char *p = *text; p < nul; p++)
			line += *p == '\n';
		fprintf(stderr, "%s: line %zu: NUL byte in the text\n", prog, line);
		free(*text);
		return 2;
	}
	return 0;
}

/* The table a "*name" line opens, or -1 */
static int line_table(const char *line)
{
	char name[16];
	size_t len;

	if (line[0] != '*')
		return -1;
	len = strcspn(line + 1, " \t\r\n");
	if (len >= sizeof(name))
		return -1;
	memcpy(name, line + 1, len);
	name[len] = '\0';
	return ipt_table_by_name(name);
}

/* -T: every line outside @table's part becomes a comment (numbers stay) */
static void keep_table(char *text, int table)
{
	bool keep = false;
	char *line = text, *end;

	while (*line) {
		end = line + strcspn(line, "\n");
		if (line[0] == '*')
			keep = line_table(line) == table;
		if (!keep && end > line) {
			line[0] = '#';
			memset(line + 1, ' ', (size_t)(end - line - 1));
		}
		line = *end ? end + 1 : end;
	}
}

/* Append @w to @out as ipt_split() reads it back: quoted when needed */
static void put_word(struct ipt_text *out, const char *w)
{
	if (*w && !w[strcspn(w, " \t\"\\")]) {
		ipt_text_printf(out, "%s", w);
		return;
	}
	ipt_text_printf(out, "\"");
	for (; *w; w++)
		ipt_text_printf(out, "%s%c", *w == '"' || *w == '\\' ? "\\" : "",
				*w);
	ipt_text_printf(out, "\"");
}

/*
 * One canonical line of ipt_cmd_format() as a restore line: @prefix (a
 * "[p:b]" counters word, or NULL) first, and without "-t TABLE", which a
 * restore line may not carry (the "*table" line says it).
 */
static int restore_line(const char *prefix, const char *line,
			struct ipt_text *out, struct ipt_err *err)
{
	size_t store_len = strlen(line) + 1;
	int maxw = store_len / 2 + 1 < CTL_MAX_ARGC ? (int)(store_len / 2 + 1) :
		   CTL_MAX_ARGC;	/* words are at least one byte apart */
	char **w = calloc((size_t)maxw, sizeof(*w));
	char *store = malloc(store_len);
	bool first = true;
	int n, ret = -1;

	if (!w || !store) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		goto out;
	}
	n = ipt_split(line, w, maxw, store, store_len, err);
	if (n < 0)
		goto out;
	if (prefix) {
		ipt_text_printf(out, "%s", prefix);
		first = false;
	}
	for (int i = 0; i < n; i++) {
		if (i == 0 && n > 1 && !strcmp(w[i], "-t")) {	/* it leads */
			i++;
			continue;
		}
		if (!first)
			ipt_text_printf(out, " ");
		put_word(out, w[i]);
		first = false;
	}
	ipt_text_printf(out, "\n");
	ret = 0;
out:
	free(store);
	free(w);
	return ret;
}

/*
 * A command line of table @table, names resolved: one restore line per
 * command ipt_cmd_format() makes of it. @words/@n: the line's words with
 * room for two more in front (@words[0], @words[1] are free).
 */
static int rewrite_command(int table, char **words, int n,
			   struct ipt_text *out, struct ipt_err *err)
{
	const char *prefix = NULL;
	struct ipt_text canon = { 0 };
	struct ipt_cmd cmd;
	char *line, *next;
	int k = 2, ret = -1;

	if (k < n && words[k][0] == '[')	/* "[packets:bytes] -A ..." */
		prefix = words[k++];
	words[k - 2] = "-t";
	words[k - 1] = (char *)ipt_table_name(table < 0 ? IPT_FILTER : table);
	if (ipt_parse(n - k + 2, words + k - 2, &names_resolver, &cmd, err))
		return -1;
	ipt_cmd_format(&cmd, &canon);
	if (canon.oom || !canon.s) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		goto out;
	}
	for (line = canon.s; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (*line && restore_line(prefix, line, out, err))
			goto out;
	}
	ret = 0;
out:
	ipt_text_free(&canon);
	return ret;
}

/* Is @line one that names nothing (blank, comment, *table, :chain, COMMIT)? */
static bool plain_line(const char *line)
{
	line += strspn(line, " \t\r");
	return !*line || *line == '#' || *line == '*' || *line == ':' ||
	       !strncmp(line, "COMMIT", 6);
}

/* One line of the text, rewritten when it is a command; 0 or -1 */
static int rewrite_line(char *line, int *table, char **words, char *store,
			size_t store_len, struct ipt_text *out,
			struct ipt_err *err)
{
	int n;

	if (plain_line(line)) {
		if (line[0] == '*')
			*table = line_table(line);
		ipt_text_printf(out, "%s\n", line);
		return 0;
	}
	n = ipt_split(line, words + 2, CTL_MAX_ARGC - 2, store, store_len, err);
	if (n < 0)
		return -1;
	return rewrite_command(*table, words, n + 2, out, err);
}

/* The text with every name resolved (see the top of this file) */
static int rewrite(char *text, struct ipt_text *out)
{
	struct ipt_err err = { { 0 } };
	char **words = calloc(CTL_MAX_ARGC, sizeof(*words));
	size_t store_len = strlen(text) + 1;	/* a line's words fit in it */
	char *store = malloc(store_len), *line = text, *end;
	unsigned lineno = 1;
	int table = -1, ret = 0;

	if (!words || !store) {
		fprintf(stderr, PROG ": out of memory\n");
		ret = 1;
	}
	for (; !ret && *line; line = end, lineno++) {
		end = line + strcspn(line, "\n");
		if (*end)
			*end++ = '\0';
		if (rewrite_line(line, &table, words, store, store_len, out,
				 &err)) {
			fprintf(stderr, PROG ": line %u: %s\n", lineno, err.msg);
			ret = 2;
		}
	}
	if (!ret && out->oom) {
		fprintf(stderr, PROG ": out of memory\n");
		ret = 1;
	}
	free(store);
	free(words);
	return ret;
}

/*
 * What the text is checked against: an empty ruleset, or with --noflush
 * masqd's (the text may add to chains only masqd has). 0, or the exit
 * status after a message.
 */
static int base_ruleset(struct conn *c, unsigned flags,
			struct ipt_ruleset **rs)
{
	struct fetch f = { .table = -1 };

	if (flags & IPT_RESTORE_NOFLUSH)
		return remote_fetch(c, PROG, &f, rs, NULL, NULL);
	*rs = ipt_ruleset_new();
	if (*rs)
		return 0;
	fprintf(stderr, PROG ": out of memory\n");
	return 1;
}

/* Does command line @line of table @table parse (names resolved)? */
static bool command_parses(int table, const char *line)
{
	struct ipt_text ignored = { 0 };
	struct ipt_err err;
	char **w = calloc(CTL_MAX_ARGC, sizeof(*w));
	char *store = malloc(strlen(line) + 1);
	int n = -1;
	bool ok;

	if (w && store)
		n = ipt_split(line, w + 2, CTL_MAX_ARGC - 2, store,
			      strlen(line) + 1, &err);
	ok = n >= 0 && !rewrite_command(table, w, n + 2, &ignored, &err);
	ipt_text_free(&ignored);
	free(store);
	free(w);
	return ok;
}

/*
 * The exit status iptables-restore gives for the error ipt_restore()
 * reported ("line N: ..."): 2 when line N does not parse (a bad option,
 * an unknown table), 1 when it parses but cannot apply (no such chain,
 * COMMIT missing or refused).
 */
static int error_status(const char *text, const char *msg)
{
	unsigned want, n = 1;
	int table = -1, status = 1;
	const char *p = text;
	char *line;

	if (sscanf(msg, "line %u:", &want) != 1)
		return 1;
	for (; *p && n < want; n++) {
		if (*p == '*')
			table = line_table(p);
		p += strcspn(p, "\n");
		p += *p == '\n';
	}
	line = *p ? strndup(p, strcspn(p, "\n")) : NULL;
	if (!line)
		return 1;
	if (line[0] == '*')
		status = line_table(line) < 0 ? 2 : 1;
	else if (!plain_line(line))
		status = command_parses(table, line) ? 1 : 2;
	free(line);
	return status;
}

/*
 * Check the text here (names resolved), as masqd will; 0, 1 or 2.
 * *@named: whether it asked for any name (if not, it is numeric already).
 */
static int check(struct ipt_ruleset *scratch, const char *text, unsigned flags,
		 bool *named)
{
	struct ipt_err err = { { 0 } };
	unsigned long before = names_lookups;
	int ret = ipt_restore(scratch, text, flags | IPT_RESTORE_TEST,
			      &names_resolver, &err);

	*named = names_lookups != before;
	if (!ret)
		return 0;
	fprintf(stderr, PROG ": %s\n", err.msg);
	return error_status(text, err.msg);
}

/* iptables-restore [--noflush] [--counters] TEXT, answer printed */
static int send_text(struct conn *c, const char *text, unsigned flags)
{
	char *w[5];
	struct reply r;
	int n = 0, ret;

	w[n++] = "iptables-restore";
	if (flags & IPT_RESTORE_NOFLUSH)
		w[n++] = "--noflush";
	if (flags & IPT_RESTORE_COUNTERS)
		w[n++] = "--counters";
	w[n++] = (char *)text;
	w[n] = NULL;
	ret = conn_call(c, n, w, &r);
	if (ret)
		return ret;
	ret = reply_print(&r);
	reply_free(&r);
	return ret;
}

/* Checked text: as it is when it names nothing, else rewritten; sent */
static int load(struct conn *c, char *text, unsigned flags, bool named)
{
	struct ipt_text numeric_text = { 0 };
	int ret;

	if (!named)
		return send_text(c, text, flags);
	ret = rewrite(text, &numeric_text);
	if (!ret && numeric_text.len > RESTORE_MAX) {
		fprintf(stderr, PROG ": the text with names resolved is larger "
			"than %u bytes, the most one request to masqd carries\n",
			RESTORE_MAX);
		ret = 1;
	}
	if (!ret)
		ret = send_text(c, numeric_text.s ? numeric_text.s : "", flags);
	ipt_text_free(&numeric_text);
	return ret;
}

/**
 * restore_main() - masqctl iptables-restore
 * @c:		connection to masqd
 * @argc:	words, from the verb
 * @argv:	argv[0] is "iptables-restore", then options and FILE
 *
 * Return: the exit status (see the top of this file)
 */
int restore_main(struct conn *c, int argc, char **argv)
{
	struct ipt_ruleset *scratch = NULL;
	struct restore_opts o;
	char *text = NULL;
	bool named = false;
	size_t len;
	int ret;

	if (parse_opts(argc, argv, &o, &ret))
		return ret;
	ret = text_read(PROG, o.file, &text, &len);
	if (ret)
		return ret;
	if (o.table >= 0)
		keep_table(text, o.table);
	ret = base_ruleset(c, o.flags, &scratch);
	if (!ret)
		ret = check(scratch, text, o.flags, &named);
	if (scratch)
		ipt_ruleset_free(scratch);
	if (!ret && !(o.flags & IPT_RESTORE_TEST))
		ret = load(c, text, o.flags, named);
	free(text);
	return ret;
}
