/* SPDX-License-Identifier: MIT */
/*
 * relay.h - masq-socksify's loop: listeners, connections, bytes (relay.c)
 */
#ifndef MASQ_SOCKSIFY_RELAY_H
#define MASQ_SOCKSIFY_RELAY_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#include "socksify/ask.h"
#include "socksify/socks5.h"
#include "socksify/socksify.h"

/**
 * struct sx_cfg - what the options and files say
 * @socks:	the SOCKS server's address
 * @socks_name:	... as the user gave it (HOST:PORT), for the log
 * @user:	RFC 1929 username, or NULL
 * @pass:	its password (from --password-file)
 * @listen_port: the port the REDIRECT rules send to (11080)
 * @ports_file:	the ports file
 * @local_file:	the local-networks file
 * @local_given: --local was given (a missing file is then an error)
 * @sock:	masqd's control socket
 * @foreground:	-f
 * @ports:	the ports file's ports
 * @local:	the local file's networks
 */
struct sx_cfg {
	struct sockaddr_in socks;
	const char *socks_name;
	const char *user;
	char pass[SOCKS5_NAME_MAX + 1];
	uint16_t listen_port;
	const char *ports_file;
	const char *local_file;
	bool local_given;
	const char *sock;
	bool foreground;
	struct sx_ports ports;
	struct sx_local local;
};

/* The relay's counters, logged at exit and on SIGUSR1 */
struct sx_stats {
	uint64_t accepted;	/* connections accepted */
	uint64_t full;		/* closed at once: SX_MAX_CONNS open */
	uint64_t no_origdst;	/* closed: masqd has no original destination */
	uint64_t ask_failed;	/* closed: masqd not reached or nonsense */
	uint64_t local;		/* closed: destination in the local file */
	uint64_t unlisted;	/* closed: port not in the ports file */
	uint64_t looped;	/* closed: destination is the relay itself */
	uint64_t proxy_failed;	/* closed: proxy refused, timed out, said no */
	uint64_t timed_out;	/* closed: handshake or idle timeout */
	uint64_t relayed;	/* handshakes that succeeded */
	uint64_t bytes_up;	/* client -> proxy */
	uint64_t bytes_down;	/* proxy -> client */
};

struct sx_relay;

struct sx_relay *sx_relay_open(struct sx_cfg *cfg, const struct in_addr *addrs,
			       int n, char *err, size_t errlen);
int sx_relay_run(struct sx_relay *r, volatile sig_atomic_t *stop,
		 volatile sig_atomic_t *reload, volatile sig_atomic_t *report,
		 void (*reload_fn)(struct sx_cfg *cfg));
void sx_relay_stats_log(const struct sx_relay *r);
void sx_relay_close(struct sx_relay *r);

#endif
