// SPDX-License-Identifier: MIT
/*
 * ipchains.c - ipchains command words -> struct ipchains_cmd
 *
 * Owns the syntax of ipchains 1.3.10 (Linux 2.2's firewall tool): which
 * options exist, what their values look like, which combinations the tool
 * refused before it asked the kernel anything, and in which words. Whether
 * a chain or a rule exists is ipchains_exec.c's question (the kernel's).
 *
 * Theory of operation. One pass over the words, as the tool's
 * getopt_long() walked them with the option string
 * "-A:C:D:R:I:L::F::Z::N:X::P:MS:Vh::o::p:s:d:j:i:fbvm:nlt:xy": short
 * options cluster ("-nvL"), an option with a required value takes the rest
 * of its word or the next word whatever it is, an optional one only the
 * rest of its word; long options take "=value" and unambiguous prefixes
 * ("--proto" for --protocol); words are never reordered. Then, as the tool
 * did it, some options look at the words after them: -D, -R and -I a rule
 * number, -L, -F, -Z, -X a chain, -P its policy, -S two more timeouts, -t
 * its second byte, -o a size, -j REDIRECT a port, -s and -d a port range
 * (with its own "!"): any next word that does not start with '-' or '!'.
 * A "!" word inverts the option after it, or the value after it ("-s !
 * 1.2.3.4", "-p ! tcp", "--dport ! 80"). After the walk the addresses and
 * ports are read (the protocol is known only then), and the checks run in
 * the tool's order, each with its message.
 *
 * Names: with a resolver (masqctl) a host may be a name (several addresses
 * give several rules: the tool made one per pair), a port a service of the
 * rule's protocol, a protocol a name of /etc/protocols; with none (masqd)
 * only numbers and the tool's own words (tcp, udp, icmp, all, the ICMP
 * type names). ipchains_format() (ipchains_words.c) prints a command
 * back in such numeric words, one line per pair of addresses.
 *
 * Where masq is stricter than ipchains, on purpose: a relative mark
 * ("-m +1", "-m -1": the model keeps the mark to set, not a sum), "-o 0"
 * (the model's 0 is "the whole packet", what -o alone means), a protocol
 * number above 255, an interface name of 16 characters or more or with a
 * blank or a quote, a chain or target name with a blank or a quote, or
 * empty, or (a chain) starting with '-' or '!' (none could be written
 * back, and -N makes no such chain), more than 8 addresses for a name.
 * "-h" and "-V" end the parse as they ended the tool.
 *
 * Limits: every word may be anything (fuzzed); every copy is bounded.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <netinet/in.h>

#include "ipt/ipchains.h"
#include "ipt/words.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define PORT_ANY_HI	65535

/* ---- the tool's commands and options, as bits ------------------------------ */

/* Commands: the order of the tool's cmdflags[] ("IDDRALFZNXPMSC") */
enum {
	C_INSERT = 1 << 0, C_DELETE = 1 << 1, C_DELETE_NUM = 1 << 2,
	C_REPLACE = 1 << 3, C_APPEND = 1 << 4, C_LIST = 1 << 5,
	C_FLUSH = 1 << 6, C_ZERO = 1 << 7, C_NEW_CHAIN = 1 << 8,
	C_DELETE_CHAIN = 1 << 9, C_POLICY = 1 << 10, C_MASQ = 1 << 11,
	C_SET_MASQ = 1 << 12, C_CHECK = 1 << 13,
};
#define NCMDS	14
static const char cmd_letters[NCMDS + 1] = "IDDRALFZNXPMSC";

/* Options: the order of the tool's optflags[] */
enum {
	O_NUMERIC = 1 << 0, O_SOURCE = 1 << 1, O_DEST = 1 << 2,
	O_PROTO = 1 << 3, O_JUMP = 1 << 4, O_SYN = 1 << 5, O_BIDIR = 1 << 6,
	O_VERBOSE = 1 << 7, O_LOG = 1 << 8, O_EXACT = 1 << 9, O_TOS = 1 << 10,
	O_IFACE = 1 << 11, O_FRAG = 1 << 12, O_MARK = 1 << 13,
	O_SPORT = 1 << 14, O_DPORT = 1 << 15, O_NETLINK = 1 << 16,
	O_LINENUM = 1 << 17,
};
#define NOPTS	18
static const char *const opt_names[NOPTS] = {
	"-n", "-s", "-d", "-p", "-j", "-y", "-b", "-v", "-l", "-x", "-t",
	"-i", "-f", "-m", "-s", "-d", "-o", "--line-numbers",
};

/* The tool's inversions (the kernel's IP_FW_INV_*), kept while parsing */
enum {
	V_SRC = 1 << 0, V_DST = 1 << 1, V_IFACE = 1 << 2, V_SPORT = 1 << 3,
	V_DPORT = 1 << 4, V_PROTO = 1 << 5, V_SYN = 1 << 6, V_FRAG = 1 << 7,
};
static const uint8_t opt_inverse[NOPTS] = {
	[1] = V_SRC, [2] = V_DST, [3] = V_PROTO, [5] = V_SYN, [11] = V_IFACE,
	[12] = V_FRAG, [14] = V_SPORT, [15] = V_DPORT,
};

/*
 * Which options each command takes ('+' must, 'x' may not, ' ' may): the
 * tool's commands_v_options[][], by the bit order above
 */
static const char cmd_opts[NCMDS][NOPTS + 1] = {
	/*  nsdpjybvlxtifmsdo3 */
	"x        x        x",		/* INSERT */
	"x        x        x",		/* DELETE */
	"xxxxxxx xxxxxxxxxx",		/* DELETE_NUM */
	"x     x  x        x",		/* REPLACE */
	"x        x        x",		/* APPEND */
	" xxxxxx x xxxxxxx ",		/* LIST */
	"xxxxxxx xxxxxxxxxx",		/* FLUSH */
	"xxxxxxx xxxxxxxxxx",		/* ZERO */
	"xxxxxxx xxxxxxxxxx",		/* NEW_CHAIN */
	"xxxxxxx xxxxxxxxxx",		/* DELETE_CHAIN */
	"xxxxxxx xxxxxxxxxx",		/* POLICY */
	"xxxxxxxxxxxxxxxxxx",		/* MASQ */
	"xxxxxxx xxxxxxxxxx",		/* SET_MASQ */
	"x+++x   xxx+ x  xx",		/* CHECK */
};

/* ---- long options ------------------------------------------------------------ */

enum { ARG_NONE, ARG_REQUIRED, ARG_OPTIONAL };

/*
 * What an option handler returns: 0 done, nonzero failed (with the
 * reason set; "a || b" of failing steps gives 1), NOT_MINE: the option is
 * another handler's
 */
#define NOT_MINE	2

/* Codes of options without a short letter */
#define K_SPORT		'1'
#define K_DPORT		'2'
#define K_LINENUM	'3'
#define K_NOWARN	'W'

static const struct long_opt {
	const char *name;
	uint8_t arg;
	char code;
} long_opts[] = {
	{ "append", ARG_REQUIRED, 'A' }, { "delete", ARG_REQUIRED, 'D' },
	{ "insert", ARG_REQUIRED, 'I' }, { "replace", ARG_REQUIRED, 'R' },
	{ "list", ARG_OPTIONAL, 'L' }, { "flush", ARG_OPTIONAL, 'F' },
	{ "zero", ARG_OPTIONAL, 'Z' }, { "check", ARG_REQUIRED, 'C' },
	{ "new-chain", ARG_REQUIRED, 'N' },
	{ "delete-chain", ARG_REQUIRED, 'X' },
	{ "policy", ARG_REQUIRED, 'P' }, { "masquerading", ARG_NONE, 'M' },
	{ "set", ARG_REQUIRED, 'S' }, { "bidirectional", ARG_NONE, 'b' },
	{ "source", ARG_REQUIRED, 's' }, { "destination", ARG_REQUIRED, 'd' },
	{ "src", ARG_REQUIRED, 's' }, { "dst", ARG_REQUIRED, 'd' },
	{ "source-port", ARG_REQUIRED, K_SPORT },
	{ "destination-port", ARG_REQUIRED, K_DPORT },
	{ "icmp-type", ARG_REQUIRED, K_SPORT },
	{ "sport", ARG_REQUIRED, K_SPORT }, { "dport", ARG_REQUIRED, K_DPORT },
	{ "protocol", ARG_REQUIRED, 'p' }, { "interface", ARG_REQUIRED, 'i' },
	{ "jump", ARG_REQUIRED, 'j' }, { "TOS", ARG_REQUIRED, 't' },
	{ "mark", ARG_REQUIRED, 'm' }, { "numeric", ARG_NONE, 'n' },
	{ "log", ARG_NONE, 'l' }, { "output", ARG_OPTIONAL, 'o' },
	{ "verbose", ARG_NONE, 'v' }, { "exact", ARG_NONE, 'x' },
	{ "fragments", ARG_NONE, 'f' }, { "syn", ARG_NONE, 'y' },
	{ "version", ARG_NONE, 'V' }, { "help", ARG_NONE, 'h' },
	{ "line-numbers", ARG_NONE, K_LINENUM },
	{ "no-warnings", ARG_NONE, K_NOWARN },
};

/* The short options and what each takes (the tool's option string) */
static int short_arg(char c)
{
	static const char req[] = "ACDRINPSpsdjimt", opt[] = "LFZXho",
			  none[] = "MVfbvnlxy";

	if (c && strchr(req, c))
		return ARG_REQUIRED;
	if (c && strchr(opt, c))
		return ARG_OPTIONAL;
	if (c && strchr(none, c))
		return ARG_NONE;
	return -1;
}

/* ---- parse state ------------------------------------------------------------- */

/**
 * struct parse - one command being read
 * @res:	lookups, or NULL
 * @cmd:	what is filled
 * @err:	the reason
 * @argc, @argv:	the words; @next is the next one getopt would read
 * @cluster:	the rest of a short-option word being read, or NULL
 * @invert:	a "!" was read and no option took it yet
 * @command:	C_* bits given
 * @options:	O_* bits given
 * @invflg:	V_* bits given
 * @src, @dst:	the -s/-d words; @sports, @dports the port words
 * @jump:	-j's word; @rport REDIRECT's port word
 * @tos_and, @tos_xor:	-t's bytes
 * @outsize:	-o's value (65535: all)
 * @stop:	-h or -V: the walk ends here
 */
struct parse {
	const struct ipt_resolver *res;
	struct ipchains_cmd *cmd;
	struct ipt_err *err;
	int argc;
	char *const *argv;
	int next;
	const char *cluster;
	bool invert;
	unsigned command, options, invflg;
	const char *src, *dst, *sports, *dports, *jump, *rport;
	uint8_t tos_and, tos_xor;
	uint16_t outsize;
	bool stop;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	for (char *c = p->err->msg; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return -1;
}

/* The next word when it is a value a command takes: not "-..." nor "!..." */
static const char *peek_positional(const struct parse *p, int ahead)
{
	const char *w;

	if (p->next + ahead >= p->argc)
		return NULL;
	w = p->argv[p->next + ahead];
	return w[0] == '-' || w[0] == '!' ? NULL : w;
}

static const char *take_positional(struct parse *p)
{
	const char *w = peek_positional(p, 0);

	if (w)
		p->next++;
	return w;
}

/* ---- numbers ------------------------------------------------------------------- */

/* Decimal digits only, at most @max (the tool's string_to_number()) */
static bool dec_parse(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (!ipt_digits_parse(s, 10, max, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

/* -t's bytes: hexadecimal, "0x" allowed, as strtol(base 16) */
static bool hexbyte_parse(const char *s, uint8_t *out)
{
	uint64_t v;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s[2])
		s += 2;
	if (!ipt_digits_parse(s, 16, 255, &v))
		return false;
	*out = (uint8_t)v;
	return true;
}

/* ---- the tool's bookkeeping: commands, options, "!" ---------------------- */

/* The letter of the highest command bit in @cmd (the tool's cmd2char()) */
static char cmd_letter(unsigned cmd)
{
	int i = 0;

	while (cmd > 1 && i < NCMDS - 1) {
		cmd >>= 1;
		i++;
	}
	return cmd_letters[i];
}

static int bit_index(unsigned bit)
{
	return __builtin_ctz(bit);
}

static int add_command(struct parse *p, unsigned cmd, unsigned others)
{
	if (p->invert)
		return fail(p, "unexpected ! flag");
	if (p->command & ~others)
		return fail(p, "Can't use -%c with -%c", cmd_letter(cmd),
			    cmd_letter(p->command & ~others));
	p->command |= cmd;
	return 0;
}

static int set_option(struct parse *p, unsigned opt)
{
	int i = bit_index(opt);

	if (p->options & opt)
		return fail(p, "multiple %s flags not allowed", opt_names[i]);
	p->options |= opt;
	if (p->invert) {
		if (!opt_inverse[i])
			return fail(p, "cannot have ! before %s", opt_names[i]);
		p->invflg |= opt_inverse[i];
		p->invert = false;
	}
	return 0;
}

/*
 * An option's value that may be "!" (then the value is the next word and
 * the option is inverted): the tool's check_inverse()
 */
static int inverse_value(struct parse *p, const char *optarg, const char **val)
{
	if (strcmp(optarg, "!")) {
		*val = optarg;
		return 0;
	}
	if (p->invert)
		return fail(p, "Multiple `!' flags not allowed");
	p->invert = true;
	if (p->next >= p->argc)
		return fail(p, "nothing appropriate following !");
	*val = p->argv[p->next++];
	return 0;
}

/* ---- the option values read as they come ---------------------------------- */

static int rulenum_parse(struct parse *p, const char *w)
{
	if (!dec_parse(w, 0x7fffffff, &p->cmd->rulenum) || !p->cmd->rulenum)
		return fail(p, "Invalid rule number `%s'", w);
	return 0;
}

/* A word no chain or target could be written back with */
static bool bad_name(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f || *s == '"' ||
		    *s == '\'' || *s == '\\')
			return true;
	return false;
}

static int chain_take(struct parse *p, const char *name)
{
	size_t l = strlen(name);

	if (!l)
		return fail(p, "chain name may not be empty");
	if (bad_name(name))
		return fail(p, "chain name `%s' has a blank or a quote", name);
	if (name[0] == '-' || name[0] == '!')	/* -N makes no such chain */
		return fail(p, "chain name `%s' may not start with `%c'", name,
			    name[0]);
	if (l > IPCHAINS_LABEL_MAX)
		return fail(p, "chain name `%s' too long (must be under %d chars)",
			    name, IPCHAINS_LABEL_MAX);
	memcpy(p->cmd->chain, name, l + 1);
	return 0;
}

static bool is_builtin(const char *chain)
{
	return !strcmp(chain, "input") || !strcmp(chain, "forward") ||
	       !strcmp(chain, "output");
}

/* -P chain policy: the tool's parse_policy(), case matters */
static int policy_parse(struct parse *p, const char *chain, const char *w)
{
	int pol;

	if (!strcmp(w, "MASQ") && strcmp(chain, "forward"))
		return fail(p, "`-P MASQ' only valid for `forward' chain.");
	if (!is_builtin(chain))
		return fail(p, "Can only set policy in built-in chains.");
	pol = ipchains_policy_by_name(w);
	if (pol < 0)
		return fail(p, "Invalid policy `%s' for -P", w);
	p->cmd->policy = (uint8_t)pol;
	return 0;
}

static int timeouts_parse(struct parse *p, const char *first)
{
	const char *w[3] = { first, NULL, NULL };

	if (!peek_positional(p, 0) || !peek_positional(p, 1))
		return fail(p, "-S requires 3 timeout values");
	w[1] = take_positional(p);
	w[2] = take_positional(p);
	for (int i = 0; i < 3; i++)
		if (!dec_parse(w[i], 0x7fffffff, &p->cmd->timeouts[i]))
			return fail(p, "invalid timeout value `%s' specified",
				    w[i]);
	return 0;
}

/* -j: any name up to 8 characters; which ones exist is the kernel's */
static int target_parse(struct parse *p, const char *name)
{
	struct ipt_target *t = &p->cmd->rule.t;
	size_t l = strlen(name);

	if (!l)
		return fail(p, "Invalid target name (too short)");
	if (l > IPCHAINS_LABEL_MAX)
		return fail(p, "Invalid target name `%s' (%d chars max)", name,
			    IPCHAINS_LABEL_MAX);
	if (bad_name(name))
		return fail(p, "Invalid target name `%s'", name);
	p->jump = name;
	if (!strcmp(name, "ACCEPT"))
		t->kind = IPT_T_ACCEPT;
	else if (!strcmp(name, "DENY"))
		t->kind = IPT_T_DROP;
	else if (!strcmp(name, "REJECT")) {
		t->kind = IPT_T_REJECT;
		t->u.reject_with = IPT_REJ_PORT_UNREACH;
	} else if (!strcmp(name, "MASQ"))
		t->kind = IPT_T_MASQUERADE;
	else if (!strcmp(name, "REDIRECT"))
		t->kind = IPT_T_REDIRECT;
	else if (!strcmp(name, "RETURN"))
		t->kind = IPT_T_RETURN;
	else {
		t->kind = IPT_T_JUMP;
		memcpy(t->chain, name, l + 1);
	}
	return 0;
}

/* -i: "eth0", "ppp+" (a prefix), "+" or "" (any) */
static int iface_parse(struct parse *p, const char *w)
{
	size_t l = strlen(w);

	if (l >= IPT_IFNAMSIZ)
		return fail(p, "interface name `%s' must be shorter than IFNAMSIZ (%d)",
			    w, IPT_IFNAMSIZ);
	if (bad_name(w))
		return fail(p, "interface name `%s' has a blank or a quote", w);
	memcpy(p->cmd->rule.in, w, l + 1);
	return 0;
}

/* -m: an absolute mark; the tool's relative "+n" and "-n" are refused */
static int mark_parse(struct parse *p, const char *w)
{
	uint64_t v;

	if (w[0] == '+' || w[0] == '-')
		return fail(p, "relative mark `%s' for -m: masq sets a mark, it does not add to one",
			    w);
	if (!ipt_num_parse(w, 0xffffffffu, &v))
		return fail(p, "Bad value `%s' for -m.", w);
	p->cmd->rule.lg.flags |= IPT_LG_MARK;
	p->cmd->rule.lg.mark = (uint32_t)v;
	return 0;
}

static int outsize_parse(struct parse *p, const char *w)
{
	uint32_t v = 65535;

	if (w && !dec_parse(w, 65535, &v))
		return fail(p, "-o argument must be 0-65535, not `%s'", w);
	if (v == 0)
		return fail(p, "-o 0 (no bytes of the packet) is not kept by masq");
	p->outsize = (uint16_t)v;
	p->cmd->rule.lg.flags |= IPT_LG_NETLINK;
	return 0;
}

static int tos_parse(struct parse *p, const char *first)
{
	const char *second = take_positional(p);

	if (!second)
		return fail(p, "-t requires 2 hexbyte arguments");
	if (!hexbyte_parse(first, &p->tos_and))
		return fail(p, "invalid hexbyte `%s' specified", first);
	if (!hexbyte_parse(second, &p->tos_xor))
		return fail(p, "invalid hexbyte `%s' specified", second);
	return 0;
}

/* -s/-d ADDR [[!] PORTS]: the ports, with their own "!", may follow */
static int addr_option(struct parse *p, const char *optarg, bool src)
{
	bool port_inv;
	const char *w, *port;

	if (inverse_value(p, optarg, &w) ||
	    set_option(p, src ? O_SOURCE : O_DEST))
		return -1;
	*(src ? &p->src : &p->dst) = w;
	port_inv = p->next < p->argc && !strcmp(p->argv[p->next], "!");
	port = peek_positional(p, port_inv);
	if (!port)
		return 0;	/* a "!" left is the next option's */
	p->next += port_inv + 1;
	p->invert = port_inv;
	*(src ? &p->sports : &p->dports) = port;
	return set_option(p, src ? O_SPORT : O_DPORT);
}

static int port_option(struct parse *p, const char *optarg, bool src)
{
	const char *w;

	if (inverse_value(p, optarg, &w) ||
	    set_option(p, src ? O_SPORT : O_DPORT))
		return -1;
	*(src ? &p->sports : &p->dports) = w;
	return 0;
}

static int proto_word(struct parse *p, const char *w, uint8_t *proto)
{
	static const char *const own[] = { "all", "tcp", "udp", "icmp" };
	static const uint8_t own_num[] = { 0, IPPROTO_TCP, IPPROTO_UDP,
					   IPPROTO_ICMP };
	uint32_t v;

	if (dec_parse(w, 255, &v)) {
		*proto = (uint8_t)v;
		return 0;
	}
	if (p->res && p->res->proto && !p->res->proto(w, proto))
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(own); i++) {
		if (!strcasecmp(w, own[i])) {
			*proto = own_num[i];
			return 0;
		}
	}
	return fail(p, "unknown protocol `%s' specified", w);
}

static int proto_option(struct parse *p, const char *optarg)
{
	const char *w;

	if (inverse_value(p, optarg, &w) || set_option(p, O_PROTO) ||
	    proto_word(p, w, &p->cmd->rule.proto))
		return -1;
	if (!p->cmd->rule.proto && (p->invflg & V_PROTO))
		return fail(p, "rule would never match protocol");
	return 0;
}

/* ---- one option ---------------------------------------------------------------- */

static int list_like(struct parse *p, const char *optarg, unsigned cmd,
		     unsigned others)
{
	const char *chain;

	if (add_command(p, cmd, others))
		return -1;
	chain = optarg ? optarg : take_positional(p);
	if (chain && chain_take(p, chain))
		return -1;
	/* the tool kept one chain for both: given to either, refused */
	if (p->cmd->chain[0] && (p->command & C_LIST) && (p->command & C_ZERO))
		return fail(p, "-L with -Z does not allow chain to be specified");
	return 0;
}

static int command_option(struct parse *p, char c, const char *optarg)
{
	const char *w;

	switch (c) {
	case 'A':
		return add_command(p, C_APPEND, 0) || chain_take(p, optarg);
	case 'C':
		return add_command(p, C_CHECK, 0) || chain_take(p, optarg);
	case 'N':
		return add_command(p, C_NEW_CHAIN, 0) || chain_take(p, optarg);
	case 'D':
		if (add_command(p, C_DELETE, 0) || chain_take(p, optarg))
			return -1;
		w = take_positional(p);
		if (!w)
			return 0;
		p->command = C_DELETE_NUM;
		return rulenum_parse(p, w);
	case 'R':
		if (add_command(p, C_REPLACE, 0) || chain_take(p, optarg))
			return -1;
		w = take_positional(p);
		if (!w)
			return fail(p, "-R requires a rule number");
		return rulenum_parse(p, w);
	case 'I':
		if (add_command(p, C_INSERT, 0) || chain_take(p, optarg))
			return -1;
		w = take_positional(p);
		p->cmd->rulenum = 1;
		return w ? rulenum_parse(p, w) : 0;
	case 'L':
		return list_like(p, optarg, C_LIST, C_ZERO | C_MASQ);
	case 'Z':
		return list_like(p, optarg, C_ZERO, C_LIST);
	case 'F':
		return list_like(p, optarg, C_FLUSH, 0);
	case 'X':
		return list_like(p, optarg, C_DELETE_CHAIN, 0);
	case 'P':
		if (add_command(p, C_POLICY, 0) || chain_take(p, optarg))
			return -1;
		w = take_positional(p);
		if (!w)
			return fail(p, "-P requires a chain and a policy");
		return policy_parse(p, optarg, w);
	case 'M':
		return add_command(p, C_MASQ, C_LIST | C_SET_MASQ);
	case 'S':
		return add_command(p, C_SET_MASQ, C_MASQ) ||
		       timeouts_parse(p, optarg);
	}
	return NOT_MINE;
}

static int help_option(struct parse *p, const char *optarg)
{
	const char *w = optarg ? optarg :
			p->next < p->argc ? p->argv[p->next] : NULL;

	p->cmd->op = IPCHAINS_OP_HELP;
	if (w && !strcasecmp(w, "icmp"))
		p->cmd->opts |= IPCHAINS_OPT_HELP_ICMP;
	p->stop = true;
	return 0;
}

static int flag_option(struct parse *p, char c, unsigned opt, uint16_t lg)
{
	(void)c;
	if (set_option(p, opt))
		return -1;
	p->cmd->rule.lg.flags |= lg;
	return 0;
}

static int rule_option(struct parse *p, char c, const char *optarg)
{
	switch (c) {
	case 'p':
		return proto_option(p, optarg);
	case 's':
	case 'd':
		return addr_option(p, optarg, c == 's');
	case K_SPORT:
	case K_DPORT:
		return port_option(p, optarg, c == K_SPORT);
	case 'j':
		if (set_option(p, O_JUMP) || target_parse(p, optarg))
			return -1;
		if (p->cmd->rule.t.kind == IPT_T_REDIRECT)
			p->rport = take_positional(p);
		return 0;
	case 'i': {
		const char *w;

		return inverse_value(p, optarg, &w) ||
		       set_option(p, O_IFACE) || iface_parse(p, w);
	}
	case 'f':
		if (set_option(p, O_FRAG))
			return -1;
		p->cmd->rule.frag = true;
		return 0;
	case 'm':
		return set_option(p, O_MARK) || mark_parse(p, optarg);
	case 'o':
		return set_option(p, O_NETLINK) ||
		       outsize_parse(p, optarg ? optarg : take_positional(p));
	case 't':
		return set_option(p, O_TOS) || tos_parse(p, optarg);
	case 'y':
		return flag_option(p, c, O_SYN, IPT_LG_SYN);
	case 'l':
		return flag_option(p, c, O_LOG, IPT_LG_LOG);
	}
	return NOT_MINE;
}

static int other_option(struct parse *p, char c, const char *optarg)
{
	switch (c) {
	case 'b':
		return set_option(p, O_BIDIR);
	case 'v':
		return set_option(p, O_VERBOSE);
	case 'n':
		return set_option(p, O_NUMERIC);
	case 'x':
		return set_option(p, O_EXACT);
	case K_LINENUM:
		if (p->invert)
			return fail(p, "cannot have ! before --line-numbers");
		return set_option(p, O_LINENUM);
	case K_NOWARN:
		if (p->invert)
			return fail(p, "cannot have ! before --no-warnings");
		p->cmd->opts |= IPCHAINS_OPT_NOWARN;
		return 0;
	case 'h':
		return help_option(p, optarg);
	case 'V':
		p->cmd->op = IPCHAINS_OP_VERSION;
		p->stop = true;
		return 0;
	}
	return fail(p, "unknown option `-%c'", c);
}

/* One option with its value (NULL when none); nonzero: failed */
static int one_option(struct parse *p, char c, const char *optarg)
{
	int r = command_option(p, c, optarg);

	if (r != NOT_MINE)
		return r;
	r = rule_option(p, c, optarg);
	if (r != NOT_MINE)
		return r;
	return other_option(p, c, optarg);
}

/* ---- the walk: getopt_long() as the tool called it ------------------------ */

/* The long option @word names (exact, or a prefix of one meaning only) */
static const struct long_opt *long_find(struct parse *p, const char *word,
					size_t len)
{
	const struct long_opt *found = NULL;
	bool ambiguous = false;

	for (size_t i = 0; i < ARRAY_SIZE(long_opts); i++) {
		const struct long_opt *o = &long_opts[i];

		if (strncmp(o->name, word, len))
			continue;
		if (strlen(o->name) == len)
			return o;
		if (found && (found->code != o->code || found->arg != o->arg))
			ambiguous = true;
		if (!found)
			found = o;
	}
	if (ambiguous) {
		fail(p, "option `--%.*s' is ambiguous", (int)len, word);
		return NULL;
	}
	if (!found)
		fail(p, "unrecognized option `--%.*s'", (int)len, word);
	return found;
}

static int long_option(struct parse *p, const char *word)
{
	const char *eq = strchr(word, '=');
	size_t len = eq ? (size_t)(eq - word) : strlen(word);
	const struct long_opt *o = long_find(p, word, len);
	const char *val = eq ? eq + 1 : NULL;

	if (!o)
		return -1;
	if (o->arg == ARG_NONE && val)
		return fail(p, "option `--%s' doesn't allow an argument", o->name);
	if (o->arg == ARG_REQUIRED && !val) {
		if (p->next >= p->argc)
			return fail(p, "option `--%s' requires an argument",
				    o->name);
		val = p->argv[p->next++];
	}
	return one_option(p, o->code, val);
}

/* The next short option of the cluster being read */
static int short_option(struct parse *p)
{
	char c = *p->cluster++;
	int arg = short_arg(c);
	const char *val = NULL;

	if (arg < 0)
		return fail(p, "invalid option -- '%c'", c);
	if (arg != ARG_NONE && *p->cluster) {
		val = p->cluster;
		p->cluster = NULL;
	} else if (arg == ARG_REQUIRED) {
		if (p->next >= p->argc)
			return fail(p, "option requires an argument -- '%c'", c);
		val = p->argv[p->next++];
	}
	if (p->cluster && !*p->cluster)
		p->cluster = NULL;
	return one_option(p, c, val);
}

/* A word that is not an option: "!" inverts what follows */
static int plain_word(struct parse *p, const char *w)
{
	if (strcmp(w, "!"))
		return fail(p, "unknown argument `%s' (an option was expected)",
			    w);
	if (p->invert)
		return fail(p, "multiple consecutive ! not allowed");
	p->invert = true;
	return 0;
}

/* Walk the words; 1 when "--" ended the options early */
static int walk(struct parse *p)
{
	while (!p->stop && (p->cluster || p->next < p->argc)) {
		const char *w;
		int r;

		if (p->cluster) {
			r = short_option(p);
		} else {
			w = p->argv[p->next++];
			if (!strcmp(w, "--"))
				return p->next < p->argc;
			if (w[0] != '-' || !w[1]) {
				if (plain_word(p, w))
					return -1;
				continue;
			}
			if (w[1] == '-') {
				r = long_option(p, w + 2);
			} else {
				p->cluster = w + 1;
				r = short_option(p);
			}
		}
		if (r)
			return -1;
		p->invert = false;	/* an option took it, or had none */
	}
	return 0;
}

/* ---- addresses and ports, once the protocol is known -------------------------- */

/* "1.2.3.4": four decimal parts (the tool's dotted_to_addr()) */
static bool dotted_parse(const char *s, uint32_t *out)
{
	uint32_t a = 0;

	for (int i = 0; i < 4; i++) {
		const char *dot = strchr(s, '.');
		char part[8];
		size_t l = dot && i < 3 ? (size_t)(dot - s) : strlen(s);
		uint32_t v;

		if ((i < 3 && !dot) || l >= sizeof(part))
			return false;
		memcpy(part, s, l);
		part[l] = '\0';
		if (!dec_parse(part, 255, &v))
			return false;
		a = a << 8 | v;
		s += l + (i < 3);
	}
	*out = a;
	return true;
}

static int mask_parse(struct parse *p, const char *s, uint32_t *mask)
{
	uint32_t bits;

	if (dotted_parse(s, mask))
		return 0;
	if (!dec_parse(s, 32, &bits))
		return fail(p, "invalid mask `%s' specified", s);
	*mask = bits ? ~0u << (32 - bits) : 0;
	return 0;
}

/* ADDR[/MASK]: one address, or a name's several (masked, deduplicated) */
static int addr_parse(struct parse *p, const char *word, uint32_t *addrs,
		      uint32_t *n, uint32_t *mask)
{
	const char *slash = strrchr(word, '/');
	size_t hl = slash ? (size_t)(slash - word) : strlen(word);
	uint32_t found[IPCHAINS_ADDRS_MAX + 1];
	char host[256];
	int cnt = 1;

	*mask = ~0u;
	if (slash && mask_parse(p, slash + 1, mask))
		return -1;
	if (hl >= sizeof(host))
		return fail(p, "host/network `%s' not found", word);
	memcpy(host, word, hl);
	host[hl] = '\0';
	if (!*mask)	/* "any/0": the name is not looked at */
		snprintf(host, sizeof(host), "0.0.0.0");
	if (!dotted_parse(host, &found[0])) {
		if (!p->res || !p->res->host || !*host ||
		    (cnt = p->res->host(host, found, IPCHAINS_ADDRS_MAX + 1)) <= 0)
			return fail(p, "host/network `%s' not found", host);
		if (cnt > IPCHAINS_ADDRS_MAX)
			return fail(p, "host/network `%s' has more than %d addresses",
				    host, IPCHAINS_ADDRS_MAX);
	}
	*n = 0;
	for (int i = 0; i < cnt; i++) {
		uint32_t a = found[i] & *mask, k;

		for (k = 0; k < *n && addrs[k] != a; k++)
			;
		if (k == *n)
			addrs[(*n)++] = a;
	}
	return 0;
}

static bool has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_ICMP;
}

/* One port: a number, or (TCP, UDP) a service name */
static int port_parse(struct parse *p, const char *w, uint16_t *port)
{
	uint8_t proto = p->cmd->rule.proto;
	uint32_t v;

	if (!has_ports(proto))
		return fail(p, "can only specify ports for icmp, tcp or udp");
	if (dec_parse(w, PORT_ANY_HI, &v)) {
		*port = (uint16_t)v;
		return 0;
	}
	if (proto == IPPROTO_ICMP)
		return fail(p, "invalid ICMP type `%s' specified", w);
	if (*w && p->res && p->res->service &&
	    !p->res->service(w, proto == IPPROTO_TCP ? "tcp" : "udp", port))
		return 0;
	return fail(p, "invalid port/service `%s' specified", w);
}

/* "a", "a:b", "a:" (to 65535), ":b" (from 0); NULL: any */
static int ports_parse(struct parse *p, const char *w,
		       struct ipt_portrange *r)
{
	const char *colon;
	char lo[256];
	size_t l;

	r->lo = 0;
	r->hi = PORT_ANY_HI;
	if (!w)
		return 0;
	colon = strchr(w, ':');
	if (!colon) {
		if (port_parse(p, w, &r->lo))
			return -1;
		r->hi = r->lo;
		return 0;
	}
	l = (size_t)(colon - w);
	if (l >= sizeof(lo))
		return fail(p, "invalid port/service `%s' specified", w);
	memcpy(lo, w, l);
	lo[l] = '\0';
	if (l && port_parse(p, lo, &r->lo))
		return -1;
	return colon[1] ? port_parse(p, colon + 1, &r->hi) : 0;
}

/* The ICMP name @w begins, if it begins one only (-1: none) */
static int icmp_lookup(struct parse *p, const char *w, int *found)
{
	const struct ipchains_icmp *n;
	size_t l = strlen(w);

	*found = -1;
	for (size_t i = 0; l && (n = ipchains_icmp(i)); i++) {
		if (strncasecmp(n->name, w, l))
			continue;
		if (*found >= 0)
			return fail(p, "Ambiguous ICMP `%s' : `%s' or `%s'?", w,
				    ipchains_icmp((size_t)*found)->name, n->name);
		*found = (int)i;
	}
	return 0;
}

/* -p icmp: a type name in the source port's place, or numbers */
static int icmp_parse(struct parse *p, struct ipt_portrange *type,
		      struct ipt_portrange *code)
{
	const struct ipchains_icmp *n;
	int k;

	if (p->sports && icmp_lookup(p, p->sports, &k))
		return -1;
	if (!p->sports || k < 0)
		return ports_parse(p, p->sports, type) ||
		       ports_parse(p, p->dports, code);
	n = ipchains_icmp((size_t)k);
	if (p->dports)
		return fail(p, "Can't use ICMP name and destination port together");
	p->options |= O_DPORT;
	*type = (struct ipt_portrange){ n->type, n->type };
	*code = (struct ipt_portrange){ n->code_lo, n->code_hi };
	if (p->command == C_CHECK) {
		if (n->test)
			code->hi = code->lo;
		else if (code->lo != code->hi)
			return fail(p, "Must specify exact ICMP type for testing");
	}
	if (p->invflg & (V_SPORT | V_DPORT))
		return fail(p, "Can't invert named ICMP types");
	return 0;
}

/* Addresses and ports into the rule */
static int addresses(struct parse *p, struct ipt_portrange *sp,
		     struct ipt_portrange *dp)
{
	struct ipchains_cmd *c = p->cmd;
	bool icmp = c->rule.proto == IPPROTO_ICMP;

	*sp = *dp = (struct ipt_portrange){ 0, PORT_ANY_HI };
	if (p->command & (C_REPLACE | C_INSERT | C_DELETE | C_APPEND)) {
		if (!(p->options & O_DEST))
			p->dst = "0.0.0.0/0";
		if (!(p->options & O_SOURCE))
			p->src = "0.0.0.0/0";
	}
	if (p->src && (addr_parse(p, p->src, c->srcs, &c->nsrc, &c->rule.smsk) ||
		       (!icmp && ports_parse(p, p->sports, sp))))
		return -1;
	if (p->dst && (addr_parse(p, p->dst, c->dsts, &c->ndst, &c->rule.dmsk) ||
		       (!icmp && ports_parse(p, p->dports, dp))))
		return -1;
	if (icmp && icmp_parse(p, sp, dp))
		return -1;
	c->rule.src = c->nsrc ? c->srcs[0] : 0;
	c->rule.dst = c->ndst ? c->dsts[0] : 0;
	return 0;
}

/* ---- the checks after the walk, in the tool's order ---------------------------- */

static bool one_port(unsigned options, unsigned bit, struct ipt_portrange r)
{
	return (options & bit) && r.lo == r.hi;
}

static int rule_checks(struct parse *p, struct ipt_portrange sp,
		       struct ipt_portrange dp)
{
	const struct ipchains_cmd *c = p->cmd;
	uint8_t proto = c->rule.proto;
	bool pinv = p->invflg & V_PROTO, frag = (p->options & O_FRAG) &&
						 !(p->invflg & V_FRAG);
	bool ports = p->options & (O_SPORT | O_DPORT);
	uint8_t kind = c->rule.t.kind;

	if ((c->nsrc > 1 || c->ndst > 1) && (p->invflg & (V_SRC | V_DST)))
		return fail(p, "! not allowed with multiple source or destination IP addresses");
	if ((c->nsrc > 1 || c->ndst > 1) && (p->options & O_BIDIR))
		return fail(p, "-b not allowed with multiple source or destination IP addresses");
	if ((!proto || pinv) && ports)
		return fail(p, "no ports allowed without specific protocol");
	if ((proto != IPPROTO_TCP || pinv) && (p->options & O_SYN))
		return fail(p, "-y only allowed with TCP protocol");
	if (frag && ports)
		return fail(p, "no ports allowed with -f");
	if (frag && (p->options & O_SYN))
		return fail(p, "-y not allowed with -f");
	if (p->command == C_CHECK && has_ports(proto) && !(p->options & O_FRAG) &&
	    (!one_port(p->options, O_SPORT, sp) ||
	     !one_port(p->options, O_DPORT, dp)))
		return fail(p, "one port required with source/destination address for -C");
	if (p->command == C_CHECK && p->invflg)
		return fail(p, "! not allowed with -C");
	if (kind == IPT_T_REDIRECT && ((proto != IPPROTO_TCP &&
					proto != IPPROTO_UDP) || pinv))
		return fail(p, "redirecting only allowed with TCP or UDP");
	if (kind == IPT_T_MASQUERADE && (!strcmp(c->chain, "input") ||
					 !strcmp(c->chain, "output")))
		return fail(p, "masquerading not allowed for input and output chains");
	if (kind == IPT_T_REDIRECT && (!strcmp(c->chain, "output") ||
				       !strcmp(c->chain, "forward")))
		return fail(p, "redirect not allowed for output and forward chains");
	if (p->command == C_REPLACE && (c->nsrc != 1 || c->ndst != 1))
		return fail(p, "Replacement rule does not specify a unique address");
	return 0;
}

/* The tool's generic_opt_check(): each option against the commands given */
static int options_check(struct parse *p)
{
	for (int i = 0; i < NOPTS; i++) {
		int legal = 0;

		for (int j = 0; j < NCMDS; j++) {
			if (!(p->command & (1u << j)))
				continue;
			if (!(p->options & (1u << i))) {
				if (cmd_opts[j][i] == '+')
					return fail(p, "You need to supply the `%s' option for this command",
						    opt_names[i]);
			} else if (cmd_opts[j][i] != 'x') {
				legal = 1;
			} else if (!legal) {
				legal = -1;
			}
		}
		if (legal < 0)
			return fail(p, "Illegal option `%s' with this command",
				    opt_names[i]);
	}
	return 0;
}

static int bits_count(unsigned v)
{
	return __builtin_popcount(v & 0x0e);
}

/* RFC 1349: bit 0 untouched, never more than one TOS bit set for sure */
static int tos_check(struct parse *p)
{
	struct ipt_legacy *lg = &p->cmd->rule.lg;

	if (!(p->options & O_TOS))
		return 0;
	if (!(p->tos_and & 1) || (p->tos_xor & 1))
		return fail(p, "TOS manipulation cannot alter bit 0 (RFC1349)");
	if (bits_count((uint8_t)~p->tos_and & p->tos_xor) > 1)
		return fail(p, "TOS manipulation cannot set multiple TOS bits (RFC1349)");
	if (p->tos_and == 0xff && !p->tos_xor)
		return 0;	/* what every rule does without -t */
	lg->flags |= IPT_LG_TOS;
	lg->tos_and = p->tos_and;
	lg->tos_xor = p->tos_xor;
	return 0;
}

/* The REDIRECT port (0 or none: the packet's own) */
static int redirect_port(struct parse *p)
{
	struct ipt_target *t = &p->cmd->rule.t;
	uint16_t port = 0;

	if (t->kind != IPT_T_REDIRECT || !p->rport)
		return 0;
	if (port_parse(p, p->rport, &port))
		return -1;
	if (port) {
		t->u.nat.flags = IPT_NAT_PORTS;
		t->u.nat.port_lo = t->u.nat.port_hi = port;
	}
	return 0;
}

/* The rule's ports and inversions, in the model's fields */
static void rule_fill(struct parse *p, struct ipt_portrange sp,
		      struct ipt_portrange dp)
{
	struct ipt_rule *r = &p->cmd->rule;
	struct ipt_legacy *lg = &r->lg;

	if (p->invflg & V_SRC)
		r->inv |= IPT_INV_SRC;
	if (p->invflg & V_DST)
		r->inv |= IPT_INV_DST;
	if (p->invflg & V_PROTO)
		r->inv |= IPT_INV_PROTO;
	if (p->invflg & V_FRAG)
		r->inv |= IPT_INV_FRAG;
	if (p->invflg & V_SYN)
		lg->flags |= IPT_LG_SYN_INV;
	if ((p->invflg & V_IFACE) && !r->in[0])
		snprintf(r->in, sizeof(r->in), "+");	/* "! any" */
	else if (!(p->invflg & V_IFACE) && !strcmp(r->in, "+"))
		r->in[0] = '\0';			/* any */
	if (p->invflg & V_IFACE)
		r->inv |= IPT_INV_IN;
	if (sp.lo || sp.hi != PORT_ANY_HI || (p->invflg & V_SPORT)) {
		lg->nsp = 1;
		lg->sp[0] = sp;
	}
	if (dp.lo || dp.hi != PORT_ANY_HI || (p->invflg & V_DPORT)) {
		lg->ndp = 1;
		lg->dp[0] = dp;
	}
	if (p->invflg & V_SPORT)
		lg->flags |= IPT_LG_SP_INV;
	if (p->invflg & V_DPORT)
		lg->flags |= IPT_LG_DP_INV;
	if ((lg->flags & IPT_LG_NETLINK) && p->outsize != PORT_ANY_HI)
		lg->outsize = p->outsize;
}

static const struct {
	unsigned bits;
	uint8_t op;
} ops[] = {
	{ C_APPEND, IPCHAINS_OP_APPEND }, { C_DELETE, IPCHAINS_OP_DELETE },
	{ C_DELETE_NUM, IPCHAINS_OP_DELETE_NUM },
	{ C_REPLACE, IPCHAINS_OP_REPLACE }, { C_INSERT, IPCHAINS_OP_INSERT },
	{ C_CHECK, IPCHAINS_OP_CHECK }, { C_LIST, IPCHAINS_OP_LIST },
	{ C_LIST | C_ZERO, IPCHAINS_OP_LIST }, { C_FLUSH, IPCHAINS_OP_FLUSH },
	{ C_ZERO, IPCHAINS_OP_ZERO }, { C_NEW_CHAIN, IPCHAINS_OP_NEW_CHAIN },
	{ C_DELETE_CHAIN, IPCHAINS_OP_DELETE_CHAIN },
	{ C_POLICY, IPCHAINS_OP_POLICY },
	{ C_MASQ | C_LIST, IPCHAINS_OP_MASQ_LIST },
	{ C_MASQ | C_SET_MASQ, IPCHAINS_OP_MASQ_SET },
};

/* The command's op and its -n -v -x --line-numbers -Z -b */
static int command_fill(struct parse *p)
{
	struct ipchains_cmd *c = p->cmd;
	static const struct {
		unsigned opt;
		uint16_t bit;
	} kept[] = {
		{ O_NUMERIC, IPCHAINS_OPT_NUMERIC },
		{ O_VERBOSE, IPCHAINS_OPT_VERBOSE },
		{ O_EXACT, IPCHAINS_OPT_EXACT },
		{ O_LINENUM, IPCHAINS_OPT_LINENUM },
		{ O_BIDIR, IPCHAINS_OPT_BIDIR },
	};

	if (p->command == C_MASQ)
		return fail(p, "-M/--masquerading requires -L/--list or -S/--set");
	for (size_t i = 0; i < ARRAY_SIZE(kept); i++)
		if (p->options & kept[i].opt)
			c->opts |= kept[i].bit;
	if ((p->command & C_LIST) && (p->command & C_ZERO))
		c->opts |= IPCHAINS_OPT_ZERO;
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		if (ops[i].bits == p->command) {
			c->op = ops[i].op;
			if (p->command & C_MASQ)	/* a chain means nothing */
				c->chain[0] = '\0';
			return 0;
		}
	}
	return fail(p, "no command specified");
}

/* Everything after the walk, as the tool's main() did it */
static int finish(struct parse *p, int early_end)
{
	struct ipt_portrange sp, dp;

	if (early_end)
		return fail(p, "unknown arguments found on commandline");
	if (!p->command)
		return fail(p, "no command specified");
	if (p->invert)
		return fail(p, "nothing appropriate following !");
	if (addresses(p, &sp, &dp) || rule_checks(p, sp, dp))
		return -1;
	if (p->command == C_SET_MASQ)
		p->command |= C_MASQ;	/* a lazy -S without -M */
	if (options_check(p) || redirect_port(p) || tos_check(p))
		return -1;
	rule_fill(p, sp, dp);
	return command_fill(p);
}

/**
 * ipchains_parse() - Parse the words of one ipchains command
 * @argc, @argv:	the words after "ipchains"
 * @res:		name lookups, or NULL for numeric words only
 * @cmd:		filled on success
 * @err:		why not, in ipchains' words
 *
 * Return: 0, or -1 with @err set
 */
int ipchains_parse(int argc, char *const *argv, const struct ipt_resolver *res,
		   struct ipchains_cmd *cmd, struct ipt_err *err)
{
	struct parse p = { .res = res, .cmd = cmd, .err = err,
			   .argc = argc < 0 ? 0 : argc, .argv = argv,
			   .outsize = PORT_ANY_HI };
	int r;

	memset(cmd, 0, sizeof(*cmd));
	err->msg[0] = '\0';
	r = walk(&p);
	if (r < 0)
		return -1;
	if (p.stop) {	/* -h, -V: what came before does not count */
		uint8_t op = cmd->op;
		uint16_t icmp = cmd->opts & IPCHAINS_OPT_HELP_ICMP;

		memset(cmd, 0, sizeof(*cmd));
		cmd->op = op;
		cmd->opts = icmp;
		return 0;
	}
	return finish(&p, r);
}
