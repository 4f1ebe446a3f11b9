/* SPDX-License-Identifier: MIT */
/*
 * socksify.h - masq-socksify: the parts of the automatic SOCKSification
 * relay and what they share
 *
 * The seeds' autosocksifyd was three programs under inetd: nf_getsockname
 * (the original destination), redir (the relay) and socksify (the SOCKS
 * client library). masq-socksify is the three in one small daemon, one
 * thread, one epoll loop:
 *
 *	main.c		options, the configuration files, daemon and signals
 *	log.c		stderr in the foreground, syslog as a daemon, capped
 *	conf.c		the ports file and the local-networks file (parsers on
 *			memory buffers, for the fuzzer and the unit test)
 *	socks5.c	the SOCKS5 client (RFC 1928 CONNECT, RFC 1929
 *			username/password) as a state machine with no I/O
 *	ask.c		masqd's control socket: the internal interfaces'
 *			addresses at start, then "origdst" per connection,
 *			asked one at a time without blocking the loop
 *	relay.c		the listeners, the connections' life and the bytes
 *			both ways
 *
 * Everything is sized at start: SX_MAX_CONNS connections with two
 * SX_BUF_SIZE buffers each (touched only when used), no allocation per
 * connection.
 */
#ifndef MASQ_SOCKSIFY_H
#define MASQ_SOCKSIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#define SX_DEFAULT_LISTEN	11080
#define SX_DEFAULT_PORTS	"/etc/masq/autosocksify/ports"
#define SX_DEFAULT_LOCAL	"/etc/masq/autosocksify/local"
#define SX_MAX_CONNS		1024	/* over it a new connection is closed */
#define SX_BUF_SIZE		(64u << 10)	/* per direction per connection */
#define SX_HANDSHAKE_MS		10000	/* origdst + proxy connect + SOCKS */
#define SX_IDLE_MS		(7440u * 1000)	/* masqd's tcp-established */
#define SX_ASK_MS		2000	/* masqd's answer to one origdst */
#define SX_MAX_LISTEN		16	/* internal addresses listened on */
#define SX_MAX_LOCAL		1024	/* networks in the local file */
#define SX_MAX_FILE		(1u << 20)	/* a configuration file's size */
#define SX_ERR_MAX		1024	/* an error message's text */

/**
 * struct sx_ports - the destination ports to SOCKSify (a bitmap)
 * @bits:	bit P set when port P is listed
 * @n:		ports set
 */
struct sx_ports {
	uint8_t bits[65536 / 8];
	unsigned n;
};

/**
 * struct sx_net - a network of the local file, host order
 * @addr:	the network's address (host bits cleared)
 * @mask:	its mask
 */
struct sx_net {
	uint32_t addr;
	uint32_t mask;
};

/**
 * struct sx_local - destinations never SOCKSified
 * @net:	the networks
 * @n:		how many
 */
struct sx_local {
	struct sx_net net[SX_MAX_LOCAL];
	unsigned n;
};

/* conf.c */
int sx_ports_parse(const char *text, size_t len, const char *name,
		   struct sx_ports *p, char *err, size_t errlen);
int sx_local_parse(const char *text, size_t len, const char *name,
		   struct sx_local *l, char *err, size_t errlen);
int sx_file_read(const char *path, char **text, size_t *len);
bool sx_port_listed(const struct sx_ports *p, uint16_t port);
bool sx_addr_local(const struct sx_local *l, uint32_t addr);

/* log.c */
void sx_log_open(bool foreground);
void sx_log(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
