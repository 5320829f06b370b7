/*
 * <lichen/memblock.h> - the boot-time record of physical memory: which
 * ranges are RAM (from the device tree) and which of those are taken (the
 * kernel image, the device tree, the initrd, reserved-memory nodes, the
 * page metadata), and a simple allocator over what is left, used until
 * the buddy allocator takes over the free ranges.
 *
 * Both tables are fixed arrays in struct memblock, kept sorted by base:
 *  - memory: overlapping or adjacent ranges are merged, so the table holds
 *    disjoint, non-touching ranges.
 *  - reserved: each range carries a label (a static string).  Reservations
 *    with equal labels (strcmp) that overlap or touch are merged; ranges
 *    with different labels are kept apart even when they overlap, so the
 *    table still says who took what.  A reservation may lie outside RAM.
 * Free memory is memory minus the union of reserved ranges.  Every range
 * must fit below 2^64 (base + size may not wrap).
 *
 * No locking: only the boot CPU uses it, before anything else runs.
 */
#ifndef LICHEN_MEMBLOCK_H
#define LICHEN_MEMBLOCK_H

#include <stddef.h>
#include <stdint.h>

#define MEMBLOCK_MAX_REGIONS 32
/* The granule memblock_for_each_free() rounds free ranges inward to. */
#define MEMBLOCK_PAGE_SIZE UINT64_C(4096)

struct mem_region {
	uint64_t base;
	uint64_t size;
	const char *what; /* reserved: who took it; memory: NULL */
};

struct mem_regions {
	size_t count;
	struct mem_region region[MEMBLOCK_MAX_REGIONS];
};

struct memblock {
	struct mem_regions memory;
	struct mem_regions reserved;
};

/* Called with each free range in ascending order. */
typedef void (*memblock_range_fn)(void *ctx, uint64_t base, uint64_t size);

void memblock_init(struct memblock *mb);

/*
 * Records RAM [base, base + size).  0, -EINVAL for a zero size or a range
 * that wraps past 2^64, -ENOSPC when it merges with nothing and the table
 * is full (the table is then unchanged).
 */
int memblock_add_memory(struct memblock *mb, uint64_t base, uint64_t size);

/* Reserves [base, base + size) for `what`; errors as memblock_add_memory. */
int memblock_reserve(
    struct memblock *mb, uint64_t base, uint64_t size, const char *what);

/*
 * Takes size bytes aligned to align (a power of two) from the highest free
 * address that fits, and reserves them for `what`: top-down keeps low
 * memory, which DMA-limited devices may need, free the longest.  Returns
 * the physical address, or 0 for a zero size, a bad alignment, no room,
 * or a full reserved table; physical address 0 is never handed out.
 */
uint64_t memblock_alloc(
    struct memblock *mb, uint64_t size, uint64_t align, const char *what);

/*
 * Calls cb for every free range, rounded inward to MEMBLOCK_PAGE_SIZE (a
 * range that holds no whole page is skipped), lowest first.  Returns the
 * number of calls made.
 */
size_t memblock_for_each_free(
    const struct memblock *mb, memblock_range_fn cb, void *ctx);

/* Bytes of RAM recorded. */
uint64_t memblock_total(const struct memblock *mb);

/* Bytes of RAM inside some reservation (overlaps counted once). */
uint64_t memblock_reserved_total(const struct memblock *mb);

#endif /* LICHEN_MEMBLOCK_H */
