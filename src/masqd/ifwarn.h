/* SPDX-License-Identifier: MIT */
/*
 * ifwarn.h - "no interface wan9 (yet)": an iptables rule's -i or -o that
 * names no interface masqd has, said once per name
 *
 * iptables accepts such a rule (the interface may come later), and so
 * does masqd; but a typo (wan9 for wan0) would then match nothing,
 * silently. So the first rule that names it, once it is accepted, gets
 * the line in its reply and in the log; later rules naming it do not. A
 * wildcard (wan+) that matches none of masqd's interfaces is said the
 * same way, under its own spelling.
 *
 * Limits: IFWARN_MAX_NAMES names are remembered; past them nothing more
 * is said (a name is never said twice). Only `iptables` commands (also
 * inside a rules run) are looked at, not iptables-restore texts nor the
 * -c file.
 */
#ifndef MASQD_IFWARN_H
#define MASQD_IFWARN_H

#include <net/if.h>
#include <stdint.h>

#include "masq/engine.h"

#define IFWARN_MAX_NAMES	64

struct masqd_opts;

/**
 * struct ifwarn - what was said, and what the running command may say
 * @said:	names said so far
 * @nsaid:	how many
 * @pending:	names the command in hand would say if it succeeds
 * @npending:	how many (its -i and -o)
 */
struct ifwarn {
	char said[IFWARN_MAX_NAMES][IF_NAMESIZE];
	uint32_t nsaid;
	char pending[2][IF_NAMESIZE];
	uint32_t npending;
};

/**
 * ifwarn_command() - Note the unknown interfaces a command names
 * @w:		state
 * @o:		masqd's options (its interfaces)
 * @argc:	words
 * @argv:	the command, "iptables" first (anything else is ignored)
 */
void ifwarn_command(struct ifwarn *w, const struct masqd_opts *o, int argc,
		    char *const *argv);

/**
 * ifwarn_reply() - The command is through: say what it noted, if it
 *		    succeeded
 * @w:		state
 * @status:	the command's exit status (only 0 says anything)
 * @out:	its reply text, the lines appended
 */
void ifwarn_reply(struct ifwarn *w, int status, struct masq_text *out);

#endif
