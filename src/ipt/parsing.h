/* SPDX-License-Identifier: MIT */
/*
 * parsing.h - the iptables parser's insides, shared by its files
 *
 * The parser is split by concern: parse.c walks the words (commands, base
 * options, the option lookup) and checks the whole; parse_word.c reads the
 * values (numbers, addresses, ports, names of the language) and holds
 * fail(), so it calls nothing above it;
 * parse_match.c and parse_target.c hold the extensions (ext.h) and their
 * options; format.c writes a parsed command back as canonical words.
 * Internal to libipt.
 */
#ifndef MASQ_IPT_PARSING_H
#define MASQ_IPT_PARSING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipt/ext.h"
#include "ipt/ipt.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define OWNER_BASE	(-3)	/* a base option */
#define OWNER_IMPLICIT	(-2)	/* the -p protocol's match, not loaded yet */
#define OWNER_TARGET	(-1)	/* the -j target */

/* Base options given (for "given twice" and the per-command check) */
enum given_bit {
	G_SRC = 1 << 0, G_DST = 1 << 1, G_PROTO = 1 << 2, G_IN = 1 << 3,
	G_OUT = 1 << 4, G_FRAG = 1 << 5, G_JUMP = 1 << 6, G_MATCH = 1 << 7,
	G_NUMERIC = 1 << 8, G_EXACT = 1 << 9, G_LINENUM = 1 << 10,
	G_COUNTERS = 1 << 11, G_VERBOSE = 1 << 12,
};
#define G_RULE	(G_SRC | G_DST | G_PROTO | G_IN | G_OUT | G_FRAG | G_JUMP | \
		 G_MATCH)

/**
 * struct parse - one command being read
 * @res:	name lookups, or NULL
 * @cmd:	what is being filled
 * @err:	where the reason goes
 * @argc, @argv:	the words; @next is the next one to read
 * @inv:	a "!" was read and no option took it yet
 * @have_cmd:	a command option was given; @cmd_show its spelling
 * @given:	G_* bits
 * @nload:	extensions loaded, in order: match index or OWNER_TARGET
 * @mseen:	per match, bit (1 << option id) of options already given
 * @tseen:	the same for the target
 * @have_target:	-j or -g was given
 */
struct parse {
	const struct ipt_resolver *res;
	struct ipt_cmd *cmd;
	struct ipt_err *err;
	int argc;
	char *const *argv;
	int next;
	bool inv;
	bool have_cmd;
	const char *cmd_show;
	unsigned given;
	int nload;
	int8_t load[IPT_MAX_MATCHES + 1];
	uint32_t mseen[IPT_MAX_MATCHES];
	uint32_t tseen;
	bool have_target;
};

/* ---- parse.c ---------------------------------------------------------------- */

bool op_takes_rule(uint8_t op);
int proto_parse(struct parse *p, const char *w, uint8_t *proto);
/* A blank as ipt_split() reads one */
bool is_blank(char c);

/* ---- parse_word.c ----------------------------------------------------------- */

/* Fill @p->err and fail (return -1); control characters become '?' */
int fail(struct parse *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

bool num_parse(const char *s, uint64_t max, uint64_t *out);
bool u32_parse(const char *s, uint32_t max, uint32_t *out);
bool piece(const char *s, size_t len, char *buf, size_t size);
bool ip_parse(const char *s, int need, uint32_t *out);
/* "/24", "/0x18", "/255.255.0.0" (any bits): the text after the '/' */
bool mask_parse(const char *s, uint32_t *mask);
bool mask_is_prefix(uint32_t mask, int *len);
int plen_parse(struct parse *p, const char *show, const char *arg,
	       uint8_t *plen);
int addr_list_parse(struct parse *p, const char *show, const char *arg,
		    uint32_t *addrs, uint32_t *n, uint32_t *masks);
bool name_in(const char *name, const char *const *list, size_t n);
bool is_target_name(const char *name);
bool has_blank(const char *s);
int chain_copy(struct parse *p, const char *show, const char *name,
	       char out[IPT_CHAIN_MAXLEN + 1]);
int iface_parse(struct parse *p, const char *show, const char *arg,
		char out[IPT_IFNAMSIZ]);
const char *proto_name_for(uint8_t proto);
bool port_parse(struct parse *p, const char *s, const char *proto,
		uint16_t *port);
int port_range_parse(struct parse *p, const char *show, const char *arg,
		     const char *proto, struct ipt_portrange *r);
int icmp_type_parse(struct parse *p, const char *arg, struct ipt_match *m);
int state_list_parse(struct parse *p, const char *show, const char *arg,
		     uint8_t allowed, uint8_t *mask);
int tcp_flags_parse(struct parse *p, const char *arg, uint8_t *bits);
int mark_parse(struct parse *p, const char *show, const char *arg,
	       bool mask_ok, uint32_t *value, uint32_t *mask);
int limit_rate_parse(struct parse *p, const char *arg, uint32_t *avg);
int mac_parse(struct parse *p, const char *arg, uint8_t mac[6]);
int text_copy(struct parse *p, const char *show, const char *arg,
	      char *out, size_t size);

/* The words of the language, in the order iptables prints them */
struct icmp_name {
	const char *name;
	uint8_t type, code_lo, code_hi;
};
struct reject_name {
	const char *name, *alias;
	uint8_t with;
};
struct log_level_name {
	const char *name;
	uint8_t level;
};
struct state_name {
	const char *name;
	uint8_t bit;
};
struct tcp_flag_name {
	const char *name;
	uint8_t bit;
};
struct limit_unit {
	const char *name, *show;
	uint32_t secs;
};
extern const struct icmp_name icmp_names[40];
extern const struct reject_name reject_names[8];
extern const struct log_level_name log_levels[9];
extern const struct state_name state_names[7];
extern const struct tcp_flag_name tcp_flag_names[6];
extern const struct limit_unit limit_units[4];

#define TCP_FLAGS_ALL	0x3f
#define TCP_SYN_MASK	0x17	/* --syn: FIN,SYN,RST,ACK */
#define TCP_SYN		0x02

/* ---- parse_match.c, parse_target.c ------------------------------------------ */

bool proto_is(const struct parse *p, uint8_t proto);
/* The match -p implies (tcp, udp, icmp, sctp, dccp), if none of that kind is loaded */
int implicit_kind(const struct parse *p);
/* A new match of @kind at the end of the rule, with iptables' defaults */
struct ipt_match *match_add(struct parse *p, uint8_t kind);
int target_kind_by_name(const char *name);
/* The @i-th target masq refuses by name (NULL past the end), for help.c */
const char *refused_target_at(size_t i);
/* The @i-th base option's long name (NULL past the end) and letter (0:
 * none), for help.c */
const char *base_opt_at(size_t i, char *letter);
int mark_opt(struct parse *p, struct ipt_match *m, const struct ext_opt *o,
	     const char *const *a);

/* m_tos.c: a TOS "value[/mask]" or name (-m tos, -j TOS), and its name */
int tos_parse(struct parse *p, const char *show, const char *arg,
	      uint8_t *value, uint8_t *mask);
const char *tos_name(uint8_t value, uint8_t mask);

#endif
