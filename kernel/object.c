/*
 * Reference counting for kernel objects (object.h). The count is atomic,
 * so any CPU may take or drop references without a lock; the destructor
 * runs on whichever CPU drops the last one.
 */
#include <kernel.h>
#include <object.h>
#include <endpoint.h>

static uint64_t next_koid = 1;

static void (*const destructors[OBJ_NTYPES])(struct kobj *) = {
	[OBJ_PROCESS] = process_destroy,
	[OBJ_THREAD] = thread_destroy,
	[OBJ_VMSPACE] = vmspace_obj_destroy,
	[OBJ_MEMOBJ] = memobj_destroy,
	[OBJ_ENDPOINT] = endpoint_destroy,
	[OBJ_NOTIFY] = notify_destroy,
	[OBJ_IRQ] = irq_destroy,
	[OBJ_TIMER] = timer_destroy,
	[OBJ_REPLY] = reply_destroy,
	[OBJ_DEVICE] = device_destroy,
};

void
kobj_init(struct kobj *o, enum obj_type type)
{
	o->type = type;
	o->refs = 1;
	o->koid = __atomic_fetch_add(&next_koid, 1, __ATOMIC_RELAXED);
}

void
kobj_put(struct kobj *o)
{
	/* Read before letting go: once our reference is gone, o may be too. */
	uint32_t type = o->type, left;
	bool embedded_reply = type == OBJ_REPLY && container_of(o, struct reply, obj)->embedded;

	left = __atomic_sub_fetch(&o->refs, 1, __ATOMIC_ACQ_REL);
	if (left == 0)
		destructors[type](o);
	else if (left == 1 && embedded_reply)	/* its owner's base reference stays */
		reply_token_gone(container_of(o, struct reply, obj));
	else if (left == UINT32_MAX)
		panic("kobj_put: an object of type %u released twice", type);
}
