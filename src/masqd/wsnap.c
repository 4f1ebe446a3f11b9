// SPDX-License-Identifier: MIT
/*
 * wsnap.c - the restart's state file with --workers N: every engine's
 *
 * handover.c writes and loads the state file; this file gives it the
 * bytes of all n engines and loads them into all n, so a restart keeps
 * connections whatever --workers the predecessor and the successor run
 * with (N = 2 to 1, 1 to 2, 2 to 2).
 *
 *	save	after workers_stop(): no worker runs, so the engines are
 *		read without their locks and forwarding stops no longer
 *		than with one engine (it has stopped already). One file,
 *		the engines' records one after the other
 *		(masq_engines_snapshot()); nothing in it says which worker
 *		wrote a record.
 *	load	before workers_start(), the engines configured: the
 *		steering picture of the new count is taken, and each
 *		engine loads the records it owns now
 *		(masq_engine_restore_worker(): a connection on the worker
 *		its packets from outside are steered to, a mapping on the
 *		worker of its port's slice). The counts of the n loads
 *		are added.
 *
 * Limit: a connection whose external port is in another slice than its
 * owner's under the new count is skipped (counted): with one worker a
 * masqueraded connection whose port was changed, or an FTP control
 * connection (steered by the client), may hold a port of any slice.
 *
 * With n = 1 these are the engine's own calls.
 */
#include <errno.h>
#include <stdlib.h>

#include "masqd/masqd.h"
#include "masqd/workers.h"

/**
 * workers_snapshot() - Every engine's connections as one state file
 * @d:		daemon, the workers stopped
 * @info:	boot id, version, now, flags
 * @out:	the bytes, appended
 *
 * Return: 0, or -ENOMEM
 */
int workers_snapshot(struct masqd *d, const struct masq_snap_info *info,
		     struct masq_text *out)
{
	const struct masq_engine *e[MASQD_MAX_WORKERS];
	uint32_t n = d->wk.n > 1 ? d->wk.n : 1;

	if (n == 1)
		return masq_engine_snapshot(d->e, info, out);
	for (uint32_t k = 0; k < n; k++)
		e[k] = d->wk.w[k]->e;
	return masq_engines_snapshot(e, n, info, out);
}

/* Add one worker's load counts to the sum */
static void add_counts(struct masq_snap_info *sum,
		       const struct masq_snap_info *one)
{
	sum->conns += one->conns;
	sum->maps += one->maps;
	sum->expects += one->expects;
	sum->autofw += one->autofw;
	sum->skipped += one->skipped;
}

/* Load into every engine, worker 0 first; Return: as masq_engine_restore() */
static int restore_each(struct masqd *d, const struct masq_steer *s,
			const void *data, size_t len,
			struct masq_snap_info *info)
{
	struct masq_snap_info sum = *info, one;
	int ret = 0;

	for (uint32_t k = 0; k < d->wk.n && !ret; k++) {
		one = *info;
		ret = masq_engine_restore_worker(d->wk.w[k]->e, data, len,
						 &one, s);
		if (ret) {
			*info = one;	/* the reason; the first engine's
					 * refusal leaves all as they were */
			return ret;
		}
		add_counts(&sum, &one);
		sum.written_ns = one.written_ns;
		sum.flags = one.flags;
	}
	*info = sum;
	return 0;
}

/**
 * workers_restore() - Load a state file into the engines that own it now
 * @d:		daemon, every engine configured, no worker started
 * @data:	the file's bytes (hostile)
 * @len:	their length
 * @info:	in: boot id, version, now; out: the counts over the
 *		engines, or why the file was refused
 *
 * A refused file is refused by worker 0's load, before any engine is
 * changed (each load checks the whole file first).
 * Return: 0, -EINVAL (refused: @info->why) or -ENOMEM
 */
int workers_restore(struct masqd *d, const void *data, size_t len,
		    struct masq_snap_info *info)
{
	struct masq_steer *s;
	int ret;

	if (d->wk.n <= 1)
		return masq_engine_restore(d->e, data, len, info);
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	ret = masq_engine_steer_conf(d->e, d->wk.n, s);
	if (!ret)
		ret = restore_each(d, s, data, len, info);
	free(s);
	return ret;
}

/**
 * workers_conn_count() - Connections over every engine
 * @d:		daemon
 *
 * Return: the sum of the engines' counts
 */
uint32_t workers_conn_count(struct masqd *d)
{
	uint32_t n = 0;

	if (d->wk.n <= 1)
		return masq_engine_conn_count(d->e);
	for (uint32_t k = 0; k < d->wk.n; k++)
		n += masq_engine_conn_count(d->wk.w[k]->e);
	return n;
}
