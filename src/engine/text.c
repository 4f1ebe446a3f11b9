// SPDX-License-Identifier: MIT
/*
 * text.c - growable text for control-plane answers (never the packet path)
 *
 * On allocation failure the text is cut short: @oom is set, nothing more
 * is appended, and the text ends in a marker, so a listing under memory
 * pressure says it is incomplete instead of lying. The marker always
 * fits: every growth keeps room for it behind the text. A caller that
 * sends the text on (masqd) turns @oom into a failed status as well.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "masq/engine.h"

static const char text_cut_marker[] = "\n[output truncated: out of memory]\n";

/* Room for @more bytes, their NUL and the marker; 0 or -1 */
static int text_reserve(struct masq_text *t, size_t more)
{
	size_t want = t->len + more + sizeof(text_cut_marker);
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

/* Out of memory: the text ends here, with the marker (room was kept) */
static void text_cut(struct masq_text *t)
{
	t->oom = 1;
	if (!t->s)
		return;
	memcpy(t->s + t->len, text_cut_marker, sizeof(text_cut_marker));
	t->len += sizeof(text_cut_marker) - 1;
}

/**
 * masq_text_printf() - Append formatted text
 * @t:		the text (zeroed to start)
 * @fmt:	printf format
 *
 * Nothing is appended once the text ran out of memory (@t->oom).
 */
void masq_text_printf(struct masq_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (text_reserve(t, (size_t)n)) {
		text_cut(t);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(t->s + t->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

/**
 * masq_text_append() - Append bytes as they are
 * @t:		the text
 * @s:		bytes (no NUL needed)
 * @n:		how many
 *
 * One copy, no format: for listings made a line at a time. Nothing is
 * appended once the text ran out of memory.
 */
void masq_text_append(struct masq_text *t, const char *s, size_t n)
{
	if (t->oom)
		return;
	if (text_reserve(t, n)) {
		text_cut(t);
		return;
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

/**
 * masq_text_free() - Release a text and zero it for reuse
 * @t:		the text
 */
void masq_text_free(struct masq_text *t)
{
	free(t->s);
	*t = (struct masq_text){ 0 };
}
