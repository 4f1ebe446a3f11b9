// SPDX-License-Identifier: MIT
/*
 * alg_irc.c - the IRC DCC helper (being written)
 */
#include "alg.h"

void irc_help(struct alg_msg *m)
{
	(void)m;
}
