/*
 * devfs_core.c - the tree of /dev (devfs.h): Linux's device numbers,
 * modes and owners (as a Debian system's udev leaves them), the symlinks
 * into /proc/self/fd, and the PROTO_FS operations on it that need no
 * device: lookup, getattr, setattr, readdir, readlink, statfs.
 *
 * Host-built too (tests/unit/test_devtmpfs.c).
 */
#include <lichen/errno.h>
#include <lichen/string.h>

#include "devfs.h"

#define GID_TTY		5u		/* Debian's "tty" group */
#define GID_DISK	6u		/* Debian's "disk" group */
#define VIRTBLK_MAJOR	254u		/* virtio_blk's dynamic major under QEMU */
#define RAMDISK_MAJOR	1u		/* brd's: ram0 is 1,0 */
#define TMPFS_MAGIC	0x01021994	/* devtmpfs is a tmpfs on Linux */
#define DIRENT_BYTES	20		/* tmpfs's st_size per entry (BOGO_DIRENT_SIZE) */

#define DIR(nm, par, perm) { .name = nm, .kind = DK_DIR, .parent = par, \
	.attr = { .mode = FS_IFDIR | (perm) } }
#define CHR(nm, k, perm, gid_, ma, mi) { .name = nm, .kind = k, .parent = DEVFS_ROOT, \
	.attr = { .mode = FS_IFCHR | (perm), .gid = gid_, .rdev = DEVFS_MKDEV(ma, mi) } }
#define BLK(nm, ma, mi, i) { .name = nm, .kind = DK_BLK, .parent = DEVFS_ROOT, \
	.absent = true, .disk = i, \
	.attr = { .mode = FS_IFBLK | 0660, .gid = GID_DISK, .rdev = DEVFS_MKDEV(ma, mi) } }
#define LNK(nm, to) { .name = nm, .kind = DK_LINK, .parent = DEVFS_ROOT, .target = to, \
	.attr = { .mode = FS_IFLNK | 0777 } }

/* Index i is node i + 1; "" is the root, its own parent. */
static struct dev_node nodes[] = {
	DIR("", DEVFS_ROOT, 0755),
	CHR("null", DK_NULL, 0666, 0, 1, 3),
	CHR("zero", DK_ZERO, 0666, 0, 1, 5),
	CHR("full", DK_FULL, 0666, 0, 1, 7),
	CHR("random", DK_RANDOM, 0666, 0, 1, 8),
	CHR("urandom", DK_RANDOM, 0666, 0, 1, 9),
	CHR("tty", DK_TTY, 0666, GID_TTY, 5, 0),
	CHR("console", DK_TTY, 0600, 0, 5, 1),
	CHR("ttyAMA0", DK_TTY, 0620, GID_TTY, 204, 64),
	LNK("fd", "/proc/self/fd"),
	LNK("stdin", "/proc/self/fd/0"),
	LNK("stdout", "/proc/self/fd/1"),
	LNK("stderr", "/proc/self/fd/2"),
	DIR("pts", DEVFS_ROOT, 0755),
	/* virtio_blk: 16 minors a disk (partitions 1-15, not served) */
	BLK("vda", VIRTBLK_MAJOR, 0, 0), BLK("vdb", VIRTBLK_MAJOR, 16, 1),
	BLK("vdc", VIRTBLK_MAJOR, 32, 2), BLK("vdd", VIRTBLK_MAJOR, 48, 3),
	BLK("vde", VIRTBLK_MAJOR, 64, 4), BLK("vdf", VIRTBLK_MAJOR, 80, 5),
	BLK("vdg", VIRTBLK_MAJOR, 96, 6), BLK("vdh", VIRTBLK_MAJOR, 112, 7),
	BLK("ram0", RAMDISK_MAJOR, 0, 8), BLK("ram1", RAMDISK_MAJOR, 1, 9),
	BLK("ram2", RAMDISK_MAJOR, 2, 10), BLK("ram3", RAMDISK_MAJOR, 3, 11),
	BLK("ram4", RAMDISK_MAJOR, 4, 12), BLK("ram5", RAMDISK_MAJOR, 5, 13),
	BLK("ram6", RAMDISK_MAJOR, 6, 14), BLK("ram7", RAMDISK_MAJOR, 7, 15),
};

#define NNODES	(sizeof(nodes) / sizeof(nodes[0]))
#define FIRST_DISK	(NNODES - DEVFS_NDISKS)	/* the disks' slots come last */

_Static_assert(FIRST_DISK > 0, "the disks' slots are in the table");

static devfs_clock_fn devfs_clock;

unsigned
devfs_count(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < NNODES; i++)
		n += !nodes[i].absent;
	return n;
}

void
devfs_init(devfs_clock_fn clock)
{
	struct fs_time now = clock();

	devfs_clock = clock;

	for (unsigned i = 0; i < NNODES; i++) {
		struct fs_attr *a = &nodes[i].attr;

		a->ino = i + 1;
		a->nlink = 1;
		a->blksize = 4096;
		a->atime = a->mtime = a->ctime = now;
		if (nodes[i].kind == DK_LINK)
			a->size = (int64_t)strlen(nodes[i].target);
		if (nodes[i].kind == DK_DIR) {
			a->nlink = 2;
			a->size = 2 * DIRENT_BYTES;
		}
	}
	for (unsigned i = 1; i < NNODES; i++) {
		struct fs_attr *pa = &nodes[nodes[i].parent - 1].attr;

		if (nodes[i].absent)
			continue;
		pa->size += DIRENT_BYTES;
		if (nodes[i].kind == DK_DIR)
			pa->nlink++;
	}
}

struct dev_node *
devfs_node(uint64_t id)
{
	return id >= 1 && id <= NNODES && !nodes[id - 1].absent ? &nodes[id - 1] : NULL;
}

struct dev_node *
devfs_disk(unsigned i)
{
	return i < DEVFS_NDISKS ? &nodes[FIRST_DISK + i] : NULL;
}

struct dev_node *
devfs_absent(uint64_t dir, const char *name, size_t len)
{
	for (unsigned i = FIRST_DISK; i < NNODES; i++)
		if (nodes[i].absent && nodes[i].parent == dir && strlen(nodes[i].name) == len &&
		    memcmp(nodes[i].name, name, len) == 0)
			return &nodes[i];
	return NULL;
}

/* As Linux's devtmpfs making the node: the directory grows and changes. */
void
devfs_attach(struct dev_node *n)
{
	struct fs_time now = devfs_clock();
	struct fs_attr *pa = &nodes[n->parent - 1].attr;

	if (!n->absent)
		return;
	n->absent = false;
	n->attr.atime = n->attr.mtime = n->attr.ctime = now;
	pa->size += DIRENT_BYTES;
	pa->mtime = pa->ctime = now;
}

static int
dir_get(uint64_t id, struct dev_node **dp)
{
	struct dev_node *d = devfs_node(id);

	if (d == NULL)
		return -ENOENT;
	if (d->kind != DK_DIR)
		return -ENOTDIR;
	*dp = d;
	return 0;
}

int
devfs_lookup(uint64_t dir, const char *name, size_t len, struct fs_attr *out)
{
	struct dev_node *d;
	int r;

	if ((r = dir_get(dir, &d)) != 0)
		return r;
	if (len == 0 || memchr(name, '/', len) != NULL || memchr(name, '\0', len) != NULL)
		return -EINVAL;
	if (len > FS_NAME_MAX)
		return -ENAMETOOLONG;
	for (unsigned i = 1; i < NNODES; i++)
		if (!nodes[i].absent && nodes[i].parent == dir && strlen(nodes[i].name) == len &&
		    memcmp(nodes[i].name, name, len) == 0) {
			*out = nodes[i].attr;
			return 0;
		}
	return -ENOENT;
}

int
devfs_getattr(uint64_t id, struct fs_attr *out)
{
	struct dev_node *n = devfs_node(id);

	if (n == NULL)
		return -ENOENT;
	*out = n->attr;
	return 0;
}

/* vfs checked the caller's right to change these; only the format's limits here. */
int
devfs_setattr(uint64_t id, const struct fs_setattr *sa, struct fs_attr *out)
{
	struct dev_node *n = devfs_node(id);
	struct fs_attr *a;

	if (n == NULL)
		return -ENOENT;
	a = &n->attr;
	if (sa->valid & ~(FS_SET_MODE | FS_SET_UID | FS_SET_GID | FS_SET_SIZE |
	    FS_SET_ATIME | FS_SET_MTIME | FS_SET_CTIME))
		return -EINVAL;
	if (sa->valid & FS_SET_SIZE)
		return n->kind == DK_DIR ? -EISDIR : -EINVAL;
	if (sa->valid & FS_SET_MODE) {
		if (sa->mode & ~07777u)
			return -EINVAL;
		if (n->kind != DK_LINK)		/* a symlink's mode is always 0777 */
			a->mode = (a->mode & FS_IFMT) | sa->mode;
	}
	if (sa->valid & FS_SET_UID)
		a->uid = sa->uid;
	if (sa->valid & FS_SET_GID)
		a->gid = sa->gid;
	if (sa->valid & FS_SET_ATIME)
		a->atime = sa->atime;
	if (sa->valid & FS_SET_MTIME)
		a->mtime = sa->mtime;
	if (sa->valid & FS_SET_CTIME)
		a->ctime = sa->ctime;
	*out = *a;
	return 0;
}

/* Positions: 0 ".", 1 "..", then 2 + the table index of the next child. */
int64_t
devfs_readdir(uint64_t dir, uint64_t pos, char *buf, size_t room)
{
	struct dev_node *d;
	size_t used = 0, n;
	int r;

	if ((r = dir_get(dir, &d)) != 0)
		return r;
	for (;;) {
		const char *name;
		uint64_t ino;
		uint8_t type;

		if (pos == 0 || pos == 1) {
			name = pos == 0 ? "." : "..";
			ino = pos == 0 ? dir : d->parent;
			type = FS_IFDIR >> 12;
		} else {
			uint64_t i = pos - 2;

			while (i < NNODES && (i == 0 || nodes[i].absent || nodes[i].parent != dir))
				i++;
			if (i >= NNODES)
				break;
			pos = i + 2;
			name = nodes[i].name;
			ino = i + 1;
			type = (uint8_t)((nodes[i].attr.mode & FS_IFMT) >> 12);
		}
		n = fs_dirent_put(buf + used, room - used, ino, (int64_t)pos + 1, type,
		    name, strlen(name));
		if (n == 0)
			return used == 0 ? -EINVAL : (int64_t)used;
		used += n;
		pos++;
	}
	return (int64_t)used;
}

int64_t
devfs_readlink(uint64_t id, const char **target)
{
	struct dev_node *n = devfs_node(id);

	if (n == NULL)
		return -ENOENT;
	if (n->kind != DK_LINK)
		return -EINVAL;
	*target = n->target;
	return (int64_t)strlen(n->target);
}

int
devfs_statfs(uint64_t id, struct fs_statfs *out)
{
	if (devfs_node(id) == NULL)
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	out->type = TMPFS_MAGIC;
	out->bsize = 4096;
	out->frsize = 4096;
	out->files = devfs_count();
	out->namelen = FS_NAME_MAX;
	return 0;
}

