// SPDX-License-Identifier: MIT
/*
 * options.c - parse and check masqd's command line (see options.h)
 *
 * Errors go to stderr as "masqd: WHAT" naming the option and the word that
 * is wrong; parsing goes on so that one run lists every mistake.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <ctype.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control/proto.h"
#include "control/suggest.h"
#include "masqd/options.h"

const char *const masqd_role_names[ROLE_NUM] = {
	[ROLE_INTERNAL] = "internal",
	[ROLE_EXTERNAL] = "external",
};
static_assert(sizeof(masqd_role_names) / sizeof(masqd_role_names[0]) ==
	      ROLE_NUM, "a name for each role");

const char *const masqd_io_names[IO_NUM] = {
	[IO_AFPACKET] = "afpacket",
	[IO_AFXDP] = "afxdp",
};
static_assert(sizeof(masqd_io_names) / sizeof(masqd_io_names[0]) == IO_NUM,
	      "a name for each I/O");

enum {
	OPT_INTERNAL = 256,
	OPT_EXTERNAL,
	OPT_GATEWAY,
	OPT_NO_VNET,
	OPT_RING,
	OPT_POOL,
	OPT_NO_TAKEOVER,
	OPT_CONNTRACK_MAX,
	OPT_TWIN,
	OPT_NO_TWINS,
	OPT_METRICS,
	OPT_RELEASE,
	OPT_USER,
	OPT_NO_RESTORE,
	OPT_IO,
	OPT_WORKERS,
	OPT_NO_GRO,
	OPT_RECENT_LIST_TOT,
	OPT_CHECK_CONFIG,
};

#define OPT_SHORT	"c:s:fhVt"

static const struct option long_opts[] = {
	{ "internal",		required_argument, NULL, OPT_INTERNAL },
	{ "external",		required_argument, NULL, OPT_EXTERNAL },
	{ "gateway",		required_argument, NULL, OPT_GATEWAY },
	{ "config",		required_argument, NULL, 'c' },
	{ "socket",		required_argument, NULL, 's' },
	{ "foreground",		no_argument,	   NULL, 'f' },
	{ "no-vnet-hdr",	no_argument,	   NULL, OPT_NO_VNET },
	{ "ring-frames",	required_argument, NULL, OPT_RING },
	{ "pool-buffers",	required_argument, NULL, OPT_POOL },
	{ "no-takeover",	no_argument,	   NULL, OPT_NO_TAKEOVER },
	{ "conntrack-max",	required_argument, NULL, OPT_CONNTRACK_MAX },
	{ "twin",		required_argument, NULL, OPT_TWIN },
	{ "no-twins",		no_argument,	   NULL, OPT_NO_TWINS },
	{ "metrics",		required_argument, NULL, OPT_METRICS },
	{ "release",		no_argument,	   NULL, OPT_RELEASE },
	{ "user",		required_argument, NULL, OPT_USER },
	{ "no-restore",		no_argument,	   NULL, OPT_NO_RESTORE },
	{ "io",			required_argument, NULL, OPT_IO },
	{ "workers",		required_argument, NULL, OPT_WORKERS },
	{ "no-gro",		no_argument,	   NULL, OPT_NO_GRO },
	{ "recent-list-tot",	required_argument, NULL, OPT_RECENT_LIST_TOT },
	{ "check-config",	required_argument, NULL, OPT_CHECK_CONFIG },
	{ "help",		no_argument,	   NULL, 'h' },
	{ "version",		no_argument,	   NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/**
 * opts_usage() - Print the synopsis and options
 * @f:		stream
 */
void opts_usage(FILE *f)
{
	fprintf(f,
"usage: masqd --internal IFACE=ADDR/LEN ... --external IFACE=ADDR/LEN ...\n"
"             [--gateway ADDR] [-c FILE] [-s SOCKET] [-f] [--conntrack-max N]\n"
"             [--twin IFACE=NAME ...] [--no-twins] [--user NAME]\n"
"             [--no-restore] [--io afpacket|afxdp]\n"
"       masqd --release [-s SOCKET] IFACE...\n"
"       masqd -t -c FILE [--internal ...] [--external ...] [--gateway ADDR]\n"
"\n"
"A userspace IP masquerading router on the named Ethernet interfaces.\n"
"\n"
"  --internal IFACE=ADDR/LEN  own IFACE as an internal interface with this\n"
"                             router address (repeat for more)\n"
"  --external IFACE=ADDR/LEN  own IFACE as an external interface; connections\n"
"                             leaving by it are masqueraded (repeat for more)\n"
"  --external IFACE=dhcp      ... with no address until the host's DHCP\n"
"                             client on its twin gets one\n"
"  --gateway ADDR             default route via ADDR\n"
"  -c, --config FILE          run FILE's control commands at start (masq.conf(5))\n"
"  -t (with -c FILE), --check-config FILE\n"
"                             do not start: check FILE on a scratch engine\n"
"                             with the interfaces and addresses given; print\n"
"                             every error (or \"FILE: ok\"), exit 1 (or 0)\n"
"  -s, --socket PATH          control socket (default %s)\n"
"  -f, --foreground           stay in the foreground, log to stderr\n"
"      --io afpacket|afxdp    packet I/O: AF_PACKET rings (default, works\n"
"                             everywhere) or AF_XDP sockets with an XDP\n"
"                             program on every receive queue (no\n"
"                             virtio-net header; masqd(8), I/O)\n"
"      --workers N            packet threads, one per CPU (default 1; at most\n"
"                             the CPUs; with afxdp worker k takes the queues\n"
"                             q with q %% N == k; masqd(8), WORKERS)\n"
"      --no-vnet-hdr          do not carry the virtio-net header (the wire then\n"
"                             must have offloads off: ethtool -K IF tx off tso off gso off gro off)\n"
"      --no-gro               do not coalesce received TCP segments into\n"
"                             super-frames (userspace GRO; needs the header)\n"
"      --ring-frames N        receive ring slots per interface (default 4096,\n"
"                             2 KiB each at MTU 1500; 64..65536)\n"
"      --pool-buffers N       packet buffers (default 2048 with the header,\n"
"                             4096 without; 256..262144)\n"
"      --no-takeover          do not take the interfaces from the kernel's stack\n"
"                             (no nft drops, no sysctl changes): refuse\n"
"                             to start unless they are already right\n"
"      --conntrack-max N      connections the table is made for (default\n"
"                             262144: 45 MiB; 1048576: 126 MiB; 1024..16777215)\n"
"      --recent-list-tot N    addresses each -m recent list keeps, the oldest\n"
"                             evicted first (default 100, as xt_recent's\n"
"                             ip_list_tot; 1..65536)\n"
"      --twin IFACE=NAME      name IFACE's twin, the TAP device through which\n"
"                             the host's own services use IFACE (default: the\n"
"                             first 13 characters of IFACE, then -h: lan0-h)\n"
"      --no-twins             no twins: the host gets no network through\n"
"                             masqd\n"
"      --metrics [ADDR:]PORT  serve Prometheus metrics over HTTP (ADDR default\n"
"                             127.0.0.1; masqd(8), METRICS)\n"
"      --user NAME            the packet process runs as NAME after the start\n"
"                             (default masq, else nobody; root: for debugging)\n"
"      --no-restore           start empty: ignore (and remove) the state a\n"
"                             stopping masqd left (masqd(8), RESTARTS)\n"
"      --release IFACE...     do not start: give IFACE back to the kernel\n"
"                             from what a masqd that died recorded under\n"
"                             /run/masq (sysctls, its nft table)\n"
"  -h, --help                 this text\n"
"  -V, --version              masqd's version\n"
"\n"
"Each owned interface must be Ethernet, up and have no kernel IPv4 address.\n"
"While masqd runs, nft netdev drops keep the kernel's stack off them (in and\n"
"out) and it sets forwarding 0, disable_ipv6 1, arp_ignore 8; at exit it puts\n"
"the previous values back and removes the drops. Each gets a twin (a TAP\n"
"device with its MAC, MTU and router addresses) for the host's own use.\n"
"See masqd(8) and masqctl(8).\n", CTL_DEFAULT_SOCKET);
}

static int err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "masqd: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* "A.B.C.D/LEN" with a canonical dotted quad and LEN 0..32 */
static int cidr_ok(const char *s)
{
	char a[INET_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	struct in_addr in;
	char *end;
	long len;

	if (!slash || (size_t)(slash - s) >= sizeof(a))
		return 0;
	memcpy(a, s, (size_t)(slash - s));
	a[slash - s] = '\0';
	if (inet_pton(AF_INET, a, &in) != 1 || !slash[1])
		return 0;
	len = strtol(slash + 1, &end, 10);
	return !*end && len >= 0 && len <= 32 && slash[1] != '+' &&
	       slash[1] != '-' && strlen(slash + 1) <= 2;
}

static int iface_index(struct masqd_opts *o, const char *name,
		       enum masqd_role role, const char *opt)
{
	for (int i = 0; i < o->nifaces; i++) {
		if (strcmp(o->ifaces[i].name, name))
			continue;
		if (o->ifaces[i].role != role)
			return err("%s: interface %s is already internal or "
				   "external: one role per interface", opt, name);
		return i;
	}
	if (o->nifaces == MASQD_MAX_IFACES)
		return err("%s %s: more than 32 interfaces", opt, name);
	snprintf(o->ifaces[o->nifaces].name, IF_NAMESIZE, "%s", name);
	o->ifaces[o->nifaces].role = role;
	return o->nifaces++;
}

static bool has_addr(const struct masqd_opts *o, int idx)
{
	for (int i = 0; i < o->naddrs; i++)
		if (o->addrs[i].iface == idx)
			return true;
	return false;
}

/* --external IFACE=dhcp: the interface with no address (yet) */
static int add_dhcp(struct masqd_opts *o, const char *name, const char *arg,
		    enum masqd_role role)
{
	const char *opt = role == ROLE_INTERNAL ? "--internal" : "--external";
	int idx;

	if (role != ROLE_EXTERNAL)
		return err("%s %s: dhcp is for --external only (an internal "
			   "interface's addresses are the router's to give)",
			   opt, arg);
	idx = iface_index(o, name, role, opt);
	if (idx < 0)
		return -1;
	if (o->ifaces[idx].dhcp)
		return err("%s %s: given twice", opt, arg);
	if (has_addr(o, idx))
		return err("%s %s: the interface has an address as well: "
			   "an address or dhcp, not both", opt, arg);
	o->ifaces[idx].dhcp = true;
	return 0;
}

/* --internal/--external IFACE=ADDR/LEN (or IFACE=dhcp) */
static int add_addr(struct masqd_opts *o, const char *arg, enum masqd_role role)
{
	const char *opt = role == ROLE_INTERNAL ? "--internal" : "--external";
	const char *eq = strchr(arg, '=');
	char name[IF_NAMESIZE];
	int idx;

	if (!eq || eq == arg)
		return err("%s %s: expected IFACE=ADDR/LEN, e.g. lan0=192.168.0.1/24",
			   opt, arg);
	if ((size_t)(eq - arg) >= IF_NAMESIZE)
		return err("%s %s: interface name longer than 15 characters",
			   opt, arg);
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	if (!strcmp(eq + 1, "dhcp"))
		return add_dhcp(o, name, arg, role);
	if (!cidr_ok(eq + 1))
		return err("%s %s: expected an IPv4 address and prefix length "
			   "0-32, e.g. 192.168.0.1/24", opt, arg);
	if (o->naddrs == MASQD_MAX_ADDRS)
		return err("%s %s: more than 64 addresses", opt, arg);
	idx = iface_index(o, name, role, opt);
	if (idx < 0)
		return -1;
	if (o->ifaces[idx].dhcp)
		return err("%s %s: the interface is dhcp as well: an address "
			   "or dhcp, not both", opt, arg);
	o->addrs[o->naddrs].iface = idx;
	snprintf(o->addrs[o->naddrs].cidr, sizeof(o->addrs[0].cidr), "%s", eq + 1);
	o->naddrs++;
	return 0;
}

/**
 * opts_ifname_ok() - Is @name one masqd may give a twin?
 * @name:	the name
 *
 * What the kernel takes (1 to 15 bytes, not "." or "..", no '/', ':' or
 * white space), printable ASCII only, and no '%' (TUNSETIFF would read
 * "%d" as "pick a number").
 * Return: true when it may
 */
bool opts_ifname_ok(const char *name)
{
	size_t n = strnlen(name, IF_NAMESIZE);

	if (!n || n >= IF_NAMESIZE || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (const char *p = name; *p; p++)
		if (!isgraph((unsigned char)*p) || (unsigned char)*p > 0x7e ||
		    strchr("/:%", *p))
			return false;
	return true;
}

/**
 * opts_twin_name() - The default name of an interface's twin
 * @iface:	the owned interface
 * @name:	filled: its first 13 characters, then MASQD_TWIN_SUFFIX
 *		("lan0" -> "lan0-h"; 15 characters at most)
 */
void opts_twin_name(const char *iface, char name[IF_NAMESIZE])
{
	snprintf(name, IF_NAMESIZE, "%.*s%s",
		 (int)(IF_NAMESIZE - 1 - strlen(MASQD_TWIN_SUFFIX)), iface,
		 MASQD_TWIN_SUFFIX);
}

/* --twin IFACE=NAME, kept until every interface is known */
static int add_twin(struct masqd_opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct masqd_twin_opt *t;

	if (!eq || eq == arg || (size_t)(eq - arg) >= IF_NAMESIZE)
		return err("--twin %s: expected IFACE=NAME, e.g. lan0=lan0-host",
			   arg);
	if (!opts_ifname_ok(eq + 1))
		return err("--twin %s: '%s' is no interface name (1 to 15 "
			   "printable characters, none of / : %% or space)",
			   arg, eq + 1);
	if (o->ntwin_opts == MASQD_MAX_IFACES)
		return err("--twin %s: more than 32", arg);
	t = &o->twin_opts[o->ntwin_opts++];
	memcpy(t->iface, arg, (size_t)(eq - arg));
	t->iface[eq - arg] = '\0';
	snprintf(t->name, sizeof(t->name), "%s", eq + 1);
	return 0;
}

static int iface_find(const struct masqd_opts *o, const char *name)
{
	for (int i = 0; i < o->nifaces; i++)
		if (!strcmp(o->ifaces[i].name, name))
			return i;
	return -1;
}

/* Each --twin to its interface; Return: errors found */
static int apply_twin_opts(struct masqd_opts *o)
{
	bool named[MASQD_MAX_IFACES] = { false };
	int bad = 0;

	for (int k = 0; k < o->ntwin_opts; k++) {
		const struct masqd_twin_opt *t = &o->twin_opts[k];
		int i = iface_find(o, t->iface);

		if (i < 0) {
			bad -= err("--twin %s=%s: not an owned interface "
				   "(name it with --internal or --external)",
				   t->iface, t->name);
			continue;
		}
		if (named[i]) {
			bad -= err("--twin %s=%s: a second name for the twin "
				   "of %s", t->iface, t->name, t->iface);
			continue;
		}
		named[i] = true;	/* add_twin() checked the length */
		memcpy(o->ifaces[i].twin, t->name, sizeof(t->name));
	}
	return bad;
}

/* No two twins alike, none an owned interface; Return: errors found */
static int check_twin_names(struct masqd_opts *o)
{
	int bad = 0;

	for (int i = 0; i < o->nifaces; i++) {
		const char *tw = o->ifaces[i].twin;

		if (!opts_ifname_ok(tw))
			bad -= err("twin of %s: '%s' is no interface name "
				   "(--twin IFACE=NAME gives another)",
				   o->ifaces[i].name, tw);
		for (int j = 0; j < o->nifaces; j++) {
			if (!strcmp(tw, o->ifaces[j].name))
				bad -= err("twin of %s: '%s' is an owned "
					   "interface (--twin IFACE=NAME gives "
					   "another name)", o->ifaces[i].name,
					   tw);
			else if (j < i && !strcmp(tw, o->ifaces[j].twin))
				bad -= err("twins of %s and %s would both be "
					   "named '%s' (--twin IFACE=NAME gives "
					   "one another name)",
					   o->ifaces[j].name, o->ifaces[i].name,
					   tw);
		}
	}
	return bad;
}

/* The twins' names: defaults, --twin, checks; Return: 0 or -1 */
static int resolve_twins(struct masqd_opts *o)
{
	int bad;

	if (o->no_twins) {
		if (!o->ntwin_opts)
			return 0;
		return err("--twin %s=%s and --no-twins: choose one",
			   o->twin_opts[0].iface, o->twin_opts[0].name);
	}
	for (int i = 0; i < o->nifaces; i++)
		opts_twin_name(o->ifaces[i].name, o->ifaces[i].twin);
	bad = apply_twin_opts(o);
	bad += check_twin_names(o);
	return bad ? -1 : 0;
}

static int set_gateway(struct masqd_opts *o, const char *arg)
{
	struct in_addr in;

	if (o->gateway[0])
		return err("--gateway %s: only one gateway (already %s)", arg,
			   o->gateway);
	if (inet_pton(AF_INET, arg, &in) != 1)
		return err("--gateway %s: not an IPv4 address%s", arg, "");
	snprintf(o->gateway, sizeof(o->gateway), "%s", arg);
	return 0;
}

static int number(const char *opt, const char *arg, uint32_t lo, uint32_t hi,
		  uint32_t *out)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 10);

	if (!*arg || *end || arg[0] == '-' || v < lo || v > hi) {
		fprintf(stderr, "masqd: %s %s: expected a number from %u to %u\n",
			opt, arg, lo, hi);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

/* --io NAME; AF_XDP carries no virtio-net header (afxdp.h) */
static int set_io(struct masqd_opts *o, const char *arg)
{
	for (int i = 0; i < IO_NUM; i++)
		if (!strcmp(arg, masqd_io_names[i])) {
			o->io = (enum masqd_io)i;
			return 0;
		}
	return err("--io %s: expected afpacket or afxdp", arg);
}

static int one_opt(struct masqd_opts *o, int c, const char *arg)
{
	switch (c) {
	case OPT_INTERNAL:
		return add_addr(o, arg, ROLE_INTERNAL);
	case OPT_EXTERNAL:
		return add_addr(o, arg, ROLE_EXTERNAL);
	case OPT_GATEWAY:
		return set_gateway(o, arg);
	case 'c':
		o->conf = arg;
		return 0;
	case 't':
		o->check = true;
		return 0;
	case OPT_CHECK_CONFIG:
		o->check = true;
		o->conf = arg;
		return 0;
	case 's':
		o->sock = arg;
		return 0;
	case 'f':
		o->foreground = true;
		return 0;
	case OPT_NO_VNET:
		o->vnet_hdr = false;
		return 0;
	case OPT_RING:
		return number("--ring-frames", arg, 64, 65536, &o->ring_frames);
	case OPT_POOL:
		return number("--pool-buffers", arg, 256, 262144,
			      &o->pool_buffers);
	case OPT_NO_TAKEOVER:
		o->no_takeover = true;
		return 0;
	case OPT_CONNTRACK_MAX:
		return number("--conntrack-max", arg, 1024, 16777215,
			      &o->conntrack_max);
	case OPT_TWIN:
		return add_twin(o, arg);
	case OPT_NO_TWINS:
		o->no_twins = true;
		return 0;
	case OPT_METRICS:	/* checked when it opens (metrics.c) */
		o->metrics = arg;
		return 0;
	case OPT_USER:		/* looked up at the start (sandbox.c) */
		o->user = arg;
		return 0;
	case OPT_RELEASE:
		o->nrelease = -1;	/* the words after the options */
		return 0;
	case OPT_NO_RESTORE:
		o->no_restore = true;
		return 0;
	case OPT_IO:
		return set_io(o, arg);
	case OPT_WORKERS:
		return number("--workers", arg, 1, MASQD_MAX_WORKERS,
			      &o->workers);
	case OPT_RECENT_LIST_TOT:
		return number("--recent-list-tot", arg, 1, 65536,
			      &o->recent_list_tot);
	case OPT_NO_GRO:
		o->no_gro = true;
		return 0;
	default:
		return -1;	/* getopt said what was wrong */
	}
}

/* --release IFACE...: only -s goes with it; Return: 0 or -1 (printed) */
static int release_words(struct masqd_opts *o, int n, char **words)
{
	o->nrelease = 0;
	if (o->nifaces || o->conf || o->no_twins || o->ntwin_opts)
		return err("--release takes interface names and -s SOCKET "
			   "only: masqd --release [-s SOCKET] IFACE...");
	if (!n)
		return err("--release: name the interfaces to give back");
	if (n > MASQD_MAX_IFACES)
		return err("--release: more than 32 interfaces");
	if (strlen(o->sock) >= 108)
		return err("-s %s: socket path longer than 107 bytes", o->sock);
	for (int i = 0; i < n; i++) {
		if (!opts_ifname_ok(words[i]) || strpbrk(words[i], "\"\\"))
			return err("--release %s: not an interface name", words[i]);
		for (int j = 0; j < i; j++)
			if (!strcmp(words[i], words[j]))
				return err("--release %s: named twice", words[i]);
		o->release[o->nrelease++] = words[i];
	}
	return 0;
}

/* Do two or more long options start with @name's @len letters? */
static bool starts_several(const char *name, size_t len)
{
	int n = 0;

	for (const struct option *l = long_opts; l->name; l++)
		n += !strncmp(l->name, name, len);
	return n > 1;
}

/*
 * What getopt_long() found wrong with @word (its own messages are off:
 * opterr 0), said as masqd says things, an unknown long option with the
 * one it is nearest (suggest.h). Return: -1
 */
static int bad_option(int c, const char *word)
{
	const char *name = word + strspn(word, "-");
	size_t len = strcspn(name, "=");
	const char *near;

	if (c == ':')
		return err("option %s needs a value", word);
	if (optopt && optopt < 256 && !strchr(OPT_SHORT, optopt))
		return err("unknown option -%c", optopt);
	if (optopt)		/* a flag given "=VALUE" */
		return err("option %.*s takes no value", (int)(name - word + len),
			   word);
	if (word[1] == '-' && starts_several(name, len))
		return err("option %.*s is ambiguous: say more of it",
			   (int)(name - word + len), word);
	near = word[1] == '-' ? suggest_word(name, len, long_opts,
					     sizeof(long_opts) / sizeof(*long_opts),
					     sizeof(*long_opts)) : NULL;
	if (near)
		return err("unknown option %.*s; did you mean --%s?",
			   (int)(name - word + len), word, near);
	return err("unknown option %.*s", (int)(name - word + len), word);
}

/**
 * opts_parse() - Parse and check the command line
 * @argc:	from main()
 * @argv:	from main()
 * @o:		filled
 *
 * Return: 0 to run (or, with @o->nrelease, to release), 1 when --help
 * was printed (exit 0), -1 on errors
 * (each printed to stderr; exit 2)
 */
int opts_parse(int argc, char **argv, struct masqd_opts *o)
{
	int c, bad = 0;

	memset(o, 0, sizeof(*o));
	o->sock = CTL_DEFAULT_SOCKET;
	o->vnet_hdr = true;
	opterr = 0;		/* bad_option() says it */
	while ((c = getopt_long(argc, argv, ":" OPT_SHORT, long_opts, NULL)) != -1) {
		if (c == 'h') {
			opts_usage(stdout);
			return 1;
		}
		if (c == 'V') {
			printf("masqd %s\n", MASQ_VERSION);
			return 1;
		}
		if (c == '?' || c == ':' ? bad_option(c, argv[optind - 1]) :
		    one_opt(o, c, optarg))
			bad = 1;
	}
	if (o->io == IO_AFXDP)
		o->vnet_hdr = false;	/* XDP sees no GSO frames */
	if (!o->workers)
		o->workers = 1;
	if (o->workers > 1 && o->workers > (uint32_t)sysconf(_SC_NPROCESSORS_ONLN)) {
		fprintf(stderr, "masqd: --workers %u: more than the %ld CPUs\n",
			o->workers, sysconf(_SC_NPROCESSORS_ONLN));
		bad = 1;
	}
	if (o->nrelease)
		return bad || release_words(o, argc - optind, argv + optind) ?
		       -1 : 0;
	if (optind < argc) {
		fprintf(stderr, "masqd: unexpected argument '%s'\n", argv[optind]);
		bad = 1;
	}
	if (o->check && !o->conf) {
		fprintf(stderr, "masqd: -t: name the file to check with -c "
			"FILE (or --check-config FILE)\n");
		bad = 1;
	}
	if (!bad && !o->nifaces && !o->check) {	/* -t: the file may add them */
		fprintf(stderr, "masqd: no interfaces: give at least one "
			"--internal or --external IFACE=ADDR/LEN\n");
		bad = 1;
	}
	if (resolve_twins(o))
		bad = 1;
	if (strlen(o->sock) >= 108) {
		fprintf(stderr, "masqd: -s %s: socket path longer than 107 bytes\n",
			o->sock);
		bad = 1;
	}
	if (bad)
		fprintf(stderr, "masqd: try 'masqd --help'\n");
	return bad ? -1 : 0;
}
