// SPDX-License-Identifier: MIT
/*
 * verbs.c - the control language's verbs (see verbs.h): the table
 * masqctl --help prints and mistyped verbs are matched against
 *
 * A new verb gets its row here; test_verbs fails until it has one. The
 * synopses are short: each verb's own usage message and masqctl(8) have
 * the whole of it.
 */
#include <string.h>

#include "control/suggest.h"
#include "control/verbs.h"

#define E CTL_VERB_ENGINE
#define D CTL_VERB_MASQD
#define C CTL_VERB_MASQCTL

const struct ctl_verb ctl_verbs[] = {
	{ "iface", "[add NAME ...|set NAME twin|dhcp on|off]",
	  "list, declare, set the interfaces", E },
	{ "addr", "[add|del A.B.C.D/LEN dev NAME]", "the router's addresses", E },
	{ "route", "[add|del PREFIX/LEN|default ...|flush static]",
	  "the routing table", E },
	{ "neigh", "[add A.B.C.D lladdr MAC dev NAME|del A.B.C.D|flush static]",
	  "the ARP table", E },
	{ "masq", "-L [-n] [-v] [--raw]",
	  "the masquerade table (ipchains -M -L)", C },
	{ "masq", "-D tcp|udp|icmp HOST PORT", "forget the entries of that source", C },
	{ "masq", "-S [TCP TCPFIN UDP]", "masquerading timeouts, seconds", E },
	{ "masq", "-F", "forget every masquerade entry", E },
	{ "conntrack", "-L|-D|-G [FILTER...]", "list, delete, get connections (conntrack(8))", E },
	{ "conntrack", "-L expect|-F|-C [expect]", "expectations, flush, count", E },
	{ "conntrack", "-L -o json", "the connections as a JSON array", C },
	{ "conntrack", "-E", "live events (new, update, destroy)", E },
	{ "stats", "[--json]", "the counters (--json: one JSON object)", E },
	{ "set", "timeout|ports|tcp-pickup|filtering|mapping|... VALUE",
	  "a setting (show settings lists them)", E },
	{ "set", "origdst-user NAME|none", "let NAME ask origdst (and nothing else)", C },
	{ "show", "settings", "every setting, as set commands", E },
	{ "reset", "settings [except filtering]", "every setting back to its default", E },
	{ "reset", "rules", "the default ruleset, as at start", E },
	{ "helper", "[ftp|irc|tftp on|off [ports P,...]]|reset",
	  "the application helpers", E },
	{ "host-ports", "[tcp LIST] [udp LIST]",
	  "the ports the router host's sockets hold", E },
	{ "origdst", "CLIENT:PORT LOCAL:PORT [tcp|udp]",
	  "a redirected connection's destination", E },
	{ "recent", "[NAME [+ADDR|-ADDR|/]]", "-m recent's lists (xt_recent)", E },
	{ "iptables", "ARG...", "one iptables command", C },
	{ "iptables-save", "[-c] [-t TABLE]", "the ruleset as iptables-save prints it", C },
	{ "iptables-restore", "[-c] [-n] [-t] [FILE]", "load iptables-save text (-t: check only)", C },
	{ "ipacct-dump", "[-t TABLE] [CHAIN...]",
	  "list accounting chains and zero them", C },
	{ "ipmasqadm", "portfw|mfw|autofw ...", "the 2.2 kernel's forwards (-h: help)", C },
	{ "ipfwadm", "-A|-I|-O|-F|-M ...", "the 2.0 kernels' firewall (-h: help)", C },
	{ "ipfwadm-save", "", "the ruleset as ipfwadm commands", E },
	{ "ipfwadm-restore", "TEXT", "load ipfwadm-save text", E },
	{ "ipchains", "ARG...", "one ipchains 1.3.10 command", C },
	{ "ipchains-save", "[CHAIN] [-v] [-c]", "the ruleset as ipchains-save prints it", C },
	{ "ipchains-restore", "[-f] [-v] [-p]", "load ipchains-save text from stdin", C },
	{ "save", "", "the configuration, as a masqd -c file", C },
	{ "rules", "[DIR]", "the ruleset from an ipmasq rules dir", C },
	{ "txn", "begin|do TOKEN WORD...|commit|abort|keep TOKEN",
	  "a rules run's steps (masqctl rules)", D },
	{ "reload", "", "re-read the -c file, say how it went", D },
};

const size_t ctl_verbs_num = sizeof(ctl_verbs) / sizeof(ctl_verbs[0]);

bool ctl_verb_known(const char *name)
{
	for (size_t i = 0; i < ctl_verbs_num; i++)
		if (!strcmp(name, ctl_verbs[i].name))
			return true;
	return false;
}

const char *ctl_verb_suggest(const char *name)
{
	return suggest_word(name, strlen(name), ctl_verbs, ctl_verbs_num,
			    sizeof(ctl_verbs[0]));
}

/* The synopsis column's width; a longer synopsis puts @what below it */
#define SYNOPSIS_WIDTH	34

void ctl_verbs_help(FILE *f)
{
	for (size_t i = 0; i < ctl_verbs_num; i++) {
		const struct ctl_verb *v = &ctl_verbs[i];
		int n = fprintf(f, "  %s%s%s", v->name, *v->args ? " " : "",
				v->args);

		if (n < 0)
			return;
		if (n >= SYNOPSIS_WIDTH)
			fprintf(f, "\n%*s", SYNOPSIS_WIDTH, "");
		else
			fprintf(f, "%*s", SYNOPSIS_WIDTH - n, "");
		fprintf(f, "%s\n", v->what);
	}
}
