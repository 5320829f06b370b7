/*
 * Kernel objects: everything a handle can name (lichen/ipc.h lists the
 * types) starts with a struct kobj, a type and a reference count. Handles,
 * messages in flight and the kernel's own pointers each hold a reference;
 * the last kobj_put destroys the object through its type's destructor.
 */
#ifndef OBJECT_H
#define OBJECT_H

#include <stdbool.h>
#include <stdint.h>
#include <lichen/ipc.h>

struct kobj {
	uint32_t type;		/* enum obj_type */
	uint32_t refs;		/* atomic */
	uint64_t koid;		/* unique while the kernel runs */
};

/* One reference, held by the caller. */
void kobj_init(struct kobj *o, enum obj_type type);

static inline void
kobj_get(struct kobj *o)
{
	__atomic_fetch_add(&o->refs, 1, __ATOMIC_RELAXED);
}

/* A reference unless the count already reached zero (the object is going). */
static inline bool
kobj_tryget(struct kobj *o)
{
	uint32_t n = __atomic_load_n(&o->refs, __ATOMIC_RELAXED);

	while (n != 0)
		if (__atomic_compare_exchange_n(&o->refs, &n, n + 1, true,
		    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return true;
	return false;
}

/* Drop a reference; the last one destroys the object (may sleep: no spinlock held). */
void kobj_put(struct kobj *o);

/* The destructors kobj_put calls, one per type (in each object's file). */
void process_destroy(struct kobj *o);
void thread_destroy(struct kobj *o);
void vmspace_obj_destroy(struct kobj *o);
void memobj_destroy(struct kobj *o);
void endpoint_destroy(struct kobj *o);
void notify_destroy(struct kobj *o);
void irq_destroy(struct kobj *o);
void timer_destroy(struct kobj *o);
void reply_destroy(struct kobj *o);
void device_destroy(struct kobj *o);

#endif
