/*
 * The physical memory manager: memblock at boot, one buddy zone over all
 * of RAM afterwards (holes between RAM ranges stay reserved), and the
 * kmalloc heap (libkernel's slab caches) fed with single pages. See
 * pmm.h; the design is in docs/memory.md.
 *
 * Single CPU for now: a lock around the zone and the heap comes with SMP.
 */
#include <lichen/buddy.h>
#include <lichen/errno.h>
#include <lichen/memblock.h>
#include <lichen/slab.h>
#include <lichen/string.h>
#include <arch/memlayout.h>
#include <kernel.h>
#include <dt.h>
#include <pmm.h>
#include <spinlock.h>

static struct memblock boot_mem;
static struct buddy_zone zone;
static struct kmalloc_heap heap;
static uint64_t used[PAGE_USE_COUNT];
static uint64_t reserved_pages;
static int ready;
/* Lock order: heap_lock, then pmm_lock (the heap takes pages). */
static struct spinlock heap_lock = SPINLOCK_INIT;	/* the slab caches */
static struct spinlock pmm_lock = SPINLOCK_INIT;	/* the zone, used[] */

static void
reserve(uint64_t base, uint64_t size, const char *what)
{
	int err = memblock_reserve(&boot_mem, base, size, what);

	if (err != 0)
		boot_fail("cannot record the reservation of %s: error %d", what, err);
}

static void
free_to_zone(void *ctx, uint64_t base, uint64_t size)
{
	(void)ctx;
	buddy_free_range(&zone, base >> PAGE_SHIFT, size >> PAGE_SHIFT);
}

static void *
heap_page_alloc(void *ctx)
{
	uint64_t pa = page_alloc(0, PAGE_USE_KERNEL);

	(void)ctx;
	return pa ? hal_phys_to_virt(pa) : NULL;
}

static void
heap_page_free(void *ctx, void *page)
{
	(void)ctx;
	page_free((uint64_t)page - PAGE_OFFSET, 0, PAGE_USE_KERNEL);
}

/* Record RAM and every reservation, the way the device tree and boot left them. */
static void
record_boot_memory(const struct boot_info *bi)
{
	uint64_t image_pa, image_size;

	memblock_init(&boot_mem);
	for (unsigned i = 0; i < bi->nmem; i++)
		if (memblock_add_memory(&boot_mem, bi->mem[i].base, bi->mem[i].size) != 0)
			boot_fail("cannot record RAM range %u", i);
	hal_kernel_image(&image_pa, &image_size);
	reserve(image_pa, image_size, "kernel image");
	reserve(bi->dtb_pa, bi->dtb_size, "device tree");
	if (bi->has_initrd)
		reserve(bi->initrd_start, bi->initrd_end - bi->initrd_start, "boot archive");
	for (unsigned i = 0; i < bi->nreserved; i++)
		reserve(bi->reserved[i].base, bi->reserved[i].size, "reserved-memory");
}

int
pmm_init(const struct boot_info *bi)
{
	uint64_t lo = UINT64_MAX, hi = 0, meta;
	size_t npages;
	struct slab_pages src = { heap_page_alloc, heap_page_free, NULL };

	record_boot_memory(bi);
	for (unsigned i = 0; i < bi->nmem; i++) {
		if (bi->mem[i].base < lo)
			lo = bi->mem[i].base;
		if (bi->mem[i].base + bi->mem[i].size > hi)
			hi = bi->mem[i].base + bi->mem[i].size;
	}
	lo &= ~(PAGE_SIZE - 1);
	npages = (hi - lo) >> PAGE_SHIFT;
	meta = memblock_alloc(&boot_mem, npages * sizeof(struct page), PAGE_SIZE,
	    "page metadata");
	if (meta == 0)
		return -ENOMEM;
	buddy_init(&zone, lo >> PAGE_SHIFT, npages, hal_phys_to_virt(meta));
	memblock_for_each_free(&boot_mem, free_to_zone, NULL);
	reserved_pages = npages - zone.free_pages;
	ready = 1;
	return kmalloc_init(&heap, &src);
}

uint64_t
page_alloc(unsigned order, enum page_use use)
{
	int64_t pfn;
	uint64_t flags;

	if (!ready)
		return 0;
	flags = spin_lock_irqsave(&pmm_lock);
	pfn = buddy_alloc(&zone, order);
	if (pfn >= 0)
		used[use] += 1UL << order;
	spin_unlock_irqrestore(&pmm_lock, flags);
	return pfn < 0 ? 0 : (uint64_t)pfn << PAGE_SHIFT;
}

uint64_t
page_alloc_contig(uint64_t n, enum page_use use)
{
	unsigned order = 0;
	uint64_t flags;
	int64_t pfn;

	while ((1UL << order) < n)
		order++;
	if (!ready || n == 0 || order >= BUDDY_MAX_ORDER)
		return 0;
	flags = spin_lock_irqsave(&pmm_lock);
	pfn = buddy_alloc(&zone, order);
	if (pfn >= 0) {
		buddy_split(&zone, (uint64_t)pfn, order);
		for (uint64_t i = n; i < (1UL << order); i++)	/* the tail we need not */
			buddy_free(&zone, (uint64_t)pfn + i, 0);
		used[use] += n;
	}
	spin_unlock_irqrestore(&pmm_lock, flags);
	return pfn < 0 ? 0 : (uint64_t)pfn << PAGE_SHIFT;
}

void
page_free(uint64_t pa, unsigned order, enum page_use use)
{
	uint64_t flags = spin_lock_irqsave(&pmm_lock);
	int err = buddy_free(&zone, pa >> PAGE_SHIFT, order);

	if (err == 0)
		used[use] -= 1UL << order;
	spin_unlock_irqrestore(&pmm_lock, flags);
	if (err != 0)
		panic("page_free(0x%lx, order %u): not a block page_alloc gave", pa, order);
}

struct page *
pa_to_page(uint64_t pa)
{
	return buddy_page(&zone, pa >> PAGE_SHIFT);
}

void *
kmem_alloc(size_t size)
{
	uint64_t flags = spin_lock_irqsave(&heap_lock);
	void *p = kmalloc(&heap, size);

	spin_unlock_irqrestore(&heap_lock, flags);
	return p;
}

void *
kmem_zalloc(size_t size)
{
	uint64_t flags = spin_lock_irqsave(&heap_lock);
	void *p = kzalloc(&heap, size);

	spin_unlock_irqrestore(&heap_lock, flags);
	return p;
}

void
kmem_free(void *p)
{
	uint64_t flags = spin_lock_irqsave(&heap_lock);
	int err = kfree(&heap, p);

	spin_unlock_irqrestore(&heap_lock, flags);
	if (err != 0)
		panic("kmem_free(%p): not a live heap object", p);
}

void
pmm_shrink(void)
{
	uint64_t flags = spin_lock_irqsave(&heap_lock);

	kmalloc_shrink(&heap);
	spin_unlock_irqrestore(&heap_lock, flags);
}

void
pmm_stats(struct mem_stats *st)
{
	struct kmalloc_stats ks;

	kmalloc_stats(&heap, &ks);
	st->total = memblock_total(&boot_mem) >> PAGE_SHIFT;
	st->free = zone.free_pages;
	st->reserved = reserved_pages;
	memcpy(st->used, used, sizeof(used));
	st->heap_objects = ks.objects;
}

/* Pages as KiB. */
#define KIB(pages)	((pages) * (PAGE_SIZE / 1024))

void
pmm_report(void)
{
	struct mem_stats st;

	pmm_stats(&st);
	kinfo("pages: %lu KiB total, %lu KiB free, %lu KiB reserved at boot, "
	    "kernel %lu KiB, page tables %lu KiB, user %lu KiB\n",
	    KIB(st.total), KIB(st.free), KIB(st.reserved),
	    KIB(st.used[PAGE_USE_KERNEL]), KIB(st.used[PAGE_USE_PAGETABLE]),
	    KIB(st.used[PAGE_USE_USER]));
}
