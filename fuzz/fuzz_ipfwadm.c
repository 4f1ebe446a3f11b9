// SPDX-License-Identifier: MIT
/*
 * fuzz_ipfwadm.c - libFuzzer target for the ipfwadm language
 *		    (src/ipt/ipfwadm*.c)
 *
 * The input is up to 16 commands, one a line, run on one ruleset made
 * by init(). The first byte picks how a line becomes words: odd, it is
 * split by ipt_split() (quotes, escapes); even, at tabs, so a word may
 * hold blanks and quotes, as argv words from a shell may. For each:
 *
 *  - fwadm_parse() with no resolver (masqd's way): a refusal says why,
 *    on one line; an accepted command's canonical words (fwadm_format())
 *    parse back into the same command, pair by pair, byte for byte;
 *  - changes() agrees with the parse;
 *  - exec() runs it; a command that fails leaves the ruleset as it was
 *    (its save -c text), and a status is 0, 1 or 2.
 *
 * At the end save -c is restored into a fresh ruleset and saved again:
 * the same text. And the whole input is also given to restore() as a
 * text: refused with a reason, or read into a ruleset that saves and
 * restores to itself.
 *
 * MASQ_FUZZ_WRITE_SEEDS=DIR writes a few inputs as seeds into DIR at
 * start-up and exits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipt/ipfwadm.h"

#define MAX_WORDS	128
#define MAX_LINES	16
#define MAX_TEXT	8192

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define SEED(s)	{ s, sizeof(s) - 1 }

static const struct {
	const char *s;
	size_t len;
} seeds[] = {
	SEED("\x01-F -p deny\n-F -a m -S 192.168.1.0/24 -D 0.0.0.0/0\n-F -l -e"),
	SEED("\x01-I -a accept -P tcp -S 0/0 1024:65535 -D 10.0.0.1 22 80 -W eth0 -y\n"
	     "-I -i deny -P udp -D 10.0.0.0/255.0.255.0 53 -V 10.0.0.1 -t 01 10\n"
	     "-I -a accept -P tcp -D 0/0 80 -r 3128\n-I -l -n -x -e"),
	SEED("\x01-A in -a -P tcp -D 10.0.0.1 80\n-A -a -S 10.0.0.0/8 -o -b\n"
	     "-A -l -z -n -x\n-A -d -S 10.0.0.0/8 -o -b"),
	SEED("\x01-I -a reject -P icmp -S 0/0 8 0 3:5\n"
	     "-I -c -P icmp -S 1.2.3.4 8 -D 5.6.7.8 -V 1.1.1.1 -W eth0 -v"),
	SEED("\x01-F -c -P tcp -S 192.168.1.5 1025 -D 1.2.3.4 80 -V 10.0.0.1 -W eth0 -k"),
	SEED("\x01-M -s 7200 10 300\n-Fam -S 1.2.3.4\n-F -p accept -m\n-h"),
	SEED("\x00-F\t-a\taccept\t-W\te th0\n-I\t-l\t--\t-n"),
	SEED("\x01[1:2] ipfwadm -F -a accept\n[0:0] ipfwadm -I -p reject"),
};

static char store[MAX_TEXT * 2];

/* Words of @line into @w: by ipt_split() or at tabs; -1 when it does not split */
static int words_of(char *line, bool split, char **w)
{
	struct ipt_err e;
	int n = 0;

	if (split) {
		n = ipt_split(line, w, MAX_WORDS, store, sizeof(store), &e);
		if (n < 0 && (!e.msg[0] || strchr(e.msg, '\n')))
			abort();
		return n;
	}
	for (char *p = line; n < MAX_WORDS; ) {
		w[n++] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = '\0';
	}
	return n;
}

static char *save_text(const struct ipt_ruleset *rs)
{
	struct ipt_text t = { 0 };
	char *s;

	ipt_ipfwadm_ops.save(rs, IPT_LSAVE_COUNTERS, &t);
	if (t.oom)
		abort();
	s = strdup(t.s ? t.s : "");
	ipt_text_free(&t);
	return s;
}

static void check_canonical(const struct fwadm_cmd *c)
{
	static char st[MAX_TEXT * 2];
	struct ipt_text t = { 0 };
	uint32_t k = 0;
	char *l, *next;

	fwadm_format(c, &t);
	if (t.oom || !t.s)
		abort();
	for (l = t.s; *l; l = next, k++) {
		struct fwadm_cmd want = *c, back;
		char *w[MAX_WORDS];
		struct ipt_err e;
		int n;

		next = strchr(l, '\n');
		if (!next)
			abort();
		*next++ = '\0';
		fwadm_cmd_pair(&want, k);
		n = ipt_split(l, w, MAX_WORDS, st, sizeof(st), &e);
		if (n < 0 || fwadm_parse(n, w, NULL, &back, &e)) {
			fprintf(stderr, "'%s' does not parse back: %s\n", l, e.msg);
			abort();
		}
		if (memcmp(&want, &back, sizeof(back))) {
			fprintf(stderr, "'%s' parses back different\n", l);
			abort();
		}
	}
	ipt_text_free(&t);
}

static void one_command(struct ipt_ruleset *rs, int n, char **w)
{
	struct ipt_text out = { 0 };
	struct ipt_err e;
	struct fwadm_cmd c;
	char *before;
	bool changes;
	int rc;

	if (fwadm_parse(n, w, NULL, &c, &e)) {
		if (!e.msg[0] || strchr(e.msg, '\n'))
			abort();
	} else {
		check_canonical(&c);
		changes = !c.help && c.cat != FWADM_MASQ &&
			  (c.cmd & (FWADM_CMD_RULE | FWADM_CMD_FLUSH |
				    FWADM_CMD_POLICY));
		if (ipt_ipfwadm_ops.changes(n, w) != changes)
			abort();
	}
	before = save_text(rs);
	rc = ipt_ipfwadm_ops.exec(rs, n, w, NULL, &out, &e);
	if (rc < 0 || rc > 2)
		abort();
	if (rc) {
		char *after = save_text(rs);

		if (strcmp(before, after))
			abort();
		free(after);
	}
	free(before);
	ipt_text_free(&out);
}

/* save -c -> restore -> save -c gives the same text */
static void check_roundtrip(const struct ipt_ruleset *rs)
{
	struct ipt_ruleset *back = ipt_ruleset_new();
	char *one = save_text(rs), *two;
	struct ipt_err e;

	if (!back)
		abort();
	if (ipt_ipfwadm_ops.restore(back, one, &e)) {
		fprintf(stderr, "save does not restore: %s\n%s", e.msg, one);
		abort();
	}
	two = save_text(back);
	if (strcmp(one, two)) {
		fprintf(stderr, "save/restore differ:\n%s---\n%s", one, two);
		abort();
	}
	free(one);
	free(two);
	ipt_ruleset_free(back);
}

/* The input as restore text */
static void check_restore(const char *text)
{
	struct ipt_ruleset *rs = ipt_ruleset_new();
	struct ipt_err e;

	if (!rs)
		abort();
	if (ipt_ipfwadm_ops.restore(rs, text, &e)) {
		if (!e.msg[0])
			abort();
	} else {
		check_roundtrip(rs);
	}
	ipt_ruleset_free(rs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[MAX_TEXT + 1], copy[MAX_TEXT + 1];
	struct ipt_ruleset *rs;
	char *line, *next, *w[MAX_WORDS];
	size_t n;
	int lines = 0;

	if (!size)
		return 0;
	n = size - 1 < MAX_TEXT ? size - 1 : MAX_TEXT;
	memcpy(text, data + 1, n);
	text[n] = '\0';
	memcpy(copy, text, n + 1);
	rs = ipt_ruleset_new();
	if (!rs || ipt_ipfwadm_ops.init(rs))
		abort();
	for (line = text; line && lines < MAX_LINES; line = next, lines++) {
		int nw;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		nw = words_of(line, data[0] & 1, w);
		if (nw >= 0)
			one_command(rs, nw, w);
	}
	check_roundtrip(rs);
	ipt_ruleset_free(rs);
	check_restore(copy);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("MASQ_FUZZ_WRITE_SEEDS");

	(void)argc;
	(void)argv;
	if (!dir)
		return 0;
	for (size_t k = 0; k < sizeof(seeds) / sizeof(seeds[0]); k++) {
		char path[1024];
		FILE *f;

		snprintf(path, sizeof(path), "%s/seed-ipfwadm-%zu", dir, k);
		f = fopen(path, "wb");
		if (f) {
			fwrite(seeds[k].s, 1, seeds[k].len, f);
			fclose(f);
		}
	}
	exit(0);
}
