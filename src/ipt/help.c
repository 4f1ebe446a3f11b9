// SPDX-License-Identifier: MIT
/*
 * help.c - "iptables -h": what the language has, as iptables prints it
 *
 * Owns the help text of masq's iptables (masqctl iptables -h, --help) and
 * the lists of names it is made of: iptables' own options (parse.c's
 * table), the matches and targets of the registry (ext.h) with their
 * options, and the targets refused by name (parse_target.c). The
 * manual's tables (masqctl(8), IPTABLES COMMANDS) are held to the same
 * lists by test_ipt_manpage, so what -h prints, what the parser takes and
 * what the manual says cannot drift apart.
 *
 * Shape, as iptables-legacy 1.8.9 prints it: the usage and options text
 * (masq's notes where it differs: -6, -M, -w, -W); then, masq's own, the
 * matches and targets it has and the targets it refuses; then, for
 * "-j NAME -h", "-m NAME -h" (or "-p tcp -h" with no -m), a blank line
 * and each extension's help: the target's first, then the matches' in
 * the order given, each headed "NAME match options:" / "NAME target
 * options:" (the standard verdicts and NOTRACK as the reference words
 * them). A -m naming no match masq has is iptables' "Couldn't load
 * match" (exit status 2); a -j naming no target is a chain, and adds
 * nothing. Only the words before -h count, as iptables stops there.
 *
 * Limits: a "-h" that is the value of an option ("--comment -h") reads
 * as help here; masqctl asks only when the command did not parse.
 */
#include <stdio.h>
#include <string.h>

#include "ipt/ipt.h"
#include "ipt/parsing.h"

#define HELP_MAX_MATCHES	16	/* -m before -h whose help is printed */
#define HELP_WIDTH		76	/* name lists wrap here */

static const char usage[] =
"Usage: iptables -[ACD] chain rule-specification [options]\n"
"       iptables -I chain [rulenum] rule-specification [options]\n"
"       iptables -R chain rulenum rule-specification [options]\n"
"       iptables -D chain rulenum [options]\n"
"       iptables -[LS] [chain [rulenum]] [options]\n"
"       iptables -[FZ] [chain] [options]\n"
"       iptables -[NX] chain\n"
"       iptables -E old-chain-name new-chain-name\n"
"       iptables -P chain target [options]\n"
"       iptables -h (print this help information)\n"
"\n"
"Commands:\n"
"Either long or short options are allowed.\n"
"  --append  -A chain\t\tAppend to chain\n"
"  --check   -C chain\t\tCheck for the existence of a rule\n"
"  --delete  -D chain\t\tDelete matching rule from chain\n"
"  --delete  -D chain rulenum\n"
"\t\t\t\tDelete rule rulenum (1 = first) from chain\n"
"  --insert  -I chain [rulenum]\n"
"\t\t\t\tInsert in chain as rulenum (default 1=first)\n"
"  --replace -R chain rulenum\n"
"\t\t\t\tReplace rule rulenum (1 = first) in chain\n"
"  --list    -L [chain [rulenum]]\n"
"\t\t\t\tList the rules in a chain or all chains\n"
"  --list-rules -S [chain [rulenum]]\n"
"\t\t\t\tPrint the rules in a chain or all chains\n"
"  --flush   -F [chain]\t\tDelete all rules in  chain or all chains\n"
"  --zero    -Z [chain [rulenum]]\n"
"\t\t\t\tZero counters in chain or all chains\n"
"  --new     -N chain\t\tCreate a new user-defined chain\n"
"  --delete-chain\n"
"            -X [chain]\t\tDelete a user-defined chain\n"
"  --policy  -P chain target\n"
"\t\t\t\tChange policy on chain to target\n"
"  --rename-chain\n"
"            -E old-chain new-chain\n"
"\t\t\t\tChange chain name, (moving any references)\n"
"\n"
"Options:\n"
"    --ipv4\t-4\t\tNothing (line is ignored by ip6tables-restore)\n"
"    --ipv6\t-6\t\tError (masq is IPv4 only)\n"
"[!] --protocol\t-p proto\tprotocol: by number or name, eg. `tcp'\n"
"[!] --source\t-s address[/mask][...]\n"
"\t\t\t\tsource specification\n"
"[!] --destination -d address[/mask][...]\n"
"\t\t\t\tdestination specification\n"
"[!] --in-interface -i input name[+]\n"
"\t\t\t\tnetwork interface name ([+] for wildcard)\n"
" --jump\t-j target\n"
"\t\t\t\ttarget for rule (may load target extension)\n"
"  --goto      -g chain\n"
"\t\t\t       jump to chain with no return\n"
"  --match\t-m match\n"
"\t\t\t\textended match (may load extension)\n"
"  --numeric\t-n\t\tnumeric output of addresses and ports\n"
"[!] --out-interface -o output name[+]\n"
"\t\t\t\tnetwork interface name ([+] for wildcard)\n"
"  --table\t-t table\ttable to manipulate (default: `filter')\n"
"  --verbose\t-v\t\tverbose mode\n"
"  --wait\t-w [seconds]\taccepted and ignored (masq has no xtables lock)\n"
"  --wait-interval -W usecs\taccepted and ignored\n"
"  --line-numbers\t\tprint line numbers when listing\n"
"  --exact\t-x\t\texpand numbers (display exact values)\n"
"[!] --fragment\t-f\t\tmatch second or further fragments only\n"
"  --modprobe=<command>\t\trefused (masq loads no modules)\n"
"  --set-counters -c PKTS BYTES\tset the counter during insert/append\n"
"  --version\t-V\t\tprint package version.\n";

/* ---- the lists ----------------------------------------------------------- */

/* The @i-th named kind of the registry: a match's or a target's */
static int named_kind(bool target, unsigned i)
{
	int kinds = target ? IPT_T_KINDS : IPT_M_KINDS;

	for (int k = 0; k < kinds; k++) {
		const char *name = target ? target_exts[k]->name :
					    match_exts[k]->name;

		if (name && !i--)
			return k;
	}
	return -1;
}

const char *ipt_name_at(enum ipt_names list, unsigned i, char *letter)
{
	int k;

	*letter = 0;
	switch (list) {
	case IPT_NAMES_OPTIONS:
		return base_opt_at(i, letter);
	case IPT_NAMES_MATCHES:
		k = named_kind(false, i);
		return k < 0 ? NULL : match_exts[k]->name;
	case IPT_NAMES_TARGETS:
		k = named_kind(true, i);
		return k < 0 ? NULL : target_exts[k]->name;
	case IPT_NAMES_REFUSED:
		return refused_target_at(i);
	}
	return NULL;
}

static int match_kind_by_name(const char *name)
{
	for (int k = 0; k < IPT_M_KINDS; k++)
		if (!strcmp(match_exts[k]->name, name))
			return k;
	return -1;
}

const char *ipt_ext_opt_at(bool target, const char *name, unsigned j,
			   bool *refused)
{
	int k = target ? target_kind_by_name(name) : match_kind_by_name(name);
	const struct ext_opt *o;

	*refused = false;
	if (k < 0)
		return NULL;
	o = target ? target_exts[k]->opts : match_exts[k]->opts;
	for (; o && o->name; o++)
		if (!j--) {
			*refused = o->id == OPT_UNSUPPORTED;
			return o->name;
		}
	return NULL;
}

/* ---- the text ------------------------------------------------------------ */

/* @list's names after @title, wrapped at HELP_WIDTH */
static void names_put(struct ipt_text *out, const char *title,
		      enum ipt_names list)
{
	size_t col = 0;
	const char *name;
	char letter;

	ipt_text_printf(out, "%s\n", title);
	for (unsigned i = 0; (name = ipt_name_at(list, i, &letter)); i++) {
		if (col && col + 1 + strlen(name) > HELP_WIDTH) {
			ipt_text_printf(out, "\n");
			col = 0;
		}
		ipt_text_printf(out, col ? " %s" : "  %s", name);
		col += strlen(name) + (col ? 1 : 2);
	}
	ipt_text_printf(out, "\n");
}

/* The ICMP type names as -m icmp reads them; an alias after its name */
static void icmp_types_put(struct ipt_text *out)
{
	const struct icmp_name *prev = NULL;

	ipt_text_printf(out, "Valid ICMP Types:");
	for (size_t i = 0; i < ARRAY_SIZE(icmp_names); i++) {
		const struct icmp_name *n = &icmp_names[i];

		if (prev && prev->type == n->type &&
		    prev->code_lo == n->code_lo && prev->code_hi == n->code_hi) {
			ipt_text_printf(out, " (%s)", n->name);
			continue;
		}
		ipt_text_printf(out, "\n%s%s",
				n->code_lo == n->code_hi ? "   " : "", n->name);
		prev = n;
	}
	ipt_text_printf(out, "\n");
}

/* The REJECT types as --reject-with reads them, with their aliases */
static void reject_types_put(struct ipt_text *out)
{
	ipt_text_printf(out, "Valid reject types:\n");
	for (size_t i = 0; i < ARRAY_SIZE(reject_names); i++)
		ipt_text_printf(out, "    %-24s (or %s)%s\n",
				reject_names[i].name, reject_names[i].alias,
				reject_names[i].with == IPT_REJ_PORT_UNREACH ?
				" default" : "");
}

static void match_help_put(struct ipt_text *out, int kind)
{
	const struct match_ext *e = match_exts[kind];

	ipt_text_printf(out, "\n%s match options:\n%s", e->name,
			e->help ? e->help : "");
	if (kind == IPT_M_ICMP)
		icmp_types_put(out);
}

static void target_help_put(struct ipt_text *out, int kind)
{
	const struct target_ext *e = target_exts[kind];

	if (kind == IPT_T_ACCEPT || kind == IPT_T_DROP ||
	    kind == IPT_T_RETURN) {
		ipt_text_printf(out, "\nstandard match options:\n"
				"(If target is DROP, ACCEPT, RETURN or nothing)\n");
		return;
	}
	if (!e->opts) {
		ipt_text_printf(out, "\n%s does not take any options\n",
				e->name);
		return;
	}
	ipt_text_printf(out, "\n%s target options:\n%s", e->name,
			e->help ? e->help : "");
	if (kind == IPT_T_REJECT)
		reject_types_put(out);
}

/* ---- the words ----------------------------------------------------------- */

/**
 * struct help_ask - what the words before -h load
 * @matches:	-m kinds, in order
 * @n:		how many
 * @target:	-j's kind, or -1
 * @proto:	-p's word, or NULL
 */
struct help_ask {
	int matches[HELP_MAX_MATCHES];
	int n;
	int target;
	const char *proto;
};

/*
 * The value of option @w when it is -X/--LONG (then the next word, taken
 * through @i), -XVALUE or --LONG=VALUE; NULL when @w is another option
 */
static const char *option_value(int argc, char *const *argv, int *i,
				char letter, const char *lng)
{
	const char *w = argv[*i];
	size_t l = strlen(lng);

	if (w[0] == '-' && w[1] == letter)
		return w[2] ? w + 2 : *i + 1 < argc ? argv[++*i] : NULL;
	if (w[0] != '-' || w[1] != '-' || strncmp(w + 2, lng, l))
		return NULL;
	if (w[2 + l] == '=')
		return w + 3 + l;
	return !w[2 + l] && *i + 1 < argc ? argv[++*i] : NULL;
}

/* iptables' words for -m @name; control characters shown as '?' */
static int unknown_match(const char *name, struct ipt_err *err)
{
	snprintf(err->msg, sizeof(err->msg), "Couldn't load match `%.64s':No "
		 "such file or directory", name);
	for (char *c = err->msg; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return -1;
}

/* Note what word @i (and its value) loads; -1 for an unknown match */
static int ask_word(int argc, char *const *argv, int *i, struct help_ask *a,
		    struct ipt_err *err)
{
	const char *v;
	int k;

	if ((v = option_value(argc, argv, i, 'm', "match"))) {
		k = match_kind_by_name(v);
		if (k < 0)
			return unknown_match(v, err);
		if (a->n < HELP_MAX_MATCHES)
			a->matches[a->n++] = k;
	} else if ((v = option_value(argc, argv, i, 'j', "jump"))) {
		a->target = target_kind_by_name(v);
	} else if ((v = option_value(argc, argv, i, 'p', "protocol"))) {
		a->proto = v;
	}
	return 0;
}

/* -p's match when no -m was given (tcp, udp, icmp, sctp, dccp) */
static int proto_match(const struct help_ask *a)
{
	static const char *const implied[] = { "tcp", "udp", "icmp", "sctp",
					       "dccp" };

	if (a->n || !a->proto || !name_in(a->proto, implied,
					 ARRAY_SIZE(implied)))
		return -1;
	return match_kind_by_name(a->proto);
}

int ipt_help(int argc, char *const *argv, struct ipt_text *out,
	     struct ipt_err *err)
{
	struct help_ask a = { .target = -1 };
	int i, k;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			break;
		if (ask_word(argc, argv, &i, &a, err))
			return -1;
	}
	if (i >= argc)
		return 1;
	ipt_text_printf(out, "\n%s\n", usage);
	names_put(out, "Matches (\"-m NAME -h\" for their options):",
		  IPT_NAMES_MATCHES);
	names_put(out, "Targets (\"-j NAME -h\" for their options):",
		  IPT_NAMES_TARGETS);
	names_put(out, "Targets iptables has and masq refuses:",
		  IPT_NAMES_REFUSED);
	ipt_text_printf(out, "Tables: filter nat mangle raw. See masqctl(8), "
			"IPTABLES COMMANDS.\n");
	if (a.target >= 0)
		target_help_put(out, a.target);
	for (int m = 0; m < a.n; m++)
		match_help_put(out, a.matches[m]);
	k = proto_match(&a);
	if (k >= 0)
		match_help_put(out, k);
	return 0;
}
