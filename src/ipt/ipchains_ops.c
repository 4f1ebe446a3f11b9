// SPDX-License-Identifier: MIT
/*
 * ipchains_ops.c - the ipchains language's operations table
 *		    (lang.h's ipt_ipchains_ops), which the engine calls
 *
 * Owns only the table and the two operations that are the table's own
 * (changes(): would these words change the ruleset; save(): every
 * chain). It stands above the files it gathers: the commands and the
 * empty ruleset are ipchains_exec.c's, the text ipchains_save.c's, and
 * neither calls back through the table.
 */
#include <stdlib.h>

#include "ipt/ipchains.h"

/* Would these numeric words change rules, policies or chains? */
static bool ipc_changes(int argc, char *const *argv)
{
	struct ipchains_cmd *cmd = malloc(sizeof(*cmd));
	struct ipt_err err;
	bool change = false;

	if (cmd && !ipchains_parse(argc, argv, NULL, cmd, &err))
		change = cmd->op != IPCHAINS_OP_CHECK &&
			 cmd->op != IPCHAINS_OP_LIST &&
			 cmd->op != IPCHAINS_OP_ZERO &&
			 cmd->op != IPCHAINS_OP_MASQ_LIST &&
			 cmd->op != IPCHAINS_OP_MASQ_SET &&
			 cmd->op != IPCHAINS_OP_HELP &&
			 cmd->op != IPCHAINS_OP_VERSION;
	free(cmd);
	return change;
}

/* Every chain, as ipchains-save prints it */
static void ipc_save(const struct ipt_ruleset *rs, unsigned flags,
		     struct ipt_text *out)
{
	ipchains_save_chain(rs, NULL, flags, out);
}

const struct ipt_lang_ops ipt_ipchains_ops = {
	.name = "ipchains",
	.save_word = "ipchains-save",
	.restore_word = "ipchains-restore",
	.init = ipchains_init,
	.changes = ipc_changes,
	.exec = ipchains_exec,
	.save = ipc_save,
	.restore = ipchains_restore,
};
