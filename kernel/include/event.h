/*
 * Objects that turn into messages: notifications (a word of bits any
 * holder may set), interrupts (one device line, masked from the moment it
 * fires until irq_ack) and timers (one-shot or periodic). obj_bind names
 * the endpoint; each object has one message of its own (struct kmsg,
 * embedded), queued at most once, so a burst of events is one message
 * whose words say how many (timer) or which (notification) arrived.
 */
#ifndef EVENT_H
#define EVENT_H

#include <stdint.h>
#include <lichen/timerq.h>
#include <kmsg.h>
#include <object.h>
#include <spinlock.h>

struct endpoint;

struct event {
	struct kobj obj;		/* OBJ_NOTIFY, OBJ_IRQ or OBJ_TIMER */
	struct spinlock lock;		/* ep, cookie, posted, bits; after ep->lock */
	struct endpoint *ep;		/* bound to (a reference), or NULL */
	uint64_t cookie;
	bool posted;			/* msg is queued on ep */
	uint64_t bits;			/* notify: pending bits; timer: expirations */
	struct kmsg msg;
	/* OBJ_IRQ */
	unsigned intid;
	/* OBJ_TIMER (its CPU's timer queue; sched.c) */
	struct ktimer kt;
	int kt_cpu;			/* queue it is armed on, or -1 */
	uint64_t gen, kt_gen;		/* timer_set count; kt_gen: when armed */
	uint64_t deadline, period;
	int holds;			/* handles and messages naming it */
};

struct event *event_create(enum obj_type type);
int event_bind(struct event *e, struct endpoint *ep, uint64_t cookie);
void event_signal(struct event *e, uint64_t bits);

int irq_claim(struct event *e, unsigned intid);
int irq_ack(struct event *e);
/* From the interrupt path: a claimed line fired. */
void irq_fire(unsigned intid);

int timer_set(struct event *e, uint64_t deadline, uint64_t period);
/* From the scheduler's tick, no lock held: an event timer expired. */
void timer_fire(struct ktimer *kt);
/* Handles come and go; the last one disarms the timer. */
void timer_holds_changed(struct event *e, int delta);

/*
 * The scheduler's per-CPU queues of event timers (sched.c): arm on this
 * CPU (returns its index); cancel returns whether it was still armed.
 */
int sched_timer_arm(struct ktimer *kt, uint64_t deadline);
bool sched_timer_cancel(struct ktimer *kt, int cpu);

#endif
