// SPDX-License-Identifier: MIT
/*
 * main.c - masq-socksify: automatic SOCKSification of redirected TCP
 *
 *	masq-socksify --socks HOST:PORT [--user NAME --password-file FILE]
 *		[--listen PORT] [--ports FILE] [--local FILE] [-s SOCKET] [-f]
 *
 * The seeds' autosocksifyd (inetd, nf_getsockname, redir, socksify) as one
 * daemon: masqd's nat rules REDIRECT internal clients' connections to
 * the listed ports to this relay on the router host; it asks masqd where
 * each was going and connects there through the SOCKS5 server.
 *
 * Start-up, in order, every failure a message on stderr and status 1:
 * the options; the password file; the SOCKS server's address (resolved
 * once, here); the ports file (must be readable) and the local file
 * (a missing default one is empty); masqd's internal twins' addresses
 * (`iface`, which the origdst user may read); a listener on each. Then,
 * without -f, the daemon detaches and logs to syslog. SIGHUP reads the
 * two files again (a bad file is logged and the old tables kept),
 * SIGUSR1 logs the counters, SIGTERM and SIGINT stop it (counters
 * logged).
 *
 * It never changes its user: run it as the user masqd's `set
 * origdst-user` names (docs: man/masq-socksify.8). As root it works too,
 * and says so once.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "control/proto.h"
#include "socksify/relay.h"

static volatile sig_atomic_t stop_flag, reload_flag, report_flag;

static void usage(FILE *f)
{
	fputs("usage: masq-socksify --socks HOST:PORT [--user NAME "
	      "--password-file FILE]\n"
	      "                     [--listen PORT] [--ports FILE] "
	      "[--local FILE] [-s SOCKET] [-f]\n"
	      "  --socks HOST:PORT     the SOCKS5 server (RFC 1928)\n"
	      "  --user NAME           username/password authentication "
	      "(RFC 1929) as NAME,\n"
	      "  --password-file FILE  ... with the password on FILE's "
	      "first line\n"
	      "  --listen PORT         the port the REDIRECT rules send to "
	      "(11080)\n"
	      "  --ports FILE          ports to SOCKSify "
	      "(" SX_DEFAULT_PORTS ")\n"
	      "  --local FILE          networks never SOCKSified "
	      "(" SX_DEFAULT_LOCAL ")\n"
	      "  -s, --socket SOCKET   masqd's control socket ($MASQ_SOCKET, "
	      "else " CTL_DEFAULT_SOCKET ")\n"
	      "  -f                    stay in the foreground, log to stderr\n",
	      f);
}

/* A decimal port 1-65535; Return: 0 when @s is not one */
static uint16_t port_arg(const char *s)
{
	char *end;
	long v;

	if (!s || *s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	return *end || errno || v < 1 || v > 65535 ? 0 : (uint16_t)v;
}

/* HOST:PORT (an IPv4 address or a name) into @sin */
static int socks_arg(const char *arg, struct sockaddr_in *sin)
{
	const char *colon = strrchr(arg, ':');
	struct addrinfo hints = { .ai_family = AF_INET,
				  .ai_socktype = SOCK_STREAM }, *res;
	char host[256];
	uint16_t port;
	int rc;

	if (!colon || colon == arg || (size_t)(colon - arg) >= sizeof(host) ||
	    !(port = port_arg(colon + 1))) {
		fprintf(stderr, "masq-socksify: --socks: bad 'HOST:PORT' '%s'\n",
			arg);
		return -1;
	}
	memcpy(host, arg, (size_t)(colon - arg));
	host[colon - arg] = '\0';
	rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc) {
		fprintf(stderr, "masq-socksify: --socks: '%s': %s\n", host,
			gai_strerror(rc));
		return -1;
	}
	*sin = *(struct sockaddr_in *)res->ai_addr;
	sin->sin_port = htons(port);
	freeaddrinfo(res);
	return 0;
}

/* The password: the first line of @path, 1-255 bytes */
static int password_read(const char *path, char *pass, size_t size)
{
	char *text;
	size_t len, n;
	int ret = sx_file_read(path, &text, &len);

	if (ret) {
		fprintf(stderr, "masq-socksify: --password-file %s: %s\n", path,
			strerror(-ret));
		return -1;
	}
	for (n = 0; n < len && text[n] != '\n' && text[n] != '\r'; n++)
		;
	if (n == 0 || n >= size || memchr(text, '\0', n)) {
		fprintf(stderr, "masq-socksify: --password-file %s: the first "
			"line must hold the password, 1-255 bytes\n", path);
		free(text);
		return -1;
	}
	memcpy(pass, text, n);
	pass[n] = '\0';
	memset(text, 0, len);
	free(text);
	return 0;
}

struct opts_state {
	const char *password_file;
	bool have_socks;
};

/* One option and its value; Return: 0, 1 for usage shown, -1 bad */
static int opt_one(struct sx_cfg *cfg, struct opts_state *o, const char *a,
		   const char *v)
{
	if (!v) {
		fprintf(stderr, "masq-socksify: %s needs a value\n", a);
		return -1;
	}
	if (!strcmp(a, "--socks")) {
		cfg->socks_name = v;
		o->have_socks = true;
		return socks_arg(v, &cfg->socks);
	}
	if (!strcmp(a, "--user")) {
		cfg->user = v;
		return 0;
	}
	if (!strcmp(a, "--password-file")) {
		o->password_file = v;
		return 0;
	}
	if (!strcmp(a, "--listen")) {
		cfg->listen_port = port_arg(v);
		if (cfg->listen_port)
			return 0;
		fprintf(stderr, "masq-socksify: --listen: bad port '%s'\n", v);
		return -1;
	}
	if (!strcmp(a, "--ports")) {
		cfg->ports_file = v;
		return 0;
	}
	if (!strcmp(a, "--local")) {
		cfg->local_file = v;
		cfg->local_given = true;
		return 0;
	}
	cfg->sock = v;		/* -s, --socket */
	return 0;
}

static bool takes_value(const char *a)
{
	static const char *const with[] = { "--socks", "--user",
		"--password-file", "--listen", "--ports", "--local", "-s",
		"--socket" };

	for (size_t i = 0; i < sizeof(with) / sizeof(with[0]); i++)
		if (!strcmp(a, with[i]))
			return true;
	return false;
}

/* Return: 0, 1 when --help was asked (shown), -1 for a bad command line */
static int parse_opts(int argc, char **argv, struct sx_cfg *cfg)
{
	struct opts_state o = { 0 };

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-f")) {
			cfg->foreground = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 1;
		} else if (takes_value(a)) {
			if (opt_one(cfg, &o, a, i + 1 < argc ? argv[++i] : NULL))
				return -1;
		} else {
			fprintf(stderr, "masq-socksify: unknown option '%s'\n", a);
			usage(stderr);
			return -1;
		}
	}
	if (!o.have_socks) {
		fprintf(stderr, "masq-socksify: --socks HOST:PORT is needed\n");
		return -1;
	}
	if (!cfg->user != !o.password_file) {
		fprintf(stderr, "masq-socksify: --user and --password-file go "
			"together\n");
		return -1;
	}
	if (cfg->user && (!cfg->user[0] || strlen(cfg->user) > SOCKS5_NAME_MAX)) {
		fprintf(stderr, "masq-socksify: --user: 1-255 bytes\n");
		return -1;
	}
	return o.password_file ?
	       password_read(o.password_file, cfg->pass, sizeof(cfg->pass)) : 0;
}

/* Both files into @ports and @local; Return: 0, or -1 after a message */
static int files_read(const struct sx_cfg *cfg, struct sx_ports *ports,
		      struct sx_local *local)
{
	char err[SX_ERR_MAX], *text;
	size_t len;
	int ret = sx_file_read(cfg->ports_file, &text, &len);

	if (ret) {
		sx_log(LOG_ERR, "%s: %s", cfg->ports_file, strerror(-ret));
		return -1;
	}
	ret = sx_ports_parse(text, len, cfg->ports_file, ports, err, sizeof(err));
	free(text);
	if (ret) {
		sx_log(LOG_ERR, "%s", err);
		return -1;
	}
	ret = sx_file_read(cfg->local_file, &text, &len);
	if (ret == -ENOENT && !cfg->local_given) {
		local->n = 0;
		return 0;
	}
	if (ret) {
		sx_log(LOG_ERR, "%s: %s", cfg->local_file, strerror(-ret));
		return -1;
	}
	ret = sx_local_parse(text, len, cfg->local_file, local, err, sizeof(err));
	free(text);
	if (ret) {
		sx_log(LOG_ERR, "%s", err);
		return -1;
	}
	return 0;
}

/* SIGHUP: the files again; the old tables stay when one is bad */
static void files_reload(struct sx_cfg *cfg)
{
	static struct sx_ports ports;
	static struct sx_local local;

	if (files_read(cfg, &ports, &local)) {
		sx_log(LOG_ERR, "SIGHUP: the files are unchanged in use");
		return;
	}
	cfg->ports = ports;
	cfg->local = local;
	sx_log(LOG_INFO, "SIGHUP: %u ports, %u local networks", cfg->ports.n,
	       cfg->local.n);
}

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_flag = 1;
	else if (sig == SIGUSR1)
		report_flag = 1;
	else
		stop_flag = 1;
}

static void signals_set(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	const int sigs[] = { SIGHUP, SIGUSR1, SIGTERM, SIGINT };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* The internal twins' addresses from masqd; Return: how many, -1 */
static int internal_addrs(const struct sx_cfg *cfg, struct in_addr *addrs)
{
	char err[SX_ERR_MAX];
	int n = 0;

	if (sx_ask_internal(cfg->sock, addrs, SX_MAX_LISTEN, &n, err,
			    sizeof(err))) {
		sx_log(LOG_ERR, "%s", err);
		return -1;
	}
	if (n == 0)
		sx_log(LOG_ERR, "masqd has no internal interface with an "
		       "address and a twin to listen on");
	return n ? n : -1;
}

int main(int argc, char **argv)
{
	static struct sx_cfg cfg = { .listen_port = SX_DEFAULT_LISTEN,
				     .ports_file = SX_DEFAULT_PORTS,
				     .local_file = SX_DEFAULT_LOCAL };
	struct in_addr addrs[SX_MAX_LISTEN];
	char err[SX_ERR_MAX];
	struct sx_relay *r;
	int n, rc;

	cfg.sock = getenv("MASQ_SOCKET");
	if (!cfg.sock || !*cfg.sock)
		cfg.sock = CTL_DEFAULT_SOCKET;
	rc = parse_opts(argc, argv, &cfg);
	if (rc)
		return rc > 0 ? 0 : 2;
	sx_log_open(true);
	if (files_read(&cfg, &cfg.ports, &cfg.local))
		return 1;
	n = internal_addrs(&cfg, addrs);
	if (n < 0)
		return 1;
	r = sx_relay_open(&cfg, addrs, n, err, sizeof(err));
	if (!r) {
		sx_log(LOG_ERR, "%s", err);
		return 1;
	}
	if (!cfg.foreground && daemon(0, 0)) {
		sx_log(LOG_ERR, "daemon: %s", strerror(errno));
		return 1;
	}
	sx_log_open(cfg.foreground);
	signals_set();
	if (geteuid() == 0)
		sx_log(LOG_WARNING, "running as root: run it as masqd's "
		       "origdst-user instead (see masq-socksify(8))");
	sx_log(LOG_INFO, "SOCKS server %s%s; %u ports, %u local networks",
	       cfg.socks_name, cfg.user ? " (username/password)" : "",
	       cfg.ports.n, cfg.local.n);
	rc = sx_relay_run(r, &stop_flag, &reload_flag, &report_flag,
			  files_reload);
	sx_relay_stats_log(r);
	sx_relay_close(r);
	if (rc)
		sx_log(LOG_ERR, "epoll: %s", strerror(-rc));
	return rc ? 1 : 0;
}
