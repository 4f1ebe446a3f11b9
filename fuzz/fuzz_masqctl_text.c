// SPDX-License-Identifier: MIT
/*
 * fuzz_masqctl_text.c - masqctl's readers of text: ipmasqadm's words and
 *			 listings, and save's reading of masqd's answers
 *
 * The first byte picks the reader; the rest is its input:
 *	0	ipmasqadm words (split at ' ' or NUL, "ipmasqadm" first):
 *		adm_resolve() and adm_help(); every word sent must be the
 *		user's own or a number it made (digits and dots, at most 15
 *		bytes), and a refusal must say why
 *	1-3	a listing of portfw, mfw, autofw through adm_render()
 *	4	six answers separated by NUL (settings, routes, neighbours,
 *		forwards, ruleset, helpers) through save_compose(); every
 *		line it writes is a comment, blank, or starts with a command
 *		word of the configuration file (set, route, neigh,
 *		ipmasqadm, iptables, helper)
 *	5-12	a masq -L listing through masq_render(): one line out per
 *		line in; and through a masq_feed in parts of (first byte
 *		- 4) bytes: the same text
 *	13	masq -D's three words (split at ' ' or NUL) through
 *		masq_resolve(): every word sent is the user's own or a
 *		number it made; a refusal says why
 * The resolver is the fuzzer's own: any word of three letters or more
 * that starts with 'h' is a host, with 's' a service; names back are
 * fixed. No lookup ever leaves the process.
 *
 * MASQ_FUZZ_WRITE_SEEDS=DIR writes a seed per reader into DIR and exits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "masqctl/masqctl.h"

#define MAX_WORDS	64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static int f_host(const char *name, uint32_t *addrs, int max)
{
	if (strlen(name) < 3 || name[0] != 'h' || max < 1)
		return -1;
	addrs[0] = 0xc0a80000u | (uint8_t)name[1];
	return 1;
}

static int f_service(const char *name, const char *proto, uint16_t *port)
{
	if (strlen(name) < 3 || name[0] != 's' || !proto)
		return -1;
	*port = (uint16_t)(name[1] | 1);
	return 0;
}

static int f_host_name(uint32_t addr, char *buf, size_t len)
{
	if (addr & 1)
		return -1;
	snprintf(buf, len, "a-host-name-of-some-length-%u", addr & 0xff);
	return 0;
}

static int f_service_name(uint16_t port, const char *proto, char *buf,
			  size_t len)
{
	if (port & 1)
		return -1;
	snprintf(buf, len, "svc%u%s", port, proto);
	return 0;
}

static const struct ipt_resolver fres = {
	.host = f_host, .service = f_service,
	.host_name = f_host_name, .service_name = f_service_name,
};

#define SEED(x)	{ x, sizeof(x) - 1 }

static const struct {
	const char *s;
	size_t len;
} seeds[] = {
	SEED("\0portfw -a -P tcp -L hgw sweb -R hweb 8080 -p 15"),
	SEED("\0mfw -A -m 1 -r hweb sweb -p 0\0-h"),
	SEED("\0autofw -A -r udp 7000 7010 -c udp sctl -u -i"),
	SEED("\1prot localaddr rediraddr lport rport pcnt pref\n"
	     "TCP  203.0.113.1  192.168.0.2  80  8080  12  15\n"),
	SEED("\2fwmark rediraddr rport pcnt pref\n1 192.168.0.2 80 0 0\n"),
	SEED("\3prot low high host control remote flags lapses\n"
	     "udp 7000 7010 192.168.0.2 tcp/554 203.0.113.1 US 12s\n"),
	SEED("\4timeout udp 77\norigdst-user 0:0\n\0"
	     "10.9.0.0/16 via 192.168.0.254 dev lan0\n\0"
	     "192.168.0.9 dev lan0 lladdr 02:00:00:00:00:09 PERMANENT\n\0"
	     "ipmasqadm mfw -A -m 1 -r 192.168.0.2 -p 0\n\0"
	     "*filter\n:INPUT DROP [0:0]\n:x - [0:0]\n"
	     "-A x -m comment --comment \"a b\"\nCOMMIT\n\0"
	     "ftp on ports 21,2121\nirc off ports 6667\ntftp on ports 69\n"),
	SEED("\5IP masquerading entries\n"
	     "prot expire   source               destination          ports\n"
	     "TCP  123:58.75 192.168.0.2          198.51.100.10        40000 (40000) -> 80\n"
	     "ICMP 00:58.75 192.168.0.2          198.51.100.10        300 (300) -> 8\n"),
	SEED("\7prot expire      initseq delta prevd source               destination          ports\n"
	     "TCP  14:59.96 4294967295  -123 32767 192.168.0.2          198.51.100.10        1025 (61000) -> 22"),
	SEED("\15tcp hweb sweb"),
	SEED("\15icmp 10.0.0.1 sx"),
};

static void write_seeds(const char *dir)
{
	for (size_t i = 0; i < sizeof(seeds) / sizeof(*seeds); i++) {
		char path[4096];
		FILE *f;

		snprintf(path, sizeof(path), "%s/seed-%zu", dir, i);
		f = fopen(path, "wb");
		if (!f)
			continue;
		fwrite(seeds[i].s, 1, seeds[i].len, f);
		fclose(f);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("MASQ_FUZZ_WRITE_SEEDS");

	(void)argc;
	(void)argv;
	if (dir) {
		write_seeds(dir);
		exit(0);
	}
	return 0;
}

/* A word adm_resolve() made must be the user's, or short and numeric */
static void check_words(int argc, char **argv, const char **out,
			char (*num)[ADM_NUM_LEN])
{
	for (int i = 0; i < argc; i++) {
		if (out[i] == argv[i])
			continue;
		if (out[i] != num[i] || strlen(out[i]) >= ADM_NUM_LEN ||
		    strspn(out[i], "0123456789.") != strlen(out[i]))
			abort();
	}
}

static void words(char *text, size_t n)
{
	char *argv[MAX_WORDS + 1], num[MAX_WORDS][ADM_NUM_LEN];
	const char *out[MAX_WORDS];
	struct ipt_err err = { { 0 } };
	size_t start = 0;
	int argc = 0, st;

	argv[argc++] = "ipmasqadm";
	for (size_t i = 0; i <= n && argc < MAX_WORDS; i++)
		if (i == n || text[i] == ' ' || text[i] == 0) {
			text[i] = 0;
			argv[argc++] = &text[start];
			start = i + 1;
		}
	argv[argc] = NULL;
	adm_help(argc, argv, &st);
	if (st != 0 && st != 2)
		abort();
	if (adm_resolve(argc, argv, &fres, out, num, &err)) {
		if (!err.msg[0])
			abort();
		return;
	}
	check_words(argc, argv, out, num);
}

/* Every line of @s is a comment, blank, or a command of the file */
static void check_file(const char *s)
{
	static const char *const cmds[] = { "set ", "route add ", "neigh add ",
					    "ipmasqadm ", "iptables -t ",
					    "helper ", "ipchains -",
					    "ipfwadm -" };

	for (const char *p = s; p && *p;) {
		size_t len = strcspn(p, "\n");
		bool ok = !len || *p == '#';

		for (size_t i = 0; !ok && i < sizeof(cmds) / sizeof(*cmds); i++)
			ok = !strncmp(p, cmds[i], strlen(cmds[i]));
		if (!ok)
			abort();
		p += len + (p[len] == '\n');
	}
}

/* The answers, NUL-separated; missing ones are empty */
static void save(char *text, size_t n)
{
	const char *part[6] = { "", "", "", "", "", "" };
	struct ipt_text out = { 0 };
	struct save_parts p;
	size_t start = 0;
	int k = 0;

	for (size_t i = 0; i <= n && k < 6; i++)
		if (i == n || text[i] == 0) {
			text[i] = 0;
			part[k++] = &text[start];
			start = i + 1;
		}
	p = (struct save_parts){ part[0], part[1], part[2], part[3], part[4],
				 part[5], n % 3 == 1 ? "ipchains" :
				 n % 3 == 2 ? "ipfwadm" : NULL };
	save_compose(&p, &out);
	/* forwards are masqd's own commands, passed as they are */
	if (!strchr(part[3], '\n') && !strchr(part[3], '\r') &&
	    (!*part[3] || !strncmp(part[3], "ipmasqadm ", 10)))
		check_file(out.s);
	ipt_text_free(&out);
}

/* Lines of @s: each newline ends one, and a last one may lack it */
static size_t lines_of(const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += s[i] == '\n';
	return k + (n && s[n - 1] != '\n');
}

/* A masq -L listing: rendered whole, and fed in parts of @part bytes */
static void masq_listing(const char *text, size_t n, size_t part)
{
	static struct masq_feed f;
	struct ipt_text out = { 0 };
	char *fed = NULL;
	size_t fed_len = 0;

	masq_render(text, n, &fres, &out);
	if (!out.oom && lines_of(out.s, out.len) != lines_of(text, n))
		abort();
	f = (struct masq_feed){ .res = &fres };
	f.to = open_memstream(&fed, &fed_len);
	if (!f.to) {
		ipt_text_free(&out);
		return;
	}
	for (size_t at = 0; at < n; at += part)
		if (masq_feed_part(&f, text + at, n - at < part ? n - at : part))
			abort();
	if (masq_feed_end(&f))
		abort();
	fclose(f.to);
	/* a text shorter than the carry is rendered as it is whole */
	if (!out.oom && (fed_len != out.len || memcmp(fed, out.s, fed_len)))
		abort();
	free(fed);
	ipt_text_free(&out);
}

/* masq -D PROTO HOST PORT, the three words from @text */
static void masq_words(char *text, size_t n)
{
	char *argv[5] = { "masq", "-D", "", "", "" }, addr[ADM_NUM_LEN];
	char port[ADM_NUM_LEN];
	const char *out[5];
	struct ipt_err err = { { 0 } };
	size_t start = 0;
	int k = 2;

	for (size_t i = 0; i <= n && k < 5; i++)
		if (i == n || text[i] == ' ' || text[i] == 0) {
			text[i] = 0;
			argv[k++] = &text[start];
			start = i + 1;
		}
	if (masq_resolve(argv, &fres, out, addr, port, &err)) {
		if (!err.msg[0])
			abort();
		return;
	}
	for (int i = 0; i < 5; i++) {
		if (out[i] == argv[i])
			continue;
		if (!(i == 3 && out[i] == addr) && !(i == 4 && out[i] == port))
			abort();
		if (strlen(out[i]) >= ADM_NUM_LEN ||
		    strspn(out[i], "0123456789.") != strlen(out[i]))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const mod[] = { "portfw", "mfw", "autofw" };
	static char text[8192];
	struct ipt_text out = { 0 };
	size_t n;

	if (!size)
		return 0;
	n = size - 1 < sizeof(text) - 1 ? size - 1 : sizeof(text) - 1;
	memcpy(text, data + 1, n);
	text[n] = 0;
	switch (data[0] % 14) {
	case 0:
		words(text, n);
		break;
	case 1:
	case 2:
	case 3:
		adm_render(mod[data[0] % 14 - 1], text, &fres, &out);
		ipt_text_free(&out);
		break;
	case 4:
		save(text, n);
		break;
	case 13:
		masq_words(text, n);
		break;
	default:
		masq_listing(text, n, (size_t)(data[0] % 14) - 4);
		break;
	}
	return 0;
}
