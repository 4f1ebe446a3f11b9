// SPDX-License-Identifier: MIT
/*
 * engine.c - where a frame enters the engine and where it leaves
 *
 * Theory of operation: masq_engine_input() parses each frame (parse.c),
 * hands ARP to arp.c and IPv4 to conn.c, which decides between local
 * delivery (icmp.c), a tracked connection (translated by xlate.c) and a
 * new one. Whatever is forwarded comes back through eng_forward(), which
 * resolves the next hop (arp.c) and appends the frame to the caller's tx
 * vector. Every frame that does not leave is given back to the pool with
 * exactly one drop counter incremented.
 *
 * Time: the caller's nanoseconds become a millisecond clock (ARP) and a
 * seconds tick (connection timeouts, 32-bit, wrap-safe comparisons).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "csum.h"
#include "eng.h"
#include "frag.h"
#include "alg.h"
#include "fwd.h"
#include "perm.h"
#include "recent.h"
#include "xlate.h"

const char *const masq_counter_names[C_NUM] = {
#define MASQ_COUNTER_NAME(name) [C_##name] = #name,
	MASQ_COUNTERS(MASQ_COUNTER_NAME)
#undef MASQ_COUNTER_NAME
};

void masq_limits_default(struct masq_limits *lim)
{
	*lim = (struct masq_limits){
		.max_conns = 262144,
		.max_neigh = 1024,
		.neigh_queue = 256,
		.max_routes = 256,
		.frag_mem = FRAG_MEM_DEFAULT,
	};
}

static void limits_fill(struct masq_limits *l, const struct masq_limits *in)
{
	struct masq_limits d;

	masq_limits_default(&d);
	*l = in ? *in : d;
	if (!l->max_conns)
		l->max_conns = d.max_conns;
	if (!l->max_neigh)
		l->max_neigh = d.max_neigh;
	if (!l->neigh_queue)
		l->neigh_queue = d.neigh_queue;
	if (!l->max_routes)
		l->max_routes = d.max_routes;
	if (!l->frag_mem)
		l->frag_mem = d.frag_mem;
	if (!l->max_mappings)
		l->max_mappings = l->max_conns < 262144 ? l->max_conns : 262144;
	if (!l->seed && getrandom(&l->seed, sizeof(l->seed), 0) !=
			sizeof(l->seed))
		l->seed = 0x6d61737100000001ull;
}

/**
 * masq_engine_create() - Make an engine; every table is allocated here
 * Return: the engine, or NULL (out of memory, or limits out of range)
 */
struct masq_engine *masq_engine_create(const struct masq_limits *lim,
				       struct masq_pool *pool)
{
	struct masq_engine *e = calloc(1, sizeof(*e));

	if (!e || !pool)
		goto fail;
	e->pool = pool;
	limits_fill(&e->lim, lim);
	if (net_init(&e->net, e->lim.max_routes) ||
	    neigh_init(&e->neigh, e->lim.max_neigh, e->lim.neigh_queue) ||
	    ct_init(&e->ct, e->lim.max_conns, !e->lim.no_accounting,
		    e->lim.seed) ||
	    nat_init(&e->nat, e->lim.max_mappings, e->lim.seed * 31 + 7) ||
	    quota_init(&e->hosts, e->lim.max_mappings, CONN_HOST_CAP,
		       e->lim.seed ^ 0x686f7374) ||
	    quota_init(&e->halfopen, e->lim.max_mappings, CONN_INBOUND_HALFOPEN,
		       e->lim.seed ^ 0x68616c66) ||
	    !(e->recent = recent_reg_new(RECENT_LIST_TOT,
					 e->lim.seed ^ 0x72656365)) ||
	    frag_init(e) || fw_init(e) || fwd_init(e) || alg_init(e))
		goto fail;
	conn_fw_states_init(e);
	e->icmp_tokens = ICMP_BURST;
	e->icmp_refill_ms = 0;
	return e;
fail:
	masq_engine_destroy(e);
	return NULL;
}

void masq_engine_destroy(struct masq_engine *e)
{
	if (!e)
		return;
	if (e->neigh.slots) {
		/* give held frames back to the caller's pool */
		for (uint32_t i = 0; i <= e->neigh.mask; i++) {
			struct neigh *n = &e->neigh.slots[i];

			while (n->qhead) {
				struct masq_buf *b = n->qhead;

				n->qhead = b->next;
				masq_pool_put(e->pool, b);
			}
		}
	}
	ctev_free(e);
	alg_fini(e);
	fwd_fini(e);
	fw_fini(e);
	recent_reg_put(e->recent);
	frag_fini(e);
	perm_destroy(e->perm);
	quota_fini(&e->halfopen);
	quota_fini(&e->hosts);
	nat_fini(&e->nat);
	if (e->ct.e)
		ct_fini(&e->ct);
	neigh_fini(&e->neigh);
	net_fini(&e->net);
	free(e);
}

static void eng_set_time(struct masq_engine *e, uint64_t now_ns)
{
	e->now_ns = now_ns;
	e->now_ms = now_ns / 1000000;
	e->now_s = (uint32_t)(now_ns / 1000000000ull);
}

/* Give a buffer back to the pool it came from (frames, or frag.c's) */
void eng_buf_free(struct masq_engine *e, struct masq_buf *b)
{
	if (frag_owns(e, b))
		frag_buf_free(e, b);
	else
		masq_pool_put(e->pool, b);
}

void eng_drop(struct masq_engine *e, struct masq_buf *b, enum masq_counter c)
{
	count(e, c);
	eng_buf_free(e, b);
}

/* A fresh buffer for a frame the engine makes, or NULL (counted) */
struct masq_buf *eng_buf_new(struct masq_engine *e)
{
	struct masq_buf *b = masq_pool_get(e->pool);

	if (!b)
		count(e, C_drop_pool_empty);
	return b;
}

/*
 * Is the frame the router's to act on? A unicast frame when it is
 * addressed to the arrival interface's MAC (a frame for another host is
 * never forwarded or translated, whatever its IP destination). A
 * group-addressed (broadcast, multicast) frame only for what the router
 * itself must see: ARP, and IPv4 broadcast to the arrival interface's own
 * networks (DHCP, a LAN's broadcasts, for INPUT); a unicast IP
 * destination in a broadcast frame, or a multicast group, is dropped
 * (the kernel drops what is not addressed to the host, too).
 * Return: C_NUM, or the counter to drop the frame with
 */
static enum masq_counter eth_check_dst(const struct masq_engine *e,
				       const struct pkt *p)
{
	const uint8_t *d = p->eth->dst;
	int in = (int)p->buf->iface;

	if (!(d[0] & 1))
		return memcmp(d, e->net.ifs[in].mac, ETH_ALEN) ?
		       C_drop_not_for_us : C_NUM;
	if (!p->ip || net_addr_is_broadcast_on(&e->net, in, p->ip->daddr))
		return C_NUM;
	return C_drop_group_addressed;
}

/*
 * pkt_parse() for a frame that may come from a twin: the flag leaves
 * ->iface (every step indexes interfaces by it) for ->host
 */
static enum masq_counter eng_parse(struct pkt *p, struct masq_buf *b)
{
	bool host = b->iface & MASQ_IFACE_TWIN;
	enum masq_counter c;

	b->iface &= MASQ_IFACE_MASK;
	c = pkt_parse(p, b);
	p->host = host;
	return c;
}

/* Stage 1 for a frame from a twin (or a bad interface): off the way */
static __attribute__((noinline)) enum masq_counter
eng_stage_parse_twin(struct masq_engine *e, struct masq_buf *b,
		     struct pkt *p)
{
	enum masq_counter c;

	if (!(b->iface & MASQ_IFACE_TWIN) ||
	    (b->iface & ~(MASQ_IFACE_MASK | MASQ_IFACE_TWIN)) ||
	    (b->iface & MASQ_IFACE_MASK) >= (uint32_t)e->net.nifs)
		return C_drop_bad_iface;
	c = eng_parse(p, b);
	return c != C_NUM ? c : host_frame_check(e, p);
}

/*
 * Stage 1 of a batch: count, validate, and for packets that will need a
 * connection lookup, hash their tuple.
 * Return: C_NUM to walk on, else the drop counter
 */
static enum masq_counter eng_stage_parse(struct masq_engine *e,
					 struct masq_buf *b, struct pkt *p,
					 struct eng_lookup *lk)
{
	enum masq_counter c;

	count(e, C_rx_frames);
	e->cnt[C_rx_bytes] += b->len;
	lk->hash = 0;
	if (__builtin_expect(b->iface >= (uint32_t)e->net.nifs, 0))
		c = eng_stage_parse_twin(e, b, p);	/* pkt_parse() clears ->host */
	else if ((c = pkt_parse(p, b)) == C_NUM)
		c = eth_check_dst(e, p);
	if (c != C_NUM)
		return c;
	if (p->ip && pkt_tracked(p)) {
		lk->t = (struct ct_tuple){ p->ip->saddr, p->ip->daddr,
					   p->sport, p->dport };
		lk->hash = ct_hash(&e->ct, p->proto, &lk->t);
		lk->bucket = ct_bucket_of(&e->ct, lk->hash);
	}
	return C_NUM;
}

/*
 * Stage 2 of a packet with a lookup: its bucket is in cache; prefetch
 * the entry of the candidate it names, or, when there is none, the
 * alternate bucket and the mapping bucket a new connection from inside
 * will look up.
 * Return: true when the primary bucket named no candidate
 */
static bool eng_stage_prefetch(struct masq_engine *e, const struct pkt *p,
			       struct eng_lookup *lk)
{
	lk->hint = ct_prefetch_entry(&e->ct, lk->hash, lk->bucket);
	if (lk->hint != CUCKOO_EMPTY)
		return false;
	if (p->has_ports)
		nat_prefetch(&e->nat, p->proto, lk->t.src, lk->t.sport);
	return true;
}

/*
 * Stage 2b, half way to the walk, for a packet stage 2 found no
 * candidate for: the alternate bucket (asked for then) may name it; if
 * not, the packet likely opens a connection, and the mapping its
 * internal endpoint may have is asked for.
 * Return: true when there is such a mapping (stage 2c's work)
 */
static bool eng_stage_second_look(struct masq_engine *e, const struct pkt *p,
				  struct eng_lookup *lk)
{
	lk->map = NAT_NONE;
	lk->hint = ct_prefetch_entry_alt(&e->ct, lk->hash, lk->bucket);
	if (lk->hint == CUCKOO_EMPTY && p->has_ports)
		lk->map = nat_prefetch_map(&e->nat, p->proto, lk->t.src,
					   lk->t.sport);
	return lk->map != NAT_NONE;
}

/*
 * Stage 2c, just before the walk, for a packet whose endpoint has a
 * candidate mapping: the connection it opens will enter its reply key
 * (the remote, and the mapping's external endpoint) in the table; ask
 * for that bucket now. New walks are long, so a step or two is enough.
 */
static void eng_stage_reply_key(struct masq_engine *e, const struct pkt *p,
				const struct eng_lookup *lk)
{
	struct ct_tuple r;

	if (!nat_map_hint(&e->nat, lk->map, p->proto, lk->t.src, lk->t.sport,
			  &r.dst, &r.dport))
		return;
	r.src = lk->t.dst;
	r.sport = lk->t.dport;
	ct_prefetch_buckets(&e->ct, ct_hash(&e->ct, p->proto, &r));
}

/* Stage 3 of a packet: its walk, by what it is */
static void eng_walk(struct masq_engine *e, struct masq_buf *b, struct pkt *p,
		     const struct eng_lookup *lk, enum masq_counter verdict)
{
	if (verdict != C_NUM)
		eng_drop(e, b, verdict);
	else if (p->host)
		host_input(e, p, lk->hash ? lk : NULL);
	else if (!p->ip)
		arp_input(e, p);
	else if (p->frag)
		frag_input(e, p);
	else
		conn_input(e, p, lk->hash ? lk : NULL);
}

#define ENG_STEP_MASK	((1ull << ENG_PF_GROUP) - 1)
_Static_assert(ENG_BATCH <= 64, "a batch's packets are the bits of a word");

/*
 * The packets of set @set (bit x: packet x) a step reaches at packet @x:
 * bits for x .. x + ENG_PF_GROUP - 1, none for places outside the batch.
 */
static inline uint64_t eng_step(uint64_t set, int x)
{
	if (x <= -ENG_PF_GROUP || x >= ENG_BATCH)
		return 0;
	return (x < 0 ? set << -x : set >> x) & ENG_STEP_MASK;
}

/* The packet the lowest bit of step bits @m (taken at packet @x) stands for */
static inline int eng_step_first(uint64_t m, int x)
{
	return x + __builtin_ctzll(m);
}

/*
 * eng_input_batch() - Walk up to ENG_BATCH frames, lookups pipelined
 *
 * A connection lookup costs two dependent cache misses at a million
 * connections (bucket, then entry and its counters). Taken one packet at
 * a time they are paid one after the other. Here every frame is parsed
 * and hashed first; then one loop runs its steps at once, each on
 * different packets: prefetch the buckets of packets i, i+1; find the
 * candidates of packets i-8, i-7 in their (by then cached) buckets and
 * prefetch their entries and counters, or, when a primary bucket names
 * none, the alternate bucket; look there at i-12 for the candidates
 * still missing and, for a packet that has no connection, the mapping
 * of its source endpoint; at i-14 prefetch the bucket of the reply key a
 * connection on that mapping would enter; and walk packets i-16, i-15.
 *
 * Which packets a step has work for is a bit set per step (look: a
 * lookup prepared; miss: no candidate in the primary bucket; fresh: a
 * candidate mapping), so an established packet pays nothing for the
 * steps of new connections, and no step tests the batch's bounds per
 * packet.
 *
 * Steps of two: on this project's KVM guests a prefetch whose page is
 * not in the TLB holds up the instructions behind it until the
 * (two-dimensional) page walk is done, and two walks side by side cost
 * about one; steps of one gave a million connections 1.4-1.85 times the
 * time per packet of a thousand, steps of two 1.33-1.40 (same runs).
 * Only about 3 * 8 lines are in flight: prefetching a whole batch at
 * once asked for more misses than the core tracks, and most of the
 * hints were dropped. The hints are only hints: the walk does the real
 * lookup (ct_lookup_hinted() verifies the candidate).
 */
static void eng_input_batch(struct masq_engine *e, struct masq_buf **bufs,
			    uint32_t n)
{
	struct pkt p[ENG_BATCH];
	struct eng_lookup lk[ENG_BATCH];
	enum masq_counter verdict[ENG_BATCH];
	uint64_t all = n < 64 ? (1ull << n) - 1 : ~0ull;
	uint64_t look = 0, miss = 0, fresh = 0;
	int k;

	for (uint32_t i = 0; i < n; i++) {
		verdict[i] = eng_stage_parse(e, bufs[i], &p[i], &lk[i]);
		if (lk[i].hash)
			look |= 1ull << i;
	}
	for (int i = 0; i < (int)n + ENG_PF_WALK; i += ENG_PF_GROUP) {
		int x1 = i - ENG_PF_D1, x2 = i - ENG_PF_ALT;
		int x3 = i - ENG_PF_REPLY, x4 = i - ENG_PF_WALK;
		uint64_t m;

		for (m = eng_step(look, i); m; m &= m - 1)
			ct_prefetch_bucket_at(&e->ct,
					      lk[eng_step_first(m, i)].bucket);
		for (m = eng_step(look, x1); m; m &= m - 1) {
			k = eng_step_first(m, x1);
			if (eng_stage_prefetch(e, &p[k], &lk[k]))
				miss |= 1ull << k;
		}
		for (m = eng_step(miss, x2); m; m &= m - 1) {
			k = eng_step_first(m, x2);
			if (eng_stage_second_look(e, &p[k], &lk[k]))
				fresh |= 1ull << k;
		}
		for (m = eng_step(fresh, x3); m; m &= m - 1) {
			k = eng_step_first(m, x3);
			eng_stage_reply_key(e, &p[k], &lk[k]);
		}
		for (m = eng_step(all, x4); m; m &= m - 1) {
			k = eng_step_first(m, x4);
			eng_walk(e, bufs[k], &p[k], &lk[k], verdict[k]);
		}
	}
}

void masq_engine_input(struct masq_engine *e, struct masq_buf **bufs,
		       uint32_t n, uint64_t now_ns, struct masq_txq *tx)
{
	eng_set_time(e, now_ns);
	e->tx = tx;
	for (uint32_t i = 0; i < n; i += ENG_BATCH)
		eng_input_batch(e, bufs + i, n - i < ENG_BATCH ? n - i : ENG_BATCH);
	fw_fast_flush(e->fw, &e->fw_pend);
	e->tx = NULL;
}

void masq_engine_advance(struct masq_engine *e, uint64_t now_ns,
			 struct masq_txq *tx)
{
	eng_set_time(e, now_ns);
	e->tx = tx;
	conn_advance(e);
	frag_advance(e);
	arp_advance(e);
	fw_fast_flush(e->fw, &e->fw_pend);
	e->tx = NULL;
}

/**
 * eng_forward() - Send a translated datagram on its way
 * @e:		engine
 * @p:		the packet (TTL already checked, not yet decremented)
 * @out_iface:	interface from the route
 * @nexthop:	gateway, or the destination itself when on-link
 */
void eng_forward(struct masq_engine *e, struct pkt *p, int out_iface,
		 uint32_t nexthop)
{
	ip_dec_ttl(p->ip);
	count(e, C_forwarded);
	if (frag_needed(e, p, out_iface))
		frag_output(e, p, out_iface, nexthop);
	else
		arp_output(e, p->buf, out_iface, nexthop);
}

/**
 * eng_walk_datagram() - Walk a datagram frag.c reassembled
 * @e:	engine
 * @b:	whole datagram, Ethernet header in front, arrival interface set
 */
void eng_walk_datagram(struct masq_engine *e, struct masq_buf *b)
{
	struct pkt p;
	enum masq_counter c = eng_parse(&p, b);

	if (c != C_NUM || p.frag) {
		eng_drop(e, b, c != C_NUM ? c : C_drop_fragment);
		return;
	}
	if (p.host)
		host_input(e, &p, NULL);
	else
		conn_input(e, &p, NULL);
}

/*
 * The filter's OUTPUT hook for a datagram the router sends itself: the
 * packet walks it as a host's own would (mangle, filter).
 * Return: true when it may leave
 */
static bool eng_output_allowed(struct masq_engine *e, struct masq_buf *b,
			       int out, uint8_t state)
{
	struct fw_pkt fp;
	struct pkt p;

	if (pkt_parse(&p, b) != C_NUM || !p.ip)
		return true;		/* made here: parses; else nothing to ask */
	fw_pkt_init(&fp, &p, FW_NO_IF, (uint8_t)out, state);
	fw_run_hook(e, e->fw, IPT_OUTPUT, false, &fp);
	return fp.action == FW_ACCEPT || fp.action == FW_NAT;
}

/**
 * eng_send_ip() - Send a datagram the router made (or answers) towards
 * its destination, through the filter's OUTPUT hook
 * @e:		engine
 * @b:		the frame, Ethernet header room in front
 * @state:	what the filter sees it as (IPT_ST_ESTABLISHED for an echo
 *		reply, IPT_ST_RELATED for errors and REJECT's answers)
 */
void eng_send_ip(struct masq_engine *e, struct masq_buf *b, uint8_t state)
{
	const struct ip4_hdr *ip = (const struct ip4_hdr *)(b->data + ETH_HLEN);
	const struct route *r = net_route_lookup(&e->net, ip->daddr);

	if (host_send_ip(e, b))
		return;			/* to the router host: its twin */
	if (!r) {
		eng_drop(e, b, C_drop_no_route);
		return;
	}
	if (!eng_output_allowed(e, b, r->iface, state)) {
		eng_drop(e, b, C_fw_out_dropped);
		return;
	}
	arp_output(e, b, r->iface, r->gw ? r->gw : ip->daddr);
}

int masq_engine_iface_find(const struct masq_engine *e, const char *name)
{
	return net_iface_find(&e->net, name);
}

int masq_engine_iface_count(const struct masq_engine *e)
{
	return e->net.nifs;
}

const char *masq_engine_iface_name(const struct masq_engine *e, int index)
{
	if (index < 0 || index >= e->net.nifs)
		return NULL;
	return e->net.ifs[index].name;
}

int64_t masq_engine_counter(const struct masq_engine *e, const char *name)
{
	for (int i = 0; i < C_NUM; i++)
		if (!strcmp(masq_counter_names[i], name))
			return (int64_t)e->cnt[i];
	return -1;
}

uint32_t masq_engine_conn_count(const struct masq_engine *e)
{
	return e->ct.count;
}
