/*
 * slab.h - object caches over 4 KiB pages, and kmalloc on top of them.
 *
 * A slab is one page: a struct slab header at its start, then equal-sized
 * objects.  Any object's slab is therefore its address rounded down to the
 * page, which is how slab_free and kfree find the header (and, through it,
 * the cache) without a lookup table.  Pages come from the caller's struct
 * slab_pages; nothing here knows about physical memory or mappings.
 *
 * A cache keeps its slabs on three lists (full, partial, empty) and holds
 * at most one empty slab in reserve; slab_shrink gives that one back too.
 * No locking: the owner of a cache (or heap) serialises every call on it.
 *
 * kmalloc serves 1..KMALLOC_MAX bytes from power-of-two size classes
 * (16 .. 2048), each naturally aligned.  Anything larger is a whole-page
 * allocation and belongs to the page allocator, so kmalloc refuses it.
 * Because the header shares the page, the 2048 class fits one object per
 * page and the 1024 class three.
 */
#ifndef LICHEN_SLAB_H
#define LICHEN_SLAB_H

#include <stddef.h>
#include <stdint.h>

#include <lichen/list.h>

#define SLAB_PAGE_SIZE 4096

/*
 * Where slabs come from.  alloc_page returns one page-aligned page (its
 * contents need not be zero) or NULL when it has none; free_page takes back
 * a page alloc_page returned.  ctx is passed to both.
 */
struct slab_pages {
	void *(*alloc_page)(void *ctx);
	void (*free_page)(void *ctx, void *page);
	void *ctx;
};

/*
 * One cache of same-sized objects.  Fields are read-only outside slab.c;
 * the counters may be read for statistics.  nslabs is also the number of
 * pages the cache holds, since each slab is one page.
 */
struct slab_cache {
	const char *name;	  /* not copied: must outlive the cache */
	size_t size;		  /* as given to slab_cache_init */
	size_t stride;		  /* distance between objects, >= size */
	size_t first;		  /* offset of object 0 in its page */
	size_t per_slab;	  /* objects in one slab */
	struct slab_pages pages;  /* a copy of the caller's */
	struct list_node full;	  /* slabs with no free object */
	struct list_node partial; /* slabs with some objects in use */
	struct list_node empty;	  /* at most one slab with none in use */
	size_t in_use;		  /* objects allocated and not freed */
	size_t nslabs;		  /* slabs (= pages) on the three lists */
	size_t nempty;		  /* slabs on the empty list: 0 or 1 */
};

/*
 * Sets up an empty cache of objects of size bytes aligned to align (a power
 * of two; objects are in any case aligned to at least sizeof(void *)).
 * Takes no page yet.  Returns 0, or -EINVAL when size is 0, align is not a
 * power of two, or one object does not fit in a page beside the header.
 */
int slab_cache_init(struct slab_cache *c, const char *name, size_t size,
    size_t align, const struct slab_pages *pages);

/*
 * An object of c (contents undefined), or NULL when c has no free object
 * and the page source has no page.  Never panics.
 */
void *slab_alloc(struct slab_cache *c);

/*
 * Returns obj to c.  Returns 0, or -EINVAL, changing nothing, when obj is
 * NULL, not inside one of c's slabs, not at the start of an object, or
 * already free.  The check reads the header at the start of obj's page, so
 * obj must at least point at readable memory.
 */
int slab_free(struct slab_cache *c, void *obj);

/* Gives every empty slab's page back to the page source. */
void slab_shrink(struct slab_cache *c);

/*
 * Checks c's invariants: every slab belongs to c and sits on the list its
 * count says; each free list stays inside its slab on object boundaries,
 * has no loop and no object that is also in use; the cache's counters
 * match the slabs.  Returns 0, or -EIO at the first violation.
 */
int slab_check(const struct slab_cache *c);

/* The usable size of each of c's objects (the stride, at least size). */
static inline size_t
slab_object_size(const struct slab_cache *c)
{
	return c->stride;
}

/* kmalloc's size classes: 16 << 0 .. 16 << (KMALLOC_NCLASSES - 1). */
#define KMALLOC_MIN_SHIFT 4
#define KMALLOC_NCLASSES  8
#define KMALLOC_MIN	  ((size_t)1 << KMALLOC_MIN_SHIFT)
#define KMALLOC_MAX	  (KMALLOC_MIN << (KMALLOC_NCLASSES - 1))

struct kmalloc_heap {
	struct slab_cache classes[KMALLOC_NCLASSES];
};

struct kmalloc_stats {
	size_t objects; /* allocations not yet freed */
	size_t bytes;	/* their usable (size-class) bytes */
	size_t pages;	/* pages held by all the classes, free space too */
};

/* Sets up h's empty classes.  Returns 0, or -EINVAL for a bad pages. */
int kmalloc_init(struct kmalloc_heap *h, const struct slab_pages *pages);

/*
 * size bytes (rounded up to a size class, aligned to that class's size),
 * or NULL when size is 0, size > KMALLOC_MAX, or no page is left.
 */
void *kmalloc(struct kmalloc_heap *h, size_t size);

/* kmalloc, with the size bytes zeroed. */
void *kzalloc(struct kmalloc_heap *h, size_t size);

/*
 * Frees p, which kmalloc on h returned.  kfree(h, NULL) is 0.  Returns
 * -EINVAL, changing nothing, for a pointer that is not a live kmalloc
 * object of h (as for slab_free, p's page must be readable).
 */
int kfree(struct kmalloc_heap *h, void *p);

/* The bytes usable at p (its size class), or 0 if p is not live in h. */
size_t kmalloc_usable_size(const struct kmalloc_heap *h, const void *p);

void kmalloc_stats(const struct kmalloc_heap *h, struct kmalloc_stats *st);

/* slab_shrink on every class. */
void kmalloc_shrink(struct kmalloc_heap *h);

/* slab_check on every class: 0 or -EIO. */
int kmalloc_check(const struct kmalloc_heap *h);

#endif /* LICHEN_SLAB_H */
