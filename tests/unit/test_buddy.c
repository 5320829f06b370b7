/*
 * test_buddy.c - <lichen/buddy.h>: exact splitting and merging, physical
 * alignment over unaligned zones, exhaustion, refused frees, buddy_check
 * against deliberate corruption, and a long random run against a
 * per-page model with buddy_check after every step.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <lichen/align.h>
#include <lichen/buddy.h>
#include <lichen/compiler.h>
#include <lichen/errno.h>

#include "unit.h"

#define MAX_PAGES 4096

static struct page pages[MAX_PAGES];

/* A zone of npages at base_pfn with all of it handed to the allocator. */
static void
zone_all_free(struct buddy_zone *z, uint64_t base_pfn, size_t npages)
{
	ck_assert_uint_le(npages, MAX_PAGES);
	buddy_init(z, base_pfn, npages, pages);
	ck_assert_int_eq(buddy_free_range(z, base_pfn, npages), 0);
	ck_assert_int_eq(buddy_check(z), 0);
	ck_assert_uint_eq(z->free_pages, npages);
}

static void
assert_nfree(const struct buddy_zone *z, const size_t want[BUDDY_MAX_ORDER])
{
	for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++)
		ck_assert_msg(z->nfree[k] == want[k],
		    "order %u: %zu free blocks, want %zu", k, z->nfree[k],
		    want[k]);
}

START_TEST(new_zone_is_all_reserved)
{
	struct buddy_zone z;

	buddy_init(&z, 0x40000, 1024, pages);
	ck_assert_int_eq(buddy_check(&z), 0);
	ck_assert_uint_eq(z.free_pages, 0);
	ck_assert_int_eq(buddy_alloc(&z, 0), -ENOMEM);
	for (size_t i = 0; i < 1024; i++)
		ck_assert_uint_eq(pages[i].flags, PAGE_RESERVED);
	ck_assert_int_eq(buddy_free(&z, 0x40000, 0), -EINVAL);

	buddy_init(&z, 0x40000, 0, pages);
	ck_assert_int_eq(buddy_check(&z), 0);
	ck_assert_int_eq(buddy_alloc(&z, 0), -ENOMEM);
	ck_assert_int_eq(buddy_free_range(&z, 0x40000, 1), -EINVAL);
}
END_TEST

START_TEST(aligned_zone_is_one_max_block)
{
	struct buddy_zone z;
	const size_t want[BUDDY_MAX_ORDER] = {[10] = 1};

	zone_all_free(&z, 0x40000, 1024);
	assert_nfree(&z, want);
	ck_assert(pages[0].flags == PAGE_FREE && pages[0].order == 10);
	ck_assert_int_eq(buddy_alloc(&z, 10), 0x40000);
	ck_assert_int_eq(buddy_alloc(&z, 0), -ENOMEM);
	ck_assert_int_eq(buddy_check(&z), 0);
}
END_TEST

START_TEST(order0_splits_every_order_and_merges_back)
{
	struct buddy_zone z;
	const size_t one_max[BUDDY_MAX_ORDER] = {[10] = 1};
	size_t split[BUDDY_MAX_ORDER];

	zone_all_free(&z, 0x40000, 1024);
	ck_assert_int_eq(buddy_alloc(&z, 0), 0x40000);
	for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++)
		split[k] = k < 10;
	assert_nfree(&z, split);
	ck_assert_uint_eq(z.free_pages, 1023);
	/* The high halves are the free blocks: 0x40001, 0x40002, 0x40004... */
	for (unsigned k = 0; k < 10; k++)
		ck_assert_uint_eq(pages[1u << k].flags, PAGE_FREE);
	ck_assert_int_eq(buddy_check(&z), 0);

	ck_assert_int_eq(buddy_free(&z, 0x40000, 0), 0);
	assert_nfree(&z, one_max);
	ck_assert_uint_eq(z.free_pages, 1024);
	ck_assert_int_eq(buddy_check(&z), 0);
}
END_TEST

START_TEST(bad_order_is_einval)
{
	struct buddy_zone z;

	zone_all_free(&z, 0x40000, 1024);
	ck_assert_int_eq(buddy_alloc(&z, BUDDY_MAX_ORDER), -EINVAL);
	ck_assert_int_eq(buddy_alloc(&z, 200), -EINVAL);
	ck_assert_int_eq(buddy_alloc(&z, ~0u), -EINVAL);
	ck_assert_uint_eq(z.free_pages, 1024);
	ck_assert_int_eq(buddy_free(&z, 0x40000, BUDDY_MAX_ORDER), -EINVAL);
	ck_assert_int_eq(buddy_check(&z), 0);
}
END_TEST

START_TEST(exhaustion_is_enomem_and_recovers)
{
	struct buddy_zone z;
	static bool seen[1024];
	const size_t one_max[BUDDY_MAX_ORDER] = {[10] = 1};

	zone_all_free(&z, 0x40000, 1024);
	for (int i = 0; i < 1024; i++) {
		int64_t pfn = buddy_alloc(&z, 0);

		ck_assert(pfn >= 0x40000 && pfn < 0x40000 + 1024);
		ck_assert(!seen[pfn - 0x40000]);
		seen[pfn - 0x40000] = true;
	}
	ck_assert_uint_eq(z.free_pages, 0);
	for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++)
		ck_assert_int_eq(buddy_alloc(&z, k), -ENOMEM);
	ck_assert_int_eq(buddy_check(&z), 0);

	/* Free every other page: 512 free pages, but no order-1 block. */
	for (int i = 0; i < 1024; i += 2)
		ck_assert_int_eq(buddy_free(&z, 0x40000 + i, 0), 0);
	ck_assert_uint_eq(z.free_pages, 512);
	ck_assert_int_eq(buddy_alloc(&z, 1), -ENOMEM);
	ck_assert_int_eq(buddy_check(&z), 0);
	for (int i = 1; i < 1024; i += 2)
		ck_assert_int_eq(buddy_free(&z, 0x40000 + i, 0), 0);
	assert_nfree(&z, one_max);
	ck_assert_int_eq(buddy_alloc(&z, 10), 0x40000);
}
END_TEST

/*
 * 1000 pages at pfn 3 ([3, 1003)): the largest naturally aligned blocks,
 * ascending then descending in size.
 */
START_TEST(unaligned_zone_uses_physically_aligned_blocks)
{
	struct buddy_zone z;
	static const struct {
		uint64_t pfn;
		unsigned order;
	} blocks[] = {{3, 0}, {4, 2}, {8, 3}, {16, 4}, {32, 5}, {64, 6},
	    {128, 7}, {256, 8}, {512, 8}, {768, 7}, {896, 6}, {960, 5},
	    {992, 3}, {1000, 1}, {1002, 0}};
	const size_t want[BUDDY_MAX_ORDER] = {2, 1, 1, 2, 1, 2, 2, 2, 2};

	zone_all_free(&z, 3, 1000);
	assert_nfree(&z, want);
	for (size_t i = 0; i < ARRAY_SIZE(blocks); i++) {
		const struct page *p = buddy_page(&z, blocks[i].pfn);

		ck_assert_uint_eq(p->flags, PAGE_FREE);
		ck_assert_uint_eq(p->order, blocks[i].order);
	}
	/* [512, 1024) is not all in the zone, so there is no order 9. */
	ck_assert_int_eq(buddy_alloc(&z, 9), -ENOMEM);
	ck_assert_int_eq(buddy_alloc(&z, 8), 512);
	ck_assert_int_eq(buddy_free(&z, 512, 8), 0);
	assert_nfree(&z, want);
	ck_assert_int_eq(buddy_check(&z), 0);
}
END_TEST

START_TEST(alloc_takes_the_smallest_block_that_fits)
{
	struct buddy_zone z;

	zone_all_free(&z, 3, 1000);
	/* The only order-1 block, then a split of the order-2 one at 4. */
	ck_assert_int_eq(buddy_alloc(&z, 1), 1000);
	ck_assert_int_eq(buddy_alloc(&z, 1), 4);
	ck_assert_uint_eq(z.nfree[1], 1);
	ck_assert_uint_eq(z.nfree[2], 0);
	ck_assert_int_eq(buddy_alloc(&z, 1), 6);
	ck_assert_int_eq(buddy_alloc(&z, 0), 1002);
	ck_assert_int_eq(buddy_alloc(&z, 0), 3);
	ck_assert_uint_eq(z.nfree[0], 0);
	/* Now the order-3 block at 992 (the newer of the two) is split. */
	ck_assert_int_eq(buddy_alloc(&z, 0), 992);
	ck_assert_int_eq(buddy_check(&z), 0);
}
END_TEST

START_TEST(misaligned_base_gives_aligned_2mib_blocks)
{
	struct buddy_zone z;
	int64_t pfn;
	int n = 0;

	/* 0x40001 .. 0x40801: only [0x40200, 0x40800) holds order 9. */
	zone_all_free(&z, 0x40001, 2048);
	while ((pfn = buddy_alloc(&z, 9)) >= 0) {
		ck_assert_uint_eq(pfn % 512, 0);
		ck_assert(pfn >= 0x40001 && pfn + 512 <= 0x40801);
		n++;
	}
	ck_assert_int_eq(pfn, -ENOMEM);
	ck_assert_int_eq(n, 3);
	ck_assert_uint_eq(z.free_pages, 2048 - 3 * 512);
	ck_assert_int_eq(buddy_check(&z), 0);
}
END_TEST

START_TEST(zone_at_pfn_zero_and_max_order_blocks_stay_apart)
{
	struct buddy_zone z;
	const size_t want[BUDDY_MAX_ORDER] = {[10] = 4};

	zone_all_free(&z, 0, 4096);
	assert_nfree(&z, want);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(buddy_alloc(&z, 10), 3072 - 1024 * i);
	ck_assert_int_eq(buddy_alloc(&z, 0), -ENOMEM);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(buddy_free(&z, 1024 * i, 10), 0);
	assert_nfree(&z, want);
	ck_assert_int_eq(buddy_check(&z), 0);
}
END_TEST

START_TEST(free_range_in_pieces_merges)
{
	struct buddy_zone z;
	const size_t one_max[BUDDY_MAX_ORDER] = {[10] = 1};
	uint64_t order[1024], seed = TEST_SEED;

	buddy_init(&z, 0x80000, 1024, pages);
	ck_assert_int_eq(buddy_free_range(&z, 0x80200, 512), 0);
	ck_assert_int_eq(buddy_free_range(&z, 0x80000, 512), 0);
	assert_nfree(&z, one_max);

	/* Page by page in a random order. */
	buddy_init(&z, 0x80000, 1024, pages);
	for (int i = 0; i < 1024; i++)
		order[i] = i;
	for (int i = 1023; i > 0; i--) {
		uint64_t j = test_rand(&seed) % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (int i = 0; i < 1024; i++) {
		quick_assert_int_eq(
		    buddy_free_range(&z, 0x80000 + order[i], 1), 0);
		quick_assert_int_eq(buddy_check(&z), 0);
	}
	assert_nfree(&z, one_max);
}
END_TEST

START_TEST(free_range_rejects_bad_runs)
{
	struct buddy_zone z;

	buddy_init(&z, 100, 1000, pages);
	ck_assert_int_eq(buddy_free_range(&z, 100, 0), 0);
	ck_assert_int_eq(buddy_free_range(&z, 99, 2), -EINVAL);
	ck_assert_int_eq(buddy_free_range(&z, 1000, 101), -EINVAL);
	ck_assert_int_eq(buddy_free_range(&z, 1100, 1), -EINVAL);
	ck_assert_int_eq(buddy_free_range(&z, 200, SIZE_MAX), -EINVAL);
	ck_assert_int_eq(buddy_free_range(&z, UINT64_MAX, 2), -EINVAL);
	ck_assert_uint_eq(z.free_pages, 0);

	/* Pages already handed over (or allocated) are not reserved. */
	ck_assert_int_eq(buddy_free_range(&z, 500, 10), 0);
	ck_assert_int_eq(buddy_free_range(&z, 400, 101), -EINVAL);
	ck_assert_int_eq(buddy_free_range(&z, 509, 1), -EINVAL);
	ck_assert_int_eq(buddy_free_range(&z, 100, 1000), -EINVAL);
	ck_assert_uint_eq(z.free_pages, 10);
	ck_assert_uint_eq(buddy_page(&z, 400)->flags, PAGE_RESERVED);
	ck_assert_int_eq(buddy_alloc(&z, 2), 504);
	ck_assert_int_eq(buddy_free_range(&z, 504, 1), -EINVAL);
	ck_assert_int_eq(buddy_check(&z), 0);
}
END_TEST

START_TEST(double_free_and_bad_frees_are_refused)
{
	struct buddy_zone z;
	int64_t a, b;

	buddy_init(&z, 0x40000, 1024, pages);
	ck_assert_int_eq(buddy_free_range(&z, 0x40000, 512), 0);
	a = buddy_alloc(&z, 3);
	b = buddy_alloc(&z, 3);
	ck_assert_int_eq(a, 0x40000);
	ck_assert_int_eq(b, 0x40008);

	ck_assert_int_eq(buddy_free(&z, a, 2), -EINVAL); /* wrong order */
	ck_assert_int_eq(buddy_free(&z, a, 4), -EINVAL);
	ck_assert_int_eq(buddy_free(&z, a + 1, 0), -EINVAL);   /* inside */
	ck_assert_int_eq(buddy_free(&z, 0x40200, 0), -EINVAL); /* reserved */
	ck_assert_int_eq(buddy_free(&z, 0x40010, 4), -EINVAL); /* free */
	ck_assert_int_eq(buddy_free(&z, 0x3ffff, 0), -EINVAL); /* outside */
	ck_assert_int_eq(buddy_free(&z, 0x40400, 0), -EINVAL);
	ck_assert_uint_eq(z.free_pages, 512 - 16);
	ck_assert_int_eq(buddy_check(&z), 0);

	ck_assert_int_eq(buddy_free(&z, a, 3), 0);
	ck_assert_int_eq(buddy_free(&z, a, 3), -EINVAL); /* still a head */
	ck_assert_int_eq(buddy_free(&z, b, 3), 0);
	ck_assert_int_eq(buddy_free(&z, b, 3), -EINVAL); /* merged away */
	ck_assert_int_eq(buddy_free(&z, a, 3), -EINVAL);
	ck_assert_uint_eq(z.free_pages, 512);
	ck_assert_uint_eq(z.nfree[9], 1);
	ck_assert_int_eq(buddy_check(&z), 0);
}
END_TEST

START_TEST(refcount_is_one_when_allocated_zero_when_freed)
{
	struct buddy_zone z;
	int64_t pfn;

	zone_all_free(&z, 0x40000, 1024);
	pfn = buddy_alloc(&z, 2);
	ck_assert_uint_eq(buddy_page(&z, pfn)->refcount, 1);
	/* The kernel may change it; buddy_free does not look at it. */
	buddy_page(&z, pfn)->refcount = 7;
	ck_assert_int_eq(buddy_check(&z), 0);
	ck_assert_int_eq(buddy_free(&z, pfn, 2), 0);
	ck_assert_uint_eq(buddy_page(&z, pfn)->refcount, 0);
	pfn = buddy_alloc(&z, 0);
	ck_assert_uint_eq(buddy_page(&z, pfn)->refcount, 1);
}
END_TEST

START_TEST(split_gives_pages_freed_one_by_one)
{
	struct buddy_zone z;
	const size_t one_max[BUDDY_MAX_ORDER] = {[10] = 1};
	int64_t pfn;

	zone_all_free(&z, 0x40000, 1024);
	pfn = buddy_alloc(&z, 3);
	ck_assert_int_eq(buddy_split(&z, pfn + 1, 3), -EINVAL);	/* not a head */
	ck_assert_int_eq(buddy_split(&z, pfn, 2), -EINVAL);	/* wrong order */
	ck_assert_int_eq(buddy_split(&z, pfn, 3), 0);
	ck_assert_int_eq(buddy_check(&z), 0);
	ck_assert_uint_eq(z.free_pages, 1024 - 8);
	for (int i = 0; i < 8; i++) {
		ck_assert_uint_eq(buddy_page(&z, pfn + i)->flags, PAGE_ALLOCATED);
		ck_assert_uint_eq(buddy_page(&z, pfn + i)->refcount, 1);
	}
	ck_assert_int_eq(buddy_free(&z, pfn, 3), -EINVAL);	/* no longer one block */
	ck_assert_int_eq(buddy_split(&z, pfn, 3), -EINVAL);
	/* Out of order, and the whole zone merges back. */
	for (int i = 7; i >= 0; i -= 2)
		ck_assert_int_eq(buddy_free(&z, pfn + i, 0), 0);
	for (int i = 0; i < 8; i += 2)
		ck_assert_int_eq(buddy_free(&z, pfn + i, 0), 0);
	ck_assert_int_eq(buddy_free(&z, pfn, 0), -EINVAL);
	ck_assert_int_eq(buddy_check(&z), 0);
	assert_nfree(&z, one_max);
	ck_assert_int_eq(buddy_split(&z, 0x40000, 10), -EINVAL);	/* free */
}
END_TEST

START_TEST(page_and_pfn_convert_both_ways)
{
	struct buddy_zone z;

	buddy_init(&z, 0x12345, 1000, pages);
	ck_assert_ptr_eq(buddy_page(&z, 0x12345), &pages[0]);
	ck_assert_ptr_eq(buddy_page(&z, 0x12345 + 999), &pages[999]);
	ck_assert_ptr_null(buddy_page(&z, 0x12344));
	ck_assert_ptr_null(buddy_page(&z, 0x12345 + 1000));
	ck_assert_ptr_null(buddy_page(&z, 0));
	ck_assert_ptr_null(buddy_page(&z, UINT64_MAX));
	for (uint64_t pfn = 0x12345; pfn < 0x12345 + 1000; pfn++)
		quick_assert_uint_eq(buddy_pfn(&z, buddy_page(&z, pfn)), pfn);
}
END_TEST

/*
 * A zone with some of everything: 1000 of 1024 pages handed over, the
 * order-3 block at 0x403e0 split for an order-0 block at 0x403e0 and an
 * order-2 one at 0x403e4, leaving order 5 free at 0x403c0, for example.
 */
static void
mixed_zone(struct buddy_zone *z)
{
	buddy_init(z, 0x40000, 1024, pages);
	ck_assert_int_eq(buddy_free_range(z, 0x40000, 1000), 0);
	ck_assert_int_eq(buddy_alloc(z, 0), 0x403e0);
	ck_assert_int_eq(buddy_alloc(z, 2), 0x403e4);
	ck_assert_int_eq(buddy_check(z), 0);
}

START_TEST(check_catches_stray_flags)
{
	struct buddy_zone z;

	mixed_zone(&z);
	pages[0x3e5].flags = PAGE_FREE; /* inside an allocated block */
	ck_assert_int_eq(buddy_check(&z), -EIO);
	pages[0x3e5].flags = 0;
	pages[1].flags = PAGE_RESERVED; /* inside a free block */
	ck_assert_int_eq(buddy_check(&z), -EIO);
	pages[1].flags = 0;
	pages[0x3e0].flags = 0; /* an orphan page */
	ck_assert_int_eq(buddy_check(&z), -EIO);
	pages[0x3e0].flags = PAGE_FREE | PAGE_ALLOCATED;
	ck_assert_int_eq(buddy_check(&z), -EIO);
	pages[0x3e0].flags = PAGE_ALLOCATED;
	ck_assert_int_eq(buddy_check(&z), 0);
}
END_TEST

START_TEST(check_catches_bad_orders_and_counts)
{
	struct buddy_zone z;

	mixed_zone(&z);
	pages[0x3e4].order = 3; /* misaligned for order 3 */
	ck_assert_int_eq(buddy_check(&z), -EIO);
	pages[0x3e4].order = BUDDY_MAX_ORDER;
	ck_assert_int_eq(buddy_check(&z), -EIO);
	pages[0x3e4].order = 2;
	pages[0x3c0].order = 6; /* free block past the zone */
	ck_assert_int_eq(buddy_check(&z), -EIO);
	pages[0x3c0].order = 5;
	ck_assert_int_eq(buddy_check(&z), 0);

	z.free_pages++;
	ck_assert_int_eq(buddy_check(&z), -EIO);
	z.free_pages--;
	z.nfree[5]++;
	ck_assert_int_eq(buddy_check(&z), -EIO);
	z.nfree[5]--;
	ck_assert_int_eq(buddy_check(&z), 0);
}
END_TEST

START_TEST(check_catches_misaligned_blocks)
{
	struct buddy_zone z;

	mixed_zone(&z);
	/*
	 * Rebuild 0x3e0..0x3e3 as reserved, an allocated order-1 block at
	 * the odd page 0x3e1, reserved: consistent but for the alignment.
	 */
	list_remove(&pages[0x3e1].node);
	list_remove(&pages[0x3e2].node);
	z.nfree[0]--;
	z.nfree[1]--;
	z.free_pages -= 3;
	pages[0x3e0].flags = PAGE_RESERVED;
	pages[0x3e1].flags = PAGE_ALLOCATED;
	pages[0x3e1].order = 1;
	pages[0x3e2].flags = 0;
	pages[0x3e3].flags = PAGE_RESERVED;
	ck_assert_int_eq(buddy_check(&z), -EIO);
	pages[0x3e1].order = 0;
	pages[0x3e2].flags = PAGE_RESERVED;
	ck_assert_int_eq(buddy_check(&z), 0);
}
END_TEST

START_TEST(check_catches_broken_lists)
{
	struct buddy_zone z;
	struct list_node *n;

	mixed_zone(&z);
	/* A free head taken off its list behind the allocator's back. */
	n = &buddy_page(&z, 0x403c0)->node;
	list_remove(n);
	ck_assert_int_eq(buddy_check(&z), -EIO);
	/* ... even with the counts made to agree with the lists. */
	z.nfree[5]--;
	z.free_pages -= 32;
	ck_assert_int_eq(buddy_check(&z), -EIO);
	z.nfree[5]++;
	z.free_pages += 32;
	list_add_tail(&z.free[5], n);
	ck_assert_int_eq(buddy_check(&z), 0);
	/* ... put on the wrong order's list. */
	list_remove(n);
	list_add_tail(&z.free[4], n);
	ck_assert_int_eq(buddy_check(&z), -EIO);
	list_remove(n);
	list_add_tail(&z.free[5], n);
	/* A bad back pointer, and a cycle that never returns to the head. */
	n->prev = n;
	ck_assert_int_eq(buddy_check(&z), -EIO);
	n->prev = &z.free[5];
	n->next = n;
	ck_assert_int_eq(buddy_check(&z), -EIO);
	n->next = &z.free[5];
	ck_assert_int_eq(buddy_check(&z), 0);
	/* The head's back pointer missing the last node. */
	z.free[5].prev = &z.free[5];
	ck_assert_int_eq(buddy_check(&z), -EIO);
	z.free[5].prev = n;
	ck_assert_int_eq(buddy_check(&z), 0);
}
END_TEST

START_TEST(check_catches_unmerged_buddies)
{
	struct buddy_zone z;
	struct page *a, *b;

	zone_all_free(&z, 0x40000, 1024);
	ck_assert_int_eq(buddy_alloc(&z, 0), 0x40000);
	ck_assert_int_eq(buddy_alloc(&z, 0), 0x40001);
	/* Free both by hand without merging: the double-free shape. */
	a = buddy_page(&z, 0x40000);
	b = buddy_page(&z, 0x40001);
	a->flags = b->flags = PAGE_FREE;
	list_add_head(&z.free[0], &a->node);
	list_add_head(&z.free[0], &b->node);
	z.nfree[0] += 2;
	z.free_pages += 2;
	ck_assert_int_eq(buddy_check(&z), -EIO);
}
END_TEST

/*
 * The model for the random run: which pages the allocator may hand out
 * (handed over, not reserved), which are out now, and the live blocks.
 */
#define RZ_BASE	 3
#define RZ_PAGES 3000
#define MAX_LIVE RZ_PAGES /* every live block has a page */

struct model {
	bool usable[RZ_PAGES];
	bool used[RZ_PAGES];
	size_t nusable, nused;
	size_t nlive;
	uint64_t live_pfn[MAX_LIVE];
	unsigned live_order[MAX_LIVE];
};

/* Whether some naturally aligned run of 2^order pages is all free. */
static bool
model_has_block(const struct model *m, unsigned order)
{
	size_t n = (size_t)1 << order;
	uint64_t pfn = ALIGN_UP((uint64_t)RZ_BASE, n);

	for (; pfn + n <= RZ_BASE + RZ_PAGES; pfn += n) {
		size_t i = pfn - RZ_BASE, j;

		for (j = 0; j < n && m->usable[i + j] && !m->used[i + j]; j++)
			;
		if (j == n)
			return true;
	}
	return false;
}

static void
model_alloc(struct model *m, struct buddy_zone *z, uint64_t *seed)
{
	/* Mostly small orders, now and then a large one. */
	unsigned order = test_rand(seed) % 4 == 0
			     ? test_rand(seed) % BUDDY_MAX_ORDER
			     : test_rand(seed) % 3;
	int64_t pfn = buddy_alloc(z, order);
	size_t n = (size_t)1 << order;

	if (pfn < 0) {
		/* Fully merged: -ENOMEM exactly when no aligned run is free. */
		quick_assert_int_eq(pfn, -ENOMEM);
		quick_assert(!model_has_block(m, order));
		return;
	}
	quick_assert(m->nlive < MAX_LIVE);
	quick_assert_uint_eq(pfn % n, 0);
	quick_assert(pfn >= RZ_BASE && pfn + n <= RZ_BASE + RZ_PAGES);
	for (size_t i = pfn - RZ_BASE; i < pfn - RZ_BASE + n; i++) {
		quick_assert_msg(m->usable[i] && !m->used[i],
		    "pfn %zu handed out twice or while reserved", i + RZ_BASE);
		m->used[i] = true;
	}
	m->nused += n;
	m->live_pfn[m->nlive] = pfn;
	m->live_order[m->nlive] = order;
	m->nlive++;
}

static void
model_free(struct model *m, struct buddy_zone *z, uint64_t *seed)
{
	size_t k = test_rand(seed) % m->nlive;
	uint64_t pfn = m->live_pfn[k];
	unsigned order = m->live_order[k];
	size_t n = (size_t)1 << order;

	quick_assert_int_eq(buddy_free(z, pfn, order), 0);
	/* A second free of the same block is refused, whatever merged. */
	quick_assert_int_eq(buddy_free(z, pfn, order), -EINVAL);
	for (size_t i = pfn - RZ_BASE; i < pfn - RZ_BASE + n; i++)
		m->used[i] = false;
	m->nused -= n;
	m->nlive--;
	m->live_pfn[k] = m->live_pfn[m->nlive];
	m->live_order[k] = m->live_order[m->nlive];
}

/* Hands over all but a few reserved holes, in random pieces. */
static void
model_setup(struct model *m, struct buddy_zone *z, uint64_t *seed)
{
	size_t i = 0;

	memset(m, 0, sizeof(*m));
	buddy_init(z, RZ_BASE, RZ_PAGES, pages);
	while (i < RZ_PAGES) {
		size_t n = 1 + test_rand(seed) % 700;

		if (n > RZ_PAGES - i)
			n = RZ_PAGES - i;
		if (test_rand(seed) % 5 != 0) {
			quick_assert_int_eq(
			    buddy_free_range(z, RZ_BASE + i, n), 0);
			for (size_t j = i; j < i + n; j++)
				m->usable[j] = true;
			m->nusable += n;
		}
		i += n;
	}
	quick_assert_int_eq(buddy_check(z), 0);
}

START_TEST(random_run_matches_the_model)
{
	static struct model m;
	struct buddy_zone z;
	size_t initial[BUDDY_MAX_ORDER];
	uint64_t seed = TEST_SEED;

	for (int round = 0; round < 4; round++) {
		model_setup(&m, &z, &seed);
		memcpy(initial, z.nfree, sizeof(initial));
		for (int step = 0; step < 5000; step++) {
			/* Drift between nearly empty and nearly full. */
			bool filling = (step / 1000) % 2 == 0;
			uint64_t r = test_rand(&seed) % 10;

			if (m.nlive > 0 && (filling ? r < 3 : r < 7))
				model_free(&m, &z, &seed);
			else
				model_alloc(&m, &z, &seed);
			quick_assert_uint_eq(z.free_pages, m.nusable - m.nused);
			quick_assert_int_eq(buddy_check(&z), 0);
		}
		while (m.nlive > 0)
			model_free(&m, &z, &seed);
		/* Everything back: the same blocks as after the hand-over. */
		quick_assert_int_eq(buddy_check(&z), 0);
		quick_assert(!memcmp(initial, z.nfree, sizeof(initial)));
	}
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("buddy");
	TCase *tc = tcase_create("buddy");

	tcase_add_test(tc, new_zone_is_all_reserved);
	tcase_add_test(tc, aligned_zone_is_one_max_block);
	tcase_add_test(tc, order0_splits_every_order_and_merges_back);
	tcase_add_test(tc, bad_order_is_einval);
	tcase_add_test(tc, exhaustion_is_enomem_and_recovers);
	tcase_add_test(tc, unaligned_zone_uses_physically_aligned_blocks);
	tcase_add_test(tc, alloc_takes_the_smallest_block_that_fits);
	tcase_add_test(tc, misaligned_base_gives_aligned_2mib_blocks);
	tcase_add_test(tc, zone_at_pfn_zero_and_max_order_blocks_stay_apart);
	tcase_add_test(tc, free_range_in_pieces_merges);
	tcase_add_test(tc, free_range_rejects_bad_runs);
	tcase_add_test(tc, double_free_and_bad_frees_are_refused);
	tcase_add_test(tc, refcount_is_one_when_allocated_zero_when_freed);
	tcase_add_test(tc, split_gives_pages_freed_one_by_one);
	tcase_add_test(tc, page_and_pfn_convert_both_ways);
	tcase_add_test(tc, check_catches_stray_flags);
	tcase_add_test(tc, check_catches_bad_orders_and_counts);
	tcase_add_test(tc, check_catches_broken_lists);
	tcase_add_test(tc, check_catches_misaligned_blocks);
	tcase_add_test(tc, check_catches_unmerged_buddies);
	tcase_add_test(tc, random_run_matches_the_model);
	suite_add_tcase(s, tc);
	return s;
}
