// SPDX-License-Identifier: MIT
/*
 * format.c - a parsed command back as canonical words (ipt_cmd_format())
 *
 * What masqctl sends masqd: numbers for every name, one command per
 * source and destination address, words quoted as iptables-save quotes
 * them so ipt_split() reads them back, and nothing masqd would need a
 * resolver for. Extensions with their own printer (ext.h @save) are
 * written in their saved form, which parses back the same.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ipt/ipt.h"
#include "ipt/parsing.h"
#include "ipt/words.h"

/* One output line: words separated by single spaces */
struct line {
	struct ipt_text *out;
	bool started;
};

static bool needs_quotes(const char *w)
{
	if (!*w)
		return true;
	for (; *w; w++)
		if (is_blank(*w) || *w == '"' || *w == '\\' || *w == '\'')
			return true;
	return false;
}

/* A word as it is, quoted when ipt_split() would otherwise break it */
static void word(struct line *l, const char *w)
{
	ipt_text_printf(l->out, "%s", l->started ? " " : "");
	l->started = true;
	if (!needs_quotes(w)) {
		ipt_text_printf(l->out, "%s", w);
		return;
	}
	ipt_text_printf(l->out, "\"");
	for (const char *s = w; *s; s++) {
		const char *run = s;

		while (*s && *s != '"' && *s != '\\')
			s++;
		ipt_text_printf(l->out, "%.*s", (int)(s - run), run);
		if (!*s)
			break;
		ipt_text_printf(l->out, "\\%c", *s);
	}
	ipt_text_printf(l->out, "\"");
}

__attribute__((format(printf, 2, 3)))
static void wordf(struct line *l, const char *fmt, ...)
{
	char buf[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	word(l, buf);
}

/* "!" before a negated option */
static void neg(struct line *l, bool inv)
{
	if (inv)
		word(l, "!");
}

static void addr_word(struct line *l, uint32_t a, uint32_t m)
{
	int len;

	if (mask_is_prefix(m, &len))
		wordf(l, "%u.%u.%u.%u/%d", a >> 24, (a >> 16) & 255,
		      (a >> 8) & 255, a & 255, len);
	else
		wordf(l, "%u.%u.%u.%u/%u.%u.%u.%u", a >> 24, (a >> 16) & 255,
		      (a >> 8) & 255, a & 255, m >> 24, (m >> 16) & 255,
		      (m >> 8) & 255, m & 255);
}

static void range_word(struct line *l, const struct ipt_portrange *r,
		       char sep)
{
	if (r->lo == r->hi)
		wordf(l, "%u", r->lo);
	else
		wordf(l, "%u%c%u", r->lo, sep, r->hi);
}

static void flags_word(struct line *l, uint8_t bits)
{
	char buf[64] = "";

	for (size_t i = 0; i < ARRAY_SIZE(tcp_flag_names); i++)
		if (bits & tcp_flag_names[i].bit) {
			if (*buf)
				strcat(buf, ",");
			strcat(buf, tcp_flag_names[i].name);
		}
	word(l, *buf ? buf : "NONE");
}

static void states_word(struct line *l, uint8_t mask)
{
	char buf[128] = "";

	for (size_t i = 0; i < ARRAY_SIZE(state_names); i++)
		if (mask & state_names[i].bit) {
			if (*buf)
				strcat(buf, ",");
			strcat(buf, state_names[i].name);
		}
	word(l, buf);
}

static void l4_format(struct line *l, const struct ipt_match *m)
{
	if (m->set & IPT_F_SPORT) {
		neg(l, m->inv & IPT_F_SPORT);
		word(l, "--sport");
		range_word(l, &m->u.l4.sport, ':');
	}
	if (m->set & IPT_F_DPORT) {
		neg(l, m->inv & IPT_F_DPORT);
		word(l, "--dport");
		range_word(l, &m->u.l4.dport, ':');
	}
	if (m->set & IPT_F_TCPOPT) {
		neg(l, m->inv & IPT_F_TCPOPT);
		word(l, "--tcp-option");
		wordf(l, "%u", m->u.l4.option);
	}
	if (m->set & IPT_F_TCPFLAGS) {
		neg(l, m->inv & IPT_F_TCPFLAGS);
		word(l, "--tcp-flags");
		flags_word(l, m->u.l4.flg_mask);
		flags_word(l, m->u.l4.flg_cmp);
	}
}

static void icmp_format(struct line *l, const struct ipt_match *m)
{
	neg(l, m->inv & IPT_F_VALUE);
	word(l, "--icmp-type");
	if (m->u.icmp.code_lo == 0 && m->u.icmp.code_hi == 255)
		wordf(l, "%u", m->u.icmp.type);
	else
		wordf(l, "%u/%u", m->u.icmp.type, m->u.icmp.code_lo);
}

static void multiport_format(struct line *l, const struct ipt_match *m)
{
	static const char *const opt[] = {
		[IPT_MP_SPORTS] = "--sports", [IPT_MP_DPORTS] = "--dports",
		[IPT_MP_PORTS] = "--ports",
	};
	char buf[IPT_MULTIPORT_MAX * 12 + 1] = "";
	size_t o = 0;

	neg(l, m->inv & IPT_F_VALUE);
	word(l, opt[m->u.mp.which < 3 ? m->u.mp.which : IPT_MP_PORTS]);
	for (int i = 0; i < m->u.mp.count && i < IPT_MULTIPORT_MAX; i++) {
		const struct ipt_portrange *r = &m->u.mp.p[i];

		if (o >= sizeof(buf))
			break;
		o += (size_t)snprintf(buf + o, sizeof(buf) - o,
				      r->lo == r->hi ? "%s%u" : "%s%u:%u",
				      i ? "," : "", r->lo, r->hi);
	}
	word(l, buf);
}

/* "N/unit" that parses back to the same average (see limit_rate_parse) */
static void limit_format(struct line *l, uint32_t avg)
{
	for (size_t i = 0; avg && i < ARRAY_SIZE(limit_units); i++) {
		uint64_t s = (uint64_t)IPT_LIMIT_SCALE * limit_units[i].secs;
		uint64_t n = s / avg;

		if (n && s / n == avg) {
			wordf(l, "%llu/%s", (unsigned long long)n,
			      limit_units[i].show);
			return;
		}
	}
	word(l, "1/day");
}

/* An extension's saved form (ext.h @save), which parses back the same */
static void saved_words(struct line *l, const struct ipt_text *t)
{
	const char *s = t->s ? t->s : "";

	if (!l->started && *s == ' ')
		s++;
	ipt_text_printf(l->out, "%s", s);
	l->started = l->started || *s;
}

static void match_format(struct line *l, const struct ipt_rule *r,
			 const struct ipt_match *m)
{
	struct ipt_text t = { 0 };

	if (m->kind >= IPT_M_KINDS)
		return;
	if (match_exts[m->kind]->save) {
		match_exts[m->kind]->save(r, m, &t);
		saved_words(l, &t);
		l->out->oom |= t.oom;
		ipt_text_free(&t);
		return;
	}
	word(l, "-m");
	word(l, match_exts[m->kind]->name);
	switch (m->kind) {
	case IPT_M_TCP:
	case IPT_M_UDP:
		l4_format(l, m);
		break;
	case IPT_M_ICMP:
		icmp_format(l, m);
		break;
	case IPT_M_STATE:
		neg(l, m->inv & IPT_F_VALUE);
		word(l, "--state");
		states_word(l, m->u.state.mask);
		break;
	case IPT_M_MULTIPORT:
		multiport_format(l, m);
		break;
	case IPT_M_MARK:
		neg(l, m->inv & IPT_F_VALUE);
		word(l, "--mark");
		if (m->u.mark.mask == ~0u)
			wordf(l, "0x%x", m->u.mark.value);
		else
			wordf(l, "0x%x/0x%x", m->u.mark.value, m->u.mark.mask);
		break;
	case IPT_M_LIMIT:
		if (m->set & IPT_F_LIMIT) {
			word(l, "--limit");
			limit_format(l, m->u.limit.avg);
		}
		if (m->set & IPT_F_BURST) {
			word(l, "--limit-burst");
			wordf(l, "%u", m->u.limit.burst);
		}
		break;
	case IPT_M_MAC: {
		const uint8_t *a = m->u.mac.addr;

		neg(l, m->inv & IPT_F_VALUE);
		word(l, "--mac-source");
		wordf(l, "%02x:%02x:%02x:%02x:%02x:%02x", a[0], a[1], a[2],
		      a[3], a[4], a[5]);
		break;
	}
	case IPT_M_COMMENT: {
		char c[IPT_COMMENT_MAX];

		memcpy(c, ipt_comment(r, m), sizeof(c) - 1);
		c[sizeof(c) - 1] = 0;
		word(l, "--comment");
		word(l, c);
		break;
	}
	}
}

static void nat_format(struct line *l, const struct ipt_target *t)
{
	const char *opt = t->kind == IPT_T_SNAT ? "--to-source" :
			  t->kind == IPT_T_DNAT ? "--to-destination" :
						  "--to-ports";
	uint8_t f = t->u.nat.flags;
	char buf[80] = "";
	size_t o = 0;

	if (t->kind == IPT_T_SNAT || t->kind == IPT_T_DNAT) {
		uint32_t lo = t->u.nat.addr_lo, hi = t->u.nat.addr_hi;

		if (f & IPT_NAT_ADDR)
			o += (size_t)snprintf(buf, sizeof(buf),
					      "%u.%u.%u.%u", lo >> 24,
					      (lo >> 16) & 255, (lo >> 8) & 255,
					      lo & 255);
		if ((f & IPT_NAT_ADDR) && hi != lo)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o,
					      "-%u.%u.%u.%u", hi >> 24,
					      (hi >> 16) & 255, (hi >> 8) & 255,
					      hi & 255);
		if (f & IPT_NAT_PORTS)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, ":");
	}
	/* a shifted range keeps its "-HI" even when one port wide: "P/BASE"
	 * (-S's, as the reference prints it) does not parse */
	if (f & IPT_NAT_PORTS)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o,
				      t->u.nat.port_lo == t->u.nat.port_hi &&
				      !(f & IPT_NAT_OFFSET) ? "%u" : "%u-%u",
				      t->u.nat.port_lo, t->u.nat.port_hi);
	if ((f & IPT_NAT_PORTS) && (f & IPT_NAT_OFFSET) && o < sizeof(buf))
		snprintf(buf + o, sizeof(buf) - o, "/%u", t->u.nat.port_base);
	if (*buf) {
		word(l, opt);
		word(l, buf);
	}
	if (f & IPT_NAT_RANDOM)
		word(l, "--random");
	if (f & IPT_NAT_RANDOM_FULLY)
		word(l, "--random-fully");
	if (f & IPT_NAT_PERSISTENT)
		word(l, "--persistent");
}

static void log_format(struct line *l, const struct ipt_target *t)
{
	static const struct {
		uint8_t flag;
		const char *opt;
	} flags[] = {
		{ IPT_LOG_TCPSEQ, "--log-tcp-sequence" },
		{ IPT_LOG_TCPOPT, "--log-tcp-options" },
		{ IPT_LOG_IPOPT, "--log-ip-options" },
		{ IPT_LOG_UID, "--log-uid" },
		{ IPT_LOG_MACDECODE, "--log-macdecode" },
	};
	char prefix[IPT_LOG_PREFIX_MAX];

	memcpy(prefix, t->u.log.prefix, sizeof(prefix) - 1);
	prefix[sizeof(prefix) - 1] = 0;
	if (*prefix) {
		word(l, "--log-prefix");
		word(l, prefix);
	}
	if (t->u.log.level != 4) {
		word(l, "--log-level");
		wordf(l, "%u", t->u.log.level);
	}
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
		if (t->u.log.flags & flags[i].flag)
			word(l, flags[i].opt);
}

/* MARK back in the form it was written in (see mark_target_opt) */
static void mark_target_format(struct line *l, const struct ipt_target *t)
{
	uint32_t v = t->u.mark.value, m = t->u.mark.mask;

	switch (t->u.mark.how) {
	case IPT_MARK_SET:
		word(l, "--set-mark");
		wordf(l, "0x%x/0x%x", v, m);
		break;
	case IPT_MARK_AND:
		word(l, "--and-mark");
		wordf(l, "0x%x", ~m);
		break;
	case IPT_MARK_OR:
		word(l, "--or-mark");
		wordf(l, "0x%x", v);
		break;
	case IPT_MARK_XOR:
		word(l, "--xor-mark");
		wordf(l, "0x%x", v);
		break;
	default:
		word(l, "--set-xmark");
		wordf(l, "0x%x/0x%x", v, m);
		break;
	}
}

static void target_format(struct line *l, const struct ipt_target *t)
{
	char chain[IPT_CHAIN_MAXLEN + 1];

	if (t->kind == IPT_T_NONE || t->kind >= IPT_T_KINDS)
		return;
	if (t->kind == IPT_T_JUMP || t->kind == IPT_T_GOTO) {
		memcpy(chain, t->chain, sizeof(chain) - 1);
		chain[sizeof(chain) - 1] = 0;
		word(l, t->kind == IPT_T_JUMP ? "-j" : "-g");
		word(l, chain);
		return;
	}
	word(l, "-j");
	word(l, target_exts[t->kind]->name);
	if (target_exts[t->kind]->save) {
		struct ipt_text s = { 0 };

		target_exts[t->kind]->save(t, &s);
		saved_words(l, &s);
		l->out->oom |= s.oom;
		ipt_text_free(&s);
		return;
	}
	switch (t->kind) {
	case IPT_T_REJECT:
		for (size_t i = 0; i < ARRAY_SIZE(reject_names); i++)
			if (reject_names[i].with == t->u.reject_with) {
				word(l, "--reject-with");
				word(l, reject_names[i].name);
			}
		break;
	case IPT_T_LOG:
		log_format(l, t);
		break;
	case IPT_T_MARK:
		mark_target_format(l, t);
		break;
	case IPT_T_TCPMSS:
		if (t->u.tcpmss.mss) {
			word(l, "--set-mss");
			wordf(l, "%u", t->u.tcpmss.mss);
		} else {
			word(l, "--clamp-mss-to-pmtu");
		}
		break;
	case IPT_T_MASQUERADE:
	case IPT_T_SNAT:
	case IPT_T_DNAT:
	case IPT_T_REDIRECT:
		nat_format(l, t);
		break;
	}
}

static void iface_format(struct line *l, const char *opt, const char *name,
			 bool inv)
{
	char n[IPT_IFNAMSIZ];

	memcpy(n, name, sizeof(n) - 1);
	n[sizeof(n) - 1] = 0;
	if (!*n && !inv)
		return;
	neg(l, inv);
	word(l, opt);
	word(l, *n ? n : "+");
}

static void proto_format(struct line *l, const struct ipt_rule *r)
{
	if (!r->proto)
		return;
	neg(l, r->inv & IPT_INV_PROTO);
	word(l, "-p");
	if (r->proto == 6 || r->proto == 17 || r->proto == 1)
		word(l, r->proto == 6 ? "tcp" : r->proto == 17 ? "udp" : "icmp");
	else
		wordf(l, "%u", r->proto);
}

/*
 * The rule's words, in the order iptables -S prints them, for the @i-th
 * source and @j-th destination address
 */
static void rule_format(struct line *l, const struct ipt_cmd *c,
			uint32_t i, uint32_t j)
{
	const struct ipt_rule *r = &c->rule;

	if (c->nsrc || r->smsk || (r->inv & IPT_INV_SRC)) {
		neg(l, r->inv & IPT_INV_SRC);
		word(l, "-s");
		addr_word(l, c->nsrc ? c->srcs[i] : r->src,
			  c->nsrc ? c->smsks[i] : r->smsk);
	}
	if (c->ndst || r->dmsk || (r->inv & IPT_INV_DST)) {
		neg(l, r->inv & IPT_INV_DST);
		word(l, "-d");
		addr_word(l, c->ndst ? c->dsts[j] : r->dst,
			  c->ndst ? c->dmsks[j] : r->dmsk);
	}
	iface_format(l, "-i", r->in, r->inv & IPT_INV_IN);
	iface_format(l, "-o", r->out, r->inv & IPT_INV_OUT);
	proto_format(l, r);
	if (r->frag) {
		neg(l, r->inv & IPT_INV_FRAG);
		word(l, "-f");
	}
	for (int k = 0; k < r->nmatch && k < IPT_MAX_MATCHES; k++)
		match_format(l, r, &r->m[k]);
	target_format(l, &r->t);
}

/* "-c P B" when it was given (even as 0 0) or the counters are set */
static void counters_format(struct line *l, const struct ipt_cmd *c)
{
	const struct ipt_rule *r = &c->rule;

	if (!(c->opts & IPT_OPT_COUNTERS) && !r->pkts && !r->bytes)
		return;
	word(l, "-c");
	wordf(l, "%llu", (unsigned long long)r->pkts);
	wordf(l, "%llu", (unsigned long long)r->bytes);
}

/* The command option and its positional words */
static void command_format(struct line *l, const struct ipt_cmd *c)
{
	static const char *const opt[] = {
		[IPT_OP_APPEND] = "-A", [IPT_OP_INSERT] = "-I",
		[IPT_OP_DELETE] = "-D", [IPT_OP_DELETE_NUM] = "-D",
		[IPT_OP_REPLACE] = "-R", [IPT_OP_CHECK] = "-C",
		[IPT_OP_LIST] = "-L", [IPT_OP_LIST_RULES] = "-S",
		[IPT_OP_FLUSH] = "-F", [IPT_OP_ZERO] = "-Z",
		[IPT_OP_NEW_CHAIN] = "-N", [IPT_OP_DELETE_CHAIN] = "-X",
		[IPT_OP_RENAME_CHAIN] = "-E", [IPT_OP_POLICY] = "-P",
	};
	char chain[IPT_CHAIN_MAXLEN + 1], chain2[IPT_CHAIN_MAXLEN + 1];

	memcpy(chain, c->chain, sizeof(chain) - 1);
	chain[sizeof(chain) - 1] = 0;
	memcpy(chain2, c->chain2, sizeof(chain2) - 1);
	chain2[sizeof(chain2) - 1] = 0;
	if (c->table != IPT_FILTER) {
		word(l, "-t");
		word(l, ipt_table_name(c->table));
	}
	word(l, c->op < ARRAY_SIZE(opt) ? opt[c->op] : "-L");
	if (*chain)
		word(l, chain);
	if (c->op == IPT_OP_RENAME_CHAIN)
		word(l, chain2);
	if (c->op == IPT_OP_POLICY)
		word(l, c->policy == IPT_POL_DROP ? "DROP" :
			c->policy == IPT_POL_ACCEPT ? "ACCEPT" : "none");
	if (c->rulenum && *chain)
		wordf(l, "%u", c->rulenum);
	if (c->opts & IPT_OPT_ZERO)
		word(l, "-Z");
	if (c->opts & IPT_OPT_NUMERIC)
		word(l, "-n");
	if (c->opts & IPT_OPT_VERBOSE)
		word(l, "-v");
	if (c->opts & IPT_OPT_EXACT)
		word(l, "-x");
	if (c->opts & IPT_OPT_LINENUMBERS)
		word(l, "--line-numbers");
}

static void one_command(struct ipt_text *out, const struct ipt_cmd *c,
			uint32_t i, uint32_t j)
{
	struct line l = { out, false };

	command_format(&l, c);
	if (op_takes_rule(c->op))
		rule_format(&l, c, i, j);
	if (c->op == IPT_OP_APPEND || c->op == IPT_OP_INSERT ||
	    c->op == IPT_OP_REPLACE || c->op == IPT_OP_POLICY)
		counters_format(&l, c);
}

/**
 * ipt_cmd_format() - The canonical words of a parsed command
 * @cmd:	as ipt_parse() made it
 * @out:	the words; several lines ("\n" between, none at the end) when
 *		-s or -d named several addresses: one per pair, sources
 *		outer, as iptables adds them
 *
 * Addresses as a.b.c.d/len (dotted mask when not a prefix), ports,
 * protocols and ICMP types as numbers: ipt_parse() with no resolver reads
 * each line back into the same command (with one address per side).
 */
void ipt_cmd_format(const struct ipt_cmd *cmd, struct ipt_text *out)
{
	uint32_t ns = cmd->nsrc ? cmd->nsrc : 1, nd = cmd->ndst ? cmd->ndst : 1;

	if (ns > 8)
		ns = 8;
	if (nd > 8)
		nd = 8;
	if (!op_takes_rule(cmd->op))
		ns = nd = 1;
	for (uint32_t i = 0; i < ns; i++)
		for (uint32_t j = 0; j < nd; j++) {
			if (i || j)
				ipt_text_printf(out, "\n");
			one_command(out, cmd, i, j);
		}
}
