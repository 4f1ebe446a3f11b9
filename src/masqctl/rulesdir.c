// SPDX-License-Identifier: MIT
/*
 * rulesdir.c - what masqctl rules reads and decides, without I/O
 *
 * The ipmasq package's rules directory, as its ipmasq script treated it:
 *
 *  - which files run: names `[A-Z]*.def` and `[A-Z]*.rul`, in name order
 *    (strcmp, the C locale's), a .rul replacing the .def of the same
 *    name (rules_pick());
 *  - masqd's `iface` listing read (rules_iface_parse(): every word of it
 *    is hostile until checked: a name must be a plain interface name, an
 *    address numeric) and turned into the shell's INTERNAL, EXTERNAL,
 *    EXTERNAL_IN, EXTERNAL_OUT and its ipnm_cache function
 *    (rules_iface_env()); an interface's second and later addresses are
 *    the aliases NAME:1, NAME:2 ..., as ifconfig showed them;
 *  - a failure record (rulesrec.c writes them: FILE TAB MESSAGE TAB
 *    WORDS) read back (rules_rec_parse());
 *  - the line of a file a failed command came from (rules_find_line()):
 *    Debian's dash has no $LINENO, so the command's words are matched
 *    against each line of the file (a line ending in a backslash joined
 *    with the next), a line's word holding a `$` (a variable, a command
 *    substitution) matching any word, one with a `$` and text around it
 *    matching a word with that text around anything (`$IPOFIF/32` matches
 *    "203.0.113.1/32"). Of the lines that share a plain word with the
 *    command, the one with the best weighted common subsequence of words
 *    wins (an exact word 3, a patterned one 2, a bare variable 1), the
 *    first of equals. Cost: O(words x tokens) per
 *    line, at most RULES_MAX_TOKENS of each: a 1,000-line file is
 *    matched in well under a millisecond. Limit: a command built in a
 *    loop from the same line is named by that line (the best there is);
 *    two lines that differ only in their variables give the first.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "masqctl/rules.h"

#define WILD	'\x01'		/* a variable's place in a token's pattern */
#define SCORE_EXACT	3
#define SCORE_PATTERN	2
#define SCORE_VARIABLE	1
#define LINE_MAX_BYTES	8192	/* a joined line's bytes the matcher reads */

static const char *const role_words[RULES_ROLE_NUM] = {
	"internal", "external", "other"
};
_Static_assert(sizeof(role_words) / sizeof(role_words[0]) == RULES_ROLE_NUM,
	       "a word for each role");

/* ---- which files run ------------------------------------------------- */

/**
 * rules_name_ok() - Is @name a rules file's name: [A-Z]*.def or [A-Z]*.rul
 * @name:	a directory entry's name
 *
 * Return: true when it is
 */
bool rules_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n < 5 || name[0] < 'A' || name[0] > 'Z')
		return false;
	return !strcmp(name + n - 4, ".def") || !strcmp(name + n - 4, ".rul");
}

/* Order: by the name without its extension, a .def before its .rul */
static int pick_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	size_t nx = strlen(x) - 4, ny = strlen(y) - 4;
	int d = strncmp(x, y, nx < ny ? nx : ny);

	if (d)
		return d;
	if (nx != ny)
		return nx < ny ? -1 : 1;
	return strcmp(x + nx, y + ny);	/* ".def" < ".rul" */
}

/* Do @a and @b name the same rule (only their extension differs)? */
static bool same_base(const char *a, const char *b)
{
	size_t n = strlen(a);

	return n == strlen(b) && !strncmp(a, b, n - 4);
}

/**
 * rules_pick() - The files of a rules directory that run, in their order
 * @names:	the directory's entry names
 * @n:		how many
 * @out:	room for @n pointers: the names that run, in order (pointers
 *		into @names)
 *
 * Names that are not rules files are left out; of a .def and a .rul of
 * the same name only the .rul runs. O(n log n).
 *
 * Return: how many run
 */
int rules_pick(char *const *names, int n, const char **out)
{
	int k = 0, m = 0;

	for (int i = 0; i < n; i++)
		if (rules_name_ok(names[i]))
			out[k++] = names[i];
	qsort(out, (size_t)k, sizeof(*out), pick_cmp);
	for (int i = 0; i < k; i++) {
		if (i + 1 < k && same_base(out[i], out[i + 1]))
			continue;	/* the .def; the .rul follows */
		out[m++] = out[i];
	}
	return m;
}

/* ---- masqd's interfaces ---------------------------------------------- */

/* A plain interface name: 1-15 of [A-Za-z0-9_.-], no ':' (aliases are ours) */
static bool ifname_ok(const char *s, size_t n)
{
	if (!n || n >= RULES_IFNAME_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
			return false;
	}
	return true;
}

/* A.B.C.D/LEN in @w (NUL-terminated): 1 with *@addr, *@len; else 0 */
static int addr_word(const char *w, uint32_t *addr, uint8_t *len)
{
	char ip[INET_ADDRSTRLEN];
	const char *slash = strchr(w, '/');
	struct in_addr in;
	char *end;
	long l;

	if (!slash || slash == w || (size_t)(slash - w) >= sizeof(ip))
		return 0;
	memcpy(ip, w, (size_t)(slash - w));
	ip[slash - w] = '\0';
	if (inet_pton(AF_INET, ip, &in) != 1 || slash[1] < '0' || slash[1] > '9')
		return 0;
	errno = 0;
	l = strtol(slash + 1, &end, 10);
	if (*end || errno || l < 0 || l > 32)
		return 0;
	*addr = ntohl(in.s_addr);
	*len = (uint8_t)l;
	return 1;
}

/* Split @line (changed) on blanks into at most @max words; Return: count */
static int split_blanks(char *line, char **w, int max)
{
	char *save = NULL;
	int n = 0;

	for (char *s = strtok_r(line, " \t\r", &save); s && n < max;
	     s = strtok_r(NULL, " \t\r", &save))
		w[n++] = s;
	return n;
}

/* One line of the listing into @f; 0, or -EINVAL when it is not one */
static int iface_line(char *line, struct rules_iface *f)
{
	char *w[64];
	int n = split_blanks(line, w, 64), r;

	*f = (struct rules_iface){ .role = RULES_OTHER };
	if (n < 2 || !ifname_ok(w[0], strlen(w[0])))
		return -EINVAL;
	strcpy(f->name, w[0]);
	for (r = 0; r < RULES_OTHER; r++)
		if (!strcmp(w[1], role_words[r]))
			f->role = (enum rules_role)r;
	for (int i = 2; i < n && f->naddr < RULES_MAX_ADDRS; i++)
		f->naddr += addr_word(w[i], &f->addr[f->naddr], &f->len[f->naddr]);
	return 0;
}

/**
 * rules_iface_parse() - Read masqd's `iface` listing
 * @text:	the listing ("NAME ROLE mac MAC mtu N A.B.C.D/LEN... [twin]")
 * @ifs:	room for @max interfaces
 * @max:	how many
 *
 * Return: interfaces read, or -EINVAL when a line is not an interface's
 * (a bad name: nothing is guessed), -E2BIG past @max
 */
int rules_iface_parse(const char *text, struct rules_iface *ifs, int max)
{
	int n = 0;

	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		char line[1024];

		if (len >= sizeof(line))
			return -EINVAL;
		memcpy(line, text, len);
		line[len] = '\0';
		text += len + (nl ? 1 : 0);
		if (!line[strspn(line, " \t\r")])
			continue;
		if (n == max)
			return -E2BIG;
		if (iface_line(line, &ifs[n]))
			return -EINVAL;
		n++;
	}
	return n;
}

/* NAME or NAME:K, the name of @f's address @k */
static void alias_name(const struct rules_iface *f, int k, char *buf, size_t len)
{
	if (k)
		snprintf(buf, len, "%s:%d", f->name, k);
	else
		snprintf(buf, len, "%s", f->name);
}

/* `VAR='a b c'`: every address of every interface of @role */
static void role_list(const struct rules_iface *ifs, int n, enum rules_role role,
		      const char *var, struct ipt_text *t)
{
	const char *sep = "";
	char name[RULES_IFNAME_LEN + 16];

	ipt_text_printf(t, "%s='", var);
	for (int i = 0; i < n; i++)
		for (int k = 0; ifs[i].role == role &&
				(k < ifs[i].naddr || (!k && !ifs[i].naddr)); k++) {
			alias_name(&ifs[i], k, name, sizeof(name));
			ipt_text_printf(t, "%s%s", sep, name);
			sep = " ";
		}
	ipt_text_printf(t, "'\n");
}

static const char *ip_text(uint32_t a, char *buf)
{
	struct in_addr in = { htonl(a) };

	return inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}

/* One case of ipnm_cache: the address @k of @f */
static void ipnm_case(const struct rules_iface *f, int k, struct ipt_text *t)
{
	uint8_t len = f->len[k];
	uint32_t mask = len ? ~0u << (32 - len) : 0;
	char name[RULES_IFNAME_LEN + 16], ip[INET_ADDRSTRLEN];
	char nm[INET_ADDRSTRLEN], bc[INET_ADDRSTRLEN] = "";

	alias_name(f, k, name, sizeof(name));
	if (len <= 30)	/* a /31 or /32 has no broadcast address */
		ip_text(f->addr[k] | ~mask, bc);
	ipt_text_printf(t, "\t%s) IPOFIF=%s NMOFIF=%s BCOFIF=%s PEEROFIF= ;;\n",
			name, ip_text(f->addr[k], ip), ip_text(mask, nm), bc);
}

/**
 * rules_iface_env() - The shell text that gives a rules run its interfaces
 * @ifs:	masqd's interfaces (rules_iface_parse())
 * @n:		how many
 * @t:		the text is added here
 *
 * INTERNAL and EXTERNAL list every address of the interfaces of that role
 * by the name ifconfig gave it (NAME, then NAME:1 ...; an interface with
 * no address yet, an external one waiting for DHCP, by its NAME, for
 * which ipnm_cache sets the four empty: its masquerading, by -o, needs
 * no address); EXTERNAL_IN and EXTERNAL_OUT are
 * EXTERNAL; ipnm_cache NAME sets IPOFIF (the address), NMOFIF (its
 * netmask, dotted), BCOFIF (its broadcast address, empty for a /31 or
 * /32) and PEEROFIF (empty: masq has no point-to-point links), and fails
 * with a message for a name masqd does not have. The names are checked
 * (rules_iface_parse()) and the addresses numbers, so nothing is quoted.
 */
void rules_iface_env(const struct rules_iface *ifs, int n, struct ipt_text *t)
{
	role_list(ifs, n, RULES_INTERNAL, "INTERNAL", t);
	role_list(ifs, n, RULES_EXTERNAL, "EXTERNAL", t);
	ipt_text_printf(t, "EXTERNAL_IN=$EXTERNAL\nEXTERNAL_OUT=$EXTERNAL\n"
			"ipnm_cache() {\n\tcase ${1:-} in\n");
	for (int i = 0; i < n; i++) {
		for (int k = 0; k < ifs[i].naddr; k++)
			ipnm_case(&ifs[i], k, t);
		if (!ifs[i].naddr)
			ipt_text_printf(t, "\t%s) IPOFIF= NMOFIF= BCOFIF= "
					"PEEROFIF= ;;\n", ifs[i].name);
	}
	ipt_text_printf(t, "\t*) IPOFIF= NMOFIF= BCOFIF= PEEROFIF=\n"
			"\t   echo \"ipnm_cache: masqd has no interface '${1:-}'\" 1>&2\n"
			"\t   return 1 ;;\n\tesac\n}\n");
}

/* ---- a failure record ------------------------------------------------ */

/**
 * rules_rec_parse() - Read one failure record, FILE TAB MESSAGE TAB WORDS
 * @line:	the record, without its newline (cut in place)
 * @rec:	its fields, pointing into @line
 *
 * Return: 0, or -EINVAL when it is not a record
 */
int rules_rec_parse(char *line, struct rules_rec *rec)
{
	char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;

	if (!t2)
		return -EINVAL;
	*t1 = *t2 = '\0';
	rec->file = line;
	rec->msg = t1 + 1;
	rec->words = t2 + 1;
	return 0;
}

/**
 * rules_token_ok() - Is @s a rules run's token: 16 hex digits
 * @s:		masqd's answer to `txn begin`, its newline cut
 *
 * Return: true when it is
 */
bool rules_token_ok(const char *s)
{
	return strlen(s) == 16 && strspn(s, "0123456789abcdefABCDEF") == 16;
}

/* ---- which line a command came from ---------------------------------- */

/* Past the variable or substitution that starts at @s ('$' or '`') */
static const char *skip_expansion(const char *s)
{
	char open = s[0] == '`' ? '`' : s[1], close;
	int depth = 1;

	if (open == '{' || open == '(' || open == '`') {
		close = open == '{' ? '}' : open == '(' ? ')' : '`';
		for (s += open == '`' ? 1 : 2; *s && depth; s++) {
			if (*s == close)
				depth--;
			else if (*s == open && open != '`')
				depth++;
		}
		return s;
	}
	s++;
	if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_') {
		while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		       (*s >= '0' && *s <= '9') || *s == '_')
			s++;
		return s;
	}
	return *s ? s + 1 : s;	/* $1, $@, $?, ... */
}

/*
 * A token's pattern: quotes dropped, each expansion one WILD. Return: its
 * weight as a match: SCORE_EXACT (no variable), SCORE_PATTERN (text and
 * variables), SCORE_VARIABLE (variables only)
 */
static int token_pattern(const char *tok, char *pat, size_t cap)
{
	size_t n = 0;
	bool wild = false, text = false;

	for (const char *s = tok; *s && n + 1 < cap;) {
		if (*s == '"' || *s == '\'' || *s == '\\') {
			s++;
		} else if ((*s == '$' && s[1]) || *s == '`') {
			s = skip_expansion(s);
			if (!n || pat[n - 1] != WILD)
				pat[n++] = WILD;
			wild = true;
		} else {
			pat[n++] = *s++;
			text = true;
		}
	}
	pat[n] = '\0';
	return !wild ? SCORE_EXACT : text ? SCORE_PATTERN : SCORE_VARIABLE;
}

/*
 * Does @w match @p, WILD matching any run of characters? The glob with
 * one remembered star: O(|p| x |w|) at worst, never exponential
 */
static bool pattern_match(const char *p, const char *w)
{
	const char *star = NULL, *resume = NULL;

	while (*w) {
		if (*p == WILD) {
			star = ++p;
			resume = w;
		} else if (*p && *p == *w) {
			p++;
			w++;
		} else if (star) {
			p = star;
			w = ++resume;
		} else {
			return false;
		}
	}
	while (*p == WILD)
		p++;
	return !*p;
}

/*
 * The weight of the best common subsequence of @pats (with weights
 * @wt) and @words: O(np x nw), one row kept
 */
static int line_score(char (*pats)[128], const int *wt, int np,
		      char *const *words, int nw)
{
	int prev[RULES_MAX_TOKENS + 1] = { 0 }, cur[RULES_MAX_TOKENS + 1];

	for (int i = 1; i <= np; i++) {
		cur[0] = 0;
		for (int j = 1; j <= nw; j++) {
			int best = prev[j] > cur[j - 1] ? prev[j] : cur[j - 1];

			if (pattern_match(pats[i - 1], words[j - 1]) &&
			    prev[j - 1] + wt[i - 1] > best)
				best = prev[j - 1] + wt[i - 1];
			cur[j] = best;
		}
		memcpy(prev, cur, sizeof(int) * (size_t)(nw + 1));
	}
	return prev[nw];
}

/* Has the line a word without variables that the command has too? */
static bool shares_word(char (*pats)[128], const int *wt, int np,
			char *const *words, int nw)
{
	for (int i = 0; i < np; i++)
		for (int j = 0; wt[i] == SCORE_EXACT && j < nw; j++)
			if (!strcmp(pats[i], words[j]))
				return true;
	return false;
}

/*
 * Score one joined line (changed: split) against @words: 0 unless it
 * shares a plain word with them (variables alone match anything)
 */
static int score_line(char *line, char *const *words, int nw)
{
	static char pats[RULES_MAX_TOKENS][128];
	int wt[RULES_MAX_TOKENS], np = 0;
	char *save = NULL;

	for (char *s = strtok_r(line, " \t\r;|&", &save); s && np < RULES_MAX_TOKENS;
	     s = strtok_r(NULL, " \t\r;|&", &save)) {
		if (s[0] == '#')
			break;	/* a comment: the rest of the line */
		wt[np] = token_pattern(s, pats[np], sizeof(pats[np]));
		if (pats[np][0])
			np++;
	}
	return shares_word(pats, wt, np, words, nw) ?
		line_score(pats, wt, np, words, nw) : 0;
}

/*
 * The logical line starting at @p (@end: the text's end): joined into
 * @buf (a backslash before a newline joins), *@lines the physical lines
 * it took. Return: where the next one starts.
 */
static const char *join_line(const char *p, const char *end, char *buf,
			     size_t cap, int *lines)
{
	size_t n = 0;

	*lines = 1;
	while (p < end && *p != '\n') {
		if (*p == '\\' && p + 1 < end && p[1] == '\n') {
			p += 2;
			(*lines)++;
			continue;
		}
		if (n + 1 < cap && *p)
			buf[n++] = *p;
		p++;
	}
	buf[n] = '\0';
	return p < end ? p + 1 : p;
}

/**
 * rules_find_line() - The line of a rules file a failed command came from
 * @text:	the file
 * @len:	its bytes
 * @words:	the command's words, space-separated ("iptables -A INPUT ...")
 * @whole:	only a line that has every word, as it is (`exit 1`)
 *
 * Return: the line (1-based; a continued line's first), or 0 when no line
 * matches a word of the command's exactly (with @whole: every word)
 */
int rules_find_line(const char *text, size_t len, const char *words, bool whole)
{
	static char line[LINE_MAX_BYTES], wbuf[LINE_MAX_BYTES];
	char *w[RULES_MAX_TOKENS];
	const char *p = text, *end = text + len;
	int nw, at = 1, best = 0, best_line = 0, took;

	snprintf(wbuf, sizeof(wbuf), "%s", words);
	nw = split_blanks(wbuf, w, RULES_MAX_TOKENS);
	while (p < end) {
		int s, here = at;

		p = join_line(p, end, line, sizeof(line), &took);
		at += took;
		s = score_line(line, w, nw);
		if (s > best) {
			best = s;
			best_line = here;
		}
	}
	if (whole)
		return best == SCORE_EXACT * nw ? best_line : 0;
	return best_line;
}

/**
 * rules_syntax_where() - Read dash's syntax error, "PATH: LINE: what"
 * @msg:	the first line `sh -n PATH` printed
 * @path:	the file it checked
 * @line:	the line it names
 * @rest:	what it says (into @msg)
 *
 * Return: 0, or -EINVAL when @msg is not of that form (then say it whole)
 */
int rules_syntax_where(const char *msg, const char *path, int *line,
		       const char **rest)
{
	size_t n = strlen(path);
	const char *p = msg + n;
	long l = 0;

	if (strncmp(msg, path, n) || p[0] != ':' || p[1] != ' ')
		return -EINVAL;
	for (p += 2; *p >= '0' && *p <= '9' && l < 100000000; p++)
		l = l * 10 + (*p - '0');
	if (!l || p[0] != ':' || p[1] != ' ')
		return -EINVAL;
	*line = (int)l;
	*rest = p + 2;
	return 0;
}
