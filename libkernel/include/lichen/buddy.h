/*
 * <lichen/buddy.h> - a binary buddy allocator over one contiguous zone of
 * page frames [base_pfn, base_pfn + npages), with one caller-provided
 * struct page per frame.
 *
 * Blocks are naturally aligned in physical terms: a block of order k
 * starts at a pfn that is a multiple of 2^k, and its buddy is at
 * pfn ^ 2^k, computed on the absolute pfn, not on the offset from
 * base_pfn.  So a 2 MiB (order 9) block can later be mapped by one
 * block descriptor.  The zone need not be aligned to anything: near its
 * ends a buddy may fall outside the zone, and that block then simply
 * never merges, so an unaligned edge is covered by smaller blocks.
 *
 * Every page is, at any time, exactly one of: a reserved page; part of a
 * free block (its first page has PAGE_FREE, and is on free[order]); part
 * of an allocated block (its first page has PAGE_ALLOCATED).  Freeing
 * checks the block's first page, so a double free, a free of a reserved
 * page or of the middle of a block, or a free with the wrong order is
 * refused with -EINVAL and changes nothing.
 *
 * No locking: the owner of the zone serialises every call.
 */
#ifndef LICHEN_BUDDY_H
#define LICHEN_BUDDY_H

#include <stddef.h>
#include <stdint.h>

#include <lichen/list.h>
#include <lichen/page.h>

/* Orders 0 .. BUDDY_MAX_ORDER - 1: 4 KiB .. 4 MiB blocks. */
#define BUDDY_MAX_ORDER 11

struct buddy_zone {
	uint64_t base_pfn;
	size_t npages;
	struct page *pages; /* npages entries; pages[i] is base_pfn + i */
	struct list_node free[BUDDY_MAX_ORDER]; /* free block heads */
	size_t nfree[BUDDY_MAX_ORDER];		/* blocks on free[k] */
	size_t free_pages;
};

/*
 * Sets up a zone over pages[0 .. npages), every page reserved: nothing
 * can be allocated until buddy_free_range() hands pages over.
 * base_pfn + npages must not wrap.
 */
void buddy_init(
    struct buddy_zone *z, uint64_t base_pfn, size_t npages, struct page *pages);

/*
 * Hands reserved pages [pfn, pfn + count) to the allocator, as the
 * largest aligned blocks that fit, each merged with free buddies.  0, or
 * -EINVAL (nothing changed) if the run leaves the zone or any page of it
 * is not reserved.  A count of 0 does nothing.
 */
int buddy_free_range(struct buddy_zone *z, uint64_t pfn, size_t count);

/*
 * A free block of 2^order pages, split from the smallest free block that
 * is large enough: its first pfn (a multiple of 2^order), with its head
 * page's refcount set to 1.  -EINVAL for order >= BUDDY_MAX_ORDER,
 * -ENOMEM when no block is large enough.
 */
int64_t buddy_alloc(struct buddy_zone *z, unsigned order);

/*
 * Returns the block at pfn, which buddy_alloc(z, order) handed out, and
 * merges it with its free buddies; the head's refcount becomes 0.  0, or
 * -EINVAL (nothing changed) if pfn is not the head of an allocated block
 * of that order.
 */
int buddy_free(struct buddy_zone *z, uint64_t pfn, unsigned order);

/*
 * Turns the allocated block of 2^order pages at pfn into 2^order
 * allocated blocks of order 0, each with refcount 1, so its pages can be
 * freed one by one (physically contiguous memory whose pages are then
 * shared and released like any other: DMA buffers).  0, or -EINVAL
 * (nothing changed) if pfn is not the head of an allocated block of that
 * order.
 */
int buddy_split(struct buddy_zone *z, uint64_t pfn, unsigned order);

/* The struct page of pfn, or NULL if pfn is outside the zone. */
struct page *buddy_page(const struct buddy_zone *z, uint64_t pfn);

/* The pfn of page, which must be one of the zone's. */
uint64_t buddy_pfn(const struct buddy_zone *z, const struct page *page);

/*
 * Checks every invariant: each page belongs to exactly one reserved page,
 * free block or allocated block; blocks are aligned and inside the zone;
 * the free lists hold exactly the free heads, by order, doubly linked
 * correctly; nfree and free_pages match; no two free buddies of the same
 * order are left unmerged.  0, or -EIO at the first violation.
 */
int buddy_check(const struct buddy_zone *z);

#endif /* LICHEN_BUDDY_H */
