/*
 * fat_impl.h - what the files of the FAT32 core share (not the API:
 * that is fat_core.h). The layers, bottom up:
 *
 *   fat_cache.c  device I/O in filesystem sectors, the write-back block
 *                cache, direct transfers that stay coherent with it
 *   fat_table.c  FAT entries, chains (always walked with a bound), the
 *                free count, cluster allocation
 *   fat_name.c   UTF-8 <-> UTF-16, name rules, 8.3 aliases, checksums
 *   fat_dir.c    directory slots: scanning, finding, adding, removing
 *   fat_node.c   the node table, attributes, times
 *   fat_file.c   file contents: read, write, truncate
 *   fat_core.c   mount, sync, and the operations of fat_core.h
 */
#ifndef LICHEN_FAT_IMPL_H
#define LICHEN_FAT_IMPL_H

#include <lichen/errno.h>
#include <lichen/string.h>

#include "fat_core.h"

/* On-disk constants. */
#define FAT_ENTRY_MASK	 0x0FFFFFFFu
#define FAT_BAD		 0x0FFFFFF7u
#define FAT_EOC		 0x0FFFFFF8u	/* this and above: end of chain */
#define FAT_EOC_MARK	 0x0FFFFFFFu	/* what the core writes */
#define FAT_MAX_CLUSTERS 0x0FFFFFF5u	/* so the last cluster is < FAT_BAD */
#define FAT_MAX_FILE	 0xFFFFFFFFu	/* a 32-bit size */
#define FAT_DIR_MAX	 (65536u * 32u) /* Linux's FAT_MAX_DIR_SIZE */
#define SLOT		 32u		/* bytes in a directory slot */
#define LFN_CHARS	 13u		/* UTF-16 units in one LFN slot */
#define LFN_SLOTS_MAX	 20u		/* 255 units need 20 slots */

#define ATTR_RO	    0x01u
#define ATTR_HIDDEN 0x02u
#define ATTR_SYS    0x04u
#define ATTR_VOLUME 0x08u
#define ATTR_DIR    0x10u
#define ATTR_ARCH   0x20u
#define ATTR_LFN    0x0Fu

#define CASE_LOWER_BASE 0x08u /* the NT case bits in byte 12 */
#define CASE_LOWER_EXT	0x10u
#define SLOT_DELETED	0xE5u
#define SLOT_END	0x00u
#define SLOT_KANJI	0x05u /* a first byte of 0xE5, escaped */

/* Offsets in a short directory entry. */
#define DE_NAME	    0
#define DE_ATTR	    11
#define DE_LCASE    12
#define DE_CTIME_CS 13
#define DE_CTIME    14
#define DE_CDATE    16
#define DE_ADATE    18
#define DE_START_HI 20
#define DE_TIME	    22
#define DE_DATE	    24
#define DE_START_LO 26
#define DE_SIZE	    28

/* Offsets in a long-name slot. */
#define LFN_ORD	   0
#define LFN_NAME0  1 /* 5 units */
#define LFN_CSUM   13
#define LFN_NAME5  14	 /* 6 units */
#define LFN_NAME11 28	 /* 2 units */
#define LFN_LAST   0x40u /* the first slot on disk, the name's end */

static inline uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static inline uint32_t
de_start(const uint8_t *de)
{
	return ((uint32_t)get16(de + DE_START_HI) << 16 |
		   get16(de + DE_START_LO)) &
	       FAT_ENTRY_MASK;
}

static inline void
de_set_start(uint8_t *de, uint32_t c)
{
	put16(de + DE_START_HI, (uint16_t)(c >> 16));
	put16(de + DE_START_LO, (uint16_t)c);
}

/* One cached filesystem sector. */
struct fat_block {
	uint64_t sector; /* filesystem sector number */
	uint64_t used;	 /* the cache clock at the last use */
	int32_t next;	 /* hash chain, -1 ends it */
	bool valid;
	bool dirty; /* newer than the device */
	uint8_t *data;
};

/*
 * A node: a file or directory the caller knows about, or one an
 * operation in progress holds. It is in two hash tables, by id and by
 * the position of its short entry, so that finding an entry finds its
 * node. A node pins its parent, so ".." and the subtree check always
 * have a parent to look at.
 */
struct fat_node {
	uint64_t id;
	struct fat_node *id_next;  /* by-id chain */
	struct fat_node *pos_next; /* by-position chain, if pos != 0 */
	struct fat_node *parent;   /* pinned; NULL for the root */
	uint64_t refs;		   /* the caller's references */
	uint32_t pins;		   /* children and operations in progress */
	uint64_t pos;		   /* byte address of its short entry; 0:
				      the root, or unlinked */
	uint32_t first;		   /* first cluster; 0: none */
	uint32_t size;		   /* a file's size; a directory's chain
				      in bytes */
	uint32_t subdirs;	   /* directories: for nlink */
	uint8_t attr;
	bool dead;		      /* unlinked or removed */
	bool chain_ok;		      /* the chain matched the size */
	bool chain_bad;		      /* ... or did not: -EIO from now on */
	uint16_t mtime, mdate, adate; /* FAT encoding */
	uint32_t cur_index;	      /* chain cursor: cluster cur_cluster */
	uint32_t cur_cluster;	      /* is number cur_index of the chain */
};

#define NODE_HASH 1024u

struct fat_fs {
	const struct fat_ops *ops;
	void *ctx;

	/* geometry, from the BPB */
	uint32_t sector_size;
	unsigned sector_shift;
	uint32_t dev_per_sector; /* 512-byte device sectors in one */
	uint32_t cluster_sectors;
	uint32_t cluster_size;	/* bytes */
	unsigned cluster_shift; /* log2(cluster_size) */
	uint32_t fat_start;	/* first sector of FAT 0 */
	uint32_t fat_sectors;	/* sectors in one FAT */
	uint32_t nfats;
	uint64_t data_start; /* first sector of cluster 2 */
	uint64_t total_sectors;
	uint32_t clusters;    /* data clusters */
	uint32_t max_cluster; /* clusters + 1 */
	uint32_t root_cluster;
	uint32_t fsinfo_sector; /* 0: none usable */

	/* allocation state */
	uint32_t free_count; /* exact: counted at mount */
	uint32_t next_free;  /* where the next search starts */
	bool fsinfo_dirty;

	/* the boot sector, kept for the dirty mark */
	uint8_t *boot;
	bool was_dirty;	   /* marked dirty before we mounted */
	bool marked_dirty; /* we have marked it on the disk */

	/* the block cache */
	struct fat_block *blocks;
	uint32_t nblocks;
	int32_t *hash;
	uint32_t hash_mask;
	uint64_t clock;
	uint8_t *ahead; /* FAT read-ahead: ahead_max sectors */
	uint32_t ahead_max;
	uint8_t *zero; /* one cluster of zeros */

	/* the node table */
	struct fat_node *by_id[NODE_HASH];
	struct fat_node *by_pos[NODE_HASH];
	struct fat_node *root;
	uint64_t next_id;
	uint64_t nnodes;
};

/* fat_cache.c */
int dev_read(struct fat_fs *fs, uint64_t sector, uint64_t count, void *buf);
int dev_write(
    struct fat_fs *fs, uint64_t sector, uint64_t count, const void *buf);
int cache_init(struct fat_fs *fs, uint32_t nblocks);
void cache_fini(struct fat_fs *fs);
int cache_get(
    struct fat_fs *fs, uint64_t sector, bool fill, struct fat_block **bp);
int cache_flush(struct fat_fs *fs);
int direct_read(struct fat_fs *fs, uint64_t sector, uint64_t count, void *buf);
int direct_write(
    struct fat_fs *fs, uint64_t sector, uint64_t count, const void *buf);
int bytes_read(struct fat_fs *fs, uint64_t addr, void *buf, size_t len);
int bytes_write(struct fat_fs *fs, uint64_t addr, const void *buf, size_t len);

/* fat_table.c */
static inline bool
cluster_ok(const struct fat_fs *fs, uint32_t c)
{
	return c >= 2 && c <= fs->max_cluster;
}

static inline uint64_t
cluster_sector(const struct fat_fs *fs, uint32_t c)
{
	return fs->data_start + (uint64_t)(c - 2) * fs->cluster_sectors;
}

int fat_get(struct fat_fs *fs, uint32_t c, uint32_t *val);
int fat_set(struct fat_fs *fs, uint32_t c, uint32_t val);
int chain_next(struct fat_fs *fs, uint32_t c, uint32_t *next);
int chain_length(
    struct fat_fs *fs, uint32_t first, uint32_t limit, uint32_t *len);
int chain_seek(
    struct fat_fs *fs, struct fat_node *n, uint32_t index, uint32_t *c);
int chain_alloc(
    struct fat_fs *fs, uint32_t count, uint32_t hint, uint32_t *first);
int chain_free(struct fat_fs *fs, uint32_t first, uint32_t limit);
int chain_extend(
    struct fat_fs *fs, struct fat_node *n, uint32_t have, uint32_t count);
int chain_cut(struct fat_fs *fs, struct fat_node *n, uint32_t keep);
int fat_count_free(struct fat_fs *fs);
int zero_clusters(struct fat_fs *fs, uint32_t first, uint32_t count);

/* fat_name.c */
struct fat_name {
	uint16_t u[FAT_NAME_MAX + 1];
	size_t n;
};

int name_parse(const char *s, size_t len, struct fat_name *out);
int name_check_new(const struct fat_name *nm);
size_t name_utf8(const uint16_t *u, size_t n, char *out);
bool name_equal(const struct fat_name *a, const uint16_t *b, size_t bn);
void sfn_display(const uint8_t *de, struct fat_name *out);
uint8_t sfn_checksum(const uint8_t sfn[11]);

/* The basis of an 8.3 alias, before any numeric tail (vfat's rules). */
struct sfn_basis {
	uint8_t name[11]; /* base and extension, space-padded */
	unsigned baselen;
	unsigned tail_base;  /* base chars kept before "~N" */
	unsigned tail2_base; /* base chars kept before "XXXX~N" */
	bool lossless;	     /* the name is its own 8.3 (any case) */
	bool upper;	     /* ... and upper case: no LFN needed */
};

int sfn_basis(const struct fat_name *nm, struct sfn_basis *b);
void sfn_with_tail(const struct sfn_basis *b, unsigned k, uint8_t out[11]);
void sfn_with_hash(
    const struct sfn_basis *b, uint16_t hash, unsigned k, uint8_t out[11]);
uint16_t name_hash(const struct fat_name *nm);

/* fat_dir.c */
struct fat_dirent {
	struct fat_name name; /* the long name, or the 8.3 shown */
	uint8_t de[SLOT];     /* the short entry */
	uint32_t start;	      /* dir offset of its first slot */
	uint32_t off;	      /* dir offset of its short entry */
	uint32_t nslots;
	uint64_t pos;  /* byte address of the short entry */
	unsigned dots; /* 1: ".", 2: "..", 0: a name */
};

int dir_slot_pos(
    struct fat_fs *fs, struct fat_node *dir, uint32_t off, uint64_t *pos);
int dir_next(struct fat_fs *fs, struct fat_node *dir, uint32_t *off,
    struct fat_dirent *e);
int dir_find(struct fat_fs *fs, struct fat_node *dir, const struct fat_name *nm,
    struct fat_dirent *e);
int dir_add(struct fat_fs *fs, struct fat_node *dir, const struct fat_name *nm,
    const uint8_t de[SLOT], struct fat_dirent *e);
int dir_remove(
    struct fat_fs *fs, struct fat_node *dir, const struct fat_dirent *e);
int dir_is_empty(struct fat_fs *fs, struct fat_node *dir);
int dir_count_subdirs(struct fat_fs *fs, struct fat_node *dir, uint32_t *count);
int dir_init_cluster(
    struct fat_fs *fs, uint32_t c, const uint8_t *de, uint32_t parent_first);
int dir_set_dotdot(
    struct fat_fs *fs, struct fat_node *dir, uint32_t parent_first);

/* fat_node.c */
struct fat_node *node_find(struct fat_fs *fs, uint64_t id);
struct fat_node *node_at(struct fat_fs *fs, uint64_t pos);
int node_get(struct fat_fs *fs, struct fat_node *dir,
    const struct fat_dirent *e, struct fat_node **np);
int node_new_root(struct fat_fs *fs);
void node_pin(struct fat_node *n);
void node_unpin(struct fat_fs *fs, struct fat_node *n);
void node_drop_refs(struct fat_fs *fs, struct fat_node *n, uint64_t count);
void node_set_pos(struct fat_fs *fs, struct fat_node *n, uint64_t pos);
void node_set_parent(
    struct fat_fs *fs, struct fat_node *n, struct fat_node *parent);
void node_release_all(struct fat_fs *fs);
int node_store(struct fat_fs *fs, struct fat_node *n);
void node_attr(struct fat_fs *fs, const struct fat_node *n, struct fat_attr *a);
void node_touch(struct fat_fs *fs, struct fat_node *n);
void time_to_fat(
    const struct fat_time *t, uint16_t *date, uint16_t *time, uint8_t *cs);
void time_now_fat(
    struct fat_fs *fs, uint16_t *date, uint16_t *time, uint8_t *cs);
int64_t time_from_fat(uint16_t date, uint16_t time);
uint32_t node_first_of(const struct fat_fs *fs, const struct fat_node *n);

static inline bool
node_is_dir(const struct fat_node *n)
{
	return (n->attr & ATTR_DIR) != 0;
}

/* fat_file.c */
int file_check_chain(struct fat_fs *fs, struct fat_node *n);
int64_t file_read(
    struct fat_fs *fs, struct fat_node *n, uint64_t off, void *buf, size_t len);
int64_t file_write(struct fat_fs *fs, struct fat_node *n, uint64_t off,
    const void *buf, size_t len);
int file_truncate(struct fat_fs *fs, struct fat_node *n, uint64_t size);

#endif /* LICHEN_FAT_IMPL_H */
