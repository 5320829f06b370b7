/*
 * fat_ops.c - the name operations of fat_core.h: lookup, create, mkdir,
 * unlink, rmdir, rename.
 *
 * Each decodes and checks everything first (the directory, the names,
 * what exists and what would be replaced), then changes the disk in an
 * order that leaves nothing half done when a step fails: clusters are
 * allocated before the entry that points at them is written, and given
 * back if it cannot be.
 */
#include "fat_impl.h"

/* A live directory node. */
static int
dir_lookup(struct fat_fs *fs, uint64_t id, struct fat_node **dp)
{
	struct fat_node *d = node_find(fs, id);

	if (d == NULL || d->dead)
		return -ENOENT;
	if (!node_is_dir(d))
		return -ENOTDIR;
	*dp = d;
	return 0;
}

/* A name to look for: one that could never have been created is
 * simply not there. */
static int
name_for_lookup(const char *name, size_t len, struct fat_name *nm)
{
	int err = name_parse(name, len, nm);

	return err == -EINVAL ? -ENOENT : err;
}

static int
name_for_create(const char *name, size_t len, struct fat_name *nm)
{
	int err = name_parse(name, len, nm);

	return err != 0 ? err : name_check_new(nm);
}

/* Finds name in dir and pins its node. */
static int
entry_node(struct fat_fs *fs, struct fat_node *dir, const struct fat_name *nm,
    struct fat_dirent *e, struct fat_node **np)
{
	int err = dir_find(fs, dir, nm, e);

	return err != 0 ? err : node_get(fs, dir, e, np);
}

/* The caller's reference to n (which an operation has pinned). */
static void
give_ref(struct fat_fs *fs, struct fat_node *n, struct fat_attr *attr)
{
	n->refs++;
	node_attr(fs, n, attr);
	node_unpin(fs, n);
}

int
fat_lookup(struct fat_fs *fs, uint64_t dirid, const char *name, size_t len,
    struct fat_attr *attr)
{
	struct fat_name nm;
	struct fat_dirent e;
	struct fat_node *dir, *n;
	int err = dir_lookup(fs, dirid, &dir);

	if (err == 0)
		err = name_for_lookup(name, len, &nm);
	if (err == 0)
		err = entry_node(fs, dir, &nm, &e, &n);
	if (err == 0)
		give_ref(fs, n, attr);
	return err;
}

/* A new short entry: attributes, first cluster, every time now. */
static void
entry_template(struct fat_fs *fs, uint8_t attr, uint32_t first, uint8_t *de)
{
	uint16_t date, time;
	uint8_t cs;

	memset(de, 0, SLOT);
	memset(de, ' ', 11);
	de[DE_ATTR] = attr;
	time_now_fat(fs, &date, &time, &cs);
	de[DE_CTIME_CS] = cs;
	put16(de + DE_CTIME, time);
	put16(de + DE_CDATE, date);
	put16(de + DE_ADATE, date);
	put16(de + DE_TIME, time);
	put16(de + DE_DATE, date);
	de_set_start(de, first);
}

/* Checks that a new name can go into dir: -EEXIST if it is taken. */
static int
new_name(struct fat_fs *fs, uint64_t dirid, const char *name, size_t len,
    struct fat_node **dirp, struct fat_name *nm)
{
	struct fat_dirent e;
	int err = dir_lookup(fs, dirid, dirp);

	if (err == 0)
		err = name_for_create(name, len, nm);
	if (err != 0)
		return err;
	err = dir_find(fs, *dirp, nm, &e);
	return err == 0 ? -EEXIST : err == -ENOENT ? 0 : err;
}

/* Adds the entry de under nm and returns its node, pinned. If there
 * can be no node (no memory), the entry goes again. */
static int
add_entry(struct fat_fs *fs, struct fat_node *dir, const struct fat_name *nm,
    const uint8_t *de, struct fat_node **np)
{
	struct fat_dirent e;
	int err = dir_add(fs, dir, nm, de, &e);

	if (err != 0)
		return err;
	err = node_get(fs, dir, &e, np);
	if (err != 0)
		dir_remove(fs, dir, &e);
	node_touch(fs, dir);
	return err;
}

int
fat_create(struct fat_fs *fs, uint64_t dirid, const char *name, size_t len,
    uint32_t mode, struct fat_attr *attr)
{
	uint8_t de[SLOT];
	struct fat_name nm;
	struct fat_node *dir, *n;
	int err;

	/* vfat has no mknod; as Linux, the permission bits are not kept */
	if ((mode & FAT_S_IFMT) != 0 && (mode & FAT_S_IFMT) != FAT_S_IFREG)
		return -EPERM;
	err = new_name(fs, dirid, name, len, &dir, &nm);
	if (err != 0)
		return err;
	entry_template(fs, ATTR_ARCH, 0, de);
	err = add_entry(fs, dir, &nm, de, &n);
	if (err == 0)
		give_ref(fs, n, attr);
	return err;
}

int
fat_mkdir(struct fat_fs *fs, uint64_t dirid, const char *name, size_t len,
    uint32_t mode, struct fat_attr *attr)
{
	uint8_t de[SLOT];
	struct fat_name nm;
	struct fat_node *dir, *n;
	uint32_t c;
	int err = new_name(fs, dirid, name, len, &dir, &nm);

	(void)mode; /* directories are always 0755 */
	if (err == 0)
		err = chain_alloc(fs, 1, 0, &c);
	if (err != 0)
		return err;
	entry_template(fs, ATTR_DIR, c, de);
	err = zero_clusters(fs, c, 1);
	if (err == 0)
		err = dir_init_cluster(fs, c, de, node_first_of(fs, dir));
	if (err == 0)
		err = add_entry(fs, dir, &nm, de, &n);
	if (err != 0) {
		chain_free(fs, c, 1);
		return err;
	}
	dir->subdirs++;
	give_ref(fs, n, attr);
	return 0;
}

/* Takes e (node n, pinned) out of dir; n lives on while referenced. */
static int
unlink_entry(struct fat_fs *fs, struct fat_node *dir,
    const struct fat_dirent *e, struct fat_node *n)
{
	int err = dir_remove(fs, dir, e);

	if (err == 0) {
		node_set_pos(fs, n, 0);
		n->dead = true;
		if (node_is_dir(n))
			dir->subdirs--;
		node_touch(fs, dir);
	}
	node_unpin(fs, n);
	return err;
}

/*
 * A file whose chain is broken can still be unlinked; its clusters are
 * left allocated (fsck.fat reclaims them) rather than freeing clusters
 * that may belong to another file.
 */
int
fat_unlink(struct fat_fs *fs, uint64_t dirid, const char *name, size_t len)
{
	struct fat_name nm;
	struct fat_dirent e;
	struct fat_node *dir, *n;
	int err = dir_lookup(fs, dirid, &dir);

	if (err == 0)
		err = name_for_lookup(name, len, &nm);
	if (err == 0)
		err = dir_find(fs, dir, &nm, &e);
	if (err == 0 && (e.de[DE_ATTR] & ATTR_DIR))
		err = -EISDIR;
	if (err == 0)
		err = node_get(fs, dir, &e, &n);
	if (err != 0)
		return err;
	err = file_check_chain(fs, n);
	if (err != 0 && err != -EIO) {
		node_unpin(fs, n);
		return err;
	}
	return unlink_entry(fs, dir, &e, n);
}

int
fat_rmdir(struct fat_fs *fs, uint64_t dirid, const char *name, size_t len)
{
	struct fat_name nm;
	struct fat_dirent e;
	struct fat_node *dir, *n;
	int err = dir_lookup(fs, dirid, &dir);

	if (err == 0)
		err = name_for_lookup(name, len, &nm);
	if (err == 0)
		err = dir_find(fs, dir, &nm, &e);
	if (err == 0 && !(e.de[DE_ATTR] & ATTR_DIR))
		err = -ENOTDIR;
	if (err == 0)
		err = node_get(fs, dir, &e, &n);
	if (err != 0)
		return err;
	err = dir_is_empty(fs, n);
	if (err != 0) {
		node_unpin(fs, n);
		return err;
	}
	return unlink_entry(fs, dir, &e, n);
}

/* One rename in progress: both directories and entries, the nodes. */
struct rename_op {
	struct fat_node *od, *nd;   /* pinned for the whole operation */
	struct fat_node *src, *tgt; /* pinned; tgt NULL if no target */
	struct fat_name onm, nnm;
	struct fat_dirent oe, ne;
};

static bool
in_subtree(const struct fat_node *n, const struct fat_node *top)
{
	for (; n != NULL; n = n->parent) {
		if (n == top)
			return true;
	}
	return false;
}

/* Linux's rules for replacing an existing name. */
static int
rename_target(struct fat_fs *fs, struct rename_op *r, unsigned flags)
{
	bool sdir = node_is_dir(r->src);
	bool tdir = (r->ne.de[DE_ATTR] & ATTR_DIR) != 0;
	int err;

	if (flags & FAT_RENAME_NOREPLACE)
		return -EEXIST;
	if (sdir && !tdir)
		return -ENOTDIR;
	if (!sdir && tdir)
		return -EISDIR;
	err = node_get(fs, r->nd, &r->ne, &r->tgt);
	if (err == 0 && tdir)
		err = dir_is_empty(fs, r->tgt);
	return err;
}

/* Finds both names and checks everything; 1 if there is nothing to do
 * (both names are the same entry, as Linux's vfs). */
static int
rename_check(struct fat_fs *fs, struct rename_op *r, const char *oldname,
    size_t oldlen, const char *newname, size_t newlen, unsigned flags)
{
	int err = name_for_lookup(oldname, oldlen, &r->onm);

	if (err == 0)
		err = name_for_create(newname, newlen, &r->nnm);
	if (err == 0)
		err = entry_node(fs, r->od, &r->onm, &r->oe, &r->src);
	if (err != 0)
		return err;
	err = dir_find(fs, r->nd, &r->nnm, &r->ne);
	if (err == 0 && r->ne.pos == r->oe.pos)
		return 1;
	if (err == 0)
		err = rename_target(fs, r, flags);
	else if (err == -ENOENT)
		err = 0;
	if (err == 0 && node_is_dir(r->src) && in_subtree(r->nd, r->src))
		err = -EINVAL; /* a directory into its own subtree */
	return err;
}

/* The source's entry goes into the target's short slot, keeping the
 * target's name there (Linux's vfat_rename does the same). */
static int
take_target_slot(struct fat_fs *fs, struct rename_op *r)
{
	uint8_t slot[SLOT];
	int err;

	memcpy(slot, r->ne.de, 11);
	memcpy(slot + 11, r->oe.de + 11, SLOT - 11);
	slot[DE_LCASE] = r->ne.de[DE_LCASE];
	err = bytes_write(fs, r->ne.pos, slot, SLOT);
	if (err != 0)
		return err;
	node_set_pos(fs, r->tgt, 0);
	r->tgt->dead = true;
	if (node_is_dir(r->tgt))
		r->nd->subdirs--;
	return 0;
}

static int
rename_move(struct fat_fs *fs, struct rename_op *r)
{
	struct fat_node *src = r->src;
	uint64_t pos = r->ne.pos;
	int err;

	if (r->tgt != NULL) {
		err = take_target_slot(fs, r);
	} else {
		err = dir_add(fs, r->nd, &r->nnm, r->oe.de, &r->ne);
		pos = r->ne.pos;
	}
	if (err != 0)
		return err;
	err = dir_remove(fs, r->od, &r->oe);
	node_set_pos(fs, src, pos);
	if (r->od != r->nd) {
		node_set_parent(fs, src, r->nd);
		if (node_is_dir(src)) {
			int e2 =
			    dir_set_dotdot(fs, src, node_first_of(fs, r->nd));

			err = err != 0 ? err : e2;
			r->od->subdirs--;
			r->nd->subdirs++;
		}
	}
	if (err == 0)
		err = node_store(fs, src);
	node_touch(fs, r->od);
	if (r->nd != r->od)
		node_touch(fs, r->nd);
	return err;
}

int
fat_rename(struct fat_fs *fs, uint64_t olddir, const char *oldname,
    size_t oldlen, uint64_t newdir, const char *newname, size_t newlen,
    unsigned flags)
{
	struct rename_op r = {0};
	int err;

	if (flags & ~FAT_RENAME_NOREPLACE)
		return -EINVAL; /* RENAME_EXCHANGE, RENAME_WHITEOUT */
	err = dir_lookup(fs, olddir, &r.od);
	if (err == 0)
		err = dir_lookup(fs, newdir, &r.nd);
	if (err != 0)
		return err;
	node_pin(r.od);
	node_pin(r.nd);
	err = rename_check(fs, &r, oldname, oldlen, newname, newlen, flags);
	if (err == 0)
		err = rename_move(fs, &r);
	if (r.tgt != NULL)
		node_unpin(fs, r.tgt);
	if (r.src != NULL)
		node_unpin(fs, r.src);
	node_unpin(fs, r.nd);
	node_unpin(fs, r.od);
	return err > 0 ? 0 : err;
}
