/*
 * Requests about names: stat and access, making (mkdir, mknod, symlink)
 * and removing (unlink, rmdir) names, readlink, and the two-walk ones,
 * rename and link.
 */
#include <lichen/errno.h>
#include <lichen/fmt.h>
#include <lichen/name_client.h>
#include <lichen/proto/name.h>
#include <lichen/rt.h>
#include <lichen/string.h>

#include "vfs.h"

/* --- stat, access --- */

static void
getattr_reply(struct ipc_server *srv, void *ctx, struct ipc_req *rep)
{
	struct vop *op = ctx;
	long st = rep_status(rep);

	(void)srv;
	if (st < 0 || rep->len < sizeof(struct fs_attr)) {
		vop_answer(op, st < 0 ? st : -EIO, NULL);
		return;
	}
	vop_fs_attr_out(op, rep, op->cur);
	answer_attr(op, &op->cur->attr, op->cur);
}

static void
stat_walked(struct vop *op, long err)
{
	uint64_t w[1];

	if (err != 0) {
		vop_answer(op, err, NULL);
		return;
	}
	if (op->cur->mnt == &vfs_pipefs) {	/* vfs's own node: an anonymous pipe */
		answer_attr(op, &op->cur->attr, op->cur);
		return;
	}
	w[0] = op->cur->node;
	send_or_fail(op, op->cur->mnt, FS_GETATTR, w, 1, NULL, 0, getattr_reply);
}

long
do_fstat(struct ipc_server *srv, struct ipc_req *req)
{
	struct vfile *f = vfile_get(req->msg.w[0]);
	struct vop *op;

	(void)srv;
	if (f == NULL || f->closing)
		return -EBADF;
	if ((op = vop_new(req)) == NULL)
		return -ENOMEM;
	op->cur = vn_get(f->vn);
	stat_walked(op, 0);
	return IPC_SUSPEND;
}

long
do_stat(struct ipc_server *srv, struct ipc_req *req)
{
	uint32_t flags = (uint32_t)req->msg.w[1];

	(void)srv;
	return start_walk(req, req->data, req->len, flags & VFS_AT_EMPTY_PATH,
	    !(flags & VFS_AT_SYMLINK_NOFOLLOW), false, stat_walked);
}

static void
access_walked(struct vop *op, long err)
{
	if (err == 0 && (op->w[1] & 7) != 0)
		err = vn_permission(op->cur, op->cred, (int)(op->w[1] & 7));
	vop_answer(op, err, NULL);
}

long
do_access(struct ipc_server *srv, struct ipc_req *req)
{
	uint32_t flags = (uint32_t)req->msg.w[2];

	(void)srv;
	if (req->msg.w[1] & ~7UL)
		return -EINVAL;
	return start_walk(req, req->data, req->len, flags & VFS_AT_EMPTY_PATH,
	    !(flags & VFS_AT_SYMLINK_NOFOLLOW), false, access_walked);
}

/* --- making and removing names --- */

static void
make_found(struct vop *op, struct vnode *vn, long err)
{
	(void)vn;
	if (err == 0) {
		vop_answer(op, -EEXIST, NULL);
		return;
	}
	if (err != -ENOENT) {
		vop_answer(op, err, NULL);
		return;
	}
	if (op->label == VFS_MKDIR) {
		create_last(op, FS_MKDIR, (uint32_t)op->w[1] & 07777, 0);
	} else if (op->label == VFS_SYMLINK) {
		uint64_t w[4] = { op->cur->node, op->lastlen, VFS_CRED_UID(op->cred),
		    VFS_CRED_GID(op->cred) };
		int e = vn_permission(op->cur, op->cred, 3);

		if (e != 0) {
			vop_answer(op, e, NULL);
			return;
		}
		/* name then target, in rest */
		memmove(op->rest + op->lastlen, op->rest, op->restlen);
		memcpy(op->rest, op->last, op->lastlen);
		send_or_fail(op, op->cur->mnt, FS_SYMLINK, w, 4, op->rest,
		    op->lastlen + op->restlen, create_reply);
	} else {
		uint32_t mode = (uint32_t)op->w[1];

		if ((mode & FS_IFMT) == 0)
			mode |= FS_IFREG;
		if (op->must_dir) {
			vop_answer(op, -ENOENT, NULL);
			return;
		}
		create_last(op, FS_CREATE, mode, op->w[2]);
	}
}

static void
make_walked(struct vop *op, long err)
{
	if (err != 0) {
		vop_answer(op, err, NULL);
		return;
	}
	if (op->lastlen == 0 || is_dot_or_dotdot(op)) {
		vop_answer(op, -EEXIST, NULL);
		return;
	}
	find_child(op, make_found);
}

long
do_mkdir(struct ipc_server *srv, struct ipc_req *req)
{
	(void)srv;
	return start_walk(req, req->data, req->len, false, false, true, make_walked);
}

long
do_mknod(struct ipc_server *srv, struct ipc_req *req)
{
	uint32_t type = (uint32_t)req->msg.w[1] & FS_IFMT;

	(void)srv;
	if (type == FS_IFDIR || type == FS_IFLNK)
		return -EINVAL;
	if ((type == FS_IFCHR || type == FS_IFBLK) && VFS_CRED_UID(req->msg.w[3]) != 0)
		return -EPERM;
	return start_walk(req, req->data, req->len, false, false, true, make_walked);
}

long
do_symlink(struct ipc_server *srv, struct ipc_req *req)
{
	size_t tlen = req->msg.w[1];
	struct vop *op;
	int err;

	(void)srv;
	if (tlen > req->len)
		return -EINVAL;
	if (tlen == 0)
		return -ENOENT;
	if (tlen >= FS_PATH_MAX)
		return -ENAMETOOLONG;
	if ((op = vop_new(req)) == NULL)
		return -ENOMEM;
	memcpy(op->rest, req->data, tlen);	/* the target, until make_found sends it */
	op->restlen = tlen;
	if ((err = walk_setup(op, req->msg.w[0], req->msg.w[4], (const char *)req->data + tlen,
	    req->len - tlen, false)) != 0)
		return vop_fail(op, err);
	op->parent_only = true;
	op->walked = make_walked;
	walk_start(op);
	return IPC_SUSPEND;
}

static void
unlink_reply(struct ipc_server *srv, void *ctx, struct ipc_req *rep)
{
	struct vop *op = ctx;
	long st = rep_status(rep);

	(void)srv;
	if (st == 0 && op->other != NULL) {
		if (vn_is_dir(op->other) && op->cur->attr.nlink > 2)
			op->cur->attr.nlink--;
		vn_unhash(op->other);
	}
	vop_answer(op, st, NULL);
}

static void
unlink_found(struct vop *op, struct vnode *vn, long err)
{
	bool rmdir = op->w[1] & VFS_AT_REMOVEDIR;
	uint64_t w[1] = { op->cur->node };

	if (err != 0) {
		vop_answer(op, err, NULL);
		return;
	}
	if (rmdir && !vn_is_dir(vn)) {
		vop_answer(op, -ENOTDIR, NULL);
		return;
	}
	if (!rmdir && vn_is_dir(vn)) {
		vop_answer(op, -EISDIR, NULL);
		return;
	}
	if (!rmdir && op->must_dir) {
		vop_answer(op, -ENOTDIR, NULL);
		return;
	}
	if ((err = vn_may_delete(op->cur, vn, op->cred)) != 0) {
		vop_answer(op, err, NULL);
		return;
	}
	if (vn->mounted != NULL) {
		vop_answer(op, -EBUSY, NULL);
		return;
	}
	op->other = vn_get(vn);
	send_or_fail(op, op->cur->mnt, rmdir ? FS_RMDIR : FS_UNLINK, w, 1, op->last,
	    op->lastlen, unlink_reply);
}

static void
unlink_walked(struct vop *op, long err)
{
	bool rmdir = op->w[1] & VFS_AT_REMOVEDIR;

	if (err != 0) {
		vop_answer(op, err, NULL);
		return;
	}
	if (op->lastlen == 0) {
		vop_answer(op, rmdir ? -EBUSY : -EISDIR, NULL);
		return;
	}
	if (is_dot_or_dotdot(op)) {
		vop_answer(op, !rmdir ? -EISDIR : op->lastlen == 1 ? -EINVAL : -ENOTEMPTY, NULL);
		return;
	}
	find_child(op, unlink_found);
}

long
do_unlink(struct ipc_server *srv, struct ipc_req *req)
{
	(void)srv;
	if (req->msg.w[1] & ~(uint64_t)VFS_AT_REMOVEDIR)
		return -EINVAL;
	return start_walk(req, req->data, req->len, false, false, true, unlink_walked);
}

static void
readlink_reply(struct ipc_server *srv, void *ctx, struct ipc_req *rep)
{
	struct vop *op = ctx;
	long st = rep_status(rep);
	struct ipc_out out;

	(void)srv;
	if (st < 0) {
		vop_answer(op, st, NULL);
		return;
	}
	memset(&out, 0, sizeof(out));
	out.data = rep->data;
	out.len = rep->len;
	vop_answer(op, (long)rep->len, &out);
}

static void
readlink_walked(struct vop *op, long err)
{
	uint64_t w[1];

	if (err != 0) {
		vop_answer(op, err, NULL);
		return;
	}
	if ((op->cur->attr.mode & FS_IFMT) != FS_IFLNK) {
		vop_answer(op, -EINVAL, NULL);
		return;
	}
	w[0] = op->cur->node;
	send_or_fail(op, op->cur->mnt, FS_READLINK, w, 1, NULL, 0, readlink_reply);
}

long
do_readlink(struct ipc_server *srv, struct ipc_req *req)
{
	(void)srv;
	return start_walk(req, req->data, req->len, true, false, false, readlink_walked);
}

/* --- rename and link: two walks --- */

static bool
is_ancestor(const struct vnode *a, const struct vnode *d)
{
	for (; d != NULL; d = d->parent)
		if (d == a)
			return true;
	return false;
}

static void
rename_reply(struct ipc_server *srv, void *ctx, struct ipc_req *rep)
{
	struct vop *op = ctx;
	long st = rep_status(rep);
	struct vnode *src = (struct vnode *)(uintptr_t)op->u[1];

	(void)srv;
	if (st == 0) {
		struct vnode *victim = vn_child(op->cur, op->last, op->lastlen);

		if (op->label == VFS_LINK) {
			if (rep->len >= sizeof(struct fs_attr) &&
			    vn_add(op->cur, op->last, op->lastlen, rep->msg.w[1], rep->data) != NULL)
				memcpy(&src->attr, rep->data, sizeof(struct fs_attr));
		} else if (op->w[2] & FS_RENAME_EXCHANGE) {
			if (victim != NULL)
				vn_unhash(victim);
			vn_unhash(src);
		} else {
			if (victim != NULL && victim != src)
				vn_unhash(victim);
			vn_rename(src, op->cur, op->last, op->lastlen);
		}
	}
	vn_put(src);
	op->u[1] = 0;
	vop_answer(op, st, NULL);
}

static void
rename_target(struct vop *op, struct vnode *victim, long err)
{
	struct vnode *src = (struct vnode *)(uintptr_t)op->u[1];
	uint32_t flags = (uint32_t)op->w[2];
	char buf[2 * (FS_NAME_MAX + 1)];
	uint64_t w[4];

	if (op->label == VFS_LINK) {
		if (err == 0) {
			vop_answer(op, -EEXIST, NULL);
			return;
		}
		if (err != -ENOENT) {
			vop_answer(op, err, NULL);
			return;
		}
		if ((err = vn_permission(op->cur, op->cred, 3)) != 0) {
			vop_answer(op, err, NULL);
			return;
		}
		w[0] = src->node;
		w[1] = op->cur->node;
		send_or_fail(op, op->cur->mnt, FS_LINK, w, 2, op->last, op->lastlen, rename_reply);
		return;
	}
	if (err != 0 && err != -ENOENT) {
		vop_answer(op, err, NULL);
		return;
	}
	if (err == -ENOENT)
		victim = NULL;
	if (victim == NULL && (flags & FS_RENAME_EXCHANGE)) {
		vop_answer(op, -ENOENT, NULL);
		return;
	}
	if (victim != NULL && (flags & FS_RENAME_NOREPLACE)) {
		vop_answer(op, -EEXIST, NULL);
		return;
	}
	if (victim == src) {			/* the same file: nothing to do */
		vop_answer(op, 0, NULL);
		return;
	}
	if (victim != NULL) {
		if (victim->mounted != NULL || victim == op->root) {
			vop_answer(op, -EBUSY, NULL);
			return;
		}
		if (!(flags & FS_RENAME_EXCHANGE)) {
			if (vn_is_dir(src) && !vn_is_dir(victim)) {
				vop_answer(op, -ENOTDIR, NULL);
				return;
			}
			if (!vn_is_dir(src) && vn_is_dir(victim)) {
				vop_answer(op, -EISDIR, NULL);
				return;
			}
		}
		if ((err = vn_may_delete(op->cur, victim, op->cred)) != 0) {
			vop_answer(op, err, NULL);
			return;
		}
		if (vn_is_dir(victim) && is_ancestor(victim, op->other)) {
			vop_answer(op, -ENOTEMPTY, NULL);
			return;
		}
	} else if ((err = vn_permission(op->cur, op->cred, 3)) != 0) {
		vop_answer(op, err, NULL);
		return;
	}
	if (vn_is_dir(src) && is_ancestor(src, op->cur)) {
		vop_answer(op, -EINVAL, NULL);
		return;
	}
	if (op->must_dir && !vn_is_dir(src)) {
		vop_answer(op, -ENOTDIR, NULL);
		return;
	}
	w[0] = op->other->node;
	w[1] = op->cur->node;
	w[2] = op->last2len;
	w[3] = flags;
	memcpy(buf, op->last2, op->last2len);
	memcpy(buf + op->last2len, op->last, op->lastlen);
	send_or_fail(op, op->cur->mnt, FS_RENAME, w, 4, buf, op->last2len + op->lastlen,
	    rename_reply);
}

static void
rename_new_walked(struct vop *op, long err)
{
	struct vnode *src = (struct vnode *)(uintptr_t)op->u[1];

	if (err != 0) {
		vop_answer(op, err, NULL);
		return;
	}
	if (op->cur->mnt != src->mnt) {
		vop_answer(op, -EXDEV, NULL);
		return;
	}
	if (op->lastlen == 0 || is_dot_or_dotdot(op)) {
		vop_answer(op, op->label == VFS_LINK ? -EEXIST : -EBUSY, NULL);
		return;
	}
	find_child(op, rename_target);
}

/* The source is found: now walk the new path from its own start. */
static void
rename_source(struct vop *op, struct vnode *vn, long err)
{
	struct vfile *d = vfile_get(op->w[1]);

	if (err != 0) {
		vop_answer(op, err, NULL);
		return;
	}
	if (op->label == VFS_RENAME) {
		if ((err = vn_may_delete(op->cur, vn, op->cred)) != 0) {
			vop_answer(op, err, NULL);
			return;
		}
		if (vn->mounted != NULL || vn == op->root) {
			vop_answer(op, -EBUSY, NULL);
			return;
		}
		if (op->must_dir && !vn_is_dir(vn)) {
			vop_answer(op, -ENOTDIR, NULL);
			return;
		}
	} else if (vn_is_dir(vn)) {
		vop_answer(op, -EPERM, NULL);
		return;
	}
	op->u[1] = (uint64_t)(uintptr_t)vn_get(vn);
	memcpy(op->last2, op->last, op->lastlen);
	op->last2len = op->lastlen;
	op->other = op->cur;			/* the old directory, held */
	op->cur = NULL;
	if (d == NULL && (op->restlen == 0 || op->rest[0] != '/')) {
		vop_answer(op, -EBADF, NULL);
		return;
	}
	memcpy(op->path, op->rest, op->restlen);
	op->len = op->restlen;
	op->pos = 0;
	op->cur = vn_get(d != NULL ? d->vn : op->root);
	op->parent_only = true;
	op->must_dir = false;
	op->follow = false;
	op->walked = rename_new_walked;
	walk_start(op);
}

static void
link_source_walked(struct vop *op, long err)
{
	if (err != 0) {
		vop_answer(op, err, NULL);
		return;
	}
	/* The file itself: as rename_source wants it, its directory apart. */
	rename_source(op, op->cur, 0);
}

static void
rename_old_walked(struct vop *op, long err)
{
	if (err != 0) {
		vop_answer(op, err, NULL);
		return;
	}
	if (op->lastlen == 0 || is_dot_or_dotdot(op)) {
		vop_answer(op, -EBUSY, NULL);
		return;
	}
	find_child(op, rename_source);
}

long
do_rename(struct ipc_server *srv, struct ipc_req *req)
{
	size_t oldlen = req->msg.w[5];
	struct vop *op;
	bool link = req->msg.label == VFS_LINK;
	uint32_t flags = (uint32_t)req->msg.w[2];
	int err;

	(void)srv;
	if (oldlen > req->len)
		return -EINVAL;
	if (!link && ((flags & ~3u) || (flags == 3)))
		return -EINVAL;
	if (link && (flags & ~(uint32_t)(VFS_AT_SYMLINK_FOLLOW | VFS_AT_EMPTY_PATH)))
		return -EINVAL;
	if (req->len - oldlen >= FS_PATH_MAX)
		return -ENAMETOOLONG;
	if (req->len - oldlen == 0)
		return -ENOENT;
	if ((op = vop_new(req)) == NULL)
		return -ENOMEM;
	memcpy(op->rest, (const char *)req->data + oldlen, req->len - oldlen);
	op->restlen = req->len - oldlen;
	if ((err = walk_setup(op, req->msg.w[0], req->msg.w[4], req->data, oldlen,
	    link && (flags & VFS_AT_EMPTY_PATH))) != 0)
		return vop_fail(op, err);
	if (link) {
		op->follow = flags & VFS_AT_SYMLINK_FOLLOW;
		op->walked = link_source_walked;
	} else {
		op->parent_only = true;
		op->walked = rename_old_walked;
	}
	walk_start(op);
	return IPC_SUSPEND;
}
