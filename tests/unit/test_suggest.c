// SPDX-License-Identifier: MIT
/*
 * test_suggest.c - "did you mean": the nearest known word
 * (src/control/suggest.c)
 *
 * The distance on known pairs (a swap of neighbours is one edit, not
 * two), the typos the administrator makes (--internl, relaod, sats)
 * finding their word, words near nothing finding none, ties going to the
 * table's first, and the bounds: an empty word, a word too long, a table
 * ended early by a NULL name, a struct table read by its stride.
 *
 * Prints "ok suggest/NAME" or "FAIL suggest/NAME: why".
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "control/suggest.h"
#include "../lib/report.h"

static const char *const verbs[] = {
	"iface", "addr", "route", "neigh", "stats", "set", "show", "reset",
	"reload", "recent", "rules", "save",
};

#define NVERBS	(sizeof(verbs) / sizeof(verbs[0]))

static const char *near(const char *typed)
{
	return suggest_word(typed, strlen(typed), verbs, NVERBS,
			    sizeof(verbs[0]));
}

static void distance(const char *a, const char *b, size_t want)
{
	size_t d = suggest_distance(a, strlen(a), b);
	char name[64];

	snprintf(name, sizeof(name), "suggest/distance_%s_%s", a, b);
	report_checkf(name, d == want, "%zu, want %zu", d, want);
}

static void meant(const char *typed, const char *want)
{
	const char *got = near(typed);
	char name[64];

	snprintf(name, sizeof(name), "suggest/typo_%s", typed);
	report_checkf(name, want ? got && !strcmp(got, want) : !got,
		      "'%s', want '%s'", got ? got : "(none)",
		      want ? want : "(none)");
}

/* A struct option table, read by its stride: masqd's case */
static void long_options(void)
{
	static const struct option opts[] = {
		{ "internal", required_argument, NULL, 1 },
		{ "external", required_argument, NULL, 2 },
		{ "gateway", required_argument, NULL, 3 },
		{ NULL, 0, NULL, 0 },
	};
	const char *got = suggest_word("internl=lan0", 7, opts, 4,
				       sizeof(opts[0]));
	const char *none = suggest_word("internet-x", 10, opts, 4,
					sizeof(opts[0]));

	report_checkf("suggest/struct_option_table",
		      got && !strcmp(got, "internal") && !none,
		      "'%s' and '%s'", got ? got : "(none)",
		      none ? none : "(none)");
}

/* Equally near two: the table's first */
static void tie(void)
{
	static const char *const t[] = { "cat", "bat", NULL, "hat" };
	const char *got = suggest_word("at", 2, t, 4, sizeof(t[0]));
	const char *past_null = suggest_word("hat", 3, t, 4, sizeof(t[0]));

	report_checkf("suggest/tie_first_then_null_ends",
		      got && !strcmp(got, "cat") && past_null &&
		      !strcmp(past_null, "cat"),
		      "'%s', '%s'", got ? got : "(none)",
		      past_null ? past_null : "(none)");
}

static void bounds(void)
{
	char big[SUGGEST_MAX_LEN + 2];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	report_checkf("suggest/too_long",
		      suggest_distance(big, strlen(big), "a") == SIZE_MAX &&
		      !near(big), "a word of %zu letters was measured",
		      strlen(big));
	report_checkf("suggest/empty", !near(""), "the empty word found one");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	distance("relaod", "reload", 1);	/* a swap: one edit */
	distance("internl", "internal", 1);
	distance("kitten", "sitting", 3);
	distance("", "abc", 3);
	distance("abc", "abc", 0);
	distance("ca", "abc", 3);	/* no edit of a swapped pair */
	meant("relaod", "reload");
	meant("sats", "stats");
	meant("resett", "reset");
	meant("ifcae", "iface");
	meant("stats", "stats");
	meant("xyzzy", NULL);
	meant("conntrack", NULL);
	meant("zq", NULL);		/* two letters, none of them right */
	long_options();
	tie();
	bounds();
	return report_failures() ? 1 : 0;
}
