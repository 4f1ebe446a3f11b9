// SPDX-License-Identifier: MIT
/*
 * ctevent.c - conntrack -E: the connection table's events (new, state
 *	       changed, gone) for whoever listens
 *
 * Theory of operation: the packet path records an event into one ring
 * of CTEV_RING slots (a copy of what the line will show, so a connection
 * gone meanwhile still prints), and only while someone listens: every
 * hook is one predictable branch on e->ctev.listeners, which is 0 on a
 * router nobody watches (the cost measured with bench est_1k). A record
 * is a 40-byte copy into a slot made at the first listener; nothing is
 * allocated or waited for on the packet path. Each listener (a walk of
 * ctlist.c's kind CTLIST_EVENTS) keeps its own cursor; the ring never
 * waits for a reader: a listener that has fallen more than CTEV_RING
 * events behind (a slow client, or a burst) skips to the oldest event
 * still held, and the events it missed are counted and said once, in a
 * line of their own: "conntrack: N events lost".
 *
 * The lines are conntrack(8)'s -E lines (conntrack-tools 1.4.7):
 *
 *	    [NEW] tcp      6 120 SYN_SENT src=... dst=... sport=... dport=... [UNREPLIED] src=... ...
 *	 [UPDATE] tcp      6 60 SYN_RECV src=... ...
 *	[DESTROY] tcp      6 src=... ... [ASSURED]
 *
 * NEW when a connection is made (conn_commit()), UPDATE when a packet
 * changes its TCP state or makes it replied or assured (conn_update()),
 * DESTROY when it is forgotten for any reason (conn_release(): expiry,
 * eviction, conntrack -F, masq -D). As the kernel's events, a DESTROY
 * line has no timeout and no state, and no line has counters.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng.h"

static const char *const ctev_type_names[CTEV_NUM] = {
	[CTEV_NEW] = "[NEW]",
	[CTEV_UPDATE] = "[UPDATE]",
	[CTEV_DESTROY] = "[DESTROY]",
};

/**
 * ctev_record() - Record an event of connection @idx (a listener exists)
 * @e:		engine
 * @idx:	live entry
 * @type:	what happened
 *
 * O(1), no allocation: the oldest slot is overwritten.
 */
void ctev_record(struct masq_engine *e, uint32_t idx, enum ctev_type type)
{
	const struct ct_entry *ce = &e->ct.e[idx];
	struct ctev *ev;

	if (!e->ctev.ring)
		return;
	ev = &e->ctev.ring[e->ctev.head++ & (CTEV_RING - 1)];
	ev->type = (uint8_t)type;
	ev->proto = ce->proto;
	ev->state = ce->state;
	ev->flags = (uint8_t)((ce->flags & CT_F_REPLIED ? CTEV_F_REPLIED : 0) |
			      (ct_is_assured(ce) ? CTEV_F_ASSURED : 0));
	ev->timeout = type == CTEV_DESTROY ? 0 :
		      ct_time_left(&e->ct, idx, e->now_s);
	ev->t[CT_ORIG] = ce->t[CT_ORIG];
	ev->t[CT_REPLY] = ce->t[CT_REPLY];
}

/**
 * ctev_listen() - A listener comes: the ring made at the first
 * @e:		engine
 * @cursor:	set to the next event it will see
 *
 * Return: 0, or -ENOMEM
 */
int ctev_listen(struct masq_engine *e, uint64_t *cursor)
{
	if (!e->ctev.ring) {
		e->ctev.ring = calloc(CTEV_RING, sizeof(*e->ctev.ring));
		if (!e->ctev.ring)
			return -ENOMEM;
	}
	e->ctev.listeners++;
	*cursor = e->ctev.head;
	return 0;
}

/**
 * ctev_unlisten() - A listener goes (the ring stays for the next one)
 * @e:		engine
 */
void ctev_unlisten(struct masq_engine *e)
{
	if (e->ctev.listeners)
		e->ctev.listeners--;
}

/**
 * ctev_free() - Free the ring (engine teardown)
 * @e:		engine
 */
void ctev_free(struct masq_engine *e)
{
	free(e->ctev.ring);
	e->ctev.ring = NULL;
	e->ctev.listeners = 0;
}

static const char *ctev_proto_name(uint8_t proto)
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

static void ctev_tuple(struct masq_text *out, const struct ctev *ev, int dir)
{
	const struct ct_tuple *t = &ev->t[dir];
	const uint8_t *s = (const uint8_t *)&t->src, *d = (const uint8_t *)&t->dst;

	masq_text_printf(out, " src=%u.%u.%u.%u dst=%u.%u.%u.%u", s[0], s[1],
			 s[2], s[3], d[0], d[1], d[2], d[3]);
	if (ev->proto == IPPROTO_ICMP_)
		masq_text_printf(out, " type=%u code=0 id=%u",
				 dir == CT_ORIG ? ICMP_ECHO : ICMP_ECHOREPLY,
				 ntohs(dir == CT_ORIG ? t->sport : t->dport));
	else
		masq_text_printf(out, " sport=%u dport=%u", ntohs(t->sport),
				 ntohs(t->dport));
}

/**
 * ctev_format() - One event as conntrack -E prints it
 * @ev:		the event
 * @out:	the line is appended here, with its newline
 */
void ctev_format(const struct ctev *ev, struct masq_text *out)
{
	masq_text_printf(out, "%9s %-8s %u", ctev_type_names[ev->type],
			 ctev_proto_name(ev->proto), ev->proto);
	if (ev->type != CTEV_DESTROY) {
		masq_text_printf(out, " %u", ev->timeout);
		if (ev->proto == IPPROTO_TCP_ && ev->state < TCPS_NUM)
			masq_text_printf(out, " %s", ct_tcp_state_names[ev->state]);
	}
	ctev_tuple(out, ev, CT_ORIG);
	if (!(ev->flags & CTEV_F_REPLIED))
		masq_text_printf(out, " [UNREPLIED]");
	ctev_tuple(out, ev, CT_REPLY);
	if (ev->flags & CTEV_F_ASSURED)
		masq_text_printf(out, " [ASSURED]");
	masq_text_printf(out, "\n");
}

/**
 * ctev_read() - A listener's next events, as lines
 * @e:		engine
 * @cursor:	the listener's cursor, moved on
 * @out:	lines appended here; first, when events were overwritten
 *		before it read them, "conntrack: N events lost"
 *
 * At most CTEV_PER_READ events a call.
 *
 * Return: the events missed (0 when none)
 */
uint64_t ctev_read(struct masq_engine *e, uint64_t *cursor,
		   struct masq_text *out)
{
	uint64_t head = e->ctev.head, lost = 0;

	if (head - *cursor > CTEV_RING) {
		lost = head - CTEV_RING - *cursor;
		*cursor = head - CTEV_RING;
		masq_text_printf(out, "conntrack: %llu events lost\n",
				 (unsigned long long)lost);
	}
	for (int n = 0; *cursor != head && n < CTEV_PER_READ; n++)
		ctev_format(&e->ctev.ring[(*cursor)++ & (CTEV_RING - 1)], out);
	return lost;
}
