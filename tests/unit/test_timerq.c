/*
 * test_timerq.c - <lichen/timerq.h>: deadline order, equal deadlines in
 * arming order, re-arming and cancelling, popping with "now" between
 * deadlines, extreme deadlines, timerq_check against corruption, and a
 * long random run against a sorted-array model.
 */
#include <stdbool.h>
#include <string.h>

#include <lichen/compiler.h>
#include <lichen/errno.h>
#include <lichen/timerq.h>

#include "unit.h"

#define NT 128

static struct ktimer t[NT];

static void
init_timers(void)
{
	for (int i = 0; i < NT; i++)
		ktimer_init(&t[i]);
}

/* Pops everything due by now and asserts it is want[0 .. n), in order. */
static void
assert_expired(struct timerq *q, uint64_t now, const int *want, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct ktimer *k = timerq_pop_expired(q, now);

		ck_assert_msg(k == &t[want[i]], "pop %zu: got t[%td], want %d",
		    i, k == NULL ? -1 : k - t, want[i]);
		ck_assert(!k->armed);
		ck_assert_int_eq(timerq_check(q), 0);
	}
	ck_assert_ptr_null(timerq_pop_expired(q, now));
}

START_TEST(empty_queue_never_expires)
{
	struct timerq q;

	timerq_init(&q);
	init_timers();
	ck_assert(timerq_empty(&q));
	ck_assert_uint_eq(timerq_next_deadline(&q), UINT64_MAX);
	ck_assert_ptr_null(timerq_pop_expired(&q, 0));
	ck_assert_ptr_null(timerq_pop_expired(&q, UINT64_MAX));
	ck_assert(!timerq_cancel(&q, &t[0]));
	ck_assert_int_eq(timerq_check(&q), 0);
}
END_TEST

START_TEST(pops_in_deadline_order)
{
	static const uint64_t deadline[] = {500, 100, 900, 300, 700, 200};
	static const int want[] = {1, 5, 3, 0, 4, 2};
	struct timerq q;

	timerq_init(&q);
	init_timers();
	for (size_t i = 0; i < ARRAY_SIZE(deadline); i++) {
		timerq_arm(&q, &t[i], deadline[i]);
		ck_assert(t[i].armed);
	}
	ck_assert_uint_eq(q.count, 6);
	ck_assert_uint_eq(timerq_next_deadline(&q), 100);
	ck_assert_int_eq(timerq_check(&q), 0);
	assert_expired(&q, 1000, want, ARRAY_SIZE(want));
	ck_assert(timerq_empty(&q));
	ck_assert_uint_eq(timerq_next_deadline(&q), UINT64_MAX);
}
END_TEST

START_TEST(equal_deadlines_fire_in_arming_order)
{
	static const int order[] = {7, 2, 9, 0, 5, 3};
	static const int want[] = {1, 7, 2, 9, 0, 5, 3, 4};
	struct timerq q;

	timerq_init(&q);
	init_timers();
	timerq_arm(&q, &t[4], 51);
	for (size_t i = 0; i < ARRAY_SIZE(order); i++)
		timerq_arm(&q, &t[order[i]], 50);
	timerq_arm(&q, &t[1], 49);
	ck_assert_int_eq(timerq_check(&q), 0);
	assert_expired(&q, 51, want, ARRAY_SIZE(want));
}
END_TEST

START_TEST(rearming_moves_the_timer)
{
	static const int want[] = {2, 4, 0, 1, 3};
	struct timerq q;

	timerq_init(&q);
	init_timers();
	timerq_arm(&q, &t[0], 100);
	timerq_arm(&q, &t[1], 200);
	timerq_arm(&q, &t[2], 300);
	timerq_arm(&q, &t[3], 300);
	timerq_arm(&q, &t[4], 100);
	/* Earlier, to the front. */
	timerq_arm(&q, &t[2], 10);
	ck_assert_uint_eq(timerq_next_deadline(&q), 10);
	/* The first one later: next_deadline follows. */
	timerq_arm(&q, &t[2], 50);
	ck_assert_uint_eq(timerq_next_deadline(&q), 50);
	/* Re-armed at an existing deadline: after the ones already there. */
	timerq_arm(&q, &t[1], 300);
	timerq_arm(&q, &t[3], 300);
	/* Re-armed for the deadline it had: it moves behind t[4]. */
	timerq_arm(&q, &t[0], 100);
	ck_assert_uint_eq(t[0].deadline, 100);
	ck_assert_uint_eq(q.count, 5);
	ck_assert_int_eq(timerq_check(&q), 0);
	assert_expired(&q, 300, want, ARRAY_SIZE(want));
	ck_assert(timerq_empty(&q));
}
END_TEST

START_TEST(cancel_says_whether_it_was_armed)
{
	static const int want[] = {0, 2};
	struct timerq q;

	timerq_init(&q);
	init_timers();
	timerq_arm(&q, &t[0], 10);
	timerq_arm(&q, &t[1], 20);
	timerq_arm(&q, &t[2], 30);
	ck_assert(timerq_cancel(&q, &t[1]));
	ck_assert(!t[1].armed);
	ck_assert(!timerq_cancel(&q, &t[1]));
	ck_assert_uint_eq(q.count, 2);
	ck_assert_int_eq(timerq_check(&q), 0);
	assert_expired(&q, 100, want, ARRAY_SIZE(want));
	/* A popped timer is no longer armed: cancelling it does nothing. */
	ck_assert(!timerq_cancel(&q, &t[0]));
	/* A cancelled timer can be armed again. */
	timerq_arm(&q, &t[1], 5);
	ck_assert_ptr_eq(timerq_pop_expired(&q, 5), &t[1]);
}
END_TEST

START_TEST(cancelling_the_first_updates_next_deadline)
{
	struct timerq q;

	timerq_init(&q);
	init_timers();
	timerq_arm(&q, &t[0], 10);
	timerq_arm(&q, &t[1], 20);
	timerq_arm(&q, &t[2], 20);
	ck_assert(timerq_cancel(&q, &t[0]));
	ck_assert_uint_eq(timerq_next_deadline(&q), 20);
	ck_assert_ptr_eq(q.first, &t[1]);
	ck_assert(timerq_cancel(&q, &t[1]));
	ck_assert_ptr_eq(q.first, &t[2]);
	ck_assert(timerq_cancel(&q, &t[2]));
	ck_assert_ptr_null(q.first);
	ck_assert_uint_eq(timerq_next_deadline(&q), UINT64_MAX);
	ck_assert_int_eq(timerq_check(&q), 0);
}
END_TEST

START_TEST(pop_with_now_between_deadlines)
{
	static const int first[] = {0, 1};
	static const int second[] = {2};
	struct timerq q;

	timerq_init(&q);
	init_timers();
	timerq_arm(&q, &t[0], 1000);
	timerq_arm(&q, &t[1], 2000);
	timerq_arm(&q, &t[2], 3000);
	timerq_arm(&q, &t[3], 4000);
	ck_assert_ptr_null(timerq_pop_expired(&q, 999));
	assert_expired(&q, 2500, first, ARRAY_SIZE(first));
	ck_assert_uint_eq(timerq_next_deadline(&q), 3000);
	ck_assert_ptr_null(timerq_pop_expired(&q, 2999));
	/* deadline <= now: exactly at the deadline fires. */
	assert_expired(&q, 3000, second, ARRAY_SIZE(second));
	ck_assert_uint_eq(timerq_next_deadline(&q), 4000);
	ck_assert(t[3].armed);
	ck_assert_uint_eq(q.count, 1);
}
END_TEST

START_TEST(extreme_deadlines)
{
	struct timerq q;

	timerq_init(&q);
	init_timers();
	timerq_arm(&q, &t[0], UINT64_MAX);
	ck_assert(!timerq_empty(&q));
	ck_assert_uint_eq(timerq_next_deadline(&q), UINT64_MAX);
	ck_assert_ptr_null(timerq_pop_expired(&q, UINT64_MAX - 1));
	timerq_arm(&q, &t[1], 0);
	ck_assert_uint_eq(timerq_next_deadline(&q), 0);
	ck_assert_ptr_eq(timerq_pop_expired(&q, 0), &t[1]);
	ck_assert_ptr_eq(timerq_pop_expired(&q, UINT64_MAX), &t[0]);
	ck_assert(timerq_empty(&q));
	ck_assert_int_eq(timerq_check(&q), 0);
}
END_TEST

START_TEST(check_catches_corruption)
{
	struct timerq q;

	timerq_init(&q);
	init_timers();
	for (int i = 0; i < 10; i++)
		timerq_arm(&q, &t[i], 100 * (i + 1));
	ck_assert_int_eq(timerq_check(&q), 0);

	q.count++;
	ck_assert_int_eq(timerq_check(&q), -EIO);
	q.count -= 2;
	ck_assert_int_eq(timerq_check(&q), -EIO);
	q.count++;
	t[4].armed = false;
	ck_assert_int_eq(timerq_check(&q), -EIO);
	t[4].armed = true;
	q.first = &t[1];
	ck_assert_int_eq(timerq_check(&q), -EIO);
	q.first = &t[0];
	t[5].deadline = 50; /* out of order in place */
	ck_assert_int_eq(timerq_check(&q), -EIO);
	t[5].deadline = 600;
	t[3].node.red = !t[3].node.red;
	ck_assert_int_eq(timerq_check(&q), -EIO);
	t[3].node.red = !t[3].node.red;
	ck_assert_int_eq(timerq_check(&q), 0);
}
END_TEST

/* The model: armed timers' indices sorted by (deadline, arming order). */
struct model {
	int idx[NT];
	uint64_t deadline[NT];
	unsigned n;
};

static void
model_remove(struct model *m, int i)
{
	for (unsigned k = 0; k < m->n; k++) {
		if (m->idx[k] != i)
			continue;
		memmove(
		    &m->idx[k], &m->idx[k + 1], (m->n - k - 1) * sizeof(int));
		memmove(&m->deadline[k], &m->deadline[k + 1],
		    (m->n - k - 1) * sizeof(uint64_t));
		m->n--;
		return;
	}
}

static void
model_arm(struct model *m, int i, uint64_t deadline)
{
	unsigned k = 0;

	model_remove(m, i);
	while (k < m->n && m->deadline[k] <= deadline)
		k++;
	memmove(&m->idx[k + 1], &m->idx[k], (m->n - k) * sizeof(int));
	memmove(&m->deadline[k + 1], &m->deadline[k],
	    (m->n - k) * sizeof(uint64_t));
	m->idx[k] = i;
	m->deadline[k] = deadline;
	m->n++;
}

static bool
model_armed(const struct model *m, int i)
{
	for (unsigned k = 0; k < m->n; k++)
		if (m->idx[k] == i)
			return true;
	return false;
}

/* The tree's in-order walk must be the model's array. */
static void
assert_same_order(const struct timerq *q, const struct model *m)
{
	const struct rb_node *n = rb_first(&q->root);

	for (unsigned k = 0; k < m->n; k++, n = rb_next(n)) {
		quick_assert(n != NULL);
		quick_assert_ptr_eq(
		    rb_entry(n, struct ktimer, node), &t[m->idx[k]]);
	}
	quick_assert(n == NULL);
}

/* One random operation; time moves forward by up to 40. */
static void
random_step(struct timerq *q, struct model *m, uint64_t *now, uint64_t *seed)
{
	int i = test_rand(seed) % NT;
	unsigned op = test_rand(seed) % 8;

	if (op < 4) {
		/* Deadlines on a coarse grid, so many are equal. */
		uint64_t d = *now + test_rand(seed) % 20 * 10;

		timerq_arm(q, &t[i], d);
		model_arm(m, i, d);
	} else if (op < 6) {
		bool armed = model_armed(m, i);

		quick_assert(timerq_cancel(q, &t[i]) == armed);
		model_remove(m, i);
	} else {
		*now += test_rand(seed) % 40;
		for (;;) {
			struct ktimer *k = timerq_pop_expired(q, *now);

			if (m->n == 0 || m->deadline[0] > *now) {
				quick_assert(k == NULL);
				break;
			}
			quick_assert_ptr_eq(k, &t[m->idx[0]]);
			quick_assert_uint_eq(k->deadline, m->deadline[0]);
			model_remove(m, m->idx[0]);
		}
	}
}

START_TEST(random_run_matches_a_sorted_array)
{
	static struct model m;
	struct timerq q;
	uint64_t now = 1000, seed = TEST_SEED;

	timerq_init(&q);
	init_timers();
	memset(&m, 0, sizeof(m));
	for (int step = 0; step < 50000; step++) {
		random_step(&q, &m, &now, &seed);
		quick_assert_int_eq(timerq_check(&q), 0);
		quick_assert_uint_eq(q.count, m.n);
		quick_assert_uint_eq(timerq_next_deadline(&q),
		    m.n == 0 ? UINT64_MAX : m.deadline[0]);
		if (step % 64 == 0)
			assert_same_order(&q, &m);
	}
	for (int i = 0; i < NT; i++)
		quick_assert(t[i].armed == model_armed(&m, i));
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("timerq");
	TCase *tc = tcase_create("timerq");

	tcase_add_test(tc, empty_queue_never_expires);
	tcase_add_test(tc, pops_in_deadline_order);
	tcase_add_test(tc, equal_deadlines_fire_in_arming_order);
	tcase_add_test(tc, rearming_moves_the_timer);
	tcase_add_test(tc, cancel_says_whether_it_was_armed);
	tcase_add_test(tc, cancelling_the_first_updates_next_deadline);
	tcase_add_test(tc, pop_with_now_between_deadlines);
	tcase_add_test(tc, extreme_deadlines);
	tcase_add_test(tc, check_catches_corruption);
	tcase_add_test(tc, random_run_matches_a_sorted_array);
	suite_add_tcase(s, tc);
	return s;
}
