// SPDX-License-Identifier: MIT
/*
 * fwt_header.c - the targets that rewrite a byte of the IP header:
 *		  -j TOS and -j TTL (mangle table)
 *
 * TOS sets tos = (tos & ~mask) ^ value (the kernel's xt_DSCP tos_tg);
 * TTL sets, lowers or raises the TTL, a decrement stopping at 0 and an
 * increment at 255 (xt_HL). The IP header checksum is updated for the
 * 16-bit word the byte sits in (RFC 1624, csum_replace16()), so the
 * receiver accepts the packet; nothing else covers these bytes (the TCP
 * and UDP pseudo-headers do not hold them). A byte that does not change
 * is not written.
 *
 * The forward path's own TTL decrement comes after the whole walk here,
 * where the kernel's comes between PREROUTING and FORWARD: in FORWARD and
 * POSTROUTING a forwarded packet's TTL is read and written one higher
 * than the kernel's (fw_pkt_ttl_owed()), so the wire shows what the
 * kernel would send ("--ttl-set 64" in POSTROUTING leaves with 64).
 *
 * Known limits: there a forwarded packet leaves with 254 at most (the
 * header cannot hold the 256 the decrement would take to 255); and the
 * forward path checks the TTL (time exceeded at 1) before FORWARD, on
 * the value PREROUTING left, as the kernel's ip_forward() does.
 *
 * No state, no allocation; every worker does the same.
 */
#include <stddef.h>
#include <string.h>

#include "csum.h"
#include "eng.h"
#include "fw.h"

/*
 * Set byte @at of IP header @ip (the TOS, offset 1, or the TTL, offset
 * 8) to @v, with the checksum updated for the 16-bit word that holds it
 */
static void ip_byte_set(struct ip4_hdr *ip, size_t at, uint8_t v)
{
	uint8_t *b = (uint8_t *)ip;
	size_t word = at & ~(size_t)1;
	uint16_t old, now;

	if (b[at] == v)
		return;
	memcpy(&old, b + word, 2);
	b[at] = v;
	memcpy(&now, b + word, 2);
	ip->check = csum_replace16(ip->check, old, now);
}

/**
 * fwt_tos() - -j TOS: tos = (tos & ~mask) ^ value
 * @t:		the target
 * @fp:		the packet, changed in place
 */
void fwt_tos(const struct ipt_target *t, struct fw_pkt *fp)
{
	struct ip4_hdr *ip = fp->p->ip;

	ip_byte_set(ip, offsetof(struct ip4_hdr, tos),
		    (uint8_t)((ip->tos & ~t->u.tos.mask) ^ t->u.tos.value));
}

/**
 * fwt_ttl() - -j TTL: set, lower (to 0 at least) or raise (to 255 at most)
 * @t:		the target
 * @fp:		the packet, changed in place
 */
void fwt_ttl(const struct ipt_target *t, struct fw_pkt *fp)
{
	struct ip4_hdr *ip = fp->p->ip;
	unsigned owed = fw_pkt_ttl_owed(fp);
	unsigned ttl = ip->ttl - owed, v = t->u.ttl.value;

	switch (t->u.ttl.mode) {
	case IPT_TTL_SET:
		ttl = v;
		break;
	case IPT_TTL_DEC:
		ttl = ttl > v ? ttl - v : 0;
		break;
	case IPT_TTL_INC:
		ttl = ttl + v < 255 ? ttl + v : 255;
		break;
	}
	ttl += owed;		/* the forward path takes it off again */
	ip_byte_set(ip, offsetof(struct ip4_hdr, ttl),
		    (uint8_t)(ttl < 255 ? ttl : 255));
}
