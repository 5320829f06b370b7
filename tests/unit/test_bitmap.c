/*
 * test_bitmap.c - <lichen/bitmap.h> at word boundaries, with sizes that
 * are not multiples of 64 and junk in the unused tail bits, and against a
 * plain bool array under a long run of random operations.
 */
#include <stdbool.h>
#include <string.h>

#include <lichen/bitmap.h>
#include <lichen/compiler.h>

#include "unit.h"

#define MAX_BITS 300

/* A bool-per-bit model, searched the obvious way. */
struct model {
	bool bit[MAX_BITS];
	size_t nbits;
};

static size_t
model_find_next(const struct model *m, size_t start, bool value)
{
	for (size_t i = start; i < m->nbits; i++) {
		if (m->bit[i] == value)
			return i;
	}
	return m->nbits;
}

static size_t
model_zero_area(const struct model *m, size_t count)
{
	size_t run = 0;

	if (count == 0)
		return 0;
	for (size_t i = 0; i < m->nbits; i++) {
		run = m->bit[i] ? 0 : run + 1;
		if (run == count)
			return i + 1 - count;
	}
	return m->nbits;
}

static size_t
model_count(const struct model *m)
{
	size_t n = 0;

	for (size_t i = 0; i < m->nbits; i++)
		n += m->bit[i];
	return n;
}

START_TEST(set_clear_test_single_bits)
{
	uint64_t bm[BITMAP_WORDS(130)] = {0};
	const size_t bits[] = {0, 1, 62, 63, 64, 65, 127, 128, 129};

	ck_assert_uint_eq(BITMAP_WORDS(130), 3);
	for (size_t i = 0; i < ARRAY_SIZE(bits); i++) {
		bitmap_set(bm, bits[i]);
		ck_assert(bitmap_test(bm, bits[i]));
	}
	ck_assert_uint_eq(bm[0], 0xc000000000000003);
	ck_assert_uint_eq(bm[1], 0x8000000000000003);
	ck_assert_uint_eq(bm[2], 0x3);
	bitmap_clear(bm, 63);
	bitmap_clear(bm, 64);
	ck_assert(!bitmap_test(bm, 63));
	ck_assert(!bitmap_test(bm, 64));
	ck_assert(bitmap_test(bm, 62));
	ck_assert(bitmap_test(bm, 65));
	ck_assert_uint_eq(bitmap_count(bm, 130), 7);
}
END_TEST

START_TEST(words_macro_rounds_up)
{
	ck_assert_uint_eq(BITMAP_WORDS(0), 0);
	ck_assert_uint_eq(BITMAP_WORDS(1), 1);
	ck_assert_uint_eq(BITMAP_WORDS(64), 1);
	ck_assert_uint_eq(BITMAP_WORDS(65), 2);
	ck_assert_uint_eq(BITMAP_WORDS(128), 2);
}
END_TEST

/* Sets, then clears, bits [start, start + count) of a 192-bit map. */
static void
check_range(size_t start, size_t count)
{
	uint64_t bm[3];

	memset(bm, 0, sizeof(bm));
	bitmap_set_range(bm, start, count);
	for (size_t i = 0; i < 192; i++)
		quick_assert(
		    bitmap_test(bm, i) == (i >= start && i < start + count));
	quick_assert_uint_eq(bitmap_count(bm, 192), count);

	memset(bm, 0xff, sizeof(bm));
	bitmap_clear_range(bm, start, count);
	quick_assert_uint_eq(bitmap_count(bm, 192), 192 - count);
	quick_assert_uint_eq(
	    bitmap_find_first_zero(bm, 192), count ? start : 192);
}

/* Every range in a 3-word map, so every pair of word boundaries. */
START_TEST(ranges_across_word_boundaries)
{
	for (size_t start = 0; start <= 192; start++) {
		for (size_t count = 0; start + count <= 192; count++)
			check_range(start, count);
	}
}
END_TEST

START_TEST(empty_and_full_maps)
{
	uint64_t zeros[2] = {0, 0}, ones[2] = {~0ULL, ~0ULL};

	ck_assert_uint_eq(bitmap_find_first_set(zeros, 100), 100);
	ck_assert_uint_eq(bitmap_find_first_zero(zeros, 100), 0);
	ck_assert_uint_eq(bitmap_find_first_zero(ones, 100), 100);
	ck_assert_uint_eq(bitmap_find_first_set(ones, 100), 0);
	ck_assert_uint_eq(bitmap_count(ones, 100), 100);
	ck_assert_uint_eq(bitmap_count(zeros, 100), 0);
	ck_assert_uint_eq(bitmap_find_zero_area(ones, 100, 1), 100);
	ck_assert_uint_eq(bitmap_find_zero_area(zeros, 100, 100), 0);
	ck_assert_uint_eq(bitmap_find_zero_area(zeros, 100, 101), 100);
	/* A zero-size map has nothing to find. */
	ck_assert_uint_eq(bitmap_find_first_set(ones, 0), 0);
	ck_assert_uint_eq(bitmap_count(ones, 0), 0);
}
END_TEST

START_TEST(tail_bits_past_nbits_are_ignored)
{
	/* 70 bits: word 1 holds bits 64..69, its upper 58 bits are junk. */
	uint64_t bm[2] = {~0ULL, ~0ULL << 6};

	ck_assert_uint_eq(bitmap_find_first_zero(bm, 70), 64);
	ck_assert_uint_eq(bitmap_find_next_set(bm, 70, 64), 70);
	ck_assert_uint_eq(bitmap_count(bm, 70), 64);
	bm[1] = ~0ULL;
	ck_assert_uint_eq(bitmap_find_first_zero(bm, 70), 70);
	ck_assert_uint_eq(bitmap_count(bm, 70), 70);
	bm[1] = 0;
	bm[0] = 0;
	bm[1] = ~0ULL << 6;
	ck_assert_uint_eq(bitmap_find_first_set(bm, 70), 70);
	ck_assert_uint_eq(bitmap_find_zero_area(bm, 70, 70), 0);
	ck_assert_uint_eq(bitmap_find_zero_area(bm, 70, 71), 70);
}
END_TEST

START_TEST(find_next_from_every_start)
{
	uint64_t bm[BITMAP_WORDS(200)] = {0};
	const size_t set[] = {3, 63, 64, 100, 127, 128, 199};
	size_t k = 0;

	for (size_t i = 0; i < ARRAY_SIZE(set); i++)
		bitmap_set(bm, set[i]);
	for (size_t start = 0; start <= 210; start++) {
		while (k < 7 && set[k] < start)
			k++;
		ck_assert_uint_eq(bitmap_find_next_set(bm, 200, start),
		    k < 7 && start < 200 ? set[k] : 200);
	}
}
END_TEST

START_TEST(find_next_zero_from_every_start)
{
	uint64_t bm[BITMAP_WORDS(200)];

	memset(bm, 0xff, sizeof(bm));
	bitmap_clear(bm, 64);
	bitmap_clear(bm, 150);
	for (size_t start = 0; start <= 210; start++) {
		size_t want = start <= 64 ? 64 : start <= 150 ? 150 : 200;

		ck_assert_uint_eq(bitmap_find_next_zero(bm, 200, start), want);
	}
}
END_TEST

START_TEST(zero_area_spanning_words)
{
	uint64_t bm[BITMAP_WORDS(256)];

	memset(bm, 0xff, sizeof(bm));
	bitmap_clear_range(bm, 10, 5);	 /* too short for 8 */
	bitmap_clear_range(bm, 60, 10);	 /* straddles words 0 and 1 */
	bitmap_clear_range(bm, 190, 66); /* runs to the end */
	ck_assert_uint_eq(bitmap_find_zero_area(bm, 256, 5), 10);
	ck_assert_uint_eq(bitmap_find_zero_area(bm, 256, 8), 60);
	ck_assert_uint_eq(bitmap_find_zero_area(bm, 256, 10), 60);
	ck_assert_uint_eq(bitmap_find_zero_area(bm, 256, 11), 190);
	ck_assert_uint_eq(bitmap_find_zero_area(bm, 256, 66), 190);
	ck_assert_uint_eq(bitmap_find_zero_area(bm, 256, 67), 256);
	/* The run must fit below nbits, not just below the array's end. */
	ck_assert_uint_eq(bitmap_find_zero_area(bm, 250, 61), 250);
	ck_assert_uint_eq(bitmap_find_zero_area(bm, 250, 60), 190);
	ck_assert_uint_eq(bitmap_find_zero_area(bm, 256, 0), 0);
}
END_TEST

static void
check_against_model(const uint64_t *bm, const struct model *m, uint64_t *rng)
{
	size_t start = test_rand(rng) % (m->nbits + 2);
	size_t count = test_rand(rng) % 20;

	for (size_t i = 0; i < m->nbits; i++)
		quick_assert(bitmap_test(bm, i) == m->bit[i]);
	quick_assert_uint_eq(bitmap_count(bm, m->nbits), model_count(m));
	quick_assert_uint_eq(bitmap_find_next_set(bm, m->nbits, start),
	    model_find_next(m, start, true));
	quick_assert_uint_eq(bitmap_find_next_zero(bm, m->nbits, start),
	    model_find_next(m, start, false));
	quick_assert_uint_eq(bitmap_find_zero_area(bm, m->nbits, count),
	    model_zero_area(m, count));
}

static void
random_step(uint64_t *bm, struct model *m, uint64_t *rng)
{
	size_t start = test_rand(rng) % m->nbits;
	size_t count = test_rand(rng) % (m->nbits - start + 1);
	bool set = test_rand(rng) % 2;

	switch (test_rand(rng) % 3) {
	case 0:
		count = count > 0; /* a single bit, or nothing */
		if (count && set)
			bitmap_set(bm, start);
		else if (count)
			bitmap_clear(bm, start);
		break;
	case 1:
		count %= 8;
		/* fall through */
	default:
		if (set)
			bitmap_set_range(bm, start, count);
		else
			bitmap_clear_range(bm, start, count);
		break;
	}
	for (size_t i = start; i < start + count; i++)
		m->bit[i] = set;
}

START_TEST(random_operations_match_a_model)
{
	const size_t sizes[] = {1, 63, 64, 65, 127, 128, 200, MAX_BITS};
	uint64_t rng = TEST_SEED;

	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
		uint64_t bm[BITMAP_WORDS(MAX_BITS)];
		struct model m = {.nbits = sizes[s]};

		/* Junk beyond nbits must never show through. */
		memset(bm, 0, sizeof(bm));
		for (size_t i = m.nbits; i < MAX_BITS; i++)
			bitmap_set(bm, i);
		for (int iter = 0; iter < 3000; iter++) {
			random_step(bm, &m, &rng);
			check_against_model(bm, &m, &rng);
		}
	}
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("bitmap");
	TCase *tc = tcase_create("bitmap");

	tcase_add_test(tc, set_clear_test_single_bits);
	tcase_add_test(tc, words_macro_rounds_up);
	tcase_add_test(tc, ranges_across_word_boundaries);
	tcase_add_test(tc, empty_and_full_maps);
	tcase_add_test(tc, tail_bits_past_nbits_are_ignored);
	tcase_add_test(tc, find_next_from_every_start);
	tcase_add_test(tc, find_next_zero_from_every_start);
	tcase_add_test(tc, zero_area_spanning_words);
	tcase_add_test(tc, random_operations_match_a_model);
	suite_add_tcase(s, tc);
	return s;
}
