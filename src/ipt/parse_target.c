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
#include "ipt/parse.h"
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
enum { NAT_TO, NAT_RANDOM, NAT_PERSISTENT };
static const struct ext_opt masquerade_opts[] = {
	{ "to-ports", NAT_TO, 1, false }, { "random", NAT_RANDOM, 0, false },
	{ "random-fully", OPT_UNSUPPORTED, 0, false },
	{ NULL, 0, 0, false },
};
static const struct ext_opt redirect_opts[] = {
	{ "to-ports", NAT_TO, 1, false }, { "random", NAT_RANDOM, 0, false },
	{ NULL, 0, 0, false },
};
static const struct ext_opt snat_opts[] = {
	{ "to-source", NAT_TO, 1, false }, { "random", NAT_RANDOM, 0, false },
	{ "persistent", NAT_PERSISTENT, 0, false },
	{ "random-fully", OPT_UNSUPPORTED, 0, false },
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

static int reject_check(struct parse *p, const struct ipt_target *t)
{
	if (t->u.reject_with == IPT_REJ_TCP_RESET && !proto_is(p, 6))
		return fail(p, "--reject-with tcp-reset needs -p tcp "
			    "(not negated)");
	return 0;
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

	if (p->tseen)
		return fail(p, "TCPMSS takes only one of --set-mss and "
			    "--clamp-mss-to-pmtu");
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
	if (!proto_is(p, 6))
		return fail(p, "TCPMSS needs -p tcp (not negated)");
	return 0;
}

/* "p" or "p-q" (a ':' is refused, as iptables: it separates the address) */
static int nat_ports_parse(struct parse *p, const char *show, const char *arg,
			   struct ipt_target *t)
{
	const char *proto = proto_name_for(p->cmd->rule.proto);
	const char *dash = strchr(arg, '-');
	char lo[64];

	if (!(p->given & G_PROTO) || !p->cmd->rule.proto)
		return fail(p, "ports for %s need -p tcp or -p udp before them",
			    show);
	if (strchr(arg, ':'))
		return fail(p, "bad port range '%s' for %s: use a dash", arg,
			    show);
	if (!piece(arg, dash ? (size_t)(dash - arg) : strlen(arg), lo,
		   sizeof(lo)) ||
	    !port_parse(p, lo, proto, &t->u.nat.port_lo))
		return fail(p, "bad port '%s' for %s", arg, show);
	t->u.nat.port_hi = t->u.nat.port_lo;
	if (dash && !port_parse(p, dash + 1, proto, &t->u.nat.port_hi))
		return fail(p, "bad port '%s' for %s", arg, show);
	if (t->u.nat.port_lo > t->u.nat.port_hi)
		return fail(p, "port range '%s' for %s goes backwards", arg,
			    show);
	t->u.nat.flags |= IPT_NAT_PORTS;
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


/* Every kind has an entry; ext.h says what each member is for */
#define TARGET(n, o, fo, fc) \
	(&(const struct target_ext){ .name = n, .opts = o, .opt = fo, .check = fc })
const struct target_ext *const target_exts[IPT_T_KINDS] = {
	[IPT_T_NONE] = TARGET(NULL, NULL, NULL, NULL),
	[IPT_T_ACCEPT] = TARGET("ACCEPT", NULL, NULL, NULL),
	[IPT_T_DROP] = TARGET("DROP", NULL, NULL, NULL),
	[IPT_T_RETURN] = TARGET("RETURN", NULL, NULL, NULL),
	[IPT_T_JUMP] = TARGET(NULL, NULL, NULL, NULL),
	[IPT_T_GOTO] = TARGET(NULL, NULL, NULL, NULL),
	[IPT_T_REJECT] = TARGET("REJECT", reject_opts, reject_opt,
				reject_check),
	[IPT_T_LOG] = TARGET("LOG", log_opts, log_opt, NULL),
	[IPT_T_MARK] = TARGET("MARK", mark_target_opts, mark_target_opt,
			      mark_target_check),
	[IPT_T_TCPMSS] = TARGET("TCPMSS", tcpmss_opts, tcpmss_opt,
				tcpmss_check),
	[IPT_T_MASQUERADE] = TARGET("MASQUERADE", masquerade_opts, nat_opt,
				    NULL),
	[IPT_T_SNAT] = TARGET("SNAT", snat_opts, nat_opt, nat_check),
	[IPT_T_DNAT] = TARGET("DNAT", dnat_opts, nat_opt, nat_check),
	[IPT_T_REDIRECT] = TARGET("REDIRECT", redirect_opts, nat_opt, NULL),
	[IPT_T_CONNMARK] = &ipt_CONNMARK_target,
};

int target_kind_by_name(const char *name)
{
	for (int k = 0; k < IPT_T_KINDS; k++)
		if (target_exts[k]->name && !strcmp(target_exts[k]->name, name))
			return k;
	return -1;
}
