/*
 * One split virtqueue in DMA memory (virtq.c): the driver's side of the
 * descriptor table, the available ring and the used ring. Built for the
 * host too, where a test plays the device on the same memory.
 *
 * The driver owns the descriptors it has not published and the avail
 * ring; the device owns published chains until it puts them in the used
 * ring. Barriers between the two sides are in virtq.c.
 */
#ifndef VIRTQ_H
#define VIRTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "virtio.h"

#define VIRTQ_ALIGN	64u		/* each part starts on its own cache line */

struct virtq {
	unsigned size;				/* descriptors (and ring entries) */
	volatile struct virtq_desc *desc;
	volatile struct virtq_avail *avail;
	volatile struct virtq_used *used;
	uint64_t desc_pa, avail_pa, used_pa;	/* for the transport */
	uint16_t avail_idx;			/* the next avail->idx we publish */
	uint16_t last_used;			/* used entries consumed */
};

/* Bytes of DMA memory a queue of size entries takes. */
size_t virtq_bytes(unsigned size);

/* Lays q out over mem (zeroed, at physical address pa, virtq_bytes long). */
void virtq_init(struct virtq *q, unsigned size, void *mem, uint64_t pa);

/* Descriptor i: pa, len, VIRTQ_DESC_F_* flags, next (with F_NEXT). */
void virtq_desc_set(struct virtq *q, unsigned i, uint64_t pa, uint32_t len,
    uint16_t flags, uint16_t next);

/*
 * Makes the chain at head available to the device (after the descriptors
 * are written); the transport's notify comes after this.
 */
void virtq_publish(struct virtq *q, uint16_t head);

/* The next used chain: true and its head and written length, or false. */
bool virtq_next_used(struct virtq *q, uint32_t *head, uint32_t *len);

#endif
