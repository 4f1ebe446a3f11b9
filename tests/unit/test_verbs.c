// SPDX-License-Identifier: MIT
/*
 * test_verbs.c - masqctl --help's verb table (src/control/verbs.c) is
 * the verbs masqd runs
 *
 * Both ways: every verb the engine dispatches (masq_engine_verb()) has a
 * row, and every row said to be the engine's is answered by an engine as
 * something other than "unknown command". The help text has a line per
 * row (reset rules was once missing), and a mistyped verb finds the one
 * meant. masqd's own verbs (txn, reload) are listed by hand: they are
 * checked end to end (tests/e2e/129-admin-small.sh).
 *
 * Prints "ok verbs/NAME" or "FAIL verbs/NAME: why".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/verbs.h"
#include "masq/engine.h"
#include "../lib/ctlline.h"
#include "../lib/report.h"

/* Every engine verb has a row; Return: 0 or -1 (why kept) */
static int engine_verbs_listed(void)
{
	const char *v;
	size_t i;

	for (i = 0; (v = masq_engine_verb(i)); i++) {
		if (!ctl_verb_known(v))
			return report_failf("the engine runs '%s'; no help row", v);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(v, masq_engine_verb(j)))
				return report_failf("'%s' twice", v);
	}
	return i < 10 ? report_failf("only %zu engine verbs", i) : 0;
}

static bool engine_has(const char *name)
{
	const char *v;

	for (size_t i = 0; (v = masq_engine_verb(i)); i++)
		if (!strcmp(v, name))
			return true;
	return false;
}

/* Every engine row is a verb an engine runs; Return: 0 or -1 */
static int engine_rows_run(struct masq_engine *e)
{
	for (size_t i = 0; i < ctl_verbs_num; i++) {
		const struct ctl_verb *r = &ctl_verbs[i];
		struct masq_text out = { 0 };
		bool unknown;

		if (r->where != CTL_VERB_ENGINE)
			continue;
		ctlline_run(e, r->name, &out);
		unknown = out.s && strstr(out.s, "unknown command");
		masq_text_free(&out);
		if (unknown || !engine_has(r->name))
			return report_failf("row '%s %s': the engine does not "
					    "run it", r->name, r->args);
	}
	return 0;
}

/* The help has each row's synopsis at the start of a line */
static int help_lists_rows(void)
{
	char *text = NULL, line[256];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc = 0;

	if (!f)
		return report_failf("open_memstream failed");
	fputc('\n', f);		/* each row then follows a newline */
	ctl_verbs_help(f);
	fclose(f);
	for (size_t i = 0; i < ctl_verbs_num && !rc; i++) {
		snprintf(line, sizeof(line), "\n  %s%s%s", ctl_verbs[i].name,
			 *ctl_verbs[i].args ? " " : "", ctl_verbs[i].args);
		if (!strstr(text, line))
			rc = report_failf("no line '%s'", line + 1);
	}
	if (!rc && !strstr(text, "\n  reset rules "))
		rc = report_failf("no 'reset rules' line");
	free(text);
	return rc;
}

static int typo_finds_verb(void)
{
	const char *got = ctl_verb_suggest("relaod");
	const char *none = ctl_verb_suggest("frobnicate");

	if (!got || strcmp(got, "reload"))
		return report_failf("relaod: '%s'", got ? got : "(none)");
	if (none)
		return report_failf("frobnicate: '%s'", none);
	return 0;
}

int main(void)
{
	struct masq_pool *pool = masq_pool_create(64, 2048);
	struct masq_limits lim;
	struct masq_engine *e;

	setvbuf(stdout, NULL, _IOLBF, 0);
	masq_limits_default(&lim);
	e = pool ? masq_engine_create(&lim, pool) : NULL;
	if (!e) {
		printf("FAIL verbs/engine: none made\n");
		return 1;
	}
	report_case("verbs", "engine_verbs_listed", engine_verbs_listed());
	report_case("verbs", "engine_rows_run", engine_rows_run(e));
	report_case("verbs", "help_lists_every_row", help_lists_rows());
	report_case("verbs", "typo_finds_verb", typo_finds_verb());
	masq_engine_destroy(e);
	masq_pool_destroy(pool);
	return report_failures() ? 1 : 0;
}
