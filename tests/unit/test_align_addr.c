/*
 * test_align_addr.c - <lichen/align.h>, <lichen/addr.h> and the helpers
 * of <lichen/compiler.h>.  The checked variants are fed the inputs a
 * hostile caller would choose: alignments that are not powers of two and
 * values at the top of the 64-bit range.  (That addresses of different
 * kinds do not mix is tested at compile time: addr_mix_bad.c.)
 */
#include <stdint.h>

#include <lichen/addr.h>
#include <lichen/align.h>
#include <lichen/compiler.h>

#include "unit.h"

START_TEST(align_macros)
{
	ck_assert_uint_eq(ALIGN_UP(0, 4096), 0);
	ck_assert_uint_eq(ALIGN_UP(1, 4096), 4096);
	ck_assert_uint_eq(ALIGN_UP(4096, 4096), 4096);
	ck_assert_uint_eq(ALIGN_UP(4097, 4096), 8192);
	ck_assert_uint_eq(ALIGN_DOWN(4095, 4096), 0);
	ck_assert_uint_eq(ALIGN_DOWN(8191, 4096), 4096);
	ck_assert_uint_eq(ALIGN_UP(13, 1), 13);
	ck_assert(IS_ALIGNED(0x200000, 0x200000));
	ck_assert(!IS_ALIGNED(0x201000, 0x200000));
	ck_assert(IS_ALIGNED(7, 1));
	/* The result keeps the type of x, even with a narrower alignment. */
	ck_assert_uint_eq(ALIGN_DOWN(UINT64_MAX, 16u), UINT64_MAX - 15);
	ck_assert_uint_eq(ALIGN_UP(UINT64_C(0xffffffff00000001), 1u << 12),
	    UINT64_C(0xffffffff00001000));
}
END_TEST

START_TEST(div_round_up)
{
	ck_assert_uint_eq(DIV_ROUND_UP(0, 8), 0);
	ck_assert_uint_eq(DIV_ROUND_UP(1, 8), 1);
	ck_assert_uint_eq(DIV_ROUND_UP(8, 8), 1);
	ck_assert_uint_eq(DIV_ROUND_UP(9, 8), 2);
	ck_assert_uint_eq(DIV_ROUND_UP(10, 3), 4);
}
END_TEST

START_TEST(powers_of_two)
{
	ck_assert(!is_pow2(0));
	ck_assert(is_pow2(1));
	ck_assert(is_pow2(2));
	ck_assert(!is_pow2(3));
	ck_assert(is_pow2(UINT64_C(1) << 63));
	ck_assert(!is_pow2(UINT64_MAX));
	for (int i = 0; i < 64; i++) {
		uint64_t p = UINT64_C(1) << i;

		ck_assert(is_pow2(p));
		ck_assert(i < 2 || !is_pow2(p + 1));
		ck_assert_int_eq(ilog2_floor(p), i);
		ck_assert_int_eq(ilog2_floor(p | (p - 1)), i);
		ck_assert_uint_eq(roundup_pow2(p), p);
		if (i < 63)
			ck_assert_uint_eq(roundup_pow2(p + 1), p << 1);
	}
}
END_TEST

START_TEST(log_and_roundup_edges)
{
	ck_assert_int_eq(ilog2_floor(0), -1);
	ck_assert_int_eq(ilog2_floor(UINT64_MAX), 63);
	ck_assert_uint_eq(roundup_pow2(0), 1);
	ck_assert_uint_eq(roundup_pow2(3), 4);
	ck_assert_uint_eq(roundup_pow2(4097), 8192);
	ck_assert_uint_eq(roundup_pow2(UINT64_C(1) << 63), UINT64_C(1) << 63);
	/* No 64-bit power of two is large enough: 0 says so. */
	ck_assert_uint_eq(roundup_pow2((UINT64_C(1) << 63) + 1), 0);
	ck_assert_uint_eq(roundup_pow2(UINT64_MAX), 0);
}
END_TEST

START_TEST(add_overflows_at_the_top)
{
	ck_assert(!add_overflows(0, 0));
	ck_assert(!add_overflows(UINT64_MAX, 0));
	ck_assert(!add_overflows(UINT64_MAX - 5, 5));
	ck_assert(add_overflows(UINT64_MAX - 5, 6));
	ck_assert(add_overflows(UINT64_MAX, UINT64_MAX));
	ck_assert(add_overflows(UINT64_C(1) << 63, UINT64_C(1) << 63));
}
END_TEST

START_TEST(align_up_checked_accepts_good_input)
{
	uint64_t out = 0;

	ck_assert(align_up_checked(0x1001, 0x1000, &out));
	ck_assert_uint_eq(out, 0x2000);
	ck_assert(align_up_checked(0x2000, 0x1000, &out));
	ck_assert_uint_eq(out, 0x2000);
	ck_assert(align_up_checked(UINT64_MAX, 1, &out));
	ck_assert_uint_eq(out, UINT64_MAX);
	ck_assert(align_up_checked(UINT64_MAX - 0xfff, 0x1000, &out));
	ck_assert_uint_eq(out, UINT64_MAX - 0xfff);
	ck_assert(align_up_checked(5, UINT64_C(1) << 63, &out));
	ck_assert_uint_eq(out, UINT64_C(1) << 63);
}
END_TEST

START_TEST(align_up_checked_rejects_overflow)
{
	uint64_t out = 1234;

	ck_assert(!align_up_checked(UINT64_MAX, 2, &out));
	ck_assert(!align_up_checked(UINT64_MAX - 0xffe, 0x1000, &out));
	ck_assert(!align_up_checked(
	    (UINT64_C(1) << 63) + 1, UINT64_C(1) << 63, &out));
	ck_assert_uint_eq(out, 1234); /* untouched on failure */
}
END_TEST

START_TEST(align_up_checked_rejects_bad_alignment)
{
	const uint64_t bad[] = {
	    0, 3, 6, 12, 4095, 0x1001, UINT64_MAX, (UINT64_C(1) << 63) + 1};
	uint64_t out = 1234;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		ck_assert_msg(!align_up_checked(100, bad[i], &out),
		    "alignment %#jx accepted", (uintmax_t)bad[i]);
	ck_assert_uint_eq(out, 1234);
}
END_TEST

START_TEST(address_arithmetic)
{
	paddr_t p = pa(0x40001000);
	kvaddr_t k = kva(UINT64_C(0xffff000040001000));
	uvaddr_t u = uva(0x400000);

	ck_assert_uint_eq(pa_val(pa_add(p, 0x10)), 0x40001010);
	ck_assert_uint_eq(pa_val(pa_sub(p, 0x1000)), 0x40000000);
	ck_assert_uint_eq(pa_diff(pa_add(p, 77), p), 77);
	ck_assert_uint_eq(kva_val(kva_add(k, 8)), 0xffff000040001008);
	ck_assert_uint_eq(kva_diff(k, kva(0xffff000000000000)), 0x40001000);
	ck_assert_uint_eq(uva_val(uva_sub(u, 1)), 0x3fffff);
	ck_assert_uint_eq(uva_diff(uva(0x401000), u), 0x1000);
}
END_TEST

START_TEST(address_comparison)
{
	paddr_t lo = pa(0x1000), hi = pa(0x2000);

	ck_assert_int_eq(pa_cmp(lo, hi), -1);
	ck_assert_int_eq(pa_cmp(hi, lo), 1);
	ck_assert_int_eq(pa_cmp(lo, pa(0x1000)), 0);
	ck_assert(pa_eq(lo, pa(0x1000)));
	ck_assert(pa_lt(lo, hi) && !pa_lt(hi, lo) && !pa_lt(lo, lo));
	ck_assert(pa_le(lo, lo) && pa_le(lo, hi) && !pa_le(hi, lo));
	/* Comparison is unsigned: the top half is above the bottom. */
	ck_assert(kva_lt(kva(1), kva(UINT64_C(0xffff000000000000))));
	ck_assert_int_eq(uva_cmp(uva(UINT64_MAX), uva(0)), 1);
	ck_assert(uva_eq(uva(5), uva(5)) && !kva_eq(kva(5), kva(6)));
	ck_assert(uva_le(uva(5), uva(6)) && kva_le(kva(6), kva(6)));
}
END_TEST

START_TEST(address_alignment)
{
	ck_assert_uint_eq(pa_val(pa_align_up(pa(0x1001), 0x1000)), 0x2000);
	ck_assert_uint_eq(pa_val(pa_align_down(pa(0x1fff), 0x1000)), 0x1000);
	ck_assert(pa_is_aligned(pa(0x200000), 0x200000));
	ck_assert(!pa_is_aligned(pa(0x200800), 0x1000));
	ck_assert_uint_eq(kva_val(kva_align_up(kva(17), 16)), 32);
	ck_assert_uint_eq(kva_val(kva_align_down(kva(17), 16)), 16);
	ck_assert(kva_is_aligned(kva(64), 64));
	ck_assert_uint_eq(
	    uva_val(uva_align_up(uva(0x400001), 0x1000)), 0x401000);
	ck_assert_uint_eq(
	    uva_val(uva_align_down(uva(0x400fff), 0x1000)), 0x400000);
	ck_assert(!uva_is_aligned(uva(0x400001), 2));
}
END_TEST

START_TEST(linear_map_round_trip)
{
	const uint64_t offset = UINT64_C(0xffff800000000000);
	paddr_t p = pa(0x40234000);
	kvaddr_t k = pa_to_kva(p, offset);

	ck_assert_uint_eq(kva_val(k), 0xffff800040234000);
	ck_assert(pa_eq(kva_to_pa(k, offset), p));
	ck_assert(pa_eq(kva_to_pa(pa_to_kva(pa(0), 0), 0), pa(0)));
}
END_TEST

START_TEST(kernel_pointers_round_trip)
{
	int object = 42;
	kvaddr_t k = kva_from_ptr(&object);

	ck_assert_uint_eq(kva_val(k), (uintptr_t)&object);
	ck_assert_ptr_eq(kva_ptr(k), &object);
	ck_assert_int_eq(*(int *)kva_ptr(kva_add(k, 0)), 42);
	ck_assert_ptr_null(kva_ptr(kva_from_ptr(NULL)));
	ck_assert_uint_eq(sizeof(paddr_t), 8);
	ck_assert_uint_eq(sizeof(kvaddr_t), 8);
	ck_assert_uint_eq(sizeof(uvaddr_t), 8);
}
END_TEST

struct outer {
	char pad[3];
	int field;
	struct {
		long a, b;
	} inner;
};

START_TEST(compiler_helpers)
{
	struct outer o;
	int arr[7];
	long shared = 5;

	ck_assert_ptr_eq(container_of(&o.field, struct outer, field), &o);
	ck_assert_ptr_eq(container_of(&o.inner, struct outer, inner), &o);
	ck_assert_uint_eq(ARRAY_SIZE(arr), 7);
	ck_assert_uint_eq(ARRAY_SIZE(o.pad), 3);
	WRITE_ONCE(shared, 9);
	ck_assert_int_eq(READ_ONCE(shared), 9);
	ck_assert(likely(1) && !unlikely(0));
	ck_assert_int_eq(likely(7), 1);
	STATIC_ASSERT_SIZEOF(uint32_t, 4);
}
END_TEST

struct __packed packed_pair {
	char c;
	uint32_t v;
};

struct aligned_box {
	char c __aligned(64);
};

START_TEST(layout_attributes)
{
	ck_assert_uint_eq(sizeof(struct packed_pair), 5);
	ck_assert_uint_eq(_Alignof(struct aligned_box), 64);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("align-addr");
	TCase *align = tcase_create("align");
	TCase *addr = tcase_create("addr");
	TCase *compiler = tcase_create("compiler");

	tcase_add_test(align, align_macros);
	tcase_add_test(align, div_round_up);
	tcase_add_test(align, powers_of_two);
	tcase_add_test(align, log_and_roundup_edges);
	tcase_add_test(align, add_overflows_at_the_top);
	tcase_add_test(align, align_up_checked_accepts_good_input);
	tcase_add_test(align, align_up_checked_rejects_overflow);
	tcase_add_test(align, align_up_checked_rejects_bad_alignment);
	suite_add_tcase(s, align);

	tcase_add_test(addr, address_arithmetic);
	tcase_add_test(addr, address_comparison);
	tcase_add_test(addr, address_alignment);
	tcase_add_test(addr, linear_map_round_trip);
	tcase_add_test(addr, kernel_pointers_round_trip);
	suite_add_tcase(s, addr);

	tcase_add_test(compiler, compiler_helpers);
	tcase_add_test(compiler, layout_attributes);
	suite_add_tcase(s, compiler);
	return s;
}
