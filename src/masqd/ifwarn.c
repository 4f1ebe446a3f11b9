// SPDX-License-Identifier: MIT
/*
 * ifwarn.c - "no interface NAME (yet)", once per name (see ifwarn.h)
 *
 * The command is parsed with the iptables parser itself (numeric words,
 * as masqctl sends them), so "! -i", "--in-interface" and a comment that
 * holds "-i" are read as iptables reads them. The names are checked
 * before the command runs (it may run as a job, on another thread) and
 * said after it, with its status: a refused rule said nothing and noted
 * nothing. Cost: one parse per iptables command, control plane only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipt/ipt.h"
#include "masqd/ifwarn.h"
#include "masqd/log.h"
#include "masqd/options.h"

/* Does @pat name any of masqd's interfaces? ("" and "+" name them all) */
static bool names_one_of_ours(const struct masqd_opts *o, const char *pat)
{
	if (!*pat || !strcmp(pat, "+"))
		return true;
	for (int i = 0; i < o->nifaces; i++)
		if (ipt_ifname_matches(pat, o->ifaces[i].name))
			return true;
	return false;
}

static bool said_before(const struct ifwarn *w, const char *pat)
{
	for (uint32_t i = 0; i < w->nsaid; i++)
		if (!strcmp(w->said[i], pat))
			return true;
	return false;
}

/* Note @pat for the reply unless it is ours, said, or noted already */
static void note(struct ifwarn *w, const struct masqd_opts *o, const char *pat)
{
	if (names_one_of_ours(o, pat) || said_before(w, pat) ||
	    (w->npending && !strcmp(w->pending[0], pat)) ||
	    w->nsaid + w->npending >= IFWARN_MAX_NAMES)
		return;
	snprintf(w->pending[w->npending++], IF_NAMESIZE, "%s", pat);
}

void ifwarn_command(struct ifwarn *w, const struct masqd_opts *o, int argc,
		    char *const *argv)
{
	struct ipt_cmd *cmd;
	struct ipt_err err;

	w->npending = 0;
	if (argc < 2 || strcmp(argv[0], "iptables"))
		return;
	cmd = malloc(sizeof(*cmd));	/* some kilobytes: not on the stack */
	if (!cmd)
		return;			/* nothing said: the rule runs anyway */
	if (!ipt_parse(argc - 1, argv + 1, NULL, cmd, &err) &&
	    (cmd->op == IPT_OP_APPEND || cmd->op == IPT_OP_INSERT ||
	     cmd->op == IPT_OP_REPLACE)) {
		char in[IF_NAMESIZE], out[IF_NAMESIZE];

		snprintf(in, sizeof(in), "%.*s", IF_NAMESIZE - 1, cmd->rule.in);
		snprintf(out, sizeof(out), "%.*s", IF_NAMESIZE - 1, cmd->rule.out);
		note(w, o, in);
		note(w, o, out);
	}
	free(cmd);
}

void ifwarn_reply(struct ifwarn *w, int status, struct masq_text *out)
{
	for (uint32_t i = 0; !status && i < w->npending; i++) {
		masq_text_printf(out, "no interface %s (yet)\n", w->pending[i]);
		logmsg(LOG_WARNING, "no interface %s (yet): a rule names it",
		       w->pending[i]);
		memcpy(w->said[w->nsaid++], w->pending[i], IF_NAMESIZE);
	}
	w->npending = 0;
}
