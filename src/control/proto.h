/* SPDX-License-Identifier: MIT */
/*
 * proto.h - the control-socket wire protocol between masqctl and masqd
 *
 * masqctl sends its argument vector; masqd runs it and sends back an exit
 * status and text. One request gets one reply; a connection may carry
 * several requests one after another. Every message is a 12-byte header
 * followed by a body, all integers big-endian:
 *
 *	header	u32 magic "MQC1"  u16 version (1)  u16 kind  u32 body length
 *	request	u32 argc, then argc times: u32 length, that many bytes
 *	reply	u32 status (0 success, 1 failure, 2 usage error), then text
 *
 * Limits, each checked before anything is allocated or read past: argc
 * 1..CTL_MAX_ARGC, a word at most CTL_MAX_WORD bytes and free of NUL bytes,
 * a request body at most CTL_MAX_REQUEST, a reply body at most
 * CTL_MAX_REPLY. A word may be as long as a whole request because
 * `iptables-restore` sends an entire ruleset as one word: 64 MiB holds a
 * 100,000-rule iptables-save text (about 10 MB) with room to spare; masqd
 * reads a request incrementally, a bounded amount per loop iteration
 * (masqd/ctlsrv.h), so a large one never stalls packets.
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
#define CTL_VERSION		1
#define CTL_HDR_LEN		12
#define CTL_MAX_ARGC		4096
#define CTL_MAX_WORD		(64u << 20)
#define CTL_MAX_REQUEST		(64u << 20)
#define CTL_MAX_REPLY		(64u << 20)

#define CTL_DEFAULT_SOCKET	"/run/masq/masqd.sock"

enum ctl_kind {
	CTL_KIND_REQUEST = 1,
	CTL_KIND_REPLY = 2,
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

int ctl_hdr_parse(const uint8_t *p, size_t n, enum ctl_kind kind,
		  uint32_t *body_len);
int ctl_request_parse(const uint8_t *body, size_t len, struct ctl_request *req);
void ctl_request_free(struct ctl_request *req);
int ctl_request_encode(int argc, char *const *argv, struct ctl_msg *msg);
int ctl_reply_parse(const uint8_t *body, size_t len, int *status,
		    const char **text, size_t *text_len);
int ctl_reply_encode(int status, const char *text, size_t text_len,
		     struct ctl_msg *msg);
void ctl_msg_free(struct ctl_msg *msg);
const char *ctl_strerror(int err);

int ctl_write_all(int fd, const void *buf, size_t len);
int ctl_read_full(int fd, void *buf, size_t len);
int ctl_call(int fd, int argc, char *const *argv, int *status,
	     char **text, size_t *text_len);

#endif
