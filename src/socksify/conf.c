// SPDX-License-Identifier: MIT
/*
 * conf.c - the autosocksify ports file and local-networks file
 *
 * Both are the seeds' files, read as the seeds' I20autosocksify.def read
 * them (`sed -e 's/#.*$//'`, then the shell's word splitting):
 *
 *	ports	destination TCP ports to SOCKSify: service names (as
 *		getservbyname(NAME, "tcp") knows them), numbers 1-65535,
 *		or ranges LOW:HIGH as iptables' --dport takes them;
 *		several on a line
 *	local	destination networks never SOCKSified: A.B.C.D[/LEN]
 *		(host bits allowed, as iptables -d allows them)
 *
 * The parsers work on a memory buffer (a NUL in it is a bad word, never
 * an end) so the fuzzer can feed them; every bad word is reported as
 * "FILE:LINE: ..." (the first few, then a count), and the result is used
 * only when there is none: the caller keeps its old tables otherwise.
 * A line is at most what the buffer holds; a word at most 63 bytes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "socksify/socksify.h"

#define WORD_MAX	64

/* What a parse is reporting into */
struct report {
	const char *name;
	char *err;
	size_t errlen;
	size_t used;
	unsigned nerr;
};

/* Add "NAME:LINE: message" to the report (the first lines that fit) */
__attribute__((format(printf, 3, 4)))
static void report_add(struct report *r, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int n;

	r->nerr++;
	if (!r->err || r->used + 1 >= r->errlen)
		return;
	n = snprintf(r->err + r->used, r->errlen - r->used, "%s%s:%u: ",
		     r->used ? "\n" : "", r->name, line);
	if (n < 0 || (size_t)n >= r->errlen - r->used) {
		r->used = r->errlen;
		return;
	}
	r->used += (size_t)n;
	va_start(ap, fmt);
	n = vsnprintf(r->err + r->used, r->errlen - r->used, fmt, ap);
	va_end(ap);
	r->used = n < 0 || (size_t)n >= r->errlen - r->used ? r->errlen :
								r->used + (size_t)n;
}

/* A word as the messages show it: printable, cut at WORD_MAX */
static void word_show(const char *w, size_t n, char out[WORD_MAX + 4])
{
	size_t k = 0;

	for (size_t i = 0; i < n && k < WORD_MAX; i++)
		out[k++] = w[i] >= 0x20 && w[i] < 0x7f ? w[i] : '?';
	if (n > WORD_MAX) {
		memcpy(out + k, "...", 3);
		k += 3;
	}
	out[k] = '\0';
}

/* A word ends at white space or a comment (a NUL is part of a word) */
static bool ends_word(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' ||
	       c == '\n' || c == '#';
}

typedef void (*word_fn)(void *ctx, struct report *r, unsigned line,
			const char *w, size_t n);

/*
 * Call @fn for each word of @text: '#' to the end of its line is a
 * comment, words are split on spaces, tabs and carriage returns.
 * Complexity: one pass over @text.
 */
static void words_each(const char *text, size_t len, struct report *r,
		       word_fn fn, void *ctx)
{
	unsigned line = 1;
	size_t i = 0;

	while (i < len) {
		char c = text[i];
		size_t start;

		if (c == '\n') {
			line++;
			i++;
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' ||
			   c == '\v') {
			i++;
		} else if (c == '#') {
			while (i < len && text[i] != '\n')
				i++;
		} else {
			start = i;
			while (i < len && !ends_word(text[i]))
				i++;
			fn(ctx, r, line, text + start, i - start);
		}
	}
}

/* Decimal 1-65535 (no sign, no leading '+'); Return: 0 when not one */
static unsigned port_number(const char *w, size_t n)
{
	unsigned v = 0;

	if (n == 0 || n > 5)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (w[i] < '0' || w[i] > '9')
			return 0;
		v = v * 10 + (unsigned)(w[i] - '0');
	}
	return v <= 65535 ? v : 0;
}

/* A number or a TCP service name; Return: the port, 0 when neither */
static unsigned port_word(const char *w, size_t n)
{
	char name[WORD_MAX];
	struct servent *s;

	if (n && w[0] >= '0' && w[0] <= '9')
		return port_number(w, n);
	if (n == 0 || n >= sizeof(name) || memchr(w, '\0', n))
		return 0;
	memcpy(name, w, n);
	name[n] = '\0';
	s = getservbyname(name, "tcp");
	return s ? ntohs((uint16_t)s->s_port) : 0;
}

static void port_set(struct sx_ports *p, unsigned port)
{
	if (!(p->bits[port / 8] & (1u << (port % 8))))
		p->n++;
	p->bits[port / 8] |= (uint8_t)(1u << (port % 8));
}

/* One word of the ports file: PORT, NAME or LOW:HIGH */
static void ports_word(void *ctx, struct report *r, unsigned line,
		       const char *w, size_t n)
{
	struct sx_ports *p = ctx;
	const char *colon = memchr(w, ':', n);
	char shown[WORD_MAX + 4];
	unsigned lo, hi;

	if (colon) {
		lo = port_word(w, (size_t)(colon - w));
		hi = port_word(colon + 1, n - (size_t)(colon - w) - 1);
	} else {
		lo = hi = port_word(w, n);
	}
	if (!lo || !hi || lo > hi) {
		word_show(w, n, shown);
		report_add(r, line, "bad port '%s' (a TCP service name, "
			   "1-65535, or LOW:HIGH)", shown);
		return;
	}
	for (unsigned port = lo; port <= hi; port++)
		port_set(p, port);
}

/**
 * sx_ports_parse() - Read a ports file's text
 * @text:	the file's bytes (not NUL-terminated)
 * @len:	how many
 * @name:	the file's name, for messages
 * @p:		filled (cleared first)
 * @err:	"NAME:LINE: ..." for each bad word (may be NULL)
 * @errlen:	@err's size
 *
 * Return: 0, or -EINVAL with @err saying why (@p then holds the good words
 * only: the caller must not use it)
 */
int sx_ports_parse(const char *text, size_t len, const char *name,
		   struct sx_ports *p, char *err, size_t errlen)
{
	struct report r = { .name = name, .err = err, .errlen = errlen };

	memset(p, 0, sizeof(*p));
	if (err && errlen)
		err[0] = '\0';
	words_each(text, len, &r, ports_word, p);
	return r.nerr ? -EINVAL : 0;
}

/* A.B.C.D exactly (inet_pton's form); Return: true with @a in host order */
static bool addr_word(const char *w, size_t n, uint32_t *a)
{
	char buf[INET_ADDRSTRLEN];
	struct in_addr in;

	if (n == 0 || n >= sizeof(buf) || memchr(w, '\0', n))
		return false;
	memcpy(buf, w, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, &in) != 1)
		return false;
	*a = ntohl(in.s_addr);
	return true;
}

/* One or two decimal digits, 0-32; Return: the length, 99 when not one */
static unsigned prefix_len(const char *w, size_t n)
{
	unsigned v = 0;

	if (n < 1 || n > 2)
		return 99;
	for (size_t i = 0; i < n; i++) {
		if (w[i] < '0' || w[i] > '9')
			return 99;
		v = v * 10 + (unsigned)(w[i] - '0');
	}
	return v <= 32 ? v : 99;
}

/* One word of the local file: A.B.C.D[/LEN] */
static void local_word(void *ctx, struct report *r, unsigned line,
		       const char *w, size_t n)
{
	struct sx_local *l = ctx;
	const char *slash = memchr(w, '/', n);
	size_t alen = slash ? (size_t)(slash - w) : n;
	char shown[WORD_MAX + 4];
	unsigned len = 32;
	uint32_t a;

	if (slash)
		len = prefix_len(slash + 1, n - alen - 1);
	if (!addr_word(w, alen, &a) || len > 32) {
		word_show(w, n, shown);
		report_add(r, line, "bad network '%s' (A.B.C.D or A.B.C.D/LEN)",
			   shown);
		return;
	}
	if (l->n == SX_MAX_LOCAL) {
		report_add(r, line, "more than %u networks", SX_MAX_LOCAL);
		return;
	}
	l->net[l->n].mask = len ? 0xffffffffu << (32 - len) : 0;
	l->net[l->n].addr = a & l->net[l->n].mask;
	l->n++;
}

/**
 * sx_local_parse() - Read a local-networks file's text
 * @text:	the file's bytes (not NUL-terminated)
 * @len:	how many
 * @name:	the file's name, for messages
 * @l:		filled (cleared first)
 * @err:	"NAME:LINE: ..." for each bad word (may be NULL)
 * @errlen:	@err's size
 *
 * Return: 0, or -EINVAL with @err saying why (@l must not be used then)
 */
int sx_local_parse(const char *text, size_t len, const char *name,
		   struct sx_local *l, char *err, size_t errlen)
{
	struct report r = { .name = name, .err = err, .errlen = errlen };

	l->n = 0;
	if (err && errlen)
		err[0] = '\0';
	words_each(text, len, &r, local_word, l);
	return r.nerr ? -EINVAL : 0;
}

/**
 * sx_file_read() - A configuration file's bytes, whole
 * @path:	the file
 * @text:	malloc()ed bytes (free them)
 * @len:	how many
 *
 * Return: 0, -errno, or -EFBIG over SX_MAX_FILE
 */
int sx_file_read(const char *path, char **text, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	char *buf = NULL;
	size_t n = 0;
	int ret = 0;

	if (fd < 0)
		return -errno;
	buf = malloc(SX_MAX_FILE + 1);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, buf + n, SX_MAX_FILE + 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > SX_MAX_FILE) {
			ret = -EFBIG;
			goto out;
		}
	}
	*text = buf;
	*len = n;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return ret;
}

/**
 * sx_port_listed() - Is @port (host order) in the ports file?
 * @p:		the ports
 * @port:	the destination port
 *
 * Return: true when it is
 */
bool sx_port_listed(const struct sx_ports *p, uint16_t port)
{
	return port && (p->bits[port / 8] & (1u << (port % 8)));
}

/**
 * sx_addr_local() - Is @addr (host order) in a network of the local file?
 * @l:		the networks
 * @addr:	the destination
 *
 * Complexity: a walk of the list (at most SX_MAX_LOCAL), once per
 * connection; the seeds' lists are a handful of lines.
 *
 * Return: true when it is
 */
bool sx_addr_local(const struct sx_local *l, uint32_t addr)
{
	for (unsigned i = 0; i < l->n; i++)
		if ((addr & l->net[i].mask) == l->net[i].addr)
			return true;
	return false;
}
