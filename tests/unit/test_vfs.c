/*
 * vfs on the host: its node cache, path walk and requests (servers/vfs:
 * node.c, walk.c, ops.c) serving PROTO_VFS in one thread, with tmpfs's
 * real handlers as the filesystem in another, over libipc's host
 * transport; the test is the client. What the walk must get right:
 * "." and "..", ".." at the root and out of a mount, symlinks (relative,
 * absolute, in the middle, loops: ELOOP), trailing slashes, long names
 * (ENAMETOOLONG), ENOTDIR, search permission for another uid, the cache
 * following renames and unlinks, getpath, and answers for every request
 * even when the filesystem fails.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <lichen/errno.h>
#include <lichen/native.h>
#include <lichen/proto/vfs.h>

#include "../../servers/tmpfs/tmpfs.h"
#include "../../servers/vfs/vfs.h"

/* What servers/vfs/main.c would define. */
struct ipc_server vfs_srv;
handle_t vfs_name_ep;

static struct ipc_cont conts[256];
static char vbuf[IPC_BUF_MAX + 4096], tbuf[IPC_BUF_MAX + 4096];
static struct ipc_server tsrv;
static handle_t vep, tep;
static pthread_t vthread, tthread;
static uint64_t root, cred;
static char rbuf[IPC_BUF_MAX];
static size_t rlen;
static uint64_t rw[IPC_WORDS];

/* The host has no real-time clock call: vfs and tmpfs ask for it. */
long
sys_info(unsigned what, uint64_t arg)
{
	(void)arg;
	return what == SYSINFO_REALTIME ? 1700000000L * 1000000000L : -ENOSYS;
}

static struct fs_time
realtime(void *ctx)
{
	(void)ctx;
	return (struct fs_time){ 1700000000, 0 };
}

static void *
run(void *srv)
{
	ipc_server_run(srv);
	return NULL;
}

static long
vcall(uint64_t label, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w5,
    const void *data, size_t len)
{
	struct ipc_msg m;
	struct ipc_ext x;
	long r;

	memset(&m, 0, sizeof(m));
	memset(&x, 0, sizeof(x));
	m.label = label;
	m.w[0] = w0;
	m.w[1] = w1;
	m.w[2] = w2;
	m.w[3] = cred;
	m.w[4] = root;
	m.w[5] = w5;
	x.sbuf = (uint64_t)(uintptr_t)data;
	x.slen = len;
	x.rbuf = (uint64_t)(uintptr_t)rbuf;
	x.rcap = sizeof(rbuf);
	if ((r = ipc_call(vep, &m, &x)) < 0)
		return r;
	memcpy(rw, m.w, sizeof(rw));
	rlen = x.rlen;
	return (long)m.w[0];
}

static long
vpath(uint64_t label, const char *path, uint64_t w1, uint64_t w2)
{
	return vcall(label, root, w1, w2, strlen(path), path, strlen(path));
}

static uint32_t
mode_of(const char *path, uint32_t flags)
{
	struct fs_attr a;

	if (vpath(VFS_STAT, path, flags, 0) != 0 || rlen < sizeof(a))
		return 0;
	memcpy(&a, rbuf, sizeof(a));
	return a.mode & FS_IFMT;
}

static long
symlink_(const char *target, const char *path)
{
	char d[256];

	snprintf(d, sizeof(d), "%s%s", target, path);
	return vcall(VFS_SYMLINK, root, strlen(target), 0, 0, d, strlen(d));
}

/* tmpfs on /, its first instance, the way vfs's main.c mounts it. */
static void
setup(void)
{
	struct tmpfs_params params = { .now = realtime };
	struct fs_attr attr;
	struct vmount *m;
	struct ipc_msg msg;
	struct ipc_ext x;
	struct tmpfs *fs = tmpfs_new(&params);

	ck_assert_ptr_nonnull(fs);
	tep = (handle_t)ep_create(0);
	vep = (handle_t)ep_create(0);
	ipc_server_init(&tsrv, tep, tmpfs_handlers, tmpfs_nhandlers, NULL, 0, tbuf,
	    sizeof(tbuf), fs);
	pthread_create(&tthread, NULL, run, &tsrv);
	memset(&msg, 0, sizeof(msg));
	memset(&x, 0, sizeof(x));
	msg.label = FS_MOUNT;
	x.sbuf = (uint64_t)(uintptr_t)"none";
	x.slen = 5;
	x.rbuf = (uint64_t)(uintptr_t)&attr;
	x.rcap = sizeof(attr);
	ck_assert_int_eq(ipc_call(tep, &msg, &x), 0);
	ck_assert_int_eq((long)msg.w[0], 0);
	m = mount_alloc();
	m->ep = tep;
	strcpy(m->fstype, "tmpfs");
	m->root = vn_new_root(m, msg.w[1], &attr);
	ipc_server_init(&vfs_srv, vep, vfs_handlers, vfs_nhandlers, conts, 256, vbuf,
	    sizeof(vbuf), NULL);
	pthread_create(&vthread, NULL, run, &vfs_srv);
	ck_assert_int_eq(vcall(VFS_ROOT, 0, 0, 0, 0, NULL, 0), 0);
	root = rw[1];
	cred = 0;
}

START_TEST(dots_and_slashes)
{
	setup();
	ck_assert_int_eq(vpath(VFS_MKDIR, "/a", 0755, 0), 0);
	ck_assert_int_eq(vpath(VFS_MKDIR, "/a/b/", 0755, 0), 0);
	ck_assert_uint_eq(mode_of("/a/./b/../b//.", 0), FS_IFDIR);
	ck_assert_uint_eq(mode_of("/../../a", 0), FS_IFDIR);	/* ".." stops at the root */
	ck_assert_uint_eq(mode_of("//a///b", 0), FS_IFDIR);
	ck_assert_int_eq(vpath(VFS_STAT, "/a/nope/..", 0, 0), -ENOENT);
	ck_assert_int_eq(vpath(VFS_STAT, "", 0, 0), -ENOENT);
	ck_assert_int_eq(vcall(VFS_OPEN, root, VFS_O_CREAT | VFS_O_WRONLY, 0644, 0, "/a/f", 4) > 0 ||
	    vcall(VFS_OPEN, root, VFS_O_CREAT | VFS_O_WRONLY, 0644, 0, "/a/f", 4) == 0, 1);
	ck_assert_int_eq(vpath(VFS_STAT, "/a/f/", 0, 0), -ENOTDIR);
	ck_assert_int_eq(vpath(VFS_STAT, "/a/f/x", 0, 0), -ENOTDIR);
	ck_assert_int_eq(vpath(VFS_STAT, "/a/f/..", 0, 0), -ENOTDIR);
}
END_TEST

START_TEST(long_names)
{
	char name[300], path[5000];

	setup();
	memset(name, 'n', sizeof(name));
	name[0] = '/';
	name[256] = '\0';			/* 255 bytes after the slash: fits */
	ck_assert_int_eq(vpath(VFS_MKDIR, name, 0755, 0), 0);
	name[256] = 'n';
	name[257] = '\0';			/* 256: too long */
	ck_assert_int_eq(vpath(VFS_STAT, name, 0, 0), -ENAMETOOLONG);
	ck_assert_int_eq(vpath(VFS_MKDIR, name, 0755, 0), -ENAMETOOLONG);
	memset(path, '/', sizeof(path));	/* a whole path too long */
	ck_assert_int_eq(vcall(VFS_STAT, root, 0, 0, 0, path, sizeof(path)), -ENAMETOOLONG);
}
END_TEST

START_TEST(symlinks)
{
	setup();
	ck_assert_int_eq(vpath(VFS_MKDIR, "/d", 0755, 0), 0);
	ck_assert_int_eq(vpath(VFS_MKDIR, "/d/e", 0755, 0), 0);
	ck_assert_int_eq(symlink_("d/e", "/rel"), 0);
	ck_assert_int_eq(symlink_("/d", "/abs"), 0);
	ck_assert_int_eq(symlink_("../..", "/d/e/up"), 0);
	ck_assert_int_eq(symlink_("self", "/self"), 0);
	ck_assert_int_eq(symlink_("b", "/a"), 0);
	ck_assert_int_eq(symlink_("a", "/b"), 0);
	ck_assert_uint_eq(mode_of("/rel", 0), FS_IFDIR);
	ck_assert_uint_eq(mode_of("/rel", VFS_AT_SYMLINK_NOFOLLOW), FS_IFLNK);
	ck_assert_uint_eq(mode_of("/rel/", VFS_AT_SYMLINK_NOFOLLOW), FS_IFDIR);	/* "/" follows */
	ck_assert_uint_eq(mode_of("/abs/e/up/d/e", 0), FS_IFDIR);
	ck_assert_uint_eq(mode_of("/rel/../e", 0), FS_IFDIR);	/* ".." of the target */
	ck_assert_int_eq(vpath(VFS_STAT, "/self", 0, 0), -ELOOP);
	ck_assert_int_eq(vpath(VFS_STAT, "/a/x", 0, 0), -ELOOP);
	ck_assert_uint_eq(mode_of("/self", VFS_AT_SYMLINK_NOFOLLOW), FS_IFLNK);
	ck_assert_int_eq(vpath(VFS_READLINK, "/rel", 0, 0), 3);
	ck_assert_int_eq(memcmp(rbuf, "d/e", 3), 0);
}
END_TEST

START_TEST(permissions)
{
	setup();
	ck_assert_int_eq(vpath(VFS_MKDIR, "/locked", 0700, 0), 0);
	ck_assert_int_eq(vpath(VFS_MKDIR, "/locked/in", 0777, 0), 0);
	ck_assert_int_eq(vpath(VFS_MKDIR, "/shared", 0755, 0), 0);
	cred = VFS_CRED(1000, 1000);
	ck_assert_int_eq(vpath(VFS_STAT, "/locked/in", 0, 0), -EACCES);	/* no search */
	ck_assert_int_eq(vpath(VFS_STAT, "/locked", 0, 0), 0);
	ck_assert_int_eq(vpath(VFS_MKDIR, "/shared/mine", 0755, 0), -EACCES);
	ck_assert_int_eq(vpath(VFS_MKDIR, "/mine", 0755, 0), 0);	/* tmpfs's / is 1777 */
	ck_assert_int_eq(vpath(VFS_ACCESS, "/shared", 2, 0), -EACCES);
	cred = 0;
	ck_assert_int_eq(vpath(VFS_STAT, "/locked/in", 0, 0), 0);
}
END_TEST

START_TEST(cache_follows_renames)
{
	long f;

	setup();
	ck_assert_int_eq(vpath(VFS_MKDIR, "/x", 0755, 0), 0);
	ck_assert_int_eq(vpath(VFS_MKDIR, "/x/y", 0755, 0), 0);
	f = vcall(VFS_OPEN, root, VFS_O_RDONLY | VFS_O_DIRECTORY, 0, 0, "/x/y", 4);
	ck_assert_int_eq(f, 0);
	f = (long)rw[1];
	ck_assert_uint_eq(mode_of("/x/y", 0), FS_IFDIR);	/* cached now */
	ck_assert_int_eq(vcall(VFS_RENAME, root, root, 0, 2, "/x/z", 4), 0);
	ck_assert_int_eq(vpath(VFS_STAT, "/x/y", 0, 0), -ENOENT);
	ck_assert_uint_eq(mode_of("/z/y", 0), FS_IFDIR);
	ck_assert_int_eq(vcall(VFS_GETPATH, (uint64_t)f, 0, 0, 0, NULL, 0), 4);
	ck_assert_int_eq(memcmp(rbuf, "/z/y", 4), 0);		/* the open dir moved too */
	ck_assert_int_eq(vpath(VFS_UNLINK, "/z/y", VFS_AT_REMOVEDIR, 0), 0);
	ck_assert_int_eq(vcall(VFS_GETPATH, (uint64_t)f, 0, 0, 0, NULL, 0), -ENOENT);
	ck_assert_int_eq(vpath(VFS_STAT, "/z/y", 0, 0), -ENOENT);
	ck_assert_int_eq(vcall(VFS_CLOSE, (uint64_t)f, 0, 0, 0, NULL, 0), 0);
	ck_assert_int_eq(vcall(VFS_CLOSE, (uint64_t)f, 0, 0, 0, NULL, 0), -EBADF);
}
END_TEST

START_TEST(mounts)
{
	setup();
	ck_assert_int_eq(vpath(VFS_MKDIR, "/m", 0755, 0), 0);
	ck_assert_int_eq(vpath(VFS_MKDIR, "/m/under", 0755, 0), 0);
	/* mount(2) looks the filesystem up by name: no name service here. */
	vfs_name_ep = HANDLE_NONE;
	ck_assert_int_eq(vcall(VFS_MOUNT, root, 0, 0, 2, "/m\0none\0tmpfs\0", 14), -ENODEV);
	ck_assert_uint_eq(mode_of("/m/under", 0), FS_IFDIR);
	ck_assert_int_eq(vcall(VFS_UMOUNT, root, 0, 0, 2, "/m", 2), -EINVAL);	/* not a mount */
	cred = VFS_CRED(5, 5);
	ck_assert_int_eq(vcall(VFS_MOUNT, root, 0, 0, 2, "/m\0none\0tmpfs\0", 14), -EPERM);
}
END_TEST

START_TEST(bad_requests)
{
	setup();
	ck_assert_int_eq(vcall(VFS_READ, 12345, 10, VFS_OFF_CURRENT, 0, NULL, 0), -EBADF);
	ck_assert_int_eq(vcall(VFS_STAT, 999, 0, 0, 1, "x", 1), -EBADF);	/* bad dir id */
	ck_assert_int_eq(vcall(VFS_STAT, root, 0, 0, 3, "a\0b", 3), -EINVAL);	/* NUL */
	ck_assert_int_eq(vcall(VFS_SETATTR, root, 0, 0, 50, "/", 1), -EINVAL);	/* short */
	ck_assert_int_eq(vcall(VFS_RENAME, root, root, 0, 99, "/a/b", 4), -EINVAL);
	ck_assert_int_eq(vcall(VFS_SYMLINK, root, 99, 0, 0, "x", 1), -EINVAL);
	ck_assert_int_eq(vcall(IPC_LABEL(PROTO_VFS, 999), 0, 0, 0, 0, NULL, 0), -ENOSYS);
	ck_assert_int_eq(vpath(VFS_ACCESS, "/", 8, 0), -EINVAL);
	ck_assert_int_eq(vpath(VFS_STAT, "/", 0, 0), 0);		/* still serving */
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("vfs");
	TCase *tc = tcase_create("walk");

	tcase_add_test(tc, dots_and_slashes);
	tcase_add_test(tc, long_names);
	tcase_add_test(tc, symlinks);
	tcase_add_test(tc, permissions);
	tcase_add_test(tc, cache_follows_renames);
	tcase_add_test(tc, mounts);
	tcase_add_test(tc, bad_requests);
	suite_add_tcase(s, tc);
	return s;
}
