/* SPDX-License-Identifier: MIT */
/*
 * nlmsg.h - walk netlink messages and their attributes without trusting them
 *
 * rtwatch.c (addresses, routes, links) and sockdiag.c (the host's
 * sockets) read what a netlink socket gave them. The kernel is the only
 * sender they accept, but a parser here is written as if anyone wrote the
 * bytes: every length is checked against what is left before anything is
 * read, nothing is cast onto the buffer (headers are copied out, so an
 * odd-aligned buffer is fine), and a message or attribute that claims
 * more than is there ends the walk with -EBADMSG. NLMSG_OK/RTA_OK from
 * <linux/netlink.h> check the same, but their callers tend to read the
 * fixed header that follows without checking it fits; these functions do.
 *
 * The last message or attribute of a buffer may lack its alignment
 * padding; that is accepted (the padding is not data).
 */
#ifndef MASQ_IO_NLMSG_H
#define MASQ_IO_NLMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

/**
 * struct nlm_iter - a position in a buffer of netlink messages
 * @p:		next message
 * @left:	bytes from @p to the end of the buffer
 */
struct nlm_iter {
	const uint8_t *p;
	size_t left;
};

/**
 * struct nlm_msg - one message, its header copied out
 * @hdr:	the header (host order, as netlink is)
 * @body:	what follows the header
 * @len:	bytes of @body (nlmsg_len - NLMSG_HDRLEN)
 */
struct nlm_msg {
	struct nlmsghdr hdr;
	const uint8_t *body;
	size_t len;
};

/**
 * struct nlm_attr - one attribute (struct rtattr and struct nlattr alike)
 * @type:	type, NLA_F_NESTED and NLA_F_NET_BYTEORDER masked off
 * @len:	bytes of @data
 * @data:	the payload; NULL in a table slot no attribute filled
 */
struct nlm_attr {
	uint16_t type;
	uint16_t len;
	const uint8_t *data;
};

void nlm_iter_init(struct nlm_iter *it, const void *buf, size_t len);
int nlm_next(struct nlm_iter *it, struct nlm_msg *m);
int nlm_attr_table(const uint8_t *p, size_t len, struct nlm_attr *tb,
		   unsigned int max);
bool nlm_attr_u32(const struct nlm_attr *a, uint32_t *v);
bool nlm_attr_u8(const struct nlm_attr *a, uint8_t *v);
bool nlm_attr_str(const struct nlm_attr *a, char *s, size_t size);

#endif
