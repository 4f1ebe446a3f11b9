/* SPDX-License-Identifier: MIT */
/*
 * workers.h - masqd --workers N: n engines, one packet thread each
 *
 * Worker 0 is the loop thread (loop.c) with the daemon's own engine,
 * pool and ports; workers 1..n-1 are threads of workers.c, each with its
 * own engine, pool, tx vector and AF_PACKET socket per interface, all of
 * an interface's sockets in one PACKET_FANOUT group. src/masqd/workers.c
 * says how frames reach their owner and how commands reach every engine.
 * With n = 1 (the default) nothing here runs on the packet path.
 */
#ifndef MASQD_WORKERS_H
#define MASQD_WORKERS_H

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "control/reload.h"
#include "io/afpacket.h"
#include "io/afxdp.h"
#include "masq/engine.h"
#include "masq/handoff.h"
#include "masqd/options.h"

struct masqd;

/**
 * struct mworker - one worker
 * @d:		the daemon (read only from threads 1..n-1: its port maps)
 * @k:		this worker's number
 * @e:		its engine (worker 0: the daemon's)
 * @pool:	its buffers (worker 0: the daemon's)
 * @ports:	its sockets, one per owned interface (worker 0: the
 *		daemon's)
 * @own:	... storage for workers 1..n-1
 * @xports:	its AF_XDP ports (--io afxdp), one per owned interface: its
 *		queues' sockets (worker 0: the daemon's)
 * @xown:	... storage for workers 1..n-1
 * @tx:		frames its engine wants sent (worker 0: unused)
 * @scratch:	one port's share of @tx
 * @lock:	held by the worker around each iteration; the control
 *		thread takes it to run a command on @e
 * @pause:	the control thread wants @lock: do not take it again
 * @sleeping:	the worker is in poll(): a producer writes @efd
 * @efd:	eventfd: frames were handed to this worker
 * @thread:	its thread (1..n-1)
 * @running:	@thread was started
 * @cpu:	the CPU it is pinned to (-1: none)
 * @rl:		the -c file on its engine (workers 1..n-1; worker 0's is
 *		the daemon's): each engine's reload knows what it holds
 * @st:		its counters, written by the worker alone
 */
struct mworker {
	struct masqd *d;
	uint32_t k;
	struct masq_engine *e;
	struct masq_pool *pool;
	struct afp_port *ports;
	struct afp_port own[MASQD_MAX_IFACES];
	struct afxdp_port *xports;
	struct afxdp_port xown[MASQD_MAX_IFACES];
	struct masq_txq tx;
	struct masq_buf **scratch;
	pthread_mutex_t lock;
	_Atomic bool pause;
	_Atomic bool sleeping;
	int efd;
	pthread_t thread;
	bool running;
	int cpu;
	struct reload rl;
	bool rl_init;
	_Atomic uint64_t st_wakes;	/* eventfd writes to it */
	uint64_t st_woken;		/* ... it read (its own) */
	struct {
		_Atomic uint64_t handed_out, handed_in, handoff_full,
				 copy_failed, tx_no_port, twin_out, tx_via0;
	} st;
};

/**
 * struct workers - all of them, and what they share
 * @n:		workers (1: the default; nothing below is used)
 * @w:		the workers
 * @steer:	the steering picture; rewritten only while every worker
 *		is paused (workers_ctl()), read by all
 * @ring:	@ring[i][j]: frames worker i received that are j's
 * @back:	@back[j][i]: i's buffers j has copied, for i to put back
 * @twin:	@twin[k]: frames worker k's engine sent to a twin, for
 *		worker 0 to write (the twins are its)
 * @stop:	threads leave
 * @group:	the fanout group of each interface
 */
struct workers {
	uint32_t n;
	struct mworker *w[MASQD_MAX_WORKERS];
	struct masq_steer *steer;
	struct masq_handoff *ring[MASQD_MAX_WORKERS][MASQD_MAX_WORKERS];
	struct masq_handoff *back[MASQD_MAX_WORKERS][MASQD_MAX_WORKERS];
	struct masq_handoff *twin[MASQD_MAX_WORKERS];
	_Atomic bool stop;
	uint16_t group[MASQD_MAX_IFACES];
	char *gaps;		/* the port ranges last warned of (wctl.c) */
};

int workers_create(struct masqd *d, const struct masq_limits *lim,
		   uint32_t bufs, uint32_t buf_size);
int workers_open_ports(struct masqd *d, const struct afp_config *cfg, int i);
int workers_start(struct masqd *d);
void workers_stop(struct masqd *d);
void workers_destroy(struct masqd *d);

uint32_t workers_sort(struct masqd *d, struct masq_buf **bufs, uint32_t n);
void workers_take(struct masqd *d, uint64_t now);
int workers_pollfds(struct masqd *d, struct pollfd *pfd, int n);
bool workers_idle(struct masqd *d, uint32_t k, bool on);

void workers_flush_tx(struct masqd *d);
void workers_give(struct masqd *d, uint32_t k, struct masq_buf *b);
void workers_pause(struct masqd *d, uint32_t k);
void workers_resume(struct masqd *d, uint32_t k);
void workers_pause_all(struct masqd *d);
void workers_resume_all(struct masqd *d);
int workers_ctl(struct masqd *d, int argc, char *const *argv,
		struct masq_text *out);
int workers_ctl_counted(struct masqd *d, int argc, char *const *argv,
			struct masq_text *out, int *st);
int workers_list(struct masqd *d, int argc, char *const *argv,
		 struct masq_text *out, void **stream);
int workers_list_next(struct masqd *d, void *stream, struct masq_text *out);
void workers_list_free(struct masqd *d, void *stream);
bool workers_list_live(struct masqd *d, void *stream);
void workers_steer_refresh(struct masqd *d);
void workers_warn_gaps(struct masqd *d, const char *when);
void workers_stats(struct masqd *d, struct masq_text *out);
void workers_port_stats(struct masqd *d, int i, struct afp_stats *sum);
void workers_port_xdp_stats(struct masqd *d, int i, struct masq_text *out);
int workers_reload_init(struct masqd *d, const struct masq_limits *lim);
struct reload *workers_rl(struct masqd *d, uint32_t k);

struct rulesrun;
int wtxn_begin(struct masqd *d);
void wtxn_drop(struct rulesrun *r);
int wtxn_do(struct masqd *d, int argc, char *const *argv,
	    struct masq_text *out);
int workers_snapshot(struct masqd *d, const struct masq_snap_info *info,
		     struct masq_text *out);
int workers_restore(struct masqd *d, const void *data, size_t len,
		    struct masq_snap_info *info);
uint32_t workers_conn_count(struct masqd *d);

int text_sum(struct masq_text *acc, size_t off, const char *add);

#endif
