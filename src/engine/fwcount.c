// SPDX-License-Identifier: MIT
/*
 * fwcount.c - the rule counters as one vector, for adding engines'
 *
 * With --workers N every engine holds the same ruleset and counts its
 * own packets in it; `iptables -L -v`, `iptables-save -c`, `ipchains
 * -L -v`, the accounting dumps and --metrics must show the sum. The
 * numbers cannot be added in the text (-L prints 12K, 3M), so the
 * caller adds them in the ruleset: it reads each engine's counters as
 * one vector (masq_engine_rule_counters()), in one fixed order -- every
 * table, every chain, its policy's pair, then each rule's pair -- lays
 * the sum into the engine that answers (masq_engine_rule_counters_set()),
 * runs the reading command there and puts that engine's own counters
 * back. Rules are matched by position: the rulesets are the same
 * configuration applied to each engine, so the same shape; a vector of
 * another length says they are not, and the caller refuses.
 *
 * Only for commands that change no rule (masq_ctl_reads_rules()): a
 * change would carry the borrowed counters into the new ruleset.
 *
 * The caller holds every engine still (no packet between the read and
 * the write), so plain loads and stores are enough here. Complexity:
 * O(rules) per call.
 */
#include <errno.h>
#include <string.h>

#include "eng.h"
#include "fwjob.h"
#include "ipt/lang.h"

/* Each counter of @rs in the fixed order, through @fn; Return: how many */
static size_t counters_walk(struct ipt_ruleset *rs, uint64_t *v, size_t cap,
			    bool set)
{
	size_t n = 0;

	for (int t = 0; t < IPT_TABLES; t++)
		for (uint32_t c = 0; c < rs->t[t].nchains; c++) {
			struct ipt_chain *ch = &rs->t[t].chains[c];

			for (uint32_t r = 0; r <= ch->nrules; r++, n += 2) {
				uint64_t *p = r ? &ch->rules[r - 1].pkts :
						  &ch->pol_pkts;
				uint64_t *b = r ? &ch->rules[r - 1].bytes :
						  &ch->pol_bytes;

				if (n + 2 > cap)
					continue;
				if (set) {
					*p = v[n];
					*b = v[n + 1];
				} else {
					v[n] = *p;
					v[n + 1] = *b;
				}
			}
		}
	return n;
}

/**
 * masq_engine_rule_counters() - Read every rule's and policy's counters
 * @e:		engine, still (no packet meanwhile)
 * @v:		filled with packets and bytes pairs, in the fixed order
 * @cap:	room in @v, in counters (may be 0 to ask the size)
 *
 * Return: the counters the ruleset has (2 per rule and per chain); only
 * the first @cap are written
 */
size_t masq_engine_rule_counters(struct masq_engine *e, uint64_t *v,
				 size_t cap)
{
	return counters_walk(e->rs, v, cap, false);
}

/**
 * masq_engine_rule_counters_set() - Overwrite every rule's counters
 * @e:		engine, still
 * @v:		pairs as masq_engine_rule_counters() gives them
 * @n:		counters in @v
 *
 * Return: 0, or -EINVAL when @n is not the ruleset's count (nothing set)
 */
int masq_engine_rule_counters_set(struct masq_engine *e, const uint64_t *v,
				  size_t n)
{
	if (counters_walk(e->rs, NULL, 0, false) != n)
		return -EINVAL;
	counters_walk(e->rs, (uint64_t *)v, n, true);
	return 0;
}

/**
 * masq_ctl_reads_rules() - Does this command read rules and change none?
 * @argc:	number of words
 * @argv:	the words
 *
 * Return: true for iptables -L, -S, -C, -Z; iptables-save (its zeroing
 * included); the 2.x languages' listings, checks, zeroing and dumps
 */
bool masq_ctl_reads_rules(int argc, char *const *argv)
{
	struct ipt_err err = { "" };
	struct ipt_cmd cmd;
	enum ipt_lang lang;
	int what = -1;

	if (argc < 1 || !argv[0])
		return false;
	lang = ipt_lang_of_word(argv[0], &what);
	if (lang != IPT_LANG_IPTABLES)
		return what == IPT_LWORD_SAVE || (what == IPT_LWORD_CMD &&
		       !ipt_lang_ops(lang)->changes(argc - 1, argv + 1));
	if (!strcmp(argv[0], "iptables-save"))
		return true;
	return !strcmp(argv[0], "iptables") &&
	       !ipt_parse(argc - 1, argv + 1, NULL, &cmd, &err) &&
	       !fw_cmd_changes_rules(&cmd);
}
