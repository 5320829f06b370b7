/*
 * What every native call starts with: a handle decoded into an object of
 * the right type with the right rights (a reference the call drops), and
 * a new object's first handle. Private to the syscall files.
 */
#ifndef SYSCALL_DECODE_H
#define SYSCALL_DECODE_H

#include <process.h>


static inline int
get_obj(handle_t h, enum obj_type type, uint32_t rights, struct kobj **o)
{
	return process_handle_get(process_current(), h, type, rights, o, NULL, NULL);
}

#define GET(h, type, rights, ptr, T) ({					\
	struct kobj *o_;						\
	int e_ = get_obj((handle_t)(h), (type), (rights), &o_);	\
	if (e_ == 0)							\
		(ptr) = container_of(o_, T, obj);			\
	e_; })

/* A new object's first handle: the creator's reference goes into the table. */
static inline long
new_handle(struct kobj *o, uint32_t rights)
{
	long h;

	if (o == NULL)
		return -ENOMEM;
	h = process_handle_add(process_current(), o, rights, 0);
	kobj_put(o);
	return h;
}

#define ARG(n)	(tf->x[n])

#endif
