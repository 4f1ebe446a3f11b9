// SPDX-License-Identifier: MIT
/*
 * ask.c - masq-socksify's questions to masqd over its control socket
 *
 * The protocol is masqd's (src/control/proto.h, docs/control.md): the
 * request is encoded by ctl_request_encode(), the answer's messages
 * checked by ctl_hdr_parse_answer() and ctl_reply_parse().
 *
 * Two questions:
 *
 *	iface	once, at start (sx_ask_internal(), blocking, each read and
 *		write bounded by SX_ASK_MS): the addresses of the interfaces
 *		whose role is internal and that have a twin, the addresses
 *		the relay listens on. masqd lets the origdst user read this
 *		listing (src/masqd/ctlperm.c), so the relay need not be root.
 *	origdst	per accepted connection (sx_ask_send(), sx_ask_io()), from
 *		the loop: one question out at a time on one connection kept
 *		open, the answer read as it comes. A masqd that is gone, an
 *		answer that makes no sense or that is too big, fails the
 *		question (SX_ASK_ERROR) and drops the connection; the next
 *		question opens a new one. Failing means the client's
 *		connection is closed: never relayed without an answer.
 *
 * Answers are small: an origdst answer is one line, so a message longer
 * than SX_ASK_IN_MAX is nonsense here, not something to read on.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include "control/proto.h"
#include "socksify/ask.h"
#include "socksify/socksify.h"

/* A connected stream socket to @path; -errno */
static int ctl_connect(const char *path, bool nonblock)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, e;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC |
		    (nonblock ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		return fd;
	e = errno;
	close(fd);
	return -e;	/* EAGAIN too: a backlog that full is a failure here */
}

/* "A.B.C.D/LEN" as a word of the listing; Return: true with @a set */
static bool cidr_word(const char *w, size_t n, struct in_addr *a)
{
	char buf[INET_ADDRSTRLEN + 3];
	char *slash;

	if (n >= sizeof(buf))
		return false;
	memcpy(buf, w, n);
	buf[n] = '\0';
	slash = strchr(buf, '/');
	if (!slash)
		return false;
	*slash = '\0';
	return inet_pton(AF_INET, buf, a) == 1;
}

/* Split @line into at most @max words; Return: how many */
static int split(const char *line, size_t len, const char **w, size_t *wl,
		 int max)
{
	int n = 0;
	size_t i = 0;

	while (i < len && n < max) {
		while (i < len && line[i] == ' ')
			i++;
		if (i == len)
			break;
		w[n] = line + i;
		while (i < len && line[i] != ' ')
			i++;
		wl[n] = (size_t)(line + i - w[n]);
		n++;
	}
	return n;
}

/* One line of the listing: NAME ROLE mac MAC mtu N [A/L...] [twin] */
static void iface_line(const char *line, size_t len, struct in_addr *addrs,
		       int max, int *n)
{
	const char *w[32];
	size_t wl[32];
	int nw = split(line, len, w, wl, 32);
	bool twin = nw > 0 && wl[nw - 1] == 4 && !memcmp(w[nw - 1], "twin", 4);

	if (nw < 2 || wl[1] != 8 || memcmp(w[1], "internal", 8) || !twin)
		return;
	for (int i = 2; i < nw && *n < max; i++)
		if (cidr_word(w[i], wl[i], &addrs[*n]))
			(*n)++;
}

/**
 * sx_ask_iface_parse() - The internal twins' addresses from an `iface`
 * listing
 * @text:	the listing
 * @len:	its bytes
 * @addrs:	filled with the addresses (network order)
 * @max:	room in @addrs
 * @n:		set to how many
 *
 * Return: 0 (lines that are not an internal interface with a twin are
 * passed over; addresses past @max too)
 */
int sx_ask_iface_parse(const char *text, size_t len, struct in_addr *addrs,
		       int max, int *n)
{
	size_t i = 0;

	*n = 0;
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) : len;

		iface_line(text + i, end - i, addrs, max, n);
		i = end + 1;
	}
	return 0;
}

/**
 * sx_ask_internal() - Ask masqd for the internal twins' addresses
 * @path:	masqd's control socket
 * @addrs:	filled (network order)
 * @max:	room in @addrs
 * @n:		set to how many
 * @err:	why not, when it fails
 * @errlen:	@err's size
 *
 * Blocks for at most SX_ASK_MS a read or write.
 *
 * Return: 0, or -errno with @err saying why
 */
int sx_ask_internal(const char *path, struct in_addr *addrs, int max,
		    int *n, char *err, size_t errlen)
{
	struct timeval tv = { SX_ASK_MS / 1000, (SX_ASK_MS % 1000) * 1000 };
	char *const argv[] = { "iface", NULL };
	char *text = NULL;
	size_t text_len = 0;
	int fd = ctl_connect(path, false), status, ret;

	if (fd < 0) {
		snprintf(err, errlen, "masqd's control socket %s: %s", path,
			 strerror(-fd));
		return fd;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	ret = ctl_call(fd, 1, argv, &status, &text, &text_len);
	if (ret) {
		snprintf(err, errlen, "masqd's control socket %s: iface: %s",
			 path, ctl_strerror(ret));
	} else if (status) {
		snprintf(err, errlen, "masqd refused 'iface' (status %d): %.*s",
			 status, (int)(text_len > 200 ? 200 : text_len),
			 text ? text : "");
		ret = -EACCES;
	} else {
		sx_ask_iface_parse(text ? text : "", text_len, addrs, max, n);
	}
	free(text);
	close(fd);
	return ret;
}

/**
 * sx_ask_init() - No connection yet, no question
 * @a:		the asker
 * @path:	masqd's control socket
 */
void sx_ask_init(struct sx_ask *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	a->path = path;
	a->fd = -1;
}

/**
 * sx_ask_drop() - Close the connection to masqd; forget the question
 * @a:		the asker
 */
void sx_ask_drop(struct sx_ask *a)
{
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
	a->busy = false;
	a->in_len = 0;
	a->text_len = 0;
}

/* A question starts with nothing of an answer */
static void answer_reset(struct sx_ask *a)
{
	a->in_len = 0;
	a->text_len = 0;
	a->status = -1;
	a->dst = 0;
	a->dport = 0;
}

/**
 * sx_ask_send() - Ask where the connection @peer -> @local was going
 * @a:		the asker (no question out)
 * @who:	the caller's tag for the question
 * @peer:	the client's end as the accepted socket shows it
 * @local:	the relay's end
 *
 * Connects to masqd when there is no connection; writes what the socket
 * takes at once (sx_ask_io() the rest).
 *
 * Return: 0, or -errno (masqd not reached: the question failed)
 */
int sx_ask_send(struct sx_ask *a, uint32_t who, const struct sockaddr_in *peer,
		const struct sockaddr_in *local)
{
	char c[INET_ADDRSTRLEN + 8], l[INET_ADDRSTRLEN + 8];
	char ca[INET_ADDRSTRLEN], la[INET_ADDRSTRLEN];
	char *argv[] = { "origdst", c, l, "tcp", NULL };
	struct ctl_msg m;
	int ret;

	inet_ntop(AF_INET, &peer->sin_addr, ca, sizeof(ca));
	inet_ntop(AF_INET, &local->sin_addr, la, sizeof(la));
	snprintf(c, sizeof(c), "%s:%u", ca, ntohs(peer->sin_port));
	snprintf(l, sizeof(l), "%s:%u", la, ntohs(local->sin_port));
	ret = ctl_request_encode(4, argv, &m);
	if (ret)
		return ret;
	if (m.len > sizeof(a->out)) {
		ctl_msg_free(&m);
		return -EMSGSIZE;
	}
	memcpy(a->out, m.buf, m.len);
	a->out_len = m.len;
	a->out_off = 0;
	ctl_msg_free(&m);
	if (a->fd < 0) {
		a->fd = ctl_connect(a->path, true);
		if (a->fd < 0) {
			ret = a->fd;
			a->fd = -1;
			return ret;
		}
	}
	answer_reset(a);
	a->busy = true;
	a->who = who;
	return 0;
}

/**
 * sx_ask_wants_write() - Is there request left to write?
 * @a:		the asker
 *
 * Return: true when there is
 */
bool sx_ask_wants_write(const struct sx_ask *a)
{
	return a->busy && a->out_off < a->out_len;
}

/* The reply is whole: judge the answer */
static enum sx_ask_result answer_judge(struct sx_ask *a)
{
	uint32_t addr;
	uint16_t port;

	if (a->status == 0) {
		if (sx_origdst_parse(a->text, a->text_len, &addr, &port))
			return SX_ASK_ERROR;
		a->dst = addr;
		a->dport = port;
		return SX_ASK_FOUND;
	}
	if (a->status == 1 && a->text_len >= 27 &&
	    !memcmp(a->text, "origdst: no such connection", 27))
		return SX_ASK_NONE;
	return SX_ASK_ERROR;
}

static void text_add(struct sx_ask *a, const uint8_t *p, size_t n)
{
	size_t room = sizeof(a->text) - 1 - a->text_len;

	if (n > room)
		n = room;
	memcpy(a->text + a->text_len, p, n);
	a->text_len += n;
	a->text[a->text_len] = '\0';
}

/* One whole message at the front of @in; Return: its result */
static enum sx_ask_result message_take(struct sx_ask *a, enum ctl_kind kind,
				       uint32_t body_len)
{
	const uint8_t *body = a->in + CTL_HDR_LEN;
	const char *text;
	size_t tl, whole = CTL_HDR_LEN + body_len;

	if (kind == CTL_KIND_PART) {
		text_add(a, body, body_len);
		memmove(a->in, a->in + whole, a->in_len - whole);
		a->in_len -= whole;
		return SX_ASK_WAIT;
	}
	if (a->in_len != whole)		/* masqd said more than it was asked */
		return SX_ASK_ERROR;
	if (ctl_reply_parse(body, body_len, &a->status, &text, &tl))
		return SX_ASK_ERROR;
	text_add(a, (const uint8_t *)text, tl);
	a->in_len = 0;
	a->busy = false;
	return answer_judge(a);
}

/**
 * sx_ask_take() - Take bytes of masqd's answer
 * @a:		the asker, with a question out
 * @p:		the bytes
 * @n:		how many
 *
 * The answer's parser, on memory (the fuzzer feeds it).
 *
 * Return: SX_ASK_WAIT for more, else the answer: SX_ASK_FOUND with
 * @dst and @dport, SX_ASK_NONE, or SX_ASK_ERROR (the caller drops the
 * connection: sx_ask_drop())
 */
enum sx_ask_result sx_ask_take(struct sx_ask *a, const uint8_t *p, size_t n)
{
	enum sx_ask_result r = SX_ASK_WAIT;

	if (!a->busy)
		return SX_ASK_ERROR;	/* nothing was asked */
	if (n > sizeof(a->in) - a->in_len)
		return SX_ASK_ERROR;
	memcpy(a->in + a->in_len, p, n);
	a->in_len += n;
	while (r == SX_ASK_WAIT && a->busy) {
		enum ctl_kind kind;
		uint32_t body_len;
		int ret = ctl_hdr_parse_answer(a->in, a->in_len, &kind,
					       &body_len);

		if (ret == -EAGAIN)
			return SX_ASK_WAIT;
		if (ret || body_len > sizeof(a->in) - CTL_HDR_LEN)
			return SX_ASK_ERROR;
		if (a->in_len < CTL_HDR_LEN + body_len)
			return SX_ASK_WAIT;
		r = message_take(a, kind, body_len);
	}
	return r;
}

/* Write what is left of the request; Return: 0 or -errno */
static int request_write(struct sx_ask *a)
{
	while (a->out_off < a->out_len) {
		ssize_t w = send(a->fd, a->out + a->out_off,
				 a->out_len - a->out_off, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno == EAGAIN ? 0 : -errno;
		a->out_off += (size_t)w;
	}
	return 0;
}

/**
 * sx_ask_io() - The connection to masqd is ready: write, read
 * @a:		the asker, with a question out
 *
 * Return: as sx_ask_take(); SX_ASK_ERROR when masqd went away
 */
enum sx_ask_result sx_ask_io(struct sx_ask *a)
{
	uint8_t buf[SX_ASK_IN_MAX];
	ssize_t r;

	if (!a->busy || a->fd < 0)
		return SX_ASK_ERROR;
	if (request_write(a))
		return SX_ASK_ERROR;
	if (a->out_off < a->out_len)
		return SX_ASK_WAIT;
	r = recv(a->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return SX_ASK_WAIT;
	if (r <= 0)
		return SX_ASK_ERROR;
	return sx_ask_take(a, buf, (size_t)r);
}

/**
 * sx_origdst_parse() - "A.B.C.D:PORT\n", the whole of an origdst answer
 * @text:	the answer's text
 * @len:	its bytes
 * @addr:	the address, network order
 * @port:	the port, network order (1-65535)
 *
 * Return: 0, or -EINVAL for anything else
 */
int sx_origdst_parse(const char *text, size_t len, uint32_t *addr,
		     uint16_t *port)
{
	char buf[INET_ADDRSTRLEN + 8];
	const char *colon;
	unsigned v = 0;
	struct in_addr a;
	size_t al;

	if (len && text[len - 1] == '\n')
		len--;
	colon = memchr(text, ':', len);
	if (!colon || len >= sizeof(buf))
		return -EINVAL;
	al = (size_t)(colon - text);
	memcpy(buf, text, al);
	buf[al] = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -EINVAL;
	if (len - al - 1 < 1 || len - al - 1 > 5)
		return -EINVAL;
	for (const char *p = colon + 1; p < text + len; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(*p - '0');
	}
	if (v < 1 || v > 65535)
		return -EINVAL;
	*addr = a.s_addr;
	*port = htons((uint16_t)v);
	return 0;
}
