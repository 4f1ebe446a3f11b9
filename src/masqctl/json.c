// SPDX-License-Identifier: MIT
/*
 * json.c - masqctl stats --json and conntrack -L -o json: masqd's text
 *	    listings as JSON (docs/control.md, "JSON output")
 *
 * Theory of operation: masqd keeps one text format per listing, and the
 * JSON is made here, in masqctl, from that text: `stats` is "NAME VALUE"
 * lines, `conntrack -L` is conntrack(8)'s lines, both written by the
 * engine and masqd (ctl.c, ctlist.c, masqd/command.c). Both formats are
 * exact (every number is printed in full, in decimal), so nothing is lost
 * on the way, and the engine needs no second writer. The road not taken:
 * JSON written by the engine, a second copy of every listing to keep in
 * step with the first.
 *
 * conntrack -L streams (a full table is some 50 MB, in chunks of up to
 * 512 lines): each line becomes one object as it arrives, the array's
 * brackets and commas written around them, so the output is one valid
 * JSON array however the chunks were cut and however long the table.
 * A line longer than JSON_LINE_MAX or not in conntrack(8)'s shape is no
 * object: it is counted, and masqctl says how many on stderr and exits 1
 * (the JSON stays valid). Every string is escaped (json_put_str()): the
 * text comes from a socket and is not trusted.
 *
 * Limits: memory is one line buffer (JSON_LINE_MAX bytes) whatever the
 * table's size; O(bytes) work.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "masqctl/json.h"
#include "masqctl/masqctl.h"

#define JSON_MAX_TOKENS	64	/* words of one conntrack line (about 20) */

/**
 * json_put_str() - Write a string as a JSON string, quotes and escapes
 * @f:		output
 * @s:		bytes (not necessarily text)
 * @n:		how many
 *
 * Quote, backslash and control characters are escaped, and so is every
 * byte of 0x7f and above (\u00XX: the byte as a code point, Latin-1), so
 * the output is plain ASCII and valid JSON whatever the bytes were; masqd's
 * listings are ASCII, so nothing a user sees is changed by this.
 */
void json_put_str(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* Is @s (@n bytes) a decimal number JSON can carry exactly (no sign, no
 * leading zero, up to 2^64 - 1)? */
static bool is_uint(const char *s, size_t n)
{
	if (!n || n > 20 || (n > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n < 20 || strncmp(s, "18446744073709551615", 20) <= 0;
}

/* A value as a number when it is one, else as a string */
static void put_value(FILE *f, const char *s, size_t n)
{
	if (is_uint(s, n))
		fwrite(s, 1, n, f);
	else
		json_put_str(f, s, n);
}

/* ---- stats --json ------------------------------------------------------ */

/* One "NAME VALUE" line as a member; "USED/MAX" as an object */
static void stats_member(FILE *f, const char *line, size_t n, bool first)
{
	size_t k = 0, v, slash;

	while (k < n && line[k] != ' ')
		k++;
	for (v = k; v < n && line[v] == ' '; v++)
		;
	fputs(first ? "\n  " : ",\n  ", f);
	json_put_str(f, line, k);
	fputs(": ", f);
	for (slash = v; slash < n && line[slash] != '/'; slash++)
		;
	if (slash < n && is_uint(line + v, slash - v) &&
	    is_uint(line + slash + 1, n - slash - 1)) {
		fputs("{\"used\": ", f);
		fwrite(line + v, 1, slash - v, f);
		fputs(", \"max\": ", f);
		fwrite(line + slash + 1, 1, n - slash - 1, f);
		fputc('}', f);
		return;
	}
	put_value(f, line + v, n - v);
}

/**
 * json_stats() - `stats` text as one JSON object
 * @text:	masqd's answer: "NAME VALUE" lines
 * @len:	bytes of @text
 * @f:		output
 *
 * A value in decimal is a number, "USED/MAX" an object {"used", "max"},
 * anything else a string; a line with no name is left out. A name seen
 * twice keeps both members (JSON allows it; masqd never does it).
 */
void json_stats(const char *text, size_t len, FILE *f)
{
	const char *p = text, *end = text + len;
	bool first = true;

	fputc('{', f);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n && p[0] != ' ') {
			stats_member(f, p, n, first);
			first = false;
		}
		p += n + (nl != NULL);
	}
	fputs(first ? "}\n" : "\n}\n", f);
}

/* ---- conntrack -L -o json ---------------------------------------------- */

struct token {
	const char *s;
	size_t n;
};

/* Split @line at spaces; returns how many tokens, or -1 for too many */
static int tokens(const char *line, size_t n, struct token *t, int max)
{
	int k = 0;

	for (size_t i = 0; i < n;) {
		size_t j = i;

		while (j < n && line[j] != ' ')
			j++;
		if (j > i) {
			if (k == max)
				return -1;
			t[k++] = (struct token){ line + i, j - i };
		}
		i = j + 1;
	}
	return k;
}

static bool tok_is(const struct token *t, const char *s)
{
	return t->n == strlen(s) && !memcmp(t->s, s, t->n);
}

/* One "key=value" of a tuple as a member; false when it is not one */
static bool tuple_member(FILE *f, const struct token *t, bool first)
{
	const char *eq = memchr(t->s, '=', t->n);
	size_t k;

	if (!eq || eq == t->s)
		return false;
	k = (size_t)(eq - t->s);
	fputs(first ? "" : ", ", f);
	json_put_str(f, t->s, k);
	fputs(": ", f);
	put_value(f, eq + 1, t->n - k - 1);
	return true;
}

/*
 * A line's shape, checked before anything is written so that a line
 * that is not one writes nothing: PROTO NUM TIMEOUT [STATE] src=... (the
 * original tuple) [UNREPLIED] src=... (the reply tuple) [ASSURED]
 * mark=N use=N. Return: index of the first src= (the orig tuple), the
 * reply's in *@reply; -1 when the line is not one
 */
static int ct_shape(const struct token *t, int n, int *reply)
{
	int orig = -1;

	*reply = -1;
	if (n < 5 || !is_uint(t[1].s, t[1].n) || !is_uint(t[2].s, t[2].n))
		return -1;
	for (int i = 3; i < n; i++) {
		bool src = t[i].n > 4 && !memcmp(t[i].s, "src=", 4);

		if (src && orig < 0)
			orig = i;
		else if (src && *reply < 0)
			*reply = i;
		else if (src)
			return -1;
		else if (i == 3 && !memchr(t[i].s, '=', t[i].n) && t[i].s[0] != '[')
			continue;			/* the TCP state */
		else if (t[i].s[0] == '[' ? !tok_is(&t[i], "[UNREPLIED]") &&
			 !tok_is(&t[i], "[ASSURED]") : !memchr(t[i].s, '=', t[i].n))
			return -1;
	}
	return orig > 2 && *reply > orig ? orig : -1;
}

/* The tuple starting at token @from, up to a flag or the next tuple */
static int ct_tuple(FILE *f, const struct token *t, int n, int from,
		    const char *name)
{
	int i = from;

	fprintf(f, ", \"%s\": {", name);
	for (; i < n && t[i].s[0] != '['; i++) {
		if (i > from && t[i].n > 4 && !memcmp(t[i].s, "src=", 4))
			break;
		if (t[i].n > 5 && !memcmp(t[i].s, "mark=", 5))
			break;
		tuple_member(f, &t[i], i == from);
	}
	fputc('}', f);
	return i;
}

/**
 * json_conntrack_line() - One conntrack(8) line as one JSON object
 * @line:	the line, without its newline
 * @n:		bytes
 * @f:		output
 * @first:	the array's first object (no comma before it)
 *
 * Return: true when written; false (nothing written) when the line is
 * not one of conntrack -L's
 */
bool json_conntrack_line(const char *line, size_t n, FILE *f, bool first)
{
	struct token t[JSON_MAX_TOKENS];
	int k = tokens(line, n, t, JSON_MAX_TOKENS), orig, reply, i;
	bool state;

	if (k < 0 || (orig = ct_shape(t, k, &reply)) < 0)
		return false;
	state = orig == 4;
	fputs(first ? "\n  {\"proto\": " : ",\n  {\"proto\": ", f);
	json_put_str(f, t[0].s, t[0].n);
	fprintf(f, ", \"protonum\": %.*s, \"timeout\": %.*s", (int)t[1].n,
		t[1].s, (int)t[2].n, t[2].s);
	if (state) {
		fputs(", \"state\": ", f);
		json_put_str(f, t[3].s, t[3].n);
	}
	ct_tuple(f, t, k, orig, "orig");
	ct_tuple(f, t, k, reply, "reply");
	fputs(", \"unreplied\": ", f);
	for (i = 0; i < k && !tok_is(&t[i], "[UNREPLIED]"); i++)
		;
	fputs(i < k ? "true" : "false", f);
	fputs(", \"assured\": ", f);
	for (i = 0; i < k && !tok_is(&t[i], "[ASSURED]"); i++)
		;
	fputs(i < k ? "true" : "false", f);
	for (i = reply; i < k; i++)
		if ((t[i].n > 5 && !memcmp(t[i].s, "mark=", 5)) ||
		    (t[i].n > 4 && !memcmp(t[i].s, "use=", 4)))
			tuple_member(f, &t[i], false);
	fputc('}', f);
	return true;
}

/* The whole lines at the head of the carry, as objects */
static void feed_objects(struct json_feed *j)
{
	const char *p = j->carry, *end = j->carry + j->n;
	const char *nl;

	while ((nl = memchr(p, '\n', (size_t)(end - p)))) {
		size_t n = (size_t)(nl - p);

		if (n && json_conntrack_line(p, n, j->to, !j->objects))
			j->objects++;
		else if (n)
			j->bad++;
		p = nl + 1;
	}
	memmove(j->carry, p, (size_t)(end - p));
	j->n = (size_t)(end - p);
}

/**
 * json_feed_part() - Take one part of conntrack -L as it arrives
 * @ctx:	struct json_feed
 * @text:	the part (a line may run on into the next part)
 * @len:	bytes
 *
 * Return: 0, or -ECANCELED when the output cannot be written
 */
int json_feed_part(void *ctx, const char *text, size_t len)
{
	struct json_feed *j = ctx;

	if (!j->begun) {
		fputc('[', j->to);
		j->begun = true;
	}
	for (size_t i = 0; i < len; i++) {
		if (j->overlong) {		/* skip to the newline */
			j->overlong = text[i] != '\n';
			continue;
		}
		if (j->n == JSON_LINE_MAX) {
			j->bad++;
			j->n = 0;
			j->overlong = text[i] != '\n';
			continue;
		}
		j->carry[j->n++] = text[i];
		if (text[i] == '\n')
			feed_objects(j);
	}
	if (ferror(j->to)) {
		j->err = errno ? errno : EIO;
		return -ECANCELED;
	}
	return 0;
}

/**
 * json_feed_end() - The listing ended: its last line, the closing bracket
 * @j:		the feed
 *
 * Return: 0, or -ECANCELED when the output cannot be written
 */
int json_feed_end(struct json_feed *j)
{
	if (!j->begun)
		fputc('[', j->to);
	j->begun = true;
	if (j->n && !j->overlong && j->n < JSON_LINE_MAX) {
		j->carry[j->n++] = '\n';
		feed_objects(j);
	}
	j->n = 0;
	fputs(j->objects ? "\n]\n" : "]\n", j->to);
	if (fflush(j->to) == EOF || ferror(j->to)) {
		j->err = errno ? errno : EIO;
		return -ECANCELED;
	}
	return 0;
}

/* ---- the verbs --------------------------------------------------------- */

/* A verb as masqd answers it, when no JSON is asked for */
static int as_is(struct conn *c, int argc, char **argv)
{
	struct reply r;
	int ret = conn_stream(c, argc, argv, &r);

	if (ret)
		return ret;
	ret = reply_print(&r);
	reply_free(&r);
	return ret;
}

/**
 * stats_main() - stats [--json]
 * @c:		connection to masqd
 * @argc:	number of words
 * @argv:	the words, "stats" first
 *
 * Return: 0, 1 (masqd failed or output failed), 2 (usage)
 */
int stats_main(struct conn *c, int argc, char **argv)
{
	char *words[] = { "stats", NULL };
	struct reply r;
	int ret;

	if (argc != 2 || strcmp(argv[1], "--json"))
		return as_is(c, argc, argv);
	ret = conn_call(c, 1, words, &r);
	if (ret)
		return ret;
	if (r.status) {
		ret = reply_print(&r);
	} else {
		json_stats(r.text, r.len, stdout);
		ret = fflush(stdout) == EOF ? 1 : 0;
		if (ret)
			fprintf(stderr, "masqctl: writing output: %s\n",
				strerror(errno));
	}
	reply_free(&r);
	return ret;
}

/**
 * conntrack_json() - conntrack -L [FILTER...] -o json, streamed
 * @c:		connection to masqd
 * @argc:	number of words
 * @argv:	the words as given ("-o json" is masqd's to ignore)
 *
 * Return: 0, 1 (masqd failed, output failed, lines not understood)
 */
int conntrack_json(struct conn *c, int argc, char **argv)
{
	struct json_feed *j = calloc(1, sizeof(*j));
	struct reply r;
	int ret;

	if (!j) {
		fprintf(stderr, "masqctl: out of memory\n");
		return 1;
	}
	j->to = stdout;
	ret = conn_stream_with(c, argc, argv, json_feed_part, j, &j->err, &r);
	if (!ret) {
		if (r.status) {
			if (j->begun)		/* what came stays valid JSON */
				json_feed_end(j);
			ret = reply_print(&r);
		} else if (json_feed_part(j, r.text, r.len) || json_feed_end(j)) {
			fprintf(stderr, "masqctl: writing output: %s\n",
				strerror(j->err));
			ret = 1;
		} else if (j->bad) {
			fprintf(stderr, "masqctl: conntrack: %lu lines not "
				"understood, left out of the JSON\n", j->bad);
			ret = 1;
		}
		reply_free(&r);
	}
	free(j);
	return ret;
}

/* conntrack -E: each part (whole lines) written and flushed at once */
static int events_part(void *ctx, const char *text, size_t len)
{
	int *err = ctx;

	if (fwrite(text, 1, len, stdout) == len && fflush(stdout) != EOF)
		return 0;
	*err = errno;
	return -ECANCELED;
}

/**
 * conntrack_events() - conntrack -E: events until masqd stops or the
 *			output is closed, each part flushed at once
 * @c:		connection to masqd
 * @argc:	number of words
 * @argv:	the words
 *
 * Return: 0, 1 (masqd failed or output failed)
 */
int conntrack_events(struct conn *c, int argc, char **argv)
{
	struct reply r;
	int err = 0, ret;

	ret = conn_stream_with(c, argc, argv, events_part, &err, &err, &r);
	if (ret)
		return ret;
	ret = reply_print(&r);
	reply_free(&r);
	return ret;
}
