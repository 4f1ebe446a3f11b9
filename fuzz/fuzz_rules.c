// SPDX-License-Identifier: MIT
/*
 * fuzz_rules.c - masqctl rules' readers (src/masqctl/rulesdir.c)
 *
 * The first byte picks the reader; the rest is its input:
 *	0	masqd's `iface` listing through rules_iface_parse(); every
 *		name it takes is plain (nothing the shell reads as code),
 *		and the shell text made of them (rules_iface_env()) has no
 *		command substitution
 *	1	a rules file and a failed command's words (split at the first
 *		NUL: words, then the file) through rules_find_line(), both
 *		ways (@whole); the line must be 0 or within the file
 *	2	a failure record through rules_rec_parse()
 *	3	a dash message and a path (split at NUL) through
 *		rules_syntax_where()
 *	4	directory entry names (split at NUL) through rules_pick():
 *		every name picked is a rules file's, in strictly rising order
 *
 * MASQ_FUZZ_WRITE_SEEDS=DIR writes a seed per reader into DIR and exits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "masqctl/rules.h"
#include "../tests/lib/fuzzeng.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MAX_NAMES	64

static void iface_case(const char *s)
{
	static struct rules_iface ifs[RULES_MAX_IFS];
	struct ipt_text t = { 0 };
	int n = rules_iface_parse(s, ifs, RULES_MAX_IFS);

	if (n < 0)
		return;
	rules_iface_env(ifs, n, &t);
	if (!t.oom && (strstr(t.s, "$(") || strchr(t.s, '`')))
		abort();	/* the driver's text never substitutes */
	for (int i = 0; i < n; i++)
		if (strpbrk(ifs[i].name, "'\"`$;&|<> \\:\n"))
			abort();	/* a name the shell would read as code */
	ipt_text_free(&t);
}

static void line_case(const char *s, size_t len)
{
	size_t wl = strnlen(s, len);
	char *words;
	int lines = 1, a, b;

	if (wl == len)
		return;
	words = strndup(s, wl);
	for (size_t i = wl + 1; i < len; i++)
		lines += s[i] == '\n';
	a = rules_find_line(s + wl + 1, len - wl - 1, words, false);
	b = rules_find_line(s + wl + 1, len - wl - 1, words, true);
	if (a < 0 || a > lines || b < 0 || b > lines)
		abort();
	free(words);
}

static void pick_case(char *s, size_t len)
{
	char *names[MAX_NAMES];
	const char *out[MAX_NAMES];
	int n = 0, k;

	for (char *p = s; p < s + len && n < MAX_NAMES; p += strlen(p) + 1)
		names[n++] = p;
	k = rules_pick(names, n, out);
	for (int i = 0; i < k; i++)
		if (!rules_name_ok(out[i]) || (i && strcmp(out[i - 1], out[i]) >= 0 &&
		    strlen(out[i - 1]) == strlen(out[i]) &&
		    !strncmp(out[i - 1], out[i], strlen(out[i]) - 4)))
			abort();	/* not a rules file, or a name twice */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	const char *rest;
	struct rules_rec rec;
	int line;

	if (!size)
		return 0;
	s = malloc(size + 1);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 5) {
	case 0:
		iface_case(s);
		break;
	case 1:
		line_case(s, size - 1);
		break;
	case 2:
		rules_rec_parse(s, &rec);
		break;
	case 3:
		if (strlen(s) < size - 1)
			rules_syntax_where(s, s + strlen(s) + 1, &line, &rest);
		break;
	case 4:
		pick_case(s, size - 1);
		break;
	}
	free(s);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char s0[] = "\0lan0 internal mac 02:00:00:00:00:01 mtu 1500 192.168.0.1/24 twin\n"
		"wan0 external mac 02:00:00:00:00:02 mtu 1500 203.0.113.1/24\n";
	static const char s1[] = "\1iptables -A INPUT -i wan0 -d 1.2.3.4/32\0"
		"case $M in\nnetfilter)\n\t$IPTABLES -A INPUT \\\n\t\t-i ${i%%:*} -d $IPOFIF/32\n\texit 1\n;;\nesac\n";
	static const char s2[] = "\2/r/I90.rul\tiptables: bad\tiptables -A X";
	static const char s3[] = "\3/r/A.rul: 4: Syntax error: x\0/r/A.rul";
	static const char s4[] = "\4A00path.def\0A00path.rul\0Z.def\0readme\0";
	const char *dir = getenv("MASQ_FUZZ_WRITE_SEEDS");

	(void)argc;
	(void)argv;
	if (!dir)
		return 0;
	fuzzeng_seed(dir, "rules-0", s0, sizeof(s0) - 1);
	fuzzeng_seed(dir, "rules-1", s1, sizeof(s1) - 1);
	fuzzeng_seed(dir, "rules-2", s2, sizeof(s2) - 1);
	fuzzeng_seed(dir, "rules-3", s3, sizeof(s3) - 1);
	fuzzeng_seed(dir, "rules-4", s4, sizeof(s4) - 1);
	exit(0);
}
