// SPDX-License-Identifier: MIT
/*
 * wcount.c - rule listings with --workers N: every engine's counters
 *
 * Each engine counts its own packets in its own copy of the one
 * ruleset, so `iptables -L -v`, `iptables-save -c` (and ipacct-dump,
 * which is one), `ipchains -L -v`, `ipfwadm -l` and --metrics' rule
 * counters must show the sum over the engines, rule by rule. The text
 * cannot be added (-L's 12K), so the sum is laid into worker 0's engine
 * for the one command (src/engine/fwcount.c): its own counters are read,
 * every other engine's added by rule position, the sum written, the
 * command run there, and worker 0's own counters put back wherever the
 * command left the sum as it was; where it zeroed counters (-Z,
 * --zero), those stay zero and the command runs on each other engine
 * too, to zero theirs (their status must be worker 0's). A listing
 * alone runs once: --metrics' iptables-save -c each second costs one
 * engine's dump, as with one worker, and a read of every counter. Every
 * worker is paused meanwhile, so no packet is counted between the read
 * and the write. The answer is worker 0's.
 *
 * Cost: three vectors of 16 bytes per rule, allocated per command (the
 * control path), and O(rules x workers).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "masqd/log.h"
#include "masqd/masqd.h"
#include "masqd/workers.h"

/* Every engine's counters, added into @sum (@own: worker 0's); 0 or -errno */
static int counters_add_up(struct masqd *d, uint64_t *own, uint64_t *sum,
			   uint64_t *tmp, size_t n)
{
	masq_engine_rule_counters(d->e, own, n);
	memcpy(sum, own, n * sizeof(*sum));
	for (uint32_t k = 1; k < d->wk.n; k++) {
		if (masq_engine_rule_counters(d->wk.w[k]->e, tmp, n) != n)
			return -EINVAL;	/* not the same ruleset */
		for (size_t i = 0; i < n; i++)
			sum[i] += tmp[i];
	}
	return 0;
}

/*
 * Worker 0's own counters back, except where the command changed the
 * sum (zeroed it). Return: true when it changed any
 */
static bool counters_give_back(struct masqd *d, const uint64_t *own,
			       const uint64_t *sum, uint64_t *tmp, size_t n)
{
	bool zeroed = false;

	if (masq_engine_rule_counters(d->e, tmp, n) != n) {
		logmsg(LOG_ERR, "workers: a listing changed the ruleset's shape");
		return true;
	}
	for (size_t i = 0; i < n; i++) {
		if (tmp[i] == sum[i])
			tmp[i] = own[i];
		else
			zeroed = true;
	}
	masq_engine_rule_counters_set(d->e, tmp, n);
	return zeroed;
}

/* The command on engines 1..n-1, answers dropped; 0, or -EIO: a status differs */
static int run_on_the_others(struct masqd *d, int argc, char *const *argv,
			     int st0)
{
	int ret = 0;

	for (uint32_t k = 1; k < d->wk.n; k++) {
		struct masq_text t = { 0 };

		if (masq_engine_ctl(d->wk.w[k]->e, argc, argv, &t) != st0)
			ret = -EIO;
		masq_text_free(&t);
	}
	return ret;
}

/**
 * workers_ctl_counted() - A rule listing with every engine's counters
 * @d:		daemon, every worker paused, n > 1
 * @argc:	words (masq_ctl_reads_rules() takes them)
 * @argv:	the words
 * @out:	worker 0's answer, with the sums, appended
 * @st:		set to the command's status
 *
 * Return: 0; -EINVAL when the engines' rulesets differ in shape, -EIO
 * when their statuses differ, -ENOMEM
 */
int workers_ctl_counted(struct masqd *d, int argc, char *const *argv,
			struct masq_text *out, int *st)
{
	size_t n = masq_engine_rule_counters(d->e, NULL, 0);
	uint64_t *v = calloc(3 * n + 1, sizeof(*v));
	uint64_t *own = v, *sum = v + n, *tmp = v + 2 * n;
	int ret;

	if (!v)
		return -ENOMEM;
	ret = counters_add_up(d, own, sum, tmp, n);
	if (!ret)
		ret = masq_engine_rule_counters_set(d->e, sum, n);
	if (!ret) {
		*st = masq_engine_ctl(d->e, argc, argv, out);
		if (counters_give_back(d, own, sum, tmp, n))	/* -Z, --zero */
			ret = run_on_the_others(d, argc, argv, *st);
	}
	free(v);
	return ret;
}
