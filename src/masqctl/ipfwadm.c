// SPDX-License-Identifier: MIT
/*
 * ipfwadm.c - masqctl ipfwadm ARG... (also run as ipfwadm, from
 *	       /usr/lib/masq/bin): the 2.0 kernels' firewall language
 *
 * The command is read here as ipfwadm 2.3.0 read it (src/ipt/ipfwadm.c)
 * with names looked up here, so a bad command is refused with ipfwadm's
 * message and status 2 before masqd is asked anything. Then:
 *
 *  - -h prints the help here;
 *  - -M -l [-n] [-e] is masqctl's masq -L [-n] [-v] (the masquerading
 *    entries, with names unless -n), -M -s TCP TCPFIN UDP is masq -S;
 *  - -l (with -z: and zero) is listed here from masqd's ruleset: one
 *    `ipfwadm-save -c` request (with --zero CHAIN for -l -z, so masqd
 *    lists and zeroes in one step, as ipfwadm's /proc read did), the
 *    text restored into a local ruleset and listed with names unless -n;
 *  - every other command (-a -i -d -f -p -z -c) is sent as `ipfwadm`
 *    and the canonical numeric words, one request per source and
 *    destination pair (a host name with two addresses is two rules, as
 *    ipfwadm made them), in order; the first refusal stops the rest.
 *    -c's answers are printed as they come: "packet ..." lines on
 *    stdout, anything else (ipfwadm's "setsockopt failed" lines) on
 *    stderr, whatever the status.
 *
 * Exit status: 2 for a command ipfwadm would not take, else masqd's
 * (0; 1 refused), 1 when masqd cannot be reached; and for -c as
 * ipfwadm 2.3.0 exited: 0 for accepted, denied and rejected, 255 for
 * "packet masqueraded" and a redirect (it took the kernel's answer for
 * a failure and exited with -1; masqd answers them with status 0).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipt/ipfwadm.h"
#include "masqctl/masqctl.h"

#define PROG		"ipfwadm"
#define CHECK_FAILED	255	/* ipfwadm 2.3.0's exit(-1) after -c */

static int usage_error(const struct ipt_err *err)
{
	fprintf(stderr, PROG ": %s\nTry `" PROG " -h' for more information.\n",
		err->msg);
	return 2;
}

/* -M -l and -M -s: the masquerade table's own verb */
static int masq_category(struct conn *c, const struct fwadm_cmd *cmd)
{
	char t[3][16], *w[6] = { "masq" };
	int n = 1;

	if (cmd->cmd & FWADM_CMD_TIMEOUT) {
		w[n++] = "-S";
		for (int i = 0; i < 3; i++) {
			snprintf(t[i], sizeof(t[i]), "%u", cmd->timeout[i]);
			w[n++] = t[i];
		}
	} else {
		w[n++] = "-L";
		if (cmd->opts & FWADM_OPT_NUMERIC)
			w[n++] = "-n";
		if (cmd->opts & FWADM_OPT_EXTENDED)
			w[n++] = "-v";
	}
	w[n] = NULL;
	return masq_main(c, n, w);
}

/* -l [-z]: masqd's ruleset as text, listed here */
static int list(struct conn *c, const struct fwadm_cmd *cmd, int argc,
		char **argv)
{
	char *w[5] = { "ipfwadm-save", "-c", NULL, NULL, NULL };
	struct ipt_err err = { { 0 } };
	struct ipt_text out = { 0 };
	struct ipt_ruleset *rs = NULL;
	struct reply r = { 0 };
	int n = 2, ret;

	if (cmd->cmd & FWADM_CMD_ZERO) {
		w[n++] = "--zero";
		w[n++] = (char *)fwadm_chain_name((enum fwadm_cat)cmd->cat);
	}
	ret = conn_call(c, n, w, &r);
	if (ret)
		return ret;
	if (r.status) {
		ret = reply_print(&r);
		goto out;
	}
	rs = ipt_ruleset_new();
	if (!rs || ipt_ipfwadm_ops.restore(rs, r.text, &err)) {
		fprintf(stderr, PROG ": masqd's ruleset cannot be read back: %s\n",
			rs ? err.msg : "out of memory");
		ret = 1;
		goto out;
	}
	ret = ipt_ipfwadm_ops.exec(rs, argc - 1, argv + 1, &names_resolver,
				   &out, &err);
	if (ret)
		fprintf(stderr, PROG ": %s\n", err.msg);
	else
		ret = out_text(PROG, &out);
out:
	ipt_text_free(&out);
	ipt_ruleset_free(rs);
	reply_free(&r);
	return ret;
}

/* An answer ipfwadm 2.3.0 took for a failure: exit(-1), 255 */
static bool check_failed(const char *line)
{
	return !strncmp(line, "packet masqueraded\n", 19) ||
	       !strncmp(line, PROG ": setsockopt failed: ", 27);
}

/*
 * -c's answer: verdicts on stdout, ipfwadm's complaints on stderr; the
 * exit status as ipfwadm's when masqd answered (0 or 255), else masqd's
 */
static int print_check(const struct reply *r)
{
	bool failed = false;
	const char *p = r->text;

	while (p && *p) {
		size_t len = strcspn(p, "\n");
		FILE *f = strncmp(p, "packet ", 7) ? stderr : stdout;

		failed = failed || check_failed(p);
		fwrite(p, 1, len, f);
		fputc('\n', f);
		p += len + (p[len] == '\n');
	}
	if (fflush(stdout) == EOF) {
		perror("masqctl: writing output");
		return 1;
	}
	return r->status ? r->status : failed ? CHECK_FAILED : 0;
}

/* One line of canonical words as `ipfwadm WORD...` */
static int send_line(struct conn *c, const char *line, bool check)
{
	struct reply r;
	int ret = conn_call_line(c, PROG, line, &r);

	if (!ret) {
		ret = check ? print_check(&r) : reply_print(&r);
		reply_free(&r);
	}
	return ret;
}

/* Every other command: its canonical lines, one request each */
static int apply(struct conn *c, const struct fwadm_cmd *cmd)
{
	bool check = cmd->cmd == FWADM_CMD_CHECK;
	struct ipt_text t = { 0 };
	char *line, *next;
	int ret = 0;

	fwadm_format(cmd, &t);
	if (t.oom || !t.s) {
		fprintf(stderr, PROG ": out of memory\n");
		ipt_text_free(&t);
		return 1;
	}
	for (line = t.s; line && *line; line = next) {
		int r;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		r = send_line(c, line, check);
		if (r && !check) {
			ret = r;
			break;
		}
		ret |= r;
	}
	ipt_text_free(&t);
	return ret;
}

/**
 * ipfwadm_main() - masqctl ipfwadm ARG...
 * @c:		connection to masqd
 * @argc:	words, from the verb
 * @argv:	argv[0] is "ipfwadm", then the command
 *
 * Return: the exit status (see the top of this file)
 */
int ipfwadm_main(struct conn *c, int argc, char **argv)
{
	struct ipt_err err = { { 0 } };
	struct fwadm_cmd cmd;

	if (fwadm_parse(argc - 1, argv + 1, &names_resolver, &cmd, &err))
		return usage_error(&err);
	if (cmd.help) {
		fputs(fwadm_help(), stdout);
		return 0;
	}
	if (cmd.cat == FWADM_MASQ)
		return masq_category(c, &cmd);
	if (cmd.cmd & FWADM_CMD_LIST)
		return list(c, &cmd, argc, argv);
	return apply(c, &cmd);
}
