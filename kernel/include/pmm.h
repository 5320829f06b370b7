/*
 * Physical memory: every page frame of RAM, who has it, and the kernel's
 * object heap on top. pmm_init takes the device tree's view of RAM,
 * reserves what is already in use (kernel image, device tree, boot
 * archive, reserved-memory, the page metadata itself), and hands the rest
 * to a buddy allocator. Running out is an error for the caller (0 / NULL),
 * never a panic.
 */
#ifndef PMM_H
#define PMM_H

#include <stddef.h>
#include <stdint.h>
#include <lichen/page.h>

struct boot_info;

/* What a page is used for, for the accounting /proc/meminfo will show. */
enum page_use { PAGE_USE_KERNEL, PAGE_USE_PAGETABLE, PAGE_USE_USER, PAGE_USE_COUNT };

struct mem_stats {		/* all in pages */
	uint64_t total;		/* RAM the device tree lists */
	uint64_t free;
	uint64_t reserved;	/* taken at boot: image, device tree, initrd... */
	uint64_t used[PAGE_USE_COUNT];
	uint64_t heap_objects;	/* live kmem_alloc objects */
};

int pmm_init(const struct boot_info *bi);

/* 2^order contiguous, naturally aligned pages: their physical address, or 0. */
uint64_t page_alloc(unsigned order, enum page_use use);
/*
 * n physically contiguous pages (n <= 2^(BUDDY_MAX_ORDER - 1)), each its
 * own order-0 block with refcount 1, so they are shared and freed one by
 * one like any page (DMA memory): the first one's address, or 0.
 */
uint64_t page_alloc_contig(uint64_t n, enum page_use use);
/* Give back a block exactly as page_alloc returned it. */
void page_free(uint64_t pa, unsigned order, enum page_use use);
/* The metadata of the frame at pa (NULL outside RAM). */
struct page *pa_to_page(uint64_t pa);

/* Kernel objects of up to 2048 bytes; NULL when memory runs out. */
void *kmem_alloc(size_t size);
void *kmem_zalloc(size_t size);
void kmem_free(void *p);

/* Give the heap's empty pages back to the page allocator. */
void pmm_shrink(void);

void pmm_stats(struct mem_stats *st);
/* Print the accounting (boot report, selftests). */
void pmm_report(void);

#endif
