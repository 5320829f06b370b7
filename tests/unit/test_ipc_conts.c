/*
 * test_ipc_conts.c - the table of pending continuations
 * (lichen/ipc_server.h): add, find, take, remove, a full table, stale and
 * forged cookies, slot reuse with fresh cookies, and a long random run
 * against a simple model.
 */
#include <stdbool.h>
#include <string.h>

#include <lichen/errno.h>
#include <lichen/ipc_server.h>

#include "unit.h"

static void
cont_a(struct ipc_server *srv, void *ctx, struct ipc_req *rep)
{
	(void)srv, (void)ctx, (void)rep;
}

static void
cont_b(struct ipc_server *srv, void *ctx, struct ipc_req *rep)
{
	(void)srv, (void)ctx, (void)rep;
}

START_TEST(add_find_remove)
{
	struct ipc_cont slots[4];
	struct ipc_conts t;
	struct ipc_cont *c;
	int x, y;
	uint64_t a, b;

	ipc_conts_init(&t, slots, 4);
	ck_assert_uint_eq(t.used, 0);
	a = ipc_cont_add(&t, cont_a, &x);
	b = ipc_cont_add(&t, cont_b, &y);
	ck_assert_uint_ne(a, 0);
	ck_assert_uint_ne(b, 0);
	ck_assert_uint_ne(a, b);
	ck_assert(a & IPC_COOKIE_BIT);
	ck_assert(b & IPC_COOKIE_BIT);
	ck_assert_uint_eq(t.used, 2);
	c = ipc_cont_find(&t, a);
	ck_assert_ptr_nonnull(c);
	ck_assert(c->fn == cont_a);
	ck_assert_ptr_eq(c->ctx, &x);
	c = ipc_cont_find(&t, b);
	ck_assert_ptr_nonnull(c);
	ck_assert(c->fn == cont_b);
	ck_assert_ptr_eq(c->ctx, &y);
	ck_assert_int_eq(ipc_cont_remove(&t, a), 0);
	ck_assert_ptr_null(ipc_cont_find(&t, a));
	ck_assert_int_eq(ipc_cont_remove(&t, a), -ENOENT);
	ck_assert_ptr_nonnull(ipc_cont_find(&t, b));
	ck_assert_uint_eq(t.used, 1);
}
END_TEST

START_TEST(take_copies_then_forgets)
{
	struct ipc_cont slots[2], out;
	struct ipc_conts t;
	int x;
	uint64_t a;

	ipc_conts_init(&t, slots, 2);
	a = ipc_cont_add(&t, cont_a, &x);
	memset(&out, 0, sizeof(out));
	ck_assert_int_eq(ipc_cont_take(&t, a, &out), 0);
	ck_assert(out.fn == cont_a);
	ck_assert_ptr_eq(out.ctx, &x);
	ck_assert_uint_eq(out.cookie, a);
	ck_assert_int_eq(ipc_cont_take(&t, a, &out), -ENOENT);
	ck_assert_uint_eq(t.used, 0);
}
END_TEST

START_TEST(full_table)
{
	struct ipc_cont slots[8];
	struct ipc_conts t;
	uint64_t c[8];

	ipc_conts_init(&t, slots, 8);
	for (int i = 0; i < 8; i++) {
		c[i] = ipc_cont_add(&t, cont_a, NULL);
		ck_assert_uint_ne(c[i], 0);
	}
	ck_assert_uint_eq(ipc_cont_add(&t, cont_a, NULL), 0);
	ck_assert_uint_eq(t.used, 8);
	ck_assert_int_eq(ipc_cont_remove(&t, c[5]), 0);
	ck_assert_uint_ne(ipc_cont_add(&t, cont_b, NULL), 0);
	ck_assert_uint_eq(ipc_cont_add(&t, cont_a, NULL), 0);
	for (int i = 0; i < 8; i++)
		if (i != 5)
			ck_assert_ptr_nonnull(ipc_cont_find(&t, c[i]));
}
END_TEST

START_TEST(no_slots_at_all)
{
	struct ipc_conts t;

	ipc_conts_init(&t, NULL, 5);
	ck_assert_uint_eq(ipc_cont_add(&t, cont_a, NULL), 0);
	ck_assert_ptr_null(ipc_cont_find(&t, IPC_COOKIE_BIT | 1));
}
END_TEST

/* A reused slot gets a new cookie; the old one matches nothing. */
START_TEST(stale_cookie_never_matches)
{
	struct ipc_cont slots[1];
	struct ipc_conts t;
	uint64_t old, fresh;

	ipc_conts_init(&t, slots, 1);
	old = ipc_cont_add(&t, cont_a, NULL);
	ck_assert_int_eq(ipc_cont_remove(&t, old), 0);
	fresh = ipc_cont_add(&t, cont_b, NULL);
	ck_assert_uint_ne(fresh, 0);
	ck_assert_uint_ne(fresh, old);
	ck_assert_ptr_null(ipc_cont_find(&t, old));
	ck_assert_int_eq(ipc_cont_remove(&t, old), -ENOENT);
	ck_assert_ptr_nonnull(ipc_cont_find(&t, fresh));
	ck_assert(ipc_cont_find(&t, fresh)->fn == cont_b);
}
END_TEST

START_TEST(forged_cookies)
{
	struct ipc_cont slots[4];
	struct ipc_conts t;
	uint64_t a;

	ipc_conts_init(&t, slots, 4);
	a = ipc_cont_add(&t, cont_a, NULL);
	ck_assert_ptr_null(ipc_cont_find(&t, 0));
	ck_assert_ptr_null(ipc_cont_find(&t, a & ~IPC_COOKIE_BIT));
	ck_assert_ptr_null(ipc_cont_find(&t, a ^ (UINT64_C(1) << 20)));
	ck_assert_ptr_null(ipc_cont_find(&t, (a & ~UINT64_C(0xffff)) | 3));
	ck_assert_ptr_null(ipc_cont_find(&t, (a & ~UINT64_C(0xffff)) | 0xffff));
	ck_assert_ptr_null(ipc_cont_find(&t, UINT64_MAX));
	ck_assert_int_eq(ipc_cont_remove(&t, UINT64_MAX), -ENOENT);
	ck_assert_uint_eq(t.used, 1);
}
END_TEST

START_TEST(oversized_table_is_capped)
{
	static struct ipc_cont slots[IPC_CONTS_MAX + 10];
	struct ipc_conts t;
	uint64_t c;

	ipc_conts_init(&t, slots, IPC_CONTS_MAX + 10);
	ck_assert_uint_eq(t.nslots, IPC_CONTS_MAX);
	for (uint32_t i = 0; i < IPC_CONTS_MAX; i++) {
		c = ipc_cont_add(&t, cont_a, NULL);
		quick_assert(c != 0);
		quick_assert(ipc_cont_find(&t, c) == &slots[i]);
	}
	ck_assert_uint_eq(ipc_cont_add(&t, cont_a, NULL), 0);
}
END_TEST

/* Random adds and removes against a model of which cookies are live. */
START_TEST(random_against_model)
{
	enum { N = 32, LIVE = 256 };
	struct ipc_cont slots[N];
	struct ipc_conts t;
	uint64_t live[LIVE], dead[LIVE];
	unsigned nlive = 0, ndead = 0, nremoved = 0;
	uint64_t seed = TEST_SEED;

	ipc_conts_init(&t, slots, N);
	for (int step = 0; step < 200000; step++) {
		uint64_t r = test_rand(&seed);

		if (r % 3 != 0) {
			uint64_t c = ipc_cont_add(&t, cont_a, (void *)(uintptr_t)step);

			if (nlive == N) {
				quick_assert(c == 0);
				continue;
			}
			quick_assert(c != 0);
			for (unsigned i = 0; i < nlive; i++)
				quick_assert(live[i] != c);
			for (unsigned i = 0; i < ndead; i++)
				quick_assert(dead[i] != c);
			live[nlive++] = c;
		} else if (nlive > 0) {
			unsigned i = (unsigned)(r >> 8) % nlive;

			quick_assert(ipc_cont_remove(&t, live[i]) == 0);
			/* The last LIVE removed cookies must stay stale. */
			dead[nremoved++ % LIVE] = live[i];
			if (ndead < LIVE)
				ndead++;
			live[i] = live[--nlive];
		}
		quick_assert_uint_eq(t.used, nlive);
		for (unsigned i = 0; i < nlive; i++)
			quick_assert(ipc_cont_find(&t, live[i]) != NULL);
		for (unsigned i = 0; i < ndead; i++)
			quick_assert(ipc_cont_find(&t, dead[i]) == NULL);
	}
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("ipc-conts");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, add_find_remove);
	tcase_add_test(tc, take_copies_then_forgets);
	tcase_add_test(tc, full_table);
	tcase_add_test(tc, no_slots_at_all);
	tcase_add_test(tc, stale_cookie_never_matches);
	tcase_add_test(tc, forged_cookies);
	tcase_add_test(tc, oversized_table_is_capped);
	tcase_add_test(tc, random_against_model);
	suite_add_tcase(s, tc);
	return s;
}
