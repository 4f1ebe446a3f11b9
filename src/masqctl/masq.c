// SPDX-License-Identifier: MIT
/*
 * masq.c - masqctl masq: the masquerade table with names in it (-L
 *	    without -n), and -D's host and port resolved
 *
 * masqd prints the table in numbers only (src/engine/masqtab.c,
 * ctlist.c). Here:
 *
 *  - masq -L [-v] without -n is rendered as ipchains -M -L printed it:
 *    the source and destination addresses as host names (reverse
 *    lookups; the number when there is none), the source and destination
 *    ports of TCP and UDP as service names; the masquerade port stays a
 *    number, as ipchains left it. A name longer than its column (20)
 *    pushes the rest of the line right, it is never cut. The listing is
 *    rendered line by line as its parts arrive (struct masq_feed), so a
 *    table of any size flows through in little memory: one partial line
 *    is carried from a part to the next. A line that is not a row (the
 *    headings, anything unexpected) is copied as it came;
 *  - masq -L -n and masq -L --raw (the kernel's own file, numbers only)
 *    are printed as masqd sent them;
 *  - masq -D PROTO HOST PORT: a HOST that is not a dotted quad is looked
 *    up (its first address, as gethostbyname() gave the old tools), a
 *    PORT that is not a number is a service of PROTO (tcp or udp). A
 *    name that does not resolve is refused here, status 2, and nothing
 *    is sent. Every other word is masqd's to judge.
 *
 * Cost: one lookup per distinct address or port (names.c keeps them).
 */
#include <arpa/inet.h>
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "masqctl/masqctl.h"

#define MASQ_FIELDS	12	/* a row has 8 words, 11 with -v */
#define MASQ_NAME	256

/* Digits only (a port); digits and dots (an address): masqd's to judge */
static bool is_numeric(const char *w, bool dots)
{
	if (!*w)
		return false;
	for (; *w; w++)
		if (!isdigit((unsigned char)*w) && !(dots && *w == '.'))
			return false;
	return true;
}

/* tcp or udp, as /etc/services spells them, or NULL */
static const char *service_proto(const char *w)
{
	if (!strcasecmp(w, "tcp"))
		return "tcp";
	if (!strcasecmp(w, "udp"))
		return "udp";
	return NULL;
}

/* ---- -D: names in ------------------------------------------------------ */

/**
 * masq_resolve() - masq -D PROTO HOST PORT with HOST and PORT numeric
 * @argv:	the five words (masq -D PROTO HOST PORT)
 * @res:	lookups
 * @out:	the words to send: @argv's, HOST and PORT maybe @addr, @port
 * @addr:	room for HOST's dotted quad
 * @port:	room for PORT's number
 * @err:	why, on failure
 *
 * Return: 0, or 2 (a name that does not resolve; @err says which)
 */
int masq_resolve(char *const *argv, const struct ipt_resolver *res,
		 const char *out[5], char addr[ADM_NUM_LEN],
		 char port[ADM_NUM_LEN], struct ipt_err *err)
{
	const char *proto = service_proto(argv[2]);
	struct in_addr in;
	uint32_t a;
	uint16_t p;

	for (int i = 0; i < 5; i++)
		out[i] = argv[i];
	if (!is_numeric(argv[3], true)) {
		if (!res || !res->host || res->host(argv[3], &a, 1) < 1) {
			snprintf(err->msg, sizeof(err->msg),
				 "masq: host `%s' not found", argv[3]);
			return 2;
		}
		in.s_addr = htonl(a);
		inet_ntop(AF_INET, &in, addr, ADM_NUM_LEN);
		out[3] = addr;
	}
	if (is_numeric(argv[4], false))
		return 0;
	if (!proto) {
		snprintf(err->msg, sizeof(err->msg),
			 "masq: service `%s' needs the protocol tcp or udp",
			 argv[4]);
		return 2;
	}
	if (!res || !res->service || res->service(argv[4], proto, &p) || !p) {
		snprintf(err->msg, sizeof(err->msg),
			 "masq: unknown service `%s' for %s", argv[4], proto);
		return 2;
	}
	snprintf(port, ADM_NUM_LEN, "%u", p);
	out[4] = port;
	return 0;
}

/* ---- -L: names out ----------------------------------------------------- */

/* "(N)": the masquerade port as ipchains wrote it */
static bool is_mport(const char *w)
{
	size_t n = strlen(w);
	char num[8];

	if (n < 3 || n > 7 || w[0] != '(' || w[n - 1] != ')')
		return false;
	memcpy(num, w + 1, n - 2);
	num[n - 2] = '\0';
	return is_numeric(num, false);
}

/* Split @line at blanks into @f; Return: the count, or -1 when too many */
static int fields(char *line, char **f, int max)
{
	char *save = NULL;
	int n = 0;

	for (char *w = strtok_r(line, " \t", &save); w;
	     w = strtok_r(NULL, " \t", &save)) {
		if (n == max)
			return -1;
		f[n++] = w;
	}
	return n;
}

/*
 * One row: prot expire [initseq delta prevd] source destination sport
 * (mport) -> dport. Return: false when the words are no row
 */
static bool masq_row(const struct ipt_resolver *res, char **f, int n,
		     struct ipt_text *out)
{
	char sa[MASQ_NAME], da[MASQ_NAME], sp[MASQ_NAME], dp[MASQ_NAME];
	struct in_addr in;
	const char *proto;
	int k = n == 11 ? 3 : 0;	/* -v's three columns */

	if (n != 8 && n != 11)
		return false;
	if (inet_pton(AF_INET, f[2 + k], &in) != 1 ||
	    inet_pton(AF_INET, f[3 + k], &in) != 1 ||
	    !is_numeric(f[4 + k], false) || !is_mport(f[5 + k]) ||
	    strcmp(f[6 + k], "->") || !is_numeric(f[7 + k], false))
		return false;
	proto = service_proto(f[0]);
	ipt_text_printf(out, "%-5s%s ", f[0], f[1]);
	if (k)
		ipt_text_printf(out, "%10s %5s %5s ", f[2], f[3], f[4]);
	ipt_text_printf(out, "%-20s %-20s %s %s -> %s\n",
			names_host_out(res, f[2 + k], sa, sizeof(sa)),
			names_host_out(res, f[3 + k], da, sizeof(da)),
			names_port_out(res, f[4 + k], proto, sp, sizeof(sp)),
			f[5 + k],
			names_port_out(res, f[7 + k], proto, dp, sizeof(dp)));
	return true;
}

/**
 * masq_render() - masqd's masq -L lines with names in place of numbers
 * @text:	whole lines (the last may lack its newline)
 * @len:	bytes of @text
 * @res:	lookups
 * @out:	the lines to print (each ends with a newline)
 *
 * O(lines) reverse lookups, each asked once per run.
 */
void masq_render(const char *text, size_t len, const struct ipt_resolver *res,
		 struct ipt_text *out)
{
	const char *p = text, *end = text + len;

	while (p < end && !out->oom) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = strndup(p, n), *f[MASQ_FIELDS];

		if (!line) {
			out->oom = true;
			return;
		}
		if (!masq_row(res, f, fields(line, f, MASQ_FIELDS), out))
			ipt_text_printf(out, "%.*s\n", (int)n, p);
		free(line);
		p += n + (nl != NULL);
	}
}

/* Write @len bytes as they are; 0, or -ECANCELED */
static int feed_raw(struct masq_feed *f, const char *s, size_t len)
{
	if (len && fwrite(s, 1, len, f->to) != len) {
		f->err = errno ? errno : EIO;
		return -ECANCELED;
	}
	return 0;
}

/* Render and write the whole lines at the head of the carry */
static int feed_lines(struct masq_feed *f)
{
	const char *nl = memrchr(f->carry, '\n', f->n);
	size_t whole = nl ? (size_t)(nl - f->carry) + 1 : 0;
	struct ipt_text t = { 0 };
	int ret;

	if (!whole)
		return 0;
	masq_render(f->carry, whole, f->res, &t);
	if (t.oom) {
		f->err = ENOMEM;
		ret = -ECANCELED;
	} else {
		ret = feed_raw(f, t.s, t.len);
	}
	ipt_text_free(&t);
	memmove(f->carry, f->carry + whole, f->n - whole);
	f->n -= whole;
	return ret;
}

/**
 * masq_feed_part() - Take one part of a listing as it arrives
 * @ctx:	struct masq_feed
 * @text:	the part's bytes (a line may run on into the next part)
 * @len:	how many
 *
 * The whole lines are rendered and written; the rest is carried to the
 * next part. A line that fills the carry (MASQ_FEED_CARRY bytes) is no
 * row: it is written as it comes, so the carry stays bounded whatever
 * masqd sends.
 *
 * Return: 0, or -ECANCELED when the output cannot be written (@ctx's
 * err says why)
 */
int masq_feed_part(void *ctx, const char *text, size_t len)
{
	struct masq_feed *f = ctx;

	while (len) {
		const char *nl;
		size_t take;

		if (f->overlong) {		/* the rest of a long line */
			nl = memchr(text, '\n', len);
			take = nl ? (size_t)(nl - text) + 1 : len;
			if (feed_raw(f, text, take))
				return -ECANCELED;
			f->overlong = !nl;
		} else {
			/* as many whole lines at once as the carry holds */
			nl = memrchr(text, '\n', len);
			take = nl ? (size_t)(nl - text) + 1 : len;
			if (take > MASQ_FEED_CARRY - f->n)
				take = MASQ_FEED_CARRY - f->n;
			memcpy(f->carry + f->n, text, take);
			f->n += take;
			if (feed_lines(f))
				return -ECANCELED;
			if (f->n == MASQ_FEED_CARRY) {
				if (feed_raw(f, f->carry, f->n))
					return -ECANCELED;
				f->n = 0;
				f->overlong = true;
			}
		}
		text += take;
		len -= take;
	}
	return 0;
}

/**
 * masq_feed_end() - The listing ended: its last line, and a flush
 * @f:		the feed
 *
 * Return: 0, or 1 after a message when the output cannot be written
 */
int masq_feed_end(struct masq_feed *f)
{
	/* masq_feed_part() never leaves the carry full */
	assert(f->n < MASQ_FEED_CARRY);
	if (f->n)
		f->carry[f->n++] = '\n';	/* a last line, ended */
	if (feed_lines(f))
		goto fail;
	if (fflush(f->to) == EOF) {
		f->err = errno;
		goto fail;
	}
	return 0;
fail:
	fprintf(stderr, "masqctl: writing output: %s\n", strerror(f->err));
	return 1;
}

/* ---- the verb ---------------------------------------------------------- */

/**
 * masq_for_2x() - The 2.x tools' -M (ipchains -M -L|-S, ipfwadm -M -l|-s)
 *		   as masq -L [-n] [-v] or masq -S TCP TCPFIN UDP
 * @c:		connection to masqd
 * @timeouts:	-S's three seconds (0 keeps one), or NULL for the listing
 * @numeric:	-L -n
 * @verbose:	-L -v (the sequence columns)
 *
 * Return: as masq_main()
 */
int masq_for_2x(struct conn *c, const uint32_t *timeouts, bool numeric,
		bool verbose)
{
	char t[3][16], *w[6] = { "masq" };
	int n = 1;

	if (timeouts) {
		w[n++] = "-S";
		for (int i = 0; i < 3; i++) {
			snprintf(t[i], sizeof(t[i]), "%u", timeouts[i]);
			w[n++] = t[i];
		}
	} else {
		w[n++] = "-L";
		if (numeric)
			w[n++] = "-n";
		if (verbose)
			w[n++] = "-v";
	}
	w[n] = NULL;
	return masq_main(c, n, w);
}

/* Words masqd gets as they are; its answer printed as it comes */
static int send_as_is(struct conn *c, int argc, char *const *argv)
{
	struct reply r;
	int ret = conn_stream(c, argc, argv, &r);

	if (ret)
		return ret;
	ret = reply_print(&r);
	reply_free(&r);
	return ret;
}

/* masq -L [-v] (no -n, no --raw): rendered as it streams */
static int list_with_names(struct conn *c, int argc, char *const *argv)
{
	struct masq_feed *f = calloc(1, sizeof(*f));
	struct reply r;
	int ret;

	if (!f) {
		fprintf(stderr, "masqctl: out of memory\n");
		return 1;
	}
	f->res = &names_resolver;
	f->to = stdout;
	ret = conn_stream_with(c, argc, argv, masq_feed_part, f, &f->err, &r);
	if (ret)
		goto out;
	if (r.status) {		/* what came before, as it is; then why */
		fwrite(f->carry, 1, f->n, stdout);
		ret = reply_print(&r);
	} else if (masq_feed_part(f, r.text, r.len)) {
		fprintf(stderr, "masqctl: writing output: %s\n",
			strerror(f->err));
		ret = 1;
	} else {
		ret = masq_feed_end(f);
	}
	reply_free(&r);
out:
	free(f);
	return ret;
}

/* -L with only -v besides: a listing to render */
static bool wants_names(int argc, char *const *argv)
{
	for (int i = 2; i < argc; i++)
		if (strcmp(argv[i], "-v"))
			return false;	/* -n, --raw, or a word masqd refuses */
	return true;
}

/**
 * masq_main() - masqctl masq ...
 * @c:		connection to masqd
 * @argc:	words, from the verb
 * @argv:	argv[0] is "masq"
 *
 * Return: the exit status: masqd's (0; 1 no such entry; 2 a usage error),
 * 2 for a name that does not resolve, 1 when masqd cannot be reached
 */
int masq_main(struct conn *c, int argc, char **argv)
{
	char addr[ADM_NUM_LEN], port[ADM_NUM_LEN];
	struct ipt_err err = { { 0 } };
	const char *out[5];

	if (argc >= 2 && !strcmp(argv[1], "-L") && wants_names(argc, argv))
		return list_with_names(c, argc, argv);
	if (argc != 5 || strcmp(argv[1], "-D"))
		return send_as_is(c, argc, argv);
	if (masq_resolve(argv, &names_resolver, out, addr, port, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 2;
	}
	return send_as_is(c, argc, (char *const *)out);
}
