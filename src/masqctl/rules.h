/* SPDX-License-Identifier: MIT */
/*
 * rules.h - masqctl rules [DIR]: the ipmasq rules directory
 *
 * rules.c is the verb (the files, masqd's transaction, the one shell);
 * rulesdir.c holds what it reads and decides without any I/O, so it is
 * unit-tested and fuzzed alone: which files run and in what order, masqd's
 * interface listing, the shell's interface variables, a failure record,
 * and which line of a file a failed command came from; rulesrec.c is the
 * other end, in the masqctl a rules file runs: it records a command that
 * failed visibly.
 */
#ifndef MASQCTL_RULES_H
#define MASQCTL_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipt/ipt.h"

#define RULES_DEFAULT_DIR	"/etc/masq/rules"
#define RULES_MAX_FILES		1024	/* files of a directory that run */
#define RULES_MAX_IFS		64	/* interfaces of masqd's listing */
#define RULES_MAX_ADDRS		8	/* addresses of one (MASQ_MAX_ADDRS) */
#define RULES_IFNAME_LEN	16	/* IFNAMSIZ */
#define RULES_MAX_TOKENS	256	/* words of a line the matcher weighs */

/* The environment a rules run gives the shell and its masqctls */
#define RULES_ENV_ERRORS	"MASQ_RULES_ERRORS"	/* failure records */
#define RULES_ENV_FILE		"MASQ_RULES_FILE"	/* the file running */

enum rules_role {
	RULES_INTERNAL,
	RULES_EXTERNAL,
	RULES_OTHER,
	RULES_ROLE_NUM
};

/**
 * struct rules_iface - one interface of masqd, as the rules see it
 * @name:	its name (letters, digits, '_', '-', '.')
 * @role:	internal, external, other
 * @naddr:	addresses it has
 * @addr:	each address, host order
 * @len:	each prefix length
 */
struct rules_iface {
	char name[RULES_IFNAME_LEN];
	enum rules_role role;
	int naddr;
	uint32_t addr[RULES_MAX_ADDRS];
	uint8_t len[RULES_MAX_ADDRS];
};

/**
 * struct rules_rec - one command that failed visibly in a rules run
 * @file:	the rules file that ran it
 * @msg:	the first line it printed on stderr
 * @words:	its words, space-separated
 */
struct rules_rec {
	char *file, *msg, *words;
};

/* rulesdir.c */
bool rules_name_ok(const char *name);
int rules_pick(char *const *names, int n, const char **out);
int rules_iface_parse(const char *text, struct rules_iface *ifs, int max);
void rules_iface_env(const struct rules_iface *ifs, int n, struct ipt_text *t);
int rules_rec_parse(char *line, struct rules_rec *rec);
int rules_find_line(const char *text, size_t len, const char *words,
		     bool whole);
int rules_syntax_where(const char *msg, const char *path, int *line,
		       const char **rest);
bool rules_token_ok(const char *s);

/* rulesrec.c: in a masqctl run by a rules file */

/**
 * struct rules_watch - a verb's stderr, kept to record its failure
 * @on:		a rules run watches this masqctl
 * @saved:	the real stderr while the verb runs, or -1
 * @mem:	where the verb's stderr goes meanwhile, or -1
 */
struct rules_watch {
	bool on;
	int saved, mem;
};

void rules_watch_start(struct rules_watch *w);
void rules_watch_end(struct rules_watch *w, int rc, int argc, char *const *argv);

/* rules.c */
struct conn;
int rules_main(struct conn *c, int argc, char **argv);

#endif
