/*
 * tmpfs_dir.c - directories: their entries and every operation on names.
 *
 * An entry (struct tmpfs_dirent) is found by name through the server's
 * name hash, keyed by (directory, name), and walked in order through its
 * directory's tree of positions. A position is given once, at creation,
 * from a counter that only grows (as Linux's stable offsets for tmpfs),
 * so creation order is position order, an entry's position stays valid
 * while others come and go, and a readdir that goes on from a position
 * never sees an entry twice. A rename moves its entry to a new position
 * in the new directory (one that replaces a name takes that name's
 * position); RENAME_EXCHANGE keeps both positions.
 *
 * Links and sizes are Linux's: a directory has nlink 2 + its
 * subdirectories and a size of BOGO_DIRENT per entry (plus two), a
 * removed directory nlink 0; each extra hard link costs an inode.
 */
#include "tmpfs_impl.h"

#define GOLDEN UINT64_C(0x9e3779b97f4a7c15)

static uint64_t
name_hash(const struct tmpfs_node *dir, const char *name, size_t len)
{
	uint64_t h = (dir->id * GOLDEN) ^ UINT64_C(0xcbf29ce484222325);

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * UINT64_C(0x100000001b3);
	return h ^ (h >> 29);
}

/* 1..FS_NAME_MAX bytes, no '/' or NUL, not "." or "..". */
static int
name_check(const char *name, size_t len)
{
	if (len == 0)
		return -EINVAL;
	if (len > FS_NAME_MAX)
		return -ENAMETOOLONG;
	if (memchr(name, '/', len) != NULL || memchr(name, '\0', len) != NULL)
		return -EINVAL;
	if (name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.')))
		return -EINVAL;
	return 0;
}

static struct tmpfs_dirent *
dirent_find(const struct tmpfs *fs, const struct tmpfs_node *dir,
    const char *name, size_t len)
{
	uint64_t h = name_hash(dir, name, len);

	for (struct hlink *l = htab_chain(&fs->names, h); l != NULL;
	     l = l->next) {
		struct tmpfs_dirent *e =
		    container_of(l, struct tmpfs_dirent, hash);

		if (l->hash == h && e->dir == dir && e->len == len &&
		    memcmp(e->name, name, len) == 0)
			return e;
	}
	return NULL;
}

/* A directory to look in or change: -ENOENT (none, or removed), -ENOTDIR. */
static int
dir_get(const struct tmpfs *fs, uint64_t id, struct tmpfs_node **dp)
{
	int r;

	if ((r = node_get(fs, id, dp)) != 0)
		return r;
	if (!node_is(*dp, FS_IFDIR))
		return -ENOTDIR;
	return (*dp)->nlink == 0 ? -ENOENT : 0;
}

/* dir_get, then name_check. */
static int
dir_name_get(const struct tmpfs *fs, uint64_t id, const char *name, size_t len,
    struct tmpfs_node **dp)
{
	int r;

	if ((r = dir_get(fs, id, dp)) != 0)
		return r;
	return name_check(name, len);
}

static struct tmpfs_dirent *
dirent_alloc(const char *name, size_t len)
{
	struct tmpfs_dirent *e = malloc(sizeof(*e) + len);

	if (e != NULL) {
		memcpy(e->name, name, len);
		e->len = (uint16_t)len;
	}
	return e;
}

/* Puts e (named, its node set) at the end of dir. */
static void
dirent_insert(struct tmpfs_node *dir, struct tmpfs_dirent *e)
{
	struct rb_node **link = &dir->u.dir.entries.node, *parent = NULL;

	e->dir = dir;
	e->pos = dir->u.dir.next_pos++;
	while (*link != NULL) { /* the new position is the largest */
		parent = *link;
		link = &parent->child[RB_RIGHT];
	}
	rb_link(&e->by_pos, parent, link);
	rb_insert_fixup(&dir->u.dir.entries, &e->by_pos);
	htab_add(
	    &dir->sb->fs->names, &e->hash, name_hash(dir, e->name, e->len));
	dir->u.dir.count++;
	dir->size += BOGO_DIRENT;
}

/* Takes e out of its directory and frees it. */
static void
dirent_remove(struct tmpfs_dirent *e)
{
	struct tmpfs_node *dir = e->dir;

	rb_erase(&dir->u.dir.entries, &e->by_pos);
	htab_del(&dir->sb->fs->names, &e->hash);
	dir->u.dir.count--;
	dir->size -= BOGO_DIRENT;
	free(e);
}

void
dir_init(struct tmpfs_node *d, struct tmpfs_node *parent)
{
	rb_init(&d->u.dir.entries);
	d->u.dir.count = 0;
	d->u.dir.next_pos = FIRST_POS;
	d->u.dir.parent = parent;
	d->nlink = 2;
	d->size = 2 * BOGO_DIRENT;
}

/* Frees d's entries (not the nodes they name: the instance is ending). */
void
dir_free(struct tmpfs_node *d)
{
	while (!rb_empty(&d->u.dir.entries)) {
		struct tmpfs_dirent *e = rb_entry(
		    d->u.dir.entries.node, struct tmpfs_dirent, by_pos);

		rb_erase(&d->u.dir.entries, &e->by_pos);
		htab_del(&d->sb->fs->names, &e->hash);
		free(e);
	}
}

/* n lost the name it had in dir (the entry is gone or names another). */
static void
node_unlinked(struct tmpfs_node *n, struct tmpfs_node *dir)
{
	if (node_is(n, FS_IFDIR)) {
		n->nlink = 0;
		n->u.dir.parent = NULL;
		dir->nlink--;
		return;
	}
	if (n->nlink > 1)
		inode_unreserve(n->sb); /* the extra link's inode */
	n->nlink--;
}

int
tmpfs_lookup(struct tmpfs *fs, uint64_t dir, const char *name, size_t len,
    struct fs_attr *attr)
{
	struct tmpfs_dirent *e;
	struct tmpfs_node *d;
	int r;

	if ((r = dir_name_get(fs, dir, name, len, &d)) != 0)
		return r;
	if ((e = dirent_find(fs, d, name, len)) == NULL)
		return -ENOENT;
	node_ref(e->node);
	node_attr(e->node, attr);
	return 0;
}

/* --- making names --- */

/* What a new name in dir needs: -EEXIST if taken, then -EROFS. */
static int
new_name_check(struct tmpfs *fs, uint64_t dir, const char *name, size_t len,
    struct tmpfs_node **dp)
{
	int r;

	if ((r = dir_name_get(fs, dir, name, len, dp)) != 0)
		return r;
	if (dirent_find(fs, *dp, name, len) != NULL)
		return -EEXIST;
	if (sb_rdonly((*dp)->sb))
		return -EROFS;
	if ((*dp)->u.dir.next_pos >= (uint64_t)INT64_MAX)
		return -ENOSPC; /* positions must stay d_off values */
	return 0;
}

/*
 * Names the new node n in dir: the entry, dir's times, the caller's
 * reference and attributes. Out of memory, n is destroyed: -ENOMEM.
 */
static int
new_name(struct tmpfs_node *dir, const char *name, size_t len,
    struct tmpfs_node *n, struct fs_attr *attr)
{
	struct tmpfs_dirent *e = dirent_alloc(name, len);

	if (e == NULL) {
		node_destroy(n);
		return -ENOMEM;
	}
	e->node = n;
	dirent_insert(dir, e);
	dir->mtime = dir->ctime = n->ctime;
	node_ref(n);
	node_attr(n, attr);
	return 0;
}

int
tmpfs_create(struct tmpfs *fs, uint64_t dir, const char *name, size_t len,
    uint32_t mode, uint32_t uid, uint32_t gid, uint64_t rdev,
    struct fs_attr *attr)
{
	uint32_t type = (mode & FS_IFMT) != 0 ? mode & FS_IFMT : FS_IFREG;
	struct tmpfs_node *d, *n;
	int r;

	if (type != FS_IFREG && type != FS_IFIFO && type != FS_IFCHR &&
	    type != FS_IFBLK && type != FS_IFSOCK)
		return -EINVAL;
	if (!id_valid(uid) || !id_valid(gid))
		return -EINVAL;
	if ((r = new_name_check(fs, dir, name, len, &d)) != 0 ||
	    (r = node_new(d->sb, type | (mode & 07777), uid, gid, &n)) != 0)
		return r;
	if (type == FS_IFCHR || type == FS_IFBLK)
		n->rdev = rdev;
	return new_name(d, name, len, n, attr);
}

int
tmpfs_mkdir(struct tmpfs *fs, uint64_t dir, const char *name, size_t len,
    uint32_t mode, uint32_t uid, uint32_t gid, struct fs_attr *attr)
{
	struct tmpfs_node *d, *n;
	int r;

	if ((mode & FS_IFMT) != 0 && (mode & FS_IFMT) != FS_IFDIR)
		return -EINVAL;
	if (!id_valid(uid) || !id_valid(gid))
		return -EINVAL;
	if ((r = new_name_check(fs, dir, name, len, &d)) != 0)
		return r;
	if (d->nlink == UINT32_MAX)
		return -EMLINK;
	if ((r = node_new(d->sb, FS_IFDIR | (mode & 07777), uid, gid, &n)) != 0)
		return r;
	dir_init(n, d);
	if ((r = new_name(d, name, len, n, attr)) != 0)
		return r;
	d->nlink++;
	return 0;
}

int
tmpfs_symlink(struct tmpfs *fs, uint64_t dir, const char *name, size_t len,
    const char *target, size_t tlen, uint32_t uid, uint32_t gid,
    struct fs_attr *attr)
{
	struct tmpfs_node *d, *n;
	int r;

	if (tlen == 0)
		return -ENOENT; /* symlink("", ...), as Linux */
	if (tlen >= FS_PATH_MAX)
		return -ENAMETOOLONG;
	if (memchr(target, '\0', tlen) != NULL || !id_valid(uid) ||
	    !id_valid(gid))
		return -EINVAL;
	if ((r = new_name_check(fs, dir, name, len, &d)) != 0 ||
	    (r = node_new(d->sb, FS_IFLNK | 0777, uid, gid, &n)) != 0)
		return r;
	if ((r = link_set(n, target, tlen)) != 0) {
		node_destroy(n);
		return r;
	}
	return new_name(d, name, len, n, attr);
}

/* Linux's order: -EEXIST, -EXDEV, -EPERM (a directory), -ENOENT (unlinked). */
int
tmpfs_link(struct tmpfs *fs, uint64_t node, uint64_t dir, const char *name,
    size_t len, struct fs_attr *attr)
{
	struct tmpfs_node *n, *d;
	struct tmpfs_dirent *e;
	int r;

	if ((r = node_get(fs, node, &n)) != 0 ||
	    (r = dir_name_get(fs, dir, name, len, &d)) != 0)
		return r;
	if (dirent_find(fs, d, name, len) != NULL)
		return -EEXIST;
	if (n->sb != d->sb)
		return -EXDEV;
	if (sb_rdonly(d->sb))
		return -EROFS;
	if (node_is(n, FS_IFDIR))
		return -EPERM;
	if (n->nlink == 0)
		return -ENOENT;
	if (n->nlink == UINT32_MAX)
		return -EMLINK;
	if (d->u.dir.next_pos >= (uint64_t)INT64_MAX)
		return -ENOSPC;
	if ((r = inode_reserve(d->sb)) != 0)
		return r;
	if ((e = dirent_alloc(name, len)) == NULL) {
		inode_unreserve(d->sb);
		return -ENOMEM;
	}
	e->node = n;
	dirent_insert(d, e);
	n->nlink++;
	n->ctime = d->mtime = d->ctime = fs_now(fs);
	node_ref(n);
	node_attr(n, attr);
	return 0;
}

/* --- removing names --- */

/* Removes the name e, and its node if that was the last trace of it. */
static void
name_drop(struct tmpfs_dirent *e)
{
	struct tmpfs_node *n = e->node, *dir = e->dir;

	dirent_remove(e);
	n->ctime = dir->mtime = dir->ctime = fs_now(dir->sb->fs);
	node_unlinked(n, dir);
	node_release(n);
}

/* The entry to remove: -EROFS (before the name is looked at, as Linux),
 * -ENOENT. */
static int
old_name_get(struct tmpfs *fs, uint64_t dir, const char *name, size_t len,
    struct tmpfs_dirent **ep)
{
	struct tmpfs_node *d;
	int r;

	if ((r = dir_name_get(fs, dir, name, len, &d)) != 0)
		return r;
	if (sb_rdonly(d->sb))
		return -EROFS;
	return (*ep = dirent_find(fs, d, name, len)) != NULL ? 0 : -ENOENT;
}

int
tmpfs_unlink(struct tmpfs *fs, uint64_t dir, const char *name, size_t len)
{
	struct tmpfs_dirent *e;
	int r;

	if ((r = old_name_get(fs, dir, name, len, &e)) != 0)
		return r;
	if (node_is(e->node, FS_IFDIR))
		return -EISDIR;
	name_drop(e);
	return 0;
}

int
tmpfs_rmdir(struct tmpfs *fs, uint64_t dir, const char *name, size_t len)
{
	struct tmpfs_dirent *e;
	int r;

	if ((r = old_name_get(fs, dir, name, len, &e)) != 0)
		return r;
	if (!node_is(e->node, FS_IFDIR))
		return -ENOTDIR;
	if (e->node->u.dir.count > 0)
		return -ENOTEMPTY;
	name_drop(e);
	return 0;
}

/* --- rename --- */

/* Whether a is d or one of d's ancestors. */
static bool
is_ancestor(const struct tmpfs_node *a, const struct tmpfs_node *d)
{
	for (; d != NULL; d = d->u.dir.parent)
		if (d == a)
			return true;
	return false;
}

/* A directory n leaves od for nd. */
static void
dir_moved(struct tmpfs_node *n, struct tmpfs_node *od, struct tmpfs_node *nd)
{
	if (!node_is(n, FS_IFDIR) || od == nd)
		return;
	od->nlink--;
	nd->nlink++;
	n->u.dir.parent = nd;
}

static void
rename_exchange(struct tmpfs_dirent *oe, struct tmpfs_dirent *ne)
{
	struct tmpfs_node *n = oe->node, *t = ne->node;

	oe->node = t;
	ne->node = n;
	dir_moved(n, oe->dir, ne->dir);
	dir_moved(t, ne->dir, oe->dir);
}

/* What rename could refuse (Linux's order), before anything changes. */
static int
rename_check(struct tmpfs_node *od, struct tmpfs_dirent *oe,
    struct tmpfs_node *nd, struct tmpfs_dirent *ne, unsigned flags)
{
	struct tmpfs_node *n = oe->node, *t = ne != NULL ? ne->node : NULL;

	if ((flags & FS_RENAME_EXCHANGE) && ne == NULL)
		return -ENOENT;
	if ((flags & FS_RENAME_NOREPLACE) && ne != NULL)
		return -EEXIST;
	if (node_is(n, FS_IFDIR) && is_ancestor(n, nd))
		return -EINVAL; /* into itself */
	if ((flags & FS_RENAME_EXCHANGE) && node_is(t, FS_IFDIR) &&
	    is_ancestor(t, od))
		return -EINVAL;
	if (t == n)
		return 1; /* the same node: nothing to do */
	if (!(flags & FS_RENAME_EXCHANGE) && t != NULL) {
		if (node_is(n, FS_IFDIR) && !node_is(t, FS_IFDIR))
			return -ENOTDIR;
		if (!node_is(n, FS_IFDIR) && node_is(t, FS_IFDIR))
			return -EISDIR;
		if (node_is(t, FS_IFDIR) && t->u.dir.count > 0)
			return -ENOTEMPTY;
	}
	if (ne == NULL && node_is(n, FS_IFDIR) && od != nd &&
	    nd->nlink == UINT32_MAX)
		return -EMLINK;
	if (ne == NULL && nd->u.dir.next_pos >= (uint64_t)INT64_MAX)
		return -ENOSPC;
	return 0;
}

int
tmpfs_rename(struct tmpfs *fs, uint64_t olddir, const char *oldname,
    size_t oldlen, uint64_t newdir, const char *newname, size_t newlen,
    unsigned flags)
{
	struct tmpfs_node *od, *nd, *n, *t;
	struct tmpfs_dirent *oe, *ne, *fresh = NULL;
	struct fs_time now;
	int r;

	if ((flags & ~(FS_RENAME_NOREPLACE | FS_RENAME_EXCHANGE)) != 0 ||
	    flags == (FS_RENAME_NOREPLACE | FS_RENAME_EXCHANGE))
		return -EINVAL;
	if ((r = dir_name_get(fs, olddir, oldname, oldlen, &od)) != 0 ||
	    (r = dir_name_get(fs, newdir, newname, newlen, &nd)) != 0)
		return r;
	if (od->sb != nd->sb)
		return -EXDEV;
	if (sb_rdonly(od->sb))
		return -EROFS;
	if ((oe = dirent_find(fs, od, oldname, oldlen)) == NULL)
		return -ENOENT;
	ne = dirent_find(fs, nd, newname, newlen);
	if ((r = rename_check(od, oe, nd, ne, flags)) != 0)
		return r < 0 ? r : 0;
	if (ne == NULL && (fresh = dirent_alloc(newname, newlen)) == NULL)
		return -ENOMEM;
	n = oe->node;
	t = ne != NULL ? ne->node : NULL;
	if (flags & FS_RENAME_EXCHANGE) {
		rename_exchange(oe, ne);
	} else if (ne != NULL) { /* n takes t's name and position */
		node_unlinked(t, nd);
		ne->node = n;
		dirent_remove(oe);
		dir_moved(n, od, nd);
	} else {
		fresh->node = n;
		dirent_remove(oe);
		dirent_insert(nd, fresh);
		dir_moved(n, od, nd);
	}
	now = fs_now(fs);
	od->mtime = od->ctime = nd->mtime = nd->ctime = n->ctime = now;
	if (t != NULL) {
		t->ctime = now;
		if (!(flags & FS_RENAME_EXCHANGE))
			node_release(t);
	}
	return 0;
}

/* --- readdir --- */

/* Appends one linux_dirent64 record: its size, or 0 if it does not fit. */
static size_t
put_dirent(char *buf, size_t room, uint64_t ino, uint64_t next, uint32_t mode,
    const char *name, size_t len)
{
	return fs_dirent_put(buf, room, ino, (int64_t)next, (uint8_t)((mode & FS_IFMT) >> 12),
	    name, len);
}

/* The first entry of d at position pos or after it. */
static struct tmpfs_dirent *
dirent_from(const struct tmpfs_node *d, uint64_t pos)
{
	struct rb_node *x = d->u.dir.entries.node, *best = NULL;

	while (x != NULL) {
		if (rb_entry(x, struct tmpfs_dirent, by_pos)->pos >= pos) {
			best = x;
			x = x->child[RB_LEFT];
		} else {
			x = x->child[RB_RIGHT];
		}
	}
	return rb_entry_or_null(best, struct tmpfs_dirent, by_pos);
}

int64_t
tmpfs_readdir(
    struct tmpfs *fs, uint64_t dir, uint64_t pos, void *buf, size_t room)
{
	struct tmpfs_node *d;
	struct tmpfs_dirent *e;
	char *out = buf;
	size_t used = 0, n;
	bool more = true; /* a record did not fit */
	int r;

	if ((r = dir_get(fs, dir, &d)) != 0)
		return r;
	if ((int64_t)pos < 0)
		return -EINVAL;
	if (pos == 0) {
		if ((n = put_dirent(out, room, d->id, 1, FS_IFDIR, ".", 1)) ==
		    0)
			return -EINVAL;
		used += n;
		pos = 1;
	}
	if (pos == 1) {
		const struct tmpfs_node *up =
		    d->u.dir.parent != NULL ? d->u.dir.parent : d;

		if ((n = put_dirent(out + used, room - used, up->id, 2,
			 FS_IFDIR, "..", 2)) == 0)
			goto full;
		used += n;
		pos = FIRST_POS;
	}
	for (e = dirent_from(d, pos); e != NULL;
	     e = rb_entry_or_null(
		 rb_next(&e->by_pos), struct tmpfs_dirent, by_pos)) {
		if ((n = put_dirent(out + used, room - used, e->node->id,
			 e->pos + 1, e->node->mode, e->name, e->len)) == 0)
			goto full;
		used += n;
	}
	more = false;
full:
	if (used == 0 && more)
		return -EINVAL; /* room for not even one record */
	node_accessed(d);
	return (int64_t)used;
}
