// SPDX-License-Identifier: MIT
/*
 * fwctl.c - the filter's control verbs: iptables, iptables-save,
 *	     iptables-restore; the default ruleset; publishing
 *
 * Theory of operation: the engine owns one ruleset (e->rs) and its
 * compiled form (e->fw). A command that changes rules runs on a copy of
 * the ruleset; the copy is compiled, and only when both succeeded are the
 * two swapped in, in one step between packet batches (fw_publish()). A
 * command that fails changes nothing. Listings and saves read the
 * published ruleset; "iptables-save --zero CHAIN" zeroes counters after
 * making the text, in the same call, so a read-and-zero loses nothing.
 *
 * The words arrive numeric (masqctl resolved every name): the parser runs
 * with no resolver, so nothing here can block on a lookup.
 *
 * The default ruleset is ipmasq's "no configuration required" policy
 * written as iptables rules (fw_default_text()), regenerated when the
 * interfaces change for as long as no command has changed it; after that
 * it is the user's, as iptables-save shows it.
 *
 * Cost: a change copies and compiles the whole ruleset, O(rules): a
 * script of N single commands is O(N^2) as with iptables-legacy;
 * iptables-restore applies any number of rules in one step.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng.h"
#include "fw.h"
#include "fwjob.h"
#include "ipt/lang.h"

#define EXIT_FAIL	1
#define EXIT_USAGE	2

/* iptables' exit status for what ipt_exec() returned (not 0) */
static int exec_status(int rc)
{
	return rc == IPT_EXEC_USAGE ? EXIT_USAGE : EXIT_FAIL;
}

static void fw_swap(struct masq_engine *e, struct ipt_ruleset *rs,
		    struct fw *fw);
static void fw_swap_keep(struct masq_engine *e, struct ipt_ruleset *rs,
			 struct fw *fw);

void masq_engine_set_log(struct masq_engine *e, masq_log_fn fn, void *ctx)
{
	e->log_fn = fn;
	e->log_ctx = ctx;
}

/*
 * Make @rs the published ruleset: compile it, then swap it in.
 * Return: 0, or -1 (@err says why; @rs freed, nothing changed)
 */
static int fw_publish(struct masq_engine *e, struct ipt_ruleset *rs,
		      struct ipt_err *err)
{
	struct fw *fw = fw_compile(e, rs, err);

	if (!fw) {
		ipt_ruleset_free(rs);
		return -1;
	}
	fw_swap(e, rs, fw);
	return 0;
}

/* Give every rule that has none an identity (fw_carry_counters() uses it) */
static void fw_name_rules(struct masq_engine *e, struct ipt_ruleset *rs)
{
	for (int t = 0; t < IPT_TABLES; t++)
		for (uint32_t c = 0; c < rs->t[t].nchains; c++) {
			struct ipt_chain *ch = &rs->t[t].chains[c];

			for (uint32_t k = 0; k < ch->nrules; k++)
				if (!ch->rules[k].id)
					ch->rules[k].id = ++e->fw_next_id;
		}
}

/*
 * Publish a compiled ruleset: the pointer swap, between two batches. The
 * old ruleset and its compiled form are the caller's to free.
 */
static void fw_swap_keep(struct masq_engine *e, struct ipt_ruleset *rs,
			 struct fw *fw)
{
	fw_name_rules(e, rs);
	e->fw = fw;
	e->rs = rs;
}

/* Publish, and free what it replaced */
static void fw_swap(struct masq_engine *e, struct ipt_ruleset *rs,
		    struct fw *fw)
{
	struct ipt_ruleset *old_rs = e->rs;
	struct fw *old_fw = e->fw;

	fw_swap_keep(e, rs, fw);
	fw_free(old_fw);
	if (old_rs != rs)
		ipt_ruleset_free(old_rs);
}

/* The default policy for the engine's interfaces, as iptables-save text */
static void fw_default_text(const struct masq_engine *e, struct ipt_text *t)
{
	ipt_text_printf(t, "*nat\n");
	for (int i = 0; i < e->net.nifs; i++)
		if (e->net.ifs[i].role == ROLE_EXTERNAL)
			ipt_text_printf(t, "-A POSTROUTING -o %s -j MASQUERADE\n",
					e->net.ifs[i].name);
	ipt_text_printf(t, "COMMIT\n*filter\n:INPUT DROP [0:0]\n"
			":FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
			"-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\n");
	for (int i = 0; i < e->net.nifs; i++)
		if (e->net.ifs[i].role == ROLE_INTERNAL)
			ipt_text_printf(t, "-A INPUT -i %s -j ACCEPT\n",
					e->net.ifs[i].name);
	ipt_text_printf(t, "-A INPUT -p icmp -j ACCEPT\n"
			"-A FORWARD -m state --state RELATED,ESTABLISHED -j ACCEPT\n"
			"-A FORWARD -m conntrack --ctstate DNAT -j ACCEPT\n");
	for (int i = 0; i < e->net.nifs; i++)
		if (e->net.ifs[i].role == ROLE_INTERNAL)
			ipt_text_printf(t, "-A FORWARD -i %s -j ACCEPT\n",
					e->net.ifs[i].name);
	ipt_text_printf(t, "COMMIT\n");
}

/* The default ruleset for the interfaces there are now; NULL: no memory */
struct ipt_ruleset *fw_default_ruleset(const struct masq_engine *e)
{
	struct ipt_ruleset *rs = ipt_ruleset_new();
	struct ipt_text t = { 0 };
	struct ipt_err err;

	fw_default_text(e, &t);
	if (rs && (t.oom || ipt_restore(rs, t.s, 0, NULL, &err))) {
		ipt_ruleset_free(rs);
		rs = NULL;
	}
	ipt_text_free(&t);
	return rs;
}

/*
 * fw_default_rules() - Publish the default ruleset for the interfaces
 * there are now (masqd's zero-configuration policy). A failure leaves the
 * ruleset as it was.
 */
void fw_default_rules(struct masq_engine *e)
{
	struct ipt_ruleset *rs = fw_default_ruleset(e);
	struct ipt_err err;

	if (rs)
		fw_publish(e, rs, &err);
}

/* reset rules: back to the default ruleset, which follows the interfaces */
void fw_reset_rules(struct masq_engine *e)
{
	e->fw_default = true;
	fw_default_rules(e);
}

/**
 * fw_init() - Start with the default ruleset
 * Return: 0, or -1 (out of memory)
 */
int fw_init(struct masq_engine *e)
{
	e->fw_default = true;
	fw_default_rules(e);
	return e->fw ? 0 : -1;
}

void fw_fini(struct masq_engine *e)
{
	fwm_connlimit_fini(e);
	fw_free(e->fw);
	ipt_ruleset_free(e->rs);
	e->fw = NULL;
	e->rs = NULL;
}

/**
 * fw_recompile() - The interfaces changed: recompile (or, while the rules
 * are still the default ones, regenerate them)
 * Return: 0, or -1 (out of memory; the old compiled filter stays)
 */
int fw_recompile(struct masq_engine *e)
{
	struct ipt_err err;
	struct fw *fw;

	if (e->fw_default) {
		fw_default_rules(e);
		return 0;
	}
	fw = fw_compile(e, e->rs, &err);
	if (!fw)
		return -1;
	fw_free(e->fw);
	e->fw = fw;
	return 0;
}

static void text_put(struct masq_text *out, const struct ipt_text *t)
{
	if (t->len)
		masq_text_printf(out, "%.*s", (int)t->len, t->s);
}

/**
 * fw_cmd_changes_rules() - Does an iptables command change the ruleset?
 * @c:		the command, parsed
 *
 * Return: false for -L, -S, -C and -Z (they act on the published one)
 */
bool fw_cmd_changes_rules(const struct ipt_cmd *c)
{
	return c->op != IPT_OP_LIST && c->op != IPT_OP_LIST_RULES &&
	       c->op != IPT_OP_CHECK && c->op != IPT_OP_ZERO;
}


/*
 * Parse a dump's words (iptables-save's, and ipchains-save's and
 * ipfwadm-save's, which take -c and the zeroing; a bare --zero at the
 * end zeroes every chain); 0, or the status (message in @out)
 */
int fw_save_args_parse(const struct masq_engine *e, int argc,
		       char *const *argv, struct save_args *a,
		       struct masq_text *out)
{
	const char *who = argv[0];
	int table = -1;

	*a = (struct save_args){ .mask = (1u << IPT_TABLES) - 1 };
	for (int i = 1; i < argc; i++) {
		const char *w = argv[i];

		if (!strcmp(w, "-c") || !strcmp(w, "--counters")) {
			a->counters = true;
		} else if ((!strcmp(w, "-t") || !strcmp(w, "--table")) &&
			   i + 1 < argc) {
			table = ipt_table_by_name(argv[++i]);
			if (table < 0)
				return masq_text_printf(out, "%s: no table "
							"'%s'\n", who, argv[i]),
				       EXIT_USAGE;
			a->mask = 1u << table;
		} else if (!strcmp(w, "--zero-all") ||
			   (!strcmp(w, "--zero") && i + 1 == argc)) {
			a->zero_all = true;
		} else if (!strcmp(w, "--zero") && i + 1 < argc) {
			int tb = table < 0 ? IPT_FILTER : table;
			const struct ipt_table *t = &e->rs->t[tb];
			const char *name = argv[++i];
			uint32_t c;

			for (c = 0; c < t->nchains; c++)
				if (!strcmp(t->chains[c].name, name))
					break;
			if (c == t->nchains)
				return masq_text_printf(out, "%s: no chain "
							"'%s' to zero\n", who,
							name), EXIT_FAIL;
			if (a->nzero == 32)
				return masq_text_printf(out, "%s: too many "
							"--zero chains\n", who),
				       EXIT_USAGE;
			a->zero_t[a->nzero] = (uint8_t)tb;
			a->zero_c[a->nzero++] = c;
		} else {
			return masq_text_printf(out, "%s: unknown option "
						"'%s'\n", who, w), EXIT_USAGE;
		}
	}
	return 0;
}

/* Take off chain @live's counters what its copy @seen showed */
static void chain_subtract(struct ipt_chain *live,
			   const struct ipt_chain *seen)
{
	live->pol_pkts -= seen->pol_pkts;
	live->pol_bytes -= seen->pol_bytes;
	for (uint32_t k = 0; k < live->nrules && k < seen->nrules; k++) {
		live->rules[k].pkts -= seen->rules[k].pkts;
		live->rules[k].bytes -= seen->rules[k].bytes;
	}
}

/* ---- jobs: a ruleset change built off the packet path -------------------- */


/*
 * One rule's or policy's counters in the job's copy, as copied (before
 * the change), in the published ruleset's order
 */
struct fw_snap {
	uint64_t id;			/* rule id; 0 for a chain's policy */
	uint64_t pkts, bytes;
};

static uint32_t ruleset_size(const struct ipt_ruleset *rs)
{
	uint32_t n = 0;

	for (int t = 0; t < IPT_TABLES; t++) {
		n += rs->t[t].nchains;
		for (uint32_t c = 0; c < rs->t[t].nchains; c++)
			n += rs->t[t].chains[c].nrules;
	}
	return n;
}

/*
 * Note the counters of the job's fresh copy @rs (taken from the published
 * ruleset, which has the same chains and rules in the same order)
 */
static int job_snapshot(struct masq_ctl_job *j, const struct ipt_ruleset *rs)
{
	uint32_t n = 0;

	j->snap = malloc(sizeof(*j->snap) * (ruleset_size(rs) + 1));
	if (!j->snap)
		return -1;
	for (int t = 0; t < IPT_TABLES; t++)
		for (uint32_t c = 0; c < rs->t[t].nchains; c++) {
			const struct ipt_chain *ch = &rs->t[t].chains[c];

			j->snap[n++] = (struct fw_snap){ 0, ch->pol_pkts,
							 ch->pol_bytes };
			for (uint32_t k = 0; k < ch->nrules; k++)
				j->snap[n++] = (struct fw_snap){
					ch->rules[k].id, ch->rules[k].pkts,
					ch->rules[k].bytes };
		}
	j->nsnap = n;
	return 0;
}

/* Open addressing: rule id -> the job's copy of the rule */
struct id_map {
	uint32_t mask;
	struct ipt_rule **slot;
};

static int id_map_fill(struct id_map *m, struct ipt_ruleset *rs)
{
	uint32_t n = ruleset_size(rs), cap = 16;

	while (cap < 2 * n)
		cap *= 2;
	m->mask = cap - 1;
	m->slot = calloc(cap, sizeof(*m->slot));
	if (!m->slot)
		return -1;
	for (int t = 0; t < IPT_TABLES; t++)
		for (uint32_t c = 0; c < rs->t[t].nchains; c++) {
			struct ipt_chain *ch = &rs->t[t].chains[c];

			for (uint32_t k = 0; k < ch->nrules; k++) {
				uint64_t id = ch->rules[k].id;
				uint32_t i = (uint32_t)(id * 0x9e3779b97f4a7c15ull >> 32);

				if (!id)
					continue;
				while (m->slot[i & m->mask])
					i++;
				m->slot[i & m->mask] = &ch->rules[k];
			}
		}
	return 0;
}

static struct ipt_rule *id_map_get(const struct id_map *m, uint64_t id)
{
	uint32_t i = (uint32_t)(id * 0x9e3779b97f4a7c15ull >> 32);

	for (; m->slot[i & m->mask]; i++)
		if (m->slot[i & m->mask]->id == id)
			return m->slot[i & m->mask];
	return NULL;
}

/* The policy chain in @rs of the same table and name as published @old */
static struct ipt_chain *chain_twin(const struct masq_engine *e,
				    struct ipt_ruleset *rs,
				    const struct ipt_chain *old)
{
	for (int t = 0; t < IPT_TABLES; t++) {
		const struct ipt_table *tb = &e->rs->t[t];

		if (old >= tb->chains && old < tb->chains + tb->nchains)
			return ipt_chain_find(&rs->t[t], old->name);
	}
	return NULL;
}

/*
 * What the published rules counted while the job ran goes to their copies
 * (same id) and to the policies of the chains of the same name: O(rules).
 * Without memory for the map the difference is lost, not the change.
 */
static void fw_carry_counters(struct masq_engine *e, struct masq_ctl_job *j)
{
	struct id_map m;
	uint32_t n = 0;

	if (id_map_fill(&m, j->rs))
		return;
	for (int t = 0; t < IPT_TABLES; t++)
		for (uint32_t c = 0; c < e->rs->t[t].nchains; c++) {
			const struct ipt_chain *ch = &e->rs->t[t].chains[c];
			struct ipt_chain *twin;
			const struct fw_snap *sp;

			if (n >= j->nsnap || j->snap[n].id)
				goto out;	/* not the order copied: give up */
			sp = &j->snap[n++];
			twin = chain_twin(e, j->rs, ch);
			if (twin && twin->hook >= 0) {
				twin->pol_pkts += ch->pol_pkts - sp->pkts;
				twin->pol_bytes += ch->pol_bytes - sp->bytes;
			}
			for (uint32_t k = 0; k < ch->nrules; k++, n++) {
				const struct ipt_rule *r = &ch->rules[k];
				struct ipt_rule *to = r->id ? id_map_get(&m, r->id) : NULL;

				if (n >= j->nsnap || j->snap[n].id != r->id)
					goto out;
				if (to) {
					to->pkts += r->pkts - j->snap[n].pkts;
					to->bytes += r->bytes - j->snap[n].bytes;
				}
			}
		}
out:
	free(m.slot);
}

static void job_free(struct masq_ctl_job *j)
{
	if (!j)
		return;
	fw_free(j->fw);
	ipt_ruleset_free(j->rs);
	free(j->text);
	free(j->words);
	free(j->snap);
	free(j->fwd);
	ipt_text_free(&j->out);
	for (size_t i = 0; i < j->ncmds; i++)
		free(j->cmds[i].msg);
	free(j->cmds);
	free(j);
}

/* iptables-restore's words: flags and the text; 0 or the usage status */
static int restore_args(int argc, char *const *argv, unsigned *flags,
			const char **text, struct masq_text *out)
{
	*flags = 0;
	*text = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--noflush") || !strcmp(a, "-n"))
			*flags |= IPT_RESTORE_NOFLUSH;
		else if (!strcmp(a, "--counters") || !strcmp(a, "-c"))
			*flags |= IPT_RESTORE_COUNTERS;
		else if (!strcmp(a, "--test") || !strcmp(a, "-t"))
			*flags |= IPT_RESTORE_TEST;
		else if (a[0] == '-' && a[1] && !*text)
			return masq_text_printf(out, "iptables-restore: unknown "
						"option '%s'\n", a), EXIT_USAGE;
		else if (!*text)
			*text = a;
		else
			return masq_text_printf(out, "iptables-restore: one text "
						"only\n"), EXIT_USAGE;
	}
	if (!*text)
		return masq_text_printf(out, "iptables-restore: no text\n"),
		       EXIT_USAGE;
	return 0;
}

/* ---- one language at a time: ipchains and ipfwadm (ipt/lang.h) ----------- */

/*
 * Why a command of @lang may not act on a ruleset written in @held: the
 * message names both languages and the way out
 */
static void lang_refusal(uint8_t held, uint8_t lang, char *buf, size_t n)
{
	if (lang == IPT_LANG_IPTABLES)
		snprintf(buf, n, "the ruleset is written in %s (masqctl %s "
			 "shows it); one language at a time: `masqctl reset "
			 "rules` goes back to the default ruleset, which "
			 "iptables commands change",
			 ipt_lang_name(held), held == IPT_LANG_IPCHAINS ?
			 "ipchains -L" : "ipfwadm -l");
	else
		snprintf(buf, n, "the ruleset is written in %s%s; one language "
			 "at a time: `masqctl reset rules` first, then the "
			 "first %s command that changes rules starts an empty "
			 "%s ruleset (input and forward DENY)",
			 ipt_lang_name(held),
			 held == IPT_LANG_IPTABLES ? " (masqctl iptables-save "
			 "shows it)" : "", ipt_lang_name(lang),
			 ipt_lang_name(lang));
}

/*
 * May a command of @lang read the published ruleset, or (@changes)
 * change it? Yes in its own language; and the untouched default ruleset
 * gives way to the first change in another. Else the refusal is in @out.
 */
static bool lang_may(const struct masq_engine *e, uint8_t lang, bool changes,
		     const char *who, struct masq_text *out)
{
	char why[320];

	if (e->rs->lang == lang || (changes && e->fw_default))
		return true;
	lang_refusal(e->rs->lang, lang, why, sizeof(why));
	masq_text_printf(out, "%s: %s\n", who, why);
	return false;
}

/* The language's empty ruleset; NULL: out of memory */
static struct ipt_ruleset *lang_fresh(const struct ipt_lang_ops *ops)
{
	struct ipt_ruleset *rs = ipt_ruleset_new();

	if (rs && ops->init(rs)) {
		ipt_ruleset_free(rs);
		rs = NULL;
	}
	return rs;
}

/* A copy of @argc words in one allocation (a job outlives the request) */
static char **words_copy(int argc, char *const *argv)
{
	size_t len = (size_t)(argc + 1) * sizeof(char *);
	char **w, *at;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	w = malloc(len);
	if (!w)
		return NULL;
	at = (char *)(w + argc + 1);
	for (int i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]) + 1;

		w[i] = memcpy(at, argv[i], n);
		at += n;
	}
	w[argc] = NULL;
	return w;
}

/*
 * Make @j the job of a 2.x language's word @what (lang.h's IPT_LWORD_*):
 * a change, a dump, a restore. Return: false when it is no job (it does
 * not change rules, is refused, or memory ran out: masq_engine_ctl()
 * says which)
 */
static bool lang_job(struct masq_ctl_job *j, enum ipt_lang lang, int what,
		     int argc, char *const *argv)
{
	const struct masq_engine *e = j->e;
	struct masq_text scratch = { 0 };
	bool ok = false;

	j->ops = ipt_lang_ops(lang);
	j->lang = (uint8_t)lang;
	if (what == IPT_LWORD_CMD) {
		j->kind = JOB_LANG;
		j->who = j->ops->name;
		j->nwords = argc - 1;
		ok = j->ops->changes(argc - 1, argv + 1) &&
		     lang_may(e, lang, true, j->who, &scratch) &&
		     (j->words = words_copy(argc - 1, argv + 1));
	} else if (what == IPT_LWORD_SAVE) {
		j->kind = JOB_LSAVE;
		j->who = j->ops->save_word;
		ok = lang_may(e, lang, false, j->who, &scratch) &&
		     !fw_save_args_parse(e, argc, argv, &j->save, &scratch);
		j->save.mask = 1u << IPT_FILTER;
	} else {
		j->kind = JOB_LRESTORE;
		j->who = j->ops->restore_word;
		ok = argc == 2 && lang_may(e, lang, true, j->who, &scratch) &&
		     (j->text = strdup(argv[1]));
	}
	masq_text_free(&scratch);
	return ok;
}

/* A 2.x job's run: on a copy (or the language's empty ruleset), compiled */
static void lang_job_run(struct masq_ctl_job *j)
{
	struct masq_engine *e = j->e;
	bool fresh = j->kind == JOB_LRESTORE || e->rs->lang != j->lang;
	int rc;

	j->rs = fresh ? lang_fresh(j->ops) : ipt_ruleset_copy(e->rs);
	if (!j->rs || (!fresh && job_snapshot(j, j->rs))) {
		snprintf(j->err.msg, sizeof(j->err.msg), "out of memory");
		return;
	}
	if (j->kind == JOB_LSAVE) {
		j->ops->save(j->rs, j->save.counters ? IPT_LSAVE_COUNTERS : 0,
			     &j->out);
		if (j->out.oom)
			snprintf(j->err.msg, sizeof(j->err.msg), "out of memory");
		else
			j->status = 0;
		return;
	}
	if (j->kind == JOB_LANG)
		rc = j->ops->exec(j->rs, j->nwords, j->words, NULL, &j->out,
				  &j->err);
	else
		rc = j->ops->restore(j->rs, j->text, &j->err) ? EXIT_FAIL : 0;
	if (rc) {
		j->status = rc;
		return;
	}
	j->fw = fw_compile(e, j->rs, &j->err);
	if (j->fw)
		j->status = 0;
}

/**
 * masq_engine_ctl_job() - Start a ruleset change as a job
 * @e:		engine
 * @argc, @argv: the command (as masq_engine_ctl())
 *
 * Jobs are the commands whose cost grows with the ruleset: those that
 * change rules (iptables -A/-I/-D/-R/-N/-X/-E/-F/-P, iptables-restore)
 * and iptables-save; a command that does not parse is not one (then
 * masq_engine_ctl() reports it).
 * Return: the job, or NULL: run the command with masq_engine_ctl()
 */
struct masq_ctl_job *masq_engine_ctl_job(struct masq_engine *e, int argc,
					 char *const *argv)
{
	struct masq_ctl_job *j;
	struct masq_text scratch = { 0 };
	enum ipt_lang lang;
	const char *text;
	unsigned flags;
	int what;

	if (argc < 1 || !argv[0])
		return NULL;
	j = calloc(1, sizeof(*j));
	if (!j)
		return NULL;
	j->e = e;
	lang = ipt_lang_of_word(argv[0], &what);
	if (lang != IPT_LANG_IPTABLES) {
		if (lang_job(j, lang, what, argc, argv))
			return j;
	} else if (e->rs->lang != IPT_LANG_IPTABLES) {
		/* fw_ctl() refuses it: the ruleset is another language's */
	} else if (!strcmp(argv[0], "iptables")) {
		j->kind = JOB_IPTABLES;
		j->who = "iptables";
		if (!ipt_parse(argc - 1, argv + 1, NULL, &j->cmd, &j->err) &&
		    fw_cmd_changes_rules(&j->cmd))
			return j;
	} else if (!strcmp(argv[0], "iptables-save")) {
		j->kind = JOB_SAVE;
		j->who = "iptables-save";
		if (!fw_save_args_parse(e, argc, argv, &j->save, &scratch)) {
			masq_text_free(&scratch);
			return j;
		}
	} else if (!strcmp(argv[0], "iptables-restore")) {
		j->kind = JOB_RESTORE;
		j->who = "iptables-restore";
		if (!restore_args(argc, argv, &flags, &text, &scratch)) {
			j->flags = flags;
			j->text = strdup(text);
			if (j->text) {
				masq_text_free(&scratch);
				return j;
			}
		}
	}
	masq_text_free(&scratch);
	job_free(j);
	return NULL;
}

/* ---- batches: a reload's rule commands as one job ---------------------- */

/**
 * masq_ctl_is_rules() - Is this a command a batch takes?
 * @argc:	number of words
 * @argv:	the command
 *
 * Return: true for iptables (any command), iptables-restore and reset
 * rules: the ones that read or change only the ruleset
 */
bool masq_ctl_is_rules(int argc, char *const *argv)
{
	int what = -1;

	if (argc >= 1 && argv[0] &&
	    ipt_lang_of_word(argv[0], &what) != IPT_LANG_IPTABLES)
		return what != IPT_LWORD_SAVE;
	return argc >= 1 && argv[0] &&
	       (!strcmp(argv[0], "iptables") ||
		!strcmp(argv[0], "iptables-restore") ||
		(argc == 2 && !strcmp(argv[0], "reset") &&
		 !strcmp(argv[1], "rules")));
}

/**
 * masq_engine_rules_job() - Start a batch of rule commands as one job
 * @e:		engine
 *
 * The batch starts from the default ruleset for the engine's interfaces
 * (as after "reset rules"), but a table its commands change starts
 * empty, its built-in policies kept (fwreplace.c); it applies its
 * commands in order to that one ruleset and compiles the result once: N commands cost O(N) where N
 * single jobs (a copy and a compile each) cost O(N^2). Rules it makes are
 * new: their counters start from zero.
 *
 * Return: the job (add commands with masq_ctl_job_add()), or NULL (out
 * of memory)
 */
struct masq_ctl_job *masq_engine_rules_job(struct masq_engine *e)
{
	struct masq_ctl_job *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->e = e;
	j->kind = JOB_BATCH;
	j->who = "reload";
	j->replace = true;	/* a file's: fwreplace.c */
	return j;
}

/**
 * masq_ctl_job_add() - Add a command to a batch
 * @j:		a job from masq_engine_rules_job(), not run yet
 * @argc:	number of words
 * @argv:	the words, kept (not copied) until masq_ctl_job_run()
 *
 * Return: 0, -EINVAL when masq_ctl_is_rules() does not take it (or @j is
 * no batch), -ENOMEM
 */
int masq_ctl_job_add(struct masq_ctl_job *j, int argc, char *const *argv)
{
	if (j->kind != JOB_BATCH || !masq_ctl_is_rules(argc, argv))
		return -EINVAL;
	if (j->ncmds == j->cap) {
		size_t cap = j->cap ? 2 * j->cap : 64;
		struct batch_cmd *c = realloc(j->cmds, cap * sizeof(*c));

		if (!c)
			return -ENOMEM;
		j->cmds = c;
		j->cap = cap;
	}
	j->cmds[j->ncmds++] = (struct batch_cmd){ .argc = argc, .argv = argv };
	return 0;
}

/* A batch command failed with @status; its message, as masq_engine_ctl()'s */
static int batch_fail(struct batch_cmd *c, int status, const char *who,
		      const char *msg)
{
	size_t n = strlen(who) + strlen(msg) + 3;

	c->msg = malloc(n);
	if (c->msg)
		snprintf(c->msg, n, "%s: %s", who, msg);
	c->status = status;
	return status;
}

/*
 * May a batch command of @lang (@changes: a change) act on the batch's
 * ruleset? The default one gives way to another language's first change.
 */
static int batch_lang_may(struct masq_ctl_job *j, struct batch_cmd *c,
			  uint8_t lang, bool changes)
{
	const struct ipt_lang_ops *ops = ipt_lang_ops((enum ipt_lang)lang);
	struct ipt_ruleset *rs;
	char why[320];

	if (j->rs->lang == lang)
		return 0;
	if (!changes || !j->dflt || !ops) {
		lang_refusal(j->rs->lang, lang, why, sizeof(why));
		return batch_fail(c, EXIT_FAIL, c->argv[0], why);
	}
	rs = lang_fresh(ops);
	if (!rs)
		return batch_fail(c, EXIT_FAIL, c->argv[0], "out of memory");
	ipt_ruleset_free(j->rs);
	j->rs = rs;
	return 0;
}

/* One ipchains or ipfwadm command, or restore, on the batch's ruleset */
static int batch_lang(struct masq_ctl_job *j, struct batch_cmd *c,
		      enum ipt_lang lang, int what, struct ipt_text *out)
{
	const struct ipt_lang_ops *ops = ipt_lang_ops(lang);
	struct ipt_text discard = { 0 };
	struct ipt_err err = { "" };
	bool changes = what == IPT_LWORD_RESTORE ||
		       ops->changes(c->argc - 1, c->argv + 1);
	int rc = batch_lang_may(j, c, (uint8_t)lang, changes);

	if (rc)
		return rc;
	if (what == IPT_LWORD_RESTORE)
		rc = c->argc != 2 ? (snprintf(err.msg, sizeof(err.msg),
					      "one text"), EXIT_USAGE) :
		     ops->restore(j->rs, c->argv[1], &err) ? EXIT_FAIL : 0;
	else
		rc = ops->exec(j->rs, c->argc - 1, c->argv + 1, j->res,
			       out ? out : &discard, &err);
	ipt_text_free(&discard);
	if (rc)
		return batch_fail(c, rc, c->argv[0], err.msg);
	if (changes)
		j->dflt = false;
	return 0;
}

/* One iptables command on the batch's ruleset */
static int batch_iptables(struct masq_ctl_job *j, struct batch_cmd *c,
			  struct ipt_text *out)
{
	struct ipt_text discard = { 0 };
	struct ipt_cmd cmd;
	struct ipt_err err = { "" };
	int rc = batch_lang_may(j, c, IPT_LANG_IPTABLES, false);

	if (rc)
		return rc;

	if (ipt_parse(c->argc - 1, c->argv + 1, j->res, &cmd, &err))
		return batch_fail(c, EXIT_USAGE, "iptables", err.msg);
	if (fw_cmd_changes_rules(&cmd))
		fw_replace_table(j, cmd.table);
	rc = ipt_exec(j->rs, &cmd, NULL, out ? out : &discard, &err);
	ipt_text_free(&discard);
	if (rc)
		return batch_fail(c, exec_status(rc), "iptables", err.msg);
	if (fw_cmd_changes_rules(&cmd))
		j->dflt = false;
	return 0;
}

/* One iptables-restore on the batch's ruleset */
static int batch_restore(struct masq_ctl_job *j, struct batch_cmd *c)
{
	struct masq_text usage = { 0 };
	struct ipt_err err = { "" };
	const char *text;
	unsigned flags;
	int rc = batch_lang_may(j, c, IPT_LANG_IPTABLES, false);

	if (rc)
		return rc;
	rc = restore_args(c->argc, c->argv, &flags, &text, &usage);
	if (rc) {
		while (usage.len && usage.s[usage.len - 1] == '\n')
			usage.s[--usage.len] = '\0';
		c->status = rc;
		c->msg = usage.s;	/* "iptables-restore: ..." already */
		return rc;
	}
	if (!(flags & IPT_RESTORE_TEST))
		fw_replace_restore(j, text);
	if (ipt_restore(j->rs, text, flags, j->res, &err))
		return batch_fail(c, EXIT_FAIL, "iptables-restore", err.msg);
	if (!(flags & IPT_RESTORE_TEST))
		j->dflt = false;
	return 0;
}

/* reset rules in a batch: the default ruleset again */
static int batch_reset(struct masq_ctl_job *j, struct batch_cmd *c)
{
	struct ipt_ruleset *rs = fw_default_ruleset(j->e);

	if (!rs)
		return batch_fail(c, EXIT_FAIL, "reset", "out of memory");
	ipt_ruleset_free(j->rs);
	j->rs = rs;
	j->dflt = true;
	j->replaced = 0xff;	/* a file's lines after it add to the
				 * default ruleset (fwreplace.c) */
	return 0;
}

/**
 * fw_batch_command() - Apply one command of a batch to its ruleset, now
 * @j:		the batch
 * @c:		the command (masq_ctl_is_rules() took it); its status and
 *		message are set
 * @out:	a listing's text (a rules run's -L), or NULL to drop it
 *
 * Return: the command's status (0, 1, 2)
 */
int fw_batch_command(struct masq_ctl_job *j, struct batch_cmd *c,
		     struct ipt_text *out)
{
	int what;
	enum ipt_lang lang = ipt_lang_of_word(c->argv[0], &what);

	if (lang != IPT_LANG_IPTABLES)
		return batch_lang(j, c, lang, what, out);
	if (!strcmp(c->argv[0], "iptables"))
		return batch_iptables(j, c, out);
	if (!strcmp(c->argv[0], "iptables-restore"))
		return batch_restore(j, c);
	return batch_reset(j, c);
}

/*
 * The batch's run: every command in order on one ruleset, one compile. A
 * rules run's commands were applied as they came (txn.c): only the
 * compile is left.
 */
static void batch_run(struct masq_ctl_job *j)
{
	size_t bad = 0;

	if (!j->txn) {
		j->rs = fw_default_ruleset(j->e);
		j->dflt = true;
	}
	if (!j->rs) {
		snprintf(j->err.msg, sizeof(j->err.msg), "out of memory");
		return;
	}
	for (size_t i = 0; !j->txn && i < j->ncmds; i++)
		bad += !!fw_batch_command(j, &j->cmds[i], NULL);
	if (bad) {
		snprintf(j->err.msg, sizeof(j->err.msg), "%zu of %zu rule "
			 "commands failed", bad, j->ncmds);
		return;
	}
	j->fw = fw_compile(j->e, j->rs, &j->err);
	if (j->fw)
		j->status = 0;
}

/**
 * masq_ctl_job_result() - How one command of a run batch went
 * @j:		the batch, run
 * @i:		the command's index, in the order added
 * @msg:	its message, when it failed, is appended (one line)
 *
 * Return: its exit status (0, 1, 2), as masq_engine_ctl() would give it
 */
int masq_ctl_job_result(const struct masq_ctl_job *j, size_t i,
			struct masq_text *msg)
{
	if (j->kind != JOB_BATCH || i >= j->ncmds)
		return EXIT_USAGE;
	if (j->cmds[i].status)
		masq_text_printf(msg, "%s\n", j->cmds[i].msg ? j->cmds[i].msg :
				 "out of memory");
	return j->cmds[i].status;
}

/**
 * masq_ctl_job_status() - How a run job went, before its finish
 * @j:		the job, run
 * @msg:	why it failed, if it did, is appended (one line)
 *
 * Return: the status masq_engine_ctl_job_finish() will return
 */
int masq_ctl_job_status(const struct masq_ctl_job *j, struct masq_text *msg)
{
	if (j->status)
		masq_text_printf(msg, "%s: %s\n", j->who, j->err.msg);
	return j->status;
}

/**
 * masq_ctl_job_run() - Build the job's ruleset: copy, change, compile
 * @j:	the job
 *
 * Reads the published ruleset (whose counters the packet path moves on
 * meanwhile: they are carried over at the swap) and the interfaces;
 * writes only the job.
 */
void masq_ctl_job_run(struct masq_ctl_job *j)
{
	struct masq_engine *e = j->e;
	int rc;

	j->status = EXIT_FAIL;
	if (j->kind == JOB_BATCH) {
		batch_run(j);
		return;
	}
	if (j->kind >= JOB_LANG) {
		lang_job_run(j);
		return;
	}
	j->rs = ipt_ruleset_copy(e->rs);
	if (!j->rs || job_snapshot(j, j->rs)) {
		snprintf(j->err.msg, sizeof(j->err.msg), "out of memory");
		return;
	}
	if (j->kind == JOB_SAVE) {
		ipt_save(j->rs, j->save.mask, j->save.counters, NULL, &j->out);
		if (j->out.oom)
			snprintf(j->err.msg, sizeof(j->err.msg), "out of memory");
		else
			j->status = 0;
		return;
	}
	if (j->kind == JOB_IPTABLES)
		rc = ipt_exec(j->rs, &j->cmd, NULL, &j->out, &j->err);
	else
		rc = ipt_restore(j->rs, j->text, j->flags, NULL, &j->err);
	if (rc) {
		j->status = exec_status(rc);
		return;
	}
	if (j->kind == JOB_RESTORE && (j->flags & IPT_RESTORE_TEST)) {
		j->status = 0;
		return;
	}
	j->fw = fw_compile(e, j->rs, &j->err);
	if (j->fw)
		j->status = 0;
}

/* iptables-save's zeroing, at the finish: what the text showed comes off */
static void job_zero(struct masq_engine *e, struct masq_ctl_job *j)
{
	const struct save_args *a = &j->save;

	for (uint32_t i = 0; i < a->nzero; i++)
		chain_subtract(&e->rs->t[a->zero_t[i]].chains[a->zero_c[i]],
			       &j->rs->t[a->zero_t[i]].chains[a->zero_c[i]]);
	for (int t = 0; a->zero_all && t < IPT_TABLES; t++)
		for (uint32_t c = 0; (a->mask & (1u << t)) &&
				     c < e->rs->t[t].nchains; c++)
			chain_subtract(&e->rs->t[t].chains[c],
				       &j->rs->t[t].chains[c]);
}

/**
 * masq_engine_ctl_job_finish() - Publish what the job built
 * @e:		engine
 * @j:		the job, run; it then holds the ruleset it replaced, for
 *		masq_ctl_job_free()
 * @out:	the command's text (as masq_engine_ctl())
 *
 * Return: the command's status: 0, 1 (failed: nothing changed)
 */
int masq_engine_ctl_job_finish(struct masq_engine *e, struct masq_ctl_job *j,
			       struct masq_text *out)
{
	int status = j->status;

	bool save = j->kind == JOB_SAVE || j->kind == JOB_LSAVE;

	if (!(save && status))
		text_put(out, &j->out);
	if (status) {
		masq_text_printf(out, "%s: %s\n", j->who, j->err.msg);
	} else if (save) {
		job_zero(e, j);
	} else if (j->fw) {
		struct ipt_ruleset *old_rs = e->rs;
		struct fw *old_fw = e->fw;

		if (j->kind != JOB_BATCH)	/* a batch's rules are all new */
			fw_carry_counters(e, j);
		fw_swap_keep(e, j->rs, j->fw);
		/* the old ones go with the job: freed where it is freed */
		j->rs = old_rs;
		j->fw = old_fw;
		e->fw_default = j->kind == JOB_BATCH && j->dflt;
		if (j->txn)
			txn_publish_forwards(e, j);
	}
	return status;
}

/**
 * masq_ctl_job_free() - Free a finished job, and the ruleset it replaced
 * @j:	the job (after masq_engine_ctl_job_finish()), or NULL
 *
 * Any thread: the job holds nothing the engine still uses, so a caller
 * may hand the freeing (of a 10,000-rule ruleset: milliseconds) off the
 * packet path.
 */
void masq_ctl_job_free(struct masq_ctl_job *j)
{
	job_free(j);
}

/**
 * masq_ctl_job_now() - Run a job at once, here: run, finish, free
 * @e:		engine
 * @j:		the job (freed)
 * @out:	its text (as masq_engine_ctl())
 *
 * For masq_engine_ctl(), and for masqd's rules run with --workers N
 * (each engine's commit in the loop).
 * Return: the command's status
 */
int masq_ctl_job_now(struct masq_engine *e, struct masq_ctl_job *j,
		     struct masq_text *out)
{
	int status;

	masq_ctl_job_run(j);
	status = masq_engine_ctl_job_finish(e, j, out);
	masq_ctl_job_free(j);
	return status;
}

/*
 * iptables WORD...: one command, numeric words. Listings and counter
 * zeroing act on the published ruleset (they change no rule); every other
 * command is a job: on a copy, published only when it applied whole.
 */
static int cmd_iptables(struct masq_engine *e, int argc, char *const *argv,
			struct masq_text *out)
{
	struct masq_ctl_job *j = masq_engine_ctl_job(e, argc, argv);
	struct ipt_text t = { 0 };
	struct ipt_cmd cmd;
	struct ipt_err err = { "" };
	int rc;

	if (j)
		return masq_ctl_job_now(e, j, out);
	if (ipt_parse(argc - 1, argv + 1, NULL, &cmd, &err)) {
		masq_text_printf(out, "iptables: %s\n", err.msg);
		return EXIT_USAGE;
	}
	rc = ipt_exec(e->rs, &cmd, NULL, &t, &err);
	text_put(out, &t);
	ipt_text_free(&t);
	if (rc)
		masq_text_printf(out, "iptables: %s\n", err.msg);
	return rc ? exec_status(rc) : 0;
}


/*
 * iptables-save [-c] [-t TABLE] [--zero CHAIN]... [--zero-all]: the text
 * (no "# Generated" lines: the caller has the clock), then the zeroing.
 * A job like a change, so a big ruleset's text is made off the packet
 * path: made from a copy, and the zeroing at the finish takes off exactly
 * what the copy showed, so a packet counted meanwhile stays counted and
 * none is counted twice or lost between two reads.
 */
static int cmd_iptables_save(struct masq_engine *e, int argc,
			     char *const *argv, struct masq_text *out)
{
	struct masq_ctl_job *j = masq_engine_ctl_job(e, argc, argv);
	struct save_args a;
	int rc;

	if (j)
		return masq_ctl_job_now(e, j, out);
	rc = fw_save_args_parse(e, argc, argv, &a, out);
	if (rc)
		return rc;
	masq_text_printf(out, "iptables-save: out of memory\n");
	return EXIT_FAIL;
}

/* iptables-restore [--noflush] [--counters] [--test] TEXT: a job */
static int cmd_iptables_restore(struct masq_engine *e, int argc,
				char *const *argv, struct masq_text *out)
{
	struct masq_ctl_job *j = masq_engine_ctl_job(e, argc, argv);
	const char *text;
	unsigned flags;
	int rc;

	if (j)
		return masq_ctl_job_now(e, j, out);
	rc = restore_args(argc, argv, &flags, &text, out);
	if (rc)
		return rc;
	masq_text_printf(out, "iptables-restore: out of memory\n");
	return EXIT_FAIL;
}

/*
 * ipchains WORD..., ipfwadm WORD... and their -save and -restore words:
 * changes, dumps and restores are jobs (lang_job()); what changes nothing
 * (a listing, a check, zeroing) runs on the published ruleset
 */
static int cmd_lang(struct masq_engine *e, enum ipt_lang lang, int what,
		    int argc, char *const *argv, struct masq_text *out)
{
	struct masq_ctl_job *j = masq_engine_ctl_job(e, argc, argv);
	const struct ipt_lang_ops *ops = ipt_lang_ops(lang);
	struct ipt_text t = { 0 };
	struct ipt_err err = { "" };
	struct save_args a;
	bool changes;
	int rc;

	if (j)
		return masq_ctl_job_now(e, j, out);
	changes = what != IPT_LWORD_SAVE &&
		  (what == IPT_LWORD_RESTORE ||
		   ops->changes(argc - 1, argv + 1));
	if (!lang_may(e, lang, changes, argv[0], out))
		return EXIT_FAIL;
	if (what == IPT_LWORD_SAVE &&
	    (rc = fw_save_args_parse(e, argc, argv, &a, out)))
		return rc;
	if (what == IPT_LWORD_RESTORE && argc != 2)
		return masq_text_printf(out, "%s: one text\n", argv[0]),
		       EXIT_USAGE;
	if (what != IPT_LWORD_CMD || changes)
		return masq_text_printf(out, "%s: out of memory\n", argv[0]),
		       EXIT_FAIL;
	rc = ops->exec(e->rs, argc - 1, argv + 1, NULL, &t, &err);
	text_put(out, &t);
	ipt_text_free(&t);
	if (rc)
		masq_text_printf(out, "%s: %s\n", argv[0], err.msg);
	return rc;
}

/**
 * fw_ctl() - Run a filter verb, if @argv[0] is one
 * Return: the exit status, or -1 when the verb is not the filter's
 */
int fw_ctl(struct masq_engine *e, int argc, char *const *argv,
	   struct masq_text *out)
{
	int what;
	enum ipt_lang lang = ipt_lang_of_word(argv[0], &what);

	if (lang != IPT_LANG_IPTABLES)
		return cmd_lang(e, lang, what, argc, argv, out);
	if (strncmp(argv[0], "iptables", 8))
		return -1;
	if (!lang_may(e, IPT_LANG_IPTABLES, false, argv[0], out))
		return EXIT_FAIL;
	if (!strcmp(argv[0], "iptables"))
		return cmd_iptables(e, argc, argv, out);
	if (!strcmp(argv[0], "iptables-save"))
		return cmd_iptables_save(e, argc, argv, out);
	if (!strcmp(argv[0], "iptables-restore"))
		return cmd_iptables_restore(e, argc, argv, out);
	return -1;
}
