// SPDX-License-Identifier: MIT
/*
 * proto.c - encode and parse control messages (see proto.h for the format)
 *
 * Theory of operation: the parsers never trust a length. Each length is
 * compared with what is left of the buffer and with its hard limit before
 * it is used, in 64-bit arithmetic so no sum can wrap. A request is parsed
 * in two passes: the first validates every word and adds up the storage,
 * the second copies; so a bad request allocates nothing. The encoders
 * check the same limits, so masqctl refuses what masqd would refuse, with
 * the same message.
 *
 * The blocking helpers at the end (ctl_write_all, ctl_read_full, ctl_call)
 * are for masqctl and tests; masqd reads its clients without blocking and
 * uses only the memory parsers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "control/proto.h"

_Static_assert(CTL_MAX_REQUEST == 16u << 20 && CTL_MAX_WORD == 16u << 20 &&
	       CTL_MAX_PART == 1u << 20,
	       "ctl_strerror() and cmdfile.c name the limits");

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint16_t get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint8_t *put_u32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
	return p + 4;
}

static uint8_t *put_hdr(uint8_t *p, enum ctl_kind kind, uint32_t body_len)
{
	p = put_u32(p, CTL_MAGIC);
	p[0] = CTL_VERSION >> 8;
	p[1] = CTL_VERSION & 0xff;
	p[2] = (uint8_t)(kind >> 8);
	p[3] = (uint8_t)kind;
	return put_u32(p + 4, body_len);
}

/**
 * ctl_hdr_parse() - Check a message header and read its body length
 * @p:		bytes received
 * @n:		how many (at least CTL_HDR_LEN for a verdict)
 * @kind:	the kind expected here
 * @body_len:	set to the body length on success
 *
 * Return: 0, -EAGAIN if fewer than CTL_HDR_LEN bytes, -EPROTO for a bad
 * magic, -EPROTONOSUPPORT for another version, -EBADMSG for the wrong
 * kind, -EMSGSIZE if a request's body is longer than CTL_MAX_REQUEST,
 * -EFBIG if a part's or reply's is longer than CTL_MAX_PART
 */
int ctl_hdr_parse(const uint8_t *p, size_t n, enum ctl_kind kind,
		  uint32_t *body_len)
{
	uint32_t len;

	if (n < CTL_HDR_LEN)
		return -EAGAIN;
	if (get_u32(p) != CTL_MAGIC)
		return -EPROTO;
	if (get_u16(p + 4) != CTL_VERSION)
		return -EPROTONOSUPPORT;
	if (get_u16(p + 6) != (uint16_t)kind)
		return -EBADMSG;
	len = get_u32(p + 8);
	if (kind == CTL_KIND_REQUEST && len > CTL_MAX_REQUEST)
		return -EMSGSIZE;
	if (kind != CTL_KIND_REQUEST && len > CTL_MAX_PART)
		return -EFBIG;
	*body_len = len;
	return 0;
}

/**
 * ctl_hdr_parse_answer() - Check the header of a message of an answer
 * @p:		bytes received
 * @n:		how many
 * @kind:	set to CTL_KIND_PART or CTL_KIND_REPLY
 * @body_len:	set to the body length on success
 *
 * Return: as ctl_hdr_parse(); -EBADMSG for a kind that is neither
 */
int ctl_hdr_parse_answer(const uint8_t *p, size_t n, enum ctl_kind *kind,
			 uint32_t *body_len)
{
	enum ctl_kind k = n >= CTL_HDR_LEN && get_u16(p + 6) == CTL_KIND_PART ?
			  CTL_KIND_PART : CTL_KIND_REPLY;
	int ret = ctl_hdr_parse(p, n, k, body_len);

	if (!ret)
		*kind = k;
	return ret;
}

/* First pass: validate every word, add up the bytes the copies need */
static int request_scan(const uint8_t *body, size_t len, uint32_t *argc,
			size_t *store_len)
{
	size_t off = 4, need = 0;
	uint32_t n, i;

	if (len < 4)
		return -EBADMSG;
	n = get_u32(body);
	if (n == 0)
		return -EINVAL;
	if (n > CTL_MAX_ARGC)
		return -E2BIG;
	for (i = 0; i < n; i++) {
		uint32_t wl;

		if (len - off < 4)
			return -EBADMSG;
		wl = get_u32(body + off);
		off += 4;
		if (wl > CTL_MAX_WORD)
			return -EMSGSIZE;
		if (wl > len - off)
			return -EBADMSG;
		if (memchr(body + off, '\0', wl))
			return -EINVAL;
		off += wl;
		need += (size_t)wl + 1;
	}
	if (off != len)
		return -EBADMSG;
	*argc = n;
	*store_len = need;
	return 0;
}

/**
 * ctl_request_parse() - Turn a request body into NUL-terminated words
 * @body:	the body (after the header)
 * @len:	its length (at most CTL_MAX_REQUEST, checked again here)
 * @req:	filled on success; free with ctl_request_free()
 *
 * Return: 0, or -EBADMSG (truncated or trailing bytes), -EINVAL (no words,
 * or a NUL byte in a word), -E2BIG (too many words), -EMSGSIZE (a word or
 * the body too long), -ENOMEM
 */
int ctl_request_parse(const uint8_t *body, size_t len, struct ctl_request *req)
{
	size_t store_len, off = 4, s = 0;
	uint32_t argc, i;
	int ret;

	*req = (struct ctl_request){ 0 };
	if (len > CTL_MAX_REQUEST)
		return -EMSGSIZE;
	ret = request_scan(body, len, &argc, &store_len);
	if (ret)
		return ret;
	req->argv = calloc((size_t)argc + 1, sizeof(*req->argv));
	req->store = malloc(store_len);
	if (!req->argv || !req->store) {
		ctl_request_free(req);
		return -ENOMEM;
	}
	for (i = 0; i < argc; i++) {
		uint32_t wl = get_u32(body + off);

		off += 4;
		memcpy(req->store + s, body + off, wl);
		req->store[s + wl] = '\0';
		req->argv[i] = req->store + s;
		s += (size_t)wl + 1;
		off += wl;
	}
	req->argc = (int)argc;
	return 0;
}

/**
 * ctl_request_free() - Release what ctl_request_parse() allocated
 * @req:	request (may be zeroed or half-built)
 */
void ctl_request_free(struct ctl_request *req)
{
	free(req->argv);
	free(req->store);
	*req = (struct ctl_request){ 0 };
}

/**
 * ctl_request_encode() - Build a request message from an argument vector
 * @argc:	number of words, 1..CTL_MAX_ARGC
 * @argv:	the words
 * @msg:	filled on success; free with ctl_msg_free()
 *
 * Return: 0, or -EINVAL, -E2BIG, -EMSGSIZE as ctl_request_parse() would
 * give for the same words, or -ENOMEM
 */
int ctl_request_encode(int argc, char *const *argv, struct ctl_msg *msg)
{
	size_t body = 4;
	uint8_t *p;
	int i;

	*msg = (struct ctl_msg){ 0 };
	if (argc <= 0)
		return -EINVAL;
	if (argc > CTL_MAX_ARGC)
		return -E2BIG;
	for (i = 0; i < argc; i++) {
		size_t wl = strlen(argv[i]);

		if (wl > CTL_MAX_WORD)
			return -EMSGSIZE;
		body += 4 + wl;
		if (body > CTL_MAX_REQUEST)
			return -EMSGSIZE;
	}
	msg->buf = malloc(CTL_HDR_LEN + body);
	if (!msg->buf)
		return -ENOMEM;
	p = put_hdr(msg->buf, CTL_KIND_REQUEST, (uint32_t)body);
	p = put_u32(p, (uint32_t)argc);
	for (i = 0; i < argc; i++) {
		size_t wl = strlen(argv[i]);

		p = put_u32(p, (uint32_t)wl);
		memcpy(p, argv[i], wl);
		p += wl;
	}
	msg->len = CTL_HDR_LEN + body;
	return 0;
}

/**
 * ctl_reply_parse() - Read the status and text of a reply body
 * @body:	the body (after the header)
 * @len:	its length
 * @status:	exit status (0..255; anything else is malformed)
 * @text:	points into @body; not NUL-terminated
 * @text_len:	bytes of text
 *
 * Return: 0, -EBADMSG when shorter than a status or the status is out of
 * range, -EFBIG when longer than CTL_MAX_PART
 */
int ctl_reply_parse(const uint8_t *body, size_t len, int *status,
		    const char **text, size_t *text_len)
{
	uint32_t st;

	if (len < 4)
		return -EBADMSG;
	if (len > CTL_MAX_PART)
		return -EFBIG;
	st = get_u32(body);
	if (st > 255)
		return -EBADMSG;
	*status = (int)st;
	*text = (const char *)body + 4;
	*text_len = len - 4;
	return 0;
}

/**
 * ctl_reply_head() - Write the header and status of a reply
 * @head:	CTL_REPLY_HEAD bytes; the text follows them
 * @status:	exit status, 0..255
 * @text_len:	bytes of text that follow
 *
 * Return: 0, -EINVAL for a status out of range, -EFBIG when the text does
 * not fit one reply (send the front of it in parts first)
 */
int ctl_reply_head(uint8_t head[CTL_REPLY_HEAD], int status, size_t text_len)
{
	if (status < 0 || status > 255)
		return -EINVAL;
	if (text_len > CTL_MAX_PART - 4)
		return -EFBIG;
	put_u32(put_hdr(head, CTL_KIND_REPLY, (uint32_t)(4 + text_len)),
		(uint32_t)status);
	return 0;
}

/**
 * ctl_part_head() - Write the header of a reply part
 * @head:	CTL_HDR_LEN bytes; the text follows them
 * @text_len:	bytes of text that follow, at most CTL_MAX_PART
 *
 * Return: 0, or -EFBIG
 */
int ctl_part_head(uint8_t head[CTL_HDR_LEN], size_t text_len)
{
	if (text_len > CTL_MAX_PART)
		return -EFBIG;
	put_hdr(head, CTL_KIND_PART, (uint32_t)text_len);
	return 0;
}

/**
 * ctl_reply_encode() - Build a reply message
 * @status:	exit status, 0..255
 * @text:	reply text (may be NULL when @text_len is 0)
 * @text_len:	bytes of text, at most CTL_MAX_PART - 4 (never cut: more
 *		goes in parts before it)
 * @msg:	filled on success; free with ctl_msg_free()
 *
 * Return: 0, -EINVAL for a status out of range, -EFBIG, -ENOMEM
 */
int ctl_reply_encode(int status, const char *text, size_t text_len,
		     struct ctl_msg *msg)
{
	uint8_t head[CTL_REPLY_HEAD];
	int ret = ctl_reply_head(head, status, text_len);

	*msg = (struct ctl_msg){ 0 };
	if (ret)
		return ret;
	msg->buf = malloc(CTL_REPLY_HEAD + text_len);
	if (!msg->buf)
		return -ENOMEM;
	memcpy(msg->buf, head, CTL_REPLY_HEAD);
	if (text_len)
		memcpy(msg->buf + CTL_REPLY_HEAD, text, text_len);
	msg->len = CTL_REPLY_HEAD + text_len;
	return 0;
}

/**
 * ctl_msg_free() - Release an encoded message
 * @msg:	message (may be zeroed)
 */
void ctl_msg_free(struct ctl_msg *msg)
{
	free(msg->buf);
	*msg = (struct ctl_msg){ 0 };
}

/**
 * ctl_strerror() - Say what a protocol error code means
 * @err:	a negative errno from this file's functions
 *
 * Return: a static string naming the problem in protocol terms
 */
const char *ctl_strerror(int err)
{
	switch (err) {
	case -EAGAIN:
		return "message header incomplete";
	case -EPROTO:
		return "not a masq control message (bad magic)";
	case -EPROTONOSUPPORT:
		return "unsupported control protocol version";
	case -EBADMSG:
		return "malformed control message";
	case -EINVAL:
		return "empty command or a word containing a NUL byte";
	case -E2BIG:
		return "too many words in one command (limit 4096)";
	case -EMSGSIZE:
		return "word or command too long (limit 16 MiB)";
	case -EFBIG:
		return "reply message too long (limit 1 MiB)";
	case -ENOMEM:
		return "out of memory";
	case -ECONNRESET:
		return "connection closed in the middle of a message";
	default:
		return strerror(-err);
	}
}

/**
 * ctl_write_all() - Write a whole buffer to a blocking socket
 * @fd:		socket
 * @buf:	bytes
 * @len:	how many
 *
 * Return: 0, or -errno
 */
int ctl_write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/**
 * ctl_read_full() - Read exactly @len bytes from a blocking socket
 * @fd:		socket
 * @buf:	destination
 * @len:	how many
 *
 * Return: 0, -ECONNRESET when the peer closes first, or -errno
 */
int ctl_read_full(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -ECONNRESET;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read one answer message whole: its kind and a malloc'd body */
static int read_answer_msg(int fd, enum ctl_kind *kind, uint8_t **body,
			   uint32_t *blen)
{
	uint8_t hdr[CTL_HDR_LEN];
	int ret = ctl_read_full(fd, hdr, sizeof(hdr));

	*body = NULL;
	if (!ret)
		ret = ctl_hdr_parse_answer(hdr, sizeof(hdr), kind, blen);
	if (ret)
		return ret;
	*body = malloc((size_t)*blen + 1);
	if (!*body)
		return -ENOMEM;
	ret = ctl_read_full(fd, *body, *blen);
	if (ret) {
		free(*body);
		*body = NULL;
	}
	return ret;
}

/**
 * ctl_call_stream() - Send one command and take its answer as it comes
 * @fd:		connected blocking socket
 * @argc:	number of words
 * @argv:	the words
 * @part:	called with each part's text, in order (NULL: parts dropped)
 * @ctx:	passed to @part
 * @status:	the command's exit status
 * @text:	the reply's own text (after the parts), NUL-terminated,
 *		malloc'd (caller frees)
 * @text_len:	bytes of @text, without the NUL
 *
 * Return: 0, a negative errno (see ctl_strerror()), or what @part
 * returned when it stopped the call
 */
int ctl_call_stream(int fd, int argc, char *const *argv, ctl_part_fn part,
		    void *ctx, int *status, char **text, size_t *text_len)
{
	struct ctl_msg msg;
	enum ctl_kind kind;
	uint8_t *body;
	const char *t;
	uint32_t blen;
	int ret;

	*text = NULL;
	*text_len = 0;
	ret = ctl_request_encode(argc, argv, &msg);
	if (ret)
		return ret;
	ret = ctl_write_all(fd, msg.buf, msg.len);
	ctl_msg_free(&msg);
	while (!ret) {
		ret = read_answer_msg(fd, &kind, &body, &blen);
		if (ret)
			break;
		if (kind == CTL_KIND_PART) {
			ret = part ? part(ctx, (const char *)body, blen) : 0;
			free(body);
			continue;
		}
		ret = ctl_reply_parse(body, blen, status, &t, text_len);
		if (ret) {
			free(body);
			break;
		}
		memmove(body, t, *text_len);
		body[*text_len] = '\0';
		*text = (char *)body;
		return 0;
	}
	return ret;
}

/* The parts of an answer, gathered for ctl_call() */
struct gather {
	char *s;
	size_t len, cap;
};

static int gather_part(void *ctx, const char *text, size_t len)
{
	struct gather *g = ctx;

	if (g->len + len + 1 > g->cap) {
		size_t cap = g->cap ? g->cap : 65536;
		char *s;

		while (cap < g->len + len + 1)
			cap *= 2;
		s = realloc(g->s, cap);
		if (!s)
			return -ENOMEM;
		g->s = s;
		g->cap = cap;
	}
	memcpy(g->s + g->len, text, len);
	g->len += len;
	return 0;
}

/**
 * ctl_call() - Send one command on a connected socket and wait for the
 * whole answer
 * @fd:		connected blocking socket
 * @argc:	number of words
 * @argv:	the words
 * @status:	the command's exit status
 * @text:	the answer's text (parts and reply), NUL-terminated,
 *		malloc'd (caller frees)
 * @text_len:	bytes of text, without the NUL
 *
 * Return: 0, or a negative errno (see ctl_strerror())
 */
int ctl_call(int fd, int argc, char *const *argv, int *status,
	     char **text, size_t *text_len)
{
	struct gather g = { 0 };
	char *tail;
	size_t tail_len;
	int ret = ctl_call_stream(fd, argc, argv, gather_part, &g, status,
				  &tail, &tail_len);

	*text = NULL;
	*text_len = 0;
	if (!ret && g.s)
		ret = gather_part(&g, tail, tail_len + 1);	/* with its NUL */
	if (ret) {
		free(g.s);
		free(tail);
		return ret;
	}
	if (!g.s) {
		*text = tail;
		*text_len = tail_len;
		return 0;
	}
	free(tail);
	*text = g.s;
	*text_len = g.len - 1;
	return 0;
}
