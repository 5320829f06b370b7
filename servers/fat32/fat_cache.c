/*
 * fat_cache.c - device I/O and the block cache.
 *
 * Everything above this file addresses the disk in filesystem sectors
 * (512..4096 bytes); the device callbacks take 512-byte units, and every
 * request is checked against the filesystem's size here, so a corrupt
 * cluster number can never make the core read or write outside it.
 *
 * The cache holds a fixed number of sectors, write-back: a changed
 * sector reaches the device when it is evicted or at cache_flush. A FAT
 * sector is written to every FAT copy, so the copies never differ on the
 * disk. Bulk file data bypasses the cache (direct_read/direct_write go
 * straight between the device and the caller's buffer in one request)
 * and stays coherent with it: a direct read sees cached dirty sectors, a
 * direct write refreshes cached copies. A miss in the FAT reads ahead
 * (a run of FAT sectors in one request), so walking or scanning the FAT
 * costs one request per few thousand clusters.
 */
#include "fat_impl.h"

/*
 * Before the first change reaches the disk, the boot sector's state
 * byte gets Linux's dirty bit (FAT_STATE_DIRTY); fat_umount clears it.
 */
#define BOOT_STATE  65
#define STATE_DIRTY 0x01u
#define AHEAD_MAX   32u /* FAT sectors read at once */

static int
mark_dirty(struct fat_fs *fs)
{
	int err;

	if (fs->marked_dirty)
		return 0;
	fs->boot[BOOT_STATE] |= STATE_DIRTY;
	err = fs->ops->write(fs->ctx, 0, fs->dev_per_sector, fs->boot);
	if (err != 0)
		return err < 0 ? err : -EIO;
	fs->marked_dirty = true;
	return 0;
}

int
dev_read(struct fat_fs *fs, uint64_t sector, uint64_t count, void *buf)
{
	int err;

	if (sector >= fs->total_sectors || count > fs->total_sectors - sector)
		return -EIO;
	err = fs->ops->read(fs->ctx, sector * fs->dev_per_sector,
	    (uint32_t)(count * fs->dev_per_sector), buf);
	return err == 0 ? 0 : err < 0 ? err : -EIO;
}

int
dev_write(struct fat_fs *fs, uint64_t sector, uint64_t count, const void *buf)
{
	int err;

	if (sector >= fs->total_sectors || count > fs->total_sectors - sector)
		return -EIO;
	err = mark_dirty(fs);
	if (err != 0)
		return err;
	err = fs->ops->write(fs->ctx, sector * fs->dev_per_sector,
	    (uint32_t)(count * fs->dev_per_sector), buf);
	return err == 0 ? 0 : err < 0 ? err : -EIO;
}

int
cache_init(struct fat_fs *fs, uint32_t nblocks)
{
	uint32_t nhash = 1;
	uint8_t *mem;

	while (nhash < 2 * nblocks)
		nhash <<= 1;
	fs->ahead_max = nblocks / 4 < AHEAD_MAX ? nblocks / 4 : AHEAD_MAX;
	fs->blocks = fs->ops->alloc(nblocks * sizeof(*fs->blocks));
	fs->hash = fs->ops->alloc(nhash * sizeof(*fs->hash));
	fs->ahead = fs->ops->alloc((size_t)fs->ahead_max * fs->sector_size);
	mem = fs->ops->alloc((size_t)nblocks * fs->sector_size);
	if (fs->blocks == NULL || fs->hash == NULL || fs->ahead == NULL ||
	    mem == NULL) {
		if (mem != NULL)
			fs->ops->free(mem);
		cache_fini(fs);
		return -ENOMEM;
	}
	fs->nblocks = nblocks;
	fs->hash_mask = nhash - 1;
	for (uint32_t i = 0; i < nhash; i++)
		fs->hash[i] = -1;
	for (uint32_t i = 0; i < nblocks; i++) {
		fs->blocks[i] = (struct fat_block){
		    .next = -1, .data = mem + (size_t)i * fs->sector_size};
	}
	return 0;
}

void
cache_fini(struct fat_fs *fs)
{
	if (fs->blocks != NULL && fs->nblocks > 0)
		fs->ops->free(fs->blocks[0].data);
	if (fs->blocks != NULL)
		fs->ops->free(fs->blocks);
	if (fs->hash != NULL)
		fs->ops->free(fs->hash);
	if (fs->ahead != NULL)
		fs->ops->free(fs->ahead);
	fs->ahead = NULL;
	fs->blocks = NULL;
	fs->hash = NULL;
	fs->nblocks = 0;
}

static uint32_t
hash_of(const struct fat_fs *fs, uint64_t sector)
{
	return (uint32_t)((sector * 0x9e3779b97f4a7c15ULL) >> 32) &
	       fs->hash_mask;
}

static struct fat_block *
cache_lookup(struct fat_fs *fs, uint64_t sector)
{
	for (int32_t i = fs->hash[hash_of(fs, sector)]; i >= 0;
	     i = fs->blocks[i].next) {
		if (fs->blocks[i].sector == sector)
			return &fs->blocks[i];
	}
	return NULL;
}

static void
cache_unhash(struct fat_fs *fs, struct fat_block *b)
{
	int32_t *link = &fs->hash[hash_of(fs, b->sector)];
	int32_t self = (int32_t)(b - fs->blocks);

	while (*link != self)
		link = &fs->blocks[*link].next;
	*link = b->next;
	b->next = -1;
	b->valid = false;
}

static bool
is_fat_sector(const struct fat_fs *fs, uint64_t sector)
{
	return sector >= fs->fat_start &&
	       sector - fs->fat_start < fs->fat_sectors;
}

/* Writes one dirty block back: a FAT sector to every copy of the FAT. */
static int
block_write(struct fat_fs *fs, struct fat_block *b)
{
	uint32_t copies = is_fat_sector(fs, b->sector) ? fs->nfats : 1;

	for (uint32_t k = 0; k < copies; k++) {
		int err = dev_write(
		    fs, b->sector + (uint64_t)k * fs->fat_sectors, 1, b->data);

		if (err != 0)
			return err;
	}
	b->dirty = false;
	return 0;
}

/* The block to reuse: an empty one, else the least recently used. */
static int
cache_victim(struct fat_fs *fs, struct fat_block **bp)
{
	struct fat_block *best = NULL;
	int err;

	for (uint32_t i = 0; i < fs->nblocks; i++) {
		struct fat_block *b = &fs->blocks[i];

		if (!b->valid) {
			best = b;
			break;
		}
		if (best == NULL || b->used < best->used)
			best = b;
	}
	if (best->valid && best->dirty) {
		err = block_write(fs, best);
		if (err != 0)
			return err;
	}
	if (best->valid)
		cache_unhash(fs, best);
	*bp = best;
	return 0;
}

/* Puts a block for sector in the table, its contents from src (if any). */
static int
cache_insert(struct fat_fs *fs, uint64_t sector, const uint8_t *src,
    struct fat_block **bp)
{
	struct fat_block *b;
	int err = cache_victim(fs, &b);

	if (err != 0)
		return err;
	if (src != NULL)
		memcpy(b->data, src, fs->sector_size);
	b->sector = sector;
	b->valid = true;
	b->dirty = false;
	b->used = ++fs->clock;
	b->next = fs->hash[hash_of(fs, sector)];
	fs->hash[hash_of(fs, sector)] = (int32_t)(b - fs->blocks);
	*bp = b;
	return 0;
}

/*
 * A missed FAT sector: reads it and the uncached FAT sectors right after
 * it in one request. The run stops at the first cached sector (which
 * may be newer than the disk), and it is at most a quarter of the
 * cache, so making room for it never evicts a block of the run itself.
 */
static int
cache_read_ahead(struct fat_fs *fs, uint64_t sector, struct fat_block **bp)
{
	uint64_t left = fs->fat_start + (uint64_t)fs->fat_sectors - sector;
	uint32_t n = 1;
	int err;

	while (n < fs->ahead_max && n < left &&
	       cache_lookup(fs, sector + n) == NULL)
		n++;
	err = dev_read(fs, sector, n, fs->ahead);
	/* the wanted sector last, so that it is the newest block */
	for (uint32_t i = 1; err == 0 && i < n; i++) {
		struct fat_block *b;

		err = cache_insert(fs, sector + i,
		    fs->ahead + (size_t)i * fs->sector_size, &b);
	}
	return err != 0 ? err : cache_insert(fs, sector, fs->ahead, bp);
}

/*
 * The cached copy of a sector, read from the device if fill (else its
 * contents are whatever they were: the caller overwrites all of it).
 * The block stays valid until the next cache_get.
 */
int
cache_get(struct fat_fs *fs, uint64_t sector, bool fill, struct fat_block **bp)
{
	struct fat_block *b = cache_lookup(fs, sector);
	int err;

	if (b != NULL) {
		b->used = ++fs->clock;
		*bp = b;
		return 0;
	}
	if (sector >= fs->total_sectors)
		return -EIO;
	if (fill && fs->ahead_max > 1 && is_fat_sector(fs, sector))
		return cache_read_ahead(fs, sector, bp);
	err = cache_insert(fs, sector, NULL, &b);
	if (err == 0 && fill) {
		err = dev_read(fs, sector, 1, b->data);
		if (err != 0)
			cache_unhash(fs, b);
	}
	*bp = b;
	return err;
}

/*
 * Writes the dirty run starting at block low: it and the dirty blocks
 * of the sectors right after it (in the same region: FAT or not), in
 * one request per copy, through the read-ahead buffer.
 */
static int
write_run(struct fat_fs *fs, struct fat_block *low)
{
	bool fat = is_fat_sector(fs, low->sector);
	uint32_t copies = fat ? fs->nfats : 1, n = 0;
	struct fat_block *b = low;

	while (n < fs->ahead_max && b != NULL && b->dirty &&
	       is_fat_sector(fs, b->sector) == fat) {
		memcpy(fs->ahead + (size_t)n * fs->sector_size, b->data,
		    fs->sector_size);
		n++;
		b = cache_lookup(fs, low->sector + n);
	}
	if (n <= 1)
		return block_write(fs, low);
	for (uint32_t k = 0; k < copies; k++) {
		int err = dev_write(fs,
		    low->sector + (uint64_t)k * fs->fat_sectors, n, fs->ahead);

		if (err != 0)
			return err;
	}
	for (uint32_t i = 0; i < n; i++)
		cache_lookup(fs, low->sector + i)->dirty = false;
	return 0;
}

/*
 * Writes every dirty block, lowest sector first, runs of consecutive
 * sectors in one request (each pass picks the lowest dirty block left).
 */
int
cache_flush(struct fat_fs *fs)
{
	for (;;) {
		struct fat_block *low = NULL;
		int err;

		for (uint32_t i = 0; i < fs->nblocks; i++) {
			struct fat_block *b = &fs->blocks[i];

			if (b->valid && b->dirty &&
			    (low == NULL || b->sector < low->sector))
				low = b;
		}
		if (low == NULL)
			return 0;
		err = write_run(fs, low);
		if (err != 0)
			return err;
	}
}

static bool
in_range(uint64_t s, uint64_t start, uint64_t count)
{
	return s >= start && s - start < count;
}

/* Reads sectors straight into buf, then lays cached changes over them. */
int
direct_read(struct fat_fs *fs, uint64_t sector, uint64_t count, void *buf)
{
	int err = dev_read(fs, sector, count, buf);

	if (err != 0)
		return err;
	for (uint32_t i = 0; i < fs->nblocks; i++) {
		struct fat_block *b = &fs->blocks[i];

		if (b->valid && b->dirty && in_range(b->sector, sector, count))
			memcpy((uint8_t *)buf +
				   ((b->sector - sector) << fs->sector_shift),
			    b->data, fs->sector_size);
	}
	return 0;
}

/* Writes sectors straight from buf; cached copies take the new data. */
int
direct_write(
    struct fat_fs *fs, uint64_t sector, uint64_t count, const void *buf)
{
	int err = dev_write(fs, sector, count, buf);

	if (err != 0)
		return err;
	for (uint32_t i = 0; i < fs->nblocks; i++) {
		struct fat_block *b = &fs->blocks[i];

		if (b->valid && in_range(b->sector, sector, count)) {
			memcpy(b->data,
			    (const uint8_t *)buf +
				((b->sector - sector) << fs->sector_shift),
			    fs->sector_size);
			b->dirty = false;
		}
	}
	return 0;
}

/* Reads len bytes at byte address addr through the cache. */
int
bytes_read(struct fat_fs *fs, uint64_t addr, void *buf, size_t len)
{
	uint8_t *out = buf;

	while (len > 0) {
		struct fat_block *b;
		uint32_t in = (uint32_t)(addr & (fs->sector_size - 1));
		size_t n =
		    fs->sector_size - in < len ? fs->sector_size - in : len;
		int err = cache_get(fs, addr >> fs->sector_shift, true, &b);

		if (err != 0)
			return err;
		memcpy(out, b->data + in, n);
		out += n;
		addr += n;
		len -= n;
	}
	return 0;
}

/* Writes len bytes at byte address addr through the cache; buf NULL
 * writes zeros. A whole sector is not read first. */
int
bytes_write(struct fat_fs *fs, uint64_t addr, const void *buf, size_t len)
{
	const uint8_t *in_buf = buf;

	while (len > 0) {
		struct fat_block *b;
		uint32_t in = (uint32_t)(addr & (fs->sector_size - 1));
		size_t n =
		    fs->sector_size - in < len ? fs->sector_size - in : len;
		int err = cache_get(
		    fs, addr >> fs->sector_shift, n < fs->sector_size, &b);

		if (err != 0)
			return err;
		if (in_buf != NULL) {
			memcpy(b->data + in, in_buf, n);
			in_buf += n;
		} else {
			memset(b->data + in, 0, n);
		}
		b->dirty = true;
		addr += n;
		len -= n;
	}
	return 0;
}
