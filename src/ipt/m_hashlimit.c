// SPDX-License-Identifier: MIT
/*
 * m_hashlimit.c - the -m hashlimit match: a rate per address, port or
 *		   both, in packets or in bytes
 *
 * Owns the language of hashlimit: its options, iptables-legacy 1.8.9's
 * reading of them (libxt_hashlimit revision 3, which 1.8.9 loads), the
 * kernel's own refusals and adjustments (exit status 1), and its -S and
 * -L forms. What a packet meets is src/engine/fwm_hashlimit.c.
 *
 * The fields are the kernel's struct hashlimit_cfg3, computed as
 * iptables computes them, so that printing them gives iptables' text
 * (defaults filled in, the rate in the unit iptables chooses back):
 *  - a packet rate is @avg in 1/10^6 s per packet ("5/min": 12000000);
 *    a byte rate ("512kb/s", "100b/s") is the kernel's cost,
 *    0xffffffff / (bytes/16 + 1), printed back as (0xffffffff / cost - 1)
 *    * 16 bytes: 100b/s lists as 96b/s. A rate under 16b/s (1gb/s among
 *    them: a "g" is no unit) iptables takes and lists as 0b/s, which it
 *    cannot read back; masq refuses it;
 *  - the expiry defaults to the rate's unit in ms (packets), 15 s (bytes)
 *    or 60 s (bytes with a burst); with --hashlimit-rate-match the rate
 *    is per second and the interval defaults to the unit (1 for bytes);
 *  - a byte burst is kept in units of the rate, rounded up;
 *  - the kernel caps --hashlimit-htable-size and -max at 1048576 and
 *    refuses a zero gcinterval or expire, a mask over 32, a byte rate
 *    over about 32 GB/s and a burst whose credit overflows 64 bits (it
 *    computes at HZ 250: 1/day takes a burst of 214, not 213).
 * One difference: --hashlimit-rate-interval without --hashlimit-rate-match
 * is dropped (iptables keeps it for -L only, where "5/sec" with an
 * interval of 5 lists as "1/sec").
 * The name (up to 255 characters, longer ones cut, as the kernel) lives
 * in the rule's text slots, as a comment does (ipt.h); masq refuses a
 * name with blanks or quotes, which iptables-save could not read back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ipt/ipt.h"
#include "ipt/parsing.h"

#define HL_SCALE	1000000ull	/* XT_HASHLIMIT_SCALE_v2 */
#define HL_BURST_MAX	1000000		/* packets */
#define HL_BURST	5
#define HL_GCINTERVAL	1000		/* ms */
#define HL_BYTE_EXPIRE	15		/* s, a byte rate without burst */
#define HL_BYTE_EXPIRE_BURST 60		/* s, ... with one */
#define HL_BYTE_SHIFT	4
#define HL_HTABLE_MAX	1048576u	/* the kernel's cap on size and max */
#define HL_CREDITS_PER_US 137438953ull	/* HZ 250 x 2^39 / 10^6: the
					 * kernel's user2credits() factor */

enum { HL_UPTO, HL_ABOVE, HL_MODE, HL_SRCMASK, HL_DSTMASK, HL_NAME,
       HL_BURST_O, HL_SIZE, HL_MAX, HL_GC, HL_EXPIRE, HL_RATEMATCH,
       HL_INTERVAL };

static const struct ext_opt hashlimit_opts[] = {
	{ "hashlimit-upto", HL_UPTO, 1, true },
	{ "hashlimit-above", HL_ABOVE, 1, true },
	{ "hashlimit", HL_UPTO, 1, true },	/* the old name */
	{ "hashlimit-srcmask", HL_SRCMASK, 1, false },
	{ "hashlimit-dstmask", HL_DSTMASK, 1, false },
	{ "hashlimit-burst", HL_BURST_O, 1, false },
	{ "hashlimit-htable-size", HL_SIZE, 1, false },
	{ "hashlimit-htable-max", HL_MAX, 1, false },
	{ "hashlimit-htable-gcinterval", HL_GC, 1, false },
	{ "hashlimit-htable-expire", HL_EXPIRE, 1, false },
	{ "hashlimit-mode", HL_MODE, 1, false },
	{ "hashlimit-name", HL_NAME, 1, false },
	{ "hashlimit-rate-match", HL_RATEMATCH, 0, false },
	{ "hashlimit-rate-interval", HL_INTERVAL, 1, false },
	{ NULL, 0, 0, false },
};

/* m->set while parsing: what was given, and the rate's unit */
#define HLF_RATE	0x01
#define HLF_BURST	0x02
#define HLF_EXPIRE	0x04
#define HLF_NAME	0x08
#define HLF_UNIT_SHIFT	8		/* bits 8-10: index in hl_units[] */

static const struct {
	const char *name;	/* as the rate's unit, any prefix */
	const char *show;	/* as printed */
	uint32_t secs;
} hl_units[] = {
	{ "day", "day", 86400 }, { "hour", "hour", 3600 },
	{ "minute", "min", 60 }, { "second", "sec", 1 },
	{ NULL, NULL, HL_BYTE_EXPIRE },	/* a byte rate's "unit" */
};
#define HL_UNIT_BYTES	4

/* ---- numbers as libxt_hashlimit reads and writes them ---------------------- */

/* atoll(3) without its undefined overflow: blanks, a sign, digits */
static int64_t leading_number(const char *s)
{
	bool neg = false;
	uint64_t v = 0;

	while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
		s++;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	for (; *s >= '0' && *s <= '9'; s++)
		v = v > (uint64_t)INT64_MAX / 10 ? (uint64_t)INT64_MAX :
		    v * 10 + (uint64_t)(*s - '0');
	if (v > (uint64_t)INT64_MAX)
		v = (uint64_t)INT64_MAX;
	return neg ? -(int64_t)v : (int64_t)v;
}

static uint32_t unit_factor(char c)
{
	return c == 'm' ? 1024 * 1024 : c == 'k' ? 1024 : 1;
}

/* The kernel's cost of a byte rate, and back (0: no rate) */
static uint64_t bytes_to_cost(uint64_t bytes)
{
	uint32_t r = (uint32_t)(bytes >> HL_BYTE_SHIFT);

	return r == UINT32_MAX ? 0 : UINT32_MAX / (r + 1);
}

static uint64_t cost_to_bytes(uint64_t cost)
{
	uint64_t r = cost ? UINT32_MAX / cost : UINT32_MAX;

	return (r - 1) << HL_BYTE_SHIFT;
}

/* "512kb/s": true and the cost in @avg when @arg is a byte rate */
static int byte_rate_parse(struct parse *p, const char *show, const char *arg,
			   uint64_t *avg, bool *is_bytes)
{
	const char *b = strstr(arg, "b/s");
	int64_t n;

	*is_bytes = false;
	if (!b || b == arg)
		return 0;
	n = leading_number(arg);
	if (!n)
		return fail(p, "bad rate '%s' for %s", arg, show);
	*avg = bytes_to_cost((uint64_t)n * unit_factor(b[-1]));
	if (!*avg)
		return fail(p, "rate '%s' for %s is too high", arg, show);
	/* iptables lists these as "0b/s", which neither reads back */
	if (!cost_to_bytes(*avg))
		return fail(p, "rate '%s' for %s is under 16b/s, the least "
			    "it can list", arg, show);
	*is_bytes = true;
	return 0;
}

/* "5/min", "5/s", "5": @avg in 1/10^6 s, @unit the index in hl_units[] */
static int packet_rate_parse(struct parse *p, const char *show,
			     const char *arg, uint64_t *avg, unsigned *unit)
{
	const char *slash = strchr(arg, '/');
	int64_t n;

	*unit = 3;
	if (slash) {
		size_t l = strlen(slash + 1);

		for (*unit = 0; *unit < HL_UNIT_BYTES; (*unit)++)
			if (l && !strncasecmp(slash + 1, hl_units[*unit].name,
					      l))
				break;
		if (*unit == HL_UNIT_BYTES)
			return fail(p, "bad rate '%s' for %s", arg, show);
	}
	n = leading_number(arg);
	if (!n)
		return fail(p, "bad rate '%s' for %s", arg, show);
	*avg = HL_SCALE * hl_units[*unit].secs / (uint64_t)n;
	if (!*avg)
		return fail(p, "rate '%s' for %s is too fast", arg, show);
	return 0;
}

/*
 * --hashlimit-burst: a number (0x, 0 octal) with an optional k or m
 * factor after it; a plain number over 1000000 is refused here, a
 * factored one by the check (packets) or taken (bytes)
 */
static int burst_parse(struct parse *p, const char *arg, uint64_t *burst)
{
	const char *s = arg;
	char *end;
	uint64_t v;

	while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
		s++;
	if (*s == '-' || !*s)
		goto bad;
	v = strtoull(s, &end, 0);
	if (end == s || v < 1 || (!*end && v > HL_BURST_MAX))
		goto bad;
	*burst = v * unit_factor(*end);
	return 0;
bad:
	return fail(p, "bad value '%s' for --hashlimit-burst (1-%u)", arg,
		    HL_BURST_MAX);
}

/* --hashlimit-mode: srcip, srcport, dstip, dstport, by "," or "|" */
static int mode_parse(struct parse *p, const char *arg, uint8_t *mode)
{
	static const struct { const char *name; uint8_t bit; } words[] = {
		{ "dstip", IPT_HL_DSTIP }, { "srcip", IPT_HL_SRCIP },
		{ "srcport", IPT_HL_SRCPORT }, { "dstport", IPT_HL_DSTPORT },
	};
	const char *s = arg;

	while (*s) {
		size_t l = strcspn(s, ",|");
		size_t i;

		for (i = 0; l && i < ARRAY_SIZE(words); i++)
			if (strlen(words[i].name) == l &&
			    !strncmp(s, words[i].name, l))
				break;
		if (l && i == ARRAY_SIZE(words))
			return fail(p, "bad value '%s' for --hashlimit-mode "
				    "(srcip, srcport, dstip, dstport)", arg);
		if (l)
			*mode |= words[i].bit;
		s += l;
		s += *s != 0;
	}
	return 0;
}

/* --hashlimit-name: into a text slot of the rule (cut at 255) */
static int name_set(struct parse *p, struct ipt_match *m, const char *arg)
{
	struct ipt_rule *r = &p->cmd->rule;

	if (!*arg)
		return fail(p, "--hashlimit-name may not be empty");
	if (strpbrk(arg, " \t\"'\\"))
		return fail(p, "--hashlimit-name '%.40s': masq takes no blank "
			    "or quote in a name", arg);
	if (r->ncomments >= IPT_MAX_COMMENTS)
		return fail(p, "at most %d comments and hashlimit names per "
			    "rule", IPT_MAX_COMMENTS);
	if (text_copy(p, "--hashlimit-name", arg, r->comments[r->ncomments],
		      sizeof(r->comments[0])))
		return -1;
	m->u.hl.name = r->ncomments++;
	return 0;
}

/* The name of hashlimit match @m of rule @r */
static const char *hl_name(const struct ipt_rule *r, const struct ipt_match *m)
{
	return r->comments[m->u.hl.name < IPT_MAX_COMMENTS ? m->u.hl.name : 0];
}

static int u32_opt(struct parse *p, const struct ext_opt *o, const char *arg,
		   uint32_t *out)
{
	if (!u32_parse(arg, UINT32_MAX, out))
		return fail(p, "bad value '%s' for --%s (0-4294967295)", arg,
			    o->name);
	return 0;
}

/* ---- the options ----------------------------------------------------------- */

static int rate_opt(struct parse *p, struct ipt_match *m,
		    const struct ext_opt *o, const char *arg)
{
	char show[40];
	unsigned unit = HL_UNIT_BYTES;
	bool bytes;

	snprintf(show, sizeof(show), "--%s", o->name);
	if (byte_rate_parse(p, show, arg, &m->u.hl.avg, &bytes))
		return -1;
	if (!bytes && packet_rate_parse(p, show, arg, &m->u.hl.avg, &unit))
		return -1;
	if (bytes)
		m->u.hl.mode |= IPT_HL_BYTES;
	/* "! --hashlimit-upto" is --hashlimit-above, and the other way */
	if ((o->id == HL_ABOVE) != p->inv)
		m->u.hl.mode |= IPT_HL_ABOVE;
	m->set |= (uint16_t)(HLF_RATE | unit << HLF_UNIT_SHIFT);
	return 0;
}

static int hashlimit_opt(struct parse *p, struct ipt_match *m,
			 const struct ext_opt *o, const char *const *a)
{
	uint64_t burst = 0;

	switch (o->id) {
	case HL_UPTO:
	case HL_ABOVE:
		if (m->set & HLF_RATE)
			return fail(p, "--hashlimit-upto and --hashlimit-above "
				    "cannot be used together");
		return rate_opt(p, m, o, a[0]);
	case HL_MODE:
		return mode_parse(p, a[0], &m->u.hl.mode);
	case HL_SRCMASK:
		return plen_parse(p, "--hashlimit-srcmask", a[0],
				  &m->u.hl.srcmask);
	case HL_DSTMASK:
		return plen_parse(p, "--hashlimit-dstmask", a[0],
				  &m->u.hl.dstmask);
	case HL_NAME:
		m->set |= HLF_NAME;
		return name_set(p, m, a[0]);
	case HL_BURST_O:
		if (burst_parse(p, a[0], &burst))
			return -1;
		/* a byte burst is kept in bytes until the check */
		m->u.hl.burst = (uint32_t)(burst > UINT32_MAX ? UINT32_MAX :
					   burst);
		m->set |= HLF_BURST;
		return 0;
	case HL_SIZE:
		return u32_opt(p, o, a[0], &m->u.hl.size);
	case HL_MAX:
		return u32_opt(p, o, a[0], &m->u.hl.max);
	case HL_GC:
		return u32_opt(p, o, a[0], &m->u.hl.gc);
	case HL_EXPIRE:
		m->set |= HLF_EXPIRE;
		return u32_opt(p, o, a[0], &m->u.hl.expire);
	case HL_RATEMATCH:
		m->u.hl.mode |= IPT_HL_RATEMATCH;
		return 0;
	case HL_INTERVAL:
		if (leading_number(a[0]) <= 0 ||
		    leading_number(a[0]) > INT32_MAX)
			return fail(p, "bad value '%s' for "
				    "--hashlimit-rate-interval", a[0]);
		m->u.hl.interval = (uint32_t)leading_number(a[0]);
		return 0;
	}
	return fail(p, "unknown option of -m hashlimit");
}

static void hashlimit_init(struct ipt_match *m)
{
	m->u.hl.burst = HL_BURST;
	m->u.hl.gc = HL_GCINTERVAL;
	m->u.hl.srcmask = 32;
	m->u.hl.dstmask = 32;
}

/* The unit -S and -L print @bytes of burst in: 1 MiB, 1 KiB or 1 */
static uint64_t burst_unit(uint64_t bytes)
{
	return bytes >= 1024 * 1024 ? 1024 * 1024 : bytes >= 1024 ? 1024 : 1;
}

/*
 * A burst of @n times @unit bytes is printed cut to its unit ("2016
 * bytes" as 1kb), which reads back as fewer: the count that reads back,
 * when it prints the same, so that a rule is the same after the way
 * through its saved words (what masqctl sends masqd)
 */
static uint32_t burst_fixed_point(uint64_t unit, uint32_t n)
{
	uint64_t r = unit * n, t = burst_unit(r), cut = r / t * t;
	uint64_t n2 = (cut + unit - 1) / unit, r2 = unit * n2;

	return burst_unit(r2) == t && r2 / t == r / t && n2 ? (uint32_t)n2 : n;
}

/* A byte burst, given in bytes, as a count of the rate's bytes */
static int byte_burst_finish(struct parse *p, struct ipt_match *w)
{
	uint64_t unit = cost_to_bytes(w->u.hl.avg);

	if (!(w->set & HLF_BURST)) {
		w->u.hl.burst = 0;
		return 0;
	}
	if (!unit || w->u.hl.burst < unit)
		return fail(p, "--hashlimit-burst cannot be smaller than "
			    "%llub", (unsigned long long)unit);
	w->u.hl.burst = burst_fixed_point(unit, (uint32_t)
		((w->u.hl.burst + unit - 1) / unit));
	if (!(w->set & HLF_EXPIRE))
		w->u.hl.expire = HL_BYTE_EXPIRE_BURST * 1000;
	return 0;
}

/*
 * Once the command is read: the defaults that depend on the rate, as
 * libxt_hashlimit's final check fills them in. @m points into the rule
 * being parsed (p->cmd->rule.m[]), which is ours to finish.
 */
static int hashlimit_check(struct parse *p, const struct ipt_match *m)
{
	struct ipt_match *w = &p->cmd->rule.m[m - p->cmd->rule.m];
	unsigned unit = (w->set >> HLF_UNIT_SHIFT) & 7;
	uint32_t mult = hl_units[unit].secs;
	bool bytes = w->u.hl.mode & IPT_HL_BYTES;

	if (!(w->set & HLF_RATE))
		return fail(p, "-m hashlimit needs --hashlimit-upto or "
			    "--hashlimit-above");
	if (!(w->set & HLF_NAME))
		return fail(p, "-m hashlimit needs --hashlimit-name");
	if (!(w->set & HLF_EXPIRE))
		w->u.hl.expire = mult * 1000;
	if (bytes) {
		if (byte_burst_finish(p, w))
			return -1;
	} else if (w->u.hl.burst > HL_BURST_MAX) {
		return fail(p, "bad value for --hashlimit-burst (1-%u)",
			    HL_BURST_MAX);
	}
	if (w->u.hl.mode & IPT_HL_RATEMATCH) {
		if (!bytes)
			w->u.hl.avg /= mult;
		if (!w->u.hl.interval)
			w->u.hl.interval = bytes ? 1 : mult;
	} else {
		/* iptables keeps it and -L multiplies the rate by it, but
		 * -S drops it: masq drops it, so that a rule reads the same
		 * after the way through its saved words */
		w->u.hl.interval = 0;
	}
	/* the kernel's adjustments, which iptables lists back */
	if (w->u.hl.size > HL_HTABLE_MAX)
		w->u.hl.size = HL_HTABLE_MAX;
	if (w->u.hl.max > HL_HTABLE_MAX)
		w->u.hl.max = HL_HTABLE_MAX;
	/* what was given is in the fields now: the same from the saved
	 * words, which give other options (a burst, no expiry) */
	w->set = HLF_RATE | HLF_NAME;
	return 0;
}

/**
 * hashlimit_kernel_ok() - What xt_hashlimit's checkentry refuses
 * @m:		a parsed hashlimit match
 * @why:	the reason, when refused
 * @len:	its size
 *
 * Called when a rule is applied (exit status 1, as iptables' "Invalid
 * argument" and "Numerical result out of range").
 * Return: true when the kernel would take @m
 */
static bool hashlimit_kernel_ok(const struct ipt_match *m, char *why,
				size_t len)
{
	const uint64_t k = HL_CREDITS_PER_US;
	uint64_t avg = m->u.hl.avg;

	if (!m->u.hl.gc || !m->u.hl.expire) {
		snprintf(why, len, "hashlimit: --hashlimit-htable-gcinterval "
			 "and --hashlimit-htable-expire may not be 0");
		return false;
	}
	if (m->u.hl.srcmask > 32 || m->u.hl.dstmask > 32) {
		snprintf(why, len, "hashlimit: a mask is a prefix of 0-32 "
			 "bits");
		return false;
	}
	if (m->u.hl.mode & IPT_HL_BYTES) {
		/* user2credits_byte(): cost x 250 x 2^24 >> 32 */
		if (!(uint32_t)((avg * 250 * (1ull << 24)) >> 32)) {
			snprintf(why, len, "hashlimit: the byte rate is too "
				 "high");
			return false;
		}
		return true;
	}
	/* user2credits(avg x burst) < user2credits(avg): 64-bit wrap */
	if (!avg || avg * m->u.hl.burst * k < avg * k) {
		snprintf(why, len, "hashlimit: the rate is too low for a burst "
			 "of %u (its credit overflows)", m->u.hl.burst);
		return false;
	}
	return true;
}

/* ---- printing, as libxt_hashlimit -------------------------------------------- */

/* The rate in packets, in the unit iptables picks; its unit in ms */
static uint64_t put_packet_rate(struct ipt_text *out, uint64_t period)
{
	unsigned i;

	if (!period) {
		ipt_text_printf(out, " inf");
		return 0;
	}
	for (i = 1; i < HL_UNIT_BYTES; i++) {
		uint64_t mult = HL_SCALE * hl_units[i].secs;

		if (period > mult || mult / period < mult % period)
			break;
	}
	ipt_text_printf(out, " %llu/%s",
			(unsigned long long)(HL_SCALE * hl_units[i - 1].secs /
					     period), hl_units[i - 1].show);
	return (uint64_t)hl_units[i - 1].secs * 1000;
}

/*
 * The rate in bytes and its burst; the unit is kept only when it gives
 * the cost back (its mask is 32 bits wide, as iptables' is, which is why
 * rates from 4 GB/s up list in plain bytes). Return: the default expiry
 */
static uint64_t put_byte_rate(struct ipt_text *out, uint64_t avg,
			      uint64_t burst, const char *prefix)
{
	static const struct { const char *name; uint32_t thresh; } units[] = {
		{ "m", 1024 * 1024 }, { "k", 1024 }, { "", 1 },
	};
	uint64_t r = cost_to_bytes(avg);
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(units) - 1; i++)
		if (r >= units[i].thresh &&
		    bytes_to_cost(r & (uint32_t)~(units[i].thresh - 1)) == avg)
			break;
	ipt_text_printf(out, " %llu%sb/s",
			(unsigned long long)(r / units[i].thresh),
			units[i].name);
	if (!burst)
		return HL_BYTE_EXPIRE * 1000;
	r *= burst;
	for (i = 0; i < ARRAY_SIZE(units) - 1; i++)
		if (r >= units[i].thresh)
			break;
	ipt_text_printf(out, " %sburst %llu%sb", prefix,
			(unsigned long long)(r / units[i].thresh),
			units[i].name);
	return HL_BYTE_EXPIRE_BURST * 1000;
}

static void put_mode(struct ipt_text *out, uint8_t mode, char sep)
{
	static const struct { uint8_t bit; const char *name; } order[] = {
		{ IPT_HL_SRCIP, "srcip" }, { IPT_HL_SRCPORT, "srcport" },
		{ IPT_HL_DSTIP, "dstip" }, { IPT_HL_DSTPORT, "dstport" },
	};
	bool first = true;

	ipt_text_printf(out, " ");
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		if (!(mode & order[i].bit))
			continue;
		if (!first)
			ipt_text_printf(out, "%c", sep);
		ipt_text_printf(out, "%s", order[i].name);
		first = false;
	}
}

/* What -S and -L print after the rate: @pre is "--hashlimit-" or "" */
static void put_tail(struct ipt_text *out, const struct ipt_match *m,
		     const char *pre, uint64_t quantum)
{
	if (m->u.hl.size)
		ipt_text_printf(out, " %shtable-size %u", pre, m->u.hl.size);
	if (m->u.hl.max)
		ipt_text_printf(out, " %shtable-max %u", pre, m->u.hl.max);
	if (m->u.hl.gc != HL_GCINTERVAL)
		ipt_text_printf(out, " %shtable-gcinterval %u", pre,
				m->u.hl.gc);
	if (m->u.hl.expire != quantum)
		ipt_text_printf(out, " %shtable-expire %u", pre,
				m->u.hl.expire);
	if (m->u.hl.srcmask != 32)
		ipt_text_printf(out, " %ssrcmask %u", pre, m->u.hl.srcmask);
	if (m->u.hl.dstmask != 32)
		ipt_text_printf(out, " %sdstmask %u", pre, m->u.hl.dstmask);
	if (m->u.hl.mode & IPT_HL_RATEMATCH) {
		ipt_text_printf(out, " %srate-match", pre);
		if (m->u.hl.interval != 1)
			ipt_text_printf(out, " %srate-interval %u", pre,
					m->u.hl.interval);
	}
}

#define HL_KEYS	(IPT_HL_SRCIP | IPT_HL_SRCPORT | IPT_HL_DSTIP | IPT_HL_DSTPORT)

static void hashlimit_save(const struct ipt_rule *r, const struct ipt_match *m,
			   struct ipt_text *out)
{
	uint64_t quantum;

	ipt_text_printf(out, " -m hashlimit --hashlimit-%s",
			m->u.hl.mode & IPT_HL_ABOVE ? "above" : "upto");
	if (m->u.hl.mode & IPT_HL_BYTES) {
		quantum = put_byte_rate(out, m->u.hl.avg, m->u.hl.burst,
					"--hashlimit-");
	} else {
		quantum = put_packet_rate(out, m->u.hl.avg);
		ipt_text_printf(out, " --hashlimit-burst %u", m->u.hl.burst);
	}
	if (m->u.hl.mode & HL_KEYS) {
		ipt_text_printf(out, " --hashlimit-mode");
		put_mode(out, m->u.hl.mode, ',');
	}
	ipt_text_printf(out, " --hashlimit-name %s", hl_name(r, m));
	put_tail(out, m, "--hashlimit-", quantum);
}

/* -L: the rate shown is per interval with --hashlimit-rate-match */
static void hashlimit_list(const struct ipt_rule *r, const struct ipt_match *m,
			   unsigned opts, const struct ipt_resolver *res,
			   struct ipt_text *out)
{
	uint64_t quantum, period = m->u.hl.avg;

	(void)r;
	(void)opts;
	(void)res;
	ipt_text_printf(out, " limit: %s",
			m->u.hl.mode & IPT_HL_ABOVE ? "above" : "up to");
	if (m->u.hl.mode & IPT_HL_BYTES) {
		quantum = put_byte_rate(out, m->u.hl.avg, m->u.hl.burst, "");
	} else {
		if (m->u.hl.interval)
			period *= m->u.hl.interval;
		quantum = put_packet_rate(out, period);
		ipt_text_printf(out, " burst %u", m->u.hl.burst);
	}
	if (m->u.hl.mode & HL_KEYS) {
		ipt_text_printf(out, " mode");
		put_mode(out, m->u.hl.mode, '-');
	}
	put_tail(out, m, "", quantum);
}

static bool hashlimit_equal(const struct ipt_rule *ra,
			    const struct ipt_match *a,
			    const struct ipt_rule *rb,
			    const struct ipt_match *b)
{
	const __typeof__(a->u.hl) *x = &a->u.hl, *y = &b->u.hl;

	return x->avg == y->avg && x->burst == y->burst &&
	       x->size == y->size && x->max == y->max && x->gc == y->gc &&
	       x->expire == y->expire && x->interval == y->interval &&
	       x->mode == y->mode && x->srcmask == y->srcmask &&
	       x->dstmask == y->dstmask &&
	       !strcmp(hl_name(ra, a), hl_name(rb, b));
}

/* ext.h's @kcheck: checked when the rule is applied (exit status 1) */
static int hashlimit_kcheck(const struct ipt_rule *r, const struct ipt_match *m,
			    struct ipt_err *err)
{
	(void)r;
	return hashlimit_kernel_ok(m, err->msg, sizeof(err->msg)) ? 0 : -1;
}

/* What "iptables -m hashlimit -h" prints after its first line */
static const char hashlimit_help[] =
"  --hashlimit-upto <avg>           max average match rate\n"
"                                   [per second unless followed by\n"
"                                   /sec /minute /hour /day]\n"
"  --hashlimit-above <avg>          min average match rate\n"
"  --hashlimit <avg>                old name of --hashlimit-upto\n"
"  --hashlimit-mode <mode>          mode is a comma-separated list of\n"
"                                   dstip,srcip,dstport,srcport (or none)\n"
"  --hashlimit-srcmask <length>     source address grouping prefix length\n"
"  --hashlimit-dstmask <length>     destination address grouping prefix length\n"
"  --hashlimit-name <name>          name of the table\n"
"  --hashlimit-burst <num>          number to match in a burst, default 5\n"
"  --hashlimit-htable-size <num>    number of hashtable buckets\n"
"  --hashlimit-htable-max <num>     number of hashtable entries\n"
"  --hashlimit-htable-gcinterval    interval between garbage collection runs\n"
"  --hashlimit-htable-expire        after which time are idle entries expired?\n"
"  --hashlimit-rate-match           rate match the flow without rate-limiting it\n"
"  --hashlimit-rate-interval        interval in seconds for hashlimit-rate-match\n";

const struct match_ext ipt_hashlimit_match = {
	.name = "hashlimit",
	.opts = hashlimit_opts,
	.help = hashlimit_help,
	.opt = hashlimit_opt,
	.check = hashlimit_check,
	.kcheck = hashlimit_kcheck,
	.init = hashlimit_init,
	.save = hashlimit_save,
	.list = hashlimit_list,
	.equal = hashlimit_equal,
};
