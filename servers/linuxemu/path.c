/*
 * The system calls that take a path, on the interim root tree (rootfs.c:
 * the boot archive, read-only, /dev and /proc) until the vfs issue forwards
 * them: openat, newfstatat, faccessat(2), readlinkat, getdents64, chdir
 * and fchdir. What would change the tree is EROFS, as on a read-only
 * mount.
 */
#include <lichen/errno.h>
#include <lichen/fmt.h>
#include <lichen/string.h>

#include <lichen/proto/fs.h>

#include "linuxemu.h"
#include "syscalls.h"

LX_SYSCALLS(LX_DECL)

#define AT_FDCWD_		(-100)
#define AT_SYMLINK_NOFOLLOW_	0x100
#define AT_EACCESS_		0x200
#define AT_NO_AUTOMOUNT_	0x800
#define AT_EMPTY_PATH_		0x1000

#define O_ACCMODE_	3
#define O_CREAT_	0100
#define O_EXCL_		0200
#define O_NOCTTY_	0400
#define O_TRUNC_	01000
#define O_APPEND_	02000
#define O_NONBLOCK_	04000
#define O_DIRECTORY_	040000		/* arm64's values (asm/fcntl.h), not x86's */
#define O_NOFOLLOW_	0100000
#define O_CLOEXEC_	02000000
#define O_PATH_		010000000
#define O_TMPFILE_	020040000	/* __O_TMPFILE | O_DIRECTORY */

#define S_IFMT_		0170000
#define S_IFDIR_	0040000
#define S_IFLNK_	0120000
#define S_IFREG_	0100000

#define EROFS_		30
#define EOPNOTSUPP_	95

/*
 * The directory a relative path starts from: the working directory for
 * AT_FDCWD, else dirfd's (which must be a directory). start gets its
 * canonical name.
 */
static long
start_dir(struct lthread *t, int dirfd, const char *path, char *start, size_t cap)
{
	struct lfile *f;

	if (path[0] == '/' || dirfd == AT_FDCWD_) {
		strlcpy(start, t->proc->cwd + 1, cap);	/* cwd is absolute: "/x" */
		return 0;
	}
	if ((f = lx_fd_get(t, (uint64_t)dirfd)) == NULL)
		return -EBADF;
	if (f->kind != LF_NODE || (f->node.mode & S_IFMT_) != S_IFDIR_)
		return -ENOTDIR;
	strlcpy(start, f->node.path, cap);
	return 0;
}

/* Read the path argument and walk it. */
static long
lookup(struct lthread *t, int dirfd, uint64_t upath, int follow, int empty_ok,
    struct lnode *n)
{
	static char path[4096], start[256];
	struct lfile *f;
	long r;

	if ((r = lx_read_string(t->proc, upath, path, sizeof(path))) < 0)
		return r;
	lx_rootfs_self(t->proc->exe);
	lx_procfs_self(t);
	if (path[0] == '\0') {
		if (!empty_ok)
			return -ENOENT;
		if (dirfd == AT_FDCWD_)
			return lx_rootfs_walk(t->proc->cwd + 1, "", 0, n);
		if ((f = lx_fd_get(t, (uint64_t)dirfd)) == NULL)
			return -EBADF;
		if (f->kind != LF_NODE)
			return -ENOTDIR;	/* fstat covers pipes and the console */
		*n = f->node;
		return 0;
	}
	if ((r = start_dir(t, dirfd, path, start, sizeof(start))) != 0)
		return r;
	return lx_rootfs_walk(start, path, follow, n);
}

/* openat(dirfd, path, flags, mode) */
long
sys_openat(struct lthread *t, const uint64_t *a)
{
	uint32_t flags = (uint32_t)a[2];
	struct lnode n;
	struct lfile *f;
	long r;

	if (lx_vfs_claims(t, (int)a[0], a[1]))
		return lx_vfs_openat(t, a);
	r = lookup(t, (int)a[0], a[1], !(flags & O_NOFOLLOW_), 0, &n);
	if ((flags & O_TMPFILE_) == O_TMPFILE_)
		return r == 0 ? -EROFS_ : r;
	if (r == -ENOENT && (flags & O_CREAT_))
		return -EROFS_;		/* nothing can be created on the archive */
	if (r != 0)
		return r;
	if ((flags & (O_CREAT_ | O_EXCL_)) == (O_CREAT_ | O_EXCL_))
		return -EEXIST;
	if ((n.mode & S_IFMT_) == S_IFLNK_ && !(flags & O_PATH_))
		return -ELOOP;		/* O_NOFOLLOW on a link (O_PATH may hold the link) */
	if ((flags & O_DIRECTORY_) && (n.mode & S_IFMT_) != S_IFDIR_)
		return -ENOTDIR;
	if (!(flags & O_PATH_)) {
		int writing = (flags & O_ACCMODE_) != 0 || (flags & O_TRUNC_);

		if ((n.mode & S_IFMT_) == S_IFDIR_ && (writing || (flags & O_CREAT_)))
			return -EISDIR;
		if (writing && n.dev == DEV_NONE && lx_procfs_is(n.path))
			return -EACCES;		/* /proc's files take no writes (docs/linuxemu.md) */
		if (writing && n.dev == DEV_NONE)
			return -EROFS_;
	}
	if (n.dev == DEV_CONSOLE && !(flags & O_PATH_))
		f = lx_file_new(LF_CONSOLE, flags & (O_ACCMODE_ | O_NONBLOCK_ | O_APPEND_));
	else
		f = lx_file_new(LF_NODE, flags & (O_ACCMODE_ | O_NONBLOCK_ | O_APPEND_ | O_PATH_));
	if (f == NULL)
		return -ENFILE;
	f->node = n;
	f->off = 0;
	if (lx_procfs_is(n.path) && (r = lx_procfs_open(f)) != 0) {
		lx_file_put(f);
		return r;
	}
	r = lx_fd_open(t, f, (flags & O_CLOEXEC_) != 0);
	lx_file_put(f);			/* the table holds it, or nobody does */
	return r;
}

/* newfstatat(dirfd, path, statbuf, flags) */
long
sys_newfstatat(struct lthread *t, const uint64_t *a)
{
	struct lnode n;
	struct lfile *f;
	char c;
	long r;

	if (a[3] & ~(uint64_t)(AT_SYMLINK_NOFOLLOW_ | AT_NO_AUTOMOUNT_ | AT_EMPTY_PATH_))
		return -EINVAL;
	if ((a[3] & AT_EMPTY_PATH_) && lx_read(t->proc, a[1], &c, 1) == 0 && c == '\0' &&
	    (int)a[0] != AT_FDCWD_ && (f = lx_fd_get(t, a[0])) != NULL && f->kind == LF_VFS)
		return lx_vfs_fstat(t, f);
	if (lx_vfs_claims(t, (int)a[0], a[1]))
		return lx_vfs_newfstatat(t, a);
	/* "" with AT_EMPTY_PATH is fstat (pipes and the console too). */
	if ((a[3] & AT_EMPTY_PATH_) && lx_read(t->proc, a[1], &c, 1) == 0 && c == '\0' &&
	    (int)a[0] != AT_FDCWD_ && (f = lx_fd_get(t, a[0])) != NULL && f->kind != LF_NODE)
		return sys_fstat(t, (uint64_t[]){ a[0], a[2] });
	r = lookup(t, (int)a[0], a[1], !(a[3] & AT_SYMLINK_NOFOLLOW_),
	    (a[3] & AT_EMPTY_PATH_) != 0, &n);
	return r != 0 ? r : lx_stat_node(t, &n, a[2]);
}

/*
 * statx(dirfd, path, flags, mask, buf): the basic stats (the mask asked
 * for is not needed: everything basic is there), as newfstatat finds
 * them; AT_STATX_* sync flags are accepted.
 */
long
sys_statx(struct lthread *t, const uint64_t *a)
{
	struct fs_attr attr;
	struct lnode n;
	struct lfile *f = NULL;
	char sx[256], c;
	long r;

	if (a[2] & ~(uint64_t)(AT_SYMLINK_NOFOLLOW_ | AT_NO_AUTOMOUNT_ | AT_EMPTY_PATH_ | 0x6000))
		return -EINVAL;
	if ((a[2] & 0x6000) == 0x6000 || (a[3] & 0x80000000u))	/* both syncs; STATX__RESERVED */
		return -EINVAL;
	if ((a[2] & AT_EMPTY_PATH_) && lx_read(t->proc, a[1], &c, 1) == 0 && c == '\0' &&
	    (int)a[0] != AT_FDCWD_ && (f = lx_fd_get(t, a[0])) == NULL)
		return -EBADF;
	if (f != NULL && f->kind == LF_VFS)
		return lx_vfs_statx(t, a, f);
	if (f == NULL && lx_vfs_claims(t, (int)a[0], a[1]))
		return lx_vfs_statx(t, a, NULL);
	if (f != NULL && f->kind != LF_NODE)
		return -EOPNOTSUPP_;		/* pipes, the console: not yet */
	if (f != NULL)
		n = f->node;
	else if ((r = lookup(t, (int)a[0], a[1], !(a[2] & AT_SYMLINK_NOFOLLOW_),
	    (a[2] & AT_EMPTY_PATH_) != 0, &n)) != 0)
		return r;
	memset(&attr, 0, sizeof(attr));
	attr.ino = n.ino;
	attr.mode = n.mode;
	attr.nlink = (n.mode & S_IFMT_) == S_IFDIR_ ? 2 : 1;
	attr.rdev = n.rdev;
	attr.size = n.dev != DEV_NONE || lx_procfs_is(n.path) ? 0 : (int64_t)n.size;
	attr.blksize = 4096;
	attr.blocks = (attr.size + 511) / 512;
	lx_statx_fill(sx, &attr, n.dev != DEV_NONE || strncmp(n.path, "dev", 3) == 0 ? 6 : 1);
	return lx_write(t->proc, a[4], sx, sizeof(sx)) != 0 ? -EFAULT : 0;
}

/* faccessat2(dirfd, path, mode, flags); faccessat has no flags. Everyone is root. */
long
sys_faccessat2(struct lthread *t, const uint64_t *a)
{
	uint64_t flags = t->nr == 48 ? 0 : a[3];
	struct lnode n;
	long r;

	if (a[2] & ~7UL)
		return -EINVAL;
	if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW_ | AT_EACCESS_ | AT_EMPTY_PATH_))
		return -EINVAL;
	if (lx_vfs_claims(t, (int)a[0], a[1]))
		return lx_vfs_faccessat(t, a, flags);
	if ((r = lookup(t, (int)a[0], a[1], !(flags & AT_SYMLINK_NOFOLLOW_),
	    (flags & AT_EMPTY_PATH_) != 0, &n)) != 0)
		return r;
	if ((a[2] & 2) && n.dev == DEV_NONE && lx_procfs_is(n.path))
		return t->proc->euid == 0 || (n.mode & 0200) ? 0 : -EACCES;
	if ((a[2] & 2) && n.dev == DEV_NONE)
		return -EROFS_;		/* W_OK on a read-only tree */
	/* X_OK: root still needs an execute bit somewhere (or a directory). */
	if ((a[2] & 1) && (n.mode & S_IFMT_) != S_IFDIR_ && !(n.mode & 0111))
		return -EACCES;
	return 0;
}

/* readlinkat(dirfd, path, buf, size): the target, not NUL-terminated. */
long
sys_readlinkat(struct lthread *t, const uint64_t *a)
{
	struct lnode n;
	uint64_t len;
	long r;

	if ((int64_t)a[3] <= 0)
		return -EINVAL;
	if (lx_vfs_claims(t, (int)a[0], a[1]))
		return lx_vfs_readlinkat(t, a);
	if ((r = lookup(t, (int)a[0], a[1], 0, 1, &n)) != 0)
		return r;
	if ((n.mode & S_IFMT_) != S_IFLNK_)
		return -EINVAL;
	len = n.size < a[3] ? n.size : a[3];
	return lx_write(t->proc, a[2], n.data, len) != 0 ? -EFAULT : (long)len;
}

static long
change_dir(struct lthread *t, const struct lnode *n)
{
	if ((n->mode & S_IFMT_) != S_IFDIR_)
		return -ENOTDIR;
	lx_file_put(t->proc->cwdf);	/* vfs mode: out of vfs, into our own /dev */
	t->proc->cwdf = NULL;
	if (lx_vfs != HANDLE_NONE && n->path[0] == '\0')	/* ".." from /dev: vfs's root */
		t->proc->cwdf = lx_vfs_root_file();
	fmt_snprintf(t->proc->cwd, sizeof(t->proc->cwd), "/%s", n->path);
	return 0;
}

long
sys_chdir(struct lthread *t, const uint64_t *a)
{
	struct lnode n;
	long r;

	if (lx_vfs != HANDLE_NONE && (r = lx_vfs_chdir(t, a)) != 1)
		return r;
	r = lookup(t, AT_FDCWD_, a[0], 1, 0, &n);
	return r != 0 ? r : change_dir(t, &n);
}

long
sys_fchdir(struct lthread *t, const uint64_t *a)
{
	struct lfile *f = lx_fd_get(t, a[0]);
	long r;

	if (f == NULL)
		return -EBADF;
	if (lx_vfs != HANDLE_NONE && (r = lx_vfs_fchdir(t, f)) != 1)
		return r;
	return f->kind == LF_NODE ? change_dir(t, &f->node) : -ENOTDIR;
}

/* getdents64(fd, dirp, count): struct linux_dirent64 records, 8-byte aligned. */
long
sys_getdents64(struct lthread *t, const uint64_t *a)
{
	static uint8_t buf[32768];
	struct lfile *f = lx_fd_get(t, a[0]);
	uint64_t used = 0, cap = a[2] < sizeof(buf) ? a[2] : sizeof(buf);
	char name[256];
	struct lnode n;

	if (f == NULL || (f->flags & 010000000))
		return -EBADF;
	if (f->kind == LF_VFS)
		return lx_vfs_getdents64(t, f, a[2]);
	if (f->kind != LF_NODE || (f->node.mode & S_IFMT_) != S_IFDIR_)
		return -ENOTDIR;
	if (lx_procfs_is(f->node.path) && lx_procfs_find(f->node.path, &n) != 0)
		return -ENOENT;		/* a /proc/<pid> whose process has gone (Linux's) */
	uint64_t at = f->off;

	for (;;) {
		uint64_t pos = at, reclen;
		uint8_t type;

		if (!lx_rootfs_readdir(f->node.path, &pos, name, sizeof(name), &n))
			break;
		reclen = (19 + strlen(name) + 1 + 7) & ~7UL;
		if (used + reclen > cap) {
			if (used == 0)
				return -EINVAL;		/* the buffer cannot hold one */
			break;
		}
		switch (n.mode & S_IFMT_) {
		case S_IFDIR_: type = 4; break;		/* DT_DIR */
		case S_IFLNK_: type = 10; break;	/* DT_LNK */
		case S_IFREG_: type = 8; break;		/* DT_REG */
		default: type = 2; break;		/* DT_CHR */
		}
		memset(buf + used, 0, reclen);
		memcpy(buf + used, &n.ino, 8);
		memcpy(buf + used + 8, &pos, 8);	/* d_off: where the next one starts */
		buf[used + 16] = (uint8_t)reclen;
		buf[used + 17] = (uint8_t)(reclen >> 8);
		buf[used + 18] = type;
		memcpy(buf + used + 19, name, strlen(name) + 1);
		used += reclen;
		at = pos;
	}
	if (used > 0 && lx_write(t->proc, a[1], buf, used) != 0)
		return -EFAULT;
	f->off = at;			/* only what was delivered is passed */
	return (long)used;
}

/* --- statfs on linuxemu's own tree --- */

struct statfs_ {			/* asm-generic struct statfs (aarch64) */
	uint64_t type, bsize, blocks, bfree, bavail, files, ffree;
	int32_t fsid[2];
	uint64_t namelen, frsize, flags, spare[4];
};

/*
 * What Linux's statfs says of the filesystem holding n: /proc is proc
 * (PROC_SUPER_MAGIC), /dev devtmpfs (TMPFS_MAGIC), the archive the
 * initramfs's rootfs (RAMFS_MAGIC, read-only here); none counts blocks.
 */
long
lx_node_statfs(struct lthread *t, const struct lnode *n, uint64_t uva)
{
	struct statfs_ st;

	memset(&st, 0, sizeof(st));
	if (strncmp(n->path, "proc", 4) == 0 && (n->path[4] == '\0' || n->path[4] == '/'))
		st.type = 0x9fa0;
	else if (strncmp(n->path, "dev", 3) == 0 && (n->path[3] == '\0' || n->path[3] == '/'))
		st.type = 0x01021994;
	else
		st.type = 0x858458f6, st.flags = 1;	/* ST_RDONLY */
	st.bsize = st.frsize = PAGE;
	st.namelen = 255;
	st.flags |= 0x400;			/* ST_RELATIME, as Linux reports it */
	return lx_write(t->proc, uva, &st, sizeof(st)) != 0 ? -EFAULT : 0;
}

/* statfs(path, buf) on linuxemu's own tree. */
long
lx_own_statfs(struct lthread *t, const uint64_t *a)
{
	struct lnode n;
	long r;

	if ((r = lookup(t, AT_FDCWD_, a[0], 1, 0, &n)) != 0)
		return r;
	return lx_node_statfs(t, &n, a[1]);
}
