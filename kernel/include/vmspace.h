/*
 * vmspace: a user address space — a TTBR0 page table tagged with an ASID,
 * and the set of VMAs that says what may be mapped where. Anonymous memory
 * is demand-zero; a clone shares every private page copy-on-write.
 *
 * Page ownership: every anonymous page mapped in a vmspace holds one
 * reference (struct page.refcount) per vmspace that maps it; the last
 * vmspace to drop it frees it. Physical (MMIO) mappings own nothing.
 * Page tables belong to their vmspace and are freed with it.
 *
 * Each vmspace has a lock over its VMAs and tables; TLB maintenance is
 * broadcast (inner-shareable), so a change is seen by every CPU. Page
 * reference counts are atomic: a page may be shared between vmspaces
 * that run on different CPUs. A vmspace is a kernel object: processes,
 * threads running on it and handles each hold a reference.
 */
#ifndef VMSPACE_H
#define VMSPACE_H

#include <stdbool.h>
#include <stdint.h>
#include <lichen/vma.h>
#include <object.h>
#include <spinlock.h>

struct vmspace {
	struct kobj obj;
	struct spinlock lock;	/* vmas and the tables */
	uint64_t root;		/* PA of the level-0 table */
	uint64_t asid_ctx;	/* <lichen/asid.h> context word */
	struct vma_set vmas;
};

/* The ASID allocator; max_bits (0: the hardware's) caps the width, for tests. */
void vmspace_init_asids(unsigned max_bits);
/* How many times the ASIDs ran out and a new generation began. */
uint64_t vmspace_asid_rollovers(void);

struct vmspace *vmspace_create(void);
/* Unmap everything, drop every page reference, free tables and ASID. */
void vmspace_destroy(struct vmspace *vs);

/* Reserve [uva, uva + len) for demand-zero memory with prot (VMA_READ...). */
int vmspace_map_anon(struct vmspace *vs, uint64_t uva, uint64_t len, uint32_t prot);
/* Map physical memory (a device's registers) at once, device-nGnRE. */
int vmspace_map_phys(struct vmspace *vs, uint64_t uva, uint64_t pa, uint64_t len,
    uint32_t prot);
int vmspace_unmap(struct vmspace *vs, uint64_t uva, uint64_t len);
int vmspace_protect(struct vmspace *vs, uint64_t uva, uint64_t len, uint32_t prot);

/*
 * Resolve a fault at uva: demand-zero, or copy-on-write on a write. 0 when
 * the access can be retried, -EFAULT when it is an error (no VMA, or the
 * VMA forbids it), -ENOMEM when memory ran out.
 */
int vmspace_fault(struct vmspace *vs, uint64_t uva, bool write);
/* Is uva inside a mapping (whatever its protection)? */
bool vmspace_mapped(struct vmspace *vs, uint64_t uva);

/*
 * Map n pages (physical addresses, each gaining a reference) at uva,
 * shared: writes are seen by every mapping, clones share them too.
 */
int vmspace_map_pages(struct vmspace *vs, uint64_t uva, const uint64_t *pages,
    uint64_t n, uint32_t prot);

/*
 * Copy len bytes between vs at uva and the calling thread's own memory at
 * buf (to_vs: from buf into vs). Pages are faulted in as an access of the
 * thread would (demand-zero, copy-on-write); -EFAULT when a page of
 * either side cannot be reached, with nothing promised about a partial copy.
 */
int vmspace_copy(struct vmspace *vs, uint64_t uva, uint64_t buf, uint64_t len,
    bool to_vs);

/* A copy-on-write clone of vs, or NULL when memory runs out. */
struct vmspace *vmspace_clone(struct vmspace *vs);

struct vm_stats {
	uint64_t demand_zero;	/* pages faulted in zeroed */
	uint64_t cow_copies;	/* writes that copied a shared page */
	uint64_t cow_reused;	/* writes that found the last reference */
	uint64_t cow_shared;	/* pages shared copy-on-write now */
};
void vmspace_stats(struct vm_stats *st);

/* Make vs the current user address space (NULL: none). */
void vmspace_activate(struct vmspace *vs);
struct vmspace *vmspace_current(void);
/* An idle CPU lets go of a space only it still holds. */
void vmspace_drop_unused(void);

#endif
