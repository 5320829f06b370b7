/*
 * test_fat32_damage.c - servers/fat32's core against hostile images: a
 * BPB broken field by field and at random, looping, cross-linked and
 * out-of-range chains, a directory chain that loops, a broken long name,
 * a device shorter than the filesystem, random damage to FSInfo, the FAT
 * and the root directory. Each must give errors (-EIO, -EINVAL) for what
 * it touches and nothing else: no crash, no read out of bounds (this
 * runs under ASan and UBSan), no hang, no leak, and the rest of the
 * filesystem stays usable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <lichen/errno.h>

#include "fat32_harness.h"

/* --- hostile images ----------------------------------------------------- */

static uint8_t good_data[3000], a_data[5000];

/* A.BIN (10 clusters), B.BIN, C.BIN, GOOD.TXT, D/E.TXT on 512-byte
 * clusters, all 8.3 upper case so they have short entries only. */
static void
make_victims(void)
{
	char host[256];

	mkimg(40 * 1024, "-s 1");
	fill_rand(good_data, sizeof(good_data), 11);
	fill_rand(a_data, sizeof(a_data), 12);
	snprintf(host, sizeof(host), "%s/A.BIN", tmp);
	spit(host, a_data, sizeof(a_data));
	ck_assert_int_eq(sh("mcopy -i %s %s ::/A.BIN", img, host), 0);
	ck_assert_int_eq(sh("mcopy -i %s %s ::/B.BIN", img, host), 0);
	ck_assert_int_eq(sh("mcopy -i %s %s ::/C.BIN", img, host), 0);
	snprintf(host, sizeof(host), "%s/GOOD.TXT", tmp);
	spit(host, good_data, sizeof(good_data));
	ck_assert_int_eq(sh("mcopy -i %s %s ::/GOOD.TXT", img, host), 0);
	ck_assert_int_eq(sh("mmd -i %s ::/D", img), 0);
	ck_assert_int_eq(sh("mcopy -i %s %s ::/D/E.TXT", img, host), 0);
}

enum damage {
	DMG_LOOP,	 /* A's chain loops back to its start */
	DMG_CROSS,	 /* B's chain runs on into A's */
	DMG_START_RANGE, /* A starts past the last cluster */
	DMG_LINK_RANGE,	 /* A's second link is past the last cluster */
	DMG_LINK_FREE,	 /* A's chain runs into a free cluster */
	DMG_START_FREE,	 /* A starts at a free cluster */
	DMG_SIZE,	 /* A claims more than its chain holds */
	DMG_LINK_BAD,	 /* A's chain holds a bad-cluster mark */
	DMG_DIR_LOOP,	 /* D's chain loops */
	DMG_DIR_RANGE,	 /* D starts past the last cluster */
	DMG_COUNT
};

static void
damage(enum damage what)
{
	size_t size;
	uint8_t *p = raw_map(&size);
	struct raw r = raw_of(p);
	uint8_t *a = raw_entry(&r, r.root, "A       BIN");
	uint8_t *b = raw_entry(&r, r.root, "B       BIN");
	uint8_t *d = raw_entry(&r, r.root, "D          ");
	uint32_t a0 = raw_start(a), max = le32(p + 32) / r.spc;

	switch (what) {
	case DMG_LOOP:
		raw_set_fat(&r, raw_last(&r, a0), a0);
		break;
	case DMG_CROSS:
		raw_set_fat(&r, raw_last(&r, raw_start(b)), a0);
		break;
	case DMG_START_RANGE:
		raw_set_start(a, 0x0FFFFFF0);
		break;
	case DMG_LINK_RANGE:
		raw_set_fat(&r, raw_fat(&r, a0), max + 50);
		break;
	case DMG_LINK_FREE:
		raw_set_fat(&r, a0, 20000);
		break;
	case DMG_START_FREE:
		raw_set_start(a, 20000);
		break;
	case DMG_SIZE:
		set_le32(a + 28, le32(a + 28) + 10 * 512);
		break;
	case DMG_LINK_BAD:
		raw_set_fat(&r, a0, 0x0FFFFFF7);
		break;
	case DMG_DIR_LOOP:
		raw_set_fat(&r, raw_start(d), raw_start(d));
		break;
	case DMG_DIR_RANGE:
		raw_set_start(d, 0x0FFFFFF0);
		break;
	default:
		break;
	}
	munmap(p, size);
}

START_TEST(test_damaged_chains)
{
	enum damage what = (enum damage)_i;
	bool dir_case = what == DMG_DIR_LOOP || what == DMG_DIR_RANGE;
	uint8_t junk[20000];
	struct fat_attr a;
	struct fat_fs *fs;
	struct list l;
	int64_t node;

	make_victims();
	damage(what);
	fs = mount_img();
	list_dir(fs, FAT_ROOT_ID, &l);
	ck_assert_uint_eq(l.n, 2 + 5);
	free(l.e);
	assert_reads(fs, "/GOOD.TXT", good_data, sizeof(good_data));
	assert_reads(fs, "/C.BIN", a_data, sizeof(a_data));
	if (dir_case) {
		assert_read_fails(fs, "/D/E.TXT", -EIO);
		assert_reads(fs, "/A.BIN", a_data, sizeof(a_data));
	} else {
		assert_reads(fs, "/D/E.TXT", good_data, sizeof(good_data));
		if (what == DMG_CROSS) {
			assert_read_fails(fs, "/B.BIN", -EIO);
			assert_reads(fs, "/A.BIN", a_data, sizeof(a_data));
		} else {
			assert_read_fails(fs, "/A.BIN", -EIO);
		}
		/* the damaged file refuses writes and truncation too */
		node = walk(fs, what == DMG_CROSS ? "/B.BIN" : "/A.BIN", &a);
		ck_assert_int_gt(node, 0);
		ck_assert_int_eq(
		    fat_write(fs, (uint64_t)node, 0, "x", 1), -EIO);
		ck_assert_int_eq(fat_truncate(fs, (uint64_t)node, 0, &a), -EIO);
		put_node(fs, (uint64_t)node);
		/* it can be unlinked; its clusters are left alone */
		ck_assert_int_eq(fat_unlink(fs, FAT_ROOT_ID,
				     what == DMG_CROSS ? "B.BIN" : "A.BIN", 5),
		    0);
		if (what == DMG_CROSS)
			assert_reads(fs, "/A.BIN", a_data, sizeof(a_data));
	}
	/* the rest of the filesystem is usable */
	fill_rand(junk, sizeof(junk), 13);
	put_node(fs, core_put(fs, FAT_ROOT_ID, "new file", junk, sizeof(junk)));
	assert_reads(fs, "/new file", junk, sizeof(junk));
	assert_reads(fs, "/GOOD.TXT", good_data, sizeof(good_data));
	umount_img(fs);
}
END_TEST

/* A broken long-name run: the entry is still there by its 8.3 name. */
START_TEST(test_damaged_lfn)
{
	size_t size;
	uint8_t *p;
	struct raw r;
	struct fat_fs *fs;
	struct list l;
	uint8_t *de;

	mkimg(40 * 1024, "-s 1");
	fs = mount_img();
	put_node(fs, core_put(fs, FAT_ROOT_ID, "a long file name.txt", "q", 1));
	umount_img(fs);
	p = raw_map(&size);
	r = raw_of(p);
	de = raw_entry(&r, r.root, "ALONGF~1TXT");
	de[-32 + 13] ^= 0xFF; /* the last LFN slot's checksum */
	munmap(p, size);
	fs = mount_img();
	list_dir(fs, FAT_ROOT_ID, &l);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_str_eq(l.e[2].name, "ALONGF~1.TXT");
	free(l.e);
	assert_read_fails(fs, "/a long file name.txt", -ENOENT);
	assert_reads(fs, "/alongf~1.txt", "q", 1);
	umount_img(fs);
}
END_TEST

/* A device shorter than the filesystem. */
START_TEST(test_truncated_device)
{
	static uint8_t big[6 * MiB];
	struct fat_params p = {0};
	char host[256];
	struct fat_fs *fs;

	make_victims();
	fill_rand(big, sizeof(big), 14);
	snprintf(host, sizeof(host), "%s/BIG", tmp);
	spit(host, big, sizeof(big));
	ck_assert_int_eq(sh("mcopy -i %s %s ::/BIG", img, host), 0);
	ck_assert_int_eq(truncate(img, 4 * MiB), 0);
	dev_open();
	p.dev_sectors = dev.size / 512;
	ck_assert_int_eq(fat_mount(&fs, &ops, &dev, &p), -EIO);
	/* not knowing the size, the core finds out reading past the end */
	p.dev_sectors = 0;
	ck_assert_int_eq(fat_mount(&fs, &ops, &dev, &p), 0);
	assert_reads(fs, "/GOOD.TXT", good_data, sizeof(good_data));
	assert_read_fails(fs, "/BIG", -EIO);
	assert_reads(fs, "/A.BIN", a_data, sizeof(a_data));
	ck_assert_int_eq(fat_umount(fs), 0);
	dev_close();
	ck_assert_int_eq(live_allocs, 0);
}
END_TEST

/* An in-memory copy of the image, read-only, for mounting many times. */
static void
dev_load_copy(void)
{
	dev.mem = (uint8_t *)slurp(img, &dev.size);
	dev.readonly = true;
}

/* Mounts, looks around, unmounts: nothing may crash or leak. */
static int
poke(void)
{
	struct fat_params p = {
	    .dev_sectors = dev.size / 512, .cache_blocks = 16};
	struct fat_attr a;
	struct fat_fs *fs;
	struct list l;
	uint8_t buf[4096];
	int err = fat_mount(&fs, &ops, &dev, &p);

	if (err != 0)
		return err;
	memset(&l, 0, sizeof(l));
	fat_readdir(fs, FAT_ROOT_ID, 0, list_fill, &l);
	for (size_t i = 2; i < l.n && i < 20; i++) {
		if (fat_lookup(fs, FAT_ROOT_ID, l.e[i].name,
			strlen(l.e[i].name), &a) != 0)
			continue;
		fat_read(fs, a.ino, 0, buf, sizeof(buf));
		fat_readdir(fs, a.ino, 0, list_fill, &l);
		fat_forget(fs, a.ino, 1);
	}
	free(l.e);
	fat_lookup(fs, FAT_ROOT_ID, "GOOD.TXT", 8, &a);
	fat_create(fs, FAT_ROOT_ID, "fuzzed", 6, 0644, &a);
	fat_umount(fs);
	ck_assert_int_eq(live_allocs, 0);
	return 0;
}

struct bpb_case {
	unsigned off, len;
	uint32_t value;
	int want;
};

static const struct bpb_case bpb_cases[] = {
    {11, 2, 0, -EINVAL},
    {11, 2, 256, -EINVAL},
    {11, 2, 8192, -EINVAL},
    {11, 2, 1000, -EINVAL},
    {13, 1, 0, -EINVAL},
    {13, 1, 3, -EINVAL},
    {14, 2, 0, -EINVAL},
    {16, 1, 0, -EINVAL},
    {21, 1, 0x12, -EINVAL},
    {22, 2, 5, -EINVAL},
    {17, 2, 512, -EINVAL},
    {36, 4, 0, -EINVAL},
    {510, 1, 0, -EINVAL},
    {32, 4, 0, -EINVAL},
    {44, 4, 0, -EIO},
    {44, 4, 1, -EIO},
    {44, 4, 0x0FFFFFF0, -EIO},
    {36, 4, 1, -EIO},
    {32, 4, 0xFFFFFFFF, -EIO},
    {36, 4, 0x00100000, -EIO},
    {16, 1, 200, -EIO},
};

START_TEST(test_bpb_checks)
{
	uint8_t boot[512];

	make_victims();
	dev_load_copy();
	memcpy(boot, dev.mem, 512);
	ck_assert_int_eq(poke(), 0);
	for (size_t i = 0; i < sizeof(bpb_cases) / sizeof(bpb_cases[0]); i++) {
		const struct bpb_case *c = &bpb_cases[i];

		memcpy(dev.mem, boot, 512);
		for (unsigned k = 0; k < c->len; k++)
			dev.mem[c->off + k] = (uint8_t)(c->value >> 8 * k);
		ck_assert_msg(poke() == c->want, "BPB byte %u = %#x: want %d",
		    c->off, c->value, c->want);
	}
	free(dev.mem);
}
END_TEST

/* Random damage to the BPB, FSInfo, the FAT and the root directory. */
START_TEST(test_fuzz)
{
	uint64_t seed = TEST_SEED;
	uint8_t *pristine;
	size_t size;
	struct raw r;
	uint64_t fat, root, span;
	unsigned mounted = 0;

	make_victims();
	dev_load_copy();
	size = dev.size;
	pristine = malloc(size);
	memcpy(pristine, dev.mem, size);
	r = raw_of(dev.mem);
	fat = (uint64_t)r.resv * r.bps;
	root = (uint64_t)(raw_cluster(&r, r.root) - dev.mem);
	for (unsigned iter = 0; iter < 600; iter++) {
		unsigned where = iter % 4, flips = 1 + test_rand(&seed) % 4;
		uint64_t base = where == 0   ? 0
				: where == 1 ? 512
				: where == 2 ? fat
					     : root;

		span = where == 0 ? 96 : 512;
		for (unsigned k = 0; k < flips; k++) {
			uint64_t off = base + test_rand(&seed) % span;

			dev.mem[off] = (uint8_t)test_rand(&seed);
		}
		if (poke() == 0)
			mounted++;
		memcpy(dev.mem, pristine, 2 * 512);
		memcpy(dev.mem + fat, pristine + fat, 512);
		memcpy(dev.mem + root, pristine + root, 512);
	}
	ck_assert_uint_gt(mounted, 100);
	free(pristine);
	free(dev.mem);
}
END_TEST

/* FSInfo's free count is only a hint: a wrong one is counted again at
 * mount and put right at umount. */
START_TEST(test_fsinfo_wrong)
{
	unsigned long used, total;
	struct fat_statfs st;
	struct fat_fs *fs;
	size_t size;
	uint8_t *p;

	make_victims();
	fsck_clusters(&used, &total);
	p = raw_map(&size);
	set_le32(p + 512 + 488, 7);
	munmap(p, size);
	fs = mount_img();
	ck_assert_int_eq(fat_statfs(fs, &st), 0);
	ck_assert_uint_eq(st.bfree, total - used);
	umount_img(fs);
	assert_fsck_clean();
}
END_TEST

/* Out of memory at each allocation in turn: -ENOMEM, nothing half done. */
START_TEST(test_out_of_memory)
{
	struct fat_params p = {.cache_blocks = 16};
	char name[32];
	struct fat_attr a;
	struct fat_fs *fs;
	int err;

	make_victims();
	for (long budget = 0; budget < 12; budget++) {
		dev_open();
		p.dev_sectors = dev.size / 512;
		alloc_budget = budget;
		err = fat_mount(&fs, &ops, &dev, &p);
		alloc_budget = -1;
		if (err != 0) {
			ck_assert_int_eq(err, -ENOMEM);
			ck_assert_int_eq(live_allocs, 0);
			dev_close();
			fs = mount_img();
		}
		alloc_budget = budget % 3;
		snprintf(name, sizeof(name), "new file %ld", budget);
		err = fat_create(fs, FAT_ROOT_ID, name, strlen(name), 0644, &a);
		ck_assert(err == 0 || err == -ENOMEM);
		if (err == 0)
			fat_write(fs, a.ino, 0, name, strlen(name));
		snprintf(name, sizeof(name), "new dir %ld", budget);
		err = fat_mkdir(fs, FAT_ROOT_ID, name, strlen(name), 0755, &a);
		ck_assert(err == 0 || err == -ENOMEM);
		err = fat_lookup(fs, FAT_ROOT_ID, "D", 1, &a);
		ck_assert(err == 0 || err == -ENOMEM);
		if (err == 0)
			fat_lookup(fs, a.ino, "E.TXT", 5, &a);
		alloc_budget = -1;
		umount_img(fs);
		assert_fsck_clean();
	}
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("fat32-damage");
	TCase *tc = tcase_create("fat32-damage");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_damaged_chains, 0, DMG_COUNT);
	tcase_add_test(tc, test_damaged_lfn);
	tcase_add_test(tc, test_truncated_device);
	tcase_add_test(tc, test_fsinfo_wrong);
	tcase_add_test(tc, test_bpb_checks);
	tcase_add_test(tc, test_fuzz);
	tcase_add_test(tc, test_out_of_memory);
	suite_add_tcase(s, tc);
	return s;
}
