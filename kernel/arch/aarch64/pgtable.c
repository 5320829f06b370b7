/*
 * Kernel page tables for the boot mappings: see arch/pgtable.h.
 *
 * This file may run with the MMU off, at the image's physical address, so
 * it must only reach globals PC-relatively (the default code model does)
 * and must not use pointers stored in initialised data. The unit tests
 * build it for the host, where "physical" addresses are host pointers
 * (both offsets stay 0).
 */
#include <lichen/errno.h>
#include <arch/memlayout.h>
#include <arch/pgtable.h>
#include <arch/sysreg.h>

#define PT_ENTRIES	512
#define PT_POOL_PAGES	64

uint64_t pt_linear_offset;
uint64_t kimage_voffset;

static uint64_t pt_pool[PT_POOL_PAGES][PT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static unsigned pt_pool_next;

static uint64_t *
pt_table(uint64_t pa)
{
	return (uint64_t *)(pa + pt_linear_offset);
}

uint64_t
pt_alloc_table(void)
{
	uint64_t *t;

	if (pt_pool_next == PT_POOL_PAGES)
		return 0;
	t = pt_pool[pt_pool_next++];
	for (int i = 0; i < PT_ENTRIES; i++)
		t[i] = 0;
	return (uint64_t)t - kimage_voffset;
}

unsigned
pt_pool_used(void)
{
	return pt_pool_next;
}

unsigned
pt_pool_size(void)
{
	return PT_POOL_PAGES;
}

static unsigned
pt_index(uint64_t va, int level)
{
	return (va >> (PAGE_SHIFT + 9 * (3 - level))) & (PT_ENTRIES - 1);
}

static uint64_t
pt_level_size(int level)
{
	return 1UL << (PAGE_SHIFT + 9 * (3 - level));
}

/* The descriptor for a leaf mapping pa at level (block or page). */
static uint64_t
pt_leaf(uint64_t pa, uint64_t attrs, int level)
{
	return pa | attrs | (level == 3 ? PTE_PAGE : PTE_BLOCK);
}

/* Map one aligned chunk of size pt_level_size(level) or smaller, recursively. */
static int
pt_map_level(uint64_t table_pa, int level, uint64_t va, uint64_t pa,
    uint64_t size, uint64_t attrs)
{
	uint64_t *table = pt_table(table_pa);
	uint64_t step = pt_level_size(level);

	while (size > 0) {
		uint64_t *e = &table[pt_index(va, level)];
		uint64_t chunk = step - (va & (step - 1));
		int err;

		if (chunk > size)
			chunk = size;
		/* A whole, aligned block at a level that allows blocks... */
		if (level >= 1 && chunk == step && (pa & (step - 1)) == 0 &&
		    (*e & PTE_TABLE) != PTE_TABLE) {
			uint64_t want = pt_leaf(pa, attrs, level);

			if (*e != 0 && *e != want)
				return -EEXIST;
			*e = want;
		} else if (level == 3) {
			uint64_t want = pt_leaf(pa, attrs, level);

			if (*e != 0 && *e != want)
				return -EEXIST;
			*e = want;
		} else {
			/* ...otherwise descend, making the next table if needed. */
			if (*e == 0) {
				uint64_t next = pt_alloc_table();

				if (next == 0)
					return -ENOMEM;
				*e = next | PTE_TABLE;
			} else if ((*e & PTE_TABLE) != PTE_TABLE) {
				return -EEXIST;	/* a block covers part of it */
			}
			err = pt_map_level(*e & PTE_ADDR_MASK, level + 1, va, pa,
			    chunk, attrs);
			if (err)
				return err;
		}
		va += chunk;
		pa += chunk;
		size -= chunk;
	}
	return 0;
}

int
pt_map(uint64_t root_pa, uint64_t va, uint64_t pa, uint64_t size,
    uint64_t attrs)
{
	int err;

	if ((va | pa | size) & (PAGE_SIZE - 1))
		return -EINVAL;
	err = pt_map_level(root_pa, 0, va, pa, size, attrs);
#ifndef LK_HOST	/* unit tests build this file for the host */
	/* Make the new entries visible to the table walker. */
	__asm__ volatile("dsb ishst; isb" ::: "memory");
#endif
	return err;
}
