/*
 * fat_dir.c - directories as sequences of 32-byte slots.
 *
 * An entry is zero or more long-name slots followed by its short entry.
 * A directory offset is a byte offset into the directory's chain; it is
 * what readdir's cookies are, and entries never move, so offsets stay
 * valid while other entries come and go. Scanning checks each long-name
 * run (sequence numbers, checksum against the short name) and falls
 * back to the 8.3 name when a run is broken, as Linux does; it stops at
 * the end mark, the end of the chain or FAT_DIR_MAX bytes.
 */
#include "fat_impl.h"

static const uint8_t dot_name[11] = ".          ";
static const uint8_t dotdot_name[11] = "..         ";

/* The byte address of the slot at dir offset off: 1 if there is one,
 * 0 past the end of the directory, or a negative errno. */
int
dir_slot_pos(
    struct fat_fs *fs, struct fat_node *dir, uint32_t off, uint64_t *pos)
{
	uint32_t c;
	int err;

	if (off >= FAT_DIR_MAX)
		return 0;
	err = chain_seek(fs, dir, off >> fs->cluster_shift, &c);
	if (err != 0 || c == 0)
		return err;
	*pos = (cluster_sector(fs, c) << fs->sector_shift) +
	       (off & (fs->cluster_size - 1));
	return 1;
}

/* A long-name run being gathered, last slot (highest number) first. */
struct lfn_run {
	uint16_t u[LFN_SLOTS_MAX * LFN_CHARS];
	unsigned count;	 /* slots in the run; 0: none */
	unsigned expect; /* the next sequence number wanted */
	uint8_t csum;
	uint32_t start;
};

static void
lfn_units(const uint8_t *slot, uint16_t *u)
{
	for (int i = 0; i < 5; i++)
		u[i] = get16(slot + LFN_NAME0 + 2 * i);
	for (int i = 0; i < 6; i++)
		u[5 + i] = get16(slot + LFN_NAME5 + 2 * i);
	for (int i = 0; i < 2; i++)
		u[11 + i] = get16(slot + LFN_NAME11 + 2 * i);
}

static void
lfn_add(struct lfn_run *run, const uint8_t *slot, uint32_t off)
{
	unsigned ord = slot[LFN_ORD] & 0x1F;

	if (slot[LFN_ORD] & LFN_LAST) {
		run->count = 0;
		if (ord == 0 || ord > LFN_SLOTS_MAX)
			return;
		run->count = ord;
		run->csum = slot[LFN_CSUM];
		run->start = off;
	} else if (run->count == 0 || ord != run->expect ||
		   slot[LFN_CSUM] != run->csum) {
		run->count = 0;
		return;
	}
	lfn_units(slot, run->u + (ord - 1) * LFN_CHARS);
	run->expect = ord - 1;
}

/* Takes the gathered long name for the short entry de, if it is whole
 * and belongs to it. */
static bool
lfn_take(struct lfn_run *run, const uint8_t *de, struct fat_name *out)
{
	size_t n = 0, max = run->count * LFN_CHARS;

	if (run->count == 0 || run->expect != 0 ||
	    run->csum != sfn_checksum(de))
		return false;
	while (n < max && run->u[n] != 0)
		n++;
	if (n == 0 || n > FAT_NAME_MAX)
		return false;
	memcpy(out->u, run->u, n * sizeof(out->u[0]));
	out->n = n;
	return true;
}

static void
entry_fill(struct fat_dirent *e, struct lfn_run *run, const uint8_t *slot,
    uint32_t off, uint64_t pos)
{
	memcpy(e->de, slot, SLOT);
	e->off = off;
	e->pos = pos;
	if (lfn_take(run, slot, &e->name)) {
		e->start = run->start;
		e->nslots = run->count + 1;
	} else {
		sfn_display(slot, &e->name);
		e->start = off;
		e->nslots = 1;
	}
	run->count = 0;
	e->dots = 0;
	if ((slot[DE_ATTR] & ATTR_DIR) && memcmp(slot, dot_name, 11) == 0)
		e->dots = 1;
	if ((slot[DE_ATTR] & ATTR_DIR) && memcmp(slot, dotdot_name, 11) == 0)
		e->dots = 2;
}

/*
 * The next entry at or after *off: 1 with *e filled and *off just past
 * it, 0 at the end (*off then stays at the end), or a negative errno.
 * Deleted slots, volume labels and orphan long-name slots are skipped.
 */
int
dir_next(struct fat_fs *fs, struct fat_node *dir, uint32_t *off,
    struct fat_dirent *e)
{
	struct lfn_run run;
	uint8_t slot[SLOT];

	run.count = 0;
	for (;;) {
		uint64_t pos;
		uint32_t cur = *off;
		int r = dir_slot_pos(fs, dir, cur, &pos);

		if (r <= 0)
			return r;
		r = bytes_read(fs, pos, slot, SLOT);
		if (r != 0)
			return r;
		if (slot[0] == SLOT_END)
			return 0;
		*off = cur + SLOT;
		if (slot[0] == SLOT_DELETED) {
			run.count = 0;
		} else if ((slot[DE_ATTR] & 0x3F) == ATTR_LFN) {
			lfn_add(&run, slot, cur);
		} else if (slot[DE_ATTR] & ATTR_VOLUME) {
			run.count = 0;
		} else {
			entry_fill(e, &run, slot, cur, pos);
			return 1;
		}
	}
}

/* Finds a name, matching long names and 8.3 names, ignoring ASCII case. */
int
dir_find(struct fat_fs *fs, struct fat_node *dir, const struct fat_name *nm,
    struct fat_dirent *e)
{
	struct fat_name short_name;
	uint32_t off = 0;
	int r;

	while ((r = dir_next(fs, dir, &off, e)) == 1) {
		if (e->dots != 0)
			continue;
		if (name_equal(nm, e->name.u, e->name.n))
			return 0;
		sfn_display(e->de, &short_name);
		if (e->nslots > 1 && name_equal(nm, short_name.u, short_name.n))
			return 0;
	}
	return r < 0 ? r : -ENOENT;
}

/* Marks in *used which of the n candidate 8.3 names are taken. */
static int
sfn_taken(struct fat_fs *fs, struct fat_node *dir, const uint8_t *cand,
    unsigned n, bool *used)
{
	struct fat_dirent e;
	uint32_t off = 0;
	int r;

	for (unsigned i = 0; i < n; i++)
		used[i] = false;
	while ((r = dir_next(fs, dir, &off, &e)) == 1) {
		for (unsigned i = 0; i < n; i++) {
			if (memcmp(e.de, cand + 11 * i, 11) == 0)
				used[i] = true;
		}
	}
	return r;
}

/*
 * Chooses the 8.3 name for nm in dir (vfat_create_shortname): the name
 * itself when it is a lossless 8.3 (-EEXIST if that is taken; no long
 * name needed when it is upper case), else the first free of "~1".."~9",
 * else the hex form. *lfn says whether long-name slots are needed.
 */
static int
sfn_choose(struct fat_fs *fs, struct fat_node *dir, const struct fat_name *nm,
    uint8_t sfn[11], bool *lfn)
{
	uint8_t cand[9 * 11];
	bool used[9];
	struct sfn_basis b;
	uint16_t hash;
	unsigned digit;
	int err = sfn_basis(nm, &b);

	if (err != 0)
		return err;
	if (b.lossless) {
		err = sfn_taken(fs, dir, b.name, 1, used);
		if (err == 0 && used[0])
			err = -EEXIST;
		memcpy(sfn, b.name, 11);
		*lfn = !b.upper;
		return err;
	}
	*lfn = true;
	for (unsigned k = 1; k <= 9; k++)
		sfn_with_tail(&b, k, cand + 11 * (k - 1));
	err = sfn_taken(fs, dir, cand, 9, used);
	for (unsigned k = 0; err == 0 && k < 9; k++) {
		if (!used[k]) {
			memcpy(sfn, cand + 11 * k, 11);
			return 0;
		}
	}
	hash = name_hash(nm);
	digit = 1 + (hash >> 13); /* 1..8, fixed, as Linux's */
	for (unsigned t = 0; err == 0 && t < 256; t++, hash -= 11) {
		sfn_with_hash(&b, hash, digit, sfn);
		err = sfn_taken(fs, dir, sfn, 1, used);
		if (err == 0 && !used[0])
			return 0;
	}
	return err != 0 ? err : -EEXIST;
}

/*
 * Finds count free slots in a row (deleted, or past the end mark);
 * grows the directory by zeroed clusters when there are none. *start is
 * the dir offset of the first.
 */
static int
dir_reserve(
    struct fat_fs *fs, struct fat_node *dir, uint32_t count, uint32_t *start)
{
	uint32_t off = 0, run = 0, have, grow, c;
	uint8_t first;
	int r;

	for (;; off += SLOT) {
		uint64_t pos;

		r = dir_slot_pos(fs, dir, off, &pos);
		if (r == 0)
			break;
		if (r == 1)
			r = bytes_read(fs, pos, &first, 1);
		if (r != 0)
			return r;
		if (first != SLOT_END && first != SLOT_DELETED) {
			run = 0;
			continue;
		}
		if (run++ == 0)
			*start = off;
		if (run == count)
			return 0;
	}
	if (run == 0)
		*start = off;
	have = off >> fs->cluster_shift;
	grow =
	    ((count - run) * SLOT + fs->cluster_size - 1) >> fs->cluster_shift;
	if (off % fs->cluster_size != 0 ||
	    (uint64_t)off + ((uint64_t)grow << fs->cluster_shift) > FAT_DIR_MAX)
		return -ENOSPC;
	r = chain_extend(fs, dir, have, grow);
	if (r != 0)
		return r;
	r = chain_seek(fs, dir, have, &c);
	if (r == 0)
		r = zero_clusters(fs, c, grow);
	if (r != 0) {
		chain_cut(fs, dir, have);
		return r;
	}
	dir->size += grow << fs->cluster_shift;
	return 0;
}

static int
slot_write(struct fat_fs *fs, struct fat_node *dir, uint32_t off,
    const uint8_t *slot, uint64_t *pos)
{
	int r = dir_slot_pos(fs, dir, off, pos);

	if (r == 0)
		return -EIO;
	return r < 0 ? r : bytes_write(fs, *pos, slot, SLOT);
}

static void
lfn_build(uint8_t *slot, const struct fat_name *nm, unsigned ord, bool last,
    uint8_t csum)
{
	uint16_t u[LFN_CHARS];
	size_t base = (ord - 1) * LFN_CHARS;

	for (size_t i = 0; i < LFN_CHARS; i++) {
		size_t k = base + i;

		u[i] = k < nm->n ? nm->u[k] : k == nm->n ? 0 : 0xFFFF;
	}
	memset(slot, 0, SLOT);
	slot[LFN_ORD] = (uint8_t)(ord | (last ? LFN_LAST : 0));
	slot[DE_ATTR] = ATTR_LFN;
	slot[LFN_CSUM] = csum;
	for (int i = 0; i < 5; i++)
		put16(slot + LFN_NAME0 + 2 * i, u[i]);
	for (int i = 0; i < 6; i++)
		put16(slot + LFN_NAME5 + 2 * i, u[5 + i]);
	for (int i = 0; i < 2; i++)
		put16(slot + LFN_NAME11 + 2 * i, u[11 + i]);
}

/*
 * Adds an entry named nm whose short entry is de (its name bytes are
 * chosen here), and describes it in *e as dir_next would. -EEXIST,
 * -EINVAL (no 8.3 form), -ENOSPC; nothing is written on those.
 */
int
dir_add(struct fat_fs *fs, struct fat_node *dir, const struct fat_name *nm,
    const uint8_t de[SLOT], struct fat_dirent *e)
{
	uint8_t slot[SLOT], csum;
	uint32_t nlfn;
	bool lfn;
	int err = sfn_choose(fs, dir, nm, e->de, &lfn);

	if (err != 0)
		return err;
	nlfn = lfn ? (uint32_t)(nm->n + LFN_CHARS - 1) / LFN_CHARS : 0;
	err = dir_reserve(fs, dir, nlfn + 1, &e->start);
	if (err != 0)
		return err;
	memcpy(e->de + 11, de + 11, SLOT - 11);
	e->de[DE_LCASE] = 0;
	e->name = *nm;
	e->nslots = nlfn + 1;
	e->off = e->start + nlfn * SLOT;
	e->dots = 0;
	csum = sfn_checksum(e->de);
	for (uint32_t i = 0; i < nlfn && err == 0; i++) {
		lfn_build(slot, nm, nlfn - i, i == 0, csum);
		err = slot_write(fs, dir, e->start + i * SLOT, slot, &e->pos);
	}
	if (err == 0)
		err = slot_write(fs, dir, e->off, e->de, &e->pos);
	return err;
}

/* Marks every slot of e deleted. */
int
dir_remove(struct fat_fs *fs, struct fat_node *dir, const struct fat_dirent *e)
{
	static const uint8_t deleted = SLOT_DELETED;

	for (uint32_t i = 0; i < e->nslots; i++) {
		uint64_t pos;
		int r = dir_slot_pos(fs, dir, e->start + i * SLOT, &pos);

		if (r == 0)
			r = -EIO;
		if (r == 1)
			r = bytes_write(fs, pos, &deleted, 1);
		if (r != 0)
			return r;
	}
	return 0;
}

/* 0 if dir holds nothing but "." and "..", else -ENOTEMPTY. */
int
dir_is_empty(struct fat_fs *fs, struct fat_node *dir)
{
	struct fat_dirent e;
	uint32_t off = 0;
	int r;

	while ((r = dir_next(fs, dir, &off, &e)) == 1) {
		if (e.dots == 0)
			return -ENOTEMPTY;
	}
	return r;
}

int
dir_count_subdirs(struct fat_fs *fs, struct fat_node *dir, uint32_t *count)
{
	struct fat_dirent e;
	uint32_t off = 0;
	int r;

	*count = 0;
	while ((r = dir_next(fs, dir, &off, &e)) == 1) {
		if (e.dots == 0 && (e.de[DE_ATTR] & ATTR_DIR))
			(*count)++;
	}
	return r;
}

/* Writes "." and ".." into the (zeroed) first cluster c of a new
 * directory whose own entry is de; ".." of a root child is cluster 0. */
int
dir_init_cluster(
    struct fat_fs *fs, uint32_t c, const uint8_t *de, uint32_t parent_first)
{
	uint8_t slot[SLOT];
	uint64_t pos = cluster_sector(fs, c) << fs->sector_shift;
	int err;

	memcpy(slot, de, SLOT);
	memcpy(slot, dot_name, 11);
	slot[DE_LCASE] = 0;
	de_set_start(slot, c);
	err = bytes_write(fs, pos, slot, SLOT);
	if (err != 0)
		return err;
	memcpy(slot, dotdot_name, 11);
	de_set_start(slot, parent_first);
	return bytes_write(fs, pos + SLOT, slot, SLOT);
}

/* Points dir's ".." at its new parent (after a rename moved it). */
int
dir_set_dotdot(struct fat_fs *fs, struct fat_node *dir, uint32_t parent_first)
{
	uint8_t slot[SLOT];
	uint64_t pos;
	int r = dir_slot_pos(fs, dir, SLOT, &pos);

	if (r == 0)
		return -EIO;
	if (r == 1)
		r = bytes_read(fs, pos, slot, SLOT);
	if (r != 0)
		return r;
	if (memcmp(slot, dotdot_name, 11) != 0)
		return -EIO;
	de_set_start(slot, parent_first);
	return bytes_write(fs, pos, slot, SLOT);
}
