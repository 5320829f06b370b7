/*
 * The system calls that change the file tree or its attributes, and the
 * ones about whole filesystems: mknodat, mkdirat, unlinkat, symlinkat,
 * linkat, renameat(2), truncate, ftruncate, fchmod(at), fchown(at),
 * utimensat, fsync, fdatasync, sync, statfs, fstatfs, mount, umount2.
 *
 * In vfs mode they go to vfs (vfs.c), which checks them as Linux does.
 * Standalone, the root is the read-only boot archive: changes are -EROFS
 * (after the arguments' own checks), syncs have nothing to do.
 */
#include <lichen/errno.h>
#include <lichen/proto/fs.h>
#include <lichen/proto/vfs.h>
#include <lichen/string.h>

#include "linuxemu.h"
#include "syscalls.h"

LX_SYSCALLS(LX_DECL)

#define AT_FDCWD_	(-100)
#define EROFS_		30

/* An fd that can take an attribute change: 0 and *f, or -EBADF. */
static long
vfs_fd(struct lthread *t, uint64_t fd, struct lfile **f)
{
	if ((*f = lx_fd_get(t, fd)) == NULL)
		return -EBADF;
	return 0;
}

/* A path call that changes something: vfs's, or the archive's EROFS. */
static long
changing(struct lthread *t, int dirfd, uint64_t upath)
{
	char c;

	if (lx_vfs_claims(t, dirfd, upath))
		return 1;
	if (lx_read(t->proc, upath, &c, 1) != 0)
		return -EFAULT;
	return -EROFS_;
}

long
sys_mknodat(struct lthread *t, const uint64_t *a)
{
	long r = changing(t, (int)a[0], a[1]);

	return r == 1 ? lx_vfs_mknodat(t, a) : r;
}

long
sys_mkdirat(struct lthread *t, const uint64_t *a)
{
	long r = changing(t, (int)a[0], a[1]);

	return r == 1 ? lx_vfs_mkdirat(t, a) : r;
}

long
sys_unlinkat(struct lthread *t, const uint64_t *a)
{
	long r;

	if (a[2] & ~(uint64_t)VFS_AT_REMOVEDIR)
		return -EINVAL;
	r = changing(t, (int)a[0], a[1]);
	return r == 1 ? lx_vfs_unlinkat(t, a) : r;
}

/* symlinkat(target, newdirfd, linkpath) */
long
sys_symlinkat(struct lthread *t, const uint64_t *a)
{
	long r = changing(t, (int)a[1], a[2]);

	return r == 1 ? lx_vfs_symlinkat(t, a) : r;
}

long
sys_linkat(struct lthread *t, const uint64_t *a)
{
	long r;

	if (a[4] & ~(uint64_t)(VFS_AT_SYMLINK_FOLLOW | VFS_AT_EMPTY_PATH))
		return -EINVAL;
	r = changing(t, (int)a[2], a[3]);
	return r == 1 ? lx_vfs_rename(t, a, VFS_LINK, a[4]) : r;
}

long
sys_renameat(struct lthread *t, const uint64_t *a)
{
	long r = changing(t, (int)a[2], a[3]);

	return r == 1 ? lx_vfs_rename(t, a, VFS_RENAME, 0) : r;
}

long
sys_renameat2(struct lthread *t, const uint64_t *a)
{
	long r;

	if (a[4] & ~3UL || a[4] == 3)		/* NOREPLACE | EXCHANGE; WHITEOUT is not ours */
		return -EINVAL;
	r = changing(t, (int)a[2], a[3]);
	return r == 1 ? lx_vfs_rename(t, a, VFS_RENAME, a[4]) : r;
}

/* --- attributes --- */

static long
set_path(struct lthread *t, int dirfd, uint64_t upath, uint64_t flags,
    const struct fs_setattr *sa)
{
	long r = changing(t, dirfd, upath);

	return r == 1 ? lx_vfs_setattr(t, dirfd, upath, flags, sa) : r;
}

static long
set_fd(struct lthread *t, uint64_t fd, const struct fs_setattr *sa)
{
	struct lfile *f;
	long r = vfs_fd(t, fd, &f);

	if (r != 0)
		return r;
	if (f->kind != LF_VFS)
		return f->kind == LF_NODE ? -EROFS_ : -EINVAL;
	return lx_vfs_fsetattr(t, f, sa);
}

long
sys_truncate(struct lthread *t, const uint64_t *a)
{
	struct fs_setattr sa = { .valid = FS_SET_SIZE, .size = (int64_t)a[1] };

	if ((int64_t)a[1] < 0)
		return -EINVAL;
	return set_path(t, AT_FDCWD_, a[0], 0, &sa);
}

long
sys_ftruncate(struct lthread *t, const uint64_t *a)
{
	struct lfile *f;
	long r = vfs_fd(t, a[0], &f);

	if (r != 0)
		return r;
	if ((int64_t)a[1] < 0)
		return -EINVAL;
	if (f->kind != LF_VFS)
		return f->kind == LF_NODE && (f->flags & 3) != 0 ? -EROFS_ : -EINVAL;
	if (f->flags & 010000000)		/* O_PATH */
		return -EBADF;
	return lx_vfs_ftruncate(t, f, a[1]);
}

long
sys_fchmod(struct lthread *t, const uint64_t *a)
{
	struct fs_setattr sa = { .valid = FS_SET_MODE, .mode = (uint32_t)a[1] & 07777 };

	return set_fd(t, a[0], &sa);
}

long
sys_fchmodat(struct lthread *t, const uint64_t *a)
{
	struct fs_setattr sa = { .valid = FS_SET_MODE, .mode = (uint32_t)a[2] & 07777 };

	return set_path(t, (int)a[0], a[1], 0, &sa);
}

static void
owner(struct fs_setattr *sa, uint64_t uid, uint64_t gid)
{
	memset(sa, 0, sizeof(*sa));
	if ((uint32_t)uid != UINT32_MAX) {
		sa->valid |= FS_SET_UID;
		sa->uid = (uint32_t)uid;
	}
	if ((uint32_t)gid != UINT32_MAX) {
		sa->valid |= FS_SET_GID;
		sa->gid = (uint32_t)gid;
	}
}

long
sys_fchownat(struct lthread *t, const uint64_t *a)
{
	struct fs_setattr sa;

	if (a[4] & ~(uint64_t)(VFS_AT_SYMLINK_NOFOLLOW | VFS_AT_EMPTY_PATH))
		return -EINVAL;
	owner(&sa, a[2], a[3]);
	if ((a[4] & VFS_AT_EMPTY_PATH) && (int)a[0] != AT_FDCWD_) {
		char c;

		if (lx_read(t->proc, a[1], &c, 1) == 0 && c == '\0')
			return set_fd(t, a[0], &sa);
	}
	return set_path(t, (int)a[0], a[1], a[4], &sa);
}

long
sys_fchown(struct lthread *t, const uint64_t *a)
{
	struct fs_setattr sa;

	owner(&sa, a[1], a[2]);
	return set_fd(t, a[0], &sa);
}

/* utimensat(dirfd, path or NULL (the fd itself), times or NULL (now), flags) */
long
sys_utimensat(struct lthread *t, const uint64_t *a)
{
	struct fs_setattr sa;
	struct fs_time ts[2];

	if (a[3] & ~(uint64_t)(VFS_AT_SYMLINK_NOFOLLOW | VFS_AT_EMPTY_PATH))
		return -EINVAL;
	memset(&sa, 0, sizeof(sa));
	if (a[2] == 0) {
		ts[0].nsec = ts[1].nsec = VFS_UTIME_NOW;
		ts[0].sec = ts[1].sec = 0;
	} else if (lx_read(t->proc, a[2], ts, sizeof(ts)) != 0) {
		return -EFAULT;
	}
	for (int i = 0; i < 2; i++)
		if (ts[i].nsec != VFS_UTIME_NOW && ts[i].nsec != VFS_UTIME_OMIT &&
		    (ts[i].nsec < 0 || ts[i].nsec >= 1000000000L))
			return -EINVAL;
	if (ts[0].nsec != VFS_UTIME_OMIT) {
		sa.valid |= FS_SET_ATIME;
		sa.atime = ts[0];
	}
	if (ts[1].nsec != VFS_UTIME_OMIT) {
		sa.valid |= FS_SET_MTIME;
		sa.mtime = ts[1];
	}
	if (a[1] == 0)			/* futimens: the fd */
		return set_fd(t, a[0], &sa);
	return set_path(t, (int)a[0], a[1], a[3], &sa);
}

/* --- the disk --- */

static long
sync_fd(struct lthread *t, const uint64_t *a)
{
	struct lfile *f;
	long r = vfs_fd(t, a[0], &f);

	if (r != 0)
		return r;
	if (f->kind == LF_VFS)
		return (f->flags & 010000000) ? -EBADF : lx_vfs_fsync(t, f);
	return f->kind == LF_NODE ? 0 : -EINVAL;	/* pipes and the console: EINVAL */
}

long sys_fsync(struct lthread *t, const uint64_t *a) { return sync_fd(t, a); }
long sys_fdatasync(struct lthread *t, const uint64_t *a) { return sync_fd(t, a); }

long
sys_sync(struct lthread *t, const uint64_t *a)
{
	(void)a;
	return lx_vfs != HANDLE_NONE ? lx_vfs_sync(t) : 0;
}

long
sys_statfs(struct lthread *t, const uint64_t *a)
{
	if (lx_vfs_claims(t, AT_FDCWD_, a[0]))
		return lx_vfs_statfs(t, a);
	return lx_own_statfs(t, a);	/* linuxemu's own tree: /proc, /dev, the archive */
}

long
sys_fstatfs(struct lthread *t, const uint64_t *a)
{
	struct lfile *f;
	long r = vfs_fd(t, a[0], &f);

	if (r != 0)
		return r;
	if (f->kind == LF_VFS)
		return lx_vfs_fstatfs(t, f);
	if (f->kind == LF_NODE)
		return lx_node_statfs(t, &f->node, a[1]);
	return -ENOSYS;			/* the console, linuxemu's own pipes: not filesystems */
}

long
sys_mount(struct lthread *t, const uint64_t *a)
{
	if (t->proc->euid != 0)
		return -EPERM;
	return lx_vfs != HANDLE_NONE ? lx_vfs_mount(t, a) : -ENODEV;
}

long
sys_umount2(struct lthread *t, const uint64_t *a)
{
	if (t->proc->euid != 0)
		return -EPERM;
	if (a[1] & ~0xfUL)
		return -EINVAL;
	return lx_vfs_claims(t, AT_FDCWD_, a[0]) ? lx_vfs_umount(t, a) : -EINVAL;
}
