// SPDX-License-Identifier: MIT
/*
 * socks5.c - the SOCKS5 client handshake (RFC 1928, RFC 1929)
 *
 * The state machine of socks5.h. Each reply is gathered into @in until
 * it is whole (a proxy may send it a byte at a time), judged, and the
 * next message put in @out. Anything not exactly as the RFCs say (a
 * wrong version, an unknown address type, a method that was not
 * offered, a non-zero reserved byte) fails the handshake with the reason
 * in words; a reply code other than "succeeded" fails it with the code's
 * words (RFC 1928 section 6). Nothing is read past the CONNECT reply.
 *
 * Only CONNECT to an IPv4 address: the destination is what masqd says
 * the client was going to, an address already.
 */
#include <errno.h>
#include <string.h>

#include "socksify/socks5.h"

#define SOCKS5_VER		5
#define SOCKS5_AUTH_VER		1	/* RFC 1929's subnegotiation version */
#define SOCKS5_M_NONE		0x00
#define SOCKS5_M_USERPASS	0x02
#define SOCKS5_M_REFUSED	0xff
#define SOCKS5_CMD_CONNECT	1
#define SOCKS5_ATYP_IPV4	1
#define SOCKS5_ATYP_DOMAIN	3
#define SOCKS5_ATYP_IPV6	4

static const char *const reply_words[] = {
	"succeeded",
	"general SOCKS server failure",
	"connection not allowed by ruleset",
	"network unreachable",
	"host unreachable",
	"connection refused",
	"TTL expired",
	"command not supported",
	"address type not supported",
};

/**
 * socks5_reply_words() - A CONNECT reply code in words (RFC 1928 6.)
 * @rep:	the REP byte
 *
 * Return: the words; "unassigned reply code" for 9..255
 */
const char *socks5_reply_words(int rep)
{
	if (rep >= 0 && rep < (int)(sizeof(reply_words) / sizeof(reply_words[0])))
		return reply_words[rep];
	return "unassigned reply code";
}

/* The greeting: no authentication, and username/password with a user */
static void greeting(struct socks5 *s)
{
	uint8_t *o = s->out;

	*o++ = SOCKS5_VER;
	*o++ = s->user ? 2 : 1;
	*o++ = SOCKS5_M_NONE;
	if (s->user)
		*o++ = SOCKS5_M_USERPASS;
	s->out_len = (size_t)(o - s->out);
}

/* RFC 1929: 01 ULEN USER PLEN PASS */
static void auth_request(struct socks5 *s)
{
	size_t ul = strlen(s->user), pl = strlen(s->pass);
	uint8_t *o = s->out;

	*o++ = SOCKS5_AUTH_VER;
	*o++ = (uint8_t)ul;
	memcpy(o, s->user, ul);
	o += ul;
	*o++ = (uint8_t)pl;
	memcpy(o, s->pass, pl);
	o += pl;
	s->out_len = (size_t)(o - s->out);
}

/* 05 01 00 01 ADDR PORT, both already in network order */
static void connect_request(struct socks5 *s)
{
	uint8_t *o = s->out;

	*o++ = SOCKS5_VER;
	*o++ = SOCKS5_CMD_CONNECT;
	*o++ = 0;
	*o++ = SOCKS5_ATYP_IPV4;
	memcpy(o, &s->dst, 4);
	o += 4;
	memcpy(o, &s->dport, 2);
	o += 2;
	s->out_len = (size_t)(o - s->out);
}

/**
 * socks5_start() - Begin a handshake: socks5_out is the greeting
 * @s:		the handshake (all of it set here)
 * @user:	username, 1-255 bytes, or NULL for no authentication
 * @pass:	its password, 1-255 bytes (with @user)
 * @dst:	destination address, network order
 * @dport:	destination port, network order
 *
 * Return: 0, or -EINVAL for a user or password of the wrong length
 */
int socks5_start(struct socks5 *s, const char *user, const char *pass,
		 uint32_t dst, uint16_t dport)
{
	memset(s, 0, sizeof(*s));
	if (user && (!pass || !user[0] || !pass[0] ||
		     strlen(user) > SOCKS5_NAME_MAX ||
		     strlen(pass) > SOCKS5_NAME_MAX))
		return -EINVAL;
	s->user = user;
	s->pass = pass;
	s->dst = dst;
	s->dport = dport;
	s->rep = -1;
	s->state = SOCKS5_S_METHOD;
	greeting(s);
	return 0;
}

/* Bytes the reply awaited needs in all, as far as @in tells */
static size_t reply_need(const struct socks5 *s)
{
	if (s->state != SOCKS5_S_CONNECT)
		return 2;
	if (s->in_len < 4 || s->in[1] != 0)
		return 4;	/* a failure is judged on its first four */
	switch (s->in[3]) {
	case SOCKS5_ATYP_IPV4:
		return 4 + 4 + 2;
	case SOCKS5_ATYP_IPV6:
		return 4 + 16 + 2;
	case SOCKS5_ATYP_DOMAIN:
		return s->in_len < 5 ? 5 : 4 + 1 + (size_t)s->in[4] + 2;
	default:
		return 4;	/* judged (and refused) on its four */
	}
}

static enum socks5_result fail(struct socks5 *s, const char *why)
{
	s->state = SOCKS5_S_FAILED;
	s->why = why;
	return SOCKS5_FAIL;
}

/* The proxy's choice of method */
static enum socks5_result on_method(struct socks5 *s)
{
	s->rep = s->in[1];
	if (s->in[0] != SOCKS5_VER)
		return fail(s, "malformed reply (not SOCKS version 5)");
	if (s->in[1] == SOCKS5_M_REFUSED)
		return fail(s, s->user ? "no acceptable authentication method "
				 "(the proxy took neither none nor "
				 "username/password)" :
				 "no acceptable authentication method (the "
				 "proxy wants authentication: --user)");
	if (s->in[1] == SOCKS5_M_USERPASS && s->user) {
		s->state = SOCKS5_S_AUTH;
		auth_request(s);
		return SOCKS5_SEND;
	}
	if (s->in[1] != SOCKS5_M_NONE)
		return fail(s, "malformed reply (a method that was not offered)");
	s->state = SOCKS5_S_CONNECT;
	connect_request(s);
	return SOCKS5_SEND;
}

/* The username/password status */
static enum socks5_result on_auth(struct socks5 *s)
{
	s->rep = s->in[1];
	if (s->in[0] != SOCKS5_AUTH_VER)
		return fail(s, "malformed reply (not username/password "
			    "version 1)");
	if (s->in[1] != 0)
		return fail(s, "authentication failed (username/password "
			    "refused)");
	s->state = SOCKS5_S_CONNECT;
	connect_request(s);
	return SOCKS5_SEND;
}

/* The CONNECT reply, whole (or its first four bytes for a failure) */
static enum socks5_result on_connect(struct socks5 *s)
{
	s->rep = s->in[1];
	if (s->in[0] != SOCKS5_VER)
		return fail(s, "malformed reply (not SOCKS version 5)");
	if (s->in[1] != 0)
		return fail(s, socks5_reply_words(s->in[1]));
	if (s->in[2] != 0)
		return fail(s, "malformed reply (reserved byte not zero)");
	if (s->in[3] != SOCKS5_ATYP_IPV4 && s->in[3] != SOCKS5_ATYP_IPV6 &&
	    s->in[3] != SOCKS5_ATYP_DOMAIN)
		return fail(s, "malformed reply (unknown address type)");
	s->state = SOCKS5_S_DONE;
	return SOCKS5_OK;
}

/**
 * socks5_feed() - Take bytes from the proxy
 * @s:		the handshake
 * @p:		the bytes
 * @n:		how many
 * @used:	how many of them belong to the handshake (with SOCKS5_OK,
 *		the rest are the destination's data)
 *
 * Return: SOCKS5_MORE (all taken, the reply is not whole yet),
 * SOCKS5_SEND (send @out; bytes past @used are a protocol error: the
 * proxy spoke before its turn, and feeding them fails), SOCKS5_OK or
 * SOCKS5_FAIL (@why says why; @rep holds the code where there is one)
 */
enum socks5_result socks5_feed(struct socks5 *s, const uint8_t *p, size_t n,
			       size_t *used)
{
	size_t off = 0;

	*used = 0;
	if (s->state == SOCKS5_S_DONE)
		return SOCKS5_OK;
	if (s->state == SOCKS5_S_FAILED)
		return SOCKS5_FAIL;
	for (;;) {
		size_t need = reply_need(s), take;

		if (s->in_len >= need)
			break;
		if (off == n) {
			*used = off;
			return SOCKS5_MORE;
		}
		take = need - s->in_len < n - off ? need - s->in_len : n - off;
		memcpy(s->in + s->in_len, p + off, take);
		s->in_len += take;
		off += take;
	}
	*used = off;
	enum socks5_result r;

	switch (s->state) {
	case SOCKS5_S_METHOD:
		r = on_method(s);
		break;
	case SOCKS5_S_AUTH:
		r = on_auth(s);
		break;
	default:
		r = on_connect(s);
		break;
	}
	s->in_len = 0;
	return r;
}
