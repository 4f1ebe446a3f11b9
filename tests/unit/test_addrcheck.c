// SPDX-License-Identifier: MIT
/*
 * test_addrcheck.c - questionable addresses refused, or warned of, where
 * they enter the engine (src/engine/addrcheck.c through ctl.c's
 * `addr add` and `route add ... via`)
 *
 * Each case starts from interfaces lan0 (internal), lan1 (internal),
 * wan0 and wan1 (external) with no address, runs command lines and
 * checks each one's exit status and the exact text an administrator
 * reads: the network and broadcast addresses refused with the address to
 * give instead (a /31 and a /32 accepted); an overlap between an
 * internal network and any other interface's refused naming both; two
 * external networks overlapping taken with a warning; a secondary
 * address in the same network on one interface taken silently; the
 * router's own address, or a network's network or broadcast address, as
 * a gateway refused; a refused address leaves nothing behind (the
 * interface listing and a later good address).
 *
 * Prints "ok addrcheck/NAME" or "FAIL addrcheck/NAME: why".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/ctlline.h"
#include "../lib/report.h"

static struct masq_pool *pool;

static const char *const ifaces[] = {
	"iface add lan0 mac 02:00:00:00:00:01 role internal",
	"iface add lan1 mac 02:00:00:00:00:02 role internal",
	"iface add wan0 mac 02:00:00:00:00:03 role external",
	"iface add wan1 mac 02:00:00:00:00:04 role external",
	NULL
};

struct step {
	const char *line;
	int status;		/* the command's exit status */
	const char *text;	/* its whole output ("" none) */
};

/* Run @steps on a fresh engine; Return: 0, or -1 at the first mismatch */
static int run_steps(const struct step *steps)
{
	struct masq_limits lim;
	struct masq_engine *e;
	int rc = 0;

	masq_limits_default(&lim);
	e = masq_engine_create(&lim, pool);
	if (!e || ctlline_run_all(e, ifaces) >= 0) {
		masq_engine_destroy(e);
		return report_failf("no engine");
	}
	for (const struct step *s = steps; s->line && !rc; s++) {
		struct masq_text out = { 0 };
		int st = ctlline_run(e, s->line, &out);
		const char *got = out.s ? out.s : "";

		if (st != s->status || strcmp(got, s->text))
			rc = report_failf("'%s': status %d, text '%s'; want %d, "
					  "'%s'", s->line, st, got, s->status,
					  s->text);
		masq_text_free(&out);
	}
	masq_engine_destroy(e);
	return rc;
}

static int network_address_refused(void)
{
	static const struct step s[] = {
		{ "addr add 192.168.0.0/24 dev lan0", 1,
		  "addr: 192.168.0.0 is the network address of 192.168.0.0/24; "
		  "give the router's own address, e.g. 192.168.0.1/24\n" },
		{ "addr add 10.0.0.0/8 dev lan0", 1,
		  "addr: 10.0.0.0 is the network address of 10.0.0.0/8; give "
		  "the router's own address, e.g. 10.0.0.1/8\n" },
		{ "addr add 192.168.0.1/24 dev lan0", 0, "" },
		{ NULL, 0, NULL },
	};

	return run_steps(s);
}

static int broadcast_address_refused(void)
{
	static const struct step s[] = {
		{ "addr add 192.168.0.255/24 dev lan0", 1,
		  "addr: 192.168.0.255 is the broadcast address of "
		  "192.168.0.0/24; give the router's own address, e.g. "
		  "192.168.0.254/24\n" },
		{ "addr add 203.0.113.7/30 dev wan0", 1,
		  "addr: 203.0.113.7 is the broadcast address of "
		  "203.0.113.4/30; give the router's own address, e.g. "
		  "203.0.113.6/30\n" },
		{ NULL, 0, NULL },
	};

	return run_steps(s);
}

/* RFC 3021: both addresses of a /31 are hosts; a /32 is one host */
static int slash31_and_32_accepted(void)
{
	static const struct step s[] = {
		{ "addr add 203.0.113.0/31 dev wan0", 0, "" },
		{ "addr add 198.51.100.1/31 dev wan1", 0, "" },
		{ "addr add 192.168.5.0/32 dev lan0", 0, "" },
		{ NULL, 0, NULL },
	};

	return run_steps(s);
}

static int internal_external_overlap_refused(void)
{
	static const struct step s[] = {
		{ "addr add 192.168.0.1/24 dev lan0", 0, "" },
		{ "addr add 192.168.0.200/16 dev wan0", 1,
		  "addr: 192.168.0.200/16 on wan0 (external) overlaps "
		  "192.168.0.1/24 on lan0 (internal): a host in both could be "
		  "reached on one side only; give the networks apart (or one "
		  "interface both addresses)\n" },
		{ "addr add 192.168.0.7/24 dev wan0", 1,
		  "addr: 192.168.0.7/24 on wan0 (external) overlaps "
		  "192.168.0.1/24 on lan0 (internal): a host in both could be "
		  "reached on one side only; give the networks apart (or one "
		  "interface both addresses)\n" },
		/* nothing of the refused ones is left: a good one goes in */
		{ "addr add 203.0.113.1/24 dev wan0", 0, "" },
		{ "iface", 0, NULL },
		{ NULL, 0, NULL },
	};
	struct step t[6];

	memcpy(t, s, sizeof(s));
	t[4].text = "lan0         internal mac 02:00:00:00:00:01 mtu 1500 "
		    "192.168.0.1/24\n"
		    "lan1         internal mac 02:00:00:00:00:02 mtu 1500\n"
		    "wan0         external mac 02:00:00:00:00:03 mtu 1500 "
		    "203.0.113.1/24\n"
		    "wan1         external mac 02:00:00:00:00:04 mtu 1500\n";
	return run_steps(t);
}

static int two_internals_overlap_refused(void)
{
	static const struct step s[] = {
		{ "addr add 10.1.0.1/16 dev lan0", 0, "" },
		{ "addr add 10.1.2.1/24 dev lan1", 1,
		  "addr: 10.1.2.1/24 on lan1 (internal) overlaps 10.1.0.1/16 "
		  "on lan0 (internal): a host in both could be reached on one "
		  "side only; give the networks apart (or one interface both "
		  "addresses)\n" },
		{ "addr add 10.2.0.1/16 dev lan1", 0, "" },
		{ NULL, 0, NULL },
	};

	return run_steps(s);
}

static int two_externals_overlap_warned(void)
{
	static const struct step s[] = {
		{ "addr add 203.0.113.1/24 dev wan0", 0, "" },
		{ "addr add 203.0.113.129/25 dev wan1", 0,
		  "warning: addr: 203.0.113.129/25 on wan1 (external) overlaps "
		  "203.0.113.1/24 on wan0 (external): hosts in both are reached "
		  "on the interface of the longer prefix\n" },
		{ NULL, 0, NULL },
	};

	return run_steps(s);
}

static int secondary_same_iface_accepted(void)
{
	static const struct step s[] = {
		{ "addr add 192.168.0.1/24 dev lan0", 0, "" },
		{ "addr add 192.168.0.2/24 dev lan0", 0, "" },
		{ "addr add 192.168.0.3/25 dev lan0", 0, "" },
		{ NULL, 0, NULL },
	};

	return run_steps(s);
}

static int gateway_checked(void)
{
	static const struct step s[] = {
		{ "addr add 203.0.113.1/24 dev wan0", 0, "" },
		{ "route add default via 203.0.113.1", 1,
		  "route: gateway 203.0.113.1 is the router's own address (on "
		  "wan0); give the next router's, e.g. the provider's\n" },
		{ "route add default via 203.0.113.255", 1,
		  "route: gateway 203.0.113.255 is the broadcast address of "
		  "203.0.113.0/24 (on wan0), not a router\n" },
		{ "route add default via 203.0.113.0", 1,
		  "route: gateway 203.0.113.0 is the network address of "
		  "203.0.113.0/24 (on wan0), not a router\n" },
		{ "route add default via 198.51.100.1", 1,
		  "route: gateway '198.51.100.1' is not on a connected "
		  "network\n" },
		{ "route add default via 203.0.113.254", 0, "" },
		{ NULL, 0, NULL },
	};

	return run_steps(s);
}

int main(void)
{
	static const struct {
		const char *name;
		int (*fn)(void);
	} cases[] = {
		{ "network_address_refused", network_address_refused },
		{ "broadcast_address_refused", broadcast_address_refused },
		{ "slash31_and_32_accepted", slash31_and_32_accepted },
		{ "internal_external_overlap_refused",
		  internal_external_overlap_refused },
		{ "two_internals_overlap_refused", two_internals_overlap_refused },
		{ "two_externals_overlap_warned", two_externals_overlap_warned },
		{ "secondary_same_iface_accepted", secondary_same_iface_accepted },
		{ "gateway_checked", gateway_checked },
	};
	int failed = 0;

	pool = masq_pool_create(256, 2048);
	if (!pool)
		return 1;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = cases[i].fn();

		report_case("addrcheck", cases[i].name, rc);
		failed |= rc != 0;
	}
	masq_pool_destroy(pool);
	return failed;
}
