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

struct memobj {
	struct kobj obj;
	uint64_t npages;
	uint64_t cap;		/* entries the page list has room for */
	uint64_t *pages;	/* physical addresses */
};

struct memobj *memobj_create(uint64_t size);

struct device {
	struct kobj obj;
};

struct device *device_create(void);

#endif
