/*
 * test_ipc_encoding.c - the numbers libipc's protocols are made of:
 * label encoding, ABI struct sizes, protocol and label constants, the
 * loop's reserved values (IPC_SUSPEND, IPC_COOKIE_BIT) and name syntax.
 */
#include <stddef.h>
#include <string.h>

#include <lichen/errno.h>
#include <lichen/ipc.h>
#include <lichen/ipc_server.h>
#include <lichen/native.h>
#include <lichen/proto/name.h>
#include <lichen/proto/protocols.h>
#include <lichen/proto/test.h>

#include "unit.h"

START_TEST(labels_round_trip)
{
	static const uint32_t v[] = { 0, 1, 2, 0x7fffffff, 0x80000000u,
		0xffffffffu };

	for (unsigned i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		for (unsigned j = 0; j < sizeof(v) / sizeof(v[0]); j++) {
			uint64_t l = IPC_LABEL(v[i], v[j]);

			ck_assert_uint_eq(IPC_PROTO(l), v[i]);
			ck_assert_uint_eq(IPC_OP(l), v[j]);
		}
	}
	ck_assert_uint_eq(IPC_LABEL(1, 2), UINT64_C(0x100000002));
}
END_TEST

START_TEST(abi_struct_layouts)
{
	ck_assert_uint_eq(sizeof(struct ipc_ext), 96);
	ck_assert_uint_eq(offsetof(struct ipc_ext, rlen), 32);
	ck_assert_uint_eq(offsetof(struct ipc_ext, shandles), 40);
	ck_assert_uint_eq(offsetof(struct ipc_ext, nshandles), 56);
	ck_assert_uint_eq(offsetof(struct ipc_ext, rhandles), 60);
	ck_assert_uint_eq(offsetof(struct ipc_ext, nrhandles), 76);
	ck_assert_uint_eq(offsetof(struct ipc_ext, reply_ep), 80);
	ck_assert_uint_eq(offsetof(struct ipc_ext, cookie), 88);
	ck_assert_uint_eq(sizeof(struct handle_info), 24);
	ck_assert_uint_eq(sizeof(((struct ipc_msg *)0)->w), IPC_WORDS * 8);
}
END_TEST

START_TEST(protocol_labels)
{
	ck_assert_uint_eq(PROTO_NAME, 1);
	ck_assert_uint_eq(PROTO_TEST, 2);
	ck_assert_uint_ne(PROTO_NAME, PROTO_KERNEL);
	ck_assert_uint_eq(IPC_PROTO(NAME_REGISTER), PROTO_NAME);
	ck_assert_uint_eq(IPC_PROTO(NAME_LOOKUP), PROTO_NAME);
	ck_assert_uint_eq(IPC_PROTO(NAME_WAIT), PROTO_NAME);
	ck_assert_uint_ne(NAME_REGISTER, NAME_LOOKUP);
	ck_assert_uint_ne(NAME_LOOKUP, NAME_WAIT);
	ck_assert_uint_ne(NAME_REGISTER, NAME_WAIT);
	ck_assert_uint_eq(IPC_PROTO(TEST_ECHO), PROTO_TEST);
	ck_assert_uint_eq(IPC_PROTO(TEST_SUM), PROTO_TEST);
	ck_assert_uint_ne(TEST_ECHO, TEST_SUM);
	/* No protocol label is one of the kernel's. */
	ck_assert_uint_ne(IPC_PROTO(LABEL_ERROR), PROTO_NAME);
	ck_assert_uint_eq(IPC_PROTO(LABEL_EXIT), PROTO_KERNEL);
}
END_TEST

START_TEST(reserved_values)
{
	/* IPC_SUSPEND is neither a status nor an errno. */
	ck_assert_int_lt(IPC_SUSPEND, -4095);
	ck_assert_int_eq(EMSGSIZE, 90);
	ck_assert_uint_eq(IPC_COOKIE_BIT, UINT64_C(0x8000000000000000));
	ck_assert_uint_eq(NAME_EP_RIGHTS & RIGHT_RECV, 0);
	ck_assert_uint_eq(NAME_EP_RIGHTS & RIGHT_SEND, RIGHT_SEND);
}
END_TEST

START_TEST(name_syntax)
{
	char longname[NAME_LEN_MAX + 2];

	ck_assert(name_is_valid("vfs", 3));
	ck_assert(name_is_valid("a", 1));
	ck_assert(name_is_valid("dev.console-0_x/y", 17));
	ck_assert(!name_is_valid("", 0));
	ck_assert(!name_is_valid("a b", 3));
	ck_assert(!name_is_valid("a\tb", 3));
	ck_assert(!name_is_valid("a\0b", 3));
	ck_assert(!name_is_valid("\x7f", 1));
	ck_assert(!name_is_valid("\xc3\xa9", 2));
	memset(longname, 'n', sizeof(longname));
	ck_assert(name_is_valid(longname, NAME_LEN_MAX));
	ck_assert(!name_is_valid(longname, NAME_LEN_MAX + 1));
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("ipc-encoding");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, labels_round_trip);
	tcase_add_test(tc, abi_struct_layouts);
	tcase_add_test(tc, protocol_labels);
	tcase_add_test(tc, reserved_values);
	tcase_add_test(tc, name_syntax);
	suite_add_tcase(s, tc);
	return s;
}
