// SPDX-License-Identifier: MIT
/*
 * setup.c - bring masqd up: check the kernel, configure the engine, open ports
 *
 * Order matters and is all-or-nothing: every interface is checked (and
 * every problem reported) before anything is opened; the engine is
 * configured from the command line, then the -c file is checked whole
 * (config.c: every failing command is reported with its file and line)
 * and only then applied; only then are the packet sockets opened, and last (after the
 * control socket, whose path names masqd's nft table) the interfaces are
 * taken from the kernel's stack. So a configuration error never leaves a
 * half-started router on the wire, nor a changed kernel.
 *
 * The command line becomes commands of the control language, exactly what
 * a person could type with masqctl:
 *
 *	iface add lan0 mac 02:6d:71:00:01:01 mtu 1500 role internal
 *	addr add 192.168.0.1/24 dev lan0
 *	route add default via 203.0.113.254 proto boot
 *
 * and for --external wan0=dhcp, no address but
 *
 *	iface set wan0 dhcp on
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "masqd/log.h"
#include "masqd/masqd.h"
#include "masqd/port.h"
#include "masqd/privsep.h"

#define SOCKBUF_BYTES		(4u << 20)

/**
 * setup_links() - Read and check every owned interface
 * @d:		daemon
 *
 * Return: 0, or -1 after logging every problem with its fix
 */
int setup_links(struct masqd *d)
{
	struct kc_report rep = { 0 };
	char *line, *save = NULL;

	if (d->o.io == IO_AFXDP && !afxdp_built()) {	/* before any check */
		logmsg(LOG_ERR, "--io afxdp: masqd was built without AF_XDP "
		       "support (install libxdp-dev and rebuild)");
		return -1;
	}
	for (int i = 0; i < d->o.nifaces; i++) {
		const char *name = d->o.ifaces[i].name;

		if (!kc_link_read(name, &d->links[i], &rep))
			kc_check_owned(name, d->o.no_takeover, &rep);
	}
	if (!rep.problems)
		return 0;
	for (line = strtok_r(rep.s, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		logmsg(LOG_ERR, "%s", line);
	logmsg(LOG_ERR, "refusing to start: %u problem%s with the owned "
	       "interfaces (see masqd(8), OWNED INTERFACES)", rep.problems,
	       rep.problems == 1 ? "" : "s");
	kc_report_free(&rep);
	return -1;
}

/* Run one command; log a failure, or a warning, with @where and the text */
static int run(struct masqd *d, const char *where, int argc, char *const *argv)
{
	struct masq_text out = { 0 };
	int st = workers_ctl(d, argc, argv, &out);	/* every engine */

	if (st) {
		char cmd[256];
		size_t n = 0;

		cmd[0] = '\0';
		for (int i = 0; i < argc && n < sizeof(cmd) - 1; i++)
			n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, "%s%s",
					      i ? " " : "", argv[i]);
		while (out.len && out.s[out.len - 1] == '\n')
			out.s[--out.len] = '\0';
		logmsg(LOG_ERR, "%s: '%s' failed (status %d): %s", where, cmd,
		       st, out.len ? out.s : "(no message)");
	} else if (out.len && !strncmp(out.s, "warning: ", 9)) {
		/* taken, but questionable (engine/addrcheck.c) */
		while (out.s[out.len - 1] == '\n')
			out.s[--out.len] = '\0';
		logmsg(LOG_WARNING, "%s: %s", where, out.s);
	}
	masq_text_free(&out);
	return st ? -1 : 0;
}

/*
 * A command-line command: run it, and keep it for reloads (config.c);
 * with -t only kept, for the check's scratch engine (check.c)
 */
static int cmdline(struct masqd *d, int argc, char *const *argv)
{
	if (d->o.check)
		return config_base(d, argc, argv);
	return run(d, "command line", argc, argv) || config_base(d, argc, argv);
}

static int config_iface(struct masqd *d, int i)
{
	const struct kc_link *l = &d->links[i];
	char mac[18], mtu[12];
	char *argv[] = { "iface", "add", (char *)l->name, "mac", mac, "mtu", mtu,
			 "role", (char *)masqd_role_names[d->o.ifaces[i].role],
			 NULL };

	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", l->mac[0],
		 l->mac[1], l->mac[2], l->mac[3], l->mac[4], l->mac[5]);
	snprintf(mtu, sizeof(mtu), "%u", l->mtu);
	if (cmdline(d, 9, argv))
		return -1;
	if (d->o.ifaces[i].dhcp) {	/* no address: the host's DHCP client */
		char *dhcp[] = { "iface", "set", (char *)l->name, "dhcp", "on",
				 NULL };

		return cmdline(d, 5, dhcp);
	}
	return 0;
}

/**
 * setup_cmdline() - The command line as commands: interfaces (d->links),
 * addresses, the --gateway route; run on the engine (not with -t) and
 * kept as the reloads' base
 * @d:		daemon
 *
 * Return: 0, or -1 (logged)
 */
int setup_cmdline(struct masqd *d)
{
	for (int i = 0; i < d->o.nifaces; i++)
		if (config_iface(d, i))
			return -1;
	for (int i = 0; i < d->o.naddrs; i++) {
		const struct masqd_addr *a = &d->o.addrs[i];
		char *argv[] = { "addr", "add", (char *)a->cidr, "dev",
				 d->o.ifaces[a->iface].name, NULL };

		if (cmdline(d, 5, argv))
			return -1;
	}
	if (d->o.gateway[0]) {
		char *argv[] = { "route", "add", "default", "via", d->o.gateway,
				 "proto", "boot", NULL };

		if (cmdline(d, 7, argv))
			return -1;
	}
	return 0;
}

static uint32_t buf_size(const struct masqd *d)
{
	uint32_t mtu = 1500, size;

	if (d->o.vnet_hdr)
		return AFP_VNET_BUF_SIZE;
	for (int i = 0; i < d->o.nifaces; i++)
		if (d->links[i].mtu > mtu)
			mtu = d->links[i].mtu;
	size = MASQ_HEADROOM + mtu + 14 + 4 + 64;
	return size < 2048 ? 2048 : (size + 63) / 64 * 64;
}

/* Engine interface index -> port, for the transmit path */
static void map_ports(struct masqd *d)
{
	for (int i = 0; i < MASQD_MAX_IFACES; i++)
		d->port_of[i] = -1;
	for (int i = 0; i < d->o.nifaces; i++) {
		int idx = masq_engine_iface_find(d->e, d->o.ifaces[i].name);

		d->eidx[i] = idx;
		if (idx >= 0 && idx < MASQD_MAX_IFACES)
			d->port_of[idx] = i;
	}
}

/**
 * setup_engine() - Create the pool and engine and configure it
 * @d:		daemon, with links read
 *
 * Return: 0, or -1 after logging what failed (with its file and line)
 */
/*
 * The filter's LOG lines: the log's rules class (its own cap and ring),
 * at the rule's level
 */
static void engine_log(void *ctx, int level, const char *line)
{
	(void)ctx;
	log_rule(level & 7, line);
}

int setup_engine(struct masqd *d)
{
	uint32_t count = d->o.pool_buffers ? d->o.pool_buffers :
			 d->o.vnet_hdr ? 2048 : 4096;
	struct masq_limits lim, whole;

	d->pool = masq_pool_create(count, buf_size(d));
	d->tx.bufs = calloc(MASQD_TX_CAP, sizeof(*d->tx.bufs));
	d->txscratch = calloc(MASQD_TX_CAP, sizeof(*d->txscratch));
	if (!d->pool || !d->tx.bufs || !d->txscratch) {
		logmsg(LOG_ERR, "cannot allocate %u packet buffers of %u bytes",
		       count, buf_size(d));
		return -1;
	}
	d->tx.cap = MASQD_TX_CAP;
	masq_limits_default(&lim);
	if (d->o.conntrack_max)
		lim.max_conns = d->o.conntrack_max;
	whole = lim;	/* the reload checks `set conntrack-max` against it */
	if (d->o.workers > 1)	/* the table is shared out: same footprint */
		lim.max_conns /= d->o.workers;
	d->e = masq_engine_create(&lim, d->pool);
	if (!d->e) {
		logmsg(LOG_ERR, "cannot create the engine for %u connections "
		       "(out of memory? --conntrack-max sets the size)",
		       lim.max_conns);
		return -1;
	}
	masq_engine_set_log(d->e, engine_log, NULL);
	if (d->o.recent_list_tot &&	/* before any rule names a list */
	    masq_engine_set_recent_size(d->e, d->o.recent_list_tot)) {
		logmsg(LOG_ERR, "--recent-list-tot %u: cannot be set",
		       d->o.recent_list_tot);
		return -1;
	}
	if (workers_create(d, &lim, count, buf_size(d)))
		return -1;
	if (reload_init(&d->rl, d->o.conf, &whole) ||
	    workers_reload_init(d, &whole)) {
		logmsg(LOG_ERR, "out of memory");
		return -1;
	}
	if (setup_cmdline(d) || (d->o.conf && config_load(d)))
		return -1;
	map_ports(d);
	return 0;
}

/**
 * setup_ports() - Open an AF_PACKET port on every owned interface
 * @d:		daemon
 *
 * With --io afxdp, an AF_XDP port instead (port.c).
 * Return: 0, or -1 after logging which interface and step failed
 */
int setup_ports(struct masqd *d)
{
	if (d->o.io == IO_AFXDP)
		return port_open_afxdp(d);
	for (int i = 0; i < d->o.nifaces; i++) {
		struct afp_config cfg = {
			.vnet_hdr = d->o.vnet_hdr,
			/* masqd(8), MEMORY: 4096 x 2 KiB = 8 MiB a port */
			.ring_frames = d->o.ring_frames ? d->o.ring_frames :
				       AFP_RING_FRAMES_DEFAULT,
			/* 512 B to 2 KiB frames: a kick a burst; 2 MiB */
			.tx_ring_frames = AFP_TX_RING_FRAMES_DEFAULT,
			.mtu = d->links[i].mtu,
			.sockbuf = SOCKBUF_BYTES,
			/* takeover: only marked frames pass the egress drop */
			.mark = d->o.no_takeover ? 0 : TO_TX_MARK,
		};
		const char *step = "";
		int ret = afp_open(&d->ports[i], d->links[i].name,
				   d->links[i].ifindex, &cfg, &step);

		if (ret) {
			logmsg(LOG_ERR, "%s: %s: %s%s", d->links[i].name, step,
			       strerror(-ret), ret == -EPERM ?
			       " (masqd needs CAP_NET_RAW and CAP_NET_ADMIN)" : "");
			return -1;
		}
		if (workers_open_ports(d, &cfg, i))	/* --workers N */
			return -1;
	}
	return 0;
}

/**
 * setup_takeover() - Take the owned interfaces from the kernel's stack
 * @d:		daemon, with its ports and control socket open
 *
 * Unless --no-takeover: an nft netdev ingress drop and three sysctls per
 * interface (see takeover.h); setup_teardown() gives them back.
 *
 * Return: 0, or -1 after logging what failed (nothing is left changed)
 */
int setup_takeover(struct masqd *d)
{
	to_init(&d->to, d->o.sock, logmsg);
	if (d->o.no_takeover)
		return 0;
	recover_arm(d);		/* the originals on disk before the change */
	for (int i = 0; i < d->o.nifaces; i++)
		if (to_add(&d->to, d->links[i].name))
			return -1;
	if (to_apply(&d->to))
		return -1;
	logmsg(LOG_INFO, "took %d interface%s from the kernel's stack (nft "
	       "table netdev %s)", d->to.n, d->to.n == 1 ? "" : "s",
	       d->to.table);
	return 0;
}

/**
 * setup_teardown() - Release everything setup_*() and the loop hold
 * @d:		daemon (any stage of setup)
 */
void setup_teardown(struct masqd *d)
{
	rulesrun_fini(d);
	job_fini(d);	/* before the engine and the client it answers go */
	hostwatch_teardown(d);
	twin_teardown(d);
	if (d->ctl_open)
		ctlsrv_close(&d->ctl);
	d->ctl_open = false;
	for (int i = 0; i < d->o.nifaces; i++)
		if (d->ports[i].tx)
			afp_close(&d->ports[i]);
	if (d->o.io == IO_AFXDP && d->wk.n > 1)
		workers_stop(d);	/* their threads use their AF_XDP ports */
	port_close_afxdp(d, !privsep_active());	/* after the drop: the helper */
	if (privsep_active())	/* unprivileged now: the helper gives back, */
		privsep_stop(d->handover);	/* or keeps all for a restart */
	else if (d->handover)	/* a restart (SIGUSR2) leaves the takeover */
		recover_drop(d, false);	/* and the records to its successor */
	else	/* the records go only when all they hold was put back */
		recover_drop(d, !d->to.log || !to_release(&d->to));
	workers_destroy(d);	/* their threads first, then their engines */
	if (d->tx.bufs && d->pool)
		for (uint32_t i = 0; i < d->tx.n; i++)
			masq_pool_put(d->pool, d->tx.bufs[i]);
	d->tx.n = 0;
	if (d->e)
		masq_engine_destroy(d->e);
	if (d->pool)
		masq_pool_destroy(d->pool);
	free(d->tx.bufs);
	free(d->txscratch);
	reload_fini(&d->rl);
	handover_close(d);
	d->e = NULL;
	d->pool = NULL;
}
