/*
 * tmpfs_core.c - the server's tables, nodes and instances: hash tables,
 * the page pool, node ids and references, attributes and times, mount
 * options, mount/umount/statfs, getattr/setattr/forget.
 *
 * Pages come from a pool rather than one malloc each: libipc's heap
 * serves anything above 2 KiB in 64 KiB slabs, so the pool takes 64 KiB
 * chunks (aligned: a page's chunk is found from its address) and hands
 * them out a page at a time; a chunk whose pages are all free again goes
 * back to malloc.
 */
#include "tmpfs_impl.h"

#define GOLDEN		UINT64_C(0x9e3779b97f4a7c15)
#define CHUNK_ALL	((1u << CHUNK_PAGES) - 1)
#define POLL_DEFAULT	0x145u		/* POLLIN|POLLOUT|POLLRDNORM|POLLWRNORM */
#define SET_ALL		(FS_SET_MODE | FS_SET_UID | FS_SET_GID | FS_SET_SIZE | \
	FS_SET_ATIME | FS_SET_MTIME | FS_SET_CTIME)

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
	if ((p = malloc(CHUNK_SIZE)) != NULL && ((uintptr_t)p & (CHUNK_SIZE - 1)) != 0) {
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

	for (l = htab_chain(&fs->chunks, chunk_hash(base)); l != NULL; l = l->next) {
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
	struct fs_time t = { 0, 0 };

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

	for (l = htab_chain(&fs->nodes, node_hash(id)); l != NULL; l = l->next) {
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
	    time_cmp(&n->ctime, &n->atime) < 0 && now.sec - n->atime.sec < 24 * 60 * 60)
		return;
	n->atime = now;
}

/* --- mount options --- */

struct mount_opts {
	uint64_t blocks, inodes;	/* 0: no limit */
	uint32_t mode, uid, gid;
	bool rdonly;
};

static bool
is_digit(char c, unsigned base)
{
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0') < base;
	c |= 0x20;
	return base == 16 && c >= 'a' && c <= 'f';
}

/*
 * An unsigned number at the start of s[0..n) in base (0: C's prefixes,
 * as Linux's simple_strtoull): at least one digit, no overflow.
 * Returns the digits and prefix consumed, or 0 if there is no number.
 */
static size_t
parse_uint(const char *s, size_t n, unsigned base, uint64_t *v)
{
	size_t i = 0;

	if (base == 0) {
		base = 10;
		if (n >= 3 && s[0] == '0' && (s[1] | 0x20) == 'x' && is_digit(s[2], 16)) {
			base = 16;
			i = 2;
		} else if (n >= 1 && s[0] == '0') {
			base = 8;
		}
	}
	*v = 0;
	if (i >= n || !is_digit(s[i], base))
		return 0;
	for (; i < n && is_digit(s[i], base); i++) {
		unsigned d = s[i] <= '9' ? (unsigned)(s[i] - '0') : (unsigned)((s[i] | 0x20) - 'a' + 10);

		if (*v > (UINT64_MAX - d) / base)
			return 0;
		*v = *v * base + d;
	}
	return i;
}

/*
 * Linux's memparse: a number and an optional K/M/G/T/P/E suffix (either
 * case), then *pct says whether a '%' followed (if pct is not NULL).
 * The whole of s[0..n) must be used. 0 or -EINVAL.
 */
static int
parse_size(const char *s, size_t n, uint64_t *v, bool *pct)
{
	static const char units[] = "kmgtpe";
	size_t i = parse_uint(s, n, 0, v);

	if (i == 0)
		return -EINVAL;
	if (i < n) {
		const char *u = memchr(units, s[i] | 0x20, sizeof(units) - 1);

		if (u != NULL && s[i] != '%') {
			unsigned shift = 10 * (unsigned)(u - units + 1);

			if (*v > (UINT64_MAX >> shift))
				return -EINVAL;
			*v <<= shift;
			i++;
		}
	}
	if (pct != NULL)
		*pct = i < n && s[i] == '%';
	if (pct != NULL && *pct)
		i++;
	return i == n ? 0 : -EINVAL;
}

static bool
key_is(const char *key, size_t klen, const char *want)
{
	return strlen(want) == klen && memcmp(key, want, klen) == 0;
}

/* size=: bytes (rounded up to pages) or a percentage of the memory. */
static int
opt_size(const struct tmpfs *fs, const char *v, size_t vlen, struct mount_opts *o)
{
	uint64_t size, ram = fs->params.ram_pages;
	bool pct;

	if (parse_size(v, vlen, &size, &pct) != 0)
		return -EINVAL;
	if (!pct) {
		o->blocks = size / TMPFS_PAGE + (size % TMPFS_PAGE != 0);
		return 0;
	}
	if (ram == 0 || (size != 0 && ram > UINT64_MAX / size))
		return -EINVAL;
	o->blocks = (size * ram + 99) / 100;
	return 0;
}

static int
opt_one(const struct tmpfs *fs, const char *key, size_t klen, const char *v,
    size_t vlen, bool has_value, struct mount_opts *o)
{
	static const char *const flags_ignored[] = { "sync", "async", "dirsync",
	    "lazytime", "nolazytime", "mand", "nomand", "inode32", "inode64", "noswap" };
	static const char *const huge[] = { "never", "always", "within_size", "advise",
	    "deny", "force" };
	uint64_t n;

	if (!has_value) {
		if (key_is(key, klen, "ro") || key_is(key, klen, "rw")) {
			o->rdonly = key[0] == 'r' && key[1] == 'o';
			return 0;
		}
		for (size_t i = 0; i < sizeof(flags_ignored) / sizeof(flags_ignored[0]); i++)
			if (key_is(key, klen, flags_ignored[i]))
				return 0;
		return -EINVAL;
	}
	if (key_is(key, klen, "size"))
		return opt_size(fs, v, vlen, o);
	if (key_is(key, klen, "nr_blocks"))
		return parse_size(v, vlen, &o->blocks, NULL);
	if (key_is(key, klen, "nr_inodes"))
		return parse_size(v, vlen, &o->inodes, NULL);
	if (key_is(key, klen, "mode")) {
		if (vlen == 0 || parse_uint(v, vlen, 8, &n) != vlen || n > UINT32_MAX)
			return -EINVAL;
		o->mode = (uint32_t)n & 07777;
		return 0;
	}
	if (key_is(key, klen, "uid") || key_is(key, klen, "gid")) {
		if (vlen == 0 || parse_uint(v, vlen, 0, &n) != vlen || n >= UINT32_MAX)
			return -EINVAL;
		*(key[0] == 'u' ? &o->uid : &o->gid) = (uint32_t)n;
		return 0;
	}
	if (key_is(key, klen, "huge")) {
		for (size_t i = 0; i < sizeof(huge) / sizeof(huge[0]); i++)
			if (key_is(v, vlen, huge[i]))
				return 0;
	}
	return -EINVAL;
}

/* Comma-separated options (empty ones skipped, as Linux does). */
static int
opts_parse(const struct tmpfs *fs, const char *s, size_t len, struct mount_opts *o)
{
	size_t i = 0;

	if (memchr(s, '\0', len) != NULL)
		return -EINVAL;
	while (i < len) {
		const char *key = s + i, *end = memchr(key, ',', len - i), *eq;
		size_t n = end != NULL ? (size_t)(end - key) : len - i;
		int r;

		i += n + 1;
		if (n == 0)
			continue;
		eq = memchr(key, '=', n);
		if (eq != NULL)
			r = opt_one(fs, key, (size_t)(eq - key), eq + 1, n - (size_t)(eq - key) - 1,
			    true, o);
		else
			r = opt_one(fs, key, n, NULL, 0, false, o);
		if (r != 0)
			return r;
	}
	return 0;
}

/* --- instances --- */

int
tmpfs_mount(struct tmpfs *fs, const char *opts, size_t len, uint64_t flags,
    struct fs_attr *attr)
{
	struct mount_opts o = { .blocks = fs->params.ram_pages / 2,
	    .inodes = fs->params.ram_pages / 2, .mode = 01777 };
	struct tmpfs_node *root;
	struct tmpfs_sb *sb;
	int r;

	if ((r = opts_parse(fs, opts, len, &o)) != 0)
		return r;
	if ((sb = calloc(1, sizeof(*sb))) == NULL)
		return -ENOMEM;
	sb->fs = fs;
	list_init(&sb->nodes);
	sb->max_blocks = o.blocks;
	sb->max_inodes = o.inodes;
	sb->msflags = flags | (o.rdonly ? TMPFS_MS_RDONLY : 0);
	if ((r = node_new(sb, FS_IFDIR | o.mode, o.uid, o.gid, &root)) != 0) {
		free(sb);
		return r;
	}
	sb->root = root;
	dir_init(root, NULL);
	list_add_tail(&fs->instances, &sb->link);
	fs->ninstances++;
	node_ref(root);
	node_attr(root, attr);
	return 0;
}

/* Frees the instance and every node of it, the root last. */
static void
sb_destroy(struct tmpfs_sb *sb)
{
	struct tmpfs *fs = sb->fs;
	struct list_node *l, *tmp;

	list_for_each_safe(l, tmp, &sb->nodes) {
		struct tmpfs_node *n = list_entry(l, struct tmpfs_node, link);

		if (n != sb->root)
			node_destroy(n);
	}
	node_destroy(sb->root);
	list_remove(&sb->link);
	fs->ninstances--;
	free(sb);
}

int
tmpfs_umount(struct tmpfs *fs, uint64_t root)
{
	struct tmpfs_node *n = node_find(fs, root);

	if (n == NULL || n != n->sb->root)
		return -EINVAL;
	if (n->sb->nrefd > 0)
		return -EBUSY;
	sb_destroy(n->sb);
	return 0;
}

int
tmpfs_statfs(struct tmpfs *fs, uint64_t node, struct fs_statfs *st)
{
	struct tmpfs_node *n;
	struct tmpfs_sb *sb;
	int r;

	if ((r = node_get(fs, node, &n)) != 0)
		return r;
	sb = n->sb;
	memset(st, 0, sizeof(*st));
	st->type = TMPFS_MAGIC;
	st->bsize = TMPFS_PAGE;
	st->namelen = FS_NAME_MAX;
	st->frsize = TMPFS_PAGE;
	st->flags = sb_rdonly(sb) ? 1 : 0;	/* ST_RDONLY */
	if (sb->max_blocks != 0) {		/* as Linux: 0 when unlimited */
		st->blocks = sb->max_blocks;
		st->bfree = st->bavail = sb->max_blocks > sb->used_blocks ?
		    sb->max_blocks - sb->used_blocks : 0;
	}
	if (sb->max_inodes != 0) {
		st->files = sb->max_inodes;
		st->ffree = sb->max_inodes > sb->used_inodes ?
		    sb->max_inodes - sb->used_inodes : 0;
	}
	return 0;
}

/* --- the server --- */

struct tmpfs *
tmpfs_new(const struct tmpfs_params *params)
{
	struct tmpfs *fs = calloc(1, sizeof(*fs));

	if (fs == NULL)
		return NULL;
	fs->params = *params;
	fs->next_id = 1;
	list_init(&fs->instances);
	list_init(&fs->partial);
	if (htab_init(&fs->nodes, 8) != 0 || htab_init(&fs->names, 8) != 0 ||
	    htab_init(&fs->chunks, 6) != 0) {
		free(fs->nodes.bucket);
		free(fs->names.bucket);
		free(fs->chunks.bucket);
		free(fs);
		return NULL;
	}
	return fs;
}

void
tmpfs_free(struct tmpfs *fs)
{
	while (!list_empty(&fs->instances))
		sb_destroy(list_first_entry(&fs->instances, struct tmpfs_sb, link));
	free(fs->nodes.bucket);
	free(fs->names.bucket);
	free(fs->chunks.bucket);
	free(fs);
}

void
tmpfs_stats(const struct tmpfs *fs, struct tmpfs_stats *st)
{
	st->instances = fs->ninstances;
	st->nodes = fs->nnodes;
	st->data_pages = fs->data_pages;
	st->pool_pages = fs->pool_pages;
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
	if (((v & FS_SET_UID) && !id_valid(sa->uid)) || ((v & FS_SET_GID) && !id_valid(sa->gid)))
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

	if ((r = node_get(fs, node, &n)) != 0 || (r = setattr_check(n, sa)) != 0)
		return r;
	if ((v & FS_SET_SIZE) && sa->size != n->size) {
		file_resize(n, sa->size);
		n->mtime = n->ctime = now;
	}
	if (v & FS_SET_MODE)
		n->mode = (n->mode & FS_IFMT) | (sa->mode & 07777);
	if ((v & (FS_SET_UID | FS_SET_GID)) && !(v & FS_SET_MODE) && !node_is(n, FS_IFDIR)) {
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
tmpfs_truncate(struct tmpfs *fs, uint64_t node, uint64_t size, struct fs_attr *attr)
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
