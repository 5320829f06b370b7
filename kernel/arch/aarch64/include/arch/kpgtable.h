/*
 * The kernel's own page tables (the TTBR1 half, and the boot identity map
 * in TTBR0): tables from a static pool, mapped through <lichen/pgtable.h>.
 *
 * The same code runs with the MMU off (early_map.c builds the boot tables,
 * reaching them at their physical address) and with it on (hal.c maps RAM
 * and devices, reaching tables through the linear map).
 */
#ifndef ARCH_KPGTABLE_H
#define ARCH_KPGTABLE_H

#include <stdint.h>

/* VA - PA for the pool's tables: 0 with the MMU off, PAGE_OFFSET after. */
extern uint64_t pt_linear_offset;
/* The image's link address minus its load address; 0 with the MMU off. */
extern uint64_t kimage_voffset;

enum kpt_kind {
	KPT_TEXT,   /* normal memory, EL1 read-only, executable */
	KPT_RODATA, /* normal memory, EL1 read-only, never executed */
	KPT_DATA,   /* normal memory, EL1 read-write, never executed */
	KPT_DEVICE, /* device-nGnRE, EL1 read-write, never executed */
};

/* A zeroed table from the pool (its physical address), or 0. */
uint64_t kpt_alloc_root(void);

struct pte_attrs;
/* pt_map with explicit attributes and flags (PT_BLOCKS), then dsb ishst. */
int kpt_map_attrs(uint64_t root, uint64_t va, uint64_t pa, uint64_t size,
    const struct pte_attrs *a, unsigned flags);

/*
 * Map [va, va + size) to pa as kind, with blocks where alignment allows,
 * and make the new entries visible to the table walker.  Returns 0, or
 * pt_map's -EINVAL, -EEXIST (nothing changed) or -ENOMEM (pool exhausted,
 * nothing changed).
 */
int kpt_map(
    uint64_t root, uint64_t va, uint64_t pa, uint64_t size, enum kpt_kind kind);

#endif
