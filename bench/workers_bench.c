// SPDX-License-Identifier: MIT
/*
 * workers_bench.c - two workers on two cores against one, in memory
 *
 * Prints "bench NAME VALUE UNIT":
 *
 *   est_1m_workers1        established packets a second of one engine
 *                          (worker 0 of 1) holding 1,000,000 connections,
 *                          one thread pinned to CPU 0 and then to CPU 1:
 *                          the mean of the two (on a shared machine one
 *                          CPU takes more of the interrupts than the
 *                          other: est_1m_workers1_cpu0, _cpu1)
 *   est_1m_workers2        the same million split between two engines,
 *                          workers 0 and 1 of 2 (each 500,000 connections
 *                          and its slice of ports, src/engine/worker.c),
 *                          one thread each pinned to CPUs 0 and 1 and
 *                          started together: the sum of their rates
 *   ratio_workers2_vs_1    the second over the first: the median of the
 *                          rounds' ratios, each round one worker on CPU
 *                          0, two workers, one worker on CPU 1
 *   ratio_workers2_vs_1_wall  the same from wall time (frame writing
 *                          included, the slower thread's end): a check
 *                          that the two threads really ran at once
 *   ratio_workers2_vs_1_cputime  the same from each thread's own CPU
 *                          time (CLOCK_THREAD_CPUTIME_ID, frame writing
 *                          included): what the cores do while they run,
 *                          without the time other processes took them
 *                          (on a shared machine the two threads then
 *                          overlap less, so contention between them is
 *                          seen less)
 *
 * The per-packet work is engine_bench's est_*_1m: 64-byte TCP ACKs of
 * established connections, half inside to out and half their replies,
 * 64 frames a batch, visiting the connections in a random order, frames
 * written from tuples laid out in that order; only masq_engine_input() is
 * timed. Connection i of a table: internal endpoint i / 16 (250 hosts x
 * 250 ports), destination i % 16, as engine_bench's 1m table; worker k
 * gets the connections masq_steer() gives it: outbound by the slice of
 * the inside source port, (p >> 1) % n, so with two workers the ports
 * 20000-20249 alternate by pairs and each worker's 31,250 endpoints fit
 * its slice of one address's ports (32,256).
 *
 *   ratio_alu_2cpus_vs_1   a register-only loop (no memory) on both
 *                          CPUs at once over one alone, the same way:
 *                          near 2 when the two vCPUs are separate cores,
 *                          near 1 to 1.3 when they are hyperthreads of
 *                          one (or share one on the host)
 *
 * On a machine whose two vCPUs share a core the ratio says so: near 1.2
 * rather than near 2; the ALU figure tells that from a memory bound.
 *
 * workers_bench [--quick] [--rounds N]
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "masq/engine.h"
#include "../tests/lib/ctlline.h"
#include "lib.h"
#include "engine/pkt.h"

#define BATCH		64
#define DESTS		16
#define HOSTS		250
#define ROUNDS_MAX	15

static uint32_t hosts[HOSTS];		/* inside addresses, network order */

struct tuple {
	uint32_t src, dst;
	uint16_t sport, dport;
};

/* One worker: its engine, its connections, its thread's figures */
struct worker {
	struct masq_pool *pool;
	struct masq_engine *e;
	uint32_t n;			/* connections */
	struct tuple *conn;		/* inside to out, per connection */
	uint16_t *ext;			/* external port, learned */
	struct tuple *wire[2];		/* per direction, in visiting order */
	uint32_t ext_addr;
	int cpu;
	uint64_t packets;		/* to send this round */
	double engine_s, wall_s, cpu_s;	/* this round */
	pthread_barrier_t *start;
};

/* A 64-byte TCP frame of tuple @t (no payload) into @b */
static void frame_of(struct masq_buf *b, int iface, const struct tuple *t,
		     uint8_t flags)
{
	bench_frame_tcp(b, iface, t->src, t->dst, t->sport, t->dport, flags);
}

static struct tuple reply_of(const struct worker *w, uint32_t c)
{
	return (struct tuple){ w->conn[c].dst, w->ext_addr, w->conn[c].dport,
			       w->ext[c] };
}

/*
 * One batch through the engine; @learn: note the external ports of
 * connections @ids. Return: frames forwarded; engine seconds in @spent
 */
static uint32_t batch(struct worker *w, struct masq_buf **in, uint32_t n,
		      uint64_t now, double *spent, const uint32_t *ids)
{
	struct masq_buf *out[4 * BATCH];
	struct masq_txq tx = { out, 0, 4 * BATCH };
	double t0 = bench_now_s();

	masq_engine_input(w->e, in, n, now, &tx);
	*spent += bench_now_s() - t0;
	for (uint32_t i = 0; i < tx.n; i++) {
		if (ids && i < n) {
			const struct tcp_hdr *th = (const struct tcp_hdr *)
				(out[i]->data + ETH_HLEN + 20);

			w->ext[ids[i]] = th->sport;
		}
		masq_pool_put(w->pool, out[i]);
	}
	return tx.n;
}

/* Open every connection: SYN out, SYN+ACK in, ACK out */
static void establish(struct worker *w)
{
	static const uint8_t flags[3] = { TCP_SYN, TCP_SYN | TCP_ACK, TCP_ACK };
	uint32_t ids[BATCH];
	struct masq_buf *in[BATCH];
	double spent = 0;

	for (int step = 0; step < 3; step++)
		for (uint32_t i = 0; i < w->n; i += BATCH) {
			uint32_t k = w->n - i < BATCH ? w->n - i : BATCH;

			for (uint32_t j = 0; j < k; j++) {
				struct tuple t = step == 1 ? reply_of(w, i + j)
							   : w->conn[i + j];

				ids[j] = i + j;
				in[j] = masq_pool_get(w->pool);
				frame_of(in[j], step == 1, &t, flags[step]);
			}
			batch(w, in, k, 1000000000ull, &spent,
			      step == 0 ? ids : NULL);
		}
	if (masq_engine_conn_count(w->e) != w->n) {
		fprintf(stderr, "workers_bench: %u of %u connections\n",
			masq_engine_conn_count(w->e), w->n);
		exit(1);
	}
}

static void engine_setup(struct worker *w, uint32_t max, uint32_t k,
			 uint32_t nw)
{
	struct masq_limits lim = { .max_conns = max, .max_neigh = 4096,
				   .seed = 42 };

	w->pool = masq_pool_create(8 * BATCH, 2048);
	w->e = w->pool ? masq_engine_create(&lim, w->pool) : NULL;
	if (!w->e || masq_engine_set_worker(w->e, k, nw)) {
		fprintf(stderr, "workers_bench: engine %u of %u\n", k, nw);
		exit(1);
	}
	bench_topology(w->e);
	for (uint32_t h = 0; h < HOSTS && hosts[h]; h++)
		ctlline_must(w->e, "neigh add 10.1.%u.%u lladdr 02:6d:71:00:01:02 dev lan0",
		    ntohl(hosts[h]) >> 8 & 255, ntohl(hosts[h]) & 255);
	inet_pton(AF_INET, "203.0.113.1", &w->ext_addr);
}

/*
 * Worker @k of @nw with its share of the million connections: those
 * masq_steer() gives it (by the slice of their inside source port)
 */
static void worker_open(struct worker *w, uint32_t total, uint32_t k,
			uint32_t nw, int cpu)
{
	struct masq_steer *st = bench_calloc(1, sizeof(*st));
	struct masq_buf *probe;
	uint32_t *order, n = 0;

	memset(w, 0, sizeof(*w));
	w->cpu = cpu;
	engine_setup(w, total / nw + total / nw / 4 + 1024, k, nw);
	if (masq_engine_steer_conf(w->e, nw, st)) {
		fprintf(stderr, "workers_bench: steer conf\n");
		exit(1);
	}
	probe = masq_pool_get(w->pool);
	w->conn = bench_calloc(total, sizeof(*w->conn));
	for (uint32_t i = 0; i < total; i++) {
		uint32_t ep = i / DESTS;
		struct tuple t = { hosts[ep % HOSTS],
				   htonl(0xc6336400u | (i % DESTS + 1)),
				   htons((uint16_t)(20000 + ep / HOSTS)),
				   htons(443) };

		frame_of(probe, 0, &t, TCP_ACK);
		if (masq_steer(st, probe) == k)
			w->conn[n++] = t;
	}
	masq_pool_put(w->pool, probe);
	free(st);
	w->n = n;
	w->ext = bench_calloc(n, sizeof(*w->ext));
	establish(w);
	order = bench_shuffled(n, 7 + k);
	for (int dir = 0; dir < 2; dir++) {
		w->wire[dir] = bench_calloc(n, sizeof(struct tuple));
		for (uint32_t i = 0; i < n; i++)
			w->wire[dir][i] = dir ? reply_of(w, order[i])
					      : w->conn[order[i]];
	}
	free(order);
}

static void worker_close(struct worker *w)
{
	masq_engine_destroy(w->e);
	masq_pool_destroy(w->pool);
	free(w->conn);
	free(w->ext);
	free(w->wire[0]);
	free(w->wire[1]);
}

/* @w->packets established packets, half each way, as one thread */
static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct masq_buf *in[BATCH];
	cpu_set_t cpus;
	uint64_t done = 0, sent = 0;
	uint32_t pos = 0;
	double wall;

	CPU_ZERO(&cpus);
	CPU_SET(w->cpu, &cpus);
	pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);
	pthread_barrier_wait(w->start);
	wall = bench_now_s();
	w->cpu_s = bench_clock_s(CLOCK_THREAD_CPUTIME_ID);
	w->engine_s = 0;
	while (done < w->packets) {
		int dir = (int)(done / w->n % 2);
		uint32_t k = w->n - pos < BATCH ? w->n - pos : BATCH;

		for (uint32_t j = 0; j < k; j++) {
			in[j] = masq_pool_get(w->pool);
			frame_of(in[j], dir, &w->wire[dir][pos + j], TCP_ACK);
		}
		sent += batch(w, in, k, 1000000000ull, &w->engine_s, NULL);
		done += k;
		pos = (pos + k) % w->n;
	}
	w->wall_s = bench_now_s() - wall;
	w->cpu_s = bench_clock_s(CLOCK_THREAD_CPUTIME_ID) - w->cpu_s;
	if (sent != done) {
		fprintf(stderr, "workers_bench: %llu of %llu forwarded\n",
			(unsigned long long)sent, (unsigned long long)done);
		exit(1);
	}
	return NULL;
}

/*
 * Run @nw workers at once for @packets in all (shared in proportion to
 * their connections); engine-only and wall-time packet rates
 */
static void round_run(struct worker *ws, uint32_t nw, uint64_t packets,
		      double *engine_pps, double *wall_pps, double *cpu_pps)
{
	pthread_t th[2];
	pthread_barrier_t start;
	uint32_t total = 0;
	double wall = 0;

	for (uint32_t k = 0; k < nw; k++)
		total += ws[k].n;
	pthread_barrier_init(&start, NULL, nw);
	*engine_pps = 0;
	*cpu_pps = 0;
	for (uint32_t k = 0; k < nw; k++) {
		ws[k].packets = packets * ws[k].n / total;
		ws[k].start = &start;
		if (pthread_create(&th[k], NULL, worker_run, &ws[k])) {
			fprintf(stderr, "workers_bench: pthread_create\n");
			exit(1);
		}
	}
	for (uint32_t k = 0; k < nw; k++) {
		pthread_join(th[k], NULL);
		*engine_pps += ws[k].packets / ws[k].engine_s;
		*cpu_pps += ws[k].packets / ws[k].cpu_s;
		if (ws[k].wall_s > wall)
			wall = ws[k].wall_s;
	}
	*wall_pps = 0;
	for (uint32_t k = 0; k < nw; k++)
		*wall_pps += ws[k].packets;
	*wall_pps /= wall;
	pthread_barrier_destroy(&start);
}

/*
 * The inside hosts: HOSTS addresses from 10.1.0.2. Which worker holds a
 * connection is steering's choice by its source port (worker_open()),
 * so every host has connections on every worker.
 */
static void pick_hosts(void)
{
	for (uint32_t h = 0; h < HOSTS; h++)
		hosts[h] = htonl(0x0a010000u | (h + 2));
}

/* A register-only loop on one pinned CPU: iterations a second */
struct alu {
	int cpu;
	double rate;
	pthread_barrier_t *start;
};

static void *alu_run(void *arg)
{
	struct alu *a = arg;
	cpu_set_t cpus;
	uint64_t x = 1, iters = 200000000;
	double t;

	CPU_ZERO(&cpus);
	CPU_SET(a->cpu, &cpus);
	pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);
	pthread_barrier_wait(a->start);
	t = bench_now_s();
	for (uint64_t i = 0; i < iters; i++)
		x = x * 6364136223846793005ull + i;	/* a dependent chain */
	t = bench_now_s() - t;
	__asm__ volatile("" : : "r"(x));
	a->rate = iters / t;
	return NULL;
}

/*
 * The sum of @n (1 or 2) ALU loops' rates, on CPUs 0 and 1 at once; one
 * loop: on @cpu
 */
static double alu_rate(int n, int cpu)
{
	struct alu a[2] = { { .cpu = cpu }, { .cpu = 1 } };
	pthread_barrier_t start;
	pthread_t th[2];
	double sum = 0;

	pthread_barrier_init(&start, NULL, (unsigned)n);
	for (int k = 0; k < n; k++) {
		a[k].start = &start;
		pthread_create(&th[k], NULL, alu_run, &a[k]);
	}
	for (int k = 0; k < n; k++) {
		pthread_join(th[k], NULL);
		sum += a[k].rate;
	}
	pthread_barrier_destroy(&start);
	return sum;
}

int main(int argc, char **argv)
{
	uint32_t total = 62500 * DESTS;
	uint64_t packets = 4000000;
	int rounds = 3;
	struct worker one, two[2];
	double r1[ROUNDS_MAX], r2[ROUNDS_MAX], ratio[ROUNDS_MAX];
	double w1[ROUNDS_MAX], w2[ROUNDS_MAX], wratio[ROUNDS_MAX];
	double alu[ROUNDS_MAX], c0[ROUNDS_MAX], c1[ROUNDS_MAX];
	double cratio[ROUNDS_MAX];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			packets = 2000000;
		} else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) {
			rounds = atoi(argv[++i]);
			if (rounds < 1 || rounds > ROUNDS_MAX)
				rounds = 3;
		} else if (argv[i][0] != '-' && strcmp(argv[i], "workers")) {
			return 0;	/* another bench's figure asked for */
		}
	}
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		printf("SKIP bench workers: one CPU online\n");
		return 0;
	}
	pick_hosts();
	worker_open(&one, total, 0, 1, 0);
	worker_open(&two[0], total, 0, 2, 0);
	worker_open(&two[1], total, 1, 2, 1);
	printf("bench workers2_split %u/%u conn\n", two[0].n, two[1].n);
	for (int r = 0; r < rounds; r++) {
		double e0, e1, wa, wb, ca, cb, c2;

		one.cpu = 0;
		round_run(&one, 1, packets, &e0, &wa, &ca);
		round_run(two, 2, packets, &r2[r], &w2[r], &c2);
		one.cpu = 1;
		round_run(&one, 1, packets, &e1, &wb, &cb);
		cratio[r] = 2 * c2 / (ca + cb);
		c0[r] = e0;
		c1[r] = e1;
		r1[r] = (e0 + e1) / 2;
		w1[r] = (wa + wb) / 2;
		ratio[r] = r2[r] / r1[r];
		wratio[r] = w2[r] / w1[r];
		alu[r] = 2 * alu_rate(2, 0) / (alu_rate(1, 0) + alu_rate(1, 1));
	}
	printf("bench est_1m_workers1_cpu0 %.0f pps\n", bench_median(c0, rounds));
	printf("bench est_1m_workers1_cpu1 %.0f pps\n", bench_median(c1, rounds));
	printf("bench est_1m_workers1 %.0f pps\n", bench_median(r1, rounds));
	printf("bench est_1m_workers2 %.0f pps\n", bench_median(r2, rounds));
	printf("bench ratio_workers2_vs_1 %.2f x\n", bench_median(ratio, rounds));
	printf("bench ratio_workers2_vs_1_wall %.2f x\n", bench_median(wratio, rounds));
	printf("bench ratio_workers2_vs_1_cputime %.2f x\n", bench_median(cratio, rounds));
	printf("bench ratio_alu_2cpus_vs_1 %.2f x\n", bench_median(alu, rounds));
	worker_close(&one);
	worker_close(&two[0]);
	worker_close(&two[1]);
	return 0;
}
