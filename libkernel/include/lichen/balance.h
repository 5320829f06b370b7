/*
 * <lichen/balance.h> - load-balancing decisions between CPUs' run queues.
 *
 * Pure decisions on numbers the caller collects; nothing here moves an
 * entity or takes a lock.  A CPU's load is its number of runnable
 * entities, the running one included.
 *
 * The policy:
 *   - Pull, do not push.  Each CPU, when it goes idle or on a periodic
 *     tick, asks balance_pick_busiest() from its own point of view; only
 *     the CPU that gains work moves anything.
 *   - A difference of one entity is balanced (someone has to have the odd
 *     one), so a CPU pulls only when the busiest other CPU has at least two
 *     more than it, and then half the difference (rounded down, so at
 *     least one).  Each such move strictly lowers the sum of the squared
 *     loads, so repeated balancing always stops, with max - min <= 1 when
 *     affinity does not get in the way.
 *   - What to pull (balance_pick_task): an entity allowed on this CPU,
 *     the lowest priority first and, within it, the one queued last, which
 *     would have waited longest where it is and has the coldest cache.
 *   - Where a new or waking entity goes (balance_pick_target): the least
 *     loaded CPU its affinity allows; on a tie, the preferred CPU (where
 *     it last ran, for its cache), then the lowest number.
 *
 * CPUs are numbered 0 .. BALANCE_MAX_CPUS - 1, the bits of an affinity.
 */
#ifndef LICHEN_BALANCE_H
#define LICHEN_BALANCE_H

#include <stdbool.h>
#include <stdint.h>

#include <lichen/runq.h>

#define BALANCE_MAX_CPUS 64

/* balance_pick_busiest: nothing worth moving. */
#define BALANCE_NONE (-1)

/*
 * The CPU this_cpu should pull from, with *imbalance set to how many
 * entities to move; the busiest other CPU (the lowest-numbered on a tie).
 * BALANCE_NONE, with *imbalance = 0, when that one has at most one more
 * than this_cpu.  -EINVAL (and *imbalance = 0) for ncpus 0 or above
 * BALANCE_MAX_CPUS, or this_cpu >= ncpus.
 */
int balance_pick_busiest(const unsigned *load, unsigned ncpus,
    unsigned this_cpu, unsigned *imbalance);

/*
 * The CPU for an entity with the given affinity that is about to become
 * runnable: the least loaded allowed one among load[0 .. ncpus), prefer on
 * a tie (any value outside the allowed CPUs, e.g. -1, means none), else
 * the lowest number.  -EINVAL if no CPU below ncpus is allowed, or ncpus
 * is 0 or above BALANCE_MAX_CPUS.
 */
int balance_pick_target(
    const unsigned *load, unsigned ncpus, uint64_t affinity, int prefer);

/* Whether se's affinity lets it run on dst_cpu. */
bool balance_can_migrate(const struct sched_entity *se, unsigned dst_cpu);

/*
 * The entity of src to move to dst_cpu (see the policy above), still
 * queued on src, or NULL if none may go there.  The caller dequeues it,
 * sets its cpu and enqueues it on dst_cpu's queue, holding both locks.
 */
struct sched_entity *balance_pick_task(
    const struct runq *src, unsigned dst_cpu);

#endif /* LICHEN_BALANCE_H */
