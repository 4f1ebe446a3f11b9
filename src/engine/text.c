// SPDX-License-Identifier: MIT
/*
 * text.c - growable text for control-plane answers (never the packet path)
 *
 * On allocation failure the text is cut short and ends in a marker, so a
 * listing under memory pressure says it is incomplete instead of lying.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "masq/engine.h"

static int text_reserve(struct masq_text *t, size_t more)
{
	size_t want = t->len + more + 1;
	char *s;

	if (want <= t->cap)
		return 0;
	if (want < 2 * t->cap)
		want = 2 * t->cap;
	if (want < 256)
		want = 256;
	s = realloc(t->s, want);
	if (!s)
		return -1;
	t->s = s;
	t->cap = want;
	return 0;
}

void masq_text_printf(struct masq_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (text_reserve(t, (size_t)n)) {
		static const char cut[] = "\n[output truncated: out of memory]\n";

		if (t->cap > t->len + sizeof(cut))
			memcpy(t->s + t->len, cut, sizeof(cut));
		return;
	}
	va_start(ap, fmt);
	vsnprintf(t->s + t->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

void masq_text_free(struct masq_text *t)
{
	free(t->s);
	*t = (struct masq_text){ 0 };
}
