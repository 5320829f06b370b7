#include "../../servers/tmpfs/tmpfs.h"
#include "unit.h"
START_TEST(nothing) { } END_TEST
Suite *unit_suite(void) { Suite *s = suite_create("tmpfs"); TCase *tc = tcase_create("x"); tcase_add_test(tc, nothing); suite_add_tcase(s, tc); return s; }
