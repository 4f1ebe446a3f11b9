/* SPDX-License-Identifier: MIT */
/*
 * ctlsrv.h - masqd's control socket: accept masqctl, read requests, reply
 *
 * A Unix stream socket, mode 0600, in a directory created if missing. Every
 * client socket is non-blocking and the work per loop iteration is bounded:
 * at most CTLSRV_READ_BUDGET bytes read and one command run per client, and
 * at most CTLSRV_ACCEPT_BUDGET new clients. Requests and replies use the
 * wire format in control/proto.h.
 *
 * A command may go on after the handler returns (a ruleset change built on
 * masqd's worker thread): the handler returns CTLSRV_PENDING and the
 * caller gives the reply later with ctlsrv_complete(). Until then no other
 * command runs: requests that complete meanwhile wait, each on its own
 * client (nothing more is read from it), and run in the order they
 * completed once the reply is given, at most one per client per iteration
 * as always. Clients still sending are read as usual.
 */
#ifndef MASQD_CTLSRV_H
#define MASQD_CTLSRV_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/un.h>

#include "control/proto.h"
#include "masq/engine.h"

#define CTLSRV_MAX_CLIENTS	16
#define CTLSRV_READ_BUDGET	(256u * 1024)
#define CTLSRV_ACCEPT_BUDGET	4

/* Returned by a handler whose command goes on: see ctlsrv_complete() */
#define CTLSRV_PENDING		(-1)

/*
 * Runs one command: returns its exit status, text appended to @out; or
 * CTLSRV_PENDING (@out unused), and then @argv stays valid until
 * ctlsrv_complete()
 */
typedef int (*ctlsrv_handler)(void *ctx, int argc, char *const *argv,
			      struct masq_text *out);

/**
 * struct ctl_client - one connection
 * @fd:		socket, -1 when the slot is free
 * @in:		bytes of the request being read
 * @in_len:	bytes in @in
 * @in_cap:	size of @in
 * @want:	bytes the current request needs in all (header, then body)
 * @out:	reply being written
 * @out_off:	bytes of @out already written
 * @closing:	close once @out is written (after a protocol error)
 * @queued:	the request in @in is complete and waits for the pending
 *		command's reply; its arrival number (1, 2, ...), 0 if none
 */
struct ctl_client {
	int fd;
	uint8_t *in;
	size_t in_len;
	size_t in_cap;
	size_t want;
	struct ctl_msg out;
	size_t out_off;
	int closing;
	uint64_t queued;
};

/**
 * struct ctlsrv - the listening socket and its clients
 * @lfd:	listening socket
 * @path:	its path (unlinked at close)
 * @cl:		client slots
 * @pfd_base:	index of the listening socket in the caller's pollfd array
 * @pfd_cl:	pollfd index of each client slot, -1 if not polled
 * @pending:	slot of the client whose command is pending, -1 if none
 * @pending_req: that command's words, kept until ctlsrv_complete()
 * @arrivals:	arrival numbers given to queued requests so far
 * @commands:	commands run
 * @rejected:	connections refused or dropped for a protocol error
 */
struct ctlsrv {
	int lfd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct ctl_client cl[CTLSRV_MAX_CLIENTS];
	int pfd_base;
	int pfd_cl[CTLSRV_MAX_CLIENTS];
	int pending;
	struct ctl_request pending_req;
	uint64_t arrivals;
	uint64_t commands;
	uint64_t rejected;
};

int ctlsrv_open(struct ctlsrv *s, const char *path);
void ctlsrv_close(struct ctlsrv *s);
int ctlsrv_pollfds(struct ctlsrv *s, struct pollfd *pfd, int base);
void ctlsrv_service(struct ctlsrv *s, const struct pollfd *pfd,
		    ctlsrv_handler fn, void *ctx);
void ctlsrv_complete(struct ctlsrv *s, int status, const char *text,
		     size_t len);

#endif
