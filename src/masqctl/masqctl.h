/* SPDX-License-Identifier: MIT */
/*
 * masqctl.h - the parts of masqctl shared by its verbs
 *
 * masqctl is a thin program: main.c picks the verb (from the command line
 * or from the name it was called by), conn.c talks to masqd, remote.c
 * brings masqd's ruleset into a local struct ipt_ruleset, names.c looks
 * names up (each once per run), and one file per front-end verb does the
 * rest: iptables.c, save.c (iptables-save), restore.c (iptables-restore),
 * acct.c (ipacct-dump), settings.c (set origdst-user NAME), saveall.c
 * (save: the whole configuration), ipmasqadm.c (ipmasqadm: names in,
 * names out, help), masq.c (masq: the table with names, -D's names),
 * ipfwadm.c (ipfwadm: the 2.0 language, listed here), ipchains.c
 * (ipchains, ipchains-save, ipchains-restore), rules.c (rules: the
 * ipmasq rules directory; its own header, rules.h); send.c sends a front
 * end's canonical lines; json.c (json.h) makes stats --json and
 * conntrack -L -o json, and runs conntrack -E with each line flushed. Every verb returns
 * the process exit status: 0 success, 1 failure, 2 usage error (3 for an
 * unknown table, as iptables).
 *
 * Names are resolved here and only here (names.c, over the C library's
 * lookups): masqd gets numeric words and never blocks on a lookup.
 */
#ifndef MASQCTL_MASQCTL_H
#define MASQCTL_MASQCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "control/proto.h"
#include "ipt/ipt.h"

#ifndef MASQ_VERSION
#define MASQ_VERSION	"0.1"
#endif

/**
 * struct conn - masqctl's connection to masqd, opened at the first call
 * @path:	control socket path
 * @fd:		connected socket, -1 before the first call
 */
struct conn {
	const char *path;
	int fd;
};

/**
 * struct reply - what masqd answered
 * @status:	the command's exit status (0, 1, 2)
 * @text:	reply text, NUL-terminated (malloc'd; reply_free())
 * @len:	bytes of @text
 */
struct reply {
	int status;
	char *text;
	size_t len;
};

/* conn.c */
int conn_call(struct conn *c, int argc, char *const *argv, struct reply *r);
int conn_call_line(struct conn *c, const char *verb, const char *line,
		   struct reply *r);
int conn_stream(struct conn *c, int argc, char *const *argv, struct reply *r);
int conn_stream_with(struct conn *c, int argc, char *const *argv,
		     ctl_part_fn part, void *ctx, const int *werr,
		     struct reply *r);
void conn_close(struct conn *c);
void reply_free(struct reply *r);
int reply_print(const struct reply *r);
int out_write(const char *prog, const char *s, size_t len);
int out_text(const char *prog, const struct ipt_text *t);

/* names.c: ipt_system_resolver with every answer kept for the run */
extern const struct ipt_resolver names_resolver;
extern unsigned long names_lookups;	/* forward lookups asked so far */
const char *names_host_out(const struct ipt_resolver *res, const char *w,
			   char *buf, size_t len);
const char *names_port_out(const struct ipt_resolver *res, const char *w,
			   const char *proto, char *buf, size_t len);

/* remote.c */

/**
 * struct fetch - one iptables-save request to masqd
 * @table:	the table (-t), or -1 for every table masqd prints
 * @counters:	ask for [packets:bytes]
 * @zero:	chains to zero after the text is made (--zero), or NULL
 * @nzero:	how many
 * @zero_all:	zero the table(s) after the text is made (--zero-all)
 */
struct fetch {
	int table;
	bool counters;
	char *const *zero;
	int nzero;
	bool zero_all;
};

int remote_fetch(struct conn *c, const char *prog, const struct fetch *f,
		 struct ipt_ruleset **rs, int *order, int *ntables);

/* ipmasqadm.c */
#define ADM_NUM_LEN	16	/* a word made numeric: "255.255.255.255" */

int adm_resolve(int argc, char *const *argv, const struct ipt_resolver *res,
		const char **out, char (*num)[ADM_NUM_LEN], struct ipt_err *err);
const char *adm_help(int argc, char *const *argv, int *status);
void adm_render(const char *module, const char *text,
		const struct ipt_resolver *res, struct ipt_text *out);

/* masq.c */
#define MASQ_FEED_CARRY	65536	/* bytes of a line carried between parts */

/**
 * struct masq_feed - masq -L's rendering, one part at a time
 * @res:	lookups
 * @to:		where the rendered lines go
 * @err:	the write error that stopped it (errno), or 0
 * @overlong:	the line being passed is longer than the carry: written
 *		as it comes, up to its newline
 * @n:		bytes carried
 * @carry:	the start of a line whose end has not come yet
 */
struct masq_feed {
	const struct ipt_resolver *res;
	FILE *to;
	int err;
	bool overlong;
	size_t n;
	char carry[MASQ_FEED_CARRY];
};

int masq_resolve(char *const *argv, const struct ipt_resolver *res,
		 const char *out[5], char addr[ADM_NUM_LEN],
		 char port[ADM_NUM_LEN], struct ipt_err *err);
void masq_render(const char *text, size_t len, const struct ipt_resolver *res,
		 struct ipt_text *out);
int masq_feed_part(void *ctx, const char *text, size_t len);
int masq_feed_end(struct masq_feed *f);
int masq_for_2x(struct conn *c, const uint32_t *timeouts, bool numeric,
		bool verbose);

/* send.c */
int lines_send(struct conn *c, const char *verb, struct ipt_text *t);

/* restore.c */
int text_read(const char *prog, const char *file, char **text, size_t *len);

/* saveall.c */

/**
 * struct save_parts - masqd's answers masqctl save is made from
 * @settings:	`show settings`
 * @routes:	`route`
 * @neigh:	`neigh`
 * @forwards:	`ipmasqadm save`
 * @ruleset:	`iptables-save`, or the dump of the ruleset's language
 * @helpers:	`helper`
 * @lang:	the ruleset's language ("ipchains", "ipfwadm"), as `show
 *		settings` says it; NULL or "iptables": iptables-save text
 */
struct save_parts {
	const char *settings, *routes, *neigh, *forwards, *ruleset;
	const char *helpers;
	const char *lang;
};

void save_compose(const struct save_parts *p, struct ipt_text *out);

/* the verbs */
int iptables_main(struct conn *c, int argc, char **argv);
int save_main(struct conn *c, int argc, char **argv);
int restore_main(struct conn *c, int argc, char **argv);
int acct_main(struct conn *c, int argc, char **argv);
int set_main(struct conn *c, int argc, char **argv);
int save_all_main(struct conn *c, int argc, char **argv);
int ipmasqadm_main(struct conn *c, int argc, char **argv);
int masq_main(struct conn *c, int argc, char **argv);
int ipfwadm_main(struct conn *c, int argc, char **argv);
int ipchains_main(struct conn *c, int argc, char **argv);
int ipchains_save_main(struct conn *c, int argc, char **argv);
int ipchains_restore_main(struct conn *c, int argc, char **argv);
int stats_main(struct conn *c, int argc, char **argv);		/* json.c */
int conntrack_main(struct conn *c, int argc, char **argv);	/* conntrack.c */
int conntrack_json(struct conn *c, int argc, char **argv);	/* json.c */
int conntrack_events(struct conn *c, int argc, char **argv);	/* json.c */

#endif
