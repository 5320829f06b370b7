/*
 * test_memblock.c - <lichen/memblock.h>: table sorting and merging, bad
 * ranges, full tables, top-down aligned allocation, page-rounded free
 * ranges, and a long random run against a per-unit model of RAM and
 * reservations.
 */
#include <stdbool.h>
#include <string.h>

#include <lichen/align.h>
#include <lichen/compiler.h>
#include <lichen/errno.h>
#include <lichen/memblock.h>

#include "unit.h"

#define KiB UINT64_C(1024)
#define MiB (KiB * KiB)
#define TOP UINT64_MAX /* 2^64 - 1: the highest end a range may have */

/* Free ranges collected by memblock_for_each_free(). */
struct ranges {
	size_t n;
	uint64_t base[64];
	uint64_t size[64];
};

static void
collect(void *ctx, uint64_t base, uint64_t size)
{
	struct ranges *r = ctx;

	quick_assert(r->n < ARRAY_SIZE(r->base));
	r->base[r->n] = base;
	r->size[r->n] = size;
	r->n++;
}

static size_t
free_ranges(const struct memblock *mb, struct ranges *r)
{
	size_t calls;

	r->n = 0;
	calls = memblock_for_each_free(mb, collect, r);
	quick_assert_uint_eq(calls, r->n);
	return calls;
}

/*
 * The table invariants: sorted by base; ranges of one label (all of
 * memory) neither overlap nor touch; no zero sizes, no wrapping.
 */
static bool
table_ok(const struct mem_regions *rs)
{
	if (rs->count > MEMBLOCK_MAX_REGIONS)
		return false;
	for (size_t i = 0; i < rs->count; i++) {
		const struct mem_region *a = &rs->region[i];

		if (a->size == 0 || a->base + a->size < a->base)
			return false;
		if (i > 0 && rs->region[i - 1].base > a->base)
			return false;
		for (size_t j = i + 1; j < rs->count; j++) {
			const struct mem_region *b = &rs->region[j];
			bool same =
			    a->what == b->what ||
			    (a->what && b->what && !strcmp(a->what, b->what));

			if (same && b->base <= a->base + a->size)
				return false;
		}
	}
	return true;
}

static void
assert_region(const struct mem_region *r, uint64_t base, uint64_t size)
{
	ck_assert_uint_eq(r->base, base);
	ck_assert_uint_eq(r->size, size);
}

START_TEST(empty_block_has_nothing)
{
	struct memblock mb;
	struct ranges r;

	memblock_init(&mb);
	ck_assert_uint_eq(memblock_total(&mb), 0);
	ck_assert_uint_eq(memblock_reserved_total(&mb), 0);
	ck_assert_uint_eq(free_ranges(&mb, &r), 0);
	ck_assert_uint_eq(memblock_alloc(&mb, 4096, 4096, "x"), 0);
	ck_assert_uint_eq(mb.reserved.count, 0);
}
END_TEST

START_TEST(zero_size_and_wrapping_ranges_rejected)
{
	struct memblock mb;

	memblock_init(&mb);
	ck_assert_int_eq(memblock_add_memory(&mb, 0x1000, 0), -EINVAL);
	ck_assert_int_eq(memblock_add_memory(&mb, TOP, 1), -EINVAL);
	ck_assert_int_eq(
	    memblock_add_memory(&mb, TOP - 0xfff, 0x1000), -EINVAL);
	ck_assert_int_eq(memblock_add_memory(&mb, 1, TOP), -EINVAL);
	ck_assert_int_eq(memblock_reserve(&mb, 0x1000, 0, "x"), -EINVAL);
	ck_assert_int_eq(memblock_reserve(&mb, TOP, 1, "x"), -EINVAL);
	ck_assert_int_eq(memblock_reserve(&mb, 2, TOP - 1, "x"), -EINVAL);
	ck_assert_uint_eq(mb.memory.count, 0);
	ck_assert_uint_eq(mb.reserved.count, 0);

	/* The very top of the address space, up to 2^64 - 1, is fine. */
	ck_assert_int_eq(memblock_add_memory(&mb, TOP - 0x1000, 0x1000), 0);
	ck_assert_int_eq(memblock_add_memory(&mb, 0, TOP), 0);
	ck_assert_uint_eq(mb.memory.count, 1);
	assert_region(&mb.memory.region[0], 0, TOP);
	ck_assert_uint_eq(memblock_total(&mb), TOP);
}
END_TEST

START_TEST(memory_kept_sorted_and_merged)
{
	struct memblock mb;

	memblock_init(&mb);
	ck_assert_int_eq(memblock_add_memory(&mb, 0x80000000, 0x1000), 0);
	ck_assert_int_eq(memblock_add_memory(&mb, 0x40000000, 0x1000), 0);
	ck_assert_int_eq(memblock_add_memory(&mb, 0x60000000, 0x1000), 0);
	ck_assert_uint_eq(mb.memory.count, 3);
	assert_region(&mb.memory.region[0], 0x40000000, 0x1000);
	assert_region(&mb.memory.region[1], 0x60000000, 0x1000);
	assert_region(&mb.memory.region[2], 0x80000000, 0x1000);

	/* Touching at the end and at the start: merged. */
	ck_assert_int_eq(memblock_add_memory(&mb, 0x40001000, 0x1000), 0);
	ck_assert_int_eq(memblock_add_memory(&mb, 0x5ffff000, 0x1000), 0);
	ck_assert_uint_eq(mb.memory.count, 3);
	assert_region(&mb.memory.region[0], 0x40000000, 0x2000);
	assert_region(&mb.memory.region[1], 0x5ffff000, 0x2000);

	/* Contained, and overlapping one end. */
	ck_assert_int_eq(memblock_add_memory(&mb, 0x40000800, 0x100), 0);
	ck_assert_int_eq(memblock_add_memory(&mb, 0x7ffff800, 0x1000), 0);
	ck_assert_uint_eq(mb.memory.count, 3);
	assert_region(&mb.memory.region[0], 0x40000000, 0x2000);
	assert_region(&mb.memory.region[2], 0x7ffff800, 0x1800);

	/* One range covering a gap between three regions swallows them. */
	ck_assert_int_eq(memblock_add_memory(&mb, 0x40001000, 0x40000000), 0);
	ck_assert_uint_eq(mb.memory.count, 1);
	assert_region(&mb.memory.region[0], 0x40000000, 0x40001000);
	ck_assert_uint_eq(memblock_total(&mb), 0x40001000);
	ck_assert(table_ok(&mb.memory));
}
END_TEST

START_TEST(reservations_merge_only_with_equal_labels)
{
	struct memblock mb;
	/* A different pointer to an equal string still merges. */
	static const char kernel2[] = "kernel image";

	memblock_init(&mb);
	ck_assert_int_eq(memblock_reserve(&mb, 0x3000, 0x1000, "initrd"), 0);
	ck_assert_int_eq(
	    memblock_reserve(&mb, 0x1000, 0x1000, "kernel image"), 0);
	ck_assert_int_eq(memblock_reserve(&mb, 0x2000, 0x800, kernel2), 0);
	ck_assert_uint_eq(mb.reserved.count, 2);
	assert_region(&mb.reserved.region[0], 0x1000, 0x1800);
	ck_assert_str_eq(mb.reserved.region[0].what, "kernel image");
	assert_region(&mb.reserved.region[1], 0x3000, 0x1000);

	/* Overlapping both, different label: kept, in base order. */
	ck_assert_int_eq(
	    memblock_reserve(&mb, 0x2400, 0x1000, "device tree"), 0);
	ck_assert_uint_eq(mb.reserved.count, 3);
	assert_region(&mb.reserved.region[1], 0x2400, 0x1000);
	ck_assert_str_eq(mb.reserved.region[1].what, "device tree");
	ck_assert_str_eq(mb.reserved.region[2].what, "initrd");

	/* Touching the initrd from below with its label: merged. */
	ck_assert_int_eq(memblock_reserve(&mb, 0x2c00, 0x400, "initrd"), 0);
	ck_assert_uint_eq(mb.reserved.count, 3);
	assert_region(&mb.reserved.region[2], 0x2c00, 0x1400);
	ck_assert(table_ok(&mb.reserved));
}
END_TEST

START_TEST(full_table_rejects_only_what_needs_a_slot)
{
	struct memblock mb;
	int i;

	memblock_init(&mb);
	for (i = 0; i < MEMBLOCK_MAX_REGIONS; i++)
		ck_assert_int_eq(
		    memblock_add_memory(&mb, (uint64_t)i * 0x10000, 0x1000), 0);
	ck_assert_int_eq(memblock_add_memory(&mb, 0x8000, 0x1000), -ENOSPC);
	ck_assert_int_eq(memblock_add_memory(&mb, TOP - 0x1000, 1), -ENOSPC);
	ck_assert_uint_eq(mb.memory.count, MEMBLOCK_MAX_REGIONS);
	ck_assert_uint_eq(memblock_total(&mb), MEMBLOCK_MAX_REGIONS * 0x1000);

	/* Merging needs no slot; bridging two frees one. */
	ck_assert_int_eq(memblock_add_memory(&mb, 0x1000, 0x1000), 0);
	ck_assert_uint_eq(mb.memory.count, MEMBLOCK_MAX_REGIONS);
	ck_assert_int_eq(memblock_add_memory(&mb, 0x2000, 0xe000), 0);
	ck_assert_uint_eq(mb.memory.count, MEMBLOCK_MAX_REGIONS - 1);
	ck_assert_int_eq(memblock_add_memory(&mb, TOP - 0x1000, 1), 0);
	ck_assert_int_eq(memblock_add_memory(&mb, TOP - 0x3000, 1), -ENOSPC);
	ck_assert(table_ok(&mb.memory));

	/* The reserved table fills the same way, by label. */
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(
		    memblock_reserve(&mb, 0x100, 0x100, i % 2 ? "odd" : "even"),
		    0);
	ck_assert_uint_eq(mb.reserved.count, 2);
	for (i = 2; i < MEMBLOCK_MAX_REGIONS; i++)
		ck_assert_int_eq(
		    memblock_reserve(&mb, (uint64_t)i * 0x1000, 0x10, "n"), 0);
	ck_assert_int_eq(memblock_reserve(&mb, 0x100, 0x10, "new"), -ENOSPC);
	ck_assert_int_eq(memblock_reserve(&mb, 0x100, 0x10, "even"), 0);
	ck_assert_uint_eq(mb.reserved.count, MEMBLOCK_MAX_REGIONS);
}
END_TEST

START_TEST(reserved_total_counts_overlap_once_inside_memory)
{
	struct memblock mb;

	memblock_init(&mb);
	ck_assert_int_eq(memblock_add_memory(&mb, 0x10000, 0x10000), 0);
	ck_assert_int_eq(memblock_add_memory(&mb, 0x40000, 0x10000), 0);
	/* Straddles the start of the first RAM range: half counts. */
	ck_assert_int_eq(memblock_reserve(&mb, 0xf000, 0x2000, "a"), 0);
	/* Two overlapping labels: 0x12000..0x16000 once. */
	ck_assert_int_eq(memblock_reserve(&mb, 0x12000, 0x3000, "b"), 0);
	ck_assert_int_eq(memblock_reserve(&mb, 0x13000, 0x3000, "c"), 0);
	/* Entirely in the hole between the RAM ranges: nothing. */
	ck_assert_int_eq(memblock_reserve(&mb, 0x20000, 0x20000, "d"), 0);
	/* Covering the end of the last range and beyond. */
	ck_assert_int_eq(memblock_reserve(&mb, 0x4f000, 0x100000, "e"), 0);
	ck_assert_uint_eq(memblock_total(&mb), 0x20000);
	ck_assert_uint_eq(
	    memblock_reserved_total(&mb), 0x1000 + 0x4000 + 0x1000);
}
END_TEST

START_TEST(free_ranges_are_rounded_inward_to_pages)
{
	struct memblock mb;
	struct ranges r;

	memblock_init(&mb);
	ck_assert_int_eq(memblock_add_memory(&mb, 0x1234, 0x10000 - 0x1234), 0);
	ck_assert_int_eq(memblock_reserve(&mb, 0x3000, 0x800, "a"), 0);
	ck_assert_int_eq(memblock_reserve(&mb, 0x6100, 0x100, "b"), 0);
	/* Less than a page of RAM, and a page-sized range straddling two. */
	ck_assert_int_eq(memblock_add_memory(&mb, 0x20010, 0xff0), 0);
	ck_assert_int_eq(memblock_add_memory(&mb, 0x30800, 0x1000), 0);
	/*
	 * Free gaps of a page's size: unaligned (nothing) and aligned (one
	 * page); "c" and "d" touch at 0x44000, leaving no gap there.
	 */
	ck_assert_int_eq(memblock_add_memory(&mb, 0x40000, 0x8000), 0);
	ck_assert_int_eq(memblock_reserve(&mb, 0x40000, 0x1fff, "c"), 0);
	ck_assert_int_eq(memblock_reserve(&mb, 0x42fff, 0x1001, "c"), 0);
	ck_assert_int_eq(memblock_reserve(&mb, 0x44000, 0x1000, "d"), 0);
	ck_assert_int_eq(memblock_reserve(&mb, 0x46000, 0x2000, "d"), 0);

	ck_assert_uint_eq(free_ranges(&mb, &r), 4);
	ck_assert_uint_eq(r.base[0], 0x2000);
	ck_assert_uint_eq(r.size[0], 0x1000);
	ck_assert_uint_eq(r.base[1], 0x4000);
	ck_assert_uint_eq(r.size[1], 0x2000);
	ck_assert_uint_eq(r.base[2], 0x7000);
	ck_assert_uint_eq(r.size[2], 0x9000);
	ck_assert_uint_eq(r.base[3], 0x45000);
	ck_assert_uint_eq(r.size[3], 0x1000);
}
END_TEST

START_TEST(free_ranges_at_the_top_of_the_address_space)
{
	struct memblock mb;
	struct ranges r;

	memblock_init(&mb);
	/* Ends at 2^64 - 1: the last page is never whole. */
	ck_assert_int_eq(memblock_add_memory(&mb, TOP - 0x2fff, 0x2fff), 0);
	ck_assert_uint_eq(free_ranges(&mb, &r), 1);
	ck_assert_uint_eq(r.base[0], TOP - 0x2fff);
	ck_assert_uint_eq(r.size[0], 0x2000);

	/* Starting inside the last page: rounding up would wrap. */
	memblock_init(&mb);
	ck_assert_int_eq(memblock_add_memory(&mb, TOP - 0x7ff, 0x7ff), 0);
	ck_assert_uint_eq(free_ranges(&mb, &r), 0);
	ck_assert_uint_eq(memblock_total(&mb), 0x7ff);
}
END_TEST

START_TEST(alloc_is_top_down_and_aligned)
{
	struct memblock mb;
	uint64_t a, b, c;

	memblock_init(&mb);
	ck_assert_int_eq(memblock_add_memory(&mb, 0x40000000, MiB), 0);
	a = memblock_alloc(&mb, 0x1000, 0x1000, "page metadata");
	ck_assert_uint_eq(a, 0x400ff000);
	b = memblock_alloc(&mb, 0x3000, 0x10000, "page tables");
	ck_assert_uint_eq(b, 0x400f0000);
	c = memblock_alloc(&mb, 0x1000, 0x1000, "page metadata");
	ck_assert_uint_eq(c, 0x400fe000);
	/* c touches a, same label: one reservation. */
	ck_assert_uint_eq(mb.reserved.count, 2);
	assert_region(&mb.reserved.region[1], 0x400fe000, 0x2000);
	ck_assert_uint_eq(memblock_reserved_total(&mb), 0x5000);

	/* Odd sizes with byte alignment fill the gap exactly. */
	ck_assert_uint_eq(
	    memblock_alloc(&mb, 0xb001, 1, "odd"), 0x400f0000 - 0xb001);
	ck_assert_uint_eq(memblock_alloc(&mb, 0xb000, 1, "odd"), 0x400f3000);
	ck_assert_uint_eq(
	    memblock_alloc(&mb, 0x1000, 0x100000, "big"), 0x40000000);
	ck_assert_uint_eq(memblock_alloc(&mb, MiB, 0x1000, "too big"), 0);
}
END_TEST

START_TEST(alloc_rejects_bad_arguments)
{
	struct memblock mb;

	memblock_init(&mb);
	ck_assert_int_eq(memblock_add_memory(&mb, 0x40000000, MiB), 0);
	ck_assert_uint_eq(memblock_alloc(&mb, 0, 0x1000, "x"), 0);
	ck_assert_uint_eq(memblock_alloc(&mb, 0x1000, 0, "x"), 0);
	ck_assert_uint_eq(memblock_alloc(&mb, 0x1000, 0x3000, "x"), 0);
	ck_assert_uint_eq(memblock_alloc(&mb, TOP, 1, "x"), 0);
	ck_assert_uint_eq(
	    memblock_alloc(&mb, 0x1000, UINT64_C(1) << 63, "x"), 0);
	ck_assert_uint_eq(mb.reserved.count, 0);
}
END_TEST

START_TEST(alloc_skips_reservations_until_exhausted)
{
	struct memblock mb;
	struct ranges r;
	uint64_t got[8];
	size_t n = 0;

	memblock_init(&mb);
	ck_assert_int_eq(memblock_add_memory(&mb, 0x100000, 0x10000), 0);
	ck_assert_int_eq(memblock_add_memory(&mb, 0x200000, 0x10000), 0);
	/* Leave free: 0x104000..0x106000 and 0x20f000..0x210000. */
	ck_assert_int_eq(memblock_reserve(&mb, 0x100000, 0x4000, "a"), 0);
	ck_assert_int_eq(memblock_reserve(&mb, 0x106000, 0xa000, "b"), 0);
	ck_assert_int_eq(memblock_reserve(&mb, 0x200000, 0xf000, "c"), 0);

	/* Two pages do not fit in the one-page gap at the top. */
	ck_assert_uint_eq(memblock_alloc(&mb, 0x2000, 0x1000, "x"), 0x104000);
	while (n < ARRAY_SIZE(got)) {
		uint64_t a = memblock_alloc(&mb, 0x1000, 0x1000, "x");

		if (a == 0)
			break;
		got[n++] = a;
	}
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(got[0], 0x20f000);
	ck_assert_uint_eq(memblock_reserved_total(&mb), memblock_total(&mb));
	ck_assert_uint_eq(free_ranges(&mb, &r), 0);
}
END_TEST

START_TEST(alloc_never_returns_address_zero)
{
	struct memblock mb;

	memblock_init(&mb);
	ck_assert_int_eq(memblock_add_memory(&mb, 0, 0x1000), 0);
	ck_assert_uint_eq(memblock_alloc(&mb, 0x1000, 0x1000, "x"), 0);
	ck_assert_uint_eq(memblock_alloc(&mb, 0x800, 0x1000, "x"), 0);
	ck_assert_uint_eq(mb.reserved.count, 0);
	ck_assert_uint_eq(memblock_alloc(&mb, 0x800, 0x800, "x"), 0x800);
	ck_assert_uint_eq(memblock_alloc(&mb, 1, 1, "x"), 0x7ff);
}
END_TEST

START_TEST(alloc_fails_when_the_reserved_table_is_full)
{
	struct memblock mb;

	memblock_init(&mb);
	ck_assert_int_eq(memblock_add_memory(&mb, 0x100000, MiB), 0);
	for (int i = 0; i < MEMBLOCK_MAX_REGIONS - 1; i++)
		ck_assert_int_eq(
		    memblock_reserve(&mb, 0x100000 + (uint64_t)i * 0x2000,
			0x1000, i % 2 ? "odd" : "even"),
		    0);
	ck_assert_int_eq(memblock_reserve(&mb, 0x1ff000, 0x1000, "top"), 0);
	ck_assert_uint_eq(memblock_alloc(&mb, 0x1000, 0x1000, "new"), 0);
	ck_assert_uint_eq(memblock_alloc(&mb, 0x1000, 0x1000, "odd"), 0);
	ck_assert_uint_eq(mb.reserved.count, MEMBLOCK_MAX_REGIONS);
	/* Growing the top reservation, just below it, needs no slot. */
	ck_assert_uint_eq(memblock_alloc(&mb, 0x1000, 0x1000, "top"), 0x1fe000);
	ck_assert_uint_eq(memblock_alloc(&mb, 0x800, 0x800, "top"), 0x1fd800);
	ck_assert_uint_eq(mb.reserved.count, MEMBLOCK_MAX_REGIONS);
}
END_TEST

/*
 * The model: RAM and reservations per UNIT-byte unit over SPACE units
 * starting at address 0, with reservations' labels ignored (only their
 * union matters to free ranges, totals and allocation).
 */
#define UNIT  UINT64_C(256)
#define SPACE 1024

struct model {
	bool mem[SPACE];
	bool res[SPACE];
};

static void
model_mark(bool *map, uint64_t base, uint64_t size)
{
	for (uint64_t u = base / UNIT; u < (base + size) / UNIT; u++)
		map[u] = true;
}

static bool
model_free(const struct model *m, size_t u)
{
	return m->mem[u] && !m->res[u];
}

/* Expected memblock_alloc() result: highest aligned fit, never 0. */
static uint64_t
model_alloc(const struct model *m, uint64_t size, uint64_t align)
{
	uint64_t addr = ALIGN_DOWN(SPACE * UNIT - size, align);

	for (; addr > 0; addr -= align) {
		bool fits = true;

		for (uint64_t u = addr / UNIT; u < (addr + size) / UNIT; u++)
			fits = fits && model_free(m, u);
		if (fits)
			return addr;
	}
	return 0;
}

/* Checks totals and page-rounded free ranges against the model. */
static void
model_compare(const struct model *m, const struct memblock *mb)
{
	struct ranges got, want = {0};
	uint64_t mem = 0, res = 0;
	size_t u = 0;

	for (size_t i = 0; i < SPACE; i++) {
		mem += m->mem[i] * UNIT;
		res += (m->mem[i] && m->res[i]) * UNIT;
	}
	quick_assert_uint_eq(memblock_total(mb), mem);
	quick_assert_uint_eq(memblock_reserved_total(mb), res);

	while (u < SPACE) {
		size_t start;
		uint64_t lo, hi;

		for (; u < SPACE && !model_free(m, u); u++)
			;
		for (start = u; u < SPACE && model_free(m, u); u++)
			;
		lo = ALIGN_UP(start * UNIT, MEMBLOCK_PAGE_SIZE);
		hi = ALIGN_DOWN(u * UNIT, MEMBLOCK_PAGE_SIZE);
		if (start < u && lo < hi)
			collect(&want, lo, hi - lo);
	}
	free_ranges(mb, &got);
	quick_assert_uint_eq(got.n, want.n);
	for (size_t i = 0; i < want.n; i++) {
		quick_assert_uint_eq(got.base[i], want.base[i]);
		quick_assert_uint_eq(got.size[i], want.size[i]);
	}
	quick_assert(table_ok(&mb->memory));
	quick_assert(table_ok(&mb->reserved));
}

static void
random_range(uint64_t *seed, uint64_t *base, uint64_t *size)
{
	uint64_t u = test_rand(seed) % SPACE;
	uint64_t n = 1 + test_rand(seed) % 48;

	if (u + n > SPACE)
		n = SPACE - u;
	*base = u * UNIT;
	*size = n * UNIT;
}

static void
random_step(uint64_t *seed, struct model *m, struct memblock *mb)
{
	static const char *const labels[] = {"kernel image", "initrd", "dt"};
	uint64_t base, size, op = test_rand(seed) % 8;
	const char *what = labels[test_rand(seed) % ARRAY_SIZE(labels)];
	int err;

	random_range(seed, &base, &size);
	if (op < 2) {
		err = memblock_add_memory(mb, base, size);
		if (err == 0)
			model_mark(m->mem, base, size);
		else
			quick_assert(err == -ENOSPC &&
				     mb->memory.count == MEMBLOCK_MAX_REGIONS);
	} else if (op < 4) {
		err = memblock_reserve(mb, base, size, what);
		if (err == 0)
			model_mark(m->res, base, size);
		else
			quick_assert(
			    err == -ENOSPC &&
			    mb->reserved.count == MEMBLOCK_MAX_REGIONS);
	} else {
		uint64_t align = UNIT << (test_rand(seed) % 6);
		uint64_t want = model_alloc(m, size, align);
		uint64_t got = memblock_alloc(mb, size, align, what);

		if (got != 0) {
			quick_assert_uint_eq(got, want);
			model_mark(m->res, got, size);
		} else {
			quick_assert(want == 0 || mb->reserved.count ==
						      MEMBLOCK_MAX_REGIONS);
		}
	}
}

START_TEST(random_operations_match_the_model)
{
	uint64_t seed = TEST_SEED;
	struct memblock mb;
	struct model m;

	for (int round = 0; round < 40; round++) {
		memblock_init(&mb);
		memset(&m, 0, sizeof(m));
		for (int step = 0; step < 150; step++) {
			random_step(&seed, &m, &mb);
			model_compare(&m, &mb);
		}
	}
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("memblock");
	TCase *tc = tcase_create("memblock");

	tcase_add_test(tc, empty_block_has_nothing);
	tcase_add_test(tc, zero_size_and_wrapping_ranges_rejected);
	tcase_add_test(tc, memory_kept_sorted_and_merged);
	tcase_add_test(tc, reservations_merge_only_with_equal_labels);
	tcase_add_test(tc, full_table_rejects_only_what_needs_a_slot);
	tcase_add_test(tc, reserved_total_counts_overlap_once_inside_memory);
	tcase_add_test(tc, free_ranges_are_rounded_inward_to_pages);
	tcase_add_test(tc, free_ranges_at_the_top_of_the_address_space);
	tcase_add_test(tc, alloc_is_top_down_and_aligned);
	tcase_add_test(tc, alloc_rejects_bad_arguments);
	tcase_add_test(tc, alloc_skips_reservations_until_exhausted);
	tcase_add_test(tc, alloc_never_returns_address_zero);
	tcase_add_test(tc, alloc_fails_when_the_reserved_table_is_full);
	tcase_add_test(tc, random_operations_match_the_model);
	suite_add_tcase(s, tc);
	return s;
}
