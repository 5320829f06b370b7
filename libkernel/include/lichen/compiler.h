/*
 * compiler.h - GCC attributes and small language helpers used everywhere.
 *
 * Owns the spelling of compiler extensions (attributes, branch hints,
 * single-access loads and stores) so the rest of the tree reads as plain C.
 * Needs only gcc's freestanding headers, so it is safe in the kernel, the
 * servers and host-built unit tests alike.
 */
#ifndef LICHEN_COMPILER_H
#define LICHEN_COMPILER_H

#include <stddef.h>

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* The guards let a host libc header that spells one of these win. */
#ifndef __noreturn
#define __noreturn __attribute__((__noreturn__))
#endif
#ifndef __packed
#define __packed __attribute__((__packed__))
#endif
#ifndef __aligned
#define __aligned(n) __attribute__((__aligned__(n)))
#endif
#ifndef __unused
#define __unused __attribute__((__unused__))
#endif
#ifndef __printf
/* Argument a is the format string, b the first variadic argument. */
#define __printf(a, b) __attribute__((__format__(__printf__, a, b)))
#endif

/*
 * C11 spells it _Static_assert; <assert.h> (absent in the kernel) is what
 * normally provides the nicer name.
 */
#ifndef static_assert
#define static_assert _Static_assert
#endif

/* A message-carrying check that a type has exactly the size an ABI fixes. */
#define STATIC_ASSERT_SIZEOF(type, size)                                       \
	static_assert(sizeof(type) == (size), "sizeof(" #type ") != " #size)

/* 1 when a is an array, 0 when it is a pointer (&a[0] has a's type). */
#define LK_IS_ARRAY(a)                                                         \
	(!__builtin_types_compatible_p(__typeof__(a), __typeof__(&(a)[0])))

/* 0, or a negative-size array error when a is not an array. */
#define __must_be_array(a) (0 * sizeof(char[LK_IS_ARRAY(a) ? 1 : -1]))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]) + __must_be_array(a))

/*
 * The structure of type `type` whose field `member` is at `ptr`.
 * (clang-format would read "(ptr) - x" as a cast of -x.)
 */
/* clang-format off */
#define container_of(ptr, type, member)                                        \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))
/* clang-format on */

/*
 * One load or store of x that the compiler may neither tear, merge, repeat
 * nor move across other volatile accesses.  Not a memory barrier.
 */
#define READ_ONCE(x)	   (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, val) (*(volatile __typeof__(x) *)&(x) = (val))

/*
 * libkernel functions that share a name with libc (memcpy, strlen, ...) are
 * declared and defined as LK_NAME(memcpy).  In the kernel that is plain
 * memcpy, as the compiler and libfdt expect; in host builds (-DLK_HOST) it
 * is lk_memcpy, so unit tests link both and compare them.
 */
#ifdef LK_HOST
#define LK_NAME(name) lk_##name
#else
#define LK_NAME(name) name
#endif

#endif /* LICHEN_COMPILER_H */
