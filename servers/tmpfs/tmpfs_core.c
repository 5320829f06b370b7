/*
 * tmpfs_core.c - the server's tables and nodes: hash tables, the page
 * pool, node ids and references, attributes and times, and the
 * operations on a node as such (getattr, setattr, truncate, forget,
 * sync, poll).
 *
 * Pages come from a pool rather than one malloc each: libipc's heap
 * serves anything above 2 KiB in 64 KiB slabs, so the pool takes 64 KiB
 * chunks (aligned: a page's chunk is found from its address) and hands
 * them out a page at a time; a chunk whose pages are all free again goes
 * back to malloc.
 */
#include "tmpfs_impl.h"

#define GOLDEN	     UINT64_C(0x9e3779b97f4a7c15)
#define CHUNK_ALL    ((1u << CHUNK_PAGES) - 1)
#define POLL_DEFAULT 0x145u /* POLLIN|POLLOUT|POLLRDNORM|POLLWRNORM */
#define SET_ALL                                                                \
	(FS_SET_MODE | FS_SET_UID | FS_SET_GID | FS_SET_SIZE | FS_SET_ATIME |  \
	    FS_SET_MTIME | FS_SET_CTIME)

/* --- hash tables --- */

int
htab_init(struct htab *h, unsigned shift)
{
	h->bucket = calloc(1u << shift, sizeof(*h->bucket));
	h->mask = (UINT64_C(1) << shift) - 1;
	h->count = 0;
	return h->bucket != NULL ? 0 : -ENOMEM;
}

/* Twice the buckets; if memory is short the chains just grow longer. */
static void
htab_grow(struct htab *h)
{
	uint64_t n = (h->mask + 1) * 2;
	struct hlink **b = calloc(n, sizeof(*b));

	if (b == NULL)
		return;
	for (uint64_t i = 0; i <= h->mask; i++)
		while (h->bucket[i] != NULL) {
			struct hlink *l = h->bucket[i];

			h->bucket[i] = l->next;
			l->next = b[l->hash & (n - 1)];
			b[l->hash & (n - 1)] = l;
		}
	free(h->bucket);
	h->bucket = b;
	h->mask = n - 1;
}

void
htab_add(struct htab *h, struct hlink *l, uint64_t hash)
{
	if (h->count > h->mask)
		htab_grow(h);
	l->hash = hash;
	l->next = h->bucket[hash & h->mask];
	h->bucket[hash & h->mask] = l;
	h->count++;
}

void
htab_del(struct htab *h, struct hlink *l)
{
	struct hlink **pp = &h->bucket[l->hash & h->mask];

	while (*pp != l)
		pp = &(*pp)->next;
	*pp = l->next;
	h->count--;
}

/* --- the page pool --- */

static uint64_t
chunk_hash(uintptr_t base)
{
	return (uint64_t)(base / CHUNK_SIZE) * GOLDEN;
}

static void *
chunk_mem(void)
{
	void *p;

#ifdef LK_HOST
	if (posix_memalign(&p, CHUNK_SIZE, CHUNK_SIZE) != 0)
		return NULL;
#else
	/* heap.c gives a 64 KiB request one whole slab: 64 KiB aligned. */
	if ((p = malloc(CHUNK_SIZE)) != NULL &&
	    ((uintptr_t)p & (CHUNK_SIZE - 1)) != 0) {
		free(p);
		return NULL;
	}
#endif
	return p;
}

static struct chunk *
chunk_find(const struct tmpfs *fs, uintptr_t base)
{
	struct hlink *l;

	for (l = htab_chain(&fs->chunks, chunk_hash(base)); l != NULL;
	     l = l->next) {
		struct chunk *c = container_of(l, struct chunk, hash);

		if ((uintptr_t)c->base == base)
			return c;
	}
	return NULL;
}

/* A page (not zeroed), or NULL when memory is out. */
void *
page_alloc(struct tmpfs *fs)
{
	struct chunk *c = list_first_entry(&fs->partial, struct chunk, link);
	unsigned i;

	if (c == NULL) {
		if ((c = malloc(sizeof(*c))) == NULL)
			return NULL;
		if ((c->base = chunk_mem()) == NULL) {
			free(c);
			return NULL;
		}
		c->free = CHUNK_ALL;
		htab_add(&fs->chunks, &c->hash, chunk_hash((uintptr_t)c->base));
		list_add_head(&fs->partial, &c->link);
		fs->pool_pages += CHUNK_PAGES;
	}
	i = (unsigned)__builtin_ctz(c->free);
	c->free &= ~(1u << i);
	if (c->free == 0)
		list_remove(&c->link);
	return c->base + (size_t)i * TMPFS_PAGE;
}

void
page_free(struct tmpfs *fs, void *page)
{
	uintptr_t base = (uintptr_t)page & ~(uintptr_t)(CHUNK_SIZE - 1);
	struct chunk *c = chunk_find(fs, base);
	unsigned i = (unsigned)(((uintptr_t)page - base) / TMPFS_PAGE);

	if (c->free == 0)
		list_add_head(&fs->partial, &c->link);
	c->free |= 1u << i;
	if (c->free == CHUNK_ALL) {
		list_remove(&c->link);
		htab_del(&fs->chunks, &c->hash);
		free(c->base);
		free(c);
		fs->pool_pages -= CHUNK_PAGES;
	}
}

/* --- nodes --- */

struct fs_time
fs_now(const struct tmpfs *fs)
{
	struct fs_time t = {0, 0};

	if (fs->params.now != NULL)
		t = fs->params.now(fs->params.ctx);
	return t;
}

static uint64_t
node_hash(uint64_t id)
{
	return id * GOLDEN;
}

struct tmpfs_node *
node_find(const struct tmpfs *fs, uint64_t id)
{
	struct hlink *l;

	for (l = htab_chain(&fs->nodes, node_hash(id)); l != NULL;
	     l = l->next) {
		struct tmpfs_node *n = container_of(l, struct tmpfs_node, hash);

		if (n->id == id)
			return n;
	}
	return NULL;
}

/* The node with this id: 0, or -ENOENT for one that does not exist. */
int
node_get(const struct tmpfs *fs, uint64_t id, struct tmpfs_node **np)
{
	return (*np = node_find(fs, id)) != NULL ? 0 : -ENOENT;
}

/* One of the instance's inodes (nodes and extra hard links count). */
int
inode_reserve(struct tmpfs_sb *sb)
{
	if (sb->max_inodes != 0 && sb->used_inodes >= sb->max_inodes)
		return -ENOSPC;
	sb->used_inodes++;
	return 0;
}

void
inode_unreserve(struct tmpfs_sb *sb)
{
	sb->used_inodes--;
}

bool
sb_rdonly(const struct tmpfs_sb *sb)
{
	return (sb->msflags & TMPFS_MS_RDONLY) != 0;
}

/* Linux's (uid_t)-1 names no one: it cannot own a file. */
bool
id_valid(uint32_t id)
{
	return id != UINT32_MAX;
}

/*
 * A new node of sb, nlink 1, no references, all three times now; the
 * caller gives it its contents (dir_init for a directory). -ENOSPC when
 * the instance is out of inodes, -ENOMEM.
 */
int
node_new(struct tmpfs_sb *sb, uint32_t mode, uint32_t uid, uint32_t gid,
    struct tmpfs_node **np)
{
	struct tmpfs *fs = sb->fs;
	struct tmpfs_node *n;
	int r;

	if ((r = inode_reserve(sb)) != 0)
		return r;
	if ((n = calloc(1, sizeof(*n))) == NULL) {
		inode_unreserve(sb);
		return -ENOMEM;
	}
	n->sb = sb;
	n->id = fs->next_id++;
	n->mode = mode;
	n->nlink = 1;
	n->uid = uid;
	n->gid = gid;
	n->atime = n->mtime = n->ctime = fs_now(fs);
	htab_add(&fs->nodes, &n->hash, node_hash(n->id));
	list_add_tail(&sb->nodes, &n->link);
	fs->nnodes++;
	*np = n;
	return 0;
}

/* Frees n and what it holds, whatever its links and references. */
void
node_destroy(struct tmpfs_node *n)
{
	struct tmpfs *fs = n->sb->fs;

	if (node_is(n, FS_IFREG))
		file_free(n);
	else if (node_is(n, FS_IFDIR))
		dir_free(n);
	else if (node_is(n, FS_IFLNK))
		link_free(n);
	if (n->refs > 0 && n != n->sb->root)
		n->sb->nrefd--;
	htab_del(&fs->nodes, &n->hash);
	list_remove(&n->link);
	inode_unreserve(n->sb);
	fs->nnodes--;
	free(n);
}

void
node_ref(struct tmpfs_node *n)
{
	if (n->refs++ == 0 && n != n->sb->root)
		n->sb->nrefd++;
}

/* Frees n if nothing names it and nobody refers to it any more. */
void
node_release(struct tmpfs_node *n)
{
	if (n->nlink == 0 && n->refs == 0 && n != n->sb->root)
		node_destroy(n);
}

void
node_attr(const struct tmpfs_node *n, struct fs_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->ino = n->id;
	a->mode = n->mode;
	a->nlink = n->nlink;
	a->uid = n->uid;
	a->gid = n->gid;
	a->rdev = n->rdev;
	a->size = n->size;
	if (node_is(n, FS_IFREG))
		a->blocks = (int64_t)(n->u.file.pages * (TMPFS_PAGE / 512));
	else if (node_is(n, FS_IFLNK) && n->u.link.paged)
		a->blocks = TMPFS_PAGE / 512;
	a->blksize = TMPFS_PAGE;
	a->atime = n->atime;
	a->mtime = n->mtime;
	a->ctime = n->ctime;
}

static int
time_cmp(const struct fs_time *a, const struct fs_time *b)
{
	if (a->sec != b->sec)
		return a->sec < b->sec ? -1 : 1;
	return a->nsec < b->nsec ? -1 : a->nsec > b->nsec;
}

/*
 * A read, readdir or readlink touched n: atime as Linux's relatime does
 * it (only if atime is not after mtime or ctime, or a day old), unless
 * the mount says strictatime (always), noatime or nodiratime (never).
 */
void
node_accessed(struct tmpfs_node *n)
{
	uint64_t f = n->sb->msflags;
	struct fs_time now = fs_now(n->sb->fs);

	if ((f & (TMPFS_MS_RDONLY | TMPFS_MS_NOATIME)) ||
	    ((f & TMPFS_MS_NODIRATIME) && node_is(n, FS_IFDIR)))
		return;
	if (!(f & TMPFS_MS_STRICTATIME) && time_cmp(&n->mtime, &n->atime) < 0 &&
	    time_cmp(&n->ctime, &n->atime) < 0 &&
	    now.sec - n->atime.sec < 24 * 60 * 60)
		return;
	n->atime = now;
}

/* --- attributes and references --- */

int
tmpfs_getattr(struct tmpfs *fs, uint64_t node, struct fs_attr *attr)
{
	struct tmpfs_node *n;
	int r;

	if ((r = node_get(fs, node, &n)) != 0)
		return r;
	node_attr(n, attr);
	return 0;
}

static bool
time_valid(const struct fs_time *t)
{
	return t->nsec >= 0 && t->nsec < 1000000000;
}

/* Everything setattr could refuse, checked before anything changes. */
static int
setattr_check(const struct tmpfs_node *n, const struct fs_setattr *sa)
{
	uint32_t v = sa->valid;

	if (v & ~SET_ALL)
		return -EINVAL;
	if (v != 0 && sb_rdonly(n->sb))
		return -EROFS;
	if (v & FS_SET_SIZE) {
		if (node_is(n, FS_IFDIR))
			return -EISDIR;
		if (!node_is(n, FS_IFREG) || sa->size < 0)
			return -EINVAL;
	}
	if (((v & FS_SET_UID) && !id_valid(sa->uid)) ||
	    ((v & FS_SET_GID) && !id_valid(sa->gid)))
		return -EINVAL;
	if (((v & FS_SET_ATIME) && !time_valid(&sa->atime)) ||
	    ((v & FS_SET_MTIME) && !time_valid(&sa->mtime)) ||
	    ((v & FS_SET_CTIME) && !time_valid(&sa->ctime)))
		return -EINVAL;
	return 0;
}

/*
 * As Linux's notify_change and shmem_setattr: a new size frees or zeroes
 * what lies beyond it and moves mtime and ctime; chown of a non-directory
 * drops setuid, and setgid when group-executable (the part that does not
 * depend on who asks: the rest is vfs's); ctime is the one given, else
 * now.
 */
int
tmpfs_setattr(struct tmpfs *fs, uint64_t node, const struct fs_setattr *sa,
    struct fs_attr *attr)
{
	struct tmpfs_node *n;
	struct fs_time now = fs_now(fs);
	uint32_t v = sa->valid;
	int r;

	if ((r = node_get(fs, node, &n)) != 0 ||
	    (r = setattr_check(n, sa)) != 0)
		return r;
	if ((v & FS_SET_SIZE) && sa->size != n->size) {
		file_resize(n, sa->size);
		n->mtime = n->ctime = now;
	}
	if (v & FS_SET_MODE)
		n->mode = (n->mode & FS_IFMT) | (sa->mode & 07777);
	if ((v & (FS_SET_UID | FS_SET_GID)) && !(v & FS_SET_MODE) &&
	    !node_is(n, FS_IFDIR)) {
		n->mode &= ~04000u;
		if (n->mode & 00010)
			n->mode &= ~02000u;
	}
	if (v & FS_SET_UID)
		n->uid = sa->uid;
	if (v & FS_SET_GID)
		n->gid = sa->gid;
	if (v & FS_SET_ATIME)
		n->atime = sa->atime;
	if (v & FS_SET_MTIME)
		n->mtime = sa->mtime;
	if (v != 0)
		n->ctime = (v & FS_SET_CTIME) ? sa->ctime : now;
	node_attr(n, attr);
	return 0;
}

/* truncate(2): the size, and mtime and ctime even when it stays. */
int
tmpfs_truncate(
    struct tmpfs *fs, uint64_t node, uint64_t size, struct fs_attr *attr)
{
	struct tmpfs_node *n;
	int r;

	if ((r = node_get(fs, node, &n)) != 0)
		return r;
	if (node_is(n, FS_IFDIR))
		return -EISDIR;
	if (!node_is(n, FS_IFREG) || (int64_t)size < 0)
		return -EINVAL;
	if (sb_rdonly(n->sb))
		return -EROFS;
	file_resize(n, (int64_t)size);
	n->mtime = n->ctime = fs_now(fs);
	node_attr(n, attr);
	return 0;
}

int
tmpfs_forget(struct tmpfs *fs, uint64_t node, uint64_t count)
{
	struct tmpfs_node *n;
	int r;

	if ((r = node_get(fs, node, &n)) != 0)
		return r;
	if (count == 0 || n->refs == 0)
		return 0;
	n->refs -= count < n->refs ? count : n->refs;
	if (n->refs == 0 && n != n->sb->root)
		n->sb->nrefd--;
	node_release(n);
	return 0;
}

int
tmpfs_sync(struct tmpfs *fs, uint64_t node)
{
	struct tmpfs_node *n;

	return node == 0 ? 0 : node_get(fs, node, &n);
}

int64_t
tmpfs_poll(struct tmpfs *fs, uint64_t node, uint64_t events)
{
	struct tmpfs_node *n;
	int r;

	if ((r = node_get(fs, node, &n)) != 0)
		return r;
	return (int64_t)(events & POLL_DEFAULT);
}
