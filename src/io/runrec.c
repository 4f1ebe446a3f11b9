// SPDX-License-Identifier: MIT
/*
 * runrec.c - write and read the record of an interface's originals
 * (format and rules: runrec.h)
 *
 * Theory of operation: runrec_format() prints the lines and appends the
 * checksum of what it printed. runrec_parse() walks the text line by
 * line with a cursor (no copy, no allocation, no strtok), each line
 * checked against the one key the order allows there; the checksum is
 * compared last, over the bytes the lines took. Numbers are decimal,
 * within int (a sysctl) or a pid's range, with no sign tricks (strtol's
 * leading blanks and '+' are refused). Cost: one pass over at most
 * RUNREC_MAX bytes.
 *
 * Rejected alternative: a binary struct written with write(2) -- shorter
 * to read back, but a person cannot read it in /run/masq, and a record
 * written by another build (another struct layout) would be misread
 * instead of refused by its version line.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/runrec.h"

static const char *const sysctl_keys[TO_SYSCTL_NUM] = {
	[TO_FORWARDING]	  = "forwarding",
	[TO_DISABLE_IPV6] = "disable_ipv6",
	[TO_ARP_IGNORE]	  = "arp_ignore",
};
_Static_assert(sizeof(sysctl_keys) / sizeof(sysctl_keys[0]) == TO_SYSCTL_NUM,
	       "a record key for each sysctl");

/**
 * runrec_sysctl_key() - The record's (and the kernel's) name of a sysctl
 * @s:		which
 *
 * Return: "forwarding", "disable_ipv6" or "arp_ignore"
 */
const char *runrec_sysctl_key(enum to_sysctl s)
{
	return sysctl_keys[s];
}

static uint32_t fnv1a(const char *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ (unsigned char)*p++) * 16777619u;
	return h;
}

/**
 * runrec_table_ok() - Is @table the shape of a table masqd names?
 * @table:	"masqd_" and 8 lower-case hex digits (takeover.c's to_init())
 *
 * Return: true when it is; nothing else is ever handed to nft from a record
 */
bool runrec_table_ok(const char *table)
{
	if (strncmp(table, "masqd_", 6) || strlen(table) != 14)
		return false;
	for (const char *p = table + 6; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

/* A kernel interface name: 1-15 bytes, printable, no '/', no nft quotes */
static bool iface_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= IF_NAMESIZE || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s > '~' ||
		    strchr("/:\"\\", *s))
			return false;
	return true;
}

/**
 * runrec_format() - Print @r as a record
 * @r:		the record (its names already checked by the caller)
 * @buf:	where
 * @len:	its size (RUNREC_MAX is always enough)
 *
 * Return: bytes written, or -ENOSPC when @buf is too small
 */
int runrec_format(const struct runrec *r, char *buf, size_t len)
{
	size_t k;
	int n;

	n = snprintf(buf, len, "masq-record %d\niface %s\nifindex %d\nmac "
		     "%02x:%02x:%02x:%02x:%02x:%02x\ntable %s\nsocket %s\n"
		     "pid %ld\n", RUNREC_VERSION, r->iface, r->ifindex, r->mac[0],
		     r->mac[1], r->mac[2], r->mac[3], r->mac[4], r->mac[5],
		     r->table, r->sock, r->pid);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	k = (size_t)n;
	if (r->twin[0]) {
		n = snprintf(buf + k, len - k, "twin %s %d\n", r->twin,
			     r->twin_ifindex);
		if (n < 0 || (size_t)n >= len - k)
			return -ENOSPC;
		k += (size_t)n;
	}
	if (r->xdp) {
		n = snprintf(buf + k, len - k, "xdp 1\n");
		if (n < 0 || (size_t)n >= len - k)
			return -ENOSPC;
		k += (size_t)n;
	}
	for (int s = 0; s < TO_SYSCTL_NUM; s++) {
		if (!r->has[s])
			continue;
		n = snprintf(buf + k, len - k, "sysctl %s %d\n", sysctl_keys[s],
			     r->orig[s]);
		if (n < 0 || (size_t)n >= len - k)
			return -ENOSPC;
		k += (size_t)n;
	}
	n = snprintf(buf + k, len - k, "end %08x\n", fnv1a(buf, k));
	if (n < 0 || (size_t)n >= len - k)
		return -ENOSPC;
	return (int)(k + (size_t)n);
}

/* ---- parsing -------------------------------------------------------- */

/**
 * struct cursor - where runrec_parse() is
 * @p:		the text
 * @len:	its length
 * @off:	start of the current line
 * @line:	its number, from 1
 * @key:	its first word (not NUL-terminated: @keylen)
 * @val:	the rest after one space, copied and NUL-terminated
 */
struct cursor {
	const char *p;
	size_t len, off;
	int line;
	const char *key;
	size_t keylen;
	char val[RUNREC_SOCK_MAX + 32];
};

static int fail(char *why, size_t whylen, const struct cursor *c,
		const char *what)
{
	snprintf(why, whylen, "line %d: %s", c->line, what);
	return -EINVAL;
}

/* Take the next line into @c; Return: 0, or -EINVAL (@why says why) */
static int next_line(struct cursor *c, char *why, size_t whylen)
{
	const char *nl, *sp, *start;
	size_t n, vlen;

	if (c->line)
		c->off += strlen(c->val) + c->keylen + 2;	/* "key val\n" */
	c->line++;
	if (c->off >= c->len)
		return fail(why, whylen, c, "the record ends early (truncated?)");
	start = c->p + c->off;
	nl = memchr(start, '\n', c->len - c->off);
	if (!nl)
		return fail(why, whylen, c, "no newline (truncated?)");
	n = (size_t)(nl - start);
	if (memchr(start, '\0', n))
		return fail(why, whylen, c, "a NUL byte");
	sp = memchr(start, ' ', n);
	if (!sp || sp == start)
		return fail(why, whylen, c, "expected 'KEY VALUE'");
	c->key = start;
	c->keylen = (size_t)(sp - start);
	vlen = n - c->keylen - 1;
	if (vlen >= sizeof(c->val))
		return fail(why, whylen, c, "value too long");
	memcpy(c->val, sp + 1, vlen);
	c->val[vlen] = '\0';
	return 0;
}

static bool key_is(const struct cursor *c, const char *key)
{
	return c->keylen == strlen(key) && !memcmp(c->key, key, c->keylen);
}

/* A decimal number in [lo, hi], digits only after an optional '-' */
static int number(const char *s, long lo, long hi, long *out)
{
	const char *d = *s == '-' ? s + 1 : s;
	char *end;
	long v;

	if (!*d || strspn(d, "0123456789") != strlen(d) || strlen(d) > 10)
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Expect a line with @key; copy its value into @dst (@dlen bytes) */
static int want(struct cursor *c, const char *key, char *dst, size_t dlen,
		char *why, size_t whylen)
{
	char what[64];
	int ret = next_line(c, why, whylen);

	if (ret)
		return ret;
	if (!key_is(c, key)) {
		snprintf(what, sizeof(what), "expected '%s'", key);
		return fail(why, whylen, c, what);
	}
	if (strlen(c->val) >= dlen) {
		snprintf(what, sizeof(what), "%s too long", key);
		return fail(why, whylen, c, what);
	}
	memcpy(dst, c->val, strlen(c->val) + 1);
	return 0;
}

/* "xx:xx:xx:xx:xx:xx", lower-case hex; Return: 0 or -EINVAL */
static int mac_parse(const char *s, unsigned char mac[6])
{
	static const char hex[] = "0123456789abcdef";

	if (strlen(s) != 17)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		const char *hi = strchr(hex, s[3 * i]), *lo = strchr(hex, s[3 * i + 1]);

		if (!s[3 * i] || !s[3 * i + 1] || !hi || !lo ||
		    (i < 5 && s[3 * i + 2] != ':'))
			return -EINVAL;
		mac[i] = (unsigned char)((hi - hex) << 4 | (lo - hex));
	}
	return 0;
}

/* ifindex and mac lines */
static int device(struct cursor *c, struct runrec *r, char *why,
		  size_t whylen)
{
	char v[24];
	long n;

	if (want(c, "ifindex", v, sizeof(v), why, whylen))
		return -EINVAL;
	if (number(v, 1, INT_MAX, &n))
		return fail(why, whylen, c, "not an interface index");
	r->ifindex = (int)n;
	if (want(c, "mac", v, sizeof(v), why, whylen))
		return -EINVAL;
	if (mac_parse(v, r->mac))
		return fail(why, whylen, c, "not a MAC address");
	return 0;
}

static int head(struct cursor *c, struct runrec *r, char *why, size_t whylen)
{
	char v[16], pid[16];
	long n;

	if (want(c, "masq-record", v, sizeof(v), why, whylen))
		return -EINVAL;
	if (number(v, 0, INT_MAX, &n) || n != RUNREC_VERSION)
		return fail(why, whylen, c, "not a record of format 1 (another "
			    "masqd version wrote it)");
	if (want(c, "iface", r->iface, sizeof(r->iface), why, whylen))
		return -EINVAL;
	if (!iface_ok(r->iface))
		return fail(why, whylen, c, "not an interface name");
	if (device(c, r, why, whylen))
		return -EINVAL;
	if (want(c, "table", r->table, sizeof(r->table), why, whylen))
		return -EINVAL;
	if (!runrec_table_ok(r->table))
		return fail(why, whylen, c, "not a table name masqd gives "
			    "(masqd_ and 8 hex digits)");
	if (want(c, "socket", r->sock, sizeof(r->sock), why, whylen))
		return -EINVAL;
	for (const char *p = r->sock; *p; p++)	/* it goes into log lines */
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			return fail(why, whylen, c, "a control character in "
				    "the socket path");
	if (want(c, "pid", pid, sizeof(pid), why, whylen))
		return -EINVAL;
	if (number(pid, 1, INT_MAX, &r->pid))
		return fail(why, whylen, c, "not a process id");
	return 0;
}

/* "sysctl NAME VALUE"; Return: 0, or -EINVAL */
static int sysctl_line(struct cursor *c, struct runrec *r, char *why,
		       size_t whylen)
{
	char *sp = strchr(c->val, ' ');
	long v;

	if (!sp)
		return fail(why, whylen, c, "expected 'sysctl NAME VALUE'");
	*sp = '\0';
	for (int s = 0; s < TO_SYSCTL_NUM; s++) {
		if (strcmp(c->val, sysctl_keys[s]))
			continue;
		*sp = ' ';
		if (r->has[s])
			return fail(why, whylen, c, "a sysctl named twice");
		if (number(sp + 1, INT_MIN, INT_MAX, &v))
			return fail(why, whylen, c, "not a sysctl value");
		r->has[s] = true;
		r->orig[s] = (int)v;
		return 0;
	}
	*sp = ' ';
	return fail(why, whylen, c, "a sysctl masqd does not change");
}

/* "twin NAME IFINDEX", once, before the sysctls; Return: 0, or -EINVAL */
static int twin_line(struct cursor *c, struct runrec *r, char *why,
		     size_t whylen)
{
	char *sp = strchr(c->val, ' ');
	long n;

	if (r->twin[0])
		return fail(why, whylen, c, "a second twin line");
	if (!sp || (size_t)(sp - c->val) >= sizeof(r->twin))
		return fail(why, whylen, c, "expected 'twin NAME IFINDEX'");
	memcpy(r->twin, c->val, (size_t)(sp - c->val));
	r->twin[sp - c->val] = '\0';
	if (!iface_ok(r->twin))
		return fail(why, whylen, c, "not an interface name");
	if (number(sp + 1, 1, INT_MAX, &n))
		return fail(why, whylen, c, "not an interface index");
	r->twin_ifindex = (int)n;
	return 0;
}

/**
 * runrec_parse() - Read a record, checking all of it
 * @buf:	the file's bytes (need not be NUL-terminated)
 * @len:	how many
 * @r:		filled (only meaningful on 0)
 * @why:	on failure: "line N: what is wrong"
 * @whylen:	its size
 *
 * Return: 0, or -EINVAL: the record is refused whole
 */
int runrec_parse(const char *buf, size_t len, struct runrec *r, char *why,
		 size_t whylen)
{
	struct cursor c = { .p = buf, .len = len };
	char sum[16];
	size_t body;

	memset(r, 0, sizeof(*r));
	snprintf(why, whylen, "?");
	if (len > RUNREC_MAX)
		return fail(why, whylen, &c, "longer than any record");
	if (head(&c, r, why, whylen))
		return -EINVAL;
	if (next_line(&c, why, whylen))
		return -EINVAL;
	if (key_is(&c, "twin") && (twin_line(&c, r, why, whylen) ||
				   next_line(&c, why, whylen)))
		return -EINVAL;
	if (key_is(&c, "xdp")) {	/* "xdp 1", once, after the twin */
		if (strcmp(c.val, "1"))
			return fail(why, whylen, &c, "expected 'xdp 1'");
		r->xdp = true;
		if (next_line(&c, why, whylen))
			return -EINVAL;
	}
	for (;;) {
		if (!key_is(&c, "sysctl"))
			break;
		if (sysctl_line(&c, r, why, whylen) ||
		    next_line(&c, why, whylen))
			return -EINVAL;
	}
	if (!key_is(&c, "end"))
		return fail(why, whylen, &c, "expected 'sysctl' or 'end'");
	body = c.off;
	snprintf(sum, sizeof(sum), "%08x", fnv1a(buf, body));
	if (strcmp(c.val, sum))
		return fail(why, whylen, &c, "checksum does not match (the "
			    "file was changed or damaged)");
	if (body + c.keylen + strlen(c.val) + 2 != len)
		return fail(why, whylen, &c, "bytes after 'end'");
	return 0;
}
