/*
 * <lichen/page.h> - struct page, the metadata kept for every physical page
 * frame a buddy zone manages (<lichen/buddy.h>).  The zone's owner
 * allocates one per frame; the buddy allocator owns node, order and
 * flags, and sets refcount to 1 when it hands out a block and 0 when the
 * block comes back.  In between, refcount belongs to the kernel (shared
 * copy-on-write pages); the allocator never reads it.
 */
#ifndef LICHEN_PAGE_H
#define LICHEN_PAGE_H

#include <stdint.h>

#include <lichen/list.h>

/* flags: at most one is set, and only on the first page of a block. */
#define PAGE_FREE      0x01 /* heads a free block of 2^order pages */
#define PAGE_RESERVED  0x02 /* never handed out (until buddy_free_range) */
#define PAGE_ALLOCATED 0x04 /* heads a block buddy_alloc handed out */

struct page {
	struct list_node node; /* free list, while PAGE_FREE */
	uint32_t refcount;     /* head page of an allocated block: users */
	uint8_t order;	       /* PAGE_FREE or PAGE_ALLOCATED: block size */
	uint8_t flags;
};

#endif /* LICHEN_PAGE_H */
