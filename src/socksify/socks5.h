/* SPDX-License-Identifier: MIT */
/*
 * socks5.h - the SOCKS5 client handshake as a state machine (socks5.c)
 *
 * No I/O: the relay sends what socks5_out() holds, feeds what the proxy
 * sent to socks5_feed(), and does as the result says. The messages:
 *
 *	-> 05 N METHODS		00 (no authentication), and 02
 *				(username/password) when a user is set
 *	<- 05 METHOD
 *	-> 01 ULEN USER PLEN PASS		(RFC 1929, method 02 only)
 *	<- 01 STATUS				(00: success)
 *	-> 05 01 00 01 ADDR(4) PORT(2)		CONNECT to an IPv4 address
 *	<- 05 REP 00 ATYP BND.ADDR BND.PORT	(REP 00: succeeded)
 *
 * Bytes after the CONNECT reply are the destination's first data: the
 * feed stops at the reply's end and says how far it read.
 */
#ifndef MASQ_SOCKS5_H
#define MASQ_SOCKS5_H

#include <stddef.h>
#include <stdint.h>

#define SOCKS5_NAME_MAX		255	/* RFC 1929: ULEN and PLEN */
#define SOCKS5_OUT_MAX		(3 + SOCKS5_NAME_MAX * 2)
#define SOCKS5_IN_MAX		(4 + 1 + 255 + 2)	/* a domain-name reply */

enum socks5_state {
	SOCKS5_S_METHOD,	/* greeting sent, the method awaited */
	SOCKS5_S_AUTH,		/* username/password sent, the status awaited */
	SOCKS5_S_CONNECT,	/* CONNECT sent, the reply awaited */
	SOCKS5_S_DONE,		/* connected: the rest is the destination's */
	SOCKS5_S_FAILED,	/* socks5_why() says why */
	SOCKS5_S_NUM
};

enum socks5_result {
	SOCKS5_MORE,		/* all of it taken; more bytes needed */
	SOCKS5_SEND,		/* socks5_out() holds the next message */
	SOCKS5_OK,		/* connected */
	SOCKS5_FAIL,		/* the handshake failed: socks5_why() */
	SOCKS5_RESULT_NUM
};

/**
 * struct socks5 - one handshake
 * @state:	where it is
 * @user:	RFC 1929 username (NULL: offer no authentication only)
 * @pass:	its password
 * @dst:	the destination, network order
 * @dport:	its port, network order
 * @out:	the message to send
 * @out_len:	its length
 * @in:		the reply so far
 * @in_len:	its bytes
 * @rep:	the CONNECT reply's code (or the method, the auth status)
 * @why:	a failure in words
 */
struct socks5 {
	enum socks5_state state;
	const char *user;
	const char *pass;
	uint32_t dst;
	uint16_t dport;
	uint8_t out[SOCKS5_OUT_MAX];
	size_t out_len;
	uint8_t in[SOCKS5_IN_MAX];
	size_t in_len;
	int rep;
	const char *why;
};

int socks5_start(struct socks5 *s, const char *user, const char *pass,
		 uint32_t dst, uint16_t dport);
enum socks5_result socks5_feed(struct socks5 *s, const uint8_t *p, size_t n,
			       size_t *used);
const char *socks5_reply_words(int rep);

#endif
