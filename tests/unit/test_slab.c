/*
 * test_slab.c - <lichen/slab.h>: cache geometry and alignment, growth and
 * shrinking counted against the test's own page source, a page source that
 * runs dry, frees that must be refused, slab_check catching corruption, the
 * kmalloc size classes, and long random runs in which every live object
 * carries a pattern of its own that is verified before it is freed.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <lichen/compiler.h>
#include <lichen/errno.h>
#include <lichen/slab.h>

#include "unit.h"

#define PAGE	   SLAB_PAGE_SIZE
#define POOL_PAGES 1024

/*
 * The page source: a pool of page-aligned pages, each handed out at most
 * once at a time, with a cap on how many may be out (to run it dry).
 * Pages go out full of 0xa5 and come back overwritten with 0x5a, so
 * neither stale nor assumed-zero contents can pass unnoticed.
 */
struct pool {
	unsigned char *base;
	bool out[POOL_PAGES];
	size_t outstanding;
	size_t limit;
	size_t bad_frees; /* free_page of a page that was not out */
	size_t misalign;  /* added to every page handed out */
};

static struct pool pool;

static void *
pool_alloc(void *ctx)
{
	struct pool *p = ctx;

	if (p->outstanding >= p->limit)
		return NULL;
	for (size_t i = 0; i < POOL_PAGES; i++) {
		if (!p->out[i]) {
			p->out[i] = true;
			p->outstanding++;
			memset(p->base + i * PAGE, 0xa5, PAGE);
			return p->base + i * PAGE + p->misalign;
		}
	}
	return NULL;
}

static void
pool_free(void *ctx, void *page)
{
	struct pool *p = ctx;
	size_t off = (size_t)((unsigned char *)page - p->base) - p->misalign;
	size_t i = off / PAGE;

	if (off % PAGE != 0 || i >= POOL_PAGES || !p->out[i]) {
		p->bad_frees++;
		return;
	}
	p->out[i] = false;
	p->outstanding--;
	memset(p->base + i * PAGE, 0x5a, PAGE);
}

static const struct slab_pages pool_pages = {pool_alloc, pool_free, &pool};

static void
pool_setup(void)
{
	if (pool.base == NULL)
		pool.base = aligned_alloc(PAGE, (size_t)POOL_PAGES * PAGE);
	ck_assert_ptr_nonnull(pool.base);
	memset(pool.out, 0, sizeof(pool.out));
	pool.outstanding = 0;
	pool.limit = POOL_PAGES;
	pool.bad_frees = 0;
	pool.misalign = 0;
}

static bool
in_pool(const void *obj, size_t size)
{
	const unsigned char *b = obj;
	size_t i;

	if (b < pool.base || b >= pool.base + (size_t)POOL_PAGES * PAGE)
		return false;
	i = (size_t)(b - pool.base) / PAGE;
	/* The whole object lies in one page that is currently out. */
	return pool.out[i] && (size_t)(b - pool.base) + size <= (i + 1) * PAGE;
}

static void
init_cache(struct slab_cache *c, size_t size, size_t align)
{
	ck_assert_int_eq(
	    slab_cache_init(c, "test", size, align, &pool_pages), 0);
}

/* Allocates n objects of c into objs[], all expected to succeed. */
static void
alloc_n(struct slab_cache *c, void **objs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		objs[i] = slab_alloc(c);
		quick_assert(objs[i] != NULL);
	}
}

static void
free_n(struct slab_cache *c, void **objs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		quick_assert_int_eq(slab_free(c, objs[i]), 0);
}

START_TEST(init_rejects_bad_geometry)
{
	struct slab_cache c;
	struct slab_pages no_alloc = {NULL, pool_free, &pool};
	struct slab_pages no_free = {pool_alloc, NULL, &pool};

	ck_assert_int_eq(slab_cache_init(&c, "x", 0, 8, &pool_pages), -EINVAL);
	ck_assert_int_eq(slab_cache_init(&c, "x", 8, 0, &pool_pages), -EINVAL);
	ck_assert_int_eq(slab_cache_init(&c, "x", 8, 3, &pool_pages), -EINVAL);
	ck_assert_int_eq(slab_cache_init(&c, "x", 8, 24, &pool_pages), -EINVAL);
	ck_assert_int_eq(
	    slab_cache_init(&c, "x", 8, 8192, &pool_pages), -EINVAL);
	/* Alignment of a whole page leaves no room beside the header. */
	ck_assert_int_eq(
	    slab_cache_init(&c, "x", 8, PAGE, &pool_pages), -EINVAL);
	ck_assert_int_eq(
	    slab_cache_init(&c, "x", PAGE, 8, &pool_pages), -EINVAL);
	ck_assert_int_eq(
	    slab_cache_init(&c, "x", PAGE + 1, 8, &pool_pages), -EINVAL);
	ck_assert_int_eq(
	    slab_cache_init(&c, "x", SIZE_MAX, 8, &pool_pages), -EINVAL);
	ck_assert_int_eq(
	    slab_cache_init(&c, "x", SIZE_MAX - 7, 8, &pool_pages), -EINVAL);
	ck_assert_int_eq(slab_cache_init(&c, "x", 8, 8, NULL), -EINVAL);
	ck_assert_int_eq(slab_cache_init(&c, "x", 8, 8, &no_alloc), -EINVAL);
	ck_assert_int_eq(slab_cache_init(&c, "x", 8, 8, &no_free), -EINVAL);
}
END_TEST

/* The largest accepted size is a page less a small header, and fills it. */
START_TEST(largest_object_fills_a_page)
{
	struct slab_cache c;
	size_t max = 0;
	void *a, *b;

	for (size_t size = PAGE; size > 0; size--) {
		if (slab_cache_init(&c, "x", size, 1, &pool_pages) == 0) {
			max = size;
			break;
		}
	}
	ck_assert_uint_ge(max, PAGE - 128);
	ck_assert_int_eq(
	    slab_cache_init(&c, "x", max + 1, 1, &pool_pages), -EINVAL);
	init_cache(&c, max, 1);
	ck_assert_uint_eq(c.per_slab, 1);
	a = slab_alloc(&c);
	b = slab_alloc(&c);
	ck_assert(in_pool(a, max) && in_pool(b, max));
	memset(a, 1, max);
	memset(b, 2, max);
	ck_assert_uint_eq(c.nslabs, 2);
	ck_assert_int_eq(slab_check(&c), 0);
	ck_assert_int_eq(slab_free(&c, a), 0);
	ck_assert_int_eq(slab_free(&c, b), 0);
	slab_shrink(&c);
	ck_assert_uint_eq(pool.outstanding, 0);
}
END_TEST

START_TEST(new_cache_takes_no_page)
{
	struct slab_cache c;

	init_cache(&c, 48, 16);
	ck_assert_uint_eq(pool.outstanding, 0);
	ck_assert_uint_eq(c.nslabs, 0);
	ck_assert_uint_eq(c.in_use, 0);
	ck_assert_uint_ge(c.per_slab, (PAGE - 128) / 48);
	ck_assert_uint_eq(slab_object_size(&c), 48);
	ck_assert_int_eq(slab_check(&c), 0);
	slab_shrink(&c);
	ck_assert_int_eq(slab_check(&c), 0);
}
END_TEST

static int
cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (void *const *)a;
	uintptr_t y = (uintptr_t) * (void *const *)b;

	return x < y ? -1 : x > y;
}

/* Three slabs' worth of objects: aligned, in pool pages, disjoint. */
static void
check_geometry(size_t size, size_t align)
{
	static void *objs[3 * PAGE];
	size_t n, want_align = align < sizeof(void *) ? sizeof(void *) : align;
	struct slab_cache c;

	init_cache(&c, size, align);
	n = 3 * c.per_slab;
	alloc_n(&c, objs, n);
	quick_assert_uint_eq(c.nslabs, 3);
	quick_assert_uint_eq(pool.outstanding, 3);
	quick_assert(slab_object_size(&c) >= size);
	for (size_t i = 0; i < n; i++) {
		quick_assert_uint_eq((uintptr_t)objs[i] % want_align, 0);
		quick_assert(in_pool(objs[i], slab_object_size(&c)));
	}
	qsort(objs, n, sizeof(objs[0]), cmp_ptr);
	for (size_t i = 1; i < n; i++)
		quick_assert(
		    (uintptr_t)objs[i - 1] + size <= (uintptr_t)objs[i]);
	quick_assert_int_eq(slab_check(&c), 0);
	free_n(&c, objs, n);
	slab_shrink(&c);
	quick_assert_uint_eq(pool.outstanding, 0);
	quick_assert_uint_eq(pool.bad_frees, 0);
}

START_TEST(objects_aligned_and_disjoint)
{
	const size_t sizes[] = {1, 7, 8, 9, 24, 100, 333, 1000, 2000, 3000};
	const size_t aligns[] = {1, 2, 8, 16, 64, 256, 1024, 2048};

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		for (size_t j = 0; j < ARRAY_SIZE(aligns); j++) {
			struct slab_cache c;

			if (slab_cache_init(
				&c, "x", sizes[i], aligns[j], &pool_pages) == 0)
				check_geometry(sizes[i], aligns[j]);
			else /* only a large object and a large alignment */
				ck_assert_uint_ge(sizes[i] + aligns[j], PAGE);
		}
	}
}
END_TEST

START_TEST(grows_one_page_per_full_slab)
{
	static void *objs[8 * PAGE];
	struct slab_cache c;

	init_cache(&c, 64, 64);
	for (size_t i = 0; i < 5 * c.per_slab; i++) {
		objs[i] = slab_alloc(&c);
		quick_assert(objs[i] != NULL);
		quick_assert_uint_eq(c.nslabs, i / c.per_slab + 1);
		quick_assert_uint_eq(pool.outstanding, c.nslabs);
		quick_assert_uint_eq(c.in_use, i + 1);
	}
	ck_assert_int_eq(slab_check(&c), 0);
	/* Freeing one object of a full slab makes room without a new page. */
	ck_assert_int_eq(slab_free(&c, objs[7]), 0);
	ck_assert_ptr_nonnull(slab_alloc(&c));
	ck_assert_uint_eq(c.nslabs, 5);
	ck_assert_ptr_nonnull(slab_alloc(&c));
	ck_assert_uint_eq(c.nslabs, 6);
	ck_assert_int_eq(slab_check(&c), 0);
}
END_TEST

START_TEST(free_everything_and_shrink_returns_every_page)
{
	static void *objs[40 * PAGE / 32];
	struct slab_cache c;
	size_t n;

	init_cache(&c, 32, 8);
	n = 40 * c.per_slab - 3;
	alloc_n(&c, objs, n);
	ck_assert_uint_eq(pool.outstanding, 40);
	/* Free in an interleaved order so slabs empty out of order. */
	for (size_t i = 0; i < n; i += 2)
		ck_assert_int_eq(slab_free(&c, objs[i]), 0);
	ck_assert_int_eq(slab_check(&c), 0);
	for (size_t i = 1; i < n; i += 2)
		ck_assert_int_eq(slab_free(&c, objs[i]), 0);
	ck_assert_uint_eq(c.in_use, 0);
	/* Only one empty slab is kept... */
	ck_assert_uint_eq(c.nslabs, 1);
	ck_assert_uint_eq(c.nempty, 1);
	ck_assert_uint_eq(pool.outstanding, 1);
	ck_assert_int_eq(slab_check(&c), 0);
	/* ...and shrinking gives back that one too. */
	slab_shrink(&c);
	ck_assert_uint_eq(c.nslabs, 0);
	ck_assert_uint_eq(pool.outstanding, 0);
	ck_assert_uint_eq(pool.bad_frees, 0);
	ck_assert_int_eq(slab_check(&c), 0);
	/* The cache is still usable afterwards. */
	ck_assert_ptr_nonnull(slab_alloc(&c));
	ck_assert_uint_eq(pool.outstanding, 1);
}
END_TEST

START_TEST(shrink_keeps_slabs_in_use)
{
	void *objs[3];
	struct slab_cache c;

	init_cache(&c, 1900, 8); /* two per slab */
	ck_assert_uint_eq(c.per_slab, 2);
	alloc_n(&c, objs, 3);
	ck_assert_uint_eq(pool.outstanding, 2);
	slab_shrink(&c);
	ck_assert_uint_eq(pool.outstanding, 2);
	memset(objs[0], 0x11, 1900); /* still ours to write */
	ck_assert_int_eq(slab_free(&c, objs[2]), 0);
	ck_assert_uint_eq(c.nempty, 1);
	slab_shrink(&c);
	ck_assert_uint_eq(pool.outstanding, 1);
	ck_assert_int_eq(slab_check(&c), 0);
}
END_TEST

START_TEST(exhausted_page_source_gives_null_then_recovers)
{
	static void *objs[4 * PAGE / 16];
	struct slab_cache c;
	size_t n = 0;

	init_cache(&c, 128, 16);
	pool.limit = 3;
	while ((objs[n] = slab_alloc(&c)) != NULL)
		n++;
	ck_assert_uint_eq(n, 3 * c.per_slab);
	ck_assert_uint_eq(c.in_use, n);
	ck_assert_ptr_null(slab_alloc(&c));
	ck_assert_ptr_null(slab_alloc(&c));
	ck_assert_uint_eq(c.in_use, n);
	ck_assert_int_eq(slab_check(&c), 0);
	/* A freed object is reused without a page... */
	ck_assert_int_eq(slab_free(&c, objs[5]), 0);
	objs[5] = slab_alloc(&c);
	ck_assert_ptr_nonnull(objs[5]);
	ck_assert_ptr_null(slab_alloc(&c));
	/* ...and once the source has pages again the cache grows. */
	pool.limit = 4;
	objs[n] = slab_alloc(&c);
	ck_assert_ptr_nonnull(objs[n]);
	ck_assert_uint_eq(c.nslabs, 4);
	free_n(&c, objs, n + 1);
	slab_shrink(&c);
	ck_assert_uint_eq(pool.outstanding, 0);
	ck_assert_int_eq(slab_check(&c), 0);
}
END_TEST

START_TEST(no_page_at_all)
{
	struct slab_cache c;

	init_cache(&c, 16, 16);
	pool.limit = 0;
	ck_assert_ptr_null(slab_alloc(&c));
	ck_assert_uint_eq(c.in_use, 0);
	ck_assert_uint_eq(c.nslabs, 0);
	ck_assert_int_eq(slab_check(&c), 0);
}
END_TEST

START_TEST(misaligned_page_is_returned_and_refused)
{
	struct slab_cache c;

	init_cache(&c, 16, 16);
	pool.misalign = 64;
	ck_assert_ptr_null(slab_alloc(&c));
	ck_assert_uint_eq(pool.outstanding, 0);
	ck_assert_uint_eq(pool.bad_frees, 0);
	ck_assert_uint_eq(c.nslabs, 0);
	pool.misalign = 0;
	ck_assert_ptr_nonnull(slab_alloc(&c));
	ck_assert_int_eq(slab_check(&c), 0);
}
END_TEST

/* Counters of c and of the pool as they stand, to compare after a refusal. */
struct snapshot {
	size_t in_use, nslabs, nempty, outstanding;
};

static struct snapshot
snap(const struct slab_cache *c)
{
	return (struct snapshot){
	    c->in_use, c->nslabs, c->nempty, pool.outstanding};
}

static void
assert_unchanged(const struct slab_cache *c, struct snapshot s)
{
	ck_assert_uint_eq(c->in_use, s.in_use);
	ck_assert_uint_eq(c->nslabs, s.nslabs);
	ck_assert_uint_eq(c->nempty, s.nempty);
	ck_assert_uint_eq(pool.outstanding, s.outstanding);
	ck_assert_int_eq(slab_check(c), 0);
}

START_TEST(free_of_misaligned_pointers_refused)
{
	struct slab_cache c;
	unsigned char *obj, *page;
	struct snapshot s;
	void *objs[4];

	init_cache(&c, 64, 64);
	alloc_n(&c, objs, 4);
	obj = objs[1];
	page = (unsigned char *)((uintptr_t)obj & ~(uintptr_t)(PAGE - 1));
	s = snap(&c);
	ck_assert_int_eq(slab_free(&c, NULL), -EINVAL);
	ck_assert_int_eq(slab_free(&c, obj + 1), -EINVAL);
	ck_assert_int_eq(slab_free(&c, obj + 8), -EINVAL);
	ck_assert_int_eq(slab_free(&c, obj + 63), -EINVAL);
	ck_assert_int_eq(slab_free(&c, obj - 1), -EINVAL);
	/* The header, and the unused tail of the page past the last object. */
	ck_assert_int_eq(slab_free(&c, page), -EINVAL);
	ck_assert_int_eq(slab_free(&c, page + 8), -EINVAL);
	ck_assert_int_eq(
	    slab_free(&c, page + c.first + c.per_slab * c.stride), -EINVAL);
	ck_assert_int_eq(slab_free(&c, page + PAGE - 64), -EINVAL);
	assert_unchanged(&c, s);
	free_n(&c, objs, 4);
}
END_TEST

START_TEST(double_free_refused)
{
	struct slab_cache c;
	struct snapshot s;
	void *a, *b, *x, *y;

	init_cache(&c, 40, 8);
	a = slab_alloc(&c);
	b = slab_alloc(&c);
	ck_assert_int_eq(slab_free(&c, a), 0);
	s = snap(&c);
	ck_assert_int_eq(slab_free(&c, a), -EINVAL);
	assert_unchanged(&c, s);
	/* The free list was not corrupted: two allocations, two objects. */
	x = slab_alloc(&c);
	y = slab_alloc(&c);
	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_nonnull(y);
	ck_assert_ptr_ne(x, y);
	ck_assert_ptr_ne(x, b);
	ck_assert_ptr_ne(y, b);
	/* A never-allocated object in a live slab is free, so refused too. */
	ck_assert_int_eq(slab_free(&c, (char *)b + 10 * c.stride), -EINVAL);
	ck_assert_int_eq(slab_check(&c), 0);
}
END_TEST

START_TEST(free_into_another_cache_refused)
{
	struct slab_cache a, b;
	void *pa, *pb;
	struct snapshot sa, sb;

	/* The same geometry, so only the header's cache pointer differs. */
	init_cache(&a, 32, 32);
	init_cache(&b, 32, 32);
	pa = slab_alloc(&a);
	pb = slab_alloc(&b);
	sa = snap(&a);
	sb = snap(&b);
	ck_assert_int_eq(slab_free(&b, pa), -EINVAL);
	ck_assert_int_eq(slab_free(&a, pb), -EINVAL);
	assert_unchanged(&a, sa);
	assert_unchanged(&b, sb);
	ck_assert_int_eq(slab_free(&a, pa), 0);
	ck_assert_int_eq(slab_free(&b, pb), 0);
}
END_TEST

START_TEST(free_of_foreign_memory_refused)
{
	static unsigned char zero_page[PAGE] __aligned(PAGE);
	unsigned char *junk = aligned_alloc(PAGE, PAGE);
	struct slab_cache c;
	struct snapshot s;
	int on_stack;

	ck_assert_ptr_nonnull(junk);
	memset(junk, 0xa5, PAGE);
	init_cache(&c, 64, 64);
	ck_assert_ptr_nonnull(slab_alloc(&c));
	s = snap(&c);
	ck_assert_int_eq(slab_free(&c, zero_page + 256), -EINVAL);
	ck_assert_int_eq(slab_free(&c, junk + 256), -EINVAL);
	ck_assert_int_eq(slab_free(&c, &on_stack), -EINVAL);
	assert_unchanged(&c, s);
	free(junk);
}
END_TEST

START_TEST(free_after_page_returned_refused)
{
	struct slab_cache c;
	void *obj;

	init_cache(&c, 64, 64);
	obj = slab_alloc(&c);
	ck_assert_int_eq(slab_free(&c, obj), 0);
	slab_shrink(&c);
	ck_assert_uint_eq(pool.outstanding, 0);
	ck_assert_int_eq(slab_free(&c, obj), -EINVAL);
	ck_assert_uint_eq(c.in_use, 0);
	ck_assert_int_eq(slab_check(&c), 0);
}
END_TEST

/*
 * The free list is threaded through the free objects' first words; these
 * tests scribble there the way a use-after-free would.
 */
START_TEST(check_catches_free_list_leaving_its_slab)
{
	struct slab_cache c;
	void *objs[3];
	static char elsewhere[64];

	init_cache(&c, 64, 64);
	alloc_n(&c, objs, 3);
	ck_assert_int_eq(slab_free(&c, objs[1]), 0);
	ck_assert_int_eq(slab_check(&c), 0);
	*(void **)objs[1] = elsewhere;
	ck_assert_int_eq(slab_check(&c), -EIO);
	*(void **)objs[1] = (char *)objs[2] + 8; /* inside, misaligned */
	ck_assert_int_eq(slab_check(&c), -EIO);
}
END_TEST

START_TEST(check_catches_free_object_in_use)
{
	struct slab_cache c;
	void *objs[4];

	init_cache(&c, 64, 64);
	alloc_n(&c, objs, 4);
	ck_assert_int_eq(slab_free(&c, objs[1]), 0);
	ck_assert_int_eq(slab_free(&c, objs[3]), 0);
	ck_assert_int_eq(slab_check(&c), 0);
	/*
	 * The free list was objs[3] -> objs[1] -> (the never-used objects).
	 * Swap objs[1] for the allocated objs[2]: the length still adds up,
	 * but objs[2] is now both free and in use.
	 */
	*(void **)objs[2] = *(void **)objs[1];
	*(void **)objs[3] = objs[2];
	ck_assert_int_eq(slab_check(&c), -EIO);
}
END_TEST

START_TEST(check_catches_free_list_loop)
{
	struct slab_cache c;
	void *objs[3];

	init_cache(&c, 64, 64);
	alloc_n(&c, objs, 3);
	ck_assert_int_eq(slab_free(&c, objs[0]), 0);
	ck_assert_int_eq(slab_free(&c, objs[1]), 0);
	*(void **)objs[0] = objs[1]; /* objs[1] -> objs[0] -> objs[1] ... */
	ck_assert_int_eq(slab_check(&c), -EIO);
	*(void **)objs[1] = objs[1];
	ck_assert_int_eq(slab_check(&c), -EIO);
}
END_TEST

START_TEST(check_catches_lost_free_objects)
{
	struct slab_cache c;
	void *objs[3];

	init_cache(&c, 64, 64);
	alloc_n(&c, objs, 3);
	ck_assert_int_eq(slab_free(&c, objs[1]), 0);
	/* Cut the list after objs[1]: the never-used objects are lost. */
	*(void **)objs[1] = NULL;
	ck_assert_int_eq(slab_check(&c), -EIO);
}
END_TEST

START_TEST(check_catches_bad_counters)
{
	struct slab_cache c;
	void *objs[2];

	init_cache(&c, 64, 64);
	alloc_n(&c, objs, 2);
	ck_assert_int_eq(slab_check(&c), 0);
	c.in_use++;
	ck_assert_int_eq(slab_check(&c), -EIO);
	c.in_use--;
	c.nslabs++;
	ck_assert_int_eq(slab_check(&c), -EIO);
	c.nslabs--;
	c.nempty = 1;
	ck_assert_int_eq(slab_check(&c), -EIO);
	c.nempty = 0;
	/* A slab on the wrong list. */
	list_splice_tail(&c.full, &c.partial);
	ck_assert_int_eq(slab_check(&c), -EIO);
	list_splice_tail(&c.partial, &c.full);
	ck_assert_int_eq(slab_check(&c), 0);
}
END_TEST

/* kmalloc */

static struct kmalloc_heap heap;

static void
heap_setup(void)
{
	pool_setup();
	ck_assert_int_eq(kmalloc_init(&heap, &pool_pages), 0);
}

static size_t
class_of(size_t size)
{
	size_t class = KMALLOC_MIN;

	while (class < size)
		class *= 2;
	return class;
}

START_TEST(kmalloc_size_class_boundaries)
{
	const struct {
		size_t size, usable;
	} cases[] = {
	    {1, 16},
	    {16, 16},
	    {17, 32},
	    {32, 32},
	    {33, 64},
	    {1024, 1024},
	    {1025, 2048},
	    {2047, 2048},
	    {2048, 2048},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		void *p = kmalloc(&heap, cases[i].size);

		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq(
		    kmalloc_usable_size(&heap, p), cases[i].usable);
		memset(p, 0x77, cases[i].usable);
		ck_assert_int_eq(kfree(&heap, p), 0);
	}
	ck_assert_ptr_null(kmalloc(&heap, 0));
	ck_assert_ptr_null(kmalloc(&heap, 2049));
	ck_assert_ptr_null(kmalloc(&heap, PAGE));
	ck_assert_ptr_null(kmalloc(&heap, SIZE_MAX));
	ck_assert_ptr_null(kzalloc(&heap, 0));
	ck_assert_ptr_null(kzalloc(&heap, 2049));
	ck_assert_int_eq(kmalloc_check(&heap), 0);
}
END_TEST

START_TEST(kmalloc_every_size_naturally_aligned)
{
	for (size_t size = 1; size <= KMALLOC_MAX; size++) {
		void *p = kmalloc(&heap, size);
		size_t class = class_of(size);

		quick_assert(p != NULL);
		quick_assert_uint_eq(kmalloc_usable_size(&heap, p), class);
		quick_assert_uint_eq((uintptr_t)p % class, 0);
		quick_assert(in_pool(p, class));
		quick_assert_int_eq(kfree(&heap, p), 0);
	}
	kmalloc_shrink(&heap);
	ck_assert_uint_eq(pool.outstanding, 0);
}
END_TEST

START_TEST(kfree_refuses_what_kmalloc_did_not_give)
{
	struct kmalloc_heap other;
	struct slab_cache c;
	char *p, *q, *r;
	struct kmalloc_stats st;

	ck_assert_int_eq(kfree(&heap, NULL), 0);
	ck_assert_int_eq(kmalloc_init(&other, &pool_pages), 0);
	init_cache(&c, 64, 64);
	p = kmalloc(&heap, 64);
	q = kmalloc(&other, 64);
	r = slab_alloc(&c);
	ck_assert_int_eq(kfree(&heap, p + 1), -EINVAL);
	ck_assert_int_eq(kfree(&heap, p + 16), -EINVAL); /* a 16's offset */
	ck_assert_int_eq(kfree(&heap, q), -EINVAL);
	ck_assert_int_eq(kfree(&heap, r), -EINVAL);
	ck_assert_uint_eq(kmalloc_usable_size(&heap, q), 0);
	ck_assert_uint_eq(kmalloc_usable_size(&heap, r), 0);
	ck_assert_uint_eq(kmalloc_usable_size(&heap, p + 1), 0);
	ck_assert_uint_eq(kmalloc_usable_size(&heap, NULL), 0);
	ck_assert_int_eq(kfree(&heap, p), 0);
	ck_assert_int_eq(kfree(&heap, p), -EINVAL);
	ck_assert_uint_eq(kmalloc_usable_size(&heap, p), 0);
	kmalloc_stats(&heap, &st);
	ck_assert_uint_eq(st.objects, 0);
	ck_assert_int_eq(kfree(&other, q), 0);
	ck_assert_int_eq(slab_free(&c, r), 0);
	ck_assert_int_eq(kmalloc_check(&heap), 0);
	ck_assert_int_eq(kmalloc_check(&other), 0);
}
END_TEST

START_TEST(kmalloc_init_rejects_bad_pages)
{
	struct kmalloc_heap h;
	struct slab_pages none = {NULL, NULL, NULL};

	ck_assert_int_eq(kmalloc_init(&h, &none), -EINVAL);
	ck_assert_int_eq(kmalloc_init(&h, NULL), -EINVAL);
}
END_TEST

START_TEST(kzalloc_zeroes_a_dirty_page)
{
	/* The pool hands out pages full of 0xa5. */
	for (size_t size = 1; size <= KMALLOC_MAX; size = size * 3 + 1) {
		unsigned char *p = kzalloc(&heap, size);

		ck_assert_ptr_nonnull(p);
		for (size_t i = 0; i < size; i++)
			quick_assert_uint_eq(p[i], 0);
		memset(p, 0xee, size);
		ck_assert_int_eq(kfree(&heap, p), 0);
	}
}
END_TEST

START_TEST(kmalloc_stats_and_exhaustion)
{
	static void *objs[1024];
	struct kmalloc_stats st;
	size_t n = 0;

	pool.limit = 10;
	/* 2048-byte objects: one per page beside the header. */
	while ((objs[n] = kmalloc(&heap, 2000)) != NULL)
		n++;
	ck_assert_uint_eq(n, 10);
	kmalloc_stats(&heap, &st);
	ck_assert_uint_eq(st.objects, 10);
	ck_assert_uint_eq(st.bytes, 10 * 2048);
	ck_assert_uint_eq(st.pages, 10);
	/* Another class cannot grow either, until a page comes back. */
	ck_assert_ptr_null(kmalloc(&heap, 16));
	ck_assert_int_eq(kfree(&heap, objs[3]), 0);
	ck_assert_int_eq(kfree(&heap, objs[4]), 0);
	kmalloc_stats(&heap, &st);
	ck_assert_uint_eq(st.pages, 9); /* one empty slab kept */
	kmalloc_shrink(&heap);
	objs[3] = kmalloc(&heap, 16);
	objs[4] = kmalloc(&heap, 100);
	ck_assert_ptr_nonnull(objs[3]);
	ck_assert_ptr_nonnull(objs[4]);
	kmalloc_stats(&heap, &st);
	ck_assert_uint_eq(st.objects, 10);
	ck_assert_uint_eq(st.bytes, 8 * 2048 + 16 + 128);
	ck_assert_uint_eq(st.pages, 10);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(kfree(&heap, objs[i]), 0);
	kmalloc_shrink(&heap);
	kmalloc_stats(&heap, &st);
	ck_assert_uint_eq(st.objects + st.bytes + st.pages, 0);
	ck_assert_uint_eq(pool.outstanding, 0);
	ck_assert_uint_eq(pool.bad_frees, 0);
}
END_TEST

/*
 * The random run.  Owners 0..NCACHES-1 are slab caches, NCACHES is kmalloc.
 * Each live object is filled with bytes derived from a serial number no
 * other object shares, so two objects that overlap corrupt each other's
 * pattern and the check before free fails.
 */
#define NCACHES	 5
#define MAX_LIVE 3000

struct live {
	unsigned char *p;
	size_t size;
	int owner;
	uint64_t serial;
};

static struct live live[MAX_LIVE];

static unsigned char
pattern(uint64_t serial, size_t i)
{
	return (unsigned char)((serial >> (8 * (i % 8))) ^ (i * 7) ^ 0x3c);
}

static void
fill(const struct live *l)
{
	for (size_t i = 0; i < l->size; i++)
		l->p[i] = pattern(l->serial, i);
}

static void
verify(const struct live *l)
{
	for (size_t i = 0; i < l->size; i++)
		quick_assert_msg(l->p[i] == pattern(l->serial, i),
		    "object %ju byte %zu overwritten", (uintmax_t)l->serial, i);
}

struct run {
	struct slab_cache caches[NCACHES];
	size_t model[NCACHES + 1]; /* live objects per owner */
	size_t nlive, nulls;
	uint64_t serial, rng;
};

static const struct {
	size_t size, align;
} run_geometry[NCACHES] = {
    {8, 8},
    {24, 8},
    {100, 64},
    {640, 128},
    {3000, 16},
};

static void
run_alloc(struct run *r)
{
	int owner = (int)(test_rand(&r->rng) % (NCACHES + 1));
	struct live *l;
	size_t size;
	void *p;

	if (owner < NCACHES) {
		size = run_geometry[owner].size;
		p = slab_alloc(&r->caches[owner]);
	} else {
		size = 1 + test_rand(&r->rng) % KMALLOC_MAX;
		p = kmalloc(&heap, size);
	}
	if (p == NULL) {
		/* Only a dry page source may make an allocation fail. */
		quick_assert_uint_eq(pool.outstanding, pool.limit);
		r->nulls++;
		return;
	}
	l = &live[r->nlive++];
	*l = (struct live){p, size, owner, r->serial++};
	fill(l);
	r->model[owner]++;
}

static int
run_release(struct run *r, const struct live *l, void *p)
{
	if (l->owner < NCACHES)
		return slab_free(&r->caches[l->owner], p);
	return kfree(&heap, p);
}

static void
run_free(struct run *r)
{
	struct live *l = &live[test_rand(&r->rng) % r->nlive];

	verify(l);
	/* Now and then a bad pointer first, which must change nothing. */
	if (test_rand(&r->rng) % 16 == 0)
		quick_assert_int_eq(run_release(r, l, l->p + 1), -EINVAL);
	if (l->owner == NCACHES)
		quick_assert(kmalloc_usable_size(&heap, l->p) >= l->size);
	quick_assert_int_eq(run_release(r, l, l->p), 0);
	r->model[l->owner]--;
	*l = live[--r->nlive];
}

static void
run_check(const struct run *r)
{
	struct kmalloc_stats st;
	size_t pages = 0;

	for (int k = 0; k < NCACHES; k++) {
		quick_assert_int_eq(slab_check(&r->caches[k]), 0);
		quick_assert_uint_eq(r->caches[k].in_use, r->model[k]);
		pages += r->caches[k].nslabs;
	}
	quick_assert_int_eq(kmalloc_check(&heap), 0);
	kmalloc_stats(&heap, &st);
	quick_assert_uint_eq(st.objects, r->model[NCACHES]);
	quick_assert_uint_eq(pages + st.pages, pool.outstanding);
	for (size_t i = 0; i < r->nlive; i++)
		verify(&live[i]);
}

static void
run_step(struct run *r, int step)
{
	/* Alternate growing and draining phases of 4000 steps. */
	unsigned alloc_pct = (step / 4000) % 2 == 0 ? 70 : 35;
	uint64_t dice = test_rand(&r->rng) % 1000;

	if (dice < 3) {
		for (int k = 0; k < NCACHES; k++)
			slab_shrink(&r->caches[k]);
		kmalloc_shrink(&heap);
	} else if (r->nlive < MAX_LIVE &&
		   (r->nlive == 0 || dice % 100 < alloc_pct)) {
		run_alloc(r);
	} else {
		run_free(r);
	}
	if (step % 997 == 0)
		run_check(r);
}

START_TEST(random_caches_and_kmalloc_keep_objects_apart)
{
	static struct run r;

	r.rng = TEST_SEED;
	pool.limit = 400; /* low enough to run dry at the peaks */
	for (int k = 0; k < NCACHES; k++)
		init_cache(
		    &r.caches[k], run_geometry[k].size, run_geometry[k].align);
	for (int step = 0; step < 200000; step++)
		run_step(&r, step);
	run_check(&r);
	ck_assert_uint_gt(r.nulls, 0); /* the dry source was exercised */
	while (r.nlive > 0)
		run_free(&r);
	run_check(&r);
	for (int k = 0; k < NCACHES; k++)
		slab_shrink(&r.caches[k]);
	kmalloc_shrink(&heap);
	ck_assert_uint_eq(pool.outstanding, 0);
	ck_assert_uint_eq(pool.bad_frees, 0);
}
END_TEST

/* One cache, slab_check after every single operation. */
START_TEST(random_single_cache_checked_every_step)
{
	static void *objs[600];
	const size_t sizes[] = {16, 512, 2048};
	uint64_t rng = TEST_SEED ^ 0x5ab;

	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
		struct slab_cache c;
		size_t n = 0;

		init_cache(&c, sizes[s], sizes[s]);
		for (int step = 0; step < 20000; step++) {
			bool grow = (step / 1000) % 2 == 0;

			if (n < ARRAY_SIZE(objs) &&
			    (n == 0 ||
				test_rand(&rng) % 4 < (grow ? 3u : 1u))) {
				objs[n] = slab_alloc(&c);
				quick_assert(objs[n] != NULL);
				n++;
			} else {
				size_t i = test_rand(&rng) % n;

				quick_assert_int_eq(slab_free(&c, objs[i]), 0);
				objs[i] = objs[--n];
			}
			quick_assert_int_eq(slab_check(&c), 0);
			quick_assert_uint_eq(c.in_use, n);
			quick_assert(c.nempty <= 1);
			quick_assert_uint_eq(pool.outstanding, c.nslabs);
		}
		while (n > 0)
			quick_assert_int_eq(slab_free(&c, objs[--n]), 0);
		slab_shrink(&c);
		ck_assert_uint_eq(pool.outstanding, 0);
	}
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("slab");
	TCase *tc = tcase_create("slab");
	TCase *km = tcase_create("kmalloc");

	tcase_add_checked_fixture(tc, pool_setup, NULL);
	tcase_add_test(tc, init_rejects_bad_geometry);
	tcase_add_test(tc, largest_object_fills_a_page);
	tcase_add_test(tc, new_cache_takes_no_page);
	tcase_add_test(tc, objects_aligned_and_disjoint);
	tcase_add_test(tc, grows_one_page_per_full_slab);
	tcase_add_test(tc, free_everything_and_shrink_returns_every_page);
	tcase_add_test(tc, shrink_keeps_slabs_in_use);
	tcase_add_test(tc, exhausted_page_source_gives_null_then_recovers);
	tcase_add_test(tc, no_page_at_all);
	tcase_add_test(tc, misaligned_page_is_returned_and_refused);
	tcase_add_test(tc, free_of_misaligned_pointers_refused);
	tcase_add_test(tc, double_free_refused);
	tcase_add_test(tc, free_into_another_cache_refused);
	tcase_add_test(tc, free_of_foreign_memory_refused);
	tcase_add_test(tc, free_after_page_returned_refused);
	tcase_add_test(tc, check_catches_free_list_leaving_its_slab);
	tcase_add_test(tc, check_catches_free_object_in_use);
	tcase_add_test(tc, check_catches_free_list_loop);
	tcase_add_test(tc, check_catches_lost_free_objects);
	tcase_add_test(tc, check_catches_bad_counters);
	tcase_add_test(tc, random_single_cache_checked_every_step);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(km, heap_setup, NULL);
	tcase_add_test(km, kmalloc_size_class_boundaries);
	tcase_add_test(km, kmalloc_every_size_naturally_aligned);
	tcase_add_test(km, kfree_refuses_what_kmalloc_did_not_give);
	tcase_add_test(km, kmalloc_init_rejects_bad_pages);
	tcase_add_test(km, kzalloc_zeroes_a_dirty_page);
	tcase_add_test(km, kmalloc_stats_and_exhaustion);
	tcase_add_test(km, random_caches_and_kmalloc_keep_objects_apart);
	suite_add_tcase(s, km);
	return s;
}
