// SPDX-License-Identifier: MIT
/*
 * reload.c - load a configuration file into a running engine (see reload.h)
 *
 * Theory of operation: three steps, each a plain pass over the commands.
 *
 *	1. split: cmdfile_load(); any syntax error stops here
 *	2. check: the file's `iface add`/`addr add` lines against the file in
 *	   effect (a reload cannot change them), then every command on a
 *	   scratch engine built from the base; every failure is collected
 *	   with its line (at most RELOAD_MAX_ERRORS)
 *	3. apply: the reset commands, the base's routes and neighbours, the
 *	   file, on the live engine
 *
 * Nothing is changed before step 3, and step 3 runs to its end inside one
 * call. Cost: a scratch engine per load (tables of 64 connections and the
 * live engine's route and neighbour sizes, plus the engine's fixed
 * reassembly buffers, allocated and not touched) and each command run
 * twice; a reload is rare and off the packet path, so this is the price
 * of "an error changes nothing". The road not taken: a transaction inside
 * the engine (shadow settings published by a pointer swap), which would
 * need every setting behind one pointer. The filter's rules are such a
 * transaction already (fwctl.c): a file with iptables lines starts again
 * from the default ruleset ("reset rules") at each reload.
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

/* Does the file change the filter's rules (iptables, iptables-restore)? */
static bool sets_rules(const struct cmdfile *cf)
{
	for (size_t i = 0; cf && i < cf->n; i++)
		if (cf->cmds[i].argc >= 1 &&
		    (!strcmp(cf->cmds[i].argv[0], "iptables") ||
		     !strcmp(cf->cmds[i].argv[0], "iptables-restore")))
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

/*
 * Run one command; on failure add "WHERE:LINE: 'CMD' failed (status N):
 * MESSAGE" to @msg (LINE 0: "WHERE: ..."). Return: its exit status
 */
static int run(struct masq_engine *e, const char *where, unsigned int line,
	       int argc, char *const *argv, struct masq_text *msg)
{
	struct masq_text out = { 0 };
	int st = masq_engine_ctl(e, argc, argv, &out);

	if (st) {
		char cmd[200];

		words(cmd, sizeof(cmd), argc, argv);
		while (out.len && out.s[out.len - 1] == '\n')
			out.s[--out.len] = '\0';
		if (line)
			masq_text_printf(msg, "%s:%u: ", where, line);
		else
			masq_text_printf(msg, "%s: ", where);
		masq_text_printf(msg, "'%s' failed (status %d): %s\n", cmd, st,
				 out.len ? out.s : "(no message)");
	}
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

/*
 * Step 2: every command on a scratch engine made from the base.
 * Return: number of failing commands, or -errno when no scratch engine
 * could be made (the reason in @msg)
 */
static int validate(const struct reload *r, const struct cmdfile *base,
		    const struct cmdfile *nf, struct masq_text *msg)
{
	struct masq_limits lim = {
		.max_conns = 64, .max_mappings = 64, .neigh_queue = 16,
		.max_neigh = r->lim.max_neigh, .max_routes = r->lim.max_routes,
		.no_accounting = 1, .seed = 1,
	};
	struct masq_pool *pool = masq_pool_create(16, 2048);
	struct masq_engine *e = pool ? masq_engine_create(&lim, pool) : NULL;
	int bad = 0;

	if (!e) {
		masq_text_printf(msg, "%s: out of memory for the check\n", r->path);
		masq_pool_destroy(pool);
		return -ENOMEM;
	}
	for (size_t i = 0; i < base->n && !bad; i++)
		bad += !!run(e, "command line", 0, base->cmds[i].argc,
			     base->cmds[i].argv, msg);
	if (bad)	/* the file means nothing over a base that failed */
		goto out;
	for (size_t i = 0; i < nf->n; i++) {
		const struct cmdfile_cmd *c = &nf->cmds[i];

		if (bad == RELOAD_MAX_ERRORS) {
			masq_text_printf(msg, "%s: too many errors\n", r->path);
			bad++;
			break;
		}
		bad += !!run(e, r->path, c->line, c->argc, c->argv, msg);
	}
out:
	masq_engine_destroy(e);
	masq_pool_destroy(pool);
	return bad;
}

/*
 * Step 3 for @cf on the live engine; @again: a reload (reset first, skip
 * what only a start may add). Stops at the first failure.
 * Return: 0 or -1 (the failure in @msg)
 */
static int apply(const struct reload *r, struct masq_engine *e,
		 const struct cmdfile *base, const struct cmdfile *cf,
		 bool again, struct masq_text *msg)
{
	static char *const reset[] = { "reset", "settings", "except",
				       "filtering", NULL };
	static char *const filt[] = { "set", "filtering",
				      "address-and-port-dependent", NULL };
	static char *const routes[] = { "route", "flush", "static", NULL };
	static char *const neigh[] = { "neigh", "flush", "static", NULL };
	static char *const rules[] = { "reset", "rules", NULL };

	if (again) {
		/* a file with rules builds them from the default ruleset
		 * each time, as a firewall script starts by flushing */
		if (((r->loaded && sets_rules(&r->cur)) || sets_rules(cf)) &&
		    run_words(e, "reload", msg, rules))
			return -1;
		if (run_words(e, "reload", msg, reset) ||
		    (!sets_filtering(cf) && run_words(e, "reload", msg, filt)) ||
		    run_words(e, "reload", msg, routes) ||
		    run_words(e, "reload", msg, neigh))
			return -1;
		for (size_t i = 0; i < base->n; i++)
			if (!is_ifaddr(&base->cmds[i]) &&
			    run(e, "command line", 0, base->cmds[i].argc,
				base->cmds[i].argv, msg))
				return -1;
	}
	for (size_t i = 0; i < cf->n; i++) {
		const struct cmdfile_cmd *c = &cf->cmds[i];

		if (again && is_ifaddr(c))
			continue;
		if (run(e, r->path, c->line, c->argc, c->argv, msg))
			return -1;
	}
	return 0;
}

/* Steps 2 and 3; Return: 0, -EINVAL (refused, nothing changed), -EIO */
static int check_and_apply(struct reload *r, struct masq_engine *live,
			   const struct cmdfile *base, const struct cmdfile *nf,
			   struct masq_text *msg)
{
	int bad;

	if (r->loaded && same_ifaddr(r, nf, msg))
		return -EINVAL;
	bad = validate(r, base, nf, msg);
	if (bad)
		return bad < 0 ? bad : -EINVAL;
	if (!apply(r, live, base, nf, r->loaded, msg))
		return 0;
	if (!r->loaded)
		return -EIO;
	masq_text_printf(msg, "%s: failed on the running router after the "
			 "check passed; applying the previous file again\n",
			 r->path);
	if (apply(r, live, base, &r->cur, true, msg))
		masq_text_printf(msg, "%s: the previous file failed too; the "
				 "configuration is partly applied\n", r->path);
	return -EIO;
}

/**
 * reload_run() - Load the file into the live engine, or change nothing
 * @r:		state (reload_init(), the base added)
 * @live:	the running engine; call between packet batches
 * @msg:	every error, one "FILE:LINE: ..." line each, is appended here
 *
 * The first call is the start: the file's commands run whole on @live
 * (after the base, which the caller has run). Later calls are reloads
 * (reload.h says what they do).
 *
 * Return: 0 when the file is in effect; -EINVAL when it was refused and
 * nothing changed; -EIO when it failed on @live after the check and the
 * previous file was applied again (at the start: @live is half
 * configured and must not be used); -errno when it could not be read
 */
int reload_run(struct reload *r, struct masq_engine *live,
	       struct masq_text *msg)
{
	struct cmdfile nf, base = { 0 };
	int ret;

	ret = cmdfile_load(r->path, &nf);
	if (ret) {
		masq_text_printf(msg, "%s", nf.errors ? nf.errors : "");
		goto out;
	}
	ret = parse_base(r, &base, msg);
	if (!ret)
		ret = check_and_apply(r, live, &base, &nf, msg);
	if (!ret) {
		cmdfile_free(&r->cur);
		r->cur = nf;
		nf = (struct cmdfile){ 0 };
		r->loaded = true;
		r->loads++;
	}
out:
	if (ret)
		r->failures++;
	cmdfile_free(&base);
	cmdfile_free(&nf);
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
