// SPDX-License-Identifier: MIT
/*
 * ctfilter.c - the conntrack command line (conntrack-tools 1.4.7's
 *		options, messages and rules), parsed into a struct
 *		ct_cmdline
 *
 * masqctl parses `conntrack ...` here first, so a bad option or value
 * gets conntrack's own message and exit status 2 without masqd; masqd
 * parses the same words again before a walk (src/engine/ctlist.c
 * applies the filter in its bounded chunks). What conntrack does and
 * masq follows:
 *   - one command: -L/--dump, -D/--delete, -G/--get, -F/--flush,
 *     -C/--count, -E/--event; a second is "Invalid commands combination";
 *     an optional table word after it ("conntrack", "expect");
 *   - -s/-d/-r/-q take an IPv4 address as inet_aton() reads it (127.1
 *     is 127.0.0.1, as conntrack takes it; no host names);
 *   - the protocol's own options exist only after -p names it: --sport
 *     before -p tcp, or with -p icmp, is "unknown option";
 *   - -C and -F take no filter ("Illegal option `--protonum' with this
 *     command"); -G needs the whole tuple.
 * Where masq is stricter: a port, ICMP value or mark that is not a
 * number in range is refused (conntrack reads "x" as 0 and 70000 as
 * 4464); -o takes only "json" (masq's own format; conntrack's xml and
 * extended are not made); -E takes no filter. A value is last one wins.
 *
 * No allocation; the words are only read. Fuzzed by fuzz/fuzz_ctfilter.c.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "ipt/words.h"
#include "masq/ctfilter.h"

enum ctf_kind { K_CMD, K_ADDR, K_PROTO, K_PORT, K_STATE, K_MARK, K_U8,
		K_U16, K_OUTPUT, K_NUM };

/* What a protocol's own option needs -p to have named */
enum ctf_needs { N_ANY, N_PORTS, N_TCP, N_ICMP };

/**
 * struct ctf_opt - one option
 * @names:	its spellings, NULL-ended
 * @canon:	its name in conntrack's "Illegal option" message
 * @kind:	what its value is (K_CMD: a command, no value)
 * @bit:	the CTF_* bit it sets (K_CMD: the command's letter)
 * @needs:	the protocol -p must have named before it
 */
struct ctf_opt {
	const char *names[4];
	const char *canon;
	enum ctf_kind kind;
	uint32_t bit;
	enum ctf_needs needs;
};

static const struct ctf_opt ctf_opts[] = {
	{ { "-L", "--dump" }, "--dump", K_CMD, 'L', N_ANY },
	{ { "-D", "--delete" }, "--delete", K_CMD, 'D', N_ANY },
	{ { "-G", "--get" }, "--get", K_CMD, 'G', N_ANY },
	{ { "-F", "--flush" }, "--flush", K_CMD, 'F', N_ANY },
	{ { "-C", "--count" }, "--count", K_CMD, 'C', N_ANY },
	{ { "-E", "--event" }, "--event", K_CMD, 'E', N_ANY },
	{ { "-s", "--src", "--orig-src" }, "--src", K_ADDR, CTF_SRC, N_ANY },
	{ { "-d", "--dst", "--orig-dst" }, "--dst", K_ADDR, CTF_DST, N_ANY },
	{ { "-r", "--reply-src" }, "--reply-src", K_ADDR, CTF_RSRC, N_ANY },
	{ { "-q", "--reply-dst" }, "--reply-dst", K_ADDR, CTF_RDST, N_ANY },
	{ { "-p", "--protonum" }, "--protonum", K_PROTO, CTF_PROTO, N_ANY },
	{ { "-m", "--mark" }, "--mark", K_MARK, CTF_MARK, N_ANY },
	{ { "-o", "--output" }, "--output", K_OUTPUT, 0, N_ANY },
	{ { "--sport", "--orig-port-src" }, "--sport", K_PORT, CTF_SPORT, N_PORTS },
	{ { "--dport", "--orig-port-dst" }, "--dport", K_PORT, CTF_DPORT, N_PORTS },
	{ { "--reply-port-src" }, "--reply-port-src", K_PORT, CTF_RSPORT, N_PORTS },
	{ { "--reply-port-dst" }, "--reply-port-dst", K_PORT, CTF_RDPORT, N_PORTS },
	{ { "--state" }, "--state", K_STATE, CTF_STATE, N_TCP },
	{ { "--icmp-type" }, "--icmp-type", K_U8, CTF_ICMP_TYPE, N_ICMP },
	{ { "--icmp-code" }, "--icmp-code", K_U8, CTF_ICMP_CODE, N_ICMP },
	{ { "--icmp-id" }, "--icmp-id", K_U16, CTF_ICMP_ID, N_ICMP },
};

/* The protocol names conntrack knows (with /etc/protocols' usual ones) */
static const struct {
	const char *name;
	uint8_t num;
} ctf_protos[] = {
	{ "ip", 0 },	{ "icmp", 1 },	{ "igmp", 2 },	{ "ipip", 4 },
	{ "tcp", 6 },	{ "udp", 17 },	{ "dccp", 33 },	{ "gre", 47 },
	{ "esp", 50 },	{ "ah", 51 },	{ "icmpv6", 58 }, { "sctp", 132 },
	{ "udplite", 136 },
};

/*
 * conntrack's TCP states in the order of masq's ct_tcp_state_names[]
 * (ct.c); LISTEN and SYN_SENT2 are Linux's alone
 */
static const char *const ctf_states[] = {
	"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
	"CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "LISTEN", "SYN_SENT2",
};
#define CTF_MASQ_STATES	9	/* those masq's tracker has */

#define SAY(...)	(snprintf(err, errlen, __VA_ARGS__), 2)

/* @s all decimal digits, at most @max: into @v. Return: true if so */
static bool ctf_number(const char *s, uint32_t max, uint32_t *v)
{
	uint64_t n;

	if (!ipt_digits_parse(s, 10, max, &n))
		return false;
	*v = (uint32_t)n;
	return true;
}

/* A number as strtoul(s, NULL, 0) reads it, all of @s, in 32 bits */
static bool ctf_number_any(const char *s, uint32_t *v)
{
	uint64_t n;

	if (!ipt_num_parse(s, UINT32_MAX, &n))
		return false;
	*v = (uint32_t)n;
	return true;
}

static const struct ctf_opt *ctf_opt_of(const char *word)
{
	for (size_t i = 0; i < sizeof(ctf_opts) / sizeof(ctf_opts[0]); i++)
		for (int j = 0; ctf_opts[i].names[j]; j++)
			if (!strcmp(word, ctf_opts[i].names[j]))
				return &ctf_opts[i];
	return NULL;
}

/* Has -p named what option @o needs? */
static bool ctf_proto_allows(const struct ct_filter *f, enum ctf_needs n)
{
	uint8_t p = f->proto;

	if (n == N_ANY)
		return true;
	if (!(f->has & CTF_PROTO))
		return false;
	if (n == N_TCP)
		return p == 6;
	if (n == N_ICMP)
		return p == 1;
	return p == 6 || p == 17 || p == 33 || p == 132 || p == 136;
}

static int ctf_proto(const char *v, struct ct_filter *f, char *err,
		     size_t errlen)
{
	uint32_t n;

	for (size_t i = 0; i < sizeof(ctf_protos) / sizeof(ctf_protos[0]); i++)
		if (!strcmp(v, ctf_protos[i].name)) {
			f->proto = ctf_protos[i].num;
			return 0;
		}
	if (!ctf_number(v, 255, &n))
		return SAY("`%s' unsupported protocol", v);
	f->proto = (uint8_t)n;
	return 0;
}

static int ctf_state(const char *v, struct ct_filter *f, char *err,
		     size_t errlen)
{
	for (size_t i = 0; i < sizeof(ctf_states) / sizeof(ctf_states[0]); i++)
		if (!strcmp(v, ctf_states[i])) {
			f->state = i < CTF_MASQ_STATES ? (uint8_t)i :
				   CTF_STATE_NEVER;
			return 0;
		}
	return SAY("unknown TCP state `%s'", v);
}

/* MARK[/MASK], each as strtoul(, 0) reads it */
static int ctf_mark(const char *v, struct ct_filter *f, char *err,
		    size_t errlen)
{
	const char *slash = strchr(v, '/');
	char m[24];
	size_t n = slash ? (size_t)(slash - v) : strlen(v);

	f->mark_mask = UINT32_MAX;
	if (n >= sizeof(m))
		return SAY("Bad parameter `%s'", v);
	memcpy(m, v, n);
	m[n] = '\0';
	if (!ctf_number_any(m, &f->mark) ||
	    (slash && !ctf_number_any(slash + 1, &f->mark_mask)))
		return SAY("Bad parameter `%s'", v);
	return 0;
}

static int ctf_addr(const char *v, uint32_t *a, char *err, size_t errlen)
{
	struct in_addr in;

	if (!inet_aton(v, &in))
		return SAY("Invalid IP address `%s'", v);
	*a = in.s_addr;
	return 0;
}

/* Where option @o's value goes */
static int ctf_value(const struct ctf_opt *o, const char *v,
		     struct ct_cmdline *c, char *err, size_t errlen)
{
	struct ct_filter *f = &c->f;
	uint32_t n;

	switch (o->kind) {
	case K_ADDR:
		return ctf_addr(v, o->bit == CTF_SRC ? &f->src :
				   o->bit == CTF_DST ? &f->dst :
				   o->bit == CTF_RSRC ? &f->rsrc : &f->rdst,
				err, errlen);
	case K_PROTO:
		return ctf_proto(v, f, err, errlen);
	case K_STATE:
		return ctf_state(v, f, err, errlen);
	case K_MARK:
		return ctf_mark(v, f, err, errlen);
	case K_OUTPUT:
		if (strcmp(v, "json"))
			return SAY("Bad parameter `%s'", v);
		c->json = true;
		return 0;
	case K_PORT:
		if (!ctf_number(v, 65535, &n))
			return SAY("invalid port `%s'", v);
		*(o->bit == CTF_SPORT ? &f->sport : o->bit == CTF_DPORT ?
		  &f->dport : o->bit == CTF_RSPORT ? &f->rsport :
		  &f->rdport) = (uint16_t)n;
		return 0;
	case K_U8:
	case K_U16:
		if (!ctf_number(v, o->kind == K_U8 ? 255 : 65535, &n))
			return SAY("invalid %s value `%s'", o->canon + 2, v);
		if (o->bit == CTF_ICMP_TYPE)
			f->icmp_type = (uint8_t)n;
		else if (o->bit == CTF_ICMP_CODE)
			f->icmp_code = (uint8_t)n;
		else
			f->icmp_id = (uint16_t)n;
		return 0;
	default:
		return SAY("internal error at `%s'", v);
	}
}

/* A command word, and the table word that may follow it (*@i moved on) */
static int ctf_command(const struct ctf_opt *o, int argc, char *const *argv,
		       int *i, struct ct_cmdline *c, char *err, size_t errlen)
{
	const char *t;

	if (c->cmd)
		return SAY("Invalid commands combination");
	c->cmd = (char)o->bit;
	if (*i + 1 >= argc || !argv[*i + 1] || argv[*i + 1][0] == '-')
		return 0;
	t = argv[++*i];
	if (!strcmp(t, "conntrack"))
		return 0;
	if (strcmp(t, "expect"))
		return SAY("unknown type `%s'", t);
	if (c->cmd != 'L' && c->cmd != 'C')
		return SAY("the expect table: only -L and -C in masq");
	c->expect = true;
	return 0;
}

/* Which options the command takes: the illegal one's message, or 0 */
static int ctf_check_legal(const struct ct_cmdline *c, uint32_t seen,
			   char *err, size_t errlen)
{
	bool filters = (c->cmd == 'L' || c->cmd == 'D' || c->cmd == 'G') &&
		       !c->expect;

	if (!c->cmd)
		return SAY("no command specified");
	if (c->json && (c->cmd != 'L' || c->expect))
		return SAY("Illegal option `--output' with this command");
	for (size_t i = 0; i < sizeof(ctf_opts) / sizeof(ctf_opts[0]); i++) {
		const struct ctf_opt *o = &ctf_opts[i];

		if (o->kind == K_CMD || o->kind == K_OUTPUT || !(seen & o->bit) ||
		    filters)
			continue;
		if (c->cmd == 'E')
			return SAY("option `%s': -E takes no filter in masq",
				   o->canon);
		return SAY("Illegal option `%s' with this command", o->canon);
	}
	return 0;
}

/* -G: the whole tuple, asked for in conntrack's order and words */
static int ctf_check_get(const struct ct_filter *f, char *err, size_t errlen)
{
	static const char *const icmp[] = { "--icmp-type", "--icmp-code",
					    "--icmp-id" };
	static const uint32_t icmp_bit[] = { CTF_ICMP_TYPE, CTF_ICMP_CODE,
					     CTF_ICMP_ID };

	if (!(f->has & CTF_PROTO))
		return SAY("You need to supply the `--protonum' option for "
			   "this command");
	if ((f->has & (CTF_SRC | CTF_DST)) != (CTF_SRC | CTF_DST))
		return SAY("you have to specify `--src' and `--dst'");
	if (ctf_proto_allows(f, N_PORTS) &&
	    (f->has & (CTF_SPORT | CTF_DPORT)) != (CTF_SPORT | CTF_DPORT))
		return SAY("you have to specify `--sport' and `--dport'");
	for (int i = 0; f->proto == 1 && i < 3; i++)
		if (!(f->has & icmp_bit[i]))
			return SAY("You need to supply the `%s' option for "
				   "this command", icmp[i]);
	return 0;
}

/**
 * ct_cmdline_parse() - Parse conntrack's words
 * @argc:	number of words
 * @argv:	the words, "conntrack" first
 * @c:		filled (zeroed first)
 * @err:	conntrack's message when the words are refused (without its
 *		"conntrack v1.4.7 (conntrack-tools): " and "Try ..." lines)
 * @errlen:	its size (CTF_ERR_MAX is enough)
 *
 * Return: 0, or 2 (conntrack's exit status for a bad command line) with
 * @err set
 */
int ct_cmdline_parse(int argc, char *const *argv, struct ct_cmdline *c,
		     char *err, size_t errlen)
{
	int rc;

	memset(c, 0, sizeof(*c));	/* padding too: callers compare */
	for (int i = 1; i < argc; i++) {
		const char *w = argv[i] ? argv[i] : "";
		const struct ctf_opt *o = ctf_opt_of(w);

		if (o && !ctf_proto_allows(&c->f, o->needs))
			o = NULL;
		if (!o && w[0] == '-')
			return SAY("unknown option `%s'", w);
		if (!o)
			return SAY("Bad parameter `%s'", w);
		if (o->kind == K_CMD) {
			rc = ctf_command(o, argc, argv, &i, c, err, errlen);
		} else if (i + 1 >= argc || !argv[i + 1]) {
			return SAY("option `%s' requires an argument", w);
		} else {
			rc = ctf_value(o, argv[++i], c, err, errlen);
			c->f.has |= o->bit;
		}
		if (rc)
			return rc;
	}
	rc = ctf_check_legal(c, c->f.has, err, errlen);
	if (!rc && c->cmd == 'G')
		rc = ctf_check_get(&c->f, err, errlen);
	if (!rc && c->cmd == 'G')
		c->f.has |= CTF_GET;
	return rc;
}
