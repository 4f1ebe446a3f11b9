// SPDX-License-Identifier: MIT
/*
 * main.c - masqctl: send a command to masqd and print its answer
 *
 *	masqctl [-s SOCKET] VERB [ARG...]
 *
 * The words after the options go to masqd unchanged (control/proto.h);
 * the reply text is printed (stdout on success, stderr otherwise) and
 * masqctl exits with the command's status: 0 success, 1 failure, 2 usage
 * error. Reaching masqd at all is a failure of its own: a clear message
 * and status 1. The socket is -s, else $MASQ_SOCKET, else the default.
 *
 * Called by another name (a link named iptables, iptables-save,
 * iptables-restore or ipmasqadm), that name is the verb, so old scripts
 * run unchanged.
 *
 * Known limit: names (hosts, services) are not yet resolved here, and
 * listings are printed as masqd renders them (numeric).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "control/proto.h"

static const char *const alias_verbs[] = {
	"iptables", "iptables-save", "iptables-restore", "ipmasqadm",
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: masqctl [-s SOCKET] VERB [ARG...]\n"
"\n"
"Runs one command of the masq control language in masqd and prints the\n"
"answer; the exit status is the command's (0 ok, 1 failed, 2 usage).\n"
"\n"
"  -s, --socket PATH   masqd's control socket (default $MASQ_SOCKET,\n"
"                      else %s)\n"
"  -h, --help          this text\n"
"\n"
"Verbs: iface, addr, route, neigh, masq -L [-n], masq -S, conntrack -L|-F,\n"
"stats, set, show settings. See masqctl(8).\n", CTL_DEFAULT_SOCKET);
}

static int connect_to(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Leading options; returns the index of the verb, or -1 (exit with *rc) */
static int parse_opts(int argc, char **argv, const char **sock, int *rc)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			*rc = 0;
			return -1;
		} else if (!strcmp(a, "-s") || !strcmp(a, "--socket")) {
			if (++i == argc) {
				fprintf(stderr, "masqctl: %s needs a socket path\n", a);
				*rc = 2;
				return -1;
			}
			*sock = argv[i];
		} else if (!strncmp(a, "--socket=", 9)) {
			*sock = a + 9;
		} else if (!strncmp(a, "-s", 2)) {
			*sock = a + 2;
		} else {
			fprintf(stderr, "masqctl: unknown option '%s' before the verb "
				"(try 'masqctl --help')\n", a);
			*rc = 2;
			return -1;
		}
	}
	return i;
}

static int call(const char *sock, int argc, char **argv)
{
	char *text;
	size_t len;
	int fd, st, ret;

	fd = connect_to(sock);
	if (fd < 0) {
		fprintf(stderr, "masqctl: cannot reach masqd at %s: %s "
			"(is masqd running?)\n", sock, strerror(errno));
		return 1;
	}
	ret = ctl_call(fd, argc, argv, &st, &text, &len);
	close(fd);
	if (ret) {
		fprintf(stderr, "masqctl: %s: %s\n", sock, ctl_strerror(ret));
		return ret == -E2BIG || ret == -EMSGSIZE || ret == -EINVAL ? 2 : 1;
	}
	fwrite(text, 1, len, st ? stderr : stdout);
	if (len && text[len - 1] != '\n')
		fputc('\n', st ? stderr : stdout);
	free(text);
	if (fflush(stdout) == EOF) {
		fprintf(stderr, "masqctl: writing output: %s\n", strerror(errno));
		return 1;
	}
	return st;
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	const char *sock = getenv("MASQ_SOCKET");
	int rc = 2, first;

	if (!sock || !*sock)
		sock = CTL_DEFAULT_SOCKET;
	for (size_t k = 0; k < sizeof(alias_verbs) / sizeof(alias_verbs[0]); k++) {
		if (strcmp(base, alias_verbs[k]))
			continue;
		argv[0] = (char *)alias_verbs[k];
		return call(sock, argc, argv);
	}
	first = parse_opts(argc, argv, &sock, &rc);
	if (first < 0)
		return rc;
	if (first == argc) {
		usage(stderr);
		return 2;
	}
	return call(sock, argc - first, argv + first);
}
