/* SPDX-License-Identifier: MIT */
/*
 * ipt.h - the iptables language: rules, chains, tables, and the commands
 *	   that read and change them
 *
 * One library (libipt), shared by masqctl and masqd, so both accept and
 * print exactly the same language. It knows nothing of packets or of the
 * engine: it parses commands into a struct ipt_cmd, applies them to a
 * struct ipt_ruleset, prints rulesets as iptables -S, iptables-save and
 * iptables -L do, and reads iptables-restore text. The engine compiles a
 * published ruleset into its own form (src/engine/fw.c).
 *
 * Names. Parsing takes a resolver: masqctl passes one that looks up host
 * names, service names (/etc/services) and protocol names; masqd passes
 * NULL and then accepts only numeric, canonical arguments (plus the
 * protocol names tcp, udp, icmp and all, the ICMP type names and the state
 * names, which are words of the language, not lookups), so it never
 * blocks. ipt_cmd_format() prints a parsed command back as such canonical
 * words: what masqctl sends.
 *
 * The reference for every printed form is iptables-legacy 1.8.9 (Debian
 * 12): -S and iptables-save print the same text for the same ruleset, and
 * -L the same columns.
 *
 * Addresses, masks and ports are kept in host byte order here (this is a
 * language, not a packet); the engine converts when it compiles.
 */
#ifndef MASQ_IPT_H
#define MASQ_IPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IPT_CHAIN_MAXLEN	28	/* longest chain name, as iptables */
#define IPT_IFNAMSIZ		16	/* with the NUL, as IFNAMSIZ */
#define IPT_MAX_MATCHES		8	/* -m modules (and implicit ones) per rule */
#define IPT_MULTIPORT_MAX	15	/* as xt_multiport */
#define IPT_COMMENT_MAX		256	/* with the NUL, as xt_comment */
#define IPT_MAX_COMMENTS	2	/* -m comment per rule (the text lives
					 * in the rule, not in every match's
					 * union: a rule is half the size) */
#define IPT_LOG_PREFIX_MAX	30	/* with the NUL, as xt_LOG */
#define IPT_SCTP_FLAGS		4	/* chunk types with flags, as xt_sctp */
#define IPT_LIMIT_SCALE		10000	/* limit avg unit: 1/10000 s, as xt_limit */
#define IPT_CT_HELPER_NAMELEN	16	/* with the NUL, as xt_ct_target_info */

/*
 * The raw table (PREROUTING, OUTPUT) is walked before connection
 * tracking; like the kernel's iptable_raw it is "loaded" (printed by
 * iptables-save) from the first command that names it (struct
 * ipt_ruleset's @loaded).
 */
enum ipt_table_id { IPT_FILTER, IPT_NAT, IPT_MANGLE, IPT_RAW, IPT_TABLES };
#define IPT_TABLES_AT_START	((1u << IPT_FILTER) | (1u << IPT_NAT) | \
				 (1u << IPT_MANGLE))

/* Built-in chains; each table has the ones ipt_table_hooks() says */
enum ipt_hook {
	IPT_PREROUTING, IPT_INPUT, IPT_FORWARD, IPT_OUTPUT, IPT_POSTROUTING,
	IPT_HOOKS
};

/* Connection states, as bits (-m state / -m conntrack --ctstate) */
enum ipt_state_bit {
	IPT_ST_INVALID = 1 << 0,
	IPT_ST_ESTABLISHED = 1 << 1,
	IPT_ST_NEW = 1 << 2,
	IPT_ST_RELATED = 1 << 3,
	IPT_ST_UNTRACKED = 1 << 4,
	IPT_ST_SNAT = 1 << 5,		/* --ctstate only */
	IPT_ST_DNAT = 1 << 6,		/* --ctstate only */
};

enum ipt_match_kind {
	IPT_M_TCP,		/* --sport --dport --tcp-flags --syn */
	IPT_M_UDP,		/* --sport --dport */
	IPT_M_ICMP,		/* --icmp-type */
	IPT_M_STATE,		/* --state */
	IPT_M_CONNTRACK,	/* --ctstate --ctproto --ctorigsrc ... (m_conntrack.c) */
	IPT_M_MULTIPORT,	/* --sports --dports --ports */
	IPT_M_MARK,		/* --mark value[/mask] */
	IPT_M_LIMIT,		/* --limit --limit-burst */
	IPT_M_MAC,		/* --mac-source */
	IPT_M_COMMENT,		/* --comment */
	IPT_M_SCTP,		/* --sport --dport (m_ports.c) */
	IPT_M_DCCP,		/* --sport --dport (m_ports.c) */
	IPT_M_ADDRTYPE,		/* --src-type --dst-type --limit-iface-* */
	IPT_M_IPRANGE,		/* --src-range --dst-range */
	IPT_M_PKTTYPE,		/* --pkt-type */
	IPT_M_LENGTH,		/* --length */
	IPT_M_TOS,		/* --tos */
	IPT_M_TTL,		/* --ttl-eq --ttl-gt --ttl-lt */
	IPT_M_HASHLIMIT,	/* --hashlimit-upto/-above ... (m_hashlimit.c) */
	IPT_M_CONNLIMIT,	/* --connlimit-above/-upto ... (m_connlimit.c) */
	IPT_M_RECENT,		/* --set --rcheck --update --remove ... */
	IPT_M_CONNMARK,		/* --mark value[/mask] (m_connmark.c) */
	IPT_M_KINDS
};

struct ipt_portrange {
	uint16_t lo, hi;	/* lo == hi: one port */
};

/* Each field of a match is "given" only when its bit in @set is on */
struct ipt_match {
	uint8_t kind;			/* enum ipt_match_kind */
	uint16_t set;			/* IPT_F_* of the kind, which were given */
	uint16_t inv;			/* the same bits: which were negated (!) */
	union {
		struct {		/* IPT_M_TCP, IPT_M_UDP, IPT_M_SCTP,
					 * IPT_M_DCCP (no flags) */
			struct ipt_portrange sport, dport;
			uint8_t flg_mask, flg_cmp; /* --tcp-flags / --syn */
			uint8_t option;	/* --tcp-option: a TCP option kind */
			uint16_t dccp_types;	/* --dccp-types: bit per type */
			uint8_t chunk_how;	/* --chunk-types: IPT_SCTP_* */
			uint8_t nchunk_flags;	/* entries of chunk_flags[] */
			uint32_t chunks[8];	/* --chunk-types: bit per type */
			struct {		/* DATA:Be: @type's flags & @mask
						 * must be @flags */
				uint8_t type, flags, mask;
			} chunk_flags[IPT_SCTP_FLAGS];
		} l4;
		struct {		/* IPT_M_ICMP: type 255 = "any" */
			uint8_t type, code_lo, code_hi;
		} icmp;
		struct {		/* IPT_M_STATE */
			uint8_t mask;	/* enum ipt_state_bit */
		} state;
		struct {		/* IPT_M_CONNTRACK: IPT_CT_* in set/inv */
			uint8_t state;	/* enum ipt_state_bit */
			uint8_t proto;
			uint8_t status;	/* IPT_CS_* */
			uint8_t pad;
			uint32_t addr[4], mask[4];	/* enum ipt_ct_which */
			struct ipt_portrange port[4];	/* (not masked) */
			uint32_t exp_lo, exp_hi;	/* --ctexpire, s */
		} ct;
		struct {		/* IPT_M_MULTIPORT */
			uint8_t which;	/* IPT_MP_* */
			uint8_t count;
			struct ipt_portrange p[IPT_MULTIPORT_MAX];
		} mp;
		struct {		/* IPT_M_MARK, IPT_M_CONNMARK */
			uint32_t value, mask;
		} mark;
		struct {		/* IPT_M_LIMIT */
			uint32_t avg;	/* 1/IPT_LIMIT_SCALE s between packets */
			uint32_t burst;
		} limit;
		struct {		/* IPT_M_MAC */
			uint8_t addr[6];
		} mac;
		uint8_t comment;	/* IPT_M_COMMENT: its text is the
					 * rule's comments[comment] */
		struct {		/* IPT_M_ADDRTYPE: 1 << IPT_RTN_* */
			uint16_t src, dst;
		} addrtype;
		struct {		/* IPT_M_IPRANGE: host order, lo..hi;
					 * [0] source, [1] destination */
			uint32_t lo[2], hi[2];
		} iprange;
		uint8_t pkttype;	/* IPT_M_PKTTYPE: enum ipt_pkttype */
		struct {		/* IPT_M_LENGTH: IP total length */
			uint16_t lo, hi;
		} length;
		struct {		/* IPT_M_TOS: (tos & mask) == value */
			uint8_t value, mask;
		} tos;
		struct {		/* IPT_M_TTL: "! --ttl-eq" is inv */
			uint8_t mode;	/* enum ipt_ttl_mode */
			uint8_t value;
		} ttl;
		struct {		/* IPT_M_HASHLIMIT: xt_hashlimit's cfg */
			uint64_t avg;	/* packets: 1/10^6 s each; bytes: the
					 * kernel's cost (m_hashlimit.c) */
			uint32_t burst, size, max, gc, expire, interval;
			uint8_t mode;	/* IPT_HL_* */
			uint8_t srcmask, dstmask;
			uint8_t name;	/* its name is the rule's
					 * comments[name] */
		} hl;
		struct {		/* IPT_M_CONNLIMIT */
			uint32_t limit;
			uint8_t plen;	/* the address mask's prefix, 0-32 */
			bool above;	/* count > limit (else <= limit) */
			bool daddr;	/* group by destination, not source */
		} cl;
		struct {		/* IPT_M_RECENT (m_recent.c) */
			uint32_t seconds, hitcount;	/* 0: not given */
			uint32_t mask;	/* host order, default all ones */
			uint8_t flags;	/* IPT_RECENT_* (xt_recent's) */
			uint8_t dest;	/* --rdest (else --rsource) */
			uint8_t name;	/* the rule's comments[name], or
					 * IPT_RECENT_DEFAULT */
		} recent;
	} u;
};

/*
 * A rule holds IPT_MAX_MATCHES of these: a match's own fields stay within
 * 64 bytes (longer text lives in the rule, as the comments do)
 */
_Static_assert(sizeof(((struct ipt_match *)0)->u) <= 64,
	       "a match's fields fit in 64 bytes");

/* IPT_M_TCP / IPT_M_UDP / IPT_M_SCTP / IPT_M_DCCP fields */
#define IPT_F_SPORT	0x01
#define IPT_F_DPORT	0x02
#define IPT_F_TCPFLAGS	0x04
#define IPT_F_TCPOPT	0x08
#define IPT_F_TYPES	0x10	/* -m dccp --dccp-types, -m sctp --chunk-types */
enum ipt_sctp_how { IPT_SCTP_ALL, IPT_SCTP_ANY, IPT_SCTP_ONLY };
/* IPT_M_ICMP, IPT_M_STATE/CONNTRACK, IPT_M_MARK, IPT_M_MAC, IPT_M_MULTIPORT:
 * their one field */
#define IPT_F_VALUE	0x01
/* IPT_M_LIMIT */
#define IPT_F_LIMIT	0x01
#define IPT_F_BURST	0x02
/* IPT_M_ADDRTYPE (IPT_F_LIMIT_IN/OUT: --limit-iface-in/out) and
 * IPT_M_IPRANGE */
#define IPT_F_SRC	0x01
#define IPT_F_DST	0x02
#define IPT_F_LIMIT_IN	0x04
#define IPT_F_LIMIT_OUT	0x08

/* -m addrtype's types: the kernel's route types (RTN_*), in its order */
enum ipt_rtn { IPT_RTN_UNSPEC, IPT_RTN_UNICAST, IPT_RTN_LOCAL,
	       IPT_RTN_BROADCAST, IPT_RTN_ANYCAST, IPT_RTN_MULTICAST,
	       IPT_RTN_BLACKHOLE, IPT_RTN_UNREACHABLE, IPT_RTN_PROHIBIT,
	       IPT_RTN_THROW, IPT_RTN_NAT, IPT_RTN_XRESOLVE, IPT_RTNS };

/* -m pkttype: the kernel's PACKET_* numbers */
enum ipt_pkttype { IPT_PKT_HOST, IPT_PKT_BROADCAST, IPT_PKT_MULTICAST,
		   IPT_PKT_OTHERHOST };

/* -m ttl's comparison and -j TTL's change */
enum ipt_ttl_mode { IPT_TTL_EQ, IPT_TTL_LT, IPT_TTL_GT,	/* -m ttl */
		    IPT_TTL_SET, IPT_TTL_DEC, IPT_TTL_INC };	/* -j TTL */

/* IPT_M_HASHLIMIT's mode, as xt_hashlimit's */
#define IPT_HL_DSTIP	0x01
#define IPT_HL_DSTPORT	0x02
#define IPT_HL_SRCIP	0x04
#define IPT_HL_SRCPORT	0x08
#define IPT_HL_ABOVE	0x10	/* --hashlimit-above (the kernel's INVERT) */
#define IPT_HL_BYTES	0x20	/* a rate in bytes (kb/s, mb/s) */
#define IPT_HL_RATEMATCH 0x40	/* --hashlimit-rate-match */
/* IPT_M_RECENT: its flags, xt_recent's check_set bits (! negates it all) */
#define IPT_RECENT_CHECK	0x01
#define IPT_RECENT_SET		0x02
#define IPT_RECENT_UPDATE	0x04
#define IPT_RECENT_REMOVE	0x08
#define IPT_RECENT_TTL		0x10
#define IPT_RECENT_REAP		0x20
#define IPT_RECENT_NAME_LEN	200	/* with the NUL, as XT_RECENT_NAME_LEN */
#define IPT_RECENT_DEFAULT	0xff	/* no --name: the list "DEFAULT" */
#define IPT_RECENT_HITCOUNT_MAX	255	/* Debian 12's kernel (6.1) refuses
					 * more: XT_RECENT_MAX_NSTAMPS - 1 */

/*
 * IPT_M_CONNTRACK: the options given, as bits of @set (and @inv for the
 * negated ones; for IPT_CT_DIR the inv bit means REPLY, as xt_conntrack
 * keeps it). Addresses and ports by enum ipt_ct_which.
 */
#define IPT_CT_STATE	0x0001
#define IPT_CT_PROTO	0x0002
#define IPT_CT_ADDR(w)	(0x0004 << (w))	/* ORIGSRC .. REPLDST */
#define IPT_CT_PORT(w)	(0x0040 << (w))	/* ORIGSRCPORT .. REPLDSTPORT */
#define IPT_CT_STATUS	0x0400
#define IPT_CT_EXPIRE	0x0800
#define IPT_CT_DIR	0x1000
enum ipt_ct_which { IPT_CT_ORIGSRC, IPT_CT_ORIGDST, IPT_CT_REPLSRC,
		    IPT_CT_REPLDST };
/* --ctstatus bits, as the kernel's IPS_* */
#define IPT_CS_EXPECTED		0x01
#define IPT_CS_SEEN_REPLY	0x02
#define IPT_CS_ASSURED		0x04
#define IPT_CS_CONFIRMED	0x08

enum ipt_multiport_which { IPT_MP_SPORTS, IPT_MP_DPORTS, IPT_MP_PORTS };

enum ipt_target_kind {
	IPT_T_NONE,		/* no -j: the rule only counts */
	IPT_T_ACCEPT,
	IPT_T_DROP,
	IPT_T_RETURN,
	IPT_T_JUMP,		/* -j to a user chain */
	IPT_T_GOTO,		/* -g to a user chain */
	IPT_T_REJECT,
	IPT_T_LOG,
	IPT_T_MARK,
	IPT_T_TCPMSS,
	IPT_T_MASQUERADE,
	IPT_T_SNAT,
	IPT_T_DNAT,
	IPT_T_REDIRECT,
	IPT_T_TOS,		/* --set-tos --and-tos --or-tos --xor-tos */
	IPT_T_TTL,		/* --ttl-set --ttl-dec --ttl-inc */
	IPT_T_NOTRACK,		/* raw: the packet is not tracked */
	IPT_T_CT,		/* raw: --notrack, --helper */
	IPT_T_CONNMARK,		/* t_CONNMARK.c */
	IPT_T_KINDS
};

enum ipt_reject_with {
	IPT_REJ_NET_UNREACH,
	IPT_REJ_HOST_UNREACH,
	IPT_REJ_PORT_UNREACH,	/* the default */
	IPT_REJ_PROTO_UNREACH,
	IPT_REJ_NET_PROHIBITED,
	IPT_REJ_HOST_PROHIBITED,
	IPT_REJ_ADMIN_PROHIBITED,
	IPT_REJ_TCP_RESET,
};

/* IPT_T_LOG flags, as xt_LOG's --log-tcp-sequence etc. */
#define IPT_LOG_TCPSEQ		0x01
#define IPT_LOG_TCPOPT		0x02
#define IPT_LOG_IPOPT		0x04
#define IPT_LOG_UID		0x08
#define IPT_LOG_MACDECODE	0x20

/* IPT_T_MARK: how the mark changes: mark = (mark & ~mask) ^ value */
/* IPT_T_MASQUERADE/SNAT/DNAT/REDIRECT range flags */
#define IPT_NAT_ADDR		0x01	/* an address range was given */
#define IPT_NAT_PORTS		0x02	/* a port range was given */
#define IPT_NAT_RANDOM		0x04
#define IPT_NAT_PERSISTENT	0x08
#define IPT_NAT_RANDOM_FULLY	0x10	/* MASQUERADE, SNAT */
#define IPT_NAT_OFFSET		0x20	/* a shifted port range p-q/base:
					 * DNAT keeps @port_base; SNAT and
					 * MASQUERADE take it with base 0, as
					 * their kernel revision does */

struct ipt_target {
	uint8_t kind;			/* enum ipt_target_kind */
	char chain[IPT_CHAIN_MAXLEN + 1];	/* IPT_T_JUMP, IPT_T_GOTO */
	union {
		uint8_t reject_with;	/* enum ipt_reject_with */
		struct {
			uint8_t level;	/* syslog level, default 4 (warning) */
			uint8_t flags;	/* IPT_LOG_* */
			char prefix[IPT_LOG_PREFIX_MAX];
		} log;
		struct {		/* --set-mark v[/m], --set-xmark v/m, ... */
			uint32_t value, mask;
			uint8_t how;	/* IPT_MARK_* (how it was written) */
		} mark;
		struct {
			uint16_t mss;	/* 0: --clamp-mss-to-pmtu */
		} tcpmss;
		struct {		/* IPT_T_CONNMARK, as xt_connmark_tginfo1 */
			uint32_t ctmark, ctmask, nfmask;
			uint8_t mode;	/* enum ipt_connmark_mode */
		} connmark;
		struct {		/* MASQUERADE --to-ports, SNAT, DNAT,
					 * REDIRECT --to-ports */
			uint8_t flags;	/* IPT_NAT_* */
			uint32_t addr_lo, addr_hi;
			uint16_t port_lo, port_hi;
			uint16_t port_base;	/* IPT_NAT_OFFSET */
		} nat;
		struct {		/* TOS: tos = (tos & ~mask) ^ value */
			uint8_t value, mask;
		} tos;
		struct {		/* TTL */
			uint8_t mode;	/* IPT_TTL_SET, _DEC, _INC */
			uint8_t value;
		} ttl;
		struct {		/* IPT_T_CT */
			uint8_t flags;	/* IPT_CT_* */
			uint8_t helper;	/* enum ipt_ct_helper; IPT_CT_HELPERS:
					 * one masq has not (refused when the
					 * table is checked, as the kernel) */
			char name[IPT_CT_HELPER_NAMELEN]; /* --helper's */
		} ct;
	} u;
};

_Static_assert(sizeof(((struct ipt_target *)0)->u) <= 32,
	       "a target's fields fit in 32 bytes");

/* IPT_T_CT: what it was given */
#define IPT_CT_NOTRACK		0x01	/* --notrack */
#define IPT_CT_HELPER		0x02	/* --helper NAME */
#define IPT_CT_TIMEOUT		0x04	/* --timeout NAME: refused when the
					 * table is checked (no policies) */
/* IPT_T_CT --helper: the helpers masq has (src/engine/alg.h's order) */
enum ipt_ct_helper { IPT_CT_HELPER_NONE, IPT_CT_HELPER_FTP, IPT_CT_HELPER_IRC,
		     IPT_CT_HELPER_TFTP, IPT_CT_HELPERS };
/*
 * CONNMARK: SET: ctmark = (ctmark & ~ctmask) ^ value; SAVE: ctmark =
 * (ctmark & ~ctmask) ^ (mark & nfmask); RESTORE: mark = (mark & ~nfmask)
 * ^ (ctmark & ctmask)
 */
enum ipt_connmark_mode { IPT_CONNMARK_SET, IPT_CONNMARK_SAVE,
			 IPT_CONNMARK_RESTORE };

enum ipt_mark_how { IPT_MARK_SET, IPT_MARK_XSET, IPT_MARK_AND, IPT_MARK_OR,
		    IPT_MARK_XOR };

/* The fields every rule has (struct ipt_entry's ipt_ip), then its matches */
#define IPT_INV_SRC	0x01
#define IPT_INV_DST	0x02
#define IPT_INV_IN	0x04
#define IPT_INV_OUT	0x08
#define IPT_INV_PROTO	0x10
#define IPT_INV_FRAG	0x20

/*
 * The 2.0 and 2.2 languages (ipfwadm, ipchains: lang.h) write their rules
 * into this same model, with what iptables says in matches and targets
 * said here instead, as their kernels kept it in the rule itself. A rule
 * made by iptables has all of it zero. The interface a 2.x rule names is
 * its @in (with IPT_INV_IN for "!"): the arrival interface in the input
 * chain and for accounting in, the way out in forward, output and
 * accounting out (2.2's "-i", 2.0's "-W").
 */
#define IPT_LG_PORTS_MAX	10	/* ipfwadm's IP_FW_MAX_PORTS: source and
					 * destination ports together */

#define IPT_LG_LOG	0x0001	/* ipchains -l, ipfwadm -o: log a match */
#define IPT_LG_MARK	0x0002	/* ipchains -m: a match sets the mark @mark */
#define IPT_LG_TOS	0x0004	/* -t AND XOR: a match sets the TOS to
				 * (tos & tos_and) ^ tos_xor */
#define IPT_LG_SYN	0x0008	/* -y: a connection request (ipchains: SYN
				 * set, ACK and FIN clear; ipfwadm: SYN
				 * set, ACK clear) */
#define IPT_LG_SYN_INV	0x0010	/* ipchains "! -y" */
#define IPT_LG_ACK	0x0020	/* ipfwadm -k: ACK set */
#define IPT_LG_SP_INV	0x0040	/* "!" before the source ports */
#define IPT_LG_DP_INV	0x0080	/* "!" before the destination ports */
#define IPT_LG_BIDIR	0x0100	/* ipfwadm -b: either way (ipchains' -b
				 * makes two rules instead) */
#define IPT_LG_VIA	0x0200	/* ipfwadm -V: the interface with address
				 * @via */
#define IPT_LG_ACCT_IN	0x0400	/* ipfwadm -A in (both: IN and OUT) */
#define IPT_LG_ACCT_OUT	0x0800	/* ipfwadm -A out */
#define IPT_LG_NETLINK	0x1000	/* ipchains -o [size]: kept and listed */

struct ipt_legacy {
	uint16_t flags;			/* IPT_LG_* */
	uint8_t nsp, ndp;		/* ports given: 0 is any. For ICMP the
					 * source "ports" are types and the
					 * destination ones codes */
	struct ipt_portrange sp[IPT_LG_PORTS_MAX], dp[IPT_LG_PORTS_MAX];
	uint8_t tos_and, tos_xor;	/* IPT_LG_TOS */
	uint16_t outsize;		/* IPT_LG_NETLINK: bytes, 0 all */
	uint32_t mark;			/* IPT_LG_MARK */
	uint32_t via;			/* IPT_LG_VIA: an address, host order */
};

struct ipt_rule {
	uint32_t src, smsk;		/* smsk 0: any source */
	uint32_t dst, dmsk;
	char in[IPT_IFNAMSIZ];		/* "" any; "eth+" a prefix */
	char out[IPT_IFNAMSIZ];
	uint8_t proto;			/* 0: all */
	bool frag;			/* -f (IPT_INV_FRAG: ! -f) */
	uint8_t inv;			/* IPT_INV_* */
	uint8_t nmatch;
	uint8_t ncomments;
	struct ipt_match m[IPT_MAX_MATCHES];	/* in the order given */
	char comments[IPT_MAX_COMMENTS][IPT_COMMENT_MAX];
	struct ipt_target t;
	struct ipt_legacy lg;		/* ipchains and ipfwadm rules only */
	uint64_t pkts, bytes;		/* counters: ipt_ctr_add() */
	uint64_t id;			/* the user's (the engine's) identity
					 * of the rule: copies keep it, the
					 * parser leaves it 0; not compared */
};

/*
 * Counters (a rule's pkts and bytes, a chain's pol_pkts and pol_bytes).
 * The engine's packet thread moves those of the published ruleset while a
 * ruleset job's worker copies them (src/engine/fwctl.c). The packet
 * thread is their only writer then, so an add is a relaxed atomic load
 * and store, not a locked read-modify-write: on x86-64 both are the plain
 * moves a `+=` makes. Every read that may meet it is a relaxed atomic load
 * (ipt_ruleset_copy()): no data race, no torn value on any target. A
 * reader on the packet thread itself, or of a copy, may read plainly.
 */
static inline uint64_t ipt_ctr_get(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/* Add @v to counter @c: only from the one thread that writes it */
static inline void ipt_ctr_add(uint64_t *c, uint64_t v)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + v,
			 __ATOMIC_RELAXED);
}

/* The text of comment match @m of rule @r */
static inline const char *ipt_comment(const struct ipt_rule *r,
				      const struct ipt_match *m)
{
	return r->comments[m->u.comment < IPT_MAX_COMMENTS ? m->u.comment : 0];
}

/* The list recent match @m of rule @r names ("DEFAULT" when none) */
static inline const char *ipt_recent_name(const struct ipt_rule *r,
					  const struct ipt_match *m)
{
	return m->u.recent.name < IPT_MAX_COMMENTS ?
	       r->comments[m->u.recent.name] : "DEFAULT";
}

enum ipt_policy { IPT_POL_ACCEPT, IPT_POL_DROP, IPT_POL_NONE /* user chain */,
		  IPT_POL_REJECT,	/* ipchains, ipfwadm: answer, drop */
		  IPT_POL_MASQ };	/* ipchains, ipfwadm: forward only */

struct ipt_chain {
	char name[IPT_CHAIN_MAXLEN + 1];
	int8_t hook;			/* enum ipt_hook, or -1: a user chain */
	uint8_t policy;			/* enum ipt_policy */
	uint64_t pol_pkts, pol_bytes;	/* the policy's: ipt_ctr_add() */
	uint32_t nrules, cap;
	struct ipt_rule *rules;
	uint32_t refs;			/* rules that jump here */
};

/*
 * A table: its built-in chains first, in hook order, then the user chains
 * sorted by name (the order iptables-save and -L print them in).
 */
struct ipt_table {
	uint32_t nchains, cap;
	struct ipt_chain *chains;
};

/*
 * The language a ruleset is written in (lang.h). An ipchains or ipfwadm
 * ruleset keeps its chains in the filter table: the built-in "input",
 * "forward" and "output" (hooks IPT_INPUT, IPT_FORWARD, IPT_OUTPUT), the
 * user chains (ipchains) and, for ipfwadm, the accounting rules in a chain
 * named "acct" (hook -1, no policy, IPT_LG_ACCT_* on each rule); its nat
 * and mangle tables stay empty.
 */
enum ipt_lang { IPT_LANG_IPTABLES, IPT_LANG_IPCHAINS, IPT_LANG_IPFWADM,
		IPT_LANGS };

struct ipt_ruleset {
	struct ipt_table t[IPT_TABLES];
	uint8_t lang;			/* enum ipt_lang */
	uint8_t loaded;			/* 1 << table: the ones iptables-save
					 * prints (IPT_TABLES_AT_START, and
					 * raw once a command named it) */
};

/* ---- commands ------------------------------------------------------------ */

enum ipt_op {
	IPT_OP_APPEND,		/* -A chain rule */
	IPT_OP_INSERT,		/* -I chain [n] rule */
	IPT_OP_DELETE,		/* -D chain rule */
	IPT_OP_DELETE_NUM,	/* -D chain n */
	IPT_OP_REPLACE,		/* -R chain n rule */
	IPT_OP_CHECK,		/* -C chain rule */
	IPT_OP_LIST,		/* -L [chain] (with -Z: list, then zero) */
	IPT_OP_LIST_RULES,	/* -S [chain [n]] */
	IPT_OP_FLUSH,		/* -F [chain] */
	IPT_OP_ZERO,		/* -Z [chain [n]] */
	IPT_OP_NEW_CHAIN,	/* -N chain */
	IPT_OP_DELETE_CHAIN,	/* -X [chain] */
	IPT_OP_RENAME_CHAIN,	/* -E old new */
	IPT_OP_POLICY,		/* -P chain target */
};

/* -L/-S options */
#define IPT_OPT_NUMERIC		0x01	/* -n */
#define IPT_OPT_VERBOSE		0x02	/* -v */
#define IPT_OPT_EXACT		0x04	/* -x */
#define IPT_OPT_LINENUMBERS	0x08	/* --line-numbers */
#define IPT_OPT_ZERO		0x10	/* -L -Z */
#define IPT_OPT_COUNTERS	0x20	/* -c PKTS BYTES was given */

struct ipt_cmd {
	uint8_t op;			/* enum ipt_op */
	uint8_t table;			/* enum ipt_table_id; -t, default filter */
	uint8_t opts;			/* IPT_OPT_* */
	uint8_t policy;			/* IPT_OP_POLICY */
	char chain[IPT_CHAIN_MAXLEN + 1];	/* "" when none was named */
	char chain2[IPT_CHAIN_MAXLEN + 1];	/* -E's new name */
	uint32_t rulenum;		/* 1-based; 0 when none was given */
	struct ipt_rule rule;
	/*
	 * -s/-d with a host name that resolved to several addresses: one rule
	 * each, as iptables does (the rule's own src/dst is the first).
	 */
	uint32_t nsrc, ndst;
	uint32_t srcs[8], dsts[8];
	uint32_t smsks[8], dmsks[8];	/* each address's own mask */
};

/* An error: the message names the option, chain, address or line */
struct ipt_err {
	char msg[256];
};

/*
 * Name lookups for masqctl; NULL members (or a NULL resolver) mean "no
 * names": only numbers and the language's own words are accepted.
 * Each returns 0, or -1 when the name is unknown.
 */
struct ipt_resolver {
	/* host name -> up to @max IPv4 addresses (host order); returns the
	 * count, or -1 */
	int (*host)(const char *name, uint32_t *addrs, int max);
	int (*service)(const char *name, const char *proto, uint16_t *port);
	int (*proto)(const char *name, uint8_t *proto);
	/* for -L without -n: address -> host name, port -> service name;
	 * return 0 and fill @buf, or -1 to print the number */
	int (*host_name)(uint32_t addr, char *buf, size_t len);
	int (*service_name)(uint16_t port, const char *proto, char *buf,
			    size_t len);
};

/* The resolver masqctl uses (resolve.c): the C library's lookups */
extern const struct ipt_resolver ipt_system_resolver;

/* A growing text buffer for listings and saves */
struct ipt_text {
	char *s;
	size_t len, cap;
	bool oom;		/* an allocation failed: the text is short */
};

void ipt_text_printf(struct ipt_text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ipt_text_free(struct ipt_text *t);

/* ---- parse.c ------------------------------------------------------------- */

/**
 * ipt_parse() - Parse the words of one iptables command
 * @argc, @argv:	the words after "iptables" (argv[0] is the first
 *			option, not the program name)
 * @res:		name lookups, or NULL for numeric words only
 * @cmd:		filled on success
 * @err:		the reason on failure
 *
 * Options in any order (-j may come before the matches); -w/-W and their
 * values are accepted and ignored. Matches and targets masq does not
 * support are errors that name them.
 * Return: 0, or -1 with @err set
 */
int ipt_parse(int argc, char *const *argv, const struct ipt_resolver *res,
	      struct ipt_cmd *cmd, struct ipt_err *err);

/**
 * ipt_cmd_format() - The canonical words of a parsed command
 * @cmd:	as ipt_parse() made it
 * @out:	words appended as one line, separated by single spaces and
 *		quoted as iptables-save quotes (so ipt_split() reads them back)
 *
 * Numeric and name-free: what masqctl sends to masqd, which parses it
 * again with no resolver. One command per source/destination address.
 */
void ipt_cmd_format(const struct ipt_cmd *cmd, struct ipt_text *out);

/**
 * ipt_split() - Split a line into words as a shell would for iptables-save
 * text: spaces separate, "double quotes" group (with \" and \\ inside)
 * Return: the word count, or -1 with @err set (unbalanced quote, too many)
 */
int ipt_split(const char *line, char **words, int max, char *store,
	      size_t store_len, struct ipt_err *err);

/* ---- tablename.c ----------------------------------------------------------- */

/* "filter", "nat", "mangle", "raw" ("?" past the last); -1: unknown */
const char *ipt_table_name(enum ipt_table_id t);
int ipt_table_by_name(const char *name);

/* ---- ruleset.c ------------------------------------------------------------- */

/* A ruleset with every table's built-in chains, empty, policies ACCEPT */
struct ipt_ruleset *ipt_ruleset_new(void);
struct ipt_ruleset *ipt_ruleset_copy(const struct ipt_ruleset *rs);
void ipt_ruleset_free(struct ipt_ruleset *rs);
/* Copy one table into @dst (replacing it); 0 or -1 (no memory) */
int ipt_table_copy(struct ipt_table *dst, const struct ipt_table *src);
void ipt_table_free(struct ipt_table *t);

const char *ipt_hook_name(enum ipt_hook h);
/* Does table @t have built-in chain @h? */
bool ipt_table_has_hook(enum ipt_table_id t, enum ipt_hook h);

struct ipt_chain *ipt_chain_find(struct ipt_table *t, const char *name);

/**
 * ipt_exec() - Apply a parsed command to a ruleset
 * @rs:		the ruleset, changed in place only on success (a failing
 *		command changes nothing)
 * @cmd:	the command
 * @out:	listings (-L, -S) and -C's answer go here
 * @err:	the reason on failure
 * Return: 0; 1 for -C when the rule is not there (iptables' exit 1, with
 * @err saying so); -1 on error (what the kernel refuses: iptables' exit
 * 1); IPT_EXEC_USAGE when iptables itself would have refused the command
 * (its exit 2: a target it cannot load, DROP in nat)
 */
#define IPT_EXEC_USAGE	(-2)
int ipt_exec(struct ipt_ruleset *rs, const struct ipt_cmd *cmd,
	     const struct ipt_resolver *res, struct ipt_text *out,
	     struct ipt_err *err);

/* Do two rules match the same packets and do the same (for -D and -C)? */
bool ipt_rule_equal(const struct ipt_rule *a, const struct ipt_rule *b);

/* ---- ifname.c: "" any, "eth+" a prefix, else the whole name ---------- */

bool ipt_ifname_matches(const char *pat, const char *name);

/* ---- print.c ------------------------------------------------------------- */

/*
 * The protocol name -S, iptables-save and -L print for a number: Debian
 * 12's /etc/protocols, built in (no lookups), "all" for 0; NULL: the
 * reference prints the number. (Added by print.c's author so that
 * parse.c can read back, with no resolver, every name print.c writes.)
 */
const char *ipt_proto_name(uint8_t proto);

/* One rule as -S and iptables-save print it, after "-A CHAIN " */
void ipt_print_rule(const struct ipt_rule *r, struct ipt_text *out);

/* iptables -S [chain [n]] (chain NULL: all) */
int ipt_print_S(const struct ipt_table *t, const char *chain,
		uint32_t rulenum, bool counters, struct ipt_text *out,
		struct ipt_err *err);

/* iptables -L [chain] with IPT_OPT_* (names through @res unless -n) */
int ipt_print_L(const struct ipt_table *t, const char *chain, unsigned opts,
		const struct ipt_resolver *res, struct ipt_text *out,
		struct ipt_err *err);

/*
 * iptables-save: the tables in the order raw, nat, mangle, filter as
 * iptables-save prints the loaded ones (@mask: 1 << table, which to print),
 * with [packets:bytes] counters when @counters. @stamp: the "# Generated
 * by" lines' time text, or NULL to leave those lines out.
 */
void ipt_save(const struct ipt_ruleset *rs, unsigned mask, bool counters,
	      const char *stamp, struct ipt_text *out);

/* ---- restore.c ----------------------------------------------------------- */

#define IPT_RESTORE_NOFLUSH	0x01	/* --noflush: add to what is there */
#define IPT_RESTORE_COUNTERS	0x02	/* -c: take [p:b] counters */
#define IPT_RESTORE_TEST	0x04	/* --test: parse only */

/**
 * ipt_restore() - Apply iptables-save text to a ruleset
 * @rs:		changed only if the whole text parses and applies
 * @text:	the text (NUL-terminated)
 * @flags:	IPT_RESTORE_*
 * @res:	name lookups (masqctl --test) or NULL
 * @err:	"line N: reason" on failure
 * Return: 0, or -1 with nothing changed
 */
int ipt_restore(struct ipt_ruleset *rs, const char *text, unsigned flags,
		const struct ipt_resolver *res, struct ipt_err *err);

/* ---- help.c -------------------------------------------------------------- */

/* The lists of names the language has, for help and its manual */
enum ipt_names {
	IPT_NAMES_OPTIONS,	/* iptables' own options, by long name */
	IPT_NAMES_MATCHES,	/* -m NAME */
	IPT_NAMES_TARGETS,	/* -j NAME (the targets masq has) */
	IPT_NAMES_REFUSED,	/* -j NAME iptables has and masq refuses */
};

/**
 * ipt_name_at() - The @i-th name of a list
 * @list:	which
 * @i:		from 0
 * @letter:	set to an option's short name (0: none; 0 for the others)
 *
 * Return: the name, or NULL past the end of the list
 */
const char *ipt_name_at(enum ipt_names list, unsigned i, char *letter);

/**
 * ipt_ext_opt_at() - The @j-th long option of a match or target
 * @target:	a -j target's, else a -m match's
 * @name:	its name
 * @j:		from 0
 * @refused:	set when masq refuses the option by name
 *
 * Return: the option's name without "--", or NULL past the end (or for
 * an unknown @name)
 */
const char *ipt_ext_opt_at(bool target, const char *name, unsigned j,
			   bool *refused);

/**
 * ipt_help() - What "iptables ... -h" prints
 * @argc, @argv:	the words after "iptables"
 * @out:		the text, from the line after the version line:
 *			usage, options, the matches and targets masq has,
 *			then the help of the target (-j) and the matches
 *			(-m, else -p's) named before -h, as iptables does
 * @err:		the reason on failure
 *
 * Return: 0 with @out filled; 1 when no word is -h or --help (not a help
 * request); -1 with @err set for a -m before -h that names no match masq
 * has (iptables' "Couldn't load match", exit status 2)
 */
int ipt_help(int argc, char *const *argv, struct ipt_text *out,
	     struct ipt_err *err);

#endif
