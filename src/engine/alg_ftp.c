// SPDX-License-Identifier: MIT
/*
 * alg_ftp.c - the FTP helper (RFC 959, RFC 2428): the addresses FTP
 *	       carries in its control connection, rewritten and expected
 *
 * Theory of operation. An FTP control connection names the other end of
 * each data connection in its text, so a translated end must have its
 * address and port rewritten, and the data connection, opened from the
 * other side, let in:
 *
 *	- a masqueraded client (its source translated) sends PORT
 *	  h1,h2,h3,h4,p1,p2 or EPRT |1|a.b.c.d|port| (active mode): the
 *	  server will connect to that address and port. The helper expects
 *	  one connection from the server's address to the router's external
 *	  address and the client endpoint's masquerade mapping (expect.c),
 *	  and rewrites the text to name them;
 *	- a server behind a portfw or DNAT (the destination translated)
 *	  answers PASV with "227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)"
 *	  or EPSV with "229 Entering Extended Passive Mode (|||port|)": the
 *	  client will connect there. The helper expects one connection from
 *	  the client's address to the address the client dialed and the
 *	  server endpoint's mapping there, and rewrites 227's address and
 *	  port, 229's port (it names no address: the client reuses the one
 *	  it dialed).
 *
 * Everything else is left alone: other commands and replies, a 227 from
 * an outside server to a masqueraded client (passive mode needs nothing
 * from the router), a connection nobody's address was translated in, and
 * one opened from outside to a masquerade mapping (CT_X_INBOUND: its
 * opener, the would-be client, sends the reply way).
 *
 * Parsing is strict, because the text comes from whoever is at either
 * end (the early iptables FTP bugs and today's NAT slipstreaming both
 * made a router open holes from text it should not have trusted):
 *
 *	- a message is a line at the start of the segment, or right after
 *	  a complete line in the same segment (every complete line of a
 *	  segment is read, in order); alg.c hands over only segments that
 *	  start at the next expected sequence number, or the last
 *	  rewritten one sent again;
 *	- a line must be complete, ended by LF, within its segment. A
 *	  command split across segments is LEFT ALONE (not rewritten, not
 *	  expected), counted as refused and logged: TCP is free to split,
 *	  but FTP clients send a command with one write, and holding
 *	  segments back to join them would cost memory per connection on
 *	  the packet path. A fragment shorter than its keyword ("POR") is
 *	  not recognised at all;
 *	- the keyword is PORT or EPRT (any case) followed by one space, or
 *	  the reply code 227 or 229 followed by a space; numbers are
 *	  decimal digits only (at most 3 for an address byte, 0-255; at
 *	  most 5 for a port, 1-65535), separated by exactly one ',' or '.'
 *	  or the EPRT/EPSV delimiter; PORT and EPRT end with the line
 *	  (CRLF, or LF alone); 227's six numbers begin at the first digit
 *	  after the code (servers word it differently: vsftpd "227 Entering
 *	  Passive Mode (192,168,0,2,156,64).", others without parentheses)
 *	  and must not run on into more digits; 229's port sits between
 *	  three delimiters and a fourth after a '(' (RFC 2428 section 3);
 *	  a delimiter is any printable character but a digit;
 *	- PORT and EPRT only from the client (the connection's original
 *	  way), naming the client's own address; 227 and 229 only from the
 *	  server, 227 naming the server's own address; EPRT only of network
 *	  protocol 1 (IPv4); every port 1024 or above;
 *	- a PORT or EPRT from the server, a 227 or 229 from the client, and
 *	  any message that fails the checks is refused: nothing rewritten,
 *	  nothing expected, counted (alg_ftp_refused) and logged with the
 *	  reason; the segment itself goes on unchanged.
 *
 * One pending expectation per control connection (a new message replaces
 * it), from the one peer, lapsing after ALG_EXPECT_LAPSE s (expect.c).
 * A retransmission of a rewritten segment (m->retrans) is read again and
 * gets the same text: the expectation is made again for the same target
 * endpoint, whose mapping the pending one (or the data connection) holds,
 * so the port is the same, and alg_mangle() does not count the length
 * change twice. Known limit: a retransmission that starts elsewhere than
 * the rewritten segment did (TCP repacketising across it) is not
 * rewritten.
 *
 * Cost: a connection without a helper never comes here (CT_F_SIDE);
 * a helper connection's segment costs one scan for LF per line and a
 * compare of its first bytes with four keywords, plus the parse of the
 * rare message that names an address. Nothing is allocated; the new text
 * is made on the stack.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "alg.h"
#include "eng.h"

#define FTP_PORT_MIN	1024	/* below: refused (no system ports) */
#define FTP_TEXT_MAX	32	/* "255,255,255,255,255,255" fits */

enum ftp_kind { FTP_PORT, FTP_EPRT, FTP_PASV, FTP_EPSV, FTP_KIND_NUM };

static const char *const ftp_words[] = {
	[FTP_PORT] = "PORT ", [FTP_EPRT] = "EPRT ",
	[FTP_PASV] = "227 ", [FTP_EPSV] = "229 ",
};

static const char *const ftp_names[] = {
	[FTP_PORT] = "PORT", [FTP_EPRT] = "EPRT",
	[FTP_PASV] = "227", [FTP_EPSV] = "229",
};

_Static_assert(sizeof(ftp_words) / sizeof(ftp_words[0]) == FTP_KIND_NUM &&
	       sizeof(ftp_names) / sizeof(ftp_names[0]) == FTP_KIND_NUM,
	       "a keyword and a name for every kind");

/**
 * struct ftp_arg - what a message names, and where it says it
 * @addr:	address (network order); 229: none, 0
 * @port:	port (host order)
 * @at:		the text naming them: offset from the line's start ...
 * @len:	... and length (EPRT: address, delimiter and port)
 * @delim:	EPRT: the delimiter between address and port
 */
struct ftp_arg {
	uint32_t addr;
	uint16_t port;
	uint32_t at;
	uint32_t len;
	char delim;
};

static bool ftp_from_client(enum ftp_kind k)
{
	return k == FTP_PORT || k == FTP_EPRT;
}

static bool ftp_is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* RFC 2428's delimiter: printable ASCII (33-126), and not a digit here */
static bool ftp_is_delim(uint8_t c)
{
	return c >= 33 && c <= 126 && !ftp_is_digit(c);
}

/* Bytes of the line at @d up to and including its LF; 0: none in @len */
static uint32_t ftp_line_len(const uint8_t *d, uint32_t len)
{
	const uint8_t *lf = memchr(d, '\n', len);

	return lf ? (uint32_t)(lf - d) + 1 : 0;
}

/* The kind of message the line at @d (@len bytes) starts with, if any */
static int ftp_kind_of(const uint8_t *d, uint32_t len)
{
	for (int k = 0; k < FTP_KIND_NUM; k++) {
		size_t n = strlen(ftp_words[k]);

		if (len >= n && !strncasecmp((const char *)d, ftp_words[k], n))
			return k;
	}
	return FTP_KIND_NUM;
}

/*
 * A decimal number of 1 to @digits digits at @s, at most @max, into @v.
 * Return: the byte after it, or NULL (no digit, too many, too big)
 */
static const uint8_t *ftp_number(const uint8_t *s, const uint8_t *end,
				 unsigned digits, uint32_t max, uint32_t *v)
{
	uint32_t n = 0;
	unsigned i = 0;

	while (s + i < end && i <= digits && ftp_is_digit(s[i]))
		n = n * 10 + (uint32_t)(s[i++] - '0');
	if (!i || i > digits || n > max)
		return NULL;
	*v = n;
	return s + i;
}

/* Four address bytes at @s separated by @sep into @addr (network order) */
static const uint8_t *ftp_addr(const uint8_t *s, const uint8_t *end,
			       char sep, uint32_t *addr)
{
	uint32_t v, a = 0;

	for (int i = 0; i < 4; i++) {
		if (i && (s >= end || *s++ != sep))
			return NULL;
		s = ftp_number(s, end, 3, 255, &v);
		if (!s)
			return NULL;
		a = a << 8 | v;
	}
	*addr = htonl(a);
	return s;
}

/* RFC 959's host-port, "h1,h2,h3,h4,p1,p2", at @s */
static const uint8_t *ftp_host_port(const uint8_t *s, const uint8_t *end,
				    struct ftp_arg *a)
{
	uint32_t p1, p2;

	s = ftp_addr(s, end, ',', &a->addr);
	if (!s || s >= end || *s++ != ',')
		return NULL;
	s = ftp_number(s, end, 3, 255, &p1);
	if (!s || s >= end || *s++ != ',')
		return NULL;
	s = ftp_number(s, end, 3, 255, &p2);
	if (!s)
		return NULL;
	a->port = (uint16_t)(p1 << 8 | p2);
	return s;
}

/* Is @s where the line (ending at @end, after its LF) ends: CRLF or LF? */
static bool ftp_at_eol(const uint8_t *s, const uint8_t *end)
{
	return s == end - 1 || (s == end - 2 && *s == '\r');
}

/* "PORT h1,h2,h3,h4,p1,p2" CRLF */
static bool ftp_parse_port(const uint8_t *d, const uint8_t *end,
			   struct ftp_arg *a)
{
	const uint8_t *s = d + strlen(ftp_words[FTP_PORT]);
	const uint8_t *e = ftp_host_port(s, end, a);

	a->at = (uint32_t)(s - d);
	a->len = e ? (uint32_t)(e - s) : 0;
	return e && ftp_at_eol(e, end);
}

/* "EPRT |1|a.b.c.d|port|" CRLF, any delimiter for '|'; *@v6: protocol 2 */
static bool ftp_parse_eprt(const uint8_t *d, const uint8_t *end,
			   struct ftp_arg *a, bool *v6)
{
	const uint8_t *s = d + strlen(ftp_words[FTP_EPRT]), *at;
	uint32_t port;
	uint8_t dl;

	*v6 = false;
	if (end - s < 4 || !ftp_is_delim(s[0]) || s[2] != s[0])
		return false;
	dl = s[0];
	*v6 = s[1] == '2';
	if (s[1] != '1')
		return false;
	at = s + 3;
	s = ftp_addr(at, end, '.', &a->addr);
	if (!s || s >= end || *s++ != dl)
		return false;
	s = ftp_number(s, end, 5, 65535, &port);
	if (!s || s >= end || *s != dl || !ftp_at_eol(s + 1, end))
		return false;
	a->port = (uint16_t)port;
	a->delim = (char)dl;
	a->at = (uint32_t)(at - d);
	a->len = (uint32_t)(s - at);
	return true;
}

/* "227 <text> h1,h2,h3,h4,p1,p2<not a digit, not ','>...", from a digit */
static bool ftp_parse_pasv(const uint8_t *d, const uint8_t *end,
			   struct ftp_arg *a)
{
	const uint8_t *s = d + strlen(ftp_words[FTP_PASV]), *e;

	while (s < end && !ftp_is_digit(*s))
		s++;
	e = ftp_host_port(s, end, a);
	if (!e || e >= end || *e == ',' || ftp_is_digit(*e))
		return false;
	a->at = (uint32_t)(s - d);
	a->len = (uint32_t)(e - s);
	return true;
}

/* "229 <text> (|||port|)": from the first '(' */
static bool ftp_parse_epsv(const uint8_t *d, const uint8_t *end,
			   struct ftp_arg *a)
{
	const uint8_t *s = memchr(d, '(', (size_t)(end - d)), *e;
	uint32_t port;

	if (!s || end - s < 6 || !ftp_is_delim(s[1]) || s[2] != s[1] ||
	    s[3] != s[1])
		return false;
	e = ftp_number(s + 4, end, 5, 65535, &port);
	if (!e || e >= end || *e != s[1])
		return false;
	a->addr = 0;
	a->port = (uint16_t)port;
	a->at = (uint32_t)(s + 4 - d);
	a->len = (uint32_t)(e - (s + 4));
	return true;
}

/* Was the end that sends @k's messages translated: is there work to do? */
static bool ftp_has_work(const struct alg_msg *m, enum ftp_kind k)
{
	const struct ct_entry *ce = &m->e->ct.e[m->ct];

	if (ftp_from_client(k))		/* a masqueraded client */
		return ce->t[CT_REPLY].dst != ce->t[CT_ORIG].src;
	/* a forwarded server */
	return ce->t[CT_REPLY].src != ce->t[CT_ORIG].dst;
}

/* Refuse @k's message with reason @why ("%s" is the message's name) */
static void ftp_refuse(struct alg_msg *m, enum ftp_kind k, const char *why)
{
	char line[96];

	snprintf(line, sizeof(line), why, ftp_names[k]);
	alg_refuse(m, C_alg_ftp_refused, line);
}

/* Parse the line at @d (@n bytes) as @k; Return: false (refused) */
static bool ftp_parse(struct alg_msg *m, enum ftp_kind k, const uint8_t *d,
		      uint32_t n, struct ftp_arg *a)
{
	const uint8_t *end = d + n;
	bool ok, v6 = false;

	switch (k) {
	case FTP_PORT:
		ok = ftp_parse_port(d, end, a);
		break;
	case FTP_EPRT:
		ok = ftp_parse_eprt(d, end, a, &v6);
		break;
	case FTP_PASV:
		ok = ftp_parse_pasv(d, end, a);
		break;
	default:
		ok = ftp_parse_epsv(d, end, a);
		break;
	}
	if (!ok)
		ftp_refuse(m, k, v6 ? "%s names an IPv6 address"
				    : "malformed %s");
	return ok;
}

/* The checks on what @a names (@k from the right way, parsed) */
static bool ftp_check(struct alg_msg *m, enum ftp_kind k,
		      const struct ftp_arg *a)
{
	const struct ct_entry *ce = &m->e->ct.e[m->ct];
	uint32_t own = ftp_from_client(k) ? ce->t[CT_ORIG].src
					  : ce->t[CT_REPLY].src;

	if (k != FTP_EPSV && a->addr != own) {
		ftp_refuse(m, k, ftp_from_client(k) ? "%s names another host"
			   : "%s names a host other than the server");
		return false;
	}
	if (a->port < FTP_PORT_MIN) {
		ftp_refuse(m, k, "%s names a port below 1024");
		return false;
	}
	return true;
}

/* The text @k's message names @addr and @port (both network order) with */
static int ftp_text(char *t, size_t cap, enum ftp_kind k,
		    const struct ftp_arg *a, uint32_t addr, uint16_t port)
{
	const uint8_t *b = (const uint8_t *)&addr;
	unsigned p = ntohs(port);

	switch (k) {
	case FTP_EPRT:
		return snprintf(t, cap, "%u.%u.%u.%u%c%u", b[0], b[1], b[2],
				b[3], a->delim, p);
	case FTP_EPSV:
		return snprintf(t, cap, "%u", p);
	default:
		return snprintf(t, cap, "%u,%u,%u,%u,%u,%u", b[0], b[1], b[2],
				b[3], p >> 8, p & 255);
	}
}

/*
 * Expect @a's connection and rewrite the text at @off (the line's start)
 * to name the router's side of it.
 * Return: how much longer the line became (negative: shorter)
 */
static int32_t ftp_rewrite(struct alg_msg *m, enum ftp_kind k, uint32_t off,
			   const struct ftp_arg *a)
{
	const struct ct_entry *ce = &m->e->ct.e[m->ct];
	bool client = ftp_from_client(k);
	uint32_t to = client ? ce->t[CT_ORIG].src : ce->t[CT_REPLY].src;
	uint32_t peer = client ? ce->t[CT_REPLY].src : ce->t[CT_ORIG].src;
	uint32_t ext = client ? ce->t[CT_REPLY].dst : ce->t[CT_ORIG].dst;
	char text[FTP_TEXT_MAX];
	uint16_t port;
	int n;

	if (alg_expect(m, peer, ext, to, htons(a->port), &port))
		return 0;		/* counted: alg_expect_no_port */
	/* the mapping's address: @ext, unless the target had one elsewhere */
	ext = m->e->alg->exp[m->ac->expect].addr;
	n = ftp_text(text, sizeof(text), k, a, ext, port);
	if (n <= 0 || (size_t)n >= sizeof(text) ||
	    alg_mangle(m, off + a->at, a->len, text, (uint32_t)n)) {
		alg_expect_drop(m->e, m->ac->expect, false);
		count(m->e, C_alg_mangle_failed);
		return 0;
	}
	count(m->e, C_alg_rewritten);
	return n - (int32_t)a->len;
}

/*
 * A 227 or 229 from an outside server to a masqueraded client: nothing
 * to rewrite or admit (the client opens the data connection itself, and
 * it is masqueraded as any connection is), but it is noted (alg_watch())
 * so the control connection, idle during a long transfer, is kept while
 * the data connection lives. A reply that does not parse is left alone:
 * it is the server's, and opens nothing.
 */
static void ftp_note_passive(struct alg_msg *m, enum ftp_kind k,
			     const uint8_t *d, uint32_t n)
{
	const struct ct_entry *ce = &m->e->ct.e[m->ct];
	struct ftp_arg a;

	if (m->dir != CT_REPLY || ce->t[CT_REPLY].dst == ce->t[CT_ORIG].src ||
	    !(k == FTP_PASV ? ftp_parse_pasv(d, d + n, &a) :
			      ftp_parse_epsv(d, d + n, &a)))
		return;
	alg_watch(m, ce->t[CT_ORIG].src,
		  k == FTP_PASV ? a.addr : ce->t[CT_REPLY].src, htons(a.port));
}

/*
 * One complete line at @off (@n bytes, LF included).
 * Return: its length after any rewrite
 */
static uint32_t ftp_on_line(struct alg_msg *m, uint32_t off, uint32_t n)
{
	const uint8_t *d = m->data + off;
	int k = ftp_kind_of(d, n);
	struct ftp_arg a;

	if (k == FTP_KIND_NUM)
		return n;
	if (ftp_from_client((enum ftp_kind)k) != (m->dir == CT_ORIG)) {
		ftp_refuse(m, (enum ftp_kind)k, m->dir == CT_ORIG ?
			   "%s from the client" : "%s from the server");
		return n;
	}
	if (!ftp_has_work(m, (enum ftp_kind)k)) {
		if (!ftp_from_client((enum ftp_kind)k))
			ftp_note_passive(m, (enum ftp_kind)k, d, n);
		return n;
	}
	if (!ftp_parse(m, (enum ftp_kind)k, d, n, &a) ||
	    !ftp_check(m, (enum ftp_kind)k, &a))
		return n;
	return (uint32_t)((int32_t)n +
			  ftp_rewrite(m, (enum ftp_kind)k, off, &a));
}

/* A line the segment ends in the middle of, at @off: refused if it matters */
static void ftp_on_partial(struct alg_msg *m, uint32_t off)
{
	int k = ftp_kind_of(m->data + off, m->len - off);

	if (k != FTP_KIND_NUM &&
	    ftp_from_client((enum ftp_kind)k) == (m->dir == CT_ORIG) &&
	    ftp_has_work(m, (enum ftp_kind)k))
		ftp_refuse(m, (enum ftp_kind)k,
			   "%s split across segments: left alone");
}

/**
 * ftp_help() - A segment of an FTP control connection, from its start
 * @m:		the segment (alg.c: at the next expected sequence number,
 *		or the last rewritten segment again)
 *
 * Reads each complete line in order; rewrites PORT, EPRT, 227 and 229
 * as the file's header says. O(segment length).
 */
void ftp_help(struct alg_msg *m)
{
	const struct ct_entry *ce = &m->e->ct.e[m->ct];
	uint32_t off = 0, n;

	if (ce->xflags & CT_X_INBOUND)
		return;		/* opened from outside to a mapping */
	while (off < m->len) {
		n = ftp_line_len(m->data + off, m->len - off);
		if (!n) {
			ftp_on_partial(m, off);
			return;
		}
		off += ftp_on_line(m, off, n);
	}
}
