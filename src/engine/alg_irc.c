// SPDX-License-Identifier: MIT
/*
 * alg_irc.c - the IRC DCC helper: a masqueraded client's offer names the
 *	       router's address and a port the router lets in
 *
 * Theory of operation. An IRC client offers a file or a chat to another
 * user through the server, in a CTCP message inside a PRIVMSG:
 *
 *	PRIVMSG bob :\1DCC SEND report.pdf 3232235522 5000 48213\1\r\n
 *	PRIVMSG bob :\1DCC CHAT chat 3232235522 5001\1\r\n
 *
 * (the address a 32-bit decimal number, host order; the port where the
 * client listens), and the other user connects straight to it. Behind
 * the router that address is private, so the helper (off by default;
 * `helper irc on [ports P,...]`, 6667 when none are given) rewrites it
 * to the router's external address and the port to the client
 * endpoint's masquerade mapping, and expects one connection there from
 * anyone (expect.c: the router cannot know who the other user is), for
 * ALG_EXPECT_LAPSE s: the other user must accept within that time
 * (nf_conntrack_irc's dcc_timeout is 5 minutes; issue 15 asks 30 s).
 *
 * Resuming (mIRC's extension, which neither ip_masq_irc.c nor
 * nf_conntrack_irc handles; both know SEND, CHAT and AmIRC's MOVE, TSEND
 * and SCHAT, which this helper leaves alone): the receiver asks
 * "\1DCC RESUME file PORT POSITION\1", naming the port of the offer as it
 * saw it, and the sender answers "\1DCC ACCEPT file PORT POSITION\1"
 * with the same port; the receiver then connects. So:
 *
 *	- ACCEPT from the masqueraded client (it is the sender) names its
 *	  own port: the connection is expected again (a fresh 30 s) and the
 *	  port rewritten to its mapping, as for SEND;
 *	- RESUME coming in to it names the mapped port: rewritten back to
 *	  the client's own, found by the mapping (nat_map_by_ext()), when
 *	  that mapping is the client's and the two differ (they rarely do:
 *	  nat.c keeps the port when it is free);
 *	- RESUME from the client and ACCEPT to it name the other side's
 *	  port: nothing to do (the client connects out, masqueraded).
 *
 * Parsing (strict; everything is hostile): the helper sees a segment
 * when it starts at the next expected sequence number of its direction
 * (alg.c). It reads the segment's lines in order, the first from the
 * segment's start, each next one after a '\n'; each complete line is
 * judged on its own. A line is a DCC when it is
 *
 *	[@TAGS ][:PREFIX ]PRIVMSG TARGET :\1DCC TYPE ARG NUMBER NUMBER[ REST]\1[\r]\n
 *
 * with blanks as one or more spaces; PRIVMSG, DCC and TYPE in any case;
 * ARG a word, or a filename with spaces in double quotes (no escapes);
 * the CTCP starting the message and ending the line, with no other \1
 * inside; numbers decimal, no sign, no leading zero, in range. A line
 * that starts like a DCC (up to "DCC ") and fails the rest, or a DCC of
 * the client's whose address is not the client's own (ce->t[CT_ORIG]
 * .src) or whose port is below 1024, is refused: counted
 * (alg_irc_refused), logged, nothing rewritten or expected. Port 0 is a
 * passive ("reverse") offer: the other side listens, nothing to let in,
 * left alone. A DCC cut by the segment's end (a line split across
 * segments) is not rewritten: refused when the first part shows it is a
 * DCC; the rest, at the next segment's start, is no DCC line.
 *
 * Limits: one pending expectation per IRC connection (alg.h), so of two
 * offers in quick succession only the later is let in, and of two in one
 * segment the second is refused (a retransmission must be rewritten
 * the same, and the first's mapping would be gone); a rewrite that
 * would take the datagram past 1,500 bytes is not done (alg_mangle();
 * counted alg_mangle_failed, the expectation dropped). A segment that
 * starts mid-line (the previous one of its direction ended without
 * '\n') is read from its start as a line: the boundary the helpers share
 * is the expected sequence number, not the line.
 *
 * Cost: a line scan (memchr) per segment of an IRC connection, both
 * ways; nothing for any other connection.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "alg.h"
#include "eng.h"

#define CTCP_DELIM	'\1'
#define DCC_PORT_MIN	1024

enum dcc_kind { DCC_SEND, DCC_CHAT, DCC_RESUME, DCC_ACCEPT, DCC_NUM };

static const char *const dcc_names[DCC_NUM] = {
	[DCC_SEND] = "SEND", [DCC_CHAT] = "CHAT", [DCC_RESUME] = "RESUME",
	[DCC_ACCEPT] = "ACCEPT",
};

_Static_assert(sizeof(dcc_names) / sizeof(dcc_names[0]) == DCC_NUM,
	       "a name per DCC kind");

/* What a line is to the helper */
enum dcc_verdict {
	DCC_NOT,	/* no DCC: left alone */
	DCC_OTHER,	/* a DCC of a kind not handled: left alone */
	DCC_BAD,	/* starts as a DCC, fails the rest: refused */
	DCC_OK,
};

/**
 * struct dcc - a DCC line, parsed
 * @kind:	enum dcc_kind
 * @addr:	SEND, CHAT: the address named (host order)
 * @port:	the port named
 * @from:	the bytes a rewrite replaces, from the line's start: "ADDR
 *		PORT" (SEND, CHAT) or "PORT" (RESUME, ACCEPT) ...
 * @to:		... up to here
 */
struct dcc {
	enum dcc_kind kind;
	uint32_t addr;
	uint16_t port;
	uint32_t from, to;
};

/* A cursor over bytes [p, end) */
struct irc_cur {
	const uint8_t *p, *end;
};

static uint8_t ascii_upper(uint8_t c)
{
	return c >= 'a' && c <= 'z' ? (uint8_t)(c - 'a' + 'A') : c;
}

/* @w (upper case) next, in any case: taken */
static bool cur_word(struct irc_cur *c, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(c->end - c->p) < n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (ascii_upper(c->p[i]) != (uint8_t)w[i])
			return false;
	c->p += n;
	return true;
}

/* One or more spaces: taken */
static bool cur_blank(struct irc_cur *c)
{
	const uint8_t *s = c->p;

	while (c->p < c->end && *c->p == ' ')
		c->p++;
	return c->p > s;
}

/* A word: bytes up to a space or the end, at least one */
static bool cur_token(struct irc_cur *c)
{
	const uint8_t *s = c->p;

	while (c->p < c->end && *c->p != ' ')
		c->p++;
	return c->p > s;
}

/* A DCC argument: a word, or a name in double quotes (spaces allowed) */
static bool cur_arg(struct irc_cur *c)
{
	const uint8_t *q;

	if (c->p == c->end || *c->p != '"')
		return cur_token(c);
	q = memchr(c->p + 1, '"', (size_t)(c->end - c->p - 1));
	if (!q || q == c->p + 1)
		return false;
	c->p = q + 1;
	return true;
}

/*
 * A decimal number up to @max (at most UINT64_MAX / 100, so the last
 * step cannot wrap): digits only, no leading zero; it must end at a
 * space or the end. O(digits): it stops at the first past @max.
 */
static bool cur_number(struct irc_cur *c, uint64_t max, uint64_t *v)
{
	const uint8_t *s = c->p;
	uint64_t n = 0;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		n = n * 10 + (uint64_t)(*c->p - '0');
		if (n > max)
			return false;
		c->p++;
	}
	if (c->p == s || (c->p - s > 1 && *s == '0') ||
	    (c->p < c->end && *c->p != ' '))
		return false;
	*v = n;
	return true;
}

/*
 * "[@TAGS ][:PREFIX ]PRIVMSG TARGET :\1DCC " from @c's start: true with
 * @c after it. A partial line may pass (it is how a split DCC is known).
 */
static bool dcc_head(struct irc_cur *c)
{
	if (c->p < c->end && *c->p == '@' && !(cur_token(c) && cur_blank(c)))
		return false;
	if (c->p < c->end && *c->p == ':' && !(cur_token(c) && cur_blank(c)))
		return false;
	return cur_word(c, "PRIVMSG") && cur_blank(c) && cur_token(c) &&
	       cur_blank(c) && cur_word(c, ":\1DCC") && cur_blank(c);
}

/* The TYPE word: its kind, or DCC_NUM for one not handled */
static enum dcc_kind dcc_kind_of(struct irc_cur *c)
{
	const uint8_t *s = c->p;
	size_t n;

	while (c->p < c->end && *c->p != ' ' && *c->p != CTCP_DELIM)
		c->p++;
	n = (size_t)(c->p - s);
	for (int k = 0; k < DCC_NUM; k++) {
		struct irc_cur w = { s, c->p };

		if (strlen(dcc_names[k]) == n && cur_word(&w, dcc_names[k]))
			return (enum dcc_kind)k;
	}
	return DCC_NUM;
}

/*
 * "ARG NUMBER NUMBER[ REST]" up to @c's end (the closing \1): SEND and
 * CHAT name an address and a port, RESUME and ACCEPT a port and a
 * position
 */
static bool dcc_args(struct irc_cur *c, const uint8_t *line, struct dcc *d)
{
	bool addr = d->kind == DCC_SEND || d->kind == DCC_CHAT;
	uint64_t a = 0, port, pos;

	if (!cur_arg(c) || !cur_blank(c))
		return false;
	d->from = (uint32_t)(c->p - line);
	if (addr && !(cur_number(c, UINT32_MAX, &a) && cur_blank(c)))
		return false;
	if (!cur_number(c, 65535, &port))
		return false;
	d->to = (uint32_t)(c->p - line);
	if (!addr && !(cur_blank(c) && cur_number(c, UINT64_MAX / 100, &pos)))
		return false;
	d->addr = (uint32_t)a;
	d->port = (uint16_t)port;
	return c->p == c->end || *c->p == ' ';
}

/**
 * dcc_parse() - What one line is
 * @line:	the line, its '\n' included
 * @len:	its length
 * @d:		set when DCC_OK
 *
 * Return: enum dcc_verdict. O(len).
 */
static enum dcc_verdict dcc_parse(const uint8_t *line, uint32_t len,
				  struct dcc *d)
{
	struct irc_cur c = { line, line + len - 1 };
	enum dcc_kind k;

	if (c.end > c.p && c.end[-1] == '\r')
		c.end--;
	if (!dcc_head(&c))
		return DCC_NOT;
	k = dcc_kind_of(&c);
	if (k == DCC_NUM)
		return DCC_OTHER;
	if (c.end == c.p || c.end[-1] != CTCP_DELIM)
		return DCC_BAD;			/* the CTCP must end the line */
	c.end--;
	if (memchr(c.p, CTCP_DELIM, (size_t)(c.end - c.p)) || !cur_blank(&c))
		return DCC_BAD;
	d->kind = k;
	return dcc_args(&c, line, d) ? DCC_OK : DCC_BAD;
}

/* ---- acting on a line ------------------------------------------------- */

/* A refusal of the client's line, counted once (not again when resent) */
static void dcc_refuse(struct alg_msg *m, const char *why)
{
	if (!m->retrans)
		alg_refuse(m, C_alg_irc_refused, why);
}

/*
 * Replace bytes [@d->from, @d->to) of the line at @off with @text.
 * Return: how much longer the line became (0 when it could not be done:
 * counted, and @drop_expect: the expectation made for it is dropped)
 */
static int32_t dcc_replace(struct alg_msg *m, uint32_t off,
			   const struct dcc *d, const char *text,
			   bool drop_expect)
{
	uint32_t n = (uint32_t)strlen(text);

	if (alg_mangle(m, off + d->from, d->to - d->from, text, n)) {
		count(m->e, C_alg_mangle_failed);
		if (drop_expect && m->ac->expect != ALG_NO_IDX)
			alg_expect_drop(m->e, m->ac->expect, false);
		return 0;
	}
	count(m->e, C_alg_rewritten);
	return (int32_t)n - (int32_t)(d->to - d->from);
}

/*
 * The client's SEND, CHAT or ACCEPT: checked, its connection expected,
 * the address (not ACCEPT's: it names none) and port rewritten. One a
 * segment (@offered): a second would replace the first's expectation and
 * free its mapping, so a retransmission could not be rewritten the same.
 * Return: how much longer the line became
 */
static int32_t dcc_offer(struct alg_msg *m, uint32_t off, const struct dcc *d,
			 bool *offered)
{
	const struct ct_entry *ce = &m->e->ct.e[m->ct];
	uint32_t client = ce->t[CT_ORIG].src, ext = ce->t[CT_REPLY].dst;
	bool addr = d->kind != DCC_ACCEPT;
	char text[32];
	uint16_t port;

	if (d->port == 0)
		return 0;			/* passive: the other side listens */
	if (addr && d->addr != ntohl(client)) {
		dcc_refuse(m, "DCC names another host");
		return 0;
	}
	if (d->port < DCC_PORT_MIN) {
		dcc_refuse(m, "DCC port below 1024");
		return 0;
	}
	if (*offered) {
		dcc_refuse(m, "a second DCC offer in one segment");
		return 0;
	}
	*offered = true;
	if (alg_expect(m, 0, ext, client, htons(d->port), &port))
		return 0;			/* no port: counted there */
	if (addr)
		snprintf(text, sizeof(text), "%u %u", ntohl(ext), ntohs(port));
	else
		snprintf(text, sizeof(text), "%u", ntohs(port));
	return dcc_replace(m, off, d, text, true);
}

/*
 * A RESUME coming in to the client names the port its offer was mapped
 * to: back to the client's own. Return: how much longer the line became
 */
static int32_t dcc_resume_in(struct alg_msg *m, uint32_t off,
			     const struct dcc *d)
{
	const struct ct_entry *ce = &m->e->ct.e[m->ct];
	const struct nat *n = &m->e->nat;
	uint32_t map = nat_map_by_ext(n, IPPROTO_TCP_, ce->t[CT_REPLY].dst,
				      htons(d->port));
	char text[8];

	if (map == NAT_NONE || n->m[map].int_addr != ce->t[CT_ORIG].src ||
	    ntohs(n->m[map].int_port) == d->port)
		return 0;
	snprintf(text, sizeof(text), "%u", ntohs(n->m[map].int_port));
	return dcc_replace(m, off, d, text, false);
}

/*
 * One complete line, [@off, @end) of the payload; @offered: an offer
 * was taken in this segment already.
 * Return: where it ends now (a rewrite may have moved it)
 */
static uint32_t irc_line(struct alg_msg *m, uint32_t off, uint32_t end,
			 bool *offered)
{
	struct dcc d;
	enum dcc_verdict v = dcc_parse(m->data + off, end - off, &d);
	bool out = m->dir == CT_ORIG;

	if (v == DCC_BAD && out)
		dcc_refuse(m, "malformed DCC");
	if (v != DCC_OK)
		return end;
	if (out && d.kind != DCC_RESUME)
		return (uint32_t)((int32_t)end + dcc_offer(m, off, &d, offered));
	if (!out && d.kind == DCC_RESUME)
		return (uint32_t)((int32_t)end + dcc_resume_in(m, off, &d));
	return end;		/* names the other side's port */
}

/* The segment's last bytes, [@off, len), no '\n': a DCC of the client's? */
static void irc_partial(struct alg_msg *m, uint32_t off)
{
	struct irc_cur c = { m->data + off, m->data + m->len };

	if (m->dir == CT_ORIG && dcc_head(&c))
		dcc_refuse(m, "DCC line incomplete (split across segments)");
}

/**
 * irc_help() - A segment of an IRC connection, from its start: each line
 * in order (see the top of the file)
 * @m:		the message
 */
void irc_help(struct alg_msg *m)
{
	const struct ct_entry *ce = &m->e->ct.e[m->ct];
	uint32_t off = 0;
	bool offered = false;

	if ((ce->xflags & CT_X_INBOUND) ||
	    ce->t[CT_REPLY].dst == ce->t[CT_ORIG].src)
		return;		/* not a masqueraded client's connection */
	while (off < m->len) {
		const uint8_t *nl = memchr(m->data + off, '\n', m->len - off);

		if (!nl) {
			irc_partial(m, off);
			return;
		}
		off = irc_line(m, off, (uint32_t)(nl - m->data) + 1, &offered);
	}
}
