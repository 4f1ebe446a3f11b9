/* SPDX-License-Identifier: MIT */
/*
 * recent.h - the address lists of -m recent, shared by a process's engines
 *
 * As the kernel keeps xt_recent's lists per network namespace, masq keeps
 * them per registry (struct recent_reg), which every engine of one masqd
 * shares (masq_engine_share_recent()): one list per name, whichever
 * worker a packet lands on. recent.c owns them; fw.c takes a reference
 * on each list its rules name when it compiles a ruleset and gives it
 * back when the compiled form is freed, so a list lives while any rule
 * of any engine names it and a reload keeps its entries.
 */
#ifndef MASQ_RECENT_H
#define MASQ_RECENT_H

#include <stdbool.h>
#include <stdint.h>

struct ipt_match;
struct masq_text;
struct recent_reg;
struct recent_list;

#define RECENT_LIST_TOT		100	/* addresses a list keeps: the
					 * kernel's ip_list_tot default */
#define RECENT_LIST_TOT_MAX	65536
#define RECENT_STAMPS_DEFAULT	32	/* stamps an address keeps when no
					 * rule asks for more hits (the
					 * kernel's since 3.x) */

struct recent_reg *recent_reg_new(uint32_t list_tot, uint64_t seed);
void recent_reg_hold(struct recent_reg *reg);
void recent_reg_put(struct recent_reg *reg);
int recent_reg_set_size(struct recent_reg *reg, uint32_t list_tot);

struct recent_list *recent_list_get(struct recent_reg *reg, const char *name,
				    uint32_t mask, uint32_t hitcount);
void recent_list_put(struct recent_reg *reg, struct recent_list *l);

bool recent_list_match(struct recent_list *l, const struct ipt_match *m,
		       uint32_t addr, uint8_t ttl, uint64_t now_ms);

int recent_ctl(struct recent_reg *reg, int argc, char *const *argv,
	       uint64_t now_ms, struct masq_text *out);

#endif
