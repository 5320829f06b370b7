/*
 * What every PROTO_VFS request shares (lichen/proto/vfs.h): a struct vop
 * made and given up, answers, fs requests sent for it, finding one name
 * in a directory, starting a walk, making a node. The requests
 * themselves: open.c (open, close, read, write, seek, getdents), names.c
 * (stat, access, mkdir, mknod, symlink, unlink, readlink, rename, link),
 * attr.c (setattr, truncate, sync, statfs, getpath, mount, umount, poll,
 * shutdown); table.c lists them. The checks are Linux's (fs/namei.c,
 * fs/open.c): the same errors in the same order where a program could
 * tell.
 */
#include <lichen/errno.h>
#include <lichen/fmt.h>
#include <lichen/name_client.h>
#include <lichen/proto/name.h>
#include <lichen/rt.h>
#include <lichen/string.h>

#include "vfs.h"

struct vop *
vop_new(struct ipc_req *req)
{
	struct vop *op = calloc(1, sizeof(*op));

	if (op == NULL)
		return NULL;
	op->token = req->msg.token;
	op->label = req->msg.label;
	memcpy(op->w, req->msg.w, sizeof(op->w));
	op->cred = req->msg.w[3];
	return op;
}

/* Gives op up before it was suspended: the loop answers err. */
long
vop_fail(struct vop *op, long err)
{
	if (op->cur != NULL)
		vn_put(op->cur);
	if (op->root != NULL)
		vn_put(op->root);
	if (op->other != NULL)
		vn_put(op->other);
	free(op->buf);
	free(op);
	return err;
}

void
answer_attr(struct vop *op, const struct fs_attr *attr, struct vnode *vn)
{
	struct ipc_out out;

	memset(&out, 0, sizeof(out));
	out.w[2] = vn->mnt->dev;
	out.data = attr;
	out.len = sizeof(*attr);
	vop_answer(op, 0, &out);
}

/* An fs reply's status, LABEL_ERROR (the server is gone) as -EIO. */
long
rep_status(const struct ipc_req *rep)
{
	if (rep->msg.label == LABEL_ERROR)
		return -EIO;
	return (long)rep->msg.w[0];
}

void
send_or_fail(struct vop *op, struct vmount *m, uint64_t label, const uint64_t *w,
    unsigned nw, const void *data, size_t len, ipc_cont_fn fn)
{
	if (vop_send(op, m, label, w, nw, data, len, fn) != 0)
		vop_answer(op, -EIO, NULL);
}

/* --- one name in a directory, without following it --- */

void
child_reply(struct ipc_server *srv, void *ctx, struct ipc_req *rep)
{
	struct vop *op = ctx;
	found_fn fn = (found_fn)(uintptr_t)op->u[3];
	long st = rep_status(rep);
	struct vnode *vn;

	(void)srv;
	if (st < 0) {
		fn(op, NULL, st);
		return;
	}
	if (rep->len < sizeof(struct fs_attr)) {
		fn(op, NULL, -EIO);
		return;
	}
	vn = vn_add(op->cur, op->last, op->lastlen, rep->msg.w[1], rep->data);
	fn(op, vn, vn == NULL ? -ENOMEM : 0);
}

/* op->last in op->cur: fn(op, vnode or NULL, 0 or -errno). */
void
find_child(struct vop *op, found_fn fn)
{
	struct vnode *vn = vn_child(op->cur, op->last, op->lastlen);
	uint64_t w[1] = { op->cur->node };

	if (vn != NULL) {
		fn(op, vn, 0);
		return;
	}
	op->u[3] = (uint64_t)(uintptr_t)fn;
	if (vop_send(op, op->cur->mnt, FS_LOOKUP, w, 1, op->last, op->lastlen,
	    child_reply) != 0)
		fn(op, NULL, -EIO);
}

bool
is_dot_or_dotdot(const struct vop *op)
{
	return (op->lastlen == 1 && op->last[0] == '.') ||
	    (op->lastlen == 2 && op->last[0] == '.' && op->last[1] == '.');
}

/* Starts a path request: the walk from w0/w4 over the data. */
long
start_walk(struct ipc_req *req, const void *path, size_t len, bool empty_ok,
    bool follow, bool parent_only, vop_fn walked)
{
	struct vop *op = vop_new(req);
	int err;

	if (op == NULL)
		return -ENOMEM;
	if ((err = walk_setup(op, req->msg.w[0], req->msg.w[4], path, len, empty_ok)) != 0)
		return vop_fail(op, err);
	op->follow = follow;
	op->parent_only = parent_only && len > 0;
	op->walked = walked;
	walk_start(op);
	return IPC_SUSPEND;
}

void
create_reply(struct ipc_server *srv, void *ctx, struct ipc_req *rep)
{
	struct vop *op = ctx;
	long st = rep_status(rep);
	struct vnode *vn;

	(void)srv;
	if (st < 0 || rep->len < sizeof(struct fs_attr)) {
		vop_answer(op, st < 0 ? st : -EIO, NULL);
		return;
	}
	if ((vn = vn_add(op->cur, op->last, op->lastlen, rep->msg.w[1], rep->data)) == NULL) {
		vop_answer(op, -ENOMEM, NULL);
		return;
	}
	op->cur->attr.mtime = op->cur->attr.ctime = vn->attr.mtime;
	if (op->label == VFS_OPEN) {
		open_done(op, vn, true);	/* a file we made: no permission check */
		return;
	}
	vop_answer(op, 0, NULL);
}

/* Creates op->last in op->cur (w1 = mode, w2 = rdev for MKNOD). */
void
create_last(struct vop *op, uint64_t label, uint32_t mode, uint64_t rdev)
{
	uint64_t w[5] = { op->cur->node, mode, VFS_CRED_UID(op->cred), VFS_CRED_GID(op->cred),
	    rdev };
	int err;

	if ((err = vn_permission(op->cur, op->cred, 3)) != 0) {
		vop_answer(op, err, NULL);
		return;
	}
	/* setgid directories give their group to what is made in them. */
	if (op->cur->attr.mode & 02000) {
		w[3] = op->cur->attr.gid;
		if (label == FS_MKDIR)
			w[1] |= 02000;
	}
	send_or_fail(op, op->cur->mnt, label, w, 5, op->last, op->lastlen, create_reply);
}
