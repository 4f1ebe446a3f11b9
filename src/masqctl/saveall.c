// SPDX-License-Identifier: MIT
/*
 * saveall.c - masqctl save: the whole configuration, as a file masqd -c
 *	       loads
 *
 * Six questions to masqd, asked before anything is printed (so a refusal
 * prints nothing but the refusal): `show settings`, `route`, `neigh`,
 * `ipmasqadm save`, `iptables-save` (numeric, no counters; for a ruleset
 * written in ipchains or ipfwadm, as `show settings` says, that
 * language's dump) and `helper`.
 * Their answers become, in this order:
 *
 *	settings	"set KEY VALUE..." for what `set` changes; "# KEY
 *			VALUE" for what only a restart changes (accounting,
 *			the table's size); the origdst user commented out,
 *			by name: it is masqctl's to send (a name), masqd -c
 *			refuses it
 *	helpers		"helper NAME on|off ports P,P..." for each helper,
 *			defaults too (a reload of a file with helper lines
 *			starts from the defaults, so the file says all)
 *	routes		"route add ..." for each route that is the user's:
 *			not an address's (proto kernel), not the command
 *			line's --gateway (proto boot), not one learnt from
 *			the router host (proto host)
 *	neighbours	"neigh add IP lladdr MAC dev NAME" for each static
 *			(PERMANENT) entry; learnt ones are not configuration
 *	forwards	masqd's `ipmasqadm save` as it is: the commands that
 *			make portfw, mfw and autofw's tables again in their
 *			current order (counters start from the preferences)
 *	ruleset		(ipchains, ipfwadm: the language's commands, a -P
 *			per built-in chain, a -N per user chain, the rules
 *			in order; a reload starts from its empty ruleset)
 *			per table, from empty: -F, -X, a -P per built-in
 *			chain, a -N per user chain, then every rule as
 *			"iptables -t TABLE -A ..." (iptables-save's quoting
 *			is the file's: double quotes, \" inside)
 *
 * What a file cannot say is left out: interfaces, addresses and the
 * --gateway route are masqd's command line (start it with the same one);
 * connections, mappings and learnt neighbours are state, not
 * configuration. A line of masqd's that is not understood is written as a
 * comment ("# not understood: ..."), never as a command.
 *
 * Cost: the six answers are held at once (about 100 bytes per rule).
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/proto.h"
#include "masqctl/masqctl.h"

#define SAVE_WORDS	16	/* the most words of a route or neigh line */

/* What `set` changes, as `show settings` names it; other lines are comments */
static const char *const settable[] = {
	"timeout", "ports", "mapping", "filtering", "host-cap",
	"inbound-halfopen", "tcp-pickup", "conntrack-max",
};

/* The lines of @text one by one: a copy of each, NUL-terminated, in @buf */
static const char *next_line(const char *p, char **line)
{
	size_t len;

	*line = NULL;
	if (!p || !*p)
		return NULL;
	len = strcspn(p, "\n");
	*line = strndup(p, len);
	return p[len] ? p + len + 1 : p + len;
}

/* Split @line in place into at most @max blank-separated words */
static int words(char *line, char **w, int max)
{
	char *save = NULL;
	int n = 0;

	for (char *t = strtok_r(line, " \t\r", &save); t;
	     t = strtok_r(NULL, " \t\r", &save)) {
		if (n == max)
			return -1;
		w[n++] = t;
	}
	return n;
}

static void not_understood(struct ipt_text *out, const char *line)
{
	ipt_text_printf(out, "# not understood: %s\n", line);
}

/*
 * " WORD" as the configuration file reads it back (cmdfile.c): bare when
 * it can be, else in double quotes with " and \ escaped (a blank, a
 * quote, a backslash, a leading # that would start a comment, or empty)
 */
static void put_word(struct ipt_text *out, const char *w)
{
	if (*w && *w != '#' && !strpbrk(w, " \t\r\v\f\"\\")) {
		ipt_text_printf(out, " %s", w);
		return;
	}
	ipt_text_printf(out, " \"");
	for (; *w; w++)
		ipt_text_printf(out, "%s%c", *w == '"' || *w == '\\' ? "\\" : "",
				*w);
	ipt_text_printf(out, "\"");
}

/* @lead, then each of @w as put_word() writes it, then a newline */
static void put_command(struct ipt_text *out, const char *lead, char **w,
			int n)
{
	ipt_text_printf(out, "%s", lead);
	for (int i = 0; i < n; i++)
		put_word(out, w[i]);
	ipt_text_printf(out, "\n");
}

/* "UID:GID" as a user name when that user has that group, else as is */
static void user_name(const char *ids, struct ipt_text *out)
{
	unsigned int uid, gid;
	const struct passwd *pw;
	char tail;

	if (sscanf(ids, "%u:%u%c", &uid, &gid, &tail) == 2) {
		pw = getpwuid((uid_t)uid);
		if (pw && pw->pw_gid == (gid_t)gid && !strchr(pw->pw_name, ' ')) {
			ipt_text_printf(out, "%s", pw->pw_name);
			return;
		}
	}
	ipt_text_printf(out, "%s", ids);
}

/* One line of `show settings` as a command (or a comment) */
static void settings_line(const char *text, char *line, struct ipt_text *out)
{
	char *w[SAVE_WORDS];
	int n = words(line, w, SAVE_WORDS);
	bool set = false;

	if (n < 0)
		not_understood(out, text);
	if (n <= 0 || !strcmp(w[0], "reload-last"))	/* masqd's history */
		return;
	for (size_t i = 0; i < sizeof(settable) / sizeof(*settable); i++)
		set = set || !strcmp(w[0], settable[i]);
	if (!strcmp(w[0], "origdst-user") && n == 2 && strcmp(w[1], "none")) {
		ipt_text_printf(out, "# set origdst-user ");
		user_name(w[1], out);
		ipt_text_printf(out, "\t(masqctl's: run it after masqd "
				"starts; masqd -c refuses it)\n");
		return;
	}
	if (set)
		put_command(out, "set", w, n);
	else
		ipt_text_printf(out, "# %s\n", text);
}

/* One line of `helper`: "NAME on|off ports P,P..." */
static void helper_line(const char *text, char *line, struct ipt_text *out)
{
	char *w[SAVE_WORDS];
	int n = words(line, w, SAVE_WORDS);

	if (n == 0)
		return;
	if (n == 4 && (!strcmp(w[1], "on") || !strcmp(w[1], "off")) &&
	    !strcmp(w[2], "ports") && strspn(w[3], "0123456789,") == strlen(w[3]))
		put_command(out, "helper", w, n);
	else
		not_understood(out, text);
}

/*
 * One line of `route`: "PREFIX [via GW] dev NAME [proto P [scope S]]".
 * Only the user's own (no proto) become a command.
 */
static void route_line(const char *text, char *line, struct ipt_text *out)
{
	char *w[SAVE_WORDS];
	int n = words(line, w, SAVE_WORDS), i;
	bool dev = false;

	if (n == 0)
		return;
	for (i = 1; i + 1 < n; i += 2) {
		if (!strcmp(w[i], "proto"))
			return;		/* kernel, boot, host: not the user's */
		if (strcmp(w[i], "via") && strcmp(w[i], "dev"))
			break;
		dev = dev || !strcmp(w[i], "dev");
	}
	if (n < 3 || i != n || !dev)
		not_understood(out, text);
	else
		put_command(out, "route add", w, n);
}

/* One line of `neigh`: "IP dev NAME [lladdr MAC] STATE"; PERMANENT ones */
static void neigh_line(const char *text, char *line, struct ipt_text *out)
{
	char *w[SAVE_WORDS];
	int n = words(line, w, SAVE_WORDS);
	bool perm = n > 0 && !strcmp(w[n - 1], "PERMANENT");

	if (perm && n == 6 && !strcmp(w[1], "dev") && !strcmp(w[3], "lladdr")) {
		char *cmd[5] = { w[0], "lladdr", w[4], "dev", w[2] };

		put_command(out, "neigh add", cmd, 5);
	} else if (n && (perm || n < 3 || strcmp(w[1], "dev"))) {
		not_understood(out, text);
	}	/* else learnt: state, not configuration */
}

/* Each line of @text through @fn, which gets the line and a copy to cut */
static void each_line(const char *text, struct ipt_text *out,
		      void (*fn)(const char *, char *, struct ipt_text *))
{
	char *line;

	for (const char *p = next_line(text, &line); line;
	     p = next_line(p, &line)) {
		char *copy = strdup(line);

		if (!copy) {
			out->oom = true;
			free(line);
			return;
		}
		fn(line, copy, out);
		free(copy);
		free(line);
	}
}

/* ---- the ruleset ------------------------------------------------------- */

/**
 * struct table_text - one table of iptables-save text, gathered
 * @name:	the table ("" before the first *table line)
 * @policies:	its -P commands
 * @chains:	its -N commands
 * @rules:	its -A commands
 */
struct table_text {
	char name[32];
	struct ipt_text policies;
	struct ipt_text chains;
	struct ipt_text rules;
};

/* ":CHAIN POLICY [p:b]": -P for a built-in chain, -N for a user chain */
static void chain_line(struct table_text *t, const char *text,
		       struct ipt_text *out)
{
	char *copy = strdup(text + 1), *w[SAVE_WORDS];
	int n = copy ? words(copy, w, SAVE_WORDS) : -1;
	char lead[64];

	if (!copy) {
		out->oom = true;
	} else if (n < 2 || n > 3) {
		not_understood(out, text);
	} else if (strcmp(w[1], "-")) {
		snprintf(lead, sizeof(lead), "iptables -t %s -P", t->name);
		put_command(&t->policies, lead, w, 2);
	} else {
		snprintf(lead, sizeof(lead), "iptables -t %s -N", t->name);
		put_command(&t->chains, lead, w, 1);
	}
	free(copy);
}

/* "-A CHAIN ...": split as iptables-save quotes, written as the file does */
static void rule_line(struct table_text *t, const char *text,
		      struct ipt_text *out)
{
	size_t len = strlen(text) + 1;
	char **w = calloc(CTL_MAX_ARGC, sizeof(*w)), *store = malloc(len);
	int n = w && store ? ipt_split(text, w, CTL_MAX_ARGC, store, len,
				       NULL) : -2;
	char lead[48];

	if (n == -2) {
		out->oom = true;
	} else if (n < 2) {
		not_understood(out, text);
	} else {
		snprintf(lead, sizeof(lead), "iptables -t %s", t->name);
		put_command(&t->rules, lead, w, n);
	}
	free(w);
	free(store);
}

/* The gathered table, policies and chains before rules; then emptied */
static void table_flush(struct table_text *t, struct ipt_text *out)
{
	struct ipt_text *part[3] = { &t->policies, &t->chains, &t->rules };

	if (t->name[0]) {
		ipt_text_printf(out, "iptables -t %s -F\n", t->name);
		ipt_text_printf(out, "iptables -t %s -X\n", t->name);
	}
	for (int i = 0; i < 3; i++) {
		if (t->name[0] && part[i]->s)
			ipt_text_printf(out, "%s", part[i]->s);
		out->oom = out->oom || part[i]->oom;
		ipt_text_free(part[i]);
	}
	t->name[0] = '\0';
}

/* Is @line "*TABLE" (lower-case letters, short)? */
static bool table_line(const char *line, size_t len)
{
	return line[0] == '*' && len > 1 && len < 32 &&
	       strspn(line + 1, "abcdefghijklmnopqrstuvwxyz") == len - 1;
}

/* iptables-save text as iptables commands, each table from empty */
static void ruleset_lines(const char *text, struct ipt_text *out)
{
	struct table_text t = { .name = "" };
	char *line;

	for (const char *p = next_line(text, &line); line;
	     p = next_line(p, &line)) {
		size_t len = strlen(line);

		if (len && line[len - 1] == '\r')
			line[--len] = '\0';
		if (!len || line[0] == '#') {
			/* blank, a comment */
		} else if (table_line(line, len)) {
			table_flush(&t, out);
			memcpy(t.name, line + 1, len);
		} else if (!strcmp(line, "COMMIT")) {
			table_flush(&t, out);
		} else if (t.name[0] && line[0] == ':') {
			chain_line(&t, line, out);
		} else if (t.name[0] && !strncmp(line, "-A ", 3)) {
			rule_line(&t, line, out);
		} else {
			not_understood(out, line);
		}
		free(line);
	}
	table_flush(&t, out);
}

/*
 * An ipchains or ipfwadm dump (ipchains-save's ":CHAIN POLICY" and "-A"
 * lines; ipfwadm-save's commands) as commands of that language: a
 * policy is set, a user chain ("-" for its policy) made, a rule added;
 * any other line is not understood (a comment)
 */
static void ruleset_lines_2x(const char *lang, const char *text,
			     struct ipt_text *out)
{
	size_t ll = strlen(lang);
	char *line;

	for (const char *p = next_line(text, &line); line;
	     p = next_line(p, &line)) {
		char name[64], pol[32];
		size_t len = strlen(line);

		if (len && line[len - 1] == '\r')
			line[--len] = '\0';
		if (!len || line[0] == '#')
			;	/* blank, a comment */
		else if (line[0] == ':' &&
			 sscanf(line + 1, "%63s %31s", name, pol) == 2)
			ipt_text_printf(out, "%s -%c %s%s%s\n", lang,
					strcmp(pol, "-") ? 'P' : 'N', name,
					strcmp(pol, "-") ? " " : "",
					strcmp(pol, "-") ? pol : "");
		else if (!strncmp(line, lang, ll) && line[ll] == ' ' &&
			 line[ll + 1] == '-')
			ipt_text_printf(out, "%s\n", line);	/* ipfwadm's */
		else if (!strncmp(line, "-A ", 3))
			ipt_text_printf(out, "%s %s\n", lang, line);
		else
			not_understood(out, line);
		free(line);
	}
}

/*
 * The ruleset's language, from the "rules LANG" line of `show settings`
 * (a masqd without it speaks iptables only)
 */
static void settings_lang(const char *settings, char buf[16])
{
	const char *at = settings;

	snprintf(buf, 16, "iptables");
	while (at && *at) {
		if (!strncmp(at, "rules ", 6) && sscanf(at + 6, "%15s", buf) == 1)
			return;
		at = strchr(at, '\n');
		at = at ? at + 1 : NULL;
	}
}

/**
 * save_compose() - The configuration file made of masqd's answers
 * @p:		the answers (NUL-terminated; NULL for an empty one)
 * @out:	the file's text
 *
 * Nothing from masqd becomes a command unless it is understood; the rest
 * becomes a comment. O(text).
 */
void save_compose(const struct save_parts *p, struct ipt_text *out)
{
	ipt_text_printf(out,
		"# masqd's configuration (masqctl save): load it with masqd -c "
		"FILE\n"
		"# and the same command line, which has the interfaces, the "
		"addresses\n"
		"# and the --gateway route.\n"
		"\n# settings\n");
	each_line(p->settings, out, settings_line);
	ipt_text_printf(out, "\n# application helpers\n");
	each_line(p->helpers, out, helper_line);
	ipt_text_printf(out, "\n# routes and static neighbours\n");
	each_line(p->routes, out, route_line);
	each_line(p->neigh, out, neigh_line);
	ipt_text_printf(out, "\n# forwards (ipmasqadm), in their order\n%s",
			p->forwards ? p->forwards : "");
	if (p->forwards && *p->forwards &&
	    p->forwards[strlen(p->forwards) - 1] != '\n')
		ipt_text_printf(out, "\n");
	if (p->lang && strcmp(p->lang, "iptables")) {
		ipt_text_printf(out, "\n# the ruleset, in %s (a reload starts "
				"from its empty ruleset)\n", p->lang);
		ruleset_lines_2x(p->lang, p->ruleset ? p->ruleset : "", out);
		return;
	}
	ipt_text_printf(out, "\n# the ruleset, each table from empty\n");
	ruleset_lines(p->ruleset, out);
}

/* ---- the verb --------------------------------------------------------- */

/* Ask masqd @argv; 0 with the reply in @r, or the status after a message */
static int ask(struct conn *c, char *const *argv, struct reply *r)
{
	int argc = 0, ret;

	while (argv[argc])
		argc++;
	ret = conn_call(c, argc, argv, r);
	if (ret)
		return ret;
	if (!r->status)
		return 0;
	ret = reply_print(r);
	reply_free(r);
	return ret;
}

/**
 * save_all_main() - masqctl save: the configuration as a masqd -c file
 * @c:		connection to masqd
 * @argc:	words, from the verb
 * @argv:	argv[0] is "save"
 *
 * Return: 0, 2 for an argument, 1 when masqd cannot be reached or the
 * output cannot be written, or masqd's status when it refuses a question
 */
int save_all_main(struct conn *c, int argc, char **argv)
{
	static char *const q[6][3] = {
		{ "show", "settings", NULL }, { "route", NULL },
		{ "neigh", NULL }, { "ipmasqadm", "save", NULL },
		{ NULL /* LANG-save */ }, { "helper", NULL },
	};
	char dump[32], lang[16] = "iptables";
	char *rules_q[2] = { dump, NULL };
	struct reply r[6] = { { 0 } };
	struct ipt_text out = { 0 };
	int ret = 0, n;

	if (argc != 1) {
		fprintf(stderr, "masqctl: save takes no argument ('%s')\n",
			argv[1]);
		return 2;
	}
	for (n = 0; n < 6 && !ret; n++) {
		if (n == 4) {	/* the ruleset, in the language it is in */
			settings_lang(r[0].text, lang);
			snprintf(dump, sizeof(dump), "%s-save", lang);
			ret = ask(c, rules_q, &r[n]);
			continue;
		}
		ret = ask(c, q[n], &r[n]);
	}
	if (!ret) {
		struct save_parts p = { r[0].text, r[1].text, r[2].text,
					r[3].text, r[4].text, r[5].text,
					lang };

		save_compose(&p, &out);
		ret = out_text("masqctl", &out);
	}
	ipt_text_free(&out);
	for (int i = 0; i < 6; i++)
		reply_free(&r[i]);
	return ret;
}
