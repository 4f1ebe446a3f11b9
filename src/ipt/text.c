// SPDX-License-Identifier: MIT
/*
 * text.c - the growing text buffer of libipt (listings, saves, formatted
 *	    commands)
 *
 * Control plane only. The buffer doubles as it grows (amortised O(1) per
 * byte). When an allocation fails the text stops growing: @oom is set,
 * everything printed before stays (NUL-terminated), and every later print
 * is dropped, so a short text is never mistaken for a whole one and no
 * half-printed piece is left in the middle. Callers look at @oom once at
 * the end.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipt/ipt.h"

/* Make room for @more bytes and a NUL; 0, or -1 (nothing changed) */
static int text_reserve(struct ipt_text *t, size_t more)
{
	size_t want, cap;
	char *s;

	if (more > SIZE_MAX / 4 - t->len)
		return -1;
	want = t->len + more + 1;
	if (want <= t->cap)
		return 0;
	cap = t->cap < 256 ? 256 : t->cap;
	while (cap < want)
		cap *= 2;
	s = realloc(t->s, cap);
	if (!s)
		return -1;
	t->s = s;
	t->cap = cap;
	return 0;
}

/**
 * ipt_text_printf() - Append formatted text
 * @t:		the buffer (zeroed before first use)
 * @fmt:	printf format
 *
 * On allocation failure sets @t->oom and drops this and every later print.
 */
void ipt_text_printf(struct ipt_text *t, const char *fmt, ...)
{
	va_list ap, ap2;
	int n;

	if (t->oom)
		return;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || text_reserve(t, (size_t)n)) {
		va_end(ap2);
		t->oom = true;
		return;
	}
	vsnprintf(t->s + t->len, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	t->len += (size_t)n;
}

/**
 * ipt_text_free() - Release a buffer and zero it for reuse
 * @t:		the buffer
 */
void ipt_text_free(struct ipt_text *t)
{
	free(t->s);
	*t = (struct ipt_text){ 0 };
}
