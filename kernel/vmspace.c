/*
 * User address spaces: see vmspace.h. The VMA set (libkernel) decides what
 * may be mapped; the page tables (libkernel pgtable, through the ops
 * below) hold what is mapped now; struct page reference counts decide when
 * a shared page must be copied and when it may be freed.
 */
#include <lichen/asid.h>
#include <lichen/errno.h>
#include <lichen/pgtable.h>
#include <lichen/string.h>
#include <arch/memlayout.h>
#include <arch/sysreg.h>
#include <kernel.h>
#include <pmm.h>
#include <uaccess.h>
#include <cpu.h>
#include <vmspace.h>

static struct asid_space asids;
static struct spinlock asid_lock = SPINLOCK_INIT;
static bool asid_rolling;		/* asid_lock's holder may start a new generation */
static struct vmspace *current_vs[MAX_CPUS];	/* each CPU's TTBR0 space */
static struct vm_stats stats;			/* atomic counters */

#define STAT_ADD(field, n)	__atomic_add_fetch(&stats.field, (n), __ATOMIC_RELAXED)

/* --- page tables and VMA nodes come from the page allocator and heap --- */

static uint64_t
table_alloc(void *ctx)
{
	uint64_t pa = page_alloc(0, PAGE_USE_PAGETABLE);

	(void)ctx;
	if (pa != 0)
		memset(hal_phys_to_virt(pa), 0, PAGE_SIZE);
	return pa;
}

static void
table_free(void *ctx, uint64_t pa)
{
	(void)ctx;
	page_free(pa, 0, PAGE_USE_PAGETABLE);
}

static void *
table_ptr(void *ctx, uint64_t pa)
{
	(void)ctx;
	return hal_phys_to_virt(pa);
}

static const struct pt_ops user_pt = { table_alloc, table_free, table_ptr, NULL };

static struct vma *
vma_node_alloc(void *ctx)
{
	(void)ctx;
	return kmem_alloc(sizeof(struct vma));
}

static void
vma_node_free(void *ctx, struct vma *v)
{
	(void)ctx;
	kmem_free(v);
}

/* --- references to user pages --- */

static void
page_get(uint64_t pa)
{
	if (__atomic_add_fetch(&pa_to_page(pa)->refcount, 1, __ATOMIC_RELAXED) == 2)
		STAT_ADD(cow_shared, 1);
}

static void
page_put(uint64_t pa)
{
	uint32_t left = __atomic_sub_fetch(&pa_to_page(pa)->refcount, 1, __ATOMIC_ACQ_REL);

	if (left == 1)
		STAT_ADD(cow_shared, -1);
	else if (left == 0)
		page_free(pa, 0, PAGE_USE_USER);
}

/* pt_unmap / pt_destroy callback: drop what a removed leaf held. */
static void
leaf_release(void *ctx, uint64_t va, uint64_t desc)
{
	struct vmspace *vs = ctx;
	struct vma *v = vma_find(&vs->vmas, va);

	/* Physical mappings own nothing; everything else is a page we hold. */
	if (v == NULL || !(v->flags & VMA_PHYS))
		page_put(pte_pa(desc, 3));
}

static void
pte_attrs_for(uint32_t prot, bool device, struct pte_attrs *a)
{
	memset(a, 0, sizeof(*a));
	a->user = (prot & VMA_PROT_MASK) != 0;	/* PROT_NONE: EL0 may not touch it */
	a->writable = (prot & VMA_WRITE) != 0;
	a->user_exec = (prot & VMA_EXEC) != 0;
	a->memtype = device ? MT_DEVICE_nGnRE : MT_NORMAL;
	a->share = device ? PTE_SH_NONE : PTE_SH_INNER;
	a->accessed = true;
}

static unsigned
vs_asid(const struct vmspace *vs)
{
	return asid_of(&asids, vs->asid_ctx);
}

/* After changing or removing live entries of vs. */
static void
vs_flush(struct vmspace *vs)
{
	if (vs->asid_ctx != 0)
		hal_tlb_flush_asid(vs_asid(vs));
}

/* --- lifetime --- */

void
vmspace_init_asids(unsigned max_bits)
{
	unsigned bits = hal_asid_bits();

	/* Fewer (for tests: rollovers every few spaces), but room for every CPU's. */
	if (max_bits != 0 && max_bits < bits) {
		bits = max_bits < 4 ? 4 : max_bits;
		kinfo("asid: %u bits (lichen.asid_bits)\n", bits);
	}
	asid_space_init(&asids, bits);
}

uint64_t
vmspace_asid_rollovers(void)
{
	return asids.rollovers;
}

struct vmspace *
vmspace_create(void)
{
	struct vmspace *vs = kmem_zalloc(sizeof(*vs));

	if (vs == NULL)
		return NULL;
	kobj_init(&vs->obj, OBJ_VMSPACE);
	vs->lock = (struct spinlock)SPINLOCK_INIT;
	vs->root = table_alloc(NULL);
	if (vs->root == 0 || vma_set_init(&vs->vmas, PAGE_SIZE, USER_TOP,
	    vma_node_alloc, vma_node_free, NULL) != 0) {
		if (vs->root != 0)
			table_free(NULL, vs->root);
		kmem_free(vs);
		return NULL;
	}
	return vs;
}

void
vmspace_destroy(struct vmspace *vs)
{
	uint64_t flags;

	if (vmspace_current() == vs)
		vmspace_activate(NULL);
	vs_flush(vs);
	/* The root goes too; leaves are released while the VMAs still say what they are. */
	pt_destroy(&user_pt, vs->root, leaf_release, vs);
	vma_set_destroy(&vs->vmas);
	flags = spin_lock_irqsave(&asid_lock);
	asid_put(&asids, vs->asid_ctx);
	spin_unlock_irqrestore(&asid_lock, flags);
	kmem_free(vs);
}

void
vmspace_obj_destroy(struct kobj *o)
{
	vmspace_destroy(container_of(o, struct vmspace, obj));
}

/* --- mapping --- */

int
vmspace_map_anon(struct vmspace *vs, uint64_t uva, uint64_t len, uint32_t prot)
{
	uint64_t flags = spin_lock_irqsave(&vs->lock);
	int err = vma_insert(&vs->vmas, uva, len, prot, VMA_ANON, 0, NULL);

	spin_unlock_irqrestore(&vs->lock, flags);
	return err;
}

int
vmspace_map_pages(struct vmspace *vs, uint64_t uva, const uint64_t *pages,
    uint64_t n, uint32_t prot)
{
	uint64_t flags, done = 0;
	struct pte_attrs a;
	int err;

	if (n == 0 || n > USER_TOP / PAGE_SIZE)
		return -EINVAL;
	flags = spin_lock_irqsave(&vs->lock);
	err = vma_insert(&vs->vmas, uva, n * PAGE_SIZE, prot, VMA_SHARED, 0, NULL);
	if (err == 0) {
		pte_attrs_for(prot, false, &a);
		for (; done < n; done++) {
			err = pt_map(&user_pt, vs->root, uva + done * PAGE_SIZE,
			    pages[done], PAGE_SIZE, &a, 0);
			if (err != 0)
				break;
			page_get(pages[done]);
		}
		if (err != 0) {		/* undo: nothing changed */
			if (done > 0)
				pt_unmap(&user_pt, vs->root, uva, done * PAGE_SIZE,
				    leaf_release, vs);
			vs_flush(vs);
			vma_remove(&vs->vmas, uva, n * PAGE_SIZE);
		}
	}
	spin_unlock_irqrestore(&vs->lock, flags);
	return err;
}

static int
vmspace_map_phys_locked(struct vmspace *vs, uint64_t uva, uint64_t pa, uint64_t len,
    uint32_t prot)
{
	struct pte_attrs a;
	int err;

	if ((pa & (PAGE_SIZE - 1)) != 0)
		return -EINVAL;
	err = vma_insert(&vs->vmas, uva, len, prot, VMA_PHYS, pa, NULL);
	if (err != 0)
		return err;
	pte_attrs_for(prot, true, &a);
	err = pt_map(&user_pt, vs->root, uva, pa, len, &a, 0);
	if (err != 0)
		vma_remove(&vs->vmas, uva, len);
	return err;
}

int
vmspace_map_phys(struct vmspace *vs, uint64_t uva, uint64_t pa, uint64_t len,
    uint32_t prot)
{
	uint64_t flags = spin_lock_irqsave(&vs->lock);
	int err = vmspace_map_phys_locked(vs, uva, pa, len, prot);

	spin_unlock_irqrestore(&vs->lock, flags);
	return err;
}

static int
vmspace_unmap_locked(struct vmspace *vs, uint64_t uva, uint64_t len)
{
	int err;

	if (len == 0 || (uva | len) & (PAGE_SIZE - 1) || uva >= USER_TOP ||
	    len > USER_TOP - uva)
		return -EINVAL;
	/* Release pages first: leaf_release asks the VMAs what each page is. */
	err = pt_unmap(&user_pt, vs->root, uva, len, leaf_release, vs);
	if (err != 0)
		return err;
	vs_flush(vs);
	return vma_remove(&vs->vmas, uva, len);
}

int
vmspace_unmap(struct vmspace *vs, uint64_t uva, uint64_t len)
{
	uint64_t flags = spin_lock_irqsave(&vs->lock);
	int err = vmspace_unmap_locked(vs, uva, len);

	spin_unlock_irqrestore(&vs->lock, flags);
	return err;
}

/* Rewrite a present page's permissions from its VMA; CoW pages stay read-only. */
static int
reprotect_leaf(void *ctx, uint64_t va, uint64_t *desc, int level)
{
	struct vmspace *vs = ctx;
	struct vma *v = vma_find(&vs->vmas, va);
	struct pte_attrs a;
	bool cow = (*desc & PTE_SW_COW) != 0;

	pte_attrs_for(v->prot, (v->flags & VMA_PHYS) != 0, &a);
	a.software_cow = cow;
	if (cow)
		a.writable = false;
	*desc = pte_encode(pte_pa(*desc, level), &a, level);
	return 0;
}

static int
vmspace_protect_locked(struct vmspace *vs, uint64_t uva, uint64_t len, uint32_t prot)
{
	int err = vma_protect(&vs->vmas, uva, len, prot);

	if (err != 0)
		return err;
	err = pt_for_each_leaf(&user_pt, vs->root, uva, len, reprotect_leaf, vs);
	vs_flush(vs);
	return err;
}

int
vmspace_protect(struct vmspace *vs, uint64_t uva, uint64_t len, uint32_t prot)
{
	uint64_t flags = spin_lock_irqsave(&vs->lock);
	int err = vmspace_protect_locked(vs, uva, len, prot);

	spin_unlock_irqrestore(&vs->lock, flags);
	return err;
}

/* --- faults --- */

/* A fresh zeroed page mapped at the page containing uva. */
static int
fault_demand_zero(struct vmspace *vs, struct vma *v, uint64_t page_va)
{
	struct pte_attrs a;
	uint64_t pa = page_alloc(0, PAGE_USE_USER);
	int err;

	if (pa == 0)
		return -ENOMEM;
	memset(hal_phys_to_virt(pa), 0, PAGE_SIZE);
	pte_attrs_for(v->prot, false, &a);
	err = pt_map(&user_pt, vs->root, page_va, pa, PAGE_SIZE, &a, 0);
	if (err != 0)
		page_free(pa, 0, PAGE_USE_USER);
	else
		STAT_ADD(demand_zero, 1);
	return err;
}

static int
clear_leaf(void *ctx, uint64_t va, uint64_t *desc, int level)
{
	(void)ctx, (void)va, (void)level;
	*desc = 0;
	return 0;
}

/*
 * A write to a copy-on-write page: copy it unless we hold the last
 * reference, in which case it simply becomes writable again.
 */
static int
fault_cow(struct vmspace *vs, struct vma *v, uint64_t page_va, uint64_t desc)
{
	uint64_t old = pte_pa(desc, 3), pa = old;
	struct pte_attrs a;

	if (pa_to_page(old)->refcount > 1) {
		pa = page_alloc(0, PAGE_USE_USER);
		if (pa == 0)
			return -ENOMEM;
		memcpy(hal_phys_to_virt(pa), hal_phys_to_virt(old), PAGE_SIZE);
	}
	/* Break before make: clear the entry and flush it before the new one. */
	pt_for_each_leaf(&user_pt, vs->root, page_va, PAGE_SIZE, clear_leaf, NULL);
	vs_flush(vs);
	pte_attrs_for(v->prot, false, &a);
	if (pt_map(&user_pt, vs->root, page_va, pa, PAGE_SIZE, &a, 0) != 0)
		panic("vmspace: remapping a cleared entry failed");	/* its table exists */
	if (pa != old) {
		page_put(old);
		STAT_ADD(cow_copies, 1);
	} else {
		STAT_ADD(cow_reused, 1);
	}
	return 0;
}

static int
vmspace_fault_locked(struct vmspace *vs, uint64_t uva, bool write)
{
	struct vma *v = vma_find(&vs->vmas, uva);
	uint64_t page_va = uva & ~(PAGE_SIZE - 1), desc;
	int level;

	if (v == NULL || (write && !(v->prot & VMA_WRITE)) ||
	    (!write && !(v->prot & (VMA_READ | VMA_WRITE))))
		return -EFAULT;
	desc = pt_walk(&user_pt, vs->root, page_va, &level);
	if (desc == 0)
		return (v->flags & (VMA_PHYS | VMA_SHARED)) ? -EFAULT :
		    fault_demand_zero(vs, v, page_va);
	if (write && (desc & PTE_SW_COW))
		return fault_cow(vs, v, page_va, desc);
	return 0;	/* already there (another path mapped it): retry */
}

bool
vmspace_mapped(struct vmspace *vs, uint64_t uva)
{
	uint64_t flags = spin_lock_irqsave(&vs->lock);
	bool mapped = vma_find(&vs->vmas, uva) != NULL;

	spin_unlock_irqrestore(&vs->lock, flags);
	return mapped;
}

int
vmspace_fault(struct vmspace *vs, uint64_t uva, bool write)
{
	uint64_t flags = spin_lock_irqsave(&vs->lock);
	int err = vmspace_fault_locked(vs, uva, write);

	spin_unlock_irqrestore(&vs->lock, flags);
	return err;
}

/* --- clone --- */

struct clone_ctx {
	struct vmspace *child;
	int err;
};

/*
 * Share one present page of the parent with the child. Private pages
 * become read-only and copy-on-write in both; physical mappings are
 * simply mapped again.
 */
static int
clone_leaf(void *ctx, uint64_t va, uint64_t *desc, int level)
{
	struct clone_ctx *c = ctx;
	uint64_t pa = pte_pa(*desc, level);
	struct vma *v = vma_find(&c->child->vmas, va);
	struct pte_attrs a;

	pte_decode(*desc, &a);
	if (v->flags & VMA_SHARED) {
		page_get(pa);
	} else if (!(v->flags & VMA_PHYS)) {
		a.writable = false;
		a.software_cow = true;
		*desc = pte_encode(pa, &a, level);
		page_get(pa);
	}
	c->err = pt_map(&user_pt, c->child->root, va, pa, PAGE_SIZE, &a, 0);
	if (c->err != 0 && !(v->flags & VMA_PHYS))
		page_put(pa);
	return c->err;
}

struct vmspace *
vmspace_clone(struct vmspace *vs)
{
	struct vmspace *child = vmspace_create();
	struct clone_ctx c = { child, 0 };

	uint64_t flags;

	if (child == NULL)
		return NULL;
	flags = spin_lock_irqsave(&vs->lock);
	for (struct vma *v = vma_first(&vs->vmas); v != NULL; v = vma_next(v))
		if (vma_insert(&child->vmas, v->start, v->end - v->start, v->prot,
		    v->flags, v->offset, v->object) != 0)
			goto fail;
	for (struct vma *v = vma_first(&vs->vmas); v != NULL; v = vma_next(v))
		if (pt_for_each_leaf(&user_pt, vs->root, v->start, v->end - v->start,
		    clone_leaf, &c) != 0)
			goto fail;
	vs_flush(vs);	/* the parent's writable entries became read-only */
	spin_unlock_irqrestore(&vs->lock, flags);
	return child;
fail:
	/* Pages already marked CoW in the parent stay so: a later write copies or reclaims. */
	vs_flush(vs);
	spin_unlock_irqrestore(&vs->lock, flags);
	vmspace_destroy(child);
	return NULL;
}

/* --- switching --- */

static void activate_asid(struct vmspace *vs, unsigned me);

/*
 * On an idle CPU: if the space it keeps loaded has no other holder (its
 * process is gone), let it go now rather than at the next switch, so a
 * dead process's pages and tables are free when its exit is reported.
 */
void
vmspace_drop_unused(void)
{
	uint64_t flags = hal_irq_save();
	struct vmspace *vs = current_vs[this_cpu_index()];

	if (vs != NULL && __atomic_load_n(&vs->obj.refs, __ATOMIC_ACQUIRE) == 1)
		vmspace_activate(NULL);
	hal_irq_restore(flags);
}

void
vmspace_activate(struct vmspace *vs)
{
	unsigned me = this_cpu_index();
	struct vmspace *old = current_vs[me];

	/*
	 * The CPU holds a reference to the space it has loaded: kernel threads
	 * (idle) keep it loaded, and it must not be freed under them.
	 */
	if (vs != NULL)
		kobj_get(&vs->obj);
	current_vs[me] = vs;
	if (vs == NULL)
		hal_user_space_switch(0, 0);
	else
		activate_asid(vs, me);
	if (old != NULL)
		kobj_put(&old->obj);
}

/*
 * Load vs on this CPU (current_vs[me] is already vs). The fast path takes
 * no lock: an ASID of the current generation stays valid unless a
 * rollover is under way. A rollover raises asid_rolling before it reads
 * current_vs[]; we read asid_rolling after writing current_vs[me], so
 * either it sees vs (and keeps its ASID) or we see it rolling and take
 * the lock.
 */
static void
activate_asid(struct vmspace *vs, unsigned me)
{
	uint64_t *running[MAX_CPUS];
	uint64_t flags, ctx;
	unsigned n = 0;
	bool rollover, rolling;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* rolling first (acquire): a finished rollover's generation is then seen. */
	rolling = __atomic_load_n(&asid_rolling, __ATOMIC_ACQUIRE);
	ctx = __atomic_load_n(&vs->asid_ctx, __ATOMIC_RELAXED);
	if (!rolling && ctx != 0 &&
	    ctx >> asids.bits == __atomic_load_n(&asids.generation, __ATOMIC_RELAXED)) {
		hal_user_space_switch(vs->root, asid_of(&asids, ctx));
		return;
	}
	/* The spaces running now keep their ASIDs across a rollover. */
	flags = spin_lock_irqsave(&asid_lock);
	__atomic_store_n(&asid_rolling, true, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < ncpus; i++)
		if (i != me && current_vs[i] != NULL)
			running[n++] = &current_vs[i]->asid_ctx;
	rollover = asid_get(&asids, &vs->asid_ctx, running, n);
	/* Off the old tables first, then forget every stale entry. */
	hal_user_space_switch(vs->root, vs_asid(vs));
	if (rollover)
		hal_tlb_flush_all();	/* broadcast: every CPU's stale entries go */
	__atomic_store_n(&asid_rolling, false, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&asid_lock, flags);
}

void
vmspace_stats(struct vm_stats *st)
{
	*st = stats;
}

struct vmspace *
vmspace_current(void)
{
	return current_vs[this_cpu_index()];
}

/*
 * The page behind uva in vs, made present for the access (a reference
 * the caller drops with page_put), or 0.
 */
static uint64_t
page_hold(struct vmspace *vs, uint64_t uva, bool write)
{
	uint64_t flags = spin_lock_irqsave(&vs->lock);
	uint64_t page_va = uva & ~(PAGE_SIZE - 1), desc, pa = 0;
	struct vma *v = vma_find(&vs->vmas, uva);
	int level;

	if (v == NULL || (v->flags & VMA_PHYS))
		goto out;
	desc = pt_walk(&user_pt, vs->root, page_va, &level);
	if (desc == 0 || (write && (desc & PTE_SW_COW))) {
		if (vmspace_fault_locked(vs, uva, write) != 0)
			goto out;
		desc = pt_walk(&user_pt, vs->root, page_va, &level);
	}
	if (desc != 0 && (!write || (v->prot & VMA_WRITE))) {
		pa = pte_pa(desc, level);
		page_get(pa);
	}
out:
	spin_unlock_irqrestore(&vs->lock, flags);
	return pa;
}

int
vmspace_copy(struct vmspace *vs, uint64_t at, uint64_t buf, uint64_t len,
    bool to_vs)
{
	if (at >= USER_TOP || len > USER_TOP - at)
		return -EFAULT;
	while (len > 0) {
		uint64_t off = at & (PAGE_SIZE - 1);
		uint64_t n = PAGE_SIZE - off < len ? PAGE_SIZE - off : len;
		uint64_t pa = page_hold(vs, at, to_vs);
		char *k;
		int err;

		if (pa == 0)
			return -EFAULT;
		/* No lock held: our own buffer may fault (even in vs itself). */
		k = (char *)hal_phys_to_virt(pa) + off;
		err = to_vs ? copy_from_user(k, uva(buf), n) : copy_to_user(uva(buf), k, n);
		page_put(pa);
		if (err != 0)
			return err;
		at += n, buf += n, len -= n;
	}
	return 0;
}
