/* SPDX-License-Identifier: MIT */
/*
 * ctlperm.h - who may use masqd's control socket, and for what
 *
 *	root, masqd's own user	every command (the socket is theirs)
 *	the origdst user	`origdst ...` and nothing else, so a relay
 *				behind a REDIRECT need not run as root
 *				(set origdst-user UID:GID; none by default)
 *	anyone else		refused, with a message, then closed
 *
 * A peer is known by SO_PEERCRED, taken when it connects; what it may do
 * is judged per request against the setting of the moment, so turning
 * the origdst user off stops a client already connected too.
 *
 * With an origdst user the socket is mode 0660, group GID (masqd is the
 * socket's owner); without, 0600 and masqd's group, as at start. The
 * directories above the socket must let the user through
 * (sockdir_reachable()); a setting they would not is refused, naming the
 * directory. masqd never looks a name up: masqctl turns NAME into
 * UID:GID, and back for `masqctl save`.
 */
#ifndef MASQD_CTLPERM_H
#define MASQD_CTLPERM_H

#include <stdbool.h>
#include <stdint.h>

#include "masq/engine.h"

#define CTLPERM_GUEST_VERB	"origdst"	/* all the origdst user may ask */

/**
 * struct ctlperm - the control socket's one unprivileged user
 * @guest:	an origdst user is set
 * @uid:	... his uid
 * @gid:	... the socket's group while he is set
 * @denied:	requests refused (a stranger, or the origdst user asking
 *		more than origdst)
 * @owner:	who may do everything besides root: the user masqd was
 *		started as (ctlsrv_open()), not the one it drops to later
 *		(sandbox.c), which a relay such as masq-socksify may share
 */
struct ctlperm {
	bool guest;
	uint32_t uid;
	uint32_t gid;
	uint64_t denied;
	uint32_t owner;
};

/* What a peer may do */
enum ctlperm_peer {
	CTLPERM_ADMIN,		/* everything */
	CTLPERM_GUEST,		/* CTLPERM_GUEST_VERB and the iface listing */
	CTLPERM_STRANGER,	/* nothing */
	CTLPERM_NUM
};

struct ctlsrv;

enum ctlperm_peer ctlperm_peer(const struct ctlperm *p, uint32_t uid);
int ctlperm_refuse(struct ctlperm *p, uint32_t uid, int argc,
		   char *const *argv, struct masq_text *out, bool *hang_up);
bool ctlperm_is_command(int argc, char *const *argv);
int ctlperm_command(struct ctlsrv *s, int argc, char *const *argv,
		    struct masq_text *out);
void ctlperm_show(const struct ctlperm *p, struct masq_text *out);

#endif
