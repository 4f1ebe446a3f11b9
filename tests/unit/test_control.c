// SPDX-License-Identifier: MIT
/*
 * test_control.c - the control protocol and the configuration file splitter
 *
 * Each case builds bytes by hand (or a file text), runs the parser and
 * checks the verdict: good messages round-trip, every malformed one gives
 * its own error code, and configuration errors name their line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "control/cmdfile.h"
#include "control/proto.h"
#include "../lib/report.h"

static size_t put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
	return 4;
}

/* A request body with the given words (lengths taken from strlen) */
static size_t body_of(uint8_t *b, int argc, const char *const *w)
{
	size_t o = put32(b, (uint32_t)argc);

	for (int i = 0; i < argc; i++) {
		size_t l = strlen(w[i]);

		o += put32(b + o, (uint32_t)l);
		memcpy(b + o, w[i], l);
		o += l;
	}
	return o;
}

static void test_roundtrip(void)
{
	char *argv[] = { "masq", "-L", "-n", "", "a b\tc", NULL };
	struct ctl_request req;
	struct ctl_msg msg;
	uint32_t blen;
	int ret, ok = 1;

	ret = ctl_request_encode(5, argv, &msg);
	if (!ret)
		ret = ctl_hdr_parse(msg.buf, msg.len, CTL_KIND_REQUEST, &blen);
	if (!ret)
		ret = ctl_request_parse(msg.buf + CTL_HDR_LEN, blen, &req);
	if (ret) {
		report_checkf("request_roundtrip", 0, "%s", ctl_strerror(ret));
		ctl_msg_free(&msg);
		return;
	}
	ok = req.argc == 5 && !req.argv[5];
	for (int i = 0; ok && i < 5; i++)
		ok = !strcmp(req.argv[i], argv[i]);
	report_checkf("request_roundtrip", ok, "words differ");
	ctl_request_free(&req);
	ctl_msg_free(&msg);
}

static void test_hdr_errors(void)
{
	uint8_t h[CTL_HDR_LEN] = { 'M', 'Q', 'C', '1', 0, CTL_VERSION, 0, 1,
				   0, 0, 0, 4 };
	uint32_t blen;

	report_checkf("hdr_good", !ctl_hdr_parse(h, sizeof(h), CTL_KIND_REQUEST, &blen)
		      && blen == 4, "good header refused");
	report_checkf("hdr_short", ctl_hdr_parse(h, 11, CTL_KIND_REQUEST, &blen) ==
		      -EAGAIN, "short header not -EAGAIN");
	report_checkf("hdr_wrong_kind", ctl_hdr_parse(h, sizeof(h), CTL_KIND_REPLY,
		      &blen) == -EBADMSG, "reply kind accepted as request");
	put32(h + 8, CTL_MAX_REQUEST + 1);
	report_checkf("hdr_request_too_long", ctl_hdr_parse(h, sizeof(h),
		      CTL_KIND_REQUEST, &blen) == -EMSGSIZE, "oversize body accepted");
	h[5] = 1;
	report_checkf("hdr_old_version", ctl_hdr_parse(h, sizeof(h), CTL_KIND_REQUEST,
		      &blen) == -EPROTONOSUPPORT, "version 1 (no parts) accepted");
	h[5] = CTL_VERSION + 1;
	report_checkf("hdr_bad_version", ctl_hdr_parse(h, sizeof(h), CTL_KIND_REQUEST,
		      &blen) == -EPROTONOSUPPORT, "a later version accepted");
	h[0] = 'X';
	report_checkf("hdr_bad_magic", ctl_hdr_parse(h, sizeof(h), CTL_KIND_REQUEST,
		      &blen) == -EPROTO, "bad magic accepted");
}

static void expect_parse(const char *name, const uint8_t *b, size_t n, int want)
{
	struct ctl_request req;
	int ret = ctl_request_parse(b, n, &req);

	if (!ret)
		ctl_request_free(&req);
	report_checkf(name, ret == want, "got %d (%s), want %d", ret,
		      ret ? ctl_strerror(ret) : "ok", want);
}

static void test_body_errors(void)
{
	static uint8_t b[CTL_MAX_WORD + 64];
	const char *w[] = { "stats", "x" };
	size_t n;

	n = body_of(b, 2, w);
	expect_parse("body_good", b, n, 0);
	expect_parse("body_truncated_word", b, n - 1, -EBADMSG);
	b[n] = 'z';
	expect_parse("body_trailing_byte", b, n + 1, -EBADMSG);
	expect_parse("body_no_argc", b, 3, -EBADMSG);
	put32(b, 0);
	expect_parse("body_argc_zero", b, 4, -EINVAL);
	put32(b, CTL_MAX_ARGC + 1);
	expect_parse("body_argc_too_big", b, n, -E2BIG);
	put32(b, 0xffffffffu);
	expect_parse("body_argc_huge", b, n, -E2BIG);
	put32(b, 1);
	put32(b + 4, 0xfffffff0u);
	expect_parse("body_word_len_huge", b, 16, -EMSGSIZE);
	put32(b + 4, 100);
	expect_parse("body_word_len_past_end", b, 16, -EBADMSG);
	put32(b + 4, CTL_MAX_WORD + 1);	/* refused before the end is checked */
	expect_parse("body_word_too_long", b, 16, -EMSGSIZE);
	/* the longest word a request holds: the body less argc and a length */
	put32(b + 4, CTL_MAX_REQUEST - 8);
	memset(b + 8, 'a', CTL_MAX_REQUEST - 8);
	expect_parse("body_word_max_ok", b, CTL_MAX_REQUEST, 0);
	put32(b + 4, 3);
	memcpy(b + 8, "a\0b", 3);
	expect_parse("body_nul_in_word", b, 11, -EINVAL);
	expect_parse("body_too_long", b, CTL_MAX_REQUEST + 1, -EMSGSIZE);
}

static void test_encode_limits(void)
{
	static char *argv[CTL_MAX_ARGC + 1];
	static char big[CTL_MAX_WORD + 2];
	struct ctl_msg msg;

	for (int i = 0; i <= CTL_MAX_ARGC; i++)
		argv[i] = "x";
	report_checkf("encode_argc_limit", ctl_request_encode(CTL_MAX_ARGC + 1, argv,
		      &msg) == -E2BIG, "4097 words encoded");
	memset(big, 'b', CTL_MAX_WORD + 1);
	argv[0] = big;
	report_checkf("encode_word_limit", ctl_request_encode(1, argv, &msg) ==
		      -EMSGSIZE, "oversize word encoded");
	big[CTL_MAX_WORD] = '\0';
	for (int i = 0; i < 2; i++)
		argv[i] = big;
	report_checkf("encode_total_limit", ctl_request_encode(2, argv, &msg) ==
		      -EMSGSIZE, "two maximal words encoded in one request");
	report_checkf("encode_no_words", ctl_request_encode(0, argv, &msg) == -EINVAL,
		      "empty request encoded");
}

static void test_reply(void)
{
	struct ctl_msg msg;
	const char *t;
	uint32_t blen;
	size_t tl;
	int st, ret;

	ret = ctl_reply_encode(2, "usage\n", 6, &msg);
	if (!ret)
		ret = ctl_hdr_parse(msg.buf, msg.len, CTL_KIND_REPLY, &blen);
	if (!ret)
		ret = ctl_reply_parse(msg.buf + CTL_HDR_LEN, blen, &st, &t, &tl);
	report_checkf("reply_roundtrip", !ret && st == 2 && tl == 6 &&
		      !memcmp(t, "usage\n", 6), "ret %d", ret);
	ctl_msg_free(&msg);
	report_checkf("reply_bad_status", ctl_reply_encode(256, "", 0, &msg) == -EINVAL,
		      "status 256 encoded");
	{
		uint8_t b[4] = { 0, 0, 1, 0 };

		report_checkf("reply_parse_bad_status",
			      ctl_reply_parse(b, 4, &st, &t, &tl) == -EBADMSG,
			      "status 256 parsed");
		report_checkf("reply_parse_short",
			      ctl_reply_parse(b, 3, &st, &t, &tl) == -EBADMSG,
			      "3-byte reply parsed");
	}
}

/* Parts: their header, the answer kinds, the limit; a reply never cut */
static void test_parts(void)
{
	static char big[CTL_MAX_PART + 1];
	uint8_t head[CTL_REPLY_HEAD];
	enum ctl_kind kind;
	struct ctl_msg msg;
	uint32_t blen;

	report_checkf("part_head", !ctl_part_head(head, 5) &&
		      !ctl_hdr_parse_answer(head, CTL_HDR_LEN, &kind, &blen) &&
		      kind == CTL_KIND_PART && blen == 5, "part header not read back");
	report_checkf("part_max_len", !ctl_part_head(head, CTL_MAX_PART) &&
		      ctl_part_head(head, CTL_MAX_PART + 1) == -EFBIG,
		      "the part limit is not CTL_MAX_PART");
	put32(head + 8, CTL_MAX_PART + 1);
	report_checkf("part_too_long_parsed", ctl_hdr_parse_answer(head, CTL_HDR_LEN,
		      &kind, &blen) == -EFBIG, "an oversize part accepted");
	report_checkf("reply_head", !ctl_reply_head(head, 1, 3) &&
		      !ctl_hdr_parse_answer(head, CTL_HDR_LEN, &kind, &blen) &&
		      kind == CTL_KIND_REPLY && blen == 7 && head[15] == 1,
		      "reply header not read back");
	head[7] = CTL_KIND_REQUEST;
	report_checkf("answer_not_request", ctl_hdr_parse_answer(head, CTL_HDR_LEN,
		      &kind, &blen) == -EBADMSG, "a request taken as an answer");
	memset(big, 'x', sizeof(big));
	report_checkf("reply_never_cut", ctl_reply_encode(0, big, CTL_MAX_PART - 3,
		      &msg) == -EFBIG && !msg.buf, "an oversize reply was encoded");
	report_checkf("reply_max_len", !ctl_reply_encode(0, big, CTL_MAX_PART - 4,
		      &msg) && msg.len == CTL_REPLY_HEAD + CTL_MAX_PART - 4,
		      "the longest reply was refused");
	ctl_msg_free(&msg);
}

/* What a peer sends: @n parts of text, then a reply with @tail */
static void peer_answer(int fd, const char *const *part, int n, int status,
			const char *tail)
{
	struct ctl_msg rep;
	uint8_t head[CTL_HDR_LEN];

	for (int i = 0; i < n; i++) {
		ctl_part_head(head, strlen(part[i]));
		ctl_write_all(fd, head, sizeof(head));
		ctl_write_all(fd, part[i], strlen(part[i]));
	}
	ctl_reply_encode(status, tail, strlen(tail), &rep);
	ctl_write_all(fd, rep.buf, rep.len);
	ctl_msg_free(&rep);
}

static int count_part(void *ctx, const char *text, size_t len)
{
	char *seen = ctx;

	strncat(seen, text, len);
	strcat(seen, "|");
	return 0;
}

/* An answer in parts: streamed in order, or gathered whole */
static void test_call_parts(void)
{
	static const char *const parts[] = { "line 1\n", "", "line 2\nline" };
	char *argv[] = { "conntrack", "-L", NULL }, seen[128] = "", *text;
	size_t tl;
	int sv[2], st, ret;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		report_checkf("call_parts_socketpair", 0, "%s", strerror(errno));
		return;
	}
	peer_answer(sv[1], parts, 3, 0, " 3\n");
	ret = ctl_call_stream(sv[0], 2, argv, count_part, seen, &st, &text, &tl);
	report_checkf("call_stream_parts", !ret && st == 0 &&
		      !strcmp(seen, "line 1\n||line 2\nline|") && tl == 3 &&
		      !strcmp(text, " 3\n"), "ret %d seen '%s'", ret, seen);
	free(text);
	peer_answer(sv[1], parts, 3, 1, "incomplete\n");
	ret = ctl_call(sv[0], 2, argv, &st, &text, &tl);
	report_checkf("call_gathers_parts", !ret && st == 1 &&
		      tl == strlen("line 1\nline 2\nlineincomplete\n") &&
		      !strcmp(text, "line 1\nline 2\nlineincomplete\n"),
		      "ret %d text '%s'", ret, text ? text : "");
	free(text);
	close(sv[1]);
	close(sv[0]);
}

/* ctl_call against a peer whose reply is already waiting in the socket */
static void test_call(void)
{
	char *argv[] = { "stats", NULL };
	uint8_t buf[256];
	struct ctl_request req;
	struct ctl_msg rep;
	char *text;
	size_t tl;
	uint32_t blen;
	int sv[2], st, ret;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		report_checkf("call_socketpair", 0, "socketpair: %s", strerror(errno));
		return;
	}
	ctl_reply_encode(0, "rx_frames 1\n", 12, &rep);
	ctl_write_all(sv[1], rep.buf, rep.len);
	ctl_msg_free(&rep);
	ret = ctl_call(sv[0], 1, argv, &st, &text, &tl);
	report_checkf("call_reply", !ret && st == 0 && tl == 12 &&
		      !strcmp(text, "rx_frames 1\n"), "ret %d", ret);
	free(text);
	ret = ctl_read_full(sv[1], buf, CTL_HDR_LEN);
	if (!ret)
		ret = ctl_hdr_parse(buf, CTL_HDR_LEN, CTL_KIND_REQUEST, &blen);
	if (!ret && blen <= sizeof(buf))
		ret = ctl_read_full(sv[1], buf, blen);
	if (!ret)
		ret = ctl_request_parse(buf, blen, &req);
	report_checkf("call_request", !ret && req.argc == 1 &&
		      !strcmp(req.argv[0], "stats"), "ret %d", ret);
	if (!ret)
		ctl_request_free(&req);
	close(sv[1]);
	ret = ctl_call(sv[0], 1, argv, &st, &text, &tl);
	report_checkf("call_peer_closed", ret < 0, "no error from a closed peer");
	free(text);
	close(sv[0]);
}

static void test_cmdfile(void)
{
	static const char good[] =
		"# comment\n"
		"\n"
		"iface add lan0 mac 02:00:00:00:00:01 role internal\r\n"
		"   addr add 192.168.0.1/24 dev lan0   # trailing\n"
		"iptables -A FORWARD -m comment --comment \"a \\\"b\\\" c\" -j ACCEPT\n"
		"x\"y z\"w \"\"\n"
		"last";
	struct cmdfile cf;
	int ret, ok;

	ret = cmdfile_parse("t.conf", good, sizeof(good) - 1, &cf);
	ok = !ret && cf.n == 5 && cf.cmds[0].line == 3 && cf.cmds[0].argc == 7 &&
	     !strcmp(cf.cmds[0].argv[6], "internal") && !cf.cmds[0].argv[7] &&
	     cf.cmds[1].line == 4 && cf.cmds[1].argc == 5 &&
	     cf.cmds[2].argc == 9 && !strcmp(cf.cmds[2].argv[6], "a \"b\" c") &&
	     cf.cmds[3].argc == 2 && !strcmp(cf.cmds[3].argv[0], "xy zw") &&
	     !strcmp(cf.cmds[3].argv[1], "") &&
	     cf.cmds[4].line == 7 && !strcmp(cf.cmds[4].argv[0], "last");
	report_checkf("cmdfile_good", ok, "ret %d n %zu", ret, cf.n);
	cmdfile_free(&cf);

	ret = cmdfile_parse("t.conf", "ok\nbad \"quote\nfine\n\"x\n", 21, &cf);
	ok = ret == -EINVAL && cf.nerrors == 2 && cf.n == 0 && cf.errors &&
	     strstr(cf.errors, "t.conf:2: unterminated double quote") &&
	     strstr(cf.errors, "t.conf:4: ");
	report_checkf("cmdfile_errors_name_lines", ok, "ret %d errors '%s'", ret,
		      cf.errors ? cf.errors : "");
	cmdfile_free(&cf);

	ret = cmdfile_parse("t.conf", "a\0b\n", 4, &cf);
	report_checkf("cmdfile_nul_byte", ret == -EINVAL && cf.errors &&
		      strstr(cf.errors, "t.conf:1: NUL"), "ret %d", ret);
	cmdfile_free(&cf);

	ret = cmdfile_parse("t.conf", "", 0, &cf);
	report_checkf("cmdfile_empty", !ret && cf.n == 0, "ret %d", ret);
	cmdfile_free(&cf);

	ret = cmdfile_load("/nonexistent/masq.conf", &cf);
	report_checkf("cmdfile_missing", ret == -ENOENT && cf.errors &&
		      strstr(cf.errors, "No such file"), "ret %d", ret);
	cmdfile_free(&cf);
}

static void test_cmdfile_limits(void)
{
	size_t n = 4097 * 2;
	char *t = malloc(n + 1);
	struct cmdfile cf;
	int ret;

	if (!t)
		return;
	for (size_t i = 0; i < n; i += 2) {
		t[i] = 'w';
		t[i + 1] = ' ';
	}
	ret = cmdfile_parse("t.conf", t, n, &cf);
	report_checkf("cmdfile_too_many_words", ret == -EINVAL && cf.errors &&
		      strstr(cf.errors, "4096 words"), "ret %d", ret);
	cmdfile_free(&cf);
	free(t);
}

int main(void)
{
	test_roundtrip();
	test_hdr_errors();
	test_body_errors();
	test_encode_limits();
	test_reply();
	test_parts();
	test_call();
	test_call_parts();
	test_cmdfile();
	test_cmdfile_limits();
	return 0;
}
