/* SPDX-License-Identifier: MIT */
/*
 * ctlsrv.h - masqd's control socket: accept masqctl, read requests, answer
 *
 * A Unix stream socket, mode 0600, in a directory that is root's or
 * masqd's and writable by no one else, reached without following a
 * symbolic link (sockdir.h). Root and masqd's user may run everything;
 * one unprivileged user may be let in to ask `origdst` only (the socket
 * then 0660, his group: ctlperm.h); anyone else is refused. Every client socket is non-blocking and the
 * work per loop iteration is bounded: at most CTLSRV_READ_BUDGET bytes
 * read per client, one command started per client and CTLSRV_RUN_BUDGET
 * in all, CTLSRV_ACCEPT_BUDGET new clients, and one chunk of a listing
 * (CTLSRV_CHUNKS) for all the listings going on. Requests and answers
 * use the wire format of control/proto.h.
 *
 * A command ends in one of three ways (struct ctlsrv_ops):
 *   - at once: its status and text, sent as the client reads them;
 *   - later (CTLSRV_PENDING): a ruleset change built on masqd's worker
 *     thread; the caller answers with ctlsrv_complete(). Until then no
 *     other command starts: requests that complete meanwhile wait, each
 *     on its own client (nothing more is read from it), and run in the
 *     order they completed;
 *   - in pieces (CTLSRV_STREAM): a listing of the connection table; its
 *     next chunk is made only when the client has read the last one
 *     down to CTLSRV_LOW_WATER bytes, so a client holds little memory
 *     however long its answer, and the packet loop runs between chunks.
 *     Other commands start meanwhile as usual.
 *   - as a listener (CTLSRV_LISTEN): a stream that never ends (conntrack
 *     -E); its @more is called once an iteration, whatever the client
 *     read (often it has nothing), outside the chunk budget; the client
 *     is not idle however long nothing comes, and is closed when it
 *     hangs up. A client that does not read stops being fed (the low
 *     water mark): what it misses is the stream's to count.
 *
 * Memory and time per client are bounded, so no client can hold the
 * others out: a request's bytes count against CTLSRV_IN_TOTAL for all
 * clients (beyond CTLSRV_IN_SMALL each; a client that would pass it is
 * not read until memory is free), an answer's framed bytes wait only
 * down to the low-water mark, a client that makes no progress (sends
 * nothing, stalls in a request, reads nothing of its answer) for
 * CTLSRV_IDLE_MS is closed, and with every slot taken a client that has
 * had no command in hand for CTLSRV_EVICT_MS gives its slot to a new one.
 * A client that waits for masqd (its job, its turn) is not idle; one that
 * waits for request memory is (so announcing requests and never sending
 * them holds no one out for longer than CTLSRV_IDLE_MS).
 */
#ifndef MASQD_CTLSRV_H
#define MASQD_CTLSRV_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/un.h>

#include "control/proto.h"
#include "masq/engine.h"
#include "masqd/ctlperm.h"

#define CTLSRV_MAX_CLIENTS	16
#define CTLSRV_READ_BUDGET	(256u * 1024)	/* per client per iteration */
#define CTLSRV_ACCEPT_BUDGET	4
#define CTLSRV_RUN_BUDGET	4	/* commands started per iteration */
#define CTLSRV_CHUNKS		1	/* listing chunks made per iteration */
#define CTLSRV_IDLE_MS		30000	/* no progress this long: closed */
#define CTLSRV_EVICT_MS		1000	/* no command this long, slots full:
					 * closed for a newcomer */
#define CTLSRV_IN_TOTAL		(32u << 20)	/* request bytes, all clients */
#define CTLSRV_IN_SMALL		(64u * 1024)	/* ... not counted per client */
#define CTLSRV_PART		(64u * 1024)	/* text per reply part */
#define CTLSRV_LOW_WATER	(64u * 1024)	/* framed bytes waiting below
						 * which more text is framed */

/* A command's outcome other than an exit status (struct ctlsrv_ops) */
#define CTLSRV_PENDING		(-1)
#define CTLSRV_STREAM		(-2)
#define CTLSRV_LISTEN		(-3)	/* a stream that never ends (conntrack -E) */
/* ops->more(): more chunks follow */
#define CTLSRV_MORE		(-1)

/**
 * struct ctlsrv_ops - what the server calls to run commands
 * @run:	run one command: return its exit status with its text
 *		appended to @out; or CTLSRV_PENDING (@argv then stays valid
 *		until ctlsrv_complete()); or CTLSRV_STREAM with *@stream
 *		set, its text to come from @more
 * @more:	append the next chunk of @stream's text to @out; return
 *		CTLSRV_MORE, or the command's exit status when it is done
 * @drop:	forget @stream: done, or its client gone
 */
struct ctlsrv_ops {
	int (*run)(void *ctx, int argc, char *const *argv,
		   struct masq_text *out, void **stream);
	int (*more)(void *ctx, void *stream, struct masq_text *out);
	void (*drop)(void *ctx, void *stream);
};

/**
 * struct ctl_client - one connection
 * @fd:		socket, -1 when the slot is free
 * @uid:	the peer's uid (SO_PEERCRED), judged per request (ctlperm.h)
 * @in:		bytes of the request being read
 * @in_len:	bytes in @in
 * @in_cap:	size of @in (counted in the server's @in_total)
 * @want:	bytes the current request needs in all (header, then body)
 * @queued:	the request in @in is complete and waits to run; its
 *		arrival number (1, 2, ...), 0 if none
 * @starved:	the request would take more memory than is free: not read
 *		until it is
 * @answering:	an answer is under way (@text, @stream, @out)
 * @done:	the answer's status is known (@status)
 * @status:	the command's exit status
 * @stream:	the listing making the answer's text, or NULL
 * @text:	the answer's text not framed yet begins at @text_off
 * @text_off:	bytes of @text framed already
 * @parts:	reply parts framed so far
 * @replied:	the closing reply is framed
 * @out:	framed bytes (parts, the reply) waiting for the socket
 * @out_len:	bytes in @out
 * @out_off:	bytes of @out written
 * @out_cap:	size of @out
 * @closing:	close once the answer is written (after a protocol error)
 * @listening:	the answer is a listener's (CTLSRV_LISTEN)
 * @fed:	... its @more was called in this iteration
 * @last_ms:	last progress (bytes either way) or wait for masqd
 * @since_ms:	when the client last had no command in hand
 */
struct ctl_client {
	int fd;
	uint32_t uid;
	uint8_t *in;
	size_t in_len;
	size_t in_cap;
	size_t want;
	uint64_t queued;
	bool starved;
	bool answering;
	bool done;
	int status;
	void *stream;
	struct masq_text text;
	size_t text_off;
	uint64_t parts;
	bool replied;
	uint8_t *out;
	size_t out_len;
	size_t out_off;
	size_t out_cap;
	bool closing;
	bool listening, fed;
	uint64_t last_ms;
	uint64_t since_ms;
};

/**
 * struct ctlsrv - the listening socket and its clients
 * @lfd:	listening socket
 * @dirfd:	the socket's directory, held open (sockdir.h)
 * @name:	the socket's name in it (unlinked at close)
 * @path:	the path as given, for messages
 * @ops:	runs commands
 * @ctx:	passed to @ops
 * @cl:		client slots
 * @pfd_base:	index of the listening socket in the caller's pollfd array
 * @pfd_cl:	pollfd index of each client slot, -1 if not polled
 * @pending:	slot of the client whose command is pending, -1 if none
 * @pending_req: that command's words, kept until ctlsrv_complete()
 * @held:	no command starts (ctlsrv_hold(): a reload is built)
 * @arrivals:	arrival numbers given to queued requests so far
 * @now_ms:	the time of this iteration's service
 * @runs_left:	commands that may still start in this iteration
 * @chunks_left: listing chunks that may still be made in this iteration
 * @rr:		the client first offered a chunk, turn by turn
 * @in_total:	bytes of request buffers held for all clients
 * @commands:	commands run
 * @streams:	of which listings answered chunk by chunk
 * @rejected:	connections refused or dropped for a protocol error
 * @too_large:	requests refused for announcing more than CTL_MAX_REQUEST
 * @idle_closed: clients closed after CTLSRV_IDLE_MS without progress
 * @evicted:	clients closed to make room for a new one
 * @starved_reads: times a client was not read for want of request memory
 * @perm:	who may do what (ctlperm.h): the origdst user, refusals
 */
struct ctlsrv {
	int lfd;
	int dirfd;
	char name[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const struct ctlsrv_ops *ops;
	void *ctx;
	struct ctl_client cl[CTLSRV_MAX_CLIENTS];
	int pfd_base;
	int pfd_cl[CTLSRV_MAX_CLIENTS];
	int pending;
	struct ctl_request pending_req;
	bool held;
	uint64_t arrivals;
	uint64_t now_ms;
	int runs_left;
	int chunks_left;
	int rr;
	size_t in_total;
	uint64_t commands;
	uint64_t streams;
	uint64_t rejected;
	uint64_t too_large;
	uint64_t idle_closed;
	uint64_t evicted;
	uint64_t starved_reads;
	struct ctlperm perm;
};

int ctlsrv_open(struct ctlsrv *s, const char *path,
		const struct ctlsrv_ops *ops, void *ctx);
void ctlsrv_close(struct ctlsrv *s);
int ctlsrv_pollfds(struct ctlsrv *s, struct pollfd *pfd, int base,
		   uint64_t now_ms);
bool ctlsrv_busy(const struct ctlsrv *s);
void ctlsrv_service(struct ctlsrv *s, const struct pollfd *pfd,
		    uint64_t now_ms);
void ctlsrv_complete(struct ctlsrv *s, int status, struct masq_text *text);
void ctlsrv_hold(struct ctlsrv *s, bool on);
size_t ctlsrv_memory(const struct ctlsrv *s);

#endif
