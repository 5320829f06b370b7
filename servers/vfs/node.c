/*
 * vnodes, mounts, open files and permissions.
 *
 * A vnode is vfs's copy of what one fs server said about one node. It
 * is found by (parent, name) in a hash table, so a path already walked
 * costs no message. vfs is the only writer of every filesystem it
 * mounts, so the cache stays true: unlink and rename update it. A vnode
 * holds a reference on its parent; it goes away (FS_FORGET to its
 * server) when nothing refers to it and it has no name any more.
 */
#include <lichen/errno.h>
#include <lichen/rt.h>
#include <lichen/string.h>

#include "vfs.h"

static struct vnode *hash[VFS_HASH];
static struct vnode *all;		/* every live vnode, named or not */

static void
all_link(struct vnode *vn)
{
	vn->aprev = NULL;
	vn->anext = all;
	if (all != NULL)
		all->aprev = vn;
	all = vn;
}

static void
all_unlink(struct vnode *vn)
{
	if (vn->aprev != NULL)
		vn->aprev->anext = vn->anext;
	else
		all = vn->anext;
	if (vn->anext != NULL)
		vn->anext->aprev = vn->aprev;
}
struct vmount vfs_mounts[VFS_NMOUNT];
static struct vfile files[VFS_NFILE];

static unsigned
hash_of(const struct vnode *dir, const char *name, size_t len)
{
	uint64_t h = (uint64_t)(uintptr_t)dir * 0x9e3779b97f4a7c15ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 0x100000001b3ULL;
	return (unsigned)(h >> 32) % VFS_HASH;
}

struct vnode *
vn_get(struct vnode *vn)
{
	vn->refs++;
	return vn;
}

static void
vn_forget(struct vnode *vn)
{
	struct ipc_msg m;

	if (vn->fsrefs == 0)
		return;
	/* A plain send: nobody waits for the answer to a forget. */
	memset(&m, 0, sizeof(m));
	m.label = FS_FORGET;
	m.w[0] = vn->node;
	m.w[1] = vn->fsrefs;
	ipc_send(vn->mnt->ep, &m, NULL);
	vn->fsrefs = 0;
}

void
vn_put(struct vnode *vn)
{
	while (vn != NULL && --vn->refs == 0 && vn->name == NULL) {
		struct vnode *parent = vn->parent;

		vn_forget(vn);
		all_unlink(vn);
		free(vn->link);
		free(vn);
		vn = parent;
	}
}

struct vnode *
vn_child(struct vnode *dir, const char *name, size_t len)
{
	for (struct vnode *vn = hash[hash_of(dir, name, len)]; vn != NULL; vn = vn->hnext)
		if (vn->parent == dir && vn->name != NULL && strlen(vn->name) == len &&
		    memcmp(vn->name, name, len) == 0)
			return vn;
	return NULL;
}

/*
 * The fs server named a node (with one reference for us): the vnode for
 * it under dir, new or the one already cached (the reference merges).
 * NULL when memory is out (the server's reference is given back).
 */
struct vnode *
vn_add(struct vnode *dir, const char *name, size_t len, uint64_t node,
    const struct fs_attr *attr)
{
	struct vnode *vn = vn_child(dir, name, len);
	unsigned h;

	if (vn != NULL && vn->node == node) {
		vn->fsrefs++;
		vn->attr = *attr;
		return vn;
	}
	if (vn != NULL)			/* stale: the name means another node now */
		vn_unhash(vn);
	vn = calloc(1, sizeof(*vn));
	if (vn == NULL || (vn->name = malloc(len + 1)) == NULL) {
		struct vnode tmp = { .mnt = dir->mnt, .node = node, .fsrefs = 1 };

		free(vn);
		vn_forget(&tmp);
		return NULL;
	}
	memcpy(vn->name, name, len);
	vn->name[len] = '\0';
	vn->mnt = dir->mnt;
	vn->node = node;
	vn->attr = *attr;
	vn->fsrefs = 1;
	vn->parent = vn_get(dir);
	h = hash_of(dir, name, len);
	vn->hnext = hash[h];
	hash[h] = vn;
	all_link(vn);
	return vn;
}

/*
 * The name is gone (unlink, rename, a stale entry). The cache holds no
 * reference of its own: a vnode lives while something refers to it, and
 * a named one with no users stays cached until its name goes.
 */
void
vn_unhash(struct vnode *vn)
{
	struct vnode **pp;

	if (vn->name == NULL)
		return;
	for (pp = &hash[hash_of(vn->parent, vn->name, strlen(vn->name))]; *pp != NULL;
	    pp = &(*pp)->hnext)
		if (*pp == vn) {
			*pp = vn->hnext;
			break;
		}
	free(vn->name);
	vn->name = NULL;
	if (vn->refs == 0) {		/* nothing else holds it: gone now */
		vn->refs = 1;
		vn_put(vn);
	}
}

/* A rename moved vn: the cache follows (keeping the vnode: open files, cwds). */
int
vn_rename(struct vnode *vn, struct vnode *dir, const char *name, size_t len)
{
	char *nm = malloc(len + 1);
	struct vnode **pp, *old;
	unsigned h;

	if (nm == NULL || vn->name == NULL) {
		free(nm);
		vn_unhash(vn);
		return -ENOMEM;
	}
	memcpy(nm, name, len);
	nm[len] = '\0';
	for (pp = &hash[hash_of(vn->parent, vn->name, strlen(vn->name))]; *pp != NULL;
	    pp = &(*pp)->hnext)
		if (*pp == vn) {
			*pp = vn->hnext;
			break;
		}
	free(vn->name);
	vn->name = nm;
	old = vn->parent;
	vn->parent = vn_get(dir);
	h = hash_of(dir, name, len);
	vn->hnext = hash[h];
	hash[h] = vn;
	vn_put(old);
	return 0;
}

/* A node of no filesystem's (an anonymous pipe's): it goes with its last reference. */
struct vnode *
vn_new_anon(struct vmount *m, uint64_t node, const struct fs_attr *attr)
{
	struct vnode *vn = calloc(1, sizeof(*vn));

	if (vn == NULL)
		return NULL;
	vn->mnt = m;
	vn->node = node;
	vn->attr = *attr;
	all_link(vn);
	return vn;
}

struct vnode *
vn_new_root(struct vmount *m, uint64_t node, const struct fs_attr *attr)
{
	char *name = malloc(1);		/* a root is never "unlinked" */
	struct vnode *vn = name != NULL ? vn_new_anon(m, node, attr) : NULL;

	if (vn == NULL) {
		free(name);
		return NULL;
	}
	name[0] = '\0';
	vn->name = name;
	vn->fsrefs = 1;
	vn->refs = 1;			/* the mount's */
	return vn;
}

bool
vn_is_dir(const struct vnode *vn)
{
	return (vn->attr.mode & FS_IFMT) == FS_IFDIR;
}

/* Linux's generic_permission without groups beyond the primary one. */
int
vn_permission(const struct vnode *vn, uint64_t cred, int mask)
{
	uint32_t uid = VFS_CRED_UID(cred), gid = VFS_CRED_GID(cred);
	uint32_t mode = vn->attr.mode, bits;

	if ((mask & 2) && (vn->mnt->flags & MS_RDONLY) &&
	    ((mode & FS_IFMT) == FS_IFREG || (mode & FS_IFMT) == FS_IFDIR ||
	    (mode & FS_IFMT) == FS_IFLNK))
		return -EROFS;
	if (uid == 0) {
		/* root: everything, but execute needs some x bit (or a directory) */
		if ((mask & 1) && !vn_is_dir(vn) && (mode & 0111) == 0)
			return -EACCES;
		return 0;
	}
	if (uid == vn->attr.uid)
		bits = (mode >> 6) & 7;
	else if (gid == vn->attr.gid)
		bits = (mode >> 3) & 7;
	else
		bits = mode & 7;
	return ((uint32_t)mask & ~bits) == 0 ? 0 : -EACCES;
}

/* May cred remove victim from dir (write + search, and the sticky bit)? */
int
vn_may_delete(const struct vnode *dir, const struct vnode *victim, uint64_t cred)
{
	uint32_t uid = VFS_CRED_UID(cred);
	int err = vn_permission(dir, cred, 3);

	if (err != 0)
		return err;
	if ((dir->attr.mode & 01000) && uid != 0 && uid != victim->attr.uid &&
	    uid != dir->attr.uid)
		return -EPERM;
	return 0;
}

/*
 * Before an umount: the cache forgets m's nodes (all but the root), and
 * gives their references back, so the server sees them unused.
 */
void
vn_drop_mount(struct vmount *m)
{
	bool again = true;

	vn_forget_mount(m);
	while (again) {			/* a freed child may free its parent */
		again = false;
		for (unsigned i = 0; i < VFS_HASH; i++)
			for (struct vnode *vn = hash[i]; vn != NULL; vn = vn->hnext)
				if (vn->mnt == m && vn != m->root && vn->name != NULL) {
					vn_forget(vn);
					vn_unhash(vn);
					again = true;
					break;
				}
	}
}

/* Gives back every reference vfs holds on m's nodes but its root's. */
void
vn_forget_mount(struct vmount *m)
{
	for (struct vnode *vn = all; vn != NULL; vn = vn->anext)
		if (vn->mnt == m && vn != m->root)
			vn_forget(vn);
}

struct vmount *
mount_alloc(void)
{
	for (unsigned i = 0; i < VFS_NMOUNT; i++)
		if (!vfs_mounts[i].used) {
			memset(&vfs_mounts[i], 0, sizeof(vfs_mounts[i]));
			vfs_mounts[i].used = true;
			vfs_mounts[i].dev = i + 1;	/* makedev(0, i + 1): anonymous devices */
			return &vfs_mounts[i];
		}
	return NULL;
}

/* --- open files: id = generation << 16 | slot --- */

struct vfile *
vfile_alloc(struct vnode *vn, uint32_t flags)
{
	static uint32_t gen;

	for (unsigned i = 0; i < VFS_NFILE; i++) {
		struct vfile *f = &files[i];

		if (f->gen != 0)
			continue;
		memset(f, 0, sizeof(*f));
		if (++gen == 0)
			gen = 1;
		f->gen = gen;
		f->flags = flags;
		f->vn = vn_get(vn);
		vn->mnt->nfiles++;
		return f;
	}
	return NULL;
}

uint64_t
vfile_id(const struct vfile *f)
{
	return (uint64_t)f->gen << 16 | (uint64_t)(f - files);
}

struct vfile *
vfile_get(uint64_t id)
{
	uint64_t slot = id & 0xffff;

	if (slot >= VFS_NFILE || files[slot].gen == 0 || files[slot].gen != (id >> 16))
		return NULL;
	return &files[slot];
}

void
vfile_free(struct vfile *f)
{
	if (f->busy) {			/* a request still uses it: vop_answer frees it */
		f->closing = true;
		return;
	}
	if (f->pipe != NULL)
		pipe_release(f);
	f->vn->mnt->nfiles--;
	vn_put(f->vn);
	f->gen = 0;
	f->vn = NULL;
}

/* --- requests in flight --- */

void
vop_answer(struct vop *op, long status, const struct ipc_out *out)
{
	struct vfile *f = op->file;

	ipc_answer(op->token, op->label, status, out);
	free(op->buf);
	if (op->cur != NULL)
		vn_put(op->cur);
	if (op->root != NULL)
		vn_put(op->root);
	if (op->other != NULL)
		vn_put(op->other);
	free(op);
	/* The next request queued on the file's offset may go now. */
	if (f != NULL && f->busy) {
		struct vop *next = f->waiting;

		f->busy = false;
		if (next != NULL) {
			f->waiting = next->next;
			f->busy = true;
			next->walked(next, 0);
		} else if (f->closing) {
			vfile_free(f);
		}
	}
}

long
vop_send(struct vop *op, struct vmount *m, uint64_t label, const uint64_t *w,
    unsigned nw, const void *data, size_t len, ipc_cont_fn fn)
{
	struct ipc_msg msg;
	struct ipc_ext x;

	memset(&msg, 0, sizeof(msg));
	memset(&x, 0, sizeof(x));
	msg.label = label;
	for (unsigned i = 0; i < nw && i < IPC_WORDS; i++)
		msg.w[i] = w[i];
	x.sbuf = (uint64_t)(uintptr_t)data;
	x.slen = len;
	return ipc_server_send(&vfs_srv, m->ep, &msg, &x, fn, op);
}

/* A reply naming a node: its attributes update vn, and go to the client. */
void
vop_fs_attr_out(struct vop *op, struct ipc_req *rep, struct vnode *vn)
{
	(void)op;
	if (rep->len >= sizeof(struct fs_attr) && vn != NULL)
		memcpy(&vn->attr, rep->data, sizeof(struct fs_attr));
}
