/*
 * fat_core.h - the FAT32 filesystem, as a library (docs/fat32.md).
 *
 * The core owns everything about the on-disk format: the BPB, the FAT,
 * directories with long names, the block cache and the node table. It
 * does no I/O of its own and no allocation of its own: the caller gives
 * it a struct fat_ops (device read/write, alloc/free, the time of day).
 * The fat32 server calls one fat_* function per PROTO_FS request; the
 * unit tests call them against images made by mkfs.fat and mtools.
 *
 * Every function returns 0 (or a count) on success and a negative Linux
 * errno on failure. Nothing here is thread-safe: one caller at a time.
 *
 * Nodes are FUSE-like: fat_lookup, fat_create and fat_mkdir give the
 * caller one reference to the node they return, fat_forget gives them
 * back. A node id is the inode number; it never changes while the node
 * is known (rename keeps it) and is never reused within a mount. The
 * root is FAT_ROOT_ID and always exists. A file that is unlinked while
 * referenced keeps its data until the last reference is forgotten.
 */
#ifndef LICHEN_FAT_CORE_H
#define LICHEN_FAT_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FAT_ROOT_ID	1u     /* as Linux's MSDOS_ROOT_INO */
#define FAT_NAME_MAX	255u   /* UTF-16 units in a long name */
#define FAT_SUPER_MAGIC 0x4d44 /* Linux's MSDOS_SUPER_MAGIC */
#define FAT_DEV_SECTOR	512u   /* the unit of fat_ops read/write */

/* Linux's file types, the DT_* values readdir reports, RENAME_* flags. */
#define FAT_S_IFMT	     0170000u
#define FAT_S_IFDIR	     0040000u
#define FAT_S_IFREG	     0100000u
#define FAT_DT_DIR	     4u
#define FAT_DT_REG	     8u
#define FAT_RENAME_NOREPLACE 0x1u
#define FAT_RENAME_EXCHANGE  0x2u /* not supported: -EINVAL */

struct fat_time {
	int64_t sec; /* since the epoch, UTC */
	int64_t nsec;
};

/*
 * What the core needs from its host. Device addresses and counts are in
 * FAT_DEV_SECTOR (512-byte) units whatever the filesystem's own sector
 * size is; read and write return 0 or a negative errno and must move all
 * count sectors. alloc returns NULL when out of memory. now gives the
 * real time (FAT stores it as local time; the core treats it as UTC).
 * flush, if not NULL, asks the device to put its write cache on the
 * medium (PROTO_BLOCK's BLOCK_FLUSH); fat_sync calls it last.
 */
struct fat_ops {
	int (*read)(void *ctx, uint64_t sector, uint32_t count, void *buf);
	int (*write)(
	    void *ctx, uint64_t sector, uint32_t count, const void *buf);
	void *(*alloc)(size_t size);
	void (*free)(void *p);
	void (*now)(void *ctx, struct fat_time *t);
	int (*flush)(void *ctx);
};

struct fat_params {
	uint64_t dev_sectors;  /* the device's size; 0 if unknown */
	uint32_t cache_blocks; /* filesystem sectors cached; 0: 256 */
};

/* A node's attributes: the layout of PROTO_FS's struct fs_attr. */
struct fat_attr {
	uint64_t ino;
	uint32_t mode;
	uint32_t nlink;
	uint32_t uid, gid; /* always 0 */
	uint64_t rdev;	   /* always 0 */
	int64_t size;
	int64_t blocks;	  /* 512-byte units allocated */
	uint32_t blksize; /* the cluster size */
	uint32_t pad;
	struct fat_time atime, mtime, ctime;
};

/* fat_setattr: what to change (the FS_SET_* values of PROTO_FS). */
#define FAT_SET_MODE  0x01u
#define FAT_SET_UID   0x02u
#define FAT_SET_GID   0x04u
#define FAT_SET_SIZE  0x08u
#define FAT_SET_ATIME 0x10u
#define FAT_SET_MTIME 0x20u
#define FAT_SET_CTIME 0x40u /* accepted, not stored: ctime is mtime */

struct fat_setattr {
	uint32_t valid;
	uint32_t mode;
	uint32_t uid, gid;
	int64_t size;
	struct fat_time atime, mtime, ctime;
};

/* The layout of PROTO_FS's struct fs_statfs. */
struct fat_statfs {
	int64_t type;			/* FAT_SUPER_MAGIC */
	int64_t bsize;			/* the cluster size */
	uint64_t blocks, bfree, bavail; /* clusters */
	uint64_t files, ffree;		/* 0: FAT has no inode table */
	int64_t namelen;		/* FAT_NAME_MAX */
	int64_t frsize;
	int64_t flags;
};

/*
 * fat_readdir's callback, once per entry: the name in UTF-8 (not
 * NUL-terminated), its inode number, FAT_DT_*, and the cookie that
 * continues after it. Returning nonzero stops the walk without
 * consuming the entry (the caller's buffer is full).
 */
typedef int (*fat_fill_fn)(void *arg, const char *name, size_t len,
    uint64_t ino, unsigned type, uint64_t next_cookie);

struct fat_fs;

/*
 * Checks the BPB, reads FSInfo, counts the free clusters and returns a
 * mounted filesystem in *fsp. -EINVAL: not FAT32; -EIO: a FAT32 whose
 * numbers do not add up (or the device failed); -ENOMEM.
 */
int fat_mount(struct fat_fs **fsp, const struct fat_ops *ops, void *ctx,
    const struct fat_params *params);

/* Writes everything back, clears the dirty mark, frees the fs. */
int fat_umount(struct fat_fs *fs);

/* Writes every dirty block (both FATs, directories, data) and FSInfo. */
int fat_sync(struct fat_fs *fs);

/* Whether any node but the root is referenced (FS_UMOUNT's -EBUSY). */
bool fat_busy(const struct fat_fs *fs);

/* Whether the volume was marked dirty (not cleanly unmounted) at mount. */
bool fat_was_dirty(const struct fat_fs *fs);

/* Name operations: dir is a directory node, name is UTF-8, no NUL. */
int fat_lookup(struct fat_fs *fs, uint64_t dir, const char *name, size_t len,
    struct fat_attr *attr);
int fat_create(struct fat_fs *fs, uint64_t dir, const char *name, size_t len,
    uint32_t mode, struct fat_attr *attr);
int fat_mkdir(struct fat_fs *fs, uint64_t dir, const char *name, size_t len,
    uint32_t mode, struct fat_attr *attr);
int fat_unlink(struct fat_fs *fs, uint64_t dir, const char *name, size_t len);
int fat_rmdir(struct fat_fs *fs, uint64_t dir, const char *name, size_t len);
int fat_rename(struct fat_fs *fs, uint64_t olddir, const char *oldname,
    size_t oldlen, uint64_t newdir, const char *newname, size_t newlen,
    unsigned flags);

/* Drops n references; a node nobody refers to leaves the table. */
int fat_forget(struct fat_fs *fs, uint64_t node, uint64_t n);

int fat_getattr(struct fat_fs *fs, uint64_t node, struct fat_attr *attr);
int fat_setattr(struct fat_fs *fs, uint64_t node, const struct fat_setattr *sa,
    struct fat_attr *attr);
int fat_truncate(
    struct fat_fs *fs, uint64_t node, uint64_t size, struct fat_attr *attr);

/* Bytes read (0 at or past the end) or written; writes may be short
 * only when the disk fills. */
int64_t fat_read(
    struct fat_fs *fs, uint64_t node, uint64_t off, void *buf, size_t len);
int64_t fat_write(struct fat_fs *fs, uint64_t node, uint64_t off,
    const void *buf, size_t len);

/*
 * Calls fill for each entry from cookie on ("." and ".." first; 0 is the
 * start). A cookie is an entry's byte offset in the directory, as in
 * Linux, so it stays valid while other entries come and go.
 */
int fat_readdir(struct fat_fs *fs, uint64_t dir, uint64_t cookie,
    fat_fill_fn fill, void *arg);

int fat_statfs(struct fat_fs *fs, struct fat_statfs *st);

#endif /* LICHEN_FAT_CORE_H */
