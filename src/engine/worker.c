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
 *     worker 0 answers a request (one reply on the wire, not n; arp.c).
 * Everything else (the ruleset, forwards, helpers, timeouts) is the same
 * configuration applied to every worker by the control plane.
 *
 * The identity is set once, before the first mapping: a mapping outside
 * the slice would be steered to another worker.
 */
#include <errno.h>

#include "eng.h"

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
