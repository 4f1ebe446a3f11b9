// SPDX-License-Identifier: MIT
/*
 * origdst.c - the control command `origdst`: where a connection that was
 * translated to the router host was going
 *
 *	origdst CLIENT:PORT LOCAL:PORT [tcp|udp]	(default tcp)
 *
 * A program on the router host that accepted a connection the nat
 * table's REDIRECT (or a DNAT to one of the router's addresses) sent it
 * asks this, with the two ends its socket shows: the peer (getpeername)
 * and its own (getsockname). That pair is the connection's reply-way
 * tuple, LOCAL:PORT -> CLIENT:PORT, one hash lookup (ct_lookup()). The
 * answer is the original way's destination, one line "ADDR:PORT". It is
 * the role SO_ORIGINAL_DST plays for the kernel's NAT and pf's
 * DIOCNATLOOK for OpenBSD's.
 *
 * Only a connection that was delivered to the host (CT_X_TO_HOST) with
 * its destination translated (CT_F_DNAT) answers: masqd lets an
 * unprivileged user ask this command, so it must tell nothing about
 * other connections (forwarded ones, DNAT to a LAN server, the host's
 * own). Everything else, including a tuple found the original way, is
 * the one answer "origdst: no such connection" (status 1), so asking
 * cannot tell a forwarded connection from none; a malformed request is a
 * usage error (status 2) naming the word.
 *
 * Words are numeric (masqctl resolves nothing here): dotted-quad IPv4
 * addresses and decimal ports 1-65535. Cost: one lookup, no allocation
 * beyond the answer's text.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng.h"
#include "origdst.h"

#define ORIGDST_FAIL	1
#define ORIGDST_USAGE	2

static const char no_such[] = "origdst: no such connection\n";

/*
 * "A.B.C.D:PORT" into network-order @addr and @port. ctl.c has parsers
 * of its own for addresses; they are static there and this one also
 * takes the port, so it is written out here (a dozen lines) rather than
 * moved into a header both files would then own.
 * Return: true when @s is exactly that
 */
static bool parse_endpoint(const char *s, uint32_t *addr, uint16_t *port)
{
	const char *colon = strrchr(s, ':');
	char ip[INET_ADDRSTRLEN], *end;
	struct in_addr a;
	unsigned long p;

	if (!colon || colon == s || (size_t)(colon - s) >= sizeof(ip))
		return false;
	memcpy(ip, s, (size_t)(colon - s));
	ip[colon - s] = '\0';
	if (inet_pton(AF_INET, ip, &a) != 1)
		return false;
	if (colon[1] < '0' || colon[1] > '9')
		return false;
	errno = 0;
	p = strtoul(colon + 1, &end, 10);
	if (errno || *end || p < 1 || p > 65535)
		return false;
	*addr = a.s_addr;
	*port = htons((uint16_t)p);
	return true;
}

/*
 * The request's reply-way tuple and protocol; Return: 0, or
 * ORIGDST_USAGE after a message naming the word
 */
static int origdst_parse(int argc, char *const *argv, struct masq_text *out,
			 struct ct_tuple *reply, uint8_t *proto)
{
	uint32_t client, local;
	uint16_t cport, lport;

	if (argc < 3 || argc > 4) {
		masq_text_printf(out, "usage: origdst CLIENT:PORT LOCAL:PORT "
				 "[tcp|udp]\n");
		return ORIGDST_USAGE;
	}
	if (!parse_endpoint(argv[1], &client, &cport)) {
		masq_text_printf(out, "origdst: bad client '%s' (A.B.C.D:PORT)\n",
				 argv[1]);
		return ORIGDST_USAGE;
	}
	if (!parse_endpoint(argv[2], &local, &lport)) {
		masq_text_printf(out, "origdst: bad local end '%s' "
				 "(A.B.C.D:PORT)\n", argv[2]);
		return ORIGDST_USAGE;
	}
	*proto = IPPROTO_TCP_;
	if (argc == 4 && !strcmp(argv[3], "udp"))
		*proto = IPPROTO_UDP_;
	else if (argc == 4 && strcmp(argv[3], "tcp")) {
		masq_text_printf(out, "origdst: bad protocol '%s' (tcp or "
				 "udp)\n", argv[3]);
		return ORIGDST_USAGE;
	}
	*reply = (struct ct_tuple){ .src = local, .dst = client,
				    .sport = lport, .dport = cport };
	return 0;
}

/* Was @ce's destination translated to a socket of the router host? */
static bool origdst_redirected(const struct ct_entry *ce)
{
	return (ce->flags & CT_F_USED) && (ce->flags & CT_F_DNAT) &&
	       (ce->xflags & CT_X_TO_HOST);
}

/**
 * origdst_ctl() - The control command `origdst CLIENT:PORT LOCAL:PORT
 * [tcp|udp]`
 * @e:		engine
 * @argc:	words
 * @argv:	the words, argv[0] "origdst"
 * @out:	the answer: "ADDR:PORT\n", or the reason it has none
 *
 * Return: 0 with the original destination, 1 when there is no such
 * connection (none, not redirected to the host, found the original
 * way), 2 for malformed words
 */
int origdst_ctl(struct masq_engine *e, int argc, char *const *argv,
		struct masq_text *out)
{
	struct ct_tuple reply;
	const struct ct_entry *ce;
	char ip[INET_ADDRSTRLEN];
	struct in_addr a;
	enum ct_dir dir;
	uint8_t proto;
	uint32_t idx;
	int rc = origdst_parse(argc, argv, out, &reply, &proto);

	if (rc)
		return rc;
	idx = ct_lookup(&e->ct, proto, &reply, &dir);
	if (idx == CT_NONE || dir != CT_REPLY ||
	    !origdst_redirected(&e->ct.e[idx])) {
		masq_text_append(out, no_such, sizeof(no_such) - 1);
		return ORIGDST_FAIL;
	}
	ce = &e->ct.e[idx];
	a.s_addr = ce->t[CT_ORIG].dst;
	inet_ntop(AF_INET, &a, ip, sizeof(ip));
	masq_text_printf(out, "%s:%u\n", ip, ntohs(ce->t[CT_ORIG].dport));
	return 0;
}
