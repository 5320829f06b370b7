/*
 * Memory objects (also physically contiguous ones, for DMA) and the
 * device object with the table of devices it offers (memobj.h).
 */
#include <lichen/errno.h>
#include <lichen/string.h>
#include <arch/memlayout.h>
#include <kernel.h>
#include <memobj.h>
#include <pmm.h>

/* The page list: from the heap when small, else whole pages. */
static unsigned
list_order(uint64_t npages)
{
	unsigned order = 0;

	while ((PAGE_SIZE << order) < npages * sizeof(uint64_t))
		order++;
	return order;
}

static void
free_list(struct memobj *mo)
{
	if (mo->cap * sizeof(uint64_t) <= 2048)
		kmem_free(mo->pages);
	else
		page_free((uint64_t)mo->pages - PAGE_OFFSET, list_order(mo->cap),
		    PAGE_USE_KERNEL);
}

/* A memory object of n pages whose page list is still empty (npages 0). */
static struct memobj *
memobj_new(uint64_t n)
{
	struct memobj *mo = kmem_zalloc(sizeof(*mo));

	if (mo == NULL)
		return NULL;
	kobj_init(&mo->obj, OBJ_MEMOBJ);
	mo->cap = n;
	if (n * sizeof(uint64_t) <= 2048) {
		mo->pages = kmem_zalloc(n * sizeof(uint64_t));
	} else {
		uint64_t pa = page_alloc(list_order(n), PAGE_USE_KERNEL);

		mo->pages = pa != 0 ? hal_phys_to_virt(pa) : NULL;
	}
	if (mo->pages == NULL) {
		kmem_free(mo);
		return NULL;
	}
	return mo;
}

struct memobj *
memobj_create(uint64_t size)
{
	uint64_t n = (size + PAGE_SIZE - 1) / PAGE_SIZE;
	struct memobj *mo;

	if (n == 0 || size > MEMOBJ_MAX_SIZE || (mo = memobj_new(n)) == NULL)
		return NULL;
	for (; mo->npages < n; mo->npages++) {
		uint64_t pa = page_alloc(0, PAGE_USE_USER);

		if (pa == 0) {
			memobj_destroy(&mo->obj);
			return NULL;
		}
		memset(hal_phys_to_virt(pa), 0, PAGE_SIZE);
		mo->pages[mo->npages] = pa;
	}
	return mo;
}

struct memobj *
memobj_create_dma(uint64_t size)
{
	uint64_t n = (size + PAGE_SIZE - 1) / PAGE_SIZE, pa;
	struct memobj *mo;

	if (n == 0 || size > MEMOBJ_DMA_MAX_SIZE || (mo = memobj_new(n)) == NULL)
		return NULL;
	if ((pa = page_alloc_contig(n, PAGE_USE_USER)) == 0) {
		memobj_destroy(&mo->obj);
		return NULL;
	}
	memset(hal_phys_to_virt(pa), 0, n * PAGE_SIZE);
	for (; mo->npages < n; mo->npages++)
		mo->pages[mo->npages] = pa + mo->npages * PAGE_SIZE;
	return mo;
}

void
memobj_destroy(struct kobj *o)
{
	struct memobj *mo = container_of(o, struct memobj, obj);

	/* Our reference to each page; mappings hold their own. */
	for (uint64_t i = 0; i < mo->npages; i++) {
		struct page *pg = pa_to_page(mo->pages[i]);

		if (__atomic_sub_fetch(&pg->refcount, 1, __ATOMIC_ACQ_REL) == 0)
			page_free(mo->pages[i], 0, PAGE_USE_USER);
	}
	free_list(mo);
	kmem_free(mo);
}

struct device *
device_create(void)
{
	struct device *d = kmem_zalloc(sizeof(*d));

	if (d != NULL)
		kobj_init(&d->obj, OBJ_DEVICE);
	return d;
}

void
device_destroy(struct kobj *o)
{
	kmem_free(container_of(o, struct device, obj));
}

static const struct dev_desc *dev_table;
static unsigned dev_count;

void
device_table_set(const struct dev_desc *d, unsigned n)
{
	dev_table = d;
	dev_count = n;
}

int
device_lookup(unsigned index, struct dev_desc *out)
{
	if (index >= dev_count)
		return -ENOENT;
	*out = dev_table[index];
	return 0;
}
