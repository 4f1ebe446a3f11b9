// SPDX-License-Identifier: MIT
/*
 * command.c - run a control command for a client of the control socket
 *
 * Everything goes to the engine. A ruleset change it can build as a job
 * (engine.h) is started on the worker thread (job.c) and the reply comes
 * when it is finished (CTLSRV_PENDING); a walk of the connection table
 * (masq -L, conntrack -L/-F) is answered chunk by chunk as the client
 * reads (CTLSRV_STREAM, the engine's masq_ctl_list cursor), and conntrack
 * -E's events as they come (CTLSRV_LISTEN, the same cursor); the rest runs
 * at once with masq_engine_ctl(). masqd adds what only it knows to
 * one listing: `stats` gets the I/O counters of each port (ring drops
 * the kernel reports, truncated frames, refused transmits) and of the
 * loop, as "io_IFACE_NAME VALUE" and "masqd_NAME VALUE" lines in the
 * engine's two-column format; `show settings` gets masqd's own setting,
 * the origdst user, which `set origdst-user` changes (ctlperm.h), and
 * the last reload's outcome (config.c). `reload` is masqd's own too: the
 * -c file reloaded as on SIGHUP, answered when it is in effect.
 *
 * --metrics (metrics.h) is fed from here too: once a second the loop
 * publishes the same `stats` text, the fragments held (every worker's),
 * and the rule counters (`iptables-save -c`, when the ruleset is
 * iptables' and no job is building a new one), for the metrics thread
 * to render.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "masqd/log.h"
#include "masqd/masqd.h"
#include "masqd/port.h"
#ifdef MASQD_DEBUG
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

static void line(struct masq_text *out, const char *a, const char *b,
		 unsigned long long v)
{
	char name[64];

	snprintf(name, sizeof(name), "%s%s", a, b);
	masq_text_printf(out, "%-28s %llu\n", name, v);
}

/* Log lines not written: in all, per class, and for a full ring (log.h) */
static void log_lines(struct masq_text *out)
{
	struct log_stats st;

	log_get_stats(&st);
	line(out, "masqd_log_suppressed", "", log_suppressed());
	line(out, "masqd_log_suppressed_daemon", "",
	     st.over_rate[LOG_CLASS_DAEMON] + st.queue_full[LOG_CLASS_DAEMON]);
	line(out, "masqd_log_suppressed_rules", "",
	     st.over_rate[LOG_CLASS_RULES] + st.queue_full[LOG_CLASS_RULES]);
	line(out, "masqd_log_queue_full", "",
	     st.queue_full[LOG_CLASS_DAEMON] + st.queue_full[LOG_CLASS_RULES]);
}

static void io_stats(struct masqd *d, struct masq_text *out)
{
	char pfx[IF_NAMESIZE + 8];

	line(out, "masqd_tx_no_port", "", d->tx_no_port);
	line(out, "masqd_control_commands", "", d->ctl.commands);
	line(out, "masqd_control_listings", "", d->ctl.streams);
	line(out, "masqd_control_rejected", "", d->ctl.rejected);
	line(out, "masqd_control_too_large", "", d->ctl.too_large);
	line(out, "masqd_control_idle_closed", "", d->ctl.idle_closed);
	line(out, "masqd_control_evicted", "", d->ctl.evicted);
	line(out, "masqd_control_denied", "", d->ctl.perm.denied);
	line(out, "masqd_control_memory_waits", "", d->ctl.starved_reads);
	line(out, "masqd_control_memory", "", ctlsrv_memory(&d->ctl));
	line(out, "masqd_control_jobs", "", d->job.started);
	log_lines(out);
	line(out, "masqd_rules_runs", "", d->run.begun);
	line(out, "masqd_rules_runs_committed", "", d->run.committed);
	line(out, "masqd_rules_runs_aborted", "", d->run.aborted);
	line(out, "masqd_rules_runs_expired", "", d->run.expired);
	line(out, "masqd_reloads", "", d->rl.loads ? d->rl.loads - 1 : 0);
	line(out, "masqd_reload_failures", "", d->rl.failures);
	line(out, "masqd_takeover_changes", "", d->to.drifts);
	line(out, "masqd_takeover_reapplied", "", d->to.reapplied);
	twin_stats(d, out);
	hostwatch_stats(d, out);
	workers_stats(d, out);	/* --workers N: the hand-off's */
	wjob_stats(d, out);	/* ... and what they took in during jobs */
	for (int i = 0; i < d->o.nifaces; i++) {
		const struct afp_stats *s = port_stats(d, i);
		const char *name = port_name(d, i);
		struct afp_stats sum;

		port_stats_poll(d, i);
		if (d->wk.n > 1) {	/* every worker's socket, added */
			workers_port_stats(d, i, &sum);
			s = &sum;
		}
		snprintf(pfx, sizeof(pfx), "io_%s_", name);
#define IO(field) line(out, pfx, #field, s->field)
		IO(rx_frames);
		IO(rx_bytes);
		IO(ring_drops);
		IO(rx_copied);
		IO(rx_truncated);
		IO(rx_too_big);
		IO(rx_no_buf);
		IO(tx_frames);
		IO(tx_kicks);
		IO(tx_bytes);
		IO(tx_failed);
		IO(sock_errors);
#undef IO
		line(out, pfx, "gro_segments", d->gro[i].segments);
		line(out, pfx, "gro_super_frames", d->gro[i].super_frames);
		line(out, pfx, "gro_csum_bad", d->gro[i].csum_bad);
		if (s->tx_failed)
			masq_text_printf(out, "io_%s_tx_last_error %s\n",
					 name, strerror(s->tx_last_errno));
		workers_port_xdp_stats(d, i, out);	/* AF_XDP's own */
	}
}

_Static_assert(MASQ_CTL_MORE == CTLSRV_MORE, "a walk's chunks are a stream's");

/**
 * run_command() - Run one command from the control socket
 * @d:		the daemon
 * @argc:	number of words
 * @argv:	the words
 * @out:	reply text
 * @stream:	set to the engine's walk when the command is one
 *
 * The control server runs no command while one is pending, so no job runs
 * here.
 *
 * Return: the command's exit status (0, 1 failure, 2 usage error),
 * CTLSRV_PENDING when it runs as a job (@argv is kept until its reply),
 * or CTLSRV_STREAM for a walk (masqd_more() makes its text)
 */
static int run_command(struct masqd *d, int argc, char *const *argv,
		       struct masq_text *out, void **stream)
{
	int st;

	assert(!job_busy(d));
#ifdef MASQD_DEBUG	/* build/debug/masqd only: the seccomp kill, on demand */
	if (argc == 2 && !strcmp(argv[0], "debug") &&
	    !strcmp(argv[1], "forbidden-syscall")) {
		logmsg(LOG_WARNING, "debug forbidden-syscall: calling ptrace()");
		syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0);
		masq_text_printf(out, "ptrace() was allowed: no seccomp filter\n");
		return 1;
	}
#endif
	if (argc >= 1 && !strcmp(argv[0], "txn")) {
		st = rulesrun_command(d, argc, argv, out);
		if (st != RULESRUN_LIVE)
			return st;
		argc -= 3;		/* txn do TOKEN: the rest runs live */
		argv += 3;
	}
	ifwarn_command(&d->ifw, &d->o, argc, argv);
	if (ctlperm_is_command(argc, argv))
		return ctlperm_command(&d->ctl, argc, argv, out);
	if (argc >= 1 && !strcmp(argv[0], "reload"))	/* config.c */
		return config_reload_command(d, argc, argv, out);
	/* a ruleset change beside the loop (--workers N: one per engine) */
	if (job_start(d, argc, argv, out, &st))
		return st;
	if (workers_list(d, argc, argv, out, stream))
		return 1;
	if (*stream)
		return workers_list_live(d, *stream) ? CTLSRV_LISTEN :
		       CTLSRV_STREAM;
	st = workers_ctl(d, argc, argv, out);	/* every engine's */
	if (!st && argc == 1 && !strcmp(argv[0], "stats"))
		io_stats(d, out);
	if (!st && argc == 2 && !strcmp(argv[0], "show") &&
	    !strcmp(argv[1], "settings")) {
		ctlperm_show(&d->ctl.perm, out);
		config_show(d, out);	/* the last reload's outcome */
	}
	return st;
}

/* run_command(), and "no interface NAME (yet)" after it (ifwarn.h) */
static int masqd_command(void *ctx, int argc, char *const *argv,
			 struct masq_text *out, void **stream)
{
	struct masqd *d = ctx;
	int st = run_command(d, argc, argv, out, stream);

	if (st != CTLSRV_PENDING)	/* a job's reply: job.c says it */
		ifwarn_reply(&d->ifw, st, out);
	return st;
}

/* A walk's next chunk: MASQ_CTL_MORE, or its status */
static int masqd_more(void *ctx, void *stream, struct masq_text *out)
{
	struct masqd *d = ctx;

	return workers_list_next(d, stream, out);
}

static void masqd_drop(void *ctx, void *stream)
{
	workers_list_free(ctx, stream);
}

/* What the control server calls (main.c opens it with these) */
const struct ctlsrv_ops masqd_ctl_ops = {
	.run = masqd_command,
	.more = masqd_more,
	.drop = masqd_drop,
};

/**
 * metrics_open() - --metrics: parse its address and listen
 * @d:		daemon
 *
 * Return: 0, or -1 (logged)
 */
int metrics_open(struct masqd *d)
{
	if (metrics_parse_addr(d->o.metrics, &d->met.addr)) {
		logmsg(LOG_ERR, "--metrics '%s': not [ADDR:]PORT (a numeric IPv4 "
		       "address, a port 1-65535)", d->o.metrics);
		return -1;
	}
	return metrics_listen(&d->met);
}

/* The fragments every engine holds: each worker's read while it is paused */
static uint32_t frag_held(struct masqd *d, uint32_t *dgrams)
{
	uint32_t bytes, n;

	bytes = masq_engine_frag_held(d->e, dgrams);
	for (uint32_t k = 1; k < d->wk.n; k++) {
		workers_pause(d, k);
		bytes += masq_engine_frag_held(d->wk.w[k]->e, &n);
		workers_resume(d, k);
		*dgrams += n;
	}
	return bytes;
}

/**
 * metrics_snapshot() - Publish the counters for the metrics thread
 * @d:		daemon
 *
 * Once a second from the loop, and once before it starts. The texts are
 * kept between calls (their memory reused: allocation only when they
 * grow); the publish never waits (metrics_publish()).
 */
void metrics_snapshot(struct masqd *d)
{
	static struct masq_text st, rules;
	static char *save[] = { "iptables-save", "-c", NULL };
	static char *stats[] = { "stats", NULL };
	bool with_rules = !job_busy(d);	/* every worker's: wcount.c */
	uint32_t dgrams, bytes;

	if (d->met.lfd < 0)
		return;
	st.len = rules.len = 0;
	st.oom = rules.oom = 0;
	if (workers_ctl(d, 1, stats, &st))	/* every worker's, added */
		return;
	io_stats(d, &st);
	bytes = frag_held(d, &dgrams);
	line(&st, "frag_held_bytes", "", bytes);
	line(&st, "frag_held_datagrams", "", dgrams);
	line(&st, "masqd_metrics_published", "", d->met.published);
	line(&st, "masqd_metrics_skipped", "", d->met.skipped);
	if (with_rules && workers_ctl(d, 2, save, &rules))
		rules.len = 0;	/* another language's ruleset: no rule counters */
	metrics_publish(&d->met, &st, with_rules ? &rules : NULL);
}
