// SPDX-License-Identifier: MIT
/*
 * test_reload.c - loading and reloading a configuration file (reload.h)
 *
 * Each case writes a file, runs reload_run() on an engine configured like
 * masqd's command line, and checks what the listings show: a good file is
 * in effect and what the previous one set is gone, what was added by
 * hand stays; a bad one is refused
 * naming its line and changes nothing; a tracked connection is still
 * tracked after a reload; the engine's reset and flush commands do what
 * docs/control.md says; 3,000 iptables lines load in well under a second
 * (one ruleset, compiled once), and the errors of rule lines and others
 * come in file order; set conntrack-max is checked against the live
 * table's size; a reload prepared on a second thread while packets
 * go through the live engine (also under ThreadSanitizer,
 * build/tests-tsan/).
 *
 * Prints "ok reload/NAME" or "FAIL reload/NAME: why" per case.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/ctlline.h"
#include "../lib/frame.h"
#include "control/reload.h"
#include "control/services.h"
#include "../lib/report.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define NS		1000000000ull

/* "ok reload/NAME" or "FAIL reload/NAME: why" (tests/lib/report.h) */
static void report(const char *name, bool ok)
{
	report_result("reload", name, ok);
}

/* masqd's command line, as setup.c turns it into commands */
static const char *const base[] = {
	"iface add lan0 mac 02:00:00:00:01:01 mtu 1500 role internal",
	"iface add wan0 mac 02:00:00:00:02:01 mtu 1500 role external",
	"addr add 192.168.0.1/24 dev lan0",
	"addr add 203.0.113.1/24 dev wan0",
	"route add default via 203.0.113.254",
	NULL,
};

static char path[64];

/* The output of one listing, in a static buffer */
static const char *listing(struct masq_engine *e, const char *cmd)
{
	static char buf[4][4096];
	static int k;
	struct masq_text t = { 0 };
	char *b = buf[k++ % 4];

	ctlline_run(e, cmd, &t);
	snprintf(b, sizeof(buf[0]), "%s", t.s ? t.s : "");
	masq_text_free(&t);
	return b;
}

static void write_file(const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

/* An engine with the base run, and a reload state that knows it */
static struct masq_engine *up(struct masq_pool *pool, struct reload *r)
{
	struct masq_limits lim;
	struct masq_engine *e;

	masq_limits_default(&lim);
	lim.max_conns = 1024;
	lim.seed = 7;
	e = masq_engine_create(&lim, pool);
	if (reload_init(r, path, &lim)) {
		fprintf(stderr, "reload_init failed\n");
		exit(1);
	}
	for (int i = 0; e && base[i]; i++) {
		char buf[256], *argv[16], *save = NULL, *w;
		int argc = 0;

		snprintf(buf, sizeof(buf), "%s", base[i]);
		for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
			argv[argc++] = w;
		argv[argc] = NULL;
		if (ctlline_run(e, base[i], NULL) || reload_base_add(r, argc, argv)) {
			fprintf(stderr, "base command failed: %s\n", base[i]);
			exit(1);
		}
	}
	return e;
}

static void down(struct masq_engine *e, struct reload *r)
{
	masq_engine_destroy(e);
	reload_fini(r);
}

/* Load @text; Return: reload_run()'s value, messages in @msg */
static int load(struct reload *r, struct masq_engine *e, const char *text,
		struct masq_text *msg)
{
	write_file(text);
	return reload_run(r, e, msg);
}

static bool has(const char *s, const char *want)
{
	return s && strstr(s, want);
}

/* ---- cases ---- */

static bool settings_replaced(struct masq_pool *pool)
{
	struct masq_text msg = { 0 };
	struct reload r;
	struct masq_engine *e = up(pool, &r);
	bool ok = true;
	int rc;

	rc = load(&r, e, "set timeout udp 300\nset tcp-pickup on\n"
		  "set host-cap 10\nmasq -S 900 0 0\n", &msg);
	if (rc || !has(listing(e, "show settings"), "tcp-pickup on"))
		ok = report_whyf("first load: %d %s", rc, msg.s ? msg.s : "");
	rc = load(&r, e, "# edited\nset timeout udp 77\nset ports 61000-65095\n",
		  &msg);
	if (ok && rc)
		ok = report_whyf("reload: %d %s", rc, msg.s ? msg.s : "");
	if (ok) {
		const char *s = listing(e, "show settings");

		if (!has(s, "timeout udp              77") ||
		    !has(s, "ports 61000-65095"))
			ok = report_whyf("new values missing: %s", s);
		else if (!has(s, "tcp-pickup off") || !has(s, "host-cap 4096") ||
			 !has(s, "tcp-established  7440"))
			ok = report_whyf("old file's values not reset: %s", s);
	}
	masq_text_free(&msg);
	down(e, &r);
	return ok;
}

static bool error_names_line(struct masq_pool *pool)
{
	struct masq_text msg = { 0 };
	struct reload r;
	struct masq_engine *e = up(pool, &r);
	char before[4096];
	bool ok = true;
	int rc;

	rc = load(&r, e, "set timeout udp 300\nroute add 10.1.0.0/16 via 192.168.0.254\n", &msg);
	snprintf(before, sizeof(before), "%s%s", listing(e, "show settings"),
		 listing(e, "route"));
	rc = rc ? rc : load(&r, e, "set timeout udp 77\nset ports 61000-65095\n"
			    "set frobnicate 1\nset timeout icmp 5\nbogus\n", &msg);
	if (rc != -EINVAL)
		ok = report_whyf("a bad file gave %d, expected -EINVAL", rc);
	else if (!has(msg.s, "/reload.conf:3: 'set frobnicate 1'") ||
		 !has(msg.s, "/reload.conf:5: 'bogus'"))
		ok = report_whyf("errors do not name lines 3 and 5: %s", msg.s);
	else if (has(msg.s, ":4:"))
		ok = report_whyf("a good line was reported: %s", msg.s);
	if (ok) {
		char after[4096];

		snprintf(after, sizeof(after), "%s%s", listing(e, "show settings"),
			 listing(e, "route"));
		if (strcmp(before, after))
			ok = report_whyf("a refused file changed the listings: %s", after);
	}
	masq_text_free(&msg);
	/* a syntax error is reported by the splitter, with its line */
	rc = load(&r, e, "set timeout udp 1\n\nset \"ports\n", &msg);
	if (ok && (rc != -EINVAL || !has(msg.s, "reload.conf:3: unterminated")))
		ok = report_whyf("syntax error: %d %s", rc, msg.s);
	masq_text_free(&msg);
	down(e, &r);
	return ok;
}

static bool routes_and_neigh_follow_file(struct masq_pool *pool)
{
	struct masq_text msg = { 0 };
	struct reload r;
	struct masq_engine *e = up(pool, &r);
	bool ok = true;
	int rc;

	rc = load(&r, e, "route add 10.1.0.0/16 via 192.168.0.254\n"
		  "neigh add 192.168.0.9 lladdr 02:00:00:00:00:09 dev lan0\n", &msg);
	if (rc || !has(listing(e, "route"), "10.1.0.0/16") ||
	    !has(listing(e, "neigh"), "192.168.0.9"))
		ok = report_whyf("first load: %d %s", rc, msg.s ? msg.s : "");
	rc = load(&r, e, "route add 10.2.0.0/16 via 192.168.0.254\n"
		  "route del default\n", &msg);
	if (ok && rc)
		ok = report_whyf("reload: %d %s", rc, msg.s ? msg.s : "");
	if (ok) {
		const char *rt = listing(e, "route"), *nb = listing(e, "neigh");

		if (has(rt, "10.1.0.0/16") || !has(rt, "10.2.0.0/16") ||
		    has(rt, "default") || !has(rt, "192.168.0.0/24"))
			ok = report_whyf("routes: %s", rt);
		else if (has(nb, "192.168.0.9"))
			ok = report_whyf("the static neighbour stayed: %s", nb);
	}
	/* the command line's default route comes back when the file stops
	 * deleting it */
	rc = load(&r, e, "", &msg);
	if (ok && (rc || !has(listing(e, "route"), "default via 203.0.113.254")))
		ok = report_whyf("default route not restored: %d %s", rc,
				 listing(e, "route"));
	masq_text_free(&msg);
	down(e, &r);
	return ok;
}

/*
 * Routes and static neighbours added by hand (masqctl route add, neigh
 * add) survive a reload; those of the previous file go. A reload that
 * fails on the live engine after its check (its neighbour is known by
 * hand on another interface) takes back the routes it added and puts
 * the previous file's back, the hand ones untouched.
 */
static bool hand_routes_and_neigh_stay(struct masq_pool *pool)
{
	struct masq_text msg = { 0 };
	struct reload r;
	struct masq_engine *e = up(pool, &r);
	const char *rt, *nb;
	bool ok = true;
	int rc;

	rc = load(&r, e, "route add 10.1.0.0/16 via 192.168.0.254\n"
		  "neigh add 192.168.0.9 lladdr 02:00:00:00:00:09 dev lan0\n", &msg);
	if (rc || ctlline_run(e, "route add 10.7.0.0/16 via 192.168.0.254", NULL) ||
	    ctlline_run(e, "neigh add 192.168.0.7 lladdr 02:00:00:00:00:07 dev lan0", NULL) ||
	    ctlline_run(e, "neigh add 203.0.113.77 lladdr 02:00:00:00:00:77 dev wan0", NULL))
		ok = report_whyf("setup: %d %s", rc, msg.s ? msg.s : "");
	rc = load(&r, e, "route add 10.2.0.0/16 via 192.168.0.254\n", &msg);
	rt = listing(e, "route");
	nb = listing(e, "neigh");
	if (ok && rc)
		ok = report_whyf("reload: %d %s", rc, msg.s ? msg.s : "");
	else if (ok && (!has(rt, "10.7.0.0/16") || !has(nb, "192.168.0.7 ") ||
			!has(nb, "203.0.113.77")))
		ok = report_whyf("hand route or neighbour gone: %s%s", rt, nb);
	else if (ok && (has(rt, "10.1.0.0/16") || has(nb, "192.168.0.9") ||
			!has(rt, "10.2.0.0/16") || !has(rt, "default")))
		ok = report_whyf("the file's set not replaced: %s%s", rt, nb);
	masq_text_free(&msg);
	rc = load(&r, e, "route add 10.3.0.0/16 via 192.168.0.254\n"
		  "neigh add 203.0.113.77 lladdr 02:00:00:00:00:78 dev lan0\n", &msg);
	rt = listing(e, "route");
	nb = listing(e, "neigh");
	if (ok && (rc != -EIO || !has(msg.s, "known on another interface")))
		ok = report_whyf("a live failure gave %d: %s", rc, msg.s ? msg.s : "");
	else if (ok && (has(rt, "10.3.0.0/16") || !has(rt, "10.2.0.0/16") ||
			!has(rt, "10.7.0.0/16") || !has(nb, "192.168.0.7 ") ||
			!has(nb, "02:00:00:00:00:77")))
		ok = report_whyf("after the rollback: %s%s", rt, nb);
	masq_text_free(&msg);
	if (ok && (ctlline_run(e, "neigh del 192.168.0.7", NULL) ||
		   has(listing(e, "neigh"), "192.168.0.7 ") ||
		   ctlline_run(e, "neigh del 192.168.0.7", &msg) != 1 ||
		   !has(msg.s, "no static entry")))
		ok = report_whyf("neigh del: %s", msg.s ? msg.s : "");
	masq_text_free(&msg);
	down(e, &r);
	return ok;
}

/*
 * A command of the file that passes with a warning (an external network
 * overlapping another) has it said with its line, the file still loaded
 */
static bool warnings_said(struct masq_pool *pool)
{
	struct masq_text msg = { 0 };
	struct reload r;
	struct masq_engine *e = up(pool, &r);
	bool ok = true;
	int rc;

	rc = load(&r, e, "iface add wan1 mac 02:00:00:00:04:01 role external\n"
		  "addr add 203.0.113.129/25 dev wan1\n", &msg);
	if (rc || !has(msg.s, "reload.conf:2: warning: addr: 203.0.113.129/25") ||
	    !has(listing(e, "iface"), "203.0.113.129/25"))
		ok = report_whyf("overlap: %d %s", rc, msg.s ? msg.s : "(nothing said)");
	masq_text_free(&msg);
	down(e, &r);
	return ok;
}

static bool interfaces_fixed(struct masq_pool *pool)
{
	struct masq_text msg = { 0 };
	struct reload r;
	struct masq_engine *e = up(pool, &r);
	const char *f1 = "iface add dmz0 mac 02:00:00:00:03:01 role internal\n"
			 "addr add 10.9.0.1/24 dev dmz0\nset timeout icmp 5\n";
	bool ok = true;
	int rc;

	rc = load(&r, e, f1, &msg);
	if (rc)
		ok = report_whyf("first load: %d %s", rc, msg.s);
	rc = load(&r, e, "# same interfaces, new settings\n"
		  "iface add dmz0 mac 02:00:00:00:03:01 role internal\n"
		  "addr add 10.9.0.1/24 dev dmz0\nset timeout icmp 6\n", &msg);
	if (ok && (rc || !has(listing(e, "show settings"), "icmp             6")))
		ok = report_whyf("same interfaces: %d %s", rc, msg.s);
	rc = load(&r, e, "iface add dmz0 mac 02:00:00:00:03:01 role internal\n"
		  "addr add 10.9.0.2/24 dev dmz0\nset timeout icmp 7\n", &msg);
	if (ok && (rc != -EINVAL || !has(msg.s, "reload.conf:2: 'addr add 10.9.0.2/24") ||
		   !has(msg.s, "restart")))
		ok = report_whyf("changed address: %d %s", rc, msg.s);
	masq_text_free(&msg);
	rc = load(&r, e, "set timeout icmp 7\n", &msg);
	if (ok && (rc != -EINVAL || !has(msg.s, "'iface add dmz0")))
		ok = report_whyf("removed interface: %d %s", rc, msg.s);
	if (ok && !has(listing(e, "show settings"), "icmp             6"))
		ok = report_whyf("a refused reload changed a setting");
	masq_text_free(&msg);
	down(e, &r);
	return ok;
}

/*
 * set conntrack-max is held against the live table (1024 here), not the
 * scratch engine's 64 entries: up to it loads, above it is refused
 * naming the live size
 */
static bool conntrack_max_live_size(struct masq_pool *pool)
{
	struct masq_text msg = { 0 };
	struct reload r;
	struct masq_engine *e = up(pool, &r);
	bool ok = true;
	int rc;

	rc = load(&r, e, "set conntrack-max 1000\n", &msg);
	if (rc || !has(listing(e, "show settings"), "conntrack-max 1000\n"))
		ok = report_whyf("1000 of 1024: %d %s", rc, msg.s ? msg.s : "");
	masq_text_free(&msg);
	rc = load(&r, e, "set timeout udp 5\nset conntrack-max 2000\n", &msg);
	if (ok && (rc != -EINVAL || !has(msg.s, "reload.conf:2: 'set "
					 "conntrack-max 2000' failed (status 1)") ||
		   !has(msg.s, "(1024)")))
		ok = report_whyf("2000 of 1024: %d %s", rc, msg.s ? msg.s : "");
	if (ok && !has(listing(e, "show settings"), "conntrack-max 1000\n"))
		ok = report_whyf("a refused file changed the limit");
	masq_text_free(&msg);
	rc = load(&r, e, "set conntrack-max 0\n", &msg);
	if (ok && rc != -EINVAL)
		ok = report_whyf("0 passed: %d", rc);
	masq_text_free(&msg);
	down(e, &r);
	return ok;
}

/* A UDP flow from inside, masqueraded; Return: frames sent out */
static uint32_t udp_out(struct masq_engine *e, struct masq_pool *pool,
			uint16_t sport, uint64_t now)
{
	static const uint8_t lan_mac[6] = { 2, 0, 0, 0, 1, 1 };
	struct masq_buf *tx_bufs[16], *b = masq_pool_get(pool);
	struct masq_txq tx = { tx_bufs, 0, 16 };
	struct frame_spec s;
	uint32_t n;

	if (!b)
		return 0;
	frame_spec_udp(&s, IP4(192, 168, 0, 2), sport, IP4(198, 51, 100, 10), 53);
	memcpy(s.eth_dst, lan_mac, 6);
	s.payload_len = 8;
	frame_build(&s, b);
	b->iface = 0;
	masq_engine_input(e, &b, 1, now, &tx);
	n = tx.n;
	for (uint32_t i = 0; i < tx.n; i++)
		masq_pool_put(pool, tx.bufs[i]);
	return n;
}

static bool connections_survive(struct masq_pool *pool)
{
	struct masq_text msg = { 0 };
	struct reload r;
	struct masq_engine *e = up(pool, &r);
	bool ok = true;
	int rc;

	/* the gateway must be resolved for the frame to leave */
	ctlline_run(e, "neigh add 203.0.113.254 lladdr 02:00:00:00:02:fe dev wan0", NULL);
	rc = load(&r, e, "set filtering address-dependent\n", &msg);
	if (rc || udp_out(e, pool, 40000, NS) != 1 ||
	    masq_engine_conn_count(e) != 1)
		ok = report_whyf("setup: rc %d, %u connections", rc,
				 masq_engine_conn_count(e));
	rc = load(&r, e, "set filtering address-dependent\nset timeout udp 77\n",
		  &msg);
	if (ok && (rc || masq_engine_conn_count(e) != 1))
		ok = report_whyf("after reload: rc %d, %u connections (%s)", rc,
				 masq_engine_conn_count(e), msg.s ? msg.s : "");
	if (ok && !has(listing(e, "conntrack -L"), "sport=40000"))
		ok = report_whyf("the flow is not listed: %s", listing(e, "conntrack -L"));
	masq_text_free(&msg);
	down(e, &r);
	return ok;
}

static bool engine_commands(struct masq_pool *pool)
{
	struct masq_text out = { 0 };
	struct reload r;
	struct masq_engine *e = up(pool, &r);
	char dflt[4096];
	bool ok = true;

	snprintf(dflt, sizeof(dflt), "%s", listing(e, "show settings"));
	ctlline_run(e, "set timeout udp 5", NULL);
	ctlline_run(e, "set ports 2000-3000", NULL);
	ctlline_run(e, "set mapping address-and-port-dependent", NULL);
	ctlline_run(e, "set filtering endpoint-independent", NULL);
	ctlline_run(e, "reset settings except filtering", NULL);
	if (!has(listing(e, "show settings"), "filtering endpoint-independent") ||
	    !has(listing(e, "show settings"), "ports 1024-65535"))
		ok = report_whyf("except filtering: %s", listing(e, "show settings"));
	if (ok && (ctlline_run(e, "reset settings", NULL) ||
		   strcmp(dflt, listing(e, "show settings"))))
		ok = report_whyf("reset settings: %s", listing(e, "show settings"));
	if (ok && (ctlline_run(e, "reset settings now", &out) != 2 || !has(out.s, "usage")))
		ok = report_whyf("reset with a bad word: %s", out.s);
	masq_text_free(&out);
	if (ok && (ctlline_run(e, "route flush", &out) != 2 ||
		   ctlline_run(e, "route flush static", NULL) ||
		   has(listing(e, "route"), "default") ||
		   !has(listing(e, "route"), "203.0.113.0/24")))
		ok = report_whyf("route flush static: %s", listing(e, "route"));
	masq_text_free(&out);
	down(e, &r);
	return ok;
}

/* A daemon leaves its directory: the path is fixed at start */
/* How many times @want occurs in @s */
static int occurrences(const char *s, const char *want)
{
	int n = 0;

	for (const char *p = s; p && (p = strstr(p, want)); p += strlen(want))
		n++;
	return n;
}

/*
 * A file with iptables lines builds its rules anew at each reload, from
 * the default ruleset: reloading twice does not add them twice, and a
 * rule taken out of the file is gone.
 */
static bool rules_follow_file(struct masq_pool *pool)
{
	static const char *const rule = "-A FORWARD -p tcp -m tcp --dport 25 -j DROP";
	struct masq_text msg = { 0 };
	struct reload r;
	struct masq_engine *e = up(pool, &r);
	bool ok = true;
	int rc;

	for (int i = 0; i < 2 && ok; i++) {
		rc = load(&r, e, "iptables -I FORWARD -p tcp --dport 25 -j DROP\n",
			  &msg);
		if (rc || occurrences(listing(e, "iptables-save -t filter"), rule) != 1)
			ok = report_whyf("load %d: %d %s; %s", i, rc, msg.s ? msg.s : "",
					 listing(e, "iptables-save -t filter"));
	}
	if (ok) {
		rc = load(&r, e, "set timeout udp 300\n", &msg);
		if (rc || occurrences(listing(e, "iptables-save -t filter"), rule) ||
		    !has(listing(e, "iptables-save -t filter"), "-A FORWARD -i lan0 -j ACCEPT"))
			ok = report_whyf("rule not gone with its line: %s",
					 listing(e, "iptables-save -t filter"));
	}
	masq_text_free(&msg);
	down(e, &r);
	return ok;
}

/*
 * Forwards follow the file as rules do: a file with ipmasqadm lines makes
 * them again (the same rules once, counters from the preferences); a
 * forward added by command since is gone; a file without them, replacing
 * one with them, leaves none.
 */
static bool forwards_follow_file(struct masq_pool *pool)
{
	static const char *const fw =
		"ipmasqadm portfw -a -P tcp -L 203.0.113.1 80 -R 192.168.0.2 80 -p 10\n";
	struct masq_text msg = { 0 };
	struct reload r;
	struct masq_engine *e = up(pool, &r);
	bool ok = true;
	int rc;

	for (int i = 0; i < 2 && ok; i++) {
		rc = load(&r, e, fw, &msg);
		if (!rc && i == 0)
			rc = masq_engine_ctl(e, 11, (char *[]){ "ipmasqadm", "portfw",
				"-a", "-P", "udp", "-L", "203.0.113.1", "53", "-R",
				"192.168.0.3", "53", NULL }, &msg);
		if (rc || occurrences(listing(e, "ipmasqadm save"), "portfw") != 1 + !i ||
		    !has(listing(e, "ipmasqadm save"), fw))
			ok = report_whyf("load %d: %d %s; %s", i, rc, msg.s ? msg.s : "",
					 listing(e, "ipmasqadm save"));
	}
	if (ok) {
		rc = load(&r, e, "set timeout udp 300\n", &msg);
		if (rc || occurrences(listing(e, "ipmasqadm save"), "portfw"))
			ok = report_whyf("forward not gone with its line: %s",
					 listing(e, "ipmasqadm save"));
	}
	masq_text_free(&msg);
	down(e, &r);
	return ok;
}

/*
 * Helpers follow the file as forwards do: a file with helper lines starts
 * from the defaults at each reload (a change made by command since is
 * undone, a line taken out is undone); a file without them, replacing
 * one with them, leaves the defaults; with neither, a change made by
 * command stays.
 */
static bool helpers_follow_file(struct masq_pool *pool)
{
	static const char *const file = "helper irc on ports 6667,6697\n"
					"helper tftp off\n";
	struct masq_text msg = { 0 };
	struct reload r;
	struct masq_engine *e = up(pool, &r);
	bool ok = true;
	int rc;

	for (int i = 0; i < 2 && ok; i++) {
		rc = load(&r, e, file, &msg);
		if (!rc && i == 0)
			rc = ctlline_run(e, "helper ftp off", &msg);
		if (rc || !has(listing(e, "helper"), "irc on ports 6667,6697") ||
		    !has(listing(e, "helper"), "tftp off ports 69") ||
		    !has(listing(e, "helper"), i ? "ftp on ports 21" : "ftp off"))
			ok = report_whyf("load %d: %d %s; %s", i, rc, msg.s ? msg.s : "",
					 listing(e, "helper"));
	}
	if (ok) {
		rc = load(&r, e, "set timeout udp 300\n", &msg);
		if (rc || strcmp(listing(e, "helper"), "ftp on ports 21\n"
				 "irc off ports 6667\ntftp on ports 69\n"))
			ok = report_whyf("helpers not back to the defaults: %s",
					 listing(e, "helper"));
	}
	if (ok) {
		rc = ctlline_run(e, "helper tftp off", &msg);
		if (!rc)
			rc = load(&r, e, "set timeout udp 301\n", &msg);
		if (rc || !has(listing(e, "helper"), "tftp off"))
			ok = report_whyf("a helper set by command went: %s",
					 listing(e, "helper"));
	}
	if (ok) {
		rc = load(&r, e, "helper gopher on\n", &msg);
		if (rc != -EINVAL || !has(msg.s, ":1:") ||
		    !has(msg.s, "no helper 'gopher'") ||
		    !has(listing(e, "helper"), "tftp off"))
			ok = report_whyf("a bad helper line: %d %s; %s", rc,
					 msg.s ? msg.s : "", listing(e, "helper"));
	}
	masq_text_free(&msg);
	down(e, &r);
	return ok;
}

/*
 * The bound of a 3,000-line load: one job a line took 5.6 s optimised,
 * far more under a sanitizer, where the batch takes up to 0.7 s
 */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define LINEAR_BOUND_S	5.0
#else
#define LINEAR_BOUND_S	1.0
#endif

static double seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* @n iptables lines (none matching the lab's traffic), and a setting */
static char *many_rules(int n, int net)
{
	size_t cap = (size_t)n * 96 + 64, len = 0;
	char *t = malloc(cap);

	if (!t)
		return NULL;
	len += (size_t)snprintf(t, cap, "set timeout udp 301\n");
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(t + len, cap - len, "iptables -A FORWARD "
					"-s 172.%d.%d.%d/32 -p tcp --dport %d "
					"-j DROP\n", net, i / 250, i % 250 + 1,
					1024 + i);
	return t;
}

/*
 * 3,000 iptables lines load and reload in under a second each (about
 * 0.03 s optimised; 0.3-0.7 s under ASan or TSan, bound 5 s there): they
 * are one ruleset compiled once, not 3,000 copies and compiles (which
 * took 5.6 s a pass). The rules are in effect after each.
 */
static bool rules_reload_linear(struct masq_pool *pool)
{
	struct masq_text msg = { 0 };
	struct reload r;
	struct masq_engine *e = up(pool, &r);
	bool ok = true;

	for (int pass = 0; pass < 3 && ok; pass++) {
		char *text = many_rules(3000, 16 + pass), want[64];
		double t0 = seconds(), dt;
		int rc = text ? load(&r, e, text, &msg) : -ENOMEM;
		struct masq_text save = { 0 };

		dt = seconds() - t0;
		ctlline_run(e, "iptables-save -t filter", &save);
		snprintf(want, sizeof(want), "-A FORWARD -s 172.%d.", 16 + pass);
		printf("# reload of 3,000 iptables lines, pass %d: %.3f s\n",
		       pass, dt);
		if (rc || occurrences(save.s, want) != 3000 ||
		    (pass && occurrences(save.s, "-A FORWARD -s 172.16.")))
			ok = report_whyf("pass %d: %d %s; %d rules", pass, rc,
					 msg.s ? msg.s : "", occurrences(save.s, want));
		else if (dt > LINEAR_BOUND_S)
			ok = report_whyf("pass %d took %.3f s", pass, dt);
		masq_text_free(&save);
		free(text);
	}
	masq_text_free(&msg);
	down(e, &r);
	return ok;
}

/*
 * Errors of rule lines and of other lines are said in file order, with
 * their lines; the rules in effect stay as they were
 */
static bool rule_errors_in_order(struct masq_pool *pool)
{
	struct masq_text msg = { 0 };
	struct reload r;
	struct masq_engine *e = up(pool, &r);
	char before[4096];
	const char *m1, *m2, *m3, *m4;
	bool ok = true;
	int rc;

	rc = load(&r, e, "iptables -A FORWARD -p udp --dport 7 -j DROP\n", &msg);
	snprintf(before, sizeof(before), "%s", listing(e, "iptables-save"));
	if (!rc)
		rc = load(&r, e, "set bogus 1\n"
			  "iptables -A FORWARD -j NOSUCHCHAIN\n"
			  "iptables -A FORWARD -p udp --dport 9 -j DROP\n"
			  "iptables -D FORWARD -p tcp --dport 1 -j DROP\n"
			  "route add 10.0.0.0/8 via 1.2.3\n", &msg);
	m1 = has(msg.s, "reload.conf:1: 'set bogus 1'") ? strstr(msg.s, ":1: ") : NULL;
	m2 = m1 ? strstr(m1, "reload.conf:2: 'iptables -A FORWARD -j NOSUCHCHAIN' failed (status ") : NULL;
	m3 = m2 ? strstr(m2, "reload.conf:4: 'iptables -D FORWARD") : NULL;
	m4 = m3 ? strstr(m3, "reload.conf:5: 'route add") : NULL;
	if (rc != -EINVAL || !m4 || has(msg.s, ":3:"))
		ok = report_whyf("%d, errors not in order or not named: %s", rc,
				 msg.s ? msg.s : "");
	else if (strcmp(before, listing(e, "iptables-save")))
		ok = report_whyf("a refused reload changed the rules: %s",
				 listing(e, "iptables-save"));
	masq_text_free(&msg);
	down(e, &r);
	return ok;
}

/* reload_prepare() on a thread of its own, as masqd runs it */
struct prep {
	struct reload *r;
	struct masq_engine *e;
	struct reload_job *job;
	struct masq_text msg;
	int ret;
	atomic_bool done;
};

static void *prep_thread(void *arg)
{
	struct prep *p = arg;

	p->ret = reload_prepare(p->r, p->e, &p->job, &p->msg);
	atomic_store(&p->done, true);
	return NULL;
}

/*
 * A reload prepared on a second thread while packets go through the live
 * engine (masqd's worker and loop), then committed: the rules are in
 * effect and the connections made meanwhile are there. Under
 * ThreadSanitizer (build/tests-tsan/) any state both threads touch
 * without synchronisation is reported.
 */
static bool prepare_beside_packets(struct masq_pool *pool)
{
	struct reload r;
	struct masq_engine *e = up(pool, &r);
	struct prep p = { .r = &r, .e = e };
	struct masq_text save = { 0 };
	char *text = many_rules(3000, 20);
	uint32_t sent = 0;
	pthread_t t;
	bool ok = true;
	int rc;

	ctlline_run(e, "neigh add 203.0.113.254 lladdr 02:00:00:00:02:fe dev wan0", NULL);
	rc = load(&r, e, "set timeout udp 300\n", &p.msg);
	if (rc || !text) {
		ok = report_whyf("start: %d", rc);
		goto out;
	}
	write_file(text);
	if (pthread_create(&t, NULL, prep_thread, &p)) {
		ok = report_whyf("pthread_create failed");
		goto out;
	}
	do
		sent += udp_out(e, pool, (uint16_t)(20000 + sent % 20000),
				NS + sent * 1000);
	while (!atomic_load(&p.done) || sent < 2);
	pthread_join(t, NULL);
	rc = p.ret ? p.ret : reload_commit(&r, e, p.job, &p.msg);
	ctlline_run(e, "iptables-save -t filter", &save);
	if (rc || occurrences(save.s, "-A FORWARD -s 172.20.") != 3000)
		ok = report_whyf("%d %s; %d rules", rc, p.msg.s ? p.msg.s : "",
				 occurrences(save.s, "-A FORWARD -s 172.20."));
	else if (masq_engine_conn_count(e) < 2)
		ok = report_whyf("%u connections after %u frames out",
				 masq_engine_conn_count(e), sent);
	printf("# a reload prepared beside %u frames\n", sent);
out:
	reload_job_free(p.job);
	masq_text_free(&save);
	masq_text_free(&p.msg);
	free(text);
	down(e, &r);
	return ok;
}

static bool relative_path(void)
{
	struct reload r;
	char cwd[4096], want[4200];
	bool ok;

	if (!getcwd(cwd, sizeof(cwd)) || reload_init(&r, "rel.conf", NULL))
		return report_whyf("getcwd or reload_init failed");
	snprintf(want, sizeof(want), "%s/rel.conf", cwd);
	ok = r.path && !strcmp(r.path, want);
	if (!ok)
		report_whyf("path '%s', expected '%s'", r.path ? r.path : "(null)", want);
	reload_fini(&r);
	return ok;
}

/*
 * A table the file writes starts empty, the default policies kept; a
 * table it does not write keeps the default ruleset (masq.conf(5)); the
 * state says which tables were replaced and whether nat masquerades.
 */
static bool tables_replaced(struct masq_pool *pool)
{
	struct masq_text msg = { 0 };
	struct reload r;
	struct masq_engine *e = up(pool, &r);
	const char *f, *n;
	bool ok = true;
	int rc;

	rc = load(&r, e, "iptables -A FORWARD -p tcp --dport 25 -j REJECT\n"
		  "iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN "
		  "-j TCPMSS --clamp-mss-to-pmtu\n", &msg);
	f = listing(e, "iptables-save -t filter");
	n = listing(e, "iptables-save -t nat");
	if (rc || has(f, "-A FORWARD -i lan0 -j ACCEPT") ||
	    !has(f, ":FORWARD DROP") || !has(f, ":INPUT DROP") ||
	    !has(f, "-A FORWARD -p tcp -m tcp --dport 25 -j REJECT") ||
	    !has(n, "-A POSTROUTING -o wan0 -j MASQUERADE") ||
	    strcmp(r.replaced, "filter mangle") || r.unmasked)
		ok = report_whyf("filter+mangle: %d %s [%s] %d\n%s%s", rc,
				 msg.s ? msg.s : "", r.replaced, r.unmasked, f, n);
	rc = ok ? load(&r, e, "iptables -t nat -A PREROUTING -p tcp --dport 80 "
		       "-j DNAT --to-destination 192.168.0.2\n"
		       "iptables -P FORWARD ACCEPT\n", &msg) : -1;
	f = listing(e, "iptables-save -t filter");
	n = listing(e, "iptables-save -t nat");
	if (ok && (rc || has(n, "MASQUERADE") || !has(f, ":FORWARD ACCEPT") ||
		   has(f, "-A FORWARD -i lan0 -j ACCEPT") ||
		   strcmp(r.replaced, "filter nat") || !r.unmasked))
		ok = report_whyf("nat+policy: %d %s [%s] %d\n%s%s", rc,
				 msg.s ? msg.s : "", r.replaced, r.unmasked, f, n);
	rc = ok ? load(&r, e, "reset rules\n"
		       "iptables -I FORWARD -p tcp --dport 25 -j REJECT\n",
		       &msg) : -1;
	f = listing(e, "iptables-save -t filter");
	if (ok && (rc || r.replaced[0] || r.unmasked ||
		   !has(f, "-A FORWARD -p tcp -m tcp --dport 25 -j REJECT") ||
		   !has(f, "-A FORWARD -i lan0 -j ACCEPT")))
		ok = report_whyf("reset rules first: %d [%s] %s", rc, r.replaced, f);
	rc = ok ? load(&r, e, "set timeout udp 300\n", &msg) : -1;
	if (ok && (rc || r.replaced[0] || r.unmasked ||
		   !has(listing(e, "iptables-save -t filter"),
			"-A FORWARD -i lan0 -j ACCEPT")))
		ok = report_whyf("no rules: %d [%s]", rc, r.replaced);
	masq_text_free(&msg);
	down(e, &r);
	return ok;
}

/* The directory of the reload's file, for a file beside it */
static void beside_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%.*s/%s", (int)(strrchr(path, '/') - path), path,
		 name);
}

static void write_beside(const char *name, const char *text)
{
	char p[128];
	FILE *f;

	beside_path(p, sizeof(p), name);
	f = fopen(p, "w");
	if (!f) {
		perror(p);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

/*
 * `iptables-restore FILE` loads saved rules by a path relative to the
 * file; a bad line is told with the included file's name and line, and
 * nothing changes; the file naming itself is refused
 */
static bool restore_file(struct masq_pool *pool)
{
	struct masq_text msg = { 0 };
	struct reload r;
	struct masq_engine *e = up(pool, &r);
	char before[4096], inc[128];
	bool ok = true;
	int rc;

	write_beside("saved.rules", "*filter\n:INPUT DROP [0:0]\n"
		     ":FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
		     "-A FORWARD -s 192.168.0.7/32 -j ACCEPT\nCOMMIT\n");
	rc = load(&r, e, "iptables-restore saved.rules\n", &msg);
	if (rc || !has(listing(e, "iptables-save -t filter"),
		       "-A FORWARD -s 192.168.0.7/32 -j ACCEPT") ||
	    strcmp(r.replaced, "filter"))
		ok = report_whyf("good: %d %s", rc, msg.s ? msg.s : "");
	snprintf(before, sizeof(before), "%s", listing(e, "iptables-save"));
	write_beside("saved.rules", "*filter\n-A FORWARD -j ACCEPT\n"
		     "-A FORWARD -p tcp --dport 1 -j NOPE\nCOMMIT\n");
	masq_text_free(&msg);
	rc = ok ? load(&r, e, "set timeout udp 77\n"
		       "iptables-restore saved.rules\n", &msg) : 0;
	beside_path(inc, sizeof(inc), "saved.rules:3: ");
	if (ok && (rc != -EINVAL || !has(msg.s, inc) ||
		   !has(msg.s, "reload.conf:2: 'iptables-restore saved.rules'") ||
		   strcmp(before, listing(e, "iptables-save"))))
		ok = report_whyf("bad line: %d %s", rc, msg.s ? msg.s : "");
	masq_text_free(&msg);
	rc = ok ? load(&r, e, "iptables-restore reload.conf\n", &msg) : 0;
	if (ok && (rc != -EINVAL || !has(msg.s, "reload.conf:1: ") ||
		   !has(msg.s, "a loop")))
		ok = report_whyf("loop: %d %s", rc, msg.s ? msg.s : "");
	masq_text_free(&msg);
	rc = ok ? load(&r, e, "iptables-restore nosuch.rules\n", &msg) : 0;
	if (ok && (rc != -EINVAL || !has(msg.s, "nosuch.rules: cannot read")))
		ok = report_whyf("missing: %d %s", rc, msg.s ? msg.s : "");
	beside_path(inc, sizeof(inc), "saved.rules");
	unlink(inc);
	masq_text_free(&msg);
	down(e, &r);
	return ok;
}

/* Service and protocol names resolve from the table; a host name not */
static bool names_resolve(struct masq_pool *pool)
{
	static const char services[] = "ssh\t\t22/tcp\t# SSH\n"
				       "domain 53/udp\n";
	static const char protocols[] = "gre\t47\tGRE\n";
	struct masq_text msg = { 0 };
	struct reload r;
	struct masq_engine *e = up(pool, &r);
	bool ok = true;
	int rc;

	services_parse(services, sizeof(services) - 1, false);
	services_parse(protocols, sizeof(protocols) - 1, true);
	rc = load(&r, e, "iptables -A INPUT -p tcp --dport ssh -j ACCEPT\n"
		  "iptables -A INPUT -p gre -j ACCEPT\n", &msg);
	if (rc || !has(listing(e, "iptables-save -t filter"),
		       "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT") ||
	    !has(listing(e, "iptables-save -t filter"), "-A INPUT -p gre -j ACCEPT"))
		ok = report_whyf("names: %d %s %s", rc, msg.s ? msg.s : "",
				 listing(e, "iptables-save -t filter"));
	masq_text_free(&msg);
	rc = ok ? load(&r, e, "iptables -A INPUT -s gw.example -j ACCEPT\n",
		       &msg) : 0;
	if (ok && (rc != -EINVAL || !has(msg.s, "masqctl looks host names up")))
		ok = report_whyf("host: %d %s", rc, msg.s ? msg.s : "");
	services_free();
	masq_text_free(&msg);
	down(e, &r);
	return ok;
}

int main(void)
{
	struct masq_pool *pool = masq_pool_create(256, 2048);
	char dir[] = "/tmp/masq-reload-XXXXXX";

	if (!pool || !mkdtemp(dir)) {
		fprintf(stderr, "test_reload: no pool or temporary directory\n");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/reload.conf", dir);
	report("settings_replaced", settings_replaced(pool));
	report("error_names_line_changes_nothing", error_names_line(pool));
	report("routes_and_neigh_follow_file", routes_and_neigh_follow_file(pool));
	report("hand_routes_and_neigh_stay", hand_routes_and_neigh_stay(pool));
	report("interfaces_fixed", interfaces_fixed(pool));
	report("warnings_said", warnings_said(pool));
	report("conntrack_max_against_live_size", conntrack_max_live_size(pool));
	report("connections_survive", connections_survive(pool));
	report("engine_reset_and_flush", engine_commands(pool));
	report("relative_path_made_absolute", relative_path());
	report("rules_follow_file", rules_follow_file(pool));
	report("forwards_follow_file", forwards_follow_file(pool));
	report("helpers_follow_file", helpers_follow_file(pool));
	report("rules_reload_linear", rules_reload_linear(pool));
	report("rule_errors_in_file_order", rule_errors_in_order(pool));
	report("prepare_beside_packets", prepare_beside_packets(pool));
	report("tables_replaced", tables_replaced(pool));
	report("restore_file", restore_file(pool));
	report("names_resolve", names_resolve(pool));
	unlink(path);
	rmdir(dir);
	masq_pool_destroy(pool);
	return 0;
}
