/*
 * Processes: handle tables, threads and exit (process.h).
 *
 * Locking: p->lock guards the handle table, the thread list and the exit
 * state; it is a leaf lock except for the scheduler locks thread_wake
 * takes. Object references are dropped after it is released, because a
 * destructor may take other locks (an endpoint's, answering tokens).
 */
#include <lichen/errno.h>
#include <lichen/string.h>
#include <endpoint.h>
#include <event.h>
#include <kernel.h>
#include <pmm.h>
#include <process.h>
#include <vmspace.h>

static uint32_t next_pid = 1;

static void *
table_alloc(void *ctx, size_t bytes)
{
	(void)ctx;
	return bytes <= 2048 ? kmem_alloc(bytes) : NULL;
}

static void
table_free(void *ctx, void *p)
{
	(void)ctx;
	kmem_free(p);
}

struct process *
process_create(const char *name, size_t len, struct endpoint *personality)
{
	struct process *p = kmem_zalloc(sizeof(*p));

	if (p == NULL)
		return NULL;
	p->vs = vmspace_create();
	if (p->vs == NULL) {
		kmem_free(p);
		return NULL;
	}
	kobj_init(&p->obj, OBJ_PROCESS);
	p->lock = (struct spinlock)SPINLOCK_INIT;
	htable_init(&p->handles, PROCESS_MAX_HANDLES, table_alloc, table_free, NULL);
	list_init(&p->threads);
	waitq_init(&p->exitq);
	p->pid = __atomic_fetch_add(&next_pid, 1, __ATOMIC_RELAXED);
	if (len >= sizeof(p->name))
		len = sizeof(p->name) - 1;
	memcpy(p->name, name, len);
	p->name[len] = '\0';
	if (personality != NULL) {
		kobj_get(&personality->obj);
		p->personality = personality;
	}
	return p;
}

void
kobj_rights_hold(struct kobj *o, uint32_t rights, int delta)
{
	if (o->type == OBJ_ENDPOINT && (rights & RIGHT_RECV))
		endpoint_recv_changed(container_of(o, struct endpoint, obj), delta);
	else if (o->type == OBJ_TIMER)
		timer_holds_changed(container_of(o, struct event, obj), delta);
}

long
process_handle_add(struct process *p, struct kobj *o, uint32_t rights,
    uint64_t badge)
{
	uint64_t flags;
	long h;

	kobj_get(o);
	kobj_rights_hold(o, rights, +1);
	flags = spin_lock_irqsave(&p->lock);
	h = p->exiting ? -ESRCH : htable_insert(&p->handles, o, (uint16_t)o->type,
	    rights, badge);
	spin_unlock_irqrestore(&p->lock, flags);
	if (h < 0) {
		kobj_rights_hold(o, rights, -1);
		kobj_put(o);
	}
	return h;
}

int
process_handle_get(struct process *p, handle_t h, enum obj_type type,
    uint32_t rights, struct kobj **o, uint32_t *rights_out, uint64_t *badge)
{
	uint64_t flags = spin_lock_irqsave(&p->lock);
	struct hslot *s;
	int err = htable_get(&p->handles, h, (uint16_t)type, rights, &s);

	if (err == 0) {
		*o = s->obj;
		kobj_get(*o);
		if (rights_out != NULL)
			*rights_out = s->rights;
		if (badge != NULL)
			*badge = s->badge;
	}
	spin_unlock_irqrestore(&p->lock, flags);
	return err;
}

static void
slot_release(struct hslot *s)
{
	kobj_rights_hold(s->obj, s->rights, -1);
	kobj_put(s->obj);
}

int
process_handle_close(struct process *p, handle_t h)
{
	uint64_t flags = spin_lock_irqsave(&p->lock);
	struct hslot s;
	int err = htable_remove(&p->handles, h, &s);

	spin_unlock_irqrestore(&p->lock, flags);
	if (err == 0)
		slot_release(&s);
	return err;
}

int
process_handle_take(struct process *p, handle_t h, enum obj_type type,
    struct kobj **o)
{
	uint64_t flags = spin_lock_irqsave(&p->lock);
	struct hslot *s;
	struct hslot copy;
	int err = htable_get(&p->handles, h, (uint16_t)type, 0, &s);

	if (err == 0)
		htable_remove(&p->handles, h, &copy);
	spin_unlock_irqrestore(&p->lock, flags);
	if (err == 0) {
		kobj_rights_hold(copy.obj, copy.rights, -1);
		*o = copy.obj;		/* the table's reference is now the caller's */
	}
	return err;
}

int
process_attach_thread(struct process *p, struct thread *t)
{
	uint64_t flags = spin_lock_irqsave(&p->lock);
	/* Checked and marked under the lock: a thread starts once. */
	int err = p->exiting ? -ESRCH : t->exitq != NULL || t->state != THREAD_NEW ?
	    -EBUSY : 0;

	if (err == 0) {
		list_add_tail(&p->threads, &t->proc_link);
		p->nthreads++;
		kobj_get(&p->vs->obj);		/* the thread runs on it until switched away */
		t->exitq = &p->exitq;
	}
	spin_unlock_irqrestore(&p->lock, flags);
	return err;
}

static void process_finish(struct process *p);

/* Kill every thread; the caller holds p->lock. */
static void
kill_threads_locked(struct process *p)
{
	struct thread *t;

	list_for_each_entry(t, &p->threads, proc_link) {
		t->killed = true;
		thread_wake(t);		/* asleep: wakes to notice; running: next tick or IPI */
		if (t->on_cpu && t->last_cpu != hal_cpu_index())
			ipi_send(t->last_cpu, IPI_RESCHED);
	}
}

void
process_kill(struct process *p, long status)
{
	uint64_t flags = spin_lock_irqsave(&p->lock);
	bool finish = false;

	if (!p->exiting) {
		p->exiting = true;
		p->status = status;
		kill_threads_locked(p);
		finish = p->nthreads == 0;	/* no thread will ever finish it */
	}
	spin_unlock_irqrestore(&p->lock, flags);
	if (finish)
		process_finish(p);
}

static void
post_exit(struct process *p)
{
	uint64_t flags = spin_lock_irqsave(&p->lock);
	struct endpoint *ep = p->exit_ep;
	struct kmsg m = { .label = LABEL_EXIT, .badge = p->exit_cookie };

	p->exit_ep = NULL;
	spin_unlock_irqrestore(&p->lock, flags);
	if (ep == NULL)
		return;
	m.w[0] = (uint64_t)p->status;
	m.w[1] = p->pid;
	endpoint_post(ep, &m, false, NULL);
	kobj_put(&ep->obj);
}

/* The last thread is leaving (or none ever ran): close everything, tell whoever waits. */
static void
process_finish(struct process *p)
{
	struct hslot s;
	struct vmspace *vs;
	uint64_t flags;

	for (;;) {
		flags = spin_lock_irqsave(&p->lock);
		void *o = htable_drain(&p->handles, &s);
		spin_unlock_irqrestore(&p->lock, flags);
		if (o == NULL)
			break;
		slot_release(&s);
	}
	if (p->personality != NULL) {
		kobj_put(&p->personality->obj);
		p->personality = NULL;
	}
	flags = spin_lock_irqsave(&p->lock);
	vs = p->vs;
	p->vs = NULL;
	spin_unlock_irqrestore(&p->lock, flags);
	if (vs != NULL)
		kobj_put(&vs->obj);	/* each thread keeps its own until switched away */
	flags = spin_lock_irqsave(&p->exitq.lock);
	p->exited = true;
	spin_unlock_irqrestore(&p->exitq.lock, flags);
	waitq_wake_all(&p->exitq);
	post_exit(p);
}

__attribute__((noreturn)) void
process_thread_exit(void)
{
	struct thread *t = thread_current();
	struct process *p = t->proc;
	uint64_t flags = spin_lock_irqsave(&p->lock);
	bool last;

	list_remove(&t->proc_link);
	last = --p->nthreads == 0;
	if (last && !p->exiting) {
		p->exiting = true;	/* every thread ended itself: status 0 */
		p->status = 0;
	}
	spin_unlock_irqrestore(&p->lock, flags);
	if (last)
		process_finish(p);
	waitq_wake_all(&p->exitq);	/* thread_wait: proc_link is empty now */
	thread_exit();
}

static bool
process_done(void *arg)
{
	return ((struct process *)arg)->exited || thread_current()->killed;
}

long
process_wait(struct process *p)
{
	waitq_wait(&p->exitq, process_done, p);
	return p->exited ? p->status : -EINTR;
}

struct thread_wait_arg {
	struct thread *t;
	bool gone;
};

static bool
thread_done(void *arg)
{
	struct thread_wait_arg *a = arg;

	a->gone = list_empty(&a->t->proc_link);
	return a->gone || thread_current()->killed;
}

long
thread_wait(struct thread *t)
{
	struct thread_wait_arg a = { t, false };

	if (t->exitq == NULL)
		return -EINVAL;		/* never started */
	waitq_wait(t->exitq, thread_done, &a);
	return a.gone ? 0 : -EINTR;
}

int
process_bind_exit(struct process *p, struct endpoint *ep, uint64_t cookie)
{
	uint64_t flags = spin_lock_irqsave(&p->lock);
	struct endpoint *old = p->exit_ep;
	bool done = p->exited;

	kobj_get(&ep->obj);
	p->exit_ep = ep;
	p->exit_cookie = cookie;
	spin_unlock_irqrestore(&p->lock, flags);
	if (old != NULL)
		kobj_put(&old->obj);
	if (done)
		post_exit(p);
	return 0;
}

void
process_destroy(struct kobj *o)
{
	struct process *p = container_of(o, struct process, obj);

	if (p->exit_ep != NULL)
		kobj_put(&p->exit_ep->obj);
	if (p->vs != NULL)		/* never started a thread */
		kobj_put(&p->vs->obj);
	if (p->personality != NULL)
		kobj_put(&p->personality->obj);
	for (struct hslot s; htable_drain(&p->handles, &s) != NULL;)
		slot_release(&s);
	htable_destroy(&p->handles);
	kmem_free(p);
}
