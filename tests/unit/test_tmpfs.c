/*
 * test_tmpfs.c - tmpfs (servers/tmpfs): the core through tmpfs_core.h,
 * every operation and its errors as Linux gives them (mount options,
 * names, types, attributes and times, sparse files, truncate, readdir
 * positions while entries come and go, hard links, nodes unlinked while
 * referenced, rename's rules and flags, size and inode limits, umount,
 * read-only instances, thousands of files), a random run of writes and
 * truncates against a flat model; then the PROTO_FS handler table over
 * libipc's host transport: real requests, replies with attributes and
 * linux_dirent64 records, and hostile requests that must only fail.
 * Built with ASan and UBSan (tests/unit/meson.build).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lichen/errno.h>
#include <lichen/ipc_host.h>
#include <lichen/native.h>

#include "../../servers/tmpfs/tmpfs.h"
#include "unit.h"

#define DT_DIR	4
#define DT_REG	8
#define DT_LNK	10
#define DT_CHR	2
#define DT_FIFO 1

/*
 * Allocation failures on demand: the test links with --wrap for malloc,
 * calloc and posix_memalign (tests/unit/meson.build). alloc_fail is the
 * allocation that fails, counting from 0; -1 is none.
 */
static long alloc_fail = -1, allocs;

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
int __real_posix_memalign(void **p, size_t align, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
int __wrap_posix_memalign(void **p, size_t align, size_t n);

static bool
alloc_fails(void)
{
	allocs++;
	return alloc_fail >= 0 && alloc_fail-- == 0;
}

void *
__wrap_malloc(size_t n)
{
	return alloc_fails() ? NULL : __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t size)
{
	return alloc_fails() ? NULL : __real_calloc(n, size);
}

int
__wrap_posix_memalign(void **p, size_t align, size_t n)
{
	return alloc_fails() ? ENOMEM : __real_posix_memalign(p, align, n);
}

static struct tmpfs *fs;
static struct fs_time now_is = {1700000000, 500};

static struct fs_time
test_now(void *ctx)
{
	(void)ctx;
	return now_is;
}

static void
tick(int64_t sec)
{
	now_is.sec += sec;
	now_is.nsec += 1;
}

static void
setup_ram(uint64_t ram_pages)
{
	struct tmpfs_params p = {.now = test_now, .ram_pages = ram_pages};

	fs = tmpfs_new(&p);
	ck_assert_ptr_nonnull(fs);
}

static void
setup(void)
{
	setup_ram(0);
}

static void
teardown(void)
{
	if (fs != NULL)
		tmpfs_free(fs);
	fs = NULL;
}

/* --- helpers --- */

static int
mount_r(const char *opts, uint64_t flags, uint64_t *root)
{
	struct fs_attr a;
	int r = tmpfs_mount(fs, opts, strlen(opts), flags, &a);

	if (r == 0)
		*root = a.ino;
	return r;
}

static uint64_t
mount_opts(const char *opts)
{
	uint64_t root = 0;

	ck_assert_int_eq(mount_r(opts, 0, &root), 0);
	return root;
}

static struct fs_attr
attr_of(uint64_t node)
{
	struct fs_attr a;

	ck_assert_int_eq(tmpfs_getattr(fs, node, &a), 0);
	return a;
}

static int
create_r(uint64_t dir, const char *name, uint32_t mode, uint64_t *ino)
{
	struct fs_attr a;
	int r = tmpfs_create(fs, dir, name, strlen(name), mode, 0, 0, 0, &a);

	if (r == 0 && ino != NULL)
		*ino = a.ino;
	return r;
}

static uint64_t
mk(uint64_t dir, const char *name)
{
	uint64_t ino = 0;

	ck_assert_int_eq(create_r(dir, name, FS_IFREG | 0644, &ino), 0);
	return ino;
}

static int
mkdir_r(uint64_t dir, const char *name, uint64_t *ino)
{
	struct fs_attr a;
	int r = tmpfs_mkdir(fs, dir, name, strlen(name), 0755, 0, 0, &a);

	if (r == 0 && ino != NULL)
		*ino = a.ino;
	return r;
}

static uint64_t
mkd(uint64_t dir, const char *name)
{
	uint64_t ino = 0;

	ck_assert_int_eq(mkdir_r(dir, name, &ino), 0);
	return ino;
}

static int
lookup(uint64_t dir, const char *name, uint64_t *ino)
{
	struct fs_attr a;
	int r = tmpfs_lookup(fs, dir, name, strlen(name), &a);

	if (r == 0 && ino != NULL)
		*ino = a.ino;
	return r;
}

/* The node's one reference back: looked up, then forgotten. */
static uint64_t
peek(uint64_t dir, const char *name)
{
	uint64_t ino = 0;

	ck_assert_int_eq(lookup(dir, name, &ino), 0);
	ck_assert_int_eq(tmpfs_forget(fs, ino, 1), 0);
	return ino;
}

static int
unlink_s(uint64_t dir, const char *name)
{
	return tmpfs_unlink(fs, dir, name, strlen(name));
}

static int
rmdir_s(uint64_t dir, const char *name)
{
	return tmpfs_rmdir(fs, dir, name, strlen(name));
}

static int
rename_s(
    uint64_t od, const char *on, uint64_t nd, const char *nn, unsigned flags)
{
	return tmpfs_rename(fs, od, on, strlen(on), nd, nn, strlen(nn), flags);
}

static int64_t
wr(uint64_t node, uint64_t off, const void *buf, size_t len)
{
	int64_t size;

	return tmpfs_write(fs, node, off, buf, len, 0, &size);
}

static int64_t
wrs(uint64_t node, uint64_t off, const char *s)
{
	return wr(node, off, s, strlen(s));
}

static struct fs_statfs
statfs_of(uint64_t node)
{
	struct fs_statfs st;

	ck_assert_int_eq(tmpfs_statfs(fs, node, &st), 0);
	return st;
}

static struct tmpfs_stats
stats(void)
{
	struct tmpfs_stats st;

	tmpfs_stats(fs, &st);
	return st;
}

static bool
time_eq(struct fs_time a, struct fs_time b)
{
	return a.sec == b.sec && a.nsec == b.nsec;
}

/* One directory listing, as readdir's records say it. */
struct ent {
	char name[FS_NAME_MAX + 1];
	uint64_t ino;
	int64_t off;
	uint8_t type;
};

/* Parses n bytes of records into e[]; returns how many. */
static int
parse_dirents(const char *buf, size_t n, struct ent *e, int max)
{
	size_t pos = 0;
	int k = 0;

	while (pos < n) {
		struct fs_dirent d;
		size_t namelen;

		ck_assert_uint_ge(n - pos, 24);
		memcpy(&d, buf + pos, 19);
		ck_assert_uint_eq(d.reclen % 8, 0);
		ck_assert_uint_le(pos + d.reclen, n);
		namelen = strnlen(buf + pos + 19, d.reclen - 19);
		ck_assert_uint_lt(
		    namelen, d.reclen - 19); /* NUL inside the record */
		ck_assert_uint_eq(d.reclen, FS_DIRENT_SIZE(namelen));
		ck_assert_int_lt(k, max);
		memcpy(e[k].name, buf + pos + 19, namelen + 1);
		e[k].ino = d.ino;
		e[k].off = d.off;
		e[k].type = d.type;
		k++;
		pos += d.reclen;
	}
	return k;
}

/* Every entry from pos on, room bytes at a time. */
static int
list_dir(uint64_t dir, uint64_t pos, size_t room, struct ent *e, int max)
{
	static char buf[IPC_BUF_MAX];
	int k = 0;
	int64_t n;

	while ((n = tmpfs_readdir(fs, dir, pos, buf, room)) > 0) {
		int got = parse_dirents(buf, (size_t)n, e + k, max - k);

		ck_assert_int_gt(got, 0);
		k += got;
		pos = (uint64_t)e[k - 1].off;
	}
	ck_assert_int_eq(n, 0);
	return k;
}

static int
find_ent(const struct ent *e, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(e[i].name, name) == 0)
			return i;
	return -1;
}

/* --- mount and options --- */

START_TEST(mount_root_attributes)
{
	uint64_t root = mount_opts("");
	struct fs_attr a = attr_of(root);
	struct fs_statfs st = statfs_of(root);

	ck_assert_uint_ne(root, 0);
	ck_assert_uint_eq(a.ino, root);
	ck_assert_uint_eq(a.mode, FS_IFDIR | 01777);
	ck_assert_uint_eq(a.nlink, 2);
	ck_assert_uint_eq(a.uid, 0);
	ck_assert_uint_eq(a.gid, 0);
	ck_assert_int_eq(a.size, 40);
	ck_assert_int_eq(a.blocks, 0);
	ck_assert_uint_eq(a.blksize, 4096);
	ck_assert(time_eq(a.mtime, now_is) && time_eq(a.ctime, now_is) &&
		  time_eq(a.atime, now_is));
	ck_assert_int_eq(st.type, TMPFS_MAGIC);
	ck_assert_int_eq(st.bsize, 4096);
	ck_assert_int_eq(st.frsize, 4096);
	ck_assert_int_eq(st.namelen, 255);
	ck_assert_uint_eq(st.blocks, 0); /* unlimited: 0, as Linux */
	ck_assert_uint_eq(st.files, 0);
	ck_assert_uint_eq(stats().instances, 1);
}
END_TEST

START_TEST(mount_defaults_from_memory)
{
	uint64_t root;
	struct fs_statfs st;

	teardown();
	setup_ram(1000);
	root = mount_opts("");
	st = statfs_of(root);
	ck_assert_uint_eq(st.blocks, 500);
	ck_assert_uint_eq(st.bfree, 500);
	ck_assert_uint_eq(st.bavail, 500);
	ck_assert_uint_eq(st.files, 500);
	ck_assert_uint_eq(st.ffree, 499); /* the root is one */
	root = mount_opts("size=10%,nr_inodes=0");
	st = statfs_of(root);
	ck_assert_uint_eq(st.blocks, 100);
	ck_assert_uint_eq(st.files, 0);
	root = mount_opts("size=1%"); /* 10 pages */
	ck_assert_uint_eq(statfs_of(root).blocks, 10);
	root = mount_opts("size=0"); /* unlimited */
	ck_assert_uint_eq(statfs_of(root).blocks, 0);
}
END_TEST

START_TEST(mount_options)
{
	static const struct {
		const char *opts;
		uint64_t blocks, files;
	} good[] = {
	    {"size=1m", 256, 0},
	    {"size=1M", 256, 0},
	    {"size=1k", 1, 0},
	    {"size=4097", 2, 0},
	    {"size=1g", 262144, 0},
	    {"size=0x100000", 256, 0},
	    {"size=010k", 2, 0}, /* octal, as simple_strtoull */
	    {"nr_blocks=7", 7, 0},
	    {"nr_blocks=1k", 1024, 0},
	    {"nr_inodes=10", 0, 10},
	    {"nr_inodes=2k", 0, 2048},
	    {"size=8k,nr_inodes=5", 2, 5},
	    {",,size=8k,,", 2, 0},
	    {"size=1m,size=2m", 512, 0},
	    {"rw,sync,async,dirsync,lazytime,nolazytime,mand,nomand", 0, 0},
	    {"inode64,inode32,noswap,huge=never,huge=always,huge=within_size",
		0, 0},
	    {"huge=advise,huge=deny,huge=force", 0, 0},
	};
	static const char *const bad[] = {
	    "size=",
	    "size",
	    "size=1x",
	    "size=k",
	    "size=-1",
	    "size=1m%",
	    "size=1%",
	    "size=99999999999999999999",
	    "size=16777216t",
	    "nr_inodes=5%",
	    "nr_blocks=",
	    "mode=",
	    "mode=9",
	    "mode=0x7",
	    "mode=99999999999",
	    "uid=-1",
	    "uid=4294967295",
	    "uid=",
	    "uid=x",
	    "gid=1a",
	    "foo",
	    "ro=1",
	    "rw=0",
	    "huge=bogus",
	    "huge",
	    "mpol=default",
	    "size=1m,bogus",
	    "=",
	    "size=1m ",
	};
	uint64_t root;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct fs_statfs st;

		ck_assert_msg(
		    mount_r(good[i].opts, 0, &root) == 0, "%s", good[i].opts);
		st = statfs_of(root);
		ck_assert_msg(st.blocks == good[i].blocks, "%s: %ju blocks",
		    good[i].opts, (uintmax_t)st.blocks);
		ck_assert_msg(st.files == good[i].files, "%s: %ju files",
		    good[i].opts, (uintmax_t)st.files);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(mount_r(bad[i], 0, &root) == -EINVAL,
		    "%s accepted", bad[i]);
	ck_assert_int_eq(
	    tmpfs_mount(fs, "size=1m\0x", 9, 0, &(struct fs_attr){0}), -EINVAL);
	ck_assert_uint_eq(stats().instances, sizeof(good) / sizeof(good[0]));
}
END_TEST

START_TEST(mount_mode_uid_gid)
{
	uint64_t root = mount_opts("mode=0700,uid=1000,gid=100");
	struct fs_attr a = attr_of(root);

	ck_assert_uint_eq(a.mode, FS_IFDIR | 0700);
	ck_assert_uint_eq(a.uid, 1000);
	ck_assert_uint_eq(a.gid, 100);
	a = attr_of(mount_opts("mode=1777777")); /* only 07777 counts */
	ck_assert_uint_eq(a.mode, FS_IFDIR | 07777);
	a = attr_of(mount_opts("uid=0x10,gid=4294967294"));
	ck_assert_uint_eq(a.uid, 16);
	ck_assert_uint_eq(a.gid, 4294967294u);
}
END_TEST

START_TEST(instances_are_separate)
{
	uint64_t r1 = mount_opts(""), r2 = mount_opts("size=1m");
	uint64_t f1 = mk(r1, "f"), f2 = mk(r2, "f");
	struct fs_attr a;

	ck_assert_uint_ne(r1, r2);
	ck_assert_uint_ne(f1, f2);
	ck_assert_uint_eq(peek(r1, "f"), f1);
	ck_assert_uint_eq(peek(r2, "f"), f2);
	ck_assert_int_eq(wrs(f1, 0, "one"), 3);
	ck_assert_int_eq(attr_of(f2).size, 0);
	ck_assert_int_eq(tmpfs_link(fs, f1, r2, "g", 1, &a), -EXDEV);
	ck_assert_int_eq(rename_s(r1, "f", r2, "g", 0), -EXDEV);
	ck_assert_uint_eq(statfs_of(f2).blocks, 256);
	ck_assert_uint_eq(statfs_of(f1).blocks, 0);
}
END_TEST

/* --- umount --- */

START_TEST(umount_busy_and_frees)
{
	uint64_t root = mount_opts("size=1m"), other = mount_opts("");
	uint64_t f = mk(root, "f"), d = mkd(root, "d");
	char page[4096];

	memset(page, 'x', sizeof(page));
	ck_assert_int_eq(wr(f, 0, page, sizeof(page)), 4096);
	ck_assert_int_eq(tmpfs_umount(fs, f), -EINVAL); /* not a root */
	ck_assert_int_eq(tmpfs_umount(fs, 987654), -EINVAL);
	ck_assert_int_eq(tmpfs_umount(fs, root), -EBUSY);
	ck_assert_int_eq(tmpfs_forget(fs, f, 1), 0);
	ck_assert_int_eq(tmpfs_umount(fs, root), -EBUSY); /* d */
	ck_assert_int_eq(tmpfs_forget(fs, d, 1), 0);
	/* an unlinked node that is still referenced keeps it busy, too */
	f = mk(d, "x");
	ck_assert_int_eq(unlink_s(d, "x"), 0);
	ck_assert_int_eq(tmpfs_umount(fs, root), -EBUSY);
	ck_assert_int_eq(tmpfs_forget(fs, f, 1), 0);
	ck_assert_uint_eq(stats().data_pages, 1);
	ck_assert_int_eq(
	    tmpfs_umount(fs, root), 0); /* the root's own refs do not count */
	ck_assert_uint_eq(stats().instances, 1);
	ck_assert_uint_eq(stats().nodes, 1);
	ck_assert_uint_eq(stats().data_pages, 0);
	ck_assert_uint_eq(stats().pool_pages, 0);
	ck_assert_int_eq(
	    tmpfs_getattr(fs, root, &(struct fs_attr){0}), -ENOENT);
	ck_assert_int_eq(tmpfs_getattr(fs, d, &(struct fs_attr){0}), -ENOENT);
	ck_assert_int_eq(tmpfs_umount(fs, root), -EINVAL);
	ck_assert_int_eq(tmpfs_umount(fs, other), 0);
	ck_assert_uint_eq(stats().nodes, 0);
}
END_TEST

/* --- names, lookup, create --- */

START_TEST(names_checked)
{
	uint64_t root = mount_opts(""), f = mk(root, "file");
	char name[300];
	struct fs_attr a;

	memset(name, 'n', sizeof(name));
	ck_assert_int_eq(
	    tmpfs_create(fs, root, name, 255, FS_IFREG | 0644, 0, 0, 0, &a), 0);
	ck_assert_int_eq(tmpfs_lookup(fs, root, name, 255, &a), 0);
	ck_assert_int_eq(
	    tmpfs_create(fs, root, name, 256, FS_IFREG, 0, 0, 0, &a),
	    -ENAMETOOLONG);
	ck_assert_int_eq(tmpfs_lookup(fs, root, name, 256, &a), -ENAMETOOLONG);
	ck_assert_int_eq(
	    tmpfs_mkdir(fs, root, name, 256, 0755, 0, 0, &a), -ENAMETOOLONG);
	ck_assert_int_eq(tmpfs_lookup(fs, root, "", 0, &a), -EINVAL);
	ck_assert_int_eq(
	    tmpfs_create(fs, root, "", 0, FS_IFREG, 0, 0, 0, &a), -EINVAL);
	ck_assert_int_eq(
	    tmpfs_create(fs, root, "a/b", 3, FS_IFREG, 0, 0, 0, &a), -EINVAL);
	ck_assert_int_eq(
	    tmpfs_create(fs, root, "a\0b", 3, FS_IFREG, 0, 0, 0, &a), -EINVAL);
	ck_assert_int_eq(tmpfs_lookup(fs, root, "a/b", 3, &a), -EINVAL);
	ck_assert_int_eq(tmpfs_lookup(fs, root, ".", 1, &a), -EINVAL);
	ck_assert_int_eq(tmpfs_lookup(fs, root, "..", 2, &a), -EINVAL);
	ck_assert_int_eq(
	    tmpfs_mkdir(fs, root, "..", 2, 0755, 0, 0, &a), -EINVAL);
	ck_assert_int_eq(
	    tmpfs_create(fs, root, "...", 3, FS_IFREG, 0, 0, 0, &a), 0);
	ck_assert_int_eq(
	    tmpfs_create(fs, root, ".x", 2, FS_IFREG, 0, 0, 0, &a), 0);
	ck_assert_int_eq(unlink_s(root, "a/b"), -EINVAL);
	ck_assert_int_eq(rename_s(root, "file", root, "x/y", 0), -EINVAL);
	ck_assert_int_eq(rename_s(root, "", root, "y", 0), -EINVAL);
	/* names are bytes: case and UTF-8 are kept apart */
	ck_assert_int_eq(create_r(root, "File", FS_IFREG, NULL), 0);
	ck_assert_int_eq(create_r(root, "f\xc3\xa9", FS_IFREG, NULL), 0);
	ck_assert_int_eq(lookup(root, "FILE", NULL), -ENOENT);
	ck_assert_uint_eq(peek(root, "file"), f);
}
END_TEST

START_TEST(lookup_and_create_errors)
{
	uint64_t root = mount_opts(""), f = mk(root, "f"), d = mkd(root, "d"),
		 ino;
	struct fs_attr a;

	ck_assert_int_eq(create_r(root, "f", FS_IFREG | 0644, NULL), -EEXIST);
	ck_assert_int_eq(create_r(root, "d", FS_IFREG | 0644, NULL), -EEXIST);
	ck_assert_int_eq(mkdir_r(root, "f", NULL), -EEXIST);
	ck_assert_int_eq(
	    tmpfs_symlink(fs, root, "d", 1, "x", 1, 0, 0, &a), -EEXIST);
	ck_assert_int_eq(lookup(root, "nope", NULL), -ENOENT);
	ck_assert_int_eq(lookup(f, "x", NULL), -ENOTDIR);
	ck_assert_int_eq(create_r(f, "x", FS_IFREG, NULL), -ENOTDIR);
	ck_assert_int_eq(mkdir_r(f, "x", NULL), -ENOTDIR);
	ck_assert_int_eq(unlink_s(f, "x"), -ENOTDIR);
	ck_assert_int_eq(rmdir_s(f, "x"), -ENOTDIR);
	ck_assert_int_eq(lookup(424242, "x", NULL), -ENOENT);
	ck_assert_int_eq(lookup(0, "x", NULL), -ENOENT);
	ck_assert_int_eq(create_r(424242, "x", FS_IFREG, NULL), -ENOENT);
	ck_assert_int_eq(lookup(d, "f", NULL), -ENOENT);
	ck_assert_int_eq(lookup(root, "d", &ino), 0);
	ck_assert_uint_eq(ino, d);
	/* lookups give references: two lookups, two forgets */
	ck_assert_int_eq(lookup(root, "f", NULL), 0);
	ck_assert_int_eq(
	    tmpfs_forget(fs, f, 3), 0); /* create + lookup, clamped */
	ck_assert_int_eq(tmpfs_forget(fs, f, 1), 0); /* none left: no-op */
	ck_assert_int_eq(tmpfs_forget(fs, 424242, 1), -ENOENT);
	ck_assert_int_eq(attr_of(f).nlink, 1); /* named: still there */
}
END_TEST

START_TEST(create_types)
{
	uint64_t root = mount_opts("");
	struct fs_attr a;

	ck_assert_int_eq(
	    tmpfs_create(fs, root, "fifo", 4, FS_IFIFO | 0600, 1, 2, 77, &a),
	    0);
	ck_assert_uint_eq(a.mode, FS_IFIFO | 0600);
	ck_assert_uint_eq(a.rdev, 0);
	ck_assert_uint_eq(a.uid, 1);
	ck_assert_uint_eq(a.gid, 2);
	ck_assert_int_eq(
	    tmpfs_create(fs, root, "chr", 3, FS_IFCHR | 0666, 0, 0, 0x0103, &a),
	    0);
	ck_assert_uint_eq(a.mode, FS_IFCHR | 0666);
	ck_assert_uint_eq(a.rdev, 0x0103);
	ck_assert_int_eq(a.size, 0);
	ck_assert_int_eq(
	    tmpfs_create(fs, root, "blk", 3, FS_IFBLK | 0660, 0, 6, 0x0800, &a),
	    0);
	ck_assert_uint_eq(a.rdev, 0x0800);
	ck_assert_int_eq(
	    tmpfs_create(fs, root, "sock", 4, FS_IFSOCK | 0755, 0, 0, 5, &a),
	    0);
	ck_assert_uint_eq(a.mode, FS_IFSOCK | 0755);
	ck_assert_int_eq(
	    tmpfs_create(fs, root, "plain", 5, 0644, 0, 0, 0, &a), 0);
	ck_assert_uint_eq(
	    a.mode, FS_IFREG | 0644); /* type 0: regular, as mknod */
	ck_assert_uint_eq(a.nlink, 1);
	ck_assert_uint_eq(a.blksize, 4096);
	ck_assert_int_eq(
	    tmpfs_create(fs, root, "suid", 4, FS_IFREG | 06755, 0, 0, 0, &a),
	    0);
	ck_assert_uint_eq(a.mode, FS_IFREG | 06755);
	ck_assert_int_eq(
	    tmpfs_create(fs, root, "x", 1, FS_IFDIR | 0755, 0, 0, 0, &a),
	    -EINVAL);
	ck_assert_int_eq(
	    tmpfs_create(fs, root, "x", 1, FS_IFLNK | 0777, 0, 0, 0, &a),
	    -EINVAL);
	ck_assert_int_eq(
	    tmpfs_create(fs, root, "x", 1, 0170000, 0, 0, 0, &a), -EINVAL);
	ck_assert_int_eq(
	    tmpfs_create(fs, root, "x", 1, 0110000, 0, 0, 0, &a), -EINVAL);
	ck_assert_int_eq(
	    tmpfs_create(fs, root, "x", 1, FS_IFREG, UINT32_MAX, 0, 0, &a),
	    -EINVAL);
	ck_assert_int_eq(
	    tmpfs_create(fs, root, "x", 1, FS_IFREG, 0, UINT32_MAX, 0, &a),
	    -EINVAL);
	ck_assert_int_eq(
	    tmpfs_mkdir(fs, root, "x", 1, FS_IFREG | 0755, 0, 0, &a), -EINVAL);
	ck_assert_int_eq(
	    tmpfs_mkdir(fs, root, "x", 1, FS_IFDIR | 01777, 5, 6, &a), 0);
	ck_assert_uint_eq(a.mode, FS_IFDIR | 01777);
	ck_assert_int_eq(tmpfs_mkdir(fs, root, "y", 1, 02755, 0, 0, &a), 0);
	ck_assert_uint_eq(a.mode, FS_IFDIR | 02755);
	/* a FIFO cannot be read or written here: vfs's pipes do that */
	ck_assert_int_eq(
	    tmpfs_read(fs, peek(root, "fifo"), 0, (char[4]){0}, 4), -EINVAL);
	ck_assert_int_eq(wrs(peek(root, "chr"), 0, "x"), -EINVAL);
	ck_assert_int_eq(
	    tmpfs_truncate(fs, peek(root, "sock"), 0, &a), -EINVAL);
}
END_TEST

/* --- times --- */

START_TEST(times_as_linux)
{
	uint64_t root = mount_opts(""), f, d;
	struct fs_attr a, b;
	struct fs_setattr sa = {0};
	char c;

	tick(10);
	f = mk(root, "f");
	a = attr_of(root);
	ck_assert(time_eq(a.mtime, now_is) && time_eq(a.ctime, now_is));
	ck_assert(!time_eq(a.atime, now_is)); /* creating is not reading */
	b = attr_of(f);
	ck_assert(time_eq(b.atime, now_is) && time_eq(b.mtime, now_is) &&
		  time_eq(b.ctime, now_is));
	tick(10);
	ck_assert_int_eq(wrs(f, 0, "data"), 4);
	b = attr_of(f);
	ck_assert(time_eq(b.mtime, now_is) && time_eq(b.ctime, now_is));
	ck_assert(!time_eq(b.atime, now_is));
	ck_assert(
	    !time_eq(attr_of(root).mtime, now_is)); /* a write is the file's */
	tick(10);
	ck_assert_int_eq(wr(f, 100, "", 0), 0); /* nothing written: no change */
	ck_assert(!time_eq(attr_of(f).mtime, now_is));
	ck_assert_int_eq(attr_of(f).size, 4);
	ck_assert_int_eq(
	    tmpfs_truncate(fs, f, 4, &b), 0); /* same size: times still move */
	ck_assert(time_eq(b.mtime, now_is) && time_eq(b.ctime, now_is));
	tick(10);
	sa.valid = FS_SET_MODE;
	sa.mode = 0600;
	ck_assert_int_eq(tmpfs_setattr(fs, f, &sa, &b), 0);
	ck_assert(time_eq(b.ctime, now_is));
	ck_assert(!time_eq(b.mtime, now_is));
	ck_assert_uint_eq(b.mode, FS_IFREG | 0600);
	tick(10);
	d = mkd(root, "d");
	a = attr_of(root);
	ck_assert(time_eq(a.mtime, now_is) && time_eq(a.ctime, now_is));
	tick(10);
	ck_assert_int_eq(tmpfs_link(fs, f, d, "l", 1, &b), 0);
	ck_assert(time_eq(b.ctime, now_is));
	ck_assert(time_eq(attr_of(d).mtime, now_is));
	ck_assert(!time_eq(attr_of(root).mtime, now_is));
	tick(10);
	ck_assert_int_eq(unlink_s(d, "l"), 0);
	ck_assert(time_eq(attr_of(f).ctime, now_is));
	ck_assert(time_eq(attr_of(d).ctime, now_is) &&
		  time_eq(attr_of(d).mtime, now_is));
	tick(10);
	ck_assert_int_eq(rename_s(root, "f", d, "g", 0), 0);
	ck_assert(time_eq(attr_of(f).ctime, now_is));
	ck_assert(time_eq(attr_of(root).mtime, now_is) &&
		  time_eq(attr_of(d).mtime, now_is));
	/* the times setattr is given, ctime included */
	sa.valid = FS_SET_ATIME | FS_SET_MTIME | FS_SET_CTIME;
	sa.atime = (struct fs_time){1, 2};
	sa.mtime = (struct fs_time){3, 4};
	sa.ctime = (struct fs_time){5, 6};
	ck_assert_int_eq(tmpfs_setattr(fs, f, &sa, &b), 0);
	ck_assert(time_eq(b.atime, sa.atime) && time_eq(b.mtime, sa.mtime) &&
		  time_eq(b.ctime, sa.ctime));
	sa.atime.nsec = 1000000000;
	ck_assert_int_eq(tmpfs_setattr(fs, f, &sa, &b), -EINVAL);
	sa.atime.nsec = -1;
	ck_assert_int_eq(tmpfs_setattr(fs, f, &sa, &b), -EINVAL);
	ck_assert(time_eq(attr_of(f).atime, (struct fs_time){1, 2}));
	(void)c;
}
END_TEST

START_TEST(atime_relatime)
{
	uint64_t root = mount_opts(""), f = mk(root, "f");
	char buf[8];
	struct fs_attr a;
	struct fs_time first;

	ck_assert_int_eq(wrs(f, 0, "abc"), 3);
	tick(5);
	ck_assert_int_eq(tmpfs_read(fs, f, 0, buf, sizeof(buf)),
	    3); /* atime <= mtime: moves */
	first = now_is;
	ck_assert(time_eq(attr_of(f).atime, first));
	tick(5);
	ck_assert_int_eq(tmpfs_read(fs, f, 0, buf, sizeof(buf)),
	    3); /* newer than both: stays */
	ck_assert(time_eq(attr_of(f).atime, first));
	tick(24 * 3600);
	ck_assert_int_eq(
	    tmpfs_read(fs, f, 10, buf, sizeof(buf)), 0); /* a day old: moves */
	ck_assert(time_eq(attr_of(f).atime, now_is));
	tick(5);
	ck_assert_int_eq(wrs(f, 3, "d"), 1);
	tick(5);
	ck_assert_int_eq(tmpfs_readdir(fs, root, 0, buf, 0), -EINVAL);
	ck_assert_int_eq(tmpfs_read(fs, f, 0, buf, 1), 1);
	ck_assert(time_eq(attr_of(f).atime, now_is));
	/* readdir and readlink count as reads of the directory and link */
	{
		char d[512];

		tick(5);
		ck_assert_int_gt(tmpfs_readdir(fs, root, 0, d, sizeof(d)), 0);
		ck_assert(time_eq(attr_of(root).atime, now_is));
	}
	ck_assert_int_eq(tmpfs_symlink(fs, root, "l", 1, "f", 1, 0, 0, &a), 0);
	tick(5);
	{
		const char *t;

		ck_assert_int_eq(tmpfs_readlink(fs, a.ino, &t), 1);
		ck_assert(time_eq(attr_of(a.ino).atime, now_is));
	}
}
END_TEST

START_TEST(atime_mount_flags)
{
	uint64_t r1 = 0, r2 = 0, r3 = 0, f1, f2, f3;
	char buf[512];

	ck_assert_int_eq(mount_r("", TMPFS_MS_STRICTATIME, &r1), 0);
	ck_assert_int_eq(mount_r("", TMPFS_MS_NOATIME, &r2), 0);
	ck_assert_int_eq(mount_r("", TMPFS_MS_NODIRATIME, &r3), 0);
	f1 = mk(r1, "f");
	f2 = mk(r2, "f");
	f3 = mk(r3, "f");
	tick(5);
	ck_assert_int_eq(tmpfs_read(fs, f1, 0, buf, 1), 0);
	ck_assert_int_eq(tmpfs_read(fs, f2, 0, buf, 1), 0);
	ck_assert_int_eq(tmpfs_read(fs, f3, 0, buf, 1), 0);
	ck_assert(time_eq(attr_of(f1).atime, now_is));
	ck_assert(!time_eq(attr_of(f2).atime, now_is));
	ck_assert(time_eq(attr_of(f3).atime, now_is));
	tick(5);
	ck_assert_int_eq(
	    tmpfs_read(fs, f1, 0, buf, 1), 0); /* strict: every time */
	ck_assert(time_eq(attr_of(f1).atime, now_is));
	ck_assert_int_gt(tmpfs_readdir(fs, r3, 0, buf, sizeof(buf)), 0);
	ck_assert(!time_eq(attr_of(r3).atime, now_is));
}
END_TEST

/* --- setattr --- */

START_TEST(setattr_rules)
{
	uint64_t root = mount_opts(""), f = mk(root, "f"), d = mkd(root, "d");
	struct fs_setattr sa = {0};
	struct fs_attr a;

	sa.valid = FS_SET_MODE;
	sa.mode = FS_IFDIR | 06775; /* the type is not the caller's to change */
	ck_assert_int_eq(tmpfs_setattr(fs, f, &sa, &a), 0);
	ck_assert_uint_eq(a.mode, FS_IFREG | 06775);
	/* chown drops setuid, and setgid with group execute */
	sa.valid = FS_SET_UID;
	sa.uid = 1000;
	ck_assert_int_eq(tmpfs_setattr(fs, f, &sa, &a), 0);
	ck_assert_uint_eq(a.mode, FS_IFREG | 0775);
	ck_assert_uint_eq(a.uid, 1000);
	sa.valid = FS_SET_MODE;
	sa.mode = 06745; /* setgid without group execute: mandatory locking */
	ck_assert_int_eq(tmpfs_setattr(fs, f, &sa, &a), 0);
	sa.valid = FS_SET_GID;
	sa.gid = 50;
	ck_assert_int_eq(tmpfs_setattr(fs, f, &sa, &a), 0);
	ck_assert_uint_eq(a.mode, FS_IFREG | 02745);
	ck_assert_uint_eq(a.gid, 50);
	sa.valid =
	    FS_SET_MODE | FS_SET_UID; /* chmod with it: the mode given wins */
	sa.mode = 04755;
	sa.uid = 7;
	ck_assert_int_eq(tmpfs_setattr(fs, f, &sa, &a), 0);
	ck_assert_uint_eq(a.mode, FS_IFREG | 04755);
	sa.valid = FS_SET_MODE;
	sa.mode = 06777;
	ck_assert_int_eq(tmpfs_setattr(fs, d, &sa, &a), 0);
	sa.valid = FS_SET_UID | FS_SET_GID; /* directories keep theirs */
	sa.uid = 1;
	sa.gid = 1;
	ck_assert_int_eq(tmpfs_setattr(fs, d, &sa, &a), 0);
	ck_assert_uint_eq(a.mode, FS_IFDIR | 06777);
	/* refused, and nothing changed */
	sa.valid = FS_SET_UID;
	sa.uid = UINT32_MAX;
	ck_assert_int_eq(tmpfs_setattr(fs, f, &sa, &a), -EINVAL);
	sa.valid = FS_SET_GID;
	sa.gid = UINT32_MAX;
	ck_assert_int_eq(tmpfs_setattr(fs, f, &sa, &a), -EINVAL);
	sa.valid = 0x80;
	ck_assert_int_eq(tmpfs_setattr(fs, f, &sa, &a), -EINVAL);
	sa.valid = FS_SET_SIZE | FS_SET_MODE;
	sa.size = 10;
	sa.mode = 0;
	ck_assert_int_eq(tmpfs_setattr(fs, d, &sa, &a), -EISDIR);
	ck_assert_uint_eq(attr_of(d).mode, FS_IFDIR | 06777);
	sa.size = -1;
	ck_assert_int_eq(tmpfs_setattr(fs, f, &sa, &a), -EINVAL);
	ck_assert_uint_eq(attr_of(f).mode, FS_IFREG | 04755);
	ck_assert_int_eq(tmpfs_setattr(fs, 999999, &sa, &a), -ENOENT);
	sa.valid = FS_SET_SIZE;
	sa.size = 12345;
	ck_assert_int_eq(tmpfs_setattr(fs, f, &sa, &a), 0);
	ck_assert_int_eq(a.size, 12345);
	ck_assert_int_eq(a.blocks, 0);
	ck_assert_int_eq(tmpfs_symlink(fs, root, "l", 1, "f", 1, 0, 0, &a), 0);
	ck_assert_int_eq(tmpfs_setattr(fs, a.ino, &sa, &a), -EINVAL);
	sa.valid = 0; /* nothing to change: nothing changes */
	tick(3);
	ck_assert_int_eq(tmpfs_setattr(fs, f, &sa, &a), 0);
	ck_assert(!time_eq(a.ctime, now_is));
}
END_TEST

/* --- file contents --- */

START_TEST(read_write_basic)
{
	uint64_t root = mount_opts(""), f = mk(root, "f"), d = mkd(root, "d");
	static char big[3 * 4096 + 100], back[sizeof(big) + 50];
	int64_t size;
	struct fs_attr a;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7 + i / 4096);
	ck_assert_int_eq(wr(f, 0, big, sizeof(big)), sizeof(big));
	a = attr_of(f);
	ck_assert_int_eq(a.size, sizeof(big));
	ck_assert_int_eq(a.blocks, 4 * 8);
	ck_assert_int_eq(tmpfs_read(fs, f, 0, back, sizeof(back)), sizeof(big));
	ck_assert_mem_eq(back, big, sizeof(big));
	ck_assert_int_eq(
	    tmpfs_read(fs, f, 4090, back, 20), 20); /* across a page */
	ck_assert_mem_eq(back, big + 4090, 20);
	ck_assert_int_eq(tmpfs_read(fs, f, sizeof(big) - 5, back, 100), 5);
	ck_assert_int_eq(tmpfs_read(fs, f, sizeof(big), back, 100), 0);
	ck_assert_int_eq(tmpfs_read(fs, f, 1ull << 40, back, 100), 0);
	ck_assert_int_eq(tmpfs_read(fs, f, 0, back, 0), 0);
	ck_assert_int_eq(wrs(f, 4095, "XY"), 2);
	ck_assert_int_eq(tmpfs_read(fs, f, 4094, back, 4), 4);
	ck_assert_int_eq(back[0], big[4094]);
	ck_assert_mem_eq(back + 1, "XY", 2);
	ck_assert_int_eq(back[3], big[4097]);
	ck_assert_int_eq(
	    tmpfs_write(fs, f, 0, "tail", 4, FS_WRITE_APPEND, &size), 4);
	ck_assert_int_eq(size, sizeof(big) + 4);
	ck_assert_int_eq(tmpfs_read(fs, f, sizeof(big), back, 10), 4);
	ck_assert_mem_eq(back, "tail", 4);
	/* the errors */
	ck_assert_int_eq(tmpfs_read(fs, d, 0, back, 1), -EISDIR);
	ck_assert_int_eq(wrs(d, 0, "x"), -EISDIR);
	ck_assert_int_eq(tmpfs_read(fs, f, (uint64_t)-1, back, 1), -EINVAL);
	ck_assert_int_eq(wrs(f, (uint64_t)-4096, "x"), -EINVAL);
	ck_assert_int_eq(tmpfs_write(fs, f, 0, "x", 1, 2, &size), -EINVAL);
	ck_assert_int_eq(tmpfs_read(fs, 31337, 0, back, 1), -ENOENT);
	ck_assert_int_eq(wrs(31337, 0, "x"), -ENOENT);
	ck_assert_int_eq(tmpfs_read(fs, root, 0, back, 1), -EISDIR);
}
END_TEST

START_TEST(sparse_files)
{
	uint64_t root = mount_opts(""), f = mk(root, "f");
	char buf[8192], zero[8192] = {0};
	struct fs_attr a;
	int64_t size;

	ck_assert_int_eq(wrs(f, 1 << 20, "end"), 3);
	a = attr_of(f);
	ck_assert_int_eq(a.size, (1 << 20) + 3);
	ck_assert_int_eq(a.blocks, 8); /* one page */
	ck_assert_int_eq(tmpfs_read(fs, f, 0, buf, sizeof(buf)), sizeof(buf));
	ck_assert_mem_eq(buf, zero, sizeof(buf));
	ck_assert_int_eq(tmpfs_read(fs, f, (1 << 20) - 4, buf, 16), 7);
	ck_assert_mem_eq(buf, zero, 4);
	ck_assert_mem_eq(buf + 4, "end", 3);
	/* far out: the tree grows as tall as it must, the holes cost nothing */
	ck_assert_int_eq(wrs(f, 1ull << 50, "far"), 3);
	ck_assert_int_eq(wrs(f, (1ull << 40) + 4094, "mid"), 3); /* two pages */
	a = attr_of(f);
	ck_assert_int_eq(a.size, (1ll << 50) + 3);
	ck_assert_int_eq(a.blocks, 4 * 8);
	ck_assert_int_eq(tmpfs_read(fs, f, (1ull << 40) + 4090, buf, 10), 10);
	ck_assert_mem_eq(buf, zero, 4);
	ck_assert_mem_eq(buf + 4, "mid", 3);
	ck_assert_int_eq(tmpfs_read(fs, f, (1ull << 50) - 2, buf, 10), 5);
	ck_assert_mem_eq(buf + 2, "far", 3);
	/* the largest file Linux allows, and no byte more */
	ck_assert_int_eq(wrs(f, INT64_MAX - 2, "abcdef"), 2);
	ck_assert_int_eq(attr_of(f).size, INT64_MAX);
	ck_assert_int_eq(wrs(f, INT64_MAX, "x"), -EFBIG);
	ck_assert_int_eq(
	    tmpfs_write(fs, f, 0, "x", 1, FS_WRITE_APPEND, &size), -EFBIG);
	ck_assert_int_eq(tmpfs_read(fs, f, INT64_MAX - 2, buf, 10), 2);
	ck_assert_mem_eq(buf, "ab", 2);
	ck_assert_int_eq(attr_of(f).blocks, 5 * 8);
	ck_assert_int_eq(tmpfs_truncate(fs, f, 0, &a), 0);
	ck_assert_int_eq(a.blocks, 0);
	ck_assert_uint_eq(stats().data_pages, 0);
	ck_assert_uint_eq(
	    stats().pool_pages, 0); /* radix nodes went back too */
}
END_TEST

START_TEST(truncate_rules)
{
	uint64_t root = mount_opts(""), f = mk(root, "f"), d = mkd(root, "d");
	static char page[3 * 4096];
	char buf[4096], zero[4096] = {0};
	struct fs_attr a;

	memset(page, 'q', sizeof(page));
	ck_assert_int_eq(wr(f, 0, page, sizeof(page)), sizeof(page));
	ck_assert_int_eq(
	    tmpfs_truncate(fs, f, 1 << 30, &a), 0); /* extend: a hole */
	ck_assert_int_eq(a.size, 1 << 30);
	ck_assert_int_eq(a.blocks, 3 * 8);
	ck_assert_int_eq(
	    tmpfs_read(fs, f, (1 << 30) - 4096, buf, sizeof(buf)), 4096);
	ck_assert_mem_eq(buf, zero, sizeof(buf));
	ck_assert_int_eq(
	    tmpfs_truncate(fs, f, 5000, &a), 0); /* shrink: pages freed */
	ck_assert_int_eq(a.size, 5000);
	ck_assert_int_eq(a.blocks, 2 * 8);
	ck_assert_uint_eq(stats().data_pages, 2);
	ck_assert_int_eq(
	    tmpfs_truncate(fs, f, 9000, &a), 0); /* what was cut reads zero */
	ck_assert_int_eq(tmpfs_read(fs, f, 4096, buf, sizeof(buf)), 4096);
	ck_assert_mem_eq(buf, page, 5000 - 4096);
	ck_assert_mem_eq(buf + 5000 - 4096, zero, 4096 - (5000 - 4096));
	ck_assert_int_eq(tmpfs_truncate(fs, f, 4096, &a), 0);
	ck_assert_int_eq(a.blocks, 8);
	ck_assert_int_eq(tmpfs_truncate(fs, f, 0, &a), 0);
	ck_assert_int_eq(a.blocks, 0);
	ck_assert_int_eq(tmpfs_read(fs, f, 0, buf, 10), 0);
	ck_assert_int_eq(tmpfs_truncate(fs, d, 0, &a), -EISDIR);
	ck_assert_int_eq(tmpfs_truncate(fs, f, (uint64_t)-1, &a), -EINVAL);
	ck_assert_int_eq(
	    tmpfs_truncate(fs, f, (uint64_t)INT64_MAX + 1, &a), -EINVAL);
	ck_assert_int_eq(tmpfs_truncate(fs, f, INT64_MAX, &a), 0);
	ck_assert_int_eq(tmpfs_truncate(fs, 4242, 0, &a), -ENOENT);
}
END_TEST

/* Random writes and truncates on one file against a flat copy. */
START_TEST(random_against_model)
{
	enum { MAX = 1 << 20 };
	uint64_t root = mount_opts(""), f = mk(root, "f"), seed = TEST_SEED;
	char *model = calloc(1, MAX), *buf = malloc(MAX), *src = malloc(65536);
	int64_t msize = 0;

	for (int i = 0; i < 65536; i++)
		src[i] = (char)test_rand(&seed);
	for (int step = 0; step < 3000; step++) {
		uint64_t op = test_rand(&seed) % 10,
			 off = test_rand(&seed) % (MAX - 65536);
		size_t len = (size_t)(test_rand(&seed) % 20000);
		struct fs_attr a;

		if (op < 6) {
			size_t from =
			    (size_t)(test_rand(&seed) % (65536 - len));

			quick_assert_int_eq(wr(f, off, src + from, len), len);
			memcpy(model + off, src + from, len);
			if (len > 0 && (int64_t)(off + len) > msize)
				msize = (int64_t)(off + len);
		} else if (op < 8) {
			int64_t size = (int64_t)(test_rand(&seed) % MAX);

			quick_assert_int_eq(
			    tmpfs_truncate(fs, f, (uint64_t)size, &a), 0);
			if (size < msize)
				memset(model + size, 0, (size_t)(msize - size));
			msize = size;
		} else {
			int64_t want =
			    (int64_t)off < msize ? msize - (int64_t)off : 0;

			if (want > (int64_t)len)
				want = (int64_t)len;
			quick_assert_int_eq(
			    tmpfs_read(fs, f, off, buf, len), want);
			quick_assert(
			    memcmp(buf, model + off, (size_t)want) == 0);
		}
		quick_assert_int_eq(attr_of(f).size, msize);
	}
	ck_assert_int_eq(tmpfs_read(fs, f, 0, buf, MAX), msize);
	ck_assert_mem_eq(buf, model, (size_t)msize);
	free(model);
	free(buf);
	free(src);
}
END_TEST

/* --- directories --- */

START_TEST(mkdir_rmdir_links)
{
	uint64_t root = mount_opts(""), a, b, f;
	struct fs_attr at;

	ck_assert_uint_eq(attr_of(root).nlink, 2);
	a = mkd(root, "a");
	ck_assert_uint_eq(attr_of(root).nlink, 3);
	ck_assert_uint_eq(attr_of(a).nlink, 2);
	ck_assert_int_eq(attr_of(a).size, 40);
	b = mkd(a, "b");
	f = mk(a, "f");
	ck_assert_uint_eq(attr_of(a).nlink, 3);
	ck_assert_int_eq(attr_of(a).size, 80); /* 20 a name */
	ck_assert_int_eq(attr_of(root).size, 60);
	ck_assert_int_eq(rmdir_s(root, "a"), -ENOTEMPTY);
	ck_assert_int_eq(rmdir_s(a, "f"), -ENOTDIR);
	ck_assert_int_eq(unlink_s(a, "b"), -EISDIR);
	ck_assert_int_eq(rmdir_s(a, "nope"), -ENOENT);
	ck_assert_int_eq(unlink_s(a, "nope"), -ENOENT);
	ck_assert_int_eq(unlink_s(a, "f"), 0);
	ck_assert_int_eq(rmdir_s(a, "b"), 0);
	ck_assert_uint_eq(attr_of(a).nlink, 2);
	ck_assert_int_eq(attr_of(b).nlink, 0); /* removed, still referenced */
	ck_assert_int_eq(attr_of(a).size, 40);
	ck_assert_int_eq(tmpfs_forget(fs, b, 1), 0);
	ck_assert_int_eq(tmpfs_getattr(fs, b, &at), -ENOENT);
	ck_assert_int_eq(rmdir_s(root, "a"), 0);
	ck_assert_uint_eq(attr_of(root).nlink, 2);
	ck_assert_int_eq(attr_of(root).size, 40);
	ck_assert_int_eq(tmpfs_forget(fs, a, 1), 0);
	ck_assert_uint_eq(stats().nodes, 2); /* f: unlinked, referenced */
	ck_assert_int_eq(tmpfs_forget(fs, f, 1), 0);
	ck_assert_uint_eq(stats().nodes, 1);
}
END_TEST

START_TEST(removed_dir_while_referenced)
{
	uint64_t root = mount_opts(""), d = mkd(root, "d");
	char buf[512];
	struct fs_attr a;

	ck_assert_int_eq(rmdir_s(root, "d"), 0);
	ck_assert_int_eq(attr_of(d).nlink, 0);
	ck_assert_int_eq(lookup(d, "x", NULL), -ENOENT);
	ck_assert_int_eq(create_r(d, "x", FS_IFREG, NULL), -ENOENT);
	ck_assert_int_eq(mkdir_r(d, "x", NULL), -ENOENT);
	ck_assert_int_eq(
	    tmpfs_symlink(fs, d, "x", 1, "y", 1, 0, 0, &a), -ENOENT);
	ck_assert_int_eq(tmpfs_readdir(fs, d, 0, buf, sizeof(buf)), -ENOENT);
	ck_assert_int_eq(rename_s(root, "d", d, "x", 0), -ENOENT);
	ck_assert_int_eq(tmpfs_forget(fs, d, 1), 0);
	ck_assert_int_eq(tmpfs_getattr(fs, d, &a), -ENOENT);
}
END_TEST

START_TEST(readdir_records)
{
	uint64_t root = mount_opts(""), d = mkd(root, "d"), f, l, c;
	struct ent e[16];
	struct fs_attr a;
	char buf[64];
	int n;

	f = mk(d, "file");
	ck_assert_int_eq(
	    tmpfs_symlink(fs, d, "link", 4, "file", 4, 0, 0, &a), 0);
	l = a.ino;
	ck_assert_int_eq(
	    tmpfs_create(fs, d, "chr", 3, FS_IFCHR | 0600, 0, 0, 1, &a), 0);
	c = a.ino;
	mkd(d, "sub");
	ck_assert_int_eq(
	    tmpfs_create(fs, d, "fifo", 4, FS_IFIFO | 0600, 0, 0, 0, &a), 0);
	n = list_dir(d, 0, 4096, e, 16);
	ck_assert_int_eq(n, 7);
	ck_assert_str_eq(e[0].name, ".");
	ck_assert_uint_eq(e[0].ino, d);
	ck_assert_int_eq(e[0].off, 1);
	ck_assert_uint_eq(e[0].type, DT_DIR);
	ck_assert_str_eq(e[1].name, "..");
	ck_assert_uint_eq(e[1].ino, root);
	ck_assert_int_eq(e[1].off, 2);
	ck_assert_str_eq(e[2].name, "file");
	ck_assert_uint_eq(e[2].ino, f);
	ck_assert_uint_eq(e[2].type, DT_REG);
	ck_assert_str_eq(e[3].name, "link");
	ck_assert_uint_eq(e[3].ino, l);
	ck_assert_uint_eq(e[3].type, DT_LNK);
	ck_assert_str_eq(e[4].name, "chr");
	ck_assert_uint_eq(e[4].ino, c);
	ck_assert_uint_eq(e[4].type, DT_CHR);
	ck_assert_str_eq(e[5].name, "sub");
	ck_assert_uint_eq(e[5].type, DT_DIR);
	ck_assert_str_eq(e[6].name, "fifo");
	ck_assert_uint_eq(e[6].type, DT_FIFO);
	for (int i = 3; i < n; i++)
		ck_assert_int_gt(e[i].off, e[i - 1].off);
	/* the root's ".." is itself */
	n = list_dir(root, 0, 4096, e, 16);
	ck_assert_int_eq(n, 3);
	ck_assert_uint_eq(e[1].ino, root);
	/* one record at a time, with just the room it needs */
	n = list_dir(d, 0, FS_DIRENT_SIZE(4), e, 16);
	ck_assert_int_eq(n, 7);
	ck_assert_str_eq(e[6].name, "fifo");
	ck_assert_int_eq(
	    tmpfs_readdir(fs, d, 0, buf, FS_DIRENT_SIZE(1) - 1), -EINVAL);
	ck_assert_int_eq(
	    tmpfs_readdir(fs, d, 2, buf, FS_DIRENT_SIZE(4) - 1), -EINVAL);
	ck_assert_int_eq(
	    tmpfs_readdir(fs, d, 1000, buf, sizeof(buf)), 0); /* past the end */
	ck_assert_int_eq(
	    tmpfs_readdir(fs, d, (uint64_t)-1, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(tmpfs_readdir(fs, f, 0, buf, sizeof(buf)), -ENOTDIR);
	ck_assert_int_eq(
	    tmpfs_readdir(fs, 777777, 0, buf, sizeof(buf)), -ENOENT);
	/* a long name: the record is 8-aligned, NUL inside */
	{
		char name[256];

		memset(name, 'z', 255);
		name[255] = '\0';
		mk(d, name);
		n = list_dir(d, 0, 4096, e, 16);
		ck_assert_int_eq(n, 8);
		ck_assert_str_eq(e[7].name, name);
	}
}
END_TEST

/*
 * Positions hold while other entries come and go: a listing in pieces,
 * with removals and creations between them, sees every entry that was
 * there all along exactly once, none twice, nothing removed before it
 * got there.
 */
START_TEST(readdir_positions_stable)
{
	enum { N = 300 };
	uint64_t root = mount_opts(""), d = mkd(root, "d"), pos = 0,
		 seed = TEST_SEED;
	static char buf[4096];
	static bool alive[N], seen[N], removed_early[N];
	static int times_seen[40];
	char name[32];
	int64_t n;
	int extra = 0;

	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "e%d", i);
		mk(d, name);
		alive[i] = true;
	}
	while ((n = tmpfs_readdir(fs, d, pos, buf, 200)) > 0) {
		struct ent e[16];
		int k = parse_dirents(buf, (size_t)n, e, 16);

		for (int i = 0; i < k; i++) {
			int idx;

			if (e[i].name[0] == 'e') {
				idx = atoi(e[i].name + 1);
				ck_assert_msg(
				    !seen[idx], "%s twice", e[i].name);
				ck_assert_msg(!removed_early[idx],
				    "%s after removal", e[i].name);
				seen[idx] = true;
			} else if (e[i].name[0] == 'n') {
				idx = atoi(e[i].name + 1);
				ck_assert_int_eq(times_seen[idx]++, 0);
			}
		}
		pos = (uint64_t)e[k - 1].off;
		/* between the pieces: remove some entries (seen or not), make
		 * some */
		for (int j = 0; j < 3; j++) {
			int victim = (int)(test_rand(&seed) % N);

			if (alive[victim]) {
				snprintf(name, sizeof(name), "e%d", victim);
				ck_assert_int_eq(unlink_s(d, name), 0);
				alive[victim] = false;
				if (!seen[victim])
					removed_early[victim] = true;
			}
		}
		if (extra < 40) { /* not forever: the reader must catch up */
			snprintf(name, sizeof(name), "n%d", extra++);
			mk(d, name);
		}
	}
	ck_assert_int_eq(n, 0);
	for (int i = 0; i < N; i++)
		ck_assert_msg(seen[i] || removed_early[i], "e%d never seen", i);
	/* the new ones come after: a listing that reached the end saw them all
	 */
	ck_assert_int_eq(extra, 40);
	for (int i = 0; i < extra; i++)
		ck_assert_msg(
		    times_seen[i] == 1, "n%d seen %d times", i, times_seen[i]);
}
END_TEST

/* --- symlinks --- */

START_TEST(symlinks)
{
	uint64_t root = mount_opts("size=8k"), f = mk(root, "f"), m;
	static char target[FS_PATH_MAX + 1];
	const char *t;
	struct fs_attr a;

	ck_assert_int_eq(
	    tmpfs_symlink(fs, root, "l", 1, "some/where", 10, 5, 6, &a), 0);
	ck_assert_uint_eq(a.mode, FS_IFLNK | 0777);
	ck_assert_int_eq(a.size, 10);
	ck_assert_int_eq(a.blocks, 0);
	ck_assert_uint_eq(a.uid, 5);
	ck_assert_uint_eq(a.gid, 6);
	ck_assert_uint_eq(a.nlink, 1);
	ck_assert_int_eq(tmpfs_readlink(fs, a.ino, &t), 10);
	ck_assert_mem_eq(t, "some/where", 10);
	ck_assert_int_eq(tmpfs_readlink(fs, f, &t), -EINVAL);
	ck_assert_int_eq(tmpfs_readlink(fs, root, &t), -EINVAL);
	ck_assert_int_eq(tmpfs_readlink(fs, 55555, &t), -ENOENT);
	ck_assert_int_eq(tmpfs_read(fs, a.ino, 0, target, 1), -EINVAL);
	memset(target, 'p', sizeof(target));
	ck_assert_int_eq(
	    tmpfs_symlink(fs, root, "e", 1, "", 0, 0, 0, &a), -ENOENT);
	ck_assert_int_eq(
	    tmpfs_symlink(fs, root, "e", 1, target, FS_PATH_MAX, 0, 0, &a),
	    -ENAMETOOLONG);
	ck_assert_int_eq(
	    tmpfs_symlink(fs, root, "e", 1, "a\0b", 3, 0, 0, &a), -EINVAL);
	ck_assert_int_eq(
	    tmpfs_symlink(fs, root, "e", 1, "x", 1, UINT32_MAX, 0, &a),
	    -EINVAL);
	/* 127 bytes live in the node; 128 and more take a page, as Linux */
	ck_assert_int_eq(
	    tmpfs_symlink(fs, root, "s", 1, target, 127, 0, 0, &a), 0);
	ck_assert_int_eq(a.blocks, 0);
	ck_assert_int_eq(
	    tmpfs_symlink(fs, root, "m", 1, target, 128, 0, 0, &a), 0);
	ck_assert_int_eq(a.blocks, 8);
	m = a.ino;
	ck_assert_int_eq(
	    tmpfs_symlink(fs, root, "x", 1, target, FS_PATH_MAX - 1, 0, 0, &a),
	    0);
	ck_assert_int_eq(a.size, FS_PATH_MAX - 1);
	ck_assert_int_eq(tmpfs_readlink(fs, a.ino, &t), FS_PATH_MAX - 1);
	ck_assert_mem_eq(t, target, FS_PATH_MAX - 1);
	ck_assert_uint_eq(statfs_of(root).bfree, 0); /* two pages of two */
	ck_assert_int_eq(
	    tmpfs_symlink(fs, root, "y", 1, target, 200, 0, 0, &a), -ENOSPC);
	ck_assert_int_eq(lookup(root, "y", NULL), -ENOENT);
	ck_assert_int_eq(
	    tmpfs_symlink(fs, root, "y", 1, target, 20, 0, 0, &a), 0);
	ck_assert_int_eq(unlink_s(root, "m"), 0);
	ck_assert_uint_eq(
	    statfs_of(root).bfree, 0); /* referenced: still there */
	ck_assert_int_eq(tmpfs_forget(fs, m, 1), 0);
	ck_assert_uint_eq(statfs_of(root).bfree, 1);
	ck_assert_int_eq(
	    tmpfs_link(fs, a.ino, root, "y2", 2, &a), 0); /* symlinks link */
	ck_assert_uint_eq(a.nlink, 2);
}
END_TEST

/* --- hard links, unlinked nodes --- */

START_TEST(hard_links)
{
	uint64_t root = mount_opts(""), f = mk(root, "f"), d = mkd(root, "d"),
		 g = mk(root, "g");
	struct fs_attr a;
	char buf[8];

	ck_assert_int_eq(wrs(f, 0, "shared"), 6);
	ck_assert_int_eq(tmpfs_link(fs, f, d, "f2", 2, &a), 0);
	ck_assert_uint_eq(a.ino, f);
	ck_assert_uint_eq(a.nlink, 2);
	ck_assert_uint_eq(peek(d, "f2"), f);
	ck_assert_int_eq(tmpfs_link(fs, f, root, "f3", 2, &a), 0);
	ck_assert_uint_eq(a.nlink, 3);
	ck_assert_int_eq(tmpfs_link(fs, f, root, "g", 1, &a), -EEXIST);
	ck_assert_int_eq(tmpfs_link(fs, f, root, "d", 1, &a), -EEXIST);
	ck_assert_int_eq(tmpfs_link(fs, d, root, "d2", 2, &a), -EPERM);
	ck_assert_int_eq(tmpfs_link(fs, f, g, "x", 1, &a), -ENOTDIR);
	ck_assert_int_eq(tmpfs_link(fs, 9999, root, "x", 1, &a), -ENOENT);
	ck_assert_int_eq(tmpfs_link(fs, f, 9999, "x", 1, &a), -ENOENT);
	ck_assert_int_eq(tmpfs_link(fs, f, root, "", 0, &a), -EINVAL);
	ck_assert_uint_eq(attr_of(root).nlink, 3); /* files do not count */
	ck_assert_int_eq(unlink_s(root, "f"), 0);
	ck_assert_uint_eq(attr_of(f).nlink, 2);
	ck_assert_int_eq(unlink_s(d, "f2"), 0);
	ck_assert_int_eq(
	    tmpfs_read(fs, peek(root, "f3"), 0, buf, sizeof(buf)), 6);
	ck_assert_mem_eq(buf, "shared", 6);
	/* the create's reference, the link calls' references: 3 to give back */
	ck_assert_int_eq(tmpfs_forget(fs, f, 3), 0);
	ck_assert_uint_eq(attr_of(f).nlink, 1);
	ck_assert_int_eq(unlink_s(root, "f3"), 0);
	ck_assert_int_eq(tmpfs_getattr(fs, f, &a), -ENOENT);
	ck_assert_uint_eq(stats().data_pages, 0);
}
END_TEST

START_TEST(unlink_while_referenced)
{
	uint64_t root = mount_opts("size=64k"), f = mk(root, "f"), nodes;
	static char data[20000];
	char buf[100];
	struct fs_attr a;

	memset(data, 'u', sizeof(data));
	ck_assert_int_eq(wr(f, 0, data, sizeof(data)), sizeof(data));
	nodes = stats().nodes;
	ck_assert_int_eq(unlink_s(root, "f"), 0);
	ck_assert_int_eq(lookup(root, "f", NULL), -ENOENT);
	a = attr_of(f);
	ck_assert_uint_eq(a.nlink, 0);
	ck_assert_int_eq(a.size, sizeof(data));
	ck_assert_int_eq(tmpfs_read(fs, f, 19990, buf, sizeof(buf)), 10);
	ck_assert_int_eq(wrs(f, 20000, "more"), 4); /* still a file */
	ck_assert_int_eq(tmpfs_link(fs, f, root, "back", 4, &a),
	    -ENOENT); /* no resurrection */
	ck_assert_uint_eq(
	    statfs_of(root).bfree, 16 - 5); /* its pages still count */
	ck_assert_uint_eq(stats().nodes, nodes);
	ck_assert_int_eq(tmpfs_forget(fs, f, 1), 0);
	ck_assert_uint_eq(stats().nodes, nodes - 1);
	ck_assert_int_eq(tmpfs_getattr(fs, f, &a), -ENOENT);
	ck_assert_uint_eq(statfs_of(root).bfree, 16);
	ck_assert_uint_eq(stats().data_pages, 0);
	/* a name with no reference goes with its last name */
	f = mk(root, "g");
	ck_assert_int_eq(tmpfs_forget(fs, f, 1), 0);
	ck_assert_uint_eq(attr_of(f).nlink, 1);
	ck_assert_int_eq(unlink_s(root, "g"), 0);
	ck_assert_int_eq(tmpfs_getattr(fs, f, &a), -ENOENT);
}
END_TEST

/* --- rename --- */

START_TEST(rename_moves)
{
	uint64_t root = mount_opts(""), a = mkd(root, "a"), b = mkd(root, "b"),
		 f = mk(a, "f");
	uint64_t sub = mkd(a, "sub");
	struct ent e[8];
	int n;

	ck_assert_int_eq(rename_s(a, "f", a, "g", 0), 0);
	ck_assert_int_eq(lookup(a, "f", NULL), -ENOENT);
	ck_assert_uint_eq(peek(a, "g"), f);
	ck_assert_int_eq(rename_s(a, "g", b, "h", 0), 0);
	ck_assert_uint_eq(peek(b, "h"), f);
	ck_assert_int_eq(attr_of(a).size, 60);
	ck_assert_int_eq(attr_of(b).size, 60);
	/* a directory: nlinks move, and its ".." */
	ck_assert_uint_eq(attr_of(a).nlink, 3);
	ck_assert_int_eq(rename_s(a, "sub", b, "sub", 0), 0);
	ck_assert_uint_eq(attr_of(a).nlink, 2);
	ck_assert_uint_eq(attr_of(b).nlink, 3);
	n = list_dir(sub, 0, 4096, e, 8);
	ck_assert_int_eq(n, 2);
	ck_assert_uint_eq(e[1].ino, b);
	/* to itself, and between two names of one node: nothing happens */
	ck_assert_int_eq(rename_s(b, "h", b, "h", 0), 0);
	ck_assert_int_eq(
	    tmpfs_link(fs, f, root, "hl", 2, &(struct fs_attr){0}), 0);
	ck_assert_int_eq(rename_s(b, "h", root, "hl", 0), 0);
	ck_assert_uint_eq(peek(b, "h"), f);
	ck_assert_uint_eq(peek(root, "hl"), f);
	ck_assert_uint_eq(attr_of(f).nlink, 2);
	ck_assert_int_eq(
	    rename_s(b, "h", root, "hl", FS_RENAME_NOREPLACE), -EEXIST);
	ck_assert_int_eq(rename_s(b, "nope", root, "x", 0), -ENOENT);
	ck_assert_int_eq(rename_s(999, "h", root, "x", 0), -ENOENT);
	ck_assert_int_eq(rename_s(b, "h", f, "x", 0), -ENOTDIR);
	/* a moved entry goes to the end of its new directory */
	mk(root, "zz");
	ck_assert_int_eq(rename_s(b, "h", root, "h", 0), 0);
	n = list_dir(root, 0, 4096, e, 8);
	ck_assert_str_eq(e[n - 1].name, "h");
}
END_TEST

START_TEST(rename_replaces)
{
	uint64_t root = mount_opts(""), f = mk(root, "f"), g = mk(root, "g");
	uint64_t d = mkd(root, "d"), e = mkd(root, "e"),
		 full = mkd(root, "full"), nodes;
	struct fs_attr a;
	struct ent ls[16];
	int n, pos_g;

	mk(full, "x");
	ck_assert_int_eq(wrs(f, 0, "F"), 1);
	n = list_dir(root, 0, 4096, ls, 16);
	pos_g = find_ent(ls, n, "g");
	/* a file replaces a file, which lives on while referenced */
	ck_assert_int_eq(rename_s(root, "f", root, "g", 0), 0);
	ck_assert_uint_eq(peek(root, "g"), f);
	ck_assert_int_eq(lookup(root, "f", NULL), -ENOENT);
	ck_assert_uint_eq(attr_of(g).nlink, 0);
	n = list_dir(root, 0, 4096, ls, 16); /* in the replaced name's place */
	ck_assert_int_eq(find_ent(ls, n, "g"), pos_g - 1);
	ck_assert_uint_eq(ls[find_ent(ls, n, "g")].ino, f);
	nodes = stats().nodes;
	ck_assert_int_eq(tmpfs_forget(fs, g, 1), 0);
	ck_assert_uint_eq(stats().nodes, nodes - 1);
	/* the type rules */
	ck_assert_int_eq(rename_s(root, "g", root, "d", 0), -EISDIR);
	ck_assert_int_eq(rename_s(root, "d", root, "g", 0), -ENOTDIR);
	ck_assert_int_eq(rename_s(root, "d", root, "full", 0), -ENOTEMPTY);
	ck_assert_int_eq(rename_s(root, "g", root, "full", 0), -EISDIR);
	/* a directory replaces an empty one */
	ck_assert_uint_eq(attr_of(root).nlink, 5);
	ck_assert_int_eq(rename_s(root, "d", root, "e", 0), 0);
	ck_assert_uint_eq(attr_of(root).nlink, 4);
	ck_assert_uint_eq(attr_of(e).nlink, 0);
	ck_assert_uint_eq(peek(root, "e"), d);
	ck_assert_int_eq(lookup(root, "d", NULL), -ENOENT);
	/* across directories: the old parent loses one, the new one keeps its
	 * count */
	ck_assert_int_eq(tmpfs_mkdir(fs, full, "empty", 5, 0755, 0, 0, &a), 0);
	ck_assert_uint_eq(attr_of(full).nlink, 3);
	ck_assert_int_eq(rename_s(root, "e", full, "empty", 0), 0);
	ck_assert_uint_eq(attr_of(full).nlink, 3);
	ck_assert_uint_eq(attr_of(root).nlink, 3);
	ck_assert_uint_eq(attr_of(a.ino).nlink, 0);
	/* into itself or below itself */
	ck_assert_int_eq(rename_s(root, "full", full, "x2", 0), -EINVAL);
	ck_assert_int_eq(
	    rename_s(root, "full", d, "x2", 0), -EINVAL); /* d is full/empty */
	ck_assert_int_eq(rename_s(full, "empty", d, "x2", 0), -EINVAL);
	/* a directory onto its own ancestor: that one is not empty */
	ck_assert_int_eq(rename_s(full, "empty", root, "full", 0), -ENOTEMPTY);
}
END_TEST

START_TEST(rename_flags)
{
	uint64_t root = mount_opts(""), a = mkd(root, "a"), b = mkd(root, "b");
	uint64_t f = mk(a, "f"), d = mkd(b, "d");
	struct ent e[8];
	int n;

	ck_assert_int_eq(
	    rename_s(a, "f", b, "d", FS_RENAME_NOREPLACE | FS_RENAME_EXCHANGE),
	    -EINVAL);
	ck_assert_int_eq(
	    rename_s(a, "f", b, "x", 4), -EINVAL); /* RENAME_WHITEOUT: no */
	ck_assert_int_eq(rename_s(a, "f", b, "x", 0x100), -EINVAL);
	ck_assert_int_eq(
	    rename_s(a, "f", b, "d", FS_RENAME_NOREPLACE), -EEXIST);
	ck_assert_int_eq(rename_s(a, "f", b, "x", FS_RENAME_EXCHANGE), -ENOENT);
	ck_assert_int_eq(
	    rename_s(a, "nope", b, "d", FS_RENAME_EXCHANGE), -ENOENT);
	ck_assert_int_eq(rename_s(a, "f", b, "x", FS_RENAME_NOREPLACE), 0);
	ck_assert_int_eq(rename_s(b, "x", a, "f", FS_RENAME_NOREPLACE), 0);
	/* exchange a file and a directory across directories */
	ck_assert_uint_eq(attr_of(a).nlink, 2);
	ck_assert_uint_eq(attr_of(b).nlink, 3);
	ck_assert_int_eq(rename_s(a, "f", b, "d", FS_RENAME_EXCHANGE), 0);
	ck_assert_uint_eq(peek(a, "f"), d);
	ck_assert_uint_eq(peek(b, "d"), f);
	ck_assert_uint_eq(attr_of(a).nlink, 3);
	ck_assert_uint_eq(attr_of(b).nlink, 2);
	ck_assert_uint_eq(attr_of(f).nlink, 1);
	ck_assert_uint_eq(attr_of(d).nlink, 2);
	n = list_dir(d, 0, 4096, e, 8);
	ck_assert_uint_eq(e[1].ino, a); /* d's ".." is a now */
	/* exchange keeps both positions */
	mk(b, "later");
	ck_assert_int_eq(rename_s(a, "f", b, "later", FS_RENAME_EXCHANGE), 0);
	n = list_dir(b, 0, 4096, e, 8);
	ck_assert_int_eq(n, 4);
	ck_assert_str_eq(e[2].name, "d");
	ck_assert_str_eq(e[3].name, "later");
	ck_assert_uint_eq(e[3].ino, d);
	/* a directory cannot be exchanged with something below it */
	mkd(d, "deep");
	ck_assert_int_eq(
	    rename_s(b, "later", d, "deep", FS_RENAME_EXCHANGE), -EINVAL);
	ck_assert_int_eq(
	    rename_s(d, "deep", b, "later", FS_RENAME_EXCHANGE), -EINVAL);
	/* exchange with itself */
	ck_assert_int_eq(rename_s(b, "d", b, "d", FS_RENAME_EXCHANGE), 0);
	/* a dir and a dir, across: the counts stay */
	mkd(a, "other");
	ck_assert_int_eq(
	    rename_s(a, "other", b, "later", FS_RENAME_EXCHANGE), 0);
	ck_assert_uint_eq(attr_of(a).nlink, 3);
	ck_assert_uint_eq(attr_of(b).nlink, 3);
}
END_TEST

/* --- limits --- */

START_TEST(size_limit)
{
	uint64_t root = mount_opts("size=16k"), f = mk(root, "f"),
		 g = mk(root, "g");
	static char data[5 * 4096];
	struct fs_statfs st;
	struct fs_attr a;

	memset(data, 's', sizeof(data));
	ck_assert_int_eq(wr(f, 0, data, 3 * 4096), 3 * 4096);
	st = statfs_of(root);
	ck_assert_uint_eq(st.blocks, 4);
	ck_assert_uint_eq(st.bfree, 1);
	ck_assert_uint_eq(st.bavail, 1);
	ck_assert_int_eq(
	    wr(g, 100, data, 2 * 4096), 4096 - 100); /* short: full */
	ck_assert_int_eq(wr(g, 4096, data, 1), -ENOSPC);
	ck_assert_int_eq(attr_of(g).size, 4096);
	ck_assert_int_eq(wr(g, 0, data, 4096), 4096); /* existing pages: fine */
	ck_assert_int_eq(wr(f, 1 << 20, data, 1), -ENOSPC);
	ck_assert_int_eq(
	    tmpfs_truncate(fs, f, 1 << 20, &a), 0); /* a hole costs nothing */
	ck_assert_uint_eq(statfs_of(root).bfree, 0);
	ck_assert_int_eq(create_r(root, "new", FS_IFREG, NULL),
	    0); /* inodes are not pages */
	ck_assert_int_eq(tmpfs_truncate(fs, f, 4096, &a), 0);
	ck_assert_uint_eq(statfs_of(root).bfree, 2);
	ck_assert_int_eq(wr(g, 4096, data, 3 * 4096), 2 * 4096);
	ck_assert_int_eq(unlink_s(root, "f"), 0); /* referenced: still counts */
	ck_assert_uint_eq(statfs_of(root).bfree, 0);
	ck_assert_int_eq(tmpfs_forget(fs, f, 1), 0);
	ck_assert_uint_eq(statfs_of(root).bfree, 1);
}
END_TEST

START_TEST(inode_limit)
{
	uint64_t root = mount_opts("nr_inodes=4"), f, d;
	struct fs_statfs st = statfs_of(root);
	struct fs_attr a;

	ck_assert_uint_eq(st.files, 4);
	ck_assert_uint_eq(st.ffree, 3);
	f = mk(root, "f");
	d = mkd(root, "d");
	ck_assert_uint_eq(statfs_of(root).ffree, 1);
	ck_assert_int_eq(tmpfs_link(fs, f, d, "f2", 2, &a),
	    0); /* a link costs one, as Linux */
	ck_assert_uint_eq(statfs_of(root).ffree, 0);
	ck_assert_int_eq(create_r(root, "g", FS_IFREG, NULL), -ENOSPC);
	ck_assert_int_eq(mkdir_r(root, "g", NULL), -ENOSPC);
	ck_assert_int_eq(
	    tmpfs_symlink(fs, root, "g", 1, "f", 1, 0, 0, &a), -ENOSPC);
	ck_assert_int_eq(tmpfs_link(fs, f, root, "f3", 2, &a), -ENOSPC);
	ck_assert_int_eq(lookup(root, "g", NULL), -ENOENT);
	ck_assert_int_eq(unlink_s(d, "f2"), 0); /* the link's inode back */
	ck_assert_uint_eq(statfs_of(root).ffree, 1);
	ck_assert_int_eq(create_r(root, "g", FS_IFREG, NULL), 0);
	ck_assert_uint_eq(statfs_of(root).ffree, 0);
	ck_assert_int_eq(unlink_s(root, "f"), 0); /* referenced: still one */
	ck_assert_uint_eq(statfs_of(root).ffree, 0);
	ck_assert_int_eq(tmpfs_forget(fs, f, 2), 0);
	ck_assert_uint_eq(statfs_of(root).ffree, 1);
	ck_assert_int_eq(
	    mount_r("nr_inodes=1", 0, &root), 0); /* the root alone */
	ck_assert_int_eq(create_r(root, "x", FS_IFREG, NULL), -ENOSPC);
}
END_TEST

/* --- read-only --- */

START_TEST(read_only_instance)
{
	uint64_t rw = mount_opts(""), ro = 0, r2 = 0, f;
	struct fs_setattr sa = {.valid = FS_SET_MODE, .mode = 0};
	struct fs_attr a;
	char buf[512];
	int64_t size;

	(void)rw;
	ck_assert_int_eq(mount_r("", TMPFS_MS_RDONLY, &ro), 0);
	ck_assert_int_eq(mount_r("ro", 0, &r2), 0);
	ck_assert_int_eq(statfs_of(ro).flags, 1);
	ck_assert_int_eq(statfs_of(r2).flags, 1);
	ck_assert_int_eq(mount_r("ro,rw", 0, &r2), 0);
	ck_assert_int_eq(statfs_of(r2).flags, 0);
	ck_assert_int_eq(create_r(r2, "f", FS_IFREG, &f), 0);
	ck_assert_int_eq(create_r(ro, "f", FS_IFREG, NULL), -EROFS);
	ck_assert_int_eq(mkdir_r(ro, "d", NULL), -EROFS);
	ck_assert_int_eq(
	    tmpfs_symlink(fs, ro, "l", 1, "x", 1, 0, 0, &a), -EROFS);
	ck_assert_int_eq(unlink_s(ro, "f"), -EROFS);
	ck_assert_int_eq(rmdir_s(ro, "d"), -EROFS);
	ck_assert_int_eq(rename_s(ro, "a", ro, "b", 0), -EROFS);
	ck_assert_int_eq(tmpfs_setattr(fs, ro, &sa, &a), -EROFS);
	ck_assert_int_eq(lookup(ro, "f", NULL), -ENOENT);
	ck_assert_int_gt(tmpfs_readdir(fs, ro, 0, buf, sizeof(buf)), 0);
	ck_assert_int_eq(tmpfs_write(fs, f, 0, "x", 1, 0, &size), 1);
	ck_assert_uint_eq(attr_of(ro).mode, FS_IFDIR | 01777);
}
END_TEST

/* --- many files --- */

START_TEST(many_files_stay_fast)
{
	enum { N = 20000 };
	uint64_t root = mount_opts(""), d = mkd(root, "many"), ino;
	static struct ent e[N + 2];
	char name[32];
	clock_t t0 = clock();
	int n;

	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "file-%05d", i);
		quick_assert_int_eq(
		    create_r(d, name, FS_IFREG | 0644, &ino), 0);
		quick_assert_int_eq(tmpfs_forget(fs, ino, 1), 0);
	}
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "file-%05d", (i * 7919) % N);
		quick_assert_int_eq(lookup(d, name, &ino), 0);
		quick_assert_int_eq(tmpfs_forget(fs, ino, 1), 0);
	}
	ck_assert_int_eq(lookup(d, "file-x", NULL), -ENOENT);
	ck_assert_int_eq(attr_of(d).size, 40 + 20 * N);
	n = list_dir(d, 0, IPC_BUF_MAX, e, N + 2);
	ck_assert_int_eq(n, N + 2);
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "file-%05d", i);
		quick_assert(strcmp(e[i + 2].name, name) == 0);
	}
	for (int i = 0; i < N; i += 2) {
		snprintf(name, sizeof(name), "file-%05d", i);
		quick_assert_int_eq(unlink_s(d, name), 0);
	}
	ck_assert_int_eq(list_dir(d, 0, IPC_BUF_MAX, e, N + 2), N / 2 + 2);
	for (int i = 1; i < N; i += 2) {
		snprintf(name, sizeof(name), "file-%05d", i);
		quick_assert_int_eq(unlink_s(d, name), 0);
	}
	ck_assert_int_eq(rmdir_s(root, "many"), 0);
	ck_assert_int_eq(tmpfs_forget(fs, d, 1), 0);
	ck_assert_uint_eq(stats().nodes, 1);
	/* 20000 files, all that, under the sanitizers: seconds at most */
	ck_assert_msg(clock() - t0 < 10 * CLOCKS_PER_SEC, "%.1f s",
	    (double)(clock() - t0) / CLOCKS_PER_SEC);
}
END_TEST

START_TEST(poll_sync_ioctl_statfs)
{
	uint64_t root = mount_opts(""), f = mk(root, "f");
	struct fs_statfs st;

	ck_assert_int_eq(tmpfs_poll(fs, f, 0x1 | 0x4), 0x5);
	ck_assert_int_eq(tmpfs_poll(fs, f, 0xffff), 0x145);
	ck_assert_int_eq(tmpfs_poll(fs, root, 0x1), 0x1);
	ck_assert_int_eq(tmpfs_poll(fs, 8888, 0x1), -ENOENT);
	ck_assert_int_eq(tmpfs_sync(fs, 0), 0);
	ck_assert_int_eq(tmpfs_sync(fs, f), 0);
	ck_assert_int_eq(tmpfs_sync(fs, 8888), -ENOENT);
	ck_assert_int_eq(tmpfs_statfs(fs, 8888, &st), -ENOENT);
	ck_assert_int_eq(tmpfs_statfs(fs, f, &st), 0);
	ck_assert_int_eq(st.type, TMPFS_MAGIC);
}
END_TEST

/*
 * Every allocation an operation makes fails in turn (the operations call
 * nothing of Check's while that is armed: Check allocates too): it says
 * -ENOMEM and leaves nothing behind (the same nodes, pages and names; no
 * leak: LeakSanitizer checks at exit), or, where a failure costs only
 * speed (a hash table that cannot grow), succeeds.
 */
static uint64_t old_ino, new_root;

struct fail_case {
	const char *what;
	int (*op)(uint64_t root);
	void (*undo)(uint64_t root);
};

static int
op_create(uint64_t root)
{
	return create_r(root, "new", FS_IFREG | 0644, NULL);
}

static void
undo_create(uint64_t root)
{
	uint64_t ino = peek(root, "new");

	ck_assert_int_eq(unlink_s(root, "new"), 0);
	ck_assert_int_eq(tmpfs_forget(fs, ino, 1), 0);
}

static int
op_mkdir(uint64_t root)
{
	return mkdir_r(root, "new", NULL);
}

static void
undo_mkdir(uint64_t root)
{
	uint64_t ino = peek(root, "new");

	ck_assert_int_eq(rmdir_s(root, "new"), 0);
	ck_assert_int_eq(tmpfs_forget(fs, ino, 1), 0);
}

static int
op_symlink(uint64_t root)
{
	static char target[300];
	struct fs_attr a;

	memset(target, 't', sizeof(target));
	return tmpfs_symlink(
	    fs, root, "new", 3, target, sizeof(target), 0, 0, &a);
}

static int
op_symlink_short(uint64_t root)
{
	struct fs_attr a;

	return tmpfs_symlink(fs, root, "new", 3, "short", 5, 0, 0, &a);
}

static int
op_link(uint64_t root)
{
	struct fs_attr a;

	return tmpfs_link(fs, old_ino, root, "new", 3, &a);
}

static int
op_rename(uint64_t root)
{
	return rename_s(root, "old", root, "new", 0);
}

static void
undo_rename(uint64_t root)
{
	ck_assert_int_eq(rename_s(root, "new", root, "old", 0), 0);
}

static int
op_write(uint64_t root)
{
	static char data[3 * 4096];
	int64_t r;

	memset(data, 'w', sizeof(data));
	(void)root;
	r = wr(old_ino, (1ull << 40) - 4096, data, sizeof(data));
	return r < 0 ? (int)r : 0;
}

static void
undo_write(uint64_t root)
{
	struct fs_attr a;

	(void)root;
	ck_assert_int_eq(tmpfs_truncate(fs, old_ino, 0, &a), 0);
}

static int
op_mount(uint64_t root)
{
	(void)root;
	return mount_r("size=1m", 0, &new_root);
}

static void
undo_mount(uint64_t root)
{
	(void)root;
	ck_assert_int_eq(tmpfs_umount(fs, new_root), 0);
}

START_TEST(allocation_failures)
{
	static const struct fail_case cases[] = {
	    {"create", op_create, undo_create},
	    {"mkdir", op_mkdir, undo_mkdir},
	    {"symlink", op_symlink, undo_create},
	    {"short symlink", op_symlink_short, undo_create},
	    {"link", op_link, undo_create},
	    {"rename", op_rename, undo_rename},
	    {"write", op_write, undo_write},
	    {"mount", op_mount, undo_mount},
	};
	uint64_t root = mount_opts(""), old = mk(root, "old");

	old_ino = old;
	ck_assert_int_eq(tmpfs_forget(fs, old, 1), 0);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		long made;
		int r0;

		/* How many allocations it makes when none fails. */
		allocs = 0;
		r0 = cases[c].op(root);
		made = allocs;
		ck_assert_int_eq(r0, 0);
		cases[c].undo(root);
		ck_assert_int_gt(made, 0);
		for (long k = 0; k < made; k++) {
			struct tmpfs_stats before = stats(), after;
			int r;

			alloc_fail = k;
			r = cases[c].op(root);
			alloc_fail = -1;
			if (r == 0) { /* only a table that could not grow */
				cases[c].undo(root);
				continue;
			}
			ck_assert_msg(r == -ENOMEM, "%s, allocation %ld: %d",
			    cases[c].what, k, r);
			after = stats();
			ck_assert_msg(
			    after.nodes == before.nodes &&
				after.data_pages == before.data_pages &&
				after.pool_pages == before.pool_pages,
			    "%s, allocation %ld left something", cases[c].what,
			    k);
			ck_assert_int_eq(lookup(root, "new", NULL), -ENOENT);
			ck_assert_uint_eq(peek(root, "old"), old);
			ck_assert_int_eq(attr_of(old).size, 0);
			ck_assert_uint_eq(attr_of(old).nlink, 1);
		}
	}
	alloc_fail = 0; /* no server at all */
	ck_assert_ptr_null(tmpfs_new(&(struct tmpfs_params){0}));
	alloc_fail = 1;
	ck_assert_ptr_null(tmpfs_new(&(struct tmpfs_params){0}));
	alloc_fail = -1;
}
END_TEST

/* --- PROTO_FS through the handler table and the host transport --- */

static struct ipc_server srv;
static char srvbuf[IPC_BUF_MAX];
static handle_t sep, me;
static char rbuf[IPC_BUF_MAX];

static void
proto_setup(void)
{
	setup();
	sep = (handle_t)ep_create(0);
	me = (handle_t)ep_create(0);
	ipc_server_init(&srv, sep, tmpfs_handlers, tmpfs_nhandlers, NULL, 0,
	    srvbuf, sizeof(srvbuf), fs);
}

static void
proto_teardown(void)
{
	handle_close(sep);
	handle_close(me);
	teardown();
}

struct rep {
	long status;
	uint64_t label, w[IPC_WORDS];
	size_t len; /* in rbuf */
};

/* One request, served, and its reply. */
static struct rep
call(uint64_t op, const uint64_t *w, unsigned nw, const void *data, size_t len)
{
	struct ipc_msg m;
	struct ipc_ext x;
	struct rep r;

	memset(&m, 0, sizeof(m));
	memset(&x, 0, sizeof(x));
	m.label = IPC_LABEL(PROTO_FS, op);
	for (unsigned i = 0; i < nw; i++)
		m.w[i] = w[i];
	x.sbuf = (uint64_t)(uintptr_t)data;
	x.slen = len;
	x.reply_ep = me;
	x.cookie = 5;
	ck_assert_int_eq(ipc_send(sep, &m, &x), 0);
	ck_assert_int_eq(ipc_server_poll(&srv), 1);
	memset(&x, 0, sizeof(x));
	x.rbuf = (uint64_t)(uintptr_t)rbuf;
	x.rcap = sizeof(rbuf);
	ck_assert_int_eq(ipc_recv_poll(me, &m, &x), 0);
	ck_assert_uint_eq(m.badge, 5);
	r.status = (long)m.w[0];
	r.label = m.label;
	memcpy(r.w, m.w, sizeof(r.w));
	r.len = x.rlen;
	return r;
}

#define W(...)                                                                 \
	((const uint64_t[]){__VA_ARGS__}),                                     \
	    sizeof((const uint64_t[]){__VA_ARGS__}) / sizeof(uint64_t)

static struct fs_attr
rep_attr(const struct rep *r)
{
	struct fs_attr a;

	ck_assert_int_eq(r->status, 0);
	ck_assert_uint_eq(r->len, sizeof(a));
	memcpy(&a, rbuf, sizeof(a));
	ck_assert_uint_eq(a.ino, r->w[1]);
	return a;
}

START_TEST(proto_a_session)
{
	static const char mountdata[] = "none\0size=1m,mode=0755";
	struct rep r =
	    call(FS_OP_MOUNT, W(0), mountdata, sizeof(mountdata) - 1);
	struct fs_attr a = rep_attr(&r);
	uint64_t root = a.ino, f, d, l;
	struct fs_setattr sa = {.valid = FS_SET_MODE, .mode = 0600};
	struct fs_statfs st;
	struct ent e[8];
	int n;

	ck_assert_uint_eq(r.label, FS_MOUNT);
	ck_assert_uint_eq(a.mode, FS_IFDIR | 0755);
	/* vfs's own start-up mount: "none\0", no options */
	r = call(FS_OP_MOUNT, W(0), "none", 5);
	ck_assert_uint_eq(rep_attr(&r).mode, FS_IFDIR | 01777);
	r = call(FS_OP_MOUNT, W(0), "none\0size=1q", 12);
	ck_assert_int_eq(r.status, -EINVAL);
	ck_assert_uint_eq(r.len, 0);

	r = call(FS_OP_CREATE, W(root, FS_IFREG | 0644, 1000, 100, 0),
	    "hello.txt", 9);
	a = rep_attr(&r);
	f = a.ino;
	ck_assert_uint_eq(a.mode, FS_IFREG | 0644);
	ck_assert_uint_eq(a.uid, 1000);
	ck_assert_uint_eq(a.gid, 100);
	ck_assert_uint_eq(a.nlink, 1);
	r = call(
	    FS_OP_CREATE, W(root, FS_IFREG | 0644, 0, 0, 0), "hello.txt", 9);
	ck_assert_int_eq(r.status, -EEXIST);
	r = call(FS_OP_WRITE, W(f, 0, 0), "hello, world", 12);
	ck_assert_int_eq(r.status, 12);
	ck_assert_uint_eq(r.w[1], 12);
	r = call(FS_OP_WRITE, W(f, 0, FS_WRITE_APPEND), "!", 1);
	ck_assert_int_eq(r.status, 1);
	ck_assert_uint_eq(r.w[1], 13);
	r = call(FS_OP_READ, W(f, 7, 100), NULL, 0);
	ck_assert_int_eq(r.status, 6);
	ck_assert_uint_eq(r.len, 6);
	ck_assert_mem_eq(rbuf, "world!", 6);
	r = call(FS_OP_LOOKUP, W(root), "hello.txt", 9);
	ck_assert_uint_eq(rep_attr(&r).ino, f);
	ck_assert_int_eq(rep_attr(&r).size, 13);
	r = call(FS_OP_LOOKUP, W(root), "nope", 4);
	ck_assert_int_eq(r.status, -ENOENT);
	r = call(FS_OP_GETATTR, W(f), NULL, 0);
	ck_assert_int_eq(rep_attr(&r).blocks, 8);
	r = call(FS_OP_SETATTR, W(f), &sa, sizeof(sa));
	ck_assert_uint_eq(rep_attr(&r).mode, FS_IFREG | 0600);
	r = call(FS_OP_TRUNCATE, W(f, 5), NULL, 0);
	ck_assert_int_eq(rep_attr(&r).size, 5);

	r = call(FS_OP_MKDIR, W(root, 0750, 0, 0), "dir", 3);
	d = rep_attr(&r).ino;
	ck_assert_uint_eq(rep_attr(&r).mode, FS_IFDIR | 0750);
	r = call(FS_OP_SYMLINK, W(d, 4, 0, 0), "linkhello.txt",
	    13); /* name "link" */
	a = rep_attr(&r);
	l = a.ino;
	ck_assert_uint_eq(a.mode, FS_IFLNK | 0777);
	ck_assert_int_eq(a.size, 9);
	r = call(FS_OP_READLINK, W(l), NULL, 0);
	ck_assert_int_eq(r.status, 9);
	ck_assert_uint_eq(r.len, 9);
	ck_assert_mem_eq(rbuf, "hello.txt", 9);
	r = call(FS_OP_LINK, W(f, d), "hard", 4);
	ck_assert_uint_eq(rep_attr(&r).nlink, 2);
	r = call(FS_OP_RENAME, W(root, d, 9, 0), "hello.txtmoved", 14);
	ck_assert_int_eq(r.status, 0);

	/* READDIR: linux_dirent64 records */
	r = call(FS_OP_READDIR, W(d, 0, 4096), NULL, 0);
	ck_assert_int_gt(r.status, 0);
	ck_assert_uint_eq(r.len, (size_t)r.status);
	n = parse_dirents(rbuf, r.len, e, 8);
	ck_assert_int_eq(n, 5);
	ck_assert_str_eq(e[0].name, ".");
	ck_assert_str_eq(e[1].name, "..");
	ck_assert_uint_eq(e[1].ino, root);
	ck_assert_str_eq(e[2].name, "link");
	ck_assert_uint_eq(e[2].type, DT_LNK);
	ck_assert_str_eq(e[3].name, "hard");
	ck_assert_uint_eq(e[3].ino, f);
	ck_assert_str_eq(e[4].name, "moved");
	ck_assert_uint_eq(e[4].type, DT_REG);
	r = call(FS_OP_READDIR, W(d, (uint64_t)e[2].off, 4096), NULL, 0);
	ck_assert_int_eq(parse_dirents(rbuf, r.len, e, 8), 2);
	ck_assert_str_eq(e[0].name, "hard");
	r = call(FS_OP_READDIR, W(d, (uint64_t)e[1].off, 4096), NULL, 0);
	ck_assert_int_eq(r.status, 0);
	r = call(FS_OP_READDIR, W(d, 0, 10), NULL, 0);
	ck_assert_int_eq(r.status, -EINVAL);
	r = call(
	    FS_OP_READDIR, W(d, 0, 1ull << 40), NULL, 0); /* room is capped */
	ck_assert_int_gt(r.status, 0);

	r = call(FS_OP_STATFS, W(d), NULL, 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_uint_eq(r.len, sizeof(st));
	memcpy(&st, rbuf, sizeof(st));
	ck_assert_int_eq(st.type, TMPFS_MAGIC);
	ck_assert_uint_eq(st.blocks, 256);
	ck_assert_uint_eq(st.bfree, 255);
	ck_assert_int_eq(call(FS_OP_SYNC, W(0), NULL, 0).status, 0);
	ck_assert_int_eq(call(FS_OP_SYNC, W(f), NULL, 0).status, 0);
	ck_assert_int_eq(call(FS_OP_POLL, W(f, 0x5), NULL, 0).status, 0x5);
	ck_assert_int_eq(
	    call(FS_OP_IOCTL, W(f, 0x5401, 0), NULL, 0).status, -ENOTTY);

	r = call(FS_OP_UNLINK, W(d, 0), "hard", 4);
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(call(FS_OP_UNLINK, W(d), "link", 4).status, 0);
	ck_assert_int_eq(
	    call(FS_OP_RMDIR, W(root), "dir", 3).status, -ENOTEMPTY);
	ck_assert_int_eq(call(FS_OP_UNLINK, W(d), "moved", 5).status, 0);
	ck_assert_int_eq(call(FS_OP_RMDIR, W(root), "dir", 3).status, 0);
	ck_assert_int_eq(call(FS_OP_UMOUNT, W(root), NULL, 0).status, -EBUSY);
	/* FORGET: f (create, lookup x2 above, link), d (mkdir), l (symlink) */
	ck_assert_int_eq(call(FS_OP_FORGET, W(f, 4), NULL, 0).status, 0);
	ck_assert_int_eq(call(FS_OP_FORGET, W(d, 1), NULL, 0).status, 0);
	ck_assert_int_eq(call(FS_OP_UMOUNT, W(root), NULL, 0).status, -EBUSY);
	ck_assert_int_eq(call(FS_OP_FORGET, W(l, 1), NULL, 0).status, 0);
	ck_assert_int_eq(call(FS_OP_UMOUNT, W(root), NULL, 0).status, 0);
	ck_assert_int_eq(call(FS_OP_GETATTR, W(f), NULL, 0).status, -ENOENT);
	ck_assert_uint_eq(stats().instances, 1);
	ck_assert_uint_eq(srv.stats.unknown, 0);
}
END_TEST

/* A plain send (vfs's FORGET) runs and gets no answer. */
START_TEST(proto_forget_is_a_send)
{
	struct rep r = call(FS_OP_MOUNT, W(0), "", 0);
	uint64_t root = rep_attr(&r).ino, f;
	struct ipc_msg m;

	r = call(FS_OP_CREATE, W(root, FS_IFREG | 0644, 0, 0, 0), "f", 1);
	f = rep_attr(&r).ino;
	ck_assert_int_eq(call(FS_OP_UNLINK, W(root), "f", 1).status, 0);
	memset(&m, 0, sizeof(m));
	m.label = FS_FORGET;
	m.w[0] = f;
	m.w[1] = 1;
	ck_assert_int_eq(ipc_send(sep, &m, NULL), 0);
	ck_assert_int_eq(ipc_server_poll(&srv), 1);
	ck_assert_int_eq(ipc_recv_poll(me, &m, NULL), -EAGAIN);
	ck_assert_int_eq(call(FS_OP_GETATTR, W(f), NULL, 0).status, -ENOENT);
}
END_TEST

/* The largest read fills one reply; bigger ones are refused. */
START_TEST(proto_read_limits)
{
	struct rep r = call(FS_OP_MOUNT, W(0), "", 0);
	uint64_t root = rep_attr(&r).ino, f;
	static char data[IPC_BUF_MAX];

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i % 251);
	r = call(FS_OP_CREATE, W(root, FS_IFREG | 0644, 0, 0, 0), "f", 1);
	f = rep_attr(&r).ino;
	r = call(FS_OP_WRITE, W(f, 10, 0), data, sizeof(data));
	ck_assert_int_eq(r.status, IPC_BUF_MAX);
	ck_assert_uint_eq(r.w[1], IPC_BUF_MAX + 10);
	r = call(FS_OP_READ, W(f, 10, IPC_BUF_MAX), NULL, 0);
	ck_assert_int_eq(r.status, IPC_BUF_MAX);
	ck_assert_uint_eq(r.len, IPC_BUF_MAX);
	ck_assert_mem_eq(rbuf, data, IPC_BUF_MAX);
	r = call(FS_OP_READ, W(f, 0, IPC_BUF_MAX + 1), NULL, 0);
	ck_assert_int_eq(r.status, -EINVAL);
	r = call(FS_OP_READ, W(f, 0, UINT64_MAX), NULL, 0);
	ck_assert_int_eq(r.status, -EINVAL);
	r = call(FS_OP_READ, W(f, IPC_BUF_MAX + 10, 10), NULL, 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_uint_eq(r.len, 0);
}
END_TEST

START_TEST(proto_hostile_requests)
{
	struct rep r = call(FS_OP_MOUNT, W(0), "", 0);
	uint64_t root = rep_attr(&r).ino, f;
	struct fs_setattr sa = {0};

	r = call(FS_OP_CREATE, W(root, FS_IFREG | 0644, 0, 0, 0), "f", 1);
	f = rep_attr(&r).ino;
	/* lengths that point past the data */
	ck_assert_int_eq(
	    call(FS_OP_SYMLINK, W(root, 5, 0, 0), "abc", 3).status, -EINVAL);
	ck_assert_int_eq(
	    call(FS_OP_SYMLINK, W(root, UINT64_MAX, 0, 0), "abc", 3).status,
	    -EINVAL);
	ck_assert_int_eq(
	    call(FS_OP_SYMLINK, W(root, 3, 0, 0), "abc", 3).status, -ENOENT);
	ck_assert_int_eq(
	    call(FS_OP_SYMLINK, W(root, 0, 0, 0), "abc", 3).status, -EINVAL);
	ck_assert_int_eq(
	    call(FS_OP_RENAME, W(root, root, 2, 0), "f", 1).status, -EINVAL);
	ck_assert_int_eq(
	    call(FS_OP_RENAME, W(root, root, 1ull << 63, 0), "fg", 2).status,
	    -EINVAL);
	ck_assert_int_eq(
	    call(FS_OP_RENAME, W(root, root, 1, 0), "f", 1).status, -EINVAL);
	ck_assert_int_eq(
	    call(FS_OP_RENAME, W(root, root, 1, 1ull << 32), "fg", 2).status,
	    -EINVAL);
	/* short or long setattr data */
	ck_assert_int_eq(
	    call(FS_OP_SETATTR, W(f), &sa, sizeof(sa) - 1).status, -EINVAL);
	ck_assert_int_eq(call(FS_OP_SETATTR, W(f), NULL, 0).status, -EINVAL);
	ck_assert_int_eq(
	    call(FS_OP_SETATTR, W(f), rbuf, sizeof(sa) + 8).status, -EINVAL);
	/* words that must fit 32 bits */
	ck_assert_int_eq(
	    call(FS_OP_CREATE, W(root, 1ull << 32 | 0100644, 0, 0, 0), "g", 1)
		.status,
	    -EINVAL);
	ck_assert_int_eq(
	    call(FS_OP_CREATE, W(root, 0100644, 1ull << 32, 0, 0), "g", 1)
		.status,
	    -EINVAL);
	ck_assert_int_eq(
	    call(FS_OP_MKDIR, W(root, 0755, 0, 1ull << 40), "g", 1).status,
	    -EINVAL);
	ck_assert_int_eq(
	    call(FS_OP_WRITE, W(f, 0, 1ull << 32 | 1), "x", 1).status, -EINVAL);
	/* bad nodes, bad names */
	ck_assert_int_eq(call(FS_OP_GETATTR, W(0), NULL, 0).status, -ENOENT);
	ck_assert_int_eq(
	    call(FS_OP_GETATTR, W(UINT64_MAX), NULL, 0).status, -ENOENT);
	ck_assert_int_eq(call(FS_OP_LOOKUP, W(root), NULL, 0).status, -EINVAL);
	ck_assert_int_eq(call(FS_OP_LOOKUP, W(f), "x", 1).status, -ENOTDIR);
	ck_assert_int_eq(
	    call(FS_OP_LOOKUP, W(root), rbuf, 300).status, -ENAMETOOLONG);
	ck_assert_int_eq(
	    call(FS_OP_READ, W(root, 0, 10), NULL, 0).status, -EISDIR);
	ck_assert_int_eq(call(FS_OP_UMOUNT, W(f), NULL, 0).status, -EINVAL);
	ck_assert_int_eq(call(FS_OP_RMDIR, W(root), "f", 1).status, -ENOTDIR);
	/* an operation PROTO_FS does not have */
	r = call(99, W(0), NULL, 0);
	ck_assert_int_eq(r.status, -ENOSYS);
	ck_assert_uint_eq(srv.stats.unknown, 1);
}
END_TEST

/* Garbage in every field of every operation: answers, never a crash. */
START_TEST(proto_random_garbage)
{
	struct rep r = call(FS_OP_MOUNT, W(0), "", 0);
	uint64_t root = rep_attr(&r).ino, seed = TEST_SEED, nodes[8];
	static char junk[4096];

	nodes[0] = root;
	for (int i = 1; i < 8; i++) {
		char name[2] = {(char)('a' + i), 0};

		r = call(i % 2 ? FS_OP_CREATE : FS_OP_MKDIR,
		    W(root, 0644, 0, 0, 0), name, 1);
		nodes[i] = rep_attr(&r).ino;
	}
	for (int i = 0; i < 20000; i++) {
		uint64_t w[IPC_WORDS];
		size_t len = (size_t)(test_rand(&seed) % 300);
		uint64_t op = 1 + test_rand(&seed) % (FS_OP_IOCTL + 1);

		if (op == FS_OP_UMOUNT || op == FS_OP_MOUNT)
			op = FS_OP_GETATTR;
		for (unsigned k = 0; k < IPC_WORDS; k++) {
			uint64_t v = test_rand(&seed);

			switch (v % 4) {
			case 0:
				w[k] = nodes[v / 4 % 8];
				break;
			case 1:
				w[k] = v % 300;
				break;
			case 2:
				w[k] = v;
				break;
			default:
				w[k] = v % 8 == 0
					   ? 0
					   : (uint64_t) - (int64_t)(v % 5);
				break;
			}
		}
		if (op == FS_OP_SETATTR && test_rand(&seed) % 2)
			len = sizeof(struct fs_setattr);
		for (size_t k = 0; k < len; k++) {
			uint64_t v = test_rand(&seed);

			junk[k] = (char)(v % 3 == 0 ? 'a' + v % 4 : v);
		}
		if (op == FS_OP_WRITE || op == FS_OP_TRUNCATE ||
		    op == FS_OP_SETATTR)
			w[1] %= 1u
				<< 24; /* keep the memory the test uses small */
		if (op == FS_OP_SETATTR) {
			struct fs_setattr *sa = (void *)junk;

			sa->size = (int64_t)((uint64_t)sa->size % (1u << 24));
		}
		r = call(op, w, IPC_WORDS, junk, len);
		quick_assert(r.status <= (long)IPC_BUF_MAX && r.status > -4096);
	}
	ck_assert_uint_eq(srv.stats.requests + srv.stats.unknown, 20000 + 8);
	ck_assert_int_eq(call(FS_OP_GETATTR, W(root), NULL, 0).status, 0);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("tmpfs");
	TCase *core = tcase_create("core"), *proto = tcase_create("proto");

	tcase_add_checked_fixture(core, setup, teardown);
	tcase_set_timeout(core, 60);
	tcase_add_test(core, mount_root_attributes);
	tcase_add_test(core, mount_defaults_from_memory);
	tcase_add_test(core, mount_options);
	tcase_add_test(core, mount_mode_uid_gid);
	tcase_add_test(core, instances_are_separate);
	tcase_add_test(core, umount_busy_and_frees);
	tcase_add_test(core, names_checked);
	tcase_add_test(core, lookup_and_create_errors);
	tcase_add_test(core, create_types);
	tcase_add_test(core, times_as_linux);
	tcase_add_test(core, atime_relatime);
	tcase_add_test(core, atime_mount_flags);
	tcase_add_test(core, setattr_rules);
	tcase_add_test(core, read_write_basic);
	tcase_add_test(core, sparse_files);
	tcase_add_test(core, truncate_rules);
	tcase_add_test(core, random_against_model);
	tcase_add_test(core, mkdir_rmdir_links);
	tcase_add_test(core, removed_dir_while_referenced);
	tcase_add_test(core, readdir_records);
	tcase_add_test(core, readdir_positions_stable);
	tcase_add_test(core, symlinks);
	tcase_add_test(core, hard_links);
	tcase_add_test(core, unlink_while_referenced);
	tcase_add_test(core, rename_moves);
	tcase_add_test(core, rename_replaces);
	tcase_add_test(core, rename_flags);
	tcase_add_test(core, size_limit);
	tcase_add_test(core, inode_limit);
	tcase_add_test(core, read_only_instance);
	tcase_add_test(core, many_files_stay_fast);
	tcase_add_test(core, poll_sync_ioctl_statfs);
	tcase_add_test(core, allocation_failures);
	suite_add_tcase(s, core);

	tcase_add_checked_fixture(proto, proto_setup, proto_teardown);
	tcase_set_timeout(proto, 60);
	tcase_add_test(proto, proto_a_session);
	tcase_add_test(proto, proto_forget_is_a_send);
	tcase_add_test(proto, proto_read_limits);
	tcase_add_test(proto, proto_hostile_requests);
	tcase_add_test(proto, proto_random_garbage);
	suite_add_tcase(s, proto);
	return s;
}
