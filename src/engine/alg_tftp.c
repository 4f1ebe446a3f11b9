// SPDX-License-Identifier: MIT
/*
 * alg_tftp.c - the TFTP helper (RFC 1350): a request's answer comes from
 *		another port
 *
 * A client's read or write request (opcode 1 or 2) goes to the server's
 * port 69; the server answers from a new port of its own (its transfer
 * identifier), which address-and-port-dependent filtering would not let
 * back in. So a request from a client behind the router expects one
 * datagram from the server's address, any port, to the client's
 * masquerade mapping (expect.c); it opens the transfer's connection.
 * Nothing is rewritten: a request carries no address.
 *
 * Checks (the helpers' rules): the datagram is the whole message (UDP:
 * always at its start); it must be a request going out from the client
 * that opened the connection (the original way) from a port of 1024 or
 * above, with a filename and a mode each ended by a NUL; anything else is
 * left alone, and a request that fails them is refused (counted, logged).
 */
#include <arpa/inet.h>
#include <string.h>

#include "alg.h"
#include "eng.h"

#define TFTP_RRQ	1
#define TFTP_WRQ	2

/* Opcode, filename, NUL, mode, NUL: the shape of a request */
static bool tftp_is_request(const uint8_t *d, uint32_t len)
{
	const uint8_t *name, *mode;

	if (len < 4 || d[0] != 0 || (d[1] != TFTP_RRQ && d[1] != TFTP_WRQ))
		return false;
	name = d + 2;
	mode = memchr(name, 0, len - 2);
	if (!mode || mode == name)
		return false;
	mode++;
	return mode < d + len && mode[0] &&
	       memchr(mode, 0, (size_t)(d + len - mode)) != NULL;
}

void tftp_help(struct alg_msg *m)
{
	const struct ct_entry *ce = &m->e->ct.e[m->ct];
	const struct ct_tuple *o = &ce->t[CT_ORIG];
	uint16_t port;

	if (m->dir != CT_ORIG || (ce->xflags & CT_X_INBOUND) ||
	    m->len < 2 || m->data[0] != 0 ||
	    (m->data[1] != TFTP_RRQ && m->data[1] != TFTP_WRQ))
		return;			/* not a request from our client */
	if (!tftp_is_request(m->data, m->len)) {
		alg_refuse(m, C_alg_tftp_refused, "malformed request");
		return;
	}
	if (ntohs(o->sport) < 1024) {
		alg_refuse(m, C_alg_tftp_refused, "client port below 1024");
		return;
	}
	if (ce->t[CT_REPLY].dst == o->src)
		return;			/* not translated: nothing to expect */
	alg_expect(m, ce->t[CT_REPLY].src, ce->t[CT_REPLY].dst, o->src,
		   o->sport, &port);
}
