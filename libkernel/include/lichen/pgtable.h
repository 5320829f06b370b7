/*
 * <lichen/pgtable.h> - AArch64 translation tables: VMSAv8-64, 4 KiB granule,
 * 48-bit virtual and physical addresses, four levels (0-3).
 *
 * Owns the descriptor format (pte_encode/pte_decode/pte_pa) and the
 * operations on one tree of tables: map, unmap, walk, protect, visit every
 * leaf, destroy.  The kernel uses it for its own half (TTBR1), at boot with
 * the MMU off as well, and for user address spaces (TTBR0).
 *
 * Tables are named by physical address; struct pt_ops turns one into a
 * pointer and allocates and frees them, so the library knows nothing of
 * the memory layout.  A tree holds only zero entries and valid
 * descriptors: never a non-zero invalid one.
 *
 * No locking, no barriers, no TLB maintenance.  The caller serialises
 * operations on one tree and, after changing a live tree, issues
 * "dsb ishst" (so the table walker sees new entries) and, for anything
 * removed or changed, the TLBI for each affected VA (or ASID) followed by
 * "dsb ish; isb".  Changing the memory type or output address of a live
 * leaf needs break-before-make: unmap, TLBI, then map.
 *
 * Safe to run with the MMU off: no pointers in initialised data.
 */
#ifndef LICHEN_PGTABLE_H
#define LICHEN_PGTABLE_H

#include <stdbool.h>
#include <stdint.h>

#define PT_LEVELS     4
#define PT_ENTRIES    512
#define PT_PAGE_SHIFT 12
#define PT_PAGE_SIZE  (UINT64_C(1) << PT_PAGE_SHIFT)
#define PT_VA_BITS    48
#define PT_PA_BITS    48
/* The span of one entry at level l (0-3): 512 GiB, 1 GiB, 2 MiB, 4 KiB. */
#define PT_LEVEL_SHIFT(l) (PT_PAGE_SHIFT + 9 * (3 - (l)))
#define PT_LEVEL_SIZE(l)  (UINT64_C(1) << PT_LEVEL_SHIFT(l))

/* Descriptor bits (Arm ARM D8.3, stage 1, 4 KiB granule). */
#define PTE_VALID	  (UINT64_C(1) << 0)
#define PTE_TYPE_MASK	  (UINT64_C(3) << 0)
#define PTE_TYPE_BLOCK	  (UINT64_C(1) << 0) /* levels 1-2 */
#define PTE_TYPE_TABLE	  (UINT64_C(3) << 0) /* levels 0-2 */
#define PTE_TYPE_PAGE	  (UINT64_C(3) << 0) /* level 3 */
#define PTE_ATTRIDX_SHIFT 2		     /* MAIR index */
#define PTE_ATTRIDX_MASK  (UINT64_C(7) << PTE_ATTRIDX_SHIFT)
#define PTE_AP_USER	  (UINT64_C(1) << 6) /* AP[1]: EL0 access */
#define PTE_AP_RDONLY	  (UINT64_C(1) << 7) /* AP[2]: read-only */
#define PTE_SH_SHIFT	  8
#define PTE_SH_MASK	  (UINT64_C(3) << PTE_SH_SHIFT)
#define PTE_AF		  (UINT64_C(1) << 10) /* access flag */
#define PTE_NG		  (UINT64_C(1) << 11) /* not global: per ASID */
#define PTE_PXN		  (UINT64_C(1) << 53)
#define PTE_UXN		  (UINT64_C(1) << 54)
#define PTE_SW_COW	  (UINT64_C(1) << 55) /* software: copy-on-write */
#define PTE_ADDR_MASK	  UINT64_C(0x0000fffffffff000)

/* Shareability (the SH field); 1 is reserved. */
#define PTE_SH_NONE  0
#define PTE_SH_OUTER 2
#define PTE_SH_INNER 3

/*
 * A leaf's attributes.  user gives EL0 the same data access as EL1;
 * writable applies to both.  user_exec and kernel_exec are the inverses of
 * UXN and PXN (the hardware also refuses EL1 execution of EL0-writable
 * memory).  memtype is a MAIR_EL1 index (0-7), share a PTE_SH_* value.
 */
struct pte_attrs {
	bool user;
	bool writable;
	bool user_exec;
	bool kernel_exec;
	bool global;
	uint8_t memtype;
	uint8_t share;
	bool accessed;
	bool software_cow;
};

/*
 * Where the tables live.  alloc_table returns the physical address of a
 * zeroed, page-aligned table, or 0 when out of memory; table_ptr makes a
 * table's physical address usable by the CPU.  free_table may get a table
 * the walker still has cached: the caller must not reuse it before its
 * TLB invalidation has completed.
 */
struct pt_ops {
	uint64_t (*alloc_table)(void *ctx);
	void (*free_table)(void *ctx, uint64_t pa);
	void *(*table_ptr)(void *ctx, uint64_t pa);
	void *ctx;
};

/* pt_map flags */
#define PT_BLOCKS (1U << 0) /* 1 GiB / 2 MiB blocks where aligned */

/* Gets each removed leaf: its first VA and its old descriptor. */
typedef void pt_leaf_fn(void *ctx, uint64_t va, uint64_t desc);

/*
 * Gets each valid leaf: its first VA (a block's may precede the range),
 * its descriptor, which it may rewrite to 0 or to a valid leaf of the same
 * level, and its level (1-3).  Non-zero stops the walk.
 */
typedef int pt_visit_fn(void *ctx, uint64_t va, uint64_t *desc, int level);

/* false when memtype > 7 or share is the reserved value or > 3. */
bool pte_attrs_valid(const struct pte_attrs *a);

/*
 * The block (level 1, 2) or page (level 3) descriptor mapping pa with a.
 * 0 when the level, the attributes or pa (aligned to the level's size,
 * below 2^48) are not valid.
 */
uint64_t pte_encode(uint64_t pa, const struct pte_attrs *a, int level);

/* The attributes of a leaf descriptor. */
void pte_decode(uint64_t desc, struct pte_attrs *a);

/*
 * The output address of a descriptor at level (0-3): the next table's for a
 * table descriptor, the block's or page's base for a leaf; 0 for a bad level.
 */
uint64_t pte_pa(uint64_t desc, int level);

/*
 * In the functions below root is the level-0 table's physical address and
 * a VA range [va, va + size) must be page aligned, lie in one half of the
 * address space (top 16 bits all 0 or all 1) and may end at 2^64; size 0
 * does nothing.  Bad ranges and attributes are -EINVAL, before any change.
 */

/*
 * Map [va, va + size) to [pa, pa + size) with leaves carrying a.  With
 * PT_BLOCKS, 1 GiB and 2 MiB blocks where va and pa allow, else pages.
 * An existing identical translation is accepted; any other entry in the
 * way is -EEXIST.  Every table needed is allocated before anything is
 * written, so -EEXIST, -EINVAL and -ENOMEM leave the tree as it was.
 */
int pt_map(const struct pt_ops *ops, uint64_t root, uint64_t va, uint64_t pa,
    uint64_t size, const struct pte_attrs *a, unsigned flags);

/*
 * Remove every leaf in [va, va + size), calling leaf (if not NULL) after
 * each is cleared, and free the tables that become empty (never root).
 * A block only partly inside the range is -EINVAL, with nothing changed.
 */
int pt_unmap(const struct pt_ops *ops, uint64_t root, uint64_t va,
    uint64_t size, pt_leaf_fn *leaf, void *ctx);

/* The valid leaf descriptor translating va and its level, or 0. */
uint64_t pt_walk(
    const struct pt_ops *ops, uint64_t root, uint64_t va, int *level);

/*
 * Give every leaf in [va, va + size) the attributes a, keeping its output
 * address; holes are skipped.  A block only partly inside is -EINVAL, with
 * nothing changed.
 */
int pt_protect(const struct pt_ops *ops, uint64_t root, uint64_t va,
    uint64_t size, const struct pte_attrs *a);

/*
 * Call fn on every valid leaf overlapping [va, va + size), in address
 * order.  Returns 0, fn's first non-zero result, or -EINVAL for a bad range
 * or when fn wrote a descriptor that is neither 0 nor a valid leaf of its
 * level (that one is not stored).
 */
int pt_for_each_leaf(const struct pt_ops *ops, uint64_t root, uint64_t va,
    uint64_t size, pt_visit_fn *fn, void *ctx);

/*
 * Free every table of the tree, root included, calling leaf (if not NULL)
 * for each valid leaf first.  VAs passed are the low half's (a TTBR0 tree).
 */
void pt_destroy(
    const struct pt_ops *ops, uint64_t root, pt_leaf_fn *leaf, void *ctx);

#endif /* LICHEN_PGTABLE_H */
