// SPDX-License-Identifier: MIT
/*
 * check.c - masqd -t / --check-config FILE: check a -c file, start nothing
 *
 * The check a start (and a reload) makes, alone: the file is read, split
 * and every command run on a scratch engine built from the command line
 * given (control/reload.h, reload_prepare() with no live engine: the
 * start's check), its rule commands applied to one ruleset and compiled.
 * Every error is printed with its FILE:LINE; then "FILE: ok" on stdout
 * and status 0, or status 1.
 *
 * Nothing is touched: the interfaces' MAC addresses and MTUs are only
 * read (an unprivileged read), no claim is taken, no socket opened, no
 * sysctl nor nft table changed, no state file read; so it works as any
 * user, beside a running masqd on the same interfaces. An interface this
 * host does not have (a file checked for another machine) is checked as
 * an Ethernet interface with MTU 1500, and said so on stderr.
 */
#include <stdio.h>
#include <string.h>

#include "masqd/log.h"
#include "masqd/masqd.h"

/* Each owned interface's MAC and MTU, or a stand-in when it is not here */
static void check_links(struct masqd *d)
{
	for (int i = 0; i < d->o.nifaces; i++) {
		struct kc_link *l = &d->links[i];
		struct kc_report rep = { 0 };
		const char *name = d->o.ifaces[i].name;

		if (kc_link_read(name, l, &rep)) {
			*l = (struct kc_link){ .mtu = 1500,
				.mac = { 0x02, 0, 0, 0, 0, (uint8_t)(i + 1) } };
			snprintf(l->name, sizeof(l->name), "%s", name);
			fprintf(stderr, "masqd: -t: no Ethernet interface %s "
				"here: checked as one with MTU 1500\n", name);
		}
		kc_report_free(&rep);
	}
}

/* The limits a start would give the engine (setup_engine()) */
static void check_limits(const struct masqd *d, struct masq_limits *lim)
{
	masq_limits_default(lim);
	if (d->o.conntrack_max)
		lim->max_conns = d->o.conntrack_max;
	if (d->o.workers > 1)
		lim->max_conns /= d->o.workers;
}

/**
 * check_config_file() - masqd -t: check the -c file, print the verdict
 * @d:		daemon, the command line parsed (d->o.check, d->o.conf set)
 *
 * Return: the exit status: 0 when the file would load, 1 when not
 */
int check_config_file(struct masqd *d)
{
	struct masq_text msg = { 0 };
	struct reload_job *job = NULL;
	struct masq_limits lim;
	int ret;

	check_links(d);
	check_limits(d, &lim);
	if (reload_init(&d->rl, d->o.conf, &lim)) {
		fprintf(stderr, "masqd: -t: out of memory\n");
		return 1;
	}
	config_names();			/* --dport ssh, as at a start */
	ret = setup_cmdline(d);		/* only kept as the base: -t */
	if (!ret)
		ret = reload_prepare(&d->rl, NULL, &job, &msg);
	reload_job_free(job);
	if (msg.s)
		fputs(msg.s, stderr);
	masq_text_free(&msg);
	reload_fini(&d->rl);
	if (ret) {
		fprintf(stderr, "%s: not ok\n", d->o.conf);
		return 1;
	}
	printf("%s: ok\n", d->o.conf);
	return 0;
}
