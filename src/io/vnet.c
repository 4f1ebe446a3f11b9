// SPDX-License-Identifier: MIT
/*
 * vnet.c - virtio-net header <-> struct masq_meta (see vnet.h)
 *
 * Shared by the AF_PACKET ports and the twins' TAP devices, so both say
 * the same thing to the kernel. No validation here: the engine checks
 * the metadata against the frame it describes (a header is input like
 * any other).
 */
#include "io/vnet.h"

/**
 * vnet_to_meta() - A received frame's virtio-net header as masq_meta
 * @v:		header the kernel wrote before the frame
 * @m:		filled
 */
void vnet_to_meta(const struct virtio_net_hdr *v, struct masq_meta *m)
{
	m->flags = v->flags;
	m->gso_type = v->gso_type;
	m->hdr_len = v->hdr_len;
	m->gso_size = v->gso_size;
	m->csum_start = v->csum_start;
	m->csum_offset = v->csum_offset;
}

/**
 * vnet_from_meta() - The virtio-net header to send a frame with
 * @m:		the frame's metadata
 * @v:		filled; of the flags only NEEDS_CSUM is kept (vnet.h)
 */
void vnet_from_meta(const struct masq_meta *m, struct virtio_net_hdr *v)
{
	v->flags = m->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM;
	v->gso_type = m->gso_type;
	v->hdr_len = m->hdr_len;
	v->gso_size = m->gso_size;
	v->csum_start = m->csum_start;
	v->csum_offset = m->csum_offset;
}
