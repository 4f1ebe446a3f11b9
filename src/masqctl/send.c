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
#include <string.h>

#include "masqctl/masqctl.h"

/* One line as VERB WORD...; masqd's answer printed */
static int send_line(struct conn *c, const char *verb, const char *line)
{
	struct reply r;
	int ret = conn_call_line(c, verb, line, &r);

	if (!ret) {
		ret = reply_print(&r);
		reply_free(&r);
	}
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
