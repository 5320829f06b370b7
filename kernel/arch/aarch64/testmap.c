/*
 * A scratch user address space for the boot self tests (selftest.c) until
 * vmspaces exist: one TTBR0 table, pages mapped with chosen permissions.
 * Its tables come from the boot pool and are not returned.
 */
#include <lichen/errno.h>
#include <lichen/pgtable.h>
#include <arch/kpgtable.h>
#include <arch/memlayout.h>
#include <arch/sysreg.h>
#include <kernel.h>

static uint64_t test_root;

static void
tlb_flush_all(void)
{
	__asm__ volatile("dsb ishst; tlbi vmalle1is; dsb ish; isb" ::: "memory");
}

static void
ttbr0_enable(uint64_t root, int on)
{
	uint64_t tcr;

	__asm__ volatile("mrs %0, tcr_el1" : "=r"(tcr));
	tcr = on ? tcr & ~TCR_EPD0 : tcr | TCR_EPD0;
	__asm__ volatile("msr ttbr0_el1, %0; msr tcr_el1, %1; isb"
	    :: "r"(root), "r"(tcr) : "memory");
	tlb_flush_all();
}

int
hal_test_user_map(uint64_t uva, void *page, enum hal_test_perm perm)
{
	struct pte_attrs a = {
		.user = perm != HAL_TEST_KERNEL_ONLY,
		.writable = perm != HAL_TEST_USER_RO,
		.memtype = MT_NORMAL,
		.share = PTE_SH_INNER,
		.accessed = true,
	};
	uint64_t pa = (uint64_t)page - kimage_voffset;
	int err;

	if (test_root == 0 && (test_root = kpt_alloc_root()) == 0)
		return -ENOMEM;
	err = kpt_map_attrs(test_root, uva, pa, PAGE_SIZE, &a, 0);
	if (err == 0)
		ttbr0_enable(test_root, 1);
	return err;
}

void
hal_test_user_unmap_all(void)
{
	ttbr0_enable(0, 0);
	test_root = 0;
}
