// SPDX-License-Identifier: MIT
/*
 * conntrack.c - masqctl conntrack: conntrack-tools 1.4.7's command line,
 *		 messages and exit statuses over masqd's table walks
 *
 * The words are parsed here first (ct_cmdline_parse(), engine/ctfilter.c)
 * so a bad option or value gets conntrack's own two lines on stderr and
 * exit status 2 without masqd; then they go to masqd as they are (the
 * filter's names, tcp or TIME_WAIT, are the parser's tables, and
 * conntrack takes no host names, so nothing needs resolving here), which
 * parses them again and walks its table in bounded chunks (ctlist.c).
 *
 * What conntrack writes after a walk is written here, on stderr, as
 * conntrack does: "N flow entries have been shown." (-L, -G), "N flow
 * entries have been deleted." (-D; none is exit status 1), "connection
 * tracking table has been emptied." (-F: conntrack prints no count, and
 * neither does masq: `conntrack -D` with no filter empties the table and
 * says how many), "Operation failed: such conntrack doesn't exist" (-G
 * finding none, status 1). N is the lines masqd sent, one a connection,
 * counted as they pass: with --workers N every engine's lines come
 * through the one stream, so the count is the sum without masqd adding
 * anything.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "masq/ctfilter.h"
#include "masqctl/masqctl.h"

#define CT_PREFIX	"conntrack v1.4.7 (conntrack-tools): "

/**
 * struct ct_out - a walk's lines on their way to stdout
 * @lines:	lines written so far
 * @err:	the first write error (errno), 0 for none
 */
struct ct_out {
	unsigned long lines;
	int err;
};

/* How many lines @len bytes of @s hold */
static unsigned long text_lines(const char *s, size_t len)
{
	unsigned long n = 0;

	for (size_t i = 0; i < len; i++)
		n += s[i] == '\n';
	return n;
}

/* Each part to stdout, its lines counted */
static int ct_part(void *ctx, const char *text, size_t len)
{
	struct ct_out *o = ctx;

	if (fwrite(text, 1, len, stdout) != len) {
		o->err = errno;
		return -ECANCELED;
	}
	o->lines += text_lines(text, len);
	return 0;
}

/* conntrack's refusal of a command line: its two lines, status 2 */
static int ct_usage(const char *msg)
{
	fprintf(stderr, CT_PREFIX "%s\nTry `conntrack -h' or 'conntrack "
		"--help' for more information.\n", msg);
	return 2;
}

/* What conntrack says after command @c's walk of @lines lines; its status */
static int ct_said(const struct ct_cmdline *c, unsigned long lines)
{
	switch (c->cmd) {
	case 'F':
		fprintf(stderr, CT_PREFIX "connection tracking table has been "
			"emptied.\n");
		return 0;
	case 'D':
		fprintf(stderr, CT_PREFIX "%lu flow entries have been "
			"deleted.\n", lines);
		return lines ? 0 : 1;
	case 'G':
		if (!lines) {
			fprintf(stderr, CT_PREFIX "Operation failed: such "
				"conntrack doesn't exist\n");
			return 1;
		}
		/* fallthrough */
	default:
		fprintf(stderr, CT_PREFIX "%lu %s have been shown.\n", lines,
			c->expect ? "expectations" : "flow entries");
		return 0;
	}
}

/* -L, -D, -G, -F: the walk streamed, then conntrack's line */
static int ct_walk(struct conn *c, int argc, char **argv,
		   const struct ct_cmdline *cl)
{
	struct ct_out o = { 0 };
	struct reply r;
	int ret = conn_stream_with(c, argc, argv, ct_part, &o, &o.err, &r);

	if (ret)
		return ret;
	ret = reply_print(&r);	/* the last lines, or masqd's error */
	if (!ret)
		o.lines += text_lines(r.text, r.len);
	reply_free(&r);
	return ret ? ret : ct_said(cl, o.lines);
}

/**
 * conntrack_main() - masqctl conntrack: -L [expect] [FILTER...] [-o json],
 *		      -D [FILTER...], -G TUPLE, -F, -C [expect], -E
 * @c:		connection to masqd
 * @argc:	number of words
 * @argv:	the words, "conntrack" first
 *
 * Return: conntrack's exit status: 0; 1 (nothing deleted, nothing got,
 * masqd failed, output failed); 2 (a bad command line)
 */
int conntrack_main(struct conn *c, int argc, char **argv)
{
	struct ct_cmdline cl;
	char err[CTF_ERR_MAX];
	struct reply r;
	int ret;

	if (ct_cmdline_parse(argc, argv, &cl, err, sizeof(err)))
		return ct_usage(err);
	if (cl.json)
		return conntrack_json(c, argc, argv);
	if (cl.cmd == 'E')
		return conntrack_events(c, argc, argv);
	if (cl.cmd != 'C' && !cl.expect)
		return ct_walk(c, argc, argv, &cl);
	ret = conn_call(c, argc, argv, &r);	/* -C, -L expect: no walk */
	if (ret)
		return ret;
	ret = reply_print(&r);
	if (!ret && cl.cmd == 'L')
		ret = ct_said(&cl, text_lines(r.text, r.len));
	reply_free(&r);
	return ret;
}
