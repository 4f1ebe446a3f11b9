// SPDX-License-Identifier: MIT
/*
 * test_jobs.c - ruleset jobs on a second thread while packets flow
 *
 * What masqd does (src/masqd/job.c), with the threads made to overlap on
 * purpose: the main thread is the packet thread; for each job it starts
 * masq_ctl_job_run() on a worker thread and pushes batches of frames
 * through masq_engine_input() until the worker is done (two batches at
 * least), then joins it and finishes the job, as the loop does. The
 * packets move rule and policy counters by all three ways the filter has
 * (a walk, fw_count(); a hook memo's replay; the state-decided fast
 * path's flush) while the worker copies those counters.
 *
 * The jobs: rules added and deleted in filter FORWARD and nat PREROUTING
 * (a swap, with the counters carried over), and iptables-save -c with
 * --zero / --zero-all (what the text showed is taken off at the finish).
 * At the end, for each counter, what the saves showed plus what it holds
 * must be exactly the packets (and bytes) sent that it counts: none lost,
 * none counted twice across a swap or a zeroing.
 *
 * Built twice more than the other unit tests: under ASan + UBSan and
 * under ThreadSanitizer (build/tests-tsan/, `make unit-tsan`), where any
 * counter read or written without an atomic while the other thread may
 * touch it is reported as a data race (and the run exits 66).
 *
 * Prints "ok jobs/NAME" or "FAIL jobs/NAME: why" per test.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/ctlline.h"
#include "../lib/frame.h"
#include "../lib/report.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define BATCH_NS	50000ull	/* the clock moves 50 us a batch */

#define BATCH		32
#define EST_FLOWS	8	/* replied: ESTABLISHED, the fast path */
#define NEW_PORTS	1024	/* unreplied flows from 192.168.0.3 */
#define FILLER_RULES	1500	/* a user chain, so a copy takes a while */
#define ROUNDS		42
#define PAYLOAD		20
#define IP_LEN		(20 + 8 + PAYLOAD)	/* what a counter's bytes add */

/* ---- the counters checked, and what they must add up to ----------------- */

enum ctr {
	C_FWD_EST,	/* filter FORWARD rule 1, RELATED,ESTABLISHED: fast path */
	C_FWD_DNS,	/* filter FORWARD -p udp --dport 53: a walk */
	C_MANGLE_PRE,	/* mangle PREROUTING policy: every packet */
	C_MANGLE_POST,	/* mangle POSTROUTING policy: every packet */
	C_NAT_PRE,	/* nat PREROUTING policy: first packets (memo) */
	C_NAT_MASQ,	/* nat POSTROUTING -o wan0 -j MASQUERADE: first ones */
	C_NUM
};

/* Where each counter is in iptables-save -c text */
static const struct {
	const char *table;
	const char *line;	/* a rule's "-A ..." or a chain's ":NAME" */
} ctr_where[C_NUM] = {
	[C_FWD_EST] = { "filter", "-A FORWARD -m state --state "
			"RELATED,ESTABLISHED -j ACCEPT" },
	[C_FWD_DNS] = { "filter",
			"-A FORWARD -p udp -m udp --dport 53 -j ACCEPT" },
	[C_MANGLE_PRE] = { "mangle", ":PREROUTING" },
	[C_MANGLE_POST] = { "mangle", ":POSTROUTING" },
	[C_NAT_PRE] = { "nat", ":PREROUTING" },
	[C_NAT_MASQ] = { "nat", "-A POSTROUTING -o wan0 -j MASQUERADE" },
};

struct tally {
	uint64_t pkts[C_NUM];
};

/* The [packets:bytes] of line @l, if it is counter @c's line */
static bool line_ctr(const char *l, enum ctr c, unsigned long long *p,
		     unsigned long long *b)
{
	const char *want = ctr_where[c].line, *rest;
	size_t n = strlen(want);

	if (*l == ':') {	/* ":CHAIN POLICY [p:b]" */
		rest = strchr(l, '[');
		return !strncmp(l, want, n) && l[n] == ' ' && rest &&
		       sscanf(rest, "[%llu:%llu]", p, b) == 2;
	}
	rest = strchr(l, ' ');	/* "[p:b] -A CHAIN ..." */
	return *l == '[' && rest && !strncmp(rest + 1, want, n) &&
	       (rest[1 + n] == '\n' || !rest[1 + n]) &&
	       sscanf(l, "[%llu:%llu]", p, b) == 2;
}

/*
 * Counter @c in iptables-save -c text @s, into *@pkts. Return: 1 found,
 * 0 not there (its table not printed), -1 its bytes are not its packets'
 */
static int save_ctr(const char *s, enum ctr c, uint64_t *pkts)
{
	char head[32];
	const char *t, *end;
	unsigned long long p, b;

	snprintf(head, sizeof(head), "*%s\n", ctr_where[c].table);
	t = strstr(s, head);
	end = t ? strstr(t, "\nCOMMIT\n") : NULL;
	for (const char *l = t; l && l < end; l = strchr(l, '\n')) {
		if (!line_ctr(++l, c, &p, &b))
			continue;
		*pkts = p;
		/*
		 * A counter's packets and bytes are two relaxed atomics
		 * (fw.c), read here while the loop adds to them: a read may
		 * fall between the two adds of one batch (64 frames), never
		 * further apart, and never off a whole packet's bytes
		 */
		if (b % IP_LEN == 0 &&
		    (b / IP_LEN > p ? b / IP_LEN - p : p - b / IP_LEN) <= 64)
			return 1;
		return report_failf("%s '%s': %llu packets but %llu bytes",
				    ctr_where[c].table, ctr_where[c].line, p, b);
	}
	return 0;
}

/* Add what save text @s shows of every counter to @t; -1 if bytes disagree */
static int tally_add(struct tally *t, const char *s)
{
	for (int c = 0; c < C_NUM; c++) {
		uint64_t p;
		int found = save_ctr(s, c, &p);

		if (found < 0)
			return -1;
		if (found)
			t->pkts[c] += p;
	}
	return 0;
}

/* ---- the packet thread's traffic ---------------------------------------- */

struct lab {
	struct masq_pool *pool;
	struct masq_engine *e;
	uint64_t now;
	bool seen[NEW_PORTS];		/* unreplied flow made */
	uint32_t next_new;
	uint64_t lost;			/* frames in that did not come out */
	struct tally sent;		/* what each counter must have counted */
};

static const uint8_t router_mac[2][6] = {
	{ 2, 0, 0, 0, 1, 1 }, { 2, 0, 0, 0, 2, 1 },
};

/* A UDP frame into buffer @b, arriving on interface @ifidx */
static void udp_frame(struct masq_buf *b, int ifidx, uint32_t saddr,
		      uint16_t sport, uint32_t daddr, uint16_t dport)
{
	static struct frame_spec s;

	frame_spec_udp(&s, saddr, sport, daddr, dport);
	memcpy(s.eth_dst, router_mac[ifidx], 6);
	memset(s.payload, 'j', PAYLOAD);
	s.payload_len = PAYLOAD;
	frame_build(&s, b);
	b->iface = (uint32_t)ifidx;
}

/*
 * Run @n frames through the engine; the ones out go back to the pool, but
 * the first one's mapped source port is returned in *@sport if asked
 */
static uint32_t input(struct lab *l, struct masq_buf **in, uint32_t n,
		      uint16_t *sport)
{
	struct masq_buf *txv[BATCH * 2];
	struct masq_txq tx = { txv, 0, BATCH * 2 };
	struct frame_view v;

	l->now += BATCH_NS;
	masq_engine_input(l->e, in, n, l->now, &tx);
	if (tx.n < n)
		l->lost += n - tx.n;
	if (sport && tx.n) {
		v.inner = NULL;
		*sport = frame_decode(tx.bufs[0]->data, tx.bufs[0]->len,
				      &tx.bufs[0]->meta, &v) && v.has_l4 ?
			 v.sport : 0;
	}
	for (uint32_t i = 0; i < tx.n; i++)
		masq_pool_put(l->pool, tx.bufs[i]);
	return tx.n;
}

/* One frame in, from @ifidx; true when it came out */
static bool one(struct lab *l, int ifidx, uint32_t saddr, uint16_t sport,
		uint32_t daddr, uint16_t dport, uint16_t *mapped)
{
	struct masq_buf *b = masq_pool_get(l->pool);

	if (!b)
		return false;
	udp_frame(b, ifidx, saddr, sport, daddr, dport);
	return input(l, &b, 1, mapped) == 1;
}

/*
 * A batch: established packets (the fast path), unreplied flows' packets
 * and first packets (a walk of FORWARD; PREROUTING and POSTROUTING
 * replay their memo for first ones), counted in @l->sent
 */
static void push_batch(struct lab *l)
{
	struct masq_buf *b[BATCH];
	uint32_t n = 0, first = 0;

	for (; n < BATCH; n++) {
		b[n] = masq_pool_get(l->pool);
		if (!b[n])
			break;
		if (n % 2) {
			udp_frame(b[n], 0, IP4(192, 168, 0, 2),
				  (uint16_t)(5000 + n / 2 % EST_FLOWS),
				  IP4(198, 51, 100, 10), 53);
			l->sent.pkts[C_FWD_EST]++;
			continue;
		}
		udp_frame(b[n], 0, IP4(192, 168, 0, 3),
			  (uint16_t)(20000 + l->next_new), IP4(198, 51, 100, 10), 53);
		if (!l->seen[l->next_new]) {
			l->seen[l->next_new] = true;
			first++;
		}
		l->next_new = (l->next_new + 1) % NEW_PORTS;
		l->sent.pkts[C_FWD_DNS]++;
	}
	l->sent.pkts[C_NAT_PRE] += first;
	l->sent.pkts[C_NAT_MASQ] += first;
	l->sent.pkts[C_MANGLE_PRE] += n;
	l->sent.pkts[C_MANGLE_POST] += n;
	input(l, b, n, NULL);
}

/* ---- set up -------------------------------------------------------------- */

/* A user chain of FILLER_RULES rules nothing jumps to: a copy's bulk */
static int filler(struct masq_engine *e)
{
	struct masq_text t = { 0 };
	struct masq_text out = { 0 };
	char *argv[3] = { "iptables-restore", "--noflush", NULL };
	int rc;

	masq_text_printf(&t, "*filter\n:filler - [0:0]\n");
	for (int i = 0; i < FILLER_RULES; i++)
		masq_text_printf(&t, "-A filler -s 10.%d.%d.0/24 -p tcp "
				 "--dport %d -j DROP\n", i / 256, i % 256,
				 1 + i);
	masq_text_printf(&t, "COMMIT\n");
	argv[2] = t.s;
	rc = t.s ? masq_engine_ctl(e, 3, argv, &out) : -1;
	if (rc)
		report_failf("filler chain refused: %s",
			     out.s ? out.s : "no memory");
	masq_text_free(&t);
	masq_text_free(&out);
	return rc ? -1 : 0;
}

static const char *const setup_cmds[] = {
	"iptables -I FORWARD 2 -p udp --dport 53 -j ACCEPT",
	NULL,
};

/* Replies make EST_FLOWS flows established; then every counter is zeroed */
static int establish(struct lab *l)
{
	static const char *const zero[] = {
		"iptables -Z", "iptables -t nat -Z", "iptables -t mangle -Z", NULL,
	};

	for (int i = 0; i < EST_FLOWS; i++) {
		uint16_t p = 0;

		if (!one(l, 0, IP4(192, 168, 0, 2), (uint16_t)(5000 + i),
			 IP4(198, 51, 100, 10), 53, &p) || !p)
			return report_failf("flow %d: the first packet did "
					    "not pass", i);
		if (!one(l, 1, IP4(198, 51, 100, 10), 53, IP4(203, 0, 113, 1),
			 p, NULL))
			return report_failf("flow %d: the reply to port %u did "
					    "not pass", i, p);
	}
	if (ctlline_run_all(l->e, zero) >= 0)
		return report_failf("zeroing the counters failed");
	return 0;
}

static int lab_up(struct lab *l)
{
	struct masq_limits lim;

	memset(l, 0, sizeof(*l));
	masq_limits_default(&lim);
	l->pool = masq_pool_create(4 * BATCH, 2048);
	l->e = l->pool ? masq_engine_create(&lim, l->pool) : NULL;
	if (!l->e)
		return report_failf("no engine (out of memory?)");
	if (ctlline_run_all(l->e, ctlline_topology) >= 0 ||
	    ctlline_run_all(l->e, setup_cmds) >= 0)
		return report_failf("setup commands failed");
	if (filler(l->e))
		return -1;
	return establish(l);
}

static void lab_down(struct lab *l)
{
	masq_engine_destroy(l->e);
	masq_pool_destroy(l->pool);
}

/* ---- the jobs ------------------------------------------------------------ */

static const char *const job_lines[] = {
	"iptables -A FORWARD -p tcp --dport 9 -j DROP",
	"iptables-save -c -t filter --zero FORWARD",
	"iptables -t nat -I PREROUTING -p tcp --dport 9 -j ACCEPT",
	"iptables-save -c -t mangle --zero-all",
	"iptables -D FORWARD -p tcp --dport 9 -j DROP",
	"iptables-save -c -t nat --zero-all",
	"iptables -t nat -D PREROUTING -p tcp --dport 9 -j ACCEPT",
};
#define NJOBS	(sizeof(job_lines) / sizeof(job_lines[0]))

struct worker {
	struct masq_ctl_job *job;
	int done;			/* __atomic: the worker has returned */
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;

	masq_ctl_job_run(w->job);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Split @line into @argv (words in @buf); Return: the number of words */
static int words(const char *line, char *buf, size_t cap, char **argv)
{
	char *save = NULL;
	int argc = 0;

	snprintf(buf, cap, "%s", line);
	for (char *w = strtok_r(buf, " ", &save); w && argc < 15;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	return argc;
}

/*
 * One job on a worker thread while batches go through the engine here;
 * a save's text is added to @shown. Return: 0, or -1 with why
 */
static int job_round(struct lab *l, const char *line, struct tally *shown,
		     uint32_t *overlap)
{
	struct worker w = { 0 };
	struct masq_text out = { 0 };
	char buf[160], *argv[16];
	int argc = words(line, buf, sizeof(buf), argv), st, rc = 0;
	pthread_t t;
	uint32_t batches = 0;

	w.job = masq_engine_ctl_job(l->e, argc, argv);
	if (!w.job)
		return report_failf("'%s' is not a job", line);
	if (pthread_create(&t, NULL, worker_run, &w)) {
		masq_ctl_job_free(w.job);
		return report_failf("pthread_create failed");
	}
	do {
		push_batch(l);
		batches++;
	} while (batches < 2 || !__atomic_load_n(&w.done, __ATOMIC_ACQUIRE));
	pthread_join(t, NULL);
	*overlap += batches - 1;
	st = masq_engine_ctl_job_finish(l->e, w.job, &out);
	masq_ctl_job_free(w.job);
	if (st)
		rc = report_failf("'%s': status %d: %s", line, st,
				  out.s ? out.s : "");
	else if (!strncmp(line, "iptables-save", 13))
		rc = tally_add(shown, out.s ? out.s : "");
	masq_text_free(&out);
	return rc;
}

/* ---- the tests ----------------------------------------------------------- */

/* Compare what was shown plus what is left with what was sent */
static int check_counts(struct lab *l, struct tally *shown)
{
	struct masq_text t = { 0 };
	int rc = 0;

	if (ctlline_run(l->e, "iptables-save -c", &t) || !t.s)
		return report_failf("the final iptables-save failed");
	for (int c = 0; c < C_NUM && !rc; c++) {
		uint64_t p = 0;
		int found = save_ctr(t.s, c, &p);

		if (!found)
			rc = report_failf("no %s '%s' in iptables-save",
					  ctr_where[c].table, ctr_where[c].line);
		else if (found < 0)
			rc = -1;
		else if (shown->pkts[c] + p != l->sent.pkts[c])
			rc = report_failf("%s '%s': %llu shown by --zero saves "
					  "+ %llu left, but %llu packets were "
					  "sent", ctr_where[c].table,
					  ctr_where[c].line,
					  (unsigned long long)shown->pkts[c],
					  (unsigned long long)p,
					  (unsigned long long)l->sent.pkts[c]);
	}
	masq_text_free(&t);
	return rc;
}

/*
 * Jobs on a worker thread while this thread forwards: every packet comes
 * out, and every counter adds up across swaps and zeroings
 */
static void jobs_while_forwarding(void)
{
	struct lab l;
	struct tally shown = { { 0 } };
	uint32_t overlap = 0;
	int rc = lab_up(&l);

	for (int r = 0; r < ROUNDS && !rc; r++)
		rc = job_round(&l, job_lines[r % NJOBS], &shown, &overlap);
	report_case("jobs", "jobs_run_while_forwarding", rc);
	if (rc) {
		report_case("jobs", "no_packet_lost", -1);
		report_case("jobs", "counters_add_up_across_swaps", -1);
		lab_down(&l);
		return;
	}
	printf("# %d jobs; %u batches of %d frames pushed while one ran\n",
	       ROUNDS, overlap, BATCH);
	report_case("jobs", "no_packet_lost",
		    l.lost ? report_failf("%llu frames did not come out",
					  (unsigned long long)l.lost) : 0);
	report_case("jobs", "counters_add_up_across_swaps",
		    check_counts(&l, &shown));
	lab_down(&l);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	jobs_while_forwarding();
	return 0;
}
