/*
 * test_cmdline.c - kernel/cmdline.c: finding key=value boot arguments.
 */
#include <string.h>

#include "../../kernel/cmdline.h"
#include "unit.h"

static const char *
value(const char *cmdline, const char *key)
{
	static char buf[64];
	size_t len;
	const char *v = cmdline_get(cmdline, key, &len);

	if (v == NULL)
		return NULL;
	memcpy(buf, v, len);
	buf[len] = '\0';
	return buf;
}

START_TEST(finds_values)
{
	const char *c = "console=ttyAMA0 lichen.panic=halt  lichen.crash=panic";

	ck_assert_str_eq(value(c, "console"), "ttyAMA0");
	ck_assert_str_eq(value(c, "lichen.panic"), "halt");
	ck_assert_str_eq(value(c, "lichen.crash"), "panic");
}
END_TEST

START_TEST(prefixes_and_absent_keys)
{
	const char *c = "lichen.panicky=1 lichen.pani=2 xlichen.panic=3";

	ck_assert_ptr_null(value(c, "lichen.panic"));
	ck_assert_ptr_null(value("", "a"));
	ck_assert_ptr_null(value("   ", "a"));
	ck_assert_ptr_null(value("a", "a"));		/* no '=' */
	ck_assert_str_eq(value("a= b=1", "a"), "");	/* empty value */
}
END_TEST

START_TEST(first_match_wins)
{
	ck_assert_str_eq(value("k=1 k=2", "k"), "1");
}
END_TEST

START_TEST(is_compares_whole_values)
{
	ck_assert(cmdline_is("lichen.panic=halt", "lichen.panic", "halt"));
	ck_assert(!cmdline_is("lichen.panic=halted", "lichen.panic", "halt"));
	ck_assert(!cmdline_is("lichen.panic=hal", "lichen.panic", "halt"));
	ck_assert(!cmdline_is("", "lichen.panic", "halt"));
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("cmdline");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, finds_values);
	tcase_add_test(tc, prefixes_and_absent_keys);
	tcase_add_test(tc, first_match_wins);
	tcase_add_test(tc, is_compares_whole_values);
	suite_add_tcase(s, tc);
	return s;
}
