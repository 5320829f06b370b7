/*
 * Endpoints and the IPC calls (endpoint.h; docs/ipc.md). Messages are in
 * message.c, reply tokens in reply.c.
 *
 * A message is copied twice at most: from the sender into the kernel
 * (registers into a struct kmsg, out-of-line data into a kernel buffer),
 * and from there into the receiver, by the receiver, in its own context.
 * When a receiver is already waiting, the sender fills the receiver's
 * embedded slot (thread.ipc_slot) and nothing is allocated.
 *
 * Locking: ep->lock guards the queue and the receivers; a thread's
 * ipc_lock guards its call_reply and, for a call, its ipc_got. Order:
 * ep->lock, then a thread's ipc_lock or a process's lock (the fast path
 * nests both under ep->lock), then the scheduler's locks (thread_wake).
 * No two endpoint locks are ever held together; nothing takes ep->lock
 * while holding an ipc_lock or a process lock.
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

/* --- endpoints --- */

struct endpoint *
endpoint_create(unsigned depth)
{
	struct endpoint *ep;

	if (depth == 0)
		depth = IPC_DEPTH_DEFAULT;
	if (depth > IPC_DEPTH_MAX)
		return NULL;
	ep = kmem_zalloc(sizeof(*ep));
	if (ep == NULL)
		return NULL;
	kobj_init(&ep->obj, OBJ_ENDPOINT);
	ep->lock = (struct spinlock)SPINLOCK_INIT;
	list_init(&ep->queue);
	list_init(&ep->receivers);
	ep->depth = depth;
	return ep;
}

/* Take everything queued off ep (lock held); the caller releases it. */
static void
ep_flush_locked(struct endpoint *ep, struct list_node *out)
{
	while (!list_empty(&ep->queue)) {
		struct kmsg *m = list_first_entry(&ep->queue, struct kmsg, link);

		list_remove(&m->link);
		if (m->source != NULL) {
			struct kmsg dummy;

			event_take(m, &dummy);	/* the event is lost with its endpoint */
			continue;
		}
		list_add_tail(out, &m->link);
	}
	ep->count = 0;
}

static void
release_list(struct list_node *l)
{
	while (!list_empty(l)) {
		struct kmsg *m = list_first_entry(l, struct kmsg, link);

		list_remove(&m->link);
		kmsg_release(m);
		kmem_free(m);
	}
}

void
endpoint_recv_changed(struct endpoint *ep, int delta)
{
	uint64_t flags = spin_lock_irqsave(&ep->lock);
	struct list_node dropped;

	list_init(&dropped);
	ep->recv_holds += (uint32_t)delta;
	if (ep->recv_holds == 0 && delta < 0) {
		/* Nobody can ever receive: fail the queued calls, refuse new ones. */
		ep->dead = true;
		ep_flush_locked(ep, &dropped);
		while (!list_empty(&ep->receivers)) {
			struct thread *t = list_first_entry(&ep->receivers,
			    struct thread, wait_link);

			list_remove(&t->wait_link);
			thread_wake(t);
		}
	}
	spin_unlock_irqrestore(&ep->lock, flags);
	release_list(&dropped);
}

void
endpoint_destroy(struct kobj *o)
{
	struct endpoint *ep = container_of(o, struct endpoint, obj);
	struct list_node dropped;
	uint64_t flags = spin_lock_irqsave(&ep->lock);

	list_init(&dropped);
	ep_flush_locked(ep, &dropped);
	spin_unlock_irqrestore(&ep->lock, flags);
	release_list(&dropped);
	kmem_free(ep);
}

int
endpoint_post(struct endpoint *ep, struct kmsg *m, bool bounded,
    struct thread **handoff)
{
	uint64_t flags = spin_lock_irqsave(&ep->lock);
	struct thread *r;
	struct kmsg *q;

	if (ep->dead) {
		spin_unlock_irqrestore(&ep->lock, flags);
		return -EPIPE;
	}
	if (!list_empty(&ep->receivers)) {
		r = list_first_entry(&ep->receivers, struct thread, wait_link);
		list_remove(&r->wait_link);
		kmsg_copy(&r->ipc_slot, m);
		r->ipc_slot.counted = false;
		r->ipc_got = &r->ipc_slot;
		if (handoff != NULL) {
			kobj_get(&r->obj);	/* held until it is woken: it may be killed meanwhile */
			*handoff = r;
		} else
			thread_wake(r);
		spin_unlock_irqrestore(&ep->lock, flags);
		return 0;
	}
	if (bounded && ep->count >= ep->depth) {
		spin_unlock_irqrestore(&ep->lock, flags);
		return -EAGAIN;
	}
	spin_unlock_irqrestore(&ep->lock, flags);
	/* Allocate outside the lock, then look again: a receiver may have come. */
	q = kmsg_dup(m);
	if (q == NULL)
		return -ENOMEM;
	flags = spin_lock_irqsave(&ep->lock);
	if (ep->dead || !list_empty(&ep->receivers) ||
	    (bounded && ep->count >= ep->depth)) {
		spin_unlock_irqrestore(&ep->lock, flags);
		kmem_free(q);
		return endpoint_post(ep, m, bounded, handoff);
	}
	if (bounded)
		ep->count++;
	q->counted = bounded;
	list_add_tail(&ep->queue, &q->link);
	spin_unlock_irqrestore(&ep->lock, flags);
	if (handoff != NULL)
		*handoff = NULL;
	return 0;
}

bool
endpoint_post_event(struct endpoint *ep, struct kmsg *m)
{
	uint64_t flags = spin_lock_irqsave(&ep->lock);
	bool posted = !ep->dead;

	if (posted && !list_empty(&ep->receivers)) {
		struct thread *r = list_first_entry(&ep->receivers, struct thread,
		    wait_link);

		list_remove(&r->wait_link);
		event_take(m, &r->ipc_slot);
		r->ipc_got = &r->ipc_slot;
		thread_wake(r);
	} else if (posted) {
		list_add_tail(&ep->queue, &m->link);
	}
	spin_unlock_irqrestore(&ep->lock, flags);
	return posted;
}

void
endpoint_cancel_event(struct endpoint *ep, struct kmsg *m)
{
	uint64_t flags = spin_lock_irqsave(&ep->lock);

	if (!list_empty(&m->link))
		list_remove(&m->link);
	spin_unlock_irqrestore(&ep->lock, flags);
}

/* Wake a thread handed to us by endpoint_post or reply_answer; drop its reference. */
static void
wake_handed(struct thread *t)
{
	thread_wake(t);
	kobj_put(&t->obj);
}

/* Switch to it (or wake it and sleep); drop its reference when we run again. */
static void
handoff_to(struct thread *t)
{
	sched_handoff(t);
	kobj_put(&t->obj);
}

/* --- the calls --- */

static int
get_endpoint(struct process *p, handle_t h, uint32_t rights,
    struct endpoint **ep, uint64_t *badge)
{
	struct kobj *o;
	int err = process_handle_get(p, h, OBJ_ENDPOINT, rights, &o, NULL, badge);

	if (err == 0)
		*ep = container_of(o, struct endpoint, obj);
	return err;
}

/*
 * What ipc_send and ipc_call start with: the ext, the endpoint (RIGHT_SEND;
 * a reference in *ep) and the message from the caller's registers. On
 * failure nothing is held.
 */
static long
send_prepare(struct process *p, const struct trap_frame *tf, struct ipc_ext *x,
    struct endpoint **ep, struct kmsg *m)
{
	uint64_t badge;
	long err;

	if ((err = read_ext(tf->x[11], x)) != 0)
		return err;
	if ((err = get_endpoint(p, (handle_t)tf->x[0], RIGHT_SEND, ep, &badge)) != 0)
		return err;
	if ((err = msg_from_user(p, tf, x, m)) == 0) {
		m->badge = badge;
		if ((err = check_own_recv(m, *ep)) == 0)
			return 0;
		kmsg_release(m);
	}
	kobj_put(&(*ep)->obj);
	return err;
}

long
sys_ipc_send(struct trap_frame *tf)
{
	struct process *p = process_current();
	struct endpoint *ep, *rep = NULL;
	struct ipc_ext x;
	struct kmsg m;
	long err;

	if ((err = send_prepare(p, tf, &x, &ep, &m)) != 0)
		return err;
	if (x.reply_ep != HANDLE_NONE &&
	    (err = get_endpoint(p, x.reply_ep, RIGHT_SEND, &rep, NULL)) != 0) {
		kmsg_release(&m);
		goto out;
	}
	if (rep != NULL && (m.reply = reply_create(NULL, rep, x.cookie)) == NULL) {
		err = -ENOMEM;
	} else if ((err = endpoint_post(ep, &m, true, NULL)) == 0) {
		msg_commit(p, &x);
		goto out;
	}
	if (m.reply != NULL)
		m.reply->answered = true;	/* never sent: no error message either */
	kmsg_release(&m);
out:
	if (rep != NULL)
		kobj_put(&rep->obj);
	kobj_put(&ep->obj);
	return err;
}

/*
 * Sleep until a call's answer is in our slot (or we are killed). On
 * entry the thread is THREAD_SLEEPING; next, if set, is a receiver we
 * woke in spirit and may switch to directly.
 */
static struct kmsg *
wait_reply(struct thread *t, struct thread *next)
{
	uint64_t flags;
	struct kmsg *got;

	if (next != NULL)
		handoff_to(next);
	else
		sched_block();
	for (;;) {
		flags = spin_lock_irqsave(&t->ipc_lock);
		got = t->ipc_got;
		if (got != NULL || t->killed) {
			t->call_reply = NULL;	/* a late answer finds us gone */
			t->ipc_got = NULL;
			t->state = THREAD_RUNNABLE;
			spin_unlock_irqrestore(&t->ipc_lock, flags);
			return got;
		}
		t->state = THREAD_SLEEPING;
		spin_unlock_irqrestore(&t->ipc_lock, flags);
		sched_block();
	}
}

/*
 * Post m as a call from t and wait; the answer is in t->ipc_slot. *posted
 * says whether m left (else it still owns its contents).
 */
static int
call_and_wait(struct thread *t, struct endpoint *ep, struct kmsg *m, bool bounded,
    bool *posted)
{
	struct thread *next = NULL;
	struct reply *r = reply_for_call(t);
	struct kmsg *got;
	uint64_t irq;
	int err;

	*posted = false;
	if (r == NULL)
		return -ENOMEM;
	m->reply = r;
	/*
	 * Asleep before the answer can come, so none is lost; interrupts
	 * masked until the message is out, so a tick cannot switch us away
	 * while nobody knows to wake us.
	 */
	irq = hal_irq_save();
	spin_lock(&t->ipc_lock);
	t->call_reply = r;
	t->ipc_got = NULL;
	t->state = THREAD_SLEEPING;
	spin_unlock(&t->ipc_lock);
	err = endpoint_post(ep, m, bounded, &next);
	if (err != 0) {
		spin_lock(&t->ipc_lock);
		t->call_reply = NULL;
		t->state = THREAD_RUNNABLE;
		spin_unlock(&t->ipc_lock);
		hal_irq_restore(irq);
		r->answered = true;
		m->reply = NULL;
		kobj_put(&r->obj);
		return err;
	}
	*posted = true;
	got = wait_reply(t, next);
	hal_irq_restore(irq);
	return got == NULL ? -EINTR : t->ipc_slot.status;
}

/*
 * The fast path (docs/ipc.md): a call without ipc_ext to an endpoint whose
 * receiver waits on this CPU, also without ipc_ext. The words go straight
 * into the receiver's saved registers, the token straight into its table,
 * and we switch to it; no struct kmsg is staged. CALL_SLOW: nothing
 * happened, take the general path (which also reports every error).
 */
#define CALL_SLOW	2

/* The words of a message as they travel in registers (x1-x7, x9, x10). */
struct regs_msg {
	uint64_t label, w[IPC_WORDS];
};

static void
regs_from_frame(struct regs_msg *m, const struct trap_frame *src)
{
	m->label = src->x[1];
	for (int i = 0; i < 6; i++)
		m->w[i] = src->x[2 + i];
	m->w[6] = src->x[9];
	m->w[7] = src->x[10];
}

static void
regs_to_frame(struct trap_frame *dst, const struct regs_msg *m, uint64_t badge,
    uint64_t token)
{
	dst->x[1] = m->label;
	for (int i = 0; i < 6; i++)
		dst->x[2 + i] = m->w[i];
	dst->x[9] = m->w[6];
	dst->x[10] = m->w[7];
	dst->x[11] = badge;
	dst->x[12] = token;
}

static long
call_fast(struct thread *t, struct trap_frame *tf)
{
	struct reply *r = &t->call_obj;
	struct regs_msg words;
	struct endpoint *ep;
	struct thread *rcv;
	struct kmsg *got;
	uint64_t badge, irq;
	long token;

	if (!__atomic_load_n(&r->idle, __ATOMIC_ACQUIRE) ||
	    get_endpoint(t->proc, (handle_t)tf->x[0], RIGHT_SEND, &ep, &badge) != 0)
		return CALL_SLOW;
	/* Ours before we are armed: an answer may rewrite tf from then on. */
	regs_from_frame(&words, tf);
	irq = hal_irq_save();
	spin_lock(&ep->lock);
	rcv = list_empty(&ep->receivers) ? NULL :
	    list_first_entry(&ep->receivers, struct thread, wait_link);
	if (ep->dead || rcv == NULL || (unsigned)rcv->se.cpu != this_cpu_index() ||
	    rcv->utf->x[11] != 0) {
		spin_unlock(&ep->lock);
		hal_irq_restore(irq);
		kobj_put(&ep->obj);
		return CALL_SLOW;
	}
	list_remove(&rcv->wait_link);
	kobj_get(&rcv->obj);			/* for the switch: it may be killed */
	r = reply_for_call(t);			/* the embedded one: idle */
	/* Armed before the token exists: no answer can come unseen. */
	spin_lock(&t->ipc_lock);
	t->call_reply = r;
	t->ipc_got = NULL;
	t->state = THREAD_SLEEPING;
	spin_unlock(&t->ipc_lock);
	token = process_handle_add(rcv->proc, &r->obj, RIGHT_TRANSFER, 0);
	if (token > 0) {
		kobj_put(&r->obj);		/* the table holds the token now */
		regs_to_frame(rcv->utf, &words, badge, (uint64_t)token);
		rcv->ipc_slot.status = KMSG_IN_REGISTERS;
	} else {
		/* Its table is full or it is exiting: the general delivery answers -EPIPE. */
		struct kmsg *m = &rcv->ipc_slot;

		kmsg_clear(m);
		m->label = words.label;
		for (int i = 0; i < IPC_WORDS; i++)
			m->w[i] = words.w[i];
		m->badge = badge;
		m->reply = r;
	}
	rcv->ipc_got = &rcv->ipc_slot;
	spin_unlock(&ep->lock);
	got = wait_reply(t, rcv);		/* drops rcv's reference */
	hal_irq_restore(irq);
	kobj_put(&ep->obj);
	if (got == NULL)
		return -EINTR;
	if (t->ipc_slot.status == KMSG_IN_REGISTERS) {
		t->ipc_slot.status = 0;
		return 0;			/* reply_fast wrote our registers */
	}
	if (t->ipc_slot.status != 0) {
		long err = t->ipc_slot.status;

		kmsg_release(&t->ipc_slot);
		return err;
	}
	return msg_to_user(t->proc, tf, 0, &t->ipc_slot);
}

long
sys_ipc_call(struct trap_frame *tf)
{
	struct thread *t = thread_current();
	struct process *p = t->proc;
	struct endpoint *ep;
	struct ipc_ext x;
	struct kmsg m;
	bool posted;
	long err;

	if (tf->x[11] == 0 && (err = call_fast(t, tf)) != CALL_SLOW)
		return err;
	if ((err = send_prepare(p, tf, &x, &ep, &m)) != 0)
		return err;
	err = call_and_wait(t, ep, &m, true, &posted);
	if (!posted) {
		kmsg_release(&m);
		goto out;
	}
	msg_commit(p, &x);	/* the handles went with the message */
	if (err == KMSG_IN_REGISTERS) {
		t->ipc_slot.status = 0;
		err = 0;	/* reply_fast wrote our registers */
	}
	else if (err == 0)
		err = msg_to_user(p, tf, tf->x[11], &t->ipc_slot);
	else if (err == -EPIPE)
		kmsg_release(&t->ipc_slot);
out:
	kobj_put(&ep->obj);
	return err;
}

int
endpoint_call_kernel(struct endpoint *ep, struct kmsg *m)
{
	bool posted;
	/* Not bounded: the thread waits anyway, and backpressure must not kill it. */
	int err = call_and_wait(thread_current(), ep, m, false, &posted);

	if (!posted)
		kmsg_release(m);
	return err;
}

/*
 * Receive on ep into the caller. wake, if set, is a thread we answered
 * and have not woken yet: switch to it if we must sleep, else wake it.
 */
static long
recv_on(struct endpoint *ep, struct trap_frame *tf, bool block,
    struct thread *wake)
{
	struct thread *t = thread_current();
	uint64_t flags = spin_lock_irqsave(&ep->lock);

	for (;;) {
		if (t->ipc_got != NULL) {
			t->ipc_got = NULL;
			break;
		}
		if (!list_empty(&ep->queue)) {
			struct kmsg *m = list_first_entry(&ep->queue, struct kmsg, link);

			list_remove(&m->link);
			if (m->counted)
				ep->count--;
			kmsg_take(m, &t->ipc_slot);
			break;
		}
		if (!list_empty(&t->wait_link))
			list_remove(&t->wait_link);
		if (ep->dead || !block || t->killed) {
			long err = ep->dead ? -EPIPE : t->killed ? -EINTR : -EAGAIN;

			spin_unlock_irqrestore(&ep->lock, flags);
			if (wake != NULL)
				wake_handed(wake);
			return err;
		}
		list_add_tail(&ep->receivers, &t->wait_link);
		t->state = THREAD_SLEEPING;
		spin_unlock_irqrestore(&ep->lock, flags);
		if (wake != NULL)
			handoff_to(wake);
		else
			sched_block();
		wake = NULL;
		flags = spin_lock_irqsave(&ep->lock);
	}
	spin_unlock_irqrestore(&ep->lock, flags);
	if (wake != NULL)
		wake_handed(wake);
	if (t->ipc_slot.status == KMSG_IN_REGISTERS) {	/* call_fast wrote them */
		t->ipc_slot.status = 0;
		return 0;
	}
	return msg_to_user(t->proc, tf, tf->x[11], &t->ipc_slot);
}

static long
recv_call(struct trap_frame *tf, handle_t h, bool block, struct thread *wake)
{
	struct endpoint *ep;
	long err = get_endpoint(process_current(), h, RIGHT_RECV, &ep, NULL);

	if (err != 0) {
		if (wake != NULL)
			wake_handed(wake);
		return err;
	}
	err = recv_on(ep, tf, block, wake);
	kobj_put(&ep->obj);
	return err;
}

long
sys_ipc_recv(struct trap_frame *tf)
{
	return recv_call(tf, (handle_t)tf->x[0], true, NULL);
}

long
sys_ipc_recv_poll(struct trap_frame *tf)
{
	return recv_call(tf, (handle_t)tf->x[0], false, NULL);
}

/*
 * The answer's fast path: a call's embedded reply, its native caller
 * waiting without ipc_ext, ours without either: write the words into the
 * caller's saved registers. true when done (*wake: the caller, asleep).
 */
static bool
reply_fast(struct reply *r, const struct trap_frame *tf, struct thread **wake)
{
	struct thread *c = r->caller;
	uint64_t flags;
	bool done = false;

	if (!r->embedded || c->proc->personality != NULL)
		return false;
	flags = spin_lock_irqsave(&c->ipc_lock);
	if (c->call_reply == r && !r->answered && c->utf->x[11] == 0) {
		/* tf is ours (the running server's): copy straight across. */
		for (int i = 1; i <= 7; i++)
			c->utf->x[i] = tf->x[i];
		c->utf->x[9] = tf->x[9];
		c->utf->x[10] = tf->x[10];
		c->utf->x[11] = 0;
		c->utf->x[12] = 0;
		c->ipc_slot.status = KMSG_IN_REGISTERS;
		c->ipc_got = &c->ipc_slot;
		c->call_reply = NULL;
		r->answered = true;
		kobj_get(&c->obj);		/* as reply_answer's handoff */
		*wake = c;
		done = true;
	}
	spin_unlock_irqrestore(&c->ipc_lock, flags);
	return done;
}

/* Answer token h with the caller's registers and ext; *wake as in reply_answer. */
static long
do_reply(struct trap_frame *tf, handle_t h, struct thread **wake)
{
	struct process *p = process_current();
	struct ipc_ext x;
	struct reply *r;
	struct kobj *o;
	struct kmsg m;
	long err;

	*wake = NULL;
	if ((err = read_ext(tf->x[11], &x)) != 0)
		return err;
	if ((err = process_handle_take(p, h, OBJ_REPLY, &o)) != 0)
		return err;
	r = container_of(o, struct reply, obj);
	if (tf->x[11] == 0 && reply_fast(r, tf, wake)) {
		kobj_put(o);
		return 0;
	}
	if ((err = msg_from_user(p, tf, &x, &m)) != 0) {
		kobj_put(o);		/* the token is spent: the caller hears -EPIPE */
		return err;
	}
	if (r->ep != NULL && (err = check_own_recv(&m, r->ep)) != 0) {
		kmsg_release(&m);
		kobj_put(o);
		return err;
	}
	msg_commit(p, &x);
	reply_answer(r, &m, wake);
	kobj_put(o);
	return 0;
}

long
sys_ipc_reply(struct trap_frame *tf)
{
	struct thread *wake;
	long err = do_reply(tf, (handle_t)tf->x[0], &wake);

	if (wake != NULL)
		wake_handed(wake);
	return err;
}

long
sys_ipc_reply_recv(struct trap_frame *tf)
{
	struct thread *wake = NULL;
	handle_t token = (handle_t)tf->x[0];
	long err;

	if (token != HANDLE_NONE && (err = do_reply(tf, token, &wake)) != 0)
		return err;
	return recv_call(tf, (handle_t)tf->x[12], true, wake);
}
