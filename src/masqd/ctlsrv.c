// SPDX-License-Identifier: MIT
/*
 * ctlsrv.c - the control socket server (see ctlsrv.h)
 *
 * Theory of operation: each client is a small state machine. It reads a
 * header (CTL_HDR_LEN bytes), checks it, then reads the body it announces
 * (at most CTL_MAX_REQUEST), runs the command through the handler and
 * writes the reply; while a reply is pending nothing more is read from
 * that client, so a client that does not read its replies costs one reply
 * of memory, not more. A bad header cannot be resynchronised: the client
 * gets a usage-error reply naming the problem and is closed. A bad body
 * gets the same reply and the connection stays usable.
 *
 * A pending command (the handler returned CTLSRV_PENDING: a ruleset change
 * running on masqd's worker thread) holds the server until
 * ctlsrv_complete(). Its client is not polled meanwhile (it has nothing to
 * be read while its reply is due; if it hangs up, the reply's send fails
 * and it is closed then, so its slot cannot be reused by another client
 * that would get the reply). A request that completes meanwhile on another
 * client is queued: it keeps its bytes in @in, gets an arrival number and
 * is not polled either; once the reply is given, the queued requests run
 * oldest first until one of them is pending in turn. Each client still
 * runs at most one command per iteration, so the bound is unchanged.
 *
 * Access: the socket is created with mode 0600 (umask held at 0177 around
 * bind()), and a peer whose SO_PEERCRED uid is neither root nor masqd's
 * own is refused. A live socket at the path means another masqd: refused;
 * a dead one (ECONNREFUSED) is a leftover and is replaced.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "masqd/ctlsrv.h"
#include "masqd/log.h"

/* mkdir -p of the socket's directory (0755: the socket's mode guards it) */
static int make_parent_dirs(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *p;

	snprintf(dir, sizeof(dir), "%s", path);
	for (p = strchr(dir + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST) {
			logmsg(LOG_ERR, "cannot create directory %s for the "
			       "control socket: %s", dir, strerror(errno));
			return -errno;
		}
		*p = '/';
	}
	return 0;
}

/* Refuse a live socket, remove a dead one, leave other files alone */
static int clear_stale(const struct sockaddr_un *sun)
{
	struct stat st;
	int fd, ret;

	if (lstat(sun->sun_path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		logmsg(LOG_ERR, "%s exists and is not a socket; remove it or "
		       "choose another path with -s", sun->sun_path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	close(fd);
	if (!ret) {
		logmsg(LOG_ERR, "another masqd is already listening on %s",
		       sun->sun_path);
		return -EADDRINUSE;
	}
	if (unlink(sun->sun_path) && errno != ENOENT)
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
	if (!ret && chmod(sun->sun_path, 0600))
		ret = -errno;
	if (!ret && listen(s->lfd, CTLSRV_MAX_CLIENTS))
		ret = -errno;
	return ret;
}

/**
 * ctlsrv_open() - Create the control socket
 * @s:		server to set up
 * @path:	socket path (directories are created)
 *
 * Return: 0, or -errno (already logged)
 */
int ctlsrv_open(struct ctlsrv *s, const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int ret;

	memset(s, 0, sizeof(*s));
	s->lfd = -1;
	s->pending = -1;
	for (int i = 0; i < CTLSRV_MAX_CLIENTS; i++)
		s->cl[i].fd = -1;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		logmsg(LOG_ERR, "control socket path %s is too long", path);
		return -ENAMETOOLONG;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	ret = make_parent_dirs(path);
	if (!ret)
		ret = clear_stale(&sun);
	if (ret)
		return ret;
	ret = listen_on(s, &sun);
	if (ret) {
		logmsg(LOG_ERR, "cannot listen on %s: %s", path, strerror(-ret));
		if (s->lfd >= 0)
			close(s->lfd);
		s->lfd = -1;
		return ret;
	}
	snprintf(s->path, sizeof(s->path), "%s", path);
	return 0;
}

static void client_close(struct ctl_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->in);
	ctl_msg_free(&c->out);
	*c = (struct ctl_client){ .fd = -1 };
}

/**
 * ctlsrv_close() - Close every client and the socket, and remove its path
 * @s:		server (may be unopened)
 */
void ctlsrv_close(struct ctlsrv *s)
{
	if (s->pending >= 0)	/* masqd finishes its job first: a bug */
		ctl_request_free(&s->pending_req);
	s->pending = -1;
	for (int i = 0; i < CTLSRV_MAX_CLIENTS; i++)
		client_close(&s->cl[i]);
	if (s->lfd >= 0) {
		close(s->lfd);
		unlink(s->path);
	}
	s->lfd = -1;
}

/**
 * ctlsrv_pollfds() - Add the socket and clients to a pollfd array
 * @s:		server
 * @pfd:	the array (room for 1 + CTLSRV_MAX_CLIENTS from @base)
 * @base:	first index to use
 *
 * Return: number of entries added
 */
int ctlsrv_pollfds(struct ctlsrv *s, struct pollfd *pfd, int base)
{
	int n = base, room = 0;

	s->pfd_base = base;
	for (int i = 0; i < CTLSRV_MAX_CLIENTS; i++) {
		struct ctl_client *c = &s->cl[i];

		s->pfd_cl[i] = -1;
		if (c->fd < 0) {
			room = 1;
			continue;
		}
		if (c->queued || i == s->pending)
			continue;	/* nothing to read or write yet */
		s->pfd_cl[i] = ++n;
		pfd[n] = (struct pollfd){ .fd = c->fd,
			.events = c->out.buf ? POLLOUT : POLLIN };
	}
	/* with every slot busy, new clients wait in the listen backlog */
	pfd[base] = (struct pollfd){ .fd = room ? s->lfd : -1, .events = POLLIN };
	return n - base + 1;
}

/* Write what is pending; close when done if asked to */
static void client_flush(struct ctl_client *c)
{
	while (c->out.buf && c->out_off < c->out.len) {
		ssize_t n = send(c->fd, c->out.buf + c->out_off,
				 c->out.len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			client_close(c);
			return;
		}
		c->out_off += (size_t)n;
	}
	ctl_msg_free(&c->out);
	c->out_off = 0;
	if (c->closing)
		client_close(c);
}

/* The answer as parts of CTL_MAX_PART bytes, then the reply with the rest */
static int answer_encode(int status, const char *text, size_t len,
			 struct ctl_msg *msg)
{
	size_t parts = len > CTL_MAX_PART - 4 ? (len - 1) / CTL_MAX_PART : 0;
	size_t tail = len - parts * CTL_MAX_PART;
	uint8_t *p;

	*msg = (struct ctl_msg){ 0 };
	msg->buf = malloc(parts * CTL_HDR_LEN + CTL_REPLY_HEAD + len);
	if (!msg->buf)
		return -ENOMEM;
	p = msg->buf;
	for (size_t i = 0; i < parts; i++, text += CTL_MAX_PART) {
		ctl_part_head(p, CTL_MAX_PART);
		memcpy(p + CTL_HDR_LEN, text, CTL_MAX_PART);
		p += CTL_HDR_LEN + CTL_MAX_PART;
	}
	if (ctl_reply_head(p, status, tail)) {
		ctl_msg_free(msg);
		return -EINVAL;
	}
	if (tail)
		memcpy(p + CTL_REPLY_HEAD, text, tail);
	msg->len = (size_t)(p + CTL_REPLY_HEAD + tail - msg->buf);
	return 0;
}

static void client_reply(struct ctl_client *c, int status, const char *text,
			 size_t len)
{
	if (answer_encode(status, text, len, &c->out)) {
		client_close(c);
		return;
	}
	c->out_off = 0;
	client_flush(c);
}

static void client_protocol_error(struct ctlsrv *s, struct ctl_client *c,
				  int err, int fatal)
{
	char msg[160];
	int n;

	s->rejected++;
	n = snprintf(msg, sizeof(msg), "masqd: bad control request: %s\n",
		     ctl_strerror(err));
	c->closing = fatal;
	client_reply(c, 2, msg, (size_t)n);
}

/* The whole request is in: run it and start the reply, or queue it */
static void client_run(struct ctlsrv *s, struct ctl_client *c,
		       ctlsrv_handler fn, void *ctx)
{
	struct masq_text out = { 0 };
	struct ctl_request req;
	int ret, status;

	if (s->pending >= 0) {
		c->queued = ++s->arrivals;
		return;
	}
	ret = ctl_request_parse(c->in + CTL_HDR_LEN, c->want - CTL_HDR_LEN, &req);
	c->in_len = 0;
	c->want = 0;
	if (c->in_cap > 65536) {	/* keep no big buffer for an idle client */
		free(c->in);
		c->in = NULL;
		c->in_cap = 0;
	}
	if (ret) {
		client_protocol_error(s, c, ret, 0);
		return;
	}
	s->commands++;
	status = fn(ctx, req.argc, req.argv, &out);
	if (status == CTLSRV_PENDING) {
		s->pending = (int)(c - s->cl);
		s->pending_req = req;
		masq_text_free(&out);
		return;
	}
	ctl_request_free(&req);
	if (out.oom && !status)	/* the text ends in masq_text's marker */
		status = 1;
	client_reply(c, status, out.s, out.len);
	masq_text_free(&out);
}

static int client_grow(struct ctl_client *c, size_t need)
{
	uint8_t *p;

	if (need <= c->in_cap)
		return 0;
	if (need < 2 * c->in_cap)
		need = 2 * c->in_cap;
	p = realloc(c->in, need);
	if (!p)
		return -ENOMEM;
	c->in = p;
	c->in_cap = need;
	return 0;
}

/* Header complete: learn the body length; 1 if the request is complete */
static int client_header(struct ctlsrv *s, struct ctl_client *c)
{
	uint32_t blen;
	int ret = ctl_hdr_parse(c->in, c->in_len, CTL_KIND_REQUEST, &blen);

	if (ret) {
		client_protocol_error(s, c, ret, 1);
		return -1;
	}
	c->want = CTL_HDR_LEN + (size_t)blen;
	return c->in_len == c->want;
}

/* Read within the budget; run at most one command */
static void client_read(struct ctlsrv *s, struct ctl_client *c,
			ctlsrv_handler fn, void *ctx)
{
	size_t budget = CTLSRV_READ_BUDGET;

	while (budget && c->fd >= 0) {
		size_t want = c->want ? c->want : CTL_HDR_LEN, k;
		ssize_t n;

		/* room for what this step reads, not for the announced whole:
		 * a client that announces 64 MiB and sends nothing holds
		 * little (growth doubles, so a big request costs O(log n)
		 * copies) */
		k = want - c->in_len < budget ? want - c->in_len : budget;
		if (client_grow(c, c->in_len + k)) {
			client_close(c);
			return;
		}
		n = read(c->fd, c->in + c->in_len, k);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {	/* closed, or a real error */
			client_close(c);
			return;
		}
		c->in_len += (size_t)n;
		budget -= (size_t)n;
		if (!c->want && c->in_len == CTL_HDR_LEN) {
			int r = client_header(s, c);

			if (r < 0)
				return;
			if (r == 0)
				continue;
		}
		if (c->want && c->in_len == c->want) {
			client_run(s, c, fn, ctx);
			return;
		}
	}
}

/*
 * Run the queued requests oldest first, until one is pending. O(clients)
 * per request; each client has at most one queued.
 */
static void run_queued(struct ctlsrv *s, ctlsrv_handler fn, void *ctx)
{
	while (s->pending < 0) {
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
		client_run(s, first, fn, ctx);
	}
}

/**
 * ctlsrv_complete() - Give the reply of the pending command
 * @s:		server, with a command pending
 * @status:	its exit status
 * @text:	its text (may be NULL when @len is 0)
 * @len:	bytes of @text
 *
 * The reply is sent as far as the socket takes it now (the rest when the
 * client can read); a client that went away is closed. The queued
 * requests run at the next ctlsrv_service().
 */
void ctlsrv_complete(struct ctlsrv *s, int status, const char *text,
		     size_t len)
{
	struct ctl_client *c;

	if (s->pending < 0)
		return;
	c = &s->cl[s->pending];
	s->pending = -1;
	ctl_request_free(&s->pending_req);
	client_reply(c, status, text, len);
}

static void accept_clients(struct ctlsrv *s)
{
	for (int k = 0; k < CTLSRV_ACCEPT_BUDGET; k++) {
		struct ucred cred;
		socklen_t len = sizeof(cred);
		int fd, i;

		for (i = 0; i < CTLSRV_MAX_CLIENTS && s->cl[i].fd >= 0; i++)
			;
		if (i == CTLSRV_MAX_CLIENTS)
			return;
		fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) ||
		    (cred.uid != 0 && cred.uid != geteuid())) {
			s->rejected++;
			close(fd);
			continue;
		}
		s->cl[i] = (struct ctl_client){ .fd = fd };
	}
}

/**
 * ctlsrv_service() - Do this iteration's bounded control work
 * @s:		server
 * @pfd:	the pollfd array filled by ctlsrv_pollfds() and polled
 * @fn:		runs a command
 * @ctx:	passed to @fn
 */
void ctlsrv_service(struct ctlsrv *s, const struct pollfd *pfd,
		    ctlsrv_handler fn, void *ctx)
{
	run_queued(s, fn, ctx);
	for (int i = 0; i < CTLSRV_MAX_CLIENTS; i++) {
		struct ctl_client *c = &s->cl[i];
		short rev;

		if (s->pfd_cl[i] < 0 || c->fd < 0)
			continue;
		rev = pfd[s->pfd_cl[i]].revents;
		if (!rev)
			continue;
		if (rev & POLLNVAL)
			client_close(c);
		else if (c->out.buf)
			client_flush(c);
		else
			client_read(s, c, fn, ctx);
	}
	if (s->lfd >= 0 && pfd[s->pfd_base].fd >= 0 &&
	    (pfd[s->pfd_base].revents & POLLIN))
		accept_clients(s);
}
