// SPDX-License-Identifier: MIT
/*
 * metrics.c - masqd --metrics ADDR:PORT: the counters as a Prometheus
 *	       text endpoint (exposition format 0.0.4), off the packet thread
 *
 * Theory of operation: the packet loop publishes a snapshot once a second
 * (loop.c, step 4): the text of `stats` (command.c, the same lines masqctl
 * stats prints) and of `iptables-save -c` (the rule counters), copied
 * into two buffers this file owns, under a mutex the loop only ever
 * *tries* (pthread_mutex_trylock): when the server thread holds it, the
 * loop skips that second's snapshot (counted) rather than wait. So the
 * loop's cost is making those two texts once a second and one memcpy;
 * it never waits on the thread nor on any client.
 *
 * The server is a thread of its own: one poll() over the listening
 * socket, a stop eventfd and at most METRICS_MAX_CLIENTS clients. A
 * client has METRICS_IDLE_MS to send a request head of at most
 * METRICS_REQ_MAX bytes and read the answer, else it is closed; more
 * clients than the cap wait in the listen backlog. Under the mutex the
 * thread copies the snapshot out, then renders it (metrics_render())
 * and writes the answer without it. Only GET /metrics (or /) is
 * answered, 200 with the text; any other request 404, a malformed or
 * too long one 400; every answer closes the connection. Answers are
 * written one at a time: a client that reads its answer slowly holds
 * the others back for the rest of its METRICS_IDLE_MS (never the packet
 * loop); a scraper reads 50 KB at once, so this is the price of a
 * simpler thread, not a cost in practice.
 *
 * The names (masqd(8), METRICS): every engine counter as masq_NAME_total,
 * the drop reasons as one family masq_drops_total{reason="..."}, each
 * interface's I/O counters as masq_io_FIELD_total{iface="..."}, the
 * tables' use as gauges (masq_conntrack_entries and _max, ...), masqd's
 * own counters as masqd_NAME_total, and the rule counters as
 * masq_rule_packets_total and masq_rule_bytes_total{table, chain, rule}
 * (and the built-in chains' policy counters). The road not taken: a
 * second writer of every counter; the stats text is exact and is the
 * one list that grows when a counter is added.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include "masqd/log.h"
#include "masqd/metrics.h"

/* Counters masqd's stats text carries that are levels, not counts */
static const char *const gauges[] = {
	"masq_mappings", "frag_held_bytes", "frag_held_datagrams",
	"masqd_control_memory", "masqd_twins", "masqd_twins_up",
	"masqd_host_ports_tcp", "masqd_host_ports_udp",
};

/* Each interface's I/O lines: io_IFACE_FIELD (command.c) */
static const char *const io_fields[] = {
	"rx_frames", "rx_bytes", "ring_drops", "rx_copied", "rx_truncated",
	"rx_too_big", "rx_no_buf", "tx_frames", "tx_kicks", "tx_bytes",
	"tx_failed", "sock_errors",
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct mline {
	const char *name, *value;
	size_t nlen, vlen;
};

/* The next "NAME VALUE" line of @p..@end; false at the end */
static bool next_line(const char **p, const char *end, struct mline *l)
{
	const char *s = *p, *nl, *v;

	if (s >= end)
		return false;
	nl = memchr(s, '\n', (size_t)(end - s));
	if (!nl)
		nl = end;
	*p = nl < end ? nl + 1 : end;
	l->name = s;
	for (v = s; v < nl && *v != ' '; v++)
		;
	l->nlen = (size_t)(v - s);
	while (v < nl && *v == ' ')
		v++;
	l->value = v;
	l->vlen = (size_t)(nl - v);
	return true;
}

static bool is_count(const char *s, size_t n)
{
	if (!n || n > 20)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Prometheus metric names: [a-zA-Z_:][a-zA-Z0-9_:]*; others left out */
static bool is_name(const char *s, size_t n)
{
	if (!n || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(s[i] == '_' || s[i] == ':' || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

static bool has_prefix(const struct mline *l, const char *p)
{
	size_t n = strlen(p);

	return l->nlen > n && !memcmp(l->name, p, n);
}

static bool is_gauge(const struct mline *l)
{
	for (size_t i = 0; i < NELEM(gauges); i++)
		if (l->nlen == strlen(gauges[i]) &&
		    !memcmp(l->name, gauges[i], l->nlen))
			return true;
	return false;
}

/* A label value, escaped as the format asks (\\, \", \n) */
static void put_label(struct masq_text *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' || s[i] == '"')
			masq_text_printf(out, "\\%c", s[i]);
		else if (s[i] == '\n')
			masq_text_append(out, "\\n", 2);
		else
			masq_text_append(out, s + i, 1);
	}
}

/* An io_IFACE_FIELD line's field, or -1 */
static int io_field(const struct mline *l)
{
	if (!has_prefix(l, "io_"))
		return -1;
	for (size_t f = 0; f < NELEM(io_fields); f++) {
		size_t n = strlen(io_fields[f]);

		if (l->nlen > 3 + n + 1 && l->name[l->nlen - n - 1] == '_' &&
		    !memcmp(l->name + l->nlen - n, io_fields[f], n))
			return (int)f;
	}
	return -1;
}

static void family(struct masq_text *out, const char *name, size_t n,
		   const char *suffix, const char *type, const char *help)
{
	masq_text_printf(out, "# HELP %.*s%s %s\n# TYPE %.*s%s %s\n",
			 (int)n, name, suffix, help, (int)n, name, suffix, type);
}

/* One unlabelled line: a family of its own */
static void plain(struct masq_text *out, const struct mline *l)
{
	const char *pfx = has_prefix(l, "masqd_") || has_prefix(l, "masq_") ?
			  "" : "masq_";
	const char *slash = memchr(l->value, '/', l->vlen);
	char name[160];
	int n;

	n = snprintf(name, sizeof(name), "%s%.*s", pfx, (int)l->nlen, l->name);
	if (n <= 0 || (size_t)n >= sizeof(name) || !is_name(name, (size_t)n))
		return;
	if (slash && is_count(l->value, (size_t)(slash - l->value)) &&
	    is_count(slash + 1, l->vlen - (size_t)(slash - l->value) - 1)) {
		family(out, name, (size_t)n, "", "gauge", "in use (masqctl stats)");
		masq_text_printf(out, "%s %.*s\n", name,
				 (int)(slash - l->value), l->value);
		family(out, name, (size_t)n, "_max", "gauge", "the most there may be");
		masq_text_printf(out, "%s_max %.*s\n", name,
				 (int)(l->vlen - (size_t)(slash - l->value) - 1),
				 slash + 1);
		return;
	}
	if (!is_count(l->value, l->vlen))
		return;			/* a text value: no metric */
	if (is_gauge(l)) {
		family(out, name, (size_t)n, "", "gauge", "level now (masqctl stats)");
		masq_text_printf(out, "%s %.*s\n", name, (int)l->vlen, l->value);
		return;
	}
	family(out, name, (size_t)n, "_total", "counter", "count since start (masqctl stats)");
	masq_text_printf(out, "%s_total %.*s\n", name, (int)l->vlen, l->value);
}

static void plain_all(const char *s, size_t len, struct masq_text *out)
{
	const char *p = s;
	struct mline l;

	while (next_line(&p, s + len, &l))
		if (!has_prefix(&l, "drop_") && io_field(&l) < 0)
			plain(out, &l);
}

static void drops(const char *s, size_t len, struct masq_text *out)
{
	const char *p = s;
	struct mline l;

	family(out, "masq_drops", 10, "_total", "counter",
	       "frames dropped, by reason (every drop counts one reason)");
	while (next_line(&p, s + len, &l)) {
		if (!has_prefix(&l, "drop_") || !is_count(l.value, l.vlen))
			continue;
		masq_text_append(out, "masq_drops_total{reason=\"", 25);
		put_label(out, l.name + 5, l.nlen - 5);
		masq_text_printf(out, "\"} %.*s\n", (int)l.vlen, l.value);
	}
}

static void io_all(const char *s, size_t len, struct masq_text *out)
{
	for (size_t f = 0; f < NELEM(io_fields); f++) {
		size_t n = strlen(io_fields[f]);
		const char *p = s;
		struct mline l;

		masq_text_printf(out, "# HELP masq_io_%s_total per interface, "
				 "masqd's socket (masqctl stats io_IFACE_%s)\n"
				 "# TYPE masq_io_%s_total counter\n",
				 io_fields[f], io_fields[f], io_fields[f]);
		while (next_line(&p, s + len, &l)) {
			if (io_field(&l) != (int)f || !is_count(l.value, l.vlen))
				continue;
			masq_text_printf(out, "masq_io_%s_total{iface=\"", io_fields[f]);
			put_label(out, l.name + 3, l.nlen - 3 - n - 1);
			masq_text_printf(out, "\"} %.*s\n", (int)l.vlen, l.value);
		}
	}
}

/* ---- the rule counters, from iptables-save -c ------------------------- */

#define RULE_WORD	64

/* "[P:B]" at @s: its two numbers */
static bool pb(const char *s, size_t n, const char **p, size_t *pn,
	       const char **b, size_t *bn)
{
	const char *colon = memchr(s, ':', n);

	if (n < 5 || s[0] != '[' || s[n - 1] != ']' || !colon)
		return false;
	*p = s + 1;
	*pn = (size_t)(colon - s - 1);
	*b = colon + 1;
	*bn = (size_t)(s + n - 1 - *b);
	return is_count(*p, *pn) && is_count(*b, *bn);
}

/* The word of @line from @at (to a space or the end) */
static size_t word(const char *line, size_t n, size_t at)
{
	size_t e = at;

	while (e < n && line[e] != ' ')
		e++;
	return e - at;
}

struct rulectx {
	char table[RULE_WORD], chain[RULE_WORD];
	unsigned num;
	int pass;		/* 0: policy packets, 1: policy bytes, 2: rule
				 * packets, 3: rule bytes */
};

static void sample(struct masq_text *out, const char *fam,
		   const struct rulectx *c, const char *chain, size_t cn,
		   unsigned num, const char *v, size_t vn)
{
	masq_text_printf(out, "%s{table=\"", fam);
	put_label(out, c->table, strlen(c->table));
	masq_text_append(out, "\",chain=\"", 9);
	put_label(out, chain, cn);
	if (num)
		masq_text_printf(out, "\",rule=\"%u", num);
	masq_text_printf(out, "\"} %.*s\n", (int)vn, v);
}

/* One line of iptables-save -c, for pass @c->pass */
static void rule_line(struct rulectx *c, const char *l, size_t n,
		      struct masq_text *out)
{
	static const char *const fam[] = {
		"masq_chain_policy_packets_total", "masq_chain_policy_bytes_total",
		"masq_rule_packets_total", "masq_rule_bytes_total",
	};
	const char *p, *b;
	size_t pn, bn, w, cn;

	if (n > 1 && l[0] == '*' && n - 1 < RULE_WORD) {
		memcpy(c->table, l + 1, n - 1);
		c->table[n - 1] = 0;
		c->chain[0] = 0;
		return;
	}
	if (n > 1 && l[0] == ':' && c->pass < 2) {
		cn = word(l, n, 1);
		w = word(l, n, 1 + cn + 1);		/* the policy */
		if (1 + cn + 1 + w + 1 < n && w && strncmp(l + 1 + cn + 1, "-", w) &&
		    pb(l + 1 + cn + 1 + w + 1, n - (1 + cn + 1 + w + 1), &p, &pn, &b, &bn))
			sample(out, fam[c->pass], c, l + 1, cn, 0,
			       c->pass ? b : p, c->pass ? bn : pn);
		return;
	}
	w = word(l, n, 0);
	if (c->pass < 2 || !pb(l, w, &p, &pn, &b, &bn) || w + 4 > n ||
	    memcmp(l + w, " -A ", 4))
		return;
	cn = word(l, n, w + 4);
	if (!cn || cn >= RULE_WORD)
		return;
	if (strlen(c->chain) != cn || memcmp(c->chain, l + w + 4, cn)) {
		memcpy(c->chain, l + w + 4, cn);
		c->chain[cn] = 0;
		c->num = 0;
	}
	c->num++;
	sample(out, fam[c->pass], c, l + w + 4, cn, c->num,
	       c->pass == 3 ? b : p, c->pass == 3 ? bn : pn);
}

static void rules_all(const char *s, size_t len, struct masq_text *out)
{
	static const char *const help[] = {
		"masq_chain_policy_packets_total packets the built-in chain's policy decided",
		"masq_chain_policy_bytes_total bytes the built-in chain's policy decided",
		"masq_rule_packets_total packets the rule matched (iptables -L -v)",
		"masq_rule_bytes_total bytes the rule matched (iptables -L -v)",
	};

	for (int pass = 0; pass < 4; pass++) {
		struct rulectx c = { .pass = pass };
		const char *p = s, *end = s + len;

		masq_text_printf(out, "# HELP %s\n# TYPE %.*s counter\n",
				 help[pass], (int)strcspn(help[pass], " "), help[pass]);
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

			rule_line(&c, p, n, out);
			p += n + (nl != NULL);
		}
	}
}

/**
 * metrics_render() - A snapshot in the Prometheus text format 0.0.4
 * @stats:	`stats` text ("NAME VALUE" lines)
 * @slen:	its bytes
 * @rules:	`iptables-save -c` text, or empty
 * @rlen:	its bytes
 * @out:	the text; each family's # HELP and # TYPE once, its samples
 *		together
 *
 * O(lines * io fields); a line that is no count (a text value, a name
 * Prometheus cannot carry) is left out.
 */
void metrics_render(const char *stats, size_t slen, const char *rules,
		    size_t rlen, struct masq_text *out)
{
	plain_all(stats, slen, out);
	drops(stats, slen, out);
	io_all(stats, slen, out);
	rules_all(rules, rlen, out);
}

/* ---- the snapshot ------------------------------------------------------ */

static void copy_text(struct masq_text *to, const struct masq_text *from)
{
	to->len = 0;
	if (to->s)
		to->s[0] = 0;
	to->oom = 0;
	if (from && from->len)
		masq_text_append(to, from->s, from->len);
}

/**
 * metrics_publish() - The loop's snapshot, if the thread is not reading
 * @m:		endpoint
 * @stats:	`stats` text
 * @rules:	`iptables-save -c` text, or NULL to keep the last one
 *
 * Never waits: when the server holds the snapshot, this one is skipped.
 */
void metrics_publish(struct metrics *m, const struct masq_text *stats,
		     const struct masq_text *rules)
{
	if (pthread_mutex_trylock(&m->mu)) {
		m->skipped++;
		return;
	}
	copy_text(&m->stats, stats);
	if (rules)
		copy_text(&m->rules, rules);
	m->published++;
	pthread_mutex_unlock(&m->mu);
}

/* ---- the server thread ------------------------------------------------- */

struct mclient {
	int fd;
	uint64_t since_ms;
	size_t n;
	char req[METRICS_REQ_MAX];
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Write it all, waiting for the socket at most until @deadline_ms */
static void send_all(int fd, const char *s, size_t n, uint64_t deadline_ms)
{
	while (n) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		uint64_t now = mono_ms();
		struct pollfd p = { .fd = fd, .events = POLLOUT };

		if (w > 0) {
			s += w;
			n -= (size_t)w;
			continue;
		}
		if ((w < 0 && errno != EAGAIN && errno != EINTR) || now >= deadline_ms)
			return;
		poll(&p, 1, (int)(deadline_ms - now));
	}
}

/* Answer a whole request head and close */
static void answer(struct metrics *m, struct mclient *c)
{
	struct masq_text body = { 0 }, hdr = { 0 };
	const char *status = "200 OK";
	char *stats = NULL, *rules = NULL;
	size_t slen = 0, rlen = 0;

	if (!strncmp(c->req, "GET /metrics ", 13) || !strncmp(c->req, "GET / ", 6)) {
		pthread_mutex_lock(&m->mu);
		stats = m->stats.len ? strndup(m->stats.s, m->stats.len) : NULL;
		rules = m->rules.len ? strndup(m->rules.s, m->rules.len) : NULL;
		slen = stats ? m->stats.len : 0;
		rlen = rules ? m->rules.len : 0;
		pthread_mutex_unlock(&m->mu);
		metrics_render(stats ? stats : "", slen, rules ? rules : "",
			       rlen, &body);
		m->scrapes++;
	} else if (!strncmp(c->req, "GET ", 4)) {
		status = "404 Not Found";
		masq_text_printf(&body, "only /metrics is here\n");
	} else {
		status = "400 Bad Request";
		masq_text_printf(&body, "GET /metrics\n");
	}
	if (body.oom)
		status = "500 Internal Server Error";
	masq_text_printf(&hdr, "HTTP/1.0 %s\r\nContent-Type: text/plain; "
			 "version=0.0.4; charset=utf-8\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n", status, body.oom ? 0 : body.len);
	send_all(c->fd, hdr.s, hdr.len, c->since_ms + METRICS_IDLE_MS);
	if (!body.oom)
		send_all(c->fd, body.s, body.len, c->since_ms + METRICS_IDLE_MS);
	masq_text_free(&hdr);
	masq_text_free(&body);
	free(stats);
	free(rules);
	close(c->fd);
	c->fd = -1;
}

/* Read what came; answer when the head is whole or too long */
static void client_read(struct metrics *m, struct mclient *c)
{
	ssize_t r = recv(c->fd, c->req + c->n, sizeof(c->req) - 1 - c->n,
			 MSG_DONTWAIT);

	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
		close(c->fd);
		c->fd = -1;
		return;
	}
	if (r < 0)
		return;
	c->n += (size_t)r;
	c->req[c->n] = 0;
	if (strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n"))
		answer(m, c);
	else if (c->n == sizeof(c->req) - 1) {
		memcpy(c->req, "TOO LONG", 9);	/* 400 */
		answer(m, c);
	}
}

static void *serve(void *arg)
{
	struct metrics *m = arg;
	struct mclient *cl = calloc(METRICS_MAX_CLIENTS, sizeof(*cl));
	struct pollfd pfd[2 + METRICS_MAX_CLIENTS];

	if (!cl)
		return NULL;
	for (int i = 0; i < METRICS_MAX_CLIENTS; i++)
		cl[i].fd = -1;
	for (;;) {
		int free_slot = -1, n = 2;
		uint64_t now = mono_ms();

		pfd[0] = (struct pollfd){ .fd = m->stopfd, .events = POLLIN };
		for (int i = 0; i < METRICS_MAX_CLIENTS; i++) {
			if (cl[i].fd >= 0 && now - cl[i].since_ms >= METRICS_IDLE_MS) {
				close(cl[i].fd);
				cl[i].fd = -1;
			}
			if (cl[i].fd < 0 && free_slot < 0)
				free_slot = i;
			pfd[n++] = (struct pollfd){ .fd = cl[i].fd, .events = POLLIN };
		}
		/* a full house leaves new clients in the backlog */
		pfd[1] = (struct pollfd){ .fd = free_slot < 0 ? -1 : m->lfd,
					  .events = POLLIN };
		if (poll(pfd, (nfds_t)n, 1000) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents)
			break;
		if (pfd[1].revents & POLLIN) {
			int fd = accept4(m->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

			if (fd >= 0)
				cl[free_slot] = (struct mclient){ .fd = fd,
								  .since_ms = mono_ms() };
		}
		for (int i = 0; i < METRICS_MAX_CLIENTS; i++)
			if (cl[i].fd >= 0 && (pfd[2 + i].revents & (POLLIN | POLLHUP | POLLERR)))
				client_read(m, &cl[i]);
	}
	for (int i = 0; i < METRICS_MAX_CLIENTS; i++)
		if (cl[i].fd >= 0)
			close(cl[i].fd);
	free(cl);
	return NULL;
}

/**
 * metrics_parse_addr() - --metrics ADDR:PORT, or :PORT or PORT (loopback)
 * @arg:	the option's value
 * @sa:		the address
 *
 * Return: 0, or -EINVAL (a numeric IPv4 address and a port 1-65535)
 */
int metrics_parse_addr(const char *arg, struct sockaddr_in *sa)
{
	const char *colon = strrchr(arg, ':');
	char host[INET_ADDRSTRLEN] = METRICS_DEFAULT_ADDR;
	const char *port = colon ? colon + 1 : arg;
	char *end;
	unsigned long p;

	if (colon && colon > arg) {
		if ((size_t)(colon - arg) >= sizeof(host))
			return -EINVAL;
		memcpy(host, arg, (size_t)(colon - arg));
		host[colon - arg] = 0;
	}
	errno = 0;
	p = strtoul(port, &end, 10);
	if (!*port || *end || errno || p < 1 || p > 65535 || *port == '-' ||
	    *port == '+')
		return -EINVAL;
	*sa = (struct sockaddr_in){ .sin_family = AF_INET,
				    .sin_port = htons((uint16_t)p) };
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -EINVAL;
}

/**
 * metrics_listen() - Open the listening socket on @m->addr
 * @m:		endpoint, @addr set
 *
 * Before daemonizing (a bind error is seen at once); the thread comes
 * after it (metrics_run()), as threads do not cross fork().
 *
 * Return: 0, or -1 (logged)
 */
int metrics_listen(struct metrics *m)
{
	int one = 1;
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &m->addr.sin_addr, a, sizeof(a));
	pthread_mutex_init(&m->mu, NULL);
	m->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	m->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (m->lfd < 0 || m->stopfd < 0 ||
	    setsockopt(m->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(m->lfd, (struct sockaddr *)&m->addr, sizeof(m->addr)) ||
	    listen(m->lfd, 16)) {
		logmsg(LOG_ERR, "--metrics %s:%u: %s", a, ntohs(m->addr.sin_port),
		       strerror(errno));
		return -1;
	}
	return 0;
}

/**
 * metrics_run() - Start the server thread
 * @m:		endpoint, listening
 *
 * Return: 0, or -1 (logged)
 */
int metrics_run(struct metrics *m)
{
	struct sockaddr_in sa = m->addr;
	socklen_t sl = sizeof(sa);
	char a[INET_ADDRSTRLEN];

	getsockname(m->lfd, (struct sockaddr *)&sa, &sl);
	inet_ntop(AF_INET, &sa.sin_addr, a, sizeof(a));
	if (pthread_create(&m->thread, NULL, serve, m)) {
		logmsg(LOG_ERR, "--metrics: cannot start its thread");
		return -1;
	}
	m->on = true;
	logmsg(LOG_INFO, "metrics on http://%s:%u/metrics", a,
	       ntohs(sa.sin_port));
	return 0;
}

/**
 * metrics_stop() - Stop the thread, close the socket, free the snapshot
 * @m:		endpoint (started or not)
 */
void metrics_stop(struct metrics *m)
{
	uint64_t one = 1;

	if (m->on) {
		if (write(m->stopfd, &one, sizeof(one)) == sizeof(one))
			pthread_join(m->thread, NULL);
		m->on = false;
	}
	if (m->lfd >= 0)
		close(m->lfd);
	if (m->stopfd >= 0)
		close(m->stopfd);
	m->lfd = m->stopfd = -1;
	masq_text_free(&m->stats);
	masq_text_free(&m->rules);
}
