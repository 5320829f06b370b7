/*
 * test_devtmpfs.c - devtmpfs's host-testable core (servers/devtmpfs:
 * devfs_core.c, random.c): every node's number, mode and owner as on
 * Linux, lookups and their refusals, directories read whole and in
 * pieces, symlinks, setattr's limits, statfs; ChaCha20's block function
 * against RFC 8439's test vector (2.3.2) and the generator (different
 * output each call, input mixed in changes it).
 */
#include <string.h>

#include <lichen/errno.h>

#include "devfs.h"
#include "unit.h"

static struct fs_time
fixed_clock(void)
{
	struct fs_time t = { 1700000000, 5 };

	return t;
}

static void
setup(void)
{
	devfs_init(fixed_clock);
}

struct want {
	const char *name;
	uint32_t mode, uid, gid;
	uint64_t rdev;
};

/* ls -l /dev on Debian (udev's modes and groups; tty is gid 5). */
static const struct want wants[] = {
	{ "null", 020666, 0, 0, 1 << 8 | 3 },
	{ "zero", 020666, 0, 0, 1 << 8 | 5 },
	{ "full", 020666, 0, 0, 1 << 8 | 7 },
	{ "random", 020666, 0, 0, 1 << 8 | 8 },
	{ "urandom", 020666, 0, 0, 1 << 8 | 9 },
	{ "tty", 020666, 0, 5, 5 << 8 | 0 },
	{ "console", 020600, 0, 0, 5 << 8 | 1 },
	{ "ttyAMA0", 020620, 0, 5, 204 << 8 | 64 },
	{ "fd", 0120777, 0, 0, 0 },
	{ "stdin", 0120777, 0, 0, 0 },
	{ "stdout", 0120777, 0, 0, 0 },
	{ "stderr", 0120777, 0, 0, 0 },
	{ "pts", 040755, 0, 0, 0 },
};

START_TEST(test_nodes)
{
	struct fs_attr a, again;

	for (unsigned i = 0; i < sizeof(wants) / sizeof(wants[0]); i++) {
		const struct want *w = &wants[i];

		ck_assert_int_eq(devfs_lookup(DEVFS_ROOT, w->name, strlen(w->name), &a), 0);
		ck_assert_uint_eq(a.mode, w->mode);
		ck_assert_uint_eq(a.uid, w->uid);
		ck_assert_uint_eq(a.gid, w->gid);
		ck_assert_uint_eq(a.rdev, w->rdev);
		ck_assert_int_eq(a.atime.sec, 1700000000);
		ck_assert_int_eq(devfs_getattr(a.ino, &again), 0);
		ck_assert_mem_eq(&a, &again, sizeof(a));
	}
	ck_assert_int_eq(devfs_getattr(DEVFS_ROOT, &a), 0);
	ck_assert_uint_eq(a.mode, 040755);
	ck_assert_uint_eq(a.nlink, 3);			/* ".", its own "..", pts's ".." */
}
END_TEST

START_TEST(test_lookup_errors)
{
	struct fs_attr a, null;
	char longname[300];

	memset(longname, 'a', sizeof(longname));
	ck_assert_int_eq(devfs_lookup(DEVFS_ROOT, "nosuch", 6, &a), -ENOENT);
	ck_assert_int_eq(devfs_lookup(DEVFS_ROOT, "nul", 3, &a), -ENOENT);
	ck_assert_int_eq(devfs_lookup(DEVFS_ROOT, "null2", 5, &a), -ENOENT);
	ck_assert_int_eq(devfs_lookup(DEVFS_ROOT, "", 0, &a), -EINVAL);
	ck_assert_int_eq(devfs_lookup(DEVFS_ROOT, "a/b", 3, &a), -EINVAL);
	ck_assert_int_eq(devfs_lookup(DEVFS_ROOT, longname, sizeof(longname), &a), -ENAMETOOLONG);
	ck_assert_int_eq(devfs_lookup(DEVFS_ROOT, "null", 4, &null), 0);
	ck_assert_int_eq(devfs_lookup(null.ino, "x", 1, &a), -ENOTDIR);
	ck_assert_int_eq(devfs_lookup(0, "null", 4, &a), -ENOENT);
	ck_assert_int_eq(devfs_lookup(1000, "null", 4, &a), -ENOENT);
	ck_assert_int_eq(devfs_getattr(0, &a), -ENOENT);
	ck_assert_int_eq(devfs_getattr(UINT64_MAX, &a), -ENOENT);
	ck_assert_int_eq(devfs_lookup(DEVFS_ROOT, "pts", 3, &a), 0);
	ck_assert_int_eq(devfs_lookup(a.ino, "null", 4, &a), -ENOENT);
}
END_TEST

/* The names of a directory read with room bytes at a time, joined by ' '. */
static void
read_names(uint64_t dir, size_t room, char *out, size_t cap)
{
	char buf[4096];
	uint64_t pos = 0;
	int64_t n;

	out[0] = '\0';
	while ((n = devfs_readdir(dir, pos, buf, room)) > 0) {
		for (int64_t off = 0; off < n;) {
			struct fs_dirent d;

			memcpy(&d, buf + off, 19);
			ck_assert_uint_eq(d.reclen % 8, 0);
			strncat(out, buf + off + 19, cap - strlen(out) - 2);
			strcat(out, " ");
			pos = (uint64_t)d.off;
			off += d.reclen;
		}
	}
	ck_assert_int_eq(n, 0);
}

START_TEST(test_readdir)
{
	const char *all = ". .. null zero full random urandom tty console ttyAMA0 fd "
	    "stdin stdout stderr pts ";
	char names[512], tiny[8];
	struct fs_attr pts;

	read_names(DEVFS_ROOT, 4096, names, sizeof(names));
	ck_assert_str_eq(names, all);
	read_names(DEVFS_ROOT, 32, names, sizeof(names));	/* one record a call */
	ck_assert_str_eq(names, all);
	ck_assert_int_eq(devfs_readdir(DEVFS_ROOT, 0, tiny, sizeof(tiny)), -EINVAL);
	ck_assert_int_eq(devfs_readdir(DEVFS_ROOT, 1000, names, sizeof(names)), 0);
	ck_assert_int_eq(devfs_lookup(DEVFS_ROOT, "pts", 3, &pts), 0);
	read_names(pts.ino, 4096, names, sizeof(names));
	ck_assert_str_eq(names, ". .. ");
	ck_assert_int_eq(devfs_readdir(2, 0, names, sizeof(names)), -ENOTDIR);
	ck_assert_int_eq(devfs_readdir(0, 0, names, sizeof(names)), -ENOENT);
}
END_TEST

START_TEST(test_symlinks)
{
	const char *names[] = { "fd", "stdin", "stdout", "stderr" };
	const char *targets[] = { "/proc/self/fd", "/proc/self/fd/0", "/proc/self/fd/1",
	    "/proc/self/fd/2" };
	const char *t;
	struct fs_attr a;

	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(devfs_lookup(DEVFS_ROOT, names[i], strlen(names[i]), &a), 0);
		ck_assert_int_eq(devfs_readlink(a.ino, &t), (int64_t)strlen(targets[i]));
		ck_assert_mem_eq(t, targets[i], strlen(targets[i]));
		ck_assert_int_eq(a.size, (int64_t)strlen(targets[i]));
	}
	ck_assert_int_eq(devfs_readlink(DEVFS_ROOT, &t), -EINVAL);
	ck_assert_int_eq(devfs_readlink(2, &t), -EINVAL);
	ck_assert_int_eq(devfs_readlink(0, &t), -ENOENT);
}
END_TEST

START_TEST(test_setattr)
{
	struct fs_setattr sa;
	struct fs_attr a, tty;

	ck_assert_int_eq(devfs_lookup(DEVFS_ROOT, "ttyAMA0", 7, &tty), 0);
	memset(&sa, 0, sizeof(sa));
	sa.valid = FS_SET_MODE | FS_SET_UID | FS_SET_GID | FS_SET_MTIME | FS_SET_CTIME;
	sa.mode = 0600;
	sa.uid = 1000;
	sa.gid = 5;
	sa.mtime.sec = 42;
	sa.ctime.sec = 43;
	ck_assert_int_eq(devfs_setattr(tty.ino, &sa, &a), 0);
	ck_assert_uint_eq(a.mode, 020600);
	ck_assert_uint_eq(a.uid, 1000);
	ck_assert_int_eq(a.mtime.sec, 42);
	ck_assert_int_eq(a.ctime.sec, 43);
	ck_assert_uint_eq(a.rdev, tty.rdev);
	ck_assert_int_eq(devfs_getattr(tty.ino, &a), 0);
	ck_assert_uint_eq(a.mode, 020600);
	sa.valid = FS_SET_MODE;
	sa.mode = 010000;				/* a type bit is no permission */
	ck_assert_int_eq(devfs_setattr(tty.ino, &sa, &a), -EINVAL);
	sa.valid = FS_SET_SIZE;
	ck_assert_int_eq(devfs_setattr(tty.ino, &sa, &a), -EINVAL);
	ck_assert_int_eq(devfs_setattr(DEVFS_ROOT, &sa, &a), -EISDIR);
	sa.valid = 0x1000;
	ck_assert_int_eq(devfs_setattr(tty.ino, &sa, &a), -EINVAL);
	sa.valid = FS_SET_MODE;
	ck_assert_int_eq(devfs_setattr(0, &sa, &a), -ENOENT);
}
END_TEST

START_TEST(test_statfs)
{
	struct fs_statfs st;

	ck_assert_int_eq(devfs_statfs(DEVFS_ROOT, &st), 0);
	ck_assert_int_eq(st.type, 0x01021994);
	ck_assert_int_eq(st.namelen, 255);
	ck_assert_uint_eq(st.files, devfs_count());
	ck_assert_int_eq(devfs_statfs(99, &st), -ENOENT);
}
END_TEST

/* RFC 8439 2.3.2: key 00..1f, counter 1, nonce 00:00:00:09:00:00:00:4a:00:00:00:00. */
START_TEST(test_chacha20_vector)
{
	static const uint8_t want[64] = {
		0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15, 0x50, 0x0f, 0xdd, 0x1f,
		0xa3, 0x20, 0x71, 0xc4, 0xc7, 0xd1, 0xf4, 0xc7, 0x33, 0xc0, 0x68, 0x03,
		0x04, 0x22, 0xaa, 0x9a, 0xc3, 0xd4, 0x6c, 0x4e, 0xd2, 0x82, 0x64, 0x46,
		0x07, 0x9f, 0xaa, 0x09, 0x14, 0xc2, 0xd7, 0x05, 0xd9, 0x8b, 0x02, 0xa2,
		0xb5, 0x12, 0x9c, 0xd1, 0xde, 0x16, 0x4e, 0xb9, 0xcb, 0xd0, 0x83, 0xe8,
		0xa2, 0x50, 0x3c, 0x4e,
	};
	uint8_t keyb[32], out[64];
	uint32_t key[8], nonce[3] = { 0x09000000, 0x4a000000, 0 };

	for (int i = 0; i < 32; i++)
		keyb[i] = (uint8_t)i;
	memcpy(key, keyb, sizeof(key));		/* little-endian words, as the host's */
	chacha20_block(key, 1, nonce, out);
	ck_assert_mem_eq(out, want, sizeof(want));
}
END_TEST

START_TEST(test_rng)
{
	uint8_t a[100], b[100], c[100], zero[100] = { 0 };
	int same = 0;

	rng_mix("seed", 4);
	rng_read(a, sizeof(a));
	rng_read(b, sizeof(b));
	ck_assert(memcmp(a, b, sizeof(a)) != 0);
	ck_assert(memcmp(a, zero, sizeof(a)) != 0);
	rng_mix("x", 1);
	rng_read(c, sizeof(c));
	for (size_t i = 0; i < sizeof(c); i++)
		same += c[i] == b[i];
	ck_assert_int_lt(same, 10);			/* ~0.4 expected */
	rng_read(c, 0);					/* nothing asked: nothing written */
	rng_read(c, 1);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("devtmpfs");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_nodes);
	tcase_add_test(tc, test_lookup_errors);
	tcase_add_test(tc, test_readdir);
	tcase_add_test(tc, test_symlinks);
	tcase_add_test(tc, test_setattr);
	tcase_add_test(tc, test_statfs);
	tcase_add_test(tc, test_chacha20_vector);
	tcase_add_test(tc, test_rng);
	suite_add_tcase(s, tc);
	return s;
}
