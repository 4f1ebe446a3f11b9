// SPDX-License-Identifier: MIT
/*
 * fuzz_reload.c - a -c file of anything, reloaded into a running engine
 *
 * masqd's SIGHUP (src/control/reload.c) as masqd does it: the engine was
 * started from a command line (the base: interfaces, addresses, the
 * default route) and a first file; then the input is the file's new
 * text, checked beside the loop (reload_prepare(), with packets going
 * through the live engine meanwhile) and applied between two batches
 * (reload_commit()). What must hold, whatever the text:
 *
 *	- a file refused (a syntax error, a command that fails the check, a
 *	  change of interfaces) changes nothing: the settings, the rules,
 *	  the routes and the neighbours read back as before;
 *	- every failure names where (FILE:LINE or the step);
 *	- a file taken is in effect, and loading it once more changes
 *	  nothing further (the ruleset reads back the same);
 *	- the packet path goes on (fuzzeng.c's checks) before, between and
 *	  after, and every buffer comes back.
 *
 * The input may carry a second file after a line "--8<--": saved.rules,
 * beside the configuration file, which its `iptables-restore saved.rules`
 * lines include (src/control/confinc.c); service and protocol names
 * resolve from a small services table (src/control/services.c).
 *
 * MASQ_FUZZ_WRITE_SEEDS=DIR writes configuration files in the
 * masq.conf(5) language as seeds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tests/lib/ctlline.h"
#include "../tests/lib/frame.h"
#include "../tests/lib/fuzzeng.h"
#include "control/reload.h"
#include "control/services.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char tmpdir[] = "/tmp/masq-fuzzreload-XXXXXX";
static char path[64], saved[64];	/* masq.conf and saved.rules in @tmpdir */
static const char cut[] = "\n--8<--\n";

/*
 * What a reload may change, as the control language reads it back (the
 * packets' counters zeroed first: traffic moves them, not the reload)
 */
static char *state(struct masq_engine *e)
{
	static const char *const zero[] = {
		"iptables -t filter -Z", "iptables -t nat -Z",
		"iptables -t mangle -Z", NULL,
	};
	static const char *const reads[] = {
		"show settings", "iptables-save", "route", "neigh", NULL,
	};
	struct masq_text t = { 0 };

	if (ctlline_run_all(e, zero) >= 0)
		abort();
	for (int i = 0; reads[i]; i++)
		if (ctlline_run(e, reads[i], &t))
			abort();
	if (t.oom)
		abort();
	return t.s ? t.s : strdup("");
}

static void write_one(const char *name, const uint8_t *data, size_t size)
{
	FILE *f = fopen(name, "wb");

	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		abort();
}

/* The configuration file, and saved.rules from what follows a "--8<--" */
static void write_file(const uint8_t *data, size_t size)
{
	const uint8_t *at = memmem(data, size, cut, sizeof(cut) - 1);
	size_t conf = at ? (size_t)(at - data) : size;

	write_one(path, data, conf);
	if (at)
		write_one(saved, at + sizeof(cut) - 1,
			  size - conf - (sizeof(cut) - 1));
	else
		unlink(saved);
}

/* A few frames through the live engine (the loop does not stop) */
static void traffic(struct masq_engine *e)
{
	struct masq_pool *pool = fuzzeng_pool(0, 0);
	struct masq_buf *txv[64];
	struct masq_txq tx = { txv, 0, 64 };
	struct frame_spec fs;
	struct masq_buf *b;

	for (int i = 0; i < 3; i++) {
		b = masq_pool_get(pool);
		if (!b)
			return;
		frame_spec_udp(&fs, IP4(192, 168, 0, 2), (uint16_t)(5000 + i),
			       IP4(198, 51, 100, 10), 53);
		memcpy(fs.eth_dst, (uint8_t[6]){ 2, 0, 0, 0, 1, 1 }, 6);
		frame_build(&fs, b);
		b->iface = 0;
		masq_engine_input(e, &b, 1, FUZZENG_NS, &tx);
		fuzzeng_check(e, &tx);
	}
}

/* reload_prepare() and, when it passes, reload_commit(); Return: status */
static int reload(struct reload *r, struct masq_engine *e,
		  struct masq_text *msg)
{
	struct reload_job *job = NULL;
	int ret = reload_prepare(r, e, &job, msg);

	traffic(e);			/* the loop goes on meanwhile */
	if (!ret)
		ret = reload_commit(r, e, job, msg);
	reload_job_free(job);
	return ret;
}

/* The base: masqd's command line, run on the engine and kept for reloads */
static void base(struct reload *r)
{
	for (int i = 0; ctlline_topology[i]; i++) {
		char line[512], *argv[64], *save = NULL;
		int argc = 0;

		snprintf(line, sizeof(line), "%s", ctlline_topology[i]);
		for (char *w = strtok_r(line, " ", &save); w && argc < 63;
		     w = strtok_r(NULL, " ", &save))
			argv[argc++] = w;
		argv[argc] = NULL;
		if (reload_base_add(r, argc, argv))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char first[] = "set host-cap 100\n"
		"iptables -A FORWARD -p tcp --dport 25 -j REJECT\n";
	struct masq_engine *e = fuzzeng_create(32);	/* default rules */
	struct masq_text msg = { 0 };
	struct reload r;
	char *before, *after;
	int ret;

	if (reload_init(&r, path, NULL))
		abort();
	base(&r);
	write_file((const uint8_t *)first, sizeof(first) - 1);
	if (reload_run(&r, e, &msg)) {
		fprintf(stderr, "the first file failed: %s\n", msg.s);
		abort();
	}
	masq_text_free(&msg);
	before = state(e);
	write_file(data, size);
	ret = reload(&r, e, &msg);
	after = state(e);
	if (ret && ret != -EIO && strcmp(before, after)) {
		fprintf(stderr, "a refused reload (%d) changed the engine:\n"
			"--- before\n%s--- after\n%s--- why\n%s", ret, before,
			after, msg.s ? msg.s : "");
		abort();
	}
	if (ret && (!msg.s || !msg.len)) {
		fprintf(stderr, "a reload failed (%d) and said nothing\n", ret);
		abort();
	}
	masq_text_free(&msg);
	if (!ret) {		/* the same file again: nothing more changes */
		free(before);
		before = after;
		ret = reload(&r, e, &msg);
		after = state(e);
		if (ret || strcmp(before, after)) {
			fprintf(stderr, "the file taken, loaded again: %d\n%s"
				"--- before\n%s--- after\n%s", ret,
				msg.s ? msg.s : "", before, after);
			abort();
		}
		masq_text_free(&msg);
	}
	free(before);
	free(after);
	traffic(e);
	reload_fini(&r);
	fuzzeng_destroy(e);
	return 0;
}

static void write_seeds(const char *dir)
{
	static const char *const seeds[] = {
		"set timeout udp 600\nset filtering endpoint-independent\n",
		"# a firewall\niptables -P FORWARD DROP\n"
		"iptables -A FORWARD -m state --state RELATED,ESTABLISHED -j ACCEPT\n"
		"iptables -A FORWARD -i lan0 -j ACCEPT\n"
		"iptables -t nat -A POSTROUTING -o wan0 -j MASQUERADE\n",
		"iptables-restore \"*filter\n:INPUT DROP [0:0]\n-A INPUT -i lan0 -j ACCEPT\nCOMMIT\n\"\n",
		"route add 10.0.0.0/8 via 192.168.0.3\nneigh add 192.168.0.9 lladdr 02:00:00:00:01:09 dev lan0\n",
		"set host-cap 2\nset conntrack-max 16\nmasq -S 900 120 300\n",
		"iface add lan9 mac 02:00:00:00:09:01 role internal\n",
		"iptables -A FORWARD -j NOSUCHCHAIN\n",
		"reset rules\nconntrack -F\n",
		"iptables-restore saved.rules\n"
		"iptables -A INPUT -p tcp --dport ssh -j ACCEPT\n--8<--\n"
		"*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n"
		"-A FORWARD -i lan0 -p udp --dport domain -j ACCEPT\nCOMMIT\n"
		"*nat\n-A POSTROUTING -o wan0 -j SNAT --to-source 203.0.113.1\n"
		"COMMIT\n",
		"iptables-restore --noflush saved.rules\n--8<--\n"
		"*mangle\n-A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS "
		"--clamp-mss-to-pmtu\nCOMMIT\n",
		"iptables-restore saved.rules\n--8<--\n*filter\n-A FORWARD -j NOPE\n",
		("iptables -t nat -A PREROUTING -p gre -j DNAT "
		 "--to-destination 192.168.0.2\n"),
	};
	for (size_t i = 0; i < sizeof(seeds) / sizeof(*seeds); i++) {
		char name[16];

		snprintf(name, sizeof(name), "%zu", i);
		fuzzeng_seed(dir, name, seeds[i], strlen(seeds[i]));
	}
}

static void remove_file(void)
{
	unlink(path);
	unlink(saved);
	rmdir(tmpdir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	static const char services[] = "ssh 22/tcp\ndomain 53/udp\n";
	static const char protocols[] = "gre 47 GRE\n";

	fuzzeng_start(64, 4096, write_seeds);
	if (!mkdtemp(tmpdir))
		abort();
	snprintf(path, sizeof(path), "%s/masq.conf", tmpdir);
	snprintf(saved, sizeof(saved), "%s/saved.rules", tmpdir);
	services_parse(services, sizeof(services) - 1, false);
	services_parse(protocols, sizeof(protocols) - 1, true);
	atexit(remove_file);
	return 0;
}
