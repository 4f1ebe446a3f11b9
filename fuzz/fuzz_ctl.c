// SPDX-License-Identifier: MIT
/*
 * fuzz_ctl.c - arbitrary argument vectors into masq_engine_ctl()
 *
 * The input is split into commands at '\n' and into words at ' ' or NUL
 * (so words may hold any other byte, and empty words happen); each
 * command goes to one engine, configured first like a small router. The
 * exit status must be 0, 1 or 2, and a failed command (1 or 2) must say
 * why. After the commands, a few packets walk the engine (a broken
 * configuration must not break the packet path) and every buffer must
 * come back.
 *
 * "txn begin" opens a rules run (src/engine/txn.c): the commands after it
 * go to masq_ctl_txn_do() first (the live engine when it does not take
 * them) until "txn commit" or "txn abort"; a run still open at the end is
 * committed.
 *
 * MASQ_FUZZ_WRITE_SEEDS=DIR writes the commands of docs/control.md (the
 * filter's iptables verbs among them) as seeds into DIR at start-up and
 * exits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/lib/ctlline.h"
#include "../tests/lib/frame.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define NS		1000000000ull
#define MAX_WORDS	64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static const char *const seeds[] = {
	"iface add lan1 mac 02:00:00:00:03:01 mtu 1400 role internal\niface",
	"addr add 10.1.0.1/16 dev lan0\nroute",
	"route add 10.2.0.0/16 via 192.168.0.9 dev lan0\nroute del 10.2.0.0/16",
	"route add default via 203.0.113.254\nroute del default",
	"neigh add 192.168.0.9 lladdr 02:00:00:00:01:09 dev lan0\nneigh",
	"masq -L -n\nmasq -S 900 120 300\nmasq -L",
	"masq -L -v -n\nmasq -L --raw\nmasq -S\nmasq -D tcp 192.168.0.2 40000\n"
	"masq -D ICMP 192.168.0.2 0\nmasq -D udp 192.168.0.2 65536\nmasq -F",
	"conntrack -L\nconntrack -F",
	"conntrack -L -p tcp --dport 80 --state ESTABLISHED\n"
	"conntrack -L -s 192.168.0.2 -r 198.51.100.7 -m 0/0xff\n"
	"conntrack -G -p udp -s 192.168.0.2 -d 198.51.100.7 --sport 40000 "
	"--dport 53\nconntrack -D -p icmp --icmp-id 77\nconntrack -D\n"
	"conntrack -L -p tcp --sport x\nconntrack -C -p tcp",
	"txn begin\niptables -F\niptables -N acctin\niptables -A acctin\n"
	"iptables -A INPUT -i wan0 -j acctin\niptables -S\niptables-save\n"
	"ipmasqadm portfw -a -P tcp -L 203.0.113.1 80 -R 192.168.0.2 80\n"
	"ipmasqadm portfw -l -n\nshow settings\ntxn commit",
	"txn begin\nipchains -A forward -j MASQ\nipchains-save\n"
	"iptables -L\ntxn abort\niptables -S",
	"stats",
	"ipmasqadm portfw -a -P tcp -L 203.0.113.1 80 -R 192.168.0.2 80 -p 3\n"
	"ipmasqadm portfw -a -P tcp -L 203.0.113.1 80 -R 192.168.0.3 8080\n"
	"ipmasqadm portfw -l -n\nipmasqadm save\n"
	"ipmasqadm portfw -d -P tcp -L 203.0.113.1 80 -R 192.168.0.2 80",
	"ipmasqadm mfw -A -m 1 -r 192.168.0.2 -p 0\nipmasqadm mfw -I -m 0x10 -r 192.168.0.3 80\n"
	"ipmasqadm mfw -S -m 1\nipmasqadm mfw -E -m 1 -p 4\nipmasqadm mfw -L\nipmasqadm mfw -D -m 1",
	"ipmasqadm autofw -A -r udp 7000 7010 -c tcp 7070 -u -i -v\n"
	"ipmasqadm autofw -A -r tcp 6000 6001 -h 192.168.0.2\nipmasqadm autofw -L\n"
	"ipmasqadm autofw -D -r tcp 6000 6001 -h 192.168.0.2\nipmasqadm flush",
	"set timeout tcp-established 7440\nset timeout udp-unreplied 30\nshow settings",
	"set ports 61000-65095\nshow settings",
	"set timeout generic 600\nset timeout tcp-close 10\nset timeout icmp 60",
	"set host-cap 2\nset inbound-halfopen 1\nset conntrack-max 8\nshow settings\n"
	"reset settings",
	"iptables -A FORWARD -i lan0 -p tcp --dport 80 -j ACCEPT\n"
	"iptables -I FORWARD 1 -m state --state INVALID -j LOG --log-prefix x\n"
	"iptables -S\niptables -L -n -v -x --line-numbers\niptables -D FORWARD 1",
	"iptables -N acctin\niptables -A acctin\niptables -A FORWARD -j acctin\n"
	"iptables-save -c -t filter --zero acctin\niptables -X acctin",
	"iptables -t nat -A PREROUTING -i wan0 -p tcp --dport 8080 -j DNAT "
	"--to-destination 192.168.0.2:80\n"
	"iptables -t nat -A POSTROUTING -o wan0 -p udp -j MASQUERADE --to-ports 2000-3000",
	"iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS "
	"--clamp-mss-to-pmtu\niptables -A INPUT -p icmp --icmp-type 8 -m limit "
	"--limit 5/s -j ACCEPT",
	"iptables-restore --noflush *filter\nreset rules",
	"origdst 192.168.0.2:40000 192.168.0.1:3128\n"
	"origdst 192.168.0.3:5353 192.168.0.1:5300 udp",
	NULL,
};

static struct masq_pool *pool;
static struct masq_limits lim;
static struct frame_spec fs;

static struct masq_ctl_job *txn;	/* an open rules run */

/* "txn begin|commit|abort": open or end the run; false: not one */
static bool txn_word(struct masq_engine *e, int argc, char **argv)
{
	struct masq_text out = { 0 };

	if (argc != 2 || strcmp(argv[0], "txn"))
		return false;
	if (!strcmp(argv[1], "begin") && !txn) {
		txn = masq_engine_rules_txn(e);
	} else if (txn && (!strcmp(argv[1], "commit") ||
			   !strcmp(argv[1], "abort"))) {
		if (argv[1][0] == 'c') {
			masq_ctl_job_run(txn);
			if (masq_engine_ctl_job_finish(e, txn, &out) &&
			    !out.len)
				abort();	/* a failed commit says why */
		}
		masq_ctl_job_free(txn);
		txn = NULL;
	}
	masq_text_free(&out);
	return true;
}

static void run(struct masq_engine *e, int argc, char **argv)
{
	struct masq_text out = { 0 };
	int rc = -1;

	if (txn_word(e, argc, argv))
		return;
	if (txn)
		rc = masq_ctl_txn_do(txn, argc, argv, &out);
	if (rc == -1)
		rc = masq_engine_ctl(e, argc, argv, &out);

	if (rc < 0 || rc > 2) {
		fprintf(stderr, "masq_engine_ctl returned %d\n", rc);
		abort();
	}
	if (rc != 0 && (!out.s || !out.len)) {
		fprintf(stderr, "a failed command (status %d) gave no reason\n",
			rc);
		abort();
	}
	masq_text_free(&out);
}

/* A few packets through whatever configuration the input left */
static void walk(struct masq_engine *e)
{
	static const uint32_t dsts[] = {
		IP4(198, 51, 100, 10), IP4(192, 168, 0, 1), IP4(10, 1, 2, 3),
		IP4(203, 0, 113, 9),
	};
	struct masq_buf *txv[32];
	struct masq_txq tx = { txv, 0, 32 };
	uint32_t count = masq_pool_count(pool);

	for (unsigned i = 0; i < sizeof(dsts) / sizeof(dsts[0]); i++) {
		struct masq_buf *b = masq_pool_get(pool);

		if (!b)
			break;
		frame_spec_udp(&fs, IP4(192, 168, 0, 2), 5000, dsts[i], 53);
		memcpy(fs.eth_dst, (uint8_t[6]){ 2, 0, 0, 0, 1, 1 }, 6);
		frame_build(&fs, b);
		b->iface = i % 2;
		masq_engine_input(e, &b, 1, (i + 1) * NS, &tx);
		masq_engine_advance(e, (i + 1) * NS * 100, &tx);
		if (masq_pool_avail(pool) + tx.n > count ||
		    count - masq_pool_avail(pool) - tx.n > lim.neigh_queue)
			abort();
		for (uint32_t k = 0; k < tx.n; k++)
			masq_pool_put(pool, tx.bufs[k]);
		tx.n = 0;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[4096];
	char *argv[MAX_WORDS + 1];
	struct masq_engine *e;
	size_t n = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	size_t i = 0;

	e = masq_engine_create(&lim, pool);
	if (!e)
		abort();
	ctlline_run_all(e, ctlline_topology);
	memcpy(text, data, n);
	text[n] = '\n';
	while (i <= n) {
		int argc = 0;
		size_t start = i;

		/* one command: words end at ' ' or NUL, the command at '\n' */
		while (i <= n && text[i] != '\n') {
			if (text[i] == ' ' || text[i] == 0) {
				text[i] = 0;
				if (argc < MAX_WORDS)
					argv[argc++] = &text[start];
				start = i + 1;
			}
			i++;
		}
		text[i] = 0;
		if (i > start && argc < MAX_WORDS)
			argv[argc++] = &text[start];
		argv[argc] = NULL;
		run(e, argc, argv);
		i++;
	}
	if (txn) {
		char *commit[] = { "txn", "commit", NULL };

		txn_word(e, 2, commit);
	}
	walk(e);
	masq_engine_destroy(e);
	if (masq_pool_avail(pool) != masq_pool_count(pool))
		abort();
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("MASQ_FUZZ_WRITE_SEEDS");

	(void)argc;
	(void)argv;
	ctlline_small_limits(&lim);
	pool = masq_pool_create(32, 2048);
	if (!pool)
		abort();
	if (dir) {
		for (int k = 0; seeds[k]; k++) {
			char path[1024];
			FILE *f;

			snprintf(path, sizeof(path), "%s/seed-%d", dir, k);
			f = fopen(path, "wb");
			if (f) {
				fputs(seeds[k], f);
				fclose(f);
			}
		}
		exit(0);
	}
	return 0;
}
