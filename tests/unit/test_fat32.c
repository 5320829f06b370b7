/*
 * test_fat32.c - servers/fat32's core against real FAT32 images: what
 * mtools put in, the core reads; what the core writes, mtools reads and
 * `fsck.fat -n` finds clean after fat_umount. Also the core's own rules:
 * 8.3 aliases (against mtools'), a full disk, big transfers in few
 * requests, readdir cookies, references, rename, names, attributes, and
 * random operations against a model. Damaged images are in
 * test_fat32_damage.c; the harness in fat32_harness.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <lichen/errno.h>

#include "fat32_harness.h"

/* --- geometries ---------------------------------------------------------- */

struct geometry {
	unsigned kib;
	const char *opts;
};

static const struct geometry geometries[] = {
    {40 * 1024, "-s 1"},	  /* 512-byte clusters */
    {80 * 1024, "-s 2"},	  /* 1 KiB clusters */
    {256 * 1024, "-s 4"},	  /* 2 KiB clusters */
    {288 * 1024, "-S 4096 -s 1"}, /* 4 KiB sectors */
    {40 * 1024, "-s 8"},	  /* 4 KiB clusters: too few for mtools */
};

/*
 * mtools takes a FAT with fewer than 65525 clusters for FAT16 whatever
 * the BPB says, so tests that use mtools on the image skip the last.
 */
#define NGEOMETRIES_MTOOLS 4
#define NGEOMETRIES	   (sizeof(geometries) / sizeof(geometries[0]))

/* The root, statfs against fsck's count, and a clean umount. */
START_TEST(test_mount_statfs)
{
	const struct geometry *g = &geometries[_i];
	unsigned long used, total;
	struct fat_statfs st;
	struct fat_attr a;
	struct list l;
	struct fat_fs *fs;

	mkimg(g->kib, g->opts);
	fsck_clusters(&used, &total);
	fs = mount_img();
	ck_assert(!fat_was_dirty(fs));
	ck_assert_int_eq(fat_getattr(fs, FAT_ROOT_ID, &a), 0);
	ck_assert_uint_eq(a.ino, 1);
	ck_assert_uint_eq(a.mode, FAT_S_IFDIR | 0755);
	ck_assert_uint_eq(a.nlink, 2);
	ck_assert_int_eq(fat_statfs(fs, &st), 0);
	ck_assert_int_eq(st.type, 0x4d44);
	ck_assert_int_eq(st.namelen, 255);
	ck_assert_uint_eq(st.blocks, total);
	ck_assert_uint_eq(st.bfree, total - used);
	ck_assert_uint_eq(st.bavail, st.bfree);
	ck_assert_int_eq(st.bsize, a.blksize);
	list_dir(fs, FAT_ROOT_ID, &l);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.e[0].name, ".");
	ck_assert_str_eq(l.e[1].name, "..");
	ck_assert_uint_eq(l.e[1].ino, 1);
	free(l.e);
	ck_assert(!fat_busy(fs));
	umount_img(fs);
	ck_assert_uint_eq(dev.writes, 0); /* nothing changed, nothing written */
	assert_fsck_clean();
}
END_TEST

/* --- a tree mcopy writes, read back by the core -------------------------- */

#define TREE_FILES 300

static const char *const odd_names[] = {
    /* mtools mangles what is outside the BMP */
    "naïve café.txt",
    "日本語のファイル名.txt",
    "ein Ölbild für Ärzte.bin",
    "UPPER.TXT",
    "lower.txt",
    "MiXeD.TxT",
    "a.b.c.d",
    "with spaces and a very long name that goes on and on past thirteen",
    ".hidden",
    "x",
    "résumé final (2).DOC",
    "trailing-dots-are-kept-by-mtools-no",
};

#define NODD (sizeof(odd_names) / sizeof(odd_names[0]))

/* The tree: a flat directory of many files, a deep chain, odd names. */
static void
tree_path(unsigned i, char *path, size_t size)
{
	if (i < 150)
		snprintf(path, size, "/t/flat/file number %u.dat", i);
	else if (i < 150 + 40)
		snprintf(path, size, "/t/deep/%.*s/f%u",
		    (int)((i - 150) % 13 * 3),
		    "d1/d2/d3/d4/d5/d6/d7/d8/d9/dA/dB/dC/dD", i);
	else if (i < 150 + 40 + NODD)
		snprintf(path, size, "/t/odd/%s", odd_names[i - 190]);
	else
		snprintf(path, size, "/t/f%03u.TXT", i);
}

static size_t
tree_size(unsigned i)
{
	static const size_t edges[] = {
	    0, 1, 511, 512, 513, 4095, 4096, 4097, 8192, 65537};

	return i < 10 ? edges[i] : (i * 7919u) % 20000;
}

static void
mkdir_p(char *path)
{
	for (char *p = path + 1; *p != 0; p++) {
		if (*p == '/') {
			*p = 0;
			mkdir(path, 0755);
			*p = '/';
		}
	}
	mkdir(path, 0755);
}

static void
make_tree(void)
{
	char path[512], host[1024];

	for (unsigned i = 0; i < TREE_FILES; i++) {
		size_t n = tree_size(i);
		uint8_t *buf = malloc(n + 1);
		char *slash;

		tree_path(i, path, sizeof(path));
		snprintf(host, sizeof(host), "%s/src%s", tmp, path);
		slash = strrchr(host, '/');
		*slash = 0;
		mkdir_p(host);
		*slash = '/';
		fill_rand(buf, n, i + 1);
		spit(host, buf, n);
		free(buf);
	}
	ck_assert_int_eq(sh("mcopy -s -i %s %s/src/t ::/", img, tmp), 0);
}

START_TEST(test_mcopy_tree)
{
	const struct geometry *g = &geometries[_i];
	char path[512];
	struct fat_fs *fs;
	struct fat_attr a;
	struct list l;
	int64_t flat;

	mkimg(g->kib, g->opts);
	make_tree();
	fs = mount_img();
	for (unsigned i = 0; i < TREE_FILES; i++) {
		size_t n = tree_size(i), len = 0;
		uint8_t *want = malloc(n + 1), *got;
		int err;

		tree_path(i, path, sizeof(path));
		fill_rand(want, n, i + 1);
		got = core_cat(fs, path, &len, &err);
		ck_assert_msg(got != NULL, "%s: %d", path, err);
		ck_assert_msg(len == n && memcmp(got, want, n) == 0,
		    "%s: %zu bytes, want %zu", path, len, n);
		free(got);
		free(want);
	}
	/* the flat directory lists exactly its 150 files, each a file */
	flat = walk(fs, "/t/flat", &a);
	ck_assert_int_gt(flat, 0);
	ck_assert_uint_eq(a.nlink, 2);
	list_dir(fs, (uint64_t)flat, &l);
	ck_assert_uint_eq(l.n, 152);
	for (unsigned i = 0; i < 150; i++) {
		snprintf(path, sizeof(path), "file number %u.dat", i);
		ck_assert_msg(
		    list_find(&l, path) != NULL, "%s not listed", path);
		ck_assert_uint_eq(list_find(&l, path)->type, FAT_DT_REG);
	}
	free(l.e);
	put_node(fs, (uint64_t)flat);
	/* nlink counts subdirectories, the 8.3 name finds a long name */
	ck_assert_int_gt(walk(fs, "/t", &a), 0);
	ck_assert_uint_eq(a.nlink, 2 + 3);
	put_node(fs, a.ino);
	ck_assert_int_gt(walk(fs, "/T/FLAT/FILENU~1.DAT", &a), 0);
	put_node(fs, a.ino);
	/* only ASCII case folds, as vfat with utf8 */
	ck_assert_int_eq(walk(fs, "/t/ODD/NAÏVE CAFÉ.TXT", &a), -ENOENT);
	ck_assert_int_gt(walk(fs, "/t/ODD/NAïVE CAFé.TXT", &a), 0);
	put_node(fs, a.ino);
	umount_img(fs);
	assert_fsck_clean();
}
END_TEST

/* --- what the core writes, read back by mtools --------------------------- */

START_TEST(test_core_writes)
{
	const struct geometry *g = &geometries[_i];
	static uint8_t big[300000], part[5000];
	const char *longname = "A long name, with spaces; commas+plus=equals "
			       "and more than thirteen characters.text";
	unsigned long used, total;
	struct fat_statfs st;
	struct fat_attr a;
	struct fat_fs *fs;
	uint64_t d1, sub, f;
	char *listing;

	mkimg(g->kib, g->opts);
	fill_rand(big, sizeof(big), 7);
	fill_rand(part, sizeof(part), 8);
	fs = mount_img();
	/* a file written in pieces, appended to, overwritten in the middle */
	f = core_put(fs, FAT_ROOT_ID, "notes.txt", part, 1000);
	ck_assert_int_eq(fat_write(fs, f, 1000, part + 1000, 4000), 4000);
	ck_assert_int_eq(fat_write(fs, f, 100, "HELLO", 5), 5);
	memcpy(part + 100, "HELLO", 5);
	put_node(fs, f);
	/* a sparse write: the gap reads as zeros */
	f = core_put(fs, FAT_ROOT_ID, "gap.bin", "x", 1);
	ck_assert_int_eq(fat_write(fs, f, 70000, "y", 1), 1);
	put_node(fs, f);
	/* long names, directories, a big file */
	f = core_put(fs, FAT_ROOT_ID, longname, big, sizeof(big));
	put_node(fs, f);
	d1 = core_mkdir(fs, FAT_ROOT_ID, "dir1");
	sub = core_mkdir(fs, d1, "Sub Directory");
	f = core_put(fs, sub, "inner.dat", big, 12345);
	put_node(fs, f);
	/* truncate: shrink, then extend with zeros */
	f = core_put(fs, d1, "trunc.me", big, 50000);
	ck_assert_int_eq(fat_truncate(fs, f, 3000, &a), 0);
	ck_assert_int_eq(a.size, 3000);
	ck_assert_int_eq(fat_truncate(fs, f, 9000, &a), 0);
	put_node(fs, f);
	/* rename across directories, unlink, rmdir */
	f = core_put(fs, FAT_ROOT_ID, "moving.txt", "moved", 5);
	put_node(fs, f);
	ck_assert_int_eq(fat_rename(fs, FAT_ROOT_ID, "moving.txt", 10, sub,
			     "has moved here.txt", 18, 0),
	    0);
	f = core_put(fs, d1, "doomed", "x", 1);
	put_node(fs, f);
	ck_assert_int_eq(fat_unlink(fs, d1, "doomed", 6), 0);
	ck_assert_int_eq(fat_mkdir(fs, d1, "empty", 5, 0755, &a), 0);
	put_node(fs, a.ino);
	ck_assert_int_eq(fat_rmdir(fs, d1, "empty", 5), 0);
	ck_assert_int_eq(fat_getattr(fs, d1, &a), 0);
	ck_assert_uint_eq(a.nlink, 3);
	put_node(fs, sub);
	put_node(fs, d1);
	ck_assert_int_eq(fat_statfs(fs, &st), 0);
	umount_img(fs);
	assert_fsck_clean();
	fsck_clusters(&used, &total);
	ck_assert_uint_eq(st.bfree, total - used);

	assert_mtools_has("/notes.txt", part, 5000);
	{
		uint8_t want[70001] = {0};

		want[0] = 'x';
		want[70000] = 'y';
		assert_mtools_has("/gap.bin", want, sizeof(want));
	}
	{
		char path[256];

		snprintf(path, sizeof(path), "/%s", longname);
		assert_mtools_has(path, big, sizeof(big));
	}
	assert_mtools_has("/dir1/Sub Directory/inner.dat", big, 12345);
	assert_mtools_has("/dir1/Sub Directory/has moved here.txt", "moved", 5);
	{
		uint8_t want[9000] = {0};

		memcpy(want, big, 3000);
		assert_mtools_has("/dir1/trunc.me", want, sizeof(want));
	}
	ck_assert_ptr_null(mtools_cat("/moving.txt", NULL));
	ck_assert_ptr_null(mtools_cat("/dir1/doomed", NULL));
	listing = mtools_dir("/dir1");
	ck_assert_ptr_null(strstr(listing, "empty"));
	ck_assert_ptr_nonnull(strstr(listing, "Sub Directory"));
	free(listing);
}
END_TEST

/* --- 8.3 aliases: the core's and mtools' agree ------------------------- */

/* The 8.3 name mdir shows next to a long name ("LONGFI~3 TXT"). */
static void
alias_of(const char *listing, const char *longname, char *out)
{
	const char *line = listing;

	out[0] = 0;
	while (line != NULL && *line != 0) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		size_t ln = strlen(longname);

		if (len > ln && memcmp(line + len - ln, longname, ln) == 0 &&
		    line[len - ln - 1] == ' ') {
			memcpy(out, line, 12);
			out[12] = 0;
			return;
		}
		line = end ? end + 1 : NULL;
	}
}

static const char *const colliding[] = {
    "Long File Name 1.txt",
    "Long File Name 2.txt",
    "Long File Name 3.txt",
    "Long File Name 4.txt",
    "Long File Name 5.txt",
    "Long File Name 6.txt",
    "Long File Name 7.txt",
    "Long File Name 8.txt",
    "Long File Name 9.txt",
    "ab+cd.txt",
    "ab=cd.txt",
    "foo bar.html",
    "foo  bar.htm",
    "x.y.z",
    "Mixed.Txt",
    "UPPER.TXT",
    ".profile",
    ".Profile2",
};

#define NCOLLIDING (sizeof(colliding) / sizeof(colliding[0]))

START_TEST(test_aliases_match_mtools)
{
	char host[256], mine[16], theirs[16];
	char *ours_listing, *mt_listing;
	struct fat_fs *fs;

	/* mtools' aliases: mcopy the names, in this order, into a fresh fs */
	mkimg(40 * 1024, "-s 1");
	for (unsigned i = 0; i < NCOLLIDING; i++) {
		snprintf(host, sizeof(host), "%s/%s", tmp, colliding[i]);
		spit(host, "z", 1);
		ck_assert_int_eq(sh("mcopy -i %s '%s' ::/", img, host), 0);
	}
	mt_listing = mtools_dir("/");
	/* the core's, in the same order */
	mkimg(40 * 1024, "-s 1");
	fs = mount_img();
	for (unsigned i = 0; i < NCOLLIDING; i++)
		put_node(fs, core_put(fs, FAT_ROOT_ID, colliding[i], "z", 1));
	umount_img(fs);
	assert_fsck_clean();
	ours_listing = mtools_dir("/");
	for (unsigned i = 0; i < NCOLLIDING; i++) {
		alias_of(mt_listing, colliding[i], theirs);
		alias_of(ours_listing, colliding[i], mine);
		ck_assert_msg(strcmp(mine, theirs) == 0,
		    "%s: core %s, mtools %s", colliding[i], mine, theirs);
	}
	/* mtools adds to what the core made without collisions */
	snprintf(host, sizeof(host), "%s/Long File Name 10.txt", tmp);
	spit(host, "z", 1);
	ck_assert_int_eq(sh("mcopy -i %s '%s' ::/", img, host), 0);
	assert_fsck_clean();
	free(ours_listing);
	free(mt_listing);
}
END_TEST

/* After ~9 the core uses the hex form, as Linux; all distinct, all found. */
START_TEST(test_alias_hex_form)
{
	char name[64];
	struct fat_attr a;
	struct fat_fs *fs;
	char *listing;

	mkimg(40 * 1024, "-s 1");
	fs = mount_img();
	for (unsigned i = 0; i < 14; i++) {
		snprintf(name, sizeof(name), "Collision Name %u.txt", i);
		put_node(
		    fs, core_put(fs, FAT_ROOT_ID, name, name, strlen(name)));
	}
	ck_assert_int_gt(walk(fs, "/COLLIS~9.TXT", &a), 0);
	put_node(fs, a.ino);
	umount_img(fs);
	assert_fsck_clean();
	listing = mtools_dir("/");
	ck_assert_ptr_nonnull(strstr(listing, "COLLIS~9 TXT"));
	ck_assert_ptr_null(strstr(listing, "COLLI~10"));
	for (unsigned i = 0; i < 14; i++) {
		size_t len;
		char *got;

		snprintf(name, sizeof(name), "/Collision Name %u.txt", i);
		got = mtools_cat(name, &len);
		ck_assert_ptr_nonnull(got);
		ck_assert(
		    len == strlen(name) - 1 && !memcmp(got, name + 1, len));
		free(got);
	}
	free(listing);
}
END_TEST

/* --- fragmentation, big transfers, a full disk ------------------------- */

/* mtools fragments a file (every other small file deleted first); the
 * core reads it; then the core does the same and mtools reads. */
START_TEST(test_fragmented)
{
	static uint8_t big[400000];
	char host[256], name[32];
	struct fat_fs *fs;
	size_t len;
	uint8_t *got;
	int err;

	fill_rand(big, sizeof(big), 99);
	mkimg(40 * 1024, "-s 1");
	snprintf(host, sizeof(host), "%s/s", tmp);
	mkdir(host, 0755);
	for (unsigned i = 0; i < 200; i++) {
		snprintf(host, sizeof(host), "%s/s/S%03u", tmp, i);
		spit(host, big, 512);
	}
	ck_assert_int_eq(sh("mcopy -i %s %s/s/* ::/", img, tmp), 0);
	ck_assert_int_eq(sh("mdel -i %s '::/S??[02468]'", img), 0);
	snprintf(host, sizeof(host), "%s/big", tmp);
	spit(host, big, 100000);
	ck_assert_int_eq(sh("mcopy -i %s %s ::/MTBIG", img, host), 0);
	fs = mount_img();
	got = core_cat(fs, "/MTBIG", &len, &err);
	ck_assert_ptr_nonnull(got);
	ck_assert(len == 100000 && memcmp(got, big, len) == 0);
	free(got);
	/* the core fragments its own: 100 files, every other one deleted */
	for (unsigned i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "c%03u", i);
		put_node(fs, core_put(fs, FAT_ROOT_ID, name, big, 700));
	}
	for (unsigned i = 0; i < 100; i += 2) {
		snprintf(name, sizeof(name), "c%03u", i);
		ck_assert_int_eq(fat_unlink(fs, FAT_ROOT_ID, name, 4), 0);
	}
	put_node(fs, core_put(fs, FAT_ROOT_ID, "core big", big, sizeof(big)));
	got = core_cat(fs, "/core big", &len, &err);
	ck_assert(got != NULL && len == sizeof(big) && !memcmp(got, big, len));
	free(got);
	umount_img(fs);
	assert_fsck_clean();
	assert_mtools_has("/core big", big, sizeof(big));
	assert_mtools_has("/c001", big, 700);
}
END_TEST

/* A 16 MiB contiguous file moves in a handful of device requests. */
START_TEST(test_big_transfer)
{
	const size_t n = 16 * MiB;
	uint8_t *data = malloc(n), *back = malloc(n);
	char host[256];
	struct fat_attr a;
	struct fat_fs *fs;
	unsigned before;
	int64_t node;

	fill_rand(data, n, 5);
	mkimg(288 * 1024, "-s 8");
	snprintf(host, sizeof(host), "%s/big", tmp);
	spit(host, data, n);
	ck_assert_int_eq(sh("mcopy -i %s %s ::/BIG", img, host), 0);
	fs = mount_img();
	node = walk(fs, "/BIG", &a);
	ck_assert_int_gt(node, 0);
	before = dev.reads;
	ck_assert_int_eq(fat_read(fs, (uint64_t)node, 0, back, n), (int64_t)n);
	ck_assert_msg(dev.reads - before <= 8, "%u reads", dev.reads - before);
	ck_assert(memcmp(back, data, n) == 0);
	/* unaligned: partial sectors at both ends */
	ck_assert_int_eq(fat_read(fs, (uint64_t)node, 777, back, n - 1000),
	    (int64_t)(n - 1000));
	ck_assert(memcmp(back, data + 777, n - 1000) == 0);
	put_node(fs, (uint64_t)node);
	/* writing it anew: data in few requests, the FAT through the cache */
	fill_rand(data, n, 6);
	before = dev.writes;
	put_node(fs, core_put(fs, FAT_ROOT_ID, "copy", data, n));
	ck_assert_int_eq(fat_sync(fs), 0);
	ck_assert_msg(
	    dev.writes - before <= 16, "%u writes", dev.writes - before);
	umount_img(fs);
	assert_fsck_clean();
	assert_mtools_has("/copy", data, n);
	free(data);
	free(back);
}
END_TEST

START_TEST(test_full_disk)
{
	static uint8_t chunk[MiB];
	struct fat_statfs st, st0;
	struct fat_attr a;
	struct fat_fs *fs;
	uint64_t f, g, total = 0;
	int64_t n;

	fill_rand(chunk, sizeof(chunk), 3);
	mkimg(40 * 1024, "-s 8");
	fs = mount_img();
	ck_assert_int_eq(fat_statfs(fs, &st0), 0);
	/* a file stays empty when its first write cannot fit */
	g = core_put(fs, FAT_ROOT_ID, "second", "", 0);
	f = core_put(fs, FAT_ROOT_ID, "filler", "", 0);
	while ((n = fat_write(fs, f, total, chunk, sizeof(chunk))) > 0)
		total += (uint64_t)n;
	ck_assert_int_eq(n, -ENOSPC);
	/* everything free went to it, to the last cluster */
	ck_assert_uint_eq(total, st0.bfree * (uint64_t)st0.bsize);
	ck_assert_int_eq(fat_statfs(fs, &st), 0);
	ck_assert_uint_eq(st.bfree, 0);
	ck_assert_int_eq(fat_write(fs, g, 0, "x", 1), -ENOSPC);
	ck_assert_int_eq(fat_write(fs, g, 100000, "x", 1), -ENOSPC);
	ck_assert_int_eq(fat_truncate(fs, g, 5000, &a), -ENOSPC);
	ck_assert_int_eq(fat_getattr(fs, g, &a), 0);
	ck_assert_int_eq(a.size, 0);
	ck_assert_int_eq(fat_mkdir(fs, FAT_ROOT_ID, "d", 1, 0755, &a), -ENOSPC);
	/* what fits in the last cluster still goes in */
	ck_assert_int_eq(fat_truncate(fs, f, total - 100, &a), 0);
	ck_assert_int_eq(fat_write(fs, f, total - 100, chunk, 1000), 100);
	put_node(fs, f);
	put_node(fs, g);
	umount_img(fs);
	assert_fsck_clean();
	fs = mount_img();
	ck_assert_int_eq(fat_statfs(fs, &st), 0);
	ck_assert_uint_eq(st.bfree, 0);
	ck_assert_int_eq(fat_unlink(fs, FAT_ROOT_ID, "filler", 6), 0);
	ck_assert_int_eq(fat_statfs(fs, &st), 0);
	ck_assert_uint_eq(st.bfree, st0.bfree);
	umount_img(fs);
	assert_fsck_clean();
}
END_TEST

/* --- readdir cookies ------------------------------------------------------ */

/*
 * Reads a directory a few entries at a time, creating and deleting other
 * entries between the calls: no entry may come twice, and every entry
 * that was there all along must come once.
 */
START_TEST(test_readdir_cookies)
{
	enum { N = 150, STEP = 7 };
	bool alive[N + 400] = {false}, always[N + 400] = {false};
	unsigned seen[N + 400] = {0}, made = N, calls = 0;
	uint64_t seed = TEST_SEED, d;
	char name[64];
	struct fat_fs *fs;
	struct list l;

	mkimg(40 * 1024, "-s 1");
	fs = mount_img();
	d = core_mkdir(fs, FAT_ROOT_ID, "dir");
	for (unsigned i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "entry with a long name %u", i);
		put_node(fs, core_put(fs, d, name, "", 0));
		alive[i] = always[i] = true;
	}
	memset(&l, 0, sizeof(l));
	l.limit = STEP;
	do {
		size_t before = l.n;

		l.taken = 0;
		ck_assert_int_eq(
		    fat_readdir(fs, d, l.cookie, list_fill, &l), 0);
		for (size_t k = before; k < l.n; k++) {
			unsigned i;

			if (sscanf(l.e[k].name, "entry with a long name %u",
				&i) == 1)
				seen[i]++;
		}
		if (l.n == before)
			break;
		/* three new entries, two deletions anywhere */
		for (int k = 0; k < 3 && made < N + 400; k++, made++) {
			snprintf(name, sizeof(name),
			    "entry with a long name %u", made);
			put_node(fs, core_put(fs, d, name, "", 0));
			alive[made] = true;
		}
		for (int k = 0; k < 2; k++) {
			unsigned i = (unsigned)(test_rand(&seed) % made);

			if (!alive[i])
				continue;
			snprintf(
			    name, sizeof(name), "entry with a long name %u", i);
			ck_assert_int_eq(
			    fat_unlink(fs, d, name, strlen(name)), 0);
			alive[i] = always[i] = false;
		}
		calls++;
	} while (calls < 1000);
	ck_assert_str_eq(l.e[0].name, ".");
	ck_assert_str_eq(l.e[1].name, "..");
	ck_assert_uint_eq(l.e[1].ino, FAT_ROOT_ID);
	for (unsigned i = 0; i < made; i++) {
		ck_assert_msg(
		    seen[i] <= 1, "entry %u seen %u times", i, seen[i]);
		ck_assert_msg(
		    !always[i] || seen[i] == 1, "entry %u not seen", i);
	}
	free(l.e);
	/* the root's cookies: 0 ".", 1 "..", then byte offsets */
	memset(&l, 0, sizeof(l));
	l.limit = 1;
	ck_assert_int_eq(fat_readdir(fs, FAT_ROOT_ID, 0, list_fill, &l), 0);
	ck_assert_uint_eq(l.cookie, 1);
	l.taken = 0;
	ck_assert_int_eq(fat_readdir(fs, FAT_ROOT_ID, 1, list_fill, &l), 0);
	ck_assert_uint_eq(l.cookie, 2);
	l.taken = 0;
	ck_assert_int_eq(fat_readdir(fs, FAT_ROOT_ID, 2, list_fill, &l), 0);
	ck_assert_str_eq(l.e[2].name, "dir");
	ck_assert_uint_eq(l.e[2].ino, d);
	ck_assert_uint_eq(l.e[2].type, FAT_DT_DIR);
	ck_assert_int_eq(
	    fat_readdir(fs, FAT_ROOT_ID, 33, list_fill, &l), -ENOENT);
	free(l.e);
	put_node(fs, d);
	umount_img(fs);
	assert_fsck_clean();
}
END_TEST

/* --- nodes and references ------------------------------------------------ */

START_TEST(test_node_refs)
{
	static uint8_t data[100000];
	struct fat_statfs st0, st;
	struct fat_attr a, b;
	struct fat_fs *fs;
	struct list l;
	uint64_t f, keep, d;
	uint8_t back[100];

	fill_rand(data, sizeof(data), 21);
	mkimg(40 * 1024, "-s 1");
	fs = mount_img();
	ck_assert_int_eq(fat_statfs(fs, &st0), 0);
	/* the same file is the same node, whatever case the name is in */
	f = core_put(fs, FAT_ROOT_ID, "Same File", "abc", 3);
	ck_assert_int_eq(fat_lookup(fs, FAT_ROOT_ID, "same file", 9, &a), 0);
	ck_assert_uint_eq(a.ino, f);
	ck_assert_int_eq(fat_lookup(fs, FAT_ROOT_ID, "SAME FILE", 9, &a), 0);
	ck_assert_uint_eq(a.ino, f);
	ck_assert(fat_busy(fs));
	ck_assert_int_eq(fat_forget(fs, f, 3), 0);
	ck_assert(!fat_busy(fs));
	ck_assert_int_eq(fat_getattr(fs, f, &a), -ENOENT);
	ck_assert_int_eq(fat_read(fs, f, 0, back, 1), -ENOENT);
	/* rename keeps the node, and readdir shows its number */
	keep = core_put(fs, FAT_ROOT_ID, "keep", "kept", 4);
	d = core_mkdir(fs, FAT_ROOT_ID, "d");
	ck_assert_int_eq(fat_rename(fs, FAT_ROOT_ID, "keep", 4, d,
			     "kept under another name", 23, 0),
	    0);
	ck_assert_int_eq(
	    fat_lookup(fs, d, "kept under another name", 23, &a), 0);
	ck_assert_uint_eq(a.ino, keep);
	ck_assert_int_eq(fat_forget(fs, keep, 1), 0);
	ck_assert_int_eq(fat_read(fs, keep, 0, back, 4), 4);
	ck_assert(memcmp(back, "kept", 4) == 0);
	list_dir(fs, d, &l);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_uint_eq(l.e[0].ino, d);
	ck_assert_uint_eq(l.e[1].ino, FAT_ROOT_ID);
	ck_assert_uint_eq(l.e[2].ino, keep);
	free(l.e);
	put_node(fs, keep);
	/* unlinked while referenced: the data stays until the last forget */
	f = core_put(fs, d, "victim", data, sizeof(data));
	ck_assert_int_eq(fat_statfs(fs, &st), 0);
	ck_assert_int_eq(fat_unlink(fs, d, "victim", 6), 0);
	ck_assert_int_eq(fat_lookup(fs, d, "victim", 6, &a), -ENOENT);
	ck_assert_int_eq(fat_read(fs, f, 99900, back, 100), 100);
	ck_assert(memcmp(back, data + 99900, 100) == 0);
	ck_assert_int_eq(fat_write(fs, f, 100000, "more", 4), 4);
	ck_assert_int_eq(fat_getattr(fs, f, &b), 0);
	ck_assert_int_eq(b.size, 100004);
	ck_assert_uint_eq(b.nlink, 1);
	ck_assert_int_eq(fat_statfs(fs, &st), 0);
	ck_assert_uint_lt(st.bfree, st0.bfree - 190);
	put_node(fs, f);
	ck_assert_int_eq(fat_statfs(fs, &st), 0);
	ck_assert_uint_eq(st.bfree, st0.bfree - 3); /* Same File, d, kept */
	/* still referenced at umount: freed then */
	f = core_put(fs, d, "victim2", data, sizeof(data));
	ck_assert_int_eq(fat_unlink(fs, d, "victim2", 7), 0);
	put_node(fs, d);
	(void)f;
	ck_assert_int_eq(fat_umount(fs), 0);
	dev_close();
	ck_assert_int_eq(live_allocs, 0);
	assert_fsck_clean();
}
END_TEST

/* --- rename's rules ------------------------------------------------------ */

static int
ren(struct fat_fs *fs, uint64_t od, const char *on, uint64_t nd, const char *nn,
    unsigned flags)
{
	return fat_rename(fs, od, on, strlen(on), nd, nn, strlen(nn), flags);
}

START_TEST(test_rename_rules)
{
	struct fat_attr a;
	struct fat_fs *fs;
	uint64_t f1, f2, dd, dc, sub;
	uint8_t back[8];
	size_t size;
	uint8_t *p, *de;
	struct raw r;

	mkimg(40 * 1024, "-s 1");
	fs = mount_img();
	f1 = core_put(fs, FAT_ROOT_ID, "one", "one", 3);
	f2 = core_put(fs, FAT_ROOT_ID, "two", "two", 3);
	put_node(fs, core_mkdir(fs, FAT_ROOT_ID, "DA"));
	put_node(fs, core_mkdir(fs, FAT_ROOT_ID, "DB"));
	dc = core_mkdir(fs, FAT_ROOT_ID, "DC");
	dd = core_mkdir(fs, FAT_ROOT_ID, "DD");
	sub = core_mkdir(fs, dc, "SUB");
	put_node(fs, core_put(fs, dc, "file", "f", 1));
	ck_assert_int_eq(fat_getattr(fs, FAT_ROOT_ID, &a), 0);
	ck_assert_uint_eq(a.nlink, 2 + 4);

	ck_assert_int_eq(ren(fs, FAT_ROOT_ID, "one", FAT_ROOT_ID, "two",
			     FAT_RENAME_NOREPLACE),
	    -EEXIST);
	ck_assert_int_eq(
	    ren(fs, FAT_ROOT_ID, "one", FAT_ROOT_ID, "x", FAT_RENAME_EXCHANGE),
	    -EINVAL);
	ck_assert_int_eq(
	    ren(fs, FAT_ROOT_ID, "nope", FAT_ROOT_ID, "x", 0), -ENOENT);
	ck_assert_int_eq(
	    ren(fs, FAT_ROOT_ID, "DA", FAT_ROOT_ID, "one", 0), -ENOTDIR);
	ck_assert_int_eq(
	    ren(fs, FAT_ROOT_ID, "one", FAT_ROOT_ID, "DA", 0), -EISDIR);
	ck_assert_int_eq(
	    ren(fs, FAT_ROOT_ID, "DA", FAT_ROOT_ID, "DC", 0), -ENOTEMPTY);
	ck_assert_int_eq(ren(fs, FAT_ROOT_ID, "DC", sub, "inside", 0), -EINVAL);
	ck_assert_int_eq(ren(fs, FAT_ROOT_ID, "DC", dc, "itself", 0), -EINVAL);
	ck_assert_int_eq(ren(fs, FAT_ROOT_ID, "one", FAT_ROOT_ID, "ONE", 0), 0);
	ck_assert_int_eq(
	    ren(fs, FAT_ROOT_ID, "one", FAT_ROOT_ID, "bad:name", 0), -EINVAL);
	/* a file over a file: the old target lives on while referenced */
	ck_assert_int_eq(ren(fs, FAT_ROOT_ID, "one", FAT_ROOT_ID, "two", 0), 0);
	ck_assert_int_eq(fat_lookup(fs, FAT_ROOT_ID, "two", 3, &a), 0);
	ck_assert_uint_eq(a.ino, f1);
	put_node(fs, a.ino);
	ck_assert_int_eq(fat_lookup(fs, FAT_ROOT_ID, "one", 3, &a), -ENOENT);
	ck_assert_int_eq(fat_read(fs, f2, 0, back, 3), 3);
	ck_assert(memcmp(back, "two", 3) == 0);
	put_node(fs, f1);
	put_node(fs, f2);
	/* a directory over an empty directory */
	ck_assert_int_eq(ren(fs, FAT_ROOT_ID, "DA", FAT_ROOT_ID, "DB", 0), 0);
	ck_assert_int_eq(fat_getattr(fs, FAT_ROOT_ID, &a), 0);
	ck_assert_uint_eq(a.nlink, 2 + 3);
	/* a directory moved: nlinks and its ".." follow */
	ck_assert_int_eq(ren(fs, FAT_ROOT_ID, "DC", dd, "DC", 0), 0);
	ck_assert_int_eq(fat_getattr(fs, FAT_ROOT_ID, &a), 0);
	ck_assert_uint_eq(a.nlink, 2 + 2);
	ck_assert_int_eq(fat_getattr(fs, dd, &a), 0);
	ck_assert_uint_eq(a.nlink, 2 + 1);
	ck_assert_int_eq(fat_lookup(fs, sub, "..", 2, &a), -ENOENT);
	put_node(fs, sub);
	put_node(fs, dc);
	put_node(fs, dd);
	umount_img(fs);
	assert_fsck_clean();
	assert_mtools_has("/DD/DC/file", "f", 1);
	assert_mtools_has("/two", "one", 3);
	p = raw_map(&size);
	r = raw_of(p);
	de = raw_entry(&r, r.root, "DD         ");
	{
		uint32_t ddc = raw_start(de);
		uint8_t *dce = raw_entry(&r, ddc, "DC         ");

		ck_assert_uint_eq(
		    raw_start(raw_cluster(&r, raw_start(dce)) + 32), ddc);
	}
	munmap(p, size);
}
END_TEST

/* --- names ---------------------------------------------------------------- */

static int
mk(struct fat_fs *fs, const char *name)
{
	struct fat_attr a;
	int err = fat_create(fs, FAT_ROOT_ID, name, strlen(name), 0644, &a);

	if (err == 0)
		put_node(fs, a.ino);
	return err;
}

START_TEST(test_names)
{
	static const char *const bad[] = {"\xff", "a\xc0\x80", "\xed\xa0\x80",
	    "a\xe6\x97", "a*", "a?", "a<", "a>", "a|", "a\"", "a:", "a\\",
	    "a\x01", "tab\t", "trailing space "};
	char name[300], path[310];
	struct fat_attr a;
	struct fat_fs *fs;
	struct list l;
	size_t size;
	uint8_t *p, *de;
	struct raw r;

	mkimg(40 * 1024, "-s 1");
	fs = mount_img();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(mk(fs, bad[i]) == -EINVAL, "%s", bad[i]);
	ck_assert_int_eq(fat_lookup(fs, FAT_ROOT_ID, "\xff", 1, &a), -ENOENT);
	/* trailing dots go, as vfat */
	ck_assert_int_eq(mk(fs, "dots..."), 0);
	ck_assert_int_eq(mk(fs, "dots"), -EEXIST);
	ck_assert_int_eq(mk(fs, "..."), -ENOENT);
	ck_assert_int_gt(walk(fs, "/dots.", &a), 0);
	put_node(fs, a.ino);
	/* lengths: 255 bytes, 255 units, 256 bytes */
	memset(name, 'n', 255);
	name[255] = 0;
	ck_assert_int_eq(mk(fs, name), 0);
	name[255] = 'n';
	name[256] = 0;
	ck_assert_int_eq(mk(fs, name), -ENAMETOOLONG);
	ck_assert_int_eq(
	    fat_lookup(fs, FAT_ROOT_ID, name, 256, &a), -ENAMETOOLONG);
	name[0] = 0;
	for (int i = 0; i < 63; i++)
		strcat(name, "🎉"); /* 252 bytes, 126 units */
	ck_assert_int_eq(mk(fs, name), 0);
	/* case: kept as given, found in any ASCII case */
	ck_assert_int_eq(mk(fs, "CamelCase.Txt"), 0);
	ck_assert_int_eq(mk(fs, "camelcase.TXT"), -EEXIST);
	ck_assert_int_eq(mk(fs, "UPPER.TXT"), 0);
	ck_assert_int_eq(mk(fs, "lower.txt"), 0);
	ck_assert_int_eq(mk(fs, "A long name.txt"), 0);
	ck_assert_int_gt(walk(fs, "/ALONGN~1.TXT", &a), 0);
	put_node(fs, a.ino);
	ck_assert_int_eq(mk(fs, "ALONGN~1.TXT"), -EEXIST);
	list_dir(fs, FAT_ROOT_ID, &l);
	ck_assert_ptr_nonnull(list_find(&l, "dots"));
	ck_assert_ptr_nonnull(list_find(&l, "CamelCase.Txt"));
	ck_assert_ptr_nonnull(list_find(&l, "UPPER.TXT"));
	ck_assert_ptr_nonnull(list_find(&l, "lower.txt"));
	ck_assert_ptr_nonnull(list_find(&l, name));
	free(l.e);
	umount_img(fs);
	assert_fsck_clean();
	memset(name, 'n', 255);
	name[255] = 0;
	snprintf(path, sizeof(path), "/%s", name);
	assert_mtools_has(path, "", 0);
	/* an upper-case 8.3 name has no long-name slots; lower case has */
	p = raw_map(&size);
	r = raw_of(p);
	de = raw_entry(&r, r.root, "UPPER   TXT");
	ck_assert_uint_ne(de[-32 + 11], 0x0F);
	de = raw_entry(&r, r.root, "LOWER   TXT");
	ck_assert_uint_eq(de[-32 + 11], 0x0F);
	raw_entry(&r, r.root, "CAMELC~1TXT");
	munmap(p, size);
}
END_TEST

/* --- attributes ------------------------------------------------------------
 */

START_TEST(test_attributes)
{
	struct fat_setattr sa = {0};
	struct fat_attr a;
	struct fat_fs *fs;
	uint64_t f, d;

	mkimg(40 * 1024, "-s 1");
	fs = mount_img();
	f = core_put(fs, FAT_ROOT_ID, "file", "0123456789", 10);
	d = core_mkdir(fs, FAT_ROOT_ID, "dir");
	put_node(fs, core_mkdir(fs, d, "s1"));
	put_node(fs, core_mkdir(fs, d, "s2"));
	put_node(fs, core_put(fs, d, "f", "", 0));
	ck_assert_int_eq(fat_getattr(fs, f, &a), 0);
	ck_assert_uint_eq(a.mode, FAT_S_IFREG | 0755);
	ck_assert_uint_eq(a.nlink, 1);
	ck_assert_int_eq(a.size, 10);
	ck_assert_int_eq(a.blocks, 1);
	ck_assert_uint_eq(a.blksize, 512);
	ck_assert_uint_eq(a.uid, 0);
	ck_assert_int_eq(a.mtime.sec, T_NOW);
	ck_assert_int_eq(a.ctime.sec, T_NOW);
	ck_assert_int_eq(a.atime.sec, T_NOW - T_NOW % 86400);
	ck_assert_int_eq(fat_getattr(fs, d, &a), 0);
	ck_assert_uint_eq(a.mode, FAT_S_IFDIR | 0755);
	ck_assert_uint_eq(a.nlink, 4);
	ck_assert_int_eq(a.size, 512);
	/* modes vfat can hold: all write bits or none */
	sa.valid = FAT_SET_MODE;
	sa.mode = 0555;
	ck_assert_int_eq(fat_setattr(fs, f, &sa, &a), 0);
	ck_assert_uint_eq(a.mode, FAT_S_IFREG | 0555);
	sa.mode = 0644;
	ck_assert_int_eq(fat_setattr(fs, f, &sa, &a), -EPERM);
	sa.mode = 04755;
	ck_assert_int_eq(fat_setattr(fs, f, &sa, &a), -EPERM);
	sa.mode = 0555;
	ck_assert_int_eq(fat_setattr(fs, d, &sa, &a), -EPERM);
	sa.mode = 0755;
	ck_assert_int_eq(fat_setattr(fs, d, &sa, &a), 0);
	/* owners cannot change; times have FAT's resolution */
	sa.valid = FAT_SET_UID;
	sa.uid = 1000;
	ck_assert_int_eq(fat_setattr(fs, f, &sa, &a), -EPERM);
	sa.uid = 0;
	ck_assert_int_eq(fat_setattr(fs, f, &sa, &a), 0);
	sa.valid = FAT_SET_MTIME | FAT_SET_ATIME | FAT_SET_CTIME;
	sa.mtime.sec = 981173107; /* 2001-02-03 04:05:07 */
	sa.atime.sec = 981173107;
	ck_assert_int_eq(fat_setattr(fs, f, &sa, &a), 0);
	ck_assert_int_eq(a.mtime.sec, 981173106);
	ck_assert_int_eq(a.ctime.sec, 981173106);
	ck_assert_int_eq(a.atime.sec, 981158400);
	sa.valid = FAT_SET_SIZE;
	sa.size = 4;
	ck_assert_int_eq(fat_setattr(fs, f, &sa, &a), 0);
	ck_assert_int_eq(a.size, 4);
	ck_assert_int_eq(fat_setattr(fs, d, &sa, &a), -EISDIR);
	put_node(fs, f);
	put_node(fs, d);
	umount_img(fs);
	assert_fsck_clean();
	/* all of it is on the disk */
	fs = mount_img();
	ck_assert_int_gt(walk(fs, "/file", &a), 0);
	ck_assert_uint_eq(a.mode, FAT_S_IFREG | 0555);
	ck_assert_int_eq(a.mtime.sec, T_NOW); /* the truncation's */
	ck_assert_int_eq(a.atime.sec, 981158400);
	ck_assert_int_eq(a.size, 4);
	put_node(fs, a.ino);
	umount_img(fs);
	ck_assert_int_eq(sh("mdir -i %s ::/ | grep -q 2024-05-06", img), 0);
}
END_TEST

/* The boot sector's dirty bit: set once something is written, cleared
 * by umount; left alone if it was set before (as Linux). */
START_TEST(test_dirty_bit)
{
	struct fat_fs *fs;

	mkimg(40 * 1024, "-s 1");
	fs = mount_img();
	ck_assert_uint_eq(dev.mem[65] & 1, 0);
	put_node(fs, core_put(fs, FAT_ROOT_ID, "f", "x", 1));
	ck_assert_int_eq(fat_sync(fs), 0);
	ck_assert_uint_eq(dev.flushes, 1);
	ck_assert_uint_eq(dev.mem[65] & 1, 1);
	umount_img(fs);
	assert_fsck_clean();
	fs = mount_img();
	dev.mem[65] |= 1;
	umount_img(fs);
	fs = mount_img();
	ck_assert(fat_was_dirty(fs));
	put_node(fs, core_put(fs, FAT_ROOT_ID, "g", "x", 1));
	umount_img(fs);
	{
		size_t size;
		uint8_t *p = raw_map(&size);

		ck_assert_uint_eq(p[65] & 1, 1);
		munmap(p, size);
	}
}
END_TEST

/* --- random operations against a model --------------------------------- */

#define MODEL_NAMES 10
#define MODEL_MAX   40000

static const char *const model_names[MODEL_NAMES] = {
    "a",
    "B.TXT",
    "c.txt",
    "a rather long file name number one",
    "a rather long file name number two",
    "ünïcödé",
    "x.y.z",
    "Long File Name 1.txt",
    "Long File Name 2.txt",
    "UPPERCASE.LONGEXT",
};

struct model_file {
	bool exists;
	size_t size;
	uint8_t data[MODEL_MAX];
};

static struct model_file model[2][MODEL_NAMES]; /* root, sub */
static const char *const model_dirs[2] = {"dirA", "a longer directory"};
static bool model_dir[2][2];

/* Makes or removes an (empty) directory. */
static void
model_toggle_dir(struct fat_fs *fs, uint64_t dirs[2], unsigned d, unsigned k)
{
	const char *name = model_dirs[k];
	struct fat_attr a;

	if (model_dir[d][k]) {
		ck_assert_int_eq(
		    fat_unlink(fs, dirs[d], name, strlen(name)), -EISDIR);
		ck_assert_int_eq(fat_rmdir(fs, dirs[d], name, strlen(name)), 0);
	} else {
		ck_assert_int_eq(
		    fat_mkdir(fs, dirs[d], name, strlen(name), 0755, &a), 0);
		put_node(fs, a.ino);
	}
	model_dir[d][k] = !model_dir[d][k];
}

static void
model_check(struct fat_fs *fs, uint64_t dirs[2], unsigned d, unsigned k)
{
	static uint8_t buf[MODEL_MAX + 1];
	const char *name = model_names[k];
	struct fat_attr a;
	int err = fat_lookup(fs, dirs[d], name, strlen(name), &a);

	if (!model[d][k].exists) {
		ck_assert_int_eq(err, -ENOENT);
		return;
	}
	ck_assert_msg(err == 0, "%u/%s: %d", d, name, err);
	ck_assert_int_eq(a.size, (int64_t)model[d][k].size);
	ck_assert_int_eq(fat_read(fs, a.ino, 0, buf, sizeof(buf)),
	    (int64_t)model[d][k].size);
	ck_assert(memcmp(buf, model[d][k].data, model[d][k].size) == 0);
	put_node(fs, a.ino);
}

static void
model_step(struct fat_fs *fs, uint64_t dirs[2], uint64_t *seed)
{
	static uint8_t buf[9000];
	unsigned d = (unsigned)(test_rand(seed) % 2);
	unsigned k = (unsigned)(test_rand(seed) % MODEL_NAMES);
	struct model_file *m = &model[d][k];
	const char *name = model_names[k];
	struct fat_attr a;
	uint64_t r = test_rand(seed) % 11;

	if (r < 4) { /* write somewhere, creating the file */
		size_t off = (size_t)(test_rand(seed) % 20000);
		size_t len = (size_t)(test_rand(seed) % sizeof(buf));

		fill_rand(buf, len, test_rand(seed));
		if (!m->exists) {
			ck_assert_int_eq(fat_create(fs, dirs[d], name,
					     strlen(name), 0644, &a),
			    0);
			m->exists = true;
			m->size = 0;
		} else {
			ck_assert_int_eq(
			    fat_lookup(fs, dirs[d], name, strlen(name), &a), 0);
		}
		ck_assert_int_eq(
		    fat_write(fs, a.ino, off, buf, len), (int64_t)len);
		if (len > 0 && off > m->size)
			memset(m->data + m->size, 0, off - m->size);
		memcpy(m->data + off, buf, len);
		if (len > 0 && off + len > m->size)
			m->size = off + len;
		put_node(fs, a.ino);
	} else if (r < 6 && m->exists) { /* truncate */
		size_t size = (size_t)(test_rand(seed) % 30000);

		ck_assert_int_eq(
		    fat_lookup(fs, dirs[d], name, strlen(name), &a), 0);
		ck_assert_int_eq(fat_truncate(fs, a.ino, size, &a), 0);
		if (size > m->size)
			memset(m->data + m->size, 0, size - m->size);
		m->size = size;
		put_node(fs, a.ino);
	} else if (r < 7) { /* unlink */
		ck_assert_int_eq(fat_unlink(fs, dirs[d], name, strlen(name)),
		    m->exists ? 0 : -ENOENT);
		m->exists = false;
	} else if (r < 9) { /* rename, maybe over another */
		unsigned d2 = (unsigned)(test_rand(seed) % 2);
		unsigned k2 = (unsigned)(test_rand(seed) % MODEL_NAMES);
		const char *to = model_names[k2];
		int err = fat_rename(fs, dirs[d], name, strlen(name), dirs[d2],
		    to, strlen(to), 0);

		ck_assert_int_eq(err, m->exists ? 0 : -ENOENT);
		if (m->exists && m != &model[d2][k2]) {
			memcpy(&model[d2][k2], m, sizeof(*m));
			m->exists = false;
		}
	} else if (r < 10) {
		model_check(fs, dirs, d, k);
	} else {
		model_toggle_dir(fs, dirs, d, k % 2);
	}
}

START_TEST(test_random_model)
{
	static const struct geometry g[] = {{40 * 1024, "-s 1"},
	    {288 * 1024, "-S 4096 -s 1"}, {80 * 1024, "-s 2"}};
	uint64_t seed = TEST_SEED + (uint64_t)_i, dirs[2] = {FAT_ROOT_ID};
	struct fat_params p = {.cache_blocks = 16};
	char path[128];
	struct fat_fs *fs;

	memset(model, 0, sizeof(model));
	memset(model_dir, 0, sizeof(model_dir));
	mkimg(g[_i].kib, g[_i].opts);
	dev_open();
	p.dev_sectors = dev.size / 512;
	ck_assert_int_eq(fat_mount(&fs, &ops, &dev, &p), 0);
	dirs[1] = core_mkdir(fs, FAT_ROOT_ID, "sub");
	for (unsigned step = 0; step < 3000; step++)
		model_step(fs, dirs, &seed);
	for (unsigned d = 0; d < 2; d++) {
		for (unsigned k = 0; k < MODEL_NAMES; k++)
			model_check(fs, dirs, d, k);
	}
	put_node(fs, dirs[1]);
	umount_img(fs);
	assert_fsck_clean();
	for (unsigned d = 0; d < 2; d++) {
		for (unsigned k = 0; k < MODEL_NAMES; k++) {
			if (!model[d][k].exists)
				continue;
			snprintf(path, sizeof(path), "%s/%s", d ? "/sub" : "",
			    model_names[k]);
			assert_mtools_has(
			    path, model[d][k].data, model[d][k].size);
		}
	}
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("fat32");
	TCase *tc = tcase_create("fat32");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_mount_statfs, 0, NGEOMETRIES);
	tcase_add_loop_test(tc, test_mcopy_tree, 0, NGEOMETRIES_MTOOLS);
	tcase_add_loop_test(tc, test_core_writes, 0, NGEOMETRIES_MTOOLS);
	tcase_add_test(tc, test_aliases_match_mtools);
	tcase_add_test(tc, test_alias_hex_form);
	tcase_add_test(tc, test_fragmented);
	tcase_add_test(tc, test_big_transfer);
	tcase_add_test(tc, test_full_disk);
	tcase_add_test(tc, test_readdir_cookies);
	tcase_add_test(tc, test_node_refs);
	tcase_add_test(tc, test_rename_rules);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_attributes);
	tcase_add_test(tc, test_dirty_bit);
	tcase_add_loop_test(tc, test_random_model, 0, 3);
	suite_add_tcase(s, tc);
	return s;
}
