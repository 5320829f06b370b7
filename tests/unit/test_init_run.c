/*
 * test_init_run.c - init running its manifest (servers/init/init_core.c)
 * over an in-memory boot archive, with fake spawn and poweroff: start
 * order and argv, `run` waiting for its child's exit (also through the
 * LABEL_EXIT message and init's handler table), poweroff with the last
 * run's status, and what goes wrong: a missing manifest or PATH, a
 * program that does not start, a poweroff that returns, too many
 * programs, exits nobody expects.
 */
#include <stdio.h>
#include <string.h>

#include <lichen/errno.h>
#include <lichen/ipc_host.h>
#include <lichen/ipc_server.h>
#include <lichen/native.h>

#include "init_core.h"
#include "unit.h"

/* --- a newc archive, built in memory --- */

static unsigned char archive[65536];
static size_t archive_len;

static void
put(const void *p, size_t n)
{
	ck_assert_uint_le(archive_len + n, sizeof(archive));
	memcpy(archive + archive_len, p, n);
	archive_len += n;
}

static void
pad4(void)
{
	while (archive_len % 4 != 0)
		put("", 1);
}

static void
add_file(const char *name, const char *data)
{
	char hdr[128];
	unsigned len = (unsigned)strlen(data);

	snprintf(hdr, sizeof(hdr), "070701%08x%08x%08x%08x%08x%08x%08x%08x"
	    "%08x%08x%08x%08x%08x", 1u, 0100644u, 0u, 0u, 1u, 0u, len, 0u, 0u,
	    0u, 0u, (unsigned)strlen(name) + 1, 0u);
	put(hdr, 110);
	put(name, strlen(name) + 1);
	pad4();
	put(data, len);
	pad4();
}

static void
archive_begin(void)
{
	archive_len = 0;
}

static void
archive_end(void)
{
	add_file("TRAILER!!!", "");
}

/* --- fakes --- */

struct spawned {
	char name[32];
	char elf[64];
	unsigned argc;
	char argv[INIT_SPAWN_ARGV_MAX][64];
	uint64_t cookie;
	handle_t name_ep;
	bool driver;
};

static struct spawned spawned[INIT_CHILDREN_MAX + 4];
static unsigned nspawned;
static long spawn_error;		/* what the next spawn returns */
static long powered_off[4];
static unsigned npoweroffs;
static char log_buf[8192];

static long
fake_spawn(void *ctx, const struct init_spawn *s, handle_t *proc)
{
	struct spawned *sp = &spawned[nspawned];
	long h;

	ck_assert_ptr_eq(ctx, &spawned);
	if (spawn_error != 0)
		return spawn_error;
	strcpy(sp->name, s->name);
	ck_assert_uint_lt(s->len, sizeof(sp->elf));
	memcpy(sp->elf, s->elf, s->len);
	sp->elf[s->len] = '\0';
	sp->argc = s->argc;
	for (unsigned i = 0; i < s->argc; i++)
		strcpy(sp->argv[i], s->argv[i]);
	sp->cookie = s->cookie;
	sp->name_ep = s->name_ep;
	sp->driver = s->driver;
	ck_assert_uint_eq(s->device, HANDLE_NONE);	/* main.c's to fill in */
	nspawned++;
	/* A real handle stands for the process, so closing it is checked. */
	h = ep_create(1);
	ck_assert_int_gt(h, 0);
	*proc = (handle_t)h;
	return 0;
}

static void
fake_poweroff(void *ctx, long status)
{
	(void)ctx;
	powered_off[npoweroffs++ % 4] = status;
}

static void
capture(void *ctx, const char *line)
{
	(void)ctx;
	if (strlen(log_buf) + strlen(line) + 2 <= sizeof(log_buf)) {
		strcat(log_buf, line);
		strcat(log_buf, "\n");
	}
}

static const struct init_ops ops = { fake_spawn, fake_poweroff, capture,
	spawned };
static struct init in;
static handle_t ep;

/* An archive with these programs and a boot.manifest. */
static int
boot(const char *manifest)
{
	archive_begin();
	add_file("boot.manifest", manifest);
	add_file("bin/a", "ELF-a");
	add_file("bin/b", "ELF-b");
	add_file("bin/t", "ELF-t");
	archive_end();
	ep = (handle_t)ep_create(0);
	log_buf[0] = '\0';
	return init_begin(&in, archive, archive_len, "boot.manifest", ep, &ops);
}

static uint64_t
cookie_of(const char *name)
{
	for (unsigned i = 0; i < nspawned; i++)
		if (strcmp(spawned[i].name, name) == 0)
			return spawned[i].cookie;
	ck_abort_msg("%s was not started", name);
	return 0;
}

START_TEST(starts_in_order_with_argv)
{
	ck_assert_int_eq(boot("# two servers\n"
			      "start a bin/a -x --y=1\n"
			      "start b bin/b\n"), 0);
	init_step(&in);
	ck_assert_uint_eq(nspawned, 2);
	ck_assert_str_eq(spawned[0].name, "a");
	ck_assert_str_eq(spawned[0].elf, "ELF-a");
	ck_assert_uint_eq(spawned[0].argc, 3);
	ck_assert_str_eq(spawned[0].argv[0], "a");
	ck_assert_str_eq(spawned[0].argv[1], "-x");
	ck_assert_str_eq(spawned[0].argv[2], "--y=1");
	ck_assert_uint_eq(spawned[0].name_ep, ep);
	ck_assert_str_eq(spawned[1].name, "b");
	ck_assert_str_eq(spawned[1].elf, "ELF-b");
	ck_assert_uint_eq(spawned[1].argc, 1);
	ck_assert_uint_ne(spawned[0].cookie, spawned[1].cookie);
	ck_assert_uint_ge(spawned[0].cookie, INIT_COOKIE_BASE);
	ck_assert(!(spawned[0].cookie & IPC_COOKIE_BIT));
	ck_assert(in.manifest_done);
	ck_assert_int_eq(in.waiting, -1);
	ck_assert_uint_eq(npoweroffs, 0);
	ck_assert_str_eq(log_buf, "");
}
END_TEST

/* A driver starts like a server; only its spawn says "driver". */
START_TEST(bootargs_expand)
{
	char *const boot_args[] = { "lichen.manifest=x", "linuxemu.run=/bin/sh" };

	ck_assert_int_eq(boot("start a bin/a -x $BOOTARGS -y\n"
			      "start b bin/b $BOOTARGSX\n"), 0);
	in.bootargc = 2;
	in.bootargv = boot_args;
	init_step(&in);
	ck_assert_uint_eq(nspawned, 2);
	ck_assert_uint_eq(spawned[0].argc, 5);
	ck_assert_str_eq(spawned[0].argv[1], "-x");
	ck_assert_str_eq(spawned[0].argv[2], "lichen.manifest=x");
	ck_assert_str_eq(spawned[0].argv[3], "linuxemu.run=/bin/sh");
	ck_assert_str_eq(spawned[0].argv[4], "-y");
	ck_assert_uint_eq(spawned[1].argc, 2);		/* only the whole word */
	ck_assert_str_eq(spawned[1].argv[1], "$BOOTARGSX");
}
END_TEST

START_TEST(driver_starts_like_start)
{
	ck_assert_int_eq(boot("driver a bin/a --disk\n"
			      "start b bin/b\n"
			      "run t bin/t\n"), 0);
	init_step(&in);
	ck_assert_uint_eq(nspawned, 3);
	ck_assert_str_eq(spawned[0].name, "a");
	ck_assert_uint_eq(spawned[0].argc, 2);
	ck_assert_str_eq(spawned[0].argv[1], "--disk");
	ck_assert(spawned[0].driver);
	ck_assert(!spawned[1].driver);
	ck_assert(!spawned[2].driver);
	ck_assert_int_eq(in.waiting, 2);	/* the run, not the driver */
	init_child_exited(&in, cookie_of("a"), 0);
	ck_assert_str_eq(log_buf, "init: a exited with status 0\n");
}
END_TEST

START_TEST(run_waits_for_the_exit)
{
	unsigned base;

	ck_assert_int_eq(boot("start a bin/a\n"
			      "run t bin/t\n"
			      "start b bin/b\n"
			      "poweroff\n"), 0);
	base = ipc_host_live_handles();
	init_step(&in);
	ck_assert_uint_eq(nspawned, 2);
	ck_assert(!in.manifest_done);
	init_step(&in);			/* still waiting: nothing happens */
	ck_assert_uint_eq(nspawned, 2);
	/* Another child's exit does not end the wait. */
	init_child_exited(&in, cookie_of("a"), 0);
	ck_assert_uint_eq(nspawned, 2);
	ck_assert_uint_eq(npoweroffs, 0);
	init_child_exited(&in, cookie_of("t"), 3);
	ck_assert_uint_eq(nspawned, 3);
	ck_assert_str_eq(spawned[2].name, "b");
	ck_assert_uint_eq(npoweroffs, 1);
	ck_assert_int_eq(powered_off[0], 3);
	ck_assert_str_eq(log_buf,
	    "init: a exited with status 0\n"
	    "init: t exited with status 3\n"
	    "init: boot.manifest:4: poweroff failed\n");
	/* The exited children's process handles were closed. */
	ck_assert_uint_eq(ipc_host_live_handles(), base + 1);
}
END_TEST

START_TEST(poweroff_without_run_is_status_0)
{
	ck_assert_int_eq(boot("start a bin/a\npoweroff\nstart b bin/b\n"), 0);
	init_step(&in);
	ck_assert_uint_eq(npoweroffs, 1);
	ck_assert_int_eq(powered_off[0], 0);
	/* Our poweroff "failed", so the manifest went on. */
	ck_assert_uint_eq(nspawned, 2);
}
END_TEST

START_TEST(missing_path_and_failed_start)
{
	ck_assert_int_eq(boot("start gone bin/gone\n"
			      "run t bin/nothere\n"
			      "poweroff\n"
			      "run t bin/t\n"), 0);
	init_step(&in);
	ck_assert_uint_eq(nspawned, 1);
	ck_assert_uint_eq(npoweroffs, 1);
	ck_assert_int_eq(powered_off[0], INIT_STATUS_NOT_RUN);
	/* The last program exits: nothing is left, so init powers off. */
	init_child_exited(&in, cookie_of("t"), -9);
	ck_assert_uint_eq(npoweroffs, 2);
	ck_assert_int_eq(powered_off[1], -9);
	spawn_error = -ENOEXEC;
	ck_assert_int_eq(boot("start a bin/a\nrun b bin/b\npoweroff\n"), 0);
	init_step(&in);
	ck_assert_uint_eq(npoweroffs, 4);
	ck_assert_int_eq(powered_off[2], INIT_STATUS_NOT_RUN);
	ck_assert_int_eq(powered_off[3], INIT_STATUS_NOT_RUN);
	ck_assert_str_eq(log_buf,
	    "init: boot.manifest:1: cannot start a from bin/a: error -8\n"
	    "init: boot.manifest:2: cannot start b from bin/b: error -8\n"
	    "init: boot.manifest:3: poweroff failed\n"
	    "init: boot.manifest done and nothing is running; powering off\n"
	    "init: poweroff failed\n");
}
END_TEST

START_TEST(missing_path_messages)
{
	ck_assert_int_eq(boot("start gone bin/gone\n"
			      "bogus line\n"
			      "run t bin/nothere\n"), 0);
	init_step(&in);
	ck_assert_str_eq(log_buf,
	    "init: boot.manifest:1: no bin/gone in the boot archive\n"
	    "init: boot.manifest:2: unknown verb 'bogus'\n"
	    "init: boot.manifest:3: no bin/nothere in the boot archive\n"
	    "init: boot.manifest done and nothing is running; powering off\n"
	    "init: poweroff failed\n");
	ck_assert(in.manifest_done);
	ck_assert_uint_eq(npoweroffs, 1);
	ck_assert_int_eq(powered_off[0], INIT_STATUS_NOT_RUN);
}
END_TEST

/* Nothing to start: nothing can ever reach init, so it powers off. */
START_TEST(empty_manifest_powers_off)
{
	ck_assert_int_eq(boot("# nothing yet\n"), 0);
	ck_assert_uint_eq(npoweroffs, 0);
	init_step(&in);
	ck_assert_uint_eq(npoweroffs, 1);
	ck_assert_int_eq(powered_off[0], 0);
	ck_assert_str_eq(log_buf,
	    "init: boot.manifest done and nothing is running; powering off\n"
	    "init: poweroff failed\n");
}
END_TEST

START_TEST(no_manifest)
{
	archive_begin();
	add_file("bin/a", "ELF-a");
	archive_end();
	log_buf[0] = '\0';
	ck_assert_int_eq(init_begin(&in, archive, archive_len, "boot.manifest",
	    1, &ops), -ENOENT);
	ck_assert_str_eq(log_buf, "init: no boot.manifest in the boot archive\n");
	init_step(&in);
	ck_assert_uint_eq(nspawned, 0);
	/* Not an archive at all. */
	log_buf[0] = '\0';
	ck_assert_int_eq(init_begin(&in, "garbage", 7, "boot.manifest", 1, &ops),
	    -EIO);
	ck_assert_str_eq(log_buf, "init: the boot archive is corrupt\n");
}
END_TEST

START_TEST(another_manifest)
{
	archive_begin();
	add_file("boot.manifest", "start a bin/a\n");
	add_file("test.manifest", "start b bin/b\n");
	add_file("bin/a", "ELF-a");
	add_file("bin/b", "ELF-b");
	archive_end();
	ck_assert_int_eq(init_begin(&in, archive, archive_len, "test.manifest",
	    1, &ops), 0);
	init_step(&in);
	ck_assert_uint_eq(nspawned, 1);
	ck_assert_str_eq(spawned[0].name, "b");
}
END_TEST

START_TEST(too_many_programs)
{
	static char text[INIT_CHILDREN_MAX * 20 + 64];
	char *p = text;

	for (unsigned i = 0; i < INIT_CHILDREN_MAX + 1; i++)
		p += sprintf(p, "start s%u bin/a\n", i);
	ck_assert_int_eq(boot(text), 0);
	init_step(&in);
	ck_assert_uint_eq(nspawned, INIT_CHILDREN_MAX);
	ck_assert_str_eq(log_buf,
	    "init: boot.manifest:33: cannot start s32: already 32 programs\n");
	/* One exits: its slot is free again. */
	init_child_exited(&in, cookie_of("s5"), 0);
	ck_assert_str_eq(in.child[5].name, "");
}
END_TEST

START_TEST(unexpected_exits_are_ignored)
{
	ck_assert_int_eq(boot("run t bin/t\nstart a bin/a\n"), 0);
	init_step(&in);
	init_child_exited(&in, 0, 1);
	init_child_exited(&in, INIT_COOKIE_BASE - 1, 1);
	init_child_exited(&in, INIT_COOKIE_BASE + 1, 1);	/* never used */
	init_child_exited(&in, UINT64_MAX, 1);
	ck_assert_uint_eq(nspawned, 1);
	ck_assert_str_eq(log_buf, "");
	init_child_exited(&in, cookie_of("t"), 0);
	/* a took t's slot, not its cookie: t's second exit is no one's. */
	ck_assert_int_eq(in.child[0].running, 1);
	ck_assert_str_eq(in.child[0].name, "a");
	init_child_exited(&in, cookie_of("t"), 0);
	ck_assert_uint_eq(nspawned, 2);
	ck_assert_str_eq(log_buf, "init: t exited with status 0\n");
}
END_TEST

/* The whole path: LABEL_EXIT on init's endpoint, through the loop. */
START_TEST(exit_message_through_the_loop)
{
	struct ipc_server srv;
	struct ipc_msg m;
	char buf[NAME_LEN_MAX + 1];

	ck_assert_int_eq(boot("run t bin/t\npoweroff\n"), 0);
	ipc_server_init(&srv, ep, init_handlers, init_nhandlers, NULL, 0, buf,
	    sizeof(buf), &in);
	init_step(&in);
	ck_assert_int_eq(ipc_server_poll(&srv), 0);
	memset(&m, 0, sizeof(m));
	m.label = LABEL_EXIT;
	m.w[0] = (uint64_t)-11;
	m.w[1] = 42;			/* the pid */
	m.badge = cookie_of("t");
	ck_assert_int_eq(ipc_host_post(ep, &m), 0);
	ck_assert_int_eq(ipc_server_poll(&srv), 1);
	ck_assert_uint_eq(npoweroffs, 2);
	ck_assert_int_eq(powered_off[0], -11);
	ck_assert_int_eq(powered_off[1], -11);
	ck_assert_str_eq(log_buf, "init: t exited with status -11\n"
	    "init: boot.manifest:2: poweroff failed\n"
	    "init: boot.manifest done and nothing is running; powering off\n"
	    "init: poweroff failed\n");
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("init-run");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, starts_in_order_with_argv);
	tcase_add_test(tc, bootargs_expand);
	tcase_add_test(tc, driver_starts_like_start);
	tcase_add_test(tc, run_waits_for_the_exit);
	tcase_add_test(tc, poweroff_without_run_is_status_0);
	tcase_add_test(tc, missing_path_and_failed_start);
	tcase_add_test(tc, missing_path_messages);
	tcase_add_test(tc, empty_manifest_powers_off);
	tcase_add_test(tc, no_manifest);
	tcase_add_test(tc, another_manifest);
	tcase_add_test(tc, too_many_programs);
	tcase_add_test(tc, unexpected_exits_are_ignored);
	tcase_add_test(tc, exit_message_through_the_loop);
	suite_add_tcase(s, tc);
	return s;
}
