/* Interfaces between boot.S and the C that runs before the MMU is on. */
#ifndef ARCH_EARLY_H
#define ARCH_EARLY_H

#include <stdint.h>

struct early_tables {
	uint64_t ttbr0;		/* identity map of the image */
	uint64_t ttbr1;		/* the kernel half */
};

/*
 * Build the boot page tables (MMU off). Returned in x0/x1 to boot.S; both
 * are 0 if a mapping failed.
 */
struct early_tables early_map(uint64_t image_pa, uint64_t dtb_pa);

#endif
