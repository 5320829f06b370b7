/*
 * vfstest: vfs and tmpfs end to end through PROTO_VFS, as linuxemu will
 * use them (vfs-test.manifest starts tmpfs, vfs on it, then this). Each
 * check names the error Linux gives for the same call: paths ("." and
 * "..", symlinks, ELOOP, ENOTDIR, ENAMETOOLONG), open flags, offsets,
 * directories read in pieces, rename and unlink rules, permissions for
 * another uid, mounts and umount, bad file ids.
 */
#include <lichen/name_client.h>
#include <lichen/proto/vfs.h>

#include "nt.h"

const char *nt_name = "vfstest";

int main(int argc, char **argv);

static handle_t vfs;
static uint64_t root;
static uint64_t cred;			/* VFS_CRED(uid, gid) of the calls */
static char rbuf[IPC_BUF_MAX];
static size_t rlen;
static uint64_t rw[IPC_WORDS];

/* One call: w0..w5 and data; the reply's status, words in rw, data in rbuf. */
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
	if ((r = ipc_call(vfs, &m, &x)) < 0)
		return r;
	memcpy(rw, m.w, sizeof(rw));
	rlen = x.rlen;
	return (long)m.w[0];
}

static long
vopen(const char *path, uint32_t flags, uint32_t mode)
{
	long r = vcall(VFS_OPEN, root, flags, mode, 0, path, strlen(path));

	return r < 0 ? r : (long)rw[1];
}

static long
vpath(uint64_t label, const char *path, uint64_t w1, uint64_t w2)
{
	return vcall(label, root, w1, w2, 0, path, strlen(path));
}

static long
vwrite(long f, const char *s)
{
	return vcall(VFS_WRITE, (uint64_t)f, 0, VFS_OFF_CURRENT, 0, s, strlen(s));
}

static long
vread(long f, size_t n)
{
	return vcall(VFS_READ, (uint64_t)f, n, VFS_OFF_CURRENT, 0, NULL, 0);
}

static uint32_t
stat_mode(const char *path, uint32_t flags)
{
	struct fs_attr a;

	if (vpath(VFS_STAT, path, flags, 0) != 0 || rlen < sizeof(a))
		return 0;
	memcpy(&a, rbuf, sizeof(a));
	return a.mode;
}

static int64_t
stat_size(const char *path)
{
	struct fs_attr a;

	if (vpath(VFS_STAT, path, 0, 0) != 0 || rlen < sizeof(a))
		return -1;
	memcpy(&a, rbuf, sizeof(a));
	return a.size;
}

/* Does a directory listing (in pieces of room bytes) hold name, once? */
static int
dir_count(const char *dir, const char *name, size_t room)
{
	long f = vopen(dir, VFS_O_RDONLY | VFS_O_DIRECTORY, 0), n;
	int count = 0;

	if (f < 0)
		return -1;
	while ((n = vcall(VFS_GETDENTS, (uint64_t)f, room, 0, 0, NULL, 0)) > 0) {
		for (long pos = 0; pos < n;) {
			const struct fs_dirent *d = (const void *)(rbuf + pos);

			if (strcmp(d->name, name) == 0)
				count++;
			pos += d->reclen;
		}
	}
	vcall(VFS_CLOSE, (uint64_t)f, 0, 0, 0, NULL, 0);
	return n < 0 ? (int)n : count;
}

static void
test_files(void)
{
	long f;

	f = vopen("/a.txt", VFS_O_CREAT | VFS_O_WRONLY, 0644);
	CHECK(f > 0, "create /a.txt: %ld", f);
	CHECK_EQ(vwrite(f, "hello world"), 11);
	CHECK_EQ(vread(f, 10), -EBADF);				/* write-only */
	CHECK_EQ(vcall(VFS_CLOSE, (uint64_t)f, 0, 0, 0, NULL, 0), 0);
	CHECK_EQ(vcall(VFS_CLOSE, (uint64_t)f, 0, 0, 0, NULL, 0), -EBADF);
	CHECK_EQ(vopen("/a.txt", VFS_O_CREAT | VFS_O_EXCL | VFS_O_WRONLY, 0644), -EEXIST);

	f = vopen("/a.txt", VFS_O_RDWR, 0);
	CHECK(f > 0, "open /a.txt: %ld", f);
	CHECK_EQ(vread(f, 100), 11);
	CHECK(memcmp(rbuf, "hello world", 11) == 0, "read back '%.11s'", rbuf);
	CHECK_EQ(vread(f, 100), 0);
	CHECK_EQ(vcall(VFS_SEEK, (uint64_t)f, 6, 0, 0, NULL, 0), 6);
	CHECK_EQ(vread(f, 100), 5);
	CHECK(memcmp(rbuf, "world", 5) == 0, "after seek '%.5s'", rbuf);
	CHECK_EQ(vcall(VFS_SEEK, (uint64_t)f, (uint64_t)-5, 2, 0, NULL, 0), 6);
	CHECK_EQ(vcall(VFS_SEEK, (uint64_t)f, (uint64_t)-50, 2, 0, NULL, 0), -EINVAL);
	CHECK_EQ(vcall(VFS_SEEK, (uint64_t)f, 0, 9, 0, NULL, 0), -EINVAL);
	CHECK_EQ(vcall(VFS_SEEK, (uint64_t)f, 20, 0, 0, NULL, 0), 20);
	CHECK_EQ(vwrite(f, "!"), 1);				/* a hole before it */
	CHECK_EQ(stat_size("/a.txt"), 21);
	CHECK_EQ(vcall(VFS_READ, (uint64_t)f, 4, 10, 0, NULL, 0), 4);	/* pread */
	CHECK(memcmp(rbuf, "d\0\0\0", 4) == 0, "pread over the hole");
	CHECK_EQ(vcall(VFS_FTRUNCATE, (uint64_t)f, 5, 0, 0, NULL, 0), 0);
	CHECK_EQ(stat_size("/a.txt"), 5);
	CHECK_EQ(vcall(VFS_FSYNC, (uint64_t)f, 0, 0, 0, NULL, 0), 0);
	CHECK_EQ(vcall(VFS_CLOSE, (uint64_t)f, 0, 0, 0, NULL, 0), 0);

	f = vopen("/a.txt", VFS_O_WRONLY | VFS_O_APPEND, 0);
	CHECK_EQ(vwrite(f, "++"), 2);
	CHECK_EQ(stat_size("/a.txt"), 7);
	vcall(VFS_CLOSE, (uint64_t)f, 0, 0, 0, NULL, 0);
	f = vopen("/a.txt", VFS_O_WRONLY | VFS_O_TRUNC, 0);
	CHECK_EQ(stat_size("/a.txt"), 0);
	vcall(VFS_CLOSE, (uint64_t)f, 0, 0, 0, NULL, 0);

	CHECK_EQ(vread(12345, 1), -EBADF);
	CHECK_EQ(vcall(VFS_FSTAT, 0, 0, 0, 0, NULL, 0), -EBADF);
	CHECK_EQ(vopen("/", VFS_O_WRONLY, 0), -EISDIR);
	CHECK_EQ(vopen("/a.txt", VFS_O_RDONLY | VFS_O_DIRECTORY, 0), -ENOTDIR);
	CHECK_EQ(vopen("", VFS_O_RDONLY, 0), -ENOENT);
}

static void
test_paths(void)
{
	char longname[300];
	long f;

	CHECK_EQ(vpath(VFS_MKDIR, "/d", 0755, 0), 0);
	CHECK_EQ(vpath(VFS_MKDIR, "/d", 0755, 0), -EEXIST);
	CHECK_EQ(vpath(VFS_MKDIR, "/d/./e/", 0755, 0), 0);
	CHECK_EQ(stat_mode("/d/e/../e/.", 0) & FS_IFMT, FS_IFDIR);
	CHECK_EQ(stat_mode("/..//../d", 0) & FS_IFMT, FS_IFDIR);
	CHECK_EQ(vpath(VFS_STAT, "/nope/x", 0, 0), -ENOENT);
	CHECK_EQ(vpath(VFS_STAT, "/a.txt/x", 0, 0), -ENOTDIR);
	CHECK_EQ(vpath(VFS_STAT, "/a.txt/", 0, 0), -ENOTDIR);
	memset(longname, 'n', sizeof(longname));
	longname[0] = '/';
	longname[257] = '\0';
	CHECK_EQ(vpath(VFS_STAT, longname, 0, 0), -ENAMETOOLONG);
	CHECK_EQ(vopen(longname, VFS_O_CREAT | VFS_O_WRONLY, 0644), -ENAMETOOLONG);

	f = vopen("/d/x", VFS_O_CREAT | VFS_O_WRONLY, 0644);
	CHECK_EQ(vwrite(f, "xyz"), 3);
	vcall(VFS_CLOSE, (uint64_t)f, 0, 0, 0, NULL, 0);
	CHECK_EQ(dir_count("/d", "x", 4096), 1);
	CHECK_EQ(dir_count("/d", ".", 4096), 1);
	CHECK_EQ(dir_count("/d", "..", 32), 1);			/* one record per call */
	CHECK_EQ(vcall(VFS_GETDENTS, root, 4096, 0, 0, NULL, 0), -EBADF);	/* O_PATH */

	/* symlinks */
	CHECK_EQ(vcall(VFS_SYMLINK, root, 3, 0, 0, "d/x/l", 5), 0);
	CHECK_EQ(stat_mode("/l", 0) & FS_IFMT, FS_IFREG);
	CHECK_EQ(stat_mode("/l", VFS_AT_SYMLINK_NOFOLLOW) & FS_IFMT, FS_IFLNK);
	CHECK_EQ(vpath(VFS_READLINK, "/l", 0, 0), 3);
	CHECK(memcmp(rbuf, "d/x", 3) == 0, "readlink '%.3s'", rbuf);
	CHECK_EQ(vpath(VFS_READLINK, "/d", 0, 0), -EINVAL);
	CHECK_EQ(vopen("/l", VFS_O_RDONLY | VFS_O_NOFOLLOW, 0), -ELOOP);
	CHECK_EQ(vpath(VFS_STAT, "/l/z", 0, 0), -ENOTDIR);
	CHECK_EQ(vcall(VFS_SYMLINK, root, 4, 0, 0, "loop/loop", 9), 0);
	CHECK_EQ(vpath(VFS_STAT, "/loop", 0, 0), -ELOOP);
	CHECK_EQ(vcall(VFS_SYMLINK, root, 2, 0, 0, "/d/dl", 5), 0);	/* absolute */
	CHECK_EQ(stat_mode("/dl/e", 0) & FS_IFMT, FS_IFDIR);
	CHECK_EQ(stat_mode("/dl/e/../x", 0) & FS_IFMT, FS_IFREG);
	CHECK_EQ(vcall(VFS_SYMLINK, root, 3, 0, 0, "xyz/l", 5), -EEXIST);

	/* rename and unlink */
	CHECK_EQ(vcall(VFS_RENAME, root, root, 0, 4, "/d/x/d/y", 8), 0);
	CHECK_EQ(vpath(VFS_STAT, "/d/x", 0, 0), -ENOENT);
	CHECK_EQ(stat_size("/d/y"), 3);
	CHECK_EQ(vcall(VFS_RENAME, root, root, 0, 2, "/d/d/e/f", 8), -EINVAL);	/* into itself */
	CHECK_EQ(vcall(VFS_RENAME, root, root, 0, 4, "/d/y/d/e", 8), -EISDIR);
	CHECK_EQ(vcall(VFS_RENAME, root, root, 0, 4, "/d/e/d/y", 8), -ENOTDIR);
	CHECK_EQ(vcall(VFS_RENAME, root, root, 1, 4, "/d/y/a.txt", 10), -EEXIST);	/* NOREPLACE */
	CHECK_EQ(vcall(VFS_LINK, root, root, 0, 4, "/d/y/d/h", 8), 0);
	CHECK_EQ(vcall(VFS_LINK, root, root, 0, 4, "/d/e/d/g", 8), -EPERM);
	CHECK_EQ(vpath(VFS_UNLINK, "/d", 0, 0), -EISDIR);
	CHECK_EQ(vpath(VFS_UNLINK, "/d", VFS_AT_REMOVEDIR, 0), -ENOTEMPTY);
	CHECK_EQ(vpath(VFS_UNLINK, "/d/y/", 0, 0), -ENOTDIR);
	CHECK_EQ(vpath(VFS_UNLINK, "/d/e", 0, 0), -EISDIR);
	CHECK_EQ(vpath(VFS_UNLINK, "/d/y", VFS_AT_REMOVEDIR, 0), -ENOTDIR);
	CHECK_EQ(vpath(VFS_UNLINK, "/d/.", VFS_AT_REMOVEDIR, 0), -EINVAL);
	CHECK_EQ(vpath(VFS_UNLINK, "/", VFS_AT_REMOVEDIR, 0), -EBUSY);
	f = vopen("/d/h", VFS_O_RDONLY, 0);			/* open while unlinked */
	CHECK_EQ(vpath(VFS_UNLINK, "/d/y", 0, 0), 0);
	CHECK_EQ(vpath(VFS_UNLINK, "/d/h", 0, 0), 0);
	CHECK_EQ(vread(f, 10), 3);
	CHECK(memcmp(rbuf, "xyz", 3) == 0, "an unlinked file's data");
	CHECK_EQ(vcall(VFS_GETPATH, (uint64_t)f, 0, 0, 0, NULL, 0), -ENOENT);
	vcall(VFS_CLOSE, (uint64_t)f, 0, 0, 0, NULL, 0);
	CHECK_EQ(vpath(VFS_UNLINK, "/d/e", VFS_AT_REMOVEDIR, 0), 0);
	CHECK_EQ(vpath(VFS_UNLINK, "/d", VFS_AT_REMOVEDIR, 0), 0);
	CHECK_EQ(vpath(VFS_STAT, "/dl/e", 0, 0), -ENOENT);
}

static void
test_perms_and_mounts(void)
{
	struct fs_setattr sa;
	char data[128];
	long f, d;

	CHECK_EQ(vpath(VFS_MKDIR, "/r", 0755, 0), 0);
	f = vopen("/r/secret", VFS_O_CREAT | VFS_O_WRONLY, 0600);
	vcall(VFS_CLOSE, (uint64_t)f, 0, 0, 0, NULL, 0);
	cred = VFS_CRED(1000, 1000);
	CHECK_EQ(vopen("/r/secret", VFS_O_RDONLY, 0), -EACCES);
	CHECK_EQ(vopen("/r/new", VFS_O_CREAT | VFS_O_WRONLY, 0644), -EACCES);
	CHECK_EQ(vpath(VFS_UNLINK, "/r/secret", 0, 0), -EACCES);
	CHECK_EQ(vpath(VFS_ACCESS, "/r/secret", 4, 0), -EACCES);
	CHECK_EQ(vpath(VFS_ACCESS, "/r", 5, 0), 0);
	memset(&sa, 0, sizeof(sa));
	sa.valid = FS_SET_MODE;
	sa.mode = 0777;
	memcpy(data, "/r/secret", 9);
	memcpy(data + 9, &sa, sizeof(sa));
	CHECK_EQ(vcall(VFS_SETATTR, root, 0, 0, 9, data, 9 + sizeof(sa)), -EPERM);
	CHECK_EQ(vpath(VFS_MOUNT, "/r", 0, 0), -EPERM);
	cred = 0;
	CHECK_EQ(vcall(VFS_SETATTR, root, 0, 0, 9, data, 9 + sizeof(sa)), 0);
	CHECK_EQ(stat_mode("/r/secret", 0) & 07777, 0777);
	CHECK_EQ(vcall(VFS_SETATTR, root, 0, 0, 9, data, 9 + 3), -EINVAL);	/* short */

	/* A second tmpfs on /r: its own device, ".." leads out of it. */
	CHECK_EQ(vcall(VFS_MOUNT, root, 0, 0, 2, "/r\0none\0tmpfs\0size=1m",
	    sizeof("/r\0none\0tmpfs\0size=1m") - 1), 0);
	CHECK_EQ(vpath(VFS_STAT, "/r/secret", 0, 0), -ENOENT);
	f = vopen("/r/inner", VFS_O_CREAT | VFS_O_WRONLY, 0644);
	CHECK(f > 0, "create in the new mount: %ld", f);
	CHECK(rw[2] != 0, "st_dev 0");
	d = vopen("/r/..", VFS_O_RDONLY | VFS_O_DIRECTORY, 0);
	CHECK_EQ(dir_count("/r/..", "a.txt", 4096), 1);
	vcall(VFS_CLOSE, (uint64_t)d, 0, 0, 0, NULL, 0);
	CHECK_EQ(vcall(VFS_GETPATH, (uint64_t)f, 0, 0, 0, NULL, 0), 8);
	CHECK(memcmp(rbuf, "/r/inner", 8) == 0, "getpath '%.8s'", rbuf);
	CHECK_EQ(vcall(VFS_RENAME, root, root, 0, 8, "/r/inner/a.txt", 14), -EXDEV);
	CHECK_EQ(vpath(VFS_UMOUNT, "/r", 0, 0), -EBUSY);
	vcall(VFS_CLOSE, (uint64_t)f, 0, 0, 0, NULL, 0);
	CHECK_EQ(vpath(VFS_UMOUNT, "/r", 0, 0), 0);
	CHECK_EQ(stat_mode("/r/secret", 0) & 07777, 0777);	/* the old tree again */
	CHECK_EQ(vpath(VFS_UMOUNT, "/r", 0, 0), -EINVAL);
	CHECK_EQ(vcall(VFS_MOUNT, root, 0, 0, 2, "/r\0none\0nosuchfs\0",
	    sizeof("/r\0none\0nosuchfs\0") - 1), -ENODEV);
	CHECK_EQ(vcall(VFS_SYNC, 0, 0, 0, 0, NULL, 0), 0);
	CHECK_EQ(vpath(VFS_STATFS, "/", 0, 0), 0);
}

/* The boot archive as the root (vfs / bootfs): read-only, as it is built. */
static void
test_bootfs(void)
{
	long f;

	CHECK_EQ(stat_mode("/bin/busybox", 0) & FS_IFMT, FS_IFREG);
	CHECK(stat_size("/bin/busybox") > 100000, "busybox is %ld bytes",
	    (long)stat_size("/bin/busybox"));
	CHECK_EQ(stat_mode("/bin/sh", VFS_AT_SYMLINK_NOFOLLOW) & FS_IFMT, FS_IFLNK);
	CHECK_EQ(stat_mode("/bin/sh", 0) & FS_IFMT, FS_IFREG);
	CHECK_EQ(stat_mode("/bin/../bin/./sh", 0) & FS_IFMT, FS_IFREG);
	CHECK_EQ(vpath(VFS_READLINK, "/bin/sh", 0, 0), 7);
	CHECK(memcmp(rbuf, "busybox", 7) == 0, "readlink /bin/sh '%.7s'", rbuf);
	f = vopen("/bin/sh", VFS_O_RDONLY, 0);
	CHECK(f > 0, "open /bin/sh: %ld", f);
	CHECK_EQ(vread(f, 4), 4);
	CHECK(memcmp(rbuf, "\177ELF", 4) == 0, "not an ELF");
	CHECK_EQ(vcall(VFS_READ, (uint64_t)f, 100000, VFS_OFF_CURRENT, 0, NULL, 0), IPC_BUF_MAX);
	vcall(VFS_CLOSE, (uint64_t)f, 0, 0, 0, NULL, 0);
	CHECK_EQ(dir_count("/", "bin", 4096), 1);
	CHECK_EQ(dir_count("/", "vfstest", 64), 1);		/* small pieces */
	CHECK_EQ(dir_count("/bin", "sh", 4096), 1);
	CHECK_EQ(dir_count("/bin", "..", 4096), 1);
	CHECK_EQ(vopen("/new", VFS_O_CREAT | VFS_O_WRONLY, 0644), -EROFS);
	CHECK_EQ(vpath(VFS_MKDIR, "/newdir", 0755, 0), -EROFS);
	CHECK_EQ(vpath(VFS_UNLINK, "/bin/sh", 0, 0), -EROFS);
	CHECK_EQ(vpath(VFS_STAT, "/bin/nosuch", 0, 0), -ENOENT);
	CHECK_EQ(vpath(VFS_STAT, "/bin/sh/x", 0, 0), -ENOTDIR);
}

int
main(int argc, char **argv)
{
	handle_t name_ep = (handle_t)native_start_word(0);
	long r;

	if ((r = name_wait(name_ep, "vfs", &vfs)) != 0) {
		printf("vfstest: no vfs: error %ld\n", r);
		return 1;
	}
	r = vcall(VFS_ROOT, 0, 0, 0, 0, NULL, 0);
	CHECK_EQ(r, 0);
	root = rw[1];
	if (argc > 1 && strcmp(argv[1], "bootfs") == 0) {
		test_bootfs();
		return nt_summary();
	}
	test_files();
	test_paths();
	test_perms_and_mounts();
	return nt_summary();
}
