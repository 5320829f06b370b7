/*
 * tmpfs_core.h - tmpfs, a filesystem in memory, as a library
 * (docs/tmpfs.md). The tmpfs server (main.c, handlers.c) calls one
 * tmpfs_* function per PROTO_FS request (lichen/proto/fs.h, whose header
 * comment is the contract); the unit tests call them directly.
 *
 * One struct tmpfs holds every instance (FS_MOUNT makes one) and one node
 * table for all of them: a node id is unique in the server, never reused,
 * and is the inode number. Memory comes from malloc/free (the host's libc
 * in tests, libipc/rt/heap.c on lichen); the time of day from a callback.
 *
 * References are FUSE's: tmpfs_lookup, _create, _mkdir, _symlink, _link
 * and _mount give the caller one reference to the node they return,
 * tmpfs_forget gives them back. A node lives while it has a name (nlink >
 * 0) or a reference; an instance's root lives until tmpfs_umount.
 *
 * Every function returns 0 (or a count) or a negative Linux errno, and
 * changes nothing when it fails. Names are 1..FS_NAME_MAX bytes without
 * '/' or NUL, never "." or "..". Nothing here is thread-safe: one caller.
 */
#ifndef LICHEN_TMPFS_CORE_H
#define LICHEN_TMPFS_CORE_H

#include <stddef.h>
#include <stdint.h>
#include <lichen/proto/fs.h>

#define TMPFS_MAGIC 0x01021994 /* Linux's TMPFS_MAGIC (f_type) */
#define TMPFS_PAGE  4096u      /* the unit of size=, blocks and st_blksize */

/* The MS_* mount flags tmpfs looks at (FS_MOUNT's w0; Linux's values). */
#define TMPFS_MS_RDONLY	     0x1u
#define TMPFS_MS_NOATIME     0x400u
#define TMPFS_MS_NODIRATIME  0x800u
#define TMPFS_MS_STRICTATIME 0x1000000u

struct tmpfs_params {
	struct fs_time (*now)(void *ctx); /* the time of day (UTC) */
	void *ctx;
	/*
	 * The machine's memory in pages, for size=N% and Linux's defaults
	 * (size = half of it, nr_inodes = half of its pages). 0: unknown,
	 * and then an instance without size= or nr_inodes= is unlimited.
	 */
	uint64_t ram_pages;
};

/* What the server holds, for tests and statistics. */
struct tmpfs_stats {
	uint64_t instances;
	uint64_t nodes;	     /* live nodes, every instance */
	uint64_t data_pages; /* file (and long symlink) pages */
	uint64_t pool_pages; /* from malloc: data, radix nodes, free */
};

struct tmpfs;

/* A server with no instance yet; NULL when out of memory. */
struct tmpfs *tmpfs_new(const struct tmpfs_params *params);
/* Frees every instance, referenced or not, and the server itself. */
void tmpfs_free(struct tmpfs *fs);
void tmpfs_stats(const struct tmpfs *fs, struct tmpfs_stats *st);

/*
 * A new instance. opts is Linux's tmpfs option string (not NUL
 * terminated, len may be 0): comma-separated size=N[k|m|g|t|p|e|%],
 * nr_blocks=N[k|m|g..], nr_inodes=N[k|m|g..], mode=OCTAL, uid=N, gid=N,
 * the generic ro, rw, sync, async, dirsync, lazytime, nolazytime, mand,
 * nomand, and huge=..., inode32, inode64, noswap (accepted, no effect).
 * Anything else is -EINVAL. flags are MS_* (TMPFS_MS_*). *root gets the
 * root's attributes (with a reference to it).
 */
int tmpfs_mount(struct tmpfs *fs, const char *opts, size_t len, uint64_t flags,
    struct fs_attr *root);
/* Ends the instance whose root is root: -EINVAL if it is not a root,
 * -EBUSY while another node of it is referenced. */
int tmpfs_umount(struct tmpfs *fs, uint64_t root);

int tmpfs_lookup(struct tmpfs *fs, uint64_t dir, const char *name, size_t len,
    struct fs_attr *attr);
/* Drops n references (at most as many as there are). */
int tmpfs_forget(struct tmpfs *fs, uint64_t node, uint64_t n);
int tmpfs_getattr(struct tmpfs *fs, uint64_t node, struct fs_attr *attr);
int tmpfs_setattr(struct tmpfs *fs, uint64_t node, const struct fs_setattr *sa,
    struct fs_attr *attr);
int tmpfs_truncate(
    struct tmpfs *fs, uint64_t node, uint64_t size, struct fs_attr *attr);

/* Bytes read into buf (0 at or past the end); holes read as zeros. */
int64_t tmpfs_read(
    struct tmpfs *fs, uint64_t node, uint64_t off, void *buf, size_t len);
/*
 * Bytes written (short only when the instance fills: -ENOSPC if nothing
 * fits); *size = the new size. FS_WRITE_APPEND writes at the end.
 */
int64_t tmpfs_write(struct tmpfs *fs, uint64_t node, uint64_t off,
    const void *buf, size_t len, unsigned flags, int64_t *size);

/*
 * linux_dirent64 records (struct fs_dirent) from position pos into buf:
 * the bytes used, 0 at the end, -EINVAL if not even the next record fits
 * in room. Position 0 is ".", 1 "..", then each entry's own position in
 * creation order; an entry's d_off is its position + 1, which stays valid
 * whatever else is created or removed.
 */
int64_t tmpfs_readdir(
    struct tmpfs *fs, uint64_t dir, uint64_t pos, void *buf, size_t room);

/* mode: S_IFREG (or 0), S_IFIFO, S_IFCHR, S_IFBLK, S_IFSOCK | 07777. */
int tmpfs_create(struct tmpfs *fs, uint64_t dir, const char *name, size_t len,
    uint32_t mode, uint32_t uid, uint32_t gid, uint64_t rdev,
    struct fs_attr *attr);
int tmpfs_mkdir(struct tmpfs *fs, uint64_t dir, const char *name, size_t len,
    uint32_t mode, uint32_t uid, uint32_t gid, struct fs_attr *attr);
/* target: 1..FS_PATH_MAX - 1 bytes, no NUL. */
int tmpfs_symlink(struct tmpfs *fs, uint64_t dir, const char *name, size_t len,
    const char *target, size_t tlen, uint32_t uid, uint32_t gid,
    struct fs_attr *attr);
/* The target's length; *target points into the node (valid until the
 * next call that changes anything). */
int64_t tmpfs_readlink(struct tmpfs *fs, uint64_t node, const char **target);
int tmpfs_link(struct tmpfs *fs, uint64_t node, uint64_t dir, const char *name,
    size_t len, struct fs_attr *attr);
int tmpfs_unlink(struct tmpfs *fs, uint64_t dir, const char *name, size_t len);
int tmpfs_rmdir(struct tmpfs *fs, uint64_t dir, const char *name, size_t len);
/* flags: FS_RENAME_NOREPLACE or FS_RENAME_EXCHANGE (not both). */
int tmpfs_rename(struct tmpfs *fs, uint64_t olddir, const char *oldname,
    size_t oldlen, uint64_t newdir, const char *newname, size_t newlen,
    unsigned flags);

int tmpfs_statfs(struct tmpfs *fs, uint64_t node, struct fs_statfs *st);
/* 0 for a node that exists (or node 0): memory is always in sync. */
int tmpfs_sync(struct tmpfs *fs, uint64_t node);
/* The events of `events` that are ready (all of POLLIN|POLLOUT|...NORM). */
int64_t tmpfs_poll(struct tmpfs *fs, uint64_t node, uint64_t events);

#endif /* LICHEN_TMPFS_CORE_H */
