/* SPDX-License-Identifier: MIT */
/*
 * sockdiag.h - the ports the host's own sockets hold on the router's
 * addresses
 *
 * The host (sshd, a DNS cache, a relay behind REDIRECT) and masqd's
 * masquerade mappings share the router's external address. A mapping must
 * never take a port a host socket holds there, or the replies meant for
 * the host would be translated to a LAN host (and port preservation would
 * hand a LAN host port 22 while sshd listens there). The engine keeps
 * such ports out of its allocator (`host-ports`); this file learns them.
 *
 * What counts: TCP sockets in LISTEN and UDP sockets bound and not
 * connected (state TCP_CLOSE in inet_diag's terms), of AF_INET and
 * AF_INET6, whose local address is the wildcard (0.0.0.0; :: unless the
 * socket is IPV6_V6ONLY, since such a socket takes IPv4 too) or one of
 * the router's IPv4 addresses (also written v4-mapped, ::ffff:a.b.c.d).
 * Sockets on 127.0.0.1 or other addresses cannot meet a mapping and are
 * left out. Connected sockets are left out too: the host's connections
 * leave through masqd and are tracked there, so the engine sees their
 * ports as connections already. A socket bound to a device
 * (SO_BINDTODEVICE) is counted whatever the device: reserving a port too
 * many is safe, one too few is not.
 *
 * How: a NETLINK_SOCK_DIAG socket (non-blocking, close-on-exec) and four
 * SOCK_DIAG_BY_FAMILY dumps in a row (TCP/IPv4, TCP/IPv6, UDP/IPv4,
 * UDP/IPv6; one dump runs at a time on a socket), asked for by
 * sdiag_start() and read by sdiag_step() a few datagrams at a time, so a
 * caller's loop does bounded work per iteration. A dump of more than
 * SDIAG_MAX_SOCKETS sockets is cut there (the socket is opened anew) and
 * the result is the union of what was read and the previous result, so a
 * port is never freed by the cut; sdiag_stats says it happened. The PURE
 * parser, sdiag_parse(), checks every length (nlmsg.h) and ends a buffer
 * at the first message cut short; only messages from the kernel (port id
 * 0) are read.
 *
 * The engine's command (`host-ports tcp LIST udp LIST`, LIST like
 * 22,2222,6000-6010 or - for none) is built by sdiag_format(); a LIST is
 * kept under SDIAG_WORD_MAX bytes by merging the ranges nearest each other
 * when it would be longer (thousands of scattered ports): the ports in
 * between are then kept from masquerading too, never the other way.
 */
#ifndef MASQ_IO_SOCKDIAG_H
#define MASQ_IO_SOCKDIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SDIAG_BUF_SIZE		(32u * 1024)
#define SDIAG_MAX_SOCKETS	65536u
#define SDIAG_WORD_MAX		4000	/* a control-language word, NUL included */
#define SDIAG_WORDS		(65536 / 64)

enum sdiag_proto {
	SDIAG_TCP,
	SDIAG_UDP,
	SDIAG_PROTO_NUM
};

extern const char *const sdiag_proto_names[SDIAG_PROTO_NUM];

/**
 * struct sdiag_ports - one bit per port held, per protocol
 * @bits:	bit P of word P / 64 set: port P is held (port 0 never is)
 */
struct sdiag_ports {
	uint64_t bits[SDIAG_PROTO_NUM][SDIAG_WORDS];
};

/**
 * struct sdiag_filter - the addresses that count, besides the wildcard
 * @addrs:	the router's IPv4 addresses, network order
 * @n:		how many
 */
struct sdiag_filter {
	const uint32_t *addrs;
	size_t n;
};

/**
 * struct sdiag_result - what sdiag_parse() met, added to across buffers
 * @sockets:	socket messages read
 * @kept:	... whose port was kept (wildcard or a router address)
 * @done:	NLMSG_DONE (or an NLMSG_ERROR) ended the dump
 * @error:	the NLMSG_ERROR's errno (negative), 0 if none
 */
struct sdiag_result {
	uint32_t sockets;
	uint32_t kept;
	bool done;
	int32_t error;
};

/**
 * struct sdiag_stats - the dumps so far (never reset)
 * @cycles:	complete rounds of four dumps
 * @capped:	rounds cut at SDIAG_MAX_SOCKETS
 * @refused:	dumps the kernel refused (e.g. no udp_diag: ENOENT)
 * @bad:	buffers the parser refused (the round is abandoned)
 * @foreign:	datagrams not from the kernel, ignored
 * @last_errno:	errno of the latest refusal
 * @sockets:	sockets the latest round read
 */
struct sdiag_stats {
	uint64_t cycles;
	uint64_t capped;
	uint64_t refused;
	uint64_t bad;
	uint64_t foreign;
	int last_errno;
	uint32_t sockets;
};

/**
 * struct sdiag - the socket and the round of dumps under way
 * @fd:		NETLINK_SOCK_DIAG socket, -1 when closed
 * @seq:	sequence number of the running dump's request
 * @step:	which of the four dumps runs, -1 when none
 * @stalls:	sdiag_start() calls that found the round still running
 * @res:	what the round read so far
 * @cur:	ports of the round under way
 * @ports:	ports of the latest complete round
 * @buf:	receive buffer, SDIAG_BUF_SIZE bytes
 * @st:		counters
 */
struct sdiag {
	int fd;
	uint32_t seq;
	int step;
	unsigned int stalls;
	struct sdiag_result res;
	struct sdiag_ports cur;
	struct sdiag_ports ports;
	uint8_t *buf;
	struct sdiag_stats st;
};

int sdiag_parse(const void *buf, size_t len, enum sdiag_proto proto,
		const struct sdiag_filter *f, struct sdiag_ports *ports,
		struct sdiag_result *res);
bool sdiag_port_held(const struct sdiag_ports *p, enum sdiag_proto proto,
		     uint16_t port);
int sdiag_format_list(const uint64_t *bits, char *s, size_t size);
int sdiag_format(const struct sdiag_ports *p, char *tcp, char *udp,
		 char **argv);

struct sdiag *sdiag_open(int *err);
void sdiag_close(struct sdiag *s);
int sdiag_start(struct sdiag *s);
int sdiag_step(struct sdiag *s, const struct sdiag_filter *f,
	       unsigned int budget);

#endif
