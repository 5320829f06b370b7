/*
 * test_runq.c - <lichen/runq.h>: priority order and FIFO within a level,
 * head versus tail enqueue, refused enqueues and dequeues, the preemption
 * rule, slice accounting and quanta, a round-robin run of the documented
 * tick loop, runq_check against deliberate corruption, and a long random
 * run against a per-level array model.
 */
#include <stdbool.h>
#include <string.h>

#include <lichen/compiler.h>
#include <lichen/errno.h>
#include <lichen/runq.h>

#include "unit.h"

#define NSE 64

static struct sched_entity se[NSE];

/* se[i] at priority prio[i], all CPUs allowed. */
static void
setup(const uint8_t *prio, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sched_entity_init(&se[i], prio[i], ~UINT64_C(0));
}

/* Pops everything and asserts the order is want[0 .. n). */
static void
assert_pop_order(struct runq *rq, const int *want, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct sched_entity *s = runq_pop(rq);

		ck_assert_msg(s == &se[want[i]],
		    "pop %zu: got se[%td], want %d", i, s == NULL ? -1 : s - se,
		    want[i]);
		ck_assert(!s->queued);
		ck_assert_int_eq(runq_check(rq), 0);
	}
	ck_assert_ptr_null(runq_pop(rq));
	ck_assert_uint_eq(rq->nr, 0);
	ck_assert_uint_eq(rq->nonempty, 0);
}

START_TEST(empty_queue_has_nothing)
{
	struct runq rq;

	runq_init(&rq);
	ck_assert_int_eq(runq_check(&rq), 0);
	ck_assert_ptr_null(runq_pick(&rq));
	ck_assert_ptr_null(runq_pop(&rq));
	ck_assert(!runq_should_preempt(&rq, NULL));
	sched_entity_init(&se[0], 0, 1);
	runq_tick(&se[0], 1);
	ck_assert(!runq_should_preempt(&rq, &se[0]));
	ck_assert_uint_eq(rq.nr, 0);
}
END_TEST

START_TEST(init_sets_up_an_unqueued_entity)
{
	sched_entity_init(&se[0], 9, 0x5);
	ck_assert_uint_eq(se[0].prio, 9);
	ck_assert_uint_eq(se[0].affinity, 0x5);
	ck_assert_int_eq(se[0].cpu, -1);
	ck_assert(!se[0].queued);
	ck_assert(list_empty(&se[0].link));
	ck_assert_uint_eq(se[0].slice_left, runq_slice(9));
}
END_TEST

START_TEST(pops_by_priority_then_fifo)
{
	static const uint8_t prio[] = {5, 0, 31, 5, 0, 17, 5, 31};
	static const int want[] = {1, 4, 0, 3, 6, 5, 2, 7};
	struct runq rq;

	runq_init(&rq);
	setup(prio, ARRAY_SIZE(prio));
	for (size_t i = 0; i < ARRAY_SIZE(prio); i++)
		ck_assert_int_eq(runq_enqueue(&rq, &se[i]), 0);
	ck_assert_uint_eq(rq.nr, ARRAY_SIZE(prio));
	ck_assert_uint_eq(
	    rq.nonempty, (1u << 0) | (1u << 5) | (1u << 17) | (1u << 31));
	ck_assert_int_eq(runq_check(&rq), 0);
	/* pick does not remove. */
	ck_assert_ptr_eq(runq_pick(&rq), &se[1]);
	ck_assert_ptr_eq(runq_pick(&rq), &se[1]);
	ck_assert(se[1].queued);
	assert_pop_order(&rq, want, ARRAY_SIZE(want));
}
END_TEST

START_TEST(enqueue_head_resumes_before_peers_with_its_slice)
{
	static const uint8_t prio[] = {3, 3, 3};
	static const int want[] = {2, 0, 1};
	struct runq rq;

	runq_init(&rq);
	setup(prio, ARRAY_SIZE(prio));
	ck_assert_int_eq(runq_enqueue(&rq, &se[0]), 0);
	ck_assert_int_eq(runq_enqueue(&rq, &se[1]), 0);
	/* se[2] ran for a while and was preempted: it keeps its remainder. */
	runq_tick(&se[2], 1234);
	ck_assert_int_eq(runq_enqueue_head(&rq, &se[2]), 0);
	ck_assert_uint_eq(se[2].slice_left, runq_slice(3) - 1234);
	ck_assert_int_eq(runq_check(&rq), 0);
	assert_pop_order(&rq, want, ARRAY_SIZE(want));
}
END_TEST

START_TEST(enqueue_head_with_slice_used_up_goes_to_tail)
{
	static const uint8_t prio[] = {7, 7, 7};
	static const int want[] = {0, 1, 2};
	struct runq rq;

	runq_init(&rq);
	setup(prio, ARRAY_SIZE(prio));
	ck_assert_int_eq(runq_enqueue(&rq, &se[0]), 0);
	ck_assert_int_eq(runq_enqueue(&rq, &se[1]), 0);
	se[2].slice_left = 0;
	ck_assert_int_eq(runq_enqueue_head(&rq, &se[2]), 0);
	ck_assert_uint_eq(se[2].slice_left, runq_slice(7));
	assert_pop_order(&rq, want, ARRAY_SIZE(want));
}
END_TEST

START_TEST(enqueue_tail_refills_the_slice)
{
	struct runq rq;

	runq_init(&rq);
	sched_entity_init(&se[0], 12, 1);
	runq_tick(&se[0], 999);
	ck_assert_uint_eq(se[0].slice_left, runq_slice(12) - 999);
	ck_assert_int_eq(runq_enqueue(&rq, &se[0]), 0);
	ck_assert_uint_eq(se[0].slice_left, runq_slice(12));
}
END_TEST

START_TEST(dequeue_from_the_middle_and_last_of_a_level)
{
	static const uint8_t prio[] = {4, 4, 4, 9};
	static const int want[] = {0, 2};
	struct runq rq;

	runq_init(&rq);
	setup(prio, ARRAY_SIZE(prio));
	for (size_t i = 0; i < ARRAY_SIZE(prio); i++)
		ck_assert_int_eq(runq_enqueue(&rq, &se[i]), 0);
	ck_assert_int_eq(runq_dequeue(&rq, &se[1]), 0);
	ck_assert(!se[1].queued);
	ck_assert(list_empty(&se[1].link));
	ck_assert_int_eq(runq_dequeue(&rq, &se[3]), 0);
	ck_assert_uint_eq(rq.nonempty, 1u << 4);
	ck_assert_uint_eq(rq.nr, 2);
	ck_assert_int_eq(runq_check(&rq), 0);
	assert_pop_order(&rq, want, ARRAY_SIZE(want));
}
END_TEST

START_TEST(bad_enqueues_and_dequeues_change_nothing)
{
	struct runq rq;

	runq_init(&rq);
	sched_entity_init(&se[0], RUNQ_PRIOS, 1);
	ck_assert_int_eq(runq_enqueue(&rq, &se[0]), -EINVAL);
	ck_assert_int_eq(runq_enqueue_head(&rq, &se[0]), -EINVAL);
	sched_entity_init(&se[0], 255, 1);
	ck_assert_int_eq(runq_enqueue(&rq, &se[0]), -EINVAL);
	ck_assert(!se[0].queued);
	ck_assert_uint_eq(rq.nr, 0);
	ck_assert_int_eq(runq_check(&rq), 0);

	sched_entity_init(&se[1], 2, 1);
	ck_assert_int_eq(runq_dequeue(&rq, &se[1]), -EINVAL);
	ck_assert_int_eq(runq_enqueue(&rq, &se[1]), 0);
	runq_tick(&se[1], 10);
	ck_assert_int_eq(runq_enqueue(&rq, &se[1]), -EBUSY);
	ck_assert_int_eq(runq_enqueue_head(&rq, &se[1]), -EBUSY);
	/* The refused enqueue did not refill either. */
	ck_assert_uint_eq(se[1].slice_left, runq_slice(2) - 10);
	ck_assert_uint_eq(rq.nr, 1);
	ck_assert_int_eq(runq_check(&rq), 0);
	ck_assert_int_eq(runq_dequeue(&rq, &se[1]), 0);
	ck_assert_int_eq(runq_dequeue(&rq, &se[1]), -EINVAL);
	ck_assert_uint_eq(rq.nr, 0);
	ck_assert_int_eq(runq_check(&rq), 0);
}
END_TEST

START_TEST(higher_priority_preempts_lower_does_not)
{
	struct runq rq;

	runq_init(&rq);
	sched_entity_init(&se[0], 5, 1); /* current */
	sched_entity_init(&se[1], 6, 1);
	sched_entity_init(&se[2], 5, 1);
	sched_entity_init(&se[3], 4, 1);
	ck_assert_int_eq(runq_enqueue(&rq, &se[1]), 0);
	ck_assert(!runq_should_preempt(&rq, &se[0]));
	/* An equal one waits, but current's slice is not used up. */
	ck_assert_int_eq(runq_enqueue(&rq, &se[2]), 0);
	ck_assert(!runq_should_preempt(&rq, &se[0]));
	runq_tick(&se[0], runq_slice(5) - 1);
	ck_assert(!runq_should_preempt(&rq, &se[0]));
	ck_assert_int_eq(runq_enqueue(&rq, &se[3]), 0);
	ck_assert(runq_should_preempt(&rq, &se[0]));
	/* Even at prio 0, nothing queued means no preemption. */
	se[0].prio = 0;
	se[0].slice_left = 0;
	ck_assert(!runq_should_preempt(&rq, &se[0]));
}
END_TEST

START_TEST(used_up_slice_yields_only_to_an_equal_peer)
{
	struct runq rq;

	runq_init(&rq);
	sched_entity_init(&se[0], 10, 1); /* current */
	sched_entity_init(&se[1], 11, 1);
	sched_entity_init(&se[2], 10, 1);
	runq_tick(&se[0], runq_slice(10));
	ck_assert_uint_eq(se[0].slice_left, 0);
	ck_assert(!runq_should_preempt(&rq, &se[0]));
	ck_assert_int_eq(runq_enqueue(&rq, &se[1]), 0);
	ck_assert(!runq_should_preempt(&rq, &se[0]));
	ck_assert_int_eq(runq_enqueue(&rq, &se[2]), 0);
	ck_assert(runq_should_preempt(&rq, &se[0]));
	/* A refilled current runs on. */
	runq_refill(&se[0]);
	ck_assert(!runq_should_preempt(&rq, &se[0]));
}
END_TEST

START_TEST(idle_is_preempted_by_anything_queued)
{
	struct runq rq;

	runq_init(&rq);
	sched_entity_init(&se[0], RUNQ_PRIOS - 1, 1);
	ck_assert(!runq_should_preempt(&rq, NULL));
	ck_assert_int_eq(runq_enqueue(&rq, &se[0]), 0);
	ck_assert(runq_should_preempt(&rq, NULL));
	ck_assert_ptr_eq(runq_pop(&rq), &se[0]);
	ck_assert(!runq_should_preempt(&rq, NULL));
}
END_TEST

START_TEST(tick_consumes_the_slice_and_stops_at_zero)
{
	uint32_t full = runq_slice(0);

	sched_entity_init(&se[0], 0, 1);
	runq_tick(&se[0], 0);
	ck_assert_uint_eq(se[0].slice_left, full);
	runq_tick(&se[0], 1);
	runq_tick(&se[0], 1000);
	ck_assert_uint_eq(se[0].slice_left, full - 1001);
	runq_tick(&se[0], full - 1001);
	ck_assert_uint_eq(se[0].slice_left, 0);
	runq_tick(&se[0], 5);
	ck_assert_uint_eq(se[0].slice_left, 0);
	runq_refill(&se[0]);
	runq_tick(&se[0], UINT32_MAX);
	ck_assert_uint_eq(se[0].slice_left, 0);
}
END_TEST

START_TEST(quantum_doubles_every_eight_levels)
{
	for (unsigned p = 0; p < RUNQ_PRIOS; p++)
		ck_assert_uint_eq(runq_slice(p), RUNQ_SLICE_MIN_NS << (p / 8));
	ck_assert_uint_eq(runq_slice(0), 2000000);
	ck_assert_uint_eq(runq_slice(31), 16000000);
	/* Out of range clamps to the lowest level. */
	ck_assert_uint_eq(runq_slice(RUNQ_PRIOS), runq_slice(RUNQ_PRIOS - 1));
	ck_assert_uint_eq(runq_slice(255), runq_slice(RUNQ_PRIOS - 1));
}
END_TEST

/*
 * The tick loop from <lichen/runq.h> on one CPU, 100 us ticks: three
 * entities of one level share the CPU in equal slices, round robin; a
 * higher one arriving takes over at the next tick and, when it blocks,
 * the one it preempted resumes with the rest of its slice.
 */
#define TICK_NS 100000u

static struct sched_entity *
tick(struct runq *rq, struct sched_entity *cur)
{
	runq_tick(cur, TICK_NS);
	if (runq_should_preempt(rq, cur)) {
		if (cur->slice_left > 0)
			quick_assert_int_eq(runq_enqueue_head(rq, cur), 0);
		else
			quick_assert_int_eq(runq_enqueue(rq, cur), 0);
		return runq_pop(rq);
	}
	if (cur->slice_left == 0)
		runq_refill(cur);
	return cur;
}

START_TEST(tick_loop_round_robins_and_preempts)
{
	static const uint8_t prio[] = {8, 8, 8, 1};
	uint64_t ran[4] = {0};
	unsigned per_slice = runq_slice(8) / TICK_NS;
	struct sched_entity *cur;
	struct runq rq;

	runq_init(&rq);
	setup(prio, ARRAY_SIZE(prio));
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(runq_enqueue(&rq, &se[i]), 0);
	cur = runq_pop(&rq);
	for (unsigned t = 0; t < 30 * per_slice; t++) {
		/* Who runs in tick t: se[(t / per_slice) % 3]. */
		quick_assert_ptr_eq(cur, &se[(t / per_slice) % 3]);
		ran[cur - se]++;
		cur = tick(&rq, cur);
	}
	for (int i = 0; i < 3; i++)
		ck_assert_uint_eq(ran[i], 10 * per_slice);
	ck_assert_ptr_eq(cur, &se[0]);

	/* se[0] has run 3 ticks of its slice when se[3] wakes up. */
	for (int i = 0; i < 3; i++)
		cur = tick(&rq, cur);
	ck_assert_int_eq(runq_enqueue(&rq, &se[3]), 0);
	cur = tick(&rq, cur);
	ck_assert_ptr_eq(cur, &se[3]);
	ck_assert_uint_eq(se[0].slice_left, runq_slice(8) - 4 * TICK_NS);
	/* se[3] blocks; se[0] is at the head of its level again. */
	ck_assert_ptr_eq(runq_pop(&rq), &se[0]);
	ck_assert_int_eq(runq_check(&rq), 0);
}
END_TEST

START_TEST(check_catches_corruption)
{
	static const uint8_t prio[] = {2, 2, 6};
	struct runq rq;
	struct list_node *saved;

	runq_init(&rq);
	setup(prio, ARRAY_SIZE(prio));
	for (size_t i = 0; i < ARRAY_SIZE(prio); i++)
		ck_assert_int_eq(runq_enqueue(&rq, &se[i]), 0);
	ck_assert_int_eq(runq_check(&rq), 0);

	rq.nonempty |= 1u << 3; /* a bit for an empty level */
	ck_assert_int_eq(runq_check(&rq), -EIO);
	rq.nonempty &= ~(1u << 3);
	rq.nonempty &= ~(1u << 6); /* a non-empty level without its bit */
	ck_assert_int_eq(runq_check(&rq), -EIO);
	rq.nonempty |= 1u << 6;
	ck_assert_int_eq(runq_check(&rq), 0);

	rq.nr++;
	ck_assert_int_eq(runq_check(&rq), -EIO);
	rq.nr -= 2;
	ck_assert_int_eq(runq_check(&rq), -EIO);
	rq.nr++;

	se[1].queued = false;
	ck_assert_int_eq(runq_check(&rq), -EIO);
	se[1].queued = true;
	se[1].prio = 3; /* on level 2's list */
	ck_assert_int_eq(runq_check(&rq), -EIO);
	se[1].prio = 2;
	ck_assert_int_eq(runq_check(&rq), 0);

	/* A loop that never returns to the head, and a bad back pointer. */
	saved = se[1].link.next;
	se[1].link.next = &se[0].link;
	ck_assert_int_eq(runq_check(&rq), -EIO);
	se[1].link.next = saved;
	se[1].link.prev = &se[1].link;
	ck_assert_int_eq(runq_check(&rq), -EIO);
	se[1].link.prev = &se[0].link;
	ck_assert_int_eq(runq_check(&rq), 0);
}
END_TEST

/* The model: each level's entity indices in queue order. */
struct model {
	int level[RUNQ_PRIOS][NSE];
	unsigned len[RUNQ_PRIOS];
	unsigned nr;
};

static void
model_insert(struct model *m, int i, bool head)
{
	unsigned p = se[i].prio;

	if (head) {
		memmove(
		    &m->level[p][1], &m->level[p][0], m->len[p] * sizeof(int));
		m->level[p][0] = i;
	} else {
		m->level[p][m->len[p]] = i;
	}
	m->len[p]++;
	m->nr++;
}

static void
model_remove(struct model *m, int i)
{
	unsigned p = se[i].prio, k = 0;

	while (m->level[p][k] != i)
		k++;
	memmove(&m->level[p][k], &m->level[p][k + 1],
	    (m->len[p] - k - 1) * sizeof(int));
	m->len[p]--;
	m->nr--;
}

/* The model's runq_pick, as an index, or -1. */
static int
model_pick(const struct model *m)
{
	for (unsigned p = 0; p < RUNQ_PRIOS; p++)
		if (m->len[p] > 0)
			return m->level[p][0];
	return -1;
}

/* One random operation on rq and the model. */
static void
random_step(struct runq *rq, struct model *m, uint64_t *seed)
{
	int i = test_rand(seed) % NSE, want;
	unsigned op = test_rand(seed) % 4;

	if (op == 3) {
		want = model_pick(m);
		quick_assert_ptr_eq(runq_pop(rq), want < 0 ? NULL : &se[want]);
		if (want >= 0)
			model_remove(m, want);
	} else if (se[i].queued) {
		quick_assert_int_eq(runq_dequeue(rq, &se[i]), 0);
		model_remove(m, i);
	} else {
		bool used_up = test_rand(seed) % 3 == 0;

		/* Few levels, so FIFO order within one is exercised. */
		se[i].prio = test_rand(seed) % 4 * 9;
		se[i].slice_left = used_up ? 0 : 500;
		if (op == 0) {
			quick_assert_int_eq(runq_enqueue_head(rq, &se[i]), 0);
			model_insert(m, i, !used_up);
		} else {
			quick_assert_int_eq(runq_enqueue(rq, &se[i]), 0);
			model_insert(m, i, false);
		}
	}
}

START_TEST(random_run_matches_the_model)
{
	static struct model m;
	struct sched_entity cur;
	struct runq rq;
	uint64_t seed = TEST_SEED;

	runq_init(&rq);
	for (int i = 0; i < NSE; i++)
		sched_entity_init(&se[i], 0, 1);
	memset(&m, 0, sizeof(m));
	for (int step = 0; step < 50000; step++) {
		int want;
		bool preempt;

		random_step(&rq, &m, &seed);
		quick_assert_int_eq(runq_check(&rq), 0);
		quick_assert_uint_eq(rq.nr, m.nr);
		want = model_pick(&m);
		quick_assert_ptr_eq(
		    runq_pick(&rq), want < 0 ? NULL : &se[want]);

		cur.prio = test_rand(&seed) % RUNQ_PRIOS;
		cur.slice_left = test_rand(&seed) % 2;
		preempt =
		    want >= 0 &&
		    (se[want].prio < cur.prio ||
			(se[want].prio == cur.prio && cur.slice_left == 0));
		quick_assert(runq_should_preempt(&rq, &cur) == preempt);
	}
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("runq");
	TCase *tc = tcase_create("runq");

	tcase_add_test(tc, empty_queue_has_nothing);
	tcase_add_test(tc, init_sets_up_an_unqueued_entity);
	tcase_add_test(tc, pops_by_priority_then_fifo);
	tcase_add_test(tc, enqueue_head_resumes_before_peers_with_its_slice);
	tcase_add_test(tc, enqueue_head_with_slice_used_up_goes_to_tail);
	tcase_add_test(tc, enqueue_tail_refills_the_slice);
	tcase_add_test(tc, dequeue_from_the_middle_and_last_of_a_level);
	tcase_add_test(tc, bad_enqueues_and_dequeues_change_nothing);
	tcase_add_test(tc, higher_priority_preempts_lower_does_not);
	tcase_add_test(tc, used_up_slice_yields_only_to_an_equal_peer);
	tcase_add_test(tc, idle_is_preempted_by_anything_queued);
	tcase_add_test(tc, tick_consumes_the_slice_and_stops_at_zero);
	tcase_add_test(tc, quantum_doubles_every_eight_levels);
	tcase_add_test(tc, tick_loop_round_robins_and_preempts);
	tcase_add_test(tc, check_catches_corruption);
	tcase_add_test(tc, random_run_matches_the_model);
	suite_add_tcase(s, tc);
	return s;
}
