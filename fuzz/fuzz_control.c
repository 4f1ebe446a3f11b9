// SPDX-License-Identifier: MIT
/*
 * fuzz_control.c - libFuzzer target for the control protocol and cmdfile
 *
 * The first byte picks a parser; the rest is its input: a whole request
 * message (header then body, as masqd reads it), an answer (reply parts
 * then a reply, as masqctl reads them), or configuration text. A parsed
 * request is encoded again and must parse back to the same words (round
 * trip); so must each answer message's header.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control/cmdfile.h"
#include "control/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void roundtrip(const struct ctl_request *req)
{
	struct ctl_request again;
	struct ctl_msg msg;
	uint32_t blen;

	int ret = ctl_request_encode(req->argc, req->argv, &msg);

	if (ret == -EMSGSIZE)	/* a config line may exceed CTL_MAX_REQUEST */
		return;
	if (ret)
		abort();
	if (ctl_hdr_parse(msg.buf, msg.len, CTL_KIND_REQUEST, &blen) ||
	    blen != msg.len - CTL_HDR_LEN ||
	    ctl_request_parse(msg.buf + CTL_HDR_LEN, blen, &again))
		abort();
	if (again.argc != req->argc)
		abort();
	for (int i = 0; i < req->argc; i++)
		if (strcmp(again.argv[i], req->argv[i]))
			abort();
	if (again.argv[again.argc])
		abort();
	ctl_request_free(&again);
	ctl_msg_free(&msg);
}

static void fuzz_request(const uint8_t *p, size_t n)
{
	struct ctl_request req;
	uint32_t blen;

	if (ctl_hdr_parse(p, n, CTL_KIND_REQUEST, &blen))
		return;
	if (n - CTL_HDR_LEN < blen)
		return;
	if (ctl_request_parse(p + CTL_HDR_LEN, blen, &req))
		return;
	roundtrip(&req);
	ctl_request_free(&req);
}

/* A message of an answer, encoded again: the same header */
static void answer_roundtrip(const uint8_t *hdr, enum ctl_kind kind,
			     uint32_t blen, const uint8_t *body)
{
	uint8_t again[CTL_REPLY_HEAD];
	int ret;

	if (kind == CTL_KIND_PART)
		ret = ctl_part_head(again, blen);
	else
		ret = ctl_reply_head(again, (int)(body[0] << 24 | body[1] << 16 |
					     body[2] << 8 | body[3]), blen - 4);
	if (ret || memcmp(again, hdr, kind == CTL_KIND_PART ? CTL_HDR_LEN :
			  CTL_REPLY_HEAD))
		abort();
}

/* An answer: parts, then the reply that ends it */
static void fuzz_answer(const uint8_t *p, size_t n)
{
	const char *text;
	enum ctl_kind kind;
	size_t tlen;
	uint32_t blen;
	int status;

	while (!ctl_hdr_parse_answer(p, n, &kind, &blen) &&
	       n - CTL_HDR_LEN >= blen) {
		const uint8_t *body = p + CTL_HDR_LEN;

		if (blen > CTL_MAX_PART)
			abort();
		p = body + blen;
		n -= CTL_HDR_LEN + blen;
		if (kind == CTL_KIND_PART) {
			answer_roundtrip(body - CTL_HDR_LEN, kind, blen, body);
			continue;
		}
		if (ctl_reply_parse(body, blen, &status, &text, &tlen))
			return;
		if (status < 0 || status > 255 || text + tlen != (const char *)p)
			abort();
		answer_roundtrip(body - CTL_HDR_LEN, kind, blen, body);
		return;
	}
}

static void fuzz_cmdfile(const uint8_t *p, size_t n)
{
	struct cmdfile cf;

	if (!cmdfile_parse("fuzz", (const char *)p, n, &cf)) {
		for (size_t i = 0; i < cf.n; i++) {
			struct ctl_request req = { .argc = cf.cmds[i].argc,
						   .argv = cf.cmds[i].argv };

			if (cf.cmds[i].argc < 1 || cf.cmds[i].argv[cf.cmds[i].argc])
				abort();
			roundtrip(&req);
		}
	}
	cmdfile_free(&cf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 0:
		fuzz_request(data + 1, size - 1);
		break;
	case 1: {
		struct ctl_request req;

		if (!ctl_request_parse(data + 1, size - 1, &req)) {
			roundtrip(&req);
			ctl_request_free(&req);
		}
		break;
	}
	case 2:
		fuzz_answer(data + 1, size - 1);
		break;
	default:
		fuzz_cmdfile(data + 1, size - 1);
		break;
	}
	return 0;
}
