/*
 * test_extable.c - <lichen/extable.h>: sorting shuffled tables and finding
 * exactly the listed instructions, nothing near them.
 */
#include <lichen/extable.h>

#include "unit.h"

#define N	300

static struct extable_entry table[N];

/* insn i is 0x1000 + 8 * i (every other word), its fixup 0x9000 + i. */
static void
fill_shuffled(uint64_t *seed, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		table[i].insn = 0x1000 + 8 * i;
		table[i].fixup = 0x9000 + i;
	}
	for (size_t i = n; i > 1; i--) {
		size_t j = test_rand(seed) % i;
		struct extable_entry t = table[i - 1];

		table[i - 1] = table[j];
		table[j] = t;
	}
}

START_TEST(sort_orders_by_insn)
{
	uint64_t seed = TEST_SEED;

	for (size_t n = 0; n <= N; n += 37) {
		fill_shuffled(&seed, n);
		extable_sort(table, n);
		for (size_t i = 1; i < n; i++)
			quick_assert(table[i - 1].insn < table[i].insn);
		for (size_t i = 0; i < n; i++)
			quick_assert_uint_eq(table[i].fixup, 0x9000 + i);
	}
}
END_TEST

START_TEST(search_finds_every_entry_and_nothing_else)
{
	uint64_t seed = TEST_SEED;

	fill_shuffled(&seed, N);
	extable_sort(table, N);
	for (size_t i = 0; i < N; i++) {
		uint64_t insn = 0x1000 + 8 * i;

		quick_assert_uint_eq(extable_search(table, N, insn), 0x9000 + i);
		quick_assert_uint_eq(extable_search(table, N, insn + 4), 0);
	}
	ck_assert_uint_eq(extable_search(table, N, 0xffc), 0);
	ck_assert_uint_eq(extable_search(table, N, 0x1000 + 8 * N), 0);
	ck_assert_uint_eq(extable_search(table, N, UINT64_MAX), 0);
}
END_TEST

START_TEST(empty_and_single)
{
	struct extable_entry one = { 0x40, 0x80 };

	ck_assert_uint_eq(extable_search(NULL, 0, 0x40), 0);
	extable_sort(&one, 1);
	ck_assert_uint_eq(extable_search(&one, 1, 0x40), 0x80);
	ck_assert_uint_eq(extable_search(&one, 1, 0x3c), 0);
	ck_assert_uint_eq(extable_search(&one, 1, 0x44), 0);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("extable");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, sort_orders_by_insn);
	tcase_add_test(tc, search_finds_every_entry_and_nothing_else);
	tcase_add_test(tc, empty_and_single);
	suite_add_tcase(s, tc);
	return s;
}
