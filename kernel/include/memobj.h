/*
 * Memory objects: zeroed pages allocated up front, mapped shared with
 * vm_map (every mapping sees the same pages; each mapping holds its own
 * page references, so a mapping outlives the handle). Also the device
 * object: the right to map device memory, claim interrupts and power off.
 */
#ifndef MEMOBJ_H
#define MEMOBJ_H

#include <stdint.h>
#include <object.h>

#define MEMOBJ_MAX_SIZE	(256UL << 20)
#define MEMOBJ_DMA_MAX_SIZE	(4UL << 20)	/* the largest buddy block */

struct memobj {
	struct kobj obj;
	uint64_t npages;
	uint64_t cap;		/* entries the page list has room for */
	uint64_t *pages;	/* physical addresses */
};

struct memobj *memobj_create(uint64_t size);
/*
 * The same, but physically contiguous (pages[i] = pages[0] + i pages), for
 * a device to reach by DMA: at most MEMOBJ_DMA_MAX_SIZE. Its pages are
 * ordinary user pages afterwards, freed when the last mapping and the
 * object are gone.
 */
struct memobj *memobj_create_dma(uint64_t size);

struct device {
	struct kobj obj;
};

struct device *device_create(void);

/*
 * The devices dev_list offers (the device tree's, kept by main.c for as
 * long as the kernel runs): set once at boot, read-only afterwards.
 */
void device_table_set(const struct dev_desc *d, unsigned n);
/* The index-th: 0 and *out, or -ENOENT. */
int device_lookup(unsigned index, struct dev_desc *out);

#endif
