// SPDX-License-Identifier: MIT
/*
 * alg_ftp.c - the FTP helper (being written)
 */
#include "alg.h"

void ftp_help(struct alg_msg *m)
{
	(void)m;
}
