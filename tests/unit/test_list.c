/*
 * test_list.c - <lichen/list.h>: each operation by hand, then a long run
 * of random operations checked against an array that models the list.
 */
#include <stdlib.h>

#include <lichen/list.h>

#include "unit.h"

struct item {
	int value;
	struct list_node node;
};

#define NITEMS 16

static struct item items[NITEMS];

static void
setup_items(void)
{
	for (int i = 0; i < NITEMS; i++) {
		items[i].value = i;
		list_init(&items[i].node);
	}
}

/* The list must hold exactly the values want[0..n), in order, both ways. */
static void
assert_list(struct list_node *head, const int *want, size_t n)
{
	struct list_node *pos;
	size_t i = 0;

	quick_assert_uint_eq(list_length(head), n);
	quick_assert(list_empty(head) == (n == 0));
	list_for_each(pos, head) {
		ck_assert_uint_lt(i, n);
		quick_assert_int_eq(
		    list_entry(pos, struct item, node)->value, want[i++]);
		quick_assert_ptr_eq(pos->next->prev, pos);
	}
	for (pos = head->prev; pos != head; pos = pos->prev)
		quick_assert_int_eq(
		    list_entry(pos, struct item, node)->value, want[--i]);
	quick_assert_uint_eq(i, 0);
}

START_TEST(new_list_is_empty)
{
	struct list_node head;
	struct list_node static_head = LIST_HEAD_INIT(static_head);

	list_init(&head);
	ck_assert(list_empty(&head));
	ck_assert(list_empty(&static_head));
	ck_assert_uint_eq(list_length(&head), 0);
	ck_assert_ptr_null(list_first(&head));
	ck_assert_ptr_null(list_last(&head));
	ck_assert_ptr_null(list_first_entry(&head, struct item, node));
}
END_TEST

START_TEST(add_head_prepends)
{
	struct list_node head;
	const int want[] = {2, 1, 0};

	setup_items();
	list_init(&head);
	for (int i = 0; i < 3; i++)
		list_add_head(&head, &items[i].node);
	assert_list(&head, want, 3);
}
END_TEST

START_TEST(add_tail_appends)
{
	struct list_node head;
	const int want[] = {0, 1, 2, 3};

	setup_items();
	list_init(&head);
	for (int i = 0; i < 4; i++)
		list_add_tail(&head, &items[i].node);
	assert_list(&head, want, 4);
	ck_assert_ptr_eq(list_first(&head), &items[0].node);
	ck_assert_ptr_eq(list_last(&head), &items[3].node);
	ck_assert_ptr_eq(list_first_entry(&head, struct item, node), &items[0]);
}
END_TEST

START_TEST(remove_unlinks_and_reinitialises)
{
	struct list_node head;
	const int after_middle[] = {0, 2}, after_all[] = {0};

	setup_items();
	list_init(&head);
	for (int i = 0; i < 3; i++)
		list_add_tail(&head, &items[i].node);
	list_remove(&items[1].node);
	assert_list(&head, after_middle, 2);
	ck_assert(list_empty(&items[1].node));
	/* Removing an unlinked node again is harmless. */
	list_remove(&items[1].node);
	list_remove(&items[2].node);
	assert_list(&head, after_all, 1);
	list_remove(&items[0].node);
	assert_list(&head, NULL, 0);
}
END_TEST

START_TEST(for_each_entry_visits_in_order)
{
	struct list_node head;
	struct item *it;
	int expect = 0;

	setup_items();
	list_init(&head);
	for (int i = 0; i < NITEMS; i++)
		list_add_tail(&head, &items[i].node);
	list_for_each_entry(it, &head, node)
		ck_assert_int_eq(it->value, expect++);
	ck_assert_int_eq(expect, NITEMS);
}
END_TEST

START_TEST(for_each_safe_allows_removal)
{
	struct list_node head, *pos, *tmp;
	struct item *it, *next;
	const int odd[] = {1, 3, 5, 7, 9, 11, 13, 15};

	setup_items();
	list_init(&head);
	for (int i = 0; i < NITEMS; i++)
		list_add_tail(&head, &items[i].node);
	list_for_each_safe(pos, tmp, &head) {
		if (list_entry(pos, struct item, node)->value % 2 == 0)
			list_remove(pos);
	}
	assert_list(&head, odd, 8);
	list_for_each_entry_safe(it, next, &head, node)
		list_remove(&it->node);
	assert_list(&head, NULL, 0);
}
END_TEST

START_TEST(splice_tail_moves_everything)
{
	struct list_node a, b;
	const int joined[] = {0, 1, 2, 3, 4};

	setup_items();
	list_init(&a);
	list_init(&b);
	for (int i = 0; i < 2; i++)
		list_add_tail(&a, &items[i].node);
	for (int i = 2; i < 5; i++)
		list_add_tail(&b, &items[i].node);
	list_splice_tail(&a, &b);
	assert_list(&a, joined, 5);
	assert_list(&b, NULL, 0);
}
END_TEST

START_TEST(splice_tail_with_empty_lists)
{
	struct list_node a, b;
	const int one[] = {7};

	setup_items();
	list_init(&a);
	list_init(&b);
	list_splice_tail(&a, &b);
	assert_list(&a, NULL, 0);
	list_add_tail(&b, &items[7].node);
	list_splice_tail(&a, &b); /* into an empty list */
	assert_list(&a, one, 1);
	list_splice_tail(&a, &b); /* from an empty list */
	assert_list(&a, one, 1);
	assert_list(&b, NULL, 0);
}
END_TEST

/* Applies random operations to the list and to a model array in step. */
START_TEST(random_operations_match_a_model)
{
	struct list_node head;
	int model[NITEMS];
	size_t n = 0;
	uint64_t rng = TEST_SEED;

	setup_items();
	list_init(&head);
	for (int iter = 0; iter < 20000; iter++) {
		int v = (int)(test_rand(&rng) % NITEMS);
		size_t at;

		for (at = 0; at < n && model[at] != v; at++)
			continue;
		if (at < n) {
			list_remove(&items[v].node);
			for (; at + 1 < n; at++)
				model[at] = model[at + 1];
			n--;
		} else if (test_rand(&rng) % 2 == 0) {
			list_add_tail(&head, &items[v].node);
			model[n++] = v;
		} else {
			list_add_head(&head, &items[v].node);
			for (at = n++; at > 0; at--)
				model[at] = model[at - 1];
			model[0] = v;
		}
		assert_list(&head, model, n);
	}
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("list");
	TCase *tc = tcase_create("list");

	tcase_add_test(tc, new_list_is_empty);
	tcase_add_test(tc, add_head_prepends);
	tcase_add_test(tc, add_tail_appends);
	tcase_add_test(tc, remove_unlinks_and_reinitialises);
	tcase_add_test(tc, for_each_entry_visits_in_order);
	tcase_add_test(tc, for_each_safe_allows_removal);
	tcase_add_test(tc, splice_tail_moves_everything);
	tcase_add_test(tc, splice_tail_with_empty_lists);
	tcase_add_test(tc, random_operations_match_a_model);
	suite_add_tcase(s, tc);
	return s;
}
