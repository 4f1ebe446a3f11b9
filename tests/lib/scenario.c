// SPDX-License-Identifier: MIT
/*
 * scenario.c - the scenario language and its runner
 *
 * A scenario drives one fresh engine line by line and stops at the first
 * line that does not hold, reporting "file:line: what differed". Lines:
 *
 *   # comment                    (anywhere outside double quotes)
 *   include FILE                 run FILE (relative to this file's folder)
 *   limit conns|neigh|neigh-queue|routes|frag-mem N   engine limits
 *                                (before use; frag-mem in bytes)
 *   pool N                       pool size in buffers (before use)
 *   ctl WORD...                  masq_engine_ctl(); must return 0
 *   expect-ctl "WORDS" [status N] [contains "TEXT"]... [lacks "TEXT"]...
 *                                run a command, check status (default 0)
 *                                and its output
 *   host IP MAC                  a neighbour's MAC: default Ethernet source
 *                                of frames from IP; a known next hop
 *   time T | time +T             set the clock to T seconds after the start
 *                                (or T more) and run masq_engine_advance()
 *   advance                      masq_engine_advance() at the same time
 *   in IFACE PACKET              hand one frame to masq_engine_input()
 *   out IFACE PACKET             the next frame out on IFACE of that kind
 *                                (ARP/TCP/UDP/ICMP) must match PACKET
 *   none                         no frame is waiting to be matched
 *   counter NAME VALUE           masq_engine_counter(NAME) == VALUE
 *   conns N                      masq_engine_conn_count() == N
 *   frag-held BYTES DATAGRAMS    masq_engine_frag_held(): reassembly holds
 *                                BYTES (whole 1 KiB chunks) in DATAGRAMS
 *   assert $V == N | != N | in LO-HI | not-in LO-HI
 *   log "TEXT"                   the oldest line the filter's LOG target
 *                                wrote and no step matched yet contains
 *                                TEXT (the line is taken)
 *   no-log                       no such line is waiting
 *   restart [+T]                 a restart that keeps connections: the
 *                                engine's snapshot (masq_engine_snapshot),
 *                                a new engine given every command that
 *                                succeeded so far, T seconds later (0 by
 *                                default) the snapshot loaded into it
 *                                (masq_engine_restore); what came back is
 *                                in $RESTORED_CONNS, $RESTORED_MAPS,
 *                                $RESTORED_EXPECTS, $RESTORED_AUTOFW and
 *                                $RESTORED_SKIPPED
 *
 * Every frame out must be matched by an `out` before the next `in`,
 * `time` or the end. An `out` checks every field it names and, whatever
 * it names: the frame decodes, every checksum is valid (a NEEDS_CSUM
 * frame's sum is completed first; an ICMP error's quoted header too), the
 * Ethernet source is IFACE's MAC, and the Ethernet destination is the one
 * named, or broadcast for an ARP request, or the ARP target for a reply,
 * or else a known neighbour (host lines, `ctl neigh add`, senders of ARP
 * frames handed in).
 *
 * PACKET:
 *   arp request from IP MAC who-has IP
 *   arp reply IP is-at MAC to MAC [IP]
 *   tcp A:P > B:P   udp A:P > B:P   icmp A > B   ip A > B proto N
 * then options, in any order:
 *   flags SA (letters F S R P A U, or - for none)  seq N  ack N  win N
 *   ttl N  tos N  ip-id N  df  nodf  mss N  tcp-opts HEX  ip-opts HEX
 *   payload "TEXT"  payload-hex HEX  payload-len N (bytes 0,1,2...)
 *                    (TEXT takes the escapes \r \n \t \\ \xHH)
 *   echo-request  echo-reply  unreach net|host|proto|port|needfrag|N
 *   time-exceeded  type N  code N  id N (ICMP id)  mtu N
 *   quote PACKET     (ICMP error: the rest of the line is the quoted
 *                    datagram; its option `truncate N` cuts the quote)
 *   quotes-in        (out) the quote is a prefix (>= 28 bytes) of the
 *                    last datagram handed in
 *   eth-src MAC|IP  eth-dst MAC|IP   (IP: that host's MAC)
 *   op N htype N ptype N hlen N plen N arp-len N   (ARP fields)
 *   l4-csum N        in: write N as the L4 checksum; out: the field is N
 *   csum-needed      in: NEEDS_CSUM metadata with the partial sum;
 *                    out: the frame must carry NEEDS_CSUM
 *   no-csum-needed   out: the frame must not carry NEEDS_CSUM
 *   gso TYPE SIZE    in: GSO metadata (tcpv4, udp, udp-l4 or a number);
 *                    out: the frame must carry exactly that
 *   l4-csum-unchecked  out: do not judge the L4 checksum (a frame that
 *                    came in DATA_VALID with a wrong one)
 *   fragment OFF LEN bytes OFF..OFF+LEN of the IP payload of the datagram
 *                    the line describes, as one fragment (offset OFF/8,
 *                    MF unless it reaches the end); in: handed in so;
 *                    out: offset, MF, length and those bytes must match
 *                    (the L4 checksum is the whole datagram's; L4 fields
 *                    are checked through the bytes, so every variable
 *                    on the line must be known)
 * and, to break a frame handed in:
 *   bad-ip-csum  bad-l4-csum  ip-len N  ihl N  doff N
 *   ulen N  truncate N  pad N  frag N  no-udp-csum  data-valid
 * Numbers are decimal or 0x hex. A `$NAME` in a number or address field
 * of an `out` line captures the value seen the first time and must match
 * it after; elsewhere (`in`, ctl words, quoted text) it is replaced by
 * its value.
 *
 * Hosts without a `host` line have the MAC 02:00 followed by their IPv4
 * address (192.168.0.2 is 02:00:c0:a8:00:02).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "scenario.h"

#define SCN_MAX_TOK	128
#define SCN_MAX_PEND	256
#define SCN_TIME_BASE	1000000000000ull	/* the clock starts at 1000 s */
#define SCN_MAX_REPLAY	256	/* commands a restart gives the new engine */

enum pf {
	PF_SADDR, PF_DADDR, PF_SPORT, PF_DPORT, PF_PROTO,
	PF_TTL, PF_TOS, PF_IPID, PF_DF, PF_TOT_LEN, PF_IHL,
	PF_SEQ, PF_ACK, PF_FLAGS, PF_WIN, PF_DOFF, PF_UDP_LEN,
	PF_ICMP_TYPE, PF_ICMP_CODE, PF_ICMP_ID, PF_ICMP_SEQ,
	PF_ARP_OP, PF_ARP_SPA, PF_ARP_TPA, PF_ARP_HTYPE, PF_ARP_PTYPE,
	PF_ARP_HLEN, PF_ARP_PLEN,
	PF_NUM
};

static const char *const pf_names[PF_NUM] = {
	"source address", "destination address", "source port",
	"destination port", "protocol", "ttl", "tos", "ip-id", "df",
	"ip total length", "ihl", "tcp seq", "tcp ack", "tcp flags",
	"tcp window", "tcp data offset", "udp length", "icmp type",
	"icmp code", "icmp id", "icmp seq/mtu", "arp op", "arp sender ip",
	"arp target ip", "arp htype", "arp ptype", "arp hlen", "arp plen",
};

_Static_assert(sizeof(pf_names) / sizeof(pf_names[0]) == PF_NUM,
	       "a name for every field");

struct pval {
	bool set;
	bool is_addr;
	char var[24];
	uint32_t v;
};

enum pkind { PK_ARP, PK_IP };

struct pspec {
	enum pkind kind;
	struct pval f[PF_NUM];
	bool eth_src_set, eth_dst_set, sha_set, tha_set;
	uint8_t eth_src[6], eth_dst[6], sha[6], tha[6];
	bool payload_set;
	uint8_t payload[FRAME_MAX_PAYLOAD];
	uint16_t payload_len;
	uint8_t tcp_opts[40], tcp_opts_len;
	uint8_t ip_opts[40], ip_opts_len;
	uint32_t brk;
	uint32_t truncate;
	uint16_t pad, frag, arp_len, gso_size;
	uint8_t gso_type;
	bool l4_csum_set;
	uint16_t l4_csum;
	int want_partial;		/* -1 either, 0 must not, 1 must */
	bool gso_set;
	bool l4_unchecked;		/* out: do not judge the L4 checksum */
	bool quotes_in;
	bool frag_slice;		/* fragment OFF LEN */
	uint32_t slice_off, slice_len;
	bool has_inner;
	struct pspec *inner;
};

struct scn_iface {
	char name[32];
	uint8_t mac[6];
};

struct scn_host {
	uint32_t ip;
	uint8_t mac[6];
};

#define SCN_MAX_LOGS	32

struct scn_var {
	char name[24];
	uint32_t v;
};

struct scn {
	bool out_twin;			/* do_out() checks a frame into a twin */
	const char *file;
	int line;
	char *msg;
	size_t cap;

	struct masq_limits lim;
	uint32_t pool_count;
	struct masq_pool *pool;
	struct masq_engine *e;
	struct masq_buf *txv[SCN_MAX_PEND];
	struct masq_txq tx;
	struct masq_buf *pend[SCN_MAX_PEND];
	uint32_t npend;
	uint64_t now_ns;

	struct scn_iface ifs[16];
	int nifs;
	struct scn_host hosts[128];
	int nhosts;
	struct scn_var vars[64];
	int nvars;
	uint8_t last_in[FRAME_MAX];
	uint32_t last_in_len;
	int depth;
	char logs[SCN_MAX_LOGS][512];	/* LOG lines not yet matched */
	int nlogs;
	uint32_t logs_lost;
	char replay[SCN_MAX_REPLAY][512];	/* commands that succeeded:
						 * words, NUL-separated */
	uint8_t replay_argc[SCN_MAX_REPLAY];
	int nreplay;
};

static int fail(struct scn *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct scn *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(s->msg, s->cap, "%s:%d: ", s->file, s->line);
	if (n < 0 || (size_t)n >= s->cap)
		return -1;
	va_start(ap, fmt);
	vsnprintf(s->msg + n, s->cap - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- words ---- */

/* Split @line in place; '#' outside quotes ends it. Return: word count */
static int tokenize(char *line, char **tok, int max)
{
	int n = 0;
	char *p = line, *w;

	for (;;) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			break;
		if (n == max)
			return -1;
		if (*p == '"') {
			w = ++p;
			while (*p && *p != '"')
				p++;
		} else {
			w = p;
			while (*p && !isspace((unsigned char)*p))
				p++;
		}
		tok[n++] = w;
		if (!*p)
			break;
		*p++ = 0;
	}
	return n;
}

static struct scn_var *var_find(struct scn *s, const char *name)
{
	for (int i = 0; i < s->nvars; i++)
		if (!strcmp(s->vars[i].name, name))
			return &s->vars[i];
	return NULL;
}

static int var_set(struct scn *s, const char *name, uint32_t v)
{
	struct scn_var *x = var_find(s, name);

	if (!x) {
		if (s->nvars == (int)(sizeof(s->vars) / sizeof(s->vars[0])))
			return fail(s, "too many variables");
		x = &s->vars[s->nvars++];
		snprintf(x->name, sizeof(x->name), "%s", name);
	}
	x->v = v;
	return 0;
}

/* Replace $NAME by its value in @in; Return: 0 or -1 (unknown variable) */
static int subst(struct scn *s, const char *in, char *out, size_t cap)
{
	size_t n = 0;

	while (*in && n + 1 < cap) {
		if (*in == '$' && (isalnum((unsigned char)in[1]) || in[1] == '_')) {
			char name[24];
			size_t k = 0;
			struct scn_var *x;

			in++;
			while ((isalnum((unsigned char)*in) || *in == '_') &&
			       k + 1 < sizeof(name))
				name[k++] = *in++;
			name[k] = 0;
			x = var_find(s, name);
			if (!x)
				return fail(s, "variable $%s used before it was captured",
					    name);
			n += (size_t)snprintf(out + n, cap - n, "%u", x->v);
			if (n >= cap)
				n = cap - 1;
			continue;
		}
		out[n++] = *in++;
	}
	out[n] = 0;
	return 0;
}

static int parse_u32(const char *w, uint32_t *v)
{
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(w, &end, 0);
	if (errno || end == w || *end || x > 0xffffffffull)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

static int parse_hex(const char *w, uint8_t *out, size_t cap, size_t *len)
{
	size_t n = 0;

	while (w[0] && w[1]) {
		unsigned b;

		if (n == cap || sscanf(w, "%2x", &b) != 1 ||
		    !isxdigit((unsigned char)w[0]) ||
		    !isxdigit((unsigned char)w[1]))
			return -1;
		out[n++] = (uint8_t)b;
		w += 2;
	}
	if (*w)
		return -1;
	*len = n;
	return 0;
}

/*
 * payload "TEXT": the text's bytes, with the escapes \r \n \t \\ and
 * \xHH (two hex digits) for what a line-based protocol needs (FTP's
 * CRLF, IRC's CTCP \x01). Return: 0, or -1 (unknown escape, too long)
 */
static int parse_text(const char *w, uint8_t *out, size_t cap, size_t *len)
{
	size_t n = 0;
	unsigned b;

	for (; *w; w++, n++) {
		if (n == cap)
			return -1;
		if (*w != '\\') {
			out[n] = (uint8_t)*w;
			continue;
		}
		switch (*++w) {
		case 'r': out[n] = '\r'; break;
		case 'n': out[n] = '\n'; break;
		case 't': out[n] = '\t'; break;
		case '\\': out[n] = '\\'; break;
		case 'x':
			if (!isxdigit((unsigned char)w[1]) ||
			    !isxdigit((unsigned char)w[2]) ||
			    sscanf(w + 1, "%2x", &b) != 1)
				return -1;
			out[n] = (uint8_t)b;
			w += 2;
			break;
		default:
			return -1;	/* unknown, or a lone '\\' at the end */
		}
	}
	*len = n;
	return 0;
}

/* ---- hosts and interfaces ---- */

static void host_default_mac(uint32_t ip, uint8_t mac[6])
{
	mac[0] = 0x02;
	mac[1] = 0x00;
	mac[2] = (uint8_t)(ip >> 24);
	mac[3] = (uint8_t)(ip >> 16);
	mac[4] = (uint8_t)(ip >> 8);
	mac[5] = (uint8_t)ip;
}

static void host_add(struct scn *s, uint32_t ip, const uint8_t mac[6])
{
	for (int i = 0; i < s->nhosts; i++) {
		if (s->hosts[i].ip == ip) {
			memcpy(s->hosts[i].mac, mac, 6);
			return;
		}
	}
	if (s->nhosts == (int)(sizeof(s->hosts) / sizeof(s->hosts[0])))
		return;
	s->hosts[s->nhosts].ip = ip;
	memcpy(s->hosts[s->nhosts++].mac, mac, 6);
}

static void host_mac(const struct scn *s, uint32_t ip, uint8_t mac[6])
{
	for (int i = 0; i < s->nhosts; i++) {
		if (s->hosts[i].ip == ip) {
			memcpy(mac, s->hosts[i].mac, 6);
			return;
		}
	}
	host_default_mac(ip, mac);
}

static bool host_mac_known(const struct scn *s, const uint8_t mac[6])
{
	for (int i = 0; i < s->nhosts; i++)
		if (!memcmp(s->hosts[i].mac, mac, 6))
			return true;
	return false;
}

static struct scn_iface *iface_get(struct scn *s, const char *name)
{
	for (int i = 0; i < s->nifs; i++)
		if (!strcmp(s->ifs[i].name, name))
			return &s->ifs[i];
	return NULL;
}

/*
 * An interface named in an in/out step: NAME, or NAME-h for its twin
 * (the router host's side: frames with MASQ_IFACE_TWIN). Sets *@ifidx
 * (the engine's index, the twin flag or'ed in) and returns the
 * interface, or NULL when there is none of that name.
 */
static struct scn_iface *iface_or_twin(struct scn *s, const char *name,
				       int *ifidx, bool *twin)
{
	char base[32];
	size_t n = strlen(name);
	struct scn_iface *ifc = iface_get(s, name);

	*twin = false;
	if (!ifc && n > 2 && n < sizeof(base) && !strcmp(name + n - 2, "-h")) {
		memcpy(base, name, n - 2);
		base[n - 2] = 0;
		ifc = iface_get(s, base);
		*twin = ifc != NULL;
		name = base;
	}
	*ifidx = ifc && s->e ? masq_engine_iface_find(s->e, name) : -1;
	if (*ifidx >= 0 && *twin)
		*ifidx |= (int)MASQ_IFACE_TWIN;
	return *ifidx >= 0 ? ifc : NULL;
}

/* ---- the engine ---- */

/* The engine's log function: keep the line for `log` steps */
static void scn_log(void *ctx, int level, const char *line)
{
	struct scn *s = ctx;

	(void)level;
	if (s->nlogs == SCN_MAX_LOGS) {
		s->logs_lost++;
		return;
	}
	snprintf(s->logs[s->nlogs++], sizeof(s->logs[0]), "%s", line);
}

static int do_log(struct scn *s, char **t, int n)
{
	if (n != 2)
		return fail(s, "usage: log \"TEXT\"");
	if (!s->nlogs)
		return fail(s, "no log line waiting, expected one with \"%s\"",
			    t[1]);
	if (!strstr(s->logs[0], t[1]))
		return fail(s, "log line \"%s\" lacks \"%s\"", s->logs[0],
			    t[1]);
	memmove(s->logs[0], s->logs[1], sizeof(s->logs[0]) * (size_t)--s->nlogs);
	return 0;
}

static int do_no_log(struct scn *s, int n)
{
	if (n != 1)
		return fail(s, "usage: no-log");
	if (s->nlogs || s->logs_lost)
		return fail(s, "%d log line(s) waiting; first: \"%s\"",
			    s->nlogs, s->nlogs ? s->logs[0] : "(lost)");
	return 0;
}

static int engine_up(struct scn *s)
{
	if (s->e)
		return 0;
	s->pool = masq_pool_create(s->pool_count, 4096);
	if (!s->pool)
		return fail(s, "masq_pool_create(%u, 4096) failed", s->pool_count);
	s->e = masq_engine_create(&s->lim, s->pool);
	if (!s->e)
		return fail(s, "masq_engine_create() failed");
	masq_engine_set_log(s->e, scn_log, s);
	s->tx.bufs = s->txv;
	s->tx.cap = SCN_MAX_PEND;
	s->tx.n = 0;
	s->now_ns = SCN_TIME_BASE;
	return 0;
}

/* Move what the engine queued for transmission to the pending list */
static int collect_tx(struct scn *s)
{
	for (uint32_t i = 0; i < s->tx.n; i++) {
		if (s->npend == SCN_MAX_PEND) {
			masq_pool_put(s->pool, s->tx.bufs[i]);
			continue;
		}
		s->pend[s->npend++] = s->tx.bufs[i];
	}
	s->tx.n = 0;
	return 0;
}

static const char *iface_name(struct scn *s, uint32_t idx)
{
	const char *n = masq_engine_iface_name(s->e, (int)idx);

	return n ? n : "?";
}

static void describe_buf(struct scn *s, const struct masq_buf *b, char *out,
			 size_t cap)
{
	struct frame_view v, inner;
	char d[512];

	v.inner = &inner;
	frame_decode(b->data, b->len, &b->meta, &v);
	frame_describe(&v, d, sizeof(d));
	snprintf(out, cap, "%s: %s%s%s", iface_name(s, b->iface), d,
		 v.ok ? "" : " [undecodable: ", v.ok ? "" : v.err);
	if (!v.ok && strlen(out) + 2 < cap)
		strcat(out, "]");
}

static int expect_nothing_pending(struct scn *s, const char *when)
{
	char d[640];

	if (!s->npend)
		return 0;
	describe_buf(s, s->pend[0], d, sizeof(d));
	return fail(s, "%u unexpected frame(s) out %s; first: %s", s->npend,
		    when, d);
}

/* ---- packets ---- */

static int pval_parse(struct scn *s, struct pval *p, const char *w, bool addr)
{
	memset(p, 0, sizeof(*p));
	p->set = true;
	p->is_addr = addr;
	if (w[0] == '$') {
		if (!w[1] || strlen(w + 1) >= sizeof(p->var))
			return fail(s, "bad variable name '%s'", w);
		snprintf(p->var, sizeof(p->var), "%s", w + 1);
		return 0;
	}
	if (addr ? frame_parse_ip4(w, &p->v) : parse_u32(w, &p->v))
		return fail(s, "'%s' is not %s", w, addr ? "an IPv4 address" :
			    "a number");
	return 0;
}

/* "A:P" into two fields */
static int endpoint_parse(struct scn *s, struct pval *a, struct pval *p,
			  const char *w, bool with_port)
{
	char buf[64];
	char *colon;

	snprintf(buf, sizeof(buf), "%s", w);
	colon = strrchr(buf, ':');
	if (with_port) {
		if (!colon)
			return fail(s, "'%s': expected ADDRESS:PORT", w);
		*colon = 0;
		if (pval_parse(s, p, colon + 1, false))
			return -1;
	} else if (colon) {
		return fail(s, "'%s': ICMP and IP endpoints have no port", w);
	}
	return pval_parse(s, a, buf, true);
}

static int tcp_flags_parse(struct scn *s, const char *w, uint32_t *out)
{
	static const char letters[] = "FSRPAU";
	uint32_t f = 0;

	if (!strcmp(w, "-") || !strcmp(w, "none")) {
		*out = 0;
		return 0;
	}
	if (isdigit((unsigned char)w[0]))
		return parse_u32(w, out) ? fail(s, "bad flags '%s'", w) : 0;
	for (; *w; w++) {
		const char *c = strchr(letters, toupper((unsigned char)*w));

		if (!c || !*c)
			return fail(s, "unknown TCP flag '%c'", *w);
		f |= 1u << (c - letters);
	}
	*out = f;
	return 0;
}

static int mac_or_host(struct scn *s, const char *w, uint8_t mac[6])
{
	uint32_t ip;

	if (!frame_parse_mac(w, mac))
		return 0;
	if (!frame_parse_ip4(w, &ip)) {
		host_mac(s, ip, mac);
		return 0;
	}
	return fail(s, "'%s' is neither a MAC nor an IPv4 address", w);
}

static int icmp_unreach_code(const char *w, uint32_t *code)
{
	static const char *const names[] = {
		"net", "host", "proto", "port", "needfrag",
	};

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(w, names[i])) {
			*code = i;
			return 0;
		}
	}
	return parse_u32(w, code);
}

static void setf(struct pspec *p, enum pf f, uint32_t v)
{
	p->f[f].set = true;
	p->f[f].var[0] = 0;
	p->f[f].v = v;
}

/* Options that take one number, by name */
static int numeric_option(const struct pspec *p, const char *w)
{
	static const struct {
		const char *name;
		enum pf f;
	} opts[] = {
		{ "ttl", PF_TTL }, { "tos", PF_TOS }, { "ip-id", PF_IPID },
		{ "ack", PF_ACK }, { "win", PF_WIN }, { "type", PF_ICMP_TYPE },
		{ "code", PF_ICMP_CODE }, { "id", PF_ICMP_ID },
		{ "mtu", PF_ICMP_SEQ }, { "ip-len", PF_TOT_LEN },
		{ "ulen", PF_UDP_LEN }, { "ihl", PF_IHL }, { "doff", PF_DOFF },
		{ "op", PF_ARP_OP }, { "htype", PF_ARP_HTYPE },
		{ "ptype", PF_ARP_PTYPE }, { "hlen", PF_ARP_HLEN },
		{ "plen", PF_ARP_PLEN }, { "proto", PF_PROTO },
	};

	if (!strcmp(w, "seq"))
		return p->f[PF_PROTO].v == FRAME_PROTO_ICMP ? PF_ICMP_SEQ :
							      PF_SEQ;
	for (unsigned i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (!strcmp(w, opts[i].name))
			return opts[i].f;
	return -1;
}

static int pspec_parse(struct scn *s, struct pspec *p, char **t, int n,
		       struct pspec *inner);

static int arp_head_parse(struct scn *s, struct pspec *p, char **t, int n,
			  int *used)
{
	int i = 1;

	p->kind = PK_ARP;
	if (n >= 6 && !strcmp(t[1], "request") && !strcmp(t[2], "from") &&
	    !strcmp(t[5], "who-has") && n >= 7) {
		setf(p, PF_ARP_OP, 1);
		if (pval_parse(s, &p->f[PF_ARP_SPA], t[3], true) ||
		    frame_parse_mac(t[4], p->sha) ||
		    pval_parse(s, &p->f[PF_ARP_TPA], t[6], true))
			return fail(s, "expected: arp request from IP MAC who-has IP");
		p->sha_set = true;
		i = 7;
	} else if (n >= 6 && !strcmp(t[1], "reply") &&
		   !strcmp(t[3], "is-at") && !strcmp(t[5], "to") && n >= 7) {
		setf(p, PF_ARP_OP, 2);
		if (pval_parse(s, &p->f[PF_ARP_SPA], t[2], true) ||
		    frame_parse_mac(t[4], p->sha) ||
		    frame_parse_mac(t[6], p->tha))
			return fail(s, "expected: arp reply IP is-at MAC to MAC [IP]");
		p->sha_set = p->tha_set = true;
		i = 7;
		if (n > 7 && isdigit((unsigned char)t[7][0]) &&
		    strchr(t[7], '.')) {
			if (pval_parse(s, &p->f[PF_ARP_TPA], t[7], true))
				return -1;
			i = 8;
		}
	}
	*used = i;
	return 0;
}

static int ip_head_parse(struct scn *s, struct pspec *p, char **t, int n,
			 int *used)
{
	bool ports;

	p->kind = PK_IP;
	if (!strcmp(t[0], "tcp"))
		setf(p, PF_PROTO, FRAME_PROTO_TCP);
	else if (!strcmp(t[0], "udp"))
		setf(p, PF_PROTO, FRAME_PROTO_UDP);
	else if (!strcmp(t[0], "icmp"))
		setf(p, PF_PROTO, FRAME_PROTO_ICMP);
	else if (!strcmp(t[0], "ip"))
		p->f[PF_PROTO].v = 0;
	else
		return fail(s, "unknown packet type '%s'", t[0]);
	if (n < 4 || strcmp(t[2], ">"))
		return fail(s, "expected: %s SRC > DST", t[0]);
	ports = p->f[PF_PROTO].v == FRAME_PROTO_TCP ||
		p->f[PF_PROTO].v == FRAME_PROTO_UDP;
	if (endpoint_parse(s, &p->f[PF_SADDR], &p->f[PF_SPORT], t[1], ports) ||
	    endpoint_parse(s, &p->f[PF_DADDR], &p->f[PF_DPORT], t[3], ports))
		return -1;
	*used = 4;
	return 0;
}

/* Options without an argument */
static int flag_option(struct pspec *p, const char *w)
{
	static const struct {
		const char *name;
		uint32_t brk;
	} brks[] = {
		{ "bad-ip-csum", FRAME_BREAK_IP_CSUM },
		{ "bad-l4-csum", FRAME_BREAK_L4_CSUM },
		{ "no-udp-csum", FRAME_UDP_NO_CSUM },
		{ "data-valid", FRAME_DATA_VALID },
	};

	for (unsigned i = 0; i < sizeof(brks) / sizeof(brks[0]); i++) {
		if (!strcmp(w, brks[i].name)) {
			p->brk |= brks[i].brk;
			return 1;
		}
	}
	if (!strcmp(w, "csum-needed")) {
		p->brk |= FRAME_CSUM_NEEDED;
		p->want_partial = 1;
	} else if (!strcmp(w, "no-csum-needed")) {
		p->want_partial = 0;
	} else if (!strcmp(w, "df")) {
		setf(p, PF_DF, 1);
	} else if (!strcmp(w, "nodf")) {
		setf(p, PF_DF, 0);
	} else if (!strcmp(w, "echo-request")) {
		setf(p, PF_ICMP_TYPE, FRAME_ICMP_ECHO);
		setf(p, PF_ICMP_CODE, 0);
	} else if (!strcmp(w, "echo-reply")) {
		setf(p, PF_ICMP_TYPE, FRAME_ICMP_ECHOREPLY);
		setf(p, PF_ICMP_CODE, 0);
	} else if (!strcmp(w, "time-exceeded")) {
		setf(p, PF_ICMP_TYPE, FRAME_ICMP_TIMXCEED);
		setf(p, PF_ICMP_CODE, 0);
	} else if (!strcmp(w, "l4-csum-unchecked")) {
		p->l4_unchecked = true;
	} else if (!strcmp(w, "quotes-in")) {
		p->quotes_in = true;
	} else {
		return 0;
	}
	return 1;
}

static int gso_parse(struct scn *s, struct pspec *p, const char *type,
		     const char *size)
{
	uint32_t v, sz;

	if (!strcmp(type, "tcpv4"))
		v = MASQ_GSO_TCPV4;
	else if (!strcmp(type, "udp"))
		v = MASQ_GSO_UDP;
	else if (!strcmp(type, "udp-l4"))
		v = MASQ_GSO_UDP_L4;
	else if (parse_u32(type, &v) || v > 255)
		return fail(s, "bad gso type '%s'", type);
	if (parse_u32(size, &sz) || sz > 0xffff)
		return fail(s, "bad gso size '%s'", size);
	p->gso_type = (uint8_t)v;
	p->gso_size = (uint16_t)sz;
	p->gso_set = true;
	return 0;
}

/* Options with one argument that are not plain fields */
static int arg_option(struct scn *s, struct pspec *p, const char *w,
		      char **t, int n, int *i)
{
	const char *a = *i + 1 < n ? t[*i + 1] : NULL;
	uint32_t v;
	size_t len;

	if (!strcmp(w, "gso")) {
		if (*i + 2 >= n)
			return fail(s, "gso needs TYPE SIZE");
		*i += 2;
		return gso_parse(s, p, t[*i - 1], t[*i]);
	}
	if (!strcmp(w, "fragment")) {
		if (*i + 2 >= n || parse_u32(t[*i + 1], &p->slice_off) ||
		    parse_u32(t[*i + 2], &p->slice_len) || (p->slice_off & 7))
			return fail(s, "fragment needs OFF (a multiple of 8) and LEN");
		*i += 2;
		p->frag_slice = true;
		return 0;
	}
	if (!a)
		return fail(s, "'%s' needs a value", w);
	(*i)++;
	if (!strcmp(w, "flags")) {
		if (tcp_flags_parse(s, a, &v))
			return -1;
		setf(p, PF_FLAGS, v);
	} else if (!strcmp(w, "unreach")) {
		if (icmp_unreach_code(a, &v))
			return fail(s, "unknown unreachable code '%s'", a);
		setf(p, PF_ICMP_TYPE, FRAME_ICMP_UNREACH);
		setf(p, PF_ICMP_CODE, v);
	} else if (!strcmp(w, "payload")) {
		if (parse_text(a, p->payload, sizeof(p->payload), &len))
			return fail(s, "bad payload \"%s\" (too long, or an escape other than \\r \\n \\t \\\\ \\xHH)", a);
		p->payload_len = (uint16_t)len;
		p->payload_set = true;
	} else if (!strcmp(w, "payload-hex")) {
		if (parse_hex(a, p->payload, sizeof(p->payload), &len))
			return fail(s, "bad hex '%s'", a);
		p->payload_len = (uint16_t)len;
		p->payload_set = true;
	} else if (!strcmp(w, "payload-len")) {
		if (parse_u32(a, &v) || v > sizeof(p->payload))
			return fail(s, "bad payload length '%s'", a);
		for (uint32_t k = 0; k < v; k++)
			p->payload[k] = (uint8_t)k;
		p->payload_len = (uint16_t)v;
		p->payload_set = true;
	} else if (!strcmp(w, "mss")) {
		if (parse_u32(a, &v) || v > 0xffff)
			return fail(s, "bad mss '%s'", a);
		p->tcp_opts[0] = 2;
		p->tcp_opts[1] = 4;
		p->tcp_opts[2] = (uint8_t)(v >> 8);
		p->tcp_opts[3] = (uint8_t)v;
		p->tcp_opts_len = 4;
	} else if (!strcmp(w, "tcp-opts") || !strcmp(w, "ip-opts")) {
		bool tcp = w[0] == 't';

		if (parse_hex(a, tcp ? p->tcp_opts : p->ip_opts, 40, &len))
			return fail(s, "bad hex '%s'", a);
		if (tcp)
			p->tcp_opts_len = (uint8_t)len;
		else
			p->ip_opts_len = (uint8_t)len;
	} else if (!strcmp(w, "eth-src") || !strcmp(w, "eth-dst")) {
		bool src = w[4] == 's';

		if (mac_or_host(s, a, src ? p->eth_src : p->eth_dst))
			return -1;
		if (src)
			p->eth_src_set = true;
		else
			p->eth_dst_set = true;
	} else {
		if (parse_u32(a, &v))
			return fail(s, "'%s %s': not a number", w, a);
		if (!strcmp(w, "truncate"))
			p->truncate = v;
		else if (!strcmp(w, "pad"))
			p->pad = (uint16_t)v;
		else if (!strcmp(w, "frag"))
			p->frag = (uint16_t)v;
		else if (!strcmp(w, "arp-len"))
			p->arp_len = (uint16_t)v;
		else if (!strcmp(w, "l4-csum")) {
			p->l4_csum = (uint16_t)v;
			p->l4_csum_set = true;
		} else {
			return fail(s, "unknown option '%s'", w);
		}
	}
	return 0;
}

static int pspec_parse(struct scn *s, struct pspec *p, char **t, int n,
		       struct pspec *inner)
{
	int i = 0;

	memset(p, 0, sizeof(*p));
	p->want_partial = -1;
	if (n < 1)
		return fail(s, "missing packet");
	if (!strcmp(t[0], "arp")) {
		if (arp_head_parse(s, p, t, n, &i))
			return -1;
	} else if (ip_head_parse(s, p, t, n, &i)) {
		return -1;
	}
	for (; i < n; i++) {
		const char *w = t[i];
		int f;

		if (!strcmp(w, "quote")) {
			if (!inner)
				return fail(s, "a quote cannot quote again");
			p->has_inner = true;
			p->inner = inner;
			return pspec_parse(s, inner, t + i + 1, n - i - 1, NULL);
		}
		if (flag_option(p, w))
			continue;
		f = numeric_option(p, w);
		if (f >= 0) {
			if (i + 1 >= n)
				return fail(s, "'%s' needs a value", w);
			if (pval_parse(s, &p->f[f], t[++i], false))
				return -1;
			continue;
		}
		if (arg_option(s, p, w, t, n, &i))
			return -1;
	}
	return 0;
}

/* Resolve a field for a frame handed in (variables must be known) */
static int pval_value(struct scn *s, const struct pval *p, uint32_t *v)
{
	struct scn_var *x;

	if (!p->var[0]) {
		*v = p->v;
		return 0;
	}
	x = var_find(s, p->var);
	if (!x)
		return fail(s, "variable $%s used before it was captured",
			    p->var);
	*v = x->v;
	return 0;
}

static int pspec_to_frame(struct scn *s, const struct pspec *p,
			  struct frame_spec *fs)
{
	uint32_t v[PF_NUM] = { 0 };

	for (int f = 0; f < PF_NUM; f++)
		if (p->f[f].set && pval_value(s, &p->f[f], &v[f]))
			return -1;
	frame_spec_init(fs, p->kind == PK_ARP ? FRAME_ARP : FRAME_IP);
	if (p->kind == PK_ARP) {
		fs->arp_op = (uint16_t)v[PF_ARP_OP];
		fs->arp_spa = v[PF_ARP_SPA];
		fs->arp_tpa = v[PF_ARP_TPA];
		fs->arp_htype = (uint16_t)v[PF_ARP_HTYPE];
		fs->arp_ptype = (uint16_t)v[PF_ARP_PTYPE];
		fs->arp_hlen = (uint8_t)v[PF_ARP_HLEN];
		fs->arp_plen = (uint8_t)v[PF_ARP_PLEN];
		fs->arp_len = p->arp_len;
		memcpy(fs->arp_sha, p->sha, 6);
		memcpy(fs->arp_tha, p->tha, 6);
		memcpy(fs->eth_src, p->sha, 6);
		if (fs->arp_op == 2)
			memcpy(fs->eth_dst, p->tha, 6);
		else
			memset(fs->eth_dst, 0xff, 6);
	} else {
		fs->saddr = v[PF_SADDR];
		fs->daddr = v[PF_DADDR];
		fs->proto = (uint8_t)v[PF_PROTO];
		fs->sport = (uint16_t)v[PF_SPORT];
		fs->dport = (uint16_t)v[PF_DPORT];
		if (p->f[PF_TTL].set)
			fs->ttl = (uint8_t)v[PF_TTL];
		fs->tos = (uint8_t)v[PF_TOS];
		if (p->f[PF_IPID].set)
			fs->ip_id = (uint16_t)v[PF_IPID];
		fs->df = v[PF_DF];
		fs->tot_len = (uint16_t)v[PF_TOT_LEN];
		fs->ihl = (uint8_t)v[PF_IHL];
		fs->ihl_set = p->f[PF_IHL].set;
		fs->seq = v[PF_SEQ];
		fs->ack = v[PF_ACK];
		fs->tcp_flags = (uint8_t)v[PF_FLAGS];
		if (p->f[PF_WIN].set)
			fs->win = (uint16_t)v[PF_WIN];
		fs->doff = (uint8_t)v[PF_DOFF];
		fs->doff_set = p->f[PF_DOFF].set;
		fs->udp_len = (uint16_t)v[PF_UDP_LEN];
		fs->icmp_type = (uint8_t)v[PF_ICMP_TYPE];
		fs->icmp_code = (uint8_t)v[PF_ICMP_CODE];
		fs->icmp_id = (uint16_t)v[PF_ICMP_ID];
		fs->icmp_seq = (uint16_t)v[PF_ICMP_SEQ];
		memcpy(fs->tcp_opts, p->tcp_opts, sizeof(fs->tcp_opts));
		fs->tcp_opts_len = p->tcp_opts_len;
		memcpy(fs->ip_opts, p->ip_opts, sizeof(fs->ip_opts));
		fs->ip_opts_len = p->ip_opts_len;
		host_mac(s, fs->saddr, fs->eth_src);
	}
	memcpy(fs->payload, p->payload, p->payload_len);
	fs->payload_len = p->payload_len;
	fs->brk = p->brk;
	fs->frag = p->frag;
	fs->pad = p->pad;
	fs->l4_csum = p->l4_csum;
	fs->l4_csum_set = p->l4_csum_set;
	fs->gso_type = p->gso_type;
	fs->gso_size = p->gso_size;
	if (p->eth_src_set)
		memcpy(fs->eth_src, p->eth_src, 6);
	if (p->eth_dst_set)
		memcpy(fs->eth_dst, p->eth_dst, 6);
	if (p->has_inner) {
		static struct frame_spec in;	/* big: keep it off the stack */
		int n;

		if (pspec_to_frame(s, p->inner, &in))
			return -1;
		n = frame_build_ip(&in, fs->payload, sizeof(fs->payload));
		if (n < 0)
			return fail(s, "quoted datagram too big");
		if (p->inner->truncate && p->inner->truncate < (uint32_t)n)
			n = (int)p->inner->truncate;
		fs->payload_len = (uint16_t)n;
	}
	fs->truncate = p->truncate;
	return 0;
}

/* ---- checking a frame out ---- */

static uint32_t view_field(const struct frame_view *v, enum pf f)
{
	switch (f) {
	case PF_SADDR:		return v->saddr;
	case PF_DADDR:		return v->daddr;
	case PF_SPORT:		return v->sport;
	case PF_DPORT:		return v->dport;
	case PF_PROTO:		return v->proto;
	case PF_TTL:		return v->ttl;
	case PF_TOS:		return v->tos;
	case PF_IPID:		return v->ip_id;
	case PF_DF:		return v->df;
	case PF_TOT_LEN:	return v->tot_len;
	case PF_IHL:		return v->ihl;
	case PF_SEQ:		return v->seq;
	case PF_ACK:		return v->ack;
	case PF_FLAGS:		return v->tcp_flags;
	case PF_WIN:		return v->win;
	case PF_DOFF:		return v->doff;
	case PF_UDP_LEN:	return v->udp_len;
	case PF_ICMP_TYPE:	return v->icmp_type;
	case PF_ICMP_CODE:	return v->icmp_code;
	case PF_ICMP_ID:	return v->icmp_id;
	case PF_ICMP_SEQ:	return v->icmp_seq;
	case PF_ARP_OP:		return v->arp_op;
	case PF_ARP_SPA:	return v->arp_spa;
	case PF_ARP_TPA:	return v->arp_tpa;
	case PF_ARP_HTYPE:	return v->arp_htype;
	case PF_ARP_PTYPE:	return v->arp_ptype;
	case PF_ARP_HLEN:	return v->arp_hlen;
	case PF_ARP_PLEN:	return v->arp_plen;
	default:		return 0;
	}
}

static void fmt_val(const struct pval *p, uint32_t v, char *out, size_t cap)
{
	if (p->is_addr)
		frame_fmt_ip4(v, out);
	else
		snprintf(out, cap, "%u", v);
}

static int check_fields(struct scn *s, const struct pspec *p,
			const struct frame_view *v, const char *where,
			const char *desc)
{
	for (int f = 0; f < PF_NUM; f++) {
		const struct pval *pv = &p->f[f];
		uint32_t got = view_field(v, (enum pf)f), want;
		char a[24], b[24];
		struct scn_var *x;

		if (!pv->set)
			continue;
		if (pv->var[0]) {
			x = var_find(s, pv->var);
			if (!x) {
				if (var_set(s, pv->var, got))
					return -1;
				continue;
			}
			want = x->v;
		} else {
			want = pv->v;
		}
		if (got == want)
			continue;
		fmt_val(pv, want, a, sizeof(a));
		fmt_val(pv, got, b, sizeof(b));
		return fail(s, "%s%s: expected %s%s%s, got %s (frame %s)", where,
			    pf_names[f], pv->var[0] ? "$" : "",
			    pv->var[0] ? pv->var : "", a, b, desc);
	}
	if (p->payload_set) {
		uint32_t n = v->payload_len;

		if (n > p->payload_len && where[0])
			n = p->payload_len;	/* a quote may be longer */
		if (n != p->payload_len ||
		    memcmp(v->payload, p->payload, n))
			return fail(s, "%spayload differs: expected %u bytes, got %u (frame %s)",
				    where, p->payload_len, v->payload_len, desc);
	}
	return 0;
}

static int check_quote(struct scn *s, const struct pspec *p,
		       const struct frame_view *v, const char *desc)
{
	if (p->quotes_in) {
		uint32_t n = v->quoted_len;

		if (!v->is_icmp_error)
			return fail(s, "quotes-in: not an ICMP error (frame %s)",
				    desc);
		if (n < 28)
			return fail(s, "quote holds %u bytes, RFC 792 needs 28 (frame %s)",
				    n, desc);
		if (n > s->last_in_len)
			n = s->last_in_len;
		if (memcmp(v->quoted, s->last_in, n))
			return fail(s, "quote is not the datagram as it arrived (frame %s)",
				    desc);
	}
	if (!p->has_inner)
		return 0;
	if (!v->is_icmp_error || !v->inner || !v->inner->has_ip)
		return fail(s, "expected an ICMP error quoting a datagram (frame %s)",
			    desc);
	if (v->quoted_len < v->inner->ihl * 4u + 8)
		return fail(s, "quote holds %u bytes, less than the IP header + 8 (frame %s)",
			    v->quoted_len, desc);
	return check_fields(s, p->inner, v->inner, "quoted ", desc);
}

/* The checks every frame out gets, whatever its line names */
static int check_sanity(struct scn *s, const struct pspec *p,
			const struct masq_buf *b, const struct frame_view *v,
			const struct scn_iface *ifc, const char *desc)
{
	char m1[18], m2[18];
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	if (!v->ok)
		return fail(s, "frame out does not decode: %s (frame %s)",
			    v->err, desc);
	if (p->l4_unchecked) {
		struct frame_view ip_only = *v;

		ip_only.l4_csum = FRAME_CSUM_NONE;
		if (!frame_csums_ok(&ip_only))
			return fail(s, "bad checksum (frame %s)", desc);
	} else if (!frame_csums_ok(v)) {
		return fail(s, "bad checksum (frame %s)", desc);
	}
	if (p->gso_set && (b->meta.gso_type != p->gso_type ||
			   b->meta.gso_size != p->gso_size))
		return fail(s, "GSO metadata: expected type %u size %u, got type %u size %u (frame %s)",
			    p->gso_type, p->gso_size, b->meta.gso_type,
			    b->meta.gso_size, desc);
	if (s->out_twin && !p->eth_dst_set && p->kind != PK_ARP) {
		if (memcmp(v->eth_dst, ifc->mac, 6)) {
			frame_fmt_mac(ifc->mac, m1);
			frame_fmt_mac(v->eth_dst, m2);
			return fail(s, "Ethernet destination into the twin: expected %s, got %s (frame %s)",
				    m1, m2, desc);
		}
	} else if (!s->out_twin && memcmp(v->eth_src, ifc->mac, 6)) {
		frame_fmt_mac(ifc->mac, m1);
		frame_fmt_mac(v->eth_src, m2);
		return fail(s, "Ethernet source: expected %s (%s's MAC), got %s (frame %s)",
			    m1, ifc->name, m2, desc);
	}
	if (p->want_partial == 1 && !(b->meta.flags & MASQ_META_NEEDS_CSUM))
		return fail(s, "frame out lost its NEEDS_CSUM metadata (frame %s)",
			    desc);
	if (p->want_partial == 0 && (b->meta.flags & MASQ_META_NEEDS_CSUM))
		return fail(s, "frame out carries NEEDS_CSUM (frame %s)", desc);
	if (p->eth_dst_set || p->kind == PK_ARP) {
		const uint8_t *want = p->eth_dst_set ? p->eth_dst :
			p->f[PF_ARP_OP].v == 2 ? p->tha : bcast;

		if (memcmp(v->eth_dst, want, 6)) {
			frame_fmt_mac(want, m1);
			frame_fmt_mac(v->eth_dst, m2);
			return fail(s, "Ethernet destination: expected %s, got %s (frame %s)",
				    m1, m2, desc);
		}
	} else if (!s->out_twin && !host_mac_known(s, v->eth_dst)) {
		frame_fmt_mac(v->eth_dst, m2);
		return fail(s, "Ethernet destination %s is no known neighbour (frame %s)",
			    m2, desc);
	}
	if (p->l4_csum_set && v->l4_csum_field != p->l4_csum)
		return fail(s, "L4 checksum field: expected 0x%04x, got 0x%04x (frame %s)",
			    p->l4_csum, v->l4_csum_field, desc);
	if (p->kind == PK_ARP) {
		if (p->sha_set && memcmp(v->arp_sha, p->sha, 6)) {
			frame_fmt_mac(p->sha, m1);
			frame_fmt_mac(v->arp_sha, m2);
			return fail(s, "ARP sender MAC: expected %s, got %s", m1, m2);
		}
		if (p->tha_set && memcmp(v->arp_tha, p->tha, 6)) {
			frame_fmt_mac(p->tha, m1);
			frame_fmt_mac(v->arp_tha, m2);
			return fail(s, "ARP target MAC: expected %s, got %s", m1, m2);
		}
	}
	return 0;
}

/*
 * An `out ... fragment OFF LEN` line: the fragment's place and bytes are
 * those of the datagram the line describes, cut the same way; its IP
 * fields are checked as usual, its L4 fields through the bytes.
 */
static int check_fragment(struct scn *s, const struct pspec *p,
			  const struct masq_buf *b, const struct frame_view *v,
			  const char *desc)
{
	static const enum pf l4_fields[] = {
		PF_SPORT, PF_DPORT, PF_SEQ, PF_ACK, PF_FLAGS, PF_WIN, PF_DOFF,
		PF_UDP_LEN, PF_ICMP_TYPE, PF_ICMP_CODE, PF_ICMP_ID, PF_ICMP_SEQ,
	};
	static struct frame_spec fs;
	static struct pspec ipo;
	static uint8_t want[FRAME_MAX];
	uint32_t hl = v->ihl * 4u, wfo, whl;
	int n;

	if (pspec_to_frame(s, p, &fs))
		return -1;
	fs.tot_len = 0;			/* ip-len and ihl are the fragment's */
	fs.ihl_set = false;
	fs.truncate = 0;
	fs.pad = 0;
	n = frame_build_bytes(&fs, want, sizeof(want), NULL);
	if (n >= 0)
		n = frame_fragment(want, (uint32_t)n, p->slice_off, p->slice_len);
	if (n < 0)
		return fail(s, "fragment %u %u lies outside the datagram",
			    p->slice_off, p->slice_len);
	whl = (want[FRAME_ETH_HLEN] & 0xfu) * 4u;
	wfo = ((uint32_t)want[FRAME_ETH_HLEN + 6] << 8 |
	       want[FRAME_ETH_HLEN + 7]) & 0x3fff;
	if ((v->frag & 0x3fff) != wfo)
		return fail(s, "fragment offset/MF: expected offset %u%s, got offset %u%s (frame %s)",
			    (wfo & 0x1fff) * 8, wfo & 0x2000 ? " MF" : "",
			    (v->frag & 0x1fff) * 8u, v->frag & 0x2000 ? " MF" : "",
			    desc);
	if (v->tot_len != hl + p->slice_len)
		return fail(s, "fragment holds %u bytes, expected %u (frame %s)",
			    v->tot_len - hl, p->slice_len, desc);
	if (memcmp(b->data + FRAME_ETH_HLEN + hl, want + FRAME_ETH_HLEN + whl,
		   p->slice_len))
		return fail(s, "fragment bytes differ from bytes %u..%u of the datagram (frame %s)",
			    p->slice_off, p->slice_off + p->slice_len, desc);
	ipo = *p;
	ipo.payload_set = false;
	ipo.l4_csum_set = false;
	for (unsigned i = 0; i < sizeof(l4_fields) / sizeof(l4_fields[0]); i++)
		ipo.f[l4_fields[i]].set = false;
	return check_fields(s, &ipo, v, "", desc);
}

static bool pend_matches(const struct pspec *p, const struct masq_buf *b,
			 int ifidx)
{
	struct frame_view v;

	if ((int)b->iface != ifidx)
		return false;
	v.inner = NULL;
	frame_decode(b->data, b->len, &b->meta, &v);
	if (p->kind == PK_ARP)
		return v.ethertype == FRAME_ETHERTYPE_ARP;
	return v.ethertype == FRAME_ETHERTYPE_IPV4 &&
	       (!p->f[PF_PROTO].set || v.proto == p->f[PF_PROTO].v);
}

static int do_out(struct scn *s, char **t, int n)
{
	static struct pspec p, inner;
	struct frame_view v, vin;
	struct scn_iface *ifc;
	struct masq_buf *b = NULL;
	char desc[640];
	int ifidx, rc;
	uint32_t k;

	if (n < 3)
		return fail(s, "usage: out IFACE PACKET");
	ifc = iface_or_twin(s, t[1], &ifidx, &s->out_twin);
	if (!ifc)
		return fail(s, "unknown interface '%s'", t[1]);
	if (pspec_parse(s, &p, t + 2, n - 2, &inner))
		return -1;
	for (k = 0; k < s->npend; k++) {
		if (pend_matches(&p, s->pend[k], ifidx)) {
			b = s->pend[k];
			break;
		}
	}
	if (!b) {
		if (!s->npend)
			return fail(s, "expected a frame out on %s, got nothing",
				    t[1]);
		describe_buf(s, s->pend[0], desc, sizeof(desc));
		return fail(s, "expected a %s frame out on %s, got %u other(s), first %s",
			    t[2], t[1], s->npend, desc);
	}
	memmove(&s->pend[k], &s->pend[k + 1],
		(s->npend - k - 1) * sizeof(s->pend[0]));
	s->npend--;
	v.inner = &vin;
	frame_decode(b->data, b->len, &b->meta, &v);
	describe_buf(s, b, desc, sizeof(desc));
	rc = check_sanity(s, &p, b, &v, ifc, desc);
	if (!rc && p.frag_slice)
		rc = check_fragment(s, &p, b, &v, desc);
	else if (!rc)
		rc = check_fields(s, &p, &v, "", desc);
	if (!rc)
		rc = check_quote(s, &p, &v, desc);
	masq_pool_put(s->pool, b);
	return rc;
}

static int do_in(struct scn *s, char **t, int n)
{
	static struct pspec p, inner;
	static struct frame_spec fs;
	struct scn_iface *ifc;
	struct masq_buf *b;
	int ifidx, len;
	bool twin;

	if (n < 3)
		return fail(s, "usage: in IFACE PACKET");
	if (engine_up(s) || expect_nothing_pending(s, "before this frame"))
		return -1;
	ifc = iface_or_twin(s, t[1], &ifidx, &twin);
	if (!ifc)
		return fail(s, "unknown interface '%s'", t[1]);
	if (pspec_parse(s, &p, t + 2, n - 2, &inner) ||
	    pspec_to_frame(s, &p, &fs))
		return -1;
	if (!p.eth_dst_set && p.kind == PK_IP)
		memcpy(fs.eth_dst, ifc->mac, 6);
	if (twin && !p.eth_src_set)	/* the host writes with the twin's MAC */
		memcpy(fs.eth_src, ifc->mac, 6);
	if (!twin && p.kind == PK_ARP && fs.arp_spa && !(fs.arp_sha[0] & 1))
		host_add(s, fs.arp_spa, fs.arp_sha);
	b = masq_pool_get(s->pool);
	if (!b)
		return fail(s, "the pool is empty (%u of %u buffers out)",
			    masq_pool_count(s->pool), masq_pool_count(s->pool));
	len = frame_build(&fs, b);
	if (len < 0) {
		masq_pool_put(s->pool, b);
		return fail(s, "frame does not fit a buffer");
	}
	if (p.frag_slice) {
		len = frame_fragment(b->data, (uint32_t)len, p.slice_off,
				     p.slice_len);
		if (len < 0) {
			masq_pool_put(s->pool, b);
			return fail(s, "fragment %u %u lies outside the datagram",
				    p.slice_off, p.slice_len);
		}
		b->len = (uint32_t)len;
	}
	b->iface = (uint32_t)ifidx;
	s->last_in_len = 0;
	if (len > FRAME_ETH_HLEN) {
		s->last_in_len = (uint32_t)len - FRAME_ETH_HLEN;
		memcpy(s->last_in, b->data + FRAME_ETH_HLEN, s->last_in_len);
	}
	masq_engine_input(s->e, &b, 1, s->now_ns, &s->tx);
	return collect_tx(s);
}

/* ---- control ---- */

static void note_ctl(struct scn *s, int argc, char **argv)
{
	uint32_t ip;
	uint8_t mac[6];

	if (argc >= 6 && !strcmp(argv[0], "iface") && !strcmp(argv[1], "add")) {
		for (int i = 3; i + 1 < argc; i++) {
			if (!strcmp(argv[i], "mac") &&
			    !frame_parse_mac(argv[i + 1], mac) &&
			    s->nifs < (int)(sizeof(s->ifs) / sizeof(s->ifs[0]))) {
				snprintf(s->ifs[s->nifs].name,
					 sizeof(s->ifs[0].name), "%s", argv[2]);
				memcpy(s->ifs[s->nifs++].mac, mac, 6);
			}
		}
	}
	if (argc >= 5 && !strcmp(argv[0], "neigh") && !strcmp(argv[1], "add") &&
	    !strcmp(argv[3], "lladdr") && !frame_parse_ip4(argv[2], &ip) &&
	    !frame_parse_mac(argv[4], mac))
		host_add(s, ip, mac);
}

/* Keep a command that succeeded for a restart's new engine (do_restart) */
static void note_replay(struct scn *s, int argc, char **argv)
{
	char *p;
	size_t k = 0;

	if (s->nreplay == SCN_MAX_REPLAY)
		return;		/* do_restart() says so */
	p = s->replay[s->nreplay];
	for (int i = 0; i < argc; i++) {
		size_t len = strlen(argv[i]) + 1;

		if (k + len > sizeof(s->replay[0]))
			return;
		memcpy(p + k, argv[i], len);
		k += len;
	}
	s->replay_argc[s->nreplay++] = (uint8_t)argc;
}

static int run_ctl(struct scn *s, char **words, int n, int *status,
		   struct masq_text *out)
{
	static char store[SCN_MAX_TOK][256];
	char *argv[SCN_MAX_TOK + 1];

	if (engine_up(s))
		return -1;
	for (int i = 0; i < n; i++) {
		if (subst(s, words[i], store[i], sizeof(store[i])))
			return -1;
		argv[i] = store[i];
	}
	argv[n] = NULL;
	*status = masq_engine_ctl(s->e, n, argv, out);
	if (*status == 0) {
		note_ctl(s, n, argv);
		note_replay(s, n, argv);
	}
	return collect_tx(s);
}

/* The commands kept by note_replay(), run on the new engine */
static int replay(struct scn *s)
{
	for (int i = 0; i < s->nreplay; i++) {
		char *argv[SCN_MAX_TOK + 1], *p = s->replay[i];
		struct masq_text out = { 0 };
		int argc = s->replay_argc[i], st;

		for (int k = 0; k < argc; k++) {
			argv[k] = p;
			p += strlen(p) + 1;
		}
		argv[argc] = NULL;
		st = masq_engine_ctl(s->e, argc, argv, &out);
		masq_text_free(&out);
		if (st)
			return fail(s, "restart: '%s...' failed again (%d)",
				    argv[0], st);
		if (collect_tx(s))
			return -1;
	}
	return 0;
}

/* restart [+T]: see the header */
static int do_restart(struct scn *s, char **t, int n)
{
	struct masq_snap_info in = { .now_ns = s->now_ns };
	struct masq_text snap = { 0 };
	double sec = 0;
	char *end = NULL;
	int rc;

	if (n > 2 || (n == 2 && t[1][0] != '+'))
		return fail(s, "usage: restart [+SECONDS]");
	if (n == 2 && ((sec = strtod(t[1] + 1, &end)) < 0 || *end))
		return fail(s, "bad time '%s'", t[1]);
	if (engine_up(s) || expect_nothing_pending(s, "before the restart"))
		return -1;
	if (s->nreplay == SCN_MAX_REPLAY)
		return fail(s, "restart: more than %d commands to give again",
			    SCN_MAX_REPLAY);
	snprintf(in.boot_id, sizeof(in.boot_id), "scenario");
	snprintf(in.version, sizeof(in.version), "scenario");
	rc = masq_engine_snapshot(s->e, &in, &snap);
	masq_engine_destroy(s->e);
	s->e = masq_engine_create(&s->lim, s->pool);
	if (rc || !s->e) {
		masq_text_free(&snap);
		return fail(s, "restart: snapshot %d, new engine %p", rc,
			    (void *)s->e);
	}
	masq_engine_set_log(s->e, scn_log, s);
	if (replay(s)) {
		masq_text_free(&snap);
		return -1;
	}
	s->now_ns += (uint64_t)(sec * 1e9 + 0.5);
	in.now_ns = s->now_ns;
	rc = masq_engine_restore(s->e, snap.s, snap.len, &in);
	masq_text_free(&snap);
	if (rc)
		return fail(s, "restart: restore refused (%d): %s", rc, in.why);
	if (var_set(s, "RESTORED_CONNS", in.conns) ||
	    var_set(s, "RESTORED_MAPS", in.maps) ||
	    var_set(s, "RESTORED_EXPECTS", in.expects) ||
	    var_set(s, "RESTORED_AUTOFW", in.autofw) ||
	    var_set(s, "RESTORED_SKIPPED", in.skipped))
		return -1;
	masq_engine_advance(s->e, s->now_ns, &s->tx);
	return collect_tx(s);
}

static int do_ctl(struct scn *s, char **t, int n)
{
	struct masq_text out = { 0 };
	int status, rc = 0;

	if (n < 2)
		return fail(s, "usage: ctl WORD...");
	if (run_ctl(s, t + 1, n - 1, &status, &out)) {
		masq_text_free(&out);
		return -1;
	}
	if (status != 0)
		rc = fail(s, "ctl returned %d: %.300s", status,
			  out.s ? out.s : "(no text)");
	masq_text_free(&out);
	return rc;
}

static int do_expect_ctl(struct scn *s, char **t, int n)
{
	static char cmd[1024];
	char *w[SCN_MAX_TOK];
	struct masq_text out = { 0 };
	int status, want = 0, nw, rc = 0;

	if (n < 2)
		return fail(s, "usage: expect-ctl \"WORDS\" [status N] [contains|lacks \"TEXT\"]...");
	snprintf(cmd, sizeof(cmd), "%s", t[1]);
	nw = tokenize(cmd, w, SCN_MAX_TOK);
	if (nw < 1)
		return fail(s, "expect-ctl: empty command");
	if (run_ctl(s, w, nw, &status, &out)) {
		masq_text_free(&out);
		return -1;
	}
	for (int i = 2; i < n && !rc; i += 2) {
		char text[512];
		const char *hay = out.s ? out.s : "";
		uint32_t v;

		if (i + 1 >= n) {
			rc = fail(s, "'%s' needs an argument", t[i]);
			break;
		}
		if (!strcmp(t[i], "status")) {
			if (parse_u32(t[i + 1], &v)) {
				rc = fail(s, "bad status '%s'", t[i + 1]);
				break;
			}
			want = (int)v;
			continue;
		}
		if (subst(s, t[i + 1], text, sizeof(text))) {
			rc = -1;
			break;
		}
		if (!strcmp(t[i], "contains")) {
			if (!strstr(hay, text))
				rc = fail(s, "'%s' output lacks \"%s\"; it was:\n%.1500s",
					  t[1], text, hay);
		} else if (!strcmp(t[i], "lacks")) {
			if (strstr(hay, text))
				rc = fail(s, "'%s' output contains \"%s\"; it was:\n%.1500s",
					  t[1], text, hay);
		} else {
			rc = fail(s, "unknown expect-ctl condition '%s'", t[i]);
		}
	}
	if (!rc && status != want)
		rc = fail(s, "'%s' returned %d, expected %d: %.300s", t[1],
			  status, want, out.s ? out.s : "(no text)");
	masq_text_free(&out);
	return rc;
}

/* ---- the other lines ---- */

static int do_time(struct scn *s, char **t, int n)
{
	const char *w;
	char *end;
	double sec;
	uint64_t ns;

	if (n != 2)
		return fail(s, "usage: time SECONDS | time +SECONDS");
	if (engine_up(s) || expect_nothing_pending(s, "before time passed"))
		return -1;
	w = t[1][0] == '+' ? t[1] + 1 : t[1];
	sec = strtod(w, &end);
	if (end == w || *end || sec < 0)
		return fail(s, "bad time '%s'", t[1]);
	ns = (uint64_t)(sec * 1e9 + 0.5);
	if (t[1][0] == '+')
		s->now_ns += ns;
	else if (SCN_TIME_BASE + ns < s->now_ns)
		return fail(s, "time runs backwards");
	else
		s->now_ns = SCN_TIME_BASE + ns;
	masq_engine_advance(s->e, s->now_ns, &s->tx);
	return collect_tx(s);
}

static int do_counter(struct scn *s, char **t, int n)
{
	uint32_t want;
	int64_t got;

	if (n != 3 || parse_u32(t[2], &want))
		return fail(s, "usage: counter NAME VALUE");
	if (engine_up(s))
		return -1;
	got = masq_engine_counter(s->e, t[1]);
	if (got < 0)
		return fail(s, "the engine has no counter named %s", t[1]);
	if (got != want)
		return fail(s, "counter %s: expected %u, got %lld", t[1], want,
			    (long long)got);
	return 0;
}

static int do_conns(struct scn *s, char **t, int n)
{
	uint32_t want, got;

	if (n != 2 || parse_u32(t[1], &want))
		return fail(s, "usage: conns N");
	if (engine_up(s))
		return -1;
	got = masq_engine_conn_count(s->e);
	if (got != want)
		return fail(s, "connections in the table: expected %u, got %u",
			    want, got);
	return 0;
}

static int do_frag_held(struct scn *s, char **t, int n)
{
	uint32_t bytes, dgrams, got_bytes, got_dgrams;

	if (n != 3 || parse_u32(t[1], &bytes) || parse_u32(t[2], &dgrams))
		return fail(s, "usage: frag-held BYTES DATAGRAMS");
	if (engine_up(s))
		return -1;
	got_bytes = masq_engine_frag_held(s->e, &got_dgrams);
	if (got_bytes != bytes || got_dgrams != dgrams)
		return fail(s, "reassembly holds: expected %u bytes in %u datagrams, got %u in %u",
			    bytes, dgrams, got_bytes, got_dgrams);
	return 0;
}

static int do_assert(struct scn *s, char **t, int n)
{
	struct scn_var *x;
	uint32_t a, lo, hi;
	char buf[64], *dash;
	bool in;

	if (n != 4 || t[1][0] != '$')
		return fail(s, "usage: assert $V ==|!=|in|not-in VALUE");
	x = var_find(s, t[1] + 1);
	if (!x)
		return fail(s, "variable %s was never captured", t[1]);
	if (!strcmp(t[2], "==") || !strcmp(t[2], "!=")) {
		if (subst(s, t[3], buf, sizeof(buf)) || parse_u32(buf, &a))
			return fail(s, "bad value '%s'", t[3]);
		if ((x->v == a) != (t[2][0] == '='))
			return fail(s, "%s is %u, expected %s %u", t[1], x->v,
				    t[2], a);
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s", t[3]);
	dash = strchr(buf, '-');
	if (!dash)
		return fail(s, "expected a range LO-HI, got '%s'", t[3]);
	*dash = 0;
	if (parse_u32(buf, &lo) || parse_u32(dash + 1, &hi))
		return fail(s, "bad range '%s'", t[3]);
	in = x->v >= lo && x->v <= hi;
	if (!strcmp(t[2], "in") && !in)
		return fail(s, "%s is %u, outside %s", t[1], x->v, t[3]);
	if (!strcmp(t[2], "not-in") && in)
		return fail(s, "%s is %u, inside %s", t[1], x->v, t[3]);
	if (strcmp(t[2], "in") && strcmp(t[2], "not-in"))
		return fail(s, "unknown assert operator '%s'", t[2]);
	return 0;
}

static int do_host(struct scn *s, char **t, int n)
{
	uint32_t ip;
	uint8_t mac[6];

	if (n != 3 || frame_parse_ip4(t[1], &ip) || frame_parse_mac(t[2], mac))
		return fail(s, "usage: host IP MAC");
	host_add(s, ip, mac);
	return 0;
}

static int do_limit(struct scn *s, char **t, int n)
{
	uint32_t v;

	if (s->e)
		return fail(s, "'%s' must come before the engine is used", t[0]);
	if (!strcmp(t[0], "pool")) {
		if (n != 2 || parse_u32(t[1], &v) || !v)
			return fail(s, "usage: pool N");
		s->pool_count = v;
		return 0;
	}
	if (n != 3 || parse_u32(t[2], &v))
		return fail(s, "usage: limit conns|neigh|neigh-queue|routes|frag-mem N");
	if (!strcmp(t[1], "conns"))
		s->lim.max_conns = v;
	else if (!strcmp(t[1], "neigh"))
		s->lim.max_neigh = v;
	else if (!strcmp(t[1], "neigh-queue"))
		s->lim.neigh_queue = v;
	else if (!strcmp(t[1], "routes"))
		s->lim.max_routes = v;
	else if (!strcmp(t[1], "frag-mem"))
		s->lim.frag_mem = v;
	else
		return fail(s, "unknown limit '%s'", t[1]);
	return 0;
}

static int run_text(struct scn *s, const char *name, char *text);

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else if (buf) {
			buf[n] = 0;
		}
	}
	fclose(f);
	return buf;
}

static int do_include(struct scn *s, char **t, int n)
{
	char path[512];
	const char *slash = strrchr(s->file, '/');
	const char *file = s->file;
	int line = s->line, rc;
	char *text;

	if (n != 2)
		return fail(s, "usage: include FILE");
	if (s->depth > 8)
		return fail(s, "includes nested too deep");
	if (slash && t[1][0] != '/')
		snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - s->file),
			 s->file, t[1]);
	else
		snprintf(path, sizeof(path), "%s", t[1]);
	text = read_file(path);
	if (!text)
		return fail(s, "cannot read %s", path);
	s->depth++;
	rc = run_text(s, path, text);
	s->depth--;
	free(text);
	if (!rc) {
		s->file = file;
		s->line = line;
	}
	return rc;
}

static int do_line(struct scn *s, char **t, int n)
{
	const char *c = t[0];

	if (!strcmp(c, "ctl"))
		return do_ctl(s, t, n);
	if (!strcmp(c, "expect-ctl"))
		return do_expect_ctl(s, t, n);
	if (!strcmp(c, "in"))
		return do_in(s, t, n);
	if (!strcmp(c, "out"))
		return do_out(s, t, n);
	if (!strcmp(c, "none"))
		return n == 1 ? expect_nothing_pending(s, "") :
				fail(s, "usage: none");
	if (!strcmp(c, "time"))
		return do_time(s, t, n);
	if (!strcmp(c, "advance")) {
		if (engine_up(s))
			return -1;
		masq_engine_advance(s->e, s->now_ns, &s->tx);
		return collect_tx(s);
	}
	if (!strcmp(c, "counter"))
		return do_counter(s, t, n);
	if (!strcmp(c, "conns"))
		return do_conns(s, t, n);
	if (!strcmp(c, "frag-held"))
		return do_frag_held(s, t, n);
	if (!strcmp(c, "assert"))
		return do_assert(s, t, n);
	if (!strcmp(c, "host"))
		return do_host(s, t, n);
	if (!strcmp(c, "limit") || !strcmp(c, "pool"))
		return do_limit(s, t, n);
	if (!strcmp(c, "include"))
		return do_include(s, t, n);
	if (!strcmp(c, "log"))
		return do_log(s, t, n);
	if (!strcmp(c, "no-log"))
		return do_no_log(s, n);
	if (!strcmp(c, "restart"))
		return do_restart(s, t, n);
	return fail(s, "unknown step '%s'", c);
}

static int run_text(struct scn *s, const char *name, char *text)
{
	char *line = text, *next;
	char *tok[SCN_MAX_TOK];
	int n;

	s->file = name;
	s->line = 0;
	for (; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		s->line++;
		n = tokenize(line, tok, SCN_MAX_TOK);
		if (n < 0)
			return fail(s, "too many words");
		if (n == 0)
			continue;
		if (do_line(s, tok, n))
			return -1;
	}
	return 0;
}

static int scn_run(const char *name, char *text, char *msg, size_t cap)
{
	static struct scn s;
	int rc;

	memset(&s, 0, sizeof(s));
	s.msg = msg;
	s.cap = cap;
	s.pool_count = 256;
	masq_limits_default(&s.lim);
	rc = run_text(&s, name, text);
	if (!rc && s.e)
		rc = expect_nothing_pending(&s, "at the end");
	for (uint32_t i = 0; i < s.npend; i++)
		masq_pool_put(s.pool, s.pend[i]);
	s.npend = 0;
	if (s.e)
		masq_engine_destroy(s.e);
	if (s.pool) {
		uint32_t avail = masq_pool_avail(s.pool);
		uint32_t count = masq_pool_count(s.pool);

		if (!rc && avail != count) {
			s.line++;
			rc = fail(&s, "after masq_engine_destroy() %u of %u buffers are not back in the pool",
				  count - avail, count);
		}
		masq_pool_destroy(s.pool);
	}
	return rc;
}

int scn_run_text(const char *name, const char *text, char *msg, size_t cap)
{
	char *copy = strdup(text);
	int rc;

	if (!copy) {
		snprintf(msg, cap, "%s: out of memory", name);
		return -1;
	}
	rc = scn_run(name, copy, msg, cap);
	free(copy);
	return rc;
}

int scn_run_file(const char *path, char *msg, size_t cap)
{
	char *text = read_file(path);
	int rc;

	if (!text) {
		snprintf(msg, cap, "%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	rc = scn_run(path, text, msg, cap);
	free(text);
	return rc;
}
