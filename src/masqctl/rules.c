// SPDX-License-Identifier: MIT
/*
 * rules.c - masqctl rules [DIR]: rebuild the ruleset from the ipmasq
 *	     rules directory, in one transaction
 *
 * Theory of operation, as the Debian ipmasq script did it and what masq
 * adds:
 *
 *  1. The files: `[A-Z]*.def` and `[A-Z]*.rul` of DIR (default
 *     /etc/masq/rules), in name order, a .rul replacing the .def of the
 *     same name (rulesdir.c, rules_pick()).
 *  2. The interfaces: masqd's `iface` listing gives INTERNAL, EXTERNAL,
 *     EXTERNAL_IN, EXTERNAL_OUT and the function ipnm_cache IFACE
 *     (IPOFIF, NMOFIF, BCOFIF, PEEROFIF) (rules_iface_env()).
 *  3. `txn begin`: masqd opens a shadow ruleset (the default ruleset
 *     and a copy of the forward tables) and answers its token.
 *  4. One /bin/sh runs a driver (written to a private directory) that
 *     sets the variables, points IPTABLES, IPCHAINS and IPFWADM at links
 *     to this masqctl in that directory (first in PATH, so `ipmasqadm` is
 *     masq's too), exports MASQ_TXN (conn.c then sends every request as
 *     `txn do TOKEN ...`) and MASQ_SOCKET, and sources each file in turn,
 *     naming it in a status file first. As root the shell has a mount
 *     namespace of its own in which each forwarding switch under
 *     /proc/sys/net/ipv4 is covered by a private file, so a script's
 *     `echo 1 > .../ip_forward` changes nothing (without root the writes
 *     fail anyway, and nothing is said).
 *     Before all that, each file is parsed (`sh -n`): a syntax error is
 *     named FILE:LINE and nothing starts.
 *  5. The verdict: a file failed when the shell exits non-zero (an `exit
 *     1`, a syntax error: dash names the file and line), exits before the
 *     last file, or a rule command failed visibly (rulesrec.c recorded it;
 *     the driver stops after that file). Then `txn abort`, and one message
 *     naming FILE:LINE (rules_find_line() for a command or an `exit N`)
 *     and saying the old ruleset stays; else `txn commit`: the shadow is
 *     compiled and swapped in with one pointer swap, tracked connections
 *     untouched. A commit masqd refuses changes nothing either.
 *
 * Limits: RULES_MAX_FILES files, RULES_MAX_IFS interfaces. masqd drops a
 * run idle for 60 s (the commit then fails, naming the token): a rules
 * file that waits that long between commands fails. ^C stops the shell
 * and the run is aborted; a masqctl rules killed outright leaves the run
 * to that timeout.
 *
 * Exit status: 0 committed, 1 a file failed or masqd refused (nothing
 * changed), 2 usage.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "masqctl/masqctl.h"
#include "masqctl/rules.h"

#define PROG		"masqctl rules"
#define STATUS_DONE	"done"		/* the driver's last word */
#define EXIT_STOPPED	125		/* the driver's exit after a record */
#define FILE_MAX_BYTES	(4u << 20)	/* a rules file the matcher reads */
#define OLD_STAYS	"nothing changed: the old ruleset stays"
#define RULES_KEEP_S	20		/* txn keep while the shell runs */

/* masqctl's names a rules file may call, linked in the run's bin dir */
static const char *const link_names[] = {
	"iptables", "iptables-save", "iptables-restore", "ipchains",
	"ipchains-save", "ipchains-restore", "ipfwadm", "ipmasqadm", "masqctl",
};

/* The forwarding switches a script may write, covered for the run */
#define PROC_IPV4	"/proc/sys/net/ipv4"

/**
 * struct rules_run - one masqctl rules
 * @dir:	the rules directory, absolute
 * @names:	its entries' names (malloc'd)
 * @nnames:	how many
 * @files:	the ones that run, in order (into @names)
 * @nfiles:	how many
 * @work:	the run's private directory (driver, links, records)
 * @token:	masqd's token for the run
 * @txn:	the run is open in masqd (abort it unless committed)
 * @driver:	the driver's text
 */
struct rules_run {
	char dir[PATH_MAX];
	char **names;
	int nnames;
	const char **files;
	int nfiles;
	char work[64];
	char token[32];
	bool txn;
	struct ipt_text driver;
};

static void usage_text(FILE *f)
{
	fprintf(f,
"usage: masqctl rules [DIR]\n"
"\n"
"Rebuilds the whole ruleset from the ipmasq rules directory DIR (default\n"
"%s): the files [A-Z]*.def and [A-Z]*.rul, in name order, a .rul\n"
"replacing the .def of the same name, run in one /bin/sh with ipmasq's\n"
"variables. Every rule command of the run edits a shadow ruleset that\n"
"replaces the running one in one step at the end, or is discarded when a\n"
"file fails (the error names the file and line). See masq-rules(5).\n",
		RULES_DEFAULT_DIR);
}

/* The directory's entries into @run->names; 0 or 1 after a message */
static int read_dir(struct rules_run *run)
{
	DIR *d = opendir(run->dir);
	struct dirent *de;
	int cap = 0;

	if (!d) {
		fprintf(stderr, "%s: %s: %m\n", PROG, run->dir);
		return 1;
	}
	while ((de = readdir(d))) {
		if (!rules_name_ok(de->d_name))
			continue;
		if (run->nnames == cap) {
			char **n = realloc(run->names, sizeof(*n) * (size_t)(cap = cap * 2 + 16));

			if (!n)
				break;
			run->names = n;
		}
		run->names[run->nnames] = strdup(de->d_name);
		if (!run->names[run->nnames])
			break;
		run->nnames++;
	}
	closedir(d);
	if (de) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		return 1;
	}
	return 0;
}

/* Which files run; 0 or 1 after a message */
static int pick_files(struct rules_run *run)
{
	if (read_dir(run))
		return 1;
	run->files = calloc((size_t)run->nnames + 1, sizeof(*run->files));
	if (!run->files) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		return 1;
	}
	run->nfiles = rules_pick(run->names, run->nnames, run->files);
	if (!run->nfiles) {
		fprintf(stderr, "%s: no rules files ([A-Z]*.def, [A-Z]*.rul) in "
			"%s; nothing changed\n", PROG, run->dir);
		return 1;
	}
	if (run->nfiles > RULES_MAX_FILES) {
		fprintf(stderr, "%s: %d rules files in %s, more than %d; nothing "
			"changed\n", PROG, run->nfiles, run->dir, RULES_MAX_FILES);
		return 1;
	}
	return 0;
}

/* One request whose answer we need; 0 with @r, or 1 after a message */
static int ask(struct conn *c, int argc, char **argv, struct reply *r)
{
	int ret = conn_call(c, argc, argv, r);

	if (ret)
		return 1;
	if (r->status) {
		fprintf(stderr, "%s: masqd refused '%s %s': %.*s%s", PROG, argv[0],
			argc > 1 ? argv[1] : "", (int)r->len, r->text,
			r->len && r->text[r->len - 1] == '\n' ? "" : "\n");
		reply_free(r);
		return 1;
	}
	return 0;
}

/* masqd's interfaces as the driver's variables; 0 or 1 after a message */
static int add_ifaces(struct conn *c, struct rules_run *run)
{
	static struct rules_iface ifs[RULES_MAX_IFS];
	char *w[] = { (char *)"iface" };
	struct reply r;
	int n;

	if (ask(c, 1, w, &r))
		return 1;
	n = rules_iface_parse(r.text, ifs, RULES_MAX_IFS);
	reply_free(&r);
	if (n < 0) {
		fprintf(stderr, "%s: masqd's interface listing is not one "
			"(%s); nothing changed\n", PROG, strerror(-n));
		return 1;
	}
	rules_iface_env(ifs, n, &run->driver);
	return 0;
}

/* The rest of the driver: the commands, and the loop over the files */
static void add_loop(struct rules_run *run)
{
	ipt_text_printf(&run->driver,
		"MASQMETHOD=${MASQMETHOD:-netfilter}\n"
		"IPTABLES=$MASQ_RULES_BIN/iptables\n"
		"IPCHAINS=$MASQ_RULES_BIN/ipchains\n"
		"IPFWADM=$MASQ_RULES_BIN/ipfwadm\n"
		"PATH=$MASQ_RULES_BIN:$PATH\n"
		"export PATH MASQ_TXN MASQ_SOCKET " RULES_ENV_ERRORS "\n"
		"for " RULES_ENV_FILE " in \"$@\"; do\n"
		"\texport " RULES_ENV_FILE "\n"
		"\tprintf '%%s\\n' \"$" RULES_ENV_FILE "\" >\"$MASQ_RULES_STATUS\"\n"
		"\t. \"$" RULES_ENV_FILE "\"\n"
		"\t[ -s \"$" RULES_ENV_ERRORS "\" ] && exit %d\n"
		"done\n"
		"printf '" STATUS_DONE "\\n' >\"$MASQ_RULES_STATUS\"\n"
		"exit 0\n", EXIT_STOPPED);
}

/* @path := @text (a new file, mode 0600); 0 or -errno */
static int write_file(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		ret = -EIO;
	close(fd);
	return ret;
}

/* work/NAME as a path in @buf */
static const char *work_path(const struct rules_run *run, const char *name,
			     char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", run->work, name);
	return buf;
}

/* The bin directory of links to this masqctl; 0 or -errno */
static int make_links(const struct rules_run *run)
{
	char self[PATH_MAX], path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return -errno;
	self[n] = '\0';
	if (mkdir(work_path(run, "bin", path, sizeof(path)), 0700))
		return -errno;
	for (size_t k = 0; k < sizeof(link_names) / sizeof(link_names[0]); k++) {
		snprintf(path, sizeof(path), "%s/bin/%s", run->work, link_names[k]);
		if (symlink(self, path))
			return -errno;
	}
	return 0;
}

/* The run's private directory with its driver, links and files */
static int make_work(struct rules_run *run)
{
	char path[PATH_MAX];
	int ret;

	snprintf(run->work, sizeof(run->work), "/tmp/masq-rules.XXXXXX");
	if (!mkdtemp(run->work)) {
		run->work[0] = '\0';
		fprintf(stderr, "%s: cannot make a directory in /tmp: %m\n", PROG);
		return 1;
	}
	add_loop(run);
	if (run->driver.oom) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		return 1;
	}
	ret = make_links(run);
	if (!ret)
		ret = write_file(work_path(run, "driver.sh", path, sizeof(path)),
				 run->driver.s, run->driver.len);
	if (!ret)
		ret = write_file(work_path(run, "errors", path, sizeof(path)), "", 0);
	if (!ret)
		ret = write_file(work_path(run, "status", path, sizeof(path)), "", 0);
	if (ret) {
		fprintf(stderr, "%s: cannot prepare %s: %s\n", PROG, run->work,
			strerror(-ret));
		return 1;
	}
	return 0;
}

/* Remove the private directory (one level, and bin/) */
static void remove_work(const struct rules_run *run)
{
	static const char *const files[] = { "errors", "status", "driver.sh" };
	char path[PATH_MAX];
	DIR *d;
	struct dirent *de;

	if (!run->work[0])
		return;
	for (size_t k = 0; k < sizeof(link_names) / sizeof(link_names[0]); k++) {
		snprintf(path, sizeof(path), "%s/bin/%s", run->work, link_names[k]);
		unlink(path);
	}
	rmdir(work_path(run, "bin", path, sizeof(path)));
	for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++)
		unlink(work_path(run, files[k], path, sizeof(path)));
	d = opendir(work_path(run, "proc", path, sizeof(path)));
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/proc/%s", run->work, de->d_name);
			unlink(path);
		}
	if (d)
		closedir(d);
	rmdir(work_path(run, "proc", path, sizeof(path)));
	rmdir(run->work);
}

/* `txn begin`: the token; 0 or 1 after a message */
static int begin(struct conn *c, struct rules_run *run)
{
	char *w[] = { (char *)"txn", (char *)"begin" };
	struct reply r;
	size_t n;

	if (ask(c, 2, w, &r))
		return 1;
	n = strcspn(r.text, "\r\n");
	if (n < sizeof(run->token)) {
		memcpy(run->token, r.text, n);
		run->token[n] = '\0';
	}
	reply_free(&r);
	if (n >= sizeof(run->token) || !rules_token_ok(run->token)) {
		fprintf(stderr, "%s: masqd's answer to 'txn begin' is not a token\n",
			PROG);
		return 1;
	}
	run->txn = true;
	return 0;
}

/* `txn commit|abort TOKEN`; Return: masqctl's status (the message shown) */
static int end(struct conn *c, struct rules_run *run, const char *how)
{
	char *w[] = { (char *)"txn", (char *)how, run->token };
	struct reply r;

	run->txn = false;
	if (conn_call(c, 3, w, &r))
		return 1;
	if (r.status)
		fprintf(stderr, "%s: masqd refused 'txn %s': %.*s%s%s", PROG, how,
			(int)r.len, r.text,
			r.len && r.text[r.len - 1] == '\n' ? "" : "\n",
			strcmp(how, "commit") ? "" : PROG ": " OLD_STAYS "\n");
	reply_free(&r);
	return r.status ? 1 : 0;
}

/*
 * DIR/FILE of the run's file @i in @buf; false, after a message, when it
 * does not fit (a directory path near PATH_MAX)
 */
static bool file_path(const struct rules_run *run, int i, char *buf,
		      size_t cap)
{
	int n = snprintf(buf, cap, "%s/%s", run->dir, run->files[i]);

	if (n >= 0 && (size_t)n < cap)
		return true;
	fprintf(stderr, "%s: %s/%s: the path is too long; %s\n", PROG,
		run->dir, run->files[i], OLD_STAYS);
	return false;
}

/* ---- the shell ------------------------------------------------------- */

/* Cover one switch with a private copy in work/proc/; 0 or -1 */
static int cover_switch(const char *work, const char *sw, int k)
{
	char copy[PATH_MAX], val[64];
	int fd = open(sw, O_RDONLY | O_CLOEXEC), out;
	ssize_t n = fd >= 0 ? read(fd, val, sizeof(val)) : -1;

	if (fd >= 0)
		close(fd);
	snprintf(copy, sizeof(copy), "%s/proc/%d", work, k);
	out = open(copy, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0)
		return -1;
	if (n > 0 && write(out, val, (size_t)n) != n)
		n = -1;
	close(out);
	return mount(copy, sw, NULL, MS_BIND, NULL) ? -1 : 0;
}

/*
 * In the child, as root: a mount namespace of its own where each IPv4
 * forwarding switch is a private file. Return: 0, or -1 when a switch
 * could not be covered (said)
 */
static int cover_switches(const char *work)
{
	char dir[PATH_MAX], sw[PATH_MAX + 300];
	struct dirent *de;
	DIR *d;
	int k = 0, bad = 0;

	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return -1;
	snprintf(dir, sizeof(dir), "%s/proc", work);
	if (mkdir(dir, 0700))
		return -1;
	bad |= cover_switch(work, PROC_IPV4 "/ip_forward", k++);
	d = opendir(PROC_IPV4 "/conf");
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(sw, sizeof(sw), PROC_IPV4 "/conf/%s/forwarding", de->d_name);
		bad |= cover_switch(work, sw, k++);
	}
	if (d)
		closedir(d);
	return bad ? -1 : 0;
}

/* The child: environment, /proc covered, stdin empty, then the shell */
static void child(const struct rules_run *run, const char *sock)
{
	char path[PATH_MAX], **argv;
	int fd = open("/dev/null", O_RDONLY);

	if (fd > 0) {
		dup2(fd, 0);
		close(fd);
	}
	if (geteuid() == 0 && cover_switches(run->work))
		fprintf(stderr, "%s: warning: the kernel's forwarding switches "
			"are not covered for this run: a script's writes to "
			"them take effect\n", PROG);
	setenv("MASQ_TXN", run->token, 1);
	setenv("MASQ_SOCKET", sock, 1);
	setenv(RULES_ENV_ERRORS, work_path(run, "errors", path, sizeof(path)), 1);
	setenv("MASQ_RULES_STATUS", work_path(run, "status", path, sizeof(path)), 1);
	setenv("MASQ_RULES_BIN", work_path(run, "bin", path, sizeof(path)), 1);
	argv = calloc((size_t)run->nfiles + 3, sizeof(*argv));
	if (!argv)
		_exit(127);
	argv[0] = (char *)"sh";
	argv[1] = strdup(work_path(run, "driver.sh", path, sizeof(path)));
	for (int i = 0; i < run->nfiles; i++) {
		if (!file_path(run, i, path, sizeof(path)))
			_exit(127);	/* check_syntax() saw them all fit */
		argv[i + 2] = strdup(path);
	}
	execv("/bin/sh", argv);
	fprintf(stderr, "%s: cannot run /bin/sh: %m\n", PROG);
	_exit(127);
}

/*
 * Wait for the shell, telling masqd every RULES_KEEP_S seconds that the
 * run is in use (`txn keep`), so a script that sleeps or waits on a slow
 * command does not lose its run to masqd's 60 s idle end. The connection
 * is opened for each keep and closed again: masqd closes idle clients.
 * Return: the wait status, or -1 after a message
 */
static int wait_shell(struct conn *c, const struct rules_run *run, pid_t pid)
{
	char *w[] = { (char *)"txn", (char *)"keep", (char *)run->token };
	struct timespec tick = { 0, 100 * 1000 * 1000 };
	unsigned ticks = 0;
	struct reply r;
	int st = -1;
	pid_t got;

	while ((got = waitpid(pid, &st, WNOHANG)) == 0 ||
	       (got < 0 && errno == EINTR)) {
		nanosleep(&tick, NULL);
		if (++ticks % (RULES_KEEP_S * 10))
			continue;
		if (!conn_call(c, 3, w, &r))
			reply_free(&r);
		conn_close(c);
	}
	if (got < 0) {
		fprintf(stderr, "%s: waitpid: %m\n", PROG);
		return -1;
	}
	return st;
}

/*
 * Run the shell; Return: its wait status, or -1 after a message. As
 * system() does, masqctl ignores ^C and ^\ meanwhile: they stop the shell,
 * and masqctl lives to abort the run (else masqd would hold it for 60 s)
 */
static int run_shell(struct conn *c, const struct rules_run *run)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, oint, oquit;
	pid_t pid;
	int st = -1;

	fflush(NULL);
	sigaction(SIGINT, &ign, &oint);
	sigaction(SIGQUIT, &ign, &oquit);
	pid = fork();
	if (!pid) {
		sigaction(SIGINT, &oint, NULL);
		sigaction(SIGQUIT, &oquit, NULL);
		child(run, c->path);
	}
	if (pid < 0)
		fprintf(stderr, "%s: fork: %m\n", PROG);
	else
		st = wait_shell(c, run, pid);
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGQUIT, &oquit, NULL);
	return st;
}

/* `sh -n PATH`: 0 when it parses; else its first line of stderr in @msg */
static int parse_check(const char *path, char *msg, size_t cap)
{
	int p[2], st = 0;
	ssize_t n;
	size_t m = 0;
	pid_t pid;

	msg[0] = '\0';
	if (pipe2(p, O_CLOEXEC))
		return 0;	/* unchecked: the run itself will say */
	pid = fork();
	if (!pid) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		dup2(p[1], 2);
		execl("/bin/sh", "sh", "-n", path, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while (pid > 0 && m + 1 < cap && (n = read(p[0], msg + m, cap - 1 - m)) > 0)
		m += (size_t)n;
	msg[m] = '\0';
	msg[strcspn(msg, "\n")] = '\0';
	close(p[0]);
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return pid > 0 && (!WIFEXITED(st) || WEXITSTATUS(st));
}

/*
 * Every file must parse before anything runs (dash reports a sourced
 * file's syntax error with the driver's line, so ask it file by file);
 * 0 or 1 after a message naming FILE:LINE
 */
static int check_syntax(const struct rules_run *run)
{
	char path[PATH_MAX], msg[1024];
	const char *rest;
	int line;

	for (int i = 0; i < run->nfiles; i++) {
		if (!file_path(run, i, path, sizeof(path)))
			return 1;
		if (!parse_check(path, msg, sizeof(msg)))
			continue;
		if (!rules_syntax_where(msg, path, &line, &rest))
			fprintf(stderr, "%s: %s:%d: %s; %s\n", PROG,
				run->files[i], line, rest, OLD_STAYS);
		else
			fprintf(stderr, "%s: %s: does not parse: %s; %s\n", PROG,
				run->files[i], msg, OLD_STAYS);
		return 1;
	}
	return 0;
}

/* ---- the verdict ----------------------------------------------------- */

/*
 * A file's first FILE_MAX_BYTES, NUL-terminated (malloc'd), or NULL
 * (quietly: the verdict says what it can without it)
 */
static char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *s = fd >= 0 ? malloc(FILE_MAX_BYTES + 1) : NULL;
	ssize_t n = 0;

	*len = 0;
	while (s && *len < FILE_MAX_BYTES &&
	       (n = read(fd, s + *len, FILE_MAX_BYTES - *len)) > 0)
		*len += (size_t)n;
	if (fd >= 0)
		close(fd);
	if (!s || n < 0) {
		free(s);
		return NULL;
	}
	s[*len] = '\0';
	return s;
}

/* The line of @file (a path) that @words came from, or 0 */
static int line_of(const char *file, const char *words, bool whole)
{
	size_t len;
	char *text = slurp(file, &len);
	int line = text ? rules_find_line(text, len, words, whole) : 0;

	free(text);
	return line;
}

/* The file name without the directory */
static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* "NAME:LINE" or "NAME" in @buf */
static const char *where(const char *file, int line, char *buf, size_t len)
{
	if (line)
		snprintf(buf, len, "%s:%d", base(file), line);
	else
		snprintf(buf, len, "%s", base(file));
	return buf;
}

/* A recorded failure: say it; Return: true when there was one */
static bool said_record(const struct rules_run *run)
{
	char path[PATH_MAX], at[PATH_MAX + 16];
	struct rules_rec rec;
	size_t len;
	char *text = slurp(work_path(run, "errors", path, sizeof(path)), &len);
	char *nl = text ? strchr(text, '\n') : NULL;
	bool said = false;

	if (nl)
		*nl = '\0';
	if (text && *text && !rules_rec_parse(text, &rec)) {
		fprintf(stderr, "%s: %s: %s (%s); %s\n", PROG,
			where(rec.file, line_of(rec.file, rec.words, false), at, sizeof(at)),
			rec.msg, rec.words, OLD_STAYS);
		said = true;
	}
	free(text);
	return said;
}

/*
 * The file that was running (the status file's line; "done" after the
 * last) into @buf; empty when none started
 */
static void last_file(const struct rules_run *run, char *buf, size_t len)
{
	char path[PATH_MAX];
	size_t n;
	char *text = slurp(work_path(run, "status", path, sizeof(path)), &n);

	snprintf(buf, len, "%s", text ? text : "");
	buf[strcspn(buf, "\n")] = '\0';
	free(text);
}

/* Did the run fail? Say why; Return: true when it did */
static bool run_failed(const struct rules_run *run, int st)
{
	char file[PATH_MAX], at[PATH_MAX + 16], words[32];
	int code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;

	if (said_record(run))
		return true;
	last_file(run, file, sizeof(file));
	if (WIFSIGNALED(st)) {
		fprintf(stderr, "%s: the shell was killed by signal %d while %s "
			"ran; %s\n", PROG, WTERMSIG(st), base(file), OLD_STAYS);
		return true;
	}
	if (code) {
		snprintf(words, sizeof(words), "exit %d", code);
		fprintf(stderr, "%s: %s: the shell stopped with status %d; %s\n",
			PROG, where(file, line_of(file, words, true), at, sizeof(at)),
			code, OLD_STAYS);
		return true;
	}
	if (strcmp(file, STATUS_DONE)) {
		fprintf(stderr, "%s: %s: exit before the last file (the files "
			"after it did not run); %s\n", PROG, base(file), OLD_STAYS);
		return true;
	}
	return false;
}

/* ---- the verb -------------------------------------------------------- */

static void run_free(struct rules_run *run)
{
	remove_work(run);
	for (int i = 0; i < run->nnames; i++)
		free(run->names[i]);
	free(run->names);
	free(run->files);
	ipt_text_free(&run->driver);
}

/* Arguments: [DIR]; 0, or the exit status */
static int parse_args(int argc, char **argv, struct rules_run *run)
{
	const char *dir = RULES_DEFAULT_DIR;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage_text(stdout);
		return -1;
	}
	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		usage_text(stderr);
		return 2;
	}
	if (argc == 2)
		dir = argv[1];
	if (!realpath(dir, run->dir)) {
		fprintf(stderr, "%s: %s: %m\n", PROG, dir);
		return 1;
	}
	return 0;
}

/* Everything after the arguments; Return: the exit status */
static int rebuild(struct conn *c, struct rules_run *run)
{
	int st;

	if (pick_files(run) || check_syntax(run) || add_ifaces(c, run) ||
	    make_work(run) ||
	    begin(c, run))
		return 1;
	conn_close(c);	/* idle while the shell runs: reopened for the end */
	st = run_shell(c, run);
	if (st < 0 || run_failed(run, st)) {
		end(c, run, "abort");
		return 1;
	}
	return end(c, run, "commit");
}

/**
 * rules_main() - masqctl rules [DIR]
 * @c:		connection to masqd
 * @argc:	words
 * @argv:	"rules" [DIR]
 *
 * Return: 0 the new ruleset runs, 1 nothing changed (said why), 2 usage
 */
int rules_main(struct conn *c, int argc, char **argv)
{
	struct rules_run run = { .nnames = 0 };
	const char *inside = getenv("MASQ_TXN");
	int rc = parse_args(argc, argv, &run);

	if (rc)
		return rc < 0 ? 0 : rc;
	if (inside && *inside) {
		fprintf(stderr, "%s: already inside a rules run (MASQ_TXN is "
			"set); a rules file cannot start another\n", PROG);
		return 1;
	}
	rc = rebuild(c, &run);
	if (run.txn)
		end(c, &run, "abort");
	run_free(&run);
	return rc;
}
