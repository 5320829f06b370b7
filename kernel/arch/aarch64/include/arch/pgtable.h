/*
 * Kernel page-table construction for the TTBR1 half: map a physical range
 * at a virtual range with the largest blocks alignment allows (1 GiB,
 * 2 MiB, 4 KiB), allocating intermediate tables from a static pool.
 *
 * The same code runs twice: with the MMU off (tables reached at their
 * physical address, pt_linear_offset == 0) to build the boot tables, and
 * with the MMU on (tables reached through the linear map).
 */
#ifndef ARCH_PGTABLE_H
#define ARCH_PGTABLE_H

#include <stdint.h>

extern uint64_t pt_linear_offset;

/*
 * Map [va, va + size) to [pa, pa + size) with descriptor attributes attrs.
 * All three must be page aligned. An entry already mapping the same page
 * with the same attributes is left alone; any other existing mapping is a
 * conflict. Returns 0, -EEXIST on a conflict, or -ENOMEM when the table
 * pool is exhausted.
 */
int pt_map(uint64_t root_pa, uint64_t va, uint64_t pa, uint64_t size,
    uint64_t attrs);

/* A zeroed page-table page from the boot pool (its physical address), or 0. */
uint64_t pt_alloc_table(void);

/* How many pool pages are used / exist (for the boot report). */
unsigned pt_pool_used(void);
unsigned pt_pool_size(void);

#endif
