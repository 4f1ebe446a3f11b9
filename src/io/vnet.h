/* SPDX-License-Identifier: MIT */
/*
 * vnet.h - the virtio-net header and struct masq_meta, one into the other
 *
 * Both AF_PACKET with PACKET_VNET_HDR (afpacket.c) and a TAP device with
 * IFF_VNET_HDR (tap.c) put a struct virtio_net_hdr before each frame:
 * GSO type and size, where a partial checksum starts and where it goes.
 * Its fields are in host order (legacy virtio is native-endian, and
 * masqd sets no TUNSETVNETLE/BE), the same as struct masq_meta's, so the
 * conversion is a field-by-field copy. On the way out only NEEDS_CSUM is
 * kept: DATA_VALID is a receive-side statement that a transmitter
 * ignores (AF_PACKET) or would take as "do not verify" (a TAP), and a
 * frame masqd rewrote is not what was verified.
 */
#ifndef MASQ_IO_VNET_H
#define MASQ_IO_VNET_H

#include <linux/virtio_net.h>

#include "masq/engine.h"

void vnet_to_meta(const struct virtio_net_hdr *v, struct masq_meta *m);
void vnet_from_meta(const struct masq_meta *m, struct virtio_net_hdr *v);

#endif
