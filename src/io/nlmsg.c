// SPDX-License-Identifier: MIT
/*
 * nlmsg.c - bounds-checked walks over netlink messages and attributes
 *
 * See nlmsg.h. Cost: one pass over the bytes, a 16-byte copy per message
 * header and a 4-byte one per attribute header; no allocation.
 */
#include <errno.h>
#include <string.h>

#include "io/nlmsg.h"

#define NLM_ATTR_HDRLEN	4	/* struct rtattr, struct nlattr */

/* Advance @it by @step bytes, or to the end when the padding is missing */
static void skip(struct nlm_iter *it, size_t step)
{
	if (step > it->left)
		step = it->left;
	it->p += step;
	it->left -= step;
}

/**
 * nlm_iter_init() - Start a walk over a buffer of messages
 * @it:		iterator to set
 * @buf:	what recv() gave (any alignment)
 * @len:	its length
 */
void nlm_iter_init(struct nlm_iter *it, const void *buf, size_t len)
{
	it->p = buf;
	it->left = buf ? len : 0;
}

/**
 * nlm_next() - Take the next message
 * @it:		iterator
 * @m:		the message, on success
 *
 * Return: 1 with @m set, 0 at the end of the buffer, -EBADMSG when the
 * rest is not a whole message (a header cut short, or a length below the
 * header's or beyond the buffer); the walk stays at the bad message
 */
int nlm_next(struct nlm_iter *it, struct nlm_msg *m)
{
	if (!it->left)
		return 0;
	if (it->left < NLMSG_HDRLEN)
		return -EBADMSG;
	memcpy(&m->hdr, it->p, sizeof(m->hdr));
	if (m->hdr.nlmsg_len < NLMSG_HDRLEN || m->hdr.nlmsg_len > it->left)
		return -EBADMSG;
	m->body = it->p + NLMSG_HDRLEN;
	m->len = m->hdr.nlmsg_len - NLMSG_HDRLEN;
	skip(it, NLMSG_ALIGN((size_t)m->hdr.nlmsg_len));
	return 1;
}

/**
 * nlm_attr_table() - Index a run of attributes by type
 * @p:		the first attribute (after a message's fixed header)
 * @len:	bytes from @p to the end of the message
 * @tb:		@max slots, cleared here; tb[T] is the last attribute of
 *		type T (as the kernel's nla_parse() keeps it)
 * @max:	types at or above @max are walked over and not kept
 *
 * Linear in @len.
 *
 * Return: 0, or -EBADMSG when an attribute's length is below its header
 * or reaches past @len
 */
int nlm_attr_table(const uint8_t *p, size_t len, struct nlm_attr *tb,
		   unsigned int max)
{
	struct nlm_iter it;

	memset(tb, 0, max * sizeof(*tb));
	nlm_iter_init(&it, p, len);
	while (it.left) {
		uint16_t alen, type;

		if (it.left < NLM_ATTR_HDRLEN)
			return -EBADMSG;
		memcpy(&alen, it.p, 2);
		memcpy(&type, it.p + 2, 2);
		if (alen < NLM_ATTR_HDRLEN || alen > it.left)
			return -EBADMSG;
		type &= NLA_TYPE_MASK;
		if (type < max)
			tb[type] = (struct nlm_attr){
				.type = type,
				.len = (uint16_t)(alen - NLM_ATTR_HDRLEN),
				.data = it.p + NLM_ATTR_HDRLEN,
			};
		skip(&it, NLA_ALIGN((size_t)alen));
	}
	return 0;
}

/**
 * nlm_attr_u32() - Read a 4-byte attribute (host order, as netlink
 * writes them; addresses stay in network order)
 * @a:		the attribute (an empty table slot is refused)
 * @v:		its value
 *
 * Return: true when @a is there and exactly 4 bytes long
 */
bool nlm_attr_u32(const struct nlm_attr *a, uint32_t *v)
{
	if (!a->data || a->len != 4)
		return false;
	memcpy(v, a->data, 4);
	return true;
}

/**
 * nlm_attr_u8() - Read a 1-byte attribute
 * @a:		the attribute
 * @v:		its value
 *
 * Return: true when @a is there and exactly 1 byte long
 */
bool nlm_attr_u8(const struct nlm_attr *a, uint8_t *v)
{
	if (!a->data || a->len != 1)
		return false;
	*v = a->data[0];
	return true;
}

/**
 * nlm_attr_str() - Copy a NUL-terminated string attribute
 * @a:		the attribute
 * @s:		where to copy it
 * @size:	room at @s, the NUL included
 *
 * Return: true when @a is there, holds a NUL, and the string fits @size;
 * otherwise false and @s is the empty string
 */
bool nlm_attr_str(const struct nlm_attr *a, char *s, size_t size)
{
	const uint8_t *nul;

	if (size)
		s[0] = '\0';
	if (!a->data || !size)
		return false;
	nul = memchr(a->data, '\0', a->len);
	if (!nul || (size_t)(nul - a->data) >= size)
		return false;
	memcpy(s, a->data, (size_t)(nul - a->data) + 1);
	return true;
}
