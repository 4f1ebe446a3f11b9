// SPDX-License-Identifier: MIT
/*
 * relay.c - masq-socksify's loop: accept, ask, connect, handshake, relay
 *
 * Theory of operation. One thread, one epoll set (level-triggered), a
 * table of SX_MAX_CONNS connections made at start. A connection lives
 * through these states:
 *
 *	QUEUED		accepted on an internal twin's address; waits for
 *			its turn to ask masqd (one question at a time)
 *	ASKING		"origdst CLIENT LOCAL tcp" is out (ask.c)
 *	CONNECTING	masqd answered; a non-blocking connect to the SOCKS
 *			server is under way
 *	HANDSHAKE	socks5.c's messages back and forth
 *	RELAY		bytes both ways
 *
 * and is closed, with a reset (SO_LINGER 0) so the client hears at once,
 * and one log line, when masqd has no original destination for it (it
 * was not REDIRECTed: never an open proxy), when masqd cannot be asked,
 * when the destination is in the local file or its port not in the
 * ports file (the rules and the daemon disagree), when the destination
 * is the relay itself, when the proxy refuses, fails or says no, and
 * when SX_HANDSHAKE_MS pass before RELAY. Nothing from the client is read
 * before RELAY, so nothing of it reaches anyone without an answer.
 *
 * Relaying: a buffer of SX_BUF_SIZE per direction; a side is read only
 * while its buffer has room and written only while it has bytes, so a
 * slow reader stops its writer (TCP's own flow control, end to end) and
 * memory stays bounded. When a side ends (read gives 0) its buffer is
 * drained and then the other side's writing is shut (SHUT_WR): half-close
 * passes through. Both directions shut: closed. An error on either side
 * closes both with a reset. SX_IDLE_MS without a byte either way: closed.
 *
 * Timeouts are checked by a sweep of the table twice a second (bounded
 * work, no timer per connection). Events carry the connection's index
 * and a generation number, so an event for a connection closed earlier
 * in the same batch is recognised and passed over.
 *
 * Over SX_MAX_CONNS connections a new one is accepted and closed at once
 * (counted as full): the listen queue never fills with connections that
 * would wait for minutes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "socksify/relay.h"

#define SX_SWEEP_MS	500
#define SX_EVENTS	64
#define SX_ACCEPT_BATCH	64	/* accepts per listener event */

enum tag_kind { TAG_CLIENT, TAG_PROXY, TAG_LISTEN, TAG_MASQD };

enum conn_state {
	C_FREE, C_QUEUED, C_ASKING, C_CONNECTING, C_HANDSHAKE, C_RELAY,
	C_STATE_NUM
};

/* One direction: bytes [off, off + len) of buf wait to be written */
struct pipe {
	uint8_t *buf;
	size_t off;
	size_t len;
	bool eof;	/* the reading side ended */
	bool shut;	/* the writing side's SHUT_WR is done */
};

struct conn {
	enum conn_state state;
	uint32_t gen;
	int cfd;
	int pfd;
	uint32_t cev;	/* events registered for cfd */
	uint32_t pev;
	struct sockaddr_in peer;
	struct sockaddr_in local;
	uint32_t dst;
	uint16_t dport;
	struct socks5 socks;
	size_t socks_off;	/* bytes of socks.out sent */
	struct pipe up;		/* client -> proxy */
	struct pipe down;	/* proxy -> client */
	uint64_t deadline;
	uint64_t moved;		/* bytes relayed, for the sweep's progress */
	int next_free;
};

struct sx_relay {
	struct sx_cfg *cfg;
	int ep;
	int lfd[SX_MAX_LISTEN];
	struct in_addr laddr[SX_MAX_LISTEN];
	int nl;
	struct conn *conns;
	uint8_t *bufs;
	int free_head;
	int nactive;
	uint64_t queue[SX_MAX_CONNS];	/* tags waiting to ask */
	unsigned qhead;
	unsigned qlen;
	struct sx_ask ask;
	uint64_t ask_tag;	/* the connection the question is for */
	int ask_fd;		/* the fd registered for masqd, -1 */
	uint32_t ask_ev;
	uint64_t ask_deadline;
	uint64_t now;
	struct sx_stats st;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t tag(enum tag_kind k, int idx, uint32_t gen)
{
	return (uint64_t)gen << 32 | (uint64_t)idx << 2 | k;
}

static int tag_idx(uint64_t t)
{
	return (int)((t & 0xffffffffu) >> 2);
}

static uint32_t tag_gen(uint64_t t)
{
	return (uint32_t)(t >> 32);
}

/* The connection a tag names, NULL when it has been closed since */
static struct conn *tag_conn(struct sx_relay *r, uint64_t t)
{
	int i = tag_idx(t);
	struct conn *c;

	if (i >= SX_MAX_CONNS)
		return NULL;
	c = &r->conns[i];
	return c->state != C_FREE && c->gen == tag_gen(t) ? c : NULL;
}

static int conn_idx(const struct sx_relay *r, const struct conn *c)
{
	return (int)(c - r->conns);
}

/* "A.B.C.D:P" of @a into @buf */
static const char *ep_str(uint32_t addr, uint16_t port, char *buf, size_t n)
{
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &addr, a, sizeof(a));
	snprintf(buf, n, "%s:%u", a, ntohs(port));
	return buf;
}

/* ---- registration -------------------------------------------------------- */

static void ep_set(struct sx_relay *r, int fd, uint32_t *cur, uint32_t want,
		   uint64_t t)
{
	struct epoll_event ev = { .events = want, .data.u64 = t };

	if (*cur == want)
		return;
	epoll_ctl(r->ep, EPOLL_CTL_MOD, fd, &ev);
	*cur = want;
}

static int ep_add(struct sx_relay *r, int fd, uint32_t events, uint64_t t)
{
	struct epoll_event ev = { .events = events, .data.u64 = t };

	return epoll_ctl(r->ep, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/* ---- a connection's end ---------------------------------------------------- */

static void reset_close(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

/* Close both sides (a reset when @reset) and free the slot */
static void conn_close(struct sx_relay *r, struct conn *c, bool reset)
{
	if (reset) {
		reset_close(c->cfd);
		reset_close(c->pfd);
	} else {
		close(c->cfd);
		if (c->pfd >= 0)
			close(c->pfd);
	}
	c->state = C_FREE;
	c->cfd = c->pfd = -1;
	c->next_free = r->free_head;
	r->free_head = conn_idx(r, c);
	r->nactive--;
}

/* Refuse the client: count, log, reset */
__attribute__((format(printf, 4, 5)))
static void conn_refuse(struct sx_relay *r, struct conn *c, uint64_t *counter,
			const char *fmt, ...)
{
	char from[32], to[32], why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	(*counter)++;
	ep_str(c->peer.sin_addr.s_addr, c->peer.sin_port, from, sizeof(from));
	if (c->dst)
		ep_str(c->dst, c->dport, to, sizeof(to));
	else
		ep_str(c->local.sin_addr.s_addr, c->local.sin_port, to,
		       sizeof(to));
	sx_log(LOG_NOTICE, "%s -> %s: closed: %s", from, to, why);
	conn_close(r, c, true);
}

/* ---- relaying ---------------------------------------------------------------- */

/* Read from @fd into @p's room; Return: bytes, 0 for none now, -1 closed */
static ssize_t pipe_fill(struct pipe *p, int fd, bool *err)
{
	ssize_t n;

	if (p->eof || p->len == SX_BUF_SIZE)
		return 0;
	/* less than half the buffer left at its end: move the bytes to the
	 * front first, so reads stay big (a memmove of at most half of it) */
	if (p->off && SX_BUF_SIZE - p->off - p->len < SX_BUF_SIZE / 2) {
		memmove(p->buf, p->buf + p->off, p->len);
		p->off = 0;
	}
	n = recv(fd, p->buf + p->off + p->len, SX_BUF_SIZE - p->off - p->len,
		 MSG_DONTWAIT);
	if (n > 0) {
		p->len += (size_t)n;
		return n;
	}
	if (n == 0) {
		p->eof = true;
		return 0;
	}
	if (errno != EAGAIN && errno != EINTR)
		*err = true;
	return 0;
}

/* Write @p's bytes to @fd; shut its writing once drained after an eof */
static ssize_t pipe_drain(struct pipe *p, int fd, bool *err)
{
	ssize_t n = 0;

	if (p->len) {
		n = send(fd, p->buf + p->off, p->len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				*err = true;
			return 0;
		}
		p->off += (size_t)n;
		p->len -= (size_t)n;
		if (!p->len)
			p->off = 0;
	}
	if (p->eof && !p->len && !p->shut) {
		shutdown(fd, SHUT_WR);
		p->shut = true;
	}
	return n;
}

/* The events each side wants now */
static void relay_interest(struct sx_relay *r, struct conn *c)
{
	int i = conn_idx(r, c);
	uint32_t ce = 0, pe = 0;

	if (!c->up.eof && c->up.len < SX_BUF_SIZE)
		ce |= EPOLLIN;
	if (c->down.len)
		ce |= EPOLLOUT;
	if (!c->down.eof && c->down.len < SX_BUF_SIZE)
		pe |= EPOLLIN;
	if (c->up.len)
		pe |= EPOLLOUT;
	ep_set(r, c->cfd, &c->cev, ce, tag(TAG_CLIENT, i, c->gen));
	ep_set(r, c->pfd, &c->pev, pe, tag(TAG_PROXY, i, c->gen));
}

/*
 * Move what can be moved both ways. @hup: a side reported a hang-up or
 * an error; if nothing moves then, nothing ever will: closed.
 */
static void relay_pump(struct sx_relay *r, struct conn *c, bool hup)
{
	bool err = false;
	ssize_t up, down, w1, w2;

	up = pipe_fill(&c->up, c->cfd, &err);
	down = pipe_fill(&c->down, c->pfd, &err);
	w1 = pipe_drain(&c->up, c->pfd, &err);
	w2 = pipe_drain(&c->down, c->cfd, &err);
	r->st.bytes_up += (uint64_t)w1;
	r->st.bytes_down += (uint64_t)w2;
	if (err) {
		conn_close(r, c, true);
		return;
	}
	if (c->up.shut && c->down.shut) {
		conn_close(r, c, false);
		return;
	}
	if (up || down || w1 || w2) {
		c->deadline = r->now + SX_IDLE_MS;
	} else if (hup) {
		conn_close(r, c, true);
		return;
	}
	relay_interest(r, c);
}

/* ---- the SOCKS handshake ------------------------------------------------------ */

static void proxy_failed(struct sx_relay *r, struct conn *c, const char *why)
{
	conn_refuse(r, c, &r->st.proxy_failed, "SOCKS server %s: %s",
		    r->cfg->socks_name, why);
}

/* Send what is left of the handshake's message */
static bool socks_send(struct sx_relay *r, struct conn *c)
{
	while (c->socks_off < c->socks.out_len) {
		ssize_t n = send(c->pfd, c->socks.out + c->socks_off,
				 c->socks.out_len - c->socks_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0) {
			proxy_failed(r, c, strerror(errno));
			return false;
		}
		c->socks_off += (size_t)n;
	}
	ep_set(r, c->pfd, &c->pev,
	       c->socks_off < c->socks.out_len ? EPOLLOUT : EPOLLIN,
	       tag(TAG_PROXY, conn_idx(r, c), c->gen));
	return true;
}

/* The handshake succeeded: bytes past it are the destination's */
static void socks_done(struct sx_relay *r, struct conn *c, size_t used,
		       size_t n)
{
	memmove(c->down.buf, c->down.buf + used, n - used);
	c->down.off = 0;
	c->down.len = n - used;
	c->state = C_RELAY;
	c->deadline = r->now + SX_IDLE_MS;
	r->st.relayed++;
	relay_pump(r, c, false);
}

/* Bytes from the proxy during the handshake */
static void socks_read(struct sx_relay *r, struct conn *c)
{
	char why[160];
	size_t used;
	ssize_t n = recv(c->pfd, c->down.buf, SX_BUF_SIZE, MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		proxy_failed(r, c, n ? strerror(errno) :
			     "closed the connection during the handshake");
		return;
	}
	switch (socks5_feed(&c->socks, c->down.buf, (size_t)n, &used)) {
	case SOCKS5_MORE:
		return;
	case SOCKS5_SEND:
		if (used != (size_t)n) {
			proxy_failed(r, c, "malformed reply (more than asked)");
			return;
		}
		c->socks_off = 0;
		socks_send(r, c);
		return;
	case SOCKS5_OK:
		socks_done(r, c, used, (size_t)n);
		return;
	default:
		if (c->socks.why == socks5_reply_words(c->socks.rep))
			snprintf(why, sizeof(why), "%s (reply %d)",
				 c->socks.why, c->socks.rep);
		else
			snprintf(why, sizeof(why), "%s", c->socks.why);
		proxy_failed(r, c, why);
	}
}

/* The connect to the proxy finished (EPOLLOUT or an error) */
static void proxy_connected(struct sx_relay *r, struct conn *c)
{
	int e = 0;
	socklen_t l = sizeof(e);

	if (getsockopt(c->pfd, SOL_SOCKET, SO_ERROR, &e, &l) == 0 && e) {
		proxy_failed(r, c, strerror(e));
		return;
	}
	c->state = C_HANDSHAKE;
	c->socks_off = 0;
	socks_send(r, c);
}

/* masqd's answer is in: SOCKSify it or refuse */
static void conn_start_proxy(struct sx_relay *r, struct conn *c)
{
	const struct sx_cfg *cfg = r->cfg;
	int one = 1;

	if (socks5_start(&c->socks, cfg->user, cfg->user ? cfg->pass : NULL,
			 c->dst, c->dport)) {
		proxy_failed(r, c, "bad username or password length");
		return;
	}
	c->pfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->pfd < 0) {
		proxy_failed(r, c, strerror(errno));
		return;
	}
	setsockopt(c->pfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->pfd, (const struct sockaddr *)&cfg->socks,
		    sizeof(cfg->socks)) && errno != EINPROGRESS) {
		proxy_failed(r, c, strerror(errno));
		return;
	}
	c->pev = EPOLLOUT;
	if (ep_add(r, c->pfd, EPOLLOUT, tag(TAG_PROXY, conn_idx(r, c), c->gen))) {
		proxy_failed(r, c, "epoll");
		return;
	}
	c->state = C_CONNECTING;
}

/* Is @dst:@dport the relay's own listener (a loop)? */
static bool is_self(const struct sx_relay *r, uint32_t dst, uint16_t dport)
{
	if (ntohs(dport) != r->cfg->listen_port)
		return false;
	for (int i = 0; i < r->nl; i++)
		if (r->laddr[i].s_addr == dst)
			return true;
	return false;
}

static void conn_on_origdst(struct sx_relay *r, struct conn *c, uint32_t dst,
			    uint16_t dport)
{
	c->dst = dst;
	c->dport = dport;
	if (sx_addr_local(&r->cfg->local, ntohl(dst)))
		conn_refuse(r, c, &r->st.local, "destination is in %s (the "
			    "rules should not have redirected it)",
			    r->cfg->local_file);
	else if (!sx_port_listed(&r->cfg->ports, ntohs(dport)))
		conn_refuse(r, c, &r->st.unlisted, "port %u is not in %s (the "
			    "rules should not have redirected it)",
			    ntohs(dport), r->cfg->ports_file);
	else if (is_self(r, dst, dport))
		conn_refuse(r, c, &r->st.looped, "destination is the relay");
	else
		conn_start_proxy(r, c);
}

/* ---- asking masqd ---------------------------------------------------------- */

static void ask_register(struct sx_relay *r)
{
	uint32_t want = EPOLLIN | (sx_ask_wants_write(&r->ask) ? EPOLLOUT : 0);

	if (r->ask.fd < 0) {
		r->ask_fd = -1;
		return;
	}
	if (r->ask_fd != r->ask.fd) {
		r->ask_fd = r->ask.fd;
		r->ask_ev = want;
		ep_add(r, r->ask_fd, want, tag(TAG_MASQD, 0, 0));
		return;
	}
	ep_set(r, r->ask_fd, &r->ask_ev, want, tag(TAG_MASQD, 0, 0));
}

/* Ask for the next queued connection still open, if none is out */
static void ask_next(struct sx_relay *r)
{
	while (!r->ask.busy && r->qlen) {
		uint64_t t = r->queue[r->qhead];
		struct conn *c = tag_conn(r, t);
		int ret;

		r->qhead = (r->qhead + 1) % SX_MAX_CONNS;
		r->qlen--;
		if (!c || c->state != C_QUEUED)
			continue;
		ret = sx_ask_send(&r->ask, tag_idx(t), &c->peer, &c->local);
		if (ret) {
			conn_refuse(r, c, &r->st.ask_failed, "masqd not "
				    "asked (%s): %s", r->ask.path,
				    strerror(-ret));
			sx_ask_drop(&r->ask);
			r->ask_fd = -1;	/* closed: a new one registers anew */
			continue;
		}
		r->ask_tag = t;
		r->ask_deadline = r->now + SX_ASK_MS;
		c->state = C_ASKING;
	}
	ask_register(r);
}

/* The question is answered (or failed): act on it */
static void ask_done(struct sx_relay *r, enum sx_ask_result res)
{
	struct conn *c = tag_conn(r, r->ask_tag);
	bool ours = c && c->state == C_ASKING;

	if (res == SX_ASK_ERROR) {
		if (ours)
			conn_refuse(r, c, &r->st.ask_failed, "masqd's answer: "
				    "%s", r->ask.text_len ? r->ask.text :
				    "none (connection lost or nonsense)");
		sx_ask_drop(&r->ask);
		r->ask_fd = -1;
	} else if (ours && res == SX_ASK_NONE) {
		conn_refuse(r, c, &r->st.no_origdst, "masqd has no original "
			    "destination (not redirected)");
	} else if (ours) {
		conn_on_origdst(r, c, r->ask.dst, r->ask.dport);
	}
	r->ask.busy = false;
	ask_next(r);
}

static void on_masqd(struct sx_relay *r)
{
	enum sx_ask_result res;

	if (!r->ask.busy) {	/* masqd spoke unasked, or hung up */
		sx_ask_drop(&r->ask);
		r->ask_fd = -1;
		return;
	}
	res = sx_ask_io(&r->ask);
	if (res == SX_ASK_WAIT)
		ask_register(r);
	else
		ask_done(r, res);
}

/* ---- accepting ------------------------------------------------------------- */

static struct conn *conn_alloc(struct sx_relay *r)
{
	struct conn *c;

	if (r->free_head < 0)
		return NULL;
	c = &r->conns[r->free_head];
	r->free_head = c->next_free;
	r->nactive++;
	c->gen++;
	c->state = C_QUEUED;
	c->pfd = -1;
	c->cev = c->pev = 0;
	c->dst = 0;
	c->dport = 0;
	c->up.off = c->up.len = c->down.off = c->down.len = 0;
	c->up.eof = c->up.shut = c->down.eof = c->down.shut = false;
	c->deadline = r->now + SX_HANDSHAKE_MS;
	return c;
}

/*
 * Keep only the tags of connections still waiting. A connection closed
 * while queued leaves its tag behind (passed over when its turn comes);
 * with every slot's tag in the ring, a new one would not fit: this walk
 * (at most SX_MAX_CONNS, only then) makes room, as the live ones number
 * fewer than the slots.
 */
static void queue_compact(struct sx_relay *r)
{
	unsigned n = 0;

	for (unsigned k = 0; k < r->qlen; k++) {
		uint64_t t = r->queue[(r->qhead + k) % SX_MAX_CONNS];
		struct conn *c = tag_conn(r, t);

		if (c && c->state == C_QUEUED)
			r->queue[(r->qhead + n++) % SX_MAX_CONNS] = t;
	}
	r->qlen = n;
}

/* A new client: into the table and the queue to ask masqd */
static void conn_accept(struct sx_relay *r, int fd,
			const struct sockaddr_in *peer)
{
	struct conn *c = conn_alloc(r);
	socklen_t l = sizeof(c ? c->local : *peer);
	int one = 1;

	r->st.accepted++;
	if (!c) {
		r->st.full++;
		sx_log(LOG_WARNING, "closed a connection at once: %d "
		       "connections open (the most)", SX_MAX_CONNS);
		reset_close(fd);
		return;
	}
	c->cfd = fd;
	c->peer = *peer;
	if (getsockname(fd, (struct sockaddr *)&c->local, &l) ||
	    ep_add(r, fd, 0, tag(TAG_CLIENT, conn_idx(r, c), c->gen))) {
		conn_refuse(r, c, &r->st.ask_failed, "%s", strerror(errno));
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (r->qlen == SX_MAX_CONNS)
		queue_compact(r);
	r->queue[(r->qhead + r->qlen) % SX_MAX_CONNS] =
		tag(TAG_CLIENT, conn_idx(r, c), c->gen);
	r->qlen++;
}

static void on_listen(struct sx_relay *r, int lfd)
{
	for (int k = 0; k < SX_ACCEPT_BATCH; k++) {
		struct sockaddr_in peer;
		socklen_t l = sizeof(peer);
		int fd = accept4(lfd, (struct sockaddr *)&peer, &l,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				sx_log(LOG_ERR, "accept: %s", strerror(errno));
			break;
		}
		if (l != sizeof(peer) || peer.sin_family != AF_INET) {
			reset_close(fd);
			continue;
		}
		conn_accept(r, fd, &peer);
	}
	ask_next(r);
}

/* ---- events and time --------------------------------------------------------- */

static void on_conn_event(struct sx_relay *r, struct conn *c, bool proxy,
			  uint32_t ev)
{
	bool hup = ev & (EPOLLERR | EPOLLHUP);

	switch (c->state) {
	case C_QUEUED:
	case C_ASKING:
		if (hup)	/* the client left before masqd answered */
			conn_close(r, c, true);
		break;
	case C_CONNECTING:
		if (proxy)
			proxy_connected(r, c);
		else if (hup)
			conn_close(r, c, true);
		break;
	case C_HANDSHAKE:
		if (!proxy) {
			if (hup)
				conn_close(r, c, true);
		} else if (ev & EPOLLOUT) {
			socks_send(r, c);
		} else {
			socks_read(r, c);
		}
		break;
	case C_RELAY:
		relay_pump(r, c, hup);
		break;
	default:
		break;
	}
}

/* Close what is past its deadline; a question masqd did not answer */
static void sweep(struct sx_relay *r)
{
	if (r->ask.busy && r->now >= r->ask_deadline) {
		r->ask.text_len = 0;
		snprintf(r->ask.text, sizeof(r->ask.text),
			 "no answer in %d ms", SX_ASK_MS);
		r->ask.text_len = strlen(r->ask.text);
		ask_done(r, SX_ASK_ERROR);
	}
	for (int i = 0; i < SX_MAX_CONNS; i++) {
		struct conn *c = &r->conns[i];

		if (c->state == C_FREE || r->now < c->deadline)
			continue;
		if (c->state == C_RELAY)
			conn_refuse(r, c, &r->st.timed_out, "idle for %u s",
				    SX_IDLE_MS / 1000);
		else if (c->state == C_CONNECTING || c->state == C_HANDSHAKE)
			proxy_failed(r, c, "no answer (timed out)");
		else if (c->state != C_ASKING)
			conn_refuse(r, c, &r->st.timed_out, "not asked in time");
	}
}

static void dispatch(struct sx_relay *r, const struct epoll_event *ev)
{
	uint64_t t = ev->data.u64;
	struct conn *c;

	switch (t & 3) {
	case TAG_LISTEN:
		on_listen(r, r->lfd[tag_idx(t)]);
		return;
	case TAG_MASQD:
		on_masqd(r);
		return;
	default:
		c = tag_conn(r, t);
		if (c)
			on_conn_event(r, c, (t & 3) == TAG_PROXY, ev->events);
	}
}

/**
 * sx_relay_run() - The loop, until *@stop
 * @r:		the relay
 * @stop:	set by SIGTERM or SIGINT
 * @reload:	set by SIGHUP: @reload_fn is called (files read again)
 * @report:	set by SIGUSR1: the counters are logged
 * @reload_fn:	re-reads the files into the configuration
 *
 * Return: 0 when stopped, -errno when epoll fails
 */
int sx_relay_run(struct sx_relay *r, volatile sig_atomic_t *stop,
		 volatile sig_atomic_t *reload, volatile sig_atomic_t *report,
		 void (*reload_fn)(struct sx_cfg *cfg))
{
	struct epoll_event ev[SX_EVENTS];
	uint64_t next_sweep = now_ms() + SX_SWEEP_MS;

	while (!*stop) {
		int n = epoll_wait(r->ep, ev, SX_EVENTS, SX_SWEEP_MS);

		if (n < 0 && errno != EINTR)
			return -errno;
		r->now = now_ms();
		for (int i = 0; i < n; i++)
			dispatch(r, &ev[i]);
		if (r->now >= next_sweep) {
			sweep(r);
			next_sweep = r->now + SX_SWEEP_MS;
		}
		if (*reload) {
			*reload = 0;
			reload_fn(r->cfg);
		}
		if (*report) {
			*report = 0;
			sx_relay_stats_log(r);
		}
	}
	return 0;
}

/**
 * sx_relay_stats_log() - One log line of the counters
 * @r:		the relay
 */
void sx_relay_stats_log(const struct sx_relay *r)
{
	const struct sx_stats *s = &r->st;

	sx_log(LOG_INFO, "accepted %llu relayed %llu open %d; closed: "
	       "no-origdst %llu masqd-failed %llu local %llu unlisted-port %llu "
	       "loop %llu proxy-failed %llu timed-out %llu full %llu; bytes "
	       "up %llu down %llu",
	       (unsigned long long)s->accepted, (unsigned long long)s->relayed,
	       r->nactive, (unsigned long long)s->no_origdst,
	       (unsigned long long)s->ask_failed, (unsigned long long)s->local,
	       (unsigned long long)s->unlisted, (unsigned long long)s->looped,
	       (unsigned long long)s->proxy_failed,
	       (unsigned long long)s->timed_out, (unsigned long long)s->full,
	       (unsigned long long)s->bytes_up,
	       (unsigned long long)s->bytes_down);
}

/* ---- start and end ------------------------------------------------------------- */

static int listen_on(struct sx_relay *r, struct in_addr a, char *err,
		     size_t errlen)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr = a,
				   .sin_port = htons(r->cfg->listen_port) };
	char buf[32];
	int one = 1, e;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* the twin may not carry the address yet when masqd has just
	 * started: bind all the same, connections come once it does */
	setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) || listen(fd, 1024))
		goto fail;
	if (ep_add(r, fd, EPOLLIN, tag(TAG_LISTEN, r->nl, 0)))
		goto fail;
	r->laddr[r->nl] = a;
	r->lfd[r->nl++] = fd;
	sx_log(LOG_INFO, "listening on %s", ep_str(a.s_addr, sin.sin_port,
						   buf, sizeof(buf)));
	return 0;
fail:
	e = errno;
	snprintf(err, errlen, "listen on %s: %s",
		 ep_str(a.s_addr, sin.sin_port, buf, sizeof(buf)), strerror(e));
	if (fd >= 0)
		close(fd);
	return -e;
}

/**
 * sx_relay_open() - Make the table and listen on @addrs
 * @cfg:	the configuration (kept: SIGHUP changes its files' tables)
 * @addrs:	the internal twins' addresses
 * @n:		how many (1..SX_MAX_LISTEN are used)
 * @err:	why not
 * @errlen:	@err's size
 *
 * Return: the relay, or NULL with @err saying why
 */
struct sx_relay *sx_relay_open(struct sx_cfg *cfg, const struct in_addr *addrs,
			       int n, char *err, size_t errlen)
{
	struct sx_relay *r = calloc(1, sizeof(*r));

	if (!r || !(r->conns = calloc(SX_MAX_CONNS, sizeof(*r->conns))) ||
	    !(r->bufs = calloc(SX_MAX_CONNS, 2 * (size_t)SX_BUF_SIZE))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	r->cfg = cfg;
	r->ask_fd = -1;
	r->ep = epoll_create1(EPOLL_CLOEXEC);
	if (r->ep < 0) {
		snprintf(err, errlen, "epoll: %s", strerror(errno));
		goto fail;
	}
	sx_ask_init(&r->ask, cfg->sock);
	r->free_head = -1;
	for (int i = SX_MAX_CONNS - 1; i >= 0; i--) {
		struct conn *c = &r->conns[i];

		c->up.buf = r->bufs + (size_t)i * 2 * SX_BUF_SIZE;
		c->down.buf = c->up.buf + SX_BUF_SIZE;
		c->cfd = c->pfd = -1;
		c->next_free = r->free_head;
		r->free_head = i;
	}
	for (int i = 0; i < n && i < SX_MAX_LISTEN; i++)
		if (listen_on(r, addrs[i], err, errlen))
			goto fail;
	return r;
fail:
	sx_relay_close(r);
	return NULL;
}

/**
 * sx_relay_close() - Close every connection and listener; free
 * @r:		the relay (may be NULL)
 */
void sx_relay_close(struct sx_relay *r)
{
	if (!r)
		return;
	for (int i = 0; r->conns && i < SX_MAX_CONNS; i++)
		if (r->conns[i].state != C_FREE)
			conn_close(r, &r->conns[i], true);
	for (int i = 0; i < r->nl; i++)
		close(r->lfd[i]);
	sx_ask_drop(&r->ask);
	if (r->ep > 0)
		close(r->ep);
	free(r->bufs);
	free(r->conns);
	free(r);
}
