/*
 * fat_node.c - the node table: what the caller (and operations in
 * progress) know about files and directories, and their attributes.
 *
 * A node's fields are the truth while it exists; every change is written
 * through to its short entry in the cache (node_store), so the disk copy
 * follows at the next flush. A node lives while the caller holds
 * references (refs) or something holds a pin (a child node, an operation
 * in progress). When both reach zero it leaves the table, and if it was
 * unlinked its clusters are freed then, not before: an open unlinked
 * file keeps its data.
 */
#include "fat_impl.h"

static uint32_t
id_bucket(uint64_t id)
{
	return (uint32_t)(id * 0x9e3779b97f4a7c15ULL >> 40) % NODE_HASH;
}

static uint32_t
pos_bucket(uint64_t pos)
{
	return (uint32_t)((pos >> 5) * 0x9e3779b97f4a7c15ULL >> 40) % NODE_HASH;
}

struct fat_node *
node_find(struct fat_fs *fs, uint64_t id)
{
	struct fat_node *n = fs->by_id[id_bucket(id)];

	while (n != NULL && n->id != id)
		n = n->id_next;
	return n;
}

struct fat_node *
node_at(struct fat_fs *fs, uint64_t pos)
{
	struct fat_node *n = fs->by_pos[pos_bucket(pos)];

	while (n != NULL && n->pos != pos)
		n = n->pos_next;
	return n;
}

void
node_set_pos(struct fat_fs *fs, struct fat_node *n, uint64_t pos)
{
	if (n->pos != 0) {
		struct fat_node **link = &fs->by_pos[pos_bucket(n->pos)];

		while (*link != n)
			link = &(*link)->pos_next;
		*link = n->pos_next;
	}
	n->pos = pos;
	if (pos != 0) {
		n->pos_next = fs->by_pos[pos_bucket(pos)];
		fs->by_pos[pos_bucket(pos)] = n;
	}
}

static struct fat_node *
node_alloc(struct fat_fs *fs)
{
	struct fat_node *n = fs->ops->alloc(sizeof(*n));

	if (n == NULL)
		return NULL;
	memset(n, 0, sizeof(*n));
	n->id = fs->next_id++;
	n->id_next = fs->by_id[id_bucket(n->id)];
	fs->by_id[id_bucket(n->id)] = n;
	fs->nnodes++;
	return n;
}

/* Takes n out of the table; an unlinked node's clusters are freed. */
static void
node_free(struct fat_fs *fs, struct fat_node *n)
{
	struct fat_node **link = &fs->by_id[id_bucket(n->id)];

	while (*link != n)
		link = &(*link)->id_next;
	*link = n->id_next;
	node_set_pos(fs, n, 0);
	if (n->dead && n->first != 0 && !n->chain_bad)
		chain_free(fs, n->first, fs->clusters);
	fs->nnodes--;
	fs->ops->free(n);
}

/* Frees n and then each ancestor that n's pin was keeping. */
static void
node_release(struct fat_fs *fs, struct fat_node *n)
{
	while (n != NULL && n != fs->root && n->refs == 0 && n->pins == 0) {
		struct fat_node *parent = n->parent;

		node_free(fs, n);
		if (parent != NULL)
			parent->pins--;
		n = parent;
	}
}

void
node_pin(struct fat_node *n)
{
	n->pins++;
}

void
node_unpin(struct fat_fs *fs, struct fat_node *n)
{
	n->pins--;
	node_release(fs, n);
}

/* The caller gave references back (fat_forget). */
void
node_drop_refs(struct fat_fs *fs, struct fat_node *n, uint64_t count)
{
	n->refs -= count < n->refs ? count : n->refs;
	node_release(fs, n);
}

void
node_set_parent(struct fat_fs *fs, struct fat_node *n, struct fat_node *parent)
{
	struct fat_node *old = n->parent;

	node_pin(parent);
	n->parent = parent;
	node_unpin(fs, old);
}

/* A directory's size is its chain's; its nlink needs its subdirectories. */
static int
node_load_dir(struct fat_fs *fs, struct fat_node *n)
{
	uint32_t len;
	int err = chain_length(fs, n->first, fs->clusters, &len);

	if (err == 0 &&
	    (len == 0 || (uint64_t)len << fs->cluster_shift > FAT_MAX_FILE))
		err = -EIO;
	if (err != 0)
		return err;
	n->size = len << fs->cluster_shift;
	n->chain_ok = true;
	return dir_count_subdirs(fs, n, &n->subdirs);
}

static void
node_from_entry(struct fat_node *n, const uint8_t *de)
{
	n->first = de_start(de);
	n->attr = de[DE_ATTR];
	n->size = (n->attr & ATTR_DIR) ? 0 : get32(de + DE_SIZE);
	n->mtime = get16(de + DE_TIME);
	n->mdate = get16(de + DE_DATE);
	n->adate = get16(de + DE_ADATE);
}

/*
 * The node for entry e of dir, made if it is not in the table, with one
 * pin for the caller (node_unpin when done). A directory whose chain is
 * broken is -EIO here; a file's chain is checked on first use.
 */
int
node_get(struct fat_fs *fs, struct fat_node *dir, const struct fat_dirent *e,
    struct fat_node **np)
{
	struct fat_node *n = node_at(fs, e->pos);
	int err;

	if (n != NULL) {
		node_pin(n);
		*np = n;
		return 0;
	}
	n = node_alloc(fs);
	if (n == NULL)
		return -ENOMEM;
	node_from_entry(n, e->de);
	node_set_pos(fs, n, e->pos);
	n->parent = dir;
	node_pin(dir);
	node_pin(n);
	if (node_is_dir(n)) {
		err = node_load_dir(fs, n);
		if (err != 0) {
			node_unpin(fs, n);
			return err;
		}
	}
	*np = n;
	return 0;
}

int
node_new_root(struct fat_fs *fs)
{
	struct fat_node *n;
	int err;

	fs->next_id = FAT_ROOT_ID;
	n = node_alloc(fs);
	if (n == NULL)
		return -ENOMEM;
	fs->root = n;
	n->first = fs->root_cluster;
	n->attr = ATTR_DIR;
	err = node_load_dir(fs, n);
	if (err != 0) {
		node_free(fs, n);
		fs->root = NULL;
	}
	return err;
}

/* Frees every node (fat_umount): unlinked ones give their clusters back. */
void
node_release_all(struct fat_fs *fs)
{
	for (uint32_t b = 0; b < NODE_HASH; b++) {
		while (fs->by_id[b] != NULL)
			node_free(fs, fs->by_id[b]);
	}
	fs->root = NULL;
}

/* Writes n's fields into its short entry (nothing for the root and for
 * unlinked nodes, which have none). */
int
node_store(struct fat_fs *fs, struct fat_node *n)
{
	uint8_t de[SLOT];
	int err;

	if (n->pos == 0)
		return 0;
	err = bytes_read(fs, n->pos, de, SLOT);
	if (err != 0)
		return err;
	de_set_start(de, n->first);
	put32(de + DE_SIZE, node_is_dir(n) ? 0 : n->size);
	de[DE_ATTR] = n->attr;
	put16(de + DE_TIME, n->mtime);
	put16(de + DE_DATE, n->mdate);
	put16(de + DE_ADATE, n->adate);
	return bytes_write(fs, n->pos, de, SLOT);
}

/* The ".." cluster number of a child of n: 0 stands for the root. */
uint32_t
node_first_of(const struct fat_fs *fs, const struct fat_node *n)
{
	return n == fs->root ? 0 : n->first;
}

/* What Linux's vfat reports with its default options (umask 022). */
void
node_attr(struct fat_fs *fs, const struct fat_node *n, struct fat_attr *a)
{
	uint64_t alloc = ((uint64_t)n->size + fs->cluster_size - 1) &
			 ~((uint64_t)fs->cluster_size - 1);

	memset(a, 0, sizeof(*a));
	a->ino = n->id;
	if (node_is_dir(n)) {
		a->mode = FAT_S_IFDIR | 0755; /* vfat keeps a dir writable */
		a->nlink = 2 + n->subdirs;
	} else {
		a->mode = FAT_S_IFREG | ((n->attr & ATTR_RO) ? 0555 : 0755);
		a->nlink = 1;
	}
	a->size = n->size;
	a->blocks = (int64_t)(alloc >> 9);
	a->blksize = fs->cluster_size;
	if (n != fs->root) { /* Linux gives the root time 0 */
		a->mtime.sec = time_from_fat(n->mdate, n->mtime);
		a->atime.sec = time_from_fat(n->adate, 0);
	}
	a->ctime = a->mtime;
}

/* A directory whose entries changed: a new mtime, as Linux's vfat. */
void
node_touch(struct fat_fs *fs, struct fat_node *n)
{
	uint8_t cs;

	time_now_fat(fs, &n->mdate, &n->mtime, &cs);
	n->adate = n->mdate;
	node_store(fs, n);
}

/* Days since the epoch of a civil date (Howard Hinnant's algorithm). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static void
civil_from_days(int64_t z, unsigned *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = (unsigned)(yoe + era * 400 + (*m <= 2));
}

/* FAT time is local time; the core takes it as UTC (Linux with tz=UTC). */
int64_t
time_from_fat(uint16_t date, uint16_t time)
{
	unsigned m = date >> 5 & 15, d = date & 31;

	if (m < 1)
		m = 1;
	if (m > 12)
		m = 12;
	if (d < 1)
		d = 1;
	return days_from_civil(1980 + (date >> 9), m, d) * 86400 +
	       (time >> 11) * 3600 + (time >> 5 & 63) * 60 + (time & 31) * 2;
}

#define FAT_TIME_MIN 315532800LL  /* 1980-01-01 00:00:00 */
#define FAT_TIME_MAX 4354819198LL /* 2107-12-31 23:59:58 */

void
time_to_fat(
    const struct fat_time *t, uint16_t *date, uint16_t *time, uint8_t *cs)
{
	int64_t s = t->sec;
	unsigned y, m, d, rem;

	if (s < FAT_TIME_MIN)
		s = FAT_TIME_MIN;
	if (s > FAT_TIME_MAX)
		s = FAT_TIME_MAX;
	civil_from_days(s / 86400, &y, &m, &d);
	rem = (unsigned)(s % 86400);
	*date = (uint16_t)((y - 1980) << 9 | m << 5 | d);
	*time = (uint16_t)((rem / 3600) << 11 | (rem / 60 % 60) << 5 |
			   (rem % 60) / 2);
	*cs = (uint8_t)((rem % 2) * 100 + (t->nsec >= 0 && t->nsec < 1000000000
						  ? t->nsec / 10000000
						  : 0));
}

void
time_now_fat(struct fat_fs *fs, uint16_t *date, uint16_t *time, uint8_t *cs)
{
	struct fat_time now = {0, 0};

	fs->ops->now(fs->ctx, &now);
	time_to_fat(&now, date, time, cs);
}
