// SPDX-License-Identifier: MIT
/*
 * resolve.c - the name lookups masqctl hands to the iptables parser and
 *	       printer: the C library's resolver, IPv4 only
 *
 * Host names go through getaddrinfo(AF_INET) (so /etc/hosts and DNS, as
 * iptables does), services through /etc/services, protocols through
 * /etc/protocols, and reverse lookups through getnameinfo(NI_NAMEREQD).
 * All of them may block (DNS), which is why masqd never uses this
 * resolver: it parses only the canonical numeric words masqctl sends.
 * The reentrant _r variants are used so two threads may share it.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "ipt/ipt.h"

/* Is @a already among the first @n of @addrs? */
static bool addr_seen(const uint32_t *addrs, int n, uint32_t a)
{
	for (int i = 0; i < n; i++)
		if (addrs[i] == a)
			return true;
	return false;
}

/* Host name -> up to @max distinct IPv4 addresses in host order */
static int sys_host(const char *name, uint32_t *addrs, int max)
{
	struct addrinfo hints = { .ai_family = AF_INET,
				  .ai_socktype = SOCK_STREAM };
	struct addrinfo *res, *ai;
	int n = 0;

	if (!name || !*name || max <= 0 || getaddrinfo(name, NULL, &hints, &res))
		return -1;
	for (ai = res; ai && n < max; ai = ai->ai_next) {
		const struct sockaddr_in *sin;
		uint32_t a;

		if (ai->ai_family != AF_INET ||
		    ai->ai_addrlen < sizeof(struct sockaddr_in))
			continue;
		sin = (const struct sockaddr_in *)ai->ai_addr;
		a = ntohl(sin->sin_addr.s_addr);
		if (!addr_seen(addrs, n, a))
			addrs[n++] = a;
	}
	freeaddrinfo(res);
	return n ? n : -1;
}

/* Service name -> port (host order) for @proto ("tcp", "udp" or NULL) */
static int sys_service(const char *name, const char *proto, uint16_t *port)
{
	struct servent se, *r = NULL;
	char buf[1024];

	if (!name || !*name ||
	    getservbyname_r(name, proto, &se, buf, sizeof(buf), &r) || !r)
		return -1;
	*port = ntohs((uint16_t)r->s_port);
	return 0;
}

/* Protocol name -> number (/etc/protocols) */
static int sys_proto(const char *name, uint8_t *proto)
{
	struct protoent pe, *r = NULL;
	char buf[1024];

	if (!name || !*name ||
	    getprotobyname_r(name, &pe, buf, sizeof(buf), &r) || !r ||
	    r->p_proto < 0 || r->p_proto > 255)
		return -1;
	*proto = (uint8_t)r->p_proto;
	return 0;
}

/* Address -> host name, only when one is registered (NI_NAMEREQD) */
static int sys_host_name(uint32_t addr, char *buf, size_t len)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	sin.sin_addr.s_addr = htonl(addr);
	if (!buf || !len ||
	    getnameinfo((const struct sockaddr *)&sin, sizeof(sin), buf,
			(socklen_t)(len > 1025 ? 1025 : len), NULL, 0,
			NI_NAMEREQD))
		return -1;
	return 0;
}

/* Port -> service name for @proto */
static int sys_service_name(uint16_t port, const char *proto, char *buf,
			    size_t len)
{
	struct servent se, *r = NULL;
	char tmp[1024];

	if (!buf || !len ||
	    getservbyport_r((int)htons(port), proto, &se, tmp, sizeof(tmp),
			    &r) || !r || !r->s_name ||
	    strlen(r->s_name) >= len)
		return -1;
	strcpy(buf, r->s_name);
	return 0;
}

const struct ipt_resolver ipt_system_resolver = {
	.host = sys_host,
	.service = sys_service,
	.proto = sys_proto,
	.host_name = sys_host_name,
	.service_name = sys_service_name,
};
