// SPDX-License-Identifier: MIT
/*
 * ctlist.c - the commands that walk the whole connection table, in
 *	      bounded chunks: masq -L, masq -D, masq -F, conntrack -L,
 *	      -D, -G (with conntrack's filters), conntrack -F
 *
 * Theory of operation: a full table is 262,144 connections by default
 * (about 50 MB of conntrack -L text, 0.4 s of formatting in one go),
 * far too much for one step of a loop that also forwards packets. So
 * each of these commands is a cursor over the table's slots (the
 * connection index, 0 to max - 1): masq_ctl_list_next() looks at no
 * more than CTLIST_SLOTS slots and lists (or forgets) no more than
 * CTLIST_ENTRIES connections, then returns; the caller forwards packets
 * between two chunks, and asks for the next chunk when the last one's
 * text is on its way (masqd: when the client has read it). The road not
 * taken: a snapshot of the table, 16 MB copied in one step and held for
 * as long as the slowest reader takes.
 *
 * What a listing shows, as a netlink dump of Linux's conntrack does: a
 * connection present from the start of the listing to its end is listed
 * exactly once (a connection never changes slot, and the cursor visits
 * each slot once, in order); one made or forgotten meanwhile may be
 * listed or not; each line is as its connection was when its chunk was
 * made. conntrack -F forgets every connection present when it started;
 * one made meanwhile behind the cursor stays. masq -D and -F are the same
 * walk over the masquerade table's entries (masqtab.c), forgetting those
 * they name, and say at the end how many went. conntrack -L, -D and -G
 * take conntrack's filters (masq/ctfilter.h, parsed in ctfilter.c),
 * tested on each connection the walk visits: a filtered listing of a
 * million connections is as bounded per chunk as a whole one. -D lists
 * each connection it forgets (as conntrack does) and forgets it with all
 * it holds (conn_release(): its masquerade mapping, its expectations).
 * -G is the same walk with the whole tuple as its filter, original or
 * reply direction: with --workers N the connection lives in one engine
 * of N, and a walk finds it wherever it is (the road not taken: a hash
 * lookup per engine, faster, but a second path for one connection).
 * The count conntrack prints at the end ("N flow entries have been
 * shown.") is masqctl's: it counts the lines, which adds up over the
 * engines of --workers N without a word from here. A walk that forgets only
 * ever forgets the connection under its own cursor (conn_release()
 * frees that slot alone), so another walk in progress keeps its promise.
 *
 * The lines are written by hand (decimal, dotted quad, padding) into a
 * line buffer and appended once: several times cheaper than the printf
 * family, which was most of what a listing cost. The formats are those
 * of ipchains -M -L (and -v), the 2.0/2.2 kernels' /proc/net/ip_masquerade
 * (masq -L --raw) and conntrack(8) (docs/control.md).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eng.h"
#include "masq/ctfilter.h"
#include "masqtab.h"

#define CTLIST_SLOTS	16384	/* slots a chunk looks at (1 MiB of table) */
#define CTLIST_ENTRIES	512	/* connections a chunk lists or forgets */

#define EXIT_FAIL	1

enum ctlist_kind { CTLIST_MASQ, CTLIST_MASQ_RAW, CTLIST_MASQ_FORGET,
		  CTLIST_CONNTRACK, CTLIST_CT_DELETE, CTLIST_FLUSH, CTLIST_NUM,
		  CTLIST_EVENTS };	/* conntrack -E: no walk (ctevent.c) */

/**
 * struct masq_ctl_list - a walk in progress
 * @kind:	what it does
 * @next:	the next slot it looks at
 * @masq:	masq's words (the masq kinds)
 * @ctf:	conntrack -L, -D, -G: which connections
 * @rows:	masq -L: rows listed so far (the column heading comes
 *		with the first, as ipchains printed it); -D, -F: entries
 *		forgotten
 * @e:		conntrack -E: the engine it listens to
 * @cursor:	... the next event it reads (ctevent.c)
 */
struct masq_ctl_list {
	enum ctlist_kind kind;
	uint32_t next;
	struct masqtab_args masq;
	struct ct_filter ctf;
	uint32_t rows;
	struct masq_engine *e;
	uint64_t cursor;
};

/* One line being written; the longest (conntrack -L) is about 300 bytes */
struct line {
	char b[512];
	size_t n;
};

static void put(struct line *l, const char *s, size_t n)
{
	memcpy(l->b + l->n, s, n);
	l->n += n;
}

static void put_s(struct line *l, const char *s)
{
	put(l, s, strlen(s));
}

/* @v in decimal, at least @width digits (leading zeros) */
static void put_u(struct line *l, uint64_t v, int width)
{
	char d[20];
	int n = 0;

	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n < width)
		d[n++] = '0';
	while (n)
		l->b[l->n++] = d[--n];
}

/* An address in network order, dotted */
static void put_ip(struct line *l, uint32_t addr)
{
	const uint8_t *a = (const uint8_t *)&addr;

	for (int i = 0; i < 4; i++) {
		if (i)
			l->b[l->n++] = '.';
		put_u(l, a[i], 1);
	}
}

/* Spaces up to column @col of the field that started at @from ("%-Ns") */
static void pad(struct line *l, size_t from, size_t col)
{
	while (l->n < from + col)
		l->b[l->n++] = ' ';
}

static const char *ctlist_proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP_:
		return "tcp";
	case IPPROTO_UDP_:
		return "udp";
	case IPPROTO_ICMP_:
		return "icmp";
	default:
		return "unknown";
	}
}

/* @v in decimal, right-aligned in @width columns ("%*u") */
static void put_ur(struct line *l, uint64_t v, int width)
{
	char d[20];
	int n = 0;

	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (width-- > n)
		l->b[l->n++] = ' ';
	while (n)
		l->b[l->n++] = d[--n];
}

/* @v signed, right-aligned in @width columns ("%*d") */
static void put_dr(struct line *l, int32_t v, int width)
{
	uint32_t m = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
	char d[12];
	int n = 0;

	do {
		d[n++] = (char)('0' + m % 10);
		m /= 10;
	} while (m);
	if (v < 0)
		d[n++] = '-';
	while (width-- > n)
		l->b[l->n++] = ' ';
	while (n)
		l->b[l->n++] = d[--n];
}

/* @v in upper-case hexadecimal, @digits of it ("%0*X") */
static void put_x(struct line *l, uint32_t v, int digits)
{
	static const char hex[] = "0123456789ABCDEF";

	for (int sh = (digits - 1) * 4; sh >= 0; sh -= 4)
		l->b[l->n++] = hex[(v >> sh) & 15];
}

/* ipchains -M -L's column heading (-v: with the helpers' columns) */
static void masq_heading(struct line *l, bool verbose)
{
	put_s(l, "prot expire   ");
	if (verbose)
		put_s(l, "   initseq delta prevd ");
	put_s(l, "source               destination          ports\n");
}

/*
 * masq -L: one entry as ipchains -M -L -n printed it: prot, expire as
 * minutes:seconds.hundredths, (-v: initseq, delta, prevd,) source,
 * destination, ports "source (masq) -> destination". Return: 1 if listed
 */
static int masq_line(struct masq_engine *e, struct masq_ctl_list *w,
		     uint32_t i, struct line *l)
{
	struct masqtab_row r;
	char num[4];
	size_t f;

	if (!masqtab_row_of(e, i, &r))
		return 0;
	if (!w->rows++)
		masq_heading(l, w->masq.verbose);
	f = l->n;
	put_s(l, masqtab_proto_name(r.proto, num));
	pad(l, f, 5);
	put_u(l, r.expires_cs / 6000, 2);
	put(l, ":", 1);
	put_u(l, r.expires_cs / 100 % 60, 2);
	put(l, ".", 1);
	put_u(l, r.expires_cs % 100, 2);
	put(l, " ", 1);
	if (w->masq.verbose) {
		put_ur(l, r.init_seq, 10);
		put(l, " ", 1);
		put_dr(l, r.delta, 5);
		put(l, " ", 1);
		put_dr(l, r.pdelta, 5);
		put(l, " ", 1);
	}
	f = l->n;
	put_ip(l, r.src);
	pad(l, f, 20);
	put(l, " ", 1);
	f = l->n;
	put_ip(l, r.dst);
	pad(l, f, 20);
	put(l, " ", 1);
	put_u(l, r.sport, 1);
	put(l, " (", 2);
	put_u(l, r.mport, 1);
	put(l, ") -> ", 5);
	put_u(l, r.dport, 1);
	put(l, "\n", 1);
	return 1;
}

/*
 * masq -L --raw: one entry as the 2.0/2.2 kernels' ip_masq.c wrote a line
 * of /proc/net/ip_masquerade: addresses and ports in hex, Init-seq in
 * hex, Delta and PDelta in decimal, Expires in hundredths of a second
 * (jiffies of a PC's HZ=100). The kernel padded each line to 127 bytes
 * for its offsets; these are not padded. Return: 1 if listed
 */
static int masq_raw_line(struct masq_engine *e, struct masq_ctl_list *w,
			 uint32_t i, struct line *l)
{
	struct masqtab_row r;
	char num[4];

	(void)w;
	if (!masqtab_row_of(e, i, &r))
		return 0;
	put_s(l, masqtab_proto_name(r.proto, num));
	put(l, " ", 1);
	put_x(l, ntohl(r.src), 8);
	put(l, ":", 1);
	put_x(l, r.sport, 4);
	put(l, " ", 1);
	put_x(l, ntohl(r.dst), 8);
	put(l, ":", 1);
	put_x(l, r.dport, 4);
	put(l, " ", 1);
	put_x(l, r.mport, 4);
	put(l, " ", 1);
	put_x(l, r.init_seq, 8);
	put(l, " ", 1);
	put_dr(l, r.delta, 6);
	put(l, " ", 1);
	put_dr(l, r.pdelta, 6);
	put(l, " ", 1);
	put_ur(l, r.expires_cs, 7);
	put(l, "\n", 1);
	return 1;
}

/* masq -D, masq -F: forget an entry they name. Return: 1 if forgotten */
static int masq_forget(struct masq_engine *e, struct masq_ctl_list *w,
		       uint32_t i, struct line *l)
{
	struct masqtab_row r;

	(void)l;
	if (!masqtab_row_of(e, i, &r) || !masqtab_matches(&w->masq, &r))
		return 0;
	conn_release(e, i);
	w->rows++;
	return 1;
}

/* conntrack -L: one direction's tuple and counters */
static void ct_tuple_put(struct line *l, const struct ct_table *ct,
			 uint32_t i, int dir)
{
	const struct ct_entry *ce = &ct->e[i];
	const struct ct_tuple *t = &ce->t[dir];

	put(l, "src=", 4);
	put_ip(l, t->src);
	put(l, " dst=", 5);
	put_ip(l, t->dst);
	if (ce->proto == IPPROTO_ICMP_) {
		put(l, " type=", 6);
		put_u(l, dir == CT_ORIG ? ICMP_ECHO : ICMP_ECHOREPLY, 1);
		put(l, " code=0 id=", 11);
		put_u(l, ntohs(dir == CT_ORIG ? t->sport : t->dport), 1);
	} else {
		put(l, " sport=", 7);
		put_u(l, ntohs(t->sport), 1);
		put(l, " dport=", 7);
		put_u(l, ntohs(t->dport), 1);
	}
	put(l, " ", 1);
	if (!ct->acct)
		return;
	put(l, "packets=", 8);
	put_u(l, ct->acct[i].pkts[dir], 1);
	put(l, " bytes=", 7);
	put_u(l, ct->acct[i].bytes[dir], 1);
	put(l, " ", 1);
}

/*
 * Does direction @dir of connection @ce hold @f's whole tuple? (An echo's
 * id is the original direction's sport, the reply's dport: pkt.h)
 */
static bool ctf_tuple_is(const struct ct_filter *f, const struct ct_entry *ce,
			 int dir)
{
	const struct ct_tuple *t = &ce->t[dir];

	if (t->src != f->src || t->dst != f->dst)
		return false;
	if (ce->proto == IPPROTO_ICMP_)
		return ntohs(dir == CT_ORIG ? t->sport : t->dport) == f->icmp_id;
	if (f->has & CTF_SPORT && ntohs(t->sport) != f->sport)
		return false;
	return !(f->has & CTF_DPORT) || ntohs(t->dport) == f->dport;
}

/*
 * conntrack -G: the one connection whose original or reply tuple is the
 * filter's (ICMP: an echo's type 8, code 0 and id)
 */
static bool ctf_get_matches(const struct ct_filter *f,
			    const struct ct_entry *ce)
{
	if (ce->proto == IPPROTO_ICMP_ &&
	    (f->icmp_type != ICMP_ECHO || f->icmp_code))
		return false;
	return ctf_tuple_is(f, ce, CT_ORIG) || ctf_tuple_is(f, ce, CT_REPLY);
}

/* Is address @a what @f asks of it (CTF_* bit @bit, value @want)? */
#define CTF_IS(f, bit, a, want)	(!((f)->has & (bit)) || (a) == (want))

/* conntrack -L, -D, -G: is connection @i one @f names? O(1) */
static bool ctf_matches(const struct ct_filter *f, const struct ct_table *ct,
			uint32_t i)
{
	const struct ct_entry *ce = &ct->e[i];
	const struct ct_tuple *o = &ce->t[CT_ORIG], *r = &ce->t[CT_REPLY];

	if (!f->has)
		return true;
	if (f->has & CTF_PROTO && ce->proto != f->proto)
		return false;
	if (f->has & CTF_GET)
		return ctf_get_matches(f, ce);
	return CTF_IS(f, CTF_SRC, o->src, f->src) &&
	       CTF_IS(f, CTF_DST, o->dst, f->dst) &&
	       CTF_IS(f, CTF_RSRC, r->src, f->rsrc) &&
	       CTF_IS(f, CTF_RDST, r->dst, f->rdst) &&
	       CTF_IS(f, CTF_SPORT, ntohs(o->sport), f->sport) &&
	       CTF_IS(f, CTF_DPORT, ntohs(o->dport), f->dport) &&
	       CTF_IS(f, CTF_RSPORT, ntohs(r->sport), f->rsport) &&
	       CTF_IS(f, CTF_RDPORT, ntohs(r->dport), f->rdport) &&
	       CTF_IS(f, CTF_STATE, ce->state, f->state) &&
	       CTF_IS(f, CTF_MARK, ct->aux[i].mark & f->mark_mask,
		      f->mark & f->mark_mask) &&
	       CTF_IS(f, CTF_ICMP_TYPE, ICMP_ECHO, f->icmp_type) &&
	       CTF_IS(f, CTF_ICMP_CODE, 0, f->icmp_code) &&
	       CTF_IS(f, CTF_ICMP_ID, ntohs(o->sport), f->icmp_id);
}

/* conntrack -L: one connection in the format of conntrack(8) */
static int conntrack_line(struct masq_engine *e, struct masq_ctl_list *w,
			  uint32_t i, struct line *l)
{
	const struct ct_entry *ce = &e->ct.e[i];

	if (!ctf_matches(&w->ctf, &e->ct, i))
		return 0;
	put_s(l, ctlist_proto_name(ce->proto));
	pad(l, 0, 8);
	put(l, " ", 1);
	put_u(l, ce->proto, 1);
	put(l, " ", 1);
	put_u(l, ct_time_left(&e->ct, i, e->now_s), 1);
	put(l, " ", 1);
	if (ce->proto == IPPROTO_TCP_) {
		put_s(l, ct_tcp_state_names[ce->state]);
		put(l, " ", 1);
	}
	ct_tuple_put(l, &e->ct, i, CT_ORIG);
	if (!(ce->flags & CT_F_REPLIED))
		put(l, "[UNREPLIED] ", 12);
	ct_tuple_put(l, &e->ct, i, CT_REPLY);
	if (ct_is_assured(ce))
		put(l, "[ASSURED] ", 10);
	put(l, "mark=", 5);
	put_u(l, e->ct.aux[i].mark, 1);
	put(l, " use=1\n", 7);
	return 1;
}

/* conntrack -D: list a connection @w names, then forget it (and what
 * it holds) */
static int ct_delete_one(struct masq_engine *e, struct masq_ctl_list *w,
			 uint32_t i, struct line *l)
{
	if (!conntrack_line(e, w, i, l))
		return 0;
	conn_release(e, i);
	return 1;
}

/* conntrack -F: forget one connection (and what it holds) */
static int flush_one(struct masq_engine *e, struct masq_ctl_list *w,
		     uint32_t i, struct line *l)
{
	(void)w;
	(void)l;
	conn_release(e, i);
	return 1;
}

static int (*const ctlist_step[CTLIST_NUM])(struct masq_engine *e,
					    struct masq_ctl_list *w,
					    uint32_t i, struct line *l) = {
	[CTLIST_MASQ] = masq_line,
	[CTLIST_MASQ_RAW] = masq_raw_line,
	[CTLIST_MASQ_FORGET] = masq_forget,
	[CTLIST_CONNTRACK] = conntrack_line,
	[CTLIST_CT_DELETE] = ct_delete_one,
	[CTLIST_FLUSH] = flush_one,
};

static const enum ctlist_kind masq_kind[MASQTAB_NUM] = {
	[MASQTAB_LIST] = CTLIST_MASQ,
	[MASQTAB_RAW] = CTLIST_MASQ_RAW,
	[MASQTAB_DELETE] = CTLIST_MASQ_FORGET,
	[MASQTAB_FLUSH] = CTLIST_MASQ_FORGET,
};

/* conntrack's walks, by command letter */
static int conntrack_kind(char cmd)
{
	switch (cmd) {
	case 'L':
	case 'G':
		return CTLIST_CONNTRACK;
	case 'D':
		return CTLIST_CT_DELETE;
	case 'F':
		return CTLIST_FLUSH;
	case 'E':
		return CTLIST_EVENTS;
	default:
		return -1;
	}
}

/*
 * Which walk @argv asks for (masq's words into @m, conntrack's filter
 * into @f), or -1 when it is none (or malformed)
 */
static int ctlist_kind(int argc, char *const *argv, struct masqtab_args *m,
		       struct ct_filter *f)
{
	struct ct_cmdline c;
	char err[CTF_ERR_MAX];

	if (!strcmp(argv[0], "masq"))
		return masqtab_words(argc, argv, m, NULL) ? -1 :
		       (int)masq_kind[m->cmd];
	if (strcmp(argv[0], "conntrack") ||
	    ct_cmdline_parse(argc, argv, &c, err, sizeof(err)) || c.expect)
		return -1;
	*f = c.f;
	return conntrack_kind(c.cmd);
}

/**
 * masq_engine_ctl_list() - Start a command that walks the connection table
 * @e:		engine
 * @argc:	number of words
 * @argv:	the command: masq -L [-n] [-v] [--raw], masq -D PROTO ADDR
 *		PORT, masq -F, conntrack -L|-D|-G [FILTER...] (ctfilter.c),
 *		conntrack -F, conntrack -E (no walk: a listener,
 *		masq_ctl_list_live())
 * @l:		the walk, or NULL when the command is none of these (or
 *		malformed: masq_engine_ctl() says what is wrong)
 *
 * Return: 0, or -ENOMEM (@l NULL)
 */
int masq_engine_ctl_list(struct masq_engine *e, int argc, char *const *argv,
			 struct masq_ctl_list **l)
{
	struct masqtab_args m = { 0 };
	struct ct_filter f = { 0 };
	int kind = argc >= 1 && argv[0] ? ctlist_kind(argc, argv, &m, &f) : -1;

	*l = NULL;
	if (kind < 0)
		return 0;
	*l = calloc(1, sizeof(**l));
	if (!*l)
		return -ENOMEM;
	(*l)->kind = (enum ctlist_kind)kind;
	(*l)->masq = m;
	(*l)->ctf = f;
	(*l)->e = e;
	if (kind == CTLIST_EVENTS && ctev_listen(e, &(*l)->cursor)) {
		free(*l);
		*l = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* What a walk prints before its first entry */
static void walk_heading(struct masq_engine *e, struct masq_ctl_list *l,
			 struct masq_text *out)
{
	uint32_t free[MASQTAB_FREE_NUM];

	if (l->kind == CTLIST_MASQ)
		masq_text_printf(out, "IP masquerading entries\n");
	if (l->kind != CTLIST_MASQ_RAW)
		return;
	/* ip_masq.c's own heading, free ports by protocol (masqtab.c) */
	masqtab_free_ports(e, free);
	masq_text_printf(out, "Prc FromIP   FPrt ToIP     TPrt Masq Init-seq  "
			 "Delta PDelta Expires (free=%u,%u,%u)\n",
			 free[MASQTAB_FREE_UDP], free[MASQTAB_FREE_TCP],
			 free[MASQTAB_FREE_ICMP]);
}

/* masq -D, -F at the end: how many went. Return: 0, or 1 for none to -D */
static int forget_said(const struct masq_ctl_list *l, struct masq_text *out)
{
	const struct masqtab_args *m = &l->masq;
	const char *s = l->rows == 1 ? "y" : "ies";
	char num[4], addr[INET_ADDRSTRLEN];

	if (m->cmd == MASQTAB_FLUSH) {
		masq_text_printf(out, "%u entr%s flushed\n", l->rows, s);
		return 0;
	}
	if (l->rows) {
		masq_text_printf(out, "%u entr%s deleted\n", l->rows, s);
		return 0;
	}
	inet_ntop(AF_INET, &m->addr, addr, sizeof(addr));
	masq_text_printf(out, "masq: no such entry: %s %s %u\n",
			 masqtab_proto_name(m->proto, num), addr, m->port);
	return EXIT_FAIL;
}

/**
 * masq_ctl_list_next() - Make the walk's next chunk
 * @e:		engine
 * @l:		the walk
 * @out:	the chunk's text is appended here
 *
 * At most CTLIST_SLOTS slots looked at and CTLIST_ENTRIES connections
 * listed or forgotten: about half a millisecond.
 *
 * Return: MASQ_CTL_MORE while chunks remain, else the command's exit
 * status: 0, or 1 when @out ran out of memory (the text says so)
 */
int masq_ctl_list_next(struct masq_engine *e, struct masq_ctl_list *l,
		       struct masq_text *out)
{
	uint32_t end = e->ct.max - l->next > CTLIST_SLOTS ?
		       l->next + CTLIST_SLOTS : e->ct.max;
	struct line line;
	int n = 0;

	if (l->kind == CTLIST_EVENTS) {		/* never ends; may be empty */
		ctev_read(e, &l->cursor, out);
		return out->oom ? EXIT_FAIL : MASQ_CTL_MORE;
	}
	if (l->next == 0)
		walk_heading(e, l, out);
	for (; l->next < end && n < CTLIST_ENTRIES; l->next++) {
		if (!(e->ct.e[l->next].flags & CT_F_USED))
			continue;
		line.n = 0;
		n += ctlist_step[l->kind](e, l, l->next, &line);
		if (line.n)
			masq_text_append(out, line.b, line.n);
	}
	if (out->oom)
		return EXIT_FAIL;
	if (l->next < e->ct.max)
		return MASQ_CTL_MORE;
	return l->kind == CTLIST_MASQ_FORGET ? forget_said(l, out) : 0;
}

/**
 * masq_ctl_list_free() - Forget a walk (finished or not)
 * @l:		the walk, or NULL
 */
void masq_ctl_list_free(struct masq_ctl_list *l)
{
	if (l && l->kind == CTLIST_EVENTS)
		ctev_unlisten(l->e);
	free(l);
}

/**
 * masq_ctl_list_live() - Is the walk a listener (conntrack -E)?
 * @l:		the walk
 *
 * A listener never ends by itself; masq_ctl_list_next() gives what
 * happened since the last call, often nothing: call it once per loop
 * iteration, not as fast as the client reads.
 *
 * Return: true for conntrack -E
 */
bool masq_ctl_list_live(const struct masq_ctl_list *l)
{
	return l->kind == CTLIST_EVENTS;
}
