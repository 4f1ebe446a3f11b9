// SPDX-License-Identifier: MIT
/*
 * names.c - masqctl's resolver: the system's lookups, each answer kept
 *	     for the rest of the run
 *
 * Every name masqctl resolves goes through names_resolver, which asks
 * ipt_system_resolver once per distinct question and remembers the
 * answer (a failure too). A restore text of 100,000 rules names the same
 * few hosts and services over and over, and is parsed twice (checked,
 * then rewritten in numbers): without the cache that is 200,000 trips
 * through /etc/hosts and /etc/services (about 25 s), with it a handful.
 * Reverse lookups for -L without -n repeat as much, and may each wait on
 * DNS.
 *
 * names_lookups counts the forward lookups asked (answered from the cache
 * or not): zero after a parse means the text named nothing, so it is
 * numeric already and masqd can read it as it is.
 *
 * Memory: one entry per distinct question, kept until masqctl exits.
 * Answers do not expire: masqctl runs one command.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "masqctl/masqctl.h"

#define NAMES_BUCKETS	1024		/* a power of two */
#define NAMES_ADDRS	16		/* addresses kept per host name */

/**
 * struct names_entry - one question and its answer
 * @next:	next entry in the bucket
 * @ret:	the lookup's return value (-1: not found)
 * @addrs:	host: the addresses (@ret of them, at most NAMES_ADDRS)
 * @port:	service: the port
 * @proto:	protocol: the number
 * @name:	reverse lookups: the name found
 * @key:	the question ("h:NAME", "s:PROTO/NAME", "p:NAME", "a:ADDR",
 *		"n:PORT/PROTO")
 */
struct names_entry {
	struct names_entry *next;
	int ret;
	uint32_t addrs[NAMES_ADDRS];
	uint16_t port;
	uint8_t proto;
	char name[256];
	char key[];
};

static struct names_entry *buckets[NAMES_BUCKETS];

unsigned long names_lookups;

/* FNV-1a */
static unsigned bucket_of(const char *key)
{
	uint32_t h = 2166136261u;

	for (; *key; key++)
		h = (h ^ (uint8_t)*key) * 16777619u;
	return h & (NAMES_BUCKETS - 1);
}

static struct names_entry *find(const char *key)
{
	for (struct names_entry *e = buckets[bucket_of(key)]; e; e = e->next)
		if (!strcmp(e->key, key))
			return e;
	return NULL;
}

/* A new entry for @key, in its bucket; NULL when out of memory */
static struct names_entry *add(const char *key)
{
	size_t len = strlen(key) + 1;
	struct names_entry *e = calloc(1, sizeof(*e) + len);
	unsigned b = bucket_of(key);

	if (!e)
		return NULL;
	memcpy(e->key, key, len);
	e->next = buckets[b];
	buckets[b] = e;
	return e;
}

static int cached_host(const char *name, uint32_t *addrs, int max)
{
	struct names_entry *e;
	char key[300];
	int n;

	names_lookups++;
	if (max > NAMES_ADDRS || snprintf(key, sizeof(key), "h:%s", name) >=
	    (int)sizeof(key))
		return ipt_system_resolver.host(name, addrs, max);
	e = find(key);
	if (!e) {
		e = add(key);
		if (!e)
			return ipt_system_resolver.host(name, addrs, max);
		e->ret = ipt_system_resolver.host(name, e->addrs, NAMES_ADDRS);
	}
	if (e->ret <= 0)
		return -1;
	n = e->ret < max ? e->ret : max;
	memcpy(addrs, e->addrs, (size_t)n * sizeof(*addrs));
	return n;
}

static int cached_service(const char *name, const char *proto, uint16_t *port)
{
	struct names_entry *e;
	char key[300];

	names_lookups++;
	if (snprintf(key, sizeof(key), "s:%s/%s", proto ? proto : "",
		     name) >= (int)sizeof(key))
		return ipt_system_resolver.service(name, proto, port);
	e = find(key);
	if (!e) {
		e = add(key);
		if (!e)
			return ipt_system_resolver.service(name, proto, port);
		e->ret = ipt_system_resolver.service(name, proto, &e->port);
	}
	if (e->ret)
		return -1;
	*port = e->port;
	return 0;
}

static int cached_proto(const char *name, uint8_t *proto)
{
	struct names_entry *e;
	char key[300];

	names_lookups++;
	if (snprintf(key, sizeof(key), "p:%s", name) >= (int)sizeof(key))
		return ipt_system_resolver.proto(name, proto);
	e = find(key);
	if (!e) {
		e = add(key);
		if (!e)
			return ipt_system_resolver.proto(name, proto);
		e->ret = ipt_system_resolver.proto(name, &e->proto);
	}
	if (e->ret)
		return -1;
	*proto = e->proto;
	return 0;
}

/* A reverse answer from the cache into @buf; -1 when none or too long */
static int name_out(const struct names_entry *e, char *buf, size_t len)
{
	if (e->ret || strlen(e->name) >= len)
		return -1;
	strcpy(buf, e->name);
	return 0;
}

static int cached_host_name(uint32_t addr, char *buf, size_t len)
{
	struct names_entry *e;
	char key[16];

	snprintf(key, sizeof(key), "a:%08x", addr);
	e = find(key);
	if (!e) {
		e = add(key);
		if (!e)
			return ipt_system_resolver.host_name(addr, buf, len);
		e->ret = ipt_system_resolver.host_name(addr, e->name,
						       sizeof(e->name));
	}
	return name_out(e, buf, len);
}

static int cached_service_name(uint16_t port, const char *proto, char *buf,
			       size_t len)
{
	struct names_entry *e;
	char key[40];

	snprintf(key, sizeof(key), "n:%u/%.16s", port, proto ? proto : "");
	e = find(key);
	if (!e) {
		e = add(key);
		if (!e)
			return ipt_system_resolver.service_name(port, proto,
								buf, len);
		e->ret = ipt_system_resolver.service_name(port, proto, e->name,
							  sizeof(e->name));
	}
	return name_out(e, buf, len);
}

const struct ipt_resolver names_resolver = {
	.host = cached_host,
	.service = cached_service,
	.proto = cached_proto,
	.host_name = cached_host_name,
	.service_name = cached_service_name,
};

/**
 * names_host_out() - A dotted quad of a listing as its host name
 * @res:	resolver (NULL: none)
 * @w:		the word
 * @buf:	room for the name
 * @len:	its size
 *
 * Return: the name in @buf, or @w as it is (not an address, no name)
 */
const char *names_host_out(const struct ipt_resolver *res, const char *w,
			   char *buf, size_t len)
{
	struct in_addr in;

	if (!res || !res->host_name || inet_pton(AF_INET, w, &in) != 1 ||
	    res->host_name(ntohl(in.s_addr), buf, len))
		return w;
	return buf;
}

/**
 * names_port_out() - A port of a listing as its service name for @proto
 * @res:	resolver (NULL: none)
 * @w:		the word: decimal digits only, 1-65535, else left as it is
 * @proto:	"tcp" or "udp" (NULL: none)
 * @buf:	room for the name
 * @len:	its size
 *
 * Return: the name in @buf, or @w as it is
 */
const char *names_port_out(const struct ipt_resolver *res, const char *w,
			   const char *proto, char *buf, size_t len)
{
	unsigned long p;
	char *end;

	if (!res || !res->service_name || !proto || !*w ||
	    strspn(w, "0123456789") != strlen(w))
		return w;
	p = strtoul(w, &end, 10);
	if (!p || p > 65535 || res->service_name((uint16_t)p, proto, buf, len))
		return w;
	return buf;
}
