// SPDX-License-Identifier: MIT
/*
 * alg.c - application helpers: which connection gets one, their side
 *	   records, the hooks on a helper connection's packets, and the
 *	   `helper` command (see alg.h)
 *
 * A new connection gets a helper when its server's port (the port the
 * client dialed, or the one a forward or DNAT sent it to) is one of an
 * enabled helper's ports and its protocol is the helper's: TCP for ftp
 * and irc, UDP for tftp; or, the modern way, when a raw table rule gave
 * its first packet one (-j CT --helper ftp: fwt_ct.c), whatever its port
 * and whether that helper is on. The record is found again by the connection's
 * index in a small open-addressing table (the entry stays 64 bytes; its
 * CT_F_SIDE flag says there is one, so nothing else asks).
 *
 * A helper connection's packets leave the short path (conn.c) and pass
 * here twice: before tracking, the acknowledgements (and SACK blocks) are
 * brought back to the numbering of the end they acknowledge
 * (seqadj_ack_in()), so the window checks see each end's own numbers;
 * after tracking and filtering, a segment that starts a message (at the
 * next expected sequence number, or the last rewritten message again)
 * goes to its helper, and then its sequence number takes the direction's
 * adjustment (seqadj_seq_out()).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alg.h"
#include "eng.h"

#define EXIT_FAIL	1
#define EXIT_USAGE	2

static const char *const names[ALG_NUM] = {
	[ALG_NONE] = "none", [ALG_FTP] = "ftp", [ALG_IRC] = "irc",
	[ALG_TFTP] = "tftp",
};

static const uint8_t protos[ALG_NUM] = {
	[ALG_FTP] = IPPROTO_TCP_, [ALG_IRC] = IPPROTO_TCP_,
	[ALG_TFTP] = IPPROTO_UDP_,
};

static void (*const helps[ALG_NUM])(struct alg_msg *m) = {
	[ALG_FTP] = ftp_help, [ALG_IRC] = irc_help, [ALG_TFTP] = tftp_help,
};

const char *alg_name(enum alg_id id)
{
	return id < ALG_NUM ? names[id] : "?";
}

/* Defaults: ftp on 21, tftp on 69, irc off (6667 when switched on) */
static void alg_defaults(struct alg_state *a)
{
	memset(a->conf, 0, sizeof(a->conf));
	a->conf[ALG_FTP] = (struct alg_conf){ true, 1, { 21 } };
	a->conf[ALG_IRC] = (struct alg_conf){ false, 1, { 6667 } };
	a->conf[ALG_TFTP] = (struct alg_conf){ true, 1, { 69 } };
}

int alg_init(struct masq_engine *e)
{
	struct alg_state *a = calloc(1, sizeof(*a));

	if (!a)
		return -1;
	alg_defaults(a);
	for (uint32_t i = 0; i < ALG_CONNS_MAX; i++)
		a->conns[i].next = i + 1 < ALG_CONNS_MAX ? i + 1 : ALG_NO_IDX;
	for (uint32_t i = 0; i < ALG_EXPECT_MAX; i++)
		a->exp[i].master = ALG_NO_IDX;
	e->alg = a;
	return 0;
}

void alg_fini(struct masq_engine *e)
{
	free(e->alg);
	e->alg = NULL;
}

/* ---- the side records: connection index -> record -------------------- */

#define SLOTS_MASK	(2 * ALG_CONNS_MAX - 1)

static uint32_t slot_of(uint32_t ct)
{
	return (ct * 2654435761u) & SLOTS_MASK;
}

struct alg_conn *alg_conn_find(const struct masq_engine *e, uint32_t ct)
{
	const struct alg_state *a = e->alg;

	for (uint32_t s = slot_of(ct);; s = (s + 1) & SLOTS_MASK) {
		uint64_t v = a->slots[s];

		if (!v)
			return NULL;
		if ((uint32_t)(v >> 32) == ct + 1)
			return (struct alg_conn *)&a->conns[(uint32_t)v];
	}
}

const struct alg_conn *alg_conn_of(const struct masq_engine *e, uint32_t ct)
{
	if (!(e->ct.e[ct].flags & CT_F_SIDE))
		return NULL;
	return alg_conn_find(e, ct);
}

static void slot_put(struct alg_state *a, uint32_t ct, uint32_t idx)
{
	uint32_t s = slot_of(ct);

	while (a->slots[s])
		s = (s + 1) & SLOTS_MASK;
	a->slots[s] = (uint64_t)(ct + 1) << 32 | idx;
}

/* Linear probing's deletion: shift later members of the run back */
static void slot_del(struct alg_state *a, uint32_t ct)
{
	uint32_t s = slot_of(ct), j;

	while ((uint32_t)(a->slots[s] >> 32) != ct + 1)
		s = (s + 1) & SLOTS_MASK;
	a->slots[s] = 0;
	for (j = (s + 1) & SLOTS_MASK; a->slots[j]; j = (j + 1) & SLOTS_MASK) {
		uint32_t home = slot_of((uint32_t)(a->slots[j] >> 32) - 1);

		if (((j - home) & SLOTS_MASK) >= ((j - s) & SLOTS_MASK)) {
			a->slots[s] = a->slots[j];
			a->slots[j] = 0;
			s = j;
		}
	}
}

/* The helper whose port and protocol connection @ce's server has */
static enum alg_id alg_for(const struct alg_state *a, const struct ct_entry *ce)
{
	uint16_t dialed = ntohs(ce->t[CT_ORIG].dport);
	uint16_t served = ntohs(ce->t[CT_REPLY].sport);

	for (int id = ALG_FTP; id < ALG_NUM; id++) {
		const struct alg_conf *c = &a->conf[id];

		if (!c->on || ce->proto != protos[id])
			continue;
		for (int i = 0; i < c->nports; i++)
			if (c->ports[i] == dialed || c->ports[i] == served)
				return (enum alg_id)id;
	}
	return ALG_NONE;
}

/* The helper a rule gave (@want, if it has the protocol), or the port's */
static enum alg_id alg_chosen(const struct alg_state *a,
			      const struct ct_entry *ce, uint8_t want)
{
	if (want == ALG_NONE)
		return alg_for(a, ce);
	if (want < ALG_NUM && ce->proto == protos[want])
		return (enum alg_id)want;
	return ALG_NONE;
}

/**
 * alg_attach() - A new connection: give it a helper if its port has one
 * @e:		engine
 * @ct:		the connection, just made (opened from either side)
 *
 * Past ALG_CONNS_MAX helper connections a new one is tracked without a
 * helper (counted: alg_no_room): it works as far as no rewrite is needed.
 */
void alg_attach(struct masq_engine *e, uint32_t ct)
{
	alg_attach_as(e, ct, ALG_NONE);
}

/**
 * alg_attach_as() - A new connection: give it helper @want, or by port
 * @e:		engine
 * @ct:		the connection, just made (opened from either side)
 * @want:	the helper a rule gave it (raw's CT --helper: the modern
 *		way, whatever the port, and whether `helper NAME` is on or
 *		off, as the kernel's explicit assignment); ALG_NONE: the
 *		helper its port has, if any (alg_attach())
 *
 * A rule's helper must have the connection's protocol (the parser asks
 * for -p tcp or udp with it); one that has not is not attached.
 */
void alg_attach_as(struct masq_engine *e, uint32_t ct, uint8_t want)
{
	struct alg_state *a = e->alg;
	struct ct_entry *ce = &e->ct.e[ct];
	enum alg_id id;
	uint32_t i;

	if (ce->xflags & (CT_X_TO_HOST | CT_X_FROM_HOST))
		return;			/* the router host's own: its kernel's */
	if (a->nexp)
		alg_watch_seen(e, ce->proto, &ce->t[CT_ORIG]);
	id = alg_chosen(a, ce, want);
	if (id == ALG_NONE)
		return;
	if (a->free == ALG_NO_IDX) {
		count(e, C_alg_no_room);
		return;
	}
	i = a->free;
	a->free = a->conns[i].next;
	a->conns[i] = (struct alg_conn){ .ct = ct, .alg = (uint8_t)id,
					 .by_rule = want != ALG_NONE,
					 .expect = ALG_NO_IDX };
	slot_put(a, ct, i);
	a->nconns++;
	ce->flags |= CT_F_SIDE;
	count(e, C_alg_conns);
	if (want != ALG_NONE)
		count(e, C_alg_by_rule);
}

/* Connection @ct goes: its record and its pending expectation with it */
void alg_release(struct masq_engine *e, uint32_t ct)
{
	struct alg_state *a = e->alg;
	struct alg_conn *ac = alg_conn_find(e, ct);
	uint32_t i;

	e->ct.e[ct].flags &= (uint8_t)~CT_F_SIDE;
	if (!ac)
		return;
	if (ac->expect != ALG_NO_IDX)
		alg_expect_drop(e, ac->expect, false);
	i = (uint32_t)(ac - a->conns);
	slot_del(a, ct);
	ac->next = a->free;
	a->free = i;
	a->nconns--;
}

/**
 * alg_keeps() - Should helper connection @ct outlive its timeout?
 * @e:		engine
 * @ct:		a helper connection whose time is up
 *
 * While the related connection it opened last still lives, an idle FTP
 * control connection is kept (the Linux Journal article's story: a long
 * transfer outlived the 2.0 kernel's 15-minute timeout of its control
 * connection, and the server's "226 Transfer complete" then met no
 * masquerade entry). Only an established TCP connection is kept.
 * Return: true to keep it (the caller restarts its timeout)
 */
bool alg_keeps(const struct masq_engine *e, uint32_t ct)
{
	const struct alg_conn *ac = alg_conn_find(e, ct);
	enum ct_dir dir;

	if (!ac || !ac->child_proto ||
	    e->ct.e[ct].state != TCPS_ESTABLISHED)
		return false;
	return ct_lookup(&e->ct, ac->child_proto, &ac->child, &dir) != CT_NONE;
}

/* ---- the packets ------------------------------------------------------ */

/**
 * alg_before_track() - A helper connection's packet, before tracking
 * @e:		engine
 * @p:		TCP or UDP packet of connection @ct going way @dir
 *
 * Return: the sequence number a new message of this direction must
 * start at (TCP: the end of what was sent so far), for alg_after_track()
 */
uint32_t alg_before_track(struct masq_engine *e, struct pkt *p, uint32_t ct,
			  enum ct_dir dir)
{
	const struct alg_conn *ac = alg_conn_find(e, ct);

	if (!ac || p->proto != IPPROTO_TCP_)
		return 0;
	seqadj_ack_in(p, ac, dir);
	return e->ct.e[ct].tcp[dir].end;
}

static uint32_t payload_of(const struct pkt *p, uint8_t **data)
{
	uint32_t hl;

	if (p->proto == IPPROTO_UDP_) {
		*data = p->l4 + 8;
		return p->l4_len - 8;
	}
	hl = (uint32_t)(((const struct tcp_hdr *)p->l4)->doff >> 4) * 4;
	*data = p->l4 + hl;
	return p->l4_len - hl;
}

/**
 * alg_after_track() - A helper connection's packet, tracked and let
 * through: its helper, then its direction's sequence adjustment
 * @e:		engine
 * @p:		the packet
 * @ct:		its connection
 * @dir:	the way it goes
 * @expected:	what alg_before_track() said
 *
 * A TCP segment goes to the helper only when it starts where the next
 * message must (a message never starts mid-segment: one that does, or a
 * command split across segments, is left alone), or is the last
 * rewritten message sent again.
 */
void alg_after_track(struct masq_engine *e, struct pkt *p, uint32_t ct,
		     enum ct_dir dir, uint32_t expected)
{
	struct alg_conn *ac = alg_conn_find(e, ct);
	struct alg_msg m = { e, p, ct, dir, ac, NULL, 0, false };
	const struct tcp_hdr *th;
	uint32_t seq;

	if (!ac)
		return;
	m.len = payload_of(p, &m.data);
	if (p->proto == IPPROTO_TCP_) {
		th = (const struct tcp_hdr *)p->l4;
		seq = ntohl(th->seq);
		m.retrans = (ac->adjusted & (4u << dir)) && m.len &&
			    seq == ac->rw_seq[dir];
		if (m.len && (seq == expected || m.retrans))
			helps[ac->alg](&m);
		seqadj_seq_out(p, ac, dir);
		return;
	}
	if (m.len)
		helps[ac->alg](&m);
}

/**
 * alg_refuse() - A message a helper will not act on: counted, and logged
 * (through the engine's log function: masqd caps what it writes)
 * @m:		the message
 * @counter:	its counter (enum masq_counter)
 * @why:	what was wrong, for the log line
 */
void alg_refuse(struct alg_msg *m, int counter, const char *why)
{
	const struct ct_tuple *t = &m->e->ct.e[m->ct].t[m->dir == CT_ORIG ?
							 CT_ORIG : CT_REPLY];
	char line[200], s[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN];

	count(m->e, (enum masq_counter)counter);
	if (!m->e->log_fn)
		return;
	inet_ntop(AF_INET, &t->src, s, sizeof(s));
	inet_ntop(AF_INET, &t->dst, d, sizeof(d));
	snprintf(line, sizeof(line), "masq %s helper: refused from %s:%u to "
		 "%s:%u: %s", alg_name((enum alg_id)m->ac->alg), s,
		 ntohs(t->sport), d, ntohs(t->dport), why);
	m->e->log_fn(m->e->log_ctx, 4, line);
}

/* ---- helper [NAME on|off [ports P,...]] -------------------------------- */

static void conf_list(const struct alg_state *a, struct masq_text *out)
{
	for (int id = ALG_FTP; id < ALG_NUM; id++) {
		const struct alg_conf *c = &a->conf[id];

		masq_text_printf(out, "%s %s ports ", names[id],
				 c->on ? "on" : "off");
		for (int i = 0; i < c->nports; i++)
			masq_text_printf(out, "%s%u", i ? "," : "", c->ports[i]);
		masq_text_printf(out, "\n");
	}
}

/* "P,P,..." into @c's ports. Return: 0, or -1 */
static int parse_ports(const char *s, struct alg_conf *c)
{
	char *end;
	unsigned long v;

	c->nports = 0;
	do {
		if (*s < '0' || *s > '9' || c->nports == ALG_PORTS_MAX)
			return -1;
		v = strtoul(s, &end, 10);
		if (!v || v > 65535 || (*end && *end != ','))
			return -1;
		c->ports[c->nports++] = (uint16_t)v;
		s = *end ? end + 1 : end;
	} while (*end);
	return 0;
}

static int helper_usage(struct masq_text *out, const char *why, const char *w)
{
	masq_text_printf(out, "helper: ");
	masq_text_printf(out, why, w);
	masq_text_printf(out, "\nusage: helper [ftp|irc|tftp on|off [ports P[,P...]]] | helper reset\n");
	return EXIT_USAGE;
}

/**
 * alg_ctl() - helper [NAME on|off [ports P[,P...]]], helper reset
 * @e:		engine
 * @argc:	words
 * @argv:	argv[0] is "helper"
 * @out:	listing or message
 *
 * Connections keep the helper they were made with; the change is for
 * new ones. Return: exit status, or -1 when @argv is not "helper"
 */
int alg_ctl(struct masq_engine *e, int argc, char *const *argv,
	    struct masq_text *out)
{
	struct alg_conf c;
	int id;

	if (argc < 1 || strcmp(argv[0], "helper"))
		return -1;
	if (argc == 1) {
		conf_list(e->alg, out);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "reset")) {
		alg_defaults(e->alg);
		return 0;
	}
	for (id = ALG_FTP; id < ALG_NUM && strcmp(argv[1], names[id]); id++)
		;
	if (id == ALG_NUM)
		return helper_usage(out, "no helper '%s' (ftp, irc, tftp)", argv[1]);
	if (argc == 2) {
		masq_text_printf(out, "%s %s\n", names[id],
				 e->alg->conf[id].on ? "on" : "off");
		return 0;
	}
	c = e->alg->conf[id];
	if (strcmp(argv[2], "on") && strcmp(argv[2], "off"))
		return helper_usage(out, "'%s': on or off", argv[2]);
	c.on = !strcmp(argv[2], "on");
	if (argc == 5 && !strcmp(argv[3], "ports")) {
		if (parse_ports(argv[4], &c))
			return helper_usage(out, "bad ports '%s' (1-65535, at most 8, comma separated)", argv[4]);
	} else if (argc != 3) {
		return helper_usage(out, "unexpected '%s'", argv[3]);
	}
	e->alg->conf[id] = c;
	return 0;
}
