// SPDX-License-Identifier: MIT
/*
 * send.c - canonical command lines to masqd, one request each
 *
 * The language front ends (iptables.c, ipchains.c) parse a command with
 * names resolved here and print it back as canonical numeric words, one
 * line per rule a host name's addresses make. Each line is one request,
 * VERB + its words, on the one connection, in order; the first failure
 * stops the rest (those before it stay applied: the tools applied them
 * one by one too) and its status is the command's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/proto.h"
#include "masqctl/masqctl.h"

/* One line as VERB WORD...; masqd's answer printed */
static int send_line(struct conn *c, const char *verb, const char *line)
{
	struct ipt_err err = { { 0 } };
	size_t store_len = strlen(line) + 1;
	char **w = calloc(CTL_MAX_ARGC + 1, sizeof(*w));
	char *store = malloc(store_len);
	struct reply r;
	int n, ret = 1;

	if (!w || !store) {
		fprintf(stderr, "%s: out of memory\n", verb);
		goto out;
	}
	w[0] = (char *)verb;
	n = ipt_split(line, w + 1, CTL_MAX_ARGC - 1, store, store_len, &err);
	if (n < 0) {	/* the library disagrees with itself: a bug */
		fprintf(stderr, "%s: cannot split '%s': %s\n", verb, line, err.msg);
		goto out;
	}
	ret = conn_call(c, n + 1, w, &r);
	if (!ret) {
		ret = reply_print(&r);
		reply_free(&r);
	}
out:
	free(store);
	free(w);
	return ret;
}

/**
 * lines_send() - Send each line of @t as a request VERB + its words
 * @c:		connection to masqd
 * @verb:	"iptables", "ipchains", ...
 * @t:		the canonical lines (changed: the newlines are cut)
 *
 * Return: 0, or the first failing request's status (after its message)
 */
int lines_send(struct conn *c, const char *verb, struct ipt_text *t)
{
	char *line, *next;
	int ret = 0;

	if (t->oom || !t->s) {
		fprintf(stderr, "%s: out of memory\n", verb);
		return 1;
	}
	for (line = t->s; !ret && line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (*line)
			ret = send_line(c, verb, line);
	}
	return ret;
}
