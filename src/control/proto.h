/* SPDX-License-Identifier: MIT */
/*
 * proto.h - the control-socket wire protocol between masqctl and masqd
 *
 * masqctl sends its argument vector; masqd runs it and sends back text
 * and an exit status. One request gets one answer: any number of reply
 * parts (text only), then one reply (status and the rest of the text).
 * A connection may carry several requests one after another. Every
 * message is a 12-byte header followed by a body, integers big-endian:
 *
 *	header	u32 magic "MQC1"  u16 version (2)  u16 kind  u32 body length
 *	request	(kind 1) u32 argc, then argc times: u32 length, that many bytes
 *	part	(kind 3) text
 *	reply	(kind 2) u32 status (0 success, 1 failure, 2 usage error),
 *		then text
 *
 * The answer's text is the parts' text followed by the reply's, so text
 * of any size flows in pieces and neither side holds all of it (a full
 * table's conntrack -L is some 50 MB); nothing is ever cut silently:
 * text masqd could not make ends the answer with status 1 and a message
 * saying the output is incomplete. masqd sends in parts only text made
 * while the command succeeds, so a client prints parts as they come
 * (standard output) and the reply's text by its status.
 *
 * Version 2 added the parts; a version-1 peer is refused with "unsupported
 * control protocol version" before anything runs.
 *
 * Limits, each checked before anything is allocated or read past: argc
 * 1..CTL_MAX_ARGC, a word at most CTL_MAX_WORD bytes and free of NUL bytes,
 * a request body at most CTL_MAX_REQUEST, a part or reply body at most
 * CTL_MAX_PART. A word may be as long as a whole request because
 * `iptables-restore` sends an entire ruleset as one word: 16 MiB holds a
 * 100,000-rule iptables-save text (about 10 MB) with room to spare, and
 * no more, since masqd holds a request whole before it runs it
 * (masqd/ctlsrv.h bounds the total over all clients too); masqd reads a
 * request incrementally, a bounded amount per loop iteration.
 *
 * Malformed input gives a negative errno, never a crash: the parsers work
 * on memory buffers so the fuzzer (fuzz/fuzz_control.c) can feed them,
 * and they have no dependency on the I/O layer.
 */
#ifndef MASQ_CONTROL_PROTO_H
#define MASQ_CONTROL_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define CTL_MAGIC		0x4d514331u	/* "MQC1" */
#define CTL_VERSION		2
#define CTL_HDR_LEN		12
#define CTL_REPLY_HEAD		(CTL_HDR_LEN + 4)	/* header, status */
#define CTL_MAX_ARGC		4096
#define CTL_MAX_WORD		(16u << 20)
#define CTL_MAX_REQUEST		(16u << 20)
#define CTL_MAX_PART		(1u << 20)	/* a part's or reply's body */

#define CTL_DEFAULT_SOCKET	"/run/masq/masqd.sock"

enum ctl_kind {
	CTL_KIND_REQUEST = 1,
	CTL_KIND_REPLY = 2,
	CTL_KIND_PART = 3,
};

/**
 * struct ctl_request - a parsed request: words, NUL-terminated
 * @argc:	number of words
 * @argv:	@argc pointers into @store, then NULL
 * @store:	the words' bytes (one allocation)
 */
struct ctl_request {
	int argc;
	char **argv;
	char *store;
};

/**
 * struct ctl_msg - an encoded message ready to write
 * @buf:	header and body
 * @len:	bytes in @buf
 */
struct ctl_msg {
	uint8_t *buf;
	size_t len;
};

/*
 * Takes one part's text as it arrives (ctl_call_stream()); a non-zero
 * return stops the call with that value
 */
typedef int (*ctl_part_fn)(void *ctx, const char *text, size_t len);

int ctl_hdr_parse(const uint8_t *p, size_t n, enum ctl_kind kind,
		  uint32_t *body_len);
int ctl_hdr_parse_answer(const uint8_t *p, size_t n, enum ctl_kind *kind,
			 uint32_t *body_len);
int ctl_request_parse(const uint8_t *body, size_t len, struct ctl_request *req);
void ctl_request_free(struct ctl_request *req);
int ctl_request_encode(int argc, char *const *argv, struct ctl_msg *msg);
int ctl_reply_parse(const uint8_t *body, size_t len, int *status,
		    const char **text, size_t *text_len);
int ctl_reply_head(uint8_t head[CTL_REPLY_HEAD], int status, size_t text_len);
int ctl_part_head(uint8_t head[CTL_HDR_LEN], size_t text_len);
int ctl_reply_encode(int status, const char *text, size_t text_len,
		     struct ctl_msg *msg);
void ctl_msg_free(struct ctl_msg *msg);
const char *ctl_strerror(int err);

int ctl_write_all(int fd, const void *buf, size_t len);
int ctl_read_full(int fd, void *buf, size_t len);
int ctl_call_stream(int fd, int argc, char *const *argv, ctl_part_fn part,
		    void *ctx, int *status, char **text, size_t *text_len);
int ctl_call(int fd, int argc, char *const *argv, int *status,
	     char **text, size_t *text_len);

#endif
