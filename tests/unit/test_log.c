// SPDX-License-Identifier: MIT
/*
 * test_log.c - masqd's log (src/masqd/log.c, compiled in here): two
 * classes of lines, each with its own cap, written by a log thread that
 * the caller never waits for
 *
 * 1. in_order_and_capped: 20 daemon lines and 180 LOG-rule lines logged
 *    at once come out in the order logged; every daemon line is there;
 *    the rule lines written plus the count in the "log lines suppressed
 *    (LOG rules: ...)" line make 180, and log_get_stats() agrees.
 * 2. stuck_output_never_waits: stderr is a full pipe that nobody reads.
 *    A LOG-rule line is logged every millisecond and a daemon line every
 *    100 ms (with log_kick() after each, as the loop does) until the rule
 *    ring has been full for 100 lines (about 3 s; 5 s at most): no call
 *    takes more than 100 ms (they take microseconds; the bound is for a
 *    loaded machine), and log_stop() gives up on the output after about
 *    LOG_STOP_MS. Once the pipe is read, the thread writes the rest, a
 *    line that counts the lines the full ring cost among it, and ends.
 *
 * 3. workers_rings: two workers' threads log LOG lines at once into
 *    rings of their own (--workers); every line comes out, each
 *    worker's in order.
 *
 * Built under ThreadSanitizer too (make unit-tsan): head and tail of each
 * ring are all that orders the loop's thread and the log thread.
 *
 * Prints "ok log/NAME" or "FAIL log/NAME: why" per test.
 */
#include <fcntl.h>
#include <stdlib.h>

#include "masqd/log.c"

#include "../lib/report.h"

#define NS	1000000000ull

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

/* Point fd 2 at @fd; Return: a copy of the old fd 2, to put back */
static int stderr_to(int fd)
{
	int save = dup(STDERR_FILENO);

	dup2(fd, STDERR_FILENO);
	return save;
}

static void stderr_back(int save)
{
	dup2(save, STDERR_FILENO);
	close(save);
}

/* Check the lines of @f: numbers rising, every daemon line, the count */
static int check_lines(FILE *f, int daemons, int rules)
{
	char line[LOG_LINE_MAX + 16];
	int last = -1, n, d = 0, r = 0;
	unsigned long long supp = 0, k;

	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "masqd: daemon %d", &n) == 1 ||
		    sscanf(line, "masqd: rule %d", &n) == 1) {
			if (n <= last)
				return report_failf("line %d after line %d",
						    n, last);
			last = n;
			line[7] == 'd' ? d++ : r++;
		} else if (sscanf(line, "masqd: %llu log line%*s suppressed "
				  "(LOG rules: %llu", &supp, &k) == 2) {
			if (supp != k)
				return report_failf("'%s' is not all rules", line);
		} else {
			return report_failf("unexpected line '%s'", line);
		}
	}
	if (d != daemons)
		return report_failf("%d of %d daemon lines written", d, daemons);
	if (r + supp != (unsigned long long)rules)
		return report_failf("%d rule lines written + %llu suppressed, "
				    "%d logged", r, supp, rules);
	return 0;
}

static int in_order_and_capped(void)
{
	FILE *f = tmpfile();
	struct log_stats st;
	int save, rc;

	if (!f)
		return report_failf("tmpfile: %s", strerror(errno));
	save = stderr_to(fileno(f));
	log_init(true);
	log_start();
	for (int i = 0; i < 200; i++) {
		char text[32];

		snprintf(text, sizeof(text), "rule %d", i);
		if (i % 10)
			log_rule(LOG_INFO, text);
		else
			logmsg(LOG_INFO, "daemon %d", i);
	}
	log_kick();
	log_stop();
	stderr_back(save);
	rc = check_lines(f, 20, 180);
	log_get_stats(&st);
	if (!rc && (st.over_rate[LOG_CLASS_DAEMON] ||
		    st.queue_full[LOG_CLASS_DAEMON]))
		rc = report_failf("daemon lines suppressed: %llu over the "
				  "rate, %llu queue full",
				  (unsigned long long)st.over_rate[LOG_CLASS_DAEMON],
				  (unsigned long long)st.queue_full[LOG_CLASS_DAEMON]);
	fclose(f);
	return rc;
}

/* The rule ring's full count */
static uint64_t rules_full(void)
{
	struct log_stats st;

	log_get_stats(&st);
	return st.queue_full[LOG_CLASS_RULES];
}

/*
 * Log as the loop would until the rule ring has been full for 100 lines,
 * 5 s at most (it fills within 3 s at the cap: 256 slots, 100 lines a
 * second). Return: the longest call, in ns
 */
static uint64_t log_until_full(void)
{
	uint64_t t0 = now_ns(), full0 = rules_full(), worst = 0;
	struct timespec ms = { 0, 1000000 };

	for (int k = 0; now_ns() - t0 < 5 * NS &&
			rules_full() - full0 < 100; k++) {
		uint64_t t = now_ns(), dt;

		log_rule(LOG_INFO, "rule: a LOG target's line, about as long "
			 "as IN=lan0 OUT=wan0 MAC=... SRC=... DST=...");
		if (k % 100 == 0)
			logmsg(LOG_WARNING, "daemon %d", k);
		log_kick();
		dt = now_ns() - t;
		worst = dt > worst ? dt : worst;
		nanosleep(&ms, NULL);
	}
	return worst;
}

/* Fill pipe @p to the brim, so that the next write to it blocks */
static void pipe_fill(const int p[2])
{
	static const char junk[256];
	int fl = fcntl(p[1], F_GETFL);

	fcntl(p[1], F_SETFL, fl | O_NONBLOCK);
	while (write(p[1], junk, sizeof(junk)) > 0)
		;
	fcntl(p[1], F_SETFL, fl);
}

/*
 * Unstick the log thread log_stop() gave up on: read pipe @p (5 s at
 * most) until the thread has written the rest and returned. Return: 0
 * when it did and the report of the full ring came out, else -1
 */
static int unstick(const int p[2])
{
	static char got[1 << 20];	/* the pipe's filling, then lines */
	static const char tail[] = " while the output was behind)";
	size_t len = 0;
	uint64_t t0 = now_ns();
	const char *at;
	ssize_t n;

	fcntl(p[0], F_SETFL, O_NONBLOCK);
	for (bool ended = false;;) {
		n = read(p[0], got + len, sizeof(got) - 1 - len);
		if (n > 0) {
			len += (size_t)n;
			continue;
		}
		if (ended)
			break;		/* and its last line is read */
		ended = !pthread_tryjoin_np(writer, NULL);
		if (!ended && now_ns() - t0 > 5 * NS)
			return report_failf("the log thread did not end once "
					    "its output was read");
		if (!ended)
			nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	}
	threaded = false;	/* what log_stop() would have done */
	queued = false;
	close(kick_fd);
	kick_fd = -1;
	at = memmem(got, len, tail, sizeof(tail) - 1);
	if (!at || !memcmp(at - 2, ", 0", 3))
		return report_failf("no line reported the lines the full ring "
				    "cost");
	return 0;
}

static int stuck_output_never_waits(void)
{
	struct log_stats st0, st;
	uint64_t worst, t;
	int p[2], save, rc = 0;

	if (pipe(p))
		return report_failf("pipe: %s", strerror(errno));
	fcntl(p[1], F_SETPIPE_SZ, 4096);
	pipe_fill(p);
	log_get_stats(&st0);
	save = stderr_to(p[1]);
	log_start();
	worst = log_until_full();
	t = now_ns();
	log_stop();
	t = now_ns() - t;
	log_get_stats(&st);
	if (worst > NS / 10)
		rc = report_failf("a log call took %llu ms",
				  (unsigned long long)(worst / 1000000));
	else if (st.queue_full[LOG_CLASS_RULES] ==
		 st0.queue_full[LOG_CLASS_RULES])
		rc = report_failf("the rule ring never filled");
	else if (t < LOG_STOP_MS * 1000000ull / 2 || t > 3 * NS)
		rc = report_failf("log_stop() returned after %llu ms, "
				  "LOG_STOP_MS is %d",
				  (unsigned long long)(t / 1000000), LOG_STOP_MS);
	if (unstick(p) && !rc)
		rc = -1;
	stderr_back(save);
	close(p[0]);
	close(p[1]);
	return rc;
}

#define WLINES	60	/* each worker's, under the cap of 100 a second */

/* Worker @arg's thread: WLINES LOG lines into its ring, kicking after each */
static void *worker_logs(void *arg)
{
	uint32_t k = (uint32_t)(uintptr_t)arg;
	char text[32];

	for (int i = 0; i < WLINES; i++) {
		snprintf(text, sizeof(text), "w%u %d", k, i);
		log_rule_worker(k, LOG_INFO, text);
		log_kick_worker(k);
	}
	return NULL;
}

/* Each worker's lines in @f: all there, in the order it logged them */
static int check_workers(FILE *f, uint32_t n)
{
	char line[LOG_LINE_MAX + 16];
	int last[LOG_WORKERS_MAX], got[LOG_WORKERS_MAX] = { 0 }, i;
	unsigned k;

	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "masqd: w%u %d", &k, &i) != 2 || !k || k >= n)
			return report_failf("unexpected line '%s'", line);
		if (got[k]++ && i <= last[k])
			return report_failf("worker %u: line %d after %d", k, i,
					    last[k]);
		last[k] = i;
	}
	for (k = 1; k < n; k++)
		if (got[k] != WLINES)
			return report_failf("worker %u: %d of %d lines written",
					    k, got[k], WLINES);
	return 0;
}

/* 3. (the header): workers 1 and 2 of 3, WLINES lines each */
static int workers_rings(void)
{
	FILE *f = tmpfile();
	pthread_t t[2];
	int save, rc;

	if (!f)
		return report_failf("tmpfile: %s", strerror(errno));
	if (log_workers(3)) {
		fclose(f);
		return report_failf("log_workers(3): out of memory");
	}
	save = stderr_to(fileno(f));
	log_init(true);
	log_start();
	for (uintptr_t k = 1; k <= 2; k++)
		pthread_create(&t[k - 1], NULL, worker_logs, (void *)k);
	for (int k = 0; k < 2; k++)
		pthread_join(t[k], NULL);
	log_kick();
	log_stop();
	stderr_back(save);
	rc = check_workers(f, 3);
	fclose(f);
	return rc;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	report_case("log", "in_order_and_capped", in_order_and_capped());
	report_case("log", "stuck_output_never_waits",
		    stuck_output_never_waits());
	report_case("log", "workers_rings", workers_rings());
	return 0;
}
