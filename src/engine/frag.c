// SPDX-License-Identifier: MIT
/*
 * frag.c - IPv4 fragments: reassembly and refragmentation (stub)
 *
 * Not written yet: every fragment is dropped and counted, and a datagram
 * too big for its way out without DF is dropped (drop_mtu).
 */
#include "eng.h"

int frag_init(struct masq_engine *e)
{
	e->frag = NULL;
	return 0;
}

void frag_fini(struct masq_engine *e)
{
	(void)e;
}

void frag_input(struct masq_engine *e, struct pkt *p)
{
	eng_drop(e, p->buf, C_drop_fragment);
}

bool frag_owns(const struct masq_engine *e, const struct masq_buf *b)
{
	(void)e;
	(void)b;
	return false;
}

void frag_buf_free(struct masq_engine *e, struct masq_buf *b)
{
	masq_pool_put(e->pool, b);
}

bool frag_needed(const struct masq_engine *e, const struct pkt *p,
		 int out_iface)
{
	return p->buf->meta.gso_type == MASQ_GSO_NONE &&
	       p->ip_len > e->net.ifs[out_iface].mtu;
}

void frag_output(struct masq_engine *e, struct pkt *p, int out_iface,
		 uint32_t nexthop)
{
	(void)out_iface;
	(void)nexthop;
	eng_drop(e, p->buf, C_drop_mtu);
}

void frag_advance(struct masq_engine *e)
{
	(void)e;
}
