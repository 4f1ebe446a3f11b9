/* SPDX-License-Identifier: MIT */
/*
 * metrics.h - masqd --metrics ADDR:PORT: a Prometheus text endpoint,
 *	       served by a thread of its own (metrics.c says how)
 */
#ifndef MASQD_METRICS_H
#define MASQD_METRICS_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "masq/engine.h"

#define METRICS_MAX_CLIENTS	8	/* scrapers at once; more wait */
#define METRICS_REQ_MAX		4096	/* bytes of a request's head */
#define METRICS_IDLE_MS		5000	/* a client's time to ask and read */
#define METRICS_DEFAULT_ADDR	"127.0.0.1"

/**
 * struct metrics - the endpoint
 * @addr:	where it listens (network order), set by metrics_parse_addr()
 * @on:		--metrics was given
 * @lfd:	listening socket
 * @stopfd:	eventfd: the loop tells the thread to stop
 * @thread:	the server
 * @mu:		guards @stats and @rules (the published snapshot)
 * @stats:	the last `stats` text the loop published
 * @rules:	the last `iptables-save -c` text ("" when there is none)
 * @published:	snapshots published; @skipped: not, the thread held @mu
 * @scrapes:	answers sent (the thread's; read for stats only)
 */
struct metrics {
	struct sockaddr_in addr;
	bool on;
	int lfd, stopfd;
	pthread_t thread;
	pthread_mutex_t mu;
	struct masq_text stats, rules;
	uint64_t published, skipped;
	uint64_t scrapes;
};

int metrics_parse_addr(const char *arg, struct sockaddr_in *sa);
int metrics_listen(struct metrics *m);
int metrics_run(struct metrics *m);
void metrics_publish(struct metrics *m, const struct masq_text *stats,
		     const struct masq_text *rules);
void metrics_stop(struct metrics *m);
void metrics_render(const char *stats, size_t slen, const char *rules,
		    size_t rlen, struct masq_text *out);

#endif
