// SPDX-License-Identifier: MIT
/*
 * test_recent.c - -m recent's lists (src/engine/recent.c), as xt_recent
 *
 * Each case drives a list through recent_list_match() with matches as the
 * parser makes them and checks the verdicts and what `masqctl recent`
 * lists, against xt_recent's rules (Linux 6.x): --set adds or stamps,
 * --rcheck counts stamps within --seconds up to --hitcount, --update
 * stamps again only when true (negation included), --remove forgets,
 * --reap drops the oldest entry once all its stamps are too old, --rttl
 * wants the TTL of the --set, --mask is the list maker's. Then the
 * bounds: a flood of new addresses keeps at most the list's size, the
 * oldest evicted first; a rule wanting more stamps flushes and grows the
 * list; references keep it alive. Last, two threads (two workers) set
 * and check one list at once: the counts add up (run under
 * ThreadSanitizer too).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/recent.h"
#include "ipt/ipt.h"
#include "masq/engine.h"
#include "../lib/report.h"

#define SEC	1000ull		/* the lists' clock is in ms */

static struct ipt_match mk(uint8_t flags, uint32_t seconds, uint32_t hits)
{
	struct ipt_match m = { .kind = IPT_M_RECENT };

	m.u.recent.flags = flags;
	m.u.recent.seconds = seconds;
	m.u.recent.hitcount = hits;
	m.u.recent.mask = UINT32_MAX;
	m.u.recent.name = IPT_RECENT_DEFAULT;
	return m;
}

static uint32_t ip(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

/* `recent NAME` through the control command */
static char *listing(struct recent_reg *reg, const char *name, int *st)
{
	char *argv[] = { "recent", (char *)name, NULL };
	struct masq_text t = { 0 };

	*st = recent_ctl(reg, 2, argv, 0, &t);
	return t.s ? t.s : strdup("");
}

/* The ssh brute-force pair on a fresh list "SSH" of a fresh registry */
struct ssh {
	struct recent_reg *reg;
	struct recent_list *l;
	struct ipt_match set, upd;	/* --set; --update --seconds 60
					 * --hitcount 4 */
};

static void ssh_open(struct ssh *x)
{
	x->reg = recent_reg_new(RECENT_LIST_TOT, 7);
	x->l = recent_list_get(x->reg, "SSH", UINT32_MAX, 4);
	x->set = mk(IPT_RECENT_SET, 0, 0);
	x->upd = mk(IPT_RECENT_UPDATE, 60, 4);
}

/* A case's end: the list and the registry let go; Return: @rc */
static int done(struct recent_reg *reg, struct recent_list *l, int rc)
{
	recent_list_put(reg, l);
	recent_reg_put(reg);
	return rc;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static int case_ssh_limit(void)
{
	struct ssh x;
	bool dropped[6];
	int rc = 0;

	ssh_open(&x);

	for (int k = 0; k < 6; k++) {	/* one attempt a second */
		recent_list_match(x.l, &x.set, ip("10.0.0.1"), 64, k * SEC);
		dropped[k] = recent_list_match(x.l, &x.upd, ip("10.0.0.1"), 64,
					       k * SEC);
	}
	if (dropped[0] || dropped[1] || dropped[2] || !dropped[3] ||
	    !dropped[4])
		rc = report_failf("attempts 1-3 pass, 4 and 5 drop: got %d%d%d%d%d",
				  dropped[0], dropped[1], dropped[2],
				  dropped[3], dropped[4]);
	/* another source has its own count */
	recent_list_match(x.l, &x.set, ip("10.0.0.2"), 64, 6 * SEC);
	if (!rc && recent_list_match(x.l, &x.upd, ip("10.0.0.2"), 64, 6 * SEC))
		rc = report_failf("a second source was limited by the first's");
	/* 61 s after the last stamp, the window holds only the new one */
	recent_list_match(x.l, &x.set, ip("10.0.0.1"), 64, 66 * SEC);
	if (!rc && recent_list_match(x.l, &x.upd, ip("10.0.0.1"), 64, 66 * SEC))
		rc = report_failf("still limited after the minute");
	return done(x.reg, x.l, rc);
}

/* --rcheck without --seconds, negation, --remove */
static int case_modes(void)
{
	struct recent_reg *reg = recent_reg_new(RECENT_LIST_TOT, 7);
	struct recent_list *l = recent_list_get(reg, "x", UINT32_MAX, 0);
	struct ipt_match set = mk(IPT_RECENT_SET, 0, 0);
	struct ipt_match chk = mk(IPT_RECENT_CHECK, 0, 0);
	struct ipt_match nchk = chk, rem = mk(IPT_RECENT_REMOVE, 0, 0);
	struct ipt_match nset = set;
	uint32_t a = ip("10.0.0.1");
	int rc = 0;

	nchk.inv = IPT_F_VALUE;
	nset.inv = IPT_F_VALUE;
	if (recent_list_match(l, &chk, a, 64, 0) ||
	    !recent_list_match(l, &nchk, a, 64, 0))
		rc = report_failf("--rcheck of an unknown address matched");
	if (!rc && recent_list_match(l, &nset, a, 64, 0))
		rc = report_failf("! --set matched (it adds, and is false)");
	if (!rc && !recent_list_match(l, &chk, a, 64, 0))
		rc = report_failf("! --set did not add the address");
	if (!rc && (!recent_list_match(l, &rem, a, 64, 0) ||
		    recent_list_match(l, &rem, a, 64, 0)))
		rc = report_failf("--remove: true once, then false");
	if (!rc && recent_list_match(l, &chk, a, 64, 0))
		rc = report_failf("--remove left the address");
	return done(reg, l, rc);
}

/* --update stamps only when the match is true; --reap; --rttl; --mask */
static int case_modifiers(void)
{
	struct recent_reg *reg = recent_reg_new(RECENT_LIST_TOT, 7);
	struct recent_list *l = recent_list_get(reg, "m", 0xffffff00, 0);
	struct recent_list *l2 = recent_list_get(reg, "m", UINT32_MAX, 0);
	struct ipt_match set = mk(IPT_RECENT_SET, 0, 0);
	struct ipt_match upd = mk(IPT_RECENT_UPDATE, 10, 2);
	struct ipt_match ttl = mk(IPT_RECENT_CHECK | IPT_RECENT_TTL, 0, 0);
	struct ipt_match reap = mk(IPT_RECENT_CHECK | IPT_RECENT_REAP, 5, 0);
	char *s;
	int rc = 0, st;

	if (l2 != l)
		rc = report_failf("a second rule naming the list got another");
	recent_list_match(l, &set, ip("10.0.0.1"), 64, 0);
	/* --mask of the maker: 10.0.0.77 is 10.0.0.0 too */
	if (!rc && !recent_list_match(l, &ttl, ip("10.0.0.77"), 64, 0))
		rc = report_failf("--mask 255.255.255.0 not applied");
	if (!rc && recent_list_match(l, &ttl, ip("10.0.0.1"), 63, 0))
		rc = report_failf("--rttl matched another TTL");
	/* one stamp: --update --hitcount 2 false, so no stamp is added */
	if (!rc && recent_list_match(l, &upd, ip("10.0.0.1"), 64, SEC))
		rc = report_failf("--hitcount 2 matched one stamp");
	s = listing(reg, "m", &st);
	if (!rc && (st || !strstr(s, "src=10.0.0.0 ttl: 64 last_seen: 0 "
				      "oldest_pkt: 1 0\n")))
		rc = report_failf("a false --update stamped: '%s'", s);
	free(s);
	/* --reap: the oldest entry goes once all its stamps are too old */
	recent_list_match(l, &set, ip("10.0.1.1"), 64, 20 * SEC);
	recent_list_match(l, &reap, ip("10.0.1.1"), 64, 20 * SEC);
	s = listing(reg, "m", &st);
	if (!rc && (strstr(s, "src=10.0.0.0") || !strstr(s, "src=10.0.1.0")))
		rc = report_failf("--reap did not drop just the stale entry: '%s'", s);
	free(s);
	recent_list_put(reg, l2);
	return done(reg, l, rc);
}

/*
 * A flood of 10,000 new sources: the list keeps its 100, the newest; a
 * host that keeps coming is never the oldest, and stays limited
 */
static int case_flood(void)
{
	struct ssh x;
	uint32_t host = ip("192.0.2.1");
	int rc = 0, st, limited = 0;
	char *s;

	ssh_open(&x);
	for (uint32_t k = 0; k < 10000; k++) {
		uint32_t spoof = htonl(0x0a000000u + k);

		recent_list_match(x.l, &x.set, spoof, 64, SEC);
		if (k % 50 == 0) {	/* the real host, every 50 spoofs */
			recent_list_match(x.l, &x.set, host, 64, SEC);
			limited += recent_list_match(x.l, &x.upd, host, 64, SEC);
		}
	}
	s = listing(x.reg, "SSH", &st);
	if (count_lines(s) != RECENT_LIST_TOT)
		rc = report_failf("%d entries, not %d", count_lines(s),
				  RECENT_LIST_TOT);
	if (!rc && (strstr(s, "src=10.0.0.0 ") || !strstr(s, "src=10.0.39.15 ")))
		rc = report_failf("not the newest kept (oldest evicted)");
	if (!rc && !strstr(s, "src=192.0.2.1 "))
		rc = report_failf("the returning host was evicted");
	if (!rc && limited != 200 - 3)
		rc = report_failf("the host was limited %d times of 200, not 197",
				  limited);
	free(s);
	return done(x.reg, x.l, rc);
}

/* A rule asking 40 hits: the list grows to 64 stamps, flushed (kernel) */
static int case_grow(void)
{
	struct recent_reg *reg = recent_reg_new(RECENT_LIST_TOT, 7);
	struct recent_list *l = recent_list_get(reg, "g", UINT32_MAX, 0);
	struct ipt_match set = mk(IPT_RECENT_SET, 0, 0);
	struct ipt_match chk = mk(IPT_RECENT_CHECK, 0, 40);
	struct recent_list *l2;
	int rc = 0;

	for (int k = 0; k < 40; k++)
		recent_list_match(l, &set, ip("10.0.0.1"), 64, k);
	if (recent_list_match(l, &chk, ip("10.0.0.1"), 64, 40))
		rc = report_failf("40 hits counted in a ring of 32");
	l2 = recent_list_get(reg, "g", UINT32_MAX, 40);
	for (int k = 0; k < 40; k++)
		recent_list_match(l, &set, ip("10.0.0.1"), 64, k);
	if (!rc && !recent_list_match(l, &chk, ip("10.0.0.1"), 64, 40))
		rc = report_failf("40 hits not counted after the list grew");
	recent_list_put(reg, l2);
	return done(reg, l, rc);
}

/* The last reference frees the list; the control command says so */
static int case_refs(void)
{
	struct recent_reg *reg = recent_reg_new(RECENT_LIST_TOT, 7);
	struct recent_list *l = recent_list_get(reg, "r", UINT32_MAX, 0);
	int rc = 0, st;
	char *s;

	recent_list_put(reg, l);
	s = listing(reg, "r", &st);
	if (st != 1 || !strstr(s, "no list 'r'"))
		rc = report_failf("a list no rule names is still there: %d '%s'",
				  st, s);
	free(s);
	if (!rc && recent_reg_set_size(reg, 10))
		rc = report_failf("the size could not be set with no list");
	l = recent_list_get(reg, "r", UINT32_MAX, 0);
	if (!rc && recent_reg_set_size(reg, 20) != -EBUSY)
		rc = report_failf("the size changed under a list");
	return done(reg, l, rc);
}

struct hammer {
	struct recent_list *l;
	uint32_t base;
	int hits;
};

/* One worker: 100,000 --set and --rcheck of its own 50 addresses */
static void *hammer_run(void *arg)
{
	struct hammer *h = arg;
	struct ipt_match set = mk(IPT_RECENT_SET, 0, 0);
	struct ipt_match chk = mk(IPT_RECENT_CHECK, 0, 0);

	for (uint32_t k = 0; k < 100000; k++) {
		uint32_t a = htonl(h->base + k % 50);

		recent_list_match(h->l, &set, a, 64, k);
		h->hits += recent_list_match(h->l, &chk, a, 64, k);
	}
	return NULL;
}

/* Two workers on one list: every check after a set finds its address */
static int case_two_workers(void)
{
	struct recent_reg *reg = recent_reg_new(RECENT_LIST_TOT, 7);
	struct recent_list *l = recent_list_get(reg, "w", UINT32_MAX, 0);
	struct hammer h[2] = { { l, 0x0a000000, 0 }, { l, 0x0b000000, 0 } };
	pthread_t t[2];
	int rc = 0, st;
	char *s;

	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, hammer_run, &h[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	s = listing(reg, "w", &st);
	if (h[0].hits != 100000 || h[1].hits != 100000)
		rc = report_failf("checks found %d and %d of 100000", h[0].hits,
				  h[1].hits);
	if (!rc && count_lines(s) != 100)
		rc = report_failf("%d entries, not the two workers' 100",
				  count_lines(s));
	free(s);
	return done(reg, l, rc);
}

int main(void)
{
	static const struct {
		const char *name;
		int (*run)(void);
	} cases[] = {
		{ "ssh_limit", case_ssh_limit }, { "modes", case_modes },
		{ "modifiers", case_modifiers }, { "flood", case_flood },
		{ "grow", case_grow }, { "refs", case_refs },
		{ "two_workers", case_two_workers },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		report_why_clear();
		report_case("recent", cases[i].name, cases[i].run());
	}
	return report_failures() ? 1 : 0;
}
