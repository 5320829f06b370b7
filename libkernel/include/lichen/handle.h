/*
 * <lichen/handle.h> - a process's handle table: small integers naming
 * kernel objects, each with rights, a type and a badge.
 *
 * The table stores an opaque object pointer per slot and knows nothing of
 * what it points to: the caller takes and drops object references around
 * these calls. No locking: the kernel wraps each table in the process's
 * lock. The slot array comes from the owner's alloc callback and grows by
 * doubling (copying) up to max slots; an allocation failure changes
 * nothing.
 *
 * A handle value is (gen << 16) | (index + 1). The low half is never 0,
 * so no value is 0 whatever the generation (HANDLE_NONE is never valid).
 * A slot's gen is bumped when it is freed, so an old handle to a reused
 * slot fails with -EBADF, until the 16-bit gen wraps: a slot must be
 * freed and refilled 65536 times for a stale value to name a live slot
 * again. Free slots are reused most recently freed first.
 */
#ifndef LICHEN_HANDLE_H
#define LICHEN_HANDLE_H

#include <stddef.h>
#include <stdint.h>

/*
 * libipc's <lichen/ipc.h> has the same typedef and HANDLE_NONE; C11 allows
 * the identical repetition, so the two headers mix in either order.
 */
#ifndef LICHEN_HANDLE_T_DEFINED
#define LICHEN_HANDLE_T_DEFINED
typedef uint32_t handle_t;
#endif
#ifndef HANDLE_NONE
#define HANDLE_NONE 0u
#endif

#define HTABLE_MAX	 65535u	     /* slots: indexes 0..65534 */
#define HTABLE_MIN_SLOTS 16u	     /* the first allocation */
#define HTABLE_NIL	 0xffffffffu /* the end of the free list */

struct hslot {
	void *obj; /* NULL: free */
	uint32_t rights;
	uint16_t type; /* the object's type, opaque (0 = none) */
	uint16_t gen;  /* bumped when the slot is freed */
	uint64_t badge;
	uint32_t next_free; /* free-list link while free */
};

struct htable {
	struct hslot *slots;
	uint32_t cap;	    /* slots allocated */
	uint32_t count;	    /* slots used */
	uint32_t max;	    /* the most cap may grow to, <= HTABLE_MAX */
	uint32_t free_head; /* a free slot's index, or HTABLE_NIL */
	uint32_t drain_pos; /* no used slot below this index */
	void *(*alloc)(void *ctx, size_t bytes); /* NULL on failure */
	void (*free)(void *ctx, void *p);
	void *ctx;
};

/*
 * An empty table that may grow to max slots (1..HTABLE_MAX, else
 * -EINVAL); nothing is allocated until the first insert.
 */
int htable_init(struct htable *t, uint32_t max,
    void *(*alloc_fn)(void *ctx, size_t bytes),
    void (*free_fn)(void *ctx, void *p), void *ctx);

/*
 * Stores obj (not NULL, else -EINVAL) in a free slot, growing the array
 * if there is none: the new handle (> 0), or -EMFILE when max slots are
 * in use, or -ENOMEM when growing failed (the table is unchanged).
 * Handles may exceed INT32_MAX: keep them in a handle_t or a long.
 */
long htable_insert(struct htable *t, void *obj, uint16_t type, uint32_t rights,
    uint64_t badge);

/*
 * The live slot h names, in *out (valid until the table next changes).
 * Checked in this order: -EBADF if h is HANDLE_NONE, out of range, free
 * or stale; -EINVAL if type is not 0 and differs from the slot's; -EACCES
 * unless the slot has every bit of rights.
 */
int htable_get(const struct htable *t, handle_t h, uint16_t type,
    uint32_t rights, struct hslot **out);

/*
 * Frees the slot h names and copies what it held into *out, so the caller
 * can drop the object's reference after unlocking: 0, or -EBADF as for
 * htable_get.
 */
int htable_remove(struct htable *t, handle_t h, struct hslot *out);

/*
 * For process teardown: frees some used slot and returns its object (the
 * slot copied into *out), or NULL when the table is empty. Emptying a
 * table this way costs O(cap) in all.
 */
void *htable_drain(struct htable *t, struct hslot *out);

/* Frees the slot array; the table must be empty. */
void htable_destroy(struct htable *t);

uint32_t htable_count(const struct htable *t);

#endif /* LICHEN_HANDLE_H */
