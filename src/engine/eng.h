/* SPDX-License-Identifier: MIT */
/*
 * eng.h - the engine's state, shared by the files of the packet walk
 *
 * The walk, in file order: engine.c (entry, dispatch, forwarding),
 * arp.c (ARP in, neighbour resolution, Ethernet out), conn.c (tracking
 * decisions and the TCP state machine), xlate.c (rewriting headers and
 * checksums), icmp.c (the router's own ICMP and translated errors),
 * ctl.c (the control language).
 */
#ifndef MASQ_ENG_H
#define MASQ_ENG_H

#include <string.h>

#include "masq/engine.h"
#include "counters.h"
#include "fw.h"
#include "ct.h"
#include "nat.h"
#include "neigh.h"
#include "net.h"
#include "pkt.h"
#include "quota.h"

#define ICMP_RATE_PER_S		1000	/* RFC 1812 4.3.2.8 token bucket */
#define ICMP_BURST		50
#define CONN_FW_STATES		32	/* conn.c: e->fw_states[] */
#define CONN_HOST_CAP		4096	/* live connections of one internal host */
#define CONN_INBOUND_HALFOPEN	64	/* half-open inbound of one source */

/* conntrack -E's events (ctevent.c) */
#define CTEV_RING	4096	/* events held for the listeners (160 KiB) */
#define CTEV_PER_READ	256	/* events a listener's read formats */
#define CTEV_F_REPLIED	0x01
#define CTEV_F_ASSURED	0x02

enum ctev_type { CTEV_NEW, CTEV_UPDATE, CTEV_DESTROY, CTEV_NUM };

/* One event: what its line shows, copied when it happened */
struct ctev {
	uint8_t type, proto, state, flags;
	uint32_t timeout;
	struct ct_tuple t[2];
};

/**
 * struct ctev_ring - the events, for the listeners
 * @ring:	CTEV_RING slots, made at the first listener
 * @head:	events recorded so far (the next slot: head % CTEV_RING)
 * @listeners:	conntrack -E clients now; 0: nothing is recorded
 */
struct ctev_ring {
	struct ctev *ring;
	uint64_t head;
	uint32_t listeners;
};

struct masq_engine {
	struct masq_pool *pool;
	struct masq_limits lim;
	struct masq_txq *tx;		/* output of the current call */
	uint64_t now_ns;
	uint64_t now_ms;
	uint32_t now_s;			/* tick of connection timeouts */
	uint64_t cnt[C_NUM];
	struct net net;
	struct neigh_table neigh;
	struct ct_table ct;
	struct nat nat;
	struct quota hosts;		/* host-cap: live connections per
					 * internal host (conn.c) */
	struct quota halfopen;		/* inbound-halfopen: per remote source */
	bool tcp_pickup;		/* open connections mid-stream */
	bool apdm;			/* address-and-port-dependent mapping */
	uint8_t filtering;		/* enum filter_mode */
	struct perm_table *perm;	/* address-dependent filtering only */
	struct fwd *fwd;		/* ipmasqadm's forwards (fwd.c) */
	struct alg_state *alg;		/* application helpers (alg.c) */
	struct frag_state *frag;	/* frag.c */
	uint32_t icmp_tokens;		/* RFC 1812 rate limit, token bucket */
	uint64_t icmp_refill_ms;
	struct ipt_ruleset *rs;		/* the published ruleset (fwctl.c) */
	struct fw *fw;			/* ... compiled (fw.c) */
	struct fw_fast_pend fw_pend;	/* state-decided walks not yet counted */
	uint8_t fw_states[CONN_FW_STATES]; /* a connection's packet's state,
					 * by flags and direction (conn.c) */
	bool fw_default;		/* still the generated default rules */
	uint64_t fw_next_id;		/* rule identities (fwctl.c) */
	masq_log_fn log_fn;		/* LOG lines go here, if set */
	void *log_ctx;
	uint64_t fw_gen;		/* the last struct fw's @gen */
	struct fw_memo fw_memo[FW_MEMO_SLOTS];	/* hook memos (fw.c) */
	struct ctev_ring ctev;		/* conntrack -E (ctevent.c) */
	uint8_t worker_k, worker_n;	/* worker k of n (worker.c); 0 of 0
					 * or 0 of 1: the only one */
	const struct masq_steer *steer;	/* n > 1: who owns a reassembled
					 * datagram (the caller's picture) */
	struct cl_engine *cl;		/* -m connlimit's shares of this
					 * engine's connections, or NULL
					 * (fwm_connlimit.c) */
	struct recent_reg *recent;	/* -m recent's lists: shared by the
					 * process's engines (recent.c) */
};

enum filter_mode {
	FILTER_APDF,		/* address-and-port-dependent (default) */
	FILTER_ADF,		/* address-dependent */
	FILTER_EIF,		/* endpoint-independent ("full cone") */
	FILTER_NUM
};

#ifndef ENG_BATCH
#define ENG_BATCH	64	/* frames walked together (engine.c) */
#endif
#ifndef ENG_PF_D1
#define ENG_PF_D1	8	/* packets from bucket prefetch to entry prefetch */
#endif
#ifndef ENG_PF_D2
#define ENG_PF_D2	8	/* packets from entry prefetch to the walk */
#endif
#ifndef ENG_PF_GROUP
#define ENG_PF_GROUP	2	/* packets per step of each stage */
#endif
#define ENG_PF_ALT	(ENG_PF_D1 + ENG_PF_D2 / 2)	/* alternate bucket look */
#define ENG_PF_WALK	(ENG_PF_D1 + ENG_PF_D2)		/* the walk */
#define ENG_PF_REPLY	(ENG_PF_WALK - ENG_PF_GROUP)	/* a new reply key */

/* A packet's connection lookup, prepared while its batch is prefetched */
struct eng_lookup {
	struct ct_tuple t;
	uint32_t bucket;	/* the primary bucket of @hash */
	uint64_t hash;		/* 0: no lookup prepared */
	uint32_t hint;		/* bucket value whose signature matched, or
				 * CUCKOO_EMPTY: a candidate to verify */
	uint32_t map;		/* no connection: the candidate mapping of
				 * the source endpoint, or NAT_NONE */
};

static inline void count(struct masq_engine *e, enum masq_counter c)
{
	e->cnt[c]++;
}

/* engine.c */
void eng_buf_free(struct masq_engine *e, struct masq_buf *b);
void eng_walk_datagram(struct masq_engine *e, struct masq_buf *b);
void eng_drop(struct masq_engine *e, struct masq_buf *b, enum masq_counter c);
void eng_forward(struct masq_engine *e, struct pkt *p, int out_iface,
		 uint32_t nexthop);
void eng_send_ip(struct masq_engine *e, struct masq_buf *b, uint8_t state);
struct masq_buf *eng_buf_new(struct masq_engine *e);

/* frag.c */
int frag_init(struct masq_engine *e);
void frag_fini(struct masq_engine *e);
void frag_input(struct masq_engine *e, struct pkt *p);
bool frag_owns(const struct masq_engine *e, const struct masq_buf *b);
void frag_buf_free(struct masq_engine *e, struct masq_buf *b);
bool frag_needed(const struct masq_engine *e, const struct pkt *p,
		 int out_iface);
void frag_output(struct masq_engine *e, struct pkt *p, int out_iface,
		 uint32_t nexthop);
void frag_advance(struct masq_engine *e);

/* arp.c */
void arp_input(struct masq_engine *e, struct pkt *p);
void arp_resolve(struct masq_engine *e, struct masq_buf *b, int iface,
		 uint32_t nexthop);
void arp_advance(struct masq_engine *e);
void arp_solicit(struct masq_engine *e, int iface, uint32_t ip);
void arp_fill(struct masq_buf *b, uint16_t op, const uint8_t *sha,
	      uint32_t spa, const uint8_t *tha, uint32_t tpa);
int arp_set_static(struct masq_engine *e, uint32_t ip, int iface,
		   const uint8_t *mac);

/*
 * The last steps of every forwarded frame are inline: most frames leave
 * by a neighbour already resolved, and paying two calls for a few
 * compares and stores would be most of their cost.
 */

/**
 * eth_transmit() - Address a frame to @dst_mac and hand it to the caller
 * @e:		engine
 * @b:		the frame, Ethernet header in place
 * @iface:	interface to leave by
 * @dst_mac:	destination MAC
 */
static inline void eth_transmit(struct masq_engine *e, struct masq_buf *b,
				int iface, const uint8_t *dst_mac)
{
	struct eth_hdr *eth = (struct eth_hdr *)b->data;
	struct masq_txq *tx = e->tx;

	memcpy(eth->dst, dst_mac, ETH_ALEN);
	memcpy(eth->src, e->net.ifs[iface].mac, ETH_ALEN);
	b->iface = (uint32_t)iface;
	if (!tx || tx->n >= tx->cap) {
		eng_drop(e, b, C_drop_tx_full);
		return;
	}
	tx->bufs[tx->n++] = b;
	count(e, C_tx_frames);
	e->cnt[C_tx_bytes] += b->len;
}

/**
 * arp_output_inline() - Resolve @nexthop and transmit, or hold the frame
 * @e:		engine
 * @b:		IPv4 frame, Ethernet header in place
 * @iface:	interface to leave by
 * @nexthop:	next hop address on that interface's link
 *
 * Inline, the common case: a neighbour known on @iface and usable
 * without asking (REACHABLE or PERMANENT), tried first in the slot this
 * interface last sent to (most frames leave by the same gateway).
 * Anything else, arp_resolve() decides: the same outcome, found the long
 * way. Always inline in the short path of conn.c (a call there cost
 * about 10 instructions a packet); elsewhere through arp_output().
 */
static inline __attribute__((always_inline)) void
arp_output_inline(struct masq_engine *e, struct masq_buf *b, int iface,
		  uint32_t nexthop)
{
	struct iface *ifc = &e->net.ifs[iface];
	struct neigh *n = &e->neigh.slots[ifc->nh_slot & e->neigh.mask];

	if (n->ip != nexthop && nexthop) {
		n = neigh_lookup(&e->neigh, nexthop);
		if (n)
			ifc->nh_slot = (uint32_t)(n - e->neigh.slots);
	}
	if (n && nexthop && n->iface == iface &&
	    (n->state == NEIGH_REACHABLE || n->state == NEIGH_PERMANENT))
		eth_transmit(e, b, iface, n->mac);
	else
		arp_resolve(e, b, iface, nexthop);
}

/* arp_output_inline(), left to the compiler (most callers are not hot) */
static inline void arp_output(struct masq_engine *e, struct masq_buf *b,
			      int iface, uint32_t nexthop)
{
	arp_output_inline(e, b, iface, nexthop);
}

/* conn.c */
void conn_input(struct masq_engine *e, struct pkt *p,
		const struct eng_lookup *lk);
void conn_release(struct masq_engine *e, uint32_t idx);

/* ctevent.c: conntrack -E */
void ctev_record(struct masq_engine *e, uint32_t idx, enum ctev_type type);
int ctev_listen(struct masq_engine *e, uint64_t *cursor);
void ctev_unlisten(struct masq_engine *e);
void ctev_free(struct masq_engine *e);
void ctev_format(const struct ctev *ev, struct masq_text *out);
uint64_t ctev_read(struct masq_engine *e, uint64_t *cursor,
		   struct masq_text *out);

/* Record an event only while someone listens: one predictable branch */
static inline void ctev_note(struct masq_engine *e, uint32_t idx,
			     enum ctev_type type)
{
	if (__builtin_expect(e->ctev.listeners != 0, 0))
		ctev_record(e, idx, type);
}
void conn_advance(struct masq_engine *e);
void conn_fw_states_init(struct masq_engine *e);

/* tcp.c */
enum masq_counter tcp_track(struct masq_engine *e, uint32_t idx,
			    enum ct_dir dir, const struct pkt *p,
			    enum ct_class *cls);
void tcp_open(struct ct_entry *ce, const struct pkt *p);

/* xlate.c (the per-packet rewrite: xlate.h) */
void xlate_prepare(struct ct_entry *ce);
void xlate_undo(struct masq_engine *e, struct pkt *p);

/* host.c (the router host's own traffic, through its twins) */
struct conn_plan;
enum masq_counter host_frame_check(const struct masq_engine *e,
				   const struct pkt *p);
void host_input(struct masq_engine *e, struct pkt *p,
		const struct eng_lookup *lk);
void host_accept(struct masq_engine *e, struct pkt *p, struct conn_plan *pl);
void host_conn_packet(struct masq_engine *e, struct pkt *p, uint32_t idx,
		      enum ct_dir dir, bool filtered);
void host_deliver(struct masq_engine *e, struct pkt *p);
void host_transmit(struct masq_engine *e, struct masq_buf *b, int iface);
bool host_send_ip(struct masq_engine *e, struct masq_buf *b);
void host_arp_answer(struct masq_engine *e, const struct neigh *n);
void host_forget_address(struct masq_engine *e, uint32_t addr);
int host_ports_ctl(struct masq_engine *e, int argc, char *const *argv,
		   struct masq_text *out);

/* local.c */
void local_reject(struct masq_engine *e, struct pkt *p, uint8_t with);
void local_send_reset(struct masq_engine *e, const struct pkt *p);
void local_closed_port(struct masq_engine *e, struct pkt *p);

/* icmp.c */
void icmp_local_input(struct masq_engine *e, struct pkt *p);
void icmp_send_error(struct masq_engine *e, struct pkt *p, uint8_t type,
		     uint8_t code, uint32_t info);
void icmp_error_input(struct masq_engine *e, struct pkt *p);
void icmp_unreach_held(struct masq_engine *e, struct masq_buf *b);

/* fragout.c */
bool frag_hand_on(struct masq_engine *e, struct masq_buf *b,
		  uint32_t max_frag);

/* walk.c */
bool walk_on(struct masq_engine *e, struct pkt *p);

/* steer.c */
uint32_t steer_tuple_owner(const struct masq_steer *s, const struct net *net,
			   uint8_t proto, const struct ct_tuple *t);
uint32_t steer_conn_owner(const struct masq_steer *s, const struct net *net,
			  uint8_t proto, const struct ct_tuple t[2]);

#endif
