// SPDX-License-Identifier: MIT
/*
 * fwreplace.c - a configuration file's batch replaces the tables it
 *		 writes, as iptables-restore does
 *
 * Theory of operation: a reload's batch (masq_engine_rules_job()) starts
 * from the default ruleset. Before the first command of the batch that
 * changes a table (an iptables -A/-I/-R/-D/-N/-X/-E/-P/-F on it, or an
 * iptables-restore text naming it with *TABLE), that table is emptied:
 * every rule and user chain goes, the built-in chains keep their
 * policies. So a converted firewall's rules are the whole table, not
 * rules appended behind the default `-A FORWARD -i lan0 -j ACCEPT` (which
 * would accept first), and filter INPUT and FORWARD keep the default
 * ruleset's DROP policy unless the file sets -P: a router never fails
 * open because of its configuration. Tables the file does not write keep
 * the default ruleset's content (nat's MASQUERADE on each external
 * interface). A `reset rules` in the batch is the way to say "on top of
 * the default ruleset": the default ruleset again, and no table is
 * emptied by the lines after it.
 *
 * A rules run (masqctl rules, txn.c) is not a file: ipmasq's scripts add
 * to the default ruleset, so its batch never replaces (@replace false).
 *
 * Cost: one pass over a restore text's lines for its table names; the
 * emptying frees the default ruleset's few rules.
 */
#include <stdio.h>
#include <string.h>

#include "eng.h"
#include "fwjob.h"
#include "ipt/ruleset.h"

/**
 * fw_replace_table() - Empty @table before the batch's first change of it
 * @j:		the batch
 * @table:	enum ipt_table_id
 */
void fw_replace_table(struct masq_ctl_job *j, unsigned table)
{
	uint8_t bit = (uint8_t)(1u << table);

	if (!j->replace || table >= IPT_TABLES || (j->replaced & bit))
		return;
	ipt_table_flush_all(&j->rs->t[table]);
	j->replaced |= bit;
	j->written |= bit;
}

/* The table a "*NAME" line of a restore text names, or -1 */
static int restore_line_table(const char *line, size_t len)
{
	char name[16];

	while (len && (line[len - 1] == '\r' || line[len - 1] == ' ' ||
		       line[len - 1] == '\t'))
		len--;
	if (len < 2 || line[0] != '*' || len - 1 >= sizeof(name))
		return -1;
	memcpy(name, line + 1, len - 1);
	name[len - 1] = '\0';
	return ipt_table_by_name(name);
}

/**
 * fw_replace_restore() - Empty every table an iptables-restore text names
 * (a *TABLE line) that the batch has not changed yet
 * @j:		the batch
 * @text:	the text, NUL-terminated
 *
 * Before the text is applied, so --noflush adds to an empty table too.
 */
void fw_replace_restore(struct masq_ctl_job *j, const char *text)
{
	const char *p = text;

	while (j->replace && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		int t = restore_line_table(p, len);

		if (t >= 0)
			fw_replace_table(j, (unsigned)t);
		p += len + (nl != NULL);
	}
}

/**
 * masq_ctl_job_replaced() - The tables a run batch replaced, by name
 * @j:		the batch, run
 * @buf:	"filter nat" (tables in iptables-save's order), "" for none
 * @size:	bytes at @buf
 *
 * Return: how many tables
 */
int masq_ctl_job_replaced(const struct masq_ctl_job *j, char *buf,
			  size_t size)
{
	size_t used = 0;
	int n = 0;

	if (size)
		buf[0] = '\0';
	for (int t = 0; t < IPT_TABLES; t++) {
		if (!(j->written & (1u << t)))
			continue;
		n++;
		if (used < size)
			used += (size_t)snprintf(buf + used, size - used, "%s%s",
						 used ? " " : "",
						 ipt_table_name((enum ipt_table_id)t));
	}
	return n;
}

/**
 * masq_ctl_job_masquerades() - Does a run batch's nat table translate
 * sources (a MASQUERADE or SNAT rule in any chain)?
 * @j:		the batch, run
 *
 * Return: true when it does, or when the batch has no ruleset or one in
 * ipchains or ipfwadm (nothing to warn about)
 */
bool masq_ctl_job_masquerades(const struct masq_ctl_job *j)
{
	const struct ipt_table *t;

	if (!j->rs || j->rs->lang != IPT_LANG_IPTABLES)
		return true;	/* ipchains' and ipfwadm's MASQ is in forward */
	t = &j->rs->t[IPT_NAT];
	for (uint32_t c = 0; c < t->nchains; c++)
		for (uint32_t k = 0; k < t->chains[c].nrules; k++)
			if (t->chains[c].rules[k].t.kind == IPT_T_MASQUERADE ||
			    t->chains[c].rules[k].t.kind == IPT_T_SNAT)
				return true;
	return false;
}

/**
 * masq_ctl_job_set_names() - Let a batch's words name services and
 * protocols
 * @j:		the batch, not run yet
 * @res:	the lookups (masqd's: local files read at its start, nothing
 *		that can block), or NULL for numbers only
 */
void masq_ctl_job_set_names(struct masq_ctl_job *j,
			    const struct ipt_resolver *res)
{
	j->res = res;
}
