// SPDX-License-Identifier: MIT
/*
 * test_masqctl.c - masqctl's front-ends (iptables, save, ipmasqadm, masq,
 *		   ipfwadm)
 *		   against a fake masqd
 *
 * The test runs the real build/masqctl (found next to this program's own
 * directory) with MASQ_SOCKET pointing at a Unix socket in a temporary
 * directory, where this program plays masqd: it records every request
 * and answers from a script. So each case checks what masqctl sends
 * (numeric, canonical words; one iptables-save request for a listing,
 * with --zero for -L -Z and ipacct-dump), what it prints, and its exit
 * status, without masqd, without root and without network lookups (only
 * "localhost" and /etc/services names are resolved, and one name under
 * .invalid, which no resolver answers).
 *
 * Expected listings are made with the same library (ipt.h) from the text
 * the fake masqd sent, so this tests masqctl's plumbing, not the printer
 * (tests of their own check that against iptables-legacy).
 *
 * Also, when run as build/tests/test_masqctl: `make -o all install` into
 * a temporary DESTDIR (the programs as built, nothing rebuilt), and the
 * links it must make (and must not).
 *
 * Prints "ok masqctl/NAME", "FAIL masqctl/NAME: why" or "SKIP ...".
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "control/proto.h"
#include "ipt/ipchains.h"
#include "ipt/ipt.h"
#include "ipt/lang.h"
#include "../lib/report.h"

#define MAX_REQ		8
#define RUN_TIMEOUT_MS	10000

static char masqctl[PATH_MAX + 16];
static char origdst_ask[PATH_MAX + 32];	/* build/tools/origdst_ask */
static char dir[] = "/tmp/masq-ctltest-XXXXXX";
static char sock_path[108];
static int lfd = -1;

/* "ok masqctl/NAME" or "FAIL masqctl/NAME: why" (tests/lib/report.h) */
static void report(const char *name, bool ok)
{
	report_result("masqctl", name, ok);
}

/* ---- a fake masqd ----------------------------------------------------- */

struct answer {
	int status;
	const char *text;
};

/**
 * struct run - one masqctl run
 * @argv0:	the name it is called by ("masqctl", "masq-iptables", ...)
 * @prog:	another program to run instead of masqctl (NULL: masqctl)
 * @args:	its arguments, NULL-terminated
 * @in:		standard input (NULL: empty), or @in_size zero bytes
 * @in_size:	when @in is NULL and this is not 0: that many NUL bytes
 * @answers:	the fake masqd's answers, in order; past the end: status 0
 * @rc:		exit status
 * @out, @err:	what it printed (malloc'd)
 * @req:	the requests received
 */
struct run {
	const char *argv0;
	const char *prog;
	const char *const *args;
	const char *in;
	size_t in_size;
	const struct answer *answers;
	int nanswers;
	int rc;
	char *out, *err;
	struct ctl_request req[MAX_REQ];
	int nreq;
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s = NULL;
	size_t n = 0;

	if (!f)
		return strdup("");
	if (getdelim(&s, &n, '\0', f) < 0) {
		free(s);
		s = strdup("");
	}
	fclose(f);
	return s;
}

static void run_free(struct run *r)
{
	for (int i = 0; i < r->nreq; i++)
		ctl_request_free(&r->req[i]);
	free(r->out);
	free(r->err);
	r->nreq = 0;
	r->out = r->err = NULL;
}

/*
 * An answer's text up to its last form feed goes in reply parts, one per
 * piece between form feeds; @text is left at what the reply carries
 */
static bool send_parts(int fd, const char **text)
{
	const char *end = strrchr(*text, '\f');
	uint8_t head[CTL_HDR_LEN];

	while (end && *text <= end) {
		size_t n = strcspn(*text, "\f");

		if (ctl_part_head(head, n) ||
		    ctl_write_all(fd, head, sizeof(head)) ||
		    ctl_write_all(fd, *text, n))
			return false;
		*text += n + 1;
	}
	return true;
}

/* Answer one request on @fd; false when the client has gone */
static bool serve_one(struct run *r, int fd)
{
	uint8_t hdr[CTL_HDR_LEN], *body;
	struct ctl_request req;
	struct answer a = { 0, "" };
	struct ctl_msg msg;
	uint32_t blen;
	bool ok;

	if (ctl_read_full(fd, hdr, sizeof(hdr)) ||
	    ctl_hdr_parse(hdr, sizeof(hdr), CTL_KIND_REQUEST, &blen))
		return false;
	body = malloc(blen ? blen : 1);
	ok = body && !ctl_read_full(fd, body, blen) &&
	     !ctl_request_parse(body, blen, &req);
	free(body);
	if (!ok)
		return false;
	if (r->nreq < r->nanswers)
		a = r->answers[r->nreq];
	if (r->nreq < MAX_REQ)
		r->req[r->nreq++] = req;
	else
		ctl_request_free(&req);
	ok = send_parts(fd, &a.text);
	if (!ok || ctl_reply_encode(a.status, a.text, strlen(a.text), &msg))
		return false;
	ok = !ctl_write_all(fd, msg.buf, msg.len);
	ctl_msg_free(&msg);
	return ok;
}

static void child(const struct run *r, const char *in_path)
{
	const char *argv[32];
	int n = 0, fd;

	argv[n++] = r->argv0;
	for (int i = 0; r->args && r->args[i] && n < 31; i++)
		argv[n++] = r->args[i];
	argv[n] = NULL;
	fd = open(in_path, O_RDONLY);
	if (fd >= 0)
		dup2(fd, 0);
	fd = open("out", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 1);
	fd = open("err", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	setenv("MASQ_SOCKET", sock_path, 1);
	execv(r->prog ? r->prog : masqctl, (char *const *)argv);
	_exit(127);
}

static bool write_input(const struct run *r, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	size_t n = r->in ? strlen(r->in) : 0;
	bool ok;

	if (fd < 0)
		return false;
	ok = r->in ? write(fd, r->in, n) == (ssize_t)n :
		     !ftruncate(fd, (off_t)r->in_size);
	close(fd);
	return ok;
}

/* Serve until the child exits; false on a timeout */
static bool serve(struct run *r, pid_t pid)
{
	int cfd = -1, st, waited = 0;

	for (;;) {
		struct pollfd p[2] = { { .fd = lfd, .events = POLLIN },
				       { .fd = cfd, .events = POLLIN } };

		if (waitpid(pid, &st, WNOHANG) == pid)
			break;
		if (waited > RUN_TIMEOUT_MS) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			st = -1;
			break;
		}
		if (poll(p, 2, 10) <= 0) {
			waited += 10;
			continue;
		}
		if (p[0].revents & POLLIN) {
			if (cfd >= 0)
				close(cfd);
			cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		}
		if (cfd >= 0 && (p[1].revents & (POLLIN | POLLHUP)) &&
		    !serve_one(r, cfd)) {
			close(cfd);
			cfd = -1;
		}
	}
	if (cfd >= 0)
		close(cfd);
	r->rc = st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	return st != -1;
}

/* Run masqctl as @r says; false (with why) when it could not be run */
static bool run(struct run *r)
{
	pid_t pid;

	r->nreq = 0;
	if (!write_input(r, "in"))
		return report_whyf("cannot write the input file");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return report_whyf("fork: %s", strerror(errno));
	if (pid == 0)
		child(r, "in");
	if (!serve(r, pid))
		return report_whyf("masqctl did not finish in %d ms", RUN_TIMEOUT_MS);
	r->out = slurp("out");
	r->err = slurp("err");
	return true;
}

/* ---- checks ------------------------------------------------------------- */

/* The request's words joined by single spaces */
static const char *joined(const struct ctl_request *q)
{
	static char buf[8192];
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < q->argc && n < sizeof(buf) - 1; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
				      i ? " " : "", q->argv[i]);
	return buf;
}

static bool expect_rc(const struct run *r, int rc)
{
	if (r->rc == rc)
		return true;
	return report_whyf("exit status %d, want %d; stderr: %s", r->rc, rc, r->err);
}

static bool expect_requests(const struct run *r, int n)
{
	if (r->nreq == n)
		return true;
	return report_whyf("%d requests, want %d (first: %s)", r->nreq, n,
			   r->nreq ? joined(&r->req[0]) : "none");
}

static bool expect_request(const struct run *r, int i, const char *want)
{
	if (i >= r->nreq)
		return report_whyf("no request %d, want '%s'", i, want);
	if (strcmp(joined(&r->req[i]), want))
		return report_whyf("request %d '%s', want '%s'", i,
				   joined(&r->req[i]), want);
	return true;
}

static bool expect_text(const char *what, const char *got, const char *want)
{
	if (!strcmp(got, want))
		return true;
	return report_whyf("%s differs: got <%s> want <%s>", what, got, want);
}

static bool has(const char *what, const char *s, const char *needle)
{
	if (strstr(s, needle))
		return true;
	return report_whyf("%s lacks '%s': %s", what, needle, s);
}

static bool lacks(const char *what, const char *s, const char *needle)
{
	if (!strstr(s, needle))
		return true;
	return report_whyf("%s has '%s': %s", what, needle, s);
}

/* ---- expectations made with the library ----------------------------- */

static struct ipt_ruleset *load(const char *text)
{
	struct ipt_ruleset *rs = ipt_ruleset_new();
	struct ipt_err err;

	if (rs && ipt_restore(rs, text, IPT_RESTORE_COUNTERS, NULL, &err)) {
		report_whyf("test text does not restore: %s", err.msg);
		ipt_ruleset_free(rs);
		return NULL;
	}
	return rs;
}

/* What iptables ARGS prints for ruleset @text (numeric, no resolver) */
static char *listing(const char *text, int argc, char *const *argv)
{
	struct ipt_ruleset *rs = load(text);
	struct ipt_text out = { 0 };
	struct ipt_err err;
	struct ipt_cmd cmd;
	char *s;

	if (!rs)
		return NULL;
	if (ipt_parse(argc, argv, NULL, &cmd, &err) ||
	    ipt_exec(rs, &cmd, NULL, &out, &err)) {
		report_whyf("library refuses the listing: %s", err.msg);
		ipt_ruleset_free(rs);
		ipt_text_free(&out);
		return NULL;
	}
	s = strdup(out.s ? out.s : "");
	ipt_text_free(&out);
	ipt_ruleset_free(rs);
	return s;
}

/* "iptables " + the canonical words of iptables ARGS (first line only) */
static char *canonical(int argc, char *const *argv)
{
	struct ipt_text t = { 0 };
	struct ipt_err err;
	struct ipt_cmd cmd;
	char *s;

	if (ipt_parse(argc, argv, &ipt_system_resolver, &cmd, &err)) {
		report_whyf("library refuses the command: %s", err.msg);
		return NULL;
	}
	ipt_cmd_format(&cmd, &t);
	if (!t.s)
		return NULL;
	t.s[strcspn(t.s, "\n")] = '\0';
	if (asprintf(&s, "iptables %s", t.s) < 0)
		s = NULL;
	ipt_text_free(&t);
	return s;
}

/* ---- the ruleset the fake masqd holds -------------------------------- */

static const char save_nat[] =
	"*nat\n"
	":PREROUTING ACCEPT [0:0]\n"
	":INPUT ACCEPT [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n"
	":POSTROUTING ACCEPT [3:180]\n"
	"[5:300] -A POSTROUTING -s 192.168.0.0/24 -o wan0 -j MASQUERADE\n"
	"COMMIT\n";

static const char save_filter[] =
	"*filter\n"
	":INPUT DROP [10:1000]\n"
	":FORWARD ACCEPT [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n"
	":acctin - [0:0]\n"
	":acctout - [0:0]\n"
	"[7:700] -A INPUT -i lan0 -j ACCEPT\n"
	"[1:60] -A FORWARD -j acctin\n"
	"[2:120] -A FORWARD -j acctout\n"
	"[3:300] -A acctin -d 192.168.0.2/32\n"
	"[4:400] -A acctout -s 192.168.0.2/32\n"
	"COMMIT\n";

static char save_all[sizeof(save_nat) + sizeof(save_filter)];

#define RUN(...)	((const char *const[]){ __VA_ARGS__, NULL })

/* ---- the cases ------------------------------------------------------- */

static bool t_passthrough(void)
{
	const struct answer a[] = { { 0, "packets_in 5\n" } };
	struct run r = { .argv0 = "masqctl", .args = RUN("stats"), .answers = a, .nanswers = 1 };
	bool ok = run(&r) && expect_rc(&r, 0) && expect_requests(&r, 1) &&
		  expect_request(&r, 0, "stats") &&
		  expect_text("stdout", r.out, "packets_in 5\n");

	run_free(&r);
	return ok;
}

static bool t_passthrough_failure(void)
{
	const struct answer a[] = { { 1, "no such route" } };
	struct run r = { .argv0 = "masqctl", .args = RUN("route", "del", "10.0.0.0/8"),
			 .answers = a, .nanswers = 1 };
	bool ok = run(&r) && expect_rc(&r, 1) &&
		  expect_text("stderr", r.err, "no such route\n") &&
		  expect_text("stdout", r.out, "");

	run_free(&r);
	return ok;
}

/* A listing in parts is written out whole; an error after it on stderr */
static bool t_passthrough_parts(void)
{
	const struct answer a[] = {
		{ 0, "tcp 1\n\fudp 2\n\f\ficmp 3\n" },
		{ 1, "tcp 1\n\fmasqd: out of memory: the output is incomplete\n" },
	};
	struct run r = { .argv0 = "masqctl", .args = RUN("conntrack", "-L"),
			 .answers = a, .nanswers = 1 };
	bool ok = run(&r) && expect_rc(&r, 0) &&
		  expect_text("stdout", r.out, "tcp 1\nudp 2\nicmp 3\n") &&
		  expect_text("stderr", r.err, "conntrack v1.4.7 (conntrack-tools): "
			      "3 flow entries have been shown.\n");

	run_free(&r);
	r.answers = a + 1;
	ok = ok && run(&r) && expect_rc(&r, 1) &&
	     expect_text("stdout", r.out, "tcp 1\n") &&
	     has("stderr", r.err, "incomplete");
	run_free(&r);
	return ok;
}

/* conntrack -D, -G finding nothing: conntrack's line and status 1 */
static bool t_conntrack_none(void)
{
	const struct answer a[] = { { 0, "" } };
	struct run r = { .argv0 = "masqctl", .args = RUN("conntrack", "-D", "-s",
			 "10.0.0.9"), .answers = a, .nanswers = 1 };
	struct run g = { .argv0 = "masqctl", .args = RUN("conntrack", "-G", "-p",
			 "udp", "-s", "10.0.0.9", "-d", "10.0.0.1", "--sport", "1",
			 "--dport", "2"), .answers = a, .nanswers = 1 };
	bool ok = run(&r) && expect_rc(&r, 1) && expect_requests(&r, 1) &&
		  expect_text("stderr", r.err, "conntrack v1.4.7 (conntrack-tools): "
			      "0 flow entries have been deleted.\n");

	ok = ok && run(&g) && expect_rc(&g, 1) &&
	     expect_text("stderr", g.err, "conntrack v1.4.7 (conntrack-tools): "
			 "Operation failed: such conntrack doesn't exist\n");
	run_free(&r);
	run_free(&g);
	return ok;
}

/* conntrack -L FILTER -o json: the filter goes to masqd, JSON comes out */
static bool t_conntrack_json_filtered(void)
{
	const struct answer a[] = { { 0, "udp      17 29 src=192.168.0.2 "
		"dst=198.51.100.7 sport=40000 dport=53 [UNREPLIED] "
		"src=198.51.100.7 dst=203.0.113.1 sport=53 dport=61000 mark=0 "
		"use=1\n" } };
	struct run r = { .argv0 = "masqctl", .args = RUN("conntrack", "-L", "-p",
			 "udp", "--dport", "53", "-o", "json"), .answers = a,
			 .nanswers = 1 };
	bool ok = run(&r) && expect_rc(&r, 0) &&
		  expect_request(&r, 0, "conntrack -L -p udp --dport 53 -o json") &&
		  has("stdout", r.out, "\"dport\": 53") &&
		  expect_text("stderr", r.err, "");

	run_free(&r);
	return ok;
}

/* A bad conntrack option: conntrack's two lines, status 2, nothing sent */
static bool t_conntrack_bad_option(void)
{
	struct run r = { .argv0 = "masqctl", .args = RUN("conntrack", "-L",
			 "--dport", "80") };
	bool ok = run(&r) && expect_rc(&r, 2) && expect_requests(&r, 0) &&
		  expect_text("stderr", r.err, "conntrack v1.4.7 (conntrack-tools): "
			      "unknown option `--dport'\nTry `conntrack -h' or "
			      "'conntrack --help' for more information.\n");

	run_free(&r);
	return ok;
}

static bool t_ipt_append(void)
{
	char *args[] = { "-A", "INPUT", "-s", "localhost", "-p", "tcp",
			 "--dport", "22", "-j", "ACCEPT" };
	char *want = canonical(10, args);
	struct run r = { .argv0 = "masqctl", .args = RUN("iptables", "-A", "INPUT", "-s",
		"localhost", "-p", "tcp", "--dport", "22", "-j", "ACCEPT") };
	bool ok = want && run(&r) && expect_rc(&r, 0) &&
		  expect_requests(&r, 1) && expect_request(&r, 0, want) &&
		  lacks("request", joined(&r.req[0]), "localhost") &&
		  has("request", joined(&r.req[0]), "127.0.0.1");

	run_free(&r);
	free(want);
	return ok;
}

static bool t_ipt_service_name(void)
{
	struct run r = { .argv0 = "masq-iptables", .args = RUN("-I", "FORWARD", "-p", "tcp",
			 "--dport", "ssh", "-j", "DROP") };
	bool ok;

	if (!getservbyname("ssh", "tcp")) {
		printf("SKIP masqctl/ipt_service_name: no ssh in /etc/services\n");
		return true;
	}
	ok = run(&r) && expect_rc(&r, 0) && expect_requests(&r, 1) &&
	     has("request", joined(&r.req[0]), "iptables -I FORWARD") &&
	     has("request", joined(&r.req[0]), " 22") &&
	     lacks("request", joined(&r.req[0]), "ssh");
	run_free(&r);
	return ok;
}

static bool t_ipt_bad_option(void)
{
	struct run r = { .argv0 = "iptables", .args = RUN("-A", "INPUT", "--bogus") };
	bool ok = run(&r) && expect_rc(&r, 2) && expect_requests(&r, 0) &&
		  has("stderr", r.err, "iptables: ");

	run_free(&r);
	return ok;
}

/* iptables -h: the usage and what masq has, with no masqd asked */
static bool t_ipt_help(void)
{
	struct run r = { .argv0 = "iptables", .args = RUN("-h") };
	bool ok = run(&r) && expect_rc(&r, 0) && expect_requests(&r, 0) &&
		  has("stdout", r.out, "masq-iptables v") &&
		  has("stdout", r.out, "\nUsage: iptables -[ACD] chain") &&
		  has("stdout", r.out, "\nMatches (") &&
		  has("stdout", r.out, " hashlimit ") &&
		  has("stdout", r.out, " MASQUERADE ") &&
		  lacks("stdout", r.out, "match options:");

	run_free(&r);
	return ok;
}

/* -m tcp -j MASQUERADE --help: the target's options, then the match's */
static bool t_ipt_help_ext(void)
{
	struct run r = { .argv0 = "masqctl", .args = RUN("iptables", "-t", "nat",
			 "-A", "POSTROUTING", "-m", "tcp", "-j", "MASQUERADE",
			 "--help") };
	bool ok = run(&r) && expect_rc(&r, 0) && expect_requests(&r, 0) &&
		  has("stdout", r.out, "\nMASQUERADE target options:\n"
		      " --to-ports ") &&
		  has("stdout", r.out, "\ntcp match options:\n") &&
		  has("stdout", r.out, "--dport") &&
		  strstr(r.out, "MASQUERADE target") < strstr(r.out, "tcp match");

	run_free(&r);
	return ok;
}

/* -m NAME -h for a match masq lacks: iptables' refusal, status 2 */
static bool t_ipt_help_unknown(void)
{
	struct run r = { .argv0 = "iptables", .args = RUN("-m", "owner", "-h") };
	bool ok = run(&r) && expect_rc(&r, 2) && expect_requests(&r, 0) &&
		  has("stderr", r.err, "Couldn't load match `owner'") &&
		  lacks("stdout", r.out, "Usage:");

	run_free(&r);
	return ok;
}

static bool t_ipt_bad_service(void)
{
	struct run r = { .argv0 = "masqctl", .args = RUN("iptables", "-A", "INPUT", "-p", "tcp",
			 "--dport", "nosuchservice", "-j", "DROP") };
	bool ok = run(&r) && expect_rc(&r, 2) && expect_requests(&r, 0);

	run_free(&r);
	return ok;
}

static bool t_ipt_bad_table(void)
{
	struct run r = { .argv0 = "masqctl", .args = RUN("iptables", "-t", "security", "-L", "-n") };
	bool ok = run(&r) && expect_rc(&r, 3) && expect_requests(&r, 0) &&
		  has("stderr", r.err, "security");

	run_free(&r);
	return ok;
}

static bool t_ipt_failure_status(void)
{
	const struct answer a[] = { { 1, "iptables: Bad rule (does a matching "
				      "rule exist in that chain?).\n" } };
	struct run r = { .argv0 = "masqctl", .args = RUN("iptables", "-C", "INPUT", "-j", "DROP"),
			 .answers = a, .nanswers = 1 };
	bool ok = run(&r) && expect_rc(&r, 1) && expect_requests(&r, 1) &&
		  has("request", joined(&r.req[0]), "iptables -C INPUT") &&
		  has("stderr", r.err, "Bad rule");

	run_free(&r);
	return ok;
}

static bool t_ipt_list(void)
{
	const struct answer a[] = { { 0, save_filter } };
	char *largs[] = { "-L", "-n", "-v" };
	char *want = listing(save_filter, 3, largs);
	struct run r = { .argv0 = "masqctl", .args = RUN("iptables", "-L", "-n", "-v"),
			 .answers = a, .nanswers = 1 };
	bool ok = want && run(&r) && expect_rc(&r, 0) &&
		  expect_requests(&r, 1) &&
		  expect_request(&r, 0, "iptables-save -c -t filter") &&
		  expect_text("listing", r.out, want);

	run_free(&r);
	free(want);
	return ok;
}

static bool t_ipt_list_rules(void)
{
	const struct answer a[] = { { 0, save_nat } };
	char *largs[] = { "-t", "nat", "-S" };
	char *want = listing(save_nat, 3, largs);
	struct run r = { .argv0 = "iptables", .args = RUN("-t", "nat", "-S"),
			 .answers = a, .nanswers = 1 };
	bool ok = want && run(&r) && expect_rc(&r, 0) &&
		  expect_request(&r, 0, "iptables-save -c -t nat") &&
		  expect_text("listing", r.out, want);

	run_free(&r);
	free(want);
	return ok;
}

static bool t_ipt_list_zero_chain(void)
{
	const struct answer a[] = { { 0, save_filter } };
	struct run r = { .argv0 = "masqctl", .args = RUN("iptables", "-L", "acctin", "-Z", "-n",
			 "-v", "-x"), .answers = a, .nanswers = 1 };
	bool ok = run(&r) && expect_rc(&r, 0) && expect_requests(&r, 1) &&
		  expect_request(&r, 0,
				 "iptables-save -c -t filter --zero acctin") &&
		  has("listing", r.out, "Chain acctin") &&
		  has("listing", r.out, "300");	/* counters before the zero */

	run_free(&r);
	return ok;
}

static bool t_ipt_list_zero_all(void)
{
	const struct answer a[] = { { 0, save_nat } };
	struct run r = { .argv0 = "masqctl", .args = RUN("iptables", "-t", "nat", "-L", "-Z",
			 "-n"), .answers = a, .nanswers = 1 };
	bool ok = run(&r) && expect_rc(&r, 0) && expect_requests(&r, 1) &&
		  expect_request(&r, 0, "iptables-save -c -t nat --zero-all") &&
		  has("listing", r.out, "MASQUERADE");

	run_free(&r);
	return ok;
}

static bool t_ipt_zero_alone(void)
{
	struct run r = { .argv0 = "masqctl", .args = RUN("iptables", "-Z", "INPUT") };
	bool ok = run(&r) && expect_rc(&r, 0) && expect_requests(&r, 1) &&
		  has("request", joined(&r.req[0]), "iptables -Z INPUT");

	run_free(&r);
	return ok;
}

static bool t_ipt_list_refused(void)
{
	const struct answer a[] = { { 1, "iptables: No chain/target/match by "
				      "that name.\n" } };
	struct run r = { .argv0 = "masqctl", .args = RUN("iptables", "-L", "nosuch", "-Z", "-n"),
			 .answers = a, .nanswers = 1 };
	bool ok = run(&r) && expect_rc(&r, 1) && expect_requests(&r, 1) &&
		  has("stderr", r.err, "No chain") &&
		  expect_text("stdout", r.out, "");

	run_free(&r);
	return ok;
}

/* The text without its "# ..." lines */
static char *uncommented(const char *s)
{
	char *o = malloc(strlen(s) + 1), *p = o;

	while (o && *s) {
		size_t n = strcspn(s, "\n");

		if (*s != '#') {
			memcpy(p, s, n);
			p += n;
			if (s[n])
				*p++ = '\n';
		}
		s += n + (s[n] != '\0');
	}
	if (o)
		*p = '\0';
	return o;
}

/* iptables-save -c of @text by the library, without comment lines */
static char *saved(const char *text)
{
	struct ipt_ruleset *rs = load(text);
	struct ipt_text out = { 0 };
	char *s;

	if (!rs)
		return NULL;
	ipt_save(rs, 1u << IPT_NAT | 1u << IPT_FILTER, true, NULL, &out);
	s = strdup(out.s ? out.s : "");
	ipt_text_free(&out);
	ipt_ruleset_free(rs);
	return s;
}

static bool t_save(void)
{
	const struct answer a[] = { { 0, save_all } };
	struct run r = { .argv0 = "masqctl", .args = RUN("iptables-save", "-c"), .answers = a,
			 .nanswers = 1 };
	char *bare = NULL, *want = saved(save_all);
	bool ok = want && run(&r) && expect_rc(&r, 0) &&
		  expect_request(&r, 0, "iptables-save -c") &&
		  has("output", r.out, "# Generated by masq-iptables-save v") &&
		  has("output", r.out, "# Completed on ") &&
		  (bare = uncommented(r.out)) &&
		  expect_text("tables", bare, want);

	free(want);
	free(bare);
	run_free(&r);
	return ok;
}

/* iptables-save's text in parts is read whole */
static bool t_save_parts(void)
{
	char text[sizeof(save_all) + 8];
	const struct answer a[] = { { 0, text } };
	struct run r = { .argv0 = "masqctl", .args = RUN("iptables-save", "-c"),
			 .answers = a, .nanswers = 1 };
	size_t half = strlen(save_nat) + 5;
	char *bare = NULL, *want = saved(save_all);
	bool ok;

	snprintf(text, sizeof(text), "%.*s\f%s", (int)half, save_all,
		 save_all + half);
	ok = want && run(&r) && expect_rc(&r, 0) &&
	     (bare = uncommented(r.out)) && expect_text("tables", bare, want);
	free(want);
	free(bare);
	run_free(&r);
	return ok;
}

static bool t_save_table(void)
{
	const struct answer a[] = { { 0, save_nat } };
	struct run r = { .argv0 = "masq-iptables-save", .args = RUN("-t", "nat", "-M", "x"),
			 .answers = a, .nanswers = 1 };
	bool ok = run(&r) && expect_rc(&r, 0) &&
		  expect_request(&r, 0, "iptables-save -t nat") &&
		  has("output", r.out, "*nat") &&
		  has("output", r.out, ":POSTROUTING ACCEPT");

	run_free(&r);
	return ok;
}

static bool t_save_bad_option(void)
{
	struct run r = { .argv0 = "iptables-save", .args = RUN("--bogus") };
	bool ok = run(&r) && expect_rc(&r, 1) && expect_requests(&r, 0) &&
		  has("stderr", r.err, "--bogus");

	run_free(&r);
	return ok;
}

static bool t_save_bad_table(void)
{
	struct run r = { .argv0 = "iptables-save", .args = RUN("-t", "security") };
	bool ok = run(&r) && expect_rc(&r, 1) && expect_requests(&r, 0) &&
		  has("stderr", r.err, "security");

	run_free(&r);
	return ok;
}

static bool t_restore_numeric(void)
{
	struct run r = { .argv0 = "iptables-restore", .in = save_all };
	bool ok = run(&r) && expect_rc(&r, 0) && expect_requests(&r, 1) &&
		  expect_text("word 0", r.req[0].argv[0], "iptables-restore") &&
		  expect_text("sent text", r.req[0].argv[r.req[0].argc - 1],
			      save_all);

	run_free(&r);
	return ok;
}

/* --noflush: checked against masqd's ruleset, fetched first */
static bool t_restore_flags(void)
{
	const struct answer a[] = { { 0, save_all } };
	struct run r = { .argv0 = "masqctl", .args = RUN("iptables-restore",
			 "-nc"), .in = save_filter, .answers = a, .nanswers = 1 };
	bool ok = run(&r) && expect_rc(&r, 0) && expect_requests(&r, 2) &&
		  expect_request(&r, 0, "iptables-save") &&
		  r.req[1].argc == 4 &&
		  expect_text("word 1", r.req[1].argv[1], "--noflush") &&
		  expect_text("word 2", r.req[1].argv[2], "--counters") &&
		  expect_text("text", r.req[1].argv[3], save_filter);

	run_free(&r);
	return ok;
}

/* --noflush may add to a chain only masqd has; without it, it may not */
static bool t_restore_noflush_masqd_chain(void)
{
	static const char text[] = "*filter\n-A acctin -s 10.0.0.1/32\nCOMMIT\n";
	const struct answer a[] = { { 0, save_all } };
	struct run r = { .argv0 = "iptables-restore", .args = RUN("--noflush"),
			 .in = text, .answers = a, .nanswers = 1 };
	struct run r2 = { .argv0 = "iptables-restore", .in = text };
	bool ok = run(&r) && expect_rc(&r, 0) && expect_requests(&r, 2) &&
		  expect_text("text", r.req[1].argv[2], text) &&
		  run(&r2) && expect_rc(&r2, 1) && expect_requests(&r2, 0);

	run_free(&r);
	run_free(&r2);
	return ok;
}

static bool t_restore_names(void)
{
	static const char text[] =
		"*filter\n"
		":INPUT ACCEPT [0:0]\n"
		"# hosts by name\n"
		"-A INPUT -s localhost -p tcp --dport 22 -m comment "
		"--comment \"from \\\"here\\\"\" -j ACCEPT\n"
		"COMMIT\n";
	const struct answer a[] = { { 0, save_all } };
	struct run r = { .argv0 = "masq-iptables-restore",
			 .args = RUN("--noflush"), .in = text, .answers = a,
			 .nanswers = 1 };
	struct ipt_ruleset *rs = ipt_ruleset_new();
	struct ipt_err err;
	const char *sent;
	bool ok = run(&r) && expect_rc(&r, 0) && expect_requests(&r, 2);

	if (!ok || !rs)
		goto out;
	sent = r.req[1].argv[r.req[1].argc - 1];
	ok = lacks("sent text", sent, "localhost") &&
	     has("sent text", sent, "127.0.0.1") &&
	     has("sent text", sent, ":INPUT ACCEPT [0:0]\n") &&
	     has("sent text", sent, "\\\"here\\\"") &&
	     lacks("sent text", sent, "-t filter");
	if (ok && ipt_restore(rs, sent, IPT_RESTORE_NOFLUSH | IPT_RESTORE_TEST,
			      NULL, &err))
		ok = report_whyf("sent text is not numeric: %s", err.msg);
out:
	if (rs)
		ipt_ruleset_free(rs);
	run_free(&r);
	return ok;
}

static bool t_restore_syntax(void)
{
	struct run r = { .argv0 = "iptables-restore",
			 .in = "*filter\n-A INPUT --bogus\nCOMMIT\n" };
	bool ok = run(&r) && expect_rc(&r, 2) && expect_requests(&r, 0) &&
		  has("stderr", r.err, "line 2");

	run_free(&r);
	return ok;
}

/* Parses, cannot apply: 1, as iptables-restore's "line N failed" */
static bool t_restore_apply_error(void)
{
	struct run r = { .argv0 = "iptables-restore",
			 .in = "*filter\n-A nosuch -j ACCEPT\nCOMMIT\n" };
	bool ok = run(&r) && expect_rc(&r, 1) && expect_requests(&r, 0) &&
		  has("stderr", r.err, "line 2");

	run_free(&r);
	return ok;
}

static bool t_restore_test(void)
{
	struct run r = { .argv0 = "iptables-restore", .args = RUN("--test"), .in = save_all };
	bool ok = run(&r) && expect_rc(&r, 0) && expect_requests(&r, 0);

	run_free(&r);
	return ok;
}

static bool t_restore_too_big(void)
{
	struct run r = { .argv0 = "iptables-restore",
			 .in_size = CTL_MAX_REQUEST + 1 };
	bool ok = run(&r) && expect_rc(&r, 1) && expect_requests(&r, 0) &&
		  has("stderr", r.err, "larger");

	run_free(&r);
	return ok;
}

static bool t_restore_one_table(void)
{
	struct run r = { .argv0 = "iptables-restore", .args = RUN("-T", "nat"), .in = save_all };
	const char *sent;
	bool ok = run(&r) && expect_rc(&r, 0) && expect_requests(&r, 1);

	if (!ok)
		goto out;
	sent = r.req[0].argv[r.req[0].argc - 1];
	ok = has("sent text", sent, "MASQUERADE") &&
	     lacks("sent text", sent, "*filter") &&
	     lacks("sent text", sent, "-A INPUT");
out:
	run_free(&r);
	return ok;
}

static bool t_restore_no_file(void)
{
	struct run r = { .argv0 = "iptables-restore", .args = RUN("/nonexistent/rules") };
	bool ok = run(&r) && expect_rc(&r, 1) && expect_requests(&r, 0) &&
		  has("stderr", r.err, "/nonexistent/rules");

	run_free(&r);
	return ok;
}

/* "# ipacct-dump YYYY-MM-DDTHH:MM:SSZ SECONDS\n", near now */
static bool acct_first_line(const char *out)
{
	struct tm tm = { 0 };
	long long secs;
	char iso[32];
	time_t now = time(NULL);

	if (sscanf(out, "# ipacct-dump %31s %lld\n", iso, &secs) != 2 ||
	    !strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm))
		return report_whyf("first line: %.60s", out);
	if (timegm(&tm) != secs || secs > now || secs < now - 60)
		return report_whyf("times disagree: %s %lld (now %lld)", iso, secs,
				   (long long)now);
	return true;
}

static bool t_acct(void)
{
	const struct answer a[] = { { 0, save_filter } };
	char *in_args[] = { "-L", "acctin", "-n", "-v", "-x" };
	char *out_args[] = { "-L", "acctout", "-n", "-v", "-x" };
	char *lin = listing(save_filter, 5, in_args);
	char *lout = listing(save_filter, 5, out_args);
	char *want = NULL;
	struct run r = { .argv0 = "masqctl", .args = RUN("ipacct-dump"), .answers = a,
			 .nanswers = 1 };
	bool ok = lin && lout && asprintf(&want, "%s\n%s", lin, lout) > 0 &&
		  run(&r) && expect_rc(&r, 0) && expect_requests(&r, 1) &&
		  expect_request(&r, 0, "iptables-save -c -t filter --zero "
				 "acctin --zero acctout") &&
		  acct_first_line(r.out) &&
		  expect_text("listings", strchr(r.out, '\n') + 1, want);

	run_free(&r);
	free(lin);
	free(lout);
	free(want);
	return ok;
}

static bool t_acct_refused(void)
{
	const struct answer a[] = { { 1, "iptables-save: no chain acctx in "
				      "table filter\n" } };
	struct run r = { .argv0 = "masqctl", .args = RUN("ipacct-dump", "acctx"), .answers = a,
			 .nanswers = 1 };
	bool ok = run(&r) && expect_rc(&r, 1) &&
		  expect_request(&r, 0, "iptables-save -c -t filter --zero acctx")
		  && has("stderr", r.err, "acctx") &&
		  expect_text("stdout", r.out, "");

	run_free(&r);
	return ok;
}

static bool t_acct_missing(void)
{
	const struct answer a[] = { { 0, save_nat } };
	struct run r = { .argv0 = "masqctl", .args = RUN("ipacct-dump", "-t", "nat", "acctin"),
			 .answers = a, .nanswers = 1 };
	bool ok = run(&r) && expect_rc(&r, 1) &&
		  expect_request(&r, 0, "iptables-save -c -t nat --zero acctin")
		  && has("stderr", r.err, "acctin") &&
		  expect_text("stdout", r.out, "");

	run_free(&r);
	return ok;
}

/* ---- origdst, set origdst-user, save -------------------------------- */

static bool t_origdst(void)
{
	const struct answer a[] = { { 0, "198.51.100.7:80\n" },
				    { 1, "origdst: no such connection\n" } };
	struct run r = { .argv0 = "masqctl", .args = RUN("origdst",
			 "192.168.0.2:40000", "192.168.0.1:3128"), .answers = a,
			 .nanswers = 1 };
	bool ok = run(&r) && expect_rc(&r, 0) &&
		  expect_request(&r, 0, "origdst 192.168.0.2:40000 192.168.0.1:3128") &&
		  expect_text("stdout", r.out, "198.51.100.7:80\n") &&
		  expect_text("stderr", r.err, "");

	run_free(&r);
	r.answers = a + 1;
	ok = ok && run(&r) && expect_rc(&r, 1) &&
	     expect_text("stdout", r.out, "") &&
	     expect_text("stderr", r.err, "origdst: no such connection\n");
	run_free(&r);
	return ok;
}

/* set origdst-user WORD sends @want (NULL: sends nothing, exit 2) */
static bool set_user_sends(const char *word, const char *want)
{
	struct run r = { .argv0 = "masqctl", .args = RUN("set", "origdst-user", word) };
	bool ok = run(&r);

	if (want)
		ok = ok && expect_rc(&r, 0) && expect_requests(&r, 1) &&
		     expect_request(&r, 0, want);
	else
		ok = ok && expect_rc(&r, 2) && expect_requests(&r, 0) &&
		     has("stderr", r.err, word);
	run_free(&r);
	return ok;
}

static bool t_set_origdst_user(void)
{
	const struct passwd *pw = getpwnam("nobody");
	char want[64], uid[16];
	struct run r = { .argv0 = "masqctl", .args = RUN("set", "origdst-user") };
	bool ok;

	if (!pw)
		return report_whyf("no user nobody in the passwd database");
	snprintf(want, sizeof(want), "set origdst-user %u:%u",
		 (unsigned)pw->pw_uid, (unsigned)pw->pw_gid);
	snprintf(uid, sizeof(uid), "%u", (unsigned)pw->pw_uid);
	ok = set_user_sends("nobody", want) && set_user_sends(uid, want) &&
	     set_user_sends("1234:5678", "set origdst-user 1234:5678") &&
	     set_user_sends("none", "set origdst-user none") &&
	     set_user_sends("masq-no-such-user", NULL) &&
	     set_user_sends("nobody:65534", NULL) &&
	     set_user_sends("", NULL);
	ok = ok && run(&r) && expect_rc(&r, 2) && expect_requests(&r, 0);
	run_free(&r);
	return ok;
}

/* Every other set goes as it is, its answer printed */
static bool t_set_passthrough(void)
{
	const struct answer a[] = { { 2, "set: bad timeout 'x'\n" } };
	struct run r = { .argv0 = "masqctl", .args = RUN("set", "timeout", "udp", "x"),
			 .answers = a, .nanswers = 1 };
	bool ok = run(&r) && expect_rc(&r, 2) &&
		  expect_request(&r, 0, "set timeout udp x") &&
		  expect_text("stderr", r.err, "set: bad timeout 'x'\n");

	run_free(&r);
	return ok;
}

/* masqctl save: six questions, then one file (saveall.c) */
static bool t_save_settings(void)
{
	const struct passwd *pw = getpwnam("nobody");
	char show[512], want[1024];
	struct answer a[6] = {
		{ 0, show },
		{ 0, "192.168.0.0/24 dev lan0 proto kernel scope link\n"
		     "10.9.0.0/16 via 192.168.0.254 dev lan0\n"
		     "default via 203.0.113.254 dev wan0 proto boot\n" },
		{ 0, "192.168.0.9 dev lan0 lladdr 02:00:00:00:00:09 PERMANENT\n" },
		{ 0, "ipmasqadm portfw -a -P tcp -L 203.0.113.1 80 -R 192.168.0.2 80 -p 10\n" },
		{ 0, "*filter\n:INPUT DROP [0:0]\n-A INPUT -i lan0 -j ACCEPT\nCOMMIT\n" },
		{ 0, "ftp on ports 21\nirc on ports 6667,6697\ntftp on ports 69\n" },
	};
	struct run r = { .argv0 = "masqctl", .args = RUN("save"), .answers = a,
			 .nanswers = 6 };
	bool ok, unknown = getpwuid(4321) == NULL;

	if (!pw)
		return report_whyf("no user nobody in the passwd database");
	snprintf(show, sizeof(show),
		 "timeout tcp-established  7440\n"
		 "ports 61000-65095\n"
		 "filtering endpoint-independent\n"
		 "accounting on\n"
		 "conntrack-size 262144\n"
		 "origdst-user %u:%u\n", (unsigned)pw->pw_uid,
		 (unsigned)pw->pw_gid);
	snprintf(want, sizeof(want),
		 "\n# settings\n"
		 "set timeout tcp-established 7440\n"
		 "set ports 61000-65095\n"
		 "set filtering endpoint-independent\n"
		 "# accounting on\n"
		 "# conntrack-size 262144\n"
		 "# set origdst-user nobody\t(masqctl's");
	ok = run(&r) && expect_rc(&r, 0) && expect_requests(&r, 6) &&
	     expect_request(&r, 0, "show settings") &&
	     expect_request(&r, 1, "route") && expect_request(&r, 2, "neigh") &&
	     expect_request(&r, 3, "ipmasqadm save") &&
	     expect_request(&r, 4, "iptables-save") &&
	     expect_request(&r, 5, "helper") &&
	     has("stdout", r.out, want) &&
	     has("stdout", r.out, "\n# application helpers\nhelper ftp on ports 21\n"
		 "helper irc on ports 6667,6697\nhelper tftp on ports 69\n") &&
	     has("stdout", r.out, "\nroute add 10.9.0.0/16 via 192.168.0.254 dev lan0\n"
		 "neigh add 192.168.0.9 lladdr 02:00:00:00:00:09 dev lan0\n") &&
	     lacks("stdout", r.out, "route add default") &&
	     has("stdout", r.out, "\nipmasqadm portfw -a -P tcp -L 203.0.113.1 80") &&
	     has("stdout", r.out, "\niptables -t filter -F\niptables -t filter -X\n"
		 "iptables -t filter -P INPUT DROP\n"
		 "iptables -t filter -A INPUT -i lan0 -j ACCEPT\n");
	run_free(&r);
	if (ok && unknown) {
		snprintf(show, sizeof(show), "origdst-user 4321:4321\n");
		ok = run(&r) && expect_rc(&r, 0) &&
		     has("stdout", r.out, "\n# set origdst-user 4321:4321\t");
		run_free(&r);
	}
	snprintf(show, sizeof(show), "origdst-user none\n");
	ok = ok && run(&r) && has("stdout", r.out, "\n# origdst-user none\n");
	run_free(&r);
	/* a question refused: its answer, and no file */
	a[2] = (struct answer){ 1, "neigh: something is wrong\n" };
	ok = ok && run(&r) && expect_rc(&r, 1) && expect_requests(&r, 3) &&
	     expect_text("stdout", r.out, "") &&
	     has("stderr", r.err, "something is wrong");
	run_free(&r);
	r.args = RUN("save", "x");
	ok = ok && run(&r) && expect_rc(&r, 2) && expect_requests(&r, 0);
	run_free(&r);
	return ok;
}

/* ---- ipmasqadm ---------------------------------------------------------- */

/* Names are resolved before masqd is asked; numbers go as they are */
static bool t_adm_names(void)
{
	const struct answer a[] = { { 0, "" } };
	struct run r = { .argv0 = "masqctl",
			 .args = RUN("ipmasqadm", "portfw", "-a", "-P", "tcp",
				     "-L", "localhost", "http", "-R",
				     "127.0.0.1", "8080", "-p", "5"),
			 .answers = a, .nanswers = 1 };
	struct run r2 = { .argv0 = "ipmasqadm",
			  .args = RUN("mfw", "-A", "-m", "1", "-r", "localhost",
				      "ssh"), .answers = a, .nanswers = 1 };
	bool ok = run(&r) && expect_rc(&r, 0) && expect_requests(&r, 1) &&
		  expect_request(&r, 0, "ipmasqadm portfw -a -P tcp -L 127.0.0.1 "
				 "80 -R 127.0.0.1 8080 -p 5") &&
		  run(&r2) && expect_rc(&r2, 0) &&
		  expect_request(&r2, 0, "ipmasqadm mfw -A -m 1 -r 127.0.0.1 22");

	run_free(&r);
	run_free(&r2);
	return ok;
}

/* A name that does not resolve: status 2, a message, nothing sent */
static bool t_adm_bad_name(void)
{
	struct run r = { .argv0 = "ipmasqadm",
			 .args = RUN("portfw", "-a", "-P", "tcp", "-L",
				     "203.0.113.1", "80", "-R",
				     "masq-no-such-host.invalid", "80") };
	struct run r2 = { .argv0 = "ipmasqadm",
			  .args = RUN("portfw", "-a", "-P", "udp", "-L",
				      "203.0.113.1", "nosuchservice", "-R",
				      "192.168.0.2", "80") };
	bool ok = run(&r) && expect_rc(&r, 2) && expect_requests(&r, 0) &&
		  has("stderr", r.err, "portfw: host `masq-no-such-host.invalid' "
		      "not found") &&
		  run(&r2) && expect_rc(&r2, 2) && expect_requests(&r2, 0) &&
		  has("stderr", r2.err, "unknown service `nosuchservice' for udp");

	run_free(&r);
	run_free(&r2);
	return ok;
}

/* masqd's refusal is printed, with its status */
static bool t_adm_masqd_status(void)
{
	const struct answer a[] = { { 2, "portfw: illegal port '0' (1-65535)\n" } };
	struct run r = { .argv0 = "masqctl",
			 .args = RUN("ipmasqadm", "portfw", "-a", "-P", "tcp", "-L",
				     "203.0.113.1", "0", "-R", "192.168.0.2", "80"),
			 .answers = a, .nanswers = 1 };
	bool ok = run(&r) && expect_rc(&r, 2) &&
		  expect_request(&r, 0, "ipmasqadm portfw -a -P tcp -L 203.0.113.1 "
				 "0 -R 192.168.0.2 80") &&
		  expect_text("stderr", r.err, a[0].text);

	run_free(&r);
	return ok;
}

/* Help is local: asked for, status 0 on stdout; no options, 2 on stderr */
static bool t_adm_help(void)
{
	struct run r = { .argv0 = "masqctl", .args = RUN("ipmasqadm", "portfw", "-h") };
	struct run r2 = { .argv0 = "ipmasqadm" };
	struct run r3 = { .argv0 = "ipmasqadm", .args = RUN("autofw") };
	bool ok = run(&r) && expect_rc(&r, 0) && expect_requests(&r, 0) &&
		  has("stdout", r.out, "portfw -a -P PROTO -L LADDR LPORT -R RADDR "
		      "RPORT [-p PREF]") && has("stdout", r.out, "default 10") &&
		  run(&r2) && expect_rc(&r2, 2) && expect_requests(&r2, 0) &&
		  has("stderr", r2.err, "Usage: ipmasqadm MODULE") &&
		  run(&r3) && expect_rc(&r3, 2) && expect_requests(&r3, 0) &&
		  has("stderr", r3.err, "-c PROTO PORT");

	run_free(&r);
	run_free(&r2);
	run_free(&r3);
	return ok;
}

/* Listings: names without -n, masqd's text as it is with -n */
static bool t_adm_list(void)
{
	static const char list[] =
		"prot localaddr            rediraddr               lport    rport  pcnt  pref\n"
		"TCP  127.0.0.1            127.0.0.1                  80       22     3    10\n";
	const struct answer a[] = { { 0, list } };
	struct run r = { .argv0 = "ipmasqadm", .args = RUN("portfw", "-l", "-n"),
			 .answers = a, .nanswers = 1 };
	bool ok = run(&r) && expect_rc(&r, 0) &&
		  expect_request(&r, 0, "ipmasqadm portfw -l -n") &&
		  expect_text("stdout", r.out, list);

	run_free(&r);
	r.args = RUN("portfw", "-l");
	ok = ok && run(&r) && expect_rc(&r, 0) &&
	     expect_request(&r, 0, "ipmasqadm portfw -l") &&
	     has("stdout", r.out, "    http      ssh     3    10\n") &&
	     has("stdout", r.out, "prot localaddr ");
	run_free(&r);
	return ok;
}

/*
 * masq -L without -n: the rows named as they stream in, lines cut across
 * parts; -n and --raw: masqd's text as it came
 */
static bool t_masq_list(void)
{
	static const char head[] =
		"IP masquerading entries\n"
		"prot expire   source               destination          ports\n";
	const struct answer a[] = {
		{ 0, "IP masquerading entries\nprot expire   source     \f"
		     "          destination          ports\nTCP  14:59.96 "
		     "192.0.2.9            198.51.100.10        22 (61000) -> 8\f"
		     "0\nUDP  00:28.75 192.0.2.9            198.51.100.10        "
		     "5353 (5353) -> 53\n" },
	};
	struct run r = { .argv0 = "masqctl", .args = RUN("masq", "-L"),
			 .answers = a, .nanswers = 1 };
	bool ok = run(&r) && expect_rc(&r, 0) &&
		  expect_request(&r, 0, "masq -L") &&
		  has("stdout", r.out, head) &&
		  has("stdout", r.out, "TCP  14:59.96 192.0.2.9            "
		      "198.51.100.10        ssh (61000) -> http\n") &&
		  has("stdout", r.out, " (5353) -> domain\n");

	run_free(&r);
	r.args = RUN("masq", "-L", "-n");
	ok = ok && run(&r) && expect_rc(&r, 0) &&
	     expect_request(&r, 0, "masq -L -n") &&
	     has("stdout", r.out, "22 (61000) -> 80\n");
	run_free(&r);
	r.args = RUN("masq", "-L", "--raw");
	ok = ok && run(&r) && expect_request(&r, 0, "masq -L --raw") &&
	     has("stdout", r.out, "22 (61000) -> 80\n");
	run_free(&r);
	return ok;
}

/* masqd's refusal of a listing is printed on stderr with its status */
static bool t_masq_list_refused(void)
{
	const struct answer a[] = { { 2, "masq: unknown option '-x' (-n, -v, --raw)\n" } };
	struct run r = { .argv0 = "masqctl", .args = RUN("masq", "-L", "-x"),
			 .answers = a, .nanswers = 1 };
	bool ok = run(&r) && expect_rc(&r, 2) &&
		  expect_request(&r, 0, "masq -L -x") &&
		  expect_text("stderr", r.err, a[0].text) &&
		  expect_text("stdout", r.out, "");

	run_free(&r);
	return ok;
}

/* masq -D: the host and the service resolved; a bad name sends nothing */
static bool t_masq_delete(void)
{
	const struct answer a[] = { { 0, "2 entries deleted\n" } };
	const struct answer none[] = { { 1, "masq: no such entry: TCP 127.0.0.1 22\n" } };
	struct run r = { .argv0 = "masqctl",
			 .args = RUN("masq", "-D", "tcp", "localhost", "ssh"),
			 .answers = a, .nanswers = 1 };
	struct run r2 = { .argv0 = "masqctl",
			  .args = RUN("masq", "-D", "tcp",
				      "masq-no-such-host.invalid", "80") };
	bool ok = run(&r) && expect_rc(&r, 0) && expect_requests(&r, 1) &&
		  expect_request(&r, 0, "masq -D tcp 127.0.0.1 22") &&
		  expect_text("stdout", r.out, a[0].text) &&
		  run(&r2) && expect_rc(&r2, 2) && expect_requests(&r2, 0) &&
		  has("stderr", r2.err, "masq: host `masq-no-such-host.invalid' "
		      "not found");

	run_free(&r);
	r.answers = none;
	ok = ok && run(&r) && expect_rc(&r, 1) &&
	     expect_text("stderr", r.err, none[0].text);
	run_free(&r);
	run_free(&r2);
	return ok;
}

/*
 * tests/tools/origdst_ask, the C function docs/control.md gives relays:
 * the words it sends, its answer taken from a reply alone or after parts
 */
static bool t_origdst_ask(void)
{
	const struct answer a[] = {
		{ 0, "198.51.100.7:80\n" },
		{ 0, "198.51.\f100.7:80\n" },
		{ 1, "origdst: no such connection\n" },
		{ 1, "masqd: permission denied: this user (uid 65534) may only "
		     "ask origdst\n" },
	};
	struct run r = { .argv0 = "origdst_ask", .prog = origdst_ask,
			 .args = RUN("192.168.0.2:40000", "192.168.0.1:3128", "udp"),
			 .answers = a, .nanswers = 1 };
	bool ok = run(&r) && expect_rc(&r, 0) &&
		  expect_request(&r, 0, "origdst 192.168.0.2:40000 192.168.0.1:3128 udp") &&
		  expect_text("stdout", r.out, "198.51.100.7:80\n");

	run_free(&r);
	r.answers = a + 1;
	r.args = RUN("192.168.0.2:40000", "192.168.0.1:3128");
	ok = ok && run(&r) && expect_rc(&r, 0) &&
	     expect_request(&r, 0, "origdst 192.168.0.2:40000 192.168.0.1:3128") &&
	     expect_text("stdout", r.out, "198.51.100.7:80\n");
	run_free(&r);
	for (int i = 2; ok && i < 4; i++) {
		r.answers = a + i;
		ok = run(&r) && expect_rc(&r, 1) && expect_text("stdout", r.out, "") &&
		     has("stderr", r.err, a[i].text);
		run_free(&r);
	}
	r.args = RUN("192.168.0.2:40000", "host:3128");
	ok = ok && run(&r) && expect_rc(&r, 2) && expect_requests(&r, 0);
	run_free(&r);
	return ok;
}

/* @s from its first line after @from up to the line starting with @to */
static char *between(const char *s, const char *from, const char *to)
{
	const char *a = s ? strstr(s, from) : NULL, *b;

	if (!a || !(a = strchr(a, '\n')))
		return NULL;
	while (*++a == '\n')
		;
	b = strstr(a, to);
	while (b && b > a && b[-1] == '\n')
		b--;
	return b ? strndup(a, (size_t)(b - a)) : NULL;
}

/* docs/control.md shows masq_origdst() exactly as the tool has it */
static bool t_origdst_doc(const char *src_root)
{
	char path[PATH_MAX + 32], *doc, *tool, *section, *want, *got;
	bool ok;

	snprintf(path, sizeof(path), "%s/docs/control.md", src_root);
	doc = slurp(path);
	snprintf(path, sizeof(path), "%s/tests/tools/origdst_ask.c", src_root);
	tool = slurp(path);
	section = doc ? strstr(doc, "## Asking for the original destination") : NULL;
	got = between(section, "```c", "```");
	want = between(tool, "/* ---- the function docs/control.md shows",
		       "/* ---- the program");
	ok = (got && want && !strcmp(got, want)) ||
	     report_whyf("docs/control.md's masq_origdst() differs from "
			 "tests/tools/origdst_ask.c's (%s)", got && want ? "text" :
			 "not found");
	free(doc);
	free(tool);
	free(got);
	free(want);
	return ok;
}

/* ---- ipfwadm ------------------------------------------------------------ */

/* What masqd's ipfwadm-save -c gives: a masquerading forward rule, acct */
static const char fwadm_save[] =
	"# ipfwadm-save (masq): the commands that rebuild the ruleset\n"
	"[0:0] ipfwadm -I -p deny\n"
	"[0:0] ipfwadm -O -p accept\n"
	"[0:0] ipfwadm -F -p deny\n"
	"[7:420] ipfwadm -F -a masquerade -S 192.168.1.0/24 -D 0.0.0.0/0\n"
	"[123456:7890123] ipfwadm -A in -a -P tcp -S 127.0.0.1/32 -D 0.0.0.0/0 22\n";

/* What the library lists for @text (numbers only) */
static char *fwadm_listing(const char *text, int argc, char *const *argv)
{
	struct ipt_ruleset *rs = ipt_ruleset_new();
	struct ipt_text out = { 0 };
	struct ipt_err err;
	char *s = NULL;

	if (rs && !ipt_ipfwadm_ops.restore(rs, text, &err) &&
	    !ipt_ipfwadm_ops.exec(rs, argc, argv, NULL, &out, &err))
		s = strdup(out.s ? out.s : "");
	else
		report_whyf("library refuses the listing: %s", err.msg);
	ipt_text_free(&out);
	ipt_ruleset_free(rs);
	return s;
}

/* A rule goes as canonical numeric words, the host name looked up here */
static bool t_fwadm_append(void)
{
	struct run r = { .argv0 = "ipfwadm", .args = RUN("-F", "-a", "m", "-S",
			 "192.168.1.0/24", "-D", "0/0") };
	struct run r2 = { .argv0 = "masqctl", .args = RUN("ipfwadm", "-I", "-i",
			  "acc", "-Ptcp", "-S", "localhost", "-D", "any/0", "22",
			  "-W", "eth0", "-y") };
	bool ok = run(&r) && expect_rc(&r, 0) && expect_requests(&r, 1) &&
		  expect_request(&r, 0, "ipfwadm -F -a masquerade -S "
				 "192.168.1.0/24 -D 0.0.0.0/0") &&
		  run(&r2) && expect_rc(&r2, 0) && expect_requests(&r2, 1) &&
		  expect_request(&r2, 0, "ipfwadm -I -i accept -P tcp -W eth0 -y "
				 "-S 127.0.0.1/32 -D 0.0.0.0/0 22");

	run_free(&r);
	run_free(&r2);
	return ok;
}

/* A command ipfwadm would not take: its message, status 2, nothing sent */
static bool t_fwadm_bad(void)
{
	struct run r = { .argv0 = "ipfwadm", .args = RUN("-F", "-a", "bogus") };
	struct run r2 = { .argv0 = "ipfwadm", .args = RUN("-F", "-a", "accept",
			  "-S", "masq-no-such-host.invalid") };
	bool ok = run(&r) && expect_rc(&r, 2) && expect_requests(&r, 0) &&
		  expect_text("stderr", r.err, "ipfwadm: invalid policy \"bogus\" "
			      "specified\nTry `ipfwadm -h' for more information.\n") &&
		  run(&r2) && expect_rc(&r2, 2) && expect_requests(&r2, 0) &&
		  has("stderr", r2.err, "host/network \"masq-no-such-host.invalid\"");

	run_free(&r);
	run_free(&r2);
	return ok;
}

/* masqd's refusal (another language holds the ruleset) is printed */
static bool t_fwadm_masqd_status(void)
{
	const struct answer a[] = { { 1, "ipfwadm: the ruleset is written in "
				      "iptables: masqctl reset rules\n" } };
	struct run r = { .argv0 = "ipfwadm", .args = RUN("-F", "-p", "deny"),
			 .answers = a, .nanswers = 1 };
	bool ok = run(&r) && expect_rc(&r, 1) &&
		  expect_request(&r, 0, "ipfwadm -F -p deny") &&
		  expect_text("stderr", r.err, a[0].text);

	run_free(&r);
	return ok;
}

/* -l: one ipfwadm-save request, listed here; -l -z zeroes in masqd */
static bool t_fwadm_list(void)
{
	const struct answer a[] = { { 0, fwadm_save } };
	char *largs[] = { "-F", "-l", "-e", "-n" }, *aargs[] = { "-A", "-l", "-n" };
	char *want = fwadm_listing(fwadm_save, 4, largs);
	char *want2 = fwadm_listing(fwadm_save, 3, aargs);
	struct run r = { .argv0 = "ipfwadm", .args = RUN("-F", "-l", "-e", "-n"),
			 .answers = a, .nanswers = 1 };
	struct run r2 = { .argv0 = "masqctl", .args = RUN("ipfwadm", "-A", "-l",
			  "-z", "-n"), .answers = a, .nanswers = 1 };
	bool ok = want && want2 && run(&r) && expect_rc(&r, 0) &&
		  expect_requests(&r, 1) &&
		  expect_request(&r, 0, "ipfwadm-save -c") &&
		  expect_text("listing", r.out, want) &&
		  has("listing", r.out, "    7   420 acc/m all ") &&
		  run(&r2) && expect_rc(&r2, 0) && expect_requests(&r2, 1) &&
		  expect_request(&r2, 0, "ipfwadm-save -c --zero acct") &&
		  expect_text("listing", r2.out, want2) &&
		  has("listing", r2.out, " 123K 7890K in  tcp ");

	run_free(&r);
	run_free(&r2);
	free(want);
	free(want2);
	return ok;
}

/*
 * -c: the answer on stdout, ipfwadm's complaint on stderr; 255 where
 * ipfwadm exited -1, masqd's own refusal keeps its 1
 */
static bool t_fwadm_check(void)
{
	const struct answer a[] = {
		{ 0, "packet masqueraded\n" },
		{ 0, "ipfwadm: setsockopt failed: Software caused connection abort\n" },
		{ 0, "packet rejected\n" },
		{ 1, "ipfwadm: the ruleset is written in ipchains: masqctl reset rules\n" },
	};
	struct run r = { .argv0 = "ipfwadm", .args = RUN("-F", "-c", "-P", "tcp",
			 "-S", "192.168.1.5", "1025", "-D", "198.51.100.7", "80",
			 "-V", "10.0.0.1", "-W", "eth0"), .answers = a, .nanswers = 1 };
	bool ok = run(&r) && expect_rc(&r, 255) &&
		  expect_request(&r, 0, "ipfwadm -F -c -P tcp -V 10.0.0.1 -W eth0 "
				 "-S 192.168.1.5/32 1025 -D 198.51.100.7/32 80") &&
		  expect_text("stdout", r.out, "packet masqueraded\n") &&
		  expect_text("stderr", r.err, "");

	run_free(&r);
	r.answers = a + 1;
	ok = ok && run(&r) && expect_rc(&r, 255) &&
	     expect_text("stdout", r.out, "") &&
	     expect_text("stderr", r.err, a[1].text);
	run_free(&r);
	r.answers = a + 2;
	ok = ok && run(&r) && expect_rc(&r, 0) &&
	     expect_text("stdout", r.out, "packet rejected\n");
	run_free(&r);
	r.answers = a + 3;
	ok = ok && run(&r) && expect_rc(&r, 1) &&
	     expect_text("stderr", r.err, a[3].text);
	run_free(&r);
	return ok;
}

/* -M is the masquerade table's verb; -h is local */
static bool t_fwadm_masq_help(void)
{
	struct run r = { .argv0 = "ipfwadm", .args = RUN("-M", "-l", "-n") };
	struct run r2 = { .argv0 = "ipfwadm", .args = RUN("-M", "-s", "7200",
			  "10", "300") };
	struct run r3 = { .argv0 = "masqctl", .args = RUN("ipfwadm", "-h") };
	bool ok = run(&r) && expect_rc(&r, 0) &&
		  expect_request(&r, 0, "masq -L -n") &&
		  run(&r2) && expect_rc(&r2, 0) &&
		  expect_request(&r2, 0, "masq -S 7200 10 300") &&
		  run(&r3) && expect_rc(&r3, 0) && expect_requests(&r3, 0) &&
		  has("stdout", r3.out, "Usage: ipfwadm -A [in|out|both] COMMAND");

	run_free(&r);
	run_free(&r2);
	run_free(&r3);
	return ok;
}

/* ---- make install ------------------------------------------------------- */

static bool expect_link(const char *root, const char *path, const char *target)
{
	char p[PATH_MAX], t[PATH_MAX];
	struct stat st;
	ssize_t n;

	snprintf(p, sizeof(p), "%s%s", root, path);
	n = readlink(p, t, sizeof(t) - 1);
	if (n < 0)
		return report_whyf("%s is not a link: %s", path, strerror(errno));
	t[n] = '\0';
	if (strcmp(t, target))
		return report_whyf("%s -> %s, want %s", path, t, target);
	if (stat(p, &st) || !(st.st_mode & S_IXUSR))
		return report_whyf("%s does not lead to an executable", path);
	return true;
}

static bool absent(const char *root, const char *path)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s%s", root, path);
	if (lstat(p, &st))
		return true;
	return report_whyf("%s was installed", path);
}

static void t_install(const char *src_root)
{
	static const char *const sbin[] = { "masq-iptables",
		"masq-iptables-save", "masq-iptables-restore", "masq-ipchains",
		"masq-ipchains-save", "masq-ipchains-restore" };
	static const char *const lib[] = { "iptables", "iptables-save",
		"iptables-restore", "ipmasqadm", "ipfwadm", "ipchains",
		"ipchains-save", "ipchains-restore" };
	char cmd[PATH_MAX * 3], root[PATH_MAX], p[PATH_MAX + 32];
	bool ok;

	snprintf(p, sizeof(p), "%s/Makefile", src_root);
	if (access(p, R_OK)) {
		printf("SKIP masqctl/install_links: no %s\n", p);
		return;
	}
	snprintf(root, sizeof(root), "%s/inst", dir);
	snprintf(cmd, sizeof(cmd), "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "
		 "make -s -o all -C '%s' install DESTDIR='%s' >'%s/make.log' 2>&1",
		 src_root, root, dir);
	if (system(cmd)) {
		snprintf(p, sizeof(p), "%s/make.log", dir);
		char *log = slurp(p);

		report_whyf("make install failed: %.300s", log);
		free(log);
		report("install_links", false);
		return;
	}
	ok = true;
	for (size_t i = 0; ok && i < sizeof(sbin) / sizeof(sbin[0]); i++) {
		snprintf(p, sizeof(p), "/usr/sbin/%s", sbin[i]);
		ok = expect_link(root, p, "masqctl");
	}
	for (size_t i = 0; ok && i < sizeof(lib) / sizeof(lib[0]); i++) {
		snprintf(p, sizeof(p), "/usr/lib/masq/bin/%s", lib[i]);
		ok = expect_link(root, p, "../../../sbin/masqctl");
	}
	ok = ok && absent(root, "/usr/sbin/iptables") &&
	     absent(root, "/usr/bin/iptables") &&
	     absent(root, "/usr/sbin/iptables-save") &&
	     absent(root, "/usr/sbin/iptables-restore") &&
	     absent(root, "/usr/sbin/ipchains") &&
	     absent(root, "/usr/sbin/ipchains-save") &&
	     absent(root, "/usr/sbin/ipchains-restore");
	report("install_links", ok);
}

/* ---- setup ---------------------------------------------------------------- */

/* ---- ipchains, ipchains-save, ipchains-restore ----------------------- */

static const char save_chains[] =
	":input DENY [3:180]\n:forward DENY [0:0]\n:output ACCEPT [0:0]\n:web -\n"
	"[7:700] -A input -s 0.0.0.0/0.0.0.0 -d 0.0.0.0/0.0.0.0 80 -p 6 -j web\n"
	"[1:60] -A forward -s 192.168.0.0/255.255.255.0 -d 0.0.0.0/0.0.0.0 -j MASQ\n"
	"[0:0] -A web -s 127.0.0.1/255.255.255.255 -d 0.0.0.0/0.0.0.0 -j ACCEPT\n";

/* What ipchains ARGS lists for ipchains-save text @text (numbers only) */
static char *chains_listing(const char *text, int argc, char *const *argv)
{
	struct ipt_ruleset *rs = ipt_ruleset_new();
	struct ipt_text out = { 0 };
	struct ipt_err err;
	char *s = NULL;

	if (!rs || ipt_ipchains_ops.init(rs) ||
	    ipt_ipchains_ops.restore(rs, text, &err) ||
	    ipt_ipchains_ops.exec(rs, argc, argv, NULL, &out, &err))
		report_whyf("library refuses the listing: %s", err.msg);
	else
		s = strdup(out.s ? out.s : "");
	ipt_text_free(&out);
	ipt_ruleset_free(rs);
	return s;
}

/* Names resolved here, canonical numeric words sent */
static bool t_chains_append(void)
{
	struct run r = { .argv0 = "masqctl",
			 .args = RUN("ipchains", "-A", "input", "-p", "tcp", "-s",
				     "localhost", "-d", "0/0", "www", "-j", "ACCEPT",
				     "-l") };
	struct run r2 = { .argv0 = "ipchains",
			  .args = RUN("-I", "forward", "-b", "-s", "192.168.0.0/24",
				      "-j", "MASQ") };
	bool ok = run(&r) && expect_rc(&r, 0) && expect_requests(&r, 1) &&
		  expect_request(&r, 0, "ipchains -A input -s 127.0.0.1/255.255.255.255 "
				 "-d 0.0.0.0/0.0.0.0 80 -p 6 -j ACCEPT -l") &&
		  run(&r2) && expect_rc(&r2, 0) &&
		  expect_request(&r2, 0, "ipchains -I forward 1 -s 192.168.0.0/255.255.255.0 "
				 "-d 0.0.0.0/0.0.0.0 -j MASQ -b");

	run_free(&r);
	run_free(&r2);
	return ok;
}

/* A command that does not parse: ipchains' words, status 2, nothing sent */
static bool t_chains_bad(void)
{
	struct run r = { .argv0 = "masq-ipchains",
			 .args = RUN("-A", "input", "-p", "udp", "-y") };
	struct run r2 = { .argv0 = "ipchains",
			  .args = RUN("-A", "input", "-s", "masq-no-such-host.invalid") };
	bool ok = run(&r) && expect_rc(&r, 2) && expect_requests(&r, 0) &&
		  expect_text("stderr", r.err, "ipchains: -y only allowed with TCP "
			      "protocol\nTry `ipchains -h' or 'ipchains --help' for "
			      "more information.\n") &&
		  run(&r2) && expect_rc(&r2, 2) && expect_requests(&r2, 0) &&
		  has("stderr", r2.err, "host/network `masq-no-such-host.invalid' "
		      "not found");

	run_free(&r);
	run_free(&r2);
	return ok;
}

/* masqd's refusal and -C's verdict are printed as they come */
static bool t_chains_masqd_answers(void)
{
	const struct answer a[] = { { 1, "ipchains: No target by that name\n" } };
	const struct answer v[] = { { 0, "denied\n" } };
	struct run r = { .argv0 = "ipchains", .args = RUN("-A", "input", "-j", "nope"),
			 .answers = a, .nanswers = 1 };
	struct run r2 = { .argv0 = "ipchains",
			  .args = RUN("-C", "input", "-p", "tcp", "-s", "10.0.0.1",
				      "1025", "-d", "10.0.0.2", "www", "-i", "eth0"),
			  .answers = v, .nanswers = 1 };
	bool ok = run(&r) && expect_rc(&r, 1) &&
		  expect_text("stderr", r.err, a[0].text) &&
		  run(&r2) && expect_rc(&r2, 0) &&
		  expect_request(&r2, 0, "ipchains -C input -s 10.0.0.1/255.255.255.255 "
				 "1025 -d 10.0.0.2/255.255.255.255 80 -i eth0 -p 6") &&
		  expect_text("stdout", r2.out, "denied\n");

	run_free(&r);
	run_free(&r2);
	return ok;
}

/* -L: one ipchains-save -c request, listed here; -L -Z asks --zero */
static bool t_chains_list(void)
{
	const struct answer a[] = { { 0, save_chains } };
	char *largs[] = { "-L", "-n", "-v" };
	char *want = chains_listing(save_chains, 3, largs);
	struct run r = { .argv0 = "ipchains", .args = RUN("-L", "-n", "-v"),
			 .answers = a, .nanswers = 1 };
	struct run r2 = { .argv0 = "ipchains", .args = RUN("-L", "-Z"),
			  .answers = a, .nanswers = 1 };
	bool ok = want && run(&r) && expect_rc(&r, 0) && expect_requests(&r, 1) &&
		  expect_request(&r, 0, "ipchains-save -c") &&
		  expect_text("listing", r.out, want) &&
		  run(&r2) && expect_rc(&r2, 0) && expect_requests(&r2, 1) &&
		  expect_request(&r2, 0, "ipchains-save -c --zero") &&
		  has("listing", r2.out, "web        tcp  ------  anywhere             "
		      "anywhere              any ->   http") &&
		  has("listing", r2.out, "ACCEPT     all  ------  localhost");

	run_free(&r);
	run_free(&r2);
	free(want);
	return ok;
}

/* -M -L and -M -S are masq -L and masq -S; -h is answered here */
static bool t_chains_masq(void)
{
	struct run r = { .argv0 = "ipchains", .args = RUN("-M", "-L", "-n") };
	struct run r2 = { .argv0 = "ipchains", .args = RUN("-M", "-S", "7200", "0",
							  "160") };
	struct run r3 = { .argv0 = "ipchains", .args = RUN("-h", "icmp") };
	bool ok = run(&r) && expect_rc(&r, 0) &&
		  expect_request(&r, 0, "masq -L -n") &&
		  run(&r2) && expect_rc(&r2, 0) &&
		  expect_request(&r2, 0, "masq -S 7200 0 160") &&
		  run(&r3) && expect_rc(&r3, 0) && expect_requests(&r3, 0) &&
		  has("stdout", r3.out, "echo-request (ping)");

	run_free(&r);
	run_free(&r2);
	run_free(&r3);
	return ok;
}

/* ipchains-save [CHAIN]: masqd's text, or one chain of it */
static bool t_chains_save(void)
{
	const struct answer a[] = { { 0, save_chains } };
	struct run r = { .argv0 = "masqctl", .args = RUN("ipchains-save", "-c"),
			 .answers = a, .nanswers = 1 };
	struct run r2 = { .argv0 = "ipchains-save", .args = RUN("forward"),
			  .answers = a, .nanswers = 1 };
	struct run r3 = { .argv0 = "ipchains-save", .args = RUN("nosuch"),
			  .answers = a, .nanswers = 1 };
	bool ok = run(&r) && expect_rc(&r, 0) &&
		  expect_request(&r, 0, "ipchains-save -c") &&
		  expect_text("stdout", r.out, save_chains) &&
		  run(&r2) && expect_rc(&r2, 0) &&
		  expect_request(&r2, 0, "ipchains-save") &&
		  expect_text("stdout", r2.out, ":forward DENY\n-A forward -s "
			      "192.168.0.0/255.255.255.0 -d 0.0.0.0/0.0.0.0 -j MASQ\n") &&
		  run(&r3) && expect_rc(&r3, 1) &&
		  has("stderr", r3.err, "No chain by that name");

	run_free(&r);
	run_free(&r2);
	run_free(&r3);
	return ok;
}

/* ipchains-restore -p: names resolved, chains made, checked, sent whole */
static bool t_chains_restore(void)
{
	struct run r = { .argv0 = "ipchains-restore", .args = RUN("-f", "-p"),
			 .in = ":input DENY\n-A input -p tcp -s localhost -d 0/0 www "
			       "-j web\n-A web -j ACCEPT\n" };
	struct run r2 = { .argv0 = "ipchains-restore",
			  .in = ":input DENY\n-A input -j web\n" };
	struct run r3 = { .argv0 = "ipchains-restore", .args = RUN("-q") };
	bool ok = run(&r) && expect_rc(&r, 0) && expect_requests(&r, 1) &&
		  expect_request(&r, 0, "ipchains-restore :web -\n:input DENY\n"
				 "-A input -s 127.0.0.1/255.255.255.255 -d 0.0.0.0/0.0.0.0 "
				 "80 -p 6 -j web\n-A web -s 0.0.0.0/0.0.0.0 -d "
				 "0.0.0.0/0.0.0.0 -j ACCEPT\n") &&
		  run(&r2) && expect_rc(&r2, 1) && expect_requests(&r2, 0) &&
		  has("stderr", r2.err, "line 2: No target by that name") &&
		  run(&r3) && expect_rc(&r3, 1) && expect_requests(&r3, 0);

	run_free(&r);
	run_free(&r2);
	run_free(&r3);
	return ok;
}

/* build/masqctl next to build/tests/ (or build/tests-san/); the source root */
static bool find_masqctl(char *src_root, size_t len, bool *plain)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n < 0)
		return false;
	self[n] = '\0';
	*plain = strstr(self, "/tests/test_masqctl") != NULL;
	for (int i = 0; i < 2; i++) {	/* .../build/tests/x -> .../build */
		slash = strrchr(self, '/');
		if (!slash)
			return false;
		*slash = '\0';
	}
	snprintf(masqctl, sizeof(masqctl), "%s/masqctl", self);
	snprintf(origdst_ask, sizeof(origdst_ask), "%s/tools/origdst_ask", self);
	slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	snprintf(src_root, len, "%s", slash ? self : ".");
	return access(masqctl, X_OK) == 0;
}

static bool listen_fake(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	snprintf(sock_path, sizeof(sock_path), "%s/masqd.sock", dir);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock_path);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	return lfd >= 0 && !bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) &&
	       !listen(lfd, 8);
}

static const struct {
	const char *name;
	bool (*fn)(void);
} cases[] = {
	{ "passthrough", t_passthrough },
	{ "passthrough_failure", t_passthrough_failure },
	{ "passthrough_parts", t_passthrough_parts },
	{ "conntrack_none_status_1", t_conntrack_none },
	{ "conntrack_bad_option_exit_2", t_conntrack_bad_option },
	{ "conntrack_json_filtered", t_conntrack_json_filtered },
	{ "ipt_append_canonical", t_ipt_append },
	{ "ipt_service_name", t_ipt_service_name },
	{ "ipt_bad_option_exit_2", t_ipt_bad_option },
	{ "ipt_bad_service_exit_2", t_ipt_bad_service },
	{ "ipt_help_no_masqd", t_ipt_help },
	{ "ipt_help_target_then_match", t_ipt_help_ext },
	{ "ipt_help_unknown_match_exit_2", t_ipt_help_unknown },
	{ "ipt_bad_table_exit_3", t_ipt_bad_table },
	{ "ipt_masqd_status", t_ipt_failure_status },
	{ "ipt_list_from_save", t_ipt_list },
	{ "ipt_list_rules", t_ipt_list_rules },
	{ "ipt_list_zero_chain_one_request", t_ipt_list_zero_chain },
	{ "ipt_list_zero_all", t_ipt_list_zero_all },
	{ "ipt_zero_alone_sent", t_ipt_zero_alone },
	{ "ipt_list_refused", t_ipt_list_refused },
	{ "save_stamped", t_save },
	{ "save_table_alias", t_save_table },
	{ "save_in_parts", t_save_parts },
	{ "save_bad_option", t_save_bad_option },
	{ "save_bad_table", t_save_bad_table },
	{ "restore_numeric_verbatim", t_restore_numeric },
	{ "restore_flags", t_restore_flags },
	{ "restore_noflush_masqd_chain", t_restore_noflush_masqd_chain },
	{ "restore_names_resolved", t_restore_names },
	{ "restore_syntax_error_exit_2", t_restore_syntax },
	{ "restore_apply_error_exit_1", t_restore_apply_error },
	{ "restore_test_sends_nothing", t_restore_test },
	{ "restore_too_big", t_restore_too_big },
	{ "restore_one_table", t_restore_one_table },
	{ "restore_no_file", t_restore_no_file },
	{ "acct_dump", t_acct },
	{ "acct_missing_chain_refused", t_acct_refused },
	{ "acct_missing_chain_in_text", t_acct_missing },
	{ "origdst_passthrough", t_origdst },
	{ "set_origdst_user_name_to_ids", t_set_origdst_user },
	{ "set_other_passthrough", t_set_passthrough },
	{ "save_settings_as_commands", t_save_settings },
	{ "ipmasqadm_names_resolved", t_adm_names },
	{ "ipmasqadm_bad_name_nothing_sent", t_adm_bad_name },
	{ "ipmasqadm_masqd_status", t_adm_masqd_status },
	{ "ipmasqadm_help_local", t_adm_help },
	{ "ipmasqadm_list_names", t_adm_list },
	{ "masq_list_names_streamed", t_masq_list },
	{ "masq_list_refused", t_masq_list_refused },
	{ "masq_delete_names_resolved", t_masq_delete },
	{ "ipfwadm_append_canonical", t_fwadm_append },
	{ "ipfwadm_bad_exit_2_nothing_sent", t_fwadm_bad },
	{ "ipfwadm_masqd_status", t_fwadm_masqd_status },
	{ "ipfwadm_list_from_save", t_fwadm_list },
	{ "ipfwadm_check_answers", t_fwadm_check },
	{ "ipfwadm_masq_and_help", t_fwadm_masq_help },
	{ "ipchains_append_canonical", t_chains_append },
	{ "ipchains_bad_exit_2", t_chains_bad },
	{ "ipchains_masqd_answers", t_chains_masqd_answers },
	{ "ipchains_list_from_save", t_chains_list },
	{ "ipchains_masq_and_help", t_chains_masq },
	{ "ipchains_save", t_chains_save },
	{ "ipchains_restore", t_chains_restore },
};

int main(void)
{
	char src_root[PATH_MAX], cmd[PATH_MAX + 16];
	bool plain;

	signal(SIGPIPE, SIG_IGN);
	if (!find_masqctl(src_root, sizeof(src_root), &plain)) {
		printf("SKIP masqctl/all: %s not built\n", masqctl);
		return 0;
	}
	if (!mkdtemp(dir) || chdir(dir) || !listen_fake()) {
		printf("FAIL masqctl/setup: %s\n", strerror(errno));
		return 1;
	}
	snprintf(save_all, sizeof(save_all), "%s%s", save_nat, save_filter);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		report_why_clear();
		report(cases[i].name, cases[i].fn());
	}
	if (!access(origdst_ask, X_OK))
		report("origdst_ask_tool", t_origdst_ask());
	else
		printf("SKIP masqctl/origdst_ask_tool: %s not built (make tools)\n",
		       origdst_ask);
	snprintf(cmd, sizeof(cmd), "%s/docs/control.md", src_root);
	if (!access(cmd, R_OK))
		report("origdst_doc_is_the_tool", t_origdst_doc(src_root));
	else
		printf("SKIP masqctl/origdst_doc_is_the_tool: no %s\n", cmd);
	if (plain)
		t_install(src_root);
	close(lfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		printf("SKIP masqctl/cleanup: could not remove %s\n", dir);
	return 0;
}
