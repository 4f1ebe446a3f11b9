// SPDX-License-Identifier: MIT
/*
 * test_ctlist.c - listings of the connection table in bounded chunks
 * (masq_engine_ctl_list(), src/engine/ctlist.c) and the text they go to
 *
 * An engine is filled with connections made by real frames: a set A that
 * stays for the whole walk (TCP, opening), a set B forgotten in the
 * middle of it (UDP, expired by time) and a set C made between chunks.
 * The walk is stepped chunk by chunk with the table changed between
 * steps, and the lines are checked as Linux's netlink dumps promise:
 * every connection of A exactly once, no line twice, no chunk longer
 * than its bound; the chunks together are what masq_engine_ctl() prints
 * at once; conntrack -F forgets all that was there when it started;
 * conntrack -D with a filter forgets exactly what it names. And
 * a text that runs out of memory says so, and the walk then fails.
 *
 * Prints "ok ctlist/NAME" or "FAIL ctlist/NAME: why" per case, and the
 * longest chunk's time as a "#" line (information: timings here are
 * noisy, the bound checked is the number of lines).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/ctlline.h"
#include "../lib/frame.h"
#include "../lib/report.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define NS		1000000000ull
#define CHUNK_LINES	512	/* ctlist.c's CTLIST_ENTRIES */
#define N_A		6000
#define N_B		3000
#define N_C		100	/* per chunk */

/* ASan (the -san build) must answer an impossible size with NULL */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}

/* "ok ctlist/NAME" or "FAIL ctlist/NAME: why" (tests/lib/report.h) */
static void report(const char *name, bool ok)
{
	report_result("ctlist", name, ok);
}

static struct masq_pool *pool;
static uint64_t now = NS;

/* One frame from the LAN into the engine (what comes out is dropped) */
static void send_frame(struct masq_engine *e, struct frame_spec *s)
{
	static const uint8_t lan_mac[6] = { 2, 0, 0, 0, 1, 1 };
	struct masq_buf *out[16], *b = masq_pool_get(pool);
	struct masq_txq tx = { out, 0, 16 };

	if (!b)
		return;
	memcpy(s->eth_dst, lan_mac, 6);
	frame_build(s, b);
	b->iface = 0;
	masq_engine_input(e, &b, 1, now, &tx);
	for (uint32_t i = 0; i < tx.n; i++)
		masq_pool_put(pool, tx.bufs[i]);
}

/* Connection @i of a set: set 0 TCP (A), 1 UDP (B), 2 UDP (C) */
static void open_conn(struct masq_engine *e, int set, uint32_t i)
{
	struct frame_spec s;
	uint32_t src = IP4(192, 168, 0, 2 + set);
	uint32_t dst = IP4(198, 51, 100, 1 + i / 50000);
	uint16_t sport = (uint16_t)(1024 + i % 50000);

	if (set == 0)
		frame_spec_tcp(&s, src, sport, dst, 80, FRAME_TCP_SYN);
	else
		frame_spec_udp(&s, src, sport, dst, 9);
	s.payload_len = set ? 8 : 0;
	send_frame(e, &s);
}

static struct masq_engine *engine(uint32_t max_conns)
{
	struct masq_limits lim;
	struct masq_engine *e;

	masq_limits_default(&lim);
	lim.max_conns = max_conns;
	lim.seed = 3;
	e = masq_engine_create(&lim, pool);
	if (e && (ctlline_run_all(e, ctlline_topology) >= 0 ||
		  ctlline_run(e, "neigh add 192.168.0.4 lladdr 02:00:00:00:01:04 dev lan0", NULL) ||
		  ctlline_run(e, "set host-cap 100000", NULL))) {
		masq_engine_destroy(e);
		e = NULL;
	}
	return e;
}

/* A and B interleaved in the table's slots, as traffic would leave them */
static struct masq_engine *filled(void)
{
	struct masq_engine *e = engine(32768);

	for (uint32_t i = 0; e && i < N_A; i++) {
		open_conn(e, 0, i);
		if (i < N_B)
			open_conn(e, 1, i);
	}
	if (e && masq_engine_conn_count(e) != N_A + N_B) {
		report_whyf("%u connections made, want %u", masq_engine_conn_count(e),
			    N_A + N_B);
		masq_engine_destroy(e);
		e = NULL;
	}
	return e;
}

static double secs(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The walk's lines, one chunk per masq_ctl_list_next() */
struct walk {
	struct masq_text text;
	uint32_t chunks;
	uint32_t most_lines;		/* in one chunk */
	double longest;			/* one chunk, seconds */
	int status;
};

/* Start the walk @argv names (NULL-terminated); NULL after report_whyf() */
static struct masq_ctl_list *walk_start(struct masq_engine *e,
					char *const *argv)
{
	struct masq_ctl_list *l = NULL;
	int argc = 0;

	while (argv[argc])
		argc++;
	if (masq_engine_ctl_list(e, argc, argv, &l) || !l)
		report_whyf("'%s %s' is no walk", argv[0], argv[1]);
	return l;
}

/* One chunk into @w; Return: masq_ctl_list_next()'s value */
static int walk_step(struct masq_engine *e, struct masq_ctl_list *l,
		     struct walk *w)
{
	struct masq_text t = { 0 };
	uint32_t lines = 0;
	double t0 = secs(), dt;
	int rc = masq_ctl_list_next(e, l, &t);

	dt = secs() - t0;
	for (size_t i = 0; i < t.len; i++)
		lines += t.s[i] == '\n';
	if (lines > w->most_lines)
		w->most_lines = lines;
	if (dt > w->longest)
		w->longest = dt;
	w->chunks++;
	masq_text_append(&w->text, t.s ? t.s : "", t.len);
	masq_text_free(&t);
	return rc;
}

/*
 * Check the walk's text: each of A's connections once, none twice. A
 * line of conntrack -L is named by its first tuple (src= to packets=)
 */
static bool walk_check(struct walk *w)
{
	size_t n = 0, a = 0;
	char **key = malloc(sizeof(*key) * (w->text.len / 40 + 1));
	char *save = NULL;
	bool ok = true;

	if (!key)
		return report_whyf("out of memory");
	for (char *l = strtok_r(w->text.s, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		char *k = strstr(l, "src="), *end = k ? strstr(k, " packets=") : NULL;

		if (!end) {
			free(key);
			return report_whyf("not a conntrack line: %.120s", l);
		}
		*end = '\0';
		key[n++] = k;
	}
	qsort(key, n, sizeof(*key), cmp_str);
	for (size_t i = 0; i < n && ok; i++) {
		if (i && !strcmp(key[i], key[i - 1]))
			ok = report_whyf("listed twice: %s", key[i]);
		a += !strncmp(key[i], "src=192.168.0.2 ", 16);
	}
	if (ok && a != N_A)
		ok = report_whyf("%zu of the %u connections present throughout "
				 "listed", a, N_A);
	free(key);
	return ok;
}

static bool listed_once_while_changing(void)
{
	static char *const argv[] = { "conntrack", "-L", NULL };
	struct masq_engine *e = filled();
	struct masq_ctl_list *l = e ? walk_start(e, argv) : NULL;
	struct walk w = { .status = MASQ_CTL_MORE };
	uint32_t c = 0;
	bool ok = l != NULL;

	while (ok && w.status == MASQ_CTL_MORE) {
		w.status = walk_step(e, l, &w);
		for (int k = 0; k < N_C; k++)	/* new ones, in freed slots too */
			open_conn(e, 2, c++);
		if (w.chunks == 3) {	/* B goes: unreplied UDP times out */
			ctlline_run(e, "set timeout udp-unreplied 1", NULL);
			now += 5 * NS;
			for (int k = 0; k < 8; k++)
				masq_engine_advance(e, now, NULL);
		}
	}
	if (ok && w.status)
		ok = report_whyf("the walk ended with status %d", w.status);
	if (ok && w.chunks < 4)
		ok = report_whyf("only %u chunks: the table changed between none",
				 w.chunks);
	if (ok && w.most_lines > CHUNK_LINES)
		ok = report_whyf("a chunk of %u lines (bound %u)", w.most_lines,
				 CHUNK_LINES);
	if (ok)
		ok = walk_check(&w);
	printf("# conntrack -L of %u connections: %u chunks, at most %u "
	       "lines and %.2f ms each\n", N_A + N_B, w.chunks, w.most_lines,
	       w.longest * 1e3);
	masq_text_free(&w.text);
	masq_ctl_list_free(l);
	masq_engine_destroy(e);
	return ok;
}

/* The chunks of a walk on a still table are what one call prints */
static bool chunks_are_the_whole(const char *cmd, char *const *argv)
{
	struct masq_engine *e = filled();
	struct masq_text whole = { 0 };
	struct masq_ctl_list *l = e ? walk_start(e, argv) : NULL;
	struct walk w = { .status = MASQ_CTL_MORE };
	bool ok = l != NULL;

	if (ok && ctlline_run(e, cmd, &whole))
		ok = report_whyf("'%s' failed", cmd);
	while (ok && w.status == MASQ_CTL_MORE)
		w.status = walk_step(e, l, &w);
	if (ok && (w.status || w.chunks < 2 || w.text.len != whole.len ||
		   memcmp(w.text.s, whole.s, whole.len)))
		ok = report_whyf("'%s': %u chunks, status %d, %zu bytes; at once %zu",
				 cmd, w.chunks, w.status, w.text.len, whole.len);
	masq_text_free(&w.text);
	masq_text_free(&whole);
	masq_ctl_list_free(l);
	masq_engine_destroy(e);
	return ok;
}

/* conntrack -F in chunks: what was there at its start is gone at its end */
static bool flush_in_chunks(void)
{
	static char *const argv[] = { "conntrack", "-F", NULL };
	struct masq_engine *e = filled();
	struct masq_ctl_list *l = e ? walk_start(e, argv) : NULL;
	struct masq_text t = { 0 };
	uint32_t c = 0, before = 0;
	int rc = MASQ_CTL_MORE;
	bool ok = l != NULL;

	while (ok && rc == MASQ_CTL_MORE) {
		before = masq_engine_conn_count(e);
		rc = masq_ctl_list_next(e, l, &t);
		if (before - masq_engine_conn_count(e) > CHUNK_LINES)
			ok = report_whyf("one chunk forgot %u connections",
					 before - masq_engine_conn_count(e));
		for (int k = 0; k < 10; k++)
			open_conn(e, 2, c++);
	}
	if (ok && (rc || t.len))
		ok = report_whyf("status %d, text '%.80s'", rc, t.s ? t.s : "");
	masq_text_free(&t);
	if (ok)
		ctlline_run(e, "conntrack -L", &t);
	if (ok && t.s && (strstr(t.s, "src=192.168.0.2 ") ||
			  strstr(t.s, "src=192.168.0.3 ")))
		ok = report_whyf("a connection present at the start survived");
	if (ok && masq_engine_conn_count(e) > c)
		ok = report_whyf("%u connections left, only %u made meanwhile",
				 masq_engine_conn_count(e), c);
	masq_text_free(&t);
	masq_ctl_list_free(l);
	masq_engine_destroy(e);
	return ok;
}

/* Lines of @t that hold @needle */
static uint32_t lines_with(const struct masq_text *t, const char *needle)
{
	uint32_t n = 0;

	for (const char *p = t->s; p && (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/*
 * conntrack -D with a filter, in chunks: exactly the connections it names
 * are listed and forgotten (B's UDP of 192.168.0.3), each chunk bounded;
 * A's stay, and a filtered -L finds one of them by its port
 */
static bool delete_filtered_in_chunks(void)
{
	static char *const argv[] = { "conntrack", "-D", "-s", "192.168.0.3",
				      NULL };
	struct masq_engine *e = filled();
	struct masq_ctl_list *l = e ? walk_start(e, argv) : NULL;
	struct walk w = { 0 };
	struct masq_text t = { 0 };
	int rc = MASQ_CTL_MORE;
	bool ok = l != NULL;

	while (ok && rc == MASQ_CTL_MORE)
		rc = walk_step(e, l, &w);
	if (ok && (rc || w.most_lines > CHUNK_LINES))
		ok = report_whyf("status %d, a chunk of %u lines", rc, w.most_lines);
	if (ok && (lines_with(&w.text, "\n") != N_B ||
		   lines_with(&w.text, "udp      17 ") != N_B ||
		   lines_with(&w.text, " src=192.168.0.3 ") != N_B))
		ok = report_whyf("%u lines, %u of 192.168.0.3's UDP; want %u",
				 lines_with(&w.text, "\n"),
				 lines_with(&w.text, " src=192.168.0.3 "), N_B);
	if (ok && masq_engine_conn_count(e) != N_A)
		ok = report_whyf("%u connections left, want %u",
				 masq_engine_conn_count(e), N_A);
	if (ok)
		ctlline_run(e, "conntrack -L -p tcp --sport 1500 --dport 80", &t);
	if (ok && (lines_with(&t, "\n") != 1 || !strstr(t.s, " sport=1500 ")))
		ok = report_whyf("-L -p tcp --sport 1500: '%.200s'", t.s ? t.s : "");
	masq_text_free(&t);
	masq_text_free(&w.text);
	masq_ctl_list_free(l);
	masq_engine_destroy(e);
	return ok;
}

/* A text that cannot grow says so, and a walk into it fails */
static bool out_of_memory_said(void)
{
	static char *const argv[] = { "conntrack", "-L", NULL };
	struct masq_engine *e = filled();
	struct masq_ctl_list *l = NULL;
	struct masq_text t = { 0 };
	size_t len;
	bool ok = e != NULL;
	int rc;

	masq_text_printf(&t, "before\n");
	masq_text_append(&t, "x", SIZE_MAX / 4);	/* no allocator gives it */
	len = t.len;
	if (!t.oom || !t.s || !strstr(t.s, "before\n\n[output truncated: "
				       "out of memory]\n"))
		ok = report_whyf("no marker: oom %d, text '%s'", t.oom, t.s ? t.s : "");
	masq_text_printf(&t, "after\n");
	if (ok && t.len != len)
		ok = report_whyf("text appended after running out of memory");
	if (ok)
		l = walk_start(e, argv);
	rc = l ? masq_ctl_list_next(e, l, &t) : 0;
	if (ok && (!l || rc != 1))
		ok = l && report_whyf("a walk into a cut text gave %d, want 1", rc);
	masq_text_free(&t);
	masq_ctl_list_free(l);
	masq_engine_destroy(e);
	return ok;
}

/* Commands that are no walk, or malformed ones, are left to masq_engine_ctl */
static bool not_a_walk(void)
{
	static char *const cases[][4] = {
		{ "conntrack", "-C", NULL }, { "masq", "-L", "-x", NULL },
		{ "conntrack", "-L", "-n", NULL }, { "stats", NULL },
		{ "masq", "-S", NULL },
	};
	struct masq_engine *e = engine(64);
	bool ok = e != NULL;

	for (size_t i = 0; ok && i < sizeof(cases) / sizeof(*cases); i++) {
		struct masq_ctl_list *l = NULL;
		int argc = 0;

		while (cases[i][argc])
			argc++;
		if (masq_engine_ctl_list(e, argc, cases[i], &l) || l)
			ok = report_whyf("'%s %s' taken as a walk", cases[i][0],
					 cases[i][1] ? cases[i][1] : "");
		masq_ctl_list_free(l);
	}
	masq_engine_destroy(e);
	return ok;
}

int main(void)
{
	static char *const masq_l[] = { "masq", "-L", "-n", NULL };
	static char *const ct_l[] = { "conntrack", "-L", NULL };

	setvbuf(stdout, NULL, _IOLBF, 0);
	pool = masq_pool_create(64, 2048);
	if (!pool) {
		printf("FAIL ctlist/pool: no pool\n");
		return 1;
	}
	report("present_throughout_listed_once", listed_once_while_changing());
	report("conntrack_chunks_are_the_whole",
	       chunks_are_the_whole("conntrack -L", ct_l));
	report("masq_chunks_are_the_whole",
	       chunks_are_the_whole("masq -L -n", masq_l));
	report("flush_in_chunks", flush_in_chunks());
	report("delete_filtered_in_chunks", delete_filtered_in_chunks());
	report("out_of_memory_said", out_of_memory_said());
	report("not_a_walk", not_a_walk());
	masq_pool_destroy(pool);
	return 0;
}
