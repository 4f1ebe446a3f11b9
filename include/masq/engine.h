/* SPDX-License-Identifier: MIT */
/*
 * masq/engine.h - the engine's whole boundary
 *
 * The engine decides everything about a packet's walk (parsing, ARP,
 * routing, connection tracking, masquerading, the counters) and does no
 * I/O and reads no clock of its own. A caller (masqd, a test, a benchmark,
 * a fuzzer) owns the wire and the time:
 *
 *	pool = masq_pool_create(...)          buffers, preallocated once
 *	e = masq_engine_create(&limits, pool)
 *	masq_engine_ctl(e, argc, argv, &text) interfaces, addresses, routes...
 *	loop:
 *		fill bufs from the pool, set ->iface and ->meta
 *		masq_engine_input(e, bufs, n, now, &tx)
 *		masq_engine_advance(e, now, &tx)  expiry, ARP retries
 *		send tx.bufs[i] on tx.bufs[i]->iface, then masq_pool_put() each
 *
 * Buffer ownership: every buffer belongs to the one pool. A buffer handed
 * to masq_engine_input() belongs to the engine until it comes back in the
 * tx vector (forwarded, rewritten in place) or goes back to the pool
 * (dropped, counted). Buffers the engine holds (waiting for ARP) or makes
 * (ARP requests and replies, ICMP) are drawn from the same pool; when the
 * pool is empty the engine counts a drop rather than allocate. Nothing on
 * the packet path allocates.
 *
 * Offload metadata travels with each buffer in the fields of a virtio-net
 * header (struct masq_meta, host byte order). A frame marked
 * MASQ_META_NEEDS_CSUM holds in its L4 checksum field only the
 * pseudo-header sum, which the engine keeps consistent when it rewrites
 * addresses; the transmitter (NIC or kernel) finishes it.
 */
#ifndef MASQ_ENGINE_H
#define MASQ_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Offload metadata: the fields of struct virtio_net_hdr, host order */
#define MASQ_META_NEEDS_CSUM	1	/* VIRTIO_NET_HDR_F_NEEDS_CSUM */
#define MASQ_META_DATA_VALID	2	/* VIRTIO_NET_HDR_F_DATA_VALID */

#define MASQ_GSO_NONE		0
#define MASQ_GSO_TCPV4		1
#define MASQ_GSO_UDP		3
#define MASQ_GSO_TCPV6		4
#define MASQ_GSO_UDP_L4		5
#define MASQ_GSO_ECN		0x80

struct masq_meta {
	uint8_t flags;		/* MASQ_META_* */
	uint8_t gso_type;	/* MASQ_GSO_* */
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;	/* from the start of the Ethernet header */
	uint16_t csum_offset;	/* from csum_start */
	uint8_t walked;		/* --workers: workers it was on (walk.c) */
};

/**
 * struct masq_buf - one frame and its metadata
 * @data:	first byte of the Ethernet header
 * @len:	bytes of frame from @data
 * @iface:	engine interface index: arrival on input, departure on output
 * @meta:	offload metadata (all zero for a plain frame)
 * @base:	start of the storage (owned by the pool, do not change)
 * @cap:	bytes of storage from @base
 * @next:	link used by the pool and by queues inside the engine
 */
struct masq_buf {
	uint8_t *data;
	uint32_t len;
	uint32_t iface;
	struct masq_meta meta;
	uint8_t *base;
	uint32_t cap;
	struct masq_buf *next;
};

/*
 * Twins: the host's side of an owned interface, a TAP device masqd makes
 * with the interface's MAC address and the router's addresses, so the
 * host's own services and connections go through the engine. A buffer
 * whose ->iface has MASQ_IFACE_TWIN set came from the twin of interface
 * (->iface & MASQ_IFACE_MASK) on input, and goes into that twin on
 * output. The engine uses a twin only after "iface set NAME twin on".
 */
#define MASQ_IFACE_TWIN		0x100u
#define MASQ_IFACE_MASK		0xffu
/*
 * --workers N: a frame the engine gives back for another worker's engine
 * (a datagram reassembled by a worker that does not own it, cut again
 * into fragments; a TCP segment from inside of no connection the worker
 * holds, passed round the workers, which keeps ->meta.walked, the count
 * of workers it was on): ->iface has MASQ_IFACE_HANDOFF set, the worker in
 * bits 16..23 (MASQ_IFACE_WORKER()) and the arrival interface (twin bit
 * included) in bits 0..8. The caller puts it into that worker's engine
 * as received on (->iface & MASQ_IFACE_ARRIVAL).
 */
#define MASQ_IFACE_HANDOFF	0x200u
#define MASQ_IFACE_ARRIVAL	0x1ffu
#define MASQ_IFACE_WORKER(i)	(((i) >> 16) & 0xffu)

/* Room kept in front of ->data in every fresh buffer (tunnel/VLAN headers) */
#define MASQ_HEADROOM	64

struct masq_pool;

struct masq_pool *masq_pool_create(uint32_t count, uint32_t buf_size);
void masq_pool_destroy(struct masq_pool *pool);
struct masq_buf *masq_pool_get(struct masq_pool *pool);
void masq_pool_put(struct masq_pool *pool, struct masq_buf *buf);
uint32_t masq_pool_avail(const struct masq_pool *pool);
uint32_t masq_pool_count(const struct masq_pool *pool);

/**
 * struct masq_limits - sizes fixed at creation; every table is preallocated
 * @max_conns:	tracked connections (masquerade mappings are bounded by it too)
 * @max_neigh:	ARP neighbour entries
 * @neigh_queue: frames held in all waiting for ARP resolution
 * @max_routes:	routing table entries
 * @max_mappings: masquerade mappings (internal endpoints seen outside);
 *		default the smaller of max_conns and 262,144
 * @no_accounting: keep no packet and byte counters per connection
 *		(saves 24 bytes per connection)
 * @seed:	seed for hash keys and port choice; 0 takes one from the
 *		kernel's random source (tests and fuzzers set it to repeat)
 * @frag_mem:	bytes of fragment data held in reassembly at once, in
 *		1 KiB chunks (default 4 MiB, as Linux's ipfrag_high_thresh;
 *		16 KiB to 32 MiB)
 *
 * A zero field takes the default (masq_limits_default()).
 */
struct masq_limits {
	uint32_t max_conns;
	uint32_t max_neigh;
	uint32_t neigh_queue;
	uint32_t max_routes;
	uint32_t max_mappings;
	uint32_t no_accounting;
	uint64_t seed;
	uint32_t frag_mem;
};

void masq_limits_default(struct masq_limits *lim);

/**
 * struct masq_txq - caller-owned vector of frames to transmit
 * @bufs:	storage for @cap pointers
 * @n:		filled so far; the engine appends, the caller empties
 * @cap:	capacity; when full, the engine drops (counted, "tx_full")
 */
struct masq_txq {
	struct masq_buf **bufs;
	uint32_t n;
	uint32_t cap;
};

/**
 * struct masq_text - control-plane text output (the only place the engine
 * allocates freely); zero it to start
 * @s:		the text, NUL-terminated once anything was appended
 * @len:	bytes of text
 * @cap:	bytes allocated
 * @oom:	an allocation failed: the text is cut short there and ends in
 *		"[output truncated: out of memory]"; whoever passes the text
 *		on must say it is incomplete (masqd: a failed status)
 */
struct masq_text {
	char *s;
	size_t len;
	size_t cap;
	int oom;
};

void masq_text_printf(struct masq_text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void masq_text_append(struct masq_text *t, const char *s, size_t n);
void masq_text_free(struct masq_text *t);

struct masq_engine;

struct masq_engine *masq_engine_create(const struct masq_limits *lim,
				       struct masq_pool *pool);
void masq_engine_destroy(struct masq_engine *e);

/**
 * masq_engine_input() - Walk a batch of received frames
 * @e:		engine
 * @bufs:	frames, each with ->iface and ->meta set
 * @n:		number of frames
 * @now_ns:	current time (any monotonic clock, nanoseconds)
 * @tx:		frames to transmit are appended here
 *
 * Every buffer in @bufs is consumed: it ends in @tx, is held (ARP), or
 * goes back to the pool.
 */
void masq_engine_input(struct masq_engine *e, struct masq_buf **bufs,
		       uint32_t n, uint64_t now_ns, struct masq_txq *tx);

/**
 * masq_engine_advance() - Let time pass: expire state, retry ARP
 * @e:		engine
 * @now_ns:	current time, same clock as masq_engine_input()
 * @tx:		ARP requests are appended here
 *
 * Work per call is bounded; call it once per loop iteration.
 */
void masq_engine_advance(struct masq_engine *e, uint64_t now_ns,
			 struct masq_txq *tx);

/**
 * masq_engine_ctl() - Run one control command (the masqctl language)
 * @e:		engine
 * @argc:	number of words
 * @argv:	words, numeric and canonical (names resolved by the caller)
 * @out:	listing or error text is appended here
 *
 * A command applies whole or not at all.
 * Return: exit status, 0 on success, 2 for a usage error, 1 otherwise
 */
int masq_engine_ctl(struct masq_engine *e, int argc, char *const *argv,
		    struct masq_text *out);

/**
 * masq_engine_verb() - The @i-th verb masq_engine_ctl() runs
 * @i:		from 0
 *
 * Every first word it dispatches, once each: its own commands, the
 * filter's (iptables and the 2.x languages'), ipmasqadm, helper. For
 * masqctl --help's table to be checked against (tests/unit/test_verbs.c)
 * and for the unknown-command message.
 *
 * Return: the verb, or NULL past the last
 */
const char *masq_engine_verb(size_t i);

/*
 * The commands that walk the whole connection table (masq -L, -D, -F,
 * conntrack -L, -F) as cursors, so a full table is listed or flushed in
 * bounded chunks with packets walked between them (src/engine/ctlist.c):
 *
 *	masq_engine_ctl_list(e, argc, argv, &l)   l NULL: not such a command,
 *	                                          use masq_engine_ctl()
 *	while ((st = masq_ctl_list_next(e, l, &text)) == MASQ_CTL_MORE)
 *		send text on; forward packets
 *	masq_ctl_list_free(l)                     st is the exit status
 *
 * A chunk looks at most at 16,384 slots of the table and lists or
 * forgets at most 512 connections: about half a millisecond. A
 * connection present for the whole walk is listed once; one made or
 * forgotten meanwhile may be listed or not (as Linux's netlink dumps).
 * Between two chunks the caller may run any other command or job on the
 * engine and input packets: a walk reads and releases connections only,
 * which no job touches. masq_engine_ctl() runs these commands whole.
 *
 * conntrack -E is such a cursor too, over the table's events instead of
 * its slots (src/engine/ctevent.c): it never ends, and each call gives
 * what happened since the last (masq_ctl_list_live() tells it apart).
 */
#define MASQ_CTL_MORE	(-1)

struct masq_ctl_list;
int masq_engine_ctl_list(struct masq_engine *e, int argc, char *const *argv,
			 struct masq_ctl_list **l);
int masq_ctl_list_next(struct masq_engine *e, struct masq_ctl_list *l,
		       struct masq_text *out);
void masq_ctl_list_free(struct masq_ctl_list *l);
bool masq_ctl_list_live(const struct masq_ctl_list *l);	/* conntrack -E */

/*
 * Ruleset changes as jobs, so a big one (a 10,000-rule iptables-restore)
 * is built off the packet path:
 *
 *	job = masq_engine_ctl_job(e, argc, argv)   main thread; NULL: not a
 *	                                           job, use masq_engine_ctl()
 *	masq_ctl_job_run(job)                      any thread, once: copy,
 *	                                           change, compile
 *	masq_engine_ctl_job_finish(e, job, &text)  main thread: the pointer
 *	                                           swap; the status
 *	masq_ctl_job_free(job)                     any thread: the job and the
 *	                                           ruleset it replaced
 *
 * While a job exists the caller makes no other masq_engine_ctl() call and
 * starts no other job on the engine; packets may go on meanwhile (the
 * counters they move are carried over at the swap).
 */
struct masq_ctl_job;
struct masq_ctl_job *masq_engine_ctl_job(struct masq_engine *e, int argc,
					 char *const *argv);
void masq_ctl_job_run(struct masq_ctl_job *job);
int masq_engine_ctl_job_finish(struct masq_engine *e, struct masq_ctl_job *job,
			       struct masq_text *out);
void masq_ctl_job_free(struct masq_ctl_job *job);
int masq_ctl_job_now(struct masq_engine *e, struct masq_ctl_job *job,
		     struct masq_text *out);	/* run, finish, free */

/*
 * The rule counters as one vector, so masqd --workers N can answer a
 * listing with every engine's counts added (src/engine/fwcount.c): 2
 * counters (packets, bytes) per chain policy and per rule, every table
 * and chain in order. Only with the engine still, and only around a
 * command masq_ctl_reads_rules() takes (one that changes no rule).
 */
size_t masq_engine_rule_counters(struct masq_engine *e, uint64_t *v,
				 size_t cap);
int masq_engine_rule_counters_set(struct masq_engine *e, const uint64_t *v,
				  size_t n);
bool masq_ctl_reads_rules(int argc, char *const *argv);

/*
 * A batch of rule commands as one job (masqd's reload of a -c file with
 * iptables lines): the commands are applied in order to one ruleset made
 * from the default one and the result is compiled once, so N lines cost
 * O(N), where N jobs of one command (a copy and a compile each) cost
 * O(N^2): 3,000 lines took 5.6 s that way.
 *
 *	job = masq_engine_rules_job(e)
 *	masq_ctl_job_add(job, argc, argv)          each command that
 *	                                           masq_ctl_is_rules() takes
 *	masq_ctl_job_run(job)                      any thread, as above
 *	masq_ctl_job_result(job, i, &msg)          each command's status and
 *	                                           message
 *	masq_ctl_job_status(job, &msg)             the whole batch's (a failed
 *	                                           compile too)
 *	masq_engine_ctl_job_finish(e, job, &text)  status 0, and the ruleset
 *	                                           swapped in, only when every
 *	                                           command succeeded
 *	masq_ctl_job_free(job)                     also without a finish (a
 *	                                           check only)
 *
 * The rules of the swapped-in ruleset are new: their counters start from
 * zero, as after "reset rules". The same rule as for other jobs: nothing
 * else changes the engine's configuration while the job exists.
 */
bool masq_ctl_is_rules(int argc, char *const *argv);
struct masq_ctl_job *masq_engine_rules_job(struct masq_engine *e);

/*
 * A batch is a file's rules, as iptables-restore reads one: a table its
 * commands change starts empty (rules and user chains; the built-in
 * chains keep the default ruleset's policies: filter INPUT and FORWARD
 * DROP), the tables it does not change keep the default ruleset's
 * content. After the run: the tables it replaced ("filter nat"), and
 * whether nat still has a MASQUERADE or SNAT. Its words may name services
 * and protocols through @res (NULL: numbers only; never a lookup that
 * can block: masqd's reads local files, src/control/services.c).
 */
struct ipt_resolver;
void masq_ctl_job_set_names(struct masq_ctl_job *j,
			    const struct ipt_resolver *res);
int masq_ctl_job_replaced(const struct masq_ctl_job *j, char *buf,
			  size_t size);
bool masq_ctl_job_masquerades(const struct masq_ctl_job *j);

/*
 * A rules run (`masqctl rules`: a directory of scripts calling iptables,
 * ipchains, ipfwadm and ipmasqadm many times) as one batch kept open: its
 * commands are applied to a shadow as they come, each with its status and
 * listings of the shadow; the end is the batch's run and finish, or a free
 * without finish, which drops it (src/engine/txn.c):
 *
 *	job = masq_engine_rules_txn(e)          shadow: the default ruleset
 *	                                        and a copy of the forwards
 *	masq_ctl_txn_do(job, argc, argv, &out)  each command; -1: not the
 *	                                        run's, run it live
 *	masq_ctl_job_run(job)                   the compile
 *	masq_engine_ctl_job_finish(e, job, &o)  the swap; the forwards too
 *	                                        if the run changed them
 *	masq_ctl_job_free(job)
 *
 * Unlike other jobs, other commands and jobs may run on the engine while
 * the run is open (before masq_ctl_job_run()): the shadow is the run's
 * alone; at the finish it replaces what they did.
 */
struct masq_ctl_job *masq_engine_rules_txn(struct masq_engine *e);
int masq_ctl_txn_do(struct masq_ctl_job *job, int argc, char *const *argv,
		    struct masq_text *out);
int masq_ctl_job_add(struct masq_ctl_job *job, int argc, char *const *argv);
int masq_ctl_job_result(const struct masq_ctl_job *job, size_t i,
			struct masq_text *msg);
int masq_ctl_job_status(const struct masq_ctl_job *job, struct masq_text *msg);

/*
 * Where the filter's LOG target writes: one line per logged packet, in
 * the kernel's format, with its syslog level (0-7). Called on the packet
 * path: the function must not block (masqd's caps its rate).
 */
typedef void (*masq_log_fn)(void *ctx, int level, const char *line);
void masq_engine_set_log(struct masq_engine *e, masq_log_fn fn, void *ctx);

/* Interface index by name, or -1 */
int masq_engine_iface_find(const struct masq_engine *e, const char *name);

/* Number of interfaces (indexes run from 0) and the name of one */
int masq_engine_iface_count(const struct masq_engine *e);
const char *masq_engine_iface_name(const struct masq_engine *e, int index);

/* One counter by name ("rx_frames", "drop_bad_ip_csum", ...), or -1 */
int64_t masq_engine_counter(const struct masq_engine *e, const char *name);

/* Tracked connections now in the table */
uint32_t masq_engine_conn_count(const struct masq_engine *e);

/* Bytes of fragment data reassembly holds (whole chunks), and datagrams */
uint32_t masq_engine_frag_held(const struct masq_engine *e, uint32_t *dgrams);

/*
 * Workers (docs/design.md, "Workers"): n engines, one per core, each
 * owning its connections. Engine k of n gives out only the external
 * ports and ICMP identifiers p with p % n == k (its slice), so a reply
 * is known by its destination port to be worker k's; masq_steer() names
 * the worker that owns any frame, from the frame and a read-only picture
 * of the configuration (struct masq_steer) that masq_engine_steer_conf()
 * takes from an engine. A frame that lands on another worker is handed
 * to its owner through a masq_handoff ring (masq/handoff.h).
 *
 *	masq_engine_set_worker(e[k], k, n)     each engine, before traffic
 *	masq_engine_steer_conf(e[0], n, &st)   after every configuration
 *	                                       change (addresses, forwards,
 *	                                       the host's sockets)
 *	w = masq_steer(&st, buf)               per frame, any thread
 */
#define MASQ_WORKERS_MAX	64
#define MASQ_STEER_ALL		0xffffffffu	/* every worker (ARP) */
#define MASQ_STEER_TARGETS	(1024 + 64)	/* portfw rules + autofw */
#define MASQ_STEER_ADDRS	128		/* 16 interfaces x 8 */

int masq_engine_set_worker(struct masq_engine *e, uint32_t k, uint32_t n);
/* -m recent's lists: every worker holds worker 0's (worker.c), each list
 * keeps @entries addresses (ctl.c); both before any rule names a list */
int masq_engine_share_recent(struct masq_engine *e, struct masq_engine *from);
int masq_engine_set_recent_size(struct masq_engine *e, uint32_t entries);
/* Lines naming the port ranges with no port of this worker's slice */
int masq_engine_slice_gaps(const struct masq_engine *e, struct masq_text *out);

/* An inside endpoint (or port range) a forward sends to (steer.c) */
struct masq_steer_target {
	uint32_t addr;		/* network order; 0: any address */
	uint16_t lo, hi;	/* ports, host order */
	uint8_t proto;		/* IPPROTO_TCP or IPPROTO_UDP */
};

/* One of the router's addresses */
struct masq_steer_addr {
	uint32_t addr, mask;	/* network order */
	uint8_t external;	/* on an interface of role external */
};

/**
 * struct masq_steer - what steering needs of the configuration; filled by
 *	masq_engine_steer_conf(), then only read (by any number of threads)
 * @n:		workers
 * @key:	hash key of the address hashes (the same for every worker)
 * @role:	per interface index: 0 internal, 1 external, 0xff none
 * @naddr:	router addresses in @addrs
 * @addrs:	the router's addresses, with their networks
 * @host_ports:	ports the router host's sockets hold (TCP, UDP), bit p
 * @fwd_ports:	ports forwarded inward on the router's addresses (portfw,
 *		autofw; TCP, UDP), bit p
 * @tgt_ports:	ports of the forwards' inside targets (TCP, UDP), bit p: a
 *		first look before @targets
 * @ntargets:	entries in @targets
 * @targets:	the forwards' inside targets
 */
struct masq_steer {
	uint32_t n;
	uint64_t key;
	uint8_t role[16];
	uint32_t naddr;
	struct masq_steer_addr addrs[MASQ_STEER_ADDRS];
	uint64_t host_ports[2][65536 / 64];
	uint64_t fwd_ports[2][65536 / 64];
	uint64_t tgt_ports[2][65536 / 64];
	uint32_t ntargets;
	struct masq_steer_target targets[MASQ_STEER_TARGETS];
};

int masq_engine_steer_conf(const struct masq_engine *e, uint32_t n,
			   struct masq_steer *s);
uint32_t masq_steer(const struct masq_steer *s, const struct masq_buf *b);
void masq_engine_set_steer(struct masq_engine *e, const struct masq_steer *s);

/*
 * Restarts that keep connections (snapshot.c): the connection table,
 * its mappings and the helpers' expectations as bytes a successor loads.
 *
 *	masq_engine_snapshot(e, &info, &text)   at stop: text.s, text.len
 *	masq_engine_restore(e, data, len, &info) at start, after the
 *	                                         configuration, before traffic
 *	masq_engines_snapshot(es, n, &info, &text)  n workers' engines in one
 *	masq_engine_restore_worker(e, data, len, &info, &steer)  each worker
 *	                                         takes what it owns now
 *	masq_snap_check(data, len, &info)        the header alone: whole, of
 *	                                         this boot and namespace (any
 *	                                         version), and the caller's
 *	                                         flags
 *
 * The file is hostile at load: it is refused whole (info.why says why:
 * another format or masq version, another boot, another network
 * namespace, truncated, corrupt) and the engine is left as it was.
 */
#define MASQ_SNAP_BOOT_ID	40	/* /proc/sys/kernel/random/boot_id */
#define MASQ_SNAP_VERSION	32	/* the masq version string */
#define MASQ_SNAP_HEADER	128	/* the file's header: bytes 0..127 */

/**
 * struct masq_snap_info - what a snapshot is written with, and what a
 *	load found
 * @boot_id:	the kernel's boot id (the caller reads it): a file of
 *		another boot is refused, its clock means nothing here
 * @version:	masq's version: a file of another version is refused
 * @netns_cookie: the network namespace's cookie (SO_NETNS_COOKIE; the
 *		caller reads it, 0 where the kernel has none): a file of
 *		another namespace, which may have had this one's inode
 *		number, is refused
 * @now_ns:	the engine's clock (CLOCK_MONOTONIC) now
 * @flags:	the caller's own word, written in the header and read back
 *		(masqd: MASQD_SNAP_HANDOVER, the stop was a restart's)
 * @written_ns:	load: when the file was written, on that clock
 * @conns:	load: connections restored
 * @maps:	load: mappings restored
 * @expects:	load: expectations restored
 * @autofw:	load: autofw entries whose holder came back
 * @skipped:	load: records dropped (expired; their addresses, ports or
 *		helper gone from this configuration; the table full)
 * @why:	load: why the file was refused (empty when it was not)
 */
struct masq_snap_info {
	char boot_id[MASQ_SNAP_BOOT_ID];
	char version[MASQ_SNAP_VERSION];
	uint64_t netns_cookie;
	uint64_t now_ns;
	uint32_t flags;
	uint64_t written_ns;
	uint32_t conns, maps, expects, autofw, skipped;
	char why[160];
};

int masq_engine_snapshot(const struct masq_engine *e,
			 const struct masq_snap_info *info,
			 struct masq_text *out);
int masq_engine_restore(struct masq_engine *e, const void *data, size_t len,
			struct masq_snap_info *info);
int masq_engines_snapshot(const struct masq_engine *const *e, uint32_t n,
			  const struct masq_snap_info *info,
			  struct masq_text *out);
int masq_engine_restore_worker(struct masq_engine *e, const void *data,
			       size_t len, struct masq_snap_info *info,
			       const struct masq_steer *s);
int masq_snap_check(const void *data, size_t len, struct masq_snap_info *info);

#endif
