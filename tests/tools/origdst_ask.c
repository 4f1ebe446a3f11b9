// SPDX-License-Identifier: MIT
/*
 * origdst_ask.c - ask masqd where a REDIRECTed connection was going,
 * without masqctl: the C function docs/control.md gives relays to paste
 * ("Asking for the original destination"), as a program for the tests
 *
 *	origdst_ask [-s SOCKET] CLIENT:PORT LOCAL:PORT [tcp|udp]
 *
 * Prints the original destination, ADDR:PORT, and exits 0; or prints
 * what masqd answered on stderr and exits 1 (no such connection, not
 * allowed, masqd not reached); 2 for bad arguments. SOCKET defaults to
 * $MASQ_SOCKET, else /run/masq/masqd.sock.
 *
 * masq_origdst() speaks the control protocol (src/control/proto.h)
 * itself, in plain C with no library of masq's: that is the point, a
 * relay links nothing of masq. The document shows it exactly as it is
 * here (test_masqctl compares the two, and runs this program against
 * its fake masqd); tests/e2e runs it as the unprivileged user `set
 * origdst-user` names.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

/* ---- the function docs/control.md shows -------------------------------- */

/* Exactly @n bytes to or from @fd; 0, or -1 (errno set) */
static int io_all(int fd, void *buf, size_t n, int wr)
{
	for (size_t k = 0; k < n;) {
		ssize_t r = wr ? write(fd, (char *)buf + k, n - k) :
				 read(fd, (char *)buf + k, n - k);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			errno = r ? errno : EPROTO;
			return -1;
		}
		k += (size_t)r;
	}
	return 0;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | p[2] << 8 | p[3];
}

/**
 * masq_origdst() - Where was a connection masqd REDIRECTed to us going?
 * @sock:	masqd's control socket ("/run/masq/masqd.sock")
 * @peer:	the accepted socket's peer (getpeername)
 * @local:	its own end (getsockname)
 * @udp:	0 for TCP, 1 for UDP
 * @orig:	set to the original destination
 * @text:	masqd's answer, NUL-terminated (cut to @cap), or NULL
 * @cap:	size of @text
 *
 * Return: 0; -1 with errno ENOENT (no such connection), EACCES (this
 * user may not ask), EPROTO (a malformed answer), or the socket's error
 */
static int masq_origdst(const char *sock, const struct sockaddr_in *peer,
			const struct sockaddr_in *local, int udp,
			struct sockaddr_in *orig, char *text, size_t cap)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char w[4][24] = { "origdst", "", "", "udp" }, a[4][16], t[256] = "";
	uint8_t req[128], h[12], b[256];
	uint32_t len = 4, k, n, got = 0, status = 0;
	int fd, nw = udp ? 4 : 3, kind = 0, ret = -1;
	unsigned int port;

	if (text && cap)
		text[0] = '\0';

	inet_ntop(AF_INET, &peer->sin_addr, a[1], sizeof(a[1]));
	inet_ntop(AF_INET, &local->sin_addr, a[2], sizeof(a[2]));
	snprintf(w[1], 24, "%s:%u", a[1], ntohs(peer->sin_port));
	snprintf(w[2], 24, "%s:%u", a[2], ntohs(local->sin_port));
	memcpy(req, "MQC1\0\2\0\1", 8);		/* magic, version 2, request */
	req[12] = req[13] = req[14] = 0;
	req[15] = (uint8_t)nw;			/* u32 argc */
	for (int i = 0; i < nw; i++) {		/* u32 length, bytes, each */
		n = (uint32_t)strlen(w[i]);
		memcpy(req + 12 + len, (uint8_t[4]){ 0, 0, 0, (uint8_t)n }, 4);
		memcpy(req + 16 + len, w[i], n);
		len += 4 + n;
	}
	memcpy(req + 8, (uint8_t[4]){ 0, 0, 0, (uint8_t)len }, 4); /* body */
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) ||
	    io_all(fd, req, 12 + len, 1))
		goto out;
	while (kind != 2) {		/* parts (3) of text, then the reply (2) */
		if (io_all(fd, h, 12, 0))
			goto out;
		kind = h[7];
		len = be32(h + 8);
		if (memcmp(h, "MQC1\0\2\0", 7) || (kind != 2 && kind != 3) ||
		    len > (1u << 20) || (kind == 2 && len < 4)) {
			errno = EPROTO;
			goto out;
		}
		for (k = 0; k < len; k += n) {	/* the body, kept in @t */
			uint32_t skip = kind == 2 && k == 0 ? 4 : 0;

			n = len - k < sizeof(b) ? len - k : sizeof(b);
			if (io_all(fd, b, n, 0))
				goto out;
			if (skip)		/* a reply: u32 status first */
				status = be32(b);
			for (uint32_t i = skip; i < n && got < sizeof(t) - 1; i++)
				t[got++] = (char)b[i];
		}
	}
	t[got] = '\0';
	if (text && cap)
		snprintf(text, cap, "%s", t);
	*orig = (struct sockaddr_in){ .sin_family = AF_INET };
	if (status == 0 && sscanf(t, "%15[0-9.]:%u", a[3], &port) == 2 &&
	    port <= 65535 && inet_pton(AF_INET, a[3], &orig->sin_addr) == 1) {
		orig->sin_port = htons((uint16_t)port);
		ret = 0;
	} else {
		errno = strstr(t, "no such connection") ? ENOENT :
			strstr(t, "permission denied") ? EACCES : EPROTO;
	}
out:
	if (fd >= 0) {
		int e = errno;

		close(fd);
		errno = e;
	}
	return ret;
}

/* ---- the program ---------------------------------------------------------- */

/* "A.B.C.D:PORT" into @sa; 0 or -1 */
static int endpoint(const char *s, struct sockaddr_in *sa)
{
	char ip[16];
	unsigned int port;
	char tail;

	*sa = (struct sockaddr_in){ .sin_family = AF_INET };
	if (sscanf(s, "%15[0-9.]:%u%c", ip, &port, &tail) != 2 || !port ||
	    port > 65535 || inet_pton(AF_INET, ip, &sa->sin_addr) != 1)
		return -1;
	sa->sin_port = htons((uint16_t)port);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: origdst_ask [-s SOCKET] CLIENT:PORT LOCAL:PORT "
		"[tcp|udp]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *sock = getenv("MASQ_SOCKET");
	struct sockaddr_in peer, local, orig;
	char text[256], ip[INET_ADDRSTRLEN];
	int i = 1, udp = 0;

	if (!sock || !*sock)
		sock = "/run/masq/masqd.sock";
	if (argc > 2 && !strcmp(argv[1], "-s")) {
		sock = argv[2];
		i = 3;
	}
	if (argc - i < 2 || argc - i > 3 || endpoint(argv[i], &peer) ||
	    endpoint(argv[i + 1], &local))
		return usage();
	if (argc - i == 3) {
		if (strcmp(argv[i + 2], "tcp") && strcmp(argv[i + 2], "udp"))
			return usage();
		udp = !strcmp(argv[i + 2], "udp");
	}
	if (masq_origdst(sock, &peer, &local, udp, &orig, text, sizeof(text))) {
		if (text[0])	/* masqd's words say it best */
			fprintf(stderr, "origdst_ask: %s", text);
		else
			fprintf(stderr, "origdst_ask: %s\n", strerror(errno));
		return 1;
	}
	inet_ntop(AF_INET, &orig.sin_addr, ip, sizeof(ip));
	printf("%s:%u\n", ip, ntohs(orig.sin_port));
	return 0;
}
