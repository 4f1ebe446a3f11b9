/* SPDX-License-Identifier: MIT */
/*
 * addrcheck.h - is an address one the router may take, a gateway one it
 * may use? (addrcheck.c)
 */
#ifndef MASQ_ENGINE_ADDRCHECK_H
#define MASQ_ENGINE_ADDRCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "net.h"

/* What a check found: the text says why (refused) or what to look at */
enum addrcheck_verdict {
	ADDRCHECK_OK,
	ADDRCHECK_WARN,		/* taken, with the text as a warning */
	ADDRCHECK_REFUSE,	/* not taken */
	ADDRCHECK_NUM
};

enum addrcheck_verdict addrcheck_addr(const struct net *n, int iface,
				      uint32_t addr, uint8_t len, char *why,
				      size_t wlen);
enum addrcheck_verdict addrcheck_gateway(const struct net *n, uint32_t gw,
					 char *why, size_t wlen);

#endif
