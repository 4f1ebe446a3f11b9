// SPDX-License-Identifier: MIT
/*
 * rulesrec.c - a masqctl run by a rules file records a visible failure
 *
 * `masqctl rules` (rules.c) runs the rules files in one shell; each
 * $IPTABLES, $IPCHAINS, $IPFWADM or ipmasqadm there is this program,
 * with MASQ_TXN (the run's token) and MASQ_RULES_ERRORS (a file of the
 * run's) in its environment. A command that fails must fail the run,
 * unless the script itself ignores its failure, as ipmasq's C00ipacct
 * does with `$IPTABLES -N acctin >/dev/null 2>&1`. The rule: a command
 * whose stderr is /dev/null (the same character device) records nothing;
 * a check's "no" (iptables -C, ipchains -C, ipfwadm -c: the idiom
 * `$IPTABLES -C RULE || $IPTABLES -A RULE`) is an answer, not a failure,
 * and records nothing either; any other failure is recorded, one line of
 * the errors file:
 *
 *	FILE TAB MESSAGE TAB WORDS
 *
 * FILE is the rules file (MASQ_RULES_FILE, set by the run's driver),
 * MESSAGE the first line the command printed on stderr, WORDS its words
 * (tabs and newlines made spaces). To know the message, stderr goes to
 * a memory file while the verb runs and is copied to the real stderr
 * after, so a user still sees every word (after the command's stdout
 * rather than among it). Failing to watch (no memfd) loses only the
 * message: the failure is still recorded.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "masqctl/rules.h"

#define MSG_MAX		512	/* bytes of the message kept */

/* Is fd 2 /dev/null (the script threw the command's complaints away)? */
static bool stderr_is_null(void)
{
	struct stat e, n;

	if (fstat(2, &e) || stat("/dev/null", &n))
		return false;
	return S_ISCHR(e.st_mode) && S_ISCHR(n.st_mode) && e.st_rdev == n.st_rdev;
}

/**
 * rules_watch_start() - Before a verb runs: watch it if a rules run asks
 * @w:		the watch (set here)
 *
 * Watched: MASQ_TXN and MASQ_RULES_ERRORS are set and stderr is not
 * /dev/null. Then stderr goes to a memory file until rules_watch_end().
 */
void rules_watch_start(struct rules_watch *w)
{
	const char *txn = getenv("MASQ_TXN"), *errs = getenv(RULES_ENV_ERRORS);

	*w = (struct rules_watch){ .saved = -1, .mem = -1 };
	if (!txn || !*txn || !errs || !*errs || stderr_is_null())
		return;
	w->on = true;
	fflush(stderr);
	w->mem = memfd_create("masqctl-stderr", MFD_CLOEXEC);
	if (w->mem < 0)
		return;
	w->saved = fcntl(2, F_DUPFD_CLOEXEC, 3);
	if (w->saved < 0 || dup2(w->mem, 2) < 0) {
		if (w->saved >= 0)
			close(w->saved);
		close(w->mem);
		w->saved = w->mem = -1;
	}
}

/* Copy what the verb printed to the real stderr; its first line to @msg */
static void give_back(struct rules_watch *w, char *msg, size_t cap)
{
	char buf[4096];
	ssize_t n;
	bool first = true;
	size_t m = 0;

	fflush(stderr);
	dup2(w->saved, 2);
	close(w->saved);
	lseek(w->mem, 0, SEEK_SET);
	while ((n = read(w->mem, buf, sizeof(buf))) > 0) {
		if (write(2, buf, (size_t)n) < 0)
			break;
		for (ssize_t i = 0; first && i < n; i++) {
			if (buf[i] == '\n')
				first = false;
			else if (m + 1 < cap)
				msg[m++] = buf[i];
		}
	}
	msg[m] = '\0';
	close(w->mem);
}

/* @s with tabs, newlines and carriage returns made spaces */
static void flatten(char *s)
{
	for (; *s; s++)
		if (*s == '\t' || *s == '\n' || *s == '\r')
			*s = ' ';
}

/* One record, FILE TAB MSG TAB WORDS, appended in one write */
static void record(const char *msg, int argc, char *const *argv)
{
	const char *file = getenv(RULES_ENV_FILE);
	struct ipt_text t = { 0 };
	char *m = strdup(msg);
	int fd;

	if (!m)
		return;
	flatten(m);
	ipt_text_printf(&t, "%s\t%s\t", file ? file : "?", m);
	for (int i = 0; i < argc; i++)
		ipt_text_printf(&t, "%s%s", i ? " " : "", argv[i]);
	for (size_t i = 0; !t.oom && i < t.len; i++)
		if (t.s[i] == '\n' || t.s[i] == '\r')
			t.s[i] = ' ';
	ipt_text_printf(&t, "\n");
	fd = open(getenv(RULES_ENV_ERRORS), O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd >= 0 && !t.oom && write(fd, t.s, t.len) < 0)
		fprintf(stderr, "masqctl: cannot record the failure for masqctl "
			"rules: %m\n");
	if (fd >= 0)
		close(fd);
	ipt_text_free(&t);
	free(m);
}

/* Is the command a check, whose status is its answer (-C, ipfwadm's -c)? */
static bool is_check(int argc, char *const *argv)
{
	const char *flag = !strcmp(argv[0], "ipfwadm") ? "-c" : "-C";

	if (strcmp(argv[0], "iptables") && strcmp(argv[0], "ipchains") &&
	    strcmp(argv[0], "ipfwadm"))
		return false;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], flag) || !strcmp(argv[i], "--check"))
			return true;
	return false;
}

/**
 * rules_watch_end() - After the verb: give stderr back, record a failure
 * @w:		the watch of rules_watch_start()
 * @rc:		the verb's exit status
 * @argc:	its words
 * @argv:	the words
 */
void rules_watch_end(struct rules_watch *w, int rc, int argc, char *const *argv)
{
	char msg[MSG_MAX] = "";

	if (!w->on)
		return;
	if (w->mem >= 0)
		give_back(w, msg, sizeof(msg));
	if (rc && !is_check(argc, argv))
		record(msg[0] ? msg : "failed", argc, argv);
}
