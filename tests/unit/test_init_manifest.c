/*
 * test_init_manifest.c - init's boot manifest parser (servers/init,
 * manifest.c): the three verbs, comments, blank lines, CRLF and tabs,
 * a last line without a newline, and hostile input (long lines, too many
 * arguments, missing fields, unknown verbs, control bytes), each
 * reported with its line number while the lines after it still run.
 */
#include <stdio.h>
#include <string.h>

#include "init_core.h"
#include "unit.h"

static char log_buf[8192];

static void
capture(void *ctx, const char *line)
{
	size_t used = strlen(log_buf);

	(void)ctx;
	if (used + strlen(line) + 2 > sizeof(log_buf))
		return;		/* full: the tests that read it log far less */
	strcat(log_buf, line);
	strcat(log_buf, "\n");
}

static struct manifest mf;
static struct manifest_cmd cmd;

static void
open_text(const char *text, size_t len)
{
	log_buf[0] = '\0';
	manifest_init(&mf, "boot.manifest", text, len, capture, NULL);
}

static void
open_str(const char *text)
{
	open_text(text, strlen(text));
}

static void
expect_start(enum manifest_verb verb, unsigned line, const char *name,
    const char *path, unsigned argc)
{
	ck_assert_int_eq(manifest_next(&mf, &cmd), 1);
	ck_assert_int_eq(cmd.verb, verb);
	ck_assert_uint_eq(cmd.line, line);
	ck_assert_str_eq(cmd.name, name);
	ck_assert_str_eq(cmd.path, path);
	ck_assert_uint_eq(cmd.argc, argc);
	ck_assert_str_eq(cmd.argv[0], name);
	ck_assert_ptr_null(cmd.argv[argc]);
}

START_TEST(the_three_verbs)
{
	open_str("start vfs sbin/vfs\n"
		 "run   test  tests/hello  -v  --count=3\n"
		 "poweroff\n");
	expect_start(MANIFEST_START, 1, "vfs", "sbin/vfs", 1);
	expect_start(MANIFEST_RUN, 2, "test", "tests/hello", 3);
	ck_assert_str_eq(cmd.argv[1], "-v");
	ck_assert_str_eq(cmd.argv[2], "--count=3");
	ck_assert_int_eq(manifest_next(&mf, &cmd), 1);
	ck_assert_int_eq(cmd.verb, MANIFEST_POWEROFF);
	ck_assert_uint_eq(cmd.line, 3);
	ck_assert_int_eq(manifest_next(&mf, &cmd), 0);
	ck_assert_int_eq(manifest_next(&mf, &cmd), 0);
	ck_assert_str_eq(log_buf, "");
	ck_assert_uint_eq(mf.errors, 0);
}
END_TEST

/* driver: start's words; the child gets the device handle too. */
START_TEST(driver_verb)
{
	open_str("driver virtio-blk sbin/virtio-blk -v\n"
		 "driver\n"
		 "driver blk\n"
		 "drivers x sbin/x\n"
		 "driver last sbin/last");
	expect_start(MANIFEST_DRIVER, 1, "virtio-blk", "sbin/virtio-blk", 2);
	ck_assert_str_eq(cmd.argv[1], "-v");
	ck_assert_int_eq(manifest_next(&mf, &cmd), 1);
	ck_assert_int_eq(cmd.verb, MANIFEST_DRIVER);
	ck_assert_uint_eq(cmd.line, 5);
	ck_assert_int_eq(manifest_next(&mf, &cmd), 0);
	ck_assert_str_eq(log_buf,
	    "init: boot.manifest:2: missing NAME and PATH after 'driver'\n"
	    "init: boot.manifest:3: missing PATH after 'blk'\n"
	    "init: boot.manifest:4: unknown verb 'drivers'\n");
	ck_assert_uint_eq(mf.errors, 3);
}
END_TEST

START_TEST(comments_blanks_crlf_tabs)
{
	open_str("# the servers\r\n"
		 "\n"
		 "   \t  \n"
		 "\tstart\tfat32\tsbin/fat32\t# a comment after words\r\n"
		 "#start hidden sbin/hidden\n"
		 "start a#b p#q x # y\n"
		 "start last sbin/last");		/* no final newline */
	expect_start(MANIFEST_START, 4, "fat32", "sbin/fat32", 1);
	expect_start(MANIFEST_START, 6, "a#b", "p#q", 2);
	ck_assert_str_eq(cmd.argv[1], "x");
	expect_start(MANIFEST_START, 7, "last", "sbin/last", 1);
	ck_assert_int_eq(manifest_next(&mf, &cmd), 0);
	ck_assert_str_eq(log_buf, "");
}
END_TEST

START_TEST(empty_manifests)
{
	open_text(NULL, 0);
	ck_assert_int_eq(manifest_next(&mf, &cmd), 0);
	open_str("");
	ck_assert_int_eq(manifest_next(&mf, &cmd), 0);
	open_str("\n\n# nothing\n");
	ck_assert_int_eq(manifest_next(&mf, &cmd), 0);
	ck_assert_uint_eq(mf.line, 3);
	ck_assert_str_eq(log_buf, "");
}
END_TEST

START_TEST(unknown_verbs_and_missing_fields)
{
	open_str("strat vfs sbin/vfs\n"
		 "start\n"
		 "run onlyname\n"
		 "poweroff now\n"
		 "START vfs sbin/vfs\n"
		 "start ok sbin/ok\n");
	expect_start(MANIFEST_START, 6, "ok", "sbin/ok", 1);
	ck_assert_int_eq(manifest_next(&mf, &cmd), 0);
	ck_assert_str_eq(log_buf,
	    "init: boot.manifest:1: unknown verb 'strat'\n"
	    "init: boot.manifest:2: missing NAME and PATH after 'start'\n"
	    "init: boot.manifest:3: missing PATH after 'onlyname'\n"
	    "init: boot.manifest:4: poweroff takes no arguments: 'now'\n"
	    "init: boot.manifest:5: unknown verb 'START'\n");
	ck_assert_uint_eq(mf.errors, 5);
}
END_TEST

START_TEST(long_lines)
{
	static char text[4096];
	char *p = text;

	/* Exactly the limit passes; one more byte is reported. */
	p += sprintf(p, "start a ");
	memset(p, 'x', MANIFEST_LINE_MAX - 8);
	p += MANIFEST_LINE_MAX - 8;
	p += sprintf(p, "\nstart b ");
	memset(p, 'y', MANIFEST_LINE_MAX - 7);
	p += MANIFEST_LINE_MAX - 7;
	p += sprintf(p, "\nstart c sbin/c\n");
	memset(p, 'z', 1000);		/* and a long last line, no newline */
	p += 1000;
	open_text(text, (size_t)(p - text));
	ck_assert_int_eq(manifest_next(&mf, &cmd), 1);
	ck_assert_str_eq(cmd.name, "a");
	ck_assert_uint_eq(strlen(cmd.path), MANIFEST_LINE_MAX - 8);
	expect_start(MANIFEST_START, 3, "c", "sbin/c", 1);
	ck_assert_int_eq(manifest_next(&mf, &cmd), 0);
	ck_assert_str_eq(log_buf,
	    "init: boot.manifest:2: line longer than 255 bytes\n"
	    "init: boot.manifest:4: line longer than 255 bytes\n");
}
END_TEST

START_TEST(too_many_arguments)
{
	char text[512], *p = text;

	/* 15 ARGS fit (argv = NAME + 15); 16 do not. */
	p += sprintf(p, "start fits p");
	for (int i = 0; i < 15; i++)
		p += sprintf(p, " a%d", i);
	p += sprintf(p, "\nstart over p");
	for (int i = 0; i < 16; i++)
		p += sprintf(p, " a%d", i);
	p += sprintf(p, "\nrun after p\n");
	open_str(text);
	expect_start(MANIFEST_START, 1, "fits", "p", MANIFEST_ARGV_MAX);
	ck_assert_str_eq(cmd.argv[15], "a14");
	expect_start(MANIFEST_RUN, 3, "after", "p", 1);
	ck_assert_str_eq(log_buf,
	    "init: boot.manifest:2: too many ARGS (at most 15)\n");
}
END_TEST

START_TEST(long_names)
{
	open_str("start a234567890123456789012345678901 p\n"
		 "start a2345678901234567890123456789012 p\n");
	ck_assert_int_eq(manifest_next(&mf, &cmd), 1);
	ck_assert_uint_eq(strlen(cmd.name), INIT_NAME_MAX);
	ck_assert_int_eq(manifest_next(&mf, &cmd), 0);
	ck_assert_str_eq(log_buf, "init: boot.manifest:2: NAME longer than 31 "
	    "bytes: 'a2345678901234567890123456789012'\n");
}
END_TEST

START_TEST(control_bytes)
{
	static const char text[] = "start a\0b p\n"
				   "start \x01x p\n"
				   "start \x7fx p\n"
				   "start \x1b[1m p\n"
				   "start ok p\n";

	open_text(text, sizeof(text) - 1);
	expect_start(MANIFEST_START, 5, "ok", "p", 1);
	ck_assert_str_eq(log_buf,
	    "init: boot.manifest:1: control character in line\n"
	    "init: boot.manifest:2: control character in line\n"
	    "init: boot.manifest:3: control character in line\n"
	    "init: boot.manifest:4: control character in line\n");
}
END_TEST

/* Words are bytes: a long unknown verb is cut in the message. */
START_TEST(messages_are_bounded)
{
	char text[300];

	memset(text, 'v', 200);
	strcpy(text + 200, " x y\n");
	open_str(text);
	ck_assert_int_eq(manifest_next(&mf, &cmd), 0);
	ck_assert_str_eq(log_buf, "init: boot.manifest:1: unknown verb "
	    "'vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv'\n");
}
END_TEST

/* Random bytes: never a crash, every command well formed. */
START_TEST(random_input)
{
	static const char alphabet[] = "start run driver poweroff # \t\r\n\n\nab/\x01";
	static char text[4096];
	uint64_t seed = TEST_SEED;

	for (int round = 0; round < 2000; round++) {
		size_t len = test_rand(&seed) % sizeof(text);

		for (size_t i = 0; i < len; i++)
			text[i] = alphabet[test_rand(&seed) % (sizeof(alphabet) - 1)];
		open_text(text, len);
		while (manifest_next(&mf, &cmd) == 1) {
			quick_assert(cmd.line >= 1 && cmd.line <= mf.line);
			if (cmd.verb == MANIFEST_POWEROFF)
				continue;
			quick_assert(cmd.verb == MANIFEST_START ||
			    cmd.verb == MANIFEST_RUN || cmd.verb == MANIFEST_DRIVER);
			quick_assert(cmd.argc >= 1 && cmd.argc <= MANIFEST_ARGV_MAX);
			quick_assert(cmd.argv[cmd.argc] == NULL);
			quick_assert(strlen(cmd.name) > 0 && strlen(cmd.path) > 0);
		}
		quick_assert(mf.off == len);
	}
}
END_TEST

START_TEST(manifest_name_from_argv)
{
	char *none[] = { "init", NULL };
	char *other[] = { "init", "console=ttyAMA0", "lichen.manifest=ramdisk.manifest",
		"lichen.manifest=second", NULL };
	char *empty[] = { "init", "lichen.manifest=", NULL };
	char *argv0[] = { "lichen.manifest=not-argv0", NULL };

	ck_assert_str_eq(init_manifest_name(1, none), "boot.manifest");
	ck_assert_str_eq(init_manifest_name(0, none), "boot.manifest");
	ck_assert_str_eq(init_manifest_name(4, other), "ramdisk.manifest");
	ck_assert_str_eq(init_manifest_name(2, empty), "boot.manifest");
	ck_assert_str_eq(init_manifest_name(1, argv0), "boot.manifest");
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("init-manifest");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, the_three_verbs);
	tcase_add_test(tc, driver_verb);
	tcase_add_test(tc, comments_blanks_crlf_tabs);
	tcase_add_test(tc, empty_manifests);
	tcase_add_test(tc, unknown_verbs_and_missing_fields);
	tcase_add_test(tc, long_lines);
	tcase_add_test(tc, too_many_arguments);
	tcase_add_test(tc, long_names);
	tcase_add_test(tc, control_bytes);
	tcase_add_test(tc, messages_are_bounded);
	tcase_add_test(tc, random_input);
	tcase_add_test(tc, manifest_name_from_argv);
	suite_add_tcase(s, tc);
	return s;
}
