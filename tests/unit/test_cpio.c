/*
 * test_cpio.c - <lichen/cpio.h> against archives the real cpio(1) writes
 * (through scripts/mkcpio.sh, as the build does for the boot archive),
 * then against every truncation and a range of corruptions of one; and
 * mkcpio.sh's own promises: symlinks, files placed at a path, the same
 * bytes whatever the files' timestamps.
 */
#define _GNU_SOURCE	/* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lichen/cpio.h>
#include <lichen/errno.h>

#include "unit.h"

static char dir[] = "/tmp/lichen-cpio-XXXXXX";
static unsigned char *archive;
static size_t archive_len;

static void
write_file(const char *name, const char *data, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/tree/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* Make tree/ with a few files in the temporary directory dir. */
static void
make_tree(void)
{
	char path[256];

	umask(022);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/tree", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/tree/sbin", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	write_file("boot.manifest", "init sbin/init\n", 15);
	write_file("sbin/init", "\x7f" "ELF123", 7);	/* size not a multiple of 4 */
	write_file("empty", "", 0);
	write_file("a-rather-long-file-name-to-pad.txt", "abcd", 4);
}

/* Pack tree/ and mkcpio.sh's items (a format; %1$s is dir) into *len bytes. */
static unsigned char *
pack_tree(const char *items, size_t *len)
{
	const char *mkcpio = getenv("LICHEN_MKCPIO");
	char cmd[1024], more[512], path[256];
	unsigned char *a;
	FILE *f;
	long n;

	ck_assert_ptr_nonnull(mkcpio);
	snprintf(more, sizeof(more), items, dir);
	snprintf(cmd, sizeof(cmd), "%s %s/a.cpio %s/tree %s", mkcpio, dir, dir, more);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/a.cpio", dir);
	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	a = malloc((size_t)n);
	ck_assert_uint_eq(fread(a, 1, (size_t)n, f), (size_t)n);
	*len = (size_t)n;
	fclose(f);
	return a;
}

static void
remove_tree(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* The archive most tests read: tree/ as it is. */
static void
make_archive(void)
{
	make_tree();
	archive = pack_tree("", &archive_len);
	remove_tree();
}

static int
count_entries(const void *a, size_t len)
{
	struct cpio_iter it;
	struct cpio_entry e;
	int n = 0, r;

	cpio_iter_init(&it, a, len);
	while ((r = cpio_next(&it, &e)) == 1)
		n++;
	return r < 0 ? r : n;
}

START_TEST(lists_what_cpio_wrote)
{
	struct cpio_iter it;
	struct cpio_entry e;
	int files = 0, dirs = 0;

	make_archive();
	cpio_iter_init(&it, archive, archive_len);
	while (cpio_next(&it, &e) == 1) {
		if (S_ISDIR(e.mode))
			dirs++;
		else if (S_ISREG(e.mode))
			files++;
	}
	ck_assert_int_eq(files, 4);
	ck_assert_int_eq(dirs, 1);
	ck_assert_int_eq(cpio_next(&it, &e), 0);	/* stays at the end */
}
END_TEST

START_TEST(finds_contents)
{
	struct cpio_entry e;

	make_archive();
	ck_assert_int_eq(cpio_find(archive, archive_len, "sbin/init", &e), 1);
	ck_assert_uint_eq(e.size, 7);
	ck_assert_mem_eq(e.data, "\x7f" "ELF123", 7);
	ck_assert_uint_eq(e.mode, S_IFREG | 0644);
	ck_assert_int_eq(cpio_find(archive, archive_len, "boot.manifest", &e), 1);
	ck_assert_mem_eq(e.data, "init sbin/init\n", 15);
	ck_assert_int_eq(cpio_find(archive, archive_len, "empty", &e), 1);
	ck_assert_uint_eq(e.size, 0);
	ck_assert_int_eq(cpio_find(archive, archive_len,
	    "a-rather-long-file-name-to-pad.txt", &e), 1);
	ck_assert_mem_eq(e.data, "abcd", 4);
	ck_assert_int_eq(cpio_find(archive, archive_len, "missing", &e), 0);
	ck_assert_int_eq(cpio_find(archive, archive_len, "sbin/ini", &e), 0);
}
END_TEST

/* Where the trailer's name ends: cpio(1) pads the archive with zeros after it. */
static size_t
trailer_end(void)
{
	unsigned char *t = memmem(archive, archive_len, "TRAILER!!!", 11);

	ck_assert_ptr_nonnull(t);
	return (size_t)(t - archive) + 11;
}

START_TEST(every_truncation_is_an_error)
{
	size_t end;

	make_archive();
	end = trailer_end();
	ck_assert_uint_lt(end, archive_len);
	for (size_t len = 0; len <= archive_len; len++) {
		/* An exact-size copy, so reading past len would read the heap. */
		unsigned char *copy = malloc(len ? len : 1);

		memcpy(copy, archive, len);
		quick_assert_int_eq(count_entries(copy, len), len < end ? -EIO : 5);
		free(copy);
	}
}
END_TEST

START_TEST(corrupt_headers)
{
	unsigned char *a;

	make_archive();
	a = malloc(archive_len);
	/* Bad magic. */
	memcpy(a, archive, archive_len);
	a[5] = '2';
	ck_assert_int_eq(count_entries(a, archive_len), -EIO);
	/* A non-hex digit in the file size field (offset 6 + 6 * 8). */
	memcpy(a, archive, archive_len);
	a[6 + 6 * 8 + 3] = 'g';
	ck_assert_int_eq(count_entries(a, archive_len), -EIO);
	/* A file size reaching past the end. */
	memcpy(a, archive, archive_len);
	memcpy(a + 6 + 6 * 8, "7fffffff", 8);
	ck_assert_int_eq(count_entries(a, archive_len), -EIO);
	/* A name size of zero, and one past the end. */
	memcpy(a, archive, archive_len);
	memcpy(a + 6 + 11 * 8, "00000000", 8);
	ck_assert_int_eq(count_entries(a, archive_len), -EIO);
	memcpy(a, archive, archive_len);
	memcpy(a + 6 + 11 * 8, "ffffffff", 8);
	ck_assert_int_eq(count_entries(a, archive_len), -EIO);
	free(a);
}
END_TEST

START_TEST(random_corruption_never_reads_outside)
{
	uint64_t seed = TEST_SEED;
	unsigned char *a;

	make_archive();
	a = malloc(archive_len);
	for (int round = 0; round < 2000; round++) {
		int r;

		memcpy(a, archive, archive_len);
		for (int k = 0; k < 3; k++)
			a[test_rand(&seed) % archive_len] = (unsigned char)test_rand(&seed);
		r = count_entries(a, archive_len);
		quick_assert(r == -EIO || (r >= 0 && r <= 5));
	}
	free(a);
}
END_TEST

/* bin/sh -> busybox (as the boot archive has it), a file placed at a path. */
START_TEST(symlinks_and_placed_files)
{
	struct cpio_entry e;
	unsigned char *a;
	size_t len;

	make_tree();
	a = pack_tree("--file bin/busybox %1$s/tree/sbin/init "
	    "--symlink bin/sh busybox --file empty %1$s/tree/boot.manifest", &len);
	remove_tree();
	ck_assert_int_eq(cpio_find(a, len, "bin/sh", &e), 1);
	ck_assert_uint_eq(e.mode, S_IFLNK | 0777);
	ck_assert_uint_eq(e.size, 7);
	ck_assert_mem_eq(e.data, "busybox", 7);		/* the target, no NUL */
	ck_assert_int_eq(cpio_find(a, len, "bin/busybox", &e), 1);
	ck_assert_uint_eq(e.mode, S_IFREG | 0644);
	ck_assert_mem_eq(e.data, "\x7f" "ELF123", 7);
	ck_assert_int_eq(cpio_find(a, len, "bin", &e), 1);
	ck_assert_uint_eq(e.mode, S_IFDIR | 0755);
	/* An item replaces what the tree had at its path. */
	ck_assert_int_eq(cpio_find(a, len, "empty", &e), 1);
	ck_assert_uint_eq(e.size, 15);
	ck_assert_int_eq(count_entries(a, len), 8);	/* 5 + bin, bin/busybox, bin/sh */
	free(a);
}
END_TEST

/* Timestamps and the umask do not reach the archive: same tree, same bytes. */
START_TEST(same_tree_same_bytes)
{
	unsigned char *a, *b;
	size_t alen, blen;
	char cmd[300];

	make_tree();
	a = pack_tree("", &alen);
	snprintf(cmd, sizeof(cmd), "touch -d @1234567890 %s/tree/empty %s/tree/sbin && "
	    "chmod 0600 %s/tree/boot.manifest", dir, dir, dir);
	ck_assert_int_eq(system(cmd), 0);
	b = pack_tree("", &blen);
	remove_tree();
	ck_assert_uint_eq(alen, blen);
	ck_assert_mem_eq(a, b, alen);
	free(a);
	free(b);
}
END_TEST

START_TEST(not_an_archive)
{
	static const char text[] = "this is not a cpio archive, only some text";

	ck_assert_int_eq(count_entries(text, sizeof(text)), -EIO);
	ck_assert_int_eq(count_entries(text, 0), -EIO);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("cpio");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, lists_what_cpio_wrote);
	tcase_add_test(tc, finds_contents);
	tcase_add_test(tc, every_truncation_is_an_error);
	tcase_add_test(tc, corrupt_headers);
	tcase_add_test(tc, random_corruption_never_reads_outside);
	tcase_add_test(tc, symlinks_and_placed_files);
	tcase_add_test(tc, same_tree_same_bytes);
	tcase_add_test(tc, not_an_archive);
	suite_add_tcase(s, tc);
	return s;
}
