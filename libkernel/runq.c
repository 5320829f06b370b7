/*
 * runq.c - the per-CPU run queue behind <lichen/runq.h>: priority levels
 * as FIFO lists, a bitmap of the non-empty ones, slice accounting, the
 * preemption rule and the invariant checker.
 */
#include <lichen/errno.h>
#include <lichen/runq.h>

static_assert(RUNQ_PRIOS <= 32, "runq.nonempty is a uint32_t");

void
runq_init(struct runq *rq)
{
	for (unsigned p = 0; p < RUNQ_PRIOS; p++)
		list_init(&rq->queue[p]);
	rq->nonempty = 0;
	rq->nr = 0;
}

void
sched_entity_init(struct sched_entity *se, uint8_t prio, uint64_t affinity)
{
	list_init(&se->link);
	se->prio = prio;
	se->affinity = affinity;
	se->cpu = -1;
	se->queued = false;
	runq_refill(se);
}

uint32_t
runq_slice(uint8_t prio)
{
	if (prio >= RUNQ_PRIOS)
		prio = RUNQ_PRIOS - 1;
	return RUNQ_SLICE_MIN_NS << (prio / 8);
}

void
runq_refill(struct sched_entity *se)
{
	se->slice_left = runq_slice(se->prio);
}

/* The highest non-empty level, or -1 when rq is empty. */
static int
top_level(const struct runq *rq)
{
	if (rq->nonempty == 0)
		return -1;
	return __builtin_ctz(rq->nonempty);
}

static int
check_enqueue(const struct sched_entity *se)
{
	if (se->prio >= RUNQ_PRIOS)
		return -EINVAL;
	if (se->queued)
		return -EBUSY;
	return 0;
}

/* Bookkeeping shared by both enqueues, once se is on its list. */
static void
account_enqueue(struct runq *rq, struct sched_entity *se)
{
	se->queued = true;
	rq->nonempty |= UINT32_C(1) << se->prio;
	rq->nr++;
}

int
runq_enqueue(struct runq *rq, struct sched_entity *se)
{
	int err = check_enqueue(se);

	if (err != 0)
		return err;
	runq_refill(se);
	list_add_tail(&rq->queue[se->prio], &se->link);
	account_enqueue(rq, se);
	return 0;
}

int
runq_enqueue_head(struct runq *rq, struct sched_entity *se)
{
	int err = check_enqueue(se);

	if (err != 0)
		return err;
	if (se->slice_left == 0)
		return runq_enqueue(rq, se);
	list_add_head(&rq->queue[se->prio], &se->link);
	account_enqueue(rq, se);
	return 0;
}

int
runq_dequeue(struct runq *rq, struct sched_entity *se)
{
	if (!se->queued || se->prio >= RUNQ_PRIOS)
		return -EINVAL;
	list_remove(&se->link);
	se->queued = false;
	if (list_empty(&rq->queue[se->prio]))
		rq->nonempty &= ~(UINT32_C(1) << se->prio);
	rq->nr--;
	return 0;
}

struct sched_entity *
runq_pick(const struct runq *rq)
{
	int top = top_level(rq);

	if (top < 0)
		return NULL;
	return list_entry(rq->queue[top].next, struct sched_entity, link);
}

struct sched_entity *
runq_pop(struct runq *rq)
{
	struct sched_entity *se = runq_pick(rq);

	if (se != NULL)
		runq_dequeue(rq, se);
	return se;
}

bool
runq_should_preempt(const struct runq *rq, const struct sched_entity *current)
{
	int top = top_level(rq);

	if (top < 0)
		return false;
	if (current == NULL || top < current->prio)
		return true;
	return top == current->prio && current->slice_left == 0;
}

void
runq_tick(struct sched_entity *current, uint32_t elapsed)
{
	if (elapsed >= current->slice_left)
		current->slice_left = 0;
	else
		current->slice_left -= elapsed;
}

/*
 * Checks level p's list; *budget is how many more entities the queue may
 * hold, so a loop or a miscount ends the walk.  Returns the list length
 * or -EIO.
 */
static long
check_level(const struct runq *rq, unsigned p, unsigned *budget)
{
	const struct list_node *head = &rq->queue[p], *n;
	long len = 0;

	for (n = head->next; n != head; n = n->next) {
		const struct sched_entity *se =
		    list_entry(n, struct sched_entity, link);

		if (*budget == 0 || n->prev->next != n || n->next->prev != n)
			return -EIO;
		if (!se->queued || se->prio != p)
			return -EIO;
		(*budget)--;
		len++;
	}
	if (head->next->prev != head || head->prev->next != head)
		return -EIO;
	return len;
}

int
runq_check(const struct runq *rq)
{
	unsigned budget = rq->nr;

	for (unsigned p = 0; p < RUNQ_PRIOS; p++) {
		long len = check_level(rq, p, &budget);
		bool bit = (rq->nonempty >> p) & 1;

		if (len < 0 || bit != (len > 0))
			return -EIO;
	}
	return budget == 0 ? 0 : -EIO;
}
