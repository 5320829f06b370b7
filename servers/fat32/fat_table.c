/*
 * fat_table.c - the file allocation table: entries, chains, allocation.
 *
 * The FAT is read and written through the block cache (fat_cache.c
 * mirrors FAT 0 to the other copies on write-back). Every walk of a
 * chain is bounded by the number of clusters, and every link is checked
 * (a free, reserved, bad or out-of-range next cluster in the middle of a
 * chain is -EIO), so a corrupt FAT costs an error, never a hang.
 *
 * The free count is counted at mount (FSInfo's is only a hint) and kept
 * exact; allocation takes free clusters from a hint onwards so a file
 * that grows stays contiguous when it can.
 */
#include "fat_impl.h"

static int
fat_locate(struct fat_fs *fs, uint32_t c, uint64_t *addr)
{
	if (c > fs->max_cluster)
		return -EIO;
	*addr = ((uint64_t)fs->fat_start << fs->sector_shift) + (uint64_t)c * 4;
	return 0;
}

/* FAT[c], its top four (reserved) bits masked off. */
int
fat_get(struct fat_fs *fs, uint32_t c, uint32_t *val)
{
	uint8_t raw[4];
	uint64_t addr;
	int err = fat_locate(fs, c, &addr);

	if (err == 0)
		err = bytes_read(fs, addr, raw, 4);
	if (err == 0)
		*val = get32(raw) & FAT_ENTRY_MASK;
	return err;
}

/* FAT[c] = val, keeping the top four bits as the spec asks. */
int
fat_set(struct fat_fs *fs, uint32_t c, uint32_t val)
{
	uint8_t raw[4];
	uint64_t addr;
	int err = fat_locate(fs, c, &addr);

	if (err == 0)
		err = bytes_read(fs, addr, raw, 4);
	if (err != 0)
		return err;
	put32(raw, (get32(raw) & ~FAT_ENTRY_MASK) | (val & FAT_ENTRY_MASK));
	return bytes_write(fs, addr, raw, 4);
}

/* The cluster after c: *next = 0 at the end of the chain; -EIO for a
 * link to a free, reserved, bad or nonexistent cluster. */
int
chain_next(struct fat_fs *fs, uint32_t c, uint32_t *next)
{
	uint32_t v;
	int err = fat_get(fs, c, &v);

	if (err != 0)
		return err;
	if (v >= FAT_EOC) {
		*next = 0;
		return 0;
	}
	if (!cluster_ok(fs, v))
		return -EIO;
	*next = v;
	return 0;
}

/* The length of the chain at first; -EIO if it exceeds limit clusters
 * (a loop, or more than the caller knows can be there). */
int
chain_length(struct fat_fs *fs, uint32_t first, uint32_t limit, uint32_t *len)
{
	uint32_t n = 0;

	if (first != 0 && !cluster_ok(fs, first))
		return -EIO;
	for (uint32_t c = first; c != 0; n++) {
		int err;

		if (n >= limit)
			return -EIO;
		err = chain_next(fs, c, &c);
		if (err != 0)
			return err;
	}
	*len = n;
	return 0;
}

/*
 * *c = cluster number index of n's chain (0 if the chain is shorter),
 * walking on from the node's cursor when it is not past index, so that
 * sequential access costs one FAT lookup per cluster.
 */
int
chain_seek(struct fat_fs *fs, struct fat_node *n, uint32_t index, uint32_t *c)
{
	uint32_t i = 0, cl = n->first;

	*c = 0;
	if (cl == 0)
		return 0;
	if (n->cur_cluster != 0 && n->cur_index <= index) {
		i = n->cur_index;
		cl = n->cur_cluster;
	}
	if (!cluster_ok(fs, cl))
		return -EIO;
	while (i < index) {
		int err;

		if (i >= fs->clusters)
			return -EIO;
		err = chain_next(fs, cl, &cl);
		if (err != 0)
			return err;
		if (cl == 0)
			return 0;
		i++;
	}
	n->cur_index = i;
	n->cur_cluster = cl;
	*c = cl;
	return 0;
}

/* Takes one free cluster as the new end of a chain whose end was prev. */
static int
take_cluster(struct fat_fs *fs, uint32_t c, uint32_t prev, uint32_t *first)
{
	int err = fat_set(fs, c, FAT_EOC_MARK);

	if (err != 0)
		return err;
	fs->free_count--;
	if (prev != 0)
		return fat_set(fs, prev, c);
	*first = c;
	return 0;
}

/*
 * Allocates a chain of count clusters (ended, not linked anywhere),
 * looking from hint onwards. All or nothing: -ENOSPC (or an I/O error)
 * leaves every cluster as it was.
 */
int
chain_alloc(struct fat_fs *fs, uint32_t count, uint32_t hint, uint32_t *first)
{
	uint32_t c = cluster_ok(fs, hint) ? hint : fs->next_free;
	uint32_t prev = 0, got = 0;
	int err = 0;

	*first = 0;
	if (count == 0)
		return 0;
	if (count > fs->free_count)
		return -ENOSPC;
	if (!cluster_ok(fs, c))
		c = 2;
	for (uint32_t seen = 0; seen < fs->clusters && got < count; seen++) {
		uint32_t v;

		err = fat_get(fs, c, &v);
		if (err == 0 && v == 0) {
			err = take_cluster(fs, c, prev, first);
			prev = c;
			got++;
		}
		if (err != 0)
			break;
		c = c >= fs->max_cluster ? 2 : c + 1;
	}
	if (err == 0 && got < count)
		err = -ENOSPC; /* the count was wrong: the FAT is */
	if (err != 0) {
		chain_free(fs, *first, got);
		*first = 0;
		return err;
	}
	fs->next_free = c;
	fs->fsinfo_dirty = true;
	return 0;
}

/* Frees the chain at first, at most limit clusters of it. */
int
chain_free(struct fat_fs *fs, uint32_t first, uint32_t limit)
{
	uint32_t c = first, n = 0;

	while (c != 0) {
		uint32_t v;
		int err;

		if (n >= limit || !cluster_ok(fs, c))
			return -EIO;
		err = fat_get(fs, c, &v);
		if (err == 0 && v == 0)
			err = -EIO; /* already free: a cross-link */
		if (err == 0)
			err = fat_set(fs, c, 0);
		if (err != 0)
			return err;
		fs->free_count++;
		fs->fsinfo_dirty = true;
		n++;
		c = v >= FAT_EOC ? 0 : v;
	}
	return 0;
}

/*
 * Grows n's chain of have clusters by count. The last cluster must end
 * the chain (a chain longer than the node believes is a cross-link or
 * garbage: -EIO rather than grow it).
 */
int
chain_extend(
    struct fat_fs *fs, struct fat_node *n, uint32_t have, uint32_t count)
{
	uint32_t last = 0, v, first;
	int err;

	if (count == 0)
		return 0;
	if (have > 0) {
		err = chain_seek(fs, n, have - 1, &last);
		if (err == 0 && last == 0)
			err = -EIO;
		if (err == 0)
			err = fat_get(fs, last, &v);
		if (err == 0 && v < FAT_EOC)
			err = -EIO;
		if (err != 0)
			return err;
	}
	err = chain_alloc(fs, count, last != 0 ? last + 1 : 0, &first);
	if (err != 0)
		return err;
	if (last == 0) {
		n->first = first;
		return 0;
	}
	err = fat_set(fs, last, first);
	if (err != 0)
		chain_free(fs, first, count);
	return err;
}

/* Keeps the first keep clusters of n's chain and frees the rest. */
int
chain_cut(struct fat_fs *fs, struct fat_node *n, uint32_t keep)
{
	uint32_t last, next;
	int err;

	if (n->cur_index >= keep)
		n->cur_cluster = 0;
	if (keep == 0) {
		err = chain_free(fs, n->first, fs->clusters);
		n->first = 0;
		return err;
	}
	err = chain_seek(fs, n, keep - 1, &last);
	if (err == 0 && last == 0)
		err = -EIO;
	if (err == 0)
		err = chain_next(fs, last, &next);
	if (err != 0 || next == 0)
		return err;
	err = fat_set(fs, last, FAT_EOC_MARK);
	if (err != 0)
		return err;
	return chain_free(fs, next, fs->clusters);
}

/*
 * Counts the free clusters, reading FAT 0 in large pieces straight from
 * the device (at mount, before anything is cached).
 */
int
fat_count_free(struct fat_fs *fs)
{
	const uint32_t chunk = 64; /* sectors per read */
	uint64_t entries = (uint64_t)fs->max_cluster + 1, done = 0;
	uint32_t per_sector = fs->sector_size / 4;
	uint8_t *buf = fs->ops->alloc((size_t)chunk * fs->sector_size);
	int err = 0;

	if (buf == NULL)
		return -ENOMEM;
	fs->free_count = 0;
	fs->next_free = 0;
	for (uint64_t s = 0; s < fs->fat_sectors && done < entries && err == 0;
	     s += chunk) {
		uint32_t n = fs->fat_sectors - s < chunk
				 ? (uint32_t)(fs->fat_sectors - s)
				 : chunk;

		err = dev_read(fs, fs->fat_start + s, n, buf);
		for (uint64_t i = 0;
		     err == 0 && i < (uint64_t)n * per_sector && done < entries;
		     i++, done++) {
			if (done < 2 || (get32(buf + 4 * i) & FAT_ENTRY_MASK))
				continue;
			if (fs->next_free == 0)
				fs->next_free = (uint32_t)done;
			fs->free_count++;
		}
	}
	fs->ops->free(buf);
	if (fs->next_free == 0)
		fs->next_free = 2;
	return err;
}

/* Writes zeros over count clusters of the chain at first. */
int
zero_clusters(struct fat_fs *fs, uint32_t first, uint32_t count)
{
	uint32_t c = first;

	for (uint32_t i = 0; i < count && c != 0; i++) {
		int err = direct_write(
		    fs, cluster_sector(fs, c), fs->cluster_sectors, fs->zero);

		if (err == 0)
			err = chain_next(fs, c, &c);
		if (err != 0)
			return err;
	}
	return 0;
}
