// SPDX-License-Identifier: MIT
/*
 * ctlsrv.c - the control socket server (see ctlsrv.h)
 *
 * Theory of operation: each client is a small state machine.
 *
 *	reading --whole request--> queued --its turn--> running
 *	   ^         (a job pending, a reload being built, or this
 *	   |          iteration's CTLSRV_RUN_BUDGET spent: oldest first)
 *	   |
 *	   |     running: at once -----------------------+
 *	   |              pending (job) -- complete() ---+--> answering
 *	   |              stream: chunk by chunk --------+
 *	   +-- the closing reply written <---------------------+
 *
 * A request is read a header (CTL_HDR_LEN bytes) at a time, checked,
 * then its body (at most CTL_MAX_REQUEST). A bad header cannot be
 * resynchronised: the client gets a usage-error answer naming the
 * problem and is closed. A bad body gets the same answer and the
 * connection stays usable. Nothing more is read from a client while
 * its request waits or is answered.
 *
 * Answering: the text is framed (control/proto.h) into reply parts of
 * CTLSRV_PART bytes and the closing reply, only while fewer than
 * CTLSRV_LOW_WATER framed bytes wait for the socket; a listing's next
 * chunk is made only when its text so far is all framed, and at most
 * CTLSRV_CHUNKS chunks an iteration, offered to the clients in turn. So
 * a client that reads slowly, or not at all, costs a bounded amount of
 * memory and, with its answer cut off after CTLSRV_IDLE_MS, of time.
 * A failure's text goes whole in the closing reply (masqctl prints it
 * on stderr), unless parts of it went out already; a text that ran out
 * of memory ends the answer with status 1 and oom_msg.
 *
 * A pending command (CTLSRV_PENDING: a ruleset change running on
 * masqd's worker thread) holds the server until ctlsrv_complete(). Its
 * client is not polled meanwhile (it has nothing to be read while its
 * answer is due; if it hangs up, the answer's send fails and it is
 * closed then, so its slot cannot be reused by another client that would
 * get the answer). ctlsrv_hold() holds new commands the same way while a
 * reload is built.
 *
 * Memory: a request over CTLSRV_IN_SMALL reserves its whole announced
 * size from CTLSRV_IN_TOTAL before its body is read, and a client whose
 * reservation does not fit waits, unread (starved), for one that ends.
 * Reserving up front rather than growing against the total means every
 * request that started reading can finish: two half-read requests never
 * wait for each other. The buffer itself grows only as bytes arrive, so
 * a client that announces 16 MiB and stalls holds its reservation, not
 * the memory, until it is closed as idle.
 *
 * Access: the socket is created with mode 0600 (umask held at 0177 around
 * bind()) in a directory checked by sockdir.c. A peer's SO_PEERCRED uid
 * is kept when it connects and each request is judged by ctlperm.c
 * before it runs: root and masqd's own user may run everything, the
 * origdst user (when one is set; the socket is then 0660, his group)
 * only origdst, anyone else nothing (answered so, then closed). A live
 * socket at the path means another masqd: refused; a dead one
 * (ECONNREFUSED) is a leftover and is replaced.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "masqd/ctlsrv.h"
#include "masqd/log.h"
#include "masqd/sockdir.h"

static const char oom_msg[] = "masqd: out of memory: the output is incomplete\n";

/* ---- opening and closing ------------------------------------------------ */

/* Refuse a live socket, remove a dead one, leave other files alone */
static int clear_stale(struct ctlsrv *s, const struct sockaddr_un *sun)
{
	struct stat st;
	int fd, ret;

	if (fstatat(s->dirfd, s->name, &st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		logmsg(LOG_ERR, "%s exists and is not a socket; remove it or "
		       "choose another path with -s", s->path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	close(fd);
	if (!ret) {
		logmsg(LOG_ERR, "another masqd is already listening on %s",
		       s->path);
		return -EADDRINUSE;
	}
	if (unlinkat(s->dirfd, s->name, 0) && errno != ENOENT)
		return -errno;
	return 0;
}

static int listen_on(struct ctlsrv *s, const struct sockaddr_un *sun)
{
	mode_t old;
	int ret = 0;

	s->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->lfd < 0)
		return -errno;
	old = umask(0177);
	if (bind(s->lfd, (const struct sockaddr *)sun, sizeof(*sun)))
		ret = -errno;
	umask(old);
	if (!ret && fchmodat(s->dirfd, s->name, 0600, 0))
		ret = -errno;
	if (!ret && listen(s->lfd, CTLSRV_MAX_CLIENTS))
		ret = -errno;
	return ret;
}

/* The socket in the directory sockdir_open() checked; -errno, logged */
static int open_socket(struct ctlsrv *s)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *name = NULL;
	int ret = sockdir_open(s->path, &name);

	if (ret < 0)
		return ret;
	s->dirfd = ret;
	snprintf(s->name, sizeof(s->name), "%s", name);
	ret = sockdir_path(sun.sun_path, sizeof(sun.sun_path), s->dirfd,
			   s->name);
	if (ret)
		logmsg(LOG_ERR, "control socket name %s is too long", s->name);
	if (!ret)
		ret = clear_stale(s, &sun);
	if (ret)
		return ret;
	ret = listen_on(s, &sun);
	if (ret)
		logmsg(LOG_ERR, "cannot listen on %s: %s", s->path,
		       strerror(-ret));
	return ret;
}

/**
 * ctlsrv_open() - Create the control socket
 * @s:		server to set up
 * @path:	socket path (missing directories are created; see sockdir.h)
 * @ops:	runs the commands
 * @ctx:	passed to @ops
 *
 * Return: 0, or -errno (already logged)
 */
int ctlsrv_open(struct ctlsrv *s, const char *path,
		const struct ctlsrv_ops *ops, void *ctx)
{
	int ret;

	memset(s, 0, sizeof(*s));
	s->lfd = -1;
	s->dirfd = -1;
	s->pending = -1;
	s->ops = ops;
	s->ctx = ctx;
	s->perm.owner = (uint32_t)geteuid();	/* before any drop */
	for (int i = 0; i < CTLSRV_MAX_CLIENTS; i++)
		s->cl[i].fd = -1;
	if (strlen(path) >= sizeof(s->path)) {
		logmsg(LOG_ERR, "control socket path %s is too long", path);
		return -ENAMETOOLONG;
	}
	snprintf(s->path, sizeof(s->path), "%s", path);
	ret = open_socket(s);
	if (ret) {
		if (s->lfd >= 0)
			close(s->lfd);
		if (s->dirfd >= 0)
			close(s->dirfd);
		s->lfd = s->dirfd = -1;
	}
	return ret;
}

/* Give back a request's reservation and buffer */
static void in_free(struct ctlsrv *s, struct ctl_client *c)
{
	if (c->want > CTLSRV_IN_SMALL && !c->starved)
		s->in_total -= c->want;
	free(c->in);
	c->in = NULL;
	c->in_cap = c->in_len = c->want = 0;
	c->starved = false;
}

/* The answer is over (or its client gone): forget all of it */
static void answer_reset(struct ctlsrv *s, struct ctl_client *c)
{
	if (c->stream)
		s->ops->drop(s->ctx, c->stream);
	c->stream = NULL;
	masq_text_free(&c->text);
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_off = c->out_cap = c->text_off = 0;
	c->parts = 0;
	c->answering = c->done = c->replied = false;
	c->listening = c->fed = false;
	c->status = 0;
}

static void client_close(struct ctlsrv *s, struct ctl_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	in_free(s, c);
	answer_reset(s, c);
	*c = (struct ctl_client){ .fd = -1 };
}

/**
 * ctlsrv_close() - Close every client and the socket, and remove it
 * @s:		server (may be unopened)
 */
void ctlsrv_close(struct ctlsrv *s)
{
	if (s->pending >= 0)	/* masqd finishes its job first: a bug */
		ctl_request_free(&s->pending_req);
	s->pending = -1;
	for (int i = 0; i < CTLSRV_MAX_CLIENTS; i++)
		client_close(s, &s->cl[i]);
	if (s->lfd >= 0) {
		close(s->lfd);
		unlinkat(s->dirfd, s->name, 0);
	}
	if (s->dirfd >= 0)
		close(s->dirfd);
	s->lfd = s->dirfd = -1;
}

/* ---- answering ------------------------------------------------------------ */

/* Room for @more framed bytes; what is written already is dropped first */
static int out_reserve(struct ctl_client *c, size_t more)
{
	size_t cap = c->out_cap ? c->out_cap : 4096;
	uint8_t *p;

	if (c->out_off) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	if (c->out_len + more <= c->out_cap)
		return 0;
	while (cap < c->out_len + more)
		cap *= 2;
	p = realloc(c->out, cap);
	if (!p)
		return -ENOMEM;
	c->out = p;
	c->out_cap = cap;
	return 0;
}

/* Frame the next @len bytes of the text as a reply part */
static int frame_part(struct ctl_client *c, size_t len)
{
	if (out_reserve(c, CTL_HDR_LEN + len))
		return -ENOMEM;
	ctl_part_head(c->out + c->out_len, len);
	memcpy(c->out + c->out_len + CTL_HDR_LEN, c->text.s + c->text_off, len);
	c->out_len += CTL_HDR_LEN + len;
	c->text_off += len;
	c->parts++;
	return 0;
}

/* Frame the closing reply: the rest of the text, then @msg */
static int frame_reply(struct ctl_client *c, const char *msg)
{
	size_t left = c->text.len - c->text_off, m = strlen(msg);
	uint8_t *p;

	if (out_reserve(c, CTL_REPLY_HEAD + left + m))
		return -ENOMEM;
	p = c->out + c->out_len;
	if (ctl_reply_head(p, c->status, left + m))
		return -EINVAL;
	if (left)
		memcpy(p + CTL_REPLY_HEAD, c->text.s + c->text_off, left);
	memcpy(p + CTL_REPLY_HEAD + left, msg, m);
	c->out_len += CTL_REPLY_HEAD + left + m;
	c->text_off = c->text.len;
	c->replied = true;
	return 0;
}

/* Does the closing reply take the rest (@left bytes) of a done answer? */
static bool reply_takes(const struct ctl_client *c, size_t left,
			const char *msg)
{
	if (!c->status)
		return left <= CTLSRV_PART;
	/* a failure's text goes whole to stderr, unless parts went already */
	return !left || (!c->parts && left + strlen(msg) <= CTL_MAX_PART - 4);
}

/* The listing has ended with status @st: its stream goes */
static void stream_end(struct ctlsrv *s, struct ctl_client *c, int st)
{
	c->done = true;
	c->status = st ? st : c->text.oom;
	s->ops->drop(s->ctx, c->stream);
	c->stream = NULL;
}

/*
 * A listing's next chunk, in place of its text (all framed), if this
 * iteration has one left. Return: false when it had none
 */
static bool stream_more(struct ctlsrv *s, struct ctl_client *c)
{
	int st;

	if (c->listening) {		/* once an iteration, no budget */
		if (c->fed)
			return false;
		c->fed = true;
	} else if (s->chunks_left <= 0) {
		return false;
	} else {
		s->chunks_left--;
	}
	c->text.len = c->text_off = 0;
	st = s->ops->more(s->ctx, c->stream, &c->text);
	if (st != CTLSRV_MORE || c->text.oom)
		stream_end(s, c, st == CTLSRV_MORE ? 1 : st);
	return true;
}

/* Frame what the low-water mark allows; Return: 0 or -errno */
static int client_frame(struct ctlsrv *s, struct ctl_client *c)
{
	while (c->answering && !c->replied &&
	       c->out_len - c->out_off < CTLSRV_LOW_WATER) {
		size_t left = c->text.len - c->text_off;
		const char *msg = c->text.oom ? oom_msg : "";
		int ret;

		if (!c->done && !left) {
			if (!stream_more(s, c))
				return 0;
			continue;
		}
		if (c->done && reply_takes(c, left, msg))
			ret = frame_reply(c, msg);
		else
			ret = frame_part(c, left < CTLSRV_PART ? left : CTLSRV_PART);
		if (ret)
			return ret;
	}
	return 0;
}

/* The closing reply is written: ready for the next request, or closed */
static void answer_end(struct ctlsrv *s, struct ctl_client *c)
{
	if (c->closing) {
		client_close(s, c);
		return;
	}
	answer_reset(s, c);
	c->since_ms = s->now_ms;
}

/* Frame and write as much of the answer as the socket takes now */
static void client_send(struct ctlsrv *s, struct ctl_client *c)
{
	for (;;) {
		ssize_t n;

		if (client_frame(s, c)) {
			client_close(s, c);
			return;
		}
		if (c->out_off == c->out_len) {
			if (c->replied)
				answer_end(s, c);
			return;		/* else a chunk waits for its turn */
		}
		n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			client_close(s, c);
			return;
		}
		c->out_off += (size_t)n;
		c->last_ms = s->now_ms;
	}
}

/* Start the answer: its text (taken), its status or the stream making it */
static void answer_start(struct ctlsrv *s, struct ctl_client *c, int status,
			 struct masq_text *text, void *stream)
{
	c->answering = true;
	c->stream = stream;
	c->done = !stream;
	c->status = stream ? 0 : status ? status : text->oom;
	c->text = *text;
	*text = (struct masq_text){ 0 };
	c->text_off = 0;
	c->parts = 0;
	c->replied = false;
	c->last_ms = s->now_ms;
	client_send(s, c);
}

static void client_protocol_error(struct ctlsrv *s, struct ctl_client *c,
				  int err, bool fatal)
{
	struct masq_text t = { 0 };

	s->rejected++;
	if (err == -EMSGSIZE)
		s->too_large++;
	masq_text_printf(&t, "masqd: bad control request: %s\n",
			 ctl_strerror(err));
	c->closing = fatal;
	answer_start(s, c, 2, &t, NULL);
}

/* ---- requests ------------------------------------------------------------- */

/* The whole request is in: run it and start the answer, or queue it */
static void client_run(struct ctlsrv *s, struct ctl_client *c)
{
	struct masq_text out = { 0 };
	struct ctl_request req;
	void *stream = NULL;
	int ret, status;

	if (s->pending >= 0 || s->held || s->runs_left <= 0) {
		c->queued = ++s->arrivals;
		return;
	}
	s->runs_left--;
	ret = ctl_request_parse(c->in + CTL_HDR_LEN, c->want - CTL_HDR_LEN, &req);
	if (c->in_cap > CTLSRV_IN_SMALL)	/* no big buffer kept idle */
		in_free(s, c);
	c->in_len = c->want = 0;
	if (ret) {
		client_protocol_error(s, c, ret, false);
		return;
	}
	status = ctlperm_refuse(&s->perm, c->uid, req.argc, req.argv, &out,
				&c->closing);
	if (status) {
		ctl_request_free(&req);
		answer_start(s, c, status, &out, NULL);
		return;
	}
	s->commands++;
	status = s->ops->run(s->ctx, req.argc, req.argv, &out, &stream);
	if (status == CTLSRV_PENDING) {
		s->pending = (int)(c - s->cl);
		s->pending_req = req;
		masq_text_free(&out);
		return;
	}
	ctl_request_free(&req);
	if (status == CTLSRV_STREAM || status == CTLSRV_LISTEN)
		s->streams++;
	c->listening = status == CTLSRV_LISTEN;
	answer_start(s, c, status, &out,
		     status == CTLSRV_STREAM || c->listening ? stream : NULL);
}

/*
 * A request bigger than CTLSRV_IN_SMALL reserves its size from
 * CTLSRV_IN_TOTAL; Return: false when it does not fit now (starved)
 */
static bool in_reserve(struct ctlsrv *s, struct ctl_client *c)
{
	if (c->want <= CTLSRV_IN_SMALL)
		return true;
	if (s->in_total + c->want > CTLSRV_IN_TOTAL) {
		if (!c->starved)
			s->starved_reads++;
		c->starved = true;
		return false;
	}
	s->in_total += c->want;
	c->starved = false;
	return true;
}

/* Room for @need bytes of the request (doubling, up to its size) */
static int in_grow(struct ctl_client *c, size_t need)
{
	size_t cap = c->in_cap;
	size_t want = c->want ? c->want : CTL_HDR_LEN;
	uint8_t *p;

	if (need <= cap)
		return 0;
	cap = need < 2 * cap ? 2 * cap : need;
	if (cap > want)
		cap = want;
	p = realloc(c->in, cap);
	if (!p)
		return -ENOMEM;
	c->in = p;
	c->in_cap = cap;
	return 0;
}

/* Header complete: learn the body length; 1 if the request is complete */
static int client_header(struct ctlsrv *s, struct ctl_client *c)
{
	uint32_t blen;
	int ret = ctl_hdr_parse(c->in, c->in_len, CTL_KIND_REQUEST, &blen);

	if (ret) {
		client_protocol_error(s, c, ret, true);
		return -1;
	}
	c->want = CTL_HDR_LEN + (size_t)blen;
	if (!in_reserve(s, c))
		return -1;
	return c->in_len == c->want;
}

/* Read within the budget; run at most one command */
static void client_read(struct ctlsrv *s, struct ctl_client *c)
{
	size_t budget = CTLSRV_READ_BUDGET;

	while (budget && c->fd >= 0 && !c->starved) {
		size_t want = c->want ? c->want : CTL_HDR_LEN, k;
		ssize_t n;

		/* room for what this step reads, not for the announced whole */
		k = want - c->in_len < budget ? want - c->in_len : budget;
		if (in_grow(c, c->in_len + k)) {
			client_close(s, c);
			return;
		}
		n = read(c->fd, c->in + c->in_len, k);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {	/* closed, or a real error */
			client_close(s, c);
			return;
		}
		c->in_len += (size_t)n;
		c->last_ms = s->now_ms;
		budget -= (size_t)n;
		if (!c->want && c->in_len == CTL_HDR_LEN) {
			int r = client_header(s, c);

			if (r < 0)
				return;
			if (r == 0)
				continue;
		}
		if (c->want && c->in_len == c->want) {
			client_run(s, c);
			return;
		}
	}
}

/*
 * Run the queued requests oldest first, until one is pending, a reload
 * holds the server or the iteration's budget is spent. O(clients) per
 * request; each client has at most one queued.
 */
static void run_queued(struct ctlsrv *s)
{
	while (s->pending < 0 && !s->held && s->runs_left > 0) {
		struct ctl_client *first = NULL;

		for (int i = 0; i < CTLSRV_MAX_CLIENTS; i++) {
			struct ctl_client *c = &s->cl[i];

			if (c->fd >= 0 && c->queued &&
			    (!first || c->queued < first->queued))
				first = c;
		}
		if (!first)
			return;
		first->queued = 0;
		client_run(s, first);
	}
}

/**
 * ctlsrv_complete() - Give the answer of the pending command
 * @s:		server, with a command pending
 * @status:	its exit status
 * @text:	its text, taken (zeroed here)
 *
 * The answer is sent as far as the socket takes it now (the rest when
 * the client can read); a client that went away is closed. The queued
 * requests run at the next ctlsrv_service().
 */
void ctlsrv_complete(struct ctlsrv *s, int status, struct masq_text *text)
{
	struct ctl_client *c;

	if (s->pending < 0) {
		masq_text_free(text);
		return;
	}
	c = &s->cl[s->pending];
	s->pending = -1;
	ctl_request_free(&s->pending_req);
	answer_start(s, c, status, text, NULL);
}

/**
 * ctlsrv_hold() - Start no command (a reload is being built), or again
 * @s:		server
 * @on:		hold, or release
 *
 * Requests that complete meanwhile wait, oldest first, as behind a
 * pending command; answers and listings under way go on.
 */
void ctlsrv_hold(struct ctlsrv *s, bool on)
{
	s->held = on;
}

/* ---- clients coming and going --------------------------------------------- */

/* Waiting for masqd (its job, its turn): not idle */
static bool waits_for_masqd(const struct ctlsrv *s, const struct ctl_client *c)
{
	return c->queued || (s->pending >= 0 && c == &s->cl[s->pending]);
}

/*
 * May @c give its slot to a newcomer? (no command in hand for a while;
 * one waiting for request memory has none yet, and holds none)
 */
static bool evictable(const struct ctlsrv *s, const struct ctl_client *c)
{
	return c->fd >= 0 && !c->answering && !waits_for_masqd(s, c) &&
	       s->now_ms - c->since_ms >= CTLSRV_EVICT_MS;
}

/* A slot for a newcomer: a free one, else the longest idle evictable */
static int slot_for_newcomer(struct ctlsrv *s)
{
	int best = -1;

	for (int i = 0; i < CTLSRV_MAX_CLIENTS; i++) {
		if (s->cl[i].fd < 0)
			return i;
		if (evictable(s, &s->cl[i]) &&
		    (best < 0 || s->cl[i].last_ms < s->cl[best].last_ms))
			best = i;
	}
	if (best >= 0) {
		s->evicted++;
		client_close(s, &s->cl[best]);
	}
	return best;
}

static void accept_clients(struct ctlsrv *s)
{
	for (int k = 0; k < CTLSRV_ACCEPT_BUDGET; k++) {
		struct ucred cred;
		socklen_t len = sizeof(cred);
		int fd, i;

		fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len)) {
			s->rejected++;
			close(fd);
			continue;
		}
		i = slot_for_newcomer(s);
		if (i < 0) {	/* polled only with room: cannot happen */
			close(fd);
			return;
		}
		s->cl[i] = (struct ctl_client){ .fd = fd, .uid = cred.uid,
						 .last_ms = s->now_ms,
						 .since_ms = s->now_ms };
	}
}

/* Close @c if it made no progress for CTLSRV_IDLE_MS */
static void expire_idle(struct ctlsrv *s, struct ctl_client *c)
{
	if (s->now_ms - c->last_ms < CTLSRV_IDLE_MS)
		return;
	s->idle_closed++;
	client_close(s, c);
}

/*
 * Close clients that made no progress for CTLSRV_IDLE_MS, those waiting
 * for request memory last: what the idle ones held may let them be read
 * again (their wait then ends, and their time starts afresh). So requests
 * announced and never sent cannot keep a real one waiting for more than
 * CTLSRV_IDLE_MS, nor hold its slot (evictable()).
 */
static void expire_clients(struct ctlsrv *s)
{
	for (int i = 0; i < CTLSRV_MAX_CLIENTS; i++) {
		struct ctl_client *c = &s->cl[i];

		if (c->fd < 0 || c->starved)
			continue;
		if (waits_for_masqd(s, c) || c->listening)
			c->last_ms = s->now_ms;	/* a listener waits for events */
		else
			expire_idle(s, c);
	}
	for (int i = 0; i < CTLSRV_MAX_CLIENTS; i++) {
		struct ctl_client *c = &s->cl[i];

		if (c->fd < 0 || !c->starved)
			continue;
		if (in_reserve(s, c))
			c->last_ms = s->now_ms;
		else
			expire_idle(s, c);
	}
}

/* ---- the loop's side ------------------------------------------------------- */

/* A listener with nothing to write waits for events, not for its socket:
 * it is polled for its hang-up only (POLLOUT would wake the loop at once) */
static bool listener_idle(const struct ctl_client *c)
{
	return c->listening && c->out_off == c->out_len &&
	       c->text_off == c->text.len;
}

/*
 * A listener's turn, every iteration: has it hung up (it sends nothing,
 * so readable means closed, or bytes to throw away)? Else its events.
 */
static void listener_service(struct ctlsrv *s, struct ctl_client *c, short rev)
{
	char junk[256];

	if (rev & (POLLIN | POLLHUP | POLLERR)) {
		ssize_t n = recv(c->fd, junk, sizeof(junk), MSG_DONTWAIT);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			client_close(s, c);
			return;
		}
	}
	c->fed = false;
	client_send(s, c);
}

/**
 * ctlsrv_pollfds() - Add the socket and clients to a pollfd array
 * @s:		server
 * @pfd:	the array (room for 1 + CTLSRV_MAX_CLIENTS from @base)
 * @base:	first index to use
 * @now_ms:	the time (any monotonic clock, milliseconds)
 *
 * The listening socket is polled only when a newcomer can have a slot
 * (a free one, or one to evict); otherwise it waits in the backlog.
 *
 * Return: number of entries added
 */
int ctlsrv_pollfds(struct ctlsrv *s, struct pollfd *pfd, int base,
		   uint64_t now_ms)
{
	int n = base;
	bool room = false;

	s->now_ms = now_ms;
	s->pfd_base = base;
	for (int i = 0; i < CTLSRV_MAX_CLIENTS; i++) {
		struct ctl_client *c = &s->cl[i];

		s->pfd_cl[i] = -1;
		if (c->fd < 0 || evictable(s, c)) {
			room = true;
			if (c->fd < 0)
				continue;
		}
		if (waits_for_masqd(s, c) || c->starved)
			continue;	/* nothing to read or write yet */
		s->pfd_cl[i] = ++n;
		pfd[n] = (struct pollfd){ .fd = c->fd,
			.events = c->answering && !listener_idle(c) ? POLLOUT : POLLIN };
	}
	pfd[base] = (struct pollfd){ .fd = room ? s->lfd : -1, .events = POLLIN };
	return n - base + 1;
}

/**
 * ctlsrv_busy() - Whether a request waits only for the next iteration
 * @s:		server
 *
 * Return: true when a queued request could run now (the last iteration's
 * budget was spent): poll without sleeping
 */
bool ctlsrv_busy(const struct ctlsrv *s)
{
	if (s->pending >= 0 || s->held)
		return false;
	for (int i = 0; i < CTLSRV_MAX_CLIENTS; i++)
		if (s->cl[i].fd >= 0 && s->cl[i].queued)
			return true;
	return false;
}

/**
 * ctlsrv_service() - Do this iteration's bounded control work
 * @s:		server
 * @pfd:	the pollfd array filled by ctlsrv_pollfds() and polled
 * @now_ms:	the time, same clock as ctlsrv_pollfds()
 */
void ctlsrv_service(struct ctlsrv *s, const struct pollfd *pfd,
		    uint64_t now_ms)
{
	s->now_ms = now_ms;
	s->runs_left = CTLSRV_RUN_BUDGET;
	s->chunks_left = CTLSRV_CHUNKS;
	run_queued(s);
	for (int k = 0; k < CTLSRV_MAX_CLIENTS; k++) {
		int i = (s->rr + k) % CTLSRV_MAX_CLIENTS;	/* chunks in turn */
		struct ctl_client *c = &s->cl[i];
		short rev;

		if (s->pfd_cl[i] < 0 || c->fd < 0)
			continue;
		rev = pfd[s->pfd_cl[i]].revents;
		if (c->listening && !(rev & POLLNVAL)) {
			listener_service(s, c, rev);
			continue;
		}
		if (!rev)
			continue;
		if (rev & POLLNVAL)
			client_close(s, c);
		else if (c->answering)
			client_send(s, c);
		else if (!waits_for_masqd(s, c) && !c->starved)
			client_read(s, c);
	}
	s->rr = (s->rr + 1) % CTLSRV_MAX_CLIENTS;
	expire_clients(s);
	if (s->lfd >= 0 && pfd[s->pfd_base].fd >= 0 &&
	    (pfd[s->pfd_base].revents & POLLIN))
		accept_clients(s);
}

/**
 * ctlsrv_memory() - Bytes the server holds for its clients now
 * @s:		server
 *
 * Return: request buffers, answers' texts and framed bytes
 */
size_t ctlsrv_memory(const struct ctlsrv *s)
{
	size_t n = 0;

	for (int i = 0; i < CTLSRV_MAX_CLIENTS; i++)
		n += s->cl[i].in_cap + s->cl[i].text.cap + s->cl[i].out_cap;
	return n;
}
