/*
 * addr.h - distinct types for physical, kernel-virtual and user-virtual
 * addresses.
 *
 * Each kind is a one-member struct, so handing a physical address to code
 * that wants a kernel pointer (or a user address to code that will
 * dereference it) is a compile error, not a silent bug.  The structs are
 * passed in registers like plain integers; the wrappers cost nothing.
 *
 * For each kind there is a constructor and an accessor:
 *   pa(u64) / pa_val(p)    kva(u64) / kva_val(k)    uva(u64) / uva_val(u)
 * and the same operations, here for paddr_t (swap in kva_ and kvaddr_t,
 * or uva_ and uvaddr_t, for the others):
 *   paddr_t  pa_add(paddr_t a, uint64_t n)         a + n
 *   paddr_t  pa_sub(paddr_t a, uint64_t n)         a - n
 *   uint64_t pa_diff(paddr_t a, paddr_t b)         a - b
 *   int      pa_cmp(paddr_t a, paddr_t b)          -1, 0 or 1
 *   bool     pa_eq(paddr_t a, paddr_t b)           a == b
 *   bool     pa_lt(paddr_t a, paddr_t b)           a < b
 *   bool     pa_le(paddr_t a, paddr_t b)           a <= b
 *   paddr_t  pa_align_up(paddr_t a, uint64_t align)
 *   paddr_t  pa_align_down(paddr_t a, uint64_t align)
 *   bool     pa_is_aligned(paddr_t a, uint64_t align)
 * Alignments must be powers of two.  Arithmetic wraps like uint64_t: check
 * values from outside the kernel with align_up_checked() and
 * add_overflows() from <lichen/align.h> first.
 *
 * Crossing between kinds is always explicit: kva_ptr()/kva_from_ptr() for
 * C pointers, pa_to_kva()/kva_to_pa() for the kernel's linear map (whose
 * offset the caller supplies, so this header knows no memory layout).
 */
#ifndef LICHEN_ADDR_H
#define LICHEN_ADDR_H

#include <stdbool.h>
#include <stdint.h>

#include <lichen/align.h>

/* A physical address. */
typedef struct {
	uint64_t v;
} paddr_t;

/* A kernel virtual address: kva_ptr() turns it into a C pointer. */
typedef struct {
	uint64_t v;
} kvaddr_t;

/* A user virtual address: never dereferenced directly. */
typedef struct {
	uint64_t v;
} uvaddr_t;

/* Defines the operations listed above for one address kind. */
#define LK_DEFINE_ADDR_OPS(p, T)                                               \
	static inline T p(uint64_t v)                                          \
	{                                                                      \
		return (T){v};                                                 \
	}                                                                      \
	static inline uint64_t p##_val(T a)                                    \
	{                                                                      \
		return a.v;                                                    \
	}                                                                      \
	static inline T p##_add(T a, uint64_t n)                               \
	{                                                                      \
		return (T){a.v + n};                                           \
	}                                                                      \
	static inline T p##_sub(T a, uint64_t n)                               \
	{                                                                      \
		return (T){a.v - n};                                           \
	}                                                                      \
	static inline uint64_t p##_diff(T a, T b)                              \
	{                                                                      \
		return a.v - b.v;                                              \
	}                                                                      \
	static inline int p##_cmp(T a, T b)                                    \
	{                                                                      \
		return (a.v > b.v) - (a.v < b.v);                              \
	}                                                                      \
	static inline bool p##_eq(T a, T b)                                    \
	{                                                                      \
		return a.v == b.v;                                             \
	}                                                                      \
	static inline bool p##_lt(T a, T b)                                    \
	{                                                                      \
		return a.v < b.v;                                              \
	}                                                                      \
	static inline bool p##_le(T a, T b)                                    \
	{                                                                      \
		return a.v <= b.v;                                             \
	}                                                                      \
	static inline T p##_align_up(T a, uint64_t align)                      \
	{                                                                      \
		return (T){ALIGN_UP(a.v, align)};                              \
	}                                                                      \
	static inline T p##_align_down(T a, uint64_t align)                    \
	{                                                                      \
		return (T){ALIGN_DOWN(a.v, align)};                            \
	}                                                                      \
	static inline bool p##_is_aligned(T a, uint64_t align)                 \
	{                                                                      \
		return IS_ALIGNED(a.v, align);                                 \
	}

LK_DEFINE_ADDR_OPS(pa, paddr_t)
LK_DEFINE_ADDR_OPS(kva, kvaddr_t)
LK_DEFINE_ADDR_OPS(uva, uvaddr_t)

#undef LK_DEFINE_ADDR_OPS

static inline void *
kva_ptr(kvaddr_t k)
{
	return (void *)(uintptr_t)k.v;
}

static inline kvaddr_t
kva_from_ptr(const void *p)
{
	return kva((uint64_t)(uintptr_t)p);
}

/* Physical to kernel virtual through a linear map at linear_offset. */
static inline kvaddr_t
pa_to_kva(paddr_t p, uint64_t linear_offset)
{
	return kva(p.v + linear_offset);
}

static inline paddr_t
kva_to_pa(kvaddr_t k, uint64_t linear_offset)
{
	return pa(k.v - linear_offset);
}

#endif /* LICHEN_ADDR_H */
