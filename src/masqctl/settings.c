// SPDX-License-Identifier: MIT
/*
 * settings.c - masqctl set: masqd's settings, with the user names only
 *		masqctl may look up
 *
 *	masqctl set origdst-user NAME|UID|UID:GID|none
 *		NAME becomes UID:GID (getpwnam: the user's uid and primary
 *		group), a bare UID takes its user's group (getpwuid); masqd
 *		gets "set origdst-user UID:GID" or "... none" and never a
 *		name. Every other `set` goes to masqd as it is.
 *
 * `masqctl save` (saveall.c) writes the settings back as `set` lines;
 * origdst-user (a name) is masqctl's to send, after masqd has started.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "masqctl/masqctl.h"

#define ID_WORD		24	/* "4294967294:4294967294" and its NUL */

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
