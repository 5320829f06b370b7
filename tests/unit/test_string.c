/*
 * test_string.c - <lichen/string.h> against the host libc and by hand.
 *
 * The lk_* functions are libkernel's (built with -DLK_HOST); the unprefixed
 * ones are glibc's, which serves as the reference.  Copies and fills run at
 * every alignment and many lengths, between guard bytes that must survive.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lichen/compiler.h>
#include <lichen/string.h>

#include "unit.h"

#define GUARD	 0xa5
#define BUF_SIZE 160 /* 16 alignments + 100 bytes + guard room */

static void
fill_pattern(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 31 + seed * 7 + 1);
}

/* Every byte of buf outside [start, start + n) must still be GUARD. */
static void
assert_guarded(const unsigned char *buf, size_t start, size_t n)
{
	for (size_t i = 0; i < BUF_SIZE; i++) {
		if (i >= start && i < start + n)
			continue;
		quick_assert_msg(buf[i] == GUARD,
		    "byte %zu overwritten (region %zu+%zu)", i, start, n);
	}
}

/* memcpy of every length 0..100 from src+sa to dst+da, between guards. */
static void
check_memcpy_lengths(size_t sa, size_t da)
{
	unsigned char src[BUF_SIZE], dst[BUF_SIZE];

	fill_pattern(src, sizeof(src), (unsigned)sa);
	for (size_t n = 0; n <= 100; n++) {
		memset(dst, GUARD, sizeof(dst));
		quick_assert_ptr_eq(lk_memcpy(dst + da, src + sa, n), dst + da);
		quick_assert_msg(memcmp(dst + da, src + sa, n) == 0,
		    "memcpy src+%zu dst+%zu len %zu", sa, da, n);
		assert_guarded(dst, da, n);
	}
}

START_TEST(memcpy_every_alignment_and_length)
{
	for (size_t sa = 0; sa < 16; sa++) {
		for (size_t da = 0; da < 16; da++)
			check_memcpy_lengths(sa, da);
	}
}
END_TEST

START_TEST(memcpy_zero_length_writes_nothing)
{
	unsigned char dst[BUF_SIZE];
	const unsigned char src[4] = {1, 2, 3, 4};

	memset(dst, GUARD, sizeof(dst));
	ck_assert_ptr_eq(lk_memcpy(dst + 5, src, 0), dst + 5);
	assert_guarded(dst, 0, 0);
}
END_TEST

/* memset of n bytes of c at buf+a, between guards. */
static void
check_memset(size_t a, int c, size_t n)
{
	unsigned char buf[BUF_SIZE];

	memset(buf, GUARD, sizeof(buf));
	quick_assert_ptr_eq(lk_memset(buf + a, c, n), buf + a);
	for (size_t i = 0; i < n; i++)
		quick_assert_int_eq(buf[a + i], (unsigned char)c);
	assert_guarded(buf, a, n);
}

START_TEST(memset_every_alignment_and_length)
{
	for (size_t a = 0; a < 16; a++) {
		for (size_t n = 0; n <= 100; n++)
			check_memset(a, (int)(a * 17 + n) & 0xff, n);
	}
}
END_TEST

START_TEST(memset_uses_only_the_low_byte)
{
	const int values[] = {0x1ff, -1, 0x100, -256, 0x12345678};

	for (size_t v = 0; v < ARRAY_SIZE(values); v++)
		check_memset(3, values[v], 40);
}
END_TEST

/*
 * memmove of every length 0..100 from offset s to offset d of one buffer,
 * checked against a copy made through a bounce buffer.
 */
static void
check_memmove(size_t s, size_t d)
{
	unsigned char buf[BUF_SIZE], want[BUF_SIZE], tmp[BUF_SIZE];

	for (size_t n = 0; n <= 100 && s + n <= BUF_SIZE && d + n <= BUF_SIZE;
	     n++) {
		fill_pattern(buf, sizeof(buf), (unsigned)(s + d + n));
		memcpy(want, buf, sizeof(buf));
		memcpy(tmp, want + s, n);
		memcpy(want + d, tmp, n);
		quick_assert_ptr_eq(lk_memmove(buf + d, buf + s, n), buf + d);
		quick_assert_msg(memcmp(buf, want, sizeof(buf)) == 0,
		    "memmove src+%zu dst+%zu len %zu", s, d, n);
	}
}

START_TEST(memmove_overlap_dst_below_src)
{
	for (size_t s = 1; s < 40; s++) {
		for (size_t d = 0; d < s; d++)
			check_memmove(s, d);
	}
}
END_TEST

START_TEST(memmove_overlap_dst_above_src)
{
	for (size_t s = 0; s < 40; s++) {
		for (size_t d = s + 1; d < 48; d++)
			check_memmove(s, d);
	}
}
END_TEST

START_TEST(memmove_same_place_and_disjoint)
{
	check_memmove(7, 7);
	check_memmove(0, 110);
	check_memmove(110, 3);
}
END_TEST

static int
sign(int v)
{
	return (v > 0) - (v < 0);
}

START_TEST(memcmp_sign_matches_libc)
{
	uint64_t rng = TEST_SEED;
	unsigned char a[64], b[64];

	for (int iter = 0; iter < 20000; iter++) {
		size_t n = test_rand(&rng) % sizeof(a);

		fill_pattern(a, sizeof(a), 1);
		memcpy(b, a, sizeof(b));
		if (n > 0 && test_rand(&rng) % 4 != 0)
			b[test_rand(&rng) % n] = (unsigned char)test_rand(&rng);
		quick_assert_int_eq(
		    sign(lk_memcmp(a, b, n)), sign(memcmp(a, b, n)));
		quick_assert_int_eq(
		    sign(lk_memcmp(b, a, n)), sign(memcmp(b, a, n)));
	}
}
END_TEST

START_TEST(memcmp_compares_bytes_as_unsigned)
{
	const unsigned char hi[] = {'a', 0x80}, lo[] = {'a', 0x7f};

	ck_assert_int_gt(lk_memcmp(hi, lo, 2), 0);
	ck_assert_int_lt(lk_memcmp(lo, hi, 2), 0);
	ck_assert_int_eq(lk_memcmp(hi, lo, 1), 0);
	ck_assert_int_eq(lk_memcmp(hi, lo, 0), 0);
}
END_TEST

START_TEST(memchr_matches_libc)
{
	unsigned char buf[100];

	fill_pattern(buf, sizeof(buf), 5);
	buf[50] = 0xff;
	for (int c = -300; c < 300; c += 7) {
		for (size_t n = 0; n <= sizeof(buf); n += 9)
			quick_assert_ptr_eq(
			    lk_memchr(buf, c, n), memchr(buf, c, n));
	}
	ck_assert_ptr_eq(lk_memchr(buf, 0xff, 100), memchr(buf, 0xff, 100));
	ck_assert_ptr_eq(lk_memchr(buf, -1, 100), buf + 50);
	ck_assert_ptr_null(lk_memchr(buf, 0xff, 50));
}
END_TEST

/* A string of len bytes starting at offset start, with every strnlen. */
static void
check_lengths(size_t start, size_t len)
{
	char buf[80];

	memset(buf, 'x', sizeof(buf));
	buf[start + len] = '\0';
	quick_assert_uint_eq(lk_strlen(buf + start), len);
	for (size_t max = 0; max < 70; max += 3)
		quick_assert_uint_eq(
		    lk_strnlen(buf + start, max), strnlen(buf + start, max));
}

START_TEST(strlen_and_strnlen_match_libc)
{
	for (size_t start = 0; start < 8; start++) {
		for (size_t len = 0; len < 64; len++)
			check_lengths(start, len);
	}
}
END_TEST

static const char *const words[] = {"", "a", "b", "ab", "abc", "abd", "abcd",
    "ABC", "zz", "\x80", "\x7f", "a\x80", "a\x01", "hello", "hello world",
    "hell", "help"};

/* strcmp and strncmp (for n up to 13) of a and b, against glibc's. */
static void
check_compare(const char *a, const char *b)
{
	quick_assert_msg(sign(lk_strcmp(a, b)) == sign(strcmp(a, b)),
	    "strcmp(\"%s\", \"%s\")", a, b);
	for (size_t n = 0; n < 14; n++)
		quick_assert_msg(
		    sign(lk_strncmp(a, b, n)) == sign(strncmp(a, b, n)),
		    "strncmp(\"%s\", \"%s\", %zu)", a, b, n);
}

START_TEST(strcmp_and_strncmp_signs_match_libc)
{
	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		for (size_t j = 0; j < ARRAY_SIZE(words); j++)
			check_compare(words[i], words[j]);
	}
}
END_TEST

START_TEST(strcmp_compares_bytes_as_unsigned)
{
	ck_assert_int_gt(lk_strcmp("\x80", "\x7f"), 0);
	ck_assert_int_lt(lk_strcmp("a", "a\x80"), 0);
	ck_assert_int_gt(lk_strncmp("ab\xff", "ab\x01", 3), 0);
	ck_assert_int_eq(lk_strncmp("ab\xff", "ab\x01", 2), 0);
	ck_assert_int_eq(lk_strncmp("abc", "abd", 0), 0);
}
END_TEST

START_TEST(strchr_and_strrchr_match_libc)
{
	const char *s = "a/b//c.d.e/\x80z";

	for (int c = -256; c < 512; c++) {
		quick_assert_ptr_eq(lk_strchr(s, c), strchr(s, c));
		quick_assert_ptr_eq(lk_strrchr(s, c), strrchr(s, c));
	}
}
END_TEST

START_TEST(strchr_finds_the_terminator)
{
	const char *s = "abc";

	ck_assert_ptr_eq(lk_strchr(s, '\0'), s + 3);
	ck_assert_ptr_eq(lk_strrchr(s, '\0'), s + 3);
	ck_assert_ptr_eq(lk_strchr("", '\0'), lk_strrchr("", '\0'));
	ck_assert_ptr_null(lk_strchr("", 'a'));
	ck_assert_ptr_null(lk_strrchr("", 'a'));
}
END_TEST

START_TEST(strlcpy_truncates_at_every_size)
{
	const char *src = "hello, world";
	size_t len = strlen(src);
	char dst[32];

	for (size_t size = 1; size <= len + 3; size++) {
		size_t copied = size - 1 < len ? size - 1 : len;

		memset(dst, GUARD, sizeof(dst));
		ck_assert_uint_eq(lk_strlcpy(dst, src, size), len);
		ck_assert_int_eq(memcmp(dst, src, copied), 0);
		ck_assert_int_eq(dst[copied], '\0');
		for (size_t i = copied + 1; i < sizeof(dst); i++)
			quick_assert_int_eq((unsigned char)dst[i], GUARD);
	}
}
END_TEST

START_TEST(strlcpy_size_zero_writes_nothing)
{
	char dst[4] = {'x', 'y', 'z', 'w'};

	ck_assert_uint_eq(lk_strlcpy(dst, "abc", 0), 3);
	ck_assert_int_eq(memcmp(dst, "xyzw", 4), 0);
	ck_assert_uint_eq(lk_strlcpy(dst, "", 4), 0);
	ck_assert_int_eq(dst[0], '\0');
}
END_TEST

/* Inputs for strtoul in every base of bases[], compared with glibc. */
static const char *const numbers[] = {"", " ", "0", "-0", "+0", "00", "42",
    "  -42", "\t\n\v\f\r +17xyz", "0x", "0X", "0x1f", "0X1F", "0x1fg", "0xg",
    "-0x10", "+0x10", "0x0x1", "0777", "08", "09", "0b101", "101", "z", "Zz",
    "+", "-", " +-1", "- 1", "1 2", "0x 1", "  0x0x",
    "\x80"
    "9",
    "12345678901234567890", "4294967295", "4294967296", "9223372036854775807",
    "9223372036854775808", "18446744073709551615", "18446744073709551616",
    "99999999999999999999999999", "-1", "-18446744073709551615",
    "-18446744073709551616", "0xffffffffffffffff", "0x10000000000000000",
    "0xFFFFFFFFFFFFFFFFFFFF", "1777777777777777777777",
    "2000000000000000000000", "01777777777777777777777",
    "1111111111111111111111111111111111111111111111111111111111111111",
    "11111111111111111111111111111111111111111111111111111111111111111",
    "zzzzzzzzzzzzz", "3w5e11264sgsf", "3w5e11264sgsg", "1y2p0ij32e8e7",
    "1y2p0ij32e8e8"};
static const int bases[] = {0, 2, 8, 10, 16, 36, 7, 35};

static void
check_strtoul(const char *s, int base)
{
	char *lk_end, *libc_end;
	unsigned long lk = lk_strtoul(s, &lk_end, base);
	unsigned long want = strtoul(s, &libc_end, base);

	quick_assert_msg(lk == want && lk_end == libc_end,
	    "strtoul(\"%s\", %d): %lu end+%td, glibc %lu end+%td", s, base, lk,
	    lk_end - s, want, libc_end - s);
}

START_TEST(strtoul_matches_libc)
{
	for (size_t i = 0; i < ARRAY_SIZE(numbers); i++) {
		for (size_t b = 0; b < ARRAY_SIZE(bases); b++)
			check_strtoul(numbers[i], bases[b]);
	}
}
END_TEST

START_TEST(strtoul_round_trips_random_values)
{
	uint64_t rng = TEST_SEED;
	const char *const formats[] = {"%lu", "%#lx", "%#lo", "%lx", "%lo"};
	const int base_for[] = {10, 0, 0, 16, 8};
	char buf[40];

	for (int iter = 0; iter < 20000; iter++) {
		unsigned long v = test_rand(&rng) >> (test_rand(&rng) % 64);
		size_t f = (size_t)iter % 5;
		char *end;

		snprintf(buf, sizeof(buf), formats[f], v);
		quick_assert_uint_eq(lk_strtoul(buf, &end, base_for[f]), v);
		quick_assert_ptr_eq(end, buf + strlen(buf));
	}
}
END_TEST

START_TEST(strtoul_saturates_without_errno)
{
	char *end;

	errno = 0;
	ck_assert_uint_eq(
	    lk_strtoul("18446744073709551616", &end, 10), ULONG_MAX);
	ck_assert_int_eq(*end, '\0');
	ck_assert_uint_eq(
	    lk_strtoul("-99999999999999999999x", &end, 0), ULONG_MAX);
	ck_assert_int_eq(*end, 'x');
	ck_assert_uint_eq(
	    lk_strtoul("0x1ffffffffffffffff", NULL, 16), ULONG_MAX);
	ck_assert_uint_eq(
	    lk_strtoul("18446744073709551615", NULL, 10), ULONG_MAX);
	ck_assert_uint_eq(
	    lk_strtoul("18446744073709551614", NULL, 10), ULONG_MAX - 1);
	ck_assert_int_eq(errno, 0);
}
END_TEST

START_TEST(strtoul_without_digits_leaves_endptr_at_start)
{
	const char *const inputs[] = {
	    "", "   ", " + ", "-", "x", "  0x", "\n-z"};

	for (size_t i = 0; i < ARRAY_SIZE(inputs); i++) {
		char *end = NULL;
		const char *s = inputs[i];

		/* "  0x" has the digit 0, so it is the one partial case. */
		unsigned long v = lk_strtoul(s, &end, 0);

		ck_assert_uint_eq(v, 0);
		if (strcmp(s, "  0x") == 0)
			ck_assert_ptr_eq(end, s + 3);
		else
			ck_assert_ptr_eq(end, s);
	}
}
END_TEST

START_TEST(strtoul_hex_prefix_needs_a_hex_digit)
{
	char *end;

	ck_assert_uint_eq(lk_strtoul("0xz", &end, 16), 0);
	ck_assert_int_eq(*end, 'x');
	ck_assert_uint_eq(lk_strtoul("0x", &end, 0), 0);
	ck_assert_int_eq(*end, 'x');
	ck_assert_uint_eq(lk_strtoul("0xA", &end, 0), 10);
	ck_assert_int_eq(*end, '\0');
	/* Base 10 never takes a prefix. */
	ck_assert_uint_eq(lk_strtoul("0x10", &end, 10), 0);
	ck_assert_int_eq(*end, 'x');
}
END_TEST

START_TEST(strtoul_negates_in_unsigned_arithmetic)
{
	ck_assert_uint_eq(lk_strtoul("-1", NULL, 10), ULONG_MAX);
	ck_assert_uint_eq(lk_strtoul("-0x10", NULL, 0), -16UL);
	ck_assert_uint_eq(lk_strtoul("  -010", NULL, 0), -8UL);
	ck_assert_uint_eq(lk_strtoul("-18446744073709551615", NULL, 10), 1);
}
END_TEST

START_TEST(strtoul_rejects_bad_bases)
{
	const int bad[] = {-1, 1, 37, 64, INT_MIN};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		const char *s = "123";
		char *end = NULL;

		ck_assert_uint_eq(lk_strtoul(s, &end, bad[i]), 0);
		ck_assert_ptr_eq(end, s);
	}
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("string");
	TCase *mem = tcase_create("memory");
	TCase *str = tcase_create("strings");
	TCase *num = tcase_create("strtoul");

	tcase_add_test(mem, memcpy_every_alignment_and_length);
	tcase_add_test(mem, memcpy_zero_length_writes_nothing);
	tcase_add_test(mem, memset_every_alignment_and_length);
	tcase_add_test(mem, memset_uses_only_the_low_byte);
	tcase_add_test(mem, memmove_overlap_dst_below_src);
	tcase_add_test(mem, memmove_overlap_dst_above_src);
	tcase_add_test(mem, memmove_same_place_and_disjoint);
	tcase_add_test(mem, memcmp_sign_matches_libc);
	tcase_add_test(mem, memcmp_compares_bytes_as_unsigned);
	tcase_add_test(mem, memchr_matches_libc);
	suite_add_tcase(s, mem);

	tcase_add_test(str, strlen_and_strnlen_match_libc);
	tcase_add_test(str, strcmp_and_strncmp_signs_match_libc);
	tcase_add_test(str, strcmp_compares_bytes_as_unsigned);
	tcase_add_test(str, strchr_and_strrchr_match_libc);
	tcase_add_test(str, strchr_finds_the_terminator);
	tcase_add_test(str, strlcpy_truncates_at_every_size);
	tcase_add_test(str, strlcpy_size_zero_writes_nothing);
	suite_add_tcase(s, str);

	tcase_add_test(num, strtoul_matches_libc);
	tcase_add_test(num, strtoul_round_trips_random_values);
	tcase_add_test(num, strtoul_saturates_without_errno);
	tcase_add_test(num, strtoul_without_digits_leaves_endptr_at_start);
	tcase_add_test(num, strtoul_hex_prefix_needs_a_hex_digit);
	tcase_add_test(num, strtoul_negates_in_unsigned_arithmetic);
	tcase_add_test(num, strtoul_rejects_bad_bases);
	suite_add_tcase(s, num);
	return s;
}
