/* SPDX-License-Identifier: MIT */
/*
 * origdst.h - where a REDIRECTed connection was going (origdst.c)
 */
#ifndef MASQ_ORIGDST_H
#define MASQ_ORIGDST_H

#include "masq/engine.h"

int origdst_ctl(struct masq_engine *e, int argc, char *const *argv,
		struct masq_text *out);

#endif
