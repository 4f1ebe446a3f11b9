// SPDX-License-Identifier: MIT
/*
 * services.c - service and protocol names for masqd (see services.h)
 *
 * Theory of operation: each line of the file is split into words (blanks
 * and tabs; '#' ends the line); the first word is the name, the second
 * PORT/PROTO (services) or NUMBER (protocols), the rest aliases. Every
 * name and alias becomes one entry of a flat array, searched linearly:
 * a lookup happens once per word of a rule at load time, never per
 * packet, and /etc/services holds about a thousand names. The road not
 * taken: a hash table, for a few microseconds per reload.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "control/services.h"

/* One name: a service's (port, "tcp"/"udp"/...) or a protocol's (number) */
struct svc_entry {
	char name[SERVICES_NAME_MAX + 1];
	char proto[SERVICES_NAME_MAX + 1];	/* "" for a protocol */
	uint16_t num;
	bool is_proto;
};

static struct svc_entry *tab;
static size_t ntab, captab;

/* Room for one more entry; false when full or out of memory */
static bool tab_room(void)
{
	struct svc_entry *t;
	size_t cap;

	if (ntab < captab)
		return true;
	if (captab >= SERVICES_MAX)
		return false;
	cap = captab ? 2 * captab : 256;
	if (cap > SERVICES_MAX)
		cap = SERVICES_MAX;
	t = realloc(tab, cap * sizeof(*t));
	if (!t)
		return false;
	tab = t;
	captab = cap;
	return true;
}

/* The words of one line (up to @max), cut at '#'; each NUL-terminated */
static int line_words(char *line, char **w, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (!*p || *p == '#' || n == max)
			return n;
		w[n++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '#')
			p++;
		if (*p == '#') {
			*p = '\0';
			return n;
		}
		if (*p)
			*p++ = '\0';
	}
}

/* A decimal number up to @max; false for anything else */
static bool number(const char *s, unsigned long max, uint16_t *v)
{
	unsigned long n = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		n = n * 10 + (unsigned long)(*s - '0');
		if (n > max)
			return false;
	}
	*v = (uint16_t)n;
	return true;
}

/* "PORT/PROTO" into @num and @proto; false when it is not one */
static bool port_proto(const char *w, uint16_t *num, char *proto)
{
	const char *slash = strchr(w, '/');
	char port[8];
	size_t pl = slash ? (size_t)(slash - w) : 0;

	if (!slash || !pl || pl >= sizeof(port) || !slash[1] ||
	    strlen(slash + 1) > SERVICES_NAME_MAX)
		return false;
	memcpy(port, w, pl);
	port[pl] = '\0';
	if (!number(port, 65535, num))
		return false;
	strcpy(proto, slash + 1);
	return true;
}

/* One line: its names as entries; how many were added */
static size_t parse_line(char *line, bool protocols)
{
	struct svc_entry e = { .is_proto = protocols };
	char *w[34];
	int n = line_words(line, w, 34);
	size_t added = 0;

	if (n < 2)
		return 0;
	if (protocols ? !number(w[1], 255, &e.num) :
			!port_proto(w[1], &e.num, e.proto))
		return 0;
	for (int i = 0; i < n; i++) {
		if (i == 1 || strlen(w[i]) > SERVICES_NAME_MAX || !tab_room())
			continue;
		strcpy(e.name, w[i]);
		tab[ntab++] = e;
		added++;
	}
	return added;
}

/**
 * services_parse() - Add the names of a services(5) or protocols(5) text
 * @text:	the text (need not be NUL-terminated)
 * @len:	its length (at most SERVICES_MAX_FILE bytes are read)
 * @protocols:	the text is /etc/protocols' format
 *
 * Return: how many names were added (lines that do not parse are skipped)
 */
size_t services_parse(const char *text, size_t len, bool protocols)
{
	char line[512];
	size_t added = 0, off = 0;

	if (len > SERVICES_MAX_FILE)
		len = SERVICES_MAX_FILE;
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t ll = (nl ? (size_t)(nl - text) : len) - off;

		if (ll < sizeof(line) && !memchr(text + off, '\0', ll)) {
			memcpy(line, text + off, ll);
			line[ll] = '\0';
			added += parse_line(line, protocols);
		}
		off += ll + 1;
	}
	return added;
}

/* Read one file (at most SERVICES_MAX_FILE bytes) and add its names */
static int load_one(const char *path, bool protocols)
{
	char *text = malloc(SERVICES_MAX_FILE);
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0 || !text) {
		ret = fd < 0 ? -errno : -ENOMEM;
		goto out;
	}
	while (got < SERVICES_MAX_FILE) {
		ssize_t n = read(fd, text + got, SERVICES_MAX_FILE - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	services_parse(text, got, protocols);
out:
	free(text);
	if (fd >= 0)
		close(fd);
	return ret;
}

/**
 * services_load() - Read the services and protocols files into the table
 * @services:	path of services(5) text (/etc/services), or NULL
 * @protocols:	path of protocols(5) text (/etc/protocols), or NULL
 *
 * Once, before any thread: the table is only read afterwards. A file
 * that cannot be read leaves its names unknown (a rule naming one is
 * then refused, saying which word).
 *
 * Return: 0, or the first -errno of a file that could not be read
 */
int services_load(const char *services, const char *protocols)
{
	int a = services ? load_one(services, false) : 0;
	int b = protocols ? load_one(protocols, true) : 0;

	return a ? a : b;
}

/**
 * services_count() - Names in the table
 *
 * Return: services and protocols, aliases included
 */
size_t services_count(void)
{
	return ntab;
}

/**
 * services_free() - Empty the table
 */
void services_free(void)
{
	free(tab);
	tab = NULL;
	ntab = captab = 0;
}

/* Service @name for @proto ("tcp", "udp" or NULL: any) -> port */
static int svc_service(const char *name, const char *proto, uint16_t *port)
{
	for (size_t i = 0; i < ntab; i++)
		if (!tab[i].is_proto && !strcmp(tab[i].name, name) &&
		    (!proto || !strcmp(tab[i].proto, proto))) {
			*port = tab[i].num;
			return 0;
		}
	return -1;
}

/* Protocol @name -> number */
static int svc_proto(const char *name, uint8_t *proto)
{
	for (size_t i = 0; i < ntab; i++)
		if (tab[i].is_proto && !strcmp(tab[i].name, name)) {
			*proto = (uint8_t)tab[i].num;
			return 0;
		}
	return -1;
}

const struct ipt_resolver services_resolver = {
	.service = svc_service,
	.proto = svc_proto,
};
