/*
 * pgtable.c - AArch64 translation tables: descriptors and the operations on
 * one tree, for the kernel's half and for user address spaces.  See
 * <lichen/pgtable.h> for the contracts and what the caller must do about
 * barriers and TLBs.
 *
 * Every operation that can fail checks its whole range first and then
 * changes the tree in a pass that cannot fail (pt_map allocates all its
 * tables in between).  May run with the MMU off, so: no pointers in
 * initialised data.
 */
#include <stddef.h>

#include <lichen/align.h>
#include <lichen/compiler.h>
#include <lichen/errno.h>
#include <lichen/pgtable.h>

/* The bits pte_encode owns in a leaf, besides the output address. */
#define PTE_ATTR_BITS                                                          \
	(PTE_TYPE_MASK | PTE_ATTRIDX_MASK | PTE_AP_USER | PTE_AP_RDONLY |      \
	    PTE_SH_MASK | PTE_AF | PTE_NG | PTE_PXN | PTE_UXN | PTE_SW_COW)

/* ---- descriptors ---- */

bool
pte_attrs_valid(const struct pte_attrs *a)
{
	return a->memtype <= 7 && a->share <= 3 && a->share != 1;
}

uint64_t
pte_encode(uint64_t pa, const struct pte_attrs *a, int level)
{
	uint64_t d;

	if (level < 1 || level > 3 || !pte_attrs_valid(a))
		return 0;
	if (!IS_ALIGNED(pa, PT_LEVEL_SIZE(level)) || (pa >> PT_PA_BITS) != 0)
		return 0;
	d = pa | (level == 3 ? PTE_TYPE_PAGE : PTE_TYPE_BLOCK);
	d |= (uint64_t)a->memtype << PTE_ATTRIDX_SHIFT;
	d |= (uint64_t)a->share << PTE_SH_SHIFT;
	d |= a->user ? PTE_AP_USER : 0;
	d |= a->writable ? 0 : PTE_AP_RDONLY;
	d |= a->user_exec ? 0 : PTE_UXN;
	d |= a->kernel_exec ? 0 : PTE_PXN;
	d |= a->global ? 0 : PTE_NG;
	d |= a->accessed ? PTE_AF : 0;
	d |= a->software_cow ? PTE_SW_COW : 0;
	return d;
}

void
pte_decode(uint64_t desc, struct pte_attrs *a)
{
	a->user = (desc & PTE_AP_USER) != 0;
	a->writable = (desc & PTE_AP_RDONLY) == 0;
	a->user_exec = (desc & PTE_UXN) == 0;
	a->kernel_exec = (desc & PTE_PXN) == 0;
	a->global = (desc & PTE_NG) == 0;
	a->memtype = (uint8_t)((desc & PTE_ATTRIDX_MASK) >> PTE_ATTRIDX_SHIFT);
	a->share = (uint8_t)((desc & PTE_SH_MASK) >> PTE_SH_SHIFT);
	a->accessed = (desc & PTE_AF) != 0;
	a->software_cow = (desc & PTE_SW_COW) != 0;
}

static bool
pte_is_table(uint64_t desc, int level)
{
	return level < 3 && (desc & PTE_TYPE_MASK) == PTE_TYPE_TABLE;
}

/* A valid leaf at level: a block at 1-2, a page at 3 (none at 0). */
static bool
pte_is_leaf(uint64_t desc, int level)
{
	if (level == 3)
		return (desc & PTE_TYPE_MASK) == PTE_TYPE_PAGE;
	return level >= 1 && (desc & PTE_TYPE_MASK) == PTE_TYPE_BLOCK;
}

uint64_t
pte_pa(uint64_t desc, int level)
{
	if (level < 0 || level > 3)
		return 0;
	if (pte_is_table(desc, level))
		return desc & PTE_ADDR_MASK;
	return desc & PTE_ADDR_MASK & ~(PT_LEVEL_SIZE(level) - 1);
}

/* ---- tables and ranges ---- */

static uint64_t *
pt_table(const struct pt_ops *ops, uint64_t pa)
{
	return ops->table_ptr(ops->ctx, pa);
}

static unsigned
pt_index(uint64_t va, int level)
{
	return (unsigned)(va >> PT_LEVEL_SHIFT(level)) & (PT_ENTRIES - 1);
}

/* The part of [va, va + size) inside va's entry at level. */
static uint64_t
pt_chunk(uint64_t va, uint64_t size, int level)
{
	uint64_t step = PT_LEVEL_SIZE(level);
	uint64_t chunk = step - (va & (step - 1));

	return chunk < size ? chunk : size;
}

static bool
pt_table_empty(const uint64_t *t)
{
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		if (READ_ONCE(t[i]) != 0)
			return false;
	return true;
}

/* The top 16 bits of va: 0 or 0xffff when va is in one half. */
static uint64_t
pt_va_top(uint64_t va)
{
	return va >> PT_VA_BITS;
}

static bool
pt_va_canonical(uint64_t va)
{
	return pt_va_top(va) == 0 || pt_va_top(va) == 0xffff;
}

/* Page aligned, in one half (va + size may be exactly 2^64), size > 0. */
static bool
pt_range_ok(uint64_t va, uint64_t size)
{
	uint64_t last = va + size - 1;

	if (!IS_ALIGNED(va | size, PT_PAGE_SIZE) || size == 0)
		return false;
	/* Why size - 1: a range ending at 2^64 is fine, its end wraps. */
	if (add_overflows(va, size - 1))
		return false;
	return pt_va_canonical(va) && pt_va_top(va) == pt_va_top(last);
}

/* ---- pt_map ---- */

struct pt_map_req {
	const struct pt_ops *ops;
	const struct pte_attrs *attrs;
	unsigned flags;
	uint64_t spare; /* preallocated tables, linked by entry 0 */
};

/* Whether a leaf at level can map this chunk. */
static bool
pt_map_leaf_fits(
    const struct pt_map_req *r, int level, uint64_t pa, uint64_t chunk)
{
	uint64_t step = PT_LEVEL_SIZE(level);

	if (level == 3)
		return true;
	return (r->flags & PT_BLOCKS) != 0 && level >= 1 && chunk == step &&
	       IS_ALIGNED(pa, step);
}

/* Whether leaf e at level already maps va to pa with r's attributes. */
static bool
pt_map_same(
    const struct pt_map_req *r, uint64_t e, int level, uint64_t va, uint64_t pa)
{
	uint64_t off = va & (PT_LEVEL_SIZE(level) - 1);

	/* pa < off wraps to above 2^48, which pte_encode refuses. */
	return pte_encode(pa - off, r->attrs, level) == e;
}

static int64_t pt_map_check(const struct pt_map_req *r, int level,
    uint64_t table, uint64_t va, uint64_t pa, uint64_t size);

/* Tables needed under entry e for one chunk, or -EEXIST. */
static int64_t
pt_map_check_entry(const struct pt_map_req *r, int level, uint64_t e,
    uint64_t va, uint64_t pa, uint64_t chunk)
{
	int64_t n;

	if (pte_is_table(e, level))
		return pt_map_check(
		    r, level + 1, e & PTE_ADDR_MASK, va, pa, chunk);
	if (e != 0)
		return pt_map_same(r, e, level, va, pa) ? 0 : -EEXIST;
	if (pt_map_leaf_fits(r, level, pa, chunk))
		return 0;
	n = pt_map_check(r, level + 1, 0, va, pa, chunk);
	return n < 0 ? n : n + 1;
}

/*
 * The number of tables mapping [va, va + size) below table (0: one still
 * to be allocated, so empty) needs, or -EEXIST.  Changes nothing.
 */
static int64_t
pt_map_check(const struct pt_map_req *r, int level, uint64_t table, uint64_t va,
    uint64_t pa, uint64_t size)
{
	const uint64_t *t = table != 0 ? pt_table(r->ops, table) : NULL;
	uint64_t chunk;
	int64_t need = 0, n;

	for (; size > 0; va += chunk, pa += chunk, size -= chunk) {
		chunk = pt_chunk(va, size, level);
		n = pt_map_check_entry(r, level,
		    t != NULL ? READ_ONCE(t[pt_index(va, level)]) : 0, va, pa,
		    chunk);
		if (n < 0)
			return n;
		need += n;
	}
	return need;
}

static void
pt_spare_free(struct pt_map_req *r)
{
	while (r->spare != 0) {
		uint64_t pa = r->spare;

		r->spare = pt_table(r->ops, pa)[0];
		r->ops->free_table(r->ops->ctx, pa);
	}
}

/* Allocate n tables onto r->spare: all of them, or none and -ENOMEM. */
static int
pt_spare_alloc(struct pt_map_req *r, int64_t n)
{
	for (; n > 0; n--) {
		uint64_t pa = r->ops->alloc_table(r->ops->ctx);

		if (pa == 0) {
			pt_spare_free(r);
			return -ENOMEM;
		}
		/* A page address is an invalid descriptor, should it leak. */
		pt_table(r->ops, pa)[0] = r->spare;
		r->spare = pa;
	}
	return 0;
}

static uint64_t
pt_spare_take(struct pt_map_req *r)
{
	uint64_t pa = r->spare;
	uint64_t *t = pt_table(r->ops, pa);

	r->spare = t[0];
	t[0] = 0;
	return pa;
}

/* Write what pt_map_check approved; cannot fail. */
static void
pt_map_commit(struct pt_map_req *r, int level, uint64_t table, uint64_t va,
    uint64_t pa, uint64_t size)
{
	uint64_t *t = pt_table(r->ops, table);
	uint64_t chunk;

	for (; size > 0; va += chunk, pa += chunk, size -= chunk) {
		uint64_t *e = &t[pt_index(va, level)];
		uint64_t old = READ_ONCE(*e), next;

		chunk = pt_chunk(va, size, level);
		if (pte_is_table(old, level)) {
			pt_map_commit(
			    r, level + 1, old & PTE_ADDR_MASK, va, pa, chunk);
		} else if (old != 0) {
			continue; /* the same translation, checked */
		} else if (pt_map_leaf_fits(r, level, pa, chunk)) {
			WRITE_ONCE(*e, pte_encode(pa, r->attrs, level));
		} else {
			/* Fill the new table before linking it in. */
			next = pt_spare_take(r);
			pt_map_commit(r, level + 1, next, va, pa, chunk);
			WRITE_ONCE(*e, next | PTE_TYPE_TABLE);
		}
	}
}

int
pt_map(const struct pt_ops *ops, uint64_t root, uint64_t va, uint64_t pa,
    uint64_t size, const struct pte_attrs *a, unsigned flags)
{
	struct pt_map_req r = {.ops = ops, .attrs = a, .flags = flags};
	int64_t need;
	int err;

	if ((flags & ~PT_BLOCKS) != 0 || !pte_attrs_valid(a))
		return -EINVAL;
	if (size == 0 && IS_ALIGNED(va | pa, PT_PAGE_SIZE))
		return 0;
	if (!pt_range_ok(va, size))
		return -EINVAL;
	/* Why check before adding: pa + size - 1 must not wrap either. */
	if (!IS_ALIGNED(pa, PT_PAGE_SIZE) ||
	    pa >= (UINT64_C(1) << PT_PA_BITS) ||
	    size > (UINT64_C(1) << PT_PA_BITS) - pa)
		return -EINVAL;
	need = pt_map_check(&r, 0, root, va, pa, size);
	if (need < 0)
		return (int)need;
	err = pt_spare_alloc(&r, need);
	if (err != 0)
		return err;
	pt_map_commit(&r, 0, root, va, pa, size);
	return 0;
}

/* ---- pt_unmap ---- */

struct pt_unmap_req {
	const struct pt_ops *ops;
	pt_leaf_fn *leaf;
	void *ctx;
};

/* -EINVAL if a block is only partly inside [va, va + size); else 0. */
static int
pt_unmap_check(const struct pt_ops *ops, int level, uint64_t table, uint64_t va,
    uint64_t size)
{
	const uint64_t *t = pt_table(ops, table);
	uint64_t chunk;
	int err;

	for (; size > 0; va += chunk, size -= chunk) {
		uint64_t e = READ_ONCE(t[pt_index(va, level)]);

		chunk = pt_chunk(va, size, level);
		if (pte_is_table(e, level)) {
			err = pt_unmap_check(
			    ops, level + 1, e & PTE_ADDR_MASK, va, chunk);
			if (err != 0)
				return err;
		} else if (e != 0 && chunk != PT_LEVEL_SIZE(level)) {
			return -EINVAL;
		}
	}
	return 0;
}

static void
pt_unmap_range(const struct pt_unmap_req *u, int level, uint64_t table,
    uint64_t va, uint64_t size)
{
	uint64_t *t = pt_table(u->ops, table);
	uint64_t chunk;

	for (; size > 0; va += chunk, size -= chunk) {
		uint64_t *e = &t[pt_index(va, level)];
		uint64_t old = READ_ONCE(*e), next;

		chunk = pt_chunk(va, size, level);
		if (old == 0)
			continue;
		if (!pte_is_table(old, level)) {
			WRITE_ONCE(*e, 0);
			if (u->leaf != NULL)
				u->leaf(u->ctx, va, old);
			continue;
		}
		next = old & PTE_ADDR_MASK;
		pt_unmap_range(u, level + 1, next, va, chunk);
		if (pt_table_empty(pt_table(u->ops, next))) {
			WRITE_ONCE(*e, 0);
			u->ops->free_table(u->ops->ctx, next);
		}
	}
}

int
pt_unmap(const struct pt_ops *ops, uint64_t root, uint64_t va, uint64_t size,
    pt_leaf_fn *leaf, void *ctx)
{
	struct pt_unmap_req u = {.ops = ops, .leaf = leaf, .ctx = ctx};
	int err;

	if (size == 0 && IS_ALIGNED(va, PT_PAGE_SIZE))
		return 0;
	if (!pt_range_ok(va, size))
		return -EINVAL;
	err = pt_unmap_check(ops, 0, root, va, size);
	if (err != 0)
		return err;
	pt_unmap_range(&u, 0, root, va, size);
	return 0;
}

/* ---- pt_walk ---- */

uint64_t
pt_walk(const struct pt_ops *ops, uint64_t root, uint64_t va, int *level)
{
	uint64_t table = root;

	if (!pt_va_canonical(va))
		return 0;
	for (int l = 0; l < PT_LEVELS; l++) {
		uint64_t e = READ_ONCE(pt_table(ops, table)[pt_index(va, l)]);

		if (pte_is_leaf(e, l)) {
			if (level != NULL)
				*level = l;
			return e;
		}
		if (!pte_is_table(e, l))
			return 0;
		table = e & PTE_ADDR_MASK;
	}
	return 0;
}

/* ---- pt_for_each_leaf and pt_protect ---- */

struct pt_visit_req {
	const struct pt_ops *ops;
	pt_visit_fn *fn;
	void *ctx;
};

/* Call fn on one leaf; store what it wrote if that is 0 or a leaf. */
static int
pt_visit_leaf(const struct pt_visit_req *v, uint64_t *e, uint64_t va, int level)
{
	uint64_t old = READ_ONCE(*e), desc = old;
	int rc;

	rc = v->fn(v->ctx, ALIGN_DOWN(va, PT_LEVEL_SIZE(level)), &desc, level);
	if (desc != old) {
		if (desc != 0 && !pte_is_leaf(desc, level))
			return -EINVAL;
		WRITE_ONCE(*e, desc);
	}
	return rc;
}

static int
pt_visit(const struct pt_visit_req *v, int level, uint64_t table, uint64_t va,
    uint64_t size)
{
	uint64_t *t = pt_table(v->ops, table);
	uint64_t chunk;
	int rc = 0;

	for (; size > 0 && rc == 0; va += chunk, size -= chunk) {
		uint64_t *e = &t[pt_index(va, level)];
		uint64_t old = READ_ONCE(*e);

		chunk = pt_chunk(va, size, level);
		if (pte_is_table(old, level))
			rc = pt_visit(
			    v, level + 1, old & PTE_ADDR_MASK, va, chunk);
		else if (pte_is_leaf(old, level))
			rc = pt_visit_leaf(v, e, va, level);
	}
	return rc;
}

int
pt_for_each_leaf(const struct pt_ops *ops, uint64_t root, uint64_t va,
    uint64_t size, pt_visit_fn *fn, void *ctx)
{
	struct pt_visit_req v = {.ops = ops, .fn = fn, .ctx = ctx};

	if (size == 0 && IS_ALIGNED(va, PT_PAGE_SIZE))
		return 0;
	if (!pt_range_ok(va, size))
		return -EINVAL;
	return pt_visit(&v, 0, root, va, size);
}

struct pt_protect_req {
	const struct pte_attrs *attrs;
	uint64_t first, last; /* the range, inclusive */
};

static int
pt_protect_check(void *ctx, uint64_t va, uint64_t *desc __unused, int level)
{
	const struct pt_protect_req *p = ctx;

	if (va < p->first || va + (PT_LEVEL_SIZE(level) - 1) > p->last)
		return -EINVAL;
	return 0;
}

static int
pt_protect_leaf(void *ctx, uint64_t va __unused, uint64_t *desc, int level)
{
	const struct pt_protect_req *p = ctx;

	*desc = pte_encode(pte_pa(*desc, level), p->attrs, level);
	return 0;
}

int
pt_protect(const struct pt_ops *ops, uint64_t root, uint64_t va, uint64_t size,
    const struct pte_attrs *a)
{
	struct pt_protect_req p = {.attrs = a, .first = va};
	int err;

	if (!pte_attrs_valid(a))
		return -EINVAL;
	if (size == 0 && IS_ALIGNED(va, PT_PAGE_SIZE))
		return 0;
	p.last = va + size - 1;
	err = pt_for_each_leaf(ops, root, va, size, pt_protect_check, &p);
	if (err != 0)
		return err;
	return pt_for_each_leaf(ops, root, va, size, pt_protect_leaf, &p);
}

/* ---- pt_destroy ---- */

static void
pt_destroy_table(
    const struct pt_unmap_req *u, int level, uint64_t table, uint64_t base)
{
	uint64_t *t = pt_table(u->ops, table);

	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		uint64_t e = t[i];
		uint64_t va = base | ((uint64_t)i << PT_LEVEL_SHIFT(level));

		if (pte_is_table(e, level))
			pt_destroy_table(u, level + 1, e & PTE_ADDR_MASK, va);
		else if (pte_is_leaf(e, level) && u->leaf != NULL)
			u->leaf(u->ctx, va, e);
	}
	u->ops->free_table(u->ops->ctx, table);
}

void
pt_destroy(const struct pt_ops *ops, uint64_t root, pt_leaf_fn *leaf, void *ctx)
{
	struct pt_unmap_req u = {.ops = ops, .leaf = leaf, .ctx = ctx};

	pt_destroy_table(&u, 0, root, 0);
}
