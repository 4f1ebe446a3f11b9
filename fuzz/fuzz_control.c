// SPDX-License-Identifier: MIT
/*
 * fuzz_control.c - libFuzzer target for the control protocol and cmdfile
 *
 * The first byte picks a parser; the rest is its input: a whole request
 * message (header then body, as masqd reads it), a reply message (as
 * masqctl reads it), or configuration text. A parsed request is encoded
 * again and must parse back to the same words (round trip).
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

static void fuzz_reply(const uint8_t *p, size_t n)
{
	const char *text;
	size_t tlen;
	uint32_t blen;
	int status;

	if (ctl_hdr_parse(p, n, CTL_KIND_REPLY, &blen))
		return;
	if (n - CTL_HDR_LEN < blen)
		return;
	if (ctl_reply_parse(p + CTL_HDR_LEN, blen, &status, &text, &tlen))
		return;
	if (status < 0 || status > 255 || text + tlen != (const char *)p +
	    CTL_HDR_LEN + blen)
		abort();
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
		fuzz_reply(data + 1, size - 1);
		break;
	default:
		fuzz_cmdfile(data + 1, size - 1);
		break;
	}
	return 0;
}
