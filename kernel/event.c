/*
 * Notifications, interrupts and timers (event.h). Each posts its one
 * embedded message to the endpoint it is bound to; the words are filled
 * in when a receiver takes it (event_take), so a message never carries
 * stale state and a burst costs one message.
 *
 * Locking: e->lock is taken inside ep->lock (event_take) and never held
 * while taking an endpoint lock.
 */
#include <lichen/errno.h>
#include <lichen/string.h>
#include <endpoint.h>
#include <event.h>
#include <hal.h>
#include <kernel.h>
#include <pmm.h>
#include <thread.h>

#define MAX_INTID	1020
#define TIMER_PERIOD_MAX	(1UL << 62)	/* ns: deadlines stay far from wrapping */
#define TIMER_DEADLINE_MAX	(1UL << 62)

static struct event *irq_owner[MAX_INTID];
static struct spinlock irq_lock = SPINLOCK_INIT;

static const uint64_t event_label[OBJ_NTYPES] = {
	[OBJ_NOTIFY] = LABEL_NOTIFY, [OBJ_IRQ] = LABEL_IRQ, [OBJ_TIMER] = LABEL_TIMER,
};

struct event *
event_create(enum obj_type type)
{
	struct event *e = kmem_zalloc(sizeof(*e));

	if (e == NULL)
		return NULL;
	kobj_init(&e->obj, type);
	e->lock = (struct spinlock)SPINLOCK_INIT;
	list_init(&e->msg.link);
	e->msg.source = &e->obj;
	e->msg.label = event_label[type];
	ktimer_init(&e->kt);
	e->kt_cpu = -1;
	return e;
}

int
event_bind(struct event *e, struct endpoint *ep, uint64_t cookie)
{
	uint64_t flags = spin_lock_irqsave(&e->lock);
	int err = e->ep != NULL ? -EBUSY : 0;
	bool pending;

	if (err == 0) {
		kobj_get(&ep->obj);
		e->ep = ep;
		e->cookie = cookie;
	}
	pending = err == 0 && e->bits != 0 && !e->posted;
	if (pending)
		e->posted = true;
	spin_unlock_irqrestore(&e->lock, flags);
	if (pending && !endpoint_post_event(ep, &e->msg))
		e->posted = false;
	return err;
}

/* Queue e's message unless it already is. */
static void
event_post(struct event *e)
{
	uint64_t flags = spin_lock_irqsave(&e->lock);
	struct endpoint *ep = e->ep;
	bool post = ep != NULL && !e->posted;

	if (post)
		e->posted = true;
	spin_unlock_irqrestore(&e->lock, flags);
	if (post && !endpoint_post_event(ep, &e->msg)) {
		flags = spin_lock_irqsave(&e->lock);
		e->posted = false;		/* the endpoint is dead */
		spin_unlock_irqrestore(&e->lock, flags);
	}
}

/* ep->lock held: the message leaves the queue for dst; fill in its words. */
void
event_take(struct kmsg *m, struct kmsg *dst)
{
	struct event *e = container_of(m->source, struct event, obj);
	uint64_t flags = spin_lock_irqsave(&e->lock);

	memset(dst, 0, sizeof(*dst));
	dst->label = m->label;
	dst->badge = e->cookie;
	dst->w[0] = e->obj.type == OBJ_IRQ ? e->intid : e->bits;
	dst->w[1] = e->deadline;
	if (e->obj.type != OBJ_IRQ)
		e->bits = 0;
	e->posted = false;
	spin_unlock_irqrestore(&e->lock, flags);
	list_init(&m->link);
}

void
event_signal(struct event *e, uint64_t bits)
{
	uint64_t flags = spin_lock_irqsave(&e->lock);

	e->bits |= bits;
	spin_unlock_irqrestore(&e->lock, flags);
	if (bits != 0)
		event_post(e);
}

/* --- interrupts --- */

int
irq_claim(struct event *e, unsigned intid)
{
	uint64_t flags;
	int err = 0;

	if (intid < 32 || intid >= MAX_INTID)
		return -EINVAL;		/* only shared peripheral interrupts */
	flags = spin_lock_irqsave(&irq_lock);
	if (irq_owner[intid] != NULL)
		err = -EBUSY;
	else
		irq_owner[intid] = e;
	spin_unlock_irqrestore(&irq_lock, flags);
	if (err == 0) {
		e->intid = intid;
		hal_irq_line(intid, true);
	}
	return err;
}

void
irq_fire(unsigned intid)
{
	struct event *e;

	hal_irq_line(intid, false);	/* masked until the driver acks it */
	spin_lock(&irq_lock);
	e = intid < MAX_INTID ? irq_owner[intid] : NULL;
	if (e != NULL && !kobj_tryget(&e->obj))
		e = NULL;		/* its last reference is going */
	spin_unlock(&irq_lock);
	if (e == NULL)
		return;
	e->bits = 1;
	event_post(e);
	kobj_put(&e->obj);
}

int
irq_ack(struct event *e)
{
	hal_irq_line(e->intid, true);
	return 0;
}

void
irq_destroy(struct kobj *o)
{
	struct event *e = container_of(o, struct event, obj);
	uint64_t flags;

	if (e->intid != 0) {
		hal_irq_line(e->intid, false);
		flags = spin_lock_irqsave(&irq_lock);
		irq_owner[e->intid] = NULL;
		spin_unlock_irqrestore(&irq_lock, flags);
	}
	notify_destroy(o);
}

/* --- timers --- */

/*
 * An armed timer holds a reference to its event, handed to timer_fire
 * when it expires; e->gen tells a firing that lost a race with timer_set
 * to do nothing. When the last handle goes, kobj_rights_hold disarms it.
 */
int
timer_set(struct event *e, uint64_t deadline, uint64_t period)
{
	uint64_t flags;

	if (period > TIMER_PERIOD_MAX || deadline > TIMER_DEADLINE_MAX)
		return -EINVAL;		/* no deadline arithmetic may wrap */
	if (period != 0 && period < 1000000)
		period = 1000000;	/* at most a thousand expirations a second */
	/* One critical section: two timer_sets never interleave (sched locks nest inside). */
	flags = spin_lock_irqsave(&e->lock);
	e->gen++;
	if (e->kt_cpu >= 0 && sched_timer_cancel(&e->kt, e->kt_cpu))
		kobj_put(&e->obj);	/* the arming's reference; never the last */
	e->kt_cpu = -1;
	e->deadline = deadline;
	e->period = period;
	e->bits = 0;
	if (deadline != 0) {
		kobj_get(&e->obj);
		e->kt_gen = e->gen;
		e->kt_cpu = sched_timer_arm(&e->kt, deadline);
	}
	spin_unlock_irqrestore(&e->lock, flags);
	return 0;
}

void
timer_fire(struct ktimer *kt)
{
	struct event *e = container_of(kt, struct event, kt);
	uint64_t flags = spin_lock_irqsave(&e->lock);
	bool rearm = false;

	/* Disarmed or set again since this arming popped: not ours to fire. */
	if (e->kt_gen != e->gen) {
		spin_unlock_irqrestore(&e->lock, flags);
		kobj_put(&e->obj);
		return;
	}
	e->bits++;
	e->kt_cpu = -1;
	e->gen++;		/* this arming is spent */
	if (e->period != 0) {
		uint64_t now = clock_ns();

		if (e->deadline + e->period <= now) {	/* missed some: count them */
			uint64_t missed = (now - e->deadline) / e->period;

			e->bits += missed;	/* D+P .. D+missed*P fell due too */
			e->deadline += missed * e->period;
		}
		e->deadline += e->period;
		e->kt_gen = e->gen;
		e->kt_cpu = sched_timer_arm(&e->kt, e->deadline);
		rearm = true;		/* the reference goes with the new arming */
	}
	spin_unlock_irqrestore(&e->lock, flags);
	event_post(e);
	if (!rearm)
		kobj_put(&e->obj);
}

void
timer_holds_changed(struct event *e, int delta)
{
	if (__atomic_add_fetch(&e->holds, delta, __ATOMIC_ACQ_REL) == 0)
		timer_set(e, 0, 0);
}

void
timer_destroy(struct kobj *o)
{
	notify_destroy(o);		/* not armed: an armed timer holds a reference */
}

/* --- all three --- */

void
notify_destroy(struct kobj *o)
{
	struct event *e = container_of(o, struct event, obj);

	if (e->ep != NULL) {
		endpoint_cancel_event(e->ep, &e->msg);
		kobj_put(&e->ep->obj);
	}
	kmem_free(e);
}
