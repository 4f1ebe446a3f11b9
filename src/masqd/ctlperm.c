// SPDX-License-Identifier: MIT
/*
 * ctlperm.c - who may use the control socket, and for what (ctlperm.h)
 *
 * The judgement is a compare or two per request, made before the words
 * reach anything else (ctlsrv.c's client_run()), so a refused request
 * runs nothing. The origdst user is masqd's setting, not the engine's:
 * it lives beside the socket it opens, a reload (which resets engine
 * settings) leaves it alone, and `show settings` gets its line from
 * ctlperm_show().
 *
 * The socket's mode follows the setting: the group is changed before the
 * mode opens to it (so the old group never gets the new bits), and the
 * mode closed before the group is given back. A failure halfway puts
 * the previous mode and group back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "masqd/ctlsrv.h"
#include "masqd/log.h"
#include "masqd/sockdir.h"

/**
 * ctlperm_peer() - What a peer may do
 * @p:		the setting
 * @uid:	the peer's uid (SO_PEERCRED)
 *
 * Return: CTLPERM_ADMIN for root and the user masqd was started as
 * (@p->owner: not the user it drops to), CTLPERM_GUEST
 * for the origdst user, else CTLPERM_STRANGER
 */
enum ctlperm_peer ctlperm_peer(const struct ctlperm *p, uint32_t uid)
{
	if (uid == 0 || uid == p->owner)
		return CTLPERM_ADMIN;
	if (p->guest && uid == p->uid)
		return CTLPERM_GUEST;
	return CTLPERM_STRANGER;
}

/*
 * The one listing the origdst user may read besides origdst: `iface`
 * (`iface list`, `iface -L`), read-only, so a relay running as that user
 * (masq-socksify) can find the internal interfaces' addresses to listen
 * on. Nothing that changes anything.
 */
static bool guest_may_list(int argc, char *const *argv)
{
	if (argc < 1 || strcmp(argv[0], "iface"))
		return false;
	return argc == 1 || (argc == 2 && (!strcmp(argv[1], "list") ||
					   !strcmp(argv[1], "-L")));
}

/**
 * ctlperm_refuse() - Judge one request before it runs
 * @p:		the setting (its @denied counts refusals)
 * @uid:	the peer's uid
 * @argc:	the request's words
 * @argv:	...
 * @out:	the refusal's text
 * @hang_up:	set when the peer may do nothing at all (close it after
 *		the answer)
 *
 * Return: 0 when the request may run, else its exit status (1) with the
 * reason in @out
 */
int ctlperm_refuse(struct ctlperm *p, uint32_t uid, int argc,
		   char *const *argv, struct masq_text *out, bool *hang_up)
{
	switch (ctlperm_peer(p, uid)) {
	case CTLPERM_ADMIN:
		return 0;
	case CTLPERM_GUEST:
		if (argc >= 1 && !strcmp(argv[0], CTLPERM_GUEST_VERB))
			return 0;
		if (guest_may_list(argc, argv))
			return 0;
		p->denied++;
		masq_text_printf(out, "masqd: permission denied: this user "
				 "(uid %u) may only ask origdst (and list "
				 "the interfaces)\n", uid);
		return 1;
	default:
		p->denied++;
		*hang_up = true;
		masq_text_printf(out, "masqd: permission denied: uid %u may not "
				 "use masqd's control socket\n", uid);
		return 1;
	}
}

/**
 * ctlperm_is_command() - Is this `set origdst-user ...` (ctlperm_command())?
 * @argc:	words
 * @argv:	the words
 *
 * Return: true when it is
 */
bool ctlperm_is_command(int argc, char *const *argv)
{
	return argc >= 2 && !strcmp(argv[0], "set") &&
	       !strcmp(argv[1], "origdst-user");
}

/* Decimal digits up to @stop into @v, below 2^32 - 1 ((uid_t)-1 is "none") */
static const char *parse_id(const char *s, char stop, uint32_t *v)
{
	uint64_t x = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++) {
		x = x * 10 + (uint64_t)(*p - '0');
		if (x >= 0xffffffffu)
			return NULL;
	}
	if (p == s || *p != stop)
		return NULL;
	*v = (uint32_t)x;
	return p;
}

/* "UID:GID"; Return: true when @s is exactly that */
static bool parse_uid_gid(const char *s, uint32_t *uid, uint32_t *gid)
{
	const char *colon = parse_id(s, ':', uid);

	return colon && parse_id(colon + 1, '\0', gid);
}

/* The socket 0660 and group @gid with a guest, else 0600, masqd's group */
static int socket_mode(const struct ctlsrv *s, bool guest, uint32_t gid)
{
	if (guest) {
		if (fchownat(s->dirfd, s->name, (uid_t)-1, (gid_t)gid,
			     AT_SYMLINK_NOFOLLOW) ||
		    fchmodat(s->dirfd, s->name, 0660, 0))
			return -errno;
		return 0;
	}
	if (fchmodat(s->dirfd, s->name, 0600, 0) ||
	    fchownat(s->dirfd, s->name, (uid_t)-1, getegid(),
		     AT_SYMLINK_NOFOLLOW))
		return -errno;
	return 0;
}

/* May @uid:@gid be the origdst user? Return: 0, or 1 after the message */
static int guest_acceptable(const struct ctlsrv *s, const char *word,
			    uint32_t uid, uint32_t gid, struct masq_text *out)
{
	char why[1536];
	int ret;

	if (ctlperm_peer(&s->perm, uid) == CTLPERM_ADMIN) {
		masq_text_printf(out, "set: origdst-user '%s' is root or "
				 "masqd's own user, who may do everything "
				 "already\n", word);
		return 1;
	}
	ret = sockdir_reachable(s->dirfd, uid, gid, why, sizeof(why));
	if (ret == -EACCES)
		masq_text_printf(out, "set: origdst-user '%s' could not reach "
				 "the socket: %s\n", word, why);
	else if (ret)
		masq_text_printf(out, "set: origdst-user '%s': checking the "
				 "socket's directories: %s\n", word,
				 strerror(-ret));
	return ret ? 1 : 0;
}

/**
 * ctlperm_command() - `set origdst-user UID:GID|none`
 * @s:		the control server (its socket's mode and group change)
 * @argc:	words
 * @argv:	the words
 * @out:	why it failed
 *
 * Return: 0; 1 when it cannot be (root or masqd's user named, the
 * directories keep the user out, the socket cannot be changed: nothing
 * changes); 2 for malformed words
 */
int ctlperm_command(struct ctlsrv *s, int argc, char *const *argv,
		    struct masq_text *out)
{
	uint32_t uid = 0, gid = 0;
	bool on;
	int ret;

	if (argc != 3) {
		masq_text_printf(out, "usage: set origdst-user UID:GID|none\n");
		return 2;
	}
	on = strcmp(argv[2], "none") != 0;
	if (s->dirfd < 0) {
		masq_text_printf(out, "set: origdst-user: no control socket\n");
		return 1;
	}
	if (on && !parse_uid_gid(argv[2], &uid, &gid)) {
		masq_text_printf(out, "set: bad origdst-user '%s' (UID:GID or "
				 "none; masqctl turns a user name into "
				 "UID:GID)\n", argv[2]);
		return 2;
	}
	if (on && guest_acceptable(s, argv[2], uid, gid, out))
		return 1;
	ret = socket_mode(s, on, gid);
	if (ret) {
		socket_mode(s, s->perm.guest, s->perm.gid);
		masq_text_printf(out, "set: cannot change the control socket "
				 "%s: %s\n", s->path, strerror(-ret));
		return 1;
	}
	s->perm.guest = on;
	s->perm.uid = uid;
	s->perm.gid = gid;
	if (on)
		logmsg(LOG_INFO, "control socket %s: uid %u may ask origdst "
		       "(socket mode 0660, group %u)", s->path, uid, gid);
	else
		logmsg(LOG_INFO, "control socket %s: root only (mode 0600)",
		       s->path);
	return 0;
}

/**
 * ctlperm_show() - The setting as `show settings` lists it
 * @p:		the setting
 * @out:	"origdst-user UID:GID" or "origdst-user none", a line
 */
void ctlperm_show(const struct ctlperm *p, struct masq_text *out)
{
	if (p->guest)
		masq_text_printf(out, "origdst-user %u:%u\n", p->uid, p->gid);
	else
		masq_text_printf(out, "origdst-user none\n");
}
