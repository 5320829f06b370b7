/*
 * slab.c - object caches (slab_*) and the kmalloc size classes over them.
 *
 * Each slab is one page from the cache's struct slab_pages: a struct slab
 * header, then per_slab objects stride bytes apart starting at `first`.
 * Free objects are chained through their first word (the free list); a
 * bitmap in the header marks the objects in use.  The two are redundant on
 * purpose: the bitmap makes a double or stray free an O(1) -EINVAL instead
 * of a corrupt free list, and slab_check can compare them.
 *
 * Callers: the kernel's heap (kmalloc) and any subsystem that wants a cache
 * of its own objects.  The owner serialises access; see <lichen/slab.h>.
 */
#include <stdbool.h>

#include <lichen/align.h>
#include <lichen/bitmap.h>
#include <lichen/compiler.h>
#include <lichen/errno.h>
#include <lichen/slab.h>
#include <lichen/string.h>

/* The most objects a slab can hold: every object is >= sizeof(void *). */
#define SLAB_MAX_OBJECTS (SLAB_PAGE_SIZE / sizeof(void *))

struct slab {
	struct slab_cache *cache; /* NULL once the page is given back */
	void *free;		  /* first free object, or NULL */
	size_t in_use;		  /* objects allocated from this slab */
	struct list_node link;	  /* on the cache's full/partial/empty list */
	uint64_t used[BITMAP_WORDS(SLAB_MAX_OBJECTS)]; /* bit i: object i */
};

static_assert(sizeof(struct slab) <= SLAB_PAGE_SIZE / 16,
    "the slab header should stay small beside its objects");

static struct slab *
slab_of(const void *obj)
{
	return (struct slab *)ALIGN_DOWN((uintptr_t)obj, SLAB_PAGE_SIZE);
}

static void *
slab_object(const struct slab_cache *c, struct slab *s, size_t i)
{
	return (char *)s + c->first + i * c->stride;
}

/*
 * Sets *index to obj's index in s, which must be a slab of c.  Returns 0,
 * or -EINVAL if s is not c's or obj is not at the start of one of its
 * objects.  Reads only s's header.
 */
static int
slab_index(const struct slab_cache *c, const struct slab *s, const void *obj,
    size_t *index)
{
	uintptr_t off = (uintptr_t)obj - (uintptr_t)s;

	if (s->cache != c || off < c->first || (off - c->first) % c->stride)
		return -EINVAL;
	off = (off - c->first) / c->stride;
	if (off >= c->per_slab)
		return -EINVAL;
	*index = off;
	return 0;
}

/* True when obj is an allocated object of c. */
static bool
slab_is_live(const struct slab_cache *c, const void *obj)
{
	struct slab *s = slab_of(obj);
	size_t i;

	return obj != NULL && slab_index(c, s, obj, &i) == 0 &&
	       bitmap_test(s->used, i);
}

/*
 * The list a slab with in_use objects allocated belongs on.  Takes a const
 * cache so slab_check can ask too; the lists themselves are c's to change.
 */
static struct list_node *
slab_list_for(const struct slab_cache *c, size_t in_use)
{
	if (in_use == 0)
		return (struct list_node *)&c->empty;
	if (in_use == c->per_slab)
		return (struct list_node *)&c->full;
	return (struct list_node *)&c->partial;
}

static void
slab_relist(struct slab_cache *c, struct slab *s)
{
	list_remove(&s->link);
	list_add_head(slab_list_for(c, s->in_use), &s->link);
}

int
slab_cache_init(struct slab_cache *c, const char *name, size_t size,
    size_t align, const struct slab_pages *pages)
{
	size_t stride;

	if (size == 0 || size > SLAB_PAGE_SIZE || !is_pow2(align) ||
	    align > SLAB_PAGE_SIZE)
		return -EINVAL;
	if (pages == NULL || pages->alloc_page == NULL ||
	    pages->free_page == NULL)
		return -EINVAL;
	if (align < sizeof(void *))
		align = sizeof(void *);
	stride = ALIGN_UP(size < sizeof(void *) ? sizeof(void *) : size, align);
	c->first = ALIGN_UP(sizeof(struct slab), align);
	if (c->first + stride > SLAB_PAGE_SIZE)
		return -EINVAL;
	c->name = name;
	c->size = size;
	c->stride = stride;
	c->per_slab = (SLAB_PAGE_SIZE - c->first) / stride;
	c->pages = *pages;
	list_init(&c->full);
	list_init(&c->partial);
	list_init(&c->empty);
	c->in_use = 0;
	c->nslabs = 0;
	c->nempty = 0;
	return 0;
}

/*
 * Takes a page from the page source and makes it an empty slab of c, or
 * returns NULL.  A page that is not page-aligned would break slab_of(), so
 * it goes straight back and counts as no page.
 */
static struct slab *
slab_grow(struct slab_cache *c)
{
	struct slab *s = c->pages.alloc_page(c->pages.ctx);

	if (s == NULL)
		return NULL;
	if (unlikely(!IS_ALIGNED((uintptr_t)s, SLAB_PAGE_SIZE))) {
		c->pages.free_page(c->pages.ctx, s);
		return NULL;
	}
	s->cache = c;
	s->in_use = 0;
	LK_NAME(memset)(s->used, 0, sizeof(s->used));
	s->free = NULL;
	for (size_t i = c->per_slab; i-- > 0;) {
		void **obj = slab_object(c, s, i);

		*obj = s->free;
		s->free = obj;
	}
	list_add_head(&c->empty, &s->link);
	c->nslabs++;
	c->nempty++;
	return s;
}

/* Unlinks s and hands its page back; the caller fixes c->nempty. */
static void
slab_release(struct slab_cache *c, struct slab *s)
{
	list_remove(&s->link);
	s->cache = NULL; /* a stale free into this page now fails */
	c->nslabs--;
	c->pages.free_page(c->pages.ctx, s);
}

void *
slab_alloc(struct slab_cache *c)
{
	struct slab *s;
	void **obj;
	size_t i;

	s = list_first_entry(&c->partial, struct slab, link);
	if (s == NULL)
		s = list_first_entry(&c->empty, struct slab, link);
	if (s == NULL && (s = slab_grow(c)) == NULL)
		return NULL;
	obj = s->free;
	s->free = *obj;
	i = ((uintptr_t)obj - (uintptr_t)s - c->first) / c->stride;
	bitmap_set(s->used, i);
	if (s->in_use++ == 0)
		c->nempty--;
	c->in_use++;
	if (s->in_use == 1 || s->in_use == c->per_slab)
		slab_relist(c, s);
	return obj;
}

int
slab_free(struct slab_cache *c, void *obj)
{
	struct slab *s = slab_of(obj);
	size_t i;

	if (obj == NULL || slab_index(c, s, obj, &i) != 0 ||
	    !bitmap_test(s->used, i))
		return -EINVAL;
	bitmap_clear(s->used, i);
	*(void **)obj = s->free;
	s->free = obj;
	c->in_use--;
	if (--s->in_use == 0 && c->nempty > 0) {
		/* Keep one empty slab in reserve, no more. */
		slab_release(c, s);
	} else if (s->in_use == 0) {
		c->nempty++;
		slab_relist(c, s);
	} else if (s->in_use == c->per_slab - 1) {
		slab_relist(c, s);
	}
	return 0;
}

void
slab_shrink(struct slab_cache *c)
{
	struct slab *s, *tmp;

	list_for_each_entry_safe(s, tmp, &c->empty, link)
		slab_release(c, s);
	c->nempty = 0;
}

/*
 * One slab's own consistency: header, bitmap and free list.  The free list
 * is followed only from entries already shown to be objects of s, and each
 * object is visited once, so a corrupt link or a loop is reported rather
 * than followed.
 */
static int
slab_check_one(const struct slab_cache *c, struct slab *s)
{
	uint64_t seen[BITMAP_WORDS(SLAB_MAX_OBJECTS)] = {0};
	size_t nfree = 0, i;
	void **obj;

	if (!IS_ALIGNED((uintptr_t)s, SLAB_PAGE_SIZE) || s->cache != c ||
	    s->in_use > c->per_slab)
		return -EIO;
	if (bitmap_count(s->used, SLAB_MAX_OBJECTS) != s->in_use ||
	    bitmap_find_next_set(s->used, SLAB_MAX_OBJECTS, c->per_slab) !=
		SLAB_MAX_OBJECTS)
		return -EIO;
	for (obj = s->free; obj != NULL; obj = *obj, nfree++) {
		if (slab_index(c, s, obj, &i) != 0)
			return -EIO;
		/* Free and in use at once, or a loop. */
		if (bitmap_test(s->used, i) || bitmap_test(seen, i))
			return -EIO;
		bitmap_set(seen, i);
	}
	return nfree == c->per_slab - s->in_use ? 0 : -EIO;
}

/*
 * Checks every slab on list head, adding to the running totals.  Stops at
 * more slabs than c claims, so a looping list cannot hang the check.
 */
static int
slab_check_list(const struct slab_cache *c, const struct list_node *head,
    size_t *nslabs, size_t *in_use)
{
	const struct list_node *n;

	for (n = head->next; n != head; n = n->next) {
		struct slab *s = list_entry(n, struct slab, link);

		if (++*nslabs > c->nslabs || n->next->prev != n)
			return -EIO;
		if (slab_check_one(c, s) != 0 ||
		    slab_list_for(c, s->in_use) != head)
			return -EIO;
		*in_use += s->in_use;
	}
	return 0;
}

int
slab_check(const struct slab_cache *c)
{
	size_t nslabs = 0, in_use = 0, nempty;

	if (c->per_slab == 0 || c->per_slab > SLAB_MAX_OBJECTS ||
	    c->first + c->per_slab * c->stride > SLAB_PAGE_SIZE)
		return -EIO;
	if (slab_check_list(c, &c->empty, &nslabs, &in_use) != 0)
		return -EIO;
	nempty = nslabs;
	if (slab_check_list(c, &c->partial, &nslabs, &in_use) != 0 ||
	    slab_check_list(c, &c->full, &nslabs, &in_use) != 0)
		return -EIO;
	if (nslabs != c->nslabs || in_use != c->in_use || nempty != c->nempty ||
	    nempty > 1)
		return -EIO;
	return 0;
}

/* kmalloc: one cache per power-of-two class, each naturally aligned. */

static const char *const kmalloc_names[KMALLOC_NCLASSES] = {
    "kmalloc-16",
    "kmalloc-32",
    "kmalloc-64",
    "kmalloc-128",
    "kmalloc-256",
    "kmalloc-512",
    "kmalloc-1024",
    "kmalloc-2048",
};

/* The class serving size bytes, or -1 when kmalloc does not serve it. */
static int
kmalloc_class(size_t size)
{
	if (size == 0 || size > KMALLOC_MAX)
		return -1;
	if (size <= KMALLOC_MIN)
		return 0;
	return ilog2_floor(size - 1) + 1 - KMALLOC_MIN_SHIFT;
}

/* The class whose cache p's slab header names, or -1. */
static int
kmalloc_class_of(const struct kmalloc_heap *h, const void *p)
{
	const struct slab *s = slab_of(p);

	for (int k = 0; k < KMALLOC_NCLASSES; k++) {
		if (s->cache == &h->classes[k])
			return k;
	}
	return -1;
}

int
kmalloc_init(struct kmalloc_heap *h, const struct slab_pages *pages)
{
	for (int k = 0; k < KMALLOC_NCLASSES; k++) {
		size_t size = KMALLOC_MIN << k;
		int err;

		err = slab_cache_init(
		    &h->classes[k], kmalloc_names[k], size, size, pages);
		if (err != 0)
			return err;
	}
	return 0;
}

void *
kmalloc(struct kmalloc_heap *h, size_t size)
{
	int k = kmalloc_class(size);

	return k < 0 ? NULL : slab_alloc(&h->classes[k]);
}

void *
kzalloc(struct kmalloc_heap *h, size_t size)
{
	void *p = kmalloc(h, size);

	if (p != NULL)
		LK_NAME(memset)(p, 0, size);
	return p;
}

int
kfree(struct kmalloc_heap *h, void *p)
{
	int k;

	if (p == NULL)
		return 0;
	k = kmalloc_class_of(h, p);
	return k < 0 ? -EINVAL : slab_free(&h->classes[k], p);
}

size_t
kmalloc_usable_size(const struct kmalloc_heap *h, const void *p)
{
	int k;

	if (p == NULL || (k = kmalloc_class_of(h, p)) < 0 ||
	    !slab_is_live(&h->classes[k], p))
		return 0;
	return h->classes[k].stride;
}

void
kmalloc_stats(const struct kmalloc_heap *h, struct kmalloc_stats *st)
{
	st->objects = 0;
	st->bytes = 0;
	st->pages = 0;
	for (int k = 0; k < KMALLOC_NCLASSES; k++) {
		const struct slab_cache *c = &h->classes[k];

		st->objects += c->in_use;
		st->bytes += c->in_use * c->stride;
		st->pages += c->nslabs;
	}
}

void
kmalloc_shrink(struct kmalloc_heap *h)
{
	for (int k = 0; k < KMALLOC_NCLASSES; k++)
		slab_shrink(&h->classes[k]);
}

int
kmalloc_check(const struct kmalloc_heap *h)
{
	for (int k = 0; k < KMALLOC_NCLASSES; k++) {
		if (slab_check(&h->classes[k]) != 0)
			return -EIO;
	}
	return 0;
}
