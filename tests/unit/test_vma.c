/*
 * test_vma.c - <lichen/vma.h>: argument checking at the edges of the
 * address space, overlaps, splits and merges by hand, allocation failure
 * leaving the set untouched, the top-down gap search, vma_check() catching
 * corruption, and long random runs checked page by page against a
 * per-page model with vma_check() after every step.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <lichen/align.h>
#include <lichen/compiler.h>
#include <lichen/errno.h>
#include <lichen/vma.h>

#include "unit.h"

#define P     VMA_PAGE_SIZE
#define RW    (VMA_READ | VMA_WRITE)
#define TOP   (~UINT64_C(0) - P + 1) /* the last page of the 64-bit space */
#define PHYS0 UINT64_C(0x40000000)

/* The test allocator: counts calls and live nodes, fails when told to. */
struct pool {
	long calls;
	long live;
	long fail_at;	   /* fail the call with this number (1-based) */
	unsigned fail_pct; /* or fail this percentage of calls at random */
	uint64_t seed;
};

static struct pool pool;
static struct vma_set set;
static int obj_a, obj_b; /* two backing objects, by address */

static struct vma *
pool_alloc(void *ctx)
{
	struct pool *p = ctx;
	struct vma *v;

	p->calls++;
	if (p->calls == p->fail_at)
		return NULL;
	if (p->fail_pct != 0 && test_rand(&p->seed) % 100 < p->fail_pct)
		return NULL;
	v = malloc(sizeof(*v));
	ck_assert_ptr_nonnull(v);
	memset(v, 0xa5, sizeof(*v)); /* garbage, as a real allocator gives */
	p->live++;
	return v;
}

static void
pool_free(void *ctx, struct vma *v)
{
	struct pool *p = ctx;

	memset(v, 0x5a, sizeof(*v));
	free(v);
	p->live--;
}

static void
setup(uint64_t min, uint64_t max)
{
	memset(&pool, 0, sizeof(pool));
	pool.seed = TEST_SEED;
	ck_assert_int_eq(
	    vma_set_init(&set, min, max, pool_alloc, pool_free, &pool), 0);
}

/* The set's VMAs must be exactly want[0..n) (start, end, prot). */
struct span {
	uint64_t start, end;
	uint32_t prot;
};

static void
assert_spans(const struct span *want, size_t n)
{
	struct vma *v;
	size_t i = 0;

	ck_assert_int_eq(vma_check(&set), 0);
	for (v = vma_first(&set); v != NULL; v = vma_next(v), i++) {
		ck_assert_uint_lt(i, n);
		ck_assert_uint_eq(v->start, want[i].start);
		ck_assert_uint_eq(v->end, want[i].end);
		ck_assert_uint_eq(v->prot, want[i].prot);
	}
	ck_assert_uint_eq(i, n);
	ck_assert_uint_eq(set.count, n);
	ck_assert_int_eq(pool.live, (long)n);
}

/* A copy of every VMA's fields, to prove an operation changed nothing. */
struct snapshot {
	size_t n;
	struct vma v[64];
};

static void
take_snapshot(struct snapshot *s)
{
	struct vma *v;

	s->n = 0;
	for (v = vma_first(&set); v != NULL; v = vma_next(v)) {
		quick_assert(s->n < ARRAY_SIZE(s->v));
		s->v[s->n++] = *v;
	}
	quick_assert_uint_eq(s->n, set.count);
}

static void
assert_unchanged(const struct snapshot *s)
{
	struct snapshot now;

	take_snapshot(&now);
	quick_assert_uint_eq(now.n, s->n);
	for (size_t i = 0; i < s->n; i++) {
		const struct vma *a = &now.v[i], *b = &s->v[i];

		quick_assert_uint_eq(a->start, b->start);
		quick_assert_uint_eq(a->end, b->end);
		quick_assert_uint_eq(a->prot, b->prot);
		quick_assert_uint_eq(a->flags, b->flags);
		quick_assert_uint_eq(a->offset, b->offset);
		quick_assert_ptr_eq(a->object, b->object);
	}
	quick_assert_int_eq(vma_check(&set), 0);
	quick_assert_int_eq(pool.live, (long)set.count);
}

static int
map_anon(uint64_t start, uint64_t len, uint32_t prot)
{
	return vma_insert(&set, start, len, prot, VMA_ANON, 0, NULL);
}

START_TEST(init_rejects_bad_ranges)
{
	struct vma_set s;

	ck_assert_int_eq(
	    vma_set_init(&s, 0x1001, 16 * P, pool_alloc, pool_free, NULL),
	    -EINVAL);
	ck_assert_int_eq(
	    vma_set_init(&s, P, 16 * P + 8, pool_alloc, pool_free, NULL),
	    -EINVAL);
	ck_assert_int_eq(
	    vma_set_init(&s, 4 * P, 4 * P, pool_alloc, pool_free, NULL),
	    -EINVAL);
	ck_assert_int_eq(
	    vma_set_init(&s, 8 * P, 4 * P, pool_alloc, pool_free, NULL),
	    -EINVAL);
	ck_assert_int_eq(
	    vma_set_init(&s, 0, TOP, pool_alloc, pool_free, NULL), 0);
	ck_assert_uint_eq(s.count, 0);
	ck_assert_ptr_null(vma_first(&s));
	ck_assert_int_eq(vma_check(&s), 0);
}
END_TEST

START_TEST(insert_rejects_zero_and_unaligned)
{
	setup(P, UINT64_C(1) << 48);
	ck_assert_int_eq(map_anon(4 * P, 0, RW), -EINVAL);
	ck_assert_int_eq(map_anon(4 * P + 1, P, RW), -EINVAL);
	ck_assert_int_eq(map_anon(4 * P, P + 0x800, RW), -EINVAL);
	ck_assert_int_eq(map_anon(4 * P, P - 1, RW), -EINVAL);
	ck_assert_int_eq(map_anon(4 * P, P, VMA_EXEC << 1), -EINVAL);
	ck_assert_int_eq(
	    vma_insert(&set, 4 * P, P, RW, VMA_PHYS, PHYS0 + 8, NULL), -EINVAL);
	ck_assert_int_eq(
	    vma_insert(&set, 4 * P, P, RW, VMA_ANON, 0x10, &obj_a), -EINVAL);
	assert_spans(NULL, 0);
	ck_assert_int_eq(pool.calls, 0);
}
END_TEST

/* Ranges whose end wraps past 2^64 are invalid, not merely out of range. */
START_TEST(insert_rejects_overflow_at_the_top)
{
	setup(P, TOP);
	ck_assert_int_eq(map_anon(TOP, P, RW), -EINVAL);
	ck_assert_int_eq(map_anon(TOP - P, 2 * P, RW), -EINVAL);
	ck_assert_int_eq(map_anon(P, TOP, RW), -EINVAL);
	ck_assert_int_eq(map_anon(2 * P, ~UINT64_C(0) & ~(P - 1), RW), -EINVAL);
	/* A carried offset must not wrap either; an ignored one may. */
	ck_assert_int_eq(
	    vma_insert(&set, 4 * P, 2 * P, RW, VMA_PHYS, TOP, NULL), -EINVAL);
	ck_assert_int_eq(
	    vma_insert(&set, 4 * P, 2 * P, RW, 0, TOP, &obj_a), -EINVAL);
	assert_spans(NULL, 0);
	ck_assert_int_eq(
	    vma_insert(&set, 4 * P, 2 * P, RW, VMA_ANON, TOP, NULL), 0);
	/* The last usable page ends exactly at max. */
	ck_assert_int_eq(map_anon(TOP - P, P, VMA_READ), 0);
	ck_assert_ptr_null(vma_find(&set, TOP));
	ck_assert_uint_eq(vma_find(&set, TOP - 1)->end, TOP);
	ck_assert_int_eq(vma_check(&set), 0);
}
END_TEST

START_TEST(insert_outside_min_max_is_enomem)
{
	setup(16 * P, 64 * P);
	ck_assert_int_eq(map_anon(0, P, RW), -ENOMEM);
	ck_assert_int_eq(map_anon(15 * P, P, RW), -ENOMEM);
	ck_assert_int_eq(map_anon(15 * P, 2 * P, RW), -ENOMEM);
	ck_assert_int_eq(map_anon(63 * P, 2 * P, RW), -ENOMEM);
	ck_assert_int_eq(map_anon(64 * P, P, RW), -ENOMEM);
	ck_assert_int_eq(map_anon(8 * P, 64 * P, RW), -ENOMEM);
	assert_spans(NULL, 0);
	ck_assert_int_eq(map_anon(16 * P, P, RW), 0);
	ck_assert_int_eq(map_anon(63 * P, P, VMA_READ), 0);
	assert_spans(
	    (struct span[]){{16 * P, 17 * P, RW}, {63 * P, 64 * P, VMA_READ}},
	    2);
}
END_TEST

START_TEST(insert_overlap_is_eexist)
{
	struct snapshot before;
	const uint64_t clash[][2] = {
	    {4, 8}, {5, 6}, {3, 9}, {2, 5}, {7, 10}, {4, 5}, {7, 8}};

	setup(P, 64 * P);
	ck_assert_int_eq(map_anon(4 * P, 4 * P, RW), 0);
	take_snapshot(&before);
	for (size_t i = 0; i < ARRAY_SIZE(clash); i++) {
		ck_assert_int_eq(map_anon(clash[i][0] * P,
				     (clash[i][1] - clash[i][0]) * P, VMA_READ),
		    -EEXIST);
		assert_unchanged(&before);
	}
	/* Touching is not overlapping. */
	ck_assert_int_eq(map_anon(2 * P, 2 * P, VMA_READ), 0);
	ck_assert_int_eq(map_anon(8 * P, 2 * P, VMA_EXEC), 0);
	assert_spans((struct span[]){{2 * P, 4 * P, VMA_READ},
			 {4 * P, 8 * P, RW}, {8 * P, 10 * P, VMA_EXEC}},
	    3);
}
END_TEST

START_TEST(find_and_find_first)
{
	struct vma *a, *b;

	setup(P, 64 * P);
	ck_assert_ptr_null(vma_find(&set, 4 * P));
	ck_assert_ptr_null(vma_find_first(&set, 0, 64 * P));
	ck_assert_int_eq(map_anon(4 * P, 2 * P, RW), 0);
	ck_assert_int_eq(map_anon(10 * P, 2 * P, VMA_READ), 0);
	a = vma_first(&set);
	b = vma_next(a);
	ck_assert_ptr_null(vma_next(b));
	ck_assert_ptr_eq(vma_find(&set, 4 * P), a);
	ck_assert_ptr_eq(vma_find(&set, 6 * P - 1), a);
	ck_assert_ptr_null(vma_find(&set, 6 * P));
	ck_assert_ptr_null(vma_find(&set, 4 * P - 1));
	ck_assert_ptr_eq(vma_find(&set, 11 * P), b);
	ck_assert_ptr_null(vma_find(&set, 12 * P));
	ck_assert_ptr_null(vma_find_first(&set, 0, 4 * P));
	ck_assert_ptr_eq(vma_find_first(&set, 0, 4 * P + 1), a);
	ck_assert_ptr_null(vma_find_first(&set, 6 * P, 10 * P));
	ck_assert_ptr_eq(vma_find_first(&set, 6 * P, 10 * P + 1), b);
	ck_assert_ptr_eq(vma_find_first(&set, 5 * P, 11 * P), a);
	ck_assert_ptr_eq(vma_find_first(&set, 6 * P - 1, 7 * P), a);
	ck_assert_ptr_null(vma_find_first(&set, 12 * P, ~UINT64_C(0)));
	ck_assert_ptr_null(vma_find_first(&set, 5 * P, 5 * P));
	ck_assert_ptr_null(vma_find_first(&set, 11 * P, 5 * P));
}
END_TEST

START_TEST(insert_merges_with_prev_next_and_both)
{
	setup(P, 64 * P);
	ck_assert_int_eq(map_anon(4 * P, 2 * P, RW), 0);
	ck_assert_int_eq(map_anon(8 * P, 2 * P, RW), 0);
	ck_assert_int_eq(map_anon(6 * P, 2 * P, RW), 0); /* fills the hole */
	assert_spans((struct span[]){{4 * P, 10 * P, RW}}, 1);
	ck_assert_int_eq(pool.calls, 2);
	ck_assert_int_eq(map_anon(10 * P, P, RW), 0); /* onto the end */
	ck_assert_int_eq(map_anon(3 * P, P, RW), 0);  /* onto the start */
	assert_spans((struct span[]){{3 * P, 11 * P, RW}}, 1);
	ck_assert_int_eq(pool.calls, 2);
}
END_TEST

START_TEST(insert_keeps_incompatible_neighbours_apart)
{
	setup(P, 64 * P);
	ck_assert_int_eq(map_anon(4 * P, P, RW), 0);
	ck_assert_int_eq(map_anon(5 * P, P, VMA_READ), 0);
	ck_assert_int_eq(
	    vma_insert(&set, 6 * P, P, VMA_READ, VMA_ANON | VMA_COW, 0, NULL),
	    0);
	ck_assert_int_eq(
	    vma_insert(&set, 7 * P, P, VMA_READ, VMA_ANON | VMA_COW, P, &obj_a),
	    0);
	ck_assert_int_eq(vma_insert(&set, 8 * P, P, VMA_READ,
			     VMA_ANON | VMA_COW, 2 * P, &obj_b),
	    0);
	ck_assert_int_eq(set.count, 5);
	ck_assert_int_eq(vma_check(&set), 0);
	/* Plain anonymous memory merges whatever its (ignored) offsets. */
	ck_assert_int_eq(vma_insert(&set, 9 * P, P, RW, VMA_ANON, 0, NULL), 0);
	ck_assert_int_eq(
	    vma_insert(&set, 10 * P, P, RW, VMA_ANON, 40 * P, NULL), 0);
	ck_assert_int_eq(set.count, 6);
	ck_assert_uint_eq(vma_find(&set, 9 * P)->end, 11 * P);
}
END_TEST

START_TEST(phys_merges_only_with_contiguous_offsets)
{
	struct vma *v;

	setup(P, 64 * P);
	ck_assert_int_eq(
	    vma_insert(&set, 4 * P, 2 * P, RW, VMA_PHYS, PHYS0, NULL), 0);
	ck_assert_int_eq(
	    vma_insert(&set, 6 * P, 2 * P, RW, VMA_PHYS, PHYS0 + 2 * P, NULL),
	    0);
	ck_assert_int_eq(set.count, 1);
	/* Adjacent in address, not in physical memory. */
	ck_assert_int_eq(
	    vma_insert(&set, 8 * P, P, RW, VMA_PHYS, PHYS0 + 8 * P, NULL), 0);
	ck_assert_int_eq(set.count, 2);
	/* Contiguous below: the merged VMA takes the lower offset. */
	ck_assert_int_eq(
	    vma_insert(&set, 2 * P, 2 * P, RW, VMA_PHYS, PHYS0 - 2 * P, NULL),
	    0);
	v = vma_first(&set);
	ck_assert_uint_eq(v->start, 2 * P);
	ck_assert_uint_eq(v->end, 8 * P);
	ck_assert_uint_eq(v->offset, PHYS0 - 2 * P);
	ck_assert_uint_eq(vma_next(v)->offset, PHYS0 + 8 * P);
	/* Same pages, but not MMIO: no merge with the PHYS VMA. */
	ck_assert_int_eq(
	    vma_insert(&set, 9 * P, P, RW, 0, PHYS0 + 9 * P, NULL), 0);
	ck_assert_int_eq(set.count, 3);
	ck_assert_int_eq(vma_check(&set), 0);
}
END_TEST

START_TEST(object_offsets_must_be_contiguous)
{
	setup(P, 64 * P);
	ck_assert_int_eq(
	    vma_insert(&set, 4 * P, P, VMA_READ, VMA_SHARED, 0, &obj_a), 0);
	ck_assert_int_eq(
	    vma_insert(&set, 5 * P, P, VMA_READ, VMA_SHARED, 2 * P, &obj_a), 0);
	ck_assert_int_eq(set.count, 2);
	ck_assert_int_eq(
	    vma_insert(&set, 3 * P, P, VMA_READ, VMA_SHARED, 0, &obj_a), 0);
	ck_assert_int_eq(set.count, 3);
	ck_assert_int_eq(
	    vma_insert(&set, 6 * P, P, VMA_READ, VMA_SHARED, 3 * P, &obj_a), 0);
	ck_assert_int_eq(set.count, 3);
	ck_assert_uint_eq(vma_find(&set, 5 * P)->end, 7 * P);
	ck_assert_int_eq(vma_check(&set), 0);
}
END_TEST

START_TEST(remove_middle_splits_in_two)
{
	struct vma *a, *b;

	setup(P, 64 * P);
	ck_assert_int_eq(
	    vma_insert(&set, 4 * P, 6 * P, RW, VMA_PHYS, PHYS0, NULL), 0);
	ck_assert_int_eq(vma_remove(&set, 6 * P, P), 0);
	assert_spans(
	    (struct span[]){{4 * P, 6 * P, RW}, {7 * P, 10 * P, RW}}, 2);
	a = vma_first(&set);
	b = vma_next(a);
	ck_assert_uint_eq(a->offset, PHYS0);
	ck_assert_uint_eq(b->offset, PHYS0 + 3 * P);
	ck_assert_uint_eq(b->flags, VMA_PHYS);
	/* Mapping the hole again with the right offset rejoins them. */
	ck_assert_int_eq(
	    vma_insert(&set, 6 * P, P, RW, VMA_PHYS, PHYS0 + 2 * P, NULL), 0);
	assert_spans((struct span[]){{4 * P, 10 * P, RW}}, 1);
}
END_TEST

START_TEST(remove_trims_edges_and_drops_covered)
{
	setup(P, 64 * P);
	ck_assert_int_eq(
	    vma_insert(&set, 2 * P, 2 * P, VMA_READ, VMA_PHYS, PHYS0, NULL), 0);
	ck_assert_int_eq(map_anon(5 * P, 3 * P, RW), 0);
	ck_assert_int_eq(map_anon(8 * P, P, VMA_EXEC), 0);
	ck_assert_int_eq(vma_insert(&set, 9 * P, 3 * P, VMA_READ, VMA_PHYS,
			     PHYS0 + 9 * P, NULL),
	    0);
	ck_assert_int_eq(vma_remove(&set, 3 * P, 7 * P), 0);
	assert_spans((struct span[]){{2 * P, 3 * P, VMA_READ},
			 {10 * P, 12 * P, VMA_READ}},
	    2);
	ck_assert_uint_eq(vma_first(&set)->offset, PHYS0);
	ck_assert_uint_eq(vma_next(vma_first(&set))->offset, PHYS0 + 10 * P);
	ck_assert_int_eq(pool.calls, 4);
}
END_TEST

START_TEST(remove_unmapped_and_bad_ranges)
{
	struct snapshot before;

	setup(16 * P, 64 * P);
	ck_assert_int_eq(vma_remove(&set, 20 * P, 4 * P), 0);
	ck_assert_int_eq(map_anon(20 * P, 4 * P, RW), 0);
	take_snapshot(&before);
	ck_assert_int_eq(vma_remove(&set, 24 * P, 4 * P), 0); /* just after */
	ck_assert_int_eq(vma_remove(&set, 16 * P, 4 * P), 0); /* just before */
	ck_assert_int_eq(vma_remove(&set, 0, 8 * P), 0);      /* below min */
	ck_assert_int_eq(vma_remove(&set, 64 * P, TOP - 64 * P), 0);
	ck_assert_int_eq(vma_remove(&set, 20 * P, 0), -EINVAL);
	ck_assert_int_eq(vma_remove(&set, 20 * P + 4, P), -EINVAL);
	ck_assert_int_eq(vma_remove(&set, 20 * P, P / 2), -EINVAL);
	ck_assert_int_eq(vma_remove(&set, 20 * P, TOP), -EINVAL);
	ck_assert_int_eq(vma_remove(&set, TOP, P), -EINVAL);
	assert_unchanged(&before);
	/* A range reaching past max still unmaps what it covers. */
	ck_assert_int_eq(vma_remove(&set, 0, TOP), 0);
	assert_spans(NULL, 0);
}
END_TEST

START_TEST(protect_middle_makes_three_then_merges_back)
{
	struct vma *v;

	setup(P, 64 * P);
	ck_assert_int_eq(
	    vma_insert(&set, 4 * P, 6 * P, RW, VMA_PHYS, PHYS0, NULL), 0);
	ck_assert_int_eq(vma_protect(&set, 6 * P, 2 * P, VMA_READ), 0);
	assert_spans((struct span[]){{4 * P, 6 * P, RW},
			 {6 * P, 8 * P, VMA_READ}, {8 * P, 10 * P, RW}},
	    3);
	v = vma_first(&set);
	ck_assert_uint_eq(v->offset, PHYS0);
	ck_assert_uint_eq((v = vma_next(v))->offset, PHYS0 + 2 * P);
	ck_assert_uint_eq((v = vma_next(v))->offset, PHYS0 + 4 * P);
	ck_assert_int_eq(vma_protect(&set, 6 * P, 2 * P, RW), 0);
	assert_spans((struct span[]){{4 * P, 10 * P, RW}}, 1);
	ck_assert_uint_eq(vma_first(&set)->offset, PHYS0);
}
END_TEST

START_TEST(protect_edges_split_once)
{
	setup(P, 64 * P);
	ck_assert_int_eq(map_anon(4 * P, 6 * P, RW), 0);
	ck_assert_int_eq(vma_protect(&set, 4 * P, 2 * P, VMA_READ), 0);
	ck_assert_int_eq(vma_protect(&set, 8 * P, 2 * P, VMA_EXEC), 0);
	assert_spans((struct span[]){{4 * P, 6 * P, VMA_READ},
			 {6 * P, 8 * P, RW}, {8 * P, 10 * P, VMA_EXEC}},
	    3);
	ck_assert_int_eq(pool.calls, 3);
}
END_TEST

START_TEST(protect_spanning_several_merges)
{
	setup(P, 64 * P);
	ck_assert_int_eq(map_anon(2 * P, 2 * P, VMA_READ), 0);
	ck_assert_int_eq(map_anon(4 * P, 2 * P, RW), 0);
	ck_assert_int_eq(map_anon(6 * P, 2 * P, VMA_READ | VMA_EXEC), 0);
	ck_assert_int_eq(map_anon(8 * P, 2 * P, RW), 0);
	ck_assert_int_eq(vma_protect(&set, 3 * P, 4 * P, RW), 0);
	assert_spans(
	    (struct span[]){{2 * P, 3 * P, VMA_READ}, {3 * P, 7 * P, RW},
		{7 * P, 8 * P, VMA_READ | VMA_EXEC}, {8 * P, 10 * P, RW}},
	    4);
	ck_assert_int_eq(vma_protect(&set, 2 * P, 8 * P, VMA_READ), 0);
	assert_spans((struct span[]){{2 * P, 10 * P, VMA_READ}}, 1);
}
END_TEST

START_TEST(protect_over_a_hole_fails_atomically)
{
	struct snapshot before;

	setup(P, 64 * P);
	ck_assert_int_eq(map_anon(2 * P, 2 * P, VMA_READ), 0);
	ck_assert_int_eq(map_anon(5 * P, 3 * P, RW), 0);
	take_snapshot(&before);
	pool.calls = 0;
	ck_assert_int_eq(vma_protect(&set, 3 * P, 3 * P, VMA_EXEC), -ENOMEM);
	ck_assert_int_eq(vma_protect(&set, P, 2 * P, VMA_EXEC), -ENOMEM);
	ck_assert_int_eq(vma_protect(&set, 6 * P, 3 * P, VMA_EXEC), -ENOMEM);
	ck_assert_int_eq(vma_protect(&set, 4 * P, P, VMA_EXEC), -ENOMEM);
	ck_assert_int_eq(vma_protect(&set, 2 * P, 6 * P, VMA_EXEC), -ENOMEM);
	ck_assert_int_eq(vma_protect(&set, 40 * P, P, VMA_EXEC), -ENOMEM);
	assert_unchanged(&before);
	ck_assert_int_eq(pool.calls, 0);
}
END_TEST

START_TEST(protect_argument_checks)
{
	struct snapshot before;

	setup(P, 64 * P);
	ck_assert_int_eq(map_anon(2 * P, 2 * P, VMA_READ), 0);
	take_snapshot(&before);
	ck_assert_int_eq(vma_protect(&set, 2 * P + 1, P, RW), -EINVAL);
	ck_assert_int_eq(vma_protect(&set, 2 * P, P + 1, RW), -EINVAL);
	ck_assert_int_eq(vma_protect(&set, 2 * P, P, 0x10), -EINVAL);
	ck_assert_int_eq(vma_protect(&set, 2 * P, TOP, RW), -EINVAL);
	ck_assert_int_eq(vma_protect(&set, 2 * P, 0, RW), 0);
	ck_assert_int_eq(vma_protect(&set, 40 * P, 0, RW), 0);
	assert_unchanged(&before);
	/* Protection 0 (PROT_NONE) is a protection like any other. */
	ck_assert_int_eq(vma_protect(&set, 3 * P, P, 0), 0);
	assert_spans(
	    (struct span[]){{2 * P, 3 * P, VMA_READ}, {3 * P, 4 * P, 0}}, 2);
}
END_TEST

START_TEST(insert_alloc_failure_leaves_set_unchanged)
{
	struct snapshot before;

	setup(P, 64 * P);
	ck_assert_int_eq(map_anon(4 * P, 2 * P, RW), 0);
	take_snapshot(&before);
	pool.fail_pct = 100;
	ck_assert_int_eq(map_anon(10 * P, P, RW), -ENOMEM);
	ck_assert_int_eq(map_anon(7 * P, P, RW), -ENOMEM);
	ck_assert_int_eq(map_anon(6 * P, P, VMA_READ), -ENOMEM);
	assert_unchanged(&before);
	/* Merging needs no node, so it works with the allocator dry. */
	ck_assert_int_eq(map_anon(6 * P, P, RW), 0);
	ck_assert_int_eq(map_anon(3 * P, P, RW), 0);
	assert_spans((struct span[]){{3 * P, 7 * P, RW}}, 1);
}
END_TEST

START_TEST(remove_alloc_failure_leaves_set_unchanged)
{
	struct snapshot before;

	setup(P, 64 * P);
	ck_assert_int_eq(map_anon(4 * P, 8 * P, RW), 0);
	take_snapshot(&before);
	pool.fail_pct = 100;
	ck_assert_int_eq(vma_remove(&set, 6 * P, 2 * P), -ENOMEM);
	assert_unchanged(&before);
	/* Trimming an edge needs no node. */
	ck_assert_int_eq(vma_remove(&set, 4 * P, 2 * P), 0);
	ck_assert_int_eq(vma_remove(&set, 10 * P, 4 * P), 0);
	assert_spans((struct span[]){{6 * P, 10 * P, RW}}, 1);
}
END_TEST

START_TEST(protect_alloc_failure_on_each_call)
{
	struct snapshot before;

	setup(P, 64 * P);
	ck_assert_int_eq(map_anon(4 * P, 8 * P, RW), 0);
	ck_assert_int_eq(map_anon(12 * P, 2 * P, VMA_READ), 0);
	take_snapshot(&before);
	/* Two splits, in one VMA: fail the first node, then the second. */
	for (long n = 1; n <= 2; n++) {
		pool.calls = 0;
		pool.fail_at = n;
		ck_assert_int_eq(vma_protect(&set, 6 * P, 2 * P, 0), -ENOMEM);
		assert_unchanged(&before);
		ck_assert_int_eq(pool.calls, n);
	}
	/* Two splits in two VMAs. */
	for (long n = 1; n <= 2; n++) {
		pool.calls = 0;
		pool.fail_at = n;
		ck_assert_int_eq(
		    vma_protect(&set, 10 * P, 3 * P, VMA_EXEC), -ENOMEM);
		assert_unchanged(&before);
	}
	pool.calls = 0;
	pool.fail_at = 3;
	ck_assert_int_eq(vma_protect(&set, 6 * P, 2 * P, 0), 0);
	assert_spans((struct span[]){{4 * P, 6 * P, RW}, {6 * P, 8 * P, 0},
			 {8 * P, 12 * P, RW}, {12 * P, 14 * P, VMA_READ}},
	    4);
	/* Same protection: no split, no node needed. */
	pool.fail_pct = 100;
	ck_assert_int_eq(vma_protect(&set, 9 * P, 2 * P, RW), 0);
	ck_assert_int_eq(vma_protect(&set, 9 * P, 5 * P, VMA_READ), -ENOMEM);
	ck_assert_int_eq(vma_protect(&set, 12 * P, 2 * P, VMA_READ), 0);
	ck_assert_int_eq(set.count, 4);
}
END_TEST

START_TEST(find_gap_top_down)
{
	uint64_t at = 0;

	setup(P, 64 * P);
	ck_assert_int_eq(vma_find_gap(&set, 4 * P, 0, &at), 0);
	ck_assert_uint_eq(at, 60 * P);
	ck_assert_int_eq(vma_find_gap(&set, 4 * P, 16 * P, &at), 0);
	ck_assert_uint_eq(at, 48 * P);
	ck_assert_int_eq(vma_find_gap(&set, 63 * P, 0, &at), 0);
	ck_assert_uint_eq(at, P);
	ck_assert_int_eq(vma_find_gap(&set, 64 * P, 0, &at), -ENOMEM);
	/* 63 pages fit at P, but not on a 2-page boundary. */
	ck_assert_int_eq(vma_find_gap(&set, 63 * P, 2 * P, &at), -ENOMEM);
	ck_assert_int_eq(map_anon(56 * P, 8 * P, RW), 0);
	ck_assert_int_eq(map_anon(40 * P, 14 * P, RW), 0);
	ck_assert_int_eq(vma_find_gap(&set, 2 * P, 0, &at), 0);
	ck_assert_uint_eq(at, 54 * P);
	ck_assert_int_eq(vma_find_gap(&set, 3 * P, 0, &at), 0);
	ck_assert_uint_eq(at, 37 * P);
	ck_assert_int_eq(vma_find_gap(&set, 2 * P, 4 * P, &at), 0);
	ck_assert_uint_eq(at, 36 * P);
	ck_assert_int_eq(map_anon(P, 39 * P, VMA_READ), 0);
	ck_assert_int_eq(vma_find_gap(&set, 2 * P, 0, &at), 0);
	ck_assert_uint_eq(at, 54 * P);
	ck_assert_int_eq(vma_find_gap(&set, 3 * P, 0, &at), -ENOMEM);
	ck_assert_int_eq(map_anon(54 * P, 2 * P, VMA_EXEC), 0);
	at = 12345;
	ck_assert_int_eq(vma_find_gap(&set, P, 0, &at), -ENOMEM);
	ck_assert_uint_eq(at, 12345);
	ck_assert_int_eq(vma_find_gap(&set, 0, 0, &at), -EINVAL);
	ck_assert_int_eq(vma_find_gap(&set, P + 1, 0, &at), -EINVAL);
	ck_assert_int_eq(vma_find_gap(&set, P, 3 * P, &at), -EINVAL);
	ck_assert_uint_eq(at, 12345);
}
END_TEST

START_TEST(find_gap_in_a_large_space)
{
	uint64_t at = 0;

	setup(P, UINT64_C(1) << 48);
	ck_assert_int_eq(
	    vma_find_gap(&set, UINT64_C(1) << 47, UINT64_C(1) << 47, &at), 0);
	ck_assert_uint_eq(at, UINT64_C(1) << 47);
	ck_assert_int_eq(
	    vma_find_gap(&set, UINT64_C(1) << 48, 0, &at), -ENOMEM);
	ck_assert_int_eq(vma_find_gap(&set, TOP, 0, &at), -ENOMEM);
	ck_assert_int_eq(
	    vma_find_gap(&set, P, UINT64_C(1) << 63, &at), -ENOMEM);
	/* An alignment below a page still gives a page-aligned answer. */
	ck_assert_int_eq(vma_find_gap(&set, P, 16, &at), 0);
	ck_assert_uint_eq(at, (UINT64_C(1) << 48) - P);

	setup(0, TOP);
	ck_assert_int_eq(vma_find_gap(&set, P, 0, &at), 0);
	ck_assert_uint_eq(at, TOP - P);
	ck_assert_int_eq(vma_find_gap(&set, TOP, 0, &at), 0);
	ck_assert_uint_eq(at, 0);
}
END_TEST

START_TEST(iteration_and_destroy)
{
	uint64_t prev_end = 0;
	size_t n = 0;

	setup(P, 1024 * P);
	/* Every other page, in a scrambled order. */
	for (uint64_t i = 0; i < 500; i++) {
		uint64_t page = 1 + 2 * ((i * 337) % 500);

		ck_assert_int_eq(map_anon(page * P, P, RW), 0);
	}
	ck_assert_int_eq(vma_check(&set), 0);
	for (struct vma *v = vma_first(&set); v != NULL; v = vma_next(v)) {
		ck_assert_uint_gt(v->start, prev_end);
		prev_end = v->end;
		n++;
	}
	ck_assert_uint_eq(n, 500);
	ck_assert_int_eq(pool.live, 500);
	vma_set_destroy(&set);
	ck_assert_int_eq(pool.live, 0);
	ck_assert_uint_eq(set.count, 0);
	ck_assert_ptr_null(vma_first(&set));
	ck_assert_int_eq(map_anon(P, P, RW), 0);
	ck_assert_int_eq(vma_check(&set), 0);
	vma_set_destroy(&set);
	ck_assert_int_eq(pool.live, 0);
}
END_TEST

START_TEST(check_catches_corruption)
{
	struct vma *a, *b;

	setup(P, 64 * P);
	ck_assert_int_eq(map_anon(2 * P, 2 * P, RW), 0);
	ck_assert_int_eq(map_anon(4 * P, 2 * P, VMA_READ), 0);
	ck_assert_int_eq(vma_check(&set), 0);
	a = vma_first(&set);
	b = vma_next(a);
	b->prot = RW; /* now mergeable with a */
	ck_assert_int_eq(vma_check(&set), -EINVAL);
	b->prot = VMA_READ;
	a->end = 5 * P; /* overlaps b */
	ck_assert_int_eq(vma_check(&set), -EINVAL);
	a->end = 3 * P + 8; /* unaligned */
	ck_assert_int_eq(vma_check(&set), -EINVAL);
	a->end = 2 * P; /* empty */
	ck_assert_int_eq(vma_check(&set), -EINVAL);
	a->end = 4 * P;
	a->start = 0; /* below min */
	ck_assert_int_eq(vma_check(&set), -EINVAL);
	a->start = 2 * P;
	set.count = 3;
	ck_assert_int_eq(vma_check(&set), -EINVAL);
	set.count = 2;
	set.root.node->red = true; /* broken tree */
	ck_assert_int_eq(vma_check(&set), -EINVAL);
	set.root.node->red = false;
	ck_assert_int_eq(vma_check(&set), 0);
}
END_TEST

/*
 * The random runs: a window of WIN pages, of which pages [LO, HI) are the
 * set's [min, max), modelled one struct page per page.
 */
#define WIN 96
#define LO  8
#define HI  72

struct page {
	bool mapped;
	uint32_t prot, flags;
	uint64_t offset; /* of this page, when carried */
	void *object;
};

static struct page model[WIN];

static bool
page_carried(const struct page *p)
{
	return (p->flags & VMA_PHYS) != 0 || p->object != NULL;
}

/* Whether pages i and i + 1 belong in one VMA. */
static bool
pages_join(int i)
{
	const struct page *a = &model[i], *b = &model[i + 1];

	return a->mapped && b->mapped && a->prot == b->prot &&
	       a->flags == b->flags && a->object == b->object &&
	       (!page_carried(a) || b->offset == a->offset + P);
}

static void
assert_matches_model(void)
{
	size_t runs = 0;

	quick_assert_int_eq(vma_check(&set), 0);
	for (int i = 0; i < WIN; i++) {
		const struct page *p = &model[i];
		uint64_t addr = (uint64_t)i * P;
		struct vma *v = vma_find(&set, addr + (uint64_t)(i % 7) * 512);

		quick_assert_msg((v != NULL) == p->mapped, "page %d", i);
		if (v == NULL)
			continue;
		quick_assert_uint_eq(v->prot, p->prot);
		quick_assert_uint_eq(v->flags, p->flags);
		quick_assert_ptr_eq(v->object, p->object);
		if (page_carried(p))
			quick_assert_uint_eq(
			    v->offset + (addr - v->start), p->offset);
		runs += i == 0 || !pages_join(i - 1);
	}
	/* Maximal runs in the model are exactly the VMAs. */
	quick_assert_uint_eq(set.count, runs);
	quick_assert_int_eq(pool.live, (long)set.count);
}

/* Random arguments for one operation, sometimes out of range or bad. */
struct op {
	int start, len; /* in pages */
	uint64_t addr, bytes;
	uint32_t prot, flags;
	uint64_t offset;
	void *object;
};

static void
random_op(struct op *o, uint64_t *seed)
{
	uint64_t r = test_rand(seed);

	o->start = (int)(r % WIN);
	o->len = (int)((r >> 8) % 13);
	if (o->start + o->len > WIN)
		o->len = WIN - o->start;
	o->addr = (uint64_t)o->start * P;
	o->bytes = (uint64_t)o->len * P;
	if ((r >> 16) % 64 == 0)
		o->addr += 0x10; /* misaligned */
	if ((r >> 22) % 64 == 0)
		o->bytes += 0x200;
	o->prot = (uint32_t)(r >> 28) % 4; /* a few, so merges happen */
	o->flags = VMA_ANON;
	o->offset = 0;
	o->object = NULL;
	switch ((r >> 32) % 4) {
	case 1: /* MMIO, usually linear so neighbours are contiguous */
		o->flags = VMA_PHYS;
		o->offset = PHYS0 + ((r >> 40) % 4 == 0 ? 0 : o->addr);
		break;
	case 2:
		o->flags = VMA_SHARED;
		o->object = (r >> 40) % 2 ? &obj_a : &obj_b;
		o->offset = ALIGN_DOWN(o->addr, P);
		break;
	}
}

static bool
op_aligned(const struct op *o)
{
	return IS_ALIGNED(o->addr, P) && IS_ALIGNED(o->bytes, P);
}

static bool
any_mapped(int start, int len, bool want)
{
	for (int i = start; i < start + len; i++) {
		if (model[i].mapped == want)
			return true;
	}
	return false;
}

/* The result vma_insert must give if the allocator does not fail. */
static int
model_insert(const struct op *o, bool apply)
{
	if (!op_aligned(o) || o->len == 0)
		return -EINVAL;
	if (o->start < LO || o->start + o->len > HI)
		return -ENOMEM;
	if (any_mapped(o->start, o->len, true))
		return -EEXIST;
	for (int i = o->start; apply && i < o->start + o->len; i++)
		model[i] = (struct page){true, o->prot, o->flags,
		    o->offset + (uint64_t)(i - o->start) * P, o->object};
	return 0;
}

static int
model_remove(const struct op *o, bool apply)
{
	if (!op_aligned(o) || o->len == 0)
		return -EINVAL;
	for (int i = o->start; apply && i < o->start + o->len; i++)
		model[i].mapped = false;
	return 0;
}

static int
model_protect(const struct op *o, bool apply)
{
	if (!op_aligned(o))
		return -EINVAL;
	if (any_mapped(o->start, o->len, false))
		return -ENOMEM;
	for (int i = o->start; apply && i < o->start + o->len; i++)
		model[i].prot = o->prot;
	return 0;
}

/* The highest aligned free run of len pages in [LO, HI), or -ENOMEM. */
static int
model_gap(int len, int align, uint64_t *out)
{
	for (int a = (HI - len) / align * align; a >= LO; a -= align) {
		if (!any_mapped(a, len, true)) {
			*out = (uint64_t)a * P;
			return 0;
		}
	}
	return -ENOMEM;
}

static void
check_gap(uint64_t *seed)
{
	int len = 1 + (int)(test_rand(seed) % 8),
	    align = 1 << (test_rand(seed) % 3);
	uint64_t got = 0, want = 0;
	int err =
	    vma_find_gap(&set, (uint64_t)len * P, (uint64_t)align * P, &got);

	quick_assert_int_eq(err, model_gap(len, align, &want));
	if (err == 0)
		quick_assert_uint_eq(got, want);
}

/*
 * One random operation, checked against the model.  With a failing
 * allocator, -ENOMEM where the model expects success must leave the set
 * exactly as it was.
 */
static void
random_step(uint64_t *seed, bool may_fail)
{
	struct snapshot before;
	struct op o;
	int kind = (int)(test_rand(seed) % 3), want, got;

	random_op(&o, seed);
	take_snapshot(&before);
	if (kind == 0) {
		want = model_insert(&o, false);
		got = vma_insert(
		    &set, o.addr, o.bytes, o.prot, o.flags, o.offset, o.object);
	} else if (kind == 1) {
		want = model_remove(&o, false);
		got = vma_remove(&set, o.addr, o.bytes);
	} else {
		want = model_protect(&o, false);
		got = vma_protect(&set, o.addr, o.bytes, o.prot);
	}
	if (may_fail && want == 0 && got == -ENOMEM) {
		assert_unchanged(&before);
		return;
	}
	quick_assert_msg(got == want, "op %d [%d, +%d): got %d, want %d", kind,
	    o.start, o.len, got, want);
	if (got != 0)
		assert_unchanged(&before);
	else if (kind == 0)
		model_insert(&o, true);
	else if (kind == 1)
		model_remove(&o, true);
	else
		model_protect(&o, true);
	assert_matches_model();
}

START_TEST(random_mix_matches_page_model)
{
	uint64_t seed = TEST_SEED;

	memset(model, 0, sizeof(model));
	setup(LO * P, HI * P);
	for (int step = 0; step < 20000; step++) {
		random_step(&seed, false);
		if (step % 8 == 0)
			check_gap(&seed);
	}
	vma_set_destroy(&set);
	ck_assert_int_eq(pool.live, 0);
}
END_TEST

START_TEST(random_mix_with_failing_allocator)
{
	uint64_t seed = TEST_SEED ^ 0x1234;

	memset(model, 0, sizeof(model));
	setup(LO * P, HI * P);
	pool.fail_pct = 30;
	for (int step = 0; step < 20000; step++)
		random_step(&seed, true);
	vma_set_destroy(&set);
	ck_assert_int_eq(pool.live, 0);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("vma");
	TCase *tc = tcase_create("vma");

	tcase_add_test(tc, init_rejects_bad_ranges);
	tcase_add_test(tc, insert_rejects_zero_and_unaligned);
	tcase_add_test(tc, insert_rejects_overflow_at_the_top);
	tcase_add_test(tc, insert_outside_min_max_is_enomem);
	tcase_add_test(tc, insert_overlap_is_eexist);
	tcase_add_test(tc, find_and_find_first);
	tcase_add_test(tc, insert_merges_with_prev_next_and_both);
	tcase_add_test(tc, insert_keeps_incompatible_neighbours_apart);
	tcase_add_test(tc, phys_merges_only_with_contiguous_offsets);
	tcase_add_test(tc, object_offsets_must_be_contiguous);
	tcase_add_test(tc, remove_middle_splits_in_two);
	tcase_add_test(tc, remove_trims_edges_and_drops_covered);
	tcase_add_test(tc, remove_unmapped_and_bad_ranges);
	tcase_add_test(tc, protect_middle_makes_three_then_merges_back);
	tcase_add_test(tc, protect_edges_split_once);
	tcase_add_test(tc, protect_spanning_several_merges);
	tcase_add_test(tc, protect_over_a_hole_fails_atomically);
	tcase_add_test(tc, protect_argument_checks);
	tcase_add_test(tc, insert_alloc_failure_leaves_set_unchanged);
	tcase_add_test(tc, remove_alloc_failure_leaves_set_unchanged);
	tcase_add_test(tc, protect_alloc_failure_on_each_call);
	tcase_add_test(tc, find_gap_top_down);
	tcase_add_test(tc, find_gap_in_a_large_space);
	tcase_add_test(tc, iteration_and_destroy);
	tcase_add_test(tc, check_catches_corruption);
	tcase_add_test(tc, random_mix_matches_page_model);
	tcase_add_test(tc, random_mix_with_failing_allocator);
	suite_add_tcase(s, tc);
	return s;
}
