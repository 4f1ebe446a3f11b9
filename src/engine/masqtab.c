// SPDX-License-Identifier: MIT
/*
 * masqtab.c - the masquerade table as the 2.0 and 2.2 kernels kept it:
 *	       which connections are entries, how an entry reads, and the
 *	       `masq` command's words
 *
 *	masq -L [-n] [-v] [--raw]	list (ctlist.c walks and prints)
 *	masq -S [TCP TCPFIN UDP]	set the timeouts, or print them
 *	masq -D PROTO ADDR PORT		forget the entries of one source
 *	masq -F				forget every entry
 *
 * Theory of operation: the 2.2 kernel kept one struct ip_masq per
 * masqueraded or forwarded connection, read as "saddr:sport (mport) ->
 * daddr:dport" with saddr the hidden host. masq keeps no such table:
 * every connection with a translation (CT_F_SNAT or CT_F_DNAT) is an
 * entry, read from its two tuples (masqtab_row_of()):
 *
 *	- its source translated (MASQUERADE, SNAT, a hairpin): the source
 *	  is the original source, the masq port the reply's destination
 *	  port, the destination the original destination;
 *	- only its destination translated (portfw, mfw, autofw, DNAT,
 *	  REDIRECT, a helper's expected connection): the source is the
 *	  host it was sent on to (the reply's source), the masq port the
 *	  port it was addressed to, the destination the remote that opened
 *	  it, as the 2.2 kernel listed portfw's entries.
 *
 * So `masq -D tcp 192.168.0.2 1025` names an entry as the listing shows
 * it, whichever way it was made. Connections without a translation (LAN
 * to LAN, the router host's own) are not entries, as they were not in
 * the kernel's table.
 *
 * The helpers' sequence adjustment (alg.h: Init-seq, Delta, PDelta) is
 * shown for the direction a rewrite changed; the hidden host's own
 * direction when both did (the kernel showed out_seq, its output).
 *
 * Cost: a row is a few loads of an entry the walk has in hand, and one
 * side-record look for a helper connection. masqtab_free_ports() reads
 * the external addresses' counts: O(addresses), no bitmap scan.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alg.h"
#include "eng.h"
#include "masqtab.h"

#define EXIT_USAGE	2

/* Protocols masq masquerades by address that the listing names */
#define IPPROTO_GRE_	47
#define IPPROTO_ESP_	50
#define IPPROTO_AH_	51

#define MASQ_USAGE "usage: masq -L [-n] [-v] [--raw] | masq -S [TCP TCPFIN UDP] | " \
		   "masq -D tcp|udp|icmp ADDR PORT | masq -F"

static int usage(struct masq_text *out, const char *fmt, const char *word)
{
	if (!out)
		return EXIT_USAGE;
	masq_text_printf(out, fmt, word);
	masq_text_printf(out, "\n");
	return EXIT_USAGE;
}

static bool parse_u32(const char *s, uint32_t max, uint32_t *v)
{
	char *end;
	unsigned long x;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || *end || x > max)
		return false;
	*v = (uint32_t)x;
	return true;
}

/* tcp, udp, icmp in any case (the listing says TCP) */
static bool parse_proto(const char *s, uint8_t *proto)
{
	if (!strcasecmp(s, "tcp"))
		*proto = IPPROTO_TCP_;
	else if (!strcasecmp(s, "udp"))
		*proto = IPPROTO_UDP_;
	else if (!strcasecmp(s, "icmp"))
		*proto = IPPROTO_ICMP_;
	else
		return false;
	return true;
}

/* masq -L's options: -n (masqctl's), -v, --raw, in any order */
static int list_words(int argc, char *const *argv, struct masqtab_args *a,
		      struct masq_text *why)
{
	bool raw = false;

	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "-v"))
			a->verbose = true;
		else if (!strcmp(argv[i], "--raw"))
			raw = true;
		else if (strcmp(argv[i], "-n"))
			return usage(why, "masq: unknown option '%s' (-n, -v, --raw)",
				     argv[i]);
	}
	a->cmd = raw ? MASQTAB_RAW : MASQTAB_LIST;
	return 0;
}

/* masq -D PROTO ADDR PORT; every word checked before anything goes */
static int delete_words(int argc, char *const *argv, struct masqtab_args *a,
			struct masq_text *why)
{
	struct in_addr in;
	uint32_t port;

	if (argc != 5)
		return usage(why, "usage: masq -D tcp|udp|icmp ADDR PORT (the "
			     "entry's source, as masq -L shows it)%s", "");
	if (!parse_proto(argv[2], &a->proto))
		return usage(why, "masq: bad protocol '%s' (tcp, udp or icmp)",
			     argv[2]);
	if (inet_pton(AF_INET, argv[3], &in) != 1)
		return usage(why, "masq: bad address '%s'", argv[3]);
	if (!parse_u32(argv[4], 65535, &port))
		return usage(why, "masq: bad port '%s' (0-65535)", argv[4]);
	a->cmd = MASQTAB_DELETE;
	a->addr = in.s_addr;
	a->port = (uint16_t)port;
	return 0;
}

/**
 * masqtab_words() - Parse a `masq` command that walks the table
 * @argc:	number of words
 * @argv:	masq -L ..., masq -D ..., masq -F
 * @a:		filled when it is one
 * @why:	the error's text, or NULL to be told nothing
 *
 * Return: 0 (@a filled), -1 when @argv is no such command (another verb,
 * masq -S, masq alone: masqtab_ctl()'s), or 2 for bad words (@why says
 * which)
 */
int masqtab_words(int argc, char *const *argv, struct masqtab_args *a,
		  struct masq_text *why)
{
	*a = (struct masqtab_args){ 0 };
	if (argc < 2 || !argv[0] || strcmp(argv[0], "masq"))
		return -1;
	if (!strcmp(argv[1], "-L"))
		return list_words(argc, argv, a, why);
	if (!strcmp(argv[1], "-D"))
		return delete_words(argc, argv, a, why);
	if (!strcmp(argv[1], "-F")) {
		if (argc != 2)
			return usage(why, "masq: -F takes no words ('%s')",
				     argv[2]);
		a->cmd = MASQTAB_FLUSH;
		return 0;
	}
	return -1;
}

/*
 * The helper's adjustment to show: the direction a rewrite changed, the
 * hidden host's (@own) first; zeros when none did
 */
static void row_seq(const struct masq_engine *e, uint32_t i, int own,
		    struct masqtab_row *r)
{
	const struct alg_conn *ac = alg_conn_of(e, i);
	int dir;

	/* bit 1 << dir: seq[dir] holds a change (alg.h) */
	if (ac && (ac->adjusted & (1u << own)))
		dir = own;
	else if (ac && (ac->adjusted & (1u << !own)))
		dir = !own;
	else
		return;
	r->init_seq = ac->seq[dir].init_seq;
	r->delta = ac->seq[dir].delta;
	r->pdelta = ac->seq[dir].pdelta;
}

/* Hundredths of a second until entry @i lapses (the kernel's jiffies) */
static uint32_t row_expires(const struct masq_engine *e, uint32_t i)
{
	const struct ct_entry *ce = &e->ct.e[i];
	int32_t s = (int32_t)(ce->last_seen + e->ct.timeout[ce->cls] - e->now_s);

	if (s <= 0)
		return 0;
	/* it lapses at a whole second of the tick; now is within one */
	return (uint32_t)s * 100 - (uint32_t)(e->now_ms % 1000) / 10;
}

/**
 * masqtab_row_of() - Read connection @i as a masquerade entry
 * @e:		engine
 * @i:		a live connection's index
 * @r:		filled when it is an entry
 *
 * Return: true when it is one (it has a translation)
 */
bool masqtab_row_of(const struct masq_engine *e, uint32_t i,
		    struct masqtab_row *r)
{
	const struct ct_entry *ce = &e->ct.e[i];
	const struct ct_tuple *o = &ce->t[CT_ORIG], *y = &ce->t[CT_REPLY];
	bool snat = ce->flags & CT_F_SNAT;

	if (!(ce->flags & (CT_F_SNAT | CT_F_DNAT)))
		return false;
	*r = (struct masqtab_row){ .proto = ce->proto };
	if (snat) {
		r->src = o->src;
		r->sport = ntohs(o->sport);
		r->mport = ntohs(y->dport);
		r->dst = o->dst;
		r->dport = ntohs(o->dport);
	} else {
		r->src = y->src;
		r->sport = ntohs(y->sport);
		r->mport = ntohs(o->dport);
		r->dst = o->src;
		r->dport = ntohs(o->sport);
	}
	if (ce->proto == IPPROTO_ICMP_) {
		/* echo: the identifier is the request's "source port" and
		 * the reply's "destination port" (parse.c), whichever way */
		r->sport = ntohs(o->sport);
		r->mport = ntohs(y->dport);
		r->dport = ICMP_ECHO;
	}
	row_seq(e, i, snat ? CT_ORIG : CT_REPLY, r);
	r->expires_cs = row_expires(e, i);
	return true;
}

/**
 * masqtab_matches() - Does -D or -F take this entry?
 * @a:		the command
 * @r:		the entry
 *
 * Return: true for every entry under -F; under -D, for one whose
 * protocol, source address and source port are the ones named
 */
bool masqtab_matches(const struct masqtab_args *a, const struct masqtab_row *r)
{
	if (a->cmd == MASQTAB_FLUSH)
		return true;
	return a->cmd == MASQTAB_DELETE && r->proto == a->proto &&
	       r->src == a->addr && r->sport == a->port;
}

/**
 * masqtab_proto_name() - A protocol as the kernel's table named it
 * @proto:	IP protocol
 * @buf:	room for a number
 *
 * Return: "TCP", "UDP", "ICMP"; "GRE", "ESP", "AH" for the ones masq
 * masquerades by address (the 2.2 kernel's patches named them so); else
 * the number in @buf
 */
const char *masqtab_proto_name(uint8_t proto, char buf[4])
{
	switch (proto) {
	case IPPROTO_TCP_:
		return "TCP";
	case IPPROTO_UDP_:
		return "UDP";
	case IPPROTO_ICMP_:
		return "ICMP";
	case IPPROTO_GRE_:
		return "GRE";
	case IPPROTO_ESP_:
		return "ESP";
	case IPPROTO_AH_:
		return "AH";
	default:
		snprintf(buf, 4, "%u", proto);
		return buf;
	}
}

/* Ports (identifiers) a protocol class has on one address */
static uint32_t class_span(const struct nat *n, enum nat_pcls pc)
{
	return pc == NAT_PCLS_ICMP ? 65536 : (uint32_t)(n->port_hi - n->port_lo) + 1;
}

/* Add one address's free ports (@a NULL: an address with none taken) */
static void add_free(const struct nat *n, const struct nat_addr *a,
		     uint32_t free[MASQTAB_FREE_NUM])
{
	static const enum nat_pcls order[MASQTAB_FREE_NUM] = {
		[MASQTAB_FREE_UDP] = NAT_PCLS_UDP,
		[MASQTAB_FREE_TCP] = NAT_PCLS_TCP,
		[MASQTAB_FREE_ICMP] = NAT_PCLS_ICMP,
	};

	for (int k = 0; k < MASQTAB_FREE_NUM; k++) {
		uint32_t span = class_span(n, order[k]);
		uint32_t used = a ? a->used[order[k]] : 0;

		free[k] += used < span ? span - used : 0;
	}
}

/**
 * masqtab_free_ports() - masq's free= of /proc/net/ip_masquerade
 * @e:		engine
 * @free:	UDP, TCP, ICMP, as the 2.2 kernel's header had them
 *
 * The kernel counted the ports left in its one masquerade range. masq
 * has a range per external address: the count is the ports of `set
 * ports` (ICMP: every identifier) no mapping holds, summed over the
 * external interfaces' addresses and any other address mappings were
 * made on (SNAT). Ports the router host's own sockets hold are not
 * taken out. O(addresses).
 */
void masqtab_free_ports(const struct masq_engine *e,
			uint32_t free[MASQTAB_FREE_NUM])
{
	const struct nat *n = &e->nat;

	memset(free, 0, MASQTAB_FREE_NUM * sizeof(*free));
	for (int i = 0; i < NAT_MAX_ADDRS; i++)
		if (n->addrs[i].addr)
			add_free(n, &n->addrs[i], free);
	for (int i = 0; i < e->net.nifs; i++) {
		const struct iface *f = &e->net.ifs[i];

		if (f->role != ROLE_EXTERNAL)
			continue;
		for (int k = 0; k < f->naddr; k++)
			if (nat_addr_slot_of(n, f->addr[k].addr) < 0)
				add_free(n, NULL, free);
	}
}

/*
 * masq -S TCP TCPFIN UDP: timeouts in seconds, 0 keeps one (ipchains -M
 * -S); masq -S alone prints the three on one line, in that order
 */
static int masq_set(struct masq_engine *e, int argc, char *const *argv,
		    struct masq_text *out)
{
	uint32_t *t = e->ct.timeout, v[3];

	if (argc == 2) {
		masq_text_printf(out, "%u %u %u\n", t[CT_CLASS_TCP_EST],
				 t[CT_CLASS_TCP_CLOSING], t[CT_CLASS_UDP]);
		return 0;
	}
	if (argc != 5)
		return usage(out, "usage: masq -S [TCP TCPFIN UDP] (seconds, 0 = unchanged)%s", "");
	for (int i = 0; i < 3; i++)
		if (!parse_u32(argv[2 + i], 30 * 24 * 3600, &v[i]))
			return usage(out, "masq: bad timeout '%s' (seconds)", argv[2 + i]);
	if (v[0])
		t[CT_CLASS_TCP_EST] = v[0];
	if (v[1]) {
		t[CT_CLASS_TCP_CLOSING] = v[1];
		t[CT_CLASS_TCP_TIME_WAIT] = v[1];
		t[CT_CLASS_TCP_SYN] = v[1];
	}
	if (v[2]) {		/* ipchains had one UDP timeout for all */
		t[CT_CLASS_UDP] = v[2];
		t[CT_CLASS_UDP_REPLIED] = v[2];
		t[CT_CLASS_UDP_UNREPLIED] = v[2];
		t[CT_CLASS_UDP_DNS] = v[2];
	}
	return 0;
}

/**
 * masqtab_ctl() - The `masq` words that are no walk: -S, and errors
 * @e:		engine
 * @argc:	number of words
 * @argv:	masq ...
 * @out:	output, or what was wrong
 *
 * -L, -D and -F with good words are ctlist.c's walks; only bad ones
 * arrive here, to be told what is wrong (status 2, nothing changed).
 *
 * Return: exit status: 0, 2 usage error
 */
int masqtab_ctl(struct masq_engine *e, int argc, char *const *argv,
		struct masq_text *out)
{
	struct masqtab_args a;
	int rc;

	if (argc >= 2 && !strcmp(argv[1], "-S"))
		return masq_set(e, argc, argv, out);
	rc = masqtab_words(argc, argv, &a, out);
	if (rc > 0)
		return rc;
	/* rc 0 (a walk) never comes here: masq_engine_ctl() ran it whole */
	return usage(out, "%s", MASQ_USAGE);
}
