// SPDX-License-Identifier: MIT
/*
 * conn.c - masqctl's side of the control socket, and writing its output
 *
 * One connection per run, opened at the first call and reused by the
 * next ones (a connection carries requests one after another, see
 * control/proto.h), so a command that becomes several requests (a host
 * name with several addresses) costs one connect. An answer comes in
 * parts (control/proto.h): conn_call() gathers them for the verbs that
 * work on masqd's text, conn_stream() writes them out as they arrive.
 *
 * Failing to reach masqd, or a reply that is not a reply, is reported
 * here, naming the socket, and is exit status 1; a request the protocol
 * cannot carry (too long, too many words) is status 2, as a usage error.
 *
 * Inside a rules run (`masqctl rules`, rules.c) the environment holds
 * MASQ_TXN, the run's token: every request then goes as `txn do TOKEN
 * WORDS...`, so each verb and each of masqctl's names (iptables,
 * ipchains, ipfwadm, ipmasqadm, ...) edits and lists the run's shadow
 * ruleset without knowing it (docs/control.md, "Rules runs").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "control/proto.h"
#include "masqctl/masqctl.h"

static int connect_to(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Connect on first use; 0, or 1 after the message */
static int conn_open(struct conn *c)
{
	if (c->fd >= 0)
		return 0;
	c->fd = connect_to(c->path);
	if (c->fd >= 0)
		return 0;
	if (errno == EACCES)
		fprintf(stderr, "masqctl: cannot reach masqd at %s: %s (only "
			"root may use it, and the user 'masqctl set "
			"origdst-user' names may ask origdst)\n", c->path,
			strerror(errno));
	else
		fprintf(stderr, "masqctl: cannot reach masqd at %s: %s (is "
			"masqd running?)\n", c->path, strerror(errno));
	return 1;
}

/*
 * The words as sent: @argv itself, or, inside a rules run, `txn do TOKEN`
 * and @argv in a new vector (*@own set: free it). NULL: out of memory.
 */
static char *const *txn_words(int *argc, char *const *argv, char ***own)
{
	const char *token = getenv("MASQ_TXN");
	char **w;

	*own = NULL;
	if (!token || !*token)
		return argv;
	w = calloc((size_t)*argc + 4, sizeof(*w));
	if (!w)
		return NULL;
	w[0] = (char *)"txn";
	w[1] = (char *)"do";
	w[2] = (char *)token;
	memcpy(w + 3, argv, (size_t)*argc * sizeof(*w));
	*argc += 3;
	*own = w;
	return w;
}

/* A call failed with @ret: say so; Return: masqctl's exit status */
static int conn_failed(struct conn *c, int ret)
{
	fprintf(stderr, "masqctl: %s: %s\n", c->path, ctl_strerror(ret));
	conn_close(c);	/* the stream may be out of step now */
	return ret == -E2BIG || ret == -EMSGSIZE || ret == -EINVAL ? 2 : 1;
}

/**
 * conn_call() - Run one command in masqd
 * @c:		connection (opened here on first use)
 * @argc:	number of words
 * @argv:	the words
 * @r:		masqd's whole answer, on success (free with reply_free())
 *
 * Return: 0 with @r filled, or masqctl's exit status (1 masqd not reached
 * or the reply malformed, 2 a request the protocol cannot carry) after a
 * message on stderr
 */
int conn_call(struct conn *c, int argc, char *const *argv, struct reply *r)
{
	char **own;
	int ret;

	*r = (struct reply){ 0 };
	if (conn_open(c))
		return 1;
	argv = txn_words(&argc, argv, &own);
	if (!argv) {
		fprintf(stderr, "masqctl: out of memory\n");
		return 1;
	}
	ret = ctl_call(c->fd, argc, argv, &r->status, &r->text, &r->len);
	free(own);
	return ret ? conn_failed(c, ret) : 0;
}

/**
 * conn_call_line() - Run `VERB WORD...` in masqd, the words a line of
 *		      canonical words (as ipt_cmd_format(), fwadm_format())
 * @c:		connection (opened here on first use)
 * @verb:	the first word ("iptables", "ipfwadm")
 * @line:	the words, split as ipt_split() splits them
 * @r:		masqd's whole answer, on success (free with reply_free())
 *
 * Return: as conn_call(); 1 after a message when @line does not split
 * (the library disagrees with itself: a bug) or memory runs out
 */
int conn_call_line(struct conn *c, const char *verb, const char *line,
		   struct reply *r)
{
	struct ipt_err err = { { 0 } };
	size_t store_len = strlen(line) + 1;
	char **w = calloc(CTL_MAX_ARGC + 1, sizeof(*w));
	char *store = malloc(store_len);
	int n, ret = 1;

	*r = (struct reply){ 0 };
	if (!w || !store) {
		fprintf(stderr, "%s: out of memory\n", verb);
		goto out;
	}
	w[0] = (char *)verb;
	n = ipt_split(line, w + 1, CTL_MAX_ARGC - 1, store, store_len, &err);
	if (n < 0) {
		fprintf(stderr, "%s: cannot split '%s': %s\n", verb, line,
			err.msg);
		goto out;
	}
	ret = conn_call(c, n + 1, w, r);
out:
	free(store);
	free(w);
	return ret;
}

/* Parts go to stdout as they come; the first write error is kept */
static int part_to_stdout(void *ctx, const char *text, size_t len)
{
	int *err = ctx;

	if (fwrite(text, 1, len, stdout) == len)
		return 0;
	*err = errno;
	return -ECANCELED;
}

/**
 * conn_stream_with() - Run one command in masqd, each part of its output
 *			handed to @part as it arrives
 * @c:		connection (opened here on first use)
 * @argc:	number of words
 * @argv:	the words
 * @part:	takes each part; -ECANCELED stops the call, with @werr set
 *		when that was a write error (errno)
 * @ctx:	for @part
 * @werr:	where @part keeps its write error (0: none)
 * @r:		the reply that ends the answer (its status and own text)
 *
 * Return: as conn_call(); 1 also when @part could not write its output
 */
int conn_stream_with(struct conn *c, int argc, char *const *argv,
		     ctl_part_fn part, void *ctx, const int *werr,
		     struct reply *r)
{
	char **own;
	int ret;

	*r = (struct reply){ 0 };
	if (conn_open(c))
		return 1;
	argv = txn_words(&argc, argv, &own);
	if (!argv) {
		fprintf(stderr, "masqctl: out of memory\n");
		return 1;
	}
	ret = ctl_call_stream(c->fd, argc, argv, part, ctx, &r->status,
			      &r->text, &r->len);
	free(own);
	if (!ret)
		return 0;
	if (ret != -ECANCELED || !*werr)
		return conn_failed(c, ret);
	fprintf(stderr, "masqctl: writing output: %s\n", strerror(*werr));
	conn_close(c);
	return 1;
}

/**
 * conn_stream() - Run one command in masqd, its output streamed to stdout
 * @c:		connection (opened here on first use)
 * @argc:	number of words
 * @argv:	the words
 * @r:		the reply that ends the answer (its status and own text)
 *
 * A listing of any size (a full table's conntrack -L is some 50 MB)
 * flows through: each part masqd sends is written out as it arrives, so
 * neither side holds it all (control/proto.h).
 *
 * Return: as conn_call(); 1 also when stdout cannot be written
 */
int conn_stream(struct conn *c, int argc, char *const *argv, struct reply *r)
{
	int err = 0;

	return conn_stream_with(c, argc, argv, part_to_stdout, &err, &err, r);
}

/**
 * conn_close() - Close the connection if it is open
 * @c:		connection
 */
void conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/**
 * reply_free() - Release a reply's text
 * @r:		reply (may be zeroed)
 */
void reply_free(struct reply *r)
{
	free(r->text);
	*r = (struct reply){ 0 };
}

/**
 * out_write() - Write bytes to standard output and flush them
 * @prog:	name for the error message
 * @s:		bytes
 * @len:	how many
 *
 * Return: 0, or 1 after a message when the output cannot be written (a
 * full disk or a closed pipe must not look like success)
 */
int out_write(const char *prog, const char *s, size_t len)
{
	if ((len && fwrite(s, 1, len, stdout) != len) || fflush(stdout) == EOF) {
		fprintf(stderr, "%s: writing output: %s\n", prog, strerror(errno));
		return 1;
	}
	return 0;
}

/**
 * out_text() - Write a built text to standard output
 * @prog:	name for the error message
 * @t:		the text; one whose allocation failed is not written
 *
 * Return: 0, or 1 after a message
 */
int out_text(const char *prog, const struct ipt_text *t)
{
	if (t->oom) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	return out_write(prog, t->s, t->len);
}

/**
 * reply_print() - Print masqd's answer as masqctl prints every answer
 * @r:		the reply
 *
 * The text goes to stdout when the command succeeded and to stderr when
 * it did not, with a newline added when it lacks one.
 *
 * Return: the command's status, or 1 when stdout cannot be written
 */
int reply_print(const struct reply *r)
{
	FILE *f = r->status ? stderr : stdout;

	fwrite(r->text, 1, r->len, f);
	if (r->len && r->text[r->len - 1] != '\n')
		fputc('\n', f);
	if (fflush(stdout) == EOF) {
		fprintf(stderr, "masqctl: writing output: %s\n", strerror(errno));
		return 1;
	}
	return r->status;
}
