/*
 * tmpfs_impl.h - what the files of the tmpfs core share (the API is
 * tmpfs_core.h). Bottom up:
 *
 *   tmpfs_core.c  hash tables, the page pool, nodes (ids, references,
 *                 attributes, times), getattr/setattr/truncate/forget
 *   tmpfs_mount.c instances (options, mount, umount, statfs), the server
 *   tmpfs_file.c  file contents in a radix tree of pages: read, write,
 *                 truncate; symlink targets
 *   tmpfs_dir.c   directory entries (by name in a hash, by position in a
 *                 tree): lookup, create, link, unlink, rmdir, rename,
 *                 readdir
 */
#ifndef LICHEN_TMPFS_IMPL_H
#define LICHEN_TMPFS_IMPL_H

#include <stdbool.h>
#include <lichen/errno.h>
#include <lichen/list.h>
#include <lichen/rbtree.h>
#include <lichen/string.h>

#ifdef LK_HOST
#include <stdlib.h>
#else
#include <lichen/rt.h>
#endif

#include "tmpfs_core.h"

/*
 * A radix node is one page of FANOUT pointers; RADIX_MAX_HEIGHT levels
 * reach 2^(12 + 6 * 9) bytes, past every int64 offset. MAX_FILE_SIZE is
 * Linux's MAX_LFS_FILESIZE. The pool takes CHUNK_PAGES pages from malloc
 * at a time. BOGO_DIRENT is Linux's BOGO_DIRENT_SIZE (a directory's size
 * grows by it per entry), SHORT_SYMLINK its SHORT_SYMLINK_LEN (longer
 * targets take a page). Positions 0 and 1 are "." and "..".
 */
#define PAGE_SHIFT	 12
#define FANOUT_SHIFT	 9
#define FANOUT		 (1u << FANOUT_SHIFT)
#define RADIX_MAX_HEIGHT 6
#define MAX_FILE_SIZE	 INT64_MAX
#define CHUNK_PAGES	 16u
#define CHUNK_SIZE	 (CHUNK_PAGES * TMPFS_PAGE)
#define BOGO_DIRENT	 20
#define SHORT_SYMLINK	 128
#define FIRST_POS	 2u

/* An intrusive chained hash table; each link keeps its hash for rehashing. */
struct hlink {
	struct hlink *next;
	uint64_t hash;
};

struct htab {
	struct hlink **bucket;
	uint64_t mask; /* buckets - 1 (a power of two) */
	uint64_t count;
};

/* An instance: what one FS_MOUNT made. */
struct tmpfs_sb {
	struct tmpfs *fs;
	struct tmpfs_node *root;
	struct list_node link;	/* in fs->instances */
	struct list_node nodes; /* every node of the instance */
	uint64_t max_blocks;	/* pages; 0: no limit */
	uint64_t used_blocks;
	uint64_t max_inodes;  /* 0: no limit */
	uint64_t used_inodes; /* nodes, and each extra hard link (as Linux) */
	uint64_t nrefd;	      /* nodes other than the root with references */
	uint64_t msflags;     /* TMPFS_MS_* */
};

struct tmpfs_node {
	struct hlink hash;     /* fs->nodes, by id */
	struct list_node link; /* sb->nodes */
	struct tmpfs_sb *sb;
	uint64_t id;   /* the inode number */
	uint64_t refs; /* the client's references */
	uint32_t mode, nlink, uid, gid;
	uint64_t rdev;
	int64_t size;
	struct fs_time atime, mtime, ctime;
	/*
	 * A file: its radix tree (height levels, FANOUT^height pages) and
	 * the data pages it holds. A directory: its entries by position,
	 * the next position to give, its parent (NULL for the root and
	 * once removed). A symlink: its target, size bytes without a NUL,
	 * in a pool page (which counts as a block) or from malloc.
	 */
	union {
		struct {
			void *root;
			unsigned height;
			uint64_t pages;
		} file;
		struct {
			struct rb_root entries;
			uint64_t count;
			uint64_t next_pos;
			struct tmpfs_node *parent;
		} dir;
		struct {
			char *target;
			bool paged;
		} link;
	} u;
};

/* A name in a directory. */
struct tmpfs_dirent {
	struct hlink hash;     /* fs->names, by (dir, name) */
	struct rb_node by_pos; /* dir->u.dir.entries */
	struct tmpfs_node *dir, *node;
	uint64_t pos;
	uint16_t len;
	char name[];
};

/* The page pool: CHUNK_PAGES pages from one malloc, found by address. */
struct chunk {
	struct hlink hash;     /* fs->chunks, by base address */
	struct list_node link; /* fs->partial while a page is free */
	char *base;
	uint32_t free; /* bit i: page i is free */
};

struct tmpfs {
	struct tmpfs_params params;
	struct htab nodes, names, chunks;
	struct list_node instances;
	struct list_node partial; /* chunks with free pages */
	uint64_t next_id;
	uint64_t ninstances, nnodes, data_pages, pool_pages;
};

static inline bool
node_is(const struct tmpfs_node *n, uint32_t type)
{
	return (n->mode & FS_IFMT) == type;
}

/* tmpfs_core.c */
int htab_init(struct htab *h, unsigned shift);
void htab_add(struct htab *h, struct hlink *l, uint64_t hash);
void htab_del(struct htab *h, struct hlink *l);
static inline struct hlink *
htab_chain(const struct htab *h, uint64_t hash)
{
	return h->bucket[hash & h->mask];
}

void *page_alloc(struct tmpfs *fs);
void page_free(struct tmpfs *fs, void *page);

struct fs_time fs_now(const struct tmpfs *fs);
struct tmpfs_node *node_find(const struct tmpfs *fs, uint64_t id);
int node_get(const struct tmpfs *fs, uint64_t id, struct tmpfs_node **np);
int inode_reserve(struct tmpfs_sb *sb);
void inode_unreserve(struct tmpfs_sb *sb);
int node_new(struct tmpfs_sb *sb, uint32_t mode, uint32_t uid, uint32_t gid,
    struct tmpfs_node **np);
void node_destroy(struct tmpfs_node *n);
void node_ref(struct tmpfs_node *n);
void node_release(struct tmpfs_node *n);
void node_attr(const struct tmpfs_node *n, struct fs_attr *a);
void node_accessed(struct tmpfs_node *n);
bool sb_rdonly(const struct tmpfs_sb *sb);
bool id_valid(uint32_t id);

/* tmpfs_file.c */
void file_resize(struct tmpfs_node *n, int64_t size);
void file_free(struct tmpfs_node *n);
int link_set(struct tmpfs_node *n, const char *target, size_t len);
void link_free(struct tmpfs_node *n);

/* tmpfs_dir.c */
void dir_init(struct tmpfs_node *d, struct tmpfs_node *parent);
void dir_free(struct tmpfs_node *d);

#endif /* LICHEN_TMPFS_IMPL_H */
