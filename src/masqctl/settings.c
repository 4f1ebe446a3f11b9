// SPDX-License-Identifier: MIT
/*
 * settings.c - masqctl set, masqctl save: masqd's settings, with the
 *		user names only masqctl may look up
 *
 *	masqctl set origdst-user NAME|UID|UID:GID|none
 *		NAME becomes UID:GID (getpwnam: the user's uid and primary
 *		group), a bare UID takes its user's group (getpwuid); masqd
 *		gets "set origdst-user UID:GID" or "... none" and never a
 *		name. Every other `set` goes to masqd as it is.
 *	masqctl save
 *		masqd's `show settings` as the commands that make them,
 *		one per line: "set KEY VALUE..." for what `set` changes,
 *		"# KEY VALUE" for what only a restart does (accounting, the
 *		table's size); the origdst user by name again, or UID:GID
 *		when no user has that uid with that group.
 *
 * Each `set` line but origdst-user is also a line of a masqd -c file;
 * origdst-user (a name) is masqctl's to send, after masqd has started.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "masqctl/masqctl.h"

#define ID_WORD		24	/* "4294967294:4294967294" and its NUL */

/* What `set` changes, as `show settings` names it; other lines are comments */
static const char *const settable[] = {
	"timeout", "ports", "mapping", "filtering", "host-cap",
	"inbound-halfopen", "tcp-pickup", "conntrack-max", "origdst-user",
};

/* Is @s all decimal digits (and not empty)? */
static bool all_digits(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/*
 * NAME, UID or UID:GID into "UID:GID" (UID:GID is passed as written:
 * masqd checks the numbers). Return: 0, or 2 after a message
 */
static int user_word(const char *name, char *word, size_t len)
{
	const char *colon = strchr(name, ':');
	const struct passwd *pw;
	char *end;

	if (colon && all_digits(name, (size_t)(colon - name)) &&
	    all_digits(colon + 1, strlen(colon + 1))) {
		snprintf(word, len, "%s", name);
		return 0;
	}
	if (all_digits(name, strlen(name)))
		pw = getpwuid((uid_t)strtoul(name, &end, 10));
	else
		pw = colon ? NULL : getpwnam(name);
	if (!pw) {
		fprintf(stderr, "masqctl: set origdst-user: no user '%s' "
			"(a name, a uid, UID:GID or none)\n", name);
		return 2;
	}
	snprintf(word, len, "%u:%u", (unsigned)pw->pw_uid,
		 (unsigned)pw->pw_gid);
	return 0;
}

/* One command to masqd, its answer printed as every answer is */
static int call_print(struct conn *c, int argc, char *const *argv)
{
	struct reply r;
	int ret = conn_call(c, argc, argv, &r);

	if (ret)
		return ret;
	ret = reply_print(&r);
	reply_free(&r);
	return ret;
}

/**
 * set_main() - masqctl set ...: origdst-user's name turned into numbers
 * @c:		connection to masqd
 * @argc:	words, from the verb
 * @argv:	argv[0] is "set"
 *
 * Return: the exit status: masqd's, or 2 for an unknown user or a
 * malformed origdst-user line, 1 when masqd cannot be reached
 */
int set_main(struct conn *c, int argc, char **argv)
{
	char word[ID_WORD];
	char *send[4] = { "set", "origdst-user", word, NULL };
	int ret;

	if (argc < 2 || strcmp(argv[1], "origdst-user"))
		return call_print(c, argc, argv);
	if (argc != 3) {
		fprintf(stderr, "usage: masqctl set origdst-user "
			"NAME|UID|UID:GID|none\n");
		return 2;
	}
	if (!strcmp(argv[2], "none"))
		snprintf(word, sizeof(word), "none");
	else if ((ret = user_word(argv[2], word, sizeof(word))))
		return ret;
	return call_print(c, 3, send);
}

/* "UID:GID" as a user name when that user has that group, else as is */
static void user_name(const char *ids, FILE *f)
{
	unsigned int uid, gid;
	const struct passwd *pw;
	char tail;

	if (sscanf(ids, "%u:%u%c", &uid, &gid, &tail) == 2) {
		pw = getpwuid((uid_t)uid);
		if (pw && pw->pw_gid == (gid_t)gid && !strchr(pw->pw_name, ' ')) {
			fputs(pw->pw_name, f);
			return;
		}
	}
	fputs(ids, f);
}

/* One line of `show settings` as a command (or a comment) */
static void save_line(char *line, FILE *f)
{
	char *save = NULL, *w = strtok_r(line, " \t", &save);
	bool set = false, first = true;

	if (!w)
		return;
	for (size_t i = 0; i < sizeof(settable) / sizeof(*settable); i++)
		set = set || !strcmp(w, settable[i]);
	fputs(set ? "set " : "# ", f);
	if (!strcmp(w, "origdst-user")) {
		w = strtok_r(NULL, " \t", &save);
		fputs("origdst-user ", f);
		if (w && strcmp(w, "none"))
			user_name(w, f);
		else
			fputs("none", f);
		fputc('\n', f);
		return;
	}
	for (; w; w = strtok_r(NULL, " \t", &save), first = false)
		fprintf(f, "%s%s", first ? "" : " ", w);
	fputc('\n', f);
}

/**
 * save_settings_main() - masqctl save: the settings as commands
 * @c:		connection to masqd
 * @argc:	words, from the verb
 * @argv:	argv[0] is "save"
 *
 * Return: 0, 2 for an argument, 1 when masqd cannot be reached or the
 * output cannot be written, or masqd's status
 */
int save_settings_main(struct conn *c, int argc, char **argv)
{
	static char *const show[] = { "show", "settings", NULL };
	char *line, *save = NULL;
	struct reply r;
	int ret;

	if (argc != 1) {
		fprintf(stderr, "masqctl: save takes no argument ('%s')\n",
			argv[1]);
		return 2;
	}
	ret = conn_call(c, 2, show, &r);
	if (ret)
		return ret;
	if (r.status) {
		ret = reply_print(&r);
		reply_free(&r);
		return ret;
	}
	printf("# masqd's settings (masqctl save)\n");
	for (line = r.text ? strtok_r(r.text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save))
		save_line(line, stdout);
	reply_free(&r);
	return out_write("masqctl", "", 0);
}
