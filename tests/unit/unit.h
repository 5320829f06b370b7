/*
 * unit.h - what every Check test binary in tests/unit shares.
 *
 * Each test_<module>.c defines unit_suite(), returning its one Check suite;
 * check_main.c runs it.  test_rand() is a fixed-seed generator so that the
 * randomised tests fail the same way on every run.
 */
#ifndef LICHEN_TESTS_UNIT_H
#define LICHEN_TESTS_UNIT_H

#include <check.h>
#include <stdint.h>

Suite *unit_suite(void);

/* xorshift64*: small, fast, and plenty for picking test inputs. */
static inline uint64_t
test_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * UINT64_C(0x2545f4914f6cdd1d);
}

#define TEST_SEED UINT64_C(0x9e3779b97f4a7c15)

/*
 * In fork mode every passing ck_assert* reports its location to the parent
 * through a pipe; inside loops of many thousands of checks that cost
 * dominates.  These variants call into Check only when they fail.
 */
#define quick_assert_msg(expr, ...)                                            \
	do {                                                                   \
		if (!(expr))                                                   \
			ck_abort_msg(__VA_ARGS__);                             \
	} while (0)

#define quick_assert(expr)                                                     \
	quick_assert_msg(expr, "Assertion '%s' failed", #expr)

#define quick_assert_uint_eq(a, b)                                             \
	do {                                                                   \
		uintmax_t qa_ = (a), qb_ = (b);                                \
		quick_assert_msg(qa_ == qb_,                                   \
		    "Assertion '%s == %s' failed: %ju != %ju", #a, #b, qa_,    \
		    qb_);                                                      \
	} while (0)

#define quick_assert_int_eq(a, b)                                              \
	do {                                                                   \
		intmax_t qa_ = (a), qb_ = (b);                                 \
		quick_assert_msg(qa_ == qb_,                                   \
		    "Assertion '%s == %s' failed: %jd != %jd", #a, #b, qa_,    \
		    qb_);                                                      \
	} while (0)

#define quick_assert_ptr_eq(a, b)                                              \
	do {                                                                   \
		const void *qa_ = (a), *qb_ = (b);                             \
		quick_assert_msg(qa_ == qb_,                                   \
		    "Assertion '%s == %s' failed: %p != %p", #a, #b, qa_,      \
		    qb_);                                                      \
	} while (0)

#endif /* LICHEN_TESTS_UNIT_H */
