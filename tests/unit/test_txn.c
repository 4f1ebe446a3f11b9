// SPDX-License-Identifier: MIT
/*
 * test_txn.c - a rules run's shadow (src/engine/txn.c), as `masqctl
 * rules` uses it through masqd's txn verbs
 *
 * What a user would see: while the run is open, the live ruleset and
 * forwards (iptables -S, ipmasqadm portfw -l) are as before and the run's
 * own listings show what it built; a failing command gets its status and
 * message at once; after the commit the live listings are the shadow's;
 * a dropped run changes nothing; a run without ipmasqadm calls leaves
 * the forwards alone.
 *
 * Prints "ok txn/NAME" or "FAIL txn/NAME: why" per test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/ctlline.h"
#include "../lib/report.h"

struct lab {
	struct masq_pool *pool;
	struct masq_engine *e;
};

static int lab_up(struct lab *l)
{
	struct masq_limits lim;

	masq_limits_default(&lim);
	l->pool = masq_pool_create(64, 2048);
	l->e = l->pool ? masq_engine_create(&lim, l->pool) : NULL;
	if (!l->e)
		return report_failf("no engine (out of memory?)");
	if (ctlline_run_all(l->e, ctlline_topology) >= 0)
		return report_failf("topology commands failed");
	return 0;
}

static void lab_down(struct lab *l)
{
	masq_engine_destroy(l->e);
	masq_pool_destroy(l->pool);
}

/* @line's words, run in the shadow; its output replaces @out's */
static int txn_line(struct masq_ctl_job *j, const char *line,
		    struct masq_text *out)
{
	char buf[512], *argv[64], *save = NULL;
	int argc = 0;

	masq_text_free(out);
	snprintf(buf, sizeof(buf), "%s", line);
	for (char *w = strtok_r(buf, " ", &save); w && argc < 63;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	return masq_ctl_txn_do(j, argc, argv, out);
}

/* A live command's text (replacing @out's); its status */
static int live(struct lab *l, const char *line, struct masq_text *out)
{
	masq_text_free(out);
	return ctlline_run(l->e, line, out);
}

static char *text_dup(const struct masq_text *t)
{
	return strndup(t->s ? t->s : "", t->len);
}

static int commit(struct lab *l, struct masq_ctl_job *j)
{
	struct masq_text out = { 0 };
	int st;

	masq_ctl_job_run(j);
	st = masq_engine_ctl_job_finish(l->e, j, &out);
	masq_ctl_job_free(j);
	if (st)
		report_failf("commit: status %d: %.*s", st, (int)out.len,
			     out.s ? out.s : "");
	masq_text_free(&out);
	return st;
}

static const char *const run_lines[] = {
	"iptables -F",
	"iptables -t nat -F",
	"iptables -P INPUT DROP",
	"iptables -P FORWARD DROP",
	"iptables -N acctin",
	"iptables -A acctin",
	"iptables -A INPUT -i wan0 -j acctin",
	"iptables -A INPUT -i lan0 -j ACCEPT",
	"iptables -A INPUT -p tcp --dport 22 -j ACCEPT",
	"iptables -t nat -A POSTROUTING -o wan0 -j MASQUERADE",
	NULL,
};

/* The shadow is the run's; the live ruleset changes at the commit only */
static int shadow_then_commit(void)
{
	int rc = -1;
	struct masq_text out = { 0 };
	struct masq_ctl_job *j;
	char *before = NULL, *shadow = NULL;
	struct lab l;

	if (lab_up(&l))
		return -1;
	j = masq_engine_rules_txn(l.e);
	if (!j || live(&l, "iptables-save", &out)) {
		report_failf("no run, or no live save");
		goto out;
	}
	before = text_dup(&out);
	for (int i = 0; run_lines[i]; i++)
		if (txn_line(j, run_lines[i], &out)) {
			report_failf("'%s' failed: %.*s", run_lines[i],
				     (int)out.len, out.s);
			goto drop;
		}
	if (live(&l, "iptables-save", &out) || strcmp(out.s, before)) {
		report_failf("the live ruleset changed during the run");
		goto drop;
	}
	if (txn_line(j, "iptables -S INPUT", &out) ||
	    !strstr(out.s, "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT") ||
	    !strstr(out.s, "-A INPUT -i wan0 -j acctin")) {
		report_failf("the run's -S does not show its rules: %.*s",
			     (int)out.len, out.s);
		goto drop;
	}
	if (txn_line(j, "iptables-save", &out) || !strstr(out.s, ":acctin")) {
		report_failf("the run's save lacks its chain: %.*s",
			     (int)out.len, out.s);
		goto drop;
	}
	shadow = text_dup(&out);
	if (commit(&l, j))
		goto out;
	if (live(&l, "iptables-save", &out) || strcmp(out.s, shadow)) {
		report_failf("after the commit the live save is not the run's:"
			     "\n%s\nvs\n%.*s", shadow, (int)out.len, out.s);
		goto out;
	}
	rc = 0;
	goto out;
drop:
	masq_ctl_job_free(j);
out:
	free(before);
	free(shadow);
	masq_text_free(&out);
	lab_down(&l);
	return rc;
}

/* A failing command says so at once; a dropped run changes nothing */
static int failure_and_drop(void)
{
	int rc = -1;
	struct masq_text out = { 0 };
	struct masq_ctl_job *j;
	char *before = NULL;
	struct lab l;
	int st;

	if (lab_up(&l))
		return -1;
	j = masq_engine_rules_txn(l.e);
	if (!j || live(&l, "iptables-save", &out)) {
		report_failf("no run, or no live save");
		goto out;
	}
	before = text_dup(&out);
	txn_line(j, "iptables -F", &out);
	txn_line(j, "iptables -N acctin", &out);
	st = txn_line(j, "iptables -N acctin", &out);
	if (st != 1 || !strstr(out.s, "iptables:")) {
		report_failf("a second -N acctin: status %d, '%.*s'", st,
			     (int)out.len, out.s);
		masq_ctl_job_free(j);
		goto out;
	}
	st = txn_line(j, "iptables -A INPUT -p bogus -j ACCEPT", &out);
	if (st != 2) {
		report_failf("a bad protocol: status %d, '%.*s'", st,
			     (int)out.len, out.s);
		masq_ctl_job_free(j);
		goto out;
	}
	if (txn_line(j, "show settings", &out) != -1) {
		report_failf("show settings was taken as the run's");
		masq_ctl_job_free(j);
		goto out;
	}
	masq_ctl_job_free(j);		/* dropped */
	if (live(&l, "iptables-save", &out) || strcmp(out.s, before)) {
		report_failf("a dropped run changed the ruleset");
		goto out;
	}
	rc = 0;
out:
	free(before);
	masq_text_free(&out);
	lab_down(&l);
	return rc;
}

/* The first ipchains change gives way to ipchains' empty ruleset */
static int ipchains_run(void)
{
	int rc = -1;
	struct masq_text out = { 0 };
	struct masq_ctl_job *j;
	struct lab l;

	if (lab_up(&l))
		return -1;
	j = masq_engine_rules_txn(l.e);
	if (!j || txn_line(j, "ipchains -P forward DENY", &out) ||
	    txn_line(j, "ipchains -A forward -s 192.168.0.0/24 -j MASQ",
		     &out)) {
		report_failf("ipchains commands failed: %.*s", (int)out.len,
			     out.s ? out.s : "");
		masq_ctl_job_free(j);
		goto out;
	}
	if (txn_line(j, "iptables -S", &out) != 1 ||
	    !strstr(out.s, "ipchains")) {
		report_failf("iptables in an ipchains run: '%.*s'",
			     (int)out.len, out.s);
		masq_ctl_job_free(j);
		goto out;
	}
	if (commit(&l, j))
		goto out;
	if (live(&l, "ipchains -L forward -n", &out) ||
	    !strstr(out.s, "MASQ") || !strstr(out.s, "policy DENY")) {
		report_failf("live ipchains -L after the commit: '%.*s'",
			     (int)out.len, out.s);
		goto out;
	}
	rc = 0;
out:
	masq_text_free(&out);
	lab_down(&l);
	return rc;
}

/* Forwards: in the shadow until the commit; untouched by a run without */
static int forwards(void)
{
	int rc = -1;
	static const char pf[] = "ipmasqadm portfw -a -P tcp -L 203.0.113.1 "
				 "80 -R 192.168.0.2 8080";
	struct masq_text out = { 0 };
	struct masq_ctl_job *j;
	struct lab l;

	if (lab_up(&l))
		return -1;
	j = masq_engine_rules_txn(l.e);
	if (!j || txn_line(j, pf, &out)) {
		report_failf("portfw -a in the run: '%.*s'", (int)out.len,
			     out.s ? out.s : "");
		masq_ctl_job_free(j);
		goto out;
	}
	if (live(&l, "ipmasqadm portfw -l -n", &out) ||
	    strstr(out.s, "192.168.0.2")) {
		report_failf("the run's forward is live before the commit");
		masq_ctl_job_free(j);
		goto out;
	}
	if (txn_line(j, "ipmasqadm portfw -l -n", &out) ||
	    !strstr(out.s, "192.168.0.2")) {
		report_failf("the run's portfw -l lacks its forward");
		masq_ctl_job_free(j);
		goto out;
	}
	if (commit(&l, j))
		goto out;
	if (live(&l, "ipmasqadm portfw -l -n", &out) ||
	    !strstr(out.s, "192.168.0.2")) {
		report_failf("the forward is not live after the commit");
		goto out;
	}
	/* a run of rules only: the forward stays */
	j = masq_engine_rules_txn(l.e);
	if (!j || txn_line(j, "iptables -F", &out) || commit(&l, j)) {
		report_failf("a rules-only run failed");
		goto out;
	}
	if (live(&l, "ipmasqadm portfw -l -n", &out) ||
	    !strstr(out.s, "192.168.0.2")) {
		report_failf("a run without ipmasqadm dropped the forward");
		goto out;
	}
	rc = 0;
out:
	masq_text_free(&out);
	lab_down(&l);
	return rc;
}

int main(void)
{
	static const struct {
		const char *name;
		int (*fn)(void);
	} cases[] = {
		{ "shadow_then_commit", shadow_then_commit },
		{ "failure_and_drop", failure_and_drop },
		{ "ipchains_run", ipchains_run },
		{ "forwards", forwards },
	};
	int failed = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		int rc = cases[i].fn();

		report_case("txn", cases[i].name, rc);
		failed += rc != 0;
	}
	return failed ? 1 : 0;
}
