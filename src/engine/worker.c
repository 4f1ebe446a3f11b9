// SPDX-License-Identifier: MIT
/*
 * worker.c - an engine as worker k of n
 *
 * masqd may run one engine per core, each owning the connections
 * masq_steer() (steer.c) sends it. What an engine must do differently
 * as one of several is small, and all of it is decided here:
 *   - its masquerade mappings take only the ports and ICMP identifiers
 *     of its slice, (p >> 1) % n == k (nat.c), so inbound replies find their
 *     owner by destination port;
 *   - ARP reaches every worker, so each learns every neighbour, and only
 *     worker 0 answers a request (one reply on the wire, not n; arp.c);
 *   - -m recent's lists are the process's, not the engine's: every
 *     engine holds worker 0's registry (masq_engine_share_recent()).
 * Everything else (the ruleset, forwards, helpers, timeouts) is the same
 * configuration applied to every worker by the control plane.
 *
 * The identity is set once, before the first mapping: a mapping outside
 * the slice would be steered to another worker.
 *
 * A port range narrower than 2n (`--to-ports 5000`, `set ports
 * 5000-5001` with two workers) leaves some worker's slice of it empty:
 * that worker's connections through it are dropped as an exhausted
 * range. The engine accepts it (one worker needs no slice);
 * masq_engine_slice_gaps() names each such range for the caller to warn.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "eng.h"
#include "recent.h"

/**
 * masq_engine_set_steer() - The steering picture this worker reads
 * @e:		engine, worker k of n
 * @s:		the picture all workers read (masq_engine_steer_conf());
 *		kept by the caller, rewritten only while no worker runs;
 *		NULL: none
 *
 * With it, a datagram this worker reassembles but does not own (its
 * fragments are steered by hash(src, dst, id), the datagram by its
 * ports) is cut again and given back for its owner (fragout.c,
 * MASQ_IFACE_HANDOFF), instead of meeting an engine without its
 * connection.
 */
void masq_engine_set_steer(struct masq_engine *e, const struct masq_steer *s)
{
	e->steer = s;
}

/**
 * masq_engine_set_worker() - Make @e worker @k of @n
 * @e:		engine
 * @k:		this worker, 0 to @n - 1
 * @n:		workers, 1 to MASQ_WORKERS_MAX (1: the whole engine, the
 *		default)
 *
 * Return: 0; -EINVAL for @k or @n out of range; -EBUSY when the engine
 * holds mappings already (set it before traffic)
 */
int masq_engine_set_worker(struct masq_engine *e, uint32_t k, uint32_t n)
{
	int rc;

	if (!n || n > MASQ_WORKERS_MAX || k >= n)
		return -EINVAL;
	rc = nat_set_worker(&e->nat, k, n);
	if (rc)
		return rc;
	e->worker_k = (uint8_t)k;
	e->worker_n = (uint8_t)n;
	return 0;
}

/**
 * masq_engine_share_recent() - Give @e the -m recent lists of @from
 * @e:		an engine no rule of which names a list yet
 * @from:	the engine whose registry the process's engines share
 *
 * As the kernel keeps one xt_recent list per name and network
 * namespace, masqd keeps one per name for all its workers: an ssh
 * client's attempts are counted together whichever worker each lands
 * on (recent.c says how the lists are guarded).
 * Return: 0, or -EBUSY when @e holds a list already
 */
int masq_engine_share_recent(struct masq_engine *e, struct masq_engine *from)
{
	if (e->fw && e->fw->nrecent)
		return -EBUSY;
	recent_reg_hold(from->recent);
	recent_reg_put(e->recent);
	e->recent = from->recent;
	return 0;
}

/* A MASQUERADE or SNAT rule with --to-ports: its range; false otherwise */
static bool rule_port_range(const struct ipt_rule *r, uint32_t *lo,
			    uint32_t *hi)
{
	const struct ipt_target *t = &r->t;

	if (t->kind != IPT_T_MASQUERADE && t->kind != IPT_T_SNAT)
		return false;
	if (!(t->u.nat.flags & IPT_NAT_PORTS))
		return false;
	*lo = t->u.nat.port_lo;
	*hi = t->u.nat.port_hi;
	return true;
}

static void gap_line(const struct masq_engine *e, struct masq_text *out,
		     const char *what, uint32_t lo, uint32_t hi)
{
	masq_text_printf(out, "%s: ports %" PRIu32 "-%" PRIu32 ": none for "
			 "worker %u (its ports are the p with (p / 2) %% %u == %u): "
			 "its connections through it are dropped "
			 "(drop_ports_exhausted); give the range at least %u "
			 "ports\n", what, lo, hi, e->worker_k, e->worker_n,
			 e->worker_k, 2u * e->worker_n);
}

/**
 * masq_engine_slice_gaps() - The port ranges with none of this worker's
 * @e:		engine, worker k of n
 * @out:	one line per range: the masquerade's own (set ports), and each
 *		nat rule's MASQUERADE or SNAT --to-ports
 *
 * Return: the ranges found (0 with one worker)
 */
int masq_engine_slice_gaps(const struct masq_engine *e, struct masq_text *out)
{
	const struct ipt_table *nat = &e->rs->t[IPT_NAT];
	char what[IPT_CHAIN_MAXLEN + 64];
	uint32_t lo, hi;
	int found = 0;

	if (e->worker_n <= 1)
		return 0;
	if (!nat_slice_ports(&e->nat, e->nat.port_lo, e->nat.port_hi)) {
		gap_line(e, out, "set ports", e->nat.port_lo, e->nat.port_hi);
		found++;
	}
	for (uint32_t c = 0; c < nat->nchains; c++)
		for (uint32_t r = 0; r < nat->chains[c].nrules; r++) {
			if (!rule_port_range(&nat->chains[c].rules[r], &lo, &hi) ||
			    nat_slice_ports(&e->nat, lo, hi))
				continue;
			snprintf(what, sizeof(what), "nat %s rule %" PRIu32,
				 nat->chains[c].name, r + 1);
			gap_line(e, out, what, lo, hi);
			found++;
		}
	return found;
}
