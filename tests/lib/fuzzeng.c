// SPDX-License-Identifier: MIT
/*
 * fuzzeng.c - the engine the packet fuzzers feed (see fuzzeng.h)
 *
 * One setup for every fuzzer that hands frames to the engine, so they
 * all reach the filter and translation paths, not only the parser: the
 * usual topology, rules with every target that acts on a packet, and
 * connections established both ways before the input starts; then the
 * same checks after every call. Tables are small (ctlline_small_limits)
 * so that limits are reached often.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctlline.h"
#include "frame.h"
#include "fuzzeng.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

static const uint8_t lan_mac[6] = { 2, 0, 0, 0, 1, 1 };
static const uint8_t wan_mac[6] = { 2, 0, 0, 0, 2, 1 };

static struct masq_pool *pool;
static struct masq_limits lim;
static struct frame_spec fs;

struct masq_pool *fuzzeng_pool(uint32_t count, uint32_t size)
{
	if (!pool) {
		ctlline_small_limits(&lim);
		pool = masq_pool_create(count, size);
		if (!pool)
			abort();
	}
	return pool;
}

/* Reassembly within its budget (masq_engine_frag_held() checks its lists) */
static void fuzzeng_check_frag(const struct masq_engine *e)
{
	uint32_t dgrams, held = masq_engine_frag_held(e, &dgrams);

	if (held > lim.frag_mem || dgrams > held / 1024) {
		fprintf(stderr, "reassembly holds %u bytes in %u datagrams, budget %u\n",
			held, dgrams, lim.frag_mem);
		abort();
	}
}

void fuzzeng_check(struct masq_engine *e, struct masq_txq *tx)
{
	uint32_t count = masq_pool_count(pool), avail = masq_pool_avail(pool);
	int nifs = masq_engine_iface_count(e);

	if (avail + tx->n > count || count - avail - tx->n > lim.neigh_queue) {
		fprintf(stderr, "buffers unaccounted for: pool %u of %u, tx %u\n",
			avail, count, tx->n);
		abort();
	}
	for (uint32_t i = 0; i < tx->n; i++) {
		struct masq_buf *b = tx->bufs[i];
		struct frame_view v;

		if (b->data < b->base ||
		    b->len > b->cap - (uint32_t)(b->data - b->base) ||
		    (int)(b->iface & ~MASQ_IFACE_TWIN) >= nifs ||
		    (b->iface & ~(MASQ_IFACE_TWIN | MASQ_IFACE_MASK))) {
			fprintf(stderr, "tx frame outside its buffer or interface\n");
			abort();
		}
		v.inner = NULL;
		frame_decode(b->data, b->len, &b->meta, &v);
		if (v.has_ip && v.ok && v.ip_csum != FRAME_CSUM_OK) {
			fprintf(stderr, "tx frame with a bad IPv4 header checksum\n");
			abort();
		}
		masq_pool_put(pool, b);
	}
	tx->n = 0;
	fuzzeng_check_frag(e);
}

void fuzzeng_start(uint32_t count, uint32_t size,
		   void (*write_seeds)(const char *dir))
{
	const char *dir = getenv("MASQ_FUZZ_WRITE_SEEDS");

	fuzzeng_pool(count, size);
	if (dir) {
		write_seeds(dir);
		exit(0);
	}
}

void fuzzeng_seed(const char *dir, const char *name, const void *d, size_t n)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return;
	fwrite(d, 1, n, f);
	fclose(f);
}

/* Hand in the frame in @fs on @ifidx; Return: the frames out, decoded first */
static bool feed(struct masq_engine *e, int ifidx, struct masq_txq *tx,
		 struct frame_view *first)
{
	struct masq_buf *b = masq_pool_get(pool);
	bool got;

	if (!b)
		return false;
	memcpy(fs.eth_dst, ifidx ? wan_mac : lan_mac, 6);
	frame_build(&fs, b);
	b->iface = (uint32_t)ifidx;
	masq_engine_input(e, &b, 1, FUZZENG_NS, tx);
	first->inner = NULL;
	got = tx->n && frame_decode(tx->bufs[0]->data, tx->bufs[0]->len,
				    &tx->bufs[0]->meta, first);
	fuzzeng_check(e, tx);
	return got;
}

/* TCP, UDP and ICMP connections, both directions seen */
static void establish(struct masq_engine *e, struct masq_txq *tx)
{
	struct frame_view v;
	uint16_t port;

	frame_spec_tcp(&fs, IP4(192, 168, 0, 2), 40000, IP4(198, 51, 100, 10),
		       80, FRAME_TCP_SYN);
	if (feed(e, 0, tx, &v)) {
		port = v.sport;
		frame_spec_tcp(&fs, IP4(198, 51, 100, 10), 80,
			       IP4(203, 0, 113, 1), port,
			       FRAME_TCP_SYN | FRAME_TCP_ACK);
		fs.ack = 1;
		feed(e, 1, tx, &v);
		frame_spec_tcp(&fs, IP4(192, 168, 0, 2), 40000,
			       IP4(198, 51, 100, 10), 80, FRAME_TCP_ACK);
		feed(e, 0, tx, &v);
	}
	frame_spec_udp(&fs, IP4(192, 168, 0, 3), 5353, IP4(198, 51, 100, 10),
		       53);
	if (feed(e, 0, tx, &v)) {
		frame_spec_udp(&fs, IP4(198, 51, 100, 10), 53,
			       IP4(203, 0, 113, 1), v.sport);
		feed(e, 1, tx, &v);
	}
	frame_spec_icmp_echo(&fs, IP4(192, 168, 0, 2), IP4(198, 51, 100, 10),
			     true, 77, 1);
	if (feed(e, 0, tx, &v)) {
		frame_spec_icmp_echo(&fs, IP4(198, 51, 100, 10),
				     IP4(203, 0, 113, 1), false, v.icmp_id, 1);
		feed(e, 1, tx, &v);
	}
}

/* Rules added to the default ruleset: every target that acts on a packet */
static const char rules[] =
	"*mangle\n"
	"-A PREROUTING -p udp -j MARK --set-mark 0x5\n"
	"-A FORWARD -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu\n"
	"COMMIT\n"
	"*nat\n"
	"-A PREROUTING -i wan0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 192.168.0.2:80\n"
	"-A PREROUTING -i lan0 -p tcp -m tcp --dport 3128 -j REDIRECT --to-ports 8080\n"
	"COMMIT\n"
	"*filter\n"
	":many - [0:0]\n"
	"-I INPUT 1 -m limit --limit 50/sec -j LOG --log-prefix \"in: \"\n"
	"-I FORWARD 1 -j many\n"
	"-I FORWARD 2 -p tcp -m tcp --dport 113 -j REJECT --reject-with tcp-reset\n"
	"-I FORWARD 2 -p udp -m multiport --dports 137,138 -j REJECT\n"
	"-I FORWARD 2 -m mark --mark 0x7 -j DROP\n"
	"-I FORWARD 2 -m mac --mac-source 02:00:00:00:01:09 -j DROP\n"
	"-A OUTPUT -j LOG\n"
	"%s"
	"COMMIT\n";

static void log_nowhere(void *ctx, int level, const char *line)
{
	(void)ctx;
	(void)level;
	(void)line;
}

static void add_rules(struct masq_engine *e)
{
	static char text[4096];
	char many[2048];
	size_t at = 0;
	char *argv[] = { "iptables-restore", "--noflush", text };
	struct masq_text out = { 0 };

	for (int i = 0; i < 20; i++)
		at += (size_t)snprintf(many + at, sizeof(many) - at,
				       "-A many -s 10.0.%d.0/24 -p tcp -m tcp --dport %d -j DROP\n",
				       i, 1000 + i);
	snprintf(text, sizeof(text), rules, many);
	masq_engine_set_log(e, log_nowhere, NULL);
	if (masq_engine_ctl(e, 3, argv, &out)) {
		fprintf(stderr, "fuzz_frames: rules refused: %s\n", out.s);
		abort();
	}
	masq_text_free(&out);
}

/*
 * Forwards of every kind (mode bit 7): portfw at 1:1, mfw, autofw (under
 * a 2.x ruleset its input rule marks for mfw, not the mangle table)
 */
static int add_forwards(struct masq_engine *e, bool legacy)
{
	static const char *const fwds[] = {
		"ipmasqadm portfw -a -P tcp -L 203.0.113.1 80 -R 192.168.0.2 80 -p 1",
		"ipmasqadm portfw -a -P tcp -L 203.0.113.1 80 -R 192.168.0.3 8080 -p 1",
		"ipmasqadm portfw -a -P udp -L 203.0.113.1 53 -R 192.168.0.2 53",
		"iptables -t mangle -A PREROUTING -p tcp --dport 443 -j MARK --set-mark 7",
		"ipmasqadm mfw -A -m 7 -r 192.168.0.3 -p 0",
		"ipmasqadm autofw -A -r udp 7000 7010 -c tcp 7070",
		"ipmasqadm autofw -A -r tcp 6000 6001 -h 192.168.0.2",
	};

	for (size_t i = 0; i < sizeof(fwds) / sizeof(*fwds); i++)
		if (!(legacy && !strncmp(fwds[i], "iptables", 8)) &&
		    ctlline_run(e, fwds[i], NULL))
			return -1;
	return 0;
}

/*
 * A 2.x ruleset instead of the iptables rules (filtering 3, fuzzeng.h):
 * every part of fw2.c's traversal and of the rules' own tests and acts
 */
static const char *const rules_ipchains[] = {
	"ipchains -P input ACCEPT",
	"ipchains -P forward DENY",
	"ipchains -N lanchk",
	"ipchains -A lanchk -s 192.168.0.3 -j RETURN",
	"ipchains -A lanchk -p tcp -d 0.0.0.0/0 113 -j REJECT",
	"ipchains -A forward -i wan0 -j lanchk",
	"ipchains -A forward -s 192.168.0.0/24 -j MASQ",
	"ipchains -A input -p tcp -y -d 203.0.113.1/32 443 -m 7",
	"ipchains -A input -p udp -s 192.168.0.0/24 -d 0.0.0.0/0 53 -t 0x01 0x10 -l",
	"ipchains -A input -p icmp -s 0.0.0.0/0 8 -i wan0 -l",
	"ipchains -A input -p tcp -s 192.168.0.0/24 ! 1024:65535 -d 0.0.0.0/0 3128 -j REDIRECT 8080",
	"ipchains -A input -b -p tcp -s 10.0.0.0/8 -d 0.0.0.0/0 ! 22 -j DENY",
	"ipchains -A output -p tcp -s 203.0.113.1 -d 0.0.0.0/0 25 -i wan0 -j REJECT",
	"ipmasqadm mfw -A -m 7 -r 192.168.0.3 -p 0",
	NULL,
};

static const char *const rules_ipfwadm[] = {
	"ipfwadm -I -p accept",
	"ipfwadm -F -p deny",
	"ipfwadm -F -a m -S 192.168.0.0/24 -D 0.0.0.0/0",
	"ipfwadm -I -a deny -P tcp -k -S 198.51.100.11 80 -W wan0 -o",
	"ipfwadm -I -a reject -P tcp -D 203.0.113.1 6000:6010 22 -V 203.0.113.1",
	"ipfwadm -I -a deny -P icmp -S 0.0.0.0/0 8 13 -W wan0",
	"ipfwadm -I -a accept -P tcp -y -b -S 192.168.0.2 -D 0.0.0.0/0 80 443 -t 0xff 0x08",
	"ipfwadm -I -a accept -P tcp -S 192.168.0.0/24 -D 0.0.0.0/0 3128 -r 8080",
	"ipfwadm -A in -a -P tcp -S 198.51.100.10 80",
	"ipfwadm -A out -a -P udp -D 0.0.0.0/0 53 -W wan0",
	"ipfwadm -A both -a -b -S 192.168.0.2",
	NULL,
};

/* The mode byte's settings (fuzzeng.h) */
static void set_mode(struct masq_engine *e, uint8_t mode)
{
	static const char *const filtering[4] = {
		"set filtering address-and-port-dependent",
		"set filtering address-dependent",
		"set filtering endpoint-independent",
		"set filtering address-and-port-dependent",
	};

	if (ctlline_run(e, filtering[mode & 3], NULL) ||
	    ((mode & 4) &&
	     ctlline_run(e, "set mapping address-and-port-dependent", NULL)) ||
	    ((mode & 8) && ctlline_run(e, "set tcp-pickup on", NULL)) ||
	    ((mode & 16) && (ctlline_run(e, "set host-cap 4", NULL) ||
			     ctlline_run(e, "set inbound-halfopen 2", NULL) ||
			     ctlline_run(e, "set conntrack-max 16", NULL))) ||
	    ((mode & 64) && (ctlline_run(e, "iface set lan0 twin on", NULL) ||
			     ctlline_run(e, "iface set wan0 twin on", NULL) ||
			     ctlline_run(e, "host-ports tcp 22,2222 udp 53",
					 NULL))) ||
	    ((mode & 128) && add_forwards(e, (mode & 3) == 3))) {
		fprintf(stderr, "fuzzeng: mode 0x%02x refused\n", mode);
		abort();
	}
}

struct masq_engine *fuzzeng_create(uint8_t mode)
{
	struct masq_buf *txv[64];
	struct masq_txq tx = { txv, 0, 64 };
	struct masq_engine *e = masq_engine_create(&lim, fuzzeng_pool(256, 4096));

	if (!e || ctlline_run_all(e, ctlline_topology) >= 0)
		abort();
	if ((mode & 3) == 3) {
		masq_engine_set_log(e, log_nowhere, NULL);
		if (ctlline_run_all(e, mode & 32 ? rules_ipfwadm :
					       rules_ipchains) >= 0)
			abort();
	} else if (!(mode & 32)) {
		add_rules(e);
	}
	set_mode(e, mode);
	establish(e, &tx);
	return e;
}

void fuzzeng_destroy(struct masq_engine *e)
{
	masq_engine_destroy(e);
	if (masq_pool_avail(pool) != masq_pool_count(pool)) {
		fprintf(stderr, "destroy left %u buffers out of the pool\n",
			masq_pool_count(pool) - masq_pool_avail(pool));
		abort();
	}
}
