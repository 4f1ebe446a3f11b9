// SPDX-License-Identifier: MIT
/*
 * test_origdst.c - the control command `origdst CLIENT:PORT LOCAL:PORT
 * [tcp|udp]` (src/engine/origdst.c)
 *
 * The connections are written into the engine's connection table with
 * its own functions (ct_alloc(), ct_insert()), as the packet path leaves
 * a connection it delivered to the router host: t[ORIG] as the client
 * sent it (to the destination it meant), t[REPLY] from the host's socket
 * back to the client, CT_F_DNAT and CT_X_TO_HOST. (Scenarios ask about
 * connections made by real frames: tests/scenarios/redirect_origdst.scn
 * REDIRECTs to the host's twin, origdst_dnat.scn DNATs to a LAN host.)
 * Then the command is run through masq_engine_ctl() as masqd runs it,
 * and its status and exact text are checked:
 *
 *	found		a REDIRECTed TCP and UDP connection: "ADDR:PORT\n", 0
 *	not for you	no connection; a DNAT not to the host; a delivery to
 *			the host without translation; the tuple the original
 *			way; the other protocol: "origdst: no such
 *			connection\n", status 1, all the same text
 *	malformed	status 2 and the word named
 *
 * Prints "ok origdst/NAME" or "FAIL origdst/NAME: why".
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "engine/eng.h"
#include "../lib/ctlline.h"
#include "../lib/report.h"

#define NO_SUCH	"origdst: no such connection\n"

static struct masq_pool *pool;

static struct masq_engine *engine(void)
{
	struct masq_limits lim;
	struct masq_engine *e;

	masq_limits_default(&lim);
	lim.max_conns = 1024;
	lim.seed = 7;
	e = masq_engine_create(&lim, pool);
	if (e && ctlline_run_all(e, ctlline_topology) >= 0) {
		masq_engine_destroy(e);
		e = NULL;
	}
	return e;
}

static uint32_t ip(const char *s)
{
	struct in_addr a = { 0 };

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

/*
 * A connection as the packet path would leave it: @from:@sport sent to
 * @to:@dport, answered from @rsrc:@rport; the flags the test wants
 */
struct conn_spec {
	uint8_t proto;
	const char *from, *to, *rsrc;
	uint16_t sport, dport, rport;
	uint8_t flags, xflags;
};

static int conn_make(struct masq_engine *e, const struct conn_spec *c)
{
	static const uint64_t unknown[2] = { 0, 0 };
	uint32_t idx = ct_alloc(&e->ct, e->now_s);
	struct ct_entry *ce;

	if (idx == CT_NONE)
		return report_failf("ct_alloc: table full");
	ce = &e->ct.e[idx];
	ce->proto = c->proto;
	ce->t[CT_ORIG] = (struct ct_tuple){ ip(c->from), ip(c->to),
					    htons(c->sport), htons(c->dport) };
	ce->t[CT_REPLY] = (struct ct_tuple){ ip(c->rsrc), ip(c->from),
					     htons(c->rport), htons(c->sport) };
	ce->flags = c->flags;
	ce->xflags = c->xflags;
	if (ct_insert(&e->ct, idx, unknown, c->proto == IPPROTO_TCP_ ?
		      CT_CLASS_TCP_SYN : CT_CLASS_UDP_UNREPLIED, e->now_s))
		return report_failf("ct_insert failed");
	return 0;
}

/* Run @line; its status must be @status and its text exactly @text */
static int expect(struct masq_engine *e, const char *line, int status,
		  const char *text)
{
	struct masq_text out = { 0 };
	int st = ctlline_run(e, line, &out), rc = 0;
	const char *got = out.s ? out.s : "";

	if (st != status || strcmp(got, text))
		rc = report_failf("'%s': status %d text '%s', want %d '%s'",
				  line, st, got, status, text);
	masq_text_free(&out);
	return rc;
}

/* Run @line; status 2 and the text names @word */
static int expect_usage(struct masq_engine *e, const char *line,
			const char *word)
{
	struct masq_text out = { 0 };
	int st = ctlline_run(e, line, &out), rc = 0;
	const char *got = out.s ? out.s : "";

	if (st != 2 || !strstr(got, word))
		rc = report_failf("'%s': status %d text '%s', want 2 naming '%s'",
				  line, st, got, word);
	masq_text_free(&out);
	return rc;
}

/* ---- cases ---------------------------------------------------------------- */

static const struct conn_spec redirected_tcp = {
	IPPROTO_TCP_, "192.168.0.2", "198.51.100.7", "192.168.0.1",
	40000, 80, 3128, CT_F_DNAT, CT_X_TO_HOST,
};

static const struct conn_spec redirected_udp = {
	IPPROTO_UDP_, "192.168.0.3", "198.51.100.8", "192.168.0.1",
	5353, 53, 5300, CT_F_DNAT, CT_X_TO_HOST,
};

static int found(struct masq_engine *e)
{
	int rc = conn_make(e, &redirected_tcp) || conn_make(e, &redirected_udp);

	rc = rc || expect(e, "origdst 192.168.0.2:40000 192.168.0.1:3128", 0,
			  "198.51.100.7:80\n");
	rc = rc || expect(e, "origdst 192.168.0.2:40000 192.168.0.1:3128 tcp",
			  0, "198.51.100.7:80\n");
	rc = rc || expect(e, "origdst 192.168.0.3:5353 192.168.0.1:5300 udp", 0,
			  "198.51.100.8:53\n");
	return rc;
}

static int not_for_you(struct masq_engine *e)
{
	static const struct conn_spec dnat_lan = {	/* to a LAN server */
		IPPROTO_TCP_, "198.51.100.10", "203.0.113.1", "192.168.0.2",
		5000, 8080, 80, CT_F_DNAT, 0,
	};
	static const struct conn_spec to_host_plain = {	/* ssh to the router */
		IPPROTO_TCP_, "192.168.0.2", "192.168.0.1", "192.168.0.1",
		41000, 22, 22, 0, CT_X_TO_HOST,
	};
	static const struct conn_spec host_own = {	/* the host's own */
		IPPROTO_TCP_, "203.0.113.1", "198.51.100.9", "198.51.100.9",
		45000, 443, 443, 0, CT_X_FROM_HOST,
	};
	int rc = conn_make(e, &redirected_tcp) || conn_make(e, &redirected_udp) ||
		 conn_make(e, &dnat_lan) || conn_make(e, &to_host_plain) ||
		 conn_make(e, &host_own);

	/* nothing there */
	rc = rc || expect(e, "origdst 192.168.0.9:40000 192.168.0.1:3128", 1,
			  NO_SUCH);
	/* DNAT to a LAN host: the reply way is 192.168.0.2:80 -> client */
	rc = rc || expect(e, "origdst 198.51.100.10:5000 192.168.0.2:80", 1,
			  NO_SUCH);
	/* delivered to the host untranslated */
	rc = rc || expect(e, "origdst 192.168.0.2:41000 192.168.0.1:22", 1,
			  NO_SUCH);
	/* the host's own connection, asked both ways */
	rc = rc || expect(e, "origdst 198.51.100.9:443 203.0.113.1:45000", 1,
			  NO_SUCH);
	rc = rc || expect(e, "origdst 203.0.113.1:45000 198.51.100.9:443", 1,
			  NO_SUCH);
	/* a REDIRECTed connection's original-way tuple, either order */
	rc = rc || expect(e, "origdst 198.51.100.7:80 192.168.0.2:40000", 1,
			  NO_SUCH);
	rc = rc || expect(e, "origdst 192.168.0.2:40000 198.51.100.7:80", 1,
			  NO_SUCH);
	/* the right ends, the wrong protocol */
	rc = rc || expect(e, "origdst 192.168.0.2:40000 192.168.0.1:3128 udp",
			  1, NO_SUCH);
	rc = rc || expect(e, "origdst 192.168.0.3:5353 192.168.0.1:5300", 1,
			  NO_SUCH);
	return rc;
}

static int malformed(struct masq_engine *e)
{
	static const struct {
		const char *line, *word;
	} bad[] = {
		{ "origdst", "usage" },
		{ "origdst 192.168.0.2:40000", "usage" },
		{ "origdst 192.168.0.2:40000 192.168.0.1:3128 tcp x", "usage" },
		{ "origdst 192.168.0.2 192.168.0.1:3128", "192.168.0.2" },
		{ "origdst 192.168.0.2:40000 192.168.0.1", "192.168.0.1" },
		{ "origdst 192.168.0.2:0 192.168.0.1:3128", "192.168.0.2:0" },
		{ "origdst 192.168.0.2:65536 192.168.0.1:3128", "192.168.0.2:65536" },
		{ "origdst 192.168.0.2:-1 192.168.0.1:3128", "192.168.0.2:-1" },
		{ "origdst 192.168.0.2:+80 192.168.0.1:3128", "192.168.0.2:+80" },
		{ "origdst 192.168.0.2:80x 192.168.0.1:3128", "192.168.0.2:80x" },
		{ "origdst 192.168.0.2: 192.168.0.1:3128", "192.168.0.2:" },
		{ "origdst :80 192.168.0.1:3128", ":80" },
		{ "origdst 192.168.0.300:80 192.168.0.1:3128", "192.168.0.300:80" },
		{ "origdst 192.168.0.2:40000 192.168.0.1:3128:1", "192.168.0.1:3128:1" },
		{ "origdst router:80 192.168.0.1:3128", "router:80" },
		{ "origdst 192.168.0.2:40000 192.168.0.1:3128 icmp", "icmp" },
		{ "origdst 192.168.0.2:40000 192.168.0.1:3128 6", "'6'" },
	};
	int rc = conn_make(e, &redirected_tcp);

	for (size_t i = 0; !rc && i < sizeof(bad) / sizeof(bad[0]); i++)
		rc = expect_usage(e, bad[i].line, bad[i].word);
	return rc;
}

/* A connection that ends is no longer answered for */
static int gone_after_flush(struct masq_engine *e)
{
	int rc = conn_make(e, &redirected_tcp);

	rc = rc || expect(e, "origdst 192.168.0.2:40000 192.168.0.1:3128", 0,
			  "198.51.100.7:80\n");
	rc = rc || expect(e, "conntrack -F", 0, "");
	rc = rc || expect(e, "origdst 192.168.0.2:40000 192.168.0.1:3128", 1,
			  NO_SUCH);
	return rc;
}

static void run_case(const char *name, int (*fn)(struct masq_engine *e))
{
	struct masq_engine *e = engine();
	int rc = e ? fn(e) : report_failf("no engine");

	if (e)
		masq_engine_destroy(e);
	report_case("origdst", name, rc);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	pool = masq_pool_create(256, 2048);
	if (!pool) {
		printf("FAIL origdst/setup: no pool\n");
		return 1;
	}
	run_case("redirected_tcp_and_udp_answered", found);
	run_case("others_no_such_connection", not_for_you);
	run_case("malformed_usage_names_word", malformed);
	run_case("forgotten_connection_not_answered", gone_after_flush);
	masq_pool_destroy(pool);
	return 0;
}
