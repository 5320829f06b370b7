/*
 * devfs.h - devtmpfs's host-testable core (docs/devtmpfs.md): the tree
 * of /dev (devfs_core.c) and the random number generator behind
 * /dev/random and /dev/urandom (random.c). Neither does IPC; handlers.c
 * decodes PROTO_FS into these calls, console.c drives the terminal.
 *
 * The tree is fixed: every node is made at start, none is ever removed,
 * so a node id is its index in the table plus one (the root is 1) and a
 * directory position is an index too, stable by construction.
 */
#ifndef DEVFS_H
#define DEVFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <lichen/proto/fs.h>

#define DEVTMPFS_NAME	"fs/devtmpfs"

/* What a node is; the memory devices are answered here, the tty by console.c. */
enum dev_kind {
	DK_DIR,
	DK_LINK,
	DK_NULL,
	DK_ZERO,
	DK_FULL,
	DK_RANDOM,		/* random and urandom: the same generator */
	DK_TTY,			/* console, tty, ttyAMA0: the one terminal */
	DK_BLK,			/* a disk of the name service (disk.c) */
};

#define DEVFS_ROOT	1u
#define DEVFS_MAJOR(rdev)	((uint32_t)((rdev) >> 8))
/* Linux's makedev for the small numbers /dev uses (major << 8 | minor). */
#define DEVFS_MKDEV(ma, mi)	((uint64_t)(ma) << 8 | (uint64_t)(mi))

struct dev_node {
	const char *name;
	enum dev_kind kind;
	uint32_t parent;		/* its directory's id (the root: itself) */
	const char *target;		/* a symlink's */
	bool absent;			/* a disk's slot, until the disk is found */
	uint8_t disk;			/* DK_BLK: its index in disk.c's table */
	struct fs_attr attr;		/* ino, mode, owner, rdev, times */
};

/* The wall clock for the tree's times (0 without one). */
typedef struct fs_time (*devfs_clock_fn)(void);

/* Makes the tree, every node's times set to clock()'s. */
void devfs_init(devfs_clock_fn clock);

/* The node with this id, or NULL (an absent disk's too). */
struct dev_node *devfs_node(uint64_t id);
/* The nodes there are (absent disks left out). */
unsigned devfs_count(void);

/*
 * The disks' slots: DEVFS_NDISKS block nodes, vda..vdh then ram0..ram7,
 * each absent until devfs_attach (disk.c found its blk/NAME). The slot
 * of index i (0..DEVFS_NDISKS-1), or NULL; the absent slot called
 * name[0..len) in dir, or NULL.
 */
#define DEVFS_NDISKS	16u
struct dev_node *devfs_disk(unsigned i);
struct dev_node *devfs_absent(uint64_t dir, const char *name, size_t len);
/* The slot is a node from now on: in its directory, its times now. */
void devfs_attach(struct dev_node *n);

/* FS_LOOKUP: the child's attributes, -ENOENT, -ENOTDIR, -ENAMETOOLONG. */
int devfs_lookup(uint64_t dir, const char *name, size_t len, struct fs_attr *out);
int devfs_getattr(uint64_t id, struct fs_attr *out);
/* FS_SETATTR: mode, owner and times; a size is -EINVAL (-EISDIR on a directory). */
int devfs_setattr(uint64_t id, const struct fs_setattr *sa, struct fs_attr *out);
/* FS_READDIR from pos into buf (room bytes): bytes written, 0 at the end. */
int64_t devfs_readdir(uint64_t dir, uint64_t pos, char *buf, size_t room);
/* FS_READLINK: the target's length, *target set; -EINVAL if no symlink. */
int64_t devfs_readlink(uint64_t id, const char **target);
int devfs_statfs(uint64_t id, struct fs_statfs *out);

/* --- random.c: ChaCha20 (RFC 8439) and the generator on it --- */

/* The block function: 64 bytes of key stream for (key, counter, nonce). */
void chacha20_block(const uint32_t key[8], uint32_t counter,
    const uint32_t nonce[3], uint8_t out[64]);

/* Mixes len bytes of (maybe guessable) input into the generator's key. */
void rng_mix(const void *data, size_t len);
/* len bytes of output; the key is replaced afterwards (fast key erasure). */
void rng_read(void *buf, size_t len);

#endif
