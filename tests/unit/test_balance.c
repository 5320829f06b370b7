/*
 * test_balance.c - <lichen/balance.h> on synthetic loads: when to pull
 * and how much, ties, bad arguments, target choice under affinity, which
 * task moves, and simulations of repeated pulling (a burst on one CPU,
 * random loads, real run queues with affinity) that must converge.
 */
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include <lichen/balance.h>
#include <lichen/compiler.h>
#include <lichen/errno.h>

#include "unit.h"

START_TEST(equal_loads_move_nothing)
{
	const unsigned load[4] = {3, 3, 3, 3};
	const unsigned idle[4] = {0, 0, 0, 0};
	unsigned imb = 99;

	for (unsigned c = 0; c < 4; c++) {
		ck_assert_int_eq(
		    balance_pick_busiest(load, 4, c, &imb), BALANCE_NONE);
		ck_assert_uint_eq(imb, 0);
		ck_assert_int_eq(
		    balance_pick_busiest(idle, 4, c, &imb), BALANCE_NONE);
	}
}
END_TEST

START_TEST(eight_on_one_and_three_idle_pulls_four)
{
	const unsigned load[4] = {8, 0, 0, 0};
	unsigned imb;

	for (unsigned c = 1; c < 4; c++) {
		imb = 0;
		ck_assert_int_eq(balance_pick_busiest(load, 4, c, &imb), 0);
		ck_assert_uint_eq(imb, 4);
	}
	/* The busy one itself pulls nothing. */
	ck_assert_int_eq(balance_pick_busiest(load, 4, 0, &imb), BALANCE_NONE);
	ck_assert_uint_eq(imb, 0);
}
END_TEST

START_TEST(threshold_is_a_difference_of_two)
{
	unsigned load[2], imb;

	/* Difference 1: balanced. */
	load[0] = 5;
	load[1] = 4;
	ck_assert_int_eq(balance_pick_busiest(load, 2, 1, &imb), BALANCE_NONE);
	/* 2: move one; 3: still one (half, rounded down); 7: three. */
	load[0] = 6;
	ck_assert_int_eq(balance_pick_busiest(load, 2, 1, &imb), 0);
	ck_assert_uint_eq(imb, 1);
	load[0] = 7;
	ck_assert_int_eq(balance_pick_busiest(load, 2, 1, &imb), 0);
	ck_assert_uint_eq(imb, 1);
	load[0] = 11;
	ck_assert_int_eq(balance_pick_busiest(load, 2, 1, &imb), 0);
	ck_assert_uint_eq(imb, 3);
	/* Loads near UINT_MAX do not overflow. */
	load[0] = UINT_MAX;
	load[1] = UINT_MAX - 1;
	ck_assert_int_eq(balance_pick_busiest(load, 2, 1, &imb), BALANCE_NONE);
	ck_assert_int_eq(balance_pick_busiest(load, 2, 0, &imb), BALANCE_NONE);
	load[1] = 5;
	ck_assert_int_eq(balance_pick_busiest(load, 2, 0, &imb), BALANCE_NONE);
	ck_assert_uint_eq(imb, 0);
	load[1] = 0;
	ck_assert_int_eq(balance_pick_busiest(load, 2, 1, &imb), 0);
	ck_assert_uint_eq(imb, UINT_MAX / 2);
}
END_TEST

START_TEST(busiest_is_the_max_lowest_number_on_a_tie)
{
	const unsigned load[6] = {1, 5, 9, 2, 9, 0};
	unsigned imb;

	ck_assert_int_eq(balance_pick_busiest(load, 6, 5, &imb), 2);
	ck_assert_uint_eq(imb, 4);
	ck_assert_int_eq(balance_pick_busiest(load, 6, 0, &imb), 2);
	/* Not itself: from CPU 2's view the busiest other is CPU 4. */
	ck_assert_int_eq(balance_pick_busiest(load, 6, 2, &imb), BALANCE_NONE);
	ck_assert_int_eq(balance_pick_busiest(load, 6, 1, &imb), 2);
	ck_assert_uint_eq(imb, 2);
	/* Only the first ncpus loads count. */
	ck_assert_int_eq(balance_pick_busiest(load, 2, 0, &imb), 1);
	ck_assert_uint_eq(imb, 2);
}
END_TEST

START_TEST(busiest_refuses_bad_arguments)
{
	unsigned load[BALANCE_MAX_CPUS + 1] = {[0] = 10}, imb = 7;

	ck_assert_int_eq(balance_pick_busiest(load, 0, 0, &imb), -EINVAL);
	ck_assert_uint_eq(imb, 0);
	ck_assert_int_eq(balance_pick_busiest(load, 4, 4, &imb), -EINVAL);
	ck_assert_int_eq(balance_pick_busiest(load, 4, ~0u, &imb), -EINVAL);
	ck_assert_int_eq(
	    balance_pick_busiest(load, BALANCE_MAX_CPUS + 1, 1, &imb), -EINVAL);
	ck_assert_int_eq(
	    balance_pick_busiest(load, BALANCE_MAX_CPUS, 63, &imb), 0);
	ck_assert_uint_eq(imb, 5);
	/* One CPU has nobody to pull from. */
	ck_assert_int_eq(balance_pick_busiest(load, 1, 0, &imb), BALANCE_NONE);
}
END_TEST

START_TEST(target_is_least_loaded_then_preferred_then_lowest)
{
	const unsigned load[5] = {4, 1, 3, 1, 1};

	ck_assert_int_eq(balance_pick_target(load, 5, ~UINT64_C(0), -1), 1);
	ck_assert_int_eq(balance_pick_target(load, 5, ~UINT64_C(0), 3), 3);
	ck_assert_int_eq(balance_pick_target(load, 5, ~UINT64_C(0), 4), 4);
	/* A preferred CPU that is busier loses. */
	ck_assert_int_eq(balance_pick_target(load, 5, ~UINT64_C(0), 0), 1);
	ck_assert_int_eq(balance_pick_target(load, 5, ~UINT64_C(0), 2), 1);
	/* Out-of-range preferences mean none. */
	ck_assert_int_eq(balance_pick_target(load, 5, ~UINT64_C(0), 5), 1);
	ck_assert_int_eq(balance_pick_target(load, 5, ~UINT64_C(0), 1000), 1);
}
END_TEST

START_TEST(target_obeys_affinity)
{
	const unsigned load[4] = {5, 0, 2, 2};

	ck_assert_int_eq(balance_pick_target(load, 4, 0x1, -1), 0);
	ck_assert_int_eq(balance_pick_target(load, 4, 0xd, -1), 2);
	ck_assert_int_eq(balance_pick_target(load, 4, 0xd, 3), 3);
	/* A preference the affinity forbids is ignored. */
	ck_assert_int_eq(balance_pick_target(load, 4, 0xc, 1), 2);
	/* Nothing allowed among the CPUs that exist. */
	ck_assert_int_eq(balance_pick_target(load, 4, 0, 0), -EINVAL);
	ck_assert_int_eq(balance_pick_target(load, 4, 0xf0, -1), -EINVAL);
	ck_assert_int_eq(balance_pick_target(load, 0, 0xf, -1), -EINVAL);
	ck_assert_int_eq(
	    balance_pick_target(load, BALANCE_MAX_CPUS + 1, 0xf, -1), -EINVAL);
}
END_TEST

START_TEST(target_can_be_cpu_63)
{
	unsigned load[BALANCE_MAX_CPUS];

	for (unsigned c = 0; c < BALANCE_MAX_CPUS; c++)
		load[c] = 1;
	load[63] = 0;
	ck_assert_int_eq(balance_pick_target(load, 64, ~UINT64_C(0), -1), 63);
	load[63] = 1;
	ck_assert_int_eq(
	    balance_pick_target(load, 64, UINT64_C(1) << 63, -1), 63);
	ck_assert_int_eq(balance_pick_target(load, 64, ~UINT64_C(0), 63), 63);
	ck_assert_int_eq(balance_pick_target(load, 64, ~UINT64_C(0), -1), 0);
}
END_TEST

START_TEST(can_migrate_respects_affinity)
{
	struct sched_entity se;

	sched_entity_init(&se, 0, 0x5);
	ck_assert(balance_can_migrate(&se, 0));
	ck_assert(!balance_can_migrate(&se, 1));
	ck_assert(balance_can_migrate(&se, 2));
	ck_assert(!balance_can_migrate(&se, 3));
	se.affinity = UINT64_C(1) << 63;
	ck_assert(balance_can_migrate(&se, 63));
	ck_assert(!balance_can_migrate(&se, 64));
	ck_assert(!balance_can_migrate(&se, ~0u));
	se.affinity = 0;
	for (unsigned c = 0; c < 70; c++)
		ck_assert(!balance_can_migrate(&se, c));
}
END_TEST

START_TEST(pick_task_takes_lowest_priority_newest_allowed)
{
	struct sched_entity se[5];
	struct runq rq;

	runq_init(&rq);
	sched_entity_init(&se[0], 3, 0x3);
	sched_entity_init(&se[1], 20, 0x3);
	sched_entity_init(&se[2], 20, 0x3);
	sched_entity_init(&se[3], 20, 0x1); /* pinned to CPU 0 */
	sched_entity_init(&se[4], 3, 0x3);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(runq_enqueue(&rq, &se[i]), 0);

	ck_assert_ptr_eq(balance_pick_task(&rq, 1), &se[2]);
	ck_assert_ptr_eq(balance_pick_task(&rq, 0), &se[3]);
	ck_assert(se[2].queued); /* no side effects */
	ck_assert_int_eq(runq_dequeue(&rq, &se[2]), 0);
	ck_assert_ptr_eq(balance_pick_task(&rq, 1), &se[1]);
	ck_assert_int_eq(runq_dequeue(&rq, &se[1]), 0);
	/* Level 20 holds only the pinned one: on to level 3. */
	ck_assert_ptr_eq(balance_pick_task(&rq, 1), &se[4]);
	ck_assert_ptr_null(balance_pick_task(&rq, 2));
	ck_assert_ptr_null(balance_pick_task(&rq, 64));
	runq_init(&rq);
	ck_assert_ptr_null(balance_pick_task(&rq, 0));
}
END_TEST

/*
 * One round: every CPU in turn pulls what balance_pick_busiest tells it
 * to.  Checks each move shrinks the sum of squared loads.  Returns the
 * number of moves.
 */
static unsigned
balance_round(unsigned *load, unsigned ncpus)
{
	unsigned moves = 0;

	for (unsigned c = 0; c < ncpus; c++) {
		unsigned imb;
		int from = balance_pick_busiest(load, ncpus, c, &imb);
		uint64_t before, after;

		if (from == BALANCE_NONE)
			continue;
		quick_assert(from >= 0 && (unsigned)from < ncpus);
		quick_assert(imb >= 1 && imb <= load[from]);
		before = (uint64_t)load[from] * load[from] +
			 (uint64_t)load[c] * load[c];
		load[from] -= imb;
		load[c] += imb;
		after = (uint64_t)load[from] * load[from] +
			(uint64_t)load[c] * load[c];
		quick_assert(after < before);
		moves++;
	}
	return moves;
}

static unsigned
spread(const unsigned *load, unsigned ncpus)
{
	unsigned lo = load[0], hi = load[0];

	for (unsigned c = 1; c < ncpus; c++) {
		lo = load[c] < lo ? load[c] : lo;
		hi = load[c] > hi ? load[c] : hi;
	}
	return hi - lo;
}

START_TEST(burst_of_32_on_cpu0_spreads_evenly)
{
	unsigned load[4] = {32, 0, 0, 0};
	unsigned rounds = 0;

	while (balance_round(load, 4) > 0) {
		rounds++;
		ck_assert_uint_le(rounds, 4);
	}
	ck_assert_uint_le(spread(load, 4), 1);
	ck_assert_uint_eq(load[0] + load[1] + load[2] + load[3], 32);
	/* 32 / 4 is exact: everyone has 8. */
	for (unsigned c = 0; c < 4; c++)
		ck_assert_uint_eq(load[c], 8);
	/* And the settled state stays put. */
	ck_assert_uint_eq(balance_round(load, 4), 0);
}
END_TEST

START_TEST(random_loads_converge)
{
	uint64_t seed = TEST_SEED;
	unsigned load[BALANCE_MAX_CPUS];

	for (int run = 0; run < 2000; run++) {
		unsigned ncpus = 1 + test_rand(&seed) % BALANCE_MAX_CPUS;
		unsigned total = 0, after = 0, rounds = 0;

		for (unsigned c = 0; c < ncpus; c++) {
			/* Mostly idle CPUs, some very busy ones. */
			load[c] = test_rand(&seed) % 3 == 0
				      ? test_rand(&seed) % 1000
				      : 0;
			total += load[c];
		}
		/*
		 * Every move lowers the sum of squared loads, so this ends;
		 * these inputs take at most 8 rounds, 16 leaves room.
		 */
		while (balance_round(load, ncpus) > 0) {
			rounds++;
			quick_assert_msg(rounds <= 16,
			    "run %d: no convergence on %u CPUs", run, ncpus);
		}
		for (unsigned c = 0; c < ncpus; c++)
			after += load[c];
		quick_assert_uint_eq(after, total);
		quick_assert(spread(load, ncpus) <= 1);
	}
}
END_TEST

/*
 * Real run queues: a burst of 32 entities on CPU 0, a quarter of them
 * pinned there and the rest allowed everywhere.  Pulling with
 * balance_pick_task never breaks affinity, leaves every queue sound,
 * and settles with the unpinned ones spread over CPUs 1..3.
 */
#define SIM_CPUS  4
#define SIM_TASKS 32

static unsigned
pull(struct runq *rq, unsigned *load, unsigned c)
{
	unsigned imb, moved = 0;
	int from = balance_pick_busiest(load, SIM_CPUS, c, &imb);

	if (from < 0)
		return 0;
	while (moved < imb) {
		struct sched_entity *se = balance_pick_task(&rq[from], c);

		if (se == NULL)
			break;
		ck_assert_int_eq(runq_dequeue(&rq[from], se), 0);
		se->cpu = (int16_t)c;
		ck_assert_int_eq(runq_enqueue(&rq[c], se), 0);
		load[from]--;
		load[c]++;
		moved++;
	}
	return moved;
}

START_TEST(run_queue_simulation_keeps_affinity)
{
	static struct sched_entity se[SIM_TASKS];
	struct runq rq[SIM_CPUS];
	unsigned load[SIM_CPUS] = {0}, rounds = 0, moved;

	for (unsigned c = 0; c < SIM_CPUS; c++)
		runq_init(&rq[c]);
	for (int i = 0; i < SIM_TASKS; i++) {
		sched_entity_init(&se[i], i % 5, i % 4 == 0 ? 0x1 : 0xf);
		se[i].cpu = 0;
		ck_assert_int_eq(runq_enqueue(&rq[0], &se[i]), 0);
		load[0]++;
	}
	do {
		moved = 0;
		for (unsigned c = 0; c < SIM_CPUS; c++)
			moved += pull(rq, load, c);
		for (unsigned c = 0; c < SIM_CPUS; c++) {
			ck_assert_int_eq(runq_check(&rq[c]), 0);
			ck_assert_uint_eq(rq[c].nr, load[c]);
		}
		ck_assert_uint_le(++rounds, 8);
	} while (moved > 0);

	for (int i = 0; i < SIM_TASKS; i++)
		ck_assert(balance_can_migrate(&se[i], se[i].cpu));
	/* 8 pinned stay on CPU 0; 24 free ones spread: 8 everywhere. */
	for (unsigned c = 0; c < SIM_CPUS; c++)
		ck_assert_uint_eq(load[c], 8);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("balance");
	TCase *tc = tcase_create("balance");

	tcase_add_test(tc, equal_loads_move_nothing);
	tcase_add_test(tc, eight_on_one_and_three_idle_pulls_four);
	tcase_add_test(tc, threshold_is_a_difference_of_two);
	tcase_add_test(tc, busiest_is_the_max_lowest_number_on_a_tie);
	tcase_add_test(tc, busiest_refuses_bad_arguments);
	tcase_add_test(tc, target_is_least_loaded_then_preferred_then_lowest);
	tcase_add_test(tc, target_obeys_affinity);
	tcase_add_test(tc, target_can_be_cpu_63);
	tcase_add_test(tc, can_migrate_respects_affinity);
	tcase_add_test(tc, pick_task_takes_lowest_priority_newest_allowed);
	tcase_add_test(tc, burst_of_32_on_cpu0_spreads_evenly);
	tcase_add_test(tc, random_loads_converge);
	tcase_add_test(tc, run_queue_simulation_keeps_affinity);
	suite_add_tcase(s, tc);
	return s;
}
