// SPDX-License-Identifier: MIT
/*
 * handoff.c - the single-producer, single-consumer ring between workers
 *
 * As VPP hands a packet to the worker that owns its session, a worker
 * that receives a frame masq_steer() gives to another pushes its pointer
 * here and the owner pops it in its next loop iteration. One ring per
 * ordered pair of workers keeps each ring single-producer and
 * single-consumer, so two free-running counters and acquire/release
 * ordering are the whole protocol: the producer writes the slots, then
 * publishes @head with a release store; the consumer reads @head with
 * an acquire load, reads the slots, then gives them back by a release
 * store of @tail, which the producer reads with acquire before reusing
 * them. Each side keeps a private copy of the other's counter and reads
 * the shared one only when the copy says the ring looks full (producer)
 * or empty (consumer): one shared cache line read per burst, not per
 * frame. The counters sit on their own cache lines (no false sharing).
 *
 * Size: a power of two, fixed at creation (rounded up; 2 to 2^20).
 * Full: push takes what fits and counts the rest in @drops; the caller
 * drops those frames (its engine's pool). No call blocks or allocates.
 *
 * Buffers: a frame's buffer belongs to the pool of the worker that
 * received it. Pools are not shared between threads (masq_pool_put() is
 * not atomic), so the wiring (not built yet; docs/design.md, "Workers")
 * must either copy a handed-off frame into a buffer of the owner's pool
 * (64 to 1,500 bytes: cheaper than a second ring) or return the buffer
 * to its pool through a ring going back.
 */
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "masq/handoff.h"

#define HANDOFF_LINE	64
#define HANDOFF_MAX	(1u << 20)

struct masq_handoff {
	alignas(HANDOFF_LINE) _Atomic uint32_t head;	/* producer's */
	uint32_t tail_seen;		/* producer's copy of @tail */
	_Atomic uint64_t drops;		/* producer writes, anyone reads */
	alignas(HANDOFF_LINE) _Atomic uint32_t tail;	/* consumer's */
	uint32_t head_seen;		/* consumer's copy of @head */
	alignas(HANDOFF_LINE) uint32_t mask;
	struct masq_buf **slot;
};

/**
 * masq_handoff_create() - Make a ring
 * @slots:	frames it holds; rounded up to a power of two (2 to 2^20)
 *
 * Return: the ring, or NULL (out of memory, or @slots above 2^20)
 */
struct masq_handoff *masq_handoff_create(uint32_t slots)
{
	struct masq_handoff *h;
	uint32_t size = 2;

	if (slots > HANDOFF_MAX)
		return NULL;
	while (size < slots)
		size <<= 1;
	h = aligned_alloc(HANDOFF_LINE, sizeof(*h));
	if (!h)
		return NULL;
	h->slot = calloc(size, sizeof(*h->slot));
	if (!h->slot) {
		free(h);
		return NULL;
	}
	atomic_init(&h->head, 0);
	atomic_init(&h->tail, 0);
	atomic_init(&h->drops, 0);
	h->tail_seen = 0;
	h->head_seen = 0;
	h->mask = size - 1;
	return h;
}

void masq_handoff_destroy(struct masq_handoff *h)
{
	if (!h)
		return;
	free(h->slot);
	free(h);
}

/* Frames the ring holds */
uint32_t masq_handoff_size(const struct masq_handoff *h)
{
	return h->mask + 1;
}

/* Frames dropped because the ring was full, so far */
uint64_t masq_handoff_drops(const struct masq_handoff *h)
{
	return atomic_load_explicit(&h->drops, memory_order_relaxed);
}

/**
 * masq_handoff_empty() - Whether the ring holds no frame now (any thread)
 * @h:		ring
 *
 * For a consumer about to sleep: it announces it sleeps, then asks this
 * (with a full fence between); a producer pushes, then (fence) reads
 * the announcement and wakes it. One of the two sees the other.
 * Return: true when empty
 */
bool masq_handoff_empty(const struct masq_handoff *h)
{
	return atomic_load_explicit(&h->head, memory_order_acquire) ==
	       atomic_load_explicit(&h->tail, memory_order_acquire);
}

/**
 * masq_handoff_push() - Producer: put frames in the ring, in order
 * @h:		ring
 * @bufs:	frames
 * @n:		how many
 *
 * Return: frames taken, the first ones of @bufs; the rest (counted as
 * drops) stay the caller's to drop
 */
uint32_t masq_handoff_push(struct masq_handoff *h, struct masq_buf *const *bufs,
			   uint32_t n)
{
	uint32_t head = atomic_load_explicit(&h->head, memory_order_relaxed);
	uint32_t room = h->mask + 1 - (head - h->tail_seen);
	uint32_t k;

	if (room < n) {
		h->tail_seen = atomic_load_explicit(&h->tail,
						    memory_order_acquire);
		room = h->mask + 1 - (head - h->tail_seen);
	}
	k = n < room ? n : room;
	for (uint32_t i = 0; i < k; i++)
		h->slot[(head + i) & h->mask] = bufs[i];
	atomic_store_explicit(&h->head, head + k, memory_order_release);
	if (k < n)
		atomic_fetch_add_explicit(&h->drops, n - k,
					  memory_order_relaxed);
	return k;
}

/**
 * masq_handoff_pop() - Consumer: take frames from the ring, in order
 * @h:		ring
 * @bufs:	room for @max frames
 * @max:	most to take
 *
 * Return: frames taken (0: empty)
 */
uint32_t masq_handoff_pop(struct masq_handoff *h, struct masq_buf **bufs,
			  uint32_t max)
{
	uint32_t tail = atomic_load_explicit(&h->tail, memory_order_relaxed);
	uint32_t avail = h->head_seen - tail;
	uint32_t k;

	if (avail < max) {
		h->head_seen = atomic_load_explicit(&h->head,
						    memory_order_acquire);
		avail = h->head_seen - tail;
	}
	k = max < avail ? max : avail;
	for (uint32_t i = 0; i < k; i++)
		bufs[i] = h->slot[(tail + i) & h->mask];
	atomic_store_explicit(&h->tail, tail + k, memory_order_release);
	return k;
}
