// SPDX-License-Identifier: MIT
/*
 * fwdctl.c - ipmasqadm portfw | mfw | autofw: the forwards' commands
 *
 * The words of ipmasqadm(8), numeric (masqctl resolves names first):
 *
 *	portfw -a -P tcp|udp -L LADDR LPORT -R RADDR RPORT [-p PREF]
 *	portfw -d -P tcp|udp -L LADDR LPORT [-R RADDR RPORT]
 *	portfw -f | -l [-n]
 *	mfw -A|-I -m MARK -r RADDR [RPORT] [-p PREF]
 *	mfw -D -m MARK [-r RADDR [RPORT]]
 *	mfw -E -m MARK [-r RADDR [RPORT]] -p PREF
 *	mfw -S -m MARK | -F | -L [-n]
 *	autofw -A|-D -r tcp|udp LOW HIGH (-h HOST | -c tcp|udp PORT)
 *		   [-u] [-i] [-v]
 *	autofw -F | -L [-n]
 *	save	every forward as the commands that make it, in an order
 *		that makes the lists as they are now
 *	flush	all three tables (a reload of a file with forwards)
 *
 * As the kernel's modules did: portfw -a of a rule that exists changes
 * its preference (and loads its counter); -d and mfw's -D and -E take
 * what is not given as "any". Unlike them, every word is checked before
 * anything changes, an unknown word is an error, and the listings are
 * printed by masqd (numbers; masqctl puts names in without -n).
 * Exit status: 0 done, 1 failed (nothing to delete, a table full), 2 a
 * usage error; nothing changes on an error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "eng.h"
#include "fwd.h"

#define EXIT_FAIL	1
#define EXIT_USAGE	2

enum fwd_op { OP_NONE, OP_ADD, OP_INSERT, OP_DEL, OP_EDIT, OP_STEP,
	      OP_FLUSH, OP_LIST };

/* One command's words, parsed */
struct fwd_cmd {
	const char *mod;		/* "portfw", "mfw", "autofw" */
	enum fwd_op op;
	struct fwd_rule r;		/* portfw, mfw */
	struct fwd_auto a;		/* autofw */
	bool has_l, has_r, has_pref, has_mark, has_range, verbose;
	struct masq_text *out;
};

static int usage(struct fwd_cmd *c, const char *fmt, const char *word)
{
	masq_text_printf(c->out, "%s: ", c->mod);
	masq_text_printf(c->out, fmt, word);
	masq_text_printf(c->out, "\n");
	return EXIT_USAGE;
}

static int fail(struct fwd_cmd *c, const char *fmt, const char *word)
{
	masq_text_printf(c->out, "%s: ", c->mod);
	masq_text_printf(c->out, fmt, word);
	masq_text_printf(c->out, "\n");
	return EXIT_FAIL;
}

/* A decimal number (or 0x hex with @hex) up to @max */
static bool parse_num(const char *s, uint32_t max, bool hex, uint32_t *v)
{
	unsigned long x;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	x = strtoul(s, &end, hex && !strncasecmp(s, "0x", 2) ? 16 : 10);
	if (errno || *end || x > max)
		return false;
	*v = (uint32_t)x;
	return true;
}

static bool parse_port(const char *s, uint16_t *port)
{
	uint32_t v;

	if (!parse_num(s, 65535, false, &v) || !v)
		return false;
	*port = (uint16_t)v;
	return true;
}

static bool parse_addr(const char *s, uint32_t *addr)
{
	struct in_addr a;

	if (!s || inet_pton(AF_INET, s, &a) != 1 || !a.s_addr)
		return false;
	*addr = a.s_addr;
	return true;
}

static bool parse_proto(const char *s, uint8_t *proto)
{
	if (s && !strcasecmp(s, "tcp"))
		*proto = 6;
	else if (s && !strcasecmp(s, "udp"))
		*proto = 17;
	else
		return false;
	return true;
}

static const char *proto_name(uint8_t proto)
{
	return proto == 6 ? "tcp" : "udp";
}

static int set_op(struct fwd_cmd *c, enum fwd_op op, const char *w)
{
	if (c->op != OP_NONE)
		return usage(c, "multiple commands specified ('%s')", w);
	c->op = op;
	return 0;
}

/* ---- portfw ----------------------------------------------------------- */

/* -L LADDR LPORT or -R RADDR RPORT at argv[*i] */
static int parse_pair(struct fwd_cmd *c, int argc, char *const *argv, int *i,
		      uint32_t *addr, uint16_t *port)
{
	const char *opt = argv[*i];

	if (*i + 2 >= argc)
		return usage(c, "%s needs an address and a port", opt);
	if (!parse_addr(argv[*i + 1], addr))
		return usage(c, "illegal address '%s'", argv[*i + 1]);
	if (!parse_port(argv[*i + 2], port))
		return usage(c, "illegal port '%s' (1-65535)", argv[*i + 2]);
	*port = htons(*port);
	*i += 2;
	return 0;
}

static int portfw_word(struct fwd_cmd *c, int argc, char *const *argv, int *i)
{
	const char *w = argv[*i];
	uint32_t v;

	if (!strcmp(w, "-a"))
		return set_op(c, OP_ADD, w);
	if (!strcmp(w, "-d"))
		return set_op(c, OP_DEL, w);
	if (!strcmp(w, "-f"))
		return set_op(c, OP_FLUSH, w);
	if (!strcmp(w, "-l"))
		return set_op(c, OP_LIST, w);
	if (!strcmp(w, "-n"))
		return 0;
	if (!strcmp(w, "-P")) {
		if (c->r.proto)
			return usage(c, "multiple protocols specified%s", "");
		if (!parse_proto(*i + 1 < argc ? argv[*i + 1] : NULL, &c->r.proto))
			return usage(c, "invalid protocol '%s' (tcp or udp)",
				     *i + 1 < argc ? argv[*i + 1] : "");
		(*i)++;
		return 0;
	}
	if (!strcmp(w, "-L") || !strcmp(w, "-R")) {
		bool *seen = w[1] == 'L' ? &c->has_l : &c->has_r;

		if (*seen)
			return usage(c, "multiple %s specified", w);
		*seen = true;
		return w[1] == 'L' ?
		       parse_pair(c, argc, argv, i, &c->r.kaddr, &c->r.kport) :
		       parse_pair(c, argc, argv, i, &c->r.raddr, &c->r.rport);
	}
	if (!strcmp(w, "-p")) {
		if (*i + 1 >= argc || !parse_num(argv[*i + 1], FWD_PREF_MAX,
						 false, &v) || !v)
			return usage(c, "illegal preference value '%s' (1 or more)",
				     *i + 1 < argc ? argv[*i + 1] : "");
		c->r.pref = (int32_t)v;
		c->has_pref = true;
		(*i)++;
		return 0;
	}
	return usage(c, "unknown option '%s'", w);
}

static int portfw_check(struct fwd_cmd *c)
{
	bool key = c->r.proto || c->has_l || c->has_r || c->has_pref;

	switch (c->op) {
	case OP_NONE:
		return usage(c, "no command given (-a, -d, -f, -l)%s", "");
	case OP_ADD:
		if (!c->r.proto || !c->has_l || !c->has_r)
			return usage(c, "-a needs -P PROTO, -L LADDR LPORT and -R RADDR RPORT%s", "");
		return 0;
	case OP_DEL:
		if (!c->r.proto || !c->has_l)
			return usage(c, "-d needs -P PROTO and -L LADDR LPORT%s", "");
		if (c->has_pref)
			return usage(c, "-d takes no -p%s", "");
		return 0;
	default:
		return key ? usage(c, "incompatible options specified%s", "") : 0;
	}
}

/* Does @r match @k, where @k's unset target fields mean any? */
static bool rule_matches(const struct fwd_rule *r, const struct fwd_rule *k)
{
	return r->proto == k->proto && r->kaddr == k->kaddr &&
	       r->kport == k->kport && r->mark == k->mark &&
	       (!k->raddr || r->raddr == k->raddr) &&
	       (!k->rport || r->rport == k->rport);
}

/* Delete every rule of @l matching @k. Return: how many went */
static uint32_t list_delete(struct fwd_list *l, const struct fwd_rule *k)
{
	uint32_t n = 0, j = 0;

	for (uint32_t i = 0; i < l->n; i++) {
		if (rule_matches(&l->r[i], k))
			n++;
		else
			l->r[j++] = l->r[i];
	}
	l->n = j;
	return n;
}

/* Set the preference (and counter) of every rule matching @k */
static uint32_t list_edit(struct fwd_list *l, const struct fwd_rule *k,
			  int32_t pref)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < l->n; i++)
		if (rule_matches(&l->r[i], k)) {
			l->r[i].pref = l->r[i].pcnt = pref;
			n++;
		}
	return n;
}

/* Put @r at the head (@head) or the tail of @l. Return: -1 when full */
static int list_put(struct fwd_list *l, const struct fwd_rule *r, bool head)
{
	if (l->n == FWD_RULES_MAX)
		return -1;
	if (head) {
		memmove(&l->r[1], &l->r[0], l->n * sizeof(*r));
		l->r[0] = *r;
	} else {
		l->r[l->n] = *r;
	}
	l->n++;
	return 0;
}

static void portfw_list(struct fwd_cmd *c, const struct fwd_list *l)
{
	char la[INET_ADDRSTRLEN], ra[INET_ADDRSTRLEN], lp[8], rp[8];

	masq_text_printf(c->out, "%-4s %-20s %-20s %8s %8s %5s %5s\n", "prot",
			 "localaddr", "rediraddr", "lport", "rport", "pcnt",
			 "pref");
	for (uint32_t i = 0; i < l->n; i++) {
		const struct fwd_rule *r = &l->r[i];

		inet_ntop(AF_INET, &r->kaddr, la, sizeof(la));
		inet_ntop(AF_INET, &r->raddr, ra, sizeof(ra));
		snprintf(lp, sizeof(lp), "%u", ntohs(r->kport));
		snprintf(rp, sizeof(rp), "%u", ntohs(r->rport));
		masq_text_printf(c->out, "%-4s %-20s %-20s %8s %8s %5d %5d\n",
				 r->proto == 6 ? "TCP" : "UDP", la, ra, lp, rp,
				 r->pcnt, r->pref);
	}
}

static int portfw_run(struct masq_engine *e, struct fwd_cmd *c)
{
	struct fwd_list *l = &e->fwd->portfw;
	char what[64];

	switch (c->op) {
	case OP_ADD:
		if (!c->has_pref)
			c->r.pref = FWD_PREF_DEFAULT;
		c->r.pcnt = c->r.pref;
		if (list_edit(l, &c->r, c->r.pref))
			return 0;
		if (list_put(l, &c->r, true))
			return fail(c, "table full (%s forwards)", "1024");
		return 0;
	case OP_DEL:
		if (list_delete(l, &c->r))
			return 0;
		snprintf(what, sizeof(what), "%s %s:%u", proto_name(c->r.proto),
			 inet_ntoa((struct in_addr){ c->r.kaddr }),
			 ntohs(c->r.kport));
		return fail(c, "no such forward (%s)", what);
	case OP_FLUSH:
		l->n = 0;
		return 0;
	default:
		portfw_list(c, l);
		return 0;
	}
}

/* ---- mfw -------------------------------------------------------------- */

/* -r RADDR [RPORT] at argv[*i] */
static int parse_target(struct fwd_cmd *c, int argc, char *const *argv,
			int *i)
{
	uint16_t port;

	if (c->has_r)
		return usage(c, "multiple destinations specified%s", "");
	c->has_r = true;
	if (*i + 1 >= argc || !parse_addr(argv[*i + 1], &c->r.raddr))
		return usage(c, "illegal destination '%s'",
			     *i + 1 < argc ? argv[*i + 1] : "");
	(*i)++;
	if (*i + 1 < argc && argv[*i + 1][0] != '-') {
		if (!parse_port(argv[*i + 1], &port))
			return usage(c, "illegal port '%s' (1-65535)", argv[*i + 1]);
		c->r.rport = htons(port);
		(*i)++;
	}
	return 0;
}

static int mfw_word(struct fwd_cmd *c, int argc, char *const *argv, int *i)
{
	static const struct { const char *w; enum fwd_op op; } ops[] = {
		{ "-A", OP_ADD }, { "-I", OP_INSERT }, { "-D", OP_DEL },
		{ "-E", OP_EDIT }, { "-S", OP_STEP }, { "-F", OP_FLUSH },
		{ "-L", OP_LIST },
	};
	const char *w = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : "";
	uint32_t x;

	for (size_t k = 0; k < sizeof(ops) / sizeof(*ops); k++)
		if (!strcmp(w, ops[k].w))
			return set_op(c, ops[k].op, w);
	if (!strcmp(w, "-n"))
		return 0;
	if (!strcmp(w, "-r"))
		return parse_target(c, argc, argv, i);
	if (!strcmp(w, "-m")) {
		if (c->has_mark || !parse_num(v, UINT32_MAX, true, &x) || !x)
			return usage(c, "illegal fwmark '%s' (a number, not 0)", v);
		c->r.mark = x;
		c->has_mark = true;
		(*i)++;
		return 0;
	}
	if (!strcmp(w, "-p")) {
		if (!parse_num(v, FWD_PREF_MAX, false, &x))
			return usage(c, "illegal preference value '%s' (0 or more)", v);
		c->r.pref = (int32_t)x;
		c->has_pref = true;
		(*i)++;
		return 0;
	}
	return usage(c, "unknown option '%s'", w);
}

static int mfw_check(struct fwd_cmd *c)
{
	bool any = c->has_mark || c->has_r || c->has_pref;

	switch (c->op) {
	case OP_NONE:
		return usage(c, "no command given (-A, -I, -D, -E, -S, -F, -L)%s", "");
	case OP_ADD:
	case OP_INSERT:
		if (!c->has_mark || !c->has_r)
			return usage(c, "-A and -I need -m FWMARK and -r RADDR [RPORT]%s", "");
		return 0;
	case OP_EDIT:
		if (!c->has_mark || !c->has_pref)
			return usage(c, "-E needs -m FWMARK and -p PREF%s", "");
		return 0;
	case OP_DEL:
	case OP_STEP:
		if (!c->has_mark)
			return usage(c, "-D and -S need -m FWMARK%s", "");
		if (c->has_pref || (c->op == OP_STEP && c->has_r))
			return usage(c, "incompatible options specified%s", "");
		return 0;
	default:
		return any ? usage(c, "incompatible options specified%s", "") : 0;
	}
}

static void mfw_list(struct fwd_cmd *c, const struct fwd_list *l)
{
	char ra[INET_ADDRSTRLEN], rp[8];

	masq_text_printf(c->out, "%-8s %-20s %8s %5s %5s\n", "fwmark",
			 "rediraddr", "rport", "pcnt", "pref");
	for (uint32_t i = 0; i < l->n; i++) {
		const struct fwd_rule *r = &l->r[i];

		inet_ntop(AF_INET, &r->raddr, ra, sizeof(ra));
		snprintf(rp, sizeof(rp), "%u", ntohs(r->rport));
		masq_text_printf(c->out, "%-8u %-20s %8s %5d %5d\n", r->mark,
				 ra, rp, r->pcnt, r->pref);
	}
}

static int mfw_run(struct masq_engine *e, struct fwd_cmd *c)
{
	struct fwd_list *l = &e->fwd->mfw;
	char mark[16];
	int i;

	snprintf(mark, sizeof(mark), "%u", c->r.mark);
	switch (c->op) {
	case OP_ADD:
	case OP_INSERT:
		if (!c->has_pref)
			c->r.pref = FWD_PREF_DEFAULT;
		c->r.pcnt = c->r.pref;
		if (list_put(l, &c->r, c->op == OP_INSERT))
			return fail(c, "table full (%s forwards)", "1024");
		return 0;
	case OP_DEL:
		return list_delete(l, &c->r) ? 0 :
		       fail(c, "no such forward for fwmark %s", mark);
	case OP_EDIT:
		return list_edit(l, &c->r, c->r.pref) ? 0 :
		       fail(c, "no such forward for fwmark %s", mark);
	case OP_STEP:
		i = fwd_list_find(l, &c->r, 0);
		if (i < 0)
			return fail(c, "no forward for fwmark %s", mark);
		fwd_list_step(l, (uint32_t)i, true);
		return 0;
	case OP_FLUSH:
		l->n = 0;
		return 0;
	default:
		mfw_list(c, l);
		return 0;
	}
}

/* ---- autofw ----------------------------------------------------------- */

static int autofw_word(struct fwd_cmd *c, int argc, char *const *argv,
		       int *i)
{
	const char *w = argv[*i];
	uint32_t lo, hi;

	if (!strcmp(w, "-A") || !strcmp(w, "-D") || !strcmp(w, "-F") ||
	    !strcmp(w, "-L"))
		return set_op(c, w[1] == 'A' ? OP_ADD : w[1] == 'D' ? OP_DEL :
				 w[1] == 'F' ? OP_FLUSH : OP_LIST, w);
	if (!strcmp(w, "-u") || !strcmp(w, "-i")) {
		c->a.flags &= (uint8_t)~(w[1] == 'u' ? FWD_AUTO_USETIME :
						       FWD_AUTO_SECURE);
		return 0;
	}
	if (!strcmp(w, "-v") || !strcmp(w, "-n")) {
		c->verbose = c->verbose || w[1] == 'v';
		return 0;
	}
	if (!strcmp(w, "-r")) {
		if (c->has_range || *i + 3 >= argc)
			return usage(c, "-r needs tcp|udp LOW HIGH, once%s", "");
		if (!parse_proto(argv[*i + 1], &c->a.proto))
			return usage(c, "protocol must be tcp or udp, not '%s'", argv[*i + 1]);
		if (!parse_num(argv[*i + 2], 65535, false, &lo) || !lo ||
		    !parse_num(argv[*i + 3], 65535, false, &hi) || hi < lo)
			return usage(c, "illegal port range '%s' (LOW HIGH, 1-65535)", argv[*i + 2]);
		c->a.low = (uint16_t)lo;
		c->a.high = (uint16_t)hi;
		c->has_range = true;
		*i += 3;
		return 0;
	}
	if (!strcmp(w, "-h")) {
		if (c->a.host || *i + 1 >= argc || !parse_addr(argv[*i + 1], &c->a.host))
			return usage(c, "-h needs one host address ('%s')",
				     *i + 1 < argc ? argv[*i + 1] : "");
		(*i)++;
		return 0;
	}
	if (!strcmp(w, "-c")) {
		if (c->a.ctlproto || *i + 2 >= argc ||
		    !parse_proto(argv[*i + 1], &c->a.ctlproto) ||
		    !parse_port(argv[*i + 2], &c->a.ctlport))
			return usage(c, "-c needs tcp|udp PORT, once ('%s')",
				     *i + 1 < argc ? argv[*i + 1] : "");
		*i += 2;
		return 0;
	}
	return usage(c, "unknown option '%s'", w);
}

static int autofw_check(struct fwd_cmd *c)
{
	bool spec = c->has_range || c->a.host || c->a.ctlproto;

	if (c->op == OP_NONE)
		return usage(c, "no command given (-A, -D, -F, -L)%s", "");
	if (c->op == OP_FLUSH || c->op == OP_LIST)
		return spec ? usage(c, "the %s command takes no options",
				    c->op == OP_FLUSH ? "flush" : "list") : 0;
	if (!c->has_range)
		return usage(c, "-A and -D need -r tcp|udp LOW HIGH%s", "");
	if (!c->a.host == !c->a.ctlproto)
		return usage(c, "give either -h HOST or -c PROTO PORT%s", "");
	if (c->a.host)
		c->a.flags = 0;		/* a fixed host: no control, no lapse */
	return 0;
}

static bool auto_same(const struct fwd_auto *a, const struct fwd_auto *b)
{
	return a->proto == b->proto && a->low == b->low &&
	       a->high == b->high && a->ctlproto == b->ctlproto &&
	       a->ctlport == b->ctlport && a->flags == b->flags &&
	       (b->ctlproto || a->host == b->host);
}

static void autofw_flags(const struct fwd_auto *a, char *s)
{
	*s = 0;
	if (a->flags & FWD_AUTO_USETIME)
		strcat(s, "U");
	if (a->flags & FWD_AUTO_SECURE)
		strcat(s, "S");
	if (!*s)
		strcat(s, "-");
}

static void autofw_list(struct masq_engine *e, struct fwd_cmd *c)
{
	char h[INET_ADDRSTRLEN], r[INET_ADDRSTRLEN], ctl[16], fl[4], left[12];

	masq_text_printf(c->out, "%-4s %5s %5s %-16s %-9s %-16s %-5s %s\n",
			 "prot", "low", "high", "host", "control", "remote",
			 "flags", "lapses");
	for (uint32_t i = 0; i < e->fwd->nauto; i++) {
		const struct fwd_auto *a = &e->fwd->a[i];
		bool on = fwd_auto_active(e, a);

		inet_ntop(AF_INET, &a->host, h, sizeof(h));
		inet_ntop(AF_INET, &a->remote, r, sizeof(r));
		if (a->ctlproto)
			snprintf(ctl, sizeof(ctl), "%s/%u",
				 proto_name(a->ctlproto), a->ctlport);
		else
			snprintf(ctl, sizeof(ctl), "-");
		autofw_flags(a, fl);
		if (!a->ctlproto || (on && !(a->flags & FWD_AUTO_USETIME)))
			snprintf(left, sizeof(left), "never");
		else if (on)
			snprintf(left, sizeof(left), "%us",
				 fwd_auto_until(e, a) - e->now_s);
		else
			snprintf(left, sizeof(left), "idle");
		masq_text_printf(c->out, "%-4s %5u %5u %-16s %-9s %-16s %-5s %s\n",
				 proto_name(a->proto), a->low, a->high,
				 a->host && (on || !a->ctlproto) ? h : "-", ctl,
				 on && a->ctlproto && (a->flags & FWD_AUTO_SECURE) ?
				 r : "-", fl, left);
	}
}

static int autofw_run(struct masq_engine *e, struct fwd_cmd *c)
{
	struct fwd *f = e->fwd;

	if (c->op == OP_FLUSH) {
		f->nauto = 0;
		return 0;
	}
	if (c->op == OP_LIST) {
		autofw_list(e, c);
		return 0;
	}
	for (uint32_t i = 0; i < f->nauto; i++) {
		if (!auto_same(&f->a[i], &c->a))
			continue;
		if (c->op == OP_ADD)
			return fail(c, "that entry exists already%s", "");
		memmove(&f->a[i], &f->a[i + 1], (f->nauto - i - 1) * sizeof(c->a));
		f->nauto--;
		return 0;
	}
	if (c->op == OP_DEL)
		return fail(c, "no such entry%s", "");
	if (f->nauto == FWD_AUTO_MAX)
		return fail(c, "table full (%s entries)", "64");
	memmove(&f->a[1], &f->a[0], f->nauto * sizeof(c->a));
	f->a[0] = c->a;
	f->nauto++;
	if (c->verbose)
		masq_text_printf(c->out, "Adding autofwd %s ports %u - %u\n",
				 proto_name(c->a.proto), c->a.low, c->a.high);
	return 0;
}

/* ---- save ------------------------------------------------------------- */

/*
 * Every forward as the command that makes it. portfw -a and autofw -A
 * put a rule at the head, so their rules are written tail first; mfw -A
 * appends, head first. Counters start again from the preferences.
 */
static void fwd_save(struct masq_engine *e, struct masq_text *out)
{
	const struct fwd *f = e->fwd;
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], fl[4];

	for (uint32_t i = f->portfw.n; i-- > 0;) {
		const struct fwd_rule *r = &f->portfw.r[i];

		inet_ntop(AF_INET, &r->kaddr, a, sizeof(a));
		inet_ntop(AF_INET, &r->raddr, b, sizeof(b));
		masq_text_printf(out, "ipmasqadm portfw -a -P %s -L %s %u -R %s %u -p %d\n",
				 proto_name(r->proto), a, ntohs(r->kport), b,
				 ntohs(r->rport), r->pref);
	}
	for (uint32_t i = 0; i < f->mfw.n; i++) {
		const struct fwd_rule *r = &f->mfw.r[i];

		inet_ntop(AF_INET, &r->raddr, b, sizeof(b));
		masq_text_printf(out, "ipmasqadm mfw -A -m %u -r %s", r->mark, b);
		if (r->rport)
			masq_text_printf(out, " %u", ntohs(r->rport));
		masq_text_printf(out, " -p %d\n", r->pref);
	}
	for (uint32_t i = f->nauto; i-- > 0;) {
		const struct fwd_auto *x = &f->a[i];

		masq_text_printf(out, "ipmasqadm autofw -A -r %s %u %u",
				 proto_name(x->proto), x->low, x->high);
		if (!x->ctlproto) {
			inet_ntop(AF_INET, &x->host, a, sizeof(a));
			masq_text_printf(out, " -h %s\n", a);
			continue;
		}
		autofw_flags(x, fl);
		masq_text_printf(out, " -c %s %u%s%s\n", proto_name(x->ctlproto),
				 x->ctlport,
				 x->flags & FWD_AUTO_USETIME ? "" : " -u",
				 x->flags & FWD_AUTO_SECURE ? "" : " -i");
	}
}

/* ---- dispatch --------------------------------------------------------- */

static const struct fwd_module {
	const char *name;
	int (*word)(struct fwd_cmd *c, int argc, char *const *argv, int *i);
	int (*check)(struct fwd_cmd *c);
	int (*run)(struct masq_engine *e, struct fwd_cmd *c);
} modules[] = {
	{ "portfw", portfw_word, portfw_check, portfw_run },
	{ "mfw", mfw_word, mfw_check, mfw_run },
	{ "autofw", autofw_word, autofw_check, autofw_run },
};

/**
 * fwd_ctl() - ipmasqadm MODULE OPTIONS..., ipmasqadm save|flush
 * @e:		engine
 * @argc:	words
 * @argv:	argv[0] is "ipmasqadm"
 * @out:	output and messages
 *
 * Return: exit status (0, 1, 2), or -1 when @argv is not ipmasqadm's
 */
int fwd_ctl(struct masq_engine *e, int argc, char *const *argv,
	    struct masq_text *out)
{
	struct fwd_cmd c = { .mod = "ipmasqadm", .out = out,
			     .a.flags = FWD_AUTO_USETIME | FWD_AUTO_SECURE };
	const struct fwd_module *m = NULL;
	int rc;

	if (argc < 1 || strcmp(argv[0], "ipmasqadm"))
		return -1;
	if (argc == 2 && !strcmp(argv[1], "save")) {
		fwd_save(e, out);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "flush")) {
		e->fwd->portfw.n = e->fwd->mfw.n = e->fwd->nauto = 0;
		return 0;
	}
	for (size_t i = 0; argc >= 2 && i < sizeof(modules) / sizeof(*modules); i++)
		if (!strcmp(argv[1], modules[i].name))
			m = &modules[i];
	if (!m)
		return usage(&c, "unknown module '%s' (portfw, mfw, autofw)",
			     argc >= 2 ? argv[1] : "");
	c.mod = m->name;
	for (int i = 2; i < argc; i++) {
		rc = m->word(&c, argc, argv, &i);
		if (rc)
			return rc;
	}
	rc = m->check(&c);
	return rc ? rc : m->run(e, &c);
}
