// SPDX-License-Identifier: MIT
/*
 * ctlist.c - the commands that walk the whole connection table, in
 *	      bounded chunks: masq -L, conntrack -L, conntrack -F
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
 * one made meanwhile behind the cursor stays.
 *
 * The lines are written by hand (decimal, dotted quad, padding) into a
 * line buffer and appended once: several times cheaper than the printf
 * family, which was most of what a listing cost. The formats are those
 * of ipchains -M -L and conntrack(8) (docs/control.md).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eng.h"

#define CTLIST_SLOTS	16384	/* slots a chunk looks at (1 MiB of table) */
#define CTLIST_ENTRIES	512	/* connections a chunk lists or forgets */

#define EXIT_FAIL	1

enum ctlist_kind { CTLIST_MASQ, CTLIST_CONNTRACK, CTLIST_FLUSH };

/* A walk in progress: what it does and the next slot it looks at */
struct masq_ctl_list {
	enum ctlist_kind kind;
	uint32_t next;
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

/*
 * masq -L: one masqueraded connection as ipchains -M -L showed it: prot,
 * expire as minutes:seconds.hundredths, source, destination, ports
 * "internal (masqueraded) -> remote". Return: 1 if listed
 */
static int masq_line(struct masq_engine *e, uint32_t i, struct line *l)
{
	const struct ct_entry *ce = &e->ct.e[i];
	const struct ct_tuple *o = &ce->t[CT_ORIG], *r = &ce->t[CT_REPLY];
	uint32_t left;
	size_t f;

	if (!(ce->flags & CT_F_SNAT))
		return 0;
	left = ct_time_left(&e->ct, i, e->now_s);
	put_s(l, ce->proto == IPPROTO_ICMP_ ? "ICMP" :
		 ce->proto == IPPROTO_TCP_ ? "TCP " : "UDP ");
	f = l->n + 1;
	put(l, " ", 1);
	put_u(l, left / 60, 2);
	put(l, ":", 1);
	put_u(l, left % 60, 2);
	put(l, ".00", 3);
	pad(l, f, 9);
	f = l->n + 1;
	put(l, " ", 1);
	put_ip(l, o->src);
	pad(l, f, 20);
	f = l->n + 1;
	put(l, " ", 1);
	put_ip(l, o->dst);
	pad(l, f, 20);
	put(l, " ", 1);
	put_u(l, ntohs(o->sport), 1);
	put(l, " (", 2);
	put_u(l, ntohs(r->dport), 1);
	put(l, ")", 1);
	if (ce->proto != IPPROTO_ICMP_) {
		put(l, " -> ", 4);
		put_u(l, ntohs(o->dport), 1);
	}
	put(l, "\n", 1);
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

/* conntrack -L: one connection in the format of conntrack(8) */
static int conntrack_line(struct masq_engine *e, uint32_t i, struct line *l)
{
	const struct ct_entry *ce = &e->ct.e[i];

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
	put(l, "mark=0 use=1\n", 13);
	return 1;
}

/* conntrack -F: forget one connection (and what it holds) */
static int flush_one(struct masq_engine *e, uint32_t i, struct line *l)
{
	(void)l;
	conn_release(e, i);
	return 1;
}

static int (*const ctlist_step[])(struct masq_engine *e, uint32_t i,
				  struct line *l) = {
	[CTLIST_MASQ] = masq_line,
	[CTLIST_CONNTRACK] = conntrack_line,
	[CTLIST_FLUSH] = flush_one,
};

/* Which walk @argv asks for, or -1 when it is none (or malformed) */
static int ctlist_kind(int argc, char *const *argv)
{
	if (argc >= 2 && !strcmp(argv[0], "masq") && !strcmp(argv[1], "-L")) {
		for (int i = 2; i < argc; i++)
			if (strcmp(argv[i], "-n"))
				return -1;
		return CTLIST_MASQ;
	}
	if (argc != 2 || strcmp(argv[0], "conntrack"))
		return -1;
	if (!strcmp(argv[1], "-L"))
		return CTLIST_CONNTRACK;
	if (!strcmp(argv[1], "-F"))
		return CTLIST_FLUSH;
	return -1;
}

/**
 * masq_engine_ctl_list() - Start a command that walks the connection table
 * @e:		engine
 * @argc:	number of words
 * @argv:	the command: masq -L [-n], conntrack -L, conntrack -F
 * @l:		the walk, or NULL when the command is none of these (or
 *		malformed: masq_engine_ctl() says what is wrong)
 *
 * Return: 0, or -ENOMEM (@l NULL)
 */
int masq_engine_ctl_list(struct masq_engine *e, int argc, char *const *argv,
			 struct masq_ctl_list **l)
{
	int kind = argc >= 1 && argv[0] ? ctlist_kind(argc, argv) : -1;

	(void)e;
	*l = NULL;
	if (kind < 0)
		return 0;
	*l = calloc(1, sizeof(**l));
	if (!*l)
		return -ENOMEM;
	(*l)->kind = (enum ctlist_kind)kind;
	return 0;
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

	if (l->kind == CTLIST_MASQ && l->next == 0)
		masq_text_printf(out, "IP masquerading entries\n"
				 "prot expire    source               "
				 "destination          ports\n");
	for (; l->next < end && n < CTLIST_ENTRIES; l->next++) {
		if (!(e->ct.e[l->next].flags & CT_F_USED))
			continue;
		line.n = 0;
		n += ctlist_step[l->kind](e, l->next, &line);
		if (line.n)
			masq_text_append(out, line.b, line.n);
	}
	if (out->oom)
		return EXIT_FAIL;
	return l->next < e->ct.max ? MASQ_CTL_MORE : 0;
}

/**
 * masq_ctl_list_free() - Forget a walk (finished or not)
 * @l:		the walk, or NULL
 */
void masq_ctl_list_free(struct masq_ctl_list *l)
{
	free(l);
}
