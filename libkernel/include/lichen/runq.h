/*
 * <lichen/runq.h> - one CPU's run queue: the schedulable entities waiting
 * for that CPU, by priority, round robin within a priority.
 *
 * There are RUNQ_PRIOS levels, 0 the highest.  Each level is a FIFO list;
 * a bitmap of non-empty levels makes picking the next entity O(1).  The
 * entity running on the CPU ("current") is not on the queue: the kernel
 * pops it to run it and puts it back when it is preempted or yields.
 *
 * Time slices are in nanoseconds.  A level's quantum is fixed
 * (runq_slice()): higher priorities get shorter slices, since they are
 * meant to be latency-sensitive, and lower ones longer slices, since
 * anything above them preempts them anyway.  runq_enqueue() gives an
 * entity a fresh slice; runq_enqueue_head() keeps what is left of it.
 * The kernel's timer tick is then:
 *
 *	runq_tick(cur, ns_since_last_tick);
 *	if (runq_should_preempt(rq, cur)) {
 *		runq_enqueue(rq, cur);	  (or _head if its slice is not used up)
 *		next = runq_pop(rq);
 *	} else if (cur->slice_left == 0)
 *		runq_refill(cur);	  (nobody of its level waits: go on)
 *
 * The module never looks at sched_entity.cpu or .affinity: they are the
 * caller's and the balancer's (<lichen/balance.h>).  No locking: the
 * owner of the run queue (its CPU's lock) serialises every call.
 */
#ifndef LICHEN_RUNQ_H
#define LICHEN_RUNQ_H

#include <stdbool.h>
#include <stdint.h>

#include <lichen/list.h>

#define RUNQ_PRIOS 32

/* The quantum of levels 0..7 (2 ms); it doubles every 8 levels. */
#define RUNQ_SLICE_MIN_NS UINT32_C(2000000)

struct sched_entity {
	struct list_node link; /* on rq->queue[prio] while queued */
	uint8_t prio;	       /* 0 = highest; change only while not queued */
	uint32_t slice_left;   /* ns of the current slice not yet used */
	uint64_t affinity;     /* CPUs it may run on: bit n = CPU n */
	int16_t cpu;	       /* the CPU whose run queue it belongs to */
	bool queued;	       /* on a run queue now */
};

struct runq {
	struct list_node queue[RUNQ_PRIOS]; /* FIFO per level */
	uint32_t nonempty;		    /* bit p: queue[p] not empty */
	unsigned nr;			    /* entities queued, all levels */
};

/* An empty run queue. */
void runq_init(struct runq *rq);

/*
 * Sets se up as an entity on no run queue: not queued, the given
 * priority and affinity, a full slice, cpu -1.  (prio is not checked
 * here; runq_enqueue refuses a bad one.)
 */
void sched_entity_init(
    struct sched_entity *se, uint8_t prio, uint64_t affinity);

/* The quantum for priority prio (clamped to the lowest level). */
uint32_t runq_slice(uint8_t prio);

/* Starts a new slice for se: slice_left = runq_slice(se->prio). */
void runq_refill(struct sched_entity *se);

/*
 * Appends se to the tail of its level with a fresh slice.  0, or -EINVAL
 * for prio >= RUNQ_PRIOS, -EBUSY if se is already queued (on any run
 * queue); either error changes nothing.
 */
int runq_enqueue(struct runq *rq, struct sched_entity *se);

/*
 * Puts se at the head of its level, keeping its slice_left: for an entity
 * preempted before its slice ran out, so it resumes before its peers.
 * One whose slice is used up goes to the tail with a fresh slice instead,
 * as runq_enqueue.  Errors as runq_enqueue.
 */
int runq_enqueue_head(struct runq *rq, struct sched_entity *se);

/*
 * Takes se, queued on rq, off it.  0, or -EINVAL if se is not queued.
 * (se queued on another run queue is a caller bug this cannot see.)
 */
int runq_dequeue(struct runq *rq, struct sched_entity *se);

/* The entity to run next (highest level, oldest first), or NULL. Stays queued.
 */
struct sched_entity *runq_pick(const struct runq *rq);

/* runq_pick, dequeued; NULL when rq is empty. */
struct sched_entity *runq_pop(struct runq *rq);

/*
 * Whether current (not queued; NULL for the idle loop) should give way:
 * a higher-priority entity is queued, or current's slice is used up and
 * one of its own priority waits.  With NULL, whether anything is queued.
 */
bool runq_should_preempt(
    const struct runq *rq, const struct sched_entity *current);

/* Charges elapsed ns to current's slice; slice_left stops at 0. */
void runq_tick(struct sched_entity *current, uint32_t elapsed);

/*
 * 0 if rq is sound: each level's list well linked and without loops, its
 * entities queued and of that priority, the bitmap naming exactly the
 * non-empty levels, nr the total.  -EIO at the first violation.  For
 * tests and debugging: O(nr).
 */
int runq_check(const struct runq *rq);

#endif /* LICHEN_RUNQ_H */
