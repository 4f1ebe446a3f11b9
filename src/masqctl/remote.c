// SPDX-License-Identifier: MIT
/*
 * remote.c - masqd's ruleset, brought into a local struct ipt_ruleset
 *
 * Listings (-L, -S, iptables-save, ipacct-dump) are made here, not in
 * masqd: masqd answers `iptables-save -c [-t TABLE]` with its ruleset as
 * iptables-save text (without the "# Generated"/"# Completed" lines), and
 * masqctl restores that text into a fresh ruleset and prints from it with
 * the same library. So -L without -n can show host and service names
 * (looked up here; masqd never resolves) and masqd's work per listing is
 * one save.
 *
 * Zeroing with a listing (-L -Z, ipacct-dump) is part of the same request
 * (--zero CHAIN, --zero-all): masqd makes the text and zeroes in one step,
 * so no packet is counted twice or lost between reading and zeroing. masqd
 * refuses the whole request, zeroing nothing, when a --zero chain does not
 * exist.
 *
 * Cost: masqd's text is held twice for a moment (the reply, then the
 * ruleset); about 100 bytes per rule.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "masqctl/masqctl.h"

/* The request's words; @w has room for 6 + 2 * f->nzero */
static int fetch_words(const struct fetch *f, char **w)
{
	int n = 0;

	w[n++] = "iptables-save";
	if (f->counters)
		w[n++] = "-c";
	if (f->table >= 0) {
		w[n++] = "-t";
		w[n++] = (char *)ipt_table_name(f->table);
	}
	for (int i = 0; i < f->nzero; i++) {
		w[n++] = "--zero";
		w[n++] = f->zero[i];
	}
	if (f->zero_all)
		w[n++] = "--zero-all";
	w[n] = NULL;
	return n;
}

/* The table a "*name" line opens, or -1 for any other line */
static int line_table(const char *p)
{
	char name[16];
	size_t len;

	if (*p != '*')
		return -1;
	len = strcspn(p + 1, " \t\r\n");
	if (len >= sizeof(name))
		return -1;
	memcpy(name, p + 1, len);
	name[len] = '\0';
	return ipt_table_by_name(name);
}

/* The tables in the order the text names them */
static void table_order(const char *text, int *order, int *n)
{
	unsigned seen = 0;
	const char *p = text;

	*n = 0;
	while (p && *p) {
		int t = line_table(p);

		if (t >= 0 && !(seen & 1u << t)) {
			seen |= 1u << t;
			order[(*n)++] = t;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
}

/**
 * remote_fetch() - Ask masqd for its ruleset and rebuild it here
 * @c:		connection to masqd
 * @prog:	name for error messages ("iptables", "ipacct-dump", ...)
 * @f:		what to ask for
 * @rs:		the ruleset on success (ipt_ruleset_free() it); tables the
 *		text does not name are empty, with ACCEPT policies
 * @order:	if not NULL, the tables masqd's text names, in its order
 *		(room for IPT_TABLES)
 * @ntables:	how many entries of @order were filled (may be NULL with it)
 *
 * Return: 0, or the exit status after a message on stderr: masqd's own
 * status and text when it refused (an unknown --zero chain), 1 when its
 * text cannot be read back
 */
int remote_fetch(struct conn *c, const char *prog, const struct fetch *f,
		 struct ipt_ruleset **rs, int *order, int *ntables)
{
	struct ipt_err err = { { 0 } };
	struct reply r = { 0 };
	char **w;
	int ret;

	*rs = NULL;
	w = calloc(7 + 2 * (size_t)f->nzero, sizeof(*w));
	if (!w) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	ret = conn_call(c, fetch_words(f, w), w, &r);
	free(w);
	if (ret)
		return ret;
	if (r.status) {
		ret = reply_print(&r);
		goto out;
	}
	*rs = ipt_ruleset_new();
	if (!*rs) {
		fprintf(stderr, "%s: out of memory\n", prog);
		ret = 1;
		goto out;
	}
	if (ipt_restore(*rs, r.text, f->counters ? IPT_RESTORE_COUNTERS : 0,
			NULL, &err)) {
		fprintf(stderr, "%s: masqd's ruleset cannot be read back: %s\n",
			prog, err.msg);
		ipt_ruleset_free(*rs);
		*rs = NULL;
		ret = 1;
		goto out;
	}
	if (order)
		table_order(r.text, order, ntables);
out:
	reply_free(&r);
	return ret;
}
