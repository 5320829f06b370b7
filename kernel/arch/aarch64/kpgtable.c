/*
 * kpgtable.c - the kernel's page tables: the pool their tables come from
 * and kpt_map(), which lichen/pgtable.h's pt_map does the work for.  See
 * arch/kpgtable.h.
 *
 * Runs with the MMU off at boot, at the image's physical address: globals
 * only PC-relatively (the default code model does), no pointers in
 * initialised data, so struct pt_ops is filled in at run time.
 */
#include <lichen/compiler.h>
#include <lichen/pgtable.h>
#include <arch/kpgtable.h>
#include <arch/memlayout.h>
#include <arch/sysreg.h>

#define KPT_POOL_PAGES 64

uint64_t pt_linear_offset;
uint64_t kimage_voffset;

static uint64_t kpt_pool[KPT_POOL_PAGES][PT_ENTRIES]
    __attribute__((aligned(PAGE_SIZE)));
static unsigned kpt_pool_next;

static uint64_t
kpt_pool_pa(unsigned i)
{
	return (uint64_t)kpt_pool[i] - kimage_voffset;
}

static uint64_t
kpt_alloc(void *ctx __unused)
{
	uint64_t *t;

	if (kpt_pool_next == KPT_POOL_PAGES)
		return 0;
	t = kpt_pool[kpt_pool_next];
	for (int i = 0; i < PT_ENTRIES; i++)
		t[i] = 0;
	return kpt_pool_pa(kpt_pool_next++);
}

/*
 * Only the newest table goes back to the pool: pt_map frees the tables of
 * a failed call newest first, and kernel tables are never freed otherwise.
 */
static void
kpt_free(void *ctx __unused, uint64_t pa)
{
	if (kpt_pool_next > 0 && pa == kpt_pool_pa(kpt_pool_next - 1))
		kpt_pool_next--;
}

static void *
kpt_ptr(void *ctx __unused, uint64_t pa)
{
	return (void *)(pa + pt_linear_offset);
}

uint64_t
kpt_alloc_root(void)
{
	return kpt_alloc(NULL);
}

static void
kpt_attrs(enum kpt_kind kind, struct pte_attrs *a)
{
	a->user = false;
	a->writable = kind != KPT_TEXT && kind != KPT_RODATA;
	a->user_exec = false;
	a->kernel_exec = kind == KPT_TEXT;
	a->global = true;
	a->memtype = kind == KPT_DEVICE ? MT_DEVICE_nGnRE : MT_NORMAL;
	a->share = kind == KPT_DEVICE ? PTE_SH_NONE : PTE_SH_INNER;
	a->accessed = true;
	a->software_cow = false;
}

int
kpt_map_attrs(uint64_t root, uint64_t va, uint64_t pa, uint64_t size,
    const struct pte_attrs *a, unsigned flags)
{
	struct pt_ops ops;
	int err;

	/* Assigned one by one: an initialiser could become a .rodata copy. */
	ops.alloc_table = kpt_alloc;
	ops.free_table = kpt_free;
	ops.table_ptr = kpt_ptr;
	ops.ctx = NULL;
	err = pt_map(&ops, root, va, pa, size, a, flags);
	/* Make the new entries visible to the table walker. */
	__asm__ volatile("dsb ishst; isb" ::: "memory");
	return err;
}

int
kpt_map(
    uint64_t root, uint64_t va, uint64_t pa, uint64_t size, enum kpt_kind kind)
{
	struct pte_attrs a;

	kpt_attrs(kind, &a);
	return kpt_map_attrs(root, va, pa, size, &a, PT_BLOCKS);
}
