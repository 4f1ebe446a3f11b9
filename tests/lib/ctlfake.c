// SPDX-License-Identifier: MIT
/*
 * ctlfake.c - a fake engine behind masqd's control server, and clients in
 * front of it (see ctlfake.h)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "control/proto.h"
#include "ctlfake.h"

struct listing {
	int left;		/* chunks still to make; -1: a listener */
	int made;
};

struct ctlfake_counts ctlfake;

static int fake_run(void *ctx, int argc, char *const *argv,
		    struct masq_text *out, void **stream)
{
	(void)ctx;
	ctlfake.runs_this_step++;
	if (!strcmp(argv[0], "echo")) {
		for (int i = 1; i < argc; i++)
			masq_text_printf(out, "%s%s", i > 1 ? " " : "", argv[i]);
		masq_text_printf(out, "\n");
		return 0;
	}
	if (!strcmp(argv[0], "big") && argc == 2) {
		for (long n = atol(argv[1]); n > 0; n -= 10)
			masq_text_printf(out, "%.*s", n < 10 ? (int)n : 10,
					 "abcdefghi\n");
		return 0;
	}
	if (!strcmp(argv[0], "fail")) {
		masq_text_printf(out, "failed: no such thing\n");
		return 1;
	}
	if (!strcmp(argv[0], "oomtext")) {
		masq_text_printf(out, "first lines\n");
		out->oom = 1;
		return 0;
	}
	if (!strcmp(argv[0], "list") && argc == 2) {
		struct listing *l = calloc(1, sizeof(*l));

		if (!l)
			return 1;
		l->left = atoi(argv[1]);
		*stream = l;
		return CTLSRV_STREAM;
	}
	if (!strcmp(argv[0], "listen")) {	/* conntrack -E's kind */
		struct listing *l = calloc(1, sizeof(*l));

		if (!l)
			return 1;
		l->left = -1;
		*stream = l;
		return CTLSRV_LISTEN;
	}
	if (!strcmp(argv[0], "job"))
		return CTLSRV_PENDING;
	if (!strcmp(argv[0], "origdst")) {
		masq_text_append(out, CTLFAKE_ORIGDST,
				  sizeof(CTLFAKE_ORIGDST) - 1);
		return 0;
	}
	masq_text_printf(out, "unknown command '%s'\n", argv[0]);
	return 2;
}

static int fake_more(void *ctx, void *stream, struct masq_text *out)
{
	struct listing *l = stream;

	(void)ctx;
	if (l->left < 0) {		/* a listener: what happened, if any */
		ctlfake.listen_calls++;
		for (; ctlfake.events > 0; ctlfake.events--)
			masq_text_printf(out, "event\n");
		return CTLSRV_MORE;
	}
	ctlfake.chunks_this_step++;
	for (int i = 0; i < CTLFAKE_LINES; i++)
		masq_text_append(out, CTLFAKE_LINE, sizeof(CTLFAKE_LINE) - 1);
	l->made++;
	return --l->left > 0 ? CTLSRV_MORE : 0;
}

static void fake_drop(void *ctx, void *stream)
{
	(void)ctx;
	ctlfake.dropped++;
	free(stream);
}

const struct ctlsrv_ops ctlfake_ops = {
	.run = fake_run, .more = fake_more, .drop = fake_drop,
};

int ctlfake_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

/* Send a request of the given words (they fit the socket's buffer) */
bool ctlfake_send(int fd, int argc, char *const *argv)
{
	struct ctl_msg m;
	bool ok = !ctl_request_encode(argc, argv, &m) &&
		  write(fd, m.buf, m.len) == (ssize_t)m.len;

	ctl_msg_free(&m);
	return ok;
}

void ctlfake_answer_free(struct ctlfake_answer *a)
{
	free(a->buf);
	free(a->text);
	*a = (struct ctlfake_answer){ .status = -1 };
}

static void text_add(struct ctlfake_answer *a, const void *p, size_t n)
{
	a->text = realloc(a->text, a->text_len + n + 1);
	memcpy(a->text + a->text_len, p, n);
	a->text_len += n;
	a->text[a->text_len] = '\0';
}

void ctlfake_read(int fd, struct ctlfake_answer *a)
{
	for (;;) {
		ssize_t n;

		if (a->cap - a->len < 65536) {
			a->cap = a->cap ? 2 * a->cap : 1 << 20;
			a->buf = realloc(a->buf, a->cap);
		}
		n = read(fd, a->buf + a->len, a->cap - a->len);
		if (n == 0)
			a->eof = true;
		if (n <= 0)
			break;
		a->len += (size_t)n;
	}
	while (a->status < 0) {
		enum ctl_kind kind;
		uint32_t blen;
		const char *t;
		size_t tl;

		int err;

		if (a->len - a->off < CTL_HDR_LEN)
			return;
		err = ctl_hdr_parse_answer(a->buf + a->off, a->len - a->off,
					   &kind, &blen);
		if (err) {
			a->bad = true;
			return;
		}
		if (a->len - a->off - CTL_HDR_LEN < blen)
			return;
		a->off += CTL_HDR_LEN;
		if (kind == CTL_KIND_PART) {
			text_add(a, a->buf + a->off, blen);
			a->parts++;
		} else if (!ctl_reply_parse(a->buf + a->off, blen, &a->status,
					    &t, &tl)) {
			text_add(a, t, tl);
		} else {
			a->bad = true;
			return;
		}
		a->off += blen;
	}
}

