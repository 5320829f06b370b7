/*
 * Reply tokens (struct reply in kmsg.h; docs/ipc.md): one-shot, answered
 * once by ipc_reply or by the kernel with -EPIPE when the last token
 * reference goes unanswered. A call uses the reply embedded in the
 * calling thread whenever no earlier token of it is alive.
 */
#include <lichen/errno.h>
#include <lichen/string.h>
#include <arch/memlayout.h>
#include <arch/trap.h>
#include <endpoint.h>
#include <kernel.h>
#include <pmm.h>
#include <process.h>
#include <thread.h>
#include <uaccess.h>


void
reply_init_embedded(struct reply *r, struct thread *t)
{
	kobj_init(&r->obj, OBJ_REPLY);		/* the thread's base reference */
	r->caller = t;
	r->ep = NULL;
	r->cookie = 0;
	r->answered = true;
	r->embedded = true;
	r->idle = true;
}

/* The token for a call by t: its embedded reply if free, else a new one. */
struct reply *
reply_for_call(struct thread *t)
{
	struct reply *r = &t->call_obj;

	if (!__atomic_load_n(&r->idle, __ATOMIC_ACQUIRE))
		return reply_create(t, NULL, 0);
	r->idle = false;
	r->answered = false;
	kobj_get(&r->obj);			/* the token's reference */
	kobj_get(&t->obj);			/* which keeps t (and r in it) alive */
	return r;
}

void
reply_token_gone(struct reply *r)
{
	struct thread *t = r->caller;

	if (!r->embedded)
		return;
	if (!r->answered) {
		struct kmsg m = { .label = LABEL_ERROR, .status = -EPIPE };

		m.w[0] = (uint64_t)-EPIPE;
		reply_answer(r, &m, NULL);
	}
	__atomic_store_n(&r->idle, true, __ATOMIC_RELEASE);
	kobj_put(&t->obj);			/* may free t, and r with it */
}

struct reply *
reply_create(struct thread *caller, struct endpoint *ep, uint64_t cookie)
{
	struct reply *r = kmem_alloc(sizeof(*r));

	if (r == NULL)
		return NULL;
	kobj_init(&r->obj, OBJ_REPLY);
	r->caller = caller;
	r->ep = ep;
	r->cookie = cookie;
	r->answered = false;
	r->embedded = false;
	r->idle = false;
	if (caller != NULL)
		kobj_get(&caller->obj);
	if (ep != NULL)
		kobj_get(&ep->obj);
	return r;
}

/*
 * Deliver the answer m (consumed) for r. A call's thread gets it in its
 * slot; with handoff non-NULL it is returned there asleep instead of woken.
 */
void
reply_answer(struct reply *r, struct kmsg *m, struct thread **handoff)
{
	if (handoff != NULL)
		*handoff = NULL;
	if (r->answered) {		/* cannot happen: tokens are never copied */
		kmsg_release(m);
		return;
	}
	r->answered = true;
	if (r->caller != NULL) {
		struct thread *t = r->caller;
		uint64_t flags = spin_lock_irqsave(&t->ipc_lock);

		if (t->call_reply == r) {
			kmsg_copy(&t->ipc_slot, m);
			t->ipc_got = &t->ipc_slot;
			t->call_reply = NULL;
			if (handoff != NULL) {
				kobj_get(&t->obj);	/* as in endpoint_post */
				*handoff = t;
			} else
				thread_wake(t);
			spin_unlock_irqrestore(&t->ipc_lock, flags);
			return;
		}
		spin_unlock_irqrestore(&t->ipc_lock, flags);
		kmsg_release(m);	/* the caller gave up (killed) */
		return;
	}
	m->badge = r->cookie;
	if (endpoint_post(r->ep, m, false, NULL) != 0)
		kmsg_release(m);
}

void
reply_destroy(struct kobj *o)
{
	struct reply *r = container_of(o, struct reply, obj);

	if (!r->answered) {
		struct kmsg m = { .label = LABEL_ERROR, .status = -EPIPE };

		m.w[0] = (uint64_t)-EPIPE;
		reply_answer(r, &m, NULL);
	}
	if (r->caller != NULL)
		kobj_put(&r->caller->obj);
	if (r->ep != NULL)
		kobj_put(&r->ep->obj);
	kmem_free(r);
}

