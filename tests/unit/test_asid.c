/*
 * test_asid.c - <lichen/asid.h>: distinct ASIDs, stability, rollover with
 * a flush, active contexts surviving a rollover, reuse after put, and a
 * random run checked for the one property that matters: no two current
 * contexts ever share an ASID.
 */
#include <stdlib.h>

#include <lichen/asid.h>

#include "unit.h"

static struct asid_space space;

START_TEST(distinct_until_exhausted)
{
	uint64_t ctx[255] = { 0 };
	uint64_t seen[BITMAP_WORDS(256)] = { 0 };

	asid_space_init(&space, 8);
	for (int i = 0; i < 255; i++) {
		ck_assert(!asid_get(&space, &ctx[i], NULL, 0));
		ck_assert_uint_ne(asid_of(&space, ctx[i]), 0);
		ck_assert(!bitmap_test(seen, asid_of(&space, ctx[i])));
		bitmap_set(seen, asid_of(&space, ctx[i]));
	}
	for (int i = 0; i < 255; i++) {	/* still valid: unchanged, no flush */
		uint64_t before = ctx[i];

		ck_assert(!asid_get(&space, &ctx[i], NULL, 0));
		ck_assert_uint_eq(ctx[i], before);
	}
}
END_TEST

START_TEST(rollover_flushes_and_restarts)
{
	uint64_t ctx[256] = { 0 };

	asid_space_init(&space, 8);
	for (int i = 0; i < 255; i++)
		ck_assert(!asid_get(&space, &ctx[i], NULL, 0));
	ck_assert(asid_get(&space, &ctx[255], NULL, 0));	/* flush */
	ck_assert_uint_eq(space.rollovers, 1);
	ck_assert_uint_eq(ctx[255] >> 8, 2);
	/* An old context is stale now and gets a fresh ASID, no new flush. */
	ck_assert(!asid_get(&space, &ctx[0], NULL, 0));
	ck_assert_uint_eq(ctx[0] >> 8, 2);
	ck_assert_uint_ne(asid_of(&space, ctx[0]), asid_of(&space, ctx[255]));
}
END_TEST

START_TEST(active_contexts_keep_their_asid)
{
	uint64_t ctx[256] = { 0 };
	uint64_t *active[2] = { &ctx[10], &ctx[20] };
	unsigned a10, a20;

	asid_space_init(&space, 8);
	for (int i = 0; i < 255; i++)
		asid_get(&space, &ctx[i], NULL, 0);
	a10 = asid_of(&space, ctx[10]);
	a20 = asid_of(&space, ctx[20]);
	ck_assert(asid_get(&space, &ctx[255], active, 2));
	ck_assert_uint_eq(ctx[10], 2UL << 8 | a10);
	ck_assert_uint_eq(ctx[20], 2UL << 8 | a20);
	ck_assert_uint_ne(asid_of(&space, ctx[255]), a10);
	ck_assert_uint_ne(asid_of(&space, ctx[255]), a20);
	/* The active one asking itself is simply current. */
	ck_assert(!asid_get(&space, &ctx[10], active, 2));
	ck_assert_uint_eq(asid_of(&space, ctx[10]), a10);
}
END_TEST

START_TEST(put_allows_reuse_without_rollover)
{
	uint64_t ctx[255] = { 0 }, extra = 0;

	asid_space_init(&space, 8);
	for (int i = 0; i < 255; i++)
		asid_get(&space, &ctx[i], NULL, 0);
	asid_put(&space, ctx[100]);
	ck_assert(!asid_get(&space, &extra, NULL, 0));
	ck_assert_uint_eq(asid_of(&space, extra), asid_of(&space, ctx[100]));
	ck_assert_uint_eq(space.rollovers, 0);
	asid_put(&space, 0);			/* harmless */
	asid_put(&space, 5UL << 8 | 7);		/* another generation: ignored */
	ck_assert(bitmap_test(space.used, 7));
}
END_TEST

START_TEST(sixteen_bits)
{
	uint64_t ctx = 0;

	asid_space_init(&space, 16);
	for (int i = 0; i < 65535; i++) {
		ctx = 0;
		quick_assert(!asid_get(&space, &ctx, NULL, 0));
	}
	ck_assert_uint_eq(asid_of(&space, ctx), 65535);
	ctx = 0;
	ck_assert(asid_get(&space, &ctx, NULL, 0));
	ck_assert_uint_eq(ctx >> 16, 2);
}
END_TEST

#define NCTX	600
#define NCPU	4

START_TEST(random_run_never_shares_an_asid)
{
	static uint64_t ctx[NCTX];
	uint64_t *active[NCPU];
	uint64_t seed = TEST_SEED;
	unsigned long flushes = 0;

	asid_space_init(&space, 8);
	for (int c = 0; c < NCPU; c++)
		active[c] = &ctx[c];
	for (int step = 0; step < 20000; step++) {
		int cpu = (int)(test_rand(&seed) % NCPU);
		int i = (int)(test_rand(&seed) % NCTX);
		uint64_t used[BITMAP_WORDS(256)] = { 0 };

		if (test_rand(&seed) % 8 == 0 && active[cpu] != &ctx[i]) {
			int busy = 0;

			for (int c = 0; c < NCPU; c++)
				busy |= active[c] == &ctx[i];
			if (!busy) {		/* an address space dies */
				asid_put(&space, ctx[i]);
				ctx[i] = 0;
				continue;
			}
		}
		/* Switch cpu to context i. */
		flushes += asid_get(&space, &ctx[i], active, NCPU);
		active[cpu] = &ctx[i];
		for (int j = 0; j < NCTX; j++) {
			unsigned a = asid_of(&space, ctx[j]);

			if (ctx[j] == 0 || ctx[j] >> 8 != space.generation)
				continue;
			quick_assert_msg(a != 0 && !bitmap_test(used, a),
			    "ASID %u shared or zero at step %d", a, step);
			bitmap_set(used, a);
		}
		for (int c = 0; c < NCPU; c++)
			quick_assert(*active[c] == 0 ||
			    *active[c] >> 8 == space.generation);
	}
	ck_assert_uint_eq(flushes, space.rollovers);
	ck_assert_uint_gt(space.rollovers, 0);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("asid");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, distinct_until_exhausted);
	tcase_add_test(tc, rollover_flushes_and_restarts);
	tcase_add_test(tc, active_contexts_keep_their_asid);
	tcase_add_test(tc, put_allows_reuse_without_rollover);
	tcase_add_test(tc, sixteen_bits);
	tcase_add_test(tc, random_run_never_shares_an_asid);
	suite_add_tcase(s, tc);
	return s;
}
