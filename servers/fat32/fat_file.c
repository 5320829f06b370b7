/*
 * fat_file.c - file contents.
 *
 * A file's chain is checked once, on first use: it must have exactly as
 * many clusters as its size needs and end there (a loop, a cross-link
 * that runs on into another chain, a free or out-of-range link, or a
 * size larger than the chain all fail this). A file that fails is -EIO
 * for reads, writes and truncation from then on; the rest of the
 * filesystem is untouched.
 *
 * Data moves in runs of contiguous clusters: the whole sectors of a run
 * go between the device and the caller's buffer in one request
 * (direct_read/direct_write), only partial sectors go through the cache.
 */
#include "fat_impl.h"

static uint64_t
clusters_for(const struct fat_fs *fs, uint64_t bytes)
{
	return (bytes + fs->cluster_size - 1) >> fs->cluster_shift;
}

int
file_check_chain(struct fat_fs *fs, struct fat_node *n)
{
	uint64_t need = clusters_for(fs, n->size);
	uint32_t len = 0;
	int err = 0;

	if (n->chain_ok)
		return 0;
	if (n->chain_bad)
		return -EIO;
	if (need > fs->clusters)
		err = -EIO;
	else if (n->first != 0)
		err = chain_length(fs, n->first, (uint32_t)need, &len);
	if (err == 0 && len != need)
		err = -EIO;
	if (err == -EIO)
		n->chain_bad = true;
	else if (err == 0)
		n->chain_ok = true;
	return err;
}

/* Whole sectors of zeros, a cluster's worth at a time. */
static int
write_zero_sectors(struct fat_fs *fs, uint64_t sector, uint64_t count)
{
	while (count > 0) {
		uint64_t k =
		    count < fs->cluster_sectors ? count : fs->cluster_sectors;
		int err = direct_write(fs, sector, k, fs->zero);

		if (err != 0)
			return err;
		sector += k;
		count -= k;
	}
	return 0;
}

/*
 * Moves len bytes at byte address addr (inside one run of clusters):
 * partial sectors through the cache, whole ones directly. A write from
 * buf NULL writes zeros.
 */
static int
xfer_bytes(
    struct fat_fs *fs, uint64_t addr, uint8_t *buf, size_t len, bool write)
{
	uint32_t in = (uint32_t)(addr & (fs->sector_size - 1));
	size_t head = in == 0 ? 0 : fs->sector_size - in;
	uint64_t whole;
	int err = 0;

	if (head > len)
		head = len;
	if (head > 0)
		err = write ? bytes_write(fs, addr, buf, head)
			    : bytes_read(fs, addr, buf, head);
	addr += head;
	len -= head;
	if (buf != NULL)
		buf += head;
	whole = len >> fs->sector_shift;
	if (err == 0 && whole > 0) {
		uint64_t s = addr >> fs->sector_shift;

		if (!write)
			err = direct_read(fs, s, whole, buf);
		else if (buf != NULL)
			err = direct_write(fs, s, whole, buf);
		else
			err = write_zero_sectors(fs, s, whole);
		addr += whole << fs->sector_shift;
		len -= whole << fs->sector_shift;
		if (buf != NULL)
			buf += whole << fs->sector_shift;
	}
	if (err == 0 && len > 0)
		err = write ? bytes_write(fs, addr, buf, len)
			    : bytes_read(fs, addr, buf, len);
	return err;
}

/*
 * The run of contiguous clusters holding file cluster index, at most
 * max long: its first cluster and length. The cursor ends on its last.
 */
static int
file_run(struct fat_fs *fs, struct fat_node *n, uint32_t index, uint64_t max,
    uint32_t *first, uint32_t *len)
{
	uint32_t c, next;
	int err = chain_seek(fs, n, index, &c);

	if (err == 0 && c == 0)
		err = -EIO;
	if (err != 0)
		return err;
	*first = c;
	*len = 1;
	while (*len < max) {
		err = chain_next(fs, c, &next);
		if (err != 0)
			return err;
		if (next != c + 1)
			break;
		c = next;
		n->cur_index = index + *len;
		n->cur_cluster = c;
		(*len)++;
	}
	return 0;
}

/* Reads or writes [off, off + len) of n, whose clusters all exist. */
static int
file_xfer(struct fat_fs *fs, struct fat_node *n, uint64_t off, uint8_t *buf,
    uint64_t len, bool write)
{
	while (len > 0) {
		uint32_t in = (uint32_t)(off & (fs->cluster_size - 1));
		uint32_t c, run;
		uint64_t bytes;
		int err = file_run(fs, n, (uint32_t)(off >> fs->cluster_shift),
		    clusters_for(fs, in + len), &c, &run);

		if (err != 0)
			return err;
		bytes = ((uint64_t)run << fs->cluster_shift) - in;
		if (bytes > len)
			bytes = len;
		err = xfer_bytes(fs,
		    (cluster_sector(fs, c) << fs->sector_shift) + in, buf,
		    (size_t)bytes, write);
		if (err != 0)
			return err;
		off += bytes;
		len -= bytes;
		if (buf != NULL)
			buf += bytes;
	}
	return 0;
}

int64_t
file_read(
    struct fat_fs *fs, struct fat_node *n, uint64_t off, void *buf, size_t len)
{
	int err;

	if (node_is_dir(n))
		return -EISDIR;
	if (off >= n->size || len == 0)
		return 0;
	if (len > n->size - off)
		len = (size_t)(n->size - off);
	err = file_check_chain(fs, n);
	if (err == 0)
		err = file_xfer(fs, n, off, buf, len, false);
	return err != 0 ? err : (int64_t)len;
}

static void
file_modified(struct fat_fs *fs, struct fat_node *n)
{
	uint8_t cs;

	time_now_fat(fs, &n->mdate, &n->mtime, &cs);
	n->attr |= ATTR_ARCH;
}

/*
 * Makes n's chain long enough for end bytes, taking what is free if
 * that is less (*end shrinks; -ENOSPC if not even floor is reached).
 */
static int
file_grow(struct fat_fs *fs, struct fat_node *n, uint64_t floor, uint64_t *end)
{
	uint64_t have = clusters_for(fs, n->size),
		 need = clusters_for(fs, *end);

	if (need <= have)
		return 0;
	if (need - have > fs->free_count) {
		need = have + fs->free_count;
		if (need << fs->cluster_shift <= floor)
			return -ENOSPC;
		*end = need << fs->cluster_shift;
	}
	return chain_extend(fs, n, (uint32_t)have, (uint32_t)(need - have));
}

int64_t
file_write(struct fat_fs *fs, struct fat_node *n, uint64_t off, const void *buf,
    size_t len)
{
	uint64_t end, have;
	int err;

	if (node_is_dir(n))
		return -EISDIR;
	if (len == 0)
		return 0;
	if (off >= FAT_MAX_FILE)
		return -EFBIG;
	if (len > FAT_MAX_FILE - off)
		len = (size_t)(FAT_MAX_FILE - off);
	err = file_check_chain(fs, n);
	if (err != 0)
		return err;
	have = clusters_for(fs, n->size);
	end = off + len;
	err = file_grow(fs, n, off, &end);
	if (err != 0)
		return err;
	len = (size_t)(end - off);
	if (off > n->size)
		err = file_xfer(fs, n, n->size, NULL, off - n->size, true);
	if (err == 0)
		err =
		    file_xfer(fs, n, off, (uint8_t *)(uintptr_t)buf, len, true);
	if (err != 0) {
		chain_cut(fs, n, (uint32_t)have);
		return err;
	}
	if (end > n->size)
		n->size = (uint32_t)end;
	file_modified(fs, n);
	err = node_store(fs, n);
	return err != 0 ? err : (int64_t)len;
}

int
file_truncate(struct fat_fs *fs, struct fat_node *n, uint64_t size)
{
	uint64_t have, end = size;
	int err;

	if (node_is_dir(n))
		return -EISDIR;
	if (size > FAT_MAX_FILE)
		return -EFBIG;
	err = file_check_chain(fs, n);
	if (err != 0)
		return err;
	have = clusters_for(fs, n->size);
	if (size < n->size) {
		err = chain_cut(fs, n, (uint32_t)clusters_for(fs, size));
	} else if (size > n->size) {
		err = file_grow(fs, n, size - 1, &end);
		if (err == 0)
			err = file_xfer(
			    fs, n, n->size, NULL, size - n->size, true);
		if (err != 0)
			chain_cut(fs, n, (uint32_t)have);
	}
	if (err != 0)
		return err;
	n->size = (uint32_t)size;
	file_modified(fs, n);
	return node_store(fs, n);
}
