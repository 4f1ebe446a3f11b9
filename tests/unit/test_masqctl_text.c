// SPDX-License-Identifier: MIT
/*
 * test_masqctl_text.c - masqctl's text work, in-process: ipmasqadm's
 *			 names and listings and help, and masqctl save
 *
 * ipmasqadm (src/masqctl/ipmasqadm.c): words resolved with a resolver of
 * the test's own (so no case depends on /etc/hosts or DNS), then a few
 * with masqctl's real one (numbers pass, "localhost" resolves, a name
 * under .invalid does not); masqd's listings rendered with names in the
 * same columns; which commands are questions for help, and what the help
 * says.
 *
 * save (src/masqctl/saveall.c): masqd's answers turned into a file, line
 * by line (what is the user's and what is not, quoting, lines not
 * understood); then the proof the issue asks for, in-process: an engine
 * configured with settings, helpers, routes, neighbours, forwards and
 * rules in three tables, its answers composed into a file, a second
 * engine loaded
 * from that file as masqd -c would (reload.h, after the same command
 * line) and every listing compared; and loaded again as a SIGHUP would,
 * nothing doubled.
 *
 * masq (src/masqctl/masq.c): -D's host and port resolved; the table
 * rendered with names in ipchains' columns, whole and as parts cut
 * anywhere (every split, byte by byte, a line longer than the carry);
 * an engine's own listing through it.
 *
 * Prints "ok masqctl_text/NAME" or "FAIL masqctl_text/NAME: why".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/ctlline.h"
#include "../lib/frame.h"
#include "control/reload.h"
#include "masqctl/masqctl.h"
#include "../lib/report.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define MAX_WORDS	32

/* "ok masqctl_text/NAME" or "FAIL masqctl_text/NAME: why" (tests/lib/report.h) */
static void report(const char *name, bool ok)
{
	report_result("masqctl_text", name, ok);
}

/* ---- a resolver of the test's own ------------------------------------- */

static int lookups;

static const struct {
	const char *name;
	uint32_t addr;
} hosts[] = {
	{ "web", IP4(192, 168, 0, 2) },
	{ "web2", IP4(192, 168, 0, 3) },
	{ "gw", IP4(203, 0, 113, 1) },
	{ "multi", IP4(10, 0, 0, 1) },
	{ "multi", IP4(10, 0, 0, 2) },
};

static const struct {
	const char *name, *proto;
	uint16_t port;
} services[] = {
	{ "http", "tcp", 80 }, { "domain", "tcp", 53 }, { "domain", "udp", 53 },
	{ "ssh", "tcp", 22 }, { "rtsp", "tcp", 554 },
};

static int fake_host(const char *name, uint32_t *addrs, int max)
{
	int n = 0;

	lookups++;
	for (size_t i = 0; i < sizeof(hosts) / sizeof(*hosts); i++)
		if (!strcmp(name, hosts[i].name) && n < max)
			addrs[n++] = hosts[i].addr;
	return n ? n : -1;
}

static int fake_service(const char *name, const char *proto, uint16_t *port)
{
	lookups++;
	for (size_t i = 0; i < sizeof(services) / sizeof(*services); i++)
		if (!strcmp(name, services[i].name) &&
		    !strcmp(proto, services[i].proto)) {
			*port = services[i].port;
			return 0;
		}
	return -1;
}

static int fake_host_name(uint32_t addr, char *buf, size_t len)
{
	const char *name = addr == IP4(192, 168, 0, 2) ? "web.example.org" :
			   addr == IP4(203, 0, 113, 1) ? "gw" :
			   addr == IP4(192, 168, 0, 3) ?
			   "a-name-longer-than-twenty.example.org" : NULL;

	if (!name || strlen(name) >= len)
		return -1;
	strcpy(buf, name);
	return 0;
}

static int fake_service_name(uint16_t port, const char *proto, char *buf,
			     size_t len)
{
	for (size_t i = 0; i < sizeof(services) / sizeof(*services); i++)
		if (port == services[i].port && !strcmp(proto, services[i].proto) &&
		    strlen(services[i].name) < len) {
			strcpy(buf, services[i].name);
			return 0;
		}
	return -1;
}

static const struct ipt_resolver fake = {
	.host = fake_host,
	.service = fake_service,
	.host_name = fake_host_name,
	.service_name = fake_service_name,
};

/* ---- resolution --------------------------------------------------------- */

/*
 * ipmasqadm + @line's words through adm_resolve(); the words it would
 * send, joined, in @got. Return: its status
 */
static int resolve(const struct ipt_resolver *res, const char *line,
		   char *got, size_t len, struct ipt_err *err)
{
	char buf[512], *argv[MAX_WORDS], *save = NULL;
	const char *out[MAX_WORDS];
	char num[MAX_WORDS][ADM_NUM_LEN];
	int argc = 0, rc;
	size_t n = 0;

	argv[argc++] = "ipmasqadm";
	snprintf(buf, sizeof(buf), "%s", line);
	for (char *w = strtok_r(buf, " ", &save); w && argc < MAX_WORDS;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	memset(err, 0, sizeof(*err));
	rc = adm_resolve(argc, argv, res, out, num, err);
	got[0] = '\0';
	for (int i = 0; i < argc && n < len; i++)
		n += (size_t)snprintf(got + n, len - n, "%s%s", i ? " " : "",
				      out[i]);
	return rc;
}

/* @line resolves with the fake resolver to "ipmasqadm " + @want */
static bool sends(const char *line, const char *want)
{
	char got[1024], full[1024];
	struct ipt_err err;
	int rc = resolve(&fake, line, got, sizeof(got), &err);

	snprintf(full, sizeof(full), "ipmasqadm %s", want);
	if (rc)
		return report_whyf("'%s' refused: %s", line, err.msg);
	if (strcmp(got, full))
		return report_whyf("'%s' sends '%s', want '%s'", line, got, full);
	return true;
}

/* @line is refused (status 2) with a message that has @needle */
static bool refused(const struct ipt_resolver *res, const char *line,
		    const char *needle)
{
	char got[1024];
	struct ipt_err err;
	int rc = resolve(res, line, got, sizeof(got), &err);

	if (rc != 2)
		return report_whyf("'%s' gave %d, want 2 (sends '%s')", line, rc, got);
	if (!strstr(err.msg, needle))
		return report_whyf("'%s': message '%s' lacks '%s'", line, err.msg,
				   needle);
	return true;
}

static bool t_numbers_untouched(void)
{
	static const char *const lines[] = {
		"portfw -a -P tcp -L 203.0.113.1 80 -R 192.168.0.2 8080 -p 15",
		"portfw -d -P udp -L 203.0.113.1 53",
		"portfw -a -P tcp -L 203.0.113.1 0 -R 192.168.0.2 65536",
		"portfw -a -P tcp -L 1.2.3 80 -R 192.168.0.300 80",
		"mfw -A -m 1 -r 192.168.0.2 80 -p 0",
		"mfw -I -m 0x10 -r 192.168.0.2",
		"autofw -A -r udp 7000 7010 -c tcp 7070 -u -i",
		"autofw -A -r tcp 6000 6010 -h 192.168.0.2",
		"portfw -l -n", "mfw -L", "save", "flush", "nosuchmodule -x y",
	};

	lookups = 0;
	for (size_t i = 0; i < sizeof(lines) / sizeof(*lines); i++)
		if (!sends(lines[i], lines[i]))
			return false;
	return lookups == 0 ||
	       report_whyf("%d lookups for numeric words", lookups);
}

static bool t_names_resolved(void)
{
	return sends("portfw -a -P tcp -L gw http -R web 8080 -p 5",
		     "portfw -a -P tcp -L 203.0.113.1 80 -R 192.168.0.2 8080 -p 5") &&
	       /* -P after the ports it is the protocol of */
	       sends("portfw -a -L gw domain -R web domain -P udp",
		     "portfw -a -L 203.0.113.1 53 -R 192.168.0.2 53 -P udp") &&
	       sends("portfw -a -P TCP -L gw ssh -R multi 22",
		     "portfw -a -P TCP -L 203.0.113.1 22 -R 10.0.0.1 22") &&
	       sends("portfw -d -P tcp -L gw http",
		     "portfw -d -P tcp -L 203.0.113.1 80") &&
	       sends("mfw -A -m 1 -r web http -p 0",
		     "mfw -A -m 1 -r 192.168.0.2 80 -p 0") &&
	       /* RPORT is optional: -p is not taken for one */
	       sends("mfw -I -m 2 -r web2 -p 5", "mfw -I -m 2 -r 192.168.0.3 -p 5") &&
	       sends("mfw -D -m 2 -r web2", "mfw -D -m 2 -r 192.168.0.3") &&
	       sends("autofw -A -r udp 7000 7010 -c udp domain",
		     "autofw -A -r udp 7000 7010 -c udp 53") &&
	       sends("autofw -A -r tcp rtsp 600 -h web",
		     "autofw -A -r tcp 554 600 -h 192.168.0.2") &&
	       /* what masqd will refuse goes as it is */
	       sends("portfw -a -P tcp -L gw 80 -R web -p",
		     "portfw -a -P tcp -L 203.0.113.1 80 -R 192.168.0.2 -p") &&
	       sends("mfw -A -m 1 -r -p 5", "mfw -A -m 1 -r -p 5");
}

static bool t_names_refused(void)
{
	return refused(&fake, "portfw -a -P tcp -L nosuch 80 -R web 80",
		       "host `nosuch' not found") &&
	       refused(&fake, "portfw -a -P udp -L gw http -R web 80",
		       "unknown service `http' for udp") &&
	       refused(&fake, "portfw -a -L gw http -R web 80",
		       "needs a protocol, tcp or udp (-P)") &&
	       refused(&fake, "portfw -a -P icmp -L gw http -R web 80",
		       "needs a protocol") &&
	       refused(&fake, "mfw -A -m 1 -r nosuch", "mfw: host `nosuch'") &&
	       refused(&fake, "mfw -A -m 1 -r web nosuchsvc",
		       "mfw: unknown service `nosuchsvc' for tcp") &&
	       refused(&fake, "autofw -A -r udp 7000 7010 -h nosuch",
		       "autofw: host `nosuch'") &&
	       refused(&fake, "autofw -A -r udp 7000 7010 -c sctp domain",
		       "needs a protocol");
}

/* masqctl's own resolver: numbers pass, localhost resolves, .invalid not */
static bool t_system_names(void)
{
	char got[512];
	struct ipt_err err;
	int rc = resolve(&names_resolver,
			 "portfw -a -P tcp -L 127.0.0.1 80 -R localhost 81",
			 got, sizeof(got), &err);

	if (rc || strcmp(got, "ipmasqadm portfw -a -P tcp -L 127.0.0.1 80 "
			 "-R 127.0.0.1 81"))
		return report_whyf("localhost: %d '%s' %s", rc, got, err.msg);
	return refused(&names_resolver,
		       "mfw -A -m 1 -r masq-no-such-host.invalid",
		       "host `masq-no-such-host.invalid' not found");
}

/* ---- help --------------------------------------------------------------- */

/* ipmasqadm + @line: help with @status whose text has @needle, or none */
static bool help_is(const char *line, int status, const char *needle)
{
	char buf[256], *argv[MAX_WORDS], *save = NULL;
	const char *h;
	int argc = 0, st = -1;

	argv[argc++] = "ipmasqadm";
	snprintf(buf, sizeof(buf), "%s", line);
	for (char *w = strtok_r(buf, " ", &save); w && argc < MAX_WORDS;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	h = adm_help(argc, argv, &st);
	if (!needle)
		return !h || report_whyf("'%s' is taken for help", line);
	if (!h)
		return report_whyf("'%s' gives no help", line);
	if (st != status)
		return report_whyf("'%s': status %d, want %d", line, st, status);
	return strstr(h, needle) || report_whyf("'%s': help lacks '%s'", line, needle);
}

static bool t_help(void)
{
	return help_is("", 2, "Usage: ipmasqadm MODULE") &&
	       help_is("-h", 0, "portfw") && help_is("--help", 0, "autofw") &&
	       help_is("portfw", 2, "portfw -a -P PROTO -L LADDR LPORT -R RADDR RPORT [-p PREF]") &&
	       help_is("portfw -h", 0, "(default 10)") &&
	       help_is("portfw -l -h", 0, "LADDR") &&
	       help_is("mfw -h", 0, "mfw -S -m FWMARK") &&
	       help_is("mfw", 2, "FWMARK") &&
	       help_is("autofw", 2, "-c PROTO PORT") &&
	       help_is("autofw --help", 0, "-r PROTO LOW HIGH") &&
	       /* autofw's -h is a host; a value is not an option */
	       help_is("autofw -A -r udp 7000 7010 -h 192.168.0.2", 0, NULL) &&
	       help_is("portfw -a -P tcp -L -h 80 -R 192.168.0.2 80", 0, NULL) &&
	       help_is("portfw -l", 0, NULL) && help_is("save", 0, NULL) &&
	       help_is("nosuch -h", 0, NULL);
}

/* ---- listings ----------------------------------------------------------- */

static bool rendered(const char *module, const char *text, const char *want)
{
	struct ipt_text out = { 0 };
	bool ok;

	adm_render(module, text, &fake, &out);
	ok = !out.oom && !strcmp(out.s ? out.s : "", want);
	if (!ok)
		report_whyf("%s: got <%s> want <%s>", module, out.s ? out.s : "", want);
	ipt_text_free(&out);
	return ok;
}

static bool t_render(void)
{
	char want[2048];

	snprintf(want, sizeof(want),
		 "%-4s %-20s %-20s %8s %8s %5s %5s\n"
		 "%-4s %-20s %-20s %8s %8s %5s %5s\n"
		 "%-4s %-20s %-20s %8s %8s %5s %5s\n"
		 "%-4s %-20s %-20s %8s %8s %5s %5s\n"
		 "something masqd did not say before\n",
		 "prot", "localaddr", "rediraddr", "lport", "rport", "pcnt", "pref",
		 "TCP", "gw", "web.example.org", "http", "8080", "12", "15",
		 "UDP", "gw", "a-name-longer-than-twenty.example.org", "domain",
		 "domain", "10", "10",
		 "TCP", "198.51.100.1", "10.0.0.9", "rtsp", "7", "1", "1");
	if (!rendered("portfw",
		      "prot localaddr            rediraddr               lport    rport  pcnt  pref\n"
		      "TCP  203.0.113.1          192.168.0.2               80     8080    12    15\n"
		      "UDP  203.0.113.1          192.168.0.3               53       53    10    10\n"
		      "TCP  198.51.100.1         10.0.0.9                 554        7     1     1\n"
		      "something masqd did not say before\n", want))
		return false;
	snprintf(want, sizeof(want),
		 "%-8s %-20s %8s %5s %5s\n%-8s %-20s %8s %5s %5s\n"
		 "%-8s %-20s %8s %5s %5s\n",
		 "fwmark", "rediraddr", "rport", "pcnt", "pref",
		 "1", "web.example.org", "http", "0", "0",
		 "4294967295", "10.1.2.3", "0", "10", "10");
	if (!rendered("mfw",
		      "fwmark   rediraddr               rport  pcnt  pref\n"
		      "1        192.168.0.2                80     0     0\n"
		      "4294967295 10.1.2.3                  0    10    10\n", want))
		return false;
	snprintf(want, sizeof(want),
		 "%-4s %5s %5s %-16s %-9s %-16s %-5s %s\n"
		 "%-4s %5s %5s %-16s %-9s %-16s %-5s %s\n"
		 "%-4s %5s %5s %-16s %-9s %-16s %-5s %s\n",
		 "prot", "low", "high", "host", "control", "remote", "flags", "lapses",
		 "udp", "7000", "7010", "web.example.org", "tcp/rtsp", "gw", "US", "12s",
		 "tcp", "53", "53", "10.0.0.7", "-", "-", "-", "never");
	return rendered("autofw",
			"prot   low  high host             control   remote           flags lapses\n"
			"udp   7000  7010 192.168.0.2      tcp/554   203.0.113.1      US    12s\n"
			"tcp     53    53 10.0.0.7         -         -                -     never\n",
			want) &&
	       rendered("portfw", "", "") &&
	       rendered("mfw", "no newline at the end", "no newline at the end\n");
}

/* ---- masq: the table with names ---------------------------------------- */

static const char masq_numeric[] =
	"IP masquerading entries\n"
	"prot expire   source               destination          ports\n"
	"TCP  123:58.75 192.168.0.2          198.51.100.10        40000 (40000) -> 80\n"
	"UDP  00:28.75 192.168.0.3          203.0.113.1          53 (61000) -> 53\n"
	"ICMP 00:58.75 192.168.0.2          10.0.0.9             300 (300) -> 8\n"
	"TCP  03:58.75 192.168.0.3          198.51.100.11        22 (2121) -> 6000\n"
	"a line masqd did not say before\n";

/* masq_numeric as it must print with the test's names */
static void masq_named(char *want, size_t len)
{
	snprintf(want, len,
		 "IP masquerading entries\n"
		 "prot expire   source               destination          ports\n"
		 "%-5s%s %-20s %-20s %s (%s) -> %s\n"
		 "%-5s%s %-20s %-20s %s (%s) -> %s\n"
		 "%-5s%s %-20s %-20s %s (%s) -> %s\n"
		 "%-5s%s %-20s %-20s %s (%s) -> %s\n"
		 "a line masqd did not say before\n",
		 "TCP", "123:58.75", "web.example.org", "198.51.100.10", "40000",
		 "40000", "http",
		 "UDP", "00:28.75", "a-name-longer-than-twenty.example.org", "gw",
		 "domain", "61000", "domain",
		 "ICMP", "00:58.75", "web.example.org", "10.0.0.9", "300", "300",
		 "8",
		 "TCP", "03:58.75", "a-name-longer-than-twenty.example.org",
		 "198.51.100.11", "ssh", "2121", "6000");
}

static bool masq_rendered(const char *text, const char *want)
{
	struct ipt_text out = { 0 };
	bool ok;

	masq_render(text, strlen(text), &fake, &out);
	ok = !out.oom && !strcmp(out.s ? out.s : "", want);
	if (!ok)
		report_whyf("masq: got <%s> want <%s>", out.s ? out.s : "", want);
	ipt_text_free(&out);
	return ok;
}

/* Rows named in ipchains' columns (-v's too); other lines as they came */
static bool t_masq_render(void)
{
	char want[2048];

	masq_named(want, sizeof(want));
	if (!masq_rendered(masq_numeric, want))
		return false;
	snprintf(want, sizeof(want),
		 "prot expire      initseq delta prevd source               destination          ports\n"
		 "%-5s%s %10s %5s %5s %-20s %-20s %s (%s) -> %s\n",
		 "TCP", "14:59.96", "4294967295", "-123", "32767",
		 "web.example.org", "198.51.100.10", "1025", "61000", "ssh");
	return masq_rendered(
		"prot expire      initseq delta prevd source               destination          ports\n"
		"TCP  14:59.96 4294967295  -123 32767 192.168.0.2          198.51.100.10        1025 (61000) -> 22\n",
		want) &&
	       /* words that are no row: not an address, no "->", no (port) */
	       masq_rendered("TCP  00:01.00 192.168.0.2 10.0.0.1 1 2 -> 3\n"
			     "TCP  00:01.00 web 10.0.0.1 1 (2) -> 3\n"
			     "TCP  00:01.00 192.168.0.2 10.0.0.1 1 (2) => 3\n"
			     "TCP  00:01.00 192.168.0.2 10.0.0.1 1 (x) -> 3",
			     "TCP  00:01.00 192.168.0.2 10.0.0.1 1 2 -> 3\n"
			     "TCP  00:01.00 web 10.0.0.1 1 (2) -> 3\n"
			     "TCP  00:01.00 192.168.0.2 10.0.0.1 1 (2) => 3\n"
			     "TCP  00:01.00 192.168.0.2 10.0.0.1 1 (x) -> 3\n") &&
	       masq_rendered("", "");
}

/* @text through a feed in parts cut at @cuts (ascending, -1 ends) */
static char *masq_fed(const char *text, size_t len, const size_t *cuts)
{
	struct masq_feed *f = calloc(1, sizeof(*f));
	char *s = NULL;
	size_t slen = 0, at = 0;
	int rc = 0;

	if (!f)
		return NULL;
	f->res = &fake;
	f->to = open_memstream(&s, &slen);
	for (int i = 0; f->to && !rc; i++) {
		size_t to = cuts && cuts[i] != (size_t)-1 ? cuts[i] : len;

		rc = masq_feed_part(f, text + at, to - at);
		at = to;
		if (at == len)
			break;
	}
	if (f->to) {
		rc = rc || masq_feed_end(f);
		fclose(f->to);
	}
	free(f);
	if (rc) {
		free(s);
		return NULL;
	}
	return s;
}

/*
 * A listing several times the carry, in one part and in parts of odd
 * sizes (lines cut everywhere, the carry filled): as masq_render() of it
 * whole
 */
static bool masq_feed_big(void)
{
	static const size_t sizes[] = { 0, 65536, 4093, 7 };
	size_t rows = 3000, len = 0, cap = rows * 100;
	struct ipt_text want = { 0 };
	char *text = malloc(cap), *got;
	bool ok = text != NULL;

	for (size_t i = 0; ok && i < rows; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"UDP  00:%02zu.00 192.168.%zu.%zu %*s 10.0.0.1 "
					"%zu (%zu) -> 53\n", i % 60, i % 4,
					i % 250, (int)(i % 9), "", 1024 + i,
					61000 + i % 4000);
	if (ok)
		masq_render(text, len, &fake, &want);
	for (size_t k = 0; ok && k < sizeof(sizes) / sizeof(*sizes); k++) {
		size_t *cuts = calloc(len / (sizes[k] ? sizes[k] : len) + 2,
				      sizeof(*cuts)), n = 0;

		for (size_t at = sizes[k]; cuts && sizes[k] && at < len;
		     at += sizes[k])
			cuts[n++] = at;
		if (cuts)
			cuts[n] = (size_t)-1;
		got = cuts ? masq_fed(text, len, cuts) : NULL;
		if (want.oom || !got || strcmp(got, want.s))
			ok = report_whyf("%zu rows in parts of %zu: %zu bytes out, want %zu",
					 rows, sizes[k], got ? strlen(got) : 0, want.len);
		free(got);
		free(cuts);
	}
	ipt_text_free(&want);
	free(text);
	return ok;
}

/* A listing cut into parts anywhere prints as it does whole */
static bool t_masq_feed_parts(void)
{
	size_t len = strlen(masq_numeric), cuts[3], *bytes;
	char want[2048], *got;
	bool ok = true;

	masq_named(want, sizeof(want));
	for (size_t i = 0; ok && i <= len; i++) {
		cuts[0] = i;
		cuts[1] = (size_t)-1;
		got = masq_fed(masq_numeric, len, cuts);
		if (!got || strcmp(got, want))
			ok = report_whyf("cut at %zu: got <%s>", i, got ? got : "(failed)");
		free(got);
	}
	bytes = calloc(len + 1, sizeof(*bytes));
	for (size_t i = 0; bytes && i < len; i++)
		bytes[i] = i + 1;
	if (bytes)
		bytes[len] = (size_t)-1;
	got = bytes ? masq_fed(masq_numeric, len, bytes) : NULL;
	if (ok && (!got || strcmp(got, want)))
		ok = report_whyf("byte by byte: got <%s>", got ? got : "(failed)");
	free(got);
	free(bytes);
	return ok && masq_feed_big();
}

/*
 * A line longer than the carry is passed as it came, in one part or
 * byte by byte, and the rows around it are still named
 */
static bool t_masq_feed_long_line(void)
{
	static const char row[] =
		"TCP  00:10.00 192.168.0.2          10.0.0.1             22 (22) -> 22\n";
	size_t long_len = 3 * MASQ_FEED_CARRY + 17, len, wlen;
	size_t cuts[] = { 100, MASQ_FEED_CARRY + 1, 2 * MASQ_FEED_CARRY + 300,
			  (size_t)-1 };
	char named[128], *text = malloc(long_len + 256), *want, *got, *p;
	bool ok = true;

	snprintf(named, sizeof(named), "%-5s%s %-20s %-20s %s (%s) -> %s\n",
		 "TCP", "00:10.00", "web.example.org", "10.0.0.1", "ssh", "22",
		 "ssh");
	want = malloc(long_len + 256);
	if (!text || !want) {
		free(text);
		free(want);
		return report_whyf("out of memory");
	}
	/* a row, a line of long_len x's, a row; and the same, named */
	p = text + sprintf(text, "%s", row);
	memset(p, 'x', long_len);
	p += long_len;
	len = (size_t)(p - text) + (size_t)sprintf(p, "\n%s", row);
	p = want + sprintf(want, "%s", named);
	memset(p, 'x', long_len);
	p += long_len;
	wlen = (size_t)(p - want) + (size_t)sprintf(p, "\n%s", named);
	got = masq_fed(text, len, NULL);
	if (!got || strlen(got) != wlen || strcmp(got, want))
		ok = report_whyf("one part: %zu bytes out, want %zu",
				 got ? strlen(got) : 0, wlen);
	free(got);
	got = ok ? masq_fed(text, len, cuts) : NULL;
	if (ok && (!got || strcmp(got, want)))
		ok = report_whyf("in parts: %zu bytes out, want %zu",
				 got ? strlen(got) : 0, wlen);
	free(got);
	free(text);
	free(want);
	return ok;
}

/* masq -D PROTO HOST PORT: @line's words through masq_resolve() */
static bool masq_resolves(const char *line, int status, const char *want)
{
	char buf[256], addr[ADM_NUM_LEN], port[ADM_NUM_LEN], *w[5];
	const char *out[5];
	struct ipt_err err = { { 0 } };
	char got[256];
	int n = 0, rc;

	snprintf(buf, sizeof(buf), "masq -D %s", line);
	for (char *save = NULL, *t = strtok_r(buf, " ", &save); t && n < 5;
	     t = strtok_r(NULL, " ", &save))
		w[n++] = t;
	rc = masq_resolve(w, &fake, out, addr, port, &err);
	if (rc)
		snprintf(got, sizeof(got), "%s", err.msg);
	else
		snprintf(got, sizeof(got), "%s %s %s %s %s", out[0], out[1],
			 out[2], out[3], out[4]);
	if (rc != status || !strstr(got, want))
		return report_whyf("'%s': status %d <%s>, want %d <%s>", line, rc,
				   got, status, want);
	return true;
}

static bool t_masq_resolve(void)
{
	return masq_resolves("tcp web http", 0, "masq -D tcp 192.168.0.2 80") &&
	       masq_resolves("TCP 192.168.0.3 22", 0, "masq -D TCP 192.168.0.3 22") &&
	       masq_resolves("udp multi domain", 0, "masq -D udp 10.0.0.1 53") &&
	       masq_resolves("icmp web 300", 0, "masq -D icmp 192.168.0.2 300") &&
	       /* masqd judges numbers and words it knows */
	       masq_resolves("sctp 300.1.2.3 99999", 0, "masq -D sctp 300.1.2.3 99999") &&
	       masq_resolves("tcp nohost 80", 2, "masq: host `nohost' not found") &&
	       masq_resolves("tcp web nosuch", 2, "masq: unknown service `nosuch' for tcp") &&
	       masq_resolves("icmp web echo", 2, "service `echo' needs the protocol tcp or udp");
}

/* An engine's own masq -L, rendered: the names go where its numbers were */
static bool t_masq_engine_listing(void)
{
	struct masq_pool *pool = masq_pool_create(16, 2048);
	struct masq_buf *txv[8], *b;
	struct masq_txq tx = { txv, 0, 8 };
	struct masq_engine *e = NULL;
	struct masq_limits lim;
	struct masq_text t = { 0 };
	struct ipt_text out = { 0 };
	struct frame_spec fs;
	char want[256];
	bool ok = false;

	masq_limits_default(&lim);
	lim.max_conns = 64;
	if (pool)
		e = masq_engine_create(&lim, pool);
	b = pool ? masq_pool_get(pool) : NULL;
	if (!e || !b || ctlline_run_all(e, ctlline_topology) >= 0) {
		report_whyf("no engine");
		goto out;
	}
	frame_spec_tcp(&fs, IP4(192, 168, 0, 2), 40000, IP4(198, 51, 100, 10),
		       80, FRAME_TCP_SYN);
	memcpy(fs.eth_dst, (uint8_t[6]){ 2, 0, 0, 0, 1, 1 }, 6);
	frame_build(&fs, b);
	b->iface = 0;
	masq_engine_input(e, &b, 1, 1000000000ull, &tx);
	for (uint32_t i = 0; i < tx.n; i++)
		masq_pool_put(pool, tx.bufs[i]);
	ctlline_run(e, "masq -L", &t);
	masq_render(t.s ? t.s : "", t.len, &fake, &out);
	snprintf(want, sizeof(want), "%-20s %-20s %s (%s) -> %s\n",
		 "web.example.org", "198.51.100.10", "40000", "40000", "http");
	ok = out.s && strstr(out.s, want) &&
	     strstr(out.s, "IP masquerading entries\nprot expire   source");
	if (!ok)
		report_whyf("engine's <%s> rendered <%s>", t.s ? t.s : "",
			    out.s ? out.s : "");
out:
	masq_text_free(&t);
	ipt_text_free(&out);
	masq_engine_destroy(e);
	masq_pool_destroy(pool);
	return ok;
}

/* ---- save: line by line ------------------------------------------------- */

static char *composed(const struct save_parts *p)
{
	struct ipt_text out = { 0 };
	char *s;

	save_compose(p, &out);
	s = out.oom ? NULL : strdup(out.s ? out.s : "");
	ipt_text_free(&out);
	return s;
}

static bool has(const char *what, const char *s, const char *needle)
{
	return (s && strstr(s, needle)) ||
	       report_whyf("%s lacks <%s>: %s", what, needle, s ? s : "(null)");
}

static bool lacks(const char *what, const char *s, const char *needle)
{
	return (s && !strstr(s, needle)) ||
	       report_whyf("%s has <%s>: %s", what, needle, s ? s : "(null)");
}

static bool t_save_lines(void)
{
	struct save_parts p = {
		.settings = "timeout udp              77\nports 61000-65095\n"
			    "accounting on\nconntrack-size 1024\n"
			    "origdst-user 4294967000:4294967000\n",
		.routes = "192.168.0.0/24 dev lan0 proto kernel scope link\n"
			  "10.9.0.0/16 via 192.168.0.254 dev lan0\n"
			  "172.16.0.0/12 via 203.0.113.7 dev wan0 proto host\n"
			  "default via 203.0.113.254 dev wan0 proto boot\n"
			  "10.8.0.0/16 dev lan0 weird\n"
			  "10.7.0.0/16 dev #lan0\n",
		.neigh = "192.168.0.9 dev lan0 lladdr 02:00:00:00:00:09 PERMANENT\n"
			 "192.168.0.2 dev lan0 lladdr 02:6d:71:00:01:02 REACHABLE\n"
			 "192.168.0.7 dev lan0 INCOMPLETE\n"
			 "192.168.0.8 lladdr x PERMANENT\n",
		.forwards = "ipmasqadm mfw -A -m 1 -r 192.168.0.2 -p 0",
		.ruleset = "*nat\n:PREROUTING ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
			   "-A POSTROUTING -o wan0 -j MASQUERADE\nCOMMIT\n"
			   "*filter\n:INPUT DROP [0:0]\n:zed - [0:0]\n"
			   ":FORWARD ACCEPT [0:0]\n"
			   "-A zed -m comment --comment \"a \\\"b\\\" #c\" -j ACCEPT\n"
			   "-A INPUT -j #odd\n"
			   "-A INPUT -m comment --comment \"open\n"
			   "junk\nCOMMIT\n",
		.helpers = "ftp on ports 21,2121\nirc off ports 6667\n"
			   "tftp on ports 69 extra\n",
	};
	char *s = composed(&p);
	bool ok;

	ok = s && has("settings", s, "\nset timeout udp 77\nset ports 61000-65095\n"
		      "# accounting on\n# conntrack-size 1024\n"
		      "# set origdst-user 4294967000:4294967000\t(masqctl's") &&
	     has("routes", s, "\nroute add 10.9.0.0/16 via 192.168.0.254 dev lan0\n") &&
	     lacks("routes", s, "route add 192.168.0.0/24") &&
	     lacks("routes", s, "172.16.0.0") && lacks("routes", s, "route add default") &&
	     has("routes", s, "# not understood: 10.8.0.0/16 dev lan0 weird\n") &&
	     has("routes", s, "route add 10.7.0.0/16 dev \"#lan0\"\n") &&
	     has("neigh", s, "\nneigh add 192.168.0.9 lladdr 02:00:00:00:00:09 dev lan0\n") &&
	     lacks("neigh", s, "neigh add 192.168.0.2") && lacks("neigh", s, "neigh add 192.168.0.7") &&
	     has("neigh", s, "# not understood: 192.168.0.8 lladdr x PERMANENT\n") &&
	     has("forwards", s, "\nipmasqadm mfw -A -m 1 -r 192.168.0.2 -p 0\n") &&
	     has("helpers", s, "\n# application helpers\nhelper ftp on ports 21,2121\n"
		 "helper irc off ports 6667\n"
		 "# not understood: tftp on ports 69 extra\n") &&
	     has("nat", s, "iptables -t nat -F\niptables -t nat -X\n"
		 "iptables -t nat -P PREROUTING ACCEPT\n"
		 "iptables -t nat -P POSTROUTING ACCEPT\n"
		 "iptables -t nat -A POSTROUTING -o wan0 -j MASQUERADE\n") &&
	     has("filter", s, "iptables -t filter -F\niptables -t filter -X\n"
		 "iptables -t filter -P INPUT DROP\n"
		 "iptables -t filter -P FORWARD ACCEPT\n"
		 "iptables -t filter -N zed\n"
		 "iptables -t filter -A zed -m comment --comment \"a \\\"b\\\" #c\" -j ACCEPT\n"
		 "iptables -t filter -A INPUT -j \"#odd\"\n") &&
	     has("filter", s, "# not understood: -A INPUT -m comment --comment \"open\n") &&
	     has("filter", s, "# not understood: junk\n");
	free(s);
	return ok;
}

/* ---- save: the round trip ----------------------------------------------- */

/* masqd's command line, as setup.c turns it into commands */
static const char *const base[] = {
	"iface add lan0 mac 02:00:00:00:01:01 mtu 1500 role internal",
	"iface add wan0 mac 02:00:00:00:02:01 mtu 1500 role external",
	"addr add 192.168.0.1/24 dev lan0",
	"addr add 203.0.113.1/24 dev wan0",
	"route add default via 203.0.113.254 proto boot",
	NULL,
};

/* What the user does with masqctl on the first router */
static const char *const user[] = {
	"set timeout udp 77",
	"set ports 61000-65095",
	"set filtering endpoint-independent",
	"set host-cap 100",
	"set tcp-pickup on",
	"route add 10.9.0.0/16 via 192.168.0.254",
	"route add 172.16.0.0/12 via 203.0.113.7 dev wan0 proto host",
	"neigh add 192.168.0.9 lladdr 02:00:00:00:00:09 dev lan0",
	"neigh add 203.0.113.9 lladdr 02:00:00:00:00:19 dev wan0",
	"ipmasqadm portfw -a -P tcp -L 203.0.113.1 80 -R 192.168.0.2 80 -p 15",
	"ipmasqadm portfw -a -P tcp -L 203.0.113.1 80 -R 192.168.0.3 80 -p 5",
	"ipmasqadm portfw -a -P udp -L 203.0.113.1 53 -R 192.168.0.4 5353",
	"ipmasqadm mfw -A -m 1 -r 192.168.0.2 80 -p 0",
	"ipmasqadm mfw -A -m 1 -r 192.168.0.3 80 -p 0",
	"ipmasqadm mfw -I -m 7 -r 192.168.0.5 -p 3",
	"ipmasqadm mfw -S -m 1",
	"ipmasqadm autofw -A -r udp 7000 7010 -c tcp 7070",
	"ipmasqadm autofw -A -r udp 6000 6010 -c udp 6070 -u -i",
	"ipmasqadm autofw -A -r tcp 5000 5000 -h 192.168.0.6",
	"iptables -N acct",
	"iptables -A acct -s 192.168.0.2",
	"iptables -A FORWARD -j acct",
	"iptables -P FORWARD ACCEPT",
	"iptables -t nat -A PREROUTING -s 198.51.100.0/24 -d 203.0.113.1 -p tcp --dport 25 -j DNAT --to-destination 192.168.0.7",
	"iptables -t mangle -A PREROUTING -s 198.51.100.0/24 -p tcp --dport 443 -j MARK --set-mark 7",
	"iptables -t mangle -N marks",
	"iptables -t mangle -A marks -j RETURN",
	"helper irc on ports 6667,6697",
	"helper ftp on ports 21,2121",
	"helper tftp off",
	NULL,
};

/* What a user compares; the route learnt from the host is not the user's */
static const char *const listings[] = {
	"show settings", "route", "neigh", "ipmasqadm portfw -l",
	"ipmasqadm mfw -L", "ipmasqadm autofw -L", "iptables-save", "helper",
	"ipchains-save", "ipfwadm-save",
};

/* A router whose ruleset is written in ipchains, and one in ipfwadm */
static const char *const user_ipchains[] = {
	"ipchains -P input ACCEPT",
	"ipchains -P forward DENY",
	"ipchains -N lanchk",
	"ipchains -A lanchk -s 192.168.0.2 -j RETURN",
	"ipchains -A forward -i wan0 -j lanchk",
	"ipchains -A forward -s 192.168.0.0/24 -j MASQ",
	"ipchains -A input -p tcp -y -d 203.0.113.1/32 80 -m 1",
	"ipchains -A input -p udp -s 0.0.0.0/0 ! 53 -d 0.0.0.0/0 53 -l",
	"ipmasqadm mfw -A -m 1 -r 192.168.0.2 80 -p 0",
	NULL,
};

static const char *const user_ipfwadm[] = {
	"ipfwadm -I -p accept",
	"ipfwadm -F -p deny",
	"ipfwadm -F -a m -S 192.168.0.0/24 -D 0.0.0.0/0",
	"ipfwadm -I -a reject -P tcp -D 203.0.113.1 6000:6010 22 -V 203.0.113.1",
	"ipfwadm -A in -a -P tcp -S 198.51.100.10 80",
	"ipfwadm -A -a -P tcp -b -S 192.168.0.2 -D 0.0.0.0/0 80",
	NULL,
};

/* The listing of @cmd, without "proto host" lines */
static char *listing(struct masq_engine *e, const char *cmd)
{
	struct masq_text t = { 0 };
	char *s, *p;

	ctlline_run(e, cmd, &t);
	s = strdup(t.s ? t.s : "");
	masq_text_free(&t);
	while (s && (p = strstr(s, "proto host")) != NULL) {
		char *start = p, *end = strchr(p, '\n');

		while (start > s && start[-1] != '\n')
			start--;
		end = end ? end + 1 : p + strlen(p);
		memmove(start, end, strlen(end) + 1);
	}
	return s;
}

/* An engine with the command line run, and a reload state that knows it */
static struct masq_engine *router(struct masq_pool *pool, struct reload *r,
				  const char *path)
{
	struct masq_limits lim;
	struct masq_engine *e;

	masq_limits_default(&lim);
	lim.max_conns = 1024;
	lim.seed = 3;
	e = masq_engine_create(&lim, pool);
	if (!e || reload_init(r, path, &lim))
		return NULL;
	for (int i = 0; base[i]; i++) {
		char buf[256], *argv[16], *save = NULL;
		int argc = 0;

		snprintf(buf, sizeof(buf), "%s", base[i]);
		for (char *w = strtok_r(buf, " ", &save); w;
		     w = strtok_r(NULL, " ", &save))
			argv[argc++] = w;
		if (ctlline_run(e, base[i], NULL) ||
		    reload_base_add(r, argc, argv))
			return NULL;
	}
	return e;
}

/* masqctl save's text for @e, from the answers masqd would give */
static char *save_of(struct masq_engine *e)
{
	char *a[6] = { listing(e, "show settings"), NULL, NULL, NULL, NULL,
		       NULL };
	struct masq_text t[5] = { { 0 } };
	const char *lang = strstr(a[0], "\nrules ipchains") ? "ipchains" :
			   strstr(a[0], "\nrules ipfwadm") ? "ipfwadm" :
							     "iptables";
	char dump[32];
	const char *q[5] = { "route", "neigh", "ipmasqadm save", dump,
			     "helper" };
	struct save_parts p;
	char *s;

	snprintf(dump, sizeof(dump), "%s-save", lang);
	for (int i = 0; i < 5; i++) {
		ctlline_run(e, q[i], &t[i]);
		a[i + 1] = t[i].s ? t[i].s : "";
	}
	p = (struct save_parts){ a[0], a[1], a[2], a[3], a[4], a[5], lang };
	s = composed(&p);
	free(a[0]);
	for (int i = 0; i < 5; i++)
		masq_text_free(&t[i]);
	return s;
}

static bool same_listings(struct masq_engine *a, struct masq_engine *b,
			  const char *when)
{
	for (size_t i = 0; i < sizeof(listings) / sizeof(*listings); i++) {
		char *x = listing(a, listings[i]), *y = listing(b, listings[i]);
		bool same = x && y && !strcmp(x, y);

		if (!same)
			report_whyf("%s: '%s' differs: before <%s> after <%s>", when,
				    listings[i], x, y);
		free(x);
		free(y);
		if (!same)
			return false;
	}
	return true;
}

/*
 * A router made by @cmds, saved, its file loaded into a second router
 * (a start) and again (a reload): the same listings each time, and the
 * same file saved from it. @check looks at the saved text first.
 */
static bool save_round_trip(const char *const *cmds,
			    bool (*check)(const char *text))
{
	char path[] = "/tmp/masq-savetest-XXXXXX";
	struct masq_pool *pool = masq_pool_create(64, 2048);
	struct reload r1, r2;
	struct masq_engine *a = NULL, *b = NULL;
	struct masq_text msg = { 0 };
	char *text = NULL, *again = NULL;
	int fd = mkstemp(path), i, rc;
	bool ok = false;

	if (fd < 0 || !pool)
		return report_whyf("setup: %s", strerror(errno));
	a = router(pool, &r1, NULL);
	b = router(pool, &r2, path);
	if (!a || !b) {
		report_whyf("cannot make the routers");
		goto out;
	}
	i = ctlline_run_all(a, cmds);
	if (i >= 0) {
		report_whyf("'%s' failed on the first router", cmds[i]);
		goto out;
	}
	text = save_of(a);
	if (!text || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		report_whyf("cannot write the saved file");
		goto out;
	}
	if (!lacks("save", text, "not understood") || !check(text))
		goto out;
	rc = reload_run(&r2, b, &msg);		/* masqd -c: the start */
	if (rc) {
		report_whyf("the saved file does not load (%d): %s", rc, msg.s);
		goto out;
	}
	/* the learnt route is the host's to give again, not the file's */
	ctlline_run(b, "route add 172.16.0.0/12 via 203.0.113.7 dev wan0 proto host", NULL);
	if (!same_listings(a, b, "restart"))
		goto out;
	rc = reload_run(&r2, b, &msg);		/* SIGHUP with the same file */
	if (rc) {
		report_whyf("the saved file does not reload (%d): %s", rc, msg.s);
		goto out;
	}
	if (!same_listings(a, b, "reload"))
		goto out;
	again = save_of(b);
	ok = (again && !strcmp(text, again)) ||
	     report_whyf("saving the loaded router differs: <%s>", again);
out:
	masq_text_free(&msg);
	free(text);
	free(again);
	close(fd);
	unlink(path);
	if (a) {
		masq_engine_destroy(a);
		reload_fini(&r1);
	}
	if (b) {
		masq_engine_destroy(b);
		reload_fini(&r2);
	}
	masq_pool_destroy(pool);
	return ok;
}

/* A reload with a file that no longer has forwards empties the tables */
static bool t_reload_forwards(void)
{
	char path[] = "/tmp/masq-savetest-XXXXXX";
	struct masq_pool *pool = masq_pool_create(64, 2048);
	struct masq_text msg = { 0 };
	struct reload r;
	struct masq_engine *e = NULL;
	int fd = mkstemp(path);
	static const char file[] = "ipmasqadm mfw -A -m 1 -r 192.168.0.2 -p 0\n";
	char *l = NULL;
	bool ok = false;

	if (fd < 0 || !pool || !(e = router(pool, &r, path)) ||
	    write(fd, file, sizeof(file) - 1) != sizeof(file) - 1) {
		report_whyf("setup");
		goto out;
	}
	if (reload_run(&r, e, &msg) || reload_run(&r, e, &msg)) {
		report_whyf("load: %s", msg.s);
		goto out;
	}
	l = listing(e, "ipmasqadm save");
	if (!l || strcmp(l, file)) {
		report_whyf("after two loads: <%s>", l);
		goto out;
	}
	free(l);
	if (ftruncate(fd, 0) || reload_run(&r, e, &msg)) {
		report_whyf("empty file: %s", msg.s);
		goto out;
	}
	l = listing(e, "ipmasqadm save");
	ok = (l && !*l) || report_whyf("a file without forwards left <%s>", l);
	/* and one made at run time stays across a file that has none */
	ctlline_run(e, "ipmasqadm portfw -a -P tcp -L 203.0.113.1 80 -R 192.168.0.2 80", NULL);
	free(l);
	l = NULL;
	if (ok && (reload_run(&r, e, &msg) ||
		   !(l = listing(e, "ipmasqadm save")) || !strstr(l, "portfw")))
		ok = report_whyf("a forward made at run time went: <%s>", l);
out:
	free(l);
	masq_text_free(&msg);
	close(fd);
	unlink(path);
	if (e) {
		masq_engine_destroy(e);
		reload_fini(&r);
	}
	masq_pool_destroy(pool);
	return ok;
}

static bool check_iptables_save(const char *text)
{
	return has("save", text, "route add 10.9.0.0/16") &&
	       has("save", text, "\nhelper irc on ports 6667,6697\n") &&
	       lacks("save", text, "172.16.0.0") &&
	       lacks("save", text, "route add default");
}

static bool t_save_round_trip(void)
{
	return save_round_trip(user, check_iptables_save);
}

/* An ipchains ruleset is saved as ipchains commands, and loads again */
static bool check_ipchains_save(const char *text)
{
	return has("save", text, "\nipchains -P forward DENY\n") &&
	       has("save", text, "\nipchains -N lanchk\n") &&
	       has("save", text, "\nipchains -A forward ") &&
	       lacks("save", text, "\niptables ");
}

static bool t_save_round_trip_ipchains(void)
{
	return save_round_trip(user_ipchains, check_ipchains_save);
}

/* An ipfwadm ruleset, accounting included, the same way */
static bool check_ipfwadm_save(const char *text)
{
	return has("save", text, "\nipfwadm -F -p deny\n") &&
	       has("save", text, "\nipfwadm -A in -a ") &&
	       lacks("save", text, "\niptables ");
}

static bool t_save_round_trip_ipfwadm(void)
{
	return save_round_trip(user_ipfwadm, check_ipfwadm_save);
}

static const struct {
	const char *name;
	bool (*fn)(void);
} cases[] = {
	{ "adm_numbers_untouched", t_numbers_untouched },
	{ "adm_names_resolved", t_names_resolved },
	{ "adm_bad_names_refused", t_names_refused },
	{ "adm_system_resolver", t_system_names },
	{ "adm_help", t_help },
	{ "adm_listings_named", t_render },
	{ "masq_listing_named", t_masq_render },
	{ "masq_listing_in_parts", t_masq_feed_parts },
	{ "masq_listing_long_line", t_masq_feed_long_line },
	{ "masq_delete_names_resolved", t_masq_resolve },
	{ "masq_engine_listing_named", t_masq_engine_listing },
	{ "save_lines", t_save_lines },
	{ "save_restart_identical", t_save_round_trip },
	{ "save_restart_identical_ipchains", t_save_round_trip_ipchains },
	{ "save_restart_identical_ipfwadm", t_save_round_trip_ipfwadm },
	{ "reload_forwards_from_file", t_reload_forwards },
};

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		report_why_clear();
		report(cases[i].name, cases[i].fn());
	}
	return 0;
}
