/*
 * test_rbtree.c - <lichen/rbtree.h>: growing and shrinking trees checked
 * with rb_check() after every step, a long random run against a sorted
 * array, equal keys, caller-driven insertion, and rb_check() itself
 * catching each kind of broken tree.
 */
#include <stdbool.h>
#include <stdlib.h>

#include <lichen/compiler.h>
#include <lichen/errno.h>
#include <lichen/rbtree.h>

#include "unit.h"

struct item {
	int key;
	int seq; /* insertion order, for equal keys */
	struct rb_node rb;
};

#define NITEMS 512

static struct item items[NITEMS];

static struct item *
item_of(const struct rb_node *n)
{
	return rb_entry_or_null(n, struct item, rb);
}

static int
cmp_items(const struct rb_node *a, const struct rb_node *b)
{
	int ka = item_of(a)->key, kb = item_of(b)->key;

	return (ka > kb) - (ka < kb);
}

static void
setup_items(void)
{
	for (int i = 0; i < NITEMS; i++) {
		items[i].key = i;
		items[i].seq = i;
	}
}

static int
height(const struct rb_node *n)
{
	int l, r;

	if (n == NULL)
		return 0;
	l = height(n->child[RB_LEFT]);
	r = height(n->child[RB_RIGHT]);
	return 1 + (l > r ? l : r);
}

/* A red-black tree of n nodes is at most 2 log2(n + 1) high. */
static void
assert_height_bound(const struct rb_root *root, size_t n)
{
	int h = height(root->node), bound = 0;

	while ((UINT64_C(1) << bound) <= n)
		bound++; /* bound = floor(log2 n) + 1 >= log2(n + 1) */
	quick_assert_msg(h <= 2 * bound, "height %d for %zu nodes", h, n);
}

/* The tree must be valid and hold exactly keys want[0..n), both ways. */
static void
assert_tree(const struct rb_root *root, const int *want, size_t n)
{
	struct rb_node *pos;
	size_t i = 0;

	quick_assert_int_eq(rb_check(root), 0);
	for (pos = rb_first(root); pos != NULL; pos = rb_next(pos)) {
		quick_assert(i < n);
		quick_assert_int_eq(item_of(pos)->key, want[i++]);
	}
	quick_assert_uint_eq(i, n);
	for (pos = rb_last(root); pos != NULL; pos = rb_prev(pos))
		quick_assert_int_eq(item_of(pos)->key, want[--i]);
	quick_assert_uint_eq(i, 0);
	quick_assert(rb_empty(root) == (n == 0));
}

START_TEST(empty_tree)
{
	struct rb_root root = RB_ROOT_INIT;

	ck_assert(rb_empty(&root));
	ck_assert_ptr_null(rb_first(&root));
	ck_assert_ptr_null(rb_last(&root));
	ck_assert_int_eq(rb_check(&root), 0);
	rb_init(&root);
	ck_assert(rb_empty(&root));
}
END_TEST

START_TEST(single_node)
{
	struct rb_root root = RB_ROOT_INIT;

	setup_items();
	rb_insert(&root, &items[7].rb, cmp_items);
	ck_assert_ptr_eq(root.node, &items[7].rb);
	ck_assert(!items[7].rb.red);
	ck_assert_ptr_null(items[7].rb.parent);
	ck_assert_ptr_eq(rb_first(&root), &items[7].rb);
	ck_assert_ptr_eq(rb_last(&root), &items[7].rb);
	ck_assert_ptr_null(rb_next(&items[7].rb));
	ck_assert_ptr_null(rb_prev(&items[7].rb));
	ck_assert_int_eq(rb_check(&root), 0);
	rb_erase(&root, &items[7].rb);
	ck_assert(rb_empty(&root));
	ck_assert_int_eq(rb_check(&root), 0);
}
END_TEST

/* Inserts keys in the given order of item indexes, checking each step. */
static void
grow(struct rb_root *root, bool ascending)
{
	int want[NITEMS];

	for (int n = 1; n <= NITEMS; n++) {
		int k = ascending ? n - 1 : NITEMS - n;

		rb_insert(root, &items[k].rb, cmp_items);
		for (int i = 0; i < n; i++)
			want[i] = ascending ? i : NITEMS - n + i;
		assert_tree(root, want, (size_t)n);
		assert_height_bound(root, (size_t)n);
	}
}

START_TEST(ascending_inserts_stay_balanced)
{
	struct rb_root root = RB_ROOT_INIT;

	setup_items();
	grow(&root, true);
}
END_TEST

START_TEST(descending_inserts_stay_balanced)
{
	struct rb_root root = RB_ROOT_INIT;

	setup_items();
	grow(&root, false);
}
END_TEST

/* Insertion by the owner's own descent, as <lichen/rbtree.h> shows it. */
static void
insert_by_descent(struct rb_root *root, struct item *it)
{
	struct rb_node **link = &root->node, *parent = NULL;
	int dir;

	while (*link != NULL) {
		parent = *link;
		dir = it->key < item_of(parent)->key ? RB_LEFT : RB_RIGHT;
		link = &parent->child[dir];
	}
	rb_link(&it->rb, parent, link);
	rb_insert_fixup(root, &it->rb);
}

START_TEST(caller_descent_with_link_and_fixup)
{
	struct rb_root root = RB_ROOT_INIT;
	int want[NITEMS];
	uint64_t seed = TEST_SEED;

	setup_items();
	/* A random permutation of the keys. */
	for (int i = 0; i < NITEMS; i++)
		want[i] = i;
	for (int i = NITEMS - 1; i > 0; i--) {
		int j = (int)(test_rand(&seed) % (uint64_t)(i + 1));
		int t = want[i];

		want[i] = want[j];
		want[j] = t;
	}
	for (int i = 0; i < NITEMS; i++) {
		insert_by_descent(&root, &items[want[i]]);
		quick_assert_int_eq(rb_check(&root), 0);
	}
	for (int i = 0; i < NITEMS; i++)
		want[i] = i;
	assert_tree(&root, want, NITEMS);
	assert_height_bound(&root, NITEMS);
}
END_TEST

START_TEST(equal_keys_keep_insertion_order)
{
	struct rb_root root = RB_ROOT_INIT;
	struct rb_node *pos;
	int seq = 0, last_key = -1, last_seq = -1;

	/* Keys 0..3 repeated, interleaved; seq numbers the insertions. */
	for (int i = 0; i < 64; i++) {
		items[i].key = (i * 7) % 4;
		items[i].seq = seq++;
		rb_insert(&root, &items[i].rb, cmp_items);
		ck_assert_int_eq(rb_check(&root), 0);
	}
	for (pos = rb_first(&root); pos != NULL; pos = rb_next(pos)) {
		struct item *it = item_of(pos);

		ck_assert_int_ge(it->key, last_key);
		if (it->key == last_key)
			ck_assert_int_gt(it->seq, last_seq);
		last_key = it->key;
		last_seq = it->seq;
	}
	/* Erasing one of several equal keys leaves the others in order. */
	rb_erase(&root, &items[4].rb);
	ck_assert_int_eq(rb_check(&root), 0);
	ck_assert_int_eq(item_of(rb_first(&root))->seq, 0);
	ck_assert_int_eq(item_of(rb_next(rb_first(&root)))->seq, 8);
}
END_TEST

START_TEST(erase_root_repeatedly)
{
	struct rb_root root = RB_ROOT_INIT;
	bool in[NITEMS] = {false};
	int want[NITEMS];
	size_t n = NITEMS;

	setup_items();
	for (int i = 0; i < NITEMS; i++) {
		rb_insert(&root, &items[i].rb, cmp_items);
		in[i] = true;
	}
	while (!rb_empty(&root)) {
		struct item *it = item_of(root.node);
		size_t k = 0;

		rb_erase(&root, &it->rb);
		in[it->key] = false;
		n--;
		for (int i = 0; i < NITEMS; i++) {
			if (in[i])
				want[k++] = i;
		}
		assert_tree(&root, want, n);
	}
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(erase_from_each_end)
{
	struct rb_root root = RB_ROOT_INIT;
	int want[NITEMS];
	int lo = 0, hi = NITEMS;

	setup_items();
	for (int i = 0; i < NITEMS; i++)
		rb_insert(&root, &items[i].rb, cmp_items);
	while (lo < hi) {
		if ((lo + hi) % 2) {
			rb_erase(&root, rb_first(&root));
			lo++;
		} else {
			rb_erase(&root, rb_last(&root));
			hi--;
		}
		for (int i = lo; i < hi; i++)
			want[i - lo] = i;
		assert_tree(&root, want, (size_t)(hi - lo));
	}
}
END_TEST

/*
 * Random inserts and erases of unique keys against a sorted array, with
 * rb_check and a full in-order comparison after every operation.
 */
START_TEST(random_operations_match_sorted_array)
{
	struct rb_root root = RB_ROOT_INIT;
	bool in[NITEMS] = {false};
	int model[NITEMS];
	size_t n = 0, at;
	uint64_t seed = TEST_SEED;

	setup_items();
	for (int step = 0; step < 20000; step++) {
		/* Bias towards inserting early, erasing late. */
		int k = (int)(test_rand(&seed) % NITEMS);
		bool grow_phase = (step / 2500) % 2 == 0;

		if (in[k] == grow_phase && test_rand(&seed) % 4 != 0)
			continue;
		for (at = 0; at < n && model[at] < k; at++)
			;
		if (in[k]) {
			rb_erase(&root, &items[k].rb);
			for (; at + 1 < n; at++)
				model[at] = model[at + 1];
			n--;
		} else {
			rb_insert(&root, &items[k].rb, cmp_items);
			for (size_t j = n; j > at; j--)
				model[j] = model[j - 1];
			model[at] = k;
			n++;
		}
		in[k] = !in[k];
		assert_tree(&root, model, n);
		assert_height_bound(&root, n);
	}
}
END_TEST

/* Builds a valid 3-node tree: 1 black with red children 0 and 2. */
static void
build_three(struct rb_root *root)
{
	setup_items();
	rb_insert(root, &items[1].rb, cmp_items);
	rb_insert(root, &items[0].rb, cmp_items);
	rb_insert(root, &items[2].rb, cmp_items);
	ck_assert_ptr_eq(root->node, &items[1].rb);
	ck_assert(items[0].rb.red && items[2].rb.red);
	ck_assert_int_eq(rb_check(root), 0);
}

START_TEST(check_rejects_red_root)
{
	struct rb_root root = RB_ROOT_INIT;

	build_three(&root);
	items[1].rb.red = true;
	ck_assert_int_eq(rb_check(&root), -EINVAL);
}
END_TEST

START_TEST(check_rejects_red_red)
{
	struct rb_root root = RB_ROOT_INIT;

	build_three(&root);
	/* Hang red 3 under red 2: black heights stay equal. */
	rb_link(&items[3].rb, &items[2].rb, &items[2].rb.child[RB_RIGHT]);
	ck_assert_int_eq(rb_check(&root), -EINVAL);
	items[2].rb.red = false;
	items[0].rb.red = false;
	ck_assert_int_eq(rb_check(&root), 0);
}
END_TEST

START_TEST(check_rejects_unequal_black_heights)
{
	struct rb_root root = RB_ROOT_INIT;

	build_three(&root);
	items[0].rb.red = false;
	ck_assert_int_eq(rb_check(&root), -EINVAL);
	items[2].rb.red = false;
	ck_assert_int_eq(rb_check(&root), 0);
}
END_TEST

START_TEST(check_rejects_bad_parent_pointer)
{
	struct rb_root root = RB_ROOT_INIT;

	build_three(&root);
	items[2].rb.parent = &items[0].rb;
	ck_assert_int_eq(rb_check(&root), -EINVAL);
	items[2].rb.parent = &items[1].rb;
	items[1].rb.parent = &items[1].rb;
	ck_assert_int_eq(rb_check(&root), -EINVAL);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("rbtree");
	TCase *tc = tcase_create("rbtree");

	tcase_add_test(tc, empty_tree);
	tcase_add_test(tc, single_node);
	tcase_add_test(tc, ascending_inserts_stay_balanced);
	tcase_add_test(tc, descending_inserts_stay_balanced);
	tcase_add_test(tc, caller_descent_with_link_and_fixup);
	tcase_add_test(tc, equal_keys_keep_insertion_order);
	tcase_add_test(tc, erase_root_repeatedly);
	tcase_add_test(tc, erase_from_each_end);
	tcase_add_test(tc, random_operations_match_sorted_array);
	tcase_add_test(tc, check_rejects_red_root);
	tcase_add_test(tc, check_rejects_red_red);
	tcase_add_test(tc, check_rejects_unequal_black_heights);
	tcase_add_test(tc, check_rejects_bad_parent_pointer);
	suite_add_tcase(s, tc);
	return s;
}
