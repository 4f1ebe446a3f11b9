// SPDX-License-Identifier: MIT
/*
 * ctlline.c - control commands as lines, for tests, fuzzers and benchmarks
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctlline.h"

const char *const ctlline_topology[] = {
	"iface add lan0 mac 02:00:00:00:01:01 role internal",
	"iface add wan0 mac 02:00:00:00:02:01 role external",
	"addr add 192.168.0.1/24 dev lan0",
	"addr add 203.0.113.1/24 dev wan0",
	"route add default via 203.0.113.254",
	"neigh add 203.0.113.254 lladdr 02:00:00:00:02:fe dev wan0",
	"neigh add 192.168.0.2 lladdr 02:00:00:00:01:02 dev lan0",
	"neigh add 192.168.0.3 lladdr 02:00:00:00:01:03 dev lan0",
	NULL,
};

int ctlline_run(struct masq_engine *e, const char *line, struct masq_text *out)
{
	char buf[512], *argv[64], *save = NULL, *w;
	struct masq_text scratch = { 0 };
	int argc = 0, rc;

	snprintf(buf, sizeof(buf), "%s", line);
	for (w = strtok_r(buf, " ", &save); w && argc < 63;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	rc = masq_engine_ctl(e, argc, argv, out ? out : &scratch);
	masq_text_free(&scratch);
	return rc;
}

void ctlline_must(struct masq_engine *e, const char *fmt, ...)
{
	struct masq_text out = { 0 };
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (ctlline_run(e, line, &out)) {
		fprintf(stderr, "'%s' failed: %s\n", line,
			out.s ? out.s : "");
		exit(1);
	}
	masq_text_free(&out);
}

int ctlline_run_all(struct masq_engine *e, const char *const *lines)
{
	for (int i = 0; lines[i]; i++)
		if (ctlline_run(e, lines[i], NULL) != 0)
			return i;
	return -1;
}

void ctlline_small_limits(struct masq_limits *lim)
{
	masq_limits_default(lim);
	lim->max_conns = 256;
	lim->max_neigh = 32;
	lim->neigh_queue = 8;
	lim->max_routes = 32;
	lim->frag_mem = 16384;		/* the least: evictions come soon */
}
