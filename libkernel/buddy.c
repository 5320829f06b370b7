/*
 * buddy.c - the binary buddy allocator over one zone of page frames.  See
 * <lichen/buddy.h> for the rules; the kernel's page allocator calls it
 * after handing over the ranges memblock left free.
 *
 * Only the first page of a block carries state (flags, order); the other
 * pages of a free or allocated block have flags 0.  Free heads sit on
 * free[order], newest first, so a block freed and allocated again comes
 * back while it is still warm in the caches.
 */
#include <stdbool.h>

#include <lichen/buddy.h>
#include <lichen/errno.h>

#define ORDER_PAGES(k) ((size_t)1 << (k))

/* Whether the block of 2^order pages at pfn lies wholly in the zone. */
static bool
block_in_zone(const struct buddy_zone *z, uint64_t pfn, unsigned order)
{
	uint64_t off = pfn - z->base_pfn;

	return pfn >= z->base_pfn && off < z->npages &&
	       z->npages - off >= ORDER_PAGES(order);
}

static struct page *
page_of(const struct buddy_zone *z, uint64_t pfn)
{
	return &z->pages[pfn - z->base_pfn];
}

static void
free_list_add(struct buddy_zone *z, uint64_t pfn, unsigned order)
{
	struct page *p = page_of(z, pfn);

	p->flags = PAGE_FREE;
	p->order = order;
	list_add_head(&z->free[order], &p->node);
	z->nfree[order]++;
	z->free_pages += ORDER_PAGES(order);
}

/* Takes a free head off its list; it is left with no flags. */
static void
free_list_remove(struct buddy_zone *z, struct page *p)
{
	list_remove(&p->node);
	z->nfree[p->order]--;
	z->free_pages -= ORDER_PAGES(p->order);
	p->flags = 0;
}

/*
 * Puts the block at pfn (aligned to 2^order, flags already cleared) on a
 * free list, first merging it with its buddy for as long as the buddy is
 * in the zone and is itself a free block of the same order.
 */
static void
merge_and_free(struct buddy_zone *z, uint64_t pfn, unsigned order)
{
	while (order < BUDDY_MAX_ORDER - 1) {
		uint64_t buddy = pfn ^ ORDER_PAGES(order);
		struct page *b;

		if (!block_in_zone(z, buddy, order))
			break;
		b = page_of(z, buddy);
		if (b->flags != PAGE_FREE || b->order != order)
			break;
		free_list_remove(z, b);
		pfn &= ~(uint64_t)ORDER_PAGES(order);
		order++;
	}
	free_list_add(z, pfn, order);
}

void
buddy_init(
    struct buddy_zone *z, uint64_t base_pfn, size_t npages, struct page *pages)
{
	z->base_pfn = base_pfn;
	z->npages = npages;
	z->pages = pages;
	z->free_pages = 0;
	for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++) {
		list_init(&z->free[k]);
		z->nfree[k] = 0;
	}
	for (size_t i = 0; i < npages; i++) {
		list_init(&pages[i].node);
		pages[i].refcount = 0;
		pages[i].order = 0;
		pages[i].flags = PAGE_RESERVED;
	}
}

/* The largest order of a block at pfn that is aligned and fits in n. */
static unsigned
largest_order(uint64_t pfn, uint64_t n)
{
	unsigned k = BUDDY_MAX_ORDER - 1;

	while (k > 0 && ((pfn & (ORDER_PAGES(k) - 1)) || ORDER_PAGES(k) > n))
		k--;
	return k;
}

int
buddy_free_range(struct buddy_zone *z, uint64_t pfn, size_t count)
{
	uint64_t off = pfn - z->base_pfn, end = pfn + count;

	if (count == 0)
		return 0;
	if (pfn < z->base_pfn || off >= z->npages || count > z->npages - off)
		return -EINVAL;
	for (size_t i = 0; i < count; i++) {
		if (z->pages[off + i].flags != PAGE_RESERVED)
			return -EINVAL;
	}
	for (size_t i = 0; i < count; i++)
		z->pages[off + i].flags = 0;
	while (pfn < end) {
		unsigned k = largest_order(pfn, end - pfn);

		merge_and_free(z, pfn, k);
		pfn += ORDER_PAGES(k);
	}
	return 0;
}

int64_t
buddy_alloc(struct buddy_zone *z, unsigned order)
{
	struct page *p;
	uint64_t pfn;
	unsigned k;

	if (order >= BUDDY_MAX_ORDER)
		return -EINVAL;
	for (k = order; k < BUDDY_MAX_ORDER && z->nfree[k] == 0; k++)
		;
	if (k == BUDDY_MAX_ORDER)
		return -ENOMEM;

	p = list_entry(z->free[k].next, struct page, node);
	free_list_remove(z, p);
	pfn = buddy_pfn(z, p);
	/* Keep the low half, give back the high half, until it fits. */
	while (k > order) {
		k--;
		free_list_add(z, pfn + ORDER_PAGES(k), k);
	}
	p->flags = PAGE_ALLOCATED;
	p->order = order;
	p->refcount = 1;
	return (int64_t)pfn;
}

int
buddy_free(struct buddy_zone *z, uint64_t pfn, unsigned order)
{
	struct page *p = buddy_page(z, pfn);

	if (p == NULL || p->flags != PAGE_ALLOCATED || p->order != order)
		return -EINVAL;
	p->flags = 0;
	p->refcount = 0;
	merge_and_free(z, pfn, order);
	return 0;
}

int
buddy_split(struct buddy_zone *z, uint64_t pfn, unsigned order)
{
	struct page *p = buddy_page(z, pfn);

	if (p == NULL || p->flags != PAGE_ALLOCATED || p->order != order)
		return -EINVAL;
	for (size_t i = 0; i < ORDER_PAGES(order); i++) {
		p[i].flags = PAGE_ALLOCATED;
		p[i].order = 0;
		p[i].refcount = 1;
	}
	return 0;
}

struct page *
buddy_page(const struct buddy_zone *z, uint64_t pfn)
{
	if (!block_in_zone(z, pfn, 0))
		return NULL;
	return page_of(z, pfn);
}

uint64_t
buddy_pfn(const struct buddy_zone *z, const struct page *page)
{
	return z->base_pfn + (uint64_t)(page - z->pages);
}

/* Whether node is the list_node of one of the zone's pages. */
static bool
node_in_zone(const struct buddy_zone *z, const struct list_node *node)
{
	uintptr_t off = (uintptr_t)node - (uintptr_t)&z->pages[0].node;

	return (uintptr_t)node >= (uintptr_t)&z->pages[0].node &&
	       off % sizeof(struct page) == 0 &&
	       off / sizeof(struct page) < z->npages;
}

/*
 * Walks free[order]: correctly linked both ways, only free heads of that
 * order, nfree[order] of them.  The step bound stops a corrupt cycle.
 */
static int
check_free_list(const struct buddy_zone *z, unsigned order)
{
	const struct list_node *head = &z->free[order], *prev = head, *n;
	size_t count = 0;

	for (n = head->next; n != head; prev = n, n = n->next) {
		const struct page *p;

		if (n->prev != prev || !node_in_zone(z, n) ||
		    ++count > z->npages)
			return -EIO;
		p = list_entry(n, const struct page, node);
		if (p->flags != PAGE_FREE || p->order != order)
			return -EIO;
	}
	if (head->prev != prev || count != z->nfree[order])
		return -EIO;
	return 0;
}

/* A free head of order k whose buddy is a free head of order k too. */
static bool
unmerged_buddy(const struct buddy_zone *z, uint64_t pfn, unsigned k)
{
	uint64_t buddy = pfn ^ ORDER_PAGES(k);
	const struct page *b;

	if (k == BUDDY_MAX_ORDER - 1 || !block_in_zone(z, buddy, k))
		return false;
	b = page_of(z, buddy);
	return b->flags == PAGE_FREE && b->order == k;
}

/*
 * Checks the block whose head is pages[i]: aligned, inside the zone,
 * no state on its other pages, and (if free) not mergeable.
 */
static int
check_block(const struct buddy_zone *z, size_t i)
{
	const struct page *p = &z->pages[i];
	uint64_t pfn = z->base_pfn + i;
	unsigned k = p->order;

	if (k >= BUDDY_MAX_ORDER || (pfn & (ORDER_PAGES(k) - 1)) ||
	    !block_in_zone(z, pfn, k))
		return -EIO;
	for (size_t j = 1; j < ORDER_PAGES(k); j++) {
		if (p[j].flags != 0)
			return -EIO;
	}
	if (p->flags == PAGE_FREE && unmerged_buddy(z, pfn, k))
		return -EIO;
	return 0;
}

/*
 * Walks the zone block by block, so every page must be covered by
 * exactly one reserved page or block; counts the free heads by order.
 */
static int
check_pages(const struct buddy_zone *z, size_t nheads[BUDDY_MAX_ORDER])
{
	size_t i = 0;

	while (i < z->npages) {
		const struct page *p = &z->pages[i];

		if (p->flags == PAGE_RESERVED) {
			i++;
			continue;
		}
		if (p->flags != PAGE_FREE && p->flags != PAGE_ALLOCATED)
			return -EIO;
		if (check_block(z, i) != 0)
			return -EIO;
		if (p->flags == PAGE_FREE)
			nheads[p->order]++;
		i += ORDER_PAGES(p->order);
	}
	return 0;
}

int
buddy_check(const struct buddy_zone *z)
{
	size_t nheads[BUDDY_MAX_ORDER] = {0}, free_pages = 0;

	if (check_pages(z, nheads) != 0)
		return -EIO;
	for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++) {
		if (nheads[k] != z->nfree[k] || check_free_list(z, k) != 0)
			return -EIO;
		free_pages += z->nfree[k] << k;
	}
	return free_pages == z->free_pages ? 0 : -EIO;
}
