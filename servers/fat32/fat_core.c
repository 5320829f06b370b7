/*
 * fat_core.c - mounting, syncing, and the per-node operations of
 * fat_core.h (attributes, contents, readdir). Name operations are in
 * fat_ops.c.
 *
 * Mount checks the BPB the way Linux's fat_fill_super does, and more:
 * whatever the BPB claims must fit the FAT, the filesystem and the
 * device. FSInfo's free count is read but the FAT is counted anyway;
 * the count written back at sync is the real one.
 */
#include "fat_impl.h"

#define CACHE_DEFAULT 256u
#define CACHE_MIN     16u

/* Offsets in the boot sector and FSInfo. */
#define BPB_BPS	      11
#define BPB_SPC	      13
#define BPB_RESERVED  14
#define BPB_NFATS     16
#define BPB_ROOT_ENTS 17
#define BPB_TOTAL16   19
#define BPB_MEDIA     21
#define BPB_FAT16_LEN 22
#define BPB_TOTAL32   32
#define BPB_FAT32_LEN 36
#define BPB_ROOT_CLUS 44
#define BPB_FSINFO    48
#define BOOT_SIG      510
#define BOOT_STATE    65
#define FSI_LEAD      0
#define FSI_STRUCT    484
#define FSI_FREE      488
#define FSI_NEXT      492
#define FSI_TRAIL     508

static bool
power_of_2(uint32_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

static unsigned
log2_of(uint32_t v)
{
	unsigned s = 0;

	while ((1u << s) < v)
		s++;
	return s;
}

/* Is this FAT32 at all? -EINVAL if not (fat_fill_super's checks). */
static int
bpb_is_fat32(const uint8_t *b)
{
	uint32_t bps = get16(b + BPB_BPS), media = b[BPB_MEDIA];

	if (b[BOOT_SIG] != 0x55 || b[BOOT_SIG + 1] != 0xAA)
		return -EINVAL;
	if (bps < 512 || bps > 4096 || !power_of_2(bps))
		return -EINVAL;
	if (!power_of_2(b[BPB_SPC]) || get16(b + BPB_RESERVED) == 0 ||
	    b[BPB_NFATS] == 0)
		return -EINVAL;
	if (media != 0xF0 && media < 0xF8)
		return -EINVAL;
	if (get16(b + BPB_FAT16_LEN) != 0 || get16(b + BPB_ROOT_ENTS) != 0 ||
	    get32(b + BPB_FAT32_LEN) == 0)
		return -EINVAL; /* FAT12/16 */
	if (get16(b + BPB_TOTAL16) == 0 && get32(b + BPB_TOTAL32) == 0)
		return -EINVAL;
	return 0;
}

/* Takes the geometry; -EIO where the numbers do not fit together. */
static int
bpb_geometry(struct fat_fs *fs, const uint8_t *b, uint64_t dev_sectors)
{
	uint64_t total = get16(b + BPB_TOTAL16), clusters;

	if (total == 0)
		total = get32(b + BPB_TOTAL32);
	fs->sector_size = get16(b + BPB_BPS);
	fs->sector_shift = log2_of(fs->sector_size);
	fs->dev_per_sector = fs->sector_size / FAT_DEV_SECTOR;
	fs->cluster_sectors = b[BPB_SPC];
	fs->cluster_size = fs->sector_size * fs->cluster_sectors;
	fs->cluster_shift = log2_of(fs->cluster_size);
	fs->fat_start = get16(b + BPB_RESERVED);
	fs->fat_sectors = get32(b + BPB_FAT32_LEN);
	fs->nfats = b[BPB_NFATS];
	fs->data_start = fs->fat_start + (uint64_t)fs->nfats * fs->fat_sectors;
	fs->total_sectors = total;
	fs->root_cluster = get32(b + BPB_ROOT_CLUS);
	if (fs->cluster_size > 256 * 1024 || fs->data_start >= total)
		return -EIO;
	clusters = (total - fs->data_start) / fs->cluster_sectors;
	if (clusters == 0 || clusters > FAT_MAX_CLUSTERS)
		return -EIO;
	fs->clusters = (uint32_t)clusters;
	fs->max_cluster = fs->clusters + 1;
	if ((uint64_t)fs->fat_sectors * fs->sector_size / 4 < clusters + 2)
		return -EIO; /* the FAT cannot map every cluster */
	if (!cluster_ok(fs, fs->root_cluster))
		return -EIO;
	if (dev_sectors != 0 && total * fs->dev_per_sector > dev_sectors)
		return -EIO; /* a truncated device */
	return 0;
}

/* FSInfo, if it is there and signed; its free count is only compared. */
static int
fsinfo_read(struct fat_fs *fs, const uint8_t *b, uint8_t *buf)
{
	uint32_t s = get16(b + BPB_FSINFO);
	int err;

	fs->fsinfo_sector = 0;
	if (s == 0 || s >= fs->fat_start)
		return 0;
	err = dev_read(fs, s, 1, buf);
	if (err != 0)
		return err;
	if (get32(buf + FSI_LEAD) != 0x41615252 ||
	    get32(buf + FSI_STRUCT) != 0x61417272 ||
	    get32(buf + FSI_TRAIL) != 0xAA550000)
		return 0;
	fs->fsinfo_sector = s;
	/* a wrong count is put right at sync; a stale hint alone is not
	 * worth a write to a filesystem that may never change */
	fs->fsinfo_dirty = get32(buf + FSI_FREE) != fs->free_count;
	return 0;
}

static void
fs_destroy(struct fat_fs *fs)
{
	node_release_all(fs);
	cache_fini(fs);
	if (fs->zero != NULL)
		fs->ops->free(fs->zero);
	if (fs->boot != NULL)
		fs->ops->free(fs->boot);
	fs->ops->free(fs);
}

static int
fs_setup(struct fat_fs *fs, const struct fat_params *params)
{
	uint32_t nblocks = params != NULL ? params->cache_blocks : 0;
	int err;

	if (nblocks == 0)
		nblocks = CACHE_DEFAULT;
	if (nblocks < CACHE_MIN)
		nblocks = CACHE_MIN;
	fs->boot = fs->ops->alloc(fs->sector_size);
	fs->zero = fs->ops->alloc(fs->cluster_size);
	if (fs->boot == NULL || fs->zero == NULL)
		return -ENOMEM;
	memset(fs->zero, 0, fs->cluster_size);
	err = dev_read(fs, 0, 1, fs->boot);
	if (err != 0)
		return err;
	fs->was_dirty = (fs->boot[BOOT_STATE] & 0x01) != 0;
	fs->marked_dirty = fs->was_dirty;
	err = cache_init(fs, nblocks);
	if (err == 0)
		err = fat_count_free(fs);
	if (err == 0)
		err = fsinfo_read(fs, fs->boot, fs->zero);
	memset(fs->zero, 0, fs->cluster_size);
	if (err == 0)
		err = node_new_root(fs);
	return err;
}

int
fat_mount(struct fat_fs **fsp, const struct fat_ops *ops, void *ctx,
    const struct fat_params *params)
{
	uint8_t first[FAT_DEV_SECTOR];
	struct fat_fs *fs;
	int err;

	*fsp = NULL;
	err = ops->read(ctx, 0, 1, first);
	if (err != 0)
		return err < 0 ? err : -EIO;
	err = bpb_is_fat32(first);
	if (err != 0)
		return err;
	fs = ops->alloc(sizeof(*fs));
	if (fs == NULL)
		return -ENOMEM;
	memset(fs, 0, sizeof(*fs));
	fs->ops = ops;
	fs->ctx = ctx;
	err = bpb_geometry(fs, first, params != NULL ? params->dev_sectors : 0);
	if (err == 0)
		err = fs_setup(fs, params);
	if (err != 0) {
		fs_destroy(fs);
		return err;
	}
	*fsp = fs;
	return 0;
}

static int
fsinfo_write(struct fat_fs *fs)
{
	uint8_t v[8];
	int err;

	if (fs->fsinfo_sector == 0 || !fs->fsinfo_dirty)
		return 0;
	put32(v, fs->free_count);
	put32(v + 4, fs->next_free);
	err = bytes_write(fs,
	    ((uint64_t)fs->fsinfo_sector << fs->sector_shift) + FSI_FREE, v,
	    sizeof(v));
	if (err == 0)
		fs->fsinfo_dirty = false;
	return err;
}

int
fat_sync(struct fat_fs *fs)
{
	int err = fsinfo_write(fs);

	if (err == 0)
		err = cache_flush(fs);
	if (err == 0 && fs->ops->flush != NULL)
		err = fs->ops->flush(fs->ctx);
	return err;
}

/* The last thing written: the dirty mark off again (unless the volume
 * was dirty before we came, as Linux leaves it). */
static int
mark_clean(struct fat_fs *fs)
{
	int err;

	if (!fs->marked_dirty || fs->was_dirty)
		return 0;
	fs->boot[BOOT_STATE] &= (uint8_t)~0x01u;
	err = fs->ops->write(fs->ctx, 0, fs->dev_per_sector, fs->boot);
	if (err == 0 && fs->ops->flush != NULL)
		err = fs->ops->flush(fs->ctx);
	return err == 0 ? 0 : err < 0 ? err : -EIO;
}

int
fat_umount(struct fat_fs *fs)
{
	int err;

	node_release_all(fs);
	err = fat_sync(fs);
	if (err == 0)
		err = mark_clean(fs);
	fs_destroy(fs);
	return err;
}

bool
fat_busy(const struct fat_fs *fs)
{
	return fs->nnodes > 1;
}

bool
fat_was_dirty(const struct fat_fs *fs)
{
	return fs->was_dirty;
}

int
fat_statfs(struct fat_fs *fs, struct fat_statfs *st)
{
	memset(st, 0, sizeof(*st));
	st->type = FAT_SUPER_MAGIC;
	st->bsize = fs->cluster_size;
	st->frsize = fs->cluster_size;
	st->blocks = fs->clusters;
	st->bfree = fs->free_count;
	st->bavail = fs->free_count;
	st->namelen = FAT_NAME_MAX;
	return 0;
}

static int
node_lookup(struct fat_fs *fs, uint64_t id, struct fat_node **np)
{
	*np = node_find(fs, id);
	return *np == NULL ? -ENOENT : 0;
}

int
fat_forget(struct fat_fs *fs, uint64_t node, uint64_t n)
{
	struct fat_node *np;
	int err = node_lookup(fs, node, &np);

	if (err == 0)
		node_drop_refs(fs, np, n);
	return err;
}

int
fat_getattr(struct fat_fs *fs, uint64_t node, struct fat_attr *attr)
{
	struct fat_node *n;
	int err = node_lookup(fs, node, &n);

	if (err == 0)
		node_attr(fs, n, attr);
	return err;
}

/*
 * Linux's fat_sanitize_mode with the default masks (022): the read and
 * execute bits cannot change, and the write bits are all of the user's
 * (writable) or none (ATTR_RO); a directory cannot be read-only.
 */
static int
mode_check(const struct fat_node *n, uint32_t mode)
{
	uint32_t perm = mode & 0777 & ~022u;

	if (mode & ~(FAT_S_IFREG | FAT_S_IFDIR | 0777u))
		return -EPERM;
	if ((perm & 0555) != 0555)
		return -EPERM;
	if (node_is_dir(n))
		return (perm & 0222) == 0200 ? 0 : -EPERM;
	return (perm & 0222) == 0 || (perm & 0222) == 0200 ? 0 : -EPERM;
}

static void
apply_times(struct fat_node *n, const struct fat_setattr *sa)
{
	uint16_t date, time;
	uint8_t cs;

	if (sa->valid & FAT_SET_ATIME) {
		time_to_fat(&sa->atime, &date, &time, &cs);
		n->adate = date;
	}
	if (sa->valid & FAT_SET_MTIME)
		time_to_fat(&sa->mtime, &n->mdate, &n->mtime, &cs);
}

int
fat_setattr(struct fat_fs *fs, uint64_t node, const struct fat_setattr *sa,
    struct fat_attr *attr)
{
	struct fat_node *n;
	int err = node_lookup(fs, node, &n);

	if (err != 0)
		return err;
	if (((sa->valid & FAT_SET_UID) && sa->uid != 0) ||
	    ((sa->valid & FAT_SET_GID) && sa->gid != 0))
		return -EPERM; /* vfat without uid=/gid= options */
	if ((sa->valid & FAT_SET_MODE) && mode_check(n, sa->mode) != 0)
		return -EPERM;
	if ((sa->valid & FAT_SET_SIZE) && sa->size < 0)
		return -EINVAL;
	if (sa->valid & FAT_SET_SIZE)
		err = file_truncate(fs, n, (uint64_t)sa->size);
	if (err != 0)
		return err;
	if ((sa->valid & FAT_SET_MODE) && !node_is_dir(n)) {
		if (sa->mode & 0222)
			n->attr &= (uint8_t)~ATTR_RO;
		else
			n->attr |= ATTR_RO;
	}
	apply_times(n, sa);
	err = node_store(fs, n);
	if (err == 0)
		node_attr(fs, n, attr);
	return err;
}

int
fat_truncate(
    struct fat_fs *fs, uint64_t node, uint64_t size, struct fat_attr *attr)
{
	struct fat_node *n;
	int err = node_lookup(fs, node, &n);

	if (err == 0)
		err = file_truncate(fs, n, size);
	if (err == 0)
		node_attr(fs, n, attr);
	return err;
}

int64_t
fat_read(struct fat_fs *fs, uint64_t node, uint64_t off, void *buf, size_t len)
{
	struct fat_node *n;
	int err = node_lookup(fs, node, &n);

	return err != 0 ? err : file_read(fs, n, off, buf, len);
}

int64_t
fat_write(
    struct fat_fs *fs, uint64_t node, uint64_t off, const void *buf, size_t len)
{
	struct fat_node *n;
	int err = node_lookup(fs, node, &n);

	return err != 0 ? err : file_write(fs, n, off, buf, len);
}

/* The inode number readdir shows for e: its node's, or a new one (as
 * Linux's iunique for an inode not in memory). */
static uint64_t
entry_ino(struct fat_fs *fs, struct fat_node *dir, const struct fat_dirent *e)
{
	struct fat_node *n;

	if (e->dots == 1)
		return dir->id;
	if (e->dots == 2)
		return dir->parent != NULL ? dir->parent->id : FAT_ROOT_ID;
	n = node_at(fs, e->pos);
	return n != NULL ? n->id : fs->next_id++;
}

/*
 * The root has no "." and ".." on the disk: as Linux, cookies 0 and 1
 * are them and 2 is the first real slot; every other cookie is a byte
 * offset (a multiple of 32, so never 1 or 2). Returns 1 if fill is full.
 */
static int
root_dots(uint64_t *cookie, fat_fill_fn fill, void *arg)
{
	while (*cookie < 2) {
		size_t len = (size_t)*cookie + 1; /* "." then ".." */

		if (fill(arg, "..", len, FAT_ROOT_ID, FAT_DT_DIR, len) != 0)
			return 1;
		(*cookie)++;
	}
	if (*cookie == 2)
		*cookie = 0;
	return 0;
}

int
fat_readdir(struct fat_fs *fs, uint64_t dirid, uint64_t cookie,
    fat_fill_fn fill, void *arg)
{
	char name[FAT_NAME_MAX * 3];
	struct fat_dirent e;
	struct fat_node *dir;
	uint32_t off;
	int r = node_lookup(fs, dirid, &dir);

	if (r != 0)
		return r;
	if (!node_is_dir(dir))
		return -ENOTDIR;
	if (dir->dead)
		return -ENOENT;
	if (dir == fs->root && root_dots(&cookie, fill, arg) != 0)
		return 0;
	if (cookie % SLOT != 0)
		return -ENOENT;
	if (cookie >= FAT_DIR_MAX)
		return 0;
	off = (uint32_t)cookie;
	while ((r = dir_next(fs, dir, &off, &e)) == 1) {
		size_t len;

		if (dir == fs->root && e.dots != 0)
			continue;
		/* a subdirectory's "." and ".." are its on-disk slots 0, 1 */
		if (e.dots != 0) {
			memcpy(name, "..", 2);
			len = e.dots;
		} else {
			len = name_utf8(e.name.u, e.name.n, name);
		}
		if (fill(arg, name, len, entry_ino(fs, dir, &e),
			(e.de[DE_ATTR] & ATTR_DIR) ? FAT_DT_DIR : FAT_DT_REG,
			off) != 0)
			return 0;
	}
	return r;
}
