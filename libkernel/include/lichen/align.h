/*
 * align.h - alignment, powers of two and overflow checks on 64-bit values.
 *
 * The ALIGN_* macros take any unsigned integer and a power-of-two alignment
 * and wrap silently on overflow; use align_up_checked() and add_overflows()
 * wherever the value came from user space or a boot-time table.
 */
#ifndef LICHEN_ALIGN_H
#define LICHEN_ALIGN_H

#include <stdbool.h>
#include <stdint.h>

/*
 * a must be a power of two; the result has the type of x.  (clang-format
 * takes "(x) - 1" for a cast, hence the off switch.)
 */
/* clang-format off */
#define ALIGN_MASK(x, a)	((__typeof__(x))(a) - 1)
#define ALIGN_UP(x, a)		(((x) + ALIGN_MASK(x, a)) & ~ALIGN_MASK(x, a))
#define ALIGN_DOWN(x, a)	((x) & ~ALIGN_MASK(x, a))
#define IS_ALIGNED(x, a)	(((x) & ALIGN_MASK(x, a)) == 0)

/* n / d rounded up; n + d - 1 must not overflow. */
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
/* clang-format on */

static inline bool
is_pow2(uint64_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

/* The index of the highest set bit of x, or -1 when x is 0. */
static inline int
ilog2_floor(uint64_t x)
{
	if (x == 0)
		return -1;
	return 63 - __builtin_clzll(x);
}

/*
 * The smallest power of two >= x (1 for x == 0), or 0 when that does not
 * fit in 64 bits (x > 2^63).
 */
static inline uint64_t
roundup_pow2(uint64_t x)
{
	if (x <= 1)
		return 1;
	if (x > (UINT64_C(1) << 63))
		return 0;
	return UINT64_C(1) << (ilog2_floor(x - 1) + 1);
}

static inline bool
add_overflows(uint64_t a, uint64_t b)
{
	return a + b < a;
}

/*
 * Rounds x up to a multiple of align into *out.  Returns false, leaving
 * *out alone, when align is not a power of two or the result would not fit
 * in 64 bits.
 */
static inline bool
align_up_checked(uint64_t x, uint64_t align, uint64_t *out)
{
	if (!is_pow2(align) || add_overflows(x, align - 1))
		return false;
	*out = ALIGN_UP(x, align);
	return true;
}

#endif /* LICHEN_ALIGN_H */
