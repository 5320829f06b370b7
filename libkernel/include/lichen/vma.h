/*
 * vma.h - the set of mapped regions (VMAs) of one user address space.
 *
 * A struct vma_set keeps non-overlapping, page-aligned [start, end)
 * regions in a red-black tree ordered by address, inside a usable range
 * [min, max).  It records what is mapped, with which protection and
 * backing; it does not touch page tables (the caller does that around
 * these calls).  Operations follow Linux's mmap, munmap and mprotect:
 * regions are split where a range ends inside one and merged again with
 * compatible neighbours, so the set is always the fewest VMAs that
 * describe the address space.
 *
 * Nodes come from the owner's alloc callback and go back through free.
 * An operation that needs new nodes allocates all of them before it
 * changes anything, so -ENOMEM from the allocator leaves the set exactly
 * as it was.  No locking: the owner of the address space serialises.
 */
#ifndef LICHEN_VMA_H
#define LICHEN_VMA_H

#include <stddef.h>
#include <stdint.h>

#include <lichen/rbtree.h>

/* The granule VMAs are aligned to: the kernel's 4 KiB page. */
#define VMA_PAGE_SIZE UINT64_C(4096)

/* prot */
#define VMA_READ      0x1u
#define VMA_WRITE     0x2u
#define VMA_EXEC      0x4u
#define VMA_PROT_MASK (VMA_READ | VMA_WRITE | VMA_EXEC)

/* flags: opaque to this module except VMA_PHYS (see offset below) */
#define VMA_ANON   0x01u /* zero-filled memory */
#define VMA_SHARED 0x02u /* writes are seen by other mappings */
#define VMA_PHYS   0x04u /* fixed physical range (MMIO): offset = phys */
#define VMA_COW	   0x08u /* copy-on-write pending */

/*
 * One mapped region.  offset is where start sits in the backing: the
 * physical address for VMA_PHYS, a position in *object otherwise.  It is
 * "carried" (meaningful) when flags has VMA_PHYS or object is not NULL:
 * then the page at addr is backing page offset + (addr - start), splits
 * keep that true and only VMAs with contiguous offsets merge.  For plain
 * anonymous memory (no VMA_PHYS, object NULL) offset is kept but ignored.
 */
struct vma {
	struct rb_node rb;
	uint64_t start, end; /* [start, end), VMA_PAGE_SIZE aligned */
	uint32_t prot;	     /* VMA_READ | VMA_WRITE | VMA_EXEC */
	uint32_t flags;	     /* VMA_ANON, VMA_SHARED, VMA_PHYS, VMA_COW */
	uint64_t offset;
	void *object; /* backing object, opaque here */
};

struct vma_set {
	struct rb_root root;		 /* struct vma by start */
	uint64_t min, max;		 /* usable range [min, max) */
	size_t count;			 /* VMAs in root */
	struct vma *(*alloc)(void *ctx); /* NULL when out of memory */
	void (*free)(void *ctx, struct vma *v);
	void *ctx;
};

/*
 * An empty set over [min, max), e.g. [0x1000, 1 << 48).  -EINVAL unless
 * both are page aligned and min < max.
 */
int vma_set_init(struct vma_set *set, uint64_t min, uint64_t max,
    struct vma *(*alloc_fn)(void *ctx),
    void (*free_fn)(void *ctx, struct vma *v), void *ctx);

/* Frees every VMA; the set is then empty (and still usable). */
void vma_set_destroy(struct vma_set *set);

/* The VMA containing addr, or NULL. */
struct vma *vma_find(const struct vma_set *set, uint64_t addr);

/* The lowest VMA intersecting [start, end), or NULL (also if start >= end). */
struct vma *vma_find_first(
    const struct vma_set *set, uint64_t start, uint64_t end);

/* In address order; NULL past the last. */
struct vma *vma_first(const struct vma_set *set);
struct vma *vma_next(const struct vma *v);

/*
 * Maps [start, start + len), merging with compatible neighbours (same
 * prot, flags and object, contiguous offsets if carried).  -EINVAL for a
 * zero or unaligned len, an unaligned start or offset, prot bits outside
 * VMA_PROT_MASK, or start + len (or a carried offset + len) past 2^64;
 * -ENOMEM if the range leaves [min, max) or no node can be allocated;
 * -EEXIST if any of it is already mapped.
 */
int vma_insert(struct vma_set *set, uint64_t start, uint64_t len, uint32_t prot,
    uint32_t flags, uint64_t offset, void *object);

/*
 * munmap: unmaps whatever part of [start, start + len) is mapped, splitting
 * VMAs that stick out of it; nothing mapped is not an error.  -EINVAL for
 * a zero or unaligned len, an unaligned start, or an overflowing end;
 * -ENOMEM if a VMA must be split in two and no node can be allocated.
 */
int vma_remove(struct vma_set *set, uint64_t start, uint64_t len);

/*
 * mprotect: gives all of [start, start + len) protection prot, splitting
 * at the edges and merging afterwards.  -EINVAL for an unaligned start or
 * len, bad prot bits or an overflowing end; -ENOMEM if any page of the
 * range is unmapped or a node cannot be allocated, and then nothing has
 * changed.  A zero len does nothing and returns 0, as in Linux.
 */
int vma_protect(
    struct vma_set *set, uint64_t start, uint64_t len, uint32_t prot);

/*
 * The highest address *out, a multiple of align, with [*out, *out + len)
 * free and inside [min, max): top-down, like Linux's mmap.  align is a
 * power of two (0 or anything below a page means a page).  -EINVAL for a
 * zero or unaligned len or a bad align; -ENOMEM if no gap fits.  O(n).
 */
int vma_find_gap(
    const struct vma_set *set, uint64_t len, uint64_t align, uint64_t *out);

/*
 * 0 if the set is sound: tree valid, VMAs sorted, non-overlapping,
 * non-empty, aligned, inside [min, max), no two neighbours mergeable and
 * count right.  -EINVAL if not.  For tests and debugging: O(n).
 */
int vma_check(const struct vma_set *set);

#endif /* LICHEN_VMA_H */
