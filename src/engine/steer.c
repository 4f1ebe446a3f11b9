// SPDX-License-Identifier: MIT
/*
 * steer.c - which worker owns a frame
 *
 * With n workers (worker.c), every connection, its endpoint-independent
 * mapping and the expectations of its helper live in one engine, and
 * both directions of the connection must reach that engine. masq_steer()
 * names it from the frame alone and a read-only picture of the
 * configuration (struct masq_steer, filled by masq_engine_steer_conf()),
 * so the receive side of any worker (or a NIC's RSS, later) can ask
 * without a lookup in any connection table. It is pure: the same frame
 * and picture give the same worker on every thread.
 *
 * The ownership rule: a masqueraded connection belongs to the worker of
 * its inside endpoint's port, slice(sport) = (sport >> 1) % n (ICMP echo:
 * of its id), and that worker makes its mappings in the same slice of
 * ports (nat.c), so the inside port is kept as with one worker (port
 * preservation; a host's TIME_WAIT knowledge stays valid for the server)
 * and the reply's destination port names the owner. By pairs, because
 * Linux's connect() picks even ports. So
 *
 *   arrival	the frame				worker
 *   --------	---------------------------------------	-----------------
 *   any	n = 1					0
 *   wire	ARP					every (ALL)
 *   any	not IPv4, VLAN, too short, bad header	0 (its drop)
 *   any	IPv4 without ports (GRE, ESP, ICMP	0 (both ways)
 *		other than echo), or with them unread
 *   external	to an address not the router's (routed)	slice(dport),
 *		(its reply leaves as "anything else" below)	  slice(id)
 *   external	to the router: a forwarded port		hash(src: remote)
 *   external	to the router: TCP/UDP			slice(dport)
 *   external	to the router: ICMP echo (reply)	slice(id)
 *   internal	to the router's external address, TCP/	slice(dport)
 *		UDP, a port no host socket holds	  (hairpin)
 *   internal	to any other router address (the host)	hash(src)
 *   internal	from a forward's inside target		hash(dst: remote)
 *		(portfw, autofw, and nat PREROUTING DNAT/REDIRECT rules with
 *		a --dport; the router itself for REDIRECT)
 *   internal	to another inside network (routed)	hash(src ^ dst)
 *   internal	TCP to port 21 or 20 (FTP control, and	hash(src)
 *		an active data connection's side)
 *   internal	anything else: TCP/UDP			slice(sport)
 *   internal	anything else: ICMP echo		slice(id)
 *   twin	to an inside host			hash(dst)
 *   twin	from a REDIRECT's port			hash(dst: remote)
 *   twin	TCP/UDP (the host's own, to outside)	slice(sport)
 *   twin	ICMP echo				slice(id)
 *   any	an ICMP error				the rule for the
 *		quoted packet, turned round (its reply is the connection's)
 *   any	an IPv4 fragment, where ports decide	hash(src, dst, ip id)
 *
 * Why each pair agrees: an inside endpoint's outbound packets go to
 * slice(its port), which maps them in that slice (keeping the port when
 * free); the replies come to that port: the slice's worker. A host's
 * connections are spread over the workers, so host-cap (quota.c) holds
 * per worker. A forward's connections belong to hash of
 * the remote, both ways (the forwarded port in, the target's endpoint
 * out), whichever of several targets the forward picks. The router
 * host's own connections to the outside keep their socket's port (or a
 * SNAT rule gives one in the slice of the worker that sees the twin's
 * frame, slice(sport)), so their replies come back by that port; with an
 * inside host they belong to the inside host. A hairpinned connection
 * (inside to a mapping of the external address) belongs to the target
 * mapping's worker, both ways: its reply is addressed to the source's
 * hairpin mapping, made in that worker's slice.
 *
 * FTP: an active data connection is opened by the server to the port
 * the helper mapped for the client's PORT, on the control connection's
 * worker, but the client answers from a port of its own choosing, which
 * names no worker; so the control connection and the client's side of
 * the data connection (to port 20) both go by hash(client), and the
 * helper maps the data port in that worker's slice. (The control
 * connection's own port is then kept only when it falls in the slice.)
 *
 * Limits, stated where they bite:
 *   - IRC DCC offers from inside (the remote connects to the mapped
 *     port, the client answers from its own port to the remote's) and
 *     FTP on other ports than 21: the client's side is steered by a
 *     port that names no worker; the engine there, holding no
 *     connection for it, passes it round the workers to the one that
 *     does (walk.c: up to n - 1 hand-offs a segment);
 *   - a fragmented datagram's fragments go to hash(src, dst, id); the
 *     engine there reassembles it and, when masq_steer() on the whole
 *     datagram names another worker, cuts it again and gives it back
 *     for its owner (fragout.c, frag_hand_on(); masqd hands it on):
 *     a hop more for a fragmented datagram, never a second mapping;
 *   - a hairpinned connection's source gets its own mapping on the
 *     target's worker: endpoint-independent mapping holds per worker;
 *   - the forward targets' own outbound connections from the forwarded
 *     port are mapped per remote's worker, so a UDP server behind a
 *     forward is seen outside on one port per worker;
 *   - nat PREROUTING DNAT and REDIRECT rules are in the picture only
 *     when they are in the built-in chain with a protocol and a plain
 *     --dport (the usual port forward); others, and mfw (a mark
 *     decides), are not: with n > 1 their connections reach their
 *     worker only when the remote's and the target's hashes agree;
 *     autofw's holder is learnt by the worker of its control connection
 *     only;
 *   - a masquerade mapping that takes a forwarded port is steered by
 *     the remote, not by the port: keep forwarded ports out of the
 *     masquerade range (set ports) when running n > 1;
 *   - protocols without ports all go to worker 0, which alone then
 *     tracks GRE or ESP.
 *
 * Cost: a few compares, the router's addresses scanned (a handful), one
 * bitmap read; the targets list only when that bitmap says a source
 * port is a target's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "eng.h"
#include "fwd.h"
#include "ipt/ipt.h"

#define STEER_INTERNAL	0
#define STEER_EXTERNAL	1
#define STEER_TWIN	2
#define STEER_NONE	0xff

/* A packet's endpoints as steering reads them (network order) */
struct steer_tuple {
	uint32_t src, dst;
	uint16_t sport, dport;	/* echo: the id in both */
	uint16_t ipid;
	uint8_t proto;
	uint8_t kind;		/* enum steer_kind */
};

enum steer_kind {
	SK_PORTS,		/* TCP or UDP, ports read */
	SK_ECHO,		/* ICMP echo or echo reply, id read */
	SK_PORTLESS,		/* another protocol or ICMP type */
	SK_FRAG,		/* a fragment: ports not trusted */
	SK_NUM
};

static uint32_t steer_mix(const struct masq_steer *s, uint64_t v)
{
	v ^= s->key;
	v *= 0x9e3779b97f4a7c15ull;
	v ^= v >> 29;
	v *= 0xbf58476d1ce4e5b9ull;
	v ^= v >> 32;
	return (uint32_t)(v % s->n);
}

/* The slice of @port (network order): ports by pairs, as nat.c gives them */
static uint32_t steer_port(const struct masq_steer *s, uint16_t port)
{
	return (uint32_t)(ntohs(port) >> 1) % s->n;
}

/* The router's address @a, or NULL */
static const struct masq_steer_addr *steer_local(const struct masq_steer *s,
						 uint32_t a)
{
	for (uint32_t i = 0; i < s->naddr && i < MASQ_STEER_ADDRS; i++)
		if (s->addrs[i].addr == a)
			return &s->addrs[i];
	return NULL;
}

/* Is @a an inside host: on an internal network, not the router */
static bool steer_inside(const struct masq_steer *s, uint32_t a)
{
	for (uint32_t i = 0; i < s->naddr && i < MASQ_STEER_ADDRS; i++) {
		const struct masq_steer_addr *l = &s->addrs[i];

		if (!l->external && l->mask && (a & l->mask) == (l->addr & l->mask))
			return !steer_local(s, a);
	}
	return false;
}

static bool bit_test(const uint64_t *bits, uint16_t port_n)
{
	uint16_t p = ntohs(port_n);

	return bits[p >> 6] >> (p & 63) & 1;
}

/* Index of TCP/UDP in the per-protocol bitmaps */
static int steer_pc(uint8_t proto)
{
	return proto == IPPROTO_UDP_;
}

/* Is the source endpoint of @t one a forward sends to? */
static bool steer_from_target(const struct masq_steer *s,
			      const struct steer_tuple *t)
{
	uint16_t p = ntohs(t->sport);

	if (!bit_test(s->tgt_ports[steer_pc(t->proto)], t->sport))
		return false;
	for (uint32_t i = 0; i < s->ntargets && i < MASQ_STEER_TARGETS; i++) {
		const struct masq_steer_target *g = &s->targets[i];

		if (g->proto == t->proto && p >= g->lo && p <= g->hi &&
		    (!g->addr || g->addr == t->src))
			return true;
	}
	return false;
}

static uint32_t steer_frag(const struct masq_steer *s,
			   const struct steer_tuple *t)
{
	return steer_mix(s, (uint64_t)(t->src ^ t->dst) << 16 ^ t->ipid ^
			    (uint64_t)t->proto << 48);
}

static uint32_t steer_external(const struct masq_steer *s,
			       const struct steer_tuple *t)
{
	if (!steer_local(s, t->dst))	/* routed in: as its reply goes out */
		return t->kind == SK_PORTLESS ? 0 :
		       t->kind == SK_FRAG ? steer_frag(s, t) :
		       steer_port(s, t->dport);
	switch (t->kind) {
	case SK_PORTS:
		if (bit_test(s->fwd_ports[steer_pc(t->proto)], t->dport))
			return steer_mix(s, t->src);
		return steer_port(s, t->dport);
	case SK_ECHO:
		return steer_port(s, t->dport);
	case SK_FRAG:
		return steer_frag(s, t);
	default:
		return 0;
	}
}

static uint32_t steer_internal(const struct masq_steer *s,
			       const struct steer_tuple *t)
{
	const struct masq_steer_addr *l = steer_local(s, t->dst);

	if (t->kind == SK_PORTLESS)
		return 0;
	if (l && l->external && t->kind == SK_PORTS &&
	    !bit_test(s->host_ports[steer_pc(t->proto)], t->dport) &&
	    !bit_test(s->fwd_ports[steer_pc(t->proto)], t->dport))
		return steer_port(s, t->dport);		/* hairpin */
	if (l)
		return steer_mix(s, t->src);		/* the host's service */
	if (t->kind == SK_PORTS && steer_from_target(s, t))
		return steer_mix(s, t->dst);		/* a forward's reply */
	if (steer_inside(s, t->dst))
		return steer_mix(s, t->src ^ t->dst);	/* routed, both ways */
	if (t->kind == SK_FRAG)
		return steer_frag(s, t);
	if (t->proto == IPPROTO_TCP_ &&
	    (t->dport == htons(21) || t->dport == htons(20)))
		return steer_mix(s, t->src);		/* FTP: see above */
	return steer_port(s, t->sport);		/* masqueraded: its port */
}

static uint32_t steer_twin(const struct masq_steer *s,
			   const struct steer_tuple *t)
{
	if (t->kind == SK_PORTLESS)
		return 0;
	if (steer_inside(s, t->dst))
		return steer_mix(s, t->dst);
	switch (t->kind) {
	case SK_PORTS:
		if (steer_from_target(s, t))
			return steer_mix(s, t->dst);	/* a REDIRECT's reply */
		return steer_port(s, t->sport);
	case SK_ECHO:
		return steer_port(s, t->sport);
	default:
		return steer_frag(s, t);
	}
}

static uint32_t steer_decide(const struct masq_steer *s, uint8_t role,
			     const struct steer_tuple *t)
{
	switch (role) {
	case STEER_EXTERNAL:
		return steer_external(s, t);
	case STEER_INTERNAL:
		return steer_internal(s, t);
	case STEER_TWIN:
		return steer_twin(s, t);
	default:
		return 0;
	}
}

/*
 * Read an IPv4 header at @ip (@len bytes there) into @t; @icmp_err set
 * to the quoted packet's offset when it is an ICMP error (0 otherwise).
 * Return: false when the header cannot be read
 */
static bool steer_read_ip(const uint8_t *ip, size_t len, bool quoted,
			  struct steer_tuple *t, size_t *icmp_err)
{
	const struct ip4_hdr *h = (const struct ip4_hdr *)ip;
	size_t hl;
	const uint8_t *l4;

	*icmp_err = 0;
	if (len < sizeof(*h) || (h->ver_ihl >> 4) != 4)
		return false;
	hl = (size_t)(h->ver_ihl & 15) * 4;
	if (hl < sizeof(*h) || hl > len)
		return false;
	*t = (struct steer_tuple){ .src = h->saddr, .dst = h->daddr,
				   .proto = h->proto, .ipid = h->id,
				   .kind = SK_PORTLESS };
	l4 = ip + hl;
	len -= hl;
	if (ntohs(h->frag_off) & IP_OFFMASK) {
		t->kind = SK_FRAG;
		return true;
	}
	if ((ntohs(h->frag_off) & IP_MF) && !quoted) {
		t->kind = SK_FRAG;	/* the first fragment goes with the rest */
		return true;
	}
	if ((h->proto == IPPROTO_TCP_ || h->proto == IPPROTO_UDP_) && len >= 4) {
		memcpy(&t->sport, l4, 2);
		memcpy(&t->dport, l4 + 2, 2);
		t->kind = SK_PORTS;
	} else if (h->proto == IPPROTO_ICMP_ && len >= 8) {
		uint8_t type = l4[0];

		if (type == ICMP_ECHO || type == ICMP_ECHOREPLY) {
			memcpy(&t->sport, l4 + 4, 2);
			t->dport = t->sport;
			t->kind = SK_ECHO;
		} else if (!quoted && (type == ICMP_UNREACH ||
			   type == ICMP_SOURCEQUENCH || type == ICMP_REDIRECT ||
			   type == ICMP_TIMXCEED || type == ICMP_PARAMPROB)) {
			*icmp_err = (size_t)(l4 - ip) + 8;
		}
	}
	return true;
}

/* The interface role of the frame's arrival */
static uint8_t steer_role(const struct masq_steer *s, uint32_t iface)
{
	if (iface & MASQ_IFACE_TWIN)
		return STEER_TWIN;
	iface &= MASQ_IFACE_MASK;
	if (iface >= sizeof(s->role))
		return STEER_NONE;
	return s->role[iface] == ROLE_EXTERNAL ? STEER_EXTERNAL :
	       s->role[iface] == ROLE_INTERNAL ? STEER_INTERNAL : STEER_NONE;
}

/*
 * An ICMP error belongs to the connection of the packet it quotes: that
 * packet went the other way, so steer it turned round (its source is the
 * error's destination side). A quote that cannot be read: worker 0.
 */
static uint32_t steer_icmp_error(const struct masq_steer *s, uint8_t role,
				 const uint8_t *quote, size_t len)
{
	struct steer_tuple q, r;
	size_t inner;

	if (!steer_read_ip(quote, len, true, &q, &inner))
		return 0;
	r = q;
	r.src = q.dst;
	r.dst = q.src;
	r.sport = q.dport;
	r.dport = q.sport;
	return steer_decide(s, role, &r);
}

/**
 * masq_steer() - The worker that owns a frame
 * @s:		the configuration's picture (masq_engine_steer_conf())
 * @b:		the frame, ->data, ->len and ->iface set (as for input)
 *
 * Pure and bounded: reads at most the Ethernet, IPv4 and L4 headers and
 * an ICMP error's quote, every length checked; any frame, however
 * malformed, gets a worker (the one whose engine then drops it).
 * Return: 0 to n - 1, or MASQ_STEER_ALL for a frame every worker takes
 * (ARP from the wire: each learns the neighbour, worker 0 answers)
 */
uint32_t masq_steer(const struct masq_steer *s, const struct masq_buf *b)
{
	const struct eth_hdr *eth = (const struct eth_hdr *)b->data;
	uint8_t role;
	struct steer_tuple t;
	size_t err;
	uint16_t type;

	if (s->n <= 1 || b->len < ETH_HLEN)
		return 0;
	role = steer_role(s, b->iface);
	type = ntohs(eth->type);
	if (type == ETHERTYPE_ARP)
		return role == STEER_TWIN ? 0 : MASQ_STEER_ALL;
	if (type != ETHERTYPE_IPV4 || role == STEER_NONE ||
	    !steer_read_ip(b->data + ETH_HLEN, b->len - ETH_HLEN, false, &t,
			   &err))
		return 0;
	if (err) {
		if (err >= b->len - ETH_HLEN)
			return 0;
		return steer_icmp_error(s, role, b->data + ETH_HLEN + err,
					b->len - ETH_HLEN - err);
	}
	return steer_decide(s, role, &t);
}

/* Where a packet of @t arrives: the router itself (a twin) when its
 * source is the router's, else the role of the interface its source is
 * routed by; STEER_NONE with no route */
static uint8_t steer_arrival(const struct masq_steer *s, const struct net *net,
			     const struct ct_tuple *t)
{
	const struct route *r;

	if (net_addr_is_router(net, t->src))
		return STEER_TWIN;
	r = net_route_lookup(net, t->src);
	return r ? steer_role(s, r->iface) : STEER_NONE;
}

/**
 * steer_tuple_owner() - The worker a packet of @t would be steered to
 * @s:		the picture (of the engine's configuration, n workers)
 * @net:	the engine's interfaces and routes: where the packet arrives
 * @proto:	IP protocol
 * @t:		the packet's endpoints (a connection's tuple; ICMP echo:
 *		the id as its port, either side)
 *
 * The packet arrives where steer_arrival() says. The same rules as
 * masq_steer()'s, never a second copy of them.
 * Return: 0 to n - 1 (0: no route to its source, or n = 1)
 */
uint32_t steer_tuple_owner(const struct masq_steer *s, const struct net *net,
			   uint8_t proto, const struct ct_tuple *t)
{
	struct steer_tuple st = { .src = t->src, .dst = t->dst,
				  .sport = t->sport, .dport = t->dport,
				  .proto = proto, .kind = SK_PORTS };
	uint8_t role;

	if (s->n <= 1)
		return 0;
	role = steer_arrival(s, net, t);
	if (proto == IPPROTO_ICMP_) {
		st.kind = SK_ECHO;
		st.sport = st.dport = t->dport ? t->dport : t->sport;
	} else if (proto != IPPROTO_TCP_ && proto != IPPROTO_UDP_) {
		st.kind = SK_PORTLESS;
	}
	return role == STEER_NONE ? 0 : steer_decide(s, role, &st);
}

/**
 * steer_conn_owner() - The worker a restored connection belongs to
 * @s:		the picture (of the engine's configuration, n workers)
 * @net:	the engine's interfaces and routes
 * @proto:	IP protocol
 * @t:		the connection's tuples, t[CT_ORIG] and t[CT_REPLY]
 *
 * A restart's load (snaprestore.c) asks this of each connection, so it
 * lands where its packets from outside are steered under the new worker
 * count: those are the ones no worker passes on (a TCP segment from
 * inside of no connection may be walked round the workers, walk.c; one
 * from outside is dropped where it lands). So the original direction's
 * worker when it arrives from outside (a connection DNATed or forwarded
 * in, routed in), else the reply's (a masqueraded connection: the slice
 * of its external port, where its mapping is kept). The reply's alone
 * put a connection DNATed from outside by a rule steering does not see
 * (mfw's mark, or a rule given after the restart) on the worker of the
 * server's port, and its client's packets, steered by the forwarded
 * port, were lost (e2e 115, 110).
 * Return: 0 to n - 1
 */
uint32_t steer_conn_owner(const struct masq_steer *s, const struct net *net,
			  uint8_t proto, const struct ct_tuple t[2])
{
	if (s->n > 1 && steer_arrival(s, net, &t[CT_ORIG]) == STEER_EXTERNAL)
		return steer_tuple_owner(s, net, proto, &t[CT_ORIG]);
	return steer_tuple_owner(s, net, proto, &t[CT_REPLY]);
}

/* ---- the picture, from an engine's configuration ------------------------ */

static void bit_set(uint64_t *bits, uint32_t p)
{
	bits[(p & 0xffff) >> 6] |= 1ull << (p & 63);
}

/* A target and its ports; false when the list is full */
static bool steer_add_target(struct masq_steer *s, uint8_t proto,
			     uint32_t addr, uint16_t lo, uint16_t hi)
{
	if (proto != IPPROTO_TCP_ && proto != IPPROTO_UDP_)
		return true;
	if (s->ntargets >= MASQ_STEER_TARGETS)
		return false;
	s->targets[s->ntargets++] = (struct masq_steer_target){
		.addr = addr, .lo = lo, .hi = hi, .proto = proto };
	for (uint32_t p = lo; p <= hi; p++)
		bit_set(s->tgt_ports[steer_pc(proto)], p);
	return true;
}

static void steer_forwarded(struct masq_steer *s, uint8_t proto, uint32_t lo,
			    uint32_t hi)
{
	if (proto != IPPROTO_TCP_ && proto != IPPROTO_UDP_)
		return;
	for (uint32_t p = lo; p <= hi; p++)
		bit_set(s->fwd_ports[steer_pc(proto)], p);
}

#define STEER_DNAT_ADDRS	16	/* addresses of one DNAT range taken */

/* The destination port range a rule matches, if it names one plainly */
static bool rule_dports(const struct ipt_rule *r, struct ipt_portrange *pr)
{
	for (int i = 0; i < r->nmatch && i < IPT_MAX_MATCHES; i++) {
		const struct ipt_match *m = &r->m[i];

		if ((m->kind == IPT_M_TCP || m->kind == IPT_M_UDP) &&
		    (m->set & IPT_F_DPORT) && !(m->inv & IPT_F_DPORT)) {
			*pr = m->u.l4.dport;
			return pr->lo <= pr->hi;
		}
	}
	return false;
}

/*
 * A nat PREROUTING DNAT or REDIRECT rule of the built-in chain with a
 * protocol and a destination port: a forward like portfw's (REDIRECT's
 * target: the router itself, any of its addresses). Others (no port, a
 * user chain, a negation) are not in the picture: design.md, "Workers".
 */
static int steer_conf_rule(struct masq_steer *s, const struct ipt_rule *r)
{
	const struct ipt_target *t = &r->t;
	struct ipt_portrange in, to;
	uint32_t naddr, lo;

	if ((t->kind != IPT_T_DNAT && t->kind != IPT_T_REDIRECT) ||
	    (r->inv & IPT_INV_PROTO) || !rule_dports(r, &in))
		return 0;
	to = in;
	if (t->u.nat.flags & IPT_NAT_PORTS)
		to = (struct ipt_portrange){ t->u.nat.port_lo, t->u.nat.port_hi };
	steer_forwarded(s, r->proto, in.lo, in.hi);
	if (t->kind == IPT_T_REDIRECT)	/* the host answers from @to: the
					 * port's own connections go with it */
		steer_forwarded(s, r->proto, to.lo, to.hi);
	if (t->kind == IPT_T_REDIRECT || !(t->u.nat.flags & IPT_NAT_ADDR))
		return steer_add_target(s, r->proto, 0, to.lo, to.hi) ? 0 : -ENOSPC;
	lo = t->u.nat.addr_lo;
	naddr = t->u.nat.addr_hi - lo + 1;
	if (t->u.nat.addr_hi < lo || naddr > STEER_DNAT_ADDRS)
		return steer_add_target(s, r->proto, 0, to.lo, to.hi) ? 0 : -ENOSPC;
	for (uint32_t i = 0; i < naddr; i++)
		if (!steer_add_target(s, r->proto, htonl(lo + i), to.lo, to.hi))
			return -ENOSPC;
	return 0;
}

static int steer_conf_dnat(const struct masq_engine *e, struct masq_steer *s)
{
	const struct ipt_table *nat;

	if (!e->rs)
		return 0;
	nat = &e->rs->t[IPT_NAT];
	for (uint32_t c = 0; c < nat->nchains; c++) {
		const struct ipt_chain *ch = &nat->chains[c];

		if (ch->hook != IPT_PREROUTING)
			continue;
		for (uint32_t i = 0; i < ch->nrules; i++) {
			int rc = steer_conf_rule(s, &ch->rules[i]);

			if (rc)
				return rc;
		}
	}
	return 0;
}

/* portfw and autofw: the ports forwarded in, and where to */
static int steer_conf_forwards(const struct masq_engine *e,
			       struct masq_steer *s)
{
	const struct fwd *f = e->fwd;

	for (uint32_t i = 0; f && i < f->portfw.n; i++) {
		const struct fwd_rule *r = &f->portfw.r[i];

		steer_forwarded(s, r->proto, ntohs(r->kport), ntohs(r->kport));
		if (!steer_add_target(s, r->proto, r->raddr, ntohs(r->rport),
				      ntohs(r->rport)))
			return -ENOSPC;
	}
	for (uint32_t i = 0; f && i < f->nauto && i < FWD_AUTO_MAX; i++) {
		const struct fwd_auto *a = &f->a[i];

		if (a->low > a->high)
			continue;
		steer_forwarded(s, a->proto, a->low, a->high);
		if (!steer_add_target(s, a->proto, a->ctlproto ? 0 : a->host,
				      a->low, a->high))
			return -ENOSPC;
	}
	return 0;
}

/**
 * masq_engine_steer_conf() - Take the picture masq_steer() reads
 * @e:		any one of the workers' engines (they share the configuration)
 * @n:		workers, 1 to MASQ_WORKERS_MAX
 * @s:		filled whole
 *
 * Control plane, O(forwards and their port ranges). Call again after a
 * change of interfaces, addresses, forwards or the host's sockets, and
 * publish the new picture to the receivers (a pointer swap).
 * Return: 0; -EINVAL for @n out of range; -ENOSPC when the forwards do
 * not fit MASQ_STEER_TARGETS
 */
int masq_engine_steer_conf(const struct masq_engine *e, uint32_t n,
			   struct masq_steer *s)
{
	const struct net *net = &e->net;

	if (!n || n > MASQ_WORKERS_MAX)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	s->n = n;
	s->key = e->lim.seed * 0x9e3779b97f4a7c15ull + 0x73746565;
	memset(s->role, STEER_NONE, sizeof(s->role));
	for (int i = 0; i < net->nifs && i < (int)sizeof(s->role); i++) {
		const struct iface *ifc = &net->ifs[i];

		s->role[i] = ifc->role;
		for (int a = 0; a < ifc->naddr && s->naddr < MASQ_STEER_ADDRS; a++)
			s->addrs[s->naddr++] = (struct masq_steer_addr){
				.addr = ifc->addr[a].addr,
				.mask = ifc->addr[a].mask,
				.external = ifc->role == ROLE_EXTERNAL };
	}
	memcpy(s->host_ports[0], e->nat.host_ports[NAT_PCLS_TCP],
	       sizeof(s->host_ports[0]));
	memcpy(s->host_ports[1], e->nat.host_ports[NAT_PCLS_UDP],
	       sizeof(s->host_ports[1]));
	return steer_conf_forwards(e, s) ? -ENOSPC : steer_conf_dnat(e, s);
}
