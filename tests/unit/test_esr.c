/*
 * test_esr.c - kernel/arch/aarch64/esr.c: ESR values the CPU really
 * produces decode to the right names, and unknown ones say so.
 */
#include <string.h>

#include "../../kernel/arch/aarch64/esr.h"
#include "unit.h"

START_TEST(data_abort_translation_write)
{
	char buf[200];

	/* EC 0x25, IL, WnR, DFSC 0b000100 (translation fault, level 0). */
	esr_describe(0x96000044, buf, sizeof(buf));
	ck_assert_str_eq(buf, "Data Abort taken without a change in exception "
	    "level: translation fault, level 0, write");
}
END_TEST

START_TEST(data_abort_permission_read_lower_el)
{
	char buf[200];

	esr_describe(0x9200004f & ~(1U << 6), buf, sizeof(buf));
	ck_assert_str_eq(buf, "Data Abort from a lower exception level: "
	    "permission fault, level 3, read");
}
END_TEST

START_TEST(instruction_abort_access_flag)
{
	char buf[200];

	esr_describe(0x8600000b, buf, sizeof(buf));
	ck_assert_str_eq(buf, "Instruction Abort taken without a change in "
	    "exception level: access flag fault, level 3");
}
END_TEST

START_TEST(non_abort_classes)
{
	char buf[200];

	esr_describe(0x02000000, buf, sizeof(buf));
	ck_assert_str_eq(buf, "Unknown reason (EC 0x00, ISS 0x0000000)");
	esr_describe(0x56000000, buf, sizeof(buf));
	ck_assert_str_eq(buf, "SVC from AArch64 (EC 0x15, ISS 0x0000000)");
	esr_describe(0xf2000001, buf, sizeof(buf));
	ck_assert_str_eq(buf, "BRK instruction (AArch64) (EC 0x3c, ISS 0x0000001)");
}
END_TEST

START_TEST(fault_status_names)
{
	ck_assert_str_eq(esr_fault_name(0x21), "alignment fault");
	ck_assert_str_eq(esr_fault_name(0x10), "synchronous external abort");
	ck_assert_str_eq(esr_fault_name(0x07), "translation fault, level 3");
	ck_assert_str_eq(esr_fault_name(0x0d), "permission fault, level 1");
	ck_assert_str_eq(esr_fault_name(0x30), "TLB conflict abort");
	ck_assert_str_eq(esr_fault_name(0x3f), "unknown fault status code");
}
END_TEST

START_TEST(every_class_has_a_name)
{
	for (unsigned ec = 0; ec < 64; ec++)
		ck_assert_ptr_nonnull(esr_class_name(ec));
	ck_assert_str_eq(esr_class_name(0x0a), "unknown exception class");
	ck_assert_str_eq(esr_class_name(999), "unknown exception class");
}
END_TEST

START_TEST(truncates_safely)
{
	char buf[8];
	int n = esr_describe(0x96000044, buf, sizeof(buf));

	ck_assert_int_gt(n, 7);
	ck_assert_str_eq(buf, "Data Ab");
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("esr");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, data_abort_translation_write);
	tcase_add_test(tc, data_abort_permission_read_lower_el);
	tcase_add_test(tc, instruction_abort_access_flag);
	tcase_add_test(tc, non_abort_classes);
	tcase_add_test(tc, fault_status_names);
	tcase_add_test(tc, every_class_has_a_name);
	tcase_add_test(tc, truncates_safely);
	suite_add_tcase(s, tc);
	return s;
}
