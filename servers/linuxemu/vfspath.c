/*
 * The path and attribute calls in vfs mode (vfs.c has the machinery):
 * stat, fstat, statx, access, readlink, getdents, mkdir, mknod, unlink,
 * symlink, rename, link, setattr (chmod, chown, truncate, utimensat),
 * ftruncate, fsync, sync, statfs, mount, umount. Each sends one request
 * and finishes the call in its continuation.
 */
#include <lichen/errno.h>
#include <lichen/fmt.h>
#include <lichen/name_client.h>
#include <lichen/native.h>
#include <lichen/proto/vfs.h>
#include <lichen/rt.h>
#include <lichen/string.h>

#include "linuxemu.h"

#define AT_FDCWD_	(-100)

struct stat_ {			/* asm-generic struct stat (aarch64) */
	uint64_t dev, ino;
	uint32_t mode, nlink, uid, gid;
	uint64_t rdev, pad1;
	int64_t size;
	int32_t blksize, pad2;
	int64_t blocks;
	int64_t atime, atime_nsec, mtime, mtime_nsec, ctime, ctime_nsec;
	uint32_t unused4, unused5;
};

/* --- stat --- */

static void
attr_to_stat(const struct fs_attr *a, uint64_t dev, struct stat_ *st)
{
	memset(st, 0, sizeof(*st));
	st->dev = dev;
	st->ino = a->ino;
	st->mode = a->mode;
	st->nlink = a->nlink;
	st->uid = a->uid;
	st->gid = a->gid;
	st->rdev = a->rdev;
	st->size = a->size;
	st->blksize = (int32_t)a->blksize;
	st->blocks = a->blocks;
	st->atime = a->atime.sec;
	st->atime_nsec = a->atime.nsec;
	st->mtime = a->mtime.sec;
	st->mtime_nsec = a->mtime.nsec;
	st->ctime = a->ctime.sec;
	st->ctime_nsec = a->ctime.nsec;
}

static long
done_stat(struct lthread *t, const struct ipc_msg *m, const void *data, size_t len)
{
	uint64_t uva = t->nr == 80 ? t->a[1] : t->a[2];	/* fstat, newfstatat */
	struct fs_attr attr;
	struct stat_ st;
	long r = (long)m->w[0];

	if (r < 0)
		return r;
	if (len < sizeof(attr))
		return -EIO;
	memcpy(&attr, data, sizeof(attr));
	attr_to_stat(&attr, m->w[2], &st);
	return lx_write(t->proc, uva, &st, sizeof(st)) != 0 ? -EFAULT : 0;
}

/* Linux's struct statx (256 bytes) from an fs_attr: the basic stats. */
void
lx_statx_fill(void *out, const struct fs_attr *a, uint64_t dev)
{
	struct {
		uint32_t mask, blksize;
		uint64_t attributes;
		uint32_t nlink, uid, gid;
		uint16_t mode, spare0;
		uint64_t ino, size, blocks, attributes_mask;
		struct { int64_t sec; uint32_t nsec; int32_t pad; } atime, btime, ctime, mtime;
		uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
		uint64_t mnt_id;
		uint32_t dio_mem_align, dio_offset_align;
		uint64_t spare[12];
	} sx;

	_Static_assert(sizeof(sx) == 256, "struct statx is 256 bytes");
	memset(&sx, 0, sizeof(sx));
	sx.mask = 0x7ff;			/* STATX_BASIC_STATS */
	sx.blksize = a->blksize;
	sx.nlink = a->nlink;
	sx.uid = a->uid;
	sx.gid = a->gid;
	sx.mode = (uint16_t)a->mode;
	sx.ino = a->ino;
	sx.size = (uint64_t)a->size;
	sx.blocks = (uint64_t)a->blocks;
	sx.atime.sec = a->atime.sec;
	sx.atime.nsec = (uint32_t)a->atime.nsec;
	sx.mtime.sec = a->mtime.sec;
	sx.mtime.nsec = (uint32_t)a->mtime.nsec;
	sx.ctime.sec = a->ctime.sec;
	sx.ctime.nsec = (uint32_t)a->ctime.nsec;
	/* Linux's new_encode_dev split: major in bits 8-19, minor in 0-7 and 20-31 */
	sx.rdev_major = (uint32_t)((a->rdev >> 8) & 0xfff);
	sx.rdev_minor = (uint32_t)((a->rdev & 0xff) | ((a->rdev >> 12) & ~0xffUL));
	sx.dev_major = (uint32_t)((dev >> 8) & 0xfff);
	sx.dev_minor = (uint32_t)((dev & 0xff) | ((dev >> 12) & ~0xffUL));
	memcpy(out, &sx, sizeof(sx));
}

static long
done_statx(struct lthread *t, const struct ipc_msg *m, const void *data, size_t len)
{
	char sx[256];
	struct fs_attr attr;
	long r = (long)m->w[0];

	if (r < 0)
		return r;
	if (len < sizeof(attr))
		return -EIO;
	memcpy(&attr, data, sizeof(attr));
	lx_statx_fill(sx, &attr, m->w[2]);
	return lx_write(t->proc, t->a[4], sx, sizeof(sx)) != 0 ? -EFAULT : 0;
}

/* statx(dirfd, path, flags, mask, buf); fd is dirfd's file for AT_EMPTY_PATH + "". */
long
lx_vfs_statx(struct lthread *t, const uint64_t *a, struct lfile *fd)
{
	if (fd != NULL) {
		uint64_t w[6] = { fd->vid, 0, 0, 0, 0, 0 };

		return lx_vfs_send(t, VFS_FSTAT, w, NULL, 0, done_statx);
	}
	return lx_vfs_path_call(t, VFS_STAT, (int)a[0], a[1], a[2] & (VFS_AT_SYMLINK_NOFOLLOW |
	    VFS_AT_EMPTY_PATH), 0, NULL, 0, done_statx);
}

long
lx_vfs_fstat(struct lthread *t, struct lfile *f)
{
	uint64_t w[6] = { f->vid, 0, 0, 0, 0, 0 };

	return lx_vfs_send(t, VFS_FSTAT, w, NULL, 0, done_stat);
}

long
lx_vfs_newfstatat(struct lthread *t, const uint64_t *a)
{
	return lx_vfs_path_call(t, VFS_STAT, (int)a[0], a[1], a[3] & (VFS_AT_SYMLINK_NOFOLLOW |
	    VFS_AT_EMPTY_PATH), 0, NULL, 0, done_stat);
}

long
lx_vfs_faccessat(struct lthread *t, const uint64_t *a, uint64_t flags)
{
	return lx_vfs_path_call(t, VFS_ACCESS, (int)a[0], a[1], a[2], flags, NULL, 0, lx_vfs_done_status);
}

static long
done_readlink(struct lthread *t, const struct ipc_msg *m, const void *data, size_t len)
{
	long r = (long)m->w[0];

	if (r < 0)
		return r;
	if (len > t->a[3])
		len = t->a[3];
	return lx_write(t->proc, t->a[2], data, len) != 0 ? -EFAULT : (long)len;
}

long
lx_vfs_readlinkat(struct lthread *t, const uint64_t *a)
{
	if ((int64_t)a[3] <= 0)
		return -EINVAL;
	return lx_vfs_path_call(t, VFS_READLINK, (int)a[0], a[1], 0, 0, NULL, 0, done_readlink);
}

/* --- directories and names --- */

static long
done_getdents(struct lthread *t, const struct ipc_msg *m, const void *data, size_t len)
{
	long r = (long)m->w[0];

	if (r < 0)
		return r;
	if ((size_t)r > len)
		r = (long)len;
	return r > 0 && lx_write(t->proc, t->a[1], data, (uint64_t)r) != 0 ? -EFAULT : r;
}

long
lx_vfs_getdents64(struct lthread *t, struct lfile *f, uint64_t count)
{
	uint64_t w[6] = { f->vid, count > IPC_BUF_MAX ? IPC_BUF_MAX : count, 0, 0, 0, 0 };

	return lx_vfs_send(t, VFS_GETDENTS, w, NULL, 0, done_getdents);
}

long
lx_vfs_mkdirat(struct lthread *t, const uint64_t *a)
{
	return lx_vfs_path_call(t, VFS_MKDIR, (int)a[0], a[1], (a[2] & 07777) & ~t->proc->umask, 0,
	    NULL, 0, lx_vfs_done_status);
}

long
lx_vfs_mknodat(struct lthread *t, const uint64_t *a)
{
	uint32_t mode = (uint32_t)a[2];

	mode = (mode & FS_IFMT) | (mode & 07777 & ~t->proc->umask);
	return lx_vfs_path_call(t, VFS_MKNOD, (int)a[0], a[1], mode, a[3], NULL, 0, lx_vfs_done_status);
}

long
lx_vfs_unlinkat(struct lthread *t, const uint64_t *a)
{
	if (a[2] & ~(uint64_t)VFS_AT_REMOVEDIR)
		return -EINVAL;
	return lx_vfs_path_call(t, VFS_UNLINK, (int)a[0], a[1], a[2], 0, NULL, 0, lx_vfs_done_status);
}

long
lx_vfs_symlinkat(struct lthread *t, const uint64_t *a)
{
	static char target[FS_PATH_MAX];
	uint64_t w[6] = { 0, 0, 0, 0, 0, 0 };
	long tlen = lx_read_string(t->proc, a[0], target, sizeof(target));
	size_t len;
	long r;

	if (tlen < 0)
		return tlen;
	if ((r = lx_vfs_read_path(t, a[2], &len)) < 0)
		return r;
	if ((r = lx_vfs_start_dir(t, (int)a[1], &w[0])) != 0)
		return r;
	memcpy(lx_vfs_data, target, (size_t)tlen);
	memcpy(lx_vfs_data + tlen, lx_vfs_path, len);
	w[1] = (uint64_t)tlen;
	return lx_vfs_send(t, VFS_SYMLINK, w, lx_vfs_data, (size_t)tlen + len, lx_vfs_done_status);
}

/* renameat2(olddirfd, old, newdirfd, new, flags); linkat(olddirfd, old, newdirfd, new, flags). */
long
lx_vfs_rename(struct lthread *t, const uint64_t *a, uint64_t label, uint64_t flags)
{
	uint64_t w[6] = { 0, 0, flags, 0, 0, 0 };
	size_t olen, nlen;
	long r;

	if ((r = lx_vfs_read_path(t, a[1], &olen)) < 0)
		return r;
	if ((r = lx_vfs_start_dir(t, (int)a[0], &w[0])) != 0)
		return r;
	memcpy(lx_vfs_data, lx_vfs_path, olen);
	if ((r = lx_vfs_read_path(t, a[3], &nlen)) < 0)
		return r;
	if ((r = lx_vfs_start_dir(t, (int)a[2], &w[1])) != 0)
		return r;
	if (olen + nlen > sizeof(lx_vfs_data))
		return -ENAMETOOLONG;
	memcpy(lx_vfs_data + olen, lx_vfs_path, nlen);
	w[5] = olen;
	return lx_vfs_send(t, label, w, lx_vfs_data, olen + nlen, lx_vfs_done_status);
}

/* chmod, chown, truncate, utimensat: a path (or AT_EMPTY_PATH) and attributes. */
long
lx_vfs_setattr(struct lthread *t, int dirfd, uint64_t upath, uint64_t flags,
    const struct fs_setattr *sa)
{
	return lx_vfs_path_call(t, VFS_SETATTR, dirfd, upath, flags, 0, sa, sizeof(*sa), lx_vfs_done_status);
}

/* The same on an fd: its file id, with an empty path. */
long
lx_vfs_fsetattr(struct lthread *t, struct lfile *f, const struct fs_setattr *sa)
{
	uint64_t w[6] = { f->vid, VFS_AT_EMPTY_PATH, 0, 0, 0, 0 };

	memcpy(lx_vfs_data, sa, sizeof(*sa));
	return lx_vfs_send(t, VFS_SETATTR, w, lx_vfs_data, sizeof(*sa), lx_vfs_done_status);
}

long
lx_vfs_ftruncate(struct lthread *t, struct lfile *f, uint64_t size)
{
	uint64_t w[6] = { f->vid, size, 0, 0, 0, 0 };

	return lx_vfs_send(t, VFS_FTRUNCATE, w, NULL, 0, lx_vfs_done_status);
}

long
lx_vfs_fsync(struct lthread *t, struct lfile *f)
{
	uint64_t w[6] = { f->vid, 0, 0, 0, 0, 0 };

	return lx_vfs_send(t, VFS_FSYNC, w, NULL, 0, lx_vfs_done_status);
}

long
lx_vfs_sync(struct lthread *t)
{
	uint64_t w[6] = { 0 };

	return lx_vfs_send(t, VFS_SYNC, w, NULL, 0, lx_vfs_done_status);
}

/* Linux's struct statfs (aarch64): the fs's, with f_fsid from vfs. */
static long
done_statfs(struct lthread *t, const struct ipc_msg *m, const void *data, size_t len)
{
	struct {
		int64_t type, bsize;
		uint64_t blocks, bfree, bavail, files, ffree;
		int32_t fsid[2];
		int64_t namelen, frsize, flags, spare[4];
	} st;
	struct fs_statfs sf;
	long r = (long)m->w[0];

	if (r < 0)
		return r;
	if (len < sizeof(sf))
		return -EIO;
	memcpy(&sf, data, sizeof(sf));
	memset(&st, 0, sizeof(st));
	st.type = sf.type;
	st.bsize = sf.bsize;
	st.blocks = sf.blocks;
	st.bfree = sf.bfree;
	st.bavail = sf.bavail;
	st.files = sf.files;
	st.ffree = sf.ffree;
	st.fsid[0] = (int32_t)m->w[1];
	st.namelen = sf.namelen;
	st.frsize = sf.frsize;
	st.flags = sf.flags;
	return lx_write(t->proc, t->a[1], &st, sizeof(st)) != 0 ? -EFAULT : 0;
}

long
lx_vfs_statfs(struct lthread *t, const uint64_t *a)
{
	return lx_vfs_path_call(t, VFS_STATFS, AT_FDCWD_, a[0], 0, 0, NULL, 0, done_statfs);
}

long
lx_vfs_fstatfs(struct lthread *t, struct lfile *f)
{
	uint64_t w[6] = { f->vid, VFS_AT_EMPTY_PATH, 0, 0, 0, 0 };

	return lx_vfs_send(t, VFS_STATFS, w, NULL, 0, done_statfs);
}

/* mount(source, target, fstype, flags, data) */
long
lx_vfs_mount(struct lthread *t, const uint64_t *a)
{
	static char src[256], type[64], opts[1024];
	uint64_t w[6] = { 0, a[3], 0, 0, 0, 0 };
	long sl = a[0] ? lx_read_string(t->proc, a[0], src, sizeof(src)) : 0;
	long tl = a[2] ? lx_read_string(t->proc, a[2], type, sizeof(type)) : 0;
	long ol = a[4] ? lx_read_string(t->proc, a[4], opts, sizeof(opts)) : 0;
	size_t len;
	long r;

	if (sl < 0 || tl < 0 || ol < 0)
		return sl < 0 ? sl : tl < 0 ? tl : ol;
	if (t->proc->euid != 0)
		return -EPERM;
	if ((r = lx_vfs_read_path(t, a[1], &len)) < 0)
		return r;
	if ((r = lx_vfs_start_dir(t, AT_FDCWD_, &w[0])) != 0)
		return r;
	if (len + (size_t)(sl + tl + ol) + 3 > sizeof(lx_vfs_data))
		return -EINVAL;
	memcpy(lx_vfs_data, lx_vfs_path, len);
	fmt_snprintf(lx_vfs_data + len, sizeof(lx_vfs_data) - len, "%c%s%c%s%c%s", 0, a[0] ? src : "",
	    0, a[2] ? type : "", 0, a[4] ? opts : "");
	w[5] = len;
	return lx_vfs_send(t, VFS_MOUNT, w, lx_vfs_data, len + 3 + (size_t)(sl + tl + ol), lx_vfs_done_status);
}

long
lx_vfs_umount(struct lthread *t, const uint64_t *a)
{
	return lx_vfs_path_call(t, VFS_UMOUNT, AT_FDCWD_, a[0], a[1], 0, NULL, 0, lx_vfs_done_status);
}
