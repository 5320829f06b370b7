/*
 * test_pgtable.c - kernel/arch/aarch64/pgtable.c built for the host: the
 * boot page-table builder, checked by walking the tables it writes (here a
 * "physical" table address is simply a host pointer).
 */
#include <lichen/errno.h>
#include <arch/memlayout.h>
#include <arch/pgtable.h>
#include <arch/sysreg.h>

#include "unit.h"

#define GiB	(1UL << 30)
#define MiB	(1UL << 20)
#define KiB	(1UL << 10)
#define VA0	0xffff000000000000UL	/* PAGE_OFFSET, as the kernel uses it */

/* Translate va: the leaf descriptor, its level (1-3), or 0 if unmapped. */
static uint64_t
walk(uint64_t root, uint64_t va, int *level)
{
	uint64_t table = root;

	for (int l = 0; l <= 3; l++) {
		unsigned idx = (va >> (12 + 9 * (3 - l))) & 511;
		uint64_t e = ((uint64_t *)table)[idx];

		if ((e & 1) == 0)
			return 0;
		if (l == 3 || (e & 3) == PTE_BLOCK) {
			*level = l;
			return e;
		}
		table = e & PTE_ADDR_MASK;
	}
	return 0;
}

/* The physical address va translates to, or ~0 if it does not. */
static uint64_t
translate(uint64_t root, uint64_t va)
{
	int level;
	uint64_t e = walk(root, va, &level);
	uint64_t size = 1UL << (12 + 9 * (3 - level));

	if (e == 0)
		return ~0UL;
	return (e & PTE_ADDR_MASK & ~(size - 1)) | (va & (size - 1));
}

static void
assert_mapped(uint64_t root, uint64_t va, uint64_t pa, uint64_t size)
{
	for (uint64_t off = 0; off < size; off += PAGE_SIZE)
		quick_assert_uint_eq(translate(root, va + off), pa + off);
	quick_assert_uint_eq(translate(root, va - PAGE_SIZE), ~0UL);
	quick_assert_uint_eq(translate(root, va + size), ~0UL);
}

START_TEST(gib_block_when_aligned)
{
	uint64_t root = pt_alloc_table();
	int level;

	ck_assert_int_eq(pt_map(root, VA0 + GiB, GiB, GiB, PTE_KERNEL_RW), 0);
	ck_assert_uint_ne(walk(root, VA0 + GiB + 12345 * PAGE_SIZE, &level), 0);
	ck_assert_int_eq(level, 1);
	ck_assert_uint_eq(walk(root, VA0 + GiB, &level) & ~PTE_ADDR_MASK,
	    PTE_KERNEL_RW | PTE_BLOCK);
	assert_mapped(root, VA0 + GiB, GiB, GiB);
	ck_assert_uint_eq(pt_pool_used(), 2);	/* the root and one L1 table */
}
END_TEST

START_TEST(mib_blocks_and_pages)
{
	uint64_t root = pt_alloc_table();
	uint64_t va = VA0 + 0x40000000UL - 8 * KiB, pa = 0x40000000UL - 8 * KiB;
	uint64_t size = 4 * MiB + 16 * KiB;
	int level;

	ck_assert_int_eq(pt_map(root, va, pa, size, PTE_KERNEL_RW), 0);
	assert_mapped(root, va, pa, size);
	walk(root, va, &level);
	ck_assert_int_eq(level, 3);			/* unaligned head */
	walk(root, VA0 + 0x40000000UL, &level);
	ck_assert_int_eq(level, 2);			/* 2 MiB blocks */
	walk(root, va + size - PAGE_SIZE, &level);
	ck_assert_int_eq(level, 3);			/* unaligned tail */
}
END_TEST

START_TEST(va_pa_misaligned_relative_to_each_other)
{
	uint64_t root = pt_alloc_table();
	int level;

	/* 2 MiB-aligned VA but only page-aligned PA: pages throughout. */
	ck_assert_int_eq(pt_map(root, VA0 + 2 * MiB, 0x1000, 2 * MiB,
	    PTE_KERNEL_DEVICE), 0);
	assert_mapped(root, VA0 + 2 * MiB, 0x1000, 2 * MiB);
	walk(root, VA0 + 2 * MiB, &level);
	ck_assert_int_eq(level, 3);
}
END_TEST

START_TEST(same_mapping_again_is_fine)
{
	uint64_t root = pt_alloc_table();

	ck_assert_int_eq(pt_map(root, VA0, 0, 4 * MiB, PTE_KERNEL_RW), 0);
	ck_assert_int_eq(pt_map(root, VA0 + 8 * KiB, 8 * KiB, 8 * KiB,
	    PTE_KERNEL_RW), -EEXIST);	/* would need a table inside a block */
	ck_assert_int_eq(pt_map(root, VA0, 0, 2 * MiB, PTE_KERNEL_RW), 0);
	assert_mapped(root, VA0, 0, 4 * MiB);
}
END_TEST

START_TEST(pages_then_the_whole_block)
{
	uint64_t root = pt_alloc_table();

	/* The boot code maps the image in pages; RAM later in big blocks. */
	ck_assert_int_eq(pt_map(root, VA0 + 4 * MiB + 64 * KiB, 4 * MiB + 64 * KiB,
	    64 * KiB, PTE_KERNEL_RW), 0);
	ck_assert_int_eq(pt_map(root, VA0, 0, 1 * GiB, PTE_KERNEL_RW), 0);
	assert_mapped(root, VA0, 0, 1 * GiB);
}
END_TEST

START_TEST(conflicts_are_refused)
{
	uint64_t root = pt_alloc_table();

	ck_assert_int_eq(pt_map(root, VA0, 0, 64 * KiB, PTE_KERNEL_RW), 0);
	ck_assert_int_eq(pt_map(root, VA0, 0, 64 * KiB, PTE_KERNEL_DEVICE), -EEXIST);
	ck_assert_int_eq(pt_map(root, VA0 + 4 * KiB, 0x9000, 4 * KiB,
	    PTE_KERNEL_RW), -EEXIST);
	assert_mapped(root, VA0, 0, 64 * KiB);	/* unchanged */
}
END_TEST

START_TEST(misaligned_arguments)
{
	uint64_t root = pt_alloc_table();

	ck_assert_int_eq(pt_map(root, VA0 + 1, 0, PAGE_SIZE, PTE_KERNEL_RW), -EINVAL);
	ck_assert_int_eq(pt_map(root, VA0, 0x800, PAGE_SIZE, PTE_KERNEL_RW), -EINVAL);
	ck_assert_int_eq(pt_map(root, VA0, 0, 100, PTE_KERNEL_RW), -EINVAL);
	ck_assert_uint_eq(translate(root, VA0), ~0UL);
}
END_TEST

START_TEST(pool_exhaustion_is_an_error)
{
	uint64_t root = pt_alloc_table();
	int err = 0;

	/* Pages 512 GiB apart each need three new tables. */
	for (uint64_t i = 0; i < 64 && err == 0; i++)
		err = pt_map(root, i << 39, i * PAGE_SIZE, PAGE_SIZE, PTE_KERNEL_RW);
	ck_assert_int_eq(err, -ENOMEM);
	ck_assert_uint_eq(pt_pool_used(), pt_pool_size());
	ck_assert_uint_eq(pt_alloc_table(), 0);
	ck_assert_uint_eq(translate(root, 0), 0);	/* earlier maps intact */
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("pgtable");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, gib_block_when_aligned);
	tcase_add_test(tc, mib_blocks_and_pages);
	tcase_add_test(tc, va_pa_misaligned_relative_to_each_other);
	tcase_add_test(tc, same_mapping_again_is_fine);
	tcase_add_test(tc, pages_then_the_whole_block);
	tcase_add_test(tc, conflicts_are_refused);
	tcase_add_test(tc, misaligned_arguments);
	tcase_add_test(tc, pool_exhaustion_is_an_error);
	suite_add_tcase(s, tc);
	return s;
}
