// SPDX-License-Identifier: MIT
/*
 * sockdiag.c - the host's listening and bound ports, from sock_diag
 *
 * Theory of operation (see sockdiag.h for what counts and why)
 *
 * A round is four dumps, each asked for when the one before ends
 * (NLMSG_DONE, or an NLMSG_ERROR: a kernel without udp_diag refuses the
 * UDP ones with ENOENT, counted, and the round goes on). The kernel
 * fills the next chunk of a dump (up to 32 KiB, sized from our buffer)
 * each time we read one, so sdiag_step() reading at most @budget
 * datagrams is also the bound on the kernel's work per call: a loop
 * iteration pays for @budget chunks, about 200 sockets each.
 *
 * A round under way when the next sdiag_start() comes is left to finish;
 * after SDIAG_STALLS such calls it is given up (the socket opened anew,
 * which also ends the kernel's dump) and started again.
 *
 * Memory: struct sdiag (two bitmaps of 16 KiB) and its receive buffer are
 * allocated at sdiag_open(); nothing after.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>

#include "io/nlmsg.h"
#include "io/sockdiag.h"

#define SDIAG_STALLS	5
#define DIAG_ATTRS	(INET_DIAG_SKV6ONLY + 1)

const char *const sdiag_proto_names[SDIAG_PROTO_NUM] = {
	[SDIAG_TCP] = "tcp",
	[SDIAG_UDP] = "udp",
};
_Static_assert(sizeof(sdiag_proto_names) / sizeof(sdiag_proto_names[0]) ==
	       SDIAG_PROTO_NUM, "a name for every protocol");

/* ---- the parser ---------------------------------------------------------- */

static void port_set(uint64_t *bits, uint16_t port)
{
	bits[port / 64] |= 1ull << (port % 64);
}

static bool port_get(const uint64_t *bits, uint32_t port)
{
	return bits[port / 64] >> (port % 64) & 1;
}

/**
 * sdiag_port_held() - Is @port held by a host socket?
 * @p:		ports
 * @proto:	TCP or UDP
 * @port:	port, host order
 *
 * Return: true if held
 */
bool sdiag_port_held(const struct sdiag_ports *p, enum sdiag_proto proto,
		     uint16_t port)
{
	return port_get(p->bits[proto], port);
}

static bool router_addr(const struct sdiag_filter *f, uint32_t a)
{
	if (!a)
		return true;	/* the wildcard */
	for (size_t i = 0; i < f->n; i++)
		if (f->addrs[i] == a)
			return true;
	return false;
}

/* Does a socket on @m's local address meet the router's IPv4 addresses? */
static bool addr_counts(const struct inet_diag_msg *m, int v6only,
			const struct sdiag_filter *f)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	static const uint8_t any6[16];
	const uint32_t *src = m->id.idiag_src;

	if (m->idiag_family == AF_INET)
		return router_addr(f, src[0]);
	if (m->idiag_family != AF_INET6)
		return false;
	if (!memcmp(src, any6, 16))
		return v6only != 1;	/* [::] takes IPv4 unless V6ONLY */
	if (!memcmp(src, mapped, 12))
		return router_addr(f, src[3]);
	return false;
}

/* LISTEN for TCP; unconnected (TCP_CLOSE) for UDP */
static bool state_counts(enum sdiag_proto proto, uint8_t state)
{
	return state == (proto == SDIAG_TCP ? TCP_LISTEN : TCP_CLOSE);
}

static int parse_sock(const struct nlm_msg *nm, enum sdiag_proto proto,
		      const struct sdiag_filter *f, struct sdiag_ports *ports,
		      struct sdiag_result *res)
{
	struct nlm_attr tb[DIAG_ATTRS];
	struct inet_diag_msg m;
	size_t off = NLMSG_ALIGN(sizeof(m));
	int v6only = -1;
	uint16_t port;
	uint8_t v;

	if (nm->len < sizeof(m))
		return -EBADMSG;
	memcpy(&m, nm->body, sizeof(m));
	if (nlm_attr_table(nm->body + off, nm->len - off, tb, DIAG_ATTRS))
		return -EBADMSG;
	if (tb[INET_DIAG_SKV6ONLY].data) {
		if (!nlm_attr_u8(&tb[INET_DIAG_SKV6ONLY], &v))
			return -EBADMSG;
		v6only = v != 0;
	}
	res->sockets++;
	port = ntohs(m.id.idiag_sport);
	if (!port || !state_counts(proto, m.idiag_state) ||
	    !addr_counts(&m, v6only, f))
		return 0;
	port_set(ports->bits[proto], port);
	res->kept++;
	return 0;
}

static int sdiag_parse_err(const struct nlm_msg *nm, struct sdiag_result *res)
{
	int32_t err;

	if (nm->len < sizeof(err))
		return -EBADMSG;
	memcpy(&err, nm->body, sizeof(err));
	if (err) {		/* 0 would be an acknowledgement */
		res->error = err;
		res->done = true;
	}
	return 0;
}

/**
 * sdiag_parse() - Add one buffer of an inet_diag dump's reply to @ports
 * @buf:	what one recv() gave (any alignment)
 * @len:	its length
 * @proto:	the dump's protocol (the replies do not say)
 * @f:		the router's addresses
 * @ports:	a port is set here for each socket that counts (sockdiag.h)
 * @res:	counts added to; @res->done once the dump ended
 *
 * Pure: reads @buf and @f, writes @ports and @res. Linear in @len.
 * Messages other than SOCK_DIAG_BY_FAMILY, NLMSG_DONE and NLMSG_ERROR
 * are skipped.
 *
 * Return: 0, or -EBADMSG (a message cut short, a length below a header
 * or past the buffer, INET_DIAG_SKV6ONLY not one byte); what was read
 * before the bad message is in @ports already
 */
int sdiag_parse(const void *buf, size_t len, enum sdiag_proto proto,
		const struct sdiag_filter *f, struct sdiag_ports *ports,
		struct sdiag_result *res)
{
	struct nlm_iter it;
	struct nlm_msg m;
	int rc;

	nlm_iter_init(&it, buf, len);
	while ((rc = nlm_next(&it, &m)) > 0) {
		if (m.hdr.nlmsg_type == SOCK_DIAG_BY_FAMILY)
			rc = parse_sock(&m, proto, f, ports, res);
		else if (m.hdr.nlmsg_type == NLMSG_ERROR)
			rc = sdiag_parse_err(&m, res);
		else if (m.hdr.nlmsg_type == NLMSG_DONE)
			res->done = true;
		if (rc < 0)
			return rc;
	}
	return rc;
}

/* ---- the formatter ------------------------------------------------------- */

/* The first port >= @from whose bit is @set, or 65536 */
static uint32_t next_port(const uint64_t *bits, uint32_t from, bool set)
{
	while (from < 65536) {
		uint64_t w = bits[from / 64];

		w = (set ? w : ~w) >> (from % 64);
		if (w)
			return from + (uint32_t)__builtin_ctzll(w);
		from = (from / 64 + 1) * 64;
	}
	return 65536;
}

/* Append "LO" or "LO-HI" (with a comma before all but the first) */
static size_t put_range(char *s, size_t size, size_t n, uint32_t lo,
			uint32_t hi)
{
	char tmp[16];
	int k = lo == hi ? snprintf(tmp, sizeof(tmp), "%s%u", n ? "," : "", lo)
			 : snprintf(tmp, sizeof(tmp), "%s%u-%u", n ? "," : "",
				    lo, hi);

	if (n + (size_t)k < size)
		memcpy(s + n, tmp, (size_t)k + 1);
	return n + (size_t)k;
}

/*
 * The ranges, with holes shorter than @gap ports filled in; Return: the
 * length of the whole list (written only as far as it fits @size)
 */
static size_t write_ranges(const uint64_t *bits, uint32_t gap, char *s,
			   size_t size)
{
	uint32_t lo = next_port(bits, 1, true), hi, next;
	size_t n = 0;

	while (lo < 65536) {
		hi = next_port(bits, lo, false) - 1;
		next = next_port(bits, hi + 1, true);
		while (next < 65536 && next - hi - 1 < gap) {
			hi = next_port(bits, next, false) - 1;
			next = next_port(bits, hi + 1, true);
		}
		n = put_range(s, size, n, lo, hi);
		lo = next;
	}
	return n;
}

/**
 * sdiag_format_list() - Write a port set as the control language's LIST
 * @bits:	one protocol's bitmap (struct sdiag_ports)
 * @s:		where to write: "22,2222,6000-6010", or "-" for none
 * @size:	room at @s, the NUL included (SDIAG_WORD_MAX for a word)
 *
 * Sorted, adjacent ports merged into ranges. When the list would not fit,
 * holes of 1, 2, 4, ... ports between ranges are filled in until it does:
 * the list then names some ports no socket holds (kept from masquerading
 * for nothing; never the other way). At most 17 passes over 8 KiB.
 *
 * Return: the length written, or -ENOSPC when not even one range fits
 */
int sdiag_format_list(const uint64_t *bits, char *s, size_t size)
{
	size_t n;

	if (size < 2)
		return -ENOSPC;
	if (next_port(bits, 1, true) == 65536) {
		strcpy(s, "-");
		return 1;
	}
	for (uint32_t gap = 0; gap <= 65536; gap = gap ? gap * 2 : 2) {
		n = write_ranges(bits, gap, s, size);
		if (n < size)
			return (int)n;
	}
	s[0] = '\0';
	return -ENOSPC;
}

/**
 * sdiag_format() - The engine command that says which ports the host holds
 * @p:		ports
 * @tcp:	room for the TCP list, SDIAG_WORD_MAX bytes
 * @udp:	room for the UDP list, SDIAG_WORD_MAX bytes
 * @argv:	room for 6 pointers: host-ports tcp LIST udp LIST, NULL
 *
 * Return: argc (5)
 */
int sdiag_format(const struct sdiag_ports *p, char *tcp, char *udp,
		 char **argv)
{
	sdiag_format_list(p->bits[SDIAG_TCP], tcp, SDIAG_WORD_MAX);
	sdiag_format_list(p->bits[SDIAG_UDP], udp, SDIAG_WORD_MAX);
	argv[0] = "host-ports";
	argv[1] = "tcp";
	argv[2] = tcp;
	argv[3] = "udp";
	argv[4] = udp;
	argv[5] = NULL;
	return 5;
}

/* ---- the socket ---------------------------------------------------------- */

/* The four dumps of a round, in order */
static const struct {
	uint8_t family;
	uint8_t protocol;
	enum sdiag_proto proto;
} dumps[] = {
	{ AF_INET, IPPROTO_TCP, SDIAG_TCP },
	{ AF_INET6, IPPROTO_TCP, SDIAG_TCP },
	{ AF_INET, IPPROTO_UDP, SDIAG_UDP },
	{ AF_INET6, IPPROTO_UDP, SDIAG_UDP },
};
#define NDUMPS	((int)(sizeof(dumps) / sizeof(dumps[0])))

static int sdiag_socket(struct sdiag *s)
{
	s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       NETLINK_SOCK_DIAG);
	return s->fd < 0 ? -errno : 0;
}

/* Give up the round: a new socket ends the kernel's dump as well */
static int abandon(struct sdiag *s)
{
	close(s->fd);
	s->step = -1;
	return sdiag_socket(s);
}

/**
 * sdiag_open() - Open the sock_diag socket
 * @err:	-errno when NULL is returned
 *
 * Return: the state, or NULL (out of memory, or no socket: @err)
 */
struct sdiag *sdiag_open(int *err)
{
	struct sdiag *s = calloc(1, sizeof(*s));

	*err = -ENOMEM;
	if (!s)
		return NULL;
	s->step = -1;
	s->fd = -1;
	s->buf = malloc(SDIAG_BUF_SIZE);
	*err = s->buf ? sdiag_socket(s) : -ENOMEM;
	if (*err) {
		sdiag_close(s);
		return NULL;
	}
	return s;
}

/**
 * sdiag_close() - Close the socket and free the state
 * @s:		state, or NULL
 */
void sdiag_close(struct sdiag *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	free(s->buf);
	free(s);
}

/* Ask for dump @step of the round */
static int sdiag_send_dump(struct sdiag *s, int step)
{
	struct {
		struct nlmsghdr nh;
		struct inet_diag_req_v2 r;
	} req;
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = ++s->seq;
	req.r.sdiag_family = dumps[step].family;
	req.r.sdiag_protocol = dumps[step].protocol;
	req.r.idiag_states = 1u << (dumps[step].proto == SDIAG_TCP ?
				    TCP_LISTEN : TCP_CLOSE);
	req.r.id.idiag_cookie[0] = req.r.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	if (sendto(s->fd, &req, sizeof(req), 0, (struct sockaddr *)&k,
		   sizeof(k)) < 0)
		return -errno;
	s->step = step;
	s->res.done = false;
	s->res.error = 0;
	return 0;
}

/**
 * sdiag_start() - Begin a round of dumps
 * @s:		state
 *
 * A round still under way is left to finish (-EBUSY), unless it has been
 * so SDIAG_STALLS times in a row: then it is given up and begun again.
 *
 * Return: 0, -EBUSY, or -errno from sending the request
 */
int sdiag_start(struct sdiag *s)
{
	int ret;

	if (s->step >= 0 && ++s->stalls < SDIAG_STALLS)
		return -EBUSY;
	s->stalls = 0;
	if (s->step >= 0 && (ret = abandon(s)))
		return ret;
	if (s->fd < 0 && (ret = sdiag_socket(s)))
		return ret;
	memset(&s->cur, 0, sizeof(s->cur));
	memset(&s->res, 0, sizeof(s->res));
	return sdiag_send_dump(s, 0);
}

/* A round cut at SDIAG_MAX_SOCKETS: keep what was read and what was held */
static int capped(struct sdiag *s)
{
	for (int p = 0; p < SDIAG_PROTO_NUM; p++)
		for (int w = 0; w < SDIAG_WORDS; w++)
			s->ports.bits[p][w] |= s->cur.bits[p][w];
	s->st.capped++;
	s->st.sockets = s->res.sockets;
	abandon(s);
	return 1;
}

/* The running dump ended: the next, or the round is complete */
static int dump_ended(struct sdiag *s)
{
	int ret;

	if (s->res.error) {
		s->st.refused++;
		s->st.last_errno = -s->res.error;
	}
	if (s->step + 1 < NDUMPS) {
		ret = sdiag_send_dump(s, s->step + 1);
		if (ret)
			abandon(s);
		return ret;
	}
	s->ports = s->cur;
	s->st.sockets = s->res.sockets;
	s->st.cycles++;
	s->step = -1;
	return 1;
}

/* One datagram; Return: its length (0: not the kernel's), or -errno */
static ssize_t sdiag_recv_one(struct sdiag *s)
{
	struct sockaddr_nl from;
	struct iovec iov = { s->buf, SDIAG_BUF_SIZE };
	struct msghdr mh = {
		.msg_name = &from, .msg_namelen = sizeof(from),
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	ssize_t n = recvmsg(s->fd, &mh, MSG_DONTWAIT);

	if (n < 0)
		return -errno;
	if (mh.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	if (mh.msg_namelen < sizeof(from) || from.nl_pid != 0) {
		s->st.foreign++;
		return 0;
	}
	return n;
}

/**
 * sdiag_step() - Read what the round's dumps gave, a bounded amount
 * @s:		state
 * @f:		the router's addresses
 * @budget:	datagrams to read at most (each up to SDIAG_BUF_SIZE)
 *
 * Return: 1 when a round completed (@s->ports holds its ports), 0 when
 * it goes on or none runs, or -errno when it was given up (a bad or cut
 * buffer, a receive error); the previous @s->ports stay
 */
int sdiag_step(struct sdiag *s, const struct sdiag_filter *f,
	       unsigned int budget)
{
	while (s->step >= 0 && budget--) {
		ssize_t n = sdiag_recv_one(s);
		int ret;

		if (n == -EAGAIN)
			return 0;
		if (n < 0) {
			abandon(s);
			return (int)n;
		}
		ret = sdiag_parse(s->buf, (size_t)n, dumps[s->step].proto, f,
				  &s->cur, &s->res);
		if (ret) {
			s->st.bad++;
			abandon(s);
			return ret;
		}
		if (s->res.sockets > SDIAG_MAX_SOCKETS)
			return capped(s);
		if (s->res.done && (ret = dump_ended(s)))
			return ret;
	}
	return 0;
}
