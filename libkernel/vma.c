/*
 * vma.c - the VMA set of one address space: lookup, mmap-like insertion,
 * munmap-like removal, mprotect-like protection changes, top-down gap
 * search and an invariant checker (see <lichen/vma.h>).
 *
 * The tree is ordered by start; as VMAs never overlap, it is ordered by
 * end too, which is what lookups descend on.  Trimming a VMA in place
 * (moving its start or end without crossing a neighbour) keeps that
 * order, so only new and removed VMAs touch the tree's shape.  Each
 * mutating operation first checks everything and allocates every node it
 * may need, and only then edits: after that point it cannot fail.
 */
#include <stdbool.h>

#include <lichen/align.h>
#include <lichen/errno.h>
#include <lichen/vma.h>

#define vma_of(node) rb_entry_or_null(node, struct vma, rb)

static bool
page_aligned(uint64_t x)
{
	return IS_ALIGNED(x, VMA_PAGE_SIZE);
}

static bool
offset_carried(const struct vma *v)
{
	return (v->flags & VMA_PHYS) != 0 || v->object != NULL;
}

/* Whether b starts where a ends and the two could be one VMA. */
static bool
mergeable(const struct vma *a, const struct vma *b)
{
	if (a->end != b->start || a->prot != b->prot || a->flags != b->flags ||
	    a->object != b->object)
		return false;
	return !offset_carried(a) ||
	       b->offset == a->offset + (a->end - a->start);
}

/* 0 and *end for a non-empty, aligned, non-wrapping range; else -EINVAL. */
static int
check_range(uint64_t start, uint64_t len, uint64_t *end)
{
	if (len == 0 || !page_aligned(start) || !page_aligned(len) ||
	    add_overflows(start, len))
		return -EINVAL;
	*end = start + len;
	return 0;
}

int
vma_set_init(struct vma_set *set, uint64_t min, uint64_t max,
    struct vma *(*alloc_fn)(void *ctx),
    void (*free_fn)(void *ctx, struct vma *v), void *ctx)
{
	if (!page_aligned(min) || !page_aligned(max) || min >= max)
		return -EINVAL;
	rb_init(&set->root);
	set->min = min;
	set->max = max;
	set->count = 0;
	set->alloc = alloc_fn;
	set->free = free_fn;
	set->ctx = ctx;
	return 0;
}

static void
link_vma(struct vma_set *set, struct vma *v)
{
	struct rb_node **link = &set->root.node, *parent = NULL;
	int dir;

	while (*link != NULL) {
		parent = *link;
		dir = v->start < vma_of(parent)->start ? RB_LEFT : RB_RIGHT;
		link = &parent->child[dir];
	}
	rb_link(&v->rb, parent, link);
	rb_insert_fixup(&set->root, &v->rb);
	set->count++;
}

static void
unlink_free(struct vma_set *set, struct vma *v)
{
	rb_erase(&set->root, &v->rb);
	set->count--;
	set->free(set->ctx, v);
}

void
vma_set_destroy(struct vma_set *set)
{
	struct vma *v;

	while ((v = vma_first(set)) != NULL)
		unlink_free(set, v);
}

/* The lowest VMA ending above addr, or NULL. */
static struct vma *
lookup_above(const struct vma_set *set, uint64_t addr)
{
	struct rb_node *n = set->root.node;
	struct vma *best = NULL;

	while (n != NULL) {
		struct vma *v = vma_of(n);

		if (v->end > addr) {
			best = v;
			n = n->child[RB_LEFT];
		} else {
			n = n->child[RB_RIGHT];
		}
	}
	return best;
}

struct vma *
vma_find(const struct vma_set *set, uint64_t addr)
{
	struct vma *v = lookup_above(set, addr);

	return v != NULL && v->start <= addr ? v : NULL;
}

struct vma *
vma_find_first(const struct vma_set *set, uint64_t start, uint64_t end)
{
	struct vma *v;

	if (start >= end)
		return NULL;
	v = lookup_above(set, start);
	return v != NULL && v->start < end ? v : NULL;
}

struct vma *
vma_first(const struct vma_set *set)
{
	return vma_of(rb_first(&set->root));
}

struct vma *
vma_next(const struct vma *v)
{
	return vma_of(rb_next(&v->rb));
}

static struct vma *
vma_prev(const struct vma *v)
{
	return vma_of(rb_prev(&v->rb));
}

/* Moves v's start up to addr, inside v, keeping a carried offset right. */
static void
trim_front(struct vma *v, uint64_t addr)
{
	v->offset += addr - v->start;
	v->start = addr;
}

/*
 * Splits v at addr (strictly inside it): v keeps [start, addr) and the
 * spare node new, linked into the set, gets [addr, end).  Returns new.
 */
static struct vma *
split(struct vma_set *set, struct vma *v, uint64_t addr, struct vma *new)
{
	*new = *v;
	trim_front(new, addr);
	v->end = addr;
	link_vma(set, new);
	return new;
}

int
vma_insert(struct vma_set *set, uint64_t start, uint64_t len, uint32_t prot,
    uint32_t flags, uint64_t offset, void *object)
{
	struct vma want, *prev, *next, *v;
	bool join_prev, join_next;
	uint64_t end;

	if (check_range(start, len, &end) != 0 || (prot & ~VMA_PROT_MASK) ||
	    !page_aligned(offset))
		return -EINVAL;
	want = (struct vma){.start = start,
	    .end = end,
	    .prot = prot,
	    .flags = flags,
	    .offset = offset,
	    .object = object};
	/* A carried offset names backing pages [offset, offset + len). */
	if (offset_carried(&want) && add_overflows(offset, len))
		return -EINVAL;
	if (start < set->min || end > set->max)
		return -ENOMEM;
	next = lookup_above(set, start);
	if (next != NULL && next->start < end)
		return -EEXIST;
	prev = next != NULL ? vma_prev(next) : vma_of(rb_last(&set->root));
	join_prev = prev != NULL && mergeable(prev, &want);
	join_next = next != NULL && mergeable(&want, next);

	if (join_prev && join_next) {
		prev->end = next->end;
		unlink_free(set, next);
	} else if (join_prev) {
		prev->end = end;
	} else if (join_next) {
		next->start = start;
		next->offset = offset;
	} else {
		if ((v = set->alloc(set->ctx)) == NULL)
			return -ENOMEM;
		*v = want;
		link_vma(set, v);
	}
	return 0;
}

int
vma_remove(struct vma_set *set, uint64_t start, uint64_t len)
{
	struct vma *v, *next, *spare;
	uint64_t end;

	if (check_range(start, len, &end) != 0)
		return -EINVAL;
	v = lookup_above(set, start);
	if (v == NULL || v->start >= end)
		return 0;
	/* A hole punched in the middle of one VMA: the only allocation. */
	if (v->start < start && v->end > end) {
		if ((spare = set->alloc(set->ctx)) == NULL)
			return -ENOMEM;
		split(set, v, end, spare);
		v->end = start;
		return 0;
	}
	for (; v != NULL && v->start < end; v = next) {
		next = vma_next(v);
		if (v->start < start)
			v->end = start;
		else if (v->end > end)
			trim_front(v, end);
		else
			unlink_free(set, v);
	}
	return 0;
}

/*
 * The VMA containing end - 1 when [start, end) is mapped without a hole
 * (first contains start), or NULL.
 */
static struct vma *
covering_last(struct vma *first, uint64_t end)
{
	struct vma *v = first, *n;

	while (v->end < end) {
		n = vma_next(v);
		if (n == NULL || n->start != v->end)
			return NULL;
		v = n;
	}
	return v;
}

/*
 * Merges each VMA from the one before v up to the last starting below end
 * with its successor while they are compatible.
 */
static void
merge_range(struct vma_set *set, struct vma *v, uint64_t end)
{
	struct vma *p = vma_prev(v), *n;

	if (p != NULL)
		v = p;
	while (v->start < end && (n = vma_next(v)) != NULL) {
		if (mergeable(v, n)) {
			v->end = n->end;
			unlink_free(set, n);
		} else {
			v = n;
		}
	}
}

/* Takes n nodes from the allocator into spare[], all or none. */
static bool
alloc_spares(struct vma_set *set, struct vma **spare, int n)
{
	for (int i = 0; i < n; i++) {
		if ((spare[i] = set->alloc(set->ctx)) == NULL) {
			while (i-- > 0)
				set->free(set->ctx, spare[i]);
			return false;
		}
	}
	return true;
}

int
vma_protect(struct vma_set *set, uint64_t start, uint64_t len, uint32_t prot)
{
	struct vma *first, *last, *v, *spare[2];
	bool cut_start, cut_end;
	uint64_t end;

	if (!page_aligned(start) || !page_aligned(len) ||
	    (prot & ~VMA_PROT_MASK) || add_overflows(start, len))
		return -EINVAL;
	if (len == 0)
		return 0;
	end = start + len;
	if ((first = vma_find(set, start)) == NULL ||
	    (last = covering_last(first, end)) == NULL)
		return -ENOMEM;
	cut_start = first->start < start && first->prot != prot;
	cut_end = last->end > end && last->prot != prot;
	if (!alloc_spares(set, spare, cut_start + cut_end))
		return -ENOMEM;

	/* End first: if first == last, first then still holds start. */
	if (cut_end)
		split(set, last, end, spare[cut_start]);
	if (cut_start)
		first = split(set, first, start, spare[0]);
	for (v = first; v != NULL && v->start < end; v = vma_next(v))
		v->prot = prot;
	merge_range(set, first, end);
	return 0;
}

/* Whether an aligned [*out, *out + len) fits in the free [lo, hi). */
static bool
gap_fits(uint64_t lo, uint64_t hi, uint64_t len, uint64_t align, uint64_t *out)
{
	uint64_t addr;

	if (hi - lo < len)
		return false;
	addr = ALIGN_DOWN(hi - len, align);
	if (addr < lo)
		return false;
	*out = addr;
	return true;
}

int
vma_find_gap(
    const struct vma_set *set, uint64_t len, uint64_t align, uint64_t *out)
{
	struct vma *v = vma_of(rb_last(&set->root));
	uint64_t hi = set->max;

	if (len == 0 || !page_aligned(len) || (align != 0 && !is_pow2(align)))
		return -EINVAL;
	if (align < VMA_PAGE_SIZE)
		align = VMA_PAGE_SIZE;
	for (;; v = vma_prev(v)) {
		if (gap_fits(
			v != NULL ? v->end : set->min, hi, len, align, out))
			return 0;
		if (v == NULL)
			return -ENOMEM;
		hi = v->start;
	}
}

/* Whether v on its own is a sound VMA of set. */
static bool
vma_sound(const struct vma_set *set, const struct vma *v)
{
	return v->start < v->end && page_aligned(v->start) &&
	       page_aligned(v->end) && v->start >= set->min &&
	       v->end <= set->max && (v->prot & ~VMA_PROT_MASK) == 0;
}

int
vma_check(const struct vma_set *set)
{
	const struct vma *v, *prev = NULL;
	size_t n = 0;

	if (rb_check(&set->root) != 0)
		return -EINVAL;
	for (v = vma_first(set); v != NULL; prev = v, v = vma_next(v)) {
		if (!vma_sound(set, v))
			return -EINVAL;
		if (prev != NULL &&
		    (prev->end > v->start || mergeable(prev, v)))
			return -EINVAL;
		n++;
	}
	return n == set->count ? 0 : -EINVAL;
}
