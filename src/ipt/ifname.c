// SPDX-License-Identifier: MIT
/*
 * ifname.c - an interface name against a rule's -i/-o pattern
 *
 * One rule for every language masq speaks (iptables, ipchains, ipfwadm)
 * and for masqd's "no interface NAME (yet)": an empty pattern names any
 * interface, one ending in '+' every name that starts with what precedes
 * it ("eth+": eth0, eth1, ...; "+" alone: any), anything else exactly
 * that name. Names are at most IPT_IFNAMSIZ bytes with their NUL.
 */
#include <string.h>

#include "ipt/ipt.h"

/**
 * ipt_ifname_matches() - Does interface @name match pattern @pat?
 * @pat:	"" (any), "PREFIX+" or a whole name
 * @name:	an interface's name
 *
 * Return: true when it does
 */
bool ipt_ifname_matches(const char *pat, const char *name)
{
	size_t n = strnlen(pat, IPT_IFNAMSIZ);

	if (!n)
		return true;
	if (pat[n - 1] == '+')
		return !strncmp(pat, name, n - 1);
	return !strncmp(pat, name, IPT_IFNAMSIZ);
}
