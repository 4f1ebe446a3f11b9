// SPDX-License-Identifier: MIT
/*
 * xlate.c - rewrite a packet from one tuple of its connection to the other
 *
 * A connection's translation is the difference between its tuples: a
 * packet going one way leaves looking like the other way's tuple
 * inverted (src := reply.dst, dst := reply.src, ports likewise). The
 * checksum change of that rewrite is a one's complement delta of the old
 * and new fields, applied to each checksum with an add and a fold
 * (RFC 1624): computed per packet from the tuples, which sit in the
 * cache line already read, rather than stored.
 *
 * Frames marked NEEDS_CSUM carry in their L4 field the pseudo-header sum
 * that the sender's NIC or kernel will finish: only address changes go
 * into it, un-complemented, since ports lie in the part still to be
 * summed. A UDP checksum of 0 means none and stays 0; a computed 0 is
 * sent as 0xffff (RFC 768).
 *
 * The rewrite every forwarded packet takes is inline, in xlate.h; this
 * file keeps what runs once per connection or per error.
 */
#include <string.h>

#include "csum.h"
#include "eng.h"
#include "xlate.h"

/**
 * xlate_prepare() - Set an entry's translation flags from its tuples
 * @ce:	entry with both tuples and the protocol set
 */
void xlate_prepare(struct ct_entry *ce)
{
	const struct ct_tuple *o = &ce->t[CT_ORIG], *r = &ce->t[CT_REPLY];

	ce->flags &= (uint8_t)~(CT_F_SNAT | CT_F_DNAT);
	if (o->src != r->dst || o->sport != r->dport)
		ce->flags |= CT_F_SNAT;
	if (o->dst != r->src || o->dport != r->sport)
		ce->flags |= CT_F_DNAT;
}

/**
 * xlate_undo() - Turn a forwarded packet back into what arrived
 * @e:	engine
 * @p:	a packet translated by xlate_packet() and its TTL decremented
 *
 * For errors that must quote the packet as it arrived (host unreachable
 * once ARP gives up on a frame already translated). The connection is
 * found by the translated tuple, inverted; a packet of none is left as
 * it is, its TTL restored.
 */
void xlate_undo(struct masq_engine *e, struct pkt *p)
{
	struct ct_tuple now = { p->ip->saddr, p->ip->daddr, p->sport, p->dport };
	struct ct_tuple key = ct_tuple_invert(&now);
	uint16_t old, new;
	enum ct_dir fdir;
	uint32_t idx;

	if (pkt_tracked(p)) {
		idx = ct_lookup(&e->ct, p->proto, &key, &fdir);
		if (idx != CT_NONE)
			xlate_rewrite(p, &now, &e->ct.e[idx].t[!fdir], 0);
	}
	memcpy(&old, &p->ip->ttl, 2);
	p->ip->ttl++;
	memcpy(&new, &p->ip->ttl, 2);
	p->ip->check = csum_replace16(p->ip->check, old, new);
}
