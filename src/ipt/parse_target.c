// SPDX-License-Identifier: MIT
/*
 * parse_target.c - the -j targets: their options, their checks, the registry
 *
 * Owns target_exts[] (ext.h) and the options of the targets older than
 * the registry's own-file extensions: REJECT, LOG, MARK, TCPMSS and the
 * NAT targets (MASQUERADE, SNAT, DNAT, REDIRECT), with iptables-legacy
 * 1.8.9's defaults and refusals.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ipt/ipt.h"
#include "ipt/parsing.h"
#include "ipt/words.h"

static const struct ext_opt reject_opts[] = {
	{ "reject-with", 0, 1, false },
	{ NULL, 0, 0, false },
};
enum { LOG_LEVEL, LOG_PREFIX, LOG_TCPSEQ, LOG_TCPOPT, LOG_IPOPT, LOG_UID,
       LOG_MACDECODE };
static const struct ext_opt log_opts[] = {
	{ "log-level", LOG_LEVEL, 1, false },
	{ "log-prefix", LOG_PREFIX, 1, false },
	{ "log-tcp-sequence", LOG_TCPSEQ, 0, false },
	{ "log-tcp-options", LOG_TCPOPT, 0, false },
	{ "log-ip-options", LOG_IPOPT, 0, false },
	{ "log-uid", LOG_UID, 0, false },
	{ "log-macdecode", LOG_MACDECODE, 0, false },
	{ NULL, 0, 0, false },
};
static const struct ext_opt mark_target_opts[] = {
	{ "set-mark", IPT_MARK_SET, 1, false },
	{ "set-xmark", IPT_MARK_XSET, 1, false },
	{ "and-mark", IPT_MARK_AND, 1, false },
	{ "or-mark", IPT_MARK_OR, 1, false },
	{ "xor-mark", IPT_MARK_XOR, 1, false },
	{ NULL, 0, 0, false },
};
enum { MSS_SET, MSS_CLAMP };
static const struct ext_opt tcpmss_opts[] = {
	{ "set-mss", MSS_SET, 1, false },
	{ "clamp-mss-to-pmtu", MSS_CLAMP, 0, false },
	{ NULL, 0, 0, false },
};
enum { NAT_TO, NAT_RANDOM, NAT_PERSISTENT, NAT_RANDOM_FULLY };
/* --persistent is SNAT's and DNAT's, --random-fully MASQUERADE's and SNAT's */
static const struct ext_opt masquerade_opts[] = {
	{ "to-ports", NAT_TO, 1, false }, { "random", NAT_RANDOM, 0, false },
	{ "random-fully", NAT_RANDOM_FULLY, 0, false },
	{ NULL, 0, 0, false },
};
static const struct ext_opt redirect_opts[] = {
	{ "to-ports", NAT_TO, 1, false }, { "random", NAT_RANDOM, 0, false },
	{ NULL, 0, 0, false },
};
static const struct ext_opt snat_opts[] = {
	{ "to-source", NAT_TO, 1, false }, { "random", NAT_RANDOM, 0, false },
	{ "persistent", NAT_PERSISTENT, 0, false },
	{ "random-fully", NAT_RANDOM_FULLY, 0, false },
	{ NULL, 0, 0, false },
};
static const struct ext_opt dnat_opts[] = {
	{ "to-destination", NAT_TO, 1, false },
	{ "random", NAT_RANDOM, 0, false },
	{ "persistent", NAT_PERSISTENT, 0, false },
	{ NULL, 0, 0, false },
};

/* ---- targets ------------------------------------------------------------- */

static int reject_opt(struct parse *p, struct ipt_target *t,
		      const struct ext_opt *o, const char *const *a)
{
	size_t l = strlen(a[0]);

	(void)o;
	for (size_t i = 0; i < ARRAY_SIZE(reject_names); i++)
		if (!strcasecmp(a[0], reject_names[i].name) ||
		    !strcasecmp(a[0], reject_names[i].alias)) {
			t->u.reject_with = reject_names[i].with;
			return 0;
		}
	for (size_t i = 0; i < ARRAY_SIZE(reject_names) && l; i++)
		if (!strncasecmp(a[0], reject_names[i].name, l)) {
			t->u.reject_with = reject_names[i].with;
			return 0;
		}
	return fail(p, "unknown reject type '%s' for --reject-with", a[0]);
}

static int log_level_parse(struct parse *p, const char *arg, uint8_t *level)
{
	uint32_t v;

	for (size_t i = 0; i < ARRAY_SIZE(log_levels); i++)
		if (!strcmp(arg, log_levels[i].name)) {
			*level = log_levels[i].level;
			return 0;
		}
	if (!u32_parse(arg, 7, &v))
		return fail(p, "unknown log level '%s' (0-7 or a name)", arg);
	*level = (uint8_t)v;
	return 0;
}

static int log_opt(struct parse *p, struct ipt_target *t,
		   const struct ext_opt *o, const char *const *a)
{
	static const uint8_t flag[] = {
		[LOG_TCPSEQ] = IPT_LOG_TCPSEQ, [LOG_TCPOPT] = IPT_LOG_TCPOPT,
		[LOG_IPOPT] = IPT_LOG_IPOPT, [LOG_UID] = IPT_LOG_UID,
		[LOG_MACDECODE] = IPT_LOG_MACDECODE,
	};

	switch (o->id) {
	case LOG_LEVEL:
		return log_level_parse(p, a[0], &t->u.log.level);
	case LOG_PREFIX:
		if (!a[0][0])
			return fail(p, "--log-prefix may not be empty");
		return text_copy(p, "--log-prefix", a[0], t->u.log.prefix,
				 sizeof(t->u.log.prefix));
	default:
		t->u.log.flags |= flag[o->id];
		return 0;
	}
}

/*
 * MARK: every form becomes mark = (mark & ~mask) ^ value, as xt_MARK v2
 * stores it (iptables -S prints all of them as --set-xmark):
 * --set-mark v/m: mask m|v; --and-mark v: 0/~v; --or-mark v: v/v;
 * --xor-mark v: v/0.
 */
static int mark_target_opt(struct parse *p, struct ipt_target *t,
			   const struct ext_opt *o, const char *const *a)
{
	uint32_t v, m;
	char show[24];

	snprintf(show, sizeof(show), "--%s", o->name);
	if (p->tseen)
		return fail(p, "MARK takes only one of --set-xmark, --set-mark,"
			    " --and-mark, --or-mark and --xor-mark");
	if (mark_parse(p, show, a[0], o->id <= IPT_MARK_XSET, &v, &m))
		return -1;
	t->u.mark.how = o->id;
	switch (o->id) {
	case IPT_MARK_SET:
		m |= v;
		break;
	case IPT_MARK_AND:
		m = ~v;
		v = 0;
		break;
	case IPT_MARK_OR:
		m = v;
		break;
	case IPT_MARK_XOR:
		m = 0;
		break;
	}
	t->u.mark.value = v;
	t->u.mark.mask = m;
	return 0;
}

static int mark_target_check(struct parse *p, const struct ipt_target *t)
{
	(void)t;
	if (!p->tseen)
		return fail(p, "MARK needs one of --set-xmark, --set-mark, "
			    "--and-mark, --or-mark and --xor-mark");
	return 0;
}

static int tcpmss_opt(struct parse *p, struct ipt_target *t,
		      const struct ext_opt *o, const char *const *a)
{
	uint32_t mss;

	/* both may be given: the last one wins, as iptables */
	p->tseen = 0;
	if (o->id == MSS_CLAMP) {
		t->u.tcpmss.mss = 0;
		return 0;
	}
	/* 0 stands for --clamp-mss-to-pmtu here, so it cannot be set */
	if (!u32_parse(a[0], 65515, &mss) || !mss)
		return fail(p, "bad value '%s' for --set-mss (1-65515)", a[0]);
	t->u.tcpmss.mss = (uint16_t)mss;
	return 0;
}

static int tcpmss_check(struct parse *p, const struct ipt_target *t)
{
	(void)t;
	if (!p->tseen)
		return fail(p, "TCPMSS needs --set-mss or --clamp-mss-to-pmtu");
	return 0;	/* -p tcp and a SYN match: ipt_exec()'s (the kernel's) */
}

/*
 * The protocols whose ports a NAT target may name, as iptables' NAT
 * extensions allow them (ICMP: the identifier); not negated
 */
static bool nat_ports_ok(const struct parse *p)
{
	static const uint8_t ok[] = { 6, 17, 132, 33, 1 };

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
		if (proto_is(p, ok[i]))
			return true;
	return false;
}

/*
 * One port of a NAT range: a number, or (when @name_ok) a service name
 * of any protocol; @end is set past a number (a name takes it all)
 */
static bool nat_port_word(struct parse *p, const char *s, bool name_ok,
			  uint16_t *port, const char **end)
{
	size_t n = strspn(s, "0123456789abcdefABCDEFxX");
	char num[16];
	uint32_t v;

	for (; n; n--)	/* the longest number, as strtoul() reads one */
		if (piece(s, n, num, sizeof(num)) && u32_parse(num, 65535, &v)) {
			*port = (uint16_t)v;
			*end = s + n;
			return true;
		}
	*end = s + strlen(s);
	return name_ok && *s && p->res && p->res->service &&
	       !p->res->service(s, NULL, port);
}

/*
 * "p", "p-q" or "p-q/base" as iptables-legacy 1.8.9's NAT targets read
 * them: a service name only for p (the whole word: "ftp-data") and the
 * base, q numeric ("ftp-ssh" and "10-ssh" are refused); a shifted range
 * (the kernel's NF_NAT_RANGE_PROTO_OFFSET) only for DNAT, SNAT and
 * MASQUERADE. SNAT's and MASQUERADE's kernel revisions keep no base: -S
 * shows "/0", which masq reads back (the reference refuses base 0)
 */
static int nat_ports_parse(struct parse *p, const char *show, const char *arg,
			   struct ipt_target *t)
{
	const char *end;
	uint16_t base;

	if (!nat_ports_ok(p))
		return fail(p, "ports for %s need -p tcp, udp, sctp, dccp or "
			    "icmp before them", show);
	if (!nat_port_word(p, arg, true, &t->u.nat.port_lo, &end))
		return fail(p, "bad port '%s' for %s", arg, show);
	t->u.nat.port_hi = t->u.nat.port_lo;
	t->u.nat.flags |= IPT_NAT_PORTS;
	if (!*end)
		return 0;
	if (*end == ':')
		return fail(p, "bad port range '%s' for %s: use a dash", arg,
			    show);
	if (*end != '-')
		return fail(p, "bad port '%s' for %s", arg, show);
	if (!nat_port_word(p, end + 1, false, &t->u.nat.port_hi, &end))
		return fail(p, "bad port range '%s' for %s (a range takes "
			    "numbers)", arg, show);
	if (t->u.nat.port_lo > t->u.nat.port_hi)
		return fail(p, "port range '%s' for %s goes backwards", arg,
			    show);
	if (!*end)
		return 0;
	if (*end != '/' || !nat_port_word(p, end + 1, true, &base, &end) ||
	    *end || (!base && t->kind == IPT_T_DNAT))
		return fail(p, "bad port range '%s' for %s", arg, show);
	if (t->kind == IPT_T_REDIRECT)
		return fail(p, "REDIRECT takes no shifted port range ('%s')",
			    arg);
	t->u.nat.flags |= IPT_NAT_OFFSET;
	t->u.nat.port_base = t->kind == IPT_T_DNAT ? base : 0;
	return 0;
}

/* "[a[-b]][:p[-q]]" for --to-source / --to-destination */
static int nat_to_parse(struct parse *p, const char *show, const char *arg,
			struct ipt_target *t)
{
	const char *colon = strchr(arg, ':');
	size_t al = colon ? (size_t)(colon - arg) : strlen(arg);
	char addr[64], lo[32];
	const char *dash;

	if (!piece(arg, al, addr, sizeof(addr)))
		return fail(p, "bad address '%s' for %s", arg, show);
	if (colon && nat_ports_parse(p, show, colon + 1, t))
		return -1;
	if (!al) {
		if (!colon)
			return fail(p, "%s needs an address or :ports", show);
		return 0;
	}
	dash = strchr(addr, '-');
	if (!piece(addr, dash ? (size_t)(dash - addr) : al, lo, sizeof(lo)) ||
	    !ip_parse(lo, 4, &t->u.nat.addr_lo) ||
	    (dash && !ip_parse(dash + 1, 4, &t->u.nat.addr_hi)))
		return fail(p, "bad address '%s' for %s", addr, show);
	if (!dash)
		t->u.nat.addr_hi = t->u.nat.addr_lo;
	if (t->u.nat.addr_lo > t->u.nat.addr_hi)
		return fail(p, "address range '%s' for %s goes backwards", addr,
			    show);
	t->u.nat.flags |= IPT_NAT_ADDR;
	return 0;
}

static int nat_opt(struct parse *p, struct ipt_target *t,
		   const struct ext_opt *o, const char *const *a)
{
	char show[24];

	snprintf(show, sizeof(show), "--%s", o->name);
	switch (o->id) {
	case NAT_RANDOM:
		t->u.nat.flags |= IPT_NAT_RANDOM;
		return 0;
	case NAT_PERSISTENT:
		t->u.nat.flags |= IPT_NAT_PERSISTENT;
		return 0;
	case NAT_RANDOM_FULLY:
		t->u.nat.flags |= IPT_NAT_RANDOM_FULLY;
		return 0;
	default:
		if (t->kind == IPT_T_SNAT || t->kind == IPT_T_DNAT)
			return nat_to_parse(p, show, a[0], t);
		return nat_ports_parse(p, show, a[0], t);
	}
}

static int nat_check(struct parse *p, const struct ipt_target *t)
{
	if (p->tseen & (1u << NAT_TO))
		return 0;
	return fail(p, t->kind == IPT_T_SNAT ? "SNAT needs --to-source" :
		    "DNAT needs --to-destination");
}


/* Targets iptables knows and masq does not: an error, not a user chain */
static const char *const unsupported_targets[] = {
	"ACCOUNT", "AUDIT", "CHAOS", "CHECKSUM", "CLASSIFY", "CLUSTERIP",
	"CONNSECMARK", "DELUDE", "DHCPMAC", "DNETMAP",
	"DNPT", "DSCP", "ECHO", "ECN", "HL", "HMARK", "IDLETIMER", "IPMARK",
	"IPV4OPTSSTRIP", "LED", "LOGMARK", "MIRROR", "NETMAP", "NFLOG",
	"NFQUEUE", "QUEUE", "RATEEST", "RAWDNAT", "RAWSNAT",
	"ROUTE", "SAME", "SECMARK", "SET", "SNPT", "STEAL", "SYNPROXY",
	"SYSRQ", "TARPIT", "TCPOPTSTRIP", "TEE", "TPROXY", "TRACE", "ULOG",
};

/* A name -j reads as a target, not as a user chain */
bool is_target_name(const char *name)
{
	return target_kind_by_name(name) >= 0 ||
	       name_in(name, unsupported_targets,
		       ARRAY_SIZE(unsupported_targets));
}

/* What "iptables -j NAME -h" prints for them, after "NAME target options:" */
static const char reject_help[] =
"--reject-with type              drop input packet and send back\n"
"                                a reply packet according to type:\n";
static const char log_help[] =
" --log-level level\t\tLevel of logging (numeric or see syslog.conf)\n"
" --log-prefix prefix\t\tPrefix log messages with this prefix.\n"
" --log-tcp-sequence\t\tLog TCP sequence numbers.\n"
" --log-tcp-options\t\tLog TCP options.\n"
" --log-ip-options\t\tLog IP options.\n"
" --log-uid\t\t\tLog UID owning the local socket.\n"
" --log-macdecode\t\tDecode MAC addresses and protocol.\n";
static const char mark_target_help[] =
"  --set-xmark value[/mask]  Clear bits in mask and XOR value into nfmark\n"
"  --set-mark value[/mask]   Clear bits in mask and OR value into nfmark\n"
"  --and-mark bits           Binary AND the nfmark with bits\n"
"  --or-mark bits            Binary OR the nfmark with bits\n"
"  --xor-mark bits           Binary XOR the nfmark with bits\n";
static const char tcpmss_help[] =
"  --set-mss value               explicitly set MSS option to specified value\n"
"  --clamp-mss-to-pmtu           automatically clamp MSS value to (path_MTU - 40)\n";
static const char masquerade_help[] =
" --to-ports <port>[-<port>]\n"
"\t\t\t\tPort (range) to map to.\n"
" --random\n"
"\t\t\t\tRandomize source port.\n"
" --random-fully\n"
"\t\t\t\tFully randomize source port.\n";
static const char redirect_help[] =
" --to-ports <port>[-<port>]\n"
"\t\t\t\tPort (range) to map to.\n"
" [--random]\n";
static const char snat_help[] =
" --to-source [<ipaddr>[-<ipaddr>]][:port[-port]]\n"
"\t\t\t\tAddress to map source to.\n"
"[--random] [--random-fully] [--persistent]\n";
static const char dnat_help[] =
" --to-destination [<ipaddr>[-<ipaddr>]][:port[-port[/port]]]\n"
"\t\t\t\tAddress to map destination to.\n"
"[--random] [--persistent]\n";

const char *refused_target_at(size_t i)
{
	return i < ARRAY_SIZE(unsupported_targets) ? unsupported_targets[i] :
						     NULL;
}

/* Every kind has an entry; ext.h says what each member is for */
#define TARGET(n, o, fo, fc, h) \
	(&(const struct target_ext){ .name = n, .opts = o, .opt = fo, \
				     .check = fc, .help = h })
const struct target_ext *const target_exts[IPT_T_KINDS] = {
	[IPT_T_NONE] = TARGET(NULL, NULL, NULL, NULL, NULL),
	[IPT_T_ACCEPT] = TARGET("ACCEPT", NULL, NULL, NULL, NULL),
	[IPT_T_DROP] = TARGET("DROP", NULL, NULL, NULL, NULL),
	[IPT_T_RETURN] = TARGET("RETURN", NULL, NULL, NULL, NULL),
	[IPT_T_JUMP] = TARGET(NULL, NULL, NULL, NULL, NULL),
	[IPT_T_GOTO] = TARGET(NULL, NULL, NULL, NULL, NULL),
	/* tcp-reset's -p tcp is ipt_exec()'s check (the kernel's): status 1 */
	[IPT_T_REJECT] = TARGET("REJECT", reject_opts, reject_opt, NULL,
				reject_help),
	[IPT_T_LOG] = TARGET("LOG", log_opts, log_opt, NULL, log_help),
	[IPT_T_MARK] = TARGET("MARK", mark_target_opts, mark_target_opt,
			      mark_target_check, mark_target_help),
	[IPT_T_TCPMSS] = TARGET("TCPMSS", tcpmss_opts, tcpmss_opt,
				tcpmss_check, tcpmss_help),
	[IPT_T_MASQUERADE] = TARGET("MASQUERADE", masquerade_opts, nat_opt,
				    NULL, masquerade_help),
	[IPT_T_SNAT] = TARGET("SNAT", snat_opts, nat_opt, nat_check,
			      snat_help),
	[IPT_T_DNAT] = TARGET("DNAT", dnat_opts, nat_opt, nat_check,
			      dnat_help),
	[IPT_T_REDIRECT] = TARGET("REDIRECT", redirect_opts, nat_opt, NULL,
				  redirect_help),
	[IPT_T_TOS] = &ipt_TOS_target,
	[IPT_T_TTL] = &ipt_TTL_target,
	[IPT_T_NOTRACK] = &ipt_NOTRACK_target,
	[IPT_T_CT] = &ipt_CT_target,
	[IPT_T_CONNMARK] = &ipt_CONNMARK_target,
};

int target_kind_by_name(const char *name)
{
	for (int k = 0; k < IPT_T_KINDS; k++)
		if (target_exts[k]->name && !strcmp(target_exts[k]->name, name))
			return k;
	return -1;
}
