/*
 * The split virtqueue (virtq.h, virtio 1.x spec 2.7): descriptors at the
 * start, then the available ring, then the used ring, each on its own
 * cache line. No event-index feature: the device interrupts on every used
 * buffer and the driver notifies on every publish.
 */
#include <lichen/string.h>

#include "virtq.h"

/*
 * Ordering between the CPU and a device reading the same memory: on
 * aarch64 the outer-shareable barriers (a device is not in the CPUs'
 * inner domain); elsewhere (the host tests) a full fence.
 */
#if defined(__aarch64__) && !defined(LK_HOST)
#define dma_wmb()	__asm__ volatile("dmb oshst" ::: "memory")
#define dma_rmb()	__asm__ volatile("dmb oshld" ::: "memory")
#else
#define dma_wmb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define dma_rmb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif

static size_t
align_up(size_t n)
{
	return (n + VIRTQ_ALIGN - 1) & ~(size_t)(VIRTQ_ALIGN - 1);
}

/* Where each part starts: desc at 0, avail, used. */
static size_t
avail_off(unsigned size)
{
	return align_up(sizeof(struct virtq_desc) * size);
}

static size_t
used_off(unsigned size)
{
	return avail_off(size) + align_up(4 + 2 * (size_t)size + 2);
}

size_t
virtq_bytes(unsigned size)
{
	return used_off(size) + align_up(4 + sizeof(struct virtq_used_elem) * (size_t)size + 2);
}

void
virtq_init(struct virtq *q, unsigned size, void *mem, uint64_t pa)
{
	char *m = mem;

	q->size = size;
	q->desc = (volatile struct virtq_desc *)m;
	q->avail = (volatile struct virtq_avail *)(m + avail_off(size));
	q->used = (volatile struct virtq_used *)(m + used_off(size));
	q->desc_pa = pa;
	q->avail_pa = pa + avail_off(size);
	q->used_pa = pa + used_off(size);
	q->avail_idx = 0;
	q->last_used = 0;
}

void
virtq_desc_set(struct virtq *q, unsigned i, uint64_t pa, uint32_t len,
    uint16_t flags, uint16_t next)
{
	volatile struct virtq_desc *d = &q->desc[i];

	d->addr = pa;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

void
virtq_publish(struct virtq *q, uint16_t head)
{
	q->avail->ring[q->avail_idx % q->size] = head;
	dma_wmb();		/* the chain and its ring entry before the index */
	q->avail->idx = ++q->avail_idx;
	dma_wmb();		/* the index before the notify that follows */
}

bool
virtq_next_used(struct virtq *q, uint32_t *head, uint32_t *len)
{
	volatile struct virtq_used_elem *e;

	if (q->used->idx == q->last_used)
		return false;
	dma_rmb();		/* the index before the entry it covers */
	e = &q->used->ring[q->last_used % q->size];
	*head = e->id;
	*len = e->len;
	q->last_used++;
	return true;
}
