// SPDX-License-Identifier: MIT
/*
 * pool.c - the one buffer pool: every frame lives in one of its buffers
 *
 * Allocated once (one block for the descriptors, one for the storage) and
 * never grown. get/put are O(1) pushes and pops on a free list; the pool
 * is single-threaded, like the engine that uses it (one pool per worker).
 */
#include <stdlib.h>

#include "masq/engine.h"

struct masq_pool {
	struct masq_buf *free;
	uint32_t avail;
	uint32_t count;
	struct masq_buf *descs;
	uint8_t *storage;
};

/**
 * masq_pool_create() - Preallocate @count buffers of @buf_size bytes
 * Return: the pool, or NULL when memory is short or the sizes are silly
 */
struct masq_pool *masq_pool_create(uint32_t count, uint32_t buf_size)
{
	struct masq_pool *p;

	if (!count || buf_size < MASQ_HEADROOM + 64 || buf_size > (1u << 20))
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->descs = calloc(count, sizeof(*p->descs));
	p->storage = malloc((size_t)count * buf_size);
	if (!p->descs || !p->storage) {
		masq_pool_destroy(p);
		return NULL;
	}
	p->count = count;
	for (uint32_t i = 0; i < count; i++) {
		struct masq_buf *b = &p->descs[i];

		b->base = p->storage + (size_t)i * buf_size;
		b->cap = buf_size;
		masq_pool_put(p, b);
	}
	return p;
}

void masq_pool_destroy(struct masq_pool *p)
{
	if (!p)
		return;
	free(p->descs);
	free(p->storage);
	free(p);
}

/* A fresh buffer has ->data at MASQ_HEADROOM, zero length and metadata */
struct masq_buf *masq_pool_get(struct masq_pool *p)
{
	struct masq_buf *b = p->free;

	if (!b)
		return NULL;
	p->free = b->next;
	p->avail--;
	b->next = NULL;
	b->data = b->base + MASQ_HEADROOM;
	b->len = 0;
	b->iface = 0;
	b->meta = (struct masq_meta){ 0 };
	return b;
}

void masq_pool_put(struct masq_pool *p, struct masq_buf *b)
{
	b->next = p->free;
	p->free = b;
	p->avail++;
}

uint32_t masq_pool_avail(const struct masq_pool *p)
{
	return p->avail;
}

uint32_t masq_pool_count(const struct masq_pool *p)
{
	return p->count;
}
