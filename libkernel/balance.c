/*
 * balance.c - the load-balancing decisions behind <lichen/balance.h>:
 * which CPU to pull from and how much, where a waking entity goes, and
 * which queued entity to move.  No side effects anywhere.
 */
#include <lichen/balance.h>
#include <lichen/errno.h>

static bool
cpus_ok(unsigned ncpus)
{
	return ncpus > 0 && ncpus <= BALANCE_MAX_CPUS;
}

int
balance_pick_busiest(const unsigned *load, unsigned ncpus, unsigned this_cpu,
    unsigned *imbalance)
{
	unsigned busiest = this_cpu;

	*imbalance = 0;
	if (!cpus_ok(ncpus) || this_cpu >= ncpus)
		return -EINVAL;
	for (unsigned c = 0; c < ncpus; c++) {
		if (c == this_cpu)
			continue;
		if (busiest == this_cpu || load[c] > load[busiest])
			busiest = c;
	}
	/* Also covers ncpus == 1, where busiest stays this_cpu. */
	if (busiest == this_cpu || load[busiest] <= load[this_cpu] ||
	    load[busiest] - load[this_cpu] < 2)
		return BALANCE_NONE;
	*imbalance = (load[busiest] - load[this_cpu]) / 2;
	return (int)busiest;
}

int
balance_pick_target(
    const unsigned *load, unsigned ncpus, uint64_t affinity, int prefer)
{
	int best = -EINVAL;

	if (!cpus_ok(ncpus))
		return -EINVAL;
	for (unsigned c = 0; c < ncpus; c++) {
		if (!((affinity >> c) & 1))
			continue;
		if (best < 0 || load[c] < load[best] ||
		    (load[c] == load[best] && (int)c == prefer))
			best = (int)c;
	}
	return best;
}

bool
balance_can_migrate(const struct sched_entity *se, unsigned dst_cpu)
{
	return dst_cpu < BALANCE_MAX_CPUS && ((se->affinity >> dst_cpu) & 1);
}

struct sched_entity *
balance_pick_task(const struct runq *src, unsigned dst_cpu)
{
	const struct list_node *head, *n;

	for (int p = RUNQ_PRIOS - 1; p >= 0; p--) {
		if (!((src->nonempty >> p) & 1))
			continue;
		head = &src->queue[p];
		for (n = head->prev; n != head; n = n->prev) {
			struct sched_entity *se =
			    list_entry(n, struct sched_entity, link);

			if (balance_can_migrate(se, dst_cpu))
				return se;
		}
	}
	return NULL;
}
