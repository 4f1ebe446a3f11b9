// SPDX-License-Identifier: MIT
/*
 * tablename.c - the tables' names, as -t takes them and every listing
 *		 prints them: one list for the parser, the ruleset, the
 *		 listings and restore
 *
 * It calls nothing of libipt, so every file may use it: print.c names a
 * table with it where it once reached into ruleset.c, which in turn
 * lists through print.c. Case matters, as in iptables.
 */
#include <assert.h>
#include <string.h>

#include "ipt/ipt.h"

static const char *const table_names[] = {
	[IPT_FILTER] = "filter", [IPT_NAT] = "nat", [IPT_MANGLE] = "mangle",
	[IPT_RAW] = "raw",
};
static_assert(sizeof(table_names) / sizeof(table_names[0]) == IPT_TABLES,
	      "a name for each table");

/**
 * ipt_table_name() - The name of a table, as -t takes it
 * @t:		the table
 *
 * Return: "filter", "nat", "mangle", "raw", or "?" for anything else
 */
const char *ipt_table_name(enum ipt_table_id t)
{
	return (unsigned)t < IPT_TABLES ? table_names[t] : "?";
}

/**
 * ipt_table_by_name() - The table -t NAME names
 * @name:	"filter", "nat", "mangle" or "raw" (case matters, as in
 *		iptables)
 *
 * Return: enum ipt_table_id, or -1 when unknown
 */
int ipt_table_by_name(const char *name)
{
	for (int t = 0; t < IPT_TABLES; t++)
		if (!strcmp(name, table_names[t]))
			return t;
	return -1;
}
