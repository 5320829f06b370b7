/*
 * The native heap: malloc, calloc, realloc and free for servers whose
 * tables grow with their clients (tmpfs's files, fat32's cache).
 *
 * The heap is one region of the program's own address space, carved into
 * 64 KiB slabs from a bump pointer; the region is backed by fresh zeroed
 * memory objects mapped 1 MiB (or one large request) at a time. A slab
 * holds either objects of one size class (16 .. 2048 bytes, powers of
 * two, on a free list per class) or is the first of a run of slabs for
 * one large allocation; slab_info says which, so free needs no header.
 * Freed large runs are kept on an address-ordered list, merged with
 * their neighbours, and reused best-fit. One thread:
 * servers are one event loop.
 */
#include <stddef.h>
#include <stdint.h>
#include <lichen/native.h>
#include <lichen/rt.h>
#include <lichen/string.h>

#define HEAP_BASE	0x100000000UL		/* 4 GiB: far above the program */
#define HEAP_SLABS	65536u			/* a 4 GiB region at most */
#define SLAB		65536UL
#define MAP_STEP	(16 * SLAB)		/* memory is mapped 1 MiB at a time */
#define MIN_SHIFT	4			/* 16 bytes */
#define NCLASSES	8			/* 16 .. 2048 */
#define SMALL_MAX	(1UL << (MIN_SHIFT + NCLASSES - 1))

/* slab_info: 0 free/unused, a class + 1 (1..NCLASSES), or LARGE | slabs. */
#define LARGE		0x80000000u
#define LARGE_CONT	0x40000000u		/* inside a large run, not its start */

static uint32_t slab_info[HEAP_SLABS];
static void *free_list[NCLASSES];
static uint64_t bump, mapped;			/* offsets from HEAP_BASE */
static handle_t self_vs;

struct free_run {
	struct free_run *next;
	uint64_t slabs;
};
static struct free_run *free_runs;

/* Makes the region [0, end) usable: maps what is missing. 0 or -errno. */
static long
heap_map_to(uint64_t end)
{
	uint64_t len;
	long mo, r;

	if (end <= mapped)
		return 0;
	if (end > (uint64_t)HEAP_SLABS * SLAB)
		return -12;				/* ENOMEM */
	if (self_vs == HANDLE_NONE) {
		if ((r = process_vmspace(0)) < 0)
			return r;
		self_vs = (handle_t)r;
	}
	len = (end - mapped + MAP_STEP - 1) / MAP_STEP * MAP_STEP;
	if ((mo = memobj_create(len)) < 0)
		return mo;
	r = vm_map(self_vs, HEAP_BASE + mapped, len, PROT_R | PROT_W, (handle_t)mo, 0);
	handle_close((handle_t)mo);			/* the mapping keeps the pages */
	if (r < 0)
		return r;
	mapped += len;
	return 0;
}

/* n fresh slabs from the bump pointer: the first one's index, or -1. */
static long
slabs_new(uint64_t n)
{
	uint64_t first = bump / SLAB;

	if (heap_map_to(bump + n * SLAB) != 0)
		return -1;
	bump += n * SLAB;
	return (long)first;
}

static void *
slab_addr(uint64_t i)
{
	return (void *)(HEAP_BASE + i * SLAB);
}

static unsigned
class_of(size_t size)
{
	unsigned c = 0;

	while ((1UL << (MIN_SHIFT + c)) < size)
		c++;
	return c;
}

static void *
small_alloc(unsigned c)
{
	size_t sz = 1UL << (MIN_SHIFT + c);
	void *p;

	if (free_list[c] == NULL) {
		long s = slabs_new(1);
		char *base;

		if (s < 0)
			return NULL;
		slab_info[s] = c + 1;
		base = slab_addr((uint64_t)s);
		for (size_t off = SLAB; off >= sz; off -= sz) {	/* lowest first out */
			*(void **)(base + off - sz) = free_list[c];
			free_list[c] = base + off - sz;
		}
	}
	p = free_list[c];
	free_list[c] = *(void **)p;
	return p;
}

static void *
large_alloc(size_t size)
{
	uint64_t n = (size + SLAB - 1) / SLAB;
	struct free_run **pp, **best = NULL, *run;
	uint64_t first;
	long s;

	for (pp = &free_runs; (run = *pp) != NULL; pp = &run->next)	/* best fit */
		if (run->slabs >= n && (best == NULL || run->slabs < (*best)->slabs))
			best = pp;
	if (best != NULL) {
		run = *best;
		first = ((uint64_t)run - HEAP_BASE) / SLAB;
		if (run->slabs > n) {			/* the tail stays free, in place */
			struct free_run *tail = slab_addr(first + n);

			tail->next = run->next;
			tail->slabs = run->slabs - n;
			*best = tail;
		} else {
			*best = run->next;
		}
		memset(run, 0, n * SLAB);		/* calloc relies on it */
	} else {
		if ((s = slabs_new(n)) < 0)
			return NULL;
		first = (uint64_t)s;
	}
	slab_info[first] = LARGE | (uint32_t)n;
	for (uint64_t i = 1; i < n; i++)
		slab_info[first + i] = LARGE_CONT;
	return slab_addr(first);
}

/* Puts a run back on the address-ordered list, merged with its neighbours. */
static void
run_free(struct free_run *run, uint64_t slabs)
{
	struct free_run **pp = &free_runs, *prev = NULL;

	while (*pp != NULL && *pp < run) {
		prev = *pp;
		pp = &prev->next;
	}
	run->slabs = slabs;
	run->next = *pp;
	*pp = run;
	if (run->next != NULL && (char *)run + run->slabs * SLAB == (char *)run->next) {
		run->slabs += run->next->slabs;
		run->next = run->next->next;
	}
	if (prev != NULL && (char *)prev + prev->slabs * SLAB == (char *)run) {
		prev->slabs += run->slabs;
		prev->next = run->next;
	}
}

void *
malloc(size_t size)
{
	if (size == 0)
		size = 1;
	if (size > (uint64_t)HEAP_SLABS * SLAB / 2)
		return NULL;
	return size <= SMALL_MAX ? small_alloc(class_of(size)) : large_alloc(size);
}

/* The usable size of p (a live allocation). */
static size_t
alloc_size(void *p)
{
	uint32_t info = slab_info[((uint64_t)p - HEAP_BASE) / SLAB];

	if (info & LARGE)
		return (size_t)(info & ~LARGE) * SLAB;
	return 1UL << (MIN_SHIFT + info - 1);
}

void
free(void *p)
{
	uint64_t i;
	uint32_t info;

	if (p == NULL)
		return;
	if ((uint64_t)p < HEAP_BASE || (uint64_t)p >= HEAP_BASE + bump) {
		printf("free: %p is not a heap pointer\n", p);
		native_exit(-22);
	}
	i = ((uint64_t)p - HEAP_BASE) / SLAB;
	info = slab_info[i];
	if (info & LARGE) {
		uint64_t n = info & ~LARGE;

		for (uint64_t k = 0; k < n; k++)
			slab_info[i + k] = 0;
		run_free(p, n);
		return;
	}
	/* Small objects come back dirty; calloc clears what it hands out. */
	*(void **)p = free_list[info - 1];
	free_list[info - 1] = p;
}

void *
calloc(size_t n, size_t size)
{
	void *p;

	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	if ((p = malloc(n * size)) != NULL && n * size <= SMALL_MAX)
		memset(p, 0, n * size);
	return p;
}

void *
realloc(void *p, size_t size)
{
	size_t have;
	void *q;

	if (p == NULL)
		return malloc(size);
	if (size == 0) {
		free(p);
		return NULL;
	}
	have = alloc_size(p);
	if (size <= have && (size > SMALL_MAX || have <= SMALL_MAX))
		return p;
	if ((q = malloc(size)) == NULL)
		return NULL;
	memcpy(q, p, have < size ? have : size);
	free(p);
	return q;
}
