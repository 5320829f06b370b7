/*
 * <lichen/timerq.h> - one CPU's queue of one-shot timers, ordered by
 * deadline.
 *
 * A deadline is a monotonic time in the caller's unit (the kernel uses
 * nanoseconds since boot); this module only compares them.  The timers
 * sit in a red-black tree by deadline, timers with equal deadlines in the
 * order they were armed, and the queue remembers its earliest timer, so
 * timerq_next_deadline() (what the kernel programs the hardware timer
 * with) is O(1) and arming, cancelling and popping are O(log n).
 *
 * A struct ktimer is embedded in whatever owns it (a thread's sleep, a
 * timeout); the owner finds itself again with container_of() and decides
 * what firing means.  No callbacks, no allocation.  No locking: the
 * owner of the queue (its CPU's lock) serialises every call.
 */
#ifndef LICHEN_TIMERQ_H
#define LICHEN_TIMERQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lichen/rbtree.h>

struct ktimer {
	struct rb_node node; /* in q->root while armed */
	uint64_t deadline;   /* meaningful while armed */
	bool armed;	     /* in a timer queue now */
};

struct timerq {
	struct rb_root root;  /* armed timers by deadline, then arming order */
	struct ktimer *first; /* the earliest, NULL when empty */
	size_t count;	      /* armed timers */
};

/* A timer that is not armed. */
void ktimer_init(struct ktimer *t);

/* An empty queue. */
void timerq_init(struct timerq *q);

/*
 * Arms t to fire at deadline.  If t is already armed on q it moves there
 * (and counts as armed now: after timers already armed for the same
 * deadline).  t armed on another queue is a caller bug this cannot see.
 */
void timerq_arm(struct timerq *q, struct ktimer *t, uint64_t deadline);

/* Disarms t.  Returns whether it was armed (false: nothing to do). */
bool timerq_cancel(struct timerq *q, struct ktimer *t);

/*
 * The earliest deadline armed, or UINT64_MAX when none is (a timer armed
 * for UINT64_MAX looks the same: use timerq_empty to tell).
 */
uint64_t timerq_next_deadline(const struct timerq *q);

static inline bool
timerq_empty(const struct timerq *q)
{
	return q->count == 0;
}

/*
 * The earliest timer with deadline <= now, disarmed and removed, or NULL
 * when none has expired.  Call it until NULL to fire everything due.
 */
struct ktimer *timerq_pop_expired(struct timerq *q, uint64_t now);

/*
 * 0 if q is sound: a valid red-black tree in deadline order, every timer
 * in it armed, count and first right.  -EIO if not.  For tests: O(n).
 */
int timerq_check(const struct timerq *q);

#endif /* LICHEN_TIMERQ_H */
