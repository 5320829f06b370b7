/*
 * memblock.c - the boot-time tables of RAM and reservations, and the
 * top-down allocator over their difference.  See <lichen/memblock.h>.
 *
 * Both tables stay sorted by base, which is what lets walk_free() find
 * the free ranges in one sweep per RAM range even though reservations
 * with different labels may overlap.
 */
#include <stdbool.h>

#include <lichen/align.h>
#include <lichen/errno.h>
#include <lichen/memblock.h>
#include <lichen/string.h>

static uint64_t
region_end(const struct mem_region *r)
{
	return r->base + r->size;
}

static bool
labels_equal(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return LK_NAME(strcmp)(a, b) == 0;
}

/* Whether r and [base, end) for `what` become one region. */
static bool
mergeable(
    const struct mem_region *r, uint64_t base, uint64_t end, const char *what)
{
	return labels_equal(r->what, what) && r->base <= end &&
	       base <= region_end(r);
}

static void
regions_insert_at(struct mem_regions *rs, size_t at, uint64_t base,
    uint64_t size, const char *what)
{
	for (size_t i = rs->count; i > at; i--)
		rs->region[i] = rs->region[i - 1];
	rs->region[at] = (struct mem_region){base, size, what};
	rs->count++;
}

/*
 * Adds [base, base + size) for `what`, absorbing every region it merges
 * with.  Regions with one label never overlap or touch each other, so
 * the regions that touch the new range are exactly the ones that touch
 * the union: one pass finds them all.  Nothing changes on error.
 */
static int
regions_add(
    struct mem_regions *rs, uint64_t base, uint64_t size, const char *what)
{
	uint64_t end = base + size, lo = base, hi = end;
	size_t i, kept = 0;

	if (size == 0 || add_overflows(base, size))
		return -EINVAL;
	for (i = 0; i < rs->count; i++) {
		if (mergeable(&rs->region[i], base, end, what))
			break;
	}
	if (i == rs->count && rs->count == MEMBLOCK_MAX_REGIONS)
		return -ENOSPC;

	for (i = 0; i < rs->count; i++) {
		struct mem_region *r = &rs->region[i];

		if (mergeable(r, base, end, what)) {
			lo = r->base < lo ? r->base : lo;
			hi = region_end(r) > hi ? region_end(r) : hi;
		} else {
			rs->region[kept++] = *r;
		}
	}
	rs->count = kept;

	for (i = 0; i < rs->count && rs->region[i].base <= lo; i++)
		;
	regions_insert_at(rs, i, lo, hi - lo, what);
	return 0;
}

void
memblock_init(struct memblock *mb)
{
	mb->memory.count = 0;
	mb->reserved.count = 0;
}

int
memblock_add_memory(struct memblock *mb, uint64_t base, uint64_t size)
{
	return regions_add(&mb->memory, base, size, NULL);
}

int
memblock_reserve(
    struct memblock *mb, uint64_t base, uint64_t size, const char *what)
{
	return regions_add(&mb->reserved, base, size, what);
}

/*
 * Calls fn for each maximal free range, in ascending order.  cursor is
 * the lowest address of the RAM range not yet known to be reserved;
 * reservations come sorted by base, so one that ends below cursor is
 * covered already and one that starts past the RAM range ends the sweep.
 */
static void
walk_free(const struct memblock *mb, memblock_range_fn fn, void *ctx)
{
	const struct mem_regions *res = &mb->reserved;

	for (size_t m = 0; m < mb->memory.count; m++) {
		uint64_t cursor = mb->memory.region[m].base;
		uint64_t mend = region_end(&mb->memory.region[m]);

		for (size_t i = 0; i < res->count && cursor < mend; i++) {
			const struct mem_region *r = &res->region[i];

			if (r->base >= mend)
				break;
			if (region_end(r) <= cursor)
				continue;
			if (r->base > cursor)
				fn(ctx, cursor, r->base - cursor);
			cursor = region_end(r);
		}
		if (cursor < mend)
			fn(ctx, cursor, mend - cursor);
	}
}

struct alloc_search {
	uint64_t size;
	uint64_t align;
	uint64_t best; /* highest fitting address so far, or 0 */
};

static void
alloc_candidate(void *ctx, uint64_t base, uint64_t size)
{
	struct alloc_search *s = ctx;
	uint64_t addr;

	if (size < s->size)
		return;
	addr = ALIGN_DOWN(base + size - s->size, s->align);
	/* Ranges come in ascending order: a later fit is a higher one. */
	if (addr >= base && addr != 0)
		s->best = addr;
}

uint64_t
memblock_alloc(
    struct memblock *mb, uint64_t size, uint64_t align, const char *what)
{
	struct alloc_search s = {size, align, 0};

	if (size == 0 || !is_pow2(align))
		return 0;
	walk_free(mb, alloc_candidate, &s);
	if (s.best == 0 || memblock_reserve(mb, s.best, size, what) != 0)
		return 0;
	return s.best;
}

struct page_walk {
	memblock_range_fn cb;
	void *ctx;
	size_t calls;
};

static void
page_aligned(void *ctx, uint64_t base, uint64_t size)
{
	struct page_walk *w = ctx;
	uint64_t lo, hi = ALIGN_DOWN(base + size, MEMBLOCK_PAGE_SIZE);

	/* A range in the last page below 2^64 has no page to round up to. */
	if (!align_up_checked(base, MEMBLOCK_PAGE_SIZE, &lo) || lo >= hi)
		return;
	w->cb(w->ctx, lo, hi - lo);
	w->calls++;
}

size_t
memblock_for_each_free(
    const struct memblock *mb, memblock_range_fn cb, void *ctx)
{
	struct page_walk w = {cb, ctx, 0};

	walk_free(mb, page_aligned, &w);
	return w.calls;
}

uint64_t
memblock_total(const struct memblock *mb)
{
	uint64_t total = 0;

	for (size_t i = 0; i < mb->memory.count; i++)
		total += mb->memory.region[i].size;
	return total;
}

static void
sum_free(void *ctx, uint64_t base, uint64_t size)
{
	(void)base;
	*(uint64_t *)ctx += size;
}

uint64_t
memblock_reserved_total(const struct memblock *mb)
{
	uint64_t free = 0;

	walk_free(mb, sum_free, &free);
	return memblock_total(mb) - free;
}
