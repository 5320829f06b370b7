/*
 * test_handle.c - <lichen/handle.h>: insert, look up and remove; stale,
 * zero and garbage handles; the type and rights checks and their order;
 * growth keeping every handle valid; allocation failure and the max
 * leaving the table untouched; draining; generation wrap; and a long
 * random run against a plain array model.
 */
#include <stdlib.h>
#include <string.h>

#include <lichen/errno.h>
#include <lichen/handle.h>

#include "unit.h"

/* The test allocator: counts calls and live arrays, fails when told to. */
struct pool {
	long calls;
	long live;
	long fail_at;	   /* fail the call with this number (1-based) */
	unsigned fail_pct; /* or fail this percentage of calls at random */
	uint64_t seed;
};

static struct pool pool;
static struct htable t;
static char objs[HTABLE_MAX]; /* objects, by address */

static void *
pool_alloc(void *ctx, size_t bytes)
{
	struct pool *p = ctx;
	void *v;

	p->calls++;
	if (p->calls == p->fail_at)
		return NULL;
	if (p->fail_pct != 0 && test_rand(&p->seed) % 100 < p->fail_pct)
		return NULL;
	v = malloc(bytes);
	ck_assert_ptr_nonnull(v);
	memset(v, 0xa5, bytes); /* garbage, as a real allocator gives */
	p->live++;
	return v;
}

static void
pool_free(void *ctx, void *v)
{
	struct pool *p = ctx;

	free(v);
	p->live--;
}

static void
setup(uint32_t max)
{
	memset(&pool, 0, sizeof(pool));
	pool.seed = TEST_SEED;
	ck_assert_int_eq(htable_init(&t, max, pool_alloc, pool_free, &pool), 0);
}

/* Empties the table and checks that every array went back. */
static void
teardown(void)
{
	struct hslot s;

	while (htable_drain(&t, &s) != NULL)
		;
	htable_destroy(&t);
	ck_assert_int_eq(pool.live, 0);
}

static handle_t
insert(void *obj, uint16_t type, uint32_t rights, uint64_t badge)
{
	long h = htable_insert(&t, obj, type, rights, badge);

	quick_assert_msg(h > 0, "insert: %ld", h);
	return (handle_t)h;
}

START_TEST(init_checks_max)
{
	ck_assert_int_eq(
	    htable_init(&t, 0, pool_alloc, pool_free, &pool), -EINVAL);
	ck_assert_int_eq(
	    htable_init(&t, HTABLE_MAX + 1, pool_alloc, pool_free, &pool),
	    -EINVAL);
	setup(HTABLE_MAX);
	ck_assert_uint_eq(htable_count(&t), 0);
	ck_assert_int_eq(pool.calls, 0); /* starts empty */
	teardown();
}
END_TEST

START_TEST(insert_get_remove)
{
	struct hslot *s, copy;
	handle_t a, b;

	setup(64);
	a = insert(&objs[0], 3, 0x7, 0x1234);
	b = insert(&objs[1], 4, 0x1, 0);
	ck_assert_uint_ne(a, b);
	ck_assert_uint_eq(htable_count(&t), 2);
	ck_assert_int_eq(htable_get(&t, a, 3, 0x7, &s), 0);
	ck_assert_ptr_eq(s->obj, &objs[0]);
	ck_assert_uint_eq(s->type, 3);
	ck_assert_uint_eq(s->rights, 0x7);
	ck_assert_uint_eq(s->badge, 0x1234);
	ck_assert_int_eq(htable_get(&t, b, 0, 0, &s), 0); /* any type */
	ck_assert_ptr_eq(s->obj, &objs[1]);

	ck_assert_int_eq(htable_remove(&t, a, &copy), 0);
	ck_assert_ptr_eq(copy.obj, &objs[0]);
	ck_assert_uint_eq(copy.type, 3);
	ck_assert_uint_eq(copy.rights, 0x7);
	ck_assert_uint_eq(copy.badge, 0x1234);
	ck_assert_uint_eq(htable_count(&t), 1);
	ck_assert_int_eq(htable_get(&t, a, 0, 0, &s), -EBADF);
	ck_assert_int_eq(htable_remove(&t, a, &copy), -EBADF);
	ck_assert_int_eq(htable_get(&t, b, 4, 1, &s), 0);
	ck_assert_int_eq(htable_insert(&t, NULL, 1, 1, 0), -EINVAL);
	ck_assert_uint_eq(htable_count(&t), 1);
	teardown();
}
END_TEST

START_TEST(stale_handle_fails)
{
	struct hslot *s, copy;
	handle_t a, b;

	setup(64);
	a = insert(&objs[0], 1, 1, 0);
	ck_assert_int_eq(htable_remove(&t, a, &copy), 0);
	b = insert(&objs[1], 1, 1, 0);
	/* Same slot, next generation. */
	ck_assert_uint_eq(b & 0xffff, a & 0xffff);
	ck_assert_uint_ne(b, a);
	ck_assert_int_eq(htable_get(&t, a, 0, 0, &s), -EBADF);
	ck_assert_int_eq(htable_remove(&t, a, &copy), -EBADF);
	ck_assert_int_eq(htable_get(&t, b, 0, 0, &s), 0);
	ck_assert_ptr_eq(s->obj, &objs[1]);
	teardown();
}
END_TEST

START_TEST(type_and_rights)
{
	struct hslot *s = NULL;
	handle_t h;

	setup(64);
	h = insert(&objs[0], 5, 0x0b, 0);
	ck_assert_int_eq(htable_get(&t, h, 6, 0, &s), -EINVAL);
	ck_assert_int_eq(htable_get(&t, h, 5, 0x04, &s), -EACCES);
	ck_assert_int_eq(htable_get(&t, h, 5, 0x0f, &s), -EACCES);
	ck_assert_int_eq(htable_get(&t, h, 0, 0x04, &s), -EACCES);
	ck_assert_ptr_null(s); /* failures leave *out alone */
	/* The type is checked before the rights. */
	ck_assert_int_eq(htable_get(&t, h, 6, 0x04, &s), -EINVAL);
	/* Subsets of the rights are fine, the empty set too. */
	ck_assert_int_eq(htable_get(&t, h, 5, 0x0b, &s), 0);
	ck_assert_int_eq(htable_get(&t, h, 5, 0x0a, &s), 0);
	ck_assert_int_eq(htable_get(&t, h, 5, 0x01, &s), 0);
	ck_assert_int_eq(htable_get(&t, h, 5, 0, &s), 0);
	ck_assert_ptr_eq(s->obj, &objs[0]);
	/* A bad handle is -EBADF whatever else is wrong. */
	ck_assert_int_eq(htable_get(&t, h + 1, 6, 0x04, &s), -EBADF);
	teardown();
}
END_TEST

START_TEST(zero_and_garbage_rejected)
{
	static const handle_t bad[] = {HANDLE_NONE, 0x10000, 0xffff0000, 0xffff,
	    0xfffe, 0x11, 0xffffffff, 0x10001, 0x20003};
	struct hslot *s, copy;
	uint64_t seed = TEST_SEED;
	handle_t h[16];

	setup(HTABLE_MAX);
	/* Empty table, nothing allocated yet. */
	ck_assert_int_eq(htable_get(&t, 1, 0, 0, &s), -EBADF);
	ck_assert_int_eq(htable_remove(&t, 1, &copy), -EBADF);
	for (int i = 0; i < 16; i++)
		h[i] = insert(&objs[i], 1, 1, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(htable_get(&t, bad[i], 0, 0, &s), -EBADF);
		ck_assert_int_eq(htable_remove(&t, bad[i], &copy), -EBADF);
	}
	/* Random values hit a live handle only when they equal one. */
	for (int i = 0; i < 100000; i++) {
		handle_t v = (handle_t)test_rand(&seed);
		int live = 0;

		if (i % 2)
			v &= 0xffff001f; /* in range, random generation */
		for (int k = 0; k < 16; k++)
			live |= v == h[k];
		quick_assert_int_eq(
		    htable_get(&t, v, 0, 0, &s), live ? 0 : -EBADF);
	}
	ck_assert_uint_eq(htable_count(&t), 16);
	teardown();
}
END_TEST

START_TEST(growth_keeps_handles)
{
	handle_t h[1000];
	struct hslot *s;

	setup(HTABLE_MAX);
	for (int i = 0; i < 1000; i++) {
		h[i] = insert(&objs[i], (uint16_t)(i % 7), (uint32_t)i,
		    (uint64_t)i << 32);
		/* Every earlier handle still names its object. */
		if ((i & (i - 1)) == 0 || i % 97 == 0) {
			for (int k = 0; k <= i; k++) {
				quick_assert_int_eq(
				    htable_get(&t, h[k], 0, 0, &s), 0);
				quick_assert_ptr_eq(s->obj, &objs[k]);
				quick_assert_uint_eq(s->rights, (uint32_t)k);
				quick_assert_uint_eq(
				    s->badge, (uint64_t)k << 32);
			}
		}
	}
	ck_assert_uint_eq(t.cap, 1024);
	/* 16 -> 32 -> ... -> 1024: seven arrays, only the last still live. */
	ck_assert_int_eq(pool.calls, 7);
	ck_assert_int_eq(pool.live, 1);
	teardown();
}
END_TEST

START_TEST(alloc_failure_changes_nothing)
{
	struct htable before;
	struct hslot *s;
	handle_t h[16];

	setup(HTABLE_MAX);
	pool.fail_at = 1;
	ck_assert_int_eq(htable_insert(&t, &objs[0], 1, 1, 0), -ENOMEM);
	ck_assert_uint_eq(htable_count(&t), 0);
	ck_assert_ptr_null(t.slots);
	for (int i = 0; i < 16; i++)
		h[i] = insert(&objs[i], 1, 1, 0);
	ck_assert_uint_eq(t.cap, 16);
	/* The table is full: the next insert must grow, and that fails. */
	pool.fail_at = pool.calls + 1;
	memcpy(&before, &t, sizeof(t));
	ck_assert_int_eq(htable_insert(&t, &objs[16], 1, 1, 0), -ENOMEM);
	ck_assert_mem_eq(&t, &before, sizeof(t));
	for (int i = 0; i < 16; i++) {
		ck_assert_int_eq(htable_get(&t, h[i], 1, 1, &s), 0);
		ck_assert_ptr_eq(s->obj, &objs[i]);
	}
	/* And the next attempt succeeds. */
	insert(&objs[16], 1, 1, 0);
	ck_assert_uint_eq(t.cap, 32);
	ck_assert_uint_eq(htable_count(&t), 17);
	teardown();
}
END_TEST

START_TEST(max_is_emfile)
{
	struct hslot copy;
	handle_t h[40];
	long r;

	setup(40);
	for (int i = 0; i < 40; i++)
		h[i] = insert(&objs[i], 1, 1, 0);
	ck_assert_uint_eq(t.cap, 40); /* 16, 32, then clipped to max */
	ck_assert_int_eq(htable_insert(&t, &objs[40], 1, 1, 0), -EMFILE);
	ck_assert_uint_eq(htable_count(&t), 40);
	ck_assert_int_eq(htable_remove(&t, h[17], &copy), 0);
	r = htable_insert(&t, &objs[40], 1, 1, 0);
	ck_assert_int_gt(r, 0);
	ck_assert_uint_eq(r & 0xffff, h[17] & 0xffff);
	ck_assert_int_eq(htable_insert(&t, &objs[41], 1, 1, 0), -EMFILE);
	teardown();
}
END_TEST

/* The whole index space: 65535 slots, the last one's low half 0xffff. */
START_TEST(full_size_table)
{
	struct hslot *s;
	handle_t last = 0;

	setup(HTABLE_MAX);
	for (uint32_t i = 0; i < HTABLE_MAX; i++)
		last = insert(&objs[i], 1, 1, i);
	ck_assert_uint_eq(last & 0xffff, 0xffff);
	ck_assert_int_eq(htable_insert(&t, &objs[0], 1, 1, 0), -EMFILE);
	ck_assert_int_eq(htable_get(&t, last, 1, 1, &s), 0);
	ck_assert_uint_eq(s->badge, HTABLE_MAX - 1);
	teardown();
}
END_TEST

START_TEST(drain_returns_each_once)
{
	static unsigned char seen[300];
	struct hslot copy, *s;
	handle_t h[300];
	void *obj;
	int n = 0;

	setup(HTABLE_MAX);
	ck_assert_ptr_null(htable_drain(&t, &copy)); /* empty, unallocated */
	for (int i = 0; i < 300; i++)
		h[i] = insert(&objs[i], 2, 3, (uint64_t)i);
	for (int i = 0; i < 300; i += 3)
		ck_assert_int_eq(htable_remove(&t, h[i], &copy), 0);
	/* Inserting in the middle of a drain still gets drained. */
	for (int i = 0; i < 50; i++) {
		obj = htable_drain(&t, &copy);
		ck_assert_ptr_nonnull(obj);
		ck_assert_ptr_eq(copy.obj, obj);
		ck_assert_uint_eq(copy.badge, (uint64_t)((char *)obj - objs));
		ck_assert_uint_eq(seen[(char *)obj - objs]++, 0);
		n++;
	}
	for (int i = 0; i < 300; i += 3)
		h[i] = insert(&objs[i], 2, 3, (uint64_t)i);
	while ((obj = htable_drain(&t, &copy)) != NULL) {
		ck_assert_ptr_eq(copy.obj, obj);
		ck_assert_uint_eq(seen[(char *)obj - objs]++, 0);
		n++;
	}
	ck_assert_int_eq(n, 300);
	ck_assert_uint_eq(htable_count(&t), 0);
	for (int i = 0; i < 300; i++)
		ck_assert_int_eq(htable_get(&t, h[i], 0, 0, &s), -EBADF);
	ck_assert_ptr_null(htable_drain(&t, &copy));
	/* A drained table is still usable. */
	h[0] = insert(&objs[0], 1, 1, 0);
	ck_assert_int_eq(htable_get(&t, h[0], 1, 1, &s), 0);
	teardown();
}
END_TEST

START_TEST(generation_wraps_without_zero)
{
	struct hslot copy, *s;
	handle_t first, h;

	setup(HTABLE_MAX);
	first = insert(&objs[0], 1, 1, 0);
	h = first;
	for (uint32_t i = 1; i <= 0x10000; i++) {
		quick_assert_int_eq(htable_remove(&t, h, &copy), 0);
		h = insert(&objs[i % 2], 1, 1, 0);
		quick_assert(h != HANDLE_NONE);
		quick_assert_uint_eq(h & 0xffff, first & 0xffff);
		quick_assert_uint_eq(h >> 16, ((first >> 16) + i) & 0xffff);
		if (i < 0x10000)
			quick_assert_int_eq(
			    htable_get(&t, first, 0, 0, &s), -EBADF);
	}
	/* After 65536 reuses the value comes back: the documented limit. */
	ck_assert_uint_eq(h, first);
	teardown();
}
END_TEST

/* The model: what each slot index should hold, by handle value. */
struct model {
	handle_t h;
	void *obj;
	uint16_t type;
	uint32_t rights;
	uint64_t badge;
};

static void
model_check_all(const struct model *m, int n)
{
	int used = 0;

	for (int i = 0; i < n; i++) {
		struct hslot *s;

		if (m[i].obj == NULL)
			continue;
		used++;
		quick_assert_int_eq(htable_get(&t, m[i].h, 0, 0, &s), 0);
		quick_assert_ptr_eq(s->obj, m[i].obj);
		quick_assert_uint_eq(s->type, m[i].type);
		quick_assert_uint_eq(s->rights, m[i].rights);
		quick_assert_uint_eq(s->badge, m[i].badge);
	}
	quick_assert_uint_eq(htable_count(&t), used);
}

/* Drains the table, each object once as the model has it, and starts anew. */
static void
drain_against_model(struct model *m, int n)
{
	struct hslot copy;
	void *obj;

	while ((obj = htable_drain(&t, &copy)) != NULL) {
		long i = (char *)obj - objs;

		quick_assert(i >= 0 && i < n && m[i].obj == obj);
		quick_assert_uint_eq(copy.badge, m[i].badge);
		quick_assert_uint_eq(copy.rights, m[i].rights);
		m[i].obj = NULL;
	}
	model_check_all(m, n);
	htable_destroy(&t);
	quick_assert_int_eq(pool.live, 0);
	quick_assert_int_eq(
	    htable_init(&t, t.max, pool_alloc, pool_free, &pool), 0);
}

START_TEST(random_against_model)
{
	enum { N = 300 };
	static struct model m[N];   /* by object number */
	static handle_t dead[4096]; /* removed handles, to retry */
	uint64_t seed = TEST_SEED;
	int ndead = 0;

	memset(m, 0, sizeof(m));
	setup(200);
	pool.fail_pct = 30; /* growing fails now and then */
	for (int step = 0; step < 200000; step++) {
		/* Phases of mostly inserting (up to the max) and mostly
		 * removing. */
		unsigned fill = (step / 5000) % 2 == 0 ? 5 : 1;
		int k = (int)(test_rand(&seed) % N);
		unsigned op = (unsigned)(test_rand(&seed) % 8);
		struct hslot *s, copy;

		if (op < 6 && op < fill && m[k].obj == NULL) {
			uint16_t type = (uint16_t)(test_rand(&seed) % 4 + 1);
			uint32_t rights = (uint32_t)(test_rand(&seed) & 0x7f);
			uint64_t badge = test_rand(&seed);
			uint32_t before = htable_count(&t);
			long r =
			    htable_insert(&t, &objs[k], type, rights, badge);

			if (r == -EMFILE) {
				quick_assert_uint_eq(before, 200);
			} else if (r == -ENOMEM) {
				quick_assert_uint_eq(before, t.cap);
			} else {
				quick_assert(r > 0);
				m[k] = (struct model){
				    (handle_t)r, &objs[k], type, rights, badge};
			}
		} else if (op < 6 && op >= fill && m[k].obj != NULL) {
			quick_assert_int_eq(
			    htable_remove(&t, m[k].h, &copy), 0);
			quick_assert_ptr_eq(copy.obj, &objs[k]);
			quick_assert_uint_eq(copy.badge, m[k].badge);
			dead[ndead++ % 4096] = m[k].h;
			m[k].obj = NULL;
		} else if (op == 6 && m[k].obj != NULL) {
			uint16_t type = (uint16_t)(test_rand(&seed) % 5);
			uint32_t want = (uint32_t)(test_rand(&seed) & 0x7f);
			int expect = 0;

			if (type != 0 && type != m[k].type)
				expect = -EINVAL;
			else if ((m[k].rights & want) != want)
				expect = -EACCES;
			quick_assert_int_eq(
			    htable_get(&t, m[k].h, type, want, &s), expect);
		} else if (op == 7 && ndead > 0) {
			handle_t h =
			    dead[test_rand(&seed) %
				 (uint64_t)(ndead < 4096 ? ndead : 4096)];
			int live = 0;

			for (int i = 0; i < N; i++)
				live |= m[i].obj != NULL && m[i].h == h;
			quick_assert_int_eq(
			    htable_get(&t, h, 0, 0, &s), live ? 0 : -EBADF);
		}
		if (step % 1000 == 0)
			model_check_all(m, N);
		if (step % 25000 == 24999) {
			drain_against_model(m, N);
			ndead =
			    0; /* a new table: its generations start again */
		}
	}
	model_check_all(m, N);
	pool.fail_pct = 0;
	teardown();
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("handle");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, init_checks_max);
	tcase_add_test(tc, insert_get_remove);
	tcase_add_test(tc, stale_handle_fails);
	tcase_add_test(tc, type_and_rights);
	tcase_add_test(tc, zero_and_garbage_rejected);
	tcase_add_test(tc, growth_keeps_handles);
	tcase_add_test(tc, alloc_failure_changes_nothing);
	tcase_add_test(tc, max_is_emfile);
	tcase_add_test(tc, full_size_table);
	tcase_add_test(tc, drain_returns_each_once);
	tcase_add_test(tc, generation_wraps_without_zero);
	tcase_add_test(tc, random_against_model);
	suite_add_tcase(s, tc);
	return s;
}
