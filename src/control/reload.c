// SPDX-License-Identifier: MIT
/*
 * reload.c - load a configuration file into a running engine (see reload.h)
 *
 * Theory of operation: three steps, each a plain pass over the commands.
 *
 *	1. split: cmdfile_load(); any syntax error stops here
 *	2. check: the file's `iface add`/`addr add` lines against the file in
 *	   effect (a reload cannot change them); every command other than
 *	   the rules' on a scratch engine built from the base; the rule
 *	   commands (iptables, iptables-restore, ipchains, ipchains-restore,
 *	   ipfwadm, reset rules) as one batch
 *	   job (engine.h) from the default ruleset; every failure collected
 *	   with its line, reported in file order (at most RELOAD_MAX_ERRORS)
 *	3. apply: the reset commands, the base's routes and neighbours, the
 *	   file's other commands on the live engine; then the batch's
 *	   ruleset swapped in. A file with forwards (ipmasqadm lines), or
 *	   one replacing such a file, starts from none: its forwards are
 *	   made again in its order, their counters from their preferences;
 *	   one with helper lines, or replacing such a file, from the
 *	   helpers' defaults
 *
 * Steps 1 and 2 are reload_prepare(), which changes nothing the packet
 * path reads, so masqd runs it on its worker thread while packets flow;
 * step 3 is reload_commit(), one call between two packet batches, and
 * cheap: settings, routes and neighbours, then a pointer swap.
 *
 * The batch is what makes a reload linear in the file: each rule command
 * used to be a job of its own (copy the ruleset, change, compile), twice
 * (scratch and live), so 3,000 iptables lines cost 3,000 copies and
 * compiles of a growing ruleset a pass, seconds with no forwarding. Now
 * they are applied to one ruleset and compiled once. On a reload the
 * batch is built against the live engine (its interfaces are the scratch
 * one's: step 2 checks that), so its compile is both the check and the
 * ruleset swapped in; at the start the file may add interfaces, so the
 * batch is checked on the scratch engine after the file's other
 * commands and built again for the live engine in step 3.
 *
 * Cost otherwise: a scratch engine per load (tables of 64 connections
 * and the live engine's route and neighbour sizes, plus the engine's
 * fixed reassembly buffers, allocated and not touched) and each command
 * other than the rules' run twice; a reload is rare, so this is the
 * price of "an error changes nothing". The road not taken: a transaction
 * inside the engine (shadow settings published by a pointer swap), which
 * would need every setting behind one pointer. A file with rule commands
 * (or one replacing such a file) starts again from the default ruleset
 * at each reload, as a firewall script starts by flushing: its rules'
 * counters start from zero. So do the forwards (ipmasqadm lines): a file
 * with some, or one replacing such a file, starts from empty tables
 * (`ipmasqadm flush`), or each reload would add its mfw lines again. And
 * the helpers: a file with `helper` lines, or one replacing such a file,
 * starts from their defaults (`helper reset`: ftp on 21, irc off, tftp
 * on 69), so a line taken out of the file is undone.
 *
 * The rules' batch is built in reload_rules.c (the file's rule commands
 * in one job); everything else is here.
 *
 * The base is kept as configuration text (each word quoted) and split
 * with cmdfile_parse() when needed: one format, one parser, no argv
 * copies to manage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control/reload.h"
#include "control/confinc.h"
#include "control/reload_rules.h"

#define SCRATCH_CONNS	64	/* the scratch engine's connection table */

/**
 * reload_init() - Prepare for loads of one file
 * @r:		state to fill
 * @path:	the configuration file; NULL for none
 * @lim:	the live engine's limits, NULL for the defaults
 *
 * A relative @path is made absolute against the current directory now
 * (a daemon changes its directory to / before the first SIGHUP), without
 * resolving symbolic links, so a link moved to a new file is followed.
 *
 * Return: 0, or -ENOMEM
 */
int reload_init(struct reload *r, const char *path,
		const struct masq_limits *lim)
{
	char cwd[4096];

	*r = (struct reload){ 0 };
	if (lim)
		r->lim = *lim;
	else
		masq_limits_default(&r->lim);
	if (!path)
		return 0;
	if (path[0] != '/' && getcwd(cwd, sizeof(cwd))) {
		size_t n = strlen(cwd) + 1 + strlen(path) + 1;

		r->path = malloc(n);
		if (r->path)
			snprintf(r->path, n, "%s/%s", cwd, path);
	} else {
		r->path = strdup(path);
	}
	return r->path ? 0 : -ENOMEM;
}

/**
 * reload_base_add() - Record one command of the base configuration
 * @r:		state
 * @argc:	number of words
 * @argv:	the words (copied)
 *
 * The caller runs the command on the live engine itself; the base is
 * replayed on every scratch engine, and its commands other than
 * `iface add` and `addr add` on the live engine after a reset.
 *
 * Return: 0, -EINVAL for a word with a newline or NUL, -ENOMEM
 */
int reload_base_add(struct reload *r, int argc, char *const *argv)
{
	size_t need = 1;
	char *p;

	if (argc < 1)
		return -EINVAL;
	for (int i = 0; i < argc; i++) {
		if (strchr(argv[i], '\n'))
			return -EINVAL;
		need += 3 + 2 * strlen(argv[i]);
	}
	p = realloc(r->base, r->base_len + need + 1);
	if (!p)
		return -ENOMEM;
	r->base = p;
	p += r->base_len;
	for (int i = 0; i < argc; i++) {
		*p++ = i ? ' ' : '"';
		if (i)
			*p++ = '"';
		for (const char *s = argv[i]; *s; s++) {
			if (*s == '"' || *s == '\\')
				*p++ = '\\';
			*p++ = *s;
		}
		*p++ = '"';
	}
	*p++ = '\n';
	*p = '\0';
	r->base_len = (size_t)(p - r->base);
	return 0;
}

/* `iface add` and `addr add`: what a running engine cannot take back */
static bool is_ifaddr(const struct cmdfile_cmd *c)
{
	return c->argc >= 2 && !strcmp(c->argv[1], "add") &&
	       (!strcmp(c->argv[0], "iface") || !strcmp(c->argv[0], "addr"));
}

static bool sets_filtering(const struct cmdfile *cf)
{
	for (size_t i = 0; i < cf->n; i++)
		if (cf->cmds[i].argc >= 2 && !strcmp(cf->cmds[i].argv[0], "set") &&
		    !strcmp(cf->cmds[i].argv[1], "filtering"))
			return true;
	return false;
}

static char *const fwd_flush[] = { "ipmasqadm", "flush", NULL };

/* Does the file make forwards (ipmasqadm portfw, mfw, autofw)? */
static bool sets_forwards(const struct cmdfile *cf)
{
	for (size_t i = 0; cf && i < cf->n; i++)
		if (cf->cmds[i].argc >= 1 &&
		    !strcmp(cf->cmds[i].argv[0], "ipmasqadm"))
			return true;
	return false;
}

static char *const helper_reset[] = { "helper", "reset", NULL };

/* Does the file set helpers (helper NAME on|off ...)? */
static bool sets_helpers(const struct cmdfile *cf)
{
	for (size_t i = 0; cf && i < cf->n; i++)
		if (cf->cmds[i].argc >= 2 &&
		    !strcmp(cf->cmds[i].argv[0], "helper"))
			return true;
	return false;
}

/* The words of a command, joined, for a message (cut at 200 bytes) */
static void words(char *buf, size_t size, int argc, char *const *argv)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < argc && n < size - 1; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? " " : "",
				      argv[i]);
}

/* "WHERE:LINE: 'CMD' failed (status N): MESSAGE" (LINE 0: "WHERE: ...") */
static void failed_line(struct masq_text *msg, const char *where,
			unsigned int line, int argc, char *const *argv, int st,
			struct masq_text *why)
{
	char cmd[200];

	words(cmd, sizeof(cmd), argc, argv);
	while (why->len && why->s[why->len - 1] == '\n')
		why->s[--why->len] = '\0';
	if (line)
		masq_text_printf(msg, "%s:%u: ", where, line);
	else
		masq_text_printf(msg, "%s: ", where);
	masq_text_printf(msg, "'%s' failed (status %d): %s\n", cmd, st,
			 why->len ? why->s : "(no message)");
}

/*
 * Run one command; on failure add failed_line() to @msg.
 * Return: its exit status
 */
static int run(struct masq_engine *e, const char *where, unsigned int line,
	       int argc, char *const *argv, struct masq_text *msg)
{
	struct masq_text out = { 0 };
	int st = masq_engine_ctl(e, argc, argv, &out);

	if (st)
		failed_line(msg, where, line, argc, argv, st, &out);
	masq_text_free(&out);
	return st;
}

static int run_words(struct masq_engine *e, const char *what,
		     struct masq_text *msg, char *const *argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return run(e, what, 0, argc, argv, msg);
}

static int parse_base(const struct reload *r, struct cmdfile *base,
		      struct masq_text *msg)
{
	if (!cmdfile_parse("command line", r->base ? r->base : "",
			   r->base_len, base))
		return 0;
	masq_text_printf(msg, "%s", base->errors ? base->errors :
			 "command line: cannot be split\n");
	return -EINVAL;
}

/*
 * A reloaded file must hold the `iface add`/`addr add` commands of the
 * file in effect, word for word and in order. Return: 0 or -EINVAL
 */
static int same_ifaddr(const struct reload *r, const struct cmdfile *nf,
		       struct masq_text *msg)
{
	size_t i = 0, j = 0;
	char cmd[200];

	for (;;) {
		const struct cmdfile_cmd *a, *b;
		bool same;

		while (i < r->cur.n && !is_ifaddr(&r->cur.cmds[i]))
			i++;
		while (j < nf->n && !is_ifaddr(&nf->cmds[j]))
			j++;
		if (i == r->cur.n && j == nf->n)
			return 0;
		a = i < r->cur.n ? &r->cur.cmds[i] : NULL;
		b = j < nf->n ? &nf->cmds[j] : NULL;
		same = a && b && a->argc == b->argc;
		for (int k = 0; same && k < a->argc; k++)
			same = !strcmp(a->argv[k], b->argv[k]);
		if (!same)
			break;
		i++;
		j++;
	}
	if (j < nf->n) {
		words(cmd, sizeof(cmd), nf->cmds[j].argc, nf->cmds[j].argv);
		masq_text_printf(msg, "%s:%u: '%s' is not in the running "
				 "configuration: interfaces and addresses "
				 "change only with a restart of masqd\n",
				 r->path, nf->cmds[j].line, cmd);
	} else {
		words(cmd, sizeof(cmd), r->cur.cmds[i].argc, r->cur.cmds[i].argv);
		masq_text_printf(msg, "%s: '%s' (line %u when loaded) is missing: "
				 "interfaces and addresses change only with a "
				 "restart of masqd\n", r->path, cmd,
				 r->cur.cmds[i].line);
	}
	return -EINVAL;
}

/* Each command's failure, to be said in file order */
struct verdicts {
	struct masq_text *why;		/* one per command of the file */
	size_t bad;
};

/* The batch's verdicts on @cf's rule commands, into @v */
static void rules_verdicts(const struct reload *r, const struct cmdfile *cf,
			   const struct confinc *ci,
			   const struct masq_ctl_job *j, struct verdicts *v)
{
	size_t k = 0;

	for (size_t i = 0; i < cf->n; i++) {
		const struct cmdfile_cmd *c = &cf->cmds[i];
		struct masq_text t = { 0 };
		int st;

		if (!reload_rules_is(c))
			continue;
		st = masq_ctl_job_result(j, k++, &t);
		confinc_why(ci, i, &t);
		if (st) {
			failed_line(&v->why[i], r->path, c->line, c->argc,
				    c->argv, st, &t);
			v->bad++;
		}
		masq_text_free(&t);
	}
}

/* Say @v's failures in file order, at most RELOAD_MAX_ERRORS */
static void verdicts_say(const struct reload *r, const struct cmdfile *cf,
			 struct verdicts *v, struct masq_text *msg)
{
	size_t said = 0;

	for (size_t i = 0; i < cf->n; i++) {
		if (!v->why[i].len)
			continue;
		if (said++ == RELOAD_MAX_ERRORS) {
			masq_text_printf(msg, "%s: too many errors\n", r->path);
			break;
		}
		masq_text_printf(msg, "%s", v->why[i].s);
	}
	for (size_t i = 0; i < cf->n; i++)
		masq_text_free(&v->why[i]);
	free(v->why);
}

/* A scratch engine made from the base; NULL after saying why in @msg */
static struct masq_engine *scratch_up(const struct reload *r,
				      const struct cmdfile *base,
				      struct masq_pool **pool,
				      struct masq_text *msg)
{
	struct masq_limits lim = {
		.max_conns = SCRATCH_CONNS, .max_mappings = 64, .neigh_queue = 16,
		.max_neigh = r->lim.max_neigh, .max_routes = r->lim.max_routes,
		.no_accounting = 1, .seed = 1,
		.frag_mem = 16 << 10,	/* the least: it checks, never reassembles */
	};
	struct masq_engine *e;

	*pool = masq_pool_create(16, 2048);
	e = *pool ? masq_engine_create(&lim, *pool) : NULL;
	if (!e) {
		masq_text_printf(msg, "%s: out of memory for the check\n", r->path);
		masq_pool_destroy(*pool);
		return NULL;
	}
	for (size_t i = 0; i < base->n; i++)
		if (run(e, "command line", 0, base->cmds[i].argc,
			base->cmds[i].argv, msg)) {
			/* the file means nothing over a base that failed */
			masq_engine_destroy(e);
			masq_pool_destroy(*pool);
			return NULL;
		}
	return e;
}

/*
 * Run file command @c (as @argv) on the scratch engine: a failure is said
 * as run() says it, and a warning it passed with ("warning: ...", e.g. an
 * address overlapping another external network) with its line, so the
 * file's warnings reach the log and masqctl reload as a command's do.
 * Return: its exit status
 */
static int check_run(const struct reload *r, struct masq_engine *e,
		     const struct cmdfile_cmd *c, int argc, char *const *argv,
		     struct masq_text *why)
{
	struct masq_text out = { 0 };
	int st = masq_engine_ctl(e, argc, argv, &out);

	if (st)
		failed_line(why, r->path, c->line, c->argc, c->argv, st, &out);
	else if (out.s && !strncmp(out.s, "warning: ", 9))
		masq_text_printf(why, "%s:%u: %s", r->path, c->line, out.s);
	masq_text_free(&out);
	return st;
}

/*
 * One command of the file on the scratch engine. Its connection table is
 * SCRATCH_CONNS long, the live one masqd --conntrack-max: so `set
 * conntrack-max N` is held against the live size here, and runs on the
 * scratch engine as at most its own (the engine still checks the words).
 * Return: the command's status
 */
static int check_one(const struct reload *r, struct masq_engine *e,
		     const struct cmdfile_cmd *c, struct masq_text *why)
{
	char fit[16], *argv[] = { "set", "conntrack-max", fit, NULL };
	struct masq_text t = { 0 };
	unsigned long v;
	char *end;

	if (c->argc != 3 || strcmp(c->argv[0], "set") ||
	    strcmp(c->argv[1], "conntrack-max") ||
	    c->argv[2][0] < '0' || c->argv[2][0] > '9')
		return check_run(r, e, c, c->argc, c->argv, why);
	v = strtoul(c->argv[2], &end, 10);
	if (*end || v <= SCRATCH_CONNS)
		return check_run(r, e, c, c->argc, c->argv, why);
	if (v > r->lim.max_conns) {
		masq_text_printf(&t, "set: conntrack-max %s is more than the "
				 "table masqd made at start (%u); start masqd "
				 "with --conntrack-max %s", c->argv[2],
				 r->lim.max_conns, c->argv[2]);
		failed_line(why, r->path, c->line, c->argc, c->argv, 1, &t);
		masq_text_free(&t);
		return 1;
	}
	snprintf(fit, sizeof(fit), "%u", SCRATCH_CONNS);
	return check_run(r, e, c, 3, argv, why);
}

/*
 * Step 2: every command but the rules' on a scratch engine made from the
 * base, the rules' as a batch on @rules_on (the live engine on a reload;
 * NULL: the scratch one, after the rest). The batch built on the live
 * engine is kept in @rules when all passed.
 * Return: number of failing commands, or -errno when no check could be
 * made (the reason in @msg)
 */
static int validate(const struct reload *r, const struct cmdfile *base,
		    const struct cmdfile *nf, const struct confinc *ci,
		    struct masq_engine *rules_on,
		    bool want_rules, struct masq_ctl_job **rules,
		    struct masq_text *msg)
{
	struct verdicts v = { calloc(nf->n + 1, sizeof(*v.why)), 0 };
	struct masq_ctl_job *j = NULL;
	struct masq_pool *pool;
	struct masq_engine *e = v.why ? scratch_up(r, base, &pool, msg) : NULL;

	if (!e) {
		free(v.why);
		return v.why ? 1 : -ENOMEM;
	}
	for (size_t i = 0; i < nf->n; i++) {
		const struct cmdfile_cmd *c = &nf->cmds[i];

		if (!reload_rules_is(c))
			v.bad += !!check_one(r, e, c, &v.why[i]);
	}
	if (want_rules)
		j = reload_rules_build(r, rules_on ? rules_on : e, nf, ci, msg);
	if (want_rules && !j)
		v.bad++;
	else if (j)
		rules_verdicts(r, nf, ci, j, &v);
	verdicts_say(r, nf, &v, msg);
	if (j && !v.bad && masq_ctl_job_status(j, msg))
		v.bad++;		/* all passed, the compile did not */
	if (j && (v.bad || !rules_on)) {
		masq_ctl_job_free(j);
		j = NULL;
	}
	*rules = j;
	masq_engine_destroy(e);
	masq_pool_destroy(pool);
	return (int)v.bad;
}

/* `route add ...` or `neigh add ...`: what a reload takes back */
static bool is_route_or_neigh_add(const struct cmdfile_cmd *c)
{
	return c->argc >= 3 && !strcmp(c->argv[1], "add") &&
	       (!strcmp(c->argv[0], "route") || !strcmp(c->argv[0], "neigh"));
}

/*
 * Take back the routes and static neighbours the first @n commands of
 * @cf added: `route del PREFIX`, `neigh del ADDR`, each quietly (one
 * deleted by hand since is not there: nothing to do). Routes and
 * neighbours the file never named, those added by hand with masqctl,
 * stay. O(commands x table).
 */
static void undo_adds(struct masq_engine *e, const struct cmdfile *cf,
		      size_t n)
{
	for (size_t i = 0; cf && i < n && i < cf->n; i++) {
		const struct cmdfile_cmd *c = &cf->cmds[i];
		char *argv[] = { c->argv[0], "del", NULL, NULL };
		struct masq_text out = { 0 };

		if (!is_route_or_neigh_add(c))
			continue;
		argv[2] = c->argv[2];
		masq_engine_ctl(e, 3, argv, &out);
		masq_text_free(&out);
	}
}

/*
 * Step 3 but the rules, for @cf on the live engine; @prev: a reload's
 * file in effect (reset first, take back @prev's routes and neighbours,
 * skip what only a start may add), NULL at the start. Stops at the
 * first failure; @done: how many of @cf's commands ran (to take back).
 * Return: 0 or -1 (the failure in @msg)
 */
static int apply(const struct reload *r, struct masq_engine *e,
		 const struct cmdfile *base, const struct cmdfile *prev,
		 const struct cmdfile *cf, size_t *done, struct masq_text *msg)
{
	static char *const reset[] = { "reset", "settings", "except",
				       "filtering", NULL };
	static char *const filt[] = { "set", "filtering",
				      "address-and-port-dependent", NULL };
	bool again = prev != NULL;

	*done = 0;
	if (again) {
		if (run_words(e, "reload", msg, reset) ||
		    (!sets_filtering(cf) && run_words(e, "reload", msg, filt)) ||
		    ((sets_forwards(cf) || sets_forwards(prev)) &&
		     run_words(e, "reload", msg, fwd_flush)) ||
		    ((sets_helpers(cf) || sets_helpers(prev)) &&
		     run_words(e, "reload", msg, helper_reset)))
			return -1;
		undo_adds(e, prev, prev->n);
		for (size_t i = 0; i < base->n; i++)
			if (!is_ifaddr(&base->cmds[i]) &&
			    run(e, "command line", 0, base->cmds[i].argc,
				base->cmds[i].argv, msg))
				return -1;
	}
	for (size_t i = 0; i < cf->n; i++, (*done)++) {
		const struct cmdfile_cmd *c = &cf->cmds[i];

		if ((again && is_ifaddr(c)) || reload_rules_is(c))
			continue;
		if (run(e, r->path, c->line, c->argc, c->argv, msg))
			return -1;
	}
	return 0;
}

/**
 * struct reload_job - a file checked and ready to put in effect
 * @nf:		the file, split
 * @inc:	the files its iptables-restore lines name, read
 * @base:	the base, split
 * @rules:	its rules built for the live engine (a reload that touches
 *		rules), or NULL
 * @start:	the first load: the rules are built in the commit
 */
struct reload_job {
	struct cmdfile nf;
	struct confinc inc;
	struct cmdfile base;
	struct masq_ctl_job *rules;
	bool start;
};

/**
 * reload_job_free() - Free a job: the file and the ruleset it replaced
 * @j:		the job, or NULL
 *
 * Any thread (a replaced ruleset of 10,000 rules takes milliseconds).
 */
void reload_job_free(struct reload_job *j)
{
	if (!j)
		return;
	masq_ctl_job_free(j->rules);
	confinc_free(&j->inc);
	cmdfile_free(&j->nf);
	cmdfile_free(&j->base);
	free(j);
}

/**
 * reload_prepare() - Steps 1 and 2: read, split and check the file
 * @r:		state (reload_init(), the base added)
 * @live:	the running engine: its interfaces are read and, on a
 *		reload with rules, its ruleset is built (not published); no
 *		other command may change it until reload_commit()
 * @job:	the checked file, to pass to reload_commit() (NULL on error)
 * @msg:	every error, one "FILE:LINE: ..." line each, is appended here
 *
 * Any thread: changes nothing the packet path reads. O(lines): the
 * rule commands are applied to one ruleset and compiled once.
 *
 * Return: 0; -EINVAL when the file was refused; -errno when it could not
 * be read or checked
 */
int reload_prepare(struct reload *r, struct masq_engine *live,
		   struct reload_job **job, struct masq_text *msg)
{
	struct reload_job *j = calloc(1, sizeof(*j));
	bool rules;
	int ret;

	*job = NULL;
	if (!j) {
		r->failures++;
		return -ENOMEM;
	}
	j->start = !r->loaded;
	ret = cmdfile_load(r->path, &j->nf);
	if (ret)
		masq_text_printf(msg, "%s", j->nf.errors ? j->nf.errors : "");
	if (!ret)
		ret = confinc_load(&j->inc, r->path, &j->nf, msg);
	if (!ret)
		ret = parse_base(r, &j->base, msg);
	if (!ret && r->loaded)
		ret = same_ifaddr(r, &j->nf, msg);
	rules = reload_rules_in(&j->nf) || (r->loaded && reload_rules_in(&r->cur));
	if (!ret) {
		ret = validate(r, &j->base, &j->nf, &j->inc,
			       j->start ? NULL : live,
			       rules, &j->rules, msg);
		ret = ret < 0 ? ret : ret ? -EINVAL : 0;
	}
	if (ret) {
		r->failures++;
		reload_job_free(j);
		return ret;
	}
	*job = j;
	return 0;
}

/**
 * reload_commit() - Step 3: put a checked file in effect
 * @r:		state
 * @live:	the running engine; call between packet batches
 * @job:	from reload_prepare(); it keeps the ruleset replaced, for
 *		reload_job_free()
 * @msg:	errors are appended here
 *
 * Settings, routes and neighbours, then the ruleset by a pointer swap:
 * cheap. If a command that passed the check fails here (a static
 * neighbour the router has learnt on another interface), the previous
 * file's settings are applied again and its rules stay.
 *
 * Return: 0 when the file is in effect; -EIO when it failed here (at
 * the start: @live is half configured and must not be used)
 */
int reload_commit(struct reload *r, struct masq_engine *live,
		  struct reload_job *job, struct masq_text *msg)
{
	const struct cmdfile *prev = job->start ? NULL : &r->cur;
	size_t done;

	if (apply(r, live, &job->base, prev, &job->nf, &done, msg) ||
	    (job->start && reload_rules_start(r, live, &job->nf, &job->inc,
					      msg))) {
		r->failures++;
		if (job->start)
			return -EIO;
		masq_text_printf(msg, "%s: failed on the running router after "
				 "the check passed; applying the previous file "
				 "again\n", r->path);
		undo_adds(live, &job->nf, done);
		if ((sets_forwards(&job->nf) &&
		     run_words(live, "reload", msg, fwd_flush)) ||
		    (sets_helpers(&job->nf) &&
		     run_words(live, "reload", msg, helper_reset)) ||
		    apply(r, live, &job->base, &r->cur, &r->cur, &done, msg))
			masq_text_printf(msg, "%s: the previous file failed too; "
					 "the configuration is partly applied\n",
					 r->path);
		return -EIO;
	}
	if (!job->start)
		reload_rules_note(r, job->rules);	/* before the swap */
	if (job->rules && masq_engine_ctl_job_finish(live, job->rules, msg))
		reload_rules_note(r, NULL);
	r->swapped = job->rules || (job->start && reload_rules_in(&job->nf));
	cmdfile_free(&r->cur);
	r->cur = job->nf;
	job->nf = (struct cmdfile){ 0 };
	r->loaded = true;
	r->loads++;
	return 0;
}

/**
 * reload_commands() - Commands in the file in effect
 * @r:		state
 *
 * Return: how many (0 before the first load)
 */
size_t reload_commands(const struct reload *r)
{
	return r->cur.n;
}

/**
 * reload_run() - Load the file into the live engine, or change nothing
 * @r:		state (reload_init(), the base added)
 * @live:	the running engine; call between packet batches
 * @msg:	every error, one "FILE:LINE: ..." line each, is appended here
 *
 * reload_prepare() and reload_commit() in one call. The first call is
 * the start: the file's commands run whole on @live (after the base,
 * which the caller has run). Later calls are reloads (reload.h says what
 * they do).
 *
 * Return: 0 when the file is in effect; -EINVAL when it was refused and
 * nothing changed; -EIO when it failed on @live after the check and the
 * previous file was applied again (at the start: @live is half
 * configured and must not be used); -errno when it could not be read
 */
int reload_run(struct reload *r, struct masq_engine *live,
	       struct masq_text *msg)
{
	struct reload_job *j;
	int ret = reload_prepare(r, live, &j, msg);

	if (!ret)
		ret = reload_commit(r, live, j, msg);
	reload_job_free(j);
	return ret;
}

/**
 * reload_fini() - Release what reload_init() and the loads hold
 * @r:		state
 */
void reload_fini(struct reload *r)
{
	cmdfile_free(&r->cur);
	free(r->base);
	free(r->path);
	r->path = NULL;
	r->base = NULL;
	r->base_len = 0;
	r->loaded = false;
}
