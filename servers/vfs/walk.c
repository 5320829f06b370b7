/*
 * Path resolution, as Linux's namei: one component at a time from the
 * start directory, "." and ".." (which stops at the caller's root and
 * climbs out of a mounted filesystem through the directory it covers),
 * mount points crossed downwards, symlinks followed (at most
 * VFS_SYMLOOP per walk: -ELOOP) in every component but a last one the
 * caller does not follow, search permission on every directory passed.
 *
 * A component not in the vnode cache is asked of its fs server
 * (FS_LOOKUP) and the walk goes on in the continuation; so is a symlink
 * target not read yet (FS_READLINK). vfs never waits.
 */
#include <lichen/errno.h>
#include <lichen/rt.h>
#include <lichen/string.h>

#include "vfs.h"

static void walk_step(struct vop *op);

static void
walk_end(struct vop *op, long err)
{
	op->walked(op, err);
}

/* Moves op->cur to vn (held by the caller's reference, which we take). */
static void
walk_move(struct vop *op, struct vnode *vn)
{
	vn_put(op->cur);
	op->cur = vn;
}

/* Is [pos, len) nothing but slashes? */
static bool
only_slashes(const struct vop *op, size_t pos)
{
	for (; pos < op->len; pos++)
		if (op->path[pos] != '/')
			return false;
	return true;
}

/*
 * Replaces the walked part of the path and the symlink's own component
 * with the link's target: target + "/" + the rest.
 */
static int
walk_splice_link(struct vop *op, const char *target, size_t end)
{
	size_t tlen = strlen(target), rest = op->len - end;

	if (tlen == 0)
		return -ENOENT;
	if (tlen + 1 + rest >= FS_PATH_MAX)
		return -ENAMETOOLONG;
	memmove(op->path + tlen + 1, op->path + end, rest);
	memcpy(op->path, target, tlen);
	op->path[tlen] = '/';
	op->len = tlen + 1 + rest;
	op->pos = 0;
	if (rest == 0)
		op->len = tlen;		/* no trailing slash of our own */
	if (target[0] == '/')
		walk_move(op, vn_get(op->root));
	return 0;
}

/* The component [s, e) resolved to vn (held): cross mounts, follow links. */
static void
walk_arrive(struct vop *op, struct vnode *vn, size_t e, bool last);

static void
readlink_reply(struct ipc_server *srv, void *ctx, struct ipc_req *rep)
{
	struct vop *op = ctx;
	struct vnode *vn = (struct vnode *)(uintptr_t)op->u[3];
	long st = (long)rep->msg.w[0];
	size_t e = (size_t)op->u[2];

	(void)srv;
	op->u[3] = 0;
	if (rep->msg.label == LABEL_ERROR || st < 0) {
		vn_put(vn);
		walk_end(op, rep->msg.label == LABEL_ERROR ? -EIO : st);
		return;
	}
	if (vn->link == NULL && (vn->link = malloc(rep->len + 1)) != NULL) {
		memcpy(vn->link, rep->data, rep->len);
		vn->link[rep->len] = '\0';
	}
	if (vn->link == NULL) {
		vn_put(vn);
		walk_end(op, -ENOMEM);
		return;
	}
	walk_arrive(op, vn, e, e >= op->len || only_slashes(op, e));
}

static void
walk_arrive(struct vop *op, struct vnode *vn, size_t e, bool last)
{
	int err;

	while (vn->mounted != NULL) {
		struct vnode *root = vn_get(vn->mounted->root);

		vn_put(vn);
		vn = root;
	}
	if ((vn->attr.mode & FS_IFMT) == FS_IFLNK && (!last || op->follow || op->must_dir)) {
		if (++op->links > VFS_SYMLOOP) {
			vn_put(vn);
			walk_end(op, -ELOOP);
			return;
		}
		if (vn->link == NULL) {
			uint64_t w[1] = { vn->node };

			op->links--;		/* counted when the answer comes */
			op->u[2] = e;
			op->u[3] = (uint64_t)(uintptr_t)vn;
			if (vop_send(op, vn->mnt, FS_READLINK, w, 1, NULL, 0, readlink_reply) != 0) {
				op->u[3] = 0;
				vn_put(vn);
				walk_end(op, -EIO);
			}
			return;
		}
		err = walk_splice_link(op, vn->link, e);
		vn_put(vn);
		if (err != 0) {
			walk_end(op, err);
			return;
		}
		walk_step(op);
		return;
	}
	walk_move(op, vn);
	op->pos = e;
	walk_step(op);
}

static void
lookup_reply(struct ipc_server *srv, void *ctx, struct ipc_req *rep)
{
	struct vop *op = ctx;
	long st = (long)rep->msg.w[0];
	size_t s = (size_t)op->u[0], e = (size_t)op->u[1];
	struct vnode *vn;

	(void)srv;
	if (rep->msg.label == LABEL_ERROR) {
		walk_end(op, -EIO);
		return;
	}
	if (st < 0) {
		walk_end(op, st);
		return;
	}
	if (rep->len < sizeof(struct fs_attr)) {
		walk_end(op, -EIO);
		return;
	}
	vn = vn_add(op->cur, op->path + s, e - s, rep->msg.w[1], rep->data);
	if (vn == NULL) {
		walk_end(op, -ENOMEM);
		return;
	}
	walk_arrive(op, vn_get(vn), e, e >= op->len || only_slashes(op, e));
}

static void
walk_step(struct vop *op)
{
	size_t s, e;
	bool last;
	struct vnode *vn;
	int err;

	for (;;) {
		while (op->pos < op->len && op->path[op->pos] == '/')
			op->pos++;
		if (op->pos >= op->len) {
			if (op->must_dir && !vn_is_dir(op->cur)) {
				walk_end(op, -ENOTDIR);
				return;
			}
			if (op->parent_only) {	/* "/" or "a/.." as a parent: no last name */
				op->lastlen = 0;
				op->last[0] = '\0';
			}
			walk_end(op, 0);
			return;
		}
		s = op->pos;
		for (e = s; e < op->len && op->path[e] != '/'; e++)
			;
		if (e - s > FS_NAME_MAX) {
			walk_end(op, -ENAMETOOLONG);
			return;
		}
		last = only_slashes(op, e);
		if (last && e < op->len)
			op->must_dir = true;
		if (!vn_is_dir(op->cur)) {
			walk_end(op, -ENOTDIR);
			return;
		}
		if (op->parent_only && last) {
			memcpy(op->last, op->path + s, e - s);
			op->last[e - s] = '\0';
			op->lastlen = e - s;
			walk_end(op, 0);
			return;
		}
		if ((err = vn_permission(op->cur, op->cred, 1)) != 0) {
			walk_end(op, err);
			return;
		}
		if (e - s == 1 && op->path[s] == '.') {
			op->pos = e;
			continue;
		}
		if (e - s == 2 && op->path[s] == '.' && op->path[s + 1] == '.') {
			struct vnode *up = op->cur;

			op->pos = e;
			if (up == op->root)
				continue;
			/* Out of a mounted filesystem: from its root to the covered node. */
			while (up->parent == NULL && up->mnt->covered != NULL && up != op->root)
				up = up->mnt->covered;
			if (up != op->root && up->parent != NULL)
				up = up->parent;
			walk_move(op, vn_get(up));
			continue;
		}
		if ((vn = vn_child(op->cur, op->path + s, e - s)) != NULL) {
			walk_arrive(op, vn_get(vn), e, last);
			return;
		}
		{
			uint64_t w[1] = { op->cur->node };

			op->u[0] = s;
			op->u[1] = e;
			if (vop_send(op, op->cur->mnt, FS_LOOKUP, w, 1, op->path + s, e - s,
			    lookup_reply) != 0)
				walk_end(op, -EIO);
		}
		return;
	}
}

void
walk_step_from_here(struct vop *op)
{
	walk_step(op);
}

void
walk_start(struct vop *op)
{
	op->links = 0;
	if (op->len > 0 && op->path[0] == '/')
		walk_move(op, vn_get(op->root));
	walk_step(op);
}

/*
 * The walk's starting points and path from a request: dirfile (a
 * directory's file id, the cwd's for AT_FDCWD), rootfile (the caller's
 * root). 0 or -errno (a bad id: -EBADF; an empty path without
 * AT_EMPTY_PATH: -ENOENT).
 */
int
walk_setup(struct vop *op, uint64_t dirfile, uint64_t rootfile, const void *path,
    size_t len, bool empty_ok)
{
	struct vfile *d = vfile_get(dirfile), *r = vfile_get(rootfile);

	if (len >= FS_PATH_MAX)
		return -ENAMETOOLONG;
	if (len == 0 && !empty_ok)
		return -ENOENT;
	if (r == NULL)
		return -EBADF;
	if (d == NULL && (len == 0 || ((const char *)path)[0] != '/'))
		return -EBADF;
	memcpy(op->path, path, len);
	op->len = len;
	op->pos = 0;
	op->root = vn_get(r->vn);
	op->cur = vn_get(d != NULL ? d->vn : r->vn);
	if (memchr(path, '\0', len) != NULL)
		return -EINVAL;
	return 0;
}
